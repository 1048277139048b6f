//! Sources and their poll state (the scheduler's memory lives here, Miniflux style).

use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension, Row};
use vigie_domain::health::Problem;
use vigie_domain::{PollState, Source, SourceKind, Timestamp};

const COLUMNS: &str = "s.id, s.title, s.spec, s.enabled, s.interval_secs, s.created_at,
    p.next_check_at, p.etag, p.last_modified, p.error_count, p.last_error, p.last_status,
    p.last_checked_at, p.last_success_at, p.cursor, p.last_problem";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(Source, PollState)> {
    let spec: String = r.get(2)?;
    let kind: SourceKind = serde_json::from_str(&spec).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok((
        Source {
            id: r.get(0)?,
            title: r.get(1)?,
            kind,
            enabled: r.get(3)?,
            interval_secs: r.get(4)?,
            created_at: r.get(5)?,
        },
        PollState {
            next_check_at: r.get(6)?,
            etag: r.get(7)?,
            last_modified: r.get(8)?,
            error_count: r.get(9)?,
            last_error: r.get(10)?,
            // Unreadable (written by a later Vigie?): the English words above still say it.
            last_problem: r
                .get::<_, Option<String>>(15)?
                .and_then(|json| serde_json::from_str(&json).ok()),
            last_status: r.get(11)?,
            last_checked_at: r.get(12)?,
            last_success_at: r.get(13)?,
            cursor: r.get(14)?,
        },
    ))
}

/// The key two sources must not share: same kind, same endpoint, same search.
fn identity(kind: &SourceKind) -> String {
    match kind {
        SourceKind::Feed { url } => format!("feed {}", url.trim()),
        SourceKind::MastodonTag { instance, tag } => format!(
            "mastodon_tag {} {}",
            instance.trim_end_matches('/').to_lowercase(),
            tag.trim_start_matches('#').to_lowercase()
        ),
        SourceKind::BlueskySearch {
            service,
            handle,
            query,
        } => format!(
            "bluesky_search {} {} {}",
            service.trim_end_matches('/').to_lowercase(),
            handle.to_lowercase(),
            query.trim()
        ),
    }
}

/// What a successful poll leaves behind.
#[derive(Debug, Clone, Default)]
pub struct PollSuccess {
    pub checked_at: Timestamp,
    pub next_check_at: Timestamp,
    pub status: Option<i64>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub cursor: Option<String>,
}

impl Store {
    /// Adds a source, due for a first check at `now`.
    pub fn add_source(
        &mut self,
        title: &str,
        kind: &SourceKind,
        interval_secs: i64,
        now: Timestamp,
    ) -> Result<Source> {
        if interval_secs <= 0 {
            return Err(StoreError::Invalid {
                what: "interval",
                message: "must be at least 1 second".into(),
            });
        }
        let ident = identity(kind);
        let spec = serde_json::to_string(kind).expect("SourceKind serialises");
        let id = self.write(|tx| {
            let exists: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM sources WHERE identity = ?1)", [&ident], |r| r.get(0))?;
            if exists {
                return Err(StoreError::Duplicate { what: "source", key: kind.describe() });
            }
            tx.execute(
                "INSERT INTO sources (title, kind, spec, identity, interval_secs, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![title, kind.kind_str(), spec, ident, interval_secs, now],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute("INSERT INTO poll_state (source_id, next_check_at) VALUES (?1, ?2)", params![id, now])?;
            Ok(id)
        })?;
        Ok(self.source(id)?.0)
    }

    pub fn source(&self, id: i64) -> Result<(Source, PollState)> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM sources s JOIN poll_state p ON p.source_id = s.id WHERE s.id = ?1"),
                [id],
                from_row,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound { what: "source", key: id.to_string() })
    }

    /// Finds a source by id, or by its feed URL / description.
    /// A source by id, address or title (the CLI's argument). A key that names several
    /// sources (two feeds may share a title), or an id and another source's title, is
    /// refused rather than guessed.
    pub fn find_source(&self, key: &str) -> Result<(Source, PollState)> {
        let mut found: Vec<(Source, PollState)> = self
            .sources()?
            .into_iter()
            .filter(|(s, _)| {
                s.id.to_string() == key
                    || s.kind.endpoint() == key
                    || s.kind.describe() == key
                    || s.title == key
            })
            .collect();
        match found.len() {
            0 => Err(StoreError::NotFound {
                what: "source",
                key: key.into(),
            }),
            1 => Ok(found.remove(0)),
            _ => Err(StoreError::Invalid {
                what: "source",
                message: format!(
                    "{key:?} names {} sources (ids {}): give the id of the one you mean",
                    found.len(),
                    found
                        .iter()
                        .map(|(s, _)| s.id.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    pub fn sources(&self) -> Result<Vec<(Source, PollState)>> {
        self.query_sources(&format!("SELECT {COLUMNS} FROM sources s JOIN poll_state p ON p.source_id = s.id ORDER BY s.id"), [])
    }

    /// The due batch: enabled sources whose next check is at or before `now`, oldest first.
    pub fn due_sources(&self, now: Timestamp, limit: usize) -> Result<Vec<(Source, PollState)>> {
        self.query_sources(
            &format!(
                "SELECT {COLUMNS} FROM sources s JOIN poll_state p ON p.source_id = s.id
                 WHERE s.enabled AND p.next_check_at <= ?1 ORDER BY p.next_check_at, s.id LIMIT ?2"
            ),
            params![now, limit as i64],
        )
    }

    fn query_sources(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<(Source, PollState)>> {
        let mut stmt = self.conn().prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map(p, from_row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    pub fn remove_source(&mut self, id: i64) -> Result<()> {
        self.write(|tx| {
            if tx.execute("DELETE FROM sources WHERE id = ?1", [id])? == 0 {
                return Err(StoreError::NotFound {
                    what: "source",
                    key: id.to_string(),
                });
            }
            Ok(())
        })
    }

    /// "Check now": the source becomes due immediately and goes through the same queue.
    pub fn check_now(&mut self, id: i64, now: Timestamp) -> Result<()> {
        self.write(|tx| {
            if tx.execute(
                "UPDATE poll_state SET next_check_at = ?2 WHERE source_id = ?1",
                params![id, now],
            )? == 0
            {
                return Err(StoreError::NotFound {
                    what: "source",
                    key: id.to_string(),
                });
            }
            Ok(())
        })
    }

    /// A permanent redirect: the source now lives at `kind`'s new address.
    pub fn move_source(&mut self, id: i64, kind: &SourceKind) -> Result<()> {
        let spec = serde_json::to_string(kind).expect("SourceKind serialises");
        let ident = identity(kind);
        self.write(|tx| {
            let clash: Option<i64> = tx
                .query_row(
                    "SELECT id FROM sources WHERE identity = ?1 AND id != ?2",
                    params![ident, id],
                    |r| r.get(0),
                )
                .optional()?;
            if clash.is_some() {
                return Err(StoreError::Duplicate {
                    what: "source",
                    key: kind.describe(),
                });
            }
            tx.execute(
                "UPDATE sources SET spec = ?2, identity = ?3 WHERE id = ?1",
                params![id, spec, ident],
            )?;
            Ok(())
        })
    }

    /// Names a source that has no title yet (the first poll uses the feed's own title).
    pub fn name_source_if_untitled(&mut self, id: i64, title: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE sources SET title = ?2 WHERE id = ?1 AND title = ''",
                params![id, title.trim()],
            )?;
            Ok(())
        })
    }

    /// The default poll interval changed from `from` to `to`: sources that used the old default
    /// follow the new one (a source given its own interval keeps it). A shorter interval
    /// brings a working source's next check forward to its last check + `to` (now at the
    /// earliest); a failing source keeps its backoff or the wait its server asked for, and a
    /// longer interval applies after the next check. Returns how many sources changed.
    pub fn retime_sources(&mut self, from: i64, to: i64, now: Timestamp) -> Result<usize> {
        if to <= 0 {
            return Err(StoreError::Invalid {
                what: "poll interval",
                message: format!("must be positive, not {to}"),
            });
        }
        self.write(|tx| {
            tx.execute(
                "UPDATE poll_state SET next_check_at = MAX(?3, COALESCE(last_checked_at, ?3) + ?2)
                  WHERE error_count = 0
                    AND next_check_at > MAX(?3, COALESCE(last_checked_at, ?3) + ?2)
                    AND source_id IN (SELECT id FROM sources WHERE interval_secs = ?1)",
                params![from, to, now],
            )?;
            Ok(tx.execute(
                "UPDATE sources SET interval_secs = ?2 WHERE interval_secs = ?1",
                params![from, to],
            )?)
        })
    }

    pub fn set_source_enabled(&mut self, id: i64, enabled: bool) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE sources SET enabled = ?2 WHERE id = ?1",
                params![id, enabled],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "source",
                    key: id.to_string(),
                });
            }
            Ok(())
        })
    }

    pub fn record_success(&mut self, id: i64, ok: &PollSuccess) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE poll_state SET next_check_at = ?2, etag = ?3, last_modified = ?4, error_count = 0,
                    last_error = NULL, last_problem = NULL, last_status = ?5, last_checked_at = ?6, last_success_at = ?6,
                    cursor = COALESCE(?7, cursor)
                 WHERE source_id = ?1",
                params![id, ok.next_check_at, ok.etag, ok.last_modified, ok.status, ok.checked_at, ok.cursor],
            )?;
            Ok(())
        })
    }

    /// Records a failed poll. `next` gets the new consecutive error count and returns the next
    /// check time, so the backoff uses the count as stored. Returns that count.
    pub fn record_failure(
        &mut self,
        id: i64,
        now: Timestamp,
        status: Option<i64>,
        problem: &Problem,
        next: impl FnOnce(i64) -> Timestamp,
    ) -> Result<i64> {
        let json = serde_json::to_string(problem).expect("a Problem serialises");
        self.write(|tx| {
            let count: i64 = tx.query_row("SELECT error_count + 1 FROM poll_state WHERE source_id = ?1", [id], |r| r.get(0))?;
            tx.execute(
                "UPDATE poll_state SET error_count = ?2, last_error = ?3, last_status = ?4, last_checked_at = ?5,
                    next_check_at = ?6, last_problem = ?7 WHERE source_id = ?1",
                params![id, count, problem.message(), status, now, next(count), json],
            )?;
            Ok(count)
        })
    }
}
