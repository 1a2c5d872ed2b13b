//! Tasks and referrals between organisations on a case, with a closed loop: requested → accepted
//! or declined (with a reason) → in progress → done; the requester may cancel an open task.
//! Every step is timestamped by the caller; this module says which steps are allowed.

use crate::consent::{UnknownCode, codes};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskStatus {
    Requested,
    Accepted,
    Declined,
    InProgress,
    Done,
    Cancelled,
}
codes!(TaskStatus {
    Requested => "requested",
    Accepted => "accepted",
    Declined => "declined",
    InProgress => "in_progress",
    Done => "done",
    Cancelled => "cancelled",
});

/// Which side of a task acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The organisation that asked.
    Requester,
    /// The organisation asked.
    Receiver,
}

/// Why a step is refused; the locale key names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("this step is not possible from the task's status")]
    NotFromHere,
    #[error("only the other side takes this step")]
    WrongSide,
    #[error("declining needs a reason")]
    ReasonRequired,
}

impl StepError {
    pub fn key(self) -> &'static str {
        match self {
            StepError::NotFromHere => "task-step-not-possible",
            StepError::WrongSide => "task-step-wrong-side",
            StepError::ReasonRequired => "task-reason-required",
        }
    }
}

impl TaskStatus {
    pub fn is_open(self) -> bool {
        matches!(
            self,
            TaskStatus::Requested | TaskStatus::Accepted | TaskStatus::InProgress
        )
    }

    /// Whether an open task is overdue on `today` (due dates are calendar days).
    pub fn is_overdue(self, due_on: NaiveDate, today: NaiveDate) -> bool {
        self.is_open() && due_on < today
    }
}

/// Checks one step of a task: from `from` to `to`, taken by `side`, with `reason` (needed to
/// decline). The receiver accepts or declines a requested task, starts an accepted one and
/// completes an accepted or started one; the requester cancels an open one.
pub fn check_step(
    from: TaskStatus,
    to: TaskStatus,
    side: Side,
    reason: Option<&str>,
) -> Result<(), StepError> {
    use TaskStatus::*;
    let (allowed, by) = match (from, to) {
        (Requested, Accepted) | (Requested, Declined) => (true, Side::Receiver),
        (Accepted, InProgress) | (Accepted, Done) | (InProgress, Done) => (true, Side::Receiver),
        (f, Cancelled) if f.is_open() => (true, Side::Requester),
        _ => (false, side),
    };
    if !allowed {
        return Err(StepError::NotFromHere);
    }
    if by != side {
        return Err(StepError::WrongSide);
    }
    if to == Declined && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(StepError::ReasonRequired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus::*;
    use proptest::prelude::*;

    #[test]
    fn the_loop_closes_and_invalid_steps_are_refused() {
        assert_eq!(
            check_step(Requested, Accepted, Side::Receiver, None),
            Ok(())
        );
        assert_eq!(
            check_step(Accepted, InProgress, Side::Receiver, None),
            Ok(())
        );
        assert_eq!(check_step(InProgress, Done, Side::Receiver, None), Ok(()));
        assert_eq!(
            check_step(Requested, Declined, Side::Receiver, Some(" ")),
            Err(StepError::ReasonRequired)
        );
        assert_eq!(
            check_step(Requested, Declined, Side::Receiver, Some("Ingen kapacitet")),
            Ok(())
        );
        assert_eq!(
            check_step(Requested, Accepted, Side::Requester, None),
            Err(StepError::WrongSide)
        );
        assert_eq!(
            check_step(Requested, Done, Side::Receiver, None),
            Err(StepError::NotFromHere),
            "work starts with accepting"
        );
        assert_eq!(
            check_step(Done, InProgress, Side::Receiver, None),
            Err(StepError::NotFromHere)
        );
        assert_eq!(
            check_step(Accepted, Cancelled, Side::Requester, None),
            Ok(())
        );
        assert_eq!(
            check_step(Declined, Cancelled, Side::Requester, None),
            Err(StepError::NotFromHere)
        );
    }

    #[test]
    fn only_open_tasks_past_their_day_are_overdue() {
        let due = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
        let next = NaiveDate::from_ymd_opt(2026, 11, 21).expect("date");
        assert!(!Accepted.is_overdue(due, due), "due today is not overdue");
        assert!(Accepted.is_overdue(due, next));
        assert!(!Done.is_overdue(due, next));
    }

    proptest! {
        /// No step leaves a closed task, every allowed step ends in a different status, and each
        /// is taken by its side.
        #[test]
        fn closed_tasks_stay_closed(
            from in proptest::sample::select(TaskStatus::ALL),
            to in proptest::sample::select(TaskStatus::ALL),
            receiver in any::<bool>(),
        ) {
            let side = if receiver { Side::Receiver } else { Side::Requester };
            if check_step(from, to, side, Some("skäl")).is_ok() {
                prop_assert!(from.is_open());
                prop_assert_ne!(from, to);
                // The requester only cancels; everything else is the receiver's.
                prop_assert_eq!(side == Side::Requester, to == Cancelled);
            }
        }
    }
}
