//! Benchmark report (not a test): the per-officer 落实率 report of a city month on the
//! server, end to end through the HTTP app, over a database holding three months of a
//! generated city (`gatewatch_model::fixtures::CityYear`: 288 schools with one gate each,
//! three windows, the 2026 national calendar, one officer per due slot from 576
//! accounts, their arrivals and departures — September to November 2026), so the report
//! must find its month among others. Run by `make bench` on SQLite and on PostgreSQL:
//!
//! ```sh
//! cargo run --profile server -p gatewatch-server --example officer_report_bench
//! scripts/with-postgres.sh cargo run --profile server -p gatewatch-server --example officer_report_bench
//! ```
//!
//! Seeding: the catalog through the admin's CSV import, the national calendar through
//! its route, the officers' accounts and the roster written straight into their tables
//! (576 argon2id hashes at full cost would take minutes and are not what is measured:
//! the accounts get a cheap hash, which logins read their parameters from), and every
//! check-in pushed through `POST /api/sync/push` by its officer's own session, so each
//! record has its author as in the field. Then each figure as min / median / max of
//! `RUNS` runs. Target: `GET /api/reports/officers` for the month in ≤ 300 ms.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::{Datelike, NaiveDate, Utc};
use gatewatch_model::coverage::{Check, Visits};
use gatewatch_model::csv::Lang;
use gatewatch_model::fixtures::CityYear;
use gatewatch_model::roster::{assignment_verdicts, officer_report, Assignment, Person};
use gatewatch_model::roster_csv::write_csv;
use gatewatch_model::{
    CheckIn, DeviceId, Hlc, PushRequest, PushResponse, Record, RecordBody, MAX_PUSH_BATCH,
};
use gatewatch_server::db::Db;
use http_body_util::BodyExt;
use tower::ServiceExt;
use uuid::Uuid;

mod common;
// Only its `TestDatabase::new` and drop: the rest serves the tests.
#[allow(dead_code)]
#[path = "../tests/common/database.rs"]
mod database;

use common::{row, Error};

/// The months stored, and the one reported (the last).
const MONTHS: [u32; 3] = [9, 10, 11];
const YEAR: i32 = 2026;
const PASSWORD: &str = "bench-officer-password";

#[tokio::main]
async fn main() -> Result<(), Error> {
    let dir = tempfile::tempdir()?;
    // A file in `dir`, or with GATEWATCH_TEST_POSTGRES (scripts/with-postgres.sh) a new
    // database on that server, dropped at the end.
    let database = database::TestDatabase::new(dir.path()).await;
    let (state, admin) = common::open_at(&dir, database.location.clone()).await?;
    let raw = gatewatch_server::app(state.clone());

    let start = Instant::now();
    let city = CityYear::new();
    let in_months = |date: NaiveDate| date.year() == YEAR && MONTHS.contains(&date.month());
    let assignments: Vec<&Assignment> = city
        .assignments
        .iter()
        .filter(|a| in_months(a.date))
        .collect();
    let checks: Vec<&Check> = city
        .checks
        .iter()
        .filter(|c| in_months(c.at.date_naive()))
        .collect();
    let officers: Vec<Uuid> = {
        let mut ids: Vec<Uuid> = city.assignments.iter().map(|a| a.officer).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    println!(
        "city: {} schools, {} officers; {} assignments and {} check-ins over {} months; generated in {:.1} s",
        city.schools.len(),
        officers.len(),
        assignments.len(),
        checks.len(),
        MONTHS.len(),
        start.elapsed().as_secs_f64()
    );

    let start = Instant::now();
    seed_catalog(&admin, &city).await?;
    send(
        &admin,
        Request::post(format!("/api/admin/calendar/national/{YEAR}")).body(Body::empty())?,
    )
    .await?;
    seed_officers(&state.db, &city, &officers).await?;
    seed_roster(&state.db, &assignments).await?;
    let pushes = seed_checks(&raw, &officers, &checks).await?;
    println!(
        "seeded in {:.1} s ({pushes} pushes of check-ins, each by its officer's session)",
        start.elapsed().as_secs_f64()
    );

    let (from, to) = ("2026-11-01", "2026-11-30");
    let report: serde_json::Value = serde_json::from_slice(
        &get(
            &admin,
            &format!("/api/reports/officers?from={from}&to={to}"),
        )
        .await?,
    )?;
    let rows = report["officers"].as_array().map_or(0, Vec::len);
    let sum = |key: &str| -> u64 {
        report["officers"]
            .as_array()
            .map_or(0, |o| o.iter().filter_map(|r| r[key].as_u64()).sum())
    };
    println!(
        "report {from}–{to}: {rows} officers, {} assigned windows: {} covered, {} late, {} partial, {} missed",
        sum("assigned"),
        sum("covered"),
        sum("late"),
        sum("partial"),
        sum("missed"),
    );

    println!();
    let before = common::CpuTimes::now();
    println!("| figure ({} runs) | min | median | max |", common::RUNS);
    println!("|---|---:|---:|---:|");
    let uri = format!("/api/reports/officers?from={from}&to={to}");
    row(
        "GET /api/reports/officers, city month (target ≤ 300 ms)",
        || get(&admin, &uri),
    )
    .await?;
    let uri = format!("/api/export/officers.csv?from={from}&to={to}");
    row("GET /api/export/officers.csv, city month", || {
        get(&admin, &uri)
    })
    .await?;
    let uri = format!("/api/reports/coverage?from={from}&to={to}");
    row(
        "GET /api/reports/coverage, city month (every gate and assignment with why)",
        || get(&admin, &uri),
    )
    .await?;
    row(
        "baseline: read the month's check-in rows by `day` (no parsing)",
        || read_month(&state.db),
    )
    .await?;
    row(
        "baseline: the same rows found by each body's device time (before `day`)",
        || scan_month(&state.db),
    )
    .await?;
    // The model's part, in process, on the month's data.
    let month: Vec<Assignment> = assignments
        .iter()
        .filter(|a| a.date.month() == 11)
        .map(|a| (*a).clone())
        .collect();
    let visits = Visits::new(checks.iter().copied());
    let first = NaiveDate::from_ymd_opt(YEAR, 11, 1).ok_or("date")?;
    let last = NaiveDate::from_ymd_opt(YEAR, 11, 30).ok_or("date")?;
    row(
        "part: the model's `assignment_verdicts` + `officer_report` (month)",
        || async {
            let verdicts = assignment_verdicts(
                &city.calendar,
                &city.schools,
                &city.posts,
                &visits,
                &month,
                Utc::now(),
            );
            Ok(vec![0; officer_report(&verdicts, first..=last).len()])
        },
    )
    .await?;
    // The 值班表 import of a city month (November's roster moved to start next Monday:
    // a day gone cannot be imported), all or nothing in one write transaction, which
    // phones' pushes wait behind. Each run stores the same file again (replacing the
    // same slots).
    let sheet = month_sheet(&city, &officers, &month)?;
    println!(
        "值班表 of a month: {} rows, {} KB",
        sheet.lines().count() - 1,
        sheet.len() / 1000
    );
    let manager = &admin;
    row("POST /api/roster/import, a city month's 值班表", || {
        let request = Request::post("/api/roster/import")
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(sheet.clone()));
        async move { send(manager, request?).await }
    })
    .await?;
    println!();
    common::print_load(before);
    state.db.close().await;
    Ok(())
}

/// `month`'s roster as a 值班表, moved to start on the next Monday from today.
fn month_sheet(city: &CityYear, officers: &[Uuid], month: &[Assignment]) -> Result<String, Error> {
    let today = Utc::now().date_naive();
    let next_monday =
        today + chrono::Days::new(7 - u64::from(today.weekday().num_days_from_monday()));
    let first_monday = NaiveDate::from_ymd_opt(YEAR, 11, 2).ok_or("date")?;
    let shift = next_monday - first_monday;
    let moved: Vec<Assignment> = month
        .iter()
        .map(|a| Assignment {
            date: a.date + shift,
            ..a.clone()
        })
        .collect();
    let people: Vec<Person> = officers
        .iter()
        .enumerate()
        .map(|(n, id)| Person {
            user: *id,
            username: username(n),
            display_name: format!("民警{n}"),
        })
        .collect();
    Ok(write_csv(
        &moved,
        &city.posts,
        &city.schools,
        &people,
        Lang::Zh,
    ))
}

/// The city's schools and gates through the admin's catalog import.
async fn seed_catalog(admin: &Router, city: &CityYear) -> Result<(), Error> {
    let mut csv = String::from(
        "school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes,counted_from\n",
    );
    let window = |kind| {
        city.schools[0]
            .windows
            .iter()
            .find(|w| w.kind == kind)
            .map(|w| format!("{}-{}", w.opens.format("%H:%M"), w.closes.format("%H:%M")))
            .unwrap_or_default()
    };
    use gatewatch_model::school::WindowKind::*;
    let (m, n, a) = (window(Morning), window(Noon), window(Afternoon));
    for (school, post) in city.schools.iter().zip(&city.posts) {
        csv += &format!(
            "{},{},{},{},{m},{n},{a},{},{YEAR}-01-01\n",
            school.id, school.name, post.id, post.gate, school.lead_minutes
        );
    }
    let request = Request::post("/api/admin/import")
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv))?;
    send(admin, request).await.map(|_| ())
}

/// The officers' accounts, each of the schools it is assigned at, with a cheap hash.
async fn seed_officers(db: &Db, city: &CityYear, officers: &[Uuid]) -> Result<(), Error> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let params = argon2::Params::new(1024, 1, 1, None).map_err(|e| e.to_string())?;
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let hash = argon2
        .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
        .map_err(|e| e.to_string())?
        .to_string();
    let school_of: BTreeMap<&str, &str> = city
        .posts
        .iter()
        .map(|p| (p.id.as_str(), p.school_id.as_str()))
        .collect();
    let mut schools: BTreeMap<Uuid, Vec<&str>> = BTreeMap::new();
    for a in &city.assignments {
        let list = schools.entry(a.officer).or_default();
        let school = school_of
            .get(a.post_id.as_str())
            .copied()
            .unwrap_or_default();
        if !list.contains(&school) {
            list.push(school);
        }
    }
    let mut tx = db.pool().begin().await?;
    for (n, id) in officers.iter().enumerate() {
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, schools, teams, password_hash,
                                disabled, created_at, updated_at)
             VALUES ($1, $2, $3, 'officer', $4, '[]', $5, 0, $6, $6)",
        )
        .bind(id.to_string())
        .bind(username(n))
        .bind(format!("民警{n}"))
        .bind(serde_json::to_string(
            &schools.get(id).cloned().unwrap_or_default(),
        )?)
        .bind(&hash)
        .bind("2026-01-01T00:00:00.000Z")
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn username(n: usize) -> String {
    format!("officer{n:03}")
}

/// The months' roster, as `PUT /api/roster/slot` would store it.
async fn seed_roster(db: &Db, assignments: &[&Assignment]) -> Result<(), Error> {
    let mut tx = db.pool().begin().await?;
    for a in assignments {
        sqlx::query(
            "INSERT INTO assignments (post_id, date, window_kind, officer, car, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, NULL, '2026-08-31T00:00:00.000Z', 'bench')",
        )
        .bind(&a.post_id)
        .bind(a.date.to_string())
        .bind(a.window.as_str())
        .bind(a.officer.to_string())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Each officer logs in and pushes their own check-ins, in batches. Returns the pushes.
async fn seed_checks(raw: &Router, officers: &[Uuid], checks: &[&Check]) -> Result<usize, Error> {
    let device = DeviceId::new("benchphone")?;
    let mut pushes = 0;
    for (n, officer) in officers.iter().enumerate() {
        let records: Vec<Record> = checks
            .iter()
            .filter(|c| c.person == Some(*officer))
            .enumerate()
            .map(|(i, c)| record(*officer, i, c, &device))
            .collect();
        if records.is_empty() {
            continue;
        }
        let app = common::signed_in_as(raw.clone(), &username(n), PASSWORD).await?;
        for batch in records.chunks(MAX_PUSH_BATCH) {
            let body = serde_json::to_vec(&PushRequest {
                device: device.clone(),
                records: batch.to_vec(),
            })?;
            let request = Request::post("/api/sync/push")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))?;
            let pushed: PushResponse = serde_json::from_slice(&send(&app, request).await?)?;
            if let Some(refused) = pushed.rejected.first() {
                return Err(format!("push refused: {refused:?}").into());
            }
            pushes += 1;
        }
    }
    Ok(pushes)
}

/// The check-in record `check` makes, the `n`th of `officer`'s.
fn record(officer: Uuid, n: usize, check: &Check, device: &DeviceId) -> Record {
    let id = Uuid::from_u128((officer.as_u128() << 32) ^ n as u128);
    let version = Hlc {
        wall_ms: check.at.timestamp_millis().max(0) as u64,
        counter: 0,
        device: device.clone(),
    };
    Record::new(
        id,
        version,
        RecordBody::CheckIn(CheckIn {
            post_id: check.post_id.clone(),
            event: check.event,
            presence: check.presence,
            note: String::new(),
            officer_name: String::new(),
            device_time: check.at,
            gate_code: None,
            position: None,
        }),
    )
}

/// `request` through `app`, expecting a 200; the body.
async fn send(app: &Router, request: Request<Body>) -> Result<Vec<u8>, Error> {
    let uri = request.uri().to_string();
    let response = app.clone().oneshot(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes().to_vec();
    if status != StatusCode::OK {
        return Err(format!("{uri}: {status} {}", String::from_utf8_lossy(&body)).into());
    }
    Ok(body)
}

async fn get(app: &Router, uri: &str) -> Result<Vec<u8>, Error> {
    send(app, Request::get(uri).body(Body::empty())?).await
}

/// The month's check-in rows as the report selects them (two days either side), not
/// parsed.
async fn read_month(db: &Db) -> Result<Vec<u8>, Error> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM records WHERE kind = 'checkin' AND day BETWEEN '2026-10-30' AND '2026-12-02'",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(vec![0; rows.len()])
}

/// The same rows found by reading every check-in's device time (the query before
/// migration 0012).
async fn scan_month(db: &Db) -> Result<Vec<u8>, Error> {
    let device_time = db.dialect().json_text("body", &["data", "device_time"]);
    let sql = format!(
        "SELECT body FROM records WHERE kind = 'checkin'
         AND substr({device_time}, 1, 10) BETWEEN '2026-10-30' AND '2026-12-02'"
    );
    let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(db.pool()).await?;
    Ok(vec![0; rows.len()])
}
