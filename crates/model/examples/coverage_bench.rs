//! Benchmark report (not a test): coverage for one city-year — 288 schools × 3 windows
//! × 365 days — from about one arrival per window, as the server computes it.
//! Run by `make bench`: `cargo run --profile server -p gatewatch-model --features
//! fixtures --example coverage_bench`. The browser figure: benches/coverage_wasm.rs.

use std::time::Instant;

use gatewatch_model::coverage::{coverage, Rate};
use gatewatch_model::fixtures::{CityYear, DAYS, SCHOOLS};

const RUNS: usize = 15;

fn main() {
    let CityYear {
        schools,
        arrivals,
        first,
        last,
        now,
    } = CityYear::new();
    let mut times = Vec::with_capacity(RUNS);
    let mut rate = Rate::default();
    for _ in 0..RUNS {
        let start = Instant::now();
        let cells = coverage(&schools, &arrivals, first..=last, now);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        rate = Rate::of(&cells);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "coverage: {SCHOOLS} schools × 3 windows × {DAYS} days from {} arrivals; rate {:.1}%",
        arrivals.len(),
        rate.percent().unwrap_or(0.0)
    );
    println!(
        "native, {RUNS} runs: min {:.1} ms, median {:.1} ms, max {:.1} ms (target ≤ 200 ms)",
        times[0],
        times[RUNS / 2],
        times[RUNS - 1]
    );
}
