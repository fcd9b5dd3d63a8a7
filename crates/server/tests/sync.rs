//! Push and pull semantics of the change feed, through `app()` against a real SQLite file.

mod common;

use std::collections::HashSet;

use axum::http::StatusCode;
use chrono::Utc;
use common::{note, record, set_note, TestApp};
use gatewatch_model::{AckOutcome, Cursor, Record, MAX_PULL_PAGE};

fn outcomes(response: &gatewatch_model::PushResponse) -> Vec<AckOutcome> {
    response.acks.iter().map(|a| a.outcome.clone()).collect()
}

#[tokio::test]
async fn a_new_record_is_stored_acknowledged_and_pulled() {
    let t = TestApp::new().await;
    let before = Utc::now();
    let r = record(1, 100);

    let pushed = t.push(std::slice::from_ref(&r)).await;
    assert_eq!(outcomes(&pushed), [AckOutcome::Stored]);
    assert_eq!(
        (pushed.acks[0].id, &pushed.acks[0].version),
        (r.id, &r.version)
    );
    assert!(pushed.rejected.is_empty());
    assert_eq!(pushed.cursor, Cursor(1));

    let pulled = t.pull(0, None).await;
    assert_eq!(pulled.changes.len(), 1);
    assert_eq!(pulled.changes[0].record, r);
    assert_eq!(pulled.changes[0].seq, Cursor(1));
    // received_at is the server's clock, not the phone's.
    let received = pulled.changes[0].received_at;
    assert!(
        received >= before - chrono::Duration::seconds(1) && received <= Utc::now(),
        "{received}"
    );
    assert_eq!((pulled.cursor, pulled.more), (Cursor(1), false));
}

#[tokio::test]
async fn pushing_the_same_batch_again_changes_nothing() {
    let t = TestApp::new().await;
    let batch: Vec<Record> = (1..=5).map(|n| record(n, 100)).collect();
    let first = t.push(&batch).await;
    assert!(outcomes(&first).iter().all(|o| *o == AckOutcome::Stored));

    let again = t.push(&batch).await;
    assert_eq!(again.acks.len(), 5);
    assert!(outcomes(&again).iter().all(|o| *o == AckOutcome::Duplicate));
    assert_eq!(
        again.cursor, first.cursor,
        "a duplicate must not take a new seq"
    );
    assert_eq!(t.rows().await, 5);
    assert_eq!(t.pull(0, None).await.changes.len(), 5);
}

#[tokio::test]
async fn an_older_version_is_superseded_and_not_written() {
    let t = TestApp::new().await;
    let newer = t.push(&[record(1, 200)]).await;
    let older = t.push(&[record(1, 100)]).await;
    assert_eq!(outcomes(&older), [AckOutcome::Superseded]);
    assert_eq!(
        older.acks[0].version,
        record(1, 100).version,
        "the ack names the version pushed"
    );
    assert_eq!(older.cursor, newer.cursor);
    let pulled = t.pull(0, None).await;
    assert_eq!(pulled.changes.len(), 1);
    assert_eq!(pulled.changes[0].record, record(1, 200));
}

#[tokio::test]
async fn a_newer_version_replaces_and_a_pull_returns_only_the_newest_once() {
    let t = TestApp::new().await;
    t.push(&[record(1, 100), record(2, 100)]).await;
    let replaced = t.push(&[record(1, 200)]).await;
    assert_eq!(outcomes(&replaced), [AckOutcome::Stored]);
    assert_eq!(replaced.cursor, Cursor(3));
    assert_eq!(t.rows().await, 2);

    let all = t.pull(0, None).await;
    let seen: Vec<_> = all
        .changes
        .iter()
        .map(|c| (c.record.id, c.record.version.wall_ms, c.seq))
        .collect();
    assert_eq!(
        seen,
        [
            (record(2, 0).id, 100, Cursor(2)),
            (record(1, 0).id, 200, Cursor(3))
        ]
    );

    // A phone that had pulled up to seq 2 gets just the new version.
    let since_2 = t.pull(2, None).await;
    assert_eq!(since_2.changes.len(), 1);
    assert_eq!(since_2.changes[0].record, record(1, 200));
}

#[tokio::test]
async fn versions_of_one_record_within_one_batch_apply_in_order() {
    let t = TestApp::new().await;
    let pushed = t
        .push(&[
            record(1, 100),
            record(1, 300),
            record(1, 200),
            record(1, 300),
        ])
        .await;
    assert_eq!(
        outcomes(&pushed),
        [
            AckOutcome::Stored,
            AckOutcome::Stored,
            AckOutcome::Superseded,
            AckOutcome::Duplicate
        ]
    );
    assert_eq!(t.rows().await, 1);
    let pulled = t.pull(0, None).await;
    assert_eq!(pulled.changes.len(), 1);
    assert_eq!(pulled.changes[0].record, record(1, 300));
}

#[tokio::test]
async fn an_invalid_record_is_rejected_without_failing_the_others() {
    let t = TestApp::new().await;
    let mut bad = record(2, 100);
    common::check_in(&mut bad).post_id = "not a post id".into();

    let pushed = t.push(&[record(1, 100), bad.clone(), record(3, 100)]).await;
    assert_eq!(outcomes(&pushed), [AckOutcome::Stored, AckOutcome::Stored]);
    assert_eq!(pushed.rejected.len(), 1);
    let rejection = &pushed.rejected[0];
    assert_eq!((rejection.id, &rejection.version), (bad.id, &bad.version));
    assert!(rejection.reason.contains("post id"), "{}", rejection.reason);
    assert_eq!(t.rows().await, 2);
}

#[tokio::test]
async fn the_same_version_with_different_content_is_rejected_and_the_first_kept() {
    let t = TestApp::new().await;
    let first = t.push(&[record(1, 100)]).await;
    let mut tampered = record(1, 100);
    set_note(&mut tampered, "edited without a new version");

    let pushed = t.push(std::slice::from_ref(&tampered)).await;
    assert!(pushed.acks.is_empty());
    assert_eq!(pushed.rejected.len(), 1);
    assert!(
        pushed.rejected[0].reason.contains("different content"),
        "{}",
        pushed.rejected[0].reason
    );
    assert_eq!(pushed.cursor, first.cursor);
    assert_eq!(note(&t.pull(0, None).await.changes[0].record), "v100");
}

#[tokio::test]
async fn paging_through_1200_records_loses_and_repeats_nothing() {
    let t = TestApp::new().await;
    for batch in 0..3u128 {
        let records: Vec<Record> = (1..=400).map(|n| record(batch * 400 + n, 100)).collect();
        let pushed = t.push(&records).await;
        assert_eq!(pushed.acks.len(), 400);
    }

    let mut since = 0;
    let mut pages = Vec::new();
    let mut ids = HashSet::new();
    let mut last_seq = Cursor(0);
    loop {
        let page = t.pull(since, Some(500)).await;
        for change in &page.changes {
            assert!(change.seq > last_seq, "seqs must increase");
            last_seq = change.seq;
            assert!(
                ids.insert(change.record.id),
                "duplicate {}",
                change.record.id
            );
        }
        pages.push((page.changes.len(), page.more));
        since = page.cursor.0;
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, [(500, true), (500, true), (200, false)]);
    assert_eq!(ids.len(), 1200);

    // Caught up: nothing more, and the cursor stays where it is.
    let empty = t.pull(since, Some(500)).await;
    assert!(empty.changes.is_empty() && !empty.more);
    assert_eq!(empty.cursor, Cursor(since));

    // A limit above the page size is capped, and no limit means a full page.
    assert_eq!(t.pull(0, Some(10_000)).await.changes.len(), MAX_PULL_PAGE);
    assert_eq!(t.pull(0, None).await.changes.len(), MAX_PULL_PAGE);
}

#[tokio::test]
async fn records_survive_reopening_the_database_file() {
    let t = TestApp::new().await;
    t.push(&[record(1, 100), record(2, 100)]).await;
    t.state.db.close().await;

    let reopened = t.reopen().await;
    // The admin's session was kept in the database: it still works after a restart.
    let again = TestApp {
        state: reopened,
        ..t.clone()
    };
    let pulled = again.pull(0, None).await;
    assert_eq!(pulled.changes.len(), 2);
    // The feed continues after the old positions instead of starting over.
    assert_eq!(again.push(&[record(3, 100)]).await.cursor, Cursor(3));
}

#[tokio::test]
async fn concurrent_pushes_get_distinct_dense_seqs() {
    let t = std::sync::Arc::new(TestApp::new().await);
    let pushes = (0..8u128).map(|p| {
        let t = t.clone();
        tokio::spawn(async move {
            let records: Vec<Record> = (1..=50).map(|n| record(p * 50 + n, 100)).collect();
            t.push(&records).await
        })
    });
    for push in pushes.collect::<Vec<_>>() {
        let pushed = push.await.unwrap();
        assert!(outcomes(&pushed).iter().all(|o| *o == AckOutcome::Stored));
    }
    let pulled = t.pull(0, None).await;
    let seqs: Vec<u64> = pulled.changes.iter().map(|c| c.seq.0).collect();
    assert_eq!(seqs, (1..=400).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_version_from_a_clock_years_ahead_is_rejected_with_the_reason() {
    let app = TestApp::new().await;
    let now_ms = u64::try_from(Utc::now().timestamp_millis()).unwrap();
    let hours_ahead = record(1, now_ms + 5 * 3_600_000);
    let years_ahead = record(2, now_ms + 3 * 365 * 24 * 3_600_000);
    let pushed = app.push(&[hours_ahead.clone(), years_ahead.clone()]).await;
    // A phone hours off still syncs; one set years ahead is told to fix its clock.
    assert_eq!(pushed.acks.len(), 1);
    assert_eq!(pushed.acks[0].id, hours_ahead.id);
    assert_eq!(pushed.rejected.len(), 1);
    assert_eq!(pushed.rejected[0].id, years_ahead.id);
    assert!(
        pushed.rejected[0].reason.contains("clock"),
        "{}",
        pushed.rejected[0].reason
    );
    assert_eq!(app.rows().await, 1);
}

#[tokio::test]
async fn a_push_as_the_servers_own_devices_is_refused_and_nothing_stored() {
    let t = TestApp::new().await;
    let (_, officer) = t.user("officer.a", "officer", &["s01"], &[]).await;
    let phone = t.as_user(&officer);
    let first = record(1, 100);
    phone.push(std::slice::from_ref(&first)).await;
    for own in ["server", "admin"] {
        let device = gatewatch_model::DeviceId::new(own).unwrap();
        // As the pushing device: the whole push is refused.
        let as_pusher = serde_json::json!({ "device": own, "records": [record(2, 100)] });
        let error = phone
            .post_json("/api/sync/push", as_pusher.to_string())
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_record");
        assert!(error.detail.contains(&format!("`{own}`")), "{}", error.detail);
        // As a version's device: a later version that would win over the phone's own.
        let mut labelled = first.corrected(common::version(900), first.body.clone());
        labelled.version.device = device;
        set_note(&mut labelled, "as the server");
        let request = gatewatch_model::PushRequest {
            device: common::device(),
            records: vec![labelled],
        };
        let error = phone
            .post_json("/api/sync/push", serde_json::to_vec(&request).unwrap())
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_record");
        assert!(error.detail.contains(&format!("`{own}`")), "{}", error.detail);
    }
    assert_eq!(t.rows().await, 1, "record 2 was never stored");
    assert_eq!(t.history(first.id).await.len(), 1, "no version as the server's");
    assert_eq!(note(&t.pull(0, None).await.changes[0].record), "v100");
}
