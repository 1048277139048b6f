//! Drafts written together: one variant per target account, every version kept (who wrote
//! what and when), comments, and the mentions or watch they answer. Playbooks are stored as
//! their TOML text.

use crate::audit::record as event;
use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use vigie_domain::publish::Content;
use vigie_domain::Timestamp;

/// Where a draft's text came from when it was filled from a playbook statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Origin {
    pub playbook: String,
    pub statement: String,
    pub template_hash: String,
    pub slots: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub id: i64,
    pub title: String,
    pub watch_id: Option<i64>,
    pub mention_ids: Vec<i64>,
    pub author_key: String,
    pub origin: Option<Origin>,
    pub variants: Vec<Variant>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    pub account_id: i64,
    pub content: Content,
    pub content_hash: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub account_id: i64,
    pub version: i64,
    pub content: Content,
    pub content_hash: String,
    pub author_key: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub id: i64,
    pub author_key: String,
    pub author_name: String,
    pub text: String,
    pub at: Timestamp,
}

impl Store {
    pub fn create_draft(
        &mut self,
        title: &str,
        watch_id: Option<i64>,
        mention_ids: &[i64],
        author_key: &str,
        origin: Option<&Origin>,
        now: Timestamp,
    ) -> Result<Draft> {
        if title.trim().is_empty() {
            return Err(StoreError::Invalid {
                what: "draft",
                message: "a draft needs a title".into(),
            });
        }
        let mentions = serde_json::to_string(mention_ids).expect("serialises");
        let origin_json = origin.map(|o| serde_json::to_string(o).expect("serialises"));
        let id = self.write(|tx| {
            tx.execute(
                "INSERT INTO drafts (title, watch_id, mention_ids, author_key, origin, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![title.trim(), watch_id, mentions, author_key, origin_json, now],
            )?;
            let id = tx.last_insert_rowid();
            event(tx, now, "draft_created", serde_json::json!({
                "draft_id": id, "title": title.trim(), "watch_id": watch_id, "mentions": mention_ids,
                "author": author_key, "origin": origin,
            }))?;
            Ok(id)
        })?;
        self.draft(id)
    }

    /// Writes a new version of the variant for one account (the history keeps every version).
    pub fn save_variant(
        &mut self,
        draft_id: i64,
        account_id: i64,
        content: &Content,
        author_key: &str,
        now: Timestamp,
    ) -> Result<Variant> {
        let json = serde_json::to_string(content).expect("serialises");
        let hash = content.hash();
        self.write(|tx| {
            let current: Option<(i64, String)> = tx
                .query_row(
                    "SELECT version, content_hash FROM draft_variants WHERE draft_id = ?1 AND account_id = ?2",
                    params![draft_id, account_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if current.as_ref().is_some_and(|(_, h)| h == &hash) {
                return Ok(()); // unchanged
            }
            let version = current.map(|(v, _)| v + 1).unwrap_or(1);
            tx.execute(
                "INSERT INTO draft_variants (draft_id, account_id, content, content_hash, version, updated_by, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(draft_id, account_id) DO UPDATE SET content = excluded.content,
                   content_hash = excluded.content_hash, version = excluded.version,
                   updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                params![draft_id, account_id, json, hash, version, author_key, now],
            )?;
            tx.execute(
                "INSERT INTO draft_history (draft_id, account_id, version, content, content_hash, author_key, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![draft_id, account_id, version, json, hash, author_key, now],
            )?;
            tx.execute("UPDATE drafts SET updated_at = ?2 WHERE id = ?1", params![draft_id, now])?;
            event(tx, now, "draft_edited", serde_json::json!({
                "draft_id": draft_id, "account_id": account_id, "version": version,
                "content_hash": hash, "author": author_key,
            }))
        })?;
        self.draft(draft_id)?
            .variants
            .into_iter()
            .find(|v| v.account_id == account_id)
            .ok_or(StoreError::NotFound {
                what: "variant",
                key: format!("{draft_id}/{account_id}"),
            })
    }

    pub fn comment_draft(
        &mut self,
        draft_id: i64,
        author_key: &str,
        author_name: &str,
        text: &str,
        now: Timestamp,
    ) -> Result<()> {
        if text.trim().is_empty() {
            return Err(StoreError::Invalid {
                what: "comment",
                message: "the comment is empty".into(),
            });
        }
        self.draft(draft_id)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO draft_comments (draft_id, author_key, author_name, text, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![draft_id, author_key, author_name, text.trim(), now],
            )?;
            event(tx, now, "draft_commented", serde_json::json!({"draft_id": draft_id, "author": author_name, "text": text.trim()}))
        })
    }

    pub fn draft(&self, id: i64) -> Result<Draft> {
        let head = self
            .conn()
            .query_row(
                "SELECT id, title, watch_id, mention_ids, author_key, origin, created_at, updated_at FROM drafts WHERE id = ?1",
                [id],
                |r| {
                    let mentions: String = r.get(3)?;
                    let origin: Option<String> = r.get(5)?;
                    Ok(Draft {
                        id: r.get(0)?,
                        title: r.get(1)?,
                        watch_id: r.get(2)?,
                        mention_ids: serde_json::from_str(&mentions).unwrap_or_default(),
                        author_key: r.get(4)?,
                        origin: origin.and_then(|o| serde_json::from_str(&o).ok()),
                        variants: Vec::new(),
                        created_at: r.get(6)?,
                        updated_at: r.get(7)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let mut draft = head.ok_or(StoreError::NotFound {
            what: "draft",
            key: id.to_string(),
        })?;
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT account_id, content, content_hash, version, updated_by, updated_at
                 FROM draft_variants WHERE draft_id = ?1 ORDER BY account_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([id], |r| {
                let content: String = r.get(1)?;
                Ok(Variant {
                    account_id: r.get(0)?,
                    content: serde_json::from_str(&content).unwrap_or_default(),
                    content_hash: r.get(2)?,
                    version: r.get(3)?,
                    updated_by: r.get(4)?,
                    updated_at: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        draft.variants = rows
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        Ok(draft)
    }

    pub fn drafts(&self) -> Result<Vec<Draft>> {
        let ids: Vec<i64> = self.all(
            "SELECT id FROM drafts ORDER BY updated_at DESC, id DESC",
            [],
            |r| r.get(0),
        )?;
        ids.into_iter().map(|id| self.draft(id)).collect()
    }

    pub fn draft_history(&self, id: i64) -> Result<Vec<Version>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT account_id, version, content, content_hash, author_key, at FROM draft_history
                 WHERE draft_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([id], |r| {
                let content: String = r.get(2)?;
                Ok(Version {
                    account_id: r.get(0)?,
                    version: r.get(1)?,
                    content: serde_json::from_str(&content).unwrap_or_default(),
                    content_hash: r.get(3)?,
                    author_key: r.get(4)?,
                    at: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    pub fn draft_comments(&self, id: i64) -> Result<Vec<Comment>> {
        self.all(
                "SELECT id, author_key, author_name, text, at FROM draft_comments WHERE draft_id = ?1 ORDER BY id",
            [id], |r| {
                Ok(Comment {
                    id: r.get(0)?,
                    author_key: r.get(1)?,
                    author_name: r.get(2)?,
                    text: r.get(3)?,
                    at: r.get(4)?,
                })
            })
    }

    /// Stores a playbook's TOML (validated by the caller), replacing one of the same name.
    pub fn save_playbook(&mut self, name: &str, toml: &str, now: Timestamp) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO playbooks (name, toml, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET toml = excluded.toml, updated_at = excluded.updated_at",
                params![name, toml, now],
            )?;
            event(tx, now, "playbook_saved", serde_json::json!({"name": name}))
        })
    }

    pub fn playbooks(&self) -> Result<Vec<(String, String)>> {
        self.all("SELECT name, toml FROM playbooks ORDER BY name", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }
}
