//! Anonymised case threads. A coach writes a case for one network (and
//! optionally one session); the anonymiser's findings are resolved into
//! pseudonyms before anyone else reads it; readers only ever get the
//! pseudonymised text. Replies follow the session's method phases;
//! experts-by-experience add reflections; every read is audited; cases are
//! purged at the end of the network's retention. Pages and thin server
//! functions here; under `ssr` the domain (`domain`, `text`) and tables.

mod pages;
mod server;
pub use pages::{
    CaseAuditPage, CaseEditPage, CaseHistoryPage, CasePage, CaseReportPage, CaseReviewPage, CasesPage,
    NetworkCasesPage, NewCasePage,
};
pub use server::*;

#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod text;

use serde::{Deserialize, Serialize};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseStatus {
    /// Only its author sees it.
    Draft,
    /// Waiting for a facilitator's anonymity check.
    InReview,
    /// The facilitator sent it back with a comment.
    SentBack,
    Published,
    /// Read-only; purged soon.
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] = [
        CaseStatus::Draft,
        CaseStatus::InReview,
        CaseStatus::SentBack,
        CaseStatus::Published,
        CaseStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Draft => "draft",
            CaseStatus::InReview => "in_review",
            CaseStatus::SentBack => "sent_back",
            CaseStatus::Published => "published",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        CaseStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Readers (not only the author) see it.
    pub fn is_visible(self) -> bool {
        matches!(self, CaseStatus::Published | CaseStatus::Closed)
    }
}

/// The few reactions a post can get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reaction {
    Thanks,
    Recognise,
    Helpful,
}

impl Reaction {
    pub const ALL: [Reaction; 3] = [Reaction::Thanks, Reaction::Recognise, Reaction::Helpful];

    pub fn as_str(self) -> &'static str {
        match self {
            Reaction::Thanks => "thanks",
            Reaction::Recognise => "recognise",
            Reaction::Helpful => "helpful",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Reaction::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One case in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: i64,
    pub title: String,
    pub status: CaseStatus,
    pub replies: u32,
    /// "yyyy-mm-dd"
    pub last_activity: String,
    pub invites_reflection: bool,
    pub mine: bool,
}

/// A network's cases page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkCases {
    pub slug: String,
    pub name: String,
    /// The statement to accept before reading (None: accepted).
    pub statement: Option<String>,
    pub may_create: bool,
    pub may_moderate: bool,
    pub may_audit: bool,
    pub cases: Vec<CaseSummary>,
    /// The reader's own drafts, cases in review and sent back.
    pub mine: Vec<CaseSummary>,
    pub in_review: u32,
    pub open_reports: u32,
    pub retention_months: u32,
    pub needs_review: bool,
}

/// What the coach chose for one person, address or number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Choice {
    Pseudonym,
    /// "This is not personal data."
    Keep,
}

/// One entity the anonymiser found, as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityView {
    /// A form key for this row ("e0", "e1" …).
    pub field: String,
    /// Kind and identity ("person:jonas"): what the decision is stored by.
    pub key: String,
    pub kind: String,
    /// How it is written in the text (distinct spellings).
    pub mentions: Vec<String>,
    pub label: String,
    pub high: bool,
    pub choice: Option<Choice>,
}

/// The anonymiser's verdict on a text, for the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CheckView {
    /// The raw text as safe HTML with every finding in a `<mark>`.
    pub marked_html: String,
    pub entities: Vec<EntityView>,
    /// High-confidence findings without a decision: publishing waits.
    pub unresolved: u32,
    /// What readers will get (safe HTML of the pseudonymised Markdown).
    pub preview_html: String,
}

/// The case editor (author only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorView {
    pub id: i64,
    pub slug: String,
    pub network_name: String,
    pub status: CaseStatus,
    pub title: String,
    pub body: String,
    pub session_id: Option<i64>,
    pub sessions: Vec<(i64, String)>,
    pub invites_reflection: bool,
    pub review_comment: Option<String>,
    pub needs_review: bool,
    pub check: CheckView,
    pub title_check: CheckView,
}

/// A phase of the linked session's method, as a thread shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseTag {
    pub index: u32,
    pub name: String,
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionCount {
    pub reaction: Reaction,
    pub count: u32,
    pub mine: bool,
}

/// A reply or reflection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyView {
    pub id: i64,
    pub author: String,
    /// The author's role in the network ("coach", "expert_by_experience" …).
    pub role: String,
    pub reflection: bool,
    pub phase: Option<String>,
    pub body_html: String,
    /// The pseudonymised Markdown (for its author's edit form).
    pub body: String,
    /// "yyyy-mm-dd HH:MM"
    pub at: String,
    pub edited: bool,
    pub mine: bool,
    pub reactions: Vec<ReactionCount>,
}

/// One case thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadView {
    pub id: i64,
    pub slug: String,
    pub network_name: String,
    pub status: CaseStatus,
    pub title: String,
    pub body_html: String,
    pub author: String,
    pub published: String,
    pub invites_reflection: bool,
    pub session: Option<(i64, String)>,
    pub phases: Vec<PhaseTag>,
    pub current_phase: Option<u32>,
    pub replies: Vec<ReplyView>,
    pub reactions: Vec<ReactionCount>,
    pub versions: u32,
    pub may_reply: bool,
    pub may_reflect: bool,
    pub may_edit: bool,
    pub may_close: bool,
    /// Closed, and the reader may turn it into a draft practice.
    pub may_promote: bool,
    pub may_moderate: bool,
    /// The reader's saved reply draft and its check.
    pub reply_draft: String,
    pub reply_check: Option<CheckView>,
    pub retention_months: u32,
}

/// A case waiting for the anonymity check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub id: i64,
    pub title: String,
    pub body_html: String,
    pub author: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportItem {
    pub id: i64,
    pub case_id: i64,
    pub case_title: String,
    pub reply_id: Option<i64>,
    pub reporter: String,
    pub reason: String,
    pub at: String,
}

/// The facilitators' page: anonymity checks, reports, settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub slug: String,
    pub name: String,
    pub queue: Vec<ReviewItem>,
    pub reports: Vec<ReportItem>,
    pub needs_review: bool,
    pub retention_months: u32,
    pub statement: String,
    /// The shipped statement is used (none of the network's own).
    pub default_statement: bool,
    /// Facilitators must use two-step sign-in.
    pub require_two_factor: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub case_id: i64,
    /// None: the case was purged.
    pub case_title: Option<String>,
    pub reader: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeRow {
    pub case_id: i64,
    pub reason: String,
    pub replies: u32,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub slug: String,
    pub name: String,
    pub reads: Vec<AuditRow>,
    pub purges: Vec<PurgeRow>,
}

/// Cases of all my networks ("/cases").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCases {
    /// (network slug, network name, may read cases there)
    pub networks: Vec<(String, String)>,
    pub recent: Vec<(String, CaseSummary)>,
}
