//! The access-log writer (group commit) and the chain check behind `samverka audit verify`.
//!
//! A read of person data must not be answered before its log entry is durable. Committing one
//! transaction per entry would cost one database round trip (and, on SQLite, one fsync) per
//! read; instead every request hands its entries to one writer task and waits. While the writer
//! commits a batch, new entries queue up; the next batch takes them all. Under load a single commit
//! thus carries many entries, and with no load an entry is written at once.
//!
//! The writer is normally the only sealer, so it keeps the head it left and seals a batch before
//! touching the database; the store checks that head (and that no change left an entry to seal)
//! in the statement that moves it, and the full path runs whenever the check fails. A caller's
//! `write` returns after the commit of its batch, and a failed batch fails every waiter in it.

use crate::AppError;
use samverka_core::audit::{self, ChainError, Entry, Head, Verified, Verifier};
use samverka_store::log_tail::{Segment, Spare, TailDir};
use samverka_store::{Db, access_log};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Most entries sealed in one transaction; more wait for the next.
const MAX_BATCH: usize = 4096;
/// Entries read per page while verifying.
const VERIFY_PAGE: i64 = 5000;
/// With a tail, under concurrent load: how long the tail waits for more entries before a sync.
/// Measured on 2 cores (docs/benchmarks.md): without it a sync carried 2–3 entries and the log
/// cost 40–50 % of a read; 0.3 ms 24–28 %; 1 ms 16–28 % at 256 and 24–28 % at 32 concurrent
/// reads; 2 ms as good at 256 but 35 % at 32, where each read then waits longer than it works.
const GATHER: Duration = Duration::from_millis(1);
/// With a tail: a segment holding this many entries is moved into the database.
const MOVE_AT: usize = 4096;
/// With a tail: the longest an entry waits there before it is moved (and so sealed).
const MOVE_AFTER: Duration = Duration::from_millis(500);
/// With a tail: the bounds of the reserve of zeros written into a new segment ahead of its use
/// (see `TailDir::create_segment`), which is sized after the last segment's records.
const RESERVE_MIN: u64 = 64 * 1024;
const RESERVE_MAX: u64 = 16 * 1024 * 1024;

type Done = oneshot::Sender<Result<(), String>>;

enum Job {
    /// Append these entries; answer once they are durable.
    Write { entries: Vec<Entry>, done: Done },
    /// Seal the entries that changes wrote in their own transactions. Nobody waits.
    SealPending,
    /// Answer once everything written before is in the database, sealed.
    Flush(Done),
}

/// A handle to the log writer; cheap to clone.
#[derive(Clone, Debug)]
pub struct LogWriter {
    jobs: Jobs,
}

#[derive(Clone, Debug)]
enum Jobs {
    /// Every batch is committed to the database (PostgreSQL).
    Direct(mpsc::UnboundedSender<Job>),
    /// Every batch is synced to a tail segment and moved into the database shortly after
    /// (SQLite; see `samverka_store::log_tail`).
    Tail(std_mpsc::Sender<Job>),
    /// Entries are dropped: the same use cases without the log, which only the access-log
    /// benchmark compares against (the `bench` feature, never in a build that serves).
    #[cfg(feature = "bench")]
    Discard,
}

fn stopped() -> AppError {
    AppError::Internal("the access-log writer has stopped".into())
}

impl LogWriter {
    /// Starts the writer on the current tokio runtime, with a database connection of its own
    /// (and, on SQLite, a thread of its own for the tail's file writes).
    pub fn start(db: &Db) -> LogWriter {
        match TailDir::of(db) {
            Some(dir) => {
                let (jobs, rx) = std_mpsc::channel();
                let (moves, moves_rx) = mpsc::unbounded_channel();
                tokio::spawn(mover(db.dedicated(), dir.clone(), moves_rx));
                std::thread::Builder::new()
                    .name("access-log-tail".into())
                    .spawn(move || tail(dir, rx, moves))
                    .expect("the operating system starts a thread");
                LogWriter {
                    jobs: Jobs::Tail(jobs),
                }
            }
            None => {
                let (jobs, rx) = mpsc::unbounded_channel();
                tokio::spawn(direct(db.dedicated(), rx));
                LogWriter {
                    jobs: Jobs::Direct(jobs),
                }
            }
        }
    }

    /// A writer that drops every entry, for the benchmark's reads without the log.
    #[cfg(feature = "bench")]
    pub fn discarding() -> LogWriter {
        LogWriter {
            jobs: Jobs::Discard,
        }
    }

    fn send(&self, job: Job) -> Result<(), AppError> {
        match &self.jobs {
            Jobs::Direct(j) => j.send(job).map_err(|_| stopped()),
            Jobs::Tail(j) => j.send(job).map_err(|_| stopped()),
            #[cfg(feature = "bench")]
            Jobs::Discard => Ok(()),
        }
    }

    /// Appends `entries` to the log and returns once they are durable.
    pub async fn write(&self, entries: Vec<Entry>) -> Result<(), AppError> {
        #[cfg(feature = "bench")]
        if let Jobs::Discard = self.jobs {
            return Ok(());
        }
        let (done, wait) = oneshot::channel();
        self.send(Job::Write { entries, done })?;
        wait.await
            .map_err(|_| stopped())?
            .map_err(|e| AppError::Internal(format!("access log write failed: {e}")))
    }

    /// Asks the writer to seal entries that changes wrote in their own transactions. Does not wait.
    pub fn seal_pending(&self) {
        let _ = self.send(Job::SealPending);
    }

    /// Returns once every entry written before is in the database and sealed, so that a search
    /// of the log or a check of the chain sees it. Without a tail that is already so.
    pub async fn flush(&self) -> Result<(), AppError> {
        match self.jobs {
            Jobs::Tail(_) => {}
            _ => return Ok(()),
        }
        let (done, wait) = oneshot::channel();
        self.send(Job::Flush(done))?;
        wait.await
            .map_err(|_| stopped())?
            .map_err(|e| AppError::Internal(format!("access log move failed: {e}")))
    }
}

/// The writer without a tail: a batch per commit.
async fn direct(db: Db, mut rx: mpsc::UnboundedReceiver<Job>) {
    // The head this writer left; `None` until its first batch and after a failed one.
    let mut head: Option<Head> = None;
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut n = entries_of(&jobs[0]);
        // The requests released by the last commit are runnable now and about to send again;
        // waiting for them (one yield at a time, as long as more keep coming) makes the batch
        // whole instead of committing the first of them alone.
        let mut yielded = false;
        loop {
            let before = jobs.len();
            while n < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => {
                        n += entries_of(&j);
                        jobs.push(j);
                    }
                    Err(_) => break,
                }
            }
            if n >= MAX_BATCH || (yielded && jobs.len() == before) {
                break;
            }
            yielded = true;
            tokio::task::yield_now().await;
        }
        let mut entries = Vec::with_capacity(n);
        let mut waiters = Vec::new();
        for j in jobs {
            match j {
                Job::Write { entries: e, done } => {
                    entries.extend(e);
                    waiters.push(done);
                }
                Job::Flush(done) => waiters.push(done),
                Job::SealPending => {}
            }
        }
        let result = commit(&db, &mut head, entries).await;
        for done in waiters {
            let _ = done.send(result.clone());
        }
    }
}

fn entries_of(job: &Job) -> usize {
    match job {
        Job::Write { entries, .. } => entries.len(),
        _ => 0,
    }
}

/// [`write_batch`] keeping the writer's head; failures are logged and turned into the text each
/// waiter gets.
async fn commit(db: &Db, head: &mut Option<Head>, entries: Vec<Entry>) -> Result<(), String> {
    match write_batch(db, head.take(), entries).await {
        Ok(end) => {
            *head = Some(end);
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %e, "access log batch failed");
            Err(e.to_string())
        }
    }
}

/// A tail segment's entries, handed to the mover; the segment file is removed once they are
/// committed. `waiters` wait for this move (and every one before it).
struct Move {
    entries: Vec<Entry>,
    segment: Option<Segment>,
    waiters: Vec<Done>,
}

/// The tail's thread: appends each batch to the current segment and syncs it (file writes block,
/// so not on the runtime's threads), answers the batch's callers, and hands a segment to the mover
/// when it is full, old, or a flush or seal asks for it. Batches form by themselves: whatever
/// arrives during one sync is the next batch.
fn tail(dir: TailDir, jobs: std_mpsc::Receiver<Job>, moves: mpsc::UnboundedSender<Move>) {
    let mut spares = Spares::start(dir.clone());
    let mut segment: Option<Segment> = None;
    let mut unmoved: Vec<Entry> = Vec::new();
    let mut since: Option<Instant> = None;
    let mut last_callers = 0;
    loop {
        let first = match since {
            Some(t) => match jobs
                .recv_timeout((t + MOVE_AFTER).saturating_duration_since(Instant::now()))
            {
                Ok(j) => Some(j),
                Err(std_mpsc::RecvTimeoutError::Timeout) => None,
                Err(std_mpsc::RecvTimeoutError::Disconnected) => break,
            },
            None => match jobs.recv() {
                Ok(j) => Some(j),
                Err(_) => break,
            },
        };
        let mut batch: Vec<Entry> = Vec::new();
        let mut callers: Vec<Done> = Vec::new();
        let mut flushes: Vec<Done> = Vec::new();
        let mut seal = false;
        // Under concurrent load (the last batch had several callers) wait a moment for more:
        // a sync costs the kernel far more CPU than the few entries it would carry otherwise.
        if first.is_some() && last_callers > 1 {
            std::thread::sleep(GATHER);
        }
        let mut next = first;
        while let Some(job) = next {
            match job {
                Job::Write { entries, done } => {
                    batch.extend(entries);
                    callers.push(done);
                }
                Job::Flush(done) => flushes.push(done),
                Job::SealPending => seal = true,
            }
            next = if batch.len() < MAX_BATCH {
                jobs.try_recv().ok()
            } else {
                None
            };
        }
        let mut broken = false;
        if !batch.is_empty() {
            let appended = match &mut segment {
                Some(s) => s.append(&batch),
                None => spares.take().and_then(|mut s| {
                    let r = s.append(&batch);
                    segment = Some(s);
                    r
                }),
            };
            let result = match appended {
                Ok(()) => {
                    unmoved.append(&mut batch);
                    since.get_or_insert_with(Instant::now);
                    Ok(())
                }
                Err(e) => {
                    tracing::error!(error = %e, "access log tail write failed");
                    // A record may be half written: what the segment held before is moved, and
                    // the next batch starts a new one.
                    broken = true;
                    Err(e.to_string())
                }
            };
            last_callers = callers.len();
            for done in callers {
                let _ = done.send(result.clone());
            }
        }
        let due = broken
            || seal
            || !flushes.is_empty()
            || unmoved.len() >= MOVE_AT
            || since.is_some_and(|t| t.elapsed() >= MOVE_AFTER);
        if due {
            since = None;
            if let Some(s) = &segment {
                spares.fit(s.bytes());
            }
            // Before the move: its waiters may end the process once answered.
            if !flushes.is_empty() {
                spares.release();
            }
            let m = Move {
                entries: std::mem::take(&mut unmoved),
                segment: segment.take(),
                waiters: flushes,
            };
            if moves.send(m).is_err() {
                // The runtime is gone; what is in the segments is moved by the next writer.
                break;
            }
        }
    }
    spares.stop();
}

/// Segments prepared ahead (their reserve written and synced) on a thread of their own, so that
/// no batch waits for that. Asked for when a segment is taken, so a writer that never wrote
/// holds none, and removed by a flush.
struct Spares {
    dir: TailDir,
    /// Asks for the next spare, with its reserve.
    ask: Option<std_mpsc::Sender<u64>>,
    ready: std_mpsc::Receiver<std::io::Result<Spare>>,
    /// A spare was asked for and not yet taken.
    asked: bool,
    reserve: u64,
}

impl Spares {
    fn start(dir: TailDir) -> Spares {
        let (ask, asked) = std_mpsc::channel::<u64>();
        let (made, ready) = std_mpsc::channel();
        let d = dir.clone();
        let started = std::thread::Builder::new()
            .name("access-log-spare".into())
            .spawn(move || {
                for reserve in asked {
                    if made.send(d.prepare(reserve)).is_err() {
                        break;
                    }
                }
            });
        let ask = match started {
            Ok(_) => Some(ask),
            // Without the helper every segment is made when needed, without a reserve.
            Err(e) => {
                tracing::warn!(error = %e, "access log tail: no thread for spare segments");
                None
            }
        };
        Spares {
            dir,
            ask,
            ready,
            asked: false,
            reserve: RESERVE_MIN,
        }
    }

    fn ask(&mut self) {
        if let Some(ask) = &self.ask {
            self.asked = ask.send(self.reserve).is_ok();
        }
    }

    /// The next segment: the spare if it is ready, else a new one without a reserve (so this
    /// batch does not wait for zeros to be written). Asks for the next spare. A segment is
    /// named when taken, so segments' names keep the order they are written in.
    fn take(&mut self) -> std::io::Result<Segment> {
        if !self.asked {
            let segment = self.dir.create_segment(0);
            self.ask();
            return segment;
        }
        match self.ready.try_recv() {
            Ok(Ok(spare)) => {
                let segment = spare.into_segment();
                self.ask();
                segment
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "access log tail: a spare segment was not made");
                let segment = self.dir.create_segment(0);
                self.ask();
                segment
            }
            // Still being made: it serves the next segment.
            Err(_) => self.dir.create_segment(0),
        }
    }

    /// Removes the spare (waiting for it if it is being made), so that a process that flushed
    /// its log and ends leaves no file behind. The next segment asks for a new one.
    fn release(&mut self) {
        if !self.asked {
            return;
        }
        self.asked = false;
        if let Ok(Ok(s)) = self.ready.recv()
            && let Err(e) = s.remove()
        {
            tracing::warn!(error = %e, "access log tail: a spare segment was not removed");
        }
    }

    /// Sizes the next reserves after a segment that ended with `bytes` of records: a quarter
    /// more than that, shrinking slowly when segments become smaller.
    fn fit(&mut self, bytes: u64) {
        self.reserve = (bytes + bytes / 4)
            .max(self.reserve * 3 / 4)
            .clamp(RESERVE_MIN, RESERVE_MAX);
    }

    /// Stops the helper and removes the spare, which holds no entries.
    fn stop(mut self) {
        self.release();
    }
}

/// Moves tail segments into the database in the order they were written: first the orphans a
/// stopped writer left, then this writer's. A move that fails leaves its segment on disk, unlocked:
/// an orphan, moved again (before anything newer) right away or with the next move.
async fn mover(db: Db, dir: TailDir, mut moves: mpsc::UnboundedReceiver<Move>) {
    let mut head: Option<Head> = None;
    let mut orphans = true;
    while let Some(m) = moves.recv().await {
        let mut result = if orphans {
            recover(&db, &dir, &mut head).await
        } else {
            Ok(())
        };
        if result.is_ok() {
            result = commit(&db, &mut head, m.entries).await;
            match (&result, m.segment) {
                (Ok(()), Some(s)) => {
                    if let Err(e) = s.remove() {
                        // Its entries are committed; the next recovery finds them there.
                        tracing::warn!(error = %e, "a moved access log tail segment was not removed");
                    }
                }
                (Ok(()), None) => {}
                (Err(_), segment) => {
                    drop(segment);
                    result = recover(&db, &dir, &mut head).await;
                }
            }
        }
        orphans = result.is_err();
        for done in m.waiters {
            let _ = done.send(result.clone());
        }
    }
}

/// Moves the segments no live writer holds, oldest first, each in one transaction. Entries already
/// in the log (the writer stopped between its commit and the segment's removal) or twice in a
/// segment are moved once, so moving a segment again changes nothing.
async fn recover(db: &Db, dir: &TailDir, head: &mut Option<Head>) -> Result<(), String> {
    let orphans = dir.orphans().map_err(|e| e.to_string())?;
    for o in orphans {
        let mut seen = std::collections::HashSet::new();
        let mut entries = Vec::new();
        for e in o.read().map_err(|e| e.to_string())? {
            if seen.insert(e.id)
                && !access_log::contains(db, e.id)
                    .await
                    .map_err(|e| e.to_string())?
            {
                entries.push(e);
            }
        }
        let n = entries.len();
        if n > 0 {
            commit(db, head, entries).await?;
            tracing::info!(
                entries = n,
                "access log entries moved from a stopped writer's tail"
            );
        }
        if let Err(e) = o.remove() {
            tracing::warn!(error = %e, "a recovered access log tail segment was not removed");
        }
    }
    Ok(())
}

/// Seals and commits one batch; returns the new head. With the head of the previous batch known,
/// the entries are sealed before the database is touched and written by
/// [`access_log::append_sealed`]; the full path (lock and read the head, seal pending entries)
/// runs for the first batch, for a batch that only asks to seal pending entries, and whenever the
/// head moved or an entry waits.
async fn write_batch(
    db: &Db,
    head: Option<Head>,
    entries: Vec<Entry>,
) -> Result<Head, samverka_store::StoreError> {
    let entries = match head {
        Some(head) if !entries.is_empty() => {
            let (sealed, end) = audit::seal_all(&head, entries);
            if access_log::append_sealed(db, &head, &sealed).await? {
                return Ok(end);
            }
            sealed.into_iter().map(|s| s.entry).collect()
        }
        _ => entries,
    };
    let mut tx = db.begin().await?;
    let end = access_log::seal_batch(&mut tx, entries).await?;
    tx.commit().await?;
    Ok(end)
}

/// The outcome of checking the whole chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    pub result: Result<Verified, ChainError>,
    /// Entries written by changes and not yet sealed (normally 0).
    pub unsealed: i64,
}

/// Walks the whole access log in chain order and checks every link and hash against the head.
pub async fn verify_chain(db: &Db) -> Result<ChainReport, AppError> {
    let mut tx = db.begin_read().await?;
    let head = access_log::head(&mut tx).await?;
    let unsealed = access_log::unsealed_count(&mut tx).await?;
    let mut verifier = Verifier::default();
    let mut after = 0;
    loop {
        let page = access_log::sealed_page(&mut tx, after, VERIFY_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        // Entries sealed after the head was read are checked next time, not against this head.
        for s in page.iter().take_while(|s| s.seq <= head.seq) {
            if let Err(e) = verifier.push(s) {
                let e = match &e {
                    ChainError::Unlinked { links_to, .. } => {
                        let at = access_log::position_of_hash(&mut tx, links_to).await?;
                        e.refine(at)
                    }
                    _ => e,
                };
                return Ok(ChainReport {
                    result: Err(e),
                    unsealed,
                });
            }
        }
        if after >= head.seq {
            break;
        }
    }
    Ok(ChainReport {
        result: verifier.finish(&head),
        unsealed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use samverka_store::testing::TestDb;

    fn entry() -> Entry {
        Entry::sample_read(chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6))
    }

    async fn intact(db: &Db) -> i64 {
        let report = verify_chain(db).await.expect("verify");
        assert_eq!(report.unsealed, 0);
        report.result.expect("intact chain").entries
    }

    /// The writer remembers the head it left; another sealer (a second process) moving it
    /// meanwhile must send the writer down the full path, not fork the chain.
    #[tokio::test]
    async fn a_second_sealer_does_not_fork_the_chain() {
        for t in TestDb::all().await.expect("databases") {
            let log = LogWriter::start(&t.db);
            log.write(vec![entry(), entry()]).await.expect("write");
            log.flush().await.expect("flush");
            let mut tx = t.db.begin().await.expect("tx");
            access_log::seal_batch(&mut tx, vec![entry()])
                .await
                .expect("other sealer");
            tx.commit().await.expect("commit");
            log.write(vec![entry()])
                .await
                .expect("write after the head moved");
            log.write(vec![entry()]).await.expect("write");
            log.flush().await.expect("flush");
            assert_eq!(intact(&t.db).await, 5);
            t.cleanup().await;
        }
    }

    /// A batch that fails to commit fails its waiters, leaves nothing behind, and the next batch
    /// works. With a tail (SQLite) the entries are durable once synced, so the writer answers
    /// then; moving a segment that breaks a key goes the recovery's way, which moves each entry
    /// once.
    #[tokio::test]
    async fn a_failed_batch_fails_its_waiters_and_the_writer_goes_on() {
        for t in TestDb::all().await.expect("databases") {
            let log = LogWriter::start(&t.db);
            let first = entry();
            log.write(vec![first.clone(), entry()])
                .await
                .expect("write");
            log.flush().await.expect("flush");
            // The same id again breaks the primary key.
            let again = log.write(vec![entry(), first]).await;
            log.flush().await.expect("flush after a broken key");
            log.write(vec![entry()])
                .await
                .expect("write after a failure");
            log.flush().await.expect("flush");
            match t.db.backend() {
                samverka_store::Backend::Postgres => {
                    assert!(again.is_err());
                    assert_eq!(intact(&t.db).await, 3);
                }
                samverka_store::Backend::Sqlite => {
                    again.expect("synced to the tail");
                    assert_eq!(intact(&t.db).await, 4);
                }
            }
            t.cleanup().await;
        }
    }

    /// A flush leaves no file in the tail, not even the spare segment made ahead, so a CLI command
    /// that flushed and ends leaves nothing behind; the next write takes up the tail again.
    #[tokio::test]
    async fn a_flush_leaves_the_tail_empty_and_writing_goes_on() {
        let t = TestDb::sqlite().await.expect("database");
        let dir = TailDir::of(&t.db).expect("a file database has a tail");
        let files = || {
            std::fs::read_dir(dir.path())
                .map(|d| d.count())
                .unwrap_or(0)
        };
        let log = LogWriter::start(&t.db);
        for round in 1..=3 {
            log.write(vec![entry(), entry()]).await.expect("write");
            // The segment written to, and the spare the write asked for once the helper made it.
            let deadline = Instant::now() + Duration::from_secs(5);
            while files() < 2 && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            assert_eq!(files(), 2, "round {round}: a segment and its spare");
            log.flush().await.expect("flush");
            assert_eq!(files(), 0, "round {round}: the tail is empty after a flush");
            assert_eq!(intact(&t.db).await, 2 * round);
        }
        t.cleanup().await;
    }

    /// A writer that stops (a crash, or the process ending) before moving its tail loses
    /// nothing: the next writer moves the segment, every entry once, stops at a record cut short,
    /// and removes the file. Entries already moved (a stop between the commit and the removal)
    /// are not written again.
    #[tokio::test]
    async fn the_next_writer_moves_what_a_stopped_one_left_in_the_tail() {
        let t = TestDb::sqlite().await.expect("database");
        let dir = TailDir::of(&t.db).expect("a file database has a tail");

        // A writer whose entries were synced but not moved when it stopped.
        let stopped = LogWriter::start(&t.db);
        let synced = vec![entry(), entry(), entry()];
        stopped.write(synced.clone()).await.expect("write");
        drop(stopped);
        // A segment whose first entry was moved already, with a torn record at its end.
        let moved = entry();
        let log = LogWriter::start(&t.db);
        log.write(vec![moved.clone()]).await.expect("write");
        log.flush().await.expect("flush");
        drop(log);
        let mut left = dir.create_segment(0).expect("segment");
        left.append(&[moved, entry()]).expect("append");
        drop(left);
        let file = std::fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .max()
            .expect("the segment");
        let mut bytes = std::fs::read(&file).expect("read");
        bytes.extend_from_slice(&[200, 0, 0, 0, 1, 2, 3]);
        std::fs::write(&file, bytes).expect("write");

        // Wait for the stopped writer's thread to let go of its segment.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let next = LogWriter::start(&t.db);
        next.flush().await.expect("flush");
        // 3 synced, 1 moved before, 1 new in the second segment.
        assert_eq!(intact(&t.db).await, 5);
        for e in &synced {
            assert!(access_log::contains(&t.db, e.id).await.expect("contains"));
        }
        let files = std::fs::read_dir(dir.path()).expect("dir").count();
        assert_eq!(files, 0, "moved segments are removed");
        t.cleanup().await;
    }
}
