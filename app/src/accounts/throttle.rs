//! Sign-in throttling: at most 10 failed attempts per account and per IP
//! address in 15 minutes. Kept in the database so that every server node
//! sees the same count.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::entity::login_failure;
use crate::errors::AppError;

pub const MAX_FAILURES: u64 = 10;
pub const WINDOW_SECS: i64 = 15 * 60;

/// Refuses the attempt while the email or the IP has too many recent
/// failures; the error says how many minutes remain.
pub async fn check<C: ConnectionTrait>(db: &C, email: &str, ip: &str, now: i64) -> Result<(), AppError> {
    let since = now - WINDOW_SECS;
    for cond in [
        login_failure::Column::Email.eq(email),
        login_failure::Column::Ip.eq(ip),
    ] {
        let count = login_failure::Entity::find()
            .filter(cond.clone())
            .filter(login_failure::Column::AttemptedAt.gt(since))
            .count(db)
            .await?;
        if count >= MAX_FAILURES {
            // The window frees up when the oldest counted failure ages out.
            let oldest: Option<i64> = login_failure::Entity::find()
                .select_only()
                .column(login_failure::Column::AttemptedAt)
                .filter(cond)
                .filter(login_failure::Column::AttemptedAt.gt(since))
                .order_by_desc(login_failure::Column::AttemptedAt)
                .offset(MAX_FAILURES - 1)
                .into_tuple()
                .one(db)
                .await?;
            let free_at = oldest.unwrap_or(now) + WINDOW_SECS;
            let minutes = ((free_at - now).max(1) + 59) / 60;
            return Err(AppError::Throttled {
                minutes: minutes as u32,
            });
        }
    }
    Ok(())
}

pub async fn record_failure<C: ConnectionTrait>(
    db: &C,
    email: &str,
    ip: &str,
    now: i64,
) -> Result<(), AppError> {
    login_failure::ActiveModel {
        email: Set(email.chars().take(254).collect()),
        ip: Set(ip.chars().take(64).collect()),
        attempted_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A successful sign-in forgives the account's failures (not the IP's).
pub async fn clear_account<C: ConnectionTrait>(db: &C, email: &str) -> Result<(), AppError> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Email.eq(email))
        .exec(db)
        .await?;
    Ok(())
}

/// Drops failures older than the window (called by the housekeeping task).
pub async fn prune<C: ConnectionTrait>(db: &C, now: i64) -> Result<u64, AppError> {
    let res = login_failure::Entity::delete_many()
        .filter(login_failure::Column::AttemptedAt.lte(now - WINDOW_SECS))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
