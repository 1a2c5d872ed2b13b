//! One interface over SQLite and PostgreSQL.
//!
//! sqlx's `Any` driver cannot decode uuids, times or booleans on both databases (STACK.md), so we
//! keep the native pools behind one enum and write each query once: both databases accept `$1`
//! parameters, `on conflict`, and `returning`. Arguments travel as typed [`Value`]s so that a NULL
//! still carries its type, which PostgreSQL needs.

use crate::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;

/// Which database a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on either database.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A query argument. Every variant is optional so that NULL keeps its SQL type.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    Bytes(Option<Vec<u8>>),
}

/// PostgreSQL keeps microseconds; SQLite would keep the nanoseconds. Dropping them on the way in
/// makes a stored instant read back the same from both.
pub(crate) fn to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}

macro_rules! value_from {
    ($($t:ty => $variant:ident $(via $conv:expr)?),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(Some($( $conv )? (v)))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                Value::$variant(v.map(|v| $( $conv )? (v)))
            }
        }
    )*};
}

value_from!(
    Uuid => Uuid,
    String => Text,
    &str => Text via str::to_owned,
    &String => Text via String::clone,
    i64 => Int,
    bool => Bool,
    DateTime<Utc> => Time via to_micros,
    NaiveDate => Date,
    Vec<u8> => Bytes,
);

macro_rules! id_value {
    ($($id:ident),*) => {$(
        impl From<samverka_core::$id> for Value {
            fn from(v: samverka_core::$id) -> Self {
                Value::Uuid(Some(v.0))
            }
        }
        impl From<Option<samverka_core::$id>> for Value {
            fn from(v: Option<samverka_core::$id>) -> Self {
                Value::Uuid(v.map(|v| v.0))
            }
        }
    )*};
}
id_value!(
    ConsentId,
    BlockId,
    TeamMemberId,
    EmergencyAccessId,
    NoteId,
    CaseId,
    CaseEventId,
    PlanId,
    TaskId,
    MeetingId,
    InviteeId,
    CaseNoteId,
    OrganisationId,
    UnitId,
    ProgrammeId,
    UserId,
    MembershipId,
    PersonId,
    AccessLogId
);

/// SQL written once for both databases, with its arguments.
#[derive(Clone, Debug)]
pub struct Query {
    pub sql: std::borrow::Cow<'static, str>,
    pub args: Vec<Value>,
}

/// `q!("select … where id = $1", id)` builds a [`Query`].
#[macro_export]
macro_rules! q {
    ($sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::db::Query {
            sql: ::std::borrow::Cow::Borrowed($sql),
            args: vec![$($crate::db::Value::from($arg)),*],
        }
    };
}

/// A row type that decodes identically from both databases.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// Binds every argument of a query, whichever database or row type it is for.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for v in $args {
            query = match v {
                Value::Uuid(x) => query.bind(*x),
                Value::Text(x) => query.bind(x.clone()),
                Value::Int(x) => query.bind(*x),
                Value::Bool(x) => query.bind(*x),
                Value::Time(x) => query.bind(*x),
                Value::Date(x) => query.bind(*x),
                Value::Bytes(x) => query.bind(x.clone()),
            };
        }
        query
    }};
}

fn sqlite_query(q: &Query) -> sqlx::query::Query<'_, Sqlite, sqlx::sqlite::SqliteArguments> {
    bind_all!(sqlx::query(sqlx::AssertSqlSafe(q.sql.as_ref())), &q.args)
}

/// [`sqlite_query`] for bulk writes: texts and blobs bound without a copy, dates and instants
/// bound as the very text sqlx writes for them (see its `Encode` for chrono's types), formatted
/// without chrono's format strings, and an instant formatted once for a run of equal ones (every
/// row of a bulk write carries the same `now`). An import binds millions of these.
fn sqlite_query_owned(
    sql: &str,
    args: impl Iterator<Item = Value>,
) -> sqlx::query::Query<'_, Sqlite, sqlx::sqlite::SqliteArguments> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    let mut last_time: Option<(DateTime<Utc>, String)> = None;
    for v in args {
        query = match v {
            Value::Text(x) => query.bind(x),
            Value::Bytes(x) => query.bind(x),
            Value::Date(Some(d)) => query.bind(sqlite_date(d)),
            Value::Time(Some(t)) => {
                let text = match &last_time {
                    Some((at, text)) if *at == t => text.clone(),
                    _ => {
                        let text = t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
                        last_time = Some((t, text.clone()));
                        text
                    }
                };
                query.bind(text)
            }
            Value::Uuid(x) => query.bind(x),
            Value::Int(x) => query.bind(x),
            Value::Bool(x) => query.bind(x),
            Value::Time(None) => query.bind(None::<DateTime<Utc>>),
            Value::Date(None) => query.bind(None::<NaiveDate>),
        };
    }
    query
}

/// A date as sqlx writes it on SQLite (`%F`), directly for the years of four digits.
fn sqlite_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    match u32::try_from(d.year()) {
        Ok(y) if y <= 9999 => {
            let mut s = String::with_capacity(10);
            for n in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
                s.push(char::from(b'0' + n as u8));
            }
            for n in [d.month(), d.day()] {
                s.push('-');
                s.push(char::from(b'0' + (n / 10) as u8));
                s.push(char::from(b'0' + (n % 10) as u8));
            }
            s
        }
        _ => d.format("%F").to_string(),
    }
}

fn sqlite_query_as<T: Row>(
    q: &Query,
) -> sqlx::query::QueryAs<'_, Sqlite, T, sqlx::sqlite::SqliteArguments> {
    bind_all!(
        sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(q.sql.as_ref())),
        &q.args
    )
}

fn pg_query(q: &Query) -> sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments> {
    bind_all!(sqlx::query(sqlx::AssertSqlSafe(q.sql.as_ref())), &q.args)
}

fn pg_query_as<T: Row>(
    q: &Query,
) -> sqlx::query::QueryAs<'_, Postgres, T, sqlx::postgres::PgArguments> {
    bind_all!(
        sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(q.sql.as_ref())),
        &q.args
    )
}

/// The same four operations on a pool and on a transaction.
macro_rules! executor_methods {
    ($self:ident, $sqlite:pat => $se:expr, $pg:pat => $pe:expr) => {
        pub async fn fetch_all<T: Row>(&mut $self, q: Query) -> Result<Vec<T>, StoreError> {
            Ok(match $self.inner() {
                $sqlite => sqlite_query_as::<T>(&q).fetch_all($se).await?,
                $pg => pg_query_as::<T>(&q).fetch_all($pe).await?,
            })
        }

        pub async fn fetch_optional<T: Row>(&mut $self, q: Query) -> Result<Option<T>, StoreError> {
            Ok(match $self.inner() {
                $sqlite => sqlite_query_as::<T>(&q).fetch_optional($se).await?,
                $pg => pg_query_as::<T>(&q).fetch_optional($pe).await?,
            })
        }

        pub async fn fetch_one<T: Row>(&mut $self, q: Query) -> Result<T, StoreError> {
            $self.fetch_optional(q).await?.ok_or(StoreError::NotFound)
        }

        /// Runs a statement and returns the number of rows it touched.
        pub async fn execute(&mut $self, q: Query) -> Result<u64, StoreError> {
            Ok(match $self.inner() {
                $sqlite => sqlite_query(&q).execute($se).await?.rows_affected(),
                $pg => pg_query(&q).execute($pe).await?.rows_affected(),
            })
        }
    };
}

enum DbRef<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

enum TxRef<'a> {
    Sqlite(&'a mut sqlx::SqliteConnection),
    Postgres(&'a mut sqlx::PgConnection),
}

impl Db {
    fn inner(&mut self) -> DbRef<'_> {
        match self {
            Db::Sqlite(p) => DbRef::Sqlite(p),
            Db::Postgres(p) => DbRef::Postgres(p),
        }
    }

    executor_methods!(self, DbRef::Sqlite(p) => p, DbRef::Postgres(p) => p);

    /// Opens the database `url` points to: `sqlite://PATH` or `postgres://…`. A SQLite file is
    /// created if missing.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts =
                PgConnectOptions::from_str(url).map_err(|e| StoreError::Config(e.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a committed write survives a power cut, not only a process crash.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                // 32 MiB of page cache per connection (the default is 2 MiB): imports and
                // screening touch indexes far larger than the default holds.
                .pragma("cache_size", "-32768")
                // Statement journals (every multi-row insert with a unique key opens one) in
                // memory, not in temporary files.
                .pragma("temp_store", "memory")
                // Checkpoint every 64 MiB of log instead of every 4 MiB: a page an import
                // rewrites in chunk after chunk is copied back to the database file once per
                // checkpoint (import at 200,000 persons 160,000 -> 180,000 rows/s).
                .pragma("wal_autocheckpoint", "16384")
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(StoreError::Config(
                "DATABASE_URL must start with sqlite: or postgres://".to_owned(),
            ))
        }
    }

    /// The SQLite database file in `dir` (created with the directory if missing).
    pub async fn open_data_dir(dir: &Path) -> Result<Db, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Config(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        let file = dir.join("samverka.db");
        let url = format!("sqlite://{}", file.display());
        Db::connect(&url).await
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// A pool of one connection to the same database, for a task that must never queue behind
    /// the requests sharing the main pool (the access-log writer: every waiting read depends on
    /// it), or that runs many transactions in a row (an import: SQLite drops a connection's page
    /// cache whenever another connection has written since, and a pool hands its connections out
    /// in turn). Close it when done.
    pub fn dedicated(&self) -> Db {
        match self {
            Db::Sqlite(p) => Db::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_lazy_with((*p.connect_options()).clone()),
            ),
            Db::Postgres(p) => Db::Postgres(
                PgPoolOptions::new()
                    .max_connections(1)
                    .connect_lazy_with((*p.connect_options()).clone()),
            ),
        }
    }

    /// Applies every migration not yet applied. Forward-only.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// A transaction that may write. On SQLite it takes the write lock at once (`begin
    /// immediate`): a transaction that reads first and writes later could otherwise fail when
    /// another writer commits in between, instead of waiting its turn.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("begin immediate").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A transaction that only reads: one consistent snapshot, no write lock, so readers never
    /// wait for each other or for writers. On PostgreSQL that takes repeatable read (the default,
    /// read committed, would let a withdrawal land between an access decision and the read it
    /// allowed).
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(
                p.begin_with("begin isolation level repeatable read")
                    .await?,
            ),
        })
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        let mut db = self.clone();
        db.execute(q!("select 1")).await.is_ok()
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// A transaction on either database: committed whole with [`Tx::commit`], rolled back if dropped.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    fn inner(&mut self) -> TxRef<'_> {
        match self {
            Tx::Sqlite(t) => TxRef::Sqlite(t),
            Tx::Postgres(t) => TxRef::Postgres(t),
        }
    }

    executor_methods!(self, TxRef::Sqlite(c) => &mut *c, TxRef::Postgres(c) => &mut *c);

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Most rows per statement in [`sqlite_insert_rows`]: SQLite allows 32,766 parameters per
/// statement (fewer rows go in one when a row is wider than 31 values). Fewer, larger statements mean fewer hand-offs
/// to the connection's thread: an import at a million persons measured 192,000–208,000 rows/s
/// with 256 rows and 205,000–207,000 with 1,024 (docs/benchmarks.md).
const ROWS_PER_STATEMENT: usize = 1024;

/// Inserts many rows on SQLite with multi-row `values` lists of bound parameters: a few
/// statements per thousand rows, no text encoding of the values (blobs stay blobs). `head` is
/// the statement up to `values`, `tail` what follows the rows (`on conflict …`). Returns the rows
/// the statements changed (inserted or updated). Every row has
/// the same number of values.
pub(crate) async fn sqlite_insert_rows(
    conn: &mut sqlx::SqliteConnection,
    head: &str,
    tail: &str,
    rows: Vec<Vec<Value>>,
) -> Result<u64, StoreError> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(0);
    };
    let mut affected = 0;
    // SQLite allows 32,766 parameters per statement.
    let most = ROWS_PER_STATEMENT.min(1 << (32_766 / width.max(1)).ilog2());
    let sizes = statement_sizes(rows.len(), most);
    let mut rows = rows.into_iter();
    for n in sizes {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(n).collect();
        let mut sql = String::with_capacity(head.len() + tail.len() + chunk.len() * width * 6);
        sql.push_str(head);
        sql.push(' ');
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for j in 0..width {
                if j > 0 {
                    sql.push(',');
                }
                sql.push('?');
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(tail);
        affected += sqlite_query_owned(&sql, chunk.into_iter().flatten())
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(affected)
}

/// The rows per statement for `rows` rows: `most` (a power of two) at a time, then the remainder as powers of two.
/// Any number of rows takes at most eleven statement texts, so each connection's statement cache
/// keeps them all prepared.
fn statement_sizes(rows: usize, most: usize) -> Vec<usize> {
    let mut left = rows;
    let mut sizes = Vec::with_capacity(rows / most + 12);
    while left > 0 {
        let n = most.min(1 << left.ilog2());
        sizes.push(n);
        left -= n;
    }
    sizes
}

/// A `count(*)` or other single integer.
#[derive(Debug, FromRow)]
pub struct Count {
    pub n: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The direct form of a date is the text sqlx writes for it.
        #[test]
        fn a_bulk_bound_date_is_the_text_sqlx_writes(days in -800_000i32..3_700_000) {
            let d = NaiveDate::from_num_days_from_ce_opt(days).expect("date");
            prop_assert_eq!(sqlite_date(d), d.format("%F").to_string());
        }
    }

    /// Dates and instants bound by a bulk write are stored as the same text as when bound one by
    /// one, so that they compare and read back alike.
    #[tokio::test]
    async fn bulk_bound_values_are_stored_as_bound_one_by_one() {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("sqlite");
        sqlx::query("create table t (d text, t text, s text, b blob)")
            .execute(&mut conn)
            .await
            .expect("table");
        let t = to_micros(Utc::now());
        let row = || -> Vec<Value> {
            vec![
                NaiveDate::from_ymd_opt(2026, 3, 9).into(),
                t.into(),
                "text".to_owned().into(),
                vec![1u8, 2].into(),
            ]
        };
        let one = Query {
            sql: "insert into t values ($1, $2, $3, $4)".into(),
            args: row(),
        };
        sqlite_query(&one).execute(&mut conn).await.expect("one");
        sqlite_insert_rows(&mut conn, "insert into t values", "", vec![row(), row()])
            .await
            .expect("bulk");
        let distinct: (i64,) =
            sqlx::query_as("select count(*) from (select distinct d, t, s, b from t)")
                .fetch_one(&mut conn)
                .await
                .expect("count");
        assert_eq!(distinct.0, 1);
    }

    #[test]
    fn statement_sizes_cover_every_row_with_at_most_eleven_texts() {
        for rows in 0..=5_000 {
            let sizes = super::statement_sizes(rows, super::ROWS_PER_STATEMENT);
            assert_eq!(sizes.iter().sum::<usize>(), rows, "{rows}");
            assert!(
                sizes
                    .iter()
                    .all(|n| n.is_power_of_two() && *n <= super::ROWS_PER_STATEMENT),
                "{rows}: {sizes:?}"
            );
            let mut distinct = sizes.clone();
            distinct.dedup();
            assert!(distinct.len() <= 11, "{rows}: {sizes:?}");
        }
    }
}
