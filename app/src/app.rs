//! The application root: HTML shell, i18n, the signed-in person, routes.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::accounts::{self, Me};
use crate::errors::AppError;
use crate::i18n::*;
use crate::ui::{Layout, NotFound};
use crate::{cases, library, networks, search, sessions, ui};

/// The HTML document around the app (server side only renders it).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
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

/// The page's Content-Security-Policy: scripts only from Kring itself or
/// inline with this response's nonce (leptos_axum makes one per response and
/// puts it on the hydration and island scripts), no plugins, no `<base>`,
/// no framing, forms only to Kring. Styles come only from the stylesheet
/// (no inline `style`); practice images may come from other https sites.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        tracing::error!("no nonce or response options: the page goes out with the fallback policy");
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&content_security_policy(&nonce)) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Who is signed in. Provided once, so the header and every page of a
/// request read the same resource (one lookup per page).
#[derive(Clone, Copy)]
pub struct Auth {
    pub me: Resource<Result<Option<Me>, AppError>>,
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // Dutch unless the person chose otherwise (cookie or profile); the
        // browser's Accept-Language is deliberately not consulted.
        <I18nContextProvider ssr_lang_header_getter=ui::no_accept_language() cookie_name=locale_cookie()>
            <Stylesheet id="kring" href="/pkg/kring.css" />
            <Router>
                <WithAuth>
                    <Layout>
                        <Routes fallback=|| view! { <NotFound /> }>
                            <Route path=path!("/") view=ui::HomePage ssr=SsrMode::Async />
                            <Route path=path!("/sign-in") view=accounts::SignInPage ssr=SsrMode::Async />
                            <Route path=path!("/account") view=accounts::AccountPage ssr=SsrMode::Async />
                            <Route path=path!("/account/delete") view=accounts::DeleteAccountPage ssr=SsrMode::Async />
                            <Route path=path!("/account/two-factor") view=accounts::TwoFactorPage ssr=SsrMode::Async />
                            <Route path=path!("/sign-in/code") view=accounts::SignInCodePage ssr=SsrMode::Async />
                            <Route path=path!("/sign-in/link") view=accounts::SsoLinkPage ssr=SsrMode::Async />
                            <Route path=path!("/signed-out") view=accounts::SignedOutPage ssr=SsrMode::Async />
                            <Route path=path!("/account/deleted") view=accounts::AccountDeletedPage />
                            <Route path=path!("/admin/audit") view=crate::audit::AuditLogPage ssr=SsrMode::Async />
                            <Route path=path!("/networks") view=networks::NetworksPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/new") view=networks::NewNetworkPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug") view=networks::NetworkPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/members") view=networks::NetworkMembersPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/members/:user") view=networks::MemberPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/manage") view=networks::ManageNetworkPage ssr=SsrMode::Async />
                            <Route path=path!("/invite/:token") view=networks::InvitationPage ssr=SsrMode::Async />
                            <Route path=path!("/directory") view=networks::DirectoryPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/sessions") view=sessions::NetworkSessionsPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/sessions/new") view=sessions::NewSessionPage ssr=SsrMode::Async />
                            <Route path=path!("/sessions") view=sessions::SessionsPage ssr=SsrMode::Async />
                            <Route path=path!("/sessions/hours") view=sessions::HoursPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/methods") view=sessions::MethodsPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/methods/:id") view=sessions::EditMethodPage ssr=SsrMode::Async />
                            <Route path=path!("/sessions/:id") view=sessions::SessionPage ssr=SsrMode::Async />
                            <Route path=path!("/sessions/:id/edit") view=sessions::EditSessionPage ssr=SsrMode::Async />
                            <Route path=path!("/cases") view=cases::CasesPage ssr=SsrMode::Async />
                            <Route path=path!("/cases/:id") view=cases::CasePage ssr=SsrMode::Async />
                            <Route path=path!("/cases/:id/edit") view=cases::CaseEditPage ssr=SsrMode::Async />
                            <Route path=path!("/cases/:id/history") view=cases::CaseHistoryPage ssr=SsrMode::Async />
                            <Route path=path!("/cases/:id/report") view=cases::CaseReportPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/cases") view=cases::NetworkCasesPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/cases/new") view=cases::NewCasePage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/cases/review") view=cases::CaseReviewPage ssr=SsrMode::Async />
                            <Route path=path!("/networks/:slug/cases/audit") view=cases::CaseAuditPage ssr=SsrMode::Async />
                            <Route path=path!("/library") view=library::LibraryPage ssr=SsrMode::Async />
                            <Route path=path!("/library/new") view=library::NewPracticePage ssr=SsrMode::Async />
                            <Route path=path!("/library/:slug") view=library::PracticePage ssr=SsrMode::Async />
                            <Route path=path!("/library/:slug/edit") view=library::EditPracticePage ssr=SsrMode::Async />
                            <Route path=path!("/library/:slug/history") view=library::PracticeHistoryPage ssr=SsrMode::Async />
                            <Route path=path!("/search") view=search::SearchPage ssr=SsrMode::Async />
                        </Routes>
                    </Layout>
                </WithAuth>
            </Router>
        </I18nContextProvider>
    }
}

/// The language cookie's name (the app root only renders on the server).
fn locale_cookie() -> &'static str {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<crate::state::AppState>() {
        return state.settings.locale_cookie();
    }
    "kring_lang"
}

/// Provides [`Auth`]. Pages are plain HTML posts (islands mode), so the
/// resource never needs refetching within a page.
#[component]
fn WithAuth(children: Children) -> impl IntoView {
    let me = Resource::new(|| (), |_| accounts::get_me());
    provide_context(Auth { me });
    children()
}
