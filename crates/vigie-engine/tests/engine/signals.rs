//! The signal pass on real stored mentions: tonality at ingest, levels with explanations,
//! events, and desktop notifications received by a listener owning
//! org.freedesktop.Notifications on the real session bus.

use crate::support::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use vigie_domain::{Level, NewWatch, Sensitivity, SourceKind};
use vigie_engine::ingest::{prepare, Matcher};
use vigie_engine::normalize::RawEntry;
use vigie_engine::notify::{DesktopNotifier, MemoryNotifier};
use vigie_engine::signals::{update_signals, SignalConfig};
use vigie_signals::Lang;
use vigie_store::Store;

type Received = Arc<Mutex<Vec<(String, String, String, Vec<String>, u8)>>>;

struct Notifications(Received);

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let urgency = hints
            .get("urgency")
            .and_then(|v| u8::try_from(v).ok())
            .unwrap_or(255);
        let mut r = self.0.lock().unwrap();
        r.push((app_name, summary, body, actions, urgency));
        r.len() as u32
    }
    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "actions".into()]
    }
    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "vigie-test-listener".into(),
            "vigie".into(),
            "1.0".into(),
            "1.2".into(),
        )
    }
    fn close_notification(&self, _id: u32) {}
}

pub(crate) const DAY: i64 = 86_400;

pub(crate) fn entry(guid: String, text: &str, author: &str, at: i64) -> RawEntry {
    RawEntry {
        guid: Some(guid),
        title: Some(text.into()),
        body: Some(text.into()),
        author: Some(author.into()),
        published_at: Some(at),
        ..Default::default()
    }
}

/// A store in `dir` with these watches (see [`watch`]) and one feed source: the watches' ids
/// and the source's.
pub(crate) fn store_with(
    dir: &std::path::Path,
    watches: &[(&str, &str)],
) -> (Store, Vec<i64>, i64) {
    let mut store = Store::open_in(dir).unwrap();
    let ids = watches
        .iter()
        .map(|(name, query)| store.add_watch(&watch(name, query), NOW).unwrap().id)
        .collect();
    let source = store
        .add_source(
            "x",
            &SourceKind::Feed {
                url: "http://127.0.0.1:1/y".into(),
            },
            600,
            NOW,
        )
        .unwrap()
        .id;
    (store, ids, source)
}

/// Prepares entries as the poller does (normalise, tonality, match the store's watches) and
/// stores them.
pub(crate) fn ingest_entries(store: &mut Store, source: i64, raw: Vec<RawEntry>, now: i64) {
    let matcher = Matcher::new(
        &store.watches().unwrap(),
        Arc::new(vigie_tonality::Analyzer::new()),
    );
    store
        .ingest(&prepare(source, raw, &matcher, now), now)
        .unwrap();
}

/// Three quiet days (a few neutral French mentions per hour), then a burst of angry ones.
/// Three quiet days before `now`: a calm annual-report item every 20 minutes, from four
/// outlets.
pub(crate) fn quiet_days(now: i64) -> Vec<RawEntry> {
    (0..216)
        .map(|i| {
            entry(
                format!("calm-{i}"),
                &format!("Danone publie son rapport annuel numéro {i}"),
                &format!("media{}", i % 4),
                now - 3 * DAY + i * 1200,
            )
        })
        .collect()
}

fn seed(store: &mut Store, watch: i64, source: i64, now: i64) {
    let matcher = Matcher::new(
        &store.watches().unwrap(),
        Arc::new(vigie_tonality::Analyzer::new()),
    );
    // The quiet days up to an hour before now.
    let mut raw: Vec<RawEntry> = quiet_days(now)
        .into_iter()
        .filter(|e| e.published_at < Some(now - 3600))
        .collect();
    for k in 0..60 {
        raw.push(entry(
            format!("storm-{k}"),
            &format!("Scandale Danone : boycott ! C'est une honte, arnaque totale 😡 ({k})"),
            &format!("angry{k}"),
            now - 1800 + k * 20,
        ));
    }
    let batch = prepare(source, raw, &matcher, now);
    assert!(
        batch.iter().all(|(_, w)| w == &vec![watch]),
        "every mention matches the watch"
    );
    let storm = batch
        .iter()
        .find(|(m, _)| m.guid.as_deref() == Some("storm-1"))
        .unwrap();
    let tone = storm.0.tonality.expect("French tonality");
    assert_eq!(
        (tone.label.as_str(), tone.anger, storm.0.lang.as_deref()),
        ("negative", true, Some("fr"))
    );
    store.ingest(&batch, now).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_raises_the_level_explains_it_and_notifies_once_over_dbus() {
    let now = (NOW / 300) * 300 + 600;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    let watch = store
        .add_watch(
            &NewWatch {
                name: "Danone".into(),
                query: "danone".into(),
                languages: vec![],
                sensitivity: Sensitivity::High,
                enabled: true,
                sensitive_words: vec!["boycott".into(), "rappel produit".into()],
                thresholds: None,
            },
            NOW - 4 * DAY,
        )
        .unwrap();
    let source = store
        .add_source(
            "x",
            &SourceKind::Feed {
                url: "http://127.0.0.1:1/x".into(),
            },
            600,
            NOW,
        )
        .unwrap();
    seed(&mut store, watch.id, source.id, now);
    let cfg = SignalConfig {
        lang: Lang::Fr,
        tz_offset_secs: 0,
        ..SignalConfig::default()
    };
    let store = Arc::new(Mutex::new(store));
    // Our listener owns org.freedesktop.Notifications on the private session bus (so no
    // daemon gets D-Bus-activated instead).
    let received: Received = Arc::default();
    let _conn = zbus::connection::Builder::session()
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at("/org/freedesktop/Notifications", Notifications(Arc::clone(&received)))
        .unwrap()
        .build()
        .await
        .expect("own org.freedesktop.Notifications on the session bus (run inside scripts/with-desktop-session.sh)");

    // 1. Catching up on a burst that is still going on: the level ends at crisis, and the
    //    user is told once, with the explanation.
    let (s, c) = (Arc::clone(&store), cfg.clone());
    let report = tokio::task::spawn_blocking(move || {
        update_signals(&mut s.lock().unwrap(), &DesktopNotifier, now, &c)
    })
    .await
    .unwrap()
    .unwrap();
    let (_, _, to, why) = report.changes.last().cloned().expect("a level change");
    assert_eq!(to, Level::Crisis, "{report:?}");
    assert!(why.contains("mots : boycott"), "{why}");
    assert!(why.contains("messages en colère"), "{why}");
    assert!(why.contains("nouveaux médias ou auteurs"), "{why}");
    assert_eq!(
        (report.notify_error.as_deref(), report.notified),
        (None, 1),
        "{report:?}"
    );
    let first = received.lock().unwrap()[0].clone();
    assert_eq!(first.0, "Vigie");
    assert_eq!(first.1, "Danone : niveau crise");
    assert!(first.2.contains("mots : boycott"), "body: {}", first.2);
    assert!(
        first
            .3
            .iter()
            .any(|a| a == &format!("open-watch:{}", watch.id)),
        "an action to open the watch: {:?}",
        first.3
    );
    assert_eq!(first.4, 2, "critical urgency for a crisis");
    let levels = store.lock().unwrap().levels().unwrap();
    assert_eq!(levels[0].level, Level::Crisis);
    assert!(
        levels[0].explanation_en.contains("words: boycott"),
        "{:?}",
        levels[0]
    );
    let events = store
        .lock()
        .unwrap()
        .events(Some("level_changed"), 10)
        .unwrap();
    // The storm builds up (e.g. calm → watch → alert → crisis): every change goes up, none flaps.
    let tos: Vec<String> = events
        .iter()
        .rev()
        .map(|e| e.data["to"].as_str().unwrap().to_string())
        .collect();
    let ranks: Vec<usize> = tos
        .iter()
        .map(|t| {
            ["calm", "watch", "alert", "crisis"]
                .iter()
                .position(|x| x == t)
                .unwrap()
        })
        .collect();
    assert!(
        ranks.windows(2).all(|w| w[0] < w[1]) && tos.last().map(String::as_str) == Some("crisis"),
        "{tos:?}"
    );
    assert!(events[0].data["explanation_fr"]
        .as_str()
        .unwrap()
        .contains("boycott"));

    // 2. Another watch whose burst happens later: its own notice.
    let later = now + 3600;
    {
        let mut s = store.lock().unwrap();
        let w2 = s
            .add_watch(
                &NewWatch {
                    name: "Evian".into(),
                    query: "evian".into(),
                    languages: vec![],
                    sensitivity: Sensitivity::Medium,
                    enabled: true,
                    sensitive_words: vec!["boycott".into()],
                    thresholds: None,
                },
                NOW,
            )
            .unwrap();
        let matcher = Matcher::new(
            &s.watches().unwrap(),
            Arc::new(vigie_tonality::Analyzer::new()),
        );
        let raw: Vec<RawEntry> = (0..40)
            .map(|k| {
                entry(
                    format!("evian-{k}"),
                    &format!("Evian scandale, boycott immédiat, quelle honte !!! ({k})"),
                    &format!("user{k}"),
                    later - 1500 + k * 30,
                )
            })
            .collect();
        let batch = prepare(source.id, raw, &matcher, later);
        assert!(batch.iter().all(|(_, w)| w.contains(&w2.id)));
        s.ingest(&batch, later).unwrap();
    }
    let (s, c) = (Arc::clone(&store), cfg.clone());
    let report = tokio::task::spawn_blocking(move || {
        update_signals(&mut s.lock().unwrap(), &DesktopNotifier, later, &c)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(report.notify_error, None, "{report:?}");
    assert_eq!(report.notified, 1, "only Evian changed: {report:?}");
    let got = received.lock().unwrap().clone();
    let evian = got
        .iter()
        .find(|n| n.1.starts_with("Evian"))
        .expect("the Evian notice reached the D-Bus service");
    assert_eq!(evian.0, "Vigie");
    assert!(evian.1.contains("niveau"), "summary: {}", evian.1);
    assert!(evian.2.contains("mots : boycott"), "body: {}", evian.2);
    assert!(
        evian.3.iter().any(|a| a.starts_with("open-watch:")),
        "an action to open the watch: {:?}",
        evian.3
    );
    assert!(evian.4 >= 1, "urgency set: {}", evian.4);
    assert!(
        store
            .lock()
            .unwrap()
            .health()
            .unwrap()
            .iter()
            .all(|(k, _, _)| k != "notifications"),
        "no health problem recorded"
    );

    // 3. The next passes in the same episode do not notify again.
    let before = received.lock().unwrap().len();
    for step in 1..=3 {
        let (s, c) = (Arc::clone(&store), cfg.clone());
        let t = later + step * 300;
        tokio::task::spawn_blocking(move || {
            update_signals(&mut s.lock().unwrap(), &DesktopNotifier, t, &c)
        })
        .await
        .unwrap()
        .unwrap();
    }
    assert_eq!(
        received.lock().unwrap().len(),
        before,
        "one notification per episode, not per pass"
    );
}

#[test]
fn calm_history_stays_calm_and_backfill_never_notifies() {
    let now = (NOW / 300) * 300;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _, src) = store_with(dir.path(), &[("Calme", "danone")]);
    let raw: Vec<RawEntry> = (0..(3 * 72))
        .map(|i| {
            entry(
                format!("c{i}"),
                "Danone publie ses résultats",
                "journal",
                now - 3 * DAY + i * 1200,
            )
        })
        .collect();
    ingest_entries(&mut store, src, raw, now);
    let notes = MemoryNotifier::default();
    let r = update_signals(&mut store, &notes, now, &SignalConfig::default()).unwrap();
    assert!(r.buckets > 800, "three days learnt: {r:?}");
    assert_eq!((r.changes.len(), r.weak_signals), (0, 0), "{r:?}");
    assert!(notes.0.lock().unwrap().is_empty());
    assert_eq!(store.levels().unwrap()[0].level, Level::Calm);
    // The state persisted: the next pass settles the two new buckets, then replays the last
    // two hours (24 buckets) for mentions that arrive late.
    let r2 = update_signals(&mut store, &notes, now + 600, &SignalConfig::default()).unwrap();
    assert_eq!(r2.buckets, 2 + 24);
}

#[test]
fn a_storm_that_arrives_late_still_raises_the_level_once() {
    let now = (NOW / 300) * 300;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, ids, src) = store_with(dir.path(), &[("Danone", "danone")]);
    let matcher = Matcher::new(
        &store.watches().unwrap(),
        Arc::new(vigie_tonality::Analyzer::new()),
    );
    // Three quiet days, seen by a first pass: calm, and the last buckets processed.
    let calm = quiet_days(now);
    store
        .ingest(&prepare(src, calm, &matcher, now), now)
        .unwrap();
    let notes = MemoryNotifier::default();
    update_signals(&mut store, &notes, now, &SignalConfig::default()).unwrap();
    assert_eq!(store.levels().unwrap()[0].level, Level::Calm);

    // The storm happened 40 to 10 minutes ago, but a feed polled every 15 minutes (or an
    // alert indexed late) brings it only now: its buckets were processed, empty, already.
    let storm: Vec<RawEntry> = (0..60)
        .map(|k| {
            entry(
                format!("storm-{k}"),
                &format!("Scandale Danone : boycott ! C'est une honte, arnaque totale 😡 ({k})"),
                &format!("angry{k}"),
                now - 2400 + k * 30,
            )
        })
        .collect();
    store
        .ingest(&prepare(src, storm, &matcher, now + 60), now + 60)
        .unwrap();
    let r = update_signals(&mut store, &notes, now + 60, &SignalConfig::default()).unwrap();
    assert_eq!(r.changes.len(), 1, "{r:?}");
    assert!(store.levels().unwrap()[0].level > Level::Calm);
    assert_eq!(notes.0.lock().unwrap().len(), 1);
    let logged = |s: &Store, kind: &str| s.events(Some(kind), 1000).unwrap().len();
    assert_eq!(logged(&store, "level_changed"), 1);
    let weak = logged(&store, "weak_signal");
    assert!(weak > 0);

    // Later passes replay the same window: nothing is logged or notified twice, also when
    // the storm's buckets settle several at a time (a pass four hours later: three steps
    // down of an hour each, after the storm's last half hour has held it).
    for later in [now + 60, now + 120, now + 400, now + 900, now + 4 * 3600] {
        let r = update_signals(&mut store, &notes, later, &SignalConfig::default()).unwrap();
        assert!(
            r.changes.iter().all(|c| c.2 < c.1),
            "only a calming down may follow: {r:?}"
        );
    }
    assert_eq!(logged(&store, "weak_signal"), weak);
    let changes = store.events(Some("level_changed"), 100).unwrap();
    assert_eq!(
        changes
            .iter()
            .filter(|e| e.data["to"] != serde_json::json!("calm"))
            .count(),
        1,
        "{changes:?}"
    );
    assert!(notes.0.lock().unwrap().len() <= 2);
    assert_eq!(ids.len(), 1);
}

#[test]
fn a_quiet_watch_learns_its_quiet_and_a_corrected_query_closes_its_episode() {
    let now = (NOW / 300) * 300;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, ids, src) = store_with(dir.path(), &[("Danone", "danone")]);
    let notes = MemoryNotifier::default();
    // No mention yet: the quiet buckets settle pass after pass (the baseline learns zeros).
    update_signals(&mut store, &notes, now, &SignalConfig::default()).unwrap();
    let settled = |s: &Store| -> i64 {
        let v: serde_json::Value =
            serde_json::from_str(&s.signal_state(ids[0]).unwrap().unwrap()).unwrap();
        v["signals"]["last_bucket"]
            .as_i64()
            .expect("settled buckets")
    };
    let first = settled(&store);
    update_signals(&mut store, &notes, now + 3600, &SignalConfig::default()).unwrap();
    assert_eq!(settled(&store), first + 3600);
    // A second pass in the same bucket with nothing new does nothing.
    let r = update_signals(&mut store, &notes, now + 3610, &SignalConfig::default()).unwrap();
    assert_eq!((r.watches, r.buckets), (0, 0), "{r:?}");

    // A storm (a homonym, say) raises the level…
    seed(&mut store, ids[0], src, now + 3600);
    update_signals(&mut store, &notes, now + 3660, &SignalConfig::default()).unwrap();
    assert!(store.levels().unwrap()[0].level > Level::Calm);
    // …the query is corrected: its matches go, and the level shown goes back to calm with an
    // event saying so (the replay itself never changed level).
    let reader = store.reader().unwrap();
    vigie_engine::ingest::save_and_match_watch(
        &mut store,
        &reader,
        Some(ids[0]),
        &watch("Danone", "evian"),
        Arc::new(vigie_tonality::Analyzer::new()),
        now + 3660,
    )
    .unwrap();
    let r = update_signals(&mut store, &notes, now + 3720, &SignalConfig::default()).unwrap();
    assert_eq!(store.levels().unwrap()[0].level, Level::Calm, "{r:?}");
    assert_eq!(r.changes.len(), 1, "{r:?}");
    let last = &store.events(Some("level_changed"), 1).unwrap()[0];
    assert_eq!(last.data["to"], serde_json::json!("calm"));
    // The move down says so (it used to have an empty explanation).
    assert_eq!(
        last.data["explanation_fr"],
        "Les signaux retombent : plus rien d'inhabituel dans le volume ni la tonalité"
    );
    assert_eq!(
        last.data["explanation_en"],
        "Signals have eased: nothing unusual in volume or tonality"
    );
}

#[test]
fn a_level_held_while_signals_ease_says_so() {
    let now = (NOW / 300) * 300;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, ids, src) = store_with(dir.path(), &[("Danone", "danone")]);
    let notes = MemoryNotifier::default();
    seed(&mut store, ids[0], src, now);
    update_signals(&mut store, &notes, now + 60, &SignalConfig::default()).unwrap();
    let rising = store.levels().unwrap().remove(0);
    assert!(rising.level > Level::Calm, "{rising:?}");
    assert!(!rising.explanation_en.contains("held"), "{rising:?}");
    // Half an hour without a mention: still above calm (a level comes down one step per
    // hour of calm by default), and the explanation says it is held, not still rising.
    update_signals(&mut store, &notes, now + 1800, &SignalConfig::default()).unwrap();
    let held = store.levels().unwrap().remove(0);
    assert_eq!(held.level, rising.level, "{held:?}");
    assert!(
        held.explanation_en
            .starts_with("Level held: signals are easing; it steps down after "),
        "{held:?}"
    );
    assert!(
        held.explanation_fr
            .starts_with("Niveau maintenu : les signaux retombent"),
        "{held:?}"
    );
}

/// Tells nothing to anyone: removes a watch through another connection instead, as
/// `vigie watch rm` in another process would while the app's signal pass runs.
struct RemovesAWatch {
    dir: std::path::PathBuf,
    watch: i64,
    told: Mutex<Vec<vigie_engine::notify::Notice>>,
}

impl vigie_engine::notify::Notifier for RemovesAWatch {
    fn notify(
        &self,
        notice: &vigie_engine::notify::Notice,
    ) -> Result<(), vigie_engine::notify::NotifyError> {
        Store::open_in(&self.dir)
            .unwrap()
            .remove_watch(self.watch)
            .unwrap();
        self.told.lock().unwrap().push(notice.clone());
        Ok(())
    }
}

#[test]
fn notification_preferences_are_honoured_and_the_level_still_rises() {
    let now = (NOW / 300) * 300;
    // (notify_levels, notify_weak_signals) as the settings screen saves them.
    for (levels, weak, told) in [(false, false, 0), (false, true, 0), (true, false, 1)] {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, ids, src) = store_with(dir.path(), &[("Danone", "danone")]);
        store
            .set_setting(
                "ui",
                &serde_json::json!({"notify_levels": levels, "notify_weak_signals": weak})
                    .to_string(),
            )
            .unwrap();
        seed(&mut store, ids[0], src, now);
        let notes = MemoryNotifier::default();
        let r = update_signals(&mut store, &notes, now, &SignalConfig::default()).unwrap();
        let prefs = format!("levels {levels}, weak signals {weak}");
        assert!(!r.changes.is_empty(), "{prefs}: {r:?}");
        assert!(store.levels().unwrap()[0].level > Level::Calm, "{prefs}");
        assert_eq!(notes.0.lock().unwrap().len(), told, "{prefs}: {r:?}");
        assert_eq!(r.notified, told, "{prefs}");
    }
}

#[test]
fn a_watch_created_after_a_storm_was_stored_finds_it_and_edits_repeat_no_episode() {
    use vigie_engine::ingest::save_and_match_watch;
    let now = (NOW / 300) * 300;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, ids, src) = store_with(dir.path(), &[("Danone", "danone")]);
    seed(&mut store, ids[0], src, now);
    let notes = MemoryNotifier::default();
    update_signals(&mut store, &notes, now, &SignalConfig::default()).unwrap();
    assert!(store.levels().unwrap()[0].level > Level::Calm);
    assert_eq!(notes.0.lock().unwrap().len(), 1);
    let tonality = Arc::new(vigie_tonality::Analyzer::new());
    let reader = store.reader().unwrap();
    let seeded = store.mention_count().unwrap() as usize;

    // A second watch on the same storm, created once it is stored: it finds every mention of
    // the last 14 days, and its level is computed from them (and notified once).
    let (scandale, matched) = save_and_match_watch(
        &mut store,
        &reader,
        None,
        &watch("Scandale", "danone"),
        Arc::clone(&tonality),
        now,
    )
    .unwrap();
    assert_eq!(matched, Some(seeded));
    update_signals(&mut store, &notes, now + 300, &SignalConfig::default()).unwrap();
    let level = |s: &Store, id: i64| {
        s.levels()
            .unwrap()
            .into_iter()
            .find(|l| l.watch_id == id)
            .unwrap()
            .level
    };
    assert!(level(&store, scandale.id) > Level::Calm);
    assert_eq!(notes.0.lock().unwrap().len(), 2);

    // Its query corrected (a typo): matched again, but its episode is neither logged nor
    // notified a second time.
    let events = |s: &Store| s.events(Some("level_changed"), 1000).unwrap().len();
    let logged = events(&store);
    let mut w = watch("Scandale", "danone OR dannone");
    let (_, matched) = save_and_match_watch(
        &mut store,
        &reader,
        Some(scandale.id),
        &w,
        Arc::clone(&tonality),
        now + 300,
    )
    .unwrap();
    assert_eq!(matched, Some(seeded));
    update_signals(&mut store, &notes, now + 600, &SignalConfig::default()).unwrap();
    assert_eq!(events(&store), logged);
    assert_eq!(notes.0.lock().unwrap().len(), 2);

    // A query that matches nothing now: the last 14 days' matches go…
    w.query = "evian".into();
    let (_, matched) = save_and_match_watch(
        &mut store,
        &reader,
        Some(scandale.id),
        &w,
        Arc::clone(&tonality),
        now + 600,
    )
    .unwrap();
    assert_eq!(matched, Some(0));
    let count = |s: &Store, id: i64| {
        s.mentions(&vigie_store::MentionFilter {
            watch_id: Some(id),
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .len()
    };
    assert_eq!(count(&store, scandale.id), 0);
    // …but matches older than 14 days are history, left as they were: 15 days on, the
    // query back to "danone" finds nothing new to match, and clears nothing.
    w.query = "danone".into();
    let (_, matched) = save_and_match_watch(
        &mut store,
        &reader,
        Some(scandale.id),
        &w,
        Arc::clone(&tonality),
        now,
    )
    .unwrap();
    assert_eq!(matched, Some(seeded));
    w.query = "evian".into();
    let later = now + 15 * DAY;
    let (_, matched) = save_and_match_watch(
        &mut store,
        &reader,
        Some(scandale.id),
        &w,
        Arc::clone(&tonality),
        later,
    )
    .unwrap();
    assert_eq!(matched, Some(0));
    assert_eq!(count(&store, scandale.id), seeded, "older matches are kept");
    // A change that leaves the matches as they were (a new sensitivity) matches nothing again.
    w.sensitivity = Sensitivity::Low;
    let (_, matched) =
        save_and_match_watch(&mut store, &reader, Some(scandale.id), &w, tonality, later).unwrap();
    assert_eq!(matched, None);
    // The first watch was never touched.
    assert_eq!(count(&store, ids[0]), seeded);
}

#[test]
fn a_watch_removed_by_another_process_during_the_pass_is_skipped() {
    let now = (NOW / 300) * 300;
    let dir = tempfile::tempdir().unwrap();
    // Watches are taken in name order: "Danone" (its burst notifies), then "Evian".
    let (mut store, ids, src) = store_with(dir.path(), &[("Danone", "danone"), ("Evian", "evian")]);
    let (danone, evian) = (ids[0], ids[1]);
    seed(&mut store, danone, src, now);
    let notifier = RemovesAWatch {
        dir: dir.path().to_path_buf(),
        watch: evian,
        told: Mutex::default(),
    };
    let r = update_signals(&mut store, &notifier, now, &SignalConfig::default())
        .expect("the pass goes on without the removed watch");
    assert_eq!(notifier.told.lock().unwrap().len(), 1, "{r:?}");
    let levels = store.levels().unwrap();
    assert_eq!(levels.len(), 1, "{levels:?}");
    assert_eq!(levels[0].watch_id, danone);
    assert!(levels[0].level > Level::Calm, "{levels:?}");
}

#[test]
fn one_signal_pass_at_a_time_per_data_folder() {
    let now = (NOW / 300) * 300;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, ids, src) = store_with(dir.path(), &[("Danone", "danone")]);
    let danone = ids[0];
    seed(&mut store, danone, src, now);
    // Another process (`vigie poll` beside the app) is running its pass: it holds the lock.
    let other = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.path().join("signals.lock"))
        .unwrap();
    other.try_lock().unwrap();
    let notes = MemoryNotifier::default();
    let r = update_signals(&mut store, &notes, now, &SignalConfig::default()).unwrap();
    assert!(r.elsewhere, "{r:?}");
    assert_eq!((r.buckets, r.changes.len()), (0, 0), "{r:?}");
    assert!(notes.0.lock().unwrap().is_empty());
    assert!(
        store.signal_state(danone).unwrap().is_none(),
        "nothing saved: the other pass saves it once"
    );
    // Once it is done, this process's next pass does the work, once.
    drop(other);
    let r = update_signals(&mut store, &notes, now, &SignalConfig::default()).unwrap();
    assert!(!r.elsewhere && r.buckets > 0, "{r:?}");
    assert_eq!(notes.0.lock().unwrap().len(), 1);
}

#[test]
fn a_backtest_replays_at_most_ninety_days_whatever_the_oldest_mention() {
    let now = (NOW / 300) * 300;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, ids, src) = store_with(dir.path(), &[("Danone", "danone")]);
    // A feed dated one item 1980 (it happens: a default date).
    let raw = vec![
        entry("old".into(), "Danone en 1980", "archives", 315_532_800),
        entry("new".into(), "Danone aujourd'hui", "journal", now - 600),
    ];
    ingest_entries(&mut store, src, raw, now);
    let w = store.watch(ids[0]).unwrap();
    let steps = vigie_engine::signals::backtest(&store, &w, now).unwrap();
    let max = (vigie_engine::signals::BACKTEST_MAX_SECS / 300) as usize;
    assert!(
        steps.len() <= max && steps.len() > max - 2,
        "{} steps",
        steps.len()
    );
}
