//! Plain HTTP parts of the accounts area: the "download my data" zip (a
//! browser download, so not a server function) and the gate that sends a
//! person whom a network requires to use two-step sign-in to set it up.

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use http::{StatusCode, header};
use kring_app::AppError;
use kring_app::accounts::{auth, privacy, two_factor};
use kring_app::state::AppState;
use leptos::prelude::LeptosOptions;
use tower_sessions::Session;

pub fn routes(state: AppState) -> Router<LeptosOptions> {
    Router::new()
        .route("/account/export.zip", get(export))
        .with_state(state)
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
