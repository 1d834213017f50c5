use leptos::prelude::*;
use leptos_router::components::A;

use super::PageTitle;
use crate::app::use_auth;
use crate::i18n::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, home.title).to_string()) />
        <Suspense fallback=|| ()>
            {move || auth.me.get().map(|me| match me {
                Ok(Some(me)) => view! {
                    <section class="page">
                        <h1>{t!(i18n, home.welcome, name = move || me.display_name.clone())}</h1>
                        <p class="lead">{t!(i18n, home.signed_in_lead)}</p>
                        <AreaCards />
                    </section>
                }.into_any(),
                _ => view! {
                    <section class="page">
                        <h1>{t!(i18n, home.title)}</h1>
                        <p class="lead">{t!(i18n, home.lead)}</p>
                        <p><A href="/sign-in" attr:class="button primary">{t!(i18n, nav.sign_in)}</A></p>
                        <AreaCards />
                    </section>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn AreaCards() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="cards">
            <li class="card"><h2><A href="/networks">{t!(i18n, nav.networks)}</A></h2><p>{t!(i18n, areas.networks)}</p></li>
            <li class="card"><h2><A href="/sessions">{t!(i18n, nav.sessions)}</A></h2><p>{t!(i18n, areas.sessions)}</p></li>
            <li class="card"><h2><A href="/cases">{t!(i18n, nav.cases)}</A></h2><p>{t!(i18n, areas.cases)}</p></li>
            <li class="card"><h2><A href="/library">{t!(i18n, nav.library)}</A></h2><p>{t!(i18n, areas.library)}</p></li>
        </ul>
    }
}
