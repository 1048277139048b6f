//! Guarded publishing: profiles and accounts, the publish gate, and delivery without duplicates.
//!
//! The rules live here, not in the UI:
//! - a profile only uses its own accounts; a brand profile only holds allow-listed handles;
//! - every credential is checked against the account it claims to be, on connect and before
//!   every post;
//! - a post is validated for its network, confirmed (typing the handle when it matters),
//!   approved (the [`ApprovalGate`] hook), held for the undo window, and never sent while the
//!   kill switch is on;
//! - the outbox survives restarts; a post has one identity for all its attempts (Mastodon
//!   `Idempotency-Key`, Bluesky record key), and an attempt whose outcome is unknown is
//!   reconciled by reading the account's posts before anything is sent again.

mod accounts;
mod bluesky;
mod delivery;
mod gate;
mod mastodon;
mod oauth;

pub use accounts::check_server;
pub use delivery::DeliveryTask;
pub use oauth::PendingAuth;

use crate::bluesky::Bluesky;
use crate::fetch::{FetchConfig, Http};
use crate::runner::Clock;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use vigie_domain::publish::{
    confirm_rule, may_hold, normalize_handle, record_key, typed_handle_matches, validate, Account,
    ConfirmRule, Content, Identity, Image, Invalid, Limits, Network, PostProblem, PostState,
    Profile, ProfileKind, Refusal,
};
use vigie_domain::{Level, Timestamp};
use vigie_secrets::{Keychain, SecretsError, Sensitive};
use vigie_store::{KillSwitch, NewPost, Outcome, Post, Store, StoreError};

/// Why publishing refused or failed, in words the user can act on.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// A guard said no (wrong profile, wrong account, missing confirmation, not approved…).
    #[error("{0}")]
    Refused(Refusal),
    #[error("the post cannot go out as it is: {}", .0.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Invalid>),
    #[error(transparent)]
    Keychain(#[from] SecretsError),
    /// Checking an account with its server failed (`code`: auth, network or server).
    #[error("{problem}")]
    Account {
        code: &'static str,
        problem: PostProblem,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PublishError {
    /// A stable code for the UI.
    pub fn code(&self) -> &'static str {
        match self {
            PublishError::Refused(_) => "refused",
            PublishError::Invalid(_) => "invalid",
            PublishError::Keychain(_) => "keychain",
            PublishError::Account { code, .. } => code,
            PublishError::Store(StoreError::NotFound { .. }) => "not_found",
            PublishError::Store(StoreError::Duplicate { .. }) => "duplicate",
            PublishError::Store(StoreError::Invalid { .. }) => "invalid",
            PublishError::Store(_) => "store",
        }
    }
}

pub type PublishResult<T> = Result<T, PublishError>;

/// What the approval gate is asked about: this exact content, for this exact account, now.
#[derive(Debug, Clone, Copy)]
pub struct GateContext<'a> {
    pub content: &'a Content,
    pub content_hash: &'a str,
    pub account: &'a Account,
    pub profile_kind: ProfileKind,
    pub level: Level,
    pub watch_id: Option<i64>,
    pub now: Timestamp,
}

/// The hook where the approval workflow plugs in: "is this exact content approved for this
/// exact account?". The gate asks when a post is queued and again just before it is sent.
pub trait ApprovalGate: Send + Sync {
    /// `Err(reason)` refuses the post.
    fn check(&self, ctx: &GateContext<'_>) -> Result<(), Refusal>;
    /// The post went out: approvals that served it are spent.
    fn sent(&self, _ctx: &GateContext<'_>, _post_id: i64) {}
}

/// No approval policy: every post the other guards accept may go (the CLI and tests of the
/// publishing rules alone use it; the app uses the approval workflow's gate).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoApprovalPolicy;

impl ApprovalGate for NoApprovalPolicy {
    fn check(&self, _: &GateContext<'_>) -> Result<(), Refusal> {
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishConfig {
    /// How long a queued post can still be cancelled.
    pub undo_secs: i64,
    /// Above this audience, typing the handle is required for any account.
    pub audience_threshold: Option<i64>,
    /// Attempts before a post is marked failed.
    pub max_attempts: i64,
}

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig {
            undo_secs: 30,
            audience_threshold: Some(10_000),
            max_attempts: 5,
        }
    }
}

/// The result of one attempt that went through.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attempt {
    pub remote_id: String,
    pub remote_url: Option<String>,
}

/// How an attempt failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SendFailure {
    /// Nothing reached the server: safe to try again.
    NotSent(PostProblem),
    /// The request may have been stored: reconcile before trying again.
    Unknown(PostProblem),
    /// Expired or revoked credential.
    Auth(PostProblem),
    /// The server refused the content.
    Rejected(PostProblem),
    RateLimited {
        after_secs: i64,
    },
    /// The kill switch is on: reconciled if possible, otherwise not sent.
    Paused,
}

impl SendFailure {
    /// A guard said no at send time (approval, images): not sent, and not worth retrying.
    fn held(refusal: Refusal) -> Self {
        SendFailure::Rejected(PostProblem::NotSent { refusal })
    }
}

/// An account disconnected: its credential is gone; `kept_for_history` when its row stays
/// because posts or drafts name it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Disconnected {
    pub account: Account,
    pub kept_for_history: bool,
}

/// What the confirmation dialog shows, and what it must ask for.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComposeCheck {
    pub account: Account,
    pub profile: Profile,
    pub level: Level,
    pub rule: ConfirmRule,
    pub count: usize,
    pub max: usize,
    /// `invalid`, in English words (the CLI prints them; the UI words `invalid` itself).
    pub problems: Vec<String>,
    pub kill_switch: KillSwitch,
    /// What stops the post, as data (`kind` and its figures).
    pub invalid: Vec<Invalid>,
}

/// What the user confirmed in the dialog.
#[derive(Debug, Clone, Default)]
pub struct Confirmation {
    /// The handle typed by the user (required when the rule is [`ConfirmRule::TypeHandle`]).
    pub typed_handle: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryReport {
    pub sent: usize,
    pub deferred: usize,
    pub failed: usize,
    pub paused: bool,
    /// Another Vigie process on the same data folder (the app, `vigie run`, `vigie outbox
    /// send`) was delivering: this pass sent and reconciled nothing, so that a post it is
    /// sending is never taken for one left over by a crash and sent again.
    pub delivering_elsewhere: bool,
    /// The delivery lock could not be taken (its file cannot be created or locked): nothing
    /// is sent until it can, and this says why.
    pub lock_error: Option<String>,
}

pub struct Publisher {
    store: Arc<Mutex<Store>>,
    http: Http,
    clock: Arc<dyn Clock>,
    /// Prefix of the keychain namespaces (tests isolate themselves with it).
    keychain_prefix: String,
    approvals: Arc<dyn ApprovalGate>,
    config: Mutex<PublishConfig>,
    media_dir: PathBuf,
    bluesky: Mutex<HashMap<i64, Arc<Bluesky>>>,
    /// Profiles whose Bluesky credentials of older versions are filed by server (see
    /// [`Bluesky::adopt_legacy`]). Held while they are moved.
    legacy_filed: Mutex<std::collections::HashSet<i64>>,
    pending: tokio::sync::Mutex<HashMap<String, PendingAuth>>,
    /// Sign-ins waiting for the browser, by flow: "stop waiting" cancels them.
    signing_in: Mutex<HashMap<String, CancellationToken>>,
    /// One delivery pass at a time in this process.
    delivering: tokio::sync::Mutex<()>,
    /// And in all processes on this data folder: a file lock, which the OS lets go of when
    /// its holder exits or crashes (its posts left in "sending" are then reconciled at once).
    delivery_lock: PathBuf,
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

impl Publisher {
    pub fn new(
        store: Arc<Mutex<Store>>,
        data_dir: &Path,
        clock: Arc<dyn Clock>,
        keychain_prefix: &str,
        approvals: Arc<dyn ApprovalGate>,
    ) -> Publisher {
        Publisher {
            store,
            http: Http::unpooled(FetchConfig {
                connect_timeout: Duration::from_secs(10),
                total_timeout: Duration::from_secs(30),
                ..FetchConfig::default()
            }),
            clock,
            keychain_prefix: keychain_prefix.into(),
            approvals,
            config: Mutex::new(PublishConfig::default()),
            media_dir: data_dir.join("media"),
            bluesky: Mutex::default(),
            legacy_filed: Mutex::default(),
            pending: Default::default(),
            signing_in: Mutex::default(),
            delivering: Default::default(),
            delivery_lock: data_dir.join("delivery.lock"),
        }
    }

    /// Shorter HTTP timeouts (tests).
    pub fn with_fetch(mut self, cfg: FetchConfig) -> Self {
        self.http = Http::unpooled(cfg);
        self
    }

    pub fn config(&self) -> PublishConfig {
        *self.config.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_config(&self, c: PublishConfig) {
        *self.config.lock().unwrap_or_else(|p| p.into_inner()) = c;
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn db<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> PublishResult<T> {
        Ok(f(&mut lock(&self.store))?)
    }

    /// The keychain of one profile: `vigie/<prefix>profile-<id>`.
    fn keychain(&self, profile_id: i64) -> Keychain {
        self.keychain_for(profile_id, "")
    }

    /// `vigie/<prefix>profile-<id><suffix>`: one namespace per profile (and per kind of secret).
    fn keychain_for(&self, profile_id: i64, suffix: &str) -> Keychain {
        Keychain::new(&format!(
            "{}profile-{profile_id}{suffix}",
            self.keychain_prefix
        ))
    }

    /// Where a profile's Bluesky app passwords live (key: `bluesky::credential_key`).
    fn bluesky_passwords(&self, profile_id: i64) -> Keychain {
        self.keychain_for(profile_id, "-bluesky-app-password")
    }

    fn bluesky_of(&self, profile_id: i64) -> Arc<Bluesky> {
        let bsky = {
            let mut map = self.bluesky.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(map.entry(profile_id).or_insert_with(|| {
                Arc::new(Bluesky::new(
                    self.bluesky_passwords(profile_id),
                    self.keychain_for(profile_id, "-bluesky-session"),
                ))
            }))
        };
        self.file_legacy_bluesky_credentials(profile_id, &bsky);
        bsky
    }

    /// Once per profile, before its Bluesky client is used: app passwords older versions
    /// filed under the handle alone move to their server's key (see
    /// [`Bluesky::adopt_legacy`]). Other callers wait meanwhile; tried again at the next use
    /// when the keychain could not be reached (locked, say).
    fn file_legacy_bluesky_credentials(&self, profile_id: i64, bsky: &Bluesky) {
        let mut filed = self.legacy_filed.lock().unwrap_or_else(|p| p.into_inner());
        if filed.contains(&profile_id) {
            return;
        }
        let flag = format!("bluesky.profile_{profile_id}_credentials_by_server");
        let pairs = self.db(|s| {
            if s.setting(&flag)?.is_some() {
                return Ok(Vec::new());
            }
            Ok(s.accounts(Some(profile_id))?
                .into_iter()
                .filter(|a| a.network == Network::Bluesky)
                .map(|a| (a.server, a.identity.handle))
                .collect::<Vec<_>>())
        });
        let pairs = match pairs {
            Ok(p) if p.is_empty() => {
                filed.insert(profile_id);
                return;
            }
            Ok(p) => p,
            Err(_) => return,
        };
        if bsky.adopt_legacy(&pairs).is_ok() {
            let _ = self.db(|s| s.set_setting(&flag, "1"));
            filed.insert(profile_id);
        }
    }

    fn mastodon_key(handle: &str) -> String {
        format!("mastodon:{handle}")
    }

    // ----- profiles --------------------------------------------------------------------------

    pub fn create_profile(
        &self,
        name: &str,
        kind: ProfileKind,
        colour: &str,
        allowed_handles: &[String],
    ) -> PublishResult<Profile> {
        let handles = normalize_allow_list(kind, allowed_handles)?;
        let now = self.now();
        self.db(|s| s.add_profile(name, kind, colour, &handles, now))
    }

    pub fn set_allowed_handles(
        &self,
        profile_id: i64,
        handles: &[String],
    ) -> PublishResult<Profile> {
        let kind = self.db(|s| s.profile(profile_id))?.kind;
        let handles = normalize_allow_list(kind, handles)?;
        let now = self.now();
        self.db(|s| s.set_allowed_handles(profile_id, &handles, now))
    }

    pub fn profiles(&self) -> PublishResult<Vec<Profile>> {
        self.db(|s| s.profiles())
    }

    /// The accounts a profile may use: its own, never another profile's.
    pub fn accounts(&self, profile_id: i64) -> PublishResult<Vec<Account>> {
        self.db(|s| s.accounts(Some(profile_id)))
    }

    /// One account by id, whatever its profile (for showing its public identity).
    pub fn accounts_any(&self, account_id: i64) -> PublishResult<Account> {
        self.db(|s| s.account(account_id))
    }
}

/// Allow-lists hold normalised handles; a brand profile needs at least one.
fn normalize_allow_list(kind: ProfileKind, handles: &[String]) -> PublishResult<Vec<String>> {
    let out: Vec<String> = handles
        .iter()
        .map(|h| h.trim().trim_start_matches('@').to_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if let Some(bad) = out.iter().find(|h| !h.contains('.') && !h.contains('@')) {
        return Err(PublishError::Refused(Refusal::NotFullHandle {
            handle: bad.clone(),
        }));
    }
    if kind == ProfileKind::Brand && out.is_empty() {
        return Err(PublishError::Refused(Refusal::EmptyAllowList));
    }
    Ok(out)
}
