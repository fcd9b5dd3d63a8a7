//! The monthly duty report of the volunteer teams, city-wide or for one team: hours per
//! volunteer and per team, activities, anti-fraud audience and sessions to confirm, as
//! JSON for screens and as the hours sheet. The sums are `gatewatch_model::report`'s and
//! the sheet `gatewatch_model::csv::duty_hours`, named through `report::Roster`: the same
//! code the phone runs, so the same records give the same figures and bytes on both.
//! This module only picks the records.
//!
//! A month's sessions are found by the `month` and `team` columns push writes with each
//! row (migration 0006), not by reading every body: see BENCHMARKS.md for why.

use std::collections::{BTreeMap, BTreeSet};

use crate::db::Db;
use chrono::{DateTime, FixedOffset};
use gatewatch_model::duty::{Activity, DutySession, DEFAULT_OPEN_LIMIT};
use gatewatch_model::report::{self, DutyReport, Month, Roster};
use gatewatch_model::team::mask_phone;
use gatewatch_model::{Record, RecordBody};
use serde::Serialize;
use uuid::Uuid;

use crate::error::AppError;

/// Which sessions a report covers: those starting in `month` (on their own clock), of
/// every team or of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DutyQuery {
    pub month: Month,
    pub team: Option<Uuid>,
}

impl DutyQuery {
    /// From the query's `month` (`YYYY-MM`, required) and `team` (a team record's id,
    /// optional); 400 `bad_query` for a missing or bad one.
    pub fn parse(month: Option<&str>, team: Option<&str>) -> Result<Self, AppError> {
        let month = month.ok_or_else(|| {
            AppError::BadQuery("`month` is required: a month like 2026-11".into())
        })?;
        let month = Month::parse(month).ok_or_else(|| {
            AppError::BadQuery(format!(
                "`month` must be a month like 2026-11, not `{month}`"
            ))
        })?;
        let team = team
            .map(|t| {
                Uuid::parse_str(t).map_err(|_| {
                    AppError::BadQuery(format!("`team` must be a team's id (a UUID), not `{t}`"))
                })
            })
            .transpose()?;
        Ok(DutyQuery { month, team })
    }

    /// For file names: `2026-11`, or `2026-11_<team id>`.
    pub fn label(&self) -> String {
        match self.team {
            Some(team) => format!("{}_{team}", self.month),
            None => self.month.to_string(),
        }
    }
}

/// A report as `GET /api/reports/duty` answers it.
#[derive(Debug, Serialize)]
pub struct DutyReportView {
    pub month: String,
    pub team: Option<Uuid>,
    /// Sessions counted (voided ones are not).
    pub sessions: u32,
    /// Sessions left open past the limit, for their lead to confirm.
    pub to_confirm: u32,
    /// People reached by anti-fraud talks.
    pub audience: u64,
    /// Sessions per activity.
    pub activities: BTreeMap<Activity, u32>,
    /// In the sheet's order: by team name, then name (unknown volunteers first).
    pub volunteers: Vec<VolunteerHours>,
    /// By id, as in the sheet.
    pub teams: Vec<TeamHours>,
}

/// One volunteer's month. Name and team are `null` for a volunteer the server has no
/// roster record of; the phone is masked (`138****1234`).
#[derive(Debug, Serialize)]
pub struct VolunteerHours {
    pub id: Uuid,
    pub name: Option<String>,
    pub team: Option<Uuid>,
    pub team_name: Option<String>,
    pub phone: String,
    pub sessions: u32,
    pub approved_minutes: i64,
    pub pending_minutes: i64,
}

/// One team's month: its sessions and its members' time on them.
#[derive(Debug, Serialize)]
pub struct TeamHours {
    pub id: Uuid,
    pub name: Option<String>,
    pub school_id: Option<String>,
    pub sessions: u32,
    pub approved_minutes: i64,
    pub pending_minutes: i64,
}

/// The report of `query` as of `now` (sessions still open count up to `now`, or to the
/// open limit).
pub async fn report_json(
    db: &Db,
    query: DutyQuery,
    now: DateTime<FixedOffset>,
) -> Result<DutyReportView, AppError> {
    let (report, roster) = report_and_roster(db, query, now).await?;
    blocking(move || Ok(view(query, &report, &Roster::of(&roster)))).await
}

/// The hours sheet of `query` as of `now` (`gatewatch_model::csv::duty_hours`).
pub async fn hours_csv(
    db: &Db,
    query: DutyQuery,
    now: DateTime<FixedOffset>,
    lang: gatewatch_model::csv::Lang,
) -> Result<Vec<u8>, AppError> {
    let (report, roster) = report_and_roster(db, query, now).await?;
    blocking(move || {
        // The phone's sheet in the same language is byte for byte this one.
        let sheet = Roster::of(&roster).hours_sheet(&report, &query.month.to_string(), lang);
        Ok(sheet.into_bytes())
    })
    .await
}

/// The report of `query` and the team and volunteer records that name its rows.
async fn report_and_roster(
    db: &Db,
    query: DutyQuery,
    now: DateTime<FixedOffset>,
) -> Result<(DutyReport, Vec<Record>), AppError> {
    let bodies = session_bodies(db, query).await?;
    let (records, named) = blocking(move || {
        let records = parse(&bodies)?;
        let mut named = BTreeSet::new();
        for s in sessions_of(&records, query) {
            named.insert(s.team);
            named.extend(s.participants.iter().map(|p| p.volunteer));
        }
        Ok((records, named))
    })
    .await?;
    // Adding up runs on one core (the model's `report`); the roster is read meanwhile.
    let adding_up = blocking(move || {
        Ok(report::report(
            sessions_of(&records, query),
            now,
            DEFAULT_OPEN_LIMIT,
        ))
    });
    tokio::try_join!(adding_up, roster(db, named))
}

/// The sessions of `records` that count for `query` (`report::duty_sessions`: voided
/// ones do not).
fn sessions_of(records: &[Record], query: DutyQuery) -> impl Iterator<Item = &DutySession> {
    report::duty_sessions(records).filter(move |s| {
        Month::of(s.start) == query.month && query.team.is_none_or(|t| s.team == t)
    })
}

/// The stored bodies of the duty sessions of `query` (voided ones too), found by the
/// `month` and `team` columns push keeps (migration 0006).
async fn session_bodies(db: &Db, query: DutyQuery) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT body FROM records
         WHERE kind = 'duty' AND month = $1 AND ($2 IS NULL OR team = $2)",
    )
    .bind(query.month.to_string())
    .bind(query.team.map(|t| t.to_string()))
    .fetch_all(db.pool())
    .await?)
}

/// The records of the teams and volunteers in `ids` that the server has, and of the
/// teams those volunteers belong to.
async fn roster(db: &Db, ids: BTreeSet<Uuid>) -> Result<Vec<Record>, AppError> {
    let bodies = bodies_by_id(db, ids.iter()).await?;
    let (mut records, their_teams) = blocking(move || {
        let records = parse(&bodies)?;
        let their_teams: BTreeSet<Uuid> = records
            .iter()
            .filter_map(|r| match &r.body {
                RecordBody::Volunteer(v) if !ids.contains(&v.team) => Some(v.team),
                _ => None,
            })
            .collect();
        Ok((records, their_teams))
    })
    .await?;
    if !their_teams.is_empty() {
        let bodies = bodies_by_id(db, their_teams.iter()).await?;
        records.extend(blocking(move || parse(&bodies)).await?);
    }
    Ok(records)
}

/// The bodies of the records with these ids (those the server has), in one query.
async fn bodies_by_id(db: &Db, ids: impl Iterator<Item = &Uuid>) -> Result<Vec<String>, AppError> {
    let list = serde_json::to_string(&ids.collect::<Vec<_>>())?;
    Ok(sqlx::query_scalar(&format!(
        "SELECT body FROM records WHERE {}",
        db.dialect().in_json_array("id", "$1")
    ))
    .bind(list)
    .fetch_all(db.pool())
    .await?)
}

/// Parses stored bodies on every core: a city's month of sessions is ~30 MB of JSON,
/// the largest part of a report's time after adding them up.
pub(crate) fn parse(bodies: &[String]) -> Result<Vec<Record>, AppError> {
    let threads =
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_PARSE_THREADS));
    if threads < 2 || bodies.len() < MIN_PARALLEL_PARSE {
        return parse_chunk(bodies);
    }
    let chunk = bodies.len().div_ceil(threads);
    let parts: Vec<Result<Vec<Record>, AppError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = bodies
            .chunks(chunk)
            .map(|part| scope.spawn(move || parse_chunk(part)))
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(AppError::Internal("a parser thread panicked".into())))
            })
            .collect()
    });
    let mut records = Vec::with_capacity(bodies.len());
    for part in parts {
        records.extend(part?);
    }
    Ok(records)
}

/// Fewer bodies than this are parsed on the calling thread.
const MIN_PARALLEL_PARSE: usize = 256;
/// At most this many threads parse one request's bodies.
const MAX_PARSE_THREADS: usize = 4;

fn parse_chunk(bodies: &[String]) -> Result<Vec<Record>, AppError> {
    bodies
        .iter()
        .map(|b| serde_json::from_str(b).map_err(AppError::from))
        .collect()
}

/// Runs CPU-bound work (parsing thousands of bodies, adding them up) off the threads
/// that serve requests.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))?
}

fn view(query: DutyQuery, report: &DutyReport, roster: &Roster<'_>) -> DutyReportView {
    let mut volunteers: Vec<VolunteerHours> = report
        .volunteers
        .iter()
        .map(|(id, h)| {
            let volunteer = roster.volunteer(*id);
            let team = volunteer.map(|v| v.team);
            VolunteerHours {
                id: *id,
                name: volunteer.map(|v| v.name.clone()),
                team,
                team_name: team.and_then(|t| roster.team_name(t)).map(str::to_owned),
                phone: mask_phone(volunteer.map_or("", |v| v.phone.as_str())),
                sessions: h.sessions,
                approved_minutes: h.approved,
                pending_minutes: h.pending,
            }
        })
        .collect();
    // The sheet's order (`csv::duty_hours`): unknown volunteers first, then by the
    // team's name and the volunteer's, then by id.
    fn order(v: &VolunteerHours) -> (Option<(&str, &str)>, Uuid) {
        let named = v
            .name
            .as_deref()
            .map(|name| (v.team_name.as_deref().unwrap_or(""), name));
        (named, v.id)
    }
    volunteers.sort_by(|a, b| order(a).cmp(&order(b)));
    let teams = report
        .teams
        .iter()
        .map(|(id, h)| {
            let team = roster.team(*id);
            TeamHours {
                id: *id,
                name: team.map(|t| t.name.clone()),
                school_id: team.map(|t| t.school_id.clone()),
                sessions: h.sessions,
                approved_minutes: h.approved,
                pending_minutes: h.pending,
            }
        })
        .collect();
    DutyReportView {
        month: query.month.to_string(),
        team: query.team,
        sessions: report.sessions,
        to_confirm: report.to_confirm,
        audience: report.audience,
        activities: report.activities.clone(),
        volunteers,
        teams,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        let q = DutyQuery::parse(Some("2026-11"), None).unwrap();
        assert_eq!(q.label(), "2026-11");
        let team = "6a7e0001-0000-0000-0000-000000000001";
        let q = DutyQuery::parse(Some("2026-11"), Some(team)).unwrap();
        assert_eq!(q.label(), format!("2026-11_{team}"));
        let err =
            |m: Option<&str>, t: Option<&str>| DutyQuery::parse(m, t).unwrap_err().to_string();
        assert!(err(None, None).contains("required"));
        assert!(err(Some("2026-13"), None).contains("`2026-13`"));
        assert!(err(Some("2026-11"), Some("x")).contains("`team`"));
    }
}
