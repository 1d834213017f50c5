//! The search server function: `GET /api/search?q=…` answers JSON and is
//! what the search page, search-as-you-type and other clients use.
//! Anyone may search; what they find depends on who they are.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::{HitKind, LIMIT_MAX, SearchRequest, SearchResults};
use crate::errors::AppError;

/// Results per page on the search page.
pub const PAGE_SIZE: usize = 10;

/// The request from the page's query parameters (all optional; `theme` may
/// hold several theme keys separated by commas).
pub fn request_from(
    q: &str,
    theme: &str,
    municipality: &str,
    organisation: &str,
    kind: &str,
    page: usize,
    limit: usize,
) -> SearchRequest {
    let limit = if limit == 0 {
        PAGE_SIZE
    } else {
        limit.min(LIMIT_MAX)
    };
    SearchRequest {
        q: q.to_owned(),
        themes: theme
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        municipality: Some(municipality.trim().to_owned()).filter(|m| !m.is_empty()),
        organisation: Some(organisation.trim().to_owned()).filter(|o| !o.is_empty()),
        kind: match kind {
            "practice" => Some(HitKind::Practice),
            "case" => Some(HitKind::Case),
            _ => None,
        },
        limit,
        // Deep pages are refused by clamping: nobody reads page 1,000.
        offset: page.saturating_sub(1).min(100) * limit,
    }
}

#[server(endpoint = "search", input = GetUrl)]
pub async fn search(
    #[server(default)] q: String,
    #[server(default)] theme: String,
    #[server(default)] municipality: String,
    #[server(default)] organisation: String,
    #[server(default)] kind: String,
    #[server(default)] page: usize,
    #[server(default)] limit: usize,
) -> Result<SearchResults, AppError> {
    let (st, actor) = crate::library::server::visitor().await?;
    let req = request_from(&q, &theme, &municipality, &organisation, &kind, page, limit);
    let scope = super::index::Scope::for_actor(&actor);
    st.search.search(&scope, &req).map_err(|e| {
        tracing::error!(error = %e, "search failed");
        AppError::Internal
    })
}
