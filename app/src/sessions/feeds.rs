//! Calendar feeds: a secret URL per person (only its SHA-256 is stored;
//! making a new one retires the old), served without a browser session so
//! Outlook, Google and Apple calendars can subscribe; a network's feed for
//! its members (reached with the same personal secret); and one session as
//! an .ics download. UIDs come from the session id, so they stay the same
//! whatever the URL.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

/// Past meetings leave a feed at the start of a UTC day, so that the same
/// data gives the same feed (and the same ETag) all day long.
fn feed_cutoff() -> DateTime<Utc> {
    let day = (Utc::now() - Duration::days(FEED_HISTORY_DAYS)).date_naive();
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Who a personal feed is for and which sessions it draws from.
struct PersonalScope {
    person: user::Model,
    networks: Vec<i64>,
    guest_of: Vec<i64>,
    cutoff: DateTime<Utc>,
}

async fn personal_scope<C: ConnectionTrait>(db: &C, token: &str) -> Result<PersonalScope, AppError> {
    let (person, actor) = actor_for_token(db, token).await?;
    let mut networks: Vec<i64> = actor.roles.keys().copied().collect();
    networks.sort_unstable();
    let mut guest_of: Vec<i64> = if networks.is_empty() {
        Vec::new()
    } else {
        guest_network::Entity::find()
            .select_only()
            .column(guest_network::Column::SessionId)
            .filter(guest_network::Column::NetworkId.is_in(networks.iter().copied()))
            .into_tuple()
            .all(db)
            .await?
    };
    guest_of.sort_unstable();
    Ok(PersonalScope {
        person,
        networks,
        guest_of,
        cutoff: feed_cutoff(),
    })
}

impl PersonalScope {
    fn sessions(&self) -> Select<session::Entity> {
        session::Entity::find()
            .filter(
                session::Column::NetworkId
                    .is_in(self.networks.iter().copied())
                    .or(session::Column::Id.is_in(self.guest_of.iter().copied())),
            )
            .filter(session::Column::EndsAt.gte(self.cutoff))
    }

    fn declined(&self) -> Select<rsvp::Entity> {
        rsvp::Entity::find()
            .filter(rsvp::Column::UserId.eq(self.person.id))
            .filter(rsvp::Column::Answer.eq(Answer::NotGoing.as_str()))
    }
}

async fn render_personal<C: ConnectionTrait>(
    db: &C,
    scope: &PersonalScope,
    base_url: &url::Url,
) -> Result<String, AppError> {
    let sessions = if scope.networks.is_empty() {
        Vec::new()
    } else {
        let declined: HashSet<i64> = scope
            .declined()
            .select_only()
            .column(rsvp::Column::SessionId)
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        feed_rows(db, scope.sessions().order_by_asc(session::Column::StartsAt))
            .await?
            .into_iter()
            .filter(|s| !declined.contains(&s.id))
            .collect()
    };
    render(
        db,
        &format!("Kring · {}", scope.person.display_name),
        &sessions,
        base_url,
    )
    .await
}

/// Sessions of every network the person belongs to (and those their
/// networks are guests of), minus the meetings they said they skip.
pub async fn personal<C: ConnectionTrait>(
    db: &C,
    token: &str,
    base_url: &url::Url,
) -> Result<String, AppError> {
    let scope = personal_scope(db, token).await?;
    render_personal(db, &scope, base_url).await
}

/// [`personal`], rendered again only when something it shows has changed.
pub async fn personal_cached<C: ConnectionTrait>(
    db: &C,
    cache: &FeedCache,
    token: &str,
    base_url: &url::Url,
) -> Result<Arc<Feed>, AppError> {
    let scope = personal_scope(db, token).await?;
    let sessions = aggregate(
        db,
        scope.sessions(),
        session::Column::Id,
        session::Column::UpdatedAt,
    )
    .await?;
    let declined = aggregate(
        db,
        scope.declined(),
        rsvp::Column::SessionId,
        rsvp::Column::UpdatedAt,
    )
    .await?;
    let fingerprint = format!(
        "person {}|{}|networks {:?}|from {}|sessions {sessions}|declined {declined}|names {}|{base_url}",
        scope.person.id,
        scope.person.display_name,
        scope.networks,
        scope.cutoff,
        names_changed(db).await?,
    );
    cache
        .get_or_render(FeedKey::Person(scope.person.id), fingerprint, || {
            render_personal(db, &scope, base_url)
        })
        .await
}

/// The network a network feed is for, if the secret's owner may read it.
async fn network_scope<C: ConnectionTrait>(
    db: &C,
    token: &str,
    slug: &str,
) -> Result<network::Model, AppError> {
    let (_, actor) = actor_for_token(db, token).await?;
    let net = network::Entity::find()
        .filter(network::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !authz::may_on_session(&actor, Action::Read, net.id, &[]) {
        return Err(AppError::NotFound);
    }
    Ok(net)
}

fn network_sessions(net: &network::Model, cutoff: DateTime<Utc>) -> Select<session::Entity> {
    session::Entity::find()
        .filter(session::Column::NetworkId.eq(net.id))
        .filter(session::Column::EndsAt.gte(cutoff))
}

async fn render_network<C: ConnectionTrait>(
    db: &C,
    net: &network::Model,
    cutoff: DateTime<Utc>,
    base_url: &url::Url,
) -> Result<String, AppError> {
    let sessions = feed_rows(
        db,
        network_sessions(net, cutoff).order_by_asc(session::Column::StartsAt),
    )
    .await?;
    render(db, &format!("Kring · {}", net.name), &sessions, base_url).await
}

/// All sessions of one network, for its members (and guests it invited).
pub async fn network<C: ConnectionTrait>(
    db: &C,
    token: &str,
    slug: &str,
    base_url: &url::Url,
) -> Result<String, AppError> {
    let net = network_scope(db, token, slug).await?;
    render_network(db, &net, feed_cutoff(), base_url).await
}

/// [`network`], rendered again only when something it shows has changed.
pub async fn network_cached<C: ConnectionTrait>(
    db: &C,
    cache: &FeedCache,
    token: &str,
    slug: &str,
    base_url: &url::Url,
) -> Result<Arc<Feed>, AppError> {
    let net = network_scope(db, token, slug).await?;
    let cutoff = feed_cutoff();
    let sessions = aggregate(
        db,
        network_sessions(&net, cutoff),
        session::Column::Id,
        session::Column::UpdatedAt,
    )
    .await?;
    let fingerprint = format!(
        "network {}|{}|{}|from {cutoff}|sessions {sessions}|{base_url}",
        net.id, net.name, net.updated_at,
    );
    cache
        .get_or_render(FeedKey::Network(net.id), fingerprint, || {
            render_network(db, &net, cutoff, base_url)
        })
        .await
}

/// Count, sum of ids and latest change of the rows a query selects: one
/// cheap aggregate that changes whenever a row is added, removed or edited
/// (every edit of a session or an answer stamps `updated_at`).
async fn aggregate<C, E>(
    db: &C,
    query: Select<E>,
    id: E::Column,
    updated_at: E::Column,
) -> Result<String, AppError>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
    let (count, ids, last): (i64, Option<i64>, Option<String>) = query
        .select_only()
        .column_as(Expr::col(id).count(), "n")
        .column_as(
            SimpleExpr::from(Func::cast_as(Func::sum(Expr::col(id)), Alias::new("bigint"))),
            "ids",
        )
        .column_as(
            SimpleExpr::from(Func::cast_as(
                Func::max(Expr::col(updated_at)),
                Alias::new("text"),
            )),
            "last",
        )
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, None, None));
    Ok(format!(
        "{count}/{}/{}",
        ids.unwrap_or(0),
        last.unwrap_or_default()
    ))
}

/// The latest change to any network (their names appear in every event).
async fn names_changed<C: ConnectionTrait>(db: &C) -> Result<String, AppError> {
    use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
    let last: Option<Option<String>> = network::Entity::find()
        .select_only()
        .column_as(
            SimpleExpr::from(Func::cast_as(
                Func::max(Expr::col(network::Column::UpdatedAt)),
                Alias::new("text"),
            )),
            "last",
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().unwrap_or_default())
}

/// Which feed a cached rendering is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedKey {
    Person(i64),
    Network(i64),
}

/// A rendered feed and its ETag.
#[derive(Debug)]
pub struct Feed {
    pub body: String,
    /// A strong validator, quoted as HTTP wants it.
    pub etag: String,
    fingerprint: String,
}

#[derive(Clone)]
struct FeedBytes;

impl quick_cache::Weighter<FeedKey, Arc<Feed>> for FeedBytes {
    fn weight(&self, _key: &FeedKey, feed: &Arc<Feed>) -> u64 {
        (feed.body.len() + feed.fingerprint.len()).max(1) as u64
    }
}

/// Rendered feeds, kept while nothing they show has changed. Calendar apps
/// poll the same feed again and again; a feed of hundreds of meetings costs
/// milliseconds to decode and render, checking that it is still current a
/// few small aggregate queries. The fingerprint (not a timer) decides, so a
/// change is in the next response, and every server node keeps its own.
pub struct FeedCache {
    feeds: quick_cache::sync::Cache<FeedKey, Arc<Feed>, FeedBytes>,
}

impl FeedCache {
    /// A cache of at most `max_bytes` of rendered calendars.
    pub fn new(max_bytes: u64) -> Self {
        FeedCache {
            feeds: quick_cache::sync::Cache::with_weighter(1_000, max_bytes, FeedBytes),
        }
    }

    async fn get_or_render<F, Fut>(
        &self,
        key: FeedKey,
        fingerprint: String,
        render: F,
    ) -> Result<Arc<Feed>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<String, AppError>>,
    {
        if let Some(hit) = self.feeds.get(&key)
            && hit.fingerprint == fingerprint
        {
            return Ok(hit);
        }
        let body = render().await?;
        let etag = {
            use sha2::{Digest, Sha256};
            let digest = Sha256::digest(format!("{}|{fingerprint}", env!("CARGO_PKG_VERSION")).as_bytes());
            let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
            format!("\"{hex}\"")
        };
        let feed = Arc::new(Feed {
            body,
            etag,
            fingerprint,
        });
        self.feeds.insert(key, feed.clone());
        Ok(feed)
    }
}

impl Default for FeedCache {
    /// 64 MB: some 250 feeds of 500 meetings, or thousands of usual ones.
    fn default() -> Self {
        FeedCache::new(64 * 1024 * 1024)
    }
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
