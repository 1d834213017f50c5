//! A person's rights over their own data (GDPR): "download my data" (every
//! row about them, as JSON files in a zip) and "delete my account" (personal
//! data removed; what they wrote for others stays as "former member" unless
//! they ask for it to go too). Plain functions over a database handle.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde::Serialize;

use super::DeletionPreview;
use super::domain::find_by_id;
use super::entity::{auth_session, login_failure, user};
use crate::audit::AuditAction;
use crate::audit::domain::{self as audit, Event};
use crate::cases::entity::{case, read as case_read, reply};
use crate::errors::{AppError, Field};
use crate::library::entity::{practice, reflection, revision};
use crate::networks::entity::{join_request, membership, network, organisation, person_organisation};
use crate::search::outbox;
use crate::sessions::entity::{attendance, rsvp, series_rsvp, session};

/// Case statuses nobody but the author (and a reviewer) has seen: they go
/// with the account.
const UNPUBLISHED: [&str; 3] = ["draft", "in_review", "sent_back"];

#[derive(Serialize)]
struct Profile {
    id: i64,
    email: String,
    display_name: String,
    locale: Option<String>,
    is_admin: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    organisations: Vec<String>,
    /// Whether two-step sign-in is on, and since when (never the key).
    two_factor_since: Option<DateTime<Utc>>,
    recovery_codes_unused: u64,
}

#[derive(Serialize)]
struct Membership {
    network: String,
    network_name: String,
    role: String,
    organisation: Option<String>,
    listed_as_contact: bool,
    since: DateTime<Utc>,
}

#[derive(Serialize)]
struct Memberships {
    memberships: Vec<Membership>,
    join_requests: Vec<JoinRequest>,
}

#[derive(Serialize)]
struct JoinRequest {
    network: String,
    message: String,
    status: String,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct SessionAnswer {
    session_id: i64,
    network: String,
    title: String,
    starts_at: Option<DateTime<Utc>>,
    answer: String,
    from_series: bool,
    waitlisted: bool,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct SeriesAnswer {
    series_id: i64,
    answer: String,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct Attended {
    session_id: i64,
    network: String,
    title: String,
    starts_at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct Sessions {
    answers: Vec<SessionAnswer>,
    series_answers: Vec<SeriesAnswer>,
    attendance: Vec<Attended>,
}

#[derive(Serialize)]
struct Case {
    id: i64,
    network: String,
    status: String,
    title: String,
    body: String,
    /// Your own words before pseudonymisation (only you ever saw these).
    draft_title: String,
    draft_body: String,
    created_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct Reply {
    id: i64,
    case_id: i64,
    kind: String,
    body: String,
    created_at: DateTime<Utc>,
    edited_at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct Practice {
    slug: String,
    status: String,
    visibility: String,
    title: String,
    summary: String,
    body: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Revision numbers you saved (also of practices others started).
    your_revisions: Vec<i32>,
}

#[derive(Serialize)]
struct PracticeRevision {
    practice: String,
    number: i32,
    title: String,
    created_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct Reflection {
    practice: String,
    body: String,
    created_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct CaseRead {
    case_id: i64,
    network: String,
    read_at: DateTime<Utc>,
}

const README: &str = "\
Kring — je gegevens / your data

nl: Dit archief bevat alles wat Kring over jou bewaart: profile.json (je
profiel, organisaties en of aanmelden in twee stappen aanstaat), memberships.json (netwerken en rollen, en je
aanvragen om aan te sluiten), sessions.json (je antwoorden op uitnodigingen
en je aanwezigheid), cases.json (casussen die je schreef, ook je eigen
tekst van voor de pseudonimisering), case_replies.json (je reacties en
reflecties), practices.json en practice_revisions.json (goede praktijken en
versies die je schreef), practice_reflections.json en case_reads.json (welke
casussen je opende en wanneer; Kring houdt dat bij voor de vertrouwelijkheid),
sso_identities.json (organisatie-accounts waarmee je je aanmeldt).

en: This archive holds everything Kring keeps about you: profile.json (your
profile, organisations and whether two-step sign-in is on), memberships.json (networks, roles and requests
to join), sessions.json (your answers to invitations and your attendance),
cases.json (cases you wrote, including your own text from before
pseudonymisation), case_replies.json (your replies and reflections),
practices.json and practice_revisions.json (good practices and revisions
you wrote), practice_reflections.json and case_reads.json (which cases you
opened and when; Kring keeps this for confidentiality), sso_identities.json
(organisation accounts you sign in with).
";

/// Everything Kring keeps about `user_id`, as a zip of JSON files.
pub async fn export<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<Vec<u8>, AppError> {
    let me = find_by_id(db, user_id).await?.ok_or(AppError::NotSignedIn)?;
    let networks: HashMap<i64, network::Model> = network::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let slug = |id: i64| networks.get(&id).map(|n| n.slug.clone()).unwrap_or_default();
    let organisations: HashMap<i64, String> = organisation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();

    let my_organisations = person_organisation::Entity::find()
        .filter(person_organisation::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| organisations.get(&p.organisation_id).cloned())
        .collect();
    let profile = Profile {
        id: me.id,
        email: me.email.clone(),
        display_name: me.display_name.clone(),
        locale: me.locale.clone(),
        is_admin: me.is_admin,
        created_at: me.created_at,
        updated_at: me.updated_at,
        organisations: my_organisations,
        two_factor_since: super::entity::two_factor::Entity::find_by_id(user_id)
            .one(db)
            .await?
            .and_then(|t| t.enabled_at),
        recovery_codes_unused: super::entity::recovery_code::Entity::find()
            .filter(super::entity::recovery_code::Column::UserId.eq(user_id))
            .filter(super::entity::recovery_code::Column::UsedAt.is_null())
            .count(db)
            .await?,
    };

    let memberships: Vec<Membership> = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| Membership {
            network: slug(m.network_id),
            network_name: networks
                .get(&m.network_id)
                .map(|n| n.name.clone())
                .unwrap_or_default(),
            role: m.role,
            organisation: m.organisation_id.and_then(|o| organisations.get(&o).cloned()),
            listed_as_contact: m.listed_contact,
            since: m.created_at,
        })
        .collect();
    let join_requests: Vec<JoinRequest> = join_request::Entity::find()
        .filter(join_request::Column::UserId.eq(user_id))
        .order_by_asc(join_request::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|j| JoinRequest {
            network: slug(j.network_id),
            message: j.message,
            status: j.status,
            created_at: j.created_at,
            decided_at: j.decided_at,
        })
        .collect();

    let answers = rsvp::Entity::find()
        .filter(rsvp::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let attended = attendance::Entity::find()
        .filter(attendance::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let session_ids: BTreeSet<i64> = answers
        .iter()
        .map(|a| a.session_id)
        .chain(attended.iter().map(|a| a.session_id))
        .collect();
    let sessions: HashMap<i64, session::Model> = session::Entity::find()
        .filter(session::Column::Id.is_in(session_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let about = |id: i64| {
        sessions
            .get(&id)
            .map(|s| (slug(s.network_id), s.title.clone(), Some(s.starts_at)))
            .unwrap_or_default()
    };
    let sessions_file = Sessions {
        answers: answers
            .into_iter()
            .map(|a| {
                let (network, title, starts_at) = about(a.session_id);
                SessionAnswer {
                    session_id: a.session_id,
                    network,
                    title,
                    starts_at,
                    answer: a.answer,
                    from_series: a.from_series,
                    waitlisted: a.waitlisted,
                    updated_at: a.updated_at,
                }
            })
            .collect(),
        series_answers: series_rsvp::Entity::find()
            .filter(series_rsvp::Column::UserId.eq(user_id))
            .all(db)
            .await?
            .into_iter()
            .map(|a| SeriesAnswer {
                series_id: a.series_id,
                answer: a.answer,
                updated_at: a.updated_at,
            })
            .collect(),
        attendance: attended
            .into_iter()
            .map(|a| {
                let (network, title, starts_at) = about(a.session_id);
                Attended {
                    session_id: a.session_id,
                    network,
                    title,
                    starts_at,
                }
            })
            .collect(),
    };

    let cases: Vec<Case> = case::Entity::find()
        .filter(case::Column::AuthorId.eq(user_id))
        .order_by_asc(case::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| Case {
            id: c.id,
            network: slug(c.network_id),
            status: c.status,
            title: c.title,
            body: c.body,
            draft_title: c.draft_title,
            draft_body: c.draft_body,
            created_at: c.created_at,
            published_at: c.published_at,
            closed_at: c.closed_at,
        })
        .collect();
    let replies: Vec<Reply> = reply::Entity::find()
        .filter(reply::Column::AuthorId.eq(user_id))
        .order_by_asc(reply::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| Reply {
            id: r.id,
            case_id: r.case_id,
            kind: r.kind,
            body: r.body,
            created_at: r.created_at,
            edited_at: r.edited_at,
        })
        .collect();

    let my_revisions = revision::Entity::find()
        .filter(revision::Column::AuthorId.eq(user_id))
        .order_by_asc(revision::Column::Id)
        .all(db)
        .await?;
    let my_reflections = reflection::Entity::find()
        .filter(reflection::Column::AuthorId.eq(user_id))
        .order_by_asc(reflection::Column::Id)
        .all(db)
        .await?;
    let practice_ids: BTreeSet<i64> = my_revisions
        .iter()
        .map(|r| r.practice_id)
        .chain(my_reflections.iter().map(|r| r.practice_id))
        .collect();
    let practices: HashMap<i64, practice::Model> = practice::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(practice::Column::AuthorId.eq(user_id))
                .add(practice::Column::Id.is_in(practice_ids)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let practice_slug = |id: i64| practices.get(&id).map(|p| p.slug.clone()).unwrap_or_default();
    let mut authored: Vec<Practice> = practices
        .values()
        .filter(|p| p.author_id == Some(user_id))
        .map(|p| Practice {
            slug: p.slug.clone(),
            status: p.status.clone(),
            visibility: p.visibility.clone(),
            title: p.title.clone(),
            summary: p.summary.clone(),
            body: p.body.clone(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            your_revisions: my_revisions
                .iter()
                .filter(|r| r.practice_id == p.id)
                .map(|r| r.number)
                .collect(),
        })
        .collect();
    authored.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.slug.cmp(&b.slug)));
    let revisions: Vec<PracticeRevision> = my_revisions
        .iter()
        .map(|r| PracticeRevision {
            practice: practice_slug(r.practice_id),
            number: r.number,
            title: r.title.clone(),
            created_at: r.created_at,
        })
        .collect();
    let reflections: Vec<Reflection> = my_reflections
        .into_iter()
        .map(|r| Reflection {
            practice: practice_slug(r.practice_id),
            body: r.body,
            created_at: r.created_at,
        })
        .collect();
    let reads: Vec<CaseRead> = case_read::Entity::find()
        .filter(case_read::Column::UserId.eq(user_id))
        .order_by_asc(case_read::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| CaseRead {
            case_id: r.case_id,
            network: slug(r.network_id),
            read_at: r.read_at,
        })
        .collect();

    let files = [
        ("README.txt", README.as_bytes().to_vec()),
        ("profile.json", pretty(&profile)?),
        (
            "memberships.json",
            pretty(&Memberships {
                memberships,
                join_requests,
            })?,
        ),
        ("sessions.json", pretty(&sessions_file)?),
        ("cases.json", pretty(&cases)?),
        ("case_replies.json", pretty(&replies)?),
        ("practices.json", pretty(&authored)?),
        ("practice_revisions.json", pretty(&revisions)?),
        ("practice_reflections.json", pretty(&reflections)?),
        ("case_reads.json", pretty(&reads)?),
        // Organisation accounts linked for single sign-on.
        (
            "sso_identities.json",
            pretty(&super::sso::linked(db, user_id).await?)?,
        ),
    ];
    let archive = zip(&files)?;
    audit::record(db, Event::new(AuditAction::DataExported).by(Some(user_id))).await?;
    Ok(archive)
}

fn pretty<T: Serialize>(value: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec_pretty(value).map_err(|e| {
        tracing::error!(error = %e, "export encoding failed");
        AppError::Internal
    })
}

fn zip(files: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, AppError> {
    let failed = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "export zip failed");
        AppError::Internal
    };
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        out.start_file(*name, options).map_err(|e| failed(&e))?;
        out.write_all(bytes).map_err(|e| failed(&e))?;
    }
    let cursor = out.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
}

/// Networks where `user_id` is the only facilitator.
async fn sole_facilitator_of<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<Vec<String>, AppError> {
    use crate::networks::members;
    let mine = members::facilitated_by(db, user_id).await?;
    let counts = members::facilitator_counts(db, &mine).await?;
    let alone: Vec<i64> = mine
        .into_iter()
        .filter(|n| counts.get(n).copied().unwrap_or(0) <= 1)
        .collect();
    Ok(network::Entity::find()
        .select_only()
        .column(network::Column::Name)
        .filter(network::Column::Id.is_in(alone))
        .order_by_asc(network::Column::Name)
        .into_tuple()
        .all(db)
        .await?)
}

/// What deleting the account would do, for the confirmation page.
pub async fn deletion_preview<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<DeletionPreview, AppError> {
    find_by_id(db, user_id).await?.ok_or(AppError::NotSignedIn)?;
    let count = |n: u64| n.min(u32::MAX as u64) as u32;
    Ok(DeletionPreview {
        sole_facilitator_of: sole_facilitator_of(db, user_id).await?,
        cases: count(
            case::Entity::find()
                .filter(case::Column::AuthorId.eq(user_id))
                .filter(case::Column::Status.is_not_in(UNPUBLISHED))
                .count(db)
                .await?,
        ),
        replies: count(
            reply::Entity::find()
                .filter(reply::Column::AuthorId.eq(user_id))
                .count(db)
                .await?,
        ),
        reflections: count(
            reflection::Entity::find()
                .filter(reflection::Column::AuthorId.eq(user_id))
                .count(db)
                .await?,
        ),
        practices: count(
            practice::Entity::find()
                .filter(practice::Column::AuthorId.eq(user_id))
                .count(db)
                .await?,
        ),
    })
}

/// What the person chose on the confirmation page.
#[derive(Debug, Clone, Default)]
pub struct Deletion<'a> {
    /// The password, or (an account without one) a fresh sign-in at the
    /// provider.
    pub proof: super::domain::Proof<'a>,
    /// Also delete their replies and reflections (otherwise they stay,
    /// shown as by a former member).
    pub delete_posts: bool,
    /// They read that a network loses its last facilitator.
    pub leave_networks_without_facilitator: bool,
}

/// Deletes the account of `user_id`: the person, their memberships,
/// answers, attendance, sessions, drafts and the raw (pre-pseudonymised)
/// text of their cases. Published cases, practices and revisions stay,
/// without a name; replies and reflections too unless `delete_posts`.
pub async fn delete_account<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user_id: i64,
    choice: Deletion<'_>,
) -> Result<(), AppError> {
    let me: user::Model = find_by_id(db, user_id).await?.ok_or(AppError::NotSignedIn)?;
    super::domain::confirm_person(&me, choice.proof, Field::Password, chrono::Utc::now().timestamp())?;
    if !choice.leave_networks_without_facilitator && !sole_facilitator_of(db, user_id).await?.is_empty() {
        return Err(AppError::SoleFacilitator);
    }

    let tx = crate::db::begin_write(db).await?;
    // Unpublished cases were only ever the author's (and a reviewer's).
    let unpublished: Vec<i64> = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .filter(case::Column::AuthorId.eq(user_id))
        .filter(case::Column::Status.is_in(UNPUBLISHED))
        .into_tuple()
        .all(&tx)
        .await?;
    if !unpublished.is_empty() {
        case::Entity::delete_many()
            .filter(case::Column::Id.is_in(unpublished.clone()))
            .exec(&tx)
            .await?;
        for id in &unpublished {
            outbox::record(&tx, outbox::Kind::Case, *id).await?;
        }
    }
    // The raw text and the pseudonym decisions name real people; what
    // readers saw (already pseudonymised) stays as the case's only text.
    case::Entity::update_many()
        .col_expr(case::Column::DraftTitle, Expr::col(case::Column::Title).into())
        .col_expr(case::Column::DraftBody, Expr::col(case::Column::Body).into())
        .col_expr(case::Column::Decisions, Expr::value(""))
        .filter(case::Column::AuthorId.eq(user_id))
        .exec(&tx)
        .await?;
    if choice.delete_posts {
        // Versions, reports and reactions of a reply go with it (cascade).
        reply::Entity::delete_many()
            .filter(reply::Column::AuthorId.eq(user_id))
            .exec(&tx)
            .await?;
        let reflected: BTreeSet<i64> = reflection::Entity::find()
            .select_only()
            .column(reflection::Column::PracticeId)
            .filter(reflection::Column::AuthorId.eq(user_id))
            .into_tuple::<i64>()
            .all(&tx)
            .await?
            .into_iter()
            .collect();
        reflection::Entity::delete_many()
            .filter(reflection::Column::AuthorId.eq(user_id))
            .exec(&tx)
            .await?;
        for id in reflected {
            outbox::record(&tx, outbox::Kind::Practice, id).await?;
        }
    }
    // Rows that name the person by address rather than by id.
    crate::networks::entity::invitation::Entity::delete_many()
        .filter(crate::networks::entity::invitation::Column::Email.eq(me.email.clone()))
        .filter(crate::networks::entity::invitation::Column::AcceptedAt.is_null())
        .exec(&tx)
        .await?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Email.eq(me.email.clone()))
        .exec(&tx)
        .await?;
    crate::mail::entity::Entity::delete_many()
        .filter(crate::mail::entity::Column::ToAddress.eq(me.email.clone()))
        .exec(&tx)
        .await?;
    end_sessions_of(&tx, user_id).await?;
    // The person is the subject, not the actor: the actor column would be
    // emptied with the account a moment later anyway.
    let event = Event::new(AuditAction::AccountDeleted).about(user_id);
    audit::record(
        &tx,
        event.detail(if choice.delete_posts {
            "posts deleted"
        } else {
            "posts kept"
        }),
    )
    .await?;
    // Memberships, answers, attendance, calendar tokens, reply drafts,
    // reactions and acceptances cascade; authorship elsewhere becomes NULL
    // ("former member").
    user::Entity::delete_by_id(user_id).exec(&tx).await?;
    tx.commit().await?;
    tracing::info!(
        user = user_id,
        delete_posts = choice.delete_posts,
        "account deleted"
    );
    Ok(())
}

/// Ends every sign-in session of `user_id` (on every device).
pub async fn end_sessions_of<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<u64, AppError> {
    let rows: Vec<(String, Vec<u8>)> = auth_session::Entity::find()
        .select_only()
        .columns([auth_session::Column::Id, auth_session::Column::Data])
        .into_tuple()
        .all(db)
        .await?;
    let theirs: Vec<String> = rows
        .into_iter()
        .filter(|(_, data)| {
            serde_json::from_slice::<HashMap<String, serde_json::Value>>(data)
                .ok()
                .and_then(|d| d.get(super::auth::USER_KEY).and_then(|v| v.as_i64()))
                == Some(user_id)
        })
        .map(|(id, _)| id)
        .collect();
    if theirs.is_empty() {
        return Ok(0);
    }
    let done = auth_session::Entity::delete_many()
        .filter(auth_session::Column::Id.is_in(theirs))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
