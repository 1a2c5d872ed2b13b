//! Auditors' work: searching the access log and exporting it as CSV, producing a person's own
//! access history, and reviewing emergency accesses. Reading the log is itself logged.

use crate::admin::parse_date;
use crate::error::Problems;
use crate::{App, AppError, FieldError};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use samverka_core::actor::Actor;
use samverka_core::policy::{Action, Grant};
use samverka_core::validate::required_line;
use samverka_core::{EmergencyAccessId, OrganisationId, PersonId};
use samverka_store::consent::{self, EmergencyReview};
use samverka_store::log_search::{self, LogFilter, LogLine};
use samverka_store::org::{self, Organisation};
use samverka_store::user;

/// Most lines a log search shows; the auditor narrows the search (or exports) for more.
pub const LOG_PAGE: i64 = 200;
/// Most lines one CSV export holds.
pub const EXPORT_LIMIT: i64 = 100_000;

/// The auditor's search form, as typed.
#[derive(Clone, Debug, Default)]
pub struct LogQuery {
    /// A national identity number.
    pub person: String,
    /// A username.
    pub user: String,
    pub organisation: String,
    pub from: String,
    pub to: String,
    pub action: String,
    pub emergency_only: bool,
}

impl LogQuery {
    pub fn is_empty(&self) -> bool {
        self.person.trim().is_empty()
            && self.user.trim().is_empty()
            && self.organisation.trim().is_empty()
            && self.from.trim().is_empty()
            && self.to.trim().is_empty()
            && self.action.trim().is_empty()
            && !self.emergency_only
    }
}

#[derive(Clone, Debug)]
pub struct LogSearch {
    pub lines: Vec<LogLine>,
    /// More entries matched than are shown.
    pub truncated: bool,
    /// The person searched for, named.
    pub person_name: Option<String>,
    pub organisations: Vec<Organisation>,
}

/// A person's access history, in a form clear enough for them to judge each access.
#[derive(Clone, Debug)]
pub struct AccessHistory {
    pub person_name: String,
    pub national_id: String,
    pub lines: Vec<LogLine>,
}

#[derive(Clone, Debug)]
pub struct EmergencyQueue {
    pub pending: Vec<EmergencyReview>,
    pub reviewed: Vec<EmergencyReview>,
}

impl App {
    /// The log entries for showing `lines`: the search itself, and every person whose entries
    /// were shown (their own access history then tells them an auditor read it).
    fn shown(
        &self,
        grant: &Grant,
        searched: Option<PersonId>,
        lines: &[LogLine],
        what: &str,
    ) -> Vec<samverka_store::access_log::Entry> {
        let mut persons: Vec<PersonId> = searched.into_iter().collect();
        let mut seen: std::collections::HashSet<PersonId> = persons.iter().copied().collect();
        for p in lines.iter().filter_map(|l| l.person_id) {
            if seen.insert(p) {
                persons.push(p);
            }
        }
        let mut entries = vec![self.allowed(grant, None, what)];
        entries.extend(
            persons
                .into_iter()
                .map(|p| self.allowed(grant, Some(p), what)),
        );
        entries
    }

    /// The start of `d` in the deployment's time zone, as an instant.
    fn start_of(&self, d: NaiveDate) -> DateTime<Utc> {
        let local = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        self.config
            .time_zone
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local))
    }

    /// Turns the typed form into a filter, with a message per bad field.
    async fn log_filter(
        &self,
        tx: &mut samverka_store::Tx,
        grant: &Grant,
        q: &LogQuery,
    ) -> Result<(LogFilter, Option<String>), AppError> {
        let mut p = Problems::default();
        let mut f = LogFilter {
            emergency_only: q.emergency_only,
            ..LogFilter::default()
        };
        let mut person_name = None;
        if !q.person.trim().is_empty() {
            match self.read_number(&q.person, "person") {
                Ok(numbers) => match log_search::person_by_number(tx, grant, &numbers).await? {
                    Some((id, name)) => {
                        f.person = Some(id);
                        person_name = Some(name);
                    }
                    None => p.push(FieldError::new("person", "person-not-found")),
                },
                Err(e) => p.push(e),
            }
        }
        if !q.user.trim().is_empty() {
            match user::find_by_username(tx, q.user.trim()).await? {
                Some(u) => f.user = Some(u.id),
                None => p.push(FieldError::new("user", "user-not-found")),
            }
        }
        if !q.organisation.trim().is_empty() {
            match q.organisation.trim().parse::<OrganisationId>() {
                Ok(o) => f.organisation = Some(o),
                Err(_) => p.push(FieldError::new("organisation", "organisation-unknown")),
            }
        }
        let from = parse_date(&mut p, "from", &q.from, false);
        let to = parse_date(&mut p, "to", &q.to, false);
        if let (Some(a), Some(b)) = (from, to)
            && b < a
        {
            p.push(FieldError::new("to", "date-before-start"));
        }
        f.from = from.map(|d| self.start_of(d));
        f.until = to.and_then(|d| d.succ_opt()).map(|d| self.start_of(d));
        match q.action.trim() {
            "" => {}
            a => match a.parse::<Action>() {
                Ok(a) => f.action = Some(a.code().to_owned()),
                Err(_) => p.push(FieldError::new("action", "choice-unknown")),
            },
        }
        p.finish()?;
        Ok((f, person_name))
    }

    /// Searches the access log. An empty form shows nothing (and logs nothing).
    pub async fn search_log(&self, actor: &Actor, q: &LogQuery) -> Result<LogSearch, AppError> {
        let grant = self
            .authorize(actor, Action::AuditSearch, None, "access_log_search")
            .await?;
        self.log.flush().await?;
        let mut tx = self.db.begin_read().await?;
        let organisations = org::list_organisations(&mut tx).await?;
        if q.is_empty() {
            return Ok(LogSearch {
                lines: Vec::new(),
                truncated: false,
                person_name: None,
                organisations,
            });
        }
        let (filter, person_name) = self.log_filter(&mut tx, &grant, q).await?;
        let mut lines = log_search::search(&mut tx, &grant, &filter, LOG_PAGE + 1).await?;
        drop(tx);
        let truncated = lines.len() as i64 > LOG_PAGE;
        lines.truncate(LOG_PAGE as usize);
        self.log
            .write(self.shown(&grant, filter.person, &lines, "access_log_search"))
            .await?;
        Ok(LogSearch {
            lines,
            truncated,
            person_name,
            organisations,
        })
    }

    /// The same search as CSV (UTF-8, header row, one line per entry, times in UTC, RFC 3339).
    pub async fn export_log_csv(&self, actor: &Actor, q: &LogQuery) -> Result<Vec<u8>, AppError> {
        let grant = self
            .authorize(actor, Action::Export, None, "access_log_csv")
            .await?;
        if q.is_empty() {
            // The whole log is not one export: say what to narrow it by.
            return Err(AppError::invalid("person", "audit-filter-required"));
        }
        self.log.flush().await?;
        let mut tx = self.db.begin_read().await?;
        let (filter, _) = self.log_filter(&mut tx, &grant, q).await?;
        let lines = log_search::search(&mut tx, &grant, &filter, EXPORT_LIMIT).await?;
        drop(tx);
        let csv = log_csv(&lines)?;
        self.log
            .write(self.shown(&grant, filter.person, &lines, "access_log_csv"))
            .await?;
        Ok(csv)
    }

    /// Everyone's access to one person (who, which organisation, when, what), newest first,
    /// for giving to the person.
    pub async fn access_history(
        &self,
        actor: &Actor,
        number: &str,
        as_csv: bool,
    ) -> Result<AccessHistory, AppError> {
        let what = if as_csv {
            "access_history_csv"
        } else {
            "access_history"
        };
        let grant = self.authorize(actor, Action::Export, None, what).await?;
        let numbers = self
            .read_number(number, "person")
            .map_err(|e| AppError::Invalid(vec![e]))?;
        self.log.flush().await?;
        let mut tx = self.db.begin_read().await?;
        let Some((id, name)) = log_search::person_by_number(&mut tx, &grant, &numbers).await?
        else {
            return Err(AppError::invalid("person", "person-not-found"));
        };
        let filter = LogFilter {
            person: Some(id),
            ..LogFilter::default()
        };
        let lines = log_search::search(&mut tx, &grant, &filter, EXPORT_LIMIT).await?;
        drop(tx);
        self.log
            .write(vec![self.allowed(&grant, Some(id), what)])
            .await?;
        Ok(AccessHistory {
            person_name: name,
            national_id: numbers.first().cloned().unwrap_or_default(),
            lines,
        })
    }

    /// Emergency accesses awaiting review, and the latest reviewed.
    pub async fn emergency_queue(&self, actor: &Actor) -> Result<EmergencyQueue, AppError> {
        let grant = self
            .authorize(actor, Action::Review, None, "emergency_queue")
            .await?;
        let mut tx = self.db.begin_read().await?;
        let pending = consent::emergency_reviews(&mut tx, &grant, false, 500).await?;
        let reviewed = consent::emergency_reviews(&mut tx, &grant, true, 50).await?;
        drop(tx);
        let mut entries = vec![self.allowed(&grant, None, "emergency_queue")];
        entries.extend(
            pending
                .iter()
                .chain(&reviewed)
                .map(|r| self.allowed(&grant, Some(r.access.person_id), "emergency_queue_item")),
        );
        self.log.write(entries).await?;
        Ok(EmergencyQueue { pending, reviewed })
    }

    /// Marks an emergency access reviewed, with the auditor's comment.
    pub async fn review_emergency(
        &self,
        actor: &Actor,
        id: EmergencyAccessId,
        comment: &str,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let grant = granted!(
            self,
            tx,
            self.check(&mut tx, actor, Action::Review, None, "emergency_review")
                .await?
        );
        let comment = required_line(comment, 1000).map_err(|e| {
            AppError::Invalid(vec![FieldError::with_args("comment", e.code(), e.args())])
        })?;
        let Some(person) =
            consent::review_emergency(&mut tx, &grant, id, self.now(), &comment).await?
        else {
            return Err(AppError::NotFound);
        };
        self.commit_logged(
            tx,
            &[self.allowed(&grant, Some(person), "emergency_review")],
        )
        .await?;
        Ok(())
    }
}

/// Writes log lines as CSV.
pub fn log_csv(lines: &[LogLine]) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    w.write_record([
        "at",
        "user",
        "user_id",
        "organisation",
        "unit",
        "role",
        "action",
        "person_national_id",
        "person_id",
        "what",
        "purpose",
        "outcome",
        "entry_id",
    ])
    .map_err(fail)?;
    let opt = |s: &Option<String>| cell(s.as_deref().unwrap_or_default());
    for l in lines {
        w.write_record([
            l.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            opt(&l.user_name),
            l.user_id.map(|u| u.to_string()).unwrap_or_default(),
            opt(&l.organisation_name),
            opt(&l.unit_name),
            opt(&l.role),
            l.action.clone(),
            opt(&l.person_national_id),
            l.person_id
                .map(|p: PersonId| p.to_string())
                .unwrap_or_default(),
            cell(&l.what),
            opt(&l.purpose),
            cell(&l.outcome),
            l.id.to_string(),
        ])
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))
}

/// A text cell that a spreadsheet will not run as a formula (CSV injection): text starting
/// with `=`, `+`, `-`, `@`, tab or carriage return gets a leading apostrophe.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}
