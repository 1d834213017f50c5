//! What the server hands to every page render and server function.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::errors::AppError;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    /// Rendered calendar feeds, checked for changes on every request.
    pub feeds: Arc<crate::sessions::feeds::FeedCache>,
    /// This node's search index (kept current from the outbox).
    pub search: Arc<crate::search::index::SearchIndex>,
    /// The single sign-on providers (none by default).
    pub sso: Arc<crate::accounts::sso::Sso>,
}

/// The runtime settings the app layer needs (the server owns the rest).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Public URL, e.g. `https://kring.example.be` (links in mails, feeds,
    /// and the Origin that state-changing requests must come from).
    pub base_url: url::Url,
}

impl Settings {
    pub fn secure_cookies(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// The sign-in session cookie. Behind https it carries the `__Host-`
    /// prefix: the browser then only accepts it Secure, for this host and
    /// path `/`, so a sibling subdomain cannot plant or widen it.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies() {
            "__Host-kring_session"
        } else {
            "kring_session"
        }
    }

    /// The interface-language cookie (prefixed like the session cookie).
    pub fn locale_cookie(&self) -> &'static str {
        if self.secure_cookies() {
            "__Host-kring_lang"
        } else {
            "kring_lang"
        }
    }
}

/// The state of the running server, from the Leptos context.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}
