//! Single sign-on with an organisation's OpenID Connect provider (Entra ID,
//! Google Workspace, Keycloak …): the authorization-code flow with PKCE
//! (S256), state and nonce, on the `openidconnect` crate (itself on
//! `oauth2` 5). The providers come from the configuration; each one's
//! discovery document and keys are read on demand and kept for ten
//! minutes (dropped at once after a signature failure: the provider may
//! have rotated its keys).
//!
//! The HTTP part (redirects, the session) lives in the server's plain axum
//! routes; this module holds the flow's steps and the accounts side: which
//! Kring account a returning person is, new accounts, links and unlinks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use openidconnect::core::{CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreGenderClaim};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyAdditionalClaims, IdTokenClaims, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, TokenResponse,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::domain;
use super::entity::{sso_identity, user};
use crate::audit::AuditAction;
use crate::audit::domain::{self as audit, Event};
use crate::errors::AppError;

pub use super::{ProviderView, SsoError};

/// How long a provider's discovery document (and keys) is trusted.
pub const DISCOVERY_TTL: Duration = Duration::from_secs(10 * 60);
/// Clock difference between Kring and a provider that is still fine.
pub const CLOCK_SKEW_SECS: i64 = 60;
/// The longest `sub` Kring stores (the column's length).
pub const SUBJECT_MAX: usize = 255;

/// One `[[sso]]` table of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// A slug: in the addresses `/sign-in/sso/{id}` and in the audit log.
    pub id: String,
    /// The button's label ("Aanmelden met …").
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    /// None for a public client (PKCE alone).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Only addresses at these domains may sign in (exact match).
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// The organisation the provider belongs to, as shown to people.
    #[serde(default)]
    pub organisation: Option<String>,
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

impl ProviderConfig {
    /// What is wrong with this entry, in one line (None: nothing).
    pub fn check(&self) -> Result<(), String> {
        if !is_slug(&self.id) {
            return Err(format!(
                "id '{}' must be a slug (a-z, 0-9 and -, at most 40 characters)",
                self.id
            ));
        }
        if self.name.trim().is_empty() {
            return Err(format!("{}: name must not be empty", self.id));
        }
        let issuer = url::Url::parse(self.issuer.trim())
            .map_err(|_| format!("{}: issuer '{}' is not a URL", self.id, self.issuer))?;
        let ok = match issuer.scheme() {
            "https" => issuer.host().is_some(),
            "http" => is_loopback(&issuer),
            _ => false,
        };
        if !ok {
            return Err(format!(
                "{}: issuer '{}' must be an https URL (plain http only on loopback)",
                self.id, self.issuer
            ));
        }
        if self.client_id.trim().is_empty() {
            return Err(format!("{}: client_id is missing", self.id));
        }
        for d in &self.allowed_domains {
            let d = d.trim();
            if d.is_empty() || d.contains('@') || d.contains(char::is_whitespace) || !d.contains('.') {
                return Err(format!(
                    "{}: allowed domain '{d}' must be a domain like example.org",
                    self.id
                ));
            }
        }
        Ok(())
    }

    /// Whether an address may sign in through this provider.
    pub fn allows(&self, email: &str) -> bool {
        if self.allowed_domains.is_empty() {
            return true;
        }
        let Some((_, domain)) = email.rsplit_once('@') else {
            return false;
        };
        let domain = domain.trim().to_ascii_lowercase();
        self.allowed_domains
            .iter()
            .any(|d| d.trim().trim_start_matches('@').eq_ignore_ascii_case(&domain))
    }
}

/// Checks every entry and that no id is used twice.
pub fn check_all(providers: &[ProviderConfig]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for p in providers {
        p.check()?;
        if !seen.insert(p.id.as_str()) {
            return Err(format!("id '{}' is used by two providers", p.id));
        }
    }
    Ok(())
}

/// Why a person goes to the provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    /// To sign in (or to get an account).
    #[default]
    SignIn,
    /// Started by this signed-in person to link the provider to their
    /// account.
    Link(i64),
    /// Started by this signed-in person, whose account has no password, to
    /// show it is them before a grave step: the provider is asked for a
    /// fresh sign-in (`prompt=login`, `max_age=0`) and its `auth_time` is
    /// checked.
    Confirm(i64),
}

/// What the session keeps between the way out and the return.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub provider: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub next: String,
    #[serde(default)]
    pub purpose: Purpose,
    /// When the way out started (Unix seconds).
    #[serde(default)]
    pub started_at: i64,
}

/// The query of a return from the provider.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    /// RFC 9207: who sent the person back.
    pub iss: Option<String>,
}

/// What a verified ID token says about the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub provider: String,
    pub subject: String,
    pub email: String,
    pub name: Option<String>,
}

type Metadata = ProviderMetadataWithLogout;

/// The providers of a running server, with the HTTP client that talks to
/// them and their discovery documents.
pub struct Sso {
    providers: Vec<ProviderConfig>,
    base_url: url::Url,
    http: openidconnect::reqwest::Client,
    discovery: Mutex<HashMap<String, (Instant, Arc<Metadata>)>>,
}

impl Sso {
    pub fn new(providers: Vec<ProviderConfig>, base_url: url::Url) -> Result<Self, String> {
        check_all(&providers)?;
        let http = openidconnect::reqwest::Client::builder()
            // Never follow a redirect from a provider (SSRF, RFC 6749 §10).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(8))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Sso {
            providers,
            base_url,
            http,
            discovery: Mutex::new(HashMap::new()),
        })
    }

    /// No providers (the default).
    pub fn none(base_url: url::Url) -> Self {
        Sso {
            providers: Vec::new(),
            base_url,
            http: openidconnect::reqwest::Client::new(),
            discovery: Mutex::new(HashMap::new()),
        }
    }

    pub fn providers(&self) -> &[ProviderConfig] {
        &self.providers
    }

    pub fn provider(&self, id: &str) -> Option<&ProviderConfig> {
        self.providers.iter().find(|p| p.id == id)
    }

    pub fn views(&self) -> Vec<ProviderView> {
        self.providers
            .iter()
            .map(|p| ProviderView {
                id: p.id.clone(),
                name: p.name.clone(),
                organisation: p.organisation.clone(),
            })
            .collect()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url.as_str().trim_end_matches('/'), path)
    }

    pub fn redirect_uri(&self, id: &str) -> String {
        self.url(&format!("/sign-in/sso/{id}/callback"))
    }

    pub fn post_logout_uri(&self) -> String {
        self.url("/signed-out")
    }

    fn forget(&self, id: &str) {
        if let Ok(mut cache) = self.discovery.lock() {
            cache.remove(id);
        }
    }

    async fn metadata(&self, p: &ProviderConfig) -> Result<Arc<Metadata>, SsoError> {
        if let Ok(cache) = self.discovery.lock()
            && let Some((at, meta)) = cache.get(&p.id)
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(meta.clone());
        }
        let issuer = IssuerUrl::new(p.issuer.trim().to_owned()).map_err(|_| SsoError::ProviderDown)?;
        let meta = Metadata::discover_async(issuer, &self.http).await.map_err(|e| {
            tracing::warn!(provider = %p.id, error = %e, "provider discovery failed");
            SsoError::ProviderDown
        })?;
        let meta = Arc::new(meta);
        if let Ok(mut cache) = self.discovery.lock() {
            cache.insert(p.id.clone(), (Instant::now(), meta.clone()));
        }
        Ok(meta)
    }

    fn client(&self, p: &ProviderConfig, meta: &Metadata) -> Result<ClientOf, SsoError> {
        let redirect = RedirectUrl::new(self.redirect_uri(&p.id)).map_err(|_| SsoError::UnknownProvider)?;
        Ok(CoreClient::from_provider_metadata(
            meta.clone(),
            ClientId::new(p.client_id.clone()),
            p.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// The way out: where to send the person, and what to keep for the
    /// return.
    pub async fn begin(
        &self,
        id: &str,
        next: &str,
        purpose: Purpose,
    ) -> Result<(url::Url, Pending), SsoError> {
        let p = self.provider(id).ok_or(SsoError::UnknownProvider)?;
        let meta = self.metadata(p).await?;
        let client = self.client(p, &meta)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge);
        if let Purpose::Confirm(_) = purpose {
            // A sign-in now, not a provider session from this morning.
            request = request
                .add_prompt(CoreAuthPrompt::Login)
                .set_max_age(Duration::ZERO);
        }
        let (url, state, nonce) = request.url();
        Ok((
            url,
            Pending {
                provider: p.id.clone(),
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                next: next.to_owned(),
                purpose,
                started_at: Utc::now().timestamp(),
            },
        ))
    }

    /// The return: checks the state and issuer, exchanges the code and
    /// verifies the ID token. `pending` was taken from the session, so a
    /// return works once.
    pub async fn finish(&self, id: &str, pending: &Pending, cb: &Callback) -> Result<Identity, SsoError> {
        let p = self.provider(id).ok_or(SsoError::UnknownProvider)?;
        let state_ok = pending.provider == p.id
            && cb
                .state
                .as_deref()
                .is_some_and(|s| bool::from(s.as_bytes().ct_eq(pending.state.as_bytes())));
        if !state_ok {
            return Err(SsoError::State);
        }
        if let Some(err) = cb.error.as_deref() {
            tracing::info!(provider = %p.id, error = err, "provider returned an error");
            return Err(if err == "access_denied" {
                SsoError::Cancelled
            } else {
                SsoError::CodeRefused
            });
        }
        let code = cb
            .code
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or(SsoError::CodeRefused)?;
        let meta = self.metadata(p).await?;
        if let Some(iss) = cb.iss.as_deref()
            && iss != meta.issuer().as_str()
        {
            tracing::warn!(provider = %p.id, iss, "return names another issuer (RFC 9207)");
            return Err(SsoError::TokenRefused);
        }
        let client = self.client(p, &meta)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|_| SsoError::ProviderDown)?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                tracing::warn!(provider = %p.id, error = %e, "code exchange refused");
                match e {
                    openidconnect::RequestTokenError::Request(_) => SsoError::ProviderDown,
                    _ => SsoError::CodeRefused,
                }
            })?;
        let id_token = response.id_token().ok_or(SsoError::TokenRefused)?;
        let skew = chrono::Duration::seconds(CLOCK_SKEW_SECS);
        // A confirmation wants proof of a sign-in after it started.
        let fresh_since = match pending.purpose {
            Purpose::Confirm(_) => Some(pending.started_at - CLOCK_SKEW_SECS),
            _ => None,
        };
        let verifier = client
            .id_token_verifier()
            // Expiry with the skew allowed: "now" a minute earlier.
            .set_time_fn(move || Utc::now() - skew)
            .set_issue_time_verifier_fn(move |iat| {
                if iat > Utc::now() + skew {
                    Err(format!("issued in the future ({iat})"))
                } else {
                    Ok(())
                }
            })
            .set_auth_time_verifier_fn(move |auth_time| match (fresh_since, auth_time) {
                (None, _) => Ok(()),
                (Some(since), Some(at)) if at.timestamp() >= since => Ok(()),
                (Some(_), Some(at)) => Err(format!("signed in at {at}, before the confirmation")),
                (Some(_), None) => Err("no auth_time".to_owned()),
            });
        let nonce = Nonce::new(pending.nonce.clone());
        let claims = id_token.claims(&verifier, &nonce).map_err(|e| {
            tracing::warn!(provider = %p.id, error = %e, "ID token refused");
            match e {
                openidconnect::ClaimsVerificationError::Expired(_) => SsoError::TokenExpired,
                openidconnect::ClaimsVerificationError::InvalidAuthTime(_) => SsoError::NotFresh,
                openidconnect::ClaimsVerificationError::SignatureVerification(_) => {
                    // Perhaps new keys: read discovery again next time.
                    self.forget(&p.id);
                    SsoError::TokenRefused
                }
                _ => SsoError::TokenRefused,
            }
        })?;
        identity_from(p, claims)
    }

    /// The provider's own sign-out page (RP-initiated logout), if it has one.
    pub async fn end_session_url(&self, id: &str) -> Result<Option<url::Url>, SsoError> {
        let p = self.provider(id).ok_or(SsoError::UnknownProvider)?;
        let meta = self.metadata(p).await?;
        let Some(endpoint) = meta.additional_metadata().end_session_endpoint.clone() else {
            return Ok(None);
        };
        let mut req =
            openidconnect::LogoutRequest::from(endpoint).set_client_id(ClientId::new(p.client_id.clone()));
        if let Ok(back) = PostLogoutRedirectUrl::new(self.post_logout_uri()) {
            req = req.set_post_logout_redirect_uri(back);
        }
        Ok(Some(req.http_get_url()))
    }
}

type ClientOf = openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// The person from verified claims, with the e-mail rules applied.
fn identity_from(
    p: &ProviderConfig,
    claims: &IdTokenClaims<EmptyAdditionalClaims, CoreGenderClaim>,
) -> Result<Identity, SsoError> {
    let subject = claims.subject().as_str().to_owned();
    check_identity(
        p,
        &subject,
        claims.email().map(|e| e.as_str()),
        claims.email_verified(),
        claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned()),
    )
}

/// The e-mail and subject rules, apart from token parsing (unit-tested).
pub fn check_identity(
    p: &ProviderConfig,
    subject: &str,
    email: Option<&str>,
    email_verified: Option<bool>,
    name: Option<String>,
) -> Result<Identity, SsoError> {
    if subject.is_empty() || subject.len() > SUBJECT_MAX {
        return Err(SsoError::SubjectTooLong);
    }
    let email = email
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or(SsoError::NoEmail)?;
    if email_verified == Some(false) {
        return Err(SsoError::UnverifiedEmail);
    }
    let email = domain::normalize_email(email).map_err(|_| SsoError::NoEmail)?;
    if !p.allows(&email) {
        return Err(SsoError::DomainNotAllowed);
    }
    Ok(Identity {
        provider: p.id.clone(),
        subject: subject.to_owned(),
        email,
        name,
    })
}

// ---------------------------------------------------------------------------
// Accounts

/// Where a verified return leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A known identity (or a new one linked just now to the signed-in person).
    SignedIn(user::Model),
    /// A new address: a new account without a password.
    Created(user::Model),
    /// The address belongs to an existing account: link it after that
    /// account's password.
    ConfirmLink { user_id: i64, email: String },
}

/// Why the accounts side refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Sso(SsoError),
    App(AppError),
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Refusal::App(e)
    }
}

impl From<sea_orm::DbErr> for Refusal {
    fn from(e: sea_orm::DbErr) -> Self {
        Refusal::App(AppError::from(e))
    }
}

async fn identity_of<C: ConnectionTrait>(
    db: &C,
    provider: &str,
    subject: &str,
) -> Result<Option<sso_identity::Model>, sea_orm::DbErr> {
    sso_identity::Entity::find()
        .filter(sso_identity::Column::Provider.eq(provider))
        .filter(sso_identity::Column::Subject.eq(subject))
        .one(db)
        .await
}

async fn touch<C: ConnectionTrait>(
    db: &C,
    row: sso_identity::Model,
    email: &str,
) -> Result<(), sea_orm::DbErr> {
    let mut am: sso_identity::ActiveModel = row.into();
    am.email = Set(email.to_owned());
    am.last_used_at = Set(Utc::now());
    am.update(db).await.map(|_| ())
}

/// Which account a verified identity is. The subject wins over the
/// address: the same (provider, sub) is always the same account, whatever
/// address the provider gives now. `link_to`: the signed-in person who
/// started the flow from their account page.
pub async fn resolve<C: ConnectionTrait>(
    db: &C,
    id: &Identity,
    link_to: Option<i64>,
    ip: &str,
) -> Result<Outcome, Refusal> {
    if id.subject.len() > SUBJECT_MAX {
        return Err(Refusal::Sso(SsoError::SubjectTooLong));
    }
    if let Some(row) = identity_of(db, &id.provider, &id.subject).await? {
        if link_to.is_some_and(|me| me != row.user_id) {
            return Err(Refusal::Sso(SsoError::LinkedElsewhere));
        }
        let person = domain::find_by_id(db, row.user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        touch(db, row, &id.email).await?;
        return Ok(Outcome::SignedIn(person));
    }
    if let Some(me) = link_to {
        link(db, me, id, ip).await?;
        let person = domain::find_by_id(db, me).await?.ok_or(AppError::NotSignedIn)?;
        return Ok(Outcome::SignedIn(person));
    }
    if let Some(existing) = domain::find_by_email(db, &id.email).await? {
        if has_provider(db, existing.id, &id.provider).await? {
            // The account already has another identity at this provider.
            return Err(Refusal::Sso(SsoError::LinkedElsewhere));
        }
        return Ok(Outcome::ConfirmLink {
            user_id: existing.id,
            email: existing.email,
        });
    }
    let person = create_account(db, id).await?;
    link(db, person.id, id, ip).await?;
    Ok(Outcome::Created(person))
}

async fn has_provider<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    provider: &str,
) -> Result<bool, sea_orm::DbErr> {
    Ok(sso_identity::Entity::find()
        .filter(sso_identity::Column::UserId.eq(user_id))
        .filter(sso_identity::Column::Provider.eq(provider))
        .count(db)
        .await?
        > 0)
}

fn display_name_for(id: &Identity) -> String {
    let from_token = id
        .name
        .as_deref()
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_control())
                .take(domain::NAME_MAX)
                .collect::<String>()
        })
        .and_then(|n| domain::validate_display_name(&n).ok());
    from_token.unwrap_or_else(|| {
        let local = id.email.split('@').next().unwrap_or("").to_owned();
        domain::validate_display_name(&local).unwrap_or_else(|_| id.email.clone())
    })
}

async fn create_account<C: ConnectionTrait>(db: &C, id: &Identity) -> Result<user::Model, Refusal> {
    let now = Utc::now();
    let model = user::ActiveModel {
        email: Set(id.email.clone()),
        display_name: Set(display_name_for(id)),
        password_hash: Set(None),
        is_admin: Set(false),
        is_demo: Set(false),
        locale: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    model.insert(db).await.map_err(|e| match e.sql_err() {
        // Someone made the account meanwhile: it now needs the password.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Refusal::App(AppError::EmailTaken),
        _ => Refusal::from(e),
    })
}

/// Links an identity to an account (audit: sso_linked).
pub async fn link<C: ConnectionTrait>(db: &C, user_id: i64, id: &Identity, ip: &str) -> Result<(), Refusal> {
    if id.subject.len() > SUBJECT_MAX {
        return Err(Refusal::Sso(SsoError::SubjectTooLong));
    }
    if let Some(row) = identity_of(db, &id.provider, &id.subject).await? {
        return if row.user_id == user_id {
            Ok(())
        } else {
            Err(Refusal::Sso(SsoError::LinkedElsewhere))
        };
    }
    if has_provider(db, user_id, &id.provider).await? {
        return Err(Refusal::Sso(SsoError::LinkedElsewhere));
    }
    let now = Utc::now();
    let row = sso_identity::ActiveModel {
        user_id: Set(user_id),
        provider: Set(id.provider.clone()),
        subject: Set(id.subject.clone()),
        email: Set(id.email.clone()),
        created_at: Set(now),
        last_used_at: Set(now),
        ..Default::default()
    };
    row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Refusal::Sso(SsoError::LinkedElsewhere),
        _ => Refusal::from(e),
    })?;
    let event = Event::new(AuditAction::SsoLinked)
        .by(Some(user_id))
        .about(user_id)
        .detail(&id.provider)
        .ip(ip);
    audit::record(db, event).await?;
    Ok(())
}

/// A confirmation's return: the identity must be one linked to `user_id`
/// (a colleague signing in at the shared computer proves nothing).
pub async fn confirm<C: ConnectionTrait>(db: &C, user_id: i64, id: &Identity) -> Result<(), Refusal> {
    match identity_of(db, &id.provider, &id.subject).await? {
        Some(row) if row.user_id == user_id => {
            touch(db, row, &id.email).await?;
            Ok(())
        }
        _ => Err(Refusal::Sso(SsoError::OtherAccount)),
    }
}

/// Links after the existing account's password (the `/sign-in/link` step).
pub async fn confirm_link<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    id: &Identity,
    password: &str,
    ip: &str,
) -> Result<user::Model, Refusal> {
    let person = domain::find_by_id(db, user_id)
        .await?
        .ok_or(AppError::SecondStepExpired)?;
    domain::confirm_password(&person, password, crate::errors::Field::Password)?;
    link(db, user_id, id, ip).await?;
    Ok(person)
}

/// A linked identity, as the account page and the export show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Linked {
    pub provider: String,
    pub email: String,
    pub created_at: chrono::DateTime<Utc>,
    pub last_used_at: chrono::DateTime<Utc>,
}

pub async fn linked<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<Vec<Linked>, AppError> {
    Ok(sso_identity::Entity::find()
        .filter(sso_identity::Column::UserId.eq(user_id))
        .order_by_asc(sso_identity::Column::Provider)
        .all(db)
        .await?
        .into_iter()
        .map(|r| Linked {
            provider: r.provider,
            email: r.email,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        })
        .collect())
}

pub async fn count_linked<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<u64, AppError> {
    Ok(sso_identity::Entity::find()
        .filter(sso_identity::Column::UserId.eq(user_id))
        .count(db)
        .await?)
}

/// Unlinks a provider; refused when it is the last way into an account
/// without a password.
pub async fn unlink<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    provider: &str,
    ip: &str,
) -> Result<(), AppError> {
    let person = domain::find_by_id(db, user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let rows = sso_identity::Entity::find()
        .filter(sso_identity::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let Some(row) = rows.iter().find(|r| r.provider == provider) else {
        return Err(AppError::NotFound);
    };
    if person.password_hash.is_none() && rows.len() <= 1 {
        return Err(AppError::LastSignInMethod);
    }
    sso_identity::Entity::delete_by_id(row.id).exec(db).await?;
    let event = Event::new(AuditAction::SsoUnlinked)
        .by(Some(user_id))
        .about(user_id)
        .detail(provider)
        .ip(ip);
    audit::record(db, event).await?;
    Ok(())
}

/// A sign-in through a provider, in the audit log.
pub async fn record_sign_in<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    provider: &str,
    ip: &str,
) -> Result<(), AppError> {
    let event = Event::new(AuditAction::SignIn)
        .by(Some(user_id))
        .detail(format!("sso:{provider}"))
        .ip(ip);
    Ok(audit::record(db, event).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> ProviderConfig {
        ProviderConfig {
            id: "gent".into(),
            name: "Stad Gent".into(),
            issuer: "https://login.gent.be".into(),
            client_id: "kring".into(),
            client_secret: None,
            allowed_domains: vec!["example.org".into()],
            organisation: None,
        }
    }

    #[test]
    fn entries_are_checked() {
        assert_eq!(provider().check(), Ok(()));
        let bad = |f: fn(&mut ProviderConfig)| {
            let mut p = provider();
            f(&mut p);
            p.check().expect_err("refused")
        };
        assert!(bad(|p| p.id = "Stad Gent".into()).contains("slug"));
        assert!(bad(|p| p.issuer = "http://login.gent.be".into()).contains("https"));
        assert!(bad(|p| p.client_id = " ".into()).contains("client_id"));
        let mut local = provider();
        local.issuer = "http://127.0.0.1:4000".into();
        assert_eq!(local.check(), Ok(()));
        let err = check_all(&[provider(), provider()]).expect_err("duplicate");
        assert!(err.contains("two providers"), "{err}");
    }

    #[test]
    fn domains_match_exactly() {
        let p = provider();
        assert!(p.allows("an@example.org"));
        assert!(p.allows("an@EXAMPLE.org"));
        assert!(!p.allows("an@evil-example.org"));
        assert!(!p.allows("an@sub.example.org"));
        assert!(!p.allows("an@example.org.evil.com"));
        assert!(!p.allows("example.org"));
    }

    #[test]
    fn email_rules() {
        let p = provider();
        let ok = check_identity(&p, "s1", Some("An@example.org"), Some(true), None).expect("fine");
        assert_eq!(ok.email, "an@example.org");
        assert!(check_identity(&p, "s1", Some("an@example.org"), None, None).is_ok());
        assert_eq!(
            check_identity(&p, "s1", Some("an@example.org"), Some(false), None),
            Err(SsoError::UnverifiedEmail)
        );
        assert_eq!(check_identity(&p, "s1", None, None, None), Err(SsoError::NoEmail));
        assert_eq!(
            check_identity(&p, "s1", Some("an@evil-example.org"), None, None),
            Err(SsoError::DomainNotAllowed)
        );
        let long = "x".repeat(256);
        assert_eq!(
            check_identity(&p, &long, Some("an@example.org"), None, None),
            Err(SsoError::SubjectTooLong)
        );
    }

    #[test]
    fn error_codes_round_trip() {
        for e in SsoError::ALL {
            assert_eq!(SsoError::parse(e.code()), Some(e));
        }
    }
}
