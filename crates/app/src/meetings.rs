//! Joint meetings of a case: scheduled with time, place or video link and agenda; team members,
//! the person, relatives and an interpreter invited, each invitation answered; minutes written,
//! and the decisions in them sent as tasks. An invitation can be downloaded as an iCalendar file.

use crate::error::Problems;
use crate::plans::CaseAccess;
use crate::tasks::TaskInput;
use crate::{App, AppError, FieldError};
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use samverka_core::actor::Actor;
use samverka_core::meeting::{InvitationState, InviteeKind};
use samverka_core::policy::Action;
use samverka_core::{CaseId, InviteeId, MeetingId, UserId};
use samverka_store::consent;
use samverka_store::meeting::{self, Invitee, Meeting, MeetingView};

/// A meeting as typed. Times are the deployment's local time (`YYYY-MM-DDTHH:MM`, as a
/// datetime field sends it).
#[derive(Clone, Debug, Default)]
pub struct MeetingInput {
    pub starts_at: String,
    pub minutes_long: String,
    pub place: String,
    pub video_link: String,
    pub agenda: String,
    /// Team members' user ids.
    pub members: Vec<String>,
    pub invite_person: bool,
    /// Relatives' names, one per line.
    pub relatives: String,
    /// The interpreter (name or language), if one is needed.
    pub interpreter: String,
}

/// Minutes as typed, with the decisions to send as tasks.
#[derive(Clone, Debug, Default)]
pub struct MinutesInput {
    pub minutes: String,
    pub decisions: Vec<TaskInput>,
}

/// A meeting for its calendar file.
#[derive(Clone, Debug)]
pub struct MeetingExport {
    pub meeting: Meeting,
    pub invitees: Vec<Invitee>,
    pub programme_name: String,
    pub coordinator_name: String,
}

impl App {
    /// A local date and time in the deployment's zone as an instant. A time that does not exist
    /// (the hour skipped in spring) is refused; one that exists twice (autumn) is the first.
    fn local_instant(&self, s: &str) -> Option<DateTime<Utc>> {
        let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
        self.config
            .time_zone
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Schedules a meeting and invites people to it.
    pub async fn schedule_meeting(
        &self,
        actor: &Actor,
        id: CaseId,
        input: &MeetingInput,
    ) -> Result<MeetingId, AppError> {
        let mut tx = self.db.begin().await?;
        let CaseAccess { grant, view, .. } = granted!(
            self,
            tx,
            self.case_access(&mut tx, actor, id, Action::Update, "meeting")
                .await?
        );
        if !view.case.status.is_open() {
            return Err(AppError::invalid("starts_at", "case-closed-already"));
        }
        let mut p = Problems::default();
        let starts_at = match input.starts_at.trim() {
            "" => {
                p.push(FieldError::new("starts_at", "field-required"));
                None
            }
            s => {
                let t = self.local_instant(s);
                if t.is_none() {
                    p.push(FieldError::new("starts_at", "meeting-time-invalid"));
                }
                t
            }
        };
        let minutes_long = match input.minutes_long.trim() {
            "" => Some(60),
            s => s.parse::<i64>().ok().filter(|m| (5..=600).contains(m)),
        };
        if minutes_long.is_none() {
            p.push(FieldError::new("minutes_long", "meeting-length-invalid"));
        }
        let place = p
            .take(
                "place",
                samverka_core::validate::optional_line(&input.place, 300),
            )
            .flatten()
            .unwrap_or_default();
        let video_link = Some(input.video_link.trim()).filter(|v| !v.is_empty());
        if video_link.is_some_and(|v| !(v.starts_with("https://") && v.len() <= 500)) {
            p.push(FieldError::new("video_link", "meeting-video-link-invalid"));
        }
        if place.is_empty() && video_link.is_none() {
            p.push(FieldError::new("place", "meeting-place-required"));
        }
        let agenda = p
            .required_text("agenda", &input.agenda, 4000)
            .unwrap_or_default();
        let (today, now) = (grant.today(), grant.now());
        let team = consent::team_of(&mut tx, &grant, view.case.person_id).await?;
        let mut invitees = Vec::new();
        for m in &input.members {
            let found = m.parse::<UserId>().ok().and_then(|u| {
                team.iter().find(|(t, name, ..)| {
                    t.user_id == Some(u) && t.active(today, now) && name.is_some()
                })
            });
            match found {
                Some((t, Some(name), ..)) => {
                    if !invitees
                        .iter()
                        .any(|i: &(InviteeKind, Option<UserId>, String)| i.1 == t.user_id)
                    {
                        invitees.push((InviteeKind::Member, t.user_id, name.clone()));
                    }
                }
                _ => {
                    p.push(FieldError::new("members", "meeting-member-unknown"));
                    break;
                }
            }
        }
        if input.invite_person {
            let name =
                samverka_store::person::display_name(&mut tx, &grant, view.case.person_id).await?;
            invitees.push((InviteeKind::Person, None, name));
        }
        for r in input.relatives.lines() {
            // One relative per line; a line too long or with control characters is named.
            if let Some(Some(r)) =
                p.take("relatives", samverka_core::validate::optional_line(r, 200))
            {
                invitees.push((InviteeKind::Relative, None, r));
            }
        }
        if let Some(Some(interpreter)) = p.take(
            "interpreter",
            samverka_core::validate::optional_line(&input.interpreter, 200),
        ) {
            invitees.push((InviteeKind::Interpreter, None, interpreter));
        }
        if invitees.is_empty() {
            p.push(FieldError::new("members", "meeting-nobody-invited"));
        }
        p.finish()?;
        let (Some(starts_at), Some(minutes_long)) = (starts_at, minutes_long) else {
            return Err(AppError::Internal("validated meeting lost a field".into()));
        };
        let meeting_id = MeetingId::new();
        let m = MeetingView {
            meeting: Meeting {
                id: meeting_id,
                case_id: id,
                starts_at,
                ends_at: starts_at + Duration::minutes(minutes_long),
                place,
                video_link: video_link.map(str::to_owned),
                agenda,
                minutes: None,
                created_by: grant.user(),
                created_by_organisation: grant.organisation(),
                created_at: now,
            },
            invitees: invitees
                .into_iter()
                .map(|(kind, user_id, name)| Invitee {
                    id: InviteeId::new(),
                    meeting_id,
                    kind,
                    user_id,
                    name,
                    state: InvitationState::Invited,
                    answered_at: None,
                })
                .collect(),
        };
        meeting::insert(&mut tx, &grant, &m).await?;
        self.commit_logged(
            tx,
            &[self.allowed(&grant, Some(view.case.person_id), "meeting")],
        )
        .await?;
        Ok(meeting_id)
    }

    /// The meeting and its case, for an action on it, refused (and logged) unless the actor may
    /// see the case's details.
    async fn meeting_access(
        &self,
        tx: &mut samverka_store::Tx,
        actor: &Actor,
        id: MeetingId,
        action: Action,
        what: &str,
    ) -> Result<Result<(CaseAccess, MeetingView), crate::access::Denied>, AppError> {
        let (case_id, _) = meeting::case_of(tx, id).await?.ok_or(AppError::NotFound)?;
        let access = match self.case_access(tx, actor, case_id, action, what).await? {
            Ok(x) => x,
            Err(d) => return Ok(Err(d)),
        };
        let m = meeting::of_case(tx, &access.grant, case_id)
            .await?
            .into_iter()
            .find(|m| m.meeting.id == id)
            .ok_or(AppError::NotFound)?;
        Ok(Ok((access, m)))
    }

    /// Answers an invitation: a team member for themselves; the case's coordinators for the
    /// person, relatives and the interpreter.
    pub async fn answer_invitation(
        &self,
        actor: &Actor,
        id: MeetingId,
        invitee: InviteeId,
        state: &str,
    ) -> Result<CaseId, AppError> {
        let mut tx = self.db.begin().await?;
        let (CaseAccess { grant, view, .. }, m) = granted!(
            self,
            tx,
            self.meeting_access(&mut tx, actor, id, Action::Update, "meeting_answer")
                .await?
        );
        let person_id = view.case.person_id;
        let Some(i) = m.invitees.iter().find(|i| i.id == invitee) else {
            return Err(AppError::NotFound);
        };
        let state: InvitationState = state
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("state", "meeting-answer-unknown"))?;
        let may = match i.user_id {
            Some(u) => u == actor.user_id,
            None => {
                view.case.organisation_id == grant.organisation()
                    && actor.coordinates_in(view.case.organisation_id)
            }
        };
        if !may {
            drop(tx);
            return Err(self
                .refuse(self.refusal(&grant, Some(person_id), "meeting_answer", "not_invitee"))
                .await);
        }
        meeting::answer(&mut tx, &grant, id, invitee, state, grant.now()).await?;
        self.commit_logged(
            tx,
            &[self.allowed(&grant, Some(person_id), "meeting_answer")],
        )
        .await?;
        Ok(view.case.id)
    }

    /// Writes the minutes, and sends each decision filled in as a task, all in one go: if one
    /// decision is wrong, nothing is saved and the rows at fault are named.
    pub async fn record_minutes(
        &self,
        actor: &Actor,
        id: MeetingId,
        input: &MinutesInput,
    ) -> Result<CaseId, AppError> {
        let mut tx = self.db.begin().await?;
        let (CaseAccess { grant, view, team }, _) = granted!(
            self,
            tx,
            self.meeting_access(&mut tx, actor, id, Action::Update, "meeting_minutes")
                .await?
        );
        let person_id = view.case.person_id;
        let minutes = match samverka_core::validate::optional_text(&input.minutes, 20_000) {
            Ok(Some(m)) => m,
            Ok(None) => return Err(AppError::invalid("minutes", "field-required")),
            Err(e) => {
                return Err(AppError::Invalid(vec![FieldError::with_args(
                    "minutes",
                    e.code(),
                    e.args(),
                )]));
            }
        };
        let mut problems = Vec::new();
        let mut entries = vec![self.allowed(&grant, Some(person_id), "meeting_minutes")];
        for (n, d) in input.decisions.iter().enumerate() {
            if [&d.what, &d.receiving, &d.due_on]
                .iter()
                .all(|s| s.trim().is_empty())
            {
                continue;
            }
            match self.add_task(&mut tx, &grant, &view, &team, d).await {
                Ok(_) => entries.push(self.allowed(&grant, Some(person_id), "task")),
                Err(AppError::Invalid(inner)) => {
                    // The row, then what is wrong with it.
                    problems.push(FieldError::with_args(
                        "decisions",
                        "meeting-decision-invalid",
                        vec![("row", (n + 1).to_string())],
                    ));
                    problems.extend(inner.into_iter().map(|e| FieldError {
                        field: "decisions",
                        ..e
                    }));
                }
                Err(e) => return Err(e),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        meeting::set_minutes(&mut tx, &grant, id, &minutes).await?;
        self.commit_logged(tx, &entries).await?;
        Ok(view.case.id)
    }

    /// A meeting for its iCalendar file. Logged as a read of the case's meeting.
    pub async fn meeting_export(
        &self,
        actor: &Actor,
        id: MeetingId,
    ) -> Result<MeetingExport, AppError> {
        let mut tx = self.db.begin_read().await?;
        let (CaseAccess { grant, view, .. }, m) = granted!(
            self,
            tx,
            self.meeting_access(&mut tx, actor, id, Action::Read, "meeting_ics")
                .await?
        );
        drop(tx);
        self.log
            .write(vec![self.allowed(
                &grant,
                Some(view.case.person_id),
                "meeting_ics",
            )])
            .await?;
        Ok(MeetingExport {
            meeting: m.meeting,
            invitees: m.invitees,
            programme_name: view.programme_name,
            coordinator_name: view.coordinator_name,
        })
    }
}

impl App {
    /// The case a meeting belongs to. Ids only, nothing about the person (for showing a form's
    /// errors on the case page, whose own use case then decides who may see it).
    pub async fn case_of_meeting(&self, id: MeetingId) -> Result<Option<CaseId>, AppError> {
        let mut tx = self.db.begin_read().await?;
        Ok(meeting::case_of(&mut tx, id).await?.map(|(c, _)| c))
    }
}
