//! The access log: append-only, hash-chained rows, one per access to person data.
//!
//! Two ways in: [`append_unsealed`] inside the transaction of the change it records (so the change
//! and its entry commit together), and [`seal_batch`], which the log writer runs: it takes the
//! chain head's lock, seals every unsealed entry in order, appends a batch of new entries already
//! sealed, and moves the head, all in one transaction.

use crate::db::{Count, Tx, Value};
use crate::{Query, StoreError, q};
use chrono::{DateTime, Utc};
use samverka_core::PersonId;
use samverka_core::audit::{self, Head, Sealed};
use uuid::Uuid;

pub use samverka_core::audit::Entry;

const COLUMNS: &str = "id, at, user_id, organisation_id, unit_id, role, action, person_id, what, purpose, outcome, seq, prev_hash, hash";

/// Rows per multi-row insert: 14 parameters each stays far below both databases' limits.
const INSERT_CHUNK: usize = 500;

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
    for chunk in sealed[n_pending..].chunks(INSERT_CHUNK) {
        let mut sql = format!("insert into access_log ({COLUMNS}) values ");
        let mut args = Vec::with_capacity(chunk.len() * 14);
        for (i, s) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..14 {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", i * 14 + c + 1));
            }
            sql.push(')');
            args.extend(entry_values(&s.entry));
            args.extend([
                s.seq.into(),
                s.prev_hash.clone().into(),
                s.hash.clone().into(),
            ]);
        }
        tx.execute(Query {
            sql: sql.into(),
            args,
        })
        .await?;
    }
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

/// Where the entry with this hash stands in the chain, if anywhere.
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

/// Entries about one person, newest first.
pub async fn for_person(
    tx: &mut Tx,
    person: PersonId,
    limit: i64,
) -> Result<Vec<Entry>, StoreError> {
    let rows: Vec<EntryRow> = tx
        .fetch_all(Query {
            sql: format!("select {COLUMNS} from access_log where person_id = $1 order by at desc, id desc limit $2").into(),
            args: vec![person.into(), limit.into()],
        })
        .await?;
    Ok(entries(rows))
}

/// The newest entries, newest first.
pub async fn latest(tx: &mut Tx, limit: i64) -> Result<Vec<Entry>, StoreError> {
    let rows: Vec<EntryRow> = tx
        .fetch_all(Query {
            sql: format!("select {COLUMNS} from access_log order by at desc, id desc limit $1")
                .into(),
            args: vec![limit.into()],
        })
        .await?;
    Ok(entries(rows))
}
