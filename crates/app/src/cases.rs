//! Cases: a coordinator opens one for a person in a programme (from a worklist item or directly),
//! with themselves or another coordinator of their organisation; its coordinator joins the
//! person's team. The case page shows the case with the person's consents and team; the
//! coordinator's organisation moves its status and closes it with an outcome.

use crate::error::Problems;
use crate::plans::CaseAccess;
use crate::{App, AppError, FieldError};
use samverka_core::actor::{Actor, Role};
use samverka_core::case::{CaseOutcome, CaseStatus, IncomeSource, StatusChange, check_change};
use samverka_core::consent::{Consent, TeamMember};
use samverka_core::policy::Action;
use samverka_core::{CaseEventId, CaseId, PersonId, ProgrammeId, TeamMemberId, UnitId, UserId};
use samverka_store::case::{self, Case, CaseEvent, CaseView, EventView, ListFilter, ListRow};
use samverka_store::flag::{self, FlagKey};
use samverka_store::org::{self, Programme};
use samverka_store::{StoreError, consent, person};

/// Most cases a list shows.
pub const CASE_PAGE: i64 = 200;

/// What the form to open a case offers.
#[derive(Clone, Debug)]
pub struct OpenCaseForm {
    pub person_id: PersonId,
    pub person_name: String,
    /// Active programmes the actor's organisation takes part in.
    pub programmes: Vec<Programme>,
    /// Coordinators of the actor's organisation: (user, name, unit, unit name).
    pub coordinators: Vec<(UserId, String, UnitId, String)>,
    /// Filled in from the worklist item the case is opened from.
    pub target_group: Option<String>,
    pub first_contact_on: Option<chrono::NaiveDate>,
}

/// The form as typed.
#[derive(Clone, Debug, Default)]
pub struct OpenCaseInput {
    pub programme: String,
    pub target_group: String,
    /// `<user id>:<unit id>`.
    pub coordinator: String,
}

/// A case page. Without a consent that lets the case's organisation share with the reader's,
/// only that the case exists is shown (`details` is `None`).
#[derive(Clone, Debug)]
pub struct CasePage {
    pub id: CaseId,
    pub person_id: PersonId,
    pub person_name: String,
    pub programme_name: String,
    pub organisation_name: String,
    pub details: Option<CaseDetails>,
}

#[derive(Clone, Debug)]
pub struct CaseDetails {
    pub view: CaseView,
    pub events: Vec<EventView>,
    /// The person's consents the reader may see.
    pub consents: Vec<Consent>,
    /// The active team places the reader may know of: (place, user, unit, organisation).
    pub team: Vec<(TeamMember, Option<String>, String, String)>,
    /// The reader may change the status and the team (a coordinator of the case's organisation).
    pub may_change: bool,
    /// Whom the coordinator may invite: staff of the programme's organisations, as (user, name,
    /// unit, unit name, organisation name). Empty unless `may_change`.
    pub invitable: Vec<(UserId, String, UnitId, String, String)>,
    /// The case's tasks, oldest first.
    pub tasks: Vec<samverka_store::task::TaskView>,
    /// Whom a task may be asked of: each organisation on the team shown, and each named
    /// member, as (`org:<id>` or `user:<id>:<unit>`, label).
    pub receivers: Vec<(String, String)>,
    /// The case's meetings, earliest first.
    pub meetings: Vec<samverka_store::meeting::MeetingView>,
    /// Named team members shown, for inviting to a meeting: (user, label).
    pub team_users: Vec<(UserId, String)>,
    /// The notes and messages the reader may see, newest first.
    pub notes: Vec<samverka_store::case::NoteView>,
    /// The plan's newest version, if one is written, and whether every party agreed to it.
    pub plan: Option<(samverka_store::plan::VersionView, bool)>,
}

/// A status change as typed; `version` is the case's version the page showed.
#[derive(Clone, Debug, Default)]
pub struct StatusInput {
    pub status: String,
    pub outcome: String,
    pub income: String,
    pub version: String,
}

/// The case list's filter as typed.
#[derive(Clone, Debug, Default)]
pub struct CaseListQuery {
    /// "mine" (default) or "organisation".
    pub scope: String,
    /// A status code, "" for every open case.
    pub status: String,
    pub programme: String,
}

fn parse_or<T: std::str::FromStr>(
    p: &mut Problems,
    field: &'static str,
    s: &str,
    key: &'static str,
) -> Option<T> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            p.push(FieldError::new(field, key));
            None
        }
    }
}

impl App {
    /// The form to open a case for `person`, optionally from a worklist item of the actor's
    /// organisation (its target group and first contact are taken over).
    pub async fn open_case_form(
        &self,
        actor: &Actor,
        person_id: PersonId,
        item: Option<&FlagKey>,
    ) -> Result<OpenCaseForm, AppError> {
        let grant = self
            .authorize(actor, Action::OpenCase, Some(person_id), "case_form")
            .await?;
        // Before this use case's own transaction: it has one of its own, and waits for its log.
        let (target_group, first_contact_on) = self.item_facts(actor, item).await?;
        let mut tx = self.db.begin_read().await?;
        let person_name = person::display_name(&mut tx, &grant, person_id).await?;
        let programmes = org::list_programmes(&mut tx)
            .await?
            .into_iter()
            .filter(|p| p.active && p.organisations.contains(&grant.organisation()))
            .collect();
        let coordinators =
            consent::organisation_coordinators(&mut tx, grant.organisation()).await?;
        drop(tx);
        self.log
            .write(vec![self.allowed(&grant, Some(person_id), "case_form")])
            .await?;
        Ok(OpenCaseForm {
            person_id,
            person_name,
            programmes,
            coordinators,
            target_group,
            first_contact_on,
        })
    }

    /// The target group and first contact of a worklist item the actor may see, read under
    /// the worklist's own rules (and logged as such).
    async fn item_facts(
        &self,
        actor: &Actor,
        item: Option<&FlagKey>,
    ) -> Result<(Option<String>, Option<chrono::NaiveDate>), AppError> {
        let Some(key) = item else {
            return Ok((None, None));
        };
        let row = self.worklist_item(actor, key).await?;
        Ok((
            Some(row.row.flag.target_group.clone()),
            row.row.outcome.as_ref().and_then(|o| match o.kind {
                flag::OutcomeKind::Contact { on, .. } => Some(on),
                flag::OutcomeKind::Dismissal { .. } => None,
            }),
        ))
    }

    /// Opens a case and puts its coordinator on the person's team. Refused with a field error if
    /// the person already has an open case in the programme.
    pub async fn open_case(
        &self,
        actor: &Actor,
        person_id: PersonId,
        item: Option<&FlagKey>,
        input: &OpenCaseInput,
    ) -> Result<CaseId, AppError> {
        let (item_group, first_contact_on) = self.item_facts(actor, item).await?;
        let mut tx = self.db.begin().await?;
        // The facts decided on, read under the person's lock, still hold when the coordinator's
        // team place is looked for below.
        let (grant, facts) = granted!(
            self,
            tx,
            self.check_with_facts(&mut tx, actor, Action::OpenCase, Some(person_id), "case")
                .await?
        );
        let mut p = Problems::default();
        let programme = match parse_or::<ProgrammeId>(
            &mut p,
            "programme",
            &input.programme,
            "case-programme-unknown",
        ) {
            Some(id) => org::list_programmes(&mut tx).await?.into_iter().find(|x| {
                x.id == id && x.active && x.organisations.contains(&grant.organisation())
            }),
            None => None,
        };
        if programme.is_none() && !p.0.iter().any(|e| e.field == "programme") {
            p.push(FieldError::new(
                "programme",
                if input.programme.trim().is_empty() {
                    "field-required"
                } else {
                    "case-programme-unknown"
                },
            ));
        }
        let target_group = match input.target_group.trim() {
            "" => item_group,
            g => Some(g.to_owned()),
        };
        match (&programme, &target_group) {
            (_, None) => p.push(FieldError::new("target_group", "field-required")),
            (Some(prog), Some(g)) if !prog.target_groups.contains(g) => p.push(FieldError::new(
                "target_group",
                "case-target-group-not-in-programme",
            )),
            _ => {}
        }
        let coordinators =
            consent::organisation_coordinators(&mut tx, grant.organisation()).await?;
        let coordinator = match input.coordinator.trim() {
            // Blank: the one opening it, in the unit they act from.
            "" => coordinators
                .iter()
                .find(|c| c.0 == grant.user() && c.2 == grant.unit())
                .or_else(|| coordinators.iter().find(|c| c.0 == grant.user())),
            v => coordinators
                .iter()
                .find(|c| format!("{}:{}", c.0, c.2) == v),
        };
        if coordinator.is_none() {
            p.push(FieldError::new("coordinator", "case-coordinator-unknown"));
        }
        p.finish()?;
        let (Some(programme), Some(target_group), Some(&(coordinator_id, _, unit_id, _))) =
            (programme, target_group, coordinator)
        else {
            return Err(AppError::Internal("validated case lost a field".into()));
        };
        let now = self.now();
        let c = Case {
            id: CaseId::new(),
            person_id,
            programme_id: programme.id,
            organisation_id: grant.organisation(),
            unit_id,
            coordinator_id,
            target_group,
            status: if first_contact_on.is_some() {
                CaseStatus::Contacted
            } else {
                CaseStatus::Identified
            },
            flag: item.map(|k| (k.rule_id.clone(), k.key_on)),
            first_contact_on,
            outcome: None,
            income: None,
            opened_at: now,
            opened_by: actor.user_id,
            closed_at: None,
            version: 1,
        };
        case::insert(&mut tx, &grant, &c)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::invalid("programme", "case-already-open"),
                e => e.into(),
            })?;
        let today = grant.today();
        let on_team = facts
            .iter()
            .flat_map(|f| &f.team)
            .any(|t| t.active(today, now) && t.includes(coordinator_id, unit_id));
        if !on_team {
            consent::insert_team_member(
                &mut tx,
                &grant,
                &TeamMember {
                    id: TeamMemberId::new(),
                    person_id,
                    user_id: Some(coordinator_id),
                    unit_id,
                    organisation_id: grant.organisation(),
                    starts_on: today,
                    ended_at: None,
                    added_by: Some(actor.user_id),
                    created_at: now,
                },
            )
            .await?;
        }
        let mut entries = vec![self.allowed(&grant, Some(person_id), "case")];
        if !on_team {
            entries.push(self.allowed(&grant, Some(person_id), "case_team_add"));
        }
        self.commit_logged(tx, &entries).await?;
        Ok(c.id)
    }

    /// One case, for its page. Needs a place on the person's team (or emergency access).
    pub async fn case_page(&self, actor: &Actor, id: CaseId) -> Result<CasePage, AppError> {
        let mut tx = self.db.begin_read().await?;
        let person_id = case::person_of(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (grant, facts) = granted!(
            self,
            tx,
            self.check_with_facts(&mut tx, actor, Action::Read, Some(person_id), "case")
                .await?
        );
        let facts = facts.unwrap_or_default();
        let view = case::get(&mut tx, &grant, id).await?;
        let person_name = person::display_name(&mut tx, &grant, person_id).await?;
        let details = if grant.knows_of(view.case.organisation_id) {
            let events = case::events(&mut tx, &grant, id).await?;
            let may_change = view.case.organisation_id == grant.organisation()
                && actor.coordinates_in(view.case.organisation_id);
            // The case's coordinators also see the places they gave, whatever the consent says
            // now, so that they can take them back.
            let inviters: Vec<UserId> = if may_change {
                inviters(&mut tx, &grant).await?
            } else {
                Vec::new()
            };
            let team: Vec<_> = consent::team_of(&mut tx, &grant, person_id)
                .await?
                .into_iter()
                .filter(|(t, ..)| place_shown(&grant, &inviters, t))
                .collect();
            let consents = facts
                .consents
                .iter()
                .filter(|c| grant.sees_consent(c))
                .cloned()
                .collect();
            let invitable = if may_change && view.case.status.is_open() {
                let programme = org::get_programme(&mut tx, view.case.programme_id).await?;
                // Those already on the team are not offered again.
                consent::staff_of_organisations(&mut tx, &programme.organisations)
                    .await?
                    .into_iter()
                    .filter(|(u, _, unit, ..)| {
                        !team
                            .iter()
                            .any(|(t, ..)| t.user_id == Some(*u) && t.unit_id == *unit)
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let tasks = samverka_store::task::of_case(&mut tx, &grant, id).await?;
            let receivers = receivers_of(&team);
            let meetings = samverka_store::meeting::of_case(&mut tx, &grant, id).await?;
            let plan = samverka_store::plan::versions(&mut tx, &grant, id)
                .await?
                .pop()
                .map(|v| {
                    let parties = v.plan.content.parties(view.case.organisation_id);
                    let agreed: Vec<_> = v.agreements.iter().map(|a| a.party).collect();
                    let all = samverka_core::plan::is_agreed(&parties, &agreed);
                    (v, all)
                });
            let notes = case::notes(&mut tx, &grant, id)
                .await?
                .into_iter()
                .filter(|n| {
                    let o = n.note.organisation_id;
                    n.note
                        .visibility
                        .shows_to(o, grant.organisation(), grant.knows_of(o))
                })
                .collect();
            let mut team_users: Vec<(UserId, String)> = Vec::new();
            for (t, user, unit, org) in &team {
                if let (Some(u), Some(name)) = (t.user_id, user)
                    && !team_users.iter().any(|(x, _)| *x == u)
                {
                    team_users.push((u, format!("{name} ({unit}, {org})")));
                }
            }
            Some(CaseDetails {
                view: view.clone(),
                events,
                consents,
                team,
                may_change,
                invitable,
                tasks,
                receivers,
                meetings,
                team_users,
                notes,
                plan,
            })
        } else {
            None
        };
        drop(tx);
        let what = if details.is_some() {
            "case"
        } else {
            "case_exists"
        };
        self.log
            .write(vec![self.allowed(&grant, Some(person_id), what)])
            .await?;
        Ok(CasePage {
            id,
            person_id,
            person_name,
            programme_name: view.programme_name,
            organisation_name: view.organisation_name,
            details,
        })
    }

    /// Moves a case to another status, or closes it with an outcome and the source of income.
    /// Only a coordinator of the case's organisation on the person's team; a change made on a
    /// page that is no longer current is refused (`case-changed-meanwhile`), changing nothing.
    pub async fn change_case_status(
        &self,
        actor: &Actor,
        id: CaseId,
        input: &StatusInput,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let person_id = case::person_of(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let grant = granted!(
            self,
            tx,
            self.check(
                &mut tx,
                actor,
                Action::Update,
                Some(person_id),
                "case_status"
            )
            .await?
        );
        let view = case::get(&mut tx, &grant, id).await?;
        if view.case.organisation_id != grant.organisation() || grant.role() != Role::Coordinator {
            drop(tx);
            return Err(self
                .refuse(self.refusal(
                    &grant,
                    Some(person_id),
                    "case_status",
                    "not_case_organisation",
                ))
                .await);
        }
        let mut p = Problems::default();
        let to = parse_or::<CaseStatus>(&mut p, "status", &input.status, "case-status-unknown");
        if input.status.trim().is_empty() {
            p.push(FieldError::new("status", "field-required"));
        }
        let outcome =
            parse_or::<CaseOutcome>(&mut p, "outcome", &input.outcome, "case-outcome-unknown");
        let income =
            parse_or::<IncomeSource>(&mut p, "income", &input.income, "case-income-unknown-code");
        let version = parse_or::<i64>(&mut p, "version", &input.version, "case-changed-meanwhile");
        p.finish()?;
        let (Some(to), Some(version)) = (to, version) else {
            return Err(AppError::invalid("version", "case-changed-meanwhile"));
        };
        let change = StatusChange {
            to,
            outcome,
            income,
        };
        if version != view.case.version {
            return Err(AppError::invalid("version", "case-changed-meanwhile"));
        }
        check_change(view.case.status, &change)
            .map_err(|e| AppError::invalid(e.field(), e.key()))?;
        let event = CaseEvent {
            id: CaseEventId::new(),
            case_id: id,
            at: self.now(),
            by_user: grant.user(),
            by_organisation: grant.organisation(),
            from: Some(view.case.status),
            to,
            outcome,
            income,
        };
        if !case::change_status(&mut tx, &grant, id, version, &event).await? {
            return Err(AppError::invalid("version", "case-changed-meanwhile"));
        }
        self.commit_logged(tx, &[self.allowed(&grant, Some(person_id), "case_status")])
            .await
    }

    /// Puts a professional (`user:<user>:<unit>`) or a whole unit (`unit:<unit>`) of one of the
    /// programme's organisations on the person's team, from today. Only the case's coordinators
    /// (of its organisation, on the team), while the case is open. What the new member then sees
    /// is the access core's to decide: their own organisation's information, and others' only
    /// under consent.
    pub async fn invite_to_case_team(
        &self,
        actor: &Actor,
        id: CaseId,
        member: &str,
    ) -> Result<(), AppError> {
        let TeamChange {
            mut tx,
            grant,
            view,
            team,
        } = self.case_team_change(actor, id, "case_team_add").await?;
        let programme = org::get_programme(&mut tx, view.case.programme_id).await?;
        let staff = consent::staff_of_organisations(&mut tx, &programme.organisations).await?;
        let (user_id, unit_id) = match member.trim().split(':').collect::<Vec<_>>().as_slice() {
            ["user", u, n] => (u.parse::<UserId>().ok(), n.parse::<UnitId>().ok()),
            ["unit", n] => (None, n.parse::<UnitId>().ok()),
            _ => (None, None),
        };
        let found = unit_id.and_then(|n| {
            staff
                .iter()
                .find(|s| s.2 == n && user_id.is_none_or(|u| s.0 == u))
        });
        let (Some(unit_id), Some(_)) = (unit_id, found) else {
            return Err(AppError::invalid("member", "case-team-member-unknown"));
        };
        let unit = org::get_unit(&mut tx, unit_id).await?;
        let person_id = view.case.person_id;
        let (today, now) = (grant.today(), grant.now());
        let already = team
            .iter()
            .any(|t| t.active(today, now) && t.user_id == user_id && t.unit_id == unit_id);
        if already {
            return Err(AppError::invalid("member", "case-team-already"));
        }
        consent::insert_team_member(
            &mut tx,
            &grant,
            &TeamMember {
                id: TeamMemberId::new(),
                person_id,
                user_id,
                unit_id,
                organisation_id: unit.organisation_id,
                starts_on: today,
                ended_at: None,
                added_by: Some(actor.user_id),
                created_at: now,
            },
        )
        .await?;
        self.commit_logged(
            tx,
            &[self.allowed(&grant, Some(person_id), "case_team_add")],
        )
        .await
    }

    /// Takes a place off the person's team at once: its member loses access on their next
    /// request (unless another place or an emergency access covers them). Only the case's
    /// coordinators.
    pub async fn remove_from_case_team(
        &self,
        actor: &Actor,
        id: CaseId,
        place: TeamMemberId,
    ) -> Result<(), AppError> {
        let TeamChange {
            mut tx,
            grant,
            view,
            team,
        } = self.case_team_change(actor, id, "case_team_remove").await?;
        let person_id = view.case.person_id;
        // Only a place the case page shows can be taken back: the person's team has places of
        // other programmes and organisations, unknown to the coordinator without consent.
        let inviters = inviters(&mut tx, &grant).await?;
        let shown = team
            .iter()
            .any(|t| t.id == place && place_shown(&grant, &inviters, t));
        if !shown
            || !consent::end_case_team_member(&mut tx, &grant, person_id, place, grant.now())
                .await?
        {
            return Err(AppError::NotFound);
        }
        self.commit_logged(
            tx,
            &[self.allowed(&grant, Some(person_id), "case_team_remove")],
        )
        .await
    }

    /// The transaction, grant, case and the person's facts decided on (read under the person's
    /// lock, so they hold until the change commits) for a change of a case's team, refused (and
    /// logged) unless the actor is a coordinator of the case's organisation on the team and the
    /// case is open.
    async fn case_team_change(
        &self,
        actor: &Actor,
        id: CaseId,
        what: &str,
    ) -> Result<TeamChange, AppError> {
        let mut tx = self.db.begin().await?;
        let person_id = case::person_of(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (grant, facts) = granted!(
            self,
            tx,
            self.check_with_facts(&mut tx, actor, Action::CaseTeam, Some(person_id), what)
                .await?
        );
        let view = case::get(&mut tx, &grant, id).await?;
        if view.case.organisation_id != grant.organisation() {
            drop(tx);
            return Err(self
                .refuse(self.refusal(&grant, Some(person_id), what, "not_case_organisation"))
                .await);
        }
        if !view.case.status.is_open() {
            return Err(AppError::invalid("member", "case-closed-already"));
        }
        Ok(TeamChange {
            tx,
            grant,
            view,
            team: facts.map(|f| f.team).unwrap_or_default(),
        })
    }

    /// Writes a note or message on the case, for the author's organisation, the team, or also
    /// the person.
    pub async fn add_case_note(
        &self,
        actor: &Actor,
        id: CaseId,
        visibility: &str,
        body: &str,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let CaseAccess { grant, view, .. } = granted!(
            self,
            tx,
            self.case_access(&mut tx, actor, id, Action::Update, "case_note")
                .await?
        );
        let mut p = Problems::default();
        let visibility = parse_or::<samverka_core::case::NoteVisibility>(
            &mut p,
            "visibility",
            visibility,
            "case-note-visibility-unknown",
        );
        if visibility.is_none() && !p.0.iter().any(|e| e.field == "visibility") {
            p.push(FieldError::new("visibility", "field-required"));
        }
        let body = p.required_text("body", body, 4000);
        p.finish()?;
        let (Some(visibility), Some(body)) = (visibility, body) else {
            return Err(AppError::Internal("validated note lost a field".into()));
        };
        let n = samverka_store::case::CaseNote {
            id: samverka_core::CaseNoteId::new(),
            case_id: id,
            author_id: grant.user(),
            organisation_id: grant.organisation(),
            unit_id: grant.unit(),
            visibility,
            body,
            created_at: self.now(),
        };
        case::insert_note(&mut tx, &grant, &n).await?;
        self.commit_logged(
            tx,
            &[self.allowed(&grant, Some(view.case.person_id), "case_note")],
        )
        .await
    }

    /// The case list: the actor's own cases, or (coordinators) their organisation's. Every
    /// person shown is logged.
    pub async fn case_list(
        &self,
        actor: &Actor,
        q: &CaseListQuery,
    ) -> Result<(ListFilter, Vec<ListRow>, Vec<Programme>), AppError> {
        let grant = self
            .authorize(actor, Action::Cases, None, "case_list")
            .await?;
        let mut p = Problems::default();
        let scope = match q.scope.trim() {
            "" | "mine" => case::Scope::Mine,
            "organisation" if grant.role() == Role::Coordinator => case::Scope::Organisation,
            _ => {
                p.push(FieldError::new("scope", "case-scope-unknown"));
                case::Scope::Mine
            }
        };
        let status = parse_or::<CaseStatus>(&mut p, "status", &q.status, "case-status-unknown");
        let programme =
            parse_or::<ProgrammeId>(&mut p, "programme", &q.programme, "case-programme-unknown");
        p.finish()?;
        let filter = ListFilter {
            scope,
            status,
            programme,
        };
        let mut tx = self.db.begin_read().await?;
        let rows = case::list(&mut tx, &grant, &filter, CASE_PAGE).await?;
        let programmes = org::list_programmes(&mut tx)
            .await?
            .into_iter()
            .filter(|x| x.organisations.contains(&grant.organisation()))
            .collect();
        drop(tx);
        let mut entries = vec![self.allowed(&grant, None, "case_list")];
        let mut seen = Vec::new();
        for r in &rows {
            if !seen.contains(&r.case.person_id) {
                seen.push(r.case.person_id);
                entries.push(self.allowed(&grant, Some(r.case.person_id), "case_list"));
            }
        }
        self.log.write(entries).await?;
        Ok((filter, rows, programmes))
    }
}

/// A change of a case's team under way: see [`App::case_team_change`].
struct TeamChange {
    tx: samverka_store::Tx,
    grant: samverka_core::policy::Grant,
    view: CaseView,
    /// The person's team places (ended ones too), as the decision read them.
    team: Vec<TeamMember>,
}

/// The coordinators of the grant's organisation, whose team places `place_shown` shows.
async fn inviters(
    tx: &mut samverka_store::Tx,
    grant: &samverka_core::policy::Grant,
) -> Result<Vec<UserId>, AppError> {
    Ok(consent::organisation_coordinators(tx, grant.organisation())
        .await?
        .into_iter()
        .map(|c| c.0)
        .collect())
}

/// Whether the case page shows a team place: one of an organisation the reader may know of (their
/// own, or one the person's consent covers), or one that a coordinator of the reader's
/// organisation added (`inviters`), so that they can take it back.
fn place_shown(grant: &samverka_core::policy::Grant, inviters: &[UserId], t: &TeamMember) -> bool {
    grant.knows_of(t.organisation_id) || t.added_by.is_some_and(|u| inviters.contains(&u))
}

/// Whom a task may be asked of, from the team places shown.
fn receivers_of(team: &[(TeamMember, Option<String>, String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (t, user, unit, org) in team {
        let whole = format!("org:{}", t.organisation_id);
        if !out.iter().any(|(v, _)| *v == whole) {
            out.push((whole, org.clone()));
        }
        if let (Some(u), Some(name)) = (t.user_id, user) {
            out.push((
                format!("user:{u}:{}", t.unit_id),
                format!("{name} ({unit}, {org})"),
            ));
        }
    }
    out
}
