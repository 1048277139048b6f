//! Vigie's offline tonality (sentiment) engine for French and English posts.
//!
//! A lexicon + rules engine in the VADER style (Hutto & Gilbert, 2014), with the
//! French rules that ports of VADER get wrong: elision, `ne … pas` and post-verbal
//! `pas`, `sans`, idioms ("pas terrible", "pas mal", "trop bien"), contrast
//! (`mais`), boosters and dampeners, capitals, `!!!`, elongation, hashtags, emoji,
//! and accent-free spelling. It also raises an anger/outrage flag.
//!
//! ```
//! use vigie_tonality::{Analyzer, Label, Lang};
//! let analyzer = Analyzer::new();
//! let t = analyzer.analyze("C'est pas terrible, quelle arnaque 😡", Lang::Fr);
//! assert_eq!(t.label, Label::Negative);
//! assert!(t.anger);
//! ```

mod anger;
mod bench;
mod lang;
mod lexicon;
mod rules;
mod tokenize;
mod words;

use serde::{Deserialize, Serialize};

pub use bench::{run_bench, BenchStats};
pub use lang::detect_language;

/// The decision rule on the compound score: `score <= negative` is negative,
/// `score >= positive` is positive, neutral in between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub negative: f32,
    pub positive: f32,
}

impl Thresholds {
    /// The one decision rule for both languages (VADER's usual ±0.05). English
    /// scores are calibrated before it (each positive English valence is reduced
    /// by a fixed amount, correcting VADER's positive drift on everyday words), so
    /// the same thresholds fit both; set on the UMSAB training splits only (see
    /// the crate README).
    pub const DEFAULT: Thresholds = Thresholds {
        negative: -0.05,
        positive: 0.05,
    };

    /// The thresholds for a language: [`Thresholds::DEFAULT`] for both (kept as a
    /// function so a caller can still ask per language).
    pub const fn for_lang(_lang: Lang) -> Thresholds {
        Thresholds::DEFAULT
    }

    /// The label of a compound score.
    pub fn label(self, score: f32) -> Label {
        if score >= self.positive {
            Label::Positive
        } else if score <= self.negative {
            Label::Negative
        } else {
            Label::Neutral
        }
    }
}

/// A language the engine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    En,
}

/// The tonality class of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Negative,
    Neutral,
    Positive,
}

impl Label {
    /// "negative", "neutral" or "positive".
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Negative => "negative",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
        }
    }
}

/// The tonality of one post.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tonality {
    /// Compound score in [-1, 1].
    pub score: f32,
    pub label: Label,
    /// Anger or outrage (boycott, scandal, shame, scam, 😡, shouted negativity…).
    pub anger: bool,
}

/// The engine: lexicons and rule tables, parsed once. `Send + Sync`; share it
/// behind an `Arc` or a reference.
#[derive(Debug)]
pub struct Analyzer {
    lexicons: lexicon::Lexicons,
    fr: words::LangWords,
    en: words::LangWords,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    /// Parses the embedded lexicons (a few milliseconds; do it once).
    pub fn new() -> Self {
        Analyzer {
            lexicons: lexicon::Lexicons::load(),
            fr: words::LangWords::new(Lang::Fr),
            en: words::LangWords::new(Lang::En),
        }
    }

    /// Scores one post written in `lang`.
    pub fn analyze(&self, text: &str, lang: Lang) -> Tonality {
        let tokens = tokenize::tokenize(text, lang, &self.lexicons);
        let words = match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        };
        let scored = rules::score(&tokens, self.lexicons.words(lang), words, lang);
        let score = scored.compound;
        Tonality {
            score,
            label: Thresholds::for_lang(lang).label(score),
            anger: anger::is_angry(&tokens, &scored),
        }
    }

    /// The words (and emoji) that carried a valence, with their final valence after
    /// all rules: a debugging aid to see why a post got its score.
    pub fn explain(&self, text: &str, lang: Lang) -> Vec<(String, f32)> {
        let tokens = tokenize::tokenize(text, lang, &self.lexicons);
        let words = match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        };
        let scored = rules::score(&tokens, self.lexicons.words(lang), words, lang);
        tokens
            .iter()
            .zip(&scored.valences)
            .filter(|(_, v)| **v != 0.0)
            .map(|(t, v)| (t.lower.to_string(), *v))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn analyzer_is_send_sync() {
        assert_send_sync::<Analyzer>();
    }

    #[test]
    fn serde_names_are_lowercase() {
        let t = Tonality {
            score: -0.5,
            label: Label::Negative,
            anger: true,
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"score":-0.5,"label":"negative","anger":true}"#);
        assert_eq!(serde_json::to_string(&Lang::Fr).unwrap(), r#""fr""#);
        let back: Tonality = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert_eq!(Label::Neutral.as_str(), "neutral");
    }
}
