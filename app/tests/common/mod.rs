//! Test databases: a fresh SQLite file, or a fresh PostgreSQL database
//! (created and dropped per test) when KRING_TEST_POSTGRES_URL is set.
#![allow(dead_code)]

use app::db;
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub mod fixtures;

pub struct TestDb {
    pub db: DatabaseConnection,
    _dir: Option<tempdir::TempDir>,
    pg: Option<(String, String)>,
}

mod tempdir {
    /// A directory removed on drop (std-only, to keep dev-deps small).
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("kring-test-{}", unique()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.join("kring.db").display());
        let db = db::connect(&url).await.expect("connect sqlite");
        db::migrate(&db).await.expect("migrate sqlite");
        TestDb {
            db,
            _dir: Some(tempdir::TempDir(dir)),
            pg: None,
        }
    }

    /// None (and a note on stderr) when no PostgreSQL is configured.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var("KRING_TEST_POSTGRES_URL") else {
            eprintln!("skipped: KRING_TEST_POSTGRES_URL is not set, PostgreSQL test not run");
            return None;
        };
        let name = format!("kring_test_{}", unique());
        let admin = db::connect(&admin_url)
            .await
            .expect("connect to PostgreSQL admin database");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let url = replace_db_name(&admin_url, &name);
        let db = db::connect(&url).await.expect("connect test database");
        db::migrate(&db).await.expect("migrate postgres");
        Some(TestDb {
            db,
            _dir: None,
            pg: Some((admin_url, name)),
        })
    }

    /// Drops the PostgreSQL database (SQLite files go with the temp dir).
    pub async fn finish(self) {
        let TestDb { db, pg, .. } = self;
        let _ = db.close().await;
        if let Some((admin_url, name)) = pg
            && let Ok(admin) = db::connect(&admin_url).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    // postgres://user@host:port[/db]
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Runs the same async test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = common::TestDb::sqlite().await;
                ($body)(t.db.clone()).await;
                t.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(t) = common::TestDb::postgres().await else {
                    return;
                };
                ($body)(t.db.clone()).await;
                t.finish().await;
            }
        }
    };
}
