//! Plain HTTP routes of the sessions area that are files, not pages: the
//! calendar feeds (secret URL, no browser session, so calendar apps can
//! subscribe), one session as .ics, and the intervision hours as CSV.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderMap, StatusCode, header};
use kring_app::AppError;
use kring_app::i18n::Locale;
use kring_app::sessions::{domain, feeds, ical};
use kring_app::state::AppState;
use leptos::prelude::LeptosOptions;
use serde::Deserialize;
use tower_sessions::Session;

pub fn routes(state: AppState) -> Router<LeptosOptions> {
    Router::new()
        .route("/calendar/{file}", get(personal_feed))
        .route("/calendar/{token}/networks/{file}", get(network_feed))
        .route("/sessions/{id}/ics", get(single_session))
        .route("/sessions/hours.csv", get(hours_csv))
        .with_state(state)
}

fn calendar(body: String, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, ical::content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            // Feeds carry people's plans: never in a shared cache.
            (header::CACHE_CONTROL, "private, max-age=300".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn refusal(err: AppError) -> Response {
    match err {
        AppError::NotFound | AppError::NotSignedIn => (StatusCode::NOT_FOUND, "Not found\n").into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "Internal error\n").into_response(),
    }
}

/// A subscribed feed, with its ETag: a calendar app that sends it back in
/// `If-None-Match` gets a bodiless 304 while nothing changed.
fn subscribed(feed: &feeds::Feed, request: &HeaderMap, filename: &str) -> Response {
    let unchanged = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == feed.etag
        });
    let mut res = if unchanged {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, max-age=300"),
        );
        res
    } else {
        calendar(feed.body.clone(), filename)
    };
    if let Ok(etag) = header::HeaderValue::from_str(&feed.etag) {
        res.headers_mut().insert(header::ETAG, etag);
    }
    res
}

async fn personal_feed(State(st): State<AppState>, Path(file): Path<String>, request: HeaderMap) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return refusal(AppError::NotFound);
    };
    match feeds::personal_cached(&st.db, &st.feeds, token, &st.settings.base_url).await {
        Ok(feed) => subscribed(&feed, &request, "kring.ics"),
        Err(err) => refusal(err),
    }
}

async fn network_feed(
    State(st): State<AppState>,
    Path((token, file)): Path<(String, String)>,
    request: HeaderMap,
) -> Response {
    let Some(slug) = file.strip_suffix(".ics") else {
        return refusal(AppError::NotFound);
    };
    match feeds::network_cached(&st.db, &st.feeds, &token, slug, &st.settings.base_url).await {
        Ok(feed) => subscribed(&feed, &request, &format!("{slug}.ics")),
        Err(err) => refusal(err),
    }
}

async fn signed_in(
    st: &AppState,
    session: &Session,
) -> Result<kring_app::accounts::entity::user::Model, AppError> {
    kring_app::accounts::auth::user_of(session, &st.db)
        .await?
        .ok_or(AppError::NotSignedIn)
}

async fn single_session(State(st): State<AppState>, session: Session, Path(id): Path<i64>) -> Response {
    let result = async {
        let person = signed_in(&st, &session).await?;
        let actor = kring_app::networks::domain::actor_for(&st.db, Some(&person)).await?;
        feeds::single(&st.db, &actor, id, &st.settings.base_url).await
    }
    .await;
    match result {
        Ok(body) => {
            let mut res = calendar(body, &format!("kring-{id}.ics"));
            res.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                header::HeaderValue::from_str(&format!("attachment; filename=\"kring-{id}.ics\""))
                    .unwrap_or(header::HeaderValue::from_static("attachment")),
            );
            res
        }
        Err(err) => refusal(err),
    }
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

async fn hours_csv(State(st): State<AppState>, session: Session, Query(q): Query<YearQuery>) -> Response {
    let result = async {
        let person = signed_in(&st, &session).await?;
        let locale = if person.locale.as_deref() == Some("en") {
            Locale::en
        } else {
            Locale::nl
        };
        let view = domain::hours(&st.db, &person, q.year).await?;
        Ok::<_, AppError>((view.year, domain::hours_csv_in(&view, locale)))
    }
    .await;
    match result {
        Ok((year, csv)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"intervisie-{year}.csv\""),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            // A BOM so that Excel reads the accents as UTF-8.
            format!("\u{feff}{csv}"),
        )
            .into_response(),
        Err(err) => refusal(err),
    }
}
