//! The supervisor role (所长 / 指挥室) on the server: migration 0011 that allows it (an
//! upgrade keeps every account and session), its accounts, and the managers' area it
//! shares with admins — exports, reports and roster changes limited to its schools.

mod common;

use axum::http::StatusCode;
use common::{TestApp, TestDatabase};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The test admin as an older server made it (a cheap argon2id hash of its password).
async fn old_admin(db: &gatewatch_server::db::Db) {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let params = argon2::Params::new(1024, 1, 1, None).unwrap();
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::generate(&mut OsRng);
    let hash = argon2
        .hash_password(common::ADMIN_PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string();
    sqlx::query(
        "INSERT INTO users (id, username, display_name, role, schools, teams, password_hash,
                            disabled, created_at, updated_at)
         VALUES ($1, 'admin', 'Admin', 'admin', '[]', '[]', $2, 0,
                 '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
    )
    .bind(Uuid::from_u128(1).to_string())
    .bind(hash)
    .execute(db.pool())
    .await
    .unwrap();
}

/// An account and a live session as a server at migration 0010 stored them.
async fn old_account_with_session(db: &gatewatch_server::db::Db, id: Uuid, token: &str) {
    sqlx::query(
        "INSERT INTO users (id, username, display_name, role, schools, teams, password_hash,
                            disabled, created_at, updated_at)
         VALUES ($1, 'zhou.old', '周老警', 'officer', '[\"s01\"]', '[]', 'x', 0,
                 '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
    )
    .bind(id.to_string())
    .execute(db.pool())
    .await
    .unwrap();
    let hash: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, device, user_agent, created_at,
                               last_seen_at, expires_at)
         VALUES ($1, $2, 'oldphone1', '', '2026-01-01T00:00:00.000Z',
                 '2026-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z')",
    )
    .bind(hash)
    .bind(id.to_string())
    .execute(db.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn an_upgrade_keeps_every_account_and_session_and_allows_supervisors() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(dir.path()).await;
    let db = database.migrated_to(10).await;
    old_admin(&db).await;
    let id = Uuid::from_u128(0x01d);
    let token = "a-session-token-from-before-the-upgrade";
    old_account_with_session(&db, id, token).await;
    let before = sqlx::query("UPDATE users SET role = 'supervisor' WHERE id = $1")
        .bind(id.to_string())
        .execute(db.pool())
        .await;
    assert!(before.is_err(), "0010 allows no supervisor");
    db.close().await;

    let t = TestApp::open_at(dir, database).await;
    let old = t.as_user(token);
    let me: Value = old.get("/api/auth/me").await.json();
    assert_eq!(
        (&me["username"], &me["role"]),
        (&"zhou.old".into(), &"officer".into())
    );

    // The admin makes them a supervisor: the same session now acts as one.
    let fields = serde_json::json!({
        "display_name": "周所长", "role": "supervisor", "schools": ["s01"], "teams": [],
    });
    let changed = t
        .put_json(&format!("/api/admin/users/{id}"), fields.to_string())
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    let me: Value = old.get("/api/auth/me").await.json();
    assert_eq!(me["role"], "supervisor");

    // The new table still checks roles, and sessions still reference accounts.
    let bad_role = sqlx::query("UPDATE users SET role = 'boss' WHERE id = $1")
        .bind(id.to_string())
        .execute(t.state.db.pool())
        .await;
    assert!(bad_role.is_err());
    let orphan = sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, device, user_agent, created_at,
                               last_seen_at, expires_at)
         VALUES ('orphan', $1, 'p', '', 'x', 'x', 'x')",
    )
    .bind(Uuid::from_u128(0xdead).to_string())
    .execute(t.state.db.pool())
    .await;
    assert!(orphan.is_err(), "a session of no account is refused");
}

/// A check-in and an incident at each of s01 and s02, stored by the admin.
async fn records_at_two_schools(t: &TestApp) {
    let records = [
        common::record_at(1, "s01-g1", "2026-11-25T07:12:33+08:00"),
        common::record_at(2, "s02-g1", "2026-11-25T07:13:00+08:00"),
        common::incident(3, 100, "s01-g1", "2026-11-25T07:20:00+08:00"),
        common::incident(4, 100, "s02-g1", "2026-11-25T07:21:00+08:00"),
    ];
    assert!(t.push(&records).await.rejected.is_empty());
}

const RANGE: &str = "from=2026-11-25&to=2026-11-25";

#[tokio::test]
async fn a_supervisors_exports_and_coverage_are_their_schools_only() {
    let admin = TestApp::new().await;
    records_at_two_schools(&admin).await;
    let (_, supervisor) = admin.user("chen.suo", "supervisor", &["s01"], &[]).await;
    let supervisor = admin.as_user(&supervisor);
    for sheet in ["checkins", "incidents", "coverage"] {
        let uri = format!("/api/export/{sheet}.csv?{RANGE}");
        let theirs = supervisor.get(&uri).await;
        assert_eq!(theirs.status, StatusCode::OK, "{sheet}: {}", theirs.text());
        let all = admin.get(&uri).await;
        assert!(
            theirs.text().contains("实验小学"),
            "{sheet}: {}",
            theirs.text()
        );
        assert!(
            !theirs.text().contains("第一中学"),
            "{sheet}: {}",
            theirs.text()
        );
        assert!(all.text().contains("第一中学"), "{sheet}: {}", all.text());
    }
    let coverage: Value = supervisor
        .get(&format!("/api/coverage?{RANGE}"))
        .await
        .json();
    let schools: Vec<&str> = coverage["by_school"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(schools, ["s01"]);
}

#[tokio::test]
async fn a_supervisor_reads_nothing_else_and_an_officer_no_reports() {
    let admin = TestApp::new().await;
    let (_, supervisor) = admin.user("chen.suo", "supervisor", &["s01"], &[]).await;
    let supervisor = admin.as_user(&supervisor);
    for uri in [
        "/api/admin/users",
        "/api/admin/teams",
        "/api/reports/duty?month=2026-11",
        "/api/export/duty-hours.csv?month=2026-11",
        "/api/posts/s01-g1/secret",
    ] {
        supervisor
            .get(uri)
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    let school = serde_json::json!({"id": "s01", "name": "改名", "windows": []});
    supervisor
        .put_json("/api/admin/schools/s01", school.to_string())
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    let (_, officer) = admin.user("wang.jing", "officer", &["s01"], &[]).await;
    let officer = admin.as_user(&officer);
    for sheet in ["checkins", "incidents", "coverage"] {
        officer
            .get(&format!("/api/export/{sheet}.csv?{RANGE}"))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    officer
        .get(&format!("/api/coverage?{RANGE}"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn supervisors_come_from_the_users_csv_too() {
    let admin = TestApp::new().await;
    let file = "username,display_name,role,schools,teams\nli.zhihui,李指挥,Supervisor,s01;s02,\n";
    let response = admin.post_csv("/api/admin/users/import", file).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let users: Vec<Value> = admin.get("/api/admin/users").await.json();
    let made = users.iter().find(|u| u["username"] == "li.zhihui").unwrap();
    assert_eq!(made["role"], "supervisor");
    assert_eq!(made["schools"], serde_json::json!(["s01", "s02"]));
}

/// The Monday of next week (mainland China time), and its Monday a week on.
fn next_mondays() -> (chrono::NaiveDate, chrono::NaiveDate) {
    use chrono::Datelike;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let monday =
        today + chrono::Duration::days(7 - i64::from(today.weekday().num_days_from_monday()));
    (monday, monday + chrono::Duration::days(7))
}

/// The usernames in `values` at `field` (a `Person`).
fn usernames(values: &Value, field: &str) -> Vec<String> {
    let mut names: Vec<String> = values
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[field]["username"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[tokio::test]
async fn a_supervisors_reports_sheets_and_roster_changes_stay_in_their_schools() {
    let admin = TestApp::new().await;
    let (mine, _) = admin.user("zhang.wei", "officer", &["s01"], &[]).await;
    let (theirs, _) = admin.user("wang.qiang", "officer", &["s02"], &[]).await;
    let (_, supervisor) = admin.user("chen.suo", "supervisor", &["s01"], &[]).await;
    let supervisor = admin.as_user(&supervisor);
    let (monday, next) = next_mondays();
    // Monday is a school day at both schools whatever the national calendar says.
    let calendar = format!(
        "范围,开始日期,结束日期,类型\n学校:s01,{monday},{monday},上课\n学校:s02,{monday},{monday},上课\n"
    );
    let year = chrono::Datelike::year(&monday);
    let imported = admin
        .post_csv(&format!("/api/admin/calendar/import?year={year}"), calendar)
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());
    for (post, officer) in [("s01-g1", mine), ("s02-g1", theirs)] {
        let slot = serde_json::json!({"post_id": post, "date": monday, "window": "morning", "officers": [{"officer": officer, "car": null}]});
        let put = admin.put_json("/api/roster/slot", slot.to_string()).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    }
    let range = format!("from={monday}&to={monday}");

    // The reports: the admin's name both schools, the supervisor's only s01.
    for (who, schools, officers) in [
        (
            &admin,
            vec!["s01", "s02", "s03", "s04"],
            vec!["wang.qiang", "zhang.wei"],
        ),
        (&supervisor, vec!["s01"], vec!["zhang.wei"]),
    ] {
        let report: Value = who
            .get(&format!("/api/reports/coverage?{range}"))
            .await
            .json();
        let mut seen: Vec<&str> = report["gates"]
            .as_array()
            .unwrap()
            .iter()
            .chain(report["assignments"].as_array().unwrap())
            .map(|v| v["school_id"].as_str().unwrap())
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen, schools, "{report}");
        assert_eq!(usernames(&report["assignments"], "officer"), officers);
        let by_officer: Value = who
            .get(&format!("/api/reports/officers?{range}"))
            .await
            .json();
        assert_eq!(usernames(&by_officer["officers"], "person"), officers);
    }
    for sheet in ["assignments", "officers", "roster"] {
        let uri = format!("/api/export/{sheet}.csv?{range}");
        let all = admin.get(&uri).await.text();
        let own = supervisor.get(&uri).await;
        assert_eq!(own.status, StatusCode::OK, "{sheet}: {}", own.text());
        assert!(all.contains("wang.qiang"), "{sheet}: {all}");
        assert!(own.text().contains("zhang.wei"), "{sheet}: {}", own.text());
        assert!(
            !own.text().contains("wang.qiang"),
            "{sheet}: {}",
            own.text()
        );
    }

    // A copy of the week copies s01's slots only; an import naming s02 is refused.
    let copy = serde_json::json!({"from": monday, "to": next});
    let copied = supervisor
        .post_json("/api/roster/copy-week", copy.to_string())
        .await;
    assert_eq!(copied.status, StatusCode::OK, "{}", copied.text());
    assert_eq!(copied.json::<Value>()["copied"], 1);
    let week: Value = admin
        .get(&format!("/api/roster?from={next}&to={next}"))
        .await
        .json();
    let posts: Vec<&str> = week["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["post_id"].as_str().unwrap())
        .collect();
    assert_eq!(posts, ["s01-g1"]);
    let file = format!("日期,学校,校门,时段,民警\n{next},第一中学,正门,早,wang.qiang\n");
    let refused = supervisor.post_csv("/api/roster/import", file).await;
    let error = refused.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
    assert!(
        error.detail.contains("没有学校「第一中学」"),
        "{}",
        error.detail
    );
    let after: Value = admin
        .get(&format!("/api/roster?from={next}&to={next}"))
        .await
        .json();
    assert_eq!(after["assignments"], week["assignments"]);
}
