//! Benchmark report (not a test): the lead's monthly team report built in headless
//! Chromium by the same model code the 月报 screen runs, over a team of 60 volunteers
//! with two years of sessions held on the phone (no retention: the worst case).
//! Run by `make bench`: `CHROMEDRIVER=/usr/bin/chromedriver cargo bench --target
//! wasm32-unknown-unknown -p gatewatch --bench duty_wasm`. Target ≤ 50 ms.
#![cfg(target_arch = "wasm32")]

use gatewatch_model::duty::DEFAULT_OPEN_LIMIT;
use gatewatch_model::fixtures::{DutyCity, DutyCitySize};
use gatewatch_model::monthly::team_month;
use gatewatch_model::report::Month;
use wasm_bindgen_test::{wasm_bindgen_bench, Criterion};

#[wasm_bindgen_bench]
fn lead_team_monthly_report(c: &mut Criterion) {
    let last = Month {
        year: 2026,
        month: 11,
    };
    let size = DutyCitySize {
        teams: 1,
        volunteers: 60,
        sessions_per_team_month: 20,
        months: 24,
    };
    let city = DutyCity::new(size, last);
    let team = city.teams[0].id;
    let records: Vec<_> = city.records().cloned().collect();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T20:00:00+08:00").unwrap();
    c.bench_function("monthly report: team of 60, 2 years of sessions", |b| {
        b.iter(|| team_month(&records, team, last, 3, now, DEFAULT_OPEN_LIMIT))
    });
}
