//! Pages of the cases area. Every form is a plain HTML form posting to a
//! server function (works without JavaScript); the editor's live check and
//! the reply autosave are islands on top.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{CaseStatus, CaseSummary, CheckView, Choice, EntityView, Reaction, ReactionCount};
use crate::i18n::*;
use crate::ui::form::{kept, kept_or};
use crate::ui::{ActionError, PageTitle, RequireUser, failed};

fn pick(yes: bool, a: &'static str, b: &'static str) -> &'static str {
    if yes { a } else { b }
}

fn english() -> bool {
    use_i18n().get_locale_untracked() == Locale::en
}

fn slug_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("slug").unwrap_or_default())
}

/// The `:id` of the route; 0 (which no row has) when it is not a number.
fn id_param() -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    })
}

#[component]
fn Done() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        let text = match query.read().get("done")?.as_str() {
            "saved" => t_string!(i18n, cases.done_saved),
            "in_review" => t_string!(i18n, cases.done_in_review),
            "published" => t_string!(i18n, cases.done_published),
            "replied" => t_string!(i18n, cases.done_replied),
            "check" => t_string!(i18n, cases.done_check),
            "edited" => t_string!(i18n, cases.done_edited),
            "reported" => t_string!(i18n, cases.done_reported),
            "closed" => t_string!(i18n, cases.done_closed),
            "deleted" => t_string!(i18n, cases.done_deleted),
            "approved" => t_string!(i18n, cases.done_approved),
            "sent_back" => t_string!(i18n, cases.done_sent_back),
            "resolved" => t_string!(i18n, cases.done_resolved),
            "settings" => t_string!(i18n, cases.done_settings),
            _ => return None,
        };
        Some(view! { <div class="alert ok" role="status">{text.to_string()}</div> })
    }
}

#[component]
fn StatusBadge(status: CaseStatus) -> impl IntoView {
    let i18n = use_i18n();
    let text = match status {
        CaseStatus::Draft => t_string!(i18n, cases.status_draft),
        CaseStatus::InReview => t_string!(i18n, cases.status_in_review),
        CaseStatus::SentBack => t_string!(i18n, cases.status_sent_back),
        CaseStatus::Published => t_string!(i18n, cases.status_published),
        CaseStatus::Closed => t_string!(i18n, cases.status_closed),
    };
    view! { <span class="badge">{text.to_string()}</span> }
}

fn kind_text(i18n: leptos_i18n::I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "person" => t_string!(i18n, cases.kind_person),
        "address" => t_string!(i18n, cases.kind_address),
        "postcode" => t_string!(i18n, cases.kind_postcode),
        "phone" => t_string!(i18n, cases.kind_phone),
        "email" => t_string!(i18n, cases.kind_email),
        "national_id" => t_string!(i18n, cases.kind_national_id),
        "iban" => t_string!(i18n, cases.kind_iban),
        "date" => t_string!(i18n, cases.kind_date),
        "institution" => t_string!(i18n, cases.kind_institution),
        "plate" => t_string!(i18n, cases.kind_plate),
        _ => t_string!(i18n, cases.kind_url),
    }
    .to_string()
}

fn role_text(i18n: leptos_i18n::I18nContext<Locale>, role: &str) -> String {
    match role {
        "facilitator" => t_string!(i18n, roles.facilitator),
        "coach" => t_string!(i18n, roles.coach),
        "expert" => t_string!(i18n, roles.expert),
        "observer" => t_string!(i18n, roles.observer),
        _ => "",
    }
    .to_string()
}

/// The network's confidentiality statement, to accept before reading.
#[component]
fn StatementGate(slug: String, name: String, statement: String, next: String) -> impl IntoView {
    let i18n = use_i18n();
    let accept = ServerAction::<super::AcceptConfidentiality>::new();
    view! {
        <section class="page narrow">
            <p><A href=format!("/networks/{slug}")>{name}</A></p>
            <h1>{t!(i18n, cases.statement_title)}</h1>
            <div class="card statement">
                {statement.split("\n\n").map(|p| view! { <p>{p.to_owned()}</p> }).collect_view()}
            </div>
            <ActionForm action=accept attr:class="stack">
                <ActionError action=accept />
                <input type="hidden" name="slug" value=slug.clone() />
                <input type="hidden" name="next" value=next />
                <button type="submit" class="button primary">{t!(i18n, cases.statement_accept)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn CaseRow(
    c: CaseSummary,
    #[prop(optional)] network: Option<String>,
    #[prop(optional)] edit: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = if edit {
        format!("/cases/{}/edit", c.id)
    } else {
        format!("/cases/{}", c.id)
    };
    let title = if c.title.is_empty() {
        t_string!(i18n, cases.untitled).to_string()
    } else {
        c.title.clone()
    };
    view! {
        <li class="card case">
            <h3><A href=href>{title}</A></h3>
            <p>
                <StatusBadge status=c.status />
                {network.map(|n| format!(" · {n}"))}
                " · " {t!(i18n, cases.replies_count, count = move || c.replies)}
                " · " {t!(i18n, cases.last_activity, day = move || c.last_activity.clone())}
                {c.invites_reflection.then(|| view! { " " <span class="badge">{t!(i18n, cases.reflection_asked)}</span> })}
            </p>
        </li>
    }
}

/// "/cases": the cases of all my networks.
#[component]
pub fn CasesPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| super::my_cases());
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, nav.cases).to_string()) />
        <RequireUser children=move |_me| view! {
            <section class="page">
                <h1>{t!(i18n, nav.cases)}</h1>
                <p class="lead">{t!(i18n, areas.cases)}</p>
                <Suspense fallback=|| ()>
                    {move || data.get().map(|r| match r {
                        Ok(mine) => view! {
                            {if mine.networks.is_empty() {
                                view! { <p>{t!(i18n, cases.no_networks)}</p> }.into_any()
                            } else {
                                view! {
                                    <h2>{t!(i18n, cases.by_network)}</h2>
                                    <ul class="links">
                                        {mine.networks.into_iter().map(|(slug, name)| view! {
                                            <li><A href=format!("/networks/{slug}/cases")>{name}</A></li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {(!mine.recent.is_empty()).then(|| view! {
                                <h2>{t!(i18n, cases.recent)}</h2>
                                <ul class="cards">{mine.recent.into_iter().map(|(n, c)| view! { <CaseRow c network=n /> }).collect_view()}</ul>
                            })}
                        }.into_any(),
                        Err(err) => failed(err),
                    })}
                </Suspense>
            </section>
        } />
    }
}

/// A network's cases (after its confidentiality statement was accepted).
#[component]
pub fn NetworkCasesPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let english = english();
    let data = Resource::new(move || slug.get(), move |s| super::network_cases(s, english));
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, nav.cases).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(n) => match n.statement.clone() {
                        Some(statement) => view! {
                            <StatementGate slug=n.slug.clone() name=n.name.clone() statement next=format!("/networks/{}/cases", n.slug) />
                        }.into_any(),
                        None => view! {
                            <section class="page">
                                <p><A href=format!("/networks/{}", n.slug)>{n.name.clone()}</A></p>
                                <h1>{t!(i18n, nav.cases)}</h1>
                                <Done />
                                <p class="hint">{t!(i18n, cases.retention_note, months = move || n.retention_months)}</p>
                                {n.may_create.then(|| view! {
                                    <p><A href=format!("/networks/{}/cases/new", n.slug) attr:class="button primary">{t!(i18n, cases.new_case)}</A></p>
                                })}
                                {(n.may_moderate || n.may_audit).then(|| view! {
                                    <p>
                                        {n.may_moderate.then(|| view! {
                                            <A href=format!("/networks/{}/cases/review", n.slug)>
                                                {t!(i18n, cases.review_link, count = move || n.in_review, reports = move || n.open_reports)}
                                            </A>
                                            " · "
                                        })}
                                        {n.may_audit.then(|| view! { <A href=format!("/networks/{}/cases/audit", n.slug)>{t!(i18n, cases.audit_link)}</A> })}
                                    </p>
                                })}
                                {(!n.mine.is_empty()).then(|| view! {
                                    <h2>{t!(i18n, cases.my_drafts)}</h2>
                                    <ul class="cards">{n.mine.clone().into_iter().map(|c| view! { <CaseRow c edit=true /> }).collect_view()}</ul>
                                })}
                                <h2>{t!(i18n, cases.discussions)}</h2>
                                {if n.cases.is_empty() {
                                    view! { <p>{t!(i18n, cases.none)}</p> }.into_any()
                                } else {
                                    view! { <ul class="cards">{n.cases.clone().into_iter().map(|c| view! { <CaseRow c /> }).collect_view()}</ul> }.into_any()
                                }}
                            </section>
                        }.into_any(),
                    },
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

#[component]
fn SessionSelect(sessions: Vec<(i64, String)>, selected: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="session">{t!(i18n, fields.session)}</label>
            <select id="session" name="session" aria-describedby="session-hint">
                <option value="" selected=move || selected.get().is_empty()>{t!(i18n, cases.no_session)}</option>
                {sessions.into_iter().map(|(id, label)| {
                    let v = id.to_string();
                    let v2 = v.clone();
                    view! { <option value=v selected=move || selected.get() == v2>{label}</option> }
                }).collect_view()}
            </select>
            <p class="hint" id="session-hint">{t!(i18n, cases.session_hint)}</p>
        </div>
    }
}

/// Writing a new case: a draft only its author sees, checked next.
#[component]
pub fn NewCasePage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let data = Resource::new(move || slug.get(), super::new_case_form);
    let create = ServerAction::<super::CreateCase>::new();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, cases.new_case).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(f) => view! {
                        <section class="page narrow">
                            <p><A href=format!("/networks/{}/cases", f.slug)>{f.name.clone()}</A></p>
                            <h1>{t!(i18n, cases.new_case)}</h1>
                            <p class="lead">{t!(i18n, cases.new_lead)}</p>
                            <ActionForm action=create attr:class="stack" attr:novalidate=true>
                                <ActionError action=create />
                                <input type="hidden" name="slug" value=f.slug.clone() />
                                <div class="field">
                                    <label for="title">{t!(i18n, fields.title)}</label>
                                    <input id="title" name="title" type="text" maxlength="200" value=kept("title") />
                                </div>
                                <div class="field">
                                    <label for="body">{t!(i18n, fields.case_text)}</label>
                                    <textarea id="body" name="body" rows="14" maxlength="20000" aria-describedby="body-hint">{kept("body").get_untracked()}</textarea>
                                    <p class="hint" id="body-hint">{t!(i18n, cases.body_hint)}</p>
                                </div>
                                <SessionSelect sessions=f.sessions.clone() selected=kept("session") />
                                <label class="check"><input type="checkbox" name="invites_reflection" value="on" /> " " {t!(i18n, cases.invite_reflection)}</label>
                                <button type="submit" class="button primary">{t!(i18n, cases.save_and_check)}</button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

/// One row per person, address or number the anonymiser found: accept the
/// pseudonym (editable) or mark it as not personal.
#[component]
fn FindingRows(entities: Vec<EntityView>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="findings">
            {entities.into_iter().map(|e| {
                let f = e.field.clone();
                let label_id = format!("label-{f}");
                let unresolved = e.high && e.choice.is_none();
                view! {
                    <li class=pick(unresolved, "finding-row open", "finding-row")>
                        <input type="hidden" name=format!("key[{f}]") value=e.key.clone() />
                        <fieldset>
                            <legend>
                                <span class=format!("badge k-{}", e.kind)>{kind_text(i18n, &e.kind)}</span>
                                " " <strong>{e.mentions.join(" · ")}</strong>
                                {unresolved.then(|| view! { " " <span class="badge danger">{t!(i18n, cases.needs_decision)}</span> })}
                                {(!e.high).then(|| view! { " " <span class="badge">{t!(i18n, cases.maybe)}</span> })}
                            </legend>
                            <label>
                                <input type="radio" name=format!("choice[{f}]") value="pseudonym" checked=e.choice == Some(Choice::Pseudonym) />
                                " " {t!(i18n, cases.use_pseudonym)}
                            </label>
                            " "
                            <label class="sr-only" for=label_id.clone()>{t!(i18n, fields.label)}</label>
                            <input id=label_id type="text" name=format!("label[{f}]") value=e.label.clone() maxlength="60" class="short" />
                            <label>
                                <input type="radio" name=format!("choice[{f}]") value="keep" checked=e.choice == Some(Choice::Keep) />
                                " " {t!(i18n, cases.not_personal)}
                            </label>
                        </fieldset>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn CheckPanel(check: CheckView) -> impl IntoView {
    let i18n = use_i18n();
    let count = check.unresolved;
    view! {
        {if check.entities.is_empty() {
            view! { <p class="alert ok" role="status">{t!(i18n, cases.nothing_found)}</p> }.into_any()
        } else {
            view! {
                <p class=pick(count > 0, "alert warn", "alert ok") role="status">
                    {if count > 0 { t!(i18n, cases.unresolved, count = move || count).into_any() } else { t!(i18n, cases.all_resolved).into_any() }}
                </p>
                <FindingRows entities=check.entities.clone() />
            }.into_any()
        }}
    }
}

/// The editor (author only): the raw draft, the findings highlighted in
/// the text, the decisions, the preview of what readers will get.
#[component]
pub fn CaseEditPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let data = Resource::new(move || id.get(), super::case_editor);
    let save = ServerAction::<super::SaveCase>::new();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, cases.edit_title).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(e) => {
                        let check = e.check.clone();
                        let preview_html = e.check.preview_html.clone();
                        let publish_text = if e.needs_review { t_string!(i18n, cases.submit_review) } else { t_string!(i18n, cases.publish) }.to_string();
                        let live_words = vec![
                            t_string!(i18n, cases.live_saved).to_string(),
                            t_string!(i18n, cases.live_checking).to_string(),
                            t_string!(i18n, cases.live_failed).to_string(),
                            t_string!(i18n, fields.case_text).to_string(),
                            t_string!(i18n, cases.live_unresolved).to_string(),
                        ];
                        view! {
                        <section class="page">
                            <p><A href=format!("/networks/{}/cases", e.slug)>{e.network_name.clone()}</A></p>
                            <h1>{t!(i18n, cases.edit_title)} " " <StatusBadge status=e.status /></h1>
                            <Done />
                            {e.review_comment.clone().map(|c| view! {
                                <div class="alert warn" role="status"><p><strong>{t!(i18n, cases.sent_back_comment)}</strong></p><p>{c}</p></div>
                            })}
                            <p class="lead">{t!(i18n, cases.edit_lead)}</p>
                            <ActionForm action=save attr:class="stack" attr:novalidate=true>
                                <ActionError action=save />
                                <input type="hidden" name="id" value=e.id.to_string() />
                                <div class="field">
                                    <label for="title">{t!(i18n, fields.title)}</label>
                                    <input id="title" name="title" type="text" maxlength="200" value=kept_or("title", e.title.clone()) />
                                </div>
                                <crate::ui::islands::CaseEditorLive
                                    case_id=e.id
                                    body=e.body.clone()
                                    marked=e.check.marked_html.clone()
                                    unresolved=e.check.unresolved
                                    words=live_words
                                />
                                <SessionSelect sessions=e.sessions.clone() selected=Signal::derive({ let s = e.session_id.map(|s| s.to_string()).unwrap_or_default(); move || s.clone() }) />
                                <label class="check"><input type="checkbox" name="invites_reflection" value="on" checked=e.invites_reflection /> " " {t!(i18n, cases.invite_reflection)}</label>
                                <section id="findings" aria-labelledby="findings-title">
                                    <h2 id="findings-title">{t!(i18n, cases.findings)}</h2>
                                    <CheckPanel check=check.clone() />
                                </section>
                                <div class="row">
                                    <button type="submit" name="intent" value="check" class="button">{t!(i18n, cases.save_and_check)}</button>
                                    <button type="submit" name="intent" value="publish" class="button primary">{publish_text}</button>
                                </div>
                            </ActionForm>
                            <section class="card preview" aria-labelledby="preview-title">
                                <h2 id="preview-title">{t!(i18n, cases.preview)}</h2>
                                <p class="hint">{t!(i18n, cases.preview_hint)}</p>
                                <div class="markdown" inner_html=preview_html.clone()></div>
                            </section>
                            <DeleteForm id=e.id />
                        </section>
                    }.into_any()}
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

#[component]
fn DeleteForm(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let delete = ServerAction::<super::DeleteCase>::new();
    view! {
        <details class="danger-zone">
            <summary>{t!(i18n, cases.delete)}</summary>
            <p>{t!(i18n, cases.delete_hint)}</p>
            <ActionForm action=delete attr:class="inline">
                <ActionError action=delete />
                <input type="hidden" name="id" value=id.to_string() />
                <button type="submit" class="button danger">{t!(i18n, cases.delete_now)}</button>
            </ActionForm>
        </details>
    }
}

/// The reactions under a post: one plain form, a button per reaction. Not
/// a `ServerAction` per post: a thread of a hundred replies renders them
/// all on every read, and a reaction has nothing to report but a redirect.
#[component]
fn Reactions(case_id: i64, reply_id: i64, counts: Vec<ReactionCount>, enabled: bool) -> impl IntoView {
    let i18n = use_i18n();
    let label = move |r: Reaction| {
        match r {
            Reaction::Thanks => t_string!(i18n, cases.reaction_thanks),
            Reaction::Recognise => t_string!(i18n, cases.reaction_recognise),
            Reaction::Helpful => t_string!(i18n, cases.reaction_helpful),
        }
        .to_string()
    };
    let chips = Reaction::ALL
        .into_iter()
        .map(|r| {
            let c = counts.iter().find(|c| c.reaction == r);
            let n = c.map(|c| c.count).unwrap_or(0);
            let mine = c.is_some_and(|c| c.mine);
            let text = if n > 0 {
                format!("{} · {n}", label(r))
            } else {
                label(r)
            };
            (r, n, mine, text)
        })
        .collect::<Vec<_>>();
    if enabled {
        let url = <super::React as leptos::server_fn::ServerFn>::url();
        view! {
            <form method="post" action=url class="reactions">
                <input type="hidden" name="case_id" value=case_id.to_string() />
                <input type="hidden" name="reply_id" value=reply_id.to_string() />
                {chips.into_iter().map(|(r, _, mine, text)| view! {
                    <button type="submit" name="reaction" value=r.as_str() class="chip" aria-pressed=mine.to_string()>{text}</button>
                }).collect_view()}
            </form>
        }
        .into_any()
    } else {
        view! {
            <div class="reactions">
                {chips.into_iter().filter(|c| c.1 > 0).map(|(_, _, _, text)| view! { <span class="chip">{text}</span> }).collect_view()}
            </div>
        }
        .into_any()
    }
}

/// Reporting a post (or the case itself, `post=0`) to the facilitators:
/// a page of its own, so that the thread does not carry a form per post.
#[component]
pub fn CaseReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let query = use_query_map();
    let post = Memo::new(move |_| {
        query
            .read()
            .get("post")
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let report = ServerAction::<super::ReportPost>::new();
    let reason = kept("reason");
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, cases.report).to_string()) />
        <RequireUser children=move |_me| {
            let (case_id, rid) = (id.get_untracked(), post.get_untracked());
            let back = if rid == 0 { format!("/cases/{case_id}") } else { format!("/cases/{case_id}#post-{rid}") };
            view! {
                <section class="page narrow">
                    <p><A href=back>{t!(i18n, cases.back_to_case)}</A></p>
                    <h1>{t!(i18n, cases.report)}</h1>
                    <p class="lead">{t!(i18n, cases.report_hint)}</p>
                    <ActionForm action=report attr:class="stack card">
                        <ActionError action=report />
                        <input type="hidden" name="case_id" value=case_id.to_string() />
                        <input type="hidden" name="reply_id" value=rid.to_string() />
                        <label for="reason">{t!(i18n, cases.report_reason)}</label>
                        <textarea id="reason" name="reason" rows="4" maxlength="1000" required>{reason.get_untracked()}</textarea>
                        <button type="submit" class="button primary">{t!(i18n, cases.report_send)}</button>
                    </ActionForm>
                </section>
            }
        } />
    }
}

#[component]
fn ReportLink(case_id: i64, reply_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="report" href=format!("/cases/{case_id}/report?post={reply_id}")>{t!(i18n, cases.report)}</a>
    }
}

/// One case thread.
#[component]
pub fn CasePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let english = english();
    let data = Resource::new(move || id.get(), move |id| super::case_thread(id, english));
    view! {
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(super::CasePageData::Statement { slug, name, statement }) => view! {
                        <PageTitle text=Signal::derive(move || t_string!(i18n, cases.statement_title).to_string()) />
                        <StatementGate slug name statement next=format!("/cases/{}", id.get_untracked()) />
                    }.into_any(),
                    Ok(super::CasePageData::Thread(t)) => view! { <Thread t=*t /> }.into_any(),
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

#[component]
fn Thread(t: super::ThreadView) -> impl IntoView {
    let i18n = use_i18n();
    let close = ServerAction::<super::CloseCase>::new();
    let promote = ServerAction::<crate::library::PromoteCase>::new();
    let reply = ServerAction::<super::PostReply>::new();
    let title = t.title.clone();
    let live = t.status == CaseStatus::Published;
    let case_id = t.id;
    let current_phase = t.current_phase;
    let n_replies = t.replies.len();
    let open_phases: Vec<_> = t.phases.iter().filter(|p| p.open).cloned().collect();
    let kept_phase = kept("phase");
    let reply_words = vec![
        t_string!(i18n, cases.live_saved).to_string(),
        t_string!(i18n, cases.reply_label).to_string(),
    ];
    let draft = {
        let k = kept("body").get_untracked();
        if k.is_empty() { t.reply_draft.clone() } else { k }
    };
    // The posts are rendered to HTML here, synchronously. Under the page's
    // async renderer every element of every post became a future that was
    // moved and joined; for a hundred replies that cost several times more
    // than everything else on the page.
    let replies_html = t.replies.into_iter().map(|r| {
        let role = role_text(i18n, &r.role);
        let rid = r.id;
        view! {
            <li id=format!("post-{rid}") class=pick(r.reflection, "reply reflection", "reply")>
                <p class="meta">
                    <strong>{r.author.clone()}</strong>
                    {(!role.is_empty()).then(|| view! { " " <span class="badge">{role}</span> })}
                    {r.reflection.then(|| view! { " " <span class="badge reflection">{t!(i18n, cases.reflection)}</span> })}
                    {r.phase.clone().map(|p| view! { " " <span class="badge phase">{p}</span> })}
                    " · " {r.at.clone()}
                    {r.edited.then(|| view! { " · " <A href=format!("/cases/{case_id}/history?reply={rid}")>{t!(i18n, cases.edited)}</A> })}
                </p>
                <div class="markdown" inner_html=r.body_html.clone()></div>
                <Reactions case_id reply_id=rid counts=r.reactions.clone() enabled=live />
                {(r.mine && live).then(|| view! { <EditReplyForm case_id reply_id=rid body=r.body.clone() /> })}
                <ReportLink case_id reply_id=rid />
            </li>
        }
    }).collect_view()
    .to_html();
    view! {
        <PageTitle text=Signal::derive(move || title.clone()) />
        <article class="page case-thread">
            <p><A href=format!("/networks/{}/cases", t.slug)>{t.network_name.clone()}</A></p>
            <h1>{t.title.clone()}</h1>
            <Done />
            <p class="meta">
                <StatusBadge status=t.status />
                " · " {t.author.clone()}
                {(!t.published.is_empty()).then(|| format!(" · {}", t.published))}
                {t.session.clone().map(|(sid, stitle)| view! { " · " <A href=format!("/sessions/{sid}")>{stitle}</A> })}
                {t.invites_reflection.then(|| view! { " " <span class="badge">{t!(i18n, cases.reflection_asked)}</span> })}
                {(t.versions > 0).then(|| view! { " · " <A href=format!("/cases/{case_id}/history")>{t!(i18n, cases.history_link, count = move || t.versions)}</A> })}
            </p>
            {(!t.phases.is_empty()).then(|| view! {
                <ol class="phases" aria-label=t_string!(i18n, cases.phases_label).to_string()>
                    {t.phases.clone().into_iter().map(|p| {
                        let now = current_phase == Some(p.index);
                        view! { <li class=pick(p.open, "open", "waiting") aria-current=now.then_some("step")>{p.name}</li> }
                    }).collect_view()}
                </ol>
            })}
            <div class="markdown case-body" inner_html=t.body_html.clone()></div>
            <Reactions case_id reply_id=0 counts=t.reactions.clone() enabled=live />
            <div class="row">
                {t.may_edit.then(|| view! { <A href=format!("/cases/{case_id}/edit") attr:class="button">{t!(i18n, cases.edit)}</A> })}
                {(t.may_close && t.status != CaseStatus::Closed).then(|| view! {
                    <ActionForm action=close attr:class="inline">
                        <input type="hidden" name="id" value=case_id.to_string() />
                        <button type="submit" class="button">{t!(i18n, cases.close)}</button>
                    </ActionForm>
                })}
            </div>
            {(t.status == CaseStatus::Closed).then(|| view! { <p class="alert warn" role="status">{t!(i18n, cases.closed_note)}</p> })}
            {t.may_promote.then(|| view! {
                <ActionForm action=promote attr:class="card stack">
                    <ActionError action=promote />
                    <p>{t!(i18n, library.promote_hint)}</p>
                    <input type="hidden" name="id" value=case_id.to_string() />
                    <input type="hidden" name="english" value=english().to_string() />
                    <p><button type="submit" class="button primary">{t!(i18n, library.promote)}</button></p>
                </ActionForm>
            })}
            <ReportLink case_id reply_id=0 />
            <h2>{t!(i18n, cases.replies_title, count = move || n_replies)}</h2>
            <ol class="replies" inner_html=replies_html></ol>
            {t.may_reply.then(|| view! {
                <section id="reply" class="card" aria-labelledby="reply-title">
                    <h2 id="reply-title">{t!(i18n, cases.reply_title)}</h2>
                    {if !t.phases.is_empty() && open_phases.is_empty() {
                        view! { <p class="alert warn" role="status">{t!(i18n, cases.no_phase_open)}</p> }.into_any()
                    } else {
                        view! {
                            <ActionForm action=reply attr:class="stack" attr:novalidate=true>
                                <ActionError action=reply />
                                <input type="hidden" name="case_id" value=case_id.to_string() />
                                {(!open_phases.is_empty()).then(|| {
                                    let last = open_phases.last().map(|p| p.index.to_string()).unwrap_or_default();
                                    view! {
                                        <div class="field">
                                            <label for="phase">{t!(i18n, cases.phase)}</label>
                                            <select id="phase" name="phase">
                                                {open_phases.clone().into_iter().map(|p| {
                                                    let v = p.index.to_string();
                                                    let chosen = { let k = kept_phase.get_untracked(); if k.is_empty() { last.clone() } else { k } };
                                                    view! { <option value=v.clone() selected=v == chosen>{p.name}</option> }
                                                }).collect_view()}
                                            </select>
                                        </div>
                                    }
                                })}
                                <crate::ui::islands::ReplyAutosave case_id body=draft.clone() words=reply_words.clone() />
                                <p class="hint">{t!(i18n, cases.reply_hint)}</p>
                                {t.reply_check.clone().map(|check| view! {
                                    <section aria-labelledby="reply-findings">
                                        <h3 id="reply-findings">{t!(i18n, cases.findings)}</h3>
                                        <div class="marked" inner_html=check.marked_html.clone()></div>
                                        <CheckPanel check />
                                    </section>
                                })}
                                {t.may_reflect.then(|| view! {
                                    <label class="check"><input type="checkbox" name="reflection" value="on" /> " " {t!(i18n, cases.as_reflection)}</label>
                                })}
                                <button type="submit" class="button primary">{t!(i18n, cases.reply_send)}</button>
                            </ActionForm>
                        }.into_any()
                    }}
                </section>
            })}
            <p class="hint">{t!(i18n, cases.retention_note, months = move || t.retention_months)}</p>
        </article>
    }
}

#[component]
fn EditReplyForm(case_id: i64, reply_id: i64, body: String) -> impl IntoView {
    let i18n = use_i18n();
    let edit = ServerAction::<super::EditReply>::new();
    let id = format!("edit-{reply_id}");
    view! {
        <details class="edit-reply">
            <summary>{t!(i18n, cases.edit)}</summary>
            <ActionForm action=edit attr:class="stack">
                <ActionError action=edit />
                <input type="hidden" name="case_id" value=case_id.to_string() />
                <input type="hidden" name="reply_id" value=reply_id.to_string() />
                <label for=id.clone()>{t!(i18n, cases.reply_label)}</label>
                <textarea id=id name="body" rows="5" maxlength="10000">{body}</textarea>
                <button type="submit" class="button">{t!(i18n, cases.save)}</button>
            </ActionForm>
        </details>
    }
}

/// Earlier versions of a case or a reply.
#[component]
pub fn CaseHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let query = use_query_map();
    let reply = Memo::new(move |_| {
        query
            .read()
            .get("reply")
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let data = Resource::new(
        move || (id.get(), reply.get()),
        |(id, reply)| super::case_history(id, reply),
    );
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, cases.history_title).to_string()) />
        <RequireUser children=move |_me| view! {
            <section class="page narrow">
                <p><A href=format!("/cases/{}", id.get_untracked())>{t!(i18n, cases.back_to_case)}</A></p>
                <h1>{t!(i18n, cases.history_title)}</h1>
                <Suspense fallback=|| ()>
                    {move || data.get().map(|r| match r {
                        Ok(list) if list.is_empty() => view! { <p>{t!(i18n, cases.history_none)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ol class="cards">
                                {list.into_iter().map(|(at, title, html)| view! {
                                    <li class="card"><p class="meta">{at}</p>{(!title.is_empty()).then(|| view! { <h2>{title}</h2> })}<div class="markdown" inner_html=html></div></li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(err) => failed(err),
                    })}
                </Suspense>
            </section>
        } />
    }
}

/// Facilitators: the anonymity check queue, reports, the case settings.
#[component]
pub fn CaseReviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let english = english();
    let data = Resource::new(move || slug.get(), move |s| super::case_review(s, english));
    let decide = ServerAction::<super::DecideCaseReview>::new();
    let resolve = ServerAction::<super::ResolveCaseReport>::new();
    let settings = ServerAction::<super::CaseSettings>::new();
    let two_factor_rule = ServerAction::<super::TwoFactorRule>::new();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, cases.review_title).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(v) => {
                        let slug_q = v.slug.clone();
                        let slug_r = v.slug.clone();
                        let slug_2fa = v.slug.clone();
                        view! {
                        <section class="page">
                            <p><A href=format!("/networks/{}/cases", v.slug)>{v.name.clone()}</A></p>
                            <h1>{t!(i18n, cases.review_title)}</h1>
                            <Done />
                            <h2>{t!(i18n, cases.queue)}</h2>
                            {if v.queue.is_empty() {
                                view! { <p>{t!(i18n, cases.queue_empty)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="cards">
                                        {v.queue.clone().into_iter().map(|item| {
                                            let comment_id = format!("comment-{}", item.id);
                                            let slug = slug_q.clone();
                                            view! {
                                                <li class="card">
                                                    <h3>{item.title.clone()}</h3>
                                                    <p class="meta">{item.author.clone()}</p>
                                                    <div class="markdown" inner_html=item.body_html.clone()></div>
                                                    <ActionForm action=decide attr:class="stack">
                                                        <ActionError action=decide />
                                                        <input type="hidden" name="slug" value=slug />
                                                        <input type="hidden" name="id" value=item.id.to_string() />
                                                        <label for=comment_id.clone()>{t!(i18n, cases.review_comment)}</label>
                                                        <textarea id=comment_id name="comment" rows="3" maxlength="2000"></textarea>
                                                        <div class="row">
                                                            <button type="submit" name="decision" value="approve" class="button primary">{t!(i18n, cases.approve)}</button>
                                                            <button type="submit" name="decision" value="send_back" class="button">{t!(i18n, cases.send_back)}</button>
                                                        </div>
                                                    </ActionForm>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <h2>{t!(i18n, cases.reports)}</h2>
                            {if v.reports.is_empty() {
                                view! { <p>{t!(i18n, cases.reports_none)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="cards">
                                        {v.reports.clone().into_iter().map(|rep| {
                                            let anchor = rep.reply_id.unwrap_or(0);
                                            let slug = slug_r.clone();
                                            view! {
                                                <li class="card">
                                                    <p class="meta">{rep.reporter.clone()} " · " {rep.at.clone()}</p>
                                                    <p><A href=format!("/cases/{}#post-{anchor}", rep.case_id)>{rep.case_title.clone()}</A></p>
                                                    <p>{rep.reason.clone()}</p>
                                                    <ActionForm action=resolve attr:class="inline">
                                                        <input type="hidden" name="slug" value=slug />
                                                        <input type="hidden" name="id" value=rep.id.to_string() />
                                                        <button type="submit" class="button">{t!(i18n, cases.resolve)}</button>
                                                    </ActionForm>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <h2>{t!(i18n, cases.settings)}</h2>
                            <ActionForm action=settings attr:class="stack card" attr:novalidate=true>
                                <ActionError action=settings />
                                <input type="hidden" name="slug" value=v.slug.clone() />
                                <label class="check"><input type="checkbox" name="needs_review" value="on" checked=v.needs_review /> " " {t!(i18n, cases.needs_review)}</label>
                                <div class="field">
                                    <label for="retention_months">{t!(i18n, fields.retention)}</label>
                                    <input id="retention_months" name="retention_months" type="number" min="1" max="60" value=kept_or("retention_months", v.retention_months.to_string()) class="short" />
                                </div>
                                <div class="field">
                                    <label for="statement">{t!(i18n, fields.statement)}</label>
                                    <textarea id="statement" name="statement" rows="8" maxlength="5000" aria-describedby="statement-hint">
                                        {if v.default_statement { String::new() } else { v.statement.clone() }}
                                    </textarea>
                                    <p class="hint" id="statement-hint">{t!(i18n, cases.statement_hint)}</p>
                                </div>
                                <button type="submit" class="button primary">{t!(i18n, cases.save)}</button>
                            </ActionForm>
                            <h2>{t!(i18n, two_factor.title)}</h2>
                            <ActionForm action=two_factor_rule attr:class="stack card">
                                <ActionError action=two_factor_rule />
                                <input type="hidden" name="slug" value=slug_2fa />
                                <label class="check"><input type="checkbox" name="required" value="on" checked=v.require_two_factor /> " " {t!(i18n, two_factor.network_rule)}</label>
                                <p class="hint">{t!(i18n, two_factor.network_rule_hint)}</p>
                                <button type="submit" class="button">{t!(i18n, two_factor.network_rule_save)}</button>
                            </ActionForm>
                        </section>
                    }.into_any()},
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

/// Facilitators and admins: who read which case when; what was purged.
#[component]
pub fn CaseAuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let data = Resource::new(move || slug.get(), super::case_audit);
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, cases.audit_title).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(v) => view! {
                        <section class="page">
                            <p><A href=format!("/networks/{}/cases", v.slug)>{v.name.clone()}</A></p>
                            <h1>{t!(i18n, cases.audit_title)}</h1>
                            <h2>{t!(i18n, cases.audit_reads)}</h2>
                            <div class="table-wrap">
                                <table>
                                    <thead><tr><th scope="col">{t!(i18n, cases.audit_when)}</th><th scope="col">{t!(i18n, cases.audit_who)}</th><th scope="col">{t!(i18n, cases.audit_case)}</th></tr></thead>
                                    <tbody>
                                        {v.reads.into_iter().map(|row| view! {
                                            <tr>
                                                <td>{row.at}</td>
                                                <td>{row.reader}</td>
                                                <td>{format!("#{} ", row.case_id)}{row.case_title.unwrap_or_else(|| t_string!(i18n, cases.purged).to_string())}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <h2>{t!(i18n, cases.audit_purges)}</h2>
                            {if v.purges.is_empty() {
                                view! { <p>{t!(i18n, cases.purges_none)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul>
                                        {v.purges.into_iter().map(|p| view! {
                                            <li>{format!("#{} · {} · {} · ", p.case_id, p.at, p.reason)}{t!(i18n, cases.replies_count, count = move || p.replies)}</li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}
