//! Benchmark report (not a test): how many phone pushes a second one database takes,
//! and what acknowledging only commits that are on disk costs.
//! Writes take turns (`db::Db::begin_write`, across every server process), so this is
//! the figure that bounds a province's servers on one database, whatever their number.
//!
//! ```sh
//! cargo run --profile server -p gatewatch-server --example push_bench
//! GATEWATCH_BENCH_DATABASE_URL=postgres://…/empty_db \
//!   cargo run --profile server -p gatewatch-server --example push_bench
//! ```
//!
//! Each push is a phone's usual sync: two new check-ins, through the server's whole
//! HTTP app (`app()`, no socket: session check, access rule, gate-code verdict, feed and
//! history rows, the JSON answer). `PUSHES` pushes are sent by 1 phone at a time, then
//! by 8 and 32 phones at once; each level prints pushes a second, its ratio to one phone
//! at a time and the latency of a push. Each level runs twice on the same database, one
//! after the other: with the server's durability (`Durability::PowerCut`: SQLite
//! `synchronous = FULL`, PostgreSQL `synchronous_commit = on`) and with commits that
//! only survive a process crash (`ProcessCrash`: `NORMAL` / `off`), the baseline of
//! the "× crash-only" ratio, measured in the same run.

mod common;
// Only its check-in: the phones are `load_bench`'s.
#[allow(dead_code)]
#[path = "load/phones.rs"]
mod phones;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::Utc;
use gatewatch_model::{Clock, DeviceId, PushRequest, PushResponse, Record};
use gatewatch_server::db::{self, Durability};
use gatewatch_server::AppState;
use http_body_util::BodyExt;
use tower::ServiceExt;
use uuid::Uuid;

use common::Error;

/// Pushes per level.
const PUSHES: usize = 1_600;
const PHONES_AT_ONCE: [usize; 3] = [1, 8, 32];

#[tokio::main]
async fn main() -> Result<(), Error> {
    let dir = tempfile::tempdir()?;
    let (location, state, durable) = common::open(&dir, "push.db").await?;
    // The same database through a pool of its own whose commits only survive a crash.
    let crash_only = AppState {
        db: db::open_with(&location, Durability::ProcessCrash).await?,
        ..state.clone()
    };
    let crash_only_app = common::signed_in(gatewatch_server::app(crash_only.clone())).await?;
    // Warm up: the pools' connections opened, the statements prepared.
    level(&durable, 4, 200).await?;
    level(&crash_only_app, 4, 200).await?;

    println!();
    println!(
        "| commits survive | phones at once | pushes | pushes/s | × one at a time | \
         × crash-only | p50 | p95 | max |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut one_at_a_time = [None, None];
    for phones in PHONES_AT_ONCE {
        let mut crash_only_rate = None;
        for (n, (label, app)) in [
            ("a process crash", &crash_only_app),
            ("a power cut", &durable),
        ]
        .into_iter()
        .enumerate()
        {
            let result = level(app, phones, PUSHES).await?;
            let rate = PUSHES as f64 / result.wall.as_secs_f64();
            let base = *one_at_a_time[n].get_or_insert(rate);
            let crash_only = *crash_only_rate.get_or_insert(rate);
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "| {label} | {phones} | {PUSHES} | {rate:.0} | {:.2}× | {:.2}× | {:.1} ms | \
                 {:.1} ms | {:.1} ms |",
                rate / base,
                rate / crash_only,
                ms(result.latency[result.latency.len() / 2]),
                ms(result.latency[result.latency.len() * 95 / 100]),
                ms(*result.latency.last().ok_or("no pushes")?),
            );
        }
    }
    crash_only.db.close().await;
    state.db.close().await;
    Ok(())
}

struct Level {
    wall: Duration,
    /// Every push's time, sorted.
    latency: Vec<Duration>,
}

/// `pushes` pushes shared out among `phones` tasks pushing at once.
async fn level(app: &Router, phones: usize, pushes: usize) -> Result<Level, Error> {
    let app = Arc::new(app.clone());
    let start = Instant::now();
    let tasks: Vec<_> = (0..phones)
        .map(|n| {
            let app = app.clone();
            let mine = pushes / phones + usize::from(n < pushes % phones);
            tokio::spawn(async move { phone(&app, n, mine).await.map_err(|e| e.to_string()) })
        })
        .collect();
    let mut latency = Vec::with_capacity(pushes);
    for task in tasks {
        latency.extend(task.await??);
    }
    let wall = start.elapsed();
    latency.sort();
    Ok(Level { wall, latency })
}

/// One phone's `pushes` syncs of two new check-ins each; the time of each.
async fn phone(app: &Router, n: usize, pushes: usize) -> Result<Vec<Duration>, Error> {
    let device = DeviceId::new(format!("benchphone{n}"))?;
    let mut clock = Clock::new(device.clone());
    let mut times = Vec::with_capacity(pushes);
    for _ in 0..pushes {
        let records = (0..2)
            .map(|_| {
                let now = Utc::now();
                let version = clock.tick(u64::try_from(now.timestamp_millis()).unwrap_or(0));
                Record::new(Uuid::new_v4(), version, phones::check_in("s01-g1", now))
            })
            .collect();
        let body = serde_json::to_vec(&PushRequest {
            device: device.clone(),
            records,
        })?;
        let request = Request::post("/api/sync/push")
            .header("content-type", "application/json")
            .body(Body::from(body))?;
        let start = Instant::now();
        let response = app.clone().oneshot(request).await?;
        let status = response.status();
        let answer = response.into_body().collect().await?.to_bytes();
        times.push(start.elapsed());
        if status != StatusCode::OK {
            return Err(format!("push: {status} {}", String::from_utf8_lossy(&answer)).into());
        }
        let pushed: PushResponse = serde_json::from_slice(&answer)?;
        if pushed.acks.len() != 2 {
            return Err(format!("push not taken: {:?}", pushed.rejected).into());
        }
    }
    Ok(times)
}
