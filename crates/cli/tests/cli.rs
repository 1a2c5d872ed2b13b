//! The `samverka` binary as a user runs it.

use std::process::{Command, Output};

fn samverka(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samverka"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("SAMVERKA_CONFIG")
        .env_remove("SAMVERKA_DATA_DIR")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run samverka")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn demo_creates_its_data_once_and_reuses_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");
    let args = [
        "demo",
        "--no-serve",
        "--persons",
        "30",
        "--danish-persons",
        "10",
        "--data-dir",
        data,
    ];
    let first = samverka(&args);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("Demo data created"),
        "{}",
        text(&first.stdout)
    );
    assert!(
        text(&first.stdout).contains("40 synthetic persons"),
        "{}",
        text(&first.stdout)
    );
    assert!(dir.path().join("data/samverka.db").exists());
    // The command's access-log entries were moved into the log before it ended.
    let tail = dir.path().join("data/samverka.db-accesslog");
    let left = std::fs::read_dir(&tail).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "segments left in {}", tail.display());

    let second = samverka(&args);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(
        text(&second.stdout).contains("Reusing the demo data"),
        "{}",
        text(&second.stdout)
    );

    let migrate = samverka(&["migrate", "--data-dir", data]);
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));
    assert!(text(&migrate.stdout).contains("up to date"));
}

#[test]
fn a_bad_config_file_stops_start_up_naming_the_setting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("samverka.toml");
    std::fs::write(&config, "[deployment]\ntime_zone = \"Mars/Olympus\"\n").expect("write");
    let out = samverka(&[
        "serve",
        "--config",
        config.to_str().expect("path"),
        "--data-dir",
        dir.path().to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("time_zone") && err.contains("Mars/Olympus"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_flags_are_explained() {
    let out = samverka(&["demo", "--persons", "many"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("--persons") && err.contains("many"), "{err}");

    let out = samverka(&["serve", "--listen", "nowhere"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--listen"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_bad_database_url_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_samverka"))
        .args(["migrate", "--data-dir", dir.path().to_str().expect("path")])
        .env("DATABASE_URL", "mysql://localhost/samverka")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("DATABASE_URL"), "{err}");
}

/// A migrated SQLite database in `dir` whose access log holds `entries`, sealed.
async fn with_sealed_log(
    dir: &std::path::Path,
    entries: Vec<samverka_core::audit::Entry>,
) -> samverka_store::Db {
    let db = samverka_store::Db::open_data_dir(dir).await.expect("db");
    db.migrate().await.expect("migrate");
    let mut tx = db.begin().await.expect("tx");
    samverka_store::access_log::seal_batch(&mut tx, entries)
        .await
        .expect("seal");
    tx.commit().await.expect("commit");
    db
}

#[test]
fn audit_verify_exits_non_zero_naming_the_changed_entry() {
    use samverka_core::AccessLogId;
    use samverka_core::audit::Entry;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("path").to_owned();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(async {
        let entries = (0..3)
            .map(|i| Entry {
                id: AccessLogId::new(),
                at: chrono::Utc::now() + chrono::Duration::seconds(i),
                user_id: None,
                organisation_id: None,
                unit_id: None,
                role: None,
                action: "read".into(),
                person_id: None,
                what: "person".into(),
                purpose: None,
                outcome: "allowed".into(),
            })
            .collect();
        with_sealed_log(dir.path(), entries).await
    });
    let ok = samverka(&["audit", "verify", "--data-dir", &data]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).contains("intact: 3 entries"),
        "{}",
        text(&ok.stdout)
    );

    rt.block_on(async {
        let mut d = db.clone();
        d.execute(samverka_store::q!(
            "update access_log set what = 'nothing' where seq = 2"
        ))
        .await
        .expect("tamper");
        db.close().await;
    });
    let bad = samverka(&["audit", "verify", "--data-dir", &data]);
    assert_eq!(bad.status.code(), Some(1));
    let err = text(&bad.stderr);
    assert!(err.contains("entry 2") && err.contains("changed"), "{err}");
}

/// A process killed after its access-log entries were synced to the SQLite tail, before they
/// were moved into the log: `audit verify` moves them, seals them into the chain and counts them.
#[test]
fn audit_verify_includes_what_a_killed_process_left_in_the_tail() {
    use samverka_core::audit::Entry;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("path").to_owned();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let tail = rt.block_on(async {
        let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
        let db = with_sealed_log(dir.path(), vec![Entry::sample_read(now)]).await;
        let tail = samverka_store::log_tail::TailDir::of(&db).expect("tail");
        // Preallocated, as the server makes them: the zeros after the records are no entries.
        let mut segment = tail.create_segment(64 * 1024).expect("segment");
        segment
            .append(&[Entry::sample_read(now), Entry::sample_read(now)])
            .expect("append");
        db.close().await;
        tail
    });
    let ok = samverka(&["audit", "verify", "--data-dir", &data]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).contains("intact: 3 entries"),
        "{}",
        text(&ok.stdout)
    );
    let left = std::fs::read_dir(tail.path()).expect("tail dir").count();
    assert_eq!(left, 0, "the moved segment is removed");
}
