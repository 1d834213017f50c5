//! Groups mentions into entities and chooses consistent pseudonyms.

use super::text::fold;
use super::{Analysis, Cand, Entity, Finding, Kind, PersonInfo, Role};

struct Group {
    kind: Kind,
    first: Option<String>,
    surname: Option<String>,
    roles: Vec<Role>,
    age: Option<u32>,
    family: bool,
    canonical: String,
    category: &'static str,
}

fn surname_core(s: &str) -> &str {
    s.rsplit(' ').next().unwrap_or(s)
}

/// Text between two list items: "Jonas (9), Lina (6) en Adam".
fn list_glue(between: &str) -> bool {
    let rest: String = between
        .replace(" en ", ",")
        .replace("jaar", "")
        .replace("j.", "")
        .chars()
        .filter(|c| !matches!(c, ' ' | ',' | '(' | ')' | '0'..='9'))
        .collect();
    rest.is_empty() && between.len() < 20
}

fn normalise(kind: Kind, s: &str) -> String {
    match kind {
        Kind::Phone => {
            let mut d: String = s.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
            d = d.replace("(0)", "");
            if let Some(rest) = d.strip_prefix("00") {
                d = format!("+{rest}");
            }
            match d.strip_prefix("+32") {
                Some(rest) => format!("0{}", rest.trim_start_matches('0')),
                None => d,
            }
        }
        Kind::NationalId | Kind::Iban | Kind::Plate | Kind::Postcode => s
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        Kind::Email | Kind::Url => s.to_lowercase(),
        _ => fold(s).split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

fn letters(n: usize) -> String {
    // A … Z, then AA, AB …
    let mut n = n;
    let mut s = Vec::new();
    loop {
        s.push((b'A' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.iter().rev().collect()
}

pub fn build(text: &str, mut cands: Vec<Cand>) -> Analysis {
    cands.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end)));
    let mut kept: Vec<Cand> = Vec::with_capacity(cands.len());
    for c in cands {
        if kept.last().is_none_or(|k| c.start >= k.end) {
            kept.push(c);
        }
    }
    // Children named in a list share the cue: "kinderen Emre (13), Esra (9) en Yusuf".
    let mut prev: Option<(usize, Role)> = None;
    for c in &mut kept {
        let Some(info) = c.person.as_mut() else { continue };
        if info.role == Role::None
            && let Some((end, Role::Children | Role::Child)) = prev
            && list_glue(&text[end..c.start])
        {
            info.role = Role::Children;
        }
        if info.role == Role::Children {
            prev = Some((c.end, Role::Children));
        } else {
            prev = Some((c.end, info.role));
            if info.role == Role::Child {
                // A single child cue does not make a list.
                prev = Some((c.end, Role::Other));
            }
        }
    }

    let mut groups: Vec<Group> = Vec::new();
    let mut findings = Vec::with_capacity(kept.len());
    for c in kept {
        let idx = match &c.person {
            Some(info) => person_group(&mut groups, info),
            None => {
                let canonical = normalise(c.kind, &text[c.start..c.end]);
                match groups
                    .iter()
                    .position(|g| g.kind == c.kind && g.canonical == canonical)
                {
                    Some(i) => i,
                    None => {
                        groups.push(Group {
                            kind: c.kind,
                            first: None,
                            surname: None,
                            roles: Vec::new(),
                            age: None,
                            family: false,
                            canonical,
                            category: c.category,
                        });
                        groups.len() - 1
                    }
                }
            }
        };
        findings.push(Finding {
            start: c.start,
            end: c.end,
            kind: c.kind,
            text: text[c.start..c.end].to_owned(),
            confidence: c.conf,
            entity: idx,
        });
    }
    let entities = label(groups);
    Analysis { findings, entities }
}

fn person_group(groups: &mut Vec<Group>, info: &PersonInfo) -> usize {
    let is_person = |g: &Group| g.kind == Kind::Person && !g.family;
    let found = if info.family {
        let s = info.surname.as_deref().unwrap_or("");
        groups
            .iter()
            .position(|g| g.kind == Kind::Person && g.family && g.surname.as_deref() == Some(s))
    } else if let Some(f) = &info.first {
        groups
            .iter()
            .position(|g| is_person(g) && g.first.as_deref() == Some(f.as_str()))
            .or_else(|| {
                let s = info.surname.as_deref()?;
                groups.iter().position(|g| {
                    is_person(g)
                        && g.first.is_none()
                        && g.surname.as_deref().map(surname_core) == Some(surname_core(s))
                })
            })
    } else {
        let s = info.surname.as_deref().map(surname_core).unwrap_or("");
        let same: Vec<usize> = (0..groups.len())
            .filter(|&i| is_person(&groups[i]) && groups[i].surname.as_deref().map(surname_core) == Some(s))
            .collect();
        let wanted = match info.role {
            Role::MotherWeak | Role::Mother => Some(Role::Mother),
            Role::FatherWeak | Role::Father => Some(Role::Father),
            _ => None,
        };
        match same.len() {
            0 => None,
            1 => Some(same[0]),
            _ => same
                .iter()
                .copied()
                .find(|&i| wanted.is_some_and(|w| groups[i].roles.contains(&w)))
                .or(Some(same[0])),
        }
    };
    match found {
        Some(i) => {
            let g = &mut groups[i];
            if g.first.is_none() {
                g.first.clone_from(&info.first);
            }
            if g.surname.is_none() {
                g.surname.clone_from(&info.surname);
            }
            if g.age.is_none() {
                g.age = info.age;
            }
            g.roles.push(info.role);
            i
        }
        None => {
            groups.push(Group {
                kind: Kind::Person,
                first: info.first.clone(),
                surname: info.surname.clone(),
                roles: vec![info.role],
                age: info.age,
                family: info.family,
                canonical: String::new(),
                category: "",
            });
            groups.len() - 1
        }
    }
}

fn label(groups: Vec<Group>) -> Vec<Entity> {
    let strong_mother = groups
        .iter()
        .any(|g| g.kind == Kind::Person && g.roles.contains(&Role::Mother));
    let strong_father = groups
        .iter()
        .any(|g| g.kind == Kind::Person && g.roles.contains(&Role::Father));
    let (mut mama, mut papa) = (false, false);
    let (mut kids, mut others, mut families) = (0, 0, 0);
    groups
        .into_iter()
        .map(|g| {
            let label = match g.kind {
                Kind::Person => {
                    let has = |r: Role| g.roles.contains(&r);
                    let child = has(Role::Child)
                        || has(Role::Children)
                        || (g.age.is_some_and(|a| a < 18) && !has(Role::Other));
                    if g.family {
                        families += 1;
                        format!("Familie {}", letters(families - 1))
                    } else if !mama && (has(Role::Mother) || (has(Role::MotherWeak) && !strong_mother)) {
                        mama = true;
                        "Mama".to_owned()
                    } else if !papa && (has(Role::Father) || (has(Role::FatherWeak) && !strong_father)) {
                        papa = true;
                        "Papa".to_owned()
                    } else if child {
                        kids += 1;
                        match g.age {
                            Some(a) => format!("Kind {kids} ({a} j.)"),
                            None => format!("Kind {kids}"),
                        }
                    } else {
                        others += 1;
                        format!("Persoon {}", letters(others - 1))
                    }
                }
                Kind::Address => "[adres]".to_owned(),
                Kind::Postcode => "[postcode]".to_owned(),
                Kind::Phone => "[telefoonnummer]".to_owned(),
                Kind::Email => "[e-mailadres]".to_owned(),
                Kind::NationalId => "[rijksregisternummer]".to_owned(),
                Kind::Iban => "[rekeningnummer]".to_owned(),
                Kind::Date => "[datum]".to_owned(),
                Kind::Institution => match g.category {
                    "school" => "[school]",
                    "kinderopvang" => "[kinderopvang]",
                    "ziekenhuis" => "[ziekenhuis]",
                    _ => "[instelling]",
                }
                .to_owned(),
                Kind::Plate => "[nummerplaat]".to_owned(),
                Kind::Url => "[link]".to_owned(),
            };
            let canonical = if g.kind == Kind::Person {
                g.first.clone().or_else(|| g.surname.clone()).unwrap_or_default()
            } else {
                g.canonical
            };
            Entity {
                kind: g.kind,
                canonical,
                label,
            }
        })
        .collect()
}
