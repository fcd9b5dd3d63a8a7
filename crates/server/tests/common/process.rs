//! A `gatewatch-server` process on loopback, for the tests and benchmarks that need the
//! real binary: started on a free port of 127.0.0.1, its address read from its log,
//! killed when dropped. The benchmarks include this file by path (`#[path]`).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use gatewatch_server::db::Location;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

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

    /// Its resident memory (`VmRSS` of /proc/<pid>/status) in KiB, where Linux says.
    pub fn rss_kib(&self) -> Option<u64> {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.process.id()?)).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    }
}
