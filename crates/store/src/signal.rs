//! Signal imports and the signals themselves, kept per person and supplying organisation in
//! [`SignalSet`]'s compact form.
//!
//! Imports work in bulk: each statement carries a whole chunk of rows (one JSON array on SQLite,
//! one array per column on PostgreSQL), so an import of a million rows is a few hundred
//! statements, not millions. Every function that writes or reads signals needs an `Import` grant,
//! and the organisation written for is the grant's.

use crate::db::Count;
use crate::person::check;
use crate::{StoreError, Tx, Value, q};
use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::national_id::NationalIdKind;
use samverka_core::policy::{Action, Grant};
use samverka_core::signal::{RowError, SignalKind, SignalSet};
use samverka_core::{OrganisationId, PersonId, UserId};
use serde_json::Value as J;
use std::collections::HashMap;
use uuid::Uuid;

/// One import of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub id: Uuid,
    pub seq: i64,
    pub organisation_id: OrganisationId,
    pub kind: SignalKind,
    pub file_name: String,
    /// SHA-256 of the whole file, once it has been read.
    pub file_sha256: Option<String>,
    /// The file's size if known (an upload), and how much has been read: the progress.
    pub bytes_total: Option<i64>,
    pub bytes_read: i64,
    pub imported_by: Option<UserId>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: ImportStatus,
    /// Why a stopped import stopped, as a locale key.
    pub failure: Option<String>,
    pub counts: ImportCounts,
}

/// Where an import stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportStatus {
    /// Rows are being read; the counts grow as chunks commit.
    Running,
    Done,
    /// Stopped by an error that is not about one row (the file could not be read).
    Failed,
}

impl ImportStatus {
    pub fn code(self) -> &'static str {
        match self {
            ImportStatus::Running => "running",
            ImportStatus::Done => "done",
            ImportStatus::Failed => "failed",
        }
    }
}

impl std::str::FromStr for ImportStatus {
    type Err = samverka_core::consent::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "running" => Ok(ImportStatus::Running),
            "done" => Ok(ImportStatus::Done),
            "failed" => Ok(ImportStatus::Failed),
            _ => Err(samverka_core::consent::UnknownCode(s.to_owned())),
        }
    }
}

/// How many rows an import read, and what became of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub total: i64,
    /// New signals stored.
    pub added: i64,
    /// Valid rows whose signal was already stored (a re-import, an overlapping file).
    pub known: i64,
    pub rejected: i64,
    /// Persons registered because a row named a number not yet known.
    pub persons_added: i64,
}

#[derive(sqlx::FromRow)]
struct ImportRow {
    id: Uuid,
    seq: i64,
    organisation_id: Uuid,
    kind: String,
    file_name: String,
    file_sha256: Option<String>,
    bytes_total: Option<i64>,
    bytes_read: i64,
    imported_by: Option<Uuid>,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    status: String,
    failure: Option<String>,
    rows_total: i64,
    rows_added: i64,
    rows_known: i64,
    rows_rejected: i64,
    persons_added: i64,
}

const IMPORT_COLUMNS: &str = "id, seq, organisation_id, kind, file_name, file_sha256, bytes_total, bytes_read, imported_by, started_at, finished_at, status, failure, rows_total, rows_added, rows_known, rows_rejected, persons_added";

impl TryFrom<ImportRow> for Import {
    type Error = StoreError;
    fn try_from(r: ImportRow) -> Result<Self, StoreError> {
        Ok(Import {
            id: r.id,
            seq: r.seq,
            organisation_id: r.organisation_id.into(),
            kind: crate::parse_code("signal kind", &r.kind)?,
            file_name: r.file_name,
            file_sha256: r.file_sha256,
            bytes_total: r.bytes_total,
            bytes_read: r.bytes_read,
            imported_by: r.imported_by.map(Into::into),
            started_at: r.started_at,
            finished_at: r.finished_at,
            status: crate::parse_code("import status", &r.status)?,
            failure: r.failure,
            counts: ImportCounts {
                total: r.rows_total,
                added: r.rows_added,
                known: r.rows_known,
                rejected: r.rows_rejected,
                persons_added: r.persons_added,
            },
        })
    }
}

/// Takes the lock that serialises every write of signals, imports and worklist items (held until
/// the transaction ends). SQLite's write transactions are serial already (`begin immediate`);
/// on PostgreSQL this makes import chunks, import numbers and screenings run one at a time, so
/// two imports cannot both register the same new person or merge a signal set from the same
/// stale copy, and a full screening cannot write items from signal sets that an import changed
/// after it read them.
///
/// It also raises the signal write version and returns the raised value: a transaction that
/// holds the lock has changed it, so whoever read signal rows at an earlier version knows that
/// they may have changed since ([`signal_write_version`]).
pub async fn lock_signal_writes(tx: &mut Tx) -> Result<i64, StoreError> {
    const RAISE: &str =
        "update signal_write set version = version + 1 where id = 1 returning version";
    let v: (i64,) = match tx {
        Tx::Sqlite(c) => sqlx::query_as(RAISE).fetch_one(&mut **c).await?,
        Tx::Postgres(c) => {
            // An arbitrary constant naming this lock among the application's advisory locks.
            sqlx::query("select pg_advisory_xact_lock(7226043001)")
                .execute(&mut **c)
                .await?;
            sqlx::query_as(RAISE).fetch_one(&mut **c).await?
        }
    };
    Ok(v.0)
}

/// The signal write version the transaction sees: it changes whenever a transaction that wrote
/// signal sets, persons of an import or worklist items commits.
pub async fn signal_write_version(tx: &mut Tx) -> Result<i64, StoreError> {
    const READ: &str = "select version from signal_write where id = 1";
    let v: (i64,) = match tx {
        Tx::Sqlite(c) => sqlx::query_as(READ).fetch_one(&mut **c).await?,
        Tx::Postgres(c) => sqlx::query_as(READ).fetch_one(&mut **c).await?,
    };
    Ok(v.0)
}

/// Starts an import for the grant's organisation; its number is the next free one.
pub async fn begin_import(
    tx: &mut Tx,
    grant: &Grant,
    kind: SignalKind,
    file_name: &str,
    bytes_total: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Import, StoreError> {
    check(grant, Action::Import, None)?;
    lock_signal_writes(tx).await?;
    let next: Count = tx
        .fetch_one(q!(
            "select coalesce(max(seq), 0) + 1 as n from signal_import"
        ))
        .await?;
    let import = Import {
        id: Uuid::now_v7(),
        seq: next.n,
        organisation_id: grant.organisation(),
        kind,
        file_name: file_name.to_owned(),
        file_sha256: None,
        bytes_total,
        bytes_read: 0,
        imported_by: Some(grant.user()),
        started_at: now,
        finished_at: None,
        status: ImportStatus::Running,
        failure: None,
        counts: ImportCounts::default(),
    };
    tx.execute(q!(
        "insert into signal_import (id, seq, organisation_id, kind, file_name, bytes_total,
                                    imported_by, started_at, status)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        import.id,
        import.seq,
        import.organisation_id,
        kind.code(),
        file_name,
        bytes_total,
        import.imported_by,
        now,
        ImportStatus::Running.code()
    ))
    .await?;
    Ok(import)
}

/// Adds a chunk's counts to the import (in the chunk's own transaction, so the counts always
/// match what is stored).
pub async fn add_counts(
    tx: &mut Tx,
    grant: &Grant,
    import: Uuid,
    c: ImportCounts,
    bytes_read: i64,
) -> Result<(), StoreError> {
    check(grant, Action::Import, None)?;
    tx.execute(q!(
        "update signal_import set rows_total = rows_total + $2, rows_added = rows_added + $3,
                rows_known = rows_known + $4, rows_rejected = rows_rejected + $5,
                persons_added = persons_added + $6, bytes_read = $7
         where id = $1",
        import,
        c.total,
        c.added,
        c.known,
        c.rejected,
        c.persons_added,
        bytes_read
    ))
    .await?;
    Ok(())
}

/// Marks the import done or failed.
pub async fn finish_import(
    tx: &mut Tx,
    grant: &Grant,
    import: Uuid,
    status: ImportStatus,
    failure: Option<&str>,
    file_sha256: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    check(grant, Action::Import, None)?;
    tx.execute(q!(
        "update signal_import set status = $2, finished_at = $3, file_sha256 = $4, failure = $5
         where id = $1",
        import,
        status.code(),
        now,
        file_sha256,
        failure
    ))
    .await?;
    Ok(())
}

/// Marks imports that were running when the process stopped as failed (at start-up): their
/// committed chunks stay, and importing the file again completes them.
pub async fn fail_interrupted(tx: &mut Tx, now: DateTime<Utc>) -> Result<u64, StoreError> {
    tx.execute(q!(
        "update signal_import set status = 'failed', finished_at = $1,
                failure = 'import-stopped-interrupted' where status = 'running'",
        now
    ))
    .await
}

/// One import of the grant's organisation.
pub async fn import(tx: &mut Tx, grant: &Grant, id: Uuid) -> Result<Option<Import>, StoreError> {
    check(grant, Action::Import, None)?;
    let row: Option<ImportRow> = tx
        .fetch_optional(crate::Query {
            sql: format!(
                "select {IMPORT_COLUMNS} from signal_import where id = $1 and organisation_id = $2"
            )
            .into(),
            args: vec![id.into(), grant.organisation().into()],
        })
        .await?;
    row.map(TryInto::try_into).transpose()
}

/// The grant's organisation's imports, newest first.
pub async fn imports(tx: &mut Tx, grant: &Grant, limit: i64) -> Result<Vec<Import>, StoreError> {
    check(grant, Action::Import, None)?;
    let rows: Vec<ImportRow> = tx
        .fetch_all(crate::Query {
            sql: format!(
                "select {IMPORT_COLUMNS} from signal_import where organisation_id = $1
                 order by seq desc limit $2"
            )
            .into(),
            args: vec![grant.organisation().into(), limit.into()],
        })
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// A rejected row as the report keeps it: no person data, only where and what.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportLine {
    pub line: i64,
    pub field: String,
    /// The locale key of the problem.
    pub code: String,
    /// The problem's named values, as a JSON object of strings.
    pub args: String,
    /// The problem in English, for the command line and logs of the report.
    pub message: String,
}

/// Keeps the report lines of rejected rows.
pub async fn insert_errors(
    tx: &mut Tx,
    grant: &Grant,
    import: Uuid,
    errors: &[RowError],
) -> Result<(), StoreError> {
    check(grant, Action::Import, None)?;
    if errors.is_empty() {
        return Ok(());
    }
    let args = |e: &RowError| {
        J::Object(
            e.problem
                .args()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), J::String(v)))
                .collect(),
        )
        .to_string()
    };
    match tx {
        Tx::Sqlite(c) => {
            let rows: Vec<J> = errors
                .iter()
                .map(|e| {
                    J::Array(vec![
                        e.line.into(),
                        e.field.clone().into(),
                        e.problem.code().into(),
                        args(e).into(),
                        e.problem.to_string().into(),
                    ])
                })
                .collect();
            sqlx::query(
                "insert into signal_import_error (import_id, line, field, code, args, message)
                 select $1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
                 from json_each($2) where true
                 on conflict do nothing",
            )
            .bind(import)
            .bind(J::Array(rows).to_string())
            .execute(&mut **c)
            .await?;
        }
        Tx::Postgres(c) => {
            sqlx::query(
                "insert into signal_import_error (import_id, line, field, code, args, message)
                 select $1, * from unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
                 on conflict do nothing",
            )
            .bind(import)
            .bind(errors.iter().map(|e| e.line as i64).collect::<Vec<_>>())
            .bind(errors.iter().map(|e| e.field.clone()).collect::<Vec<_>>())
            .bind(errors.iter().map(|e| e.problem.code().to_owned()).collect::<Vec<_>>())
            .bind(errors.iter().map(args).collect::<Vec<_>>())
            .bind(errors.iter().map(|e| e.problem.to_string()).collect::<Vec<_>>())
            .execute(&mut **c)
            .await?;
        }
    }
    Ok(())
}

/// The report of an import of the grant's organisation: rejected rows in line order.
pub async fn report(
    tx: &mut Tx,
    grant: &Grant,
    import: Uuid,
    limit: i64,
) -> Result<Vec<ReportLine>, StoreError> {
    check(grant, Action::Import, None)?;
    tx.fetch_all(q!(
        "select e.line, e.field, e.code, e.args, e.message
         from signal_import_error e join signal_import i on i.id = e.import_id
         where e.import_id = $1 and i.organisation_id = $2
         order by e.line limit $3",
        import,
        grant.organisation(),
        limit
    ))
    .await
}

/// A person as an import needs them: to attach signals (and fill a missing postal code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownPerson {
    pub id: PersonId,
    pub birth_date: Option<NaiveDate>,
    pub postal_code: Option<String>,
}

#[derive(sqlx::FromRow)]
struct KnownRow {
    national_id: String,
    id: Uuid,
    birth_date: Option<NaiveDate>,
    postal_code: Option<String>,
}

/// The persons with these (normalised) numbers, by number.
pub async fn persons_by_number(
    tx: &mut Tx,
    grant: &Grant,
    numbers: &[&str],
) -> Result<HashMap<String, KnownPerson>, StoreError> {
    check(grant, Action::Import, None)?;
    if numbers.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<KnownRow> = match tx {
        Tx::Sqlite(c) => {
            sqlx::query_as(
                "select p.national_id, p.id, p.birth_date, p.postal_code
                 from json_each($1) j cross join person p on p.national_id = j.value",
            )
            .bind(serde_json::to_string(numbers).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            .fetch_all(&mut **c)
            .await?
        }
        Tx::Postgres(c) => {
            sqlx::query_as(
                "select national_id, id, birth_date, postal_code
                 from person where national_id = any($1)",
            )
            .bind(numbers)
            .fetch_all(&mut **c)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.national_id,
                KnownPerson {
                    id: r.id.into(),
                    birth_date: r.birth_date,
                    postal_code: r.postal_code,
                },
            )
        })
        .collect())
}

/// Gives persons registered without a postal code the one a later file names (a programme's
/// area is decided by it), all in one statement. A known postal code is never overwritten by an
/// import.
pub async fn fill_postal_codes(
    tx: &mut Tx,
    grant: &Grant,
    codes: &[(PersonId, String)],
) -> Result<(), StoreError> {
    check(grant, Action::Import, None)?;
    if codes.is_empty() {
        return Ok(());
    }
    match tx {
        Tx::Sqlite(c) => {
            let rows: Vec<J> = codes
                .iter()
                .map(|(p, code)| {
                    J::Array(vec![p.0.simple().to_string().into(), code.clone().into()])
                })
                .collect();
            sqlx::query(
                "update person set postal_code = j.value ->> 1 from json_each($1) j
                 where person.id = unhex(j.value ->> 0) and person.postal_code is null",
            )
            .bind(J::Array(rows).to_string())
            .execute(&mut **c)
            .await?;
        }
        Tx::Postgres(c) => {
            sqlx::query(
                "update person p set postal_code = u.code
                 from unnest($1::uuid[], $2::text[]) as u(id, code)
                 where p.id = u.id and p.postal_code is null",
            )
            .bind(codes.iter().map(|(p, _)| p.0).collect::<Vec<_>>())
            .bind(codes.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>())
            .execute(&mut **c)
            .await?;
        }
    }
    Ok(())
}

/// A person an import registers: identity only, as the file gives it.
#[derive(Clone, Debug)]
pub struct NewPerson {
    pub id: PersonId,
    pub national_id: String,
    pub kind: NationalIdKind,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<NaiveDate>,
    pub postal_code: Option<String>,
}

/// Registers persons named by an import's rows, all in one statement. A number registered since
/// the import looked it up (by someone else) is left as it is: returns how many persons were
/// registered, so that the caller sees the difference and reads the chunk again.
pub async fn insert_persons(
    tx: &mut Tx,
    grant: &Grant,
    persons: &[NewPerson],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    check(grant, Action::Import, None)?;
    if persons.is_empty() {
        return Ok(0);
    }
    lock_signal_writes(tx).await?;
    let search = |p: &NewPerson| {
        samverka_core::validate::search_key(&format!("{} {}", p.given_name, p.family_name))
    };
    let by = grant.user().0;
    match tx {
        Tx::Sqlite(c) => {
            let now = crate::db::to_micros(now);
            let rows: Vec<Vec<Value>> = persons
                .iter()
                .map(|p| {
                    vec![
                        p.id.into(),
                        p.national_id.clone().into(),
                        crate::person::kind_code(p.kind).into(),
                        p.given_name.clone().into(),
                        p.family_name.clone().into(),
                        search(p).into(),
                        p.birth_date.into(),
                        p.postal_code.clone().into(),
                        false.into(),
                        false.into(),
                        false.into(),
                        now.into(),
                        grant.user().into(),
                    ]
                })
                .collect();
            crate::db::sqlite_insert_rows(
                c,
                "insert into person (id, national_id, national_id_kind, given_name, family_name,
                                     search_name, birth_date, postal_code, protected_identity,
                                     interpreter_needed, synthetic, created_at, created_by) values",
                "on conflict (national_id) do nothing",
                rows,
            )
            .await
        }
        Tx::Postgres(c) => {
            sqlx::query(
                "insert into person (id, national_id, national_id_kind, given_name, family_name,
                                     search_name, birth_date, postal_code, protected_identity,
                                     interpreter_needed, synthetic, created_at, created_by)
                 select u.*, false, false, false, $9, $10
                 from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[]) u
                 on conflict (national_id) do nothing",
            )
            .bind(persons.iter().map(|p| p.id.0).collect::<Vec<_>>())
            .bind(persons.iter().map(|p| p.national_id.clone()).collect::<Vec<_>>())
            .bind(
                persons
                    .iter()
                    .map(|p| crate::person::kind_code(p.kind).to_owned())
                    .collect::<Vec<_>>(),
            )
            .bind(persons.iter().map(|p| p.given_name.clone()).collect::<Vec<_>>())
            .bind(persons.iter().map(|p| p.family_name.clone()).collect::<Vec<_>>())
            .bind(persons.iter().map(search).collect::<Vec<_>>())
            .bind(persons.iter().map(|p| p.birth_date).collect::<Vec<_>>())
            .bind(persons.iter().map(|p| p.postal_code.clone()).collect::<Vec<_>>())
            .bind(crate::db::to_micros(now))
            .bind(by)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        }
    }
}

#[derive(sqlx::FromRow)]
struct StoredSetRow {
    person_id: Uuid,
    data: Vec<u8>,
}

/// The grant's organisation's stored signals about these persons, in their stored form
/// ([`SignalSet::decode`] reads them; an import does that on the merge's thread).
pub async fn signal_set_data(
    tx: &mut Tx,
    grant: &Grant,
    persons: &[PersonId],
) -> Result<Vec<(PersonId, Vec<u8>)>, StoreError> {
    check(grant, Action::Import, None)?;
    if persons.is_empty() {
        return Ok(Vec::new());
    }
    let org = grant.organisation().0;
    let rows: Vec<StoredSetRow> = match tx {
        Tx::Sqlite(c) => {
            sqlx::query_as(
                // CROSS JOIN: the id list drives the lookups (see flag::flags_of_persons).
                "select s.person_id, s.data from json_each($1) j
                 cross join signal_set s on s.person_id = unhex(j.value) and s.organisation_id = $2",
            )
            .bind(hex_ids(persons))
            .bind(org)
            .fetch_all(&mut **c)
            .await?
        }
        Tx::Postgres(c) => {
            sqlx::query_as(
                "select person_id, data from signal_set
                 where person_id = any($1) and organisation_id = $2",
            )
            .bind(persons.iter().map(|p| p.0).collect::<Vec<_>>())
            .bind(org)
            .fetch_all(&mut **c)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| (PersonId::from(r.person_id), r.data))
        .collect())
}

/// A person's signal set in its stored form, ready to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetRow {
    pub person_id: PersonId,
    pub birth_date: Option<NaiveDate>,
    pub data: Vec<u8>,
    pub signals: i64,
}

impl SetRow {
    /// Encodes `set`; an import does this beside the database's work, not in its turn.
    pub fn new(person_id: PersonId, birth_date: Option<NaiveDate>, set: &SignalSet) -> SetRow {
        SetRow {
            person_id,
            birth_date,
            data: set.encode(),
            signals: set.signals.len() as i64,
        }
    }
}

/// Stores these persons' signal sets for the grant's organisation (replacing what was there), in
/// the caller's transaction (which screens them too).
pub async fn put_signal_sets(
    tx: &mut Tx,
    grant: &Grant,
    sets: &[SetRow],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    check(grant, Action::Import, None)?;
    if sets.is_empty() {
        return Ok(());
    }
    lock_signal_writes(tx).await?;
    let org = grant.organisation().0;
    let now = crate::db::to_micros(now);
    match tx {
        Tx::Sqlite(c) => {
            let rows: Vec<Vec<Value>> = sets
                .iter()
                .map(|r| {
                    vec![
                        r.person_id.into(),
                        grant.organisation().into(),
                        r.birth_date.into(),
                        r.data.clone().into(),
                        r.signals.into(),
                        now.into(),
                    ]
                })
                .collect();
            crate::db::sqlite_insert_rows(
                c,
                "insert into signal_set (person_id, organisation_id, birth_date, data, signals, updated_at) values",
                "on conflict (person_id, organisation_id) do update
                 set data = excluded.data, signals = excluded.signals,
                     birth_date = excluded.birth_date, updated_at = excluded.updated_at",
                rows,
            )
            .await?;
        }
        Tx::Postgres(c) => {
            let ids: Vec<Uuid> = sets.iter().map(|r| r.person_id.0).collect();
            sqlx::query(
                "insert into signal_set (person_id, organisation_id, birth_date, data, signals, updated_at)
                 select u.p, $5, u.b, u.d, u.n, $6
                 from unnest($1::uuid[], $2::date[], $3::bytea[], $4::bigint[]) as u(p, b, d, n)
                 on conflict (person_id, organisation_id) do update
                 set data = excluded.data, signals = excluded.signals,
                     birth_date = excluded.birth_date, updated_at = excluded.updated_at",
            )
            .bind(&ids)
            .bind(sets.iter().map(|r| r.birth_date).collect::<Vec<_>>())
            .bind(sets.iter().map(|r| r.data.as_slice()).collect::<Vec<_>>())
            .bind(sets.iter().map(|r| r.signals).collect::<Vec<_>>())
            .bind(org)
            .bind(now)
            .execute(&mut **c)
            .await?;
        }
    }
    Ok(())
}

/// Persons as the JSON array of hex ids SQLite's `unhex(j.value)` reads.
pub(crate) fn hex_ids(persons: &[PersonId]) -> String {
    let mut s = String::with_capacity(persons.len() * 35 + 2);
    s.push('[');
    for (i, p) in persons.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push('"');
        s.push_str(p.0.simple().encode_lower(&mut Uuid::encode_buffer()));
        s.push('"');
    }
    s.push(']');
    s
}
