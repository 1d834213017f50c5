//! The shell every page shares: layout, header, language switch, errors,
//! the 404 page and the home page.

pub mod form;
mod home;
pub mod islands;
pub mod markdown;

pub use home::HomePage;

use leptos::prelude::*;
use leptos_i18n::context::UseLocalesOptions;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_location;

use crate::accounts::{Me, SetLanguage, SignOut};
use crate::app::use_auth;
use crate::errors::{AppError, Field, Problem};
use crate::i18n::*;

/// Options that make leptos_i18n ignore Accept-Language: Kring is Dutch
/// until someone picks English.
pub fn no_accept_language() -> UseLocalesOptions {
    UseLocalesOptions::default().ssr_lang_header_getter(|| None)
}

/// `<title>` as "Page · Kring".
///
/// The text is read once, here: leptos_meta reads a reactive title only
/// when the response is written, and a title set inside a `Suspense` may
/// by then belong to a render that was already disposed (a panic under
/// load). Pages are server-rendered, so nothing is lost.
#[component]
pub fn PageTitle(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let text = text.try_get_untracked().unwrap_or_default();
    view! { <Title text=format!("{text} · Kring") /> }
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{t!(i18n, nav.skip)}</a>
        <Header />
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <p>{t!(i18n, footer.text)}</p>
        </footer>
    }
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    view! {
        <header class="site-header">
            <div class="bar">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"◯"</span>
                    "Kring"
                </A>
                <LanguageSwitch />
            </div>
            <nav aria-label=move || t_string!(i18n, nav.label).to_string()>
                <ul class="areas">
                    <li><A href="/networks">{t!(i18n, nav.networks)}</A></li>
                    <li><A href="/directory">{t!(i18n, nav.directory)}</A></li>
                    <li><A href="/sessions">{t!(i18n, nav.sessions)}</A></li>
                    <li><A href="/cases">{t!(i18n, nav.cases)}</A></li>
                    <li><A href="/library">{t!(i18n, nav.library)}</A></li>
                </ul>
            </nav>
            <div class="who">
                <Transition fallback=|| ()>
                    {move || {
                        auth.me
                            .get()
                            .map(|me| match me {
                                Ok(Some(me)) => view! { <SignedIn me /> }.into_any(),
                                _ => view! { <A href="/sign-in" attr:class="button">{t!(i18n, nav.sign_in)}</A> }.into_any(),
                            })
                    }}
                </Transition>
            </div>
        </header>
    }
}

#[component]
fn SignedIn(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let sign_out = ServerAction::<SignOut>::new();
    let demo = me.is_demo;
    view! {
        <A href="/account" attr:class="who-name" attr:data-testid="who">
            {me.display_name}
        </A>
        {demo.then(|| view! { <span class="badge" title=move || t_string!(i18n, account.demo_hint).to_string()>{t!(i18n, account.demo)}</span> })}
        <ActionForm action=sign_out attr:class="inline">
            <button type="submit" class="link-button">{t!(i18n, nav.sign_out)}</button>
        </ActionForm>
    }
}

/// Two buttons in a plain form: works without JavaScript and reloads the
/// page in the chosen language.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{}", location.pathname.get(), search)
        }
    };
    let current = move || i18n.get_locale();
    view! {
        <form method="post" action={<SetLanguage as leptos::server_fn::ServerFn>::PATH} class="lang-switch">
            <input type="hidden" name="next" value=here />
            <span class="visually-hidden" id="lang-label">{t!(i18n, nav.language)}</span>
            <button type="submit" name="lang" value="nl" lang="nl"
                aria-pressed=move || (current() == Locale::nl).to_string()
                aria-describedby="lang-label">"NL"</button>
            <button type="submit" name="lang" value="en" lang="en"
                aria-pressed=move || (current() == Locale::en).to_string()
                aria-describedby="lang-label">"EN"</button>
        </form>
    }
}

/// A real 404: the status code and a helpful page.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, not_found.title).to_string()) />
        <section class="page narrow">
            <h1>{t!(i18n, not_found.title)}</h1>
            <p>{t!(i18n, not_found.text)}</p>
            <p><A href="/">{t!(i18n, not_found.home)}</A></p>
        </section>
    }
}

/// A page's failure: the 404 page for what is missing (or not theirs),
/// else the translated error.
pub fn failed(err: AppError) -> AnyView {
    match err {
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        err => view! { <section class="page"><div class="alert error" role="alert"><ErrorText err /></div></section> }.into_any(),
    }
}

/// Renders its children for a signed-in person, else sends them to sign in
/// (and back here afterwards).
#[component]
pub fn RequireUser<F, V>(children: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    let location = use_location();
    let children = std::sync::Arc::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let children = children.clone();
                auth.me.get().map(move |me| match me {
                    Ok(Some(me)) => children(me).into_any(),
                    _ => {
                        let next = location.pathname.get_untracked();
                        view! { <Redirect path=format!("/sign-in?next={}", urlencode(&next)) /> }.into_any()
                    }
                })
            }}
        </Suspense>
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One translated sentence for an error.
#[component]
pub fn ErrorText(err: AppError) -> impl IntoView {
    let i18n = use_i18n();
    match err {
        AppError::NotSignedIn => t!(i18n, errors.not_signed_in).into_any(),
        AppError::NotFound => t!(i18n, errors.not_found).into_any(),
        AppError::WrongCredentials => t!(i18n, errors.wrong_credentials).into_any(),
        AppError::Throttled { minutes } => t!(i18n, errors.throttled, minutes = move || minutes).into_any(),
        AppError::EmailTaken => t!(i18n, errors.email_taken).into_any(),
        AppError::SlugTaken => t!(i18n, errors.slug_taken).into_any(),
        AppError::NameTaken => t!(i18n, errors.name_taken).into_any(),
        AppError::AlreadyMember => t!(i18n, errors.already_member).into_any(),
        AppError::InvitationExpired => t!(i18n, errors.invitation_expired).into_any(),
        AppError::InvitationUsed => t!(i18n, errors.invitation_used).into_any(),
        AppError::AlreadyInvited => t!(i18n, errors.already_invited).into_any(),
        AppError::AlreadyRequested => t!(i18n, errors.already_requested).into_any(),
        AppError::InviteOnly => t!(i18n, errors.invite_only).into_any(),
        AppError::LastFacilitator => t!(i18n, errors.last_facilitator).into_any(),
        AppError::SoleFacilitator => t!(i18n, errors.sole_facilitator).into_any(),
        AppError::WrongCode => t!(i18n, errors.wrong_code).into_any(),
        AppError::SecondStepExpired => t!(i18n, errors.second_step_expired).into_any(),
        AppError::TwoFactorAlreadyOn => t!(i18n, errors.two_factor_already_on).into_any(),
        AppError::TwoFactorRequired => t!(i18n, errors.two_factor_required).into_any(),
        AppError::UnknownMunicipality(name) => {
            t!(i18n, errors.unknown_municipality, name = move || name.clone()).into_any()
        }
        AppError::EndBeforeStart => t!(i18n, errors.end_before_start).into_any(),
        AppError::SeriesTooLong { years } => {
            t!(i18n, errors.series_too_long, years = move || years).into_any()
        }
        AppError::NoMeetings => t!(i18n, errors.no_meetings).into_any(),
        AppError::UnknownTimeZone(zone) => {
            t!(i18n, errors.unknown_time_zone, zone = move || zone.clone()).into_any()
        }
        AppError::NotHttpLink => t!(i18n, errors.not_http_link).into_any(),
        AppError::CapacityOutOfRange { max } => t!(i18n, errors.capacity_range, max = move || max).into_any(),
        AppError::SessionCancelled => t!(i18n, errors.session_cancelled).into_any(),
        AppError::SessionOver => t!(i18n, errors.session_over).into_any(),
        AppError::CaseUnresolved { count } => {
            t!(i18n, errors.case_unresolved, count = move || count).into_any()
        }
        AppError::PhaseNotOpen => t!(i18n, errors.phase_not_open).into_any(),
        AppError::CaseClosed => t!(i18n, errors.case_closed).into_any(),
        AppError::CaseNotClosed => t!(i18n, errors.case_not_closed).into_any(),
        AppError::ConfidentialityRequired => t!(i18n, errors.confidentiality_required).into_any(),
        AppError::CrossSite => t!(i18n, errors.cross_site).into_any(),
        AppError::LastSignInMethod => t!(i18n, errors.last_sign_in_method).into_any(),
        AppError::ConfirmWithProvider => t!(i18n, errors.confirm_with_provider).into_any(),
        AppError::HasPassword => t!(i18n, errors.has_password).into_any(),
        AppError::Sso(e) => view! { <crate::accounts::SsoErrorText err=e /> }.into_any(),
        AppError::RateLimited { seconds } => {
            t!(i18n, errors.rate_limited, seconds = move || seconds).into_any()
        }
        AppError::Internal => t!(i18n, errors.internal).into_any(),
        AppError::BadRequest(_) => t!(i18n, errors.bad_request).into_any(),
        AppError::Request(_) => t!(i18n, errors.request).into_any(),
        AppError::Invalid { field, problem } => {
            let field_name = match field {
                Field::Email => t_string!(i18n, fields.email),
                Field::DisplayName => t_string!(i18n, fields.display_name),
                Field::Password => t_string!(i18n, fields.password),
                Field::CurrentPassword => t_string!(i18n, fields.current_password),
                Field::NewPassword => t_string!(i18n, fields.new_password),
                Field::Language => t_string!(i18n, fields.language),
                Field::Slug => t_string!(i18n, fields.slug),
                Field::NetworkName => t_string!(i18n, fields.network_name),
                Field::Description => t_string!(i18n, fields.description),
                Field::JoinPolicy => t_string!(i18n, fields.join_policy),
                Field::NetworkKind => t_string!(i18n, fields.network_kind),
                Field::Role => t_string!(i18n, fields.role),
                Field::Message => t_string!(i18n, fields.message),
                Field::Municipalities => t_string!(i18n, fields.municipalities),
                Field::Organisations => t_string!(i18n, fields.organisations),
                Field::Place => t_string!(i18n, fields.place),
                Field::Title => t_string!(i18n, fields.title),
                Field::SessionKind => t_string!(i18n, fields.session_kind),
                Field::Day => t_string!(i18n, fields.day),
                Field::StartTime => t_string!(i18n, fields.start_time),
                Field::EndTime => t_string!(i18n, fields.end_time),
                Field::TimeZone => t_string!(i18n, fields.time_zone),
                Field::OnlineLink => t_string!(i18n, fields.online_link),
                Field::Capacity => t_string!(i18n, fields.capacity),
                Field::Agenda => t_string!(i18n, fields.agenda),
                Field::Method => t_string!(i18n, fields.method),
                Field::Repeat => t_string!(i18n, fields.repeat),
                Field::LastDay => t_string!(i18n, fields.last_day),
                Field::Exceptions => t_string!(i18n, fields.exceptions),
                Field::Minutes => t_string!(i18n, fields.minutes),
                Field::PhaseName => t_string!(i18n, fields.phase_name),
                Field::PhaseMinutes => t_string!(i18n, fields.phase_minutes),
                Field::Contributors => t_string!(i18n, fields.contributors),
                Field::Guidance => t_string!(i18n, fields.guidance),
                Field::CaseText => t_string!(i18n, fields.case_text),
                Field::Session => t_string!(i18n, fields.session),
                Field::Retention => t_string!(i18n, fields.retention),
                Field::Statement => t_string!(i18n, fields.statement),
                Field::Label => t_string!(i18n, fields.label),
                Field::Summary => t_string!(i18n, fields.summary),
                Field::Body => t_string!(i18n, fields.body),
                Field::Themes => t_string!(i18n, fields.themes),
                Field::Organisation => t_string!(i18n, fields.organisation),
                Field::Contact => t_string!(i18n, fields.contact),
                Field::Reflection => t_string!(i18n, fields.reflection),
            }
            .to_string();
            match problem {
                Problem::Empty => t!(i18n, errors.empty, field = move || field_name.clone()).into_any(),
                Problem::TooShort { min } => t!(
                    i18n,
                    errors.too_short,
                    field = move || field_name.clone(),
                    min = move || min
                )
                .into_any(),
                Problem::TooLong { max } => t!(
                    i18n,
                    errors.too_long,
                    field = move || field_name.clone(),
                    max = move || max
                )
                .into_any(),
                Problem::Malformed => {
                    t!(i18n, errors.malformed, field = move || field_name.clone()).into_any()
                }
                Problem::Mismatch => t!(i18n, errors.mismatch).into_any(),
            }
        }
    }
}

/// The error of the last submission of `action`, as an alert.
#[component]
pub fn ActionError<S>(action: ServerAction<S>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + Clone + 'static,
{
    move || {
        action.value().get().and_then(|r| r.err()).map(|err| {
            view! {
                <div class="alert error" role="alert">
                    <ErrorText err />
                </div>
            }
        })
    }
}

/// A page for an area that the next releases fill in.
#[component]
pub fn ComingSoon(title: Signal<String>, text: Signal<String>) -> impl IntoView {
    view! {
        <PageTitle text=title />
        <section class="page">
            <h1>{move || title.get()}</h1>
            <p class="lead">{move || text.get()}</p>
        </section>
    }
}
