//! Intervision methods as data: ordered phases with guidance, a suggested
//! duration and who may contribute. Shipped methods (Dutch and English)
//! are offered to every network; a facilitator copies one to change it for
//! their network.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};

use super::entity::{method, method_phase};
use super::{MethodView, PhaseView};
use crate::authz::{self, Action, Actor, Target};
use crate::errors::{AppError, Field, Problem};

pub const PHASES_MAX: usize = 12;
pub const PHASE_NAME_MAX: usize = 120;
pub const GUIDANCE_MAX: usize = 2_000;
pub const CONTRIBUTORS: [&str; 4] = ["case_owner", "participants", "facilitator", "expert"];

fn pick(nl: &str, en: &Option<String>, english: bool) -> String {
    match en {
        Some(en) if english && !en.is_empty() => en.clone(),
        _ => nl.to_owned(),
    }
}

fn view(m: &method::Model, phases: &[method_phase::Model], english: bool) -> MethodView {
    MethodView {
        id: m.id,
        name: pick(&m.name, &m.name_en, english),
        summary: pick(&m.summary, &m.summary_en, english),
        shipped: m.network_id.is_none(),
        phases: phases
            .iter()
            .map(|p| PhaseView {
                name: pick(&p.name, &p.name_en, english),
                guidance: pick(&p.guidance, &p.guidance_en, english),
                minutes: p.minutes.max(0) as u32,
                contributors: p
                    .contributors
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect(),
    }
}

pub async fn method_view<C: ConnectionTrait>(
    db: &C,
    id: i64,
    english: bool,
) -> Result<Option<MethodView>, AppError> {
    let Some(m) = method::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let phases = method_phase::Entity::find()
        .filter(method_phase::Column::MethodId.eq(id))
        .order_by_asc(method_phase::Column::Position)
        .all(db)
        .await?;
    Ok(Some(view(&m, &phases, english)))
}

pub async fn phase_count<C: ConnectionTrait>(db: &C, method_id: i64) -> Result<u32, AppError> {
    Ok(method_phase::Entity::find()
        .filter(method_phase::Column::MethodId.eq(method_id))
        .count(db)
        .await? as u32)
}

/// The methods a network may use: shipped ones, then its own.
pub async fn for_network<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
    english: bool,
) -> Result<Vec<MethodView>, AppError> {
    authz::check(actor, Action::ViewMembers, Target::Network(network_id))?;
    let methods = method::Entity::find()
        .filter(
            method::Column::NetworkId
                .is_null()
                .or(method::Column::NetworkId.eq(network_id)),
        )
        .order_by_asc(method::Column::NetworkId)
        .order_by_asc(method::Column::Id)
        .all(db)
        .await?;
    let mut phases: HashMap<i64, Vec<method_phase::Model>> = HashMap::new();
    for p in method_phase::Entity::find()
        .filter(method_phase::Column::MethodId.is_in(methods.iter().map(|m| m.id)))
        .order_by_asc(method_phase::Column::Position)
        .all(db)
        .await?
    {
        phases.entry(p.method_id).or_default().push(p);
    }
    Ok(methods
        .iter()
        .map(|m| view(m, phases.get(&m.id).map(Vec::as_slice).unwrap_or(&[]), english))
        .collect())
}

/// Copies a method (shipped or the network's own) into the network, in the
/// facilitator's language, ready to edit.
pub async fn copy<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
    method_id: i64,
    english: bool,
) -> Result<i64, AppError> {
    authz::check(actor, Action::EditMethods, Target::Network(network_id))?;
    let source = method::Entity::find_by_id(method_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if source.network_id.is_some_and(|n| n != network_id) {
        return Err(AppError::NotFound);
    }
    let phases = method_phase::Entity::find()
        .filter(method_phase::Column::MethodId.eq(method_id))
        .order_by_asc(method_phase::Column::Position)
        .all(db)
        .await?;
    let v = view(&source, &phases, english);
    let tx = crate::db::begin_write(db).await?;
    let copy = method::ActiveModel {
        network_id: Set(Some(network_id)),
        key: Set(None),
        name: Set(v.name.chars().take(200).collect()),
        summary: Set(v.summary.clone()),
        name_en: Set(None),
        summary_en: Set(None),
        copied_from: Set(Some(source.id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    write_phases(&tx, copy.id, &v.phases).await?;
    tx.commit().await?;
    Ok(copy.id)
}

async fn write_phases<C: ConnectionTrait>(
    db: &C,
    method_id: i64,
    phases: &[PhaseView],
) -> Result<(), AppError> {
    method_phase::Entity::delete_many()
        .filter(method_phase::Column::MethodId.eq(method_id))
        .exec(db)
        .await?;
    if phases.is_empty() {
        return Ok(());
    }
    method_phase::Entity::insert_many(phases.iter().enumerate().map(|(i, p)| method_phase::ActiveModel {
        method_id: Set(method_id),
        position: Set(i as i32),
        name: Set(p.name.clone()),
        guidance: Set(p.guidance.clone()),
        name_en: Set(None),
        guidance_en: Set(None),
        minutes: Set(p.minutes as i32),
        contributors: Set(p.contributors.join(",")),
        ..Default::default()
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Replaces the name, summary and phases of one of the network's own
/// methods (shipped methods are copied first, never changed).
pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    method_id: i64,
    name: &str,
    summary: &str,
    phases: Vec<PhaseView>,
) -> Result<(), AppError> {
    let m = method::Entity::find_by_id(method_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let network_id = m.network_id.ok_or(AppError::NotFound)?;
    authz::check(actor, Action::EditMethods, Target::Network(network_id))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(Field::Method, Problem::Empty));
    }
    if name.chars().count() > 200 {
        return Err(AppError::invalid(Field::Method, Problem::TooLong { max: 200 }));
    }
    if summary.chars().count() > GUIDANCE_MAX {
        return Err(AppError::invalid(
            Field::Description,
            Problem::TooLong {
                max: GUIDANCE_MAX as u32,
            },
        ));
    }
    if phases.is_empty() {
        return Err(AppError::invalid(Field::PhaseName, Problem::Empty));
    }
    if phases.len() > PHASES_MAX {
        return Err(AppError::invalid(
            Field::PhaseName,
            Problem::TooLong {
                max: PHASES_MAX as u32,
            },
        ));
    }
    for p in &phases {
        if p.name.trim().is_empty() {
            return Err(AppError::invalid(Field::PhaseName, Problem::Empty));
        }
        if p.name.chars().count() > PHASE_NAME_MAX {
            return Err(AppError::invalid(
                Field::PhaseName,
                Problem::TooLong {
                    max: PHASE_NAME_MAX as u32,
                },
            ));
        }
        if p.guidance.chars().count() > GUIDANCE_MAX {
            return Err(AppError::invalid(
                Field::Guidance,
                Problem::TooLong {
                    max: GUIDANCE_MAX as u32,
                },
            ));
        }
        if p.minutes == 0 || p.minutes > 240 {
            return Err(AppError::invalid(Field::PhaseMinutes, Problem::Malformed));
        }
        if p.contributors.is_empty() {
            return Err(AppError::invalid(Field::Contributors, Problem::Empty));
        }
        if p.contributors.iter().any(|c| !CONTRIBUTORS.contains(&c.as_str())) {
            return Err(AppError::invalid(Field::Contributors, Problem::Malformed));
        }
    }
    let tx = crate::db::begin_write(db).await?;
    let mut am: method::ActiveModel = m.into();
    am.name = Set(name.to_owned());
    am.summary = Set(summary.trim().to_owned());
    am.update(&tx).await?;
    write_phases(&tx, method_id, &phases).await?;
    tx.commit().await?;
    Ok(())
}
