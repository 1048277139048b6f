//! Delivery without duplicates: the outbox loop, one identity per post for every attempt,
//! reconciliation when an attempt's outcome is unknown, and the owned background task.

use super::*;

/// What may stop a write, known before the server is asked (`hold`: the kill switch,
/// approvals), and what the confirmation rule is read with once it has answered.
struct Held {
    hold: Option<SendFailure>,
    kind: ProfileKind,
    level: Level,
}

enum FailKind {
    Unknown,
    Other,
}

impl Publisher {
    // ----- delivery --------------------------------------------------------------------------

    /// Sends every due post (one at a time), unless the kill switch is on. Posts left in
    /// "sending" by a previous run are reconciled first.
    pub async fn deliver_due(&self) -> DeliveryReport {
        let _one = self.delivering.lock().await;
        let mut report = DeliveryReport::default();
        // Held until this pass ends.
        let lock = match crate::folder_lock::try_hold(&self.delivery_lock) {
            Ok(Some(lock)) => Some(lock),
            Ok(None) => {
                report.delivering_elsewhere = true;
                None
            }
            Err(e) => {
                report.lock_error = Some(format!(
                    "cannot lock {}: {e}. Nothing is sent until Vigie can: check that file's \
                     owner and permissions",
                    self.delivery_lock.display()
                ));
                None
            }
        };
        if lock.is_some() {
            self.deliver_locked(&mut report).await;
        }
        report.paused = self.db(|s| s.kill_switch()).map(|k| k.on).unwrap_or(false);
        report
    }

    /// [`Publisher::deliver_due`]'s work, once it holds the data folder's delivery lock.
    async fn deliver_locked(&self, report: &mut DeliveryReport) {
        let in_flight = self.db(|s| s.posts_in_flight()).unwrap_or_default();
        for post in in_flight {
            // Left in "sending" by a stop or a crash: the outcome is unknown.
            self.attempt(post, true, report).await;
        }
        loop {
            let now = self.now();
            let claimed = self.db(|s| s.claim_due_post(now));
            match claimed {
                Ok(Some(post)) => {
                    // Only an attempt whose outcome was unknown makes Vigie look first.
                    let unknown = post.outcome_unknown;
                    self.attempt(post, unknown, report).await
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!("outbox: {e}");
                    break;
                }
            }
        }
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
        let retry_soon = |problem: PostProblem, unknown: bool| Outcome::Retry {
            at: now + 30 * post.attempts.clamp(1, 20),
            problem,
            unknown,
        };
        let account = match self.db(|s| s.account(post.account_id)) {
            Ok(a) => a,
            Err(e) => {
                return Outcome::Failed {
                    problem: match e {
                        PublishError::Store(StoreError::NotFound { .. }) => {
                            PostProblem::AccountGone
                        }
                        e => PostProblem::Store {
                            detail: e.to_string(),
                        },
                    },
                    unknown: unknown_before,
                }
            }
        };
        if post.content.hash() != post.content_hash {
            return Outcome::Failed {
                problem: PostProblem::ContentChanged,
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
            self.approvals.check(&ctx).err().map(SendFailure::held)
        };
        if let (Some(SendFailure::Rejected(problem)), false) = (&hold, unknown_before) {
            return Outcome::Failed {
                problem: problem.clone(),
                unknown: false,
            };
        }
        // The confirmation rule is checked again once the server has said who the account is
        // and how many follow it (in `send_*`).
        let held = Held { hold, kind, level };
        let result = match account.network {
            Network::Mastodon => {
                self.send_mastodon(&account, post, unknown_before, held, now)
                    .await
            }
            Network::Bluesky => {
                self.send_bluesky(&account, post, unknown_before, held, now)
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
                        problem: PostProblem::Paused,
                        unknown: unknown_before,
                    },
                    SendFailure::RateLimited { after_secs } => Outcome::Retry {
                        at: now + after_secs.max(1),
                        problem: PostProblem::SlowDown { after_secs },
                        unknown: unknown_before,
                    },
                    SendFailure::NotSent(p) if !last => retry_soon(p, unknown_before),
                    SendFailure::Unknown(p) if !last => retry_soon(p, true),
                    SendFailure::NotSent(p) | SendFailure::Unknown(p) => Outcome::Failed {
                        problem: PostProblem::GaveUp {
                            attempts: post.attempts,
                            cause: Box::new(p),
                        },
                        unknown: unknown_before || matches!(f_kind, FailKind::Unknown),
                    },
                    SendFailure::Auth(p) | SendFailure::Rejected(p) => Outcome::Failed {
                        problem: p,
                        unknown: unknown_before,
                    },
                }
            }
        }
    }

    /// The confirmation rule got stricter since the post was confirmed (the level rose to
    /// alert or crisis while it waited, a held post above all): a post confirmed by a click
    /// does not go out where the handle must now be typed. Retrying it asks for the handle.
    /// `audience`: the follower count the server reported just now.
    fn stricter_now(
        &self,
        account: &Account,
        audience: i64,
        kind: ProfileKind,
        level: Level,
        post_id: i64,
    ) -> Option<Refusal> {
        let rule = confirm_rule(kind, level, audience, self.config().audience_threshold);
        if rule != ConfirmRule::TypeHandle {
            return None;
        }
        let typed = self.db(|s| s.confirmed_by_typing(post_id)).unwrap_or(false);
        (!typed).then(|| Refusal::TypeHandle {
            handle: account.display_handle(),
            profile_kind: kind,
            level,
            audience,
        })
    }

    /// What may still stop the write once the server has said who the credential belongs to:
    /// `hold` (the kill switch, approvals), then the confirmation rule, read with the
    /// audience the server reports now. An account that crossed the audience threshold since
    /// it was connected (or since its last post) needs its handle typed, like any account
    /// over it; the new audience is stored for the composer's next check.
    fn hold_now(
        &self,
        account: &Account,
        who: &Identity,
        held: Held,
        post_id: i64,
    ) -> Option<SendFailure> {
        if who.audience != account.identity.audience {
            if let Err(e) = self.db(|s| s.set_audience(account.id, who.audience)) {
                tracing::warn!(
                    "outbox: could not store the audience of account {}: {e}",
                    account.id
                );
            }
        }
        held.hold.or_else(|| {
            self.stricter_now(account, who.audience, held.kind, held.level, post_id)
                .map(SendFailure::held)
        })
    }

    /// The kill switch, read again just before a write (uploads and checks can take a while).
    fn paused_now(&self) -> bool {
        self.db(|s| s.kill_switch()).map(|k| k.on).unwrap_or(true)
    }

    /// Checks the credential still belongs to the account it claims to be.
    fn same_account(account: &Account, found: &Identity) -> Result<(), SendFailure> {
        if found.remote_id != account.identity.remote_id {
            return Err(SendFailure::Auth(PostProblem::OtherAccount {
                found: found.handle.clone(),
                expected: account.identity.handle.clone(),
            }));
        }
        Ok(())
    }

    async fn send_mastodon(
        &self,
        account: &Account,
        post: &Post,
        unknown_before: bool,
        held: Held,
        now: Timestamp,
    ) -> Result<(Attempt, bool), SendFailure> {
        let token = self
            .keychain(account.profile_id)
            .get(&Self::mastodon_key(&account.identity.handle))
            .map_err(|e| {
                SendFailure::NotSent(match e {
                    e if e.is_locked() => PostProblem::KeychainLocked,
                    SecretsError::Unavailable { detail } => {
                        PostProblem::KeychainUnavailable { detail }
                    }
                    e => PostProblem::Keychain {
                        detail: e.to_string(),
                    },
                })
            })?
            .ok_or_else(|| {
                SendFailure::Auth(PostProblem::NoCredential {
                    handle: account.identity.handle.clone(),
                })
            })?;
        let mut who = mastodon::verify(&self.http, &account.server, &token, now).await?;
        if let Some((_, domain)) = account.identity.handle.split_once('@') {
            who.handle = mastodon::on_domain(&who.handle, domain);
        }
        Self::same_account(account, &who)?;
        let hold = self.hold_now(account, &who, held, post.id);
        if unknown_before {
            let since = post.first_attempt_at.unwrap_or(post.queued_at);
            if let Some(found) = self.find_on_mastodon(account, &token, post, since).await? {
                return Ok((found, true));
            }
        }
        if let Some(h) = hold {
            return Err(h);
        }
        let mut media = Vec::new();
        for img in &post.content.images {
            let bytes = self.image_bytes(img).map_err(SendFailure::held)?;
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
                let since = post.first_attempt_at.unwrap_or(now);
                return match self.find_on_mastodon(account, &token, post, since).await {
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

    /// This post on the Mastodon account, sent by an attempt whose outcome was unknown, if it
    /// is there (statuses created since `since`, not already recorded for another post).
    async fn find_on_mastodon(
        &self,
        account: &Account,
        token: &Sensitive<String>,
        post: &Post,
        since: Timestamp,
    ) -> Result<Option<Attempt>, SendFailure> {
        let taken = self.db(|s| s.sent_remote_ids(account.id)).map_err(|e| {
            SendFailure::NotSent(PostProblem::Store {
                detail: e.to_string(),
            })
        })?;
        mastodon::find_ours(
            &self.http,
            &account.server,
            token,
            &account.identity.remote_id,
            &post.content.text,
            post.content.images.len(),
            since,
            &taken,
        )
        .await
    }

    async fn send_bluesky(
        &self,
        account: &Account,
        post: &Post,
        unknown_before: bool,
        held: Held,
        now: Timestamp,
    ) -> Result<(Attempt, bool), SendFailure> {
        let bsky = self.bluesky_of(account.profile_id);
        let (svc, handle) = (&account.server, &account.identity.handle);
        let who = bluesky::identity(&bsky, &self.http, svc, handle, now).await?;
        Self::same_account(account, &who)?;
        let hold = self.hold_now(account, &who, held, post.id);
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
                let bytes = self.image_bytes(img).map_err(SendFailure::held)?;
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
            // A lock error is logged when it appears or changes, not every tick.
            let mut lock_error = None;
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = every.tick() => {
                        let report = me.deliver_due().await;
                        if report.lock_error != lock_error {
                            if let Some(e) = &report.lock_error {
                                tracing::warn!("outbox: {e}");
                            }
                            lock_error = report.lock_error;
                        }
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
