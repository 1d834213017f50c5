//! Background housekeeping: expired sign-in sessions, old throttle rows,
//! and the retention purge of cases (content deleted, the purge logged);
//! and this node's search index, kept current from the outbox.

use std::sync::Arc;
use std::time::Duration;

use kring_app::search::index::SearchIndex;
use kring_app::search::outbox;

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

/// Opens this node's search index under the data directory and brings it
/// up to date (rebuilt when new or of an older schema). `must_write`: the
/// server needs to own the index; a command-line search may only read it
/// while a server runs.
pub async fn open_search(
    data_dir: &std::path::Path,
    db: &DatabaseConnection,
    must_write: bool,
) -> Result<Arc<SearchIndex>, String> {
    let dir = data_dir.join("search");
    let index = SearchIndex::open(&dir).map_err(|e| format!("search index in {}: {e}", dir.display()))?;
    if must_write && !index.writable() {
        return Err(format!(
            "search index in {}: another kring process keeps it (one server per data directory)",
            dir.display()
        ));
    }
    let index = Arc::new(index);
    outbox::prepare(db, &index)
        .await
        .map_err(|e| format!("search index: {e}"))?;
    Ok(index)
}

/// Applies the search outbox to this node's index, continuously.
pub fn spawn_search(db: DatabaseConnection, index: Arc<SearchIndex>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(outbox::run(db, index))
}
