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

/// Whether `phone` is empty or up to 20 characters of digits, spaces, `+` and `-`: what
/// a stored record may hold. What a lead may type now is stricter (`phone_entry`: a
/// mobile number), but records saved before that rule must still load, sync and be
/// edited, on phones and on the server alike, so the record rule stays this loose.
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

    /// Whether this member was expected at a session on `day`: on the roster and a
    /// member by then. Whoever was expected and is not among the session's
    /// participants was absent (`DutySession::absentees`).
    pub fn expected_on(&self, day: NaiveDate) -> bool {
        self.on_roster() && self.joined <= day
    }
}

/// Why a typed phone number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Not a mainland Chinese mobile number: 11 digits starting 13-19.
    #[error("a phone number is a mainland mobile number: 11 digits starting 13-19")]
    NotMobile,
}

/// The 11 digits of a mainland Chinese mobile number as people type it: spaces and
/// dashes anywhere, an optional `+86` or `0086` in front (`+86 138-1234-1234`).
/// `None` for anything else, so a 7-digit number can never pass for one.
pub fn mobile_digits(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let national = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    let b = national.as_bytes();
    let mobile = b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1]);
    mobile.then(|| national.to_string())
}

/// The phone number to store for what the lead typed in the member form: empty, or a
/// mobile number normalized to its 11 digits. `held` is the number stored so far: kept
/// as it is when not retyped, so a number saved before numbers were checked (and
/// still loaded as it was) does not block an edit of the member's role or status.
pub fn phone_entry(typed: &str, held: &str) -> Result<String, PhoneError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(String::new());
    }
    if typed == held.trim() && mobile_digits(held).is_none() {
        return Ok(held.to_string());
    }
    mobile_digits(typed).ok_or(PhoneError::NotMobile)
}

/// Whether a stored number is one that checks would refuse today (saved before they
/// existed): lists flag it for the lead to correct instead of masking it into
/// something that looks like a real number.
pub fn phone_needs_fix(phone: &str) -> bool {
    !phone.trim().is_empty() && mobile_digits(phone).is_none()
}

/// A phone number as lists and sheets show it: `138****1234`. Only a mobile number is
/// masked that way; anything else is starred whole (one `*` per character), so a short
/// number never reads as a real one (`1381234` was shown as `138****1234`).
pub fn mask_phone(phone: &str) -> String {
    match mobile_digits(phone) {
        Some(d) => format!("{}****{}", &d[..3], &d[7..]),
        None => "*".repeat(phone.chars().filter(|c| !c.is_whitespace()).count()),
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
        assert_eq!(mask_phone("+86 138-1234-1234"), "138****1234");
        // Not a mobile number: starred whole, never shaped like one.
        assert_eq!(mask_phone("1381234"), "*******");
        assert_eq!(mask_phone("12345"), "*****");
        assert_eq!(mask_phone("010 1234"), "*******");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn mobile_numbers_table() {
        let cases: [(&str, Option<&str>); 16] = [
            ("13812341234", Some("13812341234")),
            ("19912341234", Some("19912341234")),
            ("138 1234 1234", Some("13812341234")),
            ("138-1234-1234", Some("13812341234")),
            ("+86 138 1234 1234", Some("13812341234")),
            ("+8613812341234", Some("13812341234")),
            ("0086-138-1234-1234", Some("13812341234")),
            ("1381234", None),
            ("1381234123", None),
            ("138123412345", None),
            ("12812341234", None),
            ("23812341234", None),
            ("+1 138 1234 1234 0", None),
            ("138１2341234", None),
            ("86 13812341234", None),
            ("", None),
        ];
        for (typed, want) in cases {
            assert_eq!(mobile_digits(typed).as_deref(), want, "{typed:?}");
        }
    }

    #[test]
    fn phone_entry_table() {
        // (typed, held, result)
        let cases = [
            ("", "", Ok("")),
            ("  ", "13812341234", Ok("")),
            ("+86 138-1234-1234", "", Ok("13812341234")),
            ("1381234", "", Err(PhoneError::NotMobile)),
            ("abc", "", Err(PhoneError::NotMobile)),
            // An old number kept as it was, so the member's other fields can change.
            ("1381234", "1381234", Ok("1381234")),
            // Retyped, it must be a mobile number.
            ("1381235", "1381234", Err(PhoneError::NotMobile)),
            ("13812341234", "13812341234", Ok("13812341234")),
        ];
        for (typed, held, want) in cases {
            let got = phone_entry(typed, held);
            assert_eq!(got.as_deref().map_err(|e| *e), want, "{typed:?} {held:?}");
        }
        assert!(phone_needs_fix("1381234"));
        assert!(!phone_needs_fix("13812341234"));
        assert!(!phone_needs_fix(""));
    }

    #[test]
    fn older_numbers_still_load_and_validate() {
        // Stored before numbers were checked: the record still loads and syncs.
        let old: Volunteer = serde_json::from_value(serde_json::json!({
            "team": Uuid::from_u128(7),
            "name": "王芳",
            "phone": "1381234",
            "role": "member",
            "joined": "2026-09-01",
            "status": "active",
            "device_time": "2026-11-25T07:00:00+08:00",
        }))
        .unwrap();
        assert_eq!(old.validate(), Ok(()));
        assert!(phone_needs_fix(&old.phone));
    }

    #[test]
    fn expected_members_table() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let mut v = volunteer("王芳", "");
        assert!(v.expected_on(day));
        v.joined = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert!(!v.expected_on(day), "joined after the session");
        v.joined = day;
        v.status = MemberStatus::Paused;
        assert!(!v.expected_on(day));
    }

    proptest::proptest! {
        #[test]
        fn masking_keeps_only_what_a_mobile_number_shows(phone in "[0-9 +-]{0,20}") {
            let masked = mask_phone(&phone);
            match mobile_digits(&phone) {
                Some(d) => proptest::prop_assert_eq!(masked, format!("{}****{}", &d[..3], &d[7..])),
                None => proptest::prop_assert!(masked.chars().all(|c| c == '*')),
            }
        }

        #[test]
        fn every_normalized_number_is_accepted_again_unchanged(n in 3u64..=9, rest in 0u64..1_000_000_000) {
            let typed = format!("+86 1{n}{rest:09}");
            let stored = phone_entry(&typed, "").unwrap();
            proptest::prop_assert_eq!(stored.len(), 11);
            proptest::prop_assert_eq!(phone_entry(&stored, &stored), Ok(stored.clone()));
        }
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
