//! User accounts and their unit memberships.

use crate::db::Tx;
use crate::{StoreError, parse_code, q};
use chrono::{DateTime, Utc};
use samverka_core::actor::{Membership, Role};
use samverka_core::{MembershipId, UnitId, UserId};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    /// Lower case; unique.
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub password_hash: String,
    /// Base32 TOTP secret when the second factor is on.
    pub totp_secret: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub deactivated_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    display_name: String,
    email: Option<String>,
    password_hash: String,
    totp_secret: Option<String>,
    active: bool,
    created_at: DateTime<Utc>,
    deactivated_at: Option<DateTime<Utc>>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id.into(),
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            password_hash: r.password_hash,
            totp_secret: r.totp_secret,
            active: r.active,
            created_at: r.created_at,
            deactivated_at: r.deactivated_at,
        }
    }
}

pub async fn insert(tx: &mut Tx, u: &User) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into app_user (id, username, display_name, email, password_hash, totp_secret, active,
                               created_at, deactivated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        u.id,
        &u.username,
        &u.display_name,
        u.email.clone(),
        &u.password_hash,
        u.totp_secret.clone(),
        u.active,
        u.created_at,
        u.deactivated_at
    ))
    .await?;
    Ok(())
}

/// Saves every column but the id and creation time.
pub async fn update(tx: &mut Tx, u: &User) -> Result<(), StoreError> {
    let n = tx
        .execute(q!(
            "update app_user set username = $2, display_name = $3, email = $4, password_hash = $5,
             totp_secret = $6, active = $7, deactivated_at = $8 where id = $1",
            u.id,
            &u.username,
            &u.display_name,
            u.email.clone(),
            &u.password_hash,
            u.totp_secret.clone(),
            u.active,
            u.deactivated_at
        ))
        .await?;
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

const USER_SELECT: &str = "select id, username, display_name, email, password_hash, totp_secret, active, created_at, deactivated_at from app_user";

pub async fn get(tx: &mut Tx, id: UserId) -> Result<User, StoreError> {
    let row: UserRow = tx
        .fetch_one(crate::Query {
            sql: format!("{USER_SELECT} where id = $1").into(),
            args: vec![id.into()],
        })
        .await?;
    Ok(row.into())
}

pub async fn find_by_username(tx: &mut Tx, username: &str) -> Result<Option<User>, StoreError> {
    let row: Option<UserRow> = tx
        .fetch_optional(crate::Query {
            sql: format!("{USER_SELECT} where username = $1").into(),
            args: vec![username.into()],
        })
        .await?;
    Ok(row.map(Into::into))
}

pub async fn list(tx: &mut Tx) -> Result<Vec<User>, StoreError> {
    let rows: Vec<UserRow> = tx
        .fetch_all(crate::Query {
            sql: format!("{USER_SELECT} order by username").into(),
            args: vec![],
        })
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// A membership with names, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipView {
    pub id: MembershipId,
    pub membership: Membership,
    pub unit_name: String,
    pub organisation_name: String,
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    id: Uuid,
    unit_id: Uuid,
    organisation_id: Uuid,
    role: String,
    unit_name: String,
    organisation_name: String,
}

/// The user's memberships in active units of active organisations, oldest first.
pub async fn memberships(tx: &mut Tx, user: UserId) -> Result<Vec<MembershipView>, StoreError> {
    let rows: Vec<MembershipRow> = tx
        .fetch_all(q!(
            "select m.id, m.unit_id, u.organisation_id, m.role, u.name as unit_name,
                    o.name as organisation_name
             from membership m
             join unit u on u.id = m.unit_id
             join organisation o on o.id = u.organisation_id
             where m.user_id = $1 and u.active and o.active
             order by m.created_at, m.id",
            user
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(MembershipView {
                id: r.id.into(),
                membership: Membership {
                    unit_id: r.unit_id.into(),
                    organisation_id: r.organisation_id.into(),
                    role: parse_code::<Role>("role", &r.role)?,
                },
                unit_name: r.unit_name,
                organisation_name: r.organisation_name,
            })
        })
        .collect()
}

pub async fn add_membership(
    tx: &mut Tx,
    user: UserId,
    unit: UnitId,
    role: Role,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into membership (id, user_id, unit_id, role, created_at) values ($1, $2, $3, $4, $5)
         on conflict (user_id, unit_id, role) do nothing",
        MembershipId::new(),
        user,
        unit,
        role.code(),
        now
    ))
    .await?;
    Ok(())
}

pub async fn remove_membership(
    tx: &mut Tx,
    user: UserId,
    id: MembershipId,
) -> Result<(), StoreError> {
    let n = tx
        .execute(q!(
            "delete from membership where id = $1 and user_id = $2",
            id,
            user
        ))
        .await?;
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}
