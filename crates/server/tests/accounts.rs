//! Accounts and sessions through `app()`: login and its cookie, the login rate limits,
//! logout, expiry, disabled accounts, revoked devices, password resets, the CSRF
//! header, the users CSV import and the accounts of a fresh database.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use common::{device, record, session_cookie, TestApp, TestDatabase, ADMIN_PASSWORD};
use gatewatch_model::access::UserRole;
use gatewatch_model::account::Profile;
use gatewatch_server::client_address::TrustedProxies;
use serde_json::{json, Value};

#[tokio::test]
async fn a_login_sets_an_http_only_strict_cookie_and_answers_the_profile() {
    let t = TestApp::new().await;
    let response = t.try_login("ADMIN", ADMIN_PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    // The session's: a login also sets a device cookie (tests/login_limits.rs).
    let set_cookie = response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("gw_session="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    // Plain http (tests, loopback): not Secure, or the browser would never send it.
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    let profile: Profile = response.json();
    assert_eq!(
        (profile.username.as_str(), profile.role),
        ("admin", UserRole::Admin)
    );

    let session = session_cookie(&response).unwrap();
    let me: Profile = t.as_user(&session).get("/api/auth/me").await.json();
    assert_eq!(me, profile);
    // The token itself is not what the database keeps.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
        .bind(&session)
        .fetch_one(t.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_get_one_answer() {
    let t = TestApp::new().await;
    let wrong = t.try_login("admin", "not-the-password").await;
    let unknown = t.try_login("nobody", "not-the-password").await;
    let a = wrong.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    let b = unknown.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    assert_eq!(a.detail, b.detail);
    assert!(session_cookie(&wrong).is_none());
    // Not JSON, or missing a field: a 4xx, not a 500.
    t.anonymous()
        .post_json("/api/auth/login", "{")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_json");
    t.anonymous()
        .post_json("/api/auth/login", r#"{"username":"admin"}"#)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_record");
}

#[tokio::test]
async fn without_a_session_only_health_and_login_answer() {
    let t = TestApp::new().await;
    let nobody = t.anonymous();
    assert_eq!(nobody.get("/api/health").await.status, StatusCode::OK);
    for path in [
        "/api/auth/me",
        "/api/posts",
        "/api/schools",
        "/api/sync/pull?since=0",
        "/api/posts/s01-g1/secret",
        "/api/admin/users",
        "/api/export/checkins.csv?from=2026-01-01&to=2026-01-31",
        "/api/reports/duty?month=2026-11",
        "/api/records/00000000-0000-0000-0000-000000000001/history",
    ] {
        nobody
            .get(path)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    let push = json!({ "device": device().as_str(), "records": [record(1, 100)] });
    nobody
        .post_json("/api/sync/push", push.to_string())
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    // A made-up cookie is no session either.
    t.as_user("00ff")
        .get("/api/posts")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "session_expired");
    assert_eq!(t.rows().await, 0);
}

#[tokio::test]
async fn a_state_changing_request_needs_the_x_gatewatch_header() {
    let t = TestApp::new().await;
    let push = json!({ "device": device().as_str(), "records": [record(1, 100)] });
    let cookie = format!("gw_session={}", t.session.as_deref().unwrap());
    // What a cross-site form could send: the cookie (were it not SameSite) but no header.
    let forged = Request::post("/api/sync/push")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &cookie)
        .body(Body::from(push.to_string()))
        .unwrap();
    t.call_raw(forged)
        .await
        .assert_error(StatusCode::FORBIDDEN, "csrf_header_missing");
    assert_eq!(t.rows().await, 0);
    // Reads need no header.
    let read = Request::get("/api/posts")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(t.call_raw(read).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_account_cools_down_after_a_hundred_failures_in_an_hour() {
    let t = TestApp::new().await;
    let (_, _) = t.user("wang.li", "officer", &["s01"], &[]).await;
    for _ in 0..100 {
        t.try_login("wang.li", "wrong-password")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    // Even the right password now waits: the attacker cannot tell it was right.
    let cooled = t.try_login("wang.li", "wang.li-password").await;
    cooled.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let wait: u64 = cooled.header(header::RETRY_AFTER).unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&wait), "{wait}");
    // Another account is not held back.
    t.login("admin", ADMIN_PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_cannot_slip_past_the_limit() {
    let mut t = TestApp::new().await;
    t.state.sessions.account_failures_per_hour = 5;
    let guesses = (0..20).map(|_| {
        let t = t.clone();
        tokio::spawn(async move { t.try_login("admin", "a-wrong-guess").await.status })
    });
    let mut counted = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            StatusCode::UNAUTHORIZED => counted += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("{other}"),
        }
    }
    assert_eq!(counted, 5, "only as many guesses as the limit were checked");
}

#[tokio::test]
async fn an_address_cools_down_whatever_usernames_it_tries() {
    let mut t = TestApp::new().await;
    t.state.sessions.address_failures_per_hour = 5;
    let from = |addr: [u8; 4], user: &str| {
        let body = json!({ "username": user, "password": "guess-guess", "device": "phone" });
        let mut request = Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-gatewatch", "1")
            .body(Body::from(body.to_string()))
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((addr, 40000))));
        request
    };
    for n in 0..5 {
        let r = t.call_raw(from([10, 0, 0, 7], &format!("user{n}"))).await;
        r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    t.call_raw(from([10, 0, 0, 7], "admin"))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // Another address is not.
    t.call_raw(from([10, 0, 0, 8], "user9"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
}

#[tokio::test]
async fn behind_a_trusted_balancer_each_client_is_counted_and_ipv6_by_its_64() {
    let mut t = TestApp::new().await;
    t.state.sessions.address_failures_per_hour = 3;
    t.state.proxies = TrustedProxies::parse(&["10.0.0.0/24".into()]).unwrap();
    let from = |peer: SocketAddr, forwarded: Option<&str>, user: &str| {
        let body = json!({ "username": user, "password": "guess-guess", "device": "phone" });
        let mut request = Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-gatewatch", "1");
        if let Some(f) = forwarded {
            request = request.header("x-forwarded-for", f);
        }
        let mut request = request.body(Body::from(body.to_string())).unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    };
    let balancer = SocketAddr::from(([10, 0, 0, 2], 40000));
    for n in 0..3 {
        let guess = from(balancer, Some("203.0.113.7"), &format!("user{n}"));
        t.call_raw(guess)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    t.call_raw(from(balancer, Some("203.0.113.7"), "admin"))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // Another phone behind the same balancer is not locked out with it.
    t.call_raw(from(balancer, Some("203.0.113.8"), "user9"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    // A client that is not the balancer cannot pass for another by sending the header.
    let direct = SocketAddr::from(([203, 0, 113, 7], 40000));
    t.call_raw(from(direct, Some("198.51.100.1"), "user9"))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");

    // IPv6: new addresses within one /64 are the same client.
    for n in 1..=3u16 {
        let peer = SocketAddr::from(([0x2001, 0xdb8, 0, 7, n, 0, 0, 1], 40000));
        t.call_raw(from(peer, None, "user1"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    let rotated = SocketAddr::from(([0x2001, 0xdb8, 0, 7, 9, 9, 9, 9], 40000));
    t.call_raw(from(rotated, None, "user1"))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}

#[tokio::test]
async fn logging_out_ends_the_session_and_removes_the_cookie() {
    let t = TestApp::new().await;
    let session = t.login("admin", ADMIN_PASSWORD).await;
    let me = t.as_user(&session);
    let out = me.post_json("/api/auth/logout", "{}").await;
    assert_eq!(out.status, StatusCode::OK);
    let removal = out.header(header::SET_COOKIE).unwrap();
    assert!(removal.starts_with("gw_session=;"), "{removal}");
    me.get("/api/auth/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "session_expired");
    // The harness's own admin session is another one: still working.
    assert_eq!(t.get("/api/auth/me").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    let mut t = TestApp::new().await;
    t.state.sessions.ttl = Duration::from_millis(300);
    let session = t.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(
        t.as_user(&session).get("/api/posts").await.status,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    t.as_user(&session)
        .get("/api/posts")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "session_expired");
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_logins() {
    let t = TestApp::new().await;
    let (id, session) = t.user("zhao.min", "lead", &["s01"], &[]).await;
    let fields =
        json!({ "display_name": "赵敏", "role": "lead", "schools": ["s01"], "disabled": true });
    let changed = t
        .put_json(&format!("/api/admin/users/{id}"), fields.to_string())
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    t.as_user(&session)
        .get("/api/auth/me")
        .await
        .assert_error(StatusCode::FORBIDDEN, "account_disabled");
    t.try_login("zhao.min", "zhao.min-password")
        .await
        .assert_error(StatusCode::FORBIDDEN, "account_disabled");
    // Enabled again (say, by mistake), the old phone's session stays ended; the usual
    // spreadsheet imported later does not enable it either.
    let enabled = json!({ "display_name": "赵敏", "role": "lead", "schools": ["s01"] });
    t.put_json(&format!("/api/admin/users/{id}"), enabled.to_string())
        .await;
    t.as_user(&session)
        .get("/api/auth/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "device_revoked");
    t.put_json(&format!("/api/admin/users/{id}"), fields.to_string())
        .await;
    let sheet = "username,display_name,role,schools,teams\nzhao.min,赵敏,lead,s01,\n";
    assert_eq!(
        t.post_csv("/api/admin/users/import", sheet).await.status,
        StatusCode::OK
    );
    t.try_login("zhao.min", "zhao.min-password")
        .await
        .assert_error(StatusCode::FORBIDDEN, "account_disabled");
    // An admin cannot lock themselves out by a slip.
    let me: Profile = t.get("/api/auth/me").await.json();
    let myself = json!({ "display_name": "x", "role": "admin", "disabled": true });
    t.put_json(&format!("/api/admin/users/{}", me.user), myself.to_string())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_user");
}

#[tokio::test]
async fn a_revoked_device_must_log_in_again_and_others_go_on() {
    let t = TestApp::new().await;
    let (id, on_test_phone) = t.user("wang.li", "officer", &["s01"], &[]).await;
    let body =
        json!({ "username": "wang.li", "password": "wang.li-password", "device": "otherphone" });
    let other = t
        .anonymous()
        .post_json("/api/auth/login", body.to_string())
        .await;
    let on_other_phone = session_cookie(&other).unwrap();

    let devices: Vec<Value> = t
        .get(&format!("/api/admin/users/{id}/devices"))
        .await
        .json();
    let names: Vec<&str> = devices
        .iter()
        .map(|d| d["device"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{devices:?}");
    assert!(names.contains(&device().as_str()) && names.contains(&"otherphone"));

    let revoked = t
        .post_json(
            &format!("/api/admin/users/{id}/devices/otherphone/revoke"),
            "{}",
        )
        .await;
    assert_eq!(revoked.json::<Value>()["sessions_ended"], 1);
    t.as_user(&on_other_phone)
        .get("/api/sync/pull?since=0")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "device_revoked");
    assert_eq!(
        t.as_user(&on_test_phone)
            .get("/api/sync/pull?since=0")
            .await
            .status,
        StatusCode::OK
    );
    let devices: Vec<Value> = t
        .get(&format!("/api/admin/users/{id}/devices"))
        .await
        .json();
    let other = devices
        .iter()
        .find(|d| d["device"] == "otherphone")
        .unwrap();
    assert_eq!(other["active_sessions"], 0);
}

#[tokio::test]
async fn a_password_reset_ends_every_session_and_the_new_password_works() {
    let t = TestApp::new().await;
    let (id, session) = t.user("wang.li", "officer", &["s01"], &[]).await;
    let reset = t
        .post_json(&format!("/api/admin/users/{id}/password"), "{}")
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text());
    let password = reset.json::<Value>()["password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(password.len(), 16);
    t.as_user(&session)
        .get("/api/auth/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "device_revoked");
    t.try_login("wang.li", "wang.li-password")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    let again = t.login("wang.li", &password).await;
    // The user changes it to one of their own; the old one stops working.
    let elsewhere = t.login("wang.li", &password).await;
    let change = json!({ "current": password, "new": "my-own-secret" });
    let changed = t
        .as_user(&again)
        .post_json("/api/auth/password", change.to_string())
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    t.login("wang.li", "my-own-secret").await;
    // Its other session ended by the user's own change: a plain end, not an admin's.
    t.as_user(&elsewhere)
        .get("/api/auth/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "session_expired");
    // Too short a password is refused with the rule.
    t.post_json(
        &format!("/api/admin/users/{id}/password"),
        r#"{"password":"short"}"#,
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_user");
}

#[tokio::test]
async fn accounts_are_checked_before_they_are_made() {
    let t = TestApp::new().await;
    let new = |username: &str, role: &str, schools: Value| {
        json!({ "username": username, "display_name": "x", "role": role, "schools": schools })
            .to_string()
    };
    for (body, code) in [
        (new("ab", "officer", json!([])), "invalid_user"),
        (new("wang.li", "officer", json!(["s99"])), "invalid_user"),
        (new("wang.li", "chief", json!([])), "invalid_record"),
    ] {
        t.post_json("/api/admin/users", body)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    let made = t
        .post_json(
            "/api/admin/users",
            new("Wang.Li", "officer", json!(["s01"])),
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    assert_eq!(made.json::<Value>()["user"]["username"], "wang.li");
    t.post_json("/api/admin/users", new("wang.li", "lead", json!([])))
        .await
        .assert_error(StatusCode::CONFLICT, "username_taken");
    // An officer is not an admin.
    let (_, officer) = t.user("officer2", "officer", &["s01"], &[]).await;
    t.as_user(&officer)
        .get("/api/admin/users")
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    t.as_user(&officer)
        .post_json("/api/admin/users", new("sneaky", "admin", json!([])))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_users_csv_creates_and_updates_accounts_or_nothing() {
    let t = TestApp::new().await;
    let (_, _) = t.user("zhao.min", "officer", &["s01"], &[]).await;
    let before: Vec<Value> = t.get("/api/admin/users").await.json();
    let bad = "username,display_name,role,schools,teams\nwang.li,王力,officer,s01,\nli.na,李娜,lead,s99,\n";
    let refused = t.post_csv("/api/admin/users/import", bad).await;
    let error = refused.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
    assert!(
        error.detail.contains("line 3") && error.detail.contains("s99"),
        "{}",
        error.detail
    );
    let users: Vec<Value> = t.get("/api/admin/users").await.json();
    assert_eq!(users, before, "nothing of a refused file is applied");

    let good = "\u{feff}username,display_name,role,schools,teams\nwang.li,王力,officer,s01;s02,\nZhao.Min,赵敏,lead,s01,\n";
    let done = t.post_csv("/api/admin/users/import", good).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let outcome: Value = done.json();
    assert_eq!(outcome["created"][0]["username"], "wang.li");
    assert_eq!(outcome["updated"], json!(["zhao.min"]));
    let password = outcome["created"][0]["password"].as_str().unwrap();
    let session = t.login("wang.li", password).await;
    let me: Profile = t.as_user(&session).get("/api/auth/me").await.json();
    assert_eq!(me.schools.len(), 2);
    let users: Vec<Value> = t.get("/api/admin/users").await.json();
    let zhao = users.iter().find(|u| u["username"] == "zhao.min").unwrap();
    assert_eq!(zhao["role"], "lead");
    // No password or hash is ever listed.
    assert!(!t.get("/api/admin/users").await.text().contains("argon2"));
}

#[tokio::test]
async fn a_gbk_users_csv_keeps_its_names_and_a_broken_one_changes_nothing() {
    let t = TestApp::new().await;
    let before: Vec<Value> = t.get("/api/admin/users").await.json();
    let sheet = "username,display_name,role,schools,teams\r\n\
                 wang.li,王力,officer,s01,\r\nzhao.min,赵敏,lead,s01,\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(sheet);
    let mut broken = gbk.to_vec();
    broken.extend_from_slice(b"li.na,\xFF,officer,s01,\r\n");
    let error = t
        .send(Method::POST, "/api/admin/users/import", "text/csv", broken)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_encoding");
    assert!(error.detail.contains("line 4"), "{}", error.detail);
    let users: Vec<Value> = t.get("/api/admin/users").await.json();
    assert_eq!(users, before, "nothing of a refused file is applied");

    let done = t
        .send(
            Method::POST,
            "/api/admin/users/import",
            "text/csv",
            gbk.into_owned(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let users: Vec<Value> = t.get("/api/admin/users").await.json();
    let name = |username: &str| {
        users.iter().find(|u| u["username"] == username).unwrap()["display_name"].clone()
    };
    assert_eq!(
        (name("wang.li"), name("zhao.min")),
        (json!("王力"), json!("赵敏"))
    );
}

#[tokio::test]
async fn a_fresh_database_gets_an_admin_and_demo_logins_with_made_up_passwords() {
    // Without demo mode (production), only the admin.
    let plain = tempfile::tempdir().unwrap();
    let plain_db = TestDatabase::new(plain.path()).await;
    let (_, logins) =
        gatewatch_server::AppState::open_with(plain_db.location.clone(), plain.path(), None, false)
            .await
            .unwrap();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].0, "admin");
    let dir = tempfile::tempdir().unwrap();
    let a = TestDatabase::new(&dir.path().join("a")).await;
    let b = TestDatabase::new(&dir.path().join("b")).await;
    let (_, first) =
        gatewatch_server::AppState::open_with(a.location.clone(), dir.path(), None, true)
            .await
            .unwrap();
    let (state, second) =
        gatewatch_server::AppState::open_with(b.location.clone(), dir.path(), None, true)
            .await
            .unwrap();
    let names: Vec<&str> = first.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(
        names,
        [
            "admin",
            "officer1",
            "lead1",
            "supervisor1",
            // The demo city's officers (crates/server/src/demo.rs).
            "zhang.wei",
            "li.na",
            "wang.qiang",
            "zhao.lei",
            "chen.jing",
            "liu.yang"
        ]
    );
    assert_ne!(first[0].1, second[0].1, "no fixed default password");
    let t = TestApp {
        state: state.clone(),
        dir: std::sync::Arc::new(dir),
        database: std::sync::Arc::new(b),
        session: None,
    };
    for (username, password) in &second {
        let session = t.login(username, password).await;
        let me: Profile = t.as_user(&session).get("/api/auth/me").await.json();
        assert_eq!(&me.username, username);
        if username != "admin" {
            assert!(
                !me.schools.is_empty()
                    && me
                        .schools
                        .iter()
                        .all(|s| ["s01", "s02", "s03", "s04"].contains(&s.as_str())),
                "demo users serve the demo schools: {username} {:?}",
                me.schools
            );
        }
    }
    // Opening it again makes no more accounts and prints nothing.
    let (_, again) = gatewatch_server::AppState::open_with(
        t.database.location.clone(),
        t.dir.path(),
        Some("ignored-now".into()),
        true,
    )
    .await
    .unwrap();
    assert!(again.is_empty());
}

/// Rows of the big users CSV: the documented maximum (`user_import::MAX_ROWS`) in
/// `make soak`, fewer in `make test`.
fn big_import_rows() -> usize {
    common::soak_or(5000, 300)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_csv_that_takes_longer_than_a_request_may_is_imported_whole() {
    let mut t = TestApp::new().await;
    // Shorter than hashing the file's made-up passwords takes, even on every core
    // (tens of ms each): the import has its own, longer deadline.
    t.state.limits.request = Duration::from_secs(2);
    let rows = big_import_rows();
    let mut sheet = String::from("username,display_name,role,schools,teams\n");
    for n in 0..rows {
        sheet.push_str(&format!("officer{n:04},民警{n},officer,s01,\n"));
    }
    let started = std::time::Instant::now();
    let done = t.post_csv("/api/admin/users/import", sheet).await;
    println!("{rows} rows imported in {:?}", started.elapsed());
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let created = done.json::<Value>()["created"].as_array().unwrap().clone();
    assert_eq!(created.len(), rows);
    let users: Vec<Value> = t.get("/api/admin/users").await.json();
    assert_eq!(users.len(), rows + 1, "the admin and every row");
    // The made-up passwords work (the last one, hashed last).
    let last = created.last().unwrap();
    t.login(
        last["username"].as_str().unwrap(),
        last["password"].as_str().unwrap(),
    )
    .await;
}
