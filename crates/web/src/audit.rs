//! Auditors' pages: access-log search and CSV export, a person's access history, and the
//! emergency-access review queue. Administrators' team page lives here too: both manage access.

use crate::AppState;
use crate::context::{Ctx, FormData, SignedIn};
use crate::error::{WebError, parse_id, render};
use crate::forms::Errors;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samverka_app::AppError;
use samverka_app::audit::{AccessHistory, EmergencyQueue, LogQuery, LogSearch};
use samverka_app::teams::{TeamAdmin, TeamInput};
use samverka_core::policy::Action;
use samverka_core::{EmergencyAccessId, TeamMemberId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(log_page))
        .route("/audit/log.csv", get(log_csv))
        .route("/audit/history", get(history))
        .route("/audit/history.csv", get(history_csv))
        .route("/audit/emergency", get(emergency_queue))
        .route("/audit/emergency/{id}/review", post(review))
        .route("/admin/teams", get(teams).post(add_team_member))
        .route("/admin/teams/{id}/end", post(end_team_member))
}

#[derive(Deserialize, Default, Clone)]
pub struct LogParams {
    #[serde(default)]
    person: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    emergency: String,
}

impl LogParams {
    fn query(&self) -> LogQuery {
        LogQuery {
            person: self.person.clone(),
            user: self.user.clone(),
            organisation: self.organisation.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            action: self.action.clone(),
            emergency_only: !self.emergency.is_empty(),
        }
    }
    /// The same search as a query string, for the CSV link.
    fn encoded(&self) -> String {
        let pairs = [
            ("person", &self.person),
            ("user", &self.user),
            ("organisation", &self.organisation),
            ("from", &self.from),
            ("to", &self.to),
            ("action", &self.action),
            ("emergency", &self.emergency),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "audit_log.html")]
struct LogPage {
    ctx: Ctx,
    params: LogParams,
    result: Option<LogSearch>,
    organisations: Vec<samverka_app::model::Organisation>,
    errors: Errors,
}

impl LogPage {
    fn actions(&self) -> Vec<(&'static str, String)> {
        Action::ALL
            .iter()
            .map(|a| (a.code(), self.ctx.t(&format!("action-{}", a.code()))))
            .collect()
    }
    fn csv_link(&self) -> String {
        format!("/audit/log.csv?{}", self.params.encoded())
    }
}

async fn log_page(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(params): Query<LogParams>,
) -> Result<Response, WebError> {
    let q = params.query();
    match state.app.search_log(&auth.actor, &q).await {
        Ok(r) => {
            let organisations = r.organisations.clone();
            let result = if q.is_empty() { None } else { Some(r) };
            Ok(render(&LogPage {
                ctx,
                params,
                result,
                organisations,
                errors: Errors::default(),
            }))
        }
        Err(AppError::Invalid(v)) => invalid_log_search(&state, ctx, &auth, params, &v).await,
        Err(e) => Err(e.into()),
    }
}

/// The search form again, with what is wrong in it (422).
async fn invalid_log_search(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    params: LogParams,
    problems: &[samverka_app::FieldError],
) -> Result<Response, WebError> {
    let errors = Errors::new(&ctx, problems);
    let organisations = state.app.organisation_directory(&auth.actor).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&LogPage {
            ctx,
            params,
            result: None,
            organisations,
            errors,
        }),
    )
        .into_response())
}

fn csv_response(name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

async fn log_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(params): Query<LogParams>,
) -> Result<Response, WebError> {
    match state.app.export_log_csv(&auth.actor, &params.query()).await {
        Ok(body) => Ok(csv_response("access-log.csv", body)),
        Err(AppError::Invalid(v)) => invalid_log_search(&state, ctx, &auth, params, &v).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct PersonParam {
    #[serde(default)]
    person: String,
}

#[derive(Template)]
#[template(path = "audit_history.html")]
struct HistoryPage {
    ctx: Ctx,
    person: String,
    history: Option<AccessHistory>,
    errors: Errors,
}

impl HistoryPage {
    fn csv_link(&self) -> String {
        format!("/audit/history.csv?person={}", urlencode(&self.person))
    }
}

async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(q): Query<PersonParam>,
) -> Result<Response, WebError> {
    if q.person.trim().is_empty() {
        if !ctx.is_auditor() {
            return Err(WebError::Forbidden);
        }
        return Ok(render(&HistoryPage {
            ctx,
            person: String::new(),
            history: None,
            errors: Errors::default(),
        }));
    }
    match state
        .app
        .access_history(&auth.actor, &q.person, false)
        .await
    {
        Ok(h) => Ok(render(&HistoryPage {
            ctx,
            person: q.person,
            history: Some(h),
            errors: Errors::default(),
        })),
        Err(AppError::Invalid(v)) => Ok(invalid_history(ctx, q.person, &v)),
        Err(e) => Err(e.into()),
    }
}

async fn history_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(q): Query<PersonParam>,
) -> Result<Response, WebError> {
    match state.app.access_history(&auth.actor, &q.person, true).await {
        Ok(h) => Ok(csv_response(
            "access-history.csv",
            samverka_app::audit::log_csv(&h.lines)?,
        )),
        Err(AppError::Invalid(v)) => Ok(invalid_history(ctx, q.person, &v)),
        Err(e) => Err(e.into()),
    }
}

/// The history form again, with what is wrong with the number (422).
fn invalid_history(ctx: Ctx, person: String, problems: &[samverka_app::FieldError]) -> Response {
    let errors = Errors::new(&ctx, problems);
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&HistoryPage {
            ctx,
            person,
            history: None,
            errors,
        }),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "audit_emergency.html")]
struct EmergencyPage {
    ctx: Ctx,
    queue: EmergencyQueue,
    errors: Errors,
    /// The review whose form was sent with errors.
    failed: Option<EmergencyAccessId>,
}

async fn emergency_queue(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    let queue = state.app.emergency_queue(&auth.actor).await?;
    Ok(render(&EmergencyPage {
        ctx,
        queue,
        errors: Errors::default(),
        failed: None,
    }))
}

async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id: EmergencyAccessId = parse_id(&id)?;
    match state
        .app
        .review_emergency(&auth.actor, id, form.get("comment"))
        .await
    {
        Ok(()) => Ok(Redirect::to("/audit/emergency").into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            let queue = state.app.emergency_queue(&auth.actor).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&EmergencyPage {
                    ctx,
                    queue,
                    errors,
                    failed: Some(id),
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/teams.html")]
struct TeamsPage {
    ctx: Ctx,
    admin: TeamAdmin,
    form: FormData,
    errors: Errors,
}

impl TeamsPage {
    /// The units the staff work in, each once.
    fn units(&self) -> Vec<(samverka_core::UnitId, String)> {
        let mut out: Vec<(samverka_core::UnitId, String)> = Vec::new();
        for (_, _, unit, name) in &self.admin.staff {
            if !out.iter().any(|(u, _)| u == unit) {
                out.push((*unit, name.clone()));
            }
        }
        out
    }
}

async fn teams(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    let admin = state.app.team_admin(&auth.actor).await?;
    Ok(render(&TeamsPage {
        ctx,
        admin,
        form: FormData::default(),
        errors: Errors::default(),
    }))
}

async fn add_team_member(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    form: FormData,
) -> Result<Response, WebError> {
    let input = TeamInput {
        national_id: form.get("national_id").to_owned(),
        member: form.get("member").to_owned(),
        starts_on: form.get("starts_on").to_owned(),
    };
    match state.app.add_team_member(&auth.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/admin/teams").into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            let admin = state.app.team_admin(&auth.actor).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&TeamsPage {
                    ctx,
                    admin,
                    form,
                    errors,
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn end_team_member(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TeamMemberId = parse_id(&id)?;
    state.app.end_team_member(&auth.actor, id).await?;
    Ok(Redirect::to("/admin/teams").into_response())
}
