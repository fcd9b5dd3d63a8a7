//! The demo city of `make run` (demo mode, `crate::demo`): a fresh demo database gets
//! the demo logins, a calendar, a roster and three weeks of history whose 落实率 is
//! plausible; a restart adds nothing; outside demo mode none of it is made.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use common::{TestApp, TestDatabase, ADMIN_PASSWORD};
use gatewatch_server::AppState;
use serde_json::Value;

/// Opens `database` as `make run` does (demo mode on or off): the state and the logins
/// it printed.
async fn start(
    dir: &tempfile::TempDir,
    database: &TestDatabase,
    demo: bool,
) -> (AppState, Vec<String>) {
    let (state, logins) = AppState::open_with(
        database.location.clone(),
        dir.path().join("dist"),
        Some(ADMIN_PASSWORD.into()),
        demo,
    )
    .await
    .unwrap();
    (state, logins.into_iter().map(|(user, _)| user).collect())
}

/// How many rows `table` has.
async fn count(state: &AppState, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(state.db.pool())
        .await
        .unwrap()
}

/// Today in China, as the demo city counts its days.
fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

#[tokio::test]
async fn a_demo_start_makes_a_city_with_a_plausible_rate_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(dir.path()).await;
    let (state, logins) = start(&dir, &database, true).await;
    for login in [
        "admin",
        "officer1",
        "lead1",
        "supervisor1",
        "zhang.wei",
        "liu.yang",
    ] {
        assert!(logins.iter().any(|l| l == login), "{login} in {logins:?}");
    }
    let (records, assignments) = (
        count(&state, "records").await,
        count(&state, "assignments").await,
    );
    let dir = Arc::new(dir);
    let database = Arc::new(database);
    let admin = TestApp::signed_in_admin(state.clone(), dir.clone(), database.clone()).await;

    // Three weeks of history: a meaningful rate, neither perfect nor hopeless.
    let range = format!(
        "from={}&to={}",
        today() - Duration::days(21),
        today() - Duration::days(1)
    );
    let report: Value = admin
        .get(&format!("/api/reports/coverage?{range}"))
        .await
        .json();
    let (covered, decided) = (
        report["rate"]["covered"].as_u64().unwrap(),
        report["rate"]["decided"].as_u64().unwrap(),
    );
    assert!(decided >= 100, "{decided} windows decided over three weeks");
    let rate = covered as f64 / decided as f64;
    eprintln!("demo city: {covered} of {decided} windows covered");
    assert!((0.70..=0.98).contains(&rate), "{covered}/{decided}");
    let statuses: Vec<&str> = report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["status"].as_str().unwrap())
        .collect();
    for status in ["covered", "late", "partial", "missed"] {
        assert!(statuses.contains(&status), "some {status} in the history");
    }
    let schools: std::collections::BTreeSet<&str> = report["by_school_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["school_id"].as_str().unwrap())
        .collect();
    assert_eq!(schools.len(), 4, "the heatmap has every demo school");
    let officers: Value = admin
        .get(&format!("/api/reports/officers?{range}"))
        .await
        .json();
    assert!(officers["officers"].as_array().unwrap().len() >= 6);

    // Every demo record is marked as such, from the demo device, by a demo officer.
    let marked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE device = 'demodata' AND author IS NOT NULL",
    )
    .fetch_one(state.db.pool())
    .await
    .unwrap();
    assert_eq!(marked, records);
    let sheet = admin
        .get(&format!("/api/export/checkins.csv?{range}"))
        .await;
    assert_eq!(sheet.status, StatusCode::OK);
    let text = sheet.text();
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l.contains("演示数据")), "{}", lines[0]);

    // The roster goes on two weeks ahead.
    let ahead = format!(
        "from={}&to={}",
        today() + Duration::days(1),
        today() + Duration::days(14)
    );
    let roster: Value = admin.get(&format!("/api/roster?{ahead}")).await.json();
    assert!(!roster["assignments"].as_array().unwrap().is_empty());

    // A restart adds nothing and prints no login.
    state.db.close().await;
    let (again, logins) = start(&dir, &database, true).await;
    assert!(logins.is_empty(), "{logins:?}");
    assert_eq!(count(&again, "records").await, records);
    assert_eq!(count(&again, "assignments").await, assignments);
    again.db.close().await;
}

#[tokio::test]
async fn outside_demo_mode_there_is_no_demo_city() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(dir.path()).await;
    let (state, logins) = start(&dir, &database, false).await;
    assert_eq!(logins, ["admin"]);
    assert_eq!(count(&state, "records").await, 0);
    assert_eq!(count(&state, "assignments").await, 0);
    assert_eq!(count(&state, "calendar_entries").await, 0);
    state.db.close().await;
}
