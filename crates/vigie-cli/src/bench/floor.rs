//! `vigie bench floor`: what the parts the issue prescribes cost on their own, over the same
//! corpus as `vigie bench ingest`, so the ingest figure can be read against a ceiling.
//!
//! Two steps, nothing of Vigie's own in either:
//! - **parse**: `feed_rs::parser::parse` on every feed (the crate the issue names for RSS,
//!   Atom and JSON Feed), on `threads` threads;
//! - **store and index**: each item's title, text (the description without its tags) and
//!   author written by one SQLite writer (bundled SQLite, the store's pragmas, 2,500 rows per
//!   transaction) into a bare table with no other index, and added to an FTS5 index of those
//!   three columns with the store's tokenizer, the way `Store::ingest` adds a batch (one
//!   `INSERT … SELECT` per transaction).
//!
//! No normalising, no language or tonality, no dedupe, no watch matching: every pipeline the
//! issue describes does at least this. The ceiling printed is what these two steps would give
//! if parsing ran on every core beside the writer with no wait at all:
//! `items / max(writer seconds, (parse busy seconds + writer seconds) / cores)`, where
//! `cores` is the smaller of the parsing threads and the machine's cores. Busy seconds are
//! the wall time of each call, taken on threads that do not outnumber the cores.

use anyhow::{Context, Result};
use rusqlite::{params, Connection};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// What `floor` measured.
pub struct Floor {
    pub items: usize,
    pub bytes: usize,
    pub threads: usize,
    /// Cores the ceiling spreads the work over: `threads`, at most the machine's.
    pub cores: usize,
    /// Seconds the parse took, summed over threads (each call's wall time).
    pub parse_busy: f64,
    /// Wall seconds of the parse on `threads` threads.
    pub parse_wall: f64,
    /// Seconds of the single writer (it is one thread, so busy = wall).
    pub store: f64,
}

impl Floor {
    /// Items per second of the two steps perfectly overlapped on `cores` cores.
    pub fn ceiling(&self) -> f64 {
        let wall = self
            .store
            .max((self.parse_busy + self.store) / self.cores.max(1) as f64);
        self.items as f64 / wall
    }
}

/// Parses every body with feed-rs on `threads` threads, then stores and indexes the items in
/// a fresh database under `dir`.
pub fn measure(bodies: &[Vec<u8>], threads: usize, dir: &Path) -> Result<Floor> {
    let threads = threads.max(1);
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let results = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<(f64, Vec<Row>)> {
                    let (mut busy, mut raw) = (0.0, Vec::new());
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(body) = bodies.get(i) else { break };
                        let t = Instant::now();
                        let feed = feed_rs::parser::parse(&body[..])
                            .with_context(|| format!("feed {i} did not parse"))?;
                        // What the writer needs, moved out; the rest of the feed dropped
                        // inside the timed part (freeing is part of parsing's cost).
                        raw.extend(feed.entries.into_iter().map(|e| {
                            (
                                e.title.map(|t| t.content).unwrap_or_default(),
                                e.summary.map(|s| s.content).unwrap_or_default(),
                                e.authors.into_iter().next().and_then(|a| a.name),
                            )
                        }));
                        busy += t.elapsed().as_secs_f64();
                    }
                    // Not timed: the text the store indexes has no tags (Vigie's own
                    // normalising, not a part's cost).
                    let rows = raw
                        .into_iter()
                        .map(|(title, html, author)| Row {
                            title,
                            text: strip_tags(&html),
                            author,
                        })
                        .collect();
                    Ok((busy, rows))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("parse thread"))
            .collect::<Result<Vec<_>>>()
    })?;
    let parse_wall = start.elapsed().as_secs_f64();
    let parse_busy = results.iter().map(|r| r.0).sum();
    let rows: Vec<Row> = results.into_iter().flat_map(|r| r.1).collect();
    let bytes = bodies.iter().map(Vec::len).sum();
    let store = store_and_index(&rows, dir)?;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(Floor {
        items: rows.len(),
        bytes,
        threads,
        cores: threads.min(cpus),
        parse_busy,
        parse_wall,
        store,
    })
}

/// One item as the writer stores it.
struct Row {
    title: String,
    text: String,
    author: Option<String>,
}

/// The description's text without its tags (the corpus's markup is plain `<p>` paragraphs).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Rows written per transaction, as the engine's writer settles up to this many entries.
const PER_TRANSACTION: usize = vigie_engine::poller::SETTLE_BATCH_ENTRIES;

/// Writes the rows into a bare table and its FTS5 index; returns the seconds it took.
fn store_and_index(rows: &[Row], dir: &Path) -> Result<f64> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("floor.db");
    let _ = std::fs::remove_file(&path);
    let mut conn = Connection::open(&path)?;
    // The store's own settings (vigie-store's `configure`) and full-text set-up (migrations
    // 1 and 6, automerge 8 from migration 11).
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32000; PRAGMA temp_store = MEMORY;
         PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 16777216;
         CREATE TABLE items(id INTEGER PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL,
                            author TEXT);
         CREATE VIRTUAL TABLE items_fts USING fts5(
             title, text, author, content = 'items', content_rowid = 'id',
             tokenize = 'unicode61 remove_diacritics 2');
         INSERT INTO items_fts(items_fts, rank) VALUES ('automerge', 8);",
    )?;
    let start = Instant::now();
    for chunk in rows.chunks(PER_TRANSACTION) {
        let tx = conn.transaction()?;
        let (mut first, mut last) = (0, 0);
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO items(title, text, author) VALUES (?1, ?2, ?3)")?;
            for row in chunk {
                insert.execute(params![row.title, row.text, row.author])?;
                last = tx.last_insert_rowid();
                if first == 0 {
                    first = last;
                }
            }
            tx.prepare_cached(
                "INSERT INTO items_fts(rowid, title, text, author)
                 SELECT id, title, text, author FROM items WHERE id BETWEEN ?1 AND ?2",
            )?
            .execute(params![first, last])?;
        }
        tx.commit()?;
    }
    let secs = start.elapsed().as_secs_f64();
    // Every generated description says "Selon nos informations" or "According to sources":
    // the index must find every row.
    let stored: i64 = conn.query_row(
        "SELECT count(*) FROM items_fts WHERE items_fts MATCH 'selon OR according'",
        [],
        |r| r.get(0),
    )?;
    anyhow::ensure!(
        stored as usize == rows.len(),
        "the floor's index holds {stored} rows, not {}",
        rows.len()
    );
    drop(conn);
    let _ = std::fs::remove_dir_all(dir);
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floor(parse: f64, store: f64, cores: usize) -> Floor {
        Floor {
            items: 100_000,
            bytes: 0,
            threads: cores,
            cores,
            parse_busy: parse,
            parse_wall: parse / cores as f64,
            store,
        }
    }

    #[test]
    fn the_ceiling_is_the_writer_or_the_shared_cores_whichever_binds() {
        // The writer binds: 1 s alone, while 0.5 + 1 s over 2 cores is 0.75 s.
        assert_eq!(floor(0.5, 1.0, 2).ceiling(), 100_000.0);
        // The cores bind: 3 + 1 s over 2 cores is 2 s, more than the writer's 1 s.
        assert_eq!(floor(3.0, 1.0, 2).ceiling(), 50_000.0);
        // One core does everything in turn.
        assert_eq!(floor(0.5, 1.0, 1).ceiling(), 100_000.0 / 1.5);
    }

    #[test]
    fn tags_go_and_their_text_stays() {
        assert_eq!(
            strip_tags("<p>Grève à l'usine</p><p>Plus à venir</p>").trim(),
            "Grève à l'usine  Plus à venir"
        );
    }
}
