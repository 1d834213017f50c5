//! Validated patterns: e-mail, links, IBAN, national register numbers,
//! phone numbers, dates, licence plates, street addresses and postcodes.

use std::sync::LazyLock;

use regex::Regex;

use super::lists::{MUNICIPALITIES, NOT_NAMES, STREETS};
use super::text::fold;
use super::validators::{iban_length, iban_valid, national_id_valid, phone_valid};
use super::{Cand, Kind, Mask};

fn re(src: &str) -> Regex {
    Regex::new(src).expect("constant regex compiles")
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,24}(?-u:\b)",
    )
});
static URL: LazyLock<Regex> = LazyLock::new(|| re(r#"(?i)(?:https?://|www\.)[^\s<>"'()\[\]{}]+"#));
static DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        // Lowercase top-level domains that are no Dutch words ("thuis.de mama"
        // is a missing space, not a German site).
        r#"(?-u:\b)[a-zA-Z0-9][a-zA-Z0-9-]*(?:\.[a-zA-Z0-9-]+)*\.(?:be|com|nl|org|eu|fr|info|io|ly|tv)(?-u:\b)(?:/[^\s<>"'()\[\]{}]*)?"#,
    )
});
static HANDLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[\s(\[,;:])(@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)"));
static IBAN_START: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(?-u:\b)[a-z]{2}[0-9]{2}"));
static NATIONAL_ID: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?-u:\b)[0-9]{2}[. ]?[0-9]{2}[. ]?[0-9]{2}[ .-]?[0-9]{3}[ .-]?[0-9]{2}(?-u:\b)"));
static PHONE_INTL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:\+|(?-u:\b)00)[1-9][0-9]{0,2}(?:[ ./-]?\(0\))?(?:[ ./-]{0,2}[0-9]){6,14}"));
static PHONE_NAT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:\(0[0-9]{1,3}\)[ ]?|(?-u:\b)0[0-9])(?:[ ./-]?[0-9]){6,9}"));
static DATE_NUM: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?-u:\b)([0-9]{1,2})([./-])([0-9]{1,2})([./-])([0-9]{4}|[0-9]{2})(?-u:\b)"));
static DATE_ISO: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?-u:\b)(?:19|20)[0-9]{2}-([0-9]{2})-([0-9]{2})(?-u:\b)"));
static DATE_SHORT: LazyLock<Regex> = LazyLock::new(|| re(r"(?-u:\b)([0-9]{1,2})/([0-9]{1,2})(?-u:\b)"));
const MONTHS: &str = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|jan|febr|feb|mrt|apr|jun|jul|aug|sept|sep|okt|nov|dec";
const DAY_WORDS: [&str; 31] = [
    "een",
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
    "dertien",
    "veertien",
    "vijftien",
    "zestien",
    "zeventien",
    "achttien",
    "negentien",
    "twintig",
    "eenentwintig",
    "tweeëntwintig",
    "drieëntwintig",
    "vierentwintig",
    "vijfentwintig",
    "zesentwintig",
    "zevenentwintig",
    "achtentwintig",
    "negenentwintig",
    "dertig",
    "eenendertig",
];
static DATE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    let mut words: Vec<String> = DAY_WORDS[1..].iter().map(|w| (*w).to_owned()).collect();
    // Ordinals: "eerste", "tweede", "derde", "twintigste" …
    words.extend(
        [
            "eerste", "tweede", "derde", "vierde", "vijfde", "zesde", "zevende", "achtste", "negende",
        ]
        .map(String::from),
    );
    words.extend(DAY_WORDS[9..].iter().map(|w| {
        if w.ends_with('g') {
            format!("{w}ste")
        } else {
            format!("{w}de")
        }
    }));
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    re(&format!(
        r"(?i)(?-u:\b)(?:([0-9]{{1,2}})(?:ste|de|e)?|({}))\s+({MONTHS})(?-u:\b)\.?(?:\s+((?:19|20)[0-9]{{2}})(?-u:\b))?",
        words.join("|")
    ))
});
/// Belgian structured payment reference "+++123/4567/89012+++": no phone.
static PAYMENT_REF: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:\+\+\+|\*\*\*)[0-9]{3}/[0-9]{4}/[0-9]{5}(?:\+\+\+|\*\*\*)"));
static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?-u:\b)(?:[1-9]-?[A-Z]{3}-?[0-9]{3}|[1-9] [A-Z]{3} [0-9]{3}|[A-Z]{3}-[0-9]{3}|[0-9]{3}-[A-Z]{3})(?-u:\b)",
    )
});
static STREET_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"([\p{L}][\p{L}'’-]*)[ \t]+(?:(?:nr\.?|nummer)[ \t]*)?([0-9]{1,4}[a-zA-Z]?)(?-u:\b)(?:(?:[ \t]*(?:bus|bte|box|b\.)[ \t]*|/)[0-9]{1,4}[a-zA-Z]?(?-u:\b))?",
    )
});
static POSTCODE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?-u:\b)(?:B-?)?([1-9][0-9]{3})[ \t]+(\p{Lu}[\p{L}'’-]*)"));
static POSTCODE_CUE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)postcode:?[ \t]+([1-9][0-9]{3})(?-u:\b)"));

/// All structured findings, most specific first, each marking its bytes.
pub fn detect(text: &str, mask: &mut Mask, out: &mut Vec<Cand>) {
    for m in PAYMENT_REF.find_iter(text) {
        mask.take(m.start(), m.end());
    }
    emails(text, mask, out);
    urls(text, mask, out);
    ibans(text, mask, out);
    national_ids(text, mask, out);
    phones(text, mask, out);
    dates(text, mask, out);
    plates(text, mask, out);
    addresses(text, mask, out);
    postcodes(text, mask, out);
}

fn push(mask: &mut Mask, out: &mut Vec<Cand>, start: usize, end: usize, kind: Kind) -> bool {
    if start >= end || !mask.free(start, end) {
        return false;
    }
    mask.take(start, end);
    out.push(Cand::new(start, end, kind));
    true
}

fn emails(text: &str, mask: &mut Mask, out: &mut Vec<Cand>) {
    for m in EMAIL.find_iter(text) {
        push(mask, out, m.start(), m.end(), Kind::Email);
    }
}

/// Trailing punctuation belongs to the sentence, not the link.
fn trim_link(s: &str) -> usize {
    s.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"', '’'])
        .len()
}

fn urls(text: &str, mask: &mut Mask, out: &mut Vec<Cand>) {
    for m in URL.find_iter(text).chain(DOMAIN.find_iter(text)) {
        let end = m.start() + trim_link(m.as_str());
        push(mask, out, m.start(), end, Kind::Url);
    }
    for c in HANDLE.captures_iter(text) {
        if let Some(m) = c.get(1) {
            let end = m.start() + trim_link(m.as_str());
            if end - m.start() >= 3 {
                push(mask, out, m.start(), end, Kind::Url);
            }
        }
    }
}

fn ibans(text: &str, mask: &mut Mask, out: &mut Vec<Cand>) {
    let bytes = text.as_bytes();
    for m in IBAN_START.find_iter(text) {
        let country = text[m.start()..m.start() + 2].to_ascii_uppercase();
        let Some(len) = iban_length(&country) else {
            continue;
        };
        // Collect alphanumerics, allowing single spaces between groups.
        let mut compact = String::with_capacity(34);
        let mut i = m.start();
        let mut end = i;
        while i < bytes.len() && compact.len() < len {
            let b = bytes[i];
            if b.is_ascii_alphanumeric() {
                compact.push(b.to_ascii_uppercase() as char);
                i += 1;
                end = i;
            } else if b == b' '
                && i + 1 < bytes.len()
                && bytes[i + 1].is_ascii_alphanumeric()
                && bytes[i - 1] != b' '
            {
                i += 1;
            } else {
                break;
            }
        }
        let boundary = end >= bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if compact.len() == len && boundary && iban_valid(&compact) {
            push(mask, out, m.start(), end, Kind::Iban);
        }
    }
}

fn digits_of(s: &str) -> String {
    s.bytes().filter(u8::is_ascii_digit).map(char::from).collect()
}

fn national_ids(text: &str, mask: &mut Mask, out: &mut Vec<Cand>) {
    for m in NATIONAL_ID.find_iter(text) {
        if national_id_valid(&digits_of(m.as_str())) {
            push(mask, out, m.start(), m.end(), Kind::NationalId);
        }
    }
}

/// The longest prefix of a phone candidate, ending at a digit group, that
/// is a plausible number.
fn phone_prefix(text: &str, start: usize, end: usize) -> Option<usize> {
    let s = &text[start..end];
    let raw = s.as_bytes();
    let intl = s.starts_with('+') || s.starts_with("00");
    let mut digits = String::from(if intl { "+" } else { "" });
    let mut skip = if s.starts_with("00") { 2 } else { 0 };
    let mut ends = Vec::new();
    for (i, &b) in raw.iter().enumerate() {
        if !b.is_ascii_digit() {
            continue;
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        // "(0)" in "+32 (0)470 …" is not part of the number.
        if intl && i > 0 && raw[i - 1] == b'(' && raw.get(i + 1) == Some(&b')') {
            continue;
        }
        digits.push(char::from(b));
        if raw.get(i + 1).is_none_or(|n| !n.is_ascii_digit()) {
            ends.push((i + 1, digits.clone()));
        }
    }
    ends.into_iter()
        .rev()
        .find(|(_, d)| phone_valid(d))
        .map(|(e, _)| start + e)
}

fn phones(text: &str, mask: &mut Mask, out: &mut Vec<Cand>) {
    let bytes = text.as_bytes();
    for m in PHONE_INTL.find_iter(text).chain(PHONE_NAT.find_iter(text)) {
        // Part of a longer number ("2023/0412…") is no phone number.
        if m.start() > 0 && bytes[m.start() - 1].is_ascii_digit() {
            continue;
        }
        if let Some(end) = phone_prefix(text, m.start(), m.end()) {
            push(mask, out, m.start(), end, Kind::Phone);
        }
    }
}

fn day_month_ok(d: u32, m: u32) -> bool {
    (1..=31).contains(&d) && (1..=12).contains(&m)
}

/// Words after which "5/2" is a date rather than a fraction.
fn date_cue(prev_word: &str) -> bool {
    matches!(
        prev_word,
        "op" | "vanaf"
            | "tot"
            | "sinds"
            | "tegen"
            | "voor"
            | "na"
            | "gesprek"
            | "overleg"
            | "datum"
            | "geboren"
            | "huisbezoek"
            | "afspraak"
            | "verslag"
            | "notities"
            | "notitie"
            | "dd"
            | "d.d"
            | "van"
            | "en"
    )
}

fn prev_word(text: &str, at: usize) -> String {
    let before = text[..at].trim_end_matches([' ', '\t', '(', '°']);
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    fold(word.trim_end_matches('.'))
}

fn dates(text: &str, mask: &mut Mask, out: &mut Vec<Cand>) {
    let bytes = text.as_bytes();
    let continues = |end: usize| {
        end + 1 < bytes.len() && matches!(bytes[end], b'.' | b'/' | b'-') && bytes[end + 1].is_ascii_digit()
    };
    for c in DATE_NUM.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let num = |i: usize| c.get(i).and_then(|g| g.as_str().parse::<u32>().ok()).unwrap_or(0);
        let same_sep = c.get(2).map(|g| g.as_str()) == c.get(4).map(|g| g.as_str());
        if same_sep && day_month_ok(num(1), num(3)) && !continues(m.end()) {
            push(mask, out, m.start(), m.end(), Kind::Date);
        }
    }
    for c in DATE_ISO.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let num = |i: usize| c.get(i).and_then(|g| g.as_str().parse::<u32>().ok()).unwrap_or(0);
        if day_month_ok(num(2), num(1)) {
            push(mask, out, m.start(), m.end(), Kind::Date);
        }
    }
    for c in DATE_WORDS.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let day = match (c.get(1), c.get(2)) {
            (Some(d), _) => d.as_str().parse::<u32>().unwrap_or(0),
            (None, Some(w)) => {
                let w = w.as_str().to_lowercase();
                let base = w.trim_end_matches("ste").trim_end_matches("de");
                match w.as_str() {
                    "eerste" => 1,
                    "tweede" => 2,
                    "derde" => 3,
                    "vierde" => 4,
                    "vijfde" => 5,
                    "zesde" => 6,
                    "zevende" => 7,
                    "achtste" => 8,
                    "negende" => 9,
                    _ => DAY_WORDS
                        .iter()
                        .position(|d| *d == w || *d == base)
                        .map_or(0, |p| p as u32 + 1),
                }
            }
            _ => 0,
        };
        if (1..=31).contains(&day) {
            // A trailing abbreviation period is punctuation unless a year follows.
            let end = if c.get(4).is_none() && m.as_str().ends_with('.') {
                m.end() - 1
            } else {
                m.end()
            };
            push(mask, out, m.start(), end, Kind::Date);
        }
    }
    for c in DATE_SHORT.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let num = |i: usize| c.get(i).and_then(|g| g.as_str().parse::<u32>().ok()).unwrap_or(0);
        let before_ok = m.start() == 0 || !matches!(bytes[m.start() - 1], b'/' | b'.' | b'-');
        // "1/3 van de huur", "24/7" are no dates.
        let fraction = text[m.end()..].trim_start().starts_with("van ") || m.as_str() == "24/7";
        if before_ok
            && !fraction
            && !continues(m.end())
            && day_month_ok(num(1), num(2))
            && date_cue(&prev_word(text, m.start()))
        {
            push(mask, out, m.start(), m.end(), Kind::Date);
        }
    }
}

fn plates(text: &str, mask: &mut Mask, out: &mut Vec<Cand>) {
    for m in PLATE.find_iter(text) {
        let letters: String = m.as_str().chars().filter(char::is_ascii_alphabetic).collect();
        if matches!(
            letters.as_str(),
            "CAW" | "CLB" | "JAC" | "CGG" | "CBE" | "CVO" | "BSO" | "TSO" | "ASO" | "KSO" | "OKA"
        ) {
            continue;
        }
        push(mask, out, m.start(), m.end(), Kind::Plate);
    }
}

/// Words after a house number that show it is a quantity, not an address.
fn unit_word(w: &str) -> bool {
    matches!(
        w,
        "euro"
            | "eur"
            | "jaar"
            | "jaren"
            | "keer"
            | "uur"
            | "u"
            | "km"
            | "m"
            | "min"
            | "minuten"
            | "dagen"
            | "dag"
            | "weken"
            | "week"
            | "maanden"
            | "maand"
            | "kinderen"
            | "kind"
            | "personen"
            | "procent"
            | "stuks"
            | "kg"
            | "%"
            | "€"
            | "op"
            | "per"
            | "x"
    )
}

fn is_street_word(w: &str, cap: bool) -> bool {
    let s = &*STREETS;
    // "de markt" is a market, "Grote Markt 22" and "Oude Baan 7" are streets
    // (a bare suffix word needs a name before it, checked by the caller).
    if s.not.contains(w) && !(cap && (s.words.contains(w) || s.suffixes.contains(&w))) {
        return false;
    }
    if cap && s.suffixes.contains(&w) {
        return true;
    }
    s.words.contains(w)
        || s.suffixes
            .iter()
            .any(|suf| w.len() > suf.len() + 1 && w.ends_with(suf))
}

/// Words before a street name that can belong to it ("Koning Albertlaan",
/// "Oude Baan", "Pastoor Coplaan"); anything else ends the name.
fn street_prefix_ok(word: &str, lower: &str) -> bool {
    let cap = word.chars().next().is_some_and(char::is_uppercase);
    let particle = matches!(
        lower,
        "van" | "de" | "der" | "den" | "'t" | "ter" | "ten" | "la" | "le" | "du" | "des" | "d'"
    );
    (cap || particle)
        && !matches!(
            lower,
            "in" | "op"
                | "naar"
                | "aan"
                | "bij"
                | "uit"
                | "adres"
                | "woont"
                | "wonen"
                | "het"
                | "een"
                | "tel"
                | "gsm"
                | "verhuurder"
                | "huisbaas"
        )
        && !NOT_NAMES.contains(lower)
        && !MUNICIPALITIES.contains(lower)
}

fn words_before(text: &str, at: usize, n: usize) -> Vec<(usize, &str)> {
    let mut res = Vec::new();
    let mut end = at;
    for _ in 0..n {
        let before = &text[..end];
        let trimmed = before.trim_end_matches([' ', '\t']);
        if trimmed.len() == before.len() && end != at {
            break;
        }
        let start = trimmed
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphabetic() || *c == '-' || *c == '\'' || *c == '’')
            .last()
            .map(|(i, _)| i);
        let Some(start) = start else { break };
        res.push((start, &trimmed[start..]));
        end = start;
    }
    res
}

fn addresses(text: &str, mask: &mut Mask, out: &mut Vec<Cand>) {
    let mut from = 0;
    while let Some(c) = STREET_NUMBER.captures_at(text, from) {
        let (Some(m), Some(word)) = (c.get(0), c.get(1)) else {
            break;
        };
        from = word.end();
        let after = fold(
            text[m.end()..]
                .trim_start()
                .split(|c: char| !c.is_alphanumeric() && c != '%' && c != '€')
                .next()
                .unwrap_or(""),
        );
        if unit_word(&after) {
            continue;
        }
        let lower = fold(word.as_str());
        let before = words_before(text, word.start(), 3);
        let mut start = word.start();
        let cap = word.as_str().chars().next().is_some_and(char::is_uppercase);
        let mut ok = is_street_word(&lower, cap)
            && (word.as_str().len() > 4 || word.as_str().chars().next().is_some_and(char::is_uppercase));
        // French-style names put the type first: "Rue Haute 45".
        if !ok {
            for (s, w) in &before {
                if STREETS.french.contains(fold(w).as_str()) {
                    ok = true;
                    start = *s;
                    break;
                }
            }
        }
        // "adres: Bruul 82", "het nieuwe adres is Bruul 82".
        if !ok && word.as_str().chars().next().is_some_and(char::is_uppercase) {
            let cue = before.iter().take(3).any(|(_, w)| fold(w) == "adres");
            let tail = &text[..word.start()].trim_end();
            if cue || tail.ends_with("adres:") || tail.ends_with("adres is") {
                ok = !NOT_NAMES.contains(&lower) && !MUNICIPALITIES.contains(&lower);
            }
        }
        if !ok {
            continue;
        }
        if start == word.start() {
            for (s, w) in &before {
                if street_prefix_ok(w, &fold(w)) {
                    start = *s;
                } else {
                    break;
                }
            }
            // A particle cannot start the name ("de Kerkstraat" → "Kerkstraat").
            while start < word.start() {
                let w = &text[start..].split([' ', '\t']).next().unwrap_or("");
                if w.chars().next().is_some_and(char::is_uppercase) {
                    break;
                }
                start += w.len() + 1;
                while text[start..].starts_with([' ', '\t']) {
                    start += 1;
                }
            }
        }
        let bare = STREETS.suffixes.contains(&lower.as_str()) && !STREETS.words.contains(lower.as_str());
        if bare && start == word.start() {
            continue;
        }
        if push(mask, out, start, m.end(), Kind::Address) {
            from = m.end();
        }
    }
}

fn postcodes(text: &str, mask: &mut Mask, out: &mut Vec<Cand>) {
    for c in POSTCODE.captures_iter(text) {
        let (Some(code), Some(place)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let n: u32 = code.as_str().parse().unwrap_or(0);
        let place = fold(place.as_str());
        let known = MUNICIPALITIES.contains(&place);
        let after_address = out.iter().any(|f| {
            f.kind == Kind::Address
                && f.end <= code.start()
                && text[f.end..code.start()]
                    .trim_matches([',', ' ', '\t'])
                    .is_empty()
        });
        let plausible = !NOT_NAMES.contains(&place) && !(1900..=2099).contains(&n);
        if known || after_address || plausible {
            push(mask, out, code.start(), code.end(), Kind::Postcode);
        }
    }
    for c in POSTCODE_CUE.captures_iter(text) {
        if let Some(code) = c.get(1) {
            push(mask, out, code.start(), code.end(), Kind::Postcode);
        }
    }
}
