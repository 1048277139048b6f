//! From whatever a source gave to a [`NewMention`]: plain text, sanitised HTML, canonical URL,
//! content hash, a sane publication time.

use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::LazyLock;
use url::Url;
use vigie_domain::text::Tokens;
use vigie_domain::{NewMention, Timestamp};

/// Tolerance for clocks slightly ahead; beyond it a future date is replaced by the fetch time.
const FUTURE_SLACK_SECS: i64 = 300;
const MAX_TEXT_CHARS: usize = 20_000;

/// Query parameters that only track clicks: removed from canonical URLs.
const TRACKING: &[&str] = &[
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src", "ocid",
    "cmpid", "xtor",
];

/// HTML safe to show in the app: a small allow-list of tags, links forced to open outside
/// with `rel="noopener noreferrer nofollow"`, no scripts, styles, event handlers or iframes.
pub fn sanitize_html(html: &str) -> String {
    DISPLAY_POLICY.clean(html).to_string()
}

// The two sanitising policies are immutable constants, built once: building an ammonia
// policy allocates a dozen hash sets, which cost more than cleaning a short post.
static DISPLAY_POLICY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "a",
        "b",
        "blockquote",
        "br",
        "code",
        "em",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "ul",
        "h1",
        "h2",
        "h3",
        "h4",
    ]
    .into_iter()
    .collect();
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .url_schemes(["http", "https"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"));
    b
});

static TEXT_POLICY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(ammonia::Builder::empty);

/// Plain text from HTML: tags removed (script/style contents dropped), entities decoded,
/// whitespace collapsed.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return collapse(html);
    }
    // A space at every tag boundary keeps "<p>a</p><p>b</p>" from becoming "ab".
    text_of_sanitized(&sanitize_text_only(&html.replace('<', " <")))
}

/// Removes every tag but keeps the text; script, style and similar contents are dropped.
fn sanitize_text_only(html: &str) -> String {
    TEXT_POLICY.clean(html).to_string()
}

/// Plain text of HTML that ammonia produced: well-formed tags, quoted attributes, so a
/// small scanner suffices. Each tag becomes a space ("<p>a</p><p>b</p>" → "a b"). The
/// delimiters are ASCII, so the text between them is copied as whole slices.
fn text_of_sanitized(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        rest = &rest[open + 1..];
        // The tag's end: the first '>' outside a quoted attribute value.
        let mut quote = None;
        let end = rest.bytes().position(|b| match (quote, b) {
            (Some(q), _) => {
                if b == q {
                    quote = None;
                }
                false
            }
            (None, b'"' | b'\'') => {
                quote = Some(b);
                false
            }
            (None, b) => b == b'>',
        });
        let Some(end) = end else {
            rest = "";
            break;
        };
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    collapse(&html_escape::decode_html_entities(&out))
}

/// Whitespace collapsed to single spaces, control characters dropped (a feed's ESC or BEL
/// would otherwise reach a terminal through the CLI), cut at [`MAX_TEXT_CHARS`].
fn collapse(s: &str) -> String {
    if has_controls(s) {
        // Control characters that are whitespace (VT, NEL…) separate words like a space.
        let kept: String = s
            .chars()
            .filter_map(|c| match c {
                c if c.is_whitespace() => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        return collapse_words(&kept);
    }
    collapse_words(s)
}

fn collapse_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() > MAX_TEXT_CHARS * 4 {
            break;
        }
    }
    // A char is at least one byte: only a long text needs counting.
    if out.len() > MAX_TEXT_CHARS && out.chars().count() > MAX_TEXT_CHARS {
        out = out.chars().take(MAX_TEXT_CHARS).collect();
    }
    out
}

/// Whether `s` holds a control character other than whitespace: C0, DEL, or C1
/// (U+0080 – U+009F, encoded 0xC2 0x80 – 0xC2 0x9F). One pass over the bytes.
fn has_controls(s: &str) -> bool {
    let b = s.as_bytes();
    // Most texts have none of these bytes: one simple pass the compiler vectorises decides.
    if !b.iter().any(|&c| c < 0x20 || c == 0x7f || c == 0xc2) {
        return false;
    }
    b.iter().enumerate().any(|(i, &c)| {
        (c < 0x20 && !c.is_ascii_whitespace())
            || c == 0x7f
            || (c == 0xc2 && b.get(i + 1).is_some_and(|&n| n < 0xa0))
    })
}

/// Lower-case host, no fragment, no tracking parameters, redirect wrappers unwrapped
/// (Google Alerts links carry the real address in `url=`).
pub fn canonical_url(raw: &str) -> Option<String> {
    let mut url = Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    if url.path() == "/url" {
        if let Some((_, real)) = url.query_pairs().find(|(k, _)| k == "url" || k == "q") {
            if real.starts_with("http") && real != raw {
                return canonical_url(&real);
            }
        }
    }
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_") && !TRACKING.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let _ = url.set_host(
        url.host_str()
            .map(|h| h.trim_start_matches("www.").to_lowercase())
            .as_deref(),
    );
    if url.path().len() > 1 && url.path().ends_with('/') {
        let trimmed = url.path().trim_end_matches('/').to_string();
        url.set_path(&trimmed);
    }
    Some(url.to_string())
}

/// Same words in the same order → same hash, whatever the markup, case or accents.
pub fn content_hash(title: &str, text: &str) -> String {
    hash_tokens(&title_and_text_tokens(title, text))
}

/// The folded tokens of a mention's title then text (hashed for dedupe, matched by watches).
pub fn title_and_text_tokens(title: &str, text: &str) -> Tokens {
    let mut tokens = Tokens::of(title);
    tokens.push(text);
    tokens
}

/// The content hash of already-folded tokens.
pub fn hash_tokens(tokens: &Tokens) -> String {
    hash_post(tokens, None)
}

/// The content hash of already-folded tokens and, for a social post, of who posted it
/// ([`RawEntry::poster`]). Without a poster it is [`hash_tokens`]'s, as stored by every
/// version before the poster counted.
pub fn hash_post(tokens: &Tokens, poster: Option<&str>) -> String {
    let mut h = Sha256::new();
    for t in tokens.words() {
        h.update(t.as_bytes());
        h.update(b" ");
    }
    if let Some(p) = poster {
        // A NUL never appears in folded tokens: words cannot pass for a poster.
        h.update(b"\0");
        h.update(p.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

/// A raw entry as a fetcher sees it.
#[derive(Debug, Clone, Default)]
pub struct RawEntry {
    pub guid: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    /// The title is HTML (Atom `type="html"`); otherwise it is plain text, shown as written.
    pub title_is_html: bool,
    /// HTML or plain text.
    pub body: Option<String>,
    pub body_is_html: bool,
    pub author: Option<String>,
    /// For a post on a social network (Mastodon, Bluesky): the account that posted it, as a
    /// stable identity (profile URL, DID). Part of the content hash, so the same words from
    /// two accounts are two mentions (a copy-paste campaign is many voices), while an article
    /// carried by several feeds under different bylines stays one (feeds leave it empty).
    pub poster: Option<String>,
    pub published_at: Option<Timestamp>,
    pub lang: Option<String>,
}

impl RawEntry {
    /// The GUID as stored: trimmed, and none when blank.
    pub fn guid(&self) -> Option<&str> {
        self.guid
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty())
    }
}

/// Normalises a raw entry. Returns None for an entry with no text at all.
pub fn normalize(source_id: i64, e: RawEntry, now: Timestamp) -> Option<NewMention> {
    normalize_with_tokens(source_id, e, now).map(|(m, _)| m)
}

/// Normalises and also returns the folded tokens of title + text (hashed for dedupe, and
/// reused for watch matching so each mention is tokenised once).
pub fn normalize_with_tokens(
    source_id: i64,
    e: RawEntry,
    now: Timestamp,
) -> Option<(NewMention, Tokens)> {
    let title = match e.title.as_deref() {
        Some(t) if e.title_is_html => html_to_text(t),
        Some(t) => collapse(&html_escape::decode_html_entities(t)),
        None => String::new(),
    };
    let (text, html) = match e.body.as_deref() {
        Some(b) if b.contains('<') => {
            // One sanitising pass gives the HTML to keep; its text comes from that output.
            let safe = sanitize_html(b);
            (text_of_sanitized(&safe), Some(safe))
        }
        Some(b) if e.body_is_html => (html_to_text(b), None),
        Some(b) => (collapse(b), None),
        None => (String::new(), None),
    };
    if title.is_empty() && text.is_empty() {
        return None;
    }
    let title = if title.is_empty() {
        text.chars().take(120).collect()
    } else {
        title
    };
    let published_at = match e.published_at {
        Some(t) if t <= now + FUTURE_SLACK_SECS && t > 0 => t,
        _ => now,
    };
    let guid = e.guid().map(str::to_string);
    let url = e
        .url
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let tokens = title_and_text_tokens(&title, &text);
    let m = NewMention {
        source_id,
        guid,
        canonical_url: url.as_deref().and_then(canonical_url),
        content_hash: hash_post(&tokens, e.poster.as_deref().filter(|p| !p.is_empty())),
        tonality: None,
        url,
        title,
        text,
        html: html.filter(|h| !h.trim().is_empty()),
        author: e.author.map(|a| collapse(&a)).filter(|a| !a.is_empty()),
        published_at,
        lang: e
            .lang
            .map(|l| l.chars().take(2).collect::<String>().to_lowercase()),
    };
    Some((m, tokens))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_sanitised_and_text_is_plain() {
        let evil = r#"<p onclick="x()">Hi <b>there</b><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">j</a><a href="https://e.org">ok</a></p>"#;
        let safe = sanitize_html(evil);
        assert!(
            !safe.contains("script")
                && !safe.contains("onerror")
                && !safe.contains("onclick")
                && !safe.contains("javascript"),
            "{safe}"
        );
        assert!(
            safe.contains(r#"rel="noopener noreferrer nofollow""#),
            "{safe}"
        );
        assert_eq!(html_to_text(evil), "Hi there j ok");
        assert_eq!(text_of_sanitized(&safe), "Hi there j ok");
        assert_eq!(
            text_of_sanitized(r#"<a title="1 > 0" href="https://e.org">x</a> &amp; y"#),
            "x & y"
        );
        assert_eq!(
            html_to_text("caf&eacute; &amp; cr&#232;me &lt;3"),
            "café & crème <3"
        );
    }

    /// The char-by-char scanner `text_of_sanitized` replaced, kept as its reference.
    fn text_of_sanitized_by_chars(html: &str) -> String {
        let mut out = String::new();
        let (mut in_tag, mut quote) = (false, None);
        for c in html.chars() {
            match (in_tag, quote, c) {
                (false, _, '<') => {
                    in_tag = true;
                    out.push(' ');
                }
                (false, _, c) => out.push(c),
                (true, Some(q), c) if c == q => quote = None,
                (true, Some(_), _) => {}
                (true, None, '"' | '\'') => quote = Some(c),
                (true, None, '>') => in_tag = false,
                (true, None, _) => {}
            }
        }
        collapse(&html_escape::decode_html_entities(&out))
    }

    #[test]
    fn text_of_sanitized_agrees_with_a_char_by_char_scan() {
        let cases = [
            "",
            "plain, no tag",
            "<p>Grève à l'usine</p><p>Société — « ça » 🚨</p>",
            r#"<a href="https://e.org/?a=1&amp;b=2" title='x > y "z"'>lien</a> après"#,
            r#"<a title="l'été > 30°">été</a>"#,
            "<p>unclosed <b",
            "<p>unclosed quote <a title=\"x>y",
            "a<br>b<br/>c &lt;3 &amp; caf&eacute; &#8217;",
            "<ul><li>un</li><li>deux</li></ul>\n\t  trois  ",
            ">stray > signs< and <<p>>double<</p>>",
        ];
        for html in cases {
            assert_eq!(
                text_of_sanitized(html),
                text_of_sanitized_by_chars(html),
                "{html}"
            );
        }
        let long = "<p>été ".repeat(6_000);
        assert_eq!(text_of_sanitized(&long), text_of_sanitized_by_chars(&long));
        assert_eq!(text_of_sanitized(&long).chars().count(), MAX_TEXT_CHARS);
    }

    #[test]
    fn control_characters_never_reach_a_mention() {
        let e = RawEntry {
            title: Some("Danone \u{1b}[31mROUGE\u{1b}]0;pwned\u{7}".into()),
            body: Some("<p>Boycott\u{9b}2J &#27;[31m de Danone\u{7f}</p>".into()),
            author: Some("Eve\u{0}\u{1b}[2J".into()),
            ..RawEntry::default()
        };
        let m = normalize(1, e, 1_000).unwrap();
        for text in [&m.title, &m.text, m.author.as_ref().unwrap()] {
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
        assert_eq!(m.title, "Danone [31mROUGE]0;pwned");
        assert_eq!(m.text, "Boycott2J [31m de Danone");
        assert_eq!(m.author.as_deref(), Some("Eve[2J"));
        // French text with no-break spaces and guillemets (0xC2 0xA0, 0xC2 0xAB) is kept whole.
        assert_eq!(collapse("«\u{a0}Danone\u{a0}»  ici"), "« Danone » ici");
        assert!(!has_controls("«\u{a0}Danone\u{a0}» é"));
        assert!(has_controls("a\u{85}b"));
        // Whitespace controls (vertical tab, next line) separate words; nothing loops.
        assert_eq!(collapse("a\u{b}b\u{85}c\u{1b}d"), "a b cd");
    }

    #[test]
    fn canonical_urls() {
        let cases = [
            ("https://WWW.Example.com/a/?utm_source=x&id=3#top", Some("https://example.com/a?id=3")),
            ("http://example.com/a?fbclid=zz", Some("http://example.com/a")),
            ("https://www.google.com/url?rct=j&sa=t&url=https://news.example.fr/article%3Futm_medium%3Drss&ct=ga", Some("https://news.example.fr/article")),
            ("ftp://example.com/x", None),
            ("not a url", None),
        ];
        for (raw, want) in cases {
            assert_eq!(canonical_url(raw).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn hash_ignores_markup_case_and_accents() {
        assert_eq!(
            content_hash("Société", "Rappel, produit !"),
            content_hash("societe", "rappel PRODUIT")
        );
        assert_ne!(content_hash("a", "b c"), content_hash("a", "c b"));
        // Stored hashes must stay the same from one version to the next, or dedupe would
        // store again what an older version already has: SHA-256 of "rappel usine societe
        // ferme " (each folded token and a space), first 16 bytes.
        assert_eq!(
            content_hash("Rappel : l'usine", "Société ferme"),
            "701afa68f166ac29f82949d6f73f5fa2"
        );
    }

    #[test]
    fn the_same_words_are_one_article_but_one_post_per_account() {
        let entry = |author: &str, poster: Option<&str>| RawEntry {
            title: Some("Rappel : l'usine".into()),
            body: Some("<p>Société ferme</p>".into()),
            author: Some(author.into()),
            poster: poster.map(str::to_string),
            ..RawEntry::default()
        };
        let hash = |e| normalize(1, e, 1_000).unwrap().content_hash;
        // An article in two feeds under two bylines: the same hash (one mention), and the
        // hash any earlier version stored for it.
        let article = hash(entry("AFP", None));
        assert_eq!(article, hash(entry("Le Monde avec AFP", None)));
        assert_eq!(article, "701afa68f166ac29f82949d6f73f5fa2");
        // Posts: one per account, whatever the display name; the same account twice is one.
        let bob = hash(entry("Bob", Some("https://a.example/@bob")));
        let carol = hash(entry("Carol", Some("https://b.example/@carol")));
        assert_ne!(bob, carol);
        assert_ne!(bob, article);
        assert_eq!(
            bob,
            hash(entry("Bob (renamed)", Some("https://a.example/@bob")))
        );
        // An empty poster is no poster.
        assert_eq!(article, hash(entry("x", Some(""))));
    }

    #[test]
    fn future_and_missing_dates_become_fetch_time() {
        let now = 1_700_000_000;
        let mk = |p| RawEntry {
            title: Some("t".into()),
            published_at: p,
            ..Default::default()
        };
        assert_eq!(
            normalize(1, mk(Some(now + 86_400)), now)
                .unwrap()
                .published_at,
            now
        );
        assert_eq!(normalize(1, mk(None), now).unwrap().published_at, now);
        assert_eq!(
            normalize(1, mk(Some(now - 60)), now).unwrap().published_at,
            now - 60
        );
        assert!(normalize(1, RawEntry::default(), now).is_none());
    }
}
