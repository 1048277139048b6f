//! The team roster (names, roles, public keys, autonomy) and the signed approvals this laptop
//! has verified. Signature checks happen in the engine before anything lands here; the store
//! keeps the full signed text so it can be checked again at send time.

use crate::audit::record as event;
use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use vigie_domain::approval::Autonomy;
use vigie_domain::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// Base64 Ed25519 public key: the person's identity.
    pub key: String,
    pub name: String,
    pub roles: Vec<String>,
    #[serde(default)]
    pub autonomy: Autonomy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredApproval {
    pub id: i64,
    pub signature: String,
    /// `approval` (one exact content) or `pre_approval` (a playbook statement's fixed text).
    pub kind: String,
    /// Content hash, or template hash for a pre-approval.
    pub subject_hash: String,
    /// `network|server|remote_id` of the target account.
    pub account: String,
    pub approver_key: String,
    pub approver_name: String,
    pub role: String,
    pub signed_at: Timestamp,
    pub expires_at: Timestamp,
    pub max_level: Option<String>,
    pub request_id: Option<String>,
    /// The signed text as received, checked again before sending.
    pub statement: String,
    pub used_by_post: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewApproval<'a> {
    pub signature: &'a str,
    pub kind: &'a str,
    pub subject_hash: &'a str,
    pub account: &'a str,
    pub approver_key: &'a str,
    pub approver_name: &'a str,
    pub role: &'a str,
    pub signed_at: Timestamp,
    pub expires_at: Timestamp,
    pub max_level: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub statement: &'a str,
}

const COLUMNS: &str = "id, signature, kind, subject_hash, account, approver_key, approver_name, role, signed_at, expires_at, max_level, request_id, statement, used_by_post";

fn approval_row(r: &Row<'_>) -> rusqlite::Result<StoredApproval> {
    Ok(StoredApproval {
        id: r.get(0)?,
        signature: r.get(1)?,
        kind: r.get(2)?,
        subject_hash: r.get(3)?,
        account: r.get(4)?,
        approver_key: r.get(5)?,
        approver_name: r.get(6)?,
        role: r.get(7)?,
        signed_at: r.get(8)?,
        expires_at: r.get(9)?,
        max_level: r.get(10)?,
        request_id: r.get(11)?,
        statement: r.get(12)?,
        used_by_post: r.get(13)?,
    })
}

fn member_row(r: &Row<'_>) -> rusqlite::Result<Member> {
    let roles: String = r.get(2)?;
    let autonomy: String = r.get(3)?;
    Ok(Member {
        key: r.get(0)?,
        name: r.get(1)?,
        roles: serde_json::from_str(&roles).unwrap_or_default(),
        autonomy: autonomy.parse().unwrap_or_default(),
    })
}

impl Store {
    /// Adds or updates a member of the roster (import merges by key).
    pub fn upsert_member(&mut self, m: &Member, now: Timestamp) -> Result<()> {
        if m.name.trim().is_empty() {
            return Err(StoreError::Invalid {
                what: "roster",
                message: "a member needs a name".into(),
            });
        }
        let roles = serde_json::to_string(&m.roles).expect("serialises");
        self.write(|tx| {
            tx.execute(
                "INSERT INTO roster (key, name, roles, autonomy, added_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(key) DO UPDATE SET name = excluded.name, roles = excluded.roles, autonomy = excluded.autonomy",
                params![m.key, m.name.trim(), roles, m.autonomy.to_string(), now],
            )?;
            event(
                tx,
                now,
                "roster_member",
                serde_json::json!({"key": m.key, "name": m.name, "roles": m.roles, "autonomy": m.autonomy}),
            )
        })
    }

    pub fn roster(&self) -> Result<Vec<Member>> {
        self.all(
            "SELECT key, name, roles, autonomy FROM roster ORDER BY name",
            [],
            member_row,
        )
    }

    pub fn member(&self, key: &str) -> Result<Option<Member>> {
        self.conn()
            .query_row(
                "SELECT key, name, roles, autonomy FROM roster WHERE key = ?1",
                [key],
                member_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Records a verified approval. The same signed statement twice is a replay: refused.
    pub fn add_approval(&mut self, a: &NewApproval<'_>, now: Timestamp) -> Result<StoredApproval> {
        let seen: Option<i64> = self
            .conn()
            .query_row(
                "SELECT id FROM approvals WHERE signature = ?1",
                [a.signature],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if seen.is_some() {
            self.record(
                now,
                "approval_refused",
                serde_json::json!({"why": "replayed", "approver": a.approver_name}),
            )?;
            return Err(StoreError::Duplicate {
                what: "approval",
                key: format!(
                    "by {} (this exact signed approval was already imported: a replay)",
                    a.approver_name
                ),
            });
        }
        let id = self.write(|tx| {
            tx.execute(
                &format!("INSERT INTO approvals ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    "signature, kind, subject_hash, account, approver_key, approver_name, role, signed_at, expires_at, max_level, request_id, statement, imported_at"),
                params![a.signature, a.kind, a.subject_hash, a.account, a.approver_key, a.approver_name,
                        a.role, a.signed_at, a.expires_at, a.max_level, a.request_id, a.statement, now],
            )?;
            let id = tx.last_insert_rowid();
            event(tx, now, if a.kind == "pre_approval" { "pre_approval_imported" } else { "approval_imported" }, serde_json::json!({
                "approval_id": id, "subject_hash": a.subject_hash, "account": a.account,
                "approver": a.approver_name, "role": a.role, "expires_at": a.expires_at,
            }))?;
            Ok(id)
        })?;
        self.approval(id)
    }

    pub fn approval(&self, id: i64) -> Result<StoredApproval> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM approvals WHERE id = ?1"),
                [id],
                approval_row,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound {
                what: "approval",
                key: id.to_string(),
            })
    }

    /// Unused approvals for this subject and account (expiry is checked by the caller, with
    /// its clock).
    pub fn approvals_for(&self, subject_hash: &str, account: &str) -> Result<Vec<StoredApproval>> {
        self.all(&format!(
                "SELECT {COLUMNS} FROM approvals WHERE subject_hash = ?1 AND account = ?2 AND used_by_post IS NULL ORDER BY id"
            ), params![subject_hash, account], approval_row)
    }

    /// Pre-approvals of playbook statements for this account.
    pub fn pre_approvals_for(&self, account: &str) -> Result<Vec<StoredApproval>> {
        self.all(&format!(
                "SELECT {COLUMNS} FROM approvals WHERE kind = 'pre_approval' AND account = ?1 ORDER BY id"
            ), [account], approval_row)
    }

    pub fn approvals(&self, limit: usize) -> Result<Vec<StoredApproval>> {
        self.all(
            &format!("SELECT {COLUMNS} FROM approvals ORDER BY id DESC LIMIT ?1"),
            [limit as i64],
            approval_row,
        )
    }

    /// Marks content approvals as used by a sent post: an approval serves one post only.
    pub fn consume_approvals(&mut self, ids: &[i64], post_id: i64, now: Timestamp) -> Result<()> {
        self.write(|tx| {
            for id in ids {
                tx.execute(
                    "UPDATE approvals SET used_by_post = ?2 WHERE id = ?1 AND kind = 'approval' AND used_by_post IS NULL",
                    params![id, post_id],
                )?;
            }
            event(
                tx,
                now,
                "approvals_used",
                serde_json::json!({"post_id": post_id, "approvals": ids}),
            )
        })
    }
}
