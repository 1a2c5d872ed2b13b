//! Team membership: who works with a person. Cases will put people on teams (issue 5); until
//! then administrators do it here, for their own organisation's staff.

use crate::admin::parse_date;
use crate::error::Problems;
use crate::{App, AppError, FieldError};
use samverka_core::actor::Actor;
use samverka_core::consent::TeamMember;
use samverka_core::policy::Action;
use samverka_core::{TeamMemberId, UnitId, UserId};
use samverka_store::consent::{self, TeamPlace};
use samverka_store::person;

/// Most team places the administrators' page lists.
pub const TEAM_PAGE: i64 = 200;

#[derive(Clone, Debug)]
pub struct TeamAdmin {
    pub places: Vec<TeamPlace>,
    /// Staff who can be put on a team: (user, name, unit, unit name).
    pub staff: Vec<(UserId, String, UnitId, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct TeamInput {
    pub national_id: String,
    /// `user:<user id>:<unit id>` for one person in a unit, or `unit:<unit id>` for a whole unit.
    pub member: String,
    pub starts_on: String,
}

impl App {
    /// The organisation's active team places and the staff to choose from.
    pub async fn team_admin(&self, actor: &Actor) -> Result<TeamAdmin, AppError> {
        let grant = self
            .authorize(actor, Action::TeamAdmin, None, "team_places")
            .await?;
        let mut tx = self.db.begin_read().await?;
        let places = consent::team_places(&mut tx, &grant, TEAM_PAGE).await?;
        let staff = consent::organisation_staff(&mut tx, grant.organisation()).await?;
        drop(tx);
        // The list names persons: each one shown is logged.
        let mut entries = vec![self.allowed(&grant, None, "team_places")];
        let mut seen = Vec::new();
        for p in &places {
            if !seen.contains(&p.member.person_id) {
                seen.push(p.member.person_id);
                entries.push(self.allowed(&grant, Some(p.member.person_id), "team_places"));
            }
        }
        self.log.write(entries).await?;
        Ok(TeamAdmin { places, staff })
    }

    /// Puts a user (in one of their units) or a whole unit of the administrator's organisation
    /// on the team of the person with this number.
    pub async fn add_team_member(
        &self,
        actor: &Actor,
        input: &TeamInput,
    ) -> Result<TeamMemberId, AppError> {
        let lookup = self
            .authorize(actor, Action::Lookup, None, "identity_lookup")
            .await?;
        let mut p = Problems::default();
        let numbers = self
            .read_number(&input.national_id, "national_id")
            .unwrap_or_else(|e| {
                p.push(e);
                Vec::new()
            });
        let mut tx = self.db.begin().await?;
        let found = person::lookup(&mut tx, &lookup, &numbers).await?;
        if !numbers.is_empty() && found.is_empty() {
            p.push(FieldError::new("national_id", "person-not-found"));
        }
        let starts_on = if input.starts_on.trim().is_empty() {
            Some(self.today())
        } else {
            parse_date(&mut p, "starts_on", &input.starts_on, true)
        };
        let member = parse_member(&input.member);
        if member.is_none() {
            p.push(FieldError::new("member", "field-required"));
        }
        let Some(person) = found.first().map(|i| i.id) else {
            drop(tx);
            p.finish()?;
            return Err(AppError::invalid("national_id", "person-not-found"));
        };
        let grant = granted!(
            self,
            tx,
            self.check(
                &mut tx,
                actor,
                Action::TeamAdmin,
                Some(person),
                "team_member_add"
            )
            .await?
        );
        // Only the administrator's own organisation's staff and units.
        let staff = consent::organisation_staff(&mut tx, grant.organisation()).await?;
        let (user, unit) = match member {
            Some((Some(u), unit)) if staff.iter().any(|s| s.0 == u && s.2 == unit) => {
                (Some(u), unit)
            }
            Some((None, unit)) if staff.iter().any(|s| s.2 == unit) => (None, unit),
            Some(_) => {
                p.push(FieldError::new("member", "member-not-in-organisation"));
                (None, UnitId::default())
            }
            None => (None, UnitId::default()),
        };
        if let Err(e) = p.finish() {
            drop(tx);
            self.log
                .write(vec![self.allowed(&lookup, Some(person), "identity_lookup")])
                .await?;
            return Err(e);
        }
        let t = TeamMember {
            id: TeamMemberId::new(),
            person_id: person,
            user_id: user,
            unit_id: unit,
            organisation_id: grant.organisation(),
            starts_on: starts_on.unwrap_or_else(|| self.today()),
            ended_at: None,
            added_by: Some(actor.user_id),
            created_at: self.now(),
        };
        consent::insert_team_member(&mut tx, &grant, &t).await?;
        self.commit_logged(
            tx,
            &[
                self.allowed(&lookup, Some(person), "identity_lookup"),
                self.allowed(&grant, Some(person), "team_member_add"),
            ],
        )
        .await?;
        Ok(t.id)
    }

    /// Takes a place off a team: from this instant it gives no access.
    pub async fn end_team_member(&self, actor: &Actor, id: TeamMemberId) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        if let Some(person) = consent::team_place_person(&mut tx, id).await? {
            consent::lock_person(&mut tx, person).await?;
        }
        let grant = granted!(
            self,
            tx,
            self.check(&mut tx, actor, Action::TeamAdmin, None, "team_member_end")
                .await?
        );
        let Some(person) = consent::end_team_member(&mut tx, &grant, id, self.now()).await? else {
            return Err(AppError::NotFound);
        };
        self.commit_logged(tx, &[self.allowed(&grant, Some(person), "team_member_end")])
            .await?;
        Ok(())
    }
}

fn parse_member(s: &str) -> Option<(Option<UserId>, UnitId)> {
    let parts: Vec<&str> = s.trim().split(':').collect();
    match parts.as_slice() {
        ["user", u, unit] => Some((Some(u.parse().ok()?), unit.parse().ok()?)),
        ["unit", unit] => Some((None, unit.parse().ok()?)),
        _ => None,
    }
}
