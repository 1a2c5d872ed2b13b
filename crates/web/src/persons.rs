//! Finding, reading and registering persons.

use crate::AppState;
use crate::context::{Ctx, FormData, SignedIn};
use crate::error::{WebError, render};
use crate::forms::Errors;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samverka_app::AppError;
use samverka_app::persons::{PersonInput, SearchResult};
use samverka_core::national_id::NationalIdKind;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "persons.html")]
struct SearchPage {
    ctx: Ctx,
    q: String,
    result: Option<SearchResult>,
    errors: Errors,
}

pub fn kind_key(k: NationalIdKind) -> &'static str {
    match k {
        NationalIdKind::Personnummer => "id-kind-personnummer",
        NationalIdKind::Samordningsnummer => "id-kind-samordningsnummer",
        NationalIdKind::Cpr => "id-kind-cpr",
        NationalIdKind::Reserve => "id-kind-reserve",
    }
}

pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    match state.app.search_persons(&auth.actor, &q.q).await {
        Ok(r) => {
            let result = if q.q.trim().is_empty() { None } else { Some(r) };
            Ok(render(&SearchPage {
                ctx,
                q: q.q,
                result,
                errors: Errors::default(),
            }))
        }
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&SearchPage {
                    ctx,
                    q: q.q,
                    result: None,
                    errors,
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "person_new.html")]
struct NewPersonPage {
    ctx: Ctx,
    form: FormData,
    errors: Errors,
    default_scheme: &'static str,
}

impl NewPersonPage {
    fn schemes(&self) -> Vec<(&'static str, String, bool)> {
        let chosen = match self.form.get("id_scheme") {
            "" => self.default_scheme,
            s => s,
        };
        ["swedish", "danish", "reserve"]
            .into_iter()
            .map(|s| (s, self.ctx.t(&format!("id-scheme-{s}")), s == chosen))
            .collect()
    }
}

fn scheme_code(s: samverka_core::national_id::Scheme) -> &'static str {
    match s {
        samverka_core::national_id::Scheme::Swedish => "swedish",
        samverka_core::national_id::Scheme::Danish => "danish",
        samverka_core::national_id::Scheme::Reserve => "reserve",
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    if !ctx.works_with_persons() {
        // Ask the policy anyway so that the refusal is logged like any other.
        state.app.search_persons(&auth.actor, "").await?;
        return Err(WebError::Forbidden);
    }
    let default_scheme = scheme_code(state.app.config.default_id_scheme);
    Ok(render(&NewPersonPage {
        ctx,
        form: FormData::default(),
        errors: Errors::default(),
        default_scheme,
    }))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    form: FormData,
) -> Result<Response, WebError> {
    let input = PersonInput {
        id_scheme: form.get("id_scheme").to_owned(),
        national_id: form.get("national_id").to_owned(),
        given_name: form.get("given_name").to_owned(),
        family_name: form.get("family_name").to_owned(),
        sex: form.get("sex").to_owned(),
        street: form.get("street").to_owned(),
        postal_code: form.get("postal_code").to_owned(),
        city: form.get("city").to_owned(),
        phone: form.get("phone").to_owned(),
        preferred_language: form.get("preferred_language").to_owned(),
        interpreter_needed: form.flag("interpreter_needed"),
        protected_identity: form.flag("protected_identity"),
    };
    match state.app.register_person(&auth.actor, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/persons/{id}")).into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            let default_scheme = scheme_code(state.app.config.default_id_scheme);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&NewPersonPage {
                    ctx,
                    form,
                    errors,
                    default_scheme,
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
