//! The coordinated individual plan (SIP / fælles handleplan) of a case: the person's goals in
//! their own words, needs, interventions (what, which organisation, who, from when to when,
//! status), what others do, which organisation holds overall responsibility, and the next
//! follow-up. Every save makes a new version; a version is agreed when each participating
//! organisation and the person have agreed to it.

use crate::OrganisationId;
use crate::consent::{UnknownCode, codes};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Where an intervention stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterventionStatus {
    Planned,
    Ongoing,
    Done,
    Cancelled,
}
codes!(InterventionStatus {
    Planned => "planned",
    Ongoing => "ongoing",
    Done => "done",
    Cancelled => "cancelled",
});

/// One intervention: what is done, by which organisation and person, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervention {
    pub what: String,
    pub organisation: OrganisationId,
    /// The responsible person, as the team names them.
    pub responsible: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub status: InterventionStatus,
}

/// The content of one plan version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    /// The person's goals, in their own words.
    pub goals: String,
    pub needs: String,
    pub interventions: Vec<Intervention>,
    /// What relatives, associations and others do.
    pub others: String,
    /// The organisation with overall responsibility.
    pub responsible_organisation: Option<OrganisationId>,
    pub next_follow_up: Option<NaiveDate>,
}

/// Who agrees to a plan version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Party {
    /// The person the plan is about (recorded by the coordinator).
    Person,
    Organisation(OrganisationId),
}

impl Party {
    /// Stored form: `person` or the organisation's id.
    pub fn code(&self) -> String {
        match self {
            Party::Person => "person".to_owned(),
            Party::Organisation(o) => o.to_string(),
        }
    }
}

impl FromStr for Party {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Party, UnknownCode> {
        if s == "person" {
            return Ok(Party::Person);
        }
        s.parse()
            .map(Party::Organisation)
            .map_err(|_| UnknownCode(s.to_owned()))
    }
}

impl PlanContent {
    /// Who must agree: the case's organisation, the responsible organisation, each
    /// organisation with an intervention, and the person. Organisations in a stable order.
    pub fn parties(&self, case_organisation: OrganisationId) -> Vec<Party> {
        let mut orgs = vec![case_organisation];
        orgs.extend(self.responsible_organisation);
        orgs.extend(self.interventions.iter().map(|i| i.organisation));
        orgs.sort();
        orgs.dedup();
        let mut parties: Vec<Party> = orgs.into_iter().map(Party::Organisation).collect();
        parties.push(Party::Person);
        parties
    }

    /// The fields that differ between two versions, by form field name.
    pub fn changed_fields(&self, other: &PlanContent) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.goals != other.goals {
            out.push("goals");
        }
        if self.needs != other.needs {
            out.push("needs");
        }
        if self.interventions != other.interventions {
            out.push("interventions");
        }
        if self.others != other.others {
            out.push("others");
        }
        if self.responsible_organisation != other.responsible_organisation {
            out.push("responsible_organisation");
        }
        if self.next_follow_up != other.next_follow_up {
            out.push("next_follow_up");
        }
        out
    }
}

/// Whether a version is agreed: every party of `parties` is among `agreed`.
pub fn is_agreed(parties: &[Party], agreed: &[Party]) -> bool {
    parties.iter().all(|p| agreed.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intervention(org: OrganisationId) -> Intervention {
        Intervention {
            what: "Arbetsträning".into(),
            organisation: org,
            responsible: "Eva".into(),
            starts_on: None,
            ends_on: None,
            status: InterventionStatus::Planned,
        }
    }

    #[test]
    fn every_participating_organisation_and_the_person_must_agree() {
        let (case_org, af, fk) = (
            OrganisationId::new(),
            OrganisationId::new(),
            OrganisationId::new(),
        );
        let plan = PlanContent {
            goals: "Tillbaka till jobbet".into(),
            interventions: vec![intervention(af), intervention(af)],
            responsible_organisation: Some(fk),
            ..PlanContent::default()
        };
        let parties = plan.parties(case_org);
        assert_eq!(
            parties.len(),
            4,
            "three organisations once each, and the person"
        );
        assert!(parties.contains(&Party::Person));
        let mut agreed = vec![
            Party::Organisation(case_org),
            Party::Organisation(af),
            Party::Person,
        ];
        assert!(!is_agreed(&parties, &agreed));
        agreed.push(Party::Organisation(fk));
        assert!(is_agreed(&parties, &agreed));
    }

    #[test]
    fn parties_read_back_and_changes_are_named() {
        let o = OrganisationId::new();
        for p in [Party::Person, Party::Organisation(o)] {
            assert_eq!(p.code().parse::<Party>(), Ok(p));
        }
        assert!("somebody".parse::<Party>().is_err());
        let a = PlanContent {
            goals: "A".into(),
            ..PlanContent::default()
        };
        let mut b = a.clone();
        b.interventions.push(intervention(o));
        b.next_follow_up = NaiveDate::from_ymd_opt(2026, 12, 1);
        assert_eq!(a.changed_fields(&b), ["interventions", "next_follow_up"]);
        assert!(a.changed_fields(&a).is_empty());
    }
}
