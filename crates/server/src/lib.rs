//! Gatewatch sync server: keeps the change feed of the records phones push and pull, in
//! an embedded SQLite file or in PostgreSQL, and serves the built PWA from the same
//! origin.
//!
//! Code map: `config` (flags), `db` (the database: SQLite or PostgreSQL, one pool,
//! migrations, write and read transactions), `feed` (the change feed: upsert
//! on push, pages on pull, every version kept for a record's history), `catalog`
//! (schools and posts with their locations, the demo seed), `demo` (the demo city: calendar, roster and history in demo mode), `csv_text` (an uploaded CSV's
//! bytes as text: UTF-8 or GB18030), `import` (reading a catalog CSV), `export` (the check-in and incident sheets with their authors, the date range), `reports` (落实率 per gate, per assignment and per officer, JSON and sheets, from the model's functions),
//! `routes` (one router per area, the admins' page, the PWA as the fallback), `error` (the one error type
//! and its JSON body), `extract` (JSON, query, path and CSV extractors that reject with
//! it), `security` (the headers every answer carries, request time limits), `push_limit` (what
//! one account may push a day, counted in the database), `clock` (the server's now), `listen`
//! (the accept loop: http or https, connection time limits, graceful shutdown). The protocol is described in docs/sync-protocol.md.
//!
//! Architecture invariant: what to keep is decided by `gatewatch_model` (validation,
//! versions, the upsert rule); this crate only stores, orders and serves the result.

mod accounts;
pub mod auth;
mod calendar;
mod catalog;
pub mod client_address;
pub mod clock;
pub mod config;
mod csv_text;
pub mod db;
mod demo;
mod device_cookie;
mod duty;
pub mod error;
mod export;
mod extract;
mod feed;
mod hashing;
mod import;
pub mod listen;
mod push_limit;
mod reports;
mod roster;
mod routes;
pub mod security;
mod sessions;
mod swaps;
mod user_import;

use std::collections::BTreeSet;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::db::Db;
use axum::extract::DefaultBodyLimit;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use auth::SessionPolicy;
pub use config::Config;
pub use error::{AppError, StartError};
pub use listen::TlsConfig;
pub use security::Limits;

/// Largest request body accepted, in bytes: a full push of `MAX_PUSH_BATCH` records
/// with long notes is well under this.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Largest catalog CSV accepted, in bytes: thousands of posts fit in far less.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;

/// What every handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    /// The built PWA (trunk's output folder).
    pub dist: Arc<Path>,
    /// How long requests and connections may take (tests shorten them).
    pub limits: Limits,
    /// How long sessions last and whether their cookie is https-only.
    pub sessions: SessionPolicy,
    /// The proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub proxies: client_address::TrustedProxies,
    /// A password hash no password matches: a login for an unknown username is checked
    /// against it, so it takes as long as one for a real account.
    pub dummy_hash: Arc<str>,
    /// Signs and checks the device cookies of the login limit (key in the database).
    pub device_cookies: device_cookie::DeviceCookies,
    /// How much one account may push a day (`--push-records-per-day`, `--push-bytes-per-day`).
    pub push_limits: gatewatch_model::quota::PushLimits,
    /// "Now" for what counts by the day (the push limit); tests move it forward.
    pub clock: clock::ServerClock,
}

/// The logins a fresh database was given (username, password): printed once at start.
pub type FirstLogins = Vec<(String, String)>;

impl AppState {
    /// Opens (creating and migrating if needed) the database and points at `dist`. An
    /// empty catalog gets the demo schools and posts, so a fresh server is usable; a
    /// database without accounts gets an admin (`admin_password`, or a made-up one),
    /// and with `demo` and the demo schools, the demo logins and, once, the demo city
    /// (`demo`: calendar, roster, three weeks of history). The logins are returned for
    /// the caller to show, once.
    pub async fn open_with(
        database: impl Into<db::Location>,
        dist: impl Into<PathBuf>,
        admin_password: Option<String>,
        demo: bool,
    ) -> Result<(Self, FirstLogins), StartError> {
        let db = db::connect(&database.into()).await?;
        let now = chrono::Utc::now();
        let seeded = catalog::seed_demo(&db, now)
            .await
            .map_err(StartError::Seed)?;
        if seeded {
            tracing::info!("empty catalog: seeded the demo schools and posts");
        }
        catalog::ensure_post_secrets(&db)
            .await
            .map_err(|e| StartError::Seed(Box::new(e)))?;
        // In demo mode, the demo officer and lead serve the demo schools the catalog
        // has: whichever process seeded them (processes may start together), and none
        // when an admin's own catalog was there first.
        let demo_schools = match demo {
            true => {
                let demo_ids: BTreeSet<String> = gatewatch_model::school::demo_schools()
                    .into_iter()
                    .map(|s| s.id)
                    .collect();
                let present: BTreeSet<String> = catalog::schools(&db)
                    .await
                    .map_err(|e| StartError::Seed(Box::new(e)))?
                    .into_iter()
                    .map(|s| s.id)
                    .filter(|id| demo_ids.contains(id))
                    .collect();
                Some(present).filter(|p| !p.is_empty())
            }
            false => None,
        };
        let logins = accounts::bootstrap(&db, admin_password, demo_schools, now)
            .await
            .map_err(|e| StartError::Seed(Box::new(e)))?;
        // The demo city's calendar, roster and history, once, on its first start.
        if demo
            && demo::seed_city(&db, now)
                .await
                .map_err(|e| StartError::Seed(Box::new(e)))?
        {
            tracing::info!("demo mode: seeded the demo city's calendar, roster and history");
        }
        let dummy_hash = accounts::dummy_hash()
            .await
            .map_err(|e| StartError::Seed(Box::new(e)))?;
        let device_cookies = device_cookie::DeviceCookies::load(&db)
            .await
            .map_err(|e| StartError::Seed(Box::new(e)))?;
        let state = Self {
            db,
            dist: Arc::from(dist.into()),
            limits: Limits::default(),
            sessions: SessionPolicy::default(),
            proxies: client_address::TrustedProxies::default(),
            dummy_hash: Arc::from(dummy_hash),
            device_cookies,
            push_limits: Default::default(),
            clock: Default::default(),
        };
        Ok((state, logins))
    }

    /// `open_with` a made-up admin password, the first logins discarded (tests and
    /// benchmarks that make their own accounts).
    pub async fn open(
        database: impl Into<db::Location>,
        dist: impl Into<PathBuf>,
    ) -> Result<Self, StartError> {
        Ok(Self::open_with(database, dist, None, false).await?.0)
    }
}

/// The whole HTTP application: `/api/*`, the admins' page at `/admin`, and the PWA for
/// every other path. Every answer carries the security headers (`security::headers`);
/// bodies are limited in size and requests in time (`security::limit`).
pub fn app(state: AppState) -> Router {
    let router = Router::new()
        .nest("/api", routes::api(&state))
        .merge(routes::admin_page::router())
        .merge(routes::console::router())
        .fallback(routes::pwa::serve)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    let router = security::limit(router, state.limits).layer(CompressionLayer::new());
    security::headers(router)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Runs the server as configured until Ctrl-C or SIGTERM: over https when given a
/// certificate and key.
pub async fn serve(config: Config) -> Result<(), StartError> {
    // Before opening anything: a half-given TLS setup must not start a plain server.
    let tls = match config.tls()? {
        Some((cert, key)) => Some(TlsConfig::from_pem_files(cert, key)?),
        None => None,
    };
    let database = config.database()?;
    let (mut state, mut logins) = AppState::open_with(
        database.clone(),
        &config.dist,
        config.initial_admin_password.clone(),
        config.demo,
    )
    .await?;
    // A password the operator chose is theirs to know: not printed into logs.
    if config.initial_admin_password.is_some() {
        for (username, password) in &mut logins {
            if username == "admin" {
                *password = "(the password given by GATEWATCH_INITIAL_ADMIN_PASSWORD)".into();
            }
        }
    }
    state.proxies = client_address::TrustedProxies::parse(&config.trusted_proxies)?;
    state.push_limits = config.push_limits();
    if let Some(cap) = config.max_connections {
        state.limits.max_connections = cap as usize;
    }
    state.sessions = SessionPolicy {
        ttl: std::time::Duration::from_secs(config.session_ttl_secs),
        secure_cookie: config.cookie_secure || tls.is_some(),
        ..SessionPolicy::default()
    };
    print_first_logins(&logins);
    if !state.dist.join("index.html").exists() {
        tracing::warn!(dist = %state.dist.display(), "no built PWA found; only the API will be useful");
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(StartError::Serve)?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(
        %database,
        max_connections = state.limits.max_connections,
        "Gatewatch listening on {scheme}://{addr}"
    );
    match tls {
        Some(tls) => run_tls(listener, state, tls, shutdown_signal()).await,
        None => run(listener, state, shutdown_signal()).await,
    }
}

/// Shows the accounts a fresh database was given, once, where the person who started
/// the server sees them (standard output, not the log).
fn print_first_logins(logins: &FirstLogins) {
    if logins.is_empty() {
        return;
    }
    println!(
        "==> No accounts existed: created these logins (shown only now; change the passwords):"
    );
    for (username, password) in logins {
        println!("    {username:<10} {password}");
    }
}

/// Serves `app(state)` over http on an already bound listener until `shutdown`
/// completes, lets requests in flight finish, then closes the database cleanly.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    run_with(listener, state, None, shutdown).await
}

/// `run` over https, every answer with `Strict-Transport-Security`.
pub async fn run_tls(
    listener: TcpListener,
    state: AppState,
    tls: TlsConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    run_with(listener, state, Some(tls), shutdown).await
}

async fn run_with(
    listener: TcpListener,
    state: AppState,
    tls: Option<TlsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let mut state = state;
    // Over https the session cookie is never sent in the clear.
    state.sessions.secure_cookie |= tls.is_some();
    let db = state.db.clone();
    let limits = state.limits;
    let router = match tls {
        Some(_) => security::hsts(app(state)),
        None => app(state),
    };
    listen::serve(listener, router, tls, limits, shutdown).await;
    // Closing the last connection checkpoints SQLite's WAL into the database file.
    db.close().await;
    tracing::info!("Gatewatch stopped");
    Ok(())
}

/// Completes on Ctrl-C, or on SIGTERM (what `docker stop` and systemd send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            // Without the handler we just never stop this way; SIGTERM still works.
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
