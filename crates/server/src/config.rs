//! Server configuration: command-line flags, each with an environment fallback.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use gatewatch_model::quota;

use crate::db::Location;
use crate::error::StartError;

/// How to run the server. Relative paths are relative to the working directory, which
/// `make run` sets to the repository root.
#[derive(Debug, Clone, PartialEq, Eq, clap::Parser)]
#[command(
    name = "gatewatch-server",
    version,
    about = "Gatewatch sync server: stores check-ins and serves the PWA"
)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "GATEWATCH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// SQLite database file; it and its folder are created if missing. Unused with
    /// --database-url.
    #[arg(long, env = "GATEWATCH_DATABASE", default_value = "data/gatewatch.db")]
    pub database: PathBuf,

    /// A PostgreSQL database instead of the SQLite file:
    /// postgres://user:password@host:port/database. Several server processes may share
    /// one (behind a load balancer); its schema is made and migrated at start.
    #[arg(long, env = "GATEWATCH_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Folder of the built PWA (trunk's output), served for every path outside /api.
    #[arg(long, env = "GATEWATCH_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// PEM certificate chain (the server's certificate first). With --tls-key, the
    /// server speaks https only and sends Strict-Transport-Security.
    #[arg(long, env = "GATEWATCH_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "GATEWATCH_TLS_KEY")]
    pub tls_key: Option<PathBuf>,

    /// How long a login lasts, in seconds (default 14 days). A phone whose session
    /// ended keeps its unsynced records and sends them after the next login.
    #[arg(long, env = "GATEWATCH_SESSION_TTL_SECS", default_value_t = 14 * 24 * 3600)]
    pub session_ttl_secs: u64,

    /// Mark the session cookie Secure (https only). On by itself with --tls-cert; set
    /// it behind a reverse proxy that terminates TLS.
    #[arg(long, env = "GATEWATCH_COOKIE_SECURE")]
    pub cookie_secure: bool,

    /// Demo mode (`make run`): a fresh database also gets a demo officer and team lead for
    /// the demo schools, their made-up passwords printed once. Never in production.
    #[arg(long, env = "GATEWATCH_DEMO")]
    pub demo: bool,

    /// Load balancers or reverse proxies (addresses or networks, comma-separated in the
    /// environment) whose `X-Forwarded-For` names the client for the per-address login
    /// limit. Without it the header is ignored: anyone can send one.
    #[arg(
        long = "trusted-proxy",
        env = "GATEWATCH_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,

    /// Most records (new versions) one account may push in 24 hours; over it a push is
    /// refused with 429 and Retry-After (admins are not limited). See
    /// `gatewatch_model::quota` for how the default was chosen.
    #[arg(
        long,
        env = "GATEWATCH_PUSH_RECORDS_PER_DAY",
        default_value_t = quota::DEFAULT_RECORDS_PER_DAY,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub push_records_per_day: u64,

    /// Most JSON bytes of records one account may push in 24 hours (default 3 MiB).
    #[arg(
        long,
        env = "GATEWATCH_PUSH_BYTES_PER_DAY",
        default_value_t = quota::DEFAULT_BYTES_PER_DAY,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub push_bytes_per_day: u64,
    /// The most client connections open at once. At the cap, an idle connection of the
    /// address holding the most is closed to make room for a new one. Default: what the open-file limit
    /// (`ulimit -n`) leaves after the database's files, less a quarter for the app's
    /// files being sent (720 for 1024 open files).
    #[arg(long, env = "GATEWATCH_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,

    /// The password of the `admin` account made when the database has no accounts.
    /// Without it a random one is made up and printed once. Ignored once accounts exist.
    #[arg(long, env = "GATEWATCH_INITIAL_ADMIN_PASSWORD", hide_env_values = true)]
    pub initial_admin_password: Option<String>,
}

impl Config {
    /// Where the data lives: `database_url` if given, else the `database` file.
    pub fn database(&self) -> Result<Location, StartError> {
        Location::from_flags(&self.database, self.database_url.as_deref())
    }

    /// How much one account may push a day.
    pub fn push_limits(&self) -> quota::PushLimits {
        quota::PushLimits {
            records_per_day: self.push_records_per_day,
            bytes_per_day: self.push_bytes_per_day,
        }
    }

    /// The certificate and key files, if https was asked for. Checked here rather than
    /// by clap so a flag and an environment variable are held to the same rule.
    pub fn tls(&self) -> Result<Option<(&Path, &Path)>, StartError> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(Some((cert, key))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(StartError::TlsPair("a TLS certificate without its key")),
            (None, Some(_)) => Err(StartError::TlsPair("a TLS key without its certificate")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn flags_are_parsed_and_bad_addresses_refused() -> Result<(), clap::Error> {
        // Flags win over the environment, so this holds whatever GATEWATCH_* is set to.
        let c = Config::try_parse_from([
            "gatewatch-server",
            "--listen",
            "0.0.0.0:9000",
            "--database",
            "/tmp/x.db",
            "--dist",
            "/srv/dist",
        ])?;
        assert_eq!(c.listen, SocketAddr::from(([0, 0, 0, 0], 9000)));
        assert_eq!(c.database, PathBuf::from("/tmp/x.db"));
        assert_eq!(c.dist, PathBuf::from("/srv/dist"));
        assert!(Config::try_parse_from(["gatewatch-server", "--listen", "nowhere"]).is_err());
        Ok(())
    }

    #[test]
    fn push_limits_are_flags_of_at_least_one() -> Result<(), clap::Error> {
        let c = Config::try_parse_from([
            "gatewatch-server",
            "--push-records-per-day",
            "300",
            "--push-bytes-per-day",
            "65536",
        ])?;
        assert_eq!(
            c.push_limits(),
            quota::PushLimits {
                records_per_day: 300,
                bytes_per_day: 65_536
            }
        );
        let zero = ["gatewatch-server", "--push-records-per-day", "0"];
        assert!(Config::try_parse_from(zero).is_err());
        Ok(())
    }

    #[test]
    fn tls_needs_both_files_or_neither() -> Result<(), clap::Error> {
        let parse = |args: &[&str]| {
            let mut c = Config::try_parse_from(["gatewatch-server"].iter().chain(args))?;
            // Whatever GATEWATCH_TLS_* say, only the flags count here.
            for (flag, field) in [
                ("--tls-cert", &mut c.tls_cert),
                ("--tls-key", &mut c.tls_key),
            ] {
                if !args.contains(&flag) {
                    *field = None;
                }
            }
            Ok::<_, clap::Error>(c)
        };
        let both = parse(&["--tls-cert", "c.pem", "--tls-key", "k.pem"])?;
        assert_eq!(
            both.tls().unwrap(),
            Some((Path::new("c.pem"), Path::new("k.pem")))
        );
        assert_eq!(parse(&[])?.tls().unwrap(), None);
        for half in [["--tls-cert", "c.pem"], ["--tls-key", "k.pem"]] {
            let error = parse(&half)?.tls().unwrap_err().to_string();
            assert!(
                error.contains("give both --tls-cert and --tls-key"),
                "{error}"
            );
        }
        Ok(())
    }
}
