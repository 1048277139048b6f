//! Watches: what the user listens for.

use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension, Row};
use vigie_domain::{NewWatch, Query, Sensitivity, Timestamp, Watch};

const COLUMNS: &str = "id, name, query, languages, sensitivity, enabled, created_at, updated_at, sensitive_words, thresholds";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Watch> {
    let langs: String = r.get(3)?;
    let sens: String = r.get(4)?;
    Ok(Watch {
        id: r.get(0)?,
        name: r.get(1)?,
        query: r.get(2)?,
        // Rows written before languages were checked may say "FR", " en" or "fr-FR" (read
        // as "fr"), or hold no code at all ("french": dropped, so the watch is not silently
        // limited to a language no mention has).
        languages: langs.split(',').filter_map(language_code).collect(),
        sensitivity: sens.parse().unwrap_or(Sensitivity::Medium),
        enabled: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        sensitive_words: r
            .get::<_, String>(8)?
            .split('\n')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        thresholds: r
            .get::<_, Option<String>>(9)?
            .and_then(|t| serde_json::from_str(&t).ok()),
    })
}

/// Checks a watch; returns its languages as stored.
fn validate(w: &NewWatch) -> Result<String> {
    if w.name.trim().is_empty() {
        return Err(StoreError::Invalid {
            what: "watch",
            message: "the name is empty".into(),
        });
    }
    Query::parse(&w.query).map_err(|e| StoreError::Invalid {
        what: "query",
        message: e.to_string(),
    })?;
    if let Some(t) = &w.thresholds {
        t.validate().map_err(|message| StoreError::Invalid {
            what: "thresholds",
            message,
        })?;
    }
    languages(w)
}

/// The watch's languages as stored: two-letter codes (ISO 639-1, as mentions carry them),
/// lower case, each once. Anything else is refused: a watch limited to "french" would
/// silently skip every French mention.
/// A language code as mentions carry it: two lower-case letters; a regional form ("fr-FR",
/// "en_GB") gives its language.
fn language_code(l: &str) -> Option<String> {
    let l = l.trim().to_ascii_lowercase();
    let (lang, region) = match l.split_once(['-', '_']) {
        Some((lang, region)) => (lang, Some(region)),
        None => (l.as_str(), None),
    };
    let letters = |s: &str| s.bytes().all(|b| b.is_ascii_lowercase());
    (lang.len() == 2
        && letters(lang)
        && region.is_none_or(|r| {
            (2..=3).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric())
        }))
    .then(|| lang.to_string())
}

fn languages(w: &NewWatch) -> Result<String> {
    let mut out: Vec<String> = Vec::new();
    for l in &w.languages {
        if l.trim().is_empty() {
            continue;
        }
        let Some(code) = language_code(l) else {
            return Err(StoreError::Invalid {
                what: "languages",
                message: format!(
                    "{:?} is not a language code: use two letters, e.g. fr, en, de",
                    l.trim()
                ),
            });
        };
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out.join(","))
}

fn words(w: &NewWatch) -> String {
    w.sensitive_words
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn thresholds(w: &NewWatch) -> Option<String> {
    w.thresholds
        .map(|t| serde_json::to_string(&t).expect("thresholds serialise"))
}

impl Store {
    pub fn add_watch(&mut self, w: &NewWatch, now: Timestamp) -> Result<Watch> {
        let langs = validate(w)?;
        let name = w.name.trim().to_string();
        let id = self.write(|tx| {
            let exists: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM watches WHERE name = ?1)", [&name], |r| r.get(0))?;
            if exists {
                return Err(StoreError::Duplicate { what: "watch", key: name.clone() });
            }
            tx.execute(
                "INSERT INTO watches (name, query, languages, sensitivity, enabled, created_at, updated_at, sensitive_words, thresholds)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)",
                params![name, w.query, langs, w.sensitivity.as_str(), w.enabled, now, words(w), thresholds(w)],
            )?;
            Ok(tx.last_insert_rowid())
        })?;
        self.watch(id)
    }

    pub fn watch(&self, id: i64) -> Result<Watch> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM watches WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound {
                what: "watch",
                key: id.to_string(),
            })
    }

    /// Finds a watch by id ("3") or exact name ("Danone").
    /// A watch by name or id (the CLI's argument); a number that is one watch's id and
    /// another's name is refused rather than guessed.
    pub fn find_watch(&self, key: &str) -> Result<Watch> {
        let by_name = self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM watches WHERE name = ?1"),
                [key],
                from_row,
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let by_id = match key.parse::<i64>() {
            Ok(id) => match self.watch(id) {
                Ok(w) => Some(w),
                Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            Err(_) => None,
        };
        match (by_name, by_id) {
            (Some(a), Some(b)) if a.id != b.id => Err(StoreError::Invalid {
                what: "watch",
                message: format!(
                    "{key:?} is the name of watch {} and the id of watch {:?}: give the id of the one you mean",
                    a.id, b.name
                ),
            }),
            (Some(w), _) | (None, Some(w)) => Ok(w),
            (None, None) => Err(StoreError::NotFound {
                what: "watch",
                key: key.into(),
            }),
        }
    }

    pub fn watches(&self) -> Result<Vec<Watch>> {
        let mut stmt = self
            .conn()
            .prepare(&format!("SELECT {COLUMNS} FROM watches ORDER BY name"))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], from_row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    pub fn update_watch(&mut self, id: i64, w: &NewWatch, now: Timestamp) -> Result<Watch> {
        let langs = validate(w)?;
        self.write(|tx| {
            let clash: Option<i64> = tx
                .query_row("SELECT id FROM watches WHERE name = ?1 AND id != ?2", params![w.name.trim(), id], |r| r.get(0))
                .optional()?;
            if clash.is_some() {
                return Err(StoreError::Duplicate { what: "watch", key: w.name.clone() });
            }
            let n = tx.execute(
                "UPDATE watches SET name = ?2, query = ?3, languages = ?4, sensitivity = ?5, enabled = ?6, updated_at = ?7,
                    sensitive_words = ?8, thresholds = ?9
                 WHERE id = ?1",
                params![id, w.name.trim(), w.query, langs, w.sensitivity.as_str(), w.enabled, now, words(w), thresholds(w)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound { what: "watch", key: id.to_string() });
            }
            Ok(())
        })?;
        self.watch(id)
    }

    /// A watch's query (or languages, or state) changed, or it is new, and the engine matched
    /// it again against the `scanned` mentions: of those, it now matches `matched` (a subset)
    /// and no longer the others. Matches of mentions not scanned (older ones) are left as they
    /// were; ids of mentions removed in the meantime are skipped. One transaction.
    pub fn set_watch_matches(
        &mut self,
        watch_id: i64,
        scanned: &[i64],
        matched: &[i64],
    ) -> Result<()> {
        let matched: std::collections::HashSet<i64> = matched.iter().copied().collect();
        self.write(|tx| {
            let exists: Option<i64> = tx
                .query_row("SELECT id FROM watches WHERE id = ?1", [watch_id], |r| {
                    r.get(0)
                })
                .optional()?;
            if exists.is_none() {
                return Err(StoreError::NotFound {
                    what: "watch",
                    key: watch_id.to_string(),
                });
            }
            let mut link = tx.prepare(
                "INSERT OR IGNORE INTO matches (mention_id, watch_id)
                 SELECT id, ?2 FROM mentions WHERE id = ?1",
            )?;
            let mut unlink =
                tx.prepare("DELETE FROM matches WHERE mention_id = ?1 AND watch_id = ?2")?;
            for id in scanned {
                if matched.contains(id) {
                    link.execute(params![id, watch_id])?;
                } else {
                    unlink.execute(params![id, watch_id])?;
                }
            }
            Ok(())
        })
    }

    /// Removes a watch and its matches. Mentions stay (other watches may use them).
    pub fn remove_watch(&mut self, id: i64) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute("DELETE FROM watches WHERE id = ?1", [id])?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "watch",
                    key: id.to_string(),
                });
            }
            Ok(())
        })
    }
}
