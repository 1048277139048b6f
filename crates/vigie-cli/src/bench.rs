//! `vigie bench …`: throughput and memory of the real pipeline (never timed tests).

use crate::cli::BenchCmd;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use vigie_domain::{NewMention, NewWatch, Sensitivity, SourceKind};
use vigie_engine::bluesky::Bluesky;
use vigie_engine::feed::parse_feed;
use vigie_engine::fetch::{FetchConfig, Http};
use vigie_engine::ingest::{drop_known, prepare, Matcher};
use vigie_engine::poller::SETTLE_BATCH_ENTRIES;
use vigie_engine::{Poller, PollerConfig};
use vigie_store::Store;

mod floor;

pub fn run(cmd: &BenchCmd, json: bool) -> Result<()> {
    match cmd {
        BenchCmd::Ingest {
            feeds,
            items,
            watches,
            corpus,
            sources_per_tx,
            producers,
            keep_data,
            keep_known,
            no_again,
        } => ingest(
            *feeds,
            *items,
            *watches,
            Kept {
                corpus: corpus.clone(),
                data: keep_data.as_deref(),
            },
            Shape {
                producers: *producers,
                sources_per_tx: *sources_per_tx,
                skip_known: !keep_known,
                again: !no_again,
            },
            json,
        ),
        BenchCmd::Floor {
            feeds,
            items,
            threads,
        } => prescribed_floor(*feeds, *items, *threads, json),
        BenchCmd::PollCycle { base, feeds } => poll_cycle(base, *feeds, json),
        BenchCmd::Tonality { file, lang } => tonality(file, lang.as_deref()),
        BenchCmd::Nab { dir, out } => nab(dir, out, json),
    }
}

fn tonality(file: &Path, lang: Option<&str>) -> Result<()> {
    let hint = match lang {
        None => None,
        Some("fr") => Some(vigie_tonality::Lang::Fr),
        Some("en") => Some(vigie_tonality::Lang::En),
        Some(other) => anyhow::bail!("--lang {other:?}: use fr or en"),
    };
    let input = std::io::BufReader::new(
        std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?,
    );
    let stdout = std::io::stdout();
    let stats = vigie_tonality::run_bench(input, std::io::BufWriter::new(stdout.lock()), hint)?;
    eprintln!(
        "{} posts in {:.3} s = {:.0} posts/s",
        stats.rows,
        stats.elapsed.as_secs_f64(),
        stats.posts_per_sec
    );
    Ok(())
}

fn nab(dir: &Path, out: &Path, json: bool) -> Result<()> {
    let stats = vigie_signals::replay_nab_dir(dir, out)
        .with_context(|| format!("replaying {}", dir.display()))?;
    if json {
        outln!(
            "{}",
            serde_json::json!({"files": stats.files, "points": stats.points, "alerts": stats.alerts, "points_per_sec": stats.points_per_sec()})
        );
    } else {
        outln!(
            "{} series, {} points, {} alerts, {:.1} M points/s; CSVs in {}",
            stats.files,
            stats.points,
            stats.alerts,
            stats.points_per_sec() / 1e6,
            out.display()
        );
    }
    Ok(())
}

/// Peak resident memory of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

const FR: &[&str] = &[
    "Le rappel des yaourts {brand} inquiète les parents après plusieurs signalements",
    "Grève à l'usine {brand} de {city} : la direction promet une réponse rapide",
    "{brand} annonce un nouveau produit, les clients restent partagés",
    "Scandale chez {brand} ? Les syndicats dénoncent des conditions de travail indignes",
    "J'adore les nouveautés {brand}, livraison rapide et service client au top",
    "Boycott de {brand} : l'appel se répand sur les réseaux après la polémique",
    "La société {brand} publie ses résultats trimestriels, en hausse de 4 %",
    "Panne géante chez {brand}, des milliers d'utilisateurs privés de service à {city}",
];
const EN: &[&str] = &[
    "{brand} recalls products after customer complaints in {city}",
    "Workers at the {brand} plant in {city} walk out over pay",
    "Loving the new {brand} release, great support team",
    "Is {brand} hiding something? Users report data leak",
    "{brand} shares rise after strong quarterly results",
    "Outage hits {brand} customers across {city}, company apologises",
];
const WORDS: &[&str] = &[
    "client",
    "clients",
    "produit",
    "usine",
    "qualité",
    "prix",
    "hausse",
    "baisse",
    "service",
    "réseau",
    "magasin",
    "livraison",
    "retard",
    "colis",
    "commande",
    "application",
    "bug",
    "mise",
    "jour",
    "salariés",
    "direction",
    "syndicat",
    "accord",
    "plainte",
    "enquête",
    "ministre",
    "rapport",
    "étude",
    "consommateurs",
    "association",
    "vidéo",
    "témoignage",
    "photo",
    "tweet",
    "thread",
    "influenceur",
    "campagne",
    "publicité",
    "slogan",
    "marque",
    "customers",
    "product",
    "factory",
    "quality",
    "price",
    "support",
    "store",
    "delivery",
    "delay",
    "parcel",
    "order",
    "app",
    "update",
    "staff",
    "union",
    "deal",
    "complaint",
    "inquiry",
    "report",
    "study",
    "video",
    "review",
    "campaign",
    "brand",
    "launch",
    "market",
    "shares",
    "investors",
    "board",
    "statement",
    "spokesperson",
    "weekend",
    "morning",
];
const BRANDS: &[&str] = &[
    "Danone",
    "Renault",
    "Orange",
    "Decathlon",
    "Carrefour",
    "Michelin",
    "Airbus",
    "Leclerc",
    "Fnac",
    "Sncf",
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
];
const CITIES: &[&str] = &[
    "Lyon", "Rouen", "Lille", "Nantes", "Paris", "Bordeaux", "London", "Leeds", "Dublin",
    "Toulouse",
];

/// Deterministic pseudo-random numbers (xorshift), so every run builds the same corpus.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.next() % xs.len()]
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Writes `feeds` RSS files of `items` items each into `dir`; ~5 % of items are cross-feed
/// duplicates (same link), as in real listening.
pub fn generate_corpus(dir: &Path, feeds: usize, items: usize) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut paths = Vec::with_capacity(feeds);
    for f in 0..feeds {
        let mut xml = String::with_capacity(items * 700);
        xml.push_str(&format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Source {f}</title><link>http://127.0.0.1/{f}</link><description>Generated feed</description>\n"));
        for i in 0..items {
            let fr = !rng.next().is_multiple_of(3);
            let brand = rng.pick(BRANDS);
            let city = rng.pick(CITIES);
            let tpl = if fr { rng.pick(FR) } else { rng.pick(EN) };
            let title = tpl.replace("{brand}", brand).replace("{city}", city);
            let body = format!(
                "<p>{} {}</p><p>{}</p>",
                xml_escape(&title),
                xml_escape(
                    &(if fr { rng.pick(FR) } else { rng.pick(EN) })
                        .replace("{brand}", rng.pick(BRANDS))
                        .replace("{city}", city)
                ),
                if fr {
                    "Selon nos informations, l'entreprise n'a pas souhaité réagir. Plus d'informations à venir."
                } else {
                    "According to sources, the company declined to comment. More to follow."
                }
            );
            let detail: Vec<&str> = (0..8).map(|_| rng.pick(WORDS)).collect();
            let body = format!(
                "{body}<p>{} ({})</p>",
                detail.join(" "),
                rng.next() % 100_000
            );
            let link = if rng.next().is_multiple_of(20) {
                format!("http://127.0.0.1/shared/{}", rng.next() % 5000)
            } else {
                format!("http://127.0.0.1/{f}/{i}")
            };
            xml.push_str(&format!(
                "<item><title>{}</title><link>{link}</link><guid>{f}-{i}</guid><pubDate>Sat, 21 Nov 2026 {:02}:{:02}:00 GMT</pubDate><description><![CDATA[{body}]]></description><author>author{}@example.org</author></item>\n",
                xml_escape(&title), i % 24, (f + i) % 60, rng.next() % 1000
            ));
        }
        xml.push_str("</channel></rss>\n");
        let p = dir.join(format!("feed-{f}.xml"));
        std::fs::write(&p, xml)?;
        paths.push(p);
    }
    Ok(paths)
}

fn bench_watches(n: usize) -> Vec<NewWatch> {
    let mut out = Vec::new();
    for i in 0..n {
        let brand = BRANDS[i % BRANDS.len()];
        let query = match i % 5 {
            0 => brand.to_lowercase(),
            1 => format!("{brand} AND (rappel OR recall OR boycott*)"),
            2 => format!("\"usine {brand}\" OR \"{brand} plant\""),
            3 => format!("{brand} -résultats -results"),
            _ => format!(
                "({brand} OR {}) AND (scandale OR grève OR outage)",
                BRANDS[(i + 3) % BRANDS.len()]
            ),
        };
        out.push(NewWatch {
            name: format!("w{i} {brand}"),
            query,
            languages: vec![],
            sensitivity: Sensitivity::Medium,
            enabled: true,
            sensitive_words: vec![],
            thresholds: None,
        });
    }
    out
}

/// `vigie bench floor`: feed-rs and SQLite + FTS5 alone on the ingest corpus.
fn prescribed_floor(feeds: usize, items: usize, threads: usize, json: bool) -> Result<()> {
    let tmp = tempfile_dir()?;
    let paths = generate_corpus(&tmp.join("corpus"), feeds, items)?;
    let bodies: Vec<Vec<u8>> = paths.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    let queries: Vec<String> = bench_watches(50).into_iter().map(|w| w.query).collect();
    let f = floor::measure(&bodies, threads, &tmp.join("floor"), &queries);
    let _ = std::fs::remove_dir_all(&tmp);
    let f = f?;
    let per_100k = |s: f64| s * 100_000.0 / f.items as f64;
    if json {
        outln!(
            "{}",
            serde_json::json!({
                "feeds": feeds, "items": f.items, "bytes": f.bytes, "threads": f.threads,
                "parse_busy_seconds": f.parse_busy, "cores": f.cores, "parse_wall_seconds": f.parse_wall,
                "parse_items_per_sec": f.items as f64 / f.parse_wall,
                "store_and_index_seconds": f.store,
                "store_and_index_items_per_sec": f.items as f64 / f.store,
                "ceiling_items_per_sec": f.ceiling(),
                "duties": {
                    "watches": queries.len(),
                    "prepare_busy_seconds": f.duties_prepare,
                    "store_seconds": f.duties_store,
                    "stored": f.duties_stored, "matches": f.duties_matches,
                    "ceiling_items_per_sec": f.duties_ceiling(),
                    "store_without_matches_seconds": f.duties_store_unmatched,
                    "ceiling_without_matches_items_per_sec": f.duties_ceiling_unmatched(),
                    "sanitise_busy_seconds": f.html_prepare,
                    "store_with_html_seconds": f.html_store,
                    "ceiling_with_html_items_per_sec": f.html_ceiling(),
                },
            })
        );
    } else {
        outln!(
            "floor: {} items from {feeds} feeds ({:.1} MB)",
            f.items,
            f.bytes as f64 / 1e6
        );
        outln!(
            "       feed-rs parse alone: {:.2} busy s per 100k items; {:.0} items/s on {} threads",
            per_100k(f.parse_busy),
            f.items as f64 / f.parse_wall,
            f.threads
        );
        outln!(
            "       SQLite bare table + FTS5 alone (one writer): {:.2} s per 100k items = {:.0} items/s",
            per_100k(f.store),
            f.items as f64 / f.store
        );
        outln!(
            "       ceiling of the two, perfectly overlapped on {} cores: {:.0} items/s",
            f.cores,
            f.ceiling()
        );
        outln!(
            "with the issue's duties ({} watches; {} stored, {} matches):",
            queries.len(),
            f.duties_stored,
            f.duties_matches
        );
        outln!(
            "       prepare (tags off, words, hash, watches matched): {:.2} busy s per 100k items",
            per_100k(f.duties_prepare)
        );
        outln!(
            "       store (deduped by unique indexes, matches, FTS5): {:.2} s per 100k items = {:.0} items/s",
            per_100k(f.duties_store),
            f.items as f64 / f.duties_store
        );
        outln!(
            "       ceiling of parse + prepare + store on {} cores: {:.0} items/s",
            f.cores,
            f.duties_ceiling()
        );
        outln!(
            "       the same writer storing no match rows: {:.2} s per 100k items; ceiling {:.0} items/s",
            per_100k(f.duties_store_unmatched),
            f.duties_ceiling_unmatched()
        );
        outln!(
            "       with each item's HTML sanitised (ammonia, {:.2} busy s per 100k) and kept ({:.2} s per 100k): ceiling {:.0} items/s",
            per_100k(f.html_prepare),
            per_100k(f.html_store),
            f.html_ceiling()
        );
    }
    Ok(())
}

/// What the ingest benchmark keeps after it ran (default: nothing).
struct Kept<'a> {
    /// The generated feeds (for the feedparser comparison).
    corpus: Option<PathBuf>,
    /// The resulting data folder (e.g. to measure the desktop app on it).
    data: Option<&'a Path>,
}

fn ingest(
    feeds: usize,
    items: usize,
    watches: usize,
    kept: Kept<'_>,
    shape: Shape,
    json: bool,
) -> Result<()> {
    let Kept {
        corpus,
        data: keep_data,
    } = kept;
    let tmp = tempfile_dir()?;
    let data_dir = keep_data
        .map(Path::to_path_buf)
        .unwrap_or_else(|| tmp.join("data"));
    let keep_corpus = corpus.is_some();
    let corpus_dir = corpus.unwrap_or_else(|| tmp.join("corpus"));
    let paths = generate_corpus(&corpus_dir, feeds, items)?;
    let bodies: Vec<Vec<u8>> = paths.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    let bytes: usize = bodies.iter().map(Vec::len).sum();
    let mut store = Store::open_in(&data_dir)?;
    let now = 1_795_000_000;
    for w in bench_watches(watches) {
        store.add_watch(&w, now)?;
    }
    let mut source_ids = Vec::with_capacity(feeds);
    for f in 0..feeds {
        source_ids.push(
            store
                .add_source(
                    "",
                    &SourceKind::Feed {
                        url: format!("http://127.0.0.1/feed-{f}.xml"),
                    },
                    900,
                    now,
                )?
                .id,
        );
    }
    let matcher = Matcher::new(
        &store.watches()?,
        std::sync::Arc::new(vigie_tonality::Analyzer::new()),
    );
    let corpus = Corpus {
        bodies: &bodies,
        source_ids: &source_ids,
        data_dir: &data_dir,
    };
    let cold = pass(&mut store, &corpus, &matcher, &shape, now)?;
    // The same feeds fetched again, as a poll of feeds that changed a little: every item is
    // already stored, and (unless --keep-known) dropped before it is prepared.
    let again = if shape.again {
        Some(pass(&mut store, &corpus, &matcher, &shape, now)?)
    } else {
        None
    };
    let rate = cold.rate();
    let rss = peak_rss_mib();
    let Shape {
        producers,
        sources_per_tx,
        skip_known,
        ..
    } = shape;
    let Pass {
        entries,
        secs,
        inserted,
        duplicates: dups,
        matched,
        ..
    } = cold;
    let result = serde_json::json!({
        "feeds": feeds, "items": entries, "sources_per_transaction": sources_per_tx, "producers": producers, "bytes": bytes, "watches": watches,
        "skip_known": skip_known,
        "inserted": inserted, "duplicates": dups, "matches": matched,
        "seconds": secs, "items_per_sec": rate, "peak_rss_mib": rss,
        "thread_seconds": {"parse_normalise_match": cold.produce_secs, "store_and_index": cold.store_secs},
        "again": again.as_ref().map(|a| serde_json::json!({
            "items": a.entries, "inserted": a.inserted, "duplicates": a.duplicates,
            "dropped_before_preparing": a.dropped, "seconds": a.secs, "items_per_sec": a.rate(),
            "thread_seconds": {"parse_normalise_match": a.produce_secs, "store_and_index": a.store_secs},
        })),
        "corpus": corpus_dir,
    });
    if json {
        outln!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        outln!("ingest: {entries} items from {feeds} feeds ({:.1} MB) in {secs:.2} s = {rate:.0} items/s", bytes as f64 / 1e6);
        outln!("        {inserted} stored, {dups} duplicates, {matched} watch matches ({watches} watches); peak RSS {rss:.0} MiB");
        outln!("        busy: parse+normalise+match {:.2} s ({producers} threads), store+index {:.2} s (one writer)", cold.produce_secs, cold.store_secs);
        if let Some(a) = &again {
            outln!(
                "again:  the same {} items, all stored already, in {:.2} s = {:.0} items/s ({} dropped before preparing, {} duplicates)",
                a.entries, a.secs, a.rate(), a.dropped, a.duplicates
            );
            outln!(
                "        busy: parse+normalise+match {:.2} s, store {:.2} s",
                a.produce_secs,
                a.store_secs
            );
        }
        if keep_corpus {
            outln!("        corpus: {}", corpus_dir.display());
        }
    }
    drop(store);
    // The temp folder holds the generated corpus (unless --corpus) and the data (unless
    // --keep-data): remove what is not kept.
    let _ = match (keep_corpus, keep_data.is_some()) {
        (true, true) => Ok(()),
        (true, false) => std::fs::remove_dir_all(tmp.join("data")),
        (false, _) => std::fs::remove_dir_all(&tmp),
    };
    Ok(())
}

/// How a pass runs: the poller's shape, and whether known GUIDs are dropped before preparing.
struct Shape {
    producers: usize,
    sources_per_tx: usize,
    skip_known: bool,
    /// Whether a second pass runs over the same feeds.
    again: bool,
}

/// The generated feeds, the sources they stand for, and the data folder.
struct Corpus<'a> {
    bodies: &'a [Vec<u8>],
    source_ids: &'a [i64],
    data_dir: &'a Path,
}

/// What one pass over the corpus did.
#[derive(Default)]
struct Pass {
    entries: usize,
    dropped: usize,
    inserted: usize,
    duplicates: usize,
    matched: usize,
    secs: f64,
    produce_secs: f64,
    store_secs: f64,
}

impl Pass {
    /// Items per second, over the whole pass.
    fn rate(&self) -> f64 {
        self.entries as f64 / self.secs
    }
}

/// One pass over the corpus in the engine's shape: parsing, normalising and matching run
/// beside the single store writer (the poller prepares on every tokio worker; here
/// `producers` threads), and the writer settles what is ready in one transaction, as
/// `Poller::poll_once` does. Each producer looks the GUIDs up through a read-only connection
/// of its own; the poller's tasks share one behind a mutex (a look-up takes microseconds).
fn pass(
    store: &mut Store,
    corpus: &Corpus<'_>,
    matcher: &Matcher,
    shape: &Shape,
    now: i64,
) -> Result<Pass> {
    let &Shape {
        producers,
        sources_per_tx,
        skip_known,
        ..
    } = shape;
    let &Corpus {
        bodies,
        source_ids,
        data_dir,
    } = corpus;
    type Prepared = (i64, usize, Vec<(NewMention, Vec<i64>)>);
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Prepared>(32);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out = std::thread::scope(|scope| -> Result<Pass> {
        let handles: Vec<_> = (0..producers.max(1))
            .map(|_| {
                let tx = tx.clone();
                scope.spawn(|| -> Result<(f64, usize)> {
                    let tx = tx;
                    let reader = if skip_known {
                        Some(Store::open_reader(data_dir)?)
                    } else {
                        None
                    };
                    let (mut busy, mut dropped) = (0.0, 0);
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let (Some(body), Some(sid)) = (bodies.get(i), source_ids.get(i)) else {
                            break;
                        };
                        let t = Instant::now();
                        let (_, mut raw) = parse_feed(body, Some("application/rss+xml"))
                            .map_err(|p| anyhow::anyhow!(p.message()))?;
                        let n = raw.len();
                        if let Some(r) = &reader {
                            dropped += drop_known(r, *sid, &mut raw)?;
                        }
                        let prepared = prepare(*sid, raw, matcher, now);
                        busy += t.elapsed().as_secs_f64();
                        if tx.send((*sid, n, prepared)).is_err() {
                            break;
                        }
                    }
                    Ok((busy, dropped))
                })
            })
            .collect();
        drop(tx);
        let mut out = Pass::default();
        while let Ok(first) = rx.recv() {
            let mut group = vec![first];
            let mut n: usize = group[0].2.len();
            loop {
                let more = if sources_per_tx == 0 {
                    n < SETTLE_BATCH_ENTRIES
                } else {
                    group.len() < sources_per_tx
                };
                if !more {
                    break;
                }
                // The poller takes only what is ready; a fixed group waits for its sources.
                let got = if sources_per_tx == 0 {
                    rx.try_recv().ok()
                } else {
                    rx.recv().ok()
                };
                let Some(one) = got else { break };
                n += one.2.len();
                group.push(one);
            }
            let t = Instant::now();
            let outs = store.batch(|s| {
                group
                    .iter()
                    .map(|(_, _, batch)| s.ingest(batch, now))
                    .collect::<Result<Vec<_>, _>>()
            })?;
            out.store_secs += t.elapsed().as_secs_f64();
            out.entries += group.iter().map(|g| g.1).sum::<usize>();
            for o in outs {
                out.inserted += o.inserted;
                out.duplicates += o.duplicates;
                out.matched += o.matches;
            }
        }
        for h in handles {
            let (busy, dropped) = h.join().expect("producer thread")?;
            out.produce_secs += busy;
            out.dropped += dropped;
        }
        Ok(out)
    })?;
    out.secs = start.elapsed().as_secs_f64();
    // Dropped entries are duplicates the writer never saw, as in the poller's report.
    out.duplicates += out.dropped;
    Ok(out)
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("vigie-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("creating the bench folder")?;
    Ok(dir)
}

fn poll_cycle(base: &str, feeds: usize, json: bool) -> Result<()> {
    let tmp = tempfile_dir()?;
    let mut store = Store::open_in(&tmp.join("poll"))?;
    let now = 1_795_000_000;
    for f in 0..feeds {
        store.add_source(
            "",
            &SourceKind::Feed {
                url: format!("{}/feed-{f}.xml", base.trim_end_matches('/')),
            },
            60,
            now,
        )?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let poller = Arc::new(Poller::new(
        Arc::new(Mutex::new(store)),
        Http::new(FetchConfig::default()),
        Arc::new(Bluesky::default()),
        PollerConfig::default(),
    ));
    // First cycle: full fetch, remembers ETag / Last-Modified.
    let t0 = Instant::now();
    let first = rt.block_on(poller.poll_once(now))?;
    let first_secs = t0.elapsed().as_secs_f64();
    // Second cycle, every source due again: all should answer 304.
    let t1 = Instant::now();
    let second = rt.block_on(poller.poll_once(now + 7 * 86_400))?;
    let secs = t1.elapsed().as_secs_f64();
    let out = serde_json::json!({
        "feeds": feeds, "first_cycle_seconds": first_secs, "first_new_mentions": first.new_mentions,
        "cycle_304_seconds": secs, "not_modified": second.not_modified, "failed": second.failed, "peak_rss_mib": peak_rss_mib(),
    });
    if json {
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        outln!(
            "first cycle: {feeds} feeds, {} mentions in {first_secs:.2} s",
            first.new_mentions
        );
        outln!(
            "304 cycle:   {} of {feeds} not modified, {} failed, in {secs:.3} s",
            second.not_modified,
            second.failed
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
