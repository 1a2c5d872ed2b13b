//! Tasks of a case and their steps (`core::task`). Reading a case's tasks needs a `Read` grant
//! for its person, requesting and stepping an `Update` grant; the lists need a `Cases` grant.

use crate::db::Tx;
use crate::person::check;
use crate::{Query, StoreError, Value, parse_code, q};
use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::policy::{Action, Grant};
use samverka_core::task::TaskStatus;
use samverka_core::{CaseId, OrganisationId, PersonId, TaskId, UserId};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub id: TaskId,
    pub case_id: CaseId,
    pub requested_by: UserId,
    pub requesting_organisation: OrganisationId,
    pub receiving_organisation: OrganisationId,
    pub receiving_user: Option<UserId>,
    pub what: String,
    pub due_on: NaiveDate,
    pub status: TaskStatus,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// A task with the names a page shows.
#[derive(Clone, Debug)]
pub struct TaskView {
    pub task: Task,
    pub person_id: PersonId,
    pub person_name: String,
    pub requested_by_name: String,
    pub requesting_name: String,
    pub receiving_name: String,
    pub receiving_user_name: Option<String>,
    /// When each step was taken: (status reached, at, by whom).
    pub steps: Vec<(TaskStatus, DateTime<Utc>, String)>,
}

const TASK_SELECT: &str = "select t.id, t.case_id, t.requested_by, t.requesting_organisation,
        t.receiving_organisation, t.receiving_user, t.what, t.due_on, t.status, t.reason,
        t.created_at, t.version, c.person_id, pe.given_name, pe.family_name,
        u.display_name as requested_by_name, ro.name as requesting_name,
        rv.name as receiving_name, ru.display_name as receiving_user_name
     from case_task t
     join person_case c on c.id = t.case_id
     join person pe on pe.id = c.person_id
     join app_user u on u.id = t.requested_by
     join organisation ro on ro.id = t.requesting_organisation
     join organisation rv on rv.id = t.receiving_organisation
     left join app_user ru on ru.id = t.receiving_user";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    case_id: Uuid,
    requested_by: Uuid,
    requesting_organisation: Uuid,
    receiving_organisation: Uuid,
    receiving_user: Option<Uuid>,
    what: String,
    due_on: NaiveDate,
    status: String,
    reason: Option<String>,
    created_at: DateTime<Utc>,
    version: i64,
    person_id: Uuid,
    given_name: String,
    family_name: String,
    requested_by_name: String,
    requesting_name: String,
    receiving_name: String,
    receiving_user_name: Option<String>,
}

async fn views(tx: &mut Tx, rows: Vec<Row>) -> Result<Vec<TaskView>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Step {
        task_id: Uuid,
        to_status: String,
        at: DateTime<Utc>,
        user_name: String,
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Every task's steps in one query, not one per task.
    let params: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
    let steps: Vec<Step> = tx
        .fetch_all(Query {
            sql: format!(
                "select e.task_id, e.to_status, e.at, u.display_name as user_name
                 from task_event e join app_user u on u.id = e.by_user
                 where e.task_id in ({}) order by e.at, e.id",
                params.join(", ")
            )
            .into(),
            args: rows.iter().map(|r| Value::from(r.id)).collect(),
        })
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(TaskView {
            steps: steps
                .iter()
                .filter(|s| s.task_id == r.id)
                .map(|s| {
                    Ok((
                        parse_code("task status", &s.to_status)?,
                        s.at,
                        s.user_name.clone(),
                    ))
                })
                .collect::<Result<_, StoreError>>()?,
            person_id: r.person_id.into(),
            person_name: format!("{} {}", r.given_name, r.family_name),
            requested_by_name: r.requested_by_name,
            requesting_name: r.requesting_name,
            receiving_name: r.receiving_name,
            receiving_user_name: r.receiving_user_name,
            task: Task {
                id: r.id.into(),
                case_id: r.case_id.into(),
                requested_by: r.requested_by.into(),
                requesting_organisation: r.requesting_organisation.into(),
                receiving_organisation: r.receiving_organisation.into(),
                receiving_user: r.receiving_user.map(Into::into),
                what: r.what,
                due_on: r.due_on,
                status: parse_code("task status", &r.status)?,
                reason: r.reason,
                created_at: r.created_at,
                version: r.version,
            },
        });
    }
    Ok(out)
}

/// The tasks of a case, oldest first. Needs a `Read` (or `Update`) grant for its person.
pub async fn of_case(
    tx: &mut Tx,
    grant: &Grant,
    case: CaseId,
) -> Result<Vec<TaskView>, StoreError> {
    let person = grant.person().ok_or(StoreError::GrantMismatch)?;
    if check(grant, Action::Read, Some(person)).is_err() {
        check(grant, Action::Update, Some(person))?;
    }
    let rows: Vec<Row> = tx
        .fetch_all(Query {
            sql: format!("{TASK_SELECT} where t.case_id = $1 and c.person_id = $2 order by t.created_at, t.id").into(),
            args: vec![case.into(), person.into()],
        })
        .await?;
    views(tx, rows).await
}

/// The person a task's case is about, and the task's case. Ids only.
pub async fn case_of(tx: &mut Tx, id: TaskId) -> Result<Option<(CaseId, PersonId)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Found {
        case_id: Uuid,
        person_id: Uuid,
    }
    let row: Option<Found> = tx
        .fetch_optional(q!(
            "select t.case_id, c.person_id from case_task t join person_case c on c.id = t.case_id
             where t.id = $1",
            id
        ))
        .await?;
    Ok(row.map(|r| (r.case_id.into(), r.person_id.into())))
}

async fn insert_event(
    tx: &mut Tx,
    grant: &Grant,
    task: TaskId,
    from: Option<TaskStatus>,
    to: TaskStatus,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into task_event (id, task_id, at, by_user, by_organisation, from_status, to_status,
                                 reason)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        Uuid::now_v7(),
        task,
        at,
        grant.user(),
        grant.organisation(),
        from.map(|s| s.code().to_owned()),
        to.code(),
        reason.map(str::to_owned)
    ))
    .await?;
    Ok(())
}

/// Requests a task from the grant's organisation. Needs an `Update` grant for the case's person.
pub async fn insert(tx: &mut Tx, grant: &Grant, t: &Task) -> Result<(), StoreError> {
    let person = grant.person().ok_or(StoreError::GrantMismatch)?;
    check(grant, Action::Update, Some(person))?;
    if t.requesting_organisation != grant.organisation() || t.requested_by != grant.user() {
        return Err(StoreError::GrantMismatch);
    }
    crate::case::same_person(grant, crate::case::person_of(tx, t.case_id).await?)?;
    tx.execute(q!(
        "insert into case_task (id, case_id, requested_by, requesting_organisation,
                                receiving_organisation, receiving_user, what, due_on, status,
                                created_at, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
        t.id,
        t.case_id,
        t.requested_by,
        t.requesting_organisation,
        t.receiving_organisation,
        t.receiving_user,
        &t.what,
        t.due_on,
        t.status.code(),
        t.created_at
    ))
    .await?;
    insert_event(tx, grant, t.id, None, t.status, None, t.created_at).await
}

/// Takes a step, provided the task is still at `version`; records it. False if the task changed
/// meanwhile. Needs an `Update` grant for the case's person; the caller has checked the step.
#[allow(clippy::too_many_arguments)]
pub async fn step(
    tx: &mut Tx,
    grant: &Grant,
    id: TaskId,
    version: i64,
    from: TaskStatus,
    to: TaskStatus,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let person = grant.person().ok_or(StoreError::GrantMismatch)?;
    check(grant, Action::Update, Some(person))?;
    crate::case::same_person(grant, case_of(tx, id).await?.map(|(_, p)| p))?;
    let n = tx
        .execute(q!(
            "update case_task set status = $1, reason = coalesce($2, reason), version = version + 1
             where id = $3 and version = $4 and status = $5",
            to.code(),
            reason.map(str::to_owned),
            id,
            version,
            from.code()
        ))
        .await?;
    if n != 1 {
        return Ok(false);
    }
    insert_event(tx, grant, id, Some(from), to, reason, at).await?;
    Ok(true)
}

/// Which tasks a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskScope {
    /// Asked of the reader, or requested by them.
    Mine,
    /// Asked of the reader's organisation, or requested by it.
    Organisation,
}

/// Open tasks (or every task, with `all`) for the lists, earliest due first, at most `limit`,
/// only about persons whose team has the reader (or their unit). Needs a `Cases` grant; the
/// caller logs each person shown.
pub async fn list(
    tx: &mut Tx,
    grant: &Grant,
    scope: TaskScope,
    all: bool,
    limit: i64,
) -> Result<Vec<TaskView>, StoreError> {
    check(grant, Action::Cases, None)?;
    let mut args: Vec<Value> = vec![grant.user().into(), grant.organisation().into()];
    let on_team = crate::person::on_team(grant, "c.person_id", &mut args);
    let mine = match scope {
        TaskScope::Mine => {
            "(t.receiving_user = $1 or t.requested_by = $1
                             or (t.receiving_user is null and t.receiving_organisation = $2))"
        }
        TaskScope::Organisation => {
            "(t.receiving_organisation = $2 or t.requesting_organisation = $2)"
        }
    };
    let open = if all {
        ""
    } else {
        " and t.status in ('requested', 'accepted', 'in_progress')"
    };
    args.push(limit.into());
    let rows: Vec<Row> = tx
        .fetch_all(Query {
            sql: format!(
                "{TASK_SELECT}
                 where {mine}{open} and {on_team}
                 order by t.due_on, t.created_at limit ${}",
                args.len()
            )
            .into(),
            args,
        })
        .await?;
    views(tx, rows).await
}
