//! A `gatewatch-server` process on loopback, for the tests and benchmarks that need the
//! real binary: started on a free port of 127.0.0.1, its address read from its log,
//! killed when dropped; and officers to log in to it. The load benchmark includes this
//! file by path (`#[path]`).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use gatewatch_server::db::Location;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Adds `count` officers `officer0`, `officer1`, … serving the demo schools to the
/// database at `location`, all with the admin's password (its hash copied: one hash
/// made, not one per officer).
pub async fn add_officers(location: &Location, count: usize) {
    let db = gatewatch_server::db::open(location).await.unwrap();
    for n in 0..count {
        sqlx::query(
            r#"INSERT INTO users (id, username, display_name, role, schools, teams, password_hash,
                                disabled, created_at, updated_at)
             SELECT $1, $2, $3, 'officer', '["s01","s02","s03","s04"]', '[]', password_hash, 0,
                    created_at, updated_at
             FROM users WHERE username = 'admin'"#,
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(format!("officer{n}"))
        .bind(format!("民警 {n}"))
        .execute(db.pool())
        .await
        .unwrap();
    }
    db.close().await;
}

/// One `gatewatch-server` process.
pub struct ServerProcess {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pub process: Child,
}

impl ServerProcess {
    /// Starts `binary` on `location` with `dist`, its admin's password `admin_password`
    /// if the database is new, and waits (at most a minute) until it listens.
    pub async fn start(
        binary: &Path,
        location: &Location,
        dist: &Path,
        admin_password: &str,
    ) -> Self {
        let mut command = Command::new(binary);
        command
            .args(["--listen", "127.0.0.1:0", "--dist"])
            .arg(dist)
            .env("GATEWATCH_INITIAL_ADMIN_PASSWORD", admin_password)
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

    /// Its resident memory in KiB, where Linux says (`rss_of`).
    pub fn rss_kib(&self) -> Option<u64> {
        rss_of(self.process.id()?)
    }
}

/// The resident memory of process `pid` in KiB: `VmRSS` of /proc/<pid>/status.
pub fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}
