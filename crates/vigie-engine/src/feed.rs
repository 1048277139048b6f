//! RSS 0.9x/1.0/2.0, Atom and JSON Feed through feed-rs, plus OPML import/export.

use crate::normalize::RawEntry;
use vigie_domain::health::Problem;

/// Parses a feed body. Entries with no identifier get `guid: None` (feed-rs would invent one
/// from the link and title; Vigie dedupes those by URL and content instead).
pub fn parse_feed(
    body: &[u8],
    content_type: Option<&str>,
) -> Result<(Option<String>, Vec<RawEntry>), Problem> {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let looks_html = head.trim_start().starts_with("<!doctype html") || head.contains("<html");
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|_links, _title, _uri| String::new())
        .sanitize_content(false)
        .build();
    let parsed = parser.parse(body).or_else(|e| {
        // Stray invalid bytes in a UTF-8 feed are common: read it with replacement characters
        // rather than losing every item. Feeds declaring another encoding are left as they are.
        let declared_other =
            head.contains("encoding=") && !head.contains("utf-8") && !head.contains("utf8");
        match std::str::from_utf8(body) {
            Err(_) if !declared_other => parser.parse(String::from_utf8_lossy(body).as_bytes()),
            _ => Err(e),
        }
    });
    let feed = match parsed {
        Ok(f) => f,
        Err(e) => {
            let html_type = content_type.is_some_and(|c| c.contains("text/html"));
            if looks_html || html_type {
                return Err(Problem::NotAFeed {
                    content_type: content_type.map(str::to_string),
                });
            }
            return Err(Problem::Malformed {
                detail: e.to_string(),
            });
        }
    };
    let title = feed.title.map(|t| t.content);
    let feed_lang = feed.language.clone();
    let entries = feed
        .entries
        .into_iter()
        .map(|e| {
            let (body, is_html) = match (e.content.and_then(|c| c.body), e.summary) {
                (Some(b), _) => (Some(b), true),
                (None, Some(s)) => {
                    let html =
                        s.content_type.to_string().contains("html") || s.content.contains('<');
                    (Some(s.content), html)
                }
                (None, None) => (
                    e.media
                        .first()
                        .and_then(|m| m.description.as_ref().map(|d| d.content.clone())),
                    false,
                ),
            };
            let url = e.links.first().map(|l| l.href.clone());
            RawEntry {
                guid: Some(e.id).filter(|g| !g.is_empty()),
                poster: url.as_deref().and_then(status_poster),
                url,
                title_is_html: e
                    .title
                    .as_ref()
                    .is_some_and(|t| t.content_type.to_string().contains("html")),
                title: e.title.map(|t| t.content),
                body,
                body_is_html: is_html,
                author: e
                    .authors
                    .first()
                    .and_then(|a| a.name.clone().or_else(|| a.email.clone())),
                published_at: e.published.or(e.updated).map(|d| d.timestamp()),
                lang: e.language.or_else(|| feed_lang.clone()),
            }
        })
        .collect();
    Ok((title, entries))
}

/// The account of a post whose link is a Mastodon-style status address,
/// `https://host/@name/<digits>` (Mastodon tag and account RSS feeds; their items name no
/// author): `https://host/@name`. None for any other link (an article's, or Medium's
/// `/@author/title-slug`), whose words alone identify it.
fn status_poster(link: &str) -> Option<String> {
    // Most links are articles': no `@`, no parse (canonical_url parses the link anyway).
    if !link.contains("/@") {
        return None;
    }
    let url = url::Url::parse(link).ok()?;
    let mut segments = url.path_segments()?;
    let (name, id) = (segments.next()?, segments.next()?);
    let is_status = name.len() > 1
        && name.starts_with('@')
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && segments.next().is_none_or(str::is_empty);
    is_status.then(|| format!("{}/{name}", url.origin().ascii_serialization()))
}

/// Feed addresses a web page announces (`<link rel="alternate" type="application/rss+xml" …>`),
/// resolved against the page's URL, best first (RSS/Atom before JSON Feed).
pub fn discover_feeds(html: &str, page_url: &str) -> Vec<String> {
    let Ok(base) = url::Url::parse(page_url) else {
        return Vec::new();
    };
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("link[rel~=alternate][href]").expect("static selector");
    let mut found: Vec<(u8, String)> = doc
        .select(&sel)
        .filter_map(|el| {
            let ty = el.value().attr("type").unwrap_or("").to_ascii_lowercase();
            let rank = match ty.as_str() {
                "application/rss+xml" | "application/atom+xml" => 0,
                "application/feed+json" | "application/json" => 1,
                "application/xml" | "text/xml" => 2,
                _ => return None,
            };
            let href = base.join(el.value().attr("href")?).ok()?;
            matches!(href.scheme(), "http" | "https").then(|| (rank, href.to_string()))
        })
        .collect();
    found.sort_by_key(|(rank, _)| *rank);
    let mut out: Vec<String> = Vec::new();
    for (_, u) in found {
        if !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

/// One feed listed in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub title: String,
    pub url: String,
}

/// Why a text is not an OPML list of feeds (the parser's words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this is not a valid OPML file ({0}): export the list of feeds again from your reader")]
pub struct OpmlError(pub String);

/// Reads every `outline` with an `xmlUrl`, at any depth (folders are flattened).
pub fn parse_opml(text: &str) -> Result<Vec<OpmlFeed>, OpmlError> {
    let doc = opml::OPML::from_str(text).map_err(|e| OpmlError(e.to_string()))?;
    let mut out = Vec::new();
    fn walk(outlines: &[opml::Outline], out: &mut Vec<OpmlFeed>) {
        for o in outlines {
            if let Some(url) = &o.xml_url {
                let title = o
                    .title
                    .clone()
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| o.text.clone());
                out.push(OpmlFeed {
                    title: if title.is_empty() { url.clone() } else { title },
                    url: url.clone(),
                });
            }
            walk(&o.outlines, out);
        }
    }
    walk(&doc.body.outlines, &mut out);
    if out.is_empty() {
        // Often the attribute's case: OPML names it `xmlUrl`, exactly.
        return Err(OpmlError(
            "it lists no feed: no outline has an xmlUrl attribute".into(),
        ));
    }
    Ok(out)
}

/// The text of an XML file (an OPML export): a byte order mark first, then UTF-8 when the
/// bytes are valid UTF-8 (exports that wrongly declare ISO-8859-1 are common), else the
/// encoding the declaration names, else Windows-1252. `ui/src/logic/xml.ts` does the same.
pub fn xml_text(bytes: &[u8]) -> Result<String, OpmlError> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return Ok(enc
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned());
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    // The declaration is ASCII in every encoding it may name (UTF-16 has its BOM).
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
    // encoding="…", with spaces allowed around the '=' as XML allows.
    let label = head
        .split_once("encoding")
        .and_then(|(_, rest)| rest.trim_start().strip_prefix('='))
        .and_then(|rest| {
            let rest = rest.trim_start();
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            rest[1..].split(quote).next()
        })
        // Not UTF-8 and undeclared: the Western default of older exporters.
        .unwrap_or("windows-1252");
    let enc = encoding_rs::Encoding::for_label(label.trim().as_bytes())
        .ok_or_else(|| OpmlError(format!("its encoding {label:?} is not one Vigie knows")))?;
    Ok(enc.decode_without_bom_handling(bytes).0.into_owned())
}

/// Writes an OPML 2.0 document listing `feeds`.
pub fn write_opml(title: &str, feeds: &[OpmlFeed]) -> String {
    let mut doc = opml::OPML {
        head: Some(opml::Head {
            title: Some(title.to_string()),
            ..Default::default()
        }),
        ..Default::default()
    };
    for f in feeds {
        doc.body.outlines.push(opml::Outline {
            text: f.title.clone(),
            title: Some(f.title.clone()),
            r#type: Some("rss".into()),
            xml_url: Some(f.url.clone()),
            ..Default::default()
        });
    }
    let body = doc.to_string().unwrap_or_default();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_follows_the_declared_encoding() {
        let latin1 = b"<?xml version='1.0' encoding='ISO-8859-1'?><opml>Soci\xe9t\xe9</opml>";
        assert!(xml_text(latin1).unwrap().ends_with("<opml>Société</opml>"));
        let spaced = b"<?xml version=\"1.0\" encoding = \"ISO-8859-1\"?><opml>\xe9</opml>";
        assert!(xml_text(spaced).unwrap().ends_with("<opml>é</opml>"));
        // A UTF-8 export that wrongly declares Latin-1 is read as the UTF-8 it is.
        let mislabelled = "<?xml version='1.0' encoding='ISO-8859-1'?><opml>Société</opml>";
        assert!(xml_text(mislabelled.as_bytes())
            .unwrap()
            .ends_with("<opml>Société</opml>"));
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice("<opml>é</opml>".as_bytes());
        assert_eq!(xml_text(&bom).unwrap(), "<opml>é</opml>");
        let utf16: Vec<u8> = [0xfeff_u16]
            .into_iter()
            .chain("<opml>é</opml>".encode_utf16())
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(xml_text(&utf16).unwrap(), "<opml>é</opml>");
        assert_eq!(xml_text(b"<opml>\xe9</opml>").unwrap(), "<opml>é</opml>");
        let err = xml_text(b"<?xml encoding=\"klingon\"?><opml>\xe9</opml>").unwrap_err();
        assert!(err.0.contains("\"klingon\""), "{err}");
    }

    #[test]
    fn a_status_link_names_its_account_and_an_article_link_does_not() {
        assert_eq!(
            status_poster("https://mastodon.social/@alice/113456789012345678").as_deref(),
            Some("https://mastodon.social/@alice")
        );
        assert_eq!(
            status_poster("http://127.0.0.1:8080/@bob@other.example/42/").as_deref(),
            Some("http://127.0.0.1:8080/@bob@other.example")
        );
        for article in [
            "https://medium.com/@author/why-we-left-acme-3f2a1b",
            "https://news.example.fr/2026/11/22/rappel",
            "https://mastodon.social/@alice",
            "https://mastodon.social/@/123",
            "https://mastodon.social/@alice/123/activity",
            "not a link",
        ] {
            assert_eq!(status_poster(article), None, "{article}");
        }
        // The same words from two accounts of a tag feed: two posts, not one.
        let feed = r#"<rss version="2.0"><channel><title>#danone</title>
            <item><guid>https://m.example/@a/1</guid><link>https://m.example/@a/1</link><description>Boycott Danone !</description></item>
            <item><guid>https://m.example/@b/2</guid><link>https://m.example/@b/2</link><description>Boycott Danone !</description></item>
            </channel></rss>"#;
        let (_, entries) = parse_feed(feed.as_bytes(), Some("application/rss+xml")).unwrap();
        let hashes: Vec<String> = entries
            .into_iter()
            .map(|e| {
                crate::normalize::normalize(1, e, 1_000)
                    .unwrap()
                    .content_hash
            })
            .collect();
        assert_ne!(hashes[0], hashes[1]);
    }

    #[test]
    fn autodiscovery_finds_and_ranks_feed_links() {
        let html = r#"<html><head>
            <link rel="alternate" type="application/feed+json" href="/feed.json">
            <link rel="stylesheet" href="/s.css">
            <link rel="alternate" type="application/rss+xml" title="RSS" href="rss.xml">
            <link rel="alternate" type="application/atom+xml" href="javascript:alert(1)">
            <link rel="alternate" hreflang="en" href="/en/">
        </head><body></body></html>"#;
        assert_eq!(
            discover_feeds(html, "http://127.0.0.1:8080/blog/"),
            vec![
                "http://127.0.0.1:8080/blog/rss.xml".to_string(),
                "http://127.0.0.1:8080/feed.json".to_string()
            ]
        );
        assert!(discover_feeds("<p>nothing</p>", "http://127.0.0.1/").is_empty());
    }

    #[test]
    fn opml_round_trip_with_nesting_and_entities() {
        let feeds = vec![
            OpmlFeed {
                title: "Le Monde & co".into(),
                url: "http://127.0.0.1/a.xml?x=1&y=2".into(),
            },
            OpmlFeed {
                title: "B \"quoted\"".into(),
                url: "http://127.0.0.1/b.xml".into(),
            },
        ];
        let doc = write_opml("Vigie", &feeds);
        assert_eq!(parse_opml(&doc).unwrap(), feeds);
        let nested = r#"<opml version="1.0"><body><outline text="Presse"><outline text="X" xmlUrl='http://h/x'/></outline></body></opml>"#;
        assert_eq!(
            parse_opml(nested).unwrap(),
            vec![OpmlFeed {
                title: "X".into(),
                url: "http://h/x".into()
            }]
        );
        assert!(parse_opml("<html></html>").is_err());
    }
}
