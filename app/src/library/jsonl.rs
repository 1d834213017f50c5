//! `kring practices import` and `export`: one practice per line,
//! `{"slug","title","summary","body_markdown","themes":[…],
//! "municipalities":[…],"organisation","visibility":"public"|"network"}`,
//! optionally `"network"` (a network slug) and `"contact"`. Import upserts
//! by slug, a bad line is reported by its number and skipped.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, TransactionTrait};
use serde::{Deserialize, Serialize};

use super::domain::{self, Checked, Writer, parse_codes, parse_themes, valid_slug};
use super::entity::practice;
use super::{PracticeInput, PracticeStatus, Theme};
use crate::authz::Visibility;
use crate::errors::AppError;
use crate::networks::entity::network;

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub body_markdown: String,
    pub themes: Vec<String>,
    #[serde(default)]
    pub municipalities: Vec<String>,
    #[serde(default)]
    pub organisation: String,
    pub visibility: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// (line number from 1, what is wrong)
    pub errors: Vec<(u64, String)>,
}

/// Lines are written in transactions of this many.
const BATCH: usize = 500;
/// Longest line accepted (bytes): a body of 20,000 characters, escaped.
pub const LINE_MAX: usize = 256 * 1024;

fn message(err: &AppError) -> String {
    match err {
        AppError::Invalid { field, problem } => format!("{field:?}: {problem:?}"),
        other => other.to_string(),
    }
}

struct Parsed {
    number: u64,
    slug: String,
    network: Option<i64>,
    checked: Checked,
}

/// Turns one line into a checked practice.
fn parse_line(
    number: u64,
    text: &str,
    networks: &HashMap<String, i64>,
    default_network: Option<&str>,
) -> Result<Parsed, String> {
    if text.len() > LINE_MAX {
        return Err(format!("line longer than {LINE_MAX} bytes"));
    }
    let line: Line = serde_json::from_str(text).map_err(|e| format!("not a practice: {e}"))?;
    let slug = line.slug.trim().to_owned();
    if !valid_slug(&slug) {
        return Err(format!(
            "slug '{slug}' must be 3–100 lowercase letters, digits and single hyphens"
        ));
    }
    let visibility = domain::parse_visibility(&line.visibility)
        .ok_or_else(|| "visibility must be \"public\" or \"network\"".to_owned())?;
    let mut themes = Vec::new();
    for t in &line.themes {
        themes.push(Theme::parse(t).ok_or_else(|| format!("unknown theme '{t}'"))?);
    }
    let network_slug = line.network.as_deref().or(match visibility {
        Visibility::Network => default_network,
        Visibility::Public => None,
    });
    let network = match network_slug {
        Some(s) => Some(*networks.get(s).ok_or_else(|| format!("unknown network '{s}'"))?),
        None => None,
    };
    if visibility == Visibility::Network && network.is_none() {
        return Err("a network practice needs \"network\" or --network".to_owned());
    }
    let input = PracticeInput {
        title: line.title,
        summary: line.summary,
        body_markdown: line.body_markdown,
        themes,
        municipalities: line.municipalities,
        organisation: line.organisation,
        contact: line.contact,
        public: visibility == Visibility::Public,
    };
    let checked = domain::check(&input).map_err(|e| message(&e))?;
    Ok(Parsed {
        number,
        slug,
        network,
        checked,
    })
}

/// Imports practices from JSON lines. `progress` is called with the bytes
/// read so far after each batch.
pub async fn import<C, R>(
    db: &C,
    reader: R,
    default_network: Option<&str>,
    mut progress: impl FnMut(u64),
) -> Result<ImportReport, AppError>
where
    C: ConnectionTrait + TransactionTrait,
    R: std::io::BufRead,
{
    let networks: HashMap<String, i64> = network::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.slug, n.id))
        .collect();
    if let Some(slug) = default_network
        && !networks.contains_key(slug)
    {
        return Err(AppError::NotFound);
    }
    let mut report = ImportReport::default();
    let mut batch: Vec<Parsed> = Vec::with_capacity(BATCH);
    let mut bytes = 0u64;
    let mut number = 0u64;
    let mut buf = Vec::new();
    let mut reader = reader;
    loop {
        buf.clear();
        let read = reader.read_until(b'\n', &mut buf).map_err(|e| {
            tracing::error!(error = %e, "reading the import");
            AppError::Internal
        })?;
        if read == 0 {
            break;
        }
        bytes += read as u64;
        number += 1;
        let Ok(text) = std::str::from_utf8(&buf) else {
            report.errors.push((number, "not UTF-8".to_owned()));
            continue;
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match parse_line(number, text, &networks, default_network) {
            Ok(p) => {
                // A slug twice in one batch: the later line wins, in order.
                if batch.iter().any(|b| b.slug == p.slug) {
                    write_batch(db, &mut batch, &mut report).await?;
                }
                batch.push(p);
            }
            Err(e) => report.errors.push((number, e)),
        }
        if batch.len() >= BATCH {
            write_batch(db, &mut batch, &mut report).await?;
            progress(bytes);
        }
    }
    write_batch(db, &mut batch, &mut report).await?;
    progress(bytes);
    Ok(report)
}

async fn write_batch<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    batch: &mut Vec<Parsed>,
    report: &mut ImportReport,
) -> Result<(), AppError> {
    if batch.is_empty() {
        return Ok(());
    }
    let tx = crate::db::begin_write(db).await?;
    for p in batch.drain(..) {
        let existing = domain::find(&tx, &p.slug).await;
        let result = match existing {
            Ok(current) => domain::store(&tx, Writer::System, current, &p.checked, p.network, true)
                .await
                .map(|changed| {
                    if changed {
                        report.updated += 1
                    } else {
                        report.unchanged += 1
                    }
                }),
            Err(AppError::NotFound) => domain::insert(
                &tx,
                Writer::System,
                Some(&p.slug),
                p.network,
                &p.checked,
                PracticeStatus::Published,
                None,
            )
            .await
            .map(|_| report.created += 1),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            report.errors.push((p.number, message(&e)));
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Writes every practice (drafts included: the export is a backup) as JSON
/// lines, oldest first.
pub async fn export<C: ConnectionTrait, W: std::io::Write>(db: &C, mut out: W) -> Result<u64, AppError> {
    let networks: HashMap<i64, String> = network::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.slug))
        .collect();
    let mut pages = practice::Entity::find()
        .order_by_asc(practice::Column::Id)
        .paginate(db, 1000);
    let mut written = 0;
    while let Some(rows) = pages.fetch_and_next().await? {
        for p in rows {
            let line = Line {
                slug: p.slug,
                title: p.title,
                summary: p.summary,
                body_markdown: p.body,
                themes: parse_themes(&p.themes)
                    .iter()
                    .map(|t| t.name().to_owned())
                    .collect(),
                municipalities: parse_codes(&p.municipalities)
                    .iter()
                    .map(|c| domain::municipality_name(c).to_owned())
                    .collect(),
                organisation: p.organisation,
                visibility: p.visibility,
                network: p.network_id.and_then(|n| networks.get(&n).cloned()),
                contact: p.contact,
            };
            let json = serde_json::to_string(&line).map_err(|_| AppError::Internal)?;
            writeln!(out, "{json}").map_err(|e| {
                tracing::error!(error = %e, "writing the export");
                AppError::Internal
            })?;
            written += 1;
        }
    }
    Ok(written)
}
