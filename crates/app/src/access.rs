//! Asking the policy, and logging its answer. Every use case that touches person data goes
//! through [`App::check`]: it gathers the facts inside the caller's transaction (so the decision
//! and the read see the same consents and blocks), and either mints a grant or returns a
//! [`Denied`] that the caller hands to [`App::refuse`] once its transaction is closed (the log
//! writer needs the database's write lock, which a write transaction would be holding).

use crate::{App, AppError};
use samverka_core::actor::{Actor, Membership};
use samverka_core::policy::{
    self, AccessRequest, Action, Basis, Decision, DenyReason, Facts, Grant, PersonFacts,
};
use samverka_core::{AccessLogId, PersonId, UserId};
use samverka_store::Tx;
use samverka_store::access_log::Entry;
use samverka_store::consent;

/// Refuses (logging the denial after closing `$tx`) unless the decision was a grant.
macro_rules! granted {
    ($app:expr, $tx:ident, $decided:expr) => {
        match $decided {
            Ok(g) => g,
            Err(denied) => {
                drop($tx);
                return Err($app.refuse(denied).await);
            }
        }
    };
}

/// A refusal, not yet logged.
#[derive(Debug)]
#[must_use = "a denial must be logged with App::refuse"]
pub struct Denied(Box<Entry>);

impl App {
    /// The facts a decision needs besides the person's.
    pub(crate) fn facts<'a>(&'a self, person: Option<&'a PersonFacts>) -> Facts<'a> {
        let now = self.now();
        Facts {
            now,
            today: now.with_timezone(&self.config.time_zone).date_naive(),
            protected_identity_roles: &self.config.protected_identity_roles,
            person,
        }
    }

    /// Decides `action` on `person` for `actor`, reading the person's facts in `tx`. An unknown
    /// person is `NotFound` (nothing logged: there is no person to protect).
    pub(crate) async fn check(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        action: Action,
        person: Option<PersonId>,
        what: &str,
    ) -> Result<Result<Grant, Denied>, AppError> {
        let decided = self
            .check_with_facts(tx, actor, action, person, what)
            .await?;
        Ok(decided.map(|(grant, _)| grant))
    }

    /// [`App::check`], also handing back the facts decided on, for use cases that show them
    /// (so they are read once, and what is shown is what was decided on).
    pub(crate) async fn check_with_facts(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        action: Action,
        person: Option<PersonId>,
        what: &str,
    ) -> Result<Result<(Grant, Option<PersonFacts>), Denied>, AppError> {
        // A change about one person takes the person's lock before it reads the facts it
        // decides on, and every change of those facts does the same.
        if let Some(p) = person
            && matches!(
                action,
                Action::Create
                    | Action::Update
                    | Action::TeamAdmin
                    | Action::EmergencyAccess
                    | Action::OpenCase
                    | Action::CaseTeam
            )
        {
            consent::lock_person(tx, p).await?;
        }
        let facts = match person {
            Some(p) => Some(
                consent::person_facts(tx, p, actor.user_id)
                    .await?
                    .ok_or(AppError::NotFound)?,
            ),
            None => None,
        };
        Ok(self
            .decide(actor, action, person, facts.as_ref(), what)
            .map(|grant| (grant, facts)))
    }

    /// The pure decision with its denial entry ready.
    pub(crate) fn decide(
        &self,
        actor: &Actor,
        action: Action,
        person: Option<PersonId>,
        facts: Option<&PersonFacts>,
        what: &str,
    ) -> Result<Grant, Denied> {
        match policy::decide(actor, &AccessRequest { action, person }, &self.facts(facts)) {
            Decision::Allow(g) => Ok(g),
            Decision::Deny(reason) => Err(self.denial(actor, action, person, what, reason)),
        }
    }

    fn denial(
        &self,
        actor: &Actor,
        action: Action,
        person: Option<PersonId>,
        what: &str,
        reason: DenyReason,
    ) -> Denied {
        let acting = actor
            .memberships
            .iter()
            .find(|m| policy::roles_for(action).contains(&m.role))
            .or(actor.primary_membership());
        Denied(Box::new(self.entry(
            actor.user_id,
            acting,
            action,
            person,
            what,
            format!("denied:{}", reason.code()),
        )))
    }

    /// A refusal of something a grant was given for, decided after it (e.g. an item the grant's
    /// organisation may not see), not yet logged.
    pub(crate) fn refusal(
        &self,
        grant: &Grant,
        person: Option<PersonId>,
        what: &str,
        reason: &str,
    ) -> Denied {
        let acting = grant.membership();
        Denied(Box::new(self.entry(
            grant.user(),
            Some(&acting),
            grant.action(),
            person,
            what,
            format!("denied:{reason}"),
        )))
    }

    /// Logs a refusal (committed before the answer goes out) and returns the 403 to give.
    pub(crate) async fn refuse(&self, denied: Denied) -> AppError {
        let action = denied.0.action.clone();
        match self.log.write(vec![*denied.0]).await {
            Ok(()) => {
                tracing::info!(action = %action, "access denied");
                AppError::Forbidden
            }
            Err(e) => e,
        }
    }

    /// [`App::check`] in a read transaction of its own, logging a refusal. For use cases whose
    /// data read needs no transaction shared with the decision.
    pub(crate) async fn authorize(
        &self,
        actor: &Actor,
        action: Action,
        person: Option<PersonId>,
        what: &str,
    ) -> Result<Grant, AppError> {
        let mut tx = self.db.begin_read().await?;
        let decided = self.check(&mut tx, actor, action, person, what).await?;
        drop(tx);
        match decided {
            Ok(g) => Ok(g),
            Err(d) => Err(self.refuse(d).await),
        }
    }

    /// Commits a change together with the access-log entries that record it (unsealed, in the
    /// change's own transaction: both land or neither), then has the writer seal them.
    pub(crate) async fn commit_logged(
        &self,
        mut tx: Tx,
        entries: &[Entry],
    ) -> Result<(), AppError> {
        for e in entries {
            samverka_store::access_log::append_unsealed(&mut tx, e).await?;
        }
        tx.commit().await?;
        self.log.seal_pending();
        Ok(())
    }

    /// An access-log entry: `user`, acting from `acting` (unit, organisation, role), did `action`.
    pub(crate) fn entry(
        &self,
        user: UserId,
        acting: Option<&Membership>,
        action: Action,
        person: Option<PersonId>,
        what: &str,
        outcome: String,
    ) -> Entry {
        Entry {
            id: AccessLogId::new(),
            at: self.now(),
            user_id: Some(user),
            organisation_id: acting.map(|m| m.organisation_id),
            unit_id: acting.map(|m| m.unit_id),
            role: acting.map(|m| m.role.code().to_owned()),
            action: action.code().to_owned(),
            person_id: person,
            what: what.to_owned(),
            purpose: None,
            outcome,
        }
    }

    /// The log entry for an allowed access under `grant`. Under emergency access the outcome
    /// says so and the purpose names the emergency access, so auditors can find every read it made.
    pub(crate) fn allowed(&self, grant: &Grant, person: Option<PersonId>, what: &str) -> Entry {
        let acting = grant.membership();
        let mut e = self.entry(
            grant.user(),
            Some(&acting),
            grant.action(),
            person,
            what,
            "allowed".to_owned(),
        );
        if let Basis::Emergency(id) = grant.basis() {
            e.outcome = "allowed:emergency".to_owned();
            e.purpose = Some(format!("emergency_access:{id}"));
        }
        e
    }
}
