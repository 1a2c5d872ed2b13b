//! Server-side sessions and the record of failed sign-ins used for throttling.
//!
//! Only a hash of the session token is stored, so a copy of the database does not let anyone sign in.

use crate::db::{Count, Tx};
use crate::{StoreError, q};
use chrono::{DateTime, Utc};
use samverka_core::UserId;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_id: UserId,
    /// Password was right but the second factor is still to come.
    pub mfa_pending: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    token_hash: String,
    user_id: Uuid,
    mfa_pending: bool,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, s: &Session) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into session (token_hash, user_id, mfa_pending, created_at, last_seen_at, expires_at)
         values ($1, $2, $3, $4, $5, $6)",
        &s.token_hash,
        s.user_id,
        s.mfa_pending,
        s.created_at,
        s.last_seen_at,
        s.expires_at
    ))
    .await?;
    Ok(())
}

/// The session with this token hash if it belongs to an active user.
pub async fn find_active(tx: &mut Tx, token_hash: &str) -> Result<Option<Session>, StoreError> {
    let row: Option<SessionRow> = tx
        .fetch_optional(q!(
            "select s.token_hash, s.user_id, s.mfa_pending, s.created_at, s.last_seen_at, s.expires_at
             from session s join app_user u on u.id = s.user_id
             where s.token_hash = $1 and u.active",
            token_hash
        ))
        .await?;
    Ok(row.map(|r| Session {
        token_hash: r.token_hash,
        user_id: r.user_id.into(),
        mfa_pending: r.mfa_pending,
        created_at: r.created_at,
        last_seen_at: r.last_seen_at,
        expires_at: r.expires_at,
    }))
}

pub async fn touch(
    tx: &mut Tx,
    token_hash: &str,
    last_seen: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(q!(
        "update session set last_seen_at = $2, expires_at = $3 where token_hash = $1",
        token_hash,
        last_seen,
        expires_at
    ))
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> Result<(), StoreError> {
    tx.execute(q!("delete from session where token_hash = $1", token_hash))
        .await?;
    Ok(())
}

/// Ends every session of a user (deactivation, password change).
pub async fn delete_for_user(tx: &mut Tx, user: UserId) -> Result<u64, StoreError> {
    tx.execute(q!("delete from session where user_id = $1", user))
        .await
}

pub async fn delete_expired(tx: &mut Tx, now: DateTime<Utc>) -> Result<u64, StoreError> {
    tx.execute(q!("delete from session where expires_at <= $1", now))
        .await
}

pub async fn record_login_failure(
    tx: &mut Tx,
    username_key: &str,
    client_ip: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into login_failure (id, username_key, client_ip, at) values ($1, $2, $3, $4)",
        Uuid::now_v7(),
        username_key,
        client_ip,
        at
    ))
    .await?;
    Ok(())
}

/// Failed sign-ins since `since` for this username and from this address.
pub async fn recent_failures(
    tx: &mut Tx,
    username_key: &str,
    client_ip: &str,
    since: DateTime<Utc>,
) -> Result<(i64, i64), StoreError> {
    let by_name: Count = tx
        .fetch_one(q!(
            "select count(*) as n from login_failure where username_key = $1 and at > $2",
            username_key,
            since
        ))
        .await?;
    let by_ip: Count = tx
        .fetch_one(q!(
            "select count(*) as n from login_failure where client_ip = $1 and at > $2",
            client_ip,
            since
        ))
        .await?;
    Ok((by_name.n, by_ip.n))
}

/// Forgets failures for a username after a successful sign-in.
pub async fn clear_failures(tx: &mut Tx, username_key: &str) -> Result<(), StoreError> {
    tx.execute(q!(
        "delete from login_failure where username_key = $1",
        username_key
    ))
    .await?;
    Ok(())
}

pub async fn delete_old_failures(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64, StoreError> {
    tx.execute(q!("delete from login_failure where at < $1", before))
        .await
}
