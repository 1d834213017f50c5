//! Writing and reading the audit log. `record` is called by each area in
//! the same transaction as what it records.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{AuditAction, AuditLogView, AuditRow, PAGE};
use crate::accounts::entity::user;
use crate::authz::{self, Action, Actor, Target};
use crate::errors::AppError;
use crate::networks::entity::network;

pub mod event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: ChronoDateTimeUtc,
        pub actor_id: Option<i64>,
        pub action: String,
        pub network_id: Option<i64>,
        pub subject_id: Option<i64>,
        pub detail: String,
        pub ip: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One event to record; built with the methods below.
#[derive(Debug, Clone)]
pub struct Event {
    action: AuditAction,
    actor: Option<i64>,
    network: Option<i64>,
    subject: Option<i64>,
    detail: String,
    ip: String,
}

impl Event {
    pub fn new(action: AuditAction) -> Self {
        Event {
            action,
            actor: None,
            network: None,
            subject: None,
            detail: String::new(),
            ip: String::new(),
        }
    }
    pub fn by(mut self, actor: Option<i64>) -> Self {
        self.actor = actor;
        self
    }
    pub fn network(mut self, network: i64) -> Self {
        self.network = Some(network);
        self
    }
    pub fn about(mut self, subject: i64) -> Self {
        self.subject = Some(subject);
        self
    }
    /// A short note (a role, a reason): never free text a person wrote.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into().chars().take(200).collect();
        self
    }
    pub fn ip(mut self, ip: &str) -> Self {
        self.ip = ip.chars().take(64).collect();
        self
    }
}

pub async fn record<C: ConnectionTrait>(db: &C, e: Event) -> Result<(), DbErr> {
    event::ActiveModel {
        at: Set(Utc::now()),
        actor_id: Set(e.actor),
        action: Set(e.action.key().to_owned()),
        network_id: Set(e.network),
        subject_id: Set(e.subject),
        detail: Set(e.detail),
        ip: Set(e.ip),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What the admin filters by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<AuditAction>,
    pub network: Option<i64>,
    /// Part of a name or e-mail address of who acted.
    pub person: String,
    /// Only rows older than this id (the next page).
    pub before: Option<i64>,
}

/// A page of the log, newest first. Platform admins only; anyone else gets
/// "not found".
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &Filter,
) -> Result<AuditLogView, AppError> {
    authz::check(actor, Action::ManagePlatform, Target::Platform)?;
    let mut query = event::Entity::find().order_by_desc(event::Column::Id);
    if let Some(action) = filter.action {
        query = query.filter(event::Column::Action.eq(action.key()));
    }
    if let Some(network) = filter.network {
        query = query.filter(event::Column::NetworkId.eq(network));
    }
    if let Some(before) = filter.before {
        query = query.filter(event::Column::Id.lt(before));
    }
    let person = filter.person.trim().to_lowercase();
    if !person.is_empty() {
        let pattern = format!("%{}%", person.replace(['%', '_'], ""));
        let who: Vec<i64> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(
                Condition::any()
                    .add(user::Column::Email.like(pattern.as_str()))
                    .add(
                        sea_orm::sea_query::Expr::expr(sea_orm::sea_query::Func::lower(
                            sea_orm::sea_query::Expr::col(user::Column::DisplayName),
                        ))
                        .like(pattern.as_str()),
                    ),
            )
            .into_tuple()
            .all(db)
            .await?;
        query = query.filter(event::Column::ActorId.is_in(who));
    }
    let mut found = query.limit(PAGE + 1).all(db).await?;
    let older = (found.len() as u64 > PAGE).then(|| {
        found.truncate(PAGE as usize);
        found.last().map(|e| e.id).unwrap_or_default()
    });

    let people: Vec<i64> = found.iter().filter_map(|e| e.actor_id).collect();
    let names: HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(people))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, format!("{} <{}>", u.display_name, u.email)))
        .collect();
    let mut networks: Vec<(i64, String)> = network::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    networks.sort_by(|a, b| a.1.cmp(&b.1));
    let network_name: HashMap<i64, String> = networks.iter().cloned().collect();
    let rows = found
        .into_iter()
        .filter_map(|e| {
            Some(AuditRow {
                id: e.id,
                at: e
                    .at
                    .with_timezone(&chrono_tz::Europe::Brussels)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                actor: e.actor_id.and_then(|a| names.get(&a).cloned()),
                action: AuditAction::parse(&e.action)?,
                network: e.network_id.and_then(|n| network_name.get(&n).cloned()),
                subject: e.subject_id,
                detail: e.detail,
                ip: e.ip,
            })
        })
        .collect();
    Ok(AuditLogView {
        rows,
        networks,
        older,
    })
}
