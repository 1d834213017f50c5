//! Single sign-on's accounts side on SQLite and PostgreSQL: where a
//! verified identity leads (new account, same account, link after the
//! password), the subject winning over the address, an identity linked to
//! another account, the last way into an account, and the two-step rule's
//! coverage by a provider.

mod common;

use app::AppError;
use app::accounts::SsoError;
use app::accounts::entity::user;
use app::accounts::sso::{self, Identity, Outcome, Refusal};
use app::accounts::two_factor;
use app::cases::domain as cases;
use common::fixtures::{network, person};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

const IP: &str = "10.9.8.7";

fn identity(provider: &str, subject: &str, email: &str) -> Identity {
    Identity {
        provider: provider.into(),
        subject: subject.into(),
        email: email.into(),
        name: Some("Nora Vermeulen".into()),
    }
}

on_both_databases!(
    a_new_address_gets_an_account_and_the_subject_finds_it_again,
    |db: DatabaseConnection| async move {
        let nora = identity("gent", "sub-1", "nora@gent.be");
        let created = match sso::resolve(&db, &nora, None, IP).await.unwrap() {
            Outcome::Created(u) => u,
            other => panic!("{other:?}"),
        };
        assert_eq!(created.display_name, "Nora Vermeulen");
        assert!(created.password_hash.is_none(), "no password");
        assert_eq!(sso::count_linked(&db, created.id).await.unwrap(), 1);

        // The same subject with another address: the same account (the
        // subject wins), and the address the provider gives is remembered.
        let moved = identity("gent", "sub-1", "nora.vermeulen@stad.gent");
        match sso::resolve(&db, &moved, None, IP).await.unwrap() {
            Outcome::SignedIn(u) => assert_eq!(u.id, created.id),
            other => panic!("{other:?}"),
        }
        let linked = sso::linked(&db, created.id).await.unwrap();
        assert_eq!(linked.len(), 1);
        assert_eq!(linked[0].email, "nora.vermeulen@stad.gent");

        // Another subject with Nora's address at the same provider: her
        // account already has an identity there.
        let other = identity("gent", "sub-2", "nora@gent.be");
        assert_eq!(
            sso::resolve(&db, &other, None, IP).await.err(),
            Some(Refusal::Sso(SsoError::LinkedElsewhere))
        );

        // A subject longer than Kring stores: a clear refusal.
        let long = identity("gent", &"x".repeat(256), "lang@gent.be");
        assert_eq!(
            sso::resolve(&db, &long, None, IP).await.err(),
            Some(Refusal::Sso(SsoError::SubjectTooLong))
        );
    }
);

on_both_databases!(
    an_existing_address_is_linked_only_after_its_password,
    |db: DatabaseConnection| async move {
        let ann = person(&db, "ann@example.be", false).await;
        let id = identity("gent", "ann-sub", "ann@example.be");
        assert_eq!(
            sso::resolve(&db, &id, None, IP).await.unwrap(),
            Outcome::ConfirmLink {
                user_id: ann.id,
                email: "ann@example.be".into()
            }
        );
        assert_eq!(
            sso::count_linked(&db, ann.id).await.unwrap(),
            0,
            "nothing linked yet"
        );
        assert_eq!(
            sso::confirm_link(&db, ann.id, &id, "verkeerd", IP).await.err(),
            Some(Refusal::App(AppError::WrongCredentials))
        );
        assert_eq!(sso::count_linked(&db, ann.id).await.unwrap(), 0);
        sso::confirm_link(&db, ann.id, &id, "wachtwoord-1234", IP)
            .await
            .unwrap();
        match sso::resolve(&db, &id, None, IP).await.unwrap() {
            Outcome::SignedIn(u) => assert_eq!(u.id, ann.id),
            other => panic!("{other:?}"),
        }

        // Linking from the account page: the identity of someone else is refused.
        let bart = person(&db, "bart@example.be", false).await;
        assert_eq!(
            sso::resolve(&db, &id, Some(bart.id), IP).await.err(),
            Some(Refusal::Sso(SsoError::LinkedElsewhere))
        );
        let barts = identity("leuven", "bart-sub", "b.peeters@leuven.be");
        match sso::resolve(&db, &barts, Some(bart.id), IP).await.unwrap() {
            Outcome::SignedIn(u) => assert_eq!(u.id, bart.id),
            other => panic!("{other:?}"),
        }
        assert_eq!(sso::count_linked(&db, bart.id).await.unwrap(), 1);
    }
);

on_both_databases!(
    the_last_way_into_an_account_stays,
    |db: DatabaseConnection| async move {
        let nora = match sso::resolve(&db, &identity("gent", "n", "nora@gent.be"), None, IP)
            .await
            .unwrap()
        {
            Outcome::Created(u) => u,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            sso::unlink(&db, nora.id, "gent", IP).await.err(),
            Some(AppError::LastSignInMethod)
        );
        // With a second provider, one may go.
        sso::link(&db, nora.id, &identity("leuven", "n2", "nora@gent.be"), IP)
            .await
            .unwrap();
        sso::unlink(&db, nora.id, "gent", IP).await.unwrap();
        assert_eq!(
            sso::unlink(&db, nora.id, "leuven", IP).await.err(),
            Some(AppError::LastSignInMethod)
        );
        assert_eq!(
            sso::unlink(&db, nora.id, "nergens", IP).await.err(),
            Some(AppError::NotFound)
        );
        // An account with a password may unlink its only provider.
        let ann = person(&db, "ann@example.be", false).await;
        sso::link(&db, ann.id, &identity("gent", "a", "ann@example.be"), IP)
            .await
            .unwrap();
        sso::unlink(&db, ann.id, "gent", IP).await.unwrap();
        assert_eq!(sso::count_linked(&db, ann.id).await.unwrap(), 0);
    }
);

on_both_databases!(
    a_provider_covers_the_two_step_rule_only_for_accounts_without_a_password,
    |db: DatabaseConnection| async move {
        let net = network(&db, "leie").await;
        let lotte = net.facilitator.user.unwrap();
        cases::set_two_factor_rule(&db, &net.facilitator, "leie", true)
            .await
            .unwrap();
        assert!(two_factor::must_enrol(&db, lotte).await.unwrap());
        // A linked provider alone does not cover an account that still has
        // a password (the password alone would let someone in).
        sso::link(&db, lotte, &identity("gent", "lotte", "lotte@gent.be"), IP)
            .await
            .unwrap();
        assert!(two_factor::must_enrol(&db, lotte).await.unwrap());
        // Without a password, the provider is the only way in: covered.
        let mut am: user::ActiveModel = user::Entity::find_by_id(lotte)
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .into();
        am.password_hash = Set(None);
        am.update(&db).await.unwrap();
        assert!(!two_factor::must_enrol(&db, lotte).await.unwrap());
        // Without a password and without a provider: not covered.
        app::accounts::entity::sso_identity::Entity::delete_many()
            .exec(&db)
            .await
            .unwrap();
        assert!(two_factor::must_enrol(&db, lotte).await.unwrap());
    }
);

on_both_databases!(
    an_account_without_a_password_proves_itself_by_a_fresh_provider_sign_in,
    |db: DatabaseConnection| async move {
        use app::accounts::domain::{self as accounts, PROVIDER_PROOF_SECS, Proof};
        use app::accounts::privacy::{self, Deletion};
        use app::errors::{Field, Problem};

        let nora_id = identity("gent", "nora", "nora@gent.be");
        let nora = match sso::resolve(&db, &nora_id, None, IP).await.unwrap() {
            Outcome::Created(u) => u,
            other => panic!("{other:?}"),
        };
        // Only an identity linked to her account confirms her.
        assert_eq!(
            sso::confirm(&db, nora.id, &identity("gent", "someone", "nora@gent.be"))
                .await
                .err(),
            Some(Refusal::Sso(SsoError::OtherAccount))
        );
        let ann = person(&db, "ann@example.be", false).await;
        let anns = identity("gent", "ann", "ann@example.be");
        sso::link(&db, ann.id, &anns, IP).await.unwrap();
        assert_eq!(
            sso::confirm(&db, nora.id, &anns).await.err(),
            Some(Refusal::Sso(SsoError::OtherAccount))
        );
        sso::confirm(&db, nora.id, &nora_id).await.unwrap();

        let now = chrono::Utc::now().timestamp();
        let fresh = Proof::Provider {
            confirmed_at: Some(now - 5),
        };
        for refused in [
            Proof::Password("wachtwoord-1234"),
            Proof::Provider { confirmed_at: None },
            Proof::Provider {
                confirmed_at: Some(now - PROVIDER_PROOF_SECS - 1),
            },
            Proof::Provider {
                confirmed_at: Some(now + 3600),
            },
        ] {
            assert_eq!(
                accounts::confirm_person(&nora, refused, Field::Password, now),
                Err(AppError::ConfirmWithProvider),
                "{refused:?}"
            );
        }
        assert_eq!(
            accounts::confirm_person(&nora, fresh, Field::Password, now),
            Ok(())
        );
        // An account with a password always gives the password.
        assert_eq!(
            accounts::confirm_person(&ann, fresh, Field::Password, now),
            Err(AppError::invalid(Field::Password, Problem::Empty))
        );
        assert_eq!(
            accounts::confirm_person(&ann, Proof::Password("wachtwoord-1234"), Field::Password, now),
            Ok(())
        );

        // A first password: after the proof, long enough, once.
        let stale = Proof::Provider {
            confirmed_at: Some(now - PROVIDER_PROOF_SECS - 1),
        };
        assert_eq!(
            accounts::set_first_password(&db, nora.id, stale, "een-eigen-wachtwoord", now).await,
            Err(AppError::ConfirmWithProvider)
        );
        assert_eq!(
            accounts::set_first_password(&db, nora.id, fresh, "kort", now).await,
            Err(AppError::invalid(
                Field::NewPassword,
                Problem::TooShort { min: 10 }
            ))
        );
        accounts::set_first_password(&db, nora.id, fresh, "een-eigen-wachtwoord", now)
            .await
            .unwrap();
        let nora = accounts::find_by_id(&db, nora.id).await.unwrap().unwrap();
        assert!(accounts::verify_password(
            "een-eigen-wachtwoord",
            nora.password_hash.as_deref().unwrap()
        ));
        assert_eq!(
            accounts::set_first_password(&db, nora.id, fresh, "nog-een-wachtwoord", now).await,
            Err(AppError::HasPassword)
        );

        // Deleting an account without a password: the proof, then gone with its links.
        let piet = match sso::resolve(&db, &identity("gent", "piet", "piet@gent.be"), None, IP)
            .await
            .unwrap()
        {
            Outcome::Created(u) => u,
            other => panic!("{other:?}"),
        };
        let stale_choice = Deletion {
            proof: stale,
            ..Default::default()
        };
        assert_eq!(
            privacy::delete_account(&db, piet.id, stale_choice).await,
            Err(AppError::ConfirmWithProvider)
        );
        assert!(accounts::find_by_id(&db, piet.id).await.unwrap().is_some());
        let fresh_choice = Deletion {
            proof: Proof::Provider {
                confirmed_at: Some(chrono::Utc::now().timestamp()),
            },
            ..Default::default()
        };
        privacy::delete_account(&db, piet.id, fresh_choice).await.unwrap();
        assert!(accounts::find_by_id(&db, piet.id).await.unwrap().is_none());
        assert_eq!(sso::count_linked(&db, piet.id).await.unwrap(), 0);
    }
);
