//! The only place with SQL. Repositories over one [`Db`] interface for SQLite and PostgreSQL.
//!
//! Functions that read person data demand a [`samverka_core::policy::Grant`], which only the
//! access policy can mint.

pub mod access_log;
pub mod case;
pub mod consent;
pub mod db;
pub mod flag;
pub mod log_search;
pub mod log_tail;
pub mod meeting;
pub mod note;
pub mod org;
pub mod person;
pub mod plan;
pub mod session;
pub mod setting;
pub mod signal;
pub mod statistics;
pub mod task;
pub mod testing;
pub mod user;

pub use db::{Backend, Db, Query, Tx, Value};

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist (or is not visible to the grant).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the text names the constraint.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL or data directory is unusable.
    #[error("database configuration: {0}")]
    Config(String),
    /// A stored value cannot be read back (e.g. an unknown enum code).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// A person-data function was called with a grant for another person or action.
    #[error("the grant does not cover this access")]
    GrantMismatch,
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            return StoreError::Conflict(
                db.constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned()),
            );
        }
        StoreError::Database(e)
    }
}

/// Parses a stored enum code, reporting a corrupt value instead of panicking.
pub(crate) fn parse_code<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what} `{s}`")))
}
