//! The access log: one append-only row per access to person data, allowed or denied.

use crate::db::Tx;
use crate::{StoreError, q};
use chrono::{DateTime, Utc};
use samverka_core::{AccessLogId, OrganisationId, PersonId, UserId};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: AccessLogId,
    pub at: DateTime<Utc>,
    pub user_id: Option<UserId>,
    pub organisation_id: Option<OrganisationId>,
    pub role: Option<String>,
    /// `samverka_core::policy::Action` code.
    pub action: String,
    pub person_id: Option<PersonId>,
    /// What was touched, e.g. "person", "person_search".
    pub what: String,
    pub purpose: Option<String>,
    /// "allowed" or "denied:<reason>".
    pub outcome: String,
}

pub async fn append(tx: &mut Tx, e: &Entry) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into access_log (id, at, user_id, organisation_id, role, action, person_id, what, purpose, outcome)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        e.id,
        e.at,
        e.user_id,
        e.organisation_id,
        e.role.clone(),
        &e.action,
        e.person_id,
        &e.what,
        e.purpose.clone(),
        &e.outcome
    ))
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: Uuid,
    at: DateTime<Utc>,
    user_id: Option<Uuid>,
    organisation_id: Option<Uuid>,
    role: Option<String>,
    action: String,
    person_id: Option<Uuid>,
    what: String,
    purpose: Option<String>,
    outcome: String,
}

/// Entries about one person, newest first.
pub async fn for_person(
    tx: &mut Tx,
    person: PersonId,
    limit: i64,
) -> Result<Vec<Entry>, StoreError> {
    let rows: Vec<EntryRow> = tx
        .fetch_all(q!(
            "select id, at, user_id, organisation_id, role, action, person_id, what, purpose, outcome
             from access_log where person_id = $1 order by at desc, id desc limit $2",
            person,
            limit
        ))
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// The newest entries, newest first.
pub async fn latest(tx: &mut Tx, limit: i64) -> Result<Vec<Entry>, StoreError> {
    let rows: Vec<EntryRow> = tx
        .fetch_all(q!(
            "select id, at, user_id, organisation_id, role, action, person_id, what, purpose, outcome
             from access_log order by at desc, id desc limit $1",
            limit
        ))
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

fn from_row(r: EntryRow) -> Entry {
    Entry {
        id: r.id.into(),
        at: r.at,
        user_id: r.user_id.map(Into::into),
        organisation_id: r.organisation_id.map(Into::into),
        role: r.role,
        action: r.action,
        person_id: r.person_id.map(Into::into),
        what: r.what,
        purpose: r.purpose,
        outcome: r.outcome,
    }
}
