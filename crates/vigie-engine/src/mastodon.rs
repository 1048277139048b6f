//! Mastodon public tag timelines (`GET /api/v1/timelines/tag/:tag`), no credentials needed.
//! Paging: the first poll takes the newest page; later polls ask for statuses newer than the
//! newest id seen (`min_id`), page after page, until the timeline is caught up.

use crate::fetch::{Conditional, FetchError, FetchOutcome, Http};
use crate::normalize::RawEntry;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use vigie_domain::health::Problem;
use vigie_domain::Timestamp;

const PAGE: usize = 40;
const MAX_PAGES: usize = 10;

#[derive(Debug, Deserialize)]
struct Status {
    id: String,
    created_at: Option<String>,
    url: Option<String>,
    uri: Option<String>,
    #[serde(default)]
    content: String,
    #[serde(default)]
    spoiler_text: String,
    language: Option<String>,
    account: Option<Account>,
}

#[derive(Debug, Deserialize)]
struct Account {
    acct: Option<String>,
    display_name: Option<String>,
    /// The profile's address: the same on every instance (`acct` is `name` on the
    /// account's own instance, `name@domain` elsewhere).
    url: Option<String>,
}

pub struct TagPage {
    pub entries: Vec<RawEntry>,
    /// The newest status id seen (the next `min_id`).
    pub cursor: Option<String>,
}

pub async fn fetch_tag(
    http: &Http,
    instance: &str,
    tag: &str,
    cursor: Option<&str>,
    now: Timestamp,
) -> Result<TagPage, FetchError> {
    let base = format!(
        "{}/api/v1/timelines/tag/{}",
        instance.trim_end_matches('/'),
        urlencode(tag.trim_start_matches('#'))
    );
    let mut newest = cursor.map(str::to_string);
    let mut entries = Vec::new();
    for _ in 0..MAX_PAGES {
        let url = match &newest {
            Some(min) => format!("{base}?limit={PAGE}&min_id={min}"),
            None => format!("{base}?limit={PAGE}"),
        };
        let body = match http
            .get(&url, &Conditional::default(), HeaderMap::new(), now)
            .await?
        {
            FetchOutcome::Fetched(f) => f.body,
            FetchOutcome::NotModified { .. } => break,
        };
        let statuses: Vec<Status> = serde_json::from_slice(&body).map_err(|e| FetchError {
            problem: Problem::Malformed {
                detail: format!("the Mastodon server did not send a list of statuses: {e}"),
            },
            status: Some(200),
        })?;
        let count = statuses.len();
        // Timelines come newest first, and each `min_id` page is newer than the last: the
        // first status of the last non-empty page is the newest seen. (Ids are opaque
        // strings: snowflakes on Mastodon, other shapes elsewhere, so they are never compared.)
        if let Some(first) = statuses.first() {
            newest = Some(first.id.clone());
        }
        entries.extend(statuses.into_iter().map(status_entry));
        // Without a cursor we only take the newest page; with one we page until caught up.
        if cursor.is_none() || count < PAGE {
            break;
        }
    }
    Ok(TagPage {
        entries,
        cursor: newest,
    })
}

fn status_entry(s: Status) -> RawEntry {
    let poster = s
        .account
        .as_ref()
        .and_then(|a| a.url.clone().or_else(|| a.acct.clone()));
    let author = s.account.map(
        |a| match (a.display_name.filter(|d| !d.is_empty()), a.acct) {
            (Some(d), Some(acct)) => format!("{d} (@{acct})"),
            (None, Some(acct)) => format!("@{acct}"),
            (Some(d), None) => d,
            (None, None) => String::new(),
        },
    );
    let body = if s.spoiler_text.is_empty() {
        s.content
    } else {
        format!(
            "<p>{}</p>{}",
            html_escape::encode_text(&s.spoiler_text),
            s.content
        )
    };
    RawEntry {
        guid: Some(s.uri.clone().unwrap_or_else(|| s.id.clone())),
        url: s.url.or(s.uri),
        title: None,
        title_is_html: false,
        body: Some(body),
        body_is_html: true,
        author,
        poster,
        published_at: s
            .created_at
            .as_deref()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.timestamp()),
        lang: s.language,
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
