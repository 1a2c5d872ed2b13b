//! Early identification over real HTTP, as administrators and coordinators meet it: a signal
//! file uploaded through the import form, its report page, the coordinator's worklist and item
//! page, first contact recorded through the form, and who may use which page. SQLite, and
//! PostgreSQL too when `SAMVERKA_TEST_POSTGRES` is set.

mod common;

use chrono::{Datelike, Duration, NaiveDate};
use common::*;
use reqwest::StatusCode;
use samverka_core::ProgrammeId;
use samverka_core::actor::Role;
use samverka_store::org::{self, Programme};
use samverka_store::testing::TestDb;
use scraper::{Html, Selector};

/// The unit `TestApp` gives the first organisation.
const UNIT: &str = "Vårdcentralen Test";
const SICK: &str =
    "national_id,given_name,family_name,first_day,last_day,extent,diagnosis,postal_code,unit";
const BOUNDARY: &str = "samverka-test-boundary-7f3a";

/// A server whose first organisation (primary care) takes part in a programme working with
/// sick-listed people in postal areas 58…, with an administrator, a coordinator and a
/// professional there.
async fn start(db: TestDb) -> TestApp {
    let t = TestApp::start(db).await;
    let mut tx = t.app.db.begin().await.expect("tx");
    let organisation = org::get_unit(&mut tx, t.unit)
        .await
        .expect("unit")
        .organisation_id;
    let p = Programme {
        id: ProgrammeId::new(),
        name: "Samordningsteam Test".into(),
        description: String::new(),
        country: "SE".into(),
        starts_on: t.app.today() - Duration::days(365),
        ends_on: None,
        active: true,
        created_at: t.app.now(),
        organisations: vec![organisation],
        target_groups: vec!["sick_leave".into()],
        catchment: vec!["58".into()],
    };
    org::insert_programme(&mut tx, &p).await.expect("programme");
    tx.commit().await.expect("commit");
    t.user("admin", Role::Administrator).await;
    t.user("coord", Role::Coordinator).await;
    t.user("prof", Role::Professional).await;
    t
}

/// A multipart form body with these text fields and one file, and its content type.
fn multipart(fields: &[(&str, &str)], file: (&str, &str)) -> (String, Vec<u8>) {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    let (file_name, content) = file;
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: text/csv\r\n\r\n{content}\r\n--{BOUNDARY}--\r\n"
    ));
    (
        format!("multipart/form-data; boundary={BOUNDARY}"),
        body.into_bytes(),
    )
}

/// Uploads a file through the import form's action (`path`, with or without its CSRF query).
async fn upload(c: &Client, path: &str, file_name: &str, csv: &str) -> Page {
    let (content_type, body) = multipart(&[("kind", "")], (file_name, csv));
    let r = c
        .http
        .post(format!("{}{path}", c.base))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("upload");
    c.page(r).await
}

/// The import form's action, with its CSRF token.
async fn upload_action(c: &Client) -> String {
    let page = c.get("/imports").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.attr("form.upload", "action").expect("upload form")
}

/// A valid personnummer from its first eleven digits.
fn pnr(first11: &str) -> String {
    format!(
        "{}-{}{}",
        &first11[..8],
        &first11[8..],
        samverka_core::national_id::luhn_check_digit(&first11[2..])
    )
}

/// A date as the English pages write it.
fn shown(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// The `dt` → `dd` pairs of a page's fact lists.
fn facts(page: &Page) -> Vec<(String, String)> {
    let html = Html::parse_document(&page.body);
    let (dt, dd) = (
        Selector::parse("dl.facts dt").expect("selector"),
        Selector::parse("dl.facts dd").expect("selector"),
    );
    let text = |e: scraper::ElementRef| e.text().collect::<String>().trim().to_owned();
    html.select(&dt)
        .map(text)
        .zip(html.select(&dd).map(text))
        .collect()
}

fn fact(page: &Page, label: &str) -> String {
    facts(page)
        .into_iter()
        .find(|(k, _)| k == label)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no fact {label:?} in {:?}", facts(page)))
}

/// The worklist's row about `name` ("Family, Given"), as text, if shown.
fn row_of(page: &Page, name: &str) -> Option<String> {
    page.select_text("table.worklist tbody tr")
        .into_iter()
        .find(|r| r.contains(name))
}

#[tokio::test]
async fn an_uploaded_file_reaches_the_coordinators_worklist_and_first_contact_stops_its_clock() {
    each_db(|db| async {
        let t = start(db).await;
        let today = t.app.today();
        let first = today - Duration::days(20);
        let due = first + Duration::days(35);

        // The administrator uploads a file: one valid row, two rejected.
        let admin = t.signed_in("admin").await;
        let action = upload_action(&admin).await;
        assert!(action.starts_with("/imports?csrf="), "{action}");
        let csv = format!(
            "{SICK}\n{},Anna,Lindqvist,{first},,50,,58222,{UNIT}\n\
             {},Bo,Ek,2026-02-30,,50,,58222,{UNIT}\n\
             {},Cecilia,Berg,{first},,30,,58222,{UNIT}\n",
            pnr("19800101123"),
            pnr("19810202234"),
            pnr("19820303345"),
        );
        let r = upload(&admin, &action, "sjukskrivna.csv", &csv).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let location = r.location.expect("redirect to the import");
        assert!(location.starts_with("/imports/"), "{location}");

        // Its page shows the progress until the import is done, then the report.
        let mut page = admin.get(&location).await;
        for _ in 0..200 {
            if page.status != StatusCode::OK || !page.body.contains("http-equiv=\"refresh\"") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            page = admin.get(&location).await;
        }
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            fact(&page, "Status").starts_with("Done"),
            "{:?}",
            facts(&page)
        );
        assert_eq!(fact(&page, "CSV file"), "sjukskrivna.csv");
        assert_eq!(fact(&page, "Rows"), "3");
        assert_eq!(fact(&page, "Signals added"), "1");
        assert_eq!(fact(&page, "Already stored"), "0");
        assert_eq!(fact(&page, "Rows rejected"), "2");
        assert_eq!(fact(&page, "Persons registered"), "1");
        assert_eq!(page.select_text("#report ~ div table tbody th"), ["3", "4"]);
        assert_eq!(
            page.select_text("#report ~ div table tbody td code"),
            ["first_day", "extent"]
        );
        let problems: Vec<String> = page
            .select_text("#report ~ div table tbody td")
            .into_iter()
            .filter(|s| s != "first_day" && s != "extent")
            .collect();
        assert_eq!(
            problems,
            [
                "\"2026-02-30\" is not a date. Use YYYY-MM-DD.",
                "30 is not an extent of sick leave: use 25, 50, 75 or 100."
            ]
        );
        // The history lists it.
        let history = admin.get("/imports").await;
        assert!(history.body.contains(&location), "{}", history.body);

        // The coordinator sees the person, on day 21, due on day 35.
        let coord = t.signed_in("coord").await;
        let list = coord.get("/worklist").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let row = row_of(&list, "Lindqvist, Anna").expect("Anna on the worklist");
        for expected in [
            shown(due),
            "15 days left".to_owned(),
            format!("Sick-listed 50 % since {}, day 21", shown(first)),
            "Contact by day 35".to_owned(),
            "Vårdcentralen Test".to_owned(),
            "No contact yet".to_owned(),
        ] {
            assert!(row.contains(&expected), "{expected:?} missing from {row:?}");
        }
        assert!(row_of(&list, "Ek, Bo").is_none() && row_of(&list, "Berg, Cecilia").is_none());
        // The page size is chosen from those offered; anything else is the default.
        for (asked, shown) in [("500", "500"), ("7", "100")] {
            let page = coord.get(&format!("/worklist?per_page={asked}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert_eq!(
                page.attr("#per_page option[selected]", "value").as_deref(),
                Some(shown)
            );
            assert!(row_of(&page, "Lindqvist, Anna").is_some());
        }
        let link = list
            .attr("table.worklist tbody th a", "href")
            .expect("item link");

        // The item page, and first contact recorded through its form.
        let item = coord.get(&link).await;
        assert_eq!(item.status, StatusCode::OK, "{}", item.body);
        assert!(fact(&item, "Why").contains("day 21"), "{:?}", facts(&item));
        assert_eq!(fact(&item, "Due"), format!("{} (15 days left)", shown(due)));
        let contact = item
            .attr("form[action^='/worklist/item/contact']", "action")
            .expect("contact form");
        let bad = coord
            .post(
                &link,
                &contact,
                &[
                    ("contacted_on", &(today + Duration::days(1)).to_string()),
                    ("channel", "carrier_pigeon"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert_eq!(
            bad.select_text("#channel-error"),
            ["Choose how the contact was made."]
        );
        assert_eq!(
            bad.select_text("#contacted_on-error").len(),
            1,
            "{}",
            bad.body
        );
        let ok = coord
            .post(
                &link,
                &contact,
                &[("contacted_on", &today.to_string()), ("channel", "phone")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location, Some(format!("{link}&done=1")));

        // The item shows as contacted, and leaves the open worklist.
        let item = coord.get(&link).await;
        assert_eq!(
            fact(&item, "Status"),
            format!(
                "Contacted {} (phone), recorded by coord Testsson",
                shown(today)
            )
        );
        assert!(
            item.attr("form[action^='/worklist/item/contact']", "action")
                .is_none()
        );
        let open = coord.get("/worklist").await;
        assert!(row_of(&open, "Lindqvist, Anna").is_none(), "{}", open.body);
        assert!(open.body.contains("Nothing to show with these choices."));
        let contacted = coord.get("/worklist?status=contacted").await;
        let row = row_of(&contacted, "Lindqvist, Anna").expect("Anna among the contacted");
        assert!(row.contains("Contacted"), "{row}");

        // A second outcome is refused.
        let again = coord
            .post(
                &link,
                &contact,
                &[("contacted_on", &today.to_string()), ("channel", "letter")],
            )
            .await;
        assert_eq!(
            again.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            again.body
        );
        assert!(
            again
                .body
                .contains("A first contact or dismissal is already recorded for this item."),
            "{}",
            again.body
        );

        // A case opened from the item takes over its target group and first contact (so it
        // starts as contacted) and puts the coordinator on the person's team.
        let person = link
            .split("person=")
            .nth(1)
            .and_then(|s| s.split('&').next())
            .expect("person in the item link")
            .to_owned();
        let record = format!("/persons/{person}");
        assert_eq!(coord.get(&record).await.status, StatusCode::FORBIDDEN);
        let item = coord.get(&link).await;
        let new = item
            .attr("a[href^='/cases/new']", "href")
            .expect("open-a-case link");
        let form = coord.get(&new).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(
            form.body
                .contains(&format!("First contact was made on {}", shown(today)))
        );
        assert_eq!(
            form.attr("#target_group option[selected]", "value")
                .as_deref(),
            Some("sick_leave")
        );
        let programme = form
            .attr("#programme option", "value")
            .expect("a programme");
        let opened = coord
            .post(
                &new,
                &new,
                &[
                    ("programme", &programme),
                    ("target_group", ""),
                    ("coordinator", ""),
                ],
            )
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let case = coord.get(&opened.location.expect("case")).await;
        assert_eq!(fact(&case, "Status"), "Contacted");
        assert_eq!(fact(&case, "First contact"), shown(today));
        assert_eq!(fact(&case, "Target group"), "Sick-listed");
        assert_eq!(coord.get(&record).await.status, StatusCode::OK);
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn uploads_need_the_csrf_token_and_each_page_its_role() {
    each_db(|db| async {
        let t = start(db).await;
        let admin = t.signed_in("admin").await;
        let action = upload_action(&admin).await;
        let csv = format!(
            "{SICK}\n{},Anna,Lindqvist,{},,50,,58222,{UNIT}\n",
            pnr("19800101123"),
            t.app.today() - Duration::days(3)
        );

        // A multipart POST without the token in the query string, or with another, is refused.
        for path in ["/imports", "/imports?csrf=not-the-token"] {
            let r = upload(&admin, path, "s.csv", &csv).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        }
        // A signed-in session's token does not carry over to another session.
        let other = t.signed_in("admin").await;
        let r = upload(&other, &action, "s.csv", &csv).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let page = admin.get("/imports").await;
        assert!(
            page.body
                .contains("Your organisation has not imported any signals yet."),
            "nothing was imported"
        );

        // A header that fits no layout is shown on the form, naming the column.
        let bad = upload(
            &admin,
            &action,
            "bad.csv",
            "national_id,given_name,family_name,first_day\n",
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert_eq!(
            bad.select_text("#file-error"),
            ["The first line lacks the required column \"extent\"."]
        );
        assert!(
            admin
                .get("/imports")
                .await
                .body
                .contains("Your organisation has not imported any signals yet.")
        );

        // The worklist is for coordinators; imports for administrators.
        let prof = t.signed_in("prof").await;
        let coord = t.signed_in("coord").await;
        assert_eq!(prof.get("/worklist").await.status, StatusCode::FORBIDDEN);
        assert_eq!(admin.get("/worklist").await.status, StatusCode::FORBIDDEN);
        assert_eq!(coord.get("/worklist").await.status, StatusCode::OK);
        assert_eq!(prof.get("/imports").await.status, StatusCode::FORBIDDEN);
        assert_eq!(coord.get("/imports").await.status, StatusCode::FORBIDDEN);
        let coord_action = coord.get("/").await.csrf();
        let r = upload(
            &coord,
            &format!("/imports?csrf={coord_action}"),
            "s.csv",
            &csv,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        // Not signed in: sent to sign in.
        let anonymous = t.client();
        assert_eq!(
            anonymous.get("/worklist").await.status,
            StatusCode::SEE_OTHER
        );
        t.finish().await;
    })
    .await;
}
