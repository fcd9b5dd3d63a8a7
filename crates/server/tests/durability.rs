//! What the database is told so that an acknowledged push survives a power cut: every
//! pooled connection commits to disk before it returns (SQLite `synchronous = FULL` in
//! WAL mode, PostgreSQL `synchronous_commit = on` whatever the server's default).

mod common;

use common::TestApp;
use gatewatch_server::db::Dialect;
use sqlx::pool::PoolConnection;
use sqlx::Any;

/// Several connections held at once, so each is a different one of the pool's.
async fn pooled_connections(t: &TestApp, count: usize) -> Vec<PoolConnection<Any>> {
    let mut held = Vec::new();
    for _ in 0..count {
        held.push(t.state.db.pool().acquire().await.unwrap());
    }
    held
}

#[tokio::test]
async fn every_connection_commits_to_disk_before_a_push_is_acknowledged() {
    let t = TestApp::new().await;
    for mut conn in pooled_connections(&t, 4).await {
        match t.database.dialect() {
            Dialect::Sqlite => {
                // 2 is FULL: the WAL is synced at every commit. (NORMAL, 1, syncs it only
                // at checkpoints: a power cut loses the last commits.)
                let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                assert_eq!(synchronous, 2);
                let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                assert_eq!(journal, "wal");
            }
            Dialect::Postgres => {
                // scripts/with-postgres.sh starts its throwaway cluster with
                // synchronous_commit off: this reads what the server itself asked for.
                let setting: String = sqlx::query_scalar("SHOW synchronous_commit")
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                assert_eq!(setting, "on");
            }
        }
    }
}
