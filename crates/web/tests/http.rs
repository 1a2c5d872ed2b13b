//! End-to-end tests over real HTTP: the server runs on a random port, a cookie-keeping client
//! signs in like a browser. Every test runs on SQLite, and on PostgreSQL too when
//! `SAMVERKA_TEST_POSTGRES` is set.

mod common;

use common::*;
use reqwest::StatusCode;
use samverka_app::AppConfig;
use samverka_core::actor::Role;
use samverka_store::testing::TestDb;
use samverka_web::i18n::Lang;

#[tokio::test]
async fn sign_in_page_has_the_fields_password_managers_expect() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let p = t.client().get("/login").await;
        assert_eq!(p.status, StatusCode::OK);
        assert_eq!(
            p.attr("input[name=username]", "autocomplete").as_deref(),
            Some("username")
        );
        assert_eq!(
            p.attr("input[name=password]", "autocomplete").as_deref(),
            Some("current-password")
        );
        assert_eq!(
            p.attr("label[for=username]", "for").as_deref(),
            Some("username")
        );
        assert_eq!(p.attr("a.skip-link", "href").as_deref(), Some("#main"));
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn sign_in_and_sign_out() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        t.user("anna", Role::Coordinator).await;
        let c = t.client();
        // Not signed in: the home page sends us to sign in and back.
        let p = c.get("/").await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        assert_eq!(p.location.as_deref(), Some("/login?next=%2F"));

        let p = c.sign_in("anna", PASSWORD).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        let cookie = p
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap_or(""))
            .find(|v| v.starts_with("samverka_session="))
            .expect("session cookie")
            .to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );

        let home = c.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.select_text("h1")[0].contains("anna Testsson"));

        let out = c.post("/", "/logout", &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(
            c.get("/").await.status,
            StatusCode::SEE_OTHER,
            "signed out means no access"
        );
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        t.user("anna", Role::Coordinator).await;
        let c = t.client();
        let wrong = c.sign_in("anna", "not the password").await;
        let unknown = c.sign_in("nobody", "not the password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            wrong.select_text("[role=alert]"),
            unknown.select_text("[role=alert]")
        );
        assert_eq!(
            wrong.select_text("[role=alert]"),
            vec!["The username or password is wrong.".to_owned()]
        );
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_throttle_even_the_right_password() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        t.user("anna", Role::Coordinator).await;
        let c = t.client();
        for _ in 0..5 {
            assert_eq!(
                c.sign_in("anna", "wrong").await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        let p = c.sign_in("anna", PASSWORD).await;
        assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(p.body.contains("Too many failed attempts"));
        // Other accounts are not affected by the throttle on this one.
        t.user("bert", Role::Coordinator).await;
        assert_eq!(
            c.sign_in("bert", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        t.user("admin", Role::Administrator).await;
        let c = t.client();
        c.get("/login").await; // gets the CSRF cookie
        let p = c
            .post_raw("/login", &[("username", "admin"), ("password", PASSWORD)])
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        let p = c
            .post_raw(
                "/login",
                &[
                    ("username", "admin"),
                    ("password", PASSWORD),
                    ("csrf", "forged-forged-forged-forged-forged-forged"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert!(p.body.contains("The form had expired"));

        let c = t.signed_in("admin").await;
        let p = c
            .post_raw(
                "/admin/organisations",
                &[("name", "Evil"), ("sector", "other"), ("country", "SE")],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        let list = c.get("/admin/organisations").await;
        assert!(!list.body.contains("Evil"), "nothing was created");

        // A request a browser marks as cross-site is refused even with the token.
        let csrf = c.get("/admin/organisations").await.csrf();
        let r = c
            .http
            .post(format!("{}/admin/organisations", c.base))
            .header("sec-fetch-site", "cross-site")
            .form(&[
                ("name", "Evil"),
                ("sector", "other"),
                ("country", "SE"),
                ("csrf", csrf.as_str()),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn pages_a_role_may_not_use_answer_403() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        for (name, role) in [
            ("adm", Role::Administrator),
            ("coord", Role::Coordinator),
            ("prof", Role::Professional),
            ("lead", Role::ProgrammeLead),
            ("aud", Role::Auditor),
        ] {
            t.user(name, role).await;
        }
        let admin_pages = [
            "/admin/users",
            "/admin/organisations",
            "/admin/programmes",
            "/admin/programmes/new",
        ];
        let person_pages = ["/persons", "/persons/new"];
        for (name, role) in [
            ("adm", Role::Administrator),
            ("coord", Role::Coordinator),
            ("prof", Role::Professional),
            ("lead", Role::ProgrammeLead),
            ("aud", Role::Auditor),
        ] {
            let c = t.signed_in(name).await;
            for path in admin_pages {
                let p = c.get(path).await;
                let expected = if role == Role::Administrator {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(p.status, expected, "{name} {path}");
                if expected == StatusCode::FORBIDDEN {
                    assert_eq!(p.select_text("h1"), vec!["Not allowed".to_owned()]);
                }
            }
            for path in person_pages {
                let p = c.get(path).await;
                let allowed = matches!(role, Role::Coordinator | Role::Professional);
                assert_eq!(
                    p.status,
                    if allowed {
                        StatusCode::OK
                    } else {
                        StatusCode::FORBIDDEN
                    },
                    "{name} {path}"
                );
            }
            assert_eq!(
                c.get("/programmes").await.status,
                StatusCode::OK,
                "{name} sees the programme directory"
            );
        }
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn deactivating_a_user_ends_their_sessions_at_once() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        t.user("admin", Role::Administrator).await;
        let victim = t.user("prof", Role::Professional).await;
        let prof = t.signed_in("prof").await;
        assert_eq!(prof.get("/persons").await.status, StatusCode::OK);

        let admin = t.signed_in("admin").await;
        let page = format!("/admin/users/{victim}");
        let p = admin
            .post(&page, &format!("{page}/active"), &[("active", "false")])
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);

        assert_eq!(
            prof.get("/persons").await.status,
            StatusCode::SEE_OTHER,
            "session ended"
        );
        assert_eq!(
            t.client().sign_in("prof", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        // An administrator cannot lock themself out.
        let own = admin.get("/").await;
        assert_eq!(own.status, StatusCode::OK);
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn security_headers_on_every_response() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        for path in ["/login", "/nonexistent", "/healthz"] {
            let p = t.client().get(path).await;
            let csp = p
                .headers
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            assert!(
                csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
                "{path}: {csp}"
            );
            assert_eq!(
                p.headers
                    .get("x-content-type-options")
                    .map(|v| v.as_bytes()),
                Some(&b"nosniff"[..])
            );
            assert!(p.headers.get("referrer-policy").is_some());
        }
        assert_eq!(
            t.client().get("/nonexistent").await.status,
            StatusCode::NOT_FOUND
        );
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn secure_cookies_outside_demo() {
    let t = TestApp::start_with(
        TestDb::sqlite().await.expect("db"),
        AppConfig::default(),
        true,
    )
    .await;
    let p = t.client().get("/login").await;
    let c = p
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        c.starts_with("__Host-samverka_csrf=") && c.contains("; Secure"),
        "{c}"
    );
    t.finish().await;
}

#[tokio::test]
async fn health_and_readiness() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let c = t.client();
        assert_eq!(c.get("/healthz").await.body, "ok");
        let r = c.get("/readyz").await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ready"));
        t.app.db.close().await;
        assert_eq!(
            c.get("/readyz").await.status,
            StatusCode::SERVICE_UNAVAILABLE
        );
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn language_switch() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        let c = t.client();
        let p = c
            .post("/login", "/lang", &[("lang", "sv"), ("next", "/login")])
            .await;
        assert_eq!(p.location.as_deref(), Some("/login"));
        let sv = c.get("/login").await;
        assert_eq!(sv.attr("html", "lang").as_deref(), Some("sv"));
        assert_eq!(sv.select_text("h1"), vec![Lang::Sv.t("login-title")]);
        assert_ne!(Lang::Sv.t("login-title"), Lang::En.t("login-title"));
        c.post(
            "/login",
            "/lang",
            &[("lang", "da"), ("next", "https://evil.example/")],
        )
        .await;
        let da = c.get("/login").await;
        assert_eq!(da.select_text("h1"), vec![Lang::Da.t("login-title")]);
        // A browser that prefers Danish gets Danish without choosing.
        let r = reqwest::Client::new()
            .get(format!("{}/login", t.base))
            .header("accept-language", "da-DK,da;q=0.9,en;q=0.5")
            .send()
            .await
            .expect("get");
        let body = r.text().await.expect("body");
        assert!(body.contains("<html lang=\"da\">"));
        t.finish().await;
    })
    .await;
}

fn totp_code(secret: &str, username: &str) -> String {
    let totp = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("secret"))
        .with_account_name(username)
        .build()
        .expect("totp");
    totp.generate_current().to_string()
}

#[tokio::test]
async fn second_factor_with_totp() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        t.user("anna", Role::Coordinator).await;
        let c = t.signed_in("anna").await;
        let setup = c.get("/account/totp").await;
        let secret = setup.attr("input[name=secret]", "value").expect("secret");
        assert!(
            setup
                .attr("img", "src")
                .is_some_and(|s| s.starts_with("data:image/svg+xml;base64,"))
        );
        let wrong = c
            .post_raw(
                "/account/totp",
                &[
                    ("secret", &secret),
                    ("code", "000000"),
                    ("csrf", &setup.csrf()),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let ok = c
            .post_raw(
                "/account/totp",
                &[
                    ("secret", &secret),
                    ("code", &totp_code(&secret, "anna")),
                    ("csrf", &setup.csrf()),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        c.post("/", "/logout", &[]).await;

        let c = t.client();
        let p = c.sign_in("anna", PASSWORD).await;
        assert_eq!(p.location.as_deref(), Some("/login/totp?next=%2F"));
        assert_eq!(
            c.get("/").await.status,
            StatusCode::SEE_OTHER,
            "password alone is not enough"
        );
        let bad = c
            .post(
                "/login/totp",
                "/login/totp",
                &[("code", "123456"), ("next", "/")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        let good = c
            .post(
                "/login/totp",
                "/login/totp",
                &[("code", &totp_code(&secret, "anna")), ("next", "/")],
            )
            .await;
        assert_eq!(good.status, StatusCode::SEE_OTHER);
        assert_eq!(c.get("/").await.status, StatusCode::OK);
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn register_find_and_read_a_person() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        t.user("prof", Role::Professional).await;
        let c = t.signed_in("prof").await;

        // A wrong check digit is named, on the field, and nothing is saved.
        let bad = c
            .post(
                "/persons/new",
                "/persons",
                &[
                    ("id_scheme", "swedish"),
                    ("national_id", "19811218-9875"),
                    ("given_name", "Sara"),
                    ("family_name", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let err = bad.select_text("#national_id-error");
        assert_eq!(err.len(), 1);
        assert!(err[0].contains("check digit"), "{err:?}");
        assert_eq!(
            bad.select_text("#family_name-error"),
            vec!["This field is required.".to_owned()]
        );
        assert_eq!(
            bad.attr("#given_name", "value").as_deref(),
            Some("Sara"),
            "typed values are kept"
        );
        // The summary at the top names each field and links to it.
        let summary = bad.select_text(".error-summary li a");
        assert!(
            summary.contains(&"Family name: This field is required.".to_owned()),
            "{summary:?}"
        );
        assert_eq!(
            bad.attr(".error-summary a[href='#family_name']", "href")
                .as_deref(),
            Some("#family_name")
        );

        let ok = c
            .post(
                "/persons/new",
                "/persons",
                &[
                    ("id_scheme", "swedish"),
                    ("national_id", "811218-9876"),
                    ("given_name", "Sara"),
                    ("family_name", "Öberg"),
                    ("street", "Hemliga gatan 1"),
                    ("city", "Linköping"),
                    ("protected_identity", "on"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let location = ok.location.expect("goes to the person");
        let person = c.get(&location).await;
        assert_eq!(person.status, StatusCode::OK);
        assert!(person.body.contains("19811218-9876"));
        assert!(
            !person.body.contains("Hemliga gatan") && !person.body.contains("Linköping"),
            "protected identity shows no address"
        );
        // Only roles the configuration names (coordinators by default) learn of the protection.
        assert!(!person.body.contains("Protected identity"));

        // Found by a part of the name in any case, and by the number in another form.
        let by_name = c.get("/persons?q=%C3%B6berg").await;
        assert_eq!(by_name.select_text("tbody tr").len(), 1);
        let by_number = c.get("/persons?q=198112189876").await;
        assert!(by_number.body.contains(&location));
        let bad_number = c.get("/persons?q=811218-9875").await;
        assert_eq!(bad_number.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The same number cannot be registered twice.
        let dup = c
            .post(
                "/persons/new",
                "/persons",
                &[
                    ("id_scheme", "swedish"),
                    ("national_id", "198112189876"),
                    ("given_name", "S"),
                    ("family_name", "Ö"),
                ],
            )
            .await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup.select_text("#national_id-error")[0].contains("already registered"));

        // A Danish CPR number is found in a Swedish deployment too, though it fails the Swedish check.
        let dane = c
            .post(
                "/persons/new",
                "/persons",
                &[
                    ("id_scheme", "danish"),
                    ("national_id", "0101701234"),
                    ("given_name", "Karen"),
                    ("family_name", "Jensen"),
                ],
            )
            .await;
        let dane_page = dane.location.expect("registered");
        let by_cpr = c.get("/persons?q=010170-1234").await;
        assert_eq!(by_cpr.status, StatusCode::OK);
        assert!(by_cpr.body.contains(&dane_page));
        assert_eq!(by_cpr.select_text("tbody tr").len(), 1);

        assert_eq!(
            c.get("/persons/not-a-uuid").await.status,
            StatusCode::NOT_FOUND
        );
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn every_person_access_is_logged_and_denials_too() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        t.user("prof", Role::Professional).await;
        t.user("lead", Role::ProgrammeLead).await;
        let c = t.signed_in("prof").await;
        let ok = c
            .post(
                "/persons/new",
                "/persons",
                &[
                    ("id_scheme", "danish"),
                    ("national_id", "010170-1234"),
                    ("given_name", "Karen"),
                    ("family_name", "Jensen"),
                ],
            )
            .await;
        let location = ok.location.expect("created");
        c.get(&location).await;
        c.get("/persons?q=karen").await;
        let lead = t.signed_in("lead").await;
        assert_eq!(
            lead.get("/persons?q=karen").await.status,
            StatusCode::FORBIDDEN
        );

        t.app.log.flush().await.expect("flush");
        let mut tx = t.app.db.begin().await.expect("tx");
        let log = samverka_store::access_log::latest(&mut tx, 100)
            .await
            .expect("log");
        let summary: Vec<(String, String, String)> = log
            .iter()
            .rev()
            .map(|e| (e.action.clone(), e.what.clone(), e.outcome.clone()))
            .collect();
        assert!(
            summary.contains(&("create".into(), "person".into(), "allowed".into())),
            "{summary:?}"
        );
        assert!(
            summary.contains(&("read".into(), "person_record".into(), "allowed".into())),
            "{summary:?}"
        );
        assert!(
            summary.contains(&(
                "search".into(),
                "person_search_result".into(),
                "allowed".into()
            )),
            "{summary:?}"
        );
        assert!(
            summary.contains(&(
                "search".into(),
                "person_search".into(),
                "denied:role_not_permitted".into()
            )),
            "{summary:?}"
        );
        drop(tx);
        t.finish().await;
    })
    .await;
}

#[tokio::test]
async fn admin_builds_the_world() {
    each_db(|db| async {
        let t = TestApp::start(db).await;
        t.user("admin", Role::Administrator).await;
        let c = t.signed_in("admin").await;

        let bad = c
            .post(
                "/admin/organisations",
                "/admin/organisations",
                &[("name", ""), ("sector", "bakery"), ("country", "SE")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            bad.select_text("#name-error"),
            vec!["This field is required.".to_owned()]
        );
        assert_eq!(
            bad.select_text("#sector-error"),
            vec!["Choose a sector from the list.".to_owned()]
        );

        let p = c
            .post(
                "/admin/organisations",
                "/admin/organisations",
                &[
                    ("name", "Arbetsförmedlingen"),
                    ("sector", "employment_service"),
                    ("country", "SE"),
                ],
            )
            .await;
        let org_page = p.location.expect("created");
        let dup = c
            .post(
                "/admin/organisations",
                "/admin/organisations",
                &[
                    ("name", "arbetsförmedlingen"),
                    ("sector", "employment_service"),
                    ("country", "SE"),
                ],
            )
            .await;
        assert_eq!(
            dup.select_text("#name-error"),
            vec!["This name is already in use.".to_owned()]
        );

        let u = c
            .post(
                &org_page,
                &format!("{org_page}/units"),
                &[("name", "Arbetsförmedlingen Linköping")],
            )
            .await;
        assert_eq!(u.status, StatusCode::SEE_OTHER);
        let org = c.get(&org_page).await;
        assert!(
            org.select_text("ul li a")
                .iter()
                .any(|s| s == "Arbetsförmedlingen Linköping")
        );

        let org_id = org_page.rsplit('/').next().expect("id").to_owned();
        let prog = c
            .post(
                "/admin/programmes/new",
                "/admin/programmes",
                &[
                    ("name", "Samordningsteam Ryd"),
                    ("country", "SE"),
                    ("starts_on", "2026-01-01"),
                    ("ends_on", "2025-12-31"),
                    ("organisations", &org_id),
                ],
            )
            .await;
        assert_eq!(
            prog.select_text("#ends_on-error"),
            vec!["The end date is before the start date.".to_owned()]
        );
        let prog = c
            .post(
                "/admin/programmes/new",
                "/admin/programmes",
                &[
                    ("name", "Samordningsteam Ryd"),
                    ("country", "SE"),
                    ("starts_on", "2026-01-01"),
                    ("organisations", &org_id),
                ],
            )
            .await;
        assert_eq!(prog.status, StatusCode::SEE_OTHER);
        let dir = c.get("/programmes").await;
        assert!(
            dir.body.contains("Samordningsteam Ryd")
                && dir.body.contains("Arbetsförmedlingen Linköping")
        );

        let weak = c
            .post(
                "/admin/users",
                "/admin/users",
                &[
                    ("username", "af"),
                    ("display_name", "Ali Af"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            weak.attr("#password", "value")
                .unwrap_or_default()
                .is_empty(),
            "password not echoed"
        );
        let nu = c
            .post(
                "/admin/users",
                "/admin/users",
                &[
                    ("username", "Af.Linkoping"),
                    ("display_name", "Ali Af"),
                    ("password", "a brand new password"),
                ],
            )
            .await;
        let user_page = nu.location.expect("user created");
        let page = c.get(&user_page).await;
        let unit_id = page
            .attr("select#unit option", "value")
            .expect("a unit to choose");
        let m = c
            .post(
                &user_page,
                &format!("{user_page}/memberships"),
                &[("unit", &unit_id), ("role", "professional")],
            )
            .await;
        assert_eq!(m.status, StatusCode::SEE_OTHER);
        let m = c
            .post(
                &user_page,
                &format!("{user_page}/memberships"),
                &[("unit", &unit_id), ("role", "king")],
            )
            .await;
        assert_eq!(m.status, StatusCode::UNPROCESSABLE_ENTITY);

        let newcomer = t.client();
        assert_eq!(
            newcomer
                .sign_in("af.linkoping", "a brand new password")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            newcomer.get("/persons").await.status,
            StatusCode::OK,
            "the professional membership took effect"
        );
        let _ = t.other_unit;
        t.finish().await;
    })
    .await;
}
