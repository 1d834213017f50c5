//! Cross-municipality learning networks: the "my networks" dashboard, the
//! network pages, membership (invitations, join requests, roles) and the
//! directory. Pages and thin server functions here; the domain
//! (under `ssr`) in `domain`, the tables in `entity`.

mod pages;
pub use pages::{
    DirectoryPage, InvitationPage, ManageNetworkPage, MemberPage, NetworkMembersPage, NetworkPage,
    NetworksPage, NewNetworkPage,
};

#[cfg(feature = "ssr")]
pub mod directory;
#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod members;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::errors::AppError;

/// A person's role in one network (roles are per network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NetworkRole {
    Facilitator,
    Coach,
    ExpertByExperience,
    /// A newcomer looking on: sees the network, not its cases.
    Observer,
}

impl NetworkRole {
    pub const ALL: [NetworkRole; 4] = [
        NetworkRole::Facilitator,
        NetworkRole::Coach,
        NetworkRole::ExpertByExperience,
        NetworkRole::Observer,
    ];

    /// The stored name (database and URLs).
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkRole::Facilitator => "facilitator",
            NetworkRole::Coach => "coach",
            NetworkRole::ExpertByExperience => "expert",
            NetworkRole::Observer => "observer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        NetworkRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Member lists show facilitators first.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetworkKind {
    Local,
    InterMunicipal,
    SupraLocal,
}

impl NetworkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkKind::Local => "local",
            NetworkKind::InterMunicipal => "inter_municipal",
            NetworkKind::SupraLocal => "supra_local",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            NetworkKind::Local,
            NetworkKind::InterMunicipal,
            NetworkKind::SupraLocal,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyNetwork {
    pub slug: String,
    pub name: String,
    pub kind: NetworkKind,
    pub role: NetworkRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub name: String,
    pub role: NetworkRole,
    pub organisation: Option<String>,
    pub listed_contact: bool,
    pub is_me: bool,
}

/// The about part of a network page (anyone signed in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkView {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub kind: NetworkKind,
    pub join_policy: String,
    pub municipalities: Vec<String>,
    pub organisations: Vec<String>,
    pub member_count: u64,
    pub my_role: Option<NetworkRole>,
    pub may_see_members: bool,
    pub may_manage: bool,
    pub may_request: bool,
    pub may_handover: bool,
    pub listed_contact: bool,
    pub pending_request: bool,
}

/// The members-only page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersView {
    pub slug: String,
    pub name: String,
    /// One page of the (filtered) list.
    pub members: Vec<MemberView>,
    pub may_manage: bool,
    /// All members of the network.
    pub total: u32,
    /// Members matching the name filter.
    pub matching: u32,
    pub page: u32,
    pub pages: u32,
    pub filter: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: i64,
    pub email: String,
    pub role: NetworkRole,
    pub expires_on: String,
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverView {
    pub from_name: String,
    pub from_email: String,
    pub municipality: Option<String>,
    pub message: String,
    pub sent_on: String,
}

/// The facilitators' page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManageView {
    pub slug: String,
    pub name: String,
    pub invitations: Vec<PendingInvitation>,
    pub join_requests: Vec<JoinRequestView>,
    pub handovers: Vec<HandoverView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationState {
    Open,
    Expired,
    /// Accepted or withdrawn.
    Used,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub network_name: String,
    pub network_slug: String,
    pub role: NetworkRole,
    pub email: String,
    pub inviter: Option<String>,
    pub state: InvitationState,
    pub account_exists: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalityRef {
    pub nis_code: String,
    pub name: String,
    pub province: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryContact {
    pub name: String,
    pub email: String,
    pub role: NetworkRole,
    pub organisation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryNetwork {
    pub slug: String,
    pub name: String,
    pub kind: NetworkKind,
    pub contacts: Vec<DirectoryContact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryPlace {
    pub municipality: MunicipalityRef,
    pub networks: Vec<DirectoryNetwork>,
    pub organisations: Vec<String>,
}

#[server(endpoint = "my_networks")]
pub async fn my_networks() -> Result<Vec<MyNetwork>, AppError> {
    let st = crate::state::app_state()?;
    let person = crate::accounts::auth::current_user()
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let actor = domain::actor_for(&st.db, Some(&person)).await?;
    domain::my_networks(&st.db, &actor).await
}

#[server(endpoint = "network")]
pub async fn network(slug: String) -> Result<NetworkView, AppError> {
    let st = crate::state::app_state()?;
    let person = crate::accounts::auth::current_user().await?;
    let actor = domain::actor_for(&st.db, person.as_ref()).await?;
    domain::network_view(&st.db, &actor, &slug).await
}

/// Whether the signed-in person may create networks (admins, facilitators).
#[server(endpoint = "may_create_network")]
pub async fn may_create_network() -> Result<bool, AppError> {
    let st = crate::state::app_state()?;
    let person = crate::accounts::auth::current_user().await?;
    let actor = domain::actor_for(&st.db, person.as_ref()).await?;
    Ok(crate::authz::may(
        &actor,
        crate::authz::Action::CreateNetwork,
        crate::authz::Target::Platform,
    ))
}

/// The state, the signed-in person and their actor: what every server
/// function of this area starts with.
#[cfg(feature = "ssr")]
pub(crate) async fn signed_in() -> Result<
    (
        crate::state::AppState,
        crate::accounts::entity::user::Model,
        crate::authz::Actor,
    ),
    AppError,
> {
    let st = crate::state::app_state()?;
    let person = crate::accounts::auth::current_user()
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let actor = domain::actor_for(&st.db, Some(&person)).await?;
    Ok((st, person, actor))
}

/// A network's id by slug, for a write; unknown reads as not found.
#[cfg(feature = "ssr")]
async fn network_id(st: &crate::state::AppState, slug: &str) -> Result<i64, AppError> {
    Ok(domain::find_by_slug(&st.db, slug)
        .await?
        .ok_or(AppError::NotFound)?
        .id)
}

#[cfg(feature = "ssr")]
fn parse_role(raw: &str) -> Result<NetworkRole, AppError> {
    NetworkRole::parse(raw).ok_or(AppError::invalid(
        crate::errors::Field::Role,
        crate::errors::Problem::Malformed,
    ))
}

#[server(endpoint = "create_network")]
pub async fn create_network(
    name: String,
    slug: String,
    description: String,
    kind: String,
    join_policy: String,
    #[server(default)] municipalities: String,
    #[server(default)] organisations: String,
) -> Result<(), AppError> {
    use crate::errors::{Field, Problem};
    let (st, person, actor) = signed_in().await?;
    let result = async {
        let kind =
            NetworkKind::parse(&kind).ok_or(AppError::invalid(Field::NetworkKind, Problem::Malformed))?;
        let new = domain::NewNetwork {
            slug: &slug,
            name: &name,
            description: &description,
            kind,
            join_policy: &join_policy,
            municipalities: directory::resolve_municipality_list(&municipalities)?,
            organisations: domain::parse_organisation_list(&organisations)?,
        };
        domain::create_network(&st.db, &actor, new, (person.id, None)).await
    }
    .await;
    match result {
        Ok(net) => {
            leptos_axum::redirect(&format!("/networks/{}", net.slug));
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<CreateNetwork>(
                &err,
                &[
                    ("name", &name),
                    ("slug", &slug),
                    ("description", &description),
                    ("kind", &kind),
                    ("join_policy", &join_policy),
                    ("municipalities", &municipalities),
                    ("organisations", &organisations),
                ],
            );
            Err(err)
        }
    }
}

#[server(endpoint = "network_members")]
pub async fn network_members(slug: String, filter: String, page: u32) -> Result<MembersView, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::members_view(&st.db, &actor, &slug, &filter, page).await
}

/// One member, for the facilitators' member page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub slug: String,
    pub network_name: String,
    pub member: MemberView,
}

#[server(endpoint = "network_member")]
pub async fn network_member(slug: String, user_id: i64) -> Result<MemberDetail, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::member_detail(&st.db, &actor, &slug, user_id).await
}

#[server(endpoint = "network_manage")]
pub async fn network_manage(slug: String) -> Result<ManageView, AppError> {
    let (st, _, actor) = signed_in().await?;
    domain::manage_view(&st.db, &actor, &slug).await
}

/// Where a facilitator lands after an action on the management page.
#[cfg(feature = "ssr")]
fn back_to(slug: &str, page: &str, done: &str) {
    leptos_axum::redirect(&format!("/networks/{slug}/{page}?done={done}"));
}

#[server(endpoint = "invite_member")]
pub async fn invite_member(slug: String, email: String, role: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let result = async {
        let id = network_id(&st, &slug).await?;
        let role = parse_role(&role)?;
        members::invite(&st.db, &actor, id, &email, role, &st.settings.base_url).await
    }
    .await;
    match result {
        Ok(_token) => {
            back_to(&slug, "manage", "invited");
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<InviteMember>(&err, &[("email", &email), ("role", &role)]);
            Err(err)
        }
    }
}

#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(slug: String, id: i64) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    members::revoke_invitation(&st.db, &actor, id).await?;
    back_to(&slug, "manage", "revoked");
    Ok(())
}

#[server(endpoint = "decide_join")]
pub async fn decide_join(slug: String, id: i64, decision: String, role: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let approve = match decision.as_str() {
        "approve" => Some(parse_role(&role)?),
        _ => None,
    };
    members::decide_join_request(&st.db, &actor, id, approve).await?;
    back_to(
        &slug,
        "manage",
        if approve.is_some() { "approved" } else { "declined" },
    );
    Ok(())
}

#[server(endpoint = "change_member_role")]
pub async fn change_member_role(slug: String, user_id: i64, role: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let id = network_id(&st, &slug).await?;
    members::change_role(&st.db, &actor, id, user_id, parse_role(&role)?).await?;
    back_to(&slug, "members", "role");
    Ok(())
}

#[server(endpoint = "remove_member")]
pub async fn remove_member(slug: String, user_id: i64) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let id = network_id(&st, &slug).await?;
    members::remove_member(&st.db, &actor, id, user_id).await?;
    back_to(&slug, "members", "removed");
    Ok(())
}

#[server(endpoint = "leave_network")]
pub async fn leave_network(slug: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let id = network_id(&st, &slug).await?;
    members::leave(&st.db, &actor, id).await?;
    leptos_axum::redirect("/networks?done=left");
    Ok(())
}

#[server(endpoint = "request_to_join")]
pub async fn request_to_join(slug: String, #[server(default)] message: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let result = async {
        let id = network_id(&st, &slug).await?;
        members::request_to_join(&st.db, &actor, id, &message).await
    }
    .await;
    match result {
        Ok(members::JoinOutcome::Joined) => {
            leptos_axum::redirect(&format!("/networks/{slug}?done=joined"));
            Ok(())
        }
        Ok(members::JoinOutcome::Requested) => {
            leptos_axum::redirect(&format!("/networks/{slug}?done=requested"));
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<RequestToJoin>(&err, &[("message", &message)]);
            Err(err)
        }
    }
}

#[server(endpoint = "set_listed_contact")]
pub async fn set_listed_contact(slug: String, listed: String) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    let id = network_id(&st, &slug).await?;
    members::set_listed_contact(&st.db, &actor, id, listed == "yes").await?;
    leptos_axum::redirect(&format!("/networks/{slug}"));
    Ok(())
}

/// The invitation page (no sign-in needed: the token is the key).
#[server(endpoint = "invitation")]
pub async fn invitation(token: String) -> Result<InvitationView, AppError> {
    let st = crate::state::app_state()?;
    members::invitation_view(&st.db, &token).await
}

#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    #[server(default)] display_name: String,
    #[server(default)] password: String,
    #[server(default)] password_repeat: String,
) -> Result<(), AppError> {
    use crate::errors::{Field, Problem};
    let st = crate::state::app_state()?;
    let me = crate::accounts::auth::current_user().await?;
    let result = async {
        let new_account = if me.is_none() {
            if password != password_repeat {
                return Err(AppError::invalid(Field::Password, Problem::Mismatch));
            }
            Some((display_name.as_str(), password.as_str()))
        } else {
            None
        };
        members::accept_invitation(&st.db, &token, me.as_ref(), new_account).await
    }
    .await;
    match result {
        Ok((person, slug)) => {
            if me.is_none() {
                crate::accounts::auth::start_session(&person, false).await?;
            }
            leptos_axum::redirect(&format!("/networks/{slug}?done=welcome"));
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<AcceptInvitation>(&err, &[("display_name", &display_name)]);
            Err(err)
        }
    }
}

#[server(endpoint = "directory")]
pub async fn directory(q: String) -> Result<Vec<DirectoryPlace>, AppError> {
    let (st, _, actor) = signed_in().await?;
    directory::search(&st.db, &actor, &q).await
}

/// Whether the signed-in person may send handover requests.
#[server(endpoint = "may_send_handover")]
pub async fn may_send_handover() -> Result<bool, AppError> {
    let (_, _, actor) = signed_in().await?;
    // The rule does not depend on the receiving network: ask it platform-wide.
    Ok(crate::authz::may(
        &actor,
        crate::authz::Action::SendHandover,
        crate::authz::Target::Platform,
    ))
}

#[server(endpoint = "send_handover")]
pub async fn send_handover(
    slug: String,
    #[server(default)] nis_code: String,
    message: String,
    #[server(default)] q: String,
) -> Result<(), AppError> {
    let (st, _, actor) = signed_in().await?;
    match directory::send_handover(&st.db, &actor, &slug, Some(&nis_code), &message).await {
        Ok(()) => {
            leptos_axum::redirect(&format!(
                "/directory?q={}&done=handover",
                crate::ui::urlencode(&q)
            ));
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<SendHandover>(
                &err,
                &[("message", &message), ("handover_to", &slug)],
            );
            Err(err)
        }
    }
}
