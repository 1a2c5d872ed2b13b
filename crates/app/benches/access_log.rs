//! What the access log costs: throughput of an audited person read against the same read without
//! the log entry, measured two ways.
//!
//! - **The person record** (`App::person_record`, what the record page reads: the person's facts,
//!   the decision, identity, notes, team, consents, blocks, the person's own log), with the
//!   application's log writer against the same use case with a writer that drops every entry
//!   (`LogWriter::discarding`, the `bench` feature).
//! - **The access path alone**: the facts, the decision and the read of the identity (what
//!   `App::person_record` starts with), then the entry committed before the answer, against the
//!   same without the entry. The smallest read there is, so the log's largest share.
//!
//! `cargo bench -p samverka-app --bench access_log` (SQLite; set SAMVERKA_TEST_POSTGRES=1 to add
//! PostgreSQL). Options through the environment: BENCH_SECONDS (default 5), BENCH_CONCURRENCY
//! (default 32), BENCH_ROUNDS (default 1: plain then audited, repeated, with the median cost over
//! the rounds at the end; on a shared machine single rounds vary a great deal), BENCH_READ
//! (`record`, `access` or both, the default). Prints one line per database, read and round, with this process's CPU time per read
//! beside each rate (the database server's is not counted); record the figures in
//! docs/benchmarks.md.

use samverka_app::access_log::LogWriter;
use samverka_app::{App, AppConfig};
use samverka_core::actor::{Actor, Membership, Role};
use samverka_core::audit::Entry;
use samverka_core::policy::{self, AccessRequest, Action, Decision, Facts};
use samverka_core::{AccessLogId, OrganisationId, PersonId, UnitId, UserId};
use samverka_store::{Backend, Db, Query, consent, org, person, testing::TestDb};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Persons the benchmark reads, each on the team of every unit below.
const PERSONS: i64 = 50;
/// Units of one demo organisation that the benchmark's users work in.
const UNITS: usize = 8;

/// One user per concurrent task, in one of a few units of one organisation, as staff are: the
/// log indexes entries by user and by organisation, so a fresh organisation per task would put
/// every entry on an index page of its own, which no deployment does.
fn actor(org: OrganisationId, units: &[UnitId], t: usize) -> Actor {
    Actor {
        user_id: UserId::new(),
        username: format!("bench{t}"),
        display_name: "Bench".into(),
        memberships: vec![Membership {
            unit_id: units[t % units.len()],
            organisation_id: org,
            role: Role::Professional,
        }],
    }
}

/// Puts `PERSONS` demo persons on the team of every unit in `units` (the whole unit, so any
/// benchmark user of the unit may read them).
async fn teams(app: &App, org: OrganisationId, units: &[UnitId]) {
    let new_id = match app.db.backend() {
        Backend::Sqlite => "randomblob(16)",
        Backend::Postgres => "gen_random_uuid()",
    };
    for u in units {
        let mut db: Db = app.db.clone();
        db.execute(Query {
            sql: format!(
                "insert into team_member (id, person_id, user_id, unit_id, organisation_id,
                                          starts_on, created_at)
                 select {new_id}, id, null, $1, $2, $3, $4 from person order by id limit {PERSONS}"
            )
            .into(),
            args: vec![
                (*u).into(),
                org.into(),
                app.today().into(),
                app.now().into(),
            ],
        })
        .await
        .expect("team places");
    }
}

/// The first demo organisation with units, and (some of) its units.
async fn demo_units(app: &App) -> (OrganisationId, Vec<UnitId>) {
    let mut tx = app.db.begin_read().await.expect("tx");
    for o in org::list_organisations(&mut tx)
        .await
        .expect("organisations")
    {
        let units: Vec<UnitId> = org::units_of(&mut tx, o.id)
            .await
            .expect("units")
            .into_iter()
            .filter(|u| u.active)
            .map(|u| u.id)
            .take(UNITS)
            .collect();
        if !units.is_empty() {
            return (o.id, units);
        }
    }
    panic!("the demo world has no units")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Audited,
    Unaudited,
}

/// Which read is measured.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    /// `App::person_record`, as the record page reads it.
    Record,
    /// The access path alone ([`read`]).
    Access,
}

impl Read {
    fn name(self) -> &'static str {
        match self {
            Read::Record => "person record",
            Read::Access => "access path",
        }
    }
}

/// The person's facts, the decision and the read, in one read-only transaction; with `log`,
/// then the entry, committed before this returns.
async fn read(app: &App, actor: &Actor, id: PersonId, log: bool) {
    let mut tx = app.db.begin_read().await.expect("tx");
    let person_facts = consent::person_facts(&mut tx, id, actor.user_id)
        .await
        .expect("facts")
        .expect("person");
    let now = app.now();
    let facts = Facts {
        now,
        today: now.with_timezone(&app.config.time_zone).date_naive(),
        protected_identity_roles: &app.config.protected_identity_roles,
        person: Some(&person_facts),
    };
    let request = AccessRequest {
        action: Action::Read,
        person: Some(id),
    };
    let Decision::Allow(grant) = policy::decide(actor, &request, &facts) else {
        panic!("denied")
    };
    person::get(&mut tx, &grant, id).await.expect("read");
    drop(tx);
    if log {
        let m = grant.membership();
        app.log
            .write(vec![Entry {
                id: AccessLogId::new(),
                at: app.now(),
                user_id: Some(grant.user()),
                organisation_id: Some(m.organisation_id),
                unit_id: Some(m.unit_id),
                role: Some(m.role.code().to_owned()),
                action: grant.action().code().to_owned(),
                person_id: Some(id),
                what: "person_record".into(),
                purpose: None,
                outcome: "allowed".into(),
            }])
            .await
            .expect("log entry");
    }
}

/// CPU time this process has used (user and system), where the system tells it.
fn cpu_time() -> Option<Duration> {
    // Fields 14 and 15 of /proc/self/stat, in clock ticks of 1/100 s on Linux; the name in
    // field 2 may hold spaces but ends with the last ')'.
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let mut fields = stat.get(stat.rfind(')')? + 2..)?.split(' ');
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Reads per second, and CPU microseconds per read.
struct Rate {
    per_second: f64,
    cpu_us: Option<f64>,
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.0}/s", self.per_second)?;
        if let Some(us) = self.cpu_us {
            write!(f, " ({us:.0} µs CPU each)")?;
        }
        Ok(())
    }
}

struct Setup {
    app: Arc<App>,
    /// The same application with a log writer that drops every entry.
    unlogged: Arc<App>,
    persons: Arc<Vec<PersonId>>,
    org: OrganisationId,
    units: Arc<Vec<UnitId>>,
}

async fn run(s: &Setup, what: Read, mode: Mode, seconds: u64, concurrency: u64) -> Rate {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for t in 0..concurrency {
        let app = match (what, mode) {
            (Read::Record, Mode::Unaudited) => s.unlogged.clone(),
            _ => s.app.clone(),
        };
        let (persons, done) = (s.persons.clone(), done.clone());
        let actor = actor(s.org, &s.units, t as usize);
        tasks.push(tokio::spawn(async move {
            let mut i = t as usize;
            while Instant::now() < deadline {
                let id = persons[i % persons.len()];
                i += 7;
                match what {
                    Read::Record => {
                        app.person_record(&actor, id).await.expect("person record");
                    }
                    Read::Access => read(&app, &actor, id, mode == Mode::Audited).await,
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let (start, cpu_start) = (Instant::now(), cpu_time());
    for t in tasks {
        t.await.expect("task");
    }
    let n = done.load(Ordering::Relaxed) as f64;
    Rate {
        per_second: n / start.elapsed().as_secs_f64(),
        cpu_us: cpu_start
            .zip(cpu_time())
            .map(|(a, b)| (b - a).as_secs_f64() * 1e6 / n),
    }
}

fn main() {
    let seconds = env_num("BENCH_SECONDS", 5);
    let concurrency = env_num("BENCH_CONCURRENCY", 32);
    let rounds = env_num("BENCH_ROUNDS", 1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        for t in TestDb::all().await.expect("databases") {
            let name = match t.db.backend() {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            };
            let app = Arc::new(App::new(t.db.clone(), AppConfig::default()));
            app.load_demo(1, 2000, 0).await.expect("demo data");
            let (org, units) = demo_units(&app).await;
            teams(&app, org, &units).await;
            let persons = {
                let searcher = actor(org, &units, 0);
                let found = app.search_persons(&searcher, "a").await.expect("search");
                Arc::new(found.persons.into_iter().map(|v| v.person.id).collect::<Vec<_>>())
            };
            assert!(!persons.is_empty(), "the benchmark's users see nobody");
            let mut unlogged = (*app).clone();
            unlogged.log = LogWriter::discarding();
            let setup = Setup {
                app,
                unlogged: Arc::new(unlogged),
                persons,
                org,
                units: Arc::new(units),
            };
            let reads: &[Read] = match std::env::var("BENCH_READ").as_deref() {
                Ok("record") => &[Read::Record],
                Ok("access") => &[Read::Access],
                _ => &[Read::Record, Read::Access],
            };
            // Warm up, then measure each mode.
            for &what in reads {
                run(&setup, what, Mode::Unaudited, 1, concurrency).await;
            }
            // BENCH_ONLY=plain|audited runs one mode alone, for profiling it.
            let only = match std::env::var("BENCH_ONLY").as_deref() {
                Ok("plain") => Some(Mode::Unaudited),
                Ok("audited") => Some(Mode::Audited),
                _ => None,
            };
            // Each read's log cost per round, for the median over the rounds.
            let mut costs: Vec<Vec<f64>> = vec![Vec::new(); reads.len()];
            for _ in 0..rounds {
                for (k, &what) in reads.iter().enumerate() {
                    let label = what.name();
                    if let Some(mode) = only {
                        let r = run(&setup, what, mode, seconds, concurrency).await;
                        let m = if mode == Mode::Audited { "audited" } else { "without log" };
                        println!("{name}: {label} {m} {r} ({concurrency} concurrent)");
                        continue;
                    }
                    let plain = run(&setup, what, Mode::Unaudited, seconds, concurrency).await;
                    let audited = run(&setup, what, Mode::Audited, seconds, concurrency).await;
                    let cost = 100.0 * (1.0 - audited.per_second / plain.per_second);
                    costs[k].push(cost);
                    println!(
                        "{name}: {label} without log {plain}, audited {audited}, log costs {cost:.1} % ({concurrency} concurrent, {seconds} s each)"
                    );
                }
            }
            // Single rounds vary a great deal on a shared machine; the median of many is the figure.
            if rounds > 1 {
                for (&what, mut c) in reads.iter().zip(costs) {
                    c.sort_by(f64::total_cmp);
                    let median = c[c.len() / 2];
                    println!(
                        "{name}: {} log costs {median:.1} %, median of {rounds} rounds ({:.1}–{:.1} %; {concurrency} concurrent)",
                        what.name(),
                        c[0],
                        c[c.len() - 1]
                    );
                }
            }
            t.cleanup().await;
        }
    });
}
