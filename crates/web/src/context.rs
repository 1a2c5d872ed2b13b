//! Per-request context: who is signed in, the interface language and the CSRF token, worked out
//! once per request by [`middleware`]; plus the security headers every response carries.

use crate::AppState;
use crate::error::{ErrorPage, WebError};
use crate::i18n::Lang;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use samverka_app::auth::Authenticated;
use samverka_core::actor::Role;
use subtle::ConstantTimeEq;

/// Largest form body accepted (the CSRF check reads the whole body).
const MAX_FORM_BYTES: usize = 1024 * 1024;

pub const LANG_COOKIE: &str = "samverka_lang";

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-samverka_session"
    } else {
        "samverka_session"
    }
}

pub fn csrf_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-samverka_csrf"
    } else {
        "samverka_csrf"
    }
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Strict always, Secure when configured.
pub fn cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// What every page needs to know about the request.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    /// The signed-in user, unless the second factor is still missing.
    pub auth: Option<Authenticated>,
    pub demo: bool,
    /// Path and query of this request, to come back to after switching language.
    pub here: String,
    /// The deployment's time zone: times are shown in it.
    pub tz: chrono_tz::Tz,
}

impl Ctx {
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn ta(&self, key: &str, args: &[(&str, String)]) -> String {
        self.lang.ta(key, args)
    }

    pub fn signed_in(&self) -> bool {
        self.auth.is_some()
    }

    pub fn display_name(&self) -> &str {
        self.auth
            .as_ref()
            .map(|a| a.actor.display_name.as_str())
            .unwrap_or("")
    }

    fn has(&self, role: Role) -> bool {
        self.auth.as_ref().is_some_and(|a| a.actor.has_role(role))
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Administrator)
    }

    pub fn is_auditor(&self) -> bool {
        self.has(Role::Auditor)
    }

    /// An instant as the deployment's local date and time.
    pub fn time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// Today in the deployment's time zone (calendar-day rules such as "overdue" count in it).
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.tz).date_naive()
    }

    /// A calendar date in words, in the reader's language ("5 Nov 2026", "5 nov. 2026").
    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        use chrono::Datelike;
        self.ta(
            "date-format",
            &[
                ("day", d.day().to_string()),
                ("month", self.t(&format!("month-{}", d.month()))),
                ("year", d.year().to_string()),
            ],
        )
    }

    pub fn is_coordinator(&self) -> bool {
        self.has(Role::Coordinator)
    }

    /// An access-log action code in words.
    pub fn action_name(&self, code: &str) -> String {
        self.t(&format!("action-{code}"))
    }

    /// An access-log `what` in words (a `:detail` suffix is dropped).
    pub fn what_name(&self, what: &str) -> String {
        let base = what.split(':').next().unwrap_or(what);
        self.t(&format!("what-{}", base.replace('_', "-")))
    }

    /// An access-log outcome in words, with the reason for a refusal.
    pub fn outcome_name(&self, outcome: &str) -> String {
        match outcome.strip_prefix("denied:") {
            Some(reason) => format!(
                "{} ({})",
                self.t("outcome-denied"),
                self.t(&format!("deny-{}", reason.replace('_', "-")))
            ),
            None if outcome.ends_with("emergency") => self.t("outcome-emergency"),
            None => self.t("outcome-allowed"),
        }
    }

    /// A stored role code in words; an unknown code is shown as it is.
    pub fn role_code_name(&self, code: &str) -> String {
        match code.parse::<Role>() {
            Ok(r) => self.role_name(&r),
            Err(_) => code.to_owned(),
        }
    }

    /// Coordinators and professionals work with person records.
    pub fn works_with_persons(&self) -> bool {
        self.has(Role::Coordinator) || self.has(Role::Professional)
    }

    pub fn sector_name(&self, s: &samverka_core::org::Sector) -> String {
        self.t(&format!("sector-{}", s.code()))
    }

    pub fn country_name(&self, code: &str) -> String {
        self.t(&format!("country-{}", code.to_lowercase()))
    }

    pub fn role_name(&self, r: &Role) -> String {
        self.t(&format!("role-{}", r.code()))
    }

    pub fn langs(&self) -> Vec<(&'static str, String, bool)> {
        Lang::ALL
            .iter()
            .map(|l| (l.code(), l.t("language-name"), *l == self.lang))
            .collect()
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, WebError> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| WebError::Internal("request context missing".into()))
    }
}

/// The signed-in user; pages that need one redirect to sign-in without it.
pub struct SignedIn(pub Authenticated);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        ctx.auth
            .map(SignedIn)
            .ok_or(WebError::NotSignedIn(ctx.here))
    }
}

/// The parsed fields of a form POST (already checked for its CSRF token).
#[derive(Clone, Debug, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    /// A checkbox: present means on.
    pub fn flag(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

impl FromRequestParts<AppState> for FormData {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, WebError> {
        parts
            .extensions
            .get::<FormData>()
            .cloned()
            .ok_or(WebError::BadRequest("error-form-missing"))
    }
}

/// The address of the client, for throttling sign-in attempts.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, WebError> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".to_owned()),
        ))
    }
}

fn new_csrf_token() -> Result<String, WebError> {
    samverka_app::auth::new_token().map_err(|e| WebError::Internal(e.to_string()))
}

/// Works out the [`Ctx`], checks the CSRF token of every POST, and turns error markers into pages.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match run(state, req, next).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn run(state: AppState, req: Request, next: Next) -> Result<Response, WebError> {
    let (mut parts, body) = req.into_parts();
    let secure = state.config.secure_cookies;
    let headers = &parts.headers;

    let lang = read_cookie(headers, LANG_COOKIE)
        .and_then(Lang::from_code)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(state.config.default_lang);

    let cookie_csrf = read_cookie(headers, csrf_cookie_name(secure))
        .filter(|t| t.len() >= 32 && t.len() <= 64)
        .map(str::to_owned);
    let (csrf, new_csrf) = match cookie_csrf {
        Some(t) => (t, false),
        None => (new_csrf_token()?, true),
    };

    let auth = match read_cookie(headers, session_cookie_name(secure)) {
        Some(token) => state
            .app
            .authenticate(token)
            .await?
            .filter(|a| !a.mfa_pending),
        None => None,
    };

    let here = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let ctx = Ctx {
        lang,
        csrf: csrf.clone(),
        auth,
        demo: state.config.demo,
        here,
        tz: state.app.config.time_zone,
    };
    parts.extensions.insert(ctx.clone());

    let mut resp = match read_post(
        parts.method == Method::POST,
        &parts.headers,
        parts.uri.query(),
        body,
        &csrf,
        new_csrf,
    )
    .await
    {
        Ok((body, form)) => {
            if let Some(form) = form {
                parts.extensions.insert(form);
            }
            next.run(Request::from_parts(parts, body)).await
        }
        Err(e) => e.into_response(),
    };
    if let Some(page) = resp.extensions_mut().remove::<ErrorPage>() {
        resp = page.render(&ctx, resp.status());
    }
    if new_csrf
        && let Ok(v) = HeaderValue::from_str(&cookie(csrf_cookie_name(secure), &csrf, secure, None))
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// Reads a POST body once, parses its form fields and checks its CSRF token; other requests pass
/// through untouched.
async fn read_post(
    is_post: bool,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
    csrf: &str,
    new_csrf: bool,
) -> Result<(Body, Option<FormData>), WebError> {
    if !is_post {
        return Ok((body, None));
    }
    // A browser tells us when a request comes from another site; refuse those outright.
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site")
    {
        return Err(WebError::Csrf);
    }
    // A file upload streams to its handler unread: its form carries the token in the action's
    // query string instead of the body.
    if headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
    {
        let sent = query
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|f| f.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v))
            .unwrap_or_default();
        if new_csrf || !bool::from(sent.as_bytes().ct_eq(csrf.as_bytes())) {
            return Err(WebError::Csrf);
        }
        return Ok((body, None));
    }
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| WebError::BadRequest("error-form-too-large"))?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|_| WebError::BadRequest("error-form-unreadable"))?;
    let sent = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    // The form's token must match the cookie: another site can neither read nor set it.
    if new_csrf || !bool::from(sent.as_bytes().ct_eq(csrf.as_bytes())) {
        return Err(WebError::Csrf);
    }
    Ok((Body::from(bytes), Some(FormData(fields))))
}

/// Headers on every response: a strict CSP without inline scripts, no framing, no sniffing,
/// no referrer, and no caching of pages (they may hold person data).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !is_static {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// A response that the middleware turns into a full error page.
pub fn error_marker(status: StatusCode, page: ErrorPage) -> Response {
    let mut r = status.into_response();
    r.extensions_mut().insert(page);
    r
}
