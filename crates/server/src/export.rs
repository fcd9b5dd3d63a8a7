//! The record sheets for the office, as CSV that Excel opens with the Chinese intact:
//! the check-ins and the incidents of a date range, each with the account that made it
//! (`records.author`, named from `users`). The sheets themselves are
//! `gatewatch_model::csv`'s, byte for byte the phones' exports; this module only picks
//! the records (`of_kind`, which the coverage reports in `reports` read too) and the
//! date range every report takes (`DateRange`).

use std::collections::HashMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, NaiveDate, Utc};
use gatewatch_model::roster::Person;
use gatewatch_model::{csv, Record};
use uuid::Uuid;

use crate::auth::SchoolScope;
use crate::catalog;
use crate::db::Db;
use crate::error::AppError;
use crate::feed::parse_received;
use crate::{duty, roster};

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

/// The sheets of records people made at the gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordSheet {
    CheckIns,
    Incidents,
}

impl RecordSheet {
    /// The record kind it lists.
    fn kind(self) -> &'static str {
        match self {
            RecordSheet::CheckIns => "checkin",
            RecordSheet::Incidents => "incident",
        }
    }

    pub fn sheet_kind(self) -> csv::SheetKind {
        match self {
            RecordSheet::CheckIns => csv::SheetKind::CheckIns,
            RecordSheet::Incidents => csv::SheetKind::Incidents,
        }
    }
}

/// Every check-in or incident whose device time falls on a day of `range` in its own
/// offset (the day the officer saw on the phone), oldest first; voided ones too,
/// marked; each with the account that made it. The sheets are
/// `gatewatch_model::csv::check_ins` and `incidents`, the ones the phones export.
pub async fn records_csv(
    db: &Db,
    which: RecordSheet,
    range: DateRange,
    scope: &SchoolScope,
    lang: csv::Lang,
) -> Result<Vec<u8>, AppError> {
    let (posts, schools) = (catalog::posts(db).await?, catalog::schools(db).await?);
    let stored = of_kind(db, which.kind(), range.days(), scope).await?;
    let rows = sheet_rows(&stored);
    let gates = csv::Gates::new(&posts, &schools);
    let sheet = match which {
        RecordSheet::CheckIns => csv::check_ins(&rows, &gates, lang),
        RecordSheet::Incidents => csv::incidents(&rows, &gates, lang),
    };
    Ok(sheet.into_bytes())
}

fn sheet_rows(stored: &[Stored]) -> Vec<csv::Row<'_>> {
    stored
        .iter()
        .map(|s| csv::Row {
            record: &s.record,
            received_at: Some(s.received_at),
            author: s.author.as_ref(),
        })
        .collect()
}

/// A stored record with when the server received it and the account that first
/// pushed it (`None` for one stored before accounts).
#[derive(Debug)]
pub struct Stored {
    pub record: Record,
    pub received_at: DateTime<Utc>,
    pub author: Option<Person>,
}

/// The records of `kind` at the schools of `scope` whose device time's own local date
/// is in `days`, with when the server received them and their authors.
pub async fn of_kind(
    db: &Db,
    kind: &str,
    days: RangeInclusive<NaiveDate>,
    scope: &SchoolScope,
) -> Result<Vec<Stored>, AppError> {
    // `day` is the device time's date in its own offset (migration 0012), indexed
    // with the kind: only the range's rows are read.
    let in_scope = scope.and_sql(db.dialect(), "school", "$4");
    let sql = format!(
        "SELECT body, received_at, author FROM records
         WHERE kind = $1 AND day BETWEEN $2 AND $3{in_scope}"
    );
    let mut query = sqlx::query_as(&sql)
        .bind(kind)
        .bind(days.start().format("%Y-%m-%d").to_string())
        .bind(days.end().format("%Y-%m-%d").to_string());
    if let Some(schools) = scope.json() {
        query = query.bind(schools);
    }
    let mut conn = db.pool().acquire().await?;
    let rows: Vec<(String, String, Option<String>)> = query.fetch_all(&mut *conn).await?;
    // The authors named once each (a city month has tens of thousands of check-ins by
    // a few hundred officers), the bodies parsed off the request threads.
    let authors: Vec<Option<Uuid>> = rows
        .iter()
        .map(|(_, _, author)| author.as_deref().and_then(|a| Uuid::parse_str(a).ok()))
        .collect();
    let people: HashMap<Uuid, Person> =
        roster::people(&mut conn, authors.iter().flatten().copied())
            .await?
            .into_iter()
            .map(|p| (p.user, p))
            .collect();
    drop(conn);
    let (bodies, received): (Vec<String>, Vec<String>) =
        rows.into_iter().map(|(body, at, _)| (body, at)).unzip();
    let records = duty::blocking(move || duty::parse(&bodies)).await?;
    records
        .into_iter()
        .zip(received)
        .zip(authors)
        .map(|((record, received_at), author)| {
            Ok(Stored {
                record,
                received_at: parse_received(&received_at)?,
                author: author.and_then(|a| people.get(&a).cloned()),
            })
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
