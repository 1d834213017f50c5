//! RSVPs: one answer for a whole series (applied to each of its future
//! meetings), an override per meeting, and capacity with a waiting list.
//!
//! Each meeting's "going" answers queue in the order people said "going";
//! the first `capacity` are in, the rest wait. `settle` recomputes that
//! after every change, so a cancellation promotes the next person. Every
//! change to a meeting first touches its row (`version`), which serialises
//! concurrent answers for that meeting on PostgreSQL (row lock); on SQLite
//! the transaction holds the write lock from its start (`db::begin_write`):
//! two cancellations at once cannot both promote the same place away.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};

use super::Answer;
use super::domain::load;
use super::entity::{guest_network, rsvp, series, series_rsvp, session};
use crate::accounts::entity::user;
use crate::authz::{self, Action, Actor};
use crate::errors::AppError;
use crate::i18n::Locale;
use crate::mail::{self, Outgoing};

async fn lock_session<C: ConnectionTrait>(db: &C, session_id: i64) -> Result<(), AppError> {
    session::Entity::update_many()
        .col_expr(
            session::Column::Version,
            Expr::col(session::Column::Version).add(1),
        )
        .filter(session::Column::Id.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Recomputes who is in and who waits; returns the people who just got in.
pub async fn settle<C: ConnectionTrait>(
    db: &C,
    session_id: i64,
    capacity: Option<u32>,
) -> Result<Vec<i64>, AppError> {
    let going = rsvp::Entity::find()
        .filter(rsvp::Column::SessionId.eq(session_id))
        .filter(rsvp::Column::Answer.eq(Answer::Going.as_str()))
        .order_by_asc(rsvp::Column::QueuedAt)
        .order_by_asc(rsvp::Column::UserId)
        .all(db)
        .await?;
    let mut promoted = Vec::new();
    for (i, r) in going.into_iter().enumerate() {
        let wait = capacity.is_some_and(|c| i as u32 >= c);
        if r.waitlisted != wait {
            if !wait {
                promoted.push(r.user_id);
            }
            let mut am = r.into_active_model();
            am.waitlisted = Set(wait);
            am.update(db).await?;
        }
    }
    // Anyone no longer going is off the waiting list.
    rsvp::Entity::update_many()
        .col_expr(rsvp::Column::Waitlisted, Expr::value(false))
        .filter(rsvp::Column::SessionId.eq(session_id))
        .filter(rsvp::Column::Answer.ne(Answer::Going.as_str()))
        .filter(rsvp::Column::Waitlisted.eq(true))
        .exec(db)
        .await?;
    Ok(promoted)
}

/// Mails the people who moved from the waiting list into the meeting.
pub async fn tell_promoted<C: ConnectionTrait>(
    db: &C,
    s: &session::Model,
    people: &[i64],
) -> Result<(), AppError> {
    if people.is_empty() {
        return Ok(());
    }
    let zone = super::domain::zone_of(&s.zone);
    let when = s
        .starts_at
        .with_timezone(&zone)
        .format("%d/%m/%Y %H:%M")
        .to_string();
    for person in user::Entity::find()
        .filter(user::Column::Id.is_in(people.iter().copied()))
        .all(db)
        .await?
    {
        let text = |l: Locale| {
            crate::i18n::td_string!(
                l,
                mail.waitlist_promoted,
                title = s.title.as_str(),
                when = when.as_str()
            )
            .to_string()
        };
        mail::enqueue(
            db,
            Outgoing {
                to: person.email.clone(),
                subject: format!("Kring: {}", s.title),
                body: crate::networks::members::bilingual(text(Locale::nl), text(Locale::en)),
            },
        )
        .await?;
    }
    Ok(())
}

/// Writes one person's answer for one meeting and settles the meeting.
async fn write<C: ConnectionTrait>(
    db: &C,
    s: &session::Model,
    user_id: i64,
    answer: Answer,
    from_series: bool,
) -> Result<(), AppError> {
    lock_session(db, s.id).await?;
    let now = Utc::now();
    let existing = rsvp::Entity::find_by_id((s.id, user_id)).one(db).await?;
    match existing {
        // A person's own answer for this meeting outlives later series answers.
        Some(r) if from_series && !r.from_series => return Ok(()),
        Some(r) => {
            let was_going = r.answer == Answer::Going.as_str();
            let mut am = r.into_active_model();
            am.answer = Set(answer.as_str().to_owned());
            am.from_series = Set(from_series);
            if answer == Answer::Going && !was_going {
                am.queued_at = Set(now);
            }
            am.updated_at = Set(now);
            am.update(db).await?;
        }
        None => {
            rsvp::ActiveModel {
                session_id: Set(s.id),
                user_id: Set(user_id),
                answer: Set(answer.as_str().to_owned()),
                from_series: Set(from_series),
                waitlisted: Set(false),
                queued_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?;
        }
    }
    let promoted = settle(db, s.id, s.capacity.map(|c| c.max(0) as u32)).await?;
    let others: Vec<i64> = promoted.into_iter().filter(|p| *p != user_id).collect();
    tell_promoted(db, s, &others).await
}

fn check_open(s: &session::Model) -> Result<(), AppError> {
    if s.cancelled_at.is_some() {
        return Err(AppError::SessionCancelled);
    }
    if s.ends_at < Utc::now() {
        return Err(AppError::SessionOver);
    }
    Ok(())
}

/// One meeting: "not this one" (or "this one too") over the series answer.
pub async fn answer_session<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    session_id: i64,
    answer: Answer,
) -> Result<(), AppError> {
    let user_id = actor.user.ok_or(AppError::NotSignedIn)?;
    let (s, guests) = load(db, session_id).await?;
    if !authz::may_on_session(actor, Action::Rsvp, s.network_id, &guests) {
        return Err(AppError::NotFound);
    }
    check_open(&s)?;
    let tx = crate::db::begin_write(db).await?;
    // Re-read inside the transaction: capacity may have changed.
    let s = session::Entity::find_by_id(session_id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    write(&tx, &s, user_id, answer, false).await?;
    tx.commit().await?;
    Ok(())
}

/// Drops a meeting override: the meeting follows the series answer again.
pub async fn follow_series<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    session_id: i64,
) -> Result<(), AppError> {
    let user_id = actor.user.ok_or(AppError::NotSignedIn)?;
    let (s, guests) = load(db, session_id).await?;
    if !authz::may_on_session(actor, Action::Rsvp, s.network_id, &guests) {
        return Err(AppError::NotFound);
    }
    check_open(&s)?;
    let Some(series_id) = s.series_id else {
        return Ok(());
    };
    let tx = crate::db::begin_write(db).await?;
    let answer = series_rsvp::Entity::find_by_id((series_id, user_id))
        .one(&tx)
        .await?
        .and_then(|r| Answer::parse(&r.answer));
    match answer {
        Some(a) => {
            if let Some(r) = rsvp::Entity::find_by_id((s.id, user_id)).one(&tx).await? {
                let mut am = r.into_active_model();
                am.from_series = Set(true);
                am.update(&tx).await?;
            }
            write(&tx, &s, user_id, a, true).await?;
        }
        None => {
            lock_session(&tx, s.id).await?;
            rsvp::Entity::delete_by_id((s.id, user_id)).exec(&tx).await?;
            let promoted = settle(&tx, s.id, s.capacity.map(|c| c.max(0) as u32)).await?;
            tell_promoted(&tx, &s, &promoted).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// One answer for the whole series: every future meeting follows it,
/// except meetings the person answered on their own.
pub async fn answer_series<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    series_id: i64,
    answer: Answer,
) -> Result<usize, AppError> {
    let user_id = actor.user.ok_or(AppError::NotSignedIn)?;
    let sr = series::Entity::find_by_id(series_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let meetings = session::Entity::find()
        .filter(session::Column::SeriesId.eq(series_id))
        .filter(session::Column::EndsAt.gte(Utc::now()))
        .filter(session::Column::CancelledAt.is_null())
        .order_by_asc(session::Column::StartsAt)
        .all(db)
        .await?;
    // Guests are the same for every meeting of a series.
    let guests: Vec<i64> = match meetings.first() {
        Some(m) => guest_network::Entity::find()
            .filter(guest_network::Column::SessionId.eq(m.id))
            .all(db)
            .await?
            .into_iter()
            .map(|g| g.network_id)
            .collect(),
        None => Vec::new(),
    };
    if !authz::may_on_session(actor, Action::Rsvp, sr.network_id, &guests) {
        return Err(AppError::NotFound);
    }
    let tx = crate::db::begin_write(db).await?;
    let now = Utc::now();
    match series_rsvp::Entity::find_by_id((series_id, user_id))
        .one(&tx)
        .await?
    {
        Some(r) => {
            let mut am = r.into_active_model();
            am.answer = Set(answer.as_str().to_owned());
            am.updated_at = Set(now);
            am.update(&tx).await?;
        }
        None => {
            series_rsvp::ActiveModel {
                series_id: Set(series_id),
                user_id: Set(user_id),
                answer: Set(answer.as_str().to_owned()),
                updated_at: Set(now),
            }
            .insert(&tx)
            .await?;
        }
    }
    for m in &meetings {
        write(&tx, m, user_id, answer, true).await?;
    }
    tx.commit().await?;
    Ok(meetings.len())
}
