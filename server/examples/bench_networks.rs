//! Benchmark fixture and directory timing for the networks area.
//!
//! `cargo run --release -p server --example bench_networks -- DATABASE_URL`
//! migrates, loads the demo data, adds "bench-netwerk" (200 members from 30
//! organisations, 30 municipalities, 10 listed contacts; the demo
//! facilitator is its facilitator), then times the directory search by
//! postcode in-process (the server-side part of the request) and prints
//! p50/p99/max. `bench/run.sh` then serves the same database under load.

use std::time::Instant;

use chrono::Utc;
use kring_app::accounts::domain as accounts;
use kring_app::accounts::entity::user;
use kring_app::networks::domain::{self as networks, NewNetwork};
use kring_app::networks::entity::municipality;
use kring_app::networks::{NetworkKind, NetworkRole, directory};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, QuerySelect, Set};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: bench_networks DATABASE_URL")?;
    let db = kring_app::db::connect(&url).await?;
    kring_app::db::migrate(&db).await?;
    kring_server::demo::load(&db, "kring-demo").await?;

    if networks::find_by_slug(&db, "bench-netwerk").await?.is_none() {
        let facilitator = accounts::find_by_email(&db, "facilitator@kring.demo")
            .await?
            .ok_or("demo data missing")?;
        let actor = networks::actor_for(&db, Some(&facilitator)).await?;
        // Mol first, so that postcode 2400 finds this network.
        let mut codes = directory::resolve_municipality_list("Mol")?;
        let more: Vec<String> = municipality::Entity::find()
            .order_by_asc(municipality::Column::NisCode)
            .limit(29)
            .all(&db)
            .await?
            .into_iter()
            .map(|m| m.nis_code)
            .filter(|c| !codes.contains(c))
            .collect();
        codes.extend(more.into_iter().take(29));
        let orgs: Vec<String> = (1..=30).map(|i| format!("Benchorganisatie {i:02}")).collect();
        let net = networks::create_network(
            &db,
            &actor,
            NewNetwork {
                slug: "bench-netwerk",
                name: "Bench netwerk",
                description: "200 leden uit 30 organisaties, voor de benchmark.",
                kind: NetworkKind::SupraLocal,
                join_policy: "request",
                municipalities: codes.clone(),
                organisations: orgs.clone(),
            },
            (facilitator.id, None),
        )
        .await?;
        let org_ids: Vec<i64> = {
            let mut ids = Vec::new();
            for (i, name) in orgs.iter().enumerate() {
                let id = networks::ensure_organisation(&db, name, "other").await?;
                networks::set_organisation_municipality(&db, id, codes.get(i).map(String::as_str)).await?;
                ids.push(id);
            }
            ids
        };
        // One hash for all: 199 argon2 runs would only time the fixture.
        let hash = accounts::hash_password("bench-wachtwoord")?;
        let mut listed = Vec::new();
        for i in 1..200 {
            let email = format!("bench{i:03}@example.be");
            let now = Utc::now();
            let person = user::ActiveModel {
                email: Set(email.clone()),
                display_name: Set(format!("Coach {i:03} Bench")),
                password_hash: Set(Some(hash.clone())),
                is_admin: Set(false),
                is_demo: Set(true),
                locale: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&db)
            .await?;
            let role = match i % 20 {
                0 => NetworkRole::Facilitator,
                1 | 2 => NetworkRole::ExpertByExperience,
                3 => NetworkRole::Observer,
                _ => NetworkRole::Coach,
            };
            networks::add_member(&db, net.id, person.id, role, Some(org_ids[i % org_ids.len()])).await?;
            if i % 20 == 0 || i <= 5 {
                listed.push(email);
            }
        }
        let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
        networks::list_as_contacts(&db, net.id, &listed).await?;
        println!(
            "fixture: bench-netwerk with 200 members, 30 organisations, {} municipalities",
            codes.len()
        );
    }

    let someone = accounts::find_by_email(&db, "coach@kring.demo")
        .await?
        .ok_or("demo data missing")?;
    let actor = networks::actor_for(&db, Some(&someone)).await?;
    for _ in 0..200 {
        directory::search(&db, &actor, "2400").await?;
    }
    let mut times = Vec::with_capacity(2000);
    let mut found = 0;
    for _ in 0..2000 {
        let start = Instant::now();
        let places = directory::search(&db, &actor, "2400").await?;
        times.push(start.elapsed());
        found = places.iter().map(|p| p.networks.len()).sum();
    }
    times.sort();
    let us = |d: std::time::Duration| d.as_secs_f64() * 1e6;
    println!(
        "directory search by postcode 2400 ({found} networks), 2000 runs in-process: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs   (budget 5 ms)",
        us(times[1000]),
        us(times[1980]),
        us(times[1999])
    );
    Ok(())
}
