//! Finding, reading and registering persons. Every call asks the access policy and writes an
//! access-log entry in the same transaction as the read or write it records; denials are logged too.

use crate::error::Problems;
use crate::{App, AppError, FieldError};
use samverka_core::PersonId;
use samverka_core::actor::Actor;
use samverka_core::national_id::{NationalId, Scheme};
use samverka_core::policy::Action;
use samverka_core::validate::{optional_line, required_line};
use samverka_store::access_log::Entry;
use samverka_store::person::{self, Identity, Person};

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

/// A person as shown to a user: for protected identity the address is gone before it leaves
/// here, and only roles the configuration names learn that the person is protected at all.
#[derive(Clone, Debug)]
pub struct PersonView {
    pub person: Person,
    /// Show that the address is withheld because of protected identity.
    pub address_hidden: bool,
}

impl PersonView {
    pub(crate) fn new(mut person: Person, show_flag: bool) -> PersonView {
        let protected = person.protected_identity;
        if protected {
            person.street = None;
            person.postal_code = None;
            person.city = None;
        }
        person.protected_identity = protected && show_flag;
        PersonView {
            address_hidden: protected && show_flag,
            person,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SearchResult {
    /// Persons found by name among those the user works with.
    pub persons: Vec<PersonView>,
    /// The person an exact-number lookup found: identity only.
    pub identities: Vec<Identity>,
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
    /// with the default scheme's message, under `field`, when the number is valid under neither.
    pub(crate) fn read_number(
        &self,
        text: &str,
        field: &'static str,
    ) -> Result<Vec<String>, FieldError> {
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
            Err(e) if found.is_empty() => Err(FieldError::with_args(field, e.code(), e.args())),
            _ => Ok(found),
        }
    }

    /// Searches by name (all words must match) among the persons the actor works with, or, if
    /// the text is a number, looks one person up by exact national identity number (identity
    /// data only, whoever they are). Every person shown gets an access-log entry.
    pub async fn search_persons(
        &self,
        actor: &Actor,
        text: &str,
    ) -> Result<SearchResult, AppError> {
        let text = text.trim();
        let by_number = looks_like_number(text);
        let (action, what) = if by_number {
            (Action::Lookup, "identity_lookup")
        } else {
            (Action::Search, "person_search")
        };
        let grant = self.authorize(actor, action, None, what).await?;
        if text.is_empty() {
            return Ok(SearchResult {
                persons: Vec::new(),
                identities: Vec::new(),
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
        if by_number {
            let numbers = self
                .read_number(text, "q")
                .map_err(|e| AppError::Invalid(vec![e]))?;
            let mut tx = self.db.begin_read().await?;
            let found = person::lookup(&mut tx, &grant, &numbers).await?;
            drop(tx);
            let mut entries: Vec<Entry> = found
                .iter()
                .map(|p| self.allowed(&grant, Some(p.id), what))
                .collect();
            if entries.is_empty() {
                entries.push(self.allowed(&grant, None, "identity_lookup_no_match"));
            }
            self.log.write(entries).await?;
            return Ok(SearchResult {
                persons: Vec::new(),
                identities: found,
                by_number,
                truncated: false,
            });
        }
        let mut tx = self.db.begin_read().await?;
        let mut found = person::search(&mut tx, &grant, text, SEARCH_LIMIT + 1).await?;
        drop(tx);
        let truncated = found.len() as i64 > SEARCH_LIMIT;
        found.truncate(SEARCH_LIMIT as usize);
        // Nobody sees a result before its log entry is durable; the search itself is logged
        // even when it finds nobody.
        let mut entries = vec![self.allowed(&grant, None, "person_search")];
        entries.extend(
            found
                .iter()
                .map(|p| self.allowed(&grant, Some(p.id), "person_search_result")),
        );
        self.log.write(entries).await?;
        Ok(SearchResult {
            persons: found
                .into_iter()
                .map(|p| {
                    let flag = grant.shows_protected_flag(p.protected_identity);
                    PersonView::new(p, flag)
                })
                .collect(),
            identities: Vec::new(),
            by_number,
            truncated,
        })
    }

    /// Registers a new person after validating every field. A number already registered is
    /// refused with a message (the lookup is logged like any other). The registrar joins the
    /// person's team: registering someone is starting to work with them.
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
            .authorize(actor, Action::Lookup, None, "identity_lookup")
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
                    "identity_lookup",
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
        match person::insert(&mut tx, &grant, &person).await {
            // Registered by someone else since the check above.
            Err(samverka_store::StoreError::Conflict(c)) if c.contains("national_id") => {
                return Err(AppError::invalid(
                    "national_id",
                    "national-id-already-registered",
                ));
            }
            r => r?,
        }
        let place = samverka_core::consent::TeamMember {
            id: samverka_core::TeamMemberId::new(),
            person_id: person.id,
            user_id: Some(actor.user_id),
            unit_id: grant.unit(),
            organisation_id: grant.organisation(),
            starts_on: self.today(),
            ended_at: None,
            added_by: Some(actor.user_id),
            created_at: self.now(),
        };
        samverka_store::consent::insert_team_member(&mut tx, &grant, &place).await?;
        // The entry commits with the person it records; the writer seals it right after.
        self.commit_logged(tx, &[self.allowed(&grant, Some(person.id), "person")])
            .await?;
        Ok(person.id)
    }
}
