//! Rotating gate codes on the server: each post's secret, and the verdict stored with
//! each pushed check-in (verified / unverified / failed) and returned by pull.

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use common::{record, TestApp};
use gatewatch_model::gatecode::{code_at, secret_from_hex, Proof};
use gatewatch_model::Record;

fn with_code(mut r: Record, post: &str, at: DateTime<Utc>, code: Option<String>) -> Record {
    let c = common::check_in(&mut r);
    c.post_id = post.into();
    c.device_time = at.fixed_offset();
    c.gate_code = code;
    r
}

#[tokio::test]
async fn every_post_has_its_own_secret_and_unknown_posts_are_404() {
    let t = TestApp::new().await;
    let a: serde_json::Value = t.get("/api/posts/s01-g1/secret").await.json();
    let b: serde_json::Value = t.get("/api/posts/s02-g1/secret").await.json();
    let (a, b) = (a["secret"].as_str().unwrap(), b["secret"].as_str().unwrap());
    assert!(secret_from_hex(a).is_some_and(|s| s.len() == 32), "{a}");
    assert_ne!(a, b);
    // Stable across requests and restarts of the app over the same file.
    let again: serde_json::Value = t.get("/api/posts/s01-g1/secret").await.json();
    assert_eq!(again["secret"], a);
    t.get("/api/posts/nope/secret")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn pushed_check_ins_carry_the_servers_verdict_on_their_code() {
    let t = TestApp::new().await;
    let hex: serde_json::Value = t.get("/api/posts/s01-g1/secret").await.json();
    let secret = secret_from_hex(hex["secret"].as_str().unwrap()).unwrap();
    let at = Utc::now();
    let good = code_at(&secret, at.timestamp());
    let stale = code_at(&secret, (at - Duration::minutes(10)).timestamp());
    let records = [
        with_code(record(1, 10), "s01-g1", at, Some(good.clone())),
        with_code(record(2, 10), "s01-g1", at, None),
        with_code(record(3, 10), "s01-g1", at, Some(stale)),
        // The right code typed at the wrong gate.
        with_code(record(4, 10), "s02-g1", at, Some(good)),
    ];
    let pushed = t.push(&records).await;
    assert_eq!(pushed.acks.len(), 4);
    let pulled = t.pull(0, None).await;
    let proof = |n: u128| {
        pulled
            .changes
            .iter()
            .find(|c| c.record.id.as_u128() == n)
            .unwrap()
            .proof
    };
    assert_eq!(proof(1), Some(Proof::Verified));
    assert_eq!(proof(2), Some(Proof::Unverified));
    assert_eq!(proof(3), Some(Proof::Failed));
    assert_eq!(proof(4), Some(Proof::Failed));
}

#[tokio::test]
async fn a_gate_code_goes_back_to_its_maker_only() {
    let admin = TestApp::new().await;
    let (_, zhang_session) = admin.user("zhang.wei", "officer", &["s01"], &[]).await;
    let (_, li_session) = admin.user("li.na", "officer", &["s01"], &[]).await;
    let (zhang_app, li_app) = (admin.as_user(&zhang_session), admin.as_user(&li_session));
    let hex: serde_json::Value = admin.get("/api/posts/s01-g1/secret").await.json();
    let secret = secret_from_hex(hex["secret"].as_str().unwrap()).unwrap();
    let at = Utc::now();
    let code = code_at(&secret, at.timestamp());
    let checked_in = with_code(record(1, 10), "s01-g1", at, Some(code.clone()));
    assert_eq!(zhang_app.push(&[checked_in]).await.acks.len(), 1);

    let code_of = |changes: &[gatewatch_model::Change]| {
        let c = changes.iter().find(|c| c.record.id.as_u128() == 1).unwrap();
        let gatewatch_model::RecordBody::CheckIn(body) = &c.record.body else {
            panic!("not a check-in");
        };
        (body.gate_code.clone(), c.proof)
    };
    // Its maker pulls it back whole; a colleague of the school sees the verdict only,
    // and neither does the record's history show them the code.
    assert_eq!(
        code_of(&zhang_app.pull(0, None).await.changes),
        (Some(code), Some(Proof::Verified))
    );
    assert_eq!(
        code_of(&li_app.pull(0, None).await.changes),
        (None, Some(Proof::Verified))
    );
    let history = li_app
        .get(&format!(
            "/api/records/{}/history",
            uuid::Uuid::from_u128(1)
        ))
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text());
    assert!(!history.text().contains("gate_code"), "{}", history.text());
}
