//! The HTTP test harness: a server on a random port and a cookie-keeping client.
#![allow(dead_code)]

use reqwest::StatusCode;
use samverka_app::{App, AppConfig};
use samverka_core::actor::Role;
use samverka_core::org::Sector;
use samverka_core::{OrganisationId, UnitId, UserId};
use samverka_store::org::{self, Organisation, Unit};
use samverka_store::testing::TestDb;
use samverka_store::user::{self, User};
use samverka_web::{AppState, WebConfig, i18n::Lang};
use scraper::{Html, Selector};
use std::sync::{Arc, OnceLock};

pub const PASSWORD: &str = "a long enough password";

/// One hash for every test user: hashing is deliberately slow.
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| samverka_app::auth::hash_password(PASSWORD).expect("hash"))
        .clone()
}

pub struct TestApp {
    pub base: String,
    pub app: Arc<App>,
    pub unit: UnitId,
    pub other_unit: UnitId,
    pub db: Option<TestDb>,
}

impl TestApp {
    pub async fn start(db: TestDb) -> TestApp {
        Self::start_with(db, AppConfig::default(), false).await
    }

    pub async fn start_with(db: TestDb, config: AppConfig, secure: bool) -> TestApp {
        let app = Arc::new(App::new(db.db.clone(), config));
        let now = app.now();
        let mut tx = db.db.begin().await.expect("tx");
        let mut units = Vec::new();
        for (name, sector) in [
            ("Vårdcentralen Test", Sector::PrimaryCare),
            ("Socialkontoret Test", Sector::SocialServices),
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
            units.push(u.id);
        }
        tx.commit().await.expect("commit");
        let state = AppState {
            app: app.clone(),
            config: Arc::new(WebConfig {
                secure_cookies: secure,
                demo: false,
                default_lang: Lang::En,
            }),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(samverka_web::serve(state, listener));
        TestApp {
            base: format!("http://{addr}"),
            app,
            unit: units[0],
            other_unit: units[1],
            db: Some(db),
        }
    }

    /// A user with one role in the first organisation's unit.
    pub async fn user(&self, username: &str, role: Role) -> UserId {
        self.user_in(username, role, self.unit).await
    }

    pub async fn user_in(&self, username: &str, role: Role, unit: UnitId) -> UserId {
        let mut tx = self.app.db.begin().await.expect("tx");
        let u = User {
            id: UserId::new(),
            username: username.into(),
            display_name: format!("{username} Testsson"),
            email: None,
            password_hash: password_hash(),
            totp_secret: None,
            active: true,
            created_at: self.app.now(),
            deactivated_at: None,
        };
        user::insert(&mut tx, &u).await.expect("user");
        user::add_membership(&mut tx, u.id, unit, role, self.app.now())
            .await
            .expect("membership");
        tx.commit().await.expect("commit");
        u.id
    }

    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: self.base.clone(),
        }
    }

    /// A client signed in as `username`.
    pub async fn signed_in(&self, username: &str) -> Client {
        let c = self.client();
        let r = c.sign_in(username, PASSWORD).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in of {username} failed: {}",
            r.body
        );
        c
    }

    pub async fn finish(mut self) {
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn select_text(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .collect()
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(attr).map(str::to_owned))
    }

    pub fn csrf(&self) -> String {
        self.attr("input[name=csrf]", "value")
            .expect("page has a CSRF field")
    }

    /// Every link of a form's error summary leads to an element of the page (the input, or
    /// the group or message of the field in error), once, so that following it moves there
    /// (WCAG 2.4.3, 3.3.1). Checked on every page the tests fetch.
    pub fn assert_error_summary_links_land(&self) {
        let html = self.html();
        let links = Selector::parse(".error-summary a").expect("selector");
        for a in html.select(&links) {
            let href = a.value().attr("href").unwrap_or_default();
            let id = href
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("a summary link leaves the page: {href}\n{}", self.body));
            let target = Selector::parse(&format!("[id=\"{id}\"]")).expect("id selector");
            let found = html.select(&target).count();
            assert_eq!(
                found,
                1,
                "the summary link {href} ({}) must land on one element, found {found}:\n{}",
                a.text().collect::<String>(),
                self.body
            );
        }
    }
}

impl Client {
    pub async fn page(&self, r: reqwest::Response) -> Page {
        let page = Self::unchecked(r).await;
        page.assert_error_summary_links_land();
        page
    }

    /// The response as it came, without the checks `page` makes of every page (they parse the
    /// HTML): for benchmarks, which time what the browser waits for.
    pub async fn get_unchecked(&self, path: &str) -> Page {
        Self::unchecked(self.send_get(path).await).await
    }

    async fn send_get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get")
    }

    async fn unchecked(r: reqwest::Response) -> Page {
        let status = r.status();
        let headers = r.headers().clone();
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Page {
            status,
            location,
            headers,
            body: r.text().await.expect("body"),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.page(self.send_get(path).await).await
    }

    /// POSTs a form, adding the CSRF token of the page at `form_page`.
    pub async fn post(&self, form_page: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(form_page).await.csrf();
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", &csrf));
        self.post_raw(path, &all).await
    }

    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("post");
        self.page(r).await
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Page {
        self.post(
            "/login",
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

pub async fn each_db<F, Fut>(f: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all().await.expect("test databases") {
        f(db).await;
    }
}
