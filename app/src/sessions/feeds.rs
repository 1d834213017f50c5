//! Calendar feeds: a secret URL per person (only its SHA-256 is stored;
//! making a new one retires the old), served without a browser session so
//! Outlook, Google and Apple calendars can subscribe; a network's feed for
//! its members (reached with the same personal secret); and one session as
//! an .ics download. UIDs come from the session id, so they stay the same
//! whatever the URL.

use std::collections::{HashMap, HashSet};

use chrono::DateTime;
use chrono::{Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Select,
    Set,
};

use super::Answer;
use super::entity::{calendar_token, guest_network, rsvp, session};
use super::ical::{self, FeedEvent};
use crate::accounts::entity::user;
use crate::authz::{self, Action, Actor};
use crate::errors::AppError;
use crate::networks::entity::network;
use crate::networks::members::{hash_token, new_token};

/// Past meetings stay in a feed this long (calendars keep history).
pub const FEED_HISTORY_DAYS: i64 = 180;

/// Makes (or remakes) a person's feed secret and returns it: shown once.
pub async fn regenerate<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<String, AppError> {
    let token = new_token();
    calendar_token::Entity::delete_by_id(user_id).exec(db).await?;
    calendar_token::Entity::insert(calendar_token::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(hash_token(&token)),
        created_at: Set(Utc::now()),
    })
    .exec(db)
    .await?;
    Ok(token)
}

/// When the person's current feed secret was made, if there is one.
pub async fn token_made_at<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<Option<String>, AppError> {
    Ok(calendar_token::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|t| t.created_at.format("%d/%m/%Y").to_string()))
}

/// The person a feed secret belongs to, with their memberships.
pub async fn actor_for_token<C: ConnectionTrait>(
    db: &C,
    token: &str,
) -> Result<(user::Model, Actor), AppError> {
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let t = calendar_token::Entity::find()
        .filter(calendar_token::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let person = user::Entity::find_by_id(t.user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = crate::networks::domain::actor_for(db, Some(&person)).await?;
    Ok((person, actor))
}

fn base(base_url: &url::Url) -> String {
    base_url.as_str().trim_end_matches('/').to_owned()
}

/// The columns of a session a feed shows: reading only these keeps a feed of
/// hundreds of meetings within its time budget (row decoding dominates).
#[derive(Debug, Clone, FromQueryResult)]
struct FeedRow {
    id: i64,
    network_id: i64,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    zone: String,
    place: String,
    online_link: String,
    agenda: String,
    cancelled_at: Option<DateTime<Utc>>,
    sequence: i32,
    updated_at: DateTime<Utc>,
}

impl From<session::Model> for FeedRow {
    fn from(s: session::Model) -> Self {
        FeedRow {
            id: s.id,
            network_id: s.network_id,
            title: s.title,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            zone: s.zone,
            place: s.place,
            online_link: s.online_link,
            agenda: s.agenda,
            cancelled_at: s.cancelled_at,
            sequence: s.sequence,
            updated_at: s.updated_at,
        }
    }
}

async fn feed_rows<C: ConnectionTrait>(
    db: &C,
    query: Select<session::Entity>,
) -> Result<Vec<FeedRow>, AppError> {
    use session::Column as C;
    Ok(query
        .select_only()
        .columns([
            C::Id,
            C::NetworkId,
            C::Title,
            C::StartsAt,
            C::EndsAt,
            C::Zone,
            C::Place,
            C::OnlineLink,
            C::Agenda,
            C::CancelledAt,
            C::Sequence,
            C::UpdatedAt,
        ])
        .into_model::<FeedRow>()
        .all(db)
        .await?)
}

fn event(s: &FeedRow, network_name: &str, base_url: &str, host: &str) -> FeedEvent {
    let mut description = network_name.to_owned();
    if !s.agenda.is_empty() {
        description.push_str("\n\n");
        description.extend(s.agenda.chars().take(2_000));
    }
    FeedEvent {
        uid: format!("session-{}@{host}", s.id),
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        zone: super::domain::zone_of(&s.zone),
        title: s.title.clone(),
        description,
        location: (!s.place.is_empty()).then(|| s.place.clone()),
        online_link: (!s.online_link.is_empty()).then(|| s.online_link.clone()),
        url: format!("{base_url}/sessions/{}", s.id),
        cancelled: s.cancelled_at.is_some(),
        sequence: s.sequence.max(0) as u32,
        updated_at: s.updated_at,
    }
}

async fn render<C: ConnectionTrait>(
    db: &C,
    name: &str,
    sessions: &[FeedRow],
    base_url: &url::Url,
) -> Result<String, AppError> {
    let names: HashMap<i64, String> = network::Entity::find()
        .select_only()
        .column(network::Column::Id)
        .column(network::Column::Name)
        .filter(network::Column::Id.is_in(sessions.iter().map(|s| s.network_id).collect::<HashSet<_>>()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let host = base_url.host_str().unwrap_or("kring").to_owned();
    let root = base(base_url);
    let events: Vec<FeedEvent> = sessions
        .iter()
        .map(|s| {
            event(
                s,
                names.get(&s.network_id).map(String::as_str).unwrap_or(""),
                &root,
                &host,
            )
        })
        .collect();
    Ok(ical::render(name, &events))
}

/// Sessions of every network the person belongs to (and those their
/// networks are guests of), minus the meetings they said they skip.
pub async fn personal<C: ConnectionTrait>(
    db: &C,
    token: &str,
    base_url: &url::Url,
) -> Result<String, AppError> {
    let (person, actor) = actor_for_token(db, token).await?;
    let networks: Vec<i64> = actor.roles.keys().copied().collect();
    let sessions = if networks.is_empty() {
        Vec::new()
    } else {
        let guest_of: Vec<i64> = guest_network::Entity::find()
            .select_only()
            .column(guest_network::Column::SessionId)
            .filter(guest_network::Column::NetworkId.is_in(networks.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        let declined: HashSet<i64> = rsvp::Entity::find()
            .select_only()
            .column(rsvp::Column::SessionId)
            .filter(rsvp::Column::UserId.eq(person.id))
            .filter(rsvp::Column::Answer.eq(Answer::NotGoing.as_str()))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        feed_rows(
            db,
            session::Entity::find()
                .filter(
                    session::Column::NetworkId
                        .is_in(networks.iter().copied())
                        .or(session::Column::Id.is_in(guest_of)),
                )
                .filter(session::Column::EndsAt.gte(Utc::now() - Duration::days(FEED_HISTORY_DAYS)))
                .order_by_asc(session::Column::StartsAt),
        )
        .await?
        .into_iter()
        .filter(|s| !declined.contains(&s.id))
        .collect()
    };
    render(
        db,
        &format!("Kring · {}", person.display_name),
        &sessions,
        base_url,
    )
    .await
}

/// All sessions of one network, for its members (and guests it invited).
pub async fn network<C: ConnectionTrait>(
    db: &C,
    token: &str,
    slug: &str,
    base_url: &url::Url,
) -> Result<String, AppError> {
    let (_, actor) = actor_for_token(db, token).await?;
    let net = network::Entity::find()
        .filter(network::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !authz::may_on_session(&actor, Action::Read, net.id, &[]) {
        return Err(AppError::NotFound);
    }
    let sessions = feed_rows(
        db,
        session::Entity::find()
            .filter(session::Column::NetworkId.eq(net.id))
            .filter(session::Column::EndsAt.gte(Utc::now() - Duration::days(FEED_HISTORY_DAYS)))
            .order_by_asc(session::Column::StartsAt),
    )
    .await?;
    render(db, &format!("Kring · {}", net.name), &sessions, base_url).await
}

/// One session as an .ics file (for someone signed in who may read it).
pub async fn single<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    session_id: i64,
    base_url: &url::Url,
) -> Result<String, AppError> {
    let (s, guests) = super::domain::load(db, session_id).await?;
    if !authz::may_on_session(actor, Action::Read, s.network_id, &guests) {
        return Err(AppError::NotFound);
    }
    let title = s.title.clone();
    render(db, &title, &[FeedRow::from(s)], base_url).await
}
