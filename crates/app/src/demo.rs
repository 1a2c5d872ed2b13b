//! Fills an empty database with the synthetic demo world: the seeds' programmes, organisations
//! and units, the demo users (password `demo`) and several thousand synthetic persons.
//! Only `samverka demo` calls this; `serve` never creates these accounts.

use crate::demo_signals::DEMO_SIGNALS_SETTING;
use crate::{App, AppError};
use samverka_core::actor::{Actor, Membership};
use samverka_core::synthetic::{self, Country};
use samverka_core::{OrganisationId, PersonId, ProgrammeId, UnitId, UserId};
use samverka_store::org::{self, Organisation, Programme, Unit};
use samverka_store::person::{self, Person};
use samverka_store::user::{self, User};
use samverka_store::{StoreError, setting};
use std::collections::HashMap;

/// Set once the demo world is loaded; its presence marks the data as synthetic in the UI.
pub const DEMO_SETTING: &str = "demo_seed";

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo";

/// What `load_demo` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    /// False when the data directory already held the demo world and was reused.
    pub created: bool,
    pub organisations: usize,
    pub users: usize,
    pub persons: i64,
}

fn country_code(c: &Country) -> &'static str {
    match c {
        Country::Sweden => "SE",
        Country::Denmark => "DK",
    }
}

impl App {
    /// Loads the demo world into an empty database, or leaves an existing one as it is.
    /// Everything is written in one transaction: a crash leaves no half world.
    pub async fn load_demo(
        &self,
        seed: u64,
        swedish_persons: usize,
        danish_persons: usize,
    ) -> Result<DemoSummary, AppError> {
        let mut tx = self.db.begin().await?;
        if let Some(stored) = setting::get(&mut tx, DEMO_SETTING).await? {
            let persons = person::count(&mut tx).await?;
            let orgs = org::list_organisations(&mut tx).await?.len();
            let users = user::list(&mut tx).await?.len();
            let signals_done = setting::get(&mut tx, DEMO_SIGNALS_SETTING).await?.is_some();
            drop(tx);
            if !signals_done {
                // A demo loaded before its signals were (an interrupted load, an older version).
                let stored_seed = stored.parse().unwrap_or(seed);
                self.finish_demo_signals(stored_seed, swedish_persons, danish_persons)
                    .await?;
            }
            return Ok(DemoSummary {
                created: false,
                organisations: orgs,
                users,
                persons,
            });
        }
        if !user::list(&mut tx).await?.is_empty() {
            return Err(AppError::Internal(
                "this database already holds real accounts; demo data is only loaded into an empty one".into(),
            ));
        }
        drop(tx);
        let hash = crate::auth::hash_password_async(DEMO_PASSWORD).await?;
        let now = self.now();
        let today = self.today();
        let world = synthetic::world();

        let mut tx = self.db.begin().await?;
        let mut unit_ids: HashMap<&str, UnitId> = HashMap::new();
        let mut org_ids: HashMap<&str, OrganisationId> = HashMap::new();
        let mut unit_org: HashMap<UnitId, OrganisationId> = HashMap::new();
        for wo in &world.organisations {
            let o = Organisation {
                id: OrganisationId::new(),
                name: wo.name.clone(),
                sector: wo.sector,
                country: country_code(&wo.country).to_owned(),
                active: true,
                created_at: now,
            };
            org::insert_organisation(&mut tx, &o).await?;
            org_ids.insert(wo.key, o.id);
            for wu in &wo.units {
                let u = Unit {
                    id: UnitId::new(),
                    organisation_id: o.id,
                    name: wu.name.clone(),
                    active: true,
                    created_at: now,
                };
                org::insert_unit(&mut tx, &u).await?;
                unit_ids.insert(wu.key, u.id);
                unit_org.insert(u.id, o.id);
            }
        }
        for wp in &world.programmes {
            let p = Programme {
                id: ProgrammeId::new(),
                name: wp.name.clone(),
                description: wp.description.clone(),
                country: country_code(&wp.country).to_owned(),
                starts_on: wp.starts_on,
                ends_on: wp.ends_on,
                active: true,
                created_at: now,
                organisations: wp
                    .organisation_keys
                    .iter()
                    .filter_map(|k| org_ids.get(k).copied())
                    .collect(),
                target_groups: demo_target_groups(wp.key)
                    .iter()
                    .map(|g| (*g).to_owned())
                    .collect(),
                catchment: demo_catchment(wp.key)
                    .iter()
                    .map(|g| (*g).to_owned())
                    .collect(),
            };
            org::insert_programme(&mut tx, &p).await?;
        }
        let mut actors: HashMap<&str, Actor> = HashMap::new();
        for du in &world.demo_users {
            let unit = unit_ids.get(du.unit_key).copied().ok_or_else(|| {
                AppError::Internal(format!(
                    "demo user {} has unknown unit {}",
                    du.username, du.unit_key
                ))
            })?;
            let u = User {
                id: UserId::new(),
                username: du.username.to_owned(),
                display_name: du.display_name.clone(),
                email: None,
                password_hash: hash.clone(),
                totp_secret: None,
                active: true,
                created_at: now,
                deactivated_at: None,
            };
            user::insert(&mut tx, &u).await?;
            user::add_membership(&mut tx, u.id, unit, du.role, now).await?;
            if du.role == samverka_core::actor::Role::Administrator {
                // The demo's administrator runs every supplying organisation's signal imports.
                for key in SUPPLIERS {
                    if let Some(first) = world
                        .organisation(key)
                        .and_then(|o| o.units.first())
                        .and_then(|wu| unit_ids.get(wu.key))
                    {
                        user::add_membership(&mut tx, u.id, *first, du.role, now).await?;
                    }
                }
            }
            actors.insert(
                du.username,
                Actor {
                    user_id: u.id,
                    username: du.username.to_owned(),
                    display_name: du.display_name.clone(),
                    memberships: vec![Membership {
                        unit_id: unit,
                        organisation_id: unit_org.get(&unit).copied().unwrap_or_default(),
                        role: du.role,
                    }],
                },
            );
        }
        let mut persons = Vec::with_capacity(swedish_persons + danish_persons);
        for (country, count, salt) in [
            (Country::Sweden, swedish_persons, 0u64),
            (Country::Denmark, danish_persons, 1),
        ] {
            for sp in synthetic::persons(seed.wrapping_add(salt), count, country, today) {
                persons.push(Person {
                    id: PersonId::new(),
                    national_id: samverka_core::national_id::NationalId::from_normalized(
                        sp.kind,
                        sp.national_id,
                    ),
                    given_name: sp.given_name,
                    family_name: sp.family_name,
                    birth_date: Some(sp.birth_date),
                    sex: Some(sex_code(&sp.sex).to_owned()),
                    street: Some(sp.street),
                    postal_code: Some(sp.postal_code),
                    city: Some(sp.city),
                    phone: sp.phone,
                    protected_identity: sp.protected_identity,
                    preferred_language: Some(sp.preferred_language),
                    interpreter_needed: sp.interpreter_needed,
                    synthetic: true,
                    created_at: now,
                    created_by: None,
                });
            }
        }
        person::seed_synthetic(&mut tx, &persons).await?;
        self.seed_demo_access(&mut tx, &actors, &persons).await?;
        setting::set(&mut tx, DEMO_SETTING, &seed.to_string()).await?;
        let total = person::count(&mut tx).await?;
        tx.commit()
            .await
            .map_err(|e: StoreError| AppError::from(e))?;
        self.finish_demo_signals(seed, swedish_persons, danish_persons)
            .await?;
        tracing::info!(
            organisations = world.organisations.len(),
            persons = total,
            "demo world loaded"
        );
        Ok(DemoSummary {
            created: true,
            organisations: world.organisations.len(),
            users: world.demo_users.len(),
            persons: total,
        })
    }
}

/// Organisations that supply signals in the demo (see `demo_signals::supplier`).
const SUPPLIERS: [&str; 15] = [
    "ro-primarvard",
    "lkpg-social",
    "ro-us",
    "lkpg-elevhalsa",
    "arbetsformedlingen",
    "rh-andersberg",
    "halmstad-social",
    "rvn-primarvard",
    "hsand-social",
    "rvn-lanssjukhuset",
    "hsand-elevhalsa",
    "lh-vollsmose",
    "odense-bsf",
    "odense-jobcenter",
    "ouh",
];

impl App {
    /// Generates and imports the demo persons' signals (as the demo administrator), then marks
    /// them done. The persons are the same ones `load_demo` made: they follow from the seed.
    async fn finish_demo_signals(
        &self,
        seed: u64,
        swedish_persons: usize,
        danish_persons: usize,
    ) -> Result<(), AppError> {
        let today = self.today();
        let mut people = synthetic::persons(seed, swedish_persons, Country::Sweden, today);
        people.extend(synthetic::persons(
            seed.wrapping_add(1),
            danish_persons,
            Country::Denmark,
            today,
        ));
        let world = synthetic::world();
        let mut tx = self.db.begin_read().await?;
        let by_name: HashMap<String, OrganisationId> = org::list_organisations(&mut tx)
            .await?
            .into_iter()
            .map(|o| (o.name, o.id))
            .collect();
        drop(tx);
        let org_ids: HashMap<&str, OrganisationId> = world
            .organisations
            .iter()
            .filter_map(|o| by_name.get(&o.name).map(|id| (o.key, *id)))
            .collect();
        let admin_name = world
            .demo_users
            .iter()
            .find(|u| u.role == samverka_core::actor::Role::Administrator)
            .map(|u| u.username)
            .unwrap_or("admin");
        let admin = self.actor_by_username(admin_name).await?;
        let added = self
            .import_demo_signals(&admin, &people, &org_ids, seed)
            .await?;
        let mut tx = self.db.begin().await?;
        setting::set(&mut tx, DEMO_SIGNALS_SETTING, &added.to_string()).await?;
        tx.commit().await?;
        tracing::info!(signals = added, "demo signals imported");
        Ok(())
    }
}

fn sex_code(s: &synthetic::Sex) -> &'static str {
    match s {
        synthetic::Sex::Female => "female",
        synthetic::Sex::Male => "male",
    }
}

/// The target groups each demo programme works with (ids of the default rules file), as the
/// seeds describe them.
fn demo_target_groups(programme: &str) -> &'static [&'static str] {
    match programme {
        "skaggetorp" | "andersberg" => &["sick_leave", "income_support", "unemployment", "sad"],
        "harnosand" => &["elderly_medical"],
        "hlt" | "barnsakert" => &["children"],
        "spot" => &["sad"],
        "odense" => &["elderly_medical", "sad"],
        _ => &[],
    }
}

/// The area each demo programme serves, as postal-code prefixes of the synthetic world's towns
/// (Linköping 58, Halmstad 30, Härnösand 87, Odense 5).
fn demo_catchment(programme: &str) -> &'static [&'static str] {
    match programme {
        "skaggetorp" => &["58"],
        "andersberg" => &["30"],
        "harnosand" | "hlt" | "spot" | "barnsakert" => &["87"],
        "odense" => &["5"],
        _ => &[],
    }
}
