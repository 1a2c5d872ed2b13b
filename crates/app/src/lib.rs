//! Use cases. Each takes the acting user, asks the policy where person data is concerned, works
//! through the store in one transaction and writes the access-log entry in that same transaction.
//! No HTTP types here.

#[macro_use]
pub mod access;
pub mod access_log;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod config;
pub mod demo;
mod demo_access;
pub mod demo_signals;
pub mod error;
mod import_chunk;
pub mod known_persons;
pub mod meetings;
pub mod persons;
pub mod plans;
pub mod programmes;
pub mod records;
pub mod screening;
pub mod signals;
pub mod tasks;
pub mod teams;
pub mod worklist;

pub use config::AppConfig;
pub use error::{AppError, FieldError};

use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::actor::{Actor, Role};
use samverka_store::Db;

/// The application: database and configuration, shared by every request.
#[derive(Clone, Debug)]
pub struct App {
    pub db: Db,
    pub config: AppConfig,
    /// The access log's group-commit writer.
    pub log: access_log::LogWriter,
    /// The persons imports have met, shared by every import of this process.
    pub known_persons: std::sync::Arc<known_persons::KnownPersons>,
}

impl App {
    /// Starts the access-log writer too, so call it inside a tokio runtime.
    pub fn new(db: Db, config: AppConfig) -> App {
        App {
            log: access_log::LogWriter::start(&db),
            known_persons: Default::default(),
            db,
            config,
        }
    }

    /// The current instant, at the microsecond precision both databases store.
    pub fn now(&self) -> DateTime<Utc> {
        chrono::SubsecRound::trunc_subsecs(Utc::now(), 6)
    }

    /// Today's calendar date in the deployment's time zone.
    pub fn today(&self) -> NaiveDate {
        self.now()
            .with_timezone(&self.config.time_zone)
            .date_naive()
    }

    /// Whether this data directory was filled by `samverka demo` (the UI then says so).
    pub async fn is_demo(&self) -> Result<bool, AppError> {
        let mut tx = self.db.begin_read().await?;
        Ok(samverka_store::setting::get(&mut tx, demo::DEMO_SETTING)
            .await?
            .is_some())
    }
}

/// Refuses unless the actor holds `role`.
pub(crate) fn require(actor: &Actor, role: Role) -> Result<(), AppError> {
    if actor.has_role(role) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The records use cases hand out, re-exported so the web layer needs no store dependency.
pub mod model {
    pub use samverka_store::access_log::Entry as AccessLogEntry;
    pub use samverka_store::case::{
        CaseNote, CaseView, EventView as CaseEventView, ListFilter as CaseListFilter,
        ListRow as CaseListRow, NoteView as CaseNoteView, Scope as CaseScope,
    };
    pub use samverka_store::flag::{Flag, FlagKey, Outcome, OutcomeKind, Status, WorklistRow};
    pub use samverka_store::meeting::{Invitee, Meeting, MeetingView};
    pub use samverka_store::org::{Organisation, Programme, Unit, UnitChoice};
    pub use samverka_store::person::Person;
    pub use samverka_store::plan::{Agreement, PlanVersion, VersionView as PlanVersionView};
    pub use samverka_store::signal::{Import, ImportCounts, ImportStatus, ReportLine};
    pub use samverka_store::task::{Task, TaskView};
    pub use samverka_store::user::{MembershipView, User};
}
