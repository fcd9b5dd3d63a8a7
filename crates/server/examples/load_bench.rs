//! Benchmark report (not a test): a morning peak of phones against one real server
//! process on loopback. Each phone logs in once as its own officer, pulls, pushes three
//! check-ins one by one and pulls again (`load/phones.rs`): 500 phones arriving within
//! a minute, then 2,000 phones at once. Prints, per run, the p50 / p95 / p99 of logins,
//! pushes and pulls, the errors, the requests a second and the server's RSS.
//!
//! ```sh
//! make server   # target/server/gatewatch-server, the binary measured
//! cargo run --profile server -p gatewatch-server --example load_bench       # SQLite
//! scripts/with-postgres.sh \
//!   cargo run --profile server -p gatewatch-server --example load_bench       # PostgreSQL
//! ```
//!
//! `GATEWATCH_LOAD_RUNS=500:60,2000:0` sets the runs (phones:arrival window in
//! seconds); `GATEWATCH_SERVER_BIN` another binary. Each run gets a fresh database, as the
//! server tests make them (`tests/common/database.rs`: a temp SQLite file, or a new
//! PostgreSQL database on the server `GATEWATCH_TEST_POSTGRES` names, dropped after).

// Only its `TestDatabase::new` and drop: the rest serves the tests.
#[allow(dead_code)]
#[path = "../tests/common/database.rs"]
mod database;
#[path = "load/phones.rs"]
mod phones;
// Not its `kill`: the tests that kill the server use it.
#[allow(dead_code)]
#[path = "../tests/common/process.rs"]
mod process;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gatewatch_server::db::Location;
use phones::{Arrival, Call, Outcome};
use process::ServerProcess;

type Error = Box<dyn std::error::Error>;

const PASSWORD: &str = "load-bench-password";

#[tokio::main]
async fn main() -> Result<(), Error> {
    let runs = std::env::var("GATEWATCH_LOAD_RUNS").unwrap_or_else(|_| "500:60,2000:0".into());
    let binary = std::env::var_os("GATEWATCH_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/server/gatewatch-server")
        });
    if !binary.exists() {
        return Err(format!("no server binary at {} (make server)", binary.display()).into());
    }
    println!();
    println!("| database | phones | arrival | requests | errors | req/s | login p50 / p95 / p99 | push p50 / p95 / p99 | pull p50 / p95 / p99 | RSS peak / after |");
    println!("|---|---:|---|---:|---:|---:|---|---|---|---|");
    for run in runs.split(',') {
        let (phones, spread) = run
            .split_once(':')
            .ok_or("GATEWATCH_LOAD_RUNS: phones:seconds,…")?;
        let phones: usize = phones.trim().parse()?;
        let spread = Duration::from_secs(spread.trim().parse()?);
        measure(&binary, phones, spread).await?;
    }
    Ok(())
}

async fn measure(binary: &Path, phones: usize, spread: Duration) -> Result<(), Error> {
    let dir = tempfile::tempdir()?;
    let database = database::TestDatabase::new(dir.path()).await;
    let location = database.location.clone();
    let kind = match location {
        Location::File(_) => "SQLite",
        Location::Postgres(_) => "PostgreSQL",
    };
    let server = ServerProcess::start(binary, &location, &dir.path().join("dist"), PASSWORD).await;
    process::add_officers(&location, phones).await;
    let peak = Arc::new(AtomicU64::new(0));
    let pid = server.process.id().ok_or("the server exited")?;
    let sampler = tokio::spawn(sample_rss(pid, peak.clone()));
    let started = Instant::now();
    let arrival = Arrival { spread, seed: 13 };
    let outcomes = phones::run(&server.base, phones, PASSWORD, arrival).await;
    let wall = started.elapsed();
    sampler.abort();
    let after = server.rss_kib().unwrap_or(0);
    let errors: Vec<&Outcome> = outcomes.iter().filter(|o| o.error.is_some()).collect();
    let arrival = match spread.is_zero() {
        true => "at once".to_owned(),
        false => format!("within {} s", spread.as_secs()),
    };
    println!(
        "| {kind} | {phones} | {arrival} | {} | {} | {:.0} | {} | {} | {} | {} / {} MiB |",
        outcomes.len(),
        errors.len(),
        outcomes.len() as f64 / wall.as_secs_f64(),
        percentiles(&outcomes, Call::Login),
        percentiles(&outcomes, Call::Push),
        percentiles(&outcomes, Call::Pull),
        peak.load(Ordering::Relaxed).max(after) / 1024,
        after / 1024,
    );
    if let Some(first) = errors.first() {
        eprintln!("first error: {:?} {:?}", first.call, first.error);
    }
    // Stopped before its database is dropped.
    drop(server);
    drop(database);
    Ok(())
}

/// "12 / 40 / 85 ms" for the calls of one kind that succeeded.
fn percentiles(outcomes: &[Outcome], call: Call) -> String {
    let mut times: Vec<Duration> = outcomes
        .iter()
        .filter(|o| o.call == call && o.error.is_none())
        .map(|o| o.took)
        .collect();
    if times.is_empty() {
        return "—".into();
    }
    times.sort();
    let at = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)].as_secs_f64() * 1e3;
    format!("{:.0} / {:.0} / {:.0} ms", at(50), at(95), at(99))
}

/// Keeps the highest VmRSS of process `pid` seen, every 100 ms.
async fn sample_rss(pid: u32, peak: Arc<AtomicU64>) {
    loop {
        if let Some(kib) = process::rss_of(pid) {
            peak.fetch_max(kib, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
