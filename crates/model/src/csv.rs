//! CSV sheets for the office, produced by the same code on the phone (offline) and on
//! the server: check-ins, incidents, coverage and volunteer hours.
//!
//! UTF-8 with a byte order mark (Excel reads a BOM-less CSV as the system code page,
//! GBK in China, and garbles the Chinese), CRLF line ends and RFC 4180 quoting. Text
//! people typed is guarded against formula injection. Written by hand rather than with
//! the `csv` crate: the writer is twenty lines, and on the phone every kilobyte of wasm
//! counts against the first-load budget (BENCHMARKS.md).

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::coverage::{Cell, Rate};
use crate::post::Post;
use crate::record::{CheckInEvent, Position, Record, RecordBody};
use crate::report::{hours_text, DutyReport, Hours};
use crate::school::WindowKind;
use crate::team::mask_phone;

/// The UTF-8 byte order mark, as the first character of every sheet.
pub const BOM: char = '\u{feff}';

/// The language of a sheet's headers and values: Chinese unless asked otherwise (the
/// people who open the sheets read Chinese; `?lang=en` serves the others).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// A `lang` value that is neither `zh` nor `en`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a sheet language (zh, en)")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Lang, UnknownLang> {
        match s {
            "zh" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            other => Err(UnknownLang(other.into())),
        }
    }
}

impl Lang {
    /// The Chinese or the English of a pair.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// A yes/no value: 是/否 or true/false.
    pub fn yes_no(self, yes: bool) -> &'static str {
        match (self, yes) {
            (Lang::Zh, true) => "是",
            (Lang::Zh, false) => "否",
            (Lang::En, true) => "true",
            (Lang::En, false) => "false",
        }
    }
}

/// A window as sheets name it: 早 / 午 / 晚, or the wire name in English.
pub fn window_label(kind: WindowKind, lang: Lang) -> &'static str {
    match kind {
        WindowKind::Morning => lang.pick("早", "morning"),
        WindowKind::Noon => lang.pick("午", "noon"),
        WindowKind::Afternoon => lang.pick("晚", "afternoon"),
    }
}

/// A column's header in Chinese and in English, e.g. `("学校", "school")`.
pub type Column = (&'static str, &'static str);

/// The header row of `columns` in `lang`.
pub fn header(lang: Lang, columns: &[Column]) -> Vec<&'static str> {
    columns.iter().map(|(zh, en)| lang.pick(zh, en)).collect()
}

/// A zone as sheets name it: `UTC+08:00`, `UTC-03:30`, `UTC+00:00`.
pub fn zone_label(zone: FixedOffset) -> String {
    let secs = zone.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let minutes = secs.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A time column's header stating its zone: `时间 (UTC+08:00)`, `time (UTC+08:00)`.
pub fn zoned_header(lang: Lang, (zh, en): Column, zone: FixedOffset) -> String {
    format!("{} ({})", lang.pick(zh, en), zone_label(zone))
}

/// An instant in `zone` without its offset (the header states it), as a spreadsheet
/// reads a date-time: `2026-11-02 07:31:05`.
pub fn local_time(at: DateTime<Utc>, zone: FixedOffset) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The one zone of a sheet's time columns: the schools' common offset, or UTC when
/// they differ (a column never mixes offsets). No school at all: UTC+8, the default.
pub fn sheet_zone(mut offsets: impl Iterator<Item = FixedOffset>) -> FixedOffset {
    let Some(first) = offsets.next() else {
        return crate::school::CHINA;
    };
    if offsets.all(|o| o == first) {
        first
    } else {
        FixedOffset::east_opt(0).unwrap_or(first)
    }
}

/// Which sheet a file holds, for its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SheetKind {
    CheckIns,
    Incidents,
    Coverage,
    Assignments,
    Officers,
    Roster,
    Hours,
}

impl SheetKind {
    fn name(self, lang: Lang) -> &'static str {
        match self {
            SheetKind::CheckIns => lang.pick("签到记录", "checkins"),
            SheetKind::Incidents => lang.pick("警情记录", "incidents"),
            SheetKind::Coverage => lang.pick("落实率", "coverage"),
            SheetKind::Assignments => lang.pick("排班落实", "assignments"),
            SheetKind::Officers => lang.pick("民警落实", "officers"),
            SheetKind::Roster => lang.pick("值班表", "roster"),
            SheetKind::Hours => lang.pick("志愿时长", "hours"),
        }
    }
}

/// A sheet's file name with its dates: `签到记录_2026-11-01_2026-11-30.csv`.
pub fn file_name(what: SheetKind, from: NaiveDate, to: NaiveDate, lang: Lang) -> String {
    format!("{}_{from}_{to}.csv", what.name(lang))
}

/// A sheet being written.
#[derive(Debug)]
pub struct Sheet(String);

impl Default for Sheet {
    fn default() -> Self {
        Sheet::new()
    }
}

impl Sheet {
    pub fn new() -> Sheet {
        Sheet(String::from(BOM))
    }

    /// Appends one row; cells with a comma, quote or line break are quoted.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        for (n, cell) in cells.into_iter().enumerate() {
            if n > 0 {
                self.0.push(',');
            }
            let cell = cell.as_ref();
            if cell.contains([',', '"', '\r', '\n']) {
                self.0.push('"');
                self.0.push_str(&cell.replace('"', "\"\""));
                self.0.push('"');
            } else {
                self.0.push_str(cell);
            }
        }
        self.0.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.0
    }
}

/// Text people typed, safe to open in a spreadsheet: a cell starting with `=`, `+`,
/// `-` or `@` would run as a formula there (CSV injection), so it gets a leading `'`,
/// which Excel hides.
pub fn text(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn flag(on: bool) -> Cow<'static, str> {
    Cow::Borrowed(if on { "true" } else { "false" })
}

/// Microdegrees as decimal degrees with six places, exactly (no float rounding).
pub fn degrees(e6: i32) -> String {
    let sign = if e6 < 0 { "-" } else { "" };
    let abs = e6.unsigned_abs();
    format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
}

/// A rate as "50.0% (1/2)", or "n/a (0/0)" with nothing decided. Integer arithmetic,
/// rounded half up, so phone and server print the same digits.
pub fn rate_text(rate: Rate) -> String {
    match rate.tenths_of_percent() {
        Some(t) => format!("{}.{}% ({}/{})", t / 10, t % 10, rate.covered, rate.decided),
        None => format!("n/a (0/{})", rate.decided),
    }
}

/// One record of a sheet, with when the server received it (if known).
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub record: &'a Record,
    pub received_at: Option<DateTime<Utc>>,
}

fn received(at: Option<DateTime<Utc>>) -> Cow<'static, str> {
    at.map_or(Cow::Borrowed(""), |t| {
        t.to_rfc3339_opts(SecondsFormat::Millis, true).into()
    })
}

fn position_cells(p: Option<Position>) -> [Cow<'static, str>; 3] {
    match p {
        Some(p) => [
            degrees(p.lat_e6).into(),
            degrees(p.lon_e6).into(),
            p.accuracy_m.to_string().into(),
        ],
        None => [Cow::Borrowed(""), Cow::Borrowed(""), Cow::Borrowed("")],
    }
}

/// Rows of the given kind in time order (then by id, so equal times sort stably).
fn in_order<'a>(rows: &[Row<'a>], kind: &str) -> Vec<Row<'a>> {
    let mut rows: Vec<Row<'a>> = rows
        .iter()
        .filter(|r| r.record.body.kind() == kind)
        .copied()
        .collect();
    rows.sort_by_key(|r| (r.record.body.device_time(), r.record.id));
    rows
}

/// The check-ins among `rows`. Voided ones are included, marked with their reason.
pub fn check_ins<'p>(rows: &[Row<'_>], post: impl Fn(&str) -> Option<&'p Post>) -> String {
    let mut out = Sheet::new();
    out.row([
        "id",
        "school",
        "gate",
        "post_id",
        "event",
        "officer",
        "car",
        "lights",
        "officer_name",
        "note",
        "device_time",
        "received_at",
        "latitude",
        "longitude",
        "accuracy_m",
        "voided",
        "edits",
    ]);
    for row in in_order(rows, "checkin") {
        let RecordBody::CheckIn(c) = &row.record.body else {
            continue;
        };
        let post = post(&c.post_id);
        let event = match c.event {
            CheckInEvent::Arrival => "arrival",
            CheckInEvent::Departure => "departure",
        };
        let [lat, lon, acc] = position_cells(c.position);
        out.row([
            Cow::from(row.record.id.to_string()),
            text(post.map_or("", |p| p.school.as_str())),
            text(post.map_or("", |p| p.gate.as_str())),
            text(&c.post_id),
            event.into(),
            flag(c.presence.officer),
            flag(c.presence.car),
            flag(c.presence.lights),
            text(&c.officer_name),
            text(&c.note),
            c.device_time.to_rfc3339().into(),
            received(row.received_at),
            lat,
            lon,
            acc,
            text(row.record.voided.as_deref().unwrap_or("")),
            row.record.edits.to_string().into(),
        ]);
    }
    out.finish()
}

/// The incidents among `rows`. Voided ones are included, marked with their reason.
pub fn incidents<'p>(rows: &[Row<'_>], post: impl Fn(&str) -> Option<&'p Post>) -> String {
    let mut out = Sheet::new();
    out.row([
        "id",
        "school",
        "gate",
        "post_id",
        "category",
        "severity",
        "status",
        "description",
        "people",
        "officer_name",
        "device_time",
        "received_at",
        "latitude",
        "longitude",
        "accuracy_m",
        "voided",
        "edits",
    ]);
    for row in in_order(rows, "incident") {
        let RecordBody::Incident(i) = &row.record.body else {
            continue;
        };
        let post = post(&i.post_id);
        let [lat, lon, acc] = position_cells(i.position);
        out.row([
            Cow::from(row.record.id.to_string()),
            text(post.map_or("", |p| p.school.as_str())),
            text(post.map_or("", |p| p.gate.as_str())),
            text(&i.post_id),
            i.category.as_str().into(),
            i.severity.as_str().into(),
            i.status.as_str().into(),
            text(&i.description),
            text(&i.people),
            text(&i.officer_name),
            i.device_time.to_rfc3339().into(),
            received(row.received_at),
            lat,
            lon,
            acc,
            text(row.record.voided.as_deref().unwrap_or("")),
            row.record.edits.to_string().into(),
        ]);
    }
    out.finish()
}

/// One row per school × day × window with its status, then the rate of each window
/// kind and of all windows over `label` (a date range; upcoming windows not counted).
pub fn coverage<'s>(
    cells: &[Cell<'_>],
    school_name: impl Fn(&str) -> Option<&'s str>,
    label: &str,
) -> String {
    let mut out = Sheet::new();
    out.row(["school_id", "school", "date", "window", "status"]);
    for cell in cells {
        out.row([
            text(cell.school_id),
            text(school_name(cell.school_id).unwrap_or("")),
            cell.date.to_string().into(),
            Cow::from(cell.kind.as_str()),
            Cow::from(cell.status.as_str()),
        ]);
    }
    for kind in [WindowKind::Morning, WindowKind::Noon, WindowKind::Afternoon] {
        let of_kind: Vec<&Cell> = cells.iter().filter(|c| c.kind == kind).collect();
        if !of_kind.is_empty() {
            let rate = Rate::of(of_kind.iter().copied());
            out.row(["", "rate", label, kind.as_str(), &rate_text(rate)]);
        }
    }
    out.row(["", "rate", label, "all", &rate_text(Rate::of(cells))]);
    out.finish()
}

/// Who a volunteer of a duty report is, as a sheet names them.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub team: &'a str,
    pub name: &'a str,
    /// Shown masked: the sheet leaves the phone, the number need not.
    pub phone: &'a str,
}

/// Hours per volunteer of `report` (one month, `label`), ordered by team then name,
/// then one total row per team. Volunteers the reader has no roster entry for are
/// listed by id.
pub fn duty_hours<'m>(
    report: &DutyReport,
    label: &str,
    member: impl Fn(Uuid) -> Option<Member<'m>>,
    team_name: impl Fn(Uuid) -> Option<&'m str>,
) -> String {
    let mut out = Sheet::new();
    out.row([
        "month",
        "team",
        "volunteer_id",
        "name",
        "phone",
        "sessions",
        "approved_hours",
        "pending_hours",
    ]);
    let mut rows: Vec<(Option<Member>, Uuid, Hours)> = report
        .volunteers
        .iter()
        .map(|(id, h)| (member(*id), *id, *h))
        .collect();
    rows.sort_by_key(|(m, id, _)| (m.map(|m| (m.team, m.name)), *id));
    for (m, id, h) in rows {
        out.row([
            Cow::from(label),
            text(m.map_or("", |m| m.team)),
            id.to_string().into(),
            text(m.map_or("", |m| m.name)),
            mask_phone(m.map_or("", |m| m.phone)).into(),
            h.sessions.to_string().into(),
            hours_text(h.approved).into(),
            hours_text(h.pending).into(),
        ]);
    }
    for (team, h) in &report.teams {
        out.row([
            Cow::from(label),
            text(team_name(*team).unwrap_or("")),
            team.to_string().into(),
            "team total".into(),
            "".into(),
            h.sessions.to_string().into(),
            hours_text(h.approved).into(),
            hours_text(h.pending).into(),
        ]);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::{sample, sample_incident};

    #[test]
    fn lang_parses_zh_and_en_only_and_defaults_to_chinese() {
        assert_eq!(Lang::default(), Lang::Zh);
        assert_eq!("zh".parse(), Ok(Lang::Zh));
        assert_eq!("en".parse(), Ok(Lang::En));
        assert!("EN".parse::<Lang>().is_err() && "".parse::<Lang>().is_err());
        assert_eq!(header(Lang::Zh, &[("学校", "school")]), ["学校"]);
        assert_eq!(header(Lang::En, &[("学校", "school")]), ["school"]);
    }

    #[test]
    fn file_names_carry_their_dates_and_times_their_zone() {
        let (from, to) = (
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        );
        assert_eq!(
            file_name(SheetKind::CheckIns, from, to, Lang::Zh),
            "签到记录_2026-11-01_2026-11-30.csv"
        );
        assert_eq!(
            file_name(SheetKind::CheckIns, from, to, Lang::En),
            "checkins_2026-11-01_2026-11-30.csv"
        );
        let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
        let west = FixedOffset::west_opt(3 * 3600 + 30 * 60).unwrap();
        assert_eq!(
            zoned_header(Lang::Zh, ("时间", "time"), east8),
            "时间 (UTC+08:00)"
        );
        assert_eq!(zone_label(west), "UTC-03:30");
        let at = DateTime::parse_from_rfc3339("2026-11-01T23:31:05Z").unwrap();
        assert_eq!(local_time(at.to_utc(), east8), "2026-11-02 07:31:05");
        assert_eq!(sheet_zone([east8, east8].into_iter()), east8);
        assert_eq!(sheet_zone([east8, west].into_iter()).local_minus_utc(), 0);
    }

    #[test]
    fn quoting_follows_rfc_4180_and_starts_with_a_bom() {
        let mut s = Sheet::new();
        s.row(["a", "b,c", "say \"hi\"", "two\nlines", "张三"]);
        assert_eq!(
            s.finish(),
            "\u{feff}a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",张三\r\n"
        );
    }

    #[test]
    fn typed_text_cannot_become_a_formula() {
        assert_eq!(text("=1+1"), "'=1+1");
        assert_eq!(text("-2"), "'-2");
        assert_eq!(text("南门"), "南门");
    }

    #[test]
    fn degrees_are_exact() {
        assert_eq!(degrees(31_230_416), "31.230416");
        assert_eq!(degrees(-5), "-0.000005");
        assert_eq!(degrees(0), "0.000000");
    }

    #[test]
    fn rates_print_with_one_decimal_rounded_half_up() {
        let r = |covered, decided| rate_text(Rate { covered, decided });
        assert_eq!(r(1, 2), "50.0% (1/2)");
        assert_eq!(r(2, 3), "66.7% (2/3)");
        assert_eq!(r(1, 3), "33.3% (1/3)");
        assert_eq!(r(0, 0), "n/a (0/0)");
        assert_eq!(r(1, 8), "12.5% (1/8)");
    }

    #[test]
    fn sheets_split_kinds_and_mark_voids() {
        let check_in = sample(1, 1);
        let void = sample(2, 1).voided(check_in.version.clone(), "=重复".into());
        let incident = sample_incident(3, 1);
        let rows: Vec<Row> = [&incident, &void, &check_in]
            .into_iter()
            .map(|record| Row {
                record,
                received_at: None,
            })
            .collect();
        let posts = crate::post::demo_posts();
        let find = |id: &str| posts.iter().find(|p| p.id == id);
        let sheet = check_ins(&rows, find);
        let lines: Vec<&str> = sheet.lines().collect();
        assert_eq!(lines.len(), 3, "{sheet}");
        assert!(lines[0].starts_with("\u{feff}id,school,gate"));
        assert!(lines[1].contains("实验小学,南门,s01-g1,arrival,true,true,true,张警官"));
        assert!(lines[2].ends_with(",'=重复,0"), "{}", lines[2]);
        let sheet = incidents(&rows, find);
        let lines: Vec<&str> = sheet.lines().collect();
        assert_eq!(lines.len(), 2, "{sheet}");
        assert!(lines[1].contains(",fraud,medium,open,冒充老师收取资料费,两名成年男子,"));
    }

    #[test]
    fn duty_hours_sheet_masks_phones_and_totals_teams() {
        use crate::duty::tests::{part, session, t};
        use crate::duty::DEFAULT_OPEN_LIMIT;
        let s = session(
            "07:00",
            Some("08:30"),
            vec![part(1, "07:00", None), part(2, "07:30", None)],
        );
        let report = crate::report::report([&s], t("23:00"), DEFAULT_OPEN_LIMIT);
        let member = |id: Uuid| {
            (id == Uuid::from_u128(1)).then_some(Member {
                team: "实验小学护学队",
                name: "=王芳",
                phone: "13812341234",
            })
        };
        let sheet = duty_hours(&report, "2026-11", member, |_| Some("实验小学护学队"));
        let lines: Vec<&str> = sheet.lines().collect();
        assert_eq!(lines.len(), 4, "{sheet}");
        // The volunteer without a roster entry sorts first and is named by id only.
        assert!(lines[1].starts_with("2026-11,,00000000-0000-0000-0000-000000000002,,,1,0.00,1.00"));
        assert!(
            lines[2].ends_with(",'=王芳,138****1234,1,0.00,1.50"),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].ends_with(",team total,,1,0.00,2.50"),
            "{}",
            lines[3]
        );
    }
}
