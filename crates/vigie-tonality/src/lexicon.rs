//! Word and emoji valences, parsed once from the embedded TSV lexicons.
//!
//! Sources (see `lexicons/LICENSES.md`): VADER (MIT) for English and emoji,
//! vaderSentiment-fr (MIT) and Pattern's `fr-sentiment.xml` (PDDL) for French,
//! and our own `vigie_*.tsv` entries, which override the others.
//!
//! Valences are on VADER's scale (about -4..4). Every word is stored twice: under
//! its lowercase form and under its accent-folded form, so tweets that drop
//! accents ("genial", "degueulasse") still match.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::tokenize::{collapse_runs, fold};
use crate::Lang;

const VADER_EN: &str = include_str!("../lexicons/vader_en.tsv");
const VADER_FR: &str = include_str!("../lexicons/vader_fr.tsv");
const PATTERN_FR: &str = include_str!("../lexicons/pattern_fr.tsv");
const EMOJI: &str = include_str!("../lexicons/emoji.tsv");
const VIGIE_EN: &str = include_str!("../lexicons/vigie_en.tsv");
const VIGIE_FR: &str = include_str!("../lexicons/vigie_fr.tsv");
const VIGIE_EMOJI: &str = include_str!("../lexicons/vigie_emoji.tsv");

/// Pattern polarities are in [-1, 1]; this brings them to VADER's scale.
const PATTERN_SCALE: f32 = 3.0;
/// Weight of the vaderSentiment-fr valence when Pattern also knows the word.
const VADER_FR_WEIGHT: f32 = 0.5;

/// A small, fast, non-cryptographic hasher (the FxHash mix) for short keys.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(buf))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Parses `key<TAB>value` lines; `#` starts a comment line.
fn parse_tsv(src: &str) -> impl Iterator<Item = (&str, f32)> {
    src.lines().filter_map(|line| {
        if line.starts_with('#') {
            return None;
        }
        let (k, v) = line.split_once('\t')?;
        let v: f32 = v.trim().parse().ok()?;
        (!k.is_empty()).then_some((k, v))
    })
}

/// One language's word valences.
#[derive(Debug, Default)]
pub(crate) struct WordLexicon {
    exact: FxMap<String, f32>,
    folded: FxMap<String, f32>,
    /// Try French plural and feminine endings ("menacées" -> "menacé").
    inflected: bool,
}

impl WordLexicon {
    fn insert(&mut self, word: &str, valence: f32) {
        if word.chars().count() < 2 {
            return;
        }
        let lower = word.to_lowercase();
        let folded = fold(&lower);
        self.exact.insert(lower, valence);
        self.folded.insert(folded, valence);
    }

    fn insert_all(&mut self, entries: &[(String, f32)]) {
        for (w, v) in entries {
            self.insert(w, *v);
        }
    }

    /// Valence of a lowercase word. An accented word must match exactly (folding
    /// "sûr" and "sur" together would make a preposition positive); a word written
    /// without accents also matches the folded forms. Elongations are collapsed,
    /// and French plural and feminine endings are tried last.
    pub(crate) fn get(&self, lower: &str, folded: &str, elongated: bool) -> Option<f32> {
        if let Some(v) = self.exact.get(lower) {
            return Some(*v);
        }
        let unaccented = lower.len() == folded.len();
        if unaccented {
            if let Some(v) = self.folded.get(folded) {
                return Some(*v);
            }
        }
        if elongated {
            for max in [2, 1] {
                if let Some(v) = self.folded.get(&collapse_runs(folded, max)) {
                    return Some(*v);
                }
            }
        }
        if self.inflected && lower.len() > 4 {
            let map = if unaccented {
                &self.folded
            } else {
                &self.exact
            };
            let word = if unaccented { folded } else { lower };
            let mut stem = word;
            for suffix in ["s", "x", "e"] {
                if let Some(s) = stem.strip_suffix(suffix) {
                    stem = s;
                    if let Some(v) = map.get(stem) {
                        return Some(*v);
                    }
                }
            }
        }
        None
    }
}

/// All lexicons an [`crate::Analyzer`] needs.
#[derive(Debug)]
pub(crate) struct Lexicons {
    pub en: WordLexicon,
    pub fr: WordLexicon,
    /// Emoji (one scalar value, variation selectors stripped) to valence.
    pub emoji: FxMap<char, f32>,
    /// Emoticons such as `:)` or `<3`, matched case-sensitively on whole chunks.
    pub emoticons: FxMap<String, f32>,
}

fn is_emoticon_key(k: &str) -> bool {
    k.chars()
        .any(|c| c.is_ascii_punctuation() && c != '-' && c != '\'' && c != '&')
        && k.chars().all(|c| c.is_ascii() && !c.is_whitespace())
}

impl Lexicons {
    pub(crate) fn load() -> Self {
        let mut en = WordLexicon::default();
        let mut emoticons = FxMap::default();
        for (k, v) in parse_tsv(VADER_EN) {
            if is_emoticon_key(k) {
                emoticons.insert(k.to_string(), v);
            } else {
                en.insert(k, v);
            }
        }
        for (k, v) in parse_tsv(VIGIE_EN) {
            en.insert(k, v);
        }

        let mut fr = WordLexicon {
            inflected: true,
            ..WordLexicon::default()
        };
        let mut merged: FxMap<String, f32> = FxMap::default();
        for (k, v) in parse_tsv(VADER_FR) {
            if !is_emoticon_key(k) {
                merged.insert(k.to_lowercase(), v);
            }
        }
        for (k, p) in parse_tsv(PATTERN_FR) {
            let p = p * PATTERN_SCALE;
            merged
                .entry(k.to_lowercase())
                .and_modify(|v| *v = *v * VADER_FR_WEIGHT + p * (1.0 - VADER_FR_WEIGHT))
                .or_insert(p);
        }
        let mut entries: Vec<(String, f32)> = merged.into_iter().collect();
        // Deterministic order: when two accented forms fold to the same key, the
        // one sorted last (usually the accented one) wins the folded slot.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        fr.insert_all(&entries);
        for (k, v) in parse_tsv(VIGIE_FR) {
            fr.insert(k, v);
        }

        let mut emoji = FxMap::default();
        for (k, v) in parse_tsv(EMOJI).chain(parse_tsv(VIGIE_EMOJI)) {
            let mut chars = k.chars().filter(|c| !is_emoji_modifier(*c));
            if let (Some(c), None) = (chars.next(), chars.next()) {
                emoji.insert(c, v);
            }
        }
        Lexicons {
            en,
            fr,
            emoji,
            emoticons,
        }
    }

    pub(crate) fn words(&self, lang: Lang) -> &WordLexicon {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

/// Variation selectors, zero-width joiners and skin-tone modifiers carry no tonality.
pub(crate) fn is_emoji_modifier(c: char) -> bool {
    matches!(
        c,
        '\u{FE0E}' | '\u{FE0F}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicons_parse_and_fold_accents() {
        let lex = Lexicons::load();
        assert!(lex.en.exact.len() > 7000, "VADER has ~7.5k words");
        assert!(lex.fr.exact.len() > 9000, "vader-fr + pattern");
        let genial = lex.fr.get("génial", "genial", false).unwrap();
        assert!(genial > 0.0);
        assert_eq!(
            lex.fr.get("genial", "genial", false),
            Some(genial),
            "accent-less form"
        );
        assert!(
            lex.fr.get("nuuul", "nuuul", true).unwrap() < 0.0,
            "elongation collapsed"
        );
        assert!(lex.emoji[&'😡'] < -2.0);
        assert!(lex.emoticons[":)"] > 0.0);
        assert!(lex.en.get("good", "good", false).unwrap() > 0.0);
    }
}
