//! The signal pass: after each poll cycle, every enabled watch's closed 5-minute buckets go
//! through its detectors and level machine (vigie-signals); weak signals and level changes
//! become events (with explanations in French and English) and desktop notifications,
//! one per episode.
//!
//! Buckets are by publication time. Mentions often arrive after they were published (a feed
//! polled every 15 minutes, an alert indexed an hour later), so the last `settle_secs` (2 h)
//! are computed again at every pass from a *settled* state: the buckets older than that are
//! final, the recent ones are replayed with whatever has arrived since. The level shown is
//! the replay's; a level change is logged and notified when the level shown changes, and a
//! weak signal once per (series, bucket). Stragglers older than `settle_secs` are kept and
//! searchable but do not re-open settled buckets (a backtest replays everything).

use crate::notify::{Notice, Notifier};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use vigie_domain::text::MatchText;
use vigie_domain::{Level, Timestamp, Watch};
use vigie_signals::level::{explain, explain_change, explain_level, level_label};
use vigie_signals::{BucketCounts, Lang, Step, WatchSignals};
use vigie_store::{MentionFacts, NewEvent, Store, StoreError, WatchLevel};

pub const BUCKET: i64 = 300;

#[derive(Debug, Clone)]
pub struct SignalConfig {
    /// Local time offset used in explanations ("un mardi 14 h habituel").
    pub tz_offset_secs: i64,
    /// Language of notifications.
    pub lang: Lang,
    /// How long after its end a bucket is processed.
    pub lag_secs: i64,
    /// How long buckets stay open to mentions that arrive late (replayed at every pass).
    pub settle_secs: i64,
    /// How far back a new watch learns its baseline from stored mentions.
    pub backfill_secs: i64,
    /// At most this many buckets per watch and pass (the rest next pass).
    pub max_buckets: i64,
    /// A weak signal at the same level notifies again only after this long.
    pub renotify_secs: i64,
    /// Authors and outlets seen within this window are not "new".
    pub voices_memory_secs: i64,
}

impl Default for SignalConfig {
    fn default() -> Self {
        SignalConfig {
            tz_offset_secs: 0,
            lang: Lang::Fr,
            lag_secs: 300,
            settle_secs: 2 * 3600,
            backfill_secs: 14 * 86_400,
            max_buckets: 14 * 288,
            renotify_secs: 1800,
            voices_memory_secs: 30 * 86_400,
        }
    }
}

/// What is persisted per watch, besides the level row.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Persisted {
    /// The settled state: every bucket up to its `last_bucket` is final.
    signals: WatchSignals,
    notified_at: Option<Timestamp>,
    /// The level shown after the last pass (none in a state from before `settle_secs`: then
    /// the settled state's).
    #[serde(default)]
    shown: Option<Level>,
    /// Weak signals already logged, by series and bucket (those not yet settled).
    #[serde(default)]
    logged_weak: Vec<(String, Timestamp)>,
    /// What the last pass saw: the end of its buckets and the newest mention matched. A pass
    /// with neither a new closed bucket nor a new mention has nothing to replay.
    #[serde(default)]
    seen: Option<(Timestamp, i64)>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SignalReport {
    pub watches: usize,
    pub buckets: usize,
    pub weak_signals: usize,
    /// (watch id, from, to, explanation in the configured language)
    pub changes: Vec<(i64, Level, Level, String)>,
    pub notified: usize,
    pub notify_error: Option<String>,
    /// Another Vigie process on the same data folder was running the pass: this one did
    /// nothing, so that no level change is logged or notified twice.
    pub elsewhere: bool,
}

fn align(t: Timestamp) -> Timestamp {
    t.div_euclid(BUCKET) * BUCKET
}

/// Turns a watch's mentions in `[start, end)` into closed buckets (empty ones included)
/// and runs them through `signals`. `known` holds the voices already seen; it is updated.
pub fn replay(
    signals: &mut WatchSignals,
    watch: &Watch,
    facts: &[MentionFacts],
    known: &mut HashSet<String>,
    start: Timestamp,
    end: Timestamp,
) -> Vec<Step> {
    // A sensitive word is a word or phrase, or a prefix as in queries ("boycott*" also
    // finds "boycotte" and "#BoycottDanone").
    let words: Vec<(String, Vec<String>, bool)> = watch
        .sensitive_words
        .iter()
        .map(|w| {
            let toks = vigie_domain::text::tokens(w);
            let prefix = w.trim().ends_with('*') && toks.len() == 1;
            (w.clone(), toks, prefix)
        })
        .filter(|(_, t, _)| !t.is_empty())
        .collect();
    let thresholds = watch.thresholds.unwrap_or_default();
    let mut steps = Vec::new();
    let mut i = 0;
    let mut b = align(start);
    while b < end {
        let mut counts = BucketCounts {
            start: b,
            ..Default::default()
        };
        while i < facts.len() && facts[i].published_at < b + BUCKET {
            let f = &facts[i];
            i += 1;
            if f.published_at < b {
                continue;
            }
            counts.mentions += 1;
            counts.negative += u32::from(f.negative);
            counts.positive += u32::from(f.positive);
            counts.anger += u32::from(f.anger);
            if known.insert(f.voice.clone()) {
                counts.new_voices += 1;
            }
            if !words.is_empty() {
                let text = MatchText::new(&f.text);
                for (w, toks, prefix) in &words {
                    let found = if *prefix {
                        text.has_prefix(&toks[0])
                    } else {
                        text.has_phrase(toks)
                    };
                    if found && !counts.sensitive_words.contains(w) {
                        counts.sensitive_words.push(w.clone());
                    }
                }
            }
        }
        steps.push(signals.step(counts, watch.sensitivity, &thresholds));
        b += BUCKET;
    }
    steps
}

/// Runs the signal pass for every enabled watch.
pub fn update_signals(
    store: &mut Store,
    notifier: &dyn Notifier,
    now: Timestamp,
    cfg: &SignalConfig,
) -> Result<SignalReport, StoreError> {
    let mut report = SignalReport::default();
    // One pass at a time per data folder. When the lock cannot be taken at all (its file
    // cannot be created or locked), the pass still runs, unguarded against a second process
    // running it at the same moment: better than no levels at all. The log says so.
    let _lock = match store
        .path()
        .parent()
        .map(|dir| crate::folder_lock::try_hold(&dir.join("signals.lock")))
    {
        Some(Ok(None)) => {
            report.elsewhere = true;
            return Ok(report);
        }
        Some(Ok(Some(file))) => Some(file),
        Some(Err(e)) => {
            tracing::warn!("signal pass: cannot take signals.lock ({e}); running without it");
            None
        }
        None => None,
    };
    let end = align(now - cfg.lag_secs);
    let prefs = NotifyPrefs::read(store)?;
    for watch in store.watches()?.into_iter().filter(|w| w.enabled) {
        let mut st: Persisted = store
            .signal_state(watch.id)?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        // Settled buckets: from the settled state on, up to `settle_to`; then the recent ones
        // again, on a copy, with what has arrived since the last pass.
        let settle_to = align(end - cfg.settle_secs);
        let newest = store.newest_match(watch.id)?;
        if st.seen == Some((end, newest)) {
            continue;
        }
        let start = match st.signals.last_bucket {
            Some(b) => b + BUCKET,
            None => match store.first_mention_at(watch.id)? {
                Some(first) => align(first).max(end - cfg.backfill_secs),
                // Nothing yet: quiet buckets settle from now on (the baseline learns zeros).
                None => settle_to - BUCKET,
            },
        }
        .max(end - cfg.max_buckets * BUCKET);
        let live_start = start.max(settle_to);
        if live_start >= end && start >= settle_to {
            continue;
        }
        report.watches += 1;
        let mut known: HashSet<String> = store
            .watch_voices(watch.id, start - cfg.voices_memory_secs, start)?
            .into_iter()
            .collect();
        let facts = store.watch_mention_facts(watch.id, start, end)?;
        let initial_level = st.shown.unwrap_or(st.signals.level.level);
        let split = facts.partition_point(|f| f.published_at < live_start);
        let mut steps = if start < settle_to {
            replay(
                &mut st.signals,
                &watch,
                &facts[..split],
                &mut known,
                start,
                settle_to,
            )
        } else {
            Vec::new()
        };
        let mut live = st.signals.clone();
        steps.extend(replay(
            &mut live,
            &watch,
            &facts[split..],
            &mut known,
            live_start,
            end,
        ));
        report.buckets += steps.len();
        let mut events = Vec::new();
        let mut live_weak = false;
        // Buckets before `start` are settled and never replayed again: their keys can go.
        st.logged_weak.retain(|(_, at)| *at >= start);
        for s in &steps {
            for w in &s.weak_signals {
                let key = (w.series.to_string(), s.evidence.at);
                if st.logged_weak.contains(&key) {
                    continue;
                }
                st.logged_weak.push(key);
                report.weak_signals += 1;
                // Older ones (a new watch's backfill) are recorded, not notified.
                live_weak |= s.evidence.at >= settle_to;
                events.push(NewEvent {
                    at: s.evidence.at,
                    kind: "weak_signal",
                    watch_id: Some(watch.id),
                    source_id: None,
                    data: serde_json::json!({ "series": w.series, "observed": w.observation.value, "expected": w.observation.expected, "ratio": w.observation.ratio }),
                });
            }
        }
        // The level shown changed: logged once, with the last change that led there (or, when
        // the replay never changed level, e.g. matches removed by a corrected query, with the
        // level as it stands).
        let final_level = live.level.level;
        let mut last_change = None;
        if final_level != initial_level {
            let (at, points, reasons) = match steps.iter().rev().find_map(|s| s.change.as_ref()) {
                Some(c) => (c.at, c.points, c.reasons.clone()),
                None => (
                    live.last_bucket.unwrap_or(end - BUCKET),
                    live.level.last_points,
                    live.level.last_reasons.clone(),
                ),
            };
            let change = |lang| {
                explain_change(
                    initial_level,
                    final_level,
                    &reasons,
                    lang,
                    cfg.tz_offset_secs,
                )
            };
            let (fr, en) = (change(Lang::Fr), change(Lang::En));
            let why = if cfg.lang == Lang::Fr {
                fr.clone()
            } else {
                en.clone()
            };
            report
                .changes
                .push((watch.id, initial_level, final_level, why.clone()));
            events.push(NewEvent {
                at,
                kind: "level_changed",
                watch_id: Some(watch.id),
                source_id: None,
                data: serde_json::json!({ "from": initial_level, "to": final_level, "points": points, "reasons": reasons, "explanation_fr": fr, "explanation_en": en }),
            });
            last_change = Some(why);
        }
        st.shown = Some(final_level);
        st.seen = Some((end, newest));
        // One notice per episode: the level shown differs from the last pass's, or a live weak
        // signal when nothing was said recently.
        let notice = if !prefs.levels && !prefs.weak_signals {
            None
        } else if final_level != initial_level {
            if !prefs.levels {
                None
            } else {
                last_change
                    .map(|why| level_notice(&watch, initial_level, final_level, &why, cfg.lang))
            }
        } else if prefs.weak_signals
            && live_weak
            && st.notified_at.is_none_or(|t| now - t >= cfg.renotify_secs)
        {
            let reasons = &live.level.last_reasons;
            let why = if reasons.is_empty() {
                String::new()
            } else {
                explain(reasons, cfg.lang, cfg.tz_offset_secs)
            };
            Some(weak_notice(&watch, final_level, &why, cfg.lang))
        } else {
            None
        };
        if let Some(n) = notice {
            match notifier.notify(&n) {
                Ok(()) => {
                    report.notified += 1;
                    st.notified_at = Some(now);
                    store.set_health("notifications", None, now)?;
                }
                Err(e) => {
                    let e = e.to_string();
                    // Said once: repeated failures update the health record, not the log.
                    let known = store
                        .health()?
                        .into_iter()
                        .any(|(k, v, _)| k == "notifications" && v == e);
                    if !known {
                        report.notify_error = Some(e.clone());
                    }
                    store.set_health("notifications", Some(&e), now)?;
                }
            }
        }
        let lvl = &live.level;
        let thresholds = watch.thresholds.unwrap_or_default();
        let (fr, en) = (
            explain_level(lvl, &thresholds, BUCKET, Lang::Fr, cfg.tz_offset_secs),
            explain_level(lvl, &thresholds, BUCKET, Lang::En, cfg.tz_offset_secs),
        );
        let row = WatchLevel {
            watch_id: watch.id,
            level: lvl.level,
            since: Some(lvl.since),
            explanation_fr: fr,
            explanation_en: en,
            last_bucket: live.last_bucket,
        };
        let json = serde_json::to_string(&st).expect("signal state serialises");
        match store.save_signal_state(&row, &json, &events, now) {
            // Another Vigie process (`vigie watch rm`) removed it during this pass: its
            // changes are not reported (a notice already sent for it stays sent).
            Err(StoreError::NotFound { .. }) => {
                report.changes.retain(|c| c.0 != watch.id);
                continue;
            }
            other => other?,
        }
    }
    Ok(report)
}

/// The user's notification preferences (the settings saved by the app, key "ui").
struct NotifyPrefs {
    levels: bool,
    weak_signals: bool,
}

impl NotifyPrefs {
    fn read(store: &Store) -> Result<NotifyPrefs, StoreError> {
        let v: serde_json::Value = store
            .setting("ui")?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        Ok(NotifyPrefs {
            levels: v
                .get("notify_levels")
                .and_then(|b| b.as_bool())
                .unwrap_or(true),
            weak_signals: v
                .get("notify_weak_signals")
                .and_then(|b| b.as_bool())
                .unwrap_or(true),
        })
    }
}

fn level_notice(watch: &Watch, from: Level, to: Level, why: &str, lang: Lang) -> Notice {
    let summary = match (lang, to > from) {
        (Lang::Fr, true) => format!("{} : niveau {}", watch.name, level_label(to, lang)),
        (Lang::Fr, false) => format!(
            "{} : retour au niveau {}",
            watch.name,
            level_label(to, lang)
        ),
        (Lang::En, true) => format!("{}: {} level", watch.name, level_label(to, lang)),
        (Lang::En, false) => format!("{}: back to {}", watch.name, level_label(to, lang)),
    };
    Notice {
        watch_id: watch.id,
        level: to,
        summary,
        body: why.to_string(),
    }
}

fn weak_notice(watch: &Watch, level: Level, why: &str, lang: Lang) -> Notice {
    let summary = match lang {
        Lang::Fr => format!("{} : signal faible", watch.name),
        Lang::En => format!("{}: weak signal", watch.name),
    };
    let body = if why.is_empty() {
        match lang {
            Lang::Fr => "Le volume de mentions sort de l'habitude.".to_string(),
            Lang::En => "Mention volume is out of the ordinary.".to_string(),
        }
    } else {
        why.to_string()
    };
    Notice {
        watch_id: watch.id,
        level,
        summary,
        body,
    }
}

/// How far back a backtest replays: one step per 5-minute bucket, so a single mention dated
/// 1980 would otherwise mean millions of steps (1.4 GB).
pub const BACKTEST_MAX_SECS: i64 = 90 * 86_400;

/// Replays the stored history of a watch (at most [`BACKTEST_MAX_SECS`]) through fresh
/// detectors (nothing is written): when alerts and level changes would have fired.
pub fn backtest(store: &Store, watch: &Watch, now: Timestamp) -> Result<Vec<Step>, StoreError> {
    let Some(first) = store.first_mention_at(watch.id)? else {
        return Ok(Vec::new());
    };
    let end = align(now) + BUCKET;
    let start = align(first).max(end - BACKTEST_MAX_SECS);
    let facts = store.watch_mention_facts(watch.id, start, end)?;
    let mut signals = WatchSignals::default();
    Ok(replay(
        &mut signals,
        watch,
        &facts,
        &mut HashSet::new(),
        start,
        end,
    ))
}
