//! Cases and their status history (`core::case`). A case belongs to its coordinator's
//! organisation; reading one needs a grant on its person, changing one an `Update` grant from
//! that organisation, listing a `Cases` grant.

use crate::db::Tx;
use crate::person::check;
use crate::{Query, StoreError, Value, parse_code, q};
use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::case::{CaseOutcome, CaseStatus, IncomeSource};
use samverka_core::policy::{Action, Grant};
use samverka_core::{CaseEventId, CaseId, OrganisationId, PersonId, ProgrammeId, UnitId, UserId};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub person_id: PersonId,
    pub programme_id: ProgrammeId,
    pub organisation_id: OrganisationId,
    pub unit_id: UnitId,
    pub coordinator_id: UserId,
    pub target_group: String,
    pub status: CaseStatus,
    /// The worklist item it was opened from: (rule, key day), an item of `organisation_id`.
    pub flag: Option<(String, NaiveDate)>,
    pub first_contact_on: Option<NaiveDate>,
    pub outcome: Option<CaseOutcome>,
    pub income: Option<IncomeSource>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: UserId,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// One dated status change (the first is the opening, from no status).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseEvent {
    pub id: CaseEventId,
    pub case_id: CaseId,
    pub at: DateTime<Utc>,
    pub by_user: UserId,
    pub by_organisation: OrganisationId,
    pub from: Option<CaseStatus>,
    pub to: CaseStatus,
    pub outcome: Option<CaseOutcome>,
    pub income: Option<IncomeSource>,
}

/// A case with the names a page shows.
#[derive(Clone, Debug)]
pub struct CaseView {
    pub case: Case,
    pub programme_name: String,
    pub organisation_name: String,
    pub unit_name: String,
    pub coordinator_name: String,
}

/// An event with who made it.
#[derive(Clone, Debug)]
pub struct EventView {
    pub event: CaseEvent,
    pub user_name: String,
    pub organisation_name: String,
}

const CASE_COLUMNS: &str = "c.id, c.person_id, c.programme_id, c.organisation_id, c.unit_id, \
     c.coordinator_id, c.target_group, c.status, c.flag_rule_id, c.flag_key_on, \
     c.first_contact_on, c.outcome, c.income_source, c.opened_at, c.opened_by, c.closed_at, \
     c.version";

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: Uuid,
    person_id: Uuid,
    programme_id: Uuid,
    organisation_id: Uuid,
    unit_id: Uuid,
    coordinator_id: Uuid,
    target_group: String,
    status: String,
    flag_rule_id: Option<String>,
    flag_key_on: Option<NaiveDate>,
    first_contact_on: Option<NaiveDate>,
    outcome: Option<String>,
    income_source: Option<String>,
    opened_at: DateTime<Utc>,
    opened_by: Uuid,
    closed_at: Option<DateTime<Utc>>,
    version: i64,
}

fn optional_code<T: std::str::FromStr>(
    what: &str,
    s: &Option<String>,
) -> Result<Option<T>, StoreError> {
    s.as_deref().map(|s| parse_code(what, s)).transpose()
}

impl TryFrom<CaseRow> for Case {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> Result<Case, StoreError> {
        Ok(Case {
            id: r.id.into(),
            person_id: r.person_id.into(),
            programme_id: r.programme_id.into(),
            organisation_id: r.organisation_id.into(),
            unit_id: r.unit_id.into(),
            coordinator_id: r.coordinator_id.into(),
            target_group: r.target_group,
            status: parse_code("case status", &r.status)?,
            flag: r.flag_rule_id.zip(r.flag_key_on),
            first_contact_on: r.first_contact_on,
            outcome: optional_code("case outcome", &r.outcome)?,
            income: optional_code("income source", &r.income_source)?,
            opened_at: r.opened_at,
            opened_by: r.opened_by.into(),
            closed_at: r.closed_at,
            version: r.version,
        })
    }
}

/// Opens a case with its first event. Needs the `OpenCase` grant for the person, from the
/// case's organisation. A second open case of the person in the same programme is refused with
/// [`StoreError::Conflict`].
pub async fn insert(tx: &mut Tx, grant: &Grant, c: &Case) -> Result<(), StoreError> {
    check(grant, Action::OpenCase, Some(c.person_id))?;
    if c.organisation_id != grant.organisation() {
        return Err(StoreError::GrantMismatch);
    }
    tx.execute(q!(
        "insert into person_case (id, person_id, programme_id, organisation_id, unit_id,
                                  coordinator_id, target_group, status, flag_rule_id, flag_key_on,
                                  first_contact_on, opened_at, opened_by, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1)",
        c.id,
        c.person_id,
        c.programme_id,
        c.organisation_id,
        c.unit_id,
        c.coordinator_id,
        &c.target_group,
        c.status.code(),
        c.flag.as_ref().map(|f| f.0.clone()),
        c.flag.as_ref().map(|f| f.1),
        c.first_contact_on,
        c.opened_at,
        c.opened_by
    ))
    .await?;
    insert_event(
        tx,
        &CaseEvent {
            id: CaseEventId::new(),
            case_id: c.id,
            at: c.opened_at,
            by_user: grant.user(),
            by_organisation: grant.organisation(),
            from: None,
            to: c.status,
            outcome: None,
            income: None,
        },
    )
    .await
}

async fn insert_event(tx: &mut Tx, e: &CaseEvent) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into case_event (id, case_id, at, by_user, by_organisation, from_status,
                                 to_status, outcome, income_source)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        e.id,
        e.case_id,
        e.at,
        e.by_user,
        e.by_organisation,
        e.from.map(|s| s.code().to_owned()),
        e.to.code(),
        e.outcome.map(|o| o.code().to_owned()),
        e.income.map(|i| i.code().to_owned())
    ))
    .await?;
    Ok(())
}

/// The person a case is about. Ids only: the caller asks the policy with it.
pub async fn person_of(tx: &mut Tx, id: CaseId) -> Result<Option<PersonId>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Found {
        person_id: Uuid,
    }
    let row: Option<Found> = tx
        .fetch_optional(q!("select person_id from person_case where id = $1", id))
        .await?;
    Ok(row.map(|r| r.person_id.into()))
}

/// Refuses a write about a record of a case (`person`: the case's person, None if there is no
/// such record) that is not about the grant's person. The policy decided for that person; this
/// holds the row written to the same person beneath the use cases' own checks.
pub(crate) fn same_person(grant: &Grant, person: Option<PersonId>) -> Result<(), StoreError> {
    match person {
        None => Err(StoreError::NotFound),
        Some(p) if Some(p) == grant.person() => Ok(()),
        Some(_) => Err(StoreError::GrantMismatch),
    }
}

/// One case with its names. Needs a `Read`, `Update` or `CaseTeam` grant for its person.
pub async fn get(tx: &mut Tx, grant: &Grant, id: CaseId) -> Result<CaseView, StoreError> {
    let person = grant.person().ok_or(StoreError::GrantMismatch)?;
    if ![Action::Read, Action::Update, Action::CaseTeam]
        .into_iter()
        .any(|a| grant.covers(a, Some(person)))
    {
        return Err(StoreError::GrantMismatch);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        case: CaseRow,
        programme_name: String,
        organisation_name: String,
        unit_name: String,
        coordinator_name: String,
    }
    let row: Option<Row> = tx
        .fetch_optional(Query {
            sql: format!(
                "select {CASE_COLUMNS}, p.name as programme_name, o.name as organisation_name,
                        un.name as unit_name, u.display_name as coordinator_name
                 from person_case c
                 join programme p on p.id = c.programme_id
                 join organisation o on o.id = c.organisation_id
                 join unit un on un.id = c.unit_id
                 join app_user u on u.id = c.coordinator_id
                 where c.id = $1 and c.person_id = $2"
            )
            .into(),
            args: vec![id.into(), person.into()],
        })
        .await?;
    let row = row.ok_or(StoreError::NotFound)?;
    Ok(CaseView {
        case: row.case.try_into()?,
        programme_name: row.programme_name,
        organisation_name: row.organisation_name,
        unit_name: row.unit_name,
        coordinator_name: row.coordinator_name,
    })
}

/// The case's status history, oldest first. Needs a `Read` grant for its person.
pub async fn events(tx: &mut Tx, grant: &Grant, id: CaseId) -> Result<Vec<EventView>, StoreError> {
    let person = grant.person().ok_or(StoreError::GrantMismatch)?;
    check(grant, Action::Read, Some(person))?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        case_id: Uuid,
        at: DateTime<Utc>,
        by_user: Uuid,
        by_organisation: Uuid,
        from_status: Option<String>,
        to_status: String,
        outcome: Option<String>,
        income_source: Option<String>,
        user_name: String,
        organisation_name: String,
    }
    let rows: Vec<Row> = tx
        .fetch_all(q!(
            "select e.id, e.case_id, e.at, e.by_user, e.by_organisation, e.from_status,
                    e.to_status, e.outcome, e.income_source, u.display_name as user_name,
                    o.name as organisation_name
             from case_event e
             join person_case c on c.id = e.case_id
             join app_user u on u.id = e.by_user
             join organisation o on o.id = e.by_organisation
             where e.case_id = $1 and c.person_id = $2
             order by e.at, e.id",
            id,
            person
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(EventView {
                event: CaseEvent {
                    id: r.id.into(),
                    case_id: r.case_id.into(),
                    at: r.at,
                    by_user: r.by_user.into(),
                    by_organisation: r.by_organisation.into(),
                    from: optional_code("case status", &r.from_status)?,
                    to: parse_code("case status", &r.to_status)?,
                    outcome: optional_code("case outcome", &r.outcome)?,
                    income: optional_code("income source", &r.income_source)?,
                },
                user_name: r.user_name,
                organisation_name: r.organisation_name,
            })
        })
        .collect()
}

/// Changes the status of a case of the grant's organisation, provided it is still at
/// `version` (the page the change was made on was current); records the event. Returns false,
/// changing nothing, if the case changed meanwhile. Needs an `Update` grant for its person.
pub async fn change_status(
    tx: &mut Tx,
    grant: &Grant,
    id: CaseId,
    version: i64,
    e: &CaseEvent,
) -> Result<bool, StoreError> {
    let person = grant.person().ok_or(StoreError::GrantMismatch)?;
    check(grant, Action::Update, Some(person))?;
    if e.case_id != id || e.by_organisation != grant.organisation() || e.by_user != grant.user() {
        return Err(StoreError::GrantMismatch);
    }
    let closed_at = (e.to == CaseStatus::Closed).then_some(e.at);
    let changed = tx
        .execute(q!(
            "update person_case set status = $1, outcome = $2, income_source = $3,
                    closed_at = $4, version = version + 1
             where id = $5 and person_id = $6 and organisation_id = $7 and version = $8",
            e.to.code(),
            e.outcome.map(|o| o.code().to_owned()),
            e.income.map(|i| i.code().to_owned()),
            closed_at,
            id,
            person,
            grant.organisation(),
            version
        ))
        .await?;
    if changed != 1 {
        return Ok(false);
    }
    insert_event(tx, e).await?;
    Ok(true)
}

/// Which cases a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Those the reader coordinates or whose person's team they (or their unit) are on.
    #[default]
    Mine,
    /// Every case of the reader's organisation.
    Organisation,
}

/// What the case list is filtered by.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub scope: Scope,
    /// `None`: every open case.
    pub status: Option<CaseStatus>,
    pub programme: Option<ProgrammeId>,
}

/// One line of the case list, with the person's identity.
#[derive(Clone, Debug)]
pub struct ListRow {
    pub case: Case,
    pub person_name: String,
    pub national_id: String,
    pub programme_name: String,
    pub coordinator_name: String,
    pub organisation_name: String,
    /// Open tasks of the case past their due day.
    pub overdue_tasks: i64,
}

/// Cases for the list, newest first, at most `limit`. Needs a `Cases` grant; the caller logs
/// each person shown. Other organisations' cases appear only where the reader is on the team.
pub async fn list(
    tx: &mut Tx,
    grant: &Grant,
    filter: &ListFilter,
    limit: i64,
) -> Result<Vec<ListRow>, StoreError> {
    check(grant, Action::Cases, None)?;
    let mut args: Vec<Value> = vec![grant.user().into(), grant.today().into()];
    let on_team = crate::person::on_team(grant, "c.person_id", &mut args);
    let mut clauses = vec![match filter.scope {
        Scope::Mine => format!("(c.coordinator_id = $1 or {on_team})"),
        Scope::Organisation => {
            args.push(grant.organisation().into());
            format!("c.organisation_id = ${}", args.len())
        }
    }];
    match filter.status {
        Some(s) => {
            args.push(s.code().into());
            clauses.push(format!("c.status = ${}", args.len()));
        }
        None => clauses.push("c.status <> 'closed'".into()),
    }
    if let Some(p) = filter.programme {
        args.push(p.into());
        clauses.push(format!("c.programme_id = ${}", args.len()));
    }
    args.push(limit.into());
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        case: CaseRow,
        given_name: String,
        family_name: String,
        national_id: String,
        programme_name: String,
        coordinator_name: String,
        organisation_name: String,
        overdue_tasks: i64,
    }
    let rows: Vec<Row> = tx
        .fetch_all(Query {
            sql: format!(
                "select {CASE_COLUMNS}, pe.given_name, pe.family_name, pe.national_id,
                        p.name as programme_name, u.display_name as coordinator_name,
                        o.name as organisation_name,
                        (select count(*) from case_task t where t.case_id = c.id
                          and t.status in ('requested', 'accepted', 'in_progress')
                          and t.due_on < $2) as overdue_tasks
                 from person_case c
                 join person pe on pe.id = c.person_id
                 join programme p on p.id = c.programme_id
                 join app_user u on u.id = c.coordinator_id
                 join organisation o on o.id = c.organisation_id
                 where {}
                 order by c.opened_at desc, c.id desc limit ${}",
                clauses.join(" and "),
                args.len()
            )
            .into(),
            args,
        })
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ListRow {
                case: r.case.try_into()?,
                person_name: format!("{} {}", r.given_name, r.family_name),
                national_id: r.national_id,
                programme_name: r.programme_name,
                coordinator_name: r.coordinator_name,
                organisation_name: r.organisation_name,
                overdue_tasks: r.overdue_tasks,
            })
        })
        .collect()
}

/// A note or message on a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseNote {
    pub id: samverka_core::CaseNoteId,
    pub case_id: CaseId,
    pub author_id: UserId,
    pub organisation_id: OrganisationId,
    pub unit_id: UnitId,
    pub visibility: samverka_core::case::NoteVisibility,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A note with who wrote it where.
#[derive(Clone, Debug)]
pub struct NoteView {
    pub note: CaseNote,
    pub author_name: String,
    pub organisation_name: String,
}

/// Writes a note from the grant's unit and organisation. Needs an `Update` grant for the case's
/// person.
pub async fn insert_note(tx: &mut Tx, grant: &Grant, n: &CaseNote) -> Result<(), StoreError> {
    let person = grant.person().ok_or(StoreError::GrantMismatch)?;
    check(grant, Action::Update, Some(person))?;
    if n.author_id != grant.user()
        || n.organisation_id != grant.organisation()
        || n.unit_id != grant.unit()
    {
        return Err(StoreError::GrantMismatch);
    }
    same_person(grant, person_of(tx, n.case_id).await?)?;
    tx.execute(q!(
        "insert into case_note (id, case_id, author_id, organisation_id, unit_id, visibility,
                                body, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        n.id,
        n.case_id,
        n.author_id,
        n.organisation_id,
        n.unit_id,
        n.visibility.code(),
        &n.body,
        n.created_at
    ))
    .await?;
    Ok(())
}

/// The case's notes, newest first, unfiltered: the caller shows each only as its visibility and
/// the grant allow. Needs a `Read` grant for the case's person.
pub async fn notes(tx: &mut Tx, grant: &Grant, case: CaseId) -> Result<Vec<NoteView>, StoreError> {
    let person = grant.person().ok_or(StoreError::GrantMismatch)?;
    check(grant, Action::Read, Some(person))?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        case_id: Uuid,
        author_id: Uuid,
        organisation_id: Uuid,
        unit_id: Uuid,
        visibility: String,
        body: String,
        created_at: DateTime<Utc>,
        author_name: String,
        organisation_name: String,
    }
    let rows: Vec<Row> = tx
        .fetch_all(q!(
            "select n.id, n.case_id, n.author_id, n.organisation_id, n.unit_id, n.visibility,
                    n.body, n.created_at, u.display_name as author_name,
                    o.name as organisation_name
             from case_note n
             join person_case c on c.id = n.case_id
             join app_user u on u.id = n.author_id
             join organisation o on o.id = n.organisation_id
             where n.case_id = $1 and c.person_id = $2
             order by n.created_at desc, n.id desc",
            case,
            person
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(NoteView {
                note: CaseNote {
                    id: r.id.into(),
                    case_id: r.case_id.into(),
                    author_id: r.author_id.into(),
                    organisation_id: r.organisation_id.into(),
                    unit_id: r.unit_id.into(),
                    visibility: parse_code("note visibility", &r.visibility)?,
                    body: r.body,
                    created_at: r.created_at,
                },
                author_name: r.author_name,
                organisation_name: r.organisation_name,
            })
        })
        .collect()
}
