//! Benchmark report (not a test): the city-wide monthly duty report, end to end through
//! the server's HTTP app, over a SQLite file seeded through the real push path with one
//! city's volunteer teams (`gatewatch_model::fixtures::DutyCity`: 273 teams, 10,827
//! volunteers, 20 sessions a team a month of ~39 participants, three months). Run by
//! `make bench`:
//!
//! ```sh
//! cargo run --profile server -p gatewatch-server --example duty_report_bench
//! ```
//!
//! With `GATEWATCH_BENCH_DATABASE_URL` (an empty PostgreSQL database), the same on
//! PostgreSQL instead of the SQLite file.
//!
//! Prints the seeding time, then each figure as min / median / max of `RUNS` runs: the
//! JSON report (as is, and compressed as a browser asks) and the hours CSV, city-wide and
//! for one team; two baselines measured in the same run: reading the month's session
//! rows without parsing them, and reading and parsing every stored session (what the
//! report would cost without the `month` column); and two parts of the work in process:
//! parsing the month's bodies and the model's `report::report`. Target: the city-wide
//! report in ≤ 300 ms.

use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use gatewatch_model::duty::DEFAULT_OPEN_LIMIT;
use gatewatch_model::fixtures::{DutyCity, DutyCitySize};
use gatewatch_model::report::{self, Month};
use gatewatch_model::{DeviceId, PushRequest, PushResponse, Record, RecordBody};
use gatewatch_server::db::{Db, Location};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod common;

use common::{row, RUNS};
/// The newest month of sessions; all are in the past, so open ones are auto-closed.
const LAST: Month = Month {
    year: 2025,
    month: 11,
};
/// A push body stays under the server's 2 MiB limit.
const BATCH_BYTES: usize = 1_500_000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let (database, state, app) = common::open(&dir, "duty.db").await?;

    let start = Instant::now();
    let city = DutyCity::new(DutyCitySize::CITY, LAST);
    let generated = start.elapsed();
    let participants: usize = city
        .sessions
        .iter()
        .map(|r| match &r.body {
            RecordBody::Duty(d) => d.participants.len(),
            _ => 0,
        })
        .sum();
    let start = Instant::now();
    let (pushes, bytes) = seed(&app, &city).await?;
    let seeded = start.elapsed();
    println!(
        "city: {} teams, {} volunteers, {} sessions over {} months ({:.1} participants a session); \
         generated in {:.1} s",
        city.teams.len(),
        city.volunteers.len(),
        city.sessions.len(),
        city.months.len(),
        participants as f64 / city.sessions.len() as f64,
        generated.as_secs_f64(),
    );
    let size = match &database {
        Location::File(path) => format!(
            "; database file {:.1} MB",
            file_mb(path) + file_mb(&path.with_extension("db-wal"))
        ),
        Location::Postgres(_) => String::new(),
    };
    println!(
        "seeded through POST /api/sync/push: {pushes} pushes, {:.1} MB of JSON, in {:.1} s{size}",
        bytes as f64 / 1e6,
        seeded.as_secs_f64(),
    );

    let month = LAST.to_string();
    let team = city.teams[0].id;
    let report = get(&app, &format!("/api/reports/duty?month={month}")).await?;
    let json: serde_json::Value = serde_json::from_slice(&report)?;
    println!(
        "report {month}: {} sessions, {} volunteers, {} teams, {} to confirm; JSON {:.1} MB, CSV {:.1} MB",
        json["sessions"],
        json["volunteers"].as_array().map_or(0, Vec::len),
        json["teams"].as_array().map_or(0, Vec::len),
        json["to_confirm"],
        report.len() as f64 / 1e6,
        get(&app, &format!("/api/export/duty-hours.csv?month={month}"))
            .await?
            .len() as f64
            / 1e6,
    );
    let before = common::CpuTimes::now();
    println!();
    println!("| figure ({RUNS} runs) | min | median | max |");
    println!("|---|---:|---:|---:|");
    let uri = format!("/api/reports/duty?month={month}");
    row(
        "GET /api/reports/duty, city-wide month (target ≤ 300 ms)",
        || get(&app, &uri),
    )
    .await?;
    let uri = format!("/api/export/duty-hours.csv?month={month}");
    row("GET /api/export/duty-hours.csv, city-wide month", || {
        get(&app, &uri)
    })
    .await?;
    let uri = format!("/api/reports/duty?month={month}");
    row(
        "the same, `Accept-Encoding: br` (as a browser asks)",
        || get_encoded(&app, &uri, "br"),
    )
    .await?;
    row("the same, `Accept-Encoding: gzip`", || {
        get_encoded(&app, &uri, "gzip")
    })
    .await?;
    let uri = format!("/api/reports/duty?month={month}&team={team}");
    row("GET /api/reports/duty, one team's month", || {
        get(&app, &uri)
    })
    .await?;
    row(
        "baseline: read the month's session rows (no parsing)",
        || read_month(&state.db, &month),
    )
    .await?;
    row("baseline: read and parse every stored session", || {
        parse_all(&state.db)
    })
    .await?;
    // Parts of the report, in process: what the server cannot make faster itself.
    let bodies: Vec<String> = city
        .sessions
        .iter()
        .filter(|r| matches!(&r.body, RecordBody::Duty(d) if Month::of(d.start) == LAST))
        .map(serde_json::to_string)
        .collect::<Result<_, _>>()?;
    row(
        "part: parse the month's session bodies, one thread",
        || async {
            let parsed = bodies
                .iter()
                .map(|b| serde_json::from_str::<Record>(b))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(vec![0; parsed.len()])
        },
    )
    .await?;
    let now = chrono::Utc::now().fixed_offset();
    row(
        "part: `report::report` over the month's parsed sessions",
        || async {
            let sessions =
                report::duty_sessions(&city.sessions).filter(|s| Month::of(s.start) == LAST);
            let r = report::report(sessions, now, DEFAULT_OPEN_LIMIT);
            Ok(vec![0; r.volunteers.len()])
        },
    )
    .await?;
    println!();
    common::print_load(before);
    state.db.close().await;
    Ok(())
}

type Error = Box<dyn std::error::Error>;

/// Pushes every record of `city` as its lead's phone would, in batches under the body
/// limit; fails on any rejection. Returns the number of pushes and bytes sent.
async fn seed(app: &Router, city: &DutyCity) -> Result<(usize, usize), Error> {
    let device = DeviceId::new("benchseed")?;
    let mut batches: Vec<Vec<Record>> = vec![Vec::new()];
    let mut size = 0;
    for record in city.records() {
        let len = serde_json::to_string(record)?.len();
        let last = batches.last_mut().ok_or("no batch")?;
        if size + len > BATCH_BYTES || last.len() == gatewatch_model::MAX_PUSH_BATCH {
            batches.push(Vec::new());
            size = 0;
        }
        batches.last_mut().ok_or("no batch")?.push(record.clone());
        size += len;
    }
    let mut bytes = 0;
    for records in &batches {
        let body = serde_json::to_vec(&PushRequest {
            device: device.clone(),
            records: records.clone(),
        })?;
        bytes += body.len();
        let request = Request::post("/api/sync/push")
            .header("content-type", "application/json")
            .body(Body::from(body))?;
        let response = app.clone().oneshot(request).await?;
        let status = response.status();
        let answer = response.into_body().collect().await?.to_bytes();
        if status != StatusCode::OK {
            return Err(format!("push: {status} {}", String::from_utf8_lossy(&answer)).into());
        }
        let pushed: PushResponse = serde_json::from_slice(&answer)?;
        if !pushed.rejected.is_empty() {
            return Err(format!("push rejected: {:?}", pushed.rejected[0]).into());
        }
    }
    Ok((batches.len(), bytes))
}

/// `GET uri` through the app, expecting a 200; the body.
async fn get(app: &Router, uri: &str) -> Result<Vec<u8>, Error> {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty())?)
        .await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes().to_vec();
    if status != StatusCode::OK {
        return Err(format!("{uri}: {status} {}", String::from_utf8_lossy(&body)).into());
    }
    Ok(body)
}

/// `GET uri` asking for a compressed answer; the compressed body.
async fn get_encoded(app: &Router, uri: &str, encoding: &str) -> Result<Vec<u8>, Error> {
    let request = Request::get(uri)
        .header("accept-encoding", encoding)
        .body(Body::empty())?;
    let response = app.clone().oneshot(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes().to_vec();
    if status != StatusCode::OK {
        return Err(format!("{uri}: {status}").into());
    }
    Ok(body)
}

async fn read_month(db: &Db, month: &str) -> Result<Vec<u8>, Error> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT body FROM records WHERE kind = 'duty' AND month = $1")
            .bind(month)
            .fetch_all(db.pool())
            .await?;
    Ok(vec![0; rows.len()])
}

async fn parse_all(db: &Db) -> Result<Vec<u8>, Error> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT body FROM records WHERE kind = 'duty'")
        .fetch_all(db.pool())
        .await?;
    let records = rows
        .iter()
        .map(|b| serde_json::from_str::<Record>(b))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(vec![0; records.len()])
}

fn file_mb(path: &std::path::Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6)
}
