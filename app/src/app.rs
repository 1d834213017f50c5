//! The application root: HTML shell, i18n, the signed-in person, routes.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::accounts::{self, Me, SignIn, SignOut};
use crate::errors::AppError;
use crate::i18n::*;
use crate::ui::{Layout, NotFound};
use crate::{cases, library, networks, sessions, ui};

/// The HTML document around the app (server side only renders it).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Who is signed in, and the two actions that change it. Provided once at
/// the root so the header and every page read the same resource.
#[derive(Clone, Copy)]
pub struct Auth {
    pub me: Resource<Result<Option<Me>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let me = Resource::new(
        move || (sign_in.version().get(), sign_out.version().get()),
        |_| accounts::get_me(),
    );
    provide_context(Auth { me, sign_in, sign_out });

    view! {
        // Dutch unless the person chose otherwise (cookie or profile); the
        // browser's Accept-Language is deliberately not consulted.
        <I18nContextProvider ssr_lang_header_getter=ui::no_accept_language()>
            <Stylesheet id="kring" href="/pkg/kring.css" />
            <Router>
                <Layout>
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("/") view=ui::HomePage ssr=SsrMode::Async />
                        <Route path=path!("/sign-in") view=accounts::SignInPage ssr=SsrMode::Async />
                        <Route path=path!("/account") view=accounts::AccountPage ssr=SsrMode::Async />
                        <Route path=path!("/networks") view=networks::NetworksPage ssr=SsrMode::Async />
                        <Route path=path!("/sessions") view=sessions::SessionsPage ssr=SsrMode::Async />
                        <Route path=path!("/cases") view=cases::CasesPage ssr=SsrMode::Async />
                        <Route path=path!("/library") view=library::LibraryPage ssr=SsrMode::Async />
                    </Routes>
                </Layout>
            </Router>
        </I18nContextProvider>
    }
}
