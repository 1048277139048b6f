//! The audit log: every draft change, approval, refusal, publish attempt and kill-switch change,
//! append-only and hash-chained. Each entry's hash covers the previous entry's hash, so an edit
//! or a deletion anywhere breaks the chain at a place [`Store::verify_audit`] names. Removing
//! the newest entries would leave a shorter valid chain, so each append also records the head
//! (sequence and hash) in the settings table, and verify compares the chain's end with it.
//! (Someone able to rewrite the file can rewrite both: for that, keep `vigie audit verify`'s
//! head outside the computer.)

use crate::{Result, Store};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use vigie_domain::Timestamp;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub kind: String,
    pub data: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    pub entries: i64,
    pub head: String,
    /// The first place the chain breaks, in words (None: intact).
    pub broken: Option<String>,
}

fn entry_hash(prev: &str, seq: i64, at: Timestamp, actor: &str, kind: &str, data: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"vigie-audit-v1\0");
    for part in [
        prev.as_bytes(),
        &seq.to_be_bytes(),
        &at.to_be_bytes(),
        actor.as_bytes(),
        kind.as_bytes(),
        data.as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Records something that happened in both logs, in the caller's transaction: the event log
/// (what the UI lists) and the hash-chained audit log (what `verify` checks). Publishing,
/// approvals, drafts and refusals all go through here.
pub(crate) fn record(
    conn: &rusqlite::Connection,
    at: Timestamp,
    kind: &str,
    data: serde_json::Value,
) -> Result<()> {
    conn.execute(
        "INSERT INTO events (at, kind, data) VALUES (?1, ?2, ?3)",
        params![at, kind, data.to_string()],
    )?;
    append(conn, at, kind, &data)
}

/// Appends one entry inside the caller's transaction. The actor is the local identity's name
/// when one is set up.
pub(crate) fn append(
    tx: &rusqlite::Connection,
    at: Timestamp,
    kind: &str,
    data: &serde_json::Value,
) -> Result<()> {
    let actor: String = tx
        .query_row(
            "SELECT value FROM settings WHERE key = 'identity_name'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| "local".into());
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let data = data.to_string();
    let hash = entry_hash(&prev, seq, at, &actor, kind, &data);
    tx.execute(
        "INSERT INTO audit (seq, at, actor, kind, data, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![seq, at, actor, kind, data, prev, hash],
    )?;
    crate::signals::put_setting(tx, HEAD_KEY, &format!("{seq} {hash}"))
}

/// Where the newest entry's sequence and hash are kept, beside the chain.
const HEAD_KEY: &str = "audit.head";

impl Store {
    /// Records an event in the event log and the audit log (e.g. a guard's refusal).
    pub fn record(&mut self, at: Timestamp, kind: &str, data: serde_json::Value) -> Result<()> {
        self.write(|tx| record(tx, at, kind, data))
    }

    /// Appends an audit entry on its own.
    pub fn audit(&mut self, at: Timestamp, kind: &str, data: &serde_json::Value) -> Result<()> {
        self.write(|tx| append(tx, at, kind, data))
    }

    pub fn audit_entries(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT seq, at, actor, kind, data, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                let data: String = r.get(4)?;
                Ok(AuditEntry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    kind: r.get(3)?,
                    data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                    prev_hash: r.get(5)?,
                    hash: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Walks the whole chain and names the first entry that was edited, inserted or deleted.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        let mut stmt = self
            .conn()
            .prepare("SELECT seq, at, actor, kind, data, prev_hash, hash FROM audit ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut expected_seq = 1;
        let mut prev = GENESIS.to_string();
        let mut count = 0;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let seq: i64 = r.get(0).map_err(|e| self.err(e))?;
            let at: i64 = r.get(1).map_err(|e| self.err(e))?;
            let actor: String = r.get(2).map_err(|e| self.err(e))?;
            let kind: String = r.get(3).map_err(|e| self.err(e))?;
            let data: String = r.get(4).map_err(|e| self.err(e))?;
            let prev_hash: String = r.get(5).map_err(|e| self.err(e))?;
            let hash: String = r.get(6).map_err(|e| self.err(e))?;
            let broken = if seq != expected_seq {
                Some(format!(
                    "entry {expected_seq}{} is missing: deleted from the log",
                    if seq > expected_seq + 1 {
                        format!(" to {}", seq - 1)
                    } else {
                        String::new()
                    }
                ))
            } else if prev_hash != prev {
                Some(format!(
                    "entry {seq} does not follow entry {}: an entry before it was changed or removed",
                    seq - 1
                ))
            } else if entry_hash(&prev_hash, seq, at, &actor, &kind, &data) != hash {
                Some(format!(
                    "entry {seq} ({kind}) was modified after it was written"
                ))
            } else {
                None
            };
            if broken.is_some() {
                return Ok(AuditReport {
                    entries: count,
                    head: prev,
                    broken,
                });
            }
            count += 1;
            expected_seq += 1;
            prev = hash;
        }
        // The end of the chain must be the last entry written (databases from before the head
        // was kept have none until their next entry).
        let recorded = self.setting(HEAD_KEY)?;
        let broken = recorded.and_then(|v| {
            let Some((seq, hash)) = v
                .split_once(' ')
                .and_then(|(s, h)| Some((s.parse::<i64>().ok()?, h)))
            else {
                return Some("the head recorded beside the log was changed".to_string());
            };
            if seq > count {
                Some(format!(
                    "the log ends at entry {count} but entry {seq} was written: the newest entries were removed"
                ))
            } else if seq == count && hash != prev {
                Some(format!("entry {seq} was replaced after it was written"))
            } else {
                None
            }
        });
        Ok(AuditReport {
            entries: count,
            head: prev,
            broken,
        })
    }
}
