//! The `gatewatch-server` binary: parse the configuration, set up logging, run.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use gatewatch_server::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("gatewatch_server=info,tower_http=info"));
    // Colours only for a person watching, not in log files.
    let ansi = std::io::stdout().is_terminal();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .init();
    let config = Config::parse();
    match gatewatch_server::serve(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}
