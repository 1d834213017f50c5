//! Networks domain on SQLite and PostgreSQL: creating networks, members,
//! and what each person sees of a network.

mod common;

use app::AppError;
use app::accounts::domain::{self as accounts, NewUser};
use app::accounts::entity::user;
use app::errors::{Field, Problem};
use app::networks::domain::{self, NewNetwork};
use app::networks::{NetworkKind, NetworkRole};
use sea_orm::DatabaseConnection;

async fn person(db: &DatabaseConnection, email: &str, admin: bool) -> user::Model {
    accounts::create_user(
        db,
        NewUser {
            email,
            display_name: email,
            password: "wachtwoord-1234",
            is_admin: admin,
            is_demo: false,
        },
    )
    .await
    .unwrap()
}

fn new_network<'a>(slug: &'a str, name: &'a str) -> NewNetwork<'a> {
    NewNetwork {
        slug,
        name,
        description: "Samen leren",
        kind: NetworkKind::InterMunicipal,
        join_policy: "request",
        municipalities: Vec::new(),
        organisations: Vec::new(),
    }
}

on_both_databases!(
    create_network_and_its_rules,
    |db: DatabaseConnection| async move {
        let admin = person(&db, "admin@example.be", true).await;
        let lotte = person(&db, "lotte@example.be", false).await;
        let sofie = person(&db, "sofie@example.be", false).await;
        let admin_actor = domain::actor_for(&db, Some(&admin)).await.unwrap();

        let net = domain::create_network(
            &db,
            &admin_actor,
            new_network("kempen", "Lerend netwerk Kempen"),
            (lotte.id, None),
        )
        .await
        .unwrap();
        let lotte_actor = domain::actor_for(&db, Some(&lotte)).await.unwrap();
        assert_eq!(
            lotte_actor.role_in(net.id),
            Some(NetworkRole::Facilitator),
            "first facilitator set"
        );
        assert_eq!(
            admin_actor.role_in(net.id),
            None,
            "the admin who created it is not a member"
        );

        // Duplicates and bad input, each a clear error.
        let dup_slug = domain::create_network(
            &db,
            &admin_actor,
            new_network("KEMPEN", "Andere naam"),
            (lotte.id, None),
        )
        .await;
        assert_eq!(dup_slug.unwrap_err(), AppError::SlugTaken);
        let dup_name = domain::create_network(
            &db,
            &admin_actor,
            new_network("kempen-2", "Lerend netwerk Kempen"),
            (lotte.id, None),
        )
        .await;
        assert_eq!(dup_name.unwrap_err(), AppError::NameTaken);
        for (slug, problem) in [
            ("", Problem::Empty),
            ("met spatie", Problem::Malformed),
            ("-x", Problem::Malformed),
            ("a--b", Problem::Malformed),
        ] {
            let res =
                domain::create_network(&db, &admin_actor, new_network(slug, "Nog een"), (lotte.id, None))
                    .await;
            assert_eq!(
                res.unwrap_err(),
                AppError::invalid(Field::Slug, problem),
                "{slug:?}"
            );
        }
        let bad_policy = NewNetwork {
            join_policy: "iedereen",
            ..new_network("x", "X")
        };
        assert_eq!(
            domain::create_network(&db, &admin_actor, bad_policy, (lotte.id, None))
                .await
                .unwrap_err(),
            AppError::invalid(Field::JoinPolicy, Problem::Malformed)
        );

        // A coach who facilitates nothing may not create networks; a
        // facilitator may, but not hand it to someone else.
        domain::add_member(&db, net.id, sofie.id, NetworkRole::Coach, None)
            .await
            .unwrap();
        let sofie_actor = domain::actor_for(&db, Some(&sofie)).await.unwrap();
        let res = domain::create_network(
            &db,
            &sofie_actor,
            new_network("eigen", "Eigen netwerk"),
            (sofie.id, None),
        )
        .await;
        assert_eq!(res.unwrap_err(), AppError::NotFound);
        let res = domain::create_network(
            &db,
            &lotte_actor,
            new_network("kempen-zuid", "Kempen Zuid"),
            (sofie.id, None),
        )
        .await;
        assert_eq!(res.unwrap_err(), AppError::NotFound);
        assert!(
            domain::create_network(
                &db,
                &lotte_actor,
                new_network("kempen-zuid", "Kempen Zuid"),
                (lotte.id, None)
            )
            .await
            .is_ok()
        );

        assert_eq!(
            domain::add_member(&db, net.id, sofie.id, NetworkRole::Observer, None)
                .await
                .unwrap_err(),
            AppError::AlreadyMember
        );
    }
);

on_both_databases!(what_each_person_sees, |db: DatabaseConnection| async move {
    let admin = person(&db, "admin@example.be", true).await;
    let lotte = person(&db, "lotte@example.be", false).await;
    let sofie = person(&db, "sofie@example.be", false).await;
    let eva = person(&db, "eva@example.be", false).await;
    let admin_actor = domain::actor_for(&db, Some(&admin)).await.unwrap();
    let org = domain::ensure_organisation(&db, "OCMW Mol", "ocmw")
        .await
        .unwrap();
    assert_eq!(
        domain::ensure_organisation(&db, "OCMW Mol", "ocmw")
            .await
            .unwrap(),
        org,
        "idempotent"
    );
    let net = domain::create_network(
        &db,
        &admin_actor,
        new_network("baldemore", "Baldemore"),
        (lotte.id, Some(org)),
    )
    .await
    .unwrap();
    domain::add_organisation(&db, net.id, org).await.unwrap();
    domain::add_organisation(&db, net.id, org).await.unwrap();
    domain::add_member(&db, net.id, sofie.id, NetworkRole::Coach, Some(org))
        .await
        .unwrap();

    let sofie_actor = domain::actor_for(&db, Some(&sofie)).await.unwrap();
    let view = domain::network_view(&db, &sofie_actor, "baldemore")
        .await
        .unwrap();
    assert_eq!(view.organisations, vec!["OCMW Mol".to_owned()]);
    assert!(view.may_see_members);
    let members = domain::members_view(&db, &sofie_actor, "baldemore", "", 1)
        .await
        .expect("members see members")
        .members;
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].role, NetworkRole::Facilitator, "facilitators first");
    assert_eq!(members[1].organisation.as_deref(), Some("OCMW Mol"));
    assert_eq!(view.my_role, Some(NetworkRole::Coach));

    let eva_actor = domain::actor_for(&db, Some(&eva)).await.unwrap();
    let outsider = domain::network_view(&db, &eva_actor, "baldemore").await.unwrap();
    assert!(!outsider.may_see_members);
    assert_eq!(
        domain::members_view(&db, &eva_actor, "baldemore", "", 1)
            .await
            .unwrap_err(),
        AppError::NotFound,
        "a non-member sees the about page only"
    );
    assert_eq!(outsider.my_role, None);

    let admin_view = domain::network_view(&db, &admin_actor, "baldemore")
        .await
        .unwrap();
    assert!(admin_view.may_see_members, "admins manage membership");
    assert!(
        domain::members_view(&db, &admin_actor, "baldemore", "", 1)
            .await
            .is_ok()
    );

    let anonymous = domain::actor_for(&db, None).await.unwrap();
    assert_eq!(
        domain::network_view(&db, &anonymous, "baldemore")
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        domain::network_view(&db, &sofie_actor, "bestaat-niet")
            .await
            .unwrap_err(),
        AppError::NotFound
    );

    let mine = domain::my_networks(&db, &sofie_actor).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].slug.as_str(), mine[0].role),
        ("baldemore", NetworkRole::Coach)
    );
    assert!(domain::my_networks(&db, &eva_actor).await.unwrap().is_empty());
});

on_both_databases!(
    member_list_pages_and_filter,
    |db: DatabaseConnection| async move {
        let admin = person(&db, "admin@example.be", true).await;
        let admin_actor = domain::actor_for(&db, Some(&admin)).await.unwrap();
        let first = person(&db, "facilitator@example.be", false).await;
        let net = domain::create_network(
            &db,
            &admin_actor,
            new_network("groot", "Groot netwerk"),
            (first.id, None),
        )
        .await
        .unwrap();
        // 119 coaches; one of them with an accented name.
        for i in 0..119 {
            let p = if i == 7 {
                accounts::create_user(
                    &db,
                    NewUser {
                        email: "renee@example.be",
                        display_name: "Renée Peeters",
                        password: "wachtwoord-1234",
                        is_admin: false,
                        is_demo: false,
                    },
                )
                .await
                .unwrap()
            } else {
                person(&db, &format!("coach{i:03}@example.be"), false).await
            };
            domain::add_member(&db, net.id, p.id, NetworkRole::Coach, None)
                .await
                .unwrap();
        }
        let page = |filter: &'static str, n: u32| {
            let db = db.clone();
            let actor = admin_actor.clone();
            async move {
                domain::members_view(&db, &actor, "groot", filter, n)
                    .await
                    .unwrap()
            }
        };
        let one = page("", 1).await;
        assert_eq!((one.total, one.matching, one.pages, one.page), (120, 120, 3, 1));
        assert_eq!(one.members.len(), domain::MEMBERS_PER_PAGE as usize);
        assert_eq!(
            one.members[0].role,
            NetworkRole::Facilitator,
            "facilitators first"
        );
        let three = page("", 3).await;
        assert_eq!(three.members.len(), 20);
        assert_eq!(page("", 99).await.page, 3, "a page past the end shows the last");
        assert_eq!(page("", 0).await.page, 1);
        let all: std::collections::HashSet<i64> = [one, page("", 2).await, three]
            .into_iter()
            .flat_map(|v| v.members.into_iter().map(|m| m.user_id))
            .collect();
        assert_eq!(all.len(), 120, "the pages together hold every member once");

        let found = page("renee", 1).await;
        assert_eq!(
            (found.matching, found.total),
            (1, 120),
            "accents and case forgiven"
        );
        assert_eq!(found.members[0].name, "Renée Peeters");
        let none = page("niemand", 1).await;
        assert_eq!((none.matching, none.pages, none.members.len()), (0, 1, 0));
    }
);
