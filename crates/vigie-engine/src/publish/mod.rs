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

mod bluesky;
mod mastodon;
mod oauth;

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
    ConfirmRule, Content, Identity, Image, Invalid, Limits, Network, Profile, ProfileKind,
};
use vigie_domain::{Level, Timestamp};
use vigie_secrets::{Keychain, SecretsError, Sensitive};
use vigie_store::{KillSwitch, NewPost, Outcome, Post, Store, StoreError};

/// Why publishing refused or failed, in words the user can act on.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// A guard said no (wrong profile, wrong account, missing confirmation, not approved…).
    #[error("{0}")]
    Refused(String),
    #[error("the post cannot go out as it is: {}", .0.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Invalid>),
    #[error(transparent)]
    Keychain(#[from] SecretsError),
    #[error("{0}")]
    Auth(String),
    #[error("{0}")]
    Server(String),
    #[error("the server could not be reached: {0}")]
    Network(String),
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
            PublishError::Auth(_) => "auth",
            PublishError::Server(_) => "server",
            PublishError::Network(_) => "network",
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
    fn check(&self, ctx: &GateContext<'_>) -> Result<(), String>;
    /// The post went out: approvals that served it are spent.
    fn sent(&self, _ctx: &GateContext<'_>, _post_id: i64) {}
}

/// No approval policy: every post the other guards accept may go (the CLI and tests of the
/// publishing rules alone use it; the app uses the approval workflow's gate).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoApprovalPolicy;

impl ApprovalGate for NoApprovalPolicy {
    fn check(&self, _: &GateContext<'_>) -> Result<(), String> {
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
    NotSent(String),
    /// The request may have been stored: reconcile before trying again.
    Unknown(String),
    /// Expired or revoked credential.
    Auth(String),
    /// The server refused the content.
    Rejected(String),
    RateLimited {
        after_secs: i64,
    },
    /// The kill switch is on: reconciled if possible, otherwise not sent.
    Paused,
}

enum FailKind {
    Unknown,
    Other,
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
    /// `invalid`, in words.
    pub problems: Vec<String>,
    pub kill_switch: KillSwitch,
    #[serde(skip)]
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
    pending: tokio::sync::Mutex<HashMap<String, PendingAuth>>,
    /// One delivery pass at a time.
    delivering: tokio::sync::Mutex<()>,
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

fn random_key() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Sniffs the image type from its first bytes.
fn image_mime(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xff, 0xd8, 0xff, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// Credentials only travel over https, except to this machine (local test servers).
fn check_server(server: &str) -> PublishResult<()> {
    let u = url::Url::parse(server)
        .map_err(|e| PublishError::Refused(format!("{server:?} is not a valid address ({e})")))?;
    let local = matches!(
        u.host_str(),
        Some("127.0.0.1") | Some("localhost") | Some("[::1]") | Some("::1")
    );
    match u.scheme() {
        "https" => Ok(()),
        "http" if local => Ok(()),
        other => Err(PublishError::Refused(format!(
            "{server} uses {other}: Vigie sends credentials only over https"
        ))),
    }
}

/// Is this a SHA-256 in lower-case hex (and so a plain file name in the media folder)?
fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Publisher {
    /// The bytes of an attached image, checked against what was confirmed: the file name is a
    /// SHA-256 (never a path), its content still hashes to it, and its real type and size are
    /// the ones declared.
    fn image_bytes(&self, img: &Image) -> Result<Vec<u8>, String> {
        if !is_sha256_hex(&img.sha256) {
            return Err(format!(
                "image {:?}: not a media reference Vigie made",
                img.alt
            ));
        }
        let bytes = std::fs::read(self.media_dir.join(&img.sha256)).map_err(|e| {
            format!(
                "the image {:?} is no longer in Vigie's media folder ({e}): attach it again",
                img.alt
            )
        })?;
        let sha = hex::encode(Sha256::digest(&bytes));
        if sha != img.sha256
            || bytes.len() as u64 != img.bytes
            || image_mime(&bytes) != Some(img.mime.as_str())
        {
            return Err(format!(
                "the image {:?} changed since it was attached: attach it again",
                img.alt
            ));
        }
        Ok(bytes)
    }

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
            pending: Default::default(),
            delivering: Default::default(),
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

    /// Where a profile's Bluesky app passwords live (key: the handle).
    fn bluesky_passwords(&self, profile_id: i64) -> Keychain {
        self.keychain_for(profile_id, "-bluesky-app-password")
    }

    fn bluesky_of(&self, profile_id: i64) -> Arc<Bluesky> {
        let mut map = self.bluesky.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(map.entry(profile_id).or_insert_with(|| {
            Arc::new(Bluesky::new(
                self.bluesky_passwords(profile_id),
                self.keychain_for(profile_id, "-bluesky-session"),
            ))
        }))
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

    // ----- connecting accounts ---------------------------------------------------------------

    fn admit(
        &self,
        profile_id: i64,
        network: Network,
        server: &str,
        identity: &Identity,
        expected: Option<&str>,
    ) -> PublishResult<Profile> {
        let profile = self.db(|s| s.profile(profile_id))?;
        if let Some(exp) = expected.filter(|e| !e.trim().is_empty()) {
            let exp = normalize_handle(network, exp, server);
            if exp != identity.handle {
                self.log_refusal(
                    "account_refused",
                    profile_id,
                    &identity.handle,
                    "wrong_account",
                );
                return Err(PublishError::Refused(
                    vigie_domain::publish::AccountRefusal::WrongAccount {
                        expected: exp,
                        actual: identity.handle.clone(),
                    }
                    .to_string(),
                ));
            }
        }
        if let Err(e) = may_hold(&profile, identity) {
            self.log_refusal(
                "account_refused",
                profile_id,
                &identity.handle,
                "not_allow_listed",
            );
            return Err(PublishError::Refused(e.to_string()));
        }
        Ok(profile)
    }

    fn log_refusal(&self, kind: &str, profile_id: i64, handle: &str, why: &str) {
        let now = self.now();
        let _ = self.db(|s| {
            s.record(
                now,
                kind,
                serde_json::json!({"profile_id": profile_id, "handle": handle, "why": why}),
            )
        });
    }

    /// Connects a Mastodon account from a pasted access token (the fallback to OAuth).
    /// `expected_handle`: the account the user means to connect; any other is refused.
    pub async fn connect_mastodon_token(
        &self,
        profile_id: i64,
        server: &str,
        token: Sensitive<String>,
        expected_handle: Option<&str>,
    ) -> PublishResult<Account> {
        let server = server.trim().trim_end_matches('/').to_string();
        check_server(&server)?;
        let identity = mastodon::verify(&self.http, &server, &token, self.now())
            .await
            .map_err(connect_error)?;
        self.admit(
            profile_id,
            Network::Mastodon,
            &server,
            &identity,
            expected_handle,
        )?;
        let limits = mastodon::limits(&self.http, &server).await;
        let kc = self.keychain(profile_id);
        let key = Self::mastodon_key(&identity.handle);
        // Reconnecting an account this profile already holds: replace its token, keep its
        // history (the old token, if any, is overwritten only after the new one was verified).
        if let Some(existing) = self.existing(profile_id, Network::Mastodon, &server, &identity)? {
            kc.set(&key, &token)?;
            self.db(|s| s.update_account(existing.id, &identity, &limits))?;
            return self.db(|s| s.account(existing.id));
        }
        let previous = kc.get(&key)?;
        kc.set(&key, &token)?;
        let now = self.now();
        match self.db(|s| {
            s.add_account(
                profile_id,
                Network::Mastodon,
                &server,
                &identity,
                &limits,
                now,
            )
        }) {
            Ok(a) => Ok(a),
            Err(e) => {
                // Nothing half-saved, nothing lost: the keychain entry goes back to what it was.
                let _ = match previous {
                    Some(old) => kc.set(&key, &old),
                    None => kc.delete(&key),
                };
                Err(e)
            }
        }
    }

    /// The account of this profile with this remote identity, if it is already connected.
    fn existing(
        &self,
        profile_id: i64,
        network: Network,
        server: &str,
        identity: &Identity,
    ) -> PublishResult<Option<Account>> {
        Ok(self
            .db(|s| s.accounts(Some(profile_id)))?
            .into_iter()
            .find(|a| {
                a.network == network
                    && a.server == server
                    && a.identity.remote_id == identity.remote_id
            }))
    }

    /// Starts a Mastodon sign-in: registers Vigie on the instance if needed and opens a
    /// loopback listener. Open `authorize_url` in the browser, then call [`Self::finish_mastodon_oauth`].
    pub async fn begin_mastodon_oauth(&self, server: &str) -> PublishResult<(String, String)> {
        let server = server.trim().trim_end_matches('/').to_string();
        check_server(&server)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| PublishError::Network(format!("no local port for the sign-in: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| PublishError::Network(e.to_string()))?
            .port();
        let redirect = format!("http://127.0.0.1:{port}/vigie/callback");
        // Mastodon matches redirect URIs exactly: one registration per (instance, port).
        let (app, secret) = oauth::register(&self.http, &server, &redirect).await?;
        let verifier = oauth::supports_pkce(&self.http, &server)
            .await
            .then(oauth::new_verifier);
        let state = oauth::new_state();
        let authorize_url = oauth::authorize_url(&server, &app, &state, verifier.as_deref());
        let flow = state.clone();
        self.pending.lock().await.insert(
            flow.clone(),
            PendingAuth {
                server,
                authorize_url: authorize_url.clone(),
                listener,
                state,
                verifier,
                app,
                secret,
            },
        );
        Ok((flow, authorize_url))
    }

    /// Waits for the browser to come back, then connects the account like a pasted token.
    pub async fn finish_mastodon_oauth(
        &self,
        flow: &str,
        profile_id: i64,
        expected_handle: Option<&str>,
        timeout: Duration,
    ) -> PublishResult<Account> {
        let p = self.pending.lock().await.remove(flow).ok_or_else(|| {
            PublishError::Refused("this sign-in is not pending any more: start again".into())
        })?;
        let server = p.server.clone();
        let token = oauth::finish(&self.http, p, timeout).await?;
        self.connect_mastodon_token(profile_id, &server, token, expected_handle)
            .await
    }

    /// Connects a Bluesky account with its handle and an app password.
    pub async fn connect_bluesky(
        &self,
        profile_id: i64,
        service: &str,
        handle: &str,
        app_password: Sensitive<String>,
    ) -> PublishResult<Account> {
        let service = service.trim().trim_end_matches('/').to_string();
        check_server(&service)?;
        let handle = normalize_handle(Network::Bluesky, handle, &service);
        let bsky = self.bluesky_of(profile_id);
        let passwords = self.bluesky_passwords(profile_id);
        // A typo while reconnecting must not destroy the password that works.
        let previous = passwords.get(&handle)?;
        bsky.forget(&service, &handle).await;
        bsky.set_app_password(&handle, &app_password)?;
        let result = async {
            let identity = bluesky::identity(&bsky, &self.http, &service, &handle, self.now())
                .await
                .map_err(connect_error)?;
            self.admit(
                profile_id,
                Network::Bluesky,
                &service,
                &identity,
                Some(&handle),
            )?;
            if let Some(existing) =
                self.existing(profile_id, Network::Bluesky, &service, &identity)?
            {
                self.db(|s| s.update_account(existing.id, &identity, &Limits::BLUESKY))?;
                return self.db(|s| s.account(existing.id));
            }
            let now = self.now();
            self.db(|s| {
                s.add_account(
                    profile_id,
                    Network::Bluesky,
                    &service,
                    &identity,
                    &Limits::BLUESKY,
                    now,
                )
            })
        }
        .await;
        if result.is_err() {
            let _ = match &previous {
                Some(old) => passwords.set(&handle, old),
                None => passwords.delete(&handle),
            };
            bsky.forget(&service, &handle).await;
        }
        result
    }

    /// Is a credential stored for this account? (The UI may ask; it never reads one.)
    pub fn credential_is_set(&self, account_id: i64) -> PublishResult<bool> {
        let a = self.db(|s| s.account(account_id))?;
        Ok(match a.network {
            Network::Mastodon => self
                .keychain(a.profile_id)
                .is_set(&Self::mastodon_key(&a.identity.handle))?,
            Network::Bluesky => self
                .bluesky_passwords(a.profile_id)
                .is_set(&a.identity.handle)?,
        })
    }

    /// Removes an account and its credentials from the keychain.
    pub async fn disconnect(&self, account_id: i64) -> PublishResult<Account> {
        let now = self.now();
        let a = self.db(|s| s.remove_account(account_id, now))?;
        match a.network {
            Network::Mastodon => self
                .keychain(a.profile_id)
                .delete(&Self::mastodon_key(&a.identity.handle))?,
            Network::Bluesky => {
                self.bluesky_passwords(a.profile_id)
                    .delete(&a.identity.handle)?;
                self.bluesky_of(a.profile_id)
                    .forget(&a.server, &a.identity.handle)
                    .await;
            }
        }
        Ok(a)
    }

    // ----- the publish gate ------------------------------------------------------------------

    /// Copies an image into Vigie's media folder and describes it for a post.
    pub fn add_image(&self, path: &Path, alt: &str) -> PublishResult<Image> {
        let bytes = std::fs::read(path).map_err(|e| {
            PublishError::Refused(format!("cannot read the image {}: {e}", path.display()))
        })?;
        let mime = image_mime(&bytes).ok_or_else(|| {
            PublishError::Refused(format!(
                "{} is not a JPEG, PNG, GIF or WebP image",
                path.display()
            ))
        })?;
        let sha = hex::encode(Sha256::digest(&bytes));
        std::fs::create_dir_all(&self.media_dir)
            .and_then(|_| std::fs::write(self.media_dir.join(&sha), &bytes))
            .map_err(|e| PublishError::Refused(format!("cannot keep a copy of the image: {e}")))?;
        Ok(Image {
            mime: mime.into(),
            bytes: bytes.len() as u64,
            sha256: sha,
            alt: alt.trim().into(),
        })
    }

    /// The level a post speaks into. A brand speaks into every crisis it has: the highest level
    /// of all watches (choosing a calm watch does not relax anything). A personal account: its
    /// watch's level, or the highest of all.
    fn level_for_post(&self, kind: ProfileKind, watch_id: Option<i64>) -> PublishResult<Level> {
        match kind {
            ProfileKind::Brand => self.level_for(None),
            ProfileKind::Personal => self.level_for(watch_id),
        }
    }

    fn level_for(&self, watch_id: Option<i64>) -> PublishResult<Level> {
        self.db(|s| s.highest_level(watch_id))
    }

    /// Checks a draft against the account's network and says how it must be confirmed.
    pub fn check(
        &self,
        active_profile: i64,
        account_id: i64,
        content: &Content,
        watch_id: Option<i64>,
    ) -> PublishResult<ComposeCheck> {
        let account = self.account_in_profile(active_profile, account_id)?;
        let profile = self.db(|s| s.profile(account.profile_id))?;
        let level = self.level_for_post(profile.kind, watch_id)?;
        let cfg = self.config();
        let rule = confirm_rule(
            profile.kind,
            level,
            account.identity.audience,
            cfg.audience_threshold,
        );
        let invalid = validate(account.network, &account.limits, content);
        Ok(ComposeCheck {
            count: vigie_domain::publish::count_chars(
                account.network,
                &account.limits,
                &content.text,
            ),
            max: account.limits.max_chars,
            problems: invalid.iter().map(|i| i.to_string()).collect(),
            invalid,
            kill_switch: self.db(|s| s.kill_switch())?,
            account,
            profile,
            level,
            rule,
        })
    }

    /// The account, if it belongs to the active profile. A brand workspace never reaches a
    /// personal account (and the other way round).
    fn account_in_profile(&self, active_profile: i64, account_id: i64) -> PublishResult<Account> {
        let account = self.db(|s| s.account(account_id))?;
        if account.profile_id != active_profile {
            let other = self.db(|s| s.profile(account.profile_id))?;
            let active = self.db(|s| s.profile(active_profile))?;
            return Err(PublishError::Refused(format!(
                "@{} belongs to the {} profile {:?}, not to the active profile {:?}: switch profile to use it",
                account.identity.handle,
                other.kind.as_str(),
                other.name,
                active.name
            )));
        }
        Ok(account)
    }

    /// The gate: validates, checks the confirmation and the approval, then queues the post for
    /// the undo window. Nothing is sent here.
    pub fn queue(
        &self,
        active_profile: i64,
        account_id: i64,
        content: &Content,
        confirmation: &Confirmation,
        watch_id: Option<i64>,
    ) -> PublishResult<Post> {
        let c = self.check(active_profile, account_id, content, watch_id)?;
        if !c.invalid.is_empty() {
            return Err(PublishError::Invalid(c.invalid));
        }
        for img in &content.images {
            self.image_bytes(img).map_err(PublishError::Refused)?;
        }
        if c.rule == ConfirmRule::TypeHandle {
            let typed = confirmation.typed_handle.as_deref().unwrap_or("");
            if !typed_handle_matches(&c.account, typed) {
                return Err(PublishError::Refused(format!(
                    "type the handle {} to confirm: this is a {} account{}",
                    c.account.display_handle(),
                    c.profile.kind.as_str(),
                    if c.level >= Level::Alert {
                        format!(" and the level is {}", c.level)
                    } else {
                        format!(" with {} followers", c.account.identity.audience)
                    }
                )));
            }
        }
        let hash = content.hash();
        let now = self.now();
        let ctx = GateContext {
            content,
            content_hash: &hash,
            account: &c.account,
            profile_kind: c.profile.kind,
            level: c.level,
            watch_id,
            now,
        };
        if let Err(why) = self.approvals.check(&ctx) {
            let _ = self.db(|s| {
                s.record(
                    now,
                    "post_refused",
                    serde_json::json!({"account_id": account_id, "content_hash": hash, "why": why}),
                )
            });
            return Err(PublishError::Refused(why));
        }
        let key = random_key();
        let sub = u32::from_be_bytes(
            Sha256::digest(key.as_bytes())[..4]
                .try_into()
                .expect("4 bytes"),
        ) % 1_000_000;
        let post = NewPost {
            key: &key,
            account_id,
            content,
            send_after: now + self.config().undo_secs.max(0),
            queued_micros: now * 1_000_000 + i64::from(sub),
            watch_id,
            confirmation: serde_json::json!({
                "rule": c.rule, "typed_handle": confirmation.typed_handle,
                "profile": c.profile.name, "profile_kind": c.profile.kind.as_str(),
                "handle": c.account.identity.handle, "level": c.level.as_str(),
            }),
        };
        self.db(|s| s.queue_post(&post, now))
    }

    pub fn cancel(&self, post_id: i64) -> PublishResult<Post> {
        let now = self.now();
        self.db(|s| s.cancel_post(post_id, now))
    }

    pub fn retry(&self, post_id: i64) -> PublishResult<Post> {
        let now = self.now();
        self.db(|s| s.retry_post(post_id, now))
    }

    pub fn outbox(&self, limit: usize) -> PublishResult<Vec<Post>> {
        self.db(|s| s.posts(limit))
    }

    pub fn kill_switch(&self) -> PublishResult<KillSwitch> {
        self.db(|s| s.kill_switch())
    }

    pub fn set_kill_switch(&self, on: bool, reason: &str) -> PublishResult<KillSwitch> {
        let now = self.now();
        self.db(|s| s.set_kill_switch(on, reason, now))
    }

    // ----- delivery --------------------------------------------------------------------------

    /// Sends every due post (one at a time), unless the kill switch is on. Posts left in
    /// "sending" by a previous run are reconciled first.
    pub async fn deliver_due(&self) -> DeliveryReport {
        let _one = self.delivering.lock().await;
        let mut report = DeliveryReport::default();
        let in_flight = self.db(|s| s.posts_in_flight()).unwrap_or_default();
        for post in in_flight {
            // Left in "sending" by a stop or a crash: the outcome is unknown.
            self.attempt(post, true, &mut report).await;
        }
        loop {
            let now = self.now();
            let claimed = self.db(|s| s.claim_due_post(now));
            match claimed {
                Ok(Some(post)) => {
                    // Only an attempt whose outcome was unknown makes Vigie look first.
                    let unknown = post.outcome_unknown;
                    self.attempt(post, unknown, &mut report).await
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!("outbox: {e}");
                    break;
                }
            }
        }
        report.paused = self.db(|s| s.kill_switch()).map(|k| k.on).unwrap_or(false);
        report
    }

    async fn attempt(&self, post: Post, unknown_before: bool, report: &mut DeliveryReport) {
        let outcome = self.send(&post, unknown_before).await;
        let now = self.now();
        match &outcome {
            Outcome::Sent { .. } => report.sent += 1,
            Outcome::Retry { .. } => report.deferred += 1,
            Outcome::Failed { .. } => report.failed += 1,
        }
        if let Err(e) = self.db(|s| s.finish_post(post.id, &outcome, now)) {
            // The post stays "sending" and is reconciled on the next pass: never sent twice.
            tracing::warn!(
                "outbox: could not record the outcome of post {}: {e}",
                post.id
            );
        }
    }

    async fn send(&self, post: &Post, unknown_before: bool) -> Outcome {
        let now = self.now();
        let retry_soon = |error: String, unknown: bool| Outcome::Retry {
            at: now + 30 * post.attempts.clamp(1, 20),
            error,
            unknown,
        };
        let account = match self.db(|s| s.account(post.account_id)) {
            Ok(a) => a,
            Err(e) => {
                return Outcome::Failed {
                    error: e.to_string(),
                    unknown: unknown_before,
                }
            }
        };
        if post.content.hash() != post.content_hash {
            return Outcome::Failed {
                error: "the stored content no longer matches what was confirmed: not sent".into(),
                unknown: unknown_before,
            };
        }
        let kind = self
            .db(|s| s.profile(account.profile_id))
            .map(|p| p.kind)
            .unwrap_or(ProfileKind::Brand);
        // Fail closed: approvals are checked again at send time.
        let level = self
            .level_for_post(kind, post.watch_id)
            .unwrap_or(Level::Crisis);
        let ctx = GateContext {
            content: &post.content,
            content_hash: &post.content_hash,
            account: &account,
            profile_kind: kind,
            level,
            watch_id: post.watch_id,
            now,
        };
        // What may stop the write. When an earlier attempt's outcome is unknown, the post is
        // looked for first (a read), so a post that did go out is recorded as sent, not
        // reported "not sent" and queued again by the user.
        let hold = if self.db(|s| s.kill_switch()).map(|k| k.on).unwrap_or(true) {
            Some(SendFailure::Paused)
        } else {
            self.approvals
                .check(&ctx)
                .err()
                .map(|why| SendFailure::Rejected(format!("not sent: {why}")))
        };
        if let (Some(SendFailure::Rejected(m)), false) = (&hold, unknown_before) {
            return Outcome::Failed {
                error: m.clone(),
                unknown: false,
            };
        }
        let result = match account.network {
            Network::Mastodon => {
                self.send_mastodon(&account, post, unknown_before, hold, now)
                    .await
            }
            Network::Bluesky => {
                self.send_bluesky(&account, post, unknown_before, hold, now)
                    .await
            }
        };
        if result.is_ok() {
            self.approvals.sent(&ctx, post.id);
        }
        match result {
            Ok((a, reconciled)) => Outcome::Sent {
                remote_id: a.remote_id,
                remote_url: a.remote_url,
                reconciled,
            },
            Err(f) => {
                let last = post.attempts >= self.config().max_attempts;
                let f_kind = if matches!(f, SendFailure::Unknown(_)) {
                    FailKind::Unknown
                } else {
                    FailKind::Other
                };
                match f {
                    SendFailure::Paused => Outcome::Retry {
                        at: now,
                        error: "publishing is paused (kill switch): the post waits".into(),
                        unknown: unknown_before,
                    },
                    SendFailure::RateLimited { after_secs } => Outcome::Retry {
                        at: now + after_secs.max(1),
                        error: format!(
                            "the server asks Vigie to slow down: next try in {after_secs} s"
                        ),
                        unknown: unknown_before,
                    },
                    SendFailure::NotSent(m) if !last => retry_soon(m, unknown_before),
                    SendFailure::Unknown(m) if !last => retry_soon(m, true),
                    SendFailure::NotSent(m) | SendFailure::Unknown(m) => Outcome::Failed {
                        error: format!(
                            "{m} (after {} attempts; press retry when the server is back)",
                            post.attempts
                        ),
                        unknown: unknown_before || matches!(f_kind, FailKind::Unknown),
                    },
                    SendFailure::Auth(m) | SendFailure::Rejected(m) => Outcome::Failed {
                        error: m,
                        unknown: unknown_before,
                    },
                }
            }
        }
    }

    /// The kill switch, read again just before a write (uploads and checks can take a while).
    fn paused_now(&self) -> bool {
        self.db(|s| s.kill_switch()).map(|k| k.on).unwrap_or(true)
    }

    /// Checks the credential still belongs to the account it claims to be.
    fn same_account(account: &Account, found: &Identity) -> Result<(), SendFailure> {
        if found.remote_id != account.identity.remote_id {
            return Err(SendFailure::Auth(format!(
                "the stored credential now belongs to @{} instead of @{}: nothing was sent. Reconnect @{}.",
                found.handle, account.identity.handle, account.identity.handle
            )));
        }
        Ok(())
    }

    async fn send_mastodon(
        &self,
        account: &Account,
        post: &Post,
        unknown_before: bool,
        hold: Option<SendFailure>,
        now: Timestamp,
    ) -> Result<(Attempt, bool), SendFailure> {
        let token = self
            .keychain(account.profile_id)
            .get(&Self::mastodon_key(&account.identity.handle))
            .map_err(|e| SendFailure::NotSent(e.to_string()))?
            .ok_or_else(|| {
                SendFailure::Auth(format!(
                    "no token is stored for @{}: reconnect this account",
                    account.identity.handle
                ))
            })?;
        let who = mastodon::verify(&self.http, &account.server, &token, now).await?;
        Self::same_account(account, &who)?;
        if unknown_before {
            let taken = self
                .db(|s| s.sent_remote_ids(account.id))
                .map_err(|e| SendFailure::NotSent(e.to_string()))?;
            let since = post.first_attempt_at.unwrap_or(post.queued_at);
            if let Some(found) = mastodon::find_ours(
                &self.http,
                &account.server,
                &token,
                &account.identity.remote_id,
                &post.content.text,
                post.content.images.len(),
                since,
                &taken,
            )
            .await?
            {
                return Ok((found, true));
            }
        }
        if let Some(h) = hold {
            return Err(h);
        }
        let mut media = Vec::new();
        for img in &post.content.images {
            let bytes = self.image_bytes(img).map_err(SendFailure::Rejected)?;
            media.push(
                mastodon::upload_media(
                    &self.http,
                    &account.server,
                    &token,
                    bytes,
                    &img.mime,
                    &img.alt,
                    now,
                )
                .await?,
            );
        }
        if self.paused_now() {
            return Err(SendFailure::Paused);
        }
        let sent = mastodon::post_status(
            &self.http,
            &account.server,
            &token,
            &post.content.text,
            &media,
            &post.key,
            now,
        )
        .await;
        let sent = match sent {
            Err(SendFailure::Unknown(m)) => {
                // The post may be on the server: look before anyone tries again.
                let taken = self
                    .db(|s| s.sent_remote_ids(account.id))
                    .unwrap_or_default();
                let since = post.first_attempt_at.unwrap_or(now);
                return match mastodon::find_ours(
                    &self.http,
                    &account.server,
                    &token,
                    &account.identity.remote_id,
                    &post.content.text,
                    post.content.images.len(),
                    since,
                    &taken,
                )
                .await
                {
                    Ok(Some(found)) => Ok((found, true)),
                    _ => Err(SendFailure::Unknown(m)),
                };
            }
            other => other?,
        };
        // Read it back: the post exists, and its public URL is the server's.
        let url = mastodon::read_back(&self.http, &account.server, &token, &sent.remote_id)
            .await
            .and_then(|s| s.url.or(s.uri))
            .or(sent.remote_url.clone());
        Ok((
            Attempt {
                remote_id: sent.remote_id,
                remote_url: url,
            },
            false,
        ))
    }

    async fn send_bluesky(
        &self,
        account: &Account,
        post: &Post,
        unknown_before: bool,
        hold: Option<SendFailure>,
        now: Timestamp,
    ) -> Result<(Attempt, bool), SendFailure> {
        let bsky = self.bluesky_of(account.profile_id);
        let (svc, handle) = (&account.server, &account.identity.handle);
        let who = bluesky::identity(&bsky, &self.http, svc, handle, now).await?;
        Self::same_account(account, &who)?;
        let did = &account.identity.remote_id;
        let rkey = record_key(&post.key, post.queued_micros.max(0) as u64);
        if unknown_before {
            if let Some(found) =
                bluesky::find_record(&bsky, &self.http, svc, handle, did, &rkey, now).await?
            {
                return Ok((found, true));
            }
        }
        if let Some(h) = hold {
            return Err(h);
        }
        let mut record = serde_json::json!({
            "$type": bluesky::COLLECTION,
            "text": post.content.text,
            "createdAt": chrono::DateTime::from_timestamp_micros(post.queued_micros)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        });
        let facets =
            bluesky::record_facets(&bsky, &self.http, svc, handle, &post.content.text, now).await;
        if !facets.is_empty() {
            record["facets"] = serde_json::Value::Array(facets);
        }
        if !post.content.images.is_empty() {
            let mut images = Vec::new();
            for img in &post.content.images {
                let bytes = self.image_bytes(img).map_err(SendFailure::Rejected)?;
                let blob =
                    bluesky::upload_blob(&bsky, &self.http, svc, handle, &bytes, &img.mime, now)
                        .await?;
                images.push(serde_json::json!({"alt": img.alt, "image": blob}));
            }
            record["embed"] =
                serde_json::json!({"$type": "app.bsky.embed.images", "images": images});
        }
        if self.paused_now() {
            return Err(SendFailure::Paused);
        }
        match bluesky::create_post(&bsky, &self.http, svc, handle, did, &rkey, &record, now).await {
            Ok(a) => {
                // Read it back through the repository.
                match bluesky::find_record(&bsky, &self.http, svc, handle, did, &rkey, now).await {
                    Ok(Some(found)) => Ok((found, false)),
                    _ => Ok((a, false)),
                }
            }
            Err(f @ (SendFailure::Auth(_) | SendFailure::RateLimited { .. })) => Err(f),
            Err(f) => {
                // The record key is ours: if an earlier write landed, the record is there.
                match bluesky::find_record(&bsky, &self.http, svc, handle, did, &rkey, now).await {
                    Ok(Some(found)) => Ok((found, true)),
                    _ => Err(f),
                }
            }
        }
    }

    /// Runs delivery every `tick` until stopped. Owned by the caller.
    pub fn start(self: &Arc<Self>, tick: Duration) -> DeliveryTask {
        let token = CancellationToken::new();
        let me = Arc::clone(self);
        let stop = token.clone();
        let handle = tokio::spawn(async move {
            let mut every = tokio::time::interval(tick);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = every.tick() => {
                        let _ = me.deliver_due().await;
                    }
                }
            }
        });
        DeliveryTask { token, handle }
    }
}

/// The background delivery loop; [`DeliveryTask::stop`] ends it after the current attempt.
pub struct DeliveryTask {
    token: CancellationToken,
    handle: tokio::task::JoinHandle<()>,
}

impl DeliveryTask {
    pub async fn stop(self) {
        self.token.cancel();
        let _ = self.handle.await;
    }
}

fn connect_error(f: SendFailure) -> PublishError {
    match f {
        SendFailure::Auth(m) => PublishError::Auth(m),
        SendFailure::NotSent(m) | SendFailure::Unknown(m) => PublishError::Network(m),
        SendFailure::Rejected(m) => PublishError::Server(m),
        SendFailure::Paused => PublishError::Refused("publishing is paused (kill switch)".into()),
        SendFailure::RateLimited { after_secs } => PublishError::Server(format!(
            "the server asks to wait {after_secs} s before trying again"
        )),
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
        return Err(PublishError::Refused(format!(
            "{bad:?} is not a full handle: write user@instance for Mastodon or name.domain for Bluesky"
        )));
    }
    if kind == ProfileKind::Brand && out.is_empty() {
        return Err(PublishError::Refused(
            "a brand profile needs the list of handles it may hold".into(),
        ));
    }
    Ok(out)
}
