//! The history of a record, `GET /api/records/{id}/history`: every version the server
//! accepted, oldest first, kept however the record was later corrected or voided, each
//! with the account that pushed it (and a pulled change with its record's author); and
//! the versions stored before the history existed, carried over by the migration.

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use common::{check_in, record, version, TestApp, TestDatabase};
use gatewatch_model::{AckOutcome, Record};
use serde_json::Value;

/// The versions of a history, as the wall times of their versions.
fn walls(history: &[Value]) -> Vec<u64> {
    history
        .iter()
        .map(|v| serde_json::from_value::<Record>(v["record"].clone()).unwrap())
        .map(|r| r.version.wall_ms)
        .collect()
}

#[tokio::test]
async fn corrections_and_a_void_keep_every_version_oldest_first() {
    let t = TestApp::new().await;
    let first = record(1, 100);
    let mut moved = first.corrected(version(200), first.body.clone());
    check_in(&mut moved).post_id = "s01-g2".into();
    let void = moved.voided(version(300), "重复录入".into());
    let before = Utc::now();
    t.push(std::slice::from_ref(&first)).await;
    t.push(std::slice::from_ref(&moved)).await;
    t.push(std::slice::from_ref(&void)).await;
    // Pushing a version again adds nothing.
    t.push(std::slice::from_ref(&moved)).await;

    let history = t.history(first.id).await;
    assert_eq!(walls(&history), [100, 200, 300]);
    for (entry, want) in history.iter().zip([&first, &moved, &void]) {
        assert_eq!(entry["version"], want.version.to_string());
        let got: Record = serde_json::from_value(entry["record"].clone()).unwrap();
        assert_eq!(&got, want);
        let received: DateTime<Utc> = entry["received_at"].as_str().unwrap().parse().unwrap();
        assert!(received >= before - chrono::Duration::seconds(1) && received <= Utc::now());
    }
    assert_eq!(history[1]["record"]["edits"], 1);
    assert_eq!(history[1]["record"]["data"]["post_id"], "s01-g2");
    assert_eq!(history[2]["record"]["voided"], "重复录入");
    assert!(history[0]["record"].get("voided").is_none());

    // The feed still holds one row per record: the newest, the last of its history.
    let pulled = t.pull(0, None).await;
    assert_eq!(pulled.changes.len(), 1);
    assert_eq!(pulled.changes[0].record, void);
    assert_eq!(t.rows().await, 1);
}

#[tokio::test]
async fn an_edit_that_lost_to_a_newer_one_is_still_in_the_history() {
    let t = TestApp::new().await;
    let first = record(1, 100);
    // Two phones corrected the same record; the later edit reached the server first.
    let later = first.corrected(version(300), record(1, 300).body);
    let earlier = first.corrected(version(200), record(1, 200).body);
    t.push(&[first.clone(), later.clone()]).await;
    let pushed = t.push(std::slice::from_ref(&earlier)).await;
    assert_eq!(pushed.acks[0].outcome, AckOutcome::Superseded);

    assert_eq!(walls(&t.history(first.id).await), [100, 200, 300]);
    assert_eq!(t.pull(0, None).await.changes[0].record, later);
}

#[tokio::test]
async fn histories_are_per_record() {
    let t = TestApp::new().await;
    t.push(&[record(1, 100), record(2, 100), record(1, 200)])
        .await;
    assert_eq!(walls(&t.history(record(1, 0).id).await), [100, 200]);
    assert_eq!(walls(&t.history(record(2, 0).id).await), [100]);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_json_errors() {
    let t = TestApp::new().await;
    t.push(&[record(1, 100)]).await;
    let unknown = record(2, 100).id;
    // (path, status, code, a piece of the detail)
    let cases = [
        (
            format!("/api/records/{unknown}/history"),
            StatusCode::NOT_FOUND,
            "not_found",
            unknown.to_string(),
        ),
        (
            "/api/records/not-a-uuid/history".to_owned(),
            StatusCode::BAD_REQUEST,
            "bad_path",
            "UUID".to_owned(),
        ),
        (
            "/api/records/12345/history".to_owned(),
            StatusCode::BAD_REQUEST,
            "bad_path",
            "UUID".to_owned(),
        ),
    ];
    for (path, status, code, in_detail) in cases {
        let error = t.get(&path).await.assert_error(status, code);
        assert!(
            error
                .detail
                .to_lowercase()
                .contains(&in_detail.to_lowercase()),
            "{path}: {}",
            error.detail
        );
    }
}

/// A database as the server left it before the history existed (migrations 1-4), with
/// one record stored the way that server stored it.
async fn database_before_history(database: &TestDatabase, stored: &Record) {
    let db = database.migrated_to(4).await;
    sqlx::query(
        "INSERT INTO records (id, kind, version, device, body, received_at, seq, proof)
         VALUES ($1, 'checkin', $2, 'oldphone1', $3, '2026-11-20T07:13:00.000Z', 1, 'unverified')",
    )
    .bind(stored.id.to_string())
    .bind(stored.version.to_string())
    .bind(serde_json::to_string(stored).unwrap())
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query("UPDATE feed SET last_seq = 1")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
}

#[tokio::test]
async fn records_stored_before_the_history_existed_have_one() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(dir.path()).await;
    let old = record(1, 100);
    database_before_history(&database, &old).await;

    let t = TestApp::open_at(dir, database).await;
    let history = t.history(old.id).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["received_at"], "2026-11-20T07:13:00Z");
    assert_eq!(
        serde_json::from_value::<Record>(history[0]["record"].clone()).unwrap(),
        old
    );

    // The next correction goes on top of it.
    t.push(&[old.corrected(version(200), record(1, 200).body)])
        .await;
    assert_eq!(walls(&t.history(old.id).await), [100, 200]);
}

#[tokio::test]
async fn the_history_cannot_be_rewritten() {
    let t = TestApp::new().await;
    t.push(&[record(1, 100)]).await;
    for statement in [
        "UPDATE record_versions SET body = '{}'",
        "DELETE FROM record_versions",
    ] {
        let error = sqlx::query(statement)
            .execute(t.state.db.pool())
            .await
            .unwrap_err();
        assert!(error.to_string().contains("append-only"), "{error}");
    }
    assert_eq!(t.history(record(1, 0).id).await.len(), 1);
}

#[tokio::test]
async fn every_version_and_every_pulled_change_names_its_account() {
    let admin = TestApp::new().await;
    let (officer_id, officer) = admin.user("zhang.wei", "officer", &["s01"], &[]).await;
    let officer = admin.as_user(&officer);
    let first = record(1, 100);
    officer.push(std::slice::from_ref(&first)).await;
    // An admin's correction is the next version, the admin's; the record stays the
    // officer's.
    let body = serde_json::to_string(&first.body).unwrap();
    let corrected = admin
        .put_json(&format!("/api/admin/records/{}", first.id), body)
        .await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.text());

    let history = officer.history(first.id).await;
    let authors: Vec<(&str, &str)> = history
        .iter()
        .map(|v| {
            let author = &v["author"];
            (
                author["username"].as_str().unwrap(),
                author["display_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        authors,
        [("zhang.wei", "zhang.wei"), ("admin", "管理员 Admin")]
    );
    assert_eq!(history[0]["author"]["user"], officer_id.to_string());

    for reader in [&officer, &admin] {
        let pulled = reader.pull(0, None).await;
        let author = pulled.changes[0].author.as_ref().expect("an author");
        assert_eq!(
            (author.user, author.username.as_str()),
            (officer_id, "zhang.wei")
        );
    }
}
