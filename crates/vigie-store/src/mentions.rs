//! Mentions: deduplicated, matched to watches, full-text indexed.

use crate::{is_foreign_key_error, Result, Store, StoreError};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, ToSql};
use std::collections::HashSet;
use vigie_domain::{Mention, NewMention, Query, Timestamp, Tonality, ToneLabel, Triage};

/// How many reads of full-text candidates a search makes at most for one page, each four
/// times larger than the one before (50, 200 … 51,200 candidates): a query whose words are
/// common but whose phrase is rare reads a bounded part of the history, in few queries
/// (each costs about the same, ~80 ms on 100,000 mentions for a common word).
pub const SEARCH_PAGES: usize = 6;

/// What one ingest batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct IngestOutcome {
    pub inserted: usize,
    pub duplicates: usize,
    /// Ids of the mentions this batch created.
    pub new_ids: Vec<i64>,
    /// Those of `new_ids` at least one watch matches.
    pub new_matched_ids: Vec<i64>,
    /// (mention id, watch id) matches created.
    pub matches: usize,
}

/// A watch's mention as the signal pass sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionFacts {
    pub published_at: Timestamp,
    /// The author, or the source when there is no author: a "voice".
    pub voice: String,
    pub negative: bool,
    pub positive: bool,
    pub anger: bool,
    /// Title and text, for sensitive words.
    pub text: String,
}

/// What matching a watch needs of a stored mention.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchFacts {
    pub id: i64,
    pub title: String,
    pub text: String,
    pub author: Option<String>,
    pub lang: Option<String>,
}

/// Which mentions to list (newest first).
#[derive(Debug, Clone, Default)]
pub struct MentionFilter {
    pub watch_id: Option<i64>,
    pub source_id: Option<i64>,
    /// Full-text search in the watch query language (words, "phrases", AND / OR / NOT,
    /// `prefix*`; accent-insensitive), run on the full-text index.
    pub search: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub triage: Option<Triage>,
    pub lang: Option<String>,
    pub tonality: Option<ToneLabel>,
    /// Only mentions at least one watch matches (the app's stream; the CLI lists everything).
    pub matched_only: bool,
    /// Only mentions one of these watches matches (none: any, or all if `matched_only` is off).
    pub any_of_watches: Option<Vec<i64>>,
    /// The page after this one: mentions older than (published_at, id), in the list's order.
    pub before: Option<(Timestamp, i64)>,
    pub limit: usize,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Mention> {
    let triage: String = r.get(11)?;
    let watches: Option<String> = r.get(12)?;
    Ok(Mention {
        id: r.get(0)?,
        source_id: r.get(1)?,
        guid: r.get(2)?,
        url: r.get(3)?,
        title: r.get(4)?,
        text: r.get(5)?,
        html: r.get(6)?,
        author: r.get(7)?,
        published_at: r.get(8)?,
        fetched_at: r.get(9)?,
        lang: r.get(10)?,
        triage: triage.parse().unwrap_or(Triage::New),
        tonality: match (
            r.get::<_, Option<f64>>(13)?,
            r.get::<_, Option<String>>(14)?,
        ) {
            (Some(score), Some(label)) => label.parse().ok().map(|label| Tonality {
                score: score as f32,
                label,
                anger: r.get(15).unwrap_or(false),
            }),
            _ => None,
        },
        watch_ids: watches
            .unwrap_or_default()
            .split(',')
            .filter_map(|s| s.parse().ok())
            .collect(),
    })
}

/// Adds stored mentions to the full-text index with one statement per run of consecutive
/// ids (successive inserts get consecutive rowids, so a batch is usually one run). FTS5
/// gathers the rows in memory and writes them out in few segments (one per ~1 MiB of
/// index data) instead of one per row (see migration 6).
pub(crate) fn index_for_search(conn: &Connection, ids: &[i64]) -> rusqlite::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO mentions_fts(rowid, title, text, author)
         SELECT id, title, text, author FROM mentions WHERE id BETWEEN ?1 AND ?2",
    )?;
    let mut rest = ids;
    while let Some(&first) = rest.first() {
        let run = 1 + rest
            .windows(2)
            .take_while(|pair| pair[0].checked_add(1) == Some(pair[1]))
            .count();
        insert.execute(params![first, rest[run - 1]])?;
        rest = &rest[run..];
    }
    Ok(())
}

impl Store {
    /// Stores a batch in ONE transaction. Each item is deduplicated by the source's GUID, then
    /// the canonical URL, then the content hash; new items get their watch matches.
    pub fn ingest(
        &mut self,
        batch: &[(NewMention, Vec<i64>)],
        now: Timestamp,
    ) -> Result<IngestOutcome> {
        let in_batch = self.batch_open;
        let out = self.write(|tx| {
            let mut out = IngestOutcome::default();
            // Not `source_guids`: what it holds is found by link or content all the same, and
            // a second look-up per new item would slow the writer, ingest's bottleneck.
            let mut by_guid = tx.prepare_cached("SELECT 1 FROM mentions WHERE source_id = ?1 AND guid = ?2")?;
            let mut by_url = tx.prepare_cached("SELECT id FROM mentions WHERE canonical_url = ?1 LIMIT 1")?;
            let mut by_hash = tx.prepare_cached("SELECT id FROM mentions WHERE content_hash = ?1")?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO mentions (source_id, guid, url, canonical_url, content_hash, title, text, html, author,
                    published_at, fetched_at, lang, tonality, tonality_label, anger)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            let mut link = tx.prepare_cached("INSERT OR IGNORE INTO matches (mention_id, watch_id) VALUES (?1, ?2)")?;
            let mut seen_elsewhere = tx.prepare_cached(
                "INSERT OR IGNORE INTO source_guids (source_id, guid, mention_id) VALUES (?1, ?2, ?3)",
            )?;
            for (m, watch_ids) in batch {
                let guid = m.guid.as_deref();
                if let Some(guid) = guid {
                    if by_guid.exists(params![m.source_id, guid])? {
                        out.duplicates += 1;
                        continue;
                    }
                }
                let mut existing = None;
                if let Some(url) = &m.canonical_url {
                    existing = by_url.query_row([url], |r| r.get::<_, i64>(0)).optional()?;
                }
                if existing.is_none() {
                    existing = by_hash.query_row([&m.content_hash], |r| r.get::<_, i64>(0)).optional()?;
                }
                if let Some(stored) = existing {
                    out.duplicates += 1;
                    // Remembered under this source's GUID: the next fetch drops the entry
                    // before preparing it (`known_guids`).
                    if let Some(guid) = guid {
                        seen_elsewhere.execute(params![m.source_id, guid, stored])?;
                    }
                    continue;
                }
                insert.execute(params![
                    m.source_id, m.guid, m.url, m.canonical_url, m.content_hash, m.title, m.text, m.html,
                    m.author, m.published_at, now, m.lang,
                    m.tonality.map(|t| f64::from(t.score)), m.tonality.map(|t| t.label.as_str()), m.tonality.is_some_and(|t| t.anger)
                ])?;
                let id = tx.last_insert_rowid();
                let matched_before = out.matches;
                for w in watch_ids {
                    out.matches += match link.execute(params![id, w]) {
                        // The poller compiled its watches when the cycle began; one removed
                        // since loses its match (SQLite undid that one insert) instead of
                        // failing the source's whole batch.
                        Err(e) if is_foreign_key_error(&e) => 0,
                        other => other?,
                    };
                }
                out.inserted += 1;
                out.new_ids.push(id);
                if out.matches > matched_before {
                    out.new_matched_ids.push(id);
                }
            }
            // Inside a batch, the new rows are indexed with the rest of it, before it commits.
            if !in_batch {
                index_for_search(tx, &out.new_ids)?;
            }
            Ok(out)
        })?;
        if in_batch {
            // Queued only once this write's savepoint is released: rows it rolled back are
            // never queued (their ids may be used again).
            self.unindexed.extend(&out.new_ids);
        }
        Ok(out)
    }

    /// The GUIDs among `guids` that the source already has stored, or whose item ingest
    /// found already stored from another source (the same article in two feeds). A feed
    /// fetched again mostly repeats what it gave before; the poller drops those entries
    /// before preparing them (normalising, tonality, matching), since [`Store::ingest`]
    /// would only count them as duplicates. Same rule as ingest's first dedupe step.
    pub fn known_guids<'a>(
        &self,
        source_id: i64,
        guids: impl IntoIterator<Item = &'a str>,
    ) -> Result<HashSet<String>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT 1 FROM mentions WHERE source_id = ?1 AND guid = ?2
                 UNION ALL SELECT 1 FROM source_guids WHERE source_id = ?1 AND guid = ?2",
            )
            .map_err(|e| self.err(e))?;
        let mut known = HashSet::new();
        for guid in guids {
            if stmt
                .exists(params![source_id, guid])
                .map_err(|e| self.err(e))?
            {
                known.insert(guid.to_string());
            }
        }
        Ok(known)
    }

    /// Mentions newest first. A search is run on the full-text index for candidates, each
    /// checked with the watch matcher ([`Query::fts5`] says why both): it finds exactly what
    /// a watch with that query matches. Pages stay full: more candidates are read while the
    /// checks drop some (at most [`SEARCH_PAGES`] reads, growing).
    pub fn mentions(&self, f: &MentionFilter) -> Result<Vec<Mention>> {
        let Some(search) = f.search.as_deref() else {
            return self.mentions_page(f, None);
        };
        let q = Query::parse(search).map_err(|e| StoreError::Invalid {
            what: "search",
            message: e.to_string(),
        })?;
        let fts = q.fts5();
        let limit = if f.limit == 0 { 100 } else { f.limit };
        let mut page = MentionFilter {
            limit: limit.max(50),
            ..f.clone()
        };
        let mut out = Vec::new();
        for _ in 0..SEARCH_PAGES {
            let rows = self.mentions_page(&page, Some(&fts))?;
            let full = rows.len() >= page.limit;
            page.before = rows.last().map(|m| (m.published_at, m.id));
            page.limit *= 4;
            out.extend(rows.into_iter().filter(|m| q.matches(&m.match_text())));
            if out.len() >= limit || !full {
                break;
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    fn mentions_page(&self, f: &MentionFilter, fts: Option<&str>) -> Result<Vec<Mention>> {
        let mut sql = String::from(
            "SELECT m.id, m.source_id, m.guid, m.url, m.title, m.text, m.html, m.author, m.published_at,
                    m.fetched_at, m.lang, m.triage,
                    (SELECT group_concat(watch_id) FROM matches x WHERE x.mention_id = m.id),
                    m.tonality, m.tonality_label, m.anger
             FROM mentions m WHERE 1",
        );
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if let Some(w) = f.watch_id {
            sql.push_str(" AND m.id IN (SELECT mention_id FROM matches WHERE watch_id = ?)");
            args.push(Box::new(w));
        }
        if f.matched_only {
            sql.push_str(" AND EXISTS (SELECT 1 FROM matches x WHERE x.mention_id = m.id)");
        }
        if let Some(ws) = &f.any_of_watches {
            if ws.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM matches x WHERE x.mention_id = m.id AND x.watch_id IN ({}))",
                vec!["?"; ws.len()].join(", ")
            ));
            for w in ws {
                args.push(Box::new(*w));
            }
        }
        if let Some((at, id)) = f.before {
            sql.push_str(" AND (m.published_at < ? OR (m.published_at = ? AND m.id < ?))");
            args.push(Box::new(at));
            args.push(Box::new(at));
            args.push(Box::new(id));
        }
        if let Some(s) = f.source_id {
            sql.push_str(" AND m.source_id = ?");
            args.push(Box::new(s));
        }
        if let Some(fts) = fts {
            sql.push_str(
                " AND m.id IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?)",
            );
            args.push(Box::new(fts.to_string()));
        }
        if let Some(t) = f.since {
            sql.push_str(" AND m.published_at >= ?");
            args.push(Box::new(t));
        }
        if let Some(t) = f.until {
            sql.push_str(" AND m.published_at < ?");
            args.push(Box::new(t));
        }
        if let Some(t) = f.triage {
            sql.push_str(" AND m.triage = ?");
            args.push(Box::new(t.as_str()));
        }
        if let Some(t) = f.tonality {
            sql.push_str(" AND m.tonality_label = ?");
            args.push(Box::new(t.as_str()));
        }
        if let Some(l) = &f.lang {
            sql.push_str(" AND m.lang = ?");
            args.push(Box::new(l.clone()));
        }
        sql.push_str(" ORDER BY m.published_at DESC, m.id DESC LIMIT ?");
        args.push(Box::new(if f.limit == 0 { 100 } else { f.limit } as i64));
        let mut stmt = self.conn().prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params_from_iter(args.iter().map(|a| a.as_ref())), from_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// Hands `f` what matching needs of each mention published since `since`, newest first,
    /// at most `limit` of them, one at a time (memory stays flat whatever the history).
    pub fn each_match_facts_since(
        &self,
        since: Timestamp,
        limit: usize,
        mut f: impl FnMut(MatchFacts),
    ) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT id, title, text, author, lang FROM mentions
                  WHERE published_at >= ?1 ORDER BY published_at DESC, id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![since, limit as i64], |r| {
                Ok(MatchFacts {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    text: r.get(2)?,
                    author: r.get(3)?,
                    lang: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            f(row.map_err(|e| self.err(e))?);
        }
        Ok(())
    }

    /// What the signal pass needs of a watch's mentions published in `[from, to)`, oldest first.
    pub fn watch_mention_facts(
        &self,
        watch_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<MentionFacts>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT m.published_at, coalesce(m.author, 'source:' || m.source_id), m.tonality_label, m.anger, m.title || ' ' || m.text
                 FROM matches x JOIN mentions m ON m.id = x.mention_id
                 WHERE x.watch_id = ?1 AND m.published_at >= ?2 AND m.published_at < ?3
                 ORDER BY m.published_at, m.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![watch_id, from, to], |r| {
                let tonality: Option<String> = r.get(2)?;
                Ok(MentionFacts {
                    published_at: r.get(0)?,
                    voice: r.get(1)?,
                    negative: tonality.as_deref() == Some("negative"),
                    positive: tonality.as_deref() == Some("positive"),
                    anger: r.get(3)?,
                    text: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// The distinct voices (author, or source when there is none) of a watch's mentions
    /// published in `[from, to)`.
    pub fn watch_voices(
        &self,
        watch_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<String>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT DISTINCT coalesce(m.author, 'source:' || m.source_id)
                 FROM matches x JOIN mentions m ON m.id = x.mention_id
                 WHERE x.watch_id = ?1 AND m.published_at >= ?2 AND m.published_at < ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![watch_id, from, to], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// The earliest publication time among a watch's mentions.
    /// The id of the newest mention a watch matches (0: none): whether anything arrived.
    pub fn newest_match(&self, watch_id: i64) -> Result<i64> {
        self.conn()
            .query_row(
                "SELECT COALESCE(MAX(mention_id), 0) FROM matches WHERE watch_id = ?1",
                [watch_id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    pub fn first_mention_at(&self, watch_id: i64) -> Result<Option<Timestamp>> {
        self.conn()
            .query_row(
                "SELECT min(m.published_at) FROM matches x JOIN mentions m ON m.id = x.mention_id WHERE x.watch_id = ?1",
                [watch_id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    pub fn mention_count(&self) -> Result<i64> {
        self.conn()
            .query_row("SELECT count(*) FROM mentions", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Sets the triage state of several mentions in one transaction (mentions removed
    /// meanwhile are skipped). Returns how many changed.
    pub fn set_triage_many(&mut self, ids: &[i64], triage: Triage) -> Result<usize> {
        self.write(|tx| {
            let mut stmt =
                tx.prepare("UPDATE mentions SET triage = ?2 WHERE id = ?1 AND triage != ?2")?;
            let mut n = 0;
            for id in ids {
                n += stmt.execute(params![id, triage.as_str()])?;
            }
            Ok(n)
        })
    }

    pub fn set_triage(&mut self, id: i64, triage: Triage) -> Result<()> {
        self.write(|tx| {
            if tx.execute(
                "UPDATE mentions SET triage = ?2 WHERE id = ?1",
                params![id, triage.as_str()],
            )? == 0
            {
                return Err(StoreError::NotFound {
                    what: "mention",
                    key: id.to_string(),
                });
            }
            Ok(())
        })
    }
}
