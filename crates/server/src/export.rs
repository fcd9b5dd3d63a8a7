//! Reports for the office as CSV that Excel opens with the Chinese intact: the
//! check-ins and the incidents of a date range, and the coverage (落实率) of every
//! school's windows over it, computed by `gatewatch_model::coverage` exactly as the
//! phones compute it. The sheets themselves are `gatewatch_model::csv`'s, byte for byte
//! the phones' exports; this module only picks the records.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use crate::db::Db;
use chrono::{DateTime, Days, NaiveDate, Utc};
use gatewatch_model::coverage::{arrivals, coverage, Arrival, Rate};
use gatewatch_model::school::School;
use gatewatch_model::{csv, Post, Record};
use serde::Serialize;

use crate::auth::SchoolScope;
use crate::catalog;
use crate::error::AppError;
use crate::feed::parse_received;

/// Longest report, in days: a year, leap day included.
pub const MAX_RANGE_DAYS: i64 = 366;

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
/// day the officer saw on the phone), oldest first; voided ones too, marked. The sheet
/// is `gatewatch_model::csv::check_ins`, the one the phones export.
pub async fn checkins_csv(
    db: &Db,
    range: DateRange,
    scope: &SchoolScope,
) -> Result<Vec<u8>, AppError> {
    let posts = posts_by_id(db).await?;
    let stored = of_kind(db, "checkin", range.days(), scope).await?;
    let rows = sheet_rows(&stored);
    Ok(csv::check_ins(&rows, |id| posts.get(id)).into_bytes())
}

/// Every incident whose device time falls on a day of `range` in its own offset,
/// oldest first, voided ones too (`gatewatch_model::csv::incidents`).
pub async fn incidents_csv(
    db: &Db,
    range: DateRange,
    scope: &SchoolScope,
) -> Result<Vec<u8>, AppError> {
    let posts = posts_by_id(db).await?;
    let stored = of_kind(db, "incident", range.days(), scope).await?;
    let rows = sheet_rows(&stored);
    Ok(csv::incidents(&rows, |id| posts.get(id)).into_bytes())
}

async fn posts_by_id(db: &Db) -> Result<HashMap<String, Post>, AppError> {
    Ok(catalog::posts(db)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect())
}

fn sheet_rows(stored: &[(Record, DateTime<Utc>)]) -> Vec<csv::Row<'_>> {
    stored
        .iter()
        .map(|(record, received_at)| csv::Row {
            record,
            received_at: Some(*received_at),
        })
        .collect()
}

/// The schools of `scope` and the arrivals (each keyed by its post's school) that
/// coverage over `range` is computed from.
async fn coverage_inputs(
    db: &Db,
    range: DateRange,
    scope: &SchoolScope,
) -> Result<(Vec<School>, Vec<Arrival>), AppError> {
    let mut schools = catalog::schools(db).await?;
    schools.retain(|s| scope.contains(&s.id));
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
    let records: Vec<Record> = of_kind(db, "checkin", first..=last, scope)
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
    db: &Db,
    range: DateRange,
    scope: &SchoolScope,
    now: DateTime<Utc>,
) -> Result<CoverageSummary, AppError> {
    let (schools, arrivals) = coverage_inputs(db, range, scope).await?;
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
    db: &Db,
    range: DateRange,
    scope: &SchoolScope,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, AppError> {
    let (schools, arrivals) = coverage_inputs(db, range, scope).await?;
    let cells = coverage(&schools, &arrivals, range.days(), now);
    let names: HashMap<&str, &str> = schools
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    let sheet = csv::coverage(&cells, |id| names.get(id).copied(), &range.label());
    Ok(sheet.into_bytes())
}

/// The records of `kind` at the schools of `scope` whose device time's own local date
/// is in `days`, with when the server received them.
async fn of_kind(
    db: &Db,
    kind: &str,
    days: RangeInclusive<NaiveDate>,
    scope: &SchoolScope,
) -> Result<Vec<(Record, DateTime<Utc>)>, AppError> {
    // `device_time` is stored as RFC 3339 with the phone's offset, so its first ten
    // characters are the date in that offset.
    let device_time = db.dialect().json_text("body", &["data", "device_time"]);
    let in_scope = scope.and_sql(db.dialect(), "school", "$4");
    let sql = format!(
        "SELECT body, received_at FROM records
         WHERE kind = $1 AND substr({device_time}, 1, 10) BETWEEN $2 AND $3{in_scope}"
    );
    let mut query = sqlx::query_as(&sql)
        .bind(kind)
        .bind(days.start().format("%Y-%m-%d").to_string())
        .bind(days.end().format("%Y-%m-%d").to_string());
    if let Some(schools) = scope.json() {
        query = query.bind(schools);
    }
    let rows: Vec<(String, String)> = query.fetch_all(db.pool()).await?;
    rows.into_iter()
        .map(|(body, received_at)| {
            Ok((serde_json::from_str(&body)?, parse_received(&received_at)?))
        })
        .collect()
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
}
