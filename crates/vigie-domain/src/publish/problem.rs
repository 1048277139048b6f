//! Why publishing refused or failed, as data. The UI words these in its language
//! (ui/src/logic/postProblems.ts); `Display` is the English the CLI prints and the store keeps
//! beside the data.

use super::ProfileKind;
use crate::approval::Unmet;
use crate::health::Problem;
use crate::Level;
use serde::{Deserialize, Serialize};

/// Why the publish gate (or connecting an account) said no. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Refusal {
    #[error("@{handle} belongs to the {} profile {profile:?}, not to the active profile {active:?}: switch profile to use it", profile_kind.as_str())]
    WrongProfile {
        handle: String,
        profile_kind: ProfileKind,
        profile: String,
        active: String,
    },
    /// `handle` as shown (`@name@host`).
    #[error("type the handle {handle} to confirm: this is a {} account{}", profile_kind.as_str(), type_handle_why(*level, *audience))]
    TypeHandle {
        handle: String,
        profile_kind: ProfileKind,
        level: Level,
        audience: i64,
    },
    #[error("not approved for @{handle}: {unmet}. {}", if *has_identity {
        "Ask for approval (export a request from the draft)."
    } else {
        "Set up your identity and team first (Team screen, or `vigie team init`), then ask for approval."
    })]
    NotApproved {
        handle: String,
        unmet: Unmet,
        /// Without an identity nobody can ask for approval from here.
        has_identity: bool,
    },
    /// The approval rules could not be read (roster, policy, keychain): fail closed.
    #[error("{detail}")]
    Approvals { detail: String },
    #[error("publishing is paused (kill switch)")]
    Paused,
    /// The same content for the same account is already queued, being sent, or was sent in
    /// the last 24 h (`state`: queued, sending or sent; `at`: when it was queued or sent).
    #[error(
        "the same text for @{handle} is already {state} (post {post_id}): Vigie does not publish \
         it twice. Change the text, or use that post"
    )]
    SamePost {
        handle: String,
        post_id: i64,
        state: String,
        at: i64,
    },
    /// A brand profile only holds the handles it names (`may_hold`).
    #[error(
        "@{handle} is not on the allow-list of the brand profile {profile:?}: a brand profile only \
         holds the accounts it names. If this really is a brand account, add it to the profile's \
         allow-list first; if it is someone's own account, connect it in a personal profile."
    )]
    NotAllowListed { handle: String, profile: String },
    #[error(
        "this credential belongs to @{actual}, not to @{expected}: nothing was saved. Sign in with \
         the account you meant to connect."
    )]
    WrongAccount { expected: String, actual: String },
    /// A personal profile never holds a handle a brand profile names.
    #[error(
        "@{handle} is named by the brand profile {brand:?}: it can only be connected there, never \
         in a personal profile"
    )]
    BrandAccount { handle: String, brand: String },
    #[error(
        "the address {server} carries a user name or password: Vigie keeps credentials in the \
         keychain only; give the address without them"
    )]
    CredentialsInAddress { server: String },
    #[error("{handle:?} is not a full handle: write user@instance for Mastodon or name.domain for Bluesky")]
    NotFullHandle { handle: String },
    #[error("a brand profile needs the list of handles it may hold")]
    EmptyAllowList,
    #[error("{server:?} is not a valid address ({detail})")]
    BadAddress { server: String, detail: String },
    #[error("{server} uses {scheme}: Vigie sends credentials only over https")]
    InsecureServer { server: String, scheme: String },
    #[error("this sign-in is not pending any more: start again")]
    SignInExpired,
    #[error("the sign-in was stopped: nothing was connected")]
    SignInStopped,
    #[error("no answer from the browser within {secs} s: start the connection again")]
    BrowserTimeout { secs: u64 },
    #[error("the server did not authorise Vigie ({detail})")]
    NotAuthorised { detail: String },
    #[error("cannot read the image {path}: {detail}")]
    ImageUnreadable { path: String, detail: String },
    #[error("{path} is not a JPEG, PNG, GIF or WebP image")]
    ImageType { path: String },
    /// A post names an image by something that is not a reference Vigie made (edited data).
    #[error("image {alt:?}: not a media reference Vigie made: attach the image again")]
    ImageReference { alt: String },
    #[error("cannot keep a copy of the image: {detail}")]
    ImageCopy { detail: String },
    #[error("the image {alt:?} is no longer in Vigie's media folder ({detail}): attach it again")]
    ImageMissing { alt: String, detail: String },
    #[error("the image {alt:?} changed since it was attached: attach it again")]
    ImageChanged { alt: String },
}

fn type_handle_why(level: Level, audience: i64) -> String {
    if level >= Level::Alert {
        format!(" and the level is {level}")
    } else {
        format!(
            " with {audience} follower{}",
            if audience == 1 { "" } else { "s" }
        )
    }
}

/// Why an attempt to send a post did not go through: the outbox keeps the last one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PostProblem {
    #[error("publishing is paused (kill switch): the post waits")]
    Paused,
    /// HTTP 429.
    #[error("the server asks Vigie to slow down: next try in {after_secs} s")]
    SlowDown { after_secs: i64 },
    /// HTTP 429 while connecting an account: nothing retries by itself.
    #[error("the server asks to wait {after_secs} s before trying again")]
    WaitBeforeRetry { after_secs: i64 },
    /// Nothing reached the server.
    #[error("the server could not be reached ({detail})")]
    Unreachable { detail: String },
    /// Timeout, too large, redirects…: the fetch layer's own problem.
    #[error("{}", problem.message())]
    Transport { problem: Problem },
    #[error("the server failed (HTTP {status}) while handling the post")]
    ServerFailed { status: u16 },
    #[error("the server's answer could not be read ({detail})")]
    Unreadable { detail: String },
    #[error("unexpected answer from the server: {detail}")]
    Unexpected { detail: String },
    /// Expired or revoked: `detail` is the status or the server's words.
    #[error("the server refused this account's credential ({detail}): it expired or was revoked. Reconnect this account.")]
    CredentialRefused { detail: String },
    /// Signing in was refused (Bluesky's words: a wrong handle or app password).
    #[error("the server refused to sign in ({detail}): check the handle and the app password, then reconnect this account.")]
    LoginRefused { detail: String },
    #[error("the Bluesky session expired and could not be renewed: reconnect this account.")]
    SessionExpired,
    #[error("no credential is stored for @{handle}: reconnect this account")]
    NoCredential { handle: String },
    #[error("the stored credential now belongs to @{found} instead of @{expected}: nothing was sent. Reconnect @{expected}.")]
    OtherAccount { found: String, expected: String },
    #[error(
        "the server says this token belongs to @{acct}, an account of another instance: refused"
    )]
    ForeignAccount { acct: String },
    /// Locked, or waiting for the user's password.
    #[error("the OS keychain is locked. Unlock it (log in to your desktop session or open your keyring manager) and try again.")]
    KeychainLocked,
    #[error("the OS keychain is not reachable ({detail}). Vigie stores passwords only there: start a desktop session with a Secret Service (e.g. GNOME Keyring or KWallet) and try again.")]
    KeychainUnavailable { detail: String },
    /// Any other keychain failure, in the keychain's words.
    #[error("{detail}")]
    Keychain { detail: String },
    /// The server refused the content; `detail` is its words.
    #[error("the server refused the post: {detail}. Change it and try again.")]
    Refused { detail: String },
    #[error("could not read the account's posts to check the last attempt (HTTP {status})")]
    CheckFailed { status: u16 },
    /// Connecting with OAuth: the instance would not register Vigie as an app.
    #[error("{server} refused to register Vigie as an app (HTTP {status})")]
    RegistrationRefused { server: String, status: u16 },
    /// Connecting with OAuth: the code from the browser was refused.
    #[error("the server refused the sign-in code (HTTP {status}): start the connection again")]
    SignInRefused { status: u16 },
    /// Connecting with OAuth: the local port the browser comes back to could not be used.
    #[error("no local port for the sign-in ({detail})")]
    LocalPort { detail: String },
    /// A guard said no at send time (approval, images).
    #[error("not sent: {refusal}")]
    NotSent { refusal: Refusal },
    #[error("the stored content no longer matches what was confirmed: not sent")]
    ContentChanged,
    #[error("the account of this post was disconnected: not sent")]
    AccountGone,
    #[error("Vigie's database could not be read ({detail})")]
    Store { detail: String },
    /// The last attempt failed for `cause`, and Vigie stopped trying.
    #[error("{cause} (after {attempts} attempts, Vigie stopped trying: press retry once this is solved)")]
    GaveUp {
        attempts: i64,
        cause: Box<PostProblem>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The UI words these itself (ui/src/logic/postProblems.ts): the JSON is its contract.
    #[test]
    fn refusals_and_post_problems_travel_as_data() {
        let cases = [
            (
                serde_json::to_value(Refusal::TypeHandle {
                    handle: "@acme@social.example".into(),
                    profile_kind: ProfileKind::Brand,
                    level: Level::Crisis,
                    audience: 1200,
                }),
                json!({"kind": "typeHandle", "handle": "@acme@social.example", "profileKind": "brand", "level": "crisis", "audience": 1200}),
            ),
            (
                serde_json::to_value(Refusal::NotApproved {
                    handle: "acme@social.example".into(),
                    unmet: Unmet::Role {
                        role: "legal".into(),
                        expired: vec![],
                    },
                    has_identity: false,
                }),
                json!({"kind": "notApproved", "handle": "acme@social.example", "unmet": {"kind": "role", "role": "legal"}, "hasIdentity": false}),
            ),
            (
                serde_json::to_value(PostProblem::SlowDown { after_secs: 120 }),
                json!({"kind": "slowDown", "afterSecs": 120}),
            ),
            (
                serde_json::to_value(PostProblem::GaveUp {
                    attempts: 5,
                    cause: Box::new(PostProblem::Transport {
                        problem: Problem::Timeout { secs: 20 },
                    }),
                }),
                json!({"kind": "gaveUp", "attempts": 5, "cause": {"kind": "transport", "problem": {"problem": "timeout", "secs": 20}}}),
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got.unwrap(), want);
        }
        let p: PostProblem = serde_json::from_value(
            json!({"kind": "notSent", "refusal": {"kind": "imageChanged", "alt": "logo"}}),
        )
        .unwrap();
        assert_eq!(
            p,
            PostProblem::NotSent {
                refusal: Refusal::ImageChanged { alt: "logo".into() }
            }
        );
    }

    #[test]
    fn the_english_words_say_why_the_handle_must_be_typed() {
        let r = |level, audience| {
            Refusal::TypeHandle {
                handle: "@acme@social.example".into(),
                profile_kind: ProfileKind::Brand,
                level,
                audience,
            }
            .to_string()
        };
        assert_eq!(
            r(Level::Alert, 10),
            "type the handle @acme@social.example to confirm: this is a brand account and the level is alert"
        );
        // The UI's English for the same refusal (ui/tests/postProblems.test.ts) says the same.
        assert_eq!(
            r(Level::Crisis, 1200),
            "type the handle @acme@social.example to confirm: this is a brand account and the level is crisis"
        );
        assert_eq!(
            r(Level::Calm, 25_000),
            "type the handle @acme@social.example to confirm: this is a brand account with 25000 followers"
        );
        let unmet = Unmet::TooFew {
            needed: 2,
            given: 0,
            because: vec!["crisis".into()],
            expired: vec![],
        };
        assert_eq!(
            Refusal::NotApproved {
                handle: "acme@social.example".into(),
                unmet,
                has_identity: true
            }
            .to_string(),
            "not approved for @acme@social.example: 2 approval(s) needed (crisis), 0 given. Ask for approval (export a request from the draft)."
        );
        assert_eq!(
            Refusal::WrongAccount {
                expected: "a@x".into(),
                actual: "b@x".into()
            }
            .to_string(),
            "this credential belongs to @b@x, not to @a@x: nothing was saved. Sign in with the account you meant to connect."
        );
    }
}
