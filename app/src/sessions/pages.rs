//! Pages of the sessions area. Every form is a plain HTML form posting to a
//! server function (works without JavaScript); the live-mode timer and
//! refresh are the one island.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{Answer, MyRsvp, SessionKind, SessionSummary};
use crate::errors::AppError;
use crate::i18n::*;
use crate::ui::form::kept;
use crate::ui::{ActionError, NotFound, PageTitle, RequireUser};

fn failed(err: AppError) -> AnyView {
    match err {
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        err => view! { <section class="page"><div class="alert error" role="alert"><crate::ui::ErrorText err /></div></section> }.into_any(),
    }
}

fn english() -> bool {
    use_i18n().get_locale_untracked() == Locale::en
}

/// Minutes as hours with one decimal, with the decimal sign of the locale.
fn hours_text(minutes: u32, english: bool) -> String {
    let text = format!("{:.1}", minutes as f64 / 60.0);
    if english { text } else { text.replace('.', ",") }
}

#[component]
pub fn KindText(kind: SessionKind) -> impl IntoView {
    let i18n = use_i18n();
    match kind {
        SessionKind::Intervision => t!(i18n, sessions.kind_intervision).into_any(),
        SessionKind::LearningNetwork => t!(i18n, sessions.kind_learning_network).into_any(),
        SessionKind::Training => t!(i18n, sessions.kind_training).into_any(),
        SessionKind::CaseMeeting => t!(i18n, sessions.kind_case_meeting).into_any(),
    }
}

#[component]
fn AnswerText(answer: Answer) -> impl IntoView {
    let i18n = use_i18n();
    match answer {
        Answer::Going => t!(i18n, sessions.going).into_any(),
        Answer::Maybe => t!(i18n, sessions.maybe).into_any(),
        Answer::NotGoing => t!(i18n, sessions.not_going).into_any(),
    }
}

/// "dd/mm/yyyy" from "yyyy-mm-dd" (Belgian order).
fn belgian(day: &str) -> String {
    let mut parts = day.split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => day.to_owned(),
    }
}

#[component]
fn MineBadge(mine: Option<MyRsvp>) -> impl IntoView {
    let i18n = use_i18n();
    mine.map(|m| {
        let waiting = m
            .waitlisted
            .then(|| view! { " · " {t!(i18n, sessions.waitlisted)} });
        view! { <span class="badge"><AnswerText answer=m.answer />{waiting}</span> }
    })
}

/// One meeting as a list row.
#[component]
fn SessionRow(s: SessionSummary, #[prop(optional)] network: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let when = format!("{} {}–{}", belgian(&s.day), s.start, s.end);
    let cancelled = s
        .cancelled
        .then(|| view! { <span class="badge danger">{t!(i18n, sessions.cancelled)}</span> " " });
    let capacity = s.capacity.map(|c| format!(" · {}/{}", s.going, c));
    view! {
        <li class="card session">
            <h3><A href=format!("/sessions/{}", s.id)>{s.title.clone()}</A></h3>
            <p>
                {cancelled}
                <time datetime=format!("{}T{}", s.day, s.start)>{when}</time>
                " · " <KindText kind=s.kind />
                {network.map(|n| format!(" · {n}"))}
                {(!s.place.is_empty()).then(|| format!(" · {}", s.place))}
                {s.online.then(|| view! { " · " {t!(i18n, sessions.online)} })}
                {capacity}
                " " <MineBadge mine=s.mine />
            </p>
        </li>
    }
}

#[component]
fn Done() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        let text = match query.read().get("done")?.as_str() {
            "scheduled" => t_string!(i18n, sessions.done_scheduled),
            "answered" => t_string!(i18n, sessions.done_answered),
            "answered_series" => t_string!(i18n, sessions.done_answered_series),
            "cancelled" => t_string!(i18n, sessions.done_cancelled),
            "edited" => t_string!(i18n, sessions.done_edited),
            "attendance" => t_string!(i18n, sessions.done_attendance),
            _ => return None,
        };
        Some(view! { <div class="alert ok" role="status">{text.to_string()}</div> })
    }
}

/// "/sessions": my upcoming meetings, the calendar feed, my hours.
#[component]
pub fn SessionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| super::my_sessions());
    let new_link = ServerAction::<super::NewFeedLink>::new();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, nav.sessions).to_string()) />
        <RequireUser children=move |_me| view! {
            <section class="page">
                <h1>{t!(i18n, sessions.mine)}</h1>
                <p><A href="/sessions/hours">{t!(i18n, sessions.hours_title)}</A></p>
                <Suspense fallback=|| ()>
                    {move || data.get().map(|r| match r {
                        Ok(mine) => view! {
                            <h2>{t!(i18n, sessions.upcoming)}</h2>
                            {if mine.upcoming.is_empty() {
                                view! { <p class="lead">{t!(i18n, sessions.none_upcoming)}</p> }.into_any()
                            } else {
                                view! { <ul class="cards">{mine.upcoming.into_iter().map(|(n, s)| view! { <SessionRow s network=n /> }).collect_view()}</ul> }.into_any()
                            }}
                            <section id="feed" class="card" aria-labelledby="feed-title">
                                <h2 id="feed-title">{t!(i18n, sessions.feed_title)}</h2>
                                <p>{t!(i18n, sessions.feed_lead)}</p>
                                {mine.fresh_feed.map(|url| {
                                    let per_network = mine.fresh_network_feeds.clone();
                                    view! {
                                        <div class="alert ok" role="status">
                                            <p>{t!(i18n, sessions.feed_fresh)}</p>
                                            <p><label for="feed-url">{t!(i18n, sessions.feed_url)}</label></p>
                                            <input id="feed-url" type="text" readonly value=url.clone() class="wide" />
                                            {(!per_network.is_empty()).then(|| view! {
                                                <p>{t!(i18n, sessions.feed_networks)}</p>
                                                {per_network.into_iter().enumerate().map(|(i, (name, link))| {
                                                    let id = format!("feed-network-{i}");
                                                    view! {
                                                        <p><label for=id.clone()>{t!(i18n, sessions.feed_network_url, name = move || name.clone())}</label></p>
                                                        <input id=id type="text" readonly value=link class="wide" />
                                                    }
                                                }).collect_view()}
                                            })}
                                        </div>
                                    }
                                })}
                                {mine.feed_made.map(|d| view! { <p class="hint">{t!(i18n, sessions.feed_made, day = move || d.clone())}</p> })}
                                <ActionForm action=new_link attr:class="inline">
                                    <button type="submit" class="button">{t!(i18n, sessions.feed_new)}</button>
                                </ActionForm>
                            </section>
                        }.into_any(),
                        Err(err) => failed(err),
                    })}
                </Suspense>
            </section>
        } />
    }
}

pub(super) fn slug_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("slug").unwrap_or_default())
}

/// The `:id` of the route; 0 (which no row has) when it is not a number.
pub(super) fn id_param() -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    })
}

/// A network's sessions.
#[component]
pub fn NetworkSessionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let data = Resource::new(move || slug.get(), super::network_sessions);
    view! {
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(n) => {
                        let title = format!("{} · {}", t_string!(i18n, nav.sessions), n.name);
                        view! {
                            <PageTitle text=Signal::derive(move || title.clone()) />
                            <section class="page">
                                <p><A href=format!("/networks/{}", n.slug)>{n.name.clone()}</A></p>
                                <h1>{t!(i18n, nav.sessions)}</h1>
                                {n.may_schedule.then(|| view! {
                                    <p><A href=format!("/networks/{}/sessions/new", n.slug) attr:class="button primary">{t!(i18n, sessions.schedule)}</A></p>
                                })}
                                <p><A href=format!("/networks/{}/methods", n.slug)>{t!(i18n, sessions.methods_link)}</A></p>
                                <h2>{t!(i18n, sessions.upcoming)}</h2>
                                {if n.upcoming.is_empty() {
                                    view! { <p>{t!(i18n, sessions.none_upcoming)}</p> }.into_any()
                                } else {
                                    view! { <ul class="cards">{n.upcoming.into_iter().map(|s| view! { <SessionRow s /> }).collect_view()}</ul> }.into_any()
                                }}
                                {(!n.past.is_empty()).then(|| view! {
                                    <h2>{t!(i18n, sessions.past)}</h2>
                                    <ul class="cards">{n.past.into_iter().map(|s| view! { <SessionRow s /> }).collect_view()}</ul>
                                })}
                            </section>
                        }.into_any()
                    }
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

/// The fields shared by the scheduling and the edit form. A value typed
/// before a failed post (kept in the query) wins over `initial`, which holds
/// the defaults or the stored values. `series` adds the repeat fields and
/// the guest networks (scheduling only).
#[component]
fn SessionFields(
    initial: std::collections::HashMap<&'static str, String>,
    methods: Vec<(i64, String)>,
    series: bool,
    #[prop(optional)] other_networks: Vec<(i64, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let initial = std::sync::Arc::new(initial);
    let value = move |name: &'static str| {
        let kept_value = kept(name);
        let initial = initial.clone();
        Signal::derive(move || {
            let typed = kept_value.get();
            if typed.is_empty() {
                initial.get(name).cloned().unwrap_or_default()
            } else {
                typed
            }
        })
    };
    let (title, kind, day, start, end, zone) = (
        value("title"),
        value("kind"),
        value("day"),
        value("start"),
        value("end"),
        value("zone"),
    );
    let (place, link, capacity, agenda, method) = (
        value("place"),
        value("online_link"),
        value("capacity"),
        value("agenda"),
        value("method"),
    );
    let (repeat, last_day, exceptions, guests) = (
        value("repeat"),
        value("last_day"),
        value("exceptions"),
        value("guests"),
    );
    let repeat_labels = move |i: usize| {
        match i {
            0 => t_string!(i18n, sessions.repeat_none),
            1 => t_string!(i18n, sessions.repeat_weekly),
            2 => t_string!(i18n, sessions.repeat_biweekly),
            3 => t_string!(i18n, sessions.repeat_monthly_nth),
            4 => t_string!(i18n, sessions.repeat_monthly_last),
            _ => t_string!(i18n, sessions.repeat_monthly_day),
        }
        .to_string()
    };
    view! {
        <div class="field">
            <label for="title">{t!(i18n, fields.title)}</label>
            <input id="title" name="title" type="text" required maxlength="200" value=title />
        </div>
        <fieldset class="field">
            <legend>{t!(i18n, fields.session_kind)}</legend>
            {SessionKind::ALL.map(|kd| view! {
                <label><input type="radio" name="kind" value=kd.as_str() checked=move || kind.get() == kd.as_str() /> " " <KindText kind=kd /></label>
            }).collect_view()}
        </fieldset>
        <div class="row">
            <div class="field">
                <label for="day">{t!(i18n, fields.day)}</label>
                <input id="day" name="day" type="date" required value=day />
            </div>
            <div class="field">
                <label for="start">{t!(i18n, fields.start_time)}</label>
                <input id="start" name="start" type="time" required value=start />
            </div>
            <div class="field">
                <label for="end">{t!(i18n, fields.end_time)}</label>
                <input id="end" name="end" type="time" required value=end />
            </div>
        </div>
        <div class="field">
            <label for="zone">{t!(i18n, fields.time_zone)}</label>
            <input id="zone" name="zone" type="text" maxlength="64" value=zone />
        </div>
        {series.then(|| view! {
            <fieldset class="field">
                <legend>{t!(i18n, fields.repeat)}</legend>
                {["none", "weekly", "biweekly", "monthly_nth", "monthly_last", "monthly_day"].into_iter().enumerate().map(|(i, v)| {
                    view! { <label><input type="radio" name="repeat" value=v checked=move || repeat.get() == v /> " " {repeat_labels(i)}</label> }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for="last_day">{t!(i18n, fields.last_day)}</label>
                <input id="last_day" name="last_day" type="date" value=last_day aria-describedby="last-day-hint" />
                <p class="hint" id="last-day-hint">{t!(i18n, sessions.last_day_hint)}</p>
            </div>
            <div class="field">
                <label for="exceptions">{t!(i18n, fields.exceptions)}</label>
                <textarea id="exceptions" name="exceptions" rows="2" maxlength="2000" aria-describedby="exceptions-hint">{exceptions}</textarea>
                <p class="hint" id="exceptions-hint">{t!(i18n, sessions.exceptions_hint)}</p>
            </div>
        })}
        <div class="field">
            <label for="place">{t!(i18n, sessions.address)}</label>
            <input id="place" name="place" type="text" maxlength="300" value=place />
        </div>
        <div class="field">
            <label for="online_link">{t!(i18n, fields.online_link)}</label>
            <input id="online_link" name="online_link" type="url" maxlength="500" value=link />
        </div>
        <div class="field">
            <label for="capacity">{t!(i18n, fields.capacity)}</label>
            <input id="capacity" name="capacity" type="number" min="1" max="500" inputmode="numeric" value=capacity aria-describedby="capacity-hint" />
            <p class="hint" id="capacity-hint">{t!(i18n, sessions.capacity_hint)}</p>
        </div>
        <div class="field">
            <label for="method">{t!(i18n, fields.method)}</label>
            <select id="method" name="method">
                <option value="" selected=move || method.get().is_empty()>{t!(i18n, sessions.no_method)}</option>
                {methods.into_iter().map(|(id, name)| {
                    let v = id.to_string();
                    let v2 = v.clone();
                    view! { <option value=v selected=move || method.get() == v2>{name}</option> }
                }).collect_view()}
            </select>
        </div>
        {(series && !other_networks.is_empty()).then(|| view! {
            <details class="field">
                <summary>{t!(i18n, sessions.invite_networks)}</summary>
                <fieldset class="field">
                    <legend>{t!(i18n, sessions.guests)}</legend>
                    <p class="hint">{t!(i18n, sessions.invite_networks_hint)}</p>
                    {other_networks.into_iter().enumerate().map(|(i, (id, name))| {
                        let id_text = id.to_string();
                        view! {
                            <label><input type="checkbox" name=format!("guests[{i}]") value=id
                                checked=move || guests.get().split(',').any(|g| g == id_text) /> " " {name}</label>
                        }
                    }).collect_view()}
                </fieldset>
            </details>
        })}
        <div class="field">
            <label for="agenda">{t!(i18n, fields.agenda)}</label>
            <textarea id="agenda" name="agenda" rows="6" maxlength="20000" aria-describedby="agenda-hint">{agenda}</textarea>
            <p class="hint" id="agenda-hint">{t!(i18n, sessions.markdown_hint)}</p>
        </div>
    }
}

/// The scheduling form (one meeting or a series).
#[component]
pub fn NewSessionPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let english = english();
    let data = Resource::new(move || slug.get(), move |s| super::schedule_form(s, english));
    let schedule = ServerAction::<super::ScheduleSession>::new();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, sessions.schedule).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(f) => {
                        let initial = std::collections::HashMap::from([
                            ("kind", "intervision".to_owned()),
                            ("start", "13:30".to_owned()),
                            ("end", "15:30".to_owned()),
                            ("zone", "Europe/Brussels".to_owned()),
                            ("repeat", "none".to_owned()),
                        ]);
                        view! {
                        <section class="page narrow">
                            <p><A href=format!("/networks/{}/sessions", f.slug)>{f.name.clone()}</A></p>
                            <h1>{t!(i18n, sessions.schedule)}</h1>
                            <ActionForm action=schedule attr:class="stack" attr:novalidate=true>
                                <ActionError action=schedule />
                                <input type="hidden" name="slug" value=f.slug.clone() />
                                <SessionFields initial methods=f.methods.clone() series=true other_networks=f.other_networks.clone() />
                                <button type="submit" class="button primary">{t!(i18n, sessions.schedule)}</button>
                            </ActionForm>
                        </section>
                    }.into_any()}
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

/// Editing a meeting: this one only, or this and the following ones of its
/// series (as in a calendar).
#[component]
pub fn EditSessionPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let english = english();
    let data = Resource::new(move || id.get(), move |id| super::edit_form(id, english));
    let edit = ServerAction::<super::EditSession>::new();
    let scope = kept("scope");
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, sessions.edit_title).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(f) => {
                        let initial: std::collections::HashMap<&'static str, String> = [
                            ("title", f.values.title.clone()),
                            ("kind", f.values.kind.clone()),
                            ("day", f.values.day.clone()),
                            ("start", f.values.start.clone()),
                            ("end", f.values.end.clone()),
                            ("zone", f.values.zone.clone()),
                            ("place", f.values.place.clone()),
                            ("online_link", f.values.online_link.clone()),
                            ("capacity", f.values.capacity.clone()),
                            ("agenda", f.values.agenda.clone()),
                            ("method", f.values.method.clone()),
                        ].into_iter().collect();
                        view! {
                        <section class="page narrow">
                            <p><A href=format!("/sessions/{}", f.id)>{f.values.title.clone()}</A></p>
                            <h1>{t!(i18n, sessions.edit_title)}</h1>
                            <ActionForm action=edit attr:class="stack" attr:novalidate=true>
                                <ActionError action=edit />
                                <input type="hidden" name="id" value=f.id />
                                {f.in_series.then(|| view! {
                                    <fieldset class="field">
                                        <legend>{t!(i18n, sessions.which_meetings)}</legend>
                                        <label><input type="radio" name="scope" value="this" checked=move || scope.get() != "following" /> " " {t!(i18n, sessions.scope_this)}</label>
                                        <label><input type="radio" name="scope" value="following" checked=move || scope.get() == "following" /> " " {t!(i18n, sessions.scope_following)}</label>
                                    </fieldset>
                                })}
                                <SessionFields initial methods=f.methods.clone() series=false />
                                <button type="submit" class="button primary">{t!(i18n, sessions.edit_save)}</button>
                            </ActionForm>
                        </section>
                    }.into_any()}
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

/// One session: details, RSVP, live mode, attendance and minutes.
#[component]
pub fn SessionPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let english = english();
    let data = Resource::new(move || id.get(), move |id| super::session_page(id, english));
    let answer = ServerAction::<super::AnswerSession>::new();
    let series = ServerAction::<super::AnswerSeries>::new();
    let follow = ServerAction::<super::FollowSeries>::new();
    let cancel = ServerAction::<super::CancelSession>::new();
    let live = ServerAction::<super::LiveCommand>::new();
    let attendance = ServerAction::<super::RecordAttendance>::new();
    let kept_minutes = kept("minutes");
    view! {
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(v) => {
                        let s = v.summary.clone();
                        let title = s.title.clone();
                        let id = s.id;
                        let when = format!("{} {}–{}", belgian(&s.day), s.start, s.end);
                        let answers = Answer::ALL;
                        view! {
                            <PageTitle text=Signal::derive(move || title.clone()) />
                            <section class="page">
                                <Done />
                                <p><A href=format!("/networks/{}/sessions", v.network_slug)>{v.network_name.clone()}</A></p>
                                <h1>{s.title.clone()}</h1>
                                {s.cancelled.then(|| view! { <div class="alert error" role="status">{t!(i18n, sessions.is_cancelled)}</div> })}
                                <dl class="facts">
                                    <dt>{t!(i18n, sessions.when)}</dt>
                                    <dd><time datetime=format!("{}T{}", s.day, s.start)>{when}</time> " (" {v.zone.clone()} ")"</dd>
                                    <dt>{t!(i18n, fields.session_kind)}</dt>
                                    <dd><KindText kind=s.kind /></dd>
                                    {(!s.place.is_empty()).then(|| view! { <dt>{t!(i18n, sessions.address)}</dt><dd>{s.place.clone()}</dd> })}
                                    {(!v.online_link.is_empty()).then(|| view! {
                                        <dt>{t!(i18n, fields.online_link)}</dt>
                                        <dd><a href=v.online_link.clone() rel="noopener noreferrer">{v.online_link.clone()}</a></dd>
                                    })}
                                    {s.capacity.map(|c| view! { <dt>{t!(i18n, fields.capacity)}</dt><dd>{format!("{}/{}", s.going, c)} {(v.waiting > 0).then(|| format!(" (+{} {})", v.waiting, t_string!(i18n, sessions.waiting)))}</dd> })}
                                    {(!v.guests.is_empty()).then(|| view! { <dt>{t!(i18n, sessions.guests)}</dt><dd>{v.guests.join(", ")}</dd> })}
                                    {(v.series_meetings > 0).then(|| view! { <dt>{t!(i18n, sessions.series)}</dt><dd>{t!(i18n, sessions.series_count, count = v.series_meetings)}</dd> })}
                                </dl>
                                <p class="row-actions">
                                    <a href=format!("/sessions/{id}/ics") download=format!("kring-{id}.ics")>{t!(i18n, sessions.download_ics)}</a>
                                    {(v.may_manage && !s.cancelled).then(|| view! { <A href=format!("/sessions/{id}/edit") attr:class="button">{t!(i18n, sessions.edit_link)}</A> })}
                                </p>

                                {(v.may_rsvp && !s.cancelled).then(|| view! {
                                    <section class="card" aria-labelledby="rsvp-title">
                                        <h2 id="rsvp-title">{t!(i18n, sessions.rsvp_title)}</h2>
                                        {s.mine.map(|m| view! { <p>{t!(i18n, sessions.your_answer)} " " <MineBadge mine=Some(m) /></p> })}
                                        <ActionError action=answer />
                                        <ActionForm action=answer attr:class="inline">
                                            <input type="hidden" name="id" value=id />
                                            {answers.map(|a| view! {
                                                <button type="submit" name="answer" value=a.as_str() class="button"><AnswerText answer=a /></button>
                                            }).collect_view()}
                                        </ActionForm>
                                        {s.series_id.map(|series_id| view! {
                                            <h3>{t!(i18n, sessions.rsvp_series, count = v.series_meetings)}</h3>
                                            {v.my_series_answer.map(|a| view! { <p>{t!(i18n, sessions.your_series_answer)} " " <AnswerText answer=a /></p> })}
                                            <ActionError action=series />
                                            <ActionForm action=series attr:class="inline">
                                                <input type="hidden" name="id" value=id />
                                                <input type="hidden" name="series" value=series_id />
                                                {answers.map(|a| view! {
                                                    <button type="submit" name="answer" value=a.as_str() class="button"><AnswerText answer=a /></button>
                                                }).collect_view()}
                                            </ActionForm>
                                            {s.mine.filter(|m| !m.from_series).map(|_| view! {
                                                <ActionForm action=follow attr:class="inline">
                                                    <input type="hidden" name="id" value=id />
                                                    <button type="submit" class="button">{t!(i18n, sessions.follow_series)}</button>
                                                </ActionForm>
                                            })}
                                        })}
                                    </section>
                                })}

                                {(!v.agenda_html.is_empty()).then(|| view! {
                                    <section aria-labelledby="agenda-title">
                                        <h2 id="agenda-title">{t!(i18n, fields.agenda)}</h2>
                                        <div class="prose" inner_html=v.agenda_html.clone()></div>
                                    </section>
                                })}

                                {v.method.clone().map(|m| {
                                    let current = v.live.phase;
                                    let phase_count = v.live.phase_count;
                                    view! {
                                    <section id="live" aria-labelledby="method-title">
                                        <h2 id="method-title">{t!(i18n, fields.method)} ": " {m.name.clone()}</h2>
                                        <p>{m.summary.clone()}</p>
                                        {(!v.live.finished || current.is_some()).then(|| {
                                            let phases: Vec<(String, String, u32)> = m.phases.iter().map(|p| (p.name.clone(), p.guidance.clone(), p.minutes)).collect();
                                            let labels: Vec<String> = (1..=phase_count).map(|n| t_string!(i18n, sessions.phase_of, n = n, count = phase_count).to_string()).collect();
                                            view! {
                                                <crate::ui::islands::LivePhase session_id=id phase=current elapsed=v.live.elapsed_seconds phases labels />
                                            }
                                        })}
                                        {v.may_manage.then(|| view! {
                                            <ActionForm action=live attr:class="inline">
                                                <input type="hidden" name="id" value=id />
                                                {if current.is_none() {
                                                    view! { <button type="submit" name="command" value="start" class="button primary">{t!(i18n, sessions.live_start)}</button> }.into_any()
                                                } else {
                                                    view! {
                                                        <button type="submit" name="command" value="previous" class="button">{t!(i18n, sessions.live_previous)}</button>
                                                        <button type="submit" name="command" value="next" class="button primary">{t!(i18n, sessions.live_next)}</button>
                                                        <button type="submit" name="command" value="finish" class="button">{t!(i18n, sessions.live_finish)}</button>
                                                    }.into_any()
                                                }}
                                            </ActionForm>
                                        })}
                                        <ol class="phases">
                                            {m.phases.iter().enumerate().map(|(i, p)| {
                                                let here = current == Some(i as u32);
                                                view! {
                                                    <li aria-current=here.then_some("step") class:current=here>
                                                        <strong>{p.name.clone()}</strong> " · " {t!(i18n, sessions.minutes_n, n = p.minutes)}
                                                        <p>{p.guidance.clone()}</p>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ol>
                                    </section>
                                }})}

                                {v.may_manage.then(|| {
                                    let minutes = if kept_minutes.get_untracked().is_empty() { v.minutes.clone() } else { kept_minutes.get_untracked() };
                                    view! {
                                    <section class="card" aria-labelledby="attendance-title">
                                        <h2 id="attendance-title">{t!(i18n, sessions.attendance_title)}</h2>
                                        <ActionError action=attendance />
                                        <ActionForm action=attendance attr:class="stack">
                                            <input type="hidden" name="id" value=id />
                                            {if v.attendees.is_empty() {
                                                view! { <p>{t!(i18n, sessions.nobody_answered)}</p> }.into_any()
                                            } else {
                                                let mut i = 0usize;
                                                v.attendees.iter().map(|g| {
                                                    let org = g.organisation.clone().unwrap_or_else(|| t_string!(i18n, sessions.no_organisation).to_string());
                                                    view! {
                                                        <fieldset class="field">
                                                            <legend>{org}</legend>
                                                            {g.people.iter().map(|p| {
                                                                let checked = if v.attendance_recorded { p.attended } else { p.answer == Answer::Going && !p.waitlisted };
                                                                let name = format!("present[{i}]");
                                                                i += 1;
                                                                view! {
                                                                    <label>
                                                                        <input type="checkbox" name=name value=p.user_id checked=checked />
                                                                        " " {p.name.clone()} " (" <AnswerText answer=p.answer />
                                                                        {p.waitlisted.then(|| view! { ", " {t!(i18n, sessions.waitlisted)} })} ")"
                                                                    </label>
                                                                }
                                                            }).collect_view()}
                                                        </fieldset>
                                                    }
                                                }).collect_view().into_any()
                                            }}
                                            <div class="field">
                                                <label for="minutes">{t!(i18n, fields.minutes)}</label>
                                                <textarea id="minutes" name="minutes" rows="6" maxlength="20000" aria-describedby="minutes-hint">{minutes}</textarea>
                                                <p class="hint" id="minutes-hint">{t!(i18n, sessions.markdown_hint)}</p>
                                            </div>
                                            <button type="submit" class="button primary">{t!(i18n, sessions.attendance_save)}</button>
                                        </ActionForm>
                                    </section>
                                    <section class="card" aria-labelledby="cancel-title">
                                        <h2 id="cancel-title">{t!(i18n, sessions.cancel_title)}</h2>
                                        <ActionError action=cancel />
                                        <ActionForm action=cancel attr:class="stack">
                                            <input type="hidden" name="id" value=id />
                                            <fieldset class="field">
                                                <legend>{t!(i18n, sessions.which_meetings)}</legend>
                                                <label><input type="radio" name="scope" value="this" checked=true /> " " {t!(i18n, sessions.scope_this)}</label>
                                                {s.series_id.map(|_| view! { <label><input type="radio" name="scope" value="following" /> " " {t!(i18n, sessions.scope_following)}</label> })}
                                            </fieldset>
                                            <button type="submit" class="button danger">{t!(i18n, sessions.cancel_button)}</button>
                                        </ActionForm>
                                    </section>
                                }})}

                                {(!v.minutes_html.is_empty()).then(|| view! {
                                    <section aria-labelledby="minutes-title">
                                        <h2 id="minutes-title">{t!(i18n, fields.minutes)}</h2>
                                        <div class="prose" inner_html=v.minutes_html.clone()></div>
                                    </section>
                                })}
                            </section>
                        }.into_any()
                    }
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

/// "My intervision hours" per year, printable, with a CSV download.
#[component]
pub fn HoursPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let year = Memo::new(move |_| query.read().get("year").and_then(|y| y.parse::<i32>().ok()));
    let data = Resource::new(move || year.get(), super::my_hours);
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, sessions.hours_title).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(h) => {
                        let en = english();
                        let total = hours_text(h.total_minutes, en);
                        let year = h.year;
                        view! {
                            <section class="page">
                                <h1>{t!(i18n, sessions.hours_title)} " " {year}</h1>
                                <p>{h.person.clone()}</p>
                                <nav class="pager no-print" aria-label=move || t_string!(i18n, sessions.years).to_string()>
                                    {h.years.iter().map(|y| {
                                        let here = *y == year;
                                        view! { <a href=format!("/sessions/hours?year={y}") aria-current=here.then_some("page")>{*y}</a> }
                                    }).collect_view()}
                                </nav>
                                <p class="no-print"><a href=format!("/sessions/hours.csv?year={year}") download=format!("intervisie-{year}.csv")>{t!(i18n, sessions.hours_csv)}</a></p>
                                {if h.rows.is_empty() {
                                    view! { <p>{t!(i18n, sessions.hours_none)}</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap" role="region" tabindex="0" aria-label=move || t_string!(i18n, sessions.hours_title).to_string()>
                                        <table>
                                            <thead><tr>
                                                <th scope="col">{t!(i18n, fields.day)}</th>
                                                <th scope="col">{t!(i18n, fields.title)}</th>
                                                <th scope="col">{t!(i18n, fields.session_kind)}</th>
                                                <th scope="col">{t!(i18n, sessions.network)}</th>
                                                <th scope="col">{t!(i18n, sessions.hours)}</th>
                                            </tr></thead>
                                            <tbody>
                                                {h.rows.iter().map(|r| view! {
                                                    <tr>
                                                        <td>{belgian(&r.day)}</td>
                                                        <td>{r.title.clone()}</td>
                                                        <td><KindText kind=r.kind /></td>
                                                        <td>{r.network.clone()}</td>
                                                        <td>{hours_text(r.minutes, en)}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                            <tfoot><tr><th scope="row" colspan="4">{t!(i18n, sessions.total)}</th><td>{total}</td></tr></tfoot>
                                        </table>
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}
