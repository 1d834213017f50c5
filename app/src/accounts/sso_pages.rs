//! Single sign-on on the pages: the sign-in page's buttons (plain links,
//! they work without JavaScript) and its alert for a refused return, the
//! link step for an existing account, the account page's organisation
//! accounts, and the page after signing out.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{ConfirmSsoLink, SsoError, SsoUnlink};
use crate::i18n::*;
use crate::ui::{ActionError, ErrorText, PageTitle, urlencode};

/// One translated sentence for a refused single sign-on step.
#[component]
pub fn SsoErrorText(err: SsoError) -> impl IntoView {
    let i18n = use_i18n();
    match err {
        SsoError::UnknownProvider => t!(i18n, sso.error_unknown).into_any(),
        SsoError::ProviderDown => t!(i18n, sso.error_down).into_any(),
        SsoError::State => t!(i18n, sso.error_state).into_any(),
        SsoError::Cancelled => t!(i18n, sso.error_cancelled).into_any(),
        SsoError::CodeRefused => t!(i18n, sso.error_code).into_any(),
        SsoError::TokenRefused => t!(i18n, sso.error_token).into_any(),
        SsoError::TokenExpired => t!(i18n, sso.error_expired).into_any(),
        SsoError::NoEmail => t!(i18n, sso.error_no_email).into_any(),
        SsoError::UnverifiedEmail => t!(i18n, sso.error_unverified).into_any(),
        SsoError::DomainNotAllowed => t!(i18n, sso.error_domain).into_any(),
        SsoError::LinkedElsewhere => t!(i18n, sso.error_linked).into_any(),
        SsoError::SubjectTooLong => t!(i18n, sso.error_subject).into_any(),
        SsoError::EmailTaken => t!(i18n, sso.error_taken).into_any(),
        SsoError::NotFresh => t!(i18n, sso.error_not_fresh).into_any(),
        SsoError::OtherAccount => t!(i18n, sso.error_other_account).into_any(),
    }
}

/// The alert for `?sso_error=<code>` (a refused return from a provider).
#[component]
pub fn SsoAlert() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        query
            .read()
            .get("sso_error")
            .map(|code| SsoError::parse(&code).unwrap_or(SsoError::State))
            .map(|err| {
                view! {
                    <div class="alert error" role="alert" id="sso-error">
                        <p><strong>{t!(i18n, sso.error_title)}</strong></p>
                        <p><SsoErrorText err /></p>
                    </div>
                }
            })
    }
}

/// A button (a plain link) per configured provider.
#[component]
pub fn SsoButtons(#[prop(into)] next: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let providers = Resource::new(|| (), |_| super::sso_providers());
    view! {
        <Suspense fallback=|| ()>
            {move || providers.get().and_then(|r| r.ok()).filter(|p| !p.is_empty()).map(|list| view! {
                <div class="sso">
                    <p>{t!(i18n, sso.or)}</p>
                    <ul class="sso-buttons">
                        {list.into_iter().map(|p| {
                            let href = move || {
                                let next = next.get();
                                if next.is_empty() {
                                    format!("/sign-in/sso/{}", p.id)
                                } else {
                                    format!("/sign-in/sso/{}?next={}", p.id, urlencode(&next))
                                }
                            };
                            let name = p.name.clone();
                            view! {
                                <li>
                                    // Not a page of the app: the router must let the browser go.
                                    <a class="button" href=href rel="external">
                                        {t!(i18n, sso.sign_in_with, name = move || name.clone())}
                                    </a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            })}
        </Suspense>
    }
}

/// An organisation account whose address belongs to an existing account:
/// that account's password links the two.
#[component]
pub fn SsoLinkPage() -> impl IntoView {
    let i18n = use_i18n();
    let link = ServerAction::<ConfirmSsoLink>::new();
    let prompt = Resource::new(|| (), |_| super::sso_link_prompt());
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, sso.link_title).to_string()) />
        <section class="page narrow">
            <h1>{t!(i18n, sso.link_title)}</h1>
            <Suspense fallback=|| ()>
                {move || prompt.get().map(|r| match r {
                    Err(err) => view! { <div class="alert error" role="alert"><ErrorText err /></div> }.into_any(),
                    Ok(None) => view! {
                        <div class="alert warn" role="alert">{t!(i18n, sso.link_expired)}</div>
                        <p><a href="/sign-in">{t!(i18n, two_factor.start_over)}</a></p>
                    }.into_any(),
                    Ok(Some(p)) => {
                        let (email, name) = (p.email.clone(), p.provider_name.clone());
                        view! {
                            <p>{t!(i18n, sso.link_intro, email = move || email.clone(), name = move || name.clone())}</p>
                            <ActionForm action=link attr:class="stack" attr:novalidate=true>
                                <ActionError action=link />
                                <input type="hidden" name="username" autocomplete="username" value=p.email.clone() />
                                <div class="field">
                                    <label for="password">{t!(i18n, fields.password)}</label>
                                    <input id="password" name="password" type="password"
                                        autocomplete="current-password" required maxlength="256" />
                                </div>
                                <button type="submit" class="button primary">{t!(i18n, sso.link_submit)}</button>
                            </ActionForm>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The account page's part: linked organisation accounts, unlink, link
/// another provider.
#[component]
pub fn LinkedAccounts() -> impl IntoView {
    let i18n = use_i18n();
    let unlink = ServerAction::<SsoUnlink>::new();
    let data = Resource::new(|| (), |_| super::sso_account());
    let query = use_query_map();
    let flag = move |name: &'static str| query.read().get(name).is_some();
    view! {
        <Suspense fallback=|| ()>
            {move || data.get().and_then(|r| r.ok()).filter(|v| !v.linked.is_empty() || !v.available.is_empty()).map(|v| {
                let none = v.linked.is_empty();
                let no_password = !v.has_password;
                view! {
                    <h2 id="sso">{t!(i18n, sso.account_title)}</h2>
                    <SsoAlert />
                    <ActionError action=unlink />
                    {flag("unlinked").then(|| view! {
                        <div class="alert ok" role="status">{t!(i18n, sso.unlinked)}</div>
                    })}
                    {flag("linked").then(|| view! {
                        <div class="alert ok" role="status">{t!(i18n, sso.linked_ok)}</div>
                    })}
                    {no_password.then(|| view! { <p>{t!(i18n, sso.no_password)}</p> })}
                    {none.then(|| view! { <p>{t!(i18n, sso.account_none)}</p> })}
                    <ul class="linked-accounts">
                        {v.linked.into_iter().map(|l| {
                            let (name, email) = (l.name.clone(), l.email.clone());
                            let name2 = l.name.clone();
                            view! {
                                <li>
                                    <span>{t!(i18n, sso.account_linked, name = move || name.clone(), email = move || email.clone())}</span>
                                    <ActionForm action=unlink attr:class="inline">
                                        <input type="hidden" name="provider" value=l.provider.clone() />
                                        <button type="submit" class="button">
                                            {t!(i18n, sso.unlink, name = move || name2.clone())}
                                        </button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <ul class="sso-buttons">
                        {v.available.into_iter().map(|p| {
                            let name = p.name.clone();
                            view! {
                                <li>
                                    <a class="button" rel="external" href=format!("/sign-in/sso/{}?next=/account", p.id)>
                                        {t!(i18n, sso.link_another, name = move || name.clone())}
                                    </a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
        </Suspense>
    }
}

/// For an account without a password, a grave step (a first password,
/// deleting the account) waits for a fresh sign-in at the organisation's
/// provider: until then this shows a button per linked provider (plain
/// links, back to `next` afterwards); then `confirmed`. `unconfirmed`
/// goes above the buttons (the error of a form posted without the proof).
#[component]
pub fn ProviderConfirm(
    next: &'static str,
    #[prop(into)] confirmed: ViewFn,
    #[prop(optional, into)] unconfirmed: Option<ViewFn>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = Resource::new(|| (), |_| super::sso_confirmation());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let confirmed = confirmed.clone();
                let unconfirmed = unconfirmed.clone();
                state.get().map(move |r| match r {
                    Err(err) => view! { <div class="alert error" role="alert"><ErrorText err /></div> }.into_any(),
                    Ok(c) if c.confirmed => view! {
                        <p class="alert ok" role="status">{t!(i18n, sso.confirmed)}</p>
                        {confirmed.run()}
                    }.into_any(),
                    Ok(c) if c.providers.is_empty() => view! {
                        <p class="alert warn" role="alert">{t!(i18n, sso.confirm_unavailable)}</p>
                    }.into_any(),
                    Ok(c) => view! {
                        {unconfirmed.as_ref().map(|v| v.run())}
                        <p>{t!(i18n, sso.confirm_intro)}</p>
                        <ul class="sso-buttons">
                            {c.providers.into_iter().map(|p| {
                                let name = p.name.clone();
                                let href = format!("/sign-in/sso/{}?confirm=1&next={}", p.id, urlencode(next));
                                view! {
                                    <li>
                                        <a class="button" rel="external" href=href>
                                            {t!(i18n, sso.confirm_with, name = move || name.clone())}
                                        </a>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })
            }}
        </Suspense>
    }
}

/// After signing out of a session that came through a provider: the
/// provider's own sign-out is one link away.
#[component]
pub fn SignedOutPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let via = move || query.read().get("via").unwrap_or_default();
    let providers = Resource::new(|| (), |_| super::sso_providers());
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, sso.signed_out_title).to_string()) />
        <section class="page narrow">
            <h1>{t!(i18n, sso.signed_out_title)}</h1>
            <div class="alert ok" role="status">{t!(i18n, sso.signed_out_text)}</div>
            <Suspense fallback=|| ()>
                {move || {
                    let id = via();
                    providers.get().and_then(|r| r.ok()).and_then(|list| list.into_iter().find(|p| p.id == id)).map(|p| {
                        let (name, name2) = (p.name.clone(), p.name.clone());
                        view! {
                            <p>{t!(i18n, sso.signed_out_provider, name = move || name.clone())}</p>
                            <p>
                                <a class="button" id="provider-logout" rel="external" href=format!("/sign-in/sso/{}/logout", p.id)>
                                    {t!(i18n, sso.provider_logout, name = move || name2.clone())}
                                </a>
                            </p>
                        }
                    })
                }}
            </Suspense>
            <p><a href="/">{t!(i18n, sso.home)}</a></p>
        </section>
    }
}
