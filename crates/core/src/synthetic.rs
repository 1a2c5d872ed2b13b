//! The synthetic demo world: the seeds' organisations, units and programmes, the demo users, and
//! a deterministic generator of synthetic persons.
//!
//! Nothing here describes a real person. The organisations are real public bodies in the seeds'
//! settings (Linköping, Halmstad, Härnösand, Odense) so the demo reads like the collaborations it
//! was built for; every person, name-number combination and phone number is invented. Phone
//! numbers come from ranges that can never reach anyone.
//!
//! Same seed, same output, on every machine and with every build: the generator draws only raw
//! words from [`ChaCha8Rng`] (whose stream `rand_chacha` keeps stable) and does its own uniform
//! sampling, so neither `rand`'s sampling algorithms (which may change between versions) nor the
//! width of `usize` can change a generated person.

use crate::actor::Role;
use crate::national_id::{NationalIdKind, Scheme};
use crate::org::Sector;
use chrono::{Datelike, Days, Months, NaiveDate};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

// ---------------------------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------------------------

/// A country the demo world has a deployment in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Country {
    Sweden,
    Denmark,
}

impl Country {
    /// The national-identity scheme its residents' numbers are read with.
    pub fn scheme(self) -> Scheme {
        match self {
            Country::Sweden => Scheme::Swedish,
            Country::Denmark => Scheme::Danish,
        }
    }

    /// The IANA time zone its deadlines are counted in.
    pub fn time_zone(self) -> &'static str {
        match self {
            Country::Sweden => "Europe/Stockholm",
            Country::Denmark => "Europe/Copenhagen",
        }
    }
}

/// A unit of a demo organisation. `key` is unique across the whole world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldUnit {
    pub key: &'static str,
    pub name: String,
}

/// A demo organisation. `key` is unique across the world; an organisation has one sector, so a
/// region's primary care and its hospital are separate organisations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldOrganisation {
    pub key: &'static str,
    pub name: String,
    pub sector: Sector,
    pub country: Country,
    pub units: Vec<WorldUnit>,
}

/// A demo programme (samverkansprojekt) and the organisations taking part in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldProgramme {
    pub key: &'static str,
    pub name: String,
    pub description: String,
    pub country: Country,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub organisation_keys: Vec<&'static str>,
}

/// A demo account with one membership: `role` in the unit `unit_key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoUser {
    pub username: &'static str,
    pub display_name: String,
    pub role: Role,
    pub unit_key: &'static str,
}

/// Everything the demo loader creates before the persons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct World {
    pub organisations: Vec<WorldOrganisation>,
    pub programmes: Vec<WorldProgramme>,
    pub demo_users: Vec<DemoUser>,
}

impl World {
    pub fn organisation(&self, key: &str) -> Option<&WorldOrganisation> {
        self.organisations.iter().find(|o| o.key == key)
    }

    /// The organisation a unit belongs to.
    pub fn organisation_of_unit(&self, unit_key: &str) -> Option<&WorldOrganisation> {
        self.organisations
            .iter()
            .find(|o| o.units.iter().any(|u| u.key == unit_key))
    }
}

/// An organisation as a compact literal: key, name, sector, country, (unit key, unit name)s.
type OrgRow = (
    &'static str,
    &'static str,
    Sector,
    Country,
    &'static [(&'static str, &'static str)],
);

const ORGANISATIONS: &[OrgRow] = {
    use Country::{Denmark as DK, Sweden as SE};
    use Sector::*;
    &[
        // Linköping (seed 001): the coordination team in Skäggetorp, Ryd and Berga.
        (
            "ro-primarvard",
            "Region Östergötland – primärvården",
            PrimaryCare,
            SE,
            &[
                ("vc-skaggetorp", "Vårdcentralen Skäggetorp"),
                ("vc-ryd", "Vårdcentralen Ryd"),
                ("vc-berga", "Vårdcentralen Berga"),
                // The resource-team coordinator is employed by the region (seed 001).
                (
                    "resursteam-skaggetorp",
                    "Samordningsteamet Skäggetorp, Ryd och Berga",
                ),
            ],
        ),
        (
            "ro-us",
            "Universitetssjukhuset i Linköping",
            Hospital,
            SE,
            &[
                ("us-akut", "Akutkliniken, Universitetssjukhuset i Linköping"),
                (
                    "us-medicin",
                    "Medicinkliniken, Universitetssjukhuset i Linköping",
                ),
                (
                    "us-ortopedi",
                    "Ortopedkliniken, Universitetssjukhuset i Linköping",
                ),
            ],
        ),
        (
            "ro-psykiatri",
            "Region Östergötland – psykiatrin",
            Psychiatry,
            SE,
            &[("psyk-linkoping", "Vuxenpsykiatrin Linköping, öppenvården")],
        ),
        // Whoever runs the platform and reviews its logs; not a party to any programme.
        (
            "ro-forvaltning",
            "Region Östergötland – förvaltning och informationssäkerhet",
            Other,
            SE,
            &[
                ("ro-systemforvaltning", "Systemförvaltning Samverka"),
                ("ro-loggranskning", "Informationssäkerhet och loggranskning"),
            ],
        ),
        (
            "lkpg-social",
            "Linköpings kommun – socialförvaltningen",
            SocialServices,
            SE,
            &[
                ("sk-skaggetorp", "Socialkontoret Skäggetorp"),
                ("sk-ryd", "Socialkontoret Ryd"),
                ("sk-berga", "Socialkontoret Berga"),
            ],
        ),
        (
            "lkpg-hemtjanst",
            "Linköpings kommun – hemtjänst och hemsjukvård",
            HomeCare,
            SE,
            &[
                ("hemtjanst-skaggetorp", "Hemtjänsten Skäggetorp"),
                ("hemsjukvard-linkoping", "Hemsjukvården Linköping"),
            ],
        ),
        (
            "lkpg-elevhalsa",
            "Linköpings kommun – elevhälsan",
            SchoolHealth,
            SE,
            &[
                ("elevhalsa-skaggetorp", "Elevhälsan Skäggetorpsskolan"),
                ("elevhalsa-ryd", "Elevhälsan Rydsskolan"),
            ],
        ),
        // The state agencies are national; their local offices are units.
        (
            "forsakringskassan",
            "Försäkringskassan",
            SocialInsurance,
            SE,
            &[
                ("fk-linkoping", "Försäkringskassan Linköping"),
                ("fk-halmstad", "Försäkringskassan Halmstad"),
            ],
        ),
        (
            "arbetsformedlingen",
            "Arbetsförmedlingen",
            EmploymentService,
            SE,
            &[
                ("af-linkoping", "Arbetsförmedlingen Linköping"),
                ("af-halmstad", "Arbetsförmedlingen Halmstad"),
            ],
        ),
        (
            "korpen-linkoping",
            "Korpen Linköping",
            Association,
            SE,
            &[("korpen-skaggetorp", "Korpen Linköping – Skäggetorp")],
        ),
        (
            "sf-centrala-ostergotland",
            "Samordningsförbundet Centrala Östergötland",
            Other,
            SE,
            &[(
                "sf-centrala-ostergotland-kansli",
                "Samordningsförbundet Centrala Östergötland, kansliet",
            )],
        ),
        // Halmstad (seed 000): Andersberg.
        (
            "rh-andersberg",
            "Region Halland – Vårdcentralen Andersberg",
            PrimaryCare,
            SE,
            &[
                ("vc-andersberg", "Vårdcentralen Andersberg"),
                ("projekt-andersberg", "Samverkansprojektet Andersberg"),
            ],
        ),
        (
            "halmstad-social",
            "Halmstads kommun – socialförvaltningen",
            SocialServices,
            SE,
            &[("bistand-halmstad", "Ekonomiskt bistånd Halmstad")],
        ),
        (
            "sf-halland",
            "Samordningsförbundet Halland",
            Other,
            SE,
            &[(
                "sf-halland-kansli",
                "Samordningsförbundet Halland, kansliet",
            )],
        ),
        // Härnösand, Västernorrland (seed 004): God och nära vård.
        (
            "rvn-lanssjukhuset",
            "Region Västernorrland – Länssjukhuset Sundsvall-Härnösand",
            Hospital,
            SE,
            &[
                (
                    "lsh-medicin-harnosand",
                    "Medicinavdelningen, Härnösands sjukhus",
                ),
                (
                    "lsh-geriatrik-sundsvall",
                    "Geriatriska kliniken, Sundsvalls sjukhus",
                ),
            ],
        ),
        (
            "rvn-primarvard",
            "Region Västernorrland – primärvården",
            PrimaryCare,
            SE,
            &[
                ("hc-harnosand", "Hälsocentralen Härnösand"),
                ("hc-ramvik", "Hälsocentralen Ramvik"),
            ],
        ),
        (
            "rvn-barnhalsovard",
            "Region Västernorrland – barnhälsovården",
            ChildHealth,
            SE,
            &[("bvc-harnosand", "Barnavårdscentralen Härnösand")],
        ),
        (
            "rvn-psykiatri",
            "Region Västernorrland – psykiatrin",
            Psychiatry,
            SE,
            &[(
                "psyk-harnosand",
                "Psykiatriska öppenvårdsmottagningen Härnösand",
            )],
        ),
        (
            "hsand-hemtjanst",
            "Härnösands kommun – hemtjänst och hemsjukvård",
            HomeCare,
            SE,
            &[
                ("hemtjanst-harnosand", "Hemtjänsten Härnösand centrum"),
                ("hemsjukvard-harnosand", "Hemsjukvården Härnösand"),
            ],
        ),
        (
            "hsand-bistand",
            "Härnösands kommun – biståndsenheten",
            NeedsAssessment,
            SE,
            &[("bistand-harnosand", "Biståndsenheten Härnösand")],
        ),
        (
            "hsand-social",
            "Härnösands kommun – socialtjänsten",
            SocialServices,
            SE,
            &[
                ("ifo-barn-harnosand", "IFO barn och unga Härnösand"),
                ("ifo-vuxen-harnosand", "IFO vuxen Härnösand"),
            ],
        ),
        (
            "hsand-elevhalsa",
            "Härnösands kommun – elevhälsan",
            SchoolHealth,
            SE,
            &[("elevhalsa-harnosand", "Elevhälsan Härnösand, F–6")],
        ),
        // Odense (seeds 002, 003): Integrated Care.
        (
            "ouh",
            "Odense Universitetshospital",
            Hospital,
            DK,
            &[
                ("ouh-fam", "Fælles Akutmodtagelse, OUH"),
                ("ouh-geriatri", "Geriatrisk Afdeling, OUH"),
            ],
        ),
        (
            "region-syddanmark",
            "Region Syddanmark",
            Other,
            DK,
            &[(
                "rsd-sundhedssamarbejde",
                "Region Syddanmark – Sundhedssamarbejde",
            )],
        ),
        (
            "odense-aeldre",
            "Odense Kommune – Ældre- og Handicapforvaltningen",
            HomeCare,
            DK,
            &[
                ("hjemmepleje-odense-nord", "Hjemmeplejen Odense Nord"),
                ("hjemmepleje-odense-syd", "Hjemmeplejen Odense Syd"),
                ("hjemmesygepleje-odense", "Hjemmesygeplejen Odense"),
            ],
        ),
        (
            "odense-bsf",
            "Odense Kommune – Beskæftigelses- og Socialforvaltningen",
            SocialServices,
            DK,
            &[("socialraadgivning-odense", "Socialrådgivningen Odense")],
        ),
        // The jobcenter belongs to the same administration, but an organisation has one sector.
        (
            "odense-jobcenter",
            "Odense Kommune – Jobcenter Odense",
            EmploymentService,
            DK,
            &[
                (
                    "jobcenter-odense-sygedagpenge",
                    "Jobcenter Odense – sygedagpenge",
                ),
                (
                    "jobcenter-odense-job",
                    "Jobcenter Odense – job og uddannelse",
                ),
            ],
        ),
        // General practices are independent businesses, each its own data controller.
        (
            "lh-vollsmose",
            "Lægehuset Vollsmose",
            PrimaryCare,
            DK,
            &[("lh-vollsmose-klinik", "Lægehuset Vollsmose")],
        ),
        (
            "lh-bolbro",
            "Lægehuset Bolbro",
            PrimaryCare,
            DK,
            &[("lh-bolbro-klinik", "Lægehuset Bolbro")],
        ),
        (
            "lh-hunderup",
            "Lægerne Hunderup",
            PrimaryCare,
            DK,
            &[("lh-hunderup-klinik", "Lægerne Hunderup")],
        ),
    ]
};

/// A calendar date written in the source. Only called in `const` items, so an impossible date
/// fails the build rather than the demo.
const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => panic!("invalid date in synthetic world"),
    }
}

/// A programme as a compact literal: key, name, description, country, start, end, organisations.
type ProgrammeRow = (
    &'static str,
    &'static str,
    &'static str,
    Country,
    NaiveDate,
    Option<NaiveDate>,
    &'static [&'static str],
);

const PROGRAMMES: &[ProgrammeRow] = &[
    (
        "skaggetorp",
        "Samordningsteam Skäggetorp, Ryd och Berga",
        "Region Östergötland, Försäkringskassan, Arbetsförmedlingen och socialkontoren arbetar i \
         ett gemensamt samordningsteam för att tidigt nå personer i riskzon för ohälsa, långvarig \
         sjukskrivning, långvarigt försörjningsstöd eller arbetslöshet. Varje sjukskriven ska \
         kontaktas av samordningsteamet senast dag 35.",
        Country::Sweden,
        date(2025, 1, 1),
        Some(date(2027, 12, 31)),
        &[
            "ro-primarvard",
            "ro-us",
            "ro-psykiatri",
            "lkpg-social",
            "lkpg-hemtjanst",
            "lkpg-elevhalsa",
            "forsakringskassan",
            "arbetsformedlingen",
            "korpen-linkoping",
            "sf-centrala-ostergotland",
        ],
    ),
    (
        "andersberg",
        "Andersberg – samverkansprojekt",
        "Ettårigt projekt där Vårdcentralen Andersberg tillsammans med Försäkringskassan, \
         Arbetsförmedlingen och socialförvaltningen stödjer invånarna i Andersberg till bättre \
         hälsa och återgång i arbete: rätt insats på rätt nivå i rätt tid. Finansieras av \
         Samordningsförbundet Halland med 600 000 kronor.",
        Country::Sweden,
        date(2026, 2, 1),
        Some(date(2027, 1, 31)),
        &[
            "rh-andersberg",
            "halmstad-social",
            "forsakringskassan",
            "arbetsformedlingen",
            "sf-halland",
        ],
    ),
    (
        "harnosand",
        "Utskrivningsteam Härnösand",
        "Hemtjänst, hemsjukvård och biståndsenheten arbetar i team med den fasta vårdkontakten i \
         primärvården när någon skrivs ut från sjukhus. Den enskilde är delaktig i planeringen, \
         och kontinuitet och trygghet efter hemkomsten står i centrum.",
        Country::Sweden,
        date(2024, 9, 1),
        None,
        &[
            "rvn-lanssjukhuset",
            "rvn-primarvard",
            "hsand-hemtjanst",
            "hsand-bistand",
        ],
    ),
    (
        "hlt",
        "HLT – tidiga samordnade insatser för barn 6–12",
        "HLT Härnösand (Hälsa, Lärande, Trygghet) är en samverkansmodell mellan elevhälsan, \
         socialtjänsten och primärvården inom satsningen Tidiga samordnade insatser. Barn som \
         behöver stöd upptäcks tidigt, och barnet och familjen får snabbt rätt insatser.",
        Country::Sweden,
        date(2023, 1, 1),
        None,
        &["hsand-elevhalsa", "hsand-social", "rvn-primarvard"],
    ),
    (
        "spot",
        "SPOT – specialiserat psykiatriskt omvårdnadsteam",
        "Socialtjänsten och psykiatrin gör gemensamma hembesök hos personer med betydande \
         psykiatrisk problematik, även samsjuklighet, för att ge stöd i den egna bostaden och \
         förhindra undvikbar slutenvård.",
        Country::Sweden,
        date(2025, 3, 1),
        None,
        &["hsand-social", "rvn-psykiatri"],
    ),
    (
        "barnsakert",
        "BarnSäkert Härnösand",
        "Arbetsmodell för att tidigt upptäcka psykosociala riskfaktorer i små barns \
         uppväxtmiljö, så att barnhälsovården och socialtjänsten snabbt kan erbjuda familjen stöd.",
        Country::Sweden,
        date(2025, 1, 1),
        None,
        &["rvn-barnhalsovard", "hsand-social"],
    ),
    (
        "odense",
        "Integrated Care Odense",
        "Partnerskab mellem Region Syddanmark, PLO Syddanmark og Odense Kommune, hvor \
         tværsektorielle teams fra kommune, sygehus og almen praksis sammen har ansvaret for et \
         koordineret og proaktivt forløb for de mest udsatte borgere. Målgrupperne er borgere med \
         stress, angst og depression og ældre medicinske patienter, og borgeren har adgang til sin \
         egen handleplan.",
        Country::Denmark,
        date(2025, 9, 1),
        Some(date(2027, 12, 31)),
        &[
            "region-syddanmark",
            "ouh",
            "odense-aeldre",
            "odense-bsf",
            "odense-jobcenter",
            "lh-vollsmose",
            "lh-bolbro",
            "lh-hunderup",
        ],
    ),
];

/// username, display name, role, unit key. Everyone works in Linköping, so the demo users can
/// meet in one programme (Skäggetorp) whichever account a visitor signs in with.
const DEMO_USERS: &[(&str, &str, Role, &str)] = &[
    (
        "admin",
        "Erik Holm (administratör)",
        Role::Administrator,
        "ro-systemforvaltning",
    ),
    (
        "coordinator",
        "Anna Lind (samordnare)",
        Role::Coordinator,
        "resursteam-skaggetorp",
    ),
    (
        "lead",
        "Maria Ek (projektledare)",
        Role::ProgrammeLead,
        "sf-centrala-ostergotland-kansli",
    ),
    (
        "auditor",
        "Per Sjöberg (loggranskare)",
        Role::Auditor,
        "ro-loggranskning",
    ),
    (
        "primarycare",
        "Karin Berg (distriktsläkare)",
        Role::Professional,
        "vc-skaggetorp",
    ),
    (
        "hospital",
        "Johan Ström (sjuksköterska)",
        Role::Professional,
        "us-medicin",
    ),
    (
        "social",
        "Fatima Hassan (socialsekreterare)",
        Role::Professional,
        "sk-skaggetorp",
    ),
    (
        "homecare",
        "Lena Åberg (undersköterska, hemtjänsten)",
        Role::Professional,
        "hemtjanst-skaggetorp",
    ),
    (
        "school",
        "Sara Nilsson (skolsköterska)",
        Role::Professional,
        "elevhalsa-skaggetorp",
    ),
    (
        "insurance",
        "Ahmed Yusuf (handläggare, Försäkringskassan)",
        Role::Professional,
        "fk-linkoping",
    ),
    (
        "employment",
        "Eva Lundqvist (arbetsförmedlare)",
        Role::Professional,
        "af-linkoping",
    ),
    // Coordinators of the other programmes, so that each has cases in the demo.
    (
        "coordinator-halmstad",
        "Johanna Berg (samordnare, Andersberg)",
        Role::Coordinator,
        "projekt-andersberg",
    ),
    (
        "coordinator-harnosand",
        "Nils Ek (fast vårdkontakt, Härnösand)",
        Role::Coordinator,
        "hc-harnosand",
    ),
    (
        "koordinator-odense",
        "Mette Jensen (forløbskoordinator, Odense)",
        Role::Coordinator,
        "hjemmesygepleje-odense",
    ),
];

/// The demo world: the seeds' organisations and programmes and the demo users.
pub fn world() -> World {
    let organisations = ORGANISATIONS
        .iter()
        .map(|&(key, name, sector, country, units)| WorldOrganisation {
            key,
            name: name.to_owned(),
            sector,
            country,
            units: units
                .iter()
                .map(|&(key, name)| WorldUnit {
                    key,
                    name: name.to_owned(),
                })
                .collect(),
        })
        .collect();
    let programmes = PROGRAMMES
        .iter()
        .map(
            |&(key, name, description, country, starts_on, ends_on, orgs)| WorldProgramme {
                key,
                name: name.to_owned(),
                description: description.to_owned(),
                country,
                starts_on,
                ends_on,
                organisation_keys: orgs.to_vec(),
            },
        )
        .collect();
    let demo_users = DEMO_USERS
        .iter()
        .map(|&(username, display_name, role, unit_key)| DemoUser {
            username,
            display_name: display_name.to_owned(),
            role,
            unit_key,
        })
        .collect();
    World {
        organisations,
        programmes,
        demo_users,
    }
}

// ---------------------------------------------------------------------------------------------
// Persons
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    Female,
    Male,
}

/// A synthetic resident. `national_id` is in the normalised form of
/// [`NationalId::as_str`](crate::national_id::NationalId::as_str).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntheticPerson {
    pub national_id: String,
    pub kind: NationalIdKind,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub protected_identity: bool,
    /// A BCP 47 language tag: "sv", "da", "ar", "so", "fa", "ti" or "en".
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub phone: Option<String>,
}

/// `count` synthetic residents of `country`, deterministic per `seed`.
///
/// `today` (the current date in the deployment's time zone) bounds the birth dates: everyone is
/// 0–100 years old on `today`. Persons are generated one after the other from one stream, so a
/// shorter call yields a prefix of a longer one with the same seed. National identity numbers are
/// unique within one call. Only if `count` came near the size of the number space (tens of
/// millions) could no free number be found; the list then ends early rather than loop forever.
pub fn persons(
    seed: u64,
    count: usize,
    country: Country,
    today: NaiveDate,
) -> Vec<SyntheticPerson> {
    let locale = match country {
        Country::Sweden => &SWEDEN,
        Country::Denmark => &DENMARK,
    };
    let mut dice = Dice::new(seed, country);
    let mut issued = HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        match person(&mut dice, locale, today, &mut issued) {
            Some(p) => out.push(p),
            None => break,
        }
    }
    out
}

/// Uniform sampling over the raw ChaCha stream (see the module comment for why not `rand`'s).
struct Dice(ChaCha8Rng);

impl Dice {
    /// Each country draws from its own ChaCha stream, so the Swedish and Danish persons of one
    /// seed are unrelated rather than the same draws dressed differently.
    fn new(seed: u64, country: Country) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(match country {
            Country::Sweden => 0x5345,  // "SE"
            Country::Denmark => 0x444b, // "DK"
        });
        Dice(rng)
    }

    /// Uniform in `0..n`, without modulo bias (Lemire's multiply-and-reject); 0 when `n` is 0.
    fn below(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u64::from(self.0.next_u32()) * u64::from(n);
            // The low half decides rejection, the high half is the sample.
            if (m as u32) >= threshold {
                return (m >> 32) as u32;
            }
        }
    }

    /// Uniform in `lo..=hi` (`lo <= hi`).
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p` in a thousand.
    fn per_mille(&mut self, p: u32) -> bool {
        self.below(1000) < p
    }

    /// One element; the tables are non-empty constants (tested).
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let n = u32::try_from(items.len()).unwrap_or(u32::MAX);
        &items[self.below(n) as usize]
    }

    /// One element, with probability proportional to its weight.
    fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total = items.iter().map(|&(_, w)| w).sum();
        let mut r = self.below(total);
        for (item, w) in items {
            if r < *w {
                return item;
            }
            r -= w;
        }
        // Unreachable while the weights sum to `total`; the last element keeps this total.
        &items[items.len() - 1].0
    }
}

/// Given names by generation: the names of people born before 1975 differ from those of their
/// grandchildren, and a 90-year-old "Wilma" would look wrong in a demo.
struct Names {
    female_older: &'static [&'static str],
    female_younger: &'static [&'static str],
    male_older: &'static [&'static str],
    male_younger: &'static [&'static str],
    family: &'static [&'static str],
}

/// A language community among residents of foreign background.
struct Origin {
    language: &'static str,
    female: &'static [&'static str],
    male: &'static [&'static str],
    family: &'static [&'static str],
}

/// A neighbourhood: its streets and the share of residents of foreign background, in per mille.
struct Area {
    foreign_per_mille: u32,
    /// Danish blocks of flats: the address carries floor and side.
    flats: bool,
    /// (street, postal code, post town)
    streets: &'static [(&'static str, &'static str, &'static str)],
}

struct Locale {
    country: Country,
    local_language: &'static str,
    native: Names,
    origins: &'static [(Origin, u32)],
    areas: &'static [(Area, u32)],
    /// The birth dates the country's number can express (see `birth_date`).
    earliest_birth: NaiveDate,
    latest_birth: NaiveDate,
}

/// Age bands (inclusive) weighted roughly as the Swedish and Danish populations are, in per cent.
const AGE_BANDS: [((u32, u32), u32); 10] = [
    ((0, 9), 11),
    ((10, 19), 11),
    ((20, 29), 13),
    ((30, 39), 13),
    ((40, 49), 12),
    ((50, 59), 12),
    ((60, 69), 11),
    ((70, 79), 10),
    ((80, 89), 5),
    ((90, 100), 2),
];

#[rustfmt::skip] // Name tables read best as compact lines.
const ARABIC: Origin = Origin {
    language: "ar",
    female: &["Fatima", "Amina", "Maryam", "Noor", "Layla", "Hiba", "Rania", "Zainab", "Aya", "Salma"],
    male: &["Mohammed", "Ahmed", "Ali", "Omar", "Hassan", "Yousef", "Khaled", "Mustafa", "Ibrahim", "Karim"],
    family: &["Al-Rashid", "Haddad", "Khalil", "Saleh", "Abdullah", "Ibrahim", "Mahmoud", "Nasser", "Jaber", "Hussein"],
};

/// Somali names follow the father's given name, so the family list is of given names.
#[rustfmt::skip]
const SOMALI: Origin = Origin {
    language: "so",
    female: &["Hodan", "Fadumo", "Sahra", "Ayaan", "Hibaaq", "Deeqa", "Nimco", "Ifrah", "Ubah"],
    male: &["Abdi", "Mohamed", "Abdirahman", "Ahmed", "Farah", "Yusuf", "Liban", "Abdullahi"],
    family: &["Warsame", "Farah", "Abdi", "Osman", "Jama", "Hussein", "Aden", "Mohamud", "Nur", "Yusuf"],
};

#[rustfmt::skip]
const PERSIAN: Origin = Origin {
    language: "fa",
    female: &["Maryam", "Shirin", "Parisa", "Leila", "Nasrin", "Azadeh", "Roya", "Zahra"],
    male: &["Reza", "Ali", "Mehdi", "Amir", "Hossein", "Dariush", "Babak", "Kian"],
    family: &["Ahmadi", "Hosseini", "Karimi", "Rahimi", "Mohammadi", "Rezaei", "Jafari", "Moradi", "Sadeghi"],
};

/// Eritrean names follow the father's given name, as Somali ones do.
#[rustfmt::skip]
const TIGRINYA: Origin = Origin {
    language: "ti",
    female: &["Senait", "Mehret", "Selam", "Yordanos", "Saba", "Lidia", "Rahel", "Helen"],
    male: &["Yonas", "Dawit", "Tesfay", "Filmon", "Samuel", "Mulugeta", "Berhane", "Kidane"],
    family: &["Tesfamariam", "Haile", "Gebremedhin", "Tekle", "Berhe", "Ghebreyesus", "Kahsay", "Woldu"],
};

#[rustfmt::skip]
const SWEDISH_NAMES: Names = Names {
    female_older: &[
        "Birgitta", "Margareta", "Kerstin", "Ingrid", "Eva", "Karin", "Marie", "Lena", "Gunilla",
        "Britt", "Ulla", "Anna", "Kristina", "Elisabeth",
    ],
    female_younger: &[
        "Emma", "Maja", "Alice", "Elsa", "Wilma", "Ebba", "Linnea", "Sara", "Hanna", "Ida",
        "Johanna", "Elin", "Frida", "Astrid", "Agnes", "Sofia",
    ],
    male_older: &[
        "Lars", "Anders", "Per", "Jan", "Hans", "Bengt", "Göran", "Leif", "Sven", "Björn", "Karl",
        "Erik", "Nils", "Olof", "Mikael",
    ],
    male_younger: &[
        "William", "Hugo", "Lucas", "Liam", "Elias", "Noah", "Oskar", "Alexander", "Viktor",
        "Filip", "Axel", "Gustav", "Johan", "Erik", "Emil", "Adam",
    ],
    family: &[
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
        "Bengtsson", "Lindberg", "Lindqvist", "Lindgren", "Berg", "Axelsson", "Sjöberg",
        "Lundberg", "Holm", "Åberg", "Öberg", "Nyström", "Sandberg", "Forsberg", "Sundström", "Ek",
    ],
};

#[rustfmt::skip]
const DANISH_NAMES: Names = Names {
    female_older: &[
        "Hanne", "Kirsten", "Susanne", "Lene", "Birgit", "Inge", "Karen", "Grethe", "Bente",
        "Jytte", "Mette", "Anne",
    ],
    female_younger: &[
        "Ida", "Emma", "Sofie", "Freja", "Anna", "Laura", "Mathilde", "Clara", "Cecilie", "Julie",
        "Louise", "Camilla",
    ],
    male_older: &[
        "Jens", "Niels", "Henrik", "Søren", "Lars", "Peter", "Michael", "Poul", "Erik", "Ole",
        "Hans", "Jørgen",
    ],
    male_younger: &[
        "William", "Noah", "Oscar", "Lucas", "Emil", "Frederik", "Magnus", "Mathias", "Rasmus",
        "Victor", "Mads", "Christian",
    ],
    family: &[
        "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
        "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
        "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen",
    ],
};

const SWEDEN: Locale = Locale {
    country: Country::Sweden,
    local_language: "sv",
    native: SWEDISH_NAMES,
    origins: &[(ARABIC, 40), (SOMALI, 25), (PERSIAN, 20), (TIGRINYA, 15)],
    areas: &[
        // Skäggetorp: most residents of foreign background (seed 001).
        (
            Area {
                foreign_per_mille: 600,
                flats: false,
                streets: &[
                    ("Tröskaregatan", "586 62", "Linköping"),
                    ("Harvgatan", "586 63", "Linköping"),
                    ("Slåttergatan", "586 64", "Linköping"),
                    ("Skördegatan", "586 65", "Linköping"),
                    ("Plogvägen", "586 66", "Linköping"),
                ],
            },
            20,
        ),
        // Ryd: students and families.
        (
            Area {
                foreign_per_mille: 350,
                flats: false,
                streets: &[
                    ("Björnkärrsgatan", "584 31", "Linköping"),
                    ("Vallvägen", "584 32", "Linköping"),
                    ("Rydsvägen", "584 34", "Linköping"),
                    ("Ryds allé", "584 35", "Linköping"),
                ],
            },
            12,
        ),
        // Berga.
        (
            Area {
                foreign_per_mille: 300,
                flats: false,
                streets: &[
                    ("Bergsvägen", "589 21", "Linköping"),
                    ("Södra Berga allé", "589 22", "Linköping"),
                    ("Nygårdsgatan", "589 23", "Linköping"),
                ],
            },
            10,
        ),
        // The rest of Linköping.
        (
            Area {
                foreign_per_mille: 100,
                flats: false,
                streets: &[
                    ("Ågatan", "582 22", "Linköping"),
                    ("Drottninggatan", "582 25", "Linköping"),
                    ("Djurgårdsgatan", "582 29", "Linköping"),
                    ("Vasavägen", "587 26", "Linköping"),
                ],
            },
            13,
        ),
        // Andersberg: multi-ethnic, poorer health than the county (seed 000).
        (
            Area {
                foreign_per_mille: 550,
                flats: false,
                streets: &[
                    ("Andersbergsringen", "302 60", "Halmstad"),
                    ("Andersbergsringen", "302 61", "Halmstad"),
                    ("Andersbergsringen", "302 62", "Halmstad"),
                    ("Linnégatan", "302 63", "Halmstad"),
                ],
            },
            15,
        ),
        // The rest of Halmstad.
        (
            Area {
                foreign_per_mille: 100,
                flats: false,
                streets: &[
                    ("Brogatan", "302 42", "Halmstad"),
                    ("Storgatan", "302 43", "Halmstad"),
                    ("Kungsgatan", "302 45", "Halmstad"),
                    ("Laholmsvägen", "302 48", "Halmstad"),
                ],
            },
            10,
        ),
        // Härnösand.
        (
            Area {
                foreign_per_mille: 80,
                flats: false,
                streets: &[
                    ("Nybrogatan", "871 30", "Härnösand"),
                    ("Storgatan", "871 31", "Härnösand"),
                    ("Norra Kyrkogatan", "871 32", "Härnösand"),
                    ("Trädgårdsgatan", "871 33", "Härnösand"),
                    ("Södra vägen", "871 40", "Härnösand"),
                    ("Brännavägen", "871 51", "Härnösand"),
                    ("Gånsviksvägen", "871 52", "Härnösand"),
                ],
            },
            20,
        ),
    ],
    // The 12-digit normal form can name the 1800s to the 2000s.
    earliest_birth: date(1800, 1, 1),
    latest_birth: date(2099, 12, 31),
};

const DENMARK: Locale = Locale {
    country: Country::Denmark,
    local_language: "da",
    native: DANISH_NAMES,
    origins: &[(ARABIC, 45), (SOMALI, 40), (PERSIAN, 15)],
    areas: &[
        // Vollsmose, Odense's largest estate of flats.
        (
            Area {
                foreign_per_mille: 650,
                flats: true,
                streets: &[
                    ("Bøgeparken", "5240", "Odense NØ"),
                    ("Egeparken", "5240", "Odense NØ"),
                    ("Birkeparken", "5240", "Odense NØ"),
                    ("Vollsmose Allé", "5240", "Odense NØ"),
                ],
            },
            25,
        ),
        // The rest of Odense.
        (
            Area {
                foreign_per_mille: 80,
                flats: false,
                streets: &[
                    ("Kongensgade", "5000", "Odense C"),
                    ("Vestergade", "5000", "Odense C"),
                    ("Overgade", "5000", "Odense C"),
                    ("Middelfartvej", "5200", "Odense V"),
                    ("Stadionvej", "5200", "Odense V"),
                    ("Rugårdsvej", "5210", "Odense NV"),
                    ("Nyborgvej", "5220", "Odense SØ"),
                    ("Hunderupvej", "5230", "Odense M"),
                    ("Niels Bohrs Allé", "5230", "Odense M"),
                    ("Åsumvej", "5240", "Odense NØ"),
                    ("Dalumvej", "5250", "Odense SV"),
                    ("Hjallesevej", "5260", "Odense S"),
                    ("Bogensevej", "5270", "Odense N"),
                ],
            },
            75,
        ),
    ],
    // The CPR century table reaches from 1858 to 2057.
    earliest_birth: date(1858, 1, 1),
    latest_birth: date(2057, 12, 31),
};

/// How many serial numbers to try on one birth date before moving the birth date.
const SERIALS_PER_DATE: u32 = 16;
/// How many numbers to try for one person before giving up (see [`persons`]).
const MAX_ATTEMPTS: u32 = 4096;

fn person(
    dice: &mut Dice,
    locale: &Locale,
    today: NaiveDate,
    issued: &mut HashSet<String>,
) -> Option<SyntheticPerson> {
    let area = dice.weighted(locale.areas);
    let &(lo, hi) = dice.weighted(&AGE_BANDS);
    let age = dice.between(lo, hi);
    // Women outlive men: about 60 % of the very old are women.
    let female = dice.per_mille(if age >= 80 { 600 } else { 495 });
    let sex = if female { Sex::Female } else { Sex::Male };
    let mut birth = birth_date(dice, locale, today, age);

    let foreign = dice.per_mille(area.foreign_per_mille);
    let (given_name, family_name, language) = if foreign {
        let origin = dice.weighted(locale.origins);
        let given = dice.pick(if female { origin.female } else { origin.male });
        let family = dice.pick(origin.family);
        (
            given,
            family,
            origin_language(dice, origin.language, age, locale),
        )
    } else {
        let names = &locale.native;
        let (older, younger) = if female {
            (names.female_older, names.female_younger)
        } else {
            (names.male_older, names.male_younger)
        };
        // Born 1975–1994: either generation's names, as in reality.
        let older_names = match birth.year() {
            ..1975 => true,
            1975..1995 => dice.per_mille(500),
            _ => false,
        };
        let given = dice.pick(if older_names { older } else { younger });
        (given, dice.pick(names.family), locale.local_language)
    };
    let interpreter_needed = interpreter_needed(dice, language, age, locale);

    // Samordningsnummer go to people who are not (yet) registered residents: mostly adults who
    // came to work or seek asylum. These rates give about 1.3 % of all Swedish persons.
    let samordning = locale.country == Country::Sweden
        && (18..=70).contains(&age)
        && dice.per_mille(if foreign { 50 } else { 8 });
    let kind = match (locale.country, samordning) {
        (Country::Sweden, false) => NationalIdKind::Personnummer,
        (Country::Sweden, true) => NationalIdKind::Samordningsnummer,
        (Country::Denmark, _) => NationalIdKind::Cpr,
    };
    let national_id = issue(
        dice, locale, today, age, sex, samordning, &mut birth, issued,
    )?;

    let &(street, postal_code, city) = dice.pick(area.streets);
    let street = address(dice, locale.country, area, street);
    let protected_identity = dice.per_mille(5);
    // Young children rarely have a phone of their own; the guardian's is recorded elsewhere.
    let phone = (age >= 12 && dice.per_mille(880)).then(|| phone(dice, locale.country));

    Some(SyntheticPerson {
        national_id,
        kind,
        given_name: (*given_name).to_owned(),
        family_name: (*family_name).to_owned(),
        birth_date: birth,
        sex,
        street,
        postal_code: postal_code.to_owned(),
        city: city.to_owned(),
        protected_identity,
        preferred_language: language.to_owned(),
        interpreter_needed,
        phone,
    })
}

/// A birth date on which someone is `age` years old on `today`, spread over the year so that
/// birthdays fall on every day, kept within what the country's numbers can express.
fn birth_date(dice: &mut Dice, locale: &Locale, today: NaiveDate, age: u32) -> NaiveDate {
    let latest = today
        .checked_sub_months(Months::new(12 * age))
        .unwrap_or(locale.earliest_birth);
    let earliest = today
        .checked_sub_months(Months::new(12 * (age + 1)))
        .and_then(|d| d.succ_opt())
        .unwrap_or(latest);
    let span = u32::try_from((latest - earliest).num_days()).unwrap_or(0);
    let birth = earliest
        .checked_add_days(Days::new(dice.below(span + 1).into()))
        .unwrap_or(latest);
    birth.clamp(locale.earliest_birth, locale.latest_birth)
}

/// The preferred language of someone of foreign background: most who grew up here prefer the
/// local language, most who came as adults their first language, and some English.
fn origin_language(
    dice: &mut Dice,
    first_language: &'static str,
    age: u32,
    locale: &Locale,
) -> &'static str {
    let (local, english) = match age {
        ..20 => (800, 30),
        20..65 => (350, 100),
        _ => (100, 20),
    };
    let r = dice.below(1000);
    if r < local {
        locale.local_language
    } else if r < local + english {
        "en"
    } else {
        first_language
    }
}

/// Interpreter need follows the preferred language, more often with age.
fn interpreter_needed(dice: &mut Dice, language: &str, age: u32, locale: &Locale) -> bool {
    if language == locale.local_language {
        return false;
    }
    let p = match (language, age) {
        ("en", _) => 150,
        (_, ..18) => 300,
        (_, 18..65) => 650,
        _ => 900,
    };
    dice.per_mille(p)
}

/// A national identity number not yet in `issued`, in normalised form. If the birth date's
/// serials seem taken, `birth` moves to another day of the same age.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site, all of the person's facts"
)]
fn issue(
    dice: &mut Dice,
    locale: &Locale,
    today: NaiveDate,
    age: u32,
    sex: Sex,
    samordning: bool,
    birth: &mut NaiveDate,
    issued: &mut HashSet<String>,
) -> Option<String> {
    for attempt in 1..=MAX_ATTEMPTS {
        let candidate = match locale.country {
            Country::Sweden => swedish_number(dice, *birth, sex, samordning),
            Country::Denmark => cpr_number(dice, *birth, sex)?,
        };
        if !issued.contains(&candidate) {
            issued.insert(candidate.clone());
            return Some(candidate);
        }
        if attempt.is_multiple_of(SERIALS_PER_DATE) {
            *birth = birth_date(dice, locale, today, age);
        }
    }
    None
}

/// Three serial digits whose last digit is odd for men and even for women (as both countries'
/// numbers encode sex), never `000`.
fn serial(dice: &mut Dice, sex: Sex) -> u32 {
    match sex {
        Sex::Female => 2 * dice.between(1, 499),
        Sex::Male => 2 * dice.below(500) + 1,
    }
}

/// `YYYYMMDDNNNC`; for a samordningsnummer the day is written plus 60.
fn swedish_number(dice: &mut Dice, birth: NaiveDate, sex: Sex, samordning: bool) -> String {
    let day = birth.day() + if samordning { 60 } else { 0 };
    let payload = format!(
        "{:02}{:02}{day:02}{:03}",
        birth.year().rem_euclid(100),
        birth.month(),
        serial(dice, sex)
    );
    let check = luhn_check_digit(&payload);
    format!("{:02}{payload}{check}", birth.year().div_euclid(100))
}

/// The Swedish check digit over `YYMMDDNNN`: digits weighted 2, 1, 2, … from the left, digit
/// sums of the products added, and the complement of the last digit of the sum.
fn luhn_check_digit(payload: &str) -> u32 {
    let sum: u32 = payload
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            let p = if i % 2 == 0 { d * 2 } else { d };
            p / 10 + p % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

/// `DDMMYYSSSS`. The first serial digit tells the century, so it is drawn from the digits the
/// CPR table assigns to the birth year; `None` for a year the table cannot express.
fn cpr_number(dice: &mut Dice, birth: NaiveDate, sex: Sex) -> Option<String> {
    let first = match birth.year() {
        1858..=1899 => dice.between(5, 8),
        1900..=1936 => dice.below(4),
        // 4 and 9 have been used alongside 0–3 since 1937, but far less.
        1937..=1999 if dice.per_mille(100) => *dice.pick(&[4, 9]),
        1937..=1999 => dice.below(4),
        2000..=2036 => dice.between(4, 9),
        2037..=2057 => dice.between(5, 8),
        _ => return None,
    };
    Some(format!(
        "{:02}{:02}{:02}{first}{:03}",
        birth.day(),
        birth.month(),
        birth.year().rem_euclid(100),
        serial(dice, sex)
    ))
}

/// Street and number; Danish flats add floor and side ("Bøgeparken 12, 3. tv.").
fn address(dice: &mut Dice, country: Country, area: &Area, street: &str) -> String {
    let number = dice.between(1, 60);
    match country {
        Country::Denmark if area.flats || dice.per_mille(400) => {
            let floor = match dice.below(5) {
                0 => "st.".to_owned(),
                n => format!("{n}."),
            };
            let side = dice.pick(&["th.", "tv.", "mf."]);
            format!("{street} {number}, {floor} {side}")
        }
        _ => format!("{street} {number}"),
    }
}

/// A phone number that cannot reach anyone. Sweden: 070-1740605…99, the range the Swedish Post
/// and Telecom Authority reserves for fiction. Denmark has no such range, but no Danish number
/// begins with 0, so "+45 00 …" is plainly not real.
fn phone(dice: &mut Dice, country: Country) -> String {
    match country {
        Country::Sweden => format!("070-17406{:02}", dice.between(5, 99)),
        Country::Denmark => format!("+45 00 00 {:02} {:02}", dice.below(100), dice.below(100)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::national_id::NationalId;
    use std::collections::{BTreeMap, BTreeSet};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("valid date")
    }

    fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
        today.years_since(birth).expect("born before today")
    }

    fn digits(s: &str) -> Vec<u32> {
        s.chars()
            .map(|c| c.to_digit(10).expect("all digits"))
            .collect()
    }

    /// The whole 10-digit number passes Luhn: written independently of `luhn_check_digit`, as
    /// the sum over all ten digits (weights 2,1,…,2,1) being a multiple of ten.
    fn passes_luhn(ten: &[u32]) -> bool {
        let sum: u32 = ten
            .iter()
            .zip([2, 1].iter().cycle())
            .map(|(d, w)| {
                let p = d * w;
                if p > 9 { p - 9 } else { p }
            })
            .sum();
        sum.is_multiple_of(10)
    }

    #[test]
    fn world_keys_are_unique_and_every_reference_resolves() {
        let w = world();
        let mut org_keys = BTreeSet::new();
        let mut unit_keys = BTreeSet::new();
        for o in &w.organisations {
            assert!(
                org_keys.insert(o.key),
                "duplicate organisation key {}",
                o.key
            );
            assert!(!o.units.is_empty(), "{} has no units", o.key);
            assert!(!o.name.is_empty());
            for u in &o.units {
                assert!(unit_keys.insert(u.key), "duplicate unit key {}", u.key);
                assert!(!u.name.is_empty());
            }
        }
        let mut programme_keys = BTreeSet::new();
        for p in &w.programmes {
            assert!(
                programme_keys.insert(p.key),
                "duplicate programme {}",
                p.key
            );
            assert!(
                p.organisation_keys.len() >= 2,
                "{} is no collaboration",
                p.key
            );
            let distinct: BTreeSet<_> = p.organisation_keys.iter().collect();
            assert_eq!(distinct.len(), p.organisation_keys.len(), "{}", p.key);
            for k in &p.organisation_keys {
                let o = w
                    .organisation(k)
                    .unwrap_or_else(|| panic!("{}: no {k}", p.key));
                assert_eq!(o.country, p.country, "{}: {k} in another country", p.key);
            }
            if let Some(end) = p.ends_on {
                assert!(end > p.starts_on, "{}", p.key);
            }
            assert!(!p.name.is_empty() && !p.description.is_empty());
        }
        for required in ["skaggetorp", "odense", "harnosand", "andersberg", "hlt"] {
            assert!(programme_keys.contains(required), "missing {required}");
        }
        for u in &w.demo_users {
            assert!(
                unit_keys.contains(u.unit_key),
                "{}: no unit {}",
                u.username,
                u.unit_key
            );
        }
    }

    #[test]
    fn demo_users_are_the_documented_ones() {
        let w = world();
        let expected = [
            ("admin", Role::Administrator, None),
            ("coordinator", Role::Coordinator, None),
            ("lead", Role::ProgrammeLead, None),
            ("auditor", Role::Auditor, None),
            ("primarycare", Role::Professional, Some(Sector::PrimaryCare)),
            ("hospital", Role::Professional, Some(Sector::Hospital)),
            ("social", Role::Professional, Some(Sector::SocialServices)),
            ("homecare", Role::Professional, Some(Sector::HomeCare)),
            ("school", Role::Professional, Some(Sector::SchoolHealth)),
            (
                "insurance",
                Role::Professional,
                Some(Sector::SocialInsurance),
            ),
            (
                "employment",
                Role::Professional,
                Some(Sector::EmploymentService),
            ),
            ("coordinator-halmstad", Role::Coordinator, None),
            ("coordinator-harnosand", Role::Coordinator, None),
            ("koordinator-odense", Role::Coordinator, None),
        ];
        assert_eq!(w.demo_users.len(), expected.len());
        for (username, role, sector) in expected {
            let u = w
                .demo_users
                .iter()
                .find(|u| u.username == username)
                .unwrap_or_else(|| panic!("no demo user {username}"));
            assert_eq!(u.role, role, "{username}");
            assert!(u.display_name.contains('('), "{username}: role in the name");
            let org = w.organisation_of_unit(u.unit_key).expect("unit exists");
            let country = if username.ends_with("odense") {
                Country::Denmark
            } else {
                Country::Sweden
            };
            assert_eq!(org.country, country, "{username}");
            if let Some(sector) = sector {
                assert_eq!(org.sector, sector, "{username}");
            }
        }
        let unit = |name: &str| {
            w.demo_users
                .iter()
                .find(|u| u.username == name)
                .map(|u| u.unit_key)
        };
        assert_eq!(unit("primarycare"), Some("vc-skaggetorp"));
        assert_eq!(unit("social"), Some("sk-skaggetorp"));
        assert_eq!(unit("insurance"), Some("fk-linkoping"));
        assert_eq!(unit("employment"), Some("af-linkoping"));
        assert_eq!(unit("coordinator"), Some("resursteam-skaggetorp"));
        // Every professional and the coordinator meet in the Skäggetorp programme.
        let skaggetorp = w
            .programmes
            .iter()
            .find(|p| p.key == "skaggetorp")
            .expect("programme");
        // The other programmes' coordinators each work in an organisation of their programme.
        for (username, programme) in [
            ("coordinator-halmstad", "andersberg"),
            ("coordinator-harnosand", "harnosand"),
            ("koordinator-odense", "odense"),
        ] {
            let u = unit(username).expect("demo user");
            let org = w.organisation_of_unit(u).expect("unit exists");
            let p = w
                .programmes
                .iter()
                .find(|p| p.key == programme)
                .expect("programme");
            assert!(p.organisation_keys.contains(&org.key), "{username}");
        }
        for u in w.demo_users.iter().filter(|u| {
            matches!(
                u.role,
                Role::Professional | Role::Coordinator | Role::ProgrammeLead
            ) && !u.username.contains('-')
        }) {
            let org = w.organisation_of_unit(u.unit_key).expect("unit exists");
            assert!(
                skaggetorp.organisation_keys.contains(&org.key),
                "{}",
                u.username
            );
        }
    }

    #[test]
    fn country_facts() {
        assert_eq!(Country::Sweden.scheme(), Scheme::Swedish);
        assert_eq!(Country::Denmark.scheme(), Scheme::Danish);
        assert_eq!(Country::Sweden.time_zone(), "Europe/Stockholm");
        assert_eq!(Country::Denmark.time_zone(), "Europe/Copenhagen");
    }

    #[test]
    fn name_and_street_tables_are_not_empty() {
        for locale in [&SWEDEN, &DENMARK] {
            let n = &locale.native;
            for list in [
                n.female_older,
                n.female_younger,
                n.male_older,
                n.male_younger,
                n.family,
            ] {
                assert!(!list.is_empty());
            }
            for (o, w) in locale.origins {
                assert!(*w > 0);
                assert!(!o.female.is_empty() && !o.male.is_empty() && !o.family.is_empty());
            }
            for (a, w) in locale.areas {
                assert!(*w > 0 && !a.streets.is_empty());
            }
        }
    }

    #[test]
    fn same_seed_same_persons_other_seed_other_persons() {
        for country in [Country::Sweden, Country::Denmark] {
            let a = persons(7, 500, country, today());
            assert_eq!(a, persons(7, 500, country, today()));
            assert_ne!(a, persons(8, 500, country, today()));
            // One stream: a shorter list is a prefix of a longer one.
            assert_eq!(persons(7, 100, country, today()), a[..100]);
        }
    }

    #[test]
    fn output_is_pinned_across_machines_and_versions() {
        // Guards against a silent change of the stream (a dependency upgrade, a reordered
        // draw): the demo data of an existing installation must not change under it.
        let snapshot: Vec<String> = [Country::Sweden, Country::Denmark]
            .into_iter()
            .flat_map(|country| persons(2026, 3, country, today()))
            .map(|p| {
                format!(
                    "{} {} {}, {}, {} {}",
                    p.national_id, p.given_name, p.family_name, p.street, p.postal_code, p.city
                )
            })
            .collect();
        assert_eq!(
            snapshot, PINNED,
            "update PINNED only on a deliberate change"
        );
    }

    const PINNED: [&str; 6] = [
        "198910240384 Alice Åberg, Vallvägen 53, 584 32 Linköping",
        "195804224722 Hodan Farah, Trädgårdsgatan 54, 871 33 Härnösand",
        "194910214925 Senait Haile, Slåttergatan 17, 586 64 Linköping",
        "1103780706 Mette Rasmussen, Middelfartvej 54, 5200 Odense V",
        "0103214324 Cecilie Pedersen, Stadionvej 35, 4. mf., 5200 Odense V",
        "2405793727 Søren Nielsen, Bogensevej 13, 5270 Odense N",
    ];

    #[test]
    fn exactly_count_persons() {
        for count in [0, 1, 2, 257] {
            assert_eq!(persons(1, count, Country::Sweden, today()).len(), count);
            assert_eq!(persons(1, count, Country::Denmark, today()).len(), count);
        }
    }

    #[test]
    fn national_ids_are_unique() {
        for country in [Country::Sweden, Country::Denmark] {
            let ps = persons(3, 10_000, country, today());
            let ids: HashSet<&str> = ps.iter().map(|p| p.national_id.as_str()).collect();
            assert_eq!(ids.len(), ps.len());
        }
    }

    #[test]
    fn swedish_numbers_follow_the_rules() {
        let ps = persons(11, 10_000, Country::Sweden, today());
        let mut samordning = 0;
        for p in &ps {
            let d = digits(&p.national_id);
            assert_eq!(d.len(), 12, "{}", p.national_id);
            assert!(passes_luhn(&d[2..]), "{} fails Luhn", p.national_id);
            let year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
            let month = d[4] * 10 + d[5];
            let written_day = d[6] * 10 + d[7];
            let day = match p.kind {
                NationalIdKind::Personnummer => written_day,
                NationalIdKind::Samordningsnummer => {
                    samordning += 1;
                    written_day - 60
                }
                other => panic!("unexpected kind {other:?}"),
            };
            assert_eq!(
                NaiveDate::from_ymd_opt(year as i32, month, day),
                Some(p.birth_date),
                "{}",
                p.national_id
            );
            // The ninth digit of the ten tells the sex: odd for men.
            assert_eq!(d[10] % 2 == 1, p.sex == Sex::Male, "{}", p.national_id);
            assert_ne!(&d[8..11], &[0, 0, 0]);
        }
        // About 1–2 % samordningsnummer.
        assert!(
            (80..=220).contains(&samordning),
            "{samordning} samordningsnummer"
        );
    }

    #[test]
    fn danish_numbers_follow_the_century_table() {
        let ps = persons(12, 10_000, Country::Denmark, today());
        for p in &ps {
            assert_eq!(p.kind, NationalIdKind::Cpr);
            let d = digits(&p.national_id);
            assert_eq!(d.len(), 10, "{}", p.national_id);
            let yy = d[4] * 10 + d[5];
            let century = match (d[6], yy) {
                (0..=3, _) => 1900,
                (4 | 9, ..=36) => 2000,
                (4 | 9, _) => 1900,
                (_, ..=57) => 2000,
                _ => 1800,
            };
            let birth =
                NaiveDate::from_ymd_opt((century + yy) as i32, d[2] * 10 + d[3], d[0] * 10 + d[1]);
            assert_eq!(birth, Some(p.birth_date), "{}", p.national_id);
            assert_eq!(d[9] % 2 == 1, p.sex == Sex::Male, "{}", p.national_id);
        }
    }

    #[test]
    fn every_number_parses_to_itself() {
        for country in [Country::Sweden, Country::Denmark] {
            for p in persons(13, 5_000, country, today()) {
                let id = NationalId::parse(&p.national_id, country.scheme(), today())
                    .unwrap_or_else(|e| panic!("{} rejected: {e}", p.national_id));
                assert_eq!(id.as_str(), p.national_id);
                assert_eq!(id.kind(), p.kind);
                assert_eq!(id.birth_date(), Some(p.birth_date));
            }
        }
    }

    #[test]
    fn persons_look_like_a_population() {
        for (country, local, prefix) in [
            (Country::Sweden, "sv", "070-17406"),
            (Country::Denmark, "da", "+45 00 00 "),
        ] {
            let ps = persons(21, 10_000, country, today());
            let n = ps.len();
            let mut ages = [0usize; 101];
            let mut languages: BTreeMap<&str, usize> = BTreeMap::new();
            let (mut protected, mut interpreter, mut female) = (0, 0, 0);
            for p in &ps {
                let age = age_on(p.birth_date, today());
                assert!(age <= 100, "age {age}");
                ages[age as usize] += 1;
                *languages.entry(p.preferred_language.as_str()).or_default() += 1;
                protected += usize::from(p.protected_identity);
                female += usize::from(p.sex == Sex::Female);
                if p.interpreter_needed {
                    interpreter += 1;
                    assert_ne!(p.preferred_language, local, "interpreter for {local}");
                }
                if let Some(phone) = &p.phone {
                    assert!(phone.starts_with(prefix), "{phone}");
                }
                match country {
                    Country::Sweden => {
                        let code = digits(&p.postal_code.replace(' ', ""));
                        assert_eq!(code.len(), 5);
                        let expected = match p.city.as_str() {
                            "Linköping" => [5, 8],
                            "Halmstad" => [3, 0],
                            "Härnösand" => [8, 7],
                            other => panic!("unexpected city {other}"),
                        };
                        assert_eq!(code[..2], expected, "{} {}", p.postal_code, p.city);
                    }
                    Country::Denmark => {
                        let code: u32 = p.postal_code.parse().expect("four digits");
                        assert!((5000..=5270).contains(&code));
                        assert!(p.city.starts_with("Odense "), "{}", p.city);
                    }
                }
                assert!(!p.street.is_empty() && !p.given_name.is_empty());
            }
            let share =
                |range: std::ops::Range<usize>| ages[range].iter().sum::<usize>() as f64 / n as f64;
            assert!((0.15..0.28).contains(&share(0..18)), "children");
            assert!((0.14..0.30).contains(&share(65..101)), "65+");
            assert!(share(90..101) > 0.005, "90+");
            // About 0.5 % protected identity.
            assert!((15..=90).contains(&protected), "{protected} protected");
            assert!((0.45..0.56).contains(&(female as f64 / n as f64)));
            assert!(languages[local] > n / 2);
            assert!(languages.contains_key("ar") && languages.contains_key("so"));
            assert!(interpreter > 0);
            for language in languages.keys() {
                assert!(
                    ["sv", "da", "ar", "so", "fa", "ti", "en"].contains(language),
                    "{language}"
                );
            }
        }
    }

    #[test]
    fn birth_dates_respect_any_today() {
        // On 29 February and on New Year's Day the age arithmetic has its edge cases.
        for today in [
            NaiveDate::from_ymd_opt(2028, 2, 29).expect("leap day"),
            NaiveDate::from_ymd_opt(2030, 1, 1).expect("date"),
        ] {
            for country in [Country::Sweden, Country::Denmark] {
                for p in persons(5, 2_000, country, today) {
                    assert!(p.birth_date <= today);
                    assert!(age_on(p.birth_date, today) <= 100);
                    NationalId::parse(&p.national_id, country.scheme(), today)
                        .unwrap_or_else(|e| panic!("{} rejected: {e}", p.national_id));
                }
            }
        }
    }
}
