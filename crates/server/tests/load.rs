//! A small morning peak through the real binary on loopback: phones that log in, pull,
//! push check-ins and pull again (`examples/load/phones.rs`, what `load_bench` runs at
//! full size), all at once. Asserts no errors, never timing: the figures are
//! `load_bench`'s, in BENCHMARKS.md.

mod common;
// The benchmark reads each request's kind and time; this test only its errors.
#[allow(dead_code)]
#[path = "../examples/load/phones.rs"]
mod phones;

use std::time::Duration;

use common::{RealServer, ADMIN_PASSWORD};
use phones::{Arrival, CHECK_INS};

/// Phones in the run: 500, the morning peak, in `make soak`; fewer in `make test`.
fn phones() -> usize {
    common::soak_or(500, 60)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_morning_peak_gets_no_errors() {
    let phone_count = phones();
    let real = RealServer::with_officers(phone_count).await;
    let server = &real.server;
    let arrival = Arrival {
        spread: Duration::ZERO,
        seed: 13,
    };
    let outcomes = phones::run(&server.base, phone_count, ADMIN_PASSWORD, arrival).await;
    let errors: Vec<_> = outcomes.iter().filter_map(|o| o.error.as_ref()).collect();
    assert!(
        errors.is_empty(),
        "{} errors, e.g. {:?}",
        errors.len(),
        errors[0]
    );
    // Every phone did its whole morning: a login, two pulls, its pushes.
    assert_eq!(outcomes.len(), phone_count * (1 + 2 + CHECK_INS));
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
        .fetch_one(
            gatewatch_server::db::open(&real.database.location)
                .await
                .unwrap()
                .pool(),
        )
        .await
        .unwrap();
    assert_eq!(held, i64::try_from(phone_count * CHECK_INS).unwrap());
}
