//! The school calendar: on which dates a school's peak windows are due, and with which
//! times. 落实率 counts only the windows that were due (docs/duty-roster.md, §1).
//!
//! Precedence, first that applies: before the school's `counted_from` nothing is due;
//! then an entry for the school, for its district, for the nation; else Monday–Friday
//! are school days. Within one scope a `special` entry beats `off`, which beats `on`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::school::{PeakWindow, School, WindowOnDay};

/// Whom a calendar entry applies to, from the widest to the narrowest. On the wire and
/// in CSVs: `national`, `district:<name>`, `school:<id>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum EntryScope {
    /// Statutory holidays and make-up working days (国务院办公厅的节假日安排).
    National,
    /// Every school of a district (`School::district`).
    District(String),
    /// One school (by id).
    School(String),
}

impl From<EntryScope> for String {
    fn from(scope: EntryScope) -> String {
        match scope {
            EntryScope::National => "national".into(),
            EntryScope::District(name) => format!("district:{name}"),
            EntryScope::School(id) => format!("school:{id}"),
        }
    }
}

impl TryFrom<String> for EntryScope {
    type Error = String;

    fn try_from(text: String) -> Result<EntryScope, String> {
        match text.split_once(':') {
            None if text == "national" => Ok(EntryScope::National),
            Some(("district", name)) if !name.is_empty() => Ok(EntryScope::District(name.into())),
            Some(("school", id)) if !id.is_empty() => Ok(EntryScope::School(id.into())),
            _ => Err(format!(
                "`{text}` is not a calendar scope (national, district:<name>, school:<id>)"
            )),
        }
    }
}

/// What an entry says of the days it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayRule {
    /// No window is due: a holiday, a vacation, a closure.
    Off,
    /// The school's usual windows are due, whatever the weekday (调休 working day).
    On,
    /// Only the entry's own windows, with their times (an exam day).
    Special,
}

impl DayRule {
    /// Within one scope, the rule that wins when two entries cover one date.
    fn rank(self) -> u8 {
        match self {
            DayRule::On => 0,
            DayRule::Off => 1,
            DayRule::Special => 2,
        }
    }
}

/// One line of the calendar: a rule for a scope over a span of dates, both ends
/// included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub scope: EntryScope,
    #[serde(deserialize_with = "crate::timefmt::date")]
    pub from: NaiveDate,
    #[serde(deserialize_with = "crate::timefmt::date")]
    pub to: NaiveDate,
    pub rule: DayRule,
    /// A `special` day's windows; empty for the other rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<PeakWindow>,
    /// What the day is called: 国庆节, 暑假, 高考.
    #[serde(default)]
    pub name: String,
}

impl CalendarEntry {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// Why a date has the windows it has, for the screens and the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayReason<'a> {
    /// Before the school's first counted day.
    NotYetCounted,
    /// A calendar entry decided (its scope, rule and name are the reason).
    Entry(&'a CalendarEntry),
    /// A plain weekday.
    Weekday,
    /// A plain Saturday or Sunday.
    Weekend,
}

/// Every calendar entry a phone or the server knows, indexed for the question "what
/// applies to this school on this date", which coverage asks for every window of a
/// city-year (so a look-up allocates nothing: scopes are keyed by their name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Entries per scope, each list sorted by `from`.
    national: Vec<CalendarEntry>,
    districts: BTreeMap<String, Vec<CalendarEntry>>,
    schools: BTreeMap<String, Vec<CalendarEntry>>,
}

impl Calendar {
    pub fn new(entries: impl IntoIterator<Item = CalendarEntry>) -> Calendar {
        let mut calendar = Calendar::default();
        for entry in entries {
            let list = match &entry.scope {
                EntryScope::National => &mut calendar.national,
                EntryScope::District(name) => calendar.districts.entry(name.clone()).or_default(),
                EntryScope::School(id) => calendar.schools.entry(id.clone()).or_default(),
            };
            list.push(entry);
        }
        let lists = std::iter::once(&mut calendar.national)
            .chain(calendar.districts.values_mut())
            .chain(calendar.schools.values_mut());
        for list in lists {
            list.sort_by_key(|e| (e.from, e.to));
        }
        calendar
    }

    /// Every entry, scope by scope (national, districts, schools).
    pub fn entries(&self) -> impl Iterator<Item = &CalendarEntry> {
        self.national
            .iter()
            .chain(self.districts.values().flatten())
            .chain(self.schools.values().flatten())
    }

    /// The winning entry of one scope's `list` on `date`, if any covers it.
    fn entry_of(list: &[CalendarEntry], date: NaiveDate) -> Option<&CalendarEntry> {
        // Entries starting after `date` cannot cover it.
        let end = list.partition_point(|e| e.from <= date);
        list[..end]
            .iter()
            .filter(|e| e.covers(date))
            .max_by_key(|e| e.rule.rank())
    }

    /// Why `school` has the windows it has on `date`.
    pub fn reason<'a>(&'a self, school: &School, date: NaiveDate) -> DayReason<'a> {
        if school.counted_from.is_some_and(|first| date < first) {
            return DayReason::NotYetCounted;
        }
        let of = |lists: &'a BTreeMap<String, Vec<CalendarEntry>>, key: &str| {
            lists
                .get(key)
                .and_then(|list| Calendar::entry_of(list, date))
        };
        let found = of(&self.schools, &school.id)
            .or_else(|| of(&self.districts, &school.district))
            .or_else(|| Calendar::entry_of(&self.national, date));
        match found {
            Some(entry) => DayReason::Entry(entry),
            None if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) => DayReason::Weekend,
            None => DayReason::Weekday,
        }
    }

    /// The windows of `school` due on `date`, as instants, in the order they open: the
    /// one answer coverage, the board and the roster use.
    pub fn due_windows(&self, school: &School, date: NaiveDate) -> Vec<WindowOnDay> {
        match self.reason(school, date) {
            DayReason::NotYetCounted | DayReason::Weekend => Vec::new(),
            DayReason::Weekday => school.windows_on(date),
            DayReason::Entry(entry) => match entry.rule {
                DayRule::Off => Vec::new(),
                DayRule::On => school.windows_on(date),
                DayRule::Special => school.windows_on_with(&entry.windows, date),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::school::{demo_schools, WindowKind};
    use chrono::NaiveTime;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn entry(scope: EntryScope, from: &str, to: &str, rule: DayRule) -> CalendarEntry {
        let windows = if rule == DayRule::Special {
            exam_windows()
        } else {
            Vec::new()
        };
        CalendarEntry {
            scope,
            from: d(from),
            to: d(to),
            rule,
            windows,
            name: String::new(),
        }
    }

    fn exam_windows() -> Vec<PeakWindow> {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        vec![PeakWindow {
            kind: WindowKind::Morning,
            opens: t(7, 0),
            closes: t(7, 40),
        }]
    }

    fn school() -> School {
        School {
            district: "高新区".into(),
            counted_from: Some(d("2026-09-01")),
            ..demo_schools().remove(0)
        }
    }

    fn calendar() -> Calendar {
        use DayRule::*;
        use EntryScope::*;
        Calendar::new([
            entry(National, "2026-10-01", "2026-10-07", Off),
            entry(National, "2026-10-10", "2026-10-10", On),
            entry(District("高新区".into()), "2026-11-02", "2026-11-06", Off),
            entry(School("s01".into()), "2026-11-04", "2026-11-04", Special),
            entry(School("s01".into()), "2026-11-16", "2026-11-20", Off),
            entry(School("s01".into()), "2026-11-18", "2026-11-18", On),
            entry(District("老城区".into()), "2026-11-23", "2026-11-27", Off),
        ])
    }

    /// (date, weekday, how many windows are due, why)
    #[test]
    fn which_windows_are_due_table() {
        let cal = calendar();
        let s = school();
        let cases = [
            ("2026-08-31", 0, "a Monday before the school is counted"),
            ("2026-09-01", 3, "the first counted day, a Tuesday"),
            ("2026-09-05", 0, "a Saturday"),
            ("2026-09-06", 0, "a Sunday"),
            ("2026-10-01", 0, "a national holiday"),
            ("2026-10-09", 3, "a Friday after the holiday"),
            ("2026-10-10", 3, "a 调休 Saturday"),
            ("2026-11-02", 0, "the district's closure"),
            (
                "2026-11-04",
                1,
                "an exam day of the school inside the district's closure",
            ),
            ("2026-11-17", 0, "the school's own closure"),
            ("2026-11-18", 0, "off beats on within one scope"),
            ("2026-11-24", 3, "another district's closure"),
        ];
        for (date, due, why) in cases {
            assert_eq!(cal.due_windows(&s, d(date)).len(), due, "{date}: {why}");
        }
    }

    #[test]
    fn a_special_day_has_its_own_times() {
        let w = calendar().due_windows(&school(), d("2026-11-04"));
        assert_eq!(w[0].opens.to_rfc3339(), "2026-11-04T07:00:00+08:00");
        assert_eq!(w[0].due.to_rfc3339(), "2026-11-04T06:45:00+08:00");
    }

    #[test]
    fn the_reason_names_the_entry() {
        let cal = calendar();
        match cal.reason(&school(), d("2026-10-10")) {
            DayReason::Entry(e) => {
                assert_eq!((&e.scope, e.rule), (&EntryScope::National, DayRule::On))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(cal.reason(&school(), d("2026-09-07")), DayReason::Weekday);
    }

    #[test]
    fn a_school_without_a_district_follows_the_nation() {
        let s = School {
            district: String::new(),
            ..school()
        };
        assert_eq!(calendar().due_windows(&s, d("2026-11-02")).len(), 3);
        assert_eq!(calendar().due_windows(&s, d("2026-10-02")).len(), 0);
    }

    #[test]
    fn entries_round_trip_as_json() {
        for e in calendar().entries() {
            let json = serde_json::to_string(e).unwrap();
            assert_eq!(
                &serde_json::from_str::<CalendarEntry>(&json).unwrap(),
                e,
                "{json}"
            );
        }
        let json = serde_json::to_value(calendar().entries().collect::<Vec<_>>()).unwrap();
        let scopes: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["scope"].as_str().unwrap())
            .collect();
        assert_eq!(scopes[0], "national");
        assert!(scopes.contains(&"district:高新区") && scopes.contains(&"school:s01"));
        assert!(EntryScope::try_from("district:".to_string()).is_err());
        assert!(EntryScope::try_from("city:x".to_string()).is_err());
    }
}
