//! The search page (`/search`: practices and, for their members, cases)
//! and the view the library's page shares: a plain GET form that works
//! without JavaScript, facets with counts as links, results with
//! highlighted snippets; with JavaScript the results follow the typing.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use super::{FacetCount, HitKind, SearchResults};
use crate::i18n::*;
use crate::library::Theme;
use crate::ui::islands::{LiveHit, SearchAsYouType};
use crate::ui::{PageTitle, failed, urlencode};

/// The translated name of a theme (by its Dutch name or key).
pub fn theme_label(i18n: leptos_i18n::I18nContext<Locale>, theme: &str) -> String {
    let Some(t) = Theme::parse(theme) else {
        return theme.to_owned();
    };
    match t {
        Theme::Huisvesting => t_string!(i18n, themes.huisvesting),
        Theme::Inkomen => t_string!(i18n, themes.inkomen),
        Theme::Werk => t_string!(i18n, themes.werk),
        Theme::Onderwijs => t_string!(i18n, themes.onderwijs),
        Theme::Gezondheid => t_string!(i18n, themes.gezondheid),
        Theme::SociaalNetwerk => t_string!(i18n, themes.sociaal_netwerk),
        Theme::VrijeTijd => t_string!(i18n, themes.vrije_tijd),
        Theme::Opvoeding => t_string!(i18n, themes.opvoeding),
        Theme::Kinderopvang => t_string!(i18n, themes.kinderopvang),
        Theme::Mobiliteit => t_string!(i18n, themes.mobiliteit),
        Theme::DigitaleInclusie => t_string!(i18n, themes.digitale_inclusie),
        Theme::Veiligheid => t_string!(i18n, themes.veiligheid),
        Theme::Juridisch => t_string!(i18n, themes.juridisch),
        Theme::Administratie => t_string!(i18n, themes.administratie),
    }
    .to_string()
}

/// Where a hit leads.
pub fn hit_href(kind: HitKind, slug: &str) -> String {
    match kind {
        HitKind::Practice => format!("/library/{slug}"),
        HitKind::Case => format!("/cases/{slug}"),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Params {
    q: String,
    theme: String,
    municipality: String,
    organisation: String,
    page: usize,
}

/// A link to this page with one parameter changed (and page 1).
fn with(path: &str, p: &Params, key: &str, value: &str) -> String {
    let mut pairs: Vec<(&str, String)> = vec![
        ("q", p.q.clone()),
        ("theme", p.theme.clone()),
        ("municipality", p.municipality.clone()),
        ("organisation", p.organisation.clone()),
    ];
    for pair in pairs.iter_mut() {
        if pair.0 == key {
            pair.1 = value.to_owned();
        }
    }
    let mut query: Vec<String> = pairs
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(&v)))
        .collect();
    if key == "page" {
        query.push(format!("page={value}"));
    }
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// The search form, facets and results. `kind`: "practice" for the library,
/// "" for everything the person may read.
#[component]
pub fn SearchView(kind: &'static str) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let params = Memo::new(move |_| {
        let q = query.read();
        Params {
            q: q.get("q").unwrap_or_default(),
            theme: q.get("theme").unwrap_or_default(),
            municipality: q.get("municipality").unwrap_or_default(),
            organisation: q.get("organisation").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1),
        }
    });
    let data = Resource::new(
        move || params.get(),
        move |p| {
            super::search(
                p.q,
                p.theme,
                p.municipality,
                p.organisation,
                kind.to_owned(),
                p.page,
                0,
            )
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || data.get().map(|r| match r {
                Ok(results) => {
                    let p = params.get_untracked();
                    let path = location.pathname.get_untracked();
                    view! { <Results results p path kind /> }.into_any()
                }
                Err(err) => failed(err),
            })}
        </Suspense>
    }
}

#[component]
fn Results(results: SearchResults, p: Params, path: String, kind: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let practice_word = t_string!(i18n, search.practice).to_string();
    let case_word = t_string!(i18n, search.case).to_string();
    let hits: Vec<LiveHit> = results
        .results
        .iter()
        .map(|h| LiveHit {
            href: hit_href(h.kind, &h.slug),
            title: h.title.clone(),
            snippet: h.snippet.clone(),
            badge: match h.kind {
                HitKind::Practice => practice_word.clone(),
                HitKind::Case => case_word.clone(),
            },
        })
        .collect();
    let words = vec![
        t_string!(i18n, search.label).to_string(),
        t_string!(i18n, search.placeholder).to_string(),
        t_string!(i18n, search.submit).to_string(),
        t_string!(i18n, search.count).to_string(),
        t_string!(i18n, search.none).to_string(),
        t_string!(i18n, search.relaxed).to_string(),
        practice_word.clone(),
        case_word.clone(),
    ];
    let filters = vec![
        ("theme".to_owned(), p.theme.clone()),
        ("municipality".to_owned(), p.municipality.clone()),
        ("organisation".to_owned(), p.organisation.clone()),
    ];
    let any_filter = !(p.theme.is_empty() && p.municipality.is_empty() && p.organisation.is_empty());
    let pages = results.total.div_ceil(super::PAGE_SIZE as u64) as usize;
    let page = p.page;
    let themes = results.facets.themes.clone();
    let municipalities: Vec<FacetCount> = results.facets.municipalities.iter().take(20).cloned().collect();
    let organisations: Vec<FacetCount> = results.facets.organisations.iter().take(12).cloned().collect();
    let facet_list = {
        let path = path.clone();
        let p = p.clone();
        // Municipalities and organisations (themes have their own list).
        move |key: &'static str, values: Vec<FacetCount>| {
            let path = path.clone();
            let p = p.clone();
            view! {
                <ul class="facets">
                    {values.into_iter().map(|f| {
                        let selected = if key == "municipality" { p.municipality == f.value } else { p.organisation == f.value };
                        let href = with(&path, &p, key, if selected { "" } else { &f.value });
                        view! {
                            <li>
                                <a href=href aria-current=selected.then_some("true")>
                                    {f.value.clone()} " " <span class="count">"(" {f.count} ")"</span>
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        }
    };
    let theme_names: Vec<(String, String)> = themes
        .iter()
        .map(|f| (f.value.clone(), theme_label(i18n, &f.value)))
        .collect();
    let theme_facets: Vec<FacetCount> = themes
        .iter()
        .map(|f| FacetCount {
            value: f.value.clone(),
            count: f.count,
        })
        .collect();
    let theme_list = {
        let path = path.clone();
        let p = p.clone();
        view! {
            <ul class="facets">
                {theme_facets.into_iter().map(|f| {
                    let selected = Theme::parse(&p.theme).map(|t| t.name().to_owned()) == Some(f.value.clone());
                    let key = Theme::parse(&f.value).map(|t| t.key()).unwrap_or(f.value.clone());
                    let href = with(&path, &p, "theme", if selected { "" } else { &key });
                    let name = theme_names.iter().find(|(v, _)| *v == f.value).map(|(_, n)| n.clone()).unwrap_or_default();
                    view! {
                        <li>
                            <a href=href aria-current=selected.then_some("true")>
                                {name} " " <span class="count">"(" {f.count} ")"</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    };
    view! {
        <div class="search-layout">
            <div class="search-main">
                <SearchAsYouType
                    action=path.clone()
                    kind=kind.to_owned()
                    q=p.q.clone()
                    filters
                    hits
                    total=results.total
                    relaxed=results.relaxed
                    words
                />
                {results.trimmed.then(|| view! { <p class="hint">{t!(i18n, search.trimmed)}</p> })}
                {(pages > 1).then(|| {
                    let path = path.clone();
                    let p = p.clone();
                    view! {
                        <nav class="pager" aria-label=t_string!(i18n, search.pages).to_string()>
                            {(page > 1).then(|| view! { <a href=with(&path, &p, "page", &(page - 1).to_string())>{t!(i18n, search.previous)}</a> })}
                            " " <span>{t!(i18n, search.page_of, page = move || page, pages = move || pages)}</span> " "
                            {(page < pages).then(|| view! { <a href=with(&path, &p, "page", &(page + 1).to_string())>{t!(i18n, search.next)}</a> })}
                        </nav>
                    }
                })}
            </div>
            <section class="search-facets" aria-labelledby="facets-title">
                <h2 id="facets-title">{t!(i18n, search.filters)}</h2>
                {any_filter.then(|| view! { <p><a href=with(&path, &Params { theme: String::new(), municipality: String::new(), organisation: String::new(), ..p.clone() }, "q", &p.q)>{t!(i18n, search.clear)}</a></p> })}
                <h3>{t!(i18n, fields.themes)}</h3>
                {theme_list}
                {(!municipalities.is_empty()).then(|| view! {
                    <h3>{t!(i18n, fields.municipalities)}</h3>
                })}
                {facet_list("municipality", municipalities)}
                {(!organisations.is_empty()).then(|| view! {
                    <h3>{t!(i18n, fields.organisation)}</h3>
                })}
                {facet_list("organisation", organisations)}
            </section>
        </div>
    }
}

/// `/search`: everything the person may read.
#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, search.title).to_string()) />
        <section class="page">
            <h1>{t!(i18n, search.title)}</h1>
            <p class="lead">{t!(i18n, search.lead)}</p>
            <SearchView kind="" />
        </section>
    }
}
