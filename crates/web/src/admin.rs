//! Administration pages: organisations, units, programmes, users and memberships.
//! The use cases refuse anyone but administrators (403).

use crate::AppState;
use crate::context::{Ctx, FormData, SignedIn};
use crate::error::{WebError, parse_id, render};
use crate::forms::Errors;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samverka_app::AppError;
use samverka_app::admin::{
    COUNTRIES, NewUserInput, OrganisationInput, ProgrammeInput, UnitInput, UserInput,
};
use samverka_app::model::{MembershipView, Organisation, Programme, Unit, UnitChoice, User};
use samverka_core::actor::{Actor, Role};
use samverka_core::org::Sector;
use samverka_core::{MembershipId, OrganisationId, ProgrammeId, UnitId, UserId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/users") }))
        .route(
            "/admin/organisations",
            get(organisations).post(create_organisation),
        )
        .route(
            "/admin/organisations/{id}",
            get(organisation).post(update_organisation),
        )
        .route("/admin/organisations/{id}/units", post(create_unit))
        .route("/admin/units/{id}", get(unit).post(update_unit))
        .route("/admin/programmes", get(programmes).post(create_programme))
        .route("/admin/programmes/new", get(new_programme))
        .route(
            "/admin/programmes/{id}",
            get(programme).post(update_programme),
        )
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{id}", get(user).post(update_user))
        .route("/admin/users/{id}/active", post(set_active))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/memberships", post(add_membership))
        .route(
            "/admin/users/{id}/memberships/{mid}/delete",
            post(remove_membership),
        )
}

fn status_for(errors: &Errors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Runs a save; on invalid input, hands the field errors to `again` to re-render the form.
async fn save_or<T, F, Fut>(
    ctx: &Ctx,
    result: Result<T, AppError>,
    ok: impl FnOnce(T) -> String,
    again: F,
) -> Result<Response, WebError>
where
    F: FnOnce(Errors) -> Fut,
    Fut: std::future::Future<Output = Result<Response, WebError>>,
{
    match result {
        Ok(v) => Ok(Redirect::to(&ok(v)).into_response()),
        Err(AppError::Invalid(v)) => again(Errors::new(ctx, &v)).await,
        Err(e) => Err(e.into()),
    }
}

pub fn sector_choices(ctx: &Ctx) -> Vec<(&'static str, String)> {
    Sector::ALL
        .iter()
        .map(|s| (s.code(), ctx.t(&format!("sector-{}", s.code()))))
        .collect()
}

fn role_choices(ctx: &Ctx) -> Vec<(&'static str, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.code(), ctx.t(&format!("role-{}", r.code()))))
        .collect()
}

fn countries() -> Vec<&'static str> {
    COUNTRIES.to_vec()
}

// ---- organisations and units

#[derive(Template)]
#[template(path = "admin/organisations.html")]
struct OrganisationsPage {
    ctx: Ctx,
    organisations: Vec<Organisation>,
    form: FormData,
    errors: Errors,
    sectors: Vec<(&'static str, String)>,
    countries: Vec<&'static str>,
}

async fn organisations_page(
    state: &AppState,
    ctx: Ctx,
    actor: &Actor,
    form: FormData,
    errors: Errors,
) -> Result<Response, WebError> {
    let organisations = state.app.organisations(actor).await?;
    let status = status_for(&errors);
    let sectors = sector_choices(&ctx);
    Ok((
        status,
        render(&OrganisationsPage {
            ctx,
            organisations,
            form,
            errors,
            sectors,
            countries: countries(),
        }),
    )
        .into_response())
}

async fn organisations(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    organisations_page(
        &state,
        ctx,
        &auth.actor,
        FormData::default(),
        Errors::default(),
    )
    .await
}

fn organisation_input(form: &FormData) -> OrganisationInput {
    OrganisationInput {
        name: form.get("name").to_owned(),
        sector: form.get("sector").to_owned(),
        country: form.get("country").to_owned(),
        active: form.flag("active"),
    }
}

async fn create_organisation(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    form: FormData,
) -> Result<Response, WebError> {
    let r = state
        .app
        .save_organisation(&auth.actor, None, &organisation_input(&form))
        .await;
    save_or(
        &ctx,
        r,
        |id| format!("/admin/organisations/{id}"),
        |errors| organisations_page(&state, ctx.clone(), &auth.actor, form.clone(), errors),
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/organisation.html")]
struct OrganisationPage {
    ctx: Ctx,
    organisation: Organisation,
    units: Vec<Unit>,
    form: FormData,
    errors: Errors,
    unit_form: FormData,
    unit_errors: Errors,
    sectors: Vec<(&'static str, String)>,
    countries: Vec<&'static str>,
}

fn organisation_form(o: &Organisation) -> FormData {
    let mut v = vec![
        ("name".to_owned(), o.name.clone()),
        ("sector".to_owned(), o.sector.code().to_owned()),
        ("country".to_owned(), o.country.clone()),
    ];
    if o.active {
        v.push(("active".to_owned(), "on".to_owned()));
    }
    FormData(v)
}

/// Which of the organisation page's two forms came back with errors, if any.
enum Submitted {
    Nothing,
    Organisation(FormData, Errors),
    Unit(FormData, Errors),
}

async fn organisation_page(
    state: &AppState,
    ctx: Ctx,
    actor: &Actor,
    id: OrganisationId,
    submitted: Submitted,
) -> Result<Response, WebError> {
    let (form, errors, unit_form, unit_errors) = match submitted {
        Submitted::Nothing => (
            None,
            Errors::default(),
            FormData::default(),
            Errors::default(),
        ),
        Submitted::Organisation(f, e) => (Some(f), e, FormData::default(), Errors::default()),
        Submitted::Unit(f, e) => (None, Errors::default(), f, e),
    };
    let d = state.app.organisation(actor, id).await?;
    let status = if errors.is_empty() && unit_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let sectors = sector_choices(&ctx);
    let page = OrganisationPage {
        form: form.unwrap_or_else(|| organisation_form(&d.organisation)),
        ctx,
        organisation: d.organisation,
        units: d.units,
        errors,
        unit_form,
        unit_errors,
        sectors,
        countries: countries(),
    };
    Ok((status, render(&page)).into_response())
}

async fn organisation(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    organisation_page(&state, ctx, &auth.actor, parse_id(&id)?, Submitted::Nothing).await
}

async fn update_organisation(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id: OrganisationId = parse_id(&id)?;
    let r = state
        .app
        .save_organisation(&auth.actor, Some(id), &organisation_input(&form))
        .await;
    save_or(
        &ctx,
        r,
        |id| format!("/admin/organisations/{id}"),
        |errors| {
            organisation_page(
                &state,
                ctx.clone(),
                &auth.actor,
                id,
                Submitted::Organisation(form.clone(), errors),
            )
        },
    )
    .await
}

async fn create_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let org: OrganisationId = parse_id(&id)?;
    let input = UnitInput {
        name: form.get("name").to_owned(),
        active: true,
    };
    let r = state.app.save_unit(&auth.actor, org, None, &input).await;
    save_or(
        &ctx,
        r,
        |_| format!("/admin/organisations/{org}"),
        |errors| {
            organisation_page(
                &state,
                ctx.clone(),
                &auth.actor,
                org,
                Submitted::Unit(form.clone(), errors),
            )
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/unit.html")]
struct UnitPage {
    ctx: Ctx,
    unit: Unit,
    organisation: Organisation,
    form: FormData,
    errors: Errors,
}

async fn unit_page(
    state: &AppState,
    ctx: Ctx,
    actor: &Actor,
    id: UnitId,
    form: Option<FormData>,
    errors: Errors,
) -> Result<Response, WebError> {
    let (unit, organisation) = state.app.unit(actor, id).await?;
    let form = form.unwrap_or_else(|| {
        let mut v = vec![("name".to_owned(), unit.name.clone())];
        if unit.active {
            v.push(("active".to_owned(), "on".to_owned()));
        }
        FormData(v)
    });
    let status = status_for(&errors);
    Ok((
        status,
        render(&UnitPage {
            ctx,
            unit,
            organisation,
            form,
            errors,
        }),
    )
        .into_response())
}

async fn unit(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    unit_page(
        &state,
        ctx,
        &auth.actor,
        parse_id(&id)?,
        None,
        Errors::default(),
    )
    .await
}

async fn update_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id: UnitId = parse_id(&id)?;
    let (unit, _) = state.app.unit(&auth.actor, id).await?;
    let input = UnitInput {
        name: form.get("name").to_owned(),
        active: form.flag("active"),
    };
    let r = state
        .app
        .save_unit(&auth.actor, unit.organisation_id, Some(id), &input)
        .await;
    save_or(
        &ctx,
        r,
        |_| format!("/admin/organisations/{}", unit.organisation_id),
        |errors| {
            unit_page(
                &state,
                ctx.clone(),
                &auth.actor,
                id,
                Some(form.clone()),
                errors,
            )
        },
    )
    .await
}

// ---- programmes

#[derive(Template)]
#[template(path = "admin/programmes.html")]
struct ProgrammesPage {
    ctx: Ctx,
    programmes: Vec<Programme>,
}

async fn programmes(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    // The directory is readable by all; its admin list only by administrators.
    state.app.organisations(&auth.actor).await?;
    let programmes = state
        .app
        .programme_overview(&auth.actor)
        .await?
        .into_iter()
        .map(|p| p.programme)
        .collect();
    Ok(render(&ProgrammesPage { ctx, programmes }))
}

#[derive(Template)]
#[template(path = "admin/programme.html")]
struct ProgrammePage {
    ctx: Ctx,
    id: Option<ProgrammeId>,
    form: FormData,
    errors: Errors,
    organisations: Vec<Organisation>,
    countries: Vec<&'static str>,
    /// The rules file's target groups: (id, name in the reader's language).
    target_groups: Vec<(String, String)>,
}

impl ProgrammePage {
    fn checked(&self, org: &OrganisationId) -> bool {
        let s = org.to_string();
        self.form.all("organisations").contains(&s)
    }
    fn group_checked(&self, id: &str) -> bool {
        self.form.all("target_groups").iter().any(|g| g == id)
    }
}

fn programme_form(p: &Programme) -> FormData {
    let mut v = vec![
        ("name".to_owned(), p.name.clone()),
        ("description".to_owned(), p.description.clone()),
        ("country".to_owned(), p.country.clone()),
        ("starts_on".to_owned(), p.starts_on.to_string()),
        (
            "ends_on".to_owned(),
            p.ends_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ];
    if p.active {
        v.push(("active".to_owned(), "on".to_owned()));
    }
    v.extend(
        p.organisations
            .iter()
            .map(|o| ("organisations".to_owned(), o.to_string())),
    );
    v.extend(
        p.target_groups
            .iter()
            .map(|g| ("target_groups".to_owned(), g.clone())),
    );
    v.push(("catchment".to_owned(), p.catchment.join(", ")));
    FormData(v)
}

async fn programme_page(
    state: &AppState,
    ctx: Ctx,
    actor: &Actor,
    id: Option<ProgrammeId>,
    form: Option<FormData>,
    errors: Errors,
) -> Result<Response, WebError> {
    let organisations = state.app.organisations(actor).await?;
    let form = match (form, id) {
        (Some(f), _) => f,
        (None, Some(id)) => programme_form(&state.app.programme(actor, id).await?),
        (None, None) => FormData(vec![("active".into(), "on".into())]),
    };
    let status = status_for(&errors);
    Ok((
        status,
        render(&ProgrammePage {
            id,
            form,
            errors,
            target_groups: state
                .app
                .config
                .rules
                .target_groups
                .iter()
                .map(|g| (g.id.clone(), g.names.get(ctx.lang.code()).to_owned()))
                .collect(),
            ctx,
            organisations,
            countries: countries(),
        }),
    )
        .into_response())
}

fn programme_input(form: &FormData) -> ProgrammeInput {
    ProgrammeInput {
        name: form.get("name").to_owned(),
        description: form.get("description").to_owned(),
        country: form.get("country").to_owned(),
        starts_on: form.get("starts_on").to_owned(),
        ends_on: form.get("ends_on").to_owned(),
        organisations: form.all("organisations"),
        target_groups: form.all("target_groups"),
        catchment: form.get("catchment").to_owned(),
        active: form.flag("active"),
    }
}

async fn new_programme(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    programme_page(&state, ctx, &auth.actor, None, None, Errors::default()).await
}

async fn programme(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    programme_page(
        &state,
        ctx,
        &auth.actor,
        Some(parse_id(&id)?),
        None,
        Errors::default(),
    )
    .await
}

async fn create_programme(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    form: FormData,
) -> Result<Response, WebError> {
    let r = state
        .app
        .save_programme(&auth.actor, None, &programme_input(&form))
        .await;
    save_or(
        &ctx,
        r,
        |id| format!("/admin/programmes/{id}"),
        |errors| {
            programme_page(
                &state,
                ctx.clone(),
                &auth.actor,
                None,
                Some(form.clone()),
                errors,
            )
        },
    )
    .await
}

async fn update_programme(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id: ProgrammeId = parse_id(&id)?;
    let r = state
        .app
        .save_programme(&auth.actor, Some(id), &programme_input(&form))
        .await;
    save_or(
        &ctx,
        r,
        |id| format!("/admin/programmes/{id}"),
        |errors| {
            programme_page(
                &state,
                ctx.clone(),
                &auth.actor,
                Some(id),
                Some(form.clone()),
                errors,
            )
        },
    )
    .await
}

// ---- users

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: Ctx,
    users: Vec<User>,
    form: FormData,
    errors: Errors,
}

async fn users_page(
    state: &AppState,
    ctx: Ctx,
    actor: &Actor,
    form: FormData,
    errors: Errors,
) -> Result<Response, WebError> {
    let users = state.app.users(actor).await?;
    let status = status_for(&errors);
    Ok((
        status,
        render(&UsersPage {
            ctx,
            users,
            form,
            errors,
        }),
    )
        .into_response())
}

async fn users(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    users_page(
        &state,
        ctx,
        &auth.actor,
        FormData::default(),
        Errors::default(),
    )
    .await
}

async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    form: FormData,
) -> Result<Response, WebError> {
    let input = NewUserInput {
        username: form.get("username").to_owned(),
        display_name: form.get("display_name").to_owned(),
        email: form.get("email").to_owned(),
        password: form.get("password").to_owned(),
    };
    let r = state.app.create_user(&auth.actor, &input).await;
    // Never send a typed password back to the browser.
    let form = FormData(
        form.0
            .into_iter()
            .filter(|(k, _)| k != "password")
            .collect(),
    );
    save_or(
        &ctx,
        r,
        |id| format!("/admin/users/{id}"),
        |errors| users_page(&state, ctx.clone(), &auth.actor, form.clone(), errors),
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    ctx: Ctx,
    user: User,
    memberships: Vec<MembershipView>,
    form: FormData,
    errors: Errors,
    membership_errors: Errors,
    password_errors: Errors,
    units: Vec<UnitChoice>,
    roles: Vec<(&'static str, String)>,
    is_self: bool,
}

impl UserPage {
    fn role_name(&self, r: &Role) -> String {
        self.ctx.t(&format!("role-{}", r.code()))
    }
}

#[derive(Default)]
struct UserPageErrors {
    form: Option<FormData>,
    errors: Errors,
    membership: Errors,
    password: Errors,
}

/// Back to the user's page after a change, or that page again with the errors where `place`
/// puts them (the form they belong to).
async fn after_user_change<T>(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: UserId,
    result: Result<T, AppError>,
    place: impl FnOnce(Errors) -> UserPageErrors,
) -> Result<Response, WebError> {
    save_or(
        ctx,
        result,
        |_| format!("/admin/users/{id}"),
        |errors| user_page(state, ctx.clone(), actor, id, place(errors)),
    )
    .await
}

async fn user_page(
    state: &AppState,
    ctx: Ctx,
    actor: &Actor,
    id: UserId,
    e: UserPageErrors,
) -> Result<Response, WebError> {
    let d = state.app.user_detail(actor, id).await?;
    let units = state.app.unit_choices(actor).await?;
    let form = e.form.unwrap_or_else(|| {
        FormData(vec![
            ("display_name".into(), d.user.display_name.clone()),
            ("email".into(), d.user.email.clone().unwrap_or_default()),
        ])
    });
    let status = if e.errors.is_empty() && e.membership.is_empty() && e.password.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let roles = role_choices(&ctx);
    let page = UserPage {
        is_self: d.user.id == actor.user_id,
        ctx,
        user: d.user,
        memberships: d.memberships,
        form,
        errors: e.errors,
        membership_errors: e.membership,
        password_errors: e.password,
        units,
        roles,
    };
    Ok((status, render(&page)).into_response())
}

async fn user(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    user_page(
        &state,
        ctx,
        &auth.actor,
        parse_id(&id)?,
        UserPageErrors::default(),
    )
    .await
}

async fn update_user(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id: UserId = parse_id(&id)?;
    let input = UserInput {
        display_name: form.get("display_name").to_owned(),
        email: form.get("email").to_owned(),
    };
    let r = state.app.update_user(&auth.actor, id, &input).await;
    after_user_change(&state, &ctx, &auth.actor, id, r, |errors| UserPageErrors {
        form: Some(form.clone()),
        errors,
        ..Default::default()
    })
    .await
}

async fn set_active(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id: UserId = parse_id(&id)?;
    let r = state
        .app
        .set_user_active(&auth.actor, id, form.get("active") == "true")
        .await;
    after_user_change(&state, &ctx, &auth.actor, id, r, |errors| UserPageErrors {
        errors,
        ..Default::default()
    })
    .await
}

async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id: UserId = parse_id(&id)?;
    let r = state
        .app
        .reset_password(&auth.actor, id, form.get("password"))
        .await;
    after_user_change(&state, &ctx, &auth.actor, id, r, |password| {
        UserPageErrors {
            password,
            ..Default::default()
        }
    })
    .await
}

async fn add_membership(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id: UserId = parse_id(&id)?;
    let r = state
        .app
        .add_membership(&auth.actor, id, form.get("unit"), form.get("role"))
        .await;
    after_user_change(&state, &ctx, &auth.actor, id, r, |membership| {
        UserPageErrors {
            membership,
            ..Default::default()
        }
    })
    .await
}

async fn remove_membership(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path((id, mid)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id: UserId = parse_id(&id)?;
    let mid: MembershipId = parse_id(&mid)?;
    state.app.remove_membership(&auth.actor, id, mid).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}
