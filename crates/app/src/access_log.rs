//! The access-log writer (group commit) and the chain check behind `samverka audit verify`.
//!
//! A read of person data must not be answered before its log entry is durable. Committing one
//! transaction per entry would cost one database round trip (and, on SQLite, one fsync) per
//! read; instead every request hands its entries to one writer task and waits. While the writer
//! commits a batch, new entries queue up; the next batch takes them all. Under load a single commit
//! thus carries many entries, and with no load an entry is written at once.

use crate::AppError;
use samverka_core::audit::{ChainError, Entry, Verified, Verifier};
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
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut n = jobs[0].entries.len();
        while n < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => {
                    n += j.entries.len();
                    jobs.push(j);
                }
                Err(_) => break,
            }
        }
        let entries: Vec<Entry> = jobs
            .iter_mut()
            .flat_map(|j| std::mem::take(&mut j.entries))
            .collect();
        let result = write_batch(&db, entries).await.map_err(|e| e.to_string());
        if let Err(e) = &result {
            tracing::error!(error = %e, "access log batch failed");
        }
        for j in jobs {
            if let Some(done) = j.done {
                let _ = done.send(result.clone());
            }
        }
    }
}

async fn write_batch(db: &Db, entries: Vec<Entry>) -> Result<(), samverka_store::StoreError> {
    let mut tx = db.begin().await?;
    access_log::seal_batch(&mut tx, entries).await?;
    tx.commit().await
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
