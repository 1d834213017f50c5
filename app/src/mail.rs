//! The mail outbox. Domain code appends a message in the same transaction
//! as the change it reports; a background task of the server (`server/src/
//! mail.rs`) delivers due messages and retries with back-off. A crash
//! between the two loses nothing, and a failed SMTP server delays mail
//! without failing the request that caused it.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::errors::AppError;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mail_outbox")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub to_address: String,
        pub subject: String,
        pub body: String,
        pub created_at: ChronoDateTimeUtc,
        pub next_attempt_at: ChronoDateTimeUtc,
        pub attempts: i32,
        pub sent_at: Option<ChronoDateTimeUtc>,
        pub last_error: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// After this many failed attempts a message stays in the outbox, unsent,
/// with its last error (for the admin to see), and is not tried again.
pub const MAX_ATTEMPTS: i32 = 8;

/// A plain-text message waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub async fn enqueue<C: ConnectionTrait>(db: &C, message: Outgoing) -> Result<(), AppError> {
    let now = Utc::now();
    entity::ActiveModel {
        to_address: Set(message.to),
        subject: Set(message.subject.chars().take(200).collect()),
        body: Set(message.body),
        created_at: Set(now),
        next_attempt_at: Set(now),
        attempts: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Whatever actually sends (SMTP in the server; tests may record).
pub trait Transport {
    fn send(&self, message: &Outgoing) -> impl std::future::Future<Output = Result<(), String>> + Send;
}

/// Sends what is due, oldest first; returns how many were sent.
pub async fn deliver_due<C: ConnectionTrait, T: Transport>(db: &C, transport: &T) -> Result<usize, AppError> {
    let now = Utc::now();
    let due = entity::Entity::find()
        .filter(entity::Column::SentAt.is_null())
        .filter(entity::Column::NextAttemptAt.lte(now))
        .filter(entity::Column::Attempts.lt(MAX_ATTEMPTS))
        .order_by_asc(entity::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    let mut sent = 0;
    for row in due {
        let message = Outgoing {
            to: row.to_address.clone(),
            subject: row.subject.clone(),
            body: row.body.clone(),
        };
        let attempts = row.attempts + 1;
        let mut update: entity::ActiveModel = row.into();
        update.attempts = Set(attempts);
        match transport.send(&message).await {
            Ok(()) => {
                update.sent_at = Set(Some(Utc::now()));
                update.last_error = Set(None);
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(%error, attempts, "mail delivery failed");
                // 1, 2, 4, … minutes, at most an hour apart.
                let wait = Duration::minutes((1_i64 << (attempts - 1).min(6)).min(60));
                update.next_attempt_at = Set(Utc::now() + wait);
                update.last_error = Set(Some(error.chars().take(500).collect()));
            }
        }
        update.update(db).await?;
    }
    Ok(sent)
}
