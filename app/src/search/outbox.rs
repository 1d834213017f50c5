//! The search outbox: every write that changes what search should find
//! appends a row here in the same transaction; each server node applies
//! the rows to its own index and commits its position with the index, so
//! a crash between the database commit and the index loses nothing (the
//! rows are applied again after the restart).
//!
//! Applying reads the current state of the named practice or case, so it
//! is idempotent and order does not matter. On PostgreSQL a transaction
//! may commit a lower id after a higher one was applied; rows of the last
//! [`LOOKBACK`] are therefore read again (and applied once per process).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::HitKind;
use super::index::{IndexDoc, SearchError, SearchIndex};
use crate::cases::entity::case;
use crate::errors::AppError;
use crate::library::PracticeStatus;
use crate::library::domain::{municipality_name, parse_codes, parse_themes};
use crate::library::entity::{practice, reflection};

pub mod entry {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "search_outbox")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// practice | case
        pub kind: String,
        pub entity_id: i64,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Practice,
    Case,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Practice => "practice",
            Kind::Case => "case",
        }
    }
}

/// Rows younger than this are read again on every pass (late commits).
pub const LOOKBACK: Duration = Duration::from_secs(10);
/// Rows older than this are deleted; a node further behind rebuilds.
pub const KEEP: Duration = Duration::from_secs(7 * 24 * 3600);
/// How often a running server looks for new rows.
pub const POLL: Duration = Duration::from_millis(200);
const BATCH: u64 = 2000;

/// Notes that `kind` `id` changed (call inside the writing transaction).
pub async fn record<C: ConnectionTrait>(db: &C, kind: Kind, id: i64) -> Result<(), DbErr> {
    entry::ActiveModel {
        kind: Set(kind.as_str().to_owned()),
        entity_id: Set(id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

fn plain(markdown: &str) -> String {
    crate::ui::markdown::to_plain_text(markdown)
}

fn practice_doc(p: practice::Model, reflections: &[String]) -> Option<IndexDoc> {
    if p.status != PracticeStatus::Published.as_str() {
        return None;
    }
    let mut body = plain(&p.body);
    for r in reflections {
        body.push_str("\n\n");
        body.push_str(&plain(r));
    }
    Some(IndexDoc {
        kind: HitKind::Practice,
        id: p.id,
        title: p.title,
        summary: p.summary,
        body,
        themes: parse_themes(&p.themes)
            .iter()
            .map(|t| t.name().to_owned())
            .collect(),
        municipalities: parse_codes(&p.municipalities)
            .iter()
            .map(|c| municipality_name(c).to_owned())
            .collect(),
        organisation: p.organisation,
        public: p.visibility == "public",
        network: p.network_id,
        slug: p.slug,
    })
}

fn case_doc(c: case::Model) -> Option<IndexDoc> {
    // Only what readers see: published (or closed) pseudonymised text.
    if !matches!(c.status.as_str(), "published" | "closed") {
        return None;
    }
    Some(IndexDoc {
        kind: HitKind::Case,
        id: c.id,
        slug: c.id.to_string(),
        title: c.title,
        summary: String::new(),
        body: plain(&c.body),
        themes: Vec::new(),
        municipalities: Vec::new(),
        organisation: String::new(),
        public: false,
        network: Some(c.network_id),
    })
}

async fn reflections_of<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbErr> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for chunk in ids.chunks(500) {
        for r in reflection::Entity::find()
            .filter(reflection::Column::PracticeId.is_in(chunk.to_vec()))
            .order_by_asc(reflection::Column::Id)
            .all(db)
            .await?
        {
            out.entry(r.practice_id).or_default().push(r.body);
        }
    }
    Ok(out)
}

/// The current documents of these practices and cases (absent ones: none).
async fn load<C: ConnectionTrait>(
    db: &C,
    practices: &[i64],
    cases: &[i64],
) -> Result<Vec<IndexDoc>, AppError> {
    let mut docs = Vec::new();
    let reflections = reflections_of(db, practices).await?;
    for chunk in practices.chunks(500) {
        for p in practice::Entity::find()
            .filter(practice::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            let rs = reflections.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
            docs.extend(practice_doc(p, rs));
        }
    }
    for chunk in cases.chunks(500) {
        for c in case::Entity::find()
            .filter(case::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            docs.extend(case_doc(c));
        }
    }
    Ok(docs)
}

fn index_error(e: SearchError) -> AppError {
    tracing::error!(error = %e, "search index");
    AppError::Internal
}

/// Remembers which recent rows this process already applied.
#[derive(Debug, Default)]
pub struct Applied {
    recent: BTreeSet<(chrono::DateTime<Utc>, i64)>,
}

impl Applied {
    fn contains(&self, row: &entry::Model) -> bool {
        self.recent.contains(&(row.created_at, row.id))
    }

    fn forget_before(&mut self, cutoff: chrono::DateTime<Utc>) {
        self.recent = self.recent.split_off(&(cutoff, i64::MIN));
    }
}

/// Applies what the index has not seen yet. Returns how many rows.
pub async fn catch_up<C: ConnectionTrait>(
    db: &C,
    index: &Arc<SearchIndex>,
    applied: &mut Applied,
) -> Result<usize, AppError> {
    let lookback = Utc::now() - chrono::Duration::from_std(LOOKBACK).unwrap_or_default();
    applied.forget_before(lookback);
    let mut total = 0;
    loop {
        let rows = entry::Entity::find()
            .filter(
                Condition::any()
                    .add(entry::Column::Id.gt(index.position()))
                    .add(entry::Column::CreatedAt.gt(lookback)),
            )
            .order_by_asc(entry::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        let fresh: Vec<&entry::Model> = rows.iter().filter(|r| !applied.contains(r)).collect();
        if fresh.is_empty() {
            return Ok(total);
        }
        let position = rows.iter().map(|r| r.id).max().unwrap_or(0);
        let mut practices = BTreeSet::new();
        let mut cases = BTreeSet::new();
        for r in &fresh {
            match r.kind.as_str() {
                "practice" => practices.insert(r.entity_id),
                _ => cases.insert(r.entity_id),
            };
        }
        let practices: Vec<i64> = practices.into_iter().collect();
        let cases: Vec<i64> = cases.into_iter().collect();
        let docs = load(db, &practices, &cases).await?;
        let removed: Vec<(HitKind, i64)> = practices
            .iter()
            .map(|id| (HitKind::Practice, *id))
            .chain(cases.iter().map(|id| (HitKind::Case, *id)))
            .collect();
        let ix = index.clone();
        tokio::task::spawn_blocking(move || ix.apply(&removed, &docs, position))
            .await
            .map_err(|_| AppError::Internal)?
            .map_err(index_error)?;
        total += fresh.len();
        for r in &fresh {
            applied.recent.insert((r.created_at, r.id));
        }
        if (rows.len() as u64) < BATCH {
            return Ok(total);
        }
    }
}

/// Whether rows this index has not applied were already deleted (the node
/// was away longer than [`KEEP`]): then only a rebuild is complete.
pub async fn fell_behind<C: ConnectionTrait>(db: &C, index: &SearchIndex) -> Result<bool, DbErr> {
    let oldest: Option<i64> = entry::Entity::find()
        .select_only()
        .column_as(entry::Column::Id.min(), "min")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten();
    Ok(matches!(oldest, Some(min) if min > index.position() + 1 && index.position() > 0))
}

/// Work on the index, run on a blocking thread.
type IndexJob = Box<dyn FnOnce(&SearchIndex) -> Result<(), SearchError> + Send>;

/// Rebuilds the whole index from the database. `progress(done, total)`.
pub async fn rebuild<C: ConnectionTrait>(
    db: &C,
    index: &Arc<SearchIndex>,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, AppError> {
    // Everything up to here is in what we read next.
    let position: i64 = entry::Entity::find()
        .select_only()
        .column_as(entry::Column::Id.max(), "max")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten()
        .unwrap_or(0);
    let total = practice::Entity::find().count(db).await? + case::Entity::find().count(db).await?;
    // Page by page: a large library never sits in memory whole.
    let blocking = |f: IndexJob| {
        let ix = index.clone();
        async move {
            tokio::task::spawn_blocking(move || f(&ix))
                .await
                .map_err(|_| AppError::Internal)?
                .map_err(index_error)
        }
    };
    blocking(Box::new(|ix| ix.start_rebuild())).await?;
    let mut done = 0u64;
    let mut indexed = 0u64;
    let mut pages = practice::Entity::find()
        .order_by_asc(practice::Column::Id)
        .paginate(db, 2000);
    while let Some(page) = pages.fetch_and_next().await? {
        let ids: Vec<i64> = page.iter().map(|p| p.id).collect();
        let reflections = reflections_of(db, &ids).await?;
        done += page.len() as u64;
        let docs: Vec<IndexDoc> = page
            .into_iter()
            .filter_map(|p| {
                let rs = reflections.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
                practice_doc(p, rs)
            })
            .collect();
        indexed += docs.len() as u64;
        blocking(Box::new(move |ix| ix.add(&docs))).await?;
        progress(done, total);
    }
    let mut pages = case::Entity::find()
        .order_by_asc(case::Column::Id)
        .paginate(db, 2000);
    while let Some(page) = pages.fetch_and_next().await? {
        done += page.len() as u64;
        let docs: Vec<IndexDoc> = page.into_iter().filter_map(case_doc).collect();
        indexed += docs.len() as u64;
        blocking(Box::new(move |ix| ix.add(&docs))).await?;
        progress(done, total);
    }
    blocking(Box::new(move |ix| ix.finish_rebuild(position))).await?;
    progress(total, total);
    Ok(indexed)
}

/// Deletes rows older than [`KEEP`].
pub async fn prune<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    let cutoff = Utc::now() - chrono::Duration::from_std(KEEP).unwrap_or_default();
    Ok(entry::Entity::delete_many()
        .filter(entry::Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}

/// Brings the index up to date when a process starts: rebuilds it when it
/// is new, of an older schema or too far behind, else applies what is new.
pub async fn prepare<C: ConnectionTrait>(db: &C, index: &Arc<SearchIndex>) -> Result<(), AppError> {
    if !index.writable() {
        return Ok(());
    }
    if index.is_stale() || fell_behind(db, index).await? {
        let n = rebuild(db, index, |_, _| {}).await?;
        tracing::info!(documents = n, "search index rebuilt");
    }
    catch_up(db, index, &mut Applied::default()).await?;
    Ok(())
}

/// The background task of a server node: applies the outbox every
/// [`POLL`] and prunes it now and then.
pub async fn run(db: sea_orm::DatabaseConnection, index: Arc<SearchIndex>) {
    let mut applied = Applied::default();
    let mut passes: u64 = 0;
    loop {
        if let Err(e) = catch_up(&db, &index, &mut applied).await {
            tracing::warn!(error = %e, "applying the search outbox failed; retrying");
        }
        passes += 1;
        // About once an hour.
        if passes.is_multiple_of(18_000)
            && let Err(e) = prune(&db).await
        {
            tracing::warn!(error = %e, "pruning the search outbox failed");
        }
        tokio::time::sleep(POLL).await;
    }
}
