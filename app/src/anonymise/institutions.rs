//! Service names (left alone) and named institutions (schools, daycare,
//! hospitals …), found on tokens after the structured patterns.

use super::lists::{INSTITUTIONS, MUNICIPALITIES, NOT_NAMES, SERVICES, is_particle};
use super::text::Tok;
use super::{Cand, Mask};

/// Only spaces between two tokens (no punctuation, no line break).
pub fn adjacent(text: &str, a: &Tok, b: &Tok) -> bool {
    text[a.end..b.start].bytes().all(|c| c == b' ' || c == b'\t') && a.end < b.start
}

pub fn block(toks: &mut [Tok], from: usize, to: usize) {
    for t in &mut toks[from..to] {
        t.blocked = true;
    }
}

/// Marks service names ("Huis van het Kind", "CAW De Kempen") so that no
/// detector reads them as names.
pub fn services(text: &str, toks: &mut [Tok]) {
    let mut i = 0;
    while i < toks.len() {
        let Some(phrases) = SERVICES.get(&toks[i].lower) else {
            i += 1;
            continue;
        };
        let matched = phrases.iter().find(|p| {
            i + p.len() <= toks.len()
                && p.iter().enumerate().all(|(k, w)| {
                    toks[i + k].lower == *w && (k == 0 || adjacent(text, &toks[i + k - 1], &toks[i + k]))
                })
        });
        let Some(p) = matched else {
            i += 1;
            continue;
        };
        let mut end = i + p.len();
        // A regional branch name after an acronym: "CLB Kempen", "CAW De Kempen".
        if toks[i].all_caps {
            let mut k = end;
            while k < toks.len()
                && k < end + 3
                && adjacent(text, &toks[k - 1], &toks[k])
                && toks[k].cap
                && !toks[k].blocked
            {
                k += 1;
            }
            if k > end && !is_particle(&toks[k - 1].lower) {
                end = k;
            }
        }
        block(toks, i, end);
        i = end;
    }
}

fn name_token(t: &Tok) -> bool {
    t.is_word && t.cap && !t.blocked && !NOT_NAMES.contains(&t.lower)
}

fn article(t: &Tok) -> bool {
    t.is_word
        && !t.blocked
        && matches!(
            t.lower.as_str(),
            "'t" | "de" | "het" | "den" | "van" | "der" | "ter" | "ten" | "onze"
        )
}

pub fn detect(text: &str, toks: &mut [Tok], mask: &mut Mask, out: &mut Vec<Cand>) {
    let inst = &*INSTITUTIONS;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.blocked || !t.is_word {
            i += 1;
            continue;
        }
        let cue = inst.cues.get(t.lower.as_str()).copied().filter(|_| {
            // "AZ", "KTA", "GBS" only as acronyms.
            t.lower.len() > 3
                || t.all_caps
                || matches!(t.lower.as_str(), "kdv" | "bko" | "ibo" | "wzc" | "mpi" | "mfc")
        });
        if let Some(category) = cue {
            // Name after the cue: capitalised words and articles.
            let mut j = i + 1;
            let mut last_name = None;
            while j < toks.len()
                && adjacent(text, &toks[j - 1], &toks[j])
                && (name_token(&toks[j]) || article(&toks[j]))
            {
                if name_token(&toks[j]) {
                    last_name = Some(j);
                }
                j += 1;
            }
            let mut found = None;
            if let Some(last) = last_name {
                let names: Vec<&Tok> = toks[i + 1..=last].iter().filter(|t| t.cap).collect();
                let only_place = names.iter().all(|t| MUNICIPALITIES.contains(&t.lower));
                let first_ok = toks[i + 1].cap || matches!(toks[i + 1].lower.as_str(), "'t" | "de" | "het");
                if first_ok && (!only_place || inst.by_place.contains(t.lower.as_str())) {
                    found = Some(last);
                }
            }
            // "Jessa Ziekenhuis", "Heilig Hart Ziekenhuis": the name comes first.
            let mut start = i;
            if t.cap && !t.sent_start {
                let mut k = i;
                while k > 0
                    && k + 3 > i
                    && adjacent(text, &toks[k - 1], &toks[k])
                    && name_token(&toks[k - 1])
                    && !inst.prefixes.contains(toks[k - 1].lower.as_str())
                {
                    k -= 1;
                    if toks[k].sent_start {
                        break;
                    }
                }
                if k < i {
                    start = k;
                    found.get_or_insert(i);
                }
            }
            if let Some(last) = found {
                // Words that belong to the name before the cue: "Stedelijke Basisschool".
                while start > 0
                    && (adjacent(text, &toks[start - 1], &toks[start])
                        || (toks[start - 1].lower == "go"
                            && text[toks[start - 1].end..toks[start].start].trim() == "!"))
                    && inst.prefixes.contains(toks[start - 1].lower.as_str())
                    && !toks[start - 1].blocked
                {
                    start -= 1;
                }
                let (s, e) = (toks[start].start, toks[last].end);
                if mask.free(s, e) {
                    mask.take(s, e);
                    out.push(Cand::institution(s, e, category));
                    block(toks, start, last + 1);
                }
                i = last + 1;
                continue;
            }
        }
        // Compounds: "Sint-Jozefcollege", "Sint-Ursula-instituut".
        if t.cap
            && (!t.sent_start || t.lower.contains('-'))
            && !inst.not_suffix.contains(t.lower.as_str())
            && let Some(&(_, category)) = inst
                .suffixes
                .iter()
                .find(|(suf, _)| t.lower.len() > suf.len() + 2 && t.lower.ends_with(suf))
        {
            let (s, e) = (t.start, t.end);
            if mask.free(s, e) {
                mask.take(s, e);
                out.push(Cand::institution(s, e, category));
                block(toks, i, i + 1);
            }
        }
        i += 1;
    }
}
