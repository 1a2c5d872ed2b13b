//! Cases over real HTTP: opening one for a registered person (the coordinator chosen joins the
//! team), the case list and page, status changes with optimistic concurrency, closing with an
//! outcome, and what a team member of another organisation sees with and without consent; and,
//! beneath the use cases, that the store writes a case's records only for the grant's person.
//! SQLite, and PostgreSQL too when `SAMVERKA_TEST_POSTGRES` is set.

mod common;

use chrono::{Duration, TimeZone};
use common::*;
use reqwest::StatusCode;
use samverka_core::actor::Role;
use samverka_core::{OrganisationId, ProgrammeId};
use samverka_store::org::{self, Programme};

async fn organisation_of(t: &TestApp, unit: samverka_core::UnitId) -> OrganisationId {
    let mut tx = t.app.db.begin_read().await.expect("tx");
    org::get_unit(&mut tx, unit)
        .await
        .expect("unit")
        .organisation_id
}

/// A programme of both test organisations working with sick-listed people.
async fn programme(t: &TestApp) -> ProgrammeId {
    let orgs = vec![
        organisation_of(t, t.unit).await,
        organisation_of(t, t.other_unit).await,
    ];
    let p = Programme {
        id: ProgrammeId::new(),
        name: "Samordningsteam Test".into(),
        description: String::new(),
        country: "SE".into(),
        starts_on: t.app.today() - Duration::days(365),
        ends_on: None,
        active: true,
        created_at: t.app.now(),
        organisations: orgs,
        target_groups: vec!["sick_leave".into()],
        catchment: Vec::new(),
    };
    let mut tx = t.app.db.begin().await.expect("tx");
    org::insert_programme(&mut tx, &p).await.expect("programme");
    tx.commit().await.expect("commit");
    p.id
}

/// The programme, a coordinator of the first organisation (signed in, as `coord`) and a
/// professional of the second (`prof-b`, not signed in): (programme, prof-b, coord's client).
async fn coordinator_and_prof_b(t: &TestApp) -> (ProgrammeId, samverka_core::UserId, Client) {
    let programme = programme(t).await;
    t.user("coord", Role::Coordinator).await;
    let prof_b = t.user_in("prof-b", Role::Professional, t.other_unit).await;
    (programme, prof_b, t.signed_in("coord").await)
}

fn field<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn a_case_is_opened_moved_and_closed_and_shown_only_as_consent_allows() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let programme = programme(&t).await;
        t.user("coord", Role::Coordinator).await;
        let coord2 = t.user("coord2", Role::Coordinator).await;
        t.user("prof-a", Role::Professional).await;
        let prof_b = t.user_in("prof-b", Role::Professional, t.other_unit).await;
        t.user_in("admin-b", Role::Administrator, t.other_unit)
            .await;
        let coord = t.signed_in("coord").await;

        // The coordinator registers the person (and so is on the team).
        let reg = coord
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
        let person = record.trim_start_matches("/persons/").to_owned();
        let new = format!("/cases/new?person={person}");
        let form = coord.get(&new).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);

        // Bad input: a target group the programme does not work with, then no programme.
        let bad = coord
            .post(
                &new,
                &new,
                &[
                    ("programme", &programme.to_string()),
                    ("target_group", "elderly"),
                    ("coordinator", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.select_text("#target_group-error")[0].contains("does not work with"),
            "{}",
            bad.body
        );
        let none = coord
            .post(
                &new,
                &new,
                &[("programme", ""), ("target_group", "sick_leave")],
            )
            .await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!none.select_text("#programme-error").is_empty());
        assert!(
            coord.get("/cases").await.body.contains("No cases match"),
            "nothing was created by refused input"
        );

        // Opened with another coordinator of the organisation, who joins the team.
        let coordinator = format!("{coord2}:{}", t.unit);
        let fields = vec![
            ("programme", programme.to_string()),
            ("target_group", "sick_leave".to_owned()),
            ("coordinator", coordinator),
        ];
        let opened = coord.post(&new, &new, &field(&fields)).await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let case = opened.location.expect("case page");
        let twice = coord.post(&new, &new, &field(&fields)).await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(twice.body.contains("already has an open case"));

        let c2 = t.signed_in("coord2").await;
        let page = c2.get(&case).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        // The case's status itself (the status list names the others), and coord2 on the team.
        assert_eq!(
            page.select_text("dl.facts dd strong"),
            vec!["Identified".to_owned()]
        );
        let team = page.select_text("ul.team li");
        assert!(
            team.iter().any(|m| m.starts_with("coord2 Testsson")),
            "{team:?}"
        );
        // Listed as coord2's own case, and as the organisation's for the other coordinator.
        assert!(c2.get("/cases").await.body.contains(&case));
        assert!(
            coord
                .get("/cases?scope=organisation")
                .await
                .body
                .contains(&case)
        );
        // A colleague who is not on the team sees neither the case nor it in a list.
        let prof_a = t.signed_in("prof-a").await;
        assert_eq!(prof_a.get(&case).await.status, StatusCode::FORBIDDEN);
        assert!(!prof_a.get("/cases").await.body.contains(&case));
        assert_eq!(
            prof_a.get("/cases?scope=organisation").await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "only coordinators list the organisation's cases"
        );

        // Status changes: dated, by whom, refused on a stale page or without an outcome.
        let status = format!("{case}/status");
        let moved = c2
            .post(&case, &status, &[("status", "contacted"), ("version", "1")])
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        let stale = c2
            .post(&case, &status, &[("status", "planning"), ("version", "1")])
            .await;
        assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            stale
                .body
                .contains("changed the case while you had it open")
        );
        let no_outcome = c2
            .post(&case, &status, &[("status", "closed"), ("version", "2")])
            .await;
        assert_eq!(no_outcome.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_outcome.select_text("#outcome-error")[0].contains("Give the outcome"));
        let page = c2.get(&case).await;
        assert!(page.select_text("dd strong")[0].contains("Contacted"));

        // Another organisation's professional on the team: without consent, only that the
        // case exists; with a consent letting A share with B, the case itself.
        let admin_b = t.signed_in("admin-b").await;
        let member = format!("user:{prof_b}:{}", t.other_unit);
        let placed = admin_b
            .post(
                "/admin/teams",
                "/admin/teams",
                &[("national_id", "19811218-9876"), ("member", &member)],
            )
            .await;
        assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
        let b = t.signed_in("prof-b").await;
        let hidden = b.get(&case).await;
        assert_eq!(hidden.status, StatusCode::OK, "{}", hidden.body);
        assert!(
            hidden
                .body
                .contains("No consent lets that organisation share")
        );
        assert!(!hidden.body.contains("Contacted"));
        let (a_org, b_org) = (
            organisation_of(&t, t.unit).await,
            organisation_of(&t, t.other_unit).await,
        );
        let consent = coord
            .post(
                &record,
                &format!("{record}/consents"),
                &[
                    ("purpose", "Samordning"),
                    ("sharing", &a_org.to_string()),
                    ("receiving", &b_org.to_string()),
                    ("categories", "health"),
                    ("form", "verbal"),
                ],
            )
            .await;
        assert_eq!(consent.status, StatusCode::SEE_OTHER, "{}", consent.body);
        let shown = b.get(&case).await;
        assert!(shown.body.contains("Contacted"), "{}", shown.body);
        // ...but only the case's organisation changes it.
        let by_b = b
            .post(&case, &status, &[("status", "planning"), ("version", "2")])
            .await;
        assert_eq!(by_b.status, StatusCode::FORBIDDEN);

        // Closing with outcome and source of income; a closed case stays closed.
        let closed = c2
            .post(
                &case,
                &status,
                &[
                    ("status", "closed"),
                    ("outcome", "back_at_work"),
                    ("income", "salary"),
                    ("version", "2"),
                ],
            )
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
        let page = c2.get(&case).await;
        assert!(page.body.contains("Back at work") && page.body.contains("Salary"));
        assert_eq!(page.select_text("ol.history li").len(), 3, "{}", page.body);
        let reopen = c2
            .post(&case, &status, &[("status", "active"), ("version", "3")])
            .await;
        assert_eq!(reopen.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reopen.body.contains("The case is closed"));
        // Closed cases leave the default list, and show under their status.
        assert!(!c2.get("/cases").await.body.contains(&case));
        assert!(c2.get("/cases?status=closed").await.body.contains(&case));

        // The access log has each of these, allowed and refused.
        t.app.log.flush().await.expect("flush");
        let mut tx = t.app.db.begin_read().await.expect("tx");
        let person_id = person.parse().expect("person id");
        let log = samverka_store::access_log::for_person(&mut tx, person_id, 500)
            .await
            .expect("log");
        drop(tx);
        let has = |action: &str, what: &str, outcome: &str| {
            log.iter()
                .any(|e| e.action == action && e.what == what && e.outcome.starts_with(outcome))
        };
        assert!(has("open_case", "case", "allowed"));
        assert!(has("read", "case", "allowed"));
        assert!(has("read", "case_exists", "allowed"));
        assert!(has("read", "case", "denied:not_on_team"));
        assert!(has("update", "case_status", "allowed"));
        assert!(has("update", "case_status", "denied:not_case_organisation"));
        assert!(has("cases", "case_list", "allowed"));
        t.finish().await;
    })
    .await;
}

/// Sara, registered by the signed-in coordinator `coord` (so on her team), with a case in
/// `programme` that `coord` coordinates: (record path, person, case path).
async fn sara_with_case(
    coord: &Client,
    programme: ProgrammeId,
) -> (String, samverka_core::PersonId, String) {
    person_with_case(coord, programme, ("19811218-9876", "Sara", "Öberg")).await
}

/// Registers a person (number, given and family name) and opens a sick-leave case for them:
/// (record page, person, case page).
async fn person_with_case(
    coord: &Client,
    programme: ProgrammeId,
    (number, given, family): (&str, &str, &str),
) -> (String, samverka_core::PersonId, String) {
    let reg = coord
        .post(
            "/persons/new",
            "/persons",
            &[
                ("id_scheme", "swedish"),
                ("national_id", number),
                ("given_name", given),
                ("family_name", family),
            ],
        )
        .await;
    let record = reg.location.expect("registered");
    let person: samverka_core::PersonId =
        record.trim_start_matches("/persons/").parse().expect("id");
    let opened = open_sick_leave_case(coord, person, programme).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    (record, person, opened.location.expect("case"))
}

/// Sends the form that opens a sick-leave case for the person in the programme.
async fn open_sick_leave_case(
    coord: &Client,
    person: samverka_core::PersonId,
    programme: ProgrammeId,
) -> Page {
    let new = format!("/cases/new?person={person}");
    coord
        .post(
            &new,
            &new,
            &[
                ("programme", &programme.to_string()),
                ("target_group", "sick_leave"),
            ],
        )
        .await
}

/// The remove button's form action for the team place of `who` on a case page.
fn remove_action(page: &Page, who: &str) -> Option<String> {
    let li = scraper::Selector::parse("ul.team li").expect("selector");
    let form = scraper::Selector::parse("form").expect("selector");
    page.html()
        .select(&li)
        .find(|e| e.text().collect::<String>().contains(who))
        .and_then(|e| e.select(&form).next())
        .and_then(|f| f.value().attr("action").map(str::to_owned))
}

#[tokio::test]
async fn invited_members_see_the_case_within_the_consent_and_lose_it_at_once() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let (programme, prof_b, coord) = coordinator_and_prof_b(&t).await;
        let (record, person, case) = sara_with_case(&coord, programme).await;
        let team = format!("{case}/team");

        // The invitation offers the programme's other organisation; bad values are refused.
        let page = coord.get(&case).await;
        let member = format!("user:{prof_b}:{}", t.other_unit);
        assert!(page.body.contains(&member), "{}", page.body);
        let bad = coord.post(&case, &team, &[("member", "user:nobody")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.select_text("#member-error")[0].contains("Choose someone"));
        let b = t.signed_in("prof-b").await;
        assert_eq!(b.get(&case).await.status, StatusCode::FORBIDDEN);
        let invited = coord.post(&case, &team, &[("member", &member)]).await;
        assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
        let again = coord.post(&case, &team, &[("member", &member)]).await;
        assert!(again.body.contains("on the team already"));
        // A member who is not the case's coordinator may not invite.
        let by_b = b.post(&case, &team, &[("member", &member)]).await;
        assert_eq!(by_b.status, StatusCode::FORBIDDEN);

        // On the team without consent: only that the case exists. With consent: the case.
        assert!(b.get(&case).await.body.contains("No consent lets"));
        let (a_org, b_org) = (
            organisation_of(&t, t.unit).await,
            organisation_of(&t, t.other_unit).await,
        );
        coord
            .post(
                &record,
                &format!("{record}/consents"),
                &[
                    ("purpose", "Samordning"),
                    ("sharing", &a_org.to_string()),
                    ("receiving", &b_org.to_string()),
                    ("categories", "health"),
                    ("form", "verbal"),
                ],
            )
            .await;
        assert!(b.get(&case).await.body.contains("Identified"));
        // The consent withdrawn: on the very next request only the case's existence again.
        let withdraw = coord
            .get(&record)
            .await
            .attr("form[action$='/withdraw']", "action")
            .expect("withdraw form");
        let w = coord.post(&record, &withdraw, &[]).await;
        assert_eq!(w.status, StatusCode::SEE_OTHER);
        let after = b.get(&case).await;
        assert!(after.body.contains("No consent lets") && !after.body.contains("Identified"));

        // Taken off the team: refused on the very next request, and logged as refused.
        let page = coord.get(&case).await;
        let remove = remove_action(&page, "prof-b Testsson").expect("remove button");
        let removed = coord.post(&case, &remove, &[]).await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
        assert_eq!(b.get(&case).await.status, StatusCode::FORBIDDEN);
        assert!(remove_action(&coord.get(&case).await, "prof-b Testsson").is_none());

        t.app.log.flush().await.expect("flush");
        let mut tx = t.app.db.begin_read().await.expect("tx");
        let log = samverka_store::access_log::for_person(&mut tx, person, 500)
            .await
            .expect("log");
        drop(tx);
        let of_b = |what: &str, outcome: &str| {
            log.iter().any(|e| {
                e.user_id == Some(prof_b) && e.what == what && e.outcome.starts_with(outcome)
            })
        };
        assert!(of_b("case_exists", "allowed"));
        assert!(of_b("case", "allowed"));
        assert!(of_b("case", "denied:not_on_team"));
        assert!(of_b("case_team_add", "denied:role_not_permitted"));
        assert!(
            log.iter()
                .any(|e| e.what == "case_team_add" && e.outcome == "allowed")
        );
        assert!(
            log.iter()
                .any(|e| e.what == "case_team_remove" && e.outcome == "allowed")
        );
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn the_plan_is_versioned_compared_agreed_by_every_party_and_never_silently_overwritten() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let programme = programme(&t).await;
        t.user("coord", Role::Coordinator).await;
        t.user("prof-a", Role::Professional).await;
        let prof_b = t.user_in("prof-b", Role::Professional, t.other_unit).await;
        let coord = t.signed_in("coord").await;
        let (record, _, case) = sara_with_case(&coord, programme).await;
        let member = format!("user:{prof_b}:{}", t.other_unit);
        coord
            .post(&case, &format!("{case}/team"), &[("member", &member)])
            .await;
        let (a_org, b_org) = (
            organisation_of(&t, t.unit).await.to_string(),
            organisation_of(&t, t.other_unit).await.to_string(),
        );
        for (sharing, receiving) in [(&a_org, &b_org), (&b_org, &a_org)] {
            coord
                .post(
                    &record,
                    &format!("{record}/consents"),
                    &[
                        ("purpose", "SIP"),
                        ("sharing", sharing),
                        ("receiving", receiving),
                        ("categories", "health"),
                        ("form", "written"),
                    ],
                )
                .await;
        }
        let plan = format!("{case}/plan");
        let empty = coord.get(&plan).await;
        assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
        assert!(empty.body.contains("No plan has been written yet."));

        // Bad input names the field and the intervention row; nothing is saved.
        let bad = coord
            .post(
                &plan,
                &plan,
                &[
                    ("based_on", "0"),
                    ("goals", "  "),
                    ("what_1", "Arbetsträning"),
                    ("organisation_1", ""),
                    ("starts_on_1", "2026-12-01"),
                    ("ends_on_1", "2026-11-01"),
                    ("responsible_1", &"Å".repeat(201)),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!bad.select_text("#goals-error").is_empty());
        // The summary names each field as its label does, and the rows' group.
        let summary = bad.select_text(".error-summary li");
        assert!(
            summary
                .iter()
                .any(|s| s.starts_with("The person's goals: ")),
            "{summary:?}"
        );
        assert!(
            summary.iter().any(|s| s.starts_with("Interventions")),
            "{summary:?}"
        );
        let row_errors = bad.select_text("fieldset.invalid p.error");
        assert!(
            row_errors
                .iter()
                .any(|e| e.contains("Intervention 1") && e.contains("organisation")),
            "{row_errors:?}"
        );
        assert!(
            row_errors
                .iter()
                .any(|e| e.contains("Intervention 1: the one responsible is at most 200")),
            "a long name is refused, not cut: {row_errors:?}"
        );
        assert!(
            row_errors
                .iter()
                .any(|e| e.contains("ends before it starts"))
        );
        assert!(
            coord
                .get(&plan)
                .await
                .body
                .contains("No plan has been written yet.")
        );

        let v1 = [
            ("based_on", "0"),
            ("goals", "Jag vill tillbaka till lagret på halvtid."),
            ("what_1", "Arbetsträning"),
            ("organisation_1", b_org.as_str()),
            ("responsible_1", "prof-b"),
            ("starts_on_1", "2026-12-01"),
            ("ends_on_1", "2027-02-28"),
            ("status_1", "planned"),
            ("responsible_organisation", a_org.as_str()),
            ("next_follow_up", "2027-01-15"),
        ];
        let saved = coord.post(&plan, &plan, &v1).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(saved.location, Some(format!("{plan}?v=1")));

        // Two people edit version 1; the second save is refused and changes nothing.
        let b = t.signed_in("prof-b").await;
        let b_form = b.get(&plan).await;
        assert_eq!(
            b_form.attr("input[name=based_on]", "value").as_deref(),
            Some("1")
        );
        let mut v2 = v1.to_vec();
        v2[0] = ("based_on", "1");
        v2[1] = (
            "goals",
            "Jag vill tillbaka till lagret på halvtid, sedan heltid.",
        );
        assert_eq!(
            coord.post(&plan, &plan, &v2).await.status,
            StatusCode::SEE_OTHER
        );
        let mut late = v1.to_vec();
        late[0] = ("based_on", "1");
        late[1] = ("goals", "B:s ändring");
        let refused = b.post(&plan, &plan, &late).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("Someone saved a new version of the plan")
        );
        assert!(
            refused.body.contains("B:s ändring"),
            "the text typed is kept"
        );
        let page = coord.get(&plan).await;
        assert!(page.body.contains("sedan heltid") && !page.body.contains("B:s ändring"));
        assert_eq!(page.select_text("#versions + ul li").len(), 2);

        // Agreement: each organisation for itself, the person through the coordinator.
        let agree = format!("{plan}/2/agree");
        assert!(page.body.contains("Not yet agreed by everyone"));
        let by_b_for_person = b.post(&plan, &agree, &[("party", "person")]).await;
        assert_eq!(by_b_for_person.status, StatusCode::FORBIDDEN);
        let by_b_for_a = b.post(&plan, &agree, &[("party", &a_org)]).await;
        assert_eq!(by_b_for_a.status, StatusCode::FORBIDDEN);
        for (c, party) in [
            (&coord, &a_org),
            (&coord, &"person".to_owned()),
            (&b, &b_org),
        ] {
            let r = c.post(&plan, &agree, &[("party", party)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{party}: {}", r.body);
        }
        let again = coord.post(&plan, &agree, &[("party", &a_org)]).await;
        assert!(again.body.contains("recorded already"));
        let agreed = coord.get(&format!("{plan}?v=2")).await;
        assert!(
            agreed.body.contains("Agreed by everyone"),
            "{}",
            agreed.body
        );
        // The case page shows the newest version's goals and that it is agreed.
        let case_page = coord.get(&case).await;
        assert!(
            case_page.body.contains("sedan heltid")
                && case_page.body.contains("Agreed by everyone")
        );
        assert!(
            coord
                .get(&format!("{plan}?v=1"))
                .await
                .body
                .contains("Not yet agreed")
        );

        // Side by side: the goals changed, the interventions did not.
        let cmp = coord.get(&format!("{plan}/compare?a=1&b=2")).await;
        assert_eq!(cmp.status, StatusCode::OK, "{}", cmp.body);
        let changed = cmp.select_text("table.compare tr.changed th");
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert!(changed[0].contains("goals"));
        // The print view: a document with the plan and its agreements.
        let print = coord.get(&format!("{plan}/print?v=2")).await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(
            print.body.contains("sedan heltid") && print.body.contains("class=\"plan-document\"")
        );
        // A version that is not a number, or does not exist, is a page not found.
        for bad in ["?v=abc", "/print?v=x", "/compare?a=1&b=zwei", "?v=9"] {
            let r = coord.get(&format!("{plan}{bad}")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
        }

        // Not on the team: refused.
        let a = t.signed_in("prof-a").await;
        assert_eq!(a.get(&plan).await.status, StatusCode::FORBIDDEN);
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn tasks_close_the_loop_between_organisations_and_overdue_ones_show() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let (programme, prof_b, coord) = coordinator_and_prof_b(&t).await;
        let (_, _, case) = sara_with_case(&coord, programme).await;
        let member = format!("user:{prof_b}:{}", t.other_unit);
        coord
            .post(&case, &format!("{case}/team"), &[("member", &member)])
            .await;
        let b_org = organisation_of(&t, t.other_unit).await.to_string();
        let to_b = format!("org:{b_org}");
        let tasks = format!("{case}/tasks");
        let today = t.app.today();
        let due = (today + Duration::days(7)).to_string();

        // Bad requests say what is wrong, field by field.
        let bad = coord
            .post(
                &case,
                &tasks,
                &[
                    ("receiving", "org:nobody"),
                    ("what", ""),
                    ("due_on", &(today - Duration::days(1)).to_string()),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!bad.select_text("#receiving-error").is_empty());
        assert!(!bad.select_text("#what-error").is_empty());
        assert!(bad.select_text("#due_on-error")[0].contains("already passed"));

        let asked = coord
            .post(
                &case,
                &tasks,
                &[
                    ("receiving", &to_b),
                    ("what", "Kartläggning av arbetsförmåga"),
                    ("due_on", &due),
                ],
            )
            .await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);

        // The receiving organisation finds it in its list and works it through.
        let b = t.signed_in("prof-b").await;
        let list = b.get("/tasks").await;
        assert!(
            list.body.contains("Kartläggning av arbetsförmåga"),
            "{}",
            list.body
        );
        let step = list
            .attr("form[action^='/tasks/']", "action")
            .expect("a step form");
        let go = |to: &'static str, version: &'static str, reason: &'static str| {
            let (b, step) = (&b, &step);
            async move {
                b.post(
                    "/tasks",
                    step,
                    &[
                        ("to", to),
                        ("version", version),
                        ("reason", reason),
                        ("next", "/tasks"),
                    ],
                )
                .await
            }
        };
        let skip = go("done", "1", "").await;
        assert_eq!(skip.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(skip.body.contains("not possible from the task"));
        let no_reason = go("declined", "1", " ").await;
        assert!(no_reason.body.contains("Say why the task is declined"));
        // The summary links to the reason's input of that task, which carries the message.
        let task = step.trim_start_matches("/tasks/").trim_end_matches("/step");
        assert_eq!(
            no_reason.attr(".error-summary a", "href").as_deref(),
            Some(format!("#reason-{task}").as_str())
        );
        assert_eq!(
            no_reason
                .attr(&format!("#reason-{task}"), "aria-describedby")
                .as_deref(),
            Some(format!("reason-{task}-error").as_str())
        );
        assert_eq!(
            no_reason.select_text(&format!("#reason-{task}-error")),
            vec!["Say why the task is declined.".to_owned()]
        );
        assert_eq!(go("accepted", "1", "").await.status, StatusCode::SEE_OTHER);
        let stale = go("in_progress", "1", "").await;
        assert!(stale.body.contains("changed while you had the page open"));
        assert_eq!(
            go("in_progress", "2", "").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(go("done", "3", "").await.status, StatusCode::SEE_OTHER);
        let page = coord.get(&case).await;
        let row = page.select_text("table.tasks tbody tr")[0].clone();
        assert!(row.contains("Done"), "{row}");
        assert_eq!(row.matches(":").count(), 4, "four dated steps: {row}");
        assert!(
            !b.get("/tasks").await.body.contains("Kartläggning"),
            "done: not open"
        );
        assert!(b.get("/tasks?all=1").await.body.contains("Kartläggning"));

        // A second task, past its day: marked on the lists; only the requester cancels it.
        coord
            .post(
                &case,
                &tasks,
                &[
                    ("receiving", &to_b),
                    ("what", "Läkarintyg"),
                    ("due_on", &due),
                ],
            )
            .await;
        let mut db = t.app.db.clone();
        db.execute(samverka_store::q!(
            "update case_task set due_on = $1 where what = 'Läkarintyg'",
            today - Duration::days(2)
        ))
        .await
        .expect("backdate");
        assert!(coord.get("/cases").await.body.contains("1 overdue"));
        assert!(b.get("/tasks").await.body.contains("Overdue"));
        let page = coord.get(&case).await;
        let second = page
            .html()
            .select(&scraper::Selector::parse("table.tasks form").expect("selector"))
            .filter_map(|f| f.value().attr("action").map(str::to_owned))
            .find(|a| a != &step)
            .expect("the second task's form");
        let wrong_side = coord
            .post(
                &case,
                &second,
                &[("to", "accepted"), ("version", "1"), ("next", &case)],
            )
            .await;
        assert!(wrong_side.body.contains("Only the other organisation"));
        // Nor does the receiver cancel it.
        let b_cancels = b
            .post(
                "/tasks",
                &second,
                &[("to", "cancelled"), ("version", "1"), ("next", "/tasks")],
            )
            .await;
        assert_eq!(b_cancels.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(b_cancels.body.contains("Only the other organisation"));
        let cancelled = coord
            .post(
                &case,
                &second,
                &[("to", "cancelled"), ("version", "1"), ("next", &case)],
            )
            .await;
        assert_eq!(
            cancelled.status,
            StatusCode::SEE_OTHER,
            "{}",
            cancelled.body
        );
        assert!(!coord.get("/cases").await.body.contains("overdue"));
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn meetings_invite_take_answers_minutes_become_tasks_and_the_invitation_is_icalendar() {
    use icalendar::{CalendarComponent, Component, DatePerhapsTime};
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let (programme, prof_b, coord) = coordinator_and_prof_b(&t).await;
        let (record, _, case) = sara_with_case(&coord, programme).await;
        let member = format!("user:{prof_b}:{}", t.other_unit);
        coord
            .post(&case, &format!("{case}/team"), &[("member", &member)])
            .await;
        let (a_org, b_org) = (
            organisation_of(&t, t.unit).await.to_string(),
            organisation_of(&t, t.other_unit).await.to_string(),
        );
        coord
            .post(
                &record,
                &format!("{record}/consents"),
                &[
                    ("purpose", "SIP"),
                    ("sharing", &a_org),
                    ("receiving", &b_org),
                    ("categories", "health"),
                    ("form", "written"),
                ],
            )
            .await;
        let meetings = format!("{case}/meetings");
        let bad = coord
            .post(&case, &meetings, &[("starts_at", "3 Dec"), ("agenda", "")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["#starts_at-error", "#place-error", "#agenda-error"] {
            assert!(!bad.select_text(field).is_empty(), "{field}: {}", bad.body);
        }
        assert!(bad.body.contains("Invite at least one person"));

        let prof_b_id = prof_b.to_string();
        let ok = coord
            .post(
                &case,
                &meetings,
                &[
                    ("starts_at", "2026-12-03T13:00"),
                    ("minutes_long", "90"),
                    ("place", "Vårdcentralen Skäggetorp, rum 4"),
                    ("video_link", "https://meet.example/sip-42"),
                    ("agenda", "SIP: mål och insatser"),
                    ("members", &prof_b_id),
                    ("invite_person", "1"),
                    ("relatives", "Lina Öberg"),
                    ("interpreter", "Arabisk tolk"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let page = coord.get(&case).await;
        let invitees = page.select_text("section.meeting ul li");
        assert_eq!(invitees.len(), 4, "{invitees:?}");
        assert!(invitees.iter().all(|i| i.contains("invited")));

        // Answers: each member for themselves, the coordinator for the person and the others.
        let forms: Vec<(String, String)> = page
            .html()
            .select(&scraper::Selector::parse("section.meeting ul li").expect("selector"))
            .filter_map(|li| {
                let text = li.text().collect::<String>();
                let form = li
                    .select(&scraper::Selector::parse("form").expect("selector"))
                    .next()?;
                Some((text, form.value().attr("action")?.to_owned()))
            })
            .collect();
        let person_answer = forms
            .iter()
            .find(|(text, _)| text.contains("Sara"))
            .map(|(_, a)| a.clone())
            .expect("the coordinator answers for the person");
        assert!(
            !forms.iter().any(|(text, _)| text.contains("prof-b")),
            "members answer for themselves"
        );
        let r = coord
            .post(&case, &person_answer, &[("state", "accepted")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let b = t.signed_in("prof-b").await;
        let b_page = b.get(&case).await;
        let own = b_page
            .html()
            .select(&scraper::Selector::parse("section.meeting li form").expect("selector"))
            .filter_map(|f| f.value().attr("action").map(str::to_owned))
            .next()
            .expect("prof-b answers their own invitation");
        assert_eq!(
            b.post(&case, &own, &[("state", "declined")]).await.status,
            StatusCode::SEE_OTHER
        );
        let by_b_for_person = b
            .post(&case, &person_answer, &[("state", "declined")])
            .await;
        assert_eq!(by_b_for_person.status, StatusCode::FORBIDDEN);
        let states = coord
            .get(&case)
            .await
            .select_text("section.meeting ul li strong");
        assert_eq!(
            states.iter().filter(|s| *s == "accepted").count(),
            1,
            "{states:?}"
        );
        assert_eq!(states.iter().filter(|s| *s == "declined").count(), 1);

        // The invitation as an iCalendar file a calendar program reads.
        let link = coord
            .get(&case)
            .await
            .attr("a[href$='/invite.ics']", "href")
            .expect("ics link");
        let ics = coord.get(&link).await;
        assert_eq!(ics.status, StatusCode::OK);
        assert!(
            ics.headers["content-type"]
                .to_str()
                .expect("header")
                .starts_with("text/calendar")
        );
        let cal: icalendar::Calendar = ics.body.parse().expect("an iCalendar library reads it");
        let events: Vec<_> = cal
            .components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        assert_eq!(events.len(), 1);
        let e = events[0];
        let start = chrono::Utc
            .with_ymd_and_hms(2026, 12, 3, 12, 0, 0)
            .single()
            .expect("instant");
        assert_eq!(
            e.get_start(),
            Some(DatePerhapsTime::DateTime(start.into())),
            "13:00 in Stockholm is 12:00 UTC"
        );
        assert!(
            e.property_value("LOCATION")
                .is_some_and(|l| l.contains("Skäggetorp") && l.contains("rum 4")),
            "{:?}",
            e.property_value("LOCATION")
        );
        assert!(
            e.get_summary()
                .is_some_and(|s| s.contains("Samordningsteam Test"))
        );
        assert!(
            e.get_description()
                .is_some_and(|d| d.contains("Lina Öberg"))
        );
        assert!(
            !ics.body.contains("Sara"),
            "the person's name stays out of calendars"
        );

        // Minutes: a decision becomes a task; a wrong one saves nothing.
        let minutes_action = format!("{}/minutes", link.trim_end_matches("/invite.ics"));
        let due = (t.app.today() + Duration::days(14)).to_string();
        let past = (t.app.today() - Duration::days(1)).to_string();
        let to_b = format!("org:{b_org}");
        let wrong = coord
            .post(
                &case,
                &minutes_action,
                &[
                    ("minutes", "Sara vill börja arbetsträna."),
                    ("decision_what_1", "Arbetsträning på lager"),
                    ("decision_receiving_1", &to_b),
                    ("decision_due_on_1", &past),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The summary names the row and what is wrong with it.
        let summary = wrong.select_text(".error-summary li");
        assert!(
            summary
                .iter()
                .any(|l| l.contains("Decision 1 was not saved")),
            "{summary:?}"
        );
        assert!(
            summary
                .iter()
                .any(|l| l.contains("This date has already passed")),
            "{summary:?}"
        );
        assert!(
            !coord
                .get(&case)
                .await
                .body
                .contains("Arbetsträning på lager")
        );
        let saved = coord
            .post(
                &case,
                &minutes_action,
                &[
                    ("minutes", "Sara vill börja arbetsträna."),
                    ("decision_what_1", "Arbetsträning på lager"),
                    ("decision_receiving_1", &to_b),
                    ("decision_due_on_1", &due),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = coord.get(&case).await;
        assert!(page.body.contains("Sara vill börja arbetsträna."));
        let tasks = page.select_text("table.tasks tbody tr");
        assert!(
            tasks
                .iter()
                .any(|r| r.contains("Arbetsträning på lager") && r.contains("Requested")),
            "{tasks:?}"
        );
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn case_notes_are_read_only_as_their_visibility_and_the_consent_allow() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let (programme, prof_b, coord) = coordinator_and_prof_b(&t).await;
        let (record, _, case) = sara_with_case(&coord, programme).await;
        let member = format!("user:{prof_b}:{}", t.other_unit);
        coord
            .post(&case, &format!("{case}/team"), &[("member", &member)])
            .await;
        let (a_org, b_org) = (
            organisation_of(&t, t.unit).await.to_string(),
            organisation_of(&t, t.other_unit).await.to_string(),
        );
        let consent = |sharing: String, receiving: String| {
            let (coord, record) = (&coord, &record);
            async move {
                coord
                    .post(
                        record,
                        &format!("{record}/consents"),
                        &[
                            ("purpose", "Samordning"),
                            ("sharing", &sharing),
                            ("receiving", &receiving),
                            ("categories", "health"),
                            ("form", "verbal"),
                        ],
                    )
                    .await
            }
        };
        consent(a_org.clone(), b_org.clone()).await;
        let notes = format!("{case}/notes");
        let empty = coord
            .post(&case, &notes, &[("visibility", "team"), ("body", " ")])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!empty.select_text("#body-error").is_empty());
        for (visibility, body) in [
            ("organisation", "INTERN-A"),
            ("team", "TEAM-A"),
            ("person", "PERSON-A"),
        ] {
            let r = coord
                .post(&case, &notes, &[("visibility", visibility), ("body", body)])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let b = t.signed_in("prof-b").await;
        let seen = b.get(&case).await.select_text("ul.notes li");
        let has = |v: &[String], s: &str| v.iter().any(|x| x.contains(s));
        assert!(has(&seen, "TEAM-A") && has(&seen, "PERSON-A"), "{seen:?}");
        assert!(!has(&seen, "INTERN-A"));

        // B's note reaches A only once a consent lets B share with A.
        let r = b
            .post(&case, &notes, &[("visibility", "team"), ("body", "TEAM-B")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(!has(
            &coord.get(&case).await.select_text("ul.notes li"),
            "TEAM-B"
        ));
        consent(b_org.clone(), a_org.clone()).await;
        let coord_sees = coord.get(&case).await.select_text("ul.notes li");
        assert!(has(&coord_sees, "TEAM-B") && has(&coord_sees, "INTERN-A"));
        t.finish().await;
    })
    .await;
}

/// The case list finds persons by team as the policy does: a user's own place counts only in a
/// unit where they work with persons. A place naming prof-b in the coordinator's unit, where
/// prof-b does not work, lists nothing; the same place in prof-b's own unit lists the case.
#[tokio::test]
async fn the_case_list_counts_team_places_as_the_policy_does() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let (programme, prof_b, coord) = coordinator_and_prof_b(&t).await;
        let (_, person, case) = sara_with_case(&coord, programme).await;
        let b = t.signed_in("prof-b").await;
        let place = |unit: samverka_core::UnitId| {
            let t = &t;
            async move {
                let mut db = t.app.db.clone();
                db.execute(samverka_store::q!(
                    "insert into team_member (id, person_id, user_id, unit_id, organisation_id,
                         starts_on, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
                    samverka_core::TeamMemberId::new(),
                    person,
                    prof_b,
                    unit,
                    organisation_of(t, unit).await,
                    t.app.today(),
                    t.app.now()
                ))
                .await
                .expect("team place");
            }
        };
        place(t.unit).await;
        let list = b.get("/cases").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(!list.body.contains(&case), "{}", list.body);
        assert!(!list.body.contains("Öberg"));
        assert_eq!(b.get(&case).await.status, StatusCode::FORBIDDEN);

        place(t.other_unit).await;
        assert!(b.get("/cases").await.body.contains(&case));
        t.finish().await;
    })
    .await;
}

/// An `Update` grant for `person`, as the policy decides it for `username`.
async fn update_grant(
    t: &TestApp,
    username: &str,
    person: samverka_core::PersonId,
) -> samverka_core::policy::Grant {
    use samverka_core::policy::{AccessRequest, Action, Decision, Facts, decide};
    let actor = t.app.actor_by_username(username).await.expect("actor");
    let mut tx = t.app.db.begin_read().await.expect("tx");
    let facts = samverka_store::consent::person_facts(&mut tx, person, actor.user_id)
        .await
        .expect("facts")
        .expect("person");
    let f = Facts {
        now: t.app.now(),
        today: t.app.today(),
        protected_identity_roles: &t.app.config.protected_identity_roles,
        person: Some(&facts),
    };
    let request = AccessRequest {
        action: Action::Update,
        person: Some(person),
    };
    match decide(&actor, &request, &f) {
        Decision::Allow(g) => g,
        Decision::Deny(r) => panic!("{username} may not update: {r:?}"),
    }
}

/// Beneath the use cases' own checks, the store writes a plan, an agreement, a task or its step,
/// a meeting, an answer, minutes or a note into a case only if the case is about the person the
/// grant was decided for: a grant for Sara's case cannot write into Olle's.
#[tokio::test]
async fn the_store_writes_into_a_case_only_for_the_person_the_grant_is_for() {
    each_db(|db| async {
        use samverka_core::meeting::{InvitationState, InviteeKind};
        use samverka_core::plan::{Party, PlanContent};
        use samverka_core::task::TaskStatus;
        use samverka_core::{CaseId, CaseNoteId, InviteeId, MeetingId, PlanId, TaskId};
        use samverka_store::{StoreError, case, meeting, plan, task};
        let t = TestApp::start(db).await;
        let programme = programme(&t).await;
        t.user("coord", Role::Coordinator).await;
        let coord = t.signed_in("coord").await;
        let (_, sara, sara_case) = sara_with_case(&coord, programme).await;
        let (_, olle, olle_case) =
            person_with_case(&coord, programme, ("19550302-1239", "Olle", "Berg")).await;
        let case_id =
            |url: &str| -> CaseId { url.trim_start_matches("/cases/").parse().expect("case id") };
        let (sara_case, olle_case) = (case_id(&sara_case), case_id(&olle_case));
        let (for_sara, for_olle) = (
            update_grant(&t, "coord", sara).await,
            update_grant(&t, "coord", olle).await,
        );
        let now = t.app.now();
        fn refused<T>(r: Result<T, StoreError>, what: &str) {
            assert!(
                matches!(r, Err(StoreError::GrantMismatch)),
                "{what}: {:?}",
                r.map(|_| ())
            );
        }
        let mut tx = t.app.db.begin().await.expect("tx");

        // Records made in Sara's case with her grant.
        let version = plan::PlanVersion {
            id: PlanId::new(),
            case_id: sara_case,
            version: 1,
            content: PlanContent::default(),
            created_at: now,
            created_by: for_sara.user(),
            created_by_organisation: for_sara.organisation(),
        };
        plan::insert_version(&mut tx, &for_sara, &version)
            .await
            .expect("plan for Sara");
        let a_task = task::Task {
            id: TaskId::new(),
            case_id: sara_case,
            requested_by: for_sara.user(),
            requesting_organisation: for_sara.organisation(),
            receiving_organisation: for_sara.organisation(),
            receiving_user: None,
            what: "Kontakta arbetsgivaren".into(),
            due_on: t.app.today() + Duration::days(7),
            status: TaskStatus::Requested,
            reason: None,
            created_at: now,
            version: 1,
        };
        task::insert(&mut tx, &for_sara, &a_task)
            .await
            .expect("task for Sara");
        let meeting_id = MeetingId::new();
        let a_meeting = meeting::MeetingView {
            meeting: meeting::Meeting {
                id: meeting_id,
                case_id: sara_case,
                starts_at: now + Duration::days(3),
                ends_at: now + Duration::days(3) + Duration::hours(1),
                place: "Vårdcentralen".into(),
                video_link: None,
                agenda: "SIP".into(),
                minutes: None,
                created_by: for_sara.user(),
                created_by_organisation: for_sara.organisation(),
                created_at: now,
            },
            invitees: vec![meeting::Invitee {
                id: InviteeId::new(),
                meeting_id,
                kind: InviteeKind::Person,
                user_id: None,
                name: "Sara Öberg".into(),
                state: InvitationState::Invited,
                answered_at: None,
            }],
        };
        meeting::insert(&mut tx, &for_sara, &a_meeting)
            .await
            .expect("meeting for Sara");
        let note = case::CaseNote {
            id: CaseNoteId::new(),
            case_id: sara_case,
            author_id: for_sara.user(),
            organisation_id: for_sara.organisation(),
            unit_id: for_sara.unit(),
            visibility: samverka_core::case::NoteVisibility::Organisation,
            body: "Ringde Sara.".into(),
            created_at: now,
        };
        case::insert_note(&mut tx, &for_sara, &note)
            .await
            .expect("note for Sara");

        // Olle's grant writes none of them into Sara's case.
        let mut v = version.clone();
        v.id = PlanId::new();
        v.version = 2;
        refused(
            plan::insert_version(&mut tx, &for_olle, &v).await,
            "plan version",
        );
        refused(
            plan::agree(&mut tx, &for_olle, version.id, Party::Person, now).await,
            "agreement",
        );
        let mut other = a_task.clone();
        other.id = TaskId::new();
        refused(task::insert(&mut tx, &for_olle, &other).await, "task");
        refused(
            task::step(
                &mut tx,
                &for_olle,
                a_task.id,
                1,
                TaskStatus::Requested,
                TaskStatus::Accepted,
                None,
                now,
            )
            .await,
            "task step",
        );
        let mut m = a_meeting.clone();
        m.meeting.id = MeetingId::new();
        m.invitees.clear();
        refused(meeting::insert(&mut tx, &for_olle, &m).await, "meeting");
        refused(
            meeting::answer(
                &mut tx,
                &for_olle,
                meeting_id,
                a_meeting.invitees[0].id,
                InvitationState::Accepted,
                now,
            )
            .await,
            "answer",
        );
        refused(
            meeting::set_minutes(&mut tx, &for_olle, meeting_id, "Protokoll").await,
            "minutes",
        );
        let mut n = note.clone();
        n.id = CaseNoteId::new();
        refused(case::insert_note(&mut tx, &for_olle, &n).await, "note");

        // Olle's grant still writes into his own case.
        let mut own = version.clone();
        own.id = PlanId::new();
        own.case_id = olle_case;
        plan::insert_version(&mut tx, &for_olle, &own)
            .await
            .expect("plan for Olle");
        tx.commit().await.expect("commit");
        t.finish().await;
    })
    .await;
}

/// A coordinator takes back only the team places the case page shows them: a place another
/// organisation holds on the person's team (for its own work, without a consent that lets the
/// coordinator know of it) is neither shown nor removable by guessing its id.
#[tokio::test]
async fn a_team_place_the_case_page_does_not_show_cannot_be_removed() {
    each_db(|db| async {
        use samverka_store::q;
        let t = TestApp::start(db).await;
        let (programme, prof_b, coord) = coordinator_and_prof_b(&t).await;
        let (_, sara, case) = sara_with_case(&coord, programme).await;
        // Organisation B's own place on Sara's team, not added by A's coordinator.
        let place = samverka_core::TeamMemberId::new();
        let mut db = t.app.db.clone();
        db.execute(q!(
            "insert into team_member (id, person_id, user_id, unit_id, organisation_id, starts_on, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)",
            place,
            sara,
            prof_b,
            t.other_unit,
            organisation_of(&t, t.other_unit).await,
            t.app.today(),
            t.app.now()
        ))
        .await
        .expect("place");
        let page = coord.get(&case).await;
        assert!(
            remove_action(&page, "prof-b Testsson").is_none(),
            "not shown without consent"
        );
        let removed = coord
            .post(&case, &format!("{case}/team/{place}/remove"), &[])
            .await;
        assert_eq!(removed.status, StatusCode::NOT_FOUND, "{}", removed.body);
        let mut db = t.app.db.clone();
        let still: samverka_store::db::Count = db
            .fetch_one(q!(
                "select count(*) as n from team_member where id = $1 and ended_at is null",
                place
            ))
            .await
            .expect("count");
        assert_eq!(still.n, 1, "the place is still there");
        t.finish().await;
    })
    .await;
}

/// A person has at most one open case per programme: a second is refused at the programme field
/// and nothing is written.
#[tokio::test]
async fn a_second_open_case_in_the_same_programme_is_refused() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let programme = programme(&t).await;
        t.user("coord", Role::Coordinator).await;
        let coord = t.signed_in("coord").await;
        let (_, sara, _) = sara_with_case(&coord, programme).await;
        let again = open_sick_leave_case(&coord, sara, programme).await;
        assert_eq!(
            again.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            again.body
        );
        assert_eq!(
            again.select_text("#programme-error"),
            vec!["The person already has an open case in this programme.".to_owned()]
        );
        let mut db = t.app.db.clone();
        let cases: samverka_store::db::Count = db
            .fetch_one(samverka_store::q!(
                "select count(*) as n from person_case where person_id = $1",
                sara
            ))
            .await
            .expect("count");
        assert_eq!(cases.n, 1);
        t.finish().await;
    })
    .await;
}
