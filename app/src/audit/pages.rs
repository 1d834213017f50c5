use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::AuditAction;
use crate::i18n::*;
use crate::ui::{PageTitle, RequireUser, failed};

fn action_name(i18n: leptos_i18n::I18nContext<Locale>, action: AuditAction) -> String {
    match action {
        AuditAction::SignIn => t_string!(i18n, audit.sign_in),
        AuditAction::SignInFailed => t_string!(i18n, audit.sign_in_failed),
        AuditAction::SignOut => t_string!(i18n, audit.sign_out),
        AuditAction::PasswordChanged => t_string!(i18n, audit.password_changed),
        AuditAction::MemberAdded => t_string!(i18n, audit.member_added),
        AuditAction::RoleChanged => t_string!(i18n, audit.role_changed),
        AuditAction::MemberRemoved => t_string!(i18n, audit.member_removed),
        AuditAction::CaseRead => t_string!(i18n, audit.case_read),
        AuditAction::CasePurged => t_string!(i18n, audit.case_purged),
        AuditAction::DataExported => t_string!(i18n, audit.data_exported),
        AuditAction::AccountDeleted => t_string!(i18n, audit.account_deleted),
        AuditAction::TwoFactorEnabled => t_string!(i18n, audit.two_factor_enabled),
        AuditAction::TwoFactorDisabled => t_string!(i18n, audit.two_factor_disabled),
        AuditAction::TwoFactorFailed => t_string!(i18n, audit.two_factor_failed),
        AuditAction::RecoveryCodeUsed => t_string!(i18n, audit.recovery_code_used),
        AuditAction::SsoLinked => t_string!(i18n, audit.sso_linked),
        AuditAction::SsoUnlinked => t_string!(i18n, audit.sso_unlinked),
    }
    .to_string()
}

/// `/admin/audit`: the log with filters (a plain GET form: works without
/// JavaScript, and a filtered view is a link an admin can share).
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).filter(|v| !v.is_empty());
    let data = Resource::new(
        move || {
            (
                param("action"),
                param("network"),
                param("person"),
                param("before"),
            )
        },
        |(action, network, person, before)| super::audit_log(action, network, person, before),
    );
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, audit.title).to_string()) />
        <RequireUser children=move |_me| view! {
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Err(err) => failed(err),
                    Ok(v) => {
                        let chosen_action = param("action").unwrap_or_default();
                        let chosen_network = param("network").unwrap_or_default();
                        let person = param("person").unwrap_or_default();
                        let older = v.older.map(|id| {
                            let mut q: Vec<String> = [("action", &chosen_action), ("network", &chosen_network), ("person", &person)]
                                .into_iter()
                                .filter(|(_, v)| !v.is_empty())
                                .map(|(k, v)| format!("{k}={}", crate::ui::urlencode(v)))
                                .collect();
                            q.push(format!("before={id}"));
                            format!("/admin/audit?{}", q.join("&"))
                        });
                        let empty = v.rows.is_empty();
                        view! {
                            <section class="page">
                                <h1>{t!(i18n, audit.title)}</h1>
                                <p class="lead">{t!(i18n, audit.intro)}</p>
                                <form method="get" action="/admin/audit" class="filters card">
                                    <div class="field">
                                        <label for="action">{t!(i18n, audit.what)}</label>
                                        <select id="action" name="action">
                                            <option value="">{t!(i18n, audit.every_action)}</option>
                                            {AuditAction::ALL.into_iter().map(|a| {
                                                let selected = chosen_action == a.key();
                                                view! { <option value=a.key() selected=selected>{action_name(i18n, a)}</option> }
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label for="network">{t!(i18n, audit.network)}</label>
                                        <select id="network" name="network">
                                            <option value="">{t!(i18n, audit.every_network)}</option>
                                            {v.networks.iter().map(|(id, name)| {
                                                let selected = chosen_network == id.to_string();
                                                view! { <option value=id.to_string() selected=selected>{name.clone()}</option> }
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label for="person">{t!(i18n, audit.person)}</label>
                                        <input id="person" name="person" type="search" maxlength="254" value=person />
                                    </div>
                                    <button type="submit" class="button primary">{t!(i18n, audit.filter)}</button>
                                </form>
                                {if empty {
                                    view! { <p>{t!(i18n, audit.none)}</p> }.into_any()
                                } else {
                                    view! {
                                        // Scrolls sideways on a phone: reachable by keyboard.
                                        <div class="table-wrap" role="region" tabindex="0"
                                            aria-label=move || t_string!(i18n, audit.title).to_string()>
                                            <table>
                                                <thead><tr>
                                                    <th scope="col">{t!(i18n, audit.when)}</th>
                                                    <th scope="col">{t!(i18n, audit.who)}</th>
                                                    <th scope="col">{t!(i18n, audit.what)}</th>
                                                    <th scope="col">{t!(i18n, audit.network)}</th>
                                                    <th scope="col">{t!(i18n, audit.subject)}</th>
                                                    <th scope="col">{t!(i18n, audit.detail)}</th>
                                                    <th scope="col">{t!(i18n, audit.address)}</th>
                                                </tr></thead>
                                                <tbody>
                                                    {v.rows.into_iter().map(|row| view! {
                                                        <tr>
                                                            <td>{row.at}</td>
                                                            <td>{row.actor.unwrap_or_else(|| t_string!(i18n, audit.nobody).to_string())}</td>
                                                            <td>{action_name(i18n, row.action)}</td>
                                                            <td>{row.network.unwrap_or_default()}</td>
                                                            <td>{row.subject.map(|s| format!("#{s}")).unwrap_or_default()}</td>
                                                            <td>{row.detail}</td>
                                                            <td>{row.ip}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                                {older.map(|href| view! { <p><a href=href>{t!(i18n, audit.older)}</a></p> })}
                            </section>
                        }.into_any()
                    }
                })}
            </Suspense>
        } />
    }
}
