//! Early identification at scale (issue 4): signal import rate, full screening, incremental
//! screening after a small import, and the worklist page of 500 items.
//!
//! `cargo bench -p samverka-app --bench signals` (SQLite; SAMVERKA_TEST_POSTGRES=1 adds
//! PostgreSQL). Options through the environment: BENCH_PERSONS (default 1,000,000),
//! BENCH_INTENSITY (default 4: about 9.4 signals per person over BENCH_YEARS, default 3),
//! BENCH_ROUNDS (default 3: repetitions of the screening and worklist measurements),
//! BENCH_WORKLIST_ROUNDS (default 5: worklist pages read; more for a profile), BENCH_CHUNK_ROWS
//! (valid rows an import stores per transaction; default as configured).
//! Record the figures in docs/benchmarks.md.

use samverka_app::worklist::WorklistFilter;
use samverka_app::{App, AppConfig};
use samverka_core::signal::SignalKind;
use samverka_core::synthetic::{self, Country};
use samverka_core::synthetic_signals::{Options, write_signals};
use samverka_store::Backend;
use samverka_store::testing::TestDb;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let persons = env_num("BENCH_PERSONS", 1_000_000) as usize;
    let intensity = env_num("BENCH_INTENSITY", 4) as u32;
    let years = env_num("BENCH_YEARS", 3) as u32;
    let rounds = env_num("BENCH_ROUNDS", 3).max(1) as usize;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("samverka-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("bench dir");
        let config = AppConfig::default();
        let today = chrono::Utc::now()
            .with_timezone(&config.time_zone)
            .date_naive();
        // The files once, for every database.
        let started = Instant::now();
        let people = synthetic::persons(42, persons, Country::Sweden, today);
        let mut opts = Options::new(42, today);
        opts.years = years;
        opts.intensity = intensity;
        let written = write_signals(&people, &opts, |kind| {
            std::fs::File::create(dir.join(format!("{}.csv", kind.code())))
        })
        .expect("signal files");
        let rows: u64 = written.iter().map(|w| w.rows).sum();
        println!(
            "{} persons, {rows} signal rows generated in {:.1} s",
            people.len(),
            started.elapsed().as_secs_f64()
        );
        // 1,000 rows for 1,000 known persons, for the incremental screening.
        let small = dir.join("small.csv");
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&small).expect("small file");
            writeln!(
                f,
                "{}",
                samverka_core::signal::header_line(SignalKind::SickLeave)
            )
            .expect("write");
            for p in people
                .iter()
                .step_by((people.len() / 1000).max(1))
                .take(1000)
            {
                writeln!(
                    f,
                    "{},{},{},{},,100,F43.2,,",
                    p.national_id,
                    p.given_name,
                    p.family_name,
                    today - chrono::Duration::days(3)
                )
                .expect("write");
            }
        }
        for t in TestDb::all().await.expect("databases") {
            let name = match t.db.backend() {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            };
            run(name, &t, &dir, &small, rows, rounds).await;
            t.cleanup().await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}

async fn run(
    name: &str,
    t: &TestDb,
    dir: &std::path::Path,
    small: &PathBuf,
    rows: u64,
    rounds: usize,
) {
    let mut config = AppConfig::default();
    config.import_chunk_rows =
        env_num("BENCH_CHUNK_ROWS", config.import_chunk_rows as u64) as usize;
    let app = App::new(t.db.clone(), config);
    app.load_demo(1, 10, 0).await.expect("demo world");
    let admin = app.actor_by_username("admin").await.expect("admin");
    let coordinator = app
        .actor_by_username("coordinator")
        .await
        .expect("coordinator");
    let supplier = app
        .organisation_by_name("Region Östergötland – primärvården")
        .await
        .expect("supplier");

    // Import: every file, the rows read, checked, stored and screened (imports screen what they
    // store, in the same transaction).
    let mut storing = Duration::ZERO;
    let mut screening = Duration::ZERO;
    for kind in SignalKind::ALL {
        let path = dir.join(format!("{}.csv", kind.code()));
        let file = std::fs::File::open(&path).expect("file");
        let size = file.metadata().map(|m| m.len() as i64).ok();
        let open = app
            .open_import(
                &admin,
                Some(supplier),
                &format!("{}.csv", kind.code()),
                None,
                size,
                std::io::BufReader::with_capacity(1 << 20, file),
            )
            .await
            .expect("open");
        let o = app.run_import(open).await.expect("import");
        storing += o.elapsed;
        screening += o.screening;
    }
    println!(
        "{name}: import {rows} rows stored and screened in {:.1} s = {:.0} rows/s (of which screening {:.1} s)",
        storing.as_secs_f64(),
        rows as f64 / storing.as_secs_f64(),
        screening.as_secs_f64()
    );

    // Full screening.
    let mut full = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let s = app.screen_full().await.expect("full screening");
        full.push(started.elapsed());
        println!(
            "{name}: full screening of {} persons ({} signal sets): {} ({} raised, {} changed, {} dropped)",
            s.persons,
            s.sets,
            ms(*full.last().expect("one")),
            s.raised,
            s.changed,
            s.dropped
        );
    }
    println!(
        "{name}: full screening, median of {rounds}: {}",
        ms(median(full))
    );

    // Incremental screening after a 1,000-row import.
    let mut incremental = Vec::new();
    let mut whole = Vec::new();
    for round in 0..rounds {
        // Another day's certificates each round, so every round adds 1,000 new signals.
        let text = std::fs::read_to_string(small).expect("small");
        let shifted = text.replace(",100,", &format!(",{},", [100, 50, 75, 25][round % 4]));
        let open = app
            .open_import(
                &admin,
                Some(supplier),
                "small.csv",
                None,
                None,
                std::io::Cursor::new(shifted.into_bytes()),
            )
            .await
            .expect("open");
        let o = app.run_import(open).await.expect("small import");
        incremental.push(o.screening);
        whole.push(o.elapsed);
        println!(
            "{name}: 1,000-row import: all of it {}, of which screening {} signal sets {}",
            ms(o.elapsed),
            o.screened.persons,
            ms(o.screening)
        );
    }
    println!(
        "{name}: incremental screening of a 1,000-row import, median of {rounds}: {} (the whole import {})",
        ms(median(incremental)),
        ms(median(whole))
    );

    // The worklist page of 500 open items (decision, query, policy per row, access log commit).
    let mut pages = Vec::new();
    let mut shown = 0;
    for _ in 0..env_num("BENCH_WORKLIST_ROUNDS", rounds.max(5) as u64) {
        let started = Instant::now();
        let page = app
            .worklist(
                &coordinator,
                WorklistFilter {
                    page_size: Some(500),
                    ..WorklistFilter::default()
                },
            )
            .await
            .expect("worklist");
        pages.push(started.elapsed());
        shown = page.items.len();
    }
    println!(
        "{name}: worklist page of {shown} items, median of {}: {}",
        pages.len(),
        ms(median(pages))
    );
}
