//! The access log's writer and its tamper evidence, on SQLite and (with `SAMVERKA_TEST_POSTGRES`)
//! PostgreSQL: entries written concurrently form one unbroken chain, and a changed, removed or
//! reordered row in the database is named by the check behind `samverka audit verify`.

mod common;
use chrono::Duration;
use common::each_db;
use samverka_app::App;
use samverka_app::access_log::verify_chain;
use samverka_core::audit::{ChainError, Entry};
use samverka_store::{Db, q};

fn entry(app: &App, i: i64) -> Entry {
    Entry::sample_read(app.now() + Duration::milliseconds(i))
}

/// 50 entries written by 50 concurrent requests.
async fn fill(app: &App) {
    let writes = (0..50).map(|i| {
        let app = app.clone();
        async move { app.log.write(vec![entry(&app, i)]).await }
    });
    for r in join_all(writes).await {
        r.expect("write");
    }
    // On SQLite the entries wait in the log's tail for a moment before they are sealed.
    app.log.flush().await.expect("flush");
}

/// Runs every future as a task of its own (so they really contend) and collects the results.
async fn join_all<F>(fs: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

async fn sql(db: &Db, statement: &'static str) {
    let mut d = db.clone();
    d.execute(q!(statement)).await.expect(statement);
}

async fn broken(app: &App) -> ChainError {
    verify_chain(&app.db)
        .await
        .expect("verify")
        .result
        .expect_err("the chain should be broken")
}

#[tokio::test]
async fn concurrent_writes_form_one_intact_chain() {
    each_db(|app| async move {
        fill(&app).await;
        let report = verify_chain(&app.db).await.expect("verify");
        assert_eq!(report.result.map(|v| v.entries), Ok(50));
        assert_eq!(report.unsealed, 0);
    })
    .await;
}

#[tokio::test]
async fn a_changed_entry_is_named() {
    each_db(|app| async move {
        fill(&app).await;
        sql(
            &app.db,
            "update access_log set outcome = 'denied:role_not_permitted' where seq = 17",
        )
        .await;
        assert!(matches!(
            broken(&app).await,
            ChainError::Changed { seq: 17, .. }
        ));
    })
    .await;
}

#[tokio::test]
async fn a_removed_entry_is_named() {
    each_db(|app| async move {
        fill(&app).await;
        sql(&app.db, "delete from access_log where seq = 23").await;
        assert_eq!(
            broken(&app).await,
            ChainError::Gap {
                missing: 23,
                before: 22,
                after: 24
            }
        );
    })
    .await;
}

#[tokio::test]
async fn removed_newest_entries_are_named() {
    each_db(|app| async move {
        fill(&app).await;
        sql(&app.db, "delete from access_log where seq > 40").await;
        assert_eq!(
            broken(&app).await,
            ChainError::Truncated { last: 40, head: 50 }
        );
    })
    .await;
}

#[tokio::test]
async fn reordered_entries_are_named() {
    each_db(|app| async move {
        fill(&app).await;
        sql(&app.db, "update access_log set seq = -1 where seq = 30").await;
        sql(&app.db, "update access_log set seq = 30 where seq = 31").await;
        sql(&app.db, "update access_log set seq = 31 where seq = -1").await;
        let e = broken(&app).await;
        assert!(
            matches!(
                e,
                ChainError::Reordered {
                    seq: 30,
                    sealed_after: 31,
                    ..
                }
            ),
            "{e:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn entries_of_changes_are_sealed_after_their_commit() {
    each_db(|app| async move {
        fill(&app).await;
        let mut tx = app.db.begin().await.expect("tx");
        samverka_store::access_log::append_unsealed(&mut tx, &entry(&app, 99))
            .await
            .expect("append");
        tx.commit().await.expect("commit");
        assert_eq!(verify_chain(&app.db).await.expect("verify").unsealed, 1);
        // The next write seals the pending entry before its own.
        app.log.write(vec![entry(&app, 100)]).await.expect("write");
        app.log.flush().await.expect("flush");
        let report = verify_chain(&app.db).await.expect("verify");
        assert_eq!(
            (report.result.map(|v| v.entries), report.unsealed),
            (Ok(52), 0)
        );
    })
    .await;
}
