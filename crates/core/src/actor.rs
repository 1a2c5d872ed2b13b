//! Who is acting: a signed-in user with their unit memberships and roles.

use crate::ids::{OrganisationId, UnitId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A role a user holds in a unit (DOMAIN.md, "The people who use it").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Coordinator,
    Professional,
    ProgrammeLead,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Administrator,
        Role::Coordinator,
        Role::Professional,
        Role::ProgrammeLead,
        Role::Auditor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Coordinator => "coordinator",
            Role::Professional => "professional",
            Role::ProgrammeLead => "programme_lead",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A user's place of work: a unit of an organisation, with a role there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub unit_id: UnitId,
    pub organisation_id: OrganisationId,
    pub role: Role,
}

/// The signed-in user on whose behalf a use case runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub memberships: Vec<Membership>,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.memberships.iter().any(|m| m.role == role)
    }

    /// Whether the user is a coordinator in this organisation (in any of its units). A
    /// coordinator's role in one organisation gives nothing in another.
    pub fn coordinates_in(&self, organisation: crate::OrganisationId) -> bool {
        self.memberships
            .iter()
            .any(|m| m.role == Role::Coordinator && m.organisation_id == organisation)
    }

    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has_role(*r))
    }

    /// The distinct roles the user holds, in a stable order.
    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self.memberships.iter().map(|m| m.role).collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// The organisation the user acts for: that of their first membership. Users who work for
    /// several organisations act for the first one listed until a switch exists.
    pub fn primary_membership(&self) -> Option<&Membership> {
        self.memberships.first()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.code().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn a_coordinator_in_one_organisation_is_not_one_in_another() {
        let (a, b) = (crate::OrganisationId::new(), crate::OrganisationId::new());
        let actor = Actor {
            user_id: crate::UserId::new(),
            username: "eva".into(),
            display_name: "Eva".into(),
            memberships: vec![
                Membership {
                    unit_id: crate::UnitId::new(),
                    organisation_id: a,
                    role: Role::Professional,
                },
                Membership {
                    unit_id: crate::UnitId::new(),
                    organisation_id: b,
                    role: Role::Coordinator,
                },
            ],
        };
        assert!(actor.has_role(Role::Coordinator));
        assert!(actor.coordinates_in(b));
        assert!(!actor.coordinates_in(a));
    }
}
