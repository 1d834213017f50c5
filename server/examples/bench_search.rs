//! Benchmark of the library's search on a generated corpus.
//!
//! `cargo run --release -p server --example bench_search -- DATA_DIR [N]`
//! creates (in DATA_DIR, SQLite) N practices (default 100,000) made from
//! the demo corpus's sentences, themes and municipalities, imports them
//! through `kring practices import`'s code path, rebuilds the search index
//! under `DATA_DIR/search` as `kring reindex` does, and times 2,000
//! searches in-process (top 10 with facets, a mix of plain, typo, compound,
//! phrase, prefix, filtered and empty queries). It prints the figures;
//! `bench/run.sh` then serves DATA_DIR and loads `/api/search` over HTTP.
//! Budgets: index build ≥ 2,000 practices/s, search p99 ≤ 5 ms in-process.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kring_app::search::SearchRequest;
use kring_app::search::index::{Scope, SearchIndex};
use kring_app::search::outbox;

const DEMO: &str = include_str!("../demo/practices.jsonl");

/// A small deterministic generator (no dependency for a benchmark).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

pub const QUERIES: &[&str] = &[
    "huisvesting",
    "huisvesing",
    "schoolkosten",
    "school kosten",
    "gezinnen",
    "\"sociale huur\"",
    "kinderopvang",
    "budgetbeg",
    "energiefactuur betalen",
    "debt help",
    "creche",
    "",
    "vrijetijdspas kinderen",
    "ocmw huurwaarborg",
    "schuldhulpverlening",
    "digitale hulp itsme",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: bench_search DATA_DIR [N]")?);
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(100_000);
    std::fs::create_dir_all(&dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(&dir, n))
}

async fn run(dir: &std::path::Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    // BENCH_REUSE=1 with a DATA_DIR of an earlier run times the searches
    // only (for trying changes to the search itself).
    let reuse = std::env::var("BENCH_REUSE").is_ok_and(|v| v == "1") && dir.join("search").exists();
    let url = format!("sqlite://{}?mode=rwc", dir.join("kring.db").display());
    let db = kring_app::db::connect(&url).await?;
    if reuse {
        let index = Arc::new(SearchIndex::open(&dir.join("search"))?);
        return searches(&db, &index, index.len()).await;
    }
    kring_app::db::migrate(&db).await?;
    kring_server::demo::load(&db, "kring-demo").await?;

    // The corpus: lines of the demo practices, recombined.
    let demo: Vec<kring_app::library::jsonl::Line> = DEMO
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let sentences: Vec<&str> = demo
        .iter()
        .flat_map(|p| p.body_markdown.split(['.', '\n']))
        .map(str::trim)
        .filter(|s| s.len() > 20)
        .collect();
    let titles: Vec<&str> = demo.iter().map(|p| p.title.as_str()).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let file = dir.join("corpus.jsonl");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        for i in 0..n {
            let base = rng.pick(&demo);
            let body: Vec<&str> = (0..12).map(|_| *rng.pick(&sentences)).collect();
            let line = kring_app::library::jsonl::Line {
                slug: format!("praktijk-{i}"),
                title: format!("{} ({})", rng.pick(&titles), i),
                summary: rng.pick(&sentences).to_string(),
                body_markdown: format!("## Aanpak\n\n{}.", body.join(".\n\n")),
                themes: base.themes.clone(),
                municipalities: rng.pick(&demo).municipalities.clone(),
                organisation: rng.pick(&demo).organisation.clone(),
                visibility: if i % 10 == 0 {
                    "network".into()
                } else {
                    "public".into()
                },
                network: (i % 10 == 0).then(|| "lerend-netwerk-lokale-gezinscoaches".to_owned()),
                contact: String::new(),
            };
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
        }
    }

    let started = Instant::now();
    let reader = std::io::BufReader::new(std::fs::File::open(&file)?);
    let report = kring_app::library::jsonl::import(&db, reader, None, |_| {}).await?;
    let import = started.elapsed();
    println!(
        "import of {n} practices (database, revisions, outbox): {:.1} s, {:.0} practices/s, {} bad lines",
        import.as_secs_f64(),
        n as f64 / import.as_secs_f64(),
        report.errors.len()
    );

    let search_dir = dir.join("search");
    let _ = std::fs::remove_dir_all(&search_dir);
    let index = Arc::new(SearchIndex::open(&search_dir)?);
    let started = Instant::now();
    let docs = outbox::rebuild(&db, &index, |_, _| {}).await?;
    let build = started.elapsed();
    println!(
        "index build of {docs} documents from the database (as `kring reindex`): {:.1} s, {:.0} practices/s   (budget >= 2000/s)",
        build.as_secs_f64(),
        docs as f64 / build.as_secs_f64()
    );

    searches(&db, &index, docs).await
}

/// 2,000 searches as a member and as a visitor, overall and per query.
async fn searches(
    db: &sea_orm::DatabaseConnection,
    index: &SearchIndex,
    docs: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let member = kring_app::accounts::domain::find_by_email(db, "coordinator.leuven@kring.demo")
        .await?
        .ok_or("demo member missing")?;
    let member = Scope::for_actor(&kring_app::networks::domain::actor_for(db, Some(&member)).await?);
    let mut times: Vec<Duration> = Vec::new();
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    let mut total_hits = 0u64;
    for i in 0..2000 {
        let q = QUERIES[i % QUERIES.len()];
        let req = SearchRequest {
            q: q.into(),
            themes: if i % 5 == 0 {
                vec!["huisvesting".into()]
            } else {
                Vec::new()
            },
            limit: 10,
            ..Default::default()
        };
        let scope = if i % 2 == 0 { &member } else { &Scope::anonymous() };
        let t = Instant::now();
        let r = index.search(scope, &req)?;
        times.push(t.elapsed());
        per_query[i % QUERIES.len()].push(t.elapsed());
        total_hits += r.total;
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "search top 10 with facets, 2000 queries in-process over {docs} documents: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms   (budget p99 <= 5 ms; {} hits in all)",
        ms(times[1000]),
        ms(times[1980]),
        ms(times[1999]),
        total_hits
    );
    for (q, mut t) in QUERIES.iter().zip(per_query) {
        t.sort();
        println!(
            "  {:<28} p50 {:>6.2} ms   max {:>6.2} ms",
            format!("{q:?}"),
            ms(t[t.len() / 2]),
            ms(t[t.len() - 1])
        );
    }
    Ok(())
}
