//! The append-only event log: what happened, when, about which watch or source.
//! SQLite triggers refuse UPDATE and DELETE on this table.

use crate::{Result, Store};
use rusqlite::params;
use serde::Serialize;
use vigie_domain::Timestamp;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    pub at: Timestamp,
    pub kind: String,
    pub watch_id: Option<i64>,
    pub source_id: Option<i64>,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent<'a> {
    pub at: Timestamp,
    pub kind: &'a str,
    pub watch_id: Option<i64>,
    pub source_id: Option<i64>,
    pub data: serde_json::Value,
}

impl Store {
    pub fn append_event(&mut self, e: &NewEvent<'_>) -> Result<i64> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO events (at, kind, watch_id, source_id, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![e.at, e.kind, e.watch_id, e.source_id, e.data.to_string()],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Events newest first, optionally of one kind.
    pub fn events(&self, kind: Option<&str>, limit: usize) -> Result<Vec<Event>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT id, at, kind, watch_id, source_id, data FROM events
                 WHERE ?1 IS NULL OR kind = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![kind, limit as i64], |r| {
                let data: String = r.get(5)?;
                Ok(Event {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    kind: r.get(2)?,
                    watch_id: r.get(3)?,
                    source_id: r.get(4)?,
                    data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// How many events of one kind came after the event `after` (at most `cap`: a badge
    /// says "99+").
    pub fn count_events_after(&self, kind: &str, after: i64, cap: usize) -> Result<usize> {
        self.conn()
            .query_row(
                "SELECT count(*) FROM (SELECT 1 FROM events WHERE id > ?1 AND kind = ?2 LIMIT ?3)",
                params![after, kind, cap as i64],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(|e| self.err(e))
    }

    /// The newest event's id, 0 for an empty log.
    pub fn newest_event_id(&self) -> Result<i64> {
        self.conn()
            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}
