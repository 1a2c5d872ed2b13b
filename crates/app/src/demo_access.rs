//! The demo's access facts: teams, consents (valid, expired, withdrawn, a guardian's), blocks,
//! notes from several organisations, a protected identity and an emergency access awaiting
//! review, so that every access rule can be seen by signing in as the demo users. Everything
//! goes through the policy and the store's grant-checked functions like any other change, and
//! leaves access-log entries.

use crate::{App, AppError};
use chrono::{Datelike, Duration};
use samverka_core::actor::Actor;
use samverka_core::case::{CaseOutcome, CaseStatus, IncomeSource};
use samverka_core::consent::{
    Block, BlockScope, Category, Consent, ConsentForm, EmergencyAccess, TeamMember,
};
use samverka_core::policy::{self, AccessRequest, Action, Decision, Grant, PersonFacts};
use samverka_core::{BlockId, ConsentId, EmergencyAccessId, NoteId, PersonId, TeamMemberId};
use samverka_core::{CaseEventId, CaseId, ProgrammeId};
use samverka_store::Tx;
use samverka_store::access_log;
use samverka_store::case::{self, Case, CaseEvent};
use samverka_store::consent;
use samverka_store::note::{self, Note};
use samverka_store::org;
use samverka_store::person::Person;
use std::collections::HashMap;

struct Seeder<'a> {
    app: &'a App,
    actors: &'a HashMap<&'a str, Actor>,
    /// Team places made so far, per person: the facts later grants are decided over.
    facts: HashMap<PersonId, PersonFacts>,
}

impl Seeder<'_> {
    fn actor(&self, name: &str) -> Result<&Actor, AppError> {
        self.actors
            .get(name)
            .ok_or_else(|| AppError::Internal(format!("demo user {name} missing")))
    }

    fn grant(&self, user: &str, action: Action, person: PersonId) -> Result<Grant, AppError> {
        let actor = self.actor(user)?;
        let facts = self.facts.get(&person);
        match policy::decide(
            actor,
            &AccessRequest {
                action,
                person: Some(person),
            },
            &self.app.facts(facts),
        ) {
            Decision::Allow(g) => Ok(g),
            Decision::Deny(r) => Err(AppError::Internal(format!(
                "demo: {user} may not {action}: {}",
                r.code()
            ))),
        }
    }

    async fn log(
        &self,
        tx: &mut Tx,
        g: &Grant,
        person: PersonId,
        what: &str,
    ) -> Result<(), AppError> {
        access_log::append_unsealed(tx, &self.app.allowed(g, Some(person), what)).await?;
        Ok(())
    }

    async fn team(
        &mut self,
        tx: &mut Tx,
        person: PersonId,
        users: &[&str],
    ) -> Result<(), AppError> {
        let admin = self.grant("admin", Action::TeamAdmin, person)?;
        for u in users {
            let m = &self.actor(u)?.memberships[0];
            let t = TeamMember {
                id: TeamMemberId::new(),
                person_id: person,
                user_id: Some(self.actor(u)?.user_id),
                unit_id: m.unit_id,
                organisation_id: m.organisation_id,
                starts_on: self.app.today() - Duration::days(60),
                ended_at: None,
                added_by: Some(admin.user()),
                created_at: self.app.now(),
            };
            consent::insert_team_member(tx, &admin, &t).await?;
            self.log(tx, &admin, person, "team_member_add").await?;
            self.facts.entry(person).or_default().team.push(t);
        }
        Ok(())
    }

    async fn note(
        &self,
        tx: &mut Tx,
        user: &str,
        person: PersonId,
        category: Category,
        body: &str,
    ) -> Result<(), AppError> {
        let g = self.grant(user, Action::Create, person)?;
        let n = Note {
            id: NoteId::new(),
            person_id: person,
            organisation_id: g.organisation(),
            unit_id: g.unit(),
            author_id: g.user(),
            category,
            body: body.to_owned(),
            recorded_on: self.app.today() - Duration::days(10),
            created_at: self.app.now(),
        };
        note::insert(tx, &g, &n).await?;
        self.log(tx, &g, person, "note").await
    }

    /// A consent recorded by `user` that every organisation of `among` shares with every other.
    #[allow(clippy::too_many_arguments)]
    async fn consent(
        &self,
        tx: &mut Tx,
        user: &str,
        person: PersonId,
        among: &[&str],
        categories: &[Category],
        valid: (i64, Option<i64>),
        withdrawn_days_ago: Option<i64>,
        guardian: Option<&str>,
    ) -> Result<(), AppError> {
        let g = self.grant(user, Action::Create, person)?;
        let mut orgs = Vec::new();
        for u in among {
            let o = self.actor(u)?.memberships[0].organisation_id;
            if !orgs.contains(&o) {
                orgs.push(o);
            }
        }
        let today = self.app.today();
        let now = self.app.now();
        let c = Consent {
            id: ConsentId::new(),
            person_id: person,
            purpose: "Samordnad rehabilitering och gemensam plan".into(),
            sharing: orgs.clone(),
            receiving: orgs,
            categories: categories.to_vec(),
            form: if guardian.is_some() {
                ConsentForm::Written
            } else {
                ConsentForm::Verbal
            },
            guardian: guardian.map(str::to_owned),
            valid_from: today - Duration::days(valid.0),
            valid_to: valid.1.map(|d| today + Duration::days(d)),
            recorded_by: g.user(),
            recorded_by_organisation: g.organisation(),
            recorded_at: now - Duration::days(valid.0),
            withdrawn_at: withdrawn_days_ago.map(|d| now - Duration::days(d)),
            withdrawn_by: withdrawn_days_ago.map(|_| g.user()),
        };
        consent::insert_consent(tx, &g, &c).await?;
        self.log(tx, &g, person, "consent").await?;
        if withdrawn_days_ago.is_some() {
            self.log(tx, &g, person, "consent_withdrawal").await?;
        }
        Ok(())
    }
}

impl Seeder<'_> {
    /// A case of the demo coordinator for `person` in `programme`, opened `days_ago` days ago
    /// and moved, a few days per step, through each status up to `status` (closed with
    /// `closing`), every step dated and logged as a real one would be.
    #[allow(clippy::too_many_arguments)]
    async fn case(
        &mut self,
        tx: &mut Tx,
        coordinator: &str,
        person: PersonId,
        programme: ProgrammeId,
        target_group: &str,
        status: CaseStatus,
        days_ago: i64,
        closing: Option<(CaseOutcome, IncomeSource)>,
    ) -> Result<(), AppError> {
        let on_team = self.facts.get(&person).is_some_and(|f| {
            let me = self.actors.get(coordinator).map(|a| a.user_id);
            f.team
                .iter()
                .any(|t| t.user_id.is_some() && t.user_id == me)
        });
        if !on_team {
            self.team(tx, person, &[coordinator]).await?;
        }
        let g = self.grant(coordinator, Action::OpenCase, person)?;
        let opened_at = self.app.now() - Duration::days(days_ago);
        let c = Case {
            id: CaseId::new(),
            person_id: person,
            programme_id: programme,
            organisation_id: g.organisation(),
            unit_id: g.unit(),
            coordinator_id: g.user(),
            target_group: target_group.to_owned(),
            status: CaseStatus::Identified,
            flag: None,
            first_contact_on: (status > CaseStatus::Identified)
                .then(|| self.app.today() - Duration::days(days_ago - 2)),
            outcome: None,
            income: None,
            opened_at,
            opened_by: g.user(),
            closed_at: None,
            version: 1,
        };
        case::insert(tx, &g, &c).await?;
        self.log(tx, &g, person, "case").await?;
        let g = self.grant(coordinator, Action::Update, person)?;
        let steps: Vec<CaseStatus> = CaseStatus::ALL
            .iter()
            .copied()
            .filter(|s| *s > CaseStatus::Identified && *s <= status)
            .collect();
        let mut from = CaseStatus::Identified;
        for (i, to) in steps.iter().enumerate() {
            let closes = *to == CaseStatus::Closed;
            let e = CaseEvent {
                id: CaseEventId::new(),
                case_id: c.id,
                at: opened_at + Duration::days(2 * (i as i64 + 1)),
                by_user: g.user(),
                by_organisation: g.organisation(),
                from: Some(from),
                to: *to,
                outcome: closing.filter(|_| closes).map(|x| x.0),
                income: closing.filter(|_| closes).map(|x| x.1),
            };
            if !case::change_status(tx, &g, c.id, i as i64 + 1, &e).await? {
                return Err(AppError::Internal("demo: a case step was refused".into()));
            }
            self.log(tx, &g, person, "case_status").await?;
            from = *to;
        }
        Ok(())
    }
}

fn age(p: &Person, today: chrono::NaiveDate) -> i32 {
    p.birth_date.map_or(0, |b| {
        today.year() - b.year() - i32::from((today.month(), today.day()) < (b.month(), b.day()))
    })
}

impl App {
    /// Seeds the demo's access facts in `tx` (the demo loader's transaction).
    pub(crate) async fn seed_demo_access(
        &self,
        tx: &mut Tx,
        actors: &HashMap<&str, Actor>,
        persons: &[Person],
    ) -> Result<(), AppError> {
        let today = self.today();
        let swedish: Vec<&Person> = persons
            .iter()
            .filter(|p| p.national_id.kind() != samverka_core::national_id::NationalIdKind::Cpr)
            .collect();
        let mut adults = swedish
            .iter()
            .filter(|p| age(p, today) >= 20 && age(p, today) < 65 && !p.protected_identity);
        let mut pick = || {
            adults
                .next()
                .map(|p| p.id)
                .ok_or_else(|| AppError::Internal("demo: too few adults".into()))
        };
        let (a, b, c, d) = (pick()?, pick()?, pick()?, pick()?);
        // A tiny demo (tests) may lack a child or a protected identity; the full one has both.
        let child = swedish
            .iter()
            .find(|p| age(p, today) < 18 && age(p, today) >= 10);
        let protected = swedish.iter().find(|p| p.protected_identity);
        let mut s = Seeder {
            app: self,
            actors,
            facts: HashMap::new(),
        };
        use Category::*;
        let core_team = [
            "coordinator",
            "primarycare",
            "social",
            "insurance",
            "employment",
        ];

        // A: the Skäggetorp flow, a valid consent among the four authorities.
        s.team(tx, a, &core_team).await?;
        s.consent(
            tx,
            "coordinator",
            a,
            &core_team,
            &[Health, Social, Insurance, Employment],
            (20, Some(345)),
            None,
            None,
        )
        .await?;
        s.note(tx, "primarycare", a, Health, "Långvarig ländryggssmärta, sjukskriven sedan 30 dagar. Önskar stöd tillbaka till arbete.").await?;
        s.note(
            tx,
            "social",
            a,
            Social,
            "Ekonomiskt bistånd sedan två månader. Bor ensam, två barn varannan vecka.",
        )
        .await?;
        s.note(
            tx,
            "insurance",
            a,
            Insurance,
            "Sjukpenning beviljad; avstämningsmöte planeras dag 60.",
        )
        .await?;
        s.note(
            tx,
            "employment",
            a,
            Employment,
            "Inskriven som arbetssökande; intresserad av arbetsträning inom lager.",
        )
        .await?;

        // B: the consent expired: each organisation sees its own notes only.
        s.team(tx, b, &["coordinator", "primarycare", "social"])
            .await?;
        s.consent(
            tx,
            "coordinator",
            b,
            &["coordinator", "primarycare", "social"],
            &[Health, Social],
            (400, Some(-35)),
            None,
            None,
        )
        .await?;
        s.note(
            tx,
            "primarycare",
            b,
            Health,
            "Depressionsbehandling pågår, PHQ-9 14 vid senaste besök.",
        )
        .await?;
        s.note(
            tx,
            "social",
            b,
            Social,
            "Kontakt med missbruksenheten avslutad enligt egen önskan.",
        )
        .await?;

        // C: the consent was withdrawn yesterday.
        s.team(tx, c, &["coordinator", "social", "insurance"])
            .await?;
        s.consent(
            tx,
            "coordinator",
            c,
            &["coordinator", "social", "insurance"],
            &[Social, Insurance],
            (90, None),
            Some(1),
            None,
        )
        .await?;
        s.note(
            tx,
            "social",
            c,
            Social,
            "Hyresskuld; ansökan om ekonomiskt bistånd inlämnad.",
        )
        .await?;
        s.note(
            tx,
            "insurance",
            c,
            Insurance,
            "Aktivitetsersättning under utredning.",
        )
        .await?;

        // D: a valid consent, but the person blocked social services' information.
        s.team(tx, d, &["coordinator", "primarycare", "social", "homecare"])
            .await?;
        s.consent(
            tx,
            "coordinator",
            d,
            &["coordinator", "primarycare", "social", "homecare"],
            &[Health, Social],
            (30, Some(335)),
            None,
            None,
        )
        .await?;
        s.note(
            tx,
            "primarycare",
            d,
            Health,
            "Diabetes typ 2, insulinbehandlad. Behöver stöd med läkemedel.",
        )
        .await?;
        s.note(
            tx,
            "social",
            d,
            Social,
            "Utredning enligt LVM avslutad 2024; inga pågående insatser.",
        )
        .await?;
        s.note(
            tx,
            "homecare",
            d,
            Social,
            "Hemtjänst två gånger dagligen för läkemedelsöverlämning.",
        )
        .await?;
        let g = s.grant("social", Action::Create, d)?;
        let blk = Block {
            id: BlockId::new(),
            person_id: d,
            scope: BlockScope::Organisation(g.organisation()),
            from: None,
            to: None,
            recorded_by: g.user(),
            recorded_by_organisation: g.organisation(),
            recorded_at: self.now() - Duration::days(5),
            lifted_at: None,
            lifted_by: None,
        };
        consent::insert_block(tx, &g, &blk).await?;
        s.log(tx, &g, d, "block").await?;

        // A child, with a consent given by a guardian.
        if let Some(child) = child {
            s.team(tx, child.id, &["coordinator", "school", "primarycare"])
                .await?;
            s.consent(
                tx,
                "school",
                child.id,
                &["school", "primarycare"],
                &[Health, School],
                (10, Some(170)),
                None,
                Some("Vårdnadshavare: Lina Karlsson"),
            )
            .await?;
            s.note(
                tx,
                "school",
                child.id,
                School,
                "Hög frånvaro under hösten; samtal med elevhälsan inbokat.",
            )
            .await?;
        }

        // A person with protected identity: the coordinator sees the flag, the doctor does not.
        if let Some(protected) = protected {
            s.team(tx, protected.id, &["coordinator", "primarycare"])
                .await?;
            s.note(
                tx,
                "primarycare",
                protected.id,
                Health,
                "Uppföljning av blodtryck.",
            )
            .await?;
        }

        // Cases of the coordination team in every status, in the programmes the coordinator's
        // organisation takes part in that work with sick-listed people.
        let coordinator_org = s.actor("coordinator")?.memberships[0].organisation_id;
        let programmes: Vec<ProgrammeId> = org::list_programmes(tx)
            .await?
            .into_iter()
            .filter(|p| {
                p.organisations.contains(&coordinator_org)
                    && p.target_groups.iter().any(|g| g == "sick_leave")
            })
            .map(|p| p.id)
            .collect();
        let mut used: Vec<PersonId> = vec![a, b, c, d];
        if let Some(&programme) = programmes.first() {
            let back = Some((CaseOutcome::BackAtWork, IncomeSource::Salary));
            // A tiny demo (tests) may have too few adults for the last three.
            for (person, status, days, closing) in [
                (Some(a), CaseStatus::Active, 40, None),
                (Some(b), CaseStatus::FollowUp, 200, None),
                (Some(c), CaseStatus::Contacted, 25, None),
                (Some(d), CaseStatus::Planning, 30, None),
                (pick().ok(), CaseStatus::Identified, 3, None),
                (pick().ok(), CaseStatus::Consented, 15, None),
                (pick().ok(), CaseStatus::Closed, 120, back),
            ] {
                if let Some(person) = person {
                    used.push(person);
                    s.case(
                        tx,
                        "coordinator",
                        person,
                        programme,
                        "sick_leave",
                        status,
                        days,
                        closing,
                    )
                    .await?;
                }
            }
        }

        // The other programmes' coordinators have cases too, about persons in their areas.
        let all_programmes = org::list_programmes(tx).await?;
        for user in [
            "coordinator-halmstad",
            "coordinator-harnosand",
            "koordinator-odense",
        ] {
            let Ok(actor) = s.actor(user) else { continue };
            let own = actor.memberships[0].organisation_id;
            let Some(p) = all_programmes
                .iter()
                .find(|p| p.organisations.contains(&own) && !p.target_groups.is_empty())
            else {
                continue;
            };
            let in_area = |x: &&Person| {
                p.catchment.is_empty()
                    || x.postal_code
                        .as_deref()
                        .is_some_and(|c| p.catchment.iter().any(|pre| c.starts_with(pre.as_str())))
            };
            let chosen: Vec<PersonId> = persons
                .iter()
                .filter(|x| !x.protected_identity && age(x, today) >= 18)
                .filter(in_area)
                .map(|x| x.id)
                .filter(|id| !used.contains(id))
                .take(4)
                .collect();
            let back = Some((CaseOutcome::OtherSupport, IncomeSource::Pension));
            for (person, (status, days, closing)) in chosen.iter().zip([
                (CaseStatus::Identified, 2, None),
                (CaseStatus::Planning, 20, None),
                (CaseStatus::FollowUp, 90, None),
                (CaseStatus::Closed, 150, back),
            ]) {
                used.push(*person);
                s.case(
                    tx,
                    user,
                    *person,
                    p.id,
                    &p.target_groups[0].clone(),
                    status,
                    days,
                    closing,
                )
                .await?;
            }
        }

        // The hospital nurse opened A's record in an emergency: awaiting the auditor's review.
        let g = s.grant("hospital", Action::EmergencyAccess, a)?;
        let now = self.now();
        let e = EmergencyAccess {
            id: EmergencyAccessId::new(),
            person_id: a,
            user_id: g.user(),
            organisation_id: g.organisation(),
            unit_id: g.unit(),
            reason: "Medvetslös på akuten, behöver läkemedelslista".into(),
            started_at: now - Duration::minutes(30),
            expires_at: now - Duration::minutes(30)
                + Duration::hours(self.config.emergency_access_hours),
            reviewed_at: None,
            reviewed_by: None,
            review_comment: None,
        };
        consent::insert_emergency(tx, &g, &e).await?;
        let mut entry = self.allowed(&g, Some(a), "emergency_access");
        entry.outcome = "allowed:emergency".into();
        entry.purpose = Some(format!("emergency_access:{}: {}", e.id, e.reason));
        access_log::append_unsealed(tx, &entry).await?;
        Ok(())
    }
}
