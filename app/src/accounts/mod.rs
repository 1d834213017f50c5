//! Accounts: sign in, sign out, change password, language preference.
//! Pages and thin server functions here; the domain lives in `domain`.

mod pages;
mod sso_pages;
mod two_factor_pages;
pub use pages::{AccountDeletedPage, AccountPage, DeleteAccountPage, SignInPage};
pub use sso_pages::{
    LinkedAccounts, ProviderConfirm, SignedOutPage, SsoAlert, SsoButtons, SsoErrorText, SsoLinkPage,
};
pub use two_factor_pages::{SignInCodePage, TwoFactorPage};

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod session_store;
#[cfg(feature = "ssr")]
pub mod sso;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod two_factor;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::errors::AppError;

/// The signed-in person, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub is_demo: bool,
    /// False for an account that signs in through its provider only.
    pub has_password: bool,
}

#[server(endpoint = "me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    Ok(auth::current_user().await?.map(|u| Me {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        is_admin: u.is_admin,
        has_password: u.password_hash.is_some(),
        is_demo: u.is_demo,
    }))
}

/// Whether this installation has the demo accounts (the sign-in page then
/// shows how to use them; a real installation shows nothing).
#[server(endpoint = "has_demo")]
pub async fn has_demo_accounts() -> Result<bool, AppError> {
    let st = crate::state::app_state()?;
    Ok(domain::find_by_email(&st.db, "admin@kring.demo")
        .await?
        .is_some_and(|u| u.is_demo))
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<(), AppError> {
    let st = crate::state::app_state()?;
    let ip = auth::client_ip().await;
    let now = chrono::Utc::now().timestamp();
    match domain::authenticate(&st.db, &email, &password, &ip, now).await {
        Ok(user) => {
            if let Some(locale) = user.locale.as_deref() {
                auth::set_locale_cookie(locale, &st.settings);
            }
            let next = crate::ui::form::safe_next(next.as_deref());
            if two_factor::is_enabled(&st.db, user.id).await? {
                auth::begin_second_step(&user, remember.is_some()).await?;
                leptos_axum::redirect(&format!("/sign-in/code?next={}", crate::ui::urlencode(&next)));
            } else {
                auth::start_session(&user, remember.is_some()).await?;
                leptos_axum::redirect(&next);
            }
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<SignIn>(
                &err,
                &[("email", &email), ("next", next.as_deref().unwrap_or(""))],
            );
            Err(err)
        }
    }
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    if let Some(user) = auth::current_user().await? {
        let st = crate::state::app_state()?;
        let event = crate::audit::domain::Event::new(crate::audit::AuditAction::SignOut);
        crate::audit::domain::record(&st.db, event.by(Some(user.id)).ip(&auth::client_ip().await)).await?;
    }
    // A session that came through a provider: offer its own sign-out too.
    let via = auth::signed_in_via().await?;
    auth::end_session().await?;
    match via {
        Some(id) => leptos_axum::redirect(&format!("/signed-out?via={}", crate::ui::urlencode(&id))),
        None => leptos_axum::redirect("/"),
    }
    Ok(())
}

/// A first password for an account that signs in through its provider
/// only, after a fresh sign-in there.
#[server(endpoint = "set_first_password")]
pub async fn set_first_password(new_password: String, new_password_repeat: String) -> Result<(), AppError> {
    use crate::errors::{Field, Problem};
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    let result = if new_password != new_password_repeat {
        Err(AppError::invalid(Field::NewPassword, Problem::Mismatch))
    } else {
        let proof = proof_of(&user, "").await?;
        let now = chrono::Utc::now().timestamp();
        domain::set_first_password(&st.db, user.id, proof, &new_password, now).await
    };
    match result {
        Ok(()) => {
            // As after a changed password: other sign-ins end.
            auth::rotate_session().await?;
            privacy::end_sessions_of(&st.db, user.id).await?;
            leptos_axum::redirect("/account?password_set=1");
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<SetFirstPassword>(&err, &[]);
            Err(err)
        }
    }
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_repeat: String,
) -> Result<(), AppError> {
    use crate::errors::{Field, Problem};
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    let result = if new_password != new_password_repeat {
        Err(AppError::invalid(Field::NewPassword, Problem::Mismatch))
    } else {
        let ip = auth::client_ip().await;
        guarded_by_password(&st.db, &user, &ip, || {
            domain::change_password(&st.db, user.id, &current_password, &new_password)
        })
        .await
    };
    match result {
        Ok(()) => {
            // A new password ends every other sign-in of this person (a
            // stolen session included); this one goes on under a new id,
            // stored when the response is sent.
            auth::rotate_session().await?;
            privacy::end_sessions_of(&st.db, user.id).await?;
            leptos_axum::redirect("/account?changed=1");
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<ChangePassword>(&err, &[]);
            Err(err)
        }
    }
}

/// Switches the interface language: a cookie for everyone, and the
/// profile for a signed-in person. Always a full page load afterwards.
#[server(endpoint = "set_language")]
pub async fn set_language(lang: String, next: Option<String>) -> Result<(), AppError> {
    use crate::errors::{Field, Problem};
    let locale = match lang.as_str() {
        "nl" | "en" => lang,
        _ => return Err(AppError::invalid(Field::Language, Problem::Malformed)),
    };
    let st = crate::state::app_state()?;
    if let Some(user) = auth::current_user().await? {
        domain::set_locale(&st.db, user.id, &locale).await?;
    }
    auth::set_locale_cookie(&locale, &st.settings);
    leptos_axum::redirect(&crate::ui::form::safe_next(next.as_deref()));
    Ok(())
}

/// What deleting one's account would do (the confirmation page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionPreview {
    /// Networks that would be left without a facilitator.
    pub sole_facilitator_of: Vec<String>,
    /// Published cases, which stay (pseudonymised, without a name).
    pub cases: u32,
    pub replies: u32,
    pub reflections: u32,
    /// Practices they started, which stay (without a name).
    pub practices: u32,
}

#[server(endpoint = "deletion_preview")]
pub async fn get_deletion_preview() -> Result<DeletionPreview, AppError> {
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    privacy::deletion_preview(&st.db, user.id).await
}

/// The proof a grave step of the signed-in person needs: the password
/// from the form, or for an account without one, this session's fresh
/// sign-in at the provider.
#[cfg(feature = "ssr")]
async fn proof_of<'a>(user: &entity::user::Model, password: &'a str) -> Result<domain::Proof<'a>, AppError> {
    Ok(if user.password_hash.is_some() {
        domain::Proof::Password(password)
    } else {
        domain::Proof::Provider {
            confirmed_at: auth::provider_confirmed_at(user.id).await?,
        }
    })
}

/// Deletes the signed-in person's account (after their password, or a
/// fresh sign-in at their provider), then signs them out everywhere.
#[server(endpoint = "delete_account")]
pub async fn delete_account(
    password: Option<String>,
    delete_posts: Option<String>,
    leave_without_facilitator: Option<String>,
) -> Result<(), AppError> {
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    let password = password.unwrap_or_default();
    let choice = privacy::Deletion {
        proof: proof_of(&user, &password).await?,
        delete_posts: delete_posts.is_some(),
        leave_networks_without_facilitator: leave_without_facilitator.is_some(),
    };
    let ip = auth::client_ip().await;
    match guarded_by_password(&st.db, &user, &ip, || {
        privacy::delete_account(&st.db, user.id, choice)
    })
    .await
    {
        Ok(()) => {
            auth::end_session().await?;
            leptos_axum::redirect("/account/deleted");
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<DeleteAccount>(
                &err,
                &[
                    ("delete_posts", delete_posts.as_deref().unwrap_or("")),
                    (
                        "leave_without_facilitator",
                        leave_without_facilitator.as_deref().unwrap_or(""),
                    ),
                ],
            );
            Err(err)
        }
    }
}

/// The second step of a sign-in: a code from the authenticator app or a
/// recovery code. Wrong codes count in the sign-in throttle of the account.
#[server(endpoint = "sign_in_code")]
pub async fn sign_in_code(code: String, next: Option<String>) -> Result<(), AppError> {
    match second_step(&code).await {
        Ok(()) => {
            leptos_axum::redirect(&crate::ui::form::safe_next(next.as_deref()));
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<SignInCode>(&err, &[("next", next.as_deref().unwrap_or(""))]);
            Err(err)
        }
    }
}

#[cfg(feature = "ssr")]
async fn second_step(code: &str) -> Result<(), AppError> {
    let st = crate::state::app_state()?;
    let (uid, remember) = auth::pending_second_step()
        .await?
        .ok_or(AppError::SecondStepExpired)?;
    let user = domain::find_by_id(&st.db, uid)
        .await?
        .ok_or(AppError::SecondStepExpired)?;
    let ip = auth::client_ip().await;
    let now = chrono::Utc::now().timestamp();
    throttle::check(&st.db, &user.email, &ip, now).await?;
    match two_factor::verify(&st.db, uid, code, now as u64, &ip).await {
        Ok(_) => {
            throttle::clear_account(&st.db, &user.email).await?;
            auth::start_session(&user, remember).await
        }
        Err(err) => {
            throttle::record_failure(&st.db, &user.email, &ip, now).await?;
            Err(err)
        }
    }
}

/// What the two-step page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    pub enabled: bool,
    pub recovery_left: u32,
    /// Set up but not confirmed: what to scan or type into the app.
    pub pending: Option<TwoFactorSetup>,
    /// Recovery codes made just now, shown this once.
    pub fresh_codes: Vec<String>,
    /// Networks that require it of this person.
    pub required_by: Vec<String>,
    /// A local account (SSO accounts are covered by their provider).
    pub has_password: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

#[server(endpoint = "two_factor")]
pub async fn get_two_factor() -> Result<TwoFactorView, AppError> {
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    let state = two_factor::state(&st.db, user.id).await?;
    let pending = two_factor::enrolment(&st.db, &user)
        .await?
        .map(|e| TwoFactorSetup {
            secret: e.secret,
            otpauth_url: e.otpauth_url,
            qr_svg: e.qr_svg,
        });
    Ok(TwoFactorView {
        enabled: matches!(state, two_factor::State::On { .. }),
        recovery_left: match state {
            two_factor::State::On { recovery_left } => recovery_left,
            _ => 0,
        },
        pending,
        fresh_codes: auth::take_fresh_recovery_codes().await?,
        required_by: two_factor::required_by(&st.db, user.id).await?,
        has_password: user.password_hash.is_some(),
    })
}

#[server(endpoint = "two_factor_begin")]
pub async fn begin_two_factor() -> Result<(), AppError> {
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    two_factor::begin(&st.db, user.id).await?;
    leptos_axum::redirect("/account/two-factor");
    Ok(())
}

#[server(endpoint = "two_factor_confirm")]
pub async fn confirm_two_factor(code: String) -> Result<(), AppError> {
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    let now = chrono::Utc::now().timestamp() as u64;
    match two_factor::confirm(&st.db, user.id, &code, now).await {
        Ok(codes) => {
            auth::keep_fresh_recovery_codes(&codes).await?;
            leptos_axum::redirect("/account/two-factor?enabled=1");
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<ConfirmTwoFactor>(&err, &[]);
            Err(err)
        }
    }
}

#[server(endpoint = "two_factor_codes")]
pub async fn new_recovery_codes(password: String) -> Result<(), AppError> {
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    let ip = auth::client_ip().await;
    let result = guarded_by_password(&st.db, &user, &ip, || {
        two_factor::regenerate_recovery_codes(&st.db, user.id, &password)
    })
    .await;
    match result {
        Ok(codes) => {
            auth::keep_fresh_recovery_codes(&codes).await?;
            leptos_axum::redirect("/account/two-factor");
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<NewRecoveryCodes>(&err, &[]);
            Err(err)
        }
    }
}

#[server(endpoint = "two_factor_off")]
pub async fn disable_two_factor(password: String) -> Result<(), AppError> {
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    let ip = auth::client_ip().await;
    let result = guarded_by_password(&st.db, &user, &ip, || {
        two_factor::disable(&st.db, user.id, &password)
    })
    .await;
    match result {
        Ok(()) => {
            leptos_axum::redirect("/account/two-factor?disabled=1");
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<DisableTwoFactor>(&err, &[]);
            Err(err)
        }
    }
}

/// A password asked again inside a session counts in the sign-in
/// throttle like a sign-in, so a borrowed session cannot guess it.
#[cfg(feature = "ssr")]
async fn guarded_by_password<T, F, Fut>(
    db: &sea_orm::DatabaseConnection,
    user: &entity::user::Model,
    ip: &str,
    action: F,
) -> Result<T, AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let now = chrono::Utc::now().timestamp();
    throttle::check(db, &user.email, ip, now).await?;
    let result = action().await;
    if matches!(result, Err(AppError::WrongCredentials)) {
        throttle::record_failure(db, &user.email, ip, now).await?;
    }
    result
}

/// Why a return from a provider (or the way there) is refused. Each has a
/// short code for `/sign-in?sso_error=<code>` and a translated sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SsoError {
    UnknownProvider,
    ProviderDown,
    /// Used, forged or missing state (a return that was not started here).
    State,
    Cancelled,
    CodeRefused,
    /// Signature, audience, issuer or nonce wrong.
    TokenRefused,
    /// Expired, or issued too far in the future (clock).
    TokenExpired,
    NoEmail,
    UnverifiedEmail,
    DomainNotAllowed,
    /// This provider identity already belongs to another account (or the
    /// account already has another identity at this provider).
    LinkedElsewhere,
    /// A `sub` longer than Kring stores.
    SubjectTooLong,
    /// An account with this address was made while the person was at the
    /// provider (it now needs that account's password to link).
    EmailTaken,
    /// A confirmation at the provider that was not a fresh sign-in (no
    /// `auth_time`, or one from before the confirmation started).
    NotFresh,
    /// A confirmation signed in as another organisation account than the
    /// ones linked to this Kring account.
    OtherAccount,
}

impl SsoError {
    pub const ALL: [SsoError; 15] = [
        SsoError::UnknownProvider,
        SsoError::ProviderDown,
        SsoError::State,
        SsoError::Cancelled,
        SsoError::CodeRefused,
        SsoError::TokenRefused,
        SsoError::TokenExpired,
        SsoError::NoEmail,
        SsoError::UnverifiedEmail,
        SsoError::DomainNotAllowed,
        SsoError::LinkedElsewhere,
        SsoError::SubjectTooLong,
        SsoError::EmailTaken,
        SsoError::NotFresh,
        SsoError::OtherAccount,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SsoError::UnknownProvider => "unknown",
            SsoError::ProviderDown => "down",
            SsoError::State => "state",
            SsoError::Cancelled => "cancelled",
            SsoError::CodeRefused => "code",
            SsoError::TokenRefused => "token",
            SsoError::TokenExpired => "expired",
            SsoError::NoEmail => "no_email",
            SsoError::UnverifiedEmail => "unverified",
            SsoError::DomainNotAllowed => "domain",
            SsoError::LinkedElsewhere => "linked",
            SsoError::SubjectTooLong => "subject",
            SsoError::EmailTaken => "taken",
            SsoError::NotFresh => "not_fresh",
            SsoError::OtherAccount => "other_account",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// A provider as pages show it (a button, a line on the account page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderView {
    pub id: String,
    pub name: String,
    pub organisation: Option<String>,
}

/// The configured providers (the sign-in page's buttons).
#[server(endpoint = "sso_providers")]
pub async fn sso_providers() -> Result<Vec<ProviderView>, AppError> {
    Ok(crate::state::app_state()?.sso.views())
}

/// One linked organisation account on the account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedView {
    pub provider: String,
    /// The provider's name (the id when it is no longer configured).
    pub name: String,
    pub organisation: Option<String>,
    pub email: String,
}

/// The account page's "organisation accounts" part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoAccountView {
    pub linked: Vec<LinkedView>,
    /// Providers not linked yet.
    pub available: Vec<ProviderView>,
    pub has_password: bool,
}

#[server(endpoint = "sso_account")]
pub async fn sso_account() -> Result<SsoAccountView, AppError> {
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    let rows = sso::linked(&st.db, user.id).await?;
    let linked: Vec<LinkedView> = rows
        .into_iter()
        .map(|r| {
            let p = st.sso.provider(&r.provider);
            LinkedView {
                name: p.map(|p| p.name.clone()).unwrap_or_else(|| r.provider.clone()),
                organisation: p.and_then(|p| p.organisation.clone()),
                provider: r.provider,
                email: r.email,
            }
        })
        .collect();
    let available = st
        .sso
        .views()
        .into_iter()
        .filter(|p| !linked.iter().any(|l| l.provider == p.id))
        .collect();
    Ok(SsoAccountView {
        linked,
        available,
        has_password: user.password_hash.is_some(),
    })
}

/// Whether the signed-in person (without a password) has just confirmed
/// at their provider, and through which providers they can.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderConfirmation {
    pub confirmed: bool,
    /// Their linked providers that are still configured.
    pub providers: Vec<ProviderView>,
}

#[server(endpoint = "sso_confirmation")]
pub async fn sso_confirmation() -> Result<ProviderConfirmation, AppError> {
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    let now = chrono::Utc::now().timestamp();
    let proof = proof_of(&user, "").await?;
    // (An account with a password gives an empty one here: never confirmed.)
    let confirmed = domain::confirm_person(&user, proof, crate::errors::Field::Password, now).is_ok();
    let linked = sso::linked(&st.db, user.id).await?;
    let providers = st
        .sso
        .views()
        .into_iter()
        .filter(|p| linked.iter().any(|l| l.provider == p.id))
        .collect();
    Ok(ProviderConfirmation { confirmed, providers })
}

#[server(endpoint = "sso_unlink")]
pub async fn sso_unlink(provider: String) -> Result<(), AppError> {
    let st = crate::state::app_state()?;
    let user = auth::current_user().await?.ok_or(AppError::NotSignedIn)?;
    let ip = auth::client_ip().await;
    match sso::unlink(&st.db, user.id, &provider, &ip).await {
        Ok(()) => {
            leptos_axum::redirect("/account?unlinked=1");
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<SsoUnlink>(&err, &[]);
            Err(err)
        }
    }
}

/// What the link page asks about: the address, and through which provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPrompt {
    pub email: String,
    pub provider_name: String,
}

#[server(endpoint = "sso_link_prompt")]
pub async fn sso_link_prompt() -> Result<Option<LinkPrompt>, AppError> {
    let st = crate::state::app_state()?;
    Ok(auth::pending_link().await?.map(|p| LinkPrompt {
        provider_name: st
            .sso
            .provider(&p.identity.provider)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| p.identity.provider.clone()),
        email: p.email,
    }))
}

/// Links an organisation account to the existing account with the same
/// address, after that account's password; counts in the sign-in throttle.
#[server(endpoint = "sso_link")]
pub async fn confirm_sso_link(password: String) -> Result<(), AppError> {
    match link_step(&password).await {
        Ok(next) => {
            leptos_axum::redirect(&next);
            Ok(())
        }
        Err(err) => {
            crate::ui::form::keep_on_failure::<ConfirmSsoLink>(&err, &[]);
            Err(err)
        }
    }
}

#[cfg(feature = "ssr")]
async fn link_step(password: &str) -> Result<String, AppError> {
    let st = crate::state::app_state()?;
    let pending = auth::pending_link().await?.ok_or(AppError::SecondStepExpired)?;
    let ip = auth::client_ip().await;
    let now = chrono::Utc::now().timestamp();
    throttle::check(&st.db, &pending.email, &ip, now).await?;
    let person = match sso::confirm_link(&st.db, pending.user_id, &pending.identity, password, &ip).await {
        Ok(person) => person,
        Err(sso::Refusal::App(AppError::WrongCredentials)) => {
            throttle::record_failure(&st.db, &pending.email, &ip, now).await?;
            let event = crate::audit::domain::Event::new(crate::audit::AuditAction::SignInFailed)
                .by(Some(pending.user_id))
                .detail(format!("sso:{}", pending.identity.provider))
                .ip(&ip);
            crate::audit::domain::record(&st.db, event).await?;
            return Err(AppError::WrongCredentials);
        }
        Err(sso::Refusal::App(err)) => return Err(err),
        Err(sso::Refusal::Sso(err)) => return Err(AppError::Sso(err)),
    };
    throttle::clear_account(&st.db, &pending.email).await?;
    sso::record_sign_in(&st.db, person.id, &pending.identity.provider, &ip).await?;
    if let Some(locale) = person.locale.as_deref() {
        auth::set_locale_cookie(locale, &st.settings);
    }
    auth::start_sso_session(&person, &pending.identity.provider).await?;
    Ok(pending.next)
}
