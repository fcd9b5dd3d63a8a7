//! Accounts as phone and server see them: the login request, the signed-in user's
//! profile (what the phone caches to work offline), and the rules a username and a
//! password must meet.
//!
//! The session itself is an HttpOnly cookie the phone's scripts never see; nothing
//! here is a credential except the password in a login request.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{Principal, Scope, UserRole};
use crate::DeviceId;

/// `POST /api/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The phone's device id (the one in its record versions): the session is listed
    /// under it, so an admin can revoke that phone.
    pub device: DeviceId,
}

/// How the server ended a phone's session, read off its answer to any request, and
/// what the phone does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEnd {
    /// Expired or logged out (`401 session_expired`; older servers say only
    /// `unauthenticated`): log in again, everything stays.
    Expired,
    /// An admin revoked this phone or reset the password (`401 device_revoked`).
    Revoked,
    /// An admin disabled the account (`403 account_disabled`).
    Disabled,
}

impl SessionEnd {
    /// The session end an error answer (`status`, `code`) tells; `None` when it is
    /// about something else.
    pub fn of_answer(status: u16, code: &str) -> Option<Self> {
        match (status, code) {
            (401, "device_revoked") => Some(SessionEnd::Revoked),
            (403, "account_disabled") => Some(SessionEnd::Disabled),
            (401, _) => Some(SessionEnd::Expired),
            _ => None,
        }
    }

    /// Whether the phone drops what the server already has (records, rosters with full
    /// phone numbers, gate secrets, cached lists) and hides what it has not until the
    /// same user logs in again: whoever holds the phone may no longer be its user.
    pub fn locks_phone(self) -> bool {
        self != SessionEnd::Expired
    }
}

/// The signed-in user, as `GET /api/auth/me` and a login answer it. The phone keeps it
/// to show who is signed in and to work offline; it grants nothing by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub user: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: UserRole,
    /// Lists rather than sets on the wire: the phone decodes them with code it already
    /// has for other lists (a set's decoder would be new wasm); the server sends them
    /// sorted and unique.
    #[serde(default)]
    pub schools: Vec<String>,
    #[serde(default)]
    pub teams: Vec<Uuid>,
}

impl Profile {
    /// Who this profile acts as in the access rule.
    pub fn principal(&self) -> Principal {
        Principal {
            user: self.user,
            role: self.role,
            scope: Scope {
                schools: self.schools.iter().cloned().collect(),
                teams: self.teams.iter().copied().collect(),
            },
        }
    }
}

/// Shortest password accepted (OWASP: at least 8 characters).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted: hashing has a cost, and no person types more.
pub const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("a username is 3-32 characters: a-z, 0-9, '.', '_' or '-'")]
    BadUsername,
    #[error("a password is {MIN_PASSWORD_CHARS}-{MAX_PASSWORD_CHARS} characters")]
    BadPassword,
    #[error("a display name is 1-64 characters, none of them control characters")]
    BadDisplayName,
}

/// A username as it is stored and compared: trimmed and lower-cased, so `Wang.Li` and
/// `wang.li` are one account.
pub fn normalize_username(text: &str) -> Result<String, AccountError> {
    // ASCII only is accepted, so ASCII lower-casing is enough (and keeps Unicode's case
    // tables out of the phone's wasm).
    let name = text.trim().to_ascii_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(name)
    } else {
        Err(AccountError::BadUsername)
    }
}

pub fn check_password(password: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        Ok(())
    } else {
        Err(AccountError::BadPassword)
    }
}

pub fn check_display_name(name: &str) -> Result<(), AccountError> {
    let chars = name.trim().chars().count();
    if (1..=64).contains(&chars) && crate::record::plain_text(name) {
        Ok(())
    } else {
        Err(AccountError::BadDisplayName)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revoked_phone_or_a_disabled_account_is_told_from_an_expired_session() {
        let end = |status, code| SessionEnd::of_answer(status, code);
        assert_eq!(end(401, "device_revoked"), Some(SessionEnd::Revoked));
        assert_eq!(end(403, "account_disabled"), Some(SessionEnd::Disabled));
        assert_eq!(end(401, "session_expired"), Some(SessionEnd::Expired));
        // An older server: any 401 is an ended session.
        assert_eq!(end(401, "unauthenticated"), Some(SessionEnd::Expired));
        assert_eq!(end(403, "forbidden"), None);
        assert_eq!(end(429, "push_limit"), None);
        assert!(SessionEnd::Revoked.locks_phone() && SessionEnd::Disabled.locks_phone());
        assert!(!SessionEnd::Expired.locks_phone());
    }

    #[test]
    fn usernames_are_normalized_or_refused() {
        assert_eq!(
            normalize_username("  Wang.Li_2 ").as_deref(),
            Ok("wang.li_2")
        );
        for bad in ["", "ab", "王力", "a b c", "x;drop", &"a".repeat(33)] {
            assert_eq!(
                normalize_username(bad),
                Err(AccountError::BadUsername),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn passwords_are_counted_in_characters() {
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        // Eight Chinese characters are 24 bytes but eight characters.
        assert!(check_password("护学岗巡查护学岗").is_ok());
        assert!(check_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }

    #[test]
    fn a_profile_travels_as_json_and_acts_as_its_principal() {
        let profile = Profile {
            user: Uuid::from_u128(7),
            username: "lead1".into(),
            display_name: "李队长".into(),
            role: UserRole::Lead,
            schools: vec!["sch-1".to_string()],
            teams: vec![Uuid::from_u128(9)],
        };
        let json = serde_json::to_string(&profile).unwrap();
        assert!(json.contains("\"role\":\"lead\""), "{json}");
        assert_eq!(serde_json::from_str::<Profile>(&json).unwrap(), profile);
        let p = profile.principal();
        assert_eq!((p.user, p.role), (profile.user, UserRole::Lead));
        assert!(p.scope.teams.contains(&Uuid::from_u128(9)));
    }
}
