//! Campus volunteer-police teams and their rosters.
//!
//! A team belongs to a school; its members are `Volunteer` records pointing at it. Both
//! are ordinary records (versioned, synced, voided rather than deleted), so a lead edits
//! the roster offline like an officer records a check-in.
//!
//! Personal data is kept to what the work needs: a name, a phone number to call the
//! volunteer, their role and standing. Lists show the phone masked (`mask_phone`).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::record::{valid_post_id, within, ValidationError, MAX_NAME_CHARS};

/// Longest phone number, in characters (digits, spaces, `+`, `-`).
pub const MAX_PHONE_CHARS: usize = 20;

/// A campus volunteer-police team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// The school the team serves (a school id of the catalog).
    pub school_id: String,
    pub name: String,
    #[serde(deserialize_with = "crate::timefmt::fixed")]
    pub device_time: DateTime<FixedOffset>,
}

/// A member's part in the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Lead,
    Deputy,
    Member,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Lead, Role::Deputy, Role::Member];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Lead => "lead",
            Role::Deputy => "deputy",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Whether a member is on the roster sessions start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// On every new session's roster.
    Active,
    /// Not on new sessions' rosters, but can stand in as a substitute.
    Paused,
    /// Has left the team; kept for the hours already served.
    Left,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 3] = [
        MemberStatus::Active,
        MemberStatus::Paused,
        MemberStatus::Left,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Active => "active",
            MemberStatus::Paused => "paused",
            MemberStatus::Left => "left",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A member of a team's roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volunteer {
    /// The team record's id.
    pub team: Uuid,
    pub name: String,
    #[serde(default)]
    pub phone: String,
    pub role: Role,
    #[serde(deserialize_with = "crate::timefmt::date")]
    pub joined: NaiveDate,
    pub status: MemberStatus,
    #[serde(deserialize_with = "crate::timefmt::fixed")]
    pub device_time: DateTime<FixedOffset>,
}

/// Whether `name` is a name a person or team can have here: 1-40 characters, not blank.
fn valid_name(name: &str) -> bool {
    !name.trim().is_empty() && within(name, MAX_NAME_CHARS)
}

/// Whether `phone` is empty or up to 20 characters of digits, spaces, `+` and `-`.
pub fn valid_phone(phone: &str) -> bool {
    within(phone, MAX_PHONE_CHARS)
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-'))
}

impl Team {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !valid_post_id(&self.school_id) {
            return Err(ValidationError::BadSchoolId);
        }
        if !valid_name(&self.name) {
            return Err(ValidationError::BadName);
        }
        Ok(())
    }
}

impl Volunteer {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.team.is_nil() {
            return Err(ValidationError::NilId);
        }
        if !valid_name(&self.name) {
            return Err(ValidationError::BadName);
        }
        if !valid_phone(&self.phone) {
            return Err(ValidationError::BadPhone);
        }
        Ok(())
    }

    /// Whether a new session starts with this member on it.
    pub fn on_roster(&self) -> bool {
        self.status == MemberStatus::Active
    }
}

/// A phone number as lists show it: `138****1234`. Anything too short to mask keeps
/// only its last character visible.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() >= 7 {
        let (head, tail) = (&digits[..3], &digits[digits.len() - 4..]);
        format!(
            "{}****{}",
            head.iter().collect::<String>(),
            tail.iter().collect::<String>()
        )
    } else {
        let shown = digits.last().map(|c| c.to_string()).unwrap_or_default();
        format!("{}{shown}", "*".repeat(digits.len().saturating_sub(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn volunteer(name: &str, phone: &str) -> Volunteer {
        Volunteer {
            team: Uuid::from_u128(7),
            name: name.into(),
            phone: phone.into(),
            role: Role::Member,
            joined: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            status: MemberStatus::Active,
            device_time: DateTime::parse_from_rfc3339("2026-11-25T07:00:00+08:00").unwrap(),
        }
    }

    #[test]
    fn phones_are_masked_in_lists() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("138 1234 1234"), "138****1234");
        assert_eq!(mask_phone("12345"), "****5");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn volunteer_validation_table() {
        assert_eq!(volunteer("王芳", "13812341234").validate(), Ok(()));
        assert_eq!(volunteer("王芳", "").validate(), Ok(()));
        assert_eq!(volunteer("王芳", "+86 138-1234-1234").validate(), Ok(()));
        assert_eq!(
            volunteer("  ", "1").validate(),
            Err(ValidationError::BadName)
        );
        assert_eq!(
            volunteer(&"名".repeat(41), "1").validate(),
            Err(ValidationError::BadName)
        );
        assert_eq!(
            volunteer("王芳", "138abc").validate(),
            Err(ValidationError::BadPhone)
        );
        assert_eq!(
            volunteer("王芳", &"1".repeat(21)).validate(),
            Err(ValidationError::BadPhone)
        );
        let mut nil_team = volunteer("王芳", "");
        nil_team.team = Uuid::nil();
        assert_eq!(nil_team.validate(), Err(ValidationError::NilId));
    }

    #[test]
    fn only_active_members_start_on_the_roster() {
        let mut v = volunteer("王芳", "");
        assert!(v.on_roster());
        v.status = MemberStatus::Paused;
        assert!(!v.on_roster());
        v.status = MemberStatus::Left;
        assert!(!v.on_roster());
    }

    #[test]
    fn team_validation() {
        let team = Team {
            school_id: "sch-1".into(),
            name: "实验小学护学队".into(),
            device_time: DateTime::parse_from_rfc3339("2026-11-25T07:00:00+08:00").unwrap(),
        };
        assert_eq!(team.validate(), Ok(()));
        let bad_school = Team {
            school_id: "no spaces".into(),
            ..team.clone()
        };
        assert_eq!(bad_school.validate(), Err(ValidationError::BadSchoolId));
        let blank = Team {
            name: " ".into(),
            ..team
        };
        assert_eq!(blank.validate(), Err(ValidationError::BadName));
    }
}
