//! Accounts domain on SQLite and PostgreSQL: creating people, passwords,
//! sign-in throttling and the session store.

mod common;

use app::AppError;
use app::accounts::domain::{self, NewUser};
use app::accounts::session_store::DbSessionStore;
use app::accounts::throttle;
use app::errors::{Field, Problem};
use sea_orm::DatabaseConnection;
use tower_sessions::session::{Id, Record};
use tower_sessions::{ExpiredDeletion, SessionStore};

fn new_user<'a>(email: &'a str, password: &'a str) -> NewUser<'a> {
    NewUser {
        email,
        display_name: "Sofie Peeters",
        password,
        is_admin: false,
        is_demo: false,
    }
}

on_both_databases!(
    create_user_and_authenticate,
    |db: DatabaseConnection| async move {
        let user = domain::create_user(&db, new_user("  Sofie@Example.BE ", "een lange zin hier"))
            .await
            .unwrap();
        assert_eq!(
            user.email, "sofie@example.be",
            "emails are trimmed and lowercased"
        );
        assert!(
            user.password_hash
                .as_deref()
                .unwrap()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
        );

        let ok = domain::authenticate(&db, "SOFIE@example.be", "een lange zin hier", "10.0.0.1", 1_000).await;
        assert_eq!(ok.unwrap().id, user.id);

        let wrong = domain::authenticate(&db, "sofie@example.be", "fout wachtwoord", "10.0.0.1", 1_000).await;
        assert_eq!(wrong.unwrap_err(), AppError::WrongCredentials);
        let unknown =
            domain::authenticate(&db, "niemand@example.be", "fout wachtwoord", "10.0.0.1", 1_000).await;
        assert_eq!(
            unknown.unwrap_err(),
            AppError::WrongCredentials,
            "unknown account looks the same"
        );
    }
);

on_both_databases!(duplicate_email_is_refused, |db: DatabaseConnection| async move {
    domain::create_user(&db, new_user("a@example.be", "wachtwoord-1234"))
        .await
        .unwrap();
    let again = domain::create_user(&db, new_user("A@EXAMPLE.BE", "wachtwoord-5678")).await;
    assert_eq!(again.unwrap_err(), AppError::EmailTaken);
});

on_both_databases!(
    bad_input_is_refused_with_the_field,
    |db: DatabaseConnection| async move {
        let cases: Vec<(NewUser<'_>, AppError)> = vec![
            (
                new_user("", "wachtwoord-1234"),
                AppError::invalid(Field::Email, Problem::Empty),
            ),
            (
                new_user("geen-apenstaart", "wachtwoord-1234"),
                AppError::invalid(Field::Email, Problem::Malformed),
            ),
            (
                new_user("a@b", "wachtwoord-1234"),
                AppError::invalid(Field::Email, Problem::Malformed),
            ),
            (
                new_user("x@example.be", "kort"),
                AppError::invalid(Field::Password, Problem::TooShort { min: 10 }),
            ),
            (
                new_user("x@example.be", ""),
                AppError::invalid(Field::Password, Problem::Empty),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(domain::create_user(&db, input).await.unwrap_err(), expected);
        }
        let long_email = format!("{}@example.be", "a".repeat(300));
        assert_eq!(
            domain::create_user(&db, new_user(&long_email, "wachtwoord-1234"))
                .await
                .unwrap_err(),
            AppError::invalid(Field::Email, Problem::TooLong { max: 254 })
        );
        let long_pw = "x".repeat(257);
        assert_eq!(
            domain::create_user(&db, new_user("y@example.be", &long_pw))
                .await
                .unwrap_err(),
            AppError::invalid(Field::Password, Problem::TooLong { max: 256 })
        );
        let long_name = "n".repeat(101);
        let res = domain::create_user(
            &db,
            NewUser {
                email: "z@example.be",
                display_name: &long_name,
                password: "wachtwoord-1234",
                is_admin: false,
                is_demo: false,
            },
        )
        .await;
        assert_eq!(
            res.unwrap_err(),
            AppError::invalid(Field::DisplayName, Problem::TooLong { max: 100 })
        );
        let blank = NewUser {
            email: "z@example.be",
            display_name: "   ",
            password: "wachtwoord-1234",
            is_admin: false,
            is_demo: false,
        };
        assert_eq!(
            domain::create_user(&db, blank).await.unwrap_err(),
            AppError::invalid(Field::DisplayName, Problem::Empty)
        );
    }
);

on_both_databases!(
    change_password_needs_the_current_one,
    |db: DatabaseConnection| async move {
        let user = domain::create_user(&db, new_user("c@example.be", "oud wachtwoord 1"))
            .await
            .unwrap();
        assert_eq!(
            domain::change_password(&db, user.id, "verkeerd wachtwoord", "nieuw wachtwoord 2")
                .await
                .unwrap_err(),
            AppError::WrongCredentials
        );
        assert_eq!(
            domain::change_password(&db, user.id, "oud wachtwoord 1", "kort")
                .await
                .unwrap_err(),
            AppError::invalid(Field::NewPassword, Problem::TooShort { min: 10 })
        );
        domain::change_password(&db, user.id, "oud wachtwoord 1", "nieuw wachtwoord 2")
            .await
            .unwrap();
        assert!(
            domain::authenticate(&db, "c@example.be", "oud wachtwoord 1", "ip", 10)
                .await
                .is_err()
        );
        assert!(
            domain::authenticate(&db, "c@example.be", "nieuw wachtwoord 2", "ip", 10)
                .await
                .is_ok()
        );
    }
);

on_both_databases!(
    throttle_per_account_and_per_ip,
    |db: DatabaseConnection| async move {
        domain::create_user(&db, new_user("t@example.be", "juist wachtwoord"))
            .await
            .unwrap();
        let now = 1_700_000_000;
        for i in 0..10 {
            let r = domain::authenticate(&db, "t@example.be", "fout", "10.0.0.9", now + i).await;
            assert_eq!(r.unwrap_err(), AppError::WrongCredentials);
        }
        // The 11th attempt is refused even with the right password.
        let r = domain::authenticate(&db, "t@example.be", "juist wachtwoord", "10.0.0.77", now + 20).await;
        assert_eq!(r.unwrap_err(), AppError::Throttled { minutes: 15 });
        // The same IP is throttled for another account too.
        let r = domain::authenticate(&db, "ander@example.be", "wat dan ook", "10.0.0.9", now + 20).await;
        assert!(matches!(r.unwrap_err(), AppError::Throttled { .. }));
        // After the window the account can sign in again, which clears it.
        let later = now + throttle::WINDOW_SECS + 10;
        assert!(
            domain::authenticate(&db, "t@example.be", "juist wachtwoord", "10.0.0.77", later)
                .await
                .is_ok()
        );
        assert_eq!(
            throttle::prune(&db, later).await.unwrap(),
            0,
            "success already cleared the account's failures"
        );
    }
);

on_both_databases!(throttle_minutes_count_down, |db: DatabaseConnection| async move {
    let now = 1_800_000_000;
    for i in 0..10 {
        throttle::record_failure(&db, "m@example.be", "1.2.3.4", now + i * 60)
            .await
            .unwrap();
    }
    // Oldest failure at `now`: free at now + 15 min. Five minutes in, ten remain.
    let r = throttle::check(&db, "m@example.be", "5.6.7.8", now + 5 * 60).await;
    assert_eq!(r.unwrap_err(), AppError::Throttled { minutes: 10 });
    assert!(
        throttle::check(&db, "m@example.be", "5.6.7.8", now + 15 * 60 + 1)
            .await
            .is_ok()
    );
});

on_both_databases!(session_store_round_trip, |db: DatabaseConnection| async move {
    let store = DbSessionStore::new(db.clone());
    let mut data = std::collections::HashMap::new();
    data.insert("uid".to_owned(), serde_json::json!(42));
    let future = time::OffsetDateTime::now_utc() + time::Duration::minutes(30);
    let mut record = Record {
        id: Id::default(),
        data,
        expiry_date: future,
    };
    store.create(&mut record).await.unwrap();
    let loaded = store.load(&record.id).await.unwrap().expect("stored");
    assert_eq!(loaded.data.get("uid"), Some(&serde_json::json!(42)));
    assert_eq!(loaded.expiry_date.unix_timestamp(), future.unix_timestamp());

    // An expired session is not loaded, and the sweep deletes it.
    let mut old = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: time::OffsetDateTime::now_utc() - time::Duration::seconds(5),
    };
    store.create(&mut old).await.unwrap();
    assert!(store.load(&old.id).await.unwrap().is_none());
    store.delete_expired().await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_some());

    store.delete(&record.id).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
});
