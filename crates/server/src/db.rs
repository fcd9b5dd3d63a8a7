//! The database: an embedded SQLite file (the default) or PostgreSQL (`--database-url`),
//! opened, configured and migrated here, and the two kinds of transaction the rest of
//! the server uses.
//!
//! Both run the same statements through sqlx's `Any` driver: `$1`-style parameters,
//! SQL both understand, integers and text only. The few places where the two dialects
//! differ (reading a field of a JSON body) ask `Dialect` for the fragment.
//!
//! Architecture invariant: write transactions are serialized across every server
//! process (`Db::begin_write`), and a read transaction sees one snapshot
//! (`Db::begin_read`). The change feed's cursors rely on both (see `feed`). A commit
//! returns only once it is on disk (`Durability::PowerCut`): a push is acknowledged
//! after its commit, and the phone forgets its copy on the ack.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::pool::PoolOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Transaction};

use crate::error::StartError;

/// How long a writer waits for another writer before giving up with "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a request waits for a pooled connection before answering 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections per server process. PostgreSQL's default limit (100) allows a dozen
/// processes on one database.
const MAX_CONNECTIONS: u32 = 8;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Where the data lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file; it and its folder are created if missing.
    File(PathBuf),
    /// A PostgreSQL URL, `postgres://user:password@host:port/database`.
    Postgres(String),
}

impl Location {
    /// `--database-url` when given (only PostgreSQL URLs), else `--database`'s file.
    pub fn from_flags(file: &Path, url: Option<&str>) -> Result<Self, StartError> {
        match url {
            None => Ok(Self::File(file.to_owned())),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Self::Postgres(url.to_owned()))
            }
            Some(url) => Err(StartError::DatabaseUrl(redact(url))),
        }
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Self {
        Self::File(path.to_owned())
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Self {
        Self::File(path.clone())
    }
}

/// Without the password: this is what logs and errors show.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({self})")
    }
}

/// `url` with any password replaced by `***`: in its user part and in a `password=`
/// parameter. A URL that does not parse (a password with an unescaped `/` or `@`, say)
/// is not shown at all: where its password ends cannot be known.
fn redact(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "(a database URL that cannot be parsed; escape special characters in its \
                password with %XX)"
            .to_owned();
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(key, value)| {
            let value = match key.as_ref() {
                "password" => "***".to_owned(),
                _ => value.into_owned(),
            };
            (key.into_owned(), value)
        })
        .collect();
    if !pairs.is_empty() {
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// Which SQL the database speaks, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The dialect of an open connection.
    pub fn of(conn: &AnyConnection) -> Self {
        match conn.backend_name() {
            "PostgreSQL" => Self::Postgres,
            _ => Self::Sqlite,
        }
    }

    /// The text at `path` (field names) inside the JSON text column `column`, or NULL.
    pub fn json_text(self, column: &str, path: &[&str]) -> String {
        match self {
            Self::Sqlite => format!("json_extract({column}, '$.{}')", path.join(".")),
            // `json`, not `jsonb`: one field read from each body, no binary form built.
            // (Neither reads a body holding an escaped NUL: push refuses those.)
            Self::Postgres => format!("({column}::json #>> '{{{}}}')", path.join(",")),
        }
    }

    /// `column IN` the strings of the JSON array bound as parameter `param` (`$n`).
    pub fn in_json_array(self, column: &str, param: &str) -> String {
        match self {
            Self::Sqlite => format!("{column} IN (SELECT value FROM json_each({param}))"),
            Self::Postgres => {
                format!("{column} IN (SELECT json_array_elements_text({param}::json))")
            }
        }
    }
}

/// The open database: a pool of connections and the dialect they speak. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
}

impl Db {
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// A transaction that writes. One runs at a time, across every server process on the
    /// database: SQLite's `BEGIN IMMEDIATE` takes the file's write lock; on PostgreSQL
    /// the feed row is locked first (`FOR UPDATE`, held to commit). So a transaction's
    /// reads see every write committed before it (no lost update between two pushes of
    /// one record), and seqs are handed out in commit order.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT last_seq FROM feed WHERE id = 1 FOR UPDATE")
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// A transaction that only reads, all of it from one snapshot. SQLite's deferred
    /// transaction takes its snapshot at the first read; PostgreSQL needs REPEATABLE
    /// READ (READ COMMITTED would take one per statement).
    pub async fn begin_read(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin().await,
            Dialect::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        }
    }

    /// Waits for every connection to be returned, then closes them.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Opens the database at `location` (creating an SQLite file and its folder if needed)
/// and brings its schema up to date.
pub async fn connect(location: &Location) -> Result<Db, StartError> {
    let db = open(location).await?;
    // Server processes starting together must not migrate at once. sqlx's migrator
    // takes an advisory lock on PostgreSQL but none on SQLite: there, a lock file
    // beside the database does it.
    let (migrator, _lock) = match location {
        Location::File(path) => (&SQLITE_MIGRATIONS, Some(migration_lock(path).await?)),
        Location::Postgres(_) => (&POSTGRES_MIGRATIONS, None),
    };
    migrator.run(&db.pool).await?;
    Ok(db)
}

/// An exclusive lock on `<database>-migrate.lock`, held until dropped. (Not on the
/// database file itself: SQLite's own locks on it are released when any handle of
/// this process on that file is closed.)
async fn migration_lock(database: &Path) -> Result<std::fs::File, StartError> {
    let mut name = database.as_os_str().to_owned();
    name.push("-migrate.lock");
    let path = PathBuf::from(name);
    let lock_err = |source| StartError::MigrationLock {
        path: path.clone(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(lock_err)?;
    tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|e| lock_err(std::io::Error::other(e)))?
        .map_err(lock_err)
}

/// `connect` without the migrations: tests use it to make a database as an older
/// server left it.
pub async fn open(location: &Location) -> Result<Db, StartError> {
    open_with(location, Durability::PowerCut).await
}

/// `open` with commits kept as `durability` says. Only `push_bench` asks for less than
/// `PowerCut`, to measure what it costs.
pub async fn open_with(location: &Location, durability: Durability) -> Result<Db, StartError> {
    sqlx::any::install_default_drivers();
    let open_err = |source| StartError::Open {
        location: location.to_string(),
        source,
    };
    let (options, dialect) = match location {
        Location::File(path) => (sqlite_options(path).await?, Dialect::Sqlite),
        Location::Postgres(url) => (
            AnyConnectOptions::from_str(url).map_err(open_err)?,
            Dialect::Postgres,
        ),
    };
    // One connection first: the pool would retry until its timeout and then say only
    // that it timed out, not why (a refused connection, a wrong password).
    ConnectOptions::connect(&options)
        .await
        .map_err(open_err)?
        .close()
        .await
        .map_err(open_err)?;
    let pool = pool_options(dialect, durability)
        .connect_with(options)
        .await
        .map_err(open_err)?;
    Ok(Db { pool, dialect })
}

/// The SQLite file as a URL for the `Any` driver; its folder is made first.
async fn sqlite_options(path: &Path) -> Result<AnyConnectOptions, StartError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|source| StartError::DataDir {
                path: dir.to_owned(),
                source,
            })?;
    }
    // Absolute: a relative path's first folder would read as the URL's host.
    let absolute = std::path::absolute(path).map_err(|source| StartError::DataDir {
        path: path.to_owned(),
        source,
    })?;
    let url = SqliteConnectOptions::new()
        .filename(absolute)
        .create_if_missing(true)
        .to_url_lossy();
    AnyConnectOptions::from_url(&url).map_err(|source| StartError::Open {
        location: path.display().to_string(),
        source,
    })
}

/// What a commit survives before the server acknowledges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// A power cut or a kernel crash: the commit is on disk before it returns. SQLite
    /// syncs its WAL at every commit (`synchronous = FULL`); PostgreSQL waits for its WAL
    /// flush (`synchronous_commit = on`, set by us, whatever the server's default). The
    /// server always runs with this: a phone deletes its journal entry on the ack.
    PowerCut,
    /// Only a crash of the process: SQLite's WAL with `synchronous = NORMAL` is synced at
    /// checkpoints only, so a power cut can lose the last commits, acknowledged ones
    /// included; PostgreSQL's `synchronous_commit = off` likewise. For `push_bench`'s
    /// baseline, never served.
    ProcessCrash,
}

impl Durability {
    /// The statements that set it on a new connection.
    fn setup(self, dialect: Dialect) -> &'static str {
        match (dialect, self) {
            (Dialect::Sqlite, Durability::PowerCut) => "PRAGMA synchronous = FULL;",
            (Dialect::Sqlite, Durability::ProcessCrash) => "PRAGMA synchronous = NORMAL;",
            (Dialect::Postgres, Durability::PowerCut) => "SET synchronous_commit = on;",
            (Dialect::Postgres, Durability::ProcessCrash) => "SET synchronous_commit = off;",
        }
    }
}

/// Every connection set up alike. SQLite: WAL lets pulls read while a push writes;
/// commits as durable as `durability` says; foreign keys on; a writer waits
/// `BUSY_TIMEOUT` for another. PostgreSQL: the same durability, and a lock waited for
/// longer than that is given up (503), like SQLite's busy writer.
fn pool_options(dialect: Dialect, durability: Durability) -> PoolOptions<Any> {
    AnyPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                let setup = match dialect {
                    Dialect::Sqlite => format!(
                        "PRAGMA journal_mode = WAL; {} \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {};",
                        durability.setup(dialect),
                        BUSY_TIMEOUT.as_millis()
                    ),
                    Dialect::Postgres => format!(
                        "{} SET lock_timeout = {};",
                        durability.setup(dialect),
                        BUSY_TIMEOUT.as_millis()
                    ),
                };
                conn.execute(setup.as_str()).await?;
                Ok(())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let url = "postgres://gatewatch:s3cret@db.example:5432/gatewatch";
        let location = Location::from_flags(Path::new("x.db"), Some(url)).unwrap();
        assert_eq!(
            location.to_string(),
            "postgres://gatewatch:***@db.example:5432/gatewatch"
        );
        assert!(!format!("{location:?}").contains("s3cret"));
        assert_eq!(
            redact("postgresql://me@localhost/db"),
            "postgresql://me@localhost/db"
        );
        assert_eq!(
            redact("postgres://gw@db/gw?sslmode=require&password=s3cret"),
            "postgres://gw@db/gw?sslmode=require&password=***"
        );
        for unparsable in [
            "postgres://u:top/s3cret@db/gw",
            "postgres://u:s3cret@[db/gw",
        ] {
            let shown = redact(unparsable);
            assert!(!shown.contains("s3cret"), "{shown}");
        }
        let error = Location::from_flags(Path::new("x.db"), Some("mysql://u:pw@h/db"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("mysql://u:***@h/db"), "{error}");
    }

    #[test]
    fn json_fragments_per_dialect() {
        assert_eq!(
            Dialect::Sqlite.json_text("body", &["data", "post_id"]),
            "json_extract(body, '$.data.post_id')"
        );
        assert_eq!(
            Dialect::Postgres.json_text("body", &["data", "post_id"]),
            "(body::json #>> '{data,post_id}')"
        );
    }
}
