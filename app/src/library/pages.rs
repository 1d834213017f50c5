//! Pages of the library: browse and search (anyone), a practice with its
//! reflections and related practices, the editor with a live preview, the
//! revision history with a readable diff and restore. Every form is a plain
//! HTML form posting to a server function.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{DiffTag, PracticeInput, Theme};
use crate::app::use_auth;
use crate::i18n::*;
use crate::search::{SearchView, theme_label};
use crate::ui::form::{kept, kept_or};
use crate::ui::{ActionError, PageTitle, RequireUser, failed};

fn slug_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("slug").unwrap_or_default())
}

/// `/library`: browse by theme and municipality, search.
#[component]
pub fn LibraryPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, nav.library).to_string()) />
        <section class="page">
            <div class="title-row">
                <h1>{t!(i18n, nav.library)}</h1>
                <Transition fallback=|| ()>
                    {move || auth.me.get().and_then(|me| me.ok().flatten()).map(|_| view! {
                        <A href="/library/new" attr:class="button">{t!(i18n, library.new_practice)}</A>
                    })}
                </Transition>
            </div>
            <p class="lead">{t!(i18n, library.lead)}</p>
            <SearchView kind="practice" />
        </section>
    }
}

/// A practice.
#[component]
pub fn PracticePage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let data = Resource::new(move || slug.get(), super::practice);
    let reflect = ServerAction::<super::ReflectOnPractice>::new();
    view! {
        <Suspense fallback=|| ()>
            {move || data.get().map(|r| match r {
                Ok(p) => {
                    let title = p.title.clone();
                    let slug = p.slug.clone();
                    let themes = p.themes.clone();
                    let related = p.related.clone();
                    view! {
                        <PageTitle text=Signal::derive(move || title.clone()) />
                        <article class="page practice">
                            <p><A href="/library">{t!(i18n, nav.library)}</A></p>
                            <h1>
                                {p.title.clone()}
                                {p.draft.then(|| view! { " " <span class="badge">{t!(i18n, library.draft)}</span> })}
                            </h1>
                            {(!p.summary.is_empty()).then(|| view! { <p class="lead">{p.summary.clone()}</p> })}
                            <ul class="tags" aria-label=t_string!(i18n, fields.themes).to_string()>
                                {themes.into_iter().map(|t| view! {
                                    <li><A href=format!("/library?theme={}", t.key())>{theme_label(i18n, t.name())}</A></li>
                                }).collect_view()}
                            </ul>
                            <dl class="facts">
                                {(!p.municipalities.is_empty()).then(|| view! {
                                    <dt>{t!(i18n, fields.municipalities)}</dt>
                                    <dd>{p.municipalities.join(", ")}</dd>
                                })}
                                {(!p.organisation.is_empty()).then(|| view! {
                                    <dt>{t!(i18n, fields.organisation)}</dt>
                                    <dd>{p.organisation.clone()}</dd>
                                })}
                                {(!p.contact.is_empty()).then(|| view! {
                                    <dt>{t!(i18n, fields.contact)}</dt>
                                    <dd>{p.contact.clone()}</dd>
                                })}
                                {p.network.clone().map(|(nslug, name)| view! {
                                    <dt>{t!(i18n, library.network)}</dt>
                                    <dd><A href=format!("/networks/{nslug}")>{name}</A></dd>
                                })}
                                <dt>{t!(i18n, library.visibility)}</dt>
                                <dd>{if p.public { t_string!(i18n, library.public) } else { t_string!(i18n, library.network_only) }}</dd>
                            </dl>
                            <div class="markdown" inner_html=p.body_html.clone()></div>
                            {p.source_case.map(|id| view! {
                                <p class="hint"><A href=format!("/cases/{id}")>{t!(i18n, library.source_case)}</A></p>
                            })}
                            <p class="meta hint">
                                {t!(i18n, library.revision, n = move || p.revision, date = { let d = p.updated_at.clone(); move || d.clone() })}
                                " · " <A href=format!("/library/{}/history", p.slug)>{t!(i18n, library.history)}</A>
                                {p.may_edit.then(|| view! { " · " <A href=format!("/library/{}/edit", p.slug)>{t!(i18n, library.edit)}</A> })}
                            </p>
                            <section id="reflections" aria-labelledby="reflections-title">
                                <h2 id="reflections-title">{t!(i18n, library.reflections)}</h2>
                                {if p.reflections.is_empty() {
                                    view! { <p class="hint">{t!(i18n, library.no_reflections)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ol class="cards single">
                                            {p.reflections.iter().map(|r| view! {
                                                <li class="card reflection">
                                                    <p class="meta"><strong>{r.author.clone()}</strong> " " <span class="badge reflection">{t!(i18n, library.expert)}</span> " · " {r.created_at.clone()}</p>
                                                    <div class="markdown" inner_html=r.body_html.clone()></div>
                                                </li>
                                            }).collect_view()}
                                        </ol>
                                    }.into_any()
                                }}
                                {p.may_reflect.then(|| view! {
                                    <ActionForm action=reflect attr:class="stack">
                                        <ActionError action=reflect />
                                        <input type="hidden" name="slug" value=slug.clone() />
                                        <div class="field">
                                            <label for="reflection">{t!(i18n, library.reflection_label)}</label>
                                            <textarea id="reflection" name="body" rows="5" maxlength="5000">{kept("reflection").get_untracked()}</textarea>
                                        </div>
                                        <p><button type="submit" class="button primary">{t!(i18n, library.reflect)}</button></p>
                                    </ActionForm>
                                })}
                            </section>
                            {(!related.is_empty()).then(|| view! {
                                <section class="related" aria-labelledby="related-title">
                                    <h2 id="related-title">{t!(i18n, library.related)}</h2>
                                    <ul class="links">
                                        {related.into_iter().map(|l| view! {
                                            <li><A href=format!("/library/{}", l.slug)>{l.title}</A></li>
                                        }).collect_view()}
                                    </ul>
                                </section>
                            })}
                        </article>
                    }.into_any()
                }
                Err(err) => failed(err),
            })}
        </Suspense>
    }
}

/// The fields of the editor (new and existing practices alike).
#[component]
fn PracticeFields(
    input: PracticeInput,
    preview: String,
    networks: Vec<(String, String)>,
    new: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    // After a failed save the form shows what was posted (the visibility
    // radio is always posted, so it tells a failed post from a first visit).
    let failed_post = !kept("visibility").get_untracked().is_empty();
    let themes_kept: Vec<Theme> = if failed_post {
        kept("themes")
            .get_untracked()
            .split(',')
            .filter_map(Theme::parse)
            .collect()
    } else {
        input.themes.clone()
    };
    let public = if failed_post {
        kept("visibility").get_untracked() == "public"
    } else {
        input.public
    };
    let network_kept = kept("network").get_untracked();
    let editor_words = vec![
        t_string!(i18n, fields.body).to_string(),
        t_string!(i18n, library.preview).to_string(),
        t_string!(i18n, library.markdown_hint).to_string(),
    ];
    let body = {
        let k = kept("body").get_untracked();
        if k.is_empty() {
            input.body_markdown.clone()
        } else {
            k
        }
    };
    view! {
        {(new && !networks.is_empty()).then(|| view! {
            <div class="field">
                <label for="network">{t!(i18n, library.network)}</label>
                <select id="network" name="network">
                    {networks.iter().map(|(slug, name)| view! { <option value=slug.clone() selected=*slug == network_kept>{name.clone()}</option> }).collect_view()}
                </select>
            </div>
        })}
        <div class="field">
            <label for="title">{t!(i18n, fields.title)}</label>
            <input id="title" name="title" type="text" required maxlength="200" value=kept_or("title", input.title.clone()) />
        </div>
        <div class="field">
            <label for="summary">{t!(i18n, fields.summary)}</label>
            <textarea id="summary" name="summary" rows="3" maxlength="1000">{kept_or("summary", input.summary.clone()).get_untracked()}</textarea>
        </div>
        <crate::ui::islands::MarkdownEditor body preview words=editor_words />
        <fieldset class="field themes">
            <legend>{t!(i18n, fields.themes)}</legend>
            {Theme::ALL.iter().enumerate().map(|(i, t)| {
                let id = format!("theme-{}", t.key());
                view! {
                    <label class="check" for=id.clone()>
                        <input type="checkbox" id=id.clone() name=format!("themes[{i}]") value=t.key() checked=themes_kept.contains(t) />
                        " " {theme_label(i18n, t.name())}
                    </label>
                }
            }).collect_view()}
        </fieldset>
        <div class="field">
            <label for="municipalities">{t!(i18n, fields.municipalities)}</label>
            <input id="municipalities" name="municipalities" type="text" maxlength="2000" aria-describedby="municipalities-hint"
                value=kept_or("municipalities", input.municipalities.join(", ")) />
            <p class="hint" id="municipalities-hint">{t!(i18n, library.municipalities_hint)}</p>
        </div>
        <div class="field">
            <label for="organisation">{t!(i18n, fields.organisation)}</label>
            <input id="organisation" name="organisation" type="text" maxlength="200" value=kept_or("organisation", input.organisation.clone()) />
        </div>
        <div class="field">
            <label for="contact">{t!(i18n, fields.contact)}</label>
            <input id="contact" name="contact" type="text" maxlength="300" value=kept_or("contact", input.contact.clone()) />
        </div>
        <fieldset class="field">
            <legend>{t!(i18n, library.visibility)}</legend>
            <label class="check"><input type="radio" name="visibility" value="public" checked=public /> " " {t!(i18n, library.public)}</label>
            <label class="check"><input type="radio" name="visibility" value="network" checked=!public /> " " {t!(i18n, library.network_only)}</label>
        </fieldset>
    }
}

/// `/library/new`.
#[component]
pub fn NewPracticePage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| super::practice_editor(None));
    let create = ServerAction::<super::CreatePractice>::new();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, library.new_practice).to_string()) />
        <RequireUser children=move |_me| view! {
            <section class="page">
                <p><A href="/library">{t!(i18n, nav.library)}</A></p>
                <h1>{t!(i18n, library.new_practice)}</h1>
                <Suspense fallback=|| ()>
                    {move || data.get().map(|r| match r {
                        Ok(e) => view! {
                            <ActionForm action=create attr:class="stack wide" attr:novalidate=true>
                                <ActionError action=create />
                                <PracticeFields input=e.input.clone() preview=e.preview_html.clone() networks=e.networks.clone() new=true />
                                <p><button type="submit" class="button primary">{t!(i18n, library.publish)}</button></p>
                            </ActionForm>
                        }.into_any(),
                        Err(err) => failed(err),
                    })}
                </Suspense>
            </section>
        } />
    }
}

/// `/library/:slug/edit`.
#[component]
pub fn EditPracticePage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let data = Resource::new(move || slug.get(), |s| super::practice_editor(Some(s)));
    let update = ServerAction::<super::UpdatePractice>::new();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, library.edit_title).to_string()) />
        <RequireUser children=move |_me| view! {
            <section class="page">
                <Suspense fallback=|| ()>
                    {move || data.get().map(|r| match r {
                        Ok(e) => {
                            let slug = e.slug.clone().unwrap_or_default();
                            view! {
                                <p><A href=format!("/library/{slug}")>{t!(i18n, library.back)}</A></p>
                                <h1>{t!(i18n, library.edit_title)}</h1>
                                {(e.draft && e.from_case).then(|| view! { <p class="alert warn" role="note">{t!(i18n, library.promoted_hint)}</p> })}
                                <ActionForm action=update attr:class="stack wide" attr:novalidate=true>
                                    <ActionError action=update />
                                    <input type="hidden" name="slug" value=slug.clone() />
                                    <PracticeFields input=e.input.clone() preview=e.preview_html.clone() networks=Vec::new() new=false />
                                    <div class="row">
                                        {if e.draft {
                                            view! {
                                                <button type="submit" class="button">{t!(i18n, library.save)}</button>
                                                <button type="submit" name="publish" value="on" class="button primary">{t!(i18n, library.publish)}</button>
                                            }.into_any()
                                        } else {
                                            view! { <button type="submit" class="button primary">{t!(i18n, library.save)}</button> }.into_any()
                                        }}
                                    </div>
                                </ActionForm>
                            }.into_any()
                        }
                        Err(err) => failed(err),
                    })}
                </Suspense>
            </section>
        } />
    }
}

/// `/library/:slug/history?from=&to=`.
#[component]
pub fn PracticeHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let query = use_query_map();
    let range = Memo::new(move |_| {
        let q = query.read();
        (
            q.get("from").and_then(|v| v.parse::<i32>().ok()),
            q.get("to").and_then(|v| v.parse::<i32>().ok()),
        )
    });
    let data = Resource::new(
        move || (slug.get(), range.get()),
        |(s, (from, to))| super::practice_history(s, from, to),
    );
    let restore = ServerAction::<super::RestorePractice>::new();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, library.history).to_string()) />
        <section class="page">
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(h) => {
                        let slug = h.slug.clone();
                        let (from, to) = (h.from, h.to);
                        view! {
                            <p><A href=format!("/library/{slug}")>{t!(i18n, library.back)}</A></p>
                            <h1>{t!(i18n, library.history)} ": " {h.title.clone()}</h1>
                            <ActionError action=restore />
                            <h2>{t!(i18n, library.diff_title, from = move || from, to = move || to)}</h2>
                            {if from == to || h.diff.iter().all(|l| l.tag == DiffTag::Same) {
                                view! { <p class="hint">{t!(i18n, library.no_changes)}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="diff" role="region" aria-label=t_string!(i18n, library.changes).to_string() tabindex="0">
                                        {h.diff.iter().map(|l| match l.tag {
                                            DiffTag::Same => view! { <div class="same">{format!("  {}", l.text)}</div> }.into_any(),
                                            DiffTag::Added => view! { <ins class="added">{format!("+ {}", l.text)}</ins> }.into_any(),
                                            DiffTag::Removed => view! { <del class="removed">{format!("− {}", l.text)}</del> }.into_any(),
                                        }).collect_view()}
                                    </div>
                                }.into_any()
                            }}
                            <h2>{t!(i18n, library.revisions)}</h2>
                            <ol class="revisions" reversed>
                                {h.revisions.iter().map(|r| {
                                    let n = r.number;
                                    let current = n == h.current;
                                    let slug = slug.clone();
                                    view! {
                                        <li>
                                            <strong>{t!(i18n, library.version, n = move || n)}</strong>
                                            " · " {r.created_at.clone()}
                                            {r.author.clone().map(|a| view! { " · " {a} })}
                                            {(n > 1).then(|| view! { " · " <A href=format!("/library/{slug}/history?from={}&to={n}", n - 1)>{t!(i18n, library.compare)}</A> })}
                                            {(h.may_restore && !current).then(|| view! {
                                                <ActionForm action=restore attr:class="inline">
                                                    <input type="hidden" name="slug" value=slug.clone() />
                                                    <input type="hidden" name="number" value=n.to_string() />
                                                    <button type="submit" class="link-button">{t!(i18n, library.restore, n = move || n)}</button>
                                                </ActionForm>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }
                    Err(err) => failed(err),
                })}
            </Suspense>
        </section>
    }
}
