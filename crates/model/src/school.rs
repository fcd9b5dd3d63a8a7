//! Schools and their peak-hour windows: when an officer, a car and lights must be at the
//! gate (drop-off and pick-up), and how early "on post" has to be.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use serde::{Deserialize, Serialize};

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

/// One peak window in the school's local time, e.g. 07:20–08:00.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeakWindow {
    pub kind: WindowKind,
    pub opens: NaiveTime,
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
}

/// Longest lead time accepted: two hours.
pub const MAX_LEAD_MINUTES: u32 = 120;

const CHINA: FixedOffset = match FixedOffset::east_opt(DEFAULT_UTC_OFFSET_MINUTES * 60) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchoolError {
    #[error("school id must be 1-64 characters")]
    BadId,
    #[error("school name is empty")]
    NoName,
    #[error("UTC offset must be within ±18 hours")]
    BadOffset,
    #[error("lead time is longer than {MAX_LEAD_MINUTES} minutes")]
    LeadTooLong,
    #[error("the {0:?} window closes before it opens")]
    EmptyWindow(WindowKind),
}

fn default_lead() -> u32 {
    DEFAULT_LEAD_MINUTES
}

fn default_offset() -> i32 {
    DEFAULT_UTC_OFFSET_MINUTES
}

/// The usual three windows of a primary school day.
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

/// One window of one school on one day, as instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowOnDay {
    pub school_id: String,
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
        if self.id.is_empty() || self.id.len() > 64 {
            return Err(SchoolError::BadId);
        }
        if self.name.trim().is_empty() {
            return Err(SchoolError::NoName);
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
        Ok(())
    }

    /// This school's windows on `date` (its local calendar day), in window order.
    pub fn windows_on(&self, date: NaiveDate) -> Vec<WindowOnDay> {
        let offset = self.offset();
        let mut out: Vec<WindowOnDay> = self
            .windows
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
                    school_id: self.id.clone(),
                    date,
                    kind: w.kind,
                    due: opens - Duration::minutes(i64::from(self.lead_minutes)),
                    opens,
                    closes,
                })
            })
            .collect();
        out.sort_by_key(|w| (w.opens, w.kind));
        out
    }
}
