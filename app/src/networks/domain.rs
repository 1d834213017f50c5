//! Networks: who belongs where, in which role. Plain functions over a
//! database handle; every read and write asks `authz` first.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::entity::{membership, network, network_organisation, organisation};
use super::{MemberView, MyNetwork, NetworkKind, NetworkRole, NetworkView};
use crate::accounts::entity::user;
use crate::authz::{self, Action, Actor, Target};
use crate::errors::{AppError, Field, Problem};

pub const NAME_MAX: usize = 200;
pub const SLUG_MAX: usize = 80;
pub const DESCRIPTION_MAX: usize = 5_000;

/// The actor for authorization: the person and their role in each network.
pub async fn actor_for<C: ConnectionTrait>(db: &C, person: Option<&user::Model>) -> Result<Actor, AppError> {
    let Some(person) = person else {
        return Ok(Actor::anonymous());
    };
    let roles: HashMap<i64, NetworkRole> = membership::Entity::find()
        .filter(membership::Column::UserId.eq(person.id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| NetworkRole::parse(&m.role).map(|r| (m.network_id, r)))
        .collect();
    Ok(Actor::user(person.id, person.is_admin, roles))
}

/// Lowercase letters, digits and single hyphens: safe in URLs forever.
pub fn validate_slug(raw: &str) -> Result<String, AppError> {
    let slug = raw.trim().to_lowercase();
    if slug.is_empty() {
        return Err(AppError::invalid(Field::Slug, Problem::Empty));
    }
    if slug.len() > SLUG_MAX {
        return Err(AppError::invalid(
            Field::Slug,
            Problem::TooLong { max: SLUG_MAX as u32 },
        ));
    }
    let ok = slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if ok {
        Ok(slug)
    } else {
        Err(AppError::invalid(Field::Slug, Problem::Malformed))
    }
}

pub struct NewNetwork<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub kind: NetworkKind,
    pub join_policy: &'a str,
}

/// Creates a network with its first facilitator (normally the creator; an
/// admin may hand it to someone else), so no network is ever without one.
pub async fn create_network<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: NewNetwork<'_>,
    (first_facilitator, their_organisation): (i64, Option<i64>),
) -> Result<network::Model, AppError> {
    authz::check(actor, Action::CreateNetwork, Target::Platform)?;
    let creator = actor.user.ok_or(AppError::NotSignedIn)?;
    if first_facilitator != creator && !actor.is_admin {
        return Err(AppError::NotFound);
    }
    let slug = validate_slug(new.slug)?;
    let name = new.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(Field::NetworkName, Problem::Empty));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::invalid(
            Field::NetworkName,
            Problem::TooLong { max: NAME_MAX as u32 },
        ));
    }
    if new.description.chars().count() > DESCRIPTION_MAX {
        return Err(AppError::invalid(
            Field::Description,
            Problem::TooLong {
                max: DESCRIPTION_MAX as u32,
            },
        ));
    }
    if !matches!(new.join_policy, "invite" | "request" | "open") {
        return Err(AppError::invalid(Field::JoinPolicy, Problem::Malformed));
    }
    if network::Entity::find()
        .filter(network::Column::Slug.eq(&slug))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::SlugTaken);
    }
    if network::Entity::find()
        .filter(network::Column::Name.eq(name))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::NameTaken);
    }
    let now = Utc::now();
    let created = network::ActiveModel {
        slug: Set(slug),
        name: Set(name.to_owned()),
        description: Set(new.description.trim().to_owned()),
        kind: Set(new.kind.as_str().to_owned()),
        join_policy: Set(new.join_policy.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::SlugTaken,
        _ => AppError::from(e),
    })?;
    add_member(
        db,
        created.id,
        first_facilitator,
        NetworkRole::Facilitator,
        their_organisation,
    )
    .await?;
    Ok(created)
}

/// An organisation by name, created if new (reference data for the demo
/// and imports).
pub async fn ensure_organisation<C: ConnectionTrait>(
    db: &C,
    name: &str,
    kind: &str,
) -> Result<i64, AppError> {
    if let Some(found) = organisation::Entity::find()
        .filter(organisation::Column::Name.eq(name))
        .one(db)
        .await?
    {
        return Ok(found.id);
    }
    let created = organisation::ActiveModel {
        name: Set(name.to_owned()),
        kind: Set(kind.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(created.id)
}

pub async fn add_organisation<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
    organisation_id: i64,
) -> Result<(), AppError> {
    network_organisation::Entity::insert(network_organisation::ActiveModel {
        network_id: Set(network_id),
        organisation_id: Set(organisation_id),
    })
    .on_conflict(
        OnConflict::columns([
            network_organisation::Column::NetworkId,
            network_organisation::Column::OrganisationId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn add_member<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
    user_id: i64,
    role: NetworkRole,
    organisation_id: Option<i64>,
) -> Result<(), AppError> {
    let existing = membership::Entity::find()
        .filter(membership::Column::NetworkId.eq(network_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    if existing.is_some() {
        return Err(AppError::AlreadyMember);
    }
    membership::ActiveModel {
        network_id: Set(network_id),
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        organisation_id: Set(organisation_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::AlreadyMember,
        _ => AppError::from(e),
    })?;
    Ok(())
}

pub async fn find_by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<Option<network::Model>, AppError> {
    Ok(network::Entity::find()
        .filter(network::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The "my networks" dashboard: every network the person belongs to.
pub async fn my_networks<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<Vec<MyNetwork>, AppError> {
    if actor.roles.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = actor.roles.keys().copied().collect();
    let nets = network::Entity::find()
        .filter(network::Column::Id.is_in(ids))
        .order_by_asc(network::Column::Name)
        .all(db)
        .await?;
    Ok(nets
        .into_iter()
        .filter_map(|n| {
            Some(MyNetwork {
                role: actor.role_in(n.id)?,
                kind: NetworkKind::parse(&n.kind).unwrap_or(NetworkKind::Local),
                slug: n.slug,
                name: n.name,
            })
        })
        .collect())
}

/// The network page. Anyone signed in sees the about part; members (and
/// admins) see who takes part. A refused or unknown slug is NotFound alike.
pub async fn network_view<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
) -> Result<NetworkView, AppError> {
    let net = find_by_slug(db, slug).await?.ok_or(AppError::NotFound)?;
    authz::check(actor, Action::ViewNetwork, Target::Network(net.id))?;
    let org_ids: Vec<i64> = network_organisation::Entity::find()
        .filter(network_organisation::Column::NetworkId.eq(net.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.organisation_id)
        .collect();
    let orgs: HashMap<i64, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut organisations: Vec<String> = orgs.values().cloned().collect();
    organisations.sort();

    let members = if authz::may(actor, Action::ViewMembers, Target::Network(net.id)) {
        let rows = membership::Entity::find()
            .filter(membership::Column::NetworkId.eq(net.id))
            .all(db)
            .await?;
        let people: HashMap<i64, String> = user::Entity::find()
            .filter(user::Column::Id.is_in(rows.iter().map(|m| m.user_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        let mut members: Vec<MemberView> = rows
            .into_iter()
            .filter_map(|m| {
                Some(MemberView {
                    name: people.get(&m.user_id)?.clone(),
                    role: NetworkRole::parse(&m.role)?,
                    organisation: m.organisation_id.and_then(|o| orgs.get(&o).cloned()),
                })
            })
            .collect();
        members.sort_by(|a, b| (a.role.rank(), &a.name).cmp(&(b.role.rank(), &b.name)));
        Some(members)
    } else {
        None
    };
    Ok(NetworkView {
        my_role: actor.role_in(net.id),
        slug: net.slug,
        name: net.name,
        description: net.description,
        kind: NetworkKind::parse(&net.kind).unwrap_or(NetworkKind::Local),
        organisations,
        members,
    })
}
