//! Who joins and leaves a network: invitations (one-time links that expire
//! after 14 days and create the account if needed), join requests, role
//! changes, removal, leaving — and the rule that a network always keeps a
//! facilitator. Every function asks `authz` first.

use base64::Engine;
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};

use super::entity::{invitation, join_request, membership, network, person_organisation};
use super::{InvitationState, InvitationView, JoinRequestView, NetworkRole, PendingInvitation};
use crate::accounts::domain as accounts;
use crate::accounts::entity::user;
use crate::audit::AuditAction;
use crate::audit::domain::{self as audit, Event};
use crate::authz::{self, Action, Actor, Target};
use crate::errors::{AppError, Field, Problem};
use crate::i18n::Locale;
use crate::mail::{self, Outgoing};

pub const INVITATION_DAYS: i64 = 14;
pub const MESSAGE_MAX: usize = 1_000;

pub(crate) fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn network_by_id<C: ConnectionTrait>(db: &C, id: i64) -> Result<network::Model, AppError> {
    network::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Serialises membership changes of one network: touching the network row
/// takes its row lock (PostgreSQL) or the write lock (SQLite), so two
/// facilitators demoting each other cannot both see "another one is left".
async fn lock_network<C: ConnectionTrait>(db: &C, network_id: i64) -> Result<(), AppError> {
    network::Entity::update_many()
        .col_expr(network::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(network::Column::Id.eq(network_id))
        .exec(db)
        .await?;
    Ok(())
}

async fn facilitator_count<C: ConnectionTrait>(db: &C, network_id: i64) -> Result<u64, AppError> {
    Ok(membership::Entity::find()
        .filter(membership::Column::NetworkId.eq(network_id))
        .filter(membership::Column::Role.eq(NetworkRole::Facilitator.as_str()))
        .count(db)
        .await?)
}

/// The networks a person facilitates.
pub async fn facilitated_by<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(membership::Entity::find()
        .select_only()
        .column(membership::Column::NetworkId)
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::Role.eq(NetworkRole::Facilitator.as_str()))
        .into_tuple()
        .all(db)
        .await?)
}

/// How many facilitators each of these networks has (one grouped query).
pub async fn facilitator_counts<C: ConnectionTrait>(
    db: &C,
    network_ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>, AppError> {
    let rows: Vec<(i64, i64)> = membership::Entity::find()
        .select_only()
        .column(membership::Column::NetworkId)
        .expr_as(Expr::col(membership::Column::Id).count(), "n")
        .filter(membership::Column::NetworkId.is_in(network_ids.to_vec()))
        .filter(membership::Column::Role.eq(NetworkRole::Facilitator.as_str()))
        .group_by(membership::Column::NetworkId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

async fn membership_of<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
    user_id: i64,
) -> Result<Option<membership::Model>, AppError> {
    Ok(membership::Entity::find()
        .filter(membership::Column::NetworkId.eq(network_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// The facilitators' addresses, for notifications.
async fn facilitator_emails<C: ConnectionTrait>(db: &C, network_id: i64) -> Result<Vec<String>, AppError> {
    let ids: Vec<i64> = membership::Entity::find()
        .filter(membership::Column::NetworkId.eq(network_id))
        .filter(membership::Column::Role.eq(NetworkRole::Facilitator.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect())
}

pub(crate) async fn notify_facilitators<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
    subject: &str,
    body: &str,
) -> Result<(), AppError> {
    for to in facilitator_emails(db, network_id).await? {
        mail::enqueue(
            db,
            Outgoing {
                to,
                subject: subject.to_owned(),
                body: body.to_owned(),
            },
        )
        .await?;
    }
    Ok(())
}

fn validate_message(raw: &str, required: bool) -> Result<String, AppError> {
    let message = raw.trim();
    if required && message.is_empty() {
        return Err(AppError::invalid(Field::Message, Problem::Empty));
    }
    if message.chars().count() > MESSAGE_MAX {
        return Err(AppError::invalid(
            Field::Message,
            Problem::TooLong {
                max: MESSAGE_MAX as u32,
            },
        ));
    }
    Ok(message.to_owned())
}

/// Mails go out in Dutch and English: the receiver may have no account yet.
pub(crate) fn bilingual(nl: String, en: String) -> String {
    format!("{nl}\n\n— English —\n\n{en}")
}

/// Invites `email` into the network with `role`. Returns the one-time
/// token (the link is mailed; the caller may also show it once).
pub async fn invite<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
    email: &str,
    role: NetworkRole,
    base_url: &url::Url,
) -> Result<String, AppError> {
    authz::check(actor, Action::InviteMembers, Target::Network(network_id))?;
    let inviter = actor.user.ok_or(AppError::NotSignedIn)?;
    let email = accounts::normalize_email(email)?;
    let net = network_by_id(db, network_id).await?;
    let tx = crate::db::begin_write(db).await?;
    if let Some(existing) = accounts::find_by_email(&tx, &email).await?
        && membership_of(&tx, network_id, existing.id).await?.is_some()
    {
        return Err(AppError::AlreadyMember);
    }
    let now = Utc::now();
    let open = invitation::Entity::find()
        .filter(invitation::Column::NetworkId.eq(network_id))
        .filter(invitation::Column::Email.eq(&email))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .count(&tx)
        .await?;
    if open > 0 {
        return Err(AppError::AlreadyInvited);
    }
    let token = new_token();
    invitation::ActiveModel {
        network_id: Set(network_id),
        email: Set(email.clone()),
        role: Set(role.as_str().to_owned()),
        token_hash: Set(hash_token(&token)),
        invited_by: Set(Some(inviter)),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(INVITATION_DAYS)),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let inviter_name = accounts::find_by_id(&tx, inviter)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let link = invitation_link(base_url, &token);
    let text = |l: Locale| {
        crate::i18n::td_string!(
            l,
            mail.invite_body,
            inviter = inviter_name.as_str(),
            network = net.name.as_str(),
            link = link.as_str(),
            days = INVITATION_DAYS
        )
        .to_string()
    };
    mail::enqueue(
        &tx,
        Outgoing {
            to: email,
            subject: crate::i18n::td_string!(Locale::nl, mail.invite_subject, network = net.name.as_str())
                .to_string(),
            body: bilingual(text(Locale::nl), text(Locale::en)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

pub fn invitation_link(base_url: &url::Url, token: &str) -> String {
    format!("{}/invite/{token}", base_url.as_str().trim_end_matches('/'))
}

async fn find_invitation<C: ConnectionTrait>(db: &C, token: &str) -> Result<invitation::Model, AppError> {
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

fn state_of(inv: &invitation::Model) -> InvitationState {
    if inv.accepted_at.is_some() || inv.revoked_at.is_some() {
        InvitationState::Used
    } else if inv.expires_at <= Utc::now() {
        InvitationState::Expired
    } else {
        InvitationState::Open
    }
}

/// What the invitation page shows. The token is the capability: whoever
/// holds the link sees which network it is for.
pub async fn invitation_view<C: ConnectionTrait>(db: &C, token: &str) -> Result<InvitationView, AppError> {
    let inv = find_invitation(db, token).await?;
    let net = network_by_id(db, inv.network_id).await?;
    let inviter = match inv.invited_by {
        Some(id) => accounts::find_by_id(db, id).await?.map(|u| u.display_name),
        None => None,
    };
    Ok(InvitationView {
        network_name: net.name,
        network_slug: net.slug,
        role: NetworkRole::parse(&inv.role).unwrap_or(NetworkRole::Coach),
        account_exists: accounts::find_by_email(db, &inv.email).await?.is_some(),
        state: state_of(&inv),
        inviter,
        email: inv.email,
    })
}

/// Accepts an invitation: as the signed-in person, or by creating the
/// invited address's account (`new_account` = name and password). Marks
/// the link used in the same transaction; a second use fails.
pub async fn accept_invitation<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    token: &str,
    signed_in: Option<&user::Model>,
    new_account: Option<(&str, &str)>,
) -> Result<(user::Model, String), AppError> {
    let tx = crate::db::begin_write(db).await?;
    let inv = find_invitation(&tx, token).await?;
    match state_of(&inv) {
        InvitationState::Used => return Err(AppError::InvitationUsed),
        InvitationState::Expired => return Err(AppError::InvitationExpired),
        InvitationState::Open => {}
    }
    let person = match (signed_in, new_account) {
        (Some(person), _) => person.clone(),
        (None, Some((display_name, password))) => {
            if accounts::find_by_email(&tx, &inv.email).await?.is_some() {
                return Err(AppError::NotSignedIn);
            }
            accounts::create_user(
                &tx,
                accounts::NewUser {
                    email: &inv.email,
                    display_name,
                    password,
                    is_admin: false,
                    is_demo: false,
                },
            )
            .await?
        }
        (None, None) => return Err(AppError::NotSignedIn),
    };
    // Only one acceptance can flip the row (concurrent clicks, replays).
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Expr::value(Some(Utc::now())))
        .col_expr(invitation::Column::AcceptedBy, Expr::value(Some(person.id)))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&tx)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::InvitationUsed);
    }
    let role = NetworkRole::parse(&inv.role).unwrap_or(NetworkRole::Coach);
    match super::domain::add_member(&tx, inv.network_id, person.id, role, None).await {
        Ok(()) | Err(AppError::AlreadyMember) => {}
        Err(e) => return Err(e),
    }
    let net = network_by_id(&tx, inv.network_id).await?;
    tx.commit().await?;
    Ok((person, net.slug))
}

/// Open invitations of a network, for its facilitators.
pub async fn pending_invitations<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
) -> Result<Vec<PendingInvitation>, AppError> {
    authz::check(actor, Action::InviteMembers, Target::Network(network_id))?;
    let rows = invitation::Entity::find()
        .filter(invitation::Column::NetworkId.eq(network_id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .order_by_desc(invitation::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|inv| PendingInvitation {
            id: inv.id,
            expired: state_of(&inv) == InvitationState::Expired,
            role: NetworkRole::parse(&inv.role).unwrap_or(NetworkRole::Coach),
            expires_on: inv.expires_at.format("%Y-%m-%d").to_string(),
            email: inv.email,
        })
        .collect())
}

pub async fn revoke_invitation<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    invitation_id: i64,
) -> Result<(), AppError> {
    let inv = invitation::Entity::find_by_id(invitation_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    authz::check(actor, Action::InviteMembers, Target::Network(inv.network_id))?;
    invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(Utc::now())))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOutcome {
    /// The network is open: the person is a member now (as coach).
    Joined,
    /// The facilitators decide.
    Requested,
}

/// A signed-in non-member asks to join (or joins an open network).
pub async fn request_to_join<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
    message: &str,
) -> Result<JoinOutcome, AppError> {
    if actor.role_in(network_id).is_some() {
        return Err(AppError::AlreadyMember);
    }
    authz::check(actor, Action::RequestToJoin, Target::Network(network_id))?;
    let person = actor.user.ok_or(AppError::NotSignedIn)?;
    let message = validate_message(message, false)?;
    let net = network_by_id(db, network_id).await?;
    match net.join_policy.as_str() {
        "open" => {
            super::domain::add_member(db, network_id, person, NetworkRole::Coach, None).await?;
            return Ok(JoinOutcome::Joined);
        }
        "request" => {}
        _ => return Err(AppError::InviteOnly),
    }
    let tx = crate::db::begin_write(db).await?;
    let existing = join_request::Entity::find()
        .filter(join_request::Column::NetworkId.eq(network_id))
        .filter(join_request::Column::UserId.eq(person))
        .one(&tx)
        .await?;
    let now = Utc::now();
    match existing {
        Some(req) if req.status == "pending" => return Err(AppError::AlreadyRequested),
        // Asked before and declined (or left since): ask again.
        Some(req) => {
            let mut again: join_request::ActiveModel = req.into();
            again.status = Set("pending".into());
            again.message = Set(message.clone());
            again.created_at = Set(now);
            again.decided_at = Set(None);
            again.decided_by = Set(None);
            again.update(&tx).await?;
        }
        None => {
            join_request::ActiveModel {
                network_id: Set(network_id),
                user_id: Set(person),
                message: Set(message.clone()),
                status: Set("pending".into()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&tx)
            .await
            .map_err(|e| match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::AlreadyRequested,
                _ => AppError::from(e),
            })?;
        }
    }
    let who = accounts::find_by_id(&tx, person)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let text = |l: Locale| {
        crate::i18n::td_string!(
            l,
            mail.join_request_body,
            person = who.as_str(),
            network = net.name.as_str()
        )
        .to_string()
    };
    notify_facilitators(
        &tx,
        network_id,
        &crate::i18n::td_string!(Locale::nl, mail.join_request_subject, network = net.name.as_str())
            .to_string(),
        &bilingual(text(Locale::nl), text(Locale::en)),
    )
    .await?;
    tx.commit().await?;
    Ok(JoinOutcome::Requested)
}

/// Whether the person has a pending request for the network.
pub async fn has_pending_request<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
    user_id: i64,
) -> Result<bool, AppError> {
    Ok(join_request::Entity::find()
        .filter(join_request::Column::NetworkId.eq(network_id))
        .filter(join_request::Column::UserId.eq(user_id))
        .filter(join_request::Column::Status.eq("pending"))
        .count(db)
        .await?
        > 0)
}

pub async fn pending_join_requests<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
) -> Result<Vec<JoinRequestView>, AppError> {
    authz::check(actor, Action::DecideJoinRequests, Target::Network(network_id))?;
    let rows = join_request::Entity::find()
        .filter(join_request::Column::NetworkId.eq(network_id))
        .filter(join_request::Column::Status.eq("pending"))
        .order_by_asc(join_request::Column::CreatedAt)
        .all(db)
        .await?;
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let p = people.iter().find(|p| p.id == r.user_id)?;
            Some(JoinRequestView {
                id: r.id,
                name: p.display_name.clone(),
                email: p.email.clone(),
                message: r.message,
            })
        })
        .collect())
}

/// Approve (with a role) or decline a pending request.
pub async fn decide_join_request<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    request_id: i64,
    approve: Option<NetworkRole>,
) -> Result<(), AppError> {
    let req = join_request::Entity::find_by_id(request_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    authz::check(actor, Action::DecideJoinRequests, Target::Network(req.network_id))?;
    if req.status != "pending" {
        return Err(AppError::NotFound);
    }
    let tx = crate::db::begin_write(db).await?;
    let (network_id, user_id) = (req.network_id, req.user_id);
    let mut decided: join_request::ActiveModel = req.into();
    decided.status = Set(if approve.is_some() { "approved" } else { "declined" }.into());
    decided.decided_at = Set(Some(Utc::now()));
    decided.decided_by = Set(actor.user);
    decided.update(&tx).await?;
    if let Some(role) = approve {
        match super::domain::add_member(&tx, network_id, user_id, role, None).await {
            Ok(()) | Err(AppError::AlreadyMember) => {}
            Err(e) => return Err(e),
        }
    }
    if let Some(person) = accounts::find_by_id(&tx, user_id).await? {
        let net = network_by_id(&tx, network_id).await?;
        let locale = if person.locale.as_deref() == Some("en") {
            Locale::en
        } else {
            Locale::nl
        };
        let body = if approve.is_some() {
            crate::i18n::td_string!(locale, mail.join_approved, network = net.name.as_str()).to_string()
        } else {
            crate::i18n::td_string!(locale, mail.join_declined, network = net.name.as_str()).to_string()
        };
        mail::enqueue(
            &tx,
            Outgoing {
                to: person.email,
                subject: net.name.clone(),
                body,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A facilitator (or admin) changes a member's role.
pub async fn change_role<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
    user_id: i64,
    role: NetworkRole,
) -> Result<(), AppError> {
    authz::check(actor, Action::ChangeRoles, Target::Network(network_id))?;
    let tx = crate::db::begin_write(db).await?;
    lock_network(&tx, network_id).await?;
    let member = membership_of(&tx, network_id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if member.role == NetworkRole::Facilitator.as_str()
        && role != NetworkRole::Facilitator
        && facilitator_count(&tx, network_id).await? <= 1
    {
        return Err(AppError::LastFacilitator);
    }
    let detail = format!("{} → {}", member.role, role.as_str());
    let mut changed: membership::ActiveModel = member.into();
    changed.role = Set(role.as_str().to_owned());
    changed.update(&tx).await?;
    let event = Event::new(AuditAction::RoleChanged)
        .by(actor.user)
        .network(network_id);
    audit::record(&tx, event.about(user_id).detail(detail)).await?;
    tx.commit().await?;
    Ok(())
}

async fn delete_membership<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    let tx = crate::db::begin_write(db).await?;
    lock_network(&tx, network_id).await?;
    let member = membership_of(&tx, network_id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if member.role == NetworkRole::Facilitator.as_str() && facilitator_count(&tx, network_id).await? <= 1 {
        return Err(AppError::LastFacilitator);
    }
    membership::Entity::delete_by_id(member.id).exec(&tx).await?;
    let event = Event::new(AuditAction::MemberRemoved)
        .by(actor.user)
        .network(network_id);
    audit::record(&tx, event.about(user_id).detail(member.role)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    authz::check(actor, Action::RemoveMembers, Target::Network(network_id))?;
    delete_membership(db, actor, network_id, user_id).await
}

pub async fn leave<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
) -> Result<(), AppError> {
    authz::check(actor, Action::Leave, Target::Network(network_id))?;
    let me = actor.user.ok_or(AppError::NotSignedIn)?;
    delete_membership(db, actor, network_id, me).await
}

/// A member agrees (or stops agreeing) to be listed as the network's
/// contact in the directory.
pub async fn set_listed_contact<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
    listed: bool,
) -> Result<(), AppError> {
    authz::check(actor, Action::ListAsContact, Target::Network(network_id))?;
    let me = actor.user.ok_or(AppError::NotSignedIn)?;
    let member = membership_of(db, network_id, me)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut changed: membership::ActiveModel = member.into();
    changed.listed_contact = Set(listed);
    changed.update(db).await?;
    Ok(())
}

/// Records that a person works for an organisation (people can belong to
/// several).
pub async fn add_person_organisation<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    organisation_id: i64,
) -> Result<(), AppError> {
    use sea_orm::sea_query::OnConflict;
    person_organisation::Entity::insert(person_organisation::ActiveModel {
        user_id: Set(user_id),
        organisation_id: Set(organisation_id),
    })
    .on_conflict(
        OnConflict::columns([
            person_organisation::Column::UserId,
            person_organisation::Column::OrganisationId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
