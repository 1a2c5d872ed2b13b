//! Early identification at the app level, on SQLite and (with `SAMVERKA_TEST_POSTGRES`)
//! PostgreSQL: signal imports and their reports, screening, the coordinator's worklist with its
//! walls between organisations, first contacts and dismissals, and the access log.
//!
//! Each test builds a small world of its own (see [`world`]): organisation A (primary care) and
//! B (social services) take part in programme P (target groups sick leave, income support and
//! SAD; area: postal codes starting 58); organisation C takes part only in programme Q.

mod common;

use chrono::{Datelike, Duration, Months, NaiveDate};
use common::each_db;
use samverka_app::records::{BlockInput, ConsentInput};
use samverka_app::signals::ImportOutcome;
use samverka_app::teams::TeamInput;
use samverka_app::worklist::{OutcomeInput, WorklistFilter, WorklistItem};
use samverka_app::{App, AppConfig, AppError, FieldError};
use samverka_core::actor::{Actor, Membership, Role};
use samverka_core::national_id::luhn_check_digit;
use samverka_core::org::Sector;
use samverka_core::rules::{DEFAULT_RULES, Rules};
use samverka_core::signal::SignalKind;
use samverka_core::{OrganisationId, PersonId, ProgrammeId, UnitId, UserId};
use samverka_store::Backend;
use samverka_store::db::Count;
use samverka_store::flag::{self, Flag, FlagKey, OutcomeKind, Status};
use samverka_store::org::{self, Organisation, Programme, Unit};
use samverka_store::signal::ImportStatus;
use samverka_store::user::{self, User};
use samverka_store::{Tx, q};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// The world

const ORG_A: &str = "Region Test primärvård";
const UNIT_A: &str = "Vårdcentralen Ryd";
const ORG_B: &str = "Socialtjänsten Test";
const UNIT_B: &str = "Försörjningsstöd Test";

struct World {
    a: OrganisationId,
    b: OrganisationId,
    unit_b: UnitId,
    other_programme: ProgrammeId,
    admin_a: Actor,
    coord_a: Actor,
    admin_b: Actor,
    coord_b: Actor,
    prof_b: Actor,
}

async fn add_org(
    tx: &mut Tx,
    app: &App,
    name: &str,
    unit: &str,
    sector: Sector,
) -> (OrganisationId, UnitId) {
    let o = Organisation {
        id: OrganisationId::new(),
        name: name.into(),
        sector,
        country: "SE".into(),
        active: true,
        created_at: app.now(),
    };
    org::insert_organisation(tx, &o)
        .await
        .expect("organisation");
    let u = Unit {
        id: UnitId::new(),
        organisation_id: o.id,
        name: unit.into(),
        active: true,
        created_at: app.now(),
    };
    org::insert_unit(tx, &u).await.expect("unit");
    (o.id, u.id)
}

/// A user with one role in one unit, as the actor a signed-in session would give.
async fn add_user(
    tx: &mut Tx,
    app: &App,
    username: &str,
    (organisation_id, unit_id): (OrganisationId, UnitId),
    role: Role,
) -> Actor {
    let u = User {
        id: UserId::new(),
        username: username.into(),
        display_name: format!("{username} Testsson"),
        email: None,
        password_hash: "not-a-real-hash".into(),
        totp_secret: None,
        active: true,
        created_at: app.now(),
        deactivated_at: None,
    };
    user::insert(tx, &u).await.expect("user");
    user::add_membership(tx, u.id, unit_id, role, app.now())
        .await
        .expect("membership");
    Actor {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        memberships: vec![Membership {
            unit_id,
            organisation_id,
            role,
        }],
    }
}

fn programme(
    app: &App,
    name: &str,
    organisations: Vec<OrganisationId>,
    groups: &[&str],
    catchment: &[&str],
) -> Programme {
    Programme {
        id: ProgrammeId::new(),
        name: name.into(),
        description: String::new(),
        country: "SE".into(),
        starts_on: app.today() - Duration::days(365),
        ends_on: None,
        active: true,
        created_at: app.now(),
        organisations,
        target_groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        catchment: catchment.iter().map(|c| (*c).to_owned()).collect(),
    }
}

async fn world(app: &App) -> World {
    let mut tx = app.db.begin().await.expect("tx");
    let a = add_org(&mut tx, app, ORG_A, UNIT_A, Sector::PrimaryCare).await;
    let b = add_org(&mut tx, app, ORG_B, UNIT_B, Sector::SocialServices).await;
    let c = add_org(
        &mut tx,
        app,
        "Region Annan",
        "Vårdcentralen Annan",
        Sector::PrimaryCare,
    )
    .await;
    let p = programme(
        app,
        "Samordningsteam Test",
        vec![a.0, b.0],
        &["income_support", "sad", "sick_leave"],
        &["58"],
    );
    let q = programme(app, "Annat team", vec![c.0], &["sick_leave"], &[]);
    org::insert_programme(&mut tx, &p).await.expect("programme");
    org::insert_programme(&mut tx, &q).await.expect("programme");
    let w = World {
        a: a.0,
        b: b.0,
        unit_b: b.1,
        other_programme: q.id,
        admin_a: add_user(&mut tx, app, "admin-a", a, Role::Administrator).await,
        coord_a: add_user(&mut tx, app, "coord-a", a, Role::Coordinator).await,
        admin_b: add_user(&mut tx, app, "admin-b", b, Role::Administrator).await,
        coord_b: add_user(&mut tx, app, "coord-b", b, Role::Coordinator).await,
        prof_b: add_user(&mut tx, app, "prof-b", b, Role::Professional).await,
    };
    tx.commit().await.expect("commit");
    w
}

// ---------------------------------------------------------------------------------------------
// Files

/// A valid personnummer (YYYYMMDD-NNNC) from its first eleven digits.
fn pnr(first11: &str) -> String {
    format!(
        "{}-{}{}",
        &first11[..8],
        &first11[8..],
        luhn_check_digit(&first11[2..])
    )
}

/// The same number with a wrong check digit.
fn wrong_check_digit(first11: &str) -> String {
    let good = luhn_check_digit(&first11[2..]);
    format!("{}-{}{}", &first11[..8], &first11[8..], (good + 1) % 10)
}

const SICK: &str =
    "national_id,given_name,family_name,first_day,last_day,extent,diagnosis,postal_code,unit";
const INCOME: &str = "national_id,given_name,family_name,month,amount,postal_code,unit";
const UNEMPLOYMENT: &str =
    "national_id,given_name,family_name,registered_on,deregistered_on,postal_code,unit";

fn file(header: &str, rows: &[String]) -> String {
    let mut s = String::from(header);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

/// One sick-leave row: open-ended, in A's unit.
fn sick(
    id: &str,
    given: &str,
    family: &str,
    first: NaiveDate,
    extent: u32,
    postal: &str,
) -> String {
    format!("{id},{given},{family},{first},,{extent},,{postal},{UNIT_A}")
}

/// The two persons most tests follow: full-time sick leave from `first`, living in `postal`.
fn anna(first: NaiveDate, postal: &str) -> String {
    sick(&pnr("19800101123"), "Anna", "Lindqvist", first, 100, postal)
}

fn bo(first: NaiveDate, postal: &str) -> String {
    sick(&pnr("19810202234"), "Bo", "Ek", first, 100, postal)
}

async fn import(app: &App, actor: &Actor, name: &str, csv: &str) -> ImportOutcome {
    try_import(app, actor, name, csv).await.expect("import")
}

async fn try_import(
    app: &App,
    actor: &Actor,
    name: &str,
    csv: &str,
) -> Result<ImportOutcome, AppError> {
    let open = app
        .open_import(
            actor,
            None,
            name,
            None,
            Some(csv.len() as i64),
            std::io::Cursor::new(csv.as_bytes().to_vec()),
        )
        .await?;
    app.run_import(open).await
}

/// Ten months of income support up to last month, supplied by B.
fn income_support_file(app: &App, id: &str, given: &str, family: &str) -> String {
    let this_month = app.today().with_day(1).expect("first of month");
    let rows: Vec<String> = (1..=10)
        .map(|i| {
            let m = this_month - Months::new(i);
            format!(
                "{id},{given},{family},{},9000,58243,{UNIT_B}",
                m.format("%Y-%m")
            )
        })
        .collect();
    file(INCOME, &rows)
}

// ---------------------------------------------------------------------------------------------
// Reading what users see

fn days_ago(app: &App, n: i64) -> NaiveDate {
    app.today() - Duration::days(n)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn items(app: &App, actor: &Actor, status: Status) -> Vec<WorklistItem> {
    app.worklist(
        actor,
        WorklistFilter {
            status,
            ..WorklistFilter::default()
        },
    )
    .await
    .expect("worklist")
    .items
}

fn names(items: &[WorklistItem]) -> Vec<String> {
    let mut v: Vec<String> = items
        .iter()
        .map(|i| {
            format!(
                "{} {} {}",
                i.row.given_name, i.row.family_name, i.row.flag.key.rule_id
            )
        })
        .collect();
    v.sort();
    v
}

fn find<'a>(items: &'a [WorklistItem], family: &str, rule: &str) -> &'a WorklistItem {
    items
        .iter()
        .find(|i| i.row.family_name == family && i.row.flag.key.rule_id == rule)
        .unwrap_or_else(|| panic!("{family} / {rule} not on the worklist: {:?}", names(items)))
}

/// Every stored flag, in key order.
/// One page of the coordinator's worklist, each item as `label` shows it, and whether more follow.
async fn worklist_page<T>(
    app: &App,
    coord: &Actor,
    filter: WorklistFilter,
    label: impl Fn(&WorklistItem) -> T,
) -> (Vec<T>, bool) {
    let p = app.worklist(coord, filter).await.expect("worklist");
    (p.items.iter().map(label).collect(), p.has_more)
}

async fn stored_flags(app: &App) -> Vec<Flag> {
    let mut tx = app.db.begin_read().await.expect("tx");
    let mut f = flag::all_flags(&mut tx).await.expect("flags");
    f.sort_by(|a, b| a.key.cmp(&b.key));
    f
}

async fn count(app: &App, sql: &'static str) -> i64 {
    let mut tx = app.db.begin_read().await.expect("tx");
    let c: Count = tx.fetch_one(q!(sql)).await.expect(sql);
    c.n
}

/// The access-log entries about a person: (action, what, outcome, user), oldest first.
async fn log_of(app: &App, person: PersonId) -> Vec<(String, String, String, Option<UserId>)> {
    app.log.flush().await.expect("flush");
    let mut tx = app.db.begin_read().await.expect("tx");
    let mut v: Vec<_> = samverka_store::access_log::for_person(&mut tx, person, 1000)
        .await
        .expect("log")
        .into_iter()
        .map(|e| (e.action, e.what, e.outcome, e.user_id))
        .collect();
    v.reverse();
    v
}

fn fields(e: &AppError) -> Vec<(&'static str, &'static str)> {
    match e {
        AppError::Invalid(v) => v.iter().map(|f: &FieldError| (f.field, f.code)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn contact(on: impl ToString, channel: &str) -> OutcomeInput {
    OutcomeInput::Contact {
        on: on.to_string(),
        channel: channel.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Imports

#[tokio::test]
async fn rejected_rows_are_reported_by_line_field_and_code_and_valid_rows_are_stored() {
    each_db(|app| async move {
        let w = world(&app).await;
        let start = days_ago(&app, 20);
        let csv = file(
            SICK,
            &[
                // line 2: valid
                sick(&pnr("19800101123"), "Anna", "Lindqvist", start, 50, "58222"),
                // line 3: a date that does not exist
                format!("{},Bo,Ek,2026-02-30,,50,,58222,", pnr("19810202234")),
                // line 4: an extent that is not 25/50/75/100
                sick(&pnr("19820303345"), "Cecilia", "Berg", start, 30, "58222"),
                // line 5: a number with a wrong check digit
                sick(
                    &wrong_check_digit("19830404456"),
                    "David",
                    "Holm",
                    start,
                    100,
                    "58222",
                ),
                // line 6: the given name, which is required, is missing
                sick(&pnr("19840505567"), "", "Sjö", start, 100, "58222"),
                // line 7: a unit the organisation does not have
                format!(
                    "{},Frida,Lund,{start},,100,,58222,Vårdcentralen Ingenstans",
                    pnr("19850606678")
                ),
                // line 8: valid, the unit named in capitals
                format!(
                    "{},Gustav,Nyberg,{start},,100,,58333,VÅRDCENTRALEN RYD",
                    pnr("19860707789")
                ),
            ],
        );
        let out = import(&app, &w.admin_a, "sjukskrivningar.csv", &csv).await;
        let expected = [
            (3, "first_day", "import-bad-date"),
            (4, "extent", "import-bad-extent"),
            (5, "national_id", "national-id-checksum-mismatch"),
            (6, "given_name", "import-missing"),
            (7, "unit", "import-unknown-unit"),
        ];
        let reported: Vec<(u64, &str, &str)> = out
            .report
            .iter()
            .map(|e| (e.line, e.field.as_str(), e.problem.code()))
            .collect();
        assert_eq!(reported, expected);

        // The import's counts, as run and as recorded.
        let c = out.import.counts;
        assert_eq!(
            (c.total, c.added, c.known, c.rejected, c.persons_added),
            (7, 2, 0, 5, 2)
        );
        assert_eq!(out.import.status, ImportStatus::Done);
        assert_eq!(out.import.kind, SignalKind::SickLeave);
        assert_eq!(out.import.bytes_read, csv.len() as i64);
        assert_eq!(out.import.file_sha256.as_ref().map(String::len), Some(64));

        // The report page's data: the same lines, with the values the messages name.
        let (recorded, lines) = app
            .import_report(&w.admin_a, out.import.id)
            .await
            .expect("report");
        assert_eq!(recorded.counts, c);
        assert_eq!(recorded.status, ImportStatus::Done);
        assert_eq!(recorded.file_name, "sjukskrivningar.csv");
        let stored: Vec<(i64, &str, &str)> = lines
            .iter()
            .map(|l| (l.line, l.field.as_str(), l.code.as_str()))
            .collect();
        let expected_stored: Vec<(i64, &str, &str)> = expected
            .iter()
            .map(|(l, f, c)| (*l as i64, *f, *c))
            .collect();
        assert_eq!(stored, expected_stored);
        assert!(lines[0].args.contains("2026-02-30"), "{}", lines[0].args);
        assert!(lines[1].args.contains("30"), "{}", lines[1].args);
        assert!(
            lines[4].args.contains("Vårdcentralen Ingenstans"),
            "{}",
            lines[4].args
        );
        assert!(!lines[0].message.is_empty());
        // The report keeps no person data.
        for l in &lines {
            for name in ["Bo", "Cecilia", "David", "Frida", "19830404"] {
                assert!(!l.message.contains(name) && !l.args.contains(name), "{l:?}");
            }
        }
        assert_eq!(app.imports(&w.admin_a).await.expect("imports").len(), 1);

        // The valid rows are stored as signals and raised items; the rejected are not.
        assert_eq!(count(&app, "select count(*) as n from person").await, 2);
        let shown = items(&app, &w.coord_a, Status::Open).await;
        assert_eq!(
            names(&shown),
            [
                "Anna Lindqvist sick_leave_day_35",
                "Gustav Nyberg sick_leave_day_35"
            ]
        );
        assert_eq!(
            find(&shown, "Nyberg", "sick_leave_day_35")
                .row
                .unit_name
                .as_deref(),
            Some(UNIT_A)
        );

        // Another organisation's administrator does not see A's import.
        let e = app
            .import_report(&w.admin_b, out.import.id)
            .await
            .expect_err("not B's import");
        assert!(matches!(e, AppError::NotFound), "{e:?}");
    })
    .await;
}

#[tokio::test]
async fn a_row_that_is_not_utf8_is_reported_on_its_line_and_the_rest_is_read() {
    each_db(|app| async move {
        let w = world(&app).await;
        let start = days_ago(&app, 20);
        // A row saved as Latin-1 ("Åsa Öberg") between two valid rows.
        let mut bytes = file(
            SICK,
            &[sick(
                &pnr("19800101123"),
                "Anna",
                "Lindqvist",
                start,
                50,
                "58222",
            )],
        )
        .into_bytes();
        bytes.extend_from_slice(pnr("19810202234").as_bytes());
        bytes.extend_from_slice(b",\xc5sa,\xd6berg,");
        bytes.extend_from_slice(format!("{start},,50,,58222,\n").as_bytes());
        bytes.extend_from_slice(
            format!(
                "{}\n",
                sick(&pnr("19820303345"), "Cecilia", "Berg", start, 50, "58222")
            )
            .as_bytes(),
        );
        let open = app
            .open_import(
                &w.admin_a,
                None,
                "latin1.csv",
                None,
                None,
                std::io::Cursor::new(bytes),
            )
            .await
            .expect("open");
        let out = app.run_import(open).await.expect("import");
        let reported: Vec<(u64, &str, &str)> = out
            .report
            .iter()
            .map(|e| (e.line, e.field.as_str(), e.problem.code()))
            .collect();
        assert_eq!(reported, [(3, "file", "import-not-text")]);
        let c = out.import.counts;
        assert_eq!((c.total, c.added, c.rejected), (3, 2, 1));
        assert_eq!(
            names(&items(&app, &w.coord_a, Status::Open).await),
            [
                "Anna Lindqvist sick_leave_day_35",
                "Cecilia Berg sick_leave_day_35"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_bad_header_is_refused_before_any_import_is_recorded() {
    each_db(|app| async move {
        let w = world(&app).await;
        let row = sick(
            &pnr("19800101123"),
            "Anna",
            "Lindqvist",
            days_ago(&app, 3),
            50,
            "58222",
        );
        // (file, code on `file`, a named value the message shows)
        type Case = (String, &'static str, Option<(&'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            (
                file(&format!("{SICK},shoe_size"), std::slice::from_ref(&row)),
                "import-header-unknown-column",
                Some(("column", "shoe_size")),
            ),
            (
                file("national_id,given_name,first_day,extent", &[]),
                "import-header-missing-column",
                Some(("column", "family_name")),
            ),
            (
                file("national_id,given_name,family_name", &[]),
                "import-header-unknown-kind",
                None,
            ),
            (String::new(), "import-empty-file", None),
        ];
        for (csv, code, arg) in cases {
            let e = try_import(&app, &w.admin_a, "bad.csv", &csv)
                .await
                .expect_err(code);
            let AppError::Invalid(problems) = &e else {
                panic!("{code}: expected field errors, got {e:?}");
            };
            assert_eq!(problems.len(), 1, "{code}: {problems:?}");
            assert_eq!((problems[0].field, problems[0].code), ("file", code));
            if let Some((name, value)) = arg {
                assert!(
                    problems[0]
                        .args
                        .iter()
                        .any(|(k, v)| *k == name && v == value),
                    "{code}: {:?}",
                    problems[0].args
                );
            }
        }
        // The header is read before the import is recorded: nothing is.
        assert!(app.imports(&w.admin_a).await.expect("imports").is_empty());
        assert_eq!(
            count(&app, "select count(*) as n from signal_import").await,
            0
        );
        assert_eq!(count(&app, "select count(*) as n from person").await, 0);

        // Only administrators import.
        let e = try_import(&app, &w.coord_a, "s.csv", &file(SICK, &[row]))
            .await
            .expect_err("a coordinator does not import");
        assert!(matches!(e, AppError::Forbidden), "{e:?}");
        assert_eq!(
            count(&app, "select count(*) as n from signal_import").await,
            0
        );
    })
    .await;
}

/// A large import leaves PostgreSQL's planner with statistics of the tables as they now are
/// (otherwise, until autovacuum comes by, the next import reads a few persons' items through the
/// organisation's whole worklist index); SQLite keeps none.
#[tokio::test]
async fn a_large_import_refreshes_postgresqls_planner_statistics() {
    each_db(|app| async move {
        let w = world(&app).await;
        let rows: Vec<String> = (0..120)
            .map(|i| {
                let n = format!("1970{:02}{:02}{:03}", 1 + i % 12, 1 + i % 28, 100 + i);
                sick(&pnr(&n), "Bulk", "Person", days_ago(&app, 10), 100, "58222")
            })
            .collect();
        let out = import(&app, &w.admin_a, "many.csv", &file(SICK, &rows)).await;
        assert_eq!(out.import.counts.persons_added, 120);
        assert_eq!(out.screened.raised, 120);
        if app.db.backend() == Backend::Postgres {
            const PERSON: &str =
                "select reltuples::bigint as n from pg_class where oid = 'person'::regclass";
            const SETS: &str =
                "select reltuples::bigint as n from pg_class where oid = 'signal_set'::regclass";
            const FLAGS: &str =
                "select reltuples::bigint as n from pg_class where oid = 'flag'::regclass";
            assert_eq!(
                count(&app, PERSON).await,
                count(&app, "select count(*) as n from person").await
            );
            assert_eq!(count(&app, SETS).await, 120);
            assert_eq!(count(&app, FLAGS).await, 120);
            // A full screening that raises most items again refreshes them too.
            let mut db = app.db.clone();
            db.execute(q!("delete from flag")).await.expect("delete");
            db.execute(q!("analyze flag")).await.expect("analyze");
            assert_eq!(count(&app, FLAGS).await, 0);
            assert_eq!(app.screen_full().await.expect("screening").raised, 120);
            assert_eq!(count(&app, FLAGS).await, 120);
        }
    })
    .await;
}

#[tokio::test]
async fn importing_the_same_file_again_adds_nothing_and_an_overlapping_file_adds_only_new_rows() {
    each_db(|app| async move {
        let w = world(&app).await;
        let rows: Vec<String> = [
            ("19800101123", "Anna", "Lindqvist", 20),
            ("19810202234", "Bo", "Ek", 10),
            ("19820303345", "Cecilia", "Berg", 30),
            ("19830404456", "David", "Holm", 5),
        ]
        .iter()
        .map(|(n, g, f, d)| sick(&pnr(n), g, f, days_ago(&app, *d), 100, "58222"))
        .collect();
        let csv = file(SICK, &rows);
        let first = import(&app, &w.admin_a, "a.csv", &csv).await;
        let c = first.import.counts;
        assert_eq!(
            (c.total, c.added, c.known, c.rejected, c.persons_added),
            (4, 4, 0, 0, 4)
        );
        assert_eq!(first.screened.raised, 4);
        let flags = stored_flags(&app).await;
        assert_eq!(flags.len(), 4);

        let again = import(&app, &w.admin_a, "a.csv", &csv).await;
        let c = again.import.counts;
        assert_eq!(
            (c.total, c.added, c.known, c.rejected, c.persons_added),
            (4, 0, 4, 0, 0)
        );
        assert_eq!(
            (
                again.screened.raised,
                again.screened.changed,
                again.screened.dropped
            ),
            (0, 0, 0)
        );
        assert_eq!(again.import.file_sha256, first.import.file_sha256);
        assert_eq!(stored_flags(&app).await, flags, "the flags are unchanged");
        assert_eq!(count(&app, "select count(*) as n from person").await, 4);

        // Half old rows, half new: only the new ones are added.
        let mut overlap = rows[2..].to_vec();
        overlap.push(sick(
            &pnr("19840505567"),
            "Elin",
            "Sjö",
            days_ago(&app, 7),
            75,
            "58222",
        ));
        overlap.push(sick(
            &pnr("19850606678"),
            "Frida",
            "Lund",
            days_ago(&app, 8),
            25,
            "58222",
        ));
        let third = import(&app, &w.admin_a, "b.csv", &file(SICK, &overlap)).await;
        let c = third.import.counts;
        assert_eq!(
            (c.total, c.added, c.known, c.rejected, c.persons_added),
            (4, 2, 2, 0, 2)
        );
        let after = stored_flags(&app).await;
        assert_eq!(after.len(), 6);
        assert!(
            flags.iter().all(|f| after.contains(f)),
            "old flags kept as they were"
        );
        assert_eq!(names(&items(&app, &w.coord_a, Status::Open).await).len(), 6);
        assert_eq!(
            app.imports(&w.admin_a)
                .await
                .expect("imports")
                .iter()
                .map(|i| i.counts.added)
                .collect::<Vec<_>>(),
            [2, 0, 4],
            "newest first"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Screening and the worklist

#[tokio::test]
async fn a_sick_leave_from_20_days_ago_is_on_the_coordinators_worklist_due_on_day_35() {
    each_db(|app| async move {
        let w = world(&app).await;
        let first = days_ago(&app, 20);
        let last = app.today() + Duration::days(30);
        let csv = file(
            SICK,
            &[format!(
                "{},Anna,Lindqvist,{first},{last},50,M54,58222,{UNIT_A}",
                pnr("19800101123")
            )],
        );
        let out = import(&app, &w.admin_a, "s.csv", &csv).await;
        assert_eq!((out.screened.persons, out.screened.raised), (1, 1));

        let page = app
            .worklist(&w.coord_a, WorklistFilter::default())
            .await
            .expect("worklist");
        assert_eq!(
            page.programme.as_ref().map(|p| p.name.as_str()),
            Some("Samordningsteam Test")
        );
        assert_eq!(page.items.len(), 1, "{:?}", names(&page.items));
        let i = &page.items[0];
        assert_eq!(
            (i.row.given_name.as_str(), i.row.family_name.as_str()),
            ("Anna", "Lindqvist")
        );
        assert_eq!(i.row.national_id_display(), pnr("19800101123"));
        assert_eq!(i.row.flag.key.rule_id, "sick_leave_day_35");
        assert_eq!(i.row.flag.key.organisation_id, w.a);
        assert_eq!(i.row.flag.key.key_on, first);
        assert_eq!(i.row.flag.target_group, "sick_leave");
        assert_eq!(i.row.flag.priority, 1);
        assert_eq!(i.row.flag.due_on, first + Duration::days(35));
        assert_eq!(i.days_left, 15);
        assert_eq!(i.day, 21);
        // The explanation's facts: since when, how much, until when, which diagnosis.
        assert_eq!(i.row.flag.start_on, first);
        assert_eq!(i.row.flag.value, 50);
        assert_eq!(i.row.flag.other_on, Some(last));
        assert_eq!(i.row.flag.code, "M54");
        assert_eq!(i.owner, ORG_A);
        assert_eq!(i.row.unit_name.as_deref(), Some(UNIT_A));
        assert!(i.row.outcome.is_none());
        assert_eq!(
            i.age,
            Some(samverka_core::rules::age_on(date(1980, 1, 1), app.today()))
        );

        // The item page shows the same.
        let one = app
            .worklist_item(&w.coord_a, &i.row.flag.key)
            .await
            .expect("item");
        assert_eq!((one.days_left, one.day), (15, 21));
        assert_eq!(one.row.flag, i.row.flag);
    })
    .await;
}

/// Imports screen what they store in the same transaction: the items are there when the import
/// returns, and an organisation's import rewrites only its own items about a person.
#[tokio::test]
async fn an_import_screens_its_own_organisations_signals_and_leaves_others_items_alone() {
    each_db(|app| async move {
        let w = world(&app).await;
        let id = pnr("19800101123");
        let first = days_ago(&app, 20);
        let a = import(
            &app,
            &w.admin_a,
            "a.csv",
            &file(SICK, &[anna(first, "58222")]),
        )
        .await;
        assert_eq!((a.screened.sets, a.screened.raised), (1, 1));
        let before = stored_flags(&app).await;
        assert_eq!(before.len(), 1);

        let b = import(
            &app,
            &w.admin_b,
            "b.csv",
            &income_support_file(&app, &id, "Anna", "Lindqvist"),
        )
        .await;
        // Only B's signals about Anna were screened, and they raised B's item.
        assert_eq!((b.screened.sets, b.screened.dropped), (1, 0));
        assert_eq!(b.screened.raised, 1);
        let after = stored_flags(&app).await;
        assert_eq!(after.len(), 2, "{after:?}");
        assert!(after.contains(&before[0]), "A's item changed: {after:?}");
        assert!(
            after.iter().any(
                |f| f.key.organisation_id == w.b && f.key.rule_id.starts_with("income_support")
            )
        );
    })
    .await;
}

/// A person registered by a file that named no postal code is outside every programme area until
/// a later file names one; a postal code once known is never overwritten by an import.
#[tokio::test]
async fn a_later_file_gives_a_person_without_a_postal_code_theirs_and_never_overwrites_it() {
    each_db(|app| async move {
        let w = world(&app).await;
        let id = pnr("19800101123");
        let first = days_ago(&app, 20);
        import(
            &app,
            &w.admin_a,
            "no-postal-code.csv",
            &file(SICK, &[anna(first, "")]),
        )
        .await;
        assert!(
            items(&app, &w.coord_a, Status::Open).await.is_empty(),
            "shown although outside the programme's area (58…)"
        );
        // B's file names Anna's postal code, in the area.
        import(
            &app,
            &w.admin_b,
            "b.csv",
            &income_support_file(&app, &id, "Anna", "Lindqvist"),
        )
        .await;
        let open = items(&app, &w.coord_a, Status::Open).await;
        find(&open, "Lindqvist", "sick_leave_day_35");
        // A file naming another postal code (Stockholm) changes nothing.
        import(
            &app,
            &w.admin_a,
            "moved.csv",
            &file(
                SICK,
                &[sick(
                    &id,
                    "Anna",
                    "Lindqvist",
                    first - Duration::days(100),
                    50,
                    "11122",
                )],
            ),
        )
        .await;
        let open = items(&app, &w.coord_a, Status::Open).await;
        find(&open, "Lindqvist", "sick_leave_day_35");
    })
    .await;
}

/// Imports keep the persons they met (`App::known_persons`) and look up only numbers they have not
/// met. A postal code such a person was kept without, which another process (a second server, the
/// CLI) filled meanwhile, stays as that process filled it: the kept person is not the truth.
#[tokio::test]
async fn a_postal_code_filled_elsewhere_after_an_import_met_the_person_is_kept() {
    each_db(|app| async move {
        let w = world(&app).await;
        let first = days_ago(&app, 20);
        import(
            &app,
            &w.admin_a,
            "no-postal-code.csv",
            &file(SICK, &[anna(first, "")]),
        )
        .await;
        assert_eq!(app.known_persons.len(), 1, "the import keeps whom it met");
        let mut db = app.db.clone();
        db.execute(q!(
            "update person set postal_code = '58222' where family_name = 'Lindqvist'"
        ))
        .await
        .expect("filled elsewhere");
        // A later file names another postal code (Stockholm): nothing is overwritten.
        import(
            &app,
            &w.admin_a,
            "moved.csv",
            &file(
                SICK,
                &[sick(
                    &pnr("19800101123"),
                    "Anna",
                    "Lindqvist",
                    first - Duration::days(100),
                    50,
                    "11122",
                )],
            ),
        )
        .await;
        assert_eq!(
            count(
                &app,
                "select count(*) as n from person where postal_code = '58222'"
            )
            .await,
            1
        );
        let open = items(&app, &w.coord_a, Status::Open).await;
        find(&open, "Lindqvist", "sick_leave_day_35");
        // A new import of the same file finds her among the kept persons and registers nobody.
        let again = import(
            &app,
            &w.admin_a,
            "no-postal-code-again.csv",
            &file(SICK, &[anna(first, "")]),
        )
        .await;
        assert_eq!(again.import.counts.persons_added, 0);
        assert_eq!(
            count(
                &app,
                "select count(*) as n from person where family_name = 'Lindqvist'"
            )
            .await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn deadlines_do_not_move_across_daylight_saving_changes() {
    each_db(|app| async move {
        let w = world(&app).await;
        // Stockholm leaves summer time on 25 Oct 2026 and enters it on 29 Mar 2026.
        let autumn = date(2026, 10, 1);
        let spring = date(2026, 3, 10);
        let csv = file(SICK, &[anna(autumn, "58222"), bo(spring, "58222")]);
        import(&app, &w.admin_a, "s.csv", &csv).await;
        let due = |flags: &[Flag], start: NaiveDate| -> Vec<NaiveDate> {
            flags
                .iter()
                .filter(|f| f.key.rule_id == "sick_leave_day_35" && f.key.key_on == start)
                .map(|f| f.due_on)
                .collect()
        };
        for today in [date(2026, 10, 24), date(2026, 10, 26), date(2026, 10, 28)] {
            app.screen_full_on(today).await.expect("screen");
            assert_eq!(
                due(&stored_flags(&app).await, autumn),
                [date(2026, 11, 5)],
                "screened on {today}"
            );
        }
        for today in [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)] {
            app.screen_full_on(today).await.expect("screen");
            assert_eq!(
                due(&stored_flags(&app).await, spring),
                [date(2026, 4, 14)],
                "screened on {today}"
            );
        }
    })
    .await;
}

/// The default rules with `sick_leave_day_35` changed by `edit`, or removed when `edit` gives None.
fn rules_with(edit: impl Fn(&str) -> Option<String>) -> Arc<Rules> {
    let mut parts: Vec<String> = Vec::new();
    let mut found = false;
    for (n, part) in DEFAULT_RULES.split("[[rule]]").enumerate() {
        if n > 0 && part.contains("id = \"sick_leave_day_35\"") {
            found = true;
            if let Some(p) = edit(part) {
                parts.push(p);
            }
        } else {
            parts.push(part.to_owned());
        }
    }
    assert!(found, "the default rules have sick_leave_day_35");
    Arc::new(Rules::parse(&parts.join("[[rule]]")).expect("changed rules"))
}

#[tokio::test]
async fn a_rule_change_and_full_screening_keep_first_contacts_and_dismissals() {
    each_db(|app| async move {
        let w = world(&app).await;
        let start = days_ago(&app, 20);
        let csv = file(
            SICK,
            &[
                anna(start, "58222"),
                bo(start, "58222"),
                sick(&pnr("19820303345"), "Cecilia", "Berg", start, 100, "58222"),
            ],
        );
        import(&app, &w.admin_a, "s.csv", &csv).await;
        let open = items(&app, &w.coord_a, Status::Open).await;
        let anna = find(&open, "Lindqvist", "sick_leave_day_35")
            .row
            .flag
            .key
            .clone();
        let bo = find(&open, "Ek", "sick_leave_day_35").row.flag.key.clone();
        let contacted_on = days_ago(&app, 2);
        app.record_outcome(&w.coord_a, &anna, &contact(contacted_on, "phone"))
            .await
            .expect("contact");
        app.record_outcome(
            &w.coord_a,
            &bo,
            &OutcomeInput::Dismissal {
                reason: "Already in contact through the rehab team".into(),
            },
        )
        .await
        .expect("dismissal");

        let with_rules = |rules: Arc<Rules>| App {
            db: app.db.clone(),
            config: AppConfig {
                rules,
                ..AppConfig::default()
            },
            log: app.log.clone(),
            known_persons: app.known_persons.clone(),
        };
        let check = |items: &[WorklistItem], due: NaiveDate| {
            let a = find(items, "Lindqvist", "sick_leave_day_35");
            assert_eq!(a.row.flag.due_on, due);
            let o = a.row.outcome.as_ref().expect("Anna's contact kept");
            assert_eq!(
                o.kind,
                OutcomeKind::Contact {
                    on: contacted_on,
                    channel: "phone".into()
                }
            );
            assert_eq!(o.recorded_by, w.coord_a.user_id);
            assert_eq!(o.recorded_by_name, "coord-a Testsson");
            let b = find(items, "Ek", "sick_leave_day_35");
            assert_eq!(b.row.flag.due_on, due);
            assert!(
                matches!(&b.row.outcome.as_ref().expect("Bo's dismissal kept").kind,
                    OutcomeKind::Dismissal { reason } if reason.starts_with("Already")),
                "{:?}",
                b.row.outcome
            );
        };

        // The same rule with a new deadline: the items change, their outcomes stay.
        let day28 = with_rules(rules_with(|p| {
            let changed = p.replacen("days = 35\nlead_days = 35", "days = 28\nlead_days = 28", 1);
            assert_ne!(changed, p, "the rule's days are written as expected");
            Some(changed)
        }));
        let s = day28.screen_full_on(app.today()).await.expect("screen");
        assert_eq!((s.raised, s.changed, s.dropped), (0, 3, 0));
        let all = items(&app, &w.coord_a, Status::All).await;
        check(&all, start + Duration::days(28));
        assert_eq!(
            names(&items(&app, &w.coord_a, Status::Open).await),
            ["Cecilia Berg sick_leave_day_35"]
        );
        assert_eq!(items(&app, &w.coord_a, Status::Contacted).await.len(), 1);
        assert_eq!(items(&app, &w.coord_a, Status::Dismissed).await.len(), 1);

        // The rule removed: its items go, the outcomes are kept.
        let removed = with_rules(rules_with(|_| None));
        let s = removed.screen_full_on(app.today()).await.expect("screen");
        assert_eq!((s.raised, s.changed, s.dropped), (0, 0, 3));
        assert!(items(&app, &w.coord_a, Status::All).await.is_empty());
        assert_eq!(
            count(&app, "select count(*) as n from flag_outcome").await,
            2
        );

        // The rule back as shipped: the items return with their outcomes.
        let s = app.screen_full_on(app.today()).await.expect("screen");
        assert_eq!((s.raised, s.changed, s.dropped), (3, 0, 0));
        let all = items(&app, &w.coord_a, Status::All).await;
        assert_eq!(all.len(), 3);
        check(&all, start + Duration::days(35));
        assert_eq!(
            names(&items(&app, &w.coord_a, Status::Open).await),
            ["Cecilia Berg sick_leave_day_35"]
        );
        // And an outcome still cannot be recorded twice.
        let e = app
            .record_outcome(&w.coord_a, &anna, &contact(app.today(), "letter"))
            .await
            .expect_err("already contacted");
        assert_eq!(fields(&e), [("outcome", "outcome-already-recorded")]);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Walls

/// Puts B's professional on the person's team (B's administrator does it).
async fn b_team(app: &App, w: &World, number: &str) {
    app.add_team_member(
        &w.admin_b,
        &TeamInput {
            national_id: number.into(),
            member: format!("user:{}:{}", w.prof_b.user_id, w.unit_b),
            starts_on: String::new(),
        },
    )
    .await
    .expect("team place");
}

fn b_shares_with_a(w: &World, category: &str) -> ConsentInput {
    ConsentInput {
        purpose: "Samordning i samordningsteamet".into(),
        sharing: vec![w.b.to_string()],
        receiving: vec![w.a.to_string()],
        categories: vec![category.into()],
        form: "verbal".into(),
        ..ConsentInput::default()
    }
}

#[tokio::test]
async fn another_organisations_items_show_only_under_consent_and_without_a_block() {
    each_db(|app| async move {
        let w = world(&app).await;
        let number = pnr("19750505123");
        import(
            &app,
            &w.admin_b,
            "fbst.csv",
            &income_support_file(&app, &number, "Zara", "Mohammed"),
        )
        .await;
        // B's coordinator sees B's item; A's does not, in the list or by its address.
        let b_items = items(&app, &w.coord_b, Status::Open).await;
        let key = find(&b_items, "Mohammed", "income_support_long_term")
            .row
            .flag
            .key
            .clone();
        assert_eq!(key.organisation_id, w.b);
        assert!(items(&app, &w.coord_a, Status::All).await.is_empty());
        let e = app
            .worklist_item(&w.coord_a, &key)
            .await
            .expect_err("walled");
        assert!(matches!(e, AppError::Forbidden), "{e:?}");
        let e = app
            .record_outcome(&w.coord_a, &key, &contact(app.today(), "phone"))
            .await
            .expect_err("walled");
        assert!(matches!(e, AppError::Forbidden), "{e:?}");

        b_team(&app, &w, &number).await;
        let person = key.person_id;
        // A consent for another category (health) does not share B's social information.
        app.record_consent(&w.prof_b, person, &b_shares_with_a(&w, "health"))
            .await
            .expect("consent");
        assert!(items(&app, &w.coord_a, Status::All).await.is_empty());

        // The person consents that B shares social information with A: A sees the item.
        let consent = app
            .record_consent(&w.prof_b, person, &b_shares_with_a(&w, "social"))
            .await
            .expect("consent");
        let shown = items(&app, &w.coord_a, Status::Open).await;
        assert_eq!(names(&shown), ["Zara Mohammed income_support_long_term"]);
        assert_eq!(shown[0].owner, ORG_B);
        assert_eq!(shown[0].row.unit_name.as_deref(), Some(UNIT_B));
        app.worklist_item(&w.coord_a, &key)
            .await
            .expect("item under consent");

        // Withdrawn: gone on the very next request.
        app.withdraw_consent(&w.prof_b, person, consent)
            .await
            .expect("withdraw");
        assert!(items(&app, &w.coord_a, Status::All).await.is_empty());
        let e = app
            .worklist_item(&w.coord_a, &key)
            .await
            .expect_err("walled");
        assert!(matches!(e, AppError::Forbidden), "{e:?}");

        // Consent again, then the person blocks B: hidden from A again, not from B.
        app.record_consent(&w.prof_b, person, &b_shares_with_a(&w, "social"))
            .await
            .expect("consent");
        assert_eq!(items(&app, &w.coord_a, Status::Open).await.len(), 1);
        app.record_block(
            &w.prof_b,
            person,
            &BlockInput {
                scope: "organisation".into(),
                organisation: w.b.to_string(),
                requested_by: "person".into(),
                ..BlockInput::default()
            },
        )
        .await
        .expect("block");
        assert!(items(&app, &w.coord_a, Status::All).await.is_empty());
        let e = app
            .worklist_item(&w.coord_a, &key)
            .await
            .expect_err("blocked");
        assert!(matches!(e, AppError::Forbidden), "{e:?}");
        assert_eq!(items(&app, &w.coord_b, Status::Open).await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn pages_are_full_although_the_policy_hides_rows_between_them() {
    each_db(|app| async move {
        let w = world(&app).await;
        // A's sick leaves and B's, interleaved by due date; B's persons have a consent naming
        // A as receiver, but for health information, which B (social services) does not hold:
        // the query finds B's items, the policy hides them.
        let a_rows: Vec<String> = [
            ("19800101123", "Ahl", 20),
            ("19810202234", "Bark", 18),
            ("19820303345", "Carp", 16),
        ]
        .iter()
        .map(|(n, f, d)| sick(&pnr(n), "A", f, days_ago(&app, *d), 100, "58222"))
        .collect();
        let b = [
            ("19700101123", "Dahl", 21),
            ("19710202234", "Eng", 19),
            ("19720303345", "Falk", 17),
        ];
        let b_rows: Vec<String> = b
            .iter()
            .map(|(n, f, d)| {
                format!(
                    "{},B,{f},{},,100,,58222,{UNIT_B}",
                    pnr(n),
                    days_ago(&app, *d)
                )
            })
            .collect();
        import(&app, &w.admin_a, "a.csv", &file(SICK, &a_rows)).await;
        import(&app, &w.admin_b, "b.csv", &file(SICK, &b_rows)).await;
        let b_items = items(&app, &w.coord_b, Status::Open).await;
        for (n, f, _) in b {
            b_team(&app, &w, &pnr(n)).await;
            let person = find(&b_items, f, "sick_leave_day_35")
                .row
                .flag
                .key
                .person_id;
            app.record_consent(&w.prof_b, person, &b_shares_with_a(&w, "health"))
                .await
                .expect("consent");
        }
        let page = |n: u32| {
            let filter = WorklistFilter {
                page: n,
                page_size: Some(2),
                ..WorklistFilter::default()
            };
            worklist_page(&app, &w.coord_a, filter, |i| i.row.family_name.clone())
        };
        assert_eq!(
            page(0).await,
            (vec!["Ahl".to_owned(), "Bark".to_owned()], true)
        );
        assert_eq!(page(1).await, (vec!["Carp".to_owned()], false));
        assert_eq!(page(2).await, (Vec::<String>::new(), false));
    })
    .await;
}

#[tokio::test]
async fn items_of_several_target_groups_come_in_one_order_of_due_dates_page_after_page() {
    each_db(|app| async move {
        let w = world(&app).await;
        // A stress-related diagnosis (F43) also raises a SAD item, due 14 days after the start;
        // the day-35 item is due 35 days after it. The worklist reads each target group in its
        // own walk of the index and merges them.
        let rows = vec![
            format!(
                "{},Ahl,A,{},,100,F43,58222,{UNIT_A}",
                pnr("19800101123"),
                days_ago(&app, 40)
            ),
            sick(
                &pnr("19810202234"),
                "Bark",
                "B",
                days_ago(&app, 20),
                100,
                "58222",
            ),
            format!(
                "{},Carp,C,{},,100,F43,58222,{UNIT_A}",
                pnr("19820303345"),
                days_ago(&app, 10)
            ),
        ];
        import(&app, &w.admin_a, "a.csv", &file(SICK, &rows)).await;
        let page = |n: u32, group: Option<&'static str>| {
            let filter = WorklistFilter {
                page: n,
                page_size: Some(2),
                target_group: group.map(Into::into),
                ..WorklistFilter::default()
            };
            worklist_page(&app, &w.coord_a, filter, |i| {
                format!("{} {}", i.row.given_name, i.row.flag.key.rule_id)
            })
        };
        let v = |items: &[&str]| items.iter().map(|i| (*i).to_owned()).collect::<Vec<_>>();
        // Due: Ahl SAD -26, Ahl day 35 -5, Carp SAD +4, Bark day 35 +15, Carp day 35 +25.
        assert_eq!(
            page(0, None).await,
            (
                v(&["Ahl sad_stress_sick_leave", "Ahl sick_leave_day_35"]),
                true
            )
        );
        assert_eq!(
            page(1, None).await,
            (
                v(&["Carp sad_stress_sick_leave", "Bark sick_leave_day_35"]),
                true
            )
        );
        assert_eq!(page(2, None).await, (v(&["Carp sick_leave_day_35"]), false));
        assert_eq!(
            page(1, Some("sick_leave")).await,
            (v(&["Carp sick_leave_day_35"]), false)
        );
        // A target group the programme does not work with shows nothing.
        assert_eq!(page(0, Some("children")).await, (v(&[]), false));

        // Ties: Dahl's items fall due on the same days as Ahl's, in both groups. Pages of one
        // item, put together, are the one long page: the database's order and the merge's agree
        // on every tie, and no item is repeated or skipped at a page's edge.
        let dahl = format!(
            "{},Dahl,D,{},,100,F43,58222,{UNIT_A}",
            pnr("19830404456"),
            days_ago(&app, 40)
        );
        import(&app, &w.admin_a, "d.csv", &file(SICK, &[dahl])).await;
        let keys = |size: i64, n: u32| {
            let filter = WorklistFilter {
                page: n,
                page_size: Some(size),
                ..WorklistFilter::default()
            };
            worklist_page(&app, &w.coord_a, filter, |i| {
                (i.row.given_name.clone(), i.row.flag.key.rule_id.clone())
            })
        };
        let (whole, more) = keys(100, 0).await;
        assert!(!more);
        assert_eq!(whole.len(), 7, "{whole:?}");
        let mut paged = Vec::new();
        for n in 0.. {
            let (k, more) = keys(1, n).await;
            paged.extend(k);
            if !more {
                break;
            }
        }
        assert_eq!(paged, whole);
    })
    .await;
}

#[tokio::test]
async fn persons_outside_the_programme_area_or_target_groups_never_show() {
    each_db(|app| async move {
        let w = world(&app).await;
        let start = days_ago(&app, 20);
        import(
            &app,
            &w.admin_a,
            "s.csv",
            &file(
                SICK,
                &[
                    anna(start, "58222"),
                    // Stockholm: outside the area
                    bo(start, "11122"),
                ],
            ),
        )
        .await;
        // Anna is also long-term unemployed: a target group programme P does not work with.
        let registered = days_ago(&app, 400);
        import(
            &app,
            &w.admin_a,
            "u.csv",
            &file(
                UNEMPLOYMENT,
                &[format!(
                    "{},Anna,Lindqvist,{registered},,58222,",
                    pnr("19800101123")
                )],
            ),
        )
        .await;
        let flags = stored_flags(&app).await;
        let rules: Vec<&str> = flags.iter().map(|f| f.key.rule_id.as_str()).collect();
        assert_eq!(flags.len(), 3, "{rules:?}");
        assert!(rules.contains(&"unemployment_long_term"), "{rules:?}");

        let shown = items(&app, &w.coord_a, Status::All).await;
        assert_eq!(names(&shown), ["Anna Lindqvist sick_leave_day_35"]);
        // Asking for the group explicitly does not widen the programme.
        let page = app
            .worklist(
                &w.coord_a,
                WorklistFilter {
                    target_group: Some("unemployment".into()),
                    status: Status::All,
                    ..WorklistFilter::default()
                },
            )
            .await
            .expect("worklist");
        assert!(page.items.is_empty(), "{:?}", names(&page.items));

        // A programme A takes no part in cannot be opened, nor is it offered.
        let e = app
            .worklist(
                &w.coord_a,
                WorklistFilter {
                    programme: Some(w.other_programme),
                    ..WorklistFilter::default()
                },
            )
            .await
            .expect_err("not A's programme");
        assert!(
            matches!(e, AppError::NotFound | AppError::Forbidden),
            "{e:?}"
        );
        let page = app
            .worklist(&w.coord_a, WorklistFilter::default())
            .await
            .expect("worklist");
        assert_eq!(
            page.programmes
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["Samordningsteam Test"]
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// The access log and first contact

#[tokio::test]
async fn worklist_views_refusals_and_contacts_are_logged() {
    each_db(|app| async move {
        let w = world(&app).await;
        let start = days_ago(&app, 20);
        import(
            &app,
            &w.admin_a,
            "s.csv",
            &file(
                SICK,
                &[
                    // Stress-related: two items (day 35 and SAD), one person.
                    format!(
                        "{},Anna,Lindqvist,{start},,100,F43.8,58222,",
                        pnr("19800101123")
                    ),
                    bo(start, "58222"),
                    sick(&pnr("19820303345"), "Cecilia", "Berg", start, 100, "11122"),
                ],
            ),
        )
        .await;
        let number_z = pnr("19750505123");
        import(
            &app,
            &w.admin_b,
            "fbst.csv",
            &income_support_file(&app, &number_z, "Zara", "Mohammed"),
        )
        .await;
        let shown = items(&app, &w.coord_a, Status::Open).await;
        assert_eq!(
            names(&shown),
            [
                "Anna Lindqvist sad_stress_sick_leave",
                "Anna Lindqvist sick_leave_day_35",
                "Bo Ek sick_leave_day_35"
            ]
        );
        let anna = find(&shown, "Lindqvist", "sick_leave_day_35")
            .row
            .flag
            .key
            .clone();
        let bo = find(&shown, "Ek", "sick_leave_day_35")
            .row
            .flag
            .key
            .person_id;
        let flags = stored_flags(&app).await;
        let cecilia = flags
            .iter()
            .map(|f| f.key.person_id)
            .find(|p| {
                *p != anna.person_id
                    && *p != bo
                    && flags
                        .iter()
                        .any(|f| f.key.person_id == *p && f.key.organisation_id == w.a)
            })
            .expect("Cecilia's flag");
        let z_key = flags
            .iter()
            .find(|f| f.key.organisation_id == w.b)
            .map(|f| f.key.clone())
            .expect("Z's flag");

        // One `worklist` entry per person shown, none for persons not shown.
        let worklist_reads = |log: &[(String, String, String, Option<UserId>)]| {
            log.iter()
                .filter(|(a, what, o, u)| {
                    a == "worklist"
                        && what == "worklist"
                        && o == "allowed"
                        && *u == Some(w.coord_a.user_id)
                })
                .count()
        };
        assert_eq!(worklist_reads(&log_of(&app, anna.person_id).await), 1);
        assert_eq!(worklist_reads(&log_of(&app, bo).await), 1);
        assert_eq!(worklist_reads(&log_of(&app, cecilia).await), 0);
        assert_eq!(worklist_reads(&log_of(&app, z_key.person_id).await), 0);

        // A refused item view is logged as denied.
        let e = app
            .worklist_item(&w.coord_a, &z_key)
            .await
            .expect_err("walled");
        assert!(matches!(e, AppError::Forbidden), "{e:?}");
        let z_log = log_of(&app, z_key.person_id).await;
        assert!(
            z_log.iter().any(|(a, what, o, u)| a == "contact"
                && what == "worklist_item"
                && o.starts_with("denied")
                && *u == Some(w.coord_a.user_id)),
            "{z_log:?}"
        );

        // Viewing an item, and recording a first contact, are logged.
        app.worklist_item(&w.coord_a, &anna).await.expect("item");
        app.record_outcome(&w.coord_a, &anna, &contact(app.today(), "meeting"))
            .await
            .expect("contact");
        let log = log_of(&app, anna.person_id).await;
        let mine: Vec<(&str, &str, &str)> = log
            .iter()
            .filter(|(_, _, _, u)| *u == Some(w.coord_a.user_id))
            .map(|(a, what, o, _)| (a.as_str(), what.as_str(), o.as_str()))
            .collect();
        assert_eq!(
            mine,
            [
                ("worklist", "worklist", "allowed"),
                ("contact", "worklist_item", "allowed"),
                ("contact", "first_contact", "allowed"),
            ]
        );
        // The entries are part of the sealed chain.
        app.log.flush().await.expect("flush");
        let report = samverka_app::access_log::verify_chain(&app.db)
            .await
            .expect("verify");
        assert!(report.result.is_ok(), "{:?}", report.result);
    })
    .await;
}

#[tokio::test]
async fn a_first_contact_is_validated_and_recorded_once() {
    each_db(|app| async move {
        let w = world(&app).await;
        let start = days_ago(&app, 20);
        import(
            &app,
            &w.admin_a,
            "s.csv",
            &file(SICK, &[anna(start, "58222"), bo(start, "58222")]),
        )
        .await;
        let open = items(&app, &w.coord_a, Status::Open).await;
        let anna = find(&open, "Lindqvist", "sick_leave_day_35")
            .row
            .flag
            .key
            .clone();
        let bo = find(&open, "Ek", "sick_leave_day_35").row.flag.key.clone();
        let today = app.today();
        let cases: Vec<(OutcomeInput, Vec<(&str, &str)>)> = vec![
            (
                contact(today + Duration::days(1), "phone"),
                vec![("contacted_on", "date-in-future")],
            ),
            (
                contact(start - Duration::days(1), "phone"),
                vec![("contacted_on", "contact-before-start")],
            ),
            (
                contact(today, "carrier_pigeon"),
                vec![("channel", "contact-channel-unknown")],
            ),
            (
                contact("", "phone"),
                vec![("contacted_on", "field-required")],
            ),
            (
                contact("25/11/2026", ""),
                vec![
                    ("contacted_on", "date-invalid"),
                    ("channel", "contact-channel-unknown"),
                ],
            ),
            (
                OutcomeInput::Dismissal {
                    reason: "  ".into(),
                },
                vec![("reason", "field-required")],
            ),
        ];
        for (input, expected) in cases {
            let e = app
                .record_outcome(&w.coord_a, &anna, &input)
                .await
                .expect_err("invalid");
            assert_eq!(fields(&e), expected, "{input:?}");
        }
        assert_eq!(
            count(&app, "select count(*) as n from flag_outcome").await,
            0
        );
        assert_eq!(items(&app, &w.coord_a, Status::Open).await.len(), 2);

        // The first day of the episode is a valid contact day.
        app.record_outcome(&w.coord_a, &anna, &contact(start, "home_visit"))
            .await
            .expect("contact");
        for input in [
            contact(today, "phone"),
            OutcomeInput::Dismissal {
                reason: "Second thoughts".into(),
            },
        ] {
            let e = app
                .record_outcome(&w.coord_a, &anna, &input)
                .await
                .expect_err("second outcome");
            assert_eq!(fields(&e), [("outcome", "outcome-already-recorded")]);
        }
        let contacted = items(&app, &w.coord_a, Status::Contacted).await;
        assert_eq!(names(&contacted), ["Anna Lindqvist sick_leave_day_35"]);
        assert_eq!(
            contacted[0].row.outcome.as_ref().map(|o| &o.kind),
            Some(&OutcomeKind::Contact {
                on: start,
                channel: "home_visit".into()
            })
        );
        assert_eq!(
            names(&items(&app, &w.coord_a, Status::Open).await),
            ["Bo Ek sick_leave_day_35"]
        );

        // Only coordinators record outcomes; an unknown item is not found.
        let e = app
            .record_outcome(&w.prof_b, &bo, &contact(today, "phone"))
            .await
            .expect_err("a professional");
        assert!(matches!(e, AppError::Forbidden), "{e:?}");
        let unknown = FlagKey {
            rule_id: "no_such_rule".into(),
            ..bo.clone()
        };
        let e = app
            .record_outcome(&w.coord_a, &unknown, &contact(today, "phone"))
            .await
            .expect_err("no such item");
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        assert_eq!(
            count(&app, "select count(*) as n from flag_outcome").await,
            1
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Concurrency: a scheduled import and an upload, or two organisations' jobs, may run at once
// (the web page runs each upload in the background). SQLite runs write transactions one at a
// time; PostgreSQL does not, so the store serialises them there (`store::signal::lock_signal_writes`).

const SCREENING: &str =
    "national_id,given_name,family_name,taken_on,instrument,score,postal_code,unit";

/// `files` PHQ-9 files about the same `persons` persons, each file's results on a day of its own.
fn phq9_files(app: &App, persons: usize, files: usize) -> Vec<String> {
    (0..files)
        .map(|f| {
            let day = days_ago(app, 2 + f as i64);
            let rows: Vec<String> = (0..persons)
                .map(|i| {
                    let n = pnr(&format!(
                        "1970{:02}{:02}{:03}",
                        1 + i % 12,
                        1 + i % 28,
                        100 + i
                    ));
                    format!("{n},Person,Nummer{i},{day},phq9,14,58222,{UNIT_A}")
                })
                .collect();
            file(SCREENING, &rows)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn imports_opened_at_the_same_time_each_get_their_own_number() {
    each_db(|app| async move {
        let w = world(&app).await;
        let tasks: Vec<_> = phq9_files(&app, 3, 8)
            .into_iter()
            .enumerate()
            .map(|(f, csv)| {
                let (app, admin) = (app.clone(), w.admin_a.clone());
                tokio::spawn(async move {
                    app.open_import(
                        &admin,
                        None,
                        &format!("phq9-{f}.csv"),
                        None,
                        None,
                        std::io::Cursor::new(csv.into_bytes()),
                    )
                    .await
                    .map(|open| open.import.seq)
                })
            })
            .collect();
        let mut seqs = Vec::new();
        for t in tasks {
            seqs.push(t.await.expect("task").expect("every import is opened"));
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=8).collect::<Vec<i64>>());
    })
    .await;
}

/// Opens the files one after the other (see the test above), then reads them all at once.
async fn run_concurrently(
    app: &App,
    files: Vec<(&Actor, String)>,
) -> Vec<Result<ImportOutcome, AppError>> {
    let mut opened = Vec::new();
    for (f, (admin, csv)) in files.into_iter().enumerate() {
        opened.push(
            app.open_import(
                admin,
                None,
                &format!("phq9-{f}.csv"),
                None,
                None,
                std::io::Cursor::new(csv.into_bytes()),
            )
            .await
            .expect("open"),
        );
    }
    let tasks: Vec<_> = opened
        .into_iter()
        .map(|open| {
            let app = app.clone();
            tokio::spawn(async move { app.run_import(open).await })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_imports_naming_the_same_new_persons_all_succeed() {
    each_db(|app| async move {
        let w = world(&app).await;
        let files = phq9_files(&app, 200, 8)
            .into_iter()
            .map(|f| (&w.admin_a, f))
            .collect();
        let results = run_concurrently(&app, files).await;
        for r in &results {
            assert!(r.is_ok(), "every import succeeds: {r:?}");
        }
        assert_eq!(count(&app, "select count(*) as n from person").await, 200);
    })
    .await;
}

/// `all` PHQ-9 results are stored, and each raised its item.
async fn assert_all_phq9_stored_and_screened(app: &App, all: i64) {
    assert_eq!(
        count(
            app,
            "select cast(coalesce(sum(signals), 0) as bigint) as n from signal_set"
        )
        .await,
        all,
        "every signal counted as added is stored"
    );
    let flags = stored_flags(app).await;
    assert_eq!(
        flags.iter().filter(|f| f.key.rule_id == "sad_phq9").count() as i64,
        all,
        "every stored result was screened"
    );
}

/// The same app with imports stored in chunks of `rows` valid rows.
fn in_chunks_of(app: &App, rows: usize) -> App {
    App {
        db: app.db.clone(),
        config: AppConfig {
            import_chunk_rows: rows,
            ..app.config.clone()
        },
        log: app.log.clone(),
        // The same process: the persons imports met are shared.
        known_persons: app.known_persons.clone(),
    }
}

/// Imports running side by side in chunks of a few rows: their chunks' writes interleave, so
/// each import finds, at some writes, that another one wrote since it read ahead, and stores the
/// rest of its file step by step. Nothing is lost and no person is registered twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_imports_in_small_chunks_keep_every_signal_and_person() {
    each_db(|app| async move {
        let w = world(&app).await;
        let small = in_chunks_of(&app, 6);
        const PERSONS: usize = 50;
        const FILES: usize = 6;
        let files = phq9_files(&app, PERSONS, FILES)
            .into_iter()
            .map(|f| (&w.admin_a, f))
            .collect();
        let mut added = 0;
        for r in run_concurrently(&small, files).await {
            added += r.expect("every import succeeds").import.counts.added;
        }
        let all = (PERSONS * FILES) as i64;
        assert_eq!(added, all);
        assert_eq!(
            count(&app, "select count(*) as n from person").await,
            PERSONS as i64
        );
        assert_all_phq9_stored_and_screened(&app, all).await;
    })
    .await;
}

/// Generated files of every kind, in the test's temporary directory: (kind, file text).
fn generated_files(app: &App, persons: usize, seed: u64) -> Vec<(SignalKind, String)> {
    use samverka_core::synthetic::{self, Country};
    use samverka_core::synthetic_signals::{Options, write_signals};
    let dir = std::env::temp_dir().join(format!(
        "samverka-chunks-{}-{seed}-{}",
        std::process::id(),
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let people = synthetic::persons(seed, persons, Country::Sweden, app.today());
    let mut opts = Options::new(seed, app.today());
    // As the benchmark: about nine signals a person over three years.
    opts.years = 3;
    opts.intensity = 4;
    let written = write_signals(&people, &opts, |kind| {
        std::fs::File::create(dir.join(format!("{}.csv", kind.code())))
    })
    .expect("files");
    let files = written
        .iter()
        .map(|w| {
            let text = std::fs::read_to_string(dir.join(format!("{}.csv", w.kind.code())))
                .expect("read back");
            (w.kind, text)
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    files
}

/// An organisation's items, without the organisation: what screening made of its signals.
async fn items_of(app: &App, organisation: OrganisationId) -> Vec<Flag> {
    stored_flags(app)
        .await
        .into_iter()
        .filter(|f| f.key.organisation_id == organisation)
        .map(|mut f| {
            f.key.organisation_id = OrganisationId(uuid::Uuid::nil());
            f
        })
        .collect()
}

/// An import stores each chunk while it merges the next one, from a read made before that
/// write. A file in chunks of seven rows, where each person's rows fall into several chunks (and
/// persons are registered in one chunk and met again in the next), stores and screens exactly
/// what the same file does in one chunk; importing it again in small chunks adds nothing.
#[tokio::test]
async fn a_file_in_many_small_chunks_stores_and_screens_what_one_chunk_does() {
    each_db(|app| async move {
        let w = world(&app).await;
        let small = in_chunks_of(&app, 7);
        let files = generated_files(&app, 40, 11);
        let rows: usize = files.iter().map(|(_, t)| t.lines().count() - 1).sum();
        assert!(rows > 200, "enough rows for many chunks: {rows}");
        let (mut added_a, mut added_b, mut persons_a) = (0, 0, 0);
        // Items raised less items dropped, by the imports' screening.
        let (mut net_a, mut net_b) = (0, 0);
        for (kind, text) in &files {
            let name = format!("{}.csv", kind.code());
            let a = import(&small, &w.admin_a, &name, text).await;
            let b = import(&app, &w.admin_b, &name, text).await;
            net_a += a.screened.raised as i64 - a.screened.dropped as i64;
            net_b += b.screened.raised as i64 - b.screened.dropped as i64;
            let (a, b) = (a.import.counts, b.import.counts);
            assert_eq!(a.rejected, 0, "{kind:?}");
            assert_eq!((a.added, a.known), (b.added, b.known), "{kind:?}");
            added_a += a.added;
            added_b += b.added;
            persons_a += a.persons_added;
            assert_eq!(b.persons_added, 0, "A's import registered them");
        }
        assert_eq!(added_a, added_b);
        assert!(added_a > 200);
        let registered = count(&app, "select count(*) as n from person").await;
        assert_eq!(persons_a, registered, "each person registered once");
        let signals = |org: &'static str| {
            let app = app.clone();
            async move {
                let mut tx = app.db.begin_read().await.expect("tx");
                let c: Count = tx
                    .fetch_one(q!(
                        "select cast(coalesce(sum(s.signals), 0) as bigint) as n
                         from signal_set s join organisation o on o.id = s.organisation_id
                         where o.name = $1",
                        org
                    ))
                    .await
                    .expect("signals");
                c.n
            }
        };
        assert_eq!(
            signals(ORG_A).await,
            added_a,
            "no signal lost between chunks"
        );
        assert_eq!(signals(ORG_B).await, added_b);
        let items_a = items_of(&app, w.a).await;
        assert!(!items_a.is_empty(), "the files raise items");
        assert_eq!(items_a, items_of(&app, w.b).await);
        // Each chunk compared its persons' items with those the chunk before left.
        assert_eq!(net_a, items_a.len() as i64, "the screening's counts add up");
        assert_eq!(net_b, items_a.len() as i64);

        for (kind, text) in &files {
            let again = import(&small, &w.admin_a, "again.csv", text)
                .await
                .import
                .counts;
            assert_eq!((again.added, again.persons_added), (0, 0), "{kind:?}");
        }
        assert_eq!(signals(ORG_A).await, added_a);
        assert_eq!(items_of(&app, w.a).await, items_a);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_imports_of_one_organisation_keep_every_signal() {
    each_db(|app| async move {
        let w = world(&app).await;
        const PERSONS: usize = 40;
        const FILES: usize = 6;
        let mut files = phq9_files(&app, PERSONS, FILES + 1);
        // The persons are known before the concurrent imports (see the test above).
        let first = files.remove(0);
        import(&app, &w.admin_a, "phq9-first.csv", &first).await;
        let files = files.into_iter().map(|f| (&w.admin_a, f)).collect();
        let mut added = 0;
        for r in run_concurrently(&app, files).await {
            added += r.expect("every import succeeds").import.counts.added;
        }
        assert_eq!(added, (PERSONS * FILES) as i64);
        let all = (PERSONS * (FILES + 1)) as i64;
        assert_all_phq9_stored_and_screened(&app, all).await;
    })
    .await;
}

/// An administrator of several organisations imports for any of them and then finds each
/// import in their list and its page (the demo administrator runs every supplier's imports).
#[tokio::test]
async fn an_administrator_of_several_organisations_follows_each_import() {
    each_db(|app| async move {
        app.load_demo(3, 20, 0).await.expect("demo");
        let admin = app.actor_by_username("admin").await.expect("admin");
        let orgs: std::collections::BTreeSet<OrganisationId> = admin
            .memberships
            .iter()
            .filter(|m| m.role == Role::Administrator)
            .map(|m| m.organisation_id)
            .collect();
        assert!(
            orgs.len() > 1,
            "the demo administrator runs several organisations"
        );
        let social = app
            .organisation_by_name("Linköpings kommun – socialförvaltningen")
            .await
            .expect("social services");
        assert_ne!(
            admin.memberships[0].organisation_id, social,
            "not the first membership"
        );
        let csv =
            "national_id,given_name,family_name,month\n19121212-1212,Tolvan,Tolvansson,2026-01\n";
        let open = app
            .open_import(
                &admin,
                Some(social),
                "months.csv",
                None,
                None,
                std::io::Cursor::new(csv.as_bytes().to_vec()),
            )
            .await
            .expect("open");
        let done = app.run_import(open).await.expect("import");
        assert_eq!(done.import.organisation_id, social);
        let list = app.imports(&admin).await.expect("imports");
        assert!(list.iter().any(|i| i.id == done.import.id), "listed");
        let (import, lines) = app
            .import_report(&admin, done.import.id)
            .await
            .expect("its page");
        assert_eq!((import.counts.added, lines.len()), (1, 0));
    })
    .await;
}

/// An import whose server stopped mid-way is marked stopped, saying why, at the next start;
/// importing the file again completes it.
#[tokio::test]
async fn an_interrupted_import_is_marked_stopped_and_completed_by_importing_again() {
    each_db(|app| async move {
        app.load_demo(3, 5, 0).await.expect("demo");
        let admin = app.actor_by_username("admin").await.expect("admin");
        let social = app
            .organisation_by_name("Linköpings kommun – socialförvaltningen")
            .await
            .expect("social services");
        let csv =
            "national_id,given_name,family_name,month\n19121212-1212,Tolvan,Tolvansson,2026-01\n";
        let open = |app: App| async move {
            app.open_import(
                &admin_of(&app).await,
                Some(social),
                "months.csv",
                None,
                None,
                std::io::Cursor::new(csv.as_bytes().to_vec()),
            )
            .await
            .expect("open")
        };
        // Opened (recorded as running), never run: as if the server stopped.
        let stalled = open(app.clone()).await.import;
        assert_eq!(app.mark_interrupted_imports().await.expect("mark"), 1);
        let (import, _) = app.import_report(&admin, stalled.id).await.expect("report");
        assert_eq!(import.status, ImportStatus::Failed);
        assert_eq!(
            import.failure.as_deref(),
            Some("import-stopped-interrupted")
        );
        let again = app
            .run_import(open(app.clone()).await)
            .await
            .expect("import again");
        assert_eq!((again.import.counts.added, again.import.failure), (1, None));
        assert_eq!(app.mark_interrupted_imports().await.expect("mark"), 0);
    })
    .await;
}

async fn admin_of(app: &App) -> Actor {
    app.actor_by_username("admin").await.expect("admin")
}

/// A file whose reading breaks off (an upload cut short) stops the import, and the rows read
/// before that point are stored and screened, as the import's page says.
#[tokio::test]
async fn rows_read_before_a_file_breaks_off_are_stored() {
    struct BreaksOff(std::io::Cursor<Vec<u8>>);
    impl std::io::Read for BreaksOff {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(std::io::Error::other("connection reset")),
                n => Ok(n),
            }
        }
    }
    each_db(|app| async move {
        let w = world(&app).await;
        let start = days_ago(&app, 20);
        let csv = file(SICK, &[anna(start, "58222"), bo(start, "58222")]);
        let open = app
            .open_import(
                &w.admin_a,
                None,
                "cut.csv",
                None,
                None,
                BreaksOff(std::io::Cursor::new(csv.into_bytes())),
            )
            .await
            .expect("open");
        let id = open.import.id;
        assert!(app.run_import(open).await.is_err());
        let (import, _) = app.import_report(&w.admin_a, id).await.expect("report");
        assert_eq!(import.status, ImportStatus::Failed);
        assert_eq!(import.failure.as_deref(), Some("import-stopped-unreadable"));
        assert_eq!((import.counts.total, import.counts.added), (2, 2));
        let open = items(&app, &w.coord_a, Status::Open).await;
        find(&open, "Lindqvist", "sick_leave_day_35");
        find(&open, "Ek", "sick_leave_day_35");
    })
    .await;
}
