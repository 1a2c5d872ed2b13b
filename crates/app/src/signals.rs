//! Importing signal files (CSV, one layout per signal kind: `core::signal`).
//!
//! An import is opened (header read, the policy asked, the import recorded and logged), then run:
//! rows are validated one by one and stored in chunks, each chunk in one transaction with the
//! import's counts and report lines, so the import's page always shows what is stored. A signal
//! already stored is counted as known, never stored twice: importing the same file again
//! changes nothing, and importing it again after an interruption completes it. The signal sets
//! a chunk changes are screened in the chunk's transaction, so their worklist items commit with
//! them.

use crate::import_chunk::{
    MergeContext, Merged, Mode, Numbers, StoredRaw, merge, read_stored, write_merged,
};
use crate::known_persons::KnownPersons;
use crate::{App, AppError, FieldError};
use samverka_core::actor::Actor;
use samverka_core::policy::{Action, Grant};
use samverka_core::signal::{FieldProblem, Header, RowContext, RowError, SignalKind};
use samverka_core::{OrganisationId, UnitId};
use samverka_store::Db;
use samverka_store::signal::{self as store, Import, ImportCounts, ImportStatus};
use samverka_store::statistics::Table;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;
use uuid::Uuid;

/// Report lines kept per import; the counts still cover every rejected row.
pub const REPORT_MAX_LINES: usize = 10_000;

/// An import whose header has been read and whose record exists; [`App::run_import`] reads the rows.
pub struct OpenImport<R: Read> {
    pub import: Import,
    grant: Grant,
    header: Header,
    reader: csv::Reader<Hashing<R>>,
}

/// What an import did.
#[derive(Clone, Debug)]
pub struct ImportOutcome {
    pub import: Import,
    /// The first rejected rows (at most [`REPORT_MAX_LINES`]), in line order.
    pub report: Vec<RowError>,
    /// Signal sets screened (those the import changed), and the items that screening changed.
    pub screened: crate::screening::ScreenSummary,
    /// Time spent reading, storing and screening the rows (all of the import), and the part of
    /// it spent screening.
    pub elapsed: std::time::Duration,
    pub screening: std::time::Duration,
}

/// Rows read and checked, handed from the parser to the storing task.
struct Chunk {
    rows: Vec<(samverka_core::signal::Row, Option<UnitId>)>,
    errors: Vec<RowError>,
    counts: ImportCounts,
    bytes_read: i64,
    /// The rows' numbers split into persons kept and numbers to look up, when it was sent.
    numbers: Numbers,
}

impl Chunk {
    fn new(rows: usize) -> Chunk {
        Chunk {
            rows: Vec::with_capacity(rows),
            errors: Vec::new(),
            counts: ImportCounts::default(),
            bytes_read: 0,
            numbers: Numbers::default(),
        }
    }
}

/// Reads and validates every row, sending chunks of `chunk_rows` valid rows. Returns the
/// reader (its hash covers the whole file) or the error that stopped the file.
fn parse_rows<R: Read>(
    mut reader: csv::Reader<Hashing<R>>,
    header: &Header,
    cx: RowContext,
    units: &HashMap<String, UnitId>,
    chunk_rows: usize,
    kept: &KnownPersons,
    out: &tokio::sync::mpsc::Sender<Chunk>,
) -> Result<csv::Reader<Hashing<R>>, AppError> {
    let mut chunk = Chunk::new(chunk_rows);
    let mut record = csv::StringRecord::new();
    loop {
        let more = match reader.read_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                // A row that is not UTF-8 text is reported on its line and the rest of the
                // file read; anything else (a broken file) stops the import.
                let line = e.position().map_or(0, |p| p.line());
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    // The rows checked so far are stored first, as the import's page says.
                    chunk.bytes_read = i64::try_from(reader.get_ref().read).unwrap_or(i64::MAX);
                    chunk.numbers = Numbers::split(&chunk.rows, kept);
                    let _ = out.blocking_send(chunk);
                    return Err(AppError::Invalid(vec![FieldError::with_args(
                        "file",
                        csv_problem(&e),
                        vec![("line", line.to_string())],
                    )]));
                }
                chunk.counts.total += 1;
                chunk.counts.rejected += 1;
                chunk.errors.push(RowError {
                    line,
                    field: "file".into(),
                    problem: FieldProblem::NotText,
                });
                true
            }
        };
        if more && !record.is_empty() && !(record.len() == 1 && record[0].trim().is_empty()) {
            let line = record.position().map_or(0, |p| p.line());
            let fields: Vec<&str> = record.iter().collect();
            chunk.counts.total += 1;
            let checked = header.row(line, &fields, cx).and_then(|row| {
                let unit = match &row.unit {
                    None => None,
                    Some(name) => {
                        Some(*units.get(&name.to_lowercase()).ok_or_else(|| RowError {
                            line,
                            field: "unit".into(),
                            problem: FieldProblem::UnknownUnit(name.clone()),
                        })?)
                    }
                };
                Ok((row, unit))
            });
            match checked {
                Ok(r) => chunk.rows.push(r),
                Err(e) => {
                    chunk.counts.rejected += 1;
                    chunk.errors.push(e);
                }
            }
        }
        if chunk.rows.len() >= chunk_rows || chunk.errors.len() >= chunk_rows || !more {
            chunk.bytes_read = i64::try_from(reader.get_ref().read).unwrap_or(i64::MAX);
            // Here, beside the database's work on the chunks before, not in its turn.
            chunk.numbers = Numbers::split(&chunk.rows, kept);
            let full = std::mem::replace(&mut chunk, Chunk::new(chunk_rows));
            if out.blocking_send(full).is_err() {
                // The storing side stopped (its error is reported there).
                return Ok(reader);
            }
        }
        if !more {
            return Ok(reader);
        }
    }
}

/// Merges a chunk on a blocking thread (it is CPU work: the rows into the sets, then the rules),
/// as the pipeline does, with the rules on one core beside the database's work.
async fn merge_blocking(
    chunk: Chunk,
    stored: StoredRaw,
    overlay: Option<Arc<Merged>>,
    rules: &Arc<samverka_core::rules::Rules>,
    cx: &MergeContext,
) -> Result<(Chunk, Merged), AppError> {
    let (rules, cx) = (Arc::clone(rules), cx.clone());
    tokio::task::spawn_blocking(move || {
        let m = merge(
            &chunk.rows,
            stored.decode()?,
            overlay.as_deref(),
            &rules,
            &cx,
            chunk.counts,
            Mode::Pipelined,
        );
        Ok((chunk, m))
    })
    .await
    .map_err(|e| AppError::Internal(format!("import merge: {e}")))?
}

/// What the stored chunks add up to: report lines (at most [`REPORT_MAX_LINES`]), what screening
/// did, and the time it took.
#[derive(Default)]
struct Progress {
    report: Vec<RowError>,
    screened: crate::screening::ScreenSummary,
    screening: std::time::Duration,
}

impl Progress {
    /// Cuts a chunk's report lines to the room left (before they are stored with the chunk).
    fn trim(&self, errors: &mut Vec<RowError>) {
        errors.truncate(REPORT_MAX_LINES.saturating_sub(self.report.len()));
    }

    /// Adds a stored chunk (`writing_items`: the time its items took to write).
    fn add(
        &mut self,
        errors: &mut Vec<RowError>,
        merged: &Merged,
        writing_items: std::time::Duration,
    ) {
        self.report.append(errors);
        self.screened += merged.summary;
        self.screening += merged.screening + writing_items;
    }
}

struct RowsDone<R> {
    report: Vec<RowError>,
    reader: csv::Reader<Hashing<R>>,
    screened: crate::screening::ScreenSummary,
    screening: std::time::Duration,
}

/// Counts the bytes read and hashes them, for progress and the file's fingerprint.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    read: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

impl App {
    /// Reads the header of `input`, decides `Import` for `actor` acting for `organisation` (or
    /// their only organisation with the administrator role), and records the import. A header
    /// that fits no layout is an `Invalid` error on field `file` that names what is wrong.
    pub async fn open_import<R: Read + Send + 'static>(
        &self,
        actor: &Actor,
        organisation: Option<OrganisationId>,
        file_name: &str,
        kind: Option<SignalKind>,
        bytes_total: Option<i64>,
        input: R,
    ) -> Result<OpenImport<R>, AppError> {
        let acting = match organisation {
            Some(o) => acting_for(actor, o),
            None => actor.clone(),
        };
        let grant = self
            .authorize(&acting, Action::Import, None, "signal_import")
            .await?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Hashing {
                inner: input,
                hash: Sha256::new(),
                read: 0,
            });
        let mut first = csv::StringRecord::new();
        let header = match reader.read_record(&mut first) {
            Ok(true) => Header::parse(first.iter(), kind).map_err(|e| {
                AppError::Invalid(vec![FieldError::with_args("file", e.code(), e.args())])
            })?,
            Ok(false) => return Err(AppError::invalid("file", "import-empty-file")),
            Err(e) => {
                return Err(AppError::Invalid(vec![FieldError::with_args(
                    "file",
                    csv_problem(&e),
                    vec![("line", "1".to_owned())],
                )]));
            }
        };
        let file_name = samverka_core::validate::optional_line(file_name, 200)
            .ok()
            .flatten()
            .unwrap_or_else(|| "upload.csv".to_owned());
        let mut tx = self.db.begin().await?;
        let import = store::begin_import(
            &mut tx,
            &grant,
            header.kind,
            &file_name,
            bytes_total,
            self.now(),
        )
        .await?;
        let mut entry = self.allowed(&grant, None, "signal_import");
        entry.purpose = Some(format!("signal_import:{}", import.seq));
        self.commit_logged(tx, &[entry]).await?;
        Ok(OpenImport {
            import,
            grant,
            header,
            reader,
        })
    }

    /// Reads every row of an opened import, stores the valid ones chunk by chunk, keeps the
    /// report, finishes the import and screens the persons it touched.
    pub async fn run_import<R: Read + Send + 'static>(
        &self,
        open: OpenImport<R>,
    ) -> Result<ImportOutcome, AppError> {
        let OpenImport {
            import,
            grant,
            header,
            reader,
        } = open;
        let started = std::time::Instant::now();
        let result = self.import_rows(&import, &grant, header, reader).await;
        let (status, report, reader, screened, screening) = match result {
            Ok(r) => (
                ImportStatus::Done,
                r.report,
                r.reader,
                r.screened,
                r.screening,
            ),
            Err(e) => {
                let mut tx = self.db.begin().await?;
                // The page says why: the file could not be read on, or an error inside (its
                // detail goes to the server log, not to the page).
                let failure = match &e {
                    AppError::Invalid(_) => "import-stopped-unreadable",
                    _ => "import-stopped-error",
                };
                store::finish_import(
                    &mut tx,
                    &grant,
                    import.id,
                    ImportStatus::Failed,
                    Some(failure),
                    None,
                    self.now(),
                )
                .await?;
                tx.commit().await?;
                return Err(e);
            }
        };
        let sha = hex::encode(reader.get_ref().hash.clone().finalize());
        let mut tx = self.db.begin().await?;
        store::finish_import(
            &mut tx,
            &grant,
            import.id,
            status,
            None,
            Some(&sha),
            self.now(),
        )
        .await?;
        let import = store::import(&mut tx, &grant, import.id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        // A large import leaves PostgreSQL's planner with statistics of much smaller tables.
        self.refresh_statistics(&[
            (Table::Person, import.counts.persons_added.max(0) as u64),
            (Table::SignalSet, screened.sets),
            (
                Table::Flag,
                screened.raised + screened.changed + screened.dropped,
            ),
        ])
        .await;
        Ok(ImportOutcome {
            import,
            report,
            screened,
            elapsed: started.elapsed(),
            screening,
        })
    }

    /// Reads the rows on a thread of its own (validation is CPU work) while this task stores
    /// the previous chunk, so parsing and the database work side by side.
    async fn import_rows<R: Read + Send + 'static>(
        &self,
        import: &Import,
        grant: &Grant,
        header: Header,
        reader: csv::Reader<Hashing<R>>,
    ) -> Result<RowsDone<R>, AppError> {
        let row_cx = RowContext {
            scheme: self.config.default_id_scheme,
            today: self.today(),
        };
        let units: HashMap<String, UnitId> = {
            let mut tx = self.db.begin_read().await?;
            samverka_store::org::units_of(&mut tx, grant.organisation())
                .await?
                .into_iter()
                .map(|u| (u.name.to_lowercase(), u.id))
                .collect()
        };
        let cx = MergeContext {
            organisation: grant.organisation(),
            seq: u32::try_from(import.seq).unwrap_or(u32::MAX),
            today: self.today(),
        };
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Chunk>(2);
        let chunk_rows = self.config.import_chunk_rows.max(1);
        let kept = Arc::clone(&self.known_persons);
        let parser = tokio::task::spawn_blocking(move || {
            parse_rows(reader, &header, row_cx, &units, chunk_rows, &kept, &tx)
        });
        let mut done = Progress::default();
        // One connection for all of the import's chunks: its page cache stays warm.
        let db = self.db.dedicated();
        let stored = self
            .store_chunks(&db, import, grant, &cx, &mut rx, &mut done)
            .await;
        db.close().await;
        // Dropping the receiver stops the parser at its next chunk if storing failed.
        drop(rx);
        let reader = parser
            .await
            .map_err(|e| AppError::Internal(format!("import parser: {e}")))??;
        stored?;
        Ok(RowsDone {
            report: done.report,
            reader,
            screened: done.screened,
            screening: done.screening,
        })
    }

    /// Stores the chunks as the parser sends them, pipelined (see [`crate::import_chunk`]): each
    /// chunk is written while the next one is merged on another thread, and the one after that
    /// is read once the write has committed. If another writer of signal rows came in between
    /// (found at a write), that chunk and the rest are stored one step after the other.
    async fn store_chunks(
        &self,
        db: &Db,
        import: &Import,
        grant: &Grant,
        cx: &MergeContext,
        rx: &mut tokio::sync::mpsc::Receiver<Chunk>,
        done: &mut Progress,
    ) -> Result<(), AppError> {
        let rules = Arc::clone(&self.config.rules);
        let Some(mut first) = rx.recv().await else {
            return Ok(());
        };
        let stored = self.read_chunk(db, grant, &mut first).await?;
        // The signal write version that this import's own writes have left; a write that finds
        // another one was made in between.
        let mut ours = stored.version();
        let (first, merged) = merge_blocking(first, stored, None, &rules, cx).await?;
        let mut current = (first, Arc::new(merged));
        let mut ahead: Option<(Chunk, StoredRaw)> = match rx.recv().await {
            Some(mut c) => {
                let s = self.read_chunk(db, grant, &mut c).await?;
                Some((c, s))
            }
            None => None,
        };
        // Chunks left over when the pipeline stops, to store one step after the other.
        let mut left: Vec<Chunk> = Vec::new();
        loop {
            let (mut chunk, merged) = current;
            done.trim(&mut chunk.errors);
            let overlay = Arc::clone(&merged);
            let next = ahead.take();
            let merging = async {
                match next {
                    Some((c, s)) => merge_blocking(c, s, Some(overlay), &rules, cx)
                        .await
                        .map(Some),
                    None => Ok(None),
                }
            };
            let writing = async {
                let Some(written) = self
                    .write_pipelined(db, import, grant, &chunk, &merged, ours)
                    .await?
                else {
                    return Ok::<_, AppError>((None, None));
                };
                let read = match rx.recv().await {
                    Some(mut c) => {
                        let s = self.read_chunk(db, grant, &mut c).await?;
                        Some((c, s))
                    }
                    None => None,
                };
                Ok((Some(written), read))
            };
            let (written, merged_next) = tokio::join!(writing, merging);
            let (written, read) = written?;
            let merged_next = merged_next?;
            match written {
                Some((version, writing_items)) => {
                    ours = version;
                    done.add(&mut chunk.errors, &merged, writing_items);
                    ahead = read;
                    match merged_next {
                        Some((c, m)) => current = (c, Arc::new(m)),
                        None => return Ok(()),
                    }
                }
                None => {
                    // Another writer came in between: what was read or merged ahead may be
                    // stale, so this chunk and every later one are stored step by step.
                    left.push(chunk);
                    left.extend(merged_next.map(|(c, _)| c));
                    break;
                }
            }
        }
        for mut chunk in left {
            done.trim(&mut chunk.errors);
            self.store_chunk_alone(db, import, grant, cx, &mut chunk, done)
                .await?;
        }
        while let Some(mut chunk) = rx.recv().await {
            done.trim(&mut chunk.errors);
            self.store_chunk_alone(db, import, grant, cx, &mut chunk, done)
                .await?;
        }
        Ok(())
    }

    /// Reads what a chunk's rows meet, in a snapshot of its own.
    async fn read_chunk(
        &self,
        db: &Db,
        grant: &Grant,
        chunk: &mut Chunk,
    ) -> Result<StoredRaw, AppError> {
        let mut tx = db.begin_read().await?;
        let numbers = std::mem::take(&mut chunk.numbers);
        let stored = read_stored(&mut tx, grant, &chunk.rows, numbers).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Writes a chunk merged ahead, in one transaction, if the signal write version is still the
    /// one this import's own writes left (`expected`). Returns the version after the write and
    /// the time its items took to write, or None (nothing written) when another writer came in
    /// between.
    async fn write_pipelined(
        &self,
        db: &Db,
        import: &Import,
        grant: &Grant,
        chunk: &Chunk,
        merged: &Merged,
        expected: i64,
    ) -> Result<Option<(i64, std::time::Duration)>, AppError> {
        let mut tx = db.begin().await?;
        let raised = store::lock_signal_writes(&mut tx).await?;
        let written = if raised - 1 == expected {
            write_merged(
                &mut tx,
                grant,
                import.id,
                merged,
                &chunk.errors,
                chunk.bytes_read,
                self.now(),
            )
            .await?
        } else {
            None
        };
        let Some(writing_items) = written else {
            // Dropped unfinished: rolled back.
            drop(tx);
            return Ok(None);
        };
        let version = store::signal_write_version(&mut tx).await?;
        tx.commit().await?;
        self.known_persons.keep(&merged.known);
        Ok(Some((version, writing_items)))
    }

    /// Stores one chunk in one transaction: read, merged and written under the signal write
    /// lock. Tried again when a new person's number was registered by someone else meanwhile
    /// (possible on PostgreSQL, where registering a person does not take that lock).
    async fn store_chunk_alone(
        &self,
        db: &Db,
        import: &Import,
        grant: &Grant,
        cx: &MergeContext,
        chunk: &mut Chunk,
        done: &mut Progress,
    ) -> Result<(), AppError> {
        let rules = &self.config.rules;
        for _ in 0..3 {
            let mut tx = db.begin().await?;
            store::lock_signal_writes(&mut tx).await?;
            let numbers = Numbers::split(&chunk.rows, &self.known_persons);
            let stored = read_stored(&mut tx, grant, &chunk.rows, numbers)
                .await?
                .decode()?;
            let merged = merge(
                &chunk.rows,
                stored,
                None,
                rules,
                cx,
                chunk.counts,
                Mode::Alone,
            );
            if let Some(writing_items) = write_merged(
                &mut tx,
                grant,
                import.id,
                &merged,
                &chunk.errors,
                chunk.bytes_read,
                self.now(),
            )
            .await?
            {
                tx.commit().await?;
                self.known_persons.keep(&merged.known);
                done.add(&mut chunk.errors, &merged, writing_items);
                return Ok(());
            }
            drop(tx);
        }
        Err(AppError::Internal(
            "import: persons kept being registered while the chunk was stored".to_owned(),
        ))
    }

    /// One `Import` grant per organisation the actor administers (an administrator of several
    /// sees and follows the imports of each). Refused (and logged) for anyone else.
    async fn import_grants(&self, actor: &Actor) -> Result<Vec<Grant>, AppError> {
        let mut orgs: Vec<OrganisationId> = actor
            .memberships
            .iter()
            .filter(|m| m.role == samverka_core::actor::Role::Administrator)
            .map(|m| m.organisation_id)
            .collect();
        orgs.sort();
        orgs.dedup();
        if orgs.is_empty() {
            return Ok(vec![
                self.authorize(actor, Action::Import, None, "signal_import")
                    .await?,
            ]);
        }
        let mut grants = Vec::with_capacity(orgs.len());
        for o in orgs {
            match self.decide(
                &acting_for(actor, o),
                Action::Import,
                None,
                None,
                "signal_import",
            ) {
                Ok(g) => grants.push(g),
                Err(denied) => return Err(self.refuse(denied).await),
            }
        }
        Ok(grants)
    }

    /// Marks imports that were running when the server last stopped (their background task is
    /// gone) as stopped; called at start-up. An import that is in fact still running elsewhere
    /// (a command-line import) sets its own status again when it finishes.
    pub async fn mark_interrupted_imports(&self) -> Result<u64, AppError> {
        let mut tx = self.db.begin().await?;
        let n = store::fail_interrupted(&mut tx, self.now()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The imports of the organisations the actor administers, newest first.
    pub async fn imports(&self, actor: &Actor) -> Result<Vec<Import>, AppError> {
        let grants = self.import_grants(actor).await?;
        let mut tx = self.db.begin_read().await?;
        let mut all = Vec::new();
        for g in &grants {
            all.extend(store::imports(&mut tx, g, 50).await?);
        }
        all.sort_by_key(|i| std::cmp::Reverse(i.seq));
        all.truncate(50);
        Ok(all)
    }

    /// One import and its report (administrators of the importing organisation).
    pub async fn import_report(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(Import, Vec<store::ReportLine>), AppError> {
        let grants = self.import_grants(actor).await?;
        let mut tx = self.db.begin_read().await?;
        for g in &grants {
            if let Some(import) = store::import(&mut tx, g, id).await? {
                let lines = store::report(&mut tx, g, id, REPORT_MAX_LINES as i64).await?;
                return Ok((import, lines));
            }
        }
        Err(AppError::NotFound)
    }
}

/// The actor acting for one organisation: the policy sees only that organisation's memberships.
fn acting_for(actor: &Actor, organisation: OrganisationId) -> Actor {
    Actor {
        memberships: actor
            .memberships
            .iter()
            .filter(|m| m.organisation_id == organisation)
            .cloned()
            .collect(),
        ..actor.clone()
    }
}

/// The locale key for why a file cannot be read as CSV.
fn csv_problem(e: &csv::Error) -> &'static str {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "import-not-utf8",
        csv::ErrorKind::Io(_) => "import-io-error",
        _ => "import-not-csv",
    }
}

impl App {
    /// The active user `username` as an actor, for the command line (`samverka import --user`):
    /// a scheduled job imports as a named administrator account, and is logged as it.
    pub async fn actor_by_username(&self, username: &str) -> Result<Actor, AppError> {
        let mut tx = self.db.begin_read().await?;
        let u = samverka_store::user::find_by_username(&mut tx, username)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| AppError::invalid("user", "user-unknown"))?;
        let memberships = samverka_store::user::memberships(&mut tx, u.id).await?;
        Ok(Actor {
            user_id: u.id,
            username: u.username,
            display_name: u.display_name,
            memberships: memberships.into_iter().map(|m| m.membership).collect(),
        })
    }

    /// The organisation named `name` (case-insensitive), for the command line.
    pub async fn organisation_by_name(&self, name: &str) -> Result<OrganisationId, AppError> {
        let mut tx = self.db.begin_read().await?;
        samverka_store::org::list_organisations(&mut tx)
            .await?
            .into_iter()
            .find(|o| o.name.to_lowercase() == name.trim().to_lowercase())
            .map(|o| o.id)
            .ok_or_else(|| AppError::invalid("organisation", "organisation-unknown"))
    }
}
