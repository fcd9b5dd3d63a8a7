//! Opening the SQLite database: pragmas, pool and migrations.

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::error::StartError;

/// How long a writer waits for another writer before giving up with "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a request waits for a pooled connection before answering 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if needed) the database file and brings its schema up to date.
pub async fn connect(path: &Path) -> Result<SqlitePool, StartError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|source| StartError::DataDir {
                path: dir.to_owned(),
                source,
            })?;
    }
    let open_err = |source| StartError::Open {
        path: path.to_owned(),
        source,
    };
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        // WAL lets pulls read while a push writes; NORMAL is durable across app crashes
        // in WAL mode and only risks the last commits on power loss.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(open_err)?;
    sqlx::migrate!().run(&pool).await?;
    Ok(pool)
}
