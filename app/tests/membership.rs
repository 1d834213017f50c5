//! Membership and the directory on SQLite and PostgreSQL: invitations,
//! join requests, roles, the last-facilitator rule, listed contacts,
//! handover requests and the mail outbox.

mod common;

use app::AppError;
use app::accounts::domain::{self as accounts, NewUser};
use app::accounts::entity::user;
use app::authz::Actor;
use app::errors::{Field, Problem};
use app::mail::{self, Outgoing, Transport};
use app::networks::domain::{self, NewNetwork};
use app::networks::entity::invitation;
use app::networks::{NetworkKind, NetworkRole, directory, members};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};

async fn person(db: &DatabaseConnection, email: &str) -> user::Model {
    accounts::create_user(
        db,
        NewUser {
            email,
            display_name: email.split('@').next().unwrap_or(email),
            password: "wachtwoord-1234",
            is_admin: false,
            is_demo: false,
        },
    )
    .await
    .unwrap()
}

async fn actor(db: &DatabaseConnection, who: &user::Model) -> Actor {
    domain::actor_for(db, Some(who)).await.unwrap()
}

fn base() -> url::Url {
    url::Url::parse("https://kring.example.be").unwrap()
}

/// A network "kempen" (Mol, Balen) with `facilitator` as its facilitator.
async fn kempen(db: &DatabaseConnection, facilitator: &user::Model, policy: &str) -> i64 {
    let admin = Actor::user(0, true, Default::default());
    let municipalities = directory::resolve_municipality_list("Mol, 2490").unwrap();
    assert_eq!(municipalities.len(), 2);
    domain::create_network(
        db,
        &admin,
        NewNetwork {
            slug: "kempen",
            name: "Lerend netwerk Kempen",
            description: "",
            kind: NetworkKind::InterMunicipal,
            join_policy: policy,
            municipalities,
            organisations: vec!["OCMW Mol".into(), "Huis van het Kind Balen".into()],
        },
        (facilitator.id, None),
    )
    .await
    .unwrap()
    .id
}

async fn outbox(db: &DatabaseConnection) -> Vec<mail::entity::Model> {
    mail::entity::Entity::find().all(db).await.unwrap()
}

/// The token in the mailed link (the test reads the mail, as a person would).
fn token_from_mail(body: &str) -> String {
    let start = body.find("/invite/").expect("link in mail") + "/invite/".len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

on_both_databases!(
    invitations_create_accounts_once,
    |db: DatabaseConnection| async move {
        let lotte = person(&db, "lotte@example.be").await;
        let net = kempen(&db, &lotte, "invite").await;
        let lotte_a = actor(&db, &lotte).await;

        let token = members::invite(
            &db,
            &lotte_a,
            net,
            " Nieuw@Example.be ",
            NetworkRole::Coach,
            &base(),
        )
        .await
        .unwrap();
        let mails = outbox(&db).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to_address, "nieuw@example.be");
        assert!(mails[0].body.contains("https://kring.example.be/invite/"));
        assert_eq!(
            token_from_mail(&mails[0].body),
            token,
            "the mailed link carries the token"
        );

        assert_eq!(
            members::invite(
                &db,
                &lotte_a,
                net,
                "nieuw@example.be",
                NetworkRole::Coach,
                &base()
            )
            .await,
            Err(AppError::AlreadyInvited)
        );
        // Only the hash is stored.
        let stored = invitation::Entity::find().all(&db).await.unwrap();
        assert!(stored.iter().all(|i| !i.token_hash.contains(&token)));

        let view = members::invitation_view(&db, &token).await.unwrap();
        assert_eq!(view.network_slug, "kempen");
        assert!(!view.account_exists);

        assert_eq!(
            members::accept_invitation(&db, &token, None, Some(("Nieuw", "kort")))
                .await
                .unwrap_err(),
            AppError::invalid(Field::Password, Problem::TooShort { min: 10 }),
            "bad input on the account form"
        );
        let (created, slug) =
            members::accept_invitation(&db, &token, None, Some(("Nieuwe coach", "een-lang-wachtwoord")))
                .await
                .unwrap();
        assert_eq!(
            (created.email.as_str(), slug.as_str()),
            ("nieuw@example.be", "kempen")
        );
        assert_eq!(actor(&db, &created).await.role_in(net), Some(NetworkRole::Coach));
        assert!(
            accounts::authenticate(&db, "nieuw@example.be", "een-lang-wachtwoord", "ip", 0)
                .await
                .is_ok()
        );

        assert_eq!(
            members::accept_invitation(&db, &token, Some(&created), None)
                .await
                .unwrap_err(),
            AppError::InvitationUsed,
            "one-time"
        );
        assert_eq!(
            members::invite(
                &db,
                &lotte_a,
                net,
                "nieuw@example.be",
                NetworkRole::Coach,
                &base()
            )
            .await,
            Err(AppError::AlreadyMember),
            "inviting a member twice"
        );
        assert_eq!(
            members::invitation_view(&db, "onbekend").await.unwrap_err(),
            AppError::NotFound
        );

        // Expired after 14 days.
        let late = members::invite(
            &db,
            &lotte_a,
            net,
            "laat@example.be",
            NetworkRole::Observer,
            &base(),
        )
        .await
        .unwrap();
        invitation::Entity::update_many()
            .col_expr(
                invitation::Column::ExpiresAt,
                Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
            )
            .filter(invitation::Column::Email.eq("laat@example.be"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            members::accept_invitation(&db, &late, None, Some(("Laat", "een-lang-wachtwoord")))
                .await
                .unwrap_err(),
            AppError::InvitationExpired
        );
        assert!(
            accounts::find_by_email(&db, "laat@example.be")
                .await
                .unwrap()
                .is_none(),
            "nothing created"
        );

        // An existing account signs in first, then accepts.
        let sofie = person(&db, "sofie@example.be").await;
        let t2 = members::invite(
            &db,
            &lotte_a,
            net,
            "sofie@example.be",
            NetworkRole::ExpertByExperience,
            &base(),
        )
        .await
        .unwrap();
        assert!(members::invitation_view(&db, &t2).await.unwrap().account_exists);
        assert_eq!(
            members::accept_invitation(&db, &t2, None, Some(("Sofie", "een-lang-wachtwoord")))
                .await
                .unwrap_err(),
            AppError::NotSignedIn
        );
        members::accept_invitation(&db, &t2, Some(&sofie), None)
            .await
            .unwrap();
        assert_eq!(
            actor(&db, &sofie).await.role_in(net),
            Some(NetworkRole::ExpertByExperience)
        );

        // Only facilitators invite; revoked links stop working.
        let sofie_a = actor(&db, &sofie).await;
        assert_eq!(
            members::invite(&db, &sofie_a, net, "x@example.be", NetworkRole::Coach, &base()).await,
            Err(AppError::NotFound)
        );
        let t3 = members::invite(&db, &lotte_a, net, "weg@example.be", NetworkRole::Coach, &base())
            .await
            .unwrap();
        let pending = members::pending_invitations(&db, &lotte_a, net).await.unwrap();
        let weg = pending.iter().find(|p| p.email == "weg@example.be").unwrap();
        assert_eq!(
            members::revoke_invitation(&db, &sofie_a, weg.id).await,
            Err(AppError::NotFound)
        );
        members::revoke_invitation(&db, &lotte_a, weg.id).await.unwrap();
        assert_eq!(
            members::accept_invitation(&db, &t3, None, Some(("Weg", "een-lang-wachtwoord")))
                .await
                .unwrap_err(),
            AppError::InvitationUsed
        );
    }
);

on_both_databases!(
    join_requests_follow_the_policy,
    |db: DatabaseConnection| async move {
        let lotte = person(&db, "lotte@example.be").await;
        let net = kempen(&db, &lotte, "request").await;
        let lotte_a = actor(&db, &lotte).await;
        let eva = person(&db, "eva@example.be").await;
        let eva_a = actor(&db, &eva).await;

        assert_eq!(
            members::request_to_join(&db, &eva_a, net, "Ik ben coach in Mol").await,
            Ok(members::JoinOutcome::Requested)
        );
        assert_eq!(
            members::request_to_join(&db, &eva_a, net, "nog eens").await,
            Err(AppError::AlreadyRequested)
        );
        assert!(
            outbox(&db)
                .await
                .iter()
                .any(|m| m.to_address == "lotte@example.be"),
            "facilitators hear of it"
        );
        let requests = members::pending_join_requests(&db, &lotte_a, net).await.unwrap();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].message, "Ik ben coach in Mol");
        assert_eq!(
            members::pending_join_requests(&db, &eva_a, net)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            members::decide_join_request(&db, &eva_a, requests[0].id, Some(NetworkRole::Facilitator)).await,
            Err(AppError::NotFound),
            "nobody approves themselves"
        );
        members::decide_join_request(&db, &lotte_a, requests[0].id, Some(NetworkRole::Coach))
            .await
            .unwrap();
        assert_eq!(actor(&db, &eva).await.role_in(net), Some(NetworkRole::Coach));
        assert_eq!(
            members::decide_join_request(&db, &lotte_a, requests[0].id, None).await,
            Err(AppError::NotFound),
            "decided once"
        );

        // Declined, then asking again is allowed.
        let jan = person(&db, "jan@example.be").await;
        let jan_a = actor(&db, &jan).await;
        members::request_to_join(&db, &jan_a, net, "").await.unwrap();
        let id = members::pending_join_requests(&db, &lotte_a, net).await.unwrap()[0].id;
        members::decide_join_request(&db, &lotte_a, id, None)
            .await
            .unwrap();
        assert_eq!(actor(&db, &jan).await.role_in(net), None);
        assert_eq!(
            members::request_to_join(&db, &jan_a, net, "").await,
            Ok(members::JoinOutcome::Requested)
        );

        // Open networks take signed-in coaches at once; invite-only ones refuse.
        let admin = Actor::user(0, true, Default::default());
        let open = domain::create_network(
            &db,
            &admin,
            NewNetwork {
                slug: "open",
                name: "Open netwerk",
                description: "",
                kind: NetworkKind::Local,
                join_policy: "open",
                municipalities: vec![],
                organisations: vec![],
            },
            (lotte.id, None),
        )
        .await
        .unwrap();
        assert_eq!(
            members::request_to_join(&db, &jan_a, open.id, "").await,
            Ok(members::JoinOutcome::Joined)
        );
        assert_eq!(
            members::request_to_join(&db, &actor(&db, &jan).await, open.id, "").await,
            Err(AppError::AlreadyMember)
        );
        let closed = kempen_like(&db, &lotte, "dicht", "invite").await;
        assert_eq!(
            members::request_to_join(&db, &jan_a, closed, "").await,
            Err(AppError::InviteOnly)
        );
    }
);

async fn kempen_like(db: &DatabaseConnection, facilitator: &user::Model, slug: &str, policy: &str) -> i64 {
    let admin = Actor::user(0, true, Default::default());
    domain::create_network(
        db,
        &admin,
        NewNetwork {
            slug,
            name: slug,
            description: "",
            kind: NetworkKind::Local,
            join_policy: policy,
            municipalities: vec![],
            organisations: vec![],
        },
        (facilitator.id, None),
    )
    .await
    .unwrap()
    .id
}

on_both_databases!(
    a_network_keeps_a_facilitator,
    |db: DatabaseConnection| async move {
        let lotte = person(&db, "lotte@example.be").await;
        let net = kempen(&db, &lotte, "request").await;
        let lotte_a = actor(&db, &lotte).await;
        let eva = person(&db, "eva@example.be").await;
        domain::add_member(&db, net, eva.id, NetworkRole::Coach, None)
            .await
            .unwrap();
        let eva_a = actor(&db, &eva).await;

        assert_eq!(
            members::change_role(&db, &lotte_a, net, lotte.id, NetworkRole::Coach).await,
            Err(AppError::LastFacilitator)
        );
        assert_eq!(
            members::leave(&db, &lotte_a, net).await,
            Err(AppError::LastFacilitator)
        );
        assert_eq!(
            members::remove_member(&db, &lotte_a, net, lotte.id).await,
            Err(AppError::LastFacilitator)
        );
        assert_eq!(
            members::change_role(&db, &eva_a, net, eva.id, NetworkRole::Facilitator).await,
            Err(AppError::NotFound),
            "coaches do not change roles"
        );
        assert_eq!(
            members::remove_member(&db, &eva_a, net, lotte.id).await,
            Err(AppError::NotFound)
        );
        members::change_role(&db, &lotte_a, net, eva.id, NetworkRole::Facilitator)
            .await
            .unwrap();
        let eva_a = actor(&db, &eva).await;

        // Two facilitators demote each other at the same moment: one wins.
        let (a, b) = tokio::join!(
            members::change_role(&db, &lotte_a, net, eva.id, NetworkRole::Coach),
            members::change_role(&db, &eva_a, net, lotte.id, NetworkRole::Coach),
        );
        assert!(a.is_ok() || b.is_ok(), "{a:?} {b:?}");
        let left = domain::members_view(&db, &Actor::user(0, true, Default::default()), "kempen", "", 1)
            .await
            .unwrap()
            .members
            .into_iter()
            .filter(|m| m.role == NetworkRole::Facilitator)
            .count();
        assert_eq!(left, 1, "exactly one facilitator left: {a:?} {b:?}");

        // Leaving and removal.
        let jan = person(&db, "jan@example.be").await;
        domain::add_member(&db, net, jan.id, NetworkRole::Observer, None)
            .await
            .unwrap();
        let boss = if a.is_ok() { &lotte_a } else { &eva_a };
        members::remove_member(&db, boss, net, jan.id).await.unwrap();
        assert_eq!(actor(&db, &jan).await.role_in(net), None);
        assert_eq!(
            members::remove_member(&db, boss, net, jan.id).await,
            Err(AppError::NotFound)
        );
        let coach = if a.is_ok() { &eva } else { &lotte };
        members::leave(&db, &actor(&db, coach).await, net).await.unwrap();
        assert_eq!(actor(&db, coach).await.role_in(net), None);
    }
);

on_both_databases!(
    directory_finds_networks_and_contacts,
    |db: DatabaseConnection| async move {
        let lotte = person(&db, "lotte@example.be").await;
        let net = kempen(&db, &lotte, "request").await;
        let lotte_a = actor(&db, &lotte).await;
        let ann = person(&db, "ann@example.be").await;
        let ann_a = actor(&db, &ann).await;

        let by_postcode = directory::search(&db, &ann_a, "2400").await.unwrap();
        assert_eq!(by_postcode.len(), 1);
        assert_eq!(by_postcode[0].municipality.name, "Mol");
        assert_eq!(by_postcode[0].networks.len(), 1);
        assert_eq!(by_postcode[0].networks[0].slug, "kempen");
        assert!(
            by_postcode[0].networks[0].contacts.is_empty(),
            "nobody listed without consent"
        );

        members::set_listed_contact(&db, &lotte_a, net, true)
            .await
            .unwrap();
        let by_name = directory::search(&db, &ann_a, "  MOL ").await.unwrap();
        assert_eq!(by_name[0].networks[0].contacts.len(), 1);
        assert_eq!(by_name[0].networks[0].contacts[0].email, "lotte@example.be");
        assert!(
            directory::search(&db, &ann_a, "Balen").await.unwrap()[0]
                .networks
                .len()
                == 1
        );
        assert!(
            directory::search(&db, &ann_a, "Atlantis")
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            directory::search(&db, &Actor::anonymous(), "Mol")
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            directory::search(&db, &ann_a, &"x".repeat(101))
                .await
                .unwrap_err(),
            AppError::invalid(Field::Place, Problem::TooLong { max: 100 })
        );
        assert_eq!(
            directory::resolve_municipality_list("Mol, Atlantis").unwrap_err(),
            AppError::UnknownMunicipality("Atlantis".into())
        );
        members::set_listed_contact(&db, &lotte_a, net, false)
            .await
            .unwrap();
        assert!(
            directory::search(&db, &ann_a, "Mol").await.unwrap()[0].networks[0]
                .contacts
                .is_empty()
        );

        // Handover: coaches only, a short message without family data.
        assert_eq!(
            directory::send_handover(&db, &ann_a, "kempen", None, "Kunnen we even bellen?").await,
            Err(AppError::NotFound),
            "a newcomer who coaches nowhere"
        );
        let other = kempen_like(&db, &ann, "elders", "invite").await;
        assert!(other > 0);
        let ann_a = actor(&db, &ann).await;
        let mol = by_postcode[0].municipality.nis_code.clone();
        assert_eq!(
            directory::send_handover(&db, &ann_a, "kempen", Some(&mol), "kort").await,
            Err(AppError::invalid(Field::Message, Problem::TooShort { min: 10 }))
        );
        directory::send_handover(
            &db,
            &ann_a,
            "kempen",
            Some(&mol),
            "Een gezin verhuist naar Mol, kunnen we bellen?",
        )
        .await
        .unwrap();
        let mails = outbox(&db).await;
        assert!(
            mails
                .iter()
                .any(|m| m.to_address == "lotte@example.be" && m.body.contains("ann@example.be"))
        );
        let list = directory::handovers(&db, &lotte_a, net).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].municipality.as_deref(), Some("Mol"));
        assert_eq!(
            directory::handovers(&db, &ann_a, net).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            directory::send_handover(
                &db,
                &ann_a,
                "kempen",
                Some("99999"),
                "Een gezin verhuist, bellen?"
            )
            .await,
            Err(AppError::UnknownMunicipality("99999".into()))
        );
    }
);

struct Recorder(std::sync::Mutex<Vec<Outgoing>>, bool);

impl Transport for Recorder {
    async fn send(&self, message: &Outgoing) -> Result<(), String> {
        if self.1 {
            return Err("connection refused".into());
        }
        if let Ok(mut sent) = self.0.lock() {
            sent.push(message.clone());
        }
        Ok(())
    }
}

on_both_databases!(outbox_delivers_and_retries, |db: DatabaseConnection| async move {
    let msg = |to: &str| Outgoing {
        to: to.into(),
        subject: "Onderwerp".into(),
        body: "Tekst".into(),
    };
    mail::enqueue(&db, msg("a@example.be")).await.unwrap();
    mail::enqueue(&db, msg("b@example.be")).await.unwrap();

    let failing = Recorder(Default::default(), true);
    assert_eq!(mail::deliver_due(&db, &failing).await.unwrap(), 0);
    let rows = outbox(&db).await;
    assert!(
        rows.iter()
            .all(|r| r.attempts == 1 && r.sent_at.is_none() && r.last_error.is_some())
    );
    assert!(
        rows.iter().all(|r| r.next_attempt_at > chrono::Utc::now()),
        "backs off"
    );

    let working = Recorder(Default::default(), false);
    assert_eq!(mail::deliver_due(&db, &working).await.unwrap(), 0, "not due yet");
    mail::entity::Entity::update_many()
        .col_expr(
            mail::entity::Column::NextAttemptAt,
            Expr::value(chrono::Utc::now()),
        )
        .exec(&db)
        .await
        .unwrap();
    assert_eq!(mail::deliver_due(&db, &working).await.unwrap(), 2);
    assert_eq!(working.0.lock().unwrap().len(), 2);
    assert_eq!(mail::deliver_due(&db, &working).await.unwrap(), 0, "sent once");
});
