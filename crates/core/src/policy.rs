//! The access policy: the ONE place that decides whether an actor may touch a person's data.
//!
//! A [`Grant`] can only be made here (its field is private), and the store's person-data functions
//! demand one, so code that skips the policy does not compile. The use case that asks also writes
//! the access-log entry for the decision, allowed or denied.

use crate::actor::{Actor, Membership, Role};
use crate::ids::{OrganisationId, PersonId, UnitId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the actor wants to do with person data. These are also the access log's actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Search persons by name or number.
    Search,
    /// Read one person's record.
    Read,
    /// Register a new person.
    Create,
    Update,
    Export,
    EmergencyAccess,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Search => "search",
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Export => "export",
            Action::EmergencyAccess => "emergency_access",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The request put to the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessRequest {
    pub action: Action,
    /// The person concerned; `None` for a search across persons or registering a new one.
    pub person: Option<PersonId>,
}

/// Why access was refused. Recorded in the access log; shown to the user as a plain 403.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// The actor holds no role that works with person records.
    RoleNotPermitted,
    /// The actor has no unit membership, so no organisation to act for.
    NoOrganisation,
}

impl DenyReason {
    pub fn code(self) -> &'static str {
        match self {
            DenyReason::RoleNotPermitted => "role_not_permitted",
            DenyReason::NoOrganisation => "no_organisation",
        }
    }
}

/// Permission to do one [`Action`] on person data, minted only by [`decide`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    user: UserId,
    unit: UnitId,
    organisation: OrganisationId,
    role: Role,
    request: AccessRequest,
}

impl Grant {
    pub fn user(&self) -> UserId {
        self.user
    }
    /// Where the actor acts from: unit, organisation and role.
    pub fn membership(&self) -> Membership {
        Membership {
            unit_id: self.unit,
            organisation_id: self.organisation,
            role: self.role,
        }
    }
    /// The unit the actor acts from.
    pub fn unit(&self) -> UnitId {
        self.unit
    }
    pub fn organisation(&self) -> OrganisationId {
        self.organisation
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn action(&self) -> Action {
        self.request.action
    }
    /// The one person this grant covers, if it is for one person.
    pub fn person(&self) -> Option<PersonId> {
        self.request.person
    }
    /// Whether this grant allows `action` on `person`.
    pub fn covers(&self, action: Action, person: Option<PersonId>) -> bool {
        self.request.action == action
            && (self.request.person.is_none() || self.request.person == person)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow(Grant),
    Deny(DenyReason),
}

/// Roles that work with person records. Administrators manage the organisation, programme leads
/// see aggregates, auditors see the access log: none of them needs a person's record.
const PERSON_ROLES: [Role; 2] = [Role::Coordinator, Role::Professional];

/// Decides `request` for `actor`. Pure: the caller gathers the facts and logs the outcome.
pub fn decide(actor: &Actor, request: &AccessRequest) -> Decision {
    let Some(membership) = actor
        .memberships
        .iter()
        .find(|m| PERSON_ROLES.contains(&m.role))
    else {
        return if actor.memberships.is_empty() {
            Decision::Deny(DenyReason::NoOrganisation)
        } else {
            Decision::Deny(DenyReason::RoleNotPermitted)
        };
    };
    Decision::Allow(Grant {
        user: actor.user_id,
        unit: membership.unit_id,
        organisation: membership.organisation_id,
        role: membership.role,
        request: request.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Membership;
    use crate::ids::UnitId;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user_id: UserId::new(),
            username: "u".into(),
            display_name: "U".into(),
            memberships: roles
                .iter()
                .map(|r| Membership {
                    unit_id: UnitId::new(),
                    organisation_id: OrganisationId::new(),
                    role: *r,
                })
                .collect(),
        }
    }

    #[test]
    fn only_person_roles_get_a_grant() {
        let req = AccessRequest {
            action: Action::Read,
            person: Some(PersonId::new()),
        };
        for role in Role::ALL {
            let d = decide(&actor(&[role]), &req);
            let allowed = matches!(d, Decision::Allow(_));
            assert_eq!(allowed, PERSON_ROLES.contains(&role), "{role}");
        }
        assert_eq!(
            decide(&actor(&[]), &req),
            Decision::Deny(DenyReason::NoOrganisation)
        );
    }

    #[test]
    fn grant_is_for_the_requested_person_and_action() {
        let p = PersonId::new();
        let req = AccessRequest {
            action: Action::Read,
            person: Some(p),
        };
        let Decision::Allow(g) = decide(&actor(&[Role::Professional]), &req) else {
            panic!("expected allow");
        };
        assert!(g.covers(Action::Read, Some(p)));
        assert!(!g.covers(Action::Read, Some(PersonId::new())));
        assert!(!g.covers(Action::Update, Some(p)));
    }
}
