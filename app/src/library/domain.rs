//! The library's domain: writing practices (every save a revision), reading
//! them with their reflections and related practices, history with diffs
//! and restore. Every write appends to the search outbox in the same
//! transaction, so the index can never miss a change.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use super::entity::{practice, reflection, revision};
use super::*;
use crate::accounts::entity::user;
use crate::authz::{self, Action, Actor, ResourceKind, Visibility};
use crate::errors::{AppError, Field, Problem};
use crate::i18n::{Locale, td_string};
use crate::networks::entity::network;
use crate::search::outbox;
use crate::ui::markdown;

pub fn visibility_str(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "public",
        Visibility::Network => "network",
    }
}

pub fn parse_visibility(s: &str) -> Option<Visibility> {
    match s.trim() {
        "public" => Some(Visibility::Public),
        "network" => Some(Visibility::Network),
        _ => None,
    }
}

fn visibility_of(p: &practice::Model) -> Visibility {
    parse_visibility(&p.visibility).unwrap_or(Visibility::Network)
}

/// May `actor` do `action` on this practice? Drafts are read only by those
/// who may edit them.
pub fn may(actor: &Actor, action: Action, p: &practice::Model) -> bool {
    let allowed = authz::may_on_practice(actor, action, p.network_id, visibility_of(p), p.author_id);
    if action == Action::Read && p.status == PracticeStatus::Draft.as_str() {
        return allowed && may(actor, Action::Edit, p);
    }
    allowed
}

/// The NIS code of a municipality typed by name (accents and case aside),
/// postcode or code: the network directory's reference data, in memory.
pub fn municipality_code(name_or_code: &str) -> Option<String> {
    crate::networks::directory::municipality_code(name_or_code)
}

/// A municipality's name (its code when unknown).
pub fn municipality_name(code: &str) -> &str {
    crate::networks::directory::municipality_name(code).unwrap_or(code)
}

/// A checked input, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub themes: Vec<Theme>,
    pub municipalities: Vec<String>,
    pub organisation: String,
    pub contact: String,
    pub visibility: Visibility,
}

fn too_long(field: Field, max: usize) -> AppError {
    AppError::invalid(field, Problem::TooLong { max: max as u32 })
}

/// Checks limits and resolves municipality names. The first problem wins.
pub fn check(input: &PracticeInput) -> Result<Checked, AppError> {
    let title = input.title.trim().to_owned();
    if title.is_empty() {
        return Err(AppError::invalid(Field::Title, Problem::Empty));
    }
    if title.chars().count() < 3 {
        return Err(AppError::invalid(Field::Title, Problem::TooShort { min: 3 }));
    }
    if title.chars().count() > TITLE_MAX {
        return Err(too_long(Field::Title, TITLE_MAX));
    }
    // Browsers post text areas with CRLF; stored text uses LF so that
    // revisions compare line by line.
    let summary = input.summary.replace("\r\n", "\n").trim().to_owned();
    if summary.chars().count() > SUMMARY_MAX {
        return Err(too_long(Field::Summary, SUMMARY_MAX));
    }
    let body = input.body_markdown.replace("\r\n", "\n").trim_end().to_owned();
    if body.trim().is_empty() {
        return Err(AppError::invalid(Field::Body, Problem::Empty));
    }
    if body.chars().count() > BODY_MAX {
        return Err(too_long(Field::Body, BODY_MAX));
    }
    let mut themes = input.themes.clone();
    themes.sort();
    themes.dedup();
    if themes.is_empty() {
        return Err(AppError::invalid(Field::Themes, Problem::Empty));
    }
    let mut municipalities = Vec::new();
    for name in input.municipalities.iter().filter(|n| !n.trim().is_empty()) {
        let code =
            municipality_code(name).ok_or_else(|| AppError::UnknownMunicipality(name.trim().to_owned()))?;
        if !municipalities.contains(&code) {
            municipalities.push(code);
        }
    }
    if municipalities.len() > 50 {
        return Err(too_long(Field::Municipalities, 50));
    }
    let organisation = input.organisation.trim().to_owned();
    if organisation.chars().count() > ORGANISATION_MAX {
        return Err(too_long(Field::Organisation, ORGANISATION_MAX));
    }
    let contact = input.contact.trim().to_owned();
    if contact.chars().count() > CONTACT_MAX {
        return Err(too_long(Field::Contact, CONTACT_MAX));
    }
    Ok(Checked {
        title,
        summary,
        body,
        themes,
        municipalities,
        organisation,
        contact,
        visibility: if input.public {
            Visibility::Public
        } else {
            Visibility::Network
        },
    })
}

pub fn themes_json(themes: &[Theme]) -> String {
    serde_json::to_string(&themes.iter().map(|t| t.name()).collect::<Vec<_>>()).unwrap_or_default()
}

pub fn parse_themes(json: &str) -> Vec<Theme> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| Theme::parse(s))
        .collect()
}

pub fn parse_codes(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn codes_json(codes: &[String]) -> String {
    serde_json::to_string(codes).unwrap_or_default()
}

/// A web address made from the title: lowercase ASCII words joined by
/// hyphens (accents dropped).
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        let c = fold_char(c);
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 80 {
            break;
        }
    }
    let out = out.trim_matches('-').to_owned();
    if out.len() < 3 {
        format!("praktijk-{out}").trim_matches('-').to_owned()
    } else {
        out
    }
}

fn fold_char(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'ÿ' => 'y',
        other => other,
    }
}

/// Lowercase letters, digits and single hyphens.
pub fn valid_slug(slug: &str) -> bool {
    (3..=SLUG_MAX).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

async fn free_slug<C: ConnectionTrait>(db: &C, base: &str) -> Result<String, AppError> {
    let mut candidate = base.to_owned();
    for n in 2..1000 {
        let taken = practice::Entity::find()
            .filter(practice::Column::Slug.eq(candidate.as_str()))
            .one(db)
            .await?
            .is_some();
        if !taken {
            return Ok(candidate);
        }
        candidate = format!("{base}-{n}");
    }
    Err(AppError::SlugTaken)
}

pub async fn find<C: ConnectionTrait>(db: &C, slug: &str) -> Result<practice::Model, AppError> {
    practice::Entity::find()
        .filter(practice::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

async fn network_by_slug<C: ConnectionTrait>(db: &C, slug: &str) -> Result<network::Model, AppError> {
    network::Entity::find()
        .filter(network::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Who writes: a person (checked against authz) or the system (import).
#[derive(Debug, Clone, Copy)]
pub enum Writer<'a> {
    Person(&'a Actor),
    System,
}

impl Writer<'_> {
    fn user(&self) -> Option<i64> {
        match self {
            Writer::Person(a) => a.user,
            Writer::System => None,
        }
    }
}

/// Stores a new practice with its first revision. `network` is its
/// network's slug (required for network visibility).
#[allow(clippy::too_many_arguments)]
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    writer: Writer<'_>,
    slug: Option<&str>,
    network: Option<i64>,
    checked: &Checked,
    status: PracticeStatus,
    source_case: Option<i64>,
) -> Result<practice::Model, AppError> {
    if checked.visibility == Visibility::Network && network.is_none() {
        return Err(AppError::invalid(Field::Slug, Problem::Empty));
    }
    if let Writer::Person(actor) = writer
        && !authz::may_on_practice(actor, Action::Create, network, checked.visibility, actor.user)
    {
        return Err(AppError::NotFound);
    }
    let slug = match slug {
        Some(s) => s.to_owned(),
        None => free_slug(db, &slugify(&checked.title)).await?,
    };
    let now = Utc::now();
    let row = practice::ActiveModel {
        slug: Set(slug),
        network_id: Set(network),
        author_id: Set(writer.user()),
        source_case_id: Set(source_case),
        status: Set(status.as_str().to_owned()),
        visibility: Set(visibility_str(checked.visibility).to_owned()),
        title: Set(checked.title.clone()),
        summary: Set(checked.summary.clone()),
        body: Set(checked.body.clone()),
        themes: Set(themes_json(&checked.themes)),
        municipalities: Set(codes_json(&checked.municipalities)),
        organisation: Set(checked.organisation.clone()),
        contact: Set(checked.contact.clone()),
        revision: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    add_revision(db, &row, writer.user()).await?;
    outbox::record(db, outbox::Kind::Practice, row.id).await?;
    Ok(row)
}

async fn add_revision<C: ConnectionTrait>(
    db: &C,
    p: &practice::Model,
    author: Option<i64>,
) -> Result<(), AppError> {
    revision::ActiveModel {
        practice_id: Set(p.id),
        number: Set(p.revision),
        title: Set(p.title.clone()),
        summary: Set(p.summary.clone()),
        body: Set(p.body.clone()),
        themes: Set(p.themes.clone()),
        municipalities: Set(p.municipalities.clone()),
        organisation: Set(p.organisation.clone()),
        contact: Set(p.contact.clone()),
        visibility: Set(p.visibility.clone()),
        author_id: Set(author),
        created_at: Set(p.updated_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Saves new content as the next revision (nothing when nothing changed).
/// Returns whether a revision was made.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    writer: Writer<'_>,
    current: practice::Model,
    checked: &Checked,
    network: Option<i64>,
    publish: bool,
) -> Result<bool, AppError> {
    if checked.visibility == Visibility::Network && network.is_none() {
        return Err(AppError::invalid(Field::Slug, Problem::Empty));
    }
    let unchanged = current.title == checked.title
        && current.summary == checked.summary
        && current.body == checked.body
        && current.themes == themes_json(&checked.themes)
        && current.municipalities == codes_json(&checked.municipalities)
        && current.organisation == checked.organisation
        && current.contact == checked.contact
        && current.visibility == visibility_str(checked.visibility)
        && current.network_id == network
        && !(publish && current.status == PracticeStatus::Draft.as_str());
    if unchanged {
        return Ok(false);
    }
    let next = current.revision + 1;
    let mut row: practice::ActiveModel = current.into();
    row.title = Set(checked.title.clone());
    row.summary = Set(checked.summary.clone());
    row.body = Set(checked.body.clone());
    row.themes = Set(themes_json(&checked.themes));
    row.municipalities = Set(codes_json(&checked.municipalities));
    row.organisation = Set(checked.organisation.clone());
    row.contact = Set(checked.contact.clone());
    row.visibility = Set(visibility_str(checked.visibility).to_owned());
    row.network_id = Set(network);
    if publish {
        row.status = Set(PracticeStatus::Published.as_str().to_owned());
    }
    row.revision = Set(next);
    row.updated_at = Set(Utc::now());
    let saved = row.update(db).await?;
    add_revision(db, &saved, writer.user()).await?;
    outbox::record(db, outbox::Kind::Practice, saved.id).await?;
    Ok(true)
}

/// A person writes a new practice, for one of their networks or (admins)
/// for the whole platform. Returns its slug.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    network_slug: Option<&str>,
    input: &PracticeInput,
) -> Result<String, AppError> {
    let checked = check(input)?;
    let network = match network_slug.filter(|s| !s.is_empty()) {
        Some(slug) => Some(network_by_slug(db, slug).await?.id),
        None => None,
    };
    let tx = crate::db::begin_write(db).await?;
    let row = insert(
        &tx,
        Writer::Person(actor),
        None,
        network,
        &checked,
        PracticeStatus::Published,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(row.slug)
}

/// Cuts text to at most `max` characters, marking the cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The draft's body: the case, then its lessons under their phase.
fn promoted_body(source: &crate::cases::domain::PromotionSource, locale: Locale) -> String {
    let mut out = format!(
        "## {}\n\n{}\n",
        td_string!(locale, library.promoted_situation),
        source.body.trim()
    );
    // Lessons grouped under their phase, groups in order of first appearance.
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for lesson in &source.lessons {
        let heading = if lesson.reflection {
            td_string!(locale, library.reflections).to_string()
        } else {
            match &lesson.phase {
                Some(phase) => phase.clone(),
                None => td_string!(locale, library.promoted_other).to_string(),
            }
        };
        match groups.iter_mut().find(|(h, _)| *h == heading) {
            Some((_, bodies)) => bodies.push(lesson.body.trim()),
            None => groups.push((heading, vec![lesson.body.trim()])),
        }
    }
    if !groups.is_empty() {
        out.push_str(&format!(
            "\n## {}\n",
            td_string!(locale, library.promoted_lessons)
        ));
        for (heading, bodies) in groups {
            out.push_str(&format!("\n### {heading}\n"));
            for body in bodies {
                out.push_str(&format!("\n{body}\n"));
            }
        }
    }
    clip(out.trim_end(), BODY_MAX)
}

/// A closed case becomes a draft practice of its network, prefilled from
/// what its readers saw and its lessons (see
/// `cases::domain::promotion_source`), visible to its network only until
/// its writer chooses themes and publishes. Promoting again opens the
/// draft already made. Returns the practice's slug.
pub async fn promote<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    case_id: i64,
    locale: Locale,
) -> Result<String, AppError> {
    let source = crate::cases::domain::promotion_source(db, actor, case_id, locale == Locale::en).await?;
    let earlier = practice::Entity::find()
        .filter(practice::Column::SourceCaseId.eq(case_id))
        .order_by_asc(practice::Column::Id)
        .all(db)
        .await?;
    if let Some(p) = earlier.into_iter().find(|p| may(actor, Action::Edit, p)) {
        return Ok(p.slug);
    }
    let summary = markdown::to_plain_text(&source.body);
    let checked = Checked {
        title: clip(source.title.trim(), TITLE_MAX),
        summary: clip(&summary, 300),
        body: promoted_body(&source, locale),
        themes: Vec::new(),
        municipalities: Vec::new(),
        organisation: String::new(),
        contact: String::new(),
        visibility: Visibility::Network,
    };
    let tx = crate::db::begin_write(db).await?;
    let row = insert(
        &tx,
        Writer::Person(actor),
        None,
        Some(source.network_id),
        &checked,
        PracticeStatus::Draft,
        Some(source.case_id),
    )
    .await?;
    tx.commit().await?;
    Ok(row.slug)
}

/// What the edit form starts from: the content, its revision, whether it
/// is a draft and whether it was promoted from a case.
pub async fn editor<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
) -> Result<(PracticeInput, i32, bool, bool), AppError> {
    let p = find(db, slug).await?;
    if !may(actor, Action::Edit, &p) {
        return Err(AppError::NotFound);
    }
    let input = PracticeInput {
        title: p.title.clone(),
        summary: p.summary.clone(),
        body_markdown: p.body.clone(),
        themes: parse_themes(&p.themes),
        municipalities: parse_codes(&p.municipalities)
            .iter()
            .map(|c| municipality_name(c).to_owned())
            .collect(),
        organisation: p.organisation.clone(),
        contact: p.contact.clone(),
        public: visibility_of(&p) == Visibility::Public,
    };
    Ok((
        input,
        p.revision,
        p.status == PracticeStatus::Draft.as_str(),
        p.source_case_id.is_some(),
    ))
}

/// A person saves the edit form: the next revision.
pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    input: &PracticeInput,
    publish: bool,
) -> Result<(), AppError> {
    let tx = crate::db::begin_write(db).await?;
    let current = find(&tx, slug).await?;
    if !may(actor, Action::Edit, &current) {
        return Err(AppError::NotFound);
    }
    let checked = check(input)?;
    // Public practices without a network stay so; a network practice may be
    // made public (its members decide) and back.
    let network = current.network_id;
    if checked.visibility == Visibility::Network && network.is_none() {
        return Err(AppError::NotFound);
    }
    store(&tx, Writer::Person(actor), current, &checked, network, publish).await?;
    tx.commit().await?;
    Ok(())
}

fn revision_input(r: &revision::Model) -> Checked {
    Checked {
        title: r.title.clone(),
        summary: r.summary.clone(),
        body: r.body.clone(),
        themes: parse_themes(&r.themes),
        municipalities: parse_codes(&r.municipalities)
            .into_iter()
            .filter(|c| crate::networks::directory::municipality_name(c).is_some())
            .collect(),
        organisation: r.organisation.clone(),
        contact: r.contact.clone(),
        visibility: parse_visibility(&r.visibility).unwrap_or(Visibility::Network),
    }
}

/// Restores an older revision: its content becomes the next revision (the
/// history is never rewritten).
pub async fn restore<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    number: i32,
) -> Result<(), AppError> {
    let tx = crate::db::begin_write(db).await?;
    let current = find(&tx, slug).await?;
    if !may(actor, Action::Edit, &current) {
        return Err(AppError::NotFound);
    }
    let old = revision::Entity::find()
        .filter(revision::Column::PracticeId.eq(current.id))
        .filter(revision::Column::Number.eq(number))
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let checked = revision_input(&old);
    let network = current.network_id;
    store(&tx, Writer::Person(actor), current, &checked, network, false).await?;
    tx.commit().await?;
    Ok(())
}

/// An expert-by-experience adds a reflection.
pub async fn reflect<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    body: &str,
) -> Result<(), AppError> {
    let p = find(db, slug).await?;
    if !may(actor, Action::Read, &p) || !may(actor, Action::Reflect, &p) {
        return Err(AppError::NotFound);
    }
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid(Field::Reflection, Problem::Empty));
    }
    if body.chars().count() > REFLECTION_MAX {
        return Err(too_long(Field::Reflection, REFLECTION_MAX));
    }
    let tx = crate::db::begin_write(db).await?;
    reflection::ActiveModel {
        practice_id: Set(p.id),
        author_id: Set(actor.user),
        body: Set(body.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    // Reflections are searchable with their practice.
    outbox::record(&tx, outbox::Kind::Practice, p.id).await?;
    tx.commit().await?;
    Ok(())
}

async fn names<C: ConnectionTrait>(db: &C, ids: Vec<i64>) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// A practice as `actor` reads it. `related` comes from the search index
/// (shared themes and terms); the caller fills it in.
pub async fn view<C: ConnectionTrait>(db: &C, actor: &Actor, slug: &str) -> Result<PracticeView, AppError> {
    let p = find(db, slug).await?;
    if !may(actor, Action::Read, &p) {
        return Err(AppError::NotFound);
    }
    let network = match p.network_id {
        Some(id) if actor.role_in(id).is_some() => network::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|n| (n.slug, n.name)),
        _ => None,
    };
    let source_case = match p.source_case_id {
        Some(case_id) => {
            match crate::cases::entity::case::Entity::find_by_id(case_id)
                .one(db)
                .await?
            {
                Some(c)
                    if authz::may(
                        actor,
                        Action::Read,
                        authz::Target::Resource {
                            network: c.network_id,
                            kind: ResourceKind::Case,
                            visibility: Visibility::Network,
                            author: c.author_id,
                        },
                    ) =>
                {
                    Some(case_id)
                }
                _ => None,
            }
        }
        None => None,
    };
    let rows = reflection::Entity::find()
        .filter(reflection::Column::PracticeId.eq(p.id))
        .order_by_asc(reflection::Column::Id)
        .all(db)
        .await?;
    let authors = names(db, rows.iter().filter_map(|r| r.author_id).collect()).await?;
    let reflections = rows
        .into_iter()
        .map(|r| ReflectionView {
            author: r
                .author_id
                .and_then(|a| authors.get(&a).cloned())
                .unwrap_or_default(),
            body_html: markdown::to_safe_html(&r.body),
            created_at: r.created_at.format("%Y-%m-%d").to_string(),
        })
        .collect();
    Ok(PracticeView {
        id: p.id,
        slug: p.slug.clone(),
        title: p.title.clone(),
        summary: p.summary.clone(),
        body_html: markdown::to_safe_html(&p.body),
        body_markdown: p.body.clone(),
        themes: parse_themes(&p.themes),
        municipalities: parse_codes(&p.municipalities)
            .iter()
            .map(|c| municipality_name(c).to_owned())
            .collect(),
        organisation: p.organisation.clone(),
        contact: p.contact.clone(),
        public: visibility_of(&p) == Visibility::Public,
        draft: p.status == PracticeStatus::Draft.as_str(),
        network,
        revision: p.revision,
        updated_at: p.updated_at.format("%Y-%m-%d").to_string(),
        may_edit: may(actor, Action::Edit, &p),
        may_reflect: may(actor, Action::Reflect, &p),
        source_case,
        reflections,
        related: Vec::new(),
    })
}

/// The revision as text for the diff: the fields a reader would compare.
fn revision_text(r: &revision::Model) -> String {
    let themes: Vec<&str> = parse_themes(&r.themes).iter().map(|t| t.name()).collect();
    let places: Vec<String> = parse_codes(&r.municipalities)
        .iter()
        .map(|c| municipality_name(c).to_owned())
        .collect();
    format!(
        "# {}\n\n{}\n\n{}\n\n— {} · {} · {} · {}\n",
        r.title,
        r.summary,
        r.body,
        themes.join(", "),
        places.join(", "),
        r.organisation,
        r.visibility
    )
}

/// Line diff of two texts, for people: unchanged, removed, added lines.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            tag: match c.tag() {
                similar::ChangeTag::Equal => DiffTag::Same,
                similar::ChangeTag::Insert => DiffTag::Added,
                similar::ChangeTag::Delete => DiffTag::Removed,
            },
            text: c.value().trim_end_matches('\n').to_owned(),
        })
        .collect()
}

/// The revisions of a practice and the diff between two of them (default:
/// the current one against the one before it).
pub async fn history<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<HistoryView, AppError> {
    let p = find(db, slug).await?;
    if !may(actor, Action::Read, &p) {
        return Err(AppError::NotFound);
    }
    let rows = revision::Entity::find()
        .filter(revision::Column::PracticeId.eq(p.id))
        .order_by_desc(revision::Column::Number)
        .all(db)
        .await?;
    let authors = names(db, rows.iter().filter_map(|r| r.author_id).collect()).await?;
    let by_number: BTreeMap<i32, &revision::Model> = rows.iter().map(|r| (r.number, r)).collect();
    let to = to.filter(|n| by_number.contains_key(n)).unwrap_or(p.revision);
    let from = from
        .filter(|n| by_number.contains_key(n))
        .unwrap_or_else(|| by_number.range(..to).next_back().map(|(n, _)| *n).unwrap_or(to));
    let text = |n: i32| by_number.get(&n).map(|r| revision_text(r)).unwrap_or_default();
    let diff = diff_lines(&text(from), &text(to));
    Ok(HistoryView {
        slug: p.slug.clone(),
        title: p.title.clone(),
        current: p.revision,
        revisions: rows
            .iter()
            .map(|r| RevisionView {
                number: r.number,
                author: r.author_id.and_then(|a| authors.get(&a).cloned()),
                created_at: r.created_at.format("%Y-%m-%d %H:%M").to_string(),
                title: r.title.clone(),
            })
            .collect(),
        from,
        to,
        diff,
        may_restore: may(actor, Action::Edit, &p),
    })
}

/// The networks `actor` may write practices for: (slug, name).
pub async fn writable_networks<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> Result<Vec<(String, String)>, AppError> {
    let ids: Vec<i64> = actor
        .roles
        .keys()
        .copied()
        .filter(|n| authz::may_on_practice(actor, Action::Create, Some(*n), Visibility::Network, actor.user))
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: Vec<(String, String)> = network::Entity::find()
        .filter(network::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.slug, n.name))
        .collect();
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(rows)
}
