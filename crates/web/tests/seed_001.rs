//! Seed 001 end to end over HTTP: a sick-listed person appears on the coordination team's
//! worklist on day 20 → first contact → consent for primary care, social services, the Social
//! Insurance Agency and the Employment Service → case and team → meeting with minutes → plan
//! version 1 agreed → a task to the Employment Service accepted and completed → case closed
//! "back at work". And the same flow with the consent withdrawn before the meeting: the Social
//! Insurance Agency's member loses access on the next request, and the log shows the refusal.
//! SQLite, and PostgreSQL too when `SAMVERKA_TEST_POSTGRES` is set.

mod common;

use chrono::Duration;
use common::*;
use reqwest::StatusCode;
use samverka_core::actor::Role;
use samverka_core::org::Sector;
use samverka_core::{OrganisationId, ProgrammeId, UnitId};
use samverka_store::org::{self, Organisation, Programme, Unit};
use samverka_store::testing::TestDb;

const BOUNDARY: &str = "samverka-seed-001";

/// A valid personnummer from its first eleven digits.
fn pnr(first11: &str) -> String {
    format!(
        "{}-{}{}",
        &first11[..8],
        &first11[8..],
        samverka_core::national_id::luhn_check_digit(&first11[2..])
    )
}

/// The four organisations of Skäggetorp's coordination team, a programme of them, and one user
/// each: (app, organisations in the order primary care, social services, insurance, employment).
async fn world(db: TestDb) -> (TestApp, Vec<OrganisationId>) {
    let t = TestApp::start(db).await;
    let now = t.app.now();
    let mut tx = t.app.db.begin().await.expect("tx");
    let mut orgs = vec![
        org::get_unit(&mut tx, t.unit)
            .await
            .expect("unit")
            .organisation_id,
        org::get_unit(&mut tx, t.other_unit)
            .await
            .expect("unit")
            .organisation_id,
    ];
    let mut units = Vec::new();
    for (name, sector) in [
        ("Försäkringskassan Test", Sector::SocialInsurance),
        ("Arbetsförmedlingen Test", Sector::EmploymentService),
    ] {
        let o = Organisation {
            id: OrganisationId::new(),
            name: name.into(),
            sector,
            country: "SE".into(),
            active: true,
            created_at: now,
        };
        org::insert_organisation(&mut tx, &o).await.expect("org");
        let u = Unit {
            id: UnitId::new(),
            organisation_id: o.id,
            name: name.into(),
            active: true,
            created_at: now,
        };
        org::insert_unit(&mut tx, &u).await.expect("unit");
        orgs.push(o.id);
        units.push(u.id);
    }
    let p = Programme {
        id: ProgrammeId::new(),
        name: "Samordningsteam Skäggetorp".into(),
        description: String::new(),
        country: "SE".into(),
        starts_on: t.app.today() - Duration::days(365),
        ends_on: None,
        active: true,
        created_at: now,
        organisations: orgs.clone(),
        target_groups: vec!["sick_leave".into()],
        catchment: vec!["58".into()],
    };
    org::insert_programme(&mut tx, &p).await.expect("programme");
    tx.commit().await.expect("commit");
    t.user("admin", Role::Administrator).await;
    t.user("coord", Role::Coordinator).await;
    t.user_in("social", Role::Professional, t.other_unit).await;
    t.user_in("insurance", Role::Professional, units[0]).await;
    t.user_in("employment", Role::Professional, units[1]).await;
    (t, orgs)
}

async fn upload(c: &Client, csv: &str) {
    let action = c
        .get("/imports")
        .await
        .attr("form.upload", "action")
        .expect("upload form");
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sjuk.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{BOUNDARY}--\r\n"
    );
    let r = c
        .http
        .post(format!("{}{action}", c.base))
        .header(
            reqwest::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    // Until the import's page says it is done.
    for _ in 0..200 {
        let page = c.get(&location).await;
        if !page.body.contains("http-equiv=\"refresh\"") {
            assert!(page.body.contains("Done"), "{}", page.body);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

/// The action of the first form on `page` whose action contains `part`.
fn form_action(page: &Page, part: &str) -> String {
    page.html()
        .select(&scraper::Selector::parse("form").expect("selector"))
        .filter_map(|f| f.value().attr("action").map(str::to_owned))
        .find(|a| a.contains(part))
        .unwrap_or_else(|| panic!("no form for {part}"))
}

async fn seed_001(db: TestDb, withdraw_before_meeting: bool) {
    let (t, orgs) = world(db).await;
    let today = t.app.today();
    let first_day = today - Duration::days(19);

    // Primary care's sick-leave certificates come in; the coordinator sees Anna on day 20.
    let admin = t.signed_in("admin").await;
    let number = pnr("19800101123");
    upload(
        &admin,
        &format!(
            "national_id,given_name,family_name,first_day,last_day,extent,diagnosis,postal_code,unit\n\
             {number},Anna,Lindqvist,{first_day},,100,F43,58222,Vårdcentralen Test\n"
        ),
    )
    .await;
    let coord = t.signed_in("coord").await;
    let list = coord.get("/worklist").await;
    let row = list
        .select_text("table.worklist tbody tr")
        .into_iter()
        .find(|r| r.contains("Lindqvist, Anna"))
        .expect("Anna on the worklist");
    assert!(row.contains("day 20"), "{row}");
    let item = list
        .attr("table.worklist tbody th a", "href")
        .expect("item link");

    // First contact, recorded on the item.
    let page = coord.get(&item).await;
    let contact = form_action(&page, "/worklist/item/contact");
    let r = coord
        .post(
            &item,
            &contact,
            &[("contacted_on", &today.to_string()), ("channel", "phone")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // A case from the item; the coordinator joins the team and brings in the three others.
    let new = coord
        .get(&item)
        .await
        .attr("a[href^='/cases/new']", "href")
        .expect("open-a-case link");
    let form = coord.get(&new).await;
    let programme = form.attr("#programme option", "value").expect("programme");
    let case = coord
        .post(
            &new,
            &new,
            &[
                ("programme", &programme),
                ("target_group", ""),
                ("coordinator", ""),
            ],
        )
        .await
        .location
        .expect("case");
    let case_page = coord.get(&case).await;
    let person = case_page
        .attr("a[href^='/persons/']", "href")
        .expect("record link");
    let invitable: Vec<String> = case_page
        .html()
        .select(&scraper::Selector::parse("#member option").expect("selector"))
        .filter_map(|o| o.value().attr("value").map(str::to_owned))
        .filter(|v| v.starts_with("user:"))
        .collect();
    for v in &invitable {
        let r = coord
            .post(&case, &format!("{case}/team"), &[("member", v)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    assert_eq!(
        invitable.len(),
        3,
        "social, insurance and employment: {invitable:?}"
    );

    // The consent: the four organisations share health, social, insurance and employment
    // information with each other.
    let mut fields: Vec<(&str, String)> = vec![
        ("purpose", "Samordnad rehabilitering".into()),
        ("form", "written".into()),
    ];
    for o in &orgs {
        fields.push(("sharing", o.to_string()));
        fields.push(("receiving", o.to_string()));
    }
    for c in ["health", "social", "insurance", "employment"] {
        fields.push(("categories", c.into()));
    }
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = coord.post(&person, &format!("{person}/consents"), &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let (social, insurance, employment) = (
        t.signed_in("social").await,
        t.signed_in("insurance").await,
        t.signed_in("employment").await,
    );
    let plan = format!("{case}/plan");
    assert_eq!(insurance.get(&plan).await.status, StatusCode::OK);

    if withdraw_before_meeting {
        let withdraw = form_action(&coord.get(&person).await, "/withdraw");
        let r = coord.post(&person, &withdraw, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // The very next request of the Social Insurance Agency's member is refused, and logged.
        assert_eq!(insurance.get(&plan).await.status, StatusCode::FORBIDDEN);
        let page = insurance.get(&case).await;
        assert!(page.body.contains("No consent lets"), "{}", page.body);
        t.app.log.flush().await.expect("flush");
        let mut tx = t.app.db.begin_read().await.expect("tx");
        let log = samverka_store::access_log::latest(&mut tx, 50)
            .await
            .expect("log");
        drop(tx);
        let insurance_user = log
            .iter()
            .find(|e| e.outcome.starts_with("denied"))
            .expect("a refusal in the log");
        assert_eq!(insurance_user.what, "plan");
        assert_eq!(insurance_user.outcome, "denied:not_shared");
        assert_eq!(insurance_user.organisation_id, Some(orgs[2]));
        t.finish().await;
        return;
    }

    // The meeting, with its minutes: the decision becomes a task for the Employment Service.
    let members: Vec<String> = invitable
        .iter()
        .map(|v| v.split(':').nth(1).expect("user").to_owned())
        .collect();
    let mut meeting: Vec<(&str, &str)> = vec![
        ("starts_at", "2026-12-03T13:00"),
        ("place", "Vårdcentralen Skäggetorp"),
        ("agenda", "SIP: mål, insatser, ansvar"),
        ("invite_person", "1"),
    ];
    for m in &members {
        meeting.push(("members", m));
    }
    let r = coord
        .post(&case, &format!("{case}/meetings"), &meeting)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let minutes = form_action(&coord.get(&case).await, "/minutes");
    let due = (today + Duration::days(30)).to_string();
    let to_employment = format!("org:{}", orgs[3]);
    let r = coord
        .post(
            &case,
            &minutes,
            &[
                (
                    "minutes",
                    "Anna vill tillbaka till lagret. Arbetsträning via AF.",
                ),
                ("decision_what_1", "Arbetsträning på lager, 50 %"),
                ("decision_receiving_1", &to_employment),
                ("decision_due_on_1", &due),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Plan version 1, agreed by the four organisations and Anna.
    let r = coord
        .post(
            &plan,
            &plan,
            &[
                ("based_on", "0"),
                ("goals", "Jag vill tillbaka till mitt jobb på lagret."),
                ("what_1", "Arbetsträning på lager"),
                ("organisation_1", &orgs[3].to_string()),
                ("what_2", "Avstämningsmöte om sjukpenning"),
                ("organisation_2", &orgs[2].to_string()),
                ("what_3", "Stöd med ekonomin"),
                ("organisation_3", &orgs[1].to_string()),
                ("responsible_organisation", &orgs[0].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let agree = format!("{plan}/1/agree");
    for (c, party) in [
        (&coord, orgs[0].to_string()),
        (&coord, "person".to_owned()),
        (&social, orgs[1].to_string()),
        (&insurance, orgs[2].to_string()),
        (&employment, orgs[3].to_string()),
    ] {
        let r = c.post(&plan, &agree, &[("party", &party)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{party}: {}", r.body);
    }
    assert!(coord.get(&plan).await.body.contains("Agreed by everyone"));

    // The Employment Service accepts and completes the task.
    let tasks = employment.get("/tasks").await;
    assert!(
        tasks.body.contains("Arbetsträning på lager, 50 %"),
        "{}",
        tasks.body
    );
    let step = form_action(&tasks, "/step");
    for (to, version) in [("accepted", "1"), ("in_progress", "2"), ("done", "3")] {
        let r = employment
            .post(
                "/tasks",
                &step,
                &[("to", to), ("version", version), ("next", "/tasks")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{to}: {}", r.body);
    }

    // Closed: back at work.
    let version = coord
        .get(&case)
        .await
        .attr("input[name=version]", "value")
        .expect("version");
    let r = coord
        .post(
            &case,
            &format!("{case}/status"),
            &[
                ("status", "closed"),
                ("outcome", "back_at_work"),
                ("income", "salary"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let closed = coord.get(&case).await;
    assert!(closed.body.contains("Back at work"));
    let tasks = closed.select_text("table.tasks tbody tr");
    assert!(tasks.iter().any(|r| r.contains("Done")), "{tasks:?}");
    t.finish().await;
}

#[tokio::test]
async fn seed_001_from_the_worklist_to_a_closed_case() {
    each_db(|db| async { seed_001(db, false).await }).await;
}

#[tokio::test]
async fn seed_001_with_the_consent_withdrawn_before_the_meeting() {
    each_db(|db| async { seed_001(db, true).await }).await;
}
