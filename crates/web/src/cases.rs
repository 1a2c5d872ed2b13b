//! Cases: the list (`/cases`), opening one (`/cases/new`, from a person's record or a worklist
//! item), the case page (`/cases/{id}`) and its status changes.

use crate::AppState;
use crate::context::{Ctx, FormData, SignedIn};
use crate::error::{WebError, parse_id, render_form};
use crate::forms::Errors;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samverka_app::AppError;
use samverka_app::cases::{CaseListQuery, CasePage, OpenCaseForm, OpenCaseInput, StatusInput};
use samverka_app::model::Invitee;
use samverka_app::model::TaskView;
use samverka_app::model::{CaseListFilter, CaseListRow, CaseScope, FlagKey, Programme};
use samverka_app::tasks::{StepInput, TaskInput};
use samverka_core::case::{CaseOutcome, CaseStatus, IncomeSource, NoteVisibility};
use samverka_core::meeting::{InvitationState, InviteeKind};
use samverka_core::rules::Rules;
use samverka_core::task::{Side, TaskStatus, check_step};
use samverka_core::{CaseId, OrganisationId, PersonId, TaskId, TeamMemberId};
use serde::Deserialize;
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list))
        .route("/cases/new", get(new_form).post(create))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/status", post(change_status))
        .route("/cases/{id}/team", post(invite))
        .route("/cases/{id}/team/{place}/remove", post(remove_member))
        .route("/cases/{id}/tasks", post(request_task))
        .route("/cases/{id}/notes", post(add_note))
        .route("/tasks", get(task_list))
        .route("/tasks/{task}/step", post(task_step))
}

/// The codes and names of every status, outcome and income source, for selects and labels.
fn status_name(ctx: &Ctx, s: CaseStatus) -> String {
    ctx.t(&format!("case-status-{}", s.code()))
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    programme: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    ctx: Ctx,
    filter: CaseListFilter,
    rows: Vec<CaseListRow>,
    programmes: Vec<Programme>,
    errors: Errors,
    rules: Arc<Rules>,
}

impl ListPage {
    fn statuses(&self) -> Vec<(&'static str, String, bool)> {
        CaseStatus::ALL
            .iter()
            .map(|s| {
                (
                    s.code(),
                    status_name(&self.ctx, *s),
                    self.filter.status == Some(*s),
                )
            })
            .collect()
    }
    fn status(&self, s: &CaseStatus) -> String {
        status_name(&self.ctx, *s)
    }
    fn organisation_scope(&self) -> bool {
        self.filter.scope == CaseScope::Organisation
    }
    fn programme_chosen(&self, p: &Programme) -> bool {
        self.filter.programme == Some(p.id)
    }
    fn target_group(&self, id: &str) -> String {
        target_group_name(&self.ctx, &self.rules, id)
    }
}

fn target_group_name(ctx: &Ctx, rules: &Rules, id: &str) -> String {
    rules
        .target_group(id)
        .map(|g| g.names.get(ctx.lang.code()).to_owned())
        .unwrap_or_else(|| id.to_owned())
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, WebError> {
    let q = CaseListQuery {
        scope: params.scope.clone(),
        status: params.status.clone(),
        programme: params.programme.clone(),
    };
    let (result, errors) = match state.app.case_list(&auth.actor, &q).await {
        Ok(r) => (r, Errors::default()),
        Err(AppError::Invalid(mut v)) => {
            // The list's scope, not a block's (the same word on the person page).
            for e in &mut v {
                if e.field == "scope" {
                    e.field = "cases_scope";
                }
            }
            let errors = Errors::new(&ctx, &v);
            let r = state
                .app
                .case_list(&auth.actor, &CaseListQuery::default())
                .await?;
            (r, errors)
        }
        Err(e) => return Err(e.into()),
    };
    let (filter, rows, programmes) = result;
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &ListPage {
            ctx,
            filter,
            rows,
            programmes,
            errors,
            rules: state.app.config.rules.clone(),
        },
        has_errors,
    ))
}

/// Who the new case is for, and the worklist item it comes from, if any.
#[derive(Deserialize, Default, Clone)]
pub struct NewParams {
    #[serde(default)]
    person: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    key: String,
}

impl NewParams {
    fn person(&self) -> Result<PersonId, WebError> {
        parse_id(&self.person)
    }
    fn item(&self) -> Result<Option<FlagKey>, WebError> {
        if self.rule.is_empty() {
            return Ok(None);
        }
        Ok(Some(FlagKey {
            person_id: self.person()?,
            organisation_id: parse_id(&self.organisation)?,
            rule_id: self.rule.clone(),
            key_on: parse_id(&self.key)?,
        }))
    }
    fn query(&self) -> String {
        let mut q = format!("person={}", self.person);
        if !self.rule.is_empty() {
            q.push_str(&format!(
                "&organisation={}&rule={}&key={}",
                self.organisation, self.rule, self.key
            ));
        }
        q
    }
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    ctx: Ctx,
    params: NewParams,
    f: OpenCaseForm,
    form: FormData,
    errors: Errors,
    rules: Arc<Rules>,
}

impl NewPage {
    fn programme_chosen(&self, p: &Programme) -> bool {
        self.form.get("programme") == p.id.to_string() || self.f.programmes.len() == 1
    }
    /// Every target group of the programmes offered: (id, name, chosen).
    fn target_groups(&self) -> Vec<(String, String, bool)> {
        let chosen = match self.form.get("target_group") {
            "" => self.f.target_group.clone().unwrap_or_default(),
            g => g.to_owned(),
        };
        let mut ids: Vec<String> = Vec::new();
        for p in &self.f.programmes {
            for g in &p.target_groups {
                if !ids.contains(g) {
                    ids.push(g.clone());
                }
            }
        }
        ids.into_iter()
            .map(|id| {
                let name = target_group_name(&self.ctx, &self.rules, &id);
                let sel = id == chosen;
                (id, name, sel)
            })
            .collect()
    }
    /// Coordinators as `<user>:<unit>` values: (value, label, chosen). The signed-in user first.
    fn coordinators(&self) -> Vec<(String, String, bool)> {
        let chosen = self.form.get("coordinator");
        self.f
            .coordinators
            .iter()
            .map(|(u, name, unit, unit_name)| {
                let v = format!("{u}:{unit}");
                let sel = if chosen.is_empty() {
                    self.ctx
                        .auth
                        .as_ref()
                        .is_some_and(|a| a.actor.user_id == *u)
                } else {
                    v == chosen
                };
                (v, format!("{name} ({unit_name})"), sel)
            })
            .collect()
    }
}

async fn new_page(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    params: NewParams,
    form: FormData,
    errors: Errors,
) -> Result<Response, WebError> {
    let item = params.item()?;
    let f = state
        .app
        .open_case_form(&auth.actor, params.person()?, item.as_ref())
        .await?;
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &NewPage {
            ctx,
            params,
            f,
            form,
            errors,
            rules: state.app.config.rules.clone(),
        },
        has_errors,
    ))
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(params): Query<NewParams>,
) -> Result<Response, WebError> {
    new_page(
        &state,
        ctx,
        &auth,
        params,
        FormData::default(),
        Errors::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(params): Query<NewParams>,
    form: FormData,
) -> Result<Response, WebError> {
    let input = OpenCaseInput {
        programme: form.get("programme").to_owned(),
        target_group: form.get("target_group").to_owned(),
        coordinator: form.get("coordinator").to_owned(),
    };
    let item = params.item()?;
    match state
        .app
        .open_case(&auth.actor, params.person()?, item.as_ref(), &input)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            new_page(&state, ctx, &auth, params, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CaseTemplate {
    ctx: Ctx,
    c: CasePage,
    form: FormData,
    errors: Errors,
    rules: Arc<Rules>,
}

impl CaseTemplate {
    fn status(&self, s: &CaseStatus) -> String {
        status_name(&self.ctx, *s)
    }
    fn outcome(&self, o: &CaseOutcome) -> String {
        self.ctx.t(&format!("case-outcome-{}", o.code()))
    }
    fn income(&self, i: &IncomeSource) -> String {
        self.ctx.t(&format!("case-income-{}", i.code()))
    }
    fn target_group(&self, id: &str) -> String {
        target_group_name(&self.ctx, &self.rules, id)
    }
    /// Statuses the case may move to: (code, name, chosen).
    fn next_statuses(&self) -> Vec<(&'static str, String, bool)> {
        let Some(d) = &self.c.details else {
            return Vec::new();
        };
        let chosen = self.form.get("status");
        CaseStatus::ALL
            .iter()
            .filter(|s| **s != d.view.case.status)
            .map(|s| (s.code(), status_name(&self.ctx, *s), chosen == s.code()))
            .collect()
    }
    fn outcomes(&self) -> Vec<(&'static str, String, bool)> {
        let chosen = self.form.get("outcome");
        CaseOutcome::ALL
            .iter()
            .map(|o| (o.code(), self.outcome(o), chosen == o.code()))
            .collect()
    }
    fn incomes(&self) -> Vec<(&'static str, String, bool)> {
        let chosen = self.form.get("income");
        IncomeSource::ALL
            .iter()
            .map(|i| (i.code(), self.income(i), chosen == i.code()))
            .collect()
    }
    /// Whom the invitation form offers: each unit as a whole, then each person in it, as
    /// (value, label, chosen).
    fn invitable(&self) -> Vec<(String, String, bool)> {
        let Some(d) = &self.c.details else {
            return Vec::new();
        };
        let chosen = self.form.get("member");
        let mut out: Vec<(String, String, bool)> = Vec::new();
        for (user, name, unit, unit_name, org_name) in &d.invitable {
            let whole = format!("unit:{unit}");
            if !out.iter().any(|(v, ..)| *v == whole) {
                let label = self.ctx.ta(
                    "case-team-whole-unit",
                    &[
                        ("unit", unit_name.clone()),
                        ("organisation", org_name.clone()),
                    ],
                );
                out.push((whole.clone(), label, chosen == whole));
            }
            let v = format!("user:{user}:{unit}");
            let sel = chosen == v;
            out.push((v, format!("{name} ({unit_name}, {org_name})"), sel));
        }
        out
    }
    fn task_status(&self, s: &TaskStatus) -> String {
        task_status_name(&self.ctx, *s)
    }
    fn overdue(&self, t: &TaskView) -> bool {
        t.task.status.is_overdue(t.task.due_on, self.ctx.today())
    }
    fn actions(&self, t: &TaskView) -> Vec<(&'static str, String, bool)> {
        task_actions(&self.ctx, t)
    }
    fn end_time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&self.ctx.tz).format("%H:%M").to_string()
    }
    fn invitee_kind_key(&self, k: &InviteeKind) -> String {
        format!("meeting-invitee-{}", k.code())
    }
    fn invitation_key(&self, s: &InvitationState) -> String {
        format!("meeting-state-{}", s.code())
    }
    /// Whether the reader answers this invitation: their own, or (a coordinator of the case's
    /// organisation) the person's, a relative's or the interpreter's.
    fn may_answer(&self, i: &Invitee) -> bool {
        let me = self.ctx.auth.as_ref().map(|a| a.actor.user_id);
        match i.user_id {
            Some(u) => Some(u) == me,
            None => self.c.details.as_ref().is_some_and(|d| d.may_change),
        }
    }
    fn answers(&self) -> Vec<(&'static str, String)> {
        [InvitationState::Accepted, InvitationState::Declined]
            .into_iter()
            .map(|s| {
                (
                    s.code(),
                    self.ctx.t(&format!("meeting-answer-{}", s.code())),
                )
            })
            .collect()
    }
    fn visibilities(&self) -> Vec<(&'static str, String, bool)> {
        let chosen = match self.form.get("visibility") {
            "" => "team",
            v => v,
        };
        NoteVisibility::ALL
            .iter()
            .map(|v| {
                (
                    v.code(),
                    self.ctx.t(&format!("case-note-visibility-{}", v.code())),
                    chosen == v.code(),
                )
            })
            .collect()
    }
    fn visibility(&self, v: &NoteVisibility) -> String {
        self.ctx.t(&format!("case-note-visibility-{}", v.code()))
    }
    fn decision_rows(&self) -> std::ops::RangeInclusive<usize> {
        1..=crate::meetings::DECISION_ROWS
    }
    fn categories(&self, c: &samverka_core::consent::Consent) -> String {
        c.categories
            .iter()
            .map(|x| self.ctx.t(&format!("category-{}", x.code())))
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn consent_state(&self, c: &samverka_core::consent::Consent) -> String {
        let now = chrono::Utc::now();
        let today = now.with_timezone(&self.ctx.tz).date_naive();
        self.ctx
            .t(&format!("consent-state-{}", c.state(today, now).code()))
    }
}

pub(crate) async fn case_page(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    id: CaseId,
    form: FormData,
    errors: Errors,
) -> Result<Response, WebError> {
    let c = state.app.case_page(&auth.actor, id).await?;
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &CaseTemplate {
            ctx,
            c,
            form,
            errors,
            rules: state.app.config.rules.clone(),
        },
        has_errors,
    ))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    case_page(
        &state,
        ctx,
        &auth,
        parse_id::<CaseId>(&id)?,
        FormData::default(),
        Errors::default(),
    )
    .await
}

/// After a change on a case: back to its page at `anchor` (`""` for the top), or the page again
/// with the form's errors beside their fields.
pub(crate) async fn after_change<T>(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    id: CaseId,
    anchor: &str,
    form: FormData,
    result: Result<T, AppError>,
) -> Result<Response, WebError> {
    after_change_with(state, ctx, auth, (id, anchor), form, result, |e| e).await
}

/// [`after_change`], with the errors adjusted before the page shows them (`adjust`: for a form
/// repeated on the page, to name the one that was sent).
pub(crate) async fn after_change_with<T>(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    (id, anchor): (CaseId, &str),
    form: FormData,
    result: Result<T, AppError>,
    adjust: impl FnOnce(Errors) -> Errors,
) -> Result<Response, WebError> {
    match result {
        Ok(_) if anchor.is_empty() => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#{anchor}")).into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = adjust(Errors::new(&ctx, &v));
            case_page(state, ctx, auth, id, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<CaseId>(&id)?;
    let input = StatusInput {
        status: form.get("status").to_owned(),
        outcome: form.get("outcome").to_owned(),
        income: form.get("income").to_owned(),
        version: form.get("version").to_owned(),
    };
    let result = state.app.change_case_status(&auth.actor, id, &input).await;
    after_change(&state, ctx, &auth, id, "", form, result).await
}

pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<CaseId>(&id)?;
    let r = state
        .app
        .invite_to_case_team(&auth.actor, id, form.get("member"))
        .await;
    after_change(&state, ctx, &auth, id, "team", form, r).await
}

pub async fn remove_member(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path((id, place)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<CaseId>(&id)?;
    let place: TeamMemberId = parse_id(&place)?;
    let result = state
        .app
        .remove_from_case_team(&auth.actor, id, place)
        .await;
    after_change(&state, ctx, &auth, id, "team", form, result).await
}

fn task_status_name(ctx: &Ctx, s: TaskStatus) -> String {
    ctx.t(&format!("task-status-{}", s.code()))
}

/// The steps the signed-in user's organisations may take on a task: (status, button label,
/// needs a reason).
fn task_actions(ctx: &Ctx, t: &TaskView) -> Vec<(&'static str, String, bool)> {
    let orgs: Vec<OrganisationId> = ctx
        .auth
        .as_ref()
        .map(|a| {
            a.actor
                .memberships
                .iter()
                .map(|m| m.organisation_id)
                .collect()
        })
        .unwrap_or_default();
    let mut sides = Vec::new();
    if orgs.contains(&t.task.receiving_organisation) {
        sides.push(Side::Receiver);
    }
    if orgs.contains(&t.task.requesting_organisation) {
        sides.push(Side::Requester);
    }
    TaskStatus::ALL
        .iter()
        .filter(|to| {
            sides
                .iter()
                .any(|side| check_step(t.task.status, **to, *side, Some("-")).is_ok())
        })
        .map(|to| {
            (
                to.code(),
                ctx.t(&format!("task-do-{}", to.code())),
                *to == TaskStatus::Declined,
            )
        })
        .collect()
}

pub async fn request_task(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<CaseId>(&id)?;
    let input = TaskInput {
        receiving: form.get("receiving").to_owned(),
        what: form.get("what").to_owned(),
        due_on: form.get("due_on").to_owned(),
    };
    let result = state.app.request_task(&auth.actor, id, &input).await;
    after_change(&state, ctx, &auth, id, "tasks", form, result).await
}

#[derive(Deserialize, Default)]
pub struct TaskParams {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    all: String,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    ctx: Ctx,
    organisation: bool,
    all: bool,
    tasks: Vec<TaskView>,
    errors: Errors,
}

impl TasksPage {
    fn task_status(&self, s: &TaskStatus) -> String {
        task_status_name(&self.ctx, *s)
    }
    fn overdue(&self, t: &TaskView) -> bool {
        t.task.status.is_overdue(t.task.due_on, self.ctx.today())
    }
    fn actions(&self, t: &TaskView) -> Vec<(&'static str, String, bool)> {
        task_actions(&self.ctx, t)
    }
}

async fn tasks_page(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    params: &TaskParams,
    errors: Errors,
) -> Result<Response, WebError> {
    let organisation = params.scope == "organisation";
    let all = params.all == "1" || !errors.is_empty();
    let tasks = state.app.task_list(&auth.actor, organisation, all).await?;
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &TasksPage {
            ctx,
            organisation,
            all,
            tasks,
            errors,
        },
        has_errors,
    ))
}

pub async fn task_list(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(params): Query<TaskParams>,
) -> Result<Response, WebError> {
    tasks_page(&state, ctx, &auth, &params, Errors::default()).await
}

pub async fn task_step(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(task): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let task: TaskId = parse_id(&task)?;
    let input = StepInput {
        to: form.get("to").to_owned(),
        reason: form.get("reason").to_owned(),
        version: form.get("version").to_owned(),
    };
    match state.app.task_step(&auth.actor, task, &input).await {
        Ok(case) => {
            // Back where the step was taken: the task list, or the case.
            let next = form.get("next");
            let to = if next.starts_with("/tasks") {
                next.to_owned()
            } else {
                format!("/cases/{case}#tasks")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(AppError::Invalid(mut v)) => {
            // A step that is not possible (any more) is about the task, not a field of the
            // form: shown in the task's row, without a field's label.
            for e in &mut v {
                if e.field == "to" {
                    e.field = "step";
                }
            }
            let errors = Errors::new(&ctx, &v)
                .renamed("reason", &format!("reason-{task}"))
                .renamed("step", &format!("step-{task}"));
            tasks_page(&state, ctx, &auth, &TaskParams::default(), errors).await
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
    let id = parse_id::<CaseId>(&id)?;
    let result = state
        .app
        .add_case_note(&auth.actor, id, form.get("visibility"), form.get("body"))
        .await;
    after_change(&state, ctx, &auth, id, "notes", form, result).await
}
