//! Early identification pages: signal imports (administrators) and the worklist (coordinators).

use crate::AppState;
use crate::context::{Ctx, FormData, SignedIn};
use crate::error::{WebError, render};
use crate::forms::Errors;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use samverka_app::AppError;
use samverka_app::model::{
    FlagKey, Import, ImportStatus, Outcome, OutcomeKind, ReportLine, Status,
};
use samverka_app::worklist::{CHANNELS, OutcomeInput, WorklistFilter, WorklistItem, WorklistPage};
use samverka_core::rules::{Rule, Rules, fill};
use samverka_core::signal::{self as signal, SignalKind};
use samverka_core::{OrganisationId, PersonId, ProgrammeId, UnitId};
use serde::Deserialize;
use std::collections::HashMap;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// Largest signal file accepted through the upload page.
const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/imports",
            get(imports_page)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/imports/{id}", get(import_page))
        .route("/worklist", get(worklist))
        .route("/worklist/item", get(item_page))
        .route("/worklist/item/contact", post(record_contact))
        .route("/worklist/item/dismiss", post(dismiss))
}

// ---------------------------------------------------------------------------------------------
// Imports

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    ctx: Ctx,
    imports: Vec<Import>,
    organisations: Vec<(OrganisationId, String)>,
    errors: Errors,
}

impl ImportsPage {
    fn kinds(&self) -> Vec<(&'static str, String, String)> {
        SignalKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code(),
                    self.ctx
                        .t(&format!("signal-kind-{}", k.code().replace('_', "-"))),
                    signal::header_line(*k),
                )
            })
            .collect()
    }
}

/// The administrator's organisations (those they may import for).
fn admin_organisations(
    ctx: &Ctx,
    names: &HashMap<OrganisationId, String>,
) -> Vec<(OrganisationId, String)> {
    let mut v: Vec<(OrganisationId, String)> = ctx
        .auth
        .iter()
        .flat_map(|a| a.actor.memberships.iter())
        .filter(|m| m.role == samverka_core::actor::Role::Administrator)
        .map(|m| {
            (
                m.organisation_id,
                names.get(&m.organisation_id).cloned().unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

async fn organisation_names(
    state: &AppState,
    ctx: &Ctx,
) -> Result<HashMap<OrganisationId, String>, WebError> {
    let Some(auth) = &ctx.auth else {
        return Ok(HashMap::new());
    };
    Ok(state
        .app
        .organisation_directory(&auth.actor)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

async fn imports_page(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    let imports = state.app.imports(&auth.actor).await?;
    let names = organisation_names(&state, &ctx).await?;
    Ok(render(&ImportsPage {
        organisations: admin_organisations(&ctx, &names),
        ctx,
        imports,
        errors: Errors::default(),
    }))
}

/// Receives an upload: streams the file to a temporary file, reads its header (a bad header is
/// shown on the form at once), then imports the rows in the background while the import's page
/// shows the progress.
async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let mut organisation: Option<OrganisationId> = None;
    let mut kind: Option<SignalKind> = None;
    let mut saved: Option<(std::path::PathBuf, String, i64)> = None;
    let bad = |_| WebError::BadRequest("error-form-unreadable");
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("organisation") => {
                let v = field.text().await.map_err(bad)?;
                organisation = v.parse().ok();
            }
            Some("kind") => {
                let v = field.text().await.map_err(bad)?;
                kind = v.parse().ok();
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").to_owned();
                let path = std::env::temp_dir().join(format!("samverka-upload-{}", Uuid::now_v7()));
                let mut file = tokio::fs::File::create(&path)
                    .await
                    .map_err(|e| WebError::Internal(format!("upload file: {e}")))?;
                let mut size: i64 = 0;
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    size += chunk.len() as i64;
                    file.write_all(&chunk)
                        .await
                        .map_err(|e| WebError::Internal(format!("upload file: {e}")))?;
                }
                file.flush()
                    .await
                    .map_err(|e| WebError::Internal(format!("upload file: {e}")))?;
                saved = Some((path, name, size));
            }
            _ => {}
        }
    }
    let Some((path, name, size)) = saved.filter(|(_, _, size)| *size > 0) else {
        return invalid_upload(
            &state,
            ctx,
            &auth,
            &[samverka_app::FieldError::new("file", "import-no-file")],
        )
        .await;
    };
    let file =
        std::fs::File::open(&path).map_err(|e| WebError::Internal(format!("upload file: {e}")))?;
    let opened = state
        .app
        .open_import(
            &auth.actor,
            organisation,
            &name,
            kind,
            Some(size),
            std::io::BufReader::with_capacity(1 << 20, file),
        )
        .await;
    let open = match opened {
        Ok(o) => o,
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            return match e {
                AppError::Invalid(v) => invalid_upload(&state, ctx, &auth, &v).await,
                e => Err(e.into()),
            };
        }
    };
    let id = open.import.id;
    let app = state.app.clone();
    tokio::spawn(async move {
        if let Err(e) = app.run_import(open).await {
            tracing::warn!(error = %e, "signal import failed");
        }
        let _ = std::fs::remove_file(&path);
    });
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

async fn invalid_upload(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    problems: &[samverka_app::FieldError],
) -> Result<Response, WebError> {
    let errors = Errors::new(&ctx, problems);
    let imports = state.app.imports(&auth.actor).await?;
    let names = organisation_names(state, &ctx).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&ImportsPage {
            organisations: admin_organisations(&ctx, &names),
            ctx,
            imports,
            errors,
        }),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: Ctx,
    import: Import,
    lines: Vec<ReportLine>,
}

impl ImportPage {
    fn running(&self) -> bool {
        self.import.status == ImportStatus::Running
    }
    /// Progress in per mille of the file read, when its size is known.
    fn progress(&self) -> Option<(i64, i64)> {
        self.import
            .bytes_total
            .filter(|t| *t > 0)
            .map(|t| (self.import.bytes_read.min(t), t))
    }
    fn percent(&self) -> i64 {
        self.progress().map_or(0, |(r, t)| r * 100 / t)
    }
    fn status_name(&self) -> String {
        self.ctx
            .t(&format!("import-status-{}", self.import.status.code()))
    }
    fn kind_name(&self) -> String {
        self.ctx.t(&format!(
            "signal-kind-{}",
            self.import.kind.code().replace('_', "-")
        ))
    }
    /// A report line's problem in the reader's language.
    fn message(&self, l: &ReportLine) -> String {
        let args: Vec<(String, String)> = serde_json::from_str::<HashMap<String, String>>(&l.args)
            .map(|m| m.into_iter().collect())
            .unwrap_or_default();
        let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let text = self.ctx.ta(&l.code, &args);
        if text == l.code {
            l.message.clone()
        } else {
            text
        }
    }
}

async fn import_page(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let (import, lines) = state.app.import_report(&auth.actor, id).await?;
    Ok(render(&ImportPage { ctx, import, lines }))
}

// ---------------------------------------------------------------------------------------------
// Worklist

#[derive(Deserialize, Default, Clone)]
pub struct WorklistParams {
    #[serde(default)]
    programme: String,
    #[serde(default)]
    target_group: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    per_page: String,
}

/// The page sizes the worklist offers; the first is the default.
const PAGE_SIZES: [i64; 4] = [100, 50, 200, 500];

impl WorklistParams {
    fn filter(&self) -> WorklistFilter {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        WorklistFilter {
            programme: self.programme.parse::<ProgrammeId>().ok(),
            target_group: some(&self.target_group),
            rule: some(&self.rule),
            unit: self.unit.parse::<UnitId>().ok(),
            status: self.status.parse::<Status>().unwrap_or_default(),
            page: self.page.parse().unwrap_or(0),
            page_size: self
                .per_page
                .parse()
                .ok()
                .filter(|n| PAGE_SIZES.contains(n)),
        }
    }
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistView {
    ctx: Ctx,
    page: WorklistPage,
    rules: std::sync::Arc<Rules>,
}

/// Replaces each placeholder of a rule's explanation with the item's facts, dates in words.
pub fn explain(ctx: &Ctx, rule: &Rule, item: &WorklistItem) -> String {
    let f = &item.row.flag;
    let date = |d: Option<NaiveDate>| d.map(|d| ctx.date(&d)).unwrap_or_default();
    fill(rule.explanation.get(ctx.lang.code()), |name| match name {
        "start" | "since" | "admitted" | "taken" => date(Some(f.start_on)),
        "latest" | "discharged" => date(f.other_on),
        "day" => item.day.to_string(),
        "extent" | "count" | "days_between" | "score" => f.value.to_string(),
        "diagnosis" => f.code.to_uppercase(),
        "instrument" => f.code.to_uppercase(),
        "milestone" => date(Some(f.due_on)),
        other => format!("{{{other}}}"),
    })
}

impl WorklistView {
    fn explanation(&self, item: &WorklistItem) -> String {
        match self.rules.rule(&item.row.flag.key.rule_id) {
            Some(rule) => explain(&self.ctx, rule, item),
            None => item.row.flag.key.rule_id.clone(),
        }
    }
    fn group_name(&self, id: &str) -> String {
        self.rules
            .target_group(id)
            .map(|g| g.names.get(self.ctx.lang.code()).to_owned())
            .unwrap_or_else(|| id.to_owned())
    }
    fn target_groups(&self) -> Vec<(String, String)> {
        self.page
            .programme
            .iter()
            .flat_map(|p| p.target_groups.iter())
            .map(|g| (g.clone(), self.group_name(g)))
            .collect()
    }
    fn rule_choices(&self) -> Vec<(String, String)> {
        let groups: Vec<String> = self
            .page
            .programme
            .iter()
            .flat_map(|p| p.target_groups.iter().cloned())
            .collect();
        self.rules
            .rules
            .iter()
            .filter(|r| groups.contains(&r.target_group))
            .map(|r| (r.id.clone(), r.name_in(self.ctx.lang.code()).to_owned()))
            .collect()
    }
    fn rule_name(&self, id: &str) -> String {
        self.rules.rule(id).map_or_else(
            || id.to_owned(),
            |r| r.name_in(self.ctx.lang.code()).to_owned(),
        )
    }
    /// (code, name, selected)
    fn statuses(&self) -> Vec<(&'static str, String, bool)> {
        [
            Status::Open,
            Status::Contacted,
            Status::Dismissed,
            Status::All,
        ]
        .iter()
        .map(|s| {
            (
                s.code(),
                self.ctx.t(&format!("worklist-status-{}", s.code())),
                *s == self.page.filter.status,
            )
        })
        .collect()
    }
    fn programme_id(&self) -> String {
        self.page
            .programme
            .as_ref()
            .map(|p| p.id.to_string())
            .unwrap_or_default()
    }
    fn selected_group(&self) -> String {
        self.page.filter.target_group.clone().unwrap_or_default()
    }
    fn selected_rule(&self) -> String {
        self.page.filter.rule.clone().unwrap_or_default()
    }
    fn selected_unit(&self) -> String {
        self.page
            .filter
            .unit
            .map(|u| u.to_string())
            .unwrap_or_default()
    }
    fn due_words(&self, item: &WorklistItem) -> String {
        due_words(&self.ctx, item.days_left)
    }
    fn outcome_words(&self, item: &WorklistItem) -> String {
        outcome_words(&self.ctx, item.row.outcome.as_ref())
    }
    fn item_link(&self, item: &WorklistItem) -> String {
        item_link(&item.row.flag.key, "")
    }
    /// The same filter on another page.
    fn page_link(&self, page: u32) -> String {
        let f = &self.page.filter;
        let mut q = vec![format!("programme={}", self.programme_id())];
        if let Some(g) = &f.target_group {
            q.push(format!("target_group={g}"));
        }
        if let Some(r) = &f.rule {
            q.push(format!("rule={r}"));
        }
        if let Some(u) = f.unit {
            q.push(format!("unit={u}"));
        }
        q.push(format!("status={}", f.status.code()));
        if let Some(n) = f.page_size {
            q.push(format!("per_page={n}"));
        }
        q.push(format!("page={page}"));
        format!("/worklist?{}", q.join("&"))
    }
    fn page_sizes(&self) -> Vec<(i64, bool)> {
        let current = self.page.filter.page_size.unwrap_or(PAGE_SIZES[0]);
        let mut sizes = PAGE_SIZES.to_vec();
        sizes.sort();
        sizes.into_iter().map(|n| (n, n == current)).collect()
    }
    fn next_page(&self) -> u32 {
        self.page.filter.page + 1
    }
    fn previous_page(&self) -> u32 {
        self.page.filter.page.saturating_sub(1)
    }
}

fn outcome_words(ctx: &Ctx, outcome: Option<&Outcome>) -> String {
    match outcome {
        None => ctx.t("worklist-no-contact-yet"),
        Some(o) => match &o.kind {
            OutcomeKind::Contact { on, channel } => ctx.ta(
                "worklist-contacted",
                &[
                    ("date", ctx.date(on)),
                    (
                        "channel",
                        ctx.t(&format!("contact-channel-{}", channel.replace('_', "-"))),
                    ),
                    ("name", o.recorded_by_name.clone()),
                ],
            ),
            OutcomeKind::Dismissal { reason } => ctx.ta(
                "worklist-dismissed",
                &[
                    ("reason", reason.clone()),
                    ("name", o.recorded_by_name.clone()),
                ],
            ),
        },
    }
}

/// An item's page, or (with `action` "/contact" or "/dismiss") where its forms post.
fn item_link(k: &FlagKey, action: &str) -> String {
    format!(
        "/worklist/item{action}?person={}&organisation={}&rule={}&key={}",
        k.person_id, k.organisation_id, k.rule_id, k.key_on
    )
}

/// Days left, due today, or days overdue, in words.
fn due_words(ctx: &Ctx, days_left: i64) -> String {
    if days_left < 0 {
        ctx.ta("worklist-overdue", &[("days", (-days_left).to_string())])
    } else if days_left == 0 {
        ctx.t("worklist-due-today")
    } else {
        ctx.ta("worklist-days-left", &[("days", days_left.to_string())])
    }
}

async fn worklist(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(params): Query<WorklistParams>,
) -> Result<Response, WebError> {
    let page = state.app.worklist(&auth.actor, params.filter()).await?;
    Ok(render(&WorklistView {
        ctx,
        page,
        rules: state.app.config.rules.clone(),
    }))
}

#[derive(Deserialize, Default, Clone)]
pub struct ItemParams {
    #[serde(default)]
    person: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    key: String,
}

impl ItemParams {
    fn key(&self) -> Option<FlagKey> {
        Some(FlagKey {
            person_id: self.person.parse::<PersonId>().ok()?,
            organisation_id: self.organisation.parse::<OrganisationId>().ok()?,
            rule_id: self.rule.clone(),
            key_on: self.key.parse().ok()?,
        })
    }
}

#[derive(Template)]
#[template(path = "worklist_item.html")]
struct ItemPage {
    ctx: Ctx,
    item: WorklistItem,
    explanation: String,
    rule_name: String,
    errors: Errors,
    contacted_on: String,
    channel: String,
    reason: String,
}

impl ItemPage {
    /// (code, name, selected)
    fn channels(&self) -> Vec<(&'static str, String, bool)> {
        CHANNELS
            .iter()
            .map(|c| {
                (
                    *c,
                    self.ctx
                        .t(&format!("contact-channel-{}", c.replace('_', "-"))),
                    *c == self.channel,
                )
            })
            .collect()
    }
    fn outcome_words(&self) -> String {
        outcome_words(&self.ctx, self.item.row.outcome.as_ref())
    }
    fn action(&self, what: &str) -> String {
        item_link(&self.item.row.flag.key, &format!("/{what}"))
    }
    fn due_words(&self) -> String {
        due_words(&self.ctx, self.item.days_left)
    }
}

async fn item_view(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    key: &FlagKey,
    errors: Errors,
    form: Option<&FormData>,
) -> Result<ItemPage, WebError> {
    let item = state.app.worklist_item(&auth.actor, key).await?;
    let rules = state.app.config.rules.clone();
    let (explanation, rule_name) = match rules.rule(&key.rule_id) {
        Some(r) => (
            explain(&ctx, r, &item),
            r.name_in(ctx.lang.code()).to_owned(),
        ),
        None => (key.rule_id.clone(), key.rule_id.clone()),
    };
    let get = |n: &str| form.map(|f| f.get(n).to_owned()).unwrap_or_default();
    let contacted_on = form
        .map(|f| f.get("contacted_on").to_owned())
        .unwrap_or_else(|| state.app.today().to_string());
    Ok(ItemPage {
        ctx,
        item,
        explanation,
        rule_name,
        errors,
        contacted_on,
        channel: get("channel"),
        reason: get("reason"),
    })
}

async fn item_page(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(params): Query<ItemParams>,
) -> Result<Response, WebError> {
    let key = params.key().ok_or(WebError::NotFound)?;
    Ok(render(
        &item_view(&state, ctx, &auth, &key, Errors::default(), None).await?,
    ))
}

async fn record_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(params): Query<ItemParams>,
    form: FormData,
) -> Result<Response, WebError> {
    let key = params.key().ok_or(WebError::NotFound)?;
    let input = OutcomeInput::Contact {
        on: form.get("contacted_on").to_owned(),
        channel: form.get("channel").to_owned(),
    };
    outcome(state, ctx, auth, key, input, form).await
}

async fn dismiss(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(params): Query<ItemParams>,
    form: FormData,
) -> Result<Response, WebError> {
    let key = params.key().ok_or(WebError::NotFound)?;
    let input = OutcomeInput::Dismissal {
        reason: form.get("reason").to_owned(),
    };
    outcome(state, ctx, auth, key, input, form).await
}

async fn outcome(
    state: AppState,
    ctx: Ctx,
    auth: samverka_app::auth::Authenticated,
    key: FlagKey,
    input: OutcomeInput,
    form: FormData,
) -> Result<Response, WebError> {
    match state.app.record_outcome(&auth.actor, &key, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("{}&done=1", item_link(&key, ""))).into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            let page = item_view(&state, ctx, &auth, &key, errors, Some(&form)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
