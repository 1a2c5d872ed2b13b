//! Searching the access log, for auditors and for a person's own access history. Reading the log
//! is itself an access (to who looked at whom), so every function demands an auditor's grant.

use crate::db::Tx;
use crate::{Query, StoreError, Value};
use chrono::{DateTime, Utc};
use samverka_core::policy::{Action, Grant};
use samverka_core::{AccessLogId, OrganisationId, PersonId, UnitId, UserId};
use uuid::Uuid;

/// What to search the log by; every given part must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub person: Option<PersonId>,
    pub user: Option<UserId>,
    pub organisation: Option<OrganisationId>,
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
    /// An action code (`policy::Action::code`).
    pub action: Option<String>,
    /// Only entries made under emergency access.
    pub emergency_only: bool,
}

/// One log entry with names, as an auditor or the person reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub id: AccessLogId,
    pub at: DateTime<Utc>,
    pub user_id: Option<UserId>,
    pub user_name: Option<String>,
    pub organisation_id: Option<OrganisationId>,
    pub organisation_name: Option<String>,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub person_id: Option<PersonId>,
    /// The person's national identity number (auditors need to know whom an entry is about).
    pub person_national_id: Option<String>,
    pub what: String,
    pub purpose: Option<String>,
    pub outcome: String,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: Uuid,
    at: DateTime<Utc>,
    user_id: Option<Uuid>,
    user_name: Option<String>,
    organisation_id: Option<Uuid>,
    organisation_name: Option<String>,
    unit_id: Option<Uuid>,
    unit_name: Option<String>,
    role: Option<String>,
    action: String,
    person_id: Option<Uuid>,
    person_national_id: Option<String>,
    what: String,
    purpose: Option<String>,
    outcome: String,
}

fn auditor(grant: &Grant) -> Result<(), StoreError> {
    if matches!(grant.action(), Action::AuditSearch | Action::Export) {
        Ok(())
    } else {
        Err(StoreError::GrantMismatch)
    }
}

/// Entries matching `filter`, newest first, at most `limit`. Needs an `AuditSearch` or
/// `Export` grant.
pub async fn search(
    tx: &mut Tx,
    grant: &Grant,
    filter: &LogFilter,
    limit: i64,
) -> Result<Vec<LogLine>, StoreError> {
    auditor(grant)?;
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut push = |cond: &str, v: Value| {
        args.push(v);
        conds.push(cond.replace('?', &format!("${}", args.len())));
    };
    if let Some(p) = filter.person {
        push("l.person_id = ?", p.into());
    }
    if let Some(u) = filter.user {
        push("l.user_id = ?", u.into());
    }
    if let Some(o) = filter.organisation {
        push("l.organisation_id = ?", o.into());
    }
    if let Some(f) = filter.from {
        push("l.at >= ?", f.into());
    }
    if let Some(t) = filter.until {
        push("l.at < ?", t.into());
    }
    if let Some(a) = &filter.action {
        push("l.action = ?", a.into());
    }
    if filter.emergency_only {
        push("l.outcome = ?", "allowed:emergency".into());
    }
    args.push(limit.into());
    let cond = if conds.is_empty() {
        String::new()
    } else {
        format!("where {}", conds.join(" and "))
    };
    let order = crate::access_log::newest_first(tx, "l.");
    let rows: Vec<LineRow> = tx
        .fetch_all(Query {
            sql: format!(
                "select l.id, l.at, l.user_id, u.display_name as user_name, l.organisation_id,
                        o.name as organisation_name, l.unit_id, n.name as unit_name, l.role,
                        l.action, l.person_id, p.national_id as person_national_id, l.what,
                        l.purpose, l.outcome
                 from access_log l
                 left join app_user u on u.id = l.user_id
                 left join organisation o on o.id = l.organisation_id
                 left join unit n on n.id = l.unit_id
                 left join person p on p.id = l.person_id
                 {cond}
                 {order} limit ${}",
                args.len()
            )
            .into(),
            args,
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| LogLine {
            id: r.id.into(),
            at: r.at,
            user_id: r.user_id.map(Into::into),
            user_name: r.user_name,
            organisation_id: r.organisation_id.map(Into::into),
            organisation_name: r.organisation_name,
            unit_id: r.unit_id.map(Into::into),
            unit_name: r.unit_name,
            role: r.role,
            action: r.action,
            person_id: r.person_id.map(Into::into),
            person_national_id: r.person_national_id,
            what: r.what,
            purpose: r.purpose,
            outcome: r.outcome,
        })
        .collect())
}

/// The person with this exact, normalised number, for an auditor's search. Needs an
/// `AuditSearch` or `Export` grant.
pub async fn person_by_number(
    tx: &mut Tx,
    grant: &Grant,
    national_ids: &[String],
) -> Result<Option<(PersonId, String)>, StoreError> {
    auditor(grant)?;
    #[derive(sqlx::FromRow)]
    struct Found {
        id: Uuid,
        given_name: String,
        family_name: String,
    }
    for nid in national_ids {
        let row: Option<Found> = tx
            .fetch_optional(crate::q!(
                "select id, given_name, family_name from person where national_id = $1",
                nid
            ))
            .await?;
        if let Some(r) = row {
            return Ok(Some((
                r.id.into(),
                format!("{} {}", r.given_name, r.family_name),
            )));
        }
    }
    Ok(None)
}
