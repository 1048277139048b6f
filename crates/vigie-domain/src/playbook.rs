//! Playbooks: prepared scenarios (product recall, data leak…) with holding statements whose
//! slots (`{brand}`, `{date}`, `{link}`…) are filled at the last minute. A statement can be
//! pre-approved: the approval is bound to the hash of its fixed text, so filling the slots keeps
//! it valid and editing the fixed text voids it.
//!
//! Playbooks are TOML files meant to be reviewed in git.

use crate::publish::Network;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    pub name: String,
    /// e.g. "product recall", "data leak", "employee misconduct", "executive statement".
    pub scenario: String,
    /// Who to alert (names or roles from the roster).
    #[serde(default)]
    pub alert: Vec<String>,
    #[serde(default)]
    pub checklist: Vec<String>,
    #[serde(default, rename = "statement")]
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Unique within the playbook (e.g. "holding-fr").
    pub id: String,
    pub title: String,
    /// The network it is written for; absent = any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    /// The text with `{slot}` placeholders.
    pub text: String,
}

/// Longest value a slot accepts: slots carry a name, a date or a link, not a message. Within
/// these bounds (one line, no braces, at most [`MAX_SLOT_WORDS`] words and no sentence for a
/// name or a date, one web address for a link) a slot is what a pre-approval of the fixed text
/// accepts. A link slot takes any web address: the approver does not choose its domain.
pub const MAX_SLOT_CHARS: usize = 100;

impl Statement {
    /// The slot names, in order of first appearance.
    pub fn slots(&self) -> Vec<String> {
        slots(&self.text)
    }

    /// Identity of the fixed text (slots included as placeholders): what a pre-approval binds.
    pub fn template_hash(&self) -> String {
        let digest = Sha256::new()
            .chain_update(b"vigie-template-v1\0")
            .chain_update(self.text.as_bytes())
            .finalize();
        crate::publish::hex(&digest)
    }

    /// The text with every slot filled. Every slot needs a value; values are one short line
    /// without braces (so a slot cannot smuggle a different message under a pre-approval).
    pub fn fill(&self, values: &BTreeMap<String, String>) -> Result<String, String> {
        for slot in self.slots() {
            let v = values
                .get(&slot)
                .ok_or_else(|| format!("the slot {{{slot}}} needs a value"))?;
            if let Some(problem) = slot_value_problem(&slot, v) {
                return Err(problem);
            }
        }
        if let Some(extra) = values.keys().find(|k| !self.slots().contains(k)) {
            return Err(format!("this statement has no slot {{{extra}}}"));
        }
        let mut out = String::with_capacity(self.text.len());
        let mut rest = self.text.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) if is_slot_name(&after[..close]) => {
                    out.push_str(&values[&after[..close]]);
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }
}

enum Part<'a> {
    Text(&'a str),
    Slot(&'a str),
}

fn parts(template: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    let mut literal_start = 0;
    let mut pos = 0;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_slot_name(&after[..close]) => {
                let abs_open = pos + open;
                if abs_open > literal_start {
                    out.push(Part::Text(&template[literal_start..abs_open]));
                }
                out.push(Part::Slot(&after[..close]));
                pos = abs_open + 1 + close + 1;
                literal_start = pos;
                rest = &template[pos..];
            }
            _ => {
                pos += open + 1;
                rest = &template[pos..];
            }
        }
    }
    if literal_start < template.len() {
        out.push(Part::Text(&template[literal_start..]));
    }
    out
}

/// Most words a slot other than a link takes ("yaourt nature bio 4x125 g", "21 novembre 2026").
pub const MAX_SLOT_WORDS: usize = 5;

/// A slot named like a link (`link`, `lien`, `url`, `page_link`…) holds one web address.
fn is_link_slot(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("link") || n.contains("lien") || n.contains("url")
}

/// Why `v` cannot fill the slot `name`, if it cannot. A slot carries a name, a date, a number
/// or a link, never a sentence: a pre-approval of the fixed text must not carry a message the
/// approver never read.
fn slot_value_problem(name: &str, v: &str) -> Option<String> {
    if v.trim().is_empty() {
        return Some(format!("the slot {{{name}}} is empty"));
    }
    if v.contains(['\n', '\r', '{', '}']) {
        return Some(format!(
            "the value of {{{name}}} must be one line without braces"
        ));
    }
    if v.chars().count() > MAX_SLOT_CHARS {
        return Some(format!(
            "the value of {{{name}}} is longer than {MAX_SLOT_CHARS} characters: a slot holds a name, a date or a link"
        ));
    }
    if is_link_slot(name) {
        let url = ["https://", "http://"]
            .iter()
            .any(|s| v.strip_prefix(s).is_some_and(|rest| !rest.is_empty()));
        if !url || v.chars().any(char::is_whitespace) {
            return Some(format!(
                "the value of {{{name}}} must be one web address (https://…)"
            ));
        }
        return None;
    }
    let sentence = v.contains(['!', '?', ';', '\u{2026}'])
        || v.contains(". ")
        || v.contains(": ")
        || v.contains("://")
        || v.to_lowercase().contains("www.");
    if sentence || v.split_whitespace().count() > MAX_SLOT_WORDS {
        return Some(format!(
            "the value of {{{name}}} must be a name, a date or a number (at most {MAX_SLOT_WORDS} words, no sentence, no link): the approval covers the fixed text only"
        ));
    }
    None
}

fn match_parts(parts: &[Part<'_>], text: &str, found: &mut BTreeMap<String, String>) -> bool {
    match parts.split_first() {
        None => text.is_empty(),
        Some((Part::Text(t), rest)) => {
            text.starts_with(t) && match_parts(rest, &text[t.len()..], found)
        }
        Some((Part::Slot(name), rest)) => {
            let ends: Vec<usize> = text
                .char_indices()
                .map(|(i, c)| i + c.len_utf8())
                .take_while(|&end| end <= text.len())
                .collect();
            for end in ends {
                let v = &text[..end];
                if v.chars().count() > MAX_SLOT_CHARS || v.contains(['\n', '\r']) {
                    break;
                }
                if let Some(prev) = found.get(*name) {
                    if prev != v {
                        continue;
                    }
                } else if slot_value_problem(name, v).is_some() {
                    continue;
                }
                let had = found.contains_key(*name);
                found.insert(name.to_string(), v.to_string());
                if match_parts(rest, &text[end..], found) {
                    return true;
                }
                if !had {
                    found.remove(*name);
                }
            }
            false
        }
    }
}

impl Statement {
    /// If `text` is this statement with its slots filled (fixed text untouched), the values.
    pub fn matches(&self, text: &str) -> Option<BTreeMap<String, String>> {
        let mut found = BTreeMap::new();
        match_parts(&parts(&self.text), text, &mut found).then_some(found)
    }
}

fn is_slot_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub fn slots(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_slot_name(&after[..close]) => {
                let name = after[..close].to_string();
                if !out.contains(&name) {
                    out.push(name);
                }
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

impl Playbook {
    pub fn from_toml(text: &str) -> Result<Playbook, String> {
        let p: Playbook =
            toml::from_str(text).map_err(|e| format!("the playbook file is not valid: {e}"))?;
        let mut ids: Vec<&str> = p.statements.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("two statements have the id {:?}", w[0]));
        }
        if p.name.trim().is_empty() {
            return Err("a playbook needs a name".into());
        }
        Ok(p)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a playbook serialises")
    }

    pub fn statement(&self, id: &str) -> Option<&Statement> {
        self.statements.iter().find(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECALL: &str = r#"
name = "Rappel produit"
scenario = "product recall"
alert = ["juridique", "direction"]
checklist = ["Bloquer les publications programmées", "Prévenir le service client"]

[[statement]]
id = "holding-fr"
title = "Message d'attente"
network = "mastodon"
text = "{brand} rappelle le lot {lot} par précaution. Toutes les informations : {link}"
"#;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parse_fill_and_round_trip() {
        let p = Playbook::from_toml(RECALL).unwrap();
        let s = p.statement("holding-fr").unwrap();
        assert_eq!(s.slots(), vec!["brand", "lot", "link"]);
        let text = s
            .fill(&values(&[
                ("brand", "Acme"),
                ("lot", "42"),
                ("link", "https://acme.fr/rappel"),
            ]))
            .unwrap();
        assert_eq!(
            text,
            "Acme rappelle le lot 42 par précaution. Toutes les informations : https://acme.fr/rappel"
        );
        assert_eq!(Playbook::from_toml(&p.to_toml()).unwrap(), p);
    }

    #[test]
    fn filling_keeps_the_template_hash_editing_changes_it() {
        let p = Playbook::from_toml(RECALL).unwrap();
        let s = p.statement("holding-fr").unwrap().clone();
        let h = s.template_hash();
        let mut edited = s.clone();
        edited.text = edited.text.replace("par précaution", "");
        assert_ne!(edited.template_hash(), h);
        assert_eq!(s.template_hash(), h);
    }

    #[test]
    fn slots_cannot_carry_a_message() {
        let p = Playbook::from_toml(RECALL).unwrap();
        let s = p.statement("holding-fr").unwrap();
        let ok = [
            ("brand", "Acme"),
            ("lot", "42"),
            ("link", "https://acme.fr/rappel"),
        ];
        assert!(s.fill(&values(&ok[..2])).unwrap_err().contains("{link}"));
        let mut v = values(&ok);
        v.insert("lot".into(), "42\nEt autre chose".into());
        assert!(s.fill(&v).unwrap_err().contains("one line"));
        v.insert("lot".into(), "x".repeat(101));
        assert!(s.fill(&v).unwrap_err().contains("100"));
        let mut v = values(&ok);
        v.insert("extra".into(), "y".into());
        assert!(s.fill(&v).unwrap_err().contains("{extra}"));
        // A sentence, a link or a speech where a name or a number goes; anything but one web
        // address where a link goes.
        for (slot, value) in [
            ("brand", "Nous avons fait faillite. Acme"),
            ("lot", "TOUS LES LOTS, tout est contaminé,"),
            ("lot", "42 ! Scandale"),
            ("brand", "Acme (voir https://evil.example)"),
            ("link", "https://acme.fr/rappel et autre chose"),
            ("link", "acme.fr"),
            ("link", "https://"),
        ] {
            let mut v = values(&ok);
            v.insert(slot.into(), value.into());
            assert!(s.fill(&v).is_err(), "{slot} = {value:?}");
        }
        assert!(s.fill(&values(&ok)).is_ok());
    }

    #[test]
    fn a_filled_statement_is_recognised_an_edited_one_is_not() {
        let p = Playbook::from_toml(RECALL).unwrap();
        let s = p.statement("holding-fr").unwrap();
        let v = values(&[
            ("brand", "Acme"),
            ("lot", "42"),
            ("link", "https://acme.fr/r"),
        ]);
        let text = s.fill(&v).unwrap();
        assert_eq!(s.matches(&text), Some(v));
        // The fixed text edited: no longer this statement.
        assert_eq!(s.matches(&text.replace("par précaution", "")), None);
        assert_eq!(s.matches(&text.replace("Toutes les", "Les")), None);
        // A slot cannot swallow a second line, nor a sentence put before the statement.
        let sneaky = text.replace("42", "42\nBonus message");
        assert_eq!(s.matches(&sneaky), None);
        assert_eq!(
            s.matches(&format!("Nous avons fait faillite. {text}")),
            None
        );
        let elsewhere = text.replace("https://acme.fr/r", "https://evil.example ici");
        assert_eq!(s.matches(&elsewhere), None);
    }

    #[test]
    fn the_example_playbooks_in_the_repository_are_valid() {
        let dir = std::path::PathBuf::from(
            std::env::var("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../../playbooks");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            let p = Playbook::from_toml(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!p.statements.is_empty(), "{}", path.display());
            n += 1;
        }
        assert!(n >= 2);
    }

    #[test]
    fn bad_files_are_explained() {
        let e = Playbook::from_toml("name = 'x'\nscenario = 'y'\ncolour = 3\n").unwrap_err();
        assert!(e.contains("colour"), "{e}");
        let dup =
            format!("{RECALL}\n[[statement]]\nid = \"holding-fr\"\ntitle = \"b\"\ntext = \"c\"\n");
        assert!(Playbook::from_toml(&dup)
            .unwrap_err()
            .contains("holding-fr"));
    }
}
