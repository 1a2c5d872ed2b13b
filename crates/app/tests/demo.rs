//! The demo world and the first administrator, on SQLite and (with `SAMVERKA_TEST_POSTGRES`)
//! PostgreSQL.

mod common;
use common::each_db;
use samverka_app::auth::SignIn;
use samverka_app::{App, AppError};
use samverka_core::actor::Role;

async fn signed_in(app: &App, username: &str, password: &str) -> samverka_core::Actor {
    match app
        .sign_in(username, password, "127.0.0.1")
        .await
        .expect("sign in")
    {
        SignIn::Success { token } => {
            app.authenticate(&token)
                .await
                .expect("auth")
                .expect("session")
                .actor
        }
        other => panic!("{username} could not sign in: {other:?}"),
    }
}

#[tokio::test]
async fn the_demo_world_loads_once_and_every_demo_user_can_sign_in() {
    each_db(|app| async move {
        let first = app.load_demo(7, 60, 20).await.expect("demo");
        assert!(first.created);
        assert_eq!(first.persons, 80);
        assert_eq!(first.users, 14);
        assert!(app.is_demo().await.expect("is demo"));

        // A second run reuses the data directory and changes nothing.
        let second = app.load_demo(7, 60, 20).await.expect("demo again");
        assert!(!second.created);
        assert_eq!(
            (second.persons, second.users, second.organisations),
            (80, 14, first.organisations)
        );

        let expected_roles = [
            ("admin", Role::Administrator),
            ("coordinator", Role::Coordinator),
            ("lead", Role::ProgrammeLead),
            ("auditor", Role::Auditor),
            ("primarycare", Role::Professional),
            ("hospital", Role::Professional),
            ("social", Role::Professional),
            ("homecare", Role::Professional),
            ("school", Role::Professional),
            ("insurance", Role::Professional),
            ("employment", Role::Professional),
            ("coordinator-halmstad", Role::Coordinator),
            ("coordinator-harnosand", Role::Coordinator),
            ("koordinator-odense", Role::Coordinator),
        ];
        for (username, role) in expected_roles {
            let actor = signed_in(&app, username, "demo").await;
            assert_eq!(actor.roles(), vec![role], "{username}");
        }

        let admin = signed_in(&app, "admin", "demo").await;
        let overview = app.programme_overview(&admin).await.expect("programmes");
        let names: Vec<&str> = overview.iter().map(|p| p.programme.name.as_str()).collect();
        for wanted in [
            "Samordningsteam Skäggetorp",
            "Integrated Care Odense",
            "Utskrivningsteam Härnösand",
        ] {
            assert!(
                names.iter().any(|n| n.starts_with(wanted)),
                "{wanted} missing from {names:?}"
            );
        }
        let skaggetorp = overview
            .iter()
            .find(|p| p.programme.name.starts_with("Samordningsteam Skäggetorp"))
            .expect("Skäggetorp");
        let sectors: std::collections::HashSet<_> = skaggetorp
            .organisations
            .iter()
            .map(|(o, _)| o.sector)
            .collect();
        assert!(
            sectors.len() >= 6,
            "organisations from many sectors: {sectors:?}"
        );
        assert!(
            skaggetorp
                .organisations
                .iter()
                .all(|(_, units)| !units.is_empty())
        );

        // Professionals find the synthetic persons. (Protected identity is tested over HTTP.)
        let prof = signed_in(&app, "primarycare", "demo").await;
        let found = app.search_persons(&prof, "a").await.expect("search");
        assert!(!found.persons.is_empty());
        assert!(found.persons.iter().all(|v| v.person.synthetic));

        // The coordinator's organisation has a case in every status, each case page shows its
        // dated history, and the closed one its outcome.
        let coord = signed_in(&app, "coordinator", "demo").await;
        let mut statuses = Vec::new();
        for status in samverka_core::case::CaseStatus::ALL {
            let q = samverka_app::cases::CaseListQuery {
                scope: "organisation".into(),
                status: status.code().into(),
                programme: String::new(),
            };
            let (_, rows, _) = app.case_list(&coord, &q).await.expect("case list");
            if let Some(r) = rows.first() {
                statuses.push(*status);
                let page = app.case_page(&coord, r.case.id).await.expect("case page");
                let d = page.details.expect("the coordinator sees the case");
                assert_eq!(d.view.case.status, *status);
                assert_eq!(d.events.last().map(|e| e.event.to), Some(*status));
                if *status == samverka_core::case::CaseStatus::Closed {
                    assert!(d.view.case.outcome.is_some() && d.view.case.income.is_some());
                }
            }
        }
        assert_eq!(statuses, samverka_core::case::CaseStatus::ALL);
        // The other programmes have cases of their own coordinators.
        for user in [
            "coordinator-halmstad",
            "coordinator-harnosand",
            "koordinator-odense",
        ] {
            let actor = signed_in(&app, user, "demo").await;
            let (_, rows, _) = app
                .case_list(&actor, &samverka_app::cases::CaseListQuery::default())
                .await
                .expect("case list");
            assert!(!rows.is_empty(), "{user} has open cases");
            assert!(
                rows.iter()
                    .all(|r| !r.programme_name.starts_with("Samordningsteam Skäggetorp")),
                "{user}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn demo_data_is_never_loaded_into_a_database_with_real_accounts() {
    each_db(|app| async move {
        app.bootstrap_admin("ada", "Ada Admin", "a long enough password", "Region Test")
            .await
            .expect("admin");
        let e = app.load_demo(7, 5, 5).await.expect_err("refused");
        assert!(matches!(e, AppError::Internal(_)), "{e:?}");
        assert!(!app.is_demo().await.expect("is demo"));
    })
    .await;
}

#[tokio::test]
async fn the_first_administrator_is_validated_and_can_sign_in() {
    each_db(|app| async move {
        let e = app
            .bootstrap_admin("x", "", "short", "")
            .await
            .expect_err("invalid");
        let AppError::Invalid(problems) = e else {
            panic!("expected field errors")
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        for f in ["username", "display_name", "organisation", "password"] {
            assert!(fields.contains(&f), "{f} not reported in {fields:?}");
        }
        app.bootstrap_admin("ada", "Ada Admin", "a long enough password", "Region Test")
            .await
            .expect("admin");
        let actor = signed_in(&app, "ada", "a long enough password").await;
        assert_eq!(actor.roles(), vec![Role::Administrator]);
        let again = app
            .bootstrap_admin("ada", "Ada Again", "a long enough password", "Region Test")
            .await;
        assert!(
            matches!(again, Err(AppError::Invalid(_))),
            "the username is taken"
        );
    })
    .await;
}

/// A person's record lists the newest log entries of the organisations its reader may know of
/// (their own, and those a valid consent lets share with them), never another's: in the demo,
/// `social` reads the records of the person with a valid consent and of the one whose consent
/// expired; `primarycare`, on both teams, then sees social services' entry on the first record
/// only.
#[tokio::test]
async fn a_record_lists_log_entries_only_of_organisations_the_reader_may_know_of() {
    each_db(|app| async move {
        app.load_demo(7, 60, 20).await.expect("demo");
        let primarycare = signed_in(&app, "primarycare", "demo").await;
        let social = signed_in(&app, "social", "demo").await;
        let social_org = social.memberships[0].organisation_id;
        let own_org = primarycare.memberships[0].organisation_id;
        // The demo's persons with a valid and an expired consent, by primary care's notes (a
        // name search finds only persons on the reader's team, and every name has a vowel).
        let mut on_team = Vec::new();
        for vowel in ["a", "e", "i", "o", "u", "y", "å", "ä", "ö"] {
            for v in app
                .search_persons(&primarycare, vowel)
                .await
                .expect("search")
                .persons
            {
                if !on_team.contains(&v.person.id) {
                    on_team.push(v.person.id);
                }
            }
        }
        let (mut valid, mut expired) = (None, None);
        for id in on_team {
            let r = app.person_record(&primarycare, id).await.expect("record");
            let says = |text: &str| r.notes.shown.iter().any(|n| n.note.body.contains(text));
            if says("ländryggssmärta") {
                valid = Some(id);
            } else if says("Depressionsbehandling") {
                expired = Some(id);
            }
        }
        let (valid, expired) = (valid.expect("valid consent"), expired.expect("expired"));
        for p in [valid, expired] {
            app.person_record(&social, p).await.expect("social reads");
        }
        app.log.flush().await.expect("flush");

        let orgs = |r: &samverka_app::records::PersonRecord| {
            r.access_log
                .iter()
                .map(|e| e.organisation_id.expect("an organisation"))
                .collect::<Vec<_>>()
        };
        let r = app
            .person_record(&primarycare, valid)
            .await
            .expect("record");
        assert!(orgs(&r).contains(&social_org), "shared under the consent");
        assert!(orgs(&r).contains(&own_org));
        let r = app
            .person_record(&primarycare, expired)
            .await
            .expect("record");
        assert!(
            !orgs(&r).contains(&social_org),
            "an expired consent shares nothing, not even that social services looked"
        );
        assert!(
            orgs(&r).contains(&own_org),
            "their own organisation's reads"
        );
    })
    .await;
}
