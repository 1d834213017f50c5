//! The intervision methods that ship with Kring, as data
//! (`data/methods.json`, Dutch and English). Networks copy and edit them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use serde::Deserialize;

use crate::m20261124_000004_sessions::{MethodPhases, Methods};

pub const JSON: &str = include_str!("../data/methods.json");

/// Who may speak in a phase.
pub const CONTRIBUTORS: [&str; 4] = ["case_owner", "participants", "facilitator", "expert"];

#[derive(Debug, Clone, Deserialize)]
pub struct Text {
    pub nl: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ShippedPhase {
    pub name: Text,
    pub guidance: Text,
    pub minutes: u32,
    pub contributors: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ShippedMethod {
    pub key: String,
    pub name: Text,
    pub summary: Text,
    pub phases: Vec<ShippedPhase>,
}

/// Parses and checks the shipped methods.
pub fn parse(json: &str) -> Result<Vec<ShippedMethod>, String> {
    let methods: Vec<ShippedMethod> = serde_json::from_str(json).map_err(|e| format!("methods.json: {e}"))?;
    for m in &methods {
        let texts = [&m.name, &m.summary];
        if m.key.is_empty() || m.phases.is_empty() || texts.iter().any(|t| t.nl.is_empty() || t.en.is_empty())
        {
            return Err(format!("methods.json: method {:?} is incomplete", m.key));
        }
        for p in &m.phases {
            if p.minutes == 0
                || p.contributors.is_empty()
                || p.contributors.iter().any(|c| !CONTRIBUTORS.contains(&c.as_str()))
                || [&p.name, &p.guidance]
                    .iter()
                    .any(|t| t.nl.is_empty() || t.en.is_empty())
            {
                return Err(format!("methods.json: a phase of {:?} is incomplete", m.key));
            }
        }
    }
    Ok(methods)
}

/// Loads (or refreshes) the shipped methods; safe to run again. Phases are
/// rewritten in place by position, so sessions keep pointing at the method.
pub async fn load<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    for m in parse(JSON).map_err(DbErr::Custom)? {
        let mut insert = Query::insert();
        insert
            .into_table(Methods::Table)
            .columns([
                Methods::Key,
                Methods::Name,
                Methods::Summary,
                Methods::NameEn,
                Methods::SummaryEn,
                Methods::CreatedAt,
            ])
            .values_panic([
                m.key.clone().into(),
                m.name.nl.clone().into(),
                m.summary.nl.clone().into(),
                m.name.en.clone().into(),
                m.summary.en.clone().into(),
                Expr::current_timestamp().into(),
            ])
            .on_conflict(
                OnConflict::column(Methods::Key)
                    .update_columns([
                        Methods::Name,
                        Methods::Summary,
                        Methods::NameEn,
                        Methods::SummaryEn,
                    ])
                    .to_owned(),
            );
        db.execute(backend.build(&insert)).await?;
        let row = db
            .query_one(
                backend.build(
                    Query::select()
                        .column(Methods::Id)
                        .from(Methods::Table)
                        .and_where(Expr::col(Methods::Key).eq(m.key.clone())),
                ),
            )
            .await?
            .ok_or_else(|| DbErr::Custom(format!("method {} not stored", m.key)))?;
        let method_id: i64 = row.try_get("", "id")?;
        db.execute(
            backend.build(
                Query::delete()
                    .from_table(MethodPhases::Table)
                    .and_where(Expr::col(MethodPhases::MethodId).eq(method_id)),
            ),
        )
        .await?;
        let mut phases = Query::insert();
        phases.into_table(MethodPhases::Table).columns([
            MethodPhases::MethodId,
            MethodPhases::Position,
            MethodPhases::Name,
            MethodPhases::Guidance,
            MethodPhases::NameEn,
            MethodPhases::GuidanceEn,
            MethodPhases::Minutes,
            MethodPhases::Contributors,
        ]);
        for (i, p) in m.phases.iter().enumerate() {
            phases.values_panic([
                method_id.into(),
                (i as i32).into(),
                p.name.nl.clone().into(),
                p.guidance.nl.clone().into(),
                p.name.en.clone().into(),
                p.guidance.en.clone().into(),
                (p.minutes as i32).into(),
                p.contributors.join(",").into(),
            ]);
        }
        db.execute(backend.build(&phases)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_methods_are_complete() {
        let methods = super::parse(super::JSON).expect("valid methods.json");
        let keys: Vec<&str> = methods.iter().map(|m| m.key.as_str()).collect();
        for key in ["incident", "solution_focused", "learning_round"] {
            assert!(keys.contains(&key), "{key} ships");
        }
        assert!(methods.iter().all(|m| m.phases.len() >= 3));
    }
}
