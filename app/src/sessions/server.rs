//! Server functions of the sessions area: parse, authorize (in the domain,
//! through `authz`), call the domain, map errors.

// The scheduling form posts its fields one by one (progressive enhancement);
// the generated client function cannot carry a per-item allow.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{HoursView, LiveState, NetworkSessions, SessionSummary, SessionView};
use crate::errors::AppError;

#[cfg(feature = "ssr")]
use super::{Answer, domain, feeds, rsvp};
#[cfg(feature = "ssr")]
use crate::networks::signed_in;

#[cfg(feature = "ssr")]
fn parse_answer(raw: &str) -> Result<Answer, AppError> {
    Answer::parse(raw).ok_or(AppError::invalid(
        crate::errors::Field::Message,
        crate::errors::Problem::Malformed,
    ))
}

#[cfg(feature = "ssr")]
const FRESH_FEED_KEY: &str = "fresh_feed";

/// The "/sessions" overview: upcoming meetings and the calendar feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySessions {
    pub upcoming: Vec<(String, SessionSummary)>,
    /// When the current feed link was made (None: no link yet).
    pub feed_made: Option<String>,
    /// A feed link made just now: shown this once.
    pub fresh_feed: Option<String>,
    /// With it, each of the person's networks' feeds (same secret):
    /// (network name, link).
    pub fresh_network_feeds: Vec<(String, String)>,
}

#[server(name = LoadMySessions, endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<MySessions, AppError> {
    let (st, person, actor) = signed_in().await?;
    let fresh = crate::accounts::auth::session()
        .await?
        .remove::<String>(FRESH_FEED_KEY)
        .await?;
    let root = st.settings.base_url.as_str().trim_end_matches('/').to_owned();
    let fresh_network_feeds = match &fresh {
        Some(t) => crate::networks::domain::my_networks(&st.db, &actor)
            .await?
            .into_iter()
            .map(|n| (n.name, format!("{root}/calendar/{t}/networks/{}.ics", n.slug)))
            .collect(),
        None => Vec::new(),
    };
    Ok(MySessions {
        upcoming: domain::my_upcoming(&st.db, &actor).await?,
        feed_made: feeds::token_made_at(&st.db, person.id).await?,
        fresh_feed: fresh.map(|t| format!("{root}/calendar/{t}.ics")),
        fresh_network_feeds,
    })
}

#[server(endpoint = "new_feed_link")]
pub async fn new_feed_link() -> Result<(), AppError> {
    let (st, person, _) = signed_in().await?;
    let token = feeds::regenerate(&st.db, person.id).await?;
    crate::accounts::auth::session()
        .await?
        .insert(FRESH_FEED_KEY, token)
        .await?;
    leptos_axum::redirect("/sessions#feed");
    Ok(())
}

#[server(name = LoadNetworkSessions, endpoint = "network_sessions")]
pub async fn network_sessions(slug: String) -> Result<NetworkSessions, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::network_sessions(&st.db, &actor, &slug).await
}

/// What the scheduling form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleForm {
    pub slug: String,
    pub name: String,
    pub methods: Vec<(i64, String)>,
    /// Networks that may be invited as guests (all others, by name).
    pub other_networks: Vec<(i64, String)>,
}

#[server(name = LoadScheduleForm, endpoint = "schedule_form")]
pub async fn schedule_form(slug: String, english: bool) -> Result<ScheduleForm, AppError> {
    use crate::authz::{Action, ResourceKind, Target, Visibility};
    let (st, _, actor) = signed_in().await?;
    let net = crate::networks::domain::find_by_slug(&st.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::authz::check(
        &actor,
        Action::Create,
        Target::Resource {
            network: net.id,
            kind: ResourceKind::Session,
            visibility: Visibility::Network,
            author: None,
        },
    )?;
    let methods = super::methods::for_network(&st.db, &actor, net.id, english)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let other_networks = {
        use crate::networks::entity::network;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
        network::Entity::find()
            .select_only()
            .columns([network::Column::Id, network::Column::Name])
            .filter(network::Column::Id.ne(net.id))
            .order_by_asc(network::Column::Name)
            .into_tuple()
            .all(&st.db)
            .await?
    };
    Ok(ScheduleForm {
        slug: net.slug,
        name: net.name,
        methods,
        other_networks,
    })
}

#[server(endpoint = "schedule_session")]
pub async fn schedule_session(
    slug: String,
    title: String,
    kind: String,
    day: String,
    start: String,
    end: String,
    #[server(default)] zone: String,
    #[server(default)] place: String,
    #[server(default)] online_link: String,
    #[server(default)] capacity: String,
    #[server(default)] agenda: String,
    #[server(default)] method: String,
    #[server(default)] repeat: String,
    #[server(default)] last_day: String,
    #[server(default)] exceptions: String,
    #[server(default)] guests: Vec<i64>,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let raw = domain::RawSession {
        title,
        kind,
        day,
        start,
        end,
        zone,
        place,
        online_link,
        capacity,
        agenda,
        method,
        guests,
        repeat,
        last_day,
        exceptions,
    };
    let result = async {
        let net = crate::networks::domain::find_by_slug(&st.db, &slug)
            .await?
            .ok_or(AppError::NotFound)?;
        let input = domain::parse_input(&raw)?;
        domain::schedule(&st.db, &actor, net.id, input).await
    }
    .await;
    match result {
        Ok(done) => {
            leptos_axum::redirect(&format!("/sessions/{}?done=scheduled", done.first_session));
            Ok(())
        }
        Err(err) => {
            let guests = raw
                .guests
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let mut keep = raw.form_values();
            keep.push(("guests", &guests));
            crate::ui::form::keep_on_failure::<ScheduleSession>(&err, &keep);
            Err(err)
        }
    }
}

/// A meeting's stored values, as the edit form shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormValues {
    pub title: String,
    pub kind: String,
    pub day: String,
    pub start: String,
    pub end: String,
    pub zone: String,
    pub place: String,
    pub online_link: String,
    pub capacity: String,
    pub agenda: String,
    pub method: String,
}

/// What the edit form needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditForm {
    pub id: i64,
    pub in_series: bool,
    pub values: FormValues,
    pub methods: Vec<(i64, String)>,
}

#[server(name = LoadEditForm, endpoint = "edit_form")]
pub async fn edit_form(id: i64, english: bool) -> Result<EditForm, AppError> {
    let (st, _, actor) = signed_in().await?;
    let (raw, network_id, in_series) = domain::edit_values(&st.db, &actor, id).await?;
    let methods = super::methods::for_network(&st.db, &actor, network_id, english)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    Ok(EditForm {
        id,
        in_series,
        values: FormValues {
            title: raw.title,
            kind: raw.kind,
            day: raw.day,
            start: raw.start,
            end: raw.end,
            zone: raw.zone,
            place: raw.place,
            online_link: raw.online_link,
            capacity: raw.capacity,
            agenda: raw.agenda,
            method: raw.method,
        },
        methods,
    })
}

#[server(endpoint = "edit_session")]
pub async fn edit_session(
    id: i64,
    #[server(default)] scope: String,
    title: String,
    kind: String,
    day: String,
    start: String,
    end: String,
    #[server(default)] zone: String,
    #[server(default)] place: String,
    #[server(default)] online_link: String,
    #[server(default)] capacity: String,
    #[server(default)] agenda: String,
    #[server(default)] method: String,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let raw = domain::RawSession {
        title,
        kind,
        day,
        start,
        end,
        zone,
        place,
        online_link,
        capacity,
        agenda,
        method,
        ..Default::default()
    };
    let which = if scope == "following" {
        domain::Scope::ThisAndFollowing
    } else {
        domain::Scope::This
    };
    let result = async {
        let input = domain::parse_input(&raw)?;
        domain::edit(&st.db, &actor, id, input, which).await
    }
    .await;
    match result {
        Ok(_) => {
            back(id, "edited");
            Ok(())
        }
        Err(err) => {
            let mut keep = raw.form_values();
            keep.push(("scope", &scope));
            crate::ui::form::keep_on_failure::<EditSession>(&err, &keep);
            Err(err)
        }
    }
}

#[server(endpoint = "session_page")]
pub async fn session_page(id: i64, english: bool) -> Result<SessionView, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::session_view(&st.db, &actor, id, english).await
}

#[cfg(feature = "ssr")]
fn back(id: i64, done: &str) {
    leptos_axum::redirect(&format!("/sessions/{id}?done={done}"));
}

#[server(endpoint = "answer_session")]
pub async fn answer_session(id: i64, answer: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    rsvp::answer_session(&st.db, &actor, id, parse_answer(&answer)?).await?;
    back(id, "answered");
    Ok(())
}

#[server(endpoint = "answer_series")]
pub async fn answer_series(id: i64, series: i64, answer: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    rsvp::answer_series(&st.db, &actor, series, parse_answer(&answer)?).await?;
    back(id, "answered_series");
    Ok(())
}

#[server(endpoint = "follow_series")]
pub async fn follow_series(id: i64) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    rsvp::follow_series(&st.db, &actor, id).await?;
    back(id, "answered");
    Ok(())
}

#[server(endpoint = "cancel_session")]
pub async fn cancel_session(id: i64, scope: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let scope = if scope == "following" {
        domain::Scope::ThisAndFollowing
    } else {
        domain::Scope::This
    };
    domain::cancel(&st.db, &actor, id, scope).await?;
    back(id, "cancelled");
    Ok(())
}

#[server(endpoint = "live_command")]
pub async fn live_command(id: i64, command: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let command = domain::LiveCommand::parse(&command).ok_or(AppError::invalid(
        crate::errors::Field::Method,
        crate::errors::Problem::Malformed,
    ))?;
    domain::live(&st.db, &actor, id, command).await?;
    leptos_axum::redirect(&format!("/sessions/{id}#live"));
    Ok(())
}

/// Polled by the live-mode island.
#[server(name = LoadLiveState, endpoint = "live_state")]
pub async fn live_state(id: i64) -> Result<LiveState, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::live_state(&st.db, &actor, id).await
}

#[server(endpoint = "record_attendance")]
pub async fn record_attendance(
    id: i64,
    #[server(default)] present: Vec<i64>,
    #[server(default)] minutes: String,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    match domain::record_attendance(&st.db, &actor, id, &present, &minutes).await {
        Ok(()) => {
            back(id, "attendance");
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<RecordAttendance>(&err, &[("minutes", &minutes)]);
            Err(err)
        }
    }
}

#[server(endpoint = "my_hours")]
pub async fn my_hours(year: Option<i32>) -> Result<HoursView, AppError> {
    let (st, person, _) = signed_in().await?;
    domain::hours(&st.db, &person, year).await
}

/// A network's intervision methods (shipped ones and its own copies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkMethods {
    pub slug: String,
    pub name: String,
    pub may_edit: bool,
    pub methods: Vec<super::MethodView>,
}

#[server(name = LoadNetworkMethods, endpoint = "network_methods")]
pub async fn network_methods(slug: String, english: bool) -> Result<NetworkMethods, AppError> {
    use crate::authz::{Action, Target};
    let (st, _, actor) = signed_in().await?;
    let net = crate::networks::domain::find_by_slug(&st.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let methods = super::methods::for_network(&st.db, &actor, net.id, english).await?;
    let may_edit = crate::authz::check(&actor, Action::EditMethods, Target::Network(net.id)).is_ok();
    Ok(NetworkMethods {
        slug: net.slug,
        name: net.name,
        may_edit,
        methods,
    })
}

#[server(endpoint = "copy_method")]
pub async fn copy_method(slug: String, method: i64) -> Result<(), AppError> {
    let (st, person, actor) = signed_in().await?;
    let net = crate::networks::domain::find_by_slug(&st.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let english = person.locale.as_deref() == Some("en");
    let id = super::methods::copy(&st.db, &actor, net.id, method, english).await?;
    leptos_axum::redirect(&format!("/networks/{slug}/methods/{id}?done=copied"));
    Ok(())
}

/// One phase as the method form posts it (`phases[i][name]`, …,
/// `phases[i][who][j]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub guidance: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub who: Vec<String>,
}

/// Phases with an empty name are dropped (that is how one is removed).
#[cfg(feature = "ssr")]
fn parse_phases(phases: &[PhaseForm]) -> Result<Vec<super::PhaseView>, AppError> {
    use crate::errors::{Field, Problem};
    phases
        .iter()
        .filter(|p| !p.name.trim().is_empty())
        .map(|p| {
            let minutes = p
                .minutes
                .trim()
                .parse::<u32>()
                .map_err(|_| AppError::invalid(Field::PhaseMinutes, Problem::Malformed))?;
            Ok(super::PhaseView {
                name: p.name.trim().to_owned(),
                guidance: p.guidance.trim().to_owned(),
                minutes,
                contributors: p.who.clone(),
            })
        })
        .collect()
}

#[server(endpoint = "save_method")]
pub async fn save_method(
    slug: String,
    id: i64,
    name: String,
    #[server(default)] summary: String,
    #[server(default)] phases: Vec<PhaseForm>,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let result = async {
        let parsed = parse_phases(&phases)?;
        super::methods::update(&st.db, &actor, id, &name, &summary, parsed).await
    }
    .await;
    match result {
        Ok(()) => {
            leptos_axum::redirect(&format!("/networks/{slug}/methods?done=saved"));
            Ok(())
        }
        Err(err) => {
            // Everything typed comes back, phase by phase.
            let mut keep: Vec<(String, String)> =
                vec![("name".into(), name.clone()), ("summary".into(), summary.clone())];
            for (i, p) in phases.iter().enumerate() {
                keep.push((format!("p{i}.name"), p.name.clone()));
                keep.push((format!("p{i}.guidance"), p.guidance.clone()));
                keep.push((format!("p{i}.minutes"), p.minutes.clone()));
                keep.push((format!("p{i}.who"), p.who.join(",")));
            }
            keep.push(("phases".into(), phases.len().to_string()));
            let pairs: Vec<(&str, &str)> = keep.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            crate::ui::form::keep_on_failure::<SaveMethod>(&err, &pairs);
            Err(err)
        }
    }
}
