//! The sessions area. This release shows what will come; the pages, server
//! functions and (under `ssr`) the domain of this area live here.

use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::ComingSoon;

#[component]
pub fn SessionsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ComingSoon
            title=Signal::derive(move || t_string!(i18n, nav.sessions).to_string())
            text=Signal::derive(move || t_string!(i18n, areas.sessions_soon).to_string())
        />
    }
}
