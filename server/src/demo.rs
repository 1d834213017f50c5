//! Demo data for the pilot sites. Idempotent: what exists is left alone.
//! These are the sign-ins the networks release gives their roles in the
//! pilot networks (it adds the networks, organisations and memberships).

use kring_app::AppError;
use kring_app::accounts::domain::{self, NewUser};
use kring_app::networks::domain::{self as networks, NewNetwork};
use kring_app::networks::{NetworkKind, NetworkRole, directory};
use sea_orm::DatabaseConnection;

pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub admin: bool,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "admin@kring.demo",
        name: "Beheerder Demo",
        admin: true,
    },
    DemoAccount {
        email: "facilitator@kring.demo",
        name: "Lotte Procesbegeleider (demo)",
        admin: false,
    },
    DemoAccount {
        email: "coach@kring.demo",
        name: "Sofie Coach (demo)",
        admin: false,
    },
    DemoAccount {
        email: "ervaringsdeskundige@kring.demo",
        name: "Mohamed Ervaringsdeskundige (demo)",
        admin: false,
    },
    DemoAccount {
        email: "nieuwkomer@kring.demo",
        name: "Eva Nieuwkomer (demo)",
        admin: false,
    },
];

/// A coordinator per pilot site that has no named demo sign-in.
const SITE_COORDINATORS: &[(&str, &str)] = &[
    ("coordinator.leuven@kring.demo", "An Coördinator Leuven (demo)"),
    (
        "coordinator.mechelen@kring.demo",
        "Bram Coördinator Mechelen (demo)",
    ),
    (
        "coordinator.herenthout@kring.demo",
        "Chloë Coördinator Herenthout (demo)",
    ),
    ("coordinator.bilzen@kring.demo", "Dirk Coördinator Bilzen (demo)"),
    (
        "coordinator.oostende@kring.demo",
        "Elif Coördinator Oostende (demo)",
    ),
];

struct DemoNetwork {
    slug: &'static str,
    name: &'static str,
    description: &'static str,
    kind: NetworkKind,
    join_policy: &'static str,
    /// Names as in the municipalities reference file.
    municipalities: &'static [&'static str],
    /// (name, kind, municipality)
    organisations: &'static [(&'static str, &'static str, &'static str)],
    /// (email, role, organisation)
    members: &'static [(&'static str, NetworkRole, Option<&'static str>)],
}

const NETWORKS: &[DemoNetwork] = &[
    DemoNetwork {
        slug: "lerend-netwerk-lokale-gezinscoaches",
        municipalities: &[
            "Balen",
            "Dessel",
            "Mol",
            "Retie",
            "Leuven",
            "Mechelen",
            "Herenthout",
            "Bilzen-Hoeselt",
            "Oostende",
        ],
        name: "Lerend netwerk lokale gezinscoaches",
        description: "Bovenlokaal lerend netwerk dat de vijf pilootsites samenbrengt, begeleid door een ondersteuningsteam van een hogeschool en ervaringsdeskundigen in armoede.",
        kind: NetworkKind::SupraLocal,
        join_policy: "request",
        organisations: &[
            (
                "Hogeschool – ondersteuningsteam gezinscoaching",
                "other",
                "Leuven",
            ),
            ("De Link", "other", "Antwerpen"),
            ("TAO", "other", "Antwerpen"),
        ],
        members: &[
            (
                "facilitator@kring.demo",
                NetworkRole::Facilitator,
                Some("Hogeschool – ondersteuningsteam gezinscoaching"),
            ),
            (
                "ervaringsdeskundige@kring.demo",
                NetworkRole::ExpertByExperience,
                Some("De Link"),
            ),
            ("coordinator.leuven@kring.demo", NetworkRole::Coach, None),
            ("coordinator.mechelen@kring.demo", NetworkRole::Coach, None),
            ("coordinator.herenthout@kring.demo", NetworkRole::Coach, None),
            ("coordinator.bilzen@kring.demo", NetworkRole::Coach, None),
            ("coordinator.oostende@kring.demo", NetworkRole::Coach, None),
        ],
    },
    DemoNetwork {
        slug: "lerend-netwerk-baldemore",
        municipalities: &["Balen", "Dessel", "Mol", "Retie"],
        name: "Lerend netwerk Baldemore",
        description: "Intergemeentelijk netwerk van Balen, Dessel, Mol en Retie (84.000 inwoners): één coördinator, vier gemeenten, maandelijkse intervisie.",
        kind: NetworkKind::InterMunicipal,
        join_policy: "invite",
        organisations: &[
            ("ILV Baldemore", "other", "Mol"),
            ("OCMW Balen", "ocmw", "Balen"),
            ("OCMW Dessel", "ocmw", "Dessel"),
            ("Sociaal Huis Mol", "ocmw", "Mol"),
            ("OCMW Retie", "ocmw", "Retie"),
        ],
        members: &[
            (
                "facilitator@kring.demo",
                NetworkRole::Facilitator,
                Some("ILV Baldemore"),
            ),
            ("coach@kring.demo", NetworkRole::Coach, Some("Sociaal Huis Mol")),
        ],
    },
    DemoNetwork {
        slug: "werf-gezinscoach-leuven",
        municipalities: &["Leuven"],
        name: "Werf gezinscoach Leuven",
        description: "Lokaal netwerk van acht organisaties en vijftien gezinscoaches, met centrale aanmelding bij het Huis van het Kind.",
        kind: NetworkKind::Local,
        join_policy: "request",
        organisations: &[
            ("Huis van het Kind Leuven", "huis_van_het_kind", "Leuven"),
            ("OCMW Leuven", "ocmw", "Leuven"),
            ("CAW Oost-Brabant", "caw", "Leuven"),
            ("Home-Start Leuven", "home_start", "Leuven"),
            ("CLB Leuven", "clb", "Leuven"),
            ("Kind en Gezin Leuven", "kind_en_gezin", "Leuven"),
            ("Buurtwerk Leuven", "neighbourhood_work", "Leuven"),
            ("Kinderopvang Leuven", "childcare", "Leuven"),
        ],
        members: &[(
            "coordinator.leuven@kring.demo",
            NetworkRole::Facilitator,
            Some("Huis van het Kind Leuven"),
        )],
    },
    DemoNetwork {
        slug: "go-team-mechelen",
        municipalities: &["Mechelen"],
        name: "Go-team Mechelen",
        description: "Lokaal team van gezinscoaches in Mechelen.",
        kind: NetworkKind::Local,
        join_policy: "invite",
        organisations: &[
            ("OCMW Mechelen", "ocmw", "Mechelen"),
            ("Huis van het Kind Mechelen", "huis_van_het_kind", "Mechelen"),
        ],
        members: &[(
            "coordinator.mechelen@kring.demo",
            NetworkRole::Facilitator,
            Some("OCMW Mechelen"),
        )],
    },
    DemoNetwork {
        slug: "gezinscoaching-herenthout",
        municipalities: &["Herenthout"],
        name: "Gezinscoaching Herenthout",
        description: "Lokaal netwerk gezinscoaching in Herenthout.",
        kind: NetworkKind::Local,
        join_policy: "invite",
        organisations: &[("OCMW Herenthout", "ocmw", "Herenthout")],
        members: &[(
            "coordinator.herenthout@kring.demo",
            NetworkRole::Facilitator,
            Some("OCMW Herenthout"),
        )],
    },
    DemoNetwork {
        slug: "gezinscoaching-bilzen",
        municipalities: &["Bilzen-Hoeselt"],
        name: "Gezinscoaching Bilzen",
        description: "Lokaal netwerk gezinscoaching in Bilzen.",
        kind: NetworkKind::Local,
        join_policy: "invite",
        organisations: &[("OCMW Bilzen", "ocmw", "Bilzen-Hoeselt")],
        members: &[(
            "coordinator.bilzen@kring.demo",
            NetworkRole::Facilitator,
            Some("OCMW Bilzen"),
        )],
    },
    DemoNetwork {
        slug: "gezinscoaching-oostende",
        municipalities: &["Oostende"],
        name: "Gezinscoaching Oostende",
        description: "Lokaal netwerk gezinscoaching in Oostende.",
        kind: NetworkKind::Local,
        join_policy: "invite",
        organisations: &[("OCMW Oostende", "ocmw", "Oostende")],
        members: &[(
            "coordinator.oostende@kring.demo",
            NetworkRole::Facilitator,
            Some("OCMW Oostende"),
        )],
    },
];

/// Creates what is missing of the demo data (accounts, then the pilot
/// networks with their organisations and members); returns how many
/// accounts and networks it made. Running it twice changes nothing.
pub async fn load(db: &DatabaseConnection, password: &str) -> Result<usize, AppError> {
    let tx = kring_app::db::begin_write(db).await?;
    let mut created = 0;
    let people = ACCOUNTS
        .iter()
        .map(|a| (a.email, a.name, a.admin))
        .chain(SITE_COORDINATORS.iter().map(|(e, n)| (*e, *n, false)));
    for (email, name, admin) in people {
        if domain::find_by_email(&tx, email).await?.is_some() {
            continue;
        }
        domain::create_user(
            &tx,
            NewUser {
                email,
                display_name: name,
                password,
                is_admin: admin,
                is_demo: true,
            },
        )
        .await?;
        created += 1;
    }
    let admin = domain::find_by_email(&tx, "admin@kring.demo")
        .await?
        .ok_or(AppError::Internal)?;
    let admin_actor = networks::actor_for(&tx, Some(&admin)).await?;
    for net in NETWORKS {
        if networks::find_by_slug(&tx, net.slug).await?.is_some() {
            continue;
        }
        let mut org_ids = std::collections::HashMap::new();
        for (org, kind, place) in net.organisations {
            let id = networks::ensure_organisation(&tx, org, kind).await?;
            let nis = directory::resolve_municipality_list(place)?;
            networks::set_organisation_municipality(&tx, id, nis.first().map(String::as_str)).await?;
            org_ids.insert(*org, id);
        }
        let (first_email, _, first_org) = net.members[0];
        let first = domain::find_by_email(&tx, first_email)
            .await?
            .ok_or(AppError::Internal)?;
        let model = networks::create_network(
            &tx,
            &admin_actor,
            NewNetwork {
                slug: net.slug,
                name: net.name,
                description: net.description,
                kind: net.kind,
                join_policy: net.join_policy,
                municipalities: directory::resolve_municipality_list(&net.municipalities.join(","))?,
                organisations: Vec::new(),
            },
            (first.id, first_org.and_then(|o| org_ids.get(o).copied())),
        )
        .await?;
        created += 1;
        for id in org_ids.values() {
            networks::add_organisation(&tx, model.id, *id).await?;
        }
        for (email, role, org) in net.members.iter().skip(1) {
            let person = domain::find_by_email(&tx, email)
                .await?
                .ok_or(AppError::Internal)?;
            let org_id = org.and_then(|o| org_ids.get(o).copied());
            networks::add_member(&tx, model.id, person.id, *role, org_id).await?;
        }
        // Facilitators of the pilot sites agreed to be listed as contacts.
        let facilitators: Vec<&str> = net
            .members
            .iter()
            .filter(|(_, role, _)| *role == NetworkRole::Facilitator)
            .map(|(email, _, _)| *email)
            .collect();
        networks::list_as_contacts(&tx, model.id, &facilitators).await?;
        let facilitator = networks::actor_for(&tx, Some(&first)).await?;
        let place = net
            .organisations
            .first()
            .map(|(org, _, place)| format!("{org}, {place}"));
        demo_series(&tx, &facilitator, model.id, place.unwrap_or_default()).await?;
        for case in DEMO_CASES.iter().filter(|c| c.network == net.slug) {
            demo_case(&tx, case).await?;
        }
    }
    tx.commit().await?;
    created += demo_practices(db).await?;
    Ok(created)
}

/// The pilot sites' good practices (once: when the library is empty).
pub const PRACTICES: &str = include_str!("../demo/practices.jsonl");

async fn demo_practices(db: &DatabaseConnection) -> Result<usize, AppError> {
    use sea_orm::{EntityTrait, PaginatorTrait};
    if kring_app::library::entity::practice::Entity::find()
        .count(db)
        .await?
        > 0
    {
        return Ok(0);
    }
    let report = kring_app::library::jsonl::import(db, PRACTICES.as_bytes(), None, |_| {}).await?;
    for (line, problem) in &report.errors {
        tracing::warn!(line, problem, "demo practice skipped");
    }
    Ok(report.created as usize)
}

struct DemoCase {
    network: &'static str,
    author: &'static str,
    title: &'static str,
    /// Written as a coach would, names and all: the demo shows the
    /// anonymiser at work (every suggestion accepted).
    body: &'static str,
    /// (who, text, reflection)
    replies: &'static [(&'static str, &'static str, bool)],
}

const DEMO_CASES: &[DemoCase] = &[
    DemoCase {
        network: "lerend-netwerk-lokale-gezinscoaches",
        author: "coordinator.leuven@kring.demo",
        title: "Huurachterstal en een gezin dat niemand meer vertrouwt",
        body: "Mama Fatima woont met haar drie kinderen in de Diestsestraat 112 in Leuven. \
Jonas (9) zit in het derde leerjaar, zijn zusje Lina (4) gaat naar de kleuterklas. \
Er is een huurachterstal van drie maanden en de verhuurder dreigt met de vrederechter.\n\n\
Mama wil geen hulp meer van het OCMW: ze voelt zich er niet gehoord. Hoe bouwen jullie \
opnieuw vertrouwen op als een gezin al zoveel diensten heeft zien passeren?",
        replies: &[
            (
                "facilitator@kring.demo",
                "Herkenbaar. Wat hielp bij ons: één vaste contactpersoon en samen met mama naar het OCMW gaan, in plaats van door te verwijzen.",
                false,
            ),
            (
                "ervaringsdeskundige@kring.demo",
                "Als je al vaak je verhaal moest doen, is nog een dienst vooral nog een oordeel. Vraag eerst wat zij zelf als eerste wil oplossen, en doe dat dan ook echt samen.",
                true,
            ),
        ],
    },
    DemoCase {
        network: "lerend-netwerk-baldemore",
        author: "coach@kring.demo",
        title: "Een gezin verhuist van Mol naar Geel",
        body: "Papa Ahmed en zijn twee zonen verhuizen volgende maand naar Geel. \
De begeleiding loopt goed, maar in Geel kent niemand het gezin. \
Hoe zorgen jullie voor een warme overdracht zonder dat het gezin opnieuw moet beginnen?",
        replies: &[(
            "facilitator@kring.demo",
            "Gebruik de overdracht via ‘Wie doet wat waar?’: de coördinator in Geel krijgt je vraag, zonder gegevens van het gezin.",
            false,
        )],
    },
];

/// A published demo case with its replies, written as the people would
/// (statement accepted, the anonymiser's suggestions taken).
async fn demo_case<C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    case: &DemoCase,
) -> Result<(), AppError> {
    use kring_app::cases::domain as cases;
    use kring_app::cases::text::{Decision, Decisions};

    let actor_of = async |email: &str| -> Result<kring_app::authz::Actor, AppError> {
        let person = domain::find_by_email(db, email)
            .await?
            .ok_or(AppError::Internal)?;
        let actor = networks::actor_for(db, Some(&person)).await?;
        cases::accept_confidentiality(db, &actor, case.network).await?;
        Ok(actor)
    };
    let author = actor_of(case.author).await?;
    let id = cases::create_case(
        db,
        &author,
        case.network,
        cases::CaseInput {
            title: case.title.into(),
            body: case.body.into(),
            ..Default::default()
        },
    )
    .await?;
    let editor = cases::editor(db, &author, id).await?;
    let decisions = Decisions {
        entries: editor
            .check
            .entities
            .iter()
            .map(|e| Decision {
                key: e.key.clone(),
                choice: kring_app::cases::Choice::Pseudonym,
                label: String::new(),
            })
            .collect(),
    };
    cases::save_case(
        db,
        &author,
        id,
        cases::CaseInput {
            title: case.title.into(),
            body: case.body.into(),
            decisions,
            ..Default::default()
        },
    )
    .await?;
    cases::publish_case(db, &author, id, "http://127.0.0.1:3000").await?;
    for (email, text, reflection) in case.replies {
        let who = actor_of(email).await?;
        cases::post_reply(
            db,
            &who,
            id,
            cases::ReplyInput {
                body: (*text).into(),
                reflection: *reflection,
                ..Default::default()
            },
            "http://127.0.0.1:3000",
        )
        .await?;
    }
    Ok(())
}

/// The monthly intervision of a pilot network: every first Tuesday,
/// 13:30–15:30, for the coming ten months, with the incident method.
async fn demo_series<C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    facilitator: &kring_app::authz::Actor,
    network_id: i64,
    place: String,
) -> Result<(), AppError> {
    use chrono::{Datelike, Months, NaiveDate, Utc, Weekday};
    use kring_app::sessions::domain::{RawSession, parse_input, schedule};
    use kring_app::sessions::entity::method;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let today = Utc::now().date_naive();
    let next_month = today
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .ok_or(AppError::Internal)?;
    let mut first = next_month;
    while first.weekday() != Weekday::Tue {
        first = first.succ_opt().ok_or(AppError::Internal)?;
    }
    let last: NaiveDate = next_month
        .checked_add_months(Months::new(10))
        .and_then(|d| d.pred_opt())
        .ok_or(AppError::Internal)?;
    let incident = method::Entity::find()
        .filter(method::Column::Key.eq("incident"))
        .one(db)
        .await?
        .map(|m| m.id.to_string())
        .unwrap_or_default();
    let input = parse_input(&RawSession {
        title: "Maandelijkse intervisie".into(),
        kind: "intervision".into(),
        day: first.to_string(),
        start: "13:30".into(),
        end: "15:30".into(),
        zone: "Europe/Brussels".into(),
        place,
        capacity: "12".into(),
        agenda: "1. Welkom en check-in\n2. Casus volgens de incidentmethode\n3. Wat neem ik mee?".into(),
        method: incident,
        repeat: "monthly_nth".into(),
        last_day: last.to_string(),
        ..Default::default()
    })?;
    schedule(db, facilitator, network_id, input).await?;
    Ok(())
}

pub fn print_sign_ins(password: &str) {
    println!("Demo sign-ins (password: {password}):");
    for acc in ACCOUNTS {
        let role = match acc.email {
            "admin@kring.demo" => "platform admin",
            "facilitator@kring.demo" => "facilitator",
            "coach@kring.demo" => "coach",
            "ervaringsdeskundige@kring.demo" => "expert-by-experience",
            _ => "newcomer",
        };
        println!("  {:<32} {role}", acc.email);
    }
    println!("  (and coordinator.<site>@kring.demo for Leuven, Mechelen, Herenthout, Bilzen, Oostende)");
}
