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
//! if parsing ran beside the writer with no wait at all: `items / max(writer seconds, parse
//! busy seconds / threads, (parse busy seconds + writer seconds) / cores)`, `cores` being the
//! machine's. Busy seconds are the wall time of each call.
//!
//! Then the same two steps with the **duties the issue names for ingest**, each done the
//! leanest way and nothing of Vigie's beyond them (no sanitised HTML, no language, no
//! tonality, no health or event rows):
//! - **prepare** (on the parsing threads, after the parse): the text without tags, the
//!   canonical link, the folded words, their content hash, and the 50 watches matched (Vigie's matcher, the pure function
//!   the issue asks for);
//! - **store**: each item with its GUID, link and hash, deduped by unique indexes on the three
//!   (one `INSERT OR IGNORE`, no look-up before it), its matches in a table keyed by watch
//!   (one B-tree, no reverse index, no foreign keys), and the same FTS5 index.
//!
//! The issue also says a mention keeps its HTML only as sanitised HTML: a third run adds
//! it, sanitised by ammonia with Vigie's allow-list (on the parsing threads) and stored in a
//! column of its own. A fourth stores neither the HTML nor the match rows, to show how much
//! of the writer they are. Each ceiling bounds any pipeline doing that much with these parts
//! on this machine.

use anyhow::{Context, Result};
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use vigie_domain::text::MatchText;
use vigie_domain::Query;

/// What `floor` measured.
pub struct Floor {
    pub items: usize,
    pub bytes: usize,
    pub threads: usize,
    /// The machine's cores: the parsing threads and the writer share them.
    pub cores: usize,
    /// Seconds the parse took, summed over threads (each call's wall time).
    pub parse_busy: f64,
    /// Wall seconds of the parse on `threads` threads.
    pub parse_wall: f64,
    /// Seconds of the single writer (it is one thread, so busy = wall).
    pub store: f64,
    /// The duties: preparing (busy seconds summed over threads, after the parse) and
    /// storing (one writer).
    pub duties_prepare: f64,
    pub duties_store: f64,
    /// Items the duties' writer stored (the rest were duplicates) and their watch matches.
    pub duties_stored: usize,
    pub duties_matches: usize,
    /// The duties' writer without the match rows: what the writer costs however few items
    /// the watches match.
    pub duties_store_unmatched: f64,
    /// Sanitising each item's HTML (busy seconds summed over threads), and the duties'
    /// writer storing it too.
    pub html_prepare: f64,
    pub html_store: f64,
}

impl Floor {
    /// Items per second of the two steps perfectly overlapped on `cores` cores.
    pub fn ceiling(&self) -> f64 {
        self.ceiling_with_prepared(0.0, self.store)
    }

    /// Items per second of parsing, the duties' preparing and their writer, perfectly
    /// overlapped on `cores` cores.
    pub fn duties_ceiling(&self) -> f64 {
        self.ceiling_with(self.duties_store)
    }

    /// [`Floor::duties_ceiling`] with the writer that stores no match rows.
    pub fn duties_ceiling_unmatched(&self) -> f64 {
        self.ceiling_with(self.duties_store_unmatched)
    }

    /// [`Floor::duties_ceiling`] with each item's HTML sanitised and kept.
    pub fn html_ceiling(&self) -> f64 {
        self.ceiling_with_prepared(self.duties_prepare + self.html_prepare, self.html_store)
    }

    fn ceiling_with(&self, store: f64) -> f64 {
        self.ceiling_with_prepared(self.duties_prepare, store)
    }

    /// The writer alone, the parsing threads' share of parsing and preparing, or all of it
    /// over the machine's cores: whichever binds.
    fn ceiling_with_prepared(&self, prepare: f64, store: f64) -> f64 {
        let work = self.parse_busy + prepare;
        let wall = store
            .max(work / self.threads.max(1) as f64)
            .max((work + store) / self.cores.max(1) as f64);
        self.items as f64 / wall
    }
}

/// Parses every body with feed-rs on `threads` threads, then stores and indexes the items in
/// a fresh database under `dir`; then the same with the duties, `watches` being the
/// 50 watches' queries.
pub fn measure(
    bodies: &[Vec<u8>],
    threads: usize,
    dir: &Path,
    watches: &[String],
) -> Result<Floor> {
    let threads = threads.max(1);
    let watches: Vec<(i64, Query)> = watches
        .iter()
        .enumerate()
        .map(|(i, q)| Ok((i as i64 + 1, Query::parse(q)?)))
        .collect::<Result<_>>()?;
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let results = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<Parsed> {
                    let mut out = Parsed::default();
                    let mut raw = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(body) = bodies.get(i) else { break };
                        let t = Instant::now();
                        let feed = feed_rs::parser::parse(&body[..])
                            .with_context(|| format!("feed {i} did not parse"))?;
                        // What the writer needs, moved out; the rest of the feed dropped
                        // inside the timed part (freeing is part of parsing's cost).
                        raw.extend(feed.entries.into_iter().map(|e| RawItem {
                            source: i as i64,
                            guid: e.id,
                            link: e.links.into_iter().next().map(|l| l.href),
                            title: e.title.map(|t| t.content).unwrap_or_default(),
                            html: e.summary.map(|s| s.content).unwrap_or_default(),
                            author: e.authors.into_iter().next().and_then(|a| a.name),
                        }));
                        out.parse_busy += t.elapsed().as_secs_f64();
                    }
                    out.parsed_at = Some(Instant::now());
                    // The duties' preparing, timed on its own.
                    let t = Instant::now();
                    out.rows = raw.into_iter().map(|r| r.prepare(&watches)).collect();
                    out.duties_busy = t.elapsed().as_secs_f64();
                    let t = Instant::now();
                    for row in &mut out.rows {
                        row.safe_html = vigie_engine::normalize::sanitize_html(&row.raw_html);
                    }
                    out.html_busy = t.elapsed().as_secs_f64();
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("parse thread"))
            .collect::<Result<Vec<_>>>()
    })?;
    // Until the last thread finished parsing (the duties' preparing follows on each thread).
    let parse_wall = results
        .iter()
        .filter_map(|r| r.parsed_at)
        .max()
        .map_or(0.0, |end| (end - start).as_secs_f64());
    let parse_busy = results.iter().map(|r| r.parse_busy).sum();
    let duties_prepare = results.iter().map(|r| r.duties_busy).sum();
    let html_prepare = results.iter().map(|r| r.html_busy).sum();
    let rows: Vec<Row> = results.into_iter().flat_map(|r| r.rows).collect();
    let bytes = bodies.iter().map(Vec::len).sum();
    let store = store_and_index(&rows, dir)?;
    let duties = store_with_duties(
        &rows,
        dir,
        Keep {
            matches: true,
            html: false,
        },
    )?;
    let unmatched = store_with_duties(
        &rows,
        dir,
        Keep {
            matches: false,
            html: false,
        },
    )?;
    let html = store_with_duties(
        &rows,
        dir,
        Keep {
            matches: true,
            html: true,
        },
    )?;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(Floor {
        items: rows.len(),
        bytes,
        threads,
        cores: cpus,
        parse_busy,
        parse_wall,
        store,
        duties_prepare,
        duties_store: duties.secs,
        duties_stored: duties.stored,
        duties_matches: duties.matches,
        duties_store_unmatched: unmatched.secs,
        html_prepare,
        html_store: html.secs,
    })
}

/// What one parsing thread did.
#[derive(Default)]
struct Parsed {
    parse_busy: f64,
    /// When this thread finished parsing.
    parsed_at: Option<Instant>,
    duties_busy: f64,
    html_busy: f64,
    rows: Vec<Row>,
}

/// An entry as feed-rs gave it.
struct RawItem {
    source: i64,
    guid: String,
    link: Option<String>,
    title: String,
    html: String,
    author: Option<String>,
}

impl RawItem {
    /// The duties' preparing: text without tags, canonical link, folded words, content hash,
    /// watches matched.
    fn prepare(self, watches: &[(i64, Query)]) -> Row {
        let text = strip_tags(&self.html);
        let mut tokens = vigie_engine::normalize::title_and_text_tokens(&self.title, &text);
        let hash = vigie_engine::normalize::hash_tokens(&tokens);
        if let Some(a) = &self.author {
            tokens.push(a);
        }
        let words = MatchText::from(tokens);
        Row {
            source: self.source,
            guid: self.guid,
            link: self
                .link
                .as_deref()
                .and_then(vigie_engine::normalize::canonical_url),
            hash,
            watch_ids: watches
                .iter()
                .filter(|(_, q)| q.matches(&words))
                .map(|(id, _)| *id)
                .collect(),
            title: self.title,
            text,
            author: self.author,
            raw_html: self.html,
            safe_html: String::new(),
        }
    }
}

/// One item as the writers store it.
struct Row {
    source: i64,
    guid: String,
    link: Option<String>,
    hash: String,
    watch_ids: Vec<i64>,
    title: String,
    text: String,
    author: Option<String>,
    /// The description as the feed gave it, and sanitised (filled after the duties).
    raw_html: String,
    safe_html: String,
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

/// A fresh database `name` under `dir` with the store's own settings (vigie-store's
/// `configure`), the `items` table `columns` describe, and the store's full-text set-up over
/// its title, text and author (migrations 1 and 6, automerge 8 from migration 11). `more`:
/// further SQL run after the table is created.
fn open_floor(dir: &Path, name: &str, columns: &str, more: &str) -> Result<(Connection, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    let conn = Connection::open(&path)?;
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch(&format!(
        "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32000; PRAGMA temp_store = MEMORY;
         PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 16777216;
         CREATE TABLE items({columns});
         {more}
         CREATE VIRTUAL TABLE items_fts USING fts5(
             title, text, author, content = 'items', content_rowid = 'id',
             tokenize = 'unicode61 remove_diacritics 2');
         INSERT INTO items_fts(items_fts, rank) VALUES ('automerge', 8);"
    ))?;
    Ok((conn, path))
}

/// Checks the full-text index finds `want` rows (every generated description says "Selon nos
/// informations" or "According to sources"), then closes and removes the database.
fn check_index(conn: Connection, path: &Path, want: usize) -> Result<()> {
    let indexed: i64 = conn.query_row(
        "SELECT count(*) FROM items_fts WHERE items_fts MATCH 'selon OR according'",
        [],
        |r| r.get(0),
    )?;
    anyhow::ensure!(
        indexed as usize == want,
        "the floor's index holds {indexed} rows, not {want}"
    );
    drop(conn);
    let _ = std::fs::remove_file(path);
    Ok(())
}

/// Indexes the rows `first..=last` of `items` in one statement, as `Store::ingest` indexes a
/// batch.
fn index_rows(tx: &rusqlite::Transaction<'_>, first: i64, last: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO items_fts(rowid, title, text, author)
         SELECT id, title, text, author FROM items WHERE id BETWEEN ?1 AND ?2",
    )?
    .execute(params![first, last])?;
    Ok(())
}

/// Writes the rows into a bare table and its FTS5 index; returns the seconds it took.
fn store_and_index(rows: &[Row], dir: &Path) -> Result<f64> {
    let (mut conn, path) = open_floor(
        dir,
        "floor.db",
        "id INTEGER PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, author TEXT",
        "",
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
        }
        index_rows(&tx, first, last)?;
        tx.commit()?;
    }
    let secs = start.elapsed().as_secs_f64();
    // This table keeps duplicates: every row is indexed.
    check_index(conn, &path, rows.len())?;
    Ok(secs)
}

/// What the duties' writer did.
struct Duties {
    secs: f64,
    stored: usize,
    matches: usize,
}

/// What the duties' writer stores beside each item and its index entry.
#[derive(Clone, Copy)]
struct Keep {
    /// Its watch matches.
    matches: bool,
    /// Its sanitised HTML.
    html: bool,
}

/// Writes the rows with the duties: deduped by GUID (per source), link and content
/// hash through unique indexes, matches keyed by watch and sanitised HTML as `keep` says,
/// the same FTS5 index.
fn store_with_duties(rows: &[Row], dir: &Path, keep: Keep) -> Result<Duties> {
    let (mut conn, path) = open_floor(
        dir,
        "duties.db",
        "id INTEGER PRIMARY KEY, source INTEGER NOT NULL, guid TEXT NOT NULL, link TEXT,
         hash TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, author TEXT, html TEXT",
        "CREATE UNIQUE INDEX items_guid ON items(source, guid);
         CREATE UNIQUE INDEX items_link ON items(link);
         CREATE UNIQUE INDEX items_hash ON items(hash);
         CREATE TABLE matches(watch_id INTEGER NOT NULL, item_id INTEGER NOT NULL,
                              PRIMARY KEY (watch_id, item_id)) WITHOUT ROWID;",
    )?;
    let (mut stored, mut matches) = (0, 0);
    let start = Instant::now();
    for chunk in rows.chunks(PER_TRANSACTION) {
        let tx = conn.transaction()?;
        let mut new_ids = Vec::with_capacity(chunk.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO items(source, guid, link, hash, title, text, author, html)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut link =
                tx.prepare_cached("INSERT INTO matches(watch_id, item_id) VALUES (?1, ?2)")?;
            for row in chunk {
                let html = keep.html.then_some(&row.safe_html);
                let n = insert.execute(params![
                    row.source, row.guid, row.link, row.hash, row.title, row.text, row.author, html
                ])?;
                if n == 0 {
                    continue;
                }
                let id = tx.last_insert_rowid();
                new_ids.push(id);
                if keep.matches {
                    for w in &row.watch_ids {
                        link.execute(params![w, id])?;
                    }
                    matches += row.watch_ids.len();
                }
            }
        }
        if let (Some(&first), Some(&last)) = (new_ids.first(), new_ids.last()) {
            index_rows(&tx, first, last)?;
        }
        stored += new_ids.len();
        tx.commit()?;
    }
    let secs = start.elapsed().as_secs_f64();
    check_index(conn, &path, stored)?;
    Ok(Duties {
        secs,
        stored,
        matches,
    })
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
            duties_prepare: 0.0,
            duties_store: 0.0,
            duties_stored: 0,
            duties_matches: 0,
            duties_store_unmatched: 0.0,
            html_prepare: 0.0,
            html_store: 0.0,
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
        // One parsing thread on two cores: the writer has the other core; parsing binds.
        let one_thread = Floor {
            threads: 1,
            ..floor(1.5, 1.0, 2)
        };
        assert_eq!(one_thread.ceiling(), 100_000.0 / 1.5);
        // With the duties: their writer binds at 2 s, or the three share the cores.
        let duties = |prepare, store| Floor {
            duties_prepare: prepare,
            duties_store: store,
            ..floor(0.5, 1.0, 2)
        };
        assert_eq!(duties(0.5, 2.0).duties_ceiling(), 50_000.0);
        assert_eq!(duties(3.5, 1.0).duties_ceiling(), 40_000.0);
        let unmatched = Floor {
            duties_store_unmatched: 1.5,
            ..duties(0.5, 2.0)
        };
        assert_eq!(unmatched.duties_ceiling_unmatched(), 100_000.0 / 1.5);
        // Sanitising adds to the shared cores: 0.5 + 0.5 + 1 + 2 s over 2 cores.
        let html = Floor {
            html_prepare: 1.0,
            html_store: 2.0,
            ..duties(0.5, 2.0)
        };
        assert_eq!(html.html_ceiling(), 50_000.0);
        let html = Floor {
            html_prepare: 2.0,
            ..html
        };
        assert_eq!(html.html_ceiling(), 40_000.0);
    }

    #[test]
    fn tags_go_and_their_text_stays() {
        assert_eq!(
            strip_tags("<p>Grève à l'usine</p><p>Plus à venir</p>").trim(),
            "Grève à l'usine  Plus à venir"
        );
    }
}
