//! Two-step sign-in for local accounts: a TOTP authenticator (RFC 6238,
//! SHA-1, 6 digits, 30 s steps, one step of clock drift either way) and ten
//! single-use recovery codes. A code is accepted once: the last accepted
//! time step is stored and only later steps pass, in one conditional
//! UPDATE so two requests with the same code cannot both win.
//!
//! A network can require it of its facilitators (`networks.require_two_factor`);
//! `must_enrol` answers whether a person is held to that and has not set
//! it up yet (the server then sends them to the set-up page).

use chrono::Utc;
use rand::Rng;
use sea_orm::sea_query::{Alias, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

use super::domain;
use super::entity::{recovery_code, two_factor};
use crate::audit::AuditAction;
use crate::audit::domain::{self as audit, Event};
use crate::db::begin_write;
use crate::errors::AppError;

pub const STEP_SECS: u64 = 30;
/// Steps either side of now that still count (phone clocks drift).
pub const DRIFT_STEPS: u64 = 1;
pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Kring";
/// No ambiguous characters (0/o, 1/l/i): codes are typed from paper.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// What the set-up page shows while the person scans the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// Base32, grouped by four for typing.
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code of `otpauth_url`, an inline SVG.
    pub qr_svg: String,
}

/// A person's two-step state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Off,
    /// Set up, waiting for the first code.
    Pending,
    On {
        recovery_left: u32,
    },
}

fn authenticator(secret_b32: &str, account: &str) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().map_err(|e| {
        tracing::error!(error = ?e, "stored TOTP secret is not base32");
        AppError::Internal
    })?;
    // No drift inside the crate: `check_step` walks the window itself, so it
    // knows which step matched.
    Ok(TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        0,
        STEP_SECS,
        bytes,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    ))
}

/// The code an authenticator shows at `unix_secs` (tests, and the CLI).
pub fn code_at(secret_b32: &str, unix_secs: u64) -> Result<String, AppError> {
    Ok(authenticator(secret_b32, "x")?.generate(unix_secs))
}

/// Which time step, within the drift window around `now` and after
/// `after`, this code belongs to.
fn matching_step(totp: &TOTP, code: &str, now: u64, after: i64) -> Option<u64> {
    let current = now / STEP_SECS;
    (current.saturating_sub(DRIFT_STEPS)..=current + DRIFT_STEPS)
        .filter(|step| (*step as i64) > after)
        .find(|step| totp.check(code, step * STEP_SECS))
}

fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn hash_recovery(normalised: &str) -> String {
    let digest = Sha256::digest(normalised.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_recovery_code(rng: &mut impl Rng) -> String {
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        code.push(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char);
    }
    code
}

fn qr_svg(text: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).map_err(|e| {
        tracing::error!(error = %e, "QR code");
        AppError::Internal
    })?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in a page: without the XML declaration.
    Ok(svg.find("<svg").map(|i| svg[i..].to_owned()).unwrap_or(svg))
}

fn grouped(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn row<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<Option<two_factor::Model>, AppError> {
    Ok(two_factor::Entity::find_by_id(user_id).one(db).await?)
}

pub async fn state<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<State, AppError> {
    Ok(match row(db, user_id).await? {
        None => State::Off,
        Some(r) if r.enabled_at.is_none() => State::Pending,
        Some(_) => State::On {
            recovery_left: recovery_code::Entity::find()
                .filter(recovery_code::Column::UserId.eq(user_id))
                .filter(recovery_code::Column::UsedAt.is_null())
                .count(db)
                .await? as u32,
        },
    })
}

pub async fn is_enabled<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<bool, AppError> {
    Ok(matches!(state(db, user_id).await?, State::On { .. }))
}

/// Starts (or restarts) setting up: a fresh secret, not yet in force.
/// Someone who already has it on must turn it off first.
pub async fn begin<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<Enrolment, AppError> {
    let person = domain::find_by_id(db, user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    if is_enabled(db, user_id).await? {
        return Err(AppError::TwoFactorAlreadyOn);
    }
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill(&mut bytes);
    let secret = Secret::Raw(bytes.to_vec()).to_encoded().to_string();
    two_factor::Entity::delete_by_id(user_id).exec(db).await?;
    two_factor::ActiveModel {
        user_id: Set(user_id),
        secret: Set(secret),
        created_at: Set(Utc::now()),
        enabled_at: Set(None),
        last_step: Set(0),
    }
    .insert(db)
    .await?;
    enrolment(db, &person).await?.ok_or(AppError::Internal)
}

/// The pending set-up of a person, to show again (a reload of the page).
pub async fn enrolment<C: ConnectionTrait>(
    db: &C,
    person: &super::entity::user::Model,
) -> Result<Option<Enrolment>, AppError> {
    let Some(r) = row(db, person.id).await?.filter(|r| r.enabled_at.is_none()) else {
        return Ok(None);
    };
    let url = authenticator(&r.secret, &person.email)?.get_url();
    Ok(Some(Enrolment {
        secret: grouped(&r.secret),
        qr_svg: qr_svg(&url)?,
        otpauth_url: url,
    }))
}

/// The first code from the app turns it on; returns the recovery codes,
/// shown to the person once.
pub async fn confirm<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user_id: i64,
    code: &str,
    now: u64,
) -> Result<Vec<String>, AppError> {
    let tx = begin_write(db).await?;
    let r = row(&tx, user_id)
        .await?
        .filter(|r| r.enabled_at.is_none())
        .ok_or(AppError::NotFound)?;
    let totp = authenticator(&r.secret, "x")?;
    let step = matching_step(&totp, &normalise(code), now, r.last_step).ok_or(AppError::WrongCode)?;
    let mut am: two_factor::ActiveModel = r.into();
    am.enabled_at = Set(Some(Utc::now()));
    am.last_step = Set(step as i64);
    am.update(&tx).await?;
    let codes = replace_recovery_codes(&tx, user_id).await?;
    audit::record(&tx, Event::new(AuditAction::TwoFactorEnabled).by(Some(user_id))).await?;
    tx.commit().await?;
    Ok(codes)
}

async fn replace_recovery_codes<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<Vec<String>, AppError> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    let codes: Vec<String> = {
        let mut rng = rand::rngs::OsRng;
        (0..RECOVERY_CODES).map(|_| new_recovery_code(&mut rng)).collect()
    };
    recovery_code::Entity::insert_many(codes.iter().map(|c| recovery_code::ActiveModel {
        user_id: Set(user_id),
        code_hash: Set(hash_recovery(&normalise(c))),
        used_at: Set(None),
        ..Default::default()
    }))
    .exec(db)
    .await?;
    Ok(codes)
}

/// New recovery codes (the old ones stop working), after the password.
pub async fn regenerate_recovery_codes<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user_id: i64,
    password: &str,
) -> Result<Vec<String>, AppError> {
    let person = domain::find_by_id(db, user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    domain::confirm_password(&person, password, crate::errors::Field::Password)?;
    if !is_enabled(db, user_id).await? {
        return Err(AppError::NotFound);
    }
    let tx = begin_write(db).await?;
    let codes = replace_recovery_codes(&tx, user_id).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns two-step sign-in off, after the password; refused while a network
/// the person facilitates requires it.
pub async fn disable<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user_id: i64,
    password: &str,
) -> Result<(), AppError> {
    let person = domain::find_by_id(db, user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    domain::confirm_password(&person, password, crate::errors::Field::Password)?;
    if !required_by(db, user_id).await?.is_empty() {
        return Err(AppError::TwoFactorRequired);
    }
    let tx = begin_write(db).await?;
    two_factor::Entity::delete_by_id(user_id).exec(&tx).await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(&tx)
        .await?;
    audit::record(&tx, Event::new(AuditAction::TwoFactorDisabled).by(Some(user_id))).await?;
    tx.commit().await?;
    Ok(())
}

/// Which second factor passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    Authenticator,
    RecoveryCode,
}

/// Checks the second step of a sign-in: a code from the app (each time
/// step once) or an unused recovery code (each once). Failures are
/// recorded in the audit log; the caller counts them in the throttle.
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    code: &str,
    now: u64,
    ip: &str,
) -> Result<Passed, AppError> {
    let passed = check_code(db, user_id, code, now).await?;
    let event = match passed {
        Some(Passed::RecoveryCode) => Event::new(AuditAction::RecoveryCodeUsed),
        Some(Passed::Authenticator) => return Ok(Passed::Authenticator),
        None => Event::new(AuditAction::TwoFactorFailed),
    };
    audit::record(db, event.by(Some(user_id)).ip(ip)).await?;
    passed.ok_or(AppError::WrongCode)
}

async fn check_code<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    code: &str,
    now: u64,
) -> Result<Option<Passed>, AppError> {
    let Some(r) = row(db, user_id).await?.filter(|r| r.enabled_at.is_some()) else {
        return Ok(None);
    };
    let code = normalise(code);
    if code.len() > 16 {
        return Ok(None);
    }
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let totp = authenticator(&r.secret, "x")?;
        let Some(step) = matching_step(&totp, &code, now, r.last_step) else {
            return Ok(None);
        };
        // Only a later step than the last one accepted wins; a second
        // request with the same code (or an older one) changes nothing.
        let res = two_factor::Entity::update_many()
            .col_expr(two_factor::Column::LastStep, Expr::value(step as i64))
            .filter(two_factor::Column::UserId.eq(user_id))
            .filter(two_factor::Column::LastStep.lt(step as i64))
            .exec(db)
            .await?;
        return Ok((res.rows_affected == 1).then_some(Passed::Authenticator));
    }
    let res = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(Some(Utc::now())))
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::CodeHash.eq(hash_recovery(&code)))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok((res.rows_affected >= 1).then_some(Passed::RecoveryCode))
}

/// The networks that require two-step sign-in of this person (they
/// facilitate them), by name.
pub async fn required_by<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<Vec<String>, AppError> {
    use crate::networks::entity::network;
    let facilitated = crate::networks::members::facilitated_by(db, user_id).await?;
    if facilitated.is_empty() {
        return Ok(Vec::new());
    }
    Ok(network::Entity::find()
        .select_only()
        .column(network::Column::Name)
        .filter(network::Column::Id.is_in(facilitated))
        .filter(Expr::col(Alias::new("require_two_factor")).eq(true))
        .order_by_asc(network::Column::Name)
        .into_tuple()
        .all(db)
        .await?)
}

/// Held to two-step sign-in by a network and not set up yet: every page
/// but the set-up page is closed to them until they are. (Asked on every
/// request of a signed-in person: one indexed query for most people.)
pub async fn must_enrol<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<bool, AppError> {
    if required_by(db, user_id).await?.is_empty() || is_enabled(db, user_id).await? {
        return Ok(false);
    }
    // An account without a password signs in only through its provider,
    // which covers the second step; one that still has a password stays
    // held to the rule (the password alone would let someone in).
    let covered = match domain::find_by_id(db, user_id).await? {
        Some(person) => person.password_hash.is_none() && super::sso::count_linked(db, user_id).await? > 0,
        None => false,
    };
    Ok(!covered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890".
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        for (t, code) in [(59, "287082"), (1111111109, "081804"), (1234567890, "005924")] {
            assert_eq!(code_at(&secret, t).unwrap(), code);
        }
    }

    #[test]
    fn codes_of_the_drift_window_match_once_per_step() {
        let secret = Secret::Raw(vec![7u8; 20]).to_encoded().to_string();
        let totp = authenticator(&secret, "x").unwrap();
        let now = 1_800_000_000u64;
        let step = now / STEP_SECS;
        let previous = totp.generate(now - STEP_SECS);
        assert_eq!(matching_step(&totp, &previous, now, 0), Some(step - 1));
        // Already used up to this step: the same code no longer counts.
        assert_eq!(matching_step(&totp, &previous, now, (step - 1) as i64), None);
        let old = totp.generate(now - 2 * STEP_SECS);
        assert_eq!(matching_step(&totp, &old, now, 0), None);
    }

    #[test]
    fn recovery_codes_are_typed_forgivingly() {
        let mut rng = rand::rngs::OsRng;
        let code = new_recovery_code(&mut rng);
        assert_eq!(code.len(), 9);
        assert_eq!(
            normalise(&format!(" {} ", code.to_uppercase())),
            code.replace('-', "")
        );
    }
}
