//! Fresh, migrated databases for tests: SQLite always, PostgreSQL too when
//! `SAMVERKA_TEST_POSTGRES` is set (to a server URL, or to `1` for the local default).

use crate::{Db, StoreError};

/// Where the PostgreSQL test server is, if tests should use one.
pub fn postgres_server_url() -> Option<String> {
    let v = std::env::var("SAMVERKA_TEST_POSTGRES").ok()?;
    let v = v.trim();
    if v.is_empty() || v == "0" {
        return None;
    }
    if v.starts_with("postgres://") || v.starts_with("postgresql://") {
        Some(v.trim_end_matches('/').to_owned())
    } else {
        Some("postgres://postgres@127.0.0.1:5432".to_owned())
    }
}

/// A throw-away database; PostgreSQL ones are dropped by [`TestDb::cleanup`].
pub struct TestDb {
    pub db: Db,
    pg_name: Option<(String, String)>,
    _dir: Option<TempDir>,
}

/// A directory removed on drop (no tempfile dependency in the library).
struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TestDb {
    /// A new SQLite database in a temporary directory.
    pub async fn sqlite() -> Result<TestDb, StoreError> {
        let dir = std::env::temp_dir().join(format!("samverka-test-{}", uuid::Uuid::now_v7()));
        let db = Db::open_data_dir(&dir).await?;
        db.migrate().await?;
        Ok(TestDb {
            db,
            pg_name: None,
            _dir: Some(TempDir(dir)),
        })
    }

    /// A new, empty PostgreSQL database on the server at `server`.
    pub async fn postgres(server: &str) -> Result<TestDb, StoreError> {
        let name = format!("samverka_test_{}", uuid::Uuid::now_v7().simple());
        let admin = Db::connect(&format!("{server}/postgres")).await?;
        let mut a = admin.clone();
        a.execute(crate::Query {
            sql: format!("create database {name}").into(),
            args: vec![],
        })
        .await?;
        admin.close().await;
        let db = Db::connect(&format!("{server}/{name}")).await?;
        db.migrate().await?;
        Ok(TestDb {
            db,
            pg_name: Some((server.to_owned(), name)),
            _dir: None,
        })
    }

    /// Every database the tests should run on.
    pub async fn all() -> Result<Vec<TestDb>, StoreError> {
        let mut v = vec![TestDb::sqlite().await?];
        if let Some(server) = postgres_server_url() {
            v.push(TestDb::postgres(&server).await?);
        }
        Ok(v)
    }

    /// Closes the pool and drops a PostgreSQL database. Closing waits for connections still in
    /// use (e.g. a transaction a test forgot), so it gives up after a few seconds rather than hang.
    pub async fn cleanup(self) {
        if tokio::time::timeout(std::time::Duration::from_secs(5), self.db.close())
            .await
            .is_err()
        {
            eprintln!("test database still in use after 5 s; dropping it anyway");
        }
        if let Some((server, name)) = self.pg_name
            && let Ok(admin) = Db::connect(&format!("{server}/postgres")).await
        {
            let mut a = admin.clone();
            let _ = a
                .execute(crate::Query {
                    sql: format!("drop database if exists {name} with (force)").into(),
                    args: vec![],
                })
                .await;
            admin.close().await;
        }
    }
}
