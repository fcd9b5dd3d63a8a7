//! Benchmark report (not a test): a lead's phone holding one team of 60 volunteers
//! with two years of duty sessions (20 a month) — how much of the 5 MiB localStorage
//! quota it takes in the stored form, with and without the 90-day retention, and how
//! long the monthly team report takes natively (the phone's figure comes from
//! benches/duty_wasm.rs). Run by `make bench`:
//! `cargo run --profile server -p gatewatch-model --features fixtures --example team_storage`.

use std::time::Instant;

use gatewatch_model::duty::DEFAULT_OPEN_LIMIT;
use gatewatch_model::fixtures::{DutyCity, DutyCitySize};
use gatewatch_model::monthly::team_month;
use gatewatch_model::report::Month;
use gatewatch_model::retention::{expired, DEFAULT_RETENTION_DAYS};
use gatewatch_model::stored::{encode, LocalRecord};

/// localStorage quota in UTF-16 code units, as measured in Chromium (BENCHMARKS.md).
const QUOTA_UNITS: usize = 5_242_877;
/// `gw:r:` + a UUID: the key of one stored record.
const KEY_UNITS: usize = 5 + 36;

/// The lead's team: one team, 60 volunteers, 24 months of 20 sessions.
pub const LEAD_TEAM: DutyCitySize = DutyCitySize {
    teams: 1,
    volunteers: 60,
    sessions_per_team_month: 20,
    months: 24,
};

fn main() {
    let last = Month {
        year: 2026,
        month: 11,
    };
    let city = DutyCity::new(LEAD_TEAM, last);
    let held: Vec<LocalRecord> = city
        .records()
        .map(|r| LocalRecord {
            synced: true,
            ..LocalRecord::new_unsynced(r.clone())
        })
        .collect();
    let units = |l: &LocalRecord| KEY_UNITS + encode(l).encode_utf16().count();
    let all: usize = held.iter().map(units).sum();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
    let kept: Vec<&LocalRecord> = held
        .iter()
        .filter(|l| !expired(l, today, DEFAULT_RETENTION_DAYS))
        .collect();
    let kept_units: usize = kept.iter().map(|l| units(l)).sum();
    let percent = |u: usize| u as f64 * 100.0 / QUOTA_UNITS as f64;
    println!(
        "lead's team: {} records ({} sessions), {all} units = {:.1}% of the quota",
        held.len(),
        city.sessions.len(),
        percent(all)
    );
    println!(
        "after {DEFAULT_RETENTION_DAYS}-day retention on {today}: {} records, {kept_units} units = {:.1}% of the quota",
        kept.len(),
        percent(kept_units)
    );

    let team = city.teams[0].id;
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T20:00:00+08:00").unwrap_or_default();
    let records: Vec<_> = city.records().cloned().collect();
    let runs = 50;
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let m = team_month(&records, team, last, 3, now, DEFAULT_OPEN_LIMIT);
            std::hint::black_box(m);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "monthly team report natively over 2 years of sessions: median {:.2} ms, max {:.2} ms ({runs} runs)",
        times[runs / 2],
        times[runs - 1]
    );
}
