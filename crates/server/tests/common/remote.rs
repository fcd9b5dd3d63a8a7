//! The test's own `gatewatch-server` binary from outside, as a phone reaches it over
//! loopback: started on a test's database, the test admin's login and the whole feed,
//! for tests that kill the process between calls.

use std::collections::BTreeMap;
use std::path::Path;

use gatewatch_model::account::LoginRequest;
use gatewatch_model::{DeviceId, PullResponse, Record};
use gatewatch_server::db::Location;
use uuid::Uuid;

use super::process::ServerProcess;
use super::ADMIN_PASSWORD;

/// The test's binary on `location`, `dir/dist` as its PWA, on a free port of loopback.
pub async fn start(location: &Location, dir: &Path) -> ServerProcess {
    let binary = Path::new(env!("CARGO_BIN_EXE_gatewatch-server"));
    ServerProcess::start(binary, location, &dir.join("dist"), ADMIN_PASSWORD).await
}

/// Logs the test admin in on `device` through the server at `base`, as a phone does:
/// the `Cookie` header value (`gw_session=…`) its requests then carry.
pub async fn log_in_as_admin(http: &reqwest::Client, base: &str, device: &DeviceId) -> String {
    let login = LoginRequest {
        username: "admin".into(),
        password: ADMIN_PASSWORD.into(),
        device: device.clone(),
    };
    let answer = http
        .post(format!("{base}/api/auth/login"))
        .header("x-gatewatch", "1")
        .json(&login)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "login: {}", answer.status());
    answer
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().filter(|c| c.starts_with("gw_session=")))
        .expect("a session cookie")
        .to_owned()
}

/// The whole feed through the server at `base`, from seq 0, as the session `cookie`
/// may read it: each id must come once.
pub async fn whole_feed(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
) -> BTreeMap<Uuid, Record> {
    let mut feed = BTreeMap::new();
    let mut since = 0;
    loop {
        let answer = http
            .get(format!("{base}/api/sync/pull?since={since}&limit=500"))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "pull: {}", answer.status());
        let page: PullResponse = answer.json().await.unwrap();
        for change in page.changes {
            let id = change.record.id;
            assert!(
                feed.insert(id, change.record).is_none(),
                "{id} twice in one read of the feed"
            );
        }
        since = page.cursor.0;
        if !page.more {
            return feed;
        }
    }
}
