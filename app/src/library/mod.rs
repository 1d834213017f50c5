//! The good-practice library: practices written in Markdown by coaches and
//! facilitators, tagged by life domain and municipality, public or for one
//! network; every save is a revision. Pages and thin server functions here;
//! under `ssr` the domain (`domain`), the JSON-lines import and export
//! (`jsonl`) and the tables (`entity`).

mod pages;
pub(crate) mod server;
pub use pages::*;
pub use server::*;

#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod jsonl;

use serde::{Deserialize, Serialize};

/// Life domains (*levensdomeinen*) a practice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Theme {
    Huisvesting,
    Inkomen,
    Werk,
    Onderwijs,
    Gezondheid,
    SociaalNetwerk,
    VrijeTijd,
    Opvoeding,
    Kinderopvang,
    Mobiliteit,
    DigitaleInclusie,
    Veiligheid,
    Juridisch,
    Administratie,
}

impl Theme {
    pub const ALL: [Theme; 14] = [
        Theme::Huisvesting,
        Theme::Inkomen,
        Theme::Werk,
        Theme::Onderwijs,
        Theme::Gezondheid,
        Theme::SociaalNetwerk,
        Theme::VrijeTijd,
        Theme::Opvoeding,
        Theme::Kinderopvang,
        Theme::Mobiliteit,
        Theme::DigitaleInclusie,
        Theme::Veiligheid,
        Theme::Juridisch,
        Theme::Administratie,
    ];

    /// The Dutch name: what the import and export files hold.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Huisvesting => "huisvesting",
            Theme::Inkomen => "inkomen",
            Theme::Werk => "werk",
            Theme::Onderwijs => "onderwijs",
            Theme::Gezondheid => "gezondheid",
            Theme::SociaalNetwerk => "sociaal netwerk",
            Theme::VrijeTijd => "vrije tijd",
            Theme::Opvoeding => "opvoeding",
            Theme::Kinderopvang => "kinderopvang",
            Theme::Mobiliteit => "mobiliteit",
            Theme::DigitaleInclusie => "digitale inclusie",
            Theme::Veiligheid => "veiligheid",
            Theme::Juridisch => "juridisch",
            Theme::Administratie => "administratie",
        }
    }

    /// The form of the name used in web addresses and facets.
    pub fn key(self) -> String {
        self.name().replace(' ', "-")
    }

    /// Accepts the name or the key, in any case.
    pub fn parse(s: &str) -> Option<Theme> {
        let s = s.trim().to_lowercase().replace('-', " ");
        Theme::ALL.into_iter().find(|t| t.name() == s)
    }
}

/// Draft practices are visible to their writers only (a case promoted to a
/// practice starts as a draft).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PracticeStatus {
    Draft,
    Published,
}

impl PracticeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PracticeStatus::Draft => "draft",
            PracticeStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(PracticeStatus::Draft),
            "published" => Some(PracticeStatus::Published),
            _ => None,
        }
    }
}

/// What a writer submits (the editor form and the import alike).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeInput {
    pub title: String,
    pub summary: String,
    pub body_markdown: String,
    pub themes: Vec<Theme>,
    /// Municipality names (or NIS codes).
    pub municipalities: Vec<String>,
    pub organisation: String,
    pub contact: String,
    pub public: bool,
}

/// Limits (characters).
pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 1_000;
pub const BODY_MAX: usize = crate::ui::markdown::MARKDOWN_MAX;
pub const ORGANISATION_MAX: usize = 200;
pub const CONTACT_MAX: usize = 300;
pub const SLUG_MAX: usize = 100;
pub const REFLECTION_MAX: usize = 5_000;

/// A practice as its readers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PracticeView {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML of the body.
    pub body_html: String,
    pub body_markdown: String,
    pub themes: Vec<Theme>,
    pub municipalities: Vec<String>,
    pub organisation: String,
    pub contact: String,
    pub public: bool,
    pub draft: bool,
    /// The network it belongs to, for members: (slug, name).
    pub network: Option<(String, String)>,
    pub revision: i32,
    pub updated_at: String,
    pub may_edit: bool,
    pub may_reflect: bool,
    /// The case it was promoted from, only for those who may read it.
    pub source_case: Option<i64>,
    pub reflections: Vec<ReflectionView>,
    pub related: Vec<PracticeLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReflectionView {
    pub author: String,
    pub body_html: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeLink {
    pub slug: String,
    pub title: String,
}

/// One saved revision, for the history page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionView {
    pub number: i32,
    pub author: Option<String>,
    pub created_at: String,
    pub title: String,
}

/// One line of a diff between two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffTag {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub tag: DiffTag,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub slug: String,
    pub title: String,
    pub current: i32,
    pub revisions: Vec<RevisionView>,
    /// The diff of `from` → `to`.
    pub from: i32,
    pub to: i32,
    pub diff: Vec<DiffLine>,
    pub may_restore: bool,
}
