//! Two-step sign-in on SQLite and PostgreSQL: set-up with a first code,
//! codes accepted once (also within their window), recovery codes once,
//! new codes replace old ones, turning off needs the password, and the
//! per-network rule for facilitators.

mod common;

use app::AppError;
use app::accounts::two_factor::{self, Passed, State};
use app::audit::AuditAction;
use app::audit::domain::{self as audit, Filter};
use app::cases::domain as cases;
use common::fixtures::{network, person};
use sea_orm::DatabaseConnection;

const NOW: u64 = 1_800_000_000;
const IP: &str = "10.9.8.7";

/// The secret as the set-up page shows it (grouped by four).
fn secret_of(e: &two_factor::Enrolment) -> String {
    e.secret.replace(' ', "")
}

on_both_databases!(
    set_up_then_each_code_and_recovery_code_works_once,
    |db: DatabaseConnection| async move {
        let ann = person(&db, "ann@example.be", false).await;
        assert_eq!(two_factor::state(&db, ann.id).await.unwrap(), State::Off);

        let setup = two_factor::begin(&db, ann.id).await.unwrap();
        assert!(
            setup
                .otpauth_url
                .starts_with("otpauth://totp/Kring:ann%40example.be?")
        );
        assert!(setup.qr_svg.starts_with("<svg") && setup.qr_svg.contains("<path"));
        assert_eq!(two_factor::state(&db, ann.id).await.unwrap(), State::Pending);
        let secret = secret_of(&setup);
        // Pending is not on: a sign-in does not ask for a code yet.
        assert!(!two_factor::is_enabled(&db, ann.id).await.unwrap());

        // A wrong first code leaves it off.
        assert_eq!(
            two_factor::confirm(&db, ann.id, "000000", NOW).await.err(),
            Some(AppError::WrongCode)
        );
        let first = two_factor::code_at(&secret, NOW).unwrap();
        let recovery = two_factor::confirm(&db, ann.id, &first, NOW).await.unwrap();
        assert_eq!(recovery.len(), two_factor::RECOVERY_CODES);
        assert_eq!(
            two_factor::state(&db, ann.id).await.unwrap(),
            State::On { recovery_left: 10 }
        );
        // Setting up again while it is on is refused (turn it off first).
        assert_eq!(
            two_factor::begin(&db, ann.id).await.err(),
            Some(AppError::TwoFactorAlreadyOn)
        );

        // The code that confirmed the set-up does not sign in again.
        assert_eq!(
            two_factor::verify(&db, ann.id, &first, NOW + 5, IP).await.err(),
            Some(AppError::WrongCode)
        );
        // The next step's code works once, with spaces typed in it ...
        let next = two_factor::code_at(&secret, NOW + 30).unwrap();
        let spaced = format!("{} {}", &next[..3], &next[3..]);
        assert_eq!(
            two_factor::verify(&db, ann.id, &spaced, NOW + 31, IP)
                .await
                .unwrap(),
            Passed::Authenticator
        );
        // ... and not a second time within its window (another device, a
        // replayed form post).
        assert_eq!(
            two_factor::verify(&db, ann.id, &next, NOW + 40, IP).await.err(),
            Some(AppError::WrongCode)
        );
        // A phone a step behind still signs in, but not with an older code
        // than the last one accepted.
        let later = NOW + 300;
        let behind = two_factor::code_at(&secret, later - 30).unwrap();
        assert_eq!(
            two_factor::verify(&db, ann.id, &behind, later, IP).await.unwrap(),
            Passed::Authenticator
        );
        let two_behind = two_factor::code_at(&secret, later + 30 - 90).unwrap();
        assert_eq!(
            two_factor::verify(&db, ann.id, &two_behind, later + 30, IP)
                .await
                .err(),
            Some(AppError::WrongCode)
        );

        // A recovery code, typed in capitals, works once.
        let code = recovery[3].to_uppercase();
        assert_eq!(
            two_factor::verify(&db, ann.id, &code, later + 60, IP)
                .await
                .unwrap(),
            Passed::RecoveryCode
        );
        assert_eq!(
            two_factor::verify(&db, ann.id, &code, later + 61, IP).await.err(),
            Some(AppError::WrongCode)
        );
        assert_eq!(
            two_factor::state(&db, ann.id).await.unwrap(),
            State::On { recovery_left: 9 }
        );
        // Nonsense and huge input are wrong codes, nothing more.
        for junk in ["", "12345", "abcdefgh", &"9".repeat(2_000)] {
            assert_eq!(
                two_factor::verify(&db, ann.id, junk, later + 62, IP).await.err(),
                Some(AppError::WrongCode)
            );
        }

        // New recovery codes need the password and replace the old ones.
        assert_eq!(
            two_factor::regenerate_recovery_codes(&db, ann.id, "fout-wachtwoord")
                .await
                .err(),
            Some(AppError::WrongCredentials)
        );
        let fresh = two_factor::regenerate_recovery_codes(&db, ann.id, "wachtwoord-1234")
            .await
            .unwrap();
        assert_eq!(
            two_factor::verify(&db, ann.id, &recovery[4], later + 63, IP)
                .await
                .err(),
            Some(AppError::WrongCode)
        );
        assert_eq!(
            two_factor::verify(&db, ann.id, &fresh[0], later + 64, IP)
                .await
                .unwrap(),
            Passed::RecoveryCode
        );

        // Another person's code is not this person's.
        let bert = person(&db, "bert@example.be", false).await;
        assert_eq!(
            two_factor::verify(&db, bert.id, &fresh[1], later + 65, IP)
                .await
                .err(),
            Some(AppError::WrongCode)
        );

        // Off again, after the password; then a sign-in asks nothing more.
        assert_eq!(
            two_factor::disable(&db, ann.id, "").await.err(),
            Some(AppError::invalid(
                app::errors::Field::Password,
                app::errors::Problem::Empty
            ))
        );
        assert_eq!(
            two_factor::disable(&db, ann.id, &"x".repeat(5_000)).await.err(),
            Some(AppError::WrongCredentials)
        );
        two_factor::disable(&db, ann.id, "wachtwoord-1234").await.unwrap();
        assert_eq!(two_factor::state(&db, ann.id).await.unwrap(), State::Off);

        // The audit log has it all, with no code in it.
        let admin = person(&db, "root@example.be", true).await;
        let admin = common::fixtures::actor(&db, &admin).await;
        let log = audit::list(&db, &admin, &Filter::default()).await.unwrap();
        let seen: Vec<AuditAction> = log.rows.iter().map(|r| r.action).collect();
        for expected in [
            AuditAction::TwoFactorEnabled,
            AuditAction::TwoFactorFailed,
            AuditAction::RecoveryCodeUsed,
            AuditAction::TwoFactorDisabled,
        ] {
            assert!(seen.contains(&expected), "{expected:?} in {seen:?}");
        }
        for row in &log.rows {
            assert!(!row.detail.contains(&first) && !row.detail.contains(&recovery[3]));
        }
    }
);

on_both_databases!(
    a_network_can_require_it_of_its_facilitators,
    |db: DatabaseConnection| async move {
        let net = network(&db, "leie").await;
        let lotte = net.facilitator.user.unwrap();
        let sofie = net.coach.user.unwrap();
        assert!(!two_factor::must_enrol(&db, lotte).await.unwrap());

        // Only the network's facilitators (or an admin) set the rule.
        for who in [&net.coach, &net.expert, &net.observer] {
            assert_eq!(
                cases::set_two_factor_rule(&db, who, "leie", true).await.err(),
                Some(AppError::NotFound)
            );
        }
        cases::set_two_factor_rule(&db, &net.facilitator, "leie", true)
            .await
            .unwrap();
        let review = cases::review(&db, &net.facilitator, "leie", false).await.unwrap();
        assert!(review.require_two_factor);

        // The facilitator must set it up now; a coach of the network is not
        // held to it.
        assert!(two_factor::must_enrol(&db, lotte).await.unwrap());
        assert!(!two_factor::must_enrol(&db, sofie).await.unwrap());
        assert_eq!(
            two_factor::required_by(&db, lotte).await.unwrap(),
            vec!["leie".to_owned()]
        );

        // A pending set-up is not enough; a confirmed one is.
        let setup = two_factor::begin(&db, lotte).await.unwrap();
        assert!(two_factor::must_enrol(&db, lotte).await.unwrap());
        let code = two_factor::code_at(&secret_of(&setup), NOW).unwrap();
        two_factor::confirm(&db, lotte, &code, NOW).await.unwrap();
        assert!(!two_factor::must_enrol(&db, lotte).await.unwrap());

        // While the network requires it, it cannot be turned off.
        assert_eq!(
            two_factor::disable(&db, lotte, "wachtwoord-1234").await.err(),
            Some(AppError::TwoFactorRequired)
        );
        cases::set_two_factor_rule(&db, &net.facilitator, "leie", false)
            .await
            .unwrap();
        two_factor::disable(&db, lotte, "wachtwoord-1234").await.unwrap();
        assert!(!two_factor::must_enrol(&db, lotte).await.unwrap());
    }
);
