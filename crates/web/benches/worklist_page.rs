//! The coordinator's worklist page over HTTP, rendered, as a browser gets it: sign-in cookie,
//! the access policy, the query, the access log's commit and the HTML. Beside it the same page's
//! work without rendering (the use case the handler calls), so the rendering's share shows.
//!
//! `cargo bench -p samverka-web --bench worklist_page` (SQLite). Options through the
//! environment: BENCH_PERSONS (default 20,000 sick-listed persons, each one open item),
//! BENCH_ROUNDS (default 50 page views), BENCH_PAGE_SIZE (default 100; the page offers 50, 100,
//! 200 and 500). Record the figures in docs/benchmarks.md.

#[path = "../tests/common/mod.rs"]
mod common;

use chrono::Duration;
use common::TestApp;
use reqwest::StatusCode;
use samverka_app::worklist::WorklistFilter;
use samverka_core::ProgrammeId;
use samverka_core::actor::Role;
use samverka_core::synthetic::{self, Country};
use samverka_store::org::{self, Programme};
use samverka_store::testing::TestDb;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<std::time::Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let persons = env_num("BENCH_PERSONS", 20_000) as usize;
    let rounds = env_num("BENCH_ROUNDS", 50).max(1) as usize;
    let page_size = env_num("BENCH_PAGE_SIZE", 100) as i64;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let t = TestApp::start(TestDb::sqlite().await.expect("database")).await;
        let today = t.app.today();
        let mut tx = t.app.db.begin().await.expect("tx");
        let organisation = org::get_unit(&mut tx, t.unit)
            .await
            .expect("unit")
            .organisation_id;
        let unit_name = org::get_unit(&mut tx, t.unit).await.expect("unit").name;
        org::insert_programme(
            &mut tx,
            &Programme {
                id: ProgrammeId::new(),
                name: "Samordningsteam".into(),
                description: String::new(),
                country: "SE".into(),
                starts_on: today - Duration::days(365),
                ends_on: None,
                active: true,
                created_at: t.app.now(),
                organisations: vec![organisation],
                target_groups: vec!["sick_leave".into()],
                catchment: vec![],
            },
        )
        .await
        .expect("programme");
        tx.commit().await.expect("commit");
        t.user("admin", Role::Administrator).await;
        t.user("coord", Role::Coordinator).await;

        // One open sick leave per person, first days spread over the last 30 days.
        let mut csv =
            samverka_core::signal::header_line(samverka_core::signal::SignalKind::SickLeave);
        csv.push('\n');
        for (i, p) in synthetic::persons(7, persons, Country::Sweden, today)
            .iter()
            .enumerate()
        {
            let first = today - Duration::days((i % 30) as i64 + 1);
            csv.push_str(&format!(
                "{},{},{},{first},,100,F43.2,{},{unit_name}\n",
                p.national_id, p.given_name, p.family_name, p.postal_code
            ));
        }
        let admin = t.app.actor_by_username("admin").await.expect("admin");
        let open = t
            .app
            .open_import(
                &admin,
                None,
                "sick.csv",
                None,
                None,
                std::io::Cursor::new(csv.into_bytes()),
            )
            .await
            .expect("open");
        let o = t.app.run_import(open).await.expect("import");
        println!(
            "{} persons, {} items raised",
            o.import.counts.persons_added, o.screened.raised
        );

        let coord = t.signed_in("coord").await;
        let actor = t.app.actor_by_username("coord").await.expect("coordinator");
        let (mut http, mut app) = (Vec::new(), Vec::new());
        let mut shown = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            // Timed as the browser waits: the tests' own checks of a page parse its HTML.
            let page = coord
                .get_unchecked(&format!("/worklist?per_page={page_size}"))
                .await;
            http.push(started.elapsed());
            assert_eq!(page.status, StatusCode::OK);
            shown = page.select_text("table tbody tr").len();
            let started = Instant::now();
            let page = t
                .app
                .worklist(
                    &actor,
                    WorklistFilter {
                        page_size: Some(page_size),
                        ..WorklistFilter::default()
                    },
                )
                .await
                .expect("worklist");
            app.push(started.elapsed());
            assert_eq!(page.items.len(), shown);
        }
        println!(
            "worklist page of {shown} items, median of {rounds}: {:.1} ms over HTTP, rendered \
             (client to client: sign-in check, policy, query, access log, HTML); {:.1} ms the \
             same work without rendering",
            median(http),
            median(app)
        );
        t.finish().await;
    });
}
