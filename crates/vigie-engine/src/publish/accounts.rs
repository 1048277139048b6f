//! Connecting accounts to a profile: Mastodon (token or OAuth) and Bluesky (app password),
//! each credential verified against the account it claims to be before anything is saved.

use super::*;

impl Publisher {
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
                return Err(PublishError::Refused(Refusal::WrongAccount {
                    expected: exp,
                    actual: identity.handle.clone(),
                }));
            }
        }
        if let Err(e) = may_hold(&profile, identity) {
            self.log_refusal(
                "account_refused",
                profile_id,
                &identity.handle,
                "not_allow_listed",
            );
            return Err(PublishError::Refused(e));
        }
        // A handle a brand names is the brand's: never held by a personal profile, whichever
        // was connected first (the Chrysler tweet went out from an account its author took
        // for his own).
        if let Err(e) = self.not_a_brand_s(&profile, &identity.handle) {
            self.log_refusal(
                "account_refused",
                profile_id,
                &identity.handle,
                "brand_account",
            );
            return Err(e);
        }
        Ok(profile)
    }

    /// A handle a brand profile lists is the brand's: a personal profile neither holds nor
    /// posts with it.
    pub(super) fn not_a_brand_s(&self, profile: &Profile, handle: &str) -> PublishResult<()> {
        if profile.kind != ProfileKind::Personal {
            return Ok(());
        }
        let brand = self.db(|s| s.profiles())?.into_iter().find(|p| {
            p.kind == ProfileKind::Brand && p.allowed_handles.iter().any(|h| h == handle)
        });
        match brand {
            Some(brand) => Err(PublishError::Refused(Refusal::BrandAccount {
                handle: handle.to_string(),
                brand: brand.name,
            })),
            None => Ok(()),
        }
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
        self.connect_mastodon(profile_id, server, token, expected_handle, None)
            .await
    }

    /// `stop`: a sign-in the user stopped waiting for saves nothing, up to the last moment
    /// before the keychain and the database are written.
    async fn connect_mastodon(
        &self,
        profile_id: i64,
        server: &str,
        token: Sensitive<String>,
        expected_handle: Option<&str>,
        stop: Option<&CancellationToken>,
    ) -> PublishResult<Account> {
        let server = server.trim().trim_end_matches('/').to_string();
        check_server(&server)?;
        let mut identity = mastodon::verify(&self.http, &server, &token, self.now())
            .await
            .map_err(connect_error)?;
        let instance = mastodon::instance(&self.http, &server).await;
        let domain = self
            .own_domain(&server, instance.domain, &identity, &token)
            .await;
        identity.handle = mastodon::on_domain(&identity.handle, &domain);
        // Reconnecting an account this profile already holds: it keeps the handle it was
        // connected with (an older Vigie wrote the address's host), its token is replaced
        // only after the new one was verified, and its history stays.
        let existing = self.existing(profile_id, Network::Mastodon, &server, &identity)?;
        if let Some(e) = &existing {
            identity.handle = e.identity.handle.clone();
        }
        self.admit(
            profile_id,
            Network::Mastodon,
            &domain,
            &identity,
            expected_handle,
        )?;
        if stop.is_some_and(CancellationToken::is_cancelled) {
            return Err(PublishError::Refused(Refusal::SignInStopped));
        }
        let limits = instance.limits;
        let kc = self.keychain(profile_id);
        if let Some(existing) = existing {
            kc.set(&Self::mastodon_key(&existing.identity.handle), &token)?;
            self.db(|s| s.update_account(existing.id, &identity, &limits))?;
            return self.db(|s| s.account(existing.id));
        }
        let key = Self::mastodon_key(&identity.handle);
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

    /// The domain a Mastodon handle is written with: the instance's own (`uri`), so that one
    /// account reached as http://127.0.0.1:8080 or http://localhost:8080 has one handle, but
    /// only when that domain itself answers for this token with the same account. A server
    /// cannot borrow another's name to pass an allow-list. Otherwise the address's host.
    async fn own_domain(
        &self,
        server: &str,
        claimed: Option<String>,
        identity: &Identity,
        token: &Sensitive<String>,
    ) -> String {
        let typed = url::Url::parse(server).ok().map(|u| {
            let host = u.host_str().unwrap_or_default().to_lowercase();
            match u.port() {
                Some(p) => format!("{host}:{p}"),
                None => host,
            }
        });
        let Some(claimed) = claimed.filter(|c| Some(c) != typed.as_ref()) else {
            return typed.unwrap_or_else(|| server.to_string());
        };
        let scheme = if server.starts_with("http://") {
            "http"
        } else {
            "https"
        };
        let there = format!("{scheme}://{claimed}");
        let confirmed = check_server(&there).is_ok()
            && mastodon::verify(&self.http, &there, token, self.now())
                .await
                .is_ok_and(|i| i.remote_id == identity.remote_id);
        if confirmed {
            claimed
        } else {
            typed.unwrap_or_else(|| server.to_string())
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
                // A Bluesky DID names one account anywhere; a Mastodon id only on its instance,
                // which the handle names (or, for an account an older Vigie connected, the
                // address it was connected through).
                a.network == network
                    && a.identity.remote_id == identity.remote_id
                    && (a.server == server
                        || (network == Network::Mastodon && a.identity.handle == identity.handle))
            }))
    }

    /// Starts a Mastodon sign-in: registers Vigie on the instance if needed and opens a
    /// loopback listener. Open `authorize_url` in the browser, then call [`Self::finish_mastodon_oauth`].
    pub async fn begin_mastodon_oauth(&self, server: &str) -> PublishResult<(String, String)> {
        let server = server.trim().trim_end_matches('/').to_string();
        check_server(&server)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| oauth::local_port(e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| oauth::local_port(e.to_string()))?
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
        let p = self
            .pending
            .lock()
            .await
            .remove(flow)
            .ok_or_else(|| PublishError::Refused(Refusal::SignInExpired))?;
        let server = p.server.clone();
        let stop = CancellationToken::new();
        self.signing_in
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(flow.to_string(), stop.clone());
        let result = async {
            let token = tokio::select! {
                t = oauth::finish(&self.http, p, timeout) => t?,
                () = stop.cancelled() => return Err(PublishError::Refused(Refusal::SignInStopped)),
            };
            // Still stoppable while the account is checked, until it is saved.
            self.connect_mastodon(profile_id, &server, token, expected_handle, Some(&stop))
                .await
        }
        .await;
        self.signing_in
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(flow);
        result
    }

    /// "Stop waiting": the sign-in ends and connects nothing, even if the browser comes back
    /// later. True when it was still waiting.
    pub async fn cancel_mastodon_oauth(&self, flow: &str) -> bool {
        let waiting = self.pending.lock().await.remove(flow).is_some();
        let signing = self
            .signing_in
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(flow);
        if let Some(t) = &signing {
            t.cancel();
        }
        waiting || signing.is_some()
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
        // A typo while reconnecting must not destroy the password that works.
        let previous = bsky.app_password(&service, &handle)?;
        bsky.forget(&service, &handle).await;
        bsky.set_app_password(&service, &handle, &app_password)?;
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
                Some(old) => bsky.set_app_password(&service, &handle, old),
                None => bsky.remove_stored(&service, &handle),
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
                .bluesky_of(a.profile_id)
                .has_app_password(&a.server, &a.identity.handle)?,
        })
    }

    /// Disconnects an account: its credential leaves the keychain. The account itself goes too,
    /// unless posts or drafts name it: then it stays listed, without access, for that history
    /// (connect it again to publish with it).
    pub async fn disconnect(&self, account_id: i64) -> PublishResult<Disconnected> {
        let now = self.now();
        let (a, kept) = self.db(|s| s.remove_account(account_id, now))?;
        match a.network {
            Network::Mastodon => self
                .keychain(a.profile_id)
                .delete(&Self::mastodon_key(&a.identity.handle))?,
            Network::Bluesky => {
                let bsky = self.bluesky_of(a.profile_id);
                bsky.forget(&a.server, &a.identity.handle).await;
                bsky.remove_stored(&a.server, &a.identity.handle)?
            }
        }
        Ok(Disconnected {
            account: a,
            kept_for_history: kept,
        })
    }
}

/// Credentials only travel over https, except to this machine (local test servers). Also the
/// rule for a Bluesky search's server, which is given an app password too.
pub fn check_server(server: &str) -> PublishResult<()> {
    let u = url::Url::parse(server).map_err(|e| {
        PublishError::Refused(Refusal::BadAddress {
            server: server.to_string(),
            detail: e.to_string(),
        })
    })?;
    // Credentials live in the keychain only, never in an address kept in SQLite.
    if !u.username().is_empty() || u.password().is_some() {
        return Err(PublishError::Refused(Refusal::CredentialsInAddress {
            server: format!("{}://{}", u.scheme(), u.host_str().unwrap_or_default()),
        }));
    }
    if crate::fetch::may_carry_credentials(&u) {
        return Ok(());
    }
    Err(PublishError::Refused(Refusal::InsecureServer {
        server: server.to_string(),
        scheme: u.scheme().to_string(),
    }))
}

pub(super) fn connect_error(f: SendFailure) -> PublishError {
    match f {
        SendFailure::Auth(problem) => PublishError::Account {
            code: "auth",
            problem,
        },
        SendFailure::NotSent(problem) | SendFailure::Unknown(problem) => PublishError::Account {
            code: "network",
            problem,
        },
        SendFailure::Rejected(problem) => PublishError::Account {
            code: "server",
            problem,
        },
        SendFailure::Paused => PublishError::Refused(Refusal::Paused),
        SendFailure::RateLimited { after_secs } => PublishError::Account {
            code: "server",
            problem: PostProblem::WaitBeforeRetry { after_secs },
        },
    }
}
