//! Guarded publishing, the pure part: profiles and the accounts they may hold, what a post is,
//! per-network validation (length, facets, images), the confirmation a post needs, and the
//! identity of a post that makes every retry land on the same remote record.
//!
//! The engine enforces these rules; the UI only shows them. Nothing here does I/O.

use crate::Level;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

pub use crate::richtext::{count_chars, facets, same_words, Facet, FacetKind};
pub use problem::{PostProblem, Refusal};

mod problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileKind {
    /// A brand (or executive) workspace: only allow-listed handles, strict confirmation.
    Brand,
    /// Someone's own accounts. Never reachable from a brand workspace.
    Personal,
}

impl ProfileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Brand => "brand",
            ProfileKind::Personal => "personal",
        }
    }

    /// The colour a profile of this kind gets when none is chosen (the app's too:
    /// ui/src/views/accounts.ts): two workspaces are told apart by their colour first.
    pub fn default_colour(self) -> &'static str {
        match self {
            ProfileKind::Brand => "#c92a2a",
            ProfileKind::Personal => "#2f9e44",
        }
    }
}

impl FromStr for ProfileKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "brand" | "marque" => Ok(ProfileKind::Brand),
            "personal" | "personnel" | "perso" => Ok(ProfileKind::Personal),
            other => Err(format!(
                "unknown profile kind {other:?}: use brand or personal"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    Mastodon,
    Bluesky,
}

impl Network {
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Mastodon => "mastodon",
            Network::Bluesky => "bluesky",
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Network {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "mastodon" => Ok(Network::Mastodon),
            "bluesky" | "bsky" => Ok(Network::Bluesky),
            other => Err(format!(
                "unknown network {other:?}: use mastodon or bluesky"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub kind: ProfileKind,
    /// A CSS colour (`#rrggbb`) shown around everything done in this profile.
    pub colour: String,
    /// Brand profiles: the only handles they may hold (normalised, see [`normalize_handle`]).
    pub allowed_handles: Vec<String>,
}

/// The published identity of an account, as its server reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// Mastodon account id, or Bluesky DID: what a credential really belongs to.
    pub remote_id: String,
    /// `user@instance` or `name.bsky.social`, normalised.
    pub handle: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    /// Followers: who sees a post.
    pub audience: i64,
}

/// What a server accepts in one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub max_chars: usize,
    /// Mastodon counts every link as this many characters.
    pub url_chars: usize,
    pub max_images: usize,
    pub max_image_bytes: u64,
}

impl Limits {
    /// Mastodon's defaults, used until the instance says otherwise.
    pub const MASTODON_DEFAULT: Limits = Limits {
        max_chars: 500,
        url_chars: 23,
        max_images: 4,
        max_image_bytes: 16 * 1024 * 1024,
    };
    /// Bluesky: 300 graphemes, 4 images of at most 1,000,000 bytes.
    pub const BLUESKY: Limits = Limits {
        max_chars: 300,
        url_chars: 0,
        max_images: 4,
        max_image_bytes: 1_000_000,
    };
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: i64,
    pub profile_id: i64,
    pub network: Network,
    /// Instance or PDS base URL.
    pub server: String,
    pub identity: Identity,
    pub limits: Limits,
}

impl Account {
    /// `@alice@example.social` or `@alice.bsky.social`.
    pub fn display_handle(&self) -> String {
        format!("@{}", self.identity.handle)
    }
}

/// Lower-case, without the leading `@`; a bare Mastodon user name gets the instance's host.
pub fn normalize_handle(network: Network, handle: &str, server: &str) -> String {
    let h = handle.trim().trim_start_matches('@').to_lowercase();
    match network {
        Network::Mastodon if !h.contains('@') => {
            let host = server
                .split("://")
                .nth(1)
                .unwrap_or(server)
                .trim_end_matches('/')
                .to_lowercase();
            format!("{h}@{host}")
        }
        _ => h,
    }
}

/// The engine's rule for adding an account to a profile.
pub fn may_hold(profile: &Profile, identity: &Identity) -> Result<(), Refusal> {
    match profile.kind {
        ProfileKind::Personal => Ok(()),
        ProfileKind::Brand => {
            if profile
                .allowed_handles
                .iter()
                .any(|h| h == &identity.handle)
            {
                Ok(())
            } else {
                Err(Refusal::NotAllowListed {
                    handle: identity.handle.clone(),
                    profile: profile.name.clone(),
                })
            }
        }
    }
}

/// How the user must confirm before a post is queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ConfirmRule {
    /// One explicit click on the confirmation dialog.
    Click,
    /// Type the account's handle.
    TypeHandle,
}

/// Type the handle when a brand account speaks during an alert or a crisis, or when the audience
/// is above the user's threshold.
pub fn confirm_rule(
    kind: ProfileKind,
    level: Level,
    audience: i64,
    audience_threshold: Option<i64>,
) -> ConfirmRule {
    let crisis = kind == ProfileKind::Brand && level >= Level::Alert;
    let big = audience_threshold.is_some_and(|t| audience > t);
    if crisis || big {
        ConfirmRule::TypeHandle
    } else {
        ConfirmRule::Click
    }
}

/// Does what the user typed name this account, in full? (`@` and case do not matter.) The
/// instance is part of a Mastodon handle: `acme` alone does not confirm `acme@social.example`,
/// since typing is the moment to notice which of two `acme` accounts is about to speak.
pub fn typed_handle_matches(account: &Account, typed: &str) -> bool {
    let t = typed.trim().trim_start_matches('@').to_lowercase();
    !t.is_empty() && t == account.identity.handle
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    pub mime: String,
    pub bytes: u64,
    /// Hex SHA-256 of the file: part of the content's identity.
    pub sha256: String,
    pub alt: String,
}

/// What goes out: the text and its images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    pub text: String,
    #[serde(default)]
    pub images: Vec<Image>,
}

impl Content {
    pub fn text(text: impl Into<String>) -> Self {
        Content {
            text: text.into(),
            images: Vec::new(),
        }
    }

    /// Hex SHA-256 over the exact text and every image (file hash and alt text), in order.
    /// Approvals are bound to this value and to the target account.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"vigie-content-v1\0");
        h.update((self.text.len() as u64).to_be_bytes());
        h.update(self.text.as_bytes());
        for i in &self.images {
            for part in [&i.mime, &i.sha256, &i.alt] {
                h.update((part.len() as u64).to_be_bytes());
                h.update(part.as_bytes());
            }
        }
        hex(&h.finalize())
    }
}

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A problem that stops a post before anything is sent, with what to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Invalid {
    Empty,
    TooLong {
        count: usize,
        max: usize,
    },
    /// Bluesky also caps a post's text at 3,000 bytes of UTF-8 (composed emoji weigh up to
    /// 25 bytes for one grapheme).
    TooManyBytes {
        bytes: usize,
        max: usize,
    },
    TooManyImages {
        count: usize,
        max: usize,
    },
    ImageTooBig {
        index: usize,
        bytes: u64,
        max: u64,
    },
    MissingAlt {
        index: usize,
    },
    UnsupportedImage {
        index: usize,
        mime: String,
    },
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Empty => f.write_str("the post is empty: write something"),
            Invalid::TooLong { count, max } => write!(
                f,
                "the text is {count} characters long; this account accepts {max}: remove {}",
                count - max
            ),
            Invalid::TooManyBytes { bytes, max } => write!(
                f,
                "the text weighs {bytes} bytes; Bluesky accepts {max} (composed emoji weigh a lot): shorten it"
            ),
            Invalid::TooManyImages { count, max } => {
                write!(
                    f,
                    "{count} images attached; at most {max}: remove {}",
                    count - max
                )
            }
            Invalid::ImageTooBig { index, bytes, max } => write!(
                f,
                "image {} weighs {bytes} bytes; at most {max}: resize or compress it",
                index + 1
            ),
            Invalid::MissingAlt { index } => write!(
                f,
                "image {} has no description (alt text): describe it for people who cannot see it",
                index + 1
            ),
            Invalid::UnsupportedImage { index, mime } => write!(
                f,
                "image {} is {mime}: use JPEG, PNG, GIF or WebP",
                index + 1
            ),
        }
    }
}

/// The byte limit of a Bluesky post's text (the `app.bsky.feed.post` lexicon).
pub const BLUESKY_MAX_BYTES: usize = 3000;

/// Everything wrong with `content` for this network, empty when it can go.
pub fn validate(network: Network, limits: &Limits, content: &Content) -> Vec<Invalid> {
    let mut out = Vec::new();
    // Invisible characters alone (a zero-width space) are no text either.
    let blank = content.text.chars().all(|c| {
        c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
    });
    if blank && content.images.is_empty() {
        out.push(Invalid::Empty);
    }
    if network == Network::Bluesky && content.text.len() > BLUESKY_MAX_BYTES {
        out.push(Invalid::TooManyBytes {
            bytes: content.text.len(),
            max: BLUESKY_MAX_BYTES,
        });
    }
    let count = count_chars(network, limits, &content.text);
    if count > limits.max_chars {
        out.push(Invalid::TooLong {
            count,
            max: limits.max_chars,
        });
    }
    if content.images.len() > limits.max_images {
        out.push(Invalid::TooManyImages {
            count: content.images.len(),
            max: limits.max_images,
        });
    }
    for (index, i) in content.images.iter().enumerate() {
        if !matches!(
            i.mime.as_str(),
            "image/jpeg" | "image/png" | "image/gif" | "image/webp"
        ) {
            out.push(Invalid::UnsupportedImage {
                index,
                mime: i.mime.clone(),
            });
        }
        if i.bytes > limits.max_image_bytes {
            out.push(Invalid::ImageTooBig {
                index,
                bytes: i.bytes,
                max: limits.max_image_bytes,
            });
        }
        if i.alt.trim().is_empty() {
            out.push(Invalid::MissingAlt { index });
        }
    }
    out
}

/// The lifecycle of a post in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostState {
    /// Waiting for its undo window, a pause (kill switch) or a retry time.
    Queued,
    /// An attempt started; if Vigie stops now, the outcome is unknown and is reconciled.
    Sending,
    Sent,
    Failed,
    Cancelled,
}

impl PostState {
    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Queued => "queued",
            PostState::Sending => "sending",
            PostState::Sent => "sent",
            PostState::Failed => "failed",
            PostState::Cancelled => "cancelled",
        }
    }
}

impl FromStr for PostState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "queued" => PostState::Queued,
            "sending" => PostState::Sending,
            "sent" => PostState::Sent,
            "failed" => PostState::Failed,
            "cancelled" => PostState::Cancelled,
            other => return Err(format!("unknown post state {other:?}")),
        })
    }
}

const TID_ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// An AT Protocol TID (13 base32-sortable characters): 53 bits of microseconds since the epoch,
/// then a 10-bit clock id. Built from the post's own key and queue time, it is the same on
/// every attempt, so a retry collides with the first write instead of duplicating it.
pub fn tid(micros: u64, clock_id: u16) -> String {
    let v: u64 = ((micros & ((1 << 53) - 1)) << 10) | u64::from(clock_id & 0x3ff);
    let mut out = [0u8; 13];
    for (i, slot) in out.iter_mut().enumerate() {
        let shift = 5 * (12 - i);
        *slot = TID_ALPHABET[((v >> shift) & 31) as usize];
    }
    String::from_utf8(out.to_vec()).expect("ascii")
}

/// The Bluesky record key of a post, from its outbox key (hex) and queue time.
pub fn record_key(post_key: &str, queued_at_micros: u64) -> String {
    let digest = Sha256::digest(post_key.as_bytes());
    let clock = u16::from_be_bytes([digest[0], digest[1]]) & 0x3ff;
    tid(queued_at_micros, clock)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(kind: ProfileKind, allowed: &[&str]) -> Profile {
        Profile {
            id: 1,
            name: "Acme".into(),
            kind,
            colour: "#c00000".into(),
            allowed_handles: allowed.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn identity(handle: &str) -> Identity {
        Identity {
            remote_id: "1".into(),
            handle: handle.into(),
            display_name: "x".into(),
            avatar_url: None,
            audience: 10,
        }
    }

    #[test]
    fn handles_normalise() {
        let m = Network::Mastodon;
        assert_eq!(
            normalize_handle(m, "@Alice", "https://Social.Example/"),
            "alice@social.example"
        );
        assert_eq!(
            normalize_handle(m, "alice@other.org", "https://social.example"),
            "alice@other.org"
        );
        assert_eq!(
            normalize_handle(m, "alice", "http://127.0.0.1:8080"),
            "alice@127.0.0.1:8080"
        );
        assert_eq!(
            normalize_handle(Network::Bluesky, "@Acme.BSKY.social", "x"),
            "acme.bsky.social"
        );
    }

    #[test]
    fn brand_profiles_hold_only_allow_listed_handles() {
        let brand = profile(ProfileKind::Brand, &["acme@social.example"]);
        assert!(may_hold(&brand, &identity("acme@social.example")).is_ok());
        let e = may_hold(&brand, &identity("jeanne@social.example")).unwrap_err();
        assert!(e.to_string().contains("allow-list"), "{e}");
        // A personal profile holds whatever its owner connects.
        let me = profile(ProfileKind::Personal, &[]);
        assert!(may_hold(&me, &identity("jeanne@social.example")).is_ok());
    }

    #[test]
    fn confirmation_gets_stricter_with_level_and_audience() {
        use ConfirmRule::*;
        use ProfileKind::*;
        let cases = [
            (Brand, Level::Calm, 100, None, Click),
            (Brand, Level::Watch, 100, None, Click),
            (Brand, Level::Alert, 100, None, TypeHandle),
            (Brand, Level::Crisis, 100, None, TypeHandle),
            (Personal, Level::Crisis, 100, None, Click),
            (Personal, Level::Calm, 5000, Some(1000), TypeHandle),
            (Brand, Level::Calm, 1000, Some(1000), Click),
            (Brand, Level::Calm, 1001, Some(1000), TypeHandle),
        ];
        for (kind, level, audience, threshold, want) in cases {
            assert_eq!(
                confirm_rule(kind, level, audience, threshold),
                want,
                "{kind:?} {level:?} {audience} {threshold:?}"
            );
        }
    }

    #[test]
    fn typed_handle_must_name_the_account() {
        let a = Account {
            id: 1,
            profile_id: 1,
            network: Network::Mastodon,
            server: "https://social.example".into(),
            identity: identity("acme@social.example"),
            limits: Limits::MASTODON_DEFAULT,
        };
        assert!(
            !typed_handle_matches(&a, "@ACME"),
            "the instance is part of it"
        );
        assert!(!typed_handle_matches(&a, ""));
        assert!(typed_handle_matches(&a, "acme@social.example"));
        assert!(typed_handle_matches(&a, " @ACME@Social.Example "));
        assert!(!typed_handle_matches(&a, "acme@other.example"));
        assert!(!typed_handle_matches(&a, "jeanne"));
    }

    #[test]
    fn bluesky_counts_graphemes() {
        let l = Limits::BLUESKY;
        assert_eq!(count_chars(Network::Bluesky, &l, "é"), 1);
        assert_eq!(count_chars(Network::Bluesky, &l, "e\u{301}"), 1); // e + combining accent
        assert_eq!(count_chars(Network::Bluesky, &l, "👩‍👩‍👧"), 1);
        let ok = Content::text("x".repeat(300));
        assert!(validate(Network::Bluesky, &l, &ok).is_empty());
        let long = Content::text("é".repeat(301));
        assert_eq!(
            validate(Network::Bluesky, &l, &long),
            vec![Invalid::TooLong {
                count: 301,
                max: 300
            }]
        );
        // 300 families of four: 300 graphemes, but 7,500 bytes.
        let heavy = Content::text("👨‍👩‍👧‍👦".repeat(300));
        assert_eq!(count_chars(Network::Bluesky, &l, &heavy.text), 300);
        assert_eq!(
            validate(Network::Bluesky, &l, &heavy),
            vec![Invalid::TooManyBytes {
                bytes: 7500,
                max: 3000
            }]
        );
        // Mastodon has no byte limit of its own.
        assert!(
            !validate(Network::Mastodon, &Limits::MASTODON_DEFAULT, &heavy)
                .iter()
                .any(|i| matches!(i, Invalid::TooManyBytes { .. }))
        );
    }

    #[test]
    fn invisible_characters_alone_are_an_empty_post() {
        for text in ["\u{200b}", " \u{feff}\n", "\u{2060}\u{200d}"] {
            assert_eq!(
                validate(
                    Network::Mastodon,
                    &Limits::MASTODON_DEFAULT,
                    &Content::text(text)
                ),
                vec![Invalid::Empty],
                "{text:?}"
            );
        }
    }

    #[test]
    fn mastodon_counts_links_and_remote_mentions_short() {
        let l = Limits::MASTODON_DEFAULT;
        let url = format!("https://example.org/{}", "a".repeat(200));
        assert_eq!(
            count_chars(Network::Mastodon, &l, &format!("see {url}")),
            4 + 23
        );
        assert_eq!(
            count_chars(Network::Mastodon, &l, "hi @bob@very.long.example.org"),
            3 + 4
        );
        let text = format!("{} {url}", "x".repeat(476));
        assert!(validate(Network::Mastodon, &l, &Content::text(text)).is_empty());
        let text = format!("{} {url}", "x".repeat(477));
        assert_eq!(
            validate(Network::Mastodon, &l, &Content::text(text)),
            vec![Invalid::TooLong {
                count: 501,
                max: 500
            }]
        );
    }

    #[test]
    fn images_need_alt_text_and_must_fit() {
        let l = Limits::BLUESKY;
        let img = |bytes, alt: &str, mime: &str| Image {
            mime: mime.into(),
            bytes,
            sha256: "00".into(),
            alt: alt.into(),
        };
        let c = Content {
            text: "x".into(),
            images: vec![
                img(10, "a chart", "image/png"),
                img(2_000_000, "big", "image/jpeg"),
                img(10, " ", "image/png"),
                img(10, "doc", "application/pdf"),
                img(10, "fifth", "image/png"),
            ],
        };
        let v = validate(Network::Bluesky, &l, &c);
        assert!(v.contains(&Invalid::TooManyImages { count: 5, max: 4 }));
        assert!(v.contains(&Invalid::ImageTooBig {
            index: 1,
            bytes: 2_000_000,
            max: 1_000_000
        }));
        assert!(v.contains(&Invalid::MissingAlt { index: 2 }));
        assert!(v
            .iter()
            .any(|i| matches!(i, Invalid::UnsupportedImage { index: 3, .. })));
        assert_eq!(
            validate(Network::Bluesky, &l, &Content::text("  ")),
            vec![Invalid::Empty]
        );
    }

    #[test]
    fn content_hash_covers_text_and_images() {
        let a = Content::text("Nous rappelons le lot 42.");
        let mut b = a.clone();
        assert_eq!(a.hash(), b.hash());
        b.text.push(' ');
        assert_ne!(a.hash(), b.hash());
        let mut c = a.clone();
        c.images.push(Image {
            mime: "image/png".into(),
            bytes: 1,
            sha256: "ab".into(),
            alt: "x".into(),
        });
        let mut d = c.clone();
        d.images[0].alt = "y".into();
        assert_ne!(a.hash(), c.hash());
        assert_ne!(c.hash(), d.hash());
    }

    #[test]
    fn record_keys_are_valid_stable_tids() {
        // The reference example from the AT Protocol TID spec shape: 13 chars, sortable.
        let t = tid(1_700_000_000_000_000, 0);
        assert_eq!(t.len(), 13);
        assert!(t.starts_with(|c: char| "234567abcdefghij".contains(c)));
        assert!(tid(1_700_000_000_000_001, 0) > t);
        let k = record_key("abc", 1_700_000_000_000_000);
        assert_eq!(k, record_key("abc", 1_700_000_000_000_000));
        assert_ne!(k, record_key("abd", 1_700_000_000_000_000));
    }

    /// The UI words these itself (ui/src/logic/postProblems.ts): the JSON is its contract.
    #[test]
    fn invalid_travels_as_data_with_its_kind_and_figures() {
        let cases = [
            (Invalid::Empty, r#"{"kind":"empty"}"#),
            (
                Invalid::TooLong {
                    count: 600,
                    max: 500,
                },
                r#"{"kind":"tooLong","count":600,"max":500}"#,
            ),
            (
                Invalid::TooManyImages { count: 5, max: 4 },
                r#"{"kind":"tooManyImages","count":5,"max":4}"#,
            ),
            (
                Invalid::ImageTooBig {
                    index: 1,
                    bytes: 2_000_000,
                    max: 1_000_000,
                },
                r#"{"kind":"imageTooBig","index":1,"bytes":2000000,"max":1000000}"#,
            ),
            (
                Invalid::MissingAlt { index: 0 },
                r#"{"kind":"missingAlt","index":0}"#,
            ),
            (
                Invalid::UnsupportedImage {
                    index: 2,
                    mime: "image/tiff".into(),
                },
                r#"{"kind":"unsupportedImage","index":2,"mime":"image/tiff"}"#,
            ),
        ];
        for (invalid, json) in cases {
            assert_eq!(serde_json::to_string(&invalid).unwrap(), json);
            assert_eq!(serde_json::from_str::<Invalid>(json).unwrap(), invalid);
        }
    }
}
