//! CSV sheets for the office, produced by the same code on the phone (offline) and on
//! the server: check-ins, incidents, coverage and volunteer hours.
//!
//! UTF-8 with a byte order mark (Excel reads a BOM-less CSV as the system code page,
//! GBK in China, and garbles the Chinese), CRLF line ends and RFC 4180 quoting. Text
//! people typed is guarded against formula injection. Written by hand rather than with
//! the `csv` crate: the writer is twenty lines, and on the phone every kilobyte of wasm
//! counts against the first-load budget (BENCHMARKS.md).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::coverage::{Cell, Rate, Seen, Status, Why};
use crate::post::Post;
use crate::record::{
    CheckInEvent, FollowUp, IncidentCategory, Position, Presence, Record, RecordBody, Severity,
};
use crate::report::{hours_text, DutyReport, Hours};
use crate::roster::{AssignmentVerdict, OfficerTally, Person};
use crate::school::{School, WindowKind};
use crate::sorting;
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
/// reads a date-time: `2026-11-02 07:31:05`. Written by hand: chrono's `format` would
/// bring its format-string machinery into the phone's wasm.
pub fn local_time(at: DateTime<Utc>, zone: FixedOffset) -> String {
    let t = at.with_timezone(&zone);
    format!(
        "{} {:02}:{:02}:{:02}",
        t.date_naive(),
        t.hour(),
        t.minute(),
        t.second()
    )
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

/// A monthly sheet's file name: `志愿时长_2026-11.csv`, or with what narrows it
/// (`志愿时长_2026-11_<team>.csv`) — `period` says which month.
pub fn period_file_name(what: SheetKind, period: &str, lang: Lang) -> String {
    format!("{}_{period}.csv", what.name(lang))
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

/// One record of a sheet: when the server received it (if known) and the account
/// that made it (the author the server recorded; `None` before the server named it).
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub record: &'a Record,
    pub received_at: Option<DateTime<Utc>>,
    pub author: Option<&'a Person>,
}

/// The gates records are made at, with their schools' zones: what a sheet needs for
/// its place columns and its one time zone.
#[derive(Debug, Clone)]
pub struct Gates<'a> {
    by_id: BTreeMap<&'a str, (&'a Post, Option<FixedOffset>)>,
}

impl<'a> Gates<'a> {
    pub fn new(posts: &'a [Post], schools: &'a [School]) -> Gates<'a> {
        let zone = |school: &str| schools.iter().find(|s| s.id == school).map(School::offset);
        let by_id = sorting::map_of(
            posts
                .iter()
                .map(|p| (p.id.as_str(), (p, zone(&p.school_id)))),
        );
        Gates { by_id }
    }

    pub fn post(&self, id: &str) -> Option<&'a Post> {
        self.by_id.get(id).map(|(p, _)| *p)
    }

    /// The zone of the school of gate `id`, if both are known.
    pub fn zone_of(&self, id: &str) -> Option<FixedOffset> {
        self.by_id.get(id)?.1
    }

    /// The zone the times of `rows` are written in (`sheet_zone` of their schools').
    pub fn zone(&self, rows: &[Row<'_>]) -> FixedOffset {
        sheet_zone(
            rows.iter()
                .filter_map(|r| self.by_id.get(r.record.body.post_id())?.1),
        )
    }
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
    sorting::sort_by_key(&mut rows, |r| (r.record.body.device_time(), r.record.id));
    rows
}

/// What a check-in or an incident puts between the place and the account columns,
/// and what the columns after them need.
struct Own<'a> {
    cells: Vec<Cow<'a, str>>,
    /// The name typed on the phone: shown when the server has not named the author.
    typed_name: &'a str,
    device_time: DateTime<FixedOffset>,
    position: Option<Position>,
}

/// A sheet of the records of `kind` among `rows`, oldest first, voided ones included
/// with their reason: id and place, the kind's `own` columns, the account that made
/// it, its times in the sheet's one zone, where the phone was, void and edit count.
fn record_sheet<'r>(
    rows: &[Row<'r>],
    gates: &Gates<'_>,
    lang: Lang,
    kind: &str,
    own_columns: &[Column],
    own: impl Fn(&'r RecordBody) -> Option<Own<'r>>,
) -> String {
    let zone = gates.zone(rows);
    let mut out = Sheet::new();
    let mut head: Vec<String> = header(
        lang,
        &[
            ("编号", "id"),
            ("学校", "school"),
            ("校门", "gate"),
            ("岗位编号", "post_id"),
        ],
    )
    .into_iter()
    .chain(header(lang, own_columns))
    .chain(header(
        lang,
        &[("账号", "account"), ("姓名", "officer_name")],
    ))
    .map(String::from)
    .collect();
    head.push(zoned_header(lang, ("时间", "device_time"), zone));
    head.push(zoned_header(lang, ("上传时间", "received_at"), zone));
    head.extend(
        header(
            lang,
            &[
                ("纬度", "latitude"),
                ("经度", "longitude"),
                ("精度（米）", "accuracy_m"),
                ("作废原因", "voided"),
                ("修改次数", "edits"),
            ],
        )
        .into_iter()
        .map(String::from),
    );
    out.row(head);
    for row in in_order(rows, kind) {
        let Some(own) = own(&row.record.body) else {
            continue;
        };
        let post = gates.post(row.record.body.post_id());
        let [lat, lon, acc] = position_cells(own.position);
        let mut cells: Vec<Cow<str>> = vec![
            row.record.id.to_string().into(),
            text(post.map_or("", |p| p.school.as_str())),
            text(post.map_or("", |p| p.gate.as_str())),
            text(row.record.body.post_id()),
        ];
        cells.extend(own.cells);
        cells.extend([
            text(row.author.map_or("", |a| a.username.as_str())),
            text(
                row.author
                    .map_or(own.typed_name, |a| a.display_name.as_str()),
            ),
            local_time(own.device_time.to_utc(), zone).into(),
            row.received_at
                .map_or(Cow::Borrowed(""), |t| local_time(t, zone).into()),
            lat,
            lon,
            acc,
            text(row.record.voided.as_deref().unwrap_or("")),
            row.record.edits.to_string().into(),
        ]);
        out.row(cells);
    }
    out.finish()
}

/// The check-ins among `rows` (see `record_sheet`).
pub fn check_ins(rows: &[Row<'_>], gates: &Gates<'_>, lang: Lang) -> String {
    let columns = [
        ("事件", "event"),
        ("见警察", "officer"),
        ("见警车", "car"),
        ("见警灯", "lights"),
        ("备注", "note"),
    ];
    record_sheet(rows, gates, lang, "checkin", &columns, |body| {
        let RecordBody::CheckIn(c) = body else {
            return None;
        };
        let event = match c.event {
            CheckInEvent::Arrival => lang.pick("到岗", "arrival"),
            CheckInEvent::Departure => lang.pick("离岗", "departure"),
        };
        Some(Own {
            cells: vec![
                event.into(),
                lang.yes_no(c.presence.officer).into(),
                lang.yes_no(c.presence.car).into(),
                lang.yes_no(c.presence.lights).into(),
                text(&c.note),
            ],
            typed_name: &c.officer_name,
            device_time: c.device_time,
            position: c.position,
        })
    })
}

/// The incidents among `rows` (see `record_sheet`).
pub fn incidents(rows: &[Row<'_>], gates: &Gates<'_>, lang: Lang) -> String {
    let columns = [
        ("类别", "category"),
        ("严重程度", "severity"),
        ("处理状态", "status"),
        ("经过", "description"),
        ("涉及人员", "people"),
    ];
    record_sheet(rows, gates, lang, "incident", &columns, |body| {
        let RecordBody::Incident(i) = body else {
            return None;
        };
        Some(Own {
            cells: vec![
                category_label(i.category, lang).into(),
                severity_label(i.severity, lang).into(),
                follow_up_label(i.status, lang).into(),
                text(&i.description),
                text(&i.people),
            ],
            typed_name: &i.officer_name,
            device_time: i.device_time,
            position: i.position,
        })
    })
}

/// An incident's category as sheets name it (the phone's words in Chinese).
pub fn category_label(c: IncidentCategory, lang: Lang) -> &'static str {
    match c {
        IncidentCategory::Bullying => lang.pick("校园欺凌", c.as_str()),
        IncidentCategory::Fraud => lang.pick("诈骗", c.as_str()),
        IncidentCategory::Traffic => lang.pick("交通", c.as_str()),
        IncidentCategory::SuspiciousPerson => lang.pick("可疑人员", c.as_str()),
        IncidentCategory::Other => lang.pick("其他", c.as_str()),
    }
}

pub fn severity_label(s: Severity, lang: Lang) -> &'static str {
    match s {
        Severity::Low => lang.pick("一般", s.as_str()),
        Severity::Medium => lang.pick("较重", s.as_str()),
        Severity::High => lang.pick("严重", s.as_str()),
    }
}

pub fn follow_up_label(f: FollowUp, lang: Lang) -> &'static str {
    match f {
        FollowUp::Open => lang.pick("待处理", f.as_str()),
        FollowUp::HandedOver => lang.pick("已移交", f.as_str()),
        FollowUp::Closed => lang.pick("已办结", f.as_str()),
    }
}

/// Who a verdict names, as a sheet names them: `张伟 (zhang.wei)` for a known account,
/// its id for one the sheet has no name for, 未知账号 for an author not known.
fn who<'p>(
    person: Option<Uuid>,
    people: &impl Fn(Uuid) -> Option<&'p Person>,
    lang: Lang,
) -> String {
    match person {
        Some(id) => people(id).map_or_else(|| id.to_string(), Person::label),
        None => lang.pick("未知账号", "unknown account").to_owned(),
    }
}

/// The flags someone had: `警察·警车·警灯`, `officer·car`, or 无 / none.
pub fn flags_text(p: Presence, lang: Lang) -> String {
    let names = [
        (p.officer, lang.pick("警察", "officer")),
        (p.car, lang.pick("警车", "car")),
        (p.lights, lang.pick("警灯", "lights")),
    ];
    let had: Vec<&str> = names
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect();
    if had.is_empty() {
        lang.pick("无", "none").to_owned()
    } else {
        had.join("·")
    }
}

/// A verdict's status as sheets name it: 已落实 / 迟到 / 部分 / 未到岗 / 未结束, or the
/// wire names in English.
pub fn status_label(status: Status, lang: Lang) -> &'static str {
    match status {
        Status::Covered => lang.pick("已落实", "covered"),
        Status::Late => lang.pick("迟到", "late"),
        Status::Partial => lang.pick("部分", "partial"),
        Status::Missed => lang.pick("未到岗", "missed"),
        Status::Upcoming => lang.pick("未结束", "upcoming"),
    }
}

/// A verdict's reason in a few words: in time; late by how long; left early, a gap,
/// flags missing; a touch-and-go before the on-post time, nobody came.
pub fn why_text(status: Status, why: &Why, due: DateTime<FixedOffset>, lang: Lang) -> String {
    match status {
        Status::Covered => lang
            .pick("按时到岗并坚守至结束", "on post in time until the end")
            .into(),
        Status::Late => {
            let minutes = why
                .first_full
                .map_or(0, |s| (s.at - due).num_minutes().max(0));
            match lang {
                Lang::Zh => format!("迟到 {minutes} 分钟"),
                Lang::En => format!("late by {minutes} min"),
            }
        }
        Status::Partial if why.first_full.is_none() => lang
            .pick(
                "警察、警车、警灯未同时到岗",
                "officer, car and lights never together",
            )
            .into(),
        Status::Partial if why.left.is_some() => {
            lang.pick("提前离岗", "left before the end").into()
        }
        Status::Partial => lang
            .pick("中途无人三见在岗", "a gap in full presence")
            .into(),
        Status::Missed if why.left.is_some() => lang
            .pick("到岗时间前已离岗", "left before the on-post time")
            .into(),
        Status::Missed => lang.pick("无人到岗", "nobody came").into(),
        Status::Upcoming => lang.pick("时段未结束", "not over yet").into(),
    }
}

/// The reason columns of a verdict (who came first and when with which flags, the
/// first full-flag arrival, who left and when, the gap), times in `zone`.
const WHY_COLUMNS: [Column; 10] = [
    ("原因", "reason"),
    ("首到人", "first_by"),
    ("首到时间", "first_at"),
    ("首到所见", "first_flags"),
    ("三见到岗人", "full_by"),
    ("三见到岗时间", "full_at"),
    ("离岗人", "left_by"),
    ("离岗时间", "left_at"),
    ("空档开始", "gap_from"),
    ("空档结束", "gap_to"),
];

/// The headers of `WHY_COLUMNS`, time columns with their zone.
fn why_header(lang: Lang, zone: FixedOffset) -> Vec<String> {
    WHY_COLUMNS
        .iter()
        .map(|c| {
            if c.1.ends_with("_at") || c.1.starts_with("gap_") {
                zoned_header(lang, *c, zone)
            } else {
                lang.pick(c.0, c.1).to_owned()
            }
        })
        .collect()
}

fn why_cells<'p>(
    status: Status,
    why: &Why,
    due: DateTime<FixedOffset>,
    people: &impl Fn(Uuid) -> Option<&'p Person>,
    zone: FixedOffset,
    lang: Lang,
) -> Vec<String> {
    let time = |at: Option<DateTime<FixedOffset>>| {
        at.map_or(String::new(), |t| local_time(t.to_utc(), zone))
    };
    let by = |seen: Option<Seen>| {
        seen.map_or(String::new(), |s| {
            text(&who(s.person, people, lang)).into_owned()
        })
    };
    vec![
        why_text(status, why, due, lang),
        by(why.first),
        time(why.first.map(|s| s.at)),
        why.first
            .map_or(String::new(), |s| flags_text(s.presence, lang)),
        by(why.first_full),
        time(why.first_full.map(|s| s.at)),
        by(why.left),
        time(why.left.map(|s| s.at)),
        time(why.gap.map(|g| g.from)),
        time(why.gap.map(|g| g.to)),
    ]
}

/// The zone of a sheet about these gates (`sheet_zone` of their schools').
fn gates_zone<'g>(gates: &Gates<'_>, post_ids: impl Iterator<Item = &'g str>) -> FixedOffset {
    sheet_zone(post_ids.filter_map(|id| gates.zone_of(id)))
}

/// 落实率 per gate: one row per gate × day × due window with its status and why, then
/// the rate of each window kind and of all windows over `label` (a date range;
/// upcoming windows not counted). Times in the schools' zone, stated in the headers.
pub fn coverage<'p>(
    cells: &[Cell<'_>],
    gates: &Gates<'_>,
    people: impl Fn(Uuid) -> Option<&'p Person>,
    label: &str,
    lang: Lang,
) -> String {
    let zone = gates_zone(gates, cells.iter().map(|c| c.post_id));
    let mut head: Vec<String> = header(lang, &COVERAGE_COLUMNS)
        .into_iter()
        .map(String::from)
        .collect();
    head.extend(why_header(lang, zone));
    let width = head.len();
    let mut out = Sheet::new();
    out.row(head);
    for cell in cells {
        let post = gates.post(cell.post_id);
        let mut row: Vec<String> = vec![
            text(cell.school_id).into_owned(),
            text(post.map_or("", |p| p.school.as_str())).into_owned(),
            cell.date.to_string(),
            window_label(cell.kind, lang).to_owned(),
            status_label(cell.status, lang).to_owned(),
            text(cell.post_id).into_owned(),
            text(post.map_or("", |p| p.gate.as_str())).into_owned(),
        ];
        row.extend(why_cells(
            cell.status,
            &cell.why,
            cell.due,
            &people,
            zone,
            lang,
        ));
        out.row(row);
    }
    let rate_row = |out: &mut Sheet, what: &str, rate: Rate| {
        let mut row = vec![
            String::new(),
            lang.pick("落实率", "rate").to_owned(),
            label.to_owned(),
            what.to_owned(),
            rate_text(rate),
        ];
        row.resize(width, String::new());
        out.row(row);
    };
    for kind in [WindowKind::Morning, WindowKind::Noon, WindowKind::Afternoon] {
        let of_kind: Vec<&Cell> = cells.iter().filter(|c| c.kind == kind).collect();
        if !of_kind.is_empty() {
            rate_row(
                &mut out,
                window_label(kind, lang),
                Rate::of(of_kind.iter().copied()),
            );
        }
    }
    rate_row(&mut out, lang.pick("全部", "all"), Rate::of(cells));
    out.finish()
}

/// The place and slot columns of the coverage sheet (English: the sheet's earlier
/// columns, so readers of it keep working).
const COVERAGE_COLUMNS: [Column; 7] = [
    ("学校编号", "school_id"),
    ("学校", "school"),
    ("日期", "date"),
    ("时段", "window"),
    ("结果", "status"),
    ("岗位编号", "post_id"),
    ("校门", "gate"),
];

/// 排班落实: one row per assignment: the slot, the officer and car, the officer's own
/// verdict and why (不需执勤 / not due when the calendar has no such window that day),
/// the gate's verdict, and who came instead.
pub fn assignments<'p>(
    verdicts: &[AssignmentVerdict<'_>],
    gates: &Gates<'_>,
    people: impl Fn(Uuid) -> Option<&'p Person>,
    lang: Lang,
) -> String {
    let zone = gates_zone(
        gates,
        verdicts.iter().map(|v| v.assignment.post_id.as_str()),
    );
    let mut head: Vec<String> = header(
        lang,
        &[
            ("日期", "date"),
            ("学校", "school"),
            ("校门", "gate"),
            ("岗位编号", "post_id"),
            ("时段", "window"),
            ("民警", "officer"),
            ("车辆", "car"),
            ("本人结果", "status"),
        ],
    )
    .into_iter()
    .map(String::from)
    .collect();
    head.extend(why_header(lang, zone));
    head.extend(
        header(
            lang,
            &[("校门结果", "gate_status"), ("代岗人", "came_instead")],
        )
        .into_iter()
        .map(String::from),
    );
    let mut out = Sheet::new();
    out.row(head);
    for v in verdicts {
        let a = v.assignment;
        let post = gates.post(&a.post_id);
        let mut row: Vec<String> = vec![
            a.date.to_string(),
            text(post.map_or("", |p| p.school.as_str())).into_owned(),
            text(post.map_or("", |p| p.gate.as_str())).into_owned(),
            text(&a.post_id).into_owned(),
            window_label(a.window, lang).to_owned(),
            text(&who(Some(a.officer), &people, lang)).into_owned(),
            text(a.car.as_deref().unwrap_or("")).into_owned(),
        ];
        match &v.due {
            Some(due) => {
                row.push(status_label(due.own.status, lang).to_owned());
                row.extend(why_cells(
                    due.own.status,
                    &due.own.why,
                    due.on_post_by,
                    &people,
                    zone,
                    lang,
                ));
                row.push(status_label(due.gate, lang).to_owned());
                let instead: Vec<String> =
                    due.instead.iter().map(|p| who(*p, &people, lang)).collect();
                row.push(text(&instead.join(lang.pick("、", "; "))).into_owned());
            }
            None => {
                row.push(lang.pick("不需执勤", "not due").to_owned());
                row.resize(row.len() + WHY_COLUMNS.len() + 2, String::new());
            }
        }
        out.row(row);
    }
    out.finish()
}

/// 民警落实: one row per officer: assigned due windows and how many of each verdict,
/// and the rate (upcoming not counted), over `label` (a date range).
pub fn officers<'p>(
    tallies: &[OfficerTally],
    people: impl Fn(Uuid) -> Option<&'p Person>,
    label: &str,
    lang: Lang,
) -> String {
    let mut out = Sheet::new();
    out.row(header(
        lang,
        &[
            ("期间", "period"),
            ("账号", "account"),
            ("姓名", "officer_name"),
            ("应到时段", "assigned"),
            ("已落实", "covered"),
            ("迟到", "late"),
            ("部分", "partial"),
            ("未到岗", "missed"),
            ("未结束", "upcoming"),
            ("落实率", "rate"),
        ],
    ));
    let mut rows: Vec<(Option<&Person>, &OfficerTally)> =
        tallies.iter().map(|t| (people(t.officer), t)).collect();
    sorting::sort_by_key(&mut rows, |(p, t)| {
        (p.map(|p| p.username.as_str()), t.officer)
    });
    for (person, t) in rows {
        let counts = [
            t.assigned, t.covered, t.late, t.partial, t.missed, t.upcoming,
        ];
        let mut row: Vec<String> = vec![
            label.to_owned(),
            text(person.map_or("", |p| p.username.as_str())).into_owned(),
            person.map_or_else(
                || t.officer.to_string(),
                |p| text(&p.display_name).into_owned(),
            ),
        ];
        row.extend(counts.iter().map(u32::to_string));
        row.push(rate_text(t.rate()));
        out.row(row);
    }
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
    lang: Lang,
) -> String {
    let mut out = Sheet::new();
    out.row(header(
        lang,
        &[
            ("月份", "month"),
            ("队伍", "team"),
            ("志愿者编号", "volunteer_id"),
            ("姓名", "name"),
            ("电话", "phone"),
            ("次数", "sessions"),
            ("已批准时长（小时）", "approved_hours"),
            ("待审批时长（小时）", "pending_hours"),
        ],
    ));
    let mut rows: Vec<(Option<Member>, Uuid, Hours)> = report
        .volunteers
        .iter()
        .map(|(id, h)| (member(*id), *id, *h))
        .collect();
    sorting::sort_by_key(&mut rows, |(m, id, _)| (m.map(|m| (m.team, m.name)), *id));
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
            lang.pick("队伍合计", "team total").into(),
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
        assert_eq!(
            period_file_name(SheetKind::Hours, "2026-11", Lang::Zh),
            "志愿时长_2026-11.csv"
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

    fn zhang() -> Person {
        Person {
            user: Uuid::from_u128(7),
            username: "zhang.wei".into(),
            display_name: "张伟".into(),
        }
    }

    /// A sheet of `records` as `csv::Row`s, the first made by 张伟 (as the server
    /// named him), the others not yet named.
    fn sheet_of(records: &[&Record], make: impl Fn(&[Row], &Gates) -> String) -> Vec<String> {
        let received = DateTime::parse_from_rfc3339("2026-11-24T23:30:00Z")
            .unwrap()
            .to_utc();
        let author = zhang();
        let rows: Vec<Row> = records
            .iter()
            .enumerate()
            .map(|(n, record)| Row {
                record,
                received_at: (n == 0).then_some(received),
                author: (n == 0).then_some(&author),
            })
            .collect();
        let (posts, schools) = (crate::post::demo_posts(), crate::school::demo_schools());
        let sheet = make(&rows, &Gates::new(&posts, &schools));
        sheet.lines().map(String::from).collect()
    }

    #[test]
    fn check_ins_speak_chinese_name_the_account_and_keep_one_zone() {
        let mine = sample(1, 1);
        let void = sample(2, 1).voided(mine.version.clone(), "=重复".into());
        // Made on a phone set to UTC-5: written in the school's zone like the rest.
        let mut abroad = sample(4, 1);
        if let RecordBody::CheckIn(c) = &mut abroad.body {
            c.device_time = DateTime::parse_from_rfc3339("2026-11-24T18:12:33-05:00").unwrap();
            c.presence.car = false;
        }
        let incident = sample_incident(3, 1);
        let zh = sheet_of(&[&mine, &incident, &void, &abroad], |r, g| {
            check_ins(r, g, Lang::default())
        });
        assert_eq!(zh.len(), 4, "{zh:?}");
        assert_eq!(
            zh[0],
            "\u{feff}编号,学校,校门,岗位编号,事件,见警察,见警车,见警灯,备注,账号,姓名,时间 (UTC+08:00),上传时间 (UTC+08:00),纬度,经度,精度（米）,作废原因,修改次数"
        );
        assert_eq!(
            zh[1],
            format!("{},实验小学,南门,s01-g1,到岗,是,是,是,,zhang.wei,张伟,2026-11-25 07:12:33,2026-11-25 07:30:00,,,,,0", mine.id)
        );
        // No author from the server yet: the name typed on the phone, no account.
        assert!(
            zh[2].contains(",,张警官,2026-11-25 07:12:33,,"),
            "{}",
            zh[2]
        );
        assert!(zh[2].ends_with(",'=重复,0"), "{}", zh[2]);
        assert!(
            zh[3].contains(",到岗,是,否,是,,,张警官,2026-11-25 07:12:33,"),
            "{}",
            zh[3]
        );
        let en = sheet_of(&[&mine], |r, g| check_ins(r, g, Lang::En));
        assert_eq!(
            en[0],
            "\u{feff}id,school,gate,post_id,event,officer,car,lights,note,account,officer_name,device_time (UTC+08:00),received_at (UTC+08:00),latitude,longitude,accuracy_m,voided,edits"
        );
        assert!(
            en[1].contains(",arrival,true,true,true,,zhang.wei,张伟,2026-11-25 07:12:33,"),
            "{}",
            en[1]
        );
    }

    #[test]
    fn incidents_have_their_own_sheet_in_either_language() {
        let incident = sample_incident(3, 1);
        let rows = [&incident, &sample(1, 1)];
        let zh = sheet_of(&rows, |r, g| incidents(r, g, Lang::Zh));
        assert_eq!(zh.len(), 2, "{zh:?}");
        assert!(zh[0].starts_with("\u{feff}编号,学校,校门,岗位编号,类别,严重程度,处理状态,经过,涉及人员,账号,姓名,时间 (UTC+08:00)"), "{}", zh[0]);
        assert!(zh[1].contains(",诈骗,较重,待处理,冒充老师收取资料费,两名成年男子,zhang.wei,张伟,2026-11-25 07:40:00,"), "{}", zh[1]);
        let en = sheet_of(&rows, |r, g| incidents(r, g, Lang::En));
        assert!(en[0].starts_with("\u{feff}id,school,gate,post_id,category,severity,status,description,people,account,officer_name,device_time (UTC+08:00)"), "{}", en[0]);
        assert!(
            en[1].contains(",fraud,medium,open,冒充老师收取资料费,两名成年男子,zhang.wei,"),
            "{}",
            en[1]
        );
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
        let zh = duty_hours(
            &report,
            "2026-11",
            member,
            |_| Some("实验小学护学队"),
            Lang::Zh,
        );
        assert!(
            zh.starts_with("\u{feff}月份,队伍,志愿者编号,姓名,电话,次数,"),
            "{zh}"
        );
        assert!(zh.contains(",队伍合计,,1,0.00,2.50"), "{zh}");
        let sheet = duty_hours(
            &report,
            "2026-11",
            member,
            |_| Some("实验小学护学队"),
            Lang::En,
        );
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

    /// s01-g1 on 2026-11-25 (a Wednesday) and 11-28 (a Saturday): 张伟 assigned to the
    /// morning, came on time and left early; 李娜 assigned to noon, nobody came but an
    /// account the sheet cannot name.
    mod verdict_sheets {
        use super::*;
        use crate::calendar::Calendar;
        use crate::coverage::{coverage, Check, Visits};
        use crate::post::demo_posts;
        use crate::roster::{assignment_verdicts, officer_report, Assignment};
        use crate::school::demo_schools;

        const ZHANG: Uuid = Uuid::from_u128(1);
        const LI: Uuid = Uuid::from_u128(2);
        const STRANGER: Uuid = Uuid::from_u128(9);

        fn people() -> Vec<Person> {
            [(ZHANG, "zhang.wei", "张伟"), (LI, "li.na", "=李娜")]
                .map(|(user, username, name)| Person {
                    user,
                    username: username.into(),
                    display_name: name.into(),
                })
                .to_vec()
        }

        fn check(who: Uuid, event: CheckInEvent, time: &str, flags: u8) -> Check {
            Check {
                post_id: "s01-g1".into(),
                person: Some(who),
                event,
                at: DateTime::parse_from_rfc3339(&format!("2026-11-25T{time}:00+08:00")).unwrap(),
                presence: Presence::from_bits(flags),
            }
        }

        fn lines(sheet: &str) -> Vec<Vec<String>> {
            sheet
                .trim_start_matches(BOM)
                .lines()
                .map(|l| l.split(',').map(String::from).collect())
                .collect()
        }

        #[test]
        fn the_three_sheets_in_chinese_name_people_and_say_why() {
            let schools = demo_schools();
            let posts: Vec<Post> = demo_posts()
                .into_iter()
                .filter(|p| p.id == "s01-g1")
                .collect();
            let gates = Gates::new(&posts, &schools);
            let visits = Visits::new(&[
                check(ZHANG, CheckInEvent::Arrival, "07:00", 7),
                check(ZHANG, CheckInEvent::Departure, "07:40", 0),
                check(STRANGER, CheckInEvent::Arrival, "11:30", 3),
            ]);
            let now = DateTime::parse_from_rfc3339("2026-11-30T00:00:00+08:00")
                .unwrap()
                .to_utc();
            let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
            let cal = Calendar::default();
            let cells = coverage(&cal, &schools, &posts, &visits, day(25)..=day(25), now);
            let people = people();
            let named = |id: Uuid| people.iter().find(|p| p.user == id);

            let sheet = lines(&coverage_sheet(&cells, &gates, &named));
            assert_eq!(
                sheet[0][..7],
                [
                    "学校编号",
                    "学校",
                    "日期",
                    "时段",
                    "结果",
                    "岗位编号",
                    "校门"
                ]
            );
            assert_eq!(sheet[0][9], "首到时间 (UTC+08:00)");
            assert_eq!(
                sheet[1],
                [
                    "s01",
                    "实验小学",
                    "2026-11-25",
                    "早",
                    "部分",
                    "s01-g1",
                    "南门",
                    "提前离岗",
                    "张伟 (zhang.wei)",
                    "2026-11-25 07:00:00",
                    "警察·警车·警灯",
                    "张伟 (zhang.wei)",
                    "2026-11-25 07:00:00",
                    "张伟 (zhang.wei)",
                    "2026-11-25 07:40:00",
                    "2026-11-25 07:40:00",
                    "2026-11-25 08:00:00",
                ]
            );
            assert_eq!(
                sheet[2][4..11],
                [
                    "部分",
                    "s01-g1",
                    "南门",
                    "警察、警车、警灯未同时到岗",
                    STRANGER.to_string().as_str(),
                    "2026-11-25 11:30:00",
                    "警察·警车"
                ]
            );
            assert_eq!(sheet[3][4..8], ["未到岗", "s01-g1", "南门", "无人到岗"]);
            assert_eq!(
                sheet.last().unwrap()[1..5],
                ["落实率", "2026-11-25..2026-11-25", "全部", "0.0% (0/3)"]
            );

            let assignments = [
                Assignment {
                    post_id: "s01-g1".into(),
                    date: day(25),
                    window: WindowKind::Morning,
                    officer: ZHANG,
                    car: Some("苏A·12345".into()),
                },
                Assignment {
                    post_id: "s01-g1".into(),
                    date: day(25),
                    window: WindowKind::Noon,
                    officer: LI,
                    car: None,
                },
                Assignment {
                    post_id: "s01-g1".into(),
                    date: day(28),
                    window: WindowKind::Noon,
                    officer: LI,
                    car: None,
                },
            ];
            let verdicts = assignment_verdicts(&cal, &schools, &posts, &visits, &assignments, now);
            let sheet = lines(&assignments_sheet(&verdicts, &gates, &named));
            assert_eq!(
                sheet[0][..8],
                [
                    "日期",
                    "学校",
                    "校门",
                    "岗位编号",
                    "时段",
                    "民警",
                    "车辆",
                    "本人结果"
                ]
            );
            assert_eq!(sheet[0][18..], ["校门结果", "代岗人"]);
            assert_eq!(
                sheet[1][5..9],
                ["张伟 (zhang.wei)", "苏A·12345", "部分", "提前离岗"]
            );
            // 李娜's display name is guarded against formula injection.
            assert_eq!(sheet[2][5..9], ["'=李娜 (li.na)", "", "未到岗", "无人到岗"]);
            assert_eq!(sheet[2][18..], ["部分", STRANGER.to_string().as_str()]);
            assert_eq!(sheet[3][0], "2026-11-28");
            assert_eq!(sheet[3][7], "不需执勤");
            assert_eq!(sheet[3].len(), sheet[0].len());

            let tallies = officer_report(&verdicts, day(1)..=day(30));
            let sheet = lines(&officers(
                &tallies,
                named,
                "2026-11-01..2026-11-30",
                Lang::Zh,
            ));
            assert_eq!(
                sheet[0],
                [
                    "期间",
                    "账号",
                    "姓名",
                    "应到时段",
                    "已落实",
                    "迟到",
                    "部分",
                    "未到岗",
                    "未结束",
                    "落实率"
                ]
            );
            assert_eq!(
                sheet[1],
                [
                    "2026-11-01..2026-11-30",
                    "li.na",
                    "'=李娜",
                    "1",
                    "0",
                    "0",
                    "0",
                    "1",
                    "0",
                    "0.0% (0/1)"
                ]
            );
            assert_eq!(
                sheet[2],
                [
                    "2026-11-01..2026-11-30",
                    "zhang.wei",
                    "张伟",
                    "1",
                    "0",
                    "0",
                    "1",
                    "0",
                    "0",
                    "0.0% (0/1)"
                ]
            );
        }

        fn coverage_sheet<'p>(
            cells: &[Cell<'_>],
            gates: &Gates<'_>,
            named: &impl Fn(Uuid) -> Option<&'p Person>,
        ) -> String {
            crate::csv::coverage(
                cells,
                gates,
                named,
                "2026-11-25..2026-11-25",
                Lang::default(),
            )
        }

        fn assignments_sheet<'p>(
            v: &[AssignmentVerdict<'_>],
            gates: &Gates<'_>,
            named: &impl Fn(Uuid) -> Option<&'p Person>,
        ) -> String {
            assignments(v, gates, named, Lang::Zh)
        }

        #[test]
        fn late_says_by_how_long_in_either_language() {
            let due = DateTime::parse_from_rfc3339("2026-11-25T07:05:00+08:00").unwrap();
            let late = Why {
                first_full: Some(Seen {
                    person: None,
                    at: due + chrono::Duration::minutes(12),
                    presence: Presence::default(),
                }),
                ..Why::default()
            };
            assert_eq!(why_text(Status::Late, &late, due, Lang::Zh), "迟到 12 分钟");
            assert_eq!(
                why_text(Status::Late, &late, due, Lang::En),
                "late by 12 min"
            );
            assert_eq!(status_label(Status::Covered, Lang::Zh), "已落实");
            assert_eq!(
                flags_text(Presence::from_bits(5), Lang::En),
                "officer·lights"
            );
            assert_eq!(flags_text(Presence::from_bits(0), Lang::Zh), "无");
        }
    }
}
