//! Text folding: the one place that decides what "the same word" means.
//!
//! Watches match on folded tokens: lower case, accents removed ("Société" → "societe"),
//! French elisions dropped ("l'usine" → "usine", "qu’elle" → "elle"). Both the query and the
//! mention text go through [`tokens`], so they always agree.

use std::hash::BuildHasher;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// French elided articles and pronouns, already folded, without the apostrophe.
const ELISIONS: &[&str] = &[
    "l", "d", "j", "n", "m", "t", "s", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// Lower-cases and strips diacritics (NFD, then combining marks removed). `œ` and `æ` are
/// expanded so "oeuvre" matches "œuvre".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// [`fold`], appended to `out`.
fn fold_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        out.extend(text.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        return;
    }
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match c {
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            // Canonical decomposition of this one character, marks dropped ("é" → "e").
            _ => decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.extend(d.to_lowercase());
                }
            }),
        }
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`')
}

/// Splits folded text into word tokens: runs of letters and digits. An apostrophe inside a
/// word splits it; a French elision before it is dropped ("l'usine" → ["usine"],
/// "aujourd'hui" → ["aujourd", "hui"]).
pub fn tokens(text: &str) -> Vec<String> {
    Tokens::of(text).words().map(str::to_string).collect()
}

/// The tokens of one or more texts, as [`tokens`] splits them, held in one folded string
/// (ingest splits every mention: one allocation per text instead of one per word).
///
/// A hashtag or handle written in camel case ("#BoycottBrightwave", "@BrightwaveFR") is one
/// word, followed by its parts ("boycottbrightwave", "boycott", "brightwave"): a watch on
/// `brightwave` or `"boycott brightwave"` matches it. The parts are matched ([`Tokens::iter`])
/// but are not the text's words ([`Tokens::words`], what the content hash reads).
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    folded: String,
    /// Byte ranges of the tokens in `folded`, in text order (a compound's parts right after it).
    spans: Vec<(usize, usize)>,
    /// Indexes in `spans` of the compounds' parts, ascending (empty for most texts).
    parts: Vec<u32>,
}

/// Where a hashtag or handle's body splits into words: lower → upper case ("BoycottBrightwave"),
/// the last capital of a run before lower case ("SNCFGreve"), letters ↔ digits ("Covid19").
/// Returns the parts, or none when the body is one word.
fn camel_parts(body: &str) -> Option<Vec<&str>> {
    // Combining marks (a decomposed accent) neither cut nor count as a case.
    let chars: Vec<(usize, char)> = body
        .char_indices()
        .filter(|&(_, c)| !is_combining_mark(c))
        .collect();
    let mut cuts = Vec::new();
    for k in 1..chars.len() {
        let (prev, (i, c)) = (chars[k - 1].1, chars[k]);
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let cut = (prev.is_lowercase() && c.is_uppercase())
            || (prev.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase))
            || (prev.is_alphabetic() && c.is_numeric())
            || (prev.is_numeric() && c.is_alphabetic());
        if cut {
            cuts.push(i);
        }
    }
    if cuts.is_empty() {
        return None;
    }
    let mut parts = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts {
        parts.push(&body[from..cut]);
        from = cut;
    }
    parts.push(&body[from..]);
    Some(parts)
}

/// For each `#` or `@` of `text`, in order, the folded parts of the camel-case word right
/// after it, if it has several.
fn compounds(text: &str) -> Vec<Option<Vec<String>>> {
    let mut out = Vec::new();
    let mut before: Option<char> = None;
    for (i, c) in text.char_indices() {
        let prev = before.replace(c);
        if c != '#' && c != '@' {
            continue;
        }
        // A hashtag or handle starts a word: not an address's `@` (support@BrandCorp.fr), a
        // link's fragment (…/#Section) or a word's inside.
        if prev.is_some_and(|p| p.is_alphanumeric() || "/.:=?&_-@#%+~".contains(p)) {
            out.push(None);
            continue;
        }
        let rest = &text[i + 1..];
        // Combining marks stay in the body: folding drops them, the word runs on.
        let end = rest
            .char_indices()
            .find(|&(_, c)| !c.is_alphanumeric() && !is_combining_mark(c))
            .map_or(rest.len(), |(e, _)| e);
        out.push(camel_parts(&rest[..end]).map(|p| p.into_iter().map(fold).collect()));
    }
    out
}

impl Tokens {
    pub fn of(text: &str) -> Self {
        let mut t = Tokens::default();
        t.push(text);
        t
    }

    /// Appends the tokens of another text. A phrase may run from the end of one text into
    /// the next, as if they were one text with a line break between them.
    pub fn push(&mut self, text: &str) {
        if !self.folded.is_empty() {
            self.folded.push('\n');
        }
        let from = self.folded.len();
        // Room for the text and about one word in five bytes, so neither grows a step at
        // a time (a mention's ~70 words cost six reallocations otherwise).
        self.folded.reserve(text.len());
        self.spans.reserve(text.len() / 5);
        // Folding keeps every `#` and `@` (ASCII), so the n-th one of the folded text is the
        // n-th one of `text`, where the case that splits a compound still shows.
        let compounds = if text.contains(['#', '@']) {
            compounds(text)
        } else {
            Vec::new()
        };
        fold_into(text, &mut self.folded);
        let mut word: Option<usize> = None;
        let mut markers = 0;
        for (i, c) in self.folded[from..].char_indices() {
            let i = from + i;
            if c.is_alphanumeric() {
                word.get_or_insert(i);
                continue;
            }
            if let Some(w) = word.take() {
                if !(is_apostrophe(c) && ELISIONS.contains(&&self.folded[w..i])) {
                    push_word(
                        &self.folded,
                        (w, i),
                        &compounds,
                        markers,
                        (&mut self.spans, &mut self.parts),
                    );
                }
            }
            if c == '#' || c == '@' {
                markers += 1;
            }
        }
        if let Some(w) = word {
            let end = self.folded.len();
            push_word(
                &self.folded,
                (w, end),
                &compounds,
                markers,
                (&mut self.spans, &mut self.parts),
            );
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        self.spans.get(i).map(|&(a, b)| &self.folded[a..b])
    }

    /// Whether the token at `i` is a part of the compound before it.
    fn is_part(&self, i: usize) -> bool {
        self.parts.binary_search(&(i as u32)).is_ok()
    }

    /// Whether the token at `i` is a compound followed by its parts.
    fn is_compound(&self, i: usize) -> bool {
        !self.is_part(i) && self.is_part(i + 1)
    }

    /// Every token matched: the words and the compounds' parts.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans.iter().map(|&(a, b)| &self.folded[a..b])
    }

    /// The text's own words, without the compounds' parts.
    pub fn words(&self) -> impl Iterator<Item = &str> + '_ {
        let mut parts = self.parts.iter().copied().peekable();
        self.spans
            .iter()
            .enumerate()
            .filter_map(move |(i, &(a, b))| {
                if parts.next_if_eq(&(i as u32)).is_some() {
                    None
                } else {
                    Some(&self.folded[a..b])
                }
            })
    }
}

/// Adds the word at `folded[w..end]` to `spans` and, when it follows the `markers`-th `#`
/// or `@` (counted from 1) and that compound's folded parts spell it, the parts (their
/// indexes also go in `parts`).
fn push_word(
    folded: &str,
    (w, end): (usize, usize),
    compounds: &[Option<Vec<String>>],
    markers: usize,
    (spans, parts): (&mut Vec<(usize, usize)>, &mut Vec<u32>),
) {
    spans.push((w, end));
    let after_marker = w > 0 && matches!(folded.as_bytes()[w - 1], b'#' | b'@');
    let Some(Some(split)) = markers.checked_sub(1).and_then(|m| compounds.get(m)) else {
        return;
    };
    if !after_marker || split.concat() != folded[w..end] {
        return;
    }
    let mut at = w;
    for p in split {
        parts.push(spans.len() as u32);
        spans.push((at, at + p.len()));
        at += p.len();
    }
}

/// A mention's text prepared once for matching against every watch: its tokens and an
/// open-addressing table from each distinct token to its positions, so each query word
/// costs one hash and usually one comparison. A prefix (`rappel*`) is looked for in every
/// token, in order.
///
/// The hash is seeded at random (foldhash): a feed cannot be written so that its words all
/// fall on the same slots and make building the table quadratic.
#[derive(Debug, Clone)]
pub struct MatchText {
    tokens: Tokens,
    hasher: foldhash::fast::RandomState,
    /// Power-of-two table of first positions (`EMPTY` when free), probed linearly.
    slots: Vec<u32>,
    /// For each position, the next position of the same token (`EMPTY` at the last).
    next: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

impl MatchText {
    pub fn new(text: &str) -> Self {
        Self::from(Tokens::of(text))
    }

    /// The table slot holding `word`'s first position, or the free slot where it would go.
    fn slot(&self, word: &str) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = self.hasher.hash_one(word) as usize & mask;
        loop {
            match self.slots[i] {
                EMPTY => return i,
                p if self.tokens.get(p as usize) == Some(word) => return i,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Positions where `word` occurs, in text order. (The table is never empty: it has at
    /// least two slots.)
    fn positions<'a>(&'a self, word: &'a str) -> impl Iterator<Item = usize> + 'a {
        let first = self.slots[self.slot(word)];
        std::iter::successors((first != EMPTY).then_some(first), |&p| {
            let n = self.next[p as usize];
            (n != EMPTY).then_some(n)
        })
        .map(|p| p as usize)
    }

    /// True when `word` is one of the text's tokens, or spells two or more consecutive parts
    /// of a camel-case compound (a brand written in camel case: "paypal" in #BoycottPayPal,
    /// whose parts are boycott, pay, pal).
    pub fn has_word(&self, word: &str) -> bool {
        self.positions(word).next().is_some() || self.joins_parts(word)
    }

    fn joins_parts(&self, word: &str) -> bool {
        let t = &self.tokens;
        // A compound's parts are consecutive positions and adjacent spans of `folded`: parts
        // `a..=b` spell `folded[start of a..end of b]`.
        let parts = &t.parts;
        let mut i = 0;
        while i < parts.len() {
            let mut j = i;
            while j + 1 < parts.len() && parts[j + 1] == parts[j] + 1 {
                j += 1;
            }
            for a in i..j {
                let from = t.spans[parts[a] as usize].0;
                for &b in &parts[a + 1..=j] {
                    let to = t.spans[b as usize].1;
                    if to - from > word.len() {
                        break;
                    }
                    if &t.folded[from..to] == word {
                        return true;
                    }
                }
            }
            i = j + 1;
        }
        false
    }

    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.tokens.iter().any(|t| t.starts_with(prefix))
    }

    /// True when `words` appear consecutively, in order: in the text's own words, or in the
    /// text read with each camel-case compound replaced by its parts ("boycottdanone
    /// maintenant" and "boycott danone maintenant" both match "#BoycottDanone maintenant").
    pub fn has_phrase(&self, words: &[String]) -> bool {
        match words {
            [] => false,
            [one] => self.has_word(one),
            // Without compounds the two readings are one: read it once.
            [first, rest @ ..] => self.positions(first).any(|p| {
                self.phrase_at(p, rest, false)
                    || (!self.tokens.parts.is_empty() && self.phrase_at(p, rest, true))
            }),
        }
    }

    /// Whether `rest` follows position `p` in one reading of the text: its own words
    /// (`by_parts` false: compounds whole, their parts skipped) or with each compound replaced
    /// by its parts.
    fn phrase_at(&self, p: usize, rest: &[String], by_parts: bool) -> bool {
        let skipped = |q: usize| {
            if by_parts {
                self.tokens.is_compound(q)
            } else {
                self.tokens.is_part(q)
            }
        };
        if skipped(p) {
            return false;
        }
        let mut q = p;
        rest.iter().all(|w| {
            q += 1;
            while q < self.tokens.len() && skipped(q) {
                q += 1;
            }
            self.tokens.get(q) == Some(w.as_str())
        })
    }
}

impl From<Tokens> for MatchText {
    fn from(tokens: Tokens) -> Self {
        let n = tokens.len();
        // A mention holds far fewer than 2³² words (feeds are capped at 10 MB).
        debug_assert!(n < EMPTY as usize);
        let mut text = MatchText {
            slots: vec![EMPTY; (2 * n).next_power_of_two().max(2)],
            next: vec![EMPTY; n],
            tokens,
            hasher: Default::default(),
        };
        // Walking backwards, each position goes in front of the ones after it.
        for p in (0..n).rev() {
            let word = text.tokens.get(p).unwrap_or_default();
            let i = text.slot(word);
            text.next[p] = text.slots[i];
            text.slots[i] = p as u32;
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_table() {
        let cases = [
            ("Société", "societe"),
            ("ÉCOLE", "ecole"),
            ("Œuvre", "oeuvre"),
            ("garçon", "garcon"),
            ("Straße", "strasse"),
        ];
        for (input, want) in cases {
            assert_eq!(fold(input), want, "fold({input:?})");
        }
    }

    #[test]
    fn tokens_table() {
        let cases: &[(&str, &[&str])] = &[
            ("L'usine de Lyon", &["usine", "de", "lyon"]),
            ("qu’elle ferme", &["elle", "ferme"]),
            ("jusqu'à demain", &["a", "demain"]),
            ("aujourd'hui", &["aujourd", "hui"]),
            ("#Boycott @marque!!", &["boycott", "marque"]),
            ("e-mail 2024", &["e", "mail", "2024"]),
            ("don't", &["don", "t"]),
        ];
        for (input, want) in cases {
            assert_eq!(tokens(input), *want, "tokens({input:?})");
        }
    }

    #[test]
    fn camel_case_hashtags_and_handles_match_by_their_parts() {
        let t =
            Tokens::of("#BoycottBrightwave : @BrightwaveFR répond, #SNCFGrève #Covid19 #danone");
        let all: Vec<&str> = t.iter().collect();
        assert_eq!(
            all,
            [
                "boycottbrightwave",
                "boycott",
                "brightwave",
                "brightwavefr",
                "brightwave",
                "fr",
                "repond",
                "sncfgreve",
                "sncf",
                "greve",
                "covid19",
                "covid",
                "19",
                "danone"
            ]
        );
        // The words alone are the text's (what the content hash reads, and what a query is).
        let words: Vec<&str> = t.words().collect();
        assert_eq!(
            words,
            [
                "boycottbrightwave",
                "brightwavefr",
                "repond",
                "sncfgreve",
                "covid19",
                "danone"
            ]
        );
        assert_eq!(tokens("#BoycottBrightwave"), ["boycottbrightwave"]);
        let m = MatchText::from(t);
        assert!(m.has_word("brightwave") && m.has_word("boycottbrightwave"));
        assert!(m.has_phrase(&["boycott".into(), "brightwave".into()]));
        assert!(m.has_phrase(&["fr".into(), "repond".into()]));
        // A phrase runs through a compound whole, or through its parts, never a mix.
        assert!(m.has_phrase(&["brightwavefr".into(), "repond".into()]));
        assert!(m.has_phrase(&["boycottbrightwave".into(), "brightwavefr".into()]));
        assert!(m.has_phrase(&["brightwave".into(), "brightwave".into(), "fr".into()]));
        assert!(!m.has_phrase(&["boycottbrightwave".into(), "boycott".into()]));
        assert!(!m.has_phrase(&["brightwave".into(), "brightwavefr".into()]));
        let t = MatchText::new("le #BoycottDanone maintenant");
        assert!(t.has_phrase(&["le".into(), "boycottdanone".into(), "maintenant".into()]));
        assert!(t.has_phrase(&["le".into(), "boycott".into()]));
        assert!(t.has_phrase(&["danone".into(), "maintenant".into()]));
        // A brand in camel case is found whole among the parts, not across a compound's edge.
        let brands =
            MatchText::new("#BoycottPayPal @PayPalFR #iPhoneBrightwave #BoycottBrightWave");
        for w in ["paypal", "iphone", "brightwave", "boycottpay", "pal"] {
            assert!(brands.has_word(w), "{w}");
        }
        // Not in reverse order, not across two compounds ("fr" + "i"), not inside a part.
        for w in ["palpay", "fri", "ayp"] {
            assert!(!brands.has_word(w), "{w}");
        }
        // A decomposed accent (e + U+0301) stays in the compound's body.
        let nfd = Tokens::of("#Cafe\u{301}Danone");
        assert_eq!(
            nfd.iter().collect::<Vec<_>>(),
            ["cafedanone", "cafe", "danone"]
        );
        // Only after # or @ starting a word, only where the case or digits change.
        for text in [
            "BoycottBrightwave",
            "#boycottbrightwave",
            "#Taxation",
            "mail@Example.org",
            "support@BrightwaveCorp.example",
            "https://example.com/#BoycottBrightwave",
            "x#BoycottBrightwave",
        ] {
            let t = Tokens::of(text);
            assert_eq!(t.iter().count(), t.words().count(), "{text}");
        }
        // After an emoji or an opening bracket it is a hashtag all the same.
        assert_eq!(Tokens::of("🔥#GoodNews (@PayPal)").iter().count(), 6);
        // Several texts: each one's markers are its own.
        let mut t = Tokens::of("#A");
        t.push("x #GoodNews");
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            ["a", "x", "goodnews", "good", "news"]
        );
    }

    #[test]
    fn match_text_lookups() {
        let t = MatchText::new("Le rappel des produits Danone : l'usine ferme");
        assert!(t.has_word("usine"));
        assert!(!t.has_word("usin"));
        assert!(!t.has_word("l"), "an elision is not a word");
        assert!(t.has_prefix("prod"));
        assert!(!t.has_prefix("zz"));
        assert!(t.has_phrase(&["rappel".into(), "des".into(), "produits".into()]));
        assert!(!t.has_phrase(&["rappel".into(), "produits".into()]));
        let empty = MatchText::new("  ... ");
        assert!(!empty.has_word("a") && !empty.has_prefix("a") && !empty.has_phrase(&["a".into()]));
    }

    #[test]
    fn tokens_of_several_texts_are_one_sequence() {
        let mut t = Tokens::of("Rappel : l'usine");
        t.push("Société ferme l'");
        t.push("");
        t.push("d'abord");
        let all: Vec<&str> = t.iter().collect();
        assert_eq!(all, ["rappel", "usine", "societe", "ferme", "abord"]);
        assert_eq!(tokens("Rappel : l'usine\nSociété ferme l'\n\nd'abord"), all);
        assert_eq!((t.len(), t.get(4), t.get(5)), (5, Some("abord"), None));
        // A phrase may run from one text into the next, as it did when the texts were joined.
        assert!(MatchText::from(t).has_phrase(&["usine".into(), "societe".into()]));
    }

    /// A text of many distinct words: the table's slots collide and probing moves on, and
    /// every word is still found at each of its positions.
    #[test]
    fn match_text_finds_every_word_among_many_distinct_ones() {
        let words: Vec<String> = (0..700)
            .map(|i| format!("w{}x{}", i * 7919 % 1000, i % 13))
            .collect();
        let mut text = words.join(" ");
        text.push(' ');
        text.push_str(&words[..50].join(" "));
        let t = MatchText::new(&text);
        let mut collided = 0;
        for (p, w) in words.iter().enumerate() {
            assert!(t.has_word(w), "{w}");
            let want: Vec<usize> = if p < 50 { vec![p, 700 + p] } else { vec![p] };
            assert_eq!(t.positions(w).collect::<Vec<_>>(), want, "{w}");
            let mask = t.slots.len() - 1;
            collided += usize::from(t.slot(w) != t.hasher.hash_one(w.as_str()) as usize & mask);
            assert!(!t.has_word(&format!("{w}y")));
        }
        assert!(
            collided > 50,
            "only {collided} words probed past their first slot"
        );
        assert!(t.has_phrase(&[words[10].clone(), words[11].clone(), words[12].clone()]));
        assert!(!t.has_phrase(&[words[10].clone(), words[12].clone()]));
        assert!(t.has_prefix("w999") == words.iter().any(|w| w.starts_with("w999")));
    }

    /// Every phrase of a text with many repeated words (several positions per table slot)
    /// agrees with a plain scan of its tokens.
    #[test]
    fn match_text_agrees_with_a_plain_scan() {
        let words = [
            "a",
            "b",
            "ab",
            "ba",
            "c",
            "société",
            "usine",
            "aa",
            "b2",
            "2b",
        ];
        let mut seed = 7u32;
        let text: Vec<&str> = (0..300)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                words[(seed >> 16) as usize % words.len()]
            })
            .collect();
        let t = MatchText::new(&text.join(" "));
        let folded: Vec<String> = text.iter().map(|w| fold(w)).collect();
        let scan = |phrase: &[String]| folded.windows(phrase.len()).any(|w| w == phrase);
        let (mut checked, mut found) = (0, 0);
        for a in &words {
            for b in &words {
                for c in ["", "a", "usine", "zz"] {
                    let mut phrase = vec![fold(a), fold(b)];
                    if !c.is_empty() {
                        phrase.push(c.to_string());
                    }
                    assert_eq!(t.has_phrase(&phrase), scan(&phrase), "{phrase:?}");
                    checked += 1;
                    found += usize::from(scan(&phrase));
                }
            }
            assert!(t.has_word(&fold(a)));
        }
        assert!(!t.has_word("zz") && !t.has_word("societ"));
        assert_eq!(checked, 400);
        assert!(
            (20..380).contains(&found),
            "{found} of 400 phrases found: too few cases of either kind"
        );
    }
}
