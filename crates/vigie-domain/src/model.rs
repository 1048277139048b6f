//! The nouns of Vigie (see the glossary in ARCHITECTURE.md).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Unix seconds, UTC. Time is always passed in, never read from a global clock.
pub type Timestamp = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sensitivity {
    Low,
    Medium,
    High,
}

impl Sensitivity {
    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::Low => "low",
            Sensitivity::Medium => "medium",
            Sensitivity::High => "high",
        }
    }
}

impl fmt::Display for Sensitivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}: expected one of {expected}")]
pub struct ParseEnumError {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl FromStr for Sensitivity {
    type Err = ParseEnumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" | "faible" => Ok(Sensitivity::Low),
            "medium" | "moyenne" => Ok(Sensitivity::Medium),
            "high" | "haute" | "elevee" => Ok(Sensitivity::High),
            _ => Err(ParseEnumError {
                what: "sensitivity",
                value: s.into(),
                expected: "low, medium, high",
            }),
        }
    }
}

/// A brand, product, person or topic being listened to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watch {
    pub id: i64,
    pub name: String,
    pub query: String,
    /// ISO 639-1 codes; empty = every language.
    pub languages: Vec<String>,
    pub sensitivity: Sensitivity,
    pub enabled: bool,
    /// Words that raise the weight of a mention when they appear (folded when matched).
    pub sensitive_words: Vec<String>,
    /// Level thresholds; None = the defaults.
    pub thresholds: Option<crate::Thresholds>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWatch {
    pub name: String,
    pub query: String,
    pub languages: Vec<String>,
    pub sensitivity: Sensitivity,
    pub enabled: bool,
    #[serde(default)]
    pub sensitive_words: Vec<String>,
    #[serde(default)]
    pub thresholds: Option<crate::Thresholds>,
}

/// Where mentions come from. All kinds go through the same poller.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceKind {
    /// RSS 0.9x/1.0/2.0, Atom or JSON Feed (Google/Talkwalker Alerts, Reddit, YouTube, Mastodon RSS…).
    Feed { url: String },
    /// A Mastodon instance's public tag timeline (`/api/v1/timelines/tag/:tag`).
    MastodonTag { instance: String, tag: String },
    /// Bluesky `app.bsky.feed.searchPosts`, authenticated with an app password held in the
    /// OS keychain under `handle`.
    BlueskySearch {
        service: String,
        handle: String,
        query: String,
    },
}

impl SourceKind {
    pub fn kind_str(&self) -> &'static str {
        match self {
            SourceKind::Feed { .. } => "feed",
            SourceKind::MastodonTag { .. } => "mastodon_tag",
            SourceKind::BlueskySearch { .. } => "bluesky_search",
        }
    }

    /// The URL the poller talks to (its host is the unit of per-host concurrency).
    pub fn endpoint(&self) -> String {
        match self {
            SourceKind::Feed { url } => url.clone(),
            SourceKind::MastodonTag { instance, tag } => {
                format!(
                    "{}/api/v1/timelines/tag/{}",
                    instance.trim_end_matches('/'),
                    tag
                )
            }
            SourceKind::BlueskySearch { service, .. } => service.clone(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            SourceKind::Feed { url } => url.clone(),
            SourceKind::MastodonTag { instance, tag } => format!("#{tag} on {instance}"),
            SourceKind::BlueskySearch { query, handle, .. } => {
                format!("Bluesky search \"{query}\" (as {handle})")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub id: i64,
    pub title: String,
    pub kind: SourceKind,
    pub enabled: bool,
    /// Seconds between two checks when all is well.
    pub interval_secs: i64,
    pub created_at: Timestamp,
}

/// The poller's memory of a source, and what the user sees as its health.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollState {
    pub next_check_at: Timestamp,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub error_count: i64,
    /// The last failure in English words (the CLI's, and all that sources failing before
    /// Vigie stored [`PollState::last_problem`] have).
    pub last_error: Option<String>,
    /// The same failure as data, so each screen words it in its own language.
    pub last_problem: Option<crate::health::Problem>,
    pub last_status: Option<i64>,
    pub last_checked_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    /// Network-specific paging position (Mastodon `min_id`, Bluesky newest seen time).
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Triage {
    New,
    Seen,
    Flagged,
    Handled,
}

impl Triage {
    pub fn as_str(self) -> &'static str {
        match self {
            Triage::New => "new",
            Triage::Seen => "seen",
            Triage::Flagged => "flagged",
            Triage::Handled => "handled",
        }
    }
}

impl FromStr for Triage {
    type Err = ParseEnumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "new" => Ok(Triage::New),
            "seen" => Ok(Triage::Seen),
            "flagged" => Ok(Triage::Flagged),
            "handled" => Ok(Triage::Handled),
            _ => Err(ParseEnumError {
                what: "triage state",
                value: s.into(),
                expected: "new, seen, flagged, handled",
            }),
        }
    }
}

/// A normalised entry, ready to be deduplicated and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMention {
    pub source_id: i64,
    /// The source's own identifier (RSS guid, Atom id, status id, post URI), if it gave one.
    pub guid: Option<String>,
    pub url: Option<String>,
    pub title: String,
    /// Plain text, markup removed.
    pub text: String,
    /// Sanitised HTML (safe to display), when the source gave HTML.
    pub html: Option<String>,
    pub author: Option<String>,
    pub published_at: Timestamp,
    pub lang: Option<String>,
    /// The URL with tracking parameters and fragments removed: the second dedupe key.
    pub canonical_url: Option<String>,
    /// Hash of the normalised title and text: the last dedupe key.
    pub content_hash: String,
    /// Tonality, when the language is French or English.
    pub tonality: Option<Tonality>,
}

/// The tone of a mention: score in [-1, 1], label, and an anger/outrage flag.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tonality {
    pub score: f32,
    pub label: ToneLabel,
    pub anger: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToneLabel {
    Negative,
    Neutral,
    Positive,
}

impl ToneLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            ToneLabel::Negative => "negative",
            ToneLabel::Neutral => "neutral",
            ToneLabel::Positive => "positive",
        }
    }
}

impl FromStr for ToneLabel {
    type Err = ParseEnumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "negative" => Ok(ToneLabel::Negative),
            "neutral" => Ok(ToneLabel::Neutral),
            "positive" => Ok(ToneLabel::Positive),
            _ => Err(ParseEnumError {
                what: "tonality",
                value: s.into(),
                expected: "negative, neutral, positive",
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    pub id: i64,
    pub source_id: Option<i64>,
    pub guid: Option<String>,
    pub url: Option<String>,
    pub title: String,
    pub text: String,
    pub html: Option<String>,
    pub author: Option<String>,
    pub published_at: Timestamp,
    pub fetched_at: Timestamp,
    pub lang: Option<String>,
    pub triage: Triage,
    pub tonality: Option<Tonality>,
    pub watch_ids: Vec<i64>,
}

impl Mention {
    /// What a watch's query is matched against: the title, the text and the author, as at
    /// ingest (the stream's search and the watch editor's preview check stored mentions so).
    pub fn match_text(&self) -> crate::text::MatchText {
        crate::text::MatchText::new(&format!(
            "{}\n{}\n{}",
            self.title,
            self.text,
            self.author.as_deref().unwrap_or("")
        ))
    }
}
