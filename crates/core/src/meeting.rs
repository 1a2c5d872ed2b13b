//! Joint meetings of a case (SIP-möte, samordningsmöte / fællesmøde): who is invited, and each
//! invitation's answer.

use crate::consent::{UnknownCode, codes};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Who an invitation is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InviteeKind {
    /// A member of the person's team (a user).
    Member,
    /// The person the case is about.
    Person,
    /// A relative or other close person.
    Relative,
    Interpreter,
}
codes!(InviteeKind {
    Member => "member",
    Person => "person",
    Relative => "relative",
    Interpreter => "interpreter",
});

/// The answer to an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InvitationState {
    Invited,
    Accepted,
    Declined,
}
codes!(InvitationState {
    Invited => "invited",
    Accepted => "accepted",
    Declined => "declined",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for k in InviteeKind::ALL {
            assert_eq!(k.code().parse::<InviteeKind>(), Ok(*k));
        }
        for s in InvitationState::ALL {
            assert_eq!(s.code().parse::<InvitationState>(), Ok(*s));
        }
        assert!("guest".parse::<InviteeKind>().is_err());
    }
}
