//! Benchmark fixture and in-process timings for the sessions area.
//!
//! `cargo run --release -p server --example bench_sessions -- DATABASE_URL OUT_DIR`
//! runs after `bench_networks` on the same database and adds:
//! - to "bench-netwerk" (200 members) a weekly intervision for a year, half
//!   of it past, with 100 members answering "going" for the whole series:
//!   the network's sessions page that `bench/run.sh` serves under load;
//! - "bench-agenda", a network with two weekly series (500 meetings in all)
//!   and one member whose secret feed URL it writes to `OUT_DIR/feed-token`.
//!
//! It then times in-process, printing p50/p99/max: expanding a five-year
//! weekly series (budget 1 ms) and rendering that member's feed of 500
//! sessions (the server-side part of the 10 ms budget; `bench/run.sh` also
//! measures it over HTTP).

use std::time::{Duration as StdDuration, Instant};

use chrono::{Datelike, Duration, Months, NaiveTime, Utc};
use kring_app::accounts::domain as accounts;
use kring_app::accounts::entity::user;
use kring_app::networks::domain::{self as networks, NewNetwork};
use kring_app::networks::{NetworkKind, NetworkRole};
use kring_app::sessions::domain::{self as sessions, RawSession};
use kring_app::sessions::recurrence::{self, Pattern, SeriesRule};
use kring_app::sessions::{Answer, feeds, rsvp};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

fn weekly(title: &str, first: chrono::NaiveDate, last: chrono::NaiveDate) -> RawSession {
    RawSession {
        title: title.into(),
        kind: "intervision".into(),
        day: first.to_string(),
        start: "13:30".into(),
        end: "15:30".into(),
        zone: recurrence::DEFAULT_ZONE.into(),
        place: "Sociaal Huis, Markt 1, Mol".into(),
        online_link: "https://meet.example.be/bench".into(),
        capacity: "150".into(),
        agenda: "1. Check-in\n2. Casus volgens de **incidentmethode**\n3. Wat neem ik mee?".into(),
        repeat: "weekly".into(),
        last_day: last.to_string(),
        ..Default::default()
    }
}

fn figures(label: &str, mut times: Vec<StdDuration>, budget: &str) {
    times.sort();
    let us = |d: StdDuration| d.as_secs_f64() * 1e6;
    let n = times.len();
    println!(
        "{label}, {n} runs in-process: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs   (budget {budget})",
        us(times[n / 2]),
        us(times[n * 99 / 100]),
        us(times[n - 1])
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: bench_sessions DATABASE_URL OUT_DIR")?;
    let out = std::path::PathBuf::from(args.next().ok_or("usage: bench_sessions DATABASE_URL OUT_DIR")?);
    let db = kring_app::db::connect(&url).await?;
    let base = url::Url::parse("http://127.0.0.1:3000")?;
    let today = Utc::now().date_naive();

    let facilitator = accounts::find_by_email(&db, "facilitator@kring.demo")
        .await?
        .ok_or("demo data missing")?;
    let actor = networks::actor_for(&db, Some(&facilitator)).await?;
    let bench = networks::find_by_slug(&db, "bench-netwerk")
        .await?
        .ok_or("run bench_networks first")?;

    // A year of weekly meetings, half of them past, 100 people going.
    let done = sessions::schedule(
        &db,
        &actor,
        bench.id,
        sessions::parse_input(&weekly(
            "Bench intervisie",
            today - Duration::days(182),
            today + Duration::days(182),
        ))?,
    )
    .await?;
    let series = done.series.ok_or("a series")?;
    for i in 1..=100 {
        let person = accounts::find_by_email(&db, &format!("bench{i:03}@example.be"))
            .await?
            .ok_or("bench member missing")?;
        let who = networks::actor_for(&db, Some(&person)).await?;
        rsvp::answer_series(&db, &who, series, Answer::Going).await?;
    }
    println!(
        "fixture: bench-netwerk has {} weekly meetings, 100 members going",
        done.meetings
    );

    // A network with 500 meetings and one member subscribed to them.
    let agenda = networks::create_network(
        &db,
        &actor,
        NewNetwork {
            slug: "bench-agenda",
            name: "Bench agenda",
            description: "500 bijeenkomsten, voor de benchmark van de agendafeed.",
            kind: NetworkKind::InterMunicipal,
            join_policy: "invite",
            municipalities: Vec::new(),
            organisations: Vec::new(),
        },
        (facilitator.id, None),
    )
    .await?;
    // The facilitator's roles now include the new network.
    let actor = networks::actor_for(&db, Some(&facilitator)).await?;
    let mut meetings = 0;
    for (title, offset) in [("Intervisie dinsdag", 0), ("Leerronde donderdag", 2)] {
        let first = today + Duration::days(offset + 1);
        let last = first + Duration::weeks(249);
        let done = sessions::schedule(
            &db,
            &actor,
            agenda.id,
            sessions::parse_input(&weekly(title, first, last))?,
        )
        .await?;
        meetings += done.meetings;
    }
    let now = Utc::now();
    let subscriber = user::ActiveModel {
        email: Set("agenda@example.be".into()),
        display_name: Set("Agenda Bench".into()),
        password_hash: Set(None),
        is_admin: Set(false),
        is_demo: Set(true),
        locale: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    networks::add_member(&db, agenda.id, subscriber.id, NetworkRole::Coach, None).await?;
    let token = feeds::regenerate(&db, subscriber.id).await?;
    std::fs::write(out.join("feed-token"), &token)?;
    let feed = feeds::personal(&db, &token, &base).await?;
    let events = feed.matches("BEGIN:VEVENT").count();
    println!(
        "fixture: bench-agenda has {meetings} meetings; the subscriber's feed has {events} events, {} kB",
        feed.len() / 1024
    );
    if events != 500 {
        return Err(format!("expected 500 events in the feed, got {events}").into());
    }
    // Not a stale fixture: the member really is in that network only.
    let member_of = kring_app::networks::entity::membership::Entity::find()
        .filter(kring_app::networks::entity::membership::Column::UserId.eq(subscriber.id))
        .all(&db)
        .await?
        .len();
    assert_eq!(member_of, 1);

    // Expanding a five-year weekly series.
    let first = today.with_day(1).ok_or("day")?;
    let rule = SeriesRule {
        pattern: Pattern::Weekly {
            interval: 1,
            weekday: chrono::Weekday::Tue,
        },
        first_day: first,
        last_day: first.checked_add_months(Months::new(60)).ok_or("date")?,
        start_time: NaiveTime::from_hms_opt(13, 30, 0).ok_or("time")?,
        end_time: NaiveTime::from_hms_opt(15, 30, 0).ok_or("time")?,
        zone: chrono_tz::Europe::Brussels,
        exceptions: Vec::new(),
    };
    let mut times = Vec::with_capacity(2000);
    let mut count = 0;
    for _ in 0..2000 {
        let start = Instant::now();
        count = std::hint::black_box(recurrence::expand(std::hint::black_box(&rule))?).len();
        times.push(start.elapsed());
    }
    figures(
        &format!("expanding a five-year weekly series ({count} meetings)"),
        times,
        "1 ms",
    );

    // Rendering the 500-session feed (database queries included).
    for _ in 0..20 {
        feeds::personal(&db, &token, &base).await?;
    }
    let mut times = Vec::with_capacity(300);
    for _ in 0..300 {
        let start = Instant::now();
        std::hint::black_box(feeds::personal(&db, &token, &base).await?);
        times.push(start.elapsed());
    }
    figures("personal feed of 500 sessions, rendered (cold)", times, "10 ms");
    // What a calendar app polling an unchanged feed costs: the token and
    // validity queries, then the cached rendering.
    let cache = feeds::FeedCache::default();
    let mut times = Vec::with_capacity(300);
    for i in 0..320 {
        let start = Instant::now();
        std::hint::black_box(feeds::personal_cached(&db, &cache, &token, &base).await?);
        if i >= 20 {
            times.push(start.elapsed());
        }
    }
    figures(
        "personal feed of 500 sessions, current in the cache",
        times,
        "10 ms",
    );
    // Where the time goes: loading the 500 rows alone.
    let mut times = Vec::with_capacity(300);
    for _ in 0..300 {
        let start = Instant::now();
        std::hint::black_box(
            kring_app::sessions::entity::session::Entity::find()
                .filter(kring_app::sessions::entity::session::Column::NetworkId.eq(agenda.id))
                .all(&db)
                .await?,
        );
        times.push(start.elapsed());
    }
    figures("  of which loading the 500 session rows", times, "-");
    Ok(())
}
