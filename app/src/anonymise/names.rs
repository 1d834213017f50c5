//! Person names: list names in name position, names after cues ("mama",
//! "juf", "zoon"), surnames with particles, and unknown capitalised words
//! in name slots (as low-confidence guesses).

use std::collections::HashSet;

use super::institutions::adjacent;
use super::lists::{AMBIGUOUS, FIRST_NAMES, MUNICIPALITIES, NOT_NAMES, SURNAMES, is_particle};
use super::text::Tok;
use super::{Cand, Confidence, PersonInfo, Role};

/// What a cue word says about the name that follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    Mother,
    MotherWeak,
    Father,
    FatherWeak,
    Child,
    Children,
    Other,
    /// Cues after which a single word is most likely a surname.
    OtherSurname,
    Family,
    /// "heet", "naam": a name follows, nothing more is known.
    Name,
}

pub fn cue(lower: &str) -> Option<Cue> {
    Some(match lower {
        "mama" | "moeder" | "mams" | "mamma" | "moe" | "mama's" => Cue::Mother,
        "mevrouw" | "mevr" | "mw" | "mme" | "madame" => Cue::MotherWeak,
        "papa" | "vader" | "paps" | "pappa" => Cue::Father,
        "meneer" | "mijnheer" | "dhr" | "monsieur" => Cue::FatherWeak,
        "zoon" | "dochter" | "kind" | "zoontje" | "dochtertje" | "baby" | "broer" | "zus" | "zusje"
        | "broertje" | "pleegzoon" | "pleegdochter" | "pleegkind" | "stiefzoon" | "stiefdochter"
        | "kleinzoon" | "kleindochter" | "jongste" | "oudste" | "zoonlief" | "jongen" | "meisje"
        | "peuter" | "kleuter" | "tiener" => Cue::Child,
        "kinderen" | "zonen" | "zoons" | "dochters" | "kids" | "tweeling" | "broers" | "zussen"
        | "kleinkinderen" | "pleegkinderen" | "kinderen:" => Cue::Children,
        "mevrouwtje" | "dokter" | "dr" | "advocaat" | "mr" | "mter" | "meester" | "notaris" => {
            Cue::OtherSurname
        }
        "familie" | "gezin" | "dossier" | "fam" => Cue::Family,
        "heet" | "heten" | "genaamd" | "naam" | "noemt" | "roepnaam" | "voornaam" | "achternaam" => Cue::Name,
        "oma" | "opa" | "grootmoeder" | "grootvader" | "bomma" | "bompa" | "meme" | "pepe" | "tante"
        | "nonkel" | "oom" | "neef" | "nicht" | "juf" | "juffrouw" | "leerkracht" | "directeur"
        | "directrice" | "huisarts" | "buurvrouw" | "buurman" | "vriend" | "vriendin" | "vriendje"
        | "vriendinnetje" | "partner" | "ex" | "ex-man" | "ex-vrouw" | "ex-partner" | "man" | "vrouw"
        | "echtgenote" | "echtgenoot" | "stiefmoeder" | "stiefvader" | "pleegmoeder" | "pleegvader"
        | "onthaalmoeder" | "onthaalouder" | "trainer" | "begeleider" | "begeleidster" | "consulent"
        | "verhuurder" | "huisbaas" | "collega" | "schoonmoeder" | "schoonvader" | "schoonzus"
        | "schoonbroer" | "stagiaire" | "stagiair" | "vrijwilliger" | "klasgenoot" | "zorgleerkracht"
        | "zorgcoordinator" | "kinderpsychiater" | "psycholoog" | "coach" | "werker" | "verpleegkundige"
        | "vroedvrouw" | "tandarts" | "pleeggezin" | "contactpersoon" | "pleegouders" => Cue::Other,
        _ => return None,
    })
}

/// Dutch function words that start sentences ("In Geel", "Met Peeters").
fn function_word(lower: &str) -> bool {
    matches!(
        lower,
        "in" | "op"
            | "met"
            | "naar"
            | "voor"
            | "bij"
            | "van"
            | "aan"
            | "uit"
            | "als"
            | "dat"
            | "die"
            | "de"
            | "het"
            | "een"
            | "en"
            | "of"
            | "maar"
            | "want"
            | "dus"
            | "toen"
            | "nu"
            | "ook"
            | "zo"
            | "er"
            | "hij"
            | "zij"
            | "ze"
            | "wij"
            | "we"
            | "ik"
            | "jij"
            | "hun"
            | "haar"
            | "zijn"
            | "mijn"
            | "onze"
            | "deze"
            | "dit"
            | "door"
            | "om"
            | "over"
            | "na"
            | "tot"
            | "tegen"
            | "sinds"
            | "zonder"
            | "wie"
            | "wat"
            | "waar"
    )
}

/// Words before which a municipality-like word is a place ("in Mol").
fn place_preposition(lower: &str) -> bool {
    matches!(
        lower,
        "in" | "naar"
            | "uit"
            | "te"
            | "van"
            | "rond"
            | "regio"
            | "richting"
            | "gemeente"
            | "stad"
            | "nabij"
            | "vanuit"
            | "tussen"
            | "bij"
            | "ocmw"
            | "centrum"
            | "en"
    )
}

/// The first name a token stands for, folded: the name itself, the first
/// part of a hyphenated name, or a diminutive ("Jonaske" → "jonas").
pub fn first_name(lower: &str) -> Option<String> {
    first_name_in(lower, true)
}

/// As [`first_name`]; diminutives only when `diminutive` (a lowercase
/// "zoeken" is a verb, a capitalised "Jonaske" a name).
pub fn first_name_in(lower: &str, diminutive: bool) -> Option<String> {
    if FIRST_NAMES.contains(lower) {
        return Some(lower.to_owned());
    }
    if let Some((head, _)) = lower.split_once('-')
        && FIRST_NAMES.contains(head)
        && head != "sint"
    {
        return Some(lower.to_owned());
    }
    if !diminutive {
        return None;
    }
    for suffix in ["eke", "ske", "tje", "pje", "ken", "ke", "je"] {
        if let Some(stem) = lower.strip_suffix(suffix) {
            if stem.len() < 3 {
                continue;
            }
            if FIRST_NAMES.contains(stem) {
                return Some(stem.to_owned());
            }
            // "Timmeke" → "tim": a doubled consonant before the suffix.
            let b = stem.as_bytes();
            if b.len() >= 3
                && b[b.len() - 1] == b[b.len() - 2]
                && FIRST_NAMES.contains(&stem[..stem.len() - 1])
            {
                return Some(stem[..stem.len() - 1].to_owned());
            }
        }
    }
    None
}

/// Only a space, comma or colon between a cue and the name; a period only
/// after an abbreviated title ("mevr.", "dr.").
fn cue_gap(text: &str, a: &Tok, b: &Tok) -> bool {
    let gap = &text[a.end..b.start];
    if gap.contains('\n') {
        return false;
    }
    match gap.trim_matches([' ', '\t']) {
        "" | "," | ":" => true,
        "." => matches!(a.lower.as_str(), "mevr" | "dhr" | "dr" | "mr" | "mw" | "mter"),
        _ => false,
    }
}

/// A cue right before token `i` ("mama Fatima", "de oudste zoon, Kevin"),
/// or "mama van Jonas" (then the name is a child).
fn cue_before(text: &str, toks: &[Tok], i: usize) -> Option<(Cue, bool)> {
    if i == 0 {
        return None;
    }
    let p = &toks[i - 1];
    // "Huis van het Kind Leuven": a cue inside a service name is no cue.
    if p.blocked || !cue_gap(text, p, &toks[i]) {
        return None;
    }
    if let Some(c) = cue(&p.lower) {
        // "het gezin Peeters", but "CLB, Kind en gezin, Opkomst" is a list.
        if matches!(c, Cue::Family | Cue::Name) && !adjacent(text, p, &toks[i]) {
            return None;
        }
        return Some((c, false));
    }
    if p.lower == "van" && i >= 2 && adjacent(text, &toks[i - 2], p) {
        let pp = &toks[i - 2].lower;
        if matches!(cue(pp), Some(Cue::Mother | Cue::Father | Cue::Other))
            || matches!(
                pp.as_str(),
                "ouders" | "school" | "klas" | "klasleerkracht" | "leerkracht"
            )
        {
            return Some((Cue::Child, true));
        }
    }
    None
}

fn is_name_word(t: &Tok) -> bool {
    t.is_word
        && !t.blocked
        && t.lower
            .chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
}

/// Capitalised word that can be part of a surname after a first name.
fn surname_part(t: &Tok) -> bool {
    is_name_word(t)
        && t.cap
        && (!t.all_caps || listed_caps(t))
        && !NOT_NAMES.contains(&t.lower)
        && cue(&t.lower).is_none()
}

/// A name in capitals as forms write them ("PEETERS Jonas"): only list
/// names, never acronyms like "OCMW".
fn listed_caps(t: &Tok) -> bool {
    t.all_caps
        && t.lower.chars().count() >= 3
        && (SURNAMES.contains(&t.lower) || FIRST_NAMES.contains(&t.lower))
        && !AMBIGUOUS.contains(&t.lower)
        && !MUNICIPALITIES.contains(&t.lower)
}

/// A particle sequence followed by a capitalised core, starting at `i`;
/// returns the index of the core.
fn particle_core(text: &str, toks: &[Tok], i: usize) -> Option<usize> {
    let mut k = i;
    while k < toks.len() && k < i + 3 && is_particle(&toks[k].lower) && !toks[k].blocked {
        if k + 1 >= toks.len() || !adjacent(text, &toks[k], &toks[k + 1]) {
            return None;
        }
        k += 1;
    }
    (k > i && k < toks.len() && surname_part(&toks[k])).then_some(k)
}

struct Start {
    conf: Confidence,
    cue: Option<(Cue, bool)>,
}

fn age_follows(text: &str, t: &Tok) -> bool {
    age_after(text, t.end).is_some()
}

/// "(9)", "(9 jaar)", "(18 maanden)", " van 9 jaar", ", 9 jaar" after a name.
pub fn age_after(text: &str, at: usize) -> Option<u32> {
    let rest = &text[at..];
    let r = rest.trim_start_matches([' ', '\t']);
    let (inner, paren) = if let Some(x) = r.strip_prefix('(') {
        (x, true)
    } else if let Some(x) = r.strip_prefix("van ") {
        (x, false)
    } else if let Some(x) = r.strip_prefix(", ") {
        (x, false)
    } else {
        return None;
    };
    let digits: String = inner.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 2 {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    let after = inner[digits.len()..].trim_start();
    let months = after.starts_with("maand");
    let years = after.starts_with("jaar") || after.starts_with("j.") || after.starts_with("j)");
    if years || months || (paren && after.starts_with(')')) {
        Some(if months { 0 } else { n })
    } else {
        None
    }
}

fn decide_start(text: &str, toks: &[Tok], i: usize) -> Option<Start> {
    let t = &toks[i];
    if !is_name_word(t) || cue(&t.lower).is_some() || (t.all_caps && !listed_caps(t)) {
        return None;
    }
    let before = cue_before(text, toks, i);
    let first = first_name_in(&t.lower, t.cap);
    let not_name = NOT_NAMES.contains(&t.lower);
    let place = MUNICIPALITIES.contains(&t.lower);
    let amb = AMBIGUOUS.contains(&t.lower) || not_name || place;
    let next_adjacent = toks.get(i + 1).filter(|n| adjacent(text, t, n));
    let surname_follows = next_adjacent.is_some_and(|n| {
        (surname_part(n) && (SURNAMES.contains(&n.lower) || first_name(&n.lower).is_none()))
            || particle_core(text, toks, i + 1).is_some()
    });
    let high = |cue| {
        Some(Start {
            conf: Confidence::High,
            cue,
        })
    };
    let prev_place = i > 0 && place_preposition(&toks[i - 1].lower);

    if let Some((c, via_van)) = before {
        let surname_cue = matches!(
            c,
            Cue::MotherWeak | Cue::FatherWeak | Cue::OtherSurname | Cue::Family
        );
        // "mevrouw Geel" is a person, "kind Leuven" no.
        let strong = (!via_van || first.is_some()) && (!place || surname_cue);
        if strong && t.cap && (!not_name || first.is_some()) && !(place && prev_place) {
            return high(before);
        }
        if !t.cap && first.is_some() && !via_van {
            return high(before);
        }
        // "mevr. van Hoof" is a surname; "de papa van Nolan" is about Nolan.
        if let Some(core) = particle_core(text, toks, i)
            && (t.cap || (surname_cue && first_name(&toks[core].lower).is_none()))
        {
            return high(before);
        }
    }
    if first.is_some() {
        if !amb {
            return high(None);
        }
        if t.cap && surname_follows {
            return high(None);
        }
        let word_only = !not_name && !place;
        if t.cap && word_only && !t.sent_start && !prev_place {
            return high(None);
        }
        if t.cap && !not_name && age_follows(text, t) {
            return high(None);
        }
        return None;
    }
    if !t.cap {
        return None;
    }
    if is_particle(&t.lower) {
        let core = particle_core(text, toks, i)?;
        let core_known = SURNAMES.contains(&toks[core].lower);
        let weak_particle = matches!(
            t.lower.as_str(),
            "de" | "het" | "la" | "le" | "op" | "te" | "ten" | "ter" | "du" | "des" | "da" | "di"
        );
        if core_known || (!t.sent_start && !weak_particle && !MUNICIPALITIES.contains(&toks[core].lower)) {
            return high(None);
        }
        return None;
    }
    if amb {
        return None;
    }
    if SURNAMES.contains(&t.lower) {
        return high(None);
    }
    if age_follows(text, t) {
        return high(None);
    }
    // An unknown word before a known surname is a first name: "Vanessa Claes".
    let known_surname_follows = next_adjacent.is_some_and(|n| surname_part(n) && SURNAMES.contains(&n.lower))
        || particle_core(text, toks, i + 1).is_some_and(|c| SURNAMES.contains(&toks[c].lower));
    if known_surname_follows && !t.lower.contains('-') && !function_word(&t.lower) {
        return high(None);
    }
    if !t.sent_start && guess_shaped(text, toks, i) {
        return Some(Start {
            conf: Confidence::Low,
            cue: None,
        });
    }
    None
}

/// An unknown capitalised word mid-sentence looks like a name: not after an
/// article ("het Fonds"), not a long compound ("Facebookpagina"), not a
/// hyphenated word with a lowercase or acronym part ("OKAN-klas").
fn guess_shaped(text: &str, toks: &[Tok], i: usize) -> bool {
    let t = &toks[i];
    let len = t.lower.chars().count();
    let after_article = i > 0
        && matches!(
            toks[i - 1].lower.as_str(),
            "het" | "de" | "een" | "den" | "der" | "deze" | "die" | "dat"
        )
        && adjacent(text, &toks[i - 1], t);
    let word = &text[t.start..t.end];
    let parts_ok = word.split('-').all(|p| {
        p.chars().next().is_some_and(char::is_uppercase)
            && p.chars().skip(1).all(|c| !c.is_uppercase())
            && !NOT_NAMES.contains(&super::text::fold(p))
    });
    (3..=13).contains(&len) && !after_article && parts_ok && word.split('-').count() <= 2
}

/// The last token of the name that starts at `i`.
fn extend(text: &str, toks: &[Tok], i: usize) -> usize {
    let mut last = i;
    if is_particle(&toks[i].lower)
        && let Some(core) = particle_core(text, toks, i)
    {
        last = core;
    }
    // Forms write the surname first, in capitals: "PEETERS Jonas".
    if toks[last].all_caps
        && let Some(next) = toks.get(last + 1)
        && adjacent(text, &toks[last], next)
        && next.cap
        && !next.all_caps
        && !next.blocked
        && first_name(&next.lower).is_some()
    {
        return last + 1;
    }
    let mut j = last + 1;
    while j < toks.len() && j <= i + 5 && adjacent(text, &toks[j - 1], &toks[j]) {
        let t = &toks[j];
        if is_particle(&t.lower) {
            // "Jonas van Mol" is Jonas from Mol; "Van Mol" is a surname.
            let Some(core) = particle_core(text, toks, j) else {
                break;
            };
            if !t.cap && t.lower == "van" && MUNICIPALITIES.contains(&toks[core].lower) {
                break;
            }
            last = core;
            j = core + 1;
            continue;
        }
        if !surname_part(t) {
            break;
        }
        let known_first = first_name(&t.lower).is_some() && !SURNAMES.contains(&t.lower);
        let place_like = MUNICIPALITIES.contains(&t.lower) || AMBIGUOUS.contains(&t.lower);
        if known_first && !place_like {
            break;
        }
        if place_like && j != last + 1 {
            break;
        }
        last = j;
        j += 1;
    }
    last
}

/// A name: first and last token, confidence, the cue before it.
type Span = (usize, usize, Confidence, Option<(Cue, bool)>);

/// Finds the person names; tokens used are blocked.
pub fn detect(text: &str, toks: &mut [Tok], out: &mut Vec<Cand>) {
    let mut spans: Vec<Span> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if let Some(start) = decide_start(text, toks, i) {
            let last = extend(text, toks, i);
            spans.push((i, last, start.conf, start.cue));
            for t in &mut toks[i..=last] {
                t.blocked = true;
            }
            i = last + 1;
        } else {
            i += 1;
        }
    }
    // Names seen once are names everywhere in the text ("Roos", "jonas").
    let mut known_first: HashSet<String> = HashSet::new();
    let mut known_sur: HashSet<String> = HashSet::new();
    for &(a, b, conf, _) in &spans {
        if conf != Confidence::High {
            continue;
        }
        for (k, t) in toks[a..=b].iter().enumerate() {
            if is_particle(&t.lower) {
                continue;
            }
            if MUNICIPALITIES.contains(&t.lower) {
                continue;
            }
            if k == 0 {
                known_first.insert(first_name(&t.lower).unwrap_or_else(|| t.lower.clone()));
            } else if !MUNICIPALITIES.contains(&t.lower) && !AMBIGUOUS.contains(&t.lower) {
                known_sur.insert(t.lower.clone());
            }
        }
    }
    for i in 0..toks.len() {
        let t = &toks[i];
        if !is_name_word(t) || cue(&t.lower).is_some() || t.all_caps {
            continue;
        }
        let first = first_name_in(&t.lower, t.cap).unwrap_or_else(|| t.lower.clone());
        let seen_first = known_first.contains(&first) && (t.cap || !AMBIGUOUS.contains(&t.lower));
        let seen_sur = t.cap && known_sur.contains(&t.lower);
        let place = MUNICIPALITIES.contains(&t.lower) && i > 0 && place_preposition(&toks[i - 1].lower);
        if (seen_first || seen_sur) && !place && !NOT_NAMES.contains(&t.lower) {
            let last = extend(text, toks, i);
            spans.push((i, last, Confidence::High, cue_before(text, toks, i)));
            for t in &mut toks[i..=last] {
                t.blocked = true;
            }
        }
    }
    spans.sort_by_key(|s| s.0);
    for (a, b, conf, cue) in spans {
        let info = person_info(text, toks, a, b, cue);
        out.push(Cand::person(toks[a].start, toks[b].end, conf, info));
    }
}

fn person_info(text: &str, toks: &[Tok], a: usize, b: usize, found: Option<(Cue, bool)>) -> PersonInfo {
    let head = &toks[a];
    if head.all_caps && b > a && !toks[b].all_caps {
        // "PEETERS Jonas"
        let first = first_name(&toks[b].lower);
        let surname = toks[a..b]
            .iter()
            .map(|t| t.lower.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return PersonInfo {
            first,
            surname: Some(surname),
            role: Role::None,
            age: age_after(text, toks[b].end),
            family: false,
        };
    }
    let first = if is_particle(&head.lower) {
        None
    } else {
        first_name(&head.lower)
    };
    let surname_after_cue = matches!(
        found,
        Some((
            Cue::MotherWeak | Cue::FatherWeak | Cue::OtherSurname | Cue::Family,
            _
        ))
    );
    let (first, sur_from) = match first {
        Some(f) if !(surname_after_cue && a == b && SURNAMES.contains(&head.lower)) => (Some(f), a + 1),
        _ if a == b && !surname_after_cue && !SURNAMES.contains(&head.lower) && !is_particle(&head.lower) => {
            (Some(head.lower.clone()), a + 1)
        }
        _ => (None, a),
    };
    let surname = (sur_from <= b).then(|| {
        toks[sur_from..=b]
            .iter()
            .map(|t| t.lower.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    });
    let mut role = match found {
        Some((Cue::Mother, false)) => Role::Mother,
        Some((Cue::MotherWeak, false)) => Role::MotherWeak,
        Some((Cue::Father, false)) => Role::Father,
        Some((Cue::FatherWeak, false)) => Role::FatherWeak,
        Some((Cue::Child, _)) => Role::Child,
        Some((Cue::Children, _)) => Role::Children,
        Some((Cue::Other | Cue::OtherSurname, _)) => Role::Other,
        _ => Role::None,
    };
    // "Sofia (mama)", "Marc (papa)".
    let after = text[toks[b].end..].trim_start();
    if role == Role::None
        && let Some(inner) = after.strip_prefix('(')
    {
        let word: String = inner
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == '-')
            .collect();
        role = match cue(&word.to_lowercase()) {
            Some(Cue::Mother) => Role::Mother,
            Some(Cue::Father) => Role::Father,
            Some(Cue::Child) => Role::Child,
            Some(_) => Role::Other,
            None => Role::None,
        };
    }
    let age = age_after(text, toks[b].end);
    PersonInfo {
        first,
        surname,
        role,
        age,
        family: matches!(found, Some((Cue::Family, _))),
    }
}
