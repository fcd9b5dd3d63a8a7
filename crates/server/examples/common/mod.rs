//! What the benchmark reports share: their database (a temp SQLite file, or the
//! PostgreSQL database in `GATEWATCH_BENCH_DATABASE_URL`) and the app signed in as its
//! admin; the timing of one figure.

// Each benchmark uses a different part of this.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderValue, Request};
use axum::Router;
use gatewatch_server::db::Location;
use gatewatch_server::AppState;
use tempfile::TempDir;
use tower::util::MapRequestLayer;
use tower::ServiceExt;

pub type Error = Box<dyn std::error::Error>;

/// Opens the benchmark's database (`file` in `dir`, unless PostgreSQL is given) as a
/// fresh server does; returns where it is, the state and the app signed in as admin.
pub async fn open(dir: &TempDir, file: &str) -> Result<(Location, AppState, Router), Error> {
    let database = match std::env::var("GATEWATCH_BENCH_DATABASE_URL") {
        Ok(url) => Location::from_flags(dir.path(), Some(&url))?,
        Err(_) => Location::File(dir.path().join(file)),
    };
    let (state, app) = open_at(dir, database.clone()).await?;
    Ok((database, state, app))
}

/// Opens the (empty) database at `database` as a fresh server does: the state and the
/// app signed in as its admin.
pub async fn open_at(dir: &TempDir, database: Location) -> Result<(AppState, Router), Error> {
    println!("database: {database}");
    let (state, _) = AppState::open_with(
        database,
        dir.path().join("dist"),
        Some(ADMIN_PASSWORD.into()),
        false,
    )
    .await?;
    let app = signed_in(gatewatch_server::app(state.clone())).await?;
    Ok((state, app))
}

/// The password of the benchmark database's admin, who seeds and reads it all.
const ADMIN_PASSWORD: &str = "bench-admin-password";

/// `app` with every request sent as its admin (see `signed_in_as`).
pub async fn signed_in(app: Router) -> Result<Router, Error> {
    signed_in_as(app, "admin", ADMIN_PASSWORD).await
}

/// `app` with every request sent as `username`: logged in once, each request then
/// carrying the session cookie and the `X-Gatewatch` header, as the phone's do.
pub async fn signed_in_as(app: Router, username: &str, password: &str) -> Result<Router, Error> {
    let login = serde_json::json!({
        "username": username,
        "password": password,
        "device": "benchseed",
    });
    let request = Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .header("x-gatewatch", "1")
        .body(Body::from(login.to_string()))?;
    let response = app.clone().oneshot(request).await?;
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .find(|c| c.starts_with("gw_session="))
        .ok_or_else(|| format!("login: {}", response.status()))?;
    let cookie = HeaderValue::from_str(cookie)?;
    Ok(
        app.layer(MapRequestLayer::new(move |mut request: Request<Body>| {
            let headers = request.headers_mut();
            headers.insert(header::COOKIE, cookie.clone());
            headers.insert("x-gatewatch", HeaderValue::from_static("1"));
            request
        })),
    )
}

/// How many times each figure is timed.
pub const RUNS: usize = 15;

/// Runs `work` `RUNS` times (after one warm-up) and prints a table row of its times:
/// min, median, max.
pub async fn row<F, Fut>(name: &str, mut work: F) -> Result<(), Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<u8>, Error>>,
{
    work().await?;
    let mut times: Vec<std::time::Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = std::time::Instant::now();
        work().await?;
        times.push(start.elapsed());
    }
    times.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {name} | {:.1} ms | {:.1} ms | {:.1} ms |",
        ms(times[0]),
        ms(times[RUNS / 2]),
        ms(times[RUNS - 1])
    );
    Ok(())
}

/// CPU time of the whole machine and of this process, in clock ticks (Linux): on a
/// 2-core machine anything else running shows in the figures, so the report says how
/// much else ran while it timed.
#[derive(Debug, Clone, Copy)]
pub struct CpuTimes {
    total: u64,
    busy: u64,
    own: u64,
}

impl CpuTimes {
    pub fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let cpu: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .filter_map(|n| n.parse().ok())
            .collect();
        let total: u64 = cpu.iter().take(8).sum();
        // idle and iowait
        let busy = total - cpu.get(3)? - cpu.get(4)?;
        let own_stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command's closing parenthesis; utime and stime are the 12th
        // and 13th of those.
        let fields: Vec<u64> = own_stat
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .map(|n| n.parse().unwrap_or(0))
            .collect();
        let own = fields.get(11)? + fields.get(12)?;
        Some(CpuTimes { total, busy, own })
    }

    fn others_share(&self, since: &CpuTimes) -> f64 {
        let others = (self.busy - since.busy).saturating_sub(self.own - since.own);
        others as f64 / (self.total - since.total).max(1) as f64
    }

    fn own_share(&self, since: &CpuTimes) -> f64 {
        (self.own - since.own) as f64 / (self.total - since.total).max(1) as f64
    }
}

/// Says how much of the machine other processes took since `before` (figures taken
/// while a build runs are slower), or that it is not known.
pub fn print_load(before: Option<CpuTimes>) {
    match (before, CpuTimes::now()) {
        (Some(a), Some(b)) => println!(
            "while timing, other processes used {:.0} % of the machine's {} cores \
             (this one {:.0} %)",
            b.others_share(&a) * 100.0,
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            b.own_share(&a) * 100.0
        ),
        _ => println!("(no /proc/stat: other processes' load unknown)"),
    }
}
