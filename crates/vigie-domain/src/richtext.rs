//! Rich text as the networks see it: how many characters a post counts, its links, mentions
//! and hashtags (with UTF-8 byte offsets, as Bluesky facets need), and whether a server's
//! rendering of a post is ours.

use crate::publish::{Limits, Network};
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// Characters as the network counts them.
pub fn count_chars(network: Network, limits: &Limits, text: &str) -> usize {
    match network {
        Network::Bluesky => text.graphemes(true).count(),
        Network::Mastodon => {
            // Links count as `url_chars`; `@user@host` counts as `@user`.
            let mut n = 0;
            let mut last = 0;
            for f in facets(text) {
                n += text[last..f.start].graphemes(true).count();
                n += match &f.kind {
                    FacetKind::Link { .. } => limits.url_chars,
                    FacetKind::Mention { handle } => {
                        1 + handle
                            .split('@')
                            .next()
                            .unwrap_or("")
                            .graphemes(true)
                            .count()
                    }
                    FacetKind::Tag { .. } => text[f.start..f.end].graphemes(true).count(),
                };
                last = f.end;
            }
            n + text[last..].graphemes(true).count()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum FacetKind {
    Link {
        uri: String,
    },
    /// `handle` without the `@`.
    Mention {
        handle: String,
    },
    /// `tag` without the `#`.
    Tag {
        tag: String,
    },
}

/// A rich-text span. `start..end` are UTF-8 byte offsets (what Bluesky facets use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Facet {
    pub start: usize,
    pub end: usize,
    pub kind: FacetKind,
}

fn boundary_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || "([{\"'«".contains(c))
}

/// Links (`http(s)://…`), mentions (`@name.domain` or `@user@host`) and hashtags, in order.
pub fn facets(text: &str) -> Vec<Facet> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().expect("in bounds");
        if (rest.starts_with("https://") || rest.starts_with("http://")) && boundary_before(text, i)
        {
            let mut end = i + rest.find(char::is_whitespace).unwrap_or(rest.len());
            // Trailing punctuation belongs to the sentence, not the link; a closing parenthesis
            // only when the link did not open it (`…/Lyon_(ville)` keeps it, "(voir …/x)" not).
            while end > i && text[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', '"', '\'']) {
                let link = &text[i..end];
                if link.ends_with(')') && link.matches('(').count() >= link.matches(')').count() {
                    break;
                }
                end -= 1;
            }
            out.push(Facet {
                start: i,
                end,
                kind: FacetKind::Link {
                    uri: text[i..end].to_string(),
                },
            });
            i = end.max(i + 1);
            continue;
        }
        if (c == '@' || c == '#') && boundary_before(text, i) {
            let body_len: usize = rest[1..]
                .char_indices()
                .find(|(_, ch)| {
                    !(ch.is_alphanumeric()
                        || *ch == '_'
                        || *ch == '-'
                        || *ch == '.'
                        || (c == '@' && *ch == '@'))
                })
                .map(|(j, _)| j)
                .unwrap_or(rest.len() - 1);
            let body = rest[1..1 + body_len].trim_end_matches(['.', '-']);
            let end = i + 1 + body.len();
            let ok = match c {
                '@' => body.contains('.') && !body.starts_with('.'),
                _ => !body.is_empty() && !body.chars().all(|ch| ch.is_ascii_digit()),
            };
            if ok {
                let kind = if c == '@' {
                    FacetKind::Mention {
                        handle: body.to_lowercase(),
                    }
                } else {
                    let tag = body.trim_end_matches('.').to_string();
                    FacetKind::Tag { tag }
                };
                out.push(Facet {
                    start: i,
                    end,
                    kind,
                });
                i = end;
                continue;
            }
        }
        i += c.len_utf8();
    }
    out
}

/// Text reduced to folded words, to recognise our own post among an account's statuses when
/// an attempt's outcome is unknown (servers rewrite links, hashtags and mentions as HTML).
/// Mentions are left out (a server may add its host to them); every other word must be the
/// same, in the same order, with nothing added.
pub fn same_words(ours: &str, theirs_plain: &str) -> bool {
    let strip = |t: &str| {
        t.split_whitespace()
            .filter(|w| !w.starts_with('@'))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let a = crate::text::tokens(&strip(ours));
    let b = crate::text::tokens(&strip(theirs_plain));
    !a.is_empty() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_keeps_the_parentheses_it_opened() {
        let uri = |text: &str| match &facets(text)[0].kind {
            FacetKind::Link { uri } => uri.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            uri("voir https://fr.wikipedia.org/wiki/Lyon_(ville) pour"),
            "https://fr.wikipedia.org/wiki/Lyon_(ville)"
        );
        assert_eq!(
            uri("(voir https://acme.fr/rappel)."),
            "https://acme.fr/rappel"
        );
        assert_eq!(
            uri("https://fr.wikipedia.org/wiki/Lyon_(ville)."),
            "https://fr.wikipedia.org/wiki/Lyon_(ville)"
        );
    }

    #[test]
    fn facets_use_utf8_byte_offsets() {
        let text = "Réponse à @acme.bsky.social : voir https://acme.fr/rappel. #Rappel2026 !";
        let f = facets(text);
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(&text[f[0].start..f[0].end], "@acme.bsky.social");
        assert_eq!(f[0].start, "Réponse à ".len()); // 12 bytes, 10 characters
        assert_eq!(f[0].start, 12);
        assert_eq!(
            f[1].kind,
            FacetKind::Link {
                uri: "https://acme.fr/rappel".into()
            }
        );
        assert_eq!(
            f[2].kind,
            FacetKind::Tag {
                tag: "Rappel2026".into()
            }
        );
        // Not facets: an e-mail address, a bare number tag, a handle without a dot.
        assert!(facets("mail me at a@b.fr, #2026, @bob").is_empty());
    }

    #[test]
    fn our_post_is_recognised_in_rewritten_html_text() {
        let ours = "Nous rappelons le lot 42 #Rappel https://acme.fr/x @bob";
        let theirs = "Nous rappelons le lot 42 #Rappel https://acme.fr/x @bob@social.example";
        assert!(same_words(ours, theirs));
        assert!(!same_words(ours, "Nous rappelons le lot 43"));
        assert!(!same_words("", "anything"));
        // A longer status containing our words is not ours (e.g. a manual reply quoting it).
        assert!(!same_words(
            ours,
            &format!("{theirs} et nous vous répondrons en privé")
        ));
        assert!(!same_words(ours, &format!("Rappel : {theirs}")));
    }
}
