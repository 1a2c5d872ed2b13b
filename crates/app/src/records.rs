//! A person's record and what professionals record about them: notes, consents, blocks, and
//! emergency access. Every use case asks the policy (through [`App::check`]) inside the
//! transaction that reads or writes, and logs the access: reads before the answer leaves, changes
//! in the change's own transaction.

use crate::admin::parse_date;
use crate::error::Problems;
use crate::persons::PersonView;
use crate::{App, AppError, FieldError};
use chrono::{Datelike, NaiveDate};
use samverka_core::actor::Actor;
use samverka_core::consent::{
    Block, BlockScope, Category, Consent, ConsentForm, ConsentState, EmergencyAccess,
};
use samverka_core::policy::{Action, Basis};
use samverka_core::validate::{optional_line, optional_text, required_line};
use samverka_core::{
    BlockId, ConsentId, EmergencyAccessId, NoteId, OrganisationId, PersonId, UnitId,
};
use samverka_store::access_log::{self, Entry};
use samverka_store::consent;
use samverka_store::note::{self, Note, NotesSeen};
use samverka_store::org::{self, Organisation};
use samverka_store::person;
use std::collections::HashMap;

/// A consent as a reader sees it, with organisation names and its state today.
#[derive(Clone, Debug)]
pub struct ConsentView {
    pub consent: Consent,
    pub state: ConsentState,
    pub sharing: Vec<String>,
    pub receiving: Vec<String>,
    /// Who recorded it (for a verbal consent, who took it down) and who withdrew it.
    pub recorded_by: String,
    pub withdrawn_by: Option<String>,
}

/// A place on the team, named.
#[derive(Clone, Debug)]
pub struct TeamView {
    pub user_name: Option<String>,
    pub unit_name: String,
    pub organisation_name: String,
}

/// A block as its reader may see it: details only for the organisation that recorded it (or
/// under emergency access).
#[derive(Clone, Debug)]
pub struct BlockView {
    pub block: Block,
    /// What the block covers, named: a unit, an organisation, or a category code.
    pub target: String,
}

/// Everything the record page shows.
#[derive(Clone, Debug)]
pub struct PersonRecord {
    pub view: PersonView,
    pub notes: NotesSeen,
    /// A block hid something the reader would otherwise see: say so, nothing more.
    pub something_blocked: bool,
    pub blocks: Vec<BlockView>,
    pub consents: Vec<ConsentView>,
    pub team: Vec<TeamView>,
    /// The reader is on the team (may record notes, consents, blocks).
    pub on_team: bool,
    /// Set while the reader sees the record under emergency access: when it ends.
    pub emergency_until: Option<chrono::DateTime<chrono::Utc>>,
    /// The newest access-log entries about the person by organisations the reader may know of.
    pub access_log: Vec<Entry>,
    /// Organisations, for the consent and block forms.
    pub organisations: Vec<Organisation>,
    /// Units of the reader's organisation, for the block form.
    pub units: Vec<(UnitId, String)>,
    /// The person is under 18 today: a consent is given by a guardian.
    pub is_child: bool,
}

#[derive(Clone, Debug, Default)]
pub struct NoteInput {
    pub category: String,
    pub body: String,
}

#[derive(Clone, Debug, Default)]
pub struct ConsentInput {
    pub purpose: String,
    pub sharing: Vec<String>,
    pub receiving: Vec<String>,
    pub categories: Vec<String>,
    pub form: String,
    pub guardian: String,
    pub valid_from: String,
    pub valid_to: String,
}

#[derive(Clone, Debug, Default)]
pub struct BlockInput {
    /// "unit", "organisation" or "category".
    pub scope: String,
    pub unit: String,
    pub organisation: String,
    pub category: String,
    pub from: String,
    pub to: String,
    /// Who asks for the block: "person" or "guardian" (refused: a guardian cannot block).
    pub requested_by: String,
}

fn is_child(birth: Option<NaiveDate>, today: NaiveDate) -> bool {
    birth.is_some_and(|b| {
        let mut age = today.year() - b.year();
        if (today.month(), today.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        age < 18
    })
}

fn parse_category(p: &mut Problems, field: &'static str, s: &str) -> Option<Category> {
    match s.trim() {
        "" => {
            p.push(FieldError::new(field, "field-required"));
            None
        }
        c => match c.parse() {
            Ok(c) => Some(c),
            Err(_) => {
                p.push(FieldError::new(field, "category-unknown"));
                None
            }
        },
    }
}

/// Reads organisation ids chosen in a form; each must name an active organisation.
fn parse_orgs(
    p: &mut Problems,
    field: &'static str,
    ids: &[String],
    known: &[Organisation],
) -> Vec<OrganisationId> {
    let mut out = Vec::new();
    for s in ids {
        match s.parse::<OrganisationId>() {
            Ok(id) if known.iter().any(|o| o.id == id && o.active) => {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            _ => {
                p.push(FieldError::new(field, "organisation-unknown"));
                return Vec::new();
            }
        }
    }
    if out.is_empty() {
        p.push(FieldError::new(field, "choose-at-least-one"));
    }
    out
}

impl App {
    /// One person's record: identity, the notes the reader may see, consents, blocks, team and
    /// the newest access-log entries. Needs a place on the team or emergency access.
    pub async fn person_record(
        &self,
        actor: &Actor,
        id: PersonId,
    ) -> Result<PersonRecord, AppError> {
        let mut tx = self.db.begin_read().await?;
        let (grant, facts) = granted!(
            self,
            tx,
            self.check_with_facts(&mut tx, actor, Action::Read, Some(id), "person_record")
                .await?
        );
        let facts = facts.unwrap_or_default();
        let p = person::get(&mut tx, &grant, id).await?;
        let notes = note::seen(&mut tx, &grant, id).await?;
        let organisations = org::list_organisations(&mut tx).await?;
        let units = org::units_of(&mut tx, grant.organisation())
            .await?
            .into_iter()
            .filter(|u| u.active)
            .map(|u| (u.id, u.name))
            .collect();
        // Only organisations the reader may know of: a place on the team says that an
        // organisation works with the person.
        let team = consent::team_of(&mut tx, &grant, id)
            .await?
            .into_iter()
            .filter(|(t, ..)| grant.knows_of(t.organisation_id))
            .map(|(_, user_name, unit_name, organisation_name)| TeamView {
                user_name,
                unit_name,
                organisation_name,
            })
            .collect();
        // The newest entries of organisations the reader may know of, filtered and limited by the
        // database: a person's log only grows.
        let access_log: Vec<Entry> =
            access_log::for_person_by(&mut tx, id, grant.known_organisations().as_deref(), 20)
                .await?;
        let unit_names = self.unit_names(&mut tx, &facts.blocks).await?;
        let mut user_names: HashMap<samverka_core::UserId, String> = HashMap::new();
        for u in facts
            .consents
            .iter()
            .flat_map(|c| std::iter::once(c.recorded_by).chain(c.withdrawn_by))
        {
            if let std::collections::hash_map::Entry::Vacant(slot) = user_names.entry(u) {
                slot.insert(samverka_store::user::get(&mut tx, u).await?.display_name);
            }
        }
        drop(tx);
        let names: HashMap<OrganisationId, String> = organisations
            .iter()
            .map(|o| (o.id, o.name.clone()))
            .collect();
        let today = grant.today();
        let now = grant.now();
        let consents = facts
            .consents
            .iter()
            .filter(|c| grant.sees_consent(c))
            .map(|c| consent_view(c, &names, &user_names, today, now))
            .collect();
        let blocks = facts
            .blocks
            .iter()
            .filter(|b| grant.sees_block(b))
            .map(|b| BlockView {
                target: match b.scope {
                    BlockScope::Unit(u) => unit_names.get(&u).cloned().unwrap_or_default(),
                    BlockScope::Organisation(o) => names.get(&o).cloned().unwrap_or_default(),
                    BlockScope::Category(c) => c.code().to_owned(),
                },
                block: b.clone(),
            })
            .collect();
        let emergency_until = match grant.basis() {
            Basis::Emergency(eid) => facts
                .emergency
                .iter()
                .find(|e| e.id == eid)
                .map(|e| e.expires_at),
            _ => None,
        };
        let mut what = "person_record".to_owned();
        if notes
            .shown
            .iter()
            .any(|n| n.note.organisation_id != grant.organisation())
        {
            // Say in the log that other organisations' information was disclosed.
            what.push_str(":shared");
        }
        self.log
            .write(vec![self.allowed(&grant, Some(id), &what)])
            .await?;
        let flag = grant.shows_protected_flag(p.protected_identity);
        Ok(PersonRecord {
            is_child: is_child(p.birth_date, today),
            view: PersonView::new(p, flag),
            // Only where a block hid something the reader would otherwise see.
            something_blocked: notes.blocked,
            blocks,
            consents,
            team,
            on_team: grant.basis() == Basis::Team,
            emergency_until,
            access_log,
            organisations,
            units,
            notes,
        })
    }

    async fn unit_names(
        &self,
        tx: &mut samverka_store::Tx,
        blocks: &[Block],
    ) -> Result<HashMap<UnitId, String>, AppError> {
        let mut out = HashMap::new();
        for b in blocks {
            if let BlockScope::Unit(u) = b.scope
                && !out.contains_key(&u)
            {
                out.insert(u, org::get_unit(tx, u).await?.name);
            }
        }
        Ok(out)
    }

    /// Records a note from the actor's unit. Needs a place on the team.
    pub async fn add_note(
        &self,
        actor: &Actor,
        id: PersonId,
        input: &NoteInput,
    ) -> Result<NoteId, AppError> {
        let mut tx = self.db.begin().await?;
        let grant = granted!(
            self,
            tx,
            self.check(&mut tx, actor, Action::Create, Some(id), "note")
                .await?
        );
        let mut p = Problems::default();
        let category = parse_category(&mut p, "category", &input.category);
        let body = p.take("body", optional_text(&input.body, 10_000)).flatten();
        if body.is_none() && !p.0.iter().any(|e| e.field == "body") {
            p.push(FieldError::new("body", "field-required"));
        }
        p.finish()?;
        let (Some(category), Some(body)) = (category, body) else {
            return Err(AppError::Internal("validated note lost a field".into()));
        };
        let n = Note {
            id: NoteId::new(),
            person_id: id,
            organisation_id: grant.organisation(),
            unit_id: grant.unit(),
            author_id: actor.user_id,
            category,
            body,
            recorded_on: grant.today(),
            created_at: self.now(),
        };
        note::insert(&mut tx, &grant, &n).await?;
        self.commit_logged(tx, &[self.allowed(&grant, Some(id), "note")])
            .await?;
        Ok(n.id)
    }

    /// Records a consent the person (or, for a child, a guardian) gave. Needs a place on the team.
    pub async fn record_consent(
        &self,
        actor: &Actor,
        id: PersonId,
        input: &ConsentInput,
    ) -> Result<ConsentId, AppError> {
        let mut tx = self.db.begin().await?;
        let grant = granted!(
            self,
            tx,
            self.check(&mut tx, actor, Action::Create, Some(id), "consent")
                .await?
        );
        let known = org::list_organisations(&mut tx).await?;
        let birth = person::birth_date(&mut tx, &grant, id).await?;
        let today = grant.today();
        let mut p = Problems::default();
        let purpose = p.take("purpose", required_line(&input.purpose, 500));
        let sharing = parse_orgs(&mut p, "sharing", &input.sharing, &known);
        let receiving = parse_orgs(&mut p, "receiving", &input.receiving, &known);
        let mut categories = Vec::new();
        for c in &input.categories {
            match c.parse::<Category>() {
                Ok(c) if !categories.contains(&c) => categories.push(c),
                Ok(_) => {}
                Err(_) => {
                    p.push(FieldError::new("categories", "category-unknown"));
                    break;
                }
            }
        }
        if input.categories.is_empty() {
            p.push(FieldError::new("categories", "choose-at-least-one"));
        }
        categories.sort();
        let form = match input.form.trim() {
            "" => {
                p.push(FieldError::new("form", "field-required"));
                None
            }
            f => match f.parse::<ConsentForm>() {
                Ok(f) => Some(f),
                Err(_) => {
                    p.push(FieldError::new("form", "consent-form-unknown"));
                    None
                }
            },
        };
        let guardian = p
            .take("guardian", optional_line(&input.guardian, 200))
            .flatten();
        let child = is_child(birth, today);
        if child && guardian.is_none() && !p.0.iter().any(|e| e.field == "guardian") {
            p.push(FieldError::new("guardian", "consent-guardian-required"));
        }
        if !child && guardian.is_some() {
            p.push(FieldError::new("guardian", "consent-guardian-only-child"));
        }
        let valid_from = if input.valid_from.trim().is_empty() {
            Some(today)
        } else {
            parse_date(&mut p, "valid_from", &input.valid_from, true)
        };
        let valid_to = parse_date(&mut p, "valid_to", &input.valid_to, false);
        if let (Some(f), Some(t)) = (valid_from, valid_to) {
            if t < f {
                p.push(FieldError::new("valid_to", "date-before-start"));
            } else if t < today {
                p.push(FieldError::new("valid_to", "date-in-past"));
            }
        }
        p.finish()?;
        let (Some(purpose), Some(form), Some(valid_from)) = (purpose, form, valid_from) else {
            return Err(AppError::Internal("validated consent lost a field".into()));
        };
        let c = Consent {
            id: ConsentId::new(),
            person_id: id,
            purpose,
            sharing,
            receiving,
            categories,
            form,
            guardian,
            valid_from,
            valid_to,
            recorded_by: actor.user_id,
            recorded_by_organisation: grant.organisation(),
            recorded_at: self.now(),
            withdrawn_at: None,
            withdrawn_by: None,
        };
        consent::insert_consent(&mut tx, &grant, &c).await?;
        self.commit_logged(tx, &[self.allowed(&grant, Some(id), "consent")])
            .await?;
        Ok(c.id)
    }

    /// Withdraws a consent: from this instant it covers nothing, for every reader.
    pub async fn withdraw_consent(
        &self,
        actor: &Actor,
        id: PersonId,
        consent_id: ConsentId,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let (grant, facts) = granted!(
            self,
            tx,
            self.check_with_facts(
                &mut tx,
                actor,
                Action::Update,
                Some(id),
                "consent_withdrawal"
            )
            .await?
        );
        // Only a consent the user may see: one between other organisations is theirs.
        if !facts
            .unwrap_or_default()
            .consents
            .iter()
            .any(|c| c.id == consent_id && grant.sees_consent(c))
        {
            return Err(AppError::NotFound);
        }
        if !consent::withdraw_consent(&mut tx, &grant, id, consent_id, self.now()).await? {
            return Err(AppError::NotFound);
        }
        self.commit_logged(tx, &[self.allowed(&grant, Some(id), "consent_withdrawal")])
            .await?;
        Ok(())
    }

    /// Records a block the person asked for. A guardian cannot block a child's information.
    pub async fn record_block(
        &self,
        actor: &Actor,
        id: PersonId,
        input: &BlockInput,
    ) -> Result<BlockId, AppError> {
        let mut tx = self.db.begin().await?;
        let grant = granted!(
            self,
            tx,
            self.check(&mut tx, actor, Action::Create, Some(id), "block")
                .await?
        );
        let known = org::list_organisations(&mut tx).await?;
        let mut p = Problems::default();
        match input.requested_by.trim() {
            "person" => {}
            "guardian" => p.push(FieldError::new("requested_by", "block-guardian-refused")),
            "" => p.push(FieldError::new("requested_by", "field-required")),
            _ => p.push(FieldError::new("requested_by", "choice-unknown")),
        }
        let scope = match input.scope.trim() {
            "unit" => match input.unit.parse::<UnitId>() {
                Ok(u) => match org::get_unit(&mut tx, u).await {
                    Ok(_) => Some(BlockScope::Unit(u)),
                    Err(samverka_store::StoreError::NotFound) => {
                        p.push(FieldError::new("unit", "unit-unknown"));
                        None
                    }
                    Err(e) => return Err(e.into()),
                },
                Err(_) => {
                    p.push(FieldError::new("unit", "field-required"));
                    None
                }
            },
            "organisation" => match input.organisation.trim().parse::<OrganisationId>() {
                Ok(o) if known.iter().any(|k| k.id == o) => Some(BlockScope::Organisation(o)),
                _ if input.organisation.trim().is_empty() => {
                    p.push(FieldError::new("organisation", "field-required"));
                    None
                }
                _ => {
                    p.push(FieldError::new("organisation", "organisation-unknown"));
                    None
                }
            },
            "category" => {
                parse_category(&mut p, "category", &input.category).map(BlockScope::Category)
            }
            "" => {
                p.push(FieldError::new("scope", "field-required"));
                None
            }
            _ => {
                p.push(FieldError::new("scope", "choice-unknown"));
                None
            }
        };
        let from = parse_date(&mut p, "from", &input.from, false);
        let to = parse_date(&mut p, "to", &input.to, false);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            p.push(FieldError::new("to", "date-before-start"));
        }
        p.finish()?;
        let Some(scope) = scope else {
            return Err(AppError::Internal("validated block lost its scope".into()));
        };
        let b = Block {
            id: BlockId::new(),
            person_id: id,
            scope,
            from,
            to,
            recorded_by: actor.user_id,
            recorded_by_organisation: grant.organisation(),
            recorded_at: self.now(),
            lifted_at: None,
            lifted_by: None,
        };
        consent::insert_block(&mut tx, &grant, &b).await?;
        self.commit_logged(tx, &[self.allowed(&grant, Some(id), "block")])
            .await?;
        Ok(b.id)
    }

    /// Lifts a block; `person_consents` confirms the person agreed (lifting takes their consent).
    pub async fn lift_block(
        &self,
        actor: &Actor,
        id: PersonId,
        block: BlockId,
        person_consents: bool,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let grant = granted!(
            self,
            tx,
            self.check(&mut tx, actor, Action::Update, Some(id), "block_lift")
                .await?
        );
        if !person_consents {
            return Err(AppError::invalid("confirm", "block-lift-needs-consent"));
        }
        if !consent::lift_block(&mut tx, &grant, id, block, self.now()).await? {
            return Err(AppError::NotFound);
        }
        self.commit_logged(tx, &[self.allowed(&grant, Some(id), "block_lift")])
            .await?;
        Ok(())
    }

    /// Opens the person's record under emergency access for the configured time, stating why.
    /// The access is flagged in the log and waits in the auditors' review queue.
    pub async fn start_emergency_access(
        &self,
        actor: &Actor,
        id: PersonId,
        reason: &str,
    ) -> Result<EmergencyAccessId, AppError> {
        let mut tx = self.db.begin().await?;
        let grant = granted!(
            self,
            tx,
            self.check(
                &mut tx,
                actor,
                Action::EmergencyAccess,
                Some(id),
                "emergency_access"
            )
            .await?
        );
        let reason = match required_line(reason, 500) {
            Ok(r) if r.chars().count() >= 10 => r,
            Ok(_) => {
                return Err(AppError::Invalid(vec![FieldError::with_args(
                    "reason",
                    "field-too-short",
                    vec![("min", "10".into())],
                )]));
            }
            Err(e) => {
                return Err(AppError::Invalid(vec![FieldError::with_args(
                    "reason",
                    e.code(),
                    e.args(),
                )]));
            }
        };
        let now = self.now();
        let e = EmergencyAccess {
            id: EmergencyAccessId::new(),
            person_id: id,
            user_id: actor.user_id,
            organisation_id: grant.organisation(),
            unit_id: grant.unit(),
            reason: reason.clone(),
            started_at: now,
            expires_at: now + chrono::Duration::hours(self.config.emergency_access_hours),
            reviewed_at: None,
            reviewed_by: None,
            review_comment: None,
        };
        consent::insert_emergency(&mut tx, &grant, &e).await?;
        let mut entry = self.allowed(&grant, Some(id), "emergency_access");
        entry.outcome = "allowed:emergency".into();
        entry.purpose = Some(format!("emergency_access:{}: {reason}", e.id));
        self.commit_logged(tx, &[entry]).await?;
        Ok(e.id)
    }
}

fn consent_view(
    c: &Consent,
    names: &HashMap<OrganisationId, String>,
    users: &HashMap<samverka_core::UserId, String>,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> ConsentView {
    let name = |ids: &[OrganisationId]| {
        ids.iter()
            .map(|o| names.get(o).cloned().unwrap_or_else(|| o.to_string()))
            .collect()
    };
    ConsentView {
        state: c.state(today, now),
        sharing: name(&c.sharing),
        receiving: name(&c.receiving),
        recorded_by: users.get(&c.recorded_by).cloned().unwrap_or_default(),
        withdrawn_by: c.withdrawn_by.and_then(|u| users.get(&u).cloned()),
        consent: c.clone(),
    }
}
