//! Tasks and referrals on a case, between the programme's organisations on the person's team:
//! requested with what and a due date, accepted or declined with a reason by the receiving
//! organisation, worked on and completed, or cancelled by the requester; every step dated and
//! signed. "My tasks" and "my organisation's tasks" list them; overdue ones are marked there and
//! counted on the case list.

use crate::error::Problems;
use crate::plans::CaseAccess;
use crate::{App, AppError, FieldError};
use samverka_core::actor::Actor;
use samverka_core::policy::Action;
use samverka_core::task::{Side, TaskStatus, check_step};
use samverka_core::{CaseId, OrganisationId, TaskId, UnitId, UserId};
use samverka_store::task::{self, Task, TaskScope, TaskView};

/// Most tasks a list shows.
pub const TASK_PAGE: i64 = 200;

/// A task request as typed. `receiving` is `org:<organisation>` or `user:<user>:<unit>`.
#[derive(Clone, Debug, Default)]
pub struct TaskInput {
    pub receiving: String,
    pub what: String,
    pub due_on: String,
}

/// A step as typed: the status to move to, a reason (to decline), the task's version the page
/// showed.
#[derive(Clone, Debug, Default)]
pub struct StepInput {
    pub to: String,
    pub reason: String,
    pub version: String,
}

impl App {
    /// Requests a task of an organisation (or one of its staff) on the person's team.
    pub async fn request_task(
        &self,
        actor: &Actor,
        id: CaseId,
        input: &TaskInput,
    ) -> Result<TaskId, AppError> {
        let mut tx = self.db.begin().await?;
        let CaseAccess { grant, view, team } = granted!(
            self,
            tx,
            self.case_access(&mut tx, actor, id, Action::Update, "task")
                .await?
        );
        let t = self.add_task(&mut tx, &grant, &view, &team, input).await?;
        self.commit_logged(
            tx,
            &[self.allowed(&grant, Some(view.case.person_id), "task")],
        )
        .await?;
        Ok(t)
    }

    /// Checks a task request and inserts it in `tx`, under an `Update` grant for the case's
    /// person (the caller logs it); `team` is the person's team as the decision read it ([`CaseAccess`]). A closed
    /// case takes no new tasks, whether asked for alone or decided in a meeting's minutes.
    pub(crate) async fn add_task(
        &self,
        tx: &mut samverka_store::Tx,
        grant: &samverka_core::policy::Grant,
        view: &samverka_store::case::CaseView,
        team: &[samverka_core::consent::TeamMember],
        input: &TaskInput,
    ) -> Result<TaskId, AppError> {
        if !view.case.status.is_open() {
            return Err(AppError::invalid("what", "case-closed-already"));
        }
        let id = view.case.id;
        let mut p = Problems::default();
        let what = p.required_text("what", &input.what, 1000);
        let due_on = crate::admin::parse_date(&mut p, "due_on", &input.due_on, true);
        if due_on.is_some_and(|d| d < grant.today()) {
            p.push(FieldError::new("due_on", "date-in-past"));
        }
        let (today, now) = (grant.today(), grant.now());
        let active: Vec<_> = team.iter().filter(|t| t.active(today, now)).collect();
        let receiving: Option<(OrganisationId, Option<UserId>)> = match input
            .receiving
            .trim()
            .split(':')
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["org", o] => o
                .parse::<OrganisationId>()
                .ok()
                .filter(|o| active.iter().any(|t| t.organisation_id == *o))
                .map(|o| (o, None)),
            ["user", u, n] => {
                let (u, n) = (u.parse::<UserId>().ok(), n.parse::<UnitId>().ok());
                active
                    .iter()
                    .find(|t| t.user_id.is_some() && t.user_id == u && Some(t.unit_id) == n)
                    .map(|t| (t.organisation_id, t.user_id))
            }
            _ => None,
        };
        if receiving.is_none() {
            p.push(FieldError::new("receiving", "task-receiver-unknown"));
        }
        p.finish()?;
        let (Some(what), Some(due_on), Some((receiving_organisation, receiving_user))) =
            (what, due_on, receiving)
        else {
            return Err(AppError::Internal("validated task lost a field".into()));
        };
        let t = Task {
            id: TaskId::new(),
            case_id: id,
            requested_by: grant.user(),
            requesting_organisation: grant.organisation(),
            receiving_organisation,
            receiving_user,
            what,
            due_on,
            status: TaskStatus::Requested,
            reason: None,
            created_at: now,
            version: 1,
        };
        task::insert(tx, grant, &t).await?;
        Ok(t.id)
    }

    /// Takes a step on a task: the receiving organisation accepts, declines (with a reason),
    /// starts or completes it; the requesting one cancels it. Invalid steps are refused with a
    /// message; a step taken on a page that is no longer current changes nothing.
    pub async fn task_step(
        &self,
        actor: &Actor,
        id: TaskId,
        input: &StepInput,
    ) -> Result<CaseId, AppError> {
        let mut tx = self.db.begin().await?;
        let (case_id, person_id) = task::case_of(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let grant = granted!(
            self,
            tx,
            self.check(&mut tx, actor, Action::Update, Some(person_id), "task_step")
                .await?
        );
        let tasks = task::of_case(&mut tx, &grant, case_id).await?;
        let Some(t) = tasks.iter().find(|t| t.task.id == id).map(|t| &t.task) else {
            return Err(AppError::NotFound);
        };
        let side = if grant.organisation() == t.receiving_organisation {
            Side::Receiver
        } else if grant.organisation() == t.requesting_organisation {
            Side::Requester
        } else {
            drop(tx);
            return Err(self
                .refuse(self.refusal(&grant, Some(person_id), "task_step", "not_task_party"))
                .await);
        };
        let to: TaskStatus = input
            .to
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("to", "task-step-not-possible"))?;
        let reason = Some(input.reason.trim()).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > 1000) {
            return Err(AppError::Invalid(vec![FieldError::with_args(
                "reason",
                "field-too-long",
                vec![("max", "1000".into())],
            )]));
        }
        // A task both sent and received by one organisation: the receiver's steps are theirs too.
        let side = if t.requesting_organisation == t.receiving_organisation
            && to != TaskStatus::Cancelled
        {
            Side::Receiver
        } else {
            side
        };
        check_step(t.status, to, side, reason).map_err(|e| {
            let field = if e == samverka_core::task::StepError::ReasonRequired {
                "reason"
            } else {
                "to"
            };
            AppError::invalid(field, e.key())
        })?;
        let version: i64 = input
            .version
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("to", "task-changed-meanwhile"))?;
        if !task::step(
            &mut tx,
            &grant,
            id,
            version,
            t.status,
            to,
            reason,
            grant.now(),
        )
        .await?
        {
            return Err(AppError::invalid("to", "task-changed-meanwhile"));
        }
        self.commit_logged(tx, &[self.allowed(&grant, Some(person_id), "task_step")])
            .await?;
        Ok(case_id)
    }

    /// "My tasks" (asked of me, of my organisation without a name, or requested by me) or my
    /// organisation's; open ones unless `all`. Every person shown is logged.
    pub async fn task_list(
        &self,
        actor: &Actor,
        organisation: bool,
        all: bool,
    ) -> Result<Vec<TaskView>, AppError> {
        let grant = self
            .authorize(actor, Action::Cases, None, "task_list")
            .await?;
        let scope = if organisation {
            TaskScope::Organisation
        } else {
            TaskScope::Mine
        };
        let mut tx = self.db.begin_read().await?;
        let rows = task::list(&mut tx, &grant, scope, all, TASK_PAGE).await?;
        drop(tx);
        let mut entries = vec![self.allowed(&grant, None, "task_list")];
        let mut seen = Vec::new();
        for r in &rows {
            if !seen.contains(&r.person_id) {
                seen.push(r.person_id);
                entries.push(self.allowed(&grant, Some(r.person_id), "task_list"));
            }
        }
        self.log.write(entries).await?;
        Ok(rows)
    }
}
