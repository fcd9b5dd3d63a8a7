//! The school calendar in the database (`calendar_entries`, migration 0011): the entries
//! that apply to a user's schools, a year's entries, and an admin's import of a year —
//! a CSV read by `gatewatch_model::calendar::read_csv`, or a shipped national calendar.
//!
//! An import replaces that year's entries of every scope the file names, in one write
//! transaction: importing the same file twice changes nothing.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use gatewatch_model::calendar::{self, CalendarEntry, DayRule, EntryScope};
use gatewatch_model::csv::Lang;
use gatewatch_model::school::School;
use serde::Serialize;

use crate::auth::SchoolScope;
use crate::catalog;
use crate::db::Db;
use crate::error::AppError;

/// The years an import may be for: a calendar is made for this year or the next, and
/// an old one may be put back.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// What an import stored: how many entries, for which scopes (as the wire names them).
#[derive(Debug, Serialize)]
pub struct Imported {
    pub stored: usize,
    pub scopes: Vec<String>,
}

/// A `calendar_entries` row: scope, first and last day, rule, windows (JSON), name.
type EntryRow = (String, String, String, String, String, String);

const ENTRY_COLUMNS: &str = "scope, from_date, to_date, rule, windows, name";

fn entry_of_row(
    (scope, from, to, rule, windows, name): EntryRow,
) -> Result<CalendarEntry, AppError> {
    let bad = |what: &str| AppError::Internal(format!("calendar row: bad {what}").into());
    let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad("date"));
    Ok(CalendarEntry {
        scope: EntryScope::try_from(scope).map_err(|_| bad("scope"))?,
        from: day(&from)?,
        to: day(&to)?,
        rule: serde_json::from_value(serde_json::Value::String(rule))?,
        windows: serde_json::from_str(&windows)?,
        name,
    })
}

/// The entries that apply to the schools of `scope`: national ones, their districts'
/// and their own (every entry for an admin), by scope and first day.
pub async fn entries_for(db: &Db, scope: &SchoolScope) -> Result<Vec<CalendarEntry>, AppError> {
    let wanted = match scope {
        SchoolScope::All => None,
        SchoolScope::Only(ids) => Some(scopes_of(&catalog::schools(db).await?, ids)),
    };
    let filter = match wanted {
        Some(_) => format!(" WHERE {}", db.dialect().in_json_array("scope", "$1")),
        None => String::new(),
    };
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM calendar_entries{filter} ORDER BY scope, from_date, to_date"
    );
    let mut query = sqlx::query_as(&sql);
    if let Some(scopes) = wanted {
        query = query.bind(serde_json::to_string(&scopes)?);
    }
    let rows: Vec<EntryRow> = query.fetch_all(db.pool()).await?;
    rows.into_iter().map(entry_of_row).collect()
}

/// The wire names of the scopes whose entries apply to the schools `ids`.
fn scopes_of(schools: &[School], ids: &BTreeSet<String>) -> BTreeSet<String> {
    let mut scopes = BTreeSet::from([String::from(EntryScope::National)]);
    for school in schools.iter().filter(|s| ids.contains(&s.id)) {
        scopes.insert(EntryScope::School(school.id.clone()).into());
        if !school.district.is_empty() {
            scopes.insert(EntryScope::District(school.district.clone()).into());
        }
    }
    scopes
}

/// Every entry of `year`, by scope and first day.
pub async fn entries_of_year(db: &Db, year: i32) -> Result<Vec<CalendarEntry>, AppError> {
    let rows: Vec<EntryRow> = sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM calendar_entries WHERE year = $1
         ORDER BY scope, from_date, to_date"
    ))
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(entry_of_row).collect()
}

/// Reads a calendar CSV for `year` (refusals in `lang`, naming the line) and stores it.
pub async fn import_csv(
    db: &Db,
    text: &str,
    year: i32,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Imported, AppError> {
    let schools = catalog::schools(db).await?;
    let entries = calendar::read_csv(text, year, &schools).map_err(|e| AppError::CsvLine {
        line: e.line,
        detail: e.message(lang),
    })?;
    store_year(db, year, &entries, now).await
}

/// Loads the national calendar of `year` shipped with Gatewatch; `None` for a year
/// none ships for.
pub async fn import_national(
    db: &Db,
    year: i32,
    now: DateTime<Utc>,
) -> Result<Option<Imported>, AppError> {
    let Some(text) = calendar::national_csv(year) else {
        return Ok(None);
    };
    // Shipped files name the nation only: no school is needed to read them, and one
    // that does not read is our bug.
    let entries = calendar::read_csv(text, year, &[])
        .map_err(|e| AppError::Internal(format!("shipped calendar {year}: {e}").into()))?;
    store_year(db, year, &entries, now).await.map(Some)
}

/// Replaces `year`'s entries of every scope `entries` names by `entries`, in one
/// write transaction.
async fn store_year(
    db: &Db,
    year: i32,
    entries: &[CalendarEntry],
    now: DateTime<Utc>,
) -> Result<Imported, AppError> {
    let scopes: BTreeSet<String> = entries.iter().map(|e| e.scope.clone().into()).collect();
    let updated_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut tx = db.begin_write().await?;
    for scope in &scopes {
        sqlx::query("DELETE FROM calendar_entries WHERE year = $1 AND scope = $2")
            .bind(i64::from(year))
            .bind(scope)
            .execute(&mut *tx)
            .await?;
    }
    for entry in entries {
        sqlx::query(
            "INSERT INTO calendar_entries (scope, from_date, to_date, rule, windows, name, year,
                                           updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(String::from(entry.scope.clone()))
        .bind(entry.from.format("%Y-%m-%d").to_string())
        .bind(entry.to.format("%Y-%m-%d").to_string())
        .bind(rule_name(entry.rule))
        .bind(serde_json::to_string(&entry.windows)?)
        .bind(&entry.name)
        .bind(i64::from(year))
        .bind(&updated_at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Imported {
        stored: entries.len(),
        scopes: scopes.into_iter().collect(),
    })
}

/// The rule as the `rule` column (and the wire) names it.
fn rule_name(rule: DayRule) -> &'static str {
    match rule {
        DayRule::Off => "off",
        DayRule::On => "on",
        DayRule::Special => "special",
    }
}
