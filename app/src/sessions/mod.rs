//! Intervision sessions: scheduling (one meeting or a series from a
//! recurrence rule), one RSVP for a whole series with per-meeting
//! overrides, capacity with a waiting list, calendar feeds, intervision
//! methods as data, and the live mode that walks a session through a
//! method's phases. Pages and thin server functions here; under `ssr` the
//! domain (`domain`, `rsvp`, `feeds`, `methods`), recurrence expansion and
//! iCalendar rendering, and the tables (`entity`).

mod method_pages;
mod pages;
mod server;
pub use method_pages::{EditMethodPage, MethodsPage};
pub use pages::{
    EditSessionPage, HoursPage, KindText, NetworkSessionsPage, NewSessionPage, SessionPage, SessionsPage,
};
pub use server::*;

#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod feeds;
#[cfg(feature = "ssr")]
pub mod ical;
#[cfg(feature = "ssr")]
pub mod methods;
#[cfg(feature = "ssr")]
pub mod recurrence;
#[cfg(feature = "ssr")]
pub mod rsvp;

use serde::{Deserialize, Serialize};

/// What kind of meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionKind {
    Intervision,
    LearningNetwork,
    Training,
    CaseMeeting,
}

impl SessionKind {
    pub const ALL: [SessionKind; 4] = [
        SessionKind::Intervision,
        SessionKind::LearningNetwork,
        SessionKind::Training,
        SessionKind::CaseMeeting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Intervision => "intervision",
            SessionKind::LearningNetwork => "learning_network",
            SessionKind::Training => "training",
            SessionKind::CaseMeeting => "case_meeting",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        SessionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An RSVP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    Going,
    Maybe,
    NotGoing,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Going, Answer::Maybe, Answer::NotGoing];

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Going => "going",
            Answer::Maybe => "maybe",
            Answer::NotGoing => "not_going",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Answer::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A person's answer for one meeting, as the pages show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyRsvp {
    pub answer: Answer,
    /// Going, but the meeting is full: on the waiting list.
    pub waitlisted: bool,
    /// Set by the series answer (not by an override for this meeting).
    pub from_series: bool,
}

/// One meeting in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub id: i64,
    pub title: String,
    pub kind: SessionKind,
    /// Local date and times in the session's zone: "2026-09-01", "13:30".
    pub day: String,
    pub start: String,
    pub end: String,
    pub place: String,
    pub online: bool,
    pub cancelled: bool,
    pub series_id: Option<i64>,
    pub going: u32,
    pub capacity: Option<u32>,
    pub mine: Option<MyRsvp>,
}

/// The sessions of one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkSessions {
    pub slug: String,
    pub name: String,
    pub may_schedule: bool,
    pub upcoming: Vec<SessionSummary>,
    pub past: Vec<SessionSummary>,
}

/// A phase of an intervision method, in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseView {
    pub name: String,
    pub guidance: String,
    pub minutes: u32,
    pub contributors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodView {
    pub id: i64,
    pub name: String,
    pub summary: String,
    /// Shipped with Kring (copy it to change it).
    pub shipped: bool,
    pub phases: Vec<PhaseView>,
}

/// Who comes, per organisation (facilitators' view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeGroup {
    pub organisation: Option<String>,
    pub people: Vec<Attendee>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub user_id: i64,
    pub name: String,
    pub answer: Answer,
    pub waitlisted: bool,
    pub attended: bool,
}

/// The live state of a running session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveState {
    /// None: not started (or finished).
    pub phase: Option<u32>,
    pub phase_count: u32,
    /// Seconds since the current phase began (for the timer).
    pub elapsed_seconds: i64,
    pub finished: bool,
}

/// One session's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub summary: SessionSummary,
    pub network_slug: String,
    pub network_name: String,
    pub zone: String,
    pub online_link: String,
    /// Sanitised HTML from the Markdown agenda.
    pub agenda_html: String,
    pub agenda: String,
    pub method: Option<MethodView>,
    pub series_meetings: u32,
    pub my_series_answer: Option<Answer>,
    pub may_rsvp: bool,
    pub may_manage: bool,
    pub attendees: Vec<AttendeeGroup>,
    pub waiting: u32,
    pub live: LiveState,
    pub minutes_html: String,
    pub minutes: String,
    pub attendance_recorded: bool,
    pub guests: Vec<String>,
}

/// A year of intervision hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursView {
    pub year: i32,
    pub years: Vec<i32>,
    pub rows: Vec<HoursRow>,
    pub total_minutes: u32,
    pub person: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursRow {
    pub day: String,
    pub title: String,
    pub kind: SessionKind,
    pub network: String,
    pub minutes: u32,
}
