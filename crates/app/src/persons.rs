//! Finding, reading and registering persons. Every call asks the access policy and writes an
//! access-log entry in the same transaction as the read or write it records; denials are logged too.

use crate::error::Problems;
use crate::{App, AppError, FieldError};
use samverka_core::actor::{Actor, Membership};
use samverka_core::national_id::{NationalId, Scheme};
use samverka_core::policy::{self, AccessRequest, Action, Decision, Grant};
use samverka_core::validate::{optional_line, required_line};
use samverka_core::{AccessLogId, PersonId, UserId};
use samverka_store::access_log::{self, Entry};
use samverka_store::person::{self, Person, PersonQuery};

/// Most persons one search shows; the user narrows the search for more.
pub const SEARCH_LIMIT: i64 = 50;

#[derive(Clone, Debug, Default)]
pub struct PersonInput {
    pub id_scheme: String,
    pub national_id: String,
    pub given_name: String,
    pub family_name: String,
    pub sex: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub protected_identity: bool,
}

/// A person as shown to a user: for protected identity the address is gone before it leaves here.
#[derive(Clone, Debug)]
pub struct PersonView {
    pub person: Person,
    pub address_hidden: bool,
}

impl PersonView {
    fn new(mut person: Person) -> PersonView {
        let hidden = person.protected_identity;
        if hidden {
            person.street = None;
            person.postal_code = None;
            person.city = None;
        }
        PersonView {
            person,
            address_hidden: hidden,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SearchResult {
    pub persons: Vec<PersonView>,
    /// The query was read as a national identity number.
    pub by_number: bool,
    /// More persons matched than are shown.
    pub truncated: bool,
}

/// Reads `s` as a scheme name; blank means the deployment's default.
pub fn parse_scheme(s: &str, default: Scheme) -> Option<Scheme> {
    match s.trim() {
        "" => Some(default),
        "swedish" => Some(Scheme::Swedish),
        "danish" => Some(Scheme::Danish),
        "reserve" => Some(Scheme::Reserve),
        _ => None,
    }
}

/// Whether a search text looks like an identity number rather than a name.
fn looks_like_number(q: &str) -> bool {
    let digits = q.chars().filter(char::is_ascii_digit).count();
    digits >= 10 && q.chars().all(|c| c.is_ascii_digit() || "-+ ".contains(c))
}

impl App {
    /// The normalised forms a typed number has under the deployment's scheme and, since persons
    /// from the neighbouring country are registered too, under the other national scheme. Fails
    /// with the default scheme's message when the number is valid under neither.
    fn read_number(&self, text: &str) -> Result<Vec<String>, AppError> {
        let default = self.config.default_id_scheme;
        let other = match default {
            Scheme::Danish => Scheme::Swedish,
            _ => Scheme::Danish,
        };
        let today = self.today();
        let first = NationalId::parse(text, default, today);
        let mut found: Vec<String> = [
            first.clone().ok(),
            NationalId::parse(text, other, today).ok(),
        ]
        .into_iter()
        .flatten()
        .map(|id| id.as_str().to_owned())
        .collect();
        found.dedup();
        match first {
            Err(e) if found.is_empty() => Err(AppError::Invalid(vec![FieldError::with_args(
                "q",
                e.code(),
                e.args(),
            )])),
            _ => Ok(found),
        }
    }

    /// Asks the policy; a denial is logged (and committed) before the error is returned.
    async fn authorize(
        &self,
        actor: &Actor,
        action: Action,
        person: Option<PersonId>,
        what: &str,
    ) -> Result<Grant, AppError> {
        match policy::decide(actor, &AccessRequest { action, person }) {
            Decision::Allow(g) => Ok(g),
            Decision::Deny(reason) => {
                let outcome = format!("denied:{}", reason.code());
                let acting = actor.primary_membership();
                let entry = self.entry(actor.user_id, acting, action, person, what, outcome);
                self.log.write(vec![entry]).await?;
                tracing::info!(user = %actor.user_id, action = action.code(), "access denied");
                Err(AppError::Forbidden)
            }
        }
    }

    /// An access-log entry: `user`, acting from `acting` (unit, organisation, role), did `action`.
    fn entry(
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

    /// The log entry for an allowed access under `grant`.
    fn allowed(&self, grant: &Grant, person: Option<PersonId>, what: &str) -> Entry {
        let acting = grant.membership();
        self.entry(
            grant.user(),
            Some(&acting),
            grant.action(),
            person,
            what,
            "allowed".to_owned(),
        )
    }

    /// Searches by name (all words must match) or, if the text is a number, by exact national
    /// identity number. Every person shown gets an access-log entry.
    pub async fn search_persons(
        &self,
        actor: &Actor,
        text: &str,
    ) -> Result<SearchResult, AppError> {
        let text = text.trim();
        let grant = self
            .authorize(actor, Action::Search, None, "person_search")
            .await?;
        if text.is_empty() {
            return Ok(SearchResult {
                persons: Vec::new(),
                by_number: false,
                truncated: false,
            });
        }
        if text.chars().count() > 100 {
            return Err(AppError::Invalid(vec![FieldError::with_args(
                "q",
                "field-too-long",
                vec![("max", "100".into())],
            )]));
        }
        let by_number = looks_like_number(text);
        let query = if by_number {
            PersonQuery {
                national_ids: self.read_number(text)?,
                name: None,
            }
        } else {
            PersonQuery {
                name: Some(text.to_owned()),
                national_ids: Vec::new(),
            }
        };
        let mut tx = self.db.begin_read().await?;
        let mut found = person::search(&mut tx, &grant, &query, SEARCH_LIMIT + 1).await?;
        drop(tx);
        let truncated = found.len() as i64 > SEARCH_LIMIT;
        found.truncate(SEARCH_LIMIT as usize);
        // Nobody sees a result before its log entry is durable.
        let entries = found
            .iter()
            .map(|p| self.allowed(&grant, Some(p.id), "person_search_result"))
            .collect();
        self.log.write(entries).await?;
        Ok(SearchResult {
            persons: found.into_iter().map(PersonView::new).collect(),
            by_number,
            truncated,
        })
    }

    /// One person's record.
    pub async fn person(&self, actor: &Actor, id: PersonId) -> Result<PersonView, AppError> {
        let grant = self
            .authorize(actor, Action::Read, Some(id), "person")
            .await?;
        let mut tx = self.db.begin_read().await?;
        let p = person::get(&mut tx, &grant, id).await?;
        drop(tx);
        self.log
            .write(vec![self.allowed(&grant, Some(id), "person")])
            .await?;
        Ok(PersonView::new(p))
    }

    /// Registers a new person after validating every field. A number already registered is
    /// refused with a message (the lookup is logged like any other).
    pub async fn register_person(
        &self,
        actor: &Actor,
        input: &PersonInput,
    ) -> Result<PersonId, AppError> {
        let grant = self
            .authorize(actor, Action::Create, None, "person")
            .await?;
        let mut p = Problems::default();
        let scheme = parse_scheme(&input.id_scheme, self.config.default_id_scheme);
        if scheme.is_none() {
            p.push(FieldError::new("id_scheme", "id-scheme-unknown"));
        }
        let national_id =
            match scheme.map(|s| NationalId::parse(&input.national_id, s, self.today())) {
                Some(Ok(id)) => Some(id),
                Some(Err(e)) => {
                    p.push(FieldError::with_args("national_id", e.code(), e.args()));
                    None
                }
                None => None,
            };
        let given_name = p.take("given_name", required_line(&input.given_name, 100));
        let family_name = p.take("family_name", required_line(&input.family_name, 100));
        let sex = match input.sex.trim() {
            "" => None,
            s @ ("female" | "male") => Some(s.to_owned()),
            _ => {
                p.push(FieldError::new("sex", "sex-unknown"));
                None
            }
        };
        let street = p
            .take("street", optional_line(&input.street, 200))
            .flatten();
        let postal_code = p
            .take("postal_code", optional_line(&input.postal_code, 20))
            .flatten();
        let city = p.take("city", optional_line(&input.city, 100)).flatten();
        let phone = p.take("phone", optional_line(&input.phone, 40)).flatten();
        if phone.as_ref().is_some_and(|ph| {
            !ph.chars()
                .all(|c| c.is_ascii_digit() || " +-()".contains(c))
        }) {
            p.push(FieldError::new("phone", "phone-invalid"));
        }
        let language = p
            .take(
                "preferred_language",
                optional_line(&input.preferred_language, 35),
            )
            .flatten();
        if language
            .as_ref()
            .is_some_and(|l| !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            p.push(FieldError::new("preferred_language", "language-invalid"));
        }
        // The duplicate check is a lookup by exact number: its own grant, its own log entry.
        let lookup = self
            .authorize(actor, Action::Search, None, "person_identity_lookup")
            .await?;
        let mut tx = self.db.begin().await?;
        if let Some(id) = &national_id
            && let Some(existing) = person::id_by_national_id(&mut tx, &lookup, id.as_str()).await?
        {
            drop(tx);
            self.log
                .write(vec![self.allowed(
                    &lookup,
                    Some(existing),
                    "person_identity_lookup",
                )])
                .await?;
            return Err(AppError::invalid(
                "national_id",
                "national-id-already-registered",
            ));
        }
        p.finish()?;
        let Some(national_id) = national_id else {
            return Err(AppError::Internal(
                "validated person lost its number".into(),
            ));
        };
        let person = Person {
            id: PersonId::new(),
            birth_date: national_id.birth_date(),
            national_id,
            given_name: given_name.unwrap_or_default(),
            family_name: family_name.unwrap_or_default(),
            sex,
            street,
            postal_code,
            city,
            phone,
            protected_identity: input.protected_identity,
            preferred_language: language.map(|l| l.to_lowercase()),
            interpreter_needed: input.interpreter_needed,
            synthetic: false,
            created_at: self.now(),
            created_by: Some(actor.user_id),
        };
        person::insert(&mut tx, &grant, &person).await?;
        // The entry commits with the person it records; the writer seals it right after.
        access_log::append_unsealed(&mut tx, &self.allowed(&grant, Some(person.id), "person"))
            .await?;
        tx.commit().await?;
        self.log.seal_pending();
        Ok(person.id)
    }

    /// The newest access-log entries about one person (for their page; auditors get more later).
    pub async fn person_access_log(
        &self,
        actor: &Actor,
        id: PersonId,
    ) -> Result<Vec<Entry>, AppError> {
        // Seeing who looked is itself reading the person's record.
        let grant = self
            .authorize(actor, Action::Read, Some(id), "person_access_log")
            .await?;
        let mut tx = self.db.begin_read().await?;
        let entries = access_log::for_person(&mut tx, id, 20).await?;
        drop(tx);
        self.log
            .write(vec![self.allowed(&grant, Some(id), "person_access_log")])
            .await?;
        Ok(entries)
    }
}
