//! Reports for the office as CSV that Excel opens with the Chinese intact: the
//! check-ins of a date range, and the coverage (落实率) of every school's windows over
//! it, computed by `gatewatch_model::coverage` exactly as the phones compute it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, Days, NaiveDate, Utc};
use gatewatch_model::coverage::{arrivals, coverage, Arrival, Rate, Status};
use gatewatch_model::school::{School, WindowKind};
use gatewatch_model::{CheckInEvent, Record, RecordBody};
use serde::Serialize;
use sqlx::SqlitePool;

use crate::catalog;
use crate::error::AppError;

/// Longest report, in days: a year, leap day included.
pub const MAX_RANGE_DAYS: i64 = 366;

/// Excel reads a CSV as the system's code page (GBK in China) unless it starts with
/// the UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The days a report covers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// From the query's `from` and `to` (`YYYY-MM-DD`), both required; 400 `bad_query`
    /// for a missing or bad date, `from` after `to`, or more than `MAX_RANGE_DAYS`.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, AppError> {
        let date = |name: &str, value: Option<&str>| {
            let value = value.ok_or_else(|| {
                AppError::BadQuery(format!("`{name}` is required: a date like 2026-11-25"))
            })?;
            NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
                AppError::BadQuery(format!(
                    "`{name}` must be a date like 2026-11-25, not `{value}`"
                ))
            })
        };
        let range = DateRange {
            from: date("from", from)?,
            to: date("to", to)?,
        };
        if range.from > range.to {
            return Err(AppError::BadQuery(format!(
                "`from` ({}) is after `to` ({})",
                range.from, range.to
            )));
        }
        let days = range.to.signed_duration_since(range.from).num_days() + 1;
        if days > MAX_RANGE_DAYS {
            return Err(AppError::BadQuery(format!(
                "the range covers {days} days; a report covers at most {MAX_RANGE_DAYS}"
            )));
        }
        Ok(range)
    }

    pub fn days(&self) -> RangeInclusive<NaiveDate> {
        self.from..=self.to
    }

    /// For file names and the rate rows: `2026-11-01_2026-11-30`.
    pub fn label(&self) -> String {
        format!("{}_{}", self.from, self.to)
    }
}

/// Every check-in whose device time falls on a day of `range` in its own offset (the
/// day the officer saw on the phone), oldest first.
pub async fn checkins_csv(db: &SqlitePool, range: DateRange) -> Result<Vec<u8>, AppError> {
    let posts: HashMap<String, gatewatch_model::Post> = catalog::posts(db)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut rows = check_ins(db, range.days()).await?;
    rows.sort_by_key(|(record, _)| {
        let RecordBody::CheckIn(c) = &record.body;
        (c.device_time, record.id)
    });
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
    ])?;
    for (record, received_at) in &rows {
        let RecordBody::CheckIn(c) = &record.body;
        let post = posts.get(&c.post_id);
        let event = match c.event {
            CheckInEvent::Arrival => "arrival",
            CheckInEvent::Departure => "departure",
        };
        out.row([
            Cow::from(record.id.to_string()),
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
            received_at.as_str().into(),
            // Microdegrees printed as degrees; empty when the phone had no fix.
            c.position
                .map_or(Cow::from(""), |p| degrees(p.lat_e6).into()),
            c.position
                .map_or(Cow::from(""), |p| degrees(p.lon_e6).into()),
            c.position
                .map_or(Cow::from(""), |p| p.accuracy_m.to_string().into()),
        ])?;
    }
    out.finish()
}

/// Microdegrees as decimal degrees with six places, exactly (no float rounding).
fn degrees(e6: i32) -> String {
    let sign = if e6 < 0 { "-" } else { "" };
    let abs = e6.unsigned_abs();
    format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
}

/// The schools and the arrivals (each keyed by its post's school) that coverage over
/// `range` is computed from.
async fn coverage_inputs(
    db: &SqlitePool,
    range: DateRange,
) -> Result<(Vec<School>, Vec<Arrival>), AppError> {
    let schools = catalog::schools(db).await?;
    let school_of_post: HashMap<String, String> = catalog::posts(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.school_id))
        .collect();
    // Coverage goes by instants; a phone in another offset than the school's may date
    // an arrival up to two days apart (offsets span ±18 h), so read that much more.
    let slack = Days::new(2);
    let first = range.from.checked_sub_days(slack).unwrap_or(range.from);
    let last = range.to.checked_add_days(slack).unwrap_or(range.to);
    let records: Vec<Record> = check_ins(db, first..=last)
        .await?
        .into_iter()
        .map(|(record, _)| record)
        .collect();
    let arrivals = arrivals(&records, |post| school_of_post.get(post).cloned());
    Ok((schools, arrivals))
}

/// Coverage rates over `range`, for a supervisor's screen: overall, per day, per window
/// kind and per school.
#[derive(Debug, Serialize)]
pub struct CoverageSummary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub overall: RateView,
    pub by_day: Vec<Keyed<NaiveDate>>,
    pub by_window: Vec<Keyed<&'static str>>,
    pub by_school: Vec<Keyed<String>>,
}

/// A rate with its percentage spelled out (`null` before any window is decided).
#[derive(Debug, Serialize)]
pub struct RateView {
    pub covered: u32,
    pub decided: u32,
    pub percent: Option<f64>,
}

impl From<Rate> for RateView {
    fn from(r: Rate) -> Self {
        RateView {
            covered: r.covered,
            decided: r.decided,
            percent: r.percent(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Keyed<K> {
    pub key: K,
    #[serde(flatten)]
    pub rate: RateView,
}

pub async fn coverage_summary(
    db: &SqlitePool,
    range: DateRange,
    now: DateTime<Utc>,
) -> Result<CoverageSummary, AppError> {
    let (schools, arrivals) = coverage_inputs(db, range).await?;
    let cells = coverage(&schools, &arrivals, range.days(), now);
    fn keyed<K>(groups: std::collections::BTreeMap<K, Rate>) -> Vec<Keyed<K>> {
        groups
            .into_iter()
            .map(|(key, rate)| Keyed {
                key,
                rate: rate.into(),
            })
            .collect()
    }
    Ok(CoverageSummary {
        from: range.from,
        to: range.to,
        overall: Rate::of(&cells).into(),
        by_day: keyed(Rate::by(&cells, |c| c.date)),
        // Keyed by kind first, so windows come in the order of the day.
        by_window: keyed(Rate::by(&cells, |c| c.kind))
            .into_iter()
            .map(|k| Keyed {
                key: k.key.as_str(),
                rate: k.rate,
            })
            .collect(),
        by_school: keyed(Rate::by(&cells, |c| c.school_id.to_string())),
    })
}

/// One row per school × day × window of `range` with its status, then the rate of
/// each window kind and of all windows (upcoming windows are not counted).
pub async fn coverage_csv(
    db: &SqlitePool,
    range: DateRange,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, AppError> {
    let (schools, arrivals) = coverage_inputs(db, range).await?;
    let cells = coverage(&schools, &arrivals, range.days(), now);
    let names: HashMap<&str, &str> = schools
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();

    let mut out = Sheet::new();
    out.row(["school_id", "school", "date", "window", "status"])?;
    for cell in &cells {
        out.row([
            text(cell.school_id),
            text(names.get(cell.school_id).copied().unwrap_or("")),
            cell.date.to_string().into(),
            window_name(cell.kind).into(),
            status_name(cell.status).into(),
        ])?;
    }
    let label = range.label();
    let kinds = [WindowKind::Morning, WindowKind::Noon, WindowKind::Afternoon];
    for kind in kinds {
        let of_kind: Vec<_> = cells.iter().filter(|c| c.kind == kind).collect();
        if !of_kind.is_empty() {
            let rate = Rate::of(of_kind.iter().copied());
            out.row([
                "",
                "rate",
                label.as_str(),
                window_name(kind),
                rate_text(rate).as_str(),
            ])?;
        }
    }
    out.row([
        "",
        "rate",
        label.as_str(),
        "all",
        rate_text(Rate::of(&cells)).as_str(),
    ])?;
    out.finish()
}

/// The check-ins whose device time's own local date is in `days`, with their
/// `received_at`.
async fn check_ins(
    db: &SqlitePool,
    days: RangeInclusive<NaiveDate>,
) -> Result<Vec<(Record, String)>, AppError> {
    // `device_time` is stored as RFC 3339 with the phone's offset, so its first ten
    // characters are the date in that offset.
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT body, received_at FROM records
         WHERE kind = 'checkin'
           AND substr(json_extract(body, '$.data.device_time'), 1, 10) BETWEEN ? AND ?",
    )
    .bind(days.start().format("%Y-%m-%d").to_string())
    .bind(days.end().format("%Y-%m-%d").to_string())
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(body, received_at)| Ok((serde_json::from_str(&body)?, received_at)))
        .collect()
}

/// A CSV being written: UTF-8 with a byte order mark, CRLF line ends (RFC 4180).
struct Sheet(csv::Writer<Vec<u8>>);

impl Sheet {
    fn new() -> Self {
        Sheet(
            csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(BOM.to_vec()),
        )
    }

    fn row<I, T>(&mut self, cells: I) -> Result<(), AppError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let cells: Vec<T> = cells.into_iter().collect();
        self.0
            .write_record(cells.iter().map(|c| c.as_ref()))
            .map_err(|e| AppError::Internal(Box::new(e)))
    }

    fn finish(self) -> Result<Vec<u8>, AppError> {
        self.0
            .into_inner()
            .map_err(|e| AppError::Internal(Box::new(e.into_error())))
    }
}

/// Text people typed, safe to open in a spreadsheet: a cell starting with `=`, `+`,
/// `-` or `@` would run as a formula there (CSV injection), so it gets a leading `'`,
/// which Excel hides.
fn text(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn flag(on: bool) -> Cow<'static, str> {
    Cow::Borrowed(if on { "true" } else { "false" })
}

/// The wire names of the model's enums (exhaustive, so a new variant must be named).
fn window_name(kind: WindowKind) -> &'static str {
    match kind {
        WindowKind::Morning => "morning",
        WindowKind::Noon => "noon",
        WindowKind::Afternoon => "afternoon",
    }
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Covered => "covered",
        Status::Late => "late",
        Status::Partial => "partial",
        Status::Missed => "missed",
        Status::Upcoming => "upcoming",
    }
}

/// `50.0% (1/2)`: the rate with what it is made of; `n/a (0/0)` before any window is
/// decided.
fn rate_text(rate: Rate) -> String {
    match rate.percent() {
        Some(p) => format!("{p:.1}% ({}/{})", rate.covered, rate.decided),
        None => format!("n/a (0/{})", rate.decided),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(from: &str, to: &str) -> Result<DateRange, String> {
        DateRange::parse(Some(from), Some(to)).map_err(|e| e.to_string())
    }

    #[test]
    fn date_ranges() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            parse("2026-11-25", "2026-11-25"),
            Ok(DateRange {
                from: d("2026-11-25"),
                to: d("2026-11-25")
            })
        );
        // 2024 is a leap year: 366 days is the limit, 367 is over.
        assert!(parse("2024-01-01", "2024-12-31").is_ok());
        assert!(parse("2024-01-01", "2025-01-01")
            .unwrap_err()
            .contains("367"));
        assert!(parse("2026-11-26", "2026-11-25")
            .unwrap_err()
            .contains("after"));
        assert!(parse("2026-11-31", "2026-12-01")
            .unwrap_err()
            .contains("`from`"));
        assert!(parse("2026-11-01", "tomorrow")
            .unwrap_err()
            .contains("`to`"));
        let missing = DateRange::parse(None, Some("2026-11-25")).unwrap_err();
        assert!(missing.to_string().contains("required"), "{missing}");
    }

    #[test]
    fn formula_like_text_is_defused_and_other_text_kept() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("-5度 路滑"), "'-5度 路滑");
        assert_eq!(text("@a"), "'@a");
        assert_eq!(text("正常 = ok"), "正常 = ok");
        assert_eq!(text(""), "");
    }

    #[test]
    fn rate_text_shows_its_parts() {
        let rate = |covered, decided| Rate { covered, decided };
        assert_eq!(rate_text(rate(1, 2)), "50.0% (1/2)");
        assert_eq!(rate_text(rate(2, 3)), "66.7% (2/3)");
        assert_eq!(rate_text(rate(0, 0)), "n/a (0/0)");
    }
}
