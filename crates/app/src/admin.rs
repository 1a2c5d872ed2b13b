//! Administration: organisations, units, programmes, users and their memberships.
//! Every use case here needs the administrator role.

use crate::error::Problems;
use crate::{App, AppError, FieldError, require};
use chrono::NaiveDate;
use samverka_core::actor::{Actor, Role};
use samverka_core::org::Sector;
use samverka_core::validate::{optional_line, optional_text, required_line};
use samverka_core::{MembershipId, OrganisationId, ProgrammeId, UnitId, UserId};
use samverka_store::org::{self, Organisation, Programme, Unit};
use samverka_store::user::{self, MembershipView, User};
use samverka_store::{StoreError, session};

/// Countries a deployment may register organisations in (ISO 3166 alpha-2).
pub const COUNTRIES: [&str; 2] = ["SE", "DK"];

#[derive(Clone, Debug, Default)]
pub struct OrganisationInput {
    pub name: String,
    pub sector: String,
    pub country: String,
    pub active: bool,
}

#[derive(Clone, Debug, Default)]
pub struct UnitInput {
    pub name: String,
    pub active: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ProgrammeInput {
    pub name: String,
    pub description: String,
    pub country: String,
    pub starts_on: String,
    pub ends_on: String,
    pub organisations: Vec<String>,
    /// Target group ids of the rules file, chosen with checkboxes.
    pub target_groups: Vec<String>,
    /// Postal-code prefixes separated by commas or spaces; blank: everyone.
    pub catchment: String,
    pub active: bool,
}

#[derive(Clone, Debug, Default)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, Default)]
pub struct UserInput {
    pub display_name: String,
    pub email: String,
}

/// Parses a date typed as YYYY-MM-DD (what `<input type="date">` sends).
pub fn parse_date(
    p: &mut Problems,
    field: &'static str,
    s: &str,
    required: bool,
) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        if required {
            p.push(FieldError::new(field, "field-required"));
        }
        return None;
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        // Both databases store years 1..=9999 only; a year like -5000 is a typing error.
        Ok(d) if (1900..=9999).contains(&chrono::Datelike::year(&d)) => Some(d),
        _ => {
            p.push(FieldError::with_args(
                field,
                "date-invalid",
                vec![("value", s.to_owned())],
            ));
            None
        }
    }
}

fn parse_country(p: &mut Problems, s: &str) -> Option<String> {
    let c = s.trim().to_uppercase();
    if COUNTRIES.contains(&c.as_str()) {
        Some(c)
    } else {
        p.push(FieldError::new("country", "country-unknown"));
        None
    }
}

fn validate_username(p: &mut Problems, s: &str) -> Option<String> {
    let u = crate::auth::username_key(s);
    let ok_chars = u
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if u.is_empty() {
        p.push(FieldError::new("username", "field-required"));
        None
    } else if u.len() < 2 || u.len() > 64 || !ok_chars {
        p.push(FieldError::new("username", "username-invalid"));
        None
    } else {
        Some(u)
    }
}

/// An organisation with its units, for the admin pages.
#[derive(Clone, Debug)]
pub struct OrganisationDetail {
    pub organisation: Organisation,
    pub units: Vec<Unit>,
}

/// A user with their memberships, for the admin pages.
#[derive(Clone, Debug)]
pub struct UserDetail {
    pub user: User,
    pub memberships: Vec<MembershipView>,
}

impl App {
    pub async fn organisations(&self, actor: &Actor) -> Result<Vec<Organisation>, AppError> {
        require(actor, Role::Administrator)?;
        let mut tx = self.db.begin_read().await?;
        Ok(org::list_organisations(&mut tx).await?)
    }

    pub async fn organisation(
        &self,
        actor: &Actor,
        id: OrganisationId,
    ) -> Result<OrganisationDetail, AppError> {
        require(actor, Role::Administrator)?;
        let mut tx = self.db.begin_read().await?;
        let organisation = org::get_organisation(&mut tx, id).await?;
        let units = org::units_of(&mut tx, id).await?;
        Ok(OrganisationDetail {
            organisation,
            units,
        })
    }

    /// Creates (`id` none) or updates an organisation.
    pub async fn save_organisation(
        &self,
        actor: &Actor,
        id: Option<OrganisationId>,
        input: &OrganisationInput,
    ) -> Result<OrganisationId, AppError> {
        require(actor, Role::Administrator)?;
        let mut p = Problems::default();
        let name = p.take("name", required_line(&input.name, 200));
        let sector = match input.sector.parse::<Sector>() {
            Ok(s) => Some(s),
            Err(_) => {
                p.push(FieldError::new("sector", "sector-unknown"));
                None
            }
        };
        let country = parse_country(&mut p, &input.country);
        let mut tx = self.db.begin().await?;
        if let Some(n) = &name
            && org::organisation_name_taken(&mut tx, n, id).await?
        {
            p.push(FieldError::new("name", "name-taken"));
        }
        p.finish()?;
        let (Some(name), Some(sector), Some(country)) = (name, sector, country) else {
            return Err(AppError::Internal(
                "validated organisation lost a field".into(),
            ));
        };
        let saved = match id {
            None => {
                let o = Organisation {
                    id: OrganisationId::new(),
                    name,
                    sector,
                    country,
                    active: true,
                    created_at: self.now(),
                };
                org::insert_organisation(&mut tx, &o)
                    .await
                    .map_err(conflict("name"))?;
                o.id
            }
            Some(id) => {
                let mut o = org::get_organisation(&mut tx, id).await?;
                o.name = name;
                o.sector = sector;
                o.country = country;
                o.active = input.active;
                org::update_organisation(&mut tx, &o)
                    .await
                    .map_err(conflict("name"))?;
                id
            }
        };
        tx.commit().await?;
        Ok(saved)
    }

    pub async fn unit(&self, actor: &Actor, id: UnitId) -> Result<(Unit, Organisation), AppError> {
        require(actor, Role::Administrator)?;
        let mut tx = self.db.begin_read().await?;
        let u = org::get_unit(&mut tx, id).await?;
        let o = org::get_organisation(&mut tx, u.organisation_id).await?;
        Ok((u, o))
    }

    /// Creates a unit in `organisation` (`id` none) or updates unit `id`.
    pub async fn save_unit(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        id: Option<UnitId>,
        input: &UnitInput,
    ) -> Result<UnitId, AppError> {
        require(actor, Role::Administrator)?;
        let mut p = Problems::default();
        let name = p.take("name", required_line(&input.name, 200));
        let mut tx = self.db.begin().await?;
        org::get_organisation(&mut tx, organisation).await?;
        if let Some(n) = &name
            && org::unit_name_taken(&mut tx, organisation, n, id).await?
        {
            p.push(FieldError::new("name", "name-taken"));
        }
        p.finish()?;
        let name = name.unwrap_or_default();
        let saved = match id {
            None => {
                let u = Unit {
                    id: UnitId::new(),
                    organisation_id: organisation,
                    name,
                    active: true,
                    created_at: self.now(),
                };
                org::insert_unit(&mut tx, &u)
                    .await
                    .map_err(conflict("name"))?;
                u.id
            }
            Some(id) => {
                let mut u = org::get_unit(&mut tx, id).await?;
                if u.organisation_id != organisation {
                    return Err(AppError::NotFound);
                }
                u.name = name;
                u.active = input.active;
                org::update_unit(&mut tx, &u)
                    .await
                    .map_err(conflict("name"))?;
                id
            }
        };
        tx.commit().await?;
        Ok(saved)
    }

    pub async fn programme(&self, actor: &Actor, id: ProgrammeId) -> Result<Programme, AppError> {
        require(actor, Role::Administrator)?;
        let mut tx = self.db.begin_read().await?;
        Ok(org::get_programme(&mut tx, id).await?)
    }

    pub async fn save_programme(
        &self,
        actor: &Actor,
        id: Option<ProgrammeId>,
        input: &ProgrammeInput,
    ) -> Result<ProgrammeId, AppError> {
        require(actor, Role::Administrator)?;
        let mut p = Problems::default();
        let name = p.take("name", required_line(&input.name, 200));
        let description = p.take("description", optional_text(&input.description, 4000));
        let country = parse_country(&mut p, &input.country);
        let starts_on = parse_date(&mut p, "starts_on", &input.starts_on, true);
        let ends_on = parse_date(&mut p, "ends_on", &input.ends_on, false);
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            p.push(FieldError::new("ends_on", "date-end-before-start"));
        }
        let mut tx = self.db.begin().await?;
        let known = org::list_organisations(&mut tx).await?;
        let mut organisations = Vec::new();
        for raw in &input.organisations {
            match raw.parse::<OrganisationId>() {
                Ok(o) if known.iter().any(|k| k.id == o) => organisations.push(o),
                _ => p.push(FieldError::new("organisations", "organisation-unknown")),
            }
        }
        organisations.sort();
        organisations.dedup();
        let mut target_groups = Vec::new();
        for g in &input.target_groups {
            if self.config.rules.target_group(g).is_some() {
                target_groups.push(g.clone());
            } else {
                p.push(FieldError::new("target_groups", "target-group-unknown"));
            }
        }
        target_groups.sort();
        target_groups.dedup();
        let mut catchment = Vec::new();
        for prefix in input
            .catchment
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|x| !x.is_empty())
        {
            if prefix.len() <= 10 && prefix.bytes().all(|b| b.is_ascii_digit()) {
                catchment.push(prefix.to_owned());
            } else {
                p.push(FieldError::with_args(
                    "catchment",
                    "catchment-invalid",
                    vec![("value", prefix.to_owned())],
                ));
            }
        }
        if let Some(n) = &name
            && org::programme_name_taken(&mut tx, n, id).await?
        {
            p.push(FieldError::new("name", "name-taken"));
        }
        p.finish()?;
        let (Some(name), Some(country), Some(starts_on)) = (name, country, starts_on) else {
            return Err(AppError::Internal(
                "validated programme lost a field".into(),
            ));
        };
        let mut prog = Programme {
            id: id.unwrap_or_default(),
            name,
            description: description.flatten().unwrap_or_default(),
            country,
            starts_on,
            ends_on,
            active: id.is_none() || input.active,
            created_at: self.now(),
            organisations,
            target_groups,
            catchment,
        };
        match id {
            None => org::insert_programme(&mut tx, &prog)
                .await
                .map_err(conflict("name"))?,
            Some(id) => {
                prog.created_at = org::get_programme(&mut tx, id).await?.created_at;
                org::update_programme(&mut tx, &prog)
                    .await
                    .map_err(conflict("name"))?
            }
        }
        tx.commit().await?;
        Ok(prog.id)
    }

    pub async fn users(&self, actor: &Actor) -> Result<Vec<User>, AppError> {
        require(actor, Role::Administrator)?;
        let mut tx = self.db.begin_read().await?;
        Ok(user::list(&mut tx).await?)
    }

    pub async fn user_detail(&self, actor: &Actor, id: UserId) -> Result<UserDetail, AppError> {
        require(actor, Role::Administrator)?;
        let mut tx = self.db.begin_read().await?;
        let user = user::get(&mut tx, id).await?;
        let memberships = user::memberships(&mut tx, id).await?;
        Ok(UserDetail { user, memberships })
    }

    pub async fn create_user(
        &self,
        actor: &Actor,
        input: &NewUserInput,
    ) -> Result<UserId, AppError> {
        require(actor, Role::Administrator)?;
        let mut p = Problems::default();
        let username = validate_username(&mut p, &input.username);
        let display_name = p.take("display_name", required_line(&input.display_name, 200));
        let email = p.take("email", optional_line(&input.email, 254)).flatten();
        if email.as_ref().is_some_and(|e| !e.contains('@')) {
            p.push(FieldError::new("email", "email-invalid"));
        }
        if let Err(AppError::Invalid(mut v)) =
            crate::auth::check_new_password("password", &input.password)
        {
            p.0.append(&mut v);
        }
        let mut tx = self.db.begin_read().await?;
        if let Some(u) = &username
            && user::find_by_username(&mut tx, u).await?.is_some()
        {
            p.push(FieldError::new("username", "username-taken"));
        }
        drop(tx);
        p.finish()?;
        let hash = crate::auth::hash_password_async(&input.password).await?;
        let u = User {
            id: UserId::new(),
            username: username.unwrap_or_default(),
            display_name: display_name.unwrap_or_default(),
            email,
            password_hash: hash,
            totp_secret: None,
            active: true,
            created_at: self.now(),
            deactivated_at: None,
        };
        let mut tx = self.db.begin().await?;
        user::insert(&mut tx, &u)
            .await
            .map_err(conflict("username"))?;
        tx.commit().await?;
        tracing::info!(user = %u.id, by = %actor.user_id, "user created");
        Ok(u.id)
    }

    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        input: &UserInput,
    ) -> Result<(), AppError> {
        require(actor, Role::Administrator)?;
        let mut p = Problems::default();
        let display_name = p.take("display_name", required_line(&input.display_name, 200));
        let email = p.take("email", optional_line(&input.email, 254)).flatten();
        if email.as_ref().is_some_and(|e| !e.contains('@')) {
            p.push(FieldError::new("email", "email-invalid"));
        }
        p.finish()?;
        let mut tx = self.db.begin().await?;
        let mut u = user::get(&mut tx, id).await?;
        u.display_name = display_name.unwrap_or_default();
        u.email = email;
        user::update(&mut tx, &u).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deactivates (ending every session of the user at once) or reactivates a user.
    pub async fn set_user_active(
        &self,
        actor: &Actor,
        id: UserId,
        active: bool,
    ) -> Result<(), AppError> {
        require(actor, Role::Administrator)?;
        if id == actor.user_id && !active {
            return Err(AppError::invalid("active", "user-cannot-deactivate-self"));
        }
        let mut tx = self.db.begin().await?;
        let mut u = user::get(&mut tx, id).await?;
        u.active = active;
        u.deactivated_at = if active { None } else { Some(self.now()) };
        user::update(&mut tx, &u).await?;
        if !active {
            session::delete_for_user(&mut tx, id).await?;
        }
        tx.commit().await?;
        tracing::info!(user = %id, by = %actor.user_id, active, "user activation changed");
        Ok(())
    }

    /// Sets a new password chosen by the administrator and ends the user's sessions.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        id: UserId,
        password: &str,
    ) -> Result<(), AppError> {
        require(actor, Role::Administrator)?;
        crate::auth::check_new_password("password", password)?;
        let hash = crate::auth::hash_password_async(password).await?;
        let mut tx = self.db.begin().await?;
        let mut u = user::get(&mut tx, id).await?;
        u.password_hash = hash;
        user::update(&mut tx, &u).await?;
        session::delete_for_user(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_membership(
        &self,
        actor: &Actor,
        id: UserId,
        unit: &str,
        role: &str,
    ) -> Result<(), AppError> {
        require(actor, Role::Administrator)?;
        let mut p = Problems::default();
        let role = match role.parse::<Role>() {
            Ok(r) => Some(r),
            Err(_) => {
                p.push(FieldError::new("role", "role-unknown"));
                None
            }
        };
        let mut tx = self.db.begin().await?;
        let unit = match unit.parse::<UnitId>() {
            Ok(u) => match org::get_unit(&mut tx, u).await {
                Ok(u) => Some(u.id),
                Err(StoreError::NotFound) => {
                    p.push(FieldError::new("unit", "unit-unknown"));
                    None
                }
                Err(e) => return Err(e.into()),
            },
            Err(_) => {
                p.push(FieldError::new("unit", "unit-unknown"));
                None
            }
        };
        p.finish()?;
        let (Some(unit), Some(role)) = (unit, role) else {
            return Err(AppError::Internal(
                "validated membership lost a field".into(),
            ));
        };
        user::get(&mut tx, id).await?;
        user::add_membership(&mut tx, id, unit, role, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_membership(
        &self,
        actor: &Actor,
        id: UserId,
        membership: MembershipId,
    ) -> Result<(), AppError> {
        require(actor, Role::Administrator)?;
        let mut tx = self.db.begin().await?;
        user::remove_membership(&mut tx, id, membership).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every active unit with its organisation's name, for the membership picker.
    pub async fn unit_choices(&self, actor: &Actor) -> Result<Vec<org::UnitChoice>, AppError> {
        require(actor, Role::Administrator)?;
        let mut tx = self.db.begin_read().await?;
        Ok(org::all_active_units(&mut tx).await?)
    }
}

/// A uniqueness conflict that slipped past the check (two admins at once) becomes a field error.
fn conflict(field: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::Conflict(_) => AppError::invalid(field, "name-taken"),
        other => other.into(),
    }
}

impl App {
    /// Creates an administrator without an acting user: for the first account of a new
    /// deployment (`samverka create-admin`). The organisation and its unit are made if missing.
    pub async fn bootstrap_admin(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
        organisation: &str,
    ) -> Result<(), AppError> {
        let mut p = Problems::default();
        let username = validate_username(&mut p, username);
        let display_name = p.take("display_name", required_line(display_name, 200));
        let org_name = p.take("organisation", required_line(organisation, 200));
        if let Err(AppError::Invalid(mut v)) = crate::auth::check_new_password("password", password)
        {
            p.0.append(&mut v);
        }
        let mut tx = self.db.begin_read().await?;
        if let Some(u) = &username
            && user::find_by_username(&mut tx, u).await?.is_some()
        {
            p.push(FieldError::new("username", "username-taken"));
        }
        drop(tx);
        p.finish()?;
        let (Some(username), Some(display_name), Some(org_name)) =
            (username, display_name, org_name)
        else {
            return Err(AppError::Internal("validated admin lost a field".into()));
        };
        let hash = crate::auth::hash_password_async(password).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let existing = org::list_organisations(&mut tx)
            .await?
            .into_iter()
            .find(|o| o.name.to_lowercase() == org_name.to_lowercase());
        let org_id = match existing {
            Some(o) => o.id,
            None => {
                let o = Organisation {
                    id: OrganisationId::new(),
                    name: org_name.clone(),
                    sector: Sector::Other,
                    country: if self.config.default_id_scheme
                        == samverka_core::national_id::Scheme::Danish
                    {
                        "DK"
                    } else {
                        "SE"
                    }
                    .to_owned(),
                    active: true,
                    created_at: now,
                };
                org::insert_organisation(&mut tx, &o).await?;
                o.id
            }
        };
        let unit_id = match org::units_of(&mut tx, org_id).await?.into_iter().next() {
            Some(u) => u.id,
            None => {
                let u = Unit {
                    id: UnitId::new(),
                    organisation_id: org_id,
                    name: org_name,
                    active: true,
                    created_at: now,
                };
                org::insert_unit(&mut tx, &u).await?;
                u.id
            }
        };
        let u = User {
            id: UserId::new(),
            username,
            display_name,
            email: None,
            password_hash: hash,
            totp_secret: None,
            active: true,
            created_at: now,
            deactivated_at: None,
        };
        user::insert(&mut tx, &u)
            .await
            .map_err(conflict("username"))?;
        user::add_membership(&mut tx, u.id, unit_id, Role::Administrator, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
