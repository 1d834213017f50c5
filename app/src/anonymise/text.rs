//! Tokens and small text helpers shared by the detectors.

/// One word or number of the text.
#[derive(Debug, Clone)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
    /// Folded form: lowercase without diacritics (computed once).
    pub lower: String,
    pub is_word: bool,
    /// Starts with an uppercase letter.
    pub cap: bool,
    /// Two or more letters, all uppercase ("OCMW").
    pub all_caps: bool,
    /// First word of a sentence, line or list item.
    pub sent_start: bool,
    /// Overlaps a region that is already a finding or a service name.
    pub blocked: bool,
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Abbreviations whose final period does not end a sentence.
fn is_abbreviation(lower: &str) -> bool {
    matches!(
        lower,
        "mevr"
            | "dhr"
            | "dr"
            | "mr"
            | "mw"
            | "nr"
            | "bv"
            | "ca"
            | "st"
            | "prof"
            | "ir"
            | "lic"
            | "tel"
            | "gsm"
            | "vb"
            | "o.a"
            | "nl"
            | "zgn"
            | "m.a.w"
            | "i.v.m"
            | "ivm"
            | "evt"
            | "resp"
            | "max"
            | "min"
    )
}

pub fn tokenize(text: &str, blocked: &[bool]) -> Vec<Tok> {
    let mut toks: Vec<Tok> = Vec::with_capacity(text.len() / 5);
    let mut iter = text.char_indices().peekable();
    let mut gap_start = 0;
    while let Some((i, c)) = iter.next() {
        let starts_word = c.is_alphabetic()
            || (is_apostrophe(c)
                && iter.peek().is_some_and(|&(_, n)| n.is_alphabetic())
                && (i == 0 || !text[..i].chars().next_back().is_some_and(char::is_alphanumeric)));
        let is_digit = c.is_ascii_digit();
        if !starts_word && !is_digit {
            continue;
        }
        let mut end = i + c.len_utf8();
        if starts_word {
            // Letters, with inner hyphens and apostrophes ("Anne-Sophie", "d'Hondt", "'t").
            while let Some(&(j, n)) = iter.peek() {
                let joiner = (n == '-' || is_apostrophe(n))
                    && text[j + n.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphabetic);
                if n.is_alphabetic() || joiner {
                    end = j + n.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
        } else {
            while let Some(&(j, n)) = iter.peek() {
                if n.is_ascii_digit() {
                    end = j + 1;
                    iter.next();
                } else {
                    break;
                }
            }
        }
        // A possessive "'s" is not part of the name ("Tibo's").
        if starts_word && end - i > 3 {
            for suffix in ["'s", "’s"] {
                if text[i..end].ends_with(suffix) {
                    end -= suffix.len();
                }
            }
        }
        let word = &text[i..end];
        let lower = fold(word);
        let first = word.chars().next().unwrap_or(' ');
        let cap = first.is_uppercase();
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        let all_caps = letters >= 2 && word.chars().all(|c| !c.is_lowercase());
        let gap = &text[gap_start..i];
        let sent_start = match toks.last() {
            None => true,
            Some(prev) => {
                let abbreviation = gap.starts_with('.') && prev.is_word && is_abbreviation(&prev.lower);
                // After a list bullet or number at the start of a line ("4 Externe …").
                let bullet = prev.sent_start && (!prev.is_word || prev.lower.chars().count() == 1);
                bullet
                    || gap.contains(['\n', '!', '?', ':', ';', '•', '»', '–'])
                    || (gap.contains('.') && !abbreviation)
            }
        };
        let blocked = blocked[i..end].iter().any(|&b| b);
        toks.push(Tok {
            start: i,
            end,
            lower,
            is_word: starts_word,
            cap,
            all_caps,
            sent_start,
            blocked,
        });
        gap_start = end;
    }
    toks
}

/// Lowercase without diacritics, for comparing and for canonical keys.
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'ă' | 'ą' => 'a',
            'è' | 'é' | 'ê' | 'ë' | 'ę' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ı' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' | 'ć' | 'č' => 'c',
            'ş' | 'ș' | 'ś' | 'š' => 's',
            'ț' | 'ţ' => 't',
            'ğ' => 'g',
            'ł' => 'l',
            'ń' | 'ñ' => 'n',
            'ż' | 'ź' | 'ž' => 'z',
            '’' => '\'',
            other => other,
        })
        .collect()
}
