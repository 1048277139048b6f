//! Profiles, accounts and the outbox. Every state change of a post and of the kill switch is
//! written in the same transaction as its event, so the event log and the outbox never disagree.

use crate::audit::record as event;
use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use vigie_domain::publish::{
    Account, Content, Identity, Limits, Network, PostProblem, PostState, Profile, ProfileKind,
};
use vigie_domain::Timestamp;

/// The kill switch: while on, nothing leaves the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct KillSwitch {
    pub on: bool,
    pub reason: String,
    pub since: Option<Timestamp>,
}

const KILL_SWITCH_KEY: &str = "kill_switch";

/// A post in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    pub id: i64,
    /// The post's identity: the same on every attempt (idempotency key, record key).
    pub key: String,
    pub account_id: i64,
    pub content: Content,
    pub content_hash: String,
    pub state: PostState,
    pub queued_at: Timestamp,
    pub queued_micros: i64,
    /// Not before: end of the undo window, or the retry time after a 429.
    pub send_after: Timestamp,
    pub attempts: i64,
    pub attempt_started_at: Option<Timestamp>,
    /// The last failure in English words (the CLI's).
    pub last_error: Option<String>,
    /// The same as data, for the UI's wording (None before migration 14, or once sent).
    pub last_problem: Option<PostProblem>,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub sent_at: Option<Timestamp>,
    pub watch_id: Option<i64>,
    /// The last attempt may have reached the server: look before writing again.
    pub outcome_unknown: bool,
    pub first_attempt_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct NewPost<'a> {
    pub key: &'a str,
    pub account_id: i64,
    pub content: &'a Content,
    pub send_after: Timestamp,
    pub queued_micros: i64,
    pub watch_id: Option<i64>,
    /// Recorded in the event log with the post (e.g. the handle the user typed).
    pub confirmation: serde_json::Value,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent {
        remote_id: String,
        remote_url: Option<String>,
        reconciled: bool,
    },
    /// Back to the queue, not before `at`. `unknown`: the attempt may have reached the server.
    Retry {
        at: Timestamp,
        problem: PostProblem,
        unknown: bool,
    },
    Failed {
        problem: PostProblem,
        unknown: bool,
    },
}

const POST_COLUMNS: &str = "id, key, account_id, content, content_hash, state, queued_at, queued_micros, send_after, attempts, attempt_started_at, last_error, remote_id, remote_url, sent_at, watch_id, outcome_unknown, first_attempt_at, last_problem";

fn post_row(r: &Row<'_>) -> rusqlite::Result<Post> {
    let content: String = r.get(3)?;
    let state: String = r.get(5)?;
    Ok(Post {
        id: r.get(0)?,
        key: r.get(1)?,
        account_id: r.get(2)?,
        content: serde_json::from_str(&content).unwrap_or_default(),
        content_hash: r.get(4)?,
        state: state.parse().unwrap_or(PostState::Failed),
        queued_at: r.get(6)?,
        queued_micros: r.get(7)?,
        send_after: r.get(8)?,
        attempts: r.get(9)?,
        attempt_started_at: r.get(10)?,
        last_error: r.get(11)?,
        remote_id: r.get(12)?,
        remote_url: r.get(13)?,
        sent_at: r.get(14)?,
        watch_id: r.get(15)?,
        outcome_unknown: r.get(16)?,
        first_attempt_at: r.get(17)?,
        // Unreadable (written by a later Vigie?): the English words above still say it.
        last_problem: r
            .get::<_, Option<String>>(18)?
            .and_then(|json| serde_json::from_str(&json).ok()),
    })
}

fn problem_json(p: &PostProblem) -> String {
    serde_json::to_string(p).expect("a post problem serialises")
}

const PROFILE_COLUMNS: &str = "id, name, kind, colour, allowed_handles";

fn profile_row(r: &Row<'_>) -> rusqlite::Result<Profile> {
    let kind: String = r.get(2)?;
    let allowed: String = r.get(4)?;
    Ok(Profile {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: kind.parse().unwrap_or(ProfileKind::Brand),
        colour: r.get(3)?,
        allowed_handles: serde_json::from_str(&allowed).unwrap_or_default(),
    })
}

const ACCOUNT_COLUMNS: &str =
    "id, profile_id, network, server, remote_id, handle, display_name, avatar_url, audience, limits";

fn account_row(r: &Row<'_>) -> rusqlite::Result<Account> {
    let network: String = r.get(2)?;
    let limits: String = r.get(9)?;
    let network: Network = network.parse().unwrap_or(Network::Mastodon);
    Ok(Account {
        id: r.get(0)?,
        profile_id: r.get(1)?,
        network,
        server: r.get(3)?,
        identity: Identity {
            remote_id: r.get(4)?,
            handle: r.get(5)?,
            display_name: r.get(6)?,
            avatar_url: r.get(7)?,
            audience: r.get(8)?,
        },
        limits: serde_json::from_str(&limits).unwrap_or(match network {
            Network::Mastodon => Limits::MASTODON_DEFAULT,
            Network::Bluesky => Limits::BLUESKY,
        }),
    })
}

fn colour_ok(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
}

impl Store {
    pub fn add_profile(
        &mut self,
        name: &str,
        kind: ProfileKind,
        colour: &str,
        allowed_handles: &[String],
        now: Timestamp,
    ) -> Result<Profile> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid {
                what: "profile",
                message: "a profile needs a name".into(),
            });
        }
        if !colour_ok(colour) {
            return Err(StoreError::Invalid {
                what: "profile",
                message: format!("colour {colour:?} is not #rrggbb"),
            });
        }
        let allowed = serde_json::to_string(allowed_handles).expect("strings serialise");
        let id = self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO profiles (name, kind, colour, allowed_handles, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO NOTHING",
                params![name, kind.as_str(), colour, allowed, now],
            )?;
            if n == 0 {
                return Err(StoreError::Duplicate {
                    what: "profile",
                    key: name.into(),
                });
            }
            let id = tx.last_insert_rowid();
            event(
                tx,
                now,
                "profile_created",
                serde_json::json!({"profile_id": id, "name": name, "kind": kind.as_str(), "allowed_handles": allowed_handles}),
            )?;
            Ok(id)
        })?;
        self.profile(id)
    }

    /// Replaces a brand profile's allow-list. Accounts already held stay only if still listed.
    pub fn set_allowed_handles(
        &mut self,
        profile_id: i64,
        handles: &[String],
        now: Timestamp,
    ) -> Result<Profile> {
        let profile = self.profile(profile_id)?;
        let orphan = self
            .accounts(Some(profile_id))?
            .into_iter()
            .find(|a| profile.kind == ProfileKind::Brand && !handles.contains(&a.identity.handle));
        if let Some(a) = orphan {
            return Err(StoreError::Invalid {
                what: "allow-list",
                message: format!(
                    "@{} is connected to this profile: remove the account before taking it off the allow-list",
                    a.identity.handle
                ),
            });
        }
        let allowed = serde_json::to_string(handles).expect("strings serialise");
        self.write(|tx| {
            tx.execute(
                "UPDATE profiles SET allowed_handles = ?2 WHERE id = ?1",
                params![profile_id, allowed],
            )?;
            event(
                tx,
                now,
                "profile_allow_list",
                serde_json::json!({"profile_id": profile_id, "allowed_handles": handles}),
            )
        })?;
        self.profile(profile_id)
    }

    pub fn profile(&self, id: i64) -> Result<Profile> {
        self.conn()
            .query_row(
                &format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE id = ?1"),
                [id],
                profile_row,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound {
                what: "profile",
                key: id.to_string(),
            })
    }

    /// A profile by id or name.
    pub fn find_profile(&self, key: &str) -> Result<Profile> {
        if let Ok(id) = key.parse::<i64>() {
            return self.profile(id);
        }
        self.profiles()?
            .into_iter()
            .find(|p| p.name.eq_ignore_ascii_case(key.trim()))
            .ok_or(StoreError::NotFound {
                what: "profile",
                key: key.into(),
            })
    }

    pub fn profiles(&self) -> Result<Vec<Profile>> {
        self.all(
            &format!("SELECT {PROFILE_COLUMNS} FROM profiles ORDER BY id"),
            [],
            profile_row,
        )
    }

    /// Records an account whose identity the engine has just verified. An account belongs to
    /// exactly one profile: the same remote identity or handle cannot be added twice.
    pub fn add_account(
        &mut self,
        profile_id: i64,
        network: Network,
        server: &str,
        identity: &Identity,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<Account> {
        let limits_json = serde_json::to_string(limits).expect("limits serialise");
        let id = self.write(|tx| {
            let taken: Option<(i64, String)> = tx
                .query_row(
                    "SELECT a.profile_id, p.name FROM accounts a JOIN profiles p ON p.id = a.profile_id
                     WHERE a.network = ?1 AND (a.handle = ?2 OR (a.server = ?3 AND a.remote_id = ?4))",
                    params![network.as_str(), identity.handle, server, identity.remote_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((_, name)) = taken {
                return Err(StoreError::Duplicate {
                    what: "account",
                    key: format!("@{} (already in profile {name:?})", identity.handle),
                });
            }
            tx.execute(
                "INSERT INTO accounts (profile_id, network, server, remote_id, handle, display_name, avatar_url, audience, limits, connected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![profile_id, network.as_str(), server, identity.remote_id, identity.handle,
                        identity.display_name, identity.avatar_url, identity.audience, limits_json, now],
            )?;
            let id = tx.last_insert_rowid();
            event(tx, now, "account_connected", serde_json::json!({
                "account_id": id, "profile_id": profile_id, "network": network.as_str(),
                "handle": identity.handle, "remote_id": identity.remote_id,
            }))?;
            Ok(id)
        })?;
        self.account(id)
    }

    /// Refreshes what the server says about an account (display name, avatar, audience, limits).
    pub fn update_account(&mut self, id: i64, identity: &Identity, limits: &Limits) -> Result<()> {
        let limits_json = serde_json::to_string(limits).expect("limits serialise");
        self.write(|tx| {
            tx.execute(
                "UPDATE accounts SET display_name = ?2, avatar_url = ?3, audience = ?4, limits = ?5 WHERE id = ?1",
                params![id, identity.display_name, identity.avatar_url, identity.audience, limits_json],
            )?;
            Ok(())
        })
    }

    /// The audience a server reported just now (a send checks who the credential is, and the
    /// answer carries the follower count): the confirmation rule depends on it, and an
    /// account grows after it was connected.
    pub fn set_audience(&mut self, id: i64, audience: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE accounts SET audience = ?2 WHERE id = ?1",
                params![id, audience],
            )?;
            Ok(())
        })
    }

    pub fn account(&self, id: i64) -> Result<Account> {
        self.conn()
            .query_row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
                [id],
                account_row,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound {
                what: "account",
                key: id.to_string(),
            })
    }

    /// Accounts, of one profile or of all.
    pub fn accounts(&self, profile_id: Option<i64>) -> Result<Vec<Account>> {
        self.all(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE ?1 IS NULL OR profile_id = ?1 ORDER BY id"
            ), [profile_id], account_row)
    }

    /// Removes an account, or, when posts or drafts name it, keeps its row for that history
    /// (the caller removes its credential either way): `Ok((account, kept))`. Refused while
    /// posts still wait for it.
    pub fn remove_account(&mut self, id: i64, now: Timestamp) -> Result<(Account, bool)> {
        let account = self.account(id)?;
        let kept = self.write(|tx| {
            let count = |sql: &str| tx.query_row(sql, [id], |r| r.get::<_, i64>(0));
            let pending = count("SELECT count(*) FROM outbox WHERE account_id = ?1 AND state IN ('queued', 'sending')")?;
            if pending > 0 {
                return Err(StoreError::Invalid {
                    what: "account",
                    message: format!("{pending} post(s) are still waiting for this account: cancel them first"),
                });
            }
            let history = count("SELECT count(*) FROM outbox WHERE account_id = ?1")?
                + count("SELECT count(*) FROM draft_variants WHERE account_id = ?1")?;
            let data = serde_json::json!({"account_id": id, "handle": account.identity.handle});
            if history > 0 {
                // Its posts and drafts keep their author; only the access goes.
                event(tx, now, "account_disconnected", data)?;
                return Ok(true);
            }
            tx.execute("DELETE FROM accounts WHERE id = ?1", [id])?;
            event(tx, now, "account_removed", data)?;
            Ok(false)
        })?;
        Ok((account, kept))
    }

    pub fn kill_switch(&self) -> Result<KillSwitch> {
        Ok(self
            .setting(KILL_SWITCH_KEY)?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    /// Turns the kill switch on (with a reason) or off; logged. Turning it off holds every
    /// queued post until at least `resume_at` (the end of a fresh undo window; in the same
    /// transaction, so the delivery cannot send one first): a post whose undo window ran out
    /// during the pause does not leave the instant publishing resumes.
    pub fn set_kill_switch(
        &mut self,
        on: bool,
        reason: &str,
        now: Timestamp,
        resume_at: Timestamp,
    ) -> Result<KillSwitch> {
        if on && reason.trim().is_empty() {
            return Err(StoreError::Invalid {
                what: "kill switch",
                message: "say why publishing is paused (the team sees the reason)".into(),
            });
        }
        let ks = KillSwitch {
            on,
            reason: if on {
                reason.trim().to_string()
            } else {
                String::new()
            },
            since: on.then_some(now),
        };
        let value = serde_json::to_string(&ks).expect("serialises");
        let was_on = self.kill_switch()?.on;
        self.write(|tx| {
            crate::signals::put_setting(tx, KILL_SWITCH_KEY, &value)?;
            if !on && was_on {
                tx.execute(
                    "UPDATE outbox SET send_after = max(send_after, ?1), updated_at = ?2
                     WHERE state = 'queued'",
                    params![resume_at, now],
                )?;
            }
            event(
                tx,
                now,
                if on {
                    "kill_switch_on"
                } else {
                    "kill_switch_off"
                },
                serde_json::json!({"reason": reason.trim()}),
            )
        })?;
        Ok(ks)
    }

    pub fn queue_post(&mut self, p: &NewPost<'_>, now: Timestamp) -> Result<Post> {
        let content = serde_json::to_string(p.content).expect("content serialises");
        let hash = p.content.hash();
        let id = self.write(|tx| {
            // Removed (elsewhere) while the post was being written: the checks it passed
            // were for an account or a watch that no longer exists.
            for (what, table, id) in [("account", "accounts", Some(p.account_id)), ("watch", "watches", p.watch_id)] {
                let Some(id) = id else { continue };
                let exists: bool = tx.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"), [id], |r| r.get(0))?;
                if !exists {
                    return Err(StoreError::NotFound { what, key: id.to_string() });
                }
            }
            tx.execute(
                "INSERT INTO outbox (key, account_id, content, content_hash, state, queued_at, queued_micros, send_after, watch_id, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?8, ?5)",
                params![p.key, p.account_id, content, hash, now, p.queued_micros, p.send_after, p.watch_id],
            )?;
            let id = tx.last_insert_rowid();
            event(tx, now, "post_queued", serde_json::json!({
                "post_id": id, "account_id": p.account_id, "content_hash": hash,
                "send_after": p.send_after, "confirmation": p.confirmation,
            }))?;
            Ok(id)
        })?;
        self.post(id)
    }

    /// Was the post's last confirmation (when it was queued, or retried) made by typing the
    /// handle? Read from the event log, where each confirmation is kept.
    pub fn confirmed_by_typing(&self, post_id: i64) -> Result<bool> {
        let data: Option<String> = self
            .conn()
            .query_row(
                "SELECT data FROM events WHERE kind IN ('post_queued', 'post_retry')
                   AND json_extract(data, '$.post_id') = ?1
                 ORDER BY id DESC LIMIT 1",
                [post_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let v: serde_json::Value = data
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or_default();
        let typed = |x: &serde_json::Value| x.as_str().is_some_and(|s| !s.trim().is_empty());
        Ok(typed(&v["confirmation"]["typed_handle"]) || typed(&v["typed_handle"]))
    }

    pub fn post(&self, id: i64) -> Result<Post> {
        self.conn()
            .query_row(
                &format!("SELECT {POST_COLUMNS} FROM outbox WHERE id = ?1"),
                [id],
                post_row,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound {
                what: "post",
                key: id.to_string(),
            })
    }

    /// The outbox, newest first.
    pub fn posts(&self, limit: usize) -> Result<Vec<Post>> {
        self.all(
            &format!("SELECT {POST_COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?1"),
            [limit as i64],
            post_row,
        )
    }

    /// Remote ids already recorded for an account (so reconciliation never claims one twice).
    pub fn sent_remote_ids(&self, account_id: i64) -> Result<Vec<String>> {
        self.all(
            "SELECT remote_id FROM outbox WHERE account_id = ?1 AND remote_id IS NOT NULL",
            [account_id],
            |r| r.get(0),
        )
    }

    /// Cancels a post that has not started sending. Returns the post as it now is.
    pub fn cancel_post(&mut self, id: i64, now: Timestamp) -> Result<Post> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE outbox SET state = 'cancelled', updated_at = ?2 WHERE id = ?1 AND state = 'queued' AND NOT outcome_unknown",
                params![id, now],
            )?;
            if n == 0 {
                let state: Option<(String, bool)> = tx
                    .query_row("SELECT state, outcome_unknown FROM outbox WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                return Err(match state {
                    None => StoreError::NotFound { what: "post", key: id.to_string() },
                    // "Cancelled: nothing was sent" would be a lie if the server kept it.
                    Some((s, true)) if s == "queued" => StoreError::Invalid {
                        what: "cancel",
                        message: "the last attempt may have published this post (the connection dropped before the server answered): \
                                  Vigie is reading the account to find out and will mark it sent if it is there. It cannot be cancelled now; \
                                  if it was published, delete it on the network"
                            .into(),
                    },
                    Some((s, _)) => StoreError::Invalid {
                        what: "cancel",
                        message: format!("this post is {s}: only a queued post can be cancelled"),
                    },
                });
            }
            event(tx, now, "post_cancelled", serde_json::json!({"post_id": id}))
        })?;
        self.post(id)
    }

    /// A post of this account with this content that is queued or being sent, or was sent at
    /// or after `sent_since`: what a second identical post would duplicate.
    pub fn same_post(
        &self,
        account_id: i64,
        content_hash: &str,
        sent_since: Timestamp,
    ) -> Result<Option<Post>> {
        self.conn()
            .query_row(
                &format!(
                    "SELECT {POST_COLUMNS} FROM outbox
                     WHERE account_id = ?1 AND content_hash = ?2
                       AND (state IN ('queued', 'sending') OR (state = 'sent' AND sent_at >= ?3)
                            OR (state = 'failed' AND outcome_unknown AND updated_at >= ?3))
                     ORDER BY id DESC LIMIT 1"
                ),
                params![account_id, content_hash, sent_since],
                post_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Puts a failed post back in the queue (the user pressed "retry"), to go out at
    /// `send_after` (after a fresh undo window).
    pub fn retry_post(
        &mut self,
        id: i64,
        now: Timestamp,
        send_after: Timestamp,
        typed_handle: Option<&str>,
    ) -> Result<Post> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE outbox SET state = 'queued', send_after = ?3, last_error = NULL, last_problem = NULL, updated_at = ?2
                 WHERE id = ?1 AND state = 'failed'",
                params![id, now, send_after],
            )?;
            if n == 0 {
                return Err(StoreError::Invalid {
                    what: "retry",
                    message: "only a failed post can be retried".into(),
                });
            }
            event(tx, now, "post_retry", serde_json::json!({"post_id": id, "typed_handle": typed_handle}))
        })?;
        self.post(id)
    }

    /// Claims the next due post for sending (queued → sending), unless the kill switch is on.
    /// The check and the claim are one transaction: a pause can never slip between them.
    pub fn claim_due_post(&mut self, now: Timestamp) -> Result<Option<Post>> {
        let id = self.write(|tx| {
            let ks: Option<String> = tx
                .query_row(
                    "SELECT value FROM settings WHERE key = ?1",
                    [KILL_SWITCH_KEY],
                    |r| r.get(0),
                )
                .optional()?;
            if ks
                .and_then(|v| serde_json::from_str::<KillSwitch>(&v).ok())
                .is_some_and(|k| k.on)
            {
                return Ok(None);
            }
            let id: Option<i64> = tx
                .query_row(
                    "SELECT id FROM outbox WHERE state = 'queued' AND send_after <= ?1
                     ORDER BY send_after, id LIMIT 1",
                    [now],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = id {
                tx.execute(
                    "UPDATE outbox SET state = 'sending', attempts = attempts + 1,
                     attempt_started_at = ?2, first_attempt_at = COALESCE(first_attempt_at, ?2),
                     updated_at = ?2 WHERE id = ?1",
                    params![id, now],
                )?;
                event(tx, now, "post_attempt", serde_json::json!({"post_id": id}))?;
            }
            Ok(id)
        })?;
        id.map(|id| self.post(id)).transpose()
    }

    /// Posts left in `sending` (Vigie stopped mid-attempt): their outcome must be reconciled.
    pub fn posts_in_flight(&self) -> Result<Vec<Post>> {
        self.all(
            &format!("SELECT {POST_COLUMNS} FROM outbox WHERE state = 'sending' ORDER BY id"),
            [],
            post_row,
        )
    }

    /// Records how an attempt ended.
    pub fn finish_post(&mut self, id: i64, outcome: &Outcome, now: Timestamp) -> Result<Post> {
        self.write(|tx| {
            match outcome {
                Outcome::Sent { remote_id, remote_url, reconciled } => {
                    tx.execute(
                        "UPDATE outbox SET state = 'sent', remote_id = ?2, remote_url = ?3, sent_at = ?4,
                         last_error = NULL, last_problem = NULL, updated_at = ?4 WHERE id = ?1",
                        params![id, remote_id, remote_url, now],
                    )?;
                    event(tx, now, "post_sent", serde_json::json!({
                        "post_id": id, "remote_id": remote_id, "remote_url": remote_url, "reconciled": reconciled,
                    }))
                }
                Outcome::Retry { at, problem, unknown } => {
                    let error = problem.to_string();
                    tx.execute(
                        "UPDATE outbox SET state = 'queued', send_after = ?2, last_error = ?3, outcome_unknown = ?5, updated_at = ?4,
                         last_problem = ?6 WHERE id = ?1",
                        params![id, at, error, now, unknown, problem_json(problem)],
                    )?;
                    event(tx, now, "post_deferred", serde_json::json!({
                        "post_id": id, "until": at, "error": error, "problem": problem, "outcome_unknown": unknown,
                    }))
                }
                Outcome::Failed { problem, unknown } => {
                    let error = problem.to_string();
                    tx.execute(
                        "UPDATE outbox SET state = 'failed', last_error = ?2, outcome_unknown = ?4, updated_at = ?3,
                         last_problem = ?5 WHERE id = ?1",
                        params![id, error, now, unknown, problem_json(problem)],
                    )?;
                    event(tx, now, "post_failed", serde_json::json!({
                        "post_id": id, "error": error, "problem": problem, "outcome_unknown": unknown,
                    }))
                }
            }
        })?;
        self.post(id)
    }
}
