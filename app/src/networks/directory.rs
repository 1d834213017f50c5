//! "Wie doet gezinscoaching waar?": find the networks and organisations of
//! a municipality (by name or postcode), with the contacts who agreed to be
//! listed, and send a network's facilitators a handover request.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::entity::{
    handover_request, membership, municipality, network, network_municipality, organisation,
};
use super::{
    DirectoryContact, DirectoryNetwork, DirectoryPlace, HandoverView, MunicipalityRef, NetworkKind,
    NetworkRole,
};
use crate::accounts::entity::user;
use crate::authz::{self, Action, Actor, Target};
use crate::errors::{AppError, Field, Problem};
use crate::i18n::Locale;

pub const QUERY_MAX: usize = 100;
pub const HANDOVER_MIN: usize = 10;
pub const HANDOVER_MAX: usize = 1_000;
/// At most this many municipalities answer one search.
const PLACES_MAX: usize = 10;

/// Lowercase without accents and punctuation, so "Sint-Niklaas",
/// "sint niklaas" and "Sint-Niklaäs" meet.
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The reference data, parsed once from the file the migration loads (the
/// database holds the same rows for foreign keys): searching it in memory
/// keeps the directory within its 5 ms budget.
struct Reference {
    /// (municipality, its folded name)
    all: Vec<(municipality::Model, String)>,
    by_postcode: HashMap<String, Vec<usize>>,
    by_code: HashMap<String, usize>,
}

fn reference() -> &'static Reference {
    static REFERENCE: std::sync::OnceLock<Reference> = std::sync::OnceLock::new();
    REFERENCE.get_or_init(|| {
        let rows = kring_migrations::municipalities::parse(kring_migrations::municipalities::CSV)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "municipalities reference data unreadable");
                Vec::new()
            });
        let mut by_postcode: HashMap<String, Vec<usize>> = HashMap::new();
        let mut all = Vec::with_capacity(rows.len());
        let mut by_code = HashMap::with_capacity(rows.len());
        for (i, m) in rows.into_iter().enumerate() {
            by_code.insert(m.nis_code.clone(), i);
            for p in &m.postcodes {
                by_postcode.entry(p.clone()).or_default().push(i);
            }
            let folded = fold(&m.name);
            all.push((
                municipality::Model {
                    nis_code: m.nis_code,
                    name: m.name,
                    province: m.province,
                },
                folded,
            ));
        }
        Reference {
            all,
            by_postcode,
            by_code,
        }
    })
}

/// A municipality's name by its NIS code.
pub fn municipality_name(code: &str) -> Option<&'static str> {
    let reference = reference();
    reference
        .by_code
        .get(code)
        .map(|&i| reference.all[i].0.name.as_str())
}

/// The NIS code of what someone typed: a code, a name (accents and case
/// aside) or a postcode, when it names exactly one municipality.
pub fn municipality_code(name_or_code: &str) -> Option<String> {
    let s = name_or_code.trim();
    if reference().by_code.contains_key(s) {
        return Some(s.to_owned());
    }
    match resolve_municipality_list(s) {
        Ok(codes) if codes.len() == 1 => codes.into_iter().next(),
        _ => None,
    }
}

/// The municipalities a search term means: a postcode, or a name (exact
/// first, then names starting with it, then containing it).
pub fn find_municipalities(query: &str) -> Vec<municipality::Model> {
    let q = query.trim();
    let reference = reference();
    if q.len() == 4 && q.bytes().all(|b| b.is_ascii_digit()) {
        let mut found: Vec<municipality::Model> = reference
            .by_postcode
            .get(q)
            .map(|ids| ids.iter().map(|&i| reference.all[i].0.clone()).collect())
            .unwrap_or_default();
        found.sort_by(|a, b| a.name.cmp(&b.name));
        return found;
    }
    let wanted = fold(q);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(u8, &municipality::Model)> = reference
        .all
        .iter()
        .filter_map(|(m, name)| {
            let score = if *name == wanted {
                0
            } else if name.starts_with(&wanted) {
                1
            } else if name.contains(&wanted) {
                2
            } else {
                return None;
            };
            Some((score, m))
        })
        .collect();
    scored.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    if scored.first().is_some_and(|(s, _)| *s == 0) {
        scored.retain(|(s, _)| *s == 0);
    }
    scored
        .into_iter()
        .take(PLACES_MAX)
        .map(|(_, m)| m.clone())
        .collect()
}

/// Resolves a list typed into a form ("Balen, Dessel, 2400") into NIS
/// codes; anything that does not name exactly one municipality is refused
/// by name.
pub fn resolve_municipality_list(text: &str) -> Result<Vec<String>, AppError> {
    let mut codes = Vec::new();
    for item in text
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if item.chars().count() > QUERY_MAX {
            return Err(AppError::invalid(
                Field::Municipalities,
                Problem::TooLong {
                    max: QUERY_MAX as u32,
                },
            ));
        }
        let found = find_municipalities(item);
        let exact: Vec<&municipality::Model> = found
            .iter()
            .filter(|m| fold(&m.name) == fold(item) || item.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        match exact.as_slice() {
            [one] => {
                if !codes.contains(&one.nis_code) {
                    codes.push(one.nis_code.clone());
                }
            }
            _ => return Err(AppError::UnknownMunicipality(item.to_owned())),
        }
    }
    if codes.len() > 100 {
        return Err(AppError::invalid(
            Field::Municipalities,
            Problem::TooLong { max: 100 },
        ));
    }
    Ok(codes)
}

/// The directory answer for a search term.
pub async fn search<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    query: &str,
) -> Result<Vec<DirectoryPlace>, AppError> {
    authz::check(actor, Action::UseDirectory, Target::Platform)?;
    if query.chars().count() > QUERY_MAX {
        return Err(AppError::invalid(
            Field::Place,
            Problem::TooLong {
                max: QUERY_MAX as u32,
            },
        ));
    }
    let places = find_municipalities(query);
    if places.is_empty() {
        return Ok(Vec::new());
    }
    let codes: Vec<String> = places.iter().map(|m| m.nis_code.clone()).collect();
    let covers = network_municipality::Entity::find()
        .filter(network_municipality::Column::NisCode.is_in(codes.clone()))
        .all(db)
        .await?;
    let nets: HashMap<i64, network::Model> = network::Entity::find()
        .filter(network::Column::Id.is_in(covers.iter().map(|c| c.network_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let contacts = membership::Entity::find()
        .filter(membership::Column::NetworkId.is_in(nets.keys().copied()))
        .filter(membership::Column::ListedContact.eq(true))
        .all(db)
        .await?;
    let people: HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(contacts.iter().map(|c| c.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    // One query for both: the organisations based here and the contacts'.
    let orgs = organisation::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(organisation::Column::MunicipalityNis.is_in(codes))
                .add(organisation::Column::Id.is_in(contacts.iter().filter_map(|c| c.organisation_id))),
        )
        .order_by_asc(organisation::Column::Name)
        .all(db)
        .await?;
    let org_names: HashMap<i64, String> = orgs.iter().map(|o| (o.id, o.name.clone())).collect();

    Ok(places
        .into_iter()
        .map(|m| {
            let mut networks: Vec<DirectoryNetwork> = covers
                .iter()
                .filter(|c| c.nis_code == m.nis_code)
                .filter_map(|c| nets.get(&c.network_id))
                .map(|n| {
                    let mut contacts: Vec<DirectoryContact> = contacts
                        .iter()
                        .filter(|c| c.network_id == n.id)
                        .filter_map(|c| {
                            let p = people.get(&c.user_id)?;
                            Some(DirectoryContact {
                                name: p.display_name.clone(),
                                email: p.email.clone(),
                                role: NetworkRole::parse(&c.role)?,
                                organisation: c.organisation_id.and_then(|o| org_names.get(&o).cloned()),
                            })
                        })
                        .collect();
                    contacts.sort_by(|a, b| (a.role.rank(), &a.name).cmp(&(b.role.rank(), &b.name)));
                    DirectoryNetwork {
                        slug: n.slug.clone(),
                        name: n.name.clone(),
                        kind: NetworkKind::parse(&n.kind).unwrap_or(NetworkKind::Local),
                        contacts,
                    }
                })
                .collect();
            networks.sort_by(|a, b| a.name.cmp(&b.name));
            DirectoryPlace {
                organisations: orgs
                    .iter()
                    .filter(|o| o.municipality_nis.as_deref() == Some(m.nis_code.as_str()))
                    .map(|o| o.name.clone())
                    .collect(),
                municipality: MunicipalityRef {
                    nis_code: m.nis_code,
                    name: m.name,
                    province: m.province,
                },
                networks,
            }
        })
        .collect())
}

/// "A family moves to your municipality, can we talk?" Stored for the
/// network's facilitators and mailed to them. The text must carry no
/// family data; the form says so (the anonymiser will check it too).
pub async fn send_handover<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    actor: &Actor,
    network_slug: &str,
    nis_code: Option<&str>,
    message: &str,
) -> Result<(), AppError> {
    let net = super::domain::find_by_slug(db, network_slug)
        .await?
        .ok_or(AppError::NotFound)?;
    authz::check(actor, Action::SendHandover, Target::Network(net.id))?;
    let from = actor.user.ok_or(AppError::NotSignedIn)?;
    let message = message.trim();
    let n = message.chars().count();
    if n < HANDOVER_MIN {
        return Err(AppError::invalid(
            Field::Message,
            if n == 0 {
                Problem::Empty
            } else {
                Problem::TooShort {
                    min: HANDOVER_MIN as u32,
                }
            },
        ));
    }
    if n > HANDOVER_MAX {
        return Err(AppError::invalid(
            Field::Message,
            Problem::TooLong {
                max: HANDOVER_MAX as u32,
            },
        ));
    }
    let place = match nis_code.filter(|c| !c.is_empty()) {
        Some(code) => Some(
            municipality::Entity::find_by_id(code.to_owned())
                .one(db)
                .await?
                .ok_or_else(|| AppError::UnknownMunicipality(code.to_owned()))?,
        ),
        None => None,
    };
    let sender = crate::accounts::domain::find_by_id(db, from)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let tx = crate::db::begin_write(db).await?;
    handover_request::ActiveModel {
        network_id: Set(net.id),
        from_user_id: Set(from),
        nis_code: Set(place.as_ref().map(|p| p.nis_code.clone())),
        message: Set(message.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let place_name = place.as_ref().map(|p| p.name.as_str()).unwrap_or("—");
    let text = |l: Locale| {
        crate::i18n::td_string!(
            l,
            mail.handover_body,
            person = sender.display_name.as_str(),
            email = sender.email.as_str(),
            network = net.name.as_str(),
            place = place_name,
            message = message
        )
        .to_string()
    };
    super::members::notify_facilitators(
        &tx,
        net.id,
        &crate::i18n::td_string!(Locale::nl, mail.handover_subject, network = net.name.as_str()).to_string(),
        &super::members::bilingual(text(Locale::nl), text(Locale::en)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The latest handover requests, for the network's facilitators.
pub async fn handovers<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    network_id: i64,
) -> Result<Vec<HandoverView>, AppError> {
    authz::check(actor, Action::DecideJoinRequests, Target::Network(network_id))?;
    use sea_orm::QuerySelect;
    let rows = handover_request::Entity::find()
        .filter(handover_request::Column::NetworkId.eq(network_id))
        .order_by_desc(handover_request::Column::CreatedAt)
        .limit(20)
        .all(db)
        .await?;
    let people: HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.from_user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let places: HashMap<String, String> = municipality::Entity::find()
        .filter(municipality::Column::NisCode.is_in(rows.iter().filter_map(|r| r.nis_code.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.nis_code, m.name))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let p = people.get(&r.from_user_id)?;
            Some(HandoverView {
                from_name: p.display_name.clone(),
                from_email: p.email.clone(),
                municipality: r.nis_code.and_then(|c| places.get(&c).cloned()),
                message: r.message,
                sent_on: r.created_at.format("%Y-%m-%d").to_string(),
            })
        })
        .collect())
}
