//! People, a network with one member of every role, and cases: what the
//! cases and library tests both start from.

use app::accounts::domain::{self as accounts, NewUser};
use app::accounts::entity::user;
use app::authz::Actor;
use app::cases::Choice;
use app::cases::domain::{self as cases, CaseInput};
use app::cases::text::{Decision, Decisions};
use app::networks::domain::{self as networks, NewNetwork};
use app::networks::{NetworkKind, NetworkRole};
use sea_orm::DatabaseConnection;

pub const BASE: &str = "https://kring.example.be";

pub async fn person(db: &DatabaseConnection, email: &str, admin: bool) -> user::Model {
    accounts::create_user(
        db,
        NewUser {
            email,
            display_name: email.split('@').next().unwrap_or(email),
            password: "wachtwoord-1234",
            is_admin: admin,
            is_demo: false,
        },
    )
    .await
    .unwrap()
}

pub async fn actor(db: &DatabaseConnection, who: &user::Model) -> Actor {
    networks::actor_for(db, Some(who)).await.unwrap()
}

/// A network with a facilitator (lotte), a coach (sofie), an
/// expert-by-experience (mohamed) and an observer (eva), and the platform
/// admin who made it (not a member).
pub struct Net {
    pub slug: String,
    pub id: i64,
    pub facilitator: Actor,
    pub coach: Actor,
    pub expert: Actor,
    pub observer: Actor,
    pub admin: Actor,
}

/// The members bound to discuss cases have accepted the network's
/// confidentiality statement.
pub async fn network(db: &DatabaseConnection, slug: &str) -> Net {
    let admin = person(db, &format!("admin.{slug}@example.be"), true).await;
    let lotte = person(db, &format!("lotte.{slug}@example.be"), false).await;
    let net = networks::create_network(
        db,
        &actor(db, &admin).await,
        NewNetwork {
            slug,
            name: slug,
            description: "",
            kind: NetworkKind::InterMunicipal,
            join_policy: "request",
            municipalities: Vec::new(),
            organisations: Vec::new(),
        },
        (lotte.id, None),
    )
    .await
    .unwrap();
    let mut roles = Vec::new();
    for (who, role) in [
        ("sofie", NetworkRole::Coach),
        ("mohamed", NetworkRole::ExpertByExperience),
        ("eva", NetworkRole::Observer),
    ] {
        let p = person(db, &format!("{who}.{slug}@example.be"), false).await;
        networks::add_member(db, net.id, p.id, role, None).await.unwrap();
        roles.push(actor(db, &p).await);
    }
    let observer = roles.pop().unwrap();
    let expert = roles.pop().unwrap();
    let coach = roles.pop().unwrap();
    let net = Net {
        slug: slug.to_owned(),
        id: net.id,
        facilitator: actor(db, &lotte).await,
        coach,
        expert,
        observer,
        admin: actor(db, &admin).await,
    };
    for a in [&net.facilitator, &net.coach, &net.expert] {
        cases::accept_confidentiality(db, a, slug).await.unwrap();
    }
    net
}

pub fn case_input(title: &str, body: &str) -> CaseInput {
    CaseInput {
        title: title.into(),
        body: body.into(),
        ..Default::default()
    }
}

/// Accepts every suggested pseudonym (as a coach clicking through).
pub async fn accept_all(db: &DatabaseConnection, author: &Actor, id: i64) -> Decisions {
    let editor = cases::editor(db, author, id).await.unwrap();
    Decisions {
        entries: editor
            .check
            .entities
            .iter()
            .map(|e| Decision {
                key: e.key.clone(),
                choice: Choice::Pseudonym,
                label: String::new(),
            })
            .collect(),
    }
}

/// A case by the network's coach, pseudonyms accepted, published.
pub async fn published_case(db: &DatabaseConnection, net: &Net, title: &str, body: &str) -> i64 {
    let id = cases::create_case(db, &net.coach, &net.slug, case_input(title, body))
        .await
        .unwrap();
    let decisions = accept_all(db, &net.coach, id).await;
    cases::save_case(
        db,
        &net.coach,
        id,
        CaseInput {
            decisions,
            ..case_input(title, body)
        },
    )
    .await
    .unwrap();
    cases::publish_case(db, &net.coach, id, BASE).await.unwrap();
    id
}

/// An intervision of `net` a week from now, led with the method `method_key`
/// (e.g. "incident"); its session id.
pub async fn intervision(db: &DatabaseConnection, net: &Net, method_key: &str) -> i64 {
    use app::sessions::domain::{self as sessions, RawSession};
    use app::sessions::entity::method;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let method = method::Entity::find()
        .filter(method::Column::Key.eq(method_key))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let day = (chrono::Utc::now() + chrono::Duration::days(7)).date_naive();
    sessions::schedule(
        db,
        &net.facilitator,
        net.id,
        sessions::parse_input(&RawSession {
            title: "Intervisie".into(),
            kind: "intervision".into(),
            day: day.to_string(),
            start: "13:30".into(),
            end: "15:30".into(),
            zone: "Europe/Brussels".into(),
            method: method.id.to_string(),
            ..Default::default()
        })
        .unwrap(),
    )
    .await
    .unwrap()
    .first_session
}
