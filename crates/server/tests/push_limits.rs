//! What one account may push a day (`gatewatch_model::quota`): over the limit a push is
//! refused whole with 429 `push_limit` and Retry-After, nothing of it stored; repeats
//! are free, colleagues and admins unaffected, and the same push goes through once the
//! day's window has freed (the server's clock moved, not slept).

mod common;

use axum::http::{header, StatusCode};
use common::{record, TestApp};
use gatewatch_model::quota::PushLimits;
use gatewatch_model::{PushRequest, Record};

/// An app whose accounts may push `records` records and `bytes` bytes a day.
async fn limited(records: u64, bytes: u64) -> TestApp {
    let mut t = TestApp::new().await;
    t.state.push_limits = PushLimits {
        records_per_day: records,
        bytes_per_day: bytes,
    };
    t
}

async fn officer(t: &TestApp, name: &str) -> TestApp {
    let (_, session) = t.user(name, "officer", &["s01"], &[]).await;
    t.as_user(&session)
}

/// A push of `records`, answered as it is (no status expected).
async fn try_push(t: &TestApp, records: &[Record]) -> common::TestResponse {
    let body = PushRequest {
        device: common::device(),
        records: records.to_vec(),
    };
    t.post_json("/api/sync/push", serde_json::to_vec(&body).unwrap())
        .await
}

fn records(ids: std::ops::Range<u128>) -> Vec<Record> {
    ids.map(|n| record(n, 100)).collect()
}

/// The seconds the answer says to wait, checked to be a 429 `push_limit`.
fn retry_after(answer: &common::TestResponse) -> u64 {
    let error = answer.assert_error(StatusCode::TOO_MANY_REQUESTS, "push_limit");
    assert!(error.detail.contains("try again in"), "{}", error.detail);
    answer
        .header(header::RETRY_AFTER)
        .and_then(|s| s.parse().ok())
        .expect("a Retry-After in seconds")
}

#[tokio::test]
async fn over_the_days_records_a_push_waits_for_the_window_and_nothing_is_lost() {
    let t = limited(5, 1_000_000).await;
    let phone = officer(&t, "officer.a").await;
    assert_eq!(phone.push(&records(1..4)).await.acks.len(), 3);

    let over = records(4..7);
    let wait = retry_after(&try_push(&phone, &over).await);
    // The first push leaves the 24-hour window in (almost) a day.
    assert!((86_000..=86_400).contains(&wait), "{wait}");
    assert_eq!(t.rows().await, 3, "nothing of the refused push is stored");

    // Repeating what the server has is free (a phone that lost an answer).
    assert_eq!(phone.push(&records(1..4)).await.acks.len(), 3);
    // What still fits, fits; one more does not.
    assert_eq!(phone.push(&over[..2]).await.acks.len(), 2);
    retry_after(&try_push(&phone, &over[2..]).await);
    // A colleague and the admin are not held back by this account.
    assert_eq!(
        officer(&t, "officer.b")
            .await
            .push(&records(10..15))
            .await
            .acks
            .len(),
        5
    );
    assert_eq!(t.push(&records(20..30)).await.acks.len(), 10);

    // Once the window has freed, the same push goes through.
    t.state
        .clock
        .advance(chrono::Duration::seconds(wait as i64));
    assert_eq!(phone.push(&over[2..]).await.acks.len(), 1);
    assert_eq!(t.rows().await, 3 + 2 + 5 + 10 + 1);
}

#[tokio::test]
async fn over_the_days_bytes_a_push_is_refused_whole() {
    let one = serde_json::to_string(&record(1, 100)).unwrap().len() as u64;
    let t = limited(1_000, 3 * one + one / 2).await;
    let phone = officer(&t, "officer.a").await;
    assert_eq!(phone.push(&records(1..3)).await.acks.len(), 2);
    retry_after(&try_push(&phone, &records(3..5)).await);
    assert_eq!(t.rows().await, 2);
    assert_eq!(phone.push(&records(3..4)).await.acks.len(), 1);
}

#[tokio::test]
async fn a_push_larger_than_a_whole_day_is_sent_back_to_be_split_not_held_for_ever() {
    let t = limited(2, 1_000_000).await;
    let phone = officer(&t, "officer.a").await;
    // Three records would never fit in a day of two: waiting would not help, so the
    // phone is told to send smaller batches (it then sends them one by one).
    let whole = try_push(&phone, &records(1..4)).await;
    let error = whole.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large");
    assert!(error.detail.contains("smaller batches"), "{}", error.detail);
    assert_eq!(t.rows().await, 0);
    assert_eq!(phone.push(&records(1..2)).await.acks.len(), 1);
    assert_eq!(phone.push(&records(2..3)).await.acks.len(), 1);
    retry_after(&try_push(&phone, &records(3..4)).await);
}
