//! Database connection and migrations, for SQLite and PostgreSQL alike.

use std::time::Duration;

use kring_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

/// Connects to `url` (`sqlite://…?mode=rwc` or `postgres://…`). SQLite gets
/// WAL, a busy timeout and foreign keys, which every connection must set.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // SQLite allows one writer; a small pool avoids lock convoys.
        opts.max_connections(8).min_connections(1);
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    } else {
        opts.max_connections(32).min_connections(1);
    }
    let db = Database::connect(opts).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    }
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at once (what `BEGIN IMMEDIATE` does; sea-orm only issues `BEGIN`): a
/// deferred transaction that reads first and writes later fails with
/// "database is locked" at once, without waiting, when another connection
/// wrote in between, so two people answering the same meeting at the same
/// moment would see an error. A write that matches no row takes the lock
/// and waits its turn under the busy timeout. PostgreSQL needs nothing:
/// its row locks serialise what must be.
pub async fn begin_write<C: sea_orm::TransactionTrait>(
    db: &C,
) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    let tx = db.begin().await?;
    if tx.get_database_backend() == DbBackend::Sqlite {
        tx.execute_unprepared("UPDATE seaql_migrations SET version = version WHERE 0")
            .await?;
    }
    Ok(tx)
}
