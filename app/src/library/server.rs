//! Server functions of the library: parse, authorize (in the domain,
//! through `authz`), call the domain, map errors. Forms post plainly and
//! come back with what was typed when they fail.

#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::Theme;
use super::{HistoryView, PracticeInput, PracticeView};
use crate::errors::AppError;

#[cfg(feature = "ssr")]
use super::domain;

/// The person (if any) and what they may do.
#[cfg(feature = "ssr")]
pub(crate) async fn visitor() -> Result<(crate::state::AppState, crate::authz::Actor), AppError> {
    let st = crate::state::app_state()?;
    let person = crate::accounts::auth::current_user().await?;
    let actor = crate::networks::domain::actor_for(&st.db, person.as_ref()).await?;
    Ok((st, actor))
}

#[cfg(feature = "ssr")]
fn fail<S: leptos::server_fn::ServerFn>(err: AppError, keep: &[(&str, &str)]) -> AppError {
    crate::ui::form::keep_on_failure::<S>(&err, keep);
    err
}

/// The form's fields into the domain's input. Themes come as indexed
/// checkboxes (`themes[i]`), municipalities as one comma-separated line.
#[cfg(feature = "ssr")]
fn input_from_form(
    title: String,
    summary: String,
    body: String,
    themes: Vec<String>,
    municipalities: String,
    organisation: String,
    contact: String,
    visibility: String,
) -> PracticeInput {
    PracticeInput {
        title,
        summary,
        body_markdown: body,
        themes: themes.iter().filter_map(|t| Theme::parse(t)).collect(),
        municipalities: municipalities
            .split([',', ';', '\n'])
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        organisation,
        contact,
        public: visibility == "public",
    }
}

/// A practice page.
#[server(name = LoadPractice, endpoint = "practice")]
pub async fn practice(slug: String) -> Result<PracticeView, AppError> {
    let (st, actor) = visitor().await?;
    let mut view = domain::view(&st.db, &actor, &slug).await?;
    let scope = crate::search::index::Scope::for_actor(&actor);
    if let Ok(Some(doc)) = crate::search::server::index_doc_of(&st, &slug).await {
        view.related = st
            .search
            .related(&scope, &doc, 5)
            .unwrap_or_default()
            .into_iter()
            .map(|h| super::PracticeLink {
                slug: h.slug,
                title: h.title,
            })
            .collect();
    }
    Ok(view)
}

/// What the editor starts from: the networks the person may write for, and
/// for an existing practice its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorData {
    pub slug: Option<String>,
    pub input: PracticeInput,
    pub revision: i32,
    pub draft: bool,
    pub networks: Vec<(String, String)>,
    pub may_write_public_only: bool,
    pub preview_html: String,
}

#[server(name = LoadPracticeEditor, endpoint = "practice_editor")]
pub async fn practice_editor(slug: Option<String>) -> Result<EditorData, AppError> {
    let (st, actor) = visitor().await?;
    if actor.user.is_none() {
        return Err(AppError::NotSignedIn);
    }
    let networks = domain::writable_networks(&st.db, &actor).await?;
    match slug.filter(|s| !s.is_empty()) {
        Some(slug) => {
            let (input, revision, draft) = domain::editor(&st.db, &actor, &slug).await?;
            let preview_html = crate::ui::markdown::to_safe_html(&input.body_markdown);
            Ok(EditorData {
                slug: Some(slug),
                input,
                revision,
                draft,
                networks,
                may_write_public_only: false,
                preview_html,
            })
        }
        None => {
            if networks.is_empty() && !actor.is_admin {
                return Err(AppError::NotFound);
            }
            Ok(EditorData {
                slug: None,
                input: PracticeInput {
                    public: true,
                    ..Default::default()
                },
                revision: 0,
                draft: false,
                may_write_public_only: networks.is_empty(),
                networks,
                preview_html: String::new(),
            })
        }
    }
}

#[server(endpoint = "create_practice")]
pub async fn create_practice(
    #[server(default)] network: String,
    title: String,
    #[server(default)] summary: String,
    body: String,
    #[server(default)] themes: Vec<String>,
    #[server(default)] municipalities: String,
    #[server(default)] organisation: String,
    #[server(default)] contact: String,
    #[server(default)] visibility: String,
) -> Result<(), AppError> {
    let keep = [
        ("network", network.as_str()),
        ("title", title.as_str()),
        ("summary", summary.as_str()),
        ("body", body.as_str()),
        ("municipalities", municipalities.as_str()),
        ("organisation", organisation.as_str()),
        ("contact", contact.as_str()),
        ("visibility", visibility.as_str()),
    ];
    let keep: Vec<(&str, &str)> = keep.to_vec();
    let (st, actor) = visitor().await?;
    if actor.user.is_none() {
        return Err(AppError::NotSignedIn);
    }
    let input = input_from_form(
        title.clone(),
        summary.clone(),
        body.clone(),
        themes,
        municipalities.clone(),
        organisation.clone(),
        contact.clone(),
        visibility.clone(),
    );
    let network = (!network.is_empty()).then_some(network.as_str());
    match domain::create(&st.db, &actor, network, &input).await {
        Ok(slug) => {
            leptos_axum::redirect(&format!("/library/{slug}"));
            Ok(())
        }
        Err(err) => Err(fail::<CreatePractice>(err, &keep)),
    }
}

#[server(endpoint = "update_practice")]
pub async fn update_practice(
    slug: String,
    title: String,
    #[server(default)] summary: String,
    body: String,
    #[server(default)] themes: Vec<String>,
    #[server(default)] municipalities: String,
    #[server(default)] organisation: String,
    #[server(default)] contact: String,
    #[server(default)] visibility: String,
    #[server(default)] publish: String,
) -> Result<(), AppError> {
    let keep = [
        ("title", title.as_str()),
        ("summary", summary.as_str()),
        ("body", body.as_str()),
        ("municipalities", municipalities.as_str()),
        ("organisation", organisation.as_str()),
        ("contact", contact.as_str()),
        ("visibility", visibility.as_str()),
    ];
    let (st, actor) = visitor().await?;
    if actor.user.is_none() {
        return Err(AppError::NotSignedIn);
    }
    let input = input_from_form(
        title.clone(),
        summary.clone(),
        body.clone(),
        themes,
        municipalities.clone(),
        organisation.clone(),
        contact.clone(),
        visibility.clone(),
    );
    match domain::update(&st.db, &actor, &slug, &input, !publish.is_empty()).await {
        Ok(()) => {
            leptos_axum::redirect(&format!("/library/{slug}"));
            Ok(())
        }
        Err(err) => Err(fail::<UpdatePractice>(err, &keep)),
    }
}

#[server(name = LoadPracticeHistory, endpoint = "practice_history")]
pub async fn practice_history(
    slug: String,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<HistoryView, AppError> {
    let (st, actor) = visitor().await?;
    domain::history(&st.db, &actor, &slug, from, to).await
}

#[server(endpoint = "restore_practice")]
pub async fn restore_practice(slug: String, number: i32) -> Result<(), AppError> {
    let (st, actor) = visitor().await?;
    if actor.user.is_none() {
        return Err(AppError::NotSignedIn);
    }
    match domain::restore(&st.db, &actor, &slug, number).await {
        Ok(()) => {
            leptos_axum::redirect(&format!("/library/{slug}/history"));
            Ok(())
        }
        Err(err) => Err(fail::<RestorePractice>(err, &[])),
    }
}

#[server(endpoint = "reflect_on_practice")]
pub async fn reflect_on_practice(slug: String, body: String) -> Result<(), AppError> {
    let (st, actor) = visitor().await?;
    if actor.user.is_none() {
        return Err(AppError::NotSignedIn);
    }
    match domain::reflect(&st.db, &actor, &slug, &body).await {
        Ok(()) => {
            leptos_axum::redirect(&format!("/library/{slug}#reflections"));
            Ok(())
        }
        Err(err) => Err(fail::<ReflectOnPractice>(err, &[("reflection", body.as_str())])),
    }
}

/// The editor's live preview: exactly what the practice page will show.
#[server(endpoint = "preview_markdown")]
pub async fn preview_markdown(text: String) -> Result<String, AppError> {
    let (_, actor) = visitor().await?;
    if actor.user.is_none() {
        return Err(AppError::NotSignedIn);
    }
    if text.chars().count() > super::BODY_MAX {
        return Err(AppError::invalid(
            crate::errors::Field::Body,
            crate::errors::Problem::TooLong {
                max: super::BODY_MAX as u32,
            },
        ));
    }
    Ok(crate::ui::markdown::to_safe_html(&text))
}
