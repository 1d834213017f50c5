//! Pages for a network's intervision methods: the list (shipped methods
//! and the network's own copies) and the form that adapts a copy. Plain
//! forms posting to server functions; no JavaScript needed.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::MethodView;
use crate::i18n::*;
use crate::ui::form::{KEEP_PREFIX, kept};
use crate::ui::{ActionError, NotFound, PageTitle, RequireUser};

/// Who may speak in a phase, as stored, in display order.
const CONTRIBUTORS: [&str; 4] = ["case_owner", "participants", "facilitator", "expert"];

#[component]
fn ContributorText(key: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    match key {
        "case_owner" => t!(i18n, sessions.contributor_case_owner).into_any(),
        "participants" => t!(i18n, sessions.contributor_participants).into_any(),
        "facilitator" => t!(i18n, sessions.contributor_facilitator).into_any(),
        _ => t!(i18n, sessions.contributor_expert).into_any(),
    }
}

fn contributor_key(stored: &str) -> Option<&'static str> {
    CONTRIBUTORS.into_iter().find(|c| *c == stored)
}

fn english() -> bool {
    use_i18n().get_locale_untracked() == Locale::en
}

fn failed(err: crate::errors::AppError) -> AnyView {
    match err {
        crate::errors::AppError::NotFound => view! { <NotFound /> }.into_any(),
        err => view! { <section class="page"><div class="alert error" role="alert"><crate::ui::ErrorText err /></div></section> }.into_any(),
    }
}

/// "/networks/:slug/methods"
#[component]
pub fn MethodsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let slug = super::pages::slug_param();
    let english = english();
    let data = Resource::new(move || slug.get(), move |s| super::network_methods(s, english));
    let copy = ServerAction::<super::CopyMethod>::new();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, sessions.methods_title).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(n) => view! {
                        <section class="page">
                            {(query.read().get("done").as_deref() == Some("saved")).then(|| view! {
                                <div class="alert ok" role="status">{t!(i18n, sessions.done_method_saved)}</div>
                            })}
                            <p><A href=format!("/networks/{}/sessions", n.slug)>{n.name.clone()}</A></p>
                            <h1>{t!(i18n, sessions.methods_title)}</h1>
                            <ActionError action=copy />
                            {n.methods.iter().map(|m| {
                                let id = m.id;
                                let slug = n.slug.clone();
                                view! {
                                    <section class="card method" aria-labelledby=format!("method-{id}")>
                                        <h2 id=format!("method-{id}")>{m.name.clone()}</h2>
                                        <p>
                                            <span class="badge">{if m.shipped { t!(i18n, sessions.shipped).into_any() } else { t!(i18n, sessions.own_method).into_any() }}</span>
                                        </p>
                                        <p>{m.summary.clone()}</p>
                                        <ol class="phases">
                                            {m.phases.iter().map(|p| view! {
                                                <li><strong>{p.name.clone()}</strong> " · " {t!(i18n, sessions.minutes_n, n = p.minutes)}</li>
                                            }).collect_view()}
                                        </ol>
                                        {n.may_edit.then(|| view! {
                                            <p class="row-actions">
                                                {(!m.shipped).then(|| view! {
                                                    <A href=format!("/networks/{slug}/methods/{id}") attr:class="button">{t!(i18n, sessions.edit_method)}</A>
                                                })}
                                                <ActionForm action=copy attr:class="inline">
                                                    <input type="hidden" name="slug" value=slug.clone() />
                                                    <input type="hidden" name="method" value=id />
                                                    <button type="submit" class="button">{t!(i18n, sessions.copy_method)}</button>
                                                </ActionForm>
                                            </p>
                                        })}
                                    </section>
                                }
                            }).collect_view()}
                        </section>
                    }.into_any(),
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

/// One phase's values for the form: stored, or as typed before a failed post.
#[derive(Clone, Default)]
struct PhaseValues {
    name: String,
    guidance: String,
    minutes: String,
    who: Vec<String>,
}

fn phase_values(method: &MethodView, query: &leptos_router::params::ParamsMap) -> Vec<PhaseValues> {
    let kept = |key: String| query.get(&format!("{KEEP_PREFIX}{key}")).unwrap_or_default();
    if let Some(count) = query
        .get(&format!("{KEEP_PREFIX}phases"))
        .and_then(|c| c.parse::<usize>().ok())
    {
        return (0..count.min(40))
            .map(|i| PhaseValues {
                name: kept(format!("p{i}.name")),
                guidance: kept(format!("p{i}.guidance")),
                minutes: kept(format!("p{i}.minutes")),
                who: kept(format!("p{i}.who"))
                    .split(',')
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect();
    }
    let mut phases: Vec<PhaseValues> = method
        .phases
        .iter()
        .map(|p| PhaseValues {
            name: p.name.clone(),
            guidance: p.guidance.clone(),
            minutes: p.minutes.to_string(),
            who: p.contributors.clone(),
        })
        .collect();
    // Two empty phases to add to.
    phases.extend([PhaseValues::default(), PhaseValues::default()]);
    phases
}

/// "/networks/:slug/methods/:id": adapt the network's own copy.
#[component]
pub fn EditMethodPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let slug = super::pages::slug_param();
    let id = super::pages::id_param();
    let english = english();
    let data = Resource::new(move || slug.get(), move |s| super::network_methods(s, english));
    let save = ServerAction::<super::SaveMethod>::new();
    let (name, summary) = (kept("name"), kept("summary"));
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, sessions.method_edit_title).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(n) => {
                        let Some(m) = n.methods.iter().find(|m| m.id == id.get() && !m.shipped).cloned().filter(|_| n.may_edit) else {
                            return view! { <NotFound /> }.into_any();
                        };
                        let phases = phase_values(&m, &query.read());
                        let name_value = { let stored = m.name.clone(); move || { let t = name.get(); if t.is_empty() { stored.clone() } else { t } } };
                        let summary_value = { let t = summary.get_untracked(); if t.is_empty() { m.summary.clone() } else { t } };
                        view! {
                            <section class="page narrow">
                                {(query.read().get("done").as_deref() == Some("copied")).then(|| view! {
                                    <div class="alert ok" role="status">{t!(i18n, sessions.done_method_copied)}</div>
                                })}
                                <p><A href=format!("/networks/{}/methods", n.slug)>{t!(i18n, sessions.methods_title)}</A></p>
                                <h1>{t!(i18n, sessions.method_edit_title)}</h1>
                                <ActionForm action=save attr:class="stack" attr:novalidate=true>
                                    <ActionError action=save />
                                    <input type="hidden" name="slug" value=n.slug.clone() />
                                    <input type="hidden" name="id" value=m.id />
                                    <div class="field">
                                        <label for="name">{t!(i18n, sessions.method_name)}</label>
                                        <input id="name" name="name" type="text" required maxlength="200" value=name_value />
                                    </div>
                                    <div class="field">
                                        <label for="summary">{t!(i18n, sessions.method_summary)}</label>
                                        <textarea id="summary" name="summary" rows="3" maxlength="2000">{summary_value}</textarea>
                                    </div>
                                    <p class="hint">{t!(i18n, sessions.phase_remove_hint)}</p>
                                    {phases.into_iter().enumerate().map(|(i, p)| {
                                        let n1 = i + 1;
                                        view! {
                                            <fieldset class="field phase">
                                                <legend>{t!(i18n, sessions.phase_n, n = n1)}</legend>
                                                <div class="field">
                                                    <label for=format!("phase-{i}-name")>{t!(i18n, fields.phase_name)}</label>
                                                    <input id=format!("phase-{i}-name") name=format!("phases[{i}][name]") type="text" maxlength="120" value=p.name />
                                                </div>
                                                <div class="field">
                                                    <label for=format!("phase-{i}-guidance")>{t!(i18n, fields.guidance)}</label>
                                                    <textarea id=format!("phase-{i}-guidance") name=format!("phases[{i}][guidance]") rows="3" maxlength="2000">{p.guidance}</textarea>
                                                </div>
                                                <div class="field">
                                                    <label for=format!("phase-{i}-minutes")>{t!(i18n, fields.phase_minutes)}</label>
                                                    <input id=format!("phase-{i}-minutes") name=format!("phases[{i}][minutes]") type="number" min="1" max="240" inputmode="numeric" value=p.minutes />
                                                </div>
                                                <fieldset class="field">
                                                    <legend>{t!(i18n, fields.contributors)}</legend>
                                                    {CONTRIBUTORS.into_iter().enumerate().map(|(j, c)| {
                                                        let checked = p.who.iter().any(|w| contributor_key(w) == Some(c));
                                                        view! {
                                                            <label><input type="checkbox" name=format!("phases[{i}][who][{j}]") value=c checked=checked /> " " <ContributorText key=c /></label>
                                                        }
                                                    }).collect_view()}
                                                </fieldset>
                                            </fieldset>
                                        }
                                    }).collect_view()}
                                    <button type="submit" class="button primary">{t!(i18n, sessions.method_save)}</button>
                                </ActionForm>
                            </section>
                        }.into_any()
                    }
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}
