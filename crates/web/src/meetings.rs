//! Meetings of a case: scheduling (`/cases/{id}/meetings`), answers to invitations, minutes with
//! decisions sent as tasks, and the invitation as an iCalendar file
//! (`/meetings/{id}/invite.ics`).

use crate::AppState;
use crate::cases::{after_change, after_change_with};
use crate::context::{Ctx, FormData, SignedIn};
use crate::error::{WebError, parse_id};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use icalendar::{Calendar, Component, Event, EventLike, Property};
use samverka_app::AppError;
use samverka_app::meetings::{MeetingExport, MeetingInput, MinutesInput};
use samverka_app::tasks::TaskInput;
use samverka_core::meeting::InviteeKind;
use samverka_core::{CaseId, InviteeId, MeetingId};

/// Decision rows the minutes form offers.
pub const DECISION_ROWS: usize = 3;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/meetings", post(schedule))
        .route("/meetings/{id}/invitees/{invitee}/answer", post(answer))
        .route("/meetings/{id}/minutes", post(minutes))
        .route("/meetings/{id}/invite.ics", get(ics))
}

/// Back to the case's meetings, or the case page again with the form's errors.
async fn after(
    state: &AppState,
    ctx: Ctx,
    auth: &samverka_app::auth::Authenticated,
    case: Option<CaseId>,
    form: FormData,
    result: Result<CaseId, AppError>,
) -> Result<Response, WebError> {
    let id = match (&result, case) {
        (Ok(id), _) => *id,
        (Err(_), Some(id)) => id,
        (Err(_), None) => return Err(WebError::NotFound),
    };
    after_change(state, ctx, auth, id, "meetings", form, result).await
}

pub async fn schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id: CaseId = parse_id(&id)?;
    let input = MeetingInput {
        starts_at: form.get("starts_at").to_owned(),
        minutes_long: form.get("minutes_long").to_owned(),
        place: form.get("place").to_owned(),
        video_link: form.get("video_link").to_owned(),
        agenda: form.get("agenda").to_owned(),
        members: form.all("members"),
        invite_person: form.get("invite_person") == "1",
        relatives: form.get("relatives").to_owned(),
        interpreter: form.get("interpreter").to_owned(),
    };
    let r = state
        .app
        .schedule_meeting(&auth.actor, id, &input)
        .await
        .map(|_| id);
    after(&state, ctx, &auth, Some(id), form, r).await
}

pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path((id, invitee)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<MeetingId>(&id)?;
    let invitee: InviteeId = parse_id(&invitee)?;
    let r = state
        .app
        .answer_invitation(&auth.actor, id, invitee, form.get("state"))
        .await;
    // Only a refusal needs the case, to show the form's errors on its page.
    let case = match r {
        Ok(_) => None,
        Err(_) => state.app.case_of_meeting(id).await?,
    };
    after(&state, ctx, &auth, case, form, r).await
}

pub async fn minutes(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    let id = parse_id::<MeetingId>(&id)?;
    let input = MinutesInput {
        minutes: form.get("minutes").to_owned(),
        decisions: (1..=DECISION_ROWS)
            .map(|n| TaskInput {
                what: form.get(&format!("decision_what_{n}")).to_owned(),
                receiving: form.get(&format!("decision_receiving_{n}")).to_owned(),
                due_on: form.get(&format!("decision_due_on_{n}")).to_owned(),
            })
            .collect(),
    };
    let r = state.app.record_minutes(&auth.actor, id, &input).await;
    // Only a refusal needs the case, to show the form's errors on its page.
    let case = match r {
        Ok(_) => None,
        Err(_) => state.app.case_of_meeting(id).await?,
    };
    let case = match (&r, case) {
        (Ok(c), _) => *c,
        (Err(_), Some(c)) => c,
        (Err(_), None) => return Err(WebError::NotFound),
    };
    // Every meeting without minutes has this form: the errors are shown at this meeting's.
    after_change_with(&state, ctx, &auth, (case, "meetings"), form, r, |e| {
        e.renamed("minutes", &format!("minutes-{id}"))
            .renamed("decisions", &format!("decisions-{id}"))
    })
    .await
}

/// The invitation as iCalendar (RFC 5545). The person's name is left out: calendars are not
/// kept as carefully as the case.
fn calendar(ctx: &Ctx, e: &MeetingExport) -> String {
    let m = &e.meeting;
    let mut description = m.agenda.clone();
    if let Some(link) = &m.video_link {
        description.push_str(&format!("\n\n{}: {link}", ctx.t("meeting-video-link")));
    }
    let names: Vec<String> = e
        .invitees
        .iter()
        .filter(|i| i.kind != InviteeKind::Person)
        .map(|i| i.name.clone())
        .collect();
    if !names.is_empty() {
        description.push_str(&format!(
            "\n\n{}: {}",
            ctx.t("meeting-invitees"),
            names.join(", ")
        ));
    }
    let mut event = Event::new();
    event
        .uid(&format!("{}@samverka", m.id))
        .summary(&ctx.ta(
            "meeting-ics-summary",
            &[("programme", e.programme_name.clone())],
        ))
        .description(&description)
        .starts(m.starts_at)
        .ends(m.ends_at)
        .timestamp(m.created_at)
        .location(if m.place.is_empty() {
            m.video_link.as_deref().unwrap_or_default()
        } else {
            &m.place
        })
        .append_property(Property::new(
            "ORGANIZER",
            format!("CN={}", e.coordinator_name).as_str(),
        ));
    if let Some(link) = &m.video_link {
        event.url(link);
    }
    Calendar::new()
        .name(&ctx.t("meeting-title"))
        .push(event.done())
        .done()
        .to_string()
}

pub async fn ics(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id::<MeetingId>(&id)?;
    let e = state.app.meeting_export(&auth.actor, id).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"meeting-{}.ics\"",
                    e.meeting.starts_at.format("%Y%m%d")
                ),
            ),
        ],
        calendar(&ctx, &e),
    )
        .into_response())
}
