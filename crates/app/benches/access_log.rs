//! What the access log costs: throughput of an audited person read (policy, read, log entry
//! committed before the answer) against the same read without the log entry.
//!
//! `cargo bench -p samverka-app --bench access_log` (SQLite; set SAMVERKA_TEST_POSTGRES=1 to add
//! PostgreSQL). Options through the environment: BENCH_SECONDS (default 5), BENCH_CONCURRENCY
//! (default 32). Prints one line per database and mode; record the figures in docs/benchmarks.md.

use samverka_app::{App, AppConfig};
use samverka_core::actor::{Actor, Membership, Role};
use samverka_core::policy::{self, AccessRequest, Action, Decision};
use samverka_core::{OrganisationId, PersonId, UnitId, UserId};
use samverka_store::testing::TestDb;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn actor() -> Actor {
    Actor {
        user_id: UserId::new(),
        username: "bench".into(),
        display_name: "Bench".into(),
        memberships: vec![Membership {
            unit_id: UnitId::new(),
            organisation_id: OrganisationId::new(),
            role: Role::Professional,
        }],
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Audited,
    Unaudited,
}

async fn run(
    app: Arc<App>,
    persons: Arc<Vec<PersonId>>,
    mode: Mode,
    seconds: u64,
    concurrency: u64,
) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for t in 0..concurrency {
        let (app, persons, done) = (app.clone(), persons.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let actor = actor();
            let mut i = t as usize;
            while Instant::now() < deadline {
                let id = persons[i % persons.len()];
                i += 7;
                match mode {
                    Mode::Audited => {
                        app.person(&actor, id).await.expect("audited read");
                    }
                    Mode::Unaudited => {
                        // The same policy decision and read, without the log entry.
                        let Decision::Allow(g) = policy::decide(
                            &actor,
                            &AccessRequest {
                                action: Action::Read,
                                person: Some(id),
                            },
                        ) else {
                            panic!("denied")
                        };
                        let mut tx = app.db.begin_read().await.expect("tx");
                        samverka_store::person::get(&mut tx, &g, id)
                            .await
                            .expect("read");
                    }
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let start = Instant::now();
    for t in tasks {
        t.await.expect("task");
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let seconds = env_num("BENCH_SECONDS", 5);
    let concurrency = env_num("BENCH_CONCURRENCY", 32);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        for t in TestDb::all().await.expect("databases") {
            let name = match t.db.backend() {
                samverka_store::Backend::Sqlite => "SQLite",
                samverka_store::Backend::Postgres => "PostgreSQL",
            };
            let app = Arc::new(App::new(t.db.clone(), AppConfig::default()));
            app.load_demo(1, 2000, 0).await.expect("demo data");
            let persons = {
                let searcher = actor();
                let found = app.search_persons(&searcher, "a").await.expect("search");
                Arc::new(found.persons.into_iter().map(|v| v.person.id).collect::<Vec<_>>())
            };
            // Warm up, then measure each mode.
            run(app.clone(), persons.clone(), Mode::Unaudited, 1, concurrency).await;
            let plain = run(app.clone(), persons.clone(), Mode::Unaudited, seconds, concurrency).await;
            let audited = run(app.clone(), persons.clone(), Mode::Audited, seconds, concurrency).await;
            let cost = 100.0 * (1.0 - audited / plain);
            println!(
                "{name}: read without log {plain:.0}/s, audited read {audited:.0}/s, log costs {cost:.1} % ({concurrency} concurrent, {seconds} s each)"
            );
            t.cleanup().await;
        }
    });
}
