//! No D-Bus session at all: the signal pass logs it once in the app's health, keeps
//! running, and the level is still computed. (Its own test binary: it changes the
//! process environment before anything touches D-Bus.)

use std::sync::Arc;
use vigie_domain::{Level, NewWatch, Sensitivity, SourceKind};
use vigie_engine::ingest::{prepare, Matcher};
use vigie_engine::normalize::RawEntry;
use vigie_engine::notify::DesktopNotifier;
use vigie_engine::signals::{update_signals, SignalConfig};
use vigie_store::Store;

#[test]
fn without_a_session_bus_the_pass_goes_on_and_says_why() {
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/vigie-test-bus",
    );
    let now: i64 = 1_795_000_200;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    store
        .add_watch(
            &NewWatch {
                name: "Danone".into(),
                query: "danone".into(),
                languages: vec![],
                sensitivity: Sensitivity::High,
                enabled: true,
                sensitive_words: vec!["boycott".into()],
                thresholds: None,
            },
            now,
        )
        .unwrap();
    let src = store
        .add_source(
            "x",
            &SourceKind::Feed {
                url: "http://127.0.0.1:1/x".into(),
            },
            600,
            now,
        )
        .unwrap();
    let matcher = Matcher::new(
        &store.watches().unwrap(),
        Arc::new(vigie_tonality::Analyzer::new()),
    );
    let raw: Vec<RawEntry> = (0..40)
        .map(|k| RawEntry {
            guid: Some(format!("g{k}")),
            title: Some(format!("Danone scandale, boycott, quelle honte !!! {k}")),
            author: Some(format!("user{k}")),
            published_at: Some(now - 1200 + k * 20),
            ..Default::default()
        })
        .collect();
    store
        .ingest(&prepare(src.id, raw, &matcher, now), now)
        .unwrap();
    let report =
        update_signals(&mut store, &DesktopNotifier, now, &SignalConfig::default()).unwrap();
    assert!(
        report.changes.iter().any(|c| c.2 > Level::Calm),
        "{report:?}"
    );
    let err = report.notify_error.expect("no bus → a clear error");
    assert!(
        err.contains("desktop notifications are not available") && err.contains("keeps listening"),
        "{err}"
    );
    let health = store.health().unwrap();
    assert!(
        health
            .iter()
            .any(|(k, v, _)| k == "notifications" && v.contains("not available")),
        "{health:?}"
    );
    assert!(store.levels().unwrap()[0].level > Level::Calm);
    // More failures later: recorded in the health, not reported (logged) again.
    let more: Vec<RawEntry> = (0..40)
        .map(|k| RawEntry {
            guid: Some(format!("h{k}")),
            title: Some(format!("Danone : merci, tout est rentré dans l'ordre {k}")),
            author: Some(format!("other{k}")),
            published_at: Some(now + 3 * 3600 + k * 20),
            ..Default::default()
        })
        .collect();
    store
        .ingest(
            &prepare(src.id, more, &matcher, now + 4 * 3600),
            now + 4 * 3600,
        )
        .unwrap();
    let again = update_signals(
        &mut store,
        &DesktopNotifier,
        now + 4 * 3600,
        &SignalConfig::default(),
    )
    .unwrap();
    assert_eq!(again.notify_error, None, "logged once: {again:?}");
    assert!(
        store
            .health()
            .unwrap()
            .iter()
            .any(|(k, _, at)| k == "notifications" && *at == now + 4 * 3600),
        "health updated"
    );
}
