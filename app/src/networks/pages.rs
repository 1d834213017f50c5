use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{NetworkKind, NetworkRole};
use crate::errors::AppError;
use crate::i18n::*;
use crate::ui::form::kept;
use crate::ui::{ActionError, NotFound, PageTitle, RequireUser};

/// The role as the page says it.
#[component]
pub fn RoleName(role: NetworkRole) -> impl IntoView {
    let i18n = use_i18n();
    match role {
        NetworkRole::Facilitator => t!(i18n, roles.facilitator).into_any(),
        NetworkRole::Coach => t!(i18n, roles.coach).into_any(),
        NetworkRole::ExpertByExperience => t!(i18n, roles.expert).into_any(),
        NetworkRole::Observer => t!(i18n, roles.observer).into_any(),
    }
}

#[component]
fn KindName(kind: NetworkKind) -> impl IntoView {
    let i18n = use_i18n();
    match kind {
        NetworkKind::Local => t!(i18n, networks.kind_local).into_any(),
        NetworkKind::InterMunicipal => t!(i18n, networks.kind_inter_municipal).into_any(),
        NetworkKind::SupraLocal => t!(i18n, networks.kind_supra_local).into_any(),
    }
}

/// "My networks": the dashboard after sign-in.
#[component]
pub fn NetworksPage() -> impl IntoView {
    let i18n = use_i18n();
    let mine = Resource::new(|| (), |_| super::my_networks());
    let may_create = Resource::new(|| (), |_| super::may_create_network());
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, networks.mine).to_string()) />
        <RequireUser children=move |_me| view! {
            <section class="page">
                <h1>{t!(i18n, networks.mine)}</h1>
                <Suspense fallback=|| ()>
                    {move || may_create.get().and_then(|r| r.ok()).filter(|m| *m).map(|_| view! {
                        <p><A href="/networks/new" attr:class="button">{t!(i18n, networks.create)}</A></p>
                    })}
                </Suspense>
                <Suspense fallback=|| ()>
                    {move || mine.get().map(|r| match r {
                        Ok(list) if list.is_empty() => view! { <p class="lead">{t!(i18n, networks.none)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="cards">
                                {list.into_iter().map(|n| view! {
                                    <li class="card">
                                        <h2><A href=format!("/networks/{}", n.slug)>{n.name}</A></h2>
                                        <p><KindName kind=n.kind /> " · " <RoleName role=n.role /></p>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <div class="alert error" role="alert"><crate::ui::ErrorText err /></div> }.into_any(),
                    })}
                </Suspense>
            </section>
        } />
    }
}

/// A network's page: about, organisations, and (for members) who takes part.
#[component]
pub fn NetworkPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let net = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        super::network,
    );
    view! {
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || net.get().map(|r| match r {
                    Ok(n) => {
                        let title = n.name.clone();
                        view! {
                            <PageTitle text=Signal::derive(move || title.clone()) />
                            <section class="page">
                                <h1>{n.name.clone()}</h1>
                                <p class="hint"><KindName kind=n.kind />
                                    {n.my_role.map(|role| view! { " · " {t!(i18n, networks.your_role)} " " <RoleName role /> })}
                                </p>
                                <p class="lead">{n.description.clone()}</p>
                                <h2>{t!(i18n, networks.organisations)}</h2>
                                <ul>{n.organisations.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
                                {n.members.map(|members| view! {
                                    <h2>{t!(i18n, networks.members)} " (" {members.len()} ")"</h2>
                                    <div class="table-wrap" role="region" tabindex="0"
                                        aria-label=move || t_string!(i18n, networks.members).to_string()>
                                    <table class="members">
                                        <thead><tr>
                                            <th scope="col">{t!(i18n, fields.display_name)}</th>
                                            <th scope="col">{t!(i18n, networks.role)}</th>
                                            <th scope="col">{t!(i18n, networks.organisation)}</th>
                                        </tr></thead>
                                        <tbody>
                                            {members.into_iter().map(|m| view! {
                                                <tr>
                                                    <td>{m.name}</td>
                                                    <td><RoleName role=m.role /></td>
                                                    <td>{m.organisation.unwrap_or_default()}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                })}
                            </section>
                        }.into_any()
                    }
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(err) => view! { <section class="page"><div class="alert error" role="alert"><crate::ui::ErrorText err /></div></section> }.into_any(),
                })}
            </Suspense>
        } />
    }
}

/// A facilitator or admin creates a network (and becomes its facilitator).
#[component]
pub fn NewNetworkPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<super::CreateNetwork>::new();
    let may_create = Resource::new(|| (), |_| super::may_create_network());
    let (name, slug, description) = (kept("name"), kept("slug"), kept("description"));
    let kind = kept("kind");
    let policy = kept("join_policy");
    let kind_is = move |k: &'static str| move || kind.get() == k || (kind.get().is_empty() && k == "local");
    let policy_is =
        move |p: &'static str| move || policy.get() == p || (policy.get().is_empty() && p == "request");
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, networks.create).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || may_create.get().map(|r| match r {
                    Ok(true) => view! {
                        <section class="page narrow">
                            <h1>{t!(i18n, networks.create)}</h1>
                            <ActionForm action=create attr:class="stack" attr:novalidate=true>
                                <ActionError action=create />
                                <div class="field">
                                    <label for="name">{t!(i18n, fields.network_name)}</label>
                                    <input id="name" name="name" type="text" required maxlength="200" value=name />
                                </div>
                                <div class="field">
                                    <label for="slug">{t!(i18n, fields.slug)}</label>
                                    <input id="slug" name="slug" type="text" required maxlength="80"
                                        pattern="[a-z0-9]+(-[a-z0-9]+)*" aria-describedby="slug-hint" value=slug />
                                    <p class="hint" id="slug-hint">{t!(i18n, networks.slug_hint)}</p>
                                </div>
                                <div class="field">
                                    <label for="description">{t!(i18n, fields.description)}</label>
                                    <textarea id="description" name="description" rows="4" maxlength="5000">{description}</textarea>
                                </div>
                                <fieldset class="field">
                                    <legend>{t!(i18n, fields.network_kind)}</legend>
                                    <label><input type="radio" name="kind" value="local" checked=kind_is("local") /> " " {t!(i18n, networks.kind_local)}</label>
                                    <label><input type="radio" name="kind" value="inter_municipal" checked=kind_is("inter_municipal") /> " " {t!(i18n, networks.kind_inter_municipal)}</label>
                                    <label><input type="radio" name="kind" value="supra_local" checked=kind_is("supra_local") /> " " {t!(i18n, networks.kind_supra_local)}</label>
                                </fieldset>
                                <fieldset class="field">
                                    <legend>{t!(i18n, fields.join_policy)}</legend>
                                    <label><input type="radio" name="join_policy" value="invite" checked=policy_is("invite") /> " " {t!(i18n, networks.policy_invite)}</label>
                                    <label><input type="radio" name="join_policy" value="request" checked=policy_is("request") /> " " {t!(i18n, networks.policy_request)}</label>
                                    <label><input type="radio" name="join_policy" value="open" checked=policy_is("open") /> " " {t!(i18n, networks.policy_open)}</label>
                                </fieldset>
                                <button type="submit" class="button primary">{t!(i18n, networks.create)}</button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                    _ => view! { <NotFound /> }.into_any(),
                })}
            </Suspense>
        } />
    }
}
