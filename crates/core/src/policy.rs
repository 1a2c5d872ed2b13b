//! The access policy: the ONE place that decides whether an actor may touch a person's data.
//!
//! A [`Grant`] can only be made here (its field is private), and the store's person-data functions
//! demand one, so code that skips the policy does not compile. The use case that asks also writes
//! the access-log entry for the decision, allowed or denied.

use crate::actor::{Actor, Membership, Role};
use crate::consent::{Block, Consent, ConsentState, EmergencyAccess, Provenance, TeamMember};
use crate::ids::{EmergencyAccessId, OrganisationId, PersonId, UnitId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the actor wants to do with person data. These are also the access log's actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Search persons by name or number: shows only persons the actor may see.
    Search,
    /// Look one person up by exact national identity number: identity data only.
    Lookup,
    /// Read one person's record.
    Read,
    /// Register a new person, or record something about one (a note, a consent, a block).
    Create,
    /// Change something recorded about a person (withdraw a consent, lift a block).
    Update,
    /// Produce a person's data or access history as a file or print.
    Export,
    /// Open a record without consent, stating a reason.
    EmergencyAccess,
    /// Search the access log (auditors).
    AuditSearch,
    /// Review an emergency access (auditors).
    Review,
    /// Put users or units on a person's team, or take them off (administrators).
    TeamAdmin,
    /// Import signal files for the actor's organisation (administrators).
    Import,
    /// See the worklist of items that rules raised from signals (coordinators).
    Worklist,
    /// Record a first contact with, or dismiss, a worklist item about one person (coordinators).
    Contact,
    /// Open a case for one person, which puts the case's coordinator on the person's team
    /// (coordinators).
    OpenCase,
    /// List the cases the actor works on, or their organisation's.
    Cases,
    /// Invite staff of any organisation to a person's team, or take them off it, as the
    /// coordinator of a case (coordinators on the team).
    CaseTeam,
}

impl Action {
    pub const ALL: [Action; 16] = [
        Action::Search,
        Action::Lookup,
        Action::Read,
        Action::Create,
        Action::Update,
        Action::Export,
        Action::EmergencyAccess,
        Action::AuditSearch,
        Action::Review,
        Action::TeamAdmin,
        Action::Import,
        Action::Worklist,
        Action::Contact,
        Action::OpenCase,
        Action::Cases,
        Action::CaseTeam,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::Search => "search",
            Action::Lookup => "lookup",
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Export => "export",
            Action::EmergencyAccess => "emergency_access",
            Action::AuditSearch => "audit_search",
            Action::Review => "review",
            Action::TeamAdmin => "team_admin",
            Action::Import => "import",
            Action::Worklist => "worklist",
            Action::Contact => "contact",
            Action::OpenCase => "open_case",
            Action::Cases => "cases",
            Action::CaseTeam => "case_team",
        }
    }
}

impl std::str::FromStr for Action {
    type Err = crate::consent::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.code() == s)
            .ok_or_else(|| crate::consent::UnknownCode(s.to_owned()))
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

/// Everything known about one person that bears on access, gathered by the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonFacts {
    pub protected_identity: bool,
    /// Every place on the person's team, active or not.
    pub team: Vec<TeamMember>,
    /// Every consent, in any state.
    pub consents: Vec<Consent>,
    /// Every block, lifted or not.
    pub blocks: Vec<Block>,
    /// The acting user's emergency accesses to this person, in any state.
    pub emergency: Vec<EmergencyAccess>,
}

/// The facts a decision is made over, besides the actor and the request.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub now: DateTime<Utc>,
    /// Today in the deployment's time zone.
    pub today: NaiveDate,
    /// Roles that may see that a person has protected identity at all (configuration).
    pub protected_identity_roles: &'a [Role],
    /// About the person the request concerns; needed for every request about one person.
    pub person: Option<&'a PersonFacts>,
}

/// Why access was refused. Recorded in the access log; shown to the user as a plain 403.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// The actor holds no role that may do this.
    RoleNotPermitted,
    /// The actor has no unit membership, so no organisation to act for.
    NoOrganisation,
    /// The actor is not on the person's team and has no emergency access.
    NotOnTeam,
    /// The request concerns one person but no facts about them were given (a caller bug).
    NoFacts,
}

impl DenyReason {
    pub fn code(self) -> &'static str {
        match self {
            DenyReason::RoleNotPermitted => "role_not_permitted",
            DenyReason::NoOrganisation => "no_organisation",
            DenyReason::NotOnTeam => "not_on_team",
            DenyReason::NoFacts => "no_facts",
        }
    }
}

/// Why a grant was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The actor's role alone (searches, registering, auditing).
    Role,
    /// The actor is on the person's team.
    Team,
    /// The actor opened the record under this emergency access.
    Emergency(EmergencyAccessId),
}

/// What a reader may see of one piece of information.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sight {
    Shown,
    /// A block hides it: the reader may learn that something is blocked, nothing more.
    Blocked,
    /// Another organisation's information that no valid consent shares with the reader.
    NotShared,
}

/// Permission to do one [`Action`], minted only by [`decide`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    user: UserId,
    unit: UnitId,
    organisation: OrganisationId,
    role: Role,
    request: AccessRequest,
    basis: Basis,
    now: DateTime<Utc>,
    today: NaiveDate,
    /// Units the actor works in with a role that meets persons (for limiting searches).
    person_units: Vec<UnitId>,
    /// For a grant on one person: their valid consents and blocks in force.
    consents: Vec<Consent>,
    blocks: Vec<Block>,
    /// The actor holds a role that may see protected-identity flags.
    protected_flag: bool,
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
    pub fn basis(&self) -> Basis {
        self.basis
    }
    /// The instant and deployment day the decision was made for.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }
    pub fn today(&self) -> NaiveDate {
        self.today
    }
    /// The one person this grant covers, if it is for one person.
    pub fn person(&self) -> Option<PersonId> {
        self.request.person
    }
    /// Whether this grant allows `action` on `person`.
    /// A grant for no one person (a search, a registration) covers only calls for no one
    /// person: a person's data always needs a grant for that person.
    pub fn covers(&self, action: Action, person: Option<PersonId>) -> bool {
        self.request.action == action && self.request.person == person
    }
    /// Who a search may show: persons whose team includes this user, or one of these units,
    /// or to whom this user has emergency access now.
    pub fn search_scope(&self) -> (UserId, &[UnitId]) {
        (self.user, &self.person_units)
    }
    /// Whether the reader may see that a person with `protected_identity` has it: only roles
    /// the configuration names learn that the person is protected at all.
    pub fn shows_protected_flag(&self, protected_identity: bool) -> bool {
        protected_identity && self.protected_flag
    }
    /// Whether the reader may see one piece of the person's information. Own organisation's
    /// information is shown unless a unit block hides it; another's needs a valid consent and no
    /// block. Emergency access shows everything, blocked information too.
    pub fn sees(&self, item: &Provenance) -> Sight {
        if matches!(self.basis, Basis::Emergency(_)) {
            return Sight::Shown;
        }
        self.sight(&self.consents, &self.blocks, item)
    }

    /// [`Grant::sees`] for a grant over many persons (a worklist): the person's consents and
    /// blocks come with the item. Only a `Worklist` grant answers; any other sees nothing here.
    pub fn sees_in_list(&self, consents: &[Consent], blocks: &[Block], item: &Provenance) -> Sight {
        if self.request.action != Action::Worklist {
            return Sight::NotShared;
        }
        let valid: Vec<Consent> = consents
            .iter()
            .filter(|c| c.state(self.today, self.now) == ConsentState::Valid)
            .filter(|c| c.receiving.contains(&self.organisation))
            .cloned()
            .collect();
        let in_force: Vec<Block> = blocks
            .iter()
            .filter(|b| b.in_force(self.now))
            .cloned()
            .collect();
        self.sight(&valid, &in_force, item)
    }

    fn sight(&self, consents: &[Consent], blocks: &[Block], item: &Provenance) -> Sight {
        let shared = item.organisation == self.organisation
            || consents.iter().any(|c| {
                c.covers(
                    self.today,
                    self.now,
                    item.organisation,
                    self.organisation,
                    item.category,
                )
            });
        // Blocked only where the reader would otherwise see it: a block must not tell anyone
        // that an organisation they get nothing from recorded something.
        if !shared {
            Sight::NotShared
        } else if blocks
            .iter()
            .any(|b| b.hides(self.now, item, self.organisation, self.unit))
        {
            Sight::Blocked
        } else {
            Sight::Shown
        }
    }
    /// Whether the reader may learn that `org` works with the person (its place on the team, its
    /// entries in the person's log): their own organisation, one that a valid consent lets share
    /// with them, or anyone under emergency access. Otherwise even that is secret.
    pub fn knows_of(&self, org: OrganisationId) -> bool {
        org == self.organisation
            || matches!(self.basis, Basis::Emergency(_))
            || self.consents.iter().any(|c| c.sharing.contains(&org))
    }
    /// The organisations [`Grant::knows_of`] names, for a query to filter by: `None` under
    /// emergency access (every organisation), else their own and those a valid consent lets
    /// share with them.
    pub fn known_organisations(&self) -> Option<Vec<OrganisationId>> {
        if matches!(self.basis, Basis::Emergency(_)) {
            return None;
        }
        let mut orgs = vec![self.organisation];
        for c in &self.consents {
            for o in &c.sharing {
                if !orgs.contains(o) {
                    orgs.push(*o);
                }
            }
        }
        Some(orgs)
    }
    /// Whether the reader may see `consent`: one that names their organisation, or recorded by
    /// it (or emergency access). A consent between other organisations tells who is involved.
    pub fn sees_consent(&self, consent: &Consent) -> bool {
        consent.recorded_by_organisation == self.organisation
            || consent.sharing.contains(&self.organisation)
            || consent.receiving.contains(&self.organisation)
            || matches!(self.basis, Basis::Emergency(_))
    }
    /// Whether the reader may see the details of `block` (their organisation recorded it, or
    /// emergency access).
    pub fn sees_block(&self, block: &Block) -> bool {
        block.recorded_by_organisation == self.organisation
            || matches!(self.basis, Basis::Emergency(_))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow(Grant),
    Deny(DenyReason),
}

/// Roles that work with person records. Administrators manage the organisation, programme leads
/// see aggregates, auditors see the access log: none of them needs a person's record.
pub const PERSON_ROLES: [Role; 2] = [Role::Coordinator, Role::Professional];

/// Which roles may do `action` at all.
pub fn roles_for(action: Action) -> &'static [Role] {
    match action {
        Action::Search
        | Action::Read
        | Action::Create
        | Action::Update
        | Action::EmergencyAccess => &PERSON_ROLES,
        // Administrators look a person up to put colleagues on their team.
        Action::Lookup => &[Role::Coordinator, Role::Professional, Role::Administrator],
        Action::Export | Action::AuditSearch | Action::Review => &[Role::Auditor],
        Action::TeamAdmin | Action::Import => &[Role::Administrator],
        // The coordination team finds and contacts people; others meet them through cases.
        Action::Worklist | Action::Contact | Action::OpenCase | Action::CaseTeam => {
            &[Role::Coordinator]
        }
        Action::Cases => &PERSON_ROLES,
    }
}

/// Decides `request` for `actor` over `facts`. Pure: the caller gathers the facts, and logs the
/// outcome either way.
///
/// Reading, or recording something about, one person needs an active place on their team (the
/// actor's own, or their unit's); reading also works under the actor's active emergency access.
/// What a grant then shows is decided by [`Grant::sees`].
pub fn decide(actor: &Actor, request: &AccessRequest, facts: &Facts<'_>) -> Decision {
    let roles = roles_for(request.action);
    let candidates: Vec<&Membership> = actor
        .memberships
        .iter()
        .filter(|m| roles.contains(&m.role))
        .collect();
    if candidates.is_empty() {
        return Decision::Deny(if actor.memberships.is_empty() {
            DenyReason::NoOrganisation
        } else {
            DenyReason::RoleNotPermitted
        });
    }
    let person_units = actor
        .memberships
        .iter()
        .filter(|m| PERSON_ROLES.contains(&m.role))
        .map(|m| m.unit_id)
        .collect();
    let needs_team = request.person.is_some()
        && matches!(
            request.action,
            Action::Read | Action::Create | Action::Update | Action::CaseTeam
        );
    let mut acting = candidates[0];
    let mut basis = Basis::Role;
    let mut person = None;
    if needs_team {
        let Some(p) = facts.person else {
            return Decision::Deny(DenyReason::NoFacts);
        };
        person = Some(p);
        let on_team = candidates.iter().copied().find(|m| {
            p.team
                .iter()
                .any(|t| t.active(facts.today, facts.now) && t.includes(actor.user_id, m.unit_id))
        });
        let emergency = p
            .emergency
            .iter()
            .find(|e| e.user_id == actor.user_id && e.active(facts.now));
        match (on_team, emergency) {
            (Some(m), _) => {
                acting = m;
                basis = Basis::Team;
            }
            (None, Some(e)) if request.action == Action::Read => {
                acting = candidates
                    .iter()
                    .copied()
                    .find(|m| m.unit_id == e.unit_id)
                    .unwrap_or(acting);
                basis = Basis::Emergency(e.id);
            }
            _ => return Decision::Deny(DenyReason::NotOnTeam),
        }
    } else if let (Some(_), Some(p)) = (request.person, facts.person) {
        person = Some(p);
    }
    let protected_flag = actor.has_any_role(facts.protected_identity_roles);
    let (consents, blocks) = match person {
        Some(p) => (
            p.consents
                .iter()
                .filter(|c| c.state(facts.today, facts.now) == ConsentState::Valid)
                .filter(|c| c.receiving.contains(&acting.organisation_id))
                .cloned()
                .collect(),
            p.blocks
                .iter()
                .filter(|b| b.in_force(facts.now))
                .cloned()
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    Decision::Allow(Grant {
        user: actor.user_id,
        unit: acting.unit_id,
        organisation: acting.organisation_id,
        role: acting.role,
        request: request.clone(),
        basis,
        now: facts.now,
        today: facts.today,
        person_units,
        consents,
        blocks,
        protected_flag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{BlockScope, Category, ConsentForm};
    use crate::ids::{BlockId, ConsentId, TeamMemberId};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 15, 10, 0, 0)
            .single()
            .expect("valid")
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 15).expect("valid")
    }

    fn actor(roles: &[Role]) -> Actor {
        let org = OrganisationId::new();
        Actor {
            user_id: UserId::new(),
            username: "u".into(),
            display_name: "U".into(),
            memberships: roles
                .iter()
                .map(|r| Membership {
                    unit_id: UnitId::new(),
                    organisation_id: org,
                    role: *r,
                })
                .collect(),
        }
    }

    fn facts<'a>(p: Option<&'a PersonFacts>) -> Facts<'a> {
        Facts {
            now: now(),
            today: today(),
            protected_identity_roles: &[Role::Coordinator],
            person: p,
        }
    }

    fn on_team(a: &Actor, person: PersonId) -> TeamMember {
        let m = &a.memberships[0];
        TeamMember {
            id: TeamMemberId::new(),
            person_id: person,
            user_id: Some(a.user_id),
            unit_id: m.unit_id,
            organisation_id: m.organisation_id,
            starts_on: today(),
            ended_at: None,
            added_by: None,
            created_at: now(),
        }
    }

    fn read(p: PersonId) -> AccessRequest {
        AccessRequest {
            action: Action::Read,
            person: Some(p),
        }
    }

    #[test]
    fn each_action_is_for_its_roles_only() {
        for action in Action::ALL {
            for role in Role::ALL {
                let a = actor(&[role]);
                let p = PersonId::new();
                let pf = PersonFacts {
                    team: vec![on_team(&a, p)],
                    ..PersonFacts::default()
                };
                let d = decide(
                    &a,
                    &AccessRequest {
                        action,
                        person: Some(p),
                    },
                    &facts(Some(&pf)),
                );
                assert_eq!(
                    matches!(d, Decision::Allow(_)),
                    roles_for(action).contains(&role),
                    "{action} as {role}"
                );
            }
        }
        let req = read(PersonId::new());
        assert_eq!(
            decide(&actor(&[]), &req, &facts(None)),
            Decision::Deny(DenyReason::NoOrganisation)
        );
    }

    #[test]
    fn reading_a_person_needs_an_active_place_on_the_team() {
        let a = actor(&[Role::Professional]);
        let p = PersonId::new();
        let mut pf = PersonFacts::default();
        assert_eq!(
            decide(&a, &read(p), &facts(Some(&pf))),
            Decision::Deny(DenyReason::NotOnTeam)
        );
        assert_eq!(
            decide(&a, &read(p), &facts(None)),
            Decision::Deny(DenyReason::NoFacts)
        );
        let mut t = on_team(&a, p);
        t.user_id = None; // the whole unit is on the team
        pf.team.push(t);
        assert!(
            matches!(decide(&a, &read(p), &facts(Some(&pf))), Decision::Allow(g) if g.basis() == Basis::Team)
        );
        pf.team[0].ended_at = Some(now());
        assert_eq!(
            decide(&a, &read(p), &facts(Some(&pf))),
            Decision::Deny(DenyReason::NotOnTeam),
            "ended at this instant"
        );
        pf.team[0].ended_at = None;
        pf.team[0].starts_on = today().succ_opt().expect("valid");
        assert_eq!(
            decide(&a, &read(p), &facts(Some(&pf))),
            Decision::Deny(DenyReason::NotOnTeam),
            "starts tomorrow"
        );
    }

    #[test]
    fn emergency_access_lets_the_user_read_only_while_it_lasts() {
        let a = actor(&[Role::Professional]);
        let p = PersonId::new();
        let m = &a.memberships[0];
        let e = EmergencyAccess {
            id: EmergencyAccessId::new(),
            person_id: p,
            user_id: a.user_id,
            organisation_id: m.organisation_id,
            unit_id: m.unit_id,
            reason: "unconscious".into(),
            started_at: now() - chrono::Duration::hours(1),
            expires_at: now() + chrono::Duration::hours(1),
            reviewed_at: None,
            reviewed_by: None,
            review_comment: None,
        };
        let mut pf = PersonFacts {
            emergency: vec![e],
            ..PersonFacts::default()
        };
        let Decision::Allow(g) = decide(&a, &read(p), &facts(Some(&pf))) else {
            panic!("emergency read refused");
        };
        assert!(matches!(g.basis(), Basis::Emergency(_)));
        // Under emergency access every organisation's part is shown.
        assert!(g.knows_of(OrganisationId::new()));
        assert_eq!(g.known_organisations(), None);
        let write = AccessRequest {
            action: Action::Create,
            person: Some(p),
        };
        assert_eq!(
            decide(&a, &write, &facts(Some(&pf))),
            Decision::Deny(DenyReason::NotOnTeam)
        );
        pf.emergency[0].expires_at = now();
        assert_eq!(
            decide(&a, &read(p), &facts(Some(&pf))),
            Decision::Deny(DenyReason::NotOnTeam)
        );
    }

    #[test]
    fn other_organisations_information_needs_consent_and_no_block() {
        let a = actor(&[Role::Coordinator]);
        let me = a.memberships[0].organisation_id;
        let (other, third) = (OrganisationId::new(), OrganisationId::new());
        let p = PersonId::new();
        let item = |org, category| Provenance {
            organisation: org,
            unit: UnitId::new(),
            category,
            recorded_on: today(),
        };
        let consent = Consent {
            id: ConsentId::new(),
            person_id: p,
            purpose: "coordination".into(),
            sharing: vec![other],
            receiving: vec![me],
            categories: vec![Category::Health],
            form: ConsentForm::Verbal,
            guardian: None,
            valid_from: today(),
            valid_to: None,
            recorded_by: UserId::new(),
            recorded_by_organisation: other,
            recorded_at: now(),
            withdrawn_at: None,
            withdrawn_by: None,
        };
        let mut pf = PersonFacts {
            team: vec![on_team(&a, p)],
            consents: vec![consent],
            ..PersonFacts::default()
        };
        let grant = |pf: &PersonFacts| match decide(&a, &read(p), &facts(Some(pf))) {
            Decision::Allow(g) => g,
            d => panic!("{d:?}"),
        };
        let g = grant(&pf);
        assert_eq!(g.sees(&item(me, Category::Social)), Sight::Shown, "own");
        assert_eq!(g.sees(&item(other, Category::Health)), Sight::Shown);
        assert_eq!(g.sees(&item(other, Category::Social)), Sight::NotShared);
        assert_eq!(g.sees(&item(third, Category::Health)), Sight::NotShared);

        pf.blocks.push(Block {
            id: BlockId::new(),
            person_id: p,
            scope: BlockScope::Organisation(other),
            from: None,
            to: None,
            recorded_by: UserId::new(),
            recorded_by_organisation: other,
            recorded_at: now(),
            lifted_at: None,
            lifted_by: None,
        });
        let g = grant(&pf);
        assert_eq!(g.sees(&item(other, Category::Health)), Sight::Blocked);
        assert!(!g.sees_block(&pf.blocks[0]));

        assert!(g.knows_of(me) && g.knows_of(other) && !g.knows_of(third));
        // What a query filters by says the same.
        assert_eq!(g.known_organisations(), Some(vec![me, other]));
        assert!(g.sees_consent(&pf.consents[0]));
        let mut between_others = pf.consents[0].clone();
        between_others.sharing = vec![third];
        between_others.receiving = vec![other];
        between_others.recorded_by_organisation = other;
        assert!(
            !g.sees_consent(&between_others),
            "a consent between others is theirs"
        );

        pf.blocks.clear();
        pf.consents[0].withdrawn_at = Some(now());
        assert_eq!(
            grant(&pf).sees(&item(other, Category::Health)),
            Sight::NotShared,
            "withdrawn"
        );
        assert!(
            !grant(&pf).knows_of(other),
            "no longer told that the other works with them"
        );
        assert_eq!(grant(&pf).known_organisations(), Some(vec![me]));
    }

    #[test]
    fn protected_identity_is_seen_only_by_configured_roles() {
        let p = PersonId::new();
        for (role, sees) in [(Role::Coordinator, true), (Role::Professional, false)] {
            let a = actor(&[role]);
            let pf = PersonFacts {
                protected_identity: true,
                team: vec![on_team(&a, p)],
                ..PersonFacts::default()
            };
            let Decision::Allow(g) = decide(&a, &read(p), &facts(Some(&pf))) else {
                panic!()
            };
            assert_eq!(g.shows_protected_flag(true), sees, "{role}");
            assert!(!g.shows_protected_flag(false));
        }
    }

    #[test]
    fn grant_is_for_the_requested_person_and_action() {
        let a = actor(&[Role::Professional]);
        let p = PersonId::new();
        let pf = PersonFacts {
            team: vec![on_team(&a, p)],
            ..PersonFacts::default()
        };
        let Decision::Allow(g) = decide(&a, &read(p), &facts(Some(&pf))) else {
            panic!("expected allow");
        };
        assert!(g.covers(Action::Read, Some(p)));
        assert!(!g.covers(Action::Read, Some(PersonId::new())));
        assert!(!g.covers(Action::Update, Some(p)));
    }
}
