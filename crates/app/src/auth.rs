//! Sign-in with local accounts (argon2id), server-side sessions, throttling, Totp second factor.

use crate::{App, AppError};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use samverka_core::UserId;
use samverka_core::actor::Actor;
use samverka_store::session::{self, Session};
use samverka_store::user::{self, User};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, Totp};

/// The outcome of a sign-in attempt. Wrong username and wrong password look the same.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: set this token as the session cookie.
    Success {
        token: String,
    },
    /// Password right, second factor needed: this token only reaches the Totp step.
    NeedSecondFactor {
        token: String,
    },
    Invalid,
    /// Too many failures recently; try again later.
    Throttled,
}

/// A request's signed-in user.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub actor: Actor,
    pub token_hash: String,
    pub mfa_pending: bool,
}

/// Hashes a password with argon2id and a fresh salt. CPU-heavy: call from a blocking thread.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password nobody knows, verified when the username does not exist so that the
/// answer takes as long as for a real account.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a password anyone has").unwrap_or_default())
}

async fn hash_blocking(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

async fn verify_blocking(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// A new unguessable token (256 bits).
pub fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored of a token: its SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Usernames are compared in lower case without surrounding space.
pub fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Minimum length of a password chosen by a person (NIST SP 800-63B asks at least 8).
pub const MIN_PASSWORD_LEN: usize = 10;

pub fn check_new_password(field: &'static str, password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::Invalid(vec![crate::FieldError::with_args(
            field,
            "password-too-short",
            vec![("min", MIN_PASSWORD_LEN.to_string())],
        )]));
    }
    if password.chars().count() > 256 {
        return Err(AppError::Invalid(vec![crate::FieldError::with_args(
            field,
            "field-too-long",
            vec![("max", "256".to_owned())],
        )]));
    }
    Ok(())
}

fn totp_for(secret_b32: &str, username: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret_b32)
        .map_err(|e| AppError::Internal(format!("bad stored TOTP secret: {e:?}")))?;
    totp_rs::Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some("Samverka"))
        .with_account_name(username)
        .build()
        .map_err(|e| AppError::Internal(format!("TOTP: {e}")))
}

fn totp_ok(
    secret_b32: &str,
    username: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(false);
    }
    let totp = totp_for(secret_b32, username)?;
    let secs = u64::try_from(now.timestamp()).unwrap_or(0);
    Ok(totp.check(&code, secs).is_some())
}

/// A new TOTP secret and the otpauth:// URL an authenticator app reads (as a QR code).
#[derive(Clone, Debug)]
pub struct TotpEnrollment {
    pub secret: String,
    pub url: String,
}

impl App {
    async fn create_session(&self, user: UserId, mfa_pending: bool) -> Result<String, AppError> {
        let token = new_token()?;
        let now = self.now();
        let s = Session {
            token_hash: token_hash(&token),
            user_id: user,
            mfa_pending,
            created_at: now,
            last_seen_at: now,
            expires_at: self.idle_expiry(now, now),
        };
        let mut tx = self.db.begin().await?;
        session::insert(&mut tx, &s).await?;
        tx.commit().await?;
        Ok(token)
    }

    fn idle_expiry(&self, created: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        let idle = now + Duration::minutes(self.config.session_idle_minutes);
        let absolute = created + Duration::hours(self.config.session_absolute_hours);
        idle.min(absolute)
    }

    async fn throttled(&self, key: &str, client_ip: &str) -> Result<bool, AppError> {
        let since = self.now() - Duration::minutes(self.config.login_window_minutes);
        let mut tx = self.db.begin_read().await?;
        let (by_name, by_ip) = session::recent_failures(&mut tx, key, client_ip, since).await?;
        Ok(by_name >= self.config.login_max_failures_per_user
            || by_ip >= self.config.login_max_failures_per_ip)
    }

    async fn record_failure(&self, key: &str, client_ip: &str) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        session::record_login_failure(&mut tx, key, client_ip, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a username and password. `client_ip` is only used for throttling.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        client_ip: &str,
    ) -> Result<SignIn, AppError> {
        let key = username_key(username);
        if self.throttled(&key, client_ip).await? {
            tracing::warn!("sign-in throttled");
            return Ok(SignIn::Throttled);
        }
        let found = {
            let mut tx = self.db.begin_read().await?;
            user::find_by_username(&mut tx, &key).await?
        };
        let (hash, user) = match found {
            Some(u) if u.active => (u.password_hash.clone(), Some(u)),
            _ => (dummy_hash().to_owned(), None),
        };
        let ok = verify_blocking(password.to_owned(), hash).await?;
        let Some(user) = user.filter(|_| ok) else {
            self.record_failure(&key, client_ip).await?;
            return Ok(SignIn::Invalid);
        };
        {
            let mut tx = self.db.begin().await?;
            session::clear_failures(&mut tx, &key).await?;
            tx.commit().await?;
        }
        if user.totp_secret.is_some() {
            Ok(SignIn::NeedSecondFactor {
                token: self.create_session(user.id, true).await?,
            })
        } else {
            tracing::info!(user = %user.id, "signed in");
            Ok(SignIn::Success {
                token: self.create_session(user.id, false).await?,
            })
        }
    }

    /// Completes a sign-in that waits for its Totp code. On success the pending session is
    /// replaced by a new one (a new token), so a token seen before the second factor is worthless.
    pub async fn sign_in_second_factor(
        &self,
        pending_token: &str,
        code: &str,
        client_ip: &str,
    ) -> Result<SignIn, AppError> {
        let hash = token_hash(pending_token);
        let mut tx = self.db.begin_read().await?;
        let Some(s) = session::find_active(&mut tx, &hash).await? else {
            return Ok(SignIn::Invalid);
        };
        let u = user::get(&mut tx, s.user_id).await?;
        drop(tx);
        if !s.mfa_pending || s.expires_at <= self.now() {
            return Ok(SignIn::Invalid);
        }
        if self.throttled(&u.username, client_ip).await? {
            return Ok(SignIn::Throttled);
        }
        let secret = u.totp_secret.clone().unwrap_or_default();
        if !totp_ok(&secret, &u.username, code, self.now())? {
            self.record_failure(&u.username, client_ip).await?;
            return Ok(SignIn::Invalid);
        }
        let mut tx = self.db.begin().await?;
        session::delete(&mut tx, &hash).await?;
        session::clear_failures(&mut tx, &u.username).await?;
        tx.commit().await?;
        tracing::info!(user = %u.id, "signed in with second factor");
        Ok(SignIn::Success {
            token: self.create_session(u.id, false).await?,
        })
    }

    /// The user behind a session token, if the session is valid. Slides the idle expiry.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Authenticated>, AppError> {
        let hash = token_hash(token);
        let now = self.now();
        // Every request passes here: read without the write lock, write only when needed.
        let mut tx = self.db.begin_read().await?;
        let Some(s) = session::find_active(&mut tx, &hash).await? else {
            return Ok(None);
        };
        let u = user::get(&mut tx, s.user_id).await?;
        let memberships = user::memberships(&mut tx, u.id).await?;
        drop(tx);
        if s.expires_at <= now {
            let mut tx = self.db.begin().await?;
            session::delete(&mut tx, &hash).await?;
            tx.commit().await?;
            return Ok(None);
        }
        // Write the sliding expiry at most once a minute, not on every request.
        if now - s.last_seen_at > Duration::seconds(60) {
            let mut tx = self.db.begin().await?;
            session::touch(&mut tx, &hash, now, self.idle_expiry(s.created_at, now)).await?;
            tx.commit().await?;
        }
        Ok(Some(Authenticated {
            actor: Actor {
                user_id: u.id,
                username: u.username,
                display_name: u.display_name,
                memberships: memberships.into_iter().map(|m| m.membership).collect(),
            },
            token_hash: hash,
            mfa_pending: s.mfa_pending,
        }))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        session::delete(&mut tx, &token_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password after checking the current one; ends the user's other sessions.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_token_hash: &str,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin_read().await?;
        let mut u = user::get(&mut tx, actor.user_id).await?;
        drop(tx);
        if !verify_blocking(current.to_owned(), u.password_hash.clone()).await? {
            return Err(AppError::invalid("current_password", "password-wrong"));
        }
        check_new_password("new_password", new)?;
        u.password_hash = hash_blocking(new.to_owned()).await?;
        let mut tx = self.db.begin().await?;
        user::update(&mut tx, &u).await?;
        let keep = session::find_active(&mut tx, keep_token_hash).await?;
        session::delete_for_user(&mut tx, u.id).await?;
        if let Some(s) = keep {
            session::insert(&mut tx, &s).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A fresh secret for the user to put in an authenticator app; not stored until confirmed.
    pub fn begin_totp(&self, actor: &Actor) -> Result<TotpEnrollment, AppError> {
        let secret = Secret::generate().to_base32();
        let totp = totp_for(&secret, &actor.username)?;
        let url = totp
            .to_url()
            .map_err(|e| AppError::Internal(format!("TOTP: {e}")))?;
        Ok(TotpEnrollment { url, secret })
    }

    /// Turns the second factor on once the user proves their app shows the right code.
    pub async fn confirm_totp(
        &self,
        actor: &Actor,
        secret: &str,
        code: &str,
    ) -> Result<(), AppError> {
        if secret.len() < 16
            || secret.len() > 128
            || !secret
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '=')
        {
            return Err(AppError::invalid("code", "totp-setup-expired"));
        }
        if !totp_ok(secret, &actor.username, code, self.now())? {
            return Err(AppError::invalid("code", "totp-code-wrong"));
        }
        let mut tx = self.db.begin().await?;
        let mut u = user::get(&mut tx, actor.user_id).await?;
        u.totp_secret = Some(secret.to_owned());
        user::update(&mut tx, &u).await?;
        tx.commit().await?;
        tracing::info!(user = %u.id, "second factor enabled");
        Ok(())
    }

    /// Turns the second factor off; needs the password.
    pub async fn disable_totp(&self, actor: &Actor, password: &str) -> Result<(), AppError> {
        let mut tx = self.db.begin_read().await?;
        let mut u = user::get(&mut tx, actor.user_id).await?;
        drop(tx);
        if !verify_blocking(password.to_owned(), u.password_hash.clone()).await? {
            return Err(AppError::invalid("password", "password-wrong"));
        }
        u.totp_secret = None;
        let mut tx = self.db.begin().await?;
        user::update(&mut tx, &u).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn user(&self, id: UserId) -> Result<User, AppError> {
        let mut tx = self.db.begin_read().await?;
        Ok(user::get(&mut tx, id).await?)
    }

    /// Removes expired sessions and old sign-in failures (run periodically by the server).
    pub async fn housekeeping(&self) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        session::delete_expired(&mut tx, now).await?;
        session::delete_old_failures(&mut tx, now - Duration::days(1)).await?;
        tx.commit().await?;
        Ok(())
    }
}

pub(crate) async fn hash_password_async(password: &str) -> Result<String, AppError> {
    hash_blocking(password.to_owned()).await
}
