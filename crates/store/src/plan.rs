//! Plan versions of a case and the agreements to them (`core::plan`). Reading needs a `Read`
//! grant for the case's person, saving and agreeing an `Update` grant.

use crate::db::Tx;
use crate::person::check;
use crate::{StoreError, parse_code, q};
use chrono::{DateTime, Utc};
use samverka_core::plan::{Party, PlanContent};
use samverka_core::policy::{Action, Grant};
use samverka_core::{CaseId, OrganisationId, PlanId, UserId};
use uuid::Uuid;

/// One saved version of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanVersion {
    pub id: PlanId,
    pub case_id: CaseId,
    pub version: i64,
    pub content: PlanContent,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    pub created_by_organisation: OrganisationId,
}

/// An agreement to a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agreement {
    pub party: Party,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by_name: String,
}

/// A version with who saved it and the agreements so far.
#[derive(Clone, Debug)]
pub struct VersionView {
    pub plan: PlanVersion,
    pub created_by_name: String,
    pub organisation_name: String,
    pub agreements: Vec<Agreement>,
}

fn person_grant(grant: &Grant, action: Action) -> Result<(), StoreError> {
    let person = grant.person().ok_or(StoreError::GrantMismatch)?;
    check(grant, action, Some(person))
}

/// Every version of the case's plan, oldest first, with agreements. Needs a `Read` grant for
/// the case's person (the caller has checked the case is theirs).
pub async fn versions(
    tx: &mut Tx,
    grant: &Grant,
    case: CaseId,
) -> Result<Vec<VersionView>, StoreError> {
    if person_grant(grant, Action::Read).is_err() {
        person_grant(grant, Action::Update)?;
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        case_id: Uuid,
        version: i64,
        content: String,
        created_at: DateTime<Utc>,
        created_by: Uuid,
        created_by_organisation: Uuid,
        created_by_name: String,
        organisation_name: String,
    }
    let rows: Vec<Row> = tx
        .fetch_all(q!(
            "select p.id, p.case_id, p.version, p.content, p.created_at, p.created_by,
                    p.created_by_organisation, u.display_name as created_by_name,
                    o.name as organisation_name
             from case_plan p
             join person_case c on c.id = p.case_id
             join app_user u on u.id = p.created_by
             join organisation o on o.id = p.created_by_organisation
             where p.case_id = $1 and c.person_id = $2
             order by p.version",
            case,
            grant.person()
        ))
        .await?;
    #[derive(sqlx::FromRow)]
    struct AgreementRow {
        plan_id: Uuid,
        party: String,
        recorded_at: DateTime<Utc>,
        recorded_by_name: String,
    }
    let agreements: Vec<AgreementRow> = tx
        .fetch_all(q!(
            "select a.plan_id, a.party, a.recorded_at, u.display_name as recorded_by_name
             from plan_agreement a
             join case_plan p on p.id = a.plan_id
             join app_user u on u.id = a.recorded_by
             where p.case_id = $1
             order by a.recorded_at",
            case
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            let content: PlanContent = serde_json::from_str(&r.content)
                .map_err(|e| StoreError::Corrupt(format!("plan {}: {e}", r.id)))?;
            let agreed = agreements
                .iter()
                .filter(|a| a.plan_id == r.id)
                .map(|a| {
                    Ok(Agreement {
                        party: parse_code("plan party", &a.party)?,
                        recorded_at: a.recorded_at,
                        recorded_by_name: a.recorded_by_name.clone(),
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(VersionView {
                plan: PlanVersion {
                    id: r.id.into(),
                    case_id: r.case_id.into(),
                    version: r.version,
                    content,
                    created_at: r.created_at,
                    created_by: r.created_by.into(),
                    created_by_organisation: r.created_by_organisation.into(),
                },
                created_by_name: r.created_by_name,
                organisation_name: r.organisation_name,
                agreements: agreed,
            })
        })
        .collect()
}

/// Saves a new version. Needs an `Update` grant for the case's person, from the saving
/// organisation. A version number already taken (someone saved first) is
/// [`StoreError::Conflict`].
pub async fn insert_version(tx: &mut Tx, grant: &Grant, p: &PlanVersion) -> Result<(), StoreError> {
    person_grant(grant, Action::Update)?;
    if p.created_by != grant.user() || p.created_by_organisation != grant.organisation() {
        return Err(StoreError::GrantMismatch);
    }
    crate::case::same_person(grant, crate::case::person_of(tx, p.case_id).await?)?;
    let content =
        serde_json::to_string(&p.content).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(q!(
        "insert into case_plan (id, case_id, version, content, created_at, created_by,
                                created_by_organisation)
         values ($1, $2, $3, $4, $5, $6, $7)",
        p.id,
        p.case_id,
        p.version,
        content,
        p.created_at,
        p.created_by,
        p.created_by_organisation
    ))
    .await?;
    Ok(())
}

/// Records `party`'s agreement to a version; false if it was recorded already. Needs an
/// `Update` grant for the case's person.
pub async fn agree(
    tx: &mut Tx,
    grant: &Grant,
    plan: PlanId,
    party: Party,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    person_grant(grant, Action::Update)?;
    #[derive(sqlx::FromRow)]
    struct Found {
        person_id: Uuid,
    }
    let of: Option<Found> = tx
        .fetch_optional(q!(
            "select c.person_id from case_plan p join person_case c on c.id = p.case_id
             where p.id = $1",
            plan
        ))
        .await?;
    crate::case::same_person(grant, of.map(|f| f.person_id.into()))?;
    let n = tx
        .execute(q!(
            "insert into plan_agreement (plan_id, party, recorded_at, recorded_by)
             values ($1, $2, $3, $4) on conflict do nothing",
            plan,
            party.code(),
            at,
            grant.user()
        ))
        .await?;
    Ok(n == 1)
}
