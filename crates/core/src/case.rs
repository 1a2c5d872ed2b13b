//! Cases (samordningsärende / forløb): one person in one programme, with a coordinator, a target
//! group and a status that moves identified → contacted → consented → planning → active →
//! follow-up → closed. Closing needs an outcome and the person's main source of income then, for
//! the follow-up that funders ask for (DOMAIN.md, "Case" and "Follow-up registration").

use crate::consent::{UnknownCode, codes};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Where a case stands. The order is the usual course of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CaseStatus {
    /// Found (on the worklist or otherwise), not yet reached.
    Identified,
    /// First contact made.
    Contacted,
    /// The person consented to the joint work.
    Consented,
    /// The team is writing the plan.
    Planning,
    /// The plan is being carried out.
    Active,
    /// The interventions are over; the team follows up.
    FollowUp,
    /// Finished, with an outcome.
    Closed,
}
codes!(CaseStatus {
    Identified => "identified",
    Contacted => "contacted",
    Consented => "consented",
    Planning => "planning",
    Active => "active",
    FollowUp => "follow_up",
    Closed => "closed",
});

impl CaseStatus {
    pub fn is_open(self) -> bool {
        self != CaseStatus::Closed
    }
}

/// How a case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CaseOutcome {
    BackAtWork,
    InStudies,
    JobSeeking,
    OtherSupport,
    Moved,
    Declined,
    Deceased,
    Other,
}
codes!(CaseOutcome {
    BackAtWork => "back_at_work",
    InStudies => "in_studies",
    JobSeeking => "job_seeking",
    OtherSupport => "other_support",
    Moved => "moved",
    Declined => "declined",
    Deceased => "deceased",
    Other => "other",
});

/// The person's main source of income (the follow-up's "source of support").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IncomeSource {
    Salary,
    SicknessBenefit,
    ActivityCompensation,
    IncomeSupport,
    UnemploymentBenefit,
    StudyGrant,
    Pension,
    None,
    Other,
    /// Not known (e.g. the person moved or died before it could be asked).
    Unknown,
}
codes!(IncomeSource {
    Salary => "salary",
    SicknessBenefit => "sickness_benefit",
    ActivityCompensation => "activity_compensation",
    IncomeSupport => "income_support",
    UnemploymentBenefit => "unemployment_benefit",
    StudyGrant => "study_grant",
    Pension => "pension",
    None => "none",
    Other => "other",
    Unknown => "unknown",
});

/// Who may read a note on a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoteVisibility {
    /// The author's organisation only.
    Organisation,
    /// The team: everyone on it whom the person's consent lets the author's organisation share
    /// with (and the author's organisation).
    Team,
    /// The team, and the person too (in the citizen's view).
    Person,
}
codes!(NoteVisibility {
    Organisation => "organisation",
    Team => "team",
    Person => "person",
});

impl NoteVisibility {
    /// Whether a reader from `reader` sees a note of `author`'s organisation, given whether the
    /// person's consent lets `author` share with `reader` (`shared`).
    pub fn shows_to(
        self,
        author: crate::OrganisationId,
        reader: crate::OrganisationId,
        shared: bool,
    ) -> bool {
        author == reader || (self != NoteVisibility::Organisation && shared)
    }
}

/// A requested status change, as the coordinator filled it in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub to: CaseStatus,
    pub outcome: Option<CaseOutcome>,
    pub income: Option<IncomeSource>,
}

/// Why a status change is refused; each names the form field at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("the case is closed")]
    Closed,
    #[error("the case already has this status")]
    Unchanged,
    #[error("closing needs an outcome")]
    OutcomeRequired,
    #[error("closing needs the main source of income")]
    IncomeRequired,
    #[error("an outcome is given only when closing")]
    OutcomeOnlyWhenClosing,
}

impl ChangeError {
    /// The form field the error belongs to.
    pub fn field(self) -> &'static str {
        match self {
            ChangeError::Closed | ChangeError::Unchanged => "status",
            ChangeError::OutcomeRequired | ChangeError::OutcomeOnlyWhenClosing => "outcome",
            ChangeError::IncomeRequired => "income",
        }
    }

    /// The locale key of the message.
    pub fn key(self) -> &'static str {
        match self {
            ChangeError::Closed => "case-closed-already",
            ChangeError::Unchanged => "case-status-unchanged",
            ChangeError::OutcomeRequired => "case-outcome-required",
            ChangeError::IncomeRequired => "case-income-required",
            ChangeError::OutcomeOnlyWhenClosing => "case-outcome-only-closing",
        }
    }
}

/// Checks a status change. Open statuses may change to any other, backwards too (a withdrawn
/// consent sends a case back to "contacted"); a closed case stays closed, and a new case is
/// opened if the person comes back. Closing records the outcome and the source of income; other
/// changes must not carry them.
pub fn check_change(from: CaseStatus, change: &StatusChange) -> Result<(), ChangeError> {
    if from == CaseStatus::Closed {
        return Err(ChangeError::Closed);
    }
    if change.to == from {
        return Err(ChangeError::Unchanged);
    }
    if change.to == CaseStatus::Closed {
        if change.outcome.is_none() {
            return Err(ChangeError::OutcomeRequired);
        }
        if change.income.is_none() {
            return Err(ChangeError::IncomeRequired);
        }
    } else if change.outcome.is_some() || change.income.is_some() {
        return Err(ChangeError::OutcomeOnlyWhenClosing);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn to(s: CaseStatus) -> StatusChange {
        StatusChange {
            to: s,
            outcome: None,
            income: None,
        }
    }

    #[test]
    fn open_cases_move_either_way_and_closing_needs_outcome_and_income() {
        assert_eq!(
            check_change(CaseStatus::Identified, &to(CaseStatus::Contacted)),
            Ok(())
        );
        assert_eq!(
            check_change(CaseStatus::Planning, &to(CaseStatus::Contacted)),
            Ok(())
        );
        assert_eq!(
            check_change(CaseStatus::Active, &to(CaseStatus::Active)),
            Err(ChangeError::Unchanged)
        );
        assert_eq!(
            check_change(CaseStatus::FollowUp, &to(CaseStatus::Closed)),
            Err(ChangeError::OutcomeRequired)
        );
        let mut close = to(CaseStatus::Closed);
        close.outcome = Some(CaseOutcome::BackAtWork);
        assert_eq!(
            check_change(CaseStatus::FollowUp, &close),
            Err(ChangeError::IncomeRequired)
        );
        close.income = Some(IncomeSource::Salary);
        assert_eq!(check_change(CaseStatus::FollowUp, &close), Ok(()));
        assert_eq!(
            check_change(CaseStatus::Closed, &to(CaseStatus::Active)),
            Err(ChangeError::Closed)
        );
        let mut early = to(CaseStatus::Active);
        early.outcome = Some(CaseOutcome::Moved);
        assert_eq!(
            check_change(CaseStatus::Planning, &early),
            Err(ChangeError::OutcomeOnlyWhenClosing)
        );
    }

    fn status() -> impl Strategy<Value = CaseStatus> {
        proptest::sample::select(CaseStatus::ALL)
    }

    proptest! {
        /// A change is accepted exactly when the case is open, the status differs, and outcome
        /// and income are given if and only if it closes.
        #[test]
        fn a_change_is_accepted_exactly_by_the_rule(
            from in status(),
            target in status(),
            outcome in proptest::option::of(proptest::sample::select(CaseOutcome::ALL)),
            income in proptest::option::of(proptest::sample::select(IncomeSource::ALL)),
        ) {
            let change = StatusChange { to: target, outcome, income };
            let closing = target == CaseStatus::Closed;
            let expected = from.is_open()
                && target != from
                && (outcome.is_some() && income.is_some()) == closing
                && (closing || (outcome.is_none() && income.is_none()));
            prop_assert_eq!(check_change(from, &change).is_ok(), expected);
        }

        #[test]
        fn codes_read_back(s in status()) {
            prop_assert_eq!(s.code().parse::<CaseStatus>(), Ok(s));
        }
    }

    #[test]
    fn notes_show_by_visibility_and_consent() {
        let (a, b) = (crate::OrganisationId::new(), crate::OrganisationId::new());
        assert!(NoteVisibility::Organisation.shows_to(a, a, false));
        assert!(!NoteVisibility::Organisation.shows_to(a, b, true));
        assert!(
            !NoteVisibility::Team.shows_to(a, b, false),
            "not without consent"
        );
        assert!(NoteVisibility::Team.shows_to(a, b, true));
        assert!(NoteVisibility::Person.shows_to(a, b, true));
    }

    #[test]
    fn unknown_codes_are_named() {
        assert_eq!(
            "reopened".parse::<CaseStatus>(),
            Err(UnknownCode("reopened".into()))
        );
        for o in CaseOutcome::ALL {
            assert_eq!(o.code().parse::<CaseOutcome>(), Ok(*o));
        }
        for i in IncomeSource::ALL {
            assert_eq!(i.code().parse::<IncomeSource>(), Ok(*i));
        }
    }
}
