//! The login limits against denial of service: device cookies (a browser that logged in
//! as a user is not locked out by others' wrong passwords; a stolen cookie guesses
//! little), a police station's burst of correct logins from one address, and the
//! server's memory after it.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::{session_cookie, set_cookie, RealServer, TestApp, TestResponse, ADMIN_PASSWORD};
use serde_json::json;

/// A login request for `username` from `address`, carrying `device_cookie` if given
/// (`name=value`, as a browser sends it back).
fn login_from(
    address: [u8; 4],
    username: &str,
    password: &str,
    device_cookie: Option<&str>,
) -> Request<Body> {
    let body = json!({ "username": username, "password": password, "device": "phone" });
    let mut request = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-gatewatch", "1");
    if let Some(cookie) = device_cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let mut request = request.body(Body::from(body.to_string())).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((address, 40000))));
    request
}

/// The device cookie a login answer sets (`name=value`).
fn device_cookie(response: &TestResponse) -> String {
    set_cookie(response, "gw_device_")
        .unwrap_or_else(|| panic!("no device cookie: {:?}", response.headers))
}

/// Logs `username` in from `address` and returns the device cookie it was given.
async fn known_device(t: &TestApp, address: [u8; 4], username: &str, password: &str) -> String {
    let response = t
        .call_raw(login_from(address, username, password, None))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    device_cookie(&response)
}

#[tokio::test]
async fn wrong_passwords_from_anywhere_lock_out_unknown_browsers_but_not_known_devices() {
    let t = TestApp::new().await;
    t.user("wang.li", "officer", &["s01"], &[]).await;
    let phone = known_device(&t, [10, 1, 1, 1], "wang.li", "wang.li-password").await;
    let admins_pc = known_device(&t, [10, 1, 1, 2], "admin", ADMIN_PASSWORD).await;

    // A hundred wrong passwords for each, from four addresses (none reaches the
    // address limit): the account limit of unknown browsers.
    let attackers = [
        [203, 0, 113, 1],
        [203, 0, 113, 2],
        [198, 51, 100, 3],
        [192, 0, 2, 4],
    ];
    for n in 0..100 {
        for username in ["wang.li", "admin"] {
            let guess = login_from(attackers[n % 4], username, "wrong-guess", None);
            t.call_raw(guess)
                .await
                .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
        }
    }
    for (username, password) in [("wang.li", "wang.li-password"), ("admin", ADMIN_PASSWORD)] {
        // From an unknown browser, even the right password waits now.
        let cooled = t
            .call_raw(login_from([10, 1, 1, 9], username, password, None))
            .await;
        cooled.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        assert!(cooled.header(header::RETRY_AFTER).is_some());
    }
    // The real user and the admin, on their own devices, get in.
    let back = t
        .call_raw(login_from(
            [10, 1, 1, 1],
            "wang.li",
            "wang.li-password",
            Some(&phone),
        ))
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text());
    assert!(session_cookie(&back).is_some());
    assert_eq!(
        device_cookie(&back),
        phone,
        "the same device cookie, renewed"
    );
    let admin = login_from([10, 1, 1, 2], "admin", ADMIN_PASSWORD, Some(&admins_pc));
    assert_eq!(t.call_raw(admin).await.status, StatusCode::OK);
    // A device cookie is one user's: the officer's does not let anyone in as admin.
    let swapped = login_from([10, 1, 1, 1], "admin", ADMIN_PASSWORD, Some(&phone));
    t.call_raw(swapped)
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}

#[tokio::test]
async fn a_stolen_device_cookie_guesses_only_its_own_few_times() {
    let mut t = TestApp::new().await;
    t.state.sessions.account_failures_per_hour = 5;
    t.user("wang.li", "officer", &["s01"], &[]).await;
    let phone = known_device(&t, [10, 1, 1, 1], "wang.li", "wang.li-password").await;
    let old_laptop = known_device(&t, [10, 1, 1, 2], "wang.li", "wang.li-password").await;
    assert_ne!(phone, old_laptop, "each browser has its own");

    // The thief has the old laptop's cookie: its own 10 guesses, then it is an unknown
    // browser like any other, and those cool down after 5.
    let mut answered = 0;
    for _ in 0..30 {
        let guess = login_from(
            [203, 0, 113, 1],
            "wang.li",
            "wrong-guess",
            Some(&old_laptop),
        );
        match t.call_raw(guess).await.status {
            StatusCode::UNAUTHORIZED => answered += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("{other}"),
        }
    }
    assert_eq!(answered, 10 + 5);
    let right = login_from(
        [203, 0, 113, 1],
        "wang.li",
        "wang.li-password",
        Some(&old_laptop),
    );
    t.call_raw(right)
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // The user's phone is another device: not held back.
    let back = login_from([10, 1, 1, 1], "wang.li", "wang.li-password", Some(&phone));
    assert_eq!(t.call_raw(back).await.status, StatusCode::OK);
}

/// How many people log in at once at a police station's shift start.
const STATION: usize = 500;

/// Resident memory the server may have after the station's logins: a few argon2
/// blocks (19 MiB each) over its ~30 MiB at rest; it had ~830 MiB without the pool.
const RSS_BOUND_KIB: u64 = 200 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_behind_one_address_logs_in_at_once_and_memory_stays_bounded() {
    let real = RealServer::with_officers(STATION).await;
    let server = &real.server;

    let http = reqwest::Client::new();
    let logins = (0..STATION).map(|n| {
        let http = http.clone();
        let url = format!("{}/api/auth/login", server.base);
        tokio::spawn(async move {
            let body = json!({
                "username": format!("officer{n}"), "password": ADMIN_PASSWORD,
                "device": format!("stationphone{n}"),
            });
            let answer = http
                .post(url)
                .header("x-gatewatch", "1")
                .json(&body)
                .send()
                .await
                .unwrap();
            (answer.status(), answer.text().await.unwrap_or_default())
        })
    });
    let mut refused = Vec::new();
    for login in logins.collect::<Vec<_>>() {
        let (status, text) = login.await.unwrap();
        if status != reqwest::StatusCode::OK {
            refused.push(format!("{status} {text}"));
        }
    }
    assert!(
        refused.is_empty(),
        "{} of {STATION} correct logins refused, e.g. {:?}",
        refused.len(),
        refused.first()
    );
    let rss = server.rss_kib().expect("the server's VmRSS");
    println!("RSS after {STATION} logins: {} MiB", rss / 1024);
    assert!(rss < RSS_BOUND_KIB, "RSS {} MiB", rss / 1024);
}
