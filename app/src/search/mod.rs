//! Search over the library (and, for their members, case threads). The
//! index is a projection of the database kept current from the search
//! outbox (`outbox`); `index` holds the tantivy schema, the Dutch analysis
//! (`analysis`) and the query. The search page, its JSON endpoint and
//! server function are here too.

mod pages;
pub(crate) mod server;
pub use pages::*;
pub use server::*;

#[cfg(feature = "ssr")]
pub mod analysis;
#[cfg(feature = "ssr")]
mod facets;
#[cfg(feature = "ssr")]
pub mod index;
#[cfg(feature = "ssr")]
pub mod outbox;

use serde::{Deserialize, Serialize};

/// Longest query used (characters); the rest is ignored, not refused.
pub const QUERY_MAX: usize = 200;
/// At most this many results per page.
pub const LIMIT_MAX: usize = 100;

/// What kind of thing a result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HitKind {
    Practice,
    Case,
}

/// One search, as asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub q: String,
    /// Theme keys (all must match).
    pub themes: Vec<String>,
    pub municipality: Option<String>,
    pub organisation: Option<String>,
    /// Only practices, only cases, or both (None).
    pub kind: Option<HitKind>,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub kind: HitKind,
    /// Practices: the slug; cases: the id.
    pub slug: String,
    pub title: String,
    /// HTML: the text escaped, the matches in `<b>`.
    pub snippet: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub themes: Vec<FacetCount>,
    pub municipalities: Vec<FacetCount>,
    pub organisations: Vec<FacetCount>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub total: u64,
    pub took_ms: f64,
    pub results: Vec<Hit>,
    pub facets: Facets,
    /// No result had every word: these have some of them.
    pub relaxed: bool,
    /// Parts of the query that were ignored (too long, operators).
    pub trimmed: bool,
}
