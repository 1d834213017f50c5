//! How text becomes search terms. Dutch: lowercase, accents folded, stop
//! words dropped, compound words split into their parts (from a dictionary
//! of parts, `compound_parts.txt`: "schoolkosten" → school + kosten), then
//! stemmed (gezinnen → gezin). English gets its own analyser for
//! newcomers' queries. `words` keeps whole words (folded) for typo
//! tolerance and prefix search, which must see what people typed.

use std::collections::HashMap;
use std::sync::LazyLock;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, SplitCompoundWords, Stemmer,
    StopWordFilter, TextAnalyzer, TokenizerManager,
};

pub const NL: &str = "kring_nl";
pub const EN: &str = "kring_en";
pub const WORDS: &str = "kring_words";

/// Longer tokens are noise (URLs, hashes) and are dropped.
const TOKEN_MAX: usize = 40;

static PARTS: &str = include_str!("compound_parts.txt");
static SYNONYMS: &str = include_str!("synonyms.txt");

fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
}

fn dutch() -> TextAnalyzer {
    // Folded like the text they meet (built here: `fold` needs ANALYSERS,
    // which this helps to build).
    let mut plain = words();
    let parts: Vec<String> = entries(PARTS).map(|p| fold_with(&mut plain, p)).collect();
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(TOKEN_MAX))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    let builder = match StopWordFilter::new(Language::Dutch) {
        Some(stop) => builder.filter_dynamic(stop),
        None => builder,
    };
    let builder = match SplitCompoundWords::from_dictionary(parts) {
        Ok(split) => builder.filter_dynamic(split),
        Err(e) => {
            tracing::error!(error = %e, "compound dictionary unusable; compounds stay whole");
            builder
        }
    };
    builder.filter_dynamic(Stemmer::new(Language::Dutch)).build()
}

fn english() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(TOKEN_MAX))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    let builder = match StopWordFilter::new(Language::English) {
        Some(stop) => builder.filter_dynamic(stop),
        None => builder,
    };
    builder.filter_dynamic(Stemmer::new(Language::English)).build()
}

fn words() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(TOKEN_MAX))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The analysers, built once (the compound dictionary is an automaton).
static ANALYSERS: LazyLock<(TextAnalyzer, TextAnalyzer, TextAnalyzer)> =
    LazyLock::new(|| (dutch(), english(), words()));

pub fn register(manager: &TokenizerManager) {
    manager.register(NL, ANALYSERS.0.clone());
    manager.register(EN, ANALYSERS.1.clone());
    manager.register(WORDS, ANALYSERS.2.clone());
}

pub fn analyser(name: &str) -> TextAnalyzer {
    match name {
        NL => ANALYSERS.0.clone(),
        EN => ANALYSERS.1.clone(),
        _ => ANALYSERS.2.clone(),
    }
}

/// The terms of `text` with their positions.
pub fn analyse(analyser: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut stream = analyser.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push((t.position, t.text.clone()));
    }
    out
}

/// Lowercase without accents: how words are compared.
pub fn fold(word: &str) -> String {
    fold_with(&mut ANALYSERS.2.clone(), word)
}

fn fold_with(words: &mut TextAnalyzer, word: &str) -> String {
    let terms = analyse(words, word);
    if terms.is_empty() {
        word.to_lowercase()
    } else {
        terms.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(" ")
    }
}

/// Synonym groups coaches expect ("ocmw" also finds "sociaal huis").
pub struct Synonyms {
    groups: Vec<Vec<String>>,
    by_word: HashMap<String, usize>,
}

impl Synonyms {
    fn load() -> Self {
        let mut s = Synonyms {
            groups: Vec::new(),
            by_word: HashMap::new(),
        };
        for line in entries(SYNONYMS) {
            let group: Vec<String> = line
                .split(',')
                .map(|w| fold(w.trim()))
                .filter(|w| !w.is_empty())
                .collect();
            if group.len() < 2 {
                continue;
            }
            let index = s.groups.len();
            for w in &group {
                s.by_word.entry(w.clone()).or_insert(index);
            }
            s.groups.push(group);
        }
        s
    }

    /// The other words of `word`'s group (folded), if any.
    pub fn of(&self, word: &str) -> Vec<&str> {
        let folded = fold(word);
        match self.by_word.get(&folded) {
            Some(i) => self.groups[*i]
                .iter()
                .filter(|w| **w != folded)
                .map(String::as_str)
                .collect(),
            None => Vec::new(),
        }
    }
}

pub static SYNONYM_GROUPS: LazyLock<Synonyms> = LazyLock::new(Synonyms::load);

#[cfg(test)]
mod tests {
    use super::*;

    fn nl(text: &str) -> Vec<String> {
        analyse(&mut analyser(NL), text)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn inflections_meet_in_one_stem() {
        assert_eq!(nl("gezin"), nl("gezinnen"));
        assert_eq!(nl("woning"), nl("woningen"));
    }

    #[test]
    fn compounds_split_into_their_parts() {
        let compound = nl("schoolkosten");
        assert_eq!(compound, [nl("school"), nl("kosten")].concat());
    }

    #[test]
    fn accents_fold() {
        assert_eq!(nl("crèche"), nl("creche"));
        assert_eq!(fold("Financiële"), "financiele");
    }

    #[test]
    fn stop_words_are_dropped() {
        assert_eq!(nl("de kosten van het"), nl("kosten"));
    }
}
