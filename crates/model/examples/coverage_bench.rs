//! Benchmark report (not a test): coverage for one city-year — 288 gates × 3 windows ×
//! the school days of 2026 (the national calendar), with a roster of one officer per
//! slot — as the server computes it: visits built from the check-ins, every gate's
//! verdicts, every assignment's verdicts.
//! Run by `make bench`: `cargo run --profile server -p gatewatch-model --features
//! fixtures --example coverage_bench`. The browser figure: benches/coverage_wasm.rs.

use std::time::Instant;

use gatewatch_model::coverage::{coverage, Rate, Visits};
use gatewatch_model::fixtures::{CityYear, SCHOOLS};
use gatewatch_model::roster::assignment_verdicts;

/// Runs timed (`COVERAGE_RUNS` overrides: on a loaded machine, the CPU time of N runs
/// less that of one, from `perf stat`, says more than wall time).
fn runs() -> usize {
    std::env::var("COVERAGE_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(15)
        .max(1)
}

fn main() {
    let runs = runs();
    let city = CityYear::new();
    let mut times = Vec::with_capacity(runs);
    let mut summary = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        let visits = Visits::new(&city.checks);
        let built = start.elapsed();
        let cells = coverage(
            &city.calendar,
            &city.schools,
            &city.posts,
            &visits,
            city.first..=city.last,
            city.now,
        );
        let judged = start.elapsed();
        let verdicts = assignment_verdicts(
            &city.calendar,
            &city.schools,
            &city.posts,
            &visits,
            &city.assignments,
            city.now,
        );
        let total = start.elapsed();
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        times.push((ms(total), ms(built), ms(judged - built), ms(total - judged)));
        let assigned = Rate::of_statuses(
            verdicts
                .iter()
                .filter_map(|v| Some(v.due.as_ref()?.own.status)),
        );
        summary = format!(
            "{} gate windows due, gate rate {:.1}%; {} assignments, own rate {:.1}%",
            cells.len(),
            Rate::of(&cells).percent().unwrap_or(0.0),
            verdicts.len(),
            assigned.percent().unwrap_or(0.0),
        );
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (total, built, cells, assignments) = times[runs / 2];
    println!(
        "coverage: {SCHOOLS} gates × 3 windows × the school days of 2026 from {} check-ins; {summary}",
        city.checks.len(),
    );
    println!(
        "native, {runs} runs: min {:.1} ms, median {total:.1} ms (visits {built:.1} + gates {cells:.1} + assignments {assignments:.1}), max {:.1} ms (target ≤ 200 ms)",
        times[0].0,
        times[runs - 1].0,
    );
}
