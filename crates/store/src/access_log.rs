//! The access log: append-only, hash-chained rows, one per access to person data.
//!
//! Two ways in: [`append_unsealed`] inside the transaction of the change it records (so the change
//! and its entry commit together), and [`seal_batch`], which the log writer runs: it takes the
//! chain head's lock, seals every unsealed entry in order, appends a batch of new entries already
//! sealed, and moves the head, all in one transaction. [`append_sealed`] is the writer's short way
//! for a batch it sealed itself after the head it left, as long as that still is the head.

use crate::db::{Count, Db, Tx, Value};
use crate::{Query, StoreError, q};
use chrono::{DateTime, Utc};
use samverka_core::audit::{self, Head, Sealed};
use samverka_core::{OrganisationId, PersonId};
use uuid::Uuid;

pub use samverka_core::audit::Entry;

const COLUMNS: &str = "id, at, user_id, organisation_id, unit_id, role, action, person_id, what, purpose, outcome, seq, prev_hash, hash";

fn entry_values(e: &Entry) -> [Value; 11] {
    [
        e.id.into(),
        e.at.into(),
        e.user_id.into(),
        e.organisation_id.into(),
        e.unit_id.into(),
        e.role.clone().into(),
        e.action.clone().into(),
        e.person_id.into(),
        e.what.clone().into(),
        e.purpose.clone().into(),
        e.outcome.clone().into(),
    ]
}

/// Writes an entry in the caller's transaction; the log writer seals it shortly after commit.
pub async fn append_unsealed(tx: &mut Tx, e: &Entry) -> Result<(), StoreError> {
    let mut args = entry_values(e).to_vec();
    args.extend([Value::Int(None), Value::Text(None), Value::Text(None)]);
    tx.execute(Query {
        sql: format!("insert into access_log ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)").into(),
        args,
    })
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    seq: i64,
    hash: String,
}

/// The chain head.
pub async fn head(tx: &mut Tx) -> Result<Head, StoreError> {
    let h: HeadRow = tx
        .fetch_one(q!("select seq, hash from access_log_head where id = 1"))
        .await?;
    Ok(Head {
        seq: h.seq,
        hash: h.hash,
    })
}

/// Seals every unsealed entry (oldest first) and then `new`, in one go; returns the new head.
/// Run by one writer at a time: the first statement takes the head's row lock (PostgreSQL) or the
/// database's write lock (SQLite), so concurrent sealers queue rather than fork the chain.
pub async fn seal_batch(tx: &mut Tx, new: Vec<Entry>) -> Result<Head, StoreError> {
    tx.execute(q!("update access_log_head set seq = seq where id = 1"))
        .await?;
    let start = head(tx).await?;
    let pending: Vec<EntryRow> = tx
        .fetch_all(Query {
            sql: format!("select {COLUMNS} from access_log where seq is null order by at, id")
                .into(),
            args: vec![],
        })
        .await?;
    let pending: Vec<Entry> = pending.into_iter().map(|r| r.into_sealed().entry).collect();
    let n_pending = pending.len();
    let (sealed, end) = audit::seal_all(&start, pending.into_iter().chain(new).collect());
    for s in &sealed[..n_pending] {
        tx.execute(q!(
            "update access_log set seq = $2, prev_hash = $3, hash = $4 where id = $1 and seq is null",
            s.entry.id,
            s.seq,
            &s.prev_hash,
            &s.hash
        ))
        .await?;
    }
    insert_sealed(tx, &sealed[n_pending..]).await?;
    if !sealed.is_empty() {
        tx.execute(q!(
            "update access_log_head set seq = $1, hash = $2 where id = 1",
            end.seq,
            &end.hash
        ))
        .await?;
    }
    Ok(end)
}

/// Appends entries already sealed after `after`, moves the head to the last of them and commits,
/// provided the head still is `after` and no entry waits unsealed. Otherwise writes nothing and
/// returns false; the caller then seals with [`seal_batch`].
///
/// This is [`seal_batch`] for the log writer, which remembers the head it left and seals the next
/// batch before it touches the database. The head is checked and moved, with the check that
/// nothing is pending, in the same statement that takes its lock (the row lock on PostgreSQL;
/// SQLite's write lock is taken by `begin immediate`), so a second sealer (another process) or a
/// change's entry makes the check fail instead of forking the chain. On PostgreSQL the check, the
/// head and the entries go in one statement that commits on its own: one round trip per batch.
pub async fn append_sealed(db: &Db, after: &Head, sealed: &[Sealed]) -> Result<bool, StoreError> {
    let Some(last) = sealed.last() else {
        return Ok(true);
    };
    match db {
        Db::Sqlite(_) => {
            let mut tx = db.begin().await?;
            let moved = tx
                .execute(q!(
                    "update access_log_head set seq = $1, hash = $2 \
                     where id = 1 and seq = $3 and hash = $4 \
                     and not exists (select 1 from access_log where seq is null)",
                    last.seq,
                    &last.hash,
                    after.seq,
                    &after.hash
                ))
                .await?;
            if moved != 1 {
                return Ok(false);
            }
            insert_sealed(&mut tx, sealed).await?;
            tx.commit().await?;
            Ok(true)
        }
        Db::Postgres(pool) => {
            let inserted = pg_rows(sqlx::query(PG_APPEND), sealed)
                .bind(last.seq)
                .bind(&last.hash)
                .bind(after.seq)
                .bind(&after.hash)
                .execute(pool)
                .await?
                .rows_affected();
            Ok(inserted == sealed.len() as u64)
        }
    }
}

/// Inserts sealed entries: multi-row statements with bound values on SQLite (a few fixed
/// sizes, each prepared once per connection), one statement with one array per column on
/// PostgreSQL.
async fn insert_sealed(tx: &mut Tx, sealed: &[Sealed]) -> Result<(), StoreError> {
    if sealed.is_empty() {
        return Ok(());
    }
    match tx {
        Tx::Sqlite(c) => {
            crate::db::sqlite_insert_rows(
                c,
                "insert into access_log (id, at, user_id, organisation_id, unit_id, role, action, person_id, what, purpose, outcome, seq, prev_hash, hash) values",
                "",
                sqlite_rows(sealed),
            )
            .await?;
        }
        Tx::Postgres(c) => {
            pg_rows(sqlx::query(PG_INSERT), sealed)
                .execute(&mut **c)
                .await?;
        }
    }
    Ok(())
}

/// Bound as values, so uuids are stored as 16-byte blobs and instants as sqlx writes them, as in
/// every other insert.
fn sqlite_rows(chunk: &[Sealed]) -> Vec<Vec<Value>> {
    chunk
        .iter()
        .map(|s| {
            let e = &s.entry;
            vec![
                e.id.0.into(),
                e.at.into(),
                e.user_id.map(|x| x.0).into(),
                e.organisation_id.map(|x| x.0).into(),
                e.unit_id.map(|x| x.0).into(),
                e.role.clone().into(),
                e.action.clone().into(),
                e.person_id.map(|x| x.0).into(),
                e.what.clone().into(),
                e.purpose.clone().into(),
                e.outcome.clone().into(),
                s.seq.into(),
                s.prev_hash.clone().into(),
                s.hash.clone().into(),
            ]
        })
        .collect()
}

fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(t, 6)
}

const PG_INSERT: &str = "insert into access_log (id, at, user_id, organisation_id, unit_id, role, action, person_id, what, purpose, outcome, seq, prev_hash, hash) \
     select * from unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::uuid[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[], $14::text[])";

/// [`PG_INSERT`] if the head moves from ($17, $18) to ($15, $16) and nothing is pending. A
/// data-modifying `with` runs exactly once; the insert sees its row only if the head moved.
const PG_APPEND: &str = "with moved as ( \
         update access_log_head set seq = $15, hash = $16 \
         where id = 1 and seq = $17 and hash = $18 \
         and not exists (select 1 from access_log where seq is null) \
         returning 1) \
     insert into access_log (id, at, user_id, organisation_id, unit_id, role, action, person_id, what, purpose, outcome, seq, prev_hash, hash) \
     select * from unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::uuid[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[], $14::text[]) \
     where exists (select 1 from moved)";

/// Binds the rows as parameters $1 to $14, one array per column.
fn pg_rows<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    rows: &[Sealed],
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    fn col<T>(rows: &[Sealed], f: impl Fn(&Sealed) -> T) -> Vec<T> {
        rows.iter().map(f).collect()
    }
    query
        .bind(col(rows, |s| s.entry.id.0))
        .bind(col(rows, |s| micros(s.entry.at)))
        .bind(col(rows, |s| s.entry.user_id.map(|x| x.0)))
        .bind(col(rows, |s| s.entry.organisation_id.map(|x| x.0)))
        .bind(col(rows, |s| s.entry.unit_id.map(|x| x.0)))
        .bind(col(rows, |s| s.entry.role.clone()))
        .bind(col(rows, |s| s.entry.action.clone()))
        .bind(col(rows, |s| s.entry.person_id.map(|x| x.0)))
        .bind(col(rows, |s| s.entry.what.clone()))
        .bind(col(rows, |s| s.entry.purpose.clone()))
        .bind(col(rows, |s| s.entry.outcome.clone()))
        .bind(col(rows, |s| s.seq))
        .bind(col(rows, |s| s.prev_hash.clone()))
        .bind(col(rows, |s| s.hash.clone()))
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: Uuid,
    at: DateTime<Utc>,
    user_id: Option<Uuid>,
    organisation_id: Option<Uuid>,
    unit_id: Option<Uuid>,
    role: Option<String>,
    action: String,
    person_id: Option<Uuid>,
    what: String,
    purpose: Option<String>,
    outcome: String,
    seq: Option<i64>,
    prev_hash: Option<String>,
    hash: Option<String>,
}

impl EntryRow {
    /// The entry with its chain position; an unsealed entry has seq 0 and empty hashes.
    fn into_sealed(self) -> Sealed {
        Sealed {
            seq: self.seq.unwrap_or(0),
            prev_hash: self.prev_hash.unwrap_or_default(),
            hash: self.hash.unwrap_or_default(),
            entry: Entry {
                id: self.id.into(),
                at: self.at,
                user_id: self.user_id.map(Into::into),
                organisation_id: self.organisation_id.map(Into::into),
                unit_id: self.unit_id.map(Into::into),
                role: self.role,
                action: self.action,
                person_id: self.person_id.map(Into::into),
                what: self.what,
                purpose: self.purpose,
                outcome: self.outcome,
            },
        }
    }
}

/// Sealed entries after position `after_seq`, in chain order, at most `limit`.
pub async fn sealed_page(
    tx: &mut Tx,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<Sealed>, StoreError> {
    let rows: Vec<EntryRow> = tx
        .fetch_all(Query {
            sql: format!("select {COLUMNS} from access_log where seq > $1 order by seq limit $2")
                .into(),
            args: vec![after_seq.into(), limit.into()],
        })
        .await?;
    Ok(rows.into_iter().map(EntryRow::into_sealed).collect())
}

/// Where the entry with this hash stands in the chain, if anywhere. A scan (no index on hash since
/// migration 0005): only a verification that found a broken link asks, once.
pub async fn position_of_hash(tx: &mut Tx, hash: &str) -> Result<Option<i64>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct SeqRow {
        seq: Option<i64>,
    }
    let row: Option<SeqRow> = tx
        .fetch_optional(q!("select seq from access_log where hash = $1", hash))
        .await?;
    Ok(row.and_then(|r| r.seq))
}

/// Whether the entry with this id is in the log, sealed or not.
pub async fn contains(db: &Db, id: samverka_core::ids::AccessLogId) -> Result<bool, StoreError> {
    let c: Count = db
        .clone()
        .fetch_one(q!("select count(*) as n from access_log where id = $1", id))
        .await?;
    Ok(c.n > 0)
}

/// Entries not sealed yet (normally none for more than a moment).
pub async fn unsealed_count(tx: &mut Tx) -> Result<i64, StoreError> {
    let c: Count = tx
        .fetch_one(q!("select count(*) as n from access_log where seq is null"))
        .await?;
    Ok(c.n)
}

fn entries(rows: Vec<EntryRow>) -> Vec<Entry> {
    rows.into_iter().map(|r| r.into_sealed().entry).collect()
}

/// `order by` for newest first, on the log's columns as named with `prefix` (`""` or `"l."`).
/// Entries with the same instant come in the order they were written: on SQLite by the row's
/// number, which every index of the table ends with, so walking the person's, user's or
/// organisation's index is already in this order and nothing is sorted (a person with thousands
/// of entries otherwise had them all sorted for each look at their record); on PostgreSQL by the
/// entry's id (a v7 uuid, so also in the order written), the few ties sorted.
pub(crate) fn newest_first(tx: &Tx, prefix: &str) -> String {
    match tx.backend() {
        crate::Backend::Sqlite => format!("order by {prefix}at desc, {prefix}rowid desc"),
        crate::Backend::Postgres => format!("order by {prefix}at desc, {prefix}id desc"),
    }
}

/// Entries about one person, newest first.
pub async fn for_person(
    tx: &mut Tx,
    person: PersonId,
    limit: i64,
) -> Result<Vec<Entry>, StoreError> {
    let order = newest_first(tx, "");
    let rows: Vec<EntryRow> = tx
        .fetch_all(Query {
            sql: format!("select {COLUMNS} from access_log where person_id = $1 {order} limit $2")
                .into(),
            args: vec![person.into(), limit.into()],
        })
        .await?;
    Ok(entries(rows))
}

/// The newest `limit` entries about one person made by staff of `organisations` (`None`: of any
/// organisation), newest first: what a reader of the person's record may learn of their log.
pub async fn for_person_by(
    tx: &mut Tx,
    person: PersonId,
    organisations: Option<&[OrganisationId]>,
    limit: i64,
) -> Result<Vec<Entry>, StoreError> {
    let order = newest_first(tx, "");
    // The organisations as a filter no index can serve, so that both databases walk the
    // person's entries newest first and stop at the limit. Given an index, SQLite (and
    // PostgreSQL without fresh statistics) walked the organisation's entries instead, or all of
    // the person's and sorted them: with one busy organisation, every entry it made about others.
    let mut args: Vec<Value> = vec![person.into()];
    let orgs = match organisations {
        None => "organisation_id is not null".to_owned(),
        Some([]) => return Ok(Vec::new()),
        Some(list) => {
            let mut marks = Vec::with_capacity(list.len());
            for o in list {
                args.push((*o).into());
                marks.push(format!("${}", args.len()));
            }
            format!("coalesce(organisation_id in ({}), false)", marks.join(", "))
        }
    };
    args.push(limit.into());
    let rows: Vec<EntryRow> = tx
        .fetch_all(Query {
            sql: format!(
                "select {COLUMNS} from access_log where person_id = $1 and {orgs} {order} limit ${}",
                args.len()
            )
            .into(),
            args,
        })
        .await?;
    Ok(entries(rows))
}

/// The newest entries, newest first.
pub async fn latest(tx: &mut Tx, limit: i64) -> Result<Vec<Entry>, StoreError> {
    let order = newest_first(tx, "");
    let rows: Vec<EntryRow> = tx
        .fetch_all(Query {
            sql: format!("select {COLUMNS} from access_log {order} limit $1").into(),
            args: vec![limit.into()],
        })
        .await?;
    Ok(entries(rows))
}
