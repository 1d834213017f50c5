use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{ChangePassword, DeleteAccount, SetFirstPassword, SignIn};
use crate::i18n::*;
use crate::ui::form::kept;
use crate::ui::islands::RevealPassword;
use crate::ui::{ActionError, ErrorText, PageTitle, RequireUser};

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    // Created inside the routes, where the router hands back the error of a
    // failed plain-form post (`?__err=`).
    let sign_in = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || {
        let q = query.read();
        q.get("next").or_else(|| q.get("keep.next")).unwrap_or_default()
    };
    let email = kept("email");
    let demo = Resource::new(|| (), |_| super::has_demo_accounts());
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, sign_in.title).to_string()) />
        <section class="page narrow">
            <h1>{t!(i18n, sign_in.title)}</h1>
            <super::SsoAlert />
            <ActionForm action=sign_in attr:class="stack" attr:novalidate=true>
                <ActionError action=sign_in />
                <input type="hidden" name="next" value=next />
                <div class="field">
                    <label for="email">{t!(i18n, fields.email)}</label>
                    <input id="email" name="email" type="email" autocomplete="username" required
                        maxlength="254" prop:value=email value=email />
                </div>
                <div class="field">
                    <label for="password">{t!(i18n, fields.password)}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password"
                        required maxlength="256" />
                    <RevealPassword
                        input="password".to_owned()
                        show=t_string!(i18n, account.show_password).to_string()
                        hide=t_string!(i18n, account.hide_password).to_string()
                    />
                </div>
                <div class="field check">
                    <input id="remember" name="remember" type="checkbox" value="on" />
                    <label for="remember">{t!(i18n, sign_in.remember)}</label>
                </div>
                <button type="submit" class="button primary">{t!(i18n, sign_in.submit)}</button>
            </ActionForm>
            <super::SsoButtons next=Signal::derive(next) />
            <Suspense fallback=|| ()>
                {move || demo.get().and_then(|r| r.ok()).filter(|d| *d).map(|_| view! {
                    <p class="hint">{t!(i18n, sign_in.demo_hint)}</p>
                })}
            </Suspense>
        </section>
    }
}

/// A new password and its repeat (changing it, or a first one).
#[component]
fn NewPasswordFields() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="new_password">{t!(i18n, fields.new_password)}</label>
            <input id="new_password" name="new_password" type="password"
                autocomplete="new-password" required minlength="10" maxlength="256"
                aria-describedby="pw-hint" />
            <RevealPassword
                input="new_password".to_owned()
                show=t_string!(i18n, account.show_password).to_string()
                hide=t_string!(i18n, account.hide_password).to_string()
            />
            <p class="hint" id="pw-hint">{t!(i18n, account.password_hint)}</p>
        </div>
        <div class="field">
            <label for="new_password_repeat">{t!(i18n, fields.new_password_repeat)}</label>
            <input id="new_password_repeat" name="new_password_repeat" type="password"
                autocomplete="new-password" required maxlength="256" />
        </div>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<ChangePassword>::new();
    let first = ServerAction::<SetFirstPassword>::new();
    let query = use_query_map();
    let changed =
        move || query.read().get("changed").is_some() || matches!(change.value().get(), Some(Ok(())));
    let password_set = move || query.read().get("password_set").is_some();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, account.title).to_string()) />
        <RequireUser children=move |me| { let email = me.email.clone(); view! {
            <section class="page narrow">
                <h1>{t!(i18n, account.title)}</h1>
                <dl class="facts">
                    <dt>{t!(i18n, fields.display_name)}</dt><dd>{me.display_name.clone()}</dd>
                    <dt>{t!(i18n, fields.email)}</dt><dd>{me.email.clone()}</dd>
                </dl>
                {move || changed().then(|| view! {
                    <div class="alert ok" role="status">{t!(i18n, account.password_changed)}</div>
                })}
                {move || password_set().then(|| view! {
                    <div class="alert ok" role="status">{t!(i18n, account.password_set_ok)}</div>
                })}
                {if me.has_password {
                    view! {
                        <h2>{t!(i18n, account.change_password)}</h2>
                        <ActionForm action=change attr:class="stack" attr:novalidate=true>
                            <ActionError action=change />
                            <div class="field">
                                <label for="current_password">{t!(i18n, fields.current_password)}</label>
                                <input id="current_password" name="current_password" type="password"
                                    autocomplete="current-password" required maxlength="256" />
                            </div>
                            <NewPasswordFields />
                            <button type="submit" class="button primary">{t!(i18n, account.save_password)}</button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! {
                        <h2>{t!(i18n, account.set_password)}</h2>
                        <p>{t!(i18n, account.set_password_text)}</p>
                        <super::ProviderConfirm next="/account"
                            unconfirmed=move || view! { <ActionError action=first /> }
                            confirmed=move || { let email = email.clone(); view! {
                            <ActionForm action=first attr:class="stack" attr:novalidate=true>
                                <ActionError action=first />
                                <input type="hidden" name="username" autocomplete="username" value=email />
                                <NewPasswordFields />
                                <button type="submit" class="button primary">{t!(i18n, account.save_password)}</button>
                            </ActionForm>
                        } } />
                    }.into_any()
                }}
                <super::LinkedAccounts />
                <h2>{t!(i18n, two_factor.title)}</h2>
                <p>{t!(i18n, account.two_factor_text)}</p>
                <p><a href="/account/two-factor">{t!(i18n, account.two_factor_link)}</a></p>
                <h2>{t!(i18n, account.privacy_title)}</h2>
                <p>{t!(i18n, account.export_text)}</p>
                // A file, not a page: the router must let the browser fetch it.
                <p><a class="button" href="/account/export.zip" download="" rel="external">
                    {t!(i18n, account.export_link)}
                </a></p>
                <p>{t!(i18n, account.delete_text)}</p>
                <p><a href="/account/delete">{t!(i18n, account.delete_link)}</a></p>
                {me.is_admin.then(|| view! {
                    <h2>{t!(i18n, account.admin_title)}</h2>
                    <p><a href="/admin/audit">{t!(i18n, account.audit_link)}</a></p>
                })}
            </section>
        } } />
    }
}

/// "Delete my account": what happens, the networks that would lose their
/// last facilitator, and the confirmation with the password.
#[component]
pub fn DeleteAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let delete = ServerAction::<DeleteAccount>::new();
    let preview = Resource::new(|| (), |_| super::get_deletion_preview());
    let kept_posts = kept("delete_posts");
    let kept_leave = kept("leave_without_facilitator");
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, account.delete_title).to_string()) />
        <RequireUser children=move |me| { let has_password = me.has_password; view! {
            <section class="page narrow">
                <p><a href="/account">{t!(i18n, account.back_to_account)}</a></p>
                <super::SsoAlert />
                <h1>{t!(i18n, account.delete_title)}</h1>
                <Suspense fallback=|| ()>
                    {move || preview.get().map(|r| match r {
                        Err(err) => view! {
                            <div class="alert error" role="alert"><ErrorText err /></div>
                        }.into_any(),
                        Ok(p) => {
                            let sole = p.sole_facilitator_of.clone();
                            let warn = !sole.is_empty();
                            let (cases, practices) = (p.cases, p.practices);
                            let (replies, reflections) = (p.replies, p.reflections);
                            let form = move || view! {
                                <ActionForm action=delete attr:class="stack card" attr:novalidate=true>
                                    <ActionError action=delete />
                                    <div class="field check">
                                        <input id="delete_posts" name="delete_posts" type="checkbox" value="on"
                                            prop:checked=move || !kept_posts.get().is_empty()
                                            checked=move || !kept_posts.get().is_empty() />
                                        <label for="delete_posts">{t!(i18n, account.delete_posts_label)}</label>
                                    </div>
                                    {warn.then(|| view! {
                                        <div class="field check">
                                            <input id="leave_without_facilitator" name="leave_without_facilitator"
                                                type="checkbox" value="on" required
                                                prop:checked=move || !kept_leave.get().is_empty()
                                                checked=move || !kept_leave.get().is_empty() />
                                            <label for="leave_without_facilitator">{t!(i18n, account.sole_facilitator_ack)}</label>
                                        </div>
                                    })}
                                    {has_password.then(|| view! {
                                        <div class="field">
                                            <label for="password">{t!(i18n, account.delete_password)}</label>
                                            <input id="password" name="password" type="password"
                                                autocomplete="current-password" required maxlength="256" />
                                        </div>
                                    })}
                                    <button type="submit" class="button danger">{t!(i18n, account.delete_submit)}</button>
                                </ActionForm>
                            };
                            view! {
                                <p class="lead">{t!(i18n, account.delete_intro)}</p>
                                <ul>
                                    <li>{t!(i18n, account.delete_removed)}</li>
                                    <li>{t!(i18n, account.delete_kept, cases = move || cases, practices = move || practices)}</li>
                                    <li>{t!(i18n, account.delete_posts_kept, replies = move || replies, reflections = move || reflections)}</li>
                                </ul>
                                {warn.then(|| view! {
                                    <div class="alert warn" role="alert">
                                        <p>{t!(i18n, account.sole_facilitator_warning)}</p>
                                        <ul>{sole.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                                    </div>
                                })}
                                {if has_password {
                                    form().into_any()
                                } else {
                                    // Without a password, a fresh sign-in at the provider
                                    // stands in for it.
                                    view! {
                                        <super::ProviderConfirm next="/account/delete" confirmed=form
                                            unconfirmed=move || view! { <ActionError action=delete /> } />
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                    })}
                </Suspense>
            </section>
        } } />
    }
}

/// After the account is gone (signed out, so no `RequireUser`).
#[component]
pub fn AccountDeletedPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, account.deleted_title).to_string()) />
        <section class="page narrow">
            <h1>{t!(i18n, account.deleted_title)}</h1>
            <div class="alert ok" role="status">{t!(i18n, account.deleted_text)}</div>
            <p><a href="/">{t!(i18n, account.deleted_home)}</a></p>
        </section>
    }
}
