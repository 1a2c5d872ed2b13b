//! Consents, blocks, team places and emergency accesses: the facts the access policy decides
//! over. [`person_facts`] gathers them before a decision (no grant: the policy needs them to make
//! one, and they leave the use case only through what a grant lets it show). Every change needs a
//! grant covering it.

use crate::db::Tx;
use crate::person::check;
use crate::{Query, StoreError, Value, parse_code, q};
use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::consent::{Block, BlockScope, Category, Consent, EmergencyAccess, TeamMember};
use samverka_core::policy::{Action, Grant, PersonFacts};
use samverka_core::{
    BlockId, ConsentId, EmergencyAccessId, OrganisationId, PersonId, TeamMemberId, UserId,
};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: Uuid,
    person_id: Uuid,
    user_id: Option<Uuid>,
    unit_id: Uuid,
    organisation_id: Uuid,
    starts_on: NaiveDate,
    ended_at: Option<DateTime<Utc>>,
    added_by: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl From<TeamRow> for TeamMember {
    fn from(r: TeamRow) -> Self {
        TeamMember {
            id: r.id.into(),
            person_id: r.person_id.into(),
            user_id: r.user_id.map(Into::into),
            unit_id: r.unit_id.into(),
            organisation_id: r.organisation_id.into(),
            starts_on: r.starts_on,
            ended_at: r.ended_at,
            added_by: r.added_by.map(Into::into),
            created_at: r.created_at,
        }
    }
}

const TEAM_COLUMNS: &str = "t.id, t.person_id, t.user_id, t.unit_id, t.organisation_id, t.starts_on, t.ended_at, t.added_by, t.created_at";

#[derive(sqlx::FromRow)]
struct ConsentRow {
    id: Uuid,
    person_id: Uuid,
    purpose: String,
    categories: String,
    form: String,
    guardian: Option<String>,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    recorded_by: Uuid,
    recorded_by_organisation: Uuid,
    recorded_at: DateTime<Utc>,
    withdrawn_at: Option<DateTime<Utc>>,
    withdrawn_by: Option<Uuid>,
}

#[derive(sqlx::FromRow)]
struct ConsentOrgRow {
    consent_id: Uuid,
    organisation_id: Uuid,
    direction: String,
}

#[derive(sqlx::FromRow)]
struct BlockRow {
    id: Uuid,
    person_id: Uuid,
    scope: String,
    unit_id: Option<Uuid>,
    organisation_id: Option<Uuid>,
    category: Option<String>,
    from_date: Option<NaiveDate>,
    to_date: Option<NaiveDate>,
    recorded_by: Uuid,
    recorded_by_organisation: Uuid,
    recorded_at: DateTime<Utc>,
    lifted_at: Option<DateTime<Utc>>,
    lifted_by: Option<Uuid>,
}

impl TryFrom<BlockRow> for Block {
    type Error = StoreError;
    fn try_from(r: BlockRow) -> Result<Self, StoreError> {
        let corrupt = || StoreError::Corrupt(format!("block scope `{}`", r.scope));
        let scope = match r.scope.as_str() {
            "unit" => BlockScope::Unit(r.unit_id.ok_or_else(corrupt)?.into()),
            "organisation" => {
                BlockScope::Organisation(r.organisation_id.ok_or_else(corrupt)?.into())
            }
            "category" => BlockScope::Category(parse_code(
                "category",
                r.category.as_deref().ok_or_else(corrupt)?,
            )?),
            _ => return Err(corrupt()),
        };
        Ok(Block {
            id: r.id.into(),
            person_id: r.person_id.into(),
            scope,
            from: r.from_date,
            to: r.to_date,
            recorded_by: r.recorded_by.into(),
            recorded_by_organisation: r.recorded_by_organisation.into(),
            recorded_at: r.recorded_at,
            lifted_at: r.lifted_at,
            lifted_by: r.lifted_by.map(Into::into),
        })
    }
}

#[derive(sqlx::FromRow)]
struct EmergencyRow {
    id: Uuid,
    person_id: Uuid,
    user_id: Uuid,
    organisation_id: Uuid,
    unit_id: Uuid,
    reason: String,
    started_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    reviewed_at: Option<DateTime<Utc>>,
    reviewed_by: Option<Uuid>,
    review_comment: Option<String>,
}

impl From<EmergencyRow> for EmergencyAccess {
    fn from(r: EmergencyRow) -> Self {
        EmergencyAccess {
            id: r.id.into(),
            person_id: r.person_id.into(),
            user_id: r.user_id.into(),
            organisation_id: r.organisation_id.into(),
            unit_id: r.unit_id.into(),
            reason: r.reason,
            started_at: r.started_at,
            expires_at: r.expires_at,
            reviewed_at: r.reviewed_at,
            reviewed_by: r.reviewed_by.map(Into::into),
            review_comment: r.review_comment,
        }
    }
}

const EMERGENCY_COLUMNS: &str = "e.id, e.person_id, e.user_id, e.organisation_id, e.unit_id, e.reason, e.started_at, e.expires_at, e.reviewed_at, e.reviewed_by, e.review_comment";

/// Locks the person's row until the transaction ends, so that every change that decides on the
/// person's facts (and every change of those facts) takes its turn: a withdrawal cannot land
/// between the decision to write a note and the note. (SQLite's write transactions are serial
/// already; this is for PostgreSQL.)
pub async fn lock_person(tx: &mut Tx, person: PersonId) -> Result<(), StoreError> {
    tx.execute(q!(
        "update person set protected_identity = protected_identity where id = $1",
        person
    ))
    .await?;
    Ok(())
}

/// The person whose team a place is on.
pub async fn team_place_person(
    tx: &mut Tx,
    id: TeamMemberId,
) -> Result<Option<PersonId>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Found {
        person_id: Uuid,
    }
    let row: Option<Found> = tx
        .fetch_optional(q!("select person_id from team_member where id = $1", id))
        .await?;
    Ok(row.map(|r| r.person_id.into()))
}

/// Everything about `person` that bears on access, with `user`'s emergency accesses. `None` if
/// the person does not exist.
pub async fn person_facts(
    tx: &mut Tx,
    person: PersonId,
    user: UserId,
) -> Result<Option<PersonFacts>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct P {
        protected_identity: bool,
    }
    let Some(p): Option<P> = tx
        .fetch_optional(q!(
            "select protected_identity from person where id = $1",
            person
        ))
        .await?
    else {
        return Ok(None);
    };
    let team: Vec<TeamRow> = tx
        .fetch_all(Query {
            sql: format!("select {TEAM_COLUMNS} from team_member t where t.person_id = $1").into(),
            args: vec![person.into()],
        })
        .await?;
    let emergency: Vec<EmergencyRow> = tx
        .fetch_all(Query {
            sql: format!(
                "select {EMERGENCY_COLUMNS} from emergency_access e where e.person_id = $1 and e.user_id = $2"
            )
            .into(),
            args: vec![person.into(), user.into()],
        })
        .await?;
    Ok(Some(PersonFacts {
        protected_identity: p.protected_identity,
        team: team.into_iter().map(Into::into).collect(),
        consents: consents_of(tx, person).await?,
        blocks: blocks_of(tx, person).await?,
        emergency: emergency.into_iter().map(Into::into).collect(),
    }))
}

async fn consents_of(tx: &mut Tx, person: PersonId) -> Result<Vec<Consent>, StoreError> {
    Ok(consents_of_many(tx, &[person])
        .await?
        .remove(&person)
        .unwrap_or_default())
}

async fn blocks_of(tx: &mut Tx, person: PersonId) -> Result<Vec<Block>, StoreError> {
    Ok(blocks_of_many(tx, &[person])
        .await?
        .remove(&person)
        .unwrap_or_default())
}

/// `person_id in ($1, …)` for these persons, with the arguments.
fn persons_in(column: &str, persons: &[PersonId]) -> (String, Vec<crate::Value>) {
    let list: Vec<String> = (1..=persons.len()).map(|i| format!("${i}")).collect();
    (
        format!("{column} in ({})", list.join(", ")),
        persons.iter().map(|p| (*p).into()).collect(),
    )
}

/// The consents of each of these persons (every state), newest first.
pub async fn consents_of_many(
    tx: &mut Tx,
    persons: &[PersonId],
) -> Result<std::collections::HashMap<PersonId, Vec<Consent>>, StoreError> {
    let mut out: std::collections::HashMap<PersonId, Vec<Consent>> = Default::default();
    if persons.is_empty() {
        return Ok(out);
    }
    let (filter, args) = persons_in("person_id", persons);
    let rows: Vec<ConsentRow> = tx
        .fetch_all(Query {
            sql: format!(
                "select id, person_id, purpose, categories, form, guardian, valid_from, valid_to,
                        recorded_by, recorded_by_organisation, recorded_at, withdrawn_at, withdrawn_by
                 from consent where {filter} order by recorded_at desc, id desc"
            )
            .into(),
            args: args.clone(),
        })
        .await?;
    if rows.is_empty() {
        return Ok(out);
    }
    let (filter, args) = persons_in("c.person_id", persons);
    let orgs: Vec<ConsentOrgRow> = tx
        .fetch_all(Query {
            sql: format!(
                "select co.consent_id, co.organisation_id, co.direction
                 from consent_organisation co join consent c on c.id = co.consent_id
                 where {filter} order by co.organisation_id"
            )
            .into(),
            args,
        })
        .await?;
    for r in rows {
        let pick = |dir: &str| {
            orgs.iter()
                .filter(|o| o.consent_id == r.id && o.direction == dir)
                .map(|o| OrganisationId::from(o.organisation_id))
                .collect()
        };
        let c = Consent {
            id: r.id.into(),
            person_id: r.person_id.into(),
            sharing: pick("share"),
            receiving: pick("receive"),
            purpose: r.purpose,
            categories: Category::split(&r.categories)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            form: parse_code("consent form", &r.form)?,
            guardian: r.guardian,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            recorded_by: r.recorded_by.into(),
            recorded_by_organisation: r.recorded_by_organisation.into(),
            recorded_at: r.recorded_at,
            withdrawn_at: r.withdrawn_at,
            withdrawn_by: r.withdrawn_by.map(Into::into),
        };
        out.entry(c.person_id).or_default().push(c);
    }
    Ok(out)
}

/// The blocks of each of these persons (lifted ones too), newest first.
pub async fn blocks_of_many(
    tx: &mut Tx,
    persons: &[PersonId],
) -> Result<std::collections::HashMap<PersonId, Vec<Block>>, StoreError> {
    let mut out: std::collections::HashMap<PersonId, Vec<Block>> = Default::default();
    if persons.is_empty() {
        return Ok(out);
    }
    let (filter, args) = persons_in("person_id", persons);
    let rows: Vec<BlockRow> = tx
        .fetch_all(Query {
            sql: format!(
                "select id, person_id, scope, unit_id, organisation_id, category, from_date, to_date,
                        recorded_by, recorded_by_organisation, recorded_at, lifted_at, lifted_by
                 from person_block where {filter} order by recorded_at desc, id desc"
            )
            .into(),
            args,
        })
        .await?;
    for r in rows {
        let b: Block = r.try_into()?;
        out.entry(b.person_id).or_default().push(b);
    }
    Ok(out)
}

/// Records a consent. Needs a `Create` grant for the person.
pub async fn insert_consent(tx: &mut Tx, grant: &Grant, c: &Consent) -> Result<(), StoreError> {
    check(grant, Action::Create, Some(c.person_id))?;
    tx.execute(q!(
        "insert into consent (id, person_id, purpose, categories, form, guardian, valid_from,
                              valid_to, recorded_by, recorded_by_organisation, recorded_at,
                              withdrawn_at, withdrawn_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        c.id,
        c.person_id,
        &c.purpose,
        Category::join(&c.categories),
        c.form.code(),
        c.guardian.clone(),
        c.valid_from,
        c.valid_to,
        c.recorded_by,
        c.recorded_by_organisation,
        c.recorded_at,
        c.withdrawn_at,
        c.withdrawn_by
    ))
    .await?;
    for (dir, orgs) in [("share", &c.sharing), ("receive", &c.receiving)] {
        for o in orgs {
            tx.execute(q!(
                "insert into consent_organisation (consent_id, organisation_id, direction)
                 values ($1, $2, $3)",
                c.id,
                *o,
                dir
            ))
            .await?;
        }
    }
    Ok(())
}

/// Withdraws a consent at `at`. Needs an `Update` grant for the person. Returns false if the
/// consent is not the person's or was withdrawn already.
pub async fn withdraw_consent(
    tx: &mut Tx,
    grant: &Grant,
    person: PersonId,
    id: ConsentId,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    check(grant, Action::Update, Some(person))?;
    let n = tx
        .execute(q!(
            "update consent set withdrawn_at = $1, withdrawn_by = $2
             where id = $3 and person_id = $4 and withdrawn_at is null",
            at,
            grant.user(),
            id,
            person
        ))
        .await?;
    Ok(n == 1)
}

/// Records a block. Needs a `Create` grant for the person.
pub async fn insert_block(tx: &mut Tx, grant: &Grant, b: &Block) -> Result<(), StoreError> {
    check(grant, Action::Create, Some(b.person_id))?;
    let (unit, org, cat) = match b.scope {
        BlockScope::Unit(u) => (Some(u), None, None),
        BlockScope::Organisation(o) => (None, Some(o), None),
        BlockScope::Category(c) => (None, None, Some(c.code())),
    };
    tx.execute(q!(
        "insert into person_block (id, person_id, scope, unit_id, organisation_id, category,
                                   from_date, to_date, recorded_by, recorded_by_organisation, recorded_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        b.id,
        b.person_id,
        b.scope.kind(),
        unit,
        org,
        cat,
        b.from,
        b.to,
        b.recorded_by,
        b.recorded_by_organisation,
        b.recorded_at
    ))
    .await?;
    Ok(())
}

/// Lifts a block at `at`. Needs an `Update` grant for the person; only the organisation that
/// recorded the block may lift it. Returns false if no such block is in force.
pub async fn lift_block(
    tx: &mut Tx,
    grant: &Grant,
    person: PersonId,
    id: BlockId,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    check(grant, Action::Update, Some(person))?;
    let n = tx
        .execute(q!(
            "update person_block set lifted_at = $1, lifted_by = $2
             where id = $3 and person_id = $4 and lifted_at is null and recorded_by_organisation = $5",
            at,
            grant.user(),
            id,
            person,
            grant.organisation()
        ))
        .await?;
    Ok(n == 1)
}

/// Starts an emergency access. Needs an `EmergencyAccess` grant for the person.
pub async fn insert_emergency(
    tx: &mut Tx,
    grant: &Grant,
    e: &EmergencyAccess,
) -> Result<(), StoreError> {
    check(grant, Action::EmergencyAccess, Some(e.person_id))?;
    tx.execute(q!(
        "insert into emergency_access (id, person_id, user_id, organisation_id, unit_id, reason,
                                       started_at, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        e.id,
        e.person_id,
        e.user_id,
        e.organisation_id,
        e.unit_id,
        &e.reason,
        e.started_at,
        e.expires_at
    ))
    .await?;
    Ok(())
}

/// An emergency access as the review queue shows it.
#[derive(Clone, Debug)]
pub struct EmergencyReview {
    pub access: EmergencyAccess,
    pub user_name: String,
    pub organisation_name: String,
    pub reviewer_name: Option<String>,
    /// The person's national identity number: the auditor's way into the log about them.
    pub national_id: String,
}

/// Emergency accesses awaiting review (oldest first), or reviewed ones (newest first). Needs a
/// `Review` grant; the caller logs each person shown.
pub async fn emergency_reviews(
    tx: &mut Tx,
    grant: &Grant,
    reviewed: bool,
    limit: i64,
) -> Result<Vec<EmergencyReview>, StoreError> {
    check(grant, Action::Review, None)?;
    #[derive(sqlx::FromRow)]
    struct Found {
        #[sqlx(flatten)]
        e: EmergencyRow,
        user_name: String,
        organisation_name: String,
        reviewer_name: Option<String>,
        national_id: String,
    }
    let cond = if reviewed {
        "e.reviewed_at is not null order by e.reviewed_at desc, e.id desc"
    } else {
        "e.reviewed_at is null order by e.started_at, e.id"
    };
    let rows: Vec<Found> = tx
        .fetch_all(Query {
            sql: format!(
                "select {EMERGENCY_COLUMNS}, u.display_name as user_name, o.name as organisation_name,
                        r.display_name as reviewer_name, p.national_id
                 from emergency_access e
                 join person p on p.id = e.person_id
                 join app_user u on u.id = e.user_id
                 join organisation o on o.id = e.organisation_id
                 left join app_user r on r.id = e.reviewed_by
                 where {cond} limit $1"
            )
            .into(),
            args: vec![Value::from(limit)],
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| EmergencyReview {
            access: r.e.into(),
            user_name: r.user_name,
            organisation_name: r.organisation_name,
            reviewer_name: r.reviewer_name,
            national_id: r.national_id,
        })
        .collect())
}

/// Marks an emergency access reviewed. Needs a `Review` grant. Returns `None` if it is unknown,
/// reviewed already, or the reviewer's own (nobody reviews their own emergency access).
pub async fn review_emergency(
    tx: &mut Tx,
    grant: &Grant,
    id: EmergencyAccessId,
    at: DateTime<Utc>,
    comment: &str,
) -> Result<Option<PersonId>, StoreError> {
    check(grant, Action::Review, None)?;
    #[derive(sqlx::FromRow)]
    struct Found {
        person_id: Uuid,
    }
    let row: Option<Found> = tx
        .fetch_optional(q!(
            "update emergency_access set reviewed_at = $1, reviewed_by = $2, review_comment = $3
             where id = $4 and reviewed_at is null and user_id <> $2 returning person_id",
            at,
            grant.user(),
            comment,
            id
        ))
        .await?;
    Ok(row.map(|r| r.person_id.into()))
}

/// Puts a user (or a whole unit) on a person's team. Needs a `TeamAdmin` grant, or the `Create`
/// grant that registered the person when the place is the registrar's own (whoever registers a
/// person does so to work with them).
pub async fn insert_team_member(
    tx: &mut Tx,
    grant: &Grant,
    t: &TeamMember,
) -> Result<(), StoreError> {
    let registrar = grant.action() == Action::Create
        && grant.person().is_none()
        && t.user_id == Some(grant.user())
        && t.unit_id == grant.unit();
    // Opening a case puts its coordinator, of the opener's organisation, on the team; a case's
    // coordinator invites staff of any organisation.
    let case_opener = grant.covers(Action::OpenCase, Some(t.person_id))
        && t.organisation_id == grant.organisation();
    let case_team = grant.covers(Action::CaseTeam, Some(t.person_id));
    if !registrar && !case_opener && !case_team {
        check(grant, Action::TeamAdmin, Some(t.person_id))?;
    }
    tx.execute(q!(
        "insert into team_member (id, person_id, user_id, unit_id, organisation_id, starts_on,
                                  added_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        t.id,
        t.person_id,
        t.user_id,
        t.unit_id,
        t.organisation_id,
        t.starts_on,
        t.added_by,
        t.created_at
    ))
    .await?;
    Ok(())
}

/// Ends a place on a team at `at`. Needs a `TeamAdmin` grant; only places in the grant's
/// organisation. Returns the person whose team it was, or `None` if no such active place.
pub async fn end_team_member(
    tx: &mut Tx,
    grant: &Grant,
    id: TeamMemberId,
    at: DateTime<Utc>,
) -> Result<Option<PersonId>, StoreError> {
    if grant.action() != Action::TeamAdmin {
        return Err(StoreError::GrantMismatch);
    }
    #[derive(sqlx::FromRow)]
    struct Found {
        person_id: Uuid,
    }
    let row: Option<Found> = tx
        .fetch_optional(q!(
            "update team_member set ended_at = $1, ended_by = $2
             where id = $3 and ended_at is null and organisation_id = $4 returning person_id",
            at,
            grant.user(),
            id,
            grant.organisation()
        ))
        .await?;
    Ok(row.map(|r| r.person_id.into()))
}

/// Ends a place on `person`'s team, of any organisation, at `at`: a case's coordinator taking
/// someone off the team. Needs a `CaseTeam` grant for the person. Returns whether an active
/// place was ended.
pub async fn end_case_team_member(
    tx: &mut Tx,
    grant: &Grant,
    person: PersonId,
    id: TeamMemberId,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    check(grant, Action::CaseTeam, Some(person))?;
    let n = tx
        .execute(q!(
            "update team_member set ended_at = $1, ended_by = $2
             where id = $3 and person_id = $4 and ended_at is null",
            at,
            grant.user(),
            id,
            person
        ))
        .await?;
    Ok(n == 1)
}

/// Staff of these organisations who work with persons, in active units, for inviting to a
/// case's team: (user, name, unit, unit name, organisation name).
pub async fn staff_of_organisations(
    tx: &mut Tx,
    organisations: &[OrganisationId],
) -> Result<Vec<(UserId, String, samverka_core::UnitId, String, String)>, StoreError> {
    if organisations.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(sqlx::FromRow)]
    struct Found {
        user_id: Uuid,
        display_name: String,
        unit_id: Uuid,
        unit_name: String,
        organisation_name: String,
    }
    let list: Vec<String> = (1..=organisations.len()).map(|i| format!("${i}")).collect();
    let rows: Vec<Found> = tx
        .fetch_all(Query {
            sql: format!(
                "select distinct m.user_id, u.display_name, m.unit_id, n.name as unit_name,
                        o.name as organisation_name
                 from membership m
                 join app_user u on u.id = m.user_id
                 join unit n on n.id = m.unit_id
                 join organisation o on o.id = n.organisation_id
                 where n.organisation_id in ({}) and n.active and u.active
                   and m.role in ('coordinator', 'professional')
                 order by o.name, n.name, u.display_name",
                list.join(", ")
            )
            .into(),
            args: organisations.iter().map(|o| (*o).into()).collect(),
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.user_id.into(),
                r.display_name,
                r.unit_id.into(),
                r.unit_name,
                r.organisation_name,
            )
        })
        .collect())
}

/// A team place as the administrators' page shows it, with the person's identity only.
#[derive(Clone, Debug)]
pub struct TeamPlace {
    pub member: TeamMember,
    pub person_name: String,
    pub national_id: String,
    pub user_name: Option<String>,
    pub unit_name: String,
}

/// Active team places of one organisation's users and units, newest first. Needs a `TeamAdmin`
/// grant; the caller logs each person shown.
pub async fn team_places(
    tx: &mut Tx,
    grant: &Grant,
    limit: i64,
) -> Result<Vec<TeamPlace>, StoreError> {
    if grant.action() != Action::TeamAdmin {
        return Err(StoreError::GrantMismatch);
    }
    #[derive(sqlx::FromRow)]
    struct Found {
        #[sqlx(flatten)]
        t: TeamRow,
        given_name: String,
        family_name: String,
        national_id: String,
        user_name: Option<String>,
        unit_name: String,
    }
    let rows: Vec<Found> = tx
        .fetch_all(Query {
            sql: format!(
                "select {TEAM_COLUMNS}, p.given_name, p.family_name, p.national_id,
                        u.display_name as user_name, n.name as unit_name
                 from team_member t
                 join person p on p.id = t.person_id
                 join unit n on n.id = t.unit_id
                 left join app_user u on u.id = t.user_id
                 where t.organisation_id = $1 and t.ended_at is null
                 order by t.created_at desc, t.id desc limit $2"
            )
            .into(),
            args: vec![grant.organisation().into(), Value::from(limit)],
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| TeamPlace {
            member: r.t.into(),
            person_name: format!("{} {}", r.given_name, r.family_name),
            national_id: r.national_id,
            user_name: r.user_name,
            unit_name: r.unit_name,
        })
        .collect())
}

/// A person's team with names, for their record and case. Needs a `Read`, `Update` or `CaseTeam`
/// grant for the person.
pub async fn team_of(
    tx: &mut Tx,
    grant: &Grant,
    person: PersonId,
) -> Result<Vec<(TeamMember, Option<String>, String, String)>, StoreError> {
    if ![Action::Read, Action::Update, Action::CaseTeam]
        .into_iter()
        .any(|a| grant.covers(a, Some(person)))
    {
        return Err(StoreError::GrantMismatch);
    }
    #[derive(sqlx::FromRow)]
    struct Found {
        #[sqlx(flatten)]
        t: TeamRow,
        user_name: Option<String>,
        unit_name: String,
        organisation_name: String,
    }
    let rows: Vec<Found> = tx
        .fetch_all(Query {
            sql: format!(
                "select {TEAM_COLUMNS}, u.display_name as user_name, n.name as unit_name,
                        o.name as organisation_name
                 from team_member t
                 join unit n on n.id = t.unit_id
                 join organisation o on o.id = t.organisation_id
                 left join app_user u on u.id = t.user_id
                 where t.person_id = $1 and t.ended_at is null
                 order by o.name, n.name, u.display_name"
            )
            .into(),
            args: vec![person.into()],
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.t.into(), r.user_name, r.unit_name, r.organisation_name))
        .collect())
}

/// Users working with persons (coordinators, professionals) in one organisation's active units,
/// for choosing team members: (user, name, unit, unit name).
pub async fn organisation_staff(
    tx: &mut Tx,
    organisation: OrganisationId,
) -> Result<Vec<(UserId, String, samverka_core::UnitId, String)>, StoreError> {
    staff_in_roles(tx, organisation, "'coordinator', 'professional'").await
}

/// [`organisation_staff`] limited to coordinators: who may coordinate a case.
pub async fn organisation_coordinators(
    tx: &mut Tx,
    organisation: OrganisationId,
) -> Result<Vec<(UserId, String, samverka_core::UnitId, String)>, StoreError> {
    staff_in_roles(tx, organisation, "'coordinator'").await
}

async fn staff_in_roles(
    tx: &mut Tx,
    organisation: OrganisationId,
    roles: &'static str,
) -> Result<Vec<(UserId, String, samverka_core::UnitId, String)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Found {
        user_id: Uuid,
        display_name: String,
        unit_id: Uuid,
        unit_name: String,
    }
    let rows: Vec<Found> = tx
        .fetch_all(Query {
            sql: format!(
                "select distinct m.user_id, u.display_name, m.unit_id, n.name as unit_name
                 from membership m
                 join app_user u on u.id = m.user_id
                 join unit n on n.id = m.unit_id
                 where n.organisation_id = $1 and n.active and u.active
                   and m.role in ({roles})
                 order by u.display_name, n.name"
            )
            .into(),
            args: vec![organisation.into()],
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.user_id.into(),
                r.display_name,
                r.unit_id.into(),
                r.unit_name,
            )
        })
        .collect())
}
