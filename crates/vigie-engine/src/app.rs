//! The application facade: one function per thing a front end can ask (the desktop shell's
//! commands and the CLI call these). It owns the store, the poller and the running engine.
//! Errors come out as [`AppError`] `{code, message}`, ready for the IPC boundary.

use crate::bluesky::Bluesky;
use crate::fetch::{FetchConfig, Http};
use crate::notify::Notifier;
use crate::signals::SignalConfig;
use crate::{Clock, CycleReport, Engine, Poller, PollerConfig, SignalPass};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use vigie_domain::{
    Mention, NewWatch, PollState, Query, QueryProblem, Source, Timestamp, ToneLabel, Triage, Watch,
};
use vigie_secrets::Sensitive;
use vigie_store::{Event, MentionFilter, Store, StoreError, WatchLevel};

mod error;
mod publishing;
mod sources;
mod teamwork;

pub use error::{AppError, AppResult};
pub use publishing::{ComposeRequest, ConnectRequest, ProfileSpec, PublishSettings};
pub use sources::{import_opml_into, opml_of, source_to_add, OpmlImport, SkippedFeed};
pub use teamwork::{DraftDetail, PreApprove, UseStatement};

#[derive(Debug, Clone, Serialize)]
pub struct DashboardRow {
    pub watch: Watch,
    pub level: WatchLevel,
}

/// A source and its poll state; the UI words its health from the state, in its language.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    pub source: Source,
    pub state: PollState,
}

/// A watch's series, for the dashboard (`watch_id` next to the series' own fields).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WatchSeries {
    pub watch_id: i64,
    #[serde(flatten)]
    pub series: Series,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Series {
    pub start: Timestamp,
    pub step: i64,
    pub volume: Vec<u32>,
    pub negative: Vec<u32>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum QueryCheck {
    Ok {
        ok: bool,
        terms: Vec<String>,
    },
    Err {
        ok: bool,
        position: usize,
        /// In English; `problem` is the same as data, for the UI to word in its language.
        message: String,
        problem: QueryProblem,
    },
}

/// The setting that holds the newest alert the user saw in the alerts centre.
const ALERTS_SEEN: &str = "alerts.seen_up_to";

/// The newest alert the user saw, if the alerts centre was ever opened.
fn seen_mark(s: &Store) -> Result<Option<i64>, StoreError> {
    Ok(s.setting(ALERTS_SEEN)?.and_then(|v| v.parse().ok()))
}

/// Where the user stands in the alerts centre (see [`App::alerts_seen`]).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct AlertsSeen {
    /// The newest alert (event id) seen there; newer ones are new.
    pub seen_up_to: i64,
    /// Level changes since, at most 100.
    pub unseen_level_changes: usize,
}

/// What the mention stream asks for (camelCase from the UI).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StreamFilter {
    pub watch_id: Option<i64>,
    pub source_id: Option<i64>,
    pub search: Option<String>,
    pub lang: Option<String>,
    pub tonality: Option<ToneLabel>,
    pub triage: Option<Triage>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub limit: Option<usize>,
    /// Also mentions no watch matches (the stream shows only matched ones by default).
    pub everything: bool,
    /// Only mentions one of these watches matches (the level filter: the watches at a level).
    pub watch_ids: Option<Vec<i64>>,
    /// The next page: mentions older than this one (its publication time and id).
    pub before_published: Option<Timestamp>,
    pub before_id: Option<i64>,
}

/// A source to add, as the UI describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceSpec {
    Feed {
        url: String,
        title: Option<String>,
    },
    MastodonTag {
        instance: String,
        tag: String,
    },
    BlueskySearch {
        service: String,
        handle: String,
        query: String,
        #[serde(rename = "appPassword")]
        app_password: Option<Sensitive<String>>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub language: String,
    pub theme: String,
    pub poll_interval_secs: i64,
    pub notify_levels: bool,
    pub notify_weak_signals: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: "fr".into(),
            theme: "system".into(),
            poll_interval_secs: 900,
            notify_levels: true,
            notify_weak_signals: true,
        }
    }
}

pub struct App {
    store: Arc<Mutex<Store>>,
    /// A read-only connection for what the screens show: with WAL, it answers while the
    /// engine holds `store` for a poll's writes or a signal pass.
    reader: Mutex<Store>,
    team: Arc<crate::approvals::Team>,
    publisher: Arc<crate::publish::Publisher>,
    delivery: Mutex<Option<crate::publish::DeliveryTask>>,
    poller: Arc<Poller>,
    signals: SignalPass,
    clock: Arc<dyn Clock>,
    engine: Mutex<Option<Engine>>,
}

fn check_web_url(url: &str) -> AppResult<url::Url> {
    let bad = |message: String| {
        AppError::new("invalid", message).about("address", Some(url.trim().into()))
    };
    let u = url::Url::parse(url.trim())
        .map_err(|e| bad(format!("{url:?} is not a valid address ({e})")))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(bad(format!(
            "only http and https addresses can be used, not {:?}",
            u.scheme()
        )));
    }
    Ok(u)
}

/// Validates a link before the shell hands it to the system browser.
pub fn external_url(url: &str) -> AppResult<String> {
    Ok(check_web_url(url)?.to_string())
}

impl App {
    /// Opens the store in `data_dir` and prepares the engine (not started).
    pub fn open(
        data_dir: &Path,
        notifier: Arc<dyn Notifier>,
        config: SignalConfig,
        clock: Arc<dyn Clock>,
        fetch: FetchConfig,
    ) -> AppResult<App> {
        let store = Arc::new(Mutex::new(Store::open_in(data_dir)?));
        let reader = Mutex::new(Store::open_reader(data_dir)?);
        let team = Arc::new(crate::approvals::Team::new(
            Arc::clone(&store),
            Arc::clone(&clock),
            "",
        ));
        let publisher = Arc::new(crate::publish::Publisher::new(
            Arc::clone(&store),
            data_dir,
            Arc::clone(&clock),
            "",
            Arc::new(crate::approvals::PolicyGate::new(Arc::clone(&team))),
        ));
        let poller = Arc::new(Poller::new(
            Arc::clone(&store),
            Http::new(fetch),
            Arc::new(Bluesky::default()),
            PollerConfig::default(),
        ));
        let app = App {
            store,
            reader,
            team,
            publisher,
            delivery: Mutex::new(None),
            poller,
            signals: SignalPass { notifier, config },
            clock,
            engine: Mutex::new(None),
        };
        app.apply_publish_settings()?;
        Ok(app)
    }

    fn db<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> AppResult<T> {
        let mut s = self.store.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut s)?)
    }

    /// Reads through the read-only connection: never waits for the engine's writes.
    fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T, StoreError>) -> AppResult<T> {
        let s = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&s)?)
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Starts listening. Each cycle's report goes to `reports`.
    pub fn start(
        &self,
        tick: Duration,
        reports: mpsc::UnboundedSender<Result<CycleReport, AppError>>,
    ) {
        let mut e = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        if e.is_none() {
            *e = Some(Engine::start(
                Arc::clone(&self.poller),
                Some(self.signals.clone()),
                Arc::clone(&self.clock),
                tick,
                reports,
            ));
        }
        drop(e);
        let mut d = self.delivery.lock().unwrap_or_else(|p| p.into_inner());
        if d.is_none() {
            // The outbox is checked every second: the undo window ends on time.
            *d = Some(self.publisher.start(Duration::from_secs(1)));
        }
    }

    /// Frees both connections' page caches (they refill on demand): for an app going idle. A
    /// connection busy with another call is not idle: nothing is done, nothing waits, and the
    /// answer is false (try again later).
    pub fn release_memory(&self) -> AppResult<bool> {
        fn idle<'a>(m: &'a Mutex<Store>) -> Option<std::sync::MutexGuard<'a, Store>> {
            match m.try_lock() {
                Ok(s) => Some(s),
                Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            }
        }
        let (Some(writer), Some(reader)) = (idle(&self.store), idle(&self.reader)) else {
            return Ok(false);
        };
        writer.release_memory()?;
        reader.release_memory()?;
        Ok(true)
    }

    /// Stops listening and waits for the loop to end.
    pub async fn stop(&self) {
        let engine = self.engine.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(e) = engine {
            e.stop().await;
        }
        let delivery = self
            .delivery
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(d) = delivery {
            d.stop().await;
        }
    }

    fn wake(&self) {
        if let Some(e) = self
            .engine
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            e.wake();
        }
    }

    pub fn dashboard(&self) -> AppResult<Vec<DashboardRow>> {
        self.read(|s| {
            let levels = s.levels()?;
            Ok(s.watches()?
                .into_iter()
                .map(|w| {
                    let level = levels
                        .iter()
                        .find(|l| l.watch_id == w.id)
                        .cloned()
                        .unwrap_or(WatchLevel {
                            watch_id: w.id,
                            level: Default::default(),
                            since: None,
                            explanation_fr: String::new(),
                            explanation_en: String::new(),
                            last_bucket: None,
                        });
                    DashboardRow { watch: w, level }
                })
                .collect())
        })
    }

    /// Volume and negative mentions of every watch over the last 24 h (5-minute steps) or
    /// 7 days (hourly), in one query: the dashboard's charts. Every watch gets a series, an
    /// empty window included.
    pub fn dashboard_series(&self, range: &str) -> AppResult<Vec<WatchSeries>> {
        let (span, step) = match range {
            "24h" => (86_400, 300),
            "7d" => (7 * 86_400, 3600),
            other => {
                return Err(AppError::new(
                    "invalid",
                    format!("unknown range {other:?}: use 24h or 7d"),
                ))
            }
        };
        let end = (self.now() / step + 1) * step;
        let start = end - span;
        let (watches, rows) =
            self.read(|s| Ok((s.watches()?, s.window_counts(start, end, step)?)))?;
        let n = (span / step) as usize;
        let mut out: Vec<WatchSeries> = watches
            .iter()
            .map(|w| WatchSeries {
                watch_id: w.id,
                series: Series {
                    start,
                    step,
                    volume: vec![0; n],
                    negative: vec![0; n],
                },
            })
            .collect();
        for (watch_id, b, v, neg) in rows {
            let i = ((b - start) / step) as usize;
            if let Some(ws) = out.iter_mut().find(|ws| ws.watch_id == watch_id) {
                if i < n {
                    ws.series.volume[i] = v;
                    ws.series.negative[i] = neg;
                }
            }
        }
        Ok(out)
    }

    pub fn list_watches(&self) -> AppResult<Vec<Watch>> {
        self.read(|s| s.watches())
    }

    /// Adds or changes a watch. A new watch, or one whose query, languages or state changed,
    /// is matched against the mentions stored over the last 14 days: what the editor's preview
    /// showed is then in its stream, counts and level.
    pub fn save_watch(&self, id: Option<i64>, w: &NewWatch) -> AppResult<Watch> {
        let now = self.now();
        let tonality = Arc::clone(self.poller.tonality());
        let (saved, changed) = self.db(|s| crate::ingest::save_watch(s, id, w, now))?;
        if changed {
            // Read through the reader (the engine keeps writing meanwhile), then one short
            // write; a mention stored in between was matched by the poller's new matcher.
            let found = self.read(|r| crate::ingest::find_matches(r, &saved, tonality, now))?;
            self.db(|s| s.set_watch_matches(saved.id, &found.scanned, &found.matched))?;
        }
        if saved.enabled {
            // Its level from the matches found: the signal pass runs with the next cycle.
            self.wake();
        }
        Ok(saved)
    }

    pub fn remove_watch(&self, id: i64) -> AppResult<()> {
        self.db(|s| s.remove_watch(id))
    }

    pub fn check_query(query: &str) -> QueryCheck {
        match Query::parse(query) {
            Ok(q) => QueryCheck::Ok {
                ok: true,
                terms: q.terms(),
            },
            Err(e) => QueryCheck::Err {
                ok: false,
                position: e.position,
                message: e.message,
                problem: e.problem,
            },
        }
    }

    /// Stored mentions the query would match (newest first), for the watch editor.
    pub fn preview_query(&self, query: &str, limit: usize) -> AppResult<Vec<Mention>> {
        let q = Query::parse(query).map_err(|e| AppError::new("invalid", e.to_string()))?;
        let recent = self.read(|s| {
            s.mentions(&MentionFilter {
                limit: 5000,
                ..Default::default()
            })
        })?;
        Ok(recent
            .into_iter()
            .filter(|m| q.matches(&m.match_text()))
            .take(limit.clamp(1, 200))
            .collect())
    }

    pub fn list_mentions(&self, f: &StreamFilter) -> AppResult<Vec<Mention>> {
        let filter = MentionFilter {
            watch_id: f.watch_id,
            source_id: f.source_id,
            search: f.search.clone().filter(|s| !s.trim().is_empty()),
            since: f.since,
            until: f.until,
            triage: f.triage,
            lang: f.lang.clone(),
            tonality: f.tonality,
            matched_only: f.watch_id.is_none() && !f.everything,
            any_of_watches: f.watch_ids.clone(),
            before: f.before_published.zip(f.before_id),
            limit: f.limit.unwrap_or(200).clamp(1, 1000),
        };
        self.read(|s| s.mentions(&filter))
    }

    pub fn set_triage(&self, id: i64, triage: Triage) -> AppResult<()> {
        self.db(|s| s.set_triage(id, triage))
    }

    /// Triage for many at once ("mark the ones shown as seen"); returns how many changed.
    pub fn set_triage_many(&self, ids: &[i64], triage: Triage) -> AppResult<usize> {
        if ids.len() > 1000 {
            return Err(AppError::new("invalid", "at most 1,000 mentions at once"));
        }
        self.db(|s| s.set_triage_many(ids, triage))
    }

    /// Level changes and weak signals, newest first.
    /// The alerts centre: level changes and weak signals, newest first, however many other
    /// events (polls, posts, approvals) the log holds since.
    pub fn alerts(&self, limit: usize) -> AppResult<Vec<Event>> {
        let limit = limit.clamp(1, 1000);
        let mut all = self.read(|s| {
            let mut all = s.events(Some("level_changed"), limit)?;
            all.extend(s.events(Some("weak_signal"), limit)?);
            Ok(all)
        })?;
        all.sort_by_key(|e| std::cmp::Reverse(e.id));
        all.truncate(limit);
        Ok(all)
    }

    /// Where the user stands in the alerts centre: the newest alert seen there, and how many
    /// level changes came since (the menu's count, kept across restarts and the window's
    /// release). The first time, everything logged so far counts as seen.
    pub fn alerts_seen(&self) -> AppResult<AlertsSeen> {
        if self.read(seen_mark)?.is_none() {
            self.mark_alerts_seen(i64::MAX)?; // capped at the newest event
        }
        self.read(|s| {
            let seen = seen_mark(s)?.unwrap_or(0);
            Ok(AlertsSeen {
                seen_up_to: seen,
                unseen_level_changes: s.count_events_after("level_changed", seen, 100)?,
            })
        })
    }

    /// The user saw the alerts up to this event. The mark never moves back (two windows,
    /// or an answer arriving late, cannot make seen alerts new again).
    pub fn mark_alerts_seen(&self, up_to: i64) -> AppResult<()> {
        self.db(|s| {
            // Never past the newest event: a wrong number must not silence later alerts.
            let up_to = up_to.min(s.newest_event_id()?);
            if seen_mark(s)?.is_none_or(|seen| up_to > seen) {
                s.set_setting(ALERTS_SEEN, &up_to.to_string())?;
            }
            Ok(())
        })
    }

    /// The saved settings; before any is saved, the UI language follows the system's.
    pub fn settings(&self) -> AppResult<Settings> {
        Ok(self
            .read(|s| s.setting("ui"))?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_else(|| Settings {
                language: match self.signals.config.lang {
                    vigie_signals::Lang::Fr => "fr".into(),
                    vigie_signals::Lang::En => "en".into(),
                },
                ..Settings::default()
            }))
    }

    pub fn save_settings(&self, settings: &Settings) -> AppResult<Settings> {
        if !matches!(settings.language.as_str(), "fr" | "en") {
            return Err(AppError::new("invalid", "language must be fr or en"));
        }
        if !(60..=86_400).contains(&settings.poll_interval_secs) {
            return Err(AppError::new(
                "invalid",
                "the poll interval must be between 1 minute and 1 day",
            ));
        }
        let before = self.settings()?.poll_interval_secs.max(60);
        let (now, after) = (self.now(), settings.poll_interval_secs);
        let json = serde_json::to_string(settings).expect("settings serialise");
        // Sources on the old default follow the new one; sources given their own keep it.
        self.db(|s| {
            s.batch(|s| {
                s.set_setting("ui", &json)?;
                if before != after {
                    s.retime_sources(before, after, now)?;
                }
                Ok(())
            })
        })?;
        Ok(settings.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::MemoryNotifier;
    use crate::SystemClock;
    use vigie_domain::Sensitivity;

    /// A signal pass or a poll's writes hold the store; the screens must still answer.
    #[test]
    fn screens_read_while_the_engine_holds_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(
            dir.path(),
            Arc::new(MemoryNotifier::default()),
            SignalConfig::default(),
            Arc::new(SystemClock),
            FetchConfig::default(),
        )
        .unwrap();
        let w = app
            .save_watch(
                None,
                &NewWatch {
                    name: "Danone".into(),
                    query: "danone".into(),
                    languages: vec![],
                    sensitivity: Sensitivity::Medium,
                    enabled: true,
                    sensitive_words: vec![],
                    thresholds: None,
                },
            )
            .unwrap();
        let engine_busy = app.store.lock().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                let answers = (
                    app.dashboard(),
                    app.dashboard_series("24h"),
                    app.list_mentions(&StreamFilter::default()),
                    app.list_sources(),
                    app.settings(),
                    app.kill_switch(),
                    app.active_profile(),
                );
                tx.send(answers).unwrap();
            });
            let answers = rx.recv_timeout(Duration::from_secs(30));
            drop(engine_busy);
            let (rows, series, mentions, sources, settings, kill, profile) =
                answers.expect("the screens' reads waited for the engine's lock");
            assert_eq!(
                rows.unwrap()[0].watch.id,
                w.id,
                "the writer's commit is seen"
            );
            assert_eq!(series.unwrap()[0].watch_id, w.id);
            assert!(mentions.unwrap().is_empty());
            assert!(sources.unwrap().is_empty());
            assert!(settings.is_ok());
            assert!(!kill.unwrap().on);
            assert!(profile.is_ok());
        });
    }
}
