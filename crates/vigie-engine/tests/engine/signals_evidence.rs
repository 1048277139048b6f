//! What counts toward a watch's level, on real stored mentions: praise stops at vigilance,
//! a sensitive word ending in `*` finds its forms. The signal pass itself, levels over time
//! and notifications: signals.rs.

use crate::signals::{entry, ingest_entries, quiet_days, store_with};
use crate::support::*;
use std::sync::Arc;
use vigie_domain::Level;
use vigie_engine::ingest::{prepare, Matcher};
use vigie_engine::normalize::RawEntry;
use vigie_engine::notify::MemoryNotifier;
use vigie_engine::signals::{update_signals, SignalConfig};

#[test]
fn a_sensitive_word_ending_in_a_star_finds_its_forms_and_hashtags() {
    let now = (NOW / 300) * 300;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, ids, src) = store_with(dir.path(), &[("Danone", "danone")]);
    let raw = vec![
        entry(
            "a".into(),
            "On boycotte Danone dès demain",
            "ana",
            now - 900,
        ),
        entry(
            "b".into(),
            "#BoycottDanone partout ce soir",
            "bob",
            now - 600,
        ),
        entry("c".into(), "Danone, un rapport scandaleux", "cy", now - 300),
    ];
    ingest_entries(&mut store, src, raw, now);
    let words_seen = |sensitive: &[&str]| -> Vec<String> {
        let mut w = store.watch(ids[0]).unwrap();
        w.sensitive_words = sensitive.iter().map(|s| s.to_string()).collect();
        let mut seen: Vec<String> = vigie_engine::signals::backtest(&store, &w, now)
            .unwrap()
            .into_iter()
            .flat_map(|s| s.evidence.sensitive_words)
            .collect();
        seen.sort();
        seen.dedup();
        seen
    };
    // "scandale" appears in none of them; "boycott" only as a part of #BoycottDanone (a
    // camel-case hashtag matches by its parts), not as "boycotte".
    assert!(words_seen(&["scandale"]).is_empty());
    assert_eq!(words_seen(&["boycott"]), vec!["boycott"]);
    assert_eq!(
        words_seen(&["boycott*", "scandal*"]),
        vec!["boycott*", "scandal*"]
    );
}

#[test]
fn a_launch_praised_everywhere_is_worth_watching_not_an_alert() {
    let now = (NOW / 300) * 300;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _, src) = store_with(dir.path(), &[("Danone", "danone")]);
    let mut raw: Vec<RawEntry> = quiet_days(now);
    // The launch: 60 delighted posts from new voices in half an hour.
    raw.extend((0..60).map(|k| {
        entry(
            format!("launch-{k}"),
            &format!("J'adore le nouveau yaourt Danone, délicieux, bravo, génial ! ({k})"),
            &format!("fan{k}"),
            now - 1800 + k * 30,
        )
    }));
    let matcher = Matcher::new(
        &store.watches().unwrap(),
        Arc::new(vigie_tonality::Analyzer::new()),
    );
    let batch = prepare(src, raw, &matcher, now);
    let praised = batch
        .iter()
        .filter(|(m, _)| m.guid.as_deref().is_some_and(|g| g.starts_with("launch-")))
        .filter(|(m, _)| {
            m.tonality
                .as_ref()
                .is_some_and(|t| t.label.as_str() == "positive")
        })
        .count();
    assert_eq!(praised, 60, "the praise reads as praise");
    store.ingest(&batch, now).unwrap();
    let notes = MemoryNotifier::default();
    let r = update_signals(&mut store, &notes, now, &SignalConfig::default()).unwrap();
    assert!(r.weak_signals > 0, "the surge is seen: {r:?}");
    assert_eq!(store.levels().unwrap()[0].level, Level::Watch, "{r:?}");
    let changes = store.events(Some("level_changed"), 10).unwrap();
    let why = changes[0].data.to_string();
    assert!(why.contains("messages positifs"), "{why}");
}
