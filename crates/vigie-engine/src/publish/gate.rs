//! The publish gate: validation, the confirmation rule, the approval hook, the undo window,
//! and the images a post carries.

use super::*;

/// How long a sent post keeps the same text from going out again on its account.
const SAME_POST_SECS: i64 = 24 * 3600;

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

/// Is this a SHA-256 in lower-case hex (and so a plain file name in the media folder)?
fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Publisher {
    /// The bytes of an attached image, checked against what was confirmed: the file name is a
    /// SHA-256 (never a path), its content still hashes to it, and its real type and size are
    /// the ones declared.
    pub(super) fn image_bytes(&self, img: &Image) -> Result<Vec<u8>, Refusal> {
        if !is_sha256_hex(&img.sha256) {
            return Err(Refusal::ImageReference {
                alt: img.alt.clone(),
            });
        }
        let bytes =
            std::fs::read(self.media_dir.join(&img.sha256)).map_err(|e| Refusal::ImageMissing {
                alt: img.alt.clone(),
                detail: e.to_string(),
            })?;
        let sha = hex::encode(Sha256::digest(&bytes));
        if sha != img.sha256
            || bytes.len() as u64 != img.bytes
            || image_mime(&bytes) != Some(img.mime.as_str())
        {
            return Err(Refusal::ImageChanged {
                alt: img.alt.clone(),
            });
        }
        Ok(bytes)
    }

    // ----- the publish gate ------------------------------------------------------------------

    /// Copies an image into Vigie's media folder and describes it for a post.
    pub fn add_image(&self, path: &Path, alt: &str) -> PublishResult<Image> {
        let bytes = std::fs::read(path).map_err(|e| {
            PublishError::Refused(Refusal::ImageUnreadable {
                path: path.display().to_string(),
                detail: e.to_string(),
            })
        })?;
        let mime = image_mime(&bytes).ok_or_else(|| {
            PublishError::Refused(Refusal::ImageType {
                path: path.display().to_string(),
            })
        })?;
        let sha = hex::encode(Sha256::digest(&bytes));
        std::fs::create_dir_all(&self.media_dir)
            .and_then(|_| std::fs::write(self.media_dir.join(&sha), &bytes))
            .map_err(|e| {
                PublishError::Refused(Refusal::ImageCopy {
                    detail: e.to_string(),
                })
            })?;
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
    pub(super) fn level_for_post(
        &self,
        kind: ProfileKind,
        watch_id: Option<i64>,
    ) -> PublishResult<Level> {
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
        // Also when it held the handle before the brand listed it (checked at connect too).
        self.not_a_brand_s(&profile, &account.identity.handle)?;
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
            return Err(PublishError::Refused(Refusal::WrongProfile {
                handle: account.identity.handle,
                profile_kind: other.kind,
                profile: other.name,
                active: active.name,
            }));
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
        let (c, now) =
            self.pass_gate(active_profile, account_id, content, confirmation, watch_id)?;
        self.not_posted_yet(&c.account, &content.hash(), None, now)?;
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
            send_after: self.undo_ends(now),
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

    /// The same text twice on one account is an accident (a command run again, a double
    /// click, two people answering the same mention): refused, saying which post it is.
    /// `except`: the post being retried.
    fn not_posted_yet(
        &self,
        account: &Account,
        content_hash: &str,
        except: Option<i64>,
        now: Timestamp,
    ) -> PublishResult<()> {
        let same = self
            .db(|s| s.same_post(account.id, content_hash, now - SAME_POST_SECS))?
            .filter(|p| Some(p.id) != except);
        match same {
            Some(p) => Err(PublishError::Refused(Refusal::SamePost {
                handle: account.identity.handle.clone(),
                post_id: p.id,
                state: p.state.as_str().to_string(),
                at: p.sent_at.unwrap_or(p.queued_at),
            })),
            None => Ok(()),
        }
    }

    /// When a post confirmed now leaves, if nobody cancels it.
    fn undo_ends(&self, now: Timestamp) -> Timestamp {
        now + self.config().undo_secs.max(0)
    }

    /// What every post passes before it is queued, new or retried: the account is in the
    /// active profile, the content is valid for its network and its images unchanged, the
    /// handle is typed when today's rule asks for it, and the approval policy agrees.
    fn pass_gate(
        &self,
        active_profile: i64,
        account_id: i64,
        content: &Content,
        confirmation: &Confirmation,
        watch_id: Option<i64>,
    ) -> PublishResult<(ComposeCheck, Timestamp)> {
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
                return Err(PublishError::Refused(Refusal::TypeHandle {
                    handle: c.account.display_handle(),
                    profile_kind: c.profile.kind,
                    level: c.level,
                    audience: c.account.identity.audience,
                }));
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
                    serde_json::json!({"account_id": account_id, "content_hash": hash, "why": why.to_string(), "refusal": why}),
                )
            });
            return Err(PublishError::Refused(why));
        }
        Ok((c, now))
    }

    pub fn cancel(&self, post_id: i64) -> PublishResult<Post> {
        let now = self.now();
        self.db(|s| s.cancel_post(post_id, now))
    }

    /// Puts a failed post back in the queue through the same gate as a new one (the level,
    /// the approvals or the active profile may have changed since it was confirmed), with a
    /// fresh undo window: a retry can be cancelled like any post.
    pub fn retry(
        &self,
        active_profile: i64,
        post_id: i64,
        confirmation: &Confirmation,
    ) -> PublishResult<Post> {
        let post = self.db(|s| s.post(post_id))?;
        if post.state != PostState::Failed {
            return Err(PublishError::Store(StoreError::Invalid {
                what: "retry",
                message: "only a failed post can be retried".into(),
            }));
        }
        let (c, now) = self.pass_gate(
            active_profile,
            post.account_id,
            &post.content,
            confirmation,
            post.watch_id,
        )?;
        // Its text may have gone out since in another post.
        self.not_posted_yet(&c.account, &post.content_hash, Some(post.id), now)?;
        let send_after = self.undo_ends(now);
        let typed = confirmation.typed_handle.as_deref();
        self.db(|s| s.retry_post(post_id, now, send_after, typed))
    }

    pub fn post(&self, post_id: i64) -> PublishResult<Post> {
        self.db(|s| s.post(post_id))
    }

    pub fn outbox(&self, limit: usize) -> PublishResult<Vec<Post>> {
        self.db(|s| s.posts(limit))
    }

    pub fn kill_switch(&self) -> PublishResult<KillSwitch> {
        self.db(|s| s.kill_switch())
    }

    pub fn set_kill_switch(&self, on: bool, reason: &str) -> PublishResult<KillSwitch> {
        let now = self.now();
        let resume_at = self.undo_ends(now);
        self.db(|s| s.set_kill_switch(on, reason, now, resume_at))
    }
}
