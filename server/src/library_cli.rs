//! The library's command line: `kring practices import|export`,
//! `kring markdown`, `kring search`, `kring reindex`.

use std::io::{IsTerminal, Read, Write};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use kring_app::library::jsonl;
use kring_app::search::index::{Scope, SearchIndex};
use kring_app::search::{SearchRequest, outbox};
use sea_orm::DatabaseConnection;

use crate::Config;

/// A progress bar on a terminal; nothing when the output goes elsewhere.
fn progress_bar(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {percent}% ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// `kring markdown`: Markdown on stdin, the product's sanitised HTML out.
pub fn markdown() -> Result<(), String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read standard input as UTF-8 text: {e}"))?;
    let html = kring_app::ui::markdown::to_safe_html(&text);
    let mut out = std::io::stdout().lock();
    out.write_all(html.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| format!("cannot write the output: {e}"))
}

/// `kring practices import FILE [--network SLUG]`. Returns whether every
/// line was taken.
pub async fn import(
    config: &Config,
    db: &DatabaseConnection,
    file: &str,
    network: Option<&str>,
) -> Result<bool, String> {
    let (reader, size): (Box<dyn std::io::BufRead>, u64) = if file == "-" {
        (Box::new(std::io::BufReader::new(std::io::stdin())), 0)
    } else {
        let f = std::fs::File::open(file).map_err(|e| format!("cannot open {file}: {e}"))?;
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        (Box::new(std::io::BufReader::new(f)), size)
    };
    let bar = progress_bar(size, "importing");
    let report = jsonl::import(db, reader, network, |bytes| bar.set_position(bytes))
        .await
        .map_err(|e| match e {
            kring_app::AppError::NotFound => {
                format!("--network: no network '{}'", network.unwrap_or_default())
            }
            other => other.to_string(),
        })?;
    bar.finish_and_clear();
    for (line, problem) in &report.errors {
        eprintln!("line {line}: {problem}");
    }
    eprintln!(
        "{} new, {} updated, {} unchanged, {} lines skipped",
        report.created,
        report.updated,
        report.unchanged,
        report.errors.len()
    );
    catch_up(config, db).await?;
    Ok(report.errors.is_empty())
}

/// Brings the index up to date before a command exits (a running server
/// that keeps the index does this itself within a second).
async fn catch_up(config: &Config, db: &DatabaseConnection) -> Result<Option<Arc<SearchIndex>>, String> {
    let index = crate::tasks::open_search(&config.data_dir, db, false).await?;
    if !index.writable() {
        eprintln!("The running server brings its search index up to date.");
    }
    Ok(Some(index))
}

/// `kring practices export`.
pub async fn export(db: &DatabaseConnection) -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let n = jsonl::export(db, &mut out).await.map_err(|e| e.to_string())?;
    out.flush().map_err(|e| format!("cannot write the output: {e}"))?;
    eprintln!("{n} practices exported");
    Ok(())
}

#[derive(serde::Serialize)]
struct CliHit {
    slug: String,
    title: String,
    snippet: String,
    score: f32,
}

#[derive(serde::Serialize)]
struct CliResults {
    total: u64,
    took_ms: f64,
    results: Vec<CliHit>,
}

/// `kring search "QUERY" [--json] [--limit N] [--as EMAIL]`.
pub async fn search(
    config: &Config,
    db: &DatabaseConnection,
    query: &str,
    json: bool,
    limit: usize,
    as_email: Option<&str>,
) -> Result<(), String> {
    let actor = match as_email {
        Some(email) => {
            let person = kring_app::accounts::domain::find_by_email(db, email)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("--as: no account with email address {email}"))?;
            kring_app::networks::domain::actor_for(db, Some(&person))
                .await
                .map_err(|e| e.to_string())?
        }
        None => kring_app::authz::Actor::anonymous(),
    };
    let index = crate::tasks::open_search(&config.data_dir, db, false).await?;
    let request = SearchRequest {
        q: query.to_owned(),
        limit: limit.clamp(1, kring_app::search::LIMIT_MAX),
        ..Default::default()
    };
    let found = index
        .search(&Scope::for_actor(&actor), &request)
        .map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    let write_err = |e: std::io::Error| format!("cannot write the output: {e}");
    if json {
        let results = CliResults {
            total: found.total,
            took_ms: found.took_ms,
            results: found
                .results
                .into_iter()
                .map(|h| CliHit {
                    slug: h.slug,
                    title: h.title,
                    snippet: h.snippet,
                    score: h.score,
                })
                .collect(),
        };
        let text = serde_json::to_string(&results).map_err(|e| e.to_string())?;
        writeln!(out, "{text}").map_err(write_err)?;
    } else {
        writeln!(out, "{} results ({:.2} ms)", found.total, found.took_ms).map_err(write_err)?;
        for h in found.results {
            writeln!(out, "{:>7.3}  {}  {}", h.score, h.slug, h.title).map_err(write_err)?;
        }
    }
    Ok(())
}

/// `kring reindex`: rebuilds this node's index from the database.
pub async fn reindex(config: &Config, db: &DatabaseConnection) -> Result<(), String> {
    let dir = config.data_dir.join("search");
    let index = SearchIndex::open(&dir).map_err(|e| format!("search index in {}: {e}", dir.display()))?;
    if !index.writable() {
        return Err(format!(
            "the search index in {} is kept by a running server; stop it first",
            dir.display()
        ));
    }
    let index = Arc::new(index);
    let bar = progress_bar(0, "indexing");
    let started = std::time::Instant::now();
    let n = outbox::rebuild(db, &index, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{n} documents indexed in {secs:.1} s ({:.0} per second)",
        n as f64 / secs.max(1e-9)
    );
    Ok(())
}
