//! Splitting a post into tokens: words (with French elision split off), hashtags,
//! emoji and emoticons, and the punctuation that bounds negation scopes.

use crate::lexicon::{is_emoji_modifier, Lexicons};
use crate::Lang;
use compact_str::{CompactString, ToCompactString};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    /// A word (hashtags too, with `hashtag` set).
    Word,
    /// An emoji or emoticon, with its valence.
    Emo(f32),
    /// `.`, `,`, `;`, `:`, `!`, `?`: ends negation and booster scopes.
    Punct(char),
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub kind: Kind,
    /// Lowercase form, accents kept; the emoji or emoticon itself; empty for punctuation.
    /// Held inline up to 24 bytes: nearly every word, so tokenising allocates little.
    pub lower: CompactString,
    /// The accent-folded form when it differs from `lower` (see [`Token::folded`]); most
    /// words are plain ASCII, and one string per token keeps tokenising cheap.
    folded_differs: Option<String>,
    /// The matching key when it differs from the folded form (see [`Token::key`]).
    key_differs: Option<String>,
    /// Written in capitals ("NUL", at least two letters).
    pub caps: bool,
    /// A letter repeated three times or more ("nuuuul", "soooo").
    pub elongated: bool,
    pub hashtag: bool,
}

impl Token {
    fn word(raw: &str, hashtag: bool) -> Token {
        let (caps, lower, folded_differs) = if raw.is_ascii() {
            // Most words: checked and lower-cased on their bytes, without Unicode tables;
            // nothing to fold.
            let letters = raw.bytes().filter(u8::is_ascii_alphabetic).count();
            let caps = letters >= 2 && !raw.bytes().any(|b| b.is_ascii_lowercase());
            let mut lower = CompactString::from(raw);
            lower.make_ascii_lowercase();
            (caps, lower, None)
        } else {
            let letters = raw.chars().filter(|c| c.is_alphabetic()).count();
            let caps = letters >= 2 && !raw.chars().any(|c| c.is_lowercase());
            let lower = CompactString::from(raw.to_lowercase());
            let folded = fold(&lower);
            let differs = (folded != lower).then_some(folded);
            (caps, lower, differs)
        };
        let folded = folded_differs.as_deref().unwrap_or(&lower);
        let elongated = has_run(folded, 3);
        let key_differs = elongated.then(|| collapse_runs(folded, 1));
        Token {
            kind: Kind::Word,
            lower,
            folded_differs,
            key_differs,
            caps,
            elongated,
            hashtag,
        }
    }

    fn other(kind: Kind) -> Token {
        Token {
            kind,
            lower: CompactString::default(),
            folded_differs: None,
            key_differs: None,
            caps: false,
            elongated: false,
            hashtag: false,
        }
    }

    pub(crate) fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }

    /// Accent-folded form, elongation kept.
    pub(crate) fn folded(&self) -> &str {
        self.folded_differs.as_deref().unwrap_or(&self.lower)
    }

    /// Lowercase, accent-folded form; elongations collapsed to one letter when the word was
    /// elongated ("nuuuul" -> "nul"), elided forms spelled out ("qu'" -> "que"), for
    /// matching function words.
    pub(crate) fn key(&self) -> &str {
        self.key_differs.as_deref().unwrap_or_else(|| self.folded())
    }
}

/// Lowercase text to accent-free text ("déçu" -> "decu", "œuvre" -> "oeuvre").
pub(crate) fn fold(lower: &str) -> String {
    if lower.is_ascii() {
        return lower.to_string();
    }
    let mut out = String::with_capacity(lower.len());
    for c in lower.chars() {
        match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => out.push('o'),
            'ú' | 'ù' | 'û' | 'ü' => out.push('u'),
            'ÿ' => out.push('y'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            '’' | '‘' | 'ʼ' => out.push('\''),
            _ => out.push(c),
        }
    }
    out
}

fn has_run(s: &str, n: usize) -> bool {
    let mut prev = '\0';
    let mut run = 0;
    for c in s.chars() {
        if c == prev && c.is_alphabetic() {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            prev = c;
            run = 1;
        }
    }
    false
}

/// Shortens every run of a repeated letter to at most `max` letters.
pub(crate) fn collapse_runs(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = '\0';
    let mut run = 0;
    for c in s.chars() {
        if c == prev {
            run += 1;
        } else {
            prev = c;
            run = 1;
        }
        if run <= max {
            out.push(c);
        }
    }
    out
}

/// French elided prefixes: "l'", "j'", "n'", "qu'", "jusqu'"…, folded and lowercase.
const FR_ELISIONS: &[&str] = &[
    "l", "j", "n", "d", "c", "s", "m", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

fn is_emoji_char(c: char) -> bool {
    matches!(c as u32, 0x2190..=0x2BFF | 0x1F000..=0x1FAFF | 0x3030 | 0x303D)
}

/// Splits a post into tokens.
pub(crate) fn tokenize(text: &str, lang: Lang, lex: &Lexicons) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 4);
    for chunk in text.split_whitespace() {
        if chunk.starts_with("http") || chunk.starts_with("www.") || chunk.starts_with('@') {
            continue;
        }
        if let Some(v) = emoticon(chunk, lex) {
            let mut t = Token::other(Kind::Emo(v));
            t.lower = chunk.into();
            out.push(t);
            continue;
        }
        split_chunk(chunk, lang, lex, &mut out);
    }
    out
}

fn emoticon(chunk: &str, lex: &Lexicons) -> Option<f32> {
    if chunk.len() < 2 || chunk.chars().all(|c| c.is_alphanumeric()) {
        return None;
    }
    if let Some(v) = lex.emoticons.get(chunk) {
        return Some(*v);
    }
    let trimmed = chunk.trim_end_matches(['.', ',', '!', '?']);
    (trimmed.len() >= 2)
        .then(|| lex.emoticons.get(trimmed).copied())
        .flatten()
}

fn split_chunk(chunk: &str, lang: Lang, lex: &Lexicons, out: &mut Vec<Token>) {
    let mut start: Option<usize> = None;
    let mut hashtag = false;
    let mut next_hashtag = false;
    let bytes_len = chunk.len();
    let mut iter = chunk.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let in_word = c.is_alphanumeric()
            || (matches!(c, '\'' | '’') && start.is_some() && {
                // An apostrophe inside a word ("l'amour", "don't").
                iter.peek().is_some_and(|(_, n)| n.is_alphabetic())
            });
        if in_word {
            if start.is_none() {
                start = Some(i);
                hashtag = next_hashtag;
                next_hashtag = false;
            }
            continue;
        }
        if let Some(s) = start.take() {
            push_word(&chunk[s..i], hashtag, lang, out);
        }
        match c {
            '#' => next_hashtag = true,
            '!' | '?' | '.' | ',' | ';' | ':' | '…' => {
                out.push(Token::other(Kind::Punct(if c == '…' { '.' } else { c })))
            }
            _ if is_emoji_modifier(c) => {}
            _ if is_emoji_char(c) => {
                if let Some(v) = lex.emoji.get(&c) {
                    let mut t = Token::other(Kind::Emo(*v));
                    t.lower = c.to_compact_string();
                    out.push(t);
                }
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push_word(&chunk[s..bytes_len], hashtag, lang, out);
    }
}

fn push_word(raw: &str, hashtag: bool, lang: Lang, out: &mut Vec<Token>) {
    // Digits, and the HTML entities left in scraped posts ("&amp;", "&gt;").
    if raw.chars().all(|c| c.is_numeric()) || matches!(raw, "amp" | "gt" | "lt" | "quot" | "nbsp") {
        return;
    }
    let mut rest = raw;
    if lang == Lang::Fr {
        // Split off elided articles and pronouns: "qu'il" -> "qu'" + "il".
        while let Some(pos) = rest.find(['\'', '’']) {
            let prefix = fold(&rest[..pos].to_lowercase());
            if !FR_ELISIONS.contains(&prefix.as_str()) {
                break;
            }
            let mut t = Token::word(&rest[..pos], false);
            // "n'" is "ne", "qu'" is "que": the rules match the full forms.
            t.key_differs = Some(match prefix.as_str() {
                "n" => "ne".to_string(),
                "qu" => "que".to_string(),
                _ => format!("{prefix}'"),
            });
            out.push(t);
            let apos_len = rest[pos..].chars().next().map_or(1, char::len_utf8);
            rest = &rest[pos + apos_len..];
        }
    }
    if rest.is_empty() {
        return;
    }
    if hashtag && has_camel_case(rest) {
        let mut s = 0;
        let chars: Vec<(usize, char)> = rest.char_indices().collect();
        for w in chars.windows(2) {
            if w[0].1.is_lowercase() && w[1].1.is_uppercase() {
                out.push(Token::word(&rest[s..w[1].0], true));
                s = w[1].0;
            }
        }
        out.push(Token::word(&rest[s..], true));
        return;
    }
    out.push(Token::word(rest, hashtag));
}

fn has_camel_case(s: &str) -> bool {
    let mut prev_lower = false;
    for c in s.chars() {
        if prev_lower && c.is_uppercase() {
            return true;
        }
        prev_lower = c.is_lowercase();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str, lang: Lang) -> Vec<String> {
        let lex = Lexicons::load();
        tokenize(text, lang, &lex)
            .into_iter()
            .map(|t| match t.kind {
                Kind::Word => t.key().to_string(),
                Kind::Emo(_) => "<emo>".into(),
                Kind::Punct(c) => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn french_elision_is_split() {
        assert_eq!(
            keys("J'adore qu'il n'aime pas l'été", Lang::Fr),
            ["j'", "adore", "que", "il", "ne", "aime", "pas", "l'", "ete"]
        );
        assert_eq!(keys("aujourd’hui", Lang::Fr), ["aujourd'hui"]);
        assert_eq!(keys("don't", Lang::En), ["don't"]);
    }

    #[test]
    fn urls_mentions_numbers_are_dropped_and_punct_kept() {
        assert_eq!(
            keys("@user voir http://x.fr 2024 nul!!", Lang::Fr),
            ["voir", "nul", "!", "!"]
        );
    }

    #[test]
    fn emoji_emoticons_hashtags() {
        assert_eq!(
            keys("top 😡🏻 :) #honte", Lang::Fr),
            ["top", "<emo>", "<emo>", "honte"]
        );
        assert_eq!(keys("#BoycottNike", Lang::En), ["boycott", "nike"]);
    }

    #[test]
    fn caps_and_elongation() {
        let lex = Lexicons::load();
        let t = &tokenize("NUUUUL", Lang::Fr, &lex)[0];
        assert!(t.caps && t.elongated);
        assert_eq!(t.key(), "nul");
        assert_eq!(collapse_runs("cooool", 2), "cool");
        assert_eq!(fold("déçu œuvre"), "decu oeuvre");
    }
}
