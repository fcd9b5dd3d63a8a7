//! The school calendar: on which dates a school's peak windows are due, and with which
//! times. 落实率 counts only the windows that were due (docs/duty-roster.md, §1).
//!
//! Precedence, first that applies: before the school's `counted_from` nothing is due;
//! then an entry for the school, for its district, for the nation; else Monday–Friday
//! are school days. Within one scope a `special` entry beats `off`, which beats `on`.
//!
//! Entries come from the admin's calendar CSV (`read_csv`, all or nothing) and from
//! the national calendars shipped with Gatewatch (`national_csv`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::csv::Column;
use crate::csv_in::{self, parse_date, parse_window_kind, LineError, Problem, Row};
use crate::school::{PeakWindow, School, WindowOnDay};
use crate::sorting;

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
            sorting::sort_by_key(list, |e| (e.from, e.to));
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

/// The national calendars shipped with Gatewatch, in the calendar CSV format: the
/// State Council's holiday notice of each year (2027's provisional until its notice is
/// published: the statutory days only, see the file).
pub fn national_csv(year: i32) -> Option<&'static str> {
    match year {
        2026 => Some(include_str!("../calendars/cn-2026.csv")),
        2027 => Some(include_str!("../calendars/cn-2027.csv")),
        _ => None,
    }
}

const SCOPE: Column = ("范围", "scope");
const FROM: Column = ("开始日期", "from");
const TO: Column = ("结束日期", "to");
const RULE: Column = ("类型", "rule");
const NAME: Column = ("名称", "name");
const WINDOWS: Column = ("时段", "windows");

/// Longest name of a calendar entry (国庆节调休, 期末考试), in characters.
pub const MAX_ENTRY_NAME_CHARS: usize = 40;

/// The entries of a calendar CSV for `year` (docs/duty-roster.md §1), or the first
/// line that is wrong: all or nothing. Schools are named by id or name, districts by
/// a name some school of `schools` has.
pub fn read_csv(
    text: &str,
    year: i32,
    schools: &[School],
) -> Result<Vec<CalendarEntry>, LineError> {
    let (header, rows) = csv_in::read(text, SCOPE)?;
    let columns = Columns {
        scope: header.require(SCOPE)?,
        from: header.require(FROM)?,
        to: header.require(TO)?,
        rule: header.require(RULE)?,
        name: header.find(NAME),
        windows: header.find(WINDOWS),
    };
    let known = Known::of(schools);
    let entries = rows
        .iter()
        .map(|row| Ok((row.line, columns.entry(row, year, &known)?)))
        .collect::<Result<Vec<(usize, CalendarEntry)>, LineError>>()?;
    refuse_overlaps(&entries)?;
    Ok(entries.into_iter().map(|(_, e)| e).collect())
}

/// Where the calendar CSV's columns are.
struct Columns {
    scope: (usize, Column),
    from: (usize, Column),
    to: (usize, Column),
    rule: (usize, Column),
    name: Option<usize>,
    windows: Option<usize>,
}

/// The schools and districts a calendar file may name.
struct Known<'a> {
    schools: &'a [School],
    districts: BTreeSet<&'a str>,
}

impl<'a> Known<'a> {
    fn of(schools: &'a [School]) -> Known<'a> {
        let districts = schools
            .iter()
            .map(|s| s.district.as_str())
            .filter(|d| !d.is_empty())
            .collect();
        Known { schools, districts }
    }
}

impl Columns {
    fn entry(&self, row: &Row, year: i32, known: &Known) -> Result<CalendarEntry, LineError> {
        let scope = read_scope(row.required(self.scope)?, known).map_err(|p| row.error(p))?;
        let date = |at| {
            let text = row.required(at)?;
            let date = parse_date(text).ok_or_else(|| row.error(Problem::BadDate(text.into())))?;
            if date.year() != year {
                return Err(row.error(Problem::OutsideYear { date, year }));
            }
            Ok(date)
        };
        let (from, to) = (date(self.from)?, date(self.to)?);
        if to < from {
            return Err(row.error(Problem::ToBeforeFrom));
        }
        let rule = read_rule(row.required(self.rule)?).map_err(|p| row.error(p))?;
        let windows = match (rule, row.get(self.windows)) {
            (DayRule::Special, "") => return Err(row.error(Problem::SpecialWithoutWindows)),
            (DayRule::Special, text) => read_windows(text).map_err(|p| row.error(p))?,
            (_, "") => Vec::new(),
            (_, _) => return Err(row.error(Problem::WindowsOnOtherRule)),
        };
        let name = row.get(self.name);
        if !csv_in::fits(name, MAX_ENTRY_NAME_CHARS) {
            return Err(row.error(Problem::BadText(NAME)));
        }
        Ok(CalendarEntry {
            scope,
            from,
            to,
            rule,
            windows,
            name: name.to_string(),
        })
    }
}

/// 全国 / 区:名称 / 学校:编号或名称, or national / district:X / school:X.
fn read_scope(text: &str, known: &Known) -> Result<EntryScope, Problem> {
    if text == "全国" || text.eq_ignore_ascii_case("national") {
        return Ok(EntryScope::National);
    }
    let bad = || Problem::BadScope(text.into());
    let (kind, name) = text.split_once([':', '：']).ok_or_else(bad)?;
    let name = name.trim();
    match kind.trim().to_ascii_lowercase().as_str() {
        "区" | "district" if known.districts.contains(name) => {
            Ok(EntryScope::District(name.into()))
        }
        "区" | "district" if !name.is_empty() => Err(Problem::UnknownDistrict(name.into())),
        "学校" | "school" if !name.is_empty() => {
            Ok(EntryScope::School(school_id(name, known.schools)?))
        }
        _ => Err(bad()),
    }
}

/// The id of the school `text` names, by id or else by a name only one school has.
pub(crate) fn school_id(text: &str, schools: &[School]) -> Result<String, Problem> {
    if let Some(s) = schools.iter().find(|s| s.id == text) {
        return Ok(s.id.clone());
    }
    let mut named = schools.iter().filter(|s| s.name == text);
    match (named.next(), named.next()) {
        (Some(s), None) => Ok(s.id.clone()),
        (Some(_), Some(_)) => Err(Problem::AmbiguousSchool(text.into())),
        (None, _) => Err(Problem::UnknownSchool(text.into())),
    }
}

fn read_rule(text: &str) -> Result<DayRule, Problem> {
    match text.to_ascii_lowercase().as_str() {
        "放假" | "停课" | "off" => Ok(DayRule::Off),
        "上班" | "上课" | "on" => Ok(DayRule::On),
        "特殊" | "special" => Ok(DayRule::Special),
        _ => Err(Problem::BadRule(text.into())),
    }
}

/// `早 07:00-07:40;晚 16:30-17:10` (or `；`, `7:00～7:40`, English kinds): each kind
/// once, closing after opening, in the order they open.
fn read_windows(text: &str) -> Result<Vec<PeakWindow>, Problem> {
    let bad = || Problem::BadWindow(text.into());
    let mut windows: Vec<PeakWindow> = Vec::new();
    for part in text
        .split([';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let digits = part.find(|c: char| c.is_ascii_digit()).ok_or_else(bad)?;
        let kind = parse_window_kind(part[..digits].trim()).ok_or_else(bad)?;
        let times = part[digits..].replace('：', ":");
        let (opens, closes) = times
            .split_once(['-', '–', '—', '~', '～'])
            .ok_or_else(bad)?;
        let (opens, closes) = (
            clock(opens).ok_or_else(bad)?,
            clock(closes).ok_or_else(bad)?,
        );
        if closes <= opens || windows.iter().any(|w| w.kind == kind) {
            return Err(bad());
        }
        windows.push(PeakWindow {
            kind,
            opens,
            closes,
        });
    }
    sorting::sort_by_key(&mut windows, |w| w.opens);
    Ok(windows)
}

/// `7:00` or `07:00`.
fn clock(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.trim().split_once(':')?;
    let all_digits = |s: &str, len| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(h, 1) || all_digits(h, 2)) || !all_digits(m, 2) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// Refuses two entries of one scope and rule that share a date (the precedence rule
/// could not tell which name or windows apply), naming the later line of the pair.
fn refuse_overlaps(entries: &[(usize, CalendarEntry)]) -> Result<(), LineError> {
    let mut groups: BTreeMap<(&EntryScope, u8), Vec<&(usize, CalendarEntry)>> = BTreeMap::new();
    for item in entries {
        groups
            .entry((&item.1.scope, item.1.rule.rank()))
            .or_default()
            .push(item);
    }
    for group in groups.values_mut() {
        sorting::sort_by_key(group, |(_, e)| (e.from, e.to));
        for pair in group.windows(2) {
            let ((a_line, a), (b_line, b)) = (pair[0], pair[1]);
            if b.from <= a.to {
                let (line, other_line) = (*a_line.max(b_line), *a_line.min(b_line));
                return Err(LineError::new(line, Problem::Overlap { other_line }));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::school::{demo_schools, WindowKind};

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

    const HEADER: &str = "范围,开始日期,结束日期,类型,名称,时段\n";

    fn read(body: &str) -> Result<Vec<CalendarEntry>, LineError> {
        let schools = vec![
            school(),
            School {
                id: "s02".into(),
                name: "第一中学".into(),
                district: "老城区".into(),
                ..school()
            },
        ];
        read_csv(&format!("{HEADER}{body}"), 2026, &schools)
    }

    #[test]
    fn the_docs_example_reads_in_chinese_and_in_english() {
        let zh = read(
            "全国,2026-10-01,2026-10-07,放假,国庆节,\n\
             全国,2026/10/10,2026/10/10,上班,国庆节调休,\n\
             区:高新区,2026-07-11,2026-08-31,停课,暑假,\n\
             学校:第一中学,2026-06-07,2026-06-08,特殊,高考,\"晚 16:30-17:10;早 7:00～7:40\"\n",
        )
        .unwrap();
        let en = read_csv(
            "scope,from,to,rule,name,windows\n\
             national,2026-10-01,2026-10-07,off,国庆节,\n\
             national,2026-10-10,2026-10-10,on,国庆节调休,\n\
             district:高新区,2026-07-11,2026-08-31,off,暑假,\n\
             school:s02,2026-06-07,2026-06-08,special,高考,morning 07:00-07:40;afternoon 16:30-17:10\n",
            2026,
            &[school(), School { id: "s02".into(), name: "第一中学".into(), ..school() }],
        )
        .unwrap();
        assert_eq!(zh, en);
        assert_eq!(zh[1].from, d("2026-10-10"));
        assert_eq!(zh[2].scope, EntryScope::District("高新区".into()));
        assert_eq!(zh[3].scope, EntryScope::School("s02".into()));
        let kinds: Vec<WindowKind> = zh[3].windows.iter().map(|w| w.kind).collect();
        assert_eq!(kinds, [WindowKind::Morning, WindowKind::Afternoon]);
        assert_eq!(
            zh[3].windows[0].opens,
            NaiveTime::from_hms_opt(7, 0, 0).unwrap()
        );
    }

    /// (body after the header, the line refused, the problem)
    #[test]
    fn bad_calendar_files_are_refused_naming_the_line() {
        use Problem::*;
        let ok = "全国,2026-10-01,2026-10-07,放假,国庆节,\n";
        let cases: Vec<(&str, String, usize, Problem)> = vec![
            (
                "a date of another year",
                format!("{ok}全国,2027-01-01,2027-01-01,放假,元旦,\n"),
                3,
                OutsideYear {
                    date: d("2027-01-01"),
                    year: 2026,
                },
            ),
            (
                "an end in the next year",
                format!("{ok}全国,2026-12-31,2027-01-01,放假,元旦,\n"),
                3,
                OutsideYear {
                    date: d("2027-01-01"),
                    year: 2026,
                },
            ),
            (
                "not a date",
                format!("{ok}全国,10月1日,2026-10-07,放假,国庆节,\n"),
                3,
                BadDate("10月1日".into()),
            ),
            (
                "an unknown school",
                format!("{ok}学校:s99,2026-06-07,2026-06-07,放假,,\n"),
                3,
                UnknownSchool("s99".into()),
            ),
            (
                "an unknown district",
                format!("{ok}区:西城区,2026-06-07,2026-06-07,放假,,\n"),
                3,
                UnknownDistrict("西城区".into()),
            ),
            (
                "a city scope",
                format!("{ok}市:南京,2026-06-07,2026-06-07,放假,,\n"),
                3,
                BadScope("市:南京".into()),
            ),
            (
                "to before from",
                format!("{ok}全国,2026-06-08,2026-06-07,放假,,\n"),
                3,
                ToBeforeFrom,
            ),
            (
                "special without windows",
                format!("{ok}学校:s01,2026-06-07,2026-06-07,特殊,高考,\n"),
                3,
                SpecialWithoutWindows,
            ),
            (
                "windows on a holiday",
                format!("{ok}学校:s01,2026-06-07,2026-06-07,放假,高考,早 07:00-07:40\n"),
                3,
                WindowsOnOtherRule,
            ),
            (
                "a window closing before it opens",
                format!("{ok}学校:s01,2026-06-07,2026-06-07,特殊,高考,早 08:00-07:40\n"),
                3,
                BadWindow("早 08:00-07:40".into()),
            ),
            (
                "a window twice",
                format!(
                    "{ok}学校:s01,2026-06-07,2026-06-07,特殊,高考,早 07:00-07:40;早 08:00-08:40\n"
                ),
                3,
                BadWindow("早 07:00-07:40;早 08:00-08:40".into()),
            ),
            (
                "an unknown window",
                format!("{ok}学校:s01,2026-06-07,2026-06-07,特殊,高考,夜 19:00-19:40\n"),
                3,
                BadWindow("夜 19:00-19:40".into()),
            ),
            (
                "an unknown rule",
                format!("{ok}全国,2026-06-07,2026-06-07,休息,,\n"),
                3,
                BadRule("休息".into()),
            ),
            (
                "an empty rule",
                format!("{ok}全国,2026-06-07,2026-06-07,,,\n"),
                3,
                Empty(RULE),
            ),
            (
                "overlapping holidays",
                format!("{ok}全国,2026-10-07,2026-10-08,放假,重复,\n"),
                3,
                Overlap { other_line: 2 },
            ),
            (
                "a long name",
                format!("{ok}全国,2026-06-07,2026-06-07,放假,{},\n", "名".repeat(41)),
                3,
                BadText(NAME),
            ),
        ];
        for (why, body, line, problem) in cases {
            assert_eq!(read(&body), Err(LineError::new(line, problem)), "{why}");
        }
        // Different rules, or scopes, may share dates: precedence decides.
        let layered = format!(
            "{ok}全国,2026-10-03,2026-10-03,上班,,\n区:高新区,2026-10-01,2026-10-02,放假,,\n"
        );
        assert_eq!(read(&layered).map(|e| e.len()), Ok(3));
        assert_eq!(
            read_csv("范围,开始日期,类型\n全国,2026-10-01,放假\n", 2026, &[]),
            Err(LineError::new(1, Problem::MissingColumn(TO)))
        );
    }

    #[test]
    fn the_shipped_national_calendars_read_and_say_what_the_notices_say() {
        let schools = [school()];
        let y2026 = Calendar::new(read_csv(national_csv(2026).unwrap(), 2026, &schools).unwrap());
        let y2027 = Calendar::new(read_csv(national_csv(2027).unwrap(), 2027, &schools).unwrap());
        assert_eq!(national_csv(2028), None);
        let s = School {
            counted_from: None,
            district: String::new(),
            ..school()
        };
        let due = |cal: &Calendar, date| cal.due_windows(&s, d(date)).len();
        // 2026: the State Council's notice (make-up Saturdays and Sundays included).
        for date in [
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        ] {
            assert_eq!(due(&y2026, date), 3, "{date} is a make-up working day");
        }
        for date in [
            "2026-01-02",
            "2026-02-16",
            "2026-02-23",
            "2026-04-06",
            "2026-05-05",
            "2026-06-19",
            "2026-09-25",
            "2026-10-07",
        ] {
            assert_eq!(due(&y2026, date), 0, "{date} is a holiday");
        }
        assert_eq!(due(&y2026, "2026-10-09"), 3);
        // 2027: the law's statutory days (春节 from 除夕 on 2027-02-05), no make-up days.
        for date in [
            "2027-01-01",
            "2027-02-05",
            "2027-02-08",
            "2027-02-10",
            "2027-04-05",
            "2027-05-03",
            "2027-06-09",
            "2027-09-15",
            "2027-10-05",
        ] {
            assert_eq!(due(&y2027, date), 0, "{date} is a holiday");
        }
        for date in ["2027-02-04", "2027-02-11", "2027-05-05", "2027-10-06"] {
            assert_eq!(due(&y2027, date), 3, "{date} is a school day");
        }
        assert!(national_csv(2027).unwrap().contains("PROVISIONAL"));
        assert!(y2027.entries().all(|e| e.name.contains("暂定")));
    }
}
