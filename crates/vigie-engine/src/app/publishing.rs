//! The publishing side of the facade: profiles, accounts, the composer's checks, the publish
//! gate, the outbox and the kill switch. Every rule is enforced by [`crate::publish::Publisher`];
//! this layer only turns requests into calls and errors into `{code, message}`.

use super::{App, AppError, AppResult};
use crate::publish::{ComposeCheck, Confirmation, PublishConfig, PublishError};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use vigie_domain::publish::{Account, Content, Network, Profile, ProfileKind};
use vigie_secrets::Sensitive;
use vigie_store::{KillSwitch, Post, StoreError};

impl From<PublishError> for AppError {
    fn from(e: PublishError) -> Self {
        let (code, message) = (e.code(), e.to_string());
        match e {
            PublishError::Refused(refusal) => AppError {
                refusal: Some(Box::new(refusal)),
                ..AppError::new(code, message)
            },
            PublishError::Account { problem, .. } => AppError {
                problem: Some(Box::new(problem)),
                ..AppError::new(code, message)
            },
            PublishError::Keychain(e) => AppError::keychain(e),
            // Keeps what it is about (a missing account, a duplicate profile…).
            PublishError::Store(
                s @ (StoreError::NotFound { .. } | StoreError::Duplicate { .. }),
            ) => s.into(),
            _ => AppError::new(code, message),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSpec {
    pub name: String,
    pub kind: ProfileKind,
    pub colour: String,
    #[serde(default)]
    pub allowed_handles: Vec<String>,
}

/// Connect an account: Mastodon with a pasted token, or Bluesky with an app password. The
/// secret goes straight to the keychain; it is never returned.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectRequest {
    pub profile_id: i64,
    pub network: Network,
    pub server: String,
    /// Bluesky: the handle to sign in with; Mastodon: the account the user expects.
    #[serde(default)]
    pub handle: Option<String>,
    pub secret: Sensitive<String>,
}

impl std::fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectRequest")
            .field("profile_id", &self.profile_id)
            .field("network", &self.network)
            .field("server", &self.server)
            .field("handle", &self.handle)
            .field("secret", &self.secret)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComposeRequest {
    /// The active profile (the workspace the user is in).
    pub profile_id: i64,
    pub account_id: i64,
    pub content: Content,
    #[serde(default)]
    pub watch_id: Option<i64>,
    /// Required when the confirmation rule says "type the handle".
    #[serde(default)]
    pub typed_handle: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishSettings {
    pub undo_secs: i64,
    /// None: never ask to type the handle because of the audience.
    pub audience_threshold: Option<i64>,
}

impl Default for PublishSettings {
    fn default() -> Self {
        let d = PublishConfig::default();
        PublishSettings {
            undo_secs: d.undo_secs,
            audience_threshold: d.audience_threshold,
        }
    }
}

const PUBLISH_KEY: &str = "publish";

impl PublishSettings {
    /// The saved settings (defaults until saved).
    pub fn load(store: &vigie_store::Store) -> Result<Self, vigie_store::StoreError> {
        Ok(store
            .setting(PUBLISH_KEY)?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    /// Validates and saves; the change (before and after) goes to the audit log with it: the
    /// undo window and the audience threshold are guards.
    pub fn save(
        &self,
        store: &mut vigie_store::Store,
        now: vigie_domain::Timestamp,
    ) -> AppResult<()> {
        if !(0..=600).contains(&self.undo_secs) {
            return Err(AppError::new(
                "invalid",
                "the undo window must be between 0 and 600 seconds",
            ));
        }
        let json = serde_json::to_string(self).expect("serialises");
        let before = Self::load(store)?;
        Ok(store.batch(|s| {
            s.set_setting(PUBLISH_KEY, &json)?;
            s.record(
                now,
                "publish_settings_changed",
                serde_json::json!({
                    "undo_secs": self.undo_secs, "audience_threshold": self.audience_threshold,
                    "before": {"undo_secs": before.undo_secs, "audience_threshold": before.audience_threshold},
                }),
            )
        })?)
    }

    pub fn config(&self) -> PublishConfig {
        PublishConfig {
            undo_secs: self.undo_secs,
            audience_threshold: self.audience_threshold,
            ..PublishConfig::default()
        }
    }
}
const ACTIVE_PROFILE_KEY: &str = "active_profile";

impl App {
    pub(super) fn apply_publish_settings(&self) -> AppResult<()> {
        let s = self.publish_settings()?;
        self.publisher.set_config(s.config());
        Ok(())
    }

    pub fn publisher(&self) -> &crate::publish::Publisher {
        &self.publisher
    }

    /// Drafts, playbooks, roster and approvals.
    pub fn team(&self) -> &crate::approvals::Team {
        &self.team
    }

    pub fn publish_settings(&self) -> AppResult<PublishSettings> {
        self.db(|s| PublishSettings::load(s))
    }

    pub fn save_publish_settings(&self, p: &PublishSettings) -> AppResult<PublishSettings> {
        {
            let mut s = self.store.lock().unwrap_or_else(|e| e.into_inner());
            p.save(&mut s, self.now())?;
        }
        self.apply_publish_settings()?;
        Ok(*p)
    }

    pub fn profiles(&self) -> AppResult<Vec<Profile>> {
        self.read(|s| s.profiles())
    }

    pub fn create_profile(&self, spec: &ProfileSpec) -> AppResult<Profile> {
        let p = self.publisher.create_profile(
            &spec.name,
            spec.kind,
            &spec.colour,
            &spec.allowed_handles,
        )?;
        if self.active_profile()?.is_none() {
            self.set_active_profile(p.id)?;
        }
        Ok(p)
    }

    pub fn set_allowed_handles(&self, profile_id: i64, handles: &[String]) -> AppResult<Profile> {
        Ok(self.publisher.set_allowed_handles(profile_id, handles)?)
    }

    /// The profile the user works in (shown at all times), if any exists.
    pub fn active_profile(&self) -> AppResult<Option<Profile>> {
        let id = self
            .read(|s| s.setting(ACTIVE_PROFILE_KEY))?
            .and_then(|v| v.parse::<i64>().ok());
        let profiles = self.profiles()?;
        Ok(id
            .and_then(|id| profiles.iter().find(|p| p.id == id).cloned())
            .or_else(|| profiles.into_iter().next()))
    }

    pub fn set_active_profile(&self, profile_id: i64) -> AppResult<Profile> {
        let p = self.db(|s| s.profile(profile_id))?;
        self.db(|s| s.set_setting(ACTIVE_PROFILE_KEY, &profile_id.to_string()))?;
        Ok(p)
    }

    /// The accounts of one profile only: a workspace never lists another profile's accounts.
    pub fn accounts(&self, profile_id: i64) -> AppResult<Vec<Account>> {
        Ok(self.publisher.accounts(profile_id)?)
    }

    pub async fn connect_account(&self, r: ConnectRequest) -> AppResult<Account> {
        let handle = r.handle.as_deref().map(str::trim).filter(|h| !h.is_empty());
        match r.network {
            Network::Mastodon => Ok(self
                .publisher
                .connect_mastodon_token(r.profile_id, &r.server, r.secret, handle)
                .await?),
            Network::Bluesky => {
                let handle = handle.ok_or_else(|| {
                    AppError::new("invalid", "a Bluesky account needs its handle")
                })?;
                Ok(self
                    .publisher
                    .connect_bluesky(r.profile_id, &r.server, handle, r.secret)
                    .await?)
            }
        }
    }

    /// Starts a Mastodon sign-in; returns (flow id, the address to open in the browser).
    pub async fn begin_mastodon_sign_in(&self, server: &str) -> AppResult<(String, String)> {
        Ok(self.publisher.begin_mastodon_oauth(server).await?)
    }

    /// "Stop waiting" for the browser: nothing will be connected by this sign-in.
    pub async fn cancel_mastodon_sign_in(&self, flow: &str) -> bool {
        self.publisher.cancel_mastodon_oauth(flow).await
    }

    pub async fn finish_mastodon_sign_in(
        &self,
        flow: &str,
        profile_id: i64,
        expected_handle: Option<&str>,
    ) -> AppResult<Account> {
        Ok(self
            .publisher
            .finish_mastodon_oauth(flow, profile_id, expected_handle, Duration::from_secs(300))
            .await?)
    }

    pub async fn disconnect_account(
        &self,
        account_id: i64,
    ) -> AppResult<crate::publish::Disconnected> {
        Ok(self.publisher.disconnect(account_id).await?)
    }

    pub fn credential_is_set(&self, account_id: i64) -> AppResult<bool> {
        Ok(self.publisher.credential_is_set(account_id)?)
    }

    /// The workspace a request speaks for must be the active profile, as the engine knows it:
    /// a stale or forged profile id from the UI never reaches another profile's accounts.
    fn active_profile_id(&self, requested: i64) -> AppResult<i64> {
        let active = self.active_profile()?.ok_or_else(|| {
            AppError::new("refused", "create a publishing profile first").about("no_profile", None)
        })?;
        if active.id != requested {
            return Err(AppError::new(
                "refused",
                format!(
                    "the active profile is now {:?}: check the account and confirm again",
                    active.name
                ),
            )
            .about("profile_changed", Some(active.name)));
        }
        Ok(active.id)
    }

    /// What the confirmation dialog shows: identity, audience, level, counter, problems, rule.
    pub fn compose_check(&self, r: &ComposeRequest) -> AppResult<ComposeCheck> {
        let profile = self.active_profile_id(r.profile_id)?;
        Ok(self
            .publisher
            .check(profile, r.account_id, &r.content, r.watch_id)?)
    }

    /// The publish gate: queues the post for the undo window, or says why not.
    pub fn queue_post(&self, r: &ComposeRequest) -> AppResult<Post> {
        let profile = self.active_profile_id(r.profile_id)?;
        Ok(self.publisher.queue(
            profile,
            r.account_id,
            &r.content,
            &Confirmation {
                typed_handle: r.typed_handle.clone(),
            },
            r.watch_id,
        )?)
    }

    pub fn outbox(&self, limit: usize) -> AppResult<Vec<Post>> {
        Ok(self.publisher.outbox(limit.clamp(1, 1000))?)
    }

    pub fn cancel_post(&self, id: i64) -> AppResult<Post> {
        Ok(self.publisher.cancel(id)?)
    }

    /// A failed post goes through the gate again, as the active profile's, with the handle
    /// typed when today's rule asks for it.
    pub fn retry_post(
        &self,
        profile_id: i64,
        id: i64,
        typed_handle: Option<String>,
    ) -> AppResult<Post> {
        let profile = self.active_profile_id(profile_id)?;
        Ok(self
            .publisher
            .retry(profile, id, &Confirmation { typed_handle })?)
    }

    /// What the screens show; sending checks the switch again through the writer.
    pub fn kill_switch(&self) -> AppResult<KillSwitch> {
        self.read(|s| s.kill_switch())
    }

    pub fn set_kill_switch(&self, on: bool, reason: &str) -> AppResult<KillSwitch> {
        Ok(self.publisher.set_kill_switch(on, reason)?)
    }

    /// Sends what is due now (the delivery loop does this every second; the CLI calls it).
    pub async fn deliver_now(&self) -> crate::publish::DeliveryReport {
        self.publisher.deliver_due().await
    }
}
