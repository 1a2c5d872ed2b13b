//! The facts the access policy decides over: consents, blocks (spärr / frabeding), team
//! membership and emergency access, with the pure rules of each (DOMAIN.md, "Access").
//!
//! Dates are calendar dates in the deployment's time zone; a consent valid to 2026-12-31 covers
//! that whole day there. Instants (withdrawal, emergency expiry) are UTC.

use crate::ids::{
    BlockId, ConsentId, EmergencyAccessId, OrganisationId, PersonId, TeamMemberId, UnitId, UserId,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A category of information, the unit a consent or a block speaks of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Health,
    Social,
    Insurance,
    Employment,
    School,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Health,
        Category::Social,
        Category::Insurance,
        Category::Employment,
        Category::School,
    ];

    /// Stable code for the database, forms and locale keys (`category-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Category::Health => "health",
            Category::Social => "social",
            Category::Insurance => "insurance",
            Category::Employment => "employment",
            Category::School => "school",
        }
    }

    /// Codes joined with commas, the stored form of a set of categories.
    pub fn join(cats: &[Category]) -> String {
        cats.iter().map(|c| c.code()).collect::<Vec<_>>().join(",")
    }

    /// Reads [`Category::join`]'s form back; the error names the first unknown code.
    pub fn split(s: &str) -> Result<Vec<Category>, UnknownCode> {
        s.split(',')
            .filter(|c| !c.is_empty())
            .map(str::parse)
            .collect()
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A code that names no known value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown code `{0}`")]
pub struct UnknownCode(pub String);

macro_rules! codes {
    ($t:ty { $($v:ident => $c:literal),* $(,)? }) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            pub fn code(self) -> &'static str {
                match self { $(<$t>::$v => $c),* }
            }
        }
        impl FromStr for $t {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                match s { $($c => Ok(<$t>::$v),)* _ => Err(UnknownCode(s.to_owned())) }
            }
        }
    };
}
pub(crate) use codes;

impl FromStr for Category {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, UnknownCode> {
        Category::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| UnknownCode(s.to_owned()))
    }
}

/// How a consent was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsentForm {
    Written,
    /// Given orally; the consent records who took it down.
    Verbal,
    /// Signed digitally (e.g. BankID, MitID).
    Digital,
}
codes!(ConsentForm { Written => "written", Verbal => "verbal", Digital => "digital" });

/// A person's consent that named organisations may share named categories of information about
/// them with named organisations, for a purpose and a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    pub id: ConsentId,
    pub person_id: PersonId,
    pub purpose: String,
    /// Organisations whose information may be shared.
    pub sharing: Vec<OrganisationId>,
    /// Organisations that may receive it.
    pub receiving: Vec<OrganisationId>,
    pub categories: Vec<Category>,
    pub form: ConsentForm,
    /// For a child: the guardian who gave the consent; `None` when the person gave it.
    pub guardian: Option<String>,
    pub valid_from: NaiveDate,
    /// Last day of validity (inclusive); `None` until withdrawn.
    pub valid_to: Option<NaiveDate>,
    pub recorded_by: UserId,
    pub recorded_by_organisation: OrganisationId,
    pub recorded_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<UserId>,
}

/// Where a consent stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsentState {
    Valid,
    NotYetValid,
    Expired,
    Withdrawn,
}
codes!(ConsentState { Valid => "valid", NotYetValid => "not_yet_valid", Expired => "expired", Withdrawn => "withdrawn" });

impl Consent {
    /// The state on `today` (deployment calendar) at `now`; a withdrawal counts from its instant.
    pub fn state(&self, today: NaiveDate, now: DateTime<Utc>) -> ConsentState {
        if self.withdrawn_at.is_some_and(|w| w <= now) {
            ConsentState::Withdrawn
        } else if today < self.valid_from {
            ConsentState::NotYetValid
        } else if self.valid_to.is_some_and(|to| today > to) {
            ConsentState::Expired
        } else {
            ConsentState::Valid
        }
    }

    /// Whether, on `today`, this consent lets `reader` see `source`'s information of `category`.
    pub fn covers(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
        source: OrganisationId,
        reader: OrganisationId,
        category: Category,
    ) -> bool {
        self.state(today, now) == ConsentState::Valid
            && self.sharing.contains(&source)
            && self.receiving.contains(&reader)
            && self.categories.contains(&category)
    }
}

/// What a block (spärr) hides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockScope {
    /// Everything one unit recorded, from everyone outside that unit.
    Unit(UnitId),
    /// Everything one organisation recorded, from everyone outside it.
    Organisation(OrganisationId),
    /// One category, from every organisation but the one that recorded the information.
    Category(Category),
}

impl BlockScope {
    pub fn kind(&self) -> &'static str {
        match self {
            BlockScope::Unit(_) => "unit",
            BlockScope::Organisation(_) => "organisation",
            BlockScope::Category(_) => "category",
        }
    }
}

/// A block the person asked for. Only the person may ask for one: a guardian cannot block a
/// child's information, so the record has no guardian.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub id: BlockId,
    pub person_id: PersonId,
    pub scope: BlockScope,
    /// Only information recorded on or after this day is blocked, if given.
    pub from: Option<NaiveDate>,
    /// Only information recorded on or before this day is blocked, if given.
    pub to: Option<NaiveDate>,
    pub recorded_by: UserId,
    pub recorded_by_organisation: OrganisationId,
    pub recorded_at: DateTime<Utc>,
    /// Lifting takes the person's consent, which the lifter confirms; then the block no longer acts.
    pub lifted_at: Option<DateTime<Utc>>,
    pub lifted_by: Option<UserId>,
}

/// Where a piece of person information comes from: who recorded it, of which kind, when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub organisation: OrganisationId,
    pub unit: UnitId,
    pub category: Category,
    pub recorded_on: NaiveDate,
}

impl Block {
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.lifted_at.is_none_or(|l| l > now)
    }

    /// Whether this block hides `item` from a reader in `reader_unit` of `reader_org`.
    pub fn hides(
        &self,
        now: DateTime<Utc>,
        item: &Provenance,
        reader_org: OrganisationId,
        reader_unit: UnitId,
    ) -> bool {
        if !self.in_force(now)
            || self.from.is_some_and(|f| item.recorded_on < f)
            || self.to.is_some_and(|t| item.recorded_on > t)
        {
            return false;
        }
        match self.scope {
            BlockScope::Unit(u) => item.unit == u && reader_unit != u,
            BlockScope::Organisation(o) => item.organisation == o && reader_org != o,
            BlockScope::Category(c) => item.category == c && reader_org != item.organisation,
        }
    }
}

/// A place on a person's team: one user, or a whole unit (everyone working there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamMember {
    pub id: TeamMemberId,
    pub person_id: PersonId,
    /// `None`: every user of `unit_id` is on the team.
    pub user_id: Option<UserId>,
    pub unit_id: UnitId,
    pub organisation_id: OrganisationId,
    pub starts_on: NaiveDate,
    pub ended_at: Option<DateTime<Utc>>,
    pub added_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

impl TeamMember {
    pub fn active(&self, today: NaiveDate, now: DateTime<Utc>) -> bool {
        self.starts_on <= today && self.ended_at.is_none_or(|e| e > now)
    }

    /// Whether this place covers `user` working in `unit`.
    pub fn includes(&self, user: UserId, unit: UnitId) -> bool {
        match self.user_id {
            Some(u) => u == user && self.unit_id == unit,
            None => self.unit_id == unit,
        }
    }
}

/// A professional's emergency access (nödåtkomst / nødadgang) to one person's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencyAccess {
    pub id: EmergencyAccessId,
    pub person_id: PersonId,
    pub user_id: UserId,
    pub organisation_id: OrganisationId,
    pub unit_id: UnitId,
    pub reason: String,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<UserId>,
    pub review_comment: Option<String>,
}

impl EmergencyAccess {
    pub fn active(&self, now: DateTime<Utc>) -> bool {
        self.started_at <= now && now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("valid")
    }

    fn noon(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0)
            .single()
            .expect("valid")
    }

    fn consent(a: OrganisationId, b: OrganisationId) -> Consent {
        Consent {
            id: ConsentId::new(),
            person_id: PersonId::new(),
            purpose: "p".into(),
            sharing: vec![a],
            receiving: vec![b],
            categories: vec![Category::Health],
            form: ConsentForm::Written,
            guardian: None,
            valid_from: day(10),
            valid_to: Some(day(20)),
            recorded_by: UserId::new(),
            recorded_by_organisation: a,
            recorded_at: noon(1),
            withdrawn_at: None,
            withdrawn_by: None,
        }
    }

    #[test]
    fn consent_is_valid_on_its_first_and_last_day_only() {
        let c = consent(OrganisationId::new(), OrganisationId::new());
        assert_eq!(c.state(day(9), noon(9)), ConsentState::NotYetValid);
        assert_eq!(c.state(day(10), noon(10)), ConsentState::Valid);
        assert_eq!(c.state(day(20), noon(20)), ConsentState::Valid);
        assert_eq!(c.state(day(21), noon(21)), ConsentState::Expired);
    }

    #[test]
    fn withdrawal_acts_from_its_instant() {
        let mut c = consent(OrganisationId::new(), OrganisationId::new());
        c.withdrawn_at = Some(noon(15));
        assert_eq!(c.state(day(15), noon(14)), ConsentState::Valid);
        assert_eq!(c.state(day(15), noon(15)), ConsentState::Withdrawn);
    }

    #[test]
    fn consent_covers_only_its_direction_and_categories() {
        let (a, b) = (OrganisationId::new(), OrganisationId::new());
        let c = consent(a, b);
        let (t, n) = (day(12), noon(12));
        assert!(c.covers(t, n, a, b, Category::Health));
        assert!(!c.covers(t, n, b, a, Category::Health), "reverse direction");
        assert!(!c.covers(t, n, a, b, Category::Social), "other category");
        assert!(!c.covers(t, n, a, OrganisationId::new(), Category::Health));
    }

    #[test]
    fn blocks_hide_from_others_not_from_the_source() {
        let (org, other) = (OrganisationId::new(), OrganisationId::new());
        let (unit, unit2) = (UnitId::new(), UnitId::new());
        let item = Provenance {
            organisation: org,
            unit,
            category: Category::Social,
            recorded_on: day(5),
        };
        let mut b = Block {
            id: BlockId::new(),
            person_id: PersonId::new(),
            scope: BlockScope::Unit(unit),
            from: None,
            to: None,
            recorded_by: UserId::new(),
            recorded_by_organisation: org,
            recorded_at: noon(1),
            lifted_at: None,
            lifted_by: None,
        };
        let now = noon(6);
        assert!(!b.hides(now, &item, org, unit));
        assert!(
            b.hides(now, &item, org, unit2),
            "other unit, same organisation"
        );
        b.scope = BlockScope::Organisation(org);
        assert!(!b.hides(now, &item, org, unit2));
        assert!(b.hides(now, &item, other, UnitId::new()));
        b.scope = BlockScope::Category(Category::Social);
        assert!(b.hides(now, &item, other, UnitId::new()));
        assert!(!b.hides(now, &item, org, unit2));
        b.from = Some(day(6));
        assert!(
            !b.hides(now, &item, other, UnitId::new()),
            "before the range"
        );
        b.from = None;
        b.lifted_at = Some(noon(6));
        assert!(!b.hides(now, &item, other, UnitId::new()), "lifted");
    }

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(c.code().parse::<Category>(), Ok(c));
        }
        for f in ConsentForm::ALL {
            assert_eq!(f.code().parse::<ConsentForm>(), Ok(*f));
        }
        assert_eq!(
            Category::split("health,school"),
            Ok(vec![Category::Health, Category::School])
        );
        assert!(Category::split("health,x").is_err());
    }

    proptest! {
        /// A consent is valid exactly on the days of its range, whatever the range.
        #[test]
        fn validity_is_the_inclusive_range(from in 0i64..400, len in 0i64..400, probe in -10i64..820) {
            let base = NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid");
            let mut c = consent(OrganisationId::new(), OrganisationId::new());
            c.valid_from = base + chrono::Duration::days(from);
            c.valid_to = Some(base + chrono::Duration::days(from + len));
            let today = base + chrono::Duration::days(probe);
            let now = Utc.from_utc_datetime(&today.and_hms_opt(12, 0, 0).expect("valid"));
            let valid = c.state(today, now) == ConsentState::Valid;
            prop_assert_eq!(valid, probe >= from && probe <= from + len);
        }
    }
}
