//! Scheduling and reading sessions: one meeting or a series (materialised
//! as one row per meeting, so RSVPs, attendance and feeds are plain row
//! queries), editing one meeting or "this and all following", cancelling,
//! the network's list, a session's page, live mode, attendance, minutes and
//! the intervision hours of a person. Every function asks `authz` first.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

use super::entity::{attendance, guest_network, method, rsvp, series, series_rsvp, session};
use super::recurrence::{self, Pattern, RecurrenceError, SeriesRule};
use super::{
    Answer, Attendee, AttendeeGroup, HoursRow, HoursView, LiveState, MyRsvp, NetworkSessions, SessionKind,
    SessionSummary, SessionView,
};
use crate::accounts::entity::user;
use crate::authz::{self, Action, Actor, ResourceKind, Target, Visibility};
use crate::errors::{AppError, Field, Problem};
use crate::networks::entity::{membership, network, organisation};
use crate::ui::markdown::{MARKDOWN_MAX, to_safe_html};

pub const TITLE_MAX: usize = 200;
pub const PLACE_MAX: usize = 300;
pub const LINK_MAX: usize = 500;
pub const CAPACITY_MAX: u32 = 500;
pub const EXCEPTIONS_MAX: usize = 100;

/// How a series repeats, as chosen in the form (derived from the first day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    pub pattern: Pattern,
    pub last_day: NaiveDate,
    pub exceptions: Vec<NaiveDate>,
}

/// A checked session form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInput {
    pub title: String,
    pub kind: SessionKind,
    pub day: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub zone: chrono_tz::Tz,
    pub place: String,
    pub online_link: String,
    pub capacity: Option<u32>,
    pub agenda: String,
    pub method_id: Option<i64>,
    pub guests: Vec<i64>,
    pub repeat: Option<Repeat>,
}

/// The session form as typed (every field a string, as a plain HTML form
/// sends it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSession {
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
    pub guests: Vec<i64>,
    /// none, weekly, biweekly, monthly_nth, monthly_last, monthly_day
    pub repeat: String,
    pub last_day: String,
    pub exceptions: String,
}

impl RawSession {
    /// The typed text by form field name, to give back when the form fails.
    pub fn form_values(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("title", &self.title),
            ("kind", &self.kind),
            ("day", &self.day),
            ("start", &self.start),
            ("end", &self.end),
            ("zone", &self.zone),
            ("place", &self.place),
            ("online_link", &self.online_link),
            ("capacity", &self.capacity),
            ("agenda", &self.agenda),
            ("method", &self.method),
            ("repeat", &self.repeat),
            ("last_day", &self.last_day),
            ("exceptions", &self.exceptions),
        ]
    }
}

fn invalid(field: Field, problem: Problem) -> AppError {
    AppError::invalid(field, problem)
}

fn text(value: &str, field: Field, max: usize, required: bool) -> Result<String, AppError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(invalid(field, Problem::Empty));
    }
    if value.chars().count() > max {
        return Err(invalid(field, Problem::TooLong { max: max as u32 }));
    }
    Ok(value.to_owned())
}

/// "2026-09-01" (what `<input type=date>` sends) or "1/9/2026".
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y"))
        .ok()
}

fn parse_time(s: &str, field: Field) -> Result<NaiveTime, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(invalid(field, Problem::Empty));
    }
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .or_else(|_| NaiveTime::parse_from_str(s, "%H.%M"))
        .map_err(|_| invalid(field, Problem::Malformed))
}

/// http(s) only: a `javascript:` or `file:` link never reaches a calendar.
pub fn check_link(s: &str) -> Result<String, AppError> {
    let s = text(s, Field::OnlineLink, LINK_MAX, false)?;
    if s.is_empty() {
        return Ok(s);
    }
    match url::Url::parse(&s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(s),
        _ => Err(AppError::NotHttpLink),
    }
}

/// The n-th weekday of its month that `day` is (1..=5).
fn nth_of_month(day: NaiveDate) -> i8 {
    ((day.day() - 1) / 7 + 1) as i8
}

/// Checks a typed form; the first problem found is returned.
pub fn parse_input(raw: &RawSession) -> Result<SessionInput, AppError> {
    let title = text(&raw.title, Field::Title, TITLE_MAX, true)?;
    let kind = SessionKind::parse(raw.kind.trim()).ok_or(invalid(Field::SessionKind, Problem::Malformed))?;
    if raw.day.trim().is_empty() {
        return Err(invalid(Field::Day, Problem::Empty));
    }
    let day = parse_day(&raw.day).ok_or(invalid(Field::Day, Problem::Malformed))?;
    let start = parse_time(&raw.start, Field::StartTime)?;
    let end = parse_time(&raw.end, Field::EndTime)?;
    if end <= start {
        return Err(AppError::EndBeforeStart);
    }
    let zone_name = if raw.zone.trim().is_empty() {
        recurrence::DEFAULT_ZONE
    } else {
        raw.zone.trim()
    };
    let zone =
        recurrence::parse_zone(zone_name).map_err(|_| AppError::UnknownTimeZone(zone_name.to_owned()))?;
    let place = text(&raw.place, Field::Place, PLACE_MAX, false)?;
    let online_link = check_link(&raw.online_link)?;
    let capacity = match raw.capacity.trim() {
        "" => None,
        c => {
            let n: i64 = c
                .parse()
                .map_err(|_| invalid(Field::Capacity, Problem::Malformed))?;
            if !(1..=CAPACITY_MAX as i64).contains(&n) {
                return Err(AppError::CapacityOutOfRange { max: CAPACITY_MAX });
            }
            Some(n as u32)
        }
    };
    let agenda = text(&raw.agenda, Field::Agenda, MARKDOWN_MAX, false)?;
    let method_id = match raw.method.trim() {
        "" => None,
        m => Some(
            m.parse()
                .map_err(|_| invalid(Field::Method, Problem::Malformed))?,
        ),
    };
    let weekday = day.weekday();
    let pattern = match raw.repeat.trim() {
        "" | "none" => None,
        "weekly" => Some(Pattern::Weekly { interval: 1, weekday }),
        "biweekly" => Some(Pattern::Weekly { interval: 2, weekday }),
        "monthly_nth" => Some(Pattern::MonthlyNthWeekday {
            nth: nth_of_month(day).min(4),
            weekday,
        }),
        "monthly_last" => Some(Pattern::MonthlyNthWeekday { nth: -1, weekday }),
        "monthly_day" => Some(Pattern::MonthlyDay { day: day.day() as u8 }),
        _ => return Err(invalid(Field::Repeat, Problem::Malformed)),
    };
    let repeat = match pattern {
        None => None,
        Some(pattern) => {
            if raw.last_day.trim().is_empty() {
                return Err(invalid(Field::LastDay, Problem::Empty));
            }
            let last_day = parse_day(&raw.last_day).ok_or(invalid(Field::LastDay, Problem::Malformed))?;
            let mut exceptions = Vec::new();
            for part in raw
                .exceptions
                .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            {
                if part.is_empty() {
                    continue;
                }
                exceptions.push(parse_day(part).ok_or(invalid(Field::Exceptions, Problem::Malformed))?);
            }
            if exceptions.len() > EXCEPTIONS_MAX {
                return Err(invalid(
                    Field::Exceptions,
                    Problem::TooLong {
                        max: EXCEPTIONS_MAX as u32,
                    },
                ));
            }
            Some(Repeat {
                pattern,
                last_day,
                exceptions,
            })
        }
    };
    Ok(SessionInput {
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
        method_id,
        guests: raw.guests.clone(),
        repeat,
    })
}

fn recurrence_error(err: RecurrenceError) -> AppError {
    match err {
        RecurrenceError::EndBeforeStart => AppError::EndBeforeStart,
        RecurrenceError::LastBeforeFirst => invalid(Field::LastDay, Problem::Malformed),
        RecurrenceError::TooLong => AppError::SeriesTooLong {
            years: recurrence::MAX_YEARS,
        },
        RecurrenceError::BadPattern => invalid(Field::Repeat, Problem::Malformed),
        RecurrenceError::UnknownTimeZone => AppError::UnknownTimeZone(String::new()),
        RecurrenceError::Empty => AppError::NoMeetings,
    }
}

/// The UTC instant of a local day and time in `zone`. A time in the
/// spring-forward gap moves forward by an hour; an ambiguous autumn time
/// takes the earlier instant (as `recurrence` does for series).
pub fn local_to_utc(zone: chrono_tz::Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = day.and_time(time);
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

pub fn zone_of(name: &str) -> chrono_tz::Tz {
    recurrence::parse_zone(name).unwrap_or(chrono_tz::Europe::Brussels)
}

fn session_target(network: i64) -> Target {
    Target::Resource {
        network,
        kind: ResourceKind::Session,
        visibility: Visibility::Network,
        author: None,
    }
}

/// Guest networks must exist and differ from the host.
async fn check_guests<C: ConnectionTrait>(db: &C, host: i64, guests: &[i64]) -> Result<Vec<i64>, AppError> {
    let wanted: HashSet<i64> = guests.iter().copied().filter(|g| *g != host).collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<i64> = network::Entity::find()
        .select_only()
        .column(network::Column::Id)
        .filter(network::Column::Id.is_in(wanted.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    if found.len() != wanted.len() {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

/// A method may be used by a network if it shipped with Kring or belongs to it.
async fn check_method<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
    method_id: Option<i64>,
) -> Result<(), AppError> {
    let Some(id) = method_id else { return Ok(()) };
    let m = method::Entity::find_by_id(id).one(db).await?;
    match m {
        Some(m) if m.network_id.is_none() || m.network_id == Some(network_id) => Ok(()),
        _ => Err(invalid(Field::Method, Problem::Malformed)),
    }
}

/// What `schedule` made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    pub first_session: i64,
    pub series: Option<i64>,
    pub meetings: usize,
}

/// Schedules one meeting, or a series with a meeting per occurrence.
pub async fn schedule<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
    input: SessionInput,
) -> Result<Scheduled, AppError> {
    authz::check(actor, Action::Create, session_target(network_id))?;
    let guests = check_guests(db, network_id, &input.guests).await?;
    check_method(db, network_id, input.method_id).await?;
    let times: Vec<(DateTime<Utc>, DateTime<Utc>)> = match &input.repeat {
        None => vec![(
            local_to_utc(input.zone, input.day, input.start),
            local_to_utc(input.zone, input.day, input.end),
        )],
        Some(r) => recurrence::expand(&SeriesRule {
            pattern: r.pattern.clone(),
            first_day: input.day,
            last_day: r.last_day,
            start_time: input.start,
            end_time: input.end,
            zone: input.zone,
            exceptions: r.exceptions.clone(),
        })
        .map_err(recurrence_error)?
        .into_iter()
        .map(|o| (o.starts_at, o.ends_at))
        .collect(),
    };
    let now = Utc::now();
    let tx = crate::db::begin_write(db).await?;
    let series_id = match &input.repeat {
        None => None,
        Some(r) => Some(
            series::ActiveModel {
                network_id: Set(network_id),
                rrule: Set(r.pattern.to_rrule()),
                first_day: Set(input.day),
                last_day: Set(r.last_day),
                start_time: Set(input.start.format("%H:%M").to_string()),
                end_time: Set(input.end.format("%H:%M").to_string()),
                zone: Set(input.zone.name().to_owned()),
                exceptions: Set(r
                    .exceptions
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(",")),
                created_by: Set(actor.user),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&tx)
            .await?
            .id,
        ),
    };
    let rows = times.iter().map(|(starts_at, ends_at)| session::ActiveModel {
        network_id: Set(network_id),
        series_id: Set(series_id),
        title: Set(input.title.clone()),
        kind: Set(input.kind.as_str().to_owned()),
        starts_at: Set(*starts_at),
        ends_at: Set(*ends_at),
        zone: Set(input.zone.name().to_owned()),
        place: Set(input.place.clone()),
        online_link: Set(input.online_link.clone()),
        capacity: Set(input.capacity.map(|c| c as i32)),
        agenda: Set(input.agenda.clone()),
        method_id: Set(input.method_id),
        detached: Set(false),
        cancelled_at: Set(None),
        current_phase: Set(None),
        phase_started_at: Set(None),
        minutes: Set(String::new()),
        attendance_recorded_at: Set(None),
        sequence: Set(0),
        version: Set(0),
        created_by: Set(actor.user),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    });
    session::Entity::insert_many(rows).exec(&tx).await?;
    let mut ids_query = session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(session::Column::NetworkId.eq(network_id))
        .order_by_asc(session::Column::StartsAt);
    ids_query = match series_id {
        Some(s) => ids_query.filter(session::Column::SeriesId.eq(s)),
        None => ids_query
            .filter(session::Column::SeriesId.is_null())
            .filter(session::Column::CreatedAt.eq(now))
            .filter(session::Column::StartsAt.eq(times[0].0)),
    };
    let ids: Vec<i64> = ids_query.into_tuple().all(&tx).await?;
    let first_session = *ids.first().ok_or(AppError::Internal)?;
    if !guests.is_empty() {
        let rows = ids.iter().flat_map(|s| {
            guests.iter().map(move |g| guest_network::ActiveModel {
                session_id: Set(*s),
                network_id: Set(*g),
            })
        });
        guest_network::Entity::insert_many(rows).exec(&tx).await?;
    }
    tx.commit().await?;
    Ok(Scheduled {
        first_session,
        series: series_id,
        meetings: ids.len(),
    })
}

/// Which meetings an edit or cancellation touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    This,
    /// This meeting and every later one of its series that was not edited
    /// on its own.
    ThisAndFollowing,
}

pub(crate) async fn load<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<(session::Model, Vec<i64>), AppError> {
    let s = session::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let guests = guest_network::Entity::find()
        .select_only()
        .column(guest_network::Column::NetworkId)
        .filter(guest_network::Column::SessionId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    Ok((s, guests))
}

/// The meetings a scope reaches from `s`.
async fn in_scope<C: ConnectionTrait>(
    db: &C,
    s: &session::Model,
    scope: Scope,
) -> Result<Vec<session::Model>, AppError> {
    match (scope, s.series_id) {
        (Scope::ThisAndFollowing, Some(series_id)) => Ok(session::Entity::find()
            .filter(session::Column::SeriesId.eq(series_id))
            .filter(session::Column::StartsAt.gte(s.starts_at))
            .filter(
                session::Column::Detached
                    .eq(false)
                    .or(session::Column::Id.eq(s.id)),
            )
            .order_by_asc(session::Column::StartsAt)
            .all(db)
            .await?),
        _ => Ok(vec![s.clone()]),
    }
}

/// Edits one meeting (which then keeps its own settings) or this and all
/// following meetings of its series. The day moves only the meeting itself;
/// times of day, place, link, capacity, agenda and method apply to the
/// whole scope, each meeting keeping its own date.
pub async fn edit<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    session_id: i64,
    input: SessionInput,
    scope: Scope,
) -> Result<usize, AppError> {
    let (s, _) = load(db, session_id).await?;
    authz::check(actor, Action::Edit, session_target(s.network_id))?;
    check_method(db, s.network_id, input.method_id).await?;
    let tx = crate::db::begin_write(db).await?;
    let targets = in_scope(&tx, &s, scope).await?;
    let now = Utc::now();
    for m in &targets {
        let zone = input.zone;
        let day = if m.id == s.id {
            input.day
        } else {
            m.starts_at.with_timezone(&zone_of(&m.zone)).date_naive()
        };
        let mut am = m.clone().into_active_model();
        am.title = Set(input.title.clone());
        am.kind = Set(input.kind.as_str().to_owned());
        am.starts_at = Set(local_to_utc(zone, day, input.start));
        am.ends_at = Set(local_to_utc(zone, day, input.end));
        am.zone = Set(zone.name().to_owned());
        am.place = Set(input.place.clone());
        am.online_link = Set(input.online_link.clone());
        am.capacity = Set(input.capacity.map(|c| c as i32));
        am.agenda = Set(input.agenda.clone());
        am.method_id = Set(input.method_id);
        am.detached = Set(m.detached || (scope == Scope::This && m.series_id.is_some()));
        am.sequence = Set(m.sequence + 1);
        am.updated_at = Set(now);
        am.update(&tx).await?;
    }
    // A larger capacity may let people in from the waiting list.
    for m in &targets {
        let promoted = super::rsvp::settle(&tx, m.id, input.capacity).await?;
        super::rsvp::tell_promoted(&tx, m, &promoted).await?;
    }
    tx.commit().await?;
    Ok(targets.len())
}

/// The edit form of a meeting, filled with what is stored: (form values,
/// host network id, whether the meeting belongs to a series). Only who may
/// edit the meeting gets it; others get `NotFound` or `Forbidden` as
/// everywhere.
pub async fn edit_values<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    session_id: i64,
) -> Result<(RawSession, i64, bool), AppError> {
    let (s, guests) = load(db, session_id).await?;
    if !authz::may_on_session(actor, Action::Read, s.network_id, &guests) {
        return Err(AppError::NotFound);
    }
    authz::check(actor, Action::Edit, session_target(s.network_id))?;
    let (day, start, end) = local_parts(&s);
    let raw = RawSession {
        title: s.title.clone(),
        kind: s.kind.clone(),
        day,
        start,
        end,
        zone: s.zone.clone(),
        place: s.place.clone(),
        online_link: s.online_link.clone(),
        capacity: s.capacity.map(|c| c.to_string()).unwrap_or_default(),
        agenda: s.agenda.clone(),
        method: s.method_id.map(|m| m.to_string()).unwrap_or_default(),
        guests,
        ..Default::default()
    };
    Ok((raw, s.network_id, s.series_id.is_some()))
}

/// Cancels meetings; calendars see STATUS:CANCELLED.
pub async fn cancel<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    session_id: i64,
    scope: Scope,
) -> Result<usize, AppError> {
    let (s, _) = load(db, session_id).await?;
    authz::check(actor, Action::Edit, session_target(s.network_id))?;
    let tx = crate::db::begin_write(db).await?;
    let targets = in_scope(&tx, &s, scope).await?;
    let ids: Vec<i64> = targets.iter().map(|m| m.id).collect();
    session::Entity::update_many()
        .col_expr(session::Column::CancelledAt, Expr::value(Some(Utc::now())))
        .col_expr(
            session::Column::Sequence,
            Expr::col(session::Column::Sequence).add(1),
        )
        .col_expr(session::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(session::Column::Id.is_in(ids.clone()))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(ids.len())
}

fn local_parts(s: &session::Model) -> (String, String, String) {
    let zone = zone_of(&s.zone);
    let start = s.starts_at.with_timezone(&zone);
    let end = s.ends_at.with_timezone(&zone);
    (
        start.format("%Y-%m-%d").to_string(),
        start.format("%H:%M").to_string(),
        end.format("%H:%M").to_string(),
    )
}

pub(crate) fn summary(s: &session::Model, going: u32, mine: Option<MyRsvp>) -> SessionSummary {
    let (day, start, end) = local_parts(s);
    SessionSummary {
        id: s.id,
        title: s.title.clone(),
        kind: SessionKind::parse(&s.kind).unwrap_or(SessionKind::Intervision),
        day,
        start,
        end,
        place: s.place.clone(),
        online: !s.online_link.is_empty(),
        cancelled: s.cancelled_at.is_some(),
        series_id: s.series_id,
        going,
        capacity: s.capacity.map(|c| c.max(0) as u32),
        mine,
    }
}

/// Confirmed "going" counts per meeting.
pub(crate) async fn going_counts<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<HashMap<i64, u32>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = rsvp::Entity::find()
        .select_only()
        .column(rsvp::Column::SessionId)
        .column_as(rsvp::Column::UserId.count(), "n")
        .filter(rsvp::Column::SessionId.is_in(ids.iter().copied()))
        .filter(rsvp::Column::Answer.eq(Answer::Going.as_str()))
        .filter(rsvp::Column::Waitlisted.eq(false))
        .group_by(rsvp::Column::SessionId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(s, n)| (s, n as u32)).collect())
}

pub(crate) async fn my_rsvps<C: ConnectionTrait>(
    db: &C,
    user: Option<i64>,
    ids: &[i64],
) -> Result<HashMap<i64, MyRsvp>, AppError> {
    let Some(user) = user else {
        return Ok(HashMap::new());
    };
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(rsvp::Entity::find()
        .filter(rsvp::Column::UserId.eq(user))
        .filter(rsvp::Column::SessionId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some((
                r.session_id,
                MyRsvp {
                    answer: Answer::parse(&r.answer)?,
                    waitlisted: r.waitlisted,
                    from_series: r.from_series,
                },
            ))
        })
        .collect())
}

/// How many meetings a list shows at most (upcoming / past).
pub const UPCOMING_MAX: u64 = 200;
pub const PAST_MAX: u64 = 30;

/// The sessions page of a network: its own meetings and those it is a
/// guest of.
pub async fn network_sessions<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
) -> Result<NetworkSessions, AppError> {
    let net = network::Entity::find()
        .filter(network::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    authz::check(actor, Action::Read, session_target(net.id))?;
    let guest_of: Vec<i64> = guest_network::Entity::find()
        .select_only()
        .column(guest_network::Column::SessionId)
        .filter(guest_network::Column::NetworkId.eq(net.id))
        .into_tuple()
        .all(db)
        .await?;
    let now = Utc::now();
    let mine = || {
        session::Column::NetworkId
            .eq(net.id)
            .or(session::Column::Id.is_in(guest_of.iter().copied()))
    };
    let upcoming = session::Entity::find()
        .filter(mine())
        .filter(session::Column::EndsAt.gte(now))
        .order_by_asc(session::Column::StartsAt)
        .limit(UPCOMING_MAX)
        .all(db)
        .await?;
    let past = session::Entity::find()
        .filter(mine())
        .filter(session::Column::EndsAt.lt(now))
        .order_by_desc(session::Column::StartsAt)
        .limit(PAST_MAX)
        .all(db)
        .await?;
    let ids: Vec<i64> = upcoming.iter().chain(&past).map(|s| s.id).collect();
    let counts = going_counts(db, &ids).await?;
    let answers = my_rsvps(db, actor.user, &ids).await?;
    let to_summary = |s: &session::Model| {
        summary(
            s,
            counts.get(&s.id).copied().unwrap_or(0),
            answers.get(&s.id).copied(),
        )
    };
    Ok(NetworkSessions {
        may_schedule: authz::may(actor, Action::Create, session_target(net.id)),
        upcoming: upcoming.iter().map(to_summary).collect(),
        past: past.iter().map(to_summary).collect(),
        slug: net.slug,
        name: net.name,
    })
}

/// The upcoming meetings of every network a person belongs to (the
/// "/sessions" overview).
pub async fn my_upcoming<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> Result<Vec<(String, SessionSummary)>, AppError> {
    let Some(_) = actor.user else {
        return Err(AppError::NotSignedIn);
    };
    let networks: Vec<i64> = actor.roles.keys().copied().collect();
    if networks.is_empty() {
        return Ok(Vec::new());
    }
    let guest_of: Vec<i64> = guest_network::Entity::find()
        .select_only()
        .column(guest_network::Column::SessionId)
        .filter(guest_network::Column::NetworkId.is_in(networks.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let rows = session::Entity::find()
        .filter(
            session::Column::NetworkId
                .is_in(networks.iter().copied())
                .or(session::Column::Id.is_in(guest_of)),
        )
        .filter(session::Column::EndsAt.gte(Utc::now()))
        .order_by_asc(session::Column::StartsAt)
        .limit(UPCOMING_MAX)
        .all(db)
        .await?;
    let names: HashMap<i64, String> = network::Entity::find()
        .filter(network::Column::Id.is_in(rows.iter().map(|s| s.network_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
    let counts = going_counts(db, &ids).await?;
    let answers = my_rsvps(db, actor.user, &ids).await?;
    Ok(rows
        .iter()
        .map(|s| {
            (
                names.get(&s.network_id).cloned().unwrap_or_default(),
                summary(
                    s,
                    counts.get(&s.id).copied().unwrap_or(0),
                    answers.get(&s.id).copied(),
                ),
            )
        })
        .collect())
}

/// Everything a session's page shows to this actor.
pub async fn session_view<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    session_id: i64,
    english: bool,
) -> Result<SessionView, AppError> {
    let (s, guests) = load(db, session_id).await?;
    if !authz::may_on_session(actor, Action::Read, s.network_id, &guests) {
        return Err(AppError::NotFound);
    }
    let may_manage = authz::may(actor, Action::RunSession, session_target(s.network_id));
    let net = network::Entity::find_by_id(s.network_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let guest_names: Vec<String> = if guests.is_empty() {
        Vec::new()
    } else {
        network::Entity::find()
            .filter(network::Column::Id.is_in(guests.iter().copied()))
            .order_by_asc(network::Column::Name)
            .all(db)
            .await?
            .into_iter()
            .map(|n| n.name)
            .collect()
    };
    let method = match s.method_id {
        Some(id) => super::methods::method_view(db, id, english).await?,
        None => None,
    };
    let rsvps = rsvp::Entity::find()
        .filter(rsvp::Column::SessionId.eq(s.id))
        .all(db)
        .await?;
    let going = rsvps
        .iter()
        .filter(|r| r.answer == Answer::Going.as_str() && !r.waitlisted)
        .count() as u32;
    let waiting = rsvps.iter().filter(|r| r.waitlisted).count() as u32;
    let mine = actor
        .user
        .and_then(|u| rsvps.iter().find(|r| r.user_id == u))
        .and_then(|r| {
            Some(MyRsvp {
                answer: Answer::parse(&r.answer)?,
                waitlisted: r.waitlisted,
                from_series: r.from_series,
            })
        });
    let (series_meetings, my_series_answer) = match s.series_id {
        Some(series_id) => {
            let n = session::Entity::find()
                .filter(session::Column::SeriesId.eq(series_id))
                .count(db)
                .await? as u32;
            let answer = match actor.user {
                Some(u) => series_rsvp::Entity::find_by_id((series_id, u))
                    .one(db)
                    .await?
                    .and_then(|r| Answer::parse(&r.answer)),
                None => None,
            };
            (n, answer)
        }
        None => (0, None),
    };
    let attendees = if may_manage {
        attendees(db, &s, &guests, &rsvps).await?
    } else {
        Vec::new()
    };
    let phase_count = method.as_ref().map(|m| m.phases.len() as u32).unwrap_or(0);
    let live = LiveState {
        phase: s.current_phase.map(|p| p.max(0) as u32),
        phase_count,
        elapsed_seconds: s
            .phase_started_at
            .map(|t| (Utc::now() - t).num_seconds().max(0))
            .unwrap_or(0),
        finished: s.current_phase.is_none() && s.phase_started_at.is_some(),
    };
    Ok(SessionView {
        summary: summary(&s, going, mine),
        network_slug: net.slug,
        network_name: net.name,
        zone: s.zone.clone(),
        online_link: s.online_link.clone(),
        agenda_html: to_safe_html(&s.agenda),
        agenda: s.agenda.clone(),
        method,
        series_meetings,
        my_series_answer,
        may_rsvp: authz::may_on_session(actor, Action::Rsvp, s.network_id, &guests),
        may_manage,
        attendees,
        waiting,
        live,
        minutes_html: to_safe_html(&s.minutes),
        minutes: s.minutes.clone(),
        attendance_recorded: s.attendance_recorded_at.is_some(),
        guests: guest_names,
    })
}

use sea_orm::PaginatorTrait;

/// Who may come (members of the host and guest networks) with their answer,
/// grouped per organisation; the attendance list starts from this.
async fn attendees<C: ConnectionTrait>(
    db: &C,
    s: &session::Model,
    guests: &[i64],
    rsvps: &[rsvp::Model],
) -> Result<Vec<AttendeeGroup>, AppError> {
    let networks: Vec<i64> = std::iter::once(s.network_id)
        .chain(guests.iter().copied())
        .collect();
    let members = membership::Entity::find()
        .filter(membership::Column::NetworkId.is_in(networks))
        .all(db)
        .await?;
    let answered: HashMap<i64, &rsvp::Model> = rsvps.iter().map(|r| (r.user_id, r)).collect();
    let present: HashSet<i64> = attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(s.id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    // Only people who answered (or attended) are listed.
    let mut org_of: HashMap<i64, Option<i64>> = HashMap::new();
    for m in &members {
        if answered.contains_key(&m.user_id) || present.contains(&m.user_id) {
            let entry = org_of.entry(m.user_id).or_insert(None);
            if entry.is_none() {
                *entry = m.organisation_id;
            }
        }
    }
    let names: HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(org_of.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let orgs: HashMap<i64, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_of.values().flatten().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut groups: Vec<AttendeeGroup> = Vec::new();
    for (user_id, org) in org_of {
        let organisation = org.and_then(|o| orgs.get(&o).cloned());
        let r = answered.get(&user_id);
        let person = Attendee {
            user_id,
            name: names.get(&user_id).cloned().unwrap_or_default(),
            answer: r
                .and_then(|r| Answer::parse(&r.answer))
                .unwrap_or(Answer::NotGoing),
            waitlisted: r.is_some_and(|r| r.waitlisted),
            attended: present.contains(&user_id),
        };
        match groups.iter_mut().find(|g| g.organisation == organisation) {
            Some(g) => g.people.push(person),
            None => groups.push(AttendeeGroup {
                organisation,
                people: vec![person],
            }),
        }
    }
    groups.sort_by(|a, b| {
        (a.organisation.is_none(), &a.organisation).cmp(&(b.organisation.is_none(), &b.organisation))
    });
    for g in &mut groups {
        g.people.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(groups)
}

/// Live mode commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveCommand {
    Start,
    Next,
    Previous,
    Finish,
}

impl LiveCommand {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "start" => Some(LiveCommand::Start),
            "next" => Some(LiveCommand::Next),
            "previous" => Some(LiveCommand::Previous),
            "finish" => Some(LiveCommand::Finish),
            _ => None,
        }
    }
}

/// Moves a session through its method's phases.
pub async fn live<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    session_id: i64,
    command: LiveCommand,
) -> Result<Option<u32>, AppError> {
    let (s, _) = load(db, session_id).await?;
    authz::check(actor, Action::RunSession, session_target(s.network_id))?;
    if s.cancelled_at.is_some() {
        return Err(AppError::SessionCancelled);
    }
    let phases = match s.method_id {
        Some(id) => super::methods::phase_count(db, id).await?,
        None => 0,
    };
    if phases == 0 {
        return Err(invalid(Field::Method, Problem::Empty));
    }
    let last = phases as i32 - 1;
    let next = match (command, s.current_phase) {
        (LiveCommand::Start, _) => Some(0),
        (LiveCommand::Next, Some(p)) if p < last => Some(p + 1),
        (LiveCommand::Next, Some(_)) => None,
        (LiveCommand::Next, None) => Some(0),
        (LiveCommand::Previous, Some(p)) => Some((p - 1).max(0)),
        (LiveCommand::Previous, None) => Some(last),
        (LiveCommand::Finish, _) => None,
    };
    let mut am = s.into_active_model();
    am.current_phase = Set(next);
    am.phase_started_at = Set(Some(Utc::now()));
    am.update(db).await?;
    Ok(next.map(|p| p as u32))
}

/// The live state alone (what the page polls).
pub async fn live_state<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    session_id: i64,
) -> Result<LiveState, AppError> {
    let (s, guests) = load(db, session_id).await?;
    if !authz::may_on_session(actor, Action::Read, s.network_id, &guests) {
        return Err(AppError::NotFound);
    }
    let phase_count = match s.method_id {
        Some(id) => super::methods::phase_count(db, id).await?,
        None => 0,
    };
    Ok(LiveState {
        phase: s.current_phase.map(|p| p.max(0) as u32),
        phase_count,
        elapsed_seconds: s
            .phase_started_at
            .map(|t| (Utc::now() - t).num_seconds().max(0))
            .unwrap_or(0),
        finished: s.current_phase.is_none() && s.phase_started_at.is_some(),
    })
}

/// Records who attended (people who may come to the session only) and the
/// minutes.
pub async fn record_attendance<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    session_id: i64,
    present: &[i64],
    minutes: &str,
) -> Result<(), AppError> {
    let (s, guests) = load(db, session_id).await?;
    authz::check(actor, Action::RunSession, session_target(s.network_id))?;
    let minutes = text(minutes, Field::Minutes, MARKDOWN_MAX, false)?;
    let networks: Vec<i64> = std::iter::once(s.network_id).chain(guests).collect();
    let eligible: HashSet<i64> = membership::Entity::find()
        .select_only()
        .column(membership::Column::UserId)
        .filter(membership::Column::NetworkId.is_in(networks))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let present: HashSet<i64> = present.iter().copied().collect();
    if !present.is_subset(&eligible) {
        return Err(AppError::NotFound);
    }
    let tx = crate::db::begin_write(db).await?;
    attendance::Entity::delete_many()
        .filter(attendance::Column::SessionId.eq(session_id))
        .exec(&tx)
        .await?;
    if !present.is_empty() {
        attendance::Entity::insert_many(present.iter().map(|u| attendance::ActiveModel {
            session_id: Set(session_id),
            user_id: Set(*u),
        }))
        .exec(&tx)
        .await?;
    }
    let mut am = s.into_active_model();
    am.minutes = Set(minutes);
    am.attendance_recorded_at = Set(Some(Utc::now()));
    am.update(&tx).await?;
    tx.commit().await?;
    Ok(())
}

/// A person's attended sessions in a calendar year (local dates).
pub async fn hours<C: ConnectionTrait>(
    db: &C,
    person: &user::Model,
    year: Option<i32>,
) -> Result<HoursView, AppError> {
    let attended: Vec<i64> = attendance::Entity::find()
        .select_only()
        .column(attendance::Column::SessionId)
        .filter(attendance::Column::UserId.eq(person.id))
        .into_tuple()
        .all(db)
        .await?;
    let sessions = session::Entity::find()
        .filter(session::Column::Id.is_in(attended))
        .filter(session::Column::CancelledAt.is_null())
        .order_by_asc(session::Column::StartsAt)
        .all(db)
        .await?;
    let local_year = |s: &session::Model| s.starts_at.with_timezone(&zone_of(&s.zone)).year();
    let mut years: Vec<i32> = sessions.iter().map(local_year).collect();
    let this_year = Utc::now().year();
    years.push(this_year);
    years.sort_unstable();
    years.dedup();
    years.reverse();
    let year = year.unwrap_or(this_year);
    let names: HashMap<i64, String> = network::Entity::find()
        .filter(network::Column::Id.is_in(sessions.iter().map(|s| s.network_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    let rows: Vec<HoursRow> = sessions
        .iter()
        .filter(|s| local_year(s) == year)
        .map(|s| HoursRow {
            day: local_parts(s).0,
            title: s.title.clone(),
            kind: SessionKind::parse(&s.kind).unwrap_or(SessionKind::Intervision),
            network: names.get(&s.network_id).cloned().unwrap_or_default(),
            minutes: (s.ends_at - s.starts_at).num_minutes().max(0) as u32,
        })
        .collect();
    Ok(HoursView {
        year,
        years,
        total_minutes: rows.iter().map(|r| r.minutes).sum(),
        rows,
        person: person.display_name.clone(),
    })
}

/// The hours as CSV (semicolon-separated, as Flemish spreadsheets expect).
pub fn hours_csv(view: &HoursView, kind_name: impl Fn(SessionKind) -> String, header: [&str; 5]) -> String {
    fn cell(s: &str) -> String {
        // Quotes always; a leading = + - @ is neutralised against formula injection.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    }
    let mut out = header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(";");
    out.push_str("\r\n");
    for r in &view.rows {
        let hours = format!("{:.2}", r.minutes as f64 / 60.0).replace('.', ",");
        out.push_str(
            &[
                cell(&r.day),
                cell(&r.title),
                cell(&kind_name(r.kind)),
                cell(&r.network),
                cell(&hours),
            ]
            .join(";"),
        );
        out.push_str("\r\n");
    }
    out
}

/// [`hours_csv`] with the header and kind names in `locale`.
pub fn hours_csv_in(view: &HoursView, locale: crate::i18n::Locale) -> String {
    use crate::i18n::td_string;
    let kind = |k: SessionKind| {
        match k {
            SessionKind::Intervision => td_string!(locale, sessions.kind_intervision),
            SessionKind::LearningNetwork => td_string!(locale, sessions.kind_learning_network),
            SessionKind::Training => td_string!(locale, sessions.kind_training),
            SessionKind::CaseMeeting => td_string!(locale, sessions.kind_case_meeting),
        }
        .to_string()
    };
    let header = [
        td_string!(locale, fields.day),
        td_string!(locale, fields.title),
        td_string!(locale, fields.session_kind),
        td_string!(locale, sessions.network),
        td_string!(locale, sessions.hours),
    ];
    hours_csv(view, kind, header)
}
