//! Plain HTTP parts of the accounts area: the "download my data" zip (a
//! browser download, so not a server function), single sign-on's way out to
//! a provider, its return and the provider's sign-out, and the gate that
//! sends a person whom a network requires to use two-step sign-in to set
//! it up.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use http::{StatusCode, header};
use kring_app::AppError;
use kring_app::accounts::sso::{self, Callback, Outcome, Purpose, Refusal, SsoError};
use kring_app::accounts::{auth, privacy, two_factor};
use kring_app::state::AppState;
use leptos::prelude::LeptosOptions;
use tower_sessions::Session;

pub fn routes(state: AppState) -> Router<LeptosOptions> {
    Router::new()
        .route("/account/export.zip", get(export))
        .route("/sign-in/sso/{id}", get(sso_start))
        .route("/sign-in/sso/{id}/callback", get(sso_callback))
        .route("/sign-in/sso/{id}/logout", get(sso_logout))
        .with_state(state)
}

fn internal() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "Internal error\n").into_response()
}

/// A redirect that no cache keeps (each carries one sign-in's secrets).
fn go(to: &str) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Redirect::to(to)).into_response()
}

/// Back to `page` (the sign-in page, or the page a link or confirmation
/// started on) with the reason.
fn refused(err: SsoError, page: &str) -> Response {
    let page = page.split(['?', '#']).next().unwrap_or("/sign-in");
    go(&format!("{page}?sso_error={}", err.code()))
}

fn peer_ip(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[derive(serde::Deserialize)]
struct StartQuery {
    next: Option<String>,
    /// Present: a signed-in person confirms at the provider that it is them.
    confirm: Option<String>,
}

/// `GET /sign-in/sso/{id}`: remembers state, nonce, PKCE verifier and where
/// to go afterwards in the session, and sends the person to the provider.
/// Started by a signed-in person, it links the provider to their account,
/// or with `?confirm=1` asks the provider for a fresh sign-in (the proof an
/// account without a password gives before a grave step).
async fn sso_start(
    State(st): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<StartQuery>,
    session: Session,
) -> Response {
    let me = match auth::user_of(&session, &st.db).await {
        Ok(me) => me.map(|u| u.id),
        Err(_) => return internal(),
    };
    let next = kring_app::ui::form::safe_next(q.next.as_deref());
    let purpose = match (me, q.confirm.is_some()) {
        (Some(me), true) => Purpose::Confirm(me),
        // The session ended meanwhile: sign in first.
        (None, true) => return go(&format!("/sign-in?next={}", kring_app::ui::urlencode(&next))),
        (Some(me), false) => Purpose::Link(me),
        (None, false) => Purpose::SignIn,
    };
    let back = match purpose {
        Purpose::SignIn => "/sign-in",
        Purpose::Link(_) => "/account",
        Purpose::Confirm(_) => next.as_str(),
    };
    match st.sso.begin(&id, &next, purpose).await {
        Ok((url, pending)) => match auth::keep_sso_pending(&session, &pending).await {
            Ok(()) => go(url.as_str()),
            Err(_) => internal(),
        },
        Err(err) => refused(err, back),
    }
}

/// `GET /sign-in/sso/{id}/callback`: the return from the provider.
async fn sso_callback(
    State(st): State<AppState>,
    Path(id): Path<String>,
    session: Session,
    req: Request,
) -> Response {
    let ip = peer_ip(&req);
    // A query the provider garbled is a refused return, not a 400 page.
    let cb: Callback = Query::<Callback>::try_from_uri(req.uri())
        .map(|Query(cb)| cb)
        .unwrap_or_default();
    // Taken, not read: the same return works once.
    let pending = match auth::take_sso_pending(&session).await {
        Ok(Some(p)) => p,
        Ok(None) => return failed(&st, &id, SsoError::State, "/sign-in", &ip).await,
        Err(_) => return internal(),
    };
    let me = match auth::user_of(&session, &st.db).await {
        Ok(me) => me.map(|u| u.id),
        Err(_) => return internal(),
    };
    if let Purpose::Confirm(want) = pending.purpose {
        return confirmed(&st, &id, &session, &pending, &cb, me == Some(want), &ip).await;
    }
    // A link started by someone who is no longer (or someone else) signed in
    // is no link.
    let link_to = match pending.purpose {
        Purpose::Link(want) => Some(want).filter(|want| me == Some(*want)),
        _ => None,
    };
    let linking = link_to.is_some();
    let back = if linking { "/account" } else { "/sign-in" };
    let identity = match st.sso.finish(&id, &pending, &cb).await {
        Ok(identity) => identity,
        Err(err) => return failed(&st, &id, err, back, &ip).await,
    };
    match sso::resolve(&st.db, &identity, link_to, &ip).await {
        Ok(Outcome::SignedIn(_)) if linking => go("/account?linked=1"),
        Ok(Outcome::SignedIn(person) | Outcome::Created(person)) => {
            if sso::record_sign_in(&st.db, person.id, &id, &ip).await.is_err()
                || auth::start_sso_session_on(&session, &person, &id).await.is_err()
            {
                return internal();
            }
            tracing::info!(user = person.id, provider = %id, "signed in through a provider");
            let mut res = go(&pending.next);
            if let Some(locale) = person.locale.as_deref()
                && let Ok(v) = http::HeaderValue::from_str(&auth::locale_cookie(locale, &st.settings))
            {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Ok(Outcome::ConfirmLink { user_id, email }) => {
            let link = auth::PendingLink {
                user_id,
                email,
                identity,
                next: pending.next,
                at: chrono::Utc::now().timestamp(),
            };
            match auth::keep_pending_link(&session, &link).await {
                Ok(()) => go("/sign-in/link"),
                Err(_) => internal(),
            }
        }
        Err(Refusal::Sso(err)) => failed(&st, &id, err, back, &ip).await,
        Err(Refusal::App(AppError::EmailTaken)) => failed(&st, &id, SsoError::EmailTaken, back, &ip).await,
        Err(Refusal::App(_)) => internal(),
    }
}

/// A confirmation's return: a fresh sign-in (checked in `finish`) as an
/// identity linked to the signed-in person, who then has ten minutes for
/// the step that waited for it.
async fn confirmed(
    st: &AppState,
    id: &str,
    session: &Session,
    pending: &sso::Pending,
    cb: &Callback,
    same_person: bool,
    ip: &str,
) -> Response {
    if !same_person {
        // Signed out (or in as someone else) while at the provider.
        return failed(st, id, SsoError::State, "/sign-in", ip).await;
    }
    let Purpose::Confirm(user_id) = pending.purpose else {
        return internal();
    };
    let identity = match st.sso.finish(id, pending, cb).await {
        Ok(identity) => identity,
        Err(err) => return failed(st, id, err, &pending.next, ip).await,
    };
    match sso::confirm(&st.db, user_id, &identity).await {
        Ok(()) => {}
        Err(Refusal::Sso(err)) => return failed(st, id, err, &pending.next, ip).await,
        Err(Refusal::App(_)) => return internal(),
    }
    let now = chrono::Utc::now().timestamp();
    if auth::keep_provider_confirmed(session, user_id, now)
        .await
        .is_err()
    {
        return internal();
    }
    tracing::info!(user = user_id, provider = %id, "confirmed at the provider");
    go(&pending.next)
}

/// A refused return: in the audit log (without anyone's address), then
/// back to `page` with the reason.
async fn failed(st: &AppState, id: &str, err: SsoError, page: &str, ip: &str) -> Response {
    tracing::info!(provider = %id, reason = err.code(), "single sign-on refused");
    let event = kring_app::audit::domain::Event::new(kring_app::audit::AuditAction::SignInFailed)
        .detail(format!(
            "sso:{}:{}",
            id.chars().take(40).collect::<String>(),
            err.code()
        ))
        .ip(ip);
    if kring_app::audit::domain::record(&st.db, event).await.is_err() {
        return internal();
    }
    refused(err, page)
}

/// `GET /sign-in/sso/{id}/logout`: the provider's own sign-out (RP-initiated
/// logout), which sends the person back to `/signed-out`.
async fn sso_logout(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    match st.sso.end_session_url(&id).await {
        Ok(Some(url)) => go(url.as_str()),
        Ok(None) => go("/signed-out"),
        Err(err) => refused(err, "/sign-in"),
    }
}

async fn export(State(st): State<AppState>, session: Session) -> Response {
    let person = match auth::user_of(&session, &st.db).await {
        Ok(Some(person)) => person,
        // A link followed after the session ended: sign in, then back.
        Ok(None) => return Redirect::to("/sign-in?next=/account").into_response(),
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "Internal error\n").into_response(),
    };
    match privacy::export(&st.db, person.id).await {
        Ok(zip) => {
            tracing::info!(user = person.id, bytes = zip.len(), "personal data exported");
            let day = chrono::Utc::now().format("%Y-%m-%d");
            (
                [
                    (header::CONTENT_TYPE, "application/zip".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"kring-{day}.zip\""),
                    ),
                    // Personal data: never kept by a cache on the way.
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                zip,
            )
                .into_response()
        }
        Err(AppError::NotSignedIn) => Redirect::to("/sign-in?next=/account").into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Internal error\n").into_response(),
    }
}

/// Where a person who must set up two-step sign-in may still go: the set-up
/// page and what it posts to, signing out, and the files pages load.
const OPEN_WHILE_ENROLLING: &[&str] = &[
    "/account/two-factor",
    "/api/two_factor",
    "/api/two_factor_begin",
    "/api/two_factor_confirm",
    "/api/sign_out",
    "/signed-out",
    "/api/sso_providers",
    "/api/me",
    "/api/set_language",
];

fn open_while_enrolling(path: &str) -> bool {
    OPEN_WHILE_ENROLLING.contains(&path)
        || path.starts_with("/pkg/")
        // Static files (style sheet, icons): a dot in the last segment.
        || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// A facilitator of a network that requires two-step sign-in, who has not
/// set it up, reaches nothing but the set-up page (every other page and
/// server function answers with a redirect there). Checked on every
/// request, so turning the rule on takes effect at once.
pub async fn two_factor_gate(
    State(st): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    if open_while_enrolling(req.uri().path()) {
        return next.run(req).await;
    }
    let person = match auth::user_of(&session, &st.db).await {
        Ok(person) => person,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "Internal error\n").into_response(),
    };
    if let Some(person) = person {
        match two_factor::must_enrol(&st.db, person.id).await {
            Ok(false) => {}
            Ok(true) => return Redirect::to("/account/two-factor?required=1").into_response(),
            Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "Internal error\n").into_response(),
        }
    }
    next.run(req).await
}
