//! The real `gatewatch-server` binary as a child process on loopback, on a test's
//! database: for tests that kill it.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use gatewatch_model::account::LoginRequest;
use std::collections::BTreeMap;

use gatewatch_model::{DeviceId, PullResponse, Record};
use gatewatch_server::db::Location;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use uuid::Uuid;

use super::ADMIN_PASSWORD;

/// One `gatewatch-server` process; killed when dropped.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pub process: Child,
}

impl Server {
    /// Starts the binary on `location` with `dir/dist` as its PWA, on a free port, and
    /// waits until it listens.
    pub async fn start(location: &Location, dir: &Path) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gatewatch-server"));
        command
            .args(["--listen", "127.0.0.1:0", "--dist"])
            .arg(dir.join("dist"))
            .env("GATEWATCH_INITIAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "gatewatch_server=info")
            .env_remove("GATEWATCH_DATABASE_URL")
            .env_remove("GATEWATCH_LISTEN")
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        match location {
            Location::File(path) => command.arg("--database").arg(path),
            // In the environment, not the arguments: a password stays out of `ps`.
            Location::Postgres(url) => command.env("GATEWATCH_DATABASE_URL", url),
        };
        let mut process = command.spawn().expect("start gatewatch-server");
        // Its log goes to standard output.
        let mut lines = BufReader::new(process.stdout.take().unwrap()).lines();
        let base = tokio::time::timeout(Duration::from_secs(60), async {
            let mut log = Vec::new();
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some((_, rest)) = line.split_once("listening on ") {
                    return rest.split_whitespace().next().unwrap().to_owned();
                }
                log.push(line);
            }
            panic!(
                "gatewatch-server exited before listening:\n{}",
                log.join("\n")
            );
        })
        .await
        .expect("gatewatch-server did not start listening within a minute");
        // Keep reading its log, so a full pipe never stalls it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { base, process }
    }

    /// SIGKILL, whatever it is doing, and waits until it is gone.
    pub async fn kill(mut self) {
        self.process.kill().await.expect("kill gatewatch-server");
    }
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
