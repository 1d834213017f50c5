//! Islands: the only components that run in the browser. They take their
//! words as props, translated on the server, so the wasm bundle carries no
//! translation tables. Each one improves a page that already works without
//! JavaScript.

use leptos::prelude::*;

/// Marks the page as hydrated (tests wait for it) once an island runs.
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// A "show password" button for the input with id `input`. Hidden until
/// the island runs, since without JavaScript it could do nothing.
#[island]
pub fn RevealPassword(input: String, show: String, hide: String) -> impl IntoView {
    mark_hydrated();
    let (ready, set_ready) = signal(false);
    let (visible, set_visible) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    let toggle = {
        let input = input.clone();
        move |_| {
            let now_visible = !visible.get_untracked();
            if let Some(el) = document().get_element_by_id(&input) {
                let _ = el.set_attribute("type", if now_visible { "text" } else { "password" });
            }
            set_visible.set(now_visible);
        }
    };
    view! {
        <button
            type="button"
            class="link-button reveal"
            hidden=move || !ready.get()
            aria-controls=input
            aria-pressed=move || visible.get().to_string()
            on:click=toggle
        >
            {move || if visible.get() { hide.clone() } else { show.clone() }}
        </button>
    }
}

/// Live mode of a session: the current phase (name, guidance) and a timer.
/// With JavaScript it polls the session's live state every few seconds and
/// swaps the phase in place when the facilitator moves on; without, the
/// server-rendered phase is shown and a reload brings the next one.
/// `phases` holds (name, guidance, minutes) and `labels` the translated
/// "phase n of m" line per phase.
#[island]
pub fn LivePhase(
    session_id: i64,
    phase: Option<u32>,
    elapsed: i64,
    phases: Vec<(String, String, u32)>,
    labels: Vec<String>,
) -> impl IntoView {
    mark_hydrated();
    let (current, set_current) = signal(phase);
    let (seconds, set_seconds) = signal(elapsed);
    Effect::new(move |_| {
        let _ = set_interval_with_handle(
            move || set_seconds.update(|s| *s += 1),
            std::time::Duration::from_secs(1),
        );
        let _ = set_interval_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    if let Ok(state) = crate::sessions::live_state(session_id).await
                        && state.phase != current.get_untracked()
                    {
                        set_current.set(state.phase);
                        set_seconds.set(state.elapsed_seconds);
                    }
                });
            },
            std::time::Duration::from_secs(3),
        );
    });
    let clock = |s: i64| format!("{:02}:{:02}", s / 60, s % 60);
    let shown = {
        let phases = phases.clone();
        move || {
            current
                .get()
                .and_then(|p| phases.get(p as usize).cloned().map(|ph| (p, ph)))
        }
    };
    let minutes = {
        let phases = phases.clone();
        move || {
            current
                .get()
                .and_then(|p| phases.get(p as usize))
                .map(|(_, _, m)| i64::from(*m))
                .unwrap_or(0)
        }
    };
    view! {
        <div class="card live" role="status" hidden=move || current.get().is_none()>
            {move || shown().map(|(p, (name, guidance, _))| view! {
                <p class="hint">{labels.get(p as usize).cloned().unwrap_or_default()}</p>
                <h3>{name}</h3>
                <p>{guidance}</p>
            })}
        </div>
        <p class="timer" role="timer" hidden=move || current.get().is_none()>
            {move || clock(seconds.get())}
            {move || (minutes() > 0).then(|| format!(" / {}", clock(minutes() * 60)))}
        </p>
    }
}

/// Waits `ms` after the last call before running `f` (typing pauses).
/// The timer handle is stored only in the browser: on the server the island
/// renders on any worker thread, and a thread-local value owned by the page
/// panicked when the page's owner was cleaned up on another thread, which
/// cut responses off.
fn debounced(ms: u64) -> impl Fn(Box<dyn FnOnce() + 'static>) + Clone {
    let pending: Option<StoredValue<Option<TimeoutHandle>, LocalStorage>> =
        cfg!(feature = "hydrate").then(|| StoredValue::new_local(None));
    move |f: Box<dyn FnOnce() + 'static>| {
        let Some(pending) = pending else { return };
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(f, std::time::Duration::from_millis(ms)).ok();
        pending.set_value(handle);
    }
}

/// The case editor's text with the anonymiser's findings highlighted. The
/// server renders both (after "save and check"); with JavaScript the text
/// is autosaved and checked again whenever typing pauses. `words`: saved,
/// checking, failed, the field label, "findings without a decision".
#[island]
pub fn CaseEditorLive(
    case_id: i64,
    body: String,
    marked: String,
    unresolved: u32,
    words: Vec<String>,
) -> impl IntoView {
    mark_hydrated();
    let word = move |i: usize| words.get(i).cloned().unwrap_or_default();
    let (marked, set_marked) = signal(marked);
    let (open, set_open) = signal(unresolved);
    let (state, set_state) = signal(String::new());
    let later = debounced(700);
    let (saved, checking, failed) = (word(0), word(1), word(2));
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        set_state.set(checking.clone());
        let (saved, failed) = (saved.clone(), failed.clone());
        later(Box::new(move || {
            let title = document()
                .get_element_by_id("title")
                .and_then(|el| wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlInputElement>(el).ok())
                .map(|el| el.value())
                .unwrap_or_default();
            leptos::task::spawn_local(async move {
                match crate::cases::live_check(case_id, title, text).await {
                    Ok(check) => {
                        set_marked.set(check.marked_html);
                        set_open.set(check.unresolved);
                        set_state.set(saved);
                    }
                    Err(_) => set_state.set(failed),
                }
            });
        }));
    };
    view! {
        <div class="field">
            <label for="body">{word(3)}</label>
            <textarea id="body" name="body" rows="16" maxlength="20000" aria-describedby="body-marked-title" on:input=on_input>{body}</textarea>
            <p class="hint" role="status">{move || state.get()}</p>
        </div>
        <div class="card marked-wrap">
            <p id="body-marked-title" class="hint">
                {word(4)} " " <strong>{move || open.get()}</strong>
            </p>
            <div class="marked" inner_html=move || marked.get()></div>
        </div>
    }
}

/// The reply box, autosaved as a draft (with JavaScript) while typing.
/// `words`: saved, the field label.
#[island]
pub fn ReplyAutosave(case_id: i64, body: String, words: Vec<String>) -> impl IntoView {
    mark_hydrated();
    let word = move |i: usize| words.get(i).cloned().unwrap_or_default();
    let (state, set_state) = signal(String::new());
    let later = debounced(1500);
    let saved = word(0);
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let saved = saved.clone();
        later(Box::new(move || {
            leptos::task::spawn_local(async move {
                if crate::cases::autosave_reply(case_id, text).await.is_ok() {
                    set_state.set(saved);
                }
            });
        }));
    };
    view! {
        <div class="field">
            <label for="reply-body">{word(1)}</label>
            <textarea id="reply-body" name="body" rows="6" maxlength="10000" on:input=on_input>{body}</textarea>
            <p class="hint" role="status">{move || state.get()}</p>
        </div>
    }
}

/// One search result as the search island shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LiveHit {
    pub href: String,
    pub title: String,
    /// Escaped text with the matches in `<b>` (built by the server).
    pub snippet: String,
    pub badge: String,
}

/// The search form and its results. Without JavaScript it is a plain GET
/// form and the server's results; with it, the results follow the typing
/// (after a short pause), through the same JSON endpoint. `filters` are
/// the (name, value) pairs kept as hidden fields. `words`: label,
/// placeholder, submit, "{n} results" (with `{n}`), nothing found, the
/// relaxed-results note, the practice badge, the case badge.
#[island]
pub fn SearchAsYouType(
    action: String,
    kind: String,
    q: String,
    filters: Vec<(String, String)>,
    hits: Vec<LiveHit>,
    total: u64,
    relaxed: bool,
    words: Vec<String>,
) -> impl IntoView {
    mark_hydrated();
    let word = move |i: usize| words.get(i).cloned().unwrap_or_default();
    let (hits, set_hits) = signal(hits);
    let (total, set_total) = signal(total);
    let (relaxed, set_relaxed) = signal(relaxed);
    let later = debounced(250);
    let filter_value = {
        let filters = filters.clone();
        move |name: &str| {
            filters
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        }
    };
    let (practice_badge, case_badge) = (word(6), word(7));
    let on_input = {
        let kind = kind.clone();
        move |ev: leptos::ev::Event| {
            let text = event_target_value(&ev);
            let (theme, municipality, organisation) = (
                filter_value("theme"),
                filter_value("municipality"),
                filter_value("organisation"),
            );
            let kind = kind.clone();
            let (practice_badge, case_badge) = (practice_badge.clone(), case_badge.clone());
            later(Box::new(move || {
                leptos::task::spawn_local(async move {
                    if let Ok(r) =
                        crate::search::search(text, theme, municipality, organisation, kind, 1, 0).await
                    {
                        set_total.set(r.total);
                        set_relaxed.set(r.relaxed);
                        set_hits.set(
                            r.results
                                .into_iter()
                                .map(|h| LiveHit {
                                    href: crate::search::hit_href(h.kind, &h.slug),
                                    title: h.title,
                                    snippet: h.snippet,
                                    badge: match h.kind {
                                        crate::search::HitKind::Practice => practice_badge.clone(),
                                        crate::search::HitKind::Case => case_badge.clone(),
                                    },
                                })
                                .collect(),
                        );
                    }
                });
            }));
        }
    };
    let count_template = word(3);
    let none = word(4);
    let relaxed_text = word(5);
    view! {
        <form method="get" action=action role="search" class="search-form">
            <label for="q">{word(0)}</label>
            <div class="search-row">
                <input id="q" name="q" type="search" value=q placeholder=word(1) maxlength="2000"
                    autocomplete="off" on:input=on_input />
                {filters.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! {
                    <input type="hidden" name=k value=v />
                }).collect_view()}
                <button type="submit" class="button primary">{word(2)}</button>
            </div>
        </form>
        <p class="hint" role="status" aria-live="polite" data-testid="result-count">
            {move || if total.get() == 0 { none.clone() } else { count_template.replace("{n}", &total.get().to_string()) }}
        </p>
        <p class="hint" hidden=move || !relaxed.get()>{relaxed_text}</p>
        <ol class="results">
            {move || hits.get().into_iter().map(|h| view! {
                <li class="result">
                    <h2><a href=h.href>{h.title}</a> " " <span class="badge">{h.badge}</span></h2>
                    <p class="snippet" inner_html=h.snippet></p>
                </li>
            }).collect_view()}
        </ol>
    }
}

/// The practice editor's text with a live preview: the server renders
/// the preview (the one Markdown path) whenever typing pauses. Without
/// JavaScript the preview shows the last saved text. `words`: the field
/// label, the preview heading, the Markdown hint.
#[island]
pub fn MarkdownEditor(body: String, preview: String, words: Vec<String>) -> impl IntoView {
    mark_hydrated();
    let word = move |i: usize| words.get(i).cloned().unwrap_or_default();
    let (preview, set_preview) = signal(preview);
    let later = debounced(500);
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        later(Box::new(move || {
            leptos::task::spawn_local(async move {
                if let Ok(html) = crate::library::preview_markdown(text).await {
                    set_preview.set(html);
                }
            });
        }));
    };
    view! {
        <div class="field">
            <label for="body">{word(0)}</label>
            <textarea id="body" name="body" rows="18" maxlength="20000" aria-describedby="body-hint" on:input=on_input>{body}</textarea>
            <p class="hint" id="body-hint">{word(2)}</p>
        </div>
        <section class="card preview" aria-labelledby="preview-title">
            <h2 id="preview-title">{word(1)}</h2>
            <div class="markdown" data-testid="preview" inner_html=move || preview.get()></div>
        </section>
    }
}
