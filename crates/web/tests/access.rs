//! Consent, blocks, team membership and emergency access over HTTP, as users meet them: each
//! change acts on the very next request. SQLite, and PostgreSQL when `SAMVERKA_TEST_POSTGRES` is set.

mod common;

use common::*;
use reqwest::StatusCode;
use samverka_core::actor::Role;

/// A form's fields, as sent.
type Fields = Vec<(&'static str, String)>;

#[tokio::test]
async fn consent_blocks_team_and_emergency_act_on_the_next_request() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let prof_a = t.user("prof-a", Role::Professional).await;
        t.user_in("prof-b", Role::Professional, t.other_unit).await;
        t.user("admin-a", Role::Administrator).await;
        t.user("auditor", Role::Auditor).await;
        let (a, b) = (t.signed_in("prof-a").await, t.signed_in("prof-b").await);
        let admin = t.signed_in("admin-a").await;
        let auditor = t.signed_in("auditor").await;

        // B registers the person (and so joins the team) and writes a social note.
        let reg = b
            .post(
                "/persons/new",
                "/persons",
                &[
                    ("id_scheme", "swedish"),
                    ("national_id", "19811218-9876"),
                    ("given_name", "Sara"),
                    ("family_name", "Öberg"),
                ],
            )
            .await;
        let record = reg.location.expect("registered");
        let id = record.trim_start_matches("/persons/").to_owned();
        let r = b
            .post(
                &record,
                &format!("{record}/notes"),
                &[("category", "social"), ("body", "B-SOCIAL-NOTE")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // A is not on the team: refused, and a name search does not find the person.
        assert_eq!(a.get(&record).await.status, StatusCode::FORBIDDEN);
        assert!(!a.get("/persons?q=%C3%B6berg").await.body.contains(&record));
        // The exact number shows identity only.
        let lookup = a.get("/persons?q=198112189876").await;
        assert!(lookup.body.contains("Öberg") && lookup.body.contains("Identity only"));

        // The administrator puts A on the team; A's next request sees the record (own data only).
        let teams = admin.get("/admin/teams").await;
        assert_eq!(teams.status, StatusCode::OK);
        let bad = admin
            .post(
                "/admin/teams",
                "/admin/teams",
                &[("national_id", "19811218-9875"), ("member", "")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.select_text("#national_id-error")[0].contains("check digit"));
        assert!(bad.select_text("#member-error")[0].contains("required"));
        let member = format!("user:{prof_a}:{}", t.unit);
        let ok = admin
            .post(
                "/admin/teams",
                "/admin/teams",
                &[("national_id", "19811218-9876"), ("member", &member)],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let page = a.get(&record).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("B-SOCIAL-NOTE"), "no consent yet");
        assert!(a.get("/persons?q=%C3%B6berg").await.body.contains(&record));

        // B records a consent that B shares social information with A: visible at once.
        let orgs = {
            let mut tx = t.app.db.begin_read().await.expect("tx");
            let a_org = samverka_store::org::get_unit(&mut tx, t.unit)
                .await
                .expect("u")
                .organisation_id;
            let b_org = samverka_store::org::get_unit(&mut tx, t.other_unit)
                .await
                .expect("u")
                .organisation_id;
            (a_org.to_string(), b_org.to_string())
        };
        // A consent form: B shares social information with A, changed by `edit`.
        let consent_form = |edit: &dyn Fn(&mut Fields)| {
            let mut f: Fields = vec![
                ("purpose", "Samordning".into()),
                ("sharing", orgs.1.clone()),
                ("receiving", orgs.0.clone()),
                ("categories", "social".into()),
                ("form", "verbal".into()),
            ];
            edit(&mut f);
            f
        };
        let consents = format!("{record}/consents");
        let send = |f: Fields| {
            let (b, record, consents) = (&b, &record, &consents);
            async move {
                let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                b.post(record, consents, &fields).await
            }
        };
        let far = send(consent_form(&|f| {
            f.push(("valid_to", "-5000-01-01".into()))
        }))
        .await;
        assert_eq!(
            far.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a year no database keeps"
        );
        assert!(far.select_text("#valid_to-error")[0].contains("not a date"));
        let missing = send(consent_form(&|f| f.retain(|(k, _)| *k != "categories"))).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            missing
                .select_text(".error-summary li a")
                .iter()
                .any(|s| s.starts_with("Categories of information"))
        );
        let r = send(consent_form(&|_| {})).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(a.get(&record).await.body.contains("B-SOCIAL-NOTE"));

        // A guardian cannot block; the person can, and the block acts at once.
        let g = b
            .post(
                &record,
                &format!("{record}/blocks"),
                &[
                    ("requested_by", "guardian"),
                    ("scope", "organisation"),
                    ("organisation", &orgs.1),
                ],
            )
            .await;
        assert_eq!(g.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(g.body.contains("A guardian cannot block"));
        let r = b
            .post(
                &record,
                &format!("{record}/blocks"),
                &[
                    ("requested_by", "person"),
                    ("scope", "organisation"),
                    ("organisation", &orgs.1),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = a.get(&record).await;
        assert!(!page.body.contains("B-SOCIAL-NOTE"));
        assert!(
            page.body
                .contains("Some information about this person is blocked")
        );
        assert!(
            b.get(&record).await.body.contains("B-SOCIAL-NOTE"),
            "the source still sees its own"
        );

        // Lifting needs the person's consent, confirmed; then A sees the note again.
        let bpage = b.get(&record).await;
        let lift = bpage
            .attr("form[action$='/lift']", "action")
            .expect("lift form");
        let r = b.post(&record, &lift, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Lifting a block takes the person"));
        assert_eq!(
            r.attr("input[name=confirm][aria-invalid=true]", "aria-describedby")
                .as_deref(),
            Some("confirm"),
            "the refusal stands beside the block it concerns"
        );
        let r = b.post(&record, &lift, &[("confirm", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(a.get(&record).await.body.contains("B-SOCIAL-NOTE"));

        // Withdrawal acts on the very next request.
        let withdraw = b
            .get(&record)
            .await
            .attr("form[action$='/withdraw']", "action")
            .expect("withdraw form");
        assert_eq!(
            b.post(&record, &withdraw, &[]).await.status,
            StatusCode::SEE_OTHER
        );
        let page = a.get(&record).await;
        assert!(!page.body.contains("B-SOCIAL-NOTE"));
        assert!(page.body.contains("Withdrawn"));

        // Taken off the team: the next request is refused.
        let end = admin
            .get("/admin/teams")
            .await
            .attr("form[action$='/end']", "action")
            .expect("end form");
        assert_eq!(
            admin.post("/admin/teams", &end, &[]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(a.get(&record).await.status, StatusCode::FORBIDDEN);

        // Emergency access: a reason is required; then everything is shown, flagged.
        let emergency = format!("{record}/emergency");
        let short = a.post(&emergency, &emergency, &[("reason", "now")]).await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(short.select_text("#reason-error")[0].contains("At least 10"));
        let r = a
            .post(
                &emergency,
                &emergency,
                &[("reason", "Unconscious at the emergency ward")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = a.get(&record).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("B-SOCIAL-NOTE") && page.body.contains("under emergency access")
        );

        // The auditor's queue holds it until reviewed with a comment.
        let queue = auditor.get("/audit/emergency").await;
        assert!(queue.body.contains("Unconscious at the emergency ward"));
        let review = queue
            .attr("form[action$='/review']", "action")
            .expect("review form");
        let r = auditor
            .post("/audit/emergency", &review, &[("comment", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = auditor
            .post(
                "/audit/emergency",
                &review,
                &[("comment", "Justified: patient unconscious")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let queue = auditor.get("/audit/emergency").await;
        assert!(
            queue.attr("form[action$='/review']", "action").is_none(),
            "nothing awaits review"
        );
        assert!(queue.body.contains("Justified: patient unconscious"));

        // The auditor finds every access in the log, exports it, and produces the history.
        let log = auditor.get("/audit?person=198112189876").await;
        assert_eq!(log.status, StatusCode::OK);
        let outcomes = log.select_text("tbody td:last-child");
        assert!(
            outcomes.iter().any(|o| o == "Emergency access"),
            "{outcomes:?}"
        );
        assert!(
            outcomes
                .iter()
                .any(|o| o == "Refused (not on the person's team)"),
            "{outcomes:?}"
        );
        let flagged = auditor.get("/audit?emergency=1").await;
        let flagged_outcomes = flagged.select_text("tbody td:last-child");
        assert!(
            flagged_outcomes.len() >= 2,
            "the emergency access and the read under it: {flagged_outcomes:?}"
        );
        assert!(
            flagged_outcomes.iter().all(|o| o == "Emergency access"),
            "only emergency access: {flagged_outcomes:?}"
        );
        assert_eq!(
            auditor.get("/audit/log.csv").await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the whole log is not one export"
        );
        let csv = auditor.get("/audit/log.csv?person=198112189876").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.headers["content-type"]
                .to_str()
                .expect("ct")
                .starts_with("text/csv")
        );
        let mut rows = csv::Reader::from_reader(csv.body.as_bytes());
        let headers = rows.headers().expect("header").clone();
        assert_eq!(&headers[0], "at");
        let all: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("row")).collect();
        assert!(
            all.iter()
                .any(|r| &r[6] == "emergency_access" && r[10].contains("Unconscious"))
        );
        assert!(all.iter().all(|r| &r[7] == "198112189876"));
        let bad_csv = auditor.get("/audit/history.csv?person=19811218-9875").await;
        assert_eq!(bad_csv.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_csv.select_text("#person-error")[0].contains("check digit"));
        let history = auditor.get("/audit/history?person=19811218-9876").await;
        assert_eq!(history.status, StatusCode::OK);
        assert!(
            history.body.contains("Vårdcentralen Test")
                && history.body.contains("Socialkontoret Test")
        );
        let bad = auditor
            .get("/audit?person=19811218-9875&from=2026-13-01")
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.select_text("#person-error")[0].contains("check digit"));
        assert!(bad.select_text("#from-error")[0].contains("not a date"));
        let _ = id;
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn nobody_reviews_their_own_emergency_access() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        // One person who is both a professional and an auditor.
        let both = t.user("both", Role::Professional).await;
        {
            let mut tx = t.app.db.begin().await.expect("tx");
            samverka_store::user::add_membership(
                &mut tx,
                both,
                t.other_unit,
                Role::Auditor,
                t.app.now(),
            )
            .await
            .expect("membership");
            tx.commit().await.expect("commit");
        }
        t.user("registrar", Role::Professional).await;
        let registrar = t.signed_in("registrar").await;
        let reg = registrar
            .post(
                "/persons/new",
                "/persons",
                &[
                    ("id_scheme", "swedish"),
                    ("national_id", "19811218-9876"),
                    ("given_name", "Sara"),
                    ("family_name", "Öberg"),
                ],
            )
            .await;
        let record = reg.location.expect("registered");
        let c = t.signed_in("both").await;
        let emergency = format!("{record}/emergency");
        let r = c
            .post(
                &emergency,
                &emergency,
                &[("reason", "Unconscious at the emergency ward")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let queue = c.get("/audit/emergency").await;
        let review = queue
            .attr("form[action$='/review']", "action")
            .expect("review form");
        let r = c
            .post("/audit/emergency", &review, &[("comment", "Fine by me")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "not one's own");
        let queue = c.get("/audit/emergency").await;
        assert!(
            queue.attr("form[action$='/review']", "action").is_some(),
            "still awaiting review"
        );
        t.finish().await;
    })
    .await;
}
