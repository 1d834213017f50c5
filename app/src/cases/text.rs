//! Case text and the anonymiser: the coach's decisions (pseudonym or "not
//! personal") per person, address or number; @mentions of colleagues kept
//! out of the findings; the marked-up check and the pseudonymised text.
//! Pure functions: no database, no HTTP.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{CheckView, Choice, EntityView};
use crate::anonymise::{self, Analysis, Confidence};

/// Longest pseudonym a coach may type.
pub const LABEL_MAX: usize = 60;

/// One decision, stored by the entity's key ("person:jonas").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub key: String,
    pub choice: Choice,
    /// Empty: the suggested pseudonym.
    pub label: String,
}

/// The decisions of one case (stored as JSON with the author's draft:
/// they name the people they hide, so nobody else ever sees them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decisions {
    pub entries: Vec<Decision>,
}

impl Decisions {
    pub fn parse(json: &str) -> Self {
        serde_json::from_str(json).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn get(&self, key: &str) -> Option<&Decision> {
        self.entries.iter().find(|d| d.key == key)
    }

    /// Adds or replaces the decision for its key.
    pub fn set(&mut self, decision: Decision) {
        match self.entries.iter_mut().find(|d| d.key == decision.key) {
            Some(d) => *d = decision,
            None => self.entries.push(decision),
        }
    }

    /// Adds decisions for keys that have none yet.
    pub fn merge_missing(&mut self, other: &Decisions) {
        for d in &other.entries {
            if self.get(&d.key).is_none() {
                self.entries.push(d.clone());
            }
        }
    }
}

/// Reads the editor's rows: `key[eN]`, `choice[eN]` ("pseudonym" / "keep",
/// absent: undecided) and `label[eN]`.
pub fn decisions_from_form(
    keys: &HashMap<String, String>,
    choices: &HashMap<String, String>,
    labels: &HashMap<String, String>,
) -> Decisions {
    let mut out = Decisions::default();
    for (field, key) in keys {
        let choice = match choices.get(field).map(String::as_str) {
            Some("pseudonym") => Choice::Pseudonym,
            Some("keep") => Choice::Keep,
            _ => continue,
        };
        let label: String = labels
            .get(field)
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
            .chars()
            .take(LABEL_MAX)
            .collect();
        out.set(Decision {
            key: key.chars().take(200).collect(),
            choice,
            label,
        });
    }
    out
}

pub fn entity_key(kind: anonymise::Kind, canonical: &str) -> String {
    format!("{}:{}", kind.as_str(), canonical)
}

/// Blanks `@Name` mentions of the given members (same byte length), so
/// that colleagues are not taken for family members; returns the masked
/// text and who was mentioned.
pub fn mask_mentions(text: &str, members: &[(i64, String)]) -> (String, Vec<i64>) {
    let mut masked = text.to_owned();
    let mut mentioned = Vec::new();
    let lower = text.to_lowercase();
    // Lowercasing may change byte lengths (rare letters); then no masking.
    if lower.len() != text.len() {
        return (masked, mentioned);
    }
    let mut by_length: Vec<&(i64, String)> = members.iter().filter(|(_, n)| !n.trim().is_empty()).collect();
    by_length.sort_by_key(|(_, n)| std::cmp::Reverse(n.len()));
    let bytes = lower.as_bytes();
    let mut blanks: Vec<(usize, usize)> = Vec::new();
    for (at, _) in lower.match_indices('@') {
        let rest = &lower[at + 1..];
        for (id, name) in &by_length {
            let name = name.to_lowercase();
            if rest.starts_with(&name) {
                let end = at + 1 + name.len();
                let boundary = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
                if boundary {
                    blanks.push((at + 1, end));
                    if !mentioned.contains(id) {
                        mentioned.push(*id);
                    }
                    break;
                }
            }
        }
    }
    if !blanks.is_empty() {
        let mut out = Vec::with_capacity(text.len());
        let src = text.as_bytes();
        let mut i = 0;
        for (s, e) in blanks {
            out.extend_from_slice(&src[i..s]);
            out.extend(std::iter::repeat_n(b' ', e - s));
            i = e;
        }
        out.extend_from_slice(&src[i..]);
        // Whole characters were replaced by ASCII spaces: still UTF-8.
        masked = String::from_utf8(out).unwrap_or_else(|_| text.to_owned());
    }
    (masked, mentioned)
}

/// A text checked against a case's decisions.
pub struct Checked {
    pub analysis: Analysis,
    /// Per entity: the label it gets (decided or suggested, never one that
    /// another person of this case already has).
    pub labels: Vec<String>,
    pub choices: Vec<Option<Choice>>,
    pub mentioned: Vec<i64>,
}

impl Checked {
    pub fn new(text: &str, members: &[(i64, String)], decisions: &Decisions) -> Self {
        let (masked, mentioned) = mask_mentions(text, members);
        let analysis = anonymise::analyse(&masked);
        let mut taken: HashMap<String, String> = decisions
            .entries
            .iter()
            .filter(|d| d.choice == Choice::Pseudonym && !d.label.is_empty())
            .map(|d| (d.label.to_lowercase(), d.key.clone()))
            .collect();
        let mut labels = Vec::with_capacity(analysis.entities.len());
        let mut choices = Vec::with_capacity(analysis.entities.len());
        for e in &analysis.entities {
            let key = entity_key(e.kind, &e.canonical);
            let decided = decisions.get(&key);
            let label = match decided {
                Some(d) if !d.label.is_empty() => d.label.clone(),
                _ => unique_label(&e.label, &key, &taken),
            };
            taken.insert(label.to_lowercase(), key);
            labels.push(label);
            choices.push(decided.map(|d| d.choice));
        }
        Checked {
            analysis,
            labels,
            choices,
            mentioned,
        }
    }

    /// High-confidence findings nobody decided on.
    pub fn unresolved(&self) -> u32 {
        let mut open = HashSet::new();
        for f in &self.analysis.findings {
            if f.confidence == Confidence::High && self.choices[f.entity].is_none() {
                open.insert(f.entity);
            }
        }
        open.len() as u32
    }

    /// The text readers get: accepted pseudonyms (and, for a preview,
    /// unresolved high-confidence findings) replaced; "not personal" and
    /// undecided guesses left as written.
    pub fn pseudonymise(&self, text: &str) -> String {
        // The detector's own redaction, so "mama Fatima" reads "mama" and
        // "Jonas (9)" reads "Kind 1 (9 j.)", not "mama Mama" or "(9 j.) (9)".
        crate::anonymise::redact_with(text, &self.analysis.findings, |f| {
            let replace = match self.choices.get(f.entity).copied().flatten() {
                Some(Choice::Pseudonym) => true,
                Some(Choice::Keep) => false,
                None => f.confidence == Confidence::High,
            };
            replace
                .then(|| self.labels.get(f.entity).map(String::as_str))
                .flatten()
        })
    }

    /// The raw text, HTML-escaped, every finding in a `<mark>`.
    pub fn marked_html(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() * 2);
        let mut at = 0;
        for f in &self.analysis.findings {
            if f.start < at || f.end > text.len() {
                continue;
            }
            escape_into(&mut out, &text[at..f.start]);
            let state = match self.choices[f.entity] {
                Some(Choice::Pseudonym) => "accepted",
                Some(Choice::Keep) => "kept",
                None if f.confidence == Confidence::High => "open",
                None => "maybe",
            };
            out.push_str(&format!(
                "<mark class=\"finding {state} k-{}\" data-label=\"",
                f.kind.as_str()
            ));
            escape_into(&mut out, &self.labels[f.entity]);
            out.push_str("\">");
            escape_into(&mut out, &text[f.start..f.end]);
            out.push_str("</mark>");
            at = f.end;
        }
        escape_into(&mut out, &text[at..]);
        out
    }

    /// The editor's rows, one per entity.
    pub fn entity_views(&self, text: &str) -> Vec<EntityView> {
        self.analysis
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut mentions: Vec<String> = Vec::new();
                let mut high = false;
                for f in self.analysis.findings.iter().filter(|f| f.entity == i) {
                    high |= f.confidence == Confidence::High;
                    let written = text.get(f.start..f.end).unwrap_or(&f.text).to_owned();
                    if !mentions.contains(&written) {
                        mentions.push(written);
                    }
                }
                EntityView {
                    field: format!("e{i}"),
                    key: entity_key(e.kind, &e.canonical),
                    kind: e.kind.as_str().to_owned(),
                    mentions,
                    label: self.labels[i].clone(),
                    high,
                    choice: self.choices[i],
                }
            })
            .filter(|v| !v.mentions.is_empty())
            .collect()
    }

    pub fn view(&self, text: &str) -> CheckView {
        CheckView {
            marked_html: self.marked_html(text),
            entities: self.entity_views(text),
            unresolved: self.unresolved(),
            preview_html: crate::ui::markdown::to_safe_html(&self.pseudonymise(text)),
        }
    }
}

/// `label`, or the next free one ("Persoon A" → "Persoon B", "Kind 2" →
/// "Kind 3", else "… 2"), so two people never share a pseudonym.
fn unique_label(label: &str, key: &str, taken: &HashMap<String, String>) -> String {
    let free = |l: &str| taken.get(&l.to_lowercase()).is_none_or(|k| k == key);
    if free(label) {
        return label.to_owned();
    }
    for n in 2..100 {
        let candidate = bump(label, n);
        if free(&candidate) {
            return candidate;
        }
    }
    format!("{label} ({key_len})", key_len = taken.len())
}

fn bump(label: &str, n: u32) -> String {
    let last = label.chars().last();
    match last {
        Some(c)
            if c.is_ascii_uppercase() && label.len() >= 2 && label.as_bytes()[label.len() - 2] == b' ' =>
        {
            let next = (b'A' + ((c as u8 - b'A') as u32 + n - 1).min(25) as u8) as char;
            if next == c {
                format!("{label} {n}")
            } else {
                format!("{}{next}", &label[..label.len() - 1])
            }
        }
        _ => format!("{label} {n}"),
    }
}

fn escape_into(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_of_members_are_blanked_byte_for_byte() {
        let members = vec![(1, "An Peeters".to_owned()), (2, "An".to_owned())];
        let text = "Vraag aan @An Peeters en @an: Zoë?";
        let (masked, who) = mask_mentions(text, &members);
        assert_eq!(masked.len(), text.len());
        // Each name becomes as many spaces as it has bytes.
        assert_eq!(
            masked,
            format!("Vraag aan @{} en @{}: Zoë?", " ".repeat(10), " ".repeat(2))
        );
        assert_eq!(who, vec![1, 2]);
    }

    #[test]
    fn a_label_taken_by_someone_else_is_bumped() {
        let taken = HashMap::from([("persoon a".to_owned(), "person:x".to_owned())]);
        assert_eq!(unique_label("Persoon A", "person:y", &taken), "Persoon B");
        assert_eq!(unique_label("Persoon A", "person:x", &taken), "Persoon A");
        let taken = HashMap::from([("mama".to_owned(), "person:x".to_owned())]);
        assert_eq!(unique_label("Mama", "person:y", &taken), "Mama 2");
    }

    #[test]
    fn form_rows_become_decisions() {
        let keys = HashMap::from([
            ("e0".to_owned(), "person:jonas".to_owned()),
            ("e1".to_owned(), "date:x".to_owned()),
            ("e2".to_owned(), "person:y".to_owned()),
        ]);
        let choices = HashMap::from([
            ("e0".to_owned(), "pseudonym".to_owned()),
            ("e1".to_owned(), "keep".to_owned()),
        ]);
        let labels = HashMap::from([("e0".to_owned(), "  Kind   1 ".to_owned())]);
        let d = decisions_from_form(&keys, &choices, &labels);
        assert_eq!(d.entries.len(), 2);
        assert_eq!(d.get("person:jonas").map(|d| d.label.as_str()), Some("Kind 1"));
        assert_eq!(d.get("date:x").map(|d| d.choice), Some(Choice::Keep));
        assert!(d.get("person:y").is_none(), "no choice: undecided");
    }
}
