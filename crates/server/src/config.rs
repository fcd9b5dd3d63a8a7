//! Server configuration: command-line flags, each with an environment fallback.

use std::net::SocketAddr;
use std::path::PathBuf;

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

    /// SQLite database file; it and its folder are created if missing.
    #[arg(long, env = "GATEWATCH_DATABASE", default_value = "data/gatewatch.db")]
    pub database: PathBuf,

    /// Folder of the built PWA (trunk's output), served for every path outside /api.
    #[arg(long, env = "GATEWATCH_DIST", default_value = "dist")]
    pub dist: PathBuf,
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
}
