//! Organisations, units and programmes.

use crate::db::{Count, Tx};
use crate::{StoreError, parse_code, q};
use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::org::Sector;
use samverka_core::{OrganisationId, ProgrammeId, UnitId};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub sector: Sector,
    /// ISO 3166 alpha-2 ("SE", "DK").
    pub country: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct OrganisationRow {
    id: Uuid,
    name: String,
    sector: String,
    country: String,
    active: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StoreError;
    fn try_from(r: OrganisationRow) -> Result<Self, StoreError> {
        Ok(Organisation {
            id: r.id.into(),
            name: r.name,
            sector: parse_code("sector", &r.sector)?,
            country: r.country,
            active: r.active,
            created_at: r.created_at,
        })
    }
}

const ORG_COLUMNS: &str = "select id, name, sector, country, active, created_at from organisation";

pub async fn insert_organisation(tx: &mut Tx, o: &Organisation) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into organisation (id, name, sector, country, active, created_at)
         values ($1, $2, $3, $4, $5, $6)",
        o.id,
        &o.name,
        o.sector.code(),
        &o.country,
        o.active,
        o.created_at
    ))
    .await?;
    Ok(())
}

pub async fn update_organisation(tx: &mut Tx, o: &Organisation) -> Result<(), StoreError> {
    let n = tx
        .execute(q!(
            "update organisation set name = $2, sector = $3, country = $4, active = $5 where id = $1",
            o.id,
            &o.name,
            o.sector.code(),
            &o.country,
            o.active
        ))
        .await?;
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

pub async fn list_organisations(tx: &mut Tx) -> Result<Vec<Organisation>, StoreError> {
    let sql = format!("{ORG_COLUMNS} order by lower(name)");
    let rows: Vec<OrganisationRow> = tx.fetch_all(dynamic(sql, vec![])).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

pub async fn get_organisation(tx: &mut Tx, id: OrganisationId) -> Result<Organisation, StoreError> {
    let sql = format!("{ORG_COLUMNS} where id = $1");
    let row: OrganisationRow = tx.fetch_one(dynamic(sql, vec![id.into()])).await?;
    row.try_into()
}

pub async fn organisation_name_taken(
    tx: &mut Tx,
    name: &str,
    except: Option<OrganisationId>,
) -> Result<bool, StoreError> {
    let c: Count = tx
        .fetch_one(q!(
            "select count(*) as n from organisation where lower(name) = lower($1) and ($2 is null or id <> $2)",
            name,
            except
        ))
        .await?;
    Ok(c.n > 0)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub organisation_id: OrganisationId,
    pub name: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: Uuid,
    organisation_id: Uuid,
    name: String,
    active: bool,
    created_at: DateTime<Utc>,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Self {
        Unit {
            id: r.id.into(),
            organisation_id: r.organisation_id.into(),
            name: r.name,
            active: r.active,
            created_at: r.created_at,
        }
    }
}

pub async fn insert_unit(tx: &mut Tx, u: &Unit) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into unit (id, organisation_id, name, active, created_at) values ($1, $2, $3, $4, $5)",
        u.id,
        u.organisation_id,
        &u.name,
        u.active,
        u.created_at
    ))
    .await?;
    Ok(())
}

pub async fn update_unit(tx: &mut Tx, u: &Unit) -> Result<(), StoreError> {
    let n = tx
        .execute(q!(
            "update unit set name = $2, active = $3 where id = $1",
            u.id,
            &u.name,
            u.active
        ))
        .await?;
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

pub async fn get_unit(tx: &mut Tx, id: UnitId) -> Result<Unit, StoreError> {
    let row: UnitRow = tx
        .fetch_one(q!(
            "select id, organisation_id, name, active, created_at from unit where id = $1",
            id
        ))
        .await?;
    Ok(row.into())
}

pub async fn units_of(tx: &mut Tx, org: OrganisationId) -> Result<Vec<Unit>, StoreError> {
    let rows: Vec<UnitRow> = tx
        .fetch_all(q!(
            "select id, organisation_id, name, active, created_at from unit
             where organisation_id = $1 order by lower(name)",
            org
        ))
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// A unit with its organisation's name, for pickers.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitChoice {
    pub unit_id: Uuid,
    pub unit_name: String,
    pub organisation_name: String,
}

pub async fn all_active_units(tx: &mut Tx) -> Result<Vec<UnitChoice>, StoreError> {
    tx.fetch_all(q!(
        "select u.id as unit_id, u.name as unit_name, o.name as organisation_name
         from unit u join organisation o on o.id = u.organisation_id
         where u.active and o.active
         order by lower(o.name), lower(u.name)"
    ))
    .await
}

pub async fn unit_name_taken(
    tx: &mut Tx,
    org: OrganisationId,
    name: &str,
    except: Option<UnitId>,
) -> Result<bool, StoreError> {
    let c: Count = tx
        .fetch_one(q!(
            "select count(*) as n from unit
             where organisation_id = $1 and lower(name) = lower($2) and ($3 is null or id <> $3)",
            org,
            name,
            except
        ))
        .await?;
    Ok(c.n > 0)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Programme {
    pub id: ProgrammeId,
    pub name: String,
    pub description: String,
    pub country: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub organisations: Vec<OrganisationId>,
    /// The target groups (ids from the rules file) whose worklist items the programme works with.
    pub target_groups: Vec<String>,
    /// Postal-code prefixes of the area the programme serves; empty: everyone.
    pub catchment: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct ProgrammeRow {
    id: Uuid,
    name: String,
    description: String,
    country: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    active: bool,
    created_at: DateTime<Utc>,
    target_groups: String,
    catchment: String,
}

#[derive(sqlx::FromRow)]
struct ProgrammeOrgRow {
    programme_id: Uuid,
    organisation_id: Uuid,
}

pub async fn insert_programme(tx: &mut Tx, p: &Programme) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into programme (id, name, description, country, starts_on, ends_on, active, created_at,
                                target_groups, catchment)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        p.id,
        &p.name,
        &p.description,
        &p.country,
        p.starts_on,
        p.ends_on,
        p.active,
        p.created_at,
        p.target_groups.join(","),
        p.catchment.join(",")
    ))
    .await?;
    set_programme_organisations(tx, p.id, &p.organisations).await
}

pub async fn update_programme(tx: &mut Tx, p: &Programme) -> Result<(), StoreError> {
    let n = tx
        .execute(q!(
            "update programme set name = $2, description = $3, country = $4, starts_on = $5,
             ends_on = $6, active = $7, target_groups = $8, catchment = $9 where id = $1",
            p.id,
            &p.name,
            &p.description,
            &p.country,
            p.starts_on,
            p.ends_on,
            p.active,
            p.target_groups.join(","),
            p.catchment.join(",")
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    set_programme_organisations(tx, p.id, &p.organisations).await
}

async fn set_programme_organisations(
    tx: &mut Tx,
    id: ProgrammeId,
    orgs: &[OrganisationId],
) -> Result<(), StoreError> {
    tx.execute(q!(
        "delete from programme_organisation where programme_id = $1",
        id
    ))
    .await?;
    for o in orgs {
        tx.execute(q!(
            "insert into programme_organisation (programme_id, organisation_id) values ($1, $2)
             on conflict do nothing",
            id,
            *o
        ))
        .await?;
    }
    Ok(())
}

fn programme_from(r: ProgrammeRow, links: &[ProgrammeOrgRow]) -> Programme {
    Programme {
        organisations: links
            .iter()
            .filter(|l| l.programme_id == r.id)
            .map(|l| l.organisation_id.into())
            .collect(),
        id: r.id.into(),
        name: r.name,
        description: r.description,
        country: r.country,
        starts_on: r.starts_on,
        ends_on: r.ends_on,
        active: r.active,
        created_at: r.created_at,
        target_groups: split_list(&r.target_groups),
        catchment: split_list(&r.catchment),
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn list_programmes(tx: &mut Tx) -> Result<Vec<Programme>, StoreError> {
    let rows: Vec<ProgrammeRow> = tx
        .fetch_all(q!(
            "select id, name, description, country, starts_on, ends_on, active, created_at,
                    target_groups, catchment
             from programme order by lower(name)"
        ))
        .await?;
    let links: Vec<ProgrammeOrgRow> = tx
        .fetch_all(q!(
            "select programme_id, organisation_id from programme_organisation"
        ))
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| programme_from(r, &links))
        .collect())
}

pub async fn get_programme(tx: &mut Tx, id: ProgrammeId) -> Result<Programme, StoreError> {
    let row: ProgrammeRow = tx
        .fetch_one(q!(
            "select id, name, description, country, starts_on, ends_on, active, created_at,
                    target_groups, catchment
             from programme where id = $1",
            id
        ))
        .await?;
    let links: Vec<ProgrammeOrgRow> = tx
        .fetch_all(q!(
            "select programme_id, organisation_id from programme_organisation where programme_id = $1",
            id
        ))
        .await?;
    Ok(programme_from(row, &links))
}

pub async fn programme_name_taken(
    tx: &mut Tx,
    name: &str,
    except: Option<ProgrammeId>,
) -> Result<bool, StoreError> {
    let c: Count = tx
        .fetch_one(q!(
            "select count(*) as n from programme where lower(name) = lower($1) and ($2 is null or id <> $2)",
            name,
            except
        ))
        .await?;
    Ok(c.n > 0)
}

fn dynamic(sql: String, args: Vec<crate::Value>) -> crate::Query {
    crate::Query {
        sql: sql.into(),
        args,
    }
}
