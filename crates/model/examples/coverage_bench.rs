//! Benchmark report (not a test): coverage for one city-year — 288 schools × 3 windows
//! × 365 days — from about one arrival per window, as the server computes it.
//! Run: `cargo run --release -p gatewatch-model --example coverage_bench`.
//! The browser figure comes from tests/e2e/bench.mjs running the same code as wasm.

use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use gatewatch_model::coverage::{coverage, Arrival, Rate};
use gatewatch_model::record::Presence;
use gatewatch_model::school::{default_windows, School, DEFAULT_UTC_OFFSET_MINUTES};

const SCHOOLS: usize = 288;
const DAYS: i64 = 365;
const RUNS: usize = 15;

fn main() {
    let schools: Vec<School> = (0..SCHOOLS)
        .map(|i| School {
            id: format!("s{i:03}"),
            name: format!("学校{i}"),
            windows: default_windows(),
            lead_minutes: 15,
            utc_offset_minutes: DEFAULT_UTC_OFFSET_MINUTES,
        })
        .collect();
    let first = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date");
    let last = first + Duration::days(DAYS - 1);
    let arrivals = city_year(&schools, first);
    let now = Utc.from_utc_datetime(
        &(last + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("valid"),
    );

    let mut times = Vec::with_capacity(RUNS);
    let mut cells = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        cells = coverage(&schools, &arrivals, first..=last, now);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let rate = Rate::of(&cells);
    println!(
        "coverage: {} schools × 3 windows × {} days = {} cells from {} arrivals; rate {:.1}%",
        SCHOOLS,
        DAYS,
        cells.len(),
        arrivals.len(),
        rate.percent().unwrap_or(0.0)
    );
    println!(
        "native, {} runs: min {:.1} ms, median {:.1} ms, max {:.1} ms (target ≤ 200 ms)",
        RUNS,
        times[0],
        times[RUNS / 2],
        times[RUNS - 1]
    );
}

/// One arrival per window, spread over the 90 minutes before it opens, with a few
/// missing flags and missed windows, from a fixed pseudo-random sequence.
fn city_year(schools: &[School], first: NaiveDate) -> Vec<Arrival> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut out = Vec::new();
    for school in schools {
        for d in 0..DAYS {
            for window in school.windows_on(first + Duration::days(d)) {
                let r = next();
                if r % 20 == 0 {
                    continue; // missed
                }
                out.push(Arrival {
                    place: school.id.clone(),
                    at: window.opens - Duration::minutes((r % 90) as i64),
                    presence: Presence::from_bits(if r % 13 == 0 { 3 } else { 7 }),
                });
            }
        }
    }
    out
}
