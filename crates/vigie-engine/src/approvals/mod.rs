//! Drafts, playbooks and approvals between laptops.
//!
//! Each user has an Ed25519 identity: the private key lives in the OS keychain, the public key
//! and name in the team roster, which is shared by export/import. An author exports a signed
//! **request** (exact content + target account); a validator's Vigie shows it, signs an
//! **approval** bound to the content hash and the account, and exports it; the author's Vigie
//! verifies the signature, the roster (member, role), that nobody approves their own post,
//! expiry and replays, then files it. [`PolicyGate`] is the publish gate's approval hook: the
//! policy says how many validators (and which roles) a post needs; approvals — and
//! pre-approvals of playbook statements whose fixed text is unchanged — must meet it at queue
//! time and again at send time.

mod gate;
pub mod signed;

pub use gate::{ApprovalStatus, PolicyGate};

use crate::runner::Clock;
use signed::{Approval, BlockError, Request, Target};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use vigie_domain::approval::{Autonomy, Policy, TeamRefusal};
use vigie_domain::playbook::Playbook;
use vigie_domain::publish::{Account, Content, Network};
use vigie_domain::{Level, Timestamp};
use vigie_secrets::{Keychain, SecretsError, Sensitive};
use vigie_store::{Draft, Member, NewApproval, Origin, Store, StoreError, StoredApproval};

pub const REQUEST: &str = "APPROVAL REQUEST";
pub const APPROVAL: &str = "APPROVAL";

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("{0}")]
    Refused(TeamRefusal),
    #[error(transparent)]
    Block(#[from] BlockError),
    #[error(transparent)]
    Keychain(#[from] SecretsError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TeamError {
    pub fn code(&self) -> &'static str {
        match self {
            TeamError::Refused(_) => "refused",
            TeamError::Block(BlockError::BadSignature) => "bad_signature",
            TeamError::Block(_) => "invalid",
            TeamError::Keychain(_) => "keychain",
            TeamError::Store(StoreError::Duplicate { .. }) => "duplicate",
            TeamError::Store(StoreError::NotFound { .. }) => "not_found",
            TeamError::Store(_) => "store",
        }
    }
}

pub type TeamResult<T> = Result<T, TeamError>;

fn refused(r: TeamRefusal) -> TeamError {
    TeamError::Refused(r)
}

/// A playbook, the policy or a statement's slots did not pass their checks.
fn invalid(detail: String) -> TeamError {
    TeamError::Refused(TeamRefusal::Invalid { detail })
}

/// The local user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub key: String,
    pub name: String,
    pub roles: Vec<String>,
    pub autonomy: Autonomy,
}

/// The roster as a shareable file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterFile {
    #[serde(default, rename = "member")]
    members: Vec<Member>,
}

pub fn target_of(a: &Account) -> Target {
    Target {
        network: a.network,
        server: a.server.clone(),
        remote_id: a.identity.remote_id.clone(),
        handle: a.identity.handle.clone(),
    }
}

pub struct Team {
    store: Arc<Mutex<Store>>,
    clock: Arc<dyn Clock>,
    keychain: Keychain,
}

impl Team {
    /// `keychain_prefix` isolates tests; the app uses "" (`vigie/identity`).
    pub fn new(store: Arc<Mutex<Store>>, clock: Arc<dyn Clock>, keychain_prefix: &str) -> Team {
        Team {
            store,
            clock,
            keychain: Keychain::new(&format!("{keychain_prefix}identity")),
        }
    }

    fn db<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> TeamResult<T> {
        Ok(f(&mut self
            .store
            .lock()
            .unwrap_or_else(|p| p.into_inner()))?)
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    // ----- identity and roster -----------------------------------------------------------------

    /// Creates this laptop's identity: a new key pair (private half in the keychain) and an
    /// entry in the roster.
    pub fn create_identity(
        &self,
        name: &str,
        roles: &[String],
        autonomy: Autonomy,
    ) -> TeamResult<Me> {
        if self.db(|s| s.setting("identity_key"))?.is_some() {
            return Err(refused(TeamRefusal::IdentityExists));
        }
        let key = signed::new_signing_key();
        let public = signed::public_key_b64(&key);
        self.keychain
            .set(&public, &Sensitive::new(signed::signing_key_to_b64(&key)))?;
        let me = Member {
            key: public.clone(),
            name: name.trim().into(),
            roles: roles
                .iter()
                .map(|r| r.trim().to_lowercase())
                .filter(|r| !r.is_empty())
                .collect(),
            autonomy,
        };
        let now = self.now();
        self.db(|s| {
            s.set_setting("identity_key", &public)?;
            s.set_setting("identity_name", &me.name)?;
            s.upsert_member(&me, now)
        })?;
        self.me()
    }

    pub fn me(&self) -> TeamResult<Me> {
        let key = self
            .db(|s| s.setting("identity_key"))?
            .ok_or_else(|| refused(TeamRefusal::NoIdentity))?;
        let m = self
            .db(|s| s.member(&key))?
            .ok_or_else(|| refused(TeamRefusal::NotInRoster))?;
        Ok(Me {
            key: m.key,
            name: m.name,
            roles: m.roles,
            autonomy: m.autonomy,
        })
    }

    fn signing_key(&self, me: &Me) -> TeamResult<ed25519_dalek::SigningKey> {
        let secret = self
            .keychain
            .get(&me.key)?
            .ok_or_else(|| refused(TeamRefusal::NoPrivateKey))?;
        signed::signing_key_from_b64(secret.expose())
            .ok_or_else(|| refused(TeamRefusal::DamagedKey))
    }

    pub fn roster(&self) -> TeamResult<Vec<Member>> {
        self.db(|s| s.roster())
    }

    pub fn export_roster(&self) -> TeamResult<String> {
        let f = RosterFile {
            members: self.roster()?,
        };
        Ok(toml::to_string_pretty(&f).expect("roster serialises"))
    }

    /// Merges a roster file (by key). Returns how many members it holds.
    pub fn import_roster(&self, text: &str) -> TeamResult<usize> {
        let f: RosterFile = toml::from_str(text).map_err(|e| {
            refused(TeamRefusal::BadRoster {
                detail: e.to_string(),
            })
        })?;
        for m in &f.members {
            if signed::verifying_key(&m.key).is_none() {
                return Err(refused(TeamRefusal::BadMemberKey {
                    name: m.name.clone(),
                }));
            }
        }
        // Your own entry is never changed by an import (roles and autonomy are not self-granted).
        let me = self.me().ok();
        let now = self.now();
        for m in &f.members {
            match &me {
                Some(me) if me.key == m.key => continue,
                _ => self.db(|s| s.upsert_member(m, now))?,
            }
        }
        Ok(f.members.len())
    }

    /// Sets a member's roles and autonomy (by key or name).
    pub fn set_member(
        &self,
        who: &str,
        roles: Option<Vec<String>>,
        autonomy: Option<Autonomy>,
    ) -> TeamResult<Member> {
        let mut m = self
            .roster()?
            .into_iter()
            .find(|m| m.key == who || m.name.eq_ignore_ascii_case(who.trim()))
            .ok_or_else(|| {
                refused(TeamRefusal::NoSuchMember {
                    who: who.to_string(),
                })
            })?;
        if self.me().is_ok_and(|me| me.key == m.key) {
            return Err(refused(TeamRefusal::OwnRoles));
        }
        if let Some(r) = roles {
            m.roles = r.into_iter().map(|r| r.trim().to_lowercase()).collect();
        }
        if let Some(a) = autonomy {
            m.autonomy = a;
        }
        let now = self.now();
        self.db(|s| s.upsert_member(&m, now))?;
        Ok(m)
    }

    pub fn policy(&self) -> TeamResult<Policy> {
        Ok(match self.db(|s| s.setting("policy"))? {
            Some(t) => Policy::from_toml(&t).map_err(invalid)?,
            None => Policy::default(),
        })
    }

    pub fn set_policy(&self, toml_text: &str) -> TeamResult<Policy> {
        let p = Policy::from_toml(toml_text).map_err(invalid)?;
        let now = self.now();
        self.db(|s| {
            s.set_setting("policy", &p.to_toml())?;
            s.audit(
                now,
                "policy_changed",
                &serde_json::json!({"rules": p.rules.len()}),
            )
        })?;
        Ok(p)
    }

    // ----- drafts and playbooks ---------------------------------------------------------------

    pub fn create_draft(
        &self,
        title: &str,
        watch_id: Option<i64>,
        mentions: &[i64],
    ) -> TeamResult<Draft> {
        let me = self.me()?;
        let now = self.now();
        self.db(|s| s.create_draft(title, watch_id, mentions, &me.key, None, now))
    }

    pub fn save_variant(
        &self,
        draft_id: i64,
        account_id: i64,
        content: &Content,
    ) -> TeamResult<Draft> {
        let me = self.me()?;
        let now = self.now();
        self.db(|s| {
            s.account(account_id)?;
            s.save_variant(draft_id, account_id, content, &me.key, now)?;
            s.draft(draft_id)
        })
    }

    pub fn comment(&self, draft_id: i64, text: &str) -> TeamResult<()> {
        let me = self.me()?;
        let now = self.now();
        self.db(|s| s.comment_draft(draft_id, &me.key, &me.name, text, now))
    }

    pub fn import_playbook(&self, toml_text: &str) -> TeamResult<Playbook> {
        let p = Playbook::from_toml(toml_text).map_err(invalid)?;
        let now = self.now();
        self.db(|s| s.save_playbook(&p.name, &p.to_toml(), now))?;
        Ok(p)
    }

    pub fn playbooks(&self) -> TeamResult<Vec<Playbook>> {
        self.db(|s| s.playbooks())?
            .into_iter()
            .map(|(_, t)| Playbook::from_toml(&t).map_err(invalid))
            .collect()
    }

    pub fn playbook(&self, name: &str) -> TeamResult<Playbook> {
        self.playbooks()?
            .into_iter()
            .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                refused(TeamRefusal::NoPlaybook {
                    name: name.to_string(),
                })
            })
    }

    /// "Use this statement": a draft for `account_id` with the slots filled (a statement
    /// written for one network is refused for an account of another).
    pub fn use_statement(
        &self,
        playbook: &str,
        statement: &str,
        slots: &BTreeMap<String, String>,
        account_id: i64,
        watch_id: Option<i64>,
    ) -> TeamResult<Draft> {
        let me = self.me()?;
        let p = self.playbook(playbook)?;
        let st = p.statement(statement).ok_or_else(|| {
            refused(TeamRefusal::NoStatement {
                playbook: p.name.clone(),
                statement: statement.to_string(),
            })
        })?;
        let account = self.db(|s| s.account(account_id))?;
        same_network(st, account.network)?;
        let text = st.fill(slots).map_err(invalid)?;
        let origin = Origin {
            playbook: p.name.clone(),
            statement: st.id.clone(),
            template_hash: st.template_hash(),
            slots: slots.clone(),
        };
        let now = self.now();
        self.db(|s| {
            let d = s.create_draft(&st.title, watch_id, &[], &me.key, Some(&origin), now)?;
            s.save_variant(d.id, account_id, &Content::text(text), &me.key, now)?;
            s.draft(d.id)
        })
    }

    // ----- requests and approvals -------------------------------------------------------------

    /// A signed request for the current version of a draft's variant.
    pub fn request(&self, draft_id: i64, account_id: i64) -> TeamResult<String> {
        let me = self.me()?;
        let key = self.signing_key(&me)?;
        let draft = self.db(|s| s.draft(draft_id))?;
        let v = draft
            .variants
            .iter()
            .find(|v| v.account_id == account_id)
            .ok_or_else(|| refused(TeamRefusal::NoVariant))?;
        let account = self.db(|s| s.account(account_id))?;
        let now = self.now();
        let req = Request {
            v: 1,
            id: format!("{}-{draft_id}-{}-{now}", &me.key[..8], v.version),
            draft_id,
            title: draft.title.clone(),
            content: v.content.clone(),
            content_hash: v.content_hash.clone(),
            target: target_of(&account),
            level: self
                .db(|s| s.highest_level(draft.watch_id))?
                .as_str()
                .into(),
            author_key: me.key.clone(),
            author_name: me.name.clone(),
            at: now,
        };
        self.db(|s| {
            s.audit(
                now,
                "approval_requested",
                &serde_json::json!({
                    "request_id": req.id, "draft_id": draft_id, "content_hash": req.content_hash,
                    "target": req.target.key(),
                }),
            )
        })?;
        Ok(signed::seal(REQUEST, &req, &key))
    }

    /// Reads a request and checks its signature (what the validator's screen shows).
    pub fn review(&self, text: &str) -> TeamResult<Request> {
        let (req, _) = signed::open::<Request>(REQUEST, text, |r| r.author_key.clone())?;
        if req.content.hash() != req.content_hash {
            return Err(refused(TeamRefusal::RequestDamaged));
        }
        Ok(req)
    }

    /// Signs an approval of a request, as `role`, valid `valid_secs`.
    pub fn approve(&self, request_text: &str, role: &str, valid_secs: i64) -> TeamResult<String> {
        let me = self.me()?;
        let req = self.review(request_text)?;
        let now = self.now();
        if req.author_key == me.key {
            self.refusal("approval_refused", &req.id, "self-approval");
            return Err(refused(TeamRefusal::SelfApproval));
        }
        let role = role.trim().to_lowercase();
        if !me.roles.contains(&role) {
            return Err(refused(TeamRefusal::NotYourRole {
                role,
                yours: me.roles.clone(),
            }));
        }
        valid_long_enough(valid_secs)?;
        let key = self.signing_key(&me)?;
        let a = Approval {
            v: 1,
            kind: "approval".into(),
            subject_hash: req.content_hash.clone(),
            target: req.target.clone(),
            request_id: Some(req.id.clone()),
            author_key: Some(req.author_key.clone()),
            playbook: None,
            statement: None,
            max_level: None,
            approver_key: me.key.clone(),
            approver_name: me.name.clone(),
            role,
            signed_at: now,
            expires_at: now + valid_secs,
        };
        self.db(|s| {
            s.audit(now, "approval_signed", &serde_json::json!({
                "request_id": req.id, "content_hash": a.subject_hash, "target": a.target.key(), "role": a.role,
            }))
        })?;
        Ok(signed::seal(APPROVAL, &a, &key))
    }

    /// Pre-approves a playbook statement's fixed text for an account, up to a level.
    pub fn pre_approve(
        &self,
        playbook: &str,
        statement: &str,
        target: &Target,
        max_level: Level,
        role: &str,
        valid_secs: i64,
    ) -> TeamResult<String> {
        let me = self.me()?;
        let p = self.playbook(playbook)?;
        let st = p.statement(statement).ok_or_else(|| {
            refused(TeamRefusal::NoStatement {
                playbook: p.name.clone(),
                statement: statement.to_string(),
            })
        })?;
        same_network(st, target.network)?;
        let role = role.trim().to_lowercase();
        if !me.roles.contains(&role) {
            return Err(refused(TeamRefusal::NotYourRole {
                role,
                yours: me.roles.clone(),
            }));
        }
        valid_long_enough(valid_secs)?;
        let key = self.signing_key(&me)?;
        let now = self.now();
        let a = Approval {
            v: 1,
            kind: "pre_approval".into(),
            subject_hash: st.template_hash(),
            target: target.clone(),
            request_id: None,
            author_key: None,
            playbook: Some(p.name.clone()),
            statement: Some(st.id.clone()),
            max_level: Some(max_level.as_str().into()),
            approver_key: me.key.clone(),
            approver_name: me.name.clone(),
            role,
            signed_at: now,
            expires_at: now + valid_secs,
        };
        Ok(signed::seal(APPROVAL, &a, &key))
    }

    fn refusal(&self, kind: &str, subject: &str, why: &str) {
        let now = self.now();
        let _ = self.db(|s| {
            s.record(
                now,
                kind,
                serde_json::json!({"subject": subject, "why": why}),
            )
        });
    }

    /// Verifies an approval received from a validator and files it.
    pub fn import_approval(&self, text: &str) -> TeamResult<StoredApproval> {
        let now = self.now();
        let opened = signed::open::<Approval>(APPROVAL, text, |a| a.approver_key.clone());
        let (a, signature) = match opened {
            Ok(x) => x,
            Err(e) => {
                self.refusal("approval_refused", "?", &e.to_string());
                return Err(e.into());
            }
        };
        let fail = |why: TeamRefusal| -> TeamError {
            self.refusal("approval_refused", &a.subject_hash, &why.to_string());
            refused(why)
        };
        let member = self.db(|s| s.member(&a.approver_key))?.ok_or_else(|| {
            fail(TeamRefusal::ApproverUnknown {
                name: a.approver_name.clone(),
            })
        })?;
        if !member.roles.contains(&a.role) {
            return Err(fail(TeamRefusal::RoleNotHeld {
                name: member.name.clone(),
                role: a.role.clone(),
                roles: member.roles.clone(),
            }));
        }
        if a.expires_at <= now {
            return Err(fail(TeamRefusal::Expired {
                name: member.name.clone(),
            }));
        }
        let me = self.me().ok();
        if me.as_ref().is_some_and(|m| m.key == a.approver_key) {
            return Err(fail(TeamRefusal::OwnApproval));
        }
        if a.kind == "approval" {
            if a.author_key.as_deref() == Some(a.approver_key.as_str()) {
                return Err(fail(TeamRefusal::AuthorApproved));
            }
            if let (Some(m), Some(author)) = (&me, &a.author_key) {
                if &m.key != author {
                    return Err(fail(TeamRefusal::SomeoneElsesRequest));
                }
            }
            // It must match a draft as it is now, for this account.
            let drafts = self.db(|s| s.drafts())?;
            let accounts = self.db(|s| s.accounts(None))?;
            let matching = drafts.iter().flat_map(|d| &d.variants).find(|v| {
                v.content_hash == a.subject_hash
                    && accounts
                        .iter()
                        .any(|acc| acc.id == v.account_id && target_of(acc) == a.target)
            });
            if matching.is_none() {
                let same_target = drafts.iter().flat_map(|d| &d.variants).any(|v| {
                    accounts
                        .iter()
                        .any(|acc| acc.id == v.account_id && target_of(acc) == a.target)
                });
                return Err(fail(if same_target {
                    TeamRefusal::DraftEdited
                } else {
                    TeamRefusal::NoMatchingDraft {
                        handle: a.target.handle.clone(),
                    }
                }));
            }
        }
        let stored = self.db(|s| {
            s.add_approval(
                &NewApproval {
                    signature: &signature,
                    kind: &a.kind,
                    subject_hash: &a.subject_hash,
                    account: &a.target.key(),
                    approver_key: &a.approver_key,
                    approver_name: &member.name,
                    role: &a.role,
                    signed_at: a.signed_at,
                    expires_at: a.expires_at,
                    max_level: a.max_level.as_deref(),
                    request_id: a.request_id.as_deref(),
                    statement: text.trim(),
                },
                now,
            )
        })?;
        Ok(stored)
    }
}

/// An approval stays valid at least a minute: a shorter one could expire between the
/// signature and the import. Refused, rather than stretched quietly.
fn valid_long_enough(valid_secs: i64) -> TeamResult<()> {
    if valid_secs < 60 {
        return Err(invalid(
            "an approval stays valid at least 1 minute (1m, 2h, 1d…)".into(),
        ));
    }
    Ok(())
}

/// A statement written for one network (`network = "bluesky"`) is not used, nor pre-approved,
/// for an account of another.
fn same_network(st: &vigie_domain::playbook::Statement, target: Network) -> TeamResult<()> {
    match st.network {
        Some(n) if n != target => Err(refused(TeamRefusal::WrongNetwork {
            statement: st.id.clone(),
            network: n.to_string(),
            target: target.to_string(),
        })),
        _ => Ok(()),
    }
}
