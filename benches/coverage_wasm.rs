//! Benchmark report (not a test): the city-year coverage computed in headless Chromium
//! by the same model code, built as the app is (release profile: opt-level z, LTO):
//! visits from the check-ins, every gate's verdicts and every assignment's.
//! Run by `make bench`: `CHROMEDRIVER=/usr/bin/chromedriver cargo bench --target
//! wasm32-unknown-unknown -p gatewatch --bench coverage_wasm`.
#![cfg(target_arch = "wasm32")]

use gatewatch_model::coverage::{coverage, Visits};
use gatewatch_model::fixtures::CityYear;
use gatewatch_model::roster::assignment_verdicts;
use wasm_bindgen_test::{wasm_bindgen_bench, Criterion};

/// 288 gates × 3 windows × the school days of 2026 with a roster, from ~400,000
/// check-ins (target ≤ 1 s).
#[wasm_bindgen_bench]
fn city_year_coverage(c: &mut Criterion) {
    let city = CityYear::new();
    c.bench_function(
        "coverage + assignments: 288 gates x 3 windows x 2026's school days",
        |b| {
            b.iter(|| {
                let visits = Visits::new(&city.checks);
                let days = city.first..=city.last;
                let (cal, schools, posts) = (&city.calendar, &city.schools, &city.posts);
                let cells = coverage(cal, schools, posts, &visits, days, city.now).len();
                let assigned =
                    assignment_verdicts(cal, schools, posts, &visits, &city.assignments, city.now);
                cells + assigned.len()
            })
        },
    );
}
