//! Background housekeeping: expired sign-in sessions, old throttle rows,
//! and the retention purge of cases (content deleted, the purge logged).

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tower_sessions::ExpiredDeletion;

pub fn spawn_housekeeping(db: DatabaseConnection) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let store = kring_app::accounts::session_store::DbSessionStore::new(db.clone());
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "deleting expired sessions failed");
            }
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            if let Err(e) = kring_app::accounts::throttle::prune(&db, now).await {
                tracing::warn!(error = %e, "pruning sign-in failures failed");
            }
            match kring_app::cases::domain::purge_expired(&db, chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(cases = n, "retention purge"),
                Err(e) => tracing::warn!(error = %e, "retention purge failed"),
            }
        }
    })
}
