//! Persons (citizens). Every function that reads or writes a person demands a [`Grant`] from the
//! access policy that covers exactly that action and person.

use crate::db::{Count, Tx};
use crate::{StoreError, parse_code, q};
use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::national_id::{NationalId, NationalIdKind};
use samverka_core::policy::{Action, Grant};
use samverka_core::{PersonId, UserId};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub national_id: NationalId,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<NaiveDate>,
    /// "female", "male" or none recorded.
    pub sex: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub protected_identity: bool,
    /// BCP 47 language tag, e.g. "sv", "ar".
    pub preferred_language: Option<String>,
    pub interpreter_needed: bool,
    /// Generated demo data, never a real person.
    pub synthetic: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<UserId>,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: Uuid,
    national_id: String,
    national_id_kind: String,
    given_name: String,
    family_name: String,
    birth_date: Option<NaiveDate>,
    sex: Option<String>,
    street: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    phone: Option<String>,
    protected_identity: bool,
    preferred_language: Option<String>,
    interpreter_needed: bool,
    synthetic: bool,
    created_at: DateTime<Utc>,
    created_by: Option<Uuid>,
}

const PERSON_SELECT: &str = "select id, national_id, national_id_kind, given_name, family_name, birth_date, sex, street, postal_code, city, phone, protected_identity, preferred_language, interpreter_needed, synthetic, created_at, created_by from person";

pub(crate) fn kind_code(k: NationalIdKind) -> &'static str {
    match k {
        NationalIdKind::Personnummer => "personnummer",
        NationalIdKind::Samordningsnummer => "samordningsnummer",
        NationalIdKind::Cpr => "cpr",
        NationalIdKind::Reserve => "reserve",
    }
}

/// Reads a stored national identity number kind.
pub(crate) fn parse_kind(s: &str) -> Result<NationalIdKind, StoreError> {
    let KindCode(kind) = parse_code("national id kind", s)?;
    Ok(kind)
}

struct KindCode(NationalIdKind);
impl std::str::FromStr for KindCode {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(KindCode(match s {
            "personnummer" => NationalIdKind::Personnummer,
            "samordningsnummer" => NationalIdKind::Samordningsnummer,
            "cpr" => NationalIdKind::Cpr,
            "reserve" => NationalIdKind::Reserve,
            _ => return Err(()),
        }))
    }
}

impl TryFrom<PersonRow> for Person {
    type Error = StoreError;
    fn try_from(r: PersonRow) -> Result<Self, StoreError> {
        let KindCode(kind) = parse_code("national id kind", &r.national_id_kind)?;
        Ok(Person {
            id: r.id.into(),
            national_id: NationalId::from_normalized(kind, r.national_id),
            given_name: r.given_name,
            family_name: r.family_name,
            birth_date: r.birth_date,
            sex: r.sex,
            street: r.street,
            postal_code: r.postal_code,
            city: r.city,
            phone: r.phone,
            protected_identity: r.protected_identity,
            preferred_language: r.preferred_language,
            interpreter_needed: r.interpreter_needed,
            synthetic: r.synthetic,
            created_at: r.created_at,
            created_by: r.created_by.map(Into::into),
        })
    }
}

pub(crate) fn check(
    grant: &Grant,
    action: Action,
    person: Option<PersonId>,
) -> Result<(), StoreError> {
    if grant.covers(action, person) {
        Ok(())
    } else {
        Err(StoreError::GrantMismatch)
    }
}

fn search_name(p: &Person) -> String {
    samverka_core::validate::search_key(&format!("{} {}", p.given_name, p.family_name))
}

async fn insert_row(tx: &mut Tx, p: &Person) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into person (id, national_id, national_id_kind, given_name, family_name, search_name,
                             birth_date, sex, street, postal_code, city, phone, protected_identity,
                             preferred_language, interpreter_needed, synthetic, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        p.id,
        p.national_id.as_str(),
        kind_code(p.national_id.kind()),
        &p.given_name,
        &p.family_name,
        search_name(p),
        p.birth_date,
        p.sex.clone(),
        p.street.clone(),
        p.postal_code.clone(),
        p.city.clone(),
        p.phone.clone(),
        p.protected_identity,
        p.preferred_language.clone(),
        p.interpreter_needed,
        p.synthetic,
        p.created_at,
        p.created_by
    ))
    .await?;
    Ok(())
}

/// Registers a person. Needs a `Create` grant.
pub async fn insert(tx: &mut Tx, grant: &Grant, p: &Person) -> Result<(), StoreError> {
    check(grant, Action::Create, None)?;
    insert_row(tx, p).await
}

/// Loads synthetic demo persons (no grant: nobody's real data). Refuses any non-synthetic person.
/// Skips numbers already present, so loading twice changes nothing.
pub async fn seed_synthetic(tx: &mut Tx, persons: &[Person]) -> Result<u64, StoreError> {
    let mut n = 0;
    for p in persons {
        if !p.synthetic {
            return Err(StoreError::Corrupt(
                "seed_synthetic given a non-synthetic person".into(),
            ));
        }
        let exists: Count = tx
            .fetch_one(q!(
                "select count(*) as n from person where national_id = $1",
                p.national_id.as_str()
            ))
            .await?;
        if exists.n == 0 {
            insert_row(tx, p).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// One person's record. Needs a `Read` grant for that person.
pub async fn get(tx: &mut Tx, grant: &Grant, id: PersonId) -> Result<Person, StoreError> {
    check(grant, Action::Read, Some(id))?;
    let row: PersonRow = tx
        .fetch_one(crate::Query {
            sql: format!("{PERSON_SELECT} where id = $1").into(),
            args: vec![id.into()],
        })
        .await?;
    row.try_into()
}

/// A person's name (identity data only), for a page about one person: any grant for that one
/// person covers it.
pub async fn display_name(tx: &mut Tx, grant: &Grant, id: PersonId) -> Result<String, StoreError> {
    if grant.person() != Some(id) {
        return Err(StoreError::GrantMismatch);
    }
    #[derive(sqlx::FromRow)]
    struct N {
        given_name: String,
        family_name: String,
    }
    let n: Option<N> = tx
        .fetch_optional(q!(
            "select given_name, family_name from person where id = $1",
            id
        ))
        .await?;
    let n = n.ok_or(StoreError::NotFound)?;
    Ok(format!("{} {}", n.given_name, n.family_name))
}

/// A person's birth date, for rules about children (a guardian consents for them). Needs a
/// `Create` or `Update` grant for the person.
pub async fn birth_date(
    tx: &mut Tx,
    grant: &Grant,
    id: PersonId,
) -> Result<Option<NaiveDate>, StoreError> {
    if !(grant.covers(Action::Create, Some(id)) || grant.covers(Action::Update, Some(id)))
        || grant.person() != Some(id)
    {
        return Err(StoreError::GrantMismatch);
    }
    #[derive(sqlx::FromRow)]
    struct B {
        birth_date: Option<NaiveDate>,
    }
    let b: B = tx
        .fetch_one(q!("select birth_date from person where id = $1", id))
        .await?;
    Ok(b.birth_date)
}

/// SQL that holds where the grant's holder has an active place on the team of the person whose
/// id is `person` (a column), as the policy counts it (`TeamMember::includes` and `active`): their
/// own place or their whole unit's, in a unit where they still work with persons, started by
/// today and not ended. Its values are appended to `args`. Every list that shows persons by team
/// uses this, so no list shows a person the policy would not.
pub(crate) fn on_team(grant: &Grant, person: &str, args: &mut Vec<crate::Value>) -> String {
    let (user, units) = grant.search_scope();
    if units.is_empty() {
        return "false".to_owned();
    }
    let mut arg = |v: crate::Value| {
        args.push(v);
        format!("${}", args.len())
    };
    let (user, today, now) = (
        arg(user.into()),
        arg(grant.today().into()),
        arg(grant.now().into()),
    );
    let units: Vec<String> = units.iter().map(|u| arg((*u).into())).collect();
    format!(
        "exists (select 1 from team_member t where t.person_id = {person}
             and t.starts_on <= {today} and (t.ended_at is null or t.ended_at > {now})
             and t.unit_id in ({}) and (t.user_id = {user} or t.user_id is null))",
        units.join(", ")
    )
}

/// Persons the grant's holder may see whose name holds every word of `name` (any case), by
/// family name then given name, at
/// most `limit`. Needs a `Search` grant: only persons whose active team includes the holder (or
/// one of their units), or to whom the holder has emergency access now, are found, so neither
/// the list nor its length tells anything about other persons.
pub async fn search(
    tx: &mut Tx,
    grant: &Grant,
    name: &str,
    limit: i64,
) -> Result<Vec<Person>, StoreError> {
    check(grant, Action::Search, None)?;
    let mut args: Vec<crate::Value> = Vec::new();
    let team = on_team(grant, "person.id", &mut args);
    args.push(grant.user().into());
    let user = args.len();
    args.push(grant.now().into());
    let now = args.len();
    let mut sql = format!(
        "{PERSON_SELECT} where ({team}
           or exists (select 1 from emergency_access e where e.person_id = person.id
             and e.user_id = ${user} and e.started_at <= ${now} and e.expires_at > ${now}))"
    );
    for word in samverka_core::validate::search_key(name)
        .split(' ')
        .filter(|w| !w.is_empty())
    {
        let escaped = word
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        args.push(format!("%{escaped}%").into());
        sql.push_str(&format!(
            " and search_name like ${} escape '\\'",
            args.len()
        ));
    }
    args.push(limit.into());
    sql.push_str(&format!(
        " order by lower(family_name), lower(given_name), id limit ${}",
        args.len()
    ));
    let rows: Vec<PersonRow> = tx
        .fetch_all(crate::Query {
            sql: sql.into(),
            args,
        })
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Identity data only: what an exact-number lookup may show to someone not (yet) working with
/// the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub id: PersonId,
    pub national_id: NationalId,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<NaiveDate>,
}

/// The identity of the person with any of these exact, normalised numbers. Needs a `Lookup`
/// grant; the caller logs the person found.
pub async fn lookup(
    tx: &mut Tx,
    grant: &Grant,
    national_ids: &[String],
) -> Result<Vec<Identity>, StoreError> {
    check(grant, Action::Lookup, None)?;
    let mut out = Vec::new();
    for nid in national_ids {
        let row: Option<PersonRow> = tx
            .fetch_optional(crate::Query {
                sql: format!("{PERSON_SELECT} where national_id = $1").into(),
                args: vec![nid.into()],
            })
            .await?;
        if let Some(r) = row {
            let p = Person::try_from(r)?;
            if !out.iter().any(|i: &Identity| i.id == p.id) {
                out.push(Identity {
                    id: p.id,
                    national_id: p.national_id,
                    given_name: p.given_name,
                    family_name: p.family_name,
                    birth_date: p.birth_date,
                });
            }
        }
    }
    Ok(out)
}

/// The id of the person with this normalised number. Needs a `Lookup` grant.
pub async fn id_by_national_id(
    tx: &mut Tx,
    grant: &Grant,
    national_id: &str,
) -> Result<Option<PersonId>, StoreError> {
    check(grant, Action::Lookup, None)?;
    #[derive(sqlx::FromRow)]
    struct IdRow {
        id: Uuid,
    }
    let row: Option<IdRow> = tx
        .fetch_optional(q!(
            "select id from person where national_id = $1",
            national_id
        ))
        .await?;
    Ok(row.map(|r| r.id.into()))
}

/// How many persons are registered (no person data: used for the demo and health pages).
pub async fn count(tx: &mut Tx) -> Result<i64, StoreError> {
    let c: Count = tx.fetch_one(q!("select count(*) as n from person")).await?;
    Ok(c.n)
}
