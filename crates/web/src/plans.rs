//! The plan of a case: `/cases/{id}/plan` (a version, its agreements, the form for the next
//! version), `/cases/{id}/plan/compare` (two versions side by side) and `/cases/{id}/plan/print`
//! (one version as a document to hand over).

use crate::AppState;
use crate::context::{Ctx, FormData, SignedIn};
use crate::error::{WebError, parse_id, render, render_form};
use crate::forms::Errors;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samverka_app::AppError;
use samverka_app::model::PlanVersionView as VersionView;
use samverka_app::plans::{BLANK_ROWS, InterventionInput, PlanInput, PlanPage};
use samverka_core::CaseId;
use samverka_core::plan::{Intervention, InterventionStatus, Party, PlanContent};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/plan", get(show).post(save))
        .route("/cases/{id}/plan/{version}/agree", post(agree))
        .route("/cases/{id}/plan/compare", get(compare))
        .route("/cases/{id}/plan/print", get(print))
}

/// Query values are read as text, so that a bad one is a page not found, not the extractor's
/// bare 400.
#[derive(Deserialize, Default)]
pub struct VersionParam {
    #[serde(default)]
    v: String,
}

/// A version number from the query: blank is none; anything but a number names no version.
fn version(v: &str) -> Result<Option<i64>, WebError> {
    match v.trim() {
        "" => Ok(None),
        v => parse_id(v).map(Some),
    }
}

/// Names and words shared by the plan pages.
struct Words<'a> {
    ctx: &'a Ctx,
    page: &'a PlanPage,
}

impl Words<'_> {
    fn org(&self, id: &samverka_core::OrganisationId) -> String {
        self.page
            .organisations
            .iter()
            .find(|o| o.id == *id)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| self.ctx.t("plan-organisation-other"))
    }
    fn status(&self, s: &InterventionStatus) -> String {
        self.ctx.t(&format!("plan-status-{}", s.code()))
    }
    fn party(&self, p: &Party) -> String {
        match p {
            Party::Person => self.ctx.t("plan-party-person"),
            Party::Organisation(o) => self.org(o),
        }
    }
    fn date(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.map(|d| self.ctx.date(&d)).unwrap_or_else(|| "–".into())
    }
    /// Each party with who recorded its agreement when, or `None` while it waits.
    fn agreements(&self, v: &VersionView) -> Vec<(Party, String, Option<String>)> {
        v.plan
            .content
            .parties(self.page.case.case.organisation_id)
            .into_iter()
            .map(|p| {
                let done = v.agreements.iter().find(|a| a.party == p).map(|a| {
                    self.ctx.ta(
                        "plan-agreed-by",
                        &[
                            ("name", a.recorded_by_name.clone()),
                            ("time", self.ctx.time(&a.recorded_at)),
                        ],
                    )
                });
                let name = self.party(&p);
                (p, name, done)
            })
            .collect()
    }
    fn agreed(&self, v: &VersionView) -> bool {
        let parties = v.plan.content.parties(self.page.case.case.organisation_id);
        let agreed: Vec<Party> = v.agreements.iter().map(|a| a.party).collect();
        samverka_core::plan::is_agreed(&parties, &agreed)
    }
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanTemplate {
    ctx: Ctx,
    p: PlanPage,
    /// The version shown (the newest by default).
    shown: Option<usize>,
    form: FormData,
    errors: Errors,
}

impl PlanTemplate {
    fn w(&self) -> Words<'_> {
        Words {
            ctx: &self.ctx,
            page: &self.p,
        }
    }
    fn version(&self) -> Option<&VersionView> {
        self.shown.and_then(|i| self.p.versions.get(i))
    }
    fn latest(&self) -> i64 {
        self.p.versions.last().map_or(0, |v| v.plan.version)
    }
    fn is_latest(&self) -> bool {
        self.version().map(|v| v.plan.version) == Some(self.latest())
    }
    fn may_agree(&self, party: &Party) -> bool {
        self.p.may_edit
            && match party {
                Party::Person => self.p.may_record_person,
                Party::Organisation(o) => *o == self.p.reader_organisation,
            }
    }
    /// The form's value: what was sent back, else the newest version's.
    fn value(&self, name: &str) -> String {
        if !self.form.0.is_empty() {
            return self.form.get(name).to_owned();
        }
        let Some(c) = self.p.versions.last().map(|v| &v.plan.content) else {
            return String::new();
        };
        match name {
            "goals" => c.goals.clone(),
            "needs" => c.needs.clone(),
            "others" => c.others.clone(),
            "responsible_organisation" => c
                .responsible_organisation
                .map(|o| o.to_string())
                .unwrap_or_default(),
            "next_follow_up" => c.next_follow_up.map(|d| d.to_string()).unwrap_or_default(),
            _ => String::new(),
        }
    }
    fn based_on(&self) -> String {
        if self.form.0.is_empty() {
            self.latest().to_string()
        } else {
            self.form.get("based_on").to_owned()
        }
    }
    /// The intervention rows of the form: the newest version's (or what was sent back) and
    /// blank ones: (row number, input).
    fn rows(&self) -> Vec<(usize, InterventionInput)> {
        let mut rows: Vec<InterventionInput> = if self.form.0.is_empty() {
            self.p
                .versions
                .last()
                .map(|v| v.plan.content.interventions.iter().map(input_of).collect())
                .unwrap_or_default()
        } else {
            interventions_of(&self.form)
                .into_iter()
                .filter(|r| !r.is_blank())
                .collect()
        };
        rows.extend((0..BLANK_ROWS).map(|_| InterventionInput::default()));
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| (i + 1, r))
            .collect()
    }
    fn statuses(&self) -> Vec<(&'static str, String)> {
        InterventionStatus::ALL
            .iter()
            .map(|s| (s.code(), self.w().status(s)))
            .collect()
    }
}

fn input_of(i: &Intervention) -> InterventionInput {
    InterventionInput {
        what: i.what.clone(),
        organisation: i.organisation.to_string(),
        responsible: i.responsible.clone(),
        starts_on: i.starts_on.map(|d| d.to_string()).unwrap_or_default(),
        ends_on: i.ends_on.map(|d| d.to_string()).unwrap_or_default(),
        status: i.status.code().to_owned(),
    }
}

/// The intervention rows of a sent form: fields `what_1`, `organisation_1`, … in row order.
fn interventions_of(form: &FormData) -> Vec<InterventionInput> {
    let mut out = Vec::new();
    for n in 1.. {
        let key = |f: &str| format!("{f}_{n}");
        if !form.0.iter().any(|(k, _)| *k == key("what")) {
            break;
        }
        out.push(InterventionInput {
            what: form.get(&key("what")).to_owned(),
            organisation: form.get(&key("organisation")).to_owned(),
            responsible: form.get(&key("responsible")).to_owned(),
            starts_on: form.get(&key("starts_on")).to_owned(),
            ends_on: form.get(&key("ends_on")).to_owned(),
            status: form.get(&key("status")).to_owned(),
        });
        if n > 200 {
            break;
        }
    }
    out
}

async fn plan_page(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    id: CaseId,
    version: Option<i64>,
    form: FormData,
    errors: Errors,
) -> Result<Response, WebError> {
    let p = state.app.plan_page(&auth.actor, id).await?;
    let shown = match version {
        Some(v) => Some(
            p.versions
                .iter()
                .position(|x| x.plan.version == v)
                .ok_or(WebError::NotFound)?,
        ),
        None => p.versions.len().checked_sub(1),
    };
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &PlanTemplate {
            ctx,
            p,
            shown,
            form,
            errors,
        },
        has_errors,
    ))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<VersionParam>,
) -> Result<Response, WebError> {
    plan_page(
        &state,
        ctx,
        &auth,
        parse_id::<CaseId>(&id)?,
        version(&q.v)?,
        FormData::default(),
        Errors::default(),
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<CaseId>(&id)?;
    let input = PlanInput {
        based_on: form.get("based_on").to_owned(),
        goals: form.get("goals").to_owned(),
        needs: form.get("needs").to_owned(),
        others: form.get("others").to_owned(),
        responsible_organisation: form.get("responsible_organisation").to_owned(),
        next_follow_up: form.get("next_follow_up").to_owned(),
        interventions: interventions_of(&form),
    };
    match state.app.save_plan(&auth.actor, id, &input).await {
        Ok(v) => Ok(Redirect::to(&format!("/cases/{id}/plan?v={v}")).into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            plan_page(&state, ctx, &auth, id, None, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn agree(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path((id, version)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<CaseId>(&id)?;
    let version: i64 = parse_id(&version)?;
    match state
        .app
        .agree_to_plan(&auth.actor, id, version, form.get("party"))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}/plan?v={version}")).into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            plan_page(
                &state,
                ctx,
                &auth,
                id,
                Some(version),
                FormData::default(),
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct CompareParams {
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
}

#[derive(Template)]
#[template(path = "plan_compare.html")]
struct CompareTemplate {
    ctx: Ctx,
    p: PlanPage,
    a: usize,
    b: usize,
}

impl CompareTemplate {
    fn w(&self) -> Words<'_> {
        Words {
            ctx: &self.ctx,
            page: &self.p,
        }
    }
    fn left(&self) -> &VersionView {
        &self.p.versions[self.a]
    }
    fn right(&self) -> &VersionView {
        &self.p.versions[self.b]
    }
    fn changed(&self, field: &str) -> bool {
        self.left()
            .plan
            .content
            .changed_fields(&self.right().plan.content)
            .contains(&field)
    }
    /// The rows of the comparison: (field, label, left text, right text).
    fn rows(&self) -> Vec<(&'static str, String, String, String)> {
        let text = |c: &PlanContent, field: &str| -> String {
            let w = self.w();
            match field {
                "goals" => c.goals.clone(),
                "needs" => c.needs.clone(),
                "interventions" => c
                    .interventions
                    .iter()
                    .map(|i| {
                        format!(
                            "{} – {}, {} ({} – {}), {}",
                            i.what,
                            w.org(&i.organisation),
                            i.responsible,
                            w.date(&i.starts_on),
                            w.date(&i.ends_on),
                            w.status(&i.status)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
                "others" => c.others.clone(),
                "responsible_organisation" => c
                    .responsible_organisation
                    .map(|o| w.org(&o))
                    .unwrap_or_else(|| "–".into()),
                _ => w.date(&c.next_follow_up),
            }
        };
        [
            "goals",
            "needs",
            "interventions",
            "others",
            "responsible_organisation",
            "next_follow_up",
        ]
        .into_iter()
        .map(|f| {
            (
                f,
                self.ctx.t(&format!("plan-{}", f.replace('_', "-"))),
                text(&self.left().plan.content, f),
                text(&self.right().plan.content, f),
            )
        })
        .collect()
    }
}

pub async fn compare(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<CompareParams>,
) -> Result<Response, WebError> {
    let p = state
        .app
        .plan_page(&auth.actor, parse_id::<CaseId>(&id)?)
        .await?;
    let n = p.versions.len();
    let find = |v: Option<i64>, default: usize| -> Result<usize, WebError> {
        match v {
            Some(v) => p
                .versions
                .iter()
                .position(|x| x.plan.version == v)
                .ok_or(WebError::NotFound),
            None => Ok(default),
        }
    };
    if n == 0 {
        return Err(WebError::NotFound);
    }
    let a = find(version(&q.a)?, n.saturating_sub(2))?;
    let b = find(version(&q.b)?, n - 1)?;
    Ok(render(&CompareTemplate { ctx, p, a, b }))
}

#[derive(Template)]
#[template(path = "plan_print.html")]
struct PrintTemplate {
    ctx: Ctx,
    p: PlanPage,
    shown: usize,
}

impl PrintTemplate {
    fn w(&self) -> Words<'_> {
        Words {
            ctx: &self.ctx,
            page: &self.p,
        }
    }
    fn version(&self) -> &VersionView {
        &self.p.versions[self.shown]
    }
}

pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<VersionParam>,
) -> Result<Response, WebError> {
    let p = state
        .app
        .plan_page(&auth.actor, parse_id::<CaseId>(&id)?)
        .await?;
    let shown = match version(&q.v)? {
        Some(v) => p.versions.iter().position(|x| x.plan.version == v),
        None => p.versions.len().checked_sub(1),
    }
    .ok_or(WebError::NotFound)?;
    Ok(render(&PrintTemplate { ctx, p, shown }))
}
