//! Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device Cookies"): a
//! browser that logged in as a user gets a signed cookie saying so, and the login limit
//! treats it as that user's known device. Failures from unknown browsers lock out
//! unknown browsers only; a known device has its own small limit (`sessions`). So a
//! hundred wrong passwords from anywhere no longer lock the real user out.
//!
//! The cookie is `<nonce>.<HMAC-SHA256(key, username, nonce)>`, one per user a browser
//! logged in as (its name carries a digest of the username), sent only to the login
//! endpoint. The key is in the database (`server_secrets`), made by the first process
//! that needs it, so every server process signs and checks alike. The cookie opens
//! nothing by itself: it only changes which failures a login is counted against.

use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::accounts::random_hex;
use crate::auth::SessionPolicy;
use crate::db::Db;
use crate::error::AppError;

/// Where the cookie is sent: the login endpoint only, not with every API call.
const PATH: &str = "/api/auth/login";
/// How long a browser stays known without logging in again (each login renews it).
const LIFETIME_DAYS: i64 = 365;
const KEY_NAME: &str = "device_cookie_key";
/// Bytes of the nonce; written as hex.
const NONCE_BYTES: usize = 16;

/// Signs and checks device cookies with the key every server process shares.
#[derive(Clone)]
pub struct DeviceCookies {
    /// HMAC-SHA256 with the key, before any message.
    keyed: Hmac<Sha256>,
}

impl std::fmt::Debug for DeviceCookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceCookies")
    }
}

impl DeviceCookies {
    /// The shared key, made and stored by whichever process asks first.
    pub async fn load(db: &Db) -> Result<Self, AppError> {
        sqlx::query(
            "INSERT INTO server_secrets (name, value) VALUES ($1, $2)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(KEY_NAME)
        .bind(random_hex(32))
        .execute(db.pool())
        .await?;
        let key: String = sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(KEY_NAME)
            .fetch_one(db.pool())
            .await?;
        Self::with_key(key.as_bytes())
    }

    fn with_key(key: &[u8]) -> Result<Self, AppError> {
        let keyed = <Hmac<Sha256> as Mac>::new_from_slice(key)
            .map_err(|e| AppError::Internal(e.to_string().into()))?;
        Ok(Self { keyed })
    }

    /// The nonce of the request's valid device cookie for `username`, if it has one.
    /// A cookie signed for another user, altered or made up is no device cookie.
    pub fn nonce(&self, jar: &CookieJar, username: &str) -> Option<String> {
        let username = normalized(username)?;
        let value = jar.get(&cookie_name(&username))?.value().to_owned();
        let (nonce, mac) = value.split_once('.')?;
        let well_formed = nonce.len() == 2 * NONCE_BYTES && nonce.bytes().all(is_lower_hex);
        let signature = from_hex(mac)?;
        (well_formed && self.mac(&username, nonce).verify_slice(&signature).is_ok())
            .then(|| nonce.to_owned())
    }

    /// The cookie that makes this browser a known device of `username`: the one it
    /// showed (`nonce`), renewed, or a new one.
    pub fn cookie(
        &self,
        username: &str,
        nonce: Option<String>,
        policy: SessionPolicy,
    ) -> Option<Cookie<'static>> {
        let username = normalized(username)?;
        let nonce = nonce.unwrap_or_else(|| random_hex(NONCE_BYTES));
        let signature = self.mac(&username, &nonce).finalize().into_bytes();
        let value = format!("{nonce}.{}", to_hex(&signature));
        Some(
            Cookie::build((cookie_name(&username), value))
                .path(PATH)
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(policy.secure_cookie)
                .max_age(cookie::time::Duration::days(LIFETIME_DAYS))
                .build(),
        )
    }

    fn mac(&self, username: &str, nonce: &str) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        mac.update(b"gatewatch device cookie\0");
        mac.update(username.as_bytes());
        mac.update(b"\0");
        mac.update(nonce.as_bytes());
        mac
    }
}

fn normalized(username: &str) -> Option<String> {
    gatewatch_model::account::normalize_username(username).ok()
}

/// `gw_device_` and a digest of the username: a browser keeps one per user it logged in
/// as, and the name does not spell out who.
fn cookie_name(username: &str) -> String {
    let digest = Sha256::digest(username.as_bytes());
    format!("gw_device_{}", to_hex(&digest[..8]))
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(is_lower_hex) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(key: &str) -> DeviceCookies {
        DeviceCookies::with_key(key.as_bytes()).unwrap()
    }

    fn jar_with(cookie: Cookie<'static>) -> CookieJar {
        CookieJar::new().add(cookie)
    }

    #[test]
    fn a_cookie_is_valid_for_its_user_and_key_only() {
        let ours = signer("key-1");
        let policy = SessionPolicy::default();
        let cookie = ours.cookie("Wang.Li", None, policy).unwrap();
        assert_eq!(cookie.path(), Some(PATH));
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.same_site(), Some(SameSite::Strict));
        let jar = jar_with(cookie.clone());
        let nonce = ours.nonce(&jar, "wang.li").expect("valid for its user");
        assert_eq!(nonce.len(), 32);
        // Renewed, it keeps its nonce.
        let renewed = ours.cookie("wang.li", Some(nonce.clone()), policy).unwrap();
        assert_eq!(renewed.value(), cookie.value());
        // Another server's key, another user, an altered value: not a device cookie.
        assert_eq!(signer("key-2").nonce(&jar, "wang.li"), None);
        assert_eq!(ours.nonce(&jar, "zhao.min"), None);
        let moved = Cookie::new(cookie_name("zhao.min"), cookie.value().to_owned());
        assert_eq!(ours.nonce(&jar_with(moved), "zhao.min"), None);
        let mut altered = cookie.value().to_owned();
        altered.replace_range(0..1, if altered.starts_with('0') { "1" } else { "0" });
        let altered = Cookie::new(cookie_name("wang.li"), altered);
        assert_eq!(ours.nonce(&jar_with(altered), "wang.li"), None);
        for junk in ["", ".", "zz.zz", "é.é", "0123.abcd"] {
            let cookie = Cookie::new(cookie_name("wang.li"), junk);
            assert_eq!(ours.nonce(&jar_with(cookie), "wang.li"), None, "{junk}");
        }
    }
}
