//! Cross-municipality learning networks: the "my networks" dashboard and
//! the network page. Pages and thin server functions here; the domain
//! (under `ssr`) in `domain`, the tables in `entity`.

mod pages;
pub use pages::{NetworkPage, NetworksPage, NewNetworkPage};

#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod entity;

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
    pub name: String,
    pub role: NetworkRole,
    pub organisation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkView {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub kind: NetworkKind,
    pub organisations: Vec<String>,
    /// Only for those who may see the members.
    pub members: Option<Vec<MemberView>>,
    pub my_role: Option<NetworkRole>,
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

#[server(endpoint = "create_network")]
pub async fn create_network(
    name: String,
    slug: String,
    description: String,
    kind: String,
    join_policy: String,
) -> Result<(), AppError> {
    use crate::errors::{Field, Problem};
    let st = crate::state::app_state()?;
    let person = crate::accounts::auth::current_user()
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let actor = domain::actor_for(&st.db, Some(&person)).await?;
    let result = match NetworkKind::parse(&kind) {
        None => Err(AppError::invalid(Field::NetworkKind, Problem::Malformed)),
        Some(kind) => {
            let new = domain::NewNetwork {
                slug: &slug,
                name: &name,
                description: &description,
                kind,
                join_policy: &join_policy,
            };
            domain::create_network(&st.db, &actor, new, (person.id, None)).await
        }
    };
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
                ],
            );
            Err(err)
        }
    }
}
