//! The word lists that ship with Kring, parsed once.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::text::fold;

/// Whitespace-separated words; lines starting with `#` are comments.
fn words(src: &'static str) -> impl Iterator<Item = &'static str> {
    src.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
}

/// Lists are compared in folded form (lowercase, no diacritics).
fn set(src: &'static str) -> HashSet<String> {
    words(src).map(fold).collect()
}

/// `category: words` lines into a map from word to category.
fn tagged(src: &'static str) -> HashMap<&'static str, Vec<&'static str>> {
    let mut map: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
    for line in src.lines().filter(|l| !l.trim_start().starts_with('#')) {
        if let Some((tag, rest)) = line.split_once(':') {
            map.entry(tag.trim()).or_default().extend(rest.split_whitespace());
        }
    }
    map
}

pub static FIRST_NAMES: LazyLock<HashSet<String>> =
    LazyLock::new(|| set(include_str!("lists/first_names.txt")));

/// Surname cores: particles are dropped, they are recognised on their own.
pub static SURNAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    words(include_str!("lists/surnames.txt"))
        .filter(|w| !is_particle(w))
        .map(fold)
        .collect()
});

pub static AMBIGUOUS: LazyLock<HashSet<String>> = LazyLock::new(|| set(include_str!("lists/ambiguous.txt")));

pub static NOT_NAMES: LazyLock<HashSet<String>> = LazyLock::new(|| set(include_str!("lists/not_names.txt")));

pub static MUNICIPALITIES: LazyLock<HashSet<String>> =
    LazyLock::new(|| set(include_str!("lists/municipalities.txt")));

/// Service phrases as folded word sequences, by first word, longest first.
pub static SERVICES: LazyLock<HashMap<String, Vec<Vec<String>>>> = LazyLock::new(|| {
    let mut map: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    for line in include_str!("lists/services.txt").lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let phrase: Vec<String> = line.split_whitespace().map(fold).collect();
        map.entry(phrase[0].clone()).or_default().push(phrase);
    }
    for v in map.values_mut() {
        v.sort_by_key(|p| std::cmp::Reverse(p.len()));
    }
    map
});

pub struct StreetWords {
    pub suffixes: Vec<&'static str>,
    pub words: HashSet<&'static str>,
    pub french: HashSet<&'static str>,
    pub not: HashSet<&'static str>,
}

pub static STREETS: LazyLock<StreetWords> = LazyLock::new(|| {
    let mut t = tagged(include_str!("lists/street_words.txt"));
    let mut take = |k: &str| t.remove(k).unwrap_or_default();
    let mut suffixes = take("suffix");
    // Longest first so "steenweg" wins over "weg".
    suffixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
    StreetWords {
        suffixes,
        words: take("word").into_iter().collect(),
        french: take("french").into_iter().collect(),
        not: take("not").into_iter().collect(),
    }
});

pub struct InstitutionWords {
    /// Cue word → label category.
    pub cues: HashMap<&'static str, &'static str>,
    pub prefixes: HashSet<&'static str>,
    pub by_place: HashSet<&'static str>,
    /// (suffix, category), longest first.
    pub suffixes: Vec<(&'static str, &'static str)>,
    pub not_suffix: HashSet<&'static str>,
}

pub static INSTITUTIONS: LazyLock<InstitutionWords> = LazyLock::new(|| {
    let t = tagged(include_str!("lists/institution_cues.txt"));
    let get = |k: &str| t.get(k).cloned().unwrap_or_default();
    let mut cues = HashMap::new();
    for cat in ["school", "kinderopvang", "ziekenhuis", "instelling"] {
        for w in get(cat) {
            cues.entry(w).or_insert(cat);
        }
    }
    let mut suffixes: Vec<(&'static str, &'static str)> = get("suffix")
        .into_iter()
        .map(|s| (s, cues.get(s).copied().unwrap_or("instelling")))
        .collect();
    suffixes.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
    InstitutionWords {
        cues,
        prefixes: get("prefix").into_iter().collect(),
        by_place: get("byplace").into_iter().collect(),
        suffixes,
        not_suffix: get("notsuffix").into_iter().collect(),
    }
});

/// Name particles: "Van den Bossche", "El Amrani", "Ait Ouali", "de Vries".
pub fn is_particle(w: &str) -> bool {
    matches!(
        w,
        "van"
            | "de"
            | "der"
            | "den"
            | "vanden"
            | "vande"
            | "vander"
            | "ver"
            | "'t"
            | "te"
            | "ten"
            | "ter"
            | "el"
            | "al"
            | "ben"
            | "bin"
            | "ait"
            | "aït"
            | "ou"
            | "da"
            | "di"
            | "le"
            | "la"
            | "du"
            | "des"
            | "op"
            | "von"
            | "dos"
            | "das"
            | "del"
            | "della"
            | "mac"
            | "abu"
            | "bou"
    )
}
