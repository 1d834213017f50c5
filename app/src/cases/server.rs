//! Server functions of the cases area: parse, authorize (in the domain,
//! through `authz`), call the domain, map errors. Every form posts plainly
//! (works without JavaScript); on failure the person returns to the form
//! with what they typed.

// The editor posts its fields one by one (progressive enhancement).
#![allow(clippy::too_many_arguments)]

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{AuditView, CheckView, EditorView, MyCases, NetworkCases, ReviewView, ThreadView};
use crate::errors::AppError;

#[cfg(feature = "ssr")]
use super::domain;
#[cfg(feature = "ssr")]
use super::text::decisions_from_form;
#[cfg(feature = "ssr")]
use crate::networks::signed_in;

#[cfg(feature = "ssr")]
fn base_url(st: &crate::state::AppState) -> String {
    st.settings.base_url.as_str().trim_end_matches('/').to_owned()
}

/// A failed plain post goes back to its form with what was typed.
#[cfg(feature = "ssr")]
fn fail<S: leptos::server_fn::ServerFn>(err: AppError, keep: &[(&str, &str)]) -> AppError {
    crate::ui::form::keep_on_failure::<S>(&err, keep);
    err
}

#[cfg(feature = "ssr")]
fn optional_id(raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>()
        .map(Some)
        .map_err(|_| AppError::invalid(crate::errors::Field::Session, crate::errors::Problem::Malformed))
}

#[server(name = LoadMyCases, endpoint = "my_cases")]
pub async fn my_cases() -> Result<MyCases, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::my_cases(&st.db, &actor).await
}

#[server(name = LoadNetworkCases, endpoint = "network_cases")]
pub async fn network_cases(slug: String, english: bool) -> Result<NetworkCases, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::network_cases(&st.db, &actor, &slug, english).await
}

#[server(endpoint = "accept_confidentiality")]
pub async fn accept_confidentiality(slug: String, #[server(default)] next: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    match domain::accept_confidentiality(&st.db, &actor, &slug).await {
        Ok(()) => {
            let fallback = format!("/networks/{slug}/cases");
            let next = if next.is_empty() {
                fallback
            } else {
                crate::ui::form::safe_next(Some(&next))
            };
            leptos_axum::redirect(&next);
            Ok(())
        }
        Err(err) => Err(fail::<AcceptConfidentiality>(err, &[])),
    }
}

/// What the new-case form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCaseForm {
    pub slug: String,
    pub name: String,
    pub sessions: Vec<(i64, String)>,
}

#[server(name = LoadNewCaseForm, endpoint = "new_case_form")]
pub async fn new_case_form(slug: String) -> Result<NewCaseForm, AppError> {
    let (st, _, actor) = signed_in().await?;
    let (slug, name, sessions) = domain::new_case_form(&st.db, &actor, &slug).await?;
    Ok(NewCaseForm { slug, name, sessions })
}

#[server(endpoint = "create_case")]
pub async fn create_case(
    slug: String,
    #[server(default)] title: String,
    #[server(default)] body: String,
    #[server(default)] session: String,
    #[server(default)] invites_reflection: String,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let result = async {
        let input = domain::CaseInput {
            title: title.clone(),
            body: body.clone(),
            session_id: optional_id(&session)?,
            invites_reflection: !invites_reflection.is_empty(),
            decisions: Default::default(),
        };
        domain::create_case(&st.db, &actor, &slug, input).await
    }
    .await;
    match result {
        Ok(id) => {
            leptos_axum::redirect(&format!("/cases/{id}/edit?done=saved#findings"));
            Ok(())
        }
        Err(err) => Err(fail::<CreateCase>(
            err,
            &[("title", &title), ("body", &body), ("session", &session)],
        )),
    }
}

#[server(name = LoadCaseEditor, endpoint = "case_editor")]
pub async fn case_editor(id: i64) -> Result<EditorView, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::editor(&st.db, &actor, id).await
}

/// The editor's one form: saves the draft with the decisions, then (for
/// `intent=publish`) publishes it.
#[server(endpoint = "save_case")]
pub async fn save_case(
    id: i64,
    #[server(default)] title: String,
    #[server(default)] body: String,
    #[server(default)] session: String,
    #[server(default)] invites_reflection: String,
    #[server(default)] intent: String,
    #[server(default)] key: HashMap<String, String>,
    #[server(default)] choice: HashMap<String, String>,
    #[server(default)] label: HashMap<String, String>,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let result = async {
        let input = domain::CaseInput {
            title: title.clone(),
            body: body.clone(),
            session_id: optional_id(&session)?,
            invites_reflection: !invites_reflection.is_empty(),
            decisions: decisions_from_form(&key, &choice, &label),
        };
        domain::save_case(&st.db, &actor, id, input).await?;
        if intent == "publish" {
            domain::publish_case(&st.db, &actor, id, &base_url(&st))
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    }
    .await;
    match result {
        Ok(Some(super::CaseStatus::InReview)) => {
            leptos_axum::redirect(&format!("/cases/{id}/edit?done=in_review"));
            Ok(())
        }
        Ok(Some(_)) => {
            leptos_axum::redirect(&format!("/cases/{id}?done=published"));
            Ok(())
        }
        Ok(None) => {
            leptos_axum::redirect(&format!("/cases/{id}/edit?done=saved#findings"));
            Ok(())
        }
        // The draft was saved before publishing failed: nothing is lost.
        Err(err) => Err(fail::<SaveCase>(err, &[("title", &title)])),
    }
}

/// The editor's live check (with JavaScript): autosaves the draft and
/// answers the findings for the text as typed.
#[server(endpoint = "live_check")]
pub async fn live_check(id: i64, title: String, body: String) -> Result<CheckView, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::autosave(&st.db, &actor, id, &title, &body).await?;
    domain::check_text(&st.db, &actor, id, &title, &body).await
}

/// A case page: the thread, or first the network's confidentiality statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CasePageData {
    Thread(Box<ThreadView>),
    Statement {
        slug: String,
        name: String,
        statement: String,
    },
}

#[server(name = LoadCaseThread, endpoint = "case_thread")]
pub async fn case_thread(id: i64, english: bool) -> Result<CasePageData, AppError> {
    let (st, _, actor) = signed_in().await?;
    if let Some((slug, name, statement)) = domain::statement_gate(&st.db, &actor, id, english).await? {
        return Ok(CasePageData::Statement {
            slug,
            name,
            statement,
        });
    }
    Ok(CasePageData::Thread(Box::new(
        domain::thread(&st.db, &actor, id, english).await?,
    )))
}

#[server(endpoint = "post_reply")]
pub async fn post_reply(
    case_id: i64,
    #[server(default)] body: String,
    #[server(default)] phase: String,
    #[server(default)] reflection: String,
    #[server(default)] key: HashMap<String, String>,
    #[server(default)] choice: HashMap<String, String>,
    #[server(default)] label: HashMap<String, String>,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let result = async {
        let phase = match phase.trim() {
            "" => None,
            p => Some(p.parse::<u32>().map_err(|_| AppError::PhaseNotOpen)?),
        };
        let input = domain::ReplyInput {
            body: body.clone(),
            phase,
            reflection: !reflection.is_empty(),
            decisions: decisions_from_form(&key, &choice, &label),
        };
        domain::post_reply(&st.db, &actor, case_id, input, &base_url(&st)).await
    }
    .await;
    match result {
        Ok(domain::ReplyOutcome::Posted(rid)) => {
            leptos_axum::redirect(&format!("/cases/{case_id}?done=replied#post-{rid}"));
            Ok(())
        }
        Ok(domain::ReplyOutcome::NeedsCheck) => {
            leptos_axum::redirect(&format!("/cases/{case_id}?done=check#reply"));
            Ok(())
        }
        Err(err) => Err(fail::<PostReply>(err, &[("body", &body), ("phase", &phase)])),
    }
}

#[server(endpoint = "autosave_reply")]
pub async fn autosave_reply(case_id: i64, body: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::autosave_reply(&st.db, &actor, case_id, &body).await
}

#[server(endpoint = "edit_reply")]
pub async fn edit_reply(
    case_id: i64,
    reply_id: i64,
    #[server(default)] body: String,
    #[server(default)] key: HashMap<String, String>,
    #[server(default)] choice: HashMap<String, String>,
    #[server(default)] label: HashMap<String, String>,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let decisions = decisions_from_form(&key, &choice, &label);
    match domain::edit_reply(&st.db, &actor, reply_id, &body, &decisions).await {
        Ok(_) => {
            leptos_axum::redirect(&format!("/cases/{case_id}?done=edited#post-{reply_id}"));
            Ok(())
        }
        Err(err) => Err(fail::<EditReply>(err, &[("body", &body)])),
    }
}

#[server(endpoint = "react")]
pub async fn react(case_id: i64, #[server(default)] reply_id: i64, reaction: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let result = async {
        let kind = super::Reaction::parse(&reaction).ok_or(AppError::NotFound)?;
        domain::react(&st.db, &actor, case_id, reply_id, kind).await
    }
    .await;
    match result {
        Ok(()) => {
            leptos_axum::redirect(&format!("/cases/{case_id}#post-{reply_id}"));
            Ok(())
        }
        Err(err) => Err(fail::<React>(err, &[])),
    }
}

#[server(endpoint = "report_post")]
pub async fn report_post(
    case_id: i64,
    #[server(default)] reply_id: i64,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let reply = (reply_id != 0).then_some(reply_id);
    match domain::report_post(&st.db, &actor, case_id, reply, &reason, &base_url(&st)).await {
        Ok(()) => {
            leptos_axum::redirect(&format!("/cases/{case_id}?done=reported"));
            Ok(())
        }
        Err(err) => Err(fail::<ReportPost>(err, &[("reason", &reason)])),
    }
}

#[server(endpoint = "close_case")]
pub async fn close_case(id: i64) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    match domain::close_case(&st.db, &actor, id).await {
        Ok(()) => {
            leptos_axum::redirect(&format!("/cases/{id}?done=closed"));
            Ok(())
        }
        Err(err) => Err(fail::<CloseCase>(err, &[])),
    }
}

#[server(endpoint = "delete_case")]
pub async fn delete_case(id: i64) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let result = async {
        let slug = domain::case_network_slug(&st.db, &actor, id).await?;
        domain::delete_case(&st.db, &actor, id).await?;
        Ok::<_, AppError>(slug)
    }
    .await;
    match result {
        Ok(slug) => {
            leptos_axum::redirect(&format!("/networks/{slug}/cases?done=deleted"));
            Ok(())
        }
        Err(err) => Err(fail::<DeleteCase>(err, &[])),
    }
}

#[server(name = LoadCaseHistory, endpoint = "case_history")]
pub async fn case_history(
    id: i64,
    #[server(default)] reply: i64,
) -> Result<Vec<(String, String, String)>, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::history(&st.db, &actor, id, (reply != 0).then_some(reply)).await
}

#[server(name = LoadCaseReview, endpoint = "case_review")]
pub async fn case_review(slug: String, english: bool) -> Result<ReviewView, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::review(&st.db, &actor, &slug, english).await
}

#[server(endpoint = "decide_case_review")]
pub async fn decide_case_review(
    slug: String,
    id: i64,
    decision: String,
    #[server(default)] comment: String,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let approve = decision == "approve";
    match domain::decide_review(&st.db, &actor, id, approve, &comment, &base_url(&st)).await {
        Ok(()) => {
            let done = if approve { "approved" } else { "sent_back" };
            leptos_axum::redirect(&format!("/networks/{slug}/cases/review?done={done}"));
            Ok(())
        }
        Err(err) => Err(fail::<DecideCaseReview>(err, &[("comment", &comment)])),
    }
}

#[server(endpoint = "resolve_case_report")]
pub async fn resolve_case_report(slug: String, id: i64) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    match domain::resolve_report(&st.db, &actor, id).await {
        Ok(()) => {
            leptos_axum::redirect(&format!("/networks/{slug}/cases/review?done=resolved"));
            Ok(())
        }
        Err(err) => Err(fail::<ResolveCaseReport>(err, &[])),
    }
}

#[server(endpoint = "case_settings")]
pub async fn case_settings(
    slug: String,
    #[server(default)] needs_review: String,
    #[server(default)] retention_months: String,
    #[server(default)] statement: String,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let result = domain::update_settings(
        &st.db,
        &actor,
        &slug,
        !needs_review.is_empty(),
        &retention_months,
        &statement,
    )
    .await;
    match result {
        Ok(()) => {
            leptos_axum::redirect(&format!("/networks/{slug}/cases/review?done=settings"));
            Ok(())
        }
        Err(err) => Err(fail::<CaseSettings>(
            err,
            &[("retention_months", &retention_months), ("statement", &statement)],
        )),
    }
}

/// Whether the network's facilitators must use two-step sign-in.
#[server(endpoint = "case_two_factor_rule")]
pub async fn two_factor_rule(slug: String, #[server(default)] required: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    match domain::set_two_factor_rule(&st.db, &actor, &slug, !required.is_empty()).await {
        Ok(()) => {
            leptos_axum::redirect(&format!("/networks/{slug}/cases/review?done=settings"));
            Ok(())
        }
        Err(err) => Err(fail::<TwoFactorRule>(err, &[])),
    }
}

#[server(name = LoadCaseAudit, endpoint = "case_audit")]
pub async fn case_audit(slug: String) -> Result<AuditView, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::audit(&st.db, &actor, &slug).await
}
