//! The store suite: every test runs on SQLite, and on PostgreSQL too when `SAMVERKA_TEST_POSTGRES`
//! is set (CI sets it). Each test gets a fresh, migrated database.

use chrono::{Duration, NaiveDate, Utc};
use samverka_core::actor::{Actor, Membership, Role};
use samverka_core::consent::TeamMember;
use samverka_core::national_id::{NationalId, Scheme, luhn_check_digit};
use samverka_core::org::Sector;
use samverka_core::policy::{self, AccessRequest, Action, Decision, Facts, Grant, PersonFacts};
use samverka_core::{
    AccessLogId, OrganisationId, PersonId, ProgrammeId, TeamMemberId, UnitId, UserId,
};
use samverka_store::access_log::{self, Entry};
use samverka_store::org::{self, Organisation, Programme, Unit};
use samverka_store::person::{self, Person};
use samverka_store::session::{self, Session};
use samverka_store::testing::TestDb;
use samverka_store::user::{self, User};
use samverka_store::{Backend, Db, StoreError, q, setting};

async fn each_db<F, Fut>(f: F)
where
    F: Fn(Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for t in TestDb::all().await.expect("test databases") {
        f(t.db.clone()).await;
        t.cleanup().await;
    }
}

/// Now, at the microsecond precision both databases keep.
fn now() -> chrono::DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(Utc::now(), 6)
}

fn org(name: &str) -> Organisation {
    Organisation {
        id: OrganisationId::new(),
        name: name.into(),
        sector: Sector::PrimaryCare,
        country: "SE".into(),
        active: true,
        created_at: now(),
    }
}

fn new_user(username: &str) -> User {
    User {
        id: UserId::new(),
        username: username.into(),
        display_name: format!("{username} Testsson"),
        email: None,
        password_hash: "not-a-real-hash".into(),
        totp_secret: None,
        active: true,
        created_at: now(),
        deactivated_at: None,
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
}

/// A valid personnummer from its first eleven digits (YYYYMMDDNNN): the check digit is computed.
fn pnr(first11: &str) -> String {
    format!("{first11}{}", luhn_check_digit(&first11[2..]))
}

fn new_person(first11: &str, given: &str, family: &str) -> Person {
    Person {
        id: PersonId::new(),
        national_id: NationalId::parse(&pnr(first11), Scheme::Swedish, today())
            .expect("valid number"),
        given_name: given.into(),
        family_name: family.into(),
        birth_date: None,
        sex: Some("female".into()),
        street: Some("Storgatan 1".into()),
        postal_code: Some("58222".into()),
        city: Some("Linköping".into()),
        phone: None,
        protected_identity: false,
        preferred_language: Some("sv".into()),
        interpreter_needed: false,
        synthetic: false,
        created_at: now(),
        created_by: None,
    }
}

/// One professional, the same in every test, so that rows can name their user and unit.
static ME: std::sync::LazyLock<Actor> = std::sync::LazyLock::new(|| Actor {
    user_id: UserId::new(),
    username: "p".into(),
    display_name: "P".into(),
    memberships: vec![Membership {
        unit_id: UnitId::new(),
        organisation_id: OrganisationId::new(),
        role: Role::Professional,
    }],
});

/// A grant for [`ME`], who is on the team of any person asked about.
fn grant(action: Action, person: Option<PersonId>) -> Grant {
    let m = &ME.memberships[0];
    let facts = person.map(|p| PersonFacts {
        team: vec![TeamMember {
            id: TeamMemberId::new(),
            person_id: p,
            user_id: Some(ME.user_id),
            unit_id: m.unit_id,
            organisation_id: m.organisation_id,
            starts_on: Utc::now().date_naive(),
            ended_at: None,
            added_by: None,
            created_at: now(),
        }],
        ..PersonFacts::default()
    });
    let f = Facts {
        now: now(),
        today: Utc::now().date_naive(),
        protected_identity_roles: &[],
        person: facts.as_ref(),
    };
    match policy::decide(&ME, &AccessRequest { action, person }, &f) {
        Decision::Allow(g) => g,
        Decision::Deny(r) => panic!("professional denied: {r:?}"),
    }
}

/// Registers [`ME`]'s organisation, unit and user, so team rows can refer to them.
async fn register_me(tx: &mut samverka_store::Tx) {
    let m = &ME.memberships[0];
    let mut o = org("My organisation");
    o.id = m.organisation_id;
    org::insert_organisation(tx, &o).await.expect("org");
    org::insert_unit(
        tx,
        &Unit {
            id: m.unit_id,
            organisation_id: o.id,
            name: "My unit".into(),
            active: true,
            created_at: now(),
        },
    )
    .await
    .expect("unit");
    let mut u = new_user("me");
    u.id = ME.user_id;
    user::insert(tx, &u).await.expect("user");
}

/// Puts [`ME`] on the person's team.
async fn put_me_on_team(tx: &mut samverka_store::Tx, person: PersonId) {
    let m = &ME.memberships[0];
    tx.execute(q!(
        "insert into team_member (id, person_id, user_id, unit_id, organisation_id, starts_on, created_at)
         values ($1, $2, $3, $4, $5, $6, $7)",
        TeamMemberId::new(),
        person,
        ME.user_id,
        m.unit_id,
        m.organisation_id,
        Utc::now().date_naive() - Duration::days(1),
        now()
    ))
    .await
    .expect("team");
}

#[tokio::test]
async fn both_migration_trees_make_the_same_tables() {
    let Some(server) = samverka_store::testing::postgres_server_url() else {
        eprintln!("SAMVERKA_TEST_POSTGRES not set: comparing the SQLite schema with itself only");
        return;
    };
    #[derive(sqlx::FromRow, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Column {
        table_name: String,
        column_name: String,
        not_null: bool,
    }
    let lite = TestDb::sqlite().await.expect("sqlite");
    let mut l = lite.db.clone();
    let mut lite_cols: Vec<Column> = l
        .fetch_all(q!(
            "select m.name as table_name, p.name as column_name, (p.\"notnull\" = 1 or p.pk = 1) as not_null
             from sqlite_master m join pragma_table_info(m.name) p
             where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like '_sqlx%'"
        ))
        .await
        .expect("sqlite schema");
    let pg = TestDb::postgres(&server).await.expect("postgres");
    let mut p = pg.db.clone();
    let mut pg_cols: Vec<Column> = p
        .fetch_all(q!(
            "select table_name::text as table_name, column_name::text as column_name,
                    (is_nullable = 'NO') as not_null
             from information_schema.columns
             where table_schema = 'public' and table_name not like '\\_sqlx%'"
        ))
        .await
        .expect("postgres schema");
    lite_cols.sort();
    pg_cols.sort();
    assert!(!lite_cols.is_empty());
    assert_eq!(
        lite_cols, pg_cols,
        "the SQLite and PostgreSQL migrations differ"
    );
    // The indexes made by `create index` (not those behind keys and unique constraints), by
    // table: a list that reads through an index on one database must not scan on the other.
    #[derive(sqlx::FromRow, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Index {
        table_name: String,
        index_name: String,
    }
    let mut lite_idx: Vec<Index> = l
        .fetch_all(q!(
            "select tbl_name as table_name, name as index_name from sqlite_master
             where type = 'index' and sql is not null"
        ))
        .await
        .expect("sqlite indexes");
    let mut pg_idx: Vec<Index> = p
        .fetch_all(q!(
            "select tablename::text as table_name, indexname::text as index_name
             from pg_indexes i
             where schemaname = 'public' and tablename not like '\\_sqlx%'
               and not exists (select 1 from pg_constraint c
                               where c.conindid = (quote_ident(i.indexname))::regclass)"
        ))
        .await
        .expect("postgres indexes");
    lite_idx.sort();
    pg_idx.sort();
    assert!(
        lite_idx
            .iter()
            .any(|i| i.index_name == "case_task_requested_by_idx")
    );
    assert_eq!(lite_idx, pg_idx, "the migrations make different indexes");
    lite.cleanup().await;
    pg.cleanup().await;
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    each_db(|db| async move {
        db.migrate().await.expect("second migrate is a no-op");
        let mut d = db.clone();
        d.execute(q!("select 1")).await.expect("still usable");
    })
    .await;
}

#[tokio::test]
async fn organisations_units_and_programmes_round_trip() {
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        let mut o = org("Vårdcentralen Ryd");
        org::insert_organisation(&mut tx, &o).await.expect("insert");
        assert_eq!(
            org::get_organisation(&mut tx, o.id)
                .await
                .expect("get")
                .name,
            "Vårdcentralen Ryd"
        );
        assert!(
            org::organisation_name_taken(&mut tx, "vårdcentralen ryd", None)
                .await
                .expect("taken")
        );
        assert!(
            !org::organisation_name_taken(&mut tx, "vårdcentralen ryd", Some(o.id))
                .await
                .expect("self")
        );

        o.sector = Sector::Hospital;
        o.active = false;
        org::update_organisation(&mut tx, &o).await.expect("update");
        let back = org::get_organisation(&mut tx, o.id).await.expect("get");
        assert_eq!((back.sector, back.active), (Sector::Hospital, false));
        assert!(matches!(
            org::update_organisation(&mut tx, &org("Nobody")).await,
            Err(StoreError::NotFound)
        ));

        let u = Unit {
            id: UnitId::new(),
            organisation_id: o.id,
            name: "Team 1".into(),
            active: true,
            created_at: now(),
        };
        org::insert_unit(&mut tx, &u).await.expect("unit");
        assert_eq!(
            org::units_of(&mut tx, o.id).await.expect("units"),
            vec![u.clone()]
        );
        assert!(
            org::unit_name_taken(&mut tx, o.id, "TEAM 1", None)
                .await
                .expect("taken")
        );

        let p = Programme {
            id: ProgrammeId::new(),
            name: "Samordningsteam Skäggetorp".into(),
            description: "Dag 35".into(),
            country: "SE".into(),
            starts_on: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            ends_on: None,
            active: true,
            created_at: now(),
            organisations: vec![o.id],
            target_groups: vec!["sick_leave".into(), "sad".into()],
            catchment: vec!["58".into()],
        };
        org::insert_programme(&mut tx, &p).await.expect("programme");
        let mut got = org::get_programme(&mut tx, p.id).await.expect("get");
        assert_eq!(got.organisations, vec![o.id]);
        assert_eq!(got.target_groups, p.target_groups);
        assert_eq!(got.catchment, p.catchment);
        assert_eq!(got.starts_on, p.starts_on);
        got.organisations.clear();
        got.ends_on = NaiveDate::from_ymd_opt(2026, 12, 31);
        org::update_programme(&mut tx, &got).await.expect("update");
        let list = org::list_programmes(&mut tx).await.expect("list");
        assert_eq!(list.len(), 1);
        assert!(list[0].organisations.is_empty());
        assert_eq!(list[0].ends_on, got.ends_on);
        tx.commit().await.expect("commit");
    })
    .await;
}

#[tokio::test]
async fn duplicate_names_are_a_conflict_not_a_crash() {
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        org::insert_organisation(&mut tx, &org("Socialkontoret"))
            .await
            .expect("first");
        tx.commit().await.expect("commit");
        let mut tx = db.begin().await.expect("tx");
        let e = org::insert_organisation(&mut tx, &org("SOCIALKONTORET"))
            .await
            .expect_err("duplicate");
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    })
    .await;
}

#[tokio::test]
async fn a_dropped_transaction_writes_nothing() {
    each_db(|db| async move {
        {
            let mut tx = db.begin().await.expect("tx");
            org::insert_organisation(&mut tx, &org("Halfway"))
                .await
                .expect("insert");
            // dropped without commit
        }
        let mut tx = db.begin().await.expect("tx");
        assert!(
            org::list_organisations(&mut tx)
                .await
                .expect("list")
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn users_memberships_and_sessions() {
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        let o = org("Arbetsförmedlingen");
        org::insert_organisation(&mut tx, &o).await.expect("org");
        let unit = Unit {
            id: UnitId::new(),
            organisation_id: o.id,
            name: "Linköping".into(),
            active: true,
            created_at: now(),
        };
        org::insert_unit(&mut tx, &unit).await.expect("unit");
        let mut u = new_user("eva");
        user::insert(&mut tx, &u).await.expect("user");
        tx.commit().await.expect("commit");
        // A failed statement spoils a PostgreSQL transaction, so the duplicate gets its own.
        let mut tx = db.begin().await.expect("tx");
        let dup = user::insert(
            &mut tx,
            &User {
                id: UserId::new(),
                ..u.clone()
            },
        )
        .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
        drop(tx);

        let mut tx = db.begin().await.expect("tx");
        user::add_membership(&mut tx, u.id, unit.id, Role::Professional, now())
            .await
            .expect("m");
        // The same membership twice is one membership.
        user::add_membership(&mut tx, u.id, unit.id, Role::Professional, now())
            .await
            .expect("m again");
        user::add_membership(&mut tx, u.id, unit.id, Role::Coordinator, now())
            .await
            .expect("m2");
        let ms = user::memberships(&mut tx, u.id).await.expect("memberships");
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].membership.role, Role::Professional);
        assert_eq!(ms[0].organisation_name, "Arbetsförmedlingen");
        user::remove_membership(&mut tx, u.id, ms[1].id)
            .await
            .expect("remove");
        assert_eq!(user::memberships(&mut tx, u.id).await.expect("m").len(), 1);
        assert_eq!(
            user::find_by_username(&mut tx, "eva")
                .await
                .expect("find")
                .map(|x| x.id),
            Some(u.id)
        );

        let now = now();
        let s = Session {
            token_hash: "abc".into(),
            user_id: u.id,
            mfa_pending: false,
            created_at: now,
            last_seen_at: now,
            expires_at: now + Duration::minutes(30),
        };
        session::insert(&mut tx, &s).await.expect("session");
        let found = session::find_active(&mut tx, "abc")
            .await
            .expect("find")
            .expect("present");
        assert_eq!(found.user_id, u.id);
        let later = now + Duration::minutes(5);
        session::touch(&mut tx, "abc", later, later + Duration::minutes(30))
            .await
            .expect("touch");
        let touched = session::find_active(&mut tx, "abc")
            .await
            .expect("find")
            .expect("present");
        assert_eq!(
            touched.expires_at.timestamp(),
            (later + Duration::minutes(30)).timestamp()
        );

        // A deactivated user's session is not found.
        u.active = false;
        user::update(&mut tx, &u).await.expect("deactivate");
        assert!(
            session::find_active(&mut tx, "abc")
                .await
                .expect("find")
                .is_none()
        );
        assert_eq!(
            session::delete_for_user(&mut tx, u.id)
                .await
                .expect("delete"),
            1
        );

        session::insert(
            &mut tx,
            &Session {
                expires_at: now - Duration::minutes(1),
                ..s.clone()
            },
        )
        .await
        .expect("old");
        assert_eq!(
            session::delete_expired(&mut tx, now)
                .await
                .expect("expired"),
            1
        );
        tx.commit().await.expect("commit");
    })
    .await;
}

#[tokio::test]
async fn login_failures_are_counted_per_name_and_address() {
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        let now = now();
        for _ in 0..3 {
            session::record_login_failure(&mut tx, "eva", "10.0.0.1", now)
                .await
                .expect("fail");
        }
        session::record_login_failure(&mut tx, "bo", "10.0.0.1", now)
            .await
            .expect("fail");
        let since = now - Duration::minutes(15);
        assert_eq!(
            session::recent_failures(&mut tx, "eva", "10.0.0.2", since)
                .await
                .expect("count"),
            (3, 0)
        );
        assert_eq!(
            session::recent_failures(&mut tx, "x", "10.0.0.1", since)
                .await
                .expect("count"),
            (0, 4)
        );
        session::clear_failures(&mut tx, "eva")
            .await
            .expect("clear");
        assert_eq!(
            session::recent_failures(&mut tx, "eva", "10.0.0.1", since)
                .await
                .expect("count"),
            (0, 1)
        );
    })
    .await;
}

#[tokio::test]
async fn person_functions_demand_a_matching_grant() {
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        let p = new_person("19811218987", "Anna", "Svensson");
        // A read grant cannot create, a grant for someone else cannot read.
        assert!(matches!(
            person::insert(&mut tx, &grant(Action::Read, None), &p).await,
            Err(StoreError::GrantMismatch)
        ));
        person::insert(&mut tx, &grant(Action::Create, None), &p)
            .await
            .expect("insert");
        assert!(matches!(
            person::get(&mut tx, &grant(Action::Read, Some(PersonId::new())), p.id).await,
            Err(StoreError::GrantMismatch)
        ));
        assert!(matches!(
            person::search(&mut tx, &grant(Action::Read, Some(p.id)), "", 10).await,
            Err(StoreError::GrantMismatch)
        ));
        let got = person::get(&mut tx, &grant(Action::Read, Some(p.id)), p.id)
            .await
            .expect("get");
        assert_eq!(got.national_id.as_str(), pnr("19811218987"));
        assert_eq!(got.city.as_deref(), Some("Linköping"));
        tx.commit().await.expect("commit");
    })
    .await;
}

#[tokio::test]
async fn search_by_name_words_and_by_number() {
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        let create = grant(Action::Create, None);
        register_me(&mut tx).await;
        for (n, g, f) in [
            ("19811218987", "Anna", "Svensson"),
            ("19900101001", "Anna-Karin", "Öberg"),
            ("19750505555", "Bo", "Svensson"),
            ("19600606666", "Percent%", "Under_score"),
        ] {
            let p = new_person(n, g, f);
            person::insert(&mut tx, &create, &p).await.expect("insert");
            put_me_on_team(&mut tx, p.id).await;
        }
        // Someone whose team the searcher is not on: never found by name.
        person::insert(
            &mut tx,
            &create,
            &new_person("19700707777", "Anna", "Utanför"),
        )
        .await
        .expect("insert");
        let lookup = grant(Action::Lookup, None);
        let search = grant(Action::Search, None);
        let names = |v: Vec<Person>| v.into_iter().map(|p| p.given_name).collect::<Vec<_>>();
        let by = |name: &'static str| name;
        assert_eq!(
            names(
                person::search(&mut tx, &search, by("svensson"), 10)
                    .await
                    .expect("s")
            ),
            vec!["Anna", "Bo"]
        );
        assert_eq!(
            names(
                person::search(&mut tx, &search, by("ANNA  svens"), 10)
                    .await
                    .expect("s")
            ),
            vec!["Anna"]
        );
        assert_eq!(
            names(
                person::search(&mut tx, &search, by("öberg"), 10)
                    .await
                    .expect("s")
            ),
            vec!["Anna-Karin"]
        );
        // LIKE wildcards in the input are literal characters.
        assert_eq!(
            names(
                person::search(&mut tx, &search, by("%"), 10)
                    .await
                    .expect("s")
            ),
            vec!["Percent%"]
        );
        assert_eq!(
            names(
                person::search(&mut tx, &search, by("nde__"), 10)
                    .await
                    .expect("s")
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            person::search(&mut tx, &search, by("svensson"), 1)
                .await
                .expect("s")
                .len(),
            1
        );
        // An exact number (of two possible readings) finds its person by lookup.
        let exact = person::lookup(&mut tx, &lookup, &["0101701234".into(), pnr("19750505555")])
            .await
            .expect("lookup");
        assert_eq!(
            exact
                .iter()
                .map(|i| i.given_name.as_str())
                .collect::<Vec<_>>(),
            vec!["Bo"]
        );
        assert!(
            person::id_by_national_id(&mut tx, &lookup, &pnr("19750505555"))
                .await
                .expect("id")
                .is_some()
        );
        assert!(
            person::id_by_national_id(&mut tx, &lookup, &pnr("19750505556"))
                .await
                .expect("id")
                .is_none()
        );
        let mut annas = names(
            person::search(&mut tx, &search, by("anna"), 10)
                .await
                .expect("s"),
        );
        annas.sort();
        assert_eq!(
            annas,
            vec!["Anna", "Anna-Karin"],
            "the person off the team is not found"
        );
        let found = person::lookup(&mut tx, &lookup, &[pnr("19700707777")])
            .await
            .expect("lookup");
        assert_eq!(found.len(), 1, "an exact number finds anyone's identity");
        // The same number twice is refused by the database itself.
        let dup = new_person("19750505555", "Other", "Person");
        assert!(matches!(
            person::insert(&mut tx, &create, &dup).await,
            Err(StoreError::Conflict(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn synthetic_seeding_is_idempotent_and_refuses_real_persons() {
    each_db(|db| async move {
        let mut a = new_person("19811218987", "Syn", "Thetic");
        a.synthetic = true;
        let mut tx = db.begin().await.expect("tx");
        assert_eq!(
            person::seed_synthetic(&mut tx, std::slice::from_ref(&a))
                .await
                .expect("seed"),
            1
        );
        let again = Person {
            id: PersonId::new(),
            ..a.clone()
        };
        assert_eq!(
            person::seed_synthetic(&mut tx, &[again])
                .await
                .expect("seed"),
            0
        );
        assert_eq!(person::count(&mut tx).await.expect("count"), 1);
        let real = new_person("19750505555", "Real", "Person");
        assert!(person::seed_synthetic(&mut tx, &[real]).await.is_err());
    })
    .await;
}

fn log_entry(person: Option<PersonId>, action: &str, at: chrono::DateTime<Utc>) -> Entry {
    Entry {
        id: AccessLogId::new(),
        at,
        user_id: None,
        organisation_id: None,
        unit_id: None,
        role: Some("professional".into()),
        action: action.into(),
        person_id: person,
        what: "person".into(),
        purpose: None,
        outcome: "allowed".into(),
    }
}

async fn whole_chain(
    db: &Db,
) -> (
    Vec<samverka_core::audit::Sealed>,
    samverka_core::audit::Head,
) {
    let mut tx = db.begin_read().await.expect("tx");
    let head = access_log::head(&mut tx).await.expect("head");
    (
        access_log::sealed_page(&mut tx, 0, 1000)
            .await
            .expect("page"),
        head,
    )
}

#[tokio::test]
async fn access_log_entries_are_kept_in_order_per_person() {
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        let p = new_person("19811218987", "Anna", "Svensson");
        person::insert(&mut tx, &grant(Action::Create, None), &p)
            .await
            .expect("insert");
        let t0 = now();
        access_log::append_unsealed(&mut tx, &log_entry(Some(p.id), "create", t0))
            .await
            .expect("append");
        tx.commit().await.expect("commit");
        let mut tx = db.begin().await.expect("tx");
        let reads = (1..3)
            .map(|i| log_entry(Some(p.id), "read", t0 + Duration::seconds(i)))
            .collect();
        access_log::seal_batch(&mut tx, reads).await.expect("seal");
        tx.commit().await.expect("commit");

        let mut tx = db.begin_read().await.expect("tx");
        let entries = access_log::for_person(&mut tx, p.id, 10)
            .await
            .expect("entries");
        assert_eq!(
            entries
                .iter()
                .map(|e| e.action.as_str())
                .collect::<Vec<_>>(),
            vec!["read", "read", "create"]
        );
        assert_eq!(
            access_log::latest(&mut tx, 2).await.expect("latest").len(),
            2
        );
        assert!(
            access_log::for_person(&mut tx, PersonId::new(), 10)
                .await
                .expect("none")
                .is_empty()
        );
        assert_eq!(
            access_log::unsealed_count(&mut tx).await.expect("unsealed"),
            0
        );
    })
    .await;
}

/// A record shows the newest entries of the organisations its reader may know of: the filter and
/// the limit are the database's, so entries of others never take the places of known ones, and
/// entries of the same instant come in the order they were written.
#[tokio::test]
async fn a_persons_newest_entries_by_known_organisations_come_filtered_and_in_order() {
    each_db(|db| async move {
        // The log keeps no foreign keys: a person id is all an entry needs.
        let person = PersonId::new();
        let (mine, known, other) = (
            OrganisationId::new(),
            OrganisationId::new(),
            OrganisationId::new(),
        );
        let t0 = now();
        let entry = |org: Option<OrganisationId>, what: &str, at| {
            let mut e = log_entry(Some(person), "read", at);
            e.organisation_id = org;
            e.what = what.into();
            e
        };
        // Oldest first: two of mine, then many of another organisation, then two of a known one
        // at the very same instant, then one without an organisation.
        let mut batch = vec![
            entry(Some(mine), "mine 1", t0),
            entry(Some(mine), "mine 2", t0 + Duration::seconds(1)),
        ];
        for i in 0..30 {
            batch.push(entry(Some(other), "other", t0 + Duration::seconds(2 + i)));
        }
        let tie = t0 + Duration::seconds(40);
        batch.push(entry(Some(known), "known 1", tie));
        batch.push(entry(Some(known), "known 2", tie));
        batch.push(entry(None, "system", t0 + Duration::seconds(41)));
        let mut tx = db.begin().await.expect("tx");
        access_log::seal_batch(&mut tx, batch).await.expect("seal");
        tx.commit().await.expect("commit");

        let mut tx = db.begin_read().await.expect("tx");
        let whats = |v: Vec<Entry>| v.into_iter().map(|e| e.what).collect::<Vec<_>>();
        let seen = access_log::for_person_by(&mut tx, person, Some(&[mine, known]), 3)
            .await
            .expect("entries");
        assert_eq!(whats(seen), ["known 2", "known 1", "mine 2"]);
        let seen = access_log::for_person_by(&mut tx, person, Some(&[mine, known]), 20)
            .await
            .expect("entries");
        assert_eq!(whats(seen), ["known 2", "known 1", "mine 2", "mine 1"]);
        // Every organisation (emergency access): not the entry without one.
        let all = access_log::for_person_by(&mut tx, person, None, 3)
            .await
            .expect("entries");
        assert_eq!(whats(all), ["known 2", "known 1", "other"]);
        assert!(
            access_log::for_person_by(&mut tx, person, Some(&[]), 3)
                .await
                .expect("entries")
                .is_empty()
        );
        // The unfiltered list has the same order.
        let newest = access_log::for_person(&mut tx, person, 3)
            .await
            .expect("entries");
        assert_eq!(whats(newest), ["system", "known 2", "known 1"]);
    })
    .await;
}

#[tokio::test]
async fn sealing_chains_entries_in_order_and_round_trips_them_exactly() {
    each_db(|db| async move {
        let t0 = now();
        // An entry written by a change, then two batches: the unsealed one is sealed first.
        let mut tx = db.begin().await.expect("tx");
        let mut first = log_entry(None, "create", t0);
        first.user_id = Some(UserId::new());
        first.purpose = Some("Ringde: \"akut\" – ärende 5".into());
        access_log::append_unsealed(&mut tx, &first)
            .await
            .expect("unsealed");
        tx.commit().await.expect("commit");
        for batch in 0..2 {
            let mut tx = db.begin().await.expect("tx");
            let new = (0..3)
                .map(|i| {
                    log_entry(
                        Some(PersonId::new()),
                        "read",
                        t0 + Duration::seconds(batch * 10 + i),
                    )
                })
                .collect();
            access_log::seal_batch(&mut tx, new).await.expect("seal");
            tx.commit().await.expect("commit");
        }
        let (chain, head) = whole_chain(&db).await;
        assert_eq!(chain.len(), 7);
        assert_eq!(chain[0].entry, first, "every field reads back as written");
        assert_eq!(head.seq, 7);
        assert_eq!(
            samverka_core::audit::verify(&chain, &head).map(|v| v.entries),
            Ok(7)
        );
        let mut tx = db.begin_read().await.expect("tx");
        assert_eq!(
            access_log::position_of_hash(&mut tx, &chain[3].hash)
                .await
                .expect("pos"),
            Some(4)
        );
        assert_eq!(
            access_log::position_of_hash(&mut tx, "nope")
                .await
                .expect("pos"),
            None
        );
    })
    .await;
}

#[tokio::test]
async fn an_empty_batch_changes_nothing() {
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        let head = access_log::seal_batch(&mut tx, Vec::new())
            .await
            .expect("seal");
        tx.commit().await.expect("commit");
        assert_eq!(head, samverka_core::audit::Head::genesis());
        assert_eq!(whole_chain(&db).await.1, head);
    })
    .await;
}

#[tokio::test]
async fn settings_upsert() {
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        assert_eq!(setting::get(&mut tx, "demo_seed").await.expect("get"), None);
        setting::set(&mut tx, "demo_seed", "1").await.expect("set");
        setting::set(&mut tx, "demo_seed", "2")
            .await
            .expect("set again");
        assert_eq!(
            setting::get(&mut tx, "demo_seed")
                .await
                .expect("get")
                .as_deref(),
            Some("2")
        );
    })
    .await;
}

#[tokio::test]
async fn backends_are_what_the_url_says() {
    let t = TestDb::sqlite().await.expect("sqlite");
    assert_eq!(t.db.backend(), Backend::Sqlite);
    assert!(t.db.ping().await);
    t.cleanup().await;
    assert!(matches!(
        Db::connect("mysql://x").await,
        Err(StoreError::Config(_))
    ));
}

#[tokio::test]
async fn access_facts_round_trip_exactly() {
    use samverka_core::consent::{
        Block, BlockScope, Category, Consent, ConsentForm, EmergencyAccess,
    };
    use samverka_core::{BlockId, ConsentId, EmergencyAccessId};
    use samverka_store::consent;
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        register_me(&mut tx).await;
        let other = org("Other organisation");
        org::insert_organisation(&mut tx, &other)
            .await
            .expect("org");
        let p = new_person("19811218987", "Anna", "Svensson");
        person::insert(&mut tx, &grant(Action::Create, None), &p)
            .await
            .expect("insert");
        put_me_on_team(&mut tx, p.id).await;
        let m = &ME.memberships[0];
        let create = grant(Action::Create, Some(p.id));
        let c = Consent {
            id: ConsentId::new(),
            person_id: p.id,
            purpose: "Samordning".into(),
            sharing: vec![m.organisation_id],
            receiving: vec![m.organisation_id, other.id],
            categories: vec![Category::Health, Category::School],
            form: ConsentForm::Verbal,
            guardian: Some("Lina Karlsson".into()),
            valid_from: today(),
            valid_to: Some(today() + Duration::days(30)),
            recorded_by: ME.user_id,
            recorded_by_organisation: m.organisation_id,
            recorded_at: now(),
            withdrawn_at: None,
            withdrawn_by: None,
        };
        consent::insert_consent(&mut tx, &create, &c)
            .await
            .expect("consent");
        let b = Block {
            id: BlockId::new(),
            person_id: p.id,
            scope: BlockScope::Category(Category::Social),
            from: Some(today() - Duration::days(400)),
            to: Some(today() - Duration::days(30)),
            recorded_by: ME.user_id,
            recorded_by_organisation: m.organisation_id,
            recorded_at: now(),
            lifted_at: None,
            lifted_by: None,
        };
        consent::insert_block(&mut tx, &create, &b)
            .await
            .expect("block");
        let e = EmergencyAccess {
            id: EmergencyAccessId::new(),
            person_id: p.id,
            user_id: ME.user_id,
            organisation_id: m.organisation_id,
            unit_id: m.unit_id,
            reason: "Medvetslös".into(),
            started_at: now(),
            expires_at: now() + Duration::hours(2),
            reviewed_at: None,
            reviewed_by: None,
            review_comment: None,
        };
        consent::insert_emergency(&mut tx, &grant(Action::EmergencyAccess, Some(p.id)), &e)
            .await
            .expect("emergency");
        // A grant for another action or person is refused.
        assert!(matches!(
            consent::insert_consent(&mut tx, &grant(Action::Read, Some(p.id)), &c).await,
            Err(StoreError::GrantMismatch)
        ));
        let facts = consent::person_facts(&mut tx, p.id, ME.user_id)
            .await
            .expect("facts")
            .expect("person exists");
        let mut got = facts.consents[0].clone();
        got.receiving.sort();
        let mut want = c.clone();
        want.receiving.sort();
        assert_eq!(got, want);
        assert_eq!(facts.blocks, vec![b.clone()]);
        assert_eq!(facts.emergency, vec![e]);
        assert_eq!(facts.team.len(), 1);

        // Withdrawal and lifting are recorded once, by whoever holds the update grant.
        let update = grant(Action::Update, Some(p.id));
        let at = now();
        assert!(
            consent::withdraw_consent(&mut tx, &update, p.id, c.id, at)
                .await
                .expect("w")
        );
        assert!(
            !consent::withdraw_consent(&mut tx, &update, p.id, c.id, at)
                .await
                .expect("w")
        );
        assert!(
            consent::lift_block(&mut tx, &update, p.id, b.id, at)
                .await
                .expect("l")
        );
        let facts = consent::person_facts(&mut tx, p.id, ME.user_id)
            .await
            .expect("facts")
            .expect("person exists");
        assert_eq!(facts.consents[0].withdrawn_at, Some(at));
        assert_eq!(facts.consents[0].withdrawn_by, Some(ME.user_id));
        assert_eq!(facts.blocks[0].lifted_at, Some(at));
        assert!(
            consent::person_facts(&mut tx, PersonId::new(), ME.user_id)
                .await
                .expect("facts")
                .is_none()
        );
        tx.commit().await.expect("commit");
    })
    .await;
}

/// A full screening reads the signal sets page after page, each page starting after the last
/// (person, organisation) of the one before: every set once, in order, whatever the page size.
#[tokio::test]
async fn signal_sets_are_read_in_pages_each_set_once_in_order() {
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        register_me(&mut tx).await;
        let other = org("Other organisation");
        org::insert_organisation(&mut tx, &other).await.expect("org");
        let orgs = [ME.memberships[0].organisation_id, other.id];
        let mut expected = Vec::new();
        for i in 0..7 {
            let p = new_person(&format!("1980010{}{:03}", 1 + i, 100 + i), "Set", "Person");
            person::insert(&mut tx, &grant(Action::Create, None), &p)
                .await
                .expect("person");
            // Some persons have sets of both organisations: a page may end between them.
            for o in orgs.iter().take(1 + i % 2) {
                tx.execute(q!(
                    "insert into signal_set (person_id, organisation_id, birth_date, data, signals, updated_at)
                     values ($1, $2, $3, $4, 0, $5)",
                    p.id,
                    *o,
                    None::<NaiveDate>,
                    samverka_core::signal::SignalSet::default().encode(),
                    now()
                ))
                .await
                .expect("set");
                expected.push((p.id, *o));
            }
        }
        expected.sort();
        for page in [1, 2, 3, 10, 50] {
            let mut seen = Vec::new();
            let mut pages = 0;
            let n = samverka_store::flag::for_each_set_page(&mut tx, page, |sets| {
                assert!(sets.len() as i64 <= page);
                pages += 1;
                seen.extend(sets.iter().map(|s| (s.person_id, s.organisation_id)));
                Ok(())
            })
            .await
            .expect("pages");
            assert_eq!(seen, expected, "page size {page}");
            assert_eq!(n, expected.len() as u64);
            assert_eq!(
                pages,
                expected.len().div_ceil(page as usize),
                "page size {page}"
            );
        }
        tx.commit().await.expect("commit");
    })
    .await;
}

/// After a bulk change PostgreSQL's planner statistics are refreshed at autovacuum's default
/// trigger (50 rows plus a tenth of the table), and only then; SQLite keeps none.
#[tokio::test]
async fn planner_statistics_are_refreshed_after_bulk_changes_only() {
    use samverka_store::statistics::{Table, refresh_after_bulk};
    each_db(|db| async move {
        let mut tx = db.begin().await.expect("tx");
        register_me(&mut tx).await;
        for i in 0..60 {
            let p = new_person(
                &format!("1975{:02}{:02}{:03}", 1 + i % 12, 1 + i % 28, 100 + i),
                "Bulk",
                "Person",
            );
            person::insert(&mut tx, &grant(Action::Create, None), &p)
                .await
                .expect("person");
        }
        tx.commit().await.expect("commit");
        let counted = || async {
            let mut tx = db.begin_read().await.expect("tx");
            let c: samverka_store::db::Count = tx
                .fetch_one(q!(
                    "select reltuples::bigint as n from pg_class where oid = 'person'::regclass"
                ))
                .await
                .expect("reltuples");
            c.n
        };
        match db.backend() {
            Backend::Sqlite => {
                let done = refresh_after_bulk(&db, &[(Table::Person, 60)])
                    .await
                    .expect("refresh");
                assert!(done.is_empty());
            }
            Backend::Postgres => {
                assert_eq!(counted().await, -1, "never counted before");
                let done = refresh_after_bulk(&db, &[(Table::Person, 50), (Table::Flag, 0)])
                    .await
                    .expect("refresh");
                assert!(done.is_empty(), "50 changed rows are not many");
                assert_eq!(counted().await, -1);
                let done = refresh_after_bulk(&db, &[(Table::Person, 60)])
                    .await
                    .expect("refresh");
                assert_eq!(done, vec![Table::Person]);
                assert_eq!(counted().await, 60);
                // Now counted at 60, a change needs more than 56 rows.
                let done = refresh_after_bulk(&db, &[(Table::Person, 56)])
                    .await
                    .expect("refresh");
                assert!(done.is_empty());
            }
        }
    })
    .await;
}
