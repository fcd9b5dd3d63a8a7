//! The database a test runs on. By default a new SQLite file in the test's temp dir;
//! with `GATEWATCH_TEST_POSTGRES` set (a URL to a PostgreSQL server whose user may
//! create databases, as `scripts/with-postgres.sh` gives), a new database there, dropped
//! when the test is done. `make test` runs the whole server suite both ways.

use std::path::Path;

use gatewatch_server::db::{self, Dialect, Location};
use sqlx::migrate::Migrator;
use sqlx::{Connection, Executor, PgConnection};
use uuid::Uuid;

/// The PostgreSQL server the suite runs on, if it runs on one.
fn postgres_server() -> Option<String> {
    std::env::var("GATEWATCH_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// One test's database; a PostgreSQL one is dropped with it.
#[derive(Debug)]
pub struct TestDatabase {
    pub location: Location,
    /// The server URL and database name to drop, for PostgreSQL.
    drop: Option<(String, String)>,
}

impl TestDatabase {
    /// A database nobody has opened yet: `dir/data/gatewatch.db`, or a new PostgreSQL
    /// database with a made-up name.
    pub async fn new(dir: &Path) -> Self {
        let Some(server) = postgres_server() else {
            return Self {
                location: Location::File(dir.join("data").join("gatewatch.db")),
                drop: None,
            };
        };
        let name = format!("gw_test_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&server)
            .await
            .expect("GATEWATCH_TEST_POSTGRES: cannot connect");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        admin.close().await.unwrap();
        Self {
            location: Location::Postgres(with_database(&server, &name)),
            drop: Some((server, name)),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self.location {
            Location::File(_) => Dialect::Sqlite,
            Location::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Opens it with only the migrations up to `last` applied: a database as an older
    /// server left it, for a test to put that server's rows in.
    pub async fn migrated_to(&self, last: i64) -> db::Db {
        let db = db::open(&self.location).await.unwrap();
        let mut migrator: Migrator = match self.dialect() {
            Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Dialect::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator.migrations = migrator
            .migrations
            .iter()
            .filter(|m| m.version <= last)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        migrator.run(db.pool()).await.unwrap();
        db
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.drop.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread
        // of its own does it. FORCE ends connections a pool has not closed yet.
        let label = name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&server).await?;
                admin
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {label}: {dropped:?}");
        }
    }
}

/// `server` (a PostgreSQL URL) pointing at database `name` instead.
fn with_database(server: &str, name: &str) -> String {
    let mut url = url::Url::parse(server).expect("GATEWATCH_TEST_POSTGRES is not a URL");
    url.set_path(name);
    url.to_string()
}
