//! The platform audit log on SQLite and PostgreSQL: what is recorded, who
//! may read it (platform admins only), filters and pages, and that it never
//! carries what a case says.

mod common;

use app::AppError;
use app::accounts::domain as accounts;
use app::audit::AuditAction;
use app::audit::domain::{self as audit, Filter};
use app::authz::Actor;
use app::cases::domain as cases;
use app::networks::NetworkRole;
use app::networks::members;
use common::fixtures::{network, published_case};
use sea_orm::DatabaseConnection;

fn actions(view: &app::audit::AuditLogView) -> Vec<AuditAction> {
    view.rows.iter().map(|r| r.action).collect()
}

on_both_databases!(
    events_are_recorded_and_only_admins_read_them,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        let case_id = published_case(
            &db,
            &net,
            "Schulden",
            "Jasper (8) en zijn mama zoeken een woning.",
        )
        .await;
        let title = cases::thread(&db, &net.expert, case_id, false)
            .await
            .unwrap()
            .title;

        accounts::authenticate(
            &db,
            "sofie.kempen@example.be",
            "wachtwoord-1234",
            "10.1.2.3",
            1_000,
        )
        .await
        .unwrap();
        let _ = accounts::authenticate(&db, "sofie.kempen@example.be", "fout", "10.1.2.4", 1_001).await;
        let eva = net.observer.user.unwrap();
        members::change_role(&db, &net.facilitator, net.id, eva, NetworkRole::Coach)
            .await
            .unwrap();

        // Nobody but a platform admin reads the log, not even a facilitator.
        for who in [
            &net.facilitator,
            &net.coach,
            &net.expert,
            &net.observer,
            &Actor::anonymous(),
        ] {
            assert_eq!(
                audit::list(&db, who, &Filter::default()).await.err(),
                Some(AppError::NotFound)
            );
        }
        let all = audit::list(&db, &net.admin, &Filter::default()).await.unwrap();
        let seen = actions(&all);
        for expected in [
            AuditAction::MemberAdded,
            AuditAction::CaseRead,
            AuditAction::SignIn,
            AuditAction::SignInFailed,
            AuditAction::RoleChanged,
        ] {
            assert!(seen.contains(&expected), "{expected:?} in {seen:?}");
        }
        assert!(all.rows.windows(2).all(|w| w[0].id > w[1].id), "newest first");

        let sign_in = all.rows.iter().find(|r| r.action == AuditAction::SignIn).unwrap();
        assert_eq!(sign_in.ip, "10.1.2.3");
        assert!(
            sign_in
                .actor
                .as_deref()
                .unwrap()
                .contains("sofie.kempen@example.be")
        );
        let role = all
            .rows
            .iter()
            .find(|r| r.action == AuditAction::RoleChanged)
            .unwrap();
        assert_eq!(
            (role.subject, role.detail.as_str(), role.network.as_deref()),
            (Some(eva), "observer → coach", Some("kempen"))
        );
        let read = all
            .rows
            .iter()
            .find(|r| r.action == AuditAction::CaseRead)
            .unwrap();
        assert_eq!(read.subject, Some(case_id));

        // Ids and short details only: no word of the case.
        let everything = format!("{all:?}");
        assert!(
            !everything.contains(&title) && !everything.contains("woning"),
            "{everything}"
        );

        // Filters: by action, by network, by person (name or address).
        let only = |action| Filter {
            action: Some(action),
            ..Default::default()
        };
        let failed = audit::list(&db, &net.admin, &only(AuditAction::SignInFailed))
            .await
            .unwrap();
        assert_eq!(actions(&failed), vec![AuditAction::SignInFailed]);
        assert_eq!(failed.rows[0].ip, "10.1.2.4");
        let in_network = audit::list(
            &db,
            &net.admin,
            &Filter {
                network: Some(net.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(
            in_network
                .rows
                .iter()
                .all(|r| r.network.as_deref() == Some("kempen"))
        );
        assert!(!actions(&in_network).contains(&AuditAction::SignIn));
        let by_lotte = audit::list(
            &db,
            &net.admin,
            &Filter {
                person: "LOTTE.kempen".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(actions(&by_lotte), vec![AuditAction::RoleChanged]);
    }
);

on_both_databases!(
    the_log_pages_backwards_by_id,
    |db: DatabaseConnection| async move {
        let net = network(&db, "kempen").await;
        for i in 0..(app::audit::PAGE + 5) {
            let _ = accounts::authenticate(&db, "niemand@example.be", "fout", "10.0.0.9", i as i64 * 100_000)
                .await;
        }
        let only_failures = Filter {
            action: Some(AuditAction::SignInFailed),
            ..Default::default()
        };
        let first = audit::list(&db, &net.admin, &only_failures).await.unwrap();
        assert_eq!(first.rows.len() as u64, app::audit::PAGE);
        assert!(
            first.rows.iter().all(|r| r.actor.is_none()),
            "an unknown address names nobody"
        );
        let older = first.older.expect("more below");
        let second = audit::list(
            &db,
            &net.admin,
            &Filter {
                before: Some(older),
                ..only_failures
            },
        )
        .await
        .unwrap();
        assert_eq!(second.rows.len(), 5);
        assert!(second.older.is_none());
        assert!(second.rows.iter().all(|r| r.id < older));
    }
);
