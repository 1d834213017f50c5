//! Plain HTTP routes of the accounts area that are files, not pages: the
//! "download my data" zip (a browser download, so not a server function).

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use http::{StatusCode, header};
use kring_app::AppError;
use kring_app::accounts::{auth, privacy};
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
