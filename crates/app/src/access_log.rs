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
use samverka_store::{Db, access_log};
use tokio::sync::{mpsc, oneshot};

/// Most entries sealed in one transaction; more wait for the next.
const MAX_BATCH: usize = 4096;
/// Entries read per page while verifying.
const VERIFY_PAGE: i64 = 5000;

struct Job {
    entries: Vec<Entry>,
    done: Option<oneshot::Sender<Result<(), String>>>,
}

/// A handle to the log writer task; cheap to clone.
#[derive(Clone, Debug)]
pub struct LogWriter {
    jobs: mpsc::UnboundedSender<Job>,
}

impl LogWriter {
    /// Starts the writer task on the current tokio runtime, with a connection of its own.
    pub fn start(db: &Db) -> LogWriter {
        let (jobs, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(db.dedicated(), rx));
        LogWriter { jobs }
    }

    /// Appends `entries` to the log and returns once they are committed.
    pub async fn write(&self, entries: Vec<Entry>) -> Result<(), AppError> {
        let (done, wait) = oneshot::channel();
        self.jobs
            .send(Job {
                entries,
                done: Some(done),
            })
            .map_err(|_| AppError::Internal("the access-log writer has stopped".into()))?;
        wait.await
            .map_err(|_| AppError::Internal("the access-log writer has stopped".into()))?
            .map_err(|e| AppError::Internal(format!("access log write failed: {e}")))
    }

    /// Asks the writer to seal entries that changes wrote in their own transactions. Does not wait.
    pub fn seal_pending(&self) {
        let _ = self.jobs.send(Job {
            entries: Vec::new(),
            done: None,
        });
    }
}

async fn run(db: Db, mut rx: mpsc::UnboundedReceiver<Job>) {
    // The head this writer left; `None` until its first batch and after a failed one.
    let mut head: Option<Head> = None;
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut n = jobs[0].entries.len();
        // The requests released by the last commit are runnable now and about to send again;
        // waiting for them (one yield at a time, as long as more keep coming) makes the batch
        // whole instead of committing the first of them alone.
        let mut yielded = false;
        loop {
            let before = jobs.len();
            while n < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => {
                        n += j.entries.len();
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
        let entries: Vec<Entry> = jobs
            .iter_mut()
            .flat_map(|j| std::mem::take(&mut j.entries))
            .collect();
        let result = match write_batch(&db, head.take(), entries).await {
            Ok(end) => {
                head = Some(end);
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, "access log batch failed");
                Err(e.to_string())
            }
        };
        for j in jobs {
            if let Some(done) = j.done {
                let _ = done.send(result.clone());
            }
        }
    }
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
            let mut tx = t.db.begin().await.expect("tx");
            access_log::seal_batch(&mut tx, vec![entry()])
                .await
                .expect("other sealer");
            tx.commit().await.expect("commit");
            log.write(vec![entry()])
                .await
                .expect("write after the head moved");
            log.write(vec![entry()]).await.expect("write");
            assert_eq!(intact(&t.db).await, 5);
            t.cleanup().await;
        }
    }

    /// A batch that fails fails its waiters, leaves nothing behind, and the next batch works.
    #[tokio::test]
    async fn a_failed_batch_fails_its_waiters_and_the_writer_goes_on() {
        for t in TestDb::all().await.expect("databases") {
            let log = LogWriter::start(&t.db);
            let first = entry();
            log.write(vec![first.clone(), entry()])
                .await
                .expect("write");
            // The same id again breaks the primary key, after the head was already moved.
            assert!(log.write(vec![entry(), first]).await.is_err());
            log.write(vec![entry()])
                .await
                .expect("write after a failure");
            assert_eq!(intact(&t.db).await, 3);
            t.cleanup().await;
        }
    }
}
