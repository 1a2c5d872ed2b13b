//! Pages without a feature of their own: home, language switch, programme directory, health.

use crate::AppState;
use crate::context::{Ctx, FormData, LANG_COOKIE, SignedIn, cookie};
use crate::error::{WebError, render};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use samverka_app::programmes::ProgrammeOverview;

/// A local path to go back to; anything else (another host, `//x`) becomes `/`.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://")
    {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    welcome: String,
    memberships: Vec<(String, String, String)>,
}

pub async fn home(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    let detail = state.app.user_memberships(&auth.actor).await?;
    let memberships = detail
        .into_iter()
        .map(|m| {
            (
                m.unit_name,
                m.organisation_name,
                ctx.role_name(&m.membership.role),
            )
        })
        .collect();
    let welcome = ctx.ta("home-welcome", &[("name", auth.actor.display_name.clone())]);
    Ok(render(&HomePage {
        ctx,
        welcome,
        memberships,
    }))
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.app.db.ping().await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
        .into_response()
}

/// Switches the interface language (a cookie for a year) and goes back where the user was.
pub async fn set_language(State(state): State<AppState>, form: FormData) -> Response {
    let lang = Lang::from_code(form.get("lang")).unwrap_or(state.config.default_lang);
    let mut resp = Redirect::to(&safe_next(form.get("next"))).into_response();
    let c = cookie(
        LANG_COOKIE,
        lang.code(),
        state.config.secure_cookies,
        Some(365 * 24 * 3600),
    );
    if let Ok(v) = c.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[derive(Template)]
#[template(path = "programmes.html")]
struct ProgrammesPage {
    ctx: Ctx,
    programmes: Vec<ProgrammeOverview>,
}

pub async fn programmes(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    let programmes = state.app.programme_overview(&auth.actor).await?;
    Ok(render(&ProgrammesPage { ctx, programmes }))
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/persons?q=a"), "/persons?q=a");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next(""), "/");
    }
}
