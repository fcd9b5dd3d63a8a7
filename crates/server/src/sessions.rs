//! Login sessions and the login rate limit, kept in the database so that any server
//! process can check any session and count any failure (no state in memory matters
//! between requests).
//!
//! A session's token lives only in the phone's HttpOnly cookie; the database keeps its
//! SHA-256. Every request re-reads the session with its user, so logging out, an
//! expiry, a revoked device or a disabled account ends access at once.

use std::time::Duration;

use crate::db::Db;
use chrono::{DateTime, SecondsFormat, Utc};
use gatewatch_model::DeviceId;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::accounts::{self, User};
use crate::auth::SessionPolicy;
use crate::error::AppError;

/// Failed logins per account in an hour, from browsers without a device cookie for it,
/// before those cool down (the bound). Browsers with one are not held back.
pub const ACCOUNT_FAILURES_PER_HOUR: i64 = 100;
/// Failed logins per client address in an hour: higher than per account, because a
/// police station's phones may share one address behind NAT.
pub const ADDRESS_FAILURES_PER_HOUR: i64 = 300;
/// Failed logins per device cookie in an hour: small, as a browser that logged in
/// before rarely fails many times; past it, the cookie counts for nothing (a thief's
/// copy guesses no more than that, then joins every other unknown browser).
pub const DEVICE_FAILURES_PER_HOUR: i64 = 10;
const WINDOW: chrono::Duration = chrono::Duration::hours(1);
/// How stale `last_seen_at` may get before a request refreshes it: one write per
/// session every few minutes, not one per request.
const LAST_SEEN_GRANULARITY: chrono::Duration = chrono::Duration::minutes(5);

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Starts a session for `user` on `device`; returns the token for the cookie.
pub async fn start(
    db: &Db,
    user: Uuid,
    device: &DeviceId,
    user_agent: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let token = accounts::random_hex(32);
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(14));
    // A user agent is for an admin's eyes only; keep it short.
    let user_agent: String = user_agent.chars().take(200).collect();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, device, user_agent, created_at, last_seen_at,
                               expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash(&token))
    .bind(user.to_string())
    .bind(device.as_str())
    .bind(user_agent)
    .bind(timestamp(now))
    .bind(timestamp(now))
    .bind(timestamp(now + ttl))
    .execute(db.pool())
    .await?;
    Ok(token)
}

/// Why a session no longer opens, as the phone is told: after a revoked device or a
/// disabled account it drops what the server has; after an expiry it only asks for a
/// login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Expired, logged out, ended by a password change elsewhere, or never known.
    Expired,
    /// An admin ended it: revoked the device or reset the password.
    Revoked,
    /// Its user is disabled.
    Disabled,
}

/// `sessions.end_reason` (migration 0010): who ended a session.
const ENDED_BY_ADMIN: &str = "revoked";
const ENDED_BY_LOGOUT: &str = "logout";
const ENDED_BY_PASSWORD_CHANGE: &str = "password_changed";

/// The user of a live session (not expired, not revoked, the user not disabled) and
/// the session's device; else why it no longer opens.
pub async fn user_of(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Result<(User, String), Ended>, AppError> {
    let hash = token_hash(token);
    // The session and its user in one read: this runs on every request.
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: accounts::UserRow,
        device: String,
        expires_at: String,
        last_seen_at: String,
        revoked_at: Option<String>,
        end_reason: Option<String>,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {}, s.device, s.expires_at, s.last_seen_at, s.revoked_at, s.end_reason
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1",
        accounts::user_columns("u.")
    ))
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(Err(Ended::Expired));
    };
    let user = accounts::user_of(row.user)?;
    if user.disabled {
        return Ok(Err(Ended::Disabled));
    }
    if row.revoked_at.is_some() {
        return Ok(Err(match row.end_reason.as_deref() {
            Some(ENDED_BY_ADMIN) => Ended::Revoked,
            _ => Ended::Expired,
        }));
    }
    if crate::feed::parse_received(&row.expires_at)? <= now {
        return Ok(Err(Ended::Expired));
    }
    if crate::feed::parse_received(&row.last_seen_at)? + LAST_SEEN_GRANULARITY < now {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(timestamp(now))
            .bind(&hash)
            .execute(db.pool())
            .await?;
    }
    Ok(Ok((user, row.device)))
}

/// Ends one session (logout). Unknown tokens are ignored: logging out twice is fine.
pub async fn end(db: &Db, token: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE sessions SET revoked_at = $1, end_reason = $2
         WHERE token_hash = $3 AND revoked_at IS NULL",
    )
    .bind(timestamp(now))
    .bind(ENDED_BY_LOGOUT)
    .bind(token_hash(token))
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Ends every session of `user`, or only those on `device`, as an admin: the phones
/// are told `device_revoked`. Returns how many ended.
pub async fn revoke(
    db: &Db,
    user: Uuid,
    device: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1, end_reason = $5
         WHERE user_id = $2 AND revoked_at IS NULL AND ($3 IS NULL OR device = $4)",
    )
    .bind(timestamp(now))
    .bind(user.to_string())
    .bind(device)
    .bind(device)
    .bind(ENDED_BY_ADMIN)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Ends every session of `user` but the one of token `keep` (a password change).
pub async fn revoke_others(
    db: &Db,
    user: Uuid,
    keep: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let keep = keep.map(token_hash).unwrap_or_default();
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1, end_reason = $4
         WHERE user_id = $2 AND revoked_at IS NULL AND token_hash <> $3",
    )
    .bind(timestamp(now))
    .bind(user.to_string())
    .bind(keep)
    .bind(ENDED_BY_PASSWORD_CHANGE)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// A phone a user has logged in from, as an admin's list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Device {
    pub device: String,
    pub user_agent: String,
    pub first_login: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Sessions on it that still work (not expired, logged out or revoked).
    pub active_sessions: i64,
}

pub async fn devices(db: &Db, user: Uuid, now: DateTime<Utc>) -> Result<Vec<Device>, AppError> {
    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT device, MAX(user_agent), MIN(created_at), MAX(last_seen_at),
                COUNT(*) FILTER (WHERE revoked_at IS NULL AND expires_at > $1)
         FROM sessions WHERE user_id = $2 GROUP BY device ORDER BY MAX(last_seen_at) DESC",
    )
    .bind(timestamp(now))
    .bind(user.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(device, user_agent, first, last, active)| {
            Ok(Device {
                device,
                user_agent,
                first_login: crate::feed::parse_received(&first)?,
                last_seen: crate::feed::parse_received(&last)?,
                active_sessions: active,
            })
        })
        .collect()
}

/// The keys an attempt from an unknown browser (no valid device cookie for the account)
/// is counted under: the account's untrusted clients, and the client address. A
/// username that cannot exist is counted under one key, so junk cannot fill the table.
pub fn untrusted_keys(username: &str, address: Option<&str>) -> Vec<String> {
    let account =
        gatewatch_model::account::normalize_username(username).unwrap_or_else(|_| "?".to_owned());
    let mut keys = vec![format!("account:{account}")];
    if let Some(a) = address {
        keys.push(format!("address:{a}"));
    }
    keys
}

/// The key of an attempt from a browser with a valid device cookie for the account
/// (`device_cookie`): that cookie alone, whatever the address.
pub fn device_keys(nonce: &str) -> Vec<String> {
    vec![format!("device:{nonce}")]
}

/// The key of a signed-in user's password change: their own, apart from logins, so a
/// stolen session's guesses lock out neither the account's logins nor its devices.
pub fn password_change_keys(username: &str) -> Vec<String> {
    vec![format!("change:{username}")]
}

fn limit_of(key: &str, policy: &SessionPolicy) -> i64 {
    match key.split_once(':').map(|(kind, _)| kind) {
        Some("address") => policy.address_failures_per_hour,
        Some("device" | "change") => policy.device_failures_per_hour,
        _ => policy.account_failures_per_hour,
    }
}

/// The keys a login is counted under: its device cookie's (`nonce`), unless that cookie
/// used up its own limit; then, as for a browser without one, the account's untrusted
/// clients and the address — refused with `TooManyAttempts` if one of those is over.
pub async fn login_keys(
    db: &Db,
    policy: &SessionPolicy,
    nonce: Option<&str>,
    username: &str,
    address: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    if let Some(nonce) = nonce {
        let keys = device_keys(nonce);
        if check_limits(db, &keys, policy, now).await.is_ok() {
            return Ok(keys);
        }
    }
    let keys = untrusted_keys(username, address);
    check_limits(db, &keys, policy, now).await?;
    Ok(keys)
}

/// `Err(TooManyAttempts)` when one of `keys` reached its limit within the last hour: the
/// wait is until its oldest failure in the window is an hour old (the cool-down). Only
/// failures count: attempts still waiting for their password check do not, so correct
/// passwords are never refused for other people's pending attempts.
pub async fn check_limits(
    db: &Db,
    keys: &[String],
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut conn = db.pool().acquire().await?;
    for key in keys {
        refuse_if_over(&mut conn, key, policy, now).await?;
    }
    Ok(())
}

async fn refuse_if_over(
    conn: &mut sqlx::AnyConnection,
    key: &str,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (count, oldest): (i64, Option<String>) =
        sqlx::query_as("SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = $1 AND at > $2")
            .bind(key)
            .bind(timestamp(now - WINDOW))
            .fetch_one(&mut *conn)
            .await?;
    if count < limit_of(key, policy) {
        return Ok(());
    }
    let oldest = oldest
        .map(|o| crate::feed::parse_received(&o))
        .transpose()?
        .unwrap_or(now);
    // Rounded up: a client that waits exactly this long is let in.
    let wait_ms = (oldest + WINDOW - now).num_milliseconds().max(1);
    let wait = (wait_ms + 999) / 1000;
    Err(AppError::TooManyAttempts(wait.unsigned_abs()))
}

/// Counts a wrong password against `keys`, in one write transaction with a fresh check
/// of their limits, so parallel guesses are answered one after another: once a key
/// reached its limit, the rest get `Err(TooManyAttempts)` (as a right password would
/// then) and are not counted — no more guesses than the limit are ever answered.
pub async fn count_failure(
    db: &Db,
    keys: &[String],
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    for key in keys {
        refuse_if_over(&mut tx, key, policy, now).await?;
    }
    for key in keys {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(timestamp(now))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM login_failures WHERE at <= $1")
        .bind(timestamp(now - WINDOW))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
