//! Accounts: creating people, checking passwords, changing them. Plain
//! functions over a database handle; no HTTP here.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::entity::user;
use super::throttle;
use crate::audit::AuditAction;
use crate::audit::domain::{self as audit, Event};
use crate::errors::{AppError, Field, Problem};

pub const EMAIL_MAX: usize = 254;
pub const NAME_MAX: usize = 100;
pub const PASSWORD_MIN: usize = 10;
/// Long enough for any passphrase, short enough that hashing stays cheap.
pub const PASSWORD_MAX: usize = 256;

/// argon2id at the OWASP baseline: m = 19 MiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    // The parameters are constants within argon2's documented bounds.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the account does not exist, so that a
/// wrong email costs as much time as a wrong password.
fn dummy_hash() -> &'static str {
    use std::sync::OnceLock;
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("kring-dummy-password").unwrap_or_default())
}

/// Trims and lowercases an email address and checks its shape.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::invalid(Field::Email, Problem::Empty));
    }
    if email.len() > EMAIL_MAX {
        return Err(AppError::invalid(
            Field::Email,
            Problem::TooLong {
                max: EMAIL_MAX as u32,
            },
        ));
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
                && !domain.contains('@')
        }
        None => false,
    };
    if valid {
        Ok(email)
    } else {
        Err(AppError::invalid(Field::Email, Problem::Malformed))
    }
}

pub fn validate_display_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::invalid(Field::DisplayName, Problem::Empty));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::invalid(
            Field::DisplayName,
            Problem::TooLong { max: NAME_MAX as u32 },
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid(Field::DisplayName, Problem::Malformed));
    }
    Ok(name.to_owned())
}

pub fn validate_new_password(password: &str, field: Field) -> Result<(), AppError> {
    let n = password.chars().count();
    if n == 0 {
        return Err(AppError::invalid(field, Problem::Empty));
    }
    if n < PASSWORD_MIN {
        return Err(AppError::invalid(
            field,
            Problem::TooShort {
                min: PASSWORD_MIN as u32,
            },
        ));
    }
    if password.len() > PASSWORD_MAX {
        return Err(AppError::invalid(
            field,
            Problem::TooLong {
                max: PASSWORD_MAX as u32,
            },
        ));
    }
    Ok(())
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub is_admin: bool,
    pub is_demo: bool,
}

pub async fn create_user<C: ConnectionTrait>(db: &C, new: NewUser<'_>) -> Result<user::Model, AppError> {
    let email = normalize_email(new.email)?;
    let display_name = validate_display_name(new.display_name)?;
    validate_new_password(new.password, Field::Password)?;
    if find_by_email(db, &email).await?.is_some() {
        return Err(AppError::EmailTaken);
    }
    let hash = hash_password(new.password)?;
    let now = Utc::now();
    let model = user::ActiveModel {
        email: Set(email),
        display_name: Set(display_name),
        password_hash: Set(Some(hash)),
        is_admin: Set(new.is_admin),
        is_demo: Set(new.is_demo),
        locale: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    // A concurrent insert of the same email loses on the unique index.
    model.insert(db).await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::EmailTaken,
        _ => AppError::from(e),
    })
}

pub async fn find_by_email<C: ConnectionTrait>(db: &C, email: &str) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?)
}

pub async fn find_by_id<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

/// Checks a sign-in attempt: throttle first, then the password. Failures
/// are recorded against the email address and the client's IP.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    raw_email: &str,
    password: &str,
    ip: &str,
    now: i64,
) -> Result<user::Model, AppError> {
    let email = raw_email.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::invalid(Field::Email, Problem::Empty));
    }
    if password.is_empty() {
        return Err(AppError::invalid(Field::Password, Problem::Empty));
    }
    if email.len() > EMAIL_MAX || password.len() > PASSWORD_MAX {
        return Err(AppError::WrongCredentials);
    }
    throttle::check(db, &email, ip, now).await?;
    let user = find_by_email(db, &email).await?;
    let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(hash) => verify_password(password, hash),
        None => {
            let _ = verify_password(password, dummy_hash());
            false
        }
    };
    match (ok, user) {
        (true, Some(user)) => {
            throttle::clear_account(db, &email).await?;
            audit::record(db, Event::new(AuditAction::SignIn).by(Some(user.id)).ip(ip)).await?;
            Ok(user)
        }
        (_, user) => {
            throttle::record_failure(db, &email, ip, now).await?;
            // Against the account when there is one; a typed address that
            // is no account is not kept (it may be a password).
            let event = Event::new(AuditAction::SignInFailed).ip(ip);
            audit::record(db, event.by(user.map(|u| u.id))).await?;
            Err(AppError::WrongCredentials)
        }
    }
}

/// A signed-in person's password asked again (to change it, to delete
/// the account, to turn two-step sign-in off). Empty: a field error; too
/// long or wrong: wrong credentials, before any hashing of a huge input.
pub fn confirm_password(person: &user::Model, password: &str, field: Field) -> Result<(), AppError> {
    if password.is_empty() {
        return Err(AppError::invalid(field, Problem::Empty));
    }
    let ok = password.len() <= PASSWORD_MAX
        && person
            .password_hash
            .as_deref()
            .is_some_and(|h| verify_password(password, h));
    if ok {
        Ok(())
    } else {
        Err(AppError::WrongCredentials)
    }
}

pub async fn change_password<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    current: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let user = find_by_id(db, user_id).await?.ok_or(AppError::NotSignedIn)?;
    confirm_password(&user, current, Field::CurrentPassword)?;
    validate_new_password(new_password, Field::NewPassword)?;
    set_password(db, user_id, new_password).await?;
    audit::record(db, Event::new(AuditAction::PasswordChanged).by(Some(user_id))).await?;
    Ok(())
}

/// How long a fresh sign-in at the provider stands in for a password.
pub const PROVIDER_PROOF_SECS: i64 = 10 * 60;

/// How a person shows that it is them before a grave step (deleting the
/// account, a first password).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof<'a> {
    /// The account's password (what the form held).
    Password(&'a str),
    /// For an account without a password: when (Unix seconds) the person
    /// last signed in again at their organisation's provider, asked for
    /// with `prompt=login`; `None` when they did not.
    Provider { confirmed_at: Option<i64> },
}

impl Default for Proof<'_> {
    /// An empty password field.
    fn default() -> Self {
        Proof::Password("")
    }
}

/// Checks a proof: an account with a password always gives the password;
/// one without gives a sign-in at its provider of at most ten minutes ago.
pub fn confirm_person(
    person: &user::Model,
    proof: Proof<'_>,
    field: Field,
    now: i64,
) -> Result<(), AppError> {
    match (person.password_hash.is_some(), proof) {
        (true, Proof::Password(password)) => confirm_password(person, password, field),
        (true, Proof::Provider { .. }) => Err(AppError::invalid(field, Problem::Empty)),
        (
            false,
            Proof::Provider {
                confirmed_at: Some(at),
            },
        ) if at <= now + 60 && now - at <= PROVIDER_PROOF_SECS => Ok(()),
        (false, _) => Err(AppError::ConfirmWithProvider),
    }
}

/// A first password for an account that signs in through its provider
/// only (so that it keeps a way in without the organisation, and can
/// unlink it).
pub async fn set_first_password<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    proof: Proof<'_>,
    new_password: &str,
    now: i64,
) -> Result<(), AppError> {
    let user = find_by_id(db, user_id).await?.ok_or(AppError::NotSignedIn)?;
    if user.password_hash.is_some() {
        return Err(AppError::HasPassword);
    }
    confirm_person(&user, proof, Field::NewPassword, now)?;
    validate_new_password(new_password, Field::NewPassword)?;
    set_password(db, user_id, new_password).await?;
    let event = Event::new(AuditAction::PasswordChanged)
        .by(Some(user_id))
        .detail("first password");
    audit::record(db, event).await?;
    Ok(())
}

/// Sets a password without asking for the old one (admin CLI).
pub async fn set_password<C: ConnectionTrait>(db: &C, user_id: i64, password: &str) -> Result<(), AppError> {
    validate_new_password(password, Field::Password)?;
    let hash = hash_password(password)?;
    let mut am: user::ActiveModel = find_by_id(db, user_id).await?.ok_or(AppError::NotFound)?.into();
    am.password_hash = Set(Some(hash));
    am.updated_at = Set(Utc::now());
    am.update(db).await?;
    Ok(())
}

pub async fn set_locale<C: ConnectionTrait>(db: &C, user_id: i64, locale: &str) -> Result<(), AppError> {
    let mut am: user::ActiveModel = find_by_id(db, user_id).await?.ok_or(AppError::NotFound)?.into();
    am.locale = Set(Some(locale.to_owned()));
    am.updated_at = Set(Utc::now());
    am.update(db).await?;
    Ok(())
}
