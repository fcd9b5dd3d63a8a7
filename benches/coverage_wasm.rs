//! Benchmark report (not a test): the city-year coverage computed in headless Chromium
//! by the same model code, built as the app is (release profile: opt-level z, LTO).
//! Run by `make bench`: `CHROMEDRIVER=/usr/bin/chromedriver cargo bench --target
//! wasm32-unknown-unknown -p gatewatch --bench coverage_wasm`.
#![cfg(target_arch = "wasm32")]

use gatewatch_model::coverage::coverage;
use gatewatch_model::fixtures::CityYear;
use wasm_bindgen_test::{wasm_bindgen_bench, Criterion};

/// 288 schools × 3 windows × 365 days from ~300,000 arrivals (target ≤ 1 s).
#[wasm_bindgen_bench]
fn city_year_coverage(c: &mut Criterion) {
    let CityYear {
        schools,
        arrivals,
        first,
        last,
        now,
    } = CityYear::new();
    c.bench_function("coverage: 288 schools x 3 windows x 365 days", |b| {
        b.iter(|| coverage(&schools, &arrivals, first..=last, now).len())
    });
}
