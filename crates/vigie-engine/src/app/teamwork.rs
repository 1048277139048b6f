//! The teamwork side of the facade: identity and roster, the approval policy, drafts,
//! playbooks, approval requests and approvals, the audit log. Rules live in
//! [`crate::approvals::Team`]; this layer maps requests and errors for the UI.

use super::{App, AppError, AppResult};
use crate::approvals::signed::{BlockError, Request, Target};
use crate::approvals::{ApprovalStatus, Me, TeamError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vigie_domain::approval::{Autonomy, Policy};
use vigie_domain::playbook::Playbook;
use vigie_domain::publish::Content;
use vigie_domain::Level;
use vigie_store::{
    AuditEntry, AuditReport, Comment, Draft, Member, StoreError, StoredApproval, Version,
};

impl From<TeamError> for AppError {
    fn from(e: TeamError) -> Self {
        let (code, message) = (e.code(), e.to_string());
        match e {
            TeamError::Refused(r) => AppError {
                team: Some(Box::new(r)),
                ..AppError::new(code, message)
            },
            TeamError::Keychain(e) => AppError::keychain(e),
            // A pasted block that is not one, or is damaged (`bad_signature` says itself).
            TeamError::Block(BlockError::NotABlock(kind)) => {
                AppError::new(code, message).about("not_a_block", Some(kind.to_string()))
            }
            TeamError::Block(BlockError::Damaged(detail)) => {
                AppError::new(code, message).about("damaged_block", Some(detail))
            }
            // Keeps what it is about (a missing draft, a duplicate approval…).
            TeamError::Store(s @ (StoreError::NotFound { .. } | StoreError::Duplicate { .. })) => {
                s.into()
            }
            _ => AppError::new(code, message),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftDetail {
    pub draft: Draft,
    pub history: Vec<Version>,
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UseStatement {
    pub playbook: String,
    pub statement: String,
    pub slots: BTreeMap<String, String>,
    pub account_id: i64,
    #[serde(default)]
    pub watch_id: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreApprove {
    pub playbook: String,
    pub statement: String,
    pub target: Target,
    pub max_level: Level,
    pub role: String,
    pub valid_secs: i64,
}

impl App {
    pub fn me(&self) -> AppResult<Option<Me>> {
        Ok(self.team.me().ok())
    }

    pub fn create_identity(
        &self,
        name: &str,
        roles: &[String],
        autonomy: Autonomy,
    ) -> AppResult<Me> {
        Ok(self.team.create_identity(name, roles, autonomy)?)
    }

    pub fn roster(&self) -> AppResult<Vec<Member>> {
        Ok(self.team.roster()?)
    }

    pub fn export_roster(&self) -> AppResult<String> {
        Ok(self.team.export_roster()?)
    }

    pub fn import_roster(&self, text: &str) -> AppResult<usize> {
        Ok(self.team.import_roster(text)?)
    }

    pub fn set_member(
        &self,
        who: &str,
        roles: Option<Vec<String>>,
        autonomy: Option<Autonomy>,
    ) -> AppResult<Member> {
        Ok(self.team.set_member(who, roles, autonomy)?)
    }

    pub fn policy(&self) -> AppResult<String> {
        Ok(self.team.policy()?.to_toml())
    }

    pub fn save_policy(&self, toml_text: &str) -> AppResult<Policy> {
        Ok(self.team.set_policy(toml_text)?)
    }

    pub fn drafts(&self) -> AppResult<Vec<Draft>> {
        self.db(|s| s.drafts())
    }

    pub fn draft(&self, id: i64) -> AppResult<DraftDetail> {
        self.db(|s| {
            Ok(DraftDetail {
                draft: s.draft(id)?,
                history: s.draft_history(id)?,
                comments: s.draft_comments(id)?,
            })
        })
    }

    pub fn create_draft(
        &self,
        title: &str,
        watch_id: Option<i64>,
        mentions: &[i64],
    ) -> AppResult<Draft> {
        Ok(self.team.create_draft(title, watch_id, mentions)?)
    }

    pub fn save_variant(
        &self,
        draft_id: i64,
        account_id: i64,
        content: &Content,
    ) -> AppResult<Draft> {
        Ok(self.team.save_variant(draft_id, account_id, content)?)
    }

    pub fn comment_draft(&self, draft_id: i64, text: &str) -> AppResult<DraftDetail> {
        self.team.comment(draft_id, text)?;
        self.draft(draft_id)
    }

    pub fn playbooks(&self) -> AppResult<Vec<Playbook>> {
        Ok(self.team.playbooks()?)
    }

    pub fn import_playbook(&self, toml_text: &str) -> AppResult<Playbook> {
        Ok(self.team.import_playbook(toml_text)?)
    }

    pub fn export_playbook(&self, name: &str) -> AppResult<String> {
        Ok(self.team.playbook(name)?.to_toml())
    }

    pub fn use_statement(&self, u: &UseStatement) -> AppResult<Draft> {
        Ok(self.team.use_statement(
            &u.playbook,
            &u.statement,
            &u.slots,
            u.account_id,
            u.watch_id,
        )?)
    }

    /// A signed request block for a draft's variant.
    pub fn request_approval(&self, draft_id: i64, account_id: i64) -> AppResult<String> {
        Ok(self.team.request(draft_id, account_id)?)
    }

    /// What a validator sees before signing: the exact content and target, signature checked.
    pub fn review_request(&self, text: &str) -> AppResult<Request> {
        Ok(self.team.review(text)?)
    }

    pub fn approve_request(&self, text: &str, role: &str, valid_secs: i64) -> AppResult<String> {
        Ok(self.team.approve(text, role, valid_secs)?)
    }

    pub fn pre_approve(&self, p: &PreApprove) -> AppResult<String> {
        Ok(self.team.pre_approve(
            &p.playbook,
            &p.statement,
            &p.target,
            p.max_level,
            &p.role,
            p.valid_secs,
        )?)
    }

    pub fn import_approval(&self, text: &str) -> AppResult<StoredApproval> {
        Ok(self.team.import_approval(text)?)
    }

    pub fn approvals(&self) -> AppResult<Vec<StoredApproval>> {
        self.db(|s| s.approvals(500))
    }

    /// What the policy asks for a post and whether it is met (shown in the composer before
    /// confirming).
    pub fn requirement(&self, r: &super::ComposeRequest) -> AppResult<ApprovalStatus> {
        let check = self.compose_check(r)?;
        let hash = r.content.hash();
        let ctx = crate::publish::GateContext {
            content: &r.content,
            content_hash: &hash,
            account: &check.account,
            profile_kind: check.profile.kind,
            level: check.level,
            watch_id: r.watch_id,
            now: self.now(),
        };
        Ok(self.team.approval_status(&ctx)?)
    }

    pub fn audit(&self, limit: usize) -> AppResult<Vec<AuditEntry>> {
        self.db(|s| s.audit_entries(limit.clamp(1, 5000)))
    }

    pub fn verify_audit(&self) -> AppResult<AuditReport> {
        self.db(|s| s.verify_audit())
    }

    /// An account's public identity, for a validator's pre-approval.
    pub fn account_target(&self, account_id: i64) -> AppResult<Target> {
        let a = self.db(|s| s.account(account_id))?;
        Ok(crate::approvals::target_of(&a))
    }
}
