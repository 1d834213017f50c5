//! Anonymiser throughput on one thread.
//! `cargo run --release -p app --features ssr --example anonymise_bench`
//! Budgets: ≥ 500 texts of 2 kB per second; one 10 kB text ≤ 50 ms.

use std::hint::black_box;
use std::time::{Duration, Instant};

use app::anonymise::analyse;

/// Realistic case paragraphs, mixed and cut to about `size` bytes.
fn text(seed: usize, size: usize) -> String {
    const PARTS: [&str; 8] = [
        "Mama Fatima El Amrani (34) woont met haar drie kinderen in de Kerkstraat 12 bus 3, 2400 Mol. ",
        "Jonaske (9) zit in het derde leerjaar van basisschool De Regenboog, zijn zusje Lina (6) in de kleuterklas. ",
        "Het OCMW van Mol en het CAW volgen het gezin op; op maandag is er overleg met het CLB en Kind en Gezin. ",
        "Papa Dirk Peeters belt soms vanaf 0478 12 34 56 of mailt naar dirk.peeters76@gmail.com als het dringend is. ",
        "De huur (750 euro) gaat naar BE68 5390 0754 7034; rijksregisternummer mama 85.07.30-033.28, geboren op 30 juli 1985. ",
        "tijdens de intervisie in Balen vertelde de coach dat mama moe is, jonas slaapt slecht en oma Rita helpt op woensdag. ",
        "Met Pasen en in de zomervakantie gaan de kinderen naar de speelpleinwerking; de juf zegt dat het beter gaat. ",
        "Mevrouw Vanden Berghe van het Huis van het Kind in Leuven stuurt de brief door; de auto (1-ABC-234) is afgekeurd. ",
    ];
    let mut s = String::with_capacity(size + 200);
    let mut i = seed;
    while s.len() < size {
        s.push_str(PARTS[i % PARTS.len()]);
        i = i * 7 + 3;
    }
    s
}

fn main() {
    let texts: Vec<String> = (0..200).map(|i| text(i, 2048)).collect();
    // The word lists and patterns are built on first use.
    let t0 = Instant::now();
    black_box(analyse(&texts[0]));
    let first = t0.elapsed();
    for t in &texts[..10] {
        black_box(analyse(t));
    }
    let mut times: Vec<Duration> = Vec::with_capacity(5000);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        for t in &texts {
            let t0 = Instant::now();
            black_box(analyse(black_box(t)));
            times.push(t0.elapsed());
        }
    }
    let total: Duration = times.iter().sum();
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    let per_second = times.len() as f64 / total.as_secs_f64();
    println!("anonymiser, one thread, {} texts of ~2 kB:", times.len());
    println!(
        "  first call  {:.1} ms (builds the word lists and patterns once)",
        first.as_secs_f64() * 1e3
    );
    println!("  throughput  {per_second:.0} texts/s   (budget >= 500/s)");
    println!("  median      {:.3} ms", pct(0.5).as_secs_f64() * 1e3);
    println!("  p99         {:.3} ms", pct(0.99).as_secs_f64() * 1e3);
    let big = text(1, 10 * 1024);
    let mut best = Duration::MAX;
    for _ in 0..20 {
        let t0 = Instant::now();
        black_box(analyse(black_box(&big)));
        best = best.min(t0.elapsed());
    }
    let t0 = Instant::now();
    let a = analyse(&big);
    let once = t0.elapsed();
    println!(
        "  10 kB text  {:.3} ms (best of 20: {:.3} ms, {} findings)   (budget <= 50 ms)",
        once.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e3,
        a.findings.len()
    );
}
