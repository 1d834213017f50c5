//! Benchmark fixture and in-process timings for the cases area.
//!
//! `cargo run --release -p server --example bench_cases -- DATABASE_URL OUT_DIR`
//! runs after `bench_networks` on the same database and adds to
//! "bench-netwerk" one published case with 100 replies (a few of them
//! reflections of experts-by-experience), the thread page that
//! `bench/run.sh` serves under load; it writes the case id to
//! `OUT_DIR/case-id`. The facilitator has accepted the confidentiality
//! statement, so the page is the thread itself (each read is audited).
//!
//! It then times in-process, printing p50/p99/max: the editor's live check
//! of a 10 kB case text (detector, pseudonyms and the marked-up view;
//! budget 50 ms) and building the thread of 100 replies (database queries,
//! Markdown and the audit write included).

use std::time::{Duration, Instant};

use kring_app::accounts::domain as accounts;
use kring_app::cases::Choice;
use kring_app::cases::domain::{self as cases, CaseInput, ReplyInput, ReplyOutcome};
use kring_app::cases::text::{Decision, Decisions};
use kring_app::networks::domain as networks;

const SLUG: &str = "bench-netwerk";
const BASE: &str = "http://127.0.0.1:3000";

const CASE: &str = "Mama Fatima El Amrani (34) woont met haar drie kinderen in de Kerkstraat 12 bus 3, 2400 Mol. \
Jonaske (9) zit in het derde leerjaar van basisschool De Regenboog, zijn zusje Lina (6) in de kleuterklas. \
Het OCMW en het CAW volgen het gezin op; op maandag is er overleg met het CLB.\n\n\
Papa Dirk Peeters belt soms vanaf 0478 12 34 56 als het dringend is. \
Er is een huurachterstal van drie maanden en de verhuurder dreigt met de vrederechter.\n\n\
**Mijn vraag**: hoe bouwen jullie vertrouwen op met een gezin dat al veel diensten heeft zien passeren?";

const REPLIES: [&str; 4] = [
    "Herkenbaar. Bij ons hielp één vaste contactpersoon, en *samen* naar het OCMW gaan in plaats van door te verwijzen.",
    "Ik zou eerst vragen wat mama zelf als eerste wil oplossen. Dan:\n\n- één afspraak per week\n- alles op papier meegeven\n- de kinderen even apart laten vertellen",
    "Misschien kan de schuldbemiddeling van het CAW de huurachterstal met de verhuurder bespreken, zodat er tijd is om te ademen.",
    "Als je al vaak je verhaal moest doen, is nog een dienst vooral nog een oordeel. Neem de tijd; vertrouwen komt niet in één gesprek.",
];

fn figures(label: &str, mut times: Vec<Duration>, budget: &str) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let n = times.len();
    println!(
        "{label}, {n} runs in-process: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms   (budget {budget})",
        ms(times[n / 2]),
        ms(times[n * 99 / 100]),
        ms(times[n - 1])
    );
}

/// All suggestions taken, as a coach who agrees with the detector would.
fn accept_all(view: &kring_app::cases::CheckView) -> Decisions {
    Decisions {
        entries: view
            .entities
            .iter()
            .map(|e| Decision {
                key: e.key.clone(),
                choice: Choice::Pseudonym,
                label: String::new(),
            })
            .collect(),
    }
}

async fn actor(
    db: &sea_orm::DatabaseConnection,
    email: &str,
) -> Result<kring_app::authz::Actor, Box<dyn std::error::Error>> {
    let person = accounts::find_by_email(db, email)
        .await?
        .ok_or_else(|| format!("{email} missing: run bench_networks first"))?;
    Ok(networks::actor_for(db, Some(&person)).await?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench_cases DATABASE_URL OUT_DIR";
    let url = args.next().ok_or(usage)?;
    let out = std::path::PathBuf::from(args.next().ok_or(usage)?);
    let db = kring_app::db::connect(&url).await?;

    let facilitator = actor(&db, "facilitator@kring.demo").await?;
    cases::accept_confidentiality(&db, &facilitator, SLUG).await?;
    let author = actor(&db, "bench004@example.be").await?;
    cases::accept_confidentiality(&db, &author, SLUG).await?;
    let id = cases::create_case(
        &db,
        &author,
        SLUG,
        CaseInput {
            title: "Huurachterstal en een gezin dat niemand meer vertrouwt".into(),
            body: CASE.into(),
            ..Default::default()
        },
    )
    .await?;
    let editor = cases::editor(&db, &author, id).await?;
    cases::save_case(
        &db,
        &author,
        id,
        CaseInput {
            title: editor.title.clone(),
            body: editor.body.clone(),
            decisions: accept_all(&editor.check),
            ..Default::default()
        },
    )
    .await?;
    cases::publish_case(&db, &author, id, BASE).await?;

    // 100 replies by 50 members (two each); members 1 and 2 of every 20
    // are experts-by-experience and write reflections.
    // (Observers, every 20th + 3, only read; the facilitators are skipped.)
    let writers: Vec<usize> = (5..200).filter(|m| m % 20 != 3 && m % 20 != 0).take(50).collect();
    let mut posted = 0;
    for i in 0..100usize {
        let member = writers[i % writers.len()];
        let who = actor(&db, &format!("bench{member:03}@example.be")).await?;
        cases::accept_confidentiality(&db, &who, SLUG).await?;
        let reflection = matches!(member % 20, 1 | 2);
        let outcome = cases::post_reply(
            &db,
            &who,
            id,
            ReplyInput {
                body: format!("{} ({})", REPLIES[i % REPLIES.len()], i + 1),
                reflection,
                ..Default::default()
            },
            BASE,
        )
        .await?;
        if let ReplyOutcome::Posted(_) = outcome {
            posted += 1;
        }
    }
    if posted != 100 {
        return Err(format!("expected 100 replies posted, got {posted}").into());
    }
    std::fs::write(out.join("case-id"), id.to_string())?;
    let view = cases::thread(&db, &facilitator, id, false).await?;
    println!("fixture: case {id} in {SLUG} with {} replies", view.replies.len());

    // The editor's live check of a 10 kB text.
    let mut long = String::new();
    while long.len() < 10 * 1024 {
        long.push_str(CASE);
        long.push_str("\n\n");
    }
    for _ in 0..5 {
        cases::check_text(&db, &author, id, "Titel", &long).await?;
    }
    let mut times = Vec::with_capacity(200);
    let mut findings = 0;
    for _ in 0..200 {
        let start = Instant::now();
        let check = std::hint::black_box(cases::check_text(&db, &author, id, "Titel", &long).await?);
        times.push(start.elapsed());
        findings = check.entities.len();
    }
    figures(
        &format!(
            "editor live check of a {} kB case text ({findings} entities)",
            long.len() / 1024
        ),
        times,
        "50 ms",
    );

    // Building the thread of 100 replies.
    let mut times = Vec::with_capacity(300);
    for _ in 0..300 {
        let start = Instant::now();
        std::hint::black_box(cases::thread(&db, &facilitator, id, false).await?);
        times.push(start.elapsed());
    }
    figures(
        "building a thread of 100 replies",
        times,
        "part of the 15 ms page",
    );
    Ok(())
}
