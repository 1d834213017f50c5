use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{NetworkKind, NetworkRole};
use crate::errors::AppError;
use crate::i18n::*;
use crate::ui::form::kept;
use crate::ui::{ActionError, NotFound, PageTitle, RequireUser};

/// The role as the page says it.
#[component]
pub fn RoleName(role: NetworkRole) -> impl IntoView {
    let i18n = use_i18n();
    match role {
        NetworkRole::Facilitator => t!(i18n, roles.facilitator).into_any(),
        NetworkRole::Coach => t!(i18n, roles.coach).into_any(),
        NetworkRole::ExpertByExperience => t!(i18n, roles.expert).into_any(),
        NetworkRole::Observer => t!(i18n, roles.observer).into_any(),
    }
}

#[component]
fn KindName(kind: NetworkKind) -> impl IntoView {
    let i18n = use_i18n();
    match kind {
        NetworkKind::Local => t!(i18n, networks.kind_local).into_any(),
        NetworkKind::InterMunicipal => t!(i18n, networks.kind_inter_municipal).into_any(),
        NetworkKind::SupraLocal => t!(i18n, networks.kind_supra_local).into_any(),
    }
}

/// "My networks": the dashboard after sign-in.
#[component]
pub fn NetworksPage() -> impl IntoView {
    let i18n = use_i18n();
    let mine = Resource::new(|| (), |_| super::my_networks());
    let may_create = Resource::new(|| (), |_| super::may_create_network());
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, networks.mine).to_string()) />
        <RequireUser children=move |_me| view! {
            <section class="page">
                <Done />
                <h1>{t!(i18n, networks.mine)}</h1>
                <Suspense fallback=|| ()>
                    {move || may_create.get().and_then(|r| r.ok()).filter(|m| *m).map(|_| view! {
                        <p><A href="/networks/new" attr:class="button">{t!(i18n, networks.create)}</A></p>
                    })}
                </Suspense>
                <Suspense fallback=|| ()>
                    {move || mine.get().map(|r| match r {
                        Ok(list) if list.is_empty() => view! { <p class="lead">{t!(i18n, networks.none)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="cards">
                                {list.into_iter().map(|n| view! {
                                    <li class="card">
                                        <h2><A href=format!("/networks/{}", n.slug)>{n.name}</A></h2>
                                        <p><KindName kind=n.kind /> " · " <RoleName role=n.role /></p>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <div class="alert error" role="alert"><crate::ui::ErrorText err /></div> }.into_any(),
                    })}
                </Suspense>
            </section>
        } />
    }
}

/// A short confirmation after a plain-form action (`?done=…`).
#[component]
fn Done() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        let done = query.read().get("done")?;
        let text = match done.as_str() {
            "joined" => t_string!(i18n, networks.done_joined),
            "requested" => t_string!(i18n, networks.done_requested),
            "welcome" => t_string!(i18n, networks.done_welcome),
            "left" => t_string!(i18n, networks.done_left),
            "invited" => t_string!(i18n, networks.done_invited),
            "revoked" => t_string!(i18n, networks.done_revoked),
            "approved" => t_string!(i18n, networks.done_approved),
            "declined" => t_string!(i18n, networks.done_declined),
            "role" => t_string!(i18n, networks.done_role),
            "removed" => t_string!(i18n, networks.done_removed),
            "handover" => t_string!(i18n, directory.handover_sent),
            _ => return None,
        };
        Some(view! { <div class="alert ok" role="status">{text.to_string()}</div> })
    }
}

fn slug_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("slug").unwrap_or_default())
}

/// An error page body for a failed load: 404 stays 404.
fn failed(err: AppError) -> AnyView {
    match err {
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        err => view! { <section class="page"><div class="alert error" role="alert"><crate::ui::ErrorText err /></div></section> }.into_any(),
    }
}

/// A network's page: about, municipalities, organisations; joining for
/// non-members; the members' corner for members.
#[component]
pub fn NetworkPage() -> impl IntoView {
    let slug = slug_param();
    let net = Resource::new(move || slug.get(), super::network);
    let join = ServerAction::<super::RequestToJoin>::new();
    let listed = ServerAction::<super::SetListedContact>::new();
    let leave = ServerAction::<super::LeaveNetwork>::new();
    view! {
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || net.get().map(|r| match r {
                    Ok(n) => view! { <NetworkAbout n join listed leave /> }.into_any(),
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

#[component]
fn NetworkAbout(
    n: super::NetworkView,
    join: ServerAction<super::RequestToJoin>,
    listed: ServerAction<super::SetListedContact>,
    leave: ServerAction<super::LeaveNetwork>,
) -> impl IntoView {
    let i18n = use_i18n();
    let title = n.name.clone();
    let slug = n.slug.clone();
    let count = n.member_count;
    let message = kept("message");
    let is_member = n.my_role.is_some();
    let join_part = (!is_member && n.may_request).then(|| {
        let slug = slug.clone();
        if n.pending_request {
            view! { <p class="alert ok" role="status">{t!(i18n, networks.join_pending)}</p> }.into_any()
        } else if n.join_policy == "invite" {
            view! { <p>{t!(i18n, networks.join_invite_only)}</p> }.into_any()
        } else {
            let open = n.join_policy == "open";
            view! {
                <section aria-labelledby="join-title" class="panel">
                    <h2 id="join-title">{t!(i18n, networks.join_title)}</h2>
                    <p>{if open { t!(i18n, networks.join_open).into_any() } else { t!(i18n, networks.join_request).into_any() }}</p>
                    <ActionForm action=join attr:class="stack">
                        <ActionError action=join />
                        <input type="hidden" name="slug" value=slug />
                        {(!open).then(|| view! {
                            <div class="field">
                                <label for="join-message">{t!(i18n, fields.message)}</label>
                                <textarea id="join-message" name="message" rows="3" maxlength="1000"
                                    aria-describedby="join-message-hint">{message}</textarea>
                                <p class="hint" id="join-message-hint">{t!(i18n, networks.join_message_hint)}</p>
                            </div>
                        })}
                        <button type="submit" class="button primary">
                            {if open { t!(i18n, networks.join_submit_open).into_any() } else { t!(i18n, networks.join_submit_request).into_any() }}
                        </button>
                    </ActionForm>
                </section>
            }.into_any()
        }
    });
    let member_part = is_member.then(|| {
        let (s1, s2, s3, s4) = (slug.clone(), slug.clone(), slug.clone(), slug.clone());
        let s5 = slug.clone();
        // Observers look on: the network, not its cases.
        let reads_cases = n.my_role.is_some_and(|r| r != NetworkRole::Observer);
        let is_listed = n.listed_contact;
        view! {
            <section aria-labelledby="members-corner" class="panel">
                <h2 id="members-corner">{t!(i18n, networks.for_members)}</h2>
                <ul class="links">
                    <li><A href=format!("/networks/{s1}/members")>{t!(i18n, networks.see_members)}</A></li>
                    {n.may_manage.then(|| view! { <li><A href=format!("/networks/{s2}/manage")>{t!(i18n, networks.manage)}</A></li> })}
                </ul>
                <h3>{t!(i18n, networks.sessions)}</h3>
                <p><A href=format!("/networks/{s4}/sessions")>{t!(i18n, networks.see_sessions)}</A></p>
                <h3>{t!(i18n, networks.cases)}</h3>
                {if reads_cases {
                    view! { <p><A href=format!("/networks/{s5}/cases")>{t!(i18n, networks.see_cases)}</A></p> }.into_any()
                } else {
                    view! { <p class="hint">{t!(i18n, networks.cases_observer)}</p> }.into_any()
                }}
                <h3>{t!(i18n, networks.practices)}</h3>
                <p class="hint">{t!(i18n, networks.practices_empty)}</p>
                <h3>{t!(i18n, networks.contact_title)}</h3>
                <p>{if is_listed { t!(i18n, networks.contact_listed).into_any() } else { t!(i18n, networks.contact_not_listed).into_any() }}</p>
                <ActionForm action=listed attr:class="inline">
                    <ActionError action=listed />
                    <input type="hidden" name="slug" value=s3 />
                    <input type="hidden" name="listed" value=if is_listed { "no" } else { "yes" } />
                    <button type="submit" class="button">
                        {if is_listed { t!(i18n, networks.contact_unlist_me).into_any() } else { t!(i18n, networks.contact_list_me).into_any() }}
                    </button>
                </ActionForm>
                <h3>{t!(i18n, networks.leave)}</h3>
                <ActionForm action=leave attr:class="stack">
                    <ActionError action=leave />
                    <input type="hidden" name="slug" value=slug.clone() />
                    <p class="hint">{t!(i18n, networks.leave_hint)}</p>
                    <button type="submit" class="button danger">{t!(i18n, networks.leave)}</button>
                </ActionForm>
            </section>
        }
    });
    view! {
        <PageTitle text=Signal::derive(move || title.clone()) />
        <section class="page">
            <Done />
            <h1>{n.name.clone()}</h1>
            <p class="hint"><KindName kind=n.kind />
                " · " {t!(i18n, networks.member_count, count = move || count)}
                {n.my_role.map(|role| view! { " · " {t!(i18n, networks.your_role)} " " <RoleName role /> })}
            </p>
            <p class="lead">{n.description.clone()}</p>
            {(!n.municipalities.is_empty()).then(|| view! {
                <h2>{t!(i18n, networks.municipalities)}</h2>
                <p>{n.municipalities.join(", ")}</p>
            })}
            <h2>{t!(i18n, networks.organisations)}</h2>
            <ul>{n.organisations.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
            {join_part}
            {member_part}
        </section>
    }
}

/// Members only: who takes part; facilitators change roles and remove.
/// A network can have hundreds of members: the rows are plain elements with
/// their words looked up once per page, not components per row.
#[component]
pub fn NetworkMembersPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let q = query.read();
        (
            slug.get(),
            q.get("q").unwrap_or_default(),
            q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1),
        )
    });
    let data = Resource::new(
        move || key.get(),
        |(slug, filter, page)| super::network_members(slug, filter, page),
    );
    let change = ServerAction::<super::ChangeMemberRole>::new();
    let remove = ServerAction::<super::RemoveMember>::new();
    view! {
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(m) => {
                        let title = format!("{} · {}", t_string!(i18n, networks.members), m.name);
                        let words = RowWords {
                            roles: NetworkRole::ALL.map(|r| role_text(i18n, r)),
                            you: t_string!(i18n, networks.you).to_string(),
                            listed: t_string!(i18n, networks.in_directory).to_string(),
                            change: t_string!(i18n, networks.change_role).to_string(),
                        };
                        let manage = m.may_manage;
                        let slug = m.slug.clone();
                        let rows = m
                            .members
                            .iter()
                            .map(|member| member_row(member, &slug, manage, &words))
                            .collect_view();
                        let action = format!("/networks/{}/members", m.slug);
                        let filter = m.filter.clone();
                        let (total, matching) = (m.total, m.matching);
                        let summary = if filter.is_empty() {
                            None
                        } else {
                            Some(view! { <p role="status">{t!(i18n, networks.members_matching, count = matching, total = total)}</p> })
                        };
                        let pager = (m.pages > 1).then(|| view! {
                            <Pager base=action.clone() filter=filter.clone() page=m.page pages=m.pages />
                        });
                        view! {
                            <PageTitle text=Signal::derive(move || title.clone()) />
                            <section class="page">
                                <Done />
                                <p><A href=format!("/networks/{}", m.slug)>{m.name.clone()}</A></p>
                                <h1>{t!(i18n, networks.members)} " (" {total} ")"</h1>
                                <ActionError action=change />
                                <ActionError action=remove />
                                <form method="get" action=action.clone() class="search" role="search">
                                    <label for="q">{t!(i18n, networks.find_member)}</label>
                                    <input id="q" name="q" type="search" maxlength="100" value=filter.clone() autocomplete="off" />
                                    <button type="submit" class="button">{t!(i18n, directory.search)}</button>
                                </form>
                                {summary}
                                <div class="table-wrap" role="region" tabindex="0"
                                    aria-label=move || t_string!(i18n, networks.members).to_string()>
                                <table class="members">
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, fields.display_name)}</th>
                                        <th scope="col">{t!(i18n, networks.role)}</th>
                                        <th scope="col">{t!(i18n, networks.organisation)}</th>
                                        {manage.then(|| view! { <th scope="col">{t!(i18n, networks.actions)}</th> })}
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                                </div>
                                {pager}
                            </section>
                        }.into_any()
                    }
                    Err(err) => failed(err),
                })}
            </Suspense>
        } />
    }
}

/// Previous/next links and "page 2 of 4" under a paged list; plain links,
/// so it works without JavaScript.
#[component]
pub fn Pager(base: String, filter: String, page: u32, pages: u32) -> impl IntoView {
    let i18n = use_i18n();
    let href = move |n: u32| {
        if filter.is_empty() {
            format!("{base}?page={n}")
        } else {
            format!("{base}?q={}&page={n}", crate::ui::urlencode(&filter))
        }
    };
    let prev = (page > 1).then(|| {
        let h = href(page - 1);
        view! { <a href=h rel="prev">{t!(i18n, common.previous)}</a> }
    });
    let next = (page < pages).then(|| {
        let h = href(page + 1);
        view! { <a href=h rel="next">{t!(i18n, common.next)}</a> }
    });
    view! {
        <nav class="pager" aria-label=move || t_string!(i18n, common.pages).to_string()>
            {prev}
            <span aria-current="page">{t!(i18n, common.page_of, page = page, pages = pages)}</span>
            {next}
        </nav>
    }
}

/// The words every member row uses, translated once.
struct RowWords {
    roles: [String; 4],
    you: String,
    listed: String,
    change: String,
}

fn role_text(i18n: leptos_i18n::I18nContext<Locale>, role: NetworkRole) -> String {
    match role {
        NetworkRole::Facilitator => t_string!(i18n, roles.facilitator),
        NetworkRole::Coach => t_string!(i18n, roles.coach),
        NetworkRole::ExpertByExperience => t_string!(i18n, roles.expert),
        NetworkRole::Observer => t_string!(i18n, roles.observer),
    }
    .to_string()
}

fn member_row(
    member: &super::MemberView,
    slug: &str,
    manage: bool,
    words: &RowWords,
) -> impl IntoView + use<> {
    let edit = manage.then(|| {
        let href = format!("/networks/{slug}/members/{}", member.user_id);
        let label = format!("{}: {}", words.change, member.name);
        view! { <td><a href=href aria-label=label>{words.change.clone()}</a></td> }
    });
    let you = member.is_me.then(|| format!(" {}", words.you));
    let listed = member
        .listed_contact
        .then(|| view! { " " <span class="badge">{words.listed.clone()}</span> });
    view! {
        <tr>
            <td>{member.name.clone()}{you}{listed}</td>
            <td>{words.roles[member.role.rank() as usize].clone()}</td>
            <td>{member.organisation.clone().unwrap_or_default()}</td>
            {edit}
        </tr>
    }
}

/// Facilitators: one member's role, or removing them from the network.
#[component]
pub fn MemberPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let key = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("slug").unwrap_or_default(),
            p.get("user").and_then(|u| u.parse::<i64>().ok()).unwrap_or(0),
        )
    });
    let data = Resource::new(
        move || key.get(),
        |(slug, user)| super::network_member(slug, user),
    );
    let change = ServerAction::<super::ChangeMemberRole>::new();
    let remove = ServerAction::<super::RemoveMember>::new();
    view! {
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(d) => {
                        let title = d.member.name.clone();
                        let name = d.member.name.clone();
                        let id = d.member.user_id.to_string();
                        let (s1, s2, id2) = (d.slug.clone(), d.slug.clone(), id.clone());
                        view! {
                            <PageTitle text=Signal::derive(move || title.clone()) />
                            <section class="page narrow">
                                <p><A href=format!("/networks/{}/members", d.slug)>{d.network_name.clone()}</A></p>
                                <h1>{name.clone()}</h1>
                                <p class="hint">{d.member.organisation.clone().unwrap_or_default()}</p>
                                <ActionForm action=change attr:class="stack">
                                    <ActionError action=change />
                                    <input type="hidden" name="slug" value=s1 />
                                    <input type="hidden" name="user_id" value=id />
                                    <div class="field">
                                        <label for="member-role">{t!(i18n, fields.role)}</label>
                                        <select id="member-role" name="role"><RoleOptions selected=d.member.role /></select>
                                    </div>
                                    <button type="submit" class="button primary">{t!(i18n, networks.change_role)}</button>
                                </ActionForm>
                                {(!d.member.is_me).then(|| view! {
                                    <h2>{t!(i18n, networks.remove)}</h2>
                                    <ActionForm action=remove attr:class="stack">
                                        <ActionError action=remove />
                                        <input type="hidden" name="slug" value=s2 />
                                        <input type="hidden" name="user_id" value=id2 />
                                        <button type="submit" class="button danger">
                                            {t!(i18n, networks.remove_named, name = move || name.clone())}
                                        </button>
                                    </ActionForm>
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

#[component]
fn RoleOptions(selected: NetworkRole) -> impl IntoView {
    NetworkRole::ALL
        .into_iter()
        .map(|role| {
            view! { <option value=role.as_str() selected=role == selected><RoleName role /></option> }
        })
        .collect_view()
}

/// Facilitators: invite people, decide join requests, read handover requests.
#[component]
pub fn ManageNetworkPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug_param();
    let data = Resource::new(move || slug.get(), super::network_manage);
    let invite = ServerAction::<super::InviteMember>::new();
    let revoke = ServerAction::<super::RevokeInvitation>::new();
    let decide = ServerAction::<super::DecideJoin>::new();
    let email = kept("email");
    let kept_role = kept("role");
    view! {
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(m) => {
                        let title = format!("{} · {}", t_string!(i18n, networks.manage), m.name);
                        let slug = m.slug.clone();
                        let invite_slug = m.slug.clone();
                        let role_now = NetworkRole::parse(&kept_role.get_untracked()).unwrap_or(NetworkRole::Coach);
                        view! {
                            <PageTitle text=Signal::derive(move || title.clone()) />
                            <section class="page">
                                <Done />
                                <p><A href=format!("/networks/{}", m.slug)>{m.name.clone()}</A></p>
                                <h1>{t!(i18n, networks.manage)}</h1>
                                <section aria-labelledby="invite-title" class="panel">
                                    <h2 id="invite-title">{t!(i18n, networks.invite_title)}</h2>
                                    <p class="hint" id="invite-hint">{t!(i18n, networks.invite_hint)}</p>
                                    <ActionForm action=invite attr:class="stack" attr:novalidate=true>
                                        <ActionError action=invite />
                                        <input type="hidden" name="slug" value=invite_slug />
                                        <div class="field">
                                            <label for="invite-email">{t!(i18n, fields.email)}</label>
                                            <input id="invite-email" name="email" type="email" required maxlength="254"
                                                autocomplete="off" aria-describedby="invite-hint" value=email />
                                        </div>
                                        <div class="field">
                                            <label for="invite-role">{t!(i18n, fields.role)}</label>
                                            <select id="invite-role" name="role"><RoleOptions selected=role_now /></select>
                                        </div>
                                        <button type="submit" class="button primary">{t!(i18n, networks.invite_submit)}</button>
                                    </ActionForm>
                                </section>
                                <h2>{t!(i18n, networks.invitations)}</h2>
                                <ActionError action=revoke />
                                {if m.invitations.is_empty() {
                                    view! { <p class="hint">{t!(i18n, networks.invitations_none)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="rows">
                                            {m.invitations.into_iter().map(|inv| {
                                                let slug = slug.clone();
                                                let email = inv.email.clone();
                                                let date = inv.expires_on.clone();
                                                view! {
                                                    <li>
                                                        <span>{inv.email.clone()} " · " <RoleName role=inv.role /> " · "
                                                            {if inv.expired { t!(i18n, networks.expired).into_any() } else { t!(i18n, networks.valid_until, date = move || date.clone()).into_any() }}
                                                        </span>
                                                        <ActionForm action=revoke attr:class="inline">
                                                            <input type="hidden" name="slug" value=slug />
                                                            <input type="hidden" name="id" value=inv.id.to_string() />
                                                            <button type="submit" class="button"
                                                                aria-label=move || t_string!(i18n, networks.revoke_for, email = email.clone()).to_string()>
                                                                {t!(i18n, networks.revoke)}
                                                            </button>
                                                        </ActionForm>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                <h2>{t!(i18n, networks.join_requests)}</h2>
                                <ActionError action=decide />
                                {if m.join_requests.is_empty() {
                                    view! { <p class="hint">{t!(i18n, networks.join_requests_none)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="rows">
                                            {m.join_requests.into_iter().map(|req| {
                                                let slug = slug.clone();
                                                let select_id = format!("join-role-{}", req.id);
                                                let name = req.name.clone();
                                                view! {
                                                    <li class="stack">
                                                        <p><strong>{req.name.clone()}</strong> " · " {req.email.clone()}</p>
                                                        {(!req.message.is_empty()).then(|| view! { <blockquote>{req.message.clone()}</blockquote> })}
                                                        <ActionForm action=decide attr:class="inline">
                                                            <input type="hidden" name="slug" value=slug />
                                                            <input type="hidden" name="id" value=req.id.to_string() />
                                                            <label for=select_id.clone() class="visually-hidden">
                                                                {t!(i18n, networks.role_for, name = move || name.clone())}
                                                            </label>
                                                            <select id=select_id name="role"><RoleOptions selected=NetworkRole::Coach /></select>
                                                            <button type="submit" name="decision" value="approve" class="button primary">{t!(i18n, networks.approve)}</button>
                                                            <button type="submit" name="decision" value="decline" class="button">{t!(i18n, networks.decline)}</button>
                                                        </ActionForm>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                <h2>{t!(i18n, networks.handovers)}</h2>
                                {if m.handovers.is_empty() {
                                    view! { <p class="hint">{t!(i18n, networks.handovers_none)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="rows">
                                            {m.handovers.into_iter().map(|h| {
                                                let place = h.municipality.clone();
                                                view! {
                                                    <li class="stack">
                                                        <p><strong>{h.from_name.clone()}</strong> " · "
                                                            <a href=format!("mailto:{}", h.from_email)>{h.from_email.clone()}</a>
                                                            " · " {h.sent_on.clone()}
                                                            {place.map(|p| view! { " · " {t!(i18n, networks.about_municipality, place = move || p.clone())} })}
                                                        </p>
                                                        <blockquote>{h.message.clone()}</blockquote>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
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

/// The page an invitation link opens. Works signed in or out.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let inv = Resource::new(move || token.get(), super::invitation);
    let accept = ServerAction::<super::AcceptInvitation>::new();
    let auth = crate::app::use_auth();
    let display_name = kept("display_name");
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, invitation.title).to_string()) />
        <Suspense fallback=|| ()>
            {move || inv.get().zip(auth.me.get()).map(|(r, me)| match r {
                Ok(inv) => {
                    let me = me.ok().flatten();
                    let network = inv.network_name.clone();
                    let network2 = inv.network_name.clone();
                    let email = inv.email.clone();
                    let email_shown = inv.email.clone();
                    let inviter = inv.inviter.clone();
                    let role = inv.role;
                    let role_text = move || match role {
                        NetworkRole::Facilitator => t_string!(i18n, roles.facilitator),
                        NetworkRole::Coach => t_string!(i18n, roles.coach),
                        NetworkRole::ExpertByExperience => t_string!(i18n, roles.expert),
                        NetworkRole::Observer => t_string!(i18n, roles.observer),
                    }.to_string();
                    let tok = token.get_untracked();
                    let body = match inv.state {
                        super::InvitationState::Expired => view! { <div class="alert error" role="alert">{t!(i18n, errors.invitation_expired)}</div> }.into_any(),
                        super::InvitationState::Used => view! { <div class="alert error" role="alert">{t!(i18n, errors.invitation_used)}</div> }.into_any(),
                        super::InvitationState::Open if me.is_some() => view! {
                            <ActionForm action=accept attr:class="stack">
                                <ActionError action=accept />
                                <input type="hidden" name="token" value=tok />
                                <button type="submit" class="button primary">{t!(i18n, invitation.accept)}</button>
                            </ActionForm>
                        }.into_any(),
                        super::InvitationState::Open if inv.account_exists => view! {
                            <p>{t!(i18n, invitation.sign_in_first)}</p>
                            <p><A href=format!("/sign-in?next=/invite/{tok}") attr:class="button primary">{t!(i18n, nav.sign_in)}</A></p>
                        }.into_any(),
                        super::InvitationState::Open => view! {
                            <h2>{t!(i18n, invitation.create_account)}</h2>
                            <p class="hint">{t!(i18n, invitation.create_account_hint)}</p>
                            <ActionForm action=accept attr:class="stack" attr:novalidate=true>
                                <ActionError action=accept />
                                <input type="hidden" name="token" value=tok />
                                <div class="field">
                                    <label for="inv-email">{t!(i18n, fields.email)}</label>
                                    <input id="inv-email" type="email" value=email.clone() readonly autocomplete="username" />
                                </div>
                                <div class="field">
                                    <label for="display_name">{t!(i18n, fields.display_name)}</label>
                                    <input id="display_name" name="display_name" type="text" required maxlength="100"
                                        autocomplete="name" value=display_name />
                                </div>
                                <div class="field">
                                    <label for="password">{t!(i18n, fields.password)}</label>
                                    <input id="password" name="password" type="password" required
                                        autocomplete="new-password" aria-describedby="pw-hint" />
                                    <p class="hint" id="pw-hint">{t!(i18n, account.password_hint)}</p>
                                </div>
                                <div class="field">
                                    <label for="password_repeat">{t!(i18n, fields.password_repeat)}</label>
                                    <input id="password_repeat" name="password_repeat" type="password" required
                                        autocomplete="new-password" />
                                </div>
                                <button type="submit" class="button primary">{t!(i18n, invitation.accept_and_create)}</button>
                            </ActionForm>
                        }.into_any(),
                    };
                    view! {
                        <section class="page narrow">
                            <h1>{t!(i18n, invitation.title)}</h1>
                            <p class="lead">
                                {match inviter {
                                    Some(who) => t!(i18n, invitation.lead, inviter = move || who.clone(), network = move || network.clone(), role = role_text).into_any(),
                                    None => t!(i18n, invitation.lead_anonymous, network = move || network2.clone(), role = role_text).into_any(),
                                }}
                            </p>
                            <p class="hint">{t!(i18n, invitation.for_email, email = move || email_shown.clone())}</p>
                            {body}
                        </section>
                    }.into_any()
                }
                Err(err) => failed(err),
            })}
        </Suspense>
    }
}

/// "Wie doet gezinscoaching waar?": search by municipality or postcode.
#[component]
pub fn DirectoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let results = Resource::new(move || q.get(), super::directory);
    let may_handover = Resource::new(|| (), |_| super::may_send_handover());
    let handover = ServerAction::<super::SendHandover>::new();
    let kept_message = kept("message");
    let kept_to = kept("handover_to");
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, directory.title).to_string()) />
        <RequireUser children=move |_me| view! {
            <section class="page">
                <Done />
                <h1>{t!(i18n, directory.title)}</h1>
                <p class="lead">{t!(i18n, directory.lead)}</p>
                <form method="get" action="/directory" class="search" role="search">
                    <label for="q">{t!(i18n, fields.place)}</label>
                    <input id="q" name="q" type="search" maxlength="100" value=move || q.get() autocomplete="off" />
                    <button type="submit" class="button primary">{t!(i18n, directory.search)}</button>
                </form>
                <ActionError action=handover />
                <Suspense fallback=|| ()>
                    {move || results.get().zip(may_handover.get()).map(|(r, may)| {
                        let may = may.unwrap_or(false);
                        match r {
                            Ok(places) if places.is_empty() && !q.get_untracked().trim().is_empty() => {
                                let typed = q.get_untracked();
                                view! { <p role="status">{t!(i18n, directory.no_results, q = move || typed.clone())}</p> }.into_any()
                            }
                            Ok(places) => places.into_iter().map(|place| view! {
                                <DirectoryPlaceView place may_handover=may handover
                                    kept_message=kept_message.get_untracked() kept_to=kept_to.get_untracked()
                                    q=q.get_untracked() />
                            }).collect_view().into_any(),
                            Err(err) => view! { <div class="alert error" role="alert"><crate::ui::ErrorText err /></div> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        } />
    }
}

#[component]
fn DirectoryPlaceView(
    place: super::DirectoryPlace,
    may_handover: bool,
    handover: ServerAction<super::SendHandover>,
    kept_message: String,
    kept_to: String,
    q: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = place.municipality.name.clone();
    let (n1, n2) = (name.clone(), name.clone());
    let province = place.municipality.province.clone();
    let nis = place.municipality.nis_code.clone();
    let heading_id = format!("place-{nis}");
    let labelled_by = heading_id.clone();
    view! {
        <article class="place" aria-labelledby=labelled_by>
            <h2 id=heading_id>{name.clone()}
                " " <span class="hint">"(" {t!(i18n, directory.province, name = move || province.clone())} ")"</span>
            </h2>
            <h3>{t!(i18n, directory.networks_here, place = move || n1.clone())}</h3>
            {if place.networks.is_empty() {
                view! { <p class="hint">{t!(i18n, directory.no_networks)}</p> }.into_any()
            } else {
                place.networks.into_iter().map(|net| {
                    let form_id = format!("handover-{}-{}", nis, net.slug);
                    let net_name = net.name.clone();
                    let message = if kept_to == net.slug { kept_message.clone() } else { String::new() };
                    let open = !message.is_empty();
                    let (nis, q) = (nis.clone(), q.clone());
                    view! {
                        <section class="card">
                            <h4><A href=format!("/networks/{}", net.slug)>{net.name.clone()}</A></h4>
                            <p class="hint"><KindName kind=net.kind /></p>
                            {if net.contacts.is_empty() {
                                view! { <p class="hint">{t!(i18n, directory.no_contacts)}</p> }.into_any()
                            } else {
                                view! {
                                    <p>{t!(i18n, directory.contacts)}</p>
                                    <ul>
                                        {net.contacts.into_iter().map(|c| view! {
                                            <li>{c.name.clone()} " (" <RoleName role=c.role /> {c.organisation.clone().map(|o| format!(", {o}"))} ") · "
                                                <a href=format!("mailto:{}", c.email)>{c.email.clone()}</a></li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {may_handover.then(|| view! {
                                <details open=open>
                                    <summary>{t!(i18n, directory.handover_title, network = move || net_name.clone())}</summary>
                                    <ActionForm action=handover attr:class="stack">
                                        <input type="hidden" name="slug" value=net.slug.clone() />
                                        <input type="hidden" name="nis_code" value=nis.clone() />
                                        <input type="hidden" name="q" value=q.clone() />
                                        <p class="hint" id=format!("{form_id}-hint")>{t!(i18n, directory.handover_hint)}</p>
                                        <div class="field">
                                            <label for=form_id.clone()>{t!(i18n, fields.message)}</label>
                                            <textarea id=form_id.clone() name="message" rows="4" minlength="10" maxlength="1000"
                                                aria-describedby=format!("{form_id}-hint")>{message}</textarea>
                                        </div>
                                        <button type="submit" class="button primary">{t!(i18n, directory.handover_send)}</button>
                                    </ActionForm>
                                </details>
                            })}
                        </section>
                    }
                }).collect_view().into_any()
            }}
            {(!place.organisations.is_empty()).then(|| view! {
                <h3>{t!(i18n, directory.organisations_here, place = move || n2.clone())}</h3>
                <ul>{place.organisations.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
            })}
        </article>
    }
}

/// A facilitator or admin creates a network (and becomes its facilitator).
#[component]
pub fn NewNetworkPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<super::CreateNetwork>::new();
    let may_create = Resource::new(|| (), |_| super::may_create_network());
    let (name, slug, description) = (kept("name"), kept("slug"), kept("description"));
    let kind = kept("kind");
    let policy = kept("join_policy");
    let (municipalities, organisations) = (kept("municipalities"), kept("organisations"));
    let kind_is = move |k: &'static str| move || kind.get() == k || (kind.get().is_empty() && k == "local");
    let policy_is =
        move |p: &'static str| move || policy.get() == p || (policy.get().is_empty() && p == "request");
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, networks.create).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || may_create.get().map(|r| match r {
                    Ok(true) => view! {
                        <section class="page narrow">
                            <h1>{t!(i18n, networks.create)}</h1>
                            <ActionForm action=create attr:class="stack" attr:novalidate=true>
                                <ActionError action=create />
                                <div class="field">
                                    <label for="name">{t!(i18n, fields.network_name)}</label>
                                    <input id="name" name="name" type="text" required maxlength="200" value=name />
                                </div>
                                <div class="field">
                                    <label for="slug">{t!(i18n, fields.slug)}</label>
                                    <input id="slug" name="slug" type="text" required maxlength="80"
                                        pattern="[a-z0-9]+(-[a-z0-9]+)*" aria-describedby="slug-hint" value=slug />
                                    <p class="hint" id="slug-hint">{t!(i18n, networks.slug_hint)}</p>
                                </div>
                                <div class="field">
                                    <label for="description">{t!(i18n, fields.description)}</label>
                                    <textarea id="description" name="description" rows="4" maxlength="5000">{description}</textarea>
                                </div>
                                <fieldset class="field">
                                    <legend>{t!(i18n, fields.network_kind)}</legend>
                                    <label><input type="radio" name="kind" value="local" checked=kind_is("local") /> " " {t!(i18n, networks.kind_local)}</label>
                                    <label><input type="radio" name="kind" value="inter_municipal" checked=kind_is("inter_municipal") /> " " {t!(i18n, networks.kind_inter_municipal)}</label>
                                    <label><input type="radio" name="kind" value="supra_local" checked=kind_is("supra_local") /> " " {t!(i18n, networks.kind_supra_local)}</label>
                                </fieldset>
                                <div class="field">
                                    <label for="municipalities">{t!(i18n, fields.municipalities)}</label>
                                    <input id="municipalities" name="municipalities" type="text" maxlength="2000"
                                        aria-describedby="municipalities-hint" value=municipalities />
                                    <p class="hint" id="municipalities-hint">{t!(i18n, networks.municipalities_hint)}</p>
                                </div>
                                <div class="field">
                                    <label for="organisations">{t!(i18n, fields.organisations)}</label>
                                    <textarea id="organisations" name="organisations" rows="4" maxlength="6000"
                                        aria-describedby="organisations-hint">{organisations}</textarea>
                                    <p class="hint" id="organisations-hint">{t!(i18n, networks.organisations_hint)}</p>
                                </div>
                                <fieldset class="field">
                                    <legend>{t!(i18n, fields.join_policy)}</legend>
                                    <label><input type="radio" name="join_policy" value="invite" checked=policy_is("invite") /> " " {t!(i18n, networks.policy_invite)}</label>
                                    <label><input type="radio" name="join_policy" value="request" checked=policy_is("request") /> " " {t!(i18n, networks.policy_request)}</label>
                                    <label><input type="radio" name="join_policy" value="open" checked=policy_is("open") /> " " {t!(i18n, networks.policy_open)}</label>
                                </fieldset>
                                <button type="submit" class="button primary">{t!(i18n, networks.create)}</button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                    _ => view! { <NotFound /> }.into_any(),
                })}
            </Suspense>
        } />
    }
}
