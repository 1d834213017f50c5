//! Cases: drafting with the anonymiser, publication (directly or through a
//! facilitator's anonymity check), threads with phase-tagged replies and
//! reflections, reactions, reports, the read audit, the confidentiality
//! statement and the retention purge. Plain functions over a database
//! handle; every read and write asks `authz` first.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Months, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::entity::{
    acceptance, case, network_settings, purge, reaction, read, reply, reply_draft, report, version,
};
use super::text::{Checked, Decisions};
use super::{
    AuditRow, AuditView, CaseStatus, CaseSummary, CheckView, EditorView, NetworkCases, PhaseTag, PurgeRow,
    Reaction, ReactionCount, ReplyView, ReportItem, ReviewItem, ReviewView, ThreadView,
};
use crate::accounts::entity::user;
use crate::authz::{self, Action, Actor, ResourceKind, Target, Visibility};
use crate::db::begin_write;
use crate::errors::{AppError, Field, Problem};
use crate::i18n::Locale;
use crate::mail::{self, Outgoing};
use crate::networks::NetworkRole;
use crate::networks::entity::{membership, network};
use crate::sessions::entity::{method_phase, session};
use crate::ui::markdown::to_safe_html;

pub const TITLE_MAX: usize = 200;
/// Case text (characters): a long case fits; a pasted file does not.
pub const BODY_MAX: usize = 20_000;
pub const REPLY_MAX: usize = 10_000;
pub const REASON_MAX: usize = 1_000;
pub const COMMENT_MAX: usize = 2_000;
pub const STATEMENT_MAX: usize = 5_000;
pub const RETENTION_MAX_MONTHS: u32 = 60;
/// A closed case stays readable this long, then it is purged.
pub const CLOSED_GRACE_DAYS: i64 = 30;

fn case_target(network: i64, kind: ResourceKind, author: Option<i64>) -> Target {
    Target::Resource {
        network,
        kind,
        visibility: Visibility::Network,
        author,
    }
}

fn status(c: &case::Model) -> CaseStatus {
    CaseStatus::parse(&c.status).unwrap_or(CaseStatus::Draft)
}

fn is_author(actor: &Actor, c: &case::Model) -> bool {
    c.author_id.is_some() && c.author_id == actor.user
}

fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Brussels)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn checked_text(raw: &str, field: Field, max: usize, required: bool) -> Result<String, AppError> {
    let text = raw.trim();
    if required && text.is_empty() {
        return Err(AppError::invalid(field, Problem::Empty));
    }
    if text.chars().count() > max {
        return Err(AppError::invalid(field, Problem::TooLong { max: max as u32 }));
    }
    Ok(text.to_owned())
}

/// A single line: titles never hold a line break (the check joins them).
/// A draft may still lack one (nothing typed is refused); publication
/// asks for it.
fn checked_title(raw: &str) -> Result<String, AppError> {
    let one_line = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    checked_text(&one_line, Field::Title, TITLE_MAX, false)
}

async fn network_by_slug<C: ConnectionTrait>(db: &C, slug: &str) -> Result<network::Model, AppError> {
    crate::networks::domain::find_by_slug(db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

async fn settings<C: ConnectionTrait>(db: &C, network_id: i64) -> Result<network_settings::Model, AppError> {
    network_settings::Entity::find_by_id(network_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

fn statement_text(s: &network_settings::Model, english: bool) -> String {
    match &s.confidentiality_statement {
        Some(text) if !text.trim().is_empty() => text.clone(),
        _ => {
            let l = if english { Locale::en } else { Locale::nl };
            crate::i18n::td_string!(l, cases.statement_default).to_string()
        }
    }
}

async fn accepted<C: ConnectionTrait>(db: &C, network_id: i64, user: Option<i64>) -> Result<bool, AppError> {
    let Some(user) = user else { return Ok(false) };
    Ok(acceptance::Entity::find_by_id((network_id, user))
        .one(db)
        .await?
        .is_some())
}

/// Cases are read only after the network's confidentiality statement was
/// accepted (shared professional secrecy).
async fn require_acceptance<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
) -> Result<(), AppError> {
    if accepted(db, network_id, actor.user).await? {
        Ok(())
    } else {
        Err(AppError::ConfidentialityRequired)
    }
}

/// Members' names, for @mentions.
async fn member_names<C: ConnectionTrait>(db: &C, network_id: i64) -> Result<Vec<(i64, String)>, AppError> {
    Ok(user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::DisplayName])
        .inner_join_on_membership(network_id)
        .into_tuple()
        .all(db)
        .await?)
}

trait JoinMembership {
    fn inner_join_on_membership(self, network_id: i64) -> Self;
}

impl JoinMembership for sea_orm::Select<user::Entity> {
    fn inner_join_on_membership(self, network_id: i64) -> Self {
        self.filter(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(membership::Column::UserId)
                    .from(membership::Entity)
                    .and_where(membership::Column::NetworkId.eq(network_id))
                    .to_owned(),
            ),
        )
    }
}

async fn names<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::DisplayName])
        .filter(user::Column::Id.is_in(ids.to_vec()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

async fn load<C: ConnectionTrait>(db: &C, id: i64) -> Result<case::Model, AppError> {
    case::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The case, if the actor may read it: members bound to discuss cases see
/// published and closed ones; the author sees their own; facilitators see
/// those waiting for their check. Anything else reads as not found.
async fn readable<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> Result<case::Model, AppError> {
    let c = load(db, id).await?;
    authz::check(
        actor,
        Action::Read,
        case_target(c.network_id, ResourceKind::Case, c.author_id),
    )?;
    let st = status(&c);
    let moderator = authz::may(actor, Action::ModerateCases, Target::Network(c.network_id));
    if st.is_visible() || is_author(actor, &c) || (st == CaseStatus::InReview && moderator) {
        Ok(c)
    } else {
        Err(AppError::NotFound)
    }
}

/// The case for its author's editor (only the author ever sees the raw draft).
async fn own<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> Result<case::Model, AppError> {
    let c = load(db, id).await?;
    if authz::may_write_case(actor, c.network_id, c.author_id) {
        Ok(c)
    } else {
        Err(AppError::NotFound)
    }
}

fn summary(c: &case::Model, replies: u32, actor: &Actor, author_view: bool) -> CaseSummary {
    let title = if author_view && !status(c).is_visible() {
        c.draft_title.clone()
    } else {
        c.title.clone()
    };
    CaseSummary {
        id: c.id,
        title,
        status: status(c),
        replies,
        last_activity: c.last_activity_at.format("%Y-%m-%d").to_string(),
        invites_reflection: c.invites_reflection,
        mine: is_author(actor, c),
    }
}

async fn reply_counts<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<HashMap<i64, u32>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = reply::Entity::find()
        .select_only()
        .column(reply::Column::CaseId)
        .column_as(reply::Column::Id.count(), "n")
        .filter(reply::Column::CaseId.is_in(ids.to_vec()))
        .group_by(reply::Column::CaseId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(c, n)| (c, n as u32)).collect())
}

pub async fn network_cases<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    english: bool,
) -> Result<NetworkCases, AppError> {
    let net = network_by_slug(db, slug).await?;
    authz::check(actor, Action::Read, case_target(net.id, ResourceKind::Case, None))?;
    let s = settings(db, net.id).await?;
    let may_moderate = authz::may(actor, Action::ModerateCases, Target::Network(net.id));
    let mut view = NetworkCases {
        slug: net.slug.clone(),
        name: net.name.clone(),
        statement: None,
        may_create: authz::may(
            actor,
            Action::Create,
            case_target(net.id, ResourceKind::Case, None),
        ),
        may_moderate,
        may_audit: authz::may(actor, Action::ViewCaseAudit, Target::Network(net.id)),
        cases: Vec::new(),
        mine: Vec::new(),
        in_review: 0,
        open_reports: 0,
        retention_months: s.case_retention_months.max(1) as u32,
        needs_review: s.cases_need_review,
    };
    if !accepted(db, net.id, actor.user).await? {
        view.statement = Some(statement_text(&s, english));
        return Ok(view);
    }
    let visible = case::Entity::find()
        .filter(case::Column::NetworkId.eq(net.id))
        .filter(case::Column::Status.is_in([CaseStatus::Published.as_str(), CaseStatus::Closed.as_str()]))
        .order_by_desc(case::Column::LastActivityAt)
        .limit(200)
        .all(db)
        .await?;
    let mine = match actor.user {
        Some(me) => {
            case::Entity::find()
                .filter(case::Column::NetworkId.eq(net.id))
                .filter(case::Column::AuthorId.eq(me))
                .filter(
                    case::Column::Status
                        .is_not_in([CaseStatus::Published.as_str(), CaseStatus::Closed.as_str()]),
                )
                .order_by_desc(case::Column::UpdatedAt)
                .all(db)
                .await?
        }
        None => Vec::new(),
    };
    let ids: Vec<i64> = visible.iter().map(|c| c.id).collect();
    let counts = reply_counts(db, &ids).await?;
    view.cases = visible
        .iter()
        .map(|c| summary(c, counts.get(&c.id).copied().unwrap_or(0), actor, false))
        .collect();
    view.mine = mine.iter().map(|c| summary(c, 0, actor, true)).collect();
    if may_moderate {
        view.in_review = case::Entity::find()
            .filter(case::Column::NetworkId.eq(net.id))
            .filter(case::Column::Status.eq(CaseStatus::InReview.as_str()))
            .count(db)
            .await? as u32;
        view.open_reports = open_reports(db, net.id).await?.len() as u32;
    }
    Ok(view)
}

async fn open_reports<C: ConnectionTrait>(db: &C, network_id: i64) -> Result<Vec<report::Model>, AppError> {
    let ids: Vec<i64> = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .filter(case::Column::NetworkId.eq(network_id))
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(report::Entity::find()
        .filter(report::Column::CaseId.is_in(ids))
        .filter(report::Column::ResolvedAt.is_null())
        .order_by_asc(report::Column::Id)
        .all(db)
        .await?)
}

pub async fn accept_confidentiality<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
) -> Result<(), AppError> {
    let net = network_by_slug(db, slug).await?;
    authz::check(actor, Action::Read, case_target(net.id, ResourceKind::Case, None))?;
    let me = actor.user.ok_or(AppError::NotSignedIn)?;
    acceptance::Entity::insert(acceptance::ActiveModel {
        network_id: Set(net.id),
        user_id: Set(me),
        accepted_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([acceptance::Column::NetworkId, acceptance::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

/// When the actor accepted the statement of a network (None: not yet).
pub async fn accepted_at<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
    user: i64,
) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(acceptance::Entity::find_by_id((network_id, user))
        .one(db)
        .await?
        .map(|a| a.accepted_at))
}

/// What a coach writes, before the anonymiser's decisions.
#[derive(Debug, Clone, Default)]
pub struct CaseInput {
    pub title: String,
    pub body: String,
    pub session_id: Option<i64>,
    pub invites_reflection: bool,
    pub decisions: Decisions,
}

async fn check_session<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
    session_id: Option<i64>,
) -> Result<(), AppError> {
    if let Some(sid) = session_id {
        let ok = session::Entity::find_by_id(sid)
            .one(db)
            .await?
            .is_some_and(|s| s.network_id == network_id);
        if !ok {
            return Err(AppError::invalid(Field::Session, Problem::Malformed));
        }
    }
    Ok(())
}

/// Starts a draft (only its author sees it).
pub async fn create_case<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    input: CaseInput,
) -> Result<i64, AppError> {
    let net = network_by_slug(db, slug).await?;
    authz::check(
        actor,
        Action::Create,
        case_target(net.id, ResourceKind::Case, None),
    )?;
    require_acceptance(db, actor, net.id).await?;
    let title = checked_title(&input.title)?;
    let body = checked_text(&input.body, Field::CaseText, BODY_MAX, false)?;
    check_session(db, net.id, input.session_id).await?;
    let now = Utc::now();
    let row = case::ActiveModel {
        network_id: Set(net.id),
        session_id: Set(input.session_id),
        author_id: Set(actor.user),
        status: Set(CaseStatus::Draft.as_str().to_owned()),
        title: Set(String::new()),
        body: Set(String::new()),
        draft_title: Set(title),
        draft_body: Set(body),
        decisions: Set(input.decisions.to_json()),
        invites_reflection: Set(input.invites_reflection),
        review_comment: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        last_activity_at: Set(now),
        published_at: Set(None),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// The case text as one string for the anonymiser: the title is its first
/// line, so both get the same pseudonyms.
fn joined(title: &str, body: &str) -> String {
    format!("{title}\n\n{body}")
}

fn split_joined(text: &str) -> (String, String) {
    match text.split_once("\n\n") {
        Some((t, b)) => (t.to_owned(), b.to_owned()),
        None => (text.to_owned(), String::new()),
    }
}

/// The network's sessions a case can be linked to: not cancelled, from two
/// months back on, at most 24, as (id, "date · title").
async fn linkable_sessions<C: ConnectionTrait>(
    db: &C,
    network_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(session::Entity::find()
        .select_only()
        .columns([
            session::Column::Id,
            session::Column::Title,
            session::Column::StartsAt,
        ])
        .filter(session::Column::NetworkId.eq(network_id))
        .filter(session::Column::CancelledAt.is_null())
        .filter(session::Column::StartsAt.gte(Utc::now() - Duration::days(60)))
        .order_by_asc(session::Column::StartsAt)
        .limit(24)
        .into_tuple::<(i64, String, DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, at)| (id, format!("{} · {title}", local(at))))
        .collect())
}

/// The editor: the raw draft with the anonymiser's findings.
pub async fn editor<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> Result<EditorView, AppError> {
    let c = own(db, actor, id).await?;
    let net = network::Entity::find_by_id(c.network_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let s = settings(db, c.network_id).await?;
    let members = member_names(db, c.network_id).await?;
    let decisions = Decisions::parse(&c.decisions);
    let text = joined(&c.draft_title, &c.draft_body);
    let checked = Checked::new(&text, &members, &decisions);
    let sessions = linkable_sessions(db, c.network_id).await?;
    Ok(EditorView {
        id: c.id,
        slug: net.slug,
        network_name: net.name,
        status: status(&c),
        title: c.draft_title.clone(),
        body: c.draft_body.clone(),
        session_id: c.session_id,
        sessions,
        invites_reflection: c.invites_reflection,
        review_comment: c.review_comment.clone(),
        needs_review: s.cases_need_review,
        check: checked.view(&text),
        title_check: CheckView::default(),
    })
}

/// The live check of the editor: the text as typed, against the stored
/// decisions; nothing is saved.
pub async fn check_text<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    title: &str,
    body: &str,
) -> Result<CheckView, AppError> {
    let c = own(db, actor, id).await?;
    if title.chars().count() > TITLE_MAX || body.chars().count() > BODY_MAX {
        return Err(AppError::invalid(
            Field::CaseText,
            Problem::TooLong { max: BODY_MAX as u32 },
        ));
    }
    let members = member_names(db, c.network_id).await?;
    let text = joined(title.trim(), body.trim());
    Ok(Checked::new(&text, &members, &Decisions::parse(&c.decisions)).view(&text))
}

/// Saves the author's draft and decisions (never visible to others).
pub async fn save_case<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    input: CaseInput,
) -> Result<(), AppError> {
    let c = own(db, actor, id).await?;
    if status(&c) == CaseStatus::Closed {
        return Err(AppError::CaseClosed);
    }
    let title = checked_title(&input.title)?;
    let body = checked_text(&input.body, Field::CaseText, BODY_MAX, false)?;
    check_session(db, c.network_id, input.session_id).await?;
    let mut decisions = Decisions::parse(&c.decisions);
    for d in input.decisions.entries {
        decisions.set(d);
    }
    let mut am = c.into_active_model();
    am.draft_title = Set(title);
    am.draft_body = Set(body);
    am.session_id = Set(input.session_id);
    am.invites_reflection = Set(input.invites_reflection);
    am.decisions = Set(decisions.to_json());
    am.updated_at = Set(Utc::now());
    am.update(db).await?;
    Ok(())
}

/// Autosave: the draft text only, quietly.
pub async fn autosave<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    title: &str,
    body: &str,
) -> Result<(), AppError> {
    let c = own(db, actor, id).await?;
    if status(&c) == CaseStatus::Closed {
        return Err(AppError::CaseClosed);
    }
    let title: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.chars().count() > TITLE_MAX || body.chars().count() > BODY_MAX {
        return Err(AppError::invalid(
            Field::CaseText,
            Problem::TooLong { max: BODY_MAX as u32 },
        ));
    }
    let mut am = c.into_active_model();
    am.draft_title = Set(title);
    am.draft_body = Set(body.trim().to_owned());
    am.updated_at = Set(Utc::now());
    am.update(db).await?;
    Ok(())
}

/// Publishes the saved draft: refused while high-confidence findings are
/// unresolved; through the anonymity check when the network asks for it.
/// Returns the new status.
pub async fn publish_case<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    base_url: &str,
) -> Result<CaseStatus, AppError> {
    let tx = begin_write(db).await?;
    let c = own(&tx, actor, id).await?;
    let before = status(&c);
    if before == CaseStatus::Closed {
        return Err(AppError::CaseClosed);
    }
    if c.draft_title.trim().is_empty() {
        return Err(AppError::invalid(Field::Title, Problem::Empty));
    }
    if c.draft_body.trim().is_empty() {
        return Err(AppError::invalid(Field::CaseText, Problem::Empty));
    }
    let members = member_names(&tx, c.network_id).await?;
    let text = joined(&c.draft_title, &c.draft_body);
    let checked = Checked::new(&text, &members, &Decisions::parse(&c.decisions));
    let open = checked.unresolved();
    if open > 0 {
        return Err(AppError::CaseUnresolved { count: open });
    }
    let (title, body) = split_joined(&checked.pseudonymise(&text));
    let s = settings(&tx, c.network_id).await?;
    let now = Utc::now();
    let next = if s.cases_need_review {
        CaseStatus::InReview
    } else {
        CaseStatus::Published
    };
    // Edit history: what readers saw before this edit.
    if before.is_visible() || (before == CaseStatus::InReview && c.published_at.is_some()) {
        version::ActiveModel {
            case_id: Set(c.id),
            reply_id: Set(None),
            title: Set(c.title.clone()),
            body: Set(c.body.clone()),
            edited_by: Set(actor.user),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    let first_publication = c.published_at.is_none() && next == CaseStatus::Published;
    let network_id = c.network_id;
    let invites = c.invites_reflection;
    let mut am = c.into_active_model();
    am.title = Set(title.trim().to_owned());
    am.body = Set(body);
    am.status = Set(next.as_str().to_owned());
    am.review_comment = Set(None);
    am.updated_at = Set(now);
    am.last_activity_at = Set(now);
    if next == CaseStatus::Published {
        am.published_at = Set(Some(now));
    }
    let saved = am.update(&tx).await?;
    // Readers' text changed (or left the readers): the index follows.
    crate::search::outbox::record(&tx, crate::search::outbox::Kind::Case, saved.id).await?;
    if next == CaseStatus::InReview {
        let link = format!(
            "{}/networks/{}/cases/review",
            base_url.trim_end_matches('/'),
            slug_of(&tx, network_id).await?
        );
        let text =
            |l: Locale| crate::i18n::td_string!(l, mail.case_review_body, link = link.as_str()).to_string();
        crate::networks::members::notify_facilitators(
            &tx,
            network_id,
            crate::i18n::td_string!(Locale::nl, mail.case_review_subject),
            &crate::networks::members::bilingual(text(Locale::nl), text(Locale::en)),
        )
        .await?;
    }
    if first_publication && invites {
        invite_experts(&tx, &saved, base_url).await?;
    }
    tx.commit().await?;
    Ok(next)
}

async fn slug_of<C: ConnectionTrait>(db: &C, network_id: i64) -> Result<String, AppError> {
    Ok(network::Entity::find_by_id(network_id)
        .one(db)
        .await?
        .map(|n| n.slug)
        .unwrap_or_default())
}

/// A case that asks for reflections tells the network's experts-by-experience.
async fn invite_experts<C: ConnectionTrait>(db: &C, c: &case::Model, base_url: &str) -> Result<(), AppError> {
    let experts: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::Email)
        .filter(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(membership::Column::UserId)
                    .from(membership::Entity)
                    .and_where(membership::Column::NetworkId.eq(c.network_id))
                    .and_where(membership::Column::Role.eq(NetworkRole::ExpertByExperience.as_str()))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    let link = format!("{}/cases/{}", base_url.trim_end_matches('/'), c.id);
    let text =
        |l: Locale| crate::i18n::td_string!(l, mail.case_reflection_body, link = link.as_str()).to_string();
    for to in experts {
        mail::enqueue(
            db,
            Outgoing {
                to,
                subject: crate::i18n::td_string!(Locale::nl, mail.case_reflection_subject).to_string(),
                body: crate::networks::members::bilingual(text(Locale::nl), text(Locale::en)),
            },
        )
        .await?;
    }
    Ok(())
}

/// The phases of the case's session's method and which are open: the
/// phase running now and those before it; all once the session finished.
async fn phases<C: ConnectionTrait>(
    db: &C,
    c: &case::Model,
    english: bool,
) -> Result<(Option<(i64, String)>, Vec<PhaseTag>, Option<u32>), AppError> {
    let Some(sid) = c.session_id else {
        return Ok((None, Vec::new(), None));
    };
    let Some(s) = session::Entity::find_by_id(sid).one(db).await? else {
        return Ok((None, Vec::new(), None));
    };
    let Some(method_id) = s.method_id else {
        return Ok((Some((s.id, s.title)), Vec::new(), None));
    };
    let rows = method_phase::Entity::find()
        .filter(method_phase::Column::MethodId.eq(method_id))
        .order_by_asc(method_phase::Column::Position)
        .all(db)
        .await?;
    let finished = s.current_phase.is_none() && s.phase_started_at.is_some();
    let current = s.current_phase.map(|p| p.max(0) as u32);
    let tags = rows
        .into_iter()
        .enumerate()
        .map(|(i, p)| PhaseTag {
            index: i as u32,
            name: match (english, p.name_en) {
                (true, Some(en)) if !en.is_empty() => en,
                _ => p.name,
            },
            open: finished || current.is_some_and(|c| i as u32 <= c),
        })
        .collect();
    Ok((Some((s.id, s.title)), tags, current))
}

async fn reactions_of<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    me: Option<i64>,
) -> Result<HashMap<i64, Vec<ReactionCount>>, AppError> {
    let rows = reaction::Entity::find()
        .filter(reaction::Column::CaseId.eq(case_id))
        .all(db)
        .await?;
    let mut out: HashMap<i64, Vec<ReactionCount>> = HashMap::new();
    for r in rows {
        let Some(kind) = Reaction::parse(&r.reaction) else {
            continue;
        };
        let list = out.entry(r.reply_id).or_default();
        match list.iter_mut().find(|c| c.reaction == kind) {
            Some(c) => {
                c.count += 1;
                c.mine |= Some(r.user_id) == me;
            }
            None => list.push(ReactionCount {
                reaction: kind,
                count: 1,
                mine: Some(r.user_id) == me,
            }),
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|c| Reaction::ALL.iter().position(|r| *r == c.reaction));
    }
    Ok(out)
}

/// One thread, as a reader sees it. The read is written to the audit log.
pub async fn thread<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    english: bool,
) -> Result<ThreadView, AppError> {
    let c = readable(db, actor, id).await?;
    require_acceptance(db, actor, c.network_id).await?;
    read::ActiveModel {
        case_id: Set(c.id),
        network_id: Set(c.network_id),
        user_id: Set(actor.user),
        read_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let event = crate::audit::domain::Event::new(crate::audit::AuditAction::CaseRead);
    crate::audit::domain::record(db, event.by(actor.user).network(c.network_id).about(c.id)).await?;
    let net = network::Entity::find_by_id(c.network_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let s = settings(db, c.network_id).await?;
    let replies = reply::Entity::find()
        .filter(reply::Column::CaseId.eq(c.id))
        .order_by_asc(reply::Column::Id)
        .all(db)
        .await?;
    let mut people: Vec<i64> = replies.iter().filter_map(|r| r.author_id).collect();
    people.extend(c.author_id);
    people.sort_unstable();
    people.dedup();
    let who = names(db, &people).await?;
    let roles: HashMap<i64, String> = membership::Entity::find()
        .select_only()
        .columns([membership::Column::UserId, membership::Column::Role])
        .filter(membership::Column::NetworkId.eq(c.network_id))
        .filter(membership::Column::UserId.is_in(people.clone()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let (session, tags, current) = phases(db, &c, english).await?;
    let mut reactions = reactions_of(db, c.id, actor.user).await?;
    let reply_target = case_target(c.network_id, ResourceKind::CaseReply, None);
    let open_for_replies = status(&c) == CaseStatus::Published;
    let my_draft = match actor.user {
        Some(me) => reply_draft::Entity::find_by_id((c.id, me))
            .one(db)
            .await?
            .map(|d| d.body)
            .unwrap_or_default(),
        None => String::new(),
    };
    let reply_check = if my_draft.trim().is_empty() {
        None
    } else {
        let members = member_names(db, c.network_id).await?;
        let checked = Checked::new(&my_draft, &members, &Decisions::parse(&c.decisions));
        Some(checked.view(&my_draft))
    };
    let versions = version::Entity::find()
        .filter(version::Column::CaseId.eq(c.id))
        .filter(version::Column::ReplyId.is_null())
        .count(db)
        .await? as u32;
    let unknown = if english {
        "(former member)"
    } else {
        "(voormalig lid)"
    };
    let reply_views = replies
        .into_iter()
        .map(|r| ReplyView {
            id: r.id,
            author: r
                .author_id
                .and_then(|a| who.get(&a).cloned())
                .unwrap_or_else(|| unknown.to_owned()),
            role: r
                .author_id
                .and_then(|a| roles.get(&a).cloned())
                .unwrap_or_default(),
            reflection: r.kind == "reflection",
            phase: r
                .phase
                .and_then(|p| tags.iter().find(|t| t.index as i32 == p).map(|t| t.name.clone())),
            body_html: to_safe_html(&r.body),
            body: r.body.clone(),
            at: local(r.created_at),
            edited: r.edited_at.is_some(),
            mine: r.author_id.is_some() && r.author_id == actor.user,
            reactions: reactions.remove(&r.id).unwrap_or_default(),
        })
        .collect();
    Ok(ThreadView {
        id: c.id,
        slug: net.slug,
        network_name: net.name,
        status: status(&c),
        title: c.title.clone(),
        body_html: to_safe_html(&c.body),
        author: c
            .author_id
            .and_then(|a| who.get(&a).cloned())
            .unwrap_or_else(|| unknown.to_owned()),
        published: c.published_at.map(local).unwrap_or_default(),
        invites_reflection: c.invites_reflection,
        session,
        phases: tags,
        current_phase: current,
        replies: reply_views,
        reactions: reactions.remove(&0).unwrap_or_default(),
        versions,
        may_reply: open_for_replies && authz::may(actor, Action::Create, reply_target),
        may_reflect: open_for_replies && authz::may(actor, Action::Reflect, reply_target),
        may_edit: authz::may_write_case(actor, c.network_id, c.author_id) && status(&c) != CaseStatus::Closed,
        may_close: authz::may(
            actor,
            Action::Edit,
            case_target(c.network_id, ResourceKind::Case, c.author_id),
        ),
        may_promote: status(&c) == CaseStatus::Closed
            && authz::may(
                actor,
                Action::PromoteCase,
                case_target(c.network_id, ResourceKind::Case, c.author_id),
            ),
        may_moderate: authz::may(actor, Action::ModerateCases, Target::Network(c.network_id)),
        reply_draft: my_draft,
        reply_check,
        retention_months: s.case_retention_months.max(1) as u32,
    })
}

/// A reply or reflection as written, with the writer's decisions on what
/// the anonymiser found.
#[derive(Debug, Clone, Default)]
pub struct ReplyInput {
    pub body: String,
    pub phase: Option<u32>,
    pub reflection: bool,
    pub decisions: Decisions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyOutcome {
    Posted(i64),
    /// Saved as the writer's draft: findings wait for a decision.
    NeedsCheck,
}

/// Checks a reply against the case's pseudonyms (the same person gets the
/// same label as in the case) and the writer's decisions.
async fn check_reply<C: ConnectionTrait>(
    db: &C,
    c: &case::Model,
    body: &str,
    decisions: &Decisions,
) -> Result<(Checked, Decisions), AppError> {
    let members = member_names(db, c.network_id).await?;
    let mut all = decisions.clone();
    all.merge_missing(&Decisions::parse(&c.decisions));
    Ok((Checked::new(body, &members, &all), all))
}

async fn open_phase<C: ConnectionTrait>(
    db: &C,
    c: &case::Model,
    phase: Option<u32>,
) -> Result<Option<i32>, AppError> {
    let (_, tags, _) = phases(db, c, false).await?;
    if tags.is_empty() {
        return Ok(None);
    }
    let wanted = match phase {
        Some(p) => tags.iter().find(|t| t.index == p),
        // No phase given: the last open one.
        None => tags.iter().rev().find(|t| t.open),
    };
    match wanted {
        Some(t) if t.open => Ok(Some(t.index as i32)),
        _ => Err(AppError::PhaseNotOpen),
    }
}

async fn mention_mails<C: ConnectionTrait>(
    db: &C,
    c: &case::Model,
    mentioned: &[i64],
    writer: Option<i64>,
    base_url: &str,
) -> Result<(), AppError> {
    let ids: Vec<i64> = mentioned.iter().copied().filter(|m| Some(*m) != writer).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let writer_name = match writer {
        Some(w) => names(db, &[w]).await?.remove(&w).unwrap_or_default(),
        None => String::new(),
    };
    let to: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::Email)
        .filter(user::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    let link = format!("{}/cases/{}", base_url.trim_end_matches('/'), c.id);
    let text = |l: Locale| {
        crate::i18n::td_string!(
            l,
            mail.case_mention_body,
            who = writer_name.as_str(),
            link = link.as_str()
        )
        .to_string()
    };
    for to in to {
        mail::enqueue(
            db,
            Outgoing {
                to,
                subject: crate::i18n::td_string!(
                    Locale::nl,
                    mail.case_mention_subject,
                    who = writer_name.as_str()
                )
                .to_string(),
                body: crate::networks::members::bilingual(text(Locale::nl), text(Locale::en)),
            },
        )
        .await?;
    }
    Ok(())
}

async fn save_reply_draft<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    user: i64,
    body: &str,
) -> Result<(), AppError> {
    reply_draft::Entity::insert(reply_draft::ActiveModel {
        case_id: Set(case_id),
        user_id: Set(user),
        body: Set(body.to_owned()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([reply_draft::Column::CaseId, reply_draft::Column::UserId])
            .update_columns([reply_draft::Column::Body, reply_draft::Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Posts a reply (or an expert's reflection) in a published case.
pub async fn post_reply<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    case_id: i64,
    input: ReplyInput,
    base_url: &str,
) -> Result<ReplyOutcome, AppError> {
    let tx = begin_write(db).await?;
    let c = readable(&tx, actor, case_id).await?;
    require_acceptance(&tx, actor, c.network_id).await?;
    let target = case_target(c.network_id, ResourceKind::CaseReply, None);
    authz::check(actor, Action::Create, target)?;
    if input.reflection && !authz::may(actor, Action::Reflect, target) {
        return Err(AppError::NotFound);
    }
    if status(&c) != CaseStatus::Published {
        return Err(AppError::CaseClosed);
    }
    let me = actor.user.ok_or(AppError::NotSignedIn)?;
    let body = checked_text(&input.body, Field::Message, REPLY_MAX, true)?;
    let phase = open_phase(&tx, &c, input.phase).await?;
    let (checked, all) = check_reply(&tx, &c, &body, &input.decisions).await?;
    if checked.unresolved() > 0 {
        save_reply_draft(&tx, c.id, me, &body).await?;
        tx.commit().await?;
        return Ok(ReplyOutcome::NeedsCheck);
    }
    let now = Utc::now();
    let row = reply::ActiveModel {
        case_id: Set(c.id),
        author_id: Set(Some(me)),
        kind: Set(if input.reflection { "reflection" } else { "reply" }.to_owned()),
        phase: Set(phase),
        body: Set(checked.pseudonymise(&body)),
        created_at: Set(now),
        edited_at: Set(None),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    reply_draft::Entity::delete_by_id((c.id, me)).exec(&tx).await?;
    mention_mails(&tx, &c, &checked.mentioned, Some(me), base_url).await?;
    // The case keeps one register of pseudonyms, so a person named again
    // later gets the same label.
    let mut register = Decisions::parse(&c.decisions);
    register.merge_missing(&all);
    let mut am = c.into_active_model();
    am.decisions = Set(register.to_json());
    am.last_activity_at = Set(now);
    am.update(&tx).await?;
    tx.commit().await?;
    Ok(ReplyOutcome::Posted(row.id))
}

/// Autosave of a reply being written.
pub async fn autosave_reply<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case_id: i64,
    body: &str,
) -> Result<(), AppError> {
    let c = readable(db, actor, case_id).await?;
    authz::check(
        actor,
        Action::Create,
        case_target(c.network_id, ResourceKind::CaseReply, None),
    )?;
    if body.chars().count() > REPLY_MAX {
        return Err(AppError::invalid(
            Field::Message,
            Problem::TooLong {
                max: REPLY_MAX as u32,
            },
        ));
    }
    let me = actor.user.ok_or(AppError::NotSignedIn)?;
    if body.trim().is_empty() {
        reply_draft::Entity::delete_by_id((c.id, me)).exec(db).await?;
        return Ok(());
    }
    save_reply_draft(db, c.id, me, body).await
}

/// Edits one's own reply; the earlier text goes to the history.
pub async fn edit_reply<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    reply_id: i64,
    body: &str,
    decisions: &Decisions,
) -> Result<ReplyOutcome, AppError> {
    let tx = begin_write(db).await?;
    let r = reply::Entity::find_by_id(reply_id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = readable(&tx, actor, r.case_id).await?;
    authz::check(
        actor,
        Action::Edit,
        case_target(c.network_id, ResourceKind::CaseReply, r.author_id),
    )?;
    if status(&c) != CaseStatus::Published {
        return Err(AppError::CaseClosed);
    }
    let body = checked_text(body, Field::Message, REPLY_MAX, true)?;
    let (checked, _) = check_reply(&tx, &c, &body, decisions).await?;
    if checked.unresolved() > 0 {
        return Err(AppError::CaseUnresolved {
            count: checked.unresolved(),
        });
    }
    let now = Utc::now();
    version::ActiveModel {
        case_id: Set(c.id),
        reply_id: Set(Some(r.id)),
        title: Set(String::new()),
        body: Set(r.body.clone()),
        edited_by: Set(actor.user),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let mut am = r.into_active_model();
    am.body = Set(checked.pseudonymise(&body));
    am.edited_at = Set(Some(now));
    let saved = am.update(&tx).await?;
    case::Entity::update_many()
        .col_expr(case::Column::LastActivityAt, Expr::value(now))
        .filter(case::Column::Id.eq(c.id))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(ReplyOutcome::Posted(saved.id))
}

/// The earlier texts of a case (or of one reply), newest first.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case_id: i64,
    reply_id: Option<i64>,
) -> Result<Vec<(String, String, String)>, AppError> {
    let c = readable(db, actor, case_id).await?;
    require_acceptance(db, actor, c.network_id).await?;
    let q = version::Entity::find().filter(version::Column::CaseId.eq(c.id));
    let q = match reply_id {
        Some(r) => q.filter(version::Column::ReplyId.eq(r)),
        None => q.filter(version::Column::ReplyId.is_null()),
    };
    Ok(q.order_by_desc(version::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|v| (local(v.created_at), v.title, to_safe_html(&v.body)))
        .collect())
}

/// Toggles a reaction on the case (reply 0) or one of its replies.
pub async fn react<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case_id: i64,
    reply_id: i64,
    kind: Reaction,
) -> Result<(), AppError> {
    let c = readable(db, actor, case_id).await?;
    require_acceptance(db, actor, c.network_id).await?;
    if status(&c) != CaseStatus::Published {
        return Err(AppError::CaseClosed);
    }
    let me = actor.user.ok_or(AppError::NotSignedIn)?;
    if reply_id != 0 {
        let belongs = reply::Entity::find_by_id(reply_id)
            .one(db)
            .await?
            .is_some_and(|r| r.case_id == c.id);
        if !belongs {
            return Err(AppError::NotFound);
        }
    }
    let key = (c.id, reply_id, me, kind.as_str().to_owned());
    if reaction::Entity::find_by_id(key.clone()).one(db).await?.is_some() {
        reaction::Entity::delete_by_id(key).exec(db).await?;
    } else {
        reaction::ActiveModel {
            case_id: Set(c.id),
            reply_id: Set(reply_id),
            user_id: Set(me),
            reaction: Set(kind.as_str().to_owned()),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Reports the case or a reply to the network's facilitators.
pub async fn report_post<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case_id: i64,
    reply_id: Option<i64>,
    reason: &str,
    base_url: &str,
) -> Result<(), AppError> {
    let c = readable(db, actor, case_id).await?;
    require_acceptance(db, actor, c.network_id).await?;
    let reason = checked_text(reason, Field::Message, REASON_MAX, true)?;
    if let Some(r) = reply_id {
        let belongs = reply::Entity::find_by_id(r)
            .one(db)
            .await?
            .is_some_and(|x| x.case_id == c.id);
        if !belongs {
            return Err(AppError::NotFound);
        }
    }
    report::ActiveModel {
        case_id: Set(c.id),
        reply_id: Set(reply_id),
        reporter_id: Set(actor.user),
        reason: Set(reason),
        created_at: Set(Utc::now()),
        resolved_at: Set(None),
        resolved_by: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let link = format!(
        "{}/networks/{}/cases/review",
        base_url.trim_end_matches('/'),
        slug_of(db, c.network_id).await?
    );
    let text =
        |l: Locale| crate::i18n::td_string!(l, mail.case_report_body, link = link.as_str()).to_string();
    crate::networks::members::notify_facilitators(
        db,
        c.network_id,
        crate::i18n::td_string!(Locale::nl, mail.case_report_subject),
        &crate::networks::members::bilingual(text(Locale::nl), text(Locale::en)),
    )
    .await
}

/// Closes a case early (author or facilitator): read-only, purged after
/// [`CLOSED_GRACE_DAYS`].
pub async fn close_case<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> Result<(), AppError> {
    let c = readable(db, actor, id).await?;
    authz::check(
        actor,
        Action::Edit,
        case_target(c.network_id, ResourceKind::Case, c.author_id),
    )?;
    if status(&c) == CaseStatus::Closed {
        return Ok(());
    }
    let now = Utc::now();
    let mut am = c.into_active_model();
    am.status = Set(CaseStatus::Closed.as_str().to_owned());
    am.closed_at = Set(Some(now));
    am.updated_at = Set(now);
    am.update(db).await?;
    Ok(())
}

/// A contribution to a closed case that a practice made from it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    /// The method phase it was written in, if any.
    pub phase: Option<String>,
    /// An expert-by-experience's reflection.
    pub reflection: bool,
    pub body: String,
}

/// What a practice promoted from a case starts from: only what every
/// reader of the thread saw (the pseudonymised text, never the author's
/// raw draft) and its lessons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionSource {
    pub case_id: i64,
    pub network_id: i64,
    pub title: String,
    pub body: String,
    pub lessons: Vec<Lesson>,
}

/// The source of a practice promoted from a closed case (its author or a
/// facilitator, see `authz`). Lessons are the replies of the second half
/// of the method's phases (advice, next steps, closing) and every
/// reflection; without phases, or when nothing was written there, all
/// replies.
pub async fn promotion_source<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    english: bool,
) -> Result<PromotionSource, AppError> {
    let c = readable(db, actor, id).await?;
    authz::check(
        actor,
        Action::PromoteCase,
        case_target(c.network_id, ResourceKind::Case, c.author_id),
    )?;
    if status(&c) != CaseStatus::Closed {
        return Err(AppError::CaseNotClosed);
    }
    let (_, tags, _) = phases(db, &c, english).await?;
    let replies = reply::Entity::find()
        .filter(reply::Column::CaseId.eq(c.id))
        .order_by_asc(reply::Column::Id)
        .all(db)
        .await?;
    let closing_from = (tags.len() / 2) as i32;
    let is_lesson = |r: &reply::Model| r.kind == "reflection" || r.phase.is_some_and(|p| p >= closing_from);
    let any_lesson = !tags.is_empty() && replies.iter().any(is_lesson);
    let lessons = replies
        .into_iter()
        .filter(|r| !any_lesson || is_lesson(r))
        .map(|r| Lesson {
            phase: r
                .phase
                .and_then(|p| tags.iter().find(|t| t.index as i32 == p).map(|t| t.name.clone())),
            reflection: r.kind == "reflection",
            body: r.body,
        })
        .collect();
    Ok(PromotionSource {
        case_id: c.id,
        network_id: c.network_id,
        title: c.title,
        body: c.body,
        lessons,
    })
}

/// Deletes a case now (author or facilitator): purged like at the end of
/// retention, and logged.
pub async fn delete_case<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> Result<(), AppError> {
    let tx = begin_write(db).await?;
    let c = load(&tx, id).await?;
    let allowed = authz::may_write_case(actor, c.network_id, c.author_id)
        || (status(&c).is_visible()
            && authz::may(
                actor,
                Action::Edit,
                case_target(c.network_id, ResourceKind::Case, c.author_id),
            ));
    if !allowed {
        return Err(AppError::NotFound);
    }
    purge_one(&tx, &c, "deleted", actor.user).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the case with everything it holds (replies, history, drafts,
/// reactions, reports cascade) and logs what and when, not the content.
async fn purge_one<C: ConnectionTrait>(
    db: &C,
    c: &case::Model,
    reason: &str,
    by: Option<i64>,
) -> Result<(), AppError> {
    let bodies: Vec<String> = reply::Entity::find()
        .select_only()
        .column(reply::Column::Body)
        .filter(reply::Column::CaseId.eq(c.id))
        .into_tuple()
        .all(db)
        .await?;
    let replies = bodies.len() as i32;
    let earlier: Vec<String> = version::Entity::find()
        .select_only()
        .column(version::Column::Body)
        .filter(version::Column::CaseId.eq(c.id))
        .into_tuple()
        .all(db)
        .await?;
    // This node's rendered copies go with the text (others expire theirs).
    for text in bodies.iter().chain(&earlier).chain([&c.body]) {
        crate::ui::markdown::forget(text);
    }
    // Children first: PostgreSQL and SQLite cascade, but a connection that
    // lost `PRAGMA foreign_keys` must not leave text behind.
    version::Entity::delete_many()
        .filter(version::Column::CaseId.eq(c.id))
        .exec(db)
        .await?;
    report::Entity::delete_many()
        .filter(report::Column::CaseId.eq(c.id))
        .exec(db)
        .await?;
    reaction::Entity::delete_many()
        .filter(reaction::Column::CaseId.eq(c.id))
        .exec(db)
        .await?;
    reply_draft::Entity::delete_many()
        .filter(reply_draft::Column::CaseId.eq(c.id))
        .exec(db)
        .await?;
    reply::Entity::delete_many()
        .filter(reply::Column::CaseId.eq(c.id))
        .exec(db)
        .await?;
    case::Entity::delete_by_id(c.id).exec(db).await?;
    // Every node's search index drops it (the outbox outlives the case).
    crate::search::outbox::record(db, crate::search::outbox::Kind::Case, c.id).await?;
    purge::ActiveModel {
        case_id: Set(c.id),
        network_id: Set(c.network_id),
        reason: Set(reason.to_owned()),
        replies: Set(replies),
        created_at: Set(c.created_at),
        purged_at: Set(Utc::now()),
        purged_by: Set(by),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let event = crate::audit::domain::Event::new(crate::audit::AuditAction::CasePurged);
    crate::audit::domain::record(db, event.by(by).network(c.network_id).about(c.id).detail(reason)).await?;
    tracing::info!(case = c.id, network = c.network_id, reason, "case purged");
    Ok(())
}

/// The background job: purges every case whose retention ended (months
/// after its last activity, per network) or that was closed long enough.
pub async fn purge_expired<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let networks = network_settings::Entity::find().all(db).await?;
    let mut purged = 0;
    for n in networks {
        let months = n.case_retention_months.clamp(1, RETENTION_MAX_MONTHS as i32) as u32;
        let Some(cutoff) = now.checked_sub_months(Months::new(months)) else {
            continue;
        };
        let closed_cutoff = now - Duration::days(CLOSED_GRACE_DAYS);
        let due = case::Entity::find()
            .filter(case::Column::NetworkId.eq(n.id))
            .filter(
                sea_orm::Condition::any()
                    .add(case::Column::LastActivityAt.lt(cutoff))
                    .add(case::Column::ClosedAt.lt(closed_cutoff)),
            )
            .all(db)
            .await?;
        for c in due {
            let tx = begin_write(db).await?;
            let reason = if c.closed_at.is_some_and(|t| t < closed_cutoff) {
                "closed"
            } else {
                "retention"
            };
            purge_one(&tx, &c, reason, None).await?;
            tx.commit().await?;
            purged += 1;
        }
    }
    Ok(purged)
}

/// The facilitators' page of a network's cases.
pub async fn review<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    english: bool,
) -> Result<ReviewView, AppError> {
    let net = network_by_slug(db, slug).await?;
    authz::check(actor, Action::ModerateCases, Target::Network(net.id))?;
    let s = settings(db, net.id).await?;
    let queue = case::Entity::find()
        .filter(case::Column::NetworkId.eq(net.id))
        .filter(case::Column::Status.eq(CaseStatus::InReview.as_str()))
        .order_by_asc(case::Column::UpdatedAt)
        .all(db)
        .await?;
    let reports = open_reports(db, net.id).await?;
    let mut people: Vec<i64> = queue.iter().filter_map(|c| c.author_id).collect();
    people.extend(reports.iter().filter_map(|r| r.reporter_id));
    let who = names(db, &people).await?;
    let titles: HashMap<i64, String> = case::Entity::find()
        .select_only()
        .columns([case::Column::Id, case::Column::Title])
        .filter(case::Column::Id.is_in(reports.iter().map(|r| r.case_id).collect::<Vec<_>>()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(ReviewView {
        slug: net.slug,
        name: net.name,
        queue: queue
            .into_iter()
            .map(|c| ReviewItem {
                id: c.id,
                title: c.title.clone(),
                body_html: to_safe_html(&c.body),
                author: c.author_id.and_then(|a| who.get(&a).cloned()).unwrap_or_default(),
            })
            .collect(),
        reports: reports
            .into_iter()
            .map(|r| ReportItem {
                id: r.id,
                case_id: r.case_id,
                case_title: titles.get(&r.case_id).cloned().unwrap_or_default(),
                reply_id: r.reply_id,
                reporter: r
                    .reporter_id
                    .and_then(|a| who.get(&a).cloned())
                    .unwrap_or_default(),
                reason: r.reason,
                at: local(r.created_at),
            })
            .collect(),
        needs_review: s.cases_need_review,
        retention_months: s.case_retention_months.max(1) as u32,
        default_statement: s
            .confidentiality_statement
            .as_deref()
            .is_none_or(|t| t.trim().is_empty()),
        statement: statement_text(&s, english),
        require_two_factor: s.require_two_factor,
    })
}

/// A facilitator's anonymity check: approve, or send back with a comment.
pub async fn decide_review<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    approve: bool,
    comment: &str,
    base_url: &str,
) -> Result<(), AppError> {
    let tx = begin_write(db).await?;
    let c = load(&tx, id).await?;
    authz::check(actor, Action::ModerateCases, Target::Network(c.network_id))?;
    if status(&c) != CaseStatus::InReview {
        return Err(AppError::NotFound);
    }
    let comment = checked_text(comment, Field::Message, COMMENT_MAX, !approve)?;
    let now = Utc::now();
    let first_publication = approve && c.published_at.is_none();
    let mut am = c.clone().into_active_model();
    am.updated_at = Set(now);
    if approve {
        am.status = Set(CaseStatus::Published.as_str().to_owned());
        am.published_at = Set(Some(now));
        am.last_activity_at = Set(now);
        am.review_comment = Set(None);
    } else {
        am.status = Set(CaseStatus::SentBack.as_str().to_owned());
        am.review_comment = Set(Some(comment));
    }
    let saved = am.update(&tx).await?;
    crate::search::outbox::record(&tx, crate::search::outbox::Kind::Case, saved.id).await?;
    if first_publication && saved.invites_reflection {
        invite_experts(&tx, &saved, base_url).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn resolve_report<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    report_id: i64,
) -> Result<(), AppError> {
    let r = report::Entity::find_by_id(report_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = load(db, r.case_id).await?;
    authz::check(actor, Action::ModerateCases, Target::Network(c.network_id))?;
    let mut am = r.into_active_model();
    am.resolved_at = Set(Some(Utc::now()));
    am.resolved_by = Set(actor.user);
    am.update(db).await?;
    Ok(())
}

/// The network's case settings.
pub async fn update_settings<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    needs_review: bool,
    months: &str,
    statement: &str,
) -> Result<(), AppError> {
    let net = network_by_slug(db, slug).await?;
    authz::check(actor, Action::ModerateCases, Target::Network(net.id))?;
    let months: u32 = months
        .trim()
        .parse()
        .ok()
        .filter(|m| (1..=RETENTION_MAX_MONTHS).contains(m))
        .ok_or(AppError::invalid(Field::Retention, Problem::Malformed))?;
    let statement = checked_text(statement, Field::Statement, STATEMENT_MAX, false)?;
    let s = settings(db, net.id).await?;
    let mut am = s.into_active_model();
    am.cases_need_review = Set(needs_review);
    am.case_retention_months = Set(months as i32);
    am.confidentiality_statement = Set((!statement.is_empty()).then_some(statement));
    am.update(db).await?;
    Ok(())
}

/// Whether the network's facilitators must use two-step sign-in. A
/// facilitator who turns it on without having it is sent to set it up
/// on their next page.
pub async fn set_two_factor_rule<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    required: bool,
) -> Result<(), AppError> {
    let net = network_by_slug(db, slug).await?;
    authz::check(actor, Action::ModerateCases, Target::Network(net.id))?;
    let mut am = settings(db, net.id).await?.into_active_model();
    am.require_two_factor = Set(required);
    am.update(db).await?;
    Ok(())
}

/// Who read which case when, and what was purged (facilitators, admins).
pub async fn audit<C: ConnectionTrait>(db: &C, actor: &Actor, slug: &str) -> Result<AuditView, AppError> {
    let net = network_by_slug(db, slug).await?;
    authz::check(actor, Action::ViewCaseAudit, Target::Network(net.id))?;
    let reads = read::Entity::find()
        .filter(read::Column::NetworkId.eq(net.id))
        .order_by_desc(read::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let people: Vec<i64> = reads.iter().filter_map(|r| r.user_id).collect();
    let who = names(db, &people).await?;
    let titles: HashMap<i64, (String, String)> = case::Entity::find()
        .select_only()
        .columns([case::Column::Id, case::Column::Title, case::Column::DraftTitle])
        .filter(case::Column::Id.is_in(reads.iter().map(|r| r.case_id).collect::<Vec<_>>()))
        .into_tuple::<(i64, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, t, d)| (id, (t, d)))
        .collect();
    let purges = purge::Entity::find()
        .filter(purge::Column::NetworkId.eq(net.id))
        .order_by_desc(purge::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    Ok(AuditView {
        slug: net.slug,
        name: net.name,
        reads: reads
            .into_iter()
            .map(|r| AuditRow {
                case_id: r.case_id,
                // Only the pseudonymised title; a draft's raw one stays with its author.
                case_title: titles.get(&r.case_id).map(|(t, _)| t.clone()),
                reader: r.user_id.and_then(|u| who.get(&u).cloned()).unwrap_or_default(),
                at: local(r.read_at),
            })
            .collect(),
        purges: purges
            .into_iter()
            .map(|p| PurgeRow {
                case_id: p.case_id,
                reason: p.reason,
                replies: p.replies.max(0) as u32,
                at: local(p.purged_at),
            })
            .collect(),
    })
}

/// The recent visible cases of all the actor's networks ("/cases").
pub async fn my_cases<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<super::MyCases, AppError> {
    let mut networks = Vec::new();
    let mut ids = Vec::new();
    for n in crate::networks::domain::my_networks(db, actor).await? {
        if let Some(net) = crate::networks::domain::find_by_slug(db, &n.slug).await?
            && authz::may(actor, Action::Read, case_target(net.id, ResourceKind::Case, None))
        {
            networks.push((net.slug.clone(), net.name.clone()));
            if accepted(db, net.id, actor.user).await? {
                ids.push((net.id, net.name.clone()));
            }
        }
    }
    let by_id: HashMap<i64, String> = ids.iter().cloned().collect();
    let recent = if ids.is_empty() {
        Vec::new()
    } else {
        case::Entity::find()
            .filter(case::Column::NetworkId.is_in(ids.iter().map(|(i, _)| *i).collect::<Vec<_>>()))
            .filter(case::Column::Status.eq(CaseStatus::Published.as_str()))
            .order_by_desc(case::Column::LastActivityAt)
            .limit(20)
            .all(db)
            .await?
    };
    let counts = reply_counts(db, &recent.iter().map(|c| c.id).collect::<Vec<_>>()).await?;
    Ok(super::MyCases {
        networks,
        recent: recent
            .iter()
            .map(|c| {
                (
                    by_id.get(&c.network_id).cloned().unwrap_or_default(),
                    summary(c, counts.get(&c.id).copied().unwrap_or(0), actor, false),
                )
            })
            .collect(),
    })
}

/// Before a first read: the network's statement to accept (slug, name,
/// statement); None when accepted. Only for someone who may read the case.
pub async fn statement_gate<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case_id: i64,
    english: bool,
) -> Result<Option<(String, String, String)>, AppError> {
    let c = readable(db, actor, case_id).await?;
    if accepted(db, c.network_id, actor.user).await? {
        return Ok(None);
    }
    let net = network::Entity::find_by_id(c.network_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let s = settings(db, c.network_id).await?;
    Ok(Some((net.slug, net.name, statement_text(&s, english))))
}

/// The slug of the network a case belongs to, for someone who may read it.
pub async fn case_network_slug<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case_id: i64,
) -> Result<String, AppError> {
    let c = load(db, case_id).await?;
    authz::check(
        actor,
        Action::Read,
        case_target(c.network_id, ResourceKind::Case, c.author_id),
    )?;
    slug_of(db, c.network_id).await
}

/// Sessions of the network that a case may be linked to (for the new-case form).
pub async fn new_case_form<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
) -> Result<(String, String, Vec<(i64, String)>), AppError> {
    let net = network_by_slug(db, slug).await?;
    authz::check(
        actor,
        Action::Create,
        case_target(net.id, ResourceKind::Case, None),
    )?;
    require_acceptance(db, actor, net.id).await?;
    let sessions = linkable_sessions(db, net.id).await?;
    Ok((net.slug, net.name, sessions))
}
