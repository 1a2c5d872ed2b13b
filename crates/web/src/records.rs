//! A person's record and the forms that record things about them: notes, consents, blocks,
//! and emergency access.

use crate::AppState;
use crate::context::{Ctx, FormData, SignedIn};
use crate::error::{WebError, parse_id, render};
use crate::forms::Errors;
use crate::persons::kind_key;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samverka_app::AppError;
use samverka_app::records::{BlockInput, ConsentInput, NoteInput, PersonRecord};
use samverka_core::consent::{Category, ConsentForm};
use samverka_core::{BlockId, ConsentId, PersonId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persons/{id}", get(show))
        .route("/persons/{id}/notes", post(add_note))
        .route("/persons/{id}/consents", post(add_consent))
        .route("/persons/{id}/consents/{cid}/withdraw", post(withdraw))
        .route("/persons/{id}/blocks", post(add_block))
        .route("/persons/{id}/blocks/{bid}/lift", post(lift))
        .route(
            "/persons/{id}/emergency",
            get(emergency_form).post(emergency),
        )
}

/// Which form on the record page was sent, so its errors and values go back to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    None,
    Note,
    Consent,
    Block,
    Lift,
}

#[derive(Template)]
#[template(path = "person.html")]
struct RecordPage {
    ctx: Ctx,
    r: PersonRecord,
    form: FormData,
    errors: Errors,
    which: Which,
    /// The block whose lifting was refused, so its error stands beside it.
    lift_failed: Option<BlockId>,
}

impl RecordPage {
    fn kind_label(&self) -> String {
        self.ctx.t(kind_key(self.r.view.person.national_id.kind()))
    }
    fn sex_label(&self) -> String {
        match self.r.view.person.sex.as_deref() {
            Some(s) => self.ctx.t(&format!("sex-{s}")),
            None => "–".to_owned(),
        }
    }
    /// The form's errors, if this is the form that was sent.
    fn errs(&self, which: Which) -> Errors {
        if self.which == which {
            self.errors.clone()
        } else {
            Errors::default()
        }
    }
    fn value(&self, which: Which, name: &str) -> String {
        if self.which == which {
            self.form.get(name).to_owned()
        } else {
            String::new()
        }
    }
    fn chosen(&self, which: Which, name: &str, value: &str) -> bool {
        self.which == which && self.form.all(name).iter().any(|v| v == value)
    }
    fn categories(&self) -> Vec<(&'static str, String)> {
        Category::ALL
            .iter()
            .map(|c| (c.code(), self.ctx.t(&format!("category-{}", c.code()))))
            .collect()
    }
    fn consent_forms(&self) -> Vec<(&'static str, String)> {
        ConsentForm::ALL
            .iter()
            .map(|f| (f.code(), self.ctx.t(&format!("consent-form-{}", f.code()))))
            .collect()
    }
    fn category_name(&self, code: &str) -> String {
        self.ctx.t(&format!("category-{code}"))
    }
    fn date_or_dash(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_else(|| "–".into())
    }
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    id: PersonId,
    form: FormData,
    errors: Errors,
    which: Which,
) -> Result<Response, WebError> {
    let lift_failed = match which {
        Which::Lift => form.get("block").parse().ok(),
        _ => None,
    };
    let r = state.app.person_record(&auth.actor, id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        render(&RecordPage {
            ctx,
            r,
            form,
            errors,
            which,
            lift_failed,
        }),
    )
        .into_response())
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id::<PersonId>(&id)?;
    page(
        &state,
        ctx,
        &auth,
        id,
        FormData::default(),
        Errors::default(),
        Which::None,
    )
    .await
}

/// After a change: back to the record, or the record again with the form's errors.
async fn after<T>(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    id: PersonId,
    form: FormData,
    which: Which,
    result: Result<T, AppError>,
) -> Result<Response, WebError> {
    let anchor = match which {
        Which::Note => "notes",
        Which::Consent => "consents",
        _ => "blocks",
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/persons/{id}#{anchor}")).into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            page(state, ctx, auth, id, form, errors, which).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_note(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<PersonId>(&id)?;
    let input = NoteInput {
        category: form.get("category").to_owned(),
        body: form.get("body").to_owned(),
    };
    let r = state.app.add_note(&auth.actor, id, &input).await;
    after(&state, ctx, &auth, id, form, Which::Note, r).await
}

pub async fn add_consent(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<PersonId>(&id)?;
    let input = ConsentInput {
        purpose: form.get("purpose").to_owned(),
        sharing: form.all("sharing"),
        receiving: form.all("receiving"),
        categories: form.all("categories"),
        form: form.get("form").to_owned(),
        guardian: form.get("guardian").to_owned(),
        valid_from: form.get("valid_from").to_owned(),
        valid_to: form.get("valid_to").to_owned(),
    };
    let r = state.app.record_consent(&auth.actor, id, &input).await;
    after(&state, ctx, &auth, id, form, Which::Consent, r).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path((id, cid)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = parse_id::<PersonId>(&id)?;
    let cid: ConsentId = parse_id(&cid)?;
    state.app.withdraw_consent(&auth.actor, id, cid).await?;
    Ok(Redirect::to(&format!("/persons/{id}#consents")).into_response())
}

pub async fn add_block(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<PersonId>(&id)?;
    let input = BlockInput {
        scope: form.get("scope").to_owned(),
        unit: form.get("unit").to_owned(),
        organisation: form.get("organisation").to_owned(),
        category: form.get("category").to_owned(),
        from: form.get("from").to_owned(),
        to: form.get("to").to_owned(),
        requested_by: form.get("requested_by").to_owned(),
    };
    let r = state.app.record_block(&auth.actor, id, &input).await;
    after(&state, ctx, &auth, id, form, Which::Block, r).await
}

pub async fn lift(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path((id, bid)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<PersonId>(&id)?;
    let bid: BlockId = parse_id(&bid)?;
    // The block travels with the form's values so a refusal is shown beside it.
    let mut form = form;
    form.0.push(("block".into(), bid.to_string()));
    let r = state
        .app
        .lift_block(&auth.actor, id, bid, form.flag("confirm"))
        .await;
    after(&state, ctx, &auth, id, form, Which::Lift, r).await
}

#[derive(Template)]
#[template(path = "emergency.html")]
struct EmergencyPage {
    ctx: Ctx,
    id: PersonId,
    hours: i64,
    reason: String,
    errors: Errors,
}

pub async fn emergency_form(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(_auth): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id::<PersonId>(&id)?;
    if !ctx.works_with_persons() {
        return Err(WebError::Forbidden);
    }
    Ok(render(&EmergencyPage {
        ctx,
        id,
        hours: state.app.config.emergency_access_hours,
        reason: String::new(),
        errors: Errors::default(),
    }))
}

pub async fn emergency(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<PersonId>(&id)?;
    match state
        .app
        .start_emergency_access(&auth.actor, id, form.get("reason"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/persons/{id}")).into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&EmergencyPage {
                    ctx,
                    id,
                    hours: state.app.config.emergency_access_hours,
                    reason: form.get("reason").to_owned(),
                    errors,
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
