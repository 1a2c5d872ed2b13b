//! Organisations, their sectors, units and programmes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The sector an organisation belongs to (DOMAIN.md, "The organisations").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    PrimaryCare,
    Hospital,
    Psychiatry,
    SocialServices,
    NeedsAssessment,
    HomeCare,
    SchoolHealth,
    ChildHealth,
    SocialInsurance,
    EmploymentService,
    Association,
    PrivateProvider,
    University,
    Other,
}

impl Sector {
    pub const ALL: [Sector; 14] = [
        Sector::PrimaryCare,
        Sector::Hospital,
        Sector::Psychiatry,
        Sector::SocialServices,
        Sector::NeedsAssessment,
        Sector::HomeCare,
        Sector::SchoolHealth,
        Sector::ChildHealth,
        Sector::SocialInsurance,
        Sector::EmploymentService,
        Sector::Association,
        Sector::PrivateProvider,
        Sector::University,
        Sector::Other,
    ];

    /// Stable code used in the database, forms and locale keys (`sector-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Sector::PrimaryCare => "primary_care",
            Sector::Hospital => "hospital",
            Sector::Psychiatry => "psychiatry",
            Sector::SocialServices => "social_services",
            Sector::NeedsAssessment => "needs_assessment",
            Sector::HomeCare => "home_care",
            Sector::SchoolHealth => "school_health",
            Sector::ChildHealth => "child_health",
            Sector::SocialInsurance => "social_insurance",
            Sector::EmploymentService => "employment_service",
            Sector::Association => "association",
            Sector::PrivateProvider => "private_provider",
            Sector::University => "university",
            Sector::Other => "other",
        }
    }
}

impl Sector {
    /// The category of information an organisation of this sector supplies (a signal, a note),
    /// which consents and blocks speak of.
    pub fn category(self) -> crate::consent::Category {
        use crate::consent::Category;
        match self {
            Sector::PrimaryCare | Sector::Hospital | Sector::Psychiatry | Sector::ChildHealth => {
                Category::Health
            }
            Sector::SchoolHealth => Category::School,
            Sector::SocialInsurance => Category::Insurance,
            Sector::EmploymentService => Category::Employment,
            // Home care and needs assessment are social services' work (SoL / serviceloven).
            Sector::SocialServices
            | Sector::NeedsAssessment
            | Sector::HomeCare
            | Sector::Association
            | Sector::PrivateProvider
            | Sector::University
            | Sector::Other => Category::Social,
        }
    }
}

impl fmt::Display for Sector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown sector `{0}`")]
pub struct UnknownSector(pub String);

impl FromStr for Sector {
    type Err = UnknownSector;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sector::ALL
            .into_iter()
            .find(|x| x.code() == s)
            .ok_or_else(|| UnknownSector(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sector_code_round_trips() {
        for s in Sector::ALL {
            assert_eq!(s.code().parse::<Sector>(), Ok(s));
        }
        assert!("nonsense".parse::<Sector>().is_err());
    }
}
