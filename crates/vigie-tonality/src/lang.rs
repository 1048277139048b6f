//! Language detection (whatlang, offline trigram models).

use crate::Lang;
use std::sync::LazyLock;
use whatlang::Lang as W;

/// The languages a French or English brand mostly meets. Comparing a post with these few
/// profiles instead of all of whatlang's makes detection several times cheaper; a post in
/// another language still comes out as "not French or English" (the point of the call).
static COMMON: LazyLock<whatlang::Detector> = LazyLock::new(|| {
    whatlang::Detector::with_allowlist(vec![
        W::Fra,
        W::Eng,
        W::Spa,
        W::Deu,
        W::Ita,
        W::Por,
        W::Nld,
        W::Pol,
        W::Tur,
        W::Ron,
        W::Swe,
        W::Ara,
        W::Rus,
        W::Cmn,
        W::Jpn,
    ])
});

/// Detects French or English; `None` for any other language or an empty text.
///
/// Mentions, links and hashtag signs are ignored so that "@user http://…" noise
/// does not sway the guess.
pub fn detect_language(text: &str) -> Option<Lang> {
    let cleaned = clean(text);
    match COMMON.detect_lang(&cleaned)? {
        W::Fra => Some(Lang::Fr),
        W::Eng => Some(Lang::En),
        _ => None,
    }
}

/// Chooses between French and English only (for bench rows, which fall back to English).
pub(crate) struct FrEnDetector(whatlang::Detector);

impl FrEnDetector {
    pub(crate) fn new() -> Self {
        FrEnDetector(whatlang::Detector::with_allowlist(vec![W::Fra, W::Eng]))
    }

    /// French or English, whichever fits better; `None` when nothing is detectable.
    pub(crate) fn detect(&self, text: &str) -> Option<Lang> {
        match self.0.detect_lang(&clean(text))? {
            W::Fra => Some(Lang::Fr),
            _ => Some(Lang::En),
        }
    }
}

fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in text.split_whitespace() {
        if w.starts_with('@') || w.starts_with("http") || w.starts_with("www.") {
            continue;
        }
        out.push_str(w.trim_start_matches('#'));
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_french_english_and_other() {
        assert_eq!(
            detect_language("Je ne comprends pas pourquoi le service client ne répond jamais"),
            Some(Lang::Fr)
        );
        assert_eq!(
            detect_language("I really do not understand why customer service never answers"),
            Some(Lang::En)
        );
        assert_eq!(
            detect_language("Ich verstehe nicht, warum der Kundendienst nie antwortet"),
            None
        );
        assert_eq!(detect_language(""), None);
        assert!(FrEnDetector::new()
            .detect("Ich verstehe nicht, warum der Kundendienst nie antwortet")
            .is_some());
    }
}
