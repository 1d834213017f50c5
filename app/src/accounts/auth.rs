//! The sign-in session of the current request (tower-sessions, stored in the
//! database). Idle sessions end after 30 minutes; "remember me" keeps one
//! for at most 12 hours; no session outlives 12 hours.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use tower_sessions::{Expiry, Session};

use super::domain;
use super::entity::user;
use crate::errors::AppError;
use crate::state::{Settings, app_state};

pub(crate) const USER_KEY: &str = "uid";
const SIGNED_IN_AT_KEY: &str = "at";
pub const IDLE_TIMEOUT: time::Duration = time::Duration::minutes(30);
pub const MAX_AGE: time::Duration = time::Duration::hours(12);

pub(crate) async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer on this request");
        AppError::Internal
    })
}

/// The signed-in person, looked up once per request: the layout, the page
/// and the page's data all ask, and each lookup is a database round trip.
/// The server provides a fresh one for every request; signing in or out
/// empties it.
#[derive(Clone, Default)]
pub struct RequestUser(std::sync::Arc<std::sync::Mutex<Option<Option<user::Model>>>>);

impl RequestUser {
    fn get(&self) -> Option<Option<user::Model>> {
        self.0.lock().ok().and_then(|known| known.clone())
    }

    fn set(&self, value: Option<Option<user::Model>>) {
        if let Ok(mut known) = self.0.lock() {
            *known = value;
        }
    }
}

fn forget_current_user() {
    if let Some(cache) = leptos::prelude::use_context::<RequestUser>() {
        cache.set(None);
    }
}

/// The signed-in person of this request, if any.
pub async fn current_user() -> Result<Option<user::Model>, AppError> {
    let cache = leptos::prelude::use_context::<RequestUser>();
    if let Some(known) = cache.as_ref().and_then(RequestUser::get) {
        return Ok(known);
    }
    let session = session().await?;
    let st = app_state()?;
    let found = user_of(&session, &st.db).await?;
    if let Some(cache) = cache {
        cache.set(Some(found.clone()));
    }
    Ok(found)
}

/// The person a sign-in session belongs to, if it is still valid (also for
/// plain axum handlers such as the .ics and CSV downloads).
pub async fn user_of(
    session: &Session,
    db: &sea_orm::DatabaseConnection,
) -> Result<Option<user::Model>, AppError> {
    let Some(uid) = session.get::<i64>(USER_KEY).await? else {
        return Ok(None);
    };
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT_KEY).await?.unwrap_or(0);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if now - signed_in_at > MAX_AGE.whole_seconds() {
        session.flush().await?;
        return Ok(None);
    }
    let found = domain::find_by_id(db, uid).await?;
    if found.is_none() {
        session.flush().await?;
    }
    Ok(found)
}

/// Signs `user` in on a fresh session id (no fixation).
pub async fn start_session(user: &user::Model, remember: bool) -> Result<(), AppError> {
    forget_current_user();
    start_session_on(&session().await?, user, remember).await
}

/// The same on a session a plain axum handler holds.
pub async fn start_session_on(session: &Session, user: &user::Model, remember: bool) -> Result<(), AppError> {
    session.cycle_id().await?;
    session.remove_value(SSO_VIA_KEY).await?;
    session.remove_value(SSO_LINK_KEY).await?;
    clear_second_step(session).await?;
    let now = time::OffsetDateTime::now_utc();
    session.insert(USER_KEY, user.id).await?;
    session.insert(SIGNED_IN_AT_KEY, now.unix_timestamp()).await?;
    session.set_expiry(Some(if remember {
        Expiry::AtDateTime(now + MAX_AGE)
    } else {
        Expiry::OnInactivity(IDLE_TIMEOUT)
    }));
    Ok(())
}

/// How long the code step of a sign-in may take after the password.
pub const SECOND_STEP_SECS: i64 = 5 * 60;
const PENDING_KEY: &str = "pending_uid";
const PENDING_AT_KEY: &str = "pending_at";
const PENDING_REMEMBER_KEY: &str = "pending_remember";

/// The password was right and the person has two-step sign-in: the session
/// (on a fresh id) remembers who is halfway, but nobody is signed in yet.
pub async fn begin_second_step(user: &user::Model, remember: bool) -> Result<(), AppError> {
    forget_current_user();
    let session = session().await?;
    session.cycle_id().await?;
    session.remove_value(USER_KEY).await?;
    session.insert(PENDING_KEY, user.id).await?;
    session
        .insert(PENDING_AT_KEY, time::OffsetDateTime::now_utc().unix_timestamp())
        .await?;
    session.insert(PENDING_REMEMBER_KEY, remember).await?;
    session.set_expiry(Some(Expiry::OnInactivity(time::Duration::seconds(
        SECOND_STEP_SECS,
    ))));
    Ok(())
}

/// Who is halfway through signing in (and whether they asked to be
/// remembered), if the password step is recent enough.
pub async fn pending_second_step() -> Result<Option<(i64, bool)>, AppError> {
    let session = session().await?;
    let Some(uid) = session.get::<i64>(PENDING_KEY).await? else {
        return Ok(None);
    };
    let at = session.get::<i64>(PENDING_AT_KEY).await?.unwrap_or(0);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if now - at > SECOND_STEP_SECS {
        session.flush().await?;
        return Ok(None);
    }
    let remember = session.get::<bool>(PENDING_REMEMBER_KEY).await?.unwrap_or(false);
    Ok(Some((uid, remember)))
}

async fn clear_second_step(session: &Session) -> Result<(), AppError> {
    for key in [PENDING_KEY, PENDING_AT_KEY, PENDING_REMEMBER_KEY] {
        session.remove_value(key).await?;
    }
    Ok(())
}

const FRESH_CODES_KEY: &str = "fresh_recovery_codes";

/// Recovery codes to show once, on the next page (also without JavaScript,
/// where a redirect separates the form from the page).
pub async fn keep_fresh_recovery_codes(codes: &[String]) -> Result<(), AppError> {
    session().await?.insert(FRESH_CODES_KEY, codes).await?;
    Ok(())
}

pub async fn take_fresh_recovery_codes() -> Result<Vec<String>, AppError> {
    Ok(session()
        .await?
        .remove::<Vec<String>>(FRESH_CODES_KEY)
        .await?
        .unwrap_or_default())
}

pub async fn end_session() -> Result<(), AppError> {
    forget_current_user();
    session().await?.flush().await?;
    Ok(())
}

/// A new session id for the same sign-in (after a password change).
pub async fn rotate_session() -> Result<(), AppError> {
    session().await?.cycle_id().await?;
    Ok(())
}

/// The client's address for throttling and the audit log (behind a
/// trusted reverse proxy, the forwarded client's: `KRING_TRUSTED_PROXIES`).
pub async fn client_ip() -> String {
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr.ip().to_string(),
        Err(_) => "unknown".to_owned(),
    }
}

/// The `Set-Cookie` value of the interface-language cookie.
pub fn locale_cookie(locale: &str, settings: &Settings) -> String {
    let secure = if settings.secure_cookies() { "; Secure" } else { "" };
    let name = settings.locale_cookie();
    format!("{name}={locale}; Path=/; Max-Age=31536000; SameSite=Lax{secure}")
}

pub fn set_locale_cookie(locale: &str, settings: &Settings) {
    let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let cookie = locale_cookie(locale, settings);
    if let Ok(value) = http::HeaderValue::from_str(&cookie) {
        res.append_header(http::header::SET_COOKIE, value);
    }
}

// ---------------------------------------------------------------------------
// Single sign-on: what the session keeps on the way to the provider and back.

const SSO_PENDING_KEY: &str = "sso_pending";
const SSO_LINK_KEY: &str = "sso_link";
const SSO_VIA_KEY: &str = "sso_via";
/// How long the link step (the existing account's password) may take.
pub const LINK_STEP_SECS: i64 = 10 * 60;

/// Remembers the way out (state, nonce, PKCE verifier) for the return.
pub async fn keep_sso_pending(session: &Session, pending: &super::sso::Pending) -> Result<(), AppError> {
    session.insert(SSO_PENDING_KEY, pending).await?;
    Ok(())
}

/// Takes the way out back: a return works once.
pub async fn take_sso_pending(session: &Session) -> Result<Option<super::sso::Pending>, AppError> {
    Ok(session.remove::<super::sso::Pending>(SSO_PENDING_KEY).await?)
}

/// An identity waiting for the existing account's password.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingLink {
    pub user_id: i64,
    pub email: String,
    pub identity: super::sso::Identity,
    pub next: String,
    pub at: i64,
}

pub async fn keep_pending_link(session: &Session, link: &PendingLink) -> Result<(), AppError> {
    // Nobody is signed in while the password is asked (fresh id: no fixation).
    session.cycle_id().await?;
    session.remove_value(USER_KEY).await?;
    session.remove_value(SSO_VIA_KEY).await?;
    session.insert(SSO_LINK_KEY, link).await?;
    Ok(())
}

pub async fn pending_link() -> Result<Option<PendingLink>, AppError> {
    let session = session().await?;
    let Some(link) = session.get::<PendingLink>(SSO_LINK_KEY).await? else {
        return Ok(None);
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if now - link.at > LINK_STEP_SECS {
        session.remove_value(SSO_LINK_KEY).await?;
        return Ok(None);
    }
    Ok(Some(link))
}

/// Signs in through a provider: no "remember me", and the session knows
/// the provider (sign-out then offers the provider's own).
pub async fn start_sso_session_on(
    session: &Session,
    user: &user::Model,
    provider: &str,
) -> Result<(), AppError> {
    start_session_on(session, user, false).await?;
    session.insert(SSO_VIA_KEY, provider).await?;
    Ok(())
}

pub async fn start_sso_session(user: &user::Model, provider: &str) -> Result<(), AppError> {
    forget_current_user();
    start_sso_session_on(&session().await?, user, provider).await
}

/// The provider this session signed in through, if any.
pub async fn signed_in_via() -> Result<Option<String>, AppError> {
    Ok(session().await?.get::<String>(SSO_VIA_KEY).await?)
}

const SSO_CONFIRMED_KEY: &str = "sso_confirmed";

/// A fresh sign-in at the provider by this session's person (a
/// confirmation's return), with when it happened.
pub async fn keep_provider_confirmed(session: &Session, user_id: i64, at: i64) -> Result<(), AppError> {
    session.insert(SSO_CONFIRMED_KEY, (user_id, at)).await?;
    Ok(())
}

/// When this session's person last confirmed at their provider, if they
/// did (the domain decides whether that is recent enough).
pub async fn provider_confirmed_at(user_id: i64) -> Result<Option<i64>, AppError> {
    let confirmed = session().await?.get::<(i64, i64)>(SSO_CONFIRMED_KEY).await?;
    Ok(confirmed.filter(|(uid, _)| *uid == user_id).map(|(_, at)| at))
}
