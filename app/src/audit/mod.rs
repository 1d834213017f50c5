//! The platform audit log (admins only): sign-ins, role changes, case reads
//! and purges, exports and account deletions, filterable. It holds ids and
//! short details, never what a case says. Every area records its events
//! through `domain::record`; the page and its server function live here.

mod pages;
pub use pages::AuditLogPage;

#[cfg(feature = "ssr")]
pub mod domain;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::errors::AppError;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    SignOut,
    PasswordChanged,
    MemberAdded,
    RoleChanged,
    MemberRemoved,
    CaseRead,
    CasePurged,
    DataExported,
    AccountDeleted,
    TwoFactorEnabled,
    TwoFactorDisabled,
    TwoFactorFailed,
    RecoveryCodeUsed,
    SsoLinked,
    SsoUnlinked,
}

impl AuditAction {
    pub const ALL: [AuditAction; 17] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignOut,
        AuditAction::PasswordChanged,
        AuditAction::MemberAdded,
        AuditAction::RoleChanged,
        AuditAction::MemberRemoved,
        AuditAction::CaseRead,
        AuditAction::CasePurged,
        AuditAction::DataExported,
        AuditAction::AccountDeleted,
        AuditAction::TwoFactorEnabled,
        AuditAction::TwoFactorDisabled,
        AuditAction::TwoFactorFailed,
        AuditAction::RecoveryCodeUsed,
        AuditAction::SsoLinked,
        AuditAction::SsoUnlinked,
    ];

    /// The stored (and URL) form.
    pub fn key(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignOut => "sign_out",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::MemberAdded => "member_added",
            AuditAction::RoleChanged => "role_changed",
            AuditAction::MemberRemoved => "member_removed",
            AuditAction::CaseRead => "case_read",
            AuditAction::CasePurged => "case_purged",
            AuditAction::DataExported => "data_exported",
            AuditAction::AccountDeleted => "account_deleted",
            AuditAction::TwoFactorEnabled => "two_factor_enabled",
            AuditAction::TwoFactorDisabled => "two_factor_disabled",
            AuditAction::TwoFactorFailed => "two_factor_failed",
            AuditAction::RecoveryCodeUsed => "recovery_code_used",
            AuditAction::SsoLinked => "sso_linked",
            AuditAction::SsoUnlinked => "sso_unlinked",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// One line of the log, as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    /// Local time (Europe/Brussels).
    pub at: String,
    /// None: nobody signed in, or the account was deleted since.
    pub actor: Option<String>,
    pub action: AuditAction,
    pub network: Option<String>,
    /// The case or person the event is about, by id.
    pub subject: Option<i64>,
    pub detail: String,
    pub ip: String,
}

/// One page of the log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogView {
    pub rows: Vec<AuditRow>,
    /// Networks to filter by: (id, name).
    pub networks: Vec<(i64, String)>,
    /// The id to continue below, when there are older rows.
    pub older: Option<i64>,
}

/// Rows per page.
pub const PAGE: u64 = 50;

#[server(endpoint = "audit_log")]
pub async fn audit_log(
    action: Option<String>,
    network: Option<String>,
    person: Option<String>,
    before: Option<String>,
) -> Result<AuditLogView, AppError> {
    let st = crate::state::app_state()?;
    let me = crate::accounts::auth::current_user().await?;
    let actor = crate::networks::domain::actor_for(&st.db, me.as_ref()).await?;
    let filter = domain::Filter {
        action: action.as_deref().and_then(AuditAction::parse),
        network: network.as_deref().and_then(|n| n.parse().ok()),
        person: person.unwrap_or_default(),
        before: before.as_deref().and_then(|b| b.parse().ok()),
    };
    domain::list(&st.db, &actor, &filter).await
}
