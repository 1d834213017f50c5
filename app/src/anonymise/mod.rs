//! The personal-data detector (ssr only, pure functions, no network calls).
//!
//! Finds names, addresses, numbers, dates, institutions … in the Dutch
//! (Flemish) free text of a case, from rules, validated patterns and the word
//! lists in `lists/` (compiled by hand for Kring, EUPL-1.2), and suggests
//! pseudonyms that are consistent within one text ("Mama", "Kind 1 (9 j.)",
//! "Persoon A", "[adres]" …). The module has no dependency on the rest of
//! the crate, so it can be built and tested on its own.
//!
//! Order of work: structured patterns first (each marks its bytes so later
//! detectors skip them), then service names (left alone) and institutions,
//! then person names, then the grouping of mentions into entities.

mod entities;
mod institutions;
mod lists;
mod names;
mod structured;
mod text;
pub mod validators;

use serde::{Deserialize, Serialize};

/// What a finding is. The serialised names are the CLI's `kind` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Person,
    Address,
    Postcode,
    Phone,
    Email,
    NationalId,
    Iban,
    Date,
    Institution,
    Plate,
    Url,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Person,
        Kind::Address,
        Kind::Postcode,
        Kind::Phone,
        Kind::Email,
        Kind::NationalId,
        Kind::Iban,
        Kind::Date,
        Kind::Institution,
        Kind::Plate,
        Kind::Url,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Address => "address",
            Kind::Postcode => "postcode",
            Kind::Phone => "phone",
            Kind::Email => "email",
            Kind::NationalId => "national_id",
            Kind::Iban => "iban",
            Kind::Date => "date",
            Kind::Institution => "institution",
            Kind::Plate => "plate",
            Kind::Url => "url",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    High,
    Low,
}

/// One mention in the text. `start`/`end` are byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub text: String,
    pub confidence: Confidence,
    /// Index into [`Analysis::entities`]: mentions of the same person (or
    /// the same address, number …) share one entity.
    pub entity: usize,
}

/// One person / address / number, however often it is mentioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub kind: Kind,
    /// Stable identity derived from the text (lowercase, diminutive and
    /// surname folded), the same across edits of the same case.
    pub canonical: String,
    /// Suggested pseudonym: "Mama", "Kind 1 (9 j.)", "Persoon A", "[adres]" …
    pub label: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Sorted by `start`, never overlapping.
    pub findings: Vec<Finding>,
    pub entities: Vec<Entity>,
}

/// Finds the personal data in `text`. Callers may blank out parts of the
/// text with spaces (same byte length) beforehand; those parts are ignored.
pub fn analyse(text: &str) -> Analysis {
    let mut mask = Mask(vec![false; text.len()]);
    let mut cands = Vec::new();
    structured::detect(text, &mut mask, &mut cands);
    let mut toks = text::tokenize(text, &mask.0);
    institutions::services(text, &mut toks);
    institutions::detect(text, &mut toks, &mut mask, &mut cands);
    names::detect(text, &mut toks, &mut cands);
    entities::build(text, cands)
}

/// The text with every finding replaced by its entity's label. A role word
/// right before a name that the label repeats is kept once ("mama Fatima"
/// → "mama", not "mama Mama"), and an age the label already holds is not
/// repeated ("Jonas (9)" → "Kind 1 (9 j.)").
pub fn redact(text: &str, analysis: &Analysis) -> String {
    redact_with(text, &analysis.findings, |f| {
        analysis.entities.get(f.entity).map(|e| e.label.as_str())
    })
}

/// [`redact`] with the label of each finding chosen by the caller (`None`
/// leaves the finding as written): the case editor's pseudonyms.
pub fn redact_with<'l>(
    text: &str,
    findings: &[Finding],
    label_of: impl Fn(&Finding) -> Option<&'l str>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings {
        if f.start < at || f.end > text.len() {
            continue;
        }
        let Some(label) = label_of(f) else {
            continue;
        };
        let before = &text[at..f.start];
        let (head, rest) = label.split_once(' ').unwrap_or((label, ""));
        // Only "mama Fatima" with a single space; "de mama, Fatima," keeps both.
        let prev_word = before
            .strip_suffix(' ')
            .and_then(|b| b.rsplit(|c: char| !c.is_alphabetic()).next())
            .unwrap_or("");
        if f.kind == Kind::Person && !prev_word.is_empty() && prev_word.eq_ignore_ascii_case(head) {
            out.push_str(before.trim_end_matches(' '));
            if !rest.is_empty() {
                out.push(' ');
                out.push_str(rest);
            }
        } else {
            out.push_str(before);
            out.push_str(label);
        }
        at = f.end;
        if let Some(age) = label
            .strip_suffix(" j.)")
            .and_then(|l| l.rsplit_once('('))
            .map(|(_, a)| a)
        {
            let after = &text[at..];
            for form in [
                format!(" ({age})"),
                format!(" ({age} jaar)"),
                format!(" van {age} jaar"),
            ] {
                if after.starts_with(&form) {
                    at += form.len();
                    break;
                }
            }
        }
    }
    out.push_str(&text[at..]);
    out
}

/// Bytes already claimed by a finding or a service name.
pub(crate) struct Mask(Vec<bool>);

impl Mask {
    fn free(&self, start: usize, end: usize) -> bool {
        !self.0[start..end].iter().any(|&b| b)
    }

    fn take(&mut self, start: usize, end: usize) {
        self.0[start..end].iter_mut().for_each(|b| *b = true);
    }
}

/// What the context says about a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    None,
    Mother,
    /// "mevrouw": the mother unless a "mama" is named too.
    MotherWeak,
    Father,
    FatherWeak,
    Child,
    /// Named in a list after "kinderen", "tweeling" …
    Children,
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct PersonInfo {
    /// Folded first name (diminutive undone).
    first: Option<String>,
    /// Folded surname with particles.
    surname: Option<String>,
    role: Role,
    age: Option<u32>,
    /// "familie Peeters": the family, not one person.
    family: bool,
}

/// A detector's candidate finding.
#[derive(Debug, Clone)]
pub(crate) struct Cand {
    start: usize,
    end: usize,
    kind: Kind,
    conf: Confidence,
    /// Label category of an institution: school, kinderopvang, ziekenhuis, instelling.
    category: &'static str,
    person: Option<PersonInfo>,
}

impl Cand {
    fn new(start: usize, end: usize, kind: Kind) -> Self {
        Cand {
            start,
            end,
            kind,
            conf: Confidence::High,
            category: "",
            person: None,
        }
    }

    fn institution(start: usize, end: usize, category: &'static str) -> Self {
        Cand {
            category,
            ..Cand::new(start, end, Kind::Institution)
        }
    }

    fn person(start: usize, end: usize, conf: Confidence, info: PersonInfo) -> Self {
        Cand {
            conf,
            person: Some(info),
            ..Cand::new(start, end, Kind::Person)
        }
    }
}
