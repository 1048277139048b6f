//! Per-watch signal state (detectors and level, as JSON) and small health records.

use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use vigie_domain::{Level, Timestamp};

/// A watch's current level as the user sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchLevel {
    pub watch_id: i64,
    pub level: Level,
    pub since: Option<Timestamp>,
    pub explanation_fr: String,
    pub explanation_en: String,
    pub last_bucket: Option<Timestamp>,
}

impl Store {
    /// The stored signal state of a watch (opaque JSON owned by the engine).
    pub fn signal_state(&self, watch_id: i64) -> Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT state FROM watch_signals WHERE watch_id = ?1",
                [watch_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Saves a watch's signal state and level, and appends `events`, in one transaction.
    pub fn save_signal_state(
        &mut self,
        level: &WatchLevel,
        state: &str,
        events: &[crate::NewEvent<'_>],
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO watch_signals (watch_id, level, level_since, explanation_fr, explanation_en, last_bucket, state, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(watch_id) DO UPDATE SET level = ?2, level_since = ?3, explanation_fr = ?4, explanation_en = ?5,
                    last_bucket = ?6, state = ?7, updated_at = ?8",
                params![level.watch_id, level.level.as_str(), level.since, level.explanation_fr, level.explanation_en, level.last_bucket, state, now],
            )
            .map_err(|e| {
                // Removed (by another Vigie process) while its signal pass ran.
                if crate::is_foreign_key_error(&e) {
                    StoreError::NotFound { what: "watch", key: level.watch_id.to_string() }
                } else {
                    e.into()
                }
            })?;
            for e in events {
                tx.execute(
                    "INSERT INTO events (at, kind, watch_id, source_id, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![e.at, e.kind, e.watch_id, e.source_id, e.data.to_string()],
                )?;
            }
            Ok(())
        })
    }

    /// The level of one watch, or the highest of all watches (calm when none was evaluated).
    pub fn highest_level(&self, watch_id: Option<i64>) -> Result<Level> {
        Ok(self
            .levels()?
            .iter()
            .filter(|l| watch_id.is_none_or(|w| l.watch_id == w))
            .map(|l| l.level)
            .max()
            .unwrap_or(Level::Calm))
    }

    /// Every watch's level (watches never evaluated are calm).
    pub fn levels(&self) -> Result<Vec<WatchLevel>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT w.id, coalesce(s.level, 'calm'), s.level_since, coalesce(s.explanation_fr, ''), coalesce(s.explanation_en, ''), s.last_bucket
                 FROM watches w LEFT JOIN watch_signals s ON s.watch_id = w.id ORDER BY w.name",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let level: String = r.get(1)?;
                Ok(WatchLevel {
                    watch_id: r.get(0)?,
                    level: level.parse().unwrap_or_default(),
                    since: r.get(2)?,
                    explanation_fr: r.get(3)?,
                    explanation_en: r.get(4)?,
                    last_bucket: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// Records (or clears, with None) a health note such as "notifications unavailable".
    pub fn set_health(&mut self, key: &str, value: Option<&str>, now: Timestamp) -> Result<()> {
        self.write(|tx| {
            match value {
                Some(v) => tx.execute(
                    "INSERT INTO app_health (key, value, at) VALUES (?1, ?2, ?3) ON CONFLICT(key) DO UPDATE SET value = ?2, at = ?3",
                    params![key, v, now],
                )?,
                None => tx.execute("DELETE FROM app_health WHERE key = ?1", [key])?,
            };
            Ok(())
        })
    }

    pub fn health(&self) -> Result<Vec<(String, String, Timestamp)>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT key, value, at FROM app_health ORDER BY key")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e: rusqlite::Error| self.err(e))
    }

    /// Mentions and negative mentions per watch and `step`-second bucket of publication
    /// time in `[from, to)`: (watch id, bucket start, volume, negative), by watch then time.
    /// One query for every watch, driven by the publication-time index: its cost follows
    /// the mentions in the window, not the watches' whole history.
    pub fn window_counts(
        &self,
        from: Timestamp,
        to: Timestamp,
        step: i64,
    ) -> Result<Vec<(i64, Timestamp, u32, u32)>> {
        self.all(
            "SELECT x.watch_id, (m.published_at / ?3) * ?3 AS b, count(*),
                    sum(m.tonality_label = 'negative')
             FROM mentions m JOIN matches x ON x.mention_id = m.id
             WHERE m.published_at >= ?1 AND m.published_at < ?2
             GROUP BY x.watch_id, b ORDER BY x.watch_id, b",
            params![from, to, step.max(1)],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, Option<u32>>(3)?.unwrap_or(0),
                ))
            },
        )
    }

    /// A stored setting (JSON text), if any.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| put_setting(tx, key, value))
    }
}

/// Writes a setting inside a transaction already open (the kill switch with its outbox
/// changes, the audit log's head with its entry).
pub(crate) fn put_setting(tx: &rusqlite::Connection, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
