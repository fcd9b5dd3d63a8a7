//! Schools and their peak-hour windows: when an officer, a car and lights must be at the
//! gate (drop-off and pick-up), and how early "on post" has to be.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::record::plain_text;
use crate::sorting;

/// Minutes before a window opens by which the officer must be on post, by default.
pub const DEFAULT_LEAD_MINUTES: u32 = 15;
/// Mainland China time: UTC+8, no daylight saving.
pub const DEFAULT_UTC_OFFSET_MINUTES: i32 = 8 * 60;

/// Which peak of the school day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// Morning arrival (早高峰).
    Morning,
    /// Noon dismissal and return (午间).
    Noon,
    /// Afternoon dismissal (晚高峰).
    Afternoon,
}

impl WindowKind {
    /// The wire name (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            WindowKind::Morning => "morning",
            WindowKind::Noon => "noon",
            WindowKind::Afternoon => "afternoon",
        }
    }

    /// The window a wire name names.
    pub fn parse(text: &str) -> Option<WindowKind> {
        [WindowKind::Morning, WindowKind::Noon, WindowKind::Afternoon]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// One peak window in the school's local time, e.g. 07:20–08:00.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeakWindow {
    pub kind: WindowKind,
    #[serde(deserialize_with = "crate::timefmt::time")]
    pub opens: NaiveTime,
    #[serde(deserialize_with = "crate::timefmt::time")]
    pub closes: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: String,
    pub name: String,
    pub windows: Vec<PeakWindow>,
    /// Minutes before a window opens by which the officer must be on post.
    #[serde(default = "default_lead")]
    pub lead_minutes: u32,
    /// The school's UTC offset in minutes (fixed: China has no DST).
    #[serde(default = "default_offset")]
    pub utc_offset_minutes: i32,
    /// The district (区) whose calendar entries apply to the school unless its own do;
    /// empty: national entries only.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub district: String,
    /// The first day the school's windows count for 落实率 (a school imported today is
    /// not missed on every earlier day); `None`: counted on every day.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::timefmt::opt_date"
    )]
    pub counted_from: Option<NaiveDate>,
}

/// Longest lead time accepted: two hours.
pub const MAX_LEAD_MINUTES: u32 = 120;

pub(crate) const CHINA: FixedOffset = match FixedOffset::east_opt(DEFAULT_UTC_OFFSET_MINUTES * 60) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchoolError {
    #[error("school id must be 1-64 characters, none of them control characters")]
    BadId,
    #[error("school name is empty")]
    NoName,
    #[error("school name has control characters")]
    BadName,
    #[error("UTC offset must be within ±18 hours")]
    BadOffset,
    #[error("lead time is longer than {MAX_LEAD_MINUTES} minutes")]
    LeadTooLong,
    #[error("the {0:?} window closes before it opens")]
    EmptyWindow(WindowKind),
    #[error(
        "district must be at most {MAX_DISTRICT_CHARS} characters, none of them control characters"
    )]
    BadDistrict,
}

/// Longest district name, in characters (高新技术产业开发区 is 9).
pub const MAX_DISTRICT_CHARS: usize = 40;

fn default_lead() -> u32 {
    DEFAULT_LEAD_MINUTES
}

fn default_offset() -> i32 {
    DEFAULT_UTC_OFFSET_MINUTES
}

/// The usual three windows of a primary school day.
/// The date at `schools` at `now`: in the first one's zone (a user's schools share
/// one), China's when there are none. The day a roster's "today" and "coming days" are
/// counted from, whatever zone the phone itself is set to.
pub fn schools_today(schools: &[School], now: DateTime<Utc>) -> NaiveDate {
    let zone = schools.first().map_or(CHINA, School::offset);
    now.with_timezone(&zone).date_naive()
}

pub fn default_windows() -> Vec<PeakWindow> {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
    vec![
        PeakWindow {
            kind: WindowKind::Morning,
            opens: t(7, 20),
            closes: t(8, 0),
        },
        PeakWindow {
            kind: WindowKind::Noon,
            opens: t(11, 40),
            closes: t(12, 20),
        },
        PeakWindow {
            kind: WindowKind::Afternoon,
            opens: t(16, 30),
            closes: t(17, 20),
        },
    ]
}

/// The demo schools behind `demo_posts`, with the usual three windows.
pub fn demo_schools() -> Vec<School> {
    [
        ("s01", "实验小学"),
        ("s02", "第一中学"),
        ("s03", "育才小学"),
        ("s04", "阳光幼儿园"),
    ]
    .into_iter()
    .map(|(id, name)| School {
        id: id.into(),
        name: name.into(),
        windows: default_windows(),
        lead_minutes: DEFAULT_LEAD_MINUTES,
        utc_offset_minutes: DEFAULT_UTC_OFFSET_MINUTES,
        district: String::new(),
        counted_from: None,
    })
    .collect()
}

/// One window of one school on one day, as instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowOnDay {
    pub date: NaiveDate,
    pub kind: WindowKind,
    /// On post by this instant to count as covered (opens − lead).
    pub due: DateTime<FixedOffset>,
    pub opens: DateTime<FixedOffset>,
    pub closes: DateTime<FixedOffset>,
}

impl School {
    /// The school's offset; an out-of-range value (refused by `validate`) falls back to
    /// China time rather than failing a report.
    pub fn offset(&self) -> FixedOffset {
        self.utc_offset_minutes
            .checked_mul(60)
            .and_then(FixedOffset::east_opt)
            .unwrap_or(CHINA)
    }

    pub fn validate(&self) -> Result<(), SchoolError> {
        if self.id.is_empty() || self.id.len() > 64 || !plain_text(&self.id) {
            return Err(SchoolError::BadId);
        }
        if self.name.trim().is_empty() {
            return Err(SchoolError::NoName);
        }
        if !plain_text(&self.name) {
            return Err(SchoolError::BadName);
        }
        if !(-18 * 60..=18 * 60).contains(&self.utc_offset_minutes) {
            return Err(SchoolError::BadOffset);
        }
        if self.lead_minutes > MAX_LEAD_MINUTES {
            return Err(SchoolError::LeadTooLong);
        }
        if let Some(w) = self.windows.iter().find(|w| w.closes <= w.opens) {
            return Err(SchoolError::EmptyWindow(w.kind));
        }
        if self.district.chars().count() > MAX_DISTRICT_CHARS || !plain_text(&self.district) {
            return Err(SchoolError::BadDistrict);
        }
        Ok(())
    }

    /// This school's usual windows on `date` (its local calendar day), in window order,
    /// whether or not the calendar has them due (`Calendar::due_windows` decides that).
    pub fn windows_on(&self, date: NaiveDate) -> Vec<WindowOnDay> {
        self.windows_on_with(&self.windows, date)
    }

    /// `windows` (this school's, or a special day's) on `date` as instants in the
    /// school's offset, with its lead time.
    pub fn windows_on_with(&self, windows: &[PeakWindow], date: NaiveDate) -> Vec<WindowOnDay> {
        let offset = self.offset();
        let mut out: Vec<WindowOnDay> = windows
            .iter()
            .filter_map(|w| {
                // A fixed offset has no gaps or folds, so every local time maps to one instant.
                let opens = offset
                    .from_local_datetime(&date.and_time(w.opens))
                    .single()?;
                let closes = offset
                    .from_local_datetime(&date.and_time(w.closes))
                    .single()?;
                Some(WindowOnDay {
                    date,
                    kind: w.kind,
                    due: opens - Duration::minutes(i64::from(self.lead_minutes)),
                    opens,
                    closes,
                })
            })
            .collect();
        sorting::sort_by_key(&mut out, |w| (w.opens, w.kind));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post::demo_posts;

    #[test]
    fn the_schools_day_is_theirs_whatever_the_phones_zone() {
        // 22:50 UTC is 06:50 the next morning in China.
        let now = DateTime::parse_from_rfc3339("2026-12-02T22:50:00Z")
            .unwrap()
            .to_utc();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(schools_today(&demo_schools(), now), day("2026-12-03"));
        assert_eq!(schools_today(&[], now), day("2026-12-03"));
        let mut west = demo_schools();
        west[0].utc_offset_minutes = -5 * 60;
        assert_eq!(schools_today(&west, now), day("2026-12-02"));
    }

    #[test]
    fn demo_data_is_valid_and_every_post_has_its_school() {
        let schools = demo_schools();
        assert!(schools.iter().all(|s| s.validate().is_ok()));
        for post in demo_posts() {
            assert!(
                schools.iter().any(|s| s.id == post.school_id),
                "{}",
                post.id
            );
        }
    }

    #[test]
    fn school_validation_table() {
        let ok = demo_schools().remove(0);
        let cases: Vec<(School, Option<SchoolError>)> = vec![
            (ok.clone(), None),
            (
                School {
                    id: String::new(),
                    ..ok.clone()
                },
                Some(SchoolError::BadId),
            ),
            (
                School {
                    name: " ".into(),
                    ..ok.clone()
                },
                Some(SchoolError::NoName),
            ),
            (
                School {
                    name: "实验\0小学".into(),
                    ..ok.clone()
                },
                Some(SchoolError::BadName),
            ),
            (
                School {
                    id: "s\u{1b}1".into(),
                    ..ok.clone()
                },
                Some(SchoolError::BadId),
            ),
            (
                School {
                    utc_offset_minutes: 19 * 60,
                    ..ok.clone()
                },
                Some(SchoolError::BadOffset),
            ),
            (
                School {
                    lead_minutes: 121,
                    ..ok.clone()
                },
                Some(SchoolError::LeadTooLong),
            ),
            (
                School {
                    windows: vec![PeakWindow {
                        kind: WindowKind::Noon,
                        opens: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
                        closes: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
                    }],
                    ..ok.clone()
                },
                Some(SchoolError::EmptyWindow(WindowKind::Noon)),
            ),
        ];
        for (school, want) in cases {
            assert_eq!(school.validate().err(), want, "{school:?}");
        }
    }

    #[test]
    fn windows_on_a_day_are_instants_in_the_schools_offset() {
        let s = demo_schools().remove(0);
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let w = s.windows_on(day);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].opens.to_rfc3339(), "2026-11-25T07:20:00+08:00");
        assert_eq!(w[0].due.to_rfc3339(), "2026-11-25T07:05:00+08:00");
        assert_eq!(w[2].closes.to_rfc3339(), "2026-11-25T17:20:00+08:00");
    }
}
