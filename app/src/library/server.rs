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

/// The editor's fields as posted: the domain's input, and what the form
/// gets back when the save fails (themes as their keys, comma-separated).
/// Themes come as indexed checkboxes (`themes[i]`), municipalities as one
/// comma-separated line.
#[cfg(feature = "ssr")]
fn posted(
    title: String,
    summary: String,
    body: String,
    themes: Vec<String>,
    municipalities: String,
    organisation: String,
    contact: String,
    visibility: String,
) -> (PracticeInput, Vec<(&'static str, String)>) {
    let input = PracticeInput {
        themes: themes.iter().filter_map(|t| Theme::parse(t)).collect(),
        municipalities: municipalities
            .split([',', ';', '\n'])
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        public: visibility == "public",
        title: title.clone(),
        summary: summary.clone(),
        body_markdown: body.clone(),
        organisation: organisation.clone(),
        contact: contact.clone(),
    };
    let theme_keys: Vec<String> = input.themes.iter().map(|t| t.key()).collect();
    let keep = vec![
        ("title", title),
        ("summary", summary),
        ("body", body),
        ("themes", theme_keys.join(",")),
        ("municipalities", municipalities),
        ("organisation", organisation),
        ("contact", contact),
        ("visibility", visibility),
    ];
    (input, keep)
}

#[cfg(feature = "ssr")]
fn fail_keeping<S: leptos::server_fn::ServerFn>(err: AppError, keep: &[(&str, String)]) -> AppError {
    let keep: Vec<(&str, &str)> = keep.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fail::<S>(err, &keep)
}

/// A practice page.
#[server(name = LoadPractice, endpoint = "practice")]
pub async fn practice(slug: String) -> Result<PracticeView, AppError> {
    let (st, actor) = visitor().await?;
    let mut view = domain::view(&st.db, &actor, &slug).await?;
    // Related practices: the index's neighbours of what was just read.
    let doc = crate::search::index::IndexDoc {
        kind: crate::search::HitKind::Practice,
        id: view.id,
        slug: view.slug.clone(),
        title: view.title.clone(),
        summary: view.summary.clone(),
        body: String::new(),
        themes: view.themes.iter().map(|t| t.name().to_owned()).collect(),
        municipalities: Vec::new(),
        organisation: view.organisation.clone(),
        public: view.public,
        network: None,
    };
    let scope = crate::search::index::Scope::for_actor(&actor);
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
    /// Promoted from a case: the writer is asked to check it once more.
    pub from_case: bool,
    pub networks: Vec<(String, String)>,
    pub may_write_public_only: bool,
    pub preview_html: String,
}

/// A closed case becomes a draft practice; its editor opens.
#[server(endpoint = "promote_case")]
pub async fn promote_case(id: i64, #[server(default)] english: String) -> Result<(), AppError> {
    let (st, actor) = visitor().await?;
    if actor.user.is_none() {
        return Err(AppError::NotSignedIn);
    }
    let locale = if english == "true" {
        crate::i18n::Locale::en
    } else {
        crate::i18n::Locale::nl
    };
    match domain::promote(&st.db, &actor, id, locale).await {
        Ok(slug) => {
            leptos_axum::redirect(&format!("/library/{slug}/edit"));
            Ok(())
        }
        Err(err) => Err(fail::<PromoteCase>(err, &[])),
    }
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
            let (input, revision, draft, from_case) = domain::editor(&st.db, &actor, &slug).await?;
            let preview_html = crate::ui::markdown::to_safe_html(&input.body_markdown);
            Ok(EditorData {
                slug: Some(slug),
                input,
                revision,
                draft,
                from_case,
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
                from_case: false,
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
    let (input, mut keep) = posted(
        title,
        summary,
        body,
        themes,
        municipalities,
        organisation,
        contact,
        visibility,
    );
    keep.push(("network", network.clone()));
    let (st, actor) = visitor().await?;
    if actor.user.is_none() {
        return Err(AppError::NotSignedIn);
    }
    let network = (!network.is_empty()).then_some(network.as_str());
    match domain::create(&st.db, &actor, network, &input).await {
        Ok(slug) => {
            leptos_axum::redirect(&format!("/library/{slug}"));
            Ok(())
        }
        Err(err) => Err(fail_keeping::<CreatePractice>(err, &keep)),
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
    let (input, keep) = posted(
        title,
        summary,
        body,
        themes,
        municipalities,
        organisation,
        contact,
        visibility,
    );
    let (st, actor) = visitor().await?;
    if actor.user.is_none() {
        return Err(AppError::NotSignedIn);
    }
    match domain::update(&st.db, &actor, &slug, &input, !publish.is_empty()).await {
        Ok(()) => {
            leptos_axum::redirect(&format!("/library/{slug}"));
            Ok(())
        }
        Err(err) => Err(fail_keeping::<UpdatePractice>(err, &keep)),
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
