//! Two-step sign-in: the code step of signing in, and the page where a
//! person sets it up, gets new recovery codes or turns it off.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{BeginTwoFactor, ConfirmTwoFactor, DisableTwoFactor, NewRecoveryCodes, SignInCode};
use crate::i18n::*;
use crate::ui::{ActionError, ErrorText, PageTitle, RequireUser};

#[component]
pub fn SignInCodePage() -> impl IntoView {
    let i18n = use_i18n();
    let code = ServerAction::<SignInCode>::new();
    let query = use_query_map();
    let next = move || {
        let q = query.read();
        q.get("next").or_else(|| q.get("keep.next")).unwrap_or_default()
    };
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, two_factor.code_title).to_string()) />
        <section class="page narrow">
            <h1>{t!(i18n, two_factor.code_title)}</h1>
            <p>{t!(i18n, two_factor.code_intro)}</p>
            <ActionForm action=code attr:class="stack" attr:novalidate=true>
                <ActionError action=code />
                <input type="hidden" name="next" value=next />
                <div class="field">
                    <label for="code">{t!(i18n, two_factor.code_label)}</label>
                    <input id="code" name="code" type="text" autocomplete="one-time-code" required
                        maxlength="20" class="short" aria-describedby="code-hint" autofocus />
                    <p class="hint" id="code-hint">{t!(i18n, two_factor.code_hint)}</p>
                </div>
                <button type="submit" class="button primary">{t!(i18n, two_factor.code_submit)}</button>
            </ActionForm>
            <p><a href="/sign-in">{t!(i18n, two_factor.start_over)}</a></p>
        </section>
    }
}

#[component]
pub fn TwoFactorPage() -> impl IntoView {
    let i18n = use_i18n();
    let begin = ServerAction::<BeginTwoFactor>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let codes = ServerAction::<NewRecoveryCodes>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let data = Resource::new(|| (), |_| super::get_two_factor());
    let query = use_query_map();
    let flag = move |name: &'static str| query.read().get(name).is_some();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, two_factor.title).to_string()) />
        <RequireUser children=move |_me| view! {
            <section class="page narrow">
                <p><a href="/account">{t!(i18n, account.back_to_account)}</a></p>
                <h1>{t!(i18n, two_factor.title)}</h1>
                {move || flag("enabled").then(|| view! {
                    <div class="alert ok" role="status">{t!(i18n, two_factor.enabled_now)}</div>
                })}
                {move || flag("disabled").then(|| view! {
                    <div class="alert ok" role="status">{t!(i18n, two_factor.disabled_now)}</div>
                })}
                <Suspense fallback=|| ()>
                    {move || data.get().map(|r| match r {
                        Err(err) => view! {
                            <div class="alert error" role="alert"><ErrorText err /></div>
                        }.into_any(),
                        Ok(v) => {
                            let required = (!v.required_by.is_empty() && !v.enabled).then(|| {
                                let names = v.required_by.join(", ");
                                view! {
                                    <div class="alert warn" role="alert">
                                        {t!(i18n, two_factor.required, networks = move || names.clone())}
                                    </div>
                                }
                            });
                            let fresh = (!v.fresh_codes.is_empty()).then(|| {
                                let list = v.fresh_codes.clone();
                                view! {
                                    <div class="alert warn" role="status">
                                        <h2>{t!(i18n, two_factor.codes_title)}</h2>
                                        <p>{t!(i18n, two_factor.codes_text)}</p>
                                        <ol class="recovery-codes">
                                            {list.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                                        </ol>
                                    </div>
                                }
                            });
                            let body = if !v.has_password {
                                view! { <p>{t!(i18n, two_factor.sso_covered)}</p> }.into_any()
                            } else if v.enabled {
                                let left = v.recovery_left;
                                view! {
                                    <p class="lead">{t!(i18n, two_factor.is_on, left = move || left)}</p>
                                    <h2>{t!(i18n, two_factor.new_codes_title)}</h2>
                                    <ActionForm action=codes attr:class="stack card" attr:novalidate=true>
                                        <ActionError action=codes />
                                        <div class="field">
                                            <label for="codes_password">{t!(i18n, two_factor.password)}</label>
                                            <input id="codes_password" name="password" type="password"
                                                autocomplete="current-password" required maxlength="256" />
                                        </div>
                                        <button type="submit" class="button">{t!(i18n, two_factor.new_codes_submit)}</button>
                                    </ActionForm>
                                    <h2>{t!(i18n, two_factor.off_title)}</h2>
                                    <ActionForm action=disable attr:class="stack card" attr:novalidate=true>
                                        <ActionError action=disable />
                                        <div class="field">
                                            <label for="off_password">{t!(i18n, two_factor.password)}</label>
                                            <input id="off_password" name="password" type="password"
                                                autocomplete="current-password" required maxlength="256" />
                                        </div>
                                        <button type="submit" class="button danger">{t!(i18n, two_factor.off_submit)}</button>
                                    </ActionForm>
                                }.into_any()
                            } else if let Some(setup) = v.pending.clone() {
                                let label = t_string!(i18n, two_factor.qr_label).to_string();
                                view! {
                                    <ol class="steps">
                                        <li>
                                            <p>{t!(i18n, two_factor.step_scan)}</p>
                                            <div class="qr" role="img" aria-label=label inner_html=setup.qr_svg.clone()></div>
                                        </li>
                                        <li>
                                            <p>{t!(i18n, two_factor.step_type)}</p>
                                            <p><code class="secret" data-secret=setup.secret.replace(' ', "")>{setup.secret.clone()}</code></p>
                                        </li>
                                        <li>
                                            <ActionForm action=confirm attr:class="stack" attr:novalidate=true>
                                                <ActionError action=confirm />
                                                <div class="field">
                                                    <label for="code">{t!(i18n, two_factor.step_confirm)}</label>
                                                    <input id="code" name="code" type="text" inputmode="numeric"
                                                        autocomplete="one-time-code" required maxlength="10" class="short" />
                                                </div>
                                                <button type="submit" class="button primary">{t!(i18n, two_factor.confirm_submit)}</button>
                                            </ActionForm>
                                        </li>
                                    </ol>
                                    <ActionForm action=begin attr:class="inline">
                                        <button type="submit" class="button">{t!(i18n, two_factor.restart)}</button>
                                    </ActionForm>
                                }.into_any()
                            } else {
                                view! {
                                    <p class="lead">{t!(i18n, two_factor.intro)}</p>
                                    <ActionForm action=begin attr:class="stack">
                                        <ActionError action=begin />
                                        <button type="submit" class="button primary">{t!(i18n, two_factor.begin)}</button>
                                    </ActionForm>
                                }.into_any()
                            };
                            view! { {required} {fresh} {body} }.into_any()
                        }
                    })}
                </Suspense>
            </section>
        } />
    }
}
