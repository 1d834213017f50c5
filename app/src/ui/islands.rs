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
