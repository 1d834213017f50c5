//! Networks: who belongs where, in which role. Plain functions over a
//! database handle; every read and write asks `authz` first.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::entity::{
    membership, municipality, network, network_municipality, network_organisation, organisation,
};
use super::{MemberView, MembersView, MyNetwork, NetworkKind, NetworkRole, NetworkView};
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
    /// NIS codes (see `directory::resolve_municipality_list`).
    pub municipalities: Vec<String>,
    /// Organisation names; new ones are created.
    pub organisations: Vec<String>,
}

pub const ORGANISATIONS_MAX: usize = 60;

/// One organisation name per line (or comma): trimmed, de-duplicated.
pub fn parse_organisation_list(text: &str) -> Result<Vec<String>, AppError> {
    let mut names: Vec<String> = Vec::new();
    for name in text.split(['\n', ';']).map(str::trim).filter(|s| !s.is_empty()) {
        if name.chars().count() > NAME_MAX {
            return Err(AppError::invalid(
                Field::Organisations,
                Problem::TooLong { max: NAME_MAX as u32 },
            ));
        }
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.to_owned());
        }
    }
    if names.len() > ORGANISATIONS_MAX {
        return Err(AppError::invalid(
            Field::Organisations,
            Problem::TooLong {
                max: ORGANISATIONS_MAX as u32,
            },
        ));
    }
    Ok(names)
}

/// Creates a network with its first facilitator (normally the creator; an
/// admin may hand it to someone else), so no network is ever without one.
pub async fn create_network<C: ConnectionTrait + TransactionTrait>(
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
    for code in &new.municipalities {
        if municipality::Entity::find_by_id(code.clone())
            .one(db)
            .await?
            .is_none()
        {
            return Err(AppError::UnknownMunicipality(code.clone()));
        }
    }
    let tx = crate::db::begin_write(db).await?;
    let db = &tx;
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
    set_municipalities(db, created.id, &new.municipalities).await?;
    for name in &new.organisations {
        let org = ensure_organisation(db, name, "other").await?;
        add_organisation(db, created.id, org).await?;
    }
    tx.commit().await?;
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

/// Where an organisation is based (None: unknown).
pub async fn set_organisation_municipality<C: ConnectionTrait>(
    db: &C,
    organisation_id: i64,
    nis_code: Option<&str>,
) -> Result<(), AppError> {
    organisation::Entity::update_many()
        .col_expr(
            organisation::Column::MunicipalityNis,
            sea_orm::sea_query::Expr::value(nis_code.map(str::to_owned)),
        )
        .filter(organisation::Column::Id.eq(organisation_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks members (by email) as the network's listed contacts; for imports
/// and the demo, where consent was given outside Kring.
pub async fn list_as_contacts<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
    emails: &[&str],
) -> Result<(), AppError> {
    let ids: Vec<i64> = user::Entity::find()
        .filter(user::Column::Email.is_in(emails.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    membership::Entity::update_many()
        .col_expr(
            membership::Column::ListedContact,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(membership::Column::NetworkId.eq(network_id))
        .filter(membership::Column::UserId.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
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
    // Who let them in (an invitation, a decided request) is in that row.
    let event = crate::audit::domain::Event::new(crate::audit::AuditAction::MemberAdded);
    crate::audit::domain::record(db, event.network(network_id).about(user_id).detail(role.as_str())).await?;
    Ok(())
}

/// Which municipalities a network covers (replaces the previous set).
pub async fn set_municipalities<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
    codes: &[String],
) -> Result<(), AppError> {
    network_municipality::Entity::delete_many()
        .filter(network_municipality::Column::NetworkId.eq(network_id))
        .exec(db)
        .await?;
    if codes.is_empty() {
        return Ok(());
    }
    network_municipality::Entity::insert_many(codes.iter().map(|c| network_municipality::ActiveModel {
        network_id: Set(network_id),
        nis_code: Set(c.clone()),
    }))
    .on_conflict(
        OnConflict::columns([
            network_municipality::Column::NetworkId,
            network_municipality::Column::NisCode,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
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

/// The network page. Anyone signed in sees the about part (the directory
/// sends people here); what members see lives on the members-only pages.
/// A refused or unknown slug is NotFound alike.
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
    let mut organisations: Vec<String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.name)
        .collect();
    organisations.sort();
    let codes: Vec<String> = network_municipality::Entity::find()
        .filter(network_municipality::Column::NetworkId.eq(net.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.nis_code)
        .collect();
    let municipalities: Vec<String> = municipality::Entity::find()
        .filter(municipality::Column::NisCode.is_in(codes))
        .order_by_asc(municipality::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.name)
        .collect();
    let member_count = membership::Entity::find()
        .filter(membership::Column::NetworkId.eq(net.id))
        .count(db)
        .await?;
    let (listed_contact, pending_request) = match actor.user {
        Some(me) => {
            let mine = membership::Entity::find()
                .filter(membership::Column::NetworkId.eq(net.id))
                .filter(membership::Column::UserId.eq(me))
                .one(db)
                .await?;
            (
                mine.is_some_and(|m| m.listed_contact),
                super::members::has_pending_request(db, net.id, me).await?,
            )
        }
        None => (false, false),
    };
    let target = Target::Network(net.id);
    Ok(NetworkView {
        my_role: actor.role_in(net.id),
        may_see_members: authz::may(actor, Action::ViewMembers, target),
        may_manage: authz::may(actor, Action::InviteMembers, target),
        may_request: authz::may(actor, Action::RequestToJoin, target),
        may_handover: authz::may(actor, Action::SendHandover, target) && actor.role_in(net.id).is_none(),
        listed_contact,
        pending_request,
        member_count,
        slug: net.slug,
        name: net.name,
        description: net.description,
        kind: NetworkKind::parse(&net.kind).unwrap_or(NetworkKind::Local),
        join_policy: net.join_policy,
        municipalities,
        organisations,
    })
}

/// The members-only page: who takes part, with organisation and role.
pub async fn members_view<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    filter: &str,
    page: u32,
) -> Result<MembersView, AppError> {
    let net = find_by_slug(db, slug).await?.ok_or(AppError::NotFound)?;
    authz::check(actor, Action::ViewMembers, Target::Network(net.id))?;
    // One narrow query for the whole list (ids, names, roles: a few kB even
    // for a large network); filtering and ordering happen here so that the
    // name filter forgives accents, and only one page is rendered.
    let rows: Vec<(i64, String, String, Option<i64>, bool)> = membership::Entity::find()
        .select_only()
        .column(membership::Column::UserId)
        .column(user::Column::DisplayName)
        .column(membership::Column::Role)
        .column(membership::Column::OrganisationId)
        .column(membership::Column::ListedContact)
        .join(
            JoinType::InnerJoin,
            membership::Entity::belongs_to(user::Entity)
                .from(membership::Column::UserId)
                .to(user::Column::Id)
                .into(),
        )
        .filter(membership::Column::NetworkId.eq(net.id))
        .into_tuple()
        .all(db)
        .await?;
    let total = rows.len() as u32;
    let wanted = super::directory::fold(filter.trim());
    let mut matching: Vec<_> = rows
        .into_iter()
        .filter_map(|(id, name, role, org, listed)| {
            let role = NetworkRole::parse(&role)?;
            (wanted.is_empty() || super::directory::fold(&name).contains(&wanted))
                .then_some((id, name, role, org, listed))
        })
        .collect();
    matching.sort_by(|a, b| (a.2.rank(), &a.1).cmp(&(b.2.rank(), &b.1)));
    let pages = (matching.len() as u32).div_ceil(MEMBERS_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let shown: Vec<_> = matching
        .iter()
        .skip(((page - 1) * MEMBERS_PER_PAGE) as usize)
        .take(MEMBERS_PER_PAGE as usize)
        .cloned()
        .collect();
    let orgs = organisation_names(db, shown.iter().filter_map(|m| m.3)).await?;
    let members = shown
        .into_iter()
        .map(|(user_id, name, role, org, listed_contact)| MemberView {
            user_id,
            name,
            role,
            organisation: org.and_then(|o| orgs.get(&o).cloned()),
            listed_contact,
            is_me: actor.user == Some(user_id),
        })
        .collect();
    Ok(MembersView {
        may_manage: authz::may(actor, Action::ChangeRoles, Target::Network(net.id)),
        slug: net.slug,
        name: net.name,
        members,
        total,
        matching: matching.len() as u32,
        page,
        pages,
        filter: filter.trim().to_string(),
    })
}

/// Members shown per page of the member list.
pub const MEMBERS_PER_PAGE: u32 = 50;

async fn organisation_names<C: ConnectionTrait>(
    db: &C,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>, AppError> {
    let ids: Vec<i64> = ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .column(organisation::Column::Name)
        .filter(organisation::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// One member, for the facilitators' page about that member. NotFound for
/// anyone who may not change roles, and for someone who is not a member.
pub async fn member_detail<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    user_id: i64,
) -> Result<super::MemberDetail, AppError> {
    let net = find_by_slug(db, slug).await?.ok_or(AppError::NotFound)?;
    authz::check(actor, Action::ChangeRoles, Target::Network(net.id))?;
    let m = membership::Entity::find()
        .filter(membership::Column::NetworkId.eq(net.id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let person = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let orgs = organisation_names(db, m.organisation_id.into_iter()).await?;
    Ok(super::MemberDetail {
        slug: net.slug,
        network_name: net.name,
        member: MemberView {
            user_id,
            name: person.display_name,
            role: NetworkRole::parse(&m.role).ok_or(AppError::NotFound)?,
            organisation: m.organisation_id.and_then(|o| orgs.get(&o).cloned()),
            listed_contact: m.listed_contact,
            is_me: actor.user == Some(user_id),
        },
    })
}

/// The facilitators' page: invitations, join requests, handover requests.
pub async fn manage_view<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
) -> Result<super::ManageView, AppError> {
    let net = find_by_slug(db, slug).await?.ok_or(AppError::NotFound)?;
    authz::check(actor, Action::InviteMembers, Target::Network(net.id))?;
    Ok(super::ManageView {
        invitations: super::members::pending_invitations(db, actor, net.id).await?,
        join_requests: super::members::pending_join_requests(db, actor, net.id).await?,
        handovers: super::directory::handovers(db, actor, net.id).await?,
        slug: net.slug,
        name: net.name,
    })
}
