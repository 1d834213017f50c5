//! The one error type that crosses the server-function boundary. It carries
//! no internal detail (that goes to the log); the page turns each variant
//! into a translated sentence (`ui::ErrorText`).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A form field that a validation error points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Email,
    DisplayName,
    Password,
    CurrentPassword,
    NewPassword,
    Language,
    Slug,
    NetworkName,
    Description,
    JoinPolicy,
    NetworkKind,
    Role,
    Message,
    Municipalities,
    Organisations,
    Place,
    Title,
    SessionKind,
    Day,
    StartTime,
    EndTime,
    TimeZone,
    OnlineLink,
    Capacity,
    Agenda,
    Method,
    Repeat,
    LastDay,
    Exceptions,
    Minutes,
    PhaseName,
    PhaseMinutes,
    Contributors,
    Guidance,
    CaseText,
    Session,
    Retention,
    Statement,
    Label,
    Summary,
    Body,
    Themes,
    Organisation,
    Contact,
    Reflection,
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Empty,
    TooShort {
        min: u32,
    },
    TooLong {
        max: u32,
    },
    Malformed,
    /// The repeated value differs from the first.
    Mismatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    NotSignedIn,
    /// Also what a forbidden resource answers, so ids cannot be probed.
    #[error("not found")]
    NotFound,
    #[error("invalid {field:?}: {problem:?}")]
    Invalid { field: Field, problem: Problem },
    #[error("wrong email address or password")]
    WrongCredentials,
    #[error("too many failed sign-ins; try again in {minutes} minutes")]
    Throttled { minutes: u32 },
    #[error("an account with this email address already exists")]
    EmailTaken,
    #[error("a network with this web address already exists")]
    SlugTaken,
    #[error("a network with this name already exists")]
    NameTaken,
    #[error("this person is already a member")]
    AlreadyMember,
    #[error("this invitation has expired")]
    InvitationExpired,
    #[error("this invitation was already used or withdrawn")]
    InvitationUsed,
    #[error("this address already has an open invitation")]
    AlreadyInvited,
    #[error("you already asked to join")]
    AlreadyRequested,
    #[error("this network takes members by invitation only")]
    InviteOnly,
    #[error("a network keeps at least one facilitator")]
    LastFacilitator,
    /// Deleting this account leaves a network without a facilitator, and
    /// the person did not confirm that they read so.
    #[error("you are the last facilitator of a network")]
    SoleFacilitator,
    /// A second-step code that is wrong, too old or already used.
    #[error("this code is not right or was already used")]
    WrongCode,
    /// The password step of a sign-in is too long ago (or never happened).
    #[error("sign in again")]
    SecondStepExpired,
    #[error("two-step sign-in is already on")]
    TwoFactorAlreadyOn,
    /// Turning two-step sign-in off while a network requires it.
    #[error("a network you facilitate requires two-step sign-in")]
    TwoFactorRequired,
    #[error("unknown municipality: {0}")]
    UnknownMunicipality(String),
    #[error("the end lies before the start")]
    EndBeforeStart,
    #[error("a series may span at most {years} years")]
    SeriesTooLong { years: u32 },
    #[error("this repetition gives no meeting at all")]
    NoMeetings,
    #[error("unknown time zone: {0}")]
    UnknownTimeZone(String),
    #[error("the online link must start with http:// or https://")]
    NotHttpLink,
    #[error("capacity must be between 1 and {max}")]
    CapacityOutOfRange { max: u32 },
    #[error("this session was cancelled")]
    SessionCancelled,
    #[error("this session is over")]
    SessionOver,
    #[error("{count} findings of the anonymiser still need a decision")]
    CaseUnresolved { count: u32 },
    #[error("this phase of the session is not open yet")]
    PhaseNotOpen,
    #[error("this case is closed")]
    CaseClosed,
    #[error("only a closed case can become a practice")]
    CaseNotClosed,
    #[error("the confidentiality statement was not accepted yet")]
    ConfidentialityRequired,
    /// Unlinking the last way into an account without a password.
    #[error("this is the only way into your account")]
    LastSignInMethod,
    /// A grave step (deleting the account, a first password) of an account
    /// without a password, without a fresh sign-in at its provider.
    #[error("confirm at your organisation's sign-in first")]
    ConfirmWithProvider,
    /// A first password for an account that already has one.
    #[error("this account already has a password")]
    HasPassword,
    /// A refused single sign-on step.
    #[error("single sign-on refused: {0:?}")]
    Sso(crate::accounts::SsoError),
    #[error("cross-site request refused")]
    CrossSite,
    /// Too many requests from one address (the server's rate limits).
    #[error("too many requests; try again in {seconds} seconds")]
    RateLimited { seconds: u32 },
    #[error("internal error")]
    Internal,
    /// The request held a value of the wrong kind (letters in a number
    /// field, a missing field): a hand-edited form or URL, not a typo Kring
    /// can point at.
    #[error("unreadable request: {0}")]
    BadRequest(String),
    /// Transport-level failures (network down, server unreachable).
    #[error("request failed: {0}")]
    Request(String),
}

impl AppError {
    pub fn invalid(field: Field, problem: Problem) -> Self {
        AppError::Invalid { field, problem }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => AppError::BadRequest(value.to_string()),
            other => AppError::Request(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        tracing::error!(error = %err, "session error");
        AppError::Internal
    }
}
