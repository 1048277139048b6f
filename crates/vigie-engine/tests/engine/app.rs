//! The application facade the desktop shell calls, against nginx and a real store.

use crate::support::*;
use std::sync::Arc;
use vigie_domain::{NewWatch, QueryProblem, Sensitivity, Triage};
use vigie_engine::app::{
    external_url, App, OpmlImport, QueryCheck, Settings, SourceSpec, StreamFilter,
};
use vigie_engine::notify::MemoryNotifier;
use vigie_engine::signals::SignalConfig;
use vigie_engine::Clock;

struct Fixed(i64);
impl Clock for Fixed {
    fn now(&self) -> i64 {
        self.0
    }
}

pub(crate) fn app(dir: &std::path::Path, now: i64) -> App {
    App::open(
        dir,
        Arc::new(MemoryNotifier::default()),
        SignalConfig::default(),
        Arc::new(Fixed(now)),
        fast_fetch(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_shell_facade_end_to_end() {
    let nginx = Nginx::start();
    let dir = tempfile::tempdir().unwrap();
    // The fixture items are dated 2026-11-20 08:00–10:00 UTC; "now" is that evening.
    let now = 1_795_197_600; // 2026-11-20 18:00 UTC
    let app = app(dir.path(), now);
    assert!(app.list_watches().unwrap().is_empty());

    // Query checking for the editor.
    assert_eq!(
        App::check_query("danone OR"),
        QueryCheck::Err {
            ok: false,
            position: 10,
            message: "expected a word, a \"phrase\" or '(' after OR, found the end of the query"
                .into(),
            problem: QueryProblem::ExpectedTerm {
                after: Some("OR".into()),
                found: None
            },
        }
    );
    assert!(matches!(
        App::check_query("danone -bourse"),
        QueryCheck::Ok { ok: true, .. }
    ));

    let w = app
        .save_watch(
            None,
            &NewWatch {
                name: "Danone".into(),
                query: "danone".into(),
                languages: vec![],
                sensitivity: Sensitivity::High,
                enabled: true,
                sensitive_words: vec!["boycott".into()],
                thresholds: None,
            },
        )
        .unwrap();

    // A web page URL: autodiscovery finds its feed.
    let s = app
        .add_source(SourceSpec::Feed {
            url: nginx.url("page.html"),
            title: None,
        })
        .await
        .unwrap();
    assert_eq!(
        s.kind,
        vigie_domain::SourceKind::Feed {
            url: nginx.url("rss2.xml")
        }
    );
    let err = app
        .add_source(SourceSpec::Feed {
            url: nginx.url("rss2.xml"),
            title: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, "duplicate", "{err:?}");
    // What the UI needs to say it in French: a *source*, and which one.
    assert_eq!(
        serde_json::to_value(&err).unwrap(),
        serde_json::json!({"code": "duplicate", "message": err.message, "what": "source", "key": nginx.url("rss2.xml")})
    );
    let err = app
        .add_source(SourceSpec::Feed {
            url: "javascript:alert(1)".into(),
            title: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.what, err.key.as_deref()),
        ("invalid", Some("address"), Some("javascript:alert(1)"))
    );
    let err = app
        .add_source(SourceSpec::MastodonTag {
            instance: nginx.url(""),
            tag: "#".into(),
        })
        .await
        .unwrap_err();
    assert!(err.message.contains("hashtag"), "{err:?}");
    assert_eq!(err.what, Some("hashtag"));

    // Poll through the same engine the app runs.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    app.start(std::time::Duration::from_secs(3600), tx);
    let cycle = rx.recv().await.unwrap().unwrap();
    assert_eq!(cycle.poll.new_mentions, 3, "{cycle:?}");
    assert!(cycle.signals.is_some());

    let rows = app.dashboard().unwrap();
    assert_eq!(rows[0].watch.id, w.id);
    let day = app.dashboard_series("24h").unwrap();
    assert_eq!(
        day.iter().map(|s| s.watch_id).collect::<Vec<_>>(),
        rows.iter().map(|r| r.watch.id).collect::<Vec<_>>(),
        "one series per watch, in the dashboard's order"
    );
    let series = &day.iter().find(|s| s.watch_id == w.id).unwrap().series;
    assert_eq!((series.step, series.volume.len()), (300, 288));
    assert_eq!(
        series.volume.iter().sum::<u32>(),
        2,
        "the two Danone items of the fixture"
    );
    let week = app.dashboard_series("7d").unwrap();
    let week = &week.iter().find(|s| s.watch_id == w.id).unwrap().series;
    assert_eq!(
        (
            week.step,
            week.volume.len(),
            week.volume.iter().sum::<u32>()
        ),
        (3600, 168, 2)
    );
    assert_eq!(app.dashboard_series("1y").unwrap_err().code, "invalid");

    // Mention stream with the UI's camelCase filter.
    let f: StreamFilter =
        serde_json::from_value(serde_json::json!({"watchId": w.id, "limit": 10})).unwrap();
    let ms = app.list_mentions(&f).unwrap();
    assert_eq!(ms.len(), 2);
    // The stream is what a watch matches: the weather item is only there with "everything".
    let f: StreamFilter = serde_json::from_value(serde_json::json!({"search": "meteo"})).unwrap();
    assert_eq!(app.list_mentions(&f).unwrap().len(), 0);
    let f: StreamFilter =
        serde_json::from_value(serde_json::json!({"search": "meteo", "everything": true})).unwrap();
    assert_eq!(app.list_mentions(&f).unwrap().len(), 1);
    let all: StreamFilter = serde_json::from_value(serde_json::json!({})).unwrap();
    assert_eq!(app.list_mentions(&all).unwrap().len(), 2);
    // The level filter: what one of the given watches matches (none given: nothing).
    let f: StreamFilter =
        serde_json::from_value(serde_json::json!({"watchIds": [w.id], "everything": true}))
            .unwrap();
    assert_eq!(app.list_mentions(&f).unwrap().len(), 2);
    let f: StreamFilter = serde_json::from_value(serde_json::json!({"watchIds": []})).unwrap();
    assert!(app.list_mentions(&f).unwrap().is_empty());
    // Pages: one at a time, the next after the last one shown, newest first, no repeats.
    let page = |before: Option<&vigie_domain::Mention>| {
        let mut f = serde_json::json!({"everything": true, "limit": 1});
        if let Some(m) = before {
            f["beforePublished"] = m.published_at.into();
            f["beforeId"] = m.id.into();
        }
        app.list_mentions(&serde_json::from_value(f).unwrap())
            .unwrap()
    };
    let p1 = page(None);
    let p2 = page(p1.last());
    let p3 = page(p2.last());
    let titles: Vec<&str> = [&p1, &p2, &p3]
        .iter()
        .map(|p| p[0].title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Météo : du soleil sur Lyon ce week-end",
            "Boycott : l'appel contre Danone se répand",
            "Rappel de yaourts Danone : l'usine de Rouen à l'arrêt"
        ]
    );
    assert!(page(p3.last()).is_empty());
    // A search without a word: said as data (the UI words it), not only in English.
    let f: StreamFilter = serde_json::from_value(serde_json::json!({"search": "?!"})).unwrap();
    let err = app.list_mentions(&f).unwrap_err();
    assert_eq!((err.code, err.what), ("invalid", Some("search")), "{err:?}");
    // Many at once: the two Danone mentions become seen; already-seen ones are not counted.
    let ids: Vec<i64> = app
        .list_mentions(&all)
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(app.set_triage_many(&ids, Triage::Seen).unwrap(), 2);
    assert_eq!(app.set_triage_many(&ids, Triage::Seen).unwrap(), 0);
    let seen: StreamFilter = serde_json::from_value(serde_json::json!({"triage": "seen"})).unwrap();
    assert_eq!(app.list_mentions(&seen).unwrap().len(), 2);
    app.set_triage_many(&ids, Triage::New).unwrap();
    app.set_triage(ms[0].id, Triage::Flagged).unwrap();
    let f: StreamFilter = serde_json::from_value(serde_json::json!({"triage": "flagged"})).unwrap();
    assert_eq!(app.list_mentions(&f).unwrap()[0].id, ms[0].id);
    assert_eq!(app.preview_query("boycott", 10).unwrap().len(), 1);
    assert_eq!(app.preview_query("(", 10).unwrap_err().code, "invalid");

    // Sources, health, OPML.
    let sources = app.list_sources().unwrap();
    let health = &sources[0].state;
    assert!(
        health.last_success_at.is_some() && health.last_problem.is_none(),
        "{health:?}"
    );
    let checked = app.sources_checked_since(now).unwrap();
    assert_eq!(checked.len(), 1, "the cycle checked the one source");
    assert_eq!(checked[0].source.id, s.id);
    assert!(
        app.sources_checked_since(now + 1).unwrap().is_empty(),
        "nothing was checked after the cycle"
    );
    // Exported as a dated file in the downloads folder, never over an earlier export.
    let downloads = tempfile::tempdir().unwrap();
    let first = app.export_opml_into(downloads.path()).unwrap();
    let second = app.export_opml_into(downloads.path()).unwrap();
    // Dated in the user's time zone (2026-11-20 in UTC; the 21st east of UTC+6).
    let day = chrono::DateTime::from_timestamp(now, 0)
        .unwrap()
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(
        first.file_name().unwrap().to_str().unwrap(),
        format!("vigie-sources-{day}.opml")
    );
    assert_eq!(
        second.file_name().unwrap().to_str().unwrap(),
        format!("vigie-sources-{day} (2).opml")
    );
    let opml = std::fs::read_to_string(&first).unwrap();
    assert!(opml.contains("rss2.xml"));
    assert_eq!(std::fs::read_to_string(&second).unwrap(), opml);
    // A folder that cannot hold it (a file is in the way): said, naming the place.
    let blocked = downloads.path().join("not-a-folder");
    std::fs::write(&blocked, "x").unwrap();
    let err = app.export_opml_into(&blocked).unwrap_err();
    assert_eq!(
        (err.code, err.what),
        ("export_failed", Some("file")),
        "{err}"
    );
    assert!(
        err.key.as_deref().unwrap().contains("not-a-folder"),
        "{err:?}"
    );
    let dir2 = tempfile::tempdir().unwrap();
    let other = self::app(dir2.path(), now);
    let counts = |r: OpmlImport| (r.added, r.already_present, r.skipped.len());
    assert_eq!(counts(other.import_opml(&opml).unwrap()), (1, 0, 0));
    assert_eq!(counts(other.import_opml(&opml).unwrap()), (0, 1, 0));
    // Outlines whose address cannot be polled are skipped, each with why; the rest come in.
    let mixed = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="Folder">
    <outline text="FTP" xmlUrl="ftp://files.example/feed.xml"/>
    <outline text="Empty" xmlUrl=""/>
    <outline text="Secret" xmlUrl="https://ana:hunter2@private.example/feed.xml"/>
    <outline text="Good" xmlUrl="  https://news.example/feed.xml "/>
  </outline>
</body></opml>"#;
    let r = other.import_opml(mixed).unwrap();
    assert_eq!((r.added, r.already_present), (1, 0));
    let skipped: Vec<(&str, &str)> = r
        .skipped
        .iter()
        .map(|f| (f.url.as_str(), f.reason.as_str()))
        .collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(skipped[0].1.contains("only http and https"), "{skipped:?}");
    assert!(skipped[1].1.contains("not a valid address"), "{skipped:?}");
    assert!(
        skipped[2].1.contains("user name or password"),
        "{skipped:?}"
    );
    let urls: Vec<String> = other
        .list_sources()
        .unwrap()
        .into_iter()
        .filter_map(|r| match r.source.kind {
            vigie_domain::SourceKind::Feed { url } => Some(url),
            _ => None,
        })
        .collect();
    assert!(
        urls.contains(&"https://news.example/feed.xml".to_string()),
        "{urls:?}"
    );
    assert!(!urls.iter().any(|u| u.contains("hunter2")), "{urls:?}");
    // An OPML whose outlines name no feed (`xmlurl` is not `xmlUrl`) says so.
    let err = other
        .import_opml(r#"<opml version="2.0"><head/><body><outline text="A" xmlurl="https://a.example/f"/></body></opml>"#)
        .unwrap_err();
    assert!(err.message.contains("no outline has an xmlUrl"), "{err}");
    // Not OPML: said as data for the UI's wording, nothing added.
    let err = other
        .import_opml("<html><body>nope</body></html>")
        .unwrap_err();
    assert_eq!((err.code, err.what), ("invalid", Some("opml")), "{err}");
    assert!(
        err.message.starts_with("this is not a valid OPML file ("),
        "{err}"
    );

    // Settings are validated and persisted.
    // Before anything is saved, the UI language follows the system (SignalConfig::default is French).
    let mut st = app.settings().unwrap();
    assert_eq!(st, Settings::default());
    let english = App::open(
        tempfile::tempdir().unwrap().path(),
        Arc::new(MemoryNotifier::default()),
        SignalConfig {
            lang: vigie_signals::Lang::En,
            ..SignalConfig::default()
        },
        Arc::new(Fixed(now)),
        fast_fetch(),
    )
    .unwrap();
    assert_eq!(english.settings().unwrap().language, "en");
    st.language = "en".into();
    st.poll_interval_secs = 300;
    app.save_settings(&st).unwrap();
    assert_eq!(app.settings().unwrap().language, "en");
    st.poll_interval_secs = 5;
    assert_eq!(app.save_settings(&st).unwrap_err().code, "invalid");

    assert!(app
        .alerts(10)
        .unwrap()
        .iter()
        .all(|e| e.kind == "level_changed" || e.kind == "weak_signal"));
    assert_eq!(
        external_url("https://example.org/a").unwrap(),
        "https://example.org/a"
    );
    assert!(external_url("file:///etc/passwd").is_err());
    app.remove_source(s.id).unwrap();
    app.remove_watch(w.id).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), app.stop())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_bluesky_search_needs_https_and_its_password_goes_with_its_last_source() {
    use vigie_domain::publish::Refusal;
    use vigie_engine::bluesky::Bluesky;
    use vigie_secrets::Sensitive;
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), NOW);
    let handle = format!("{}.test", unique_prefix("alice").trim_end_matches('-'));
    let spec = |service: &str, query: &str, password: Option<&str>| SourceSpec::BlueskySearch {
        service: service.into(),
        handle: handle.clone(),
        query: query.into(),
        app_password: password.map(|p| Sensitive::new(p.to_string())),
    };
    let bsky = Bluesky::default();

    // Plain http to another machine would carry the app password in clear: refused, as data
    // the UI words, and nothing is stored.
    let err = app
        .add_source(spec("http://pds.example", "Danone", Some("pass-word")))
        .await
        .unwrap_err();
    assert_eq!(err.code, "refused");
    assert!(
        matches!(err.refusal.as_deref(), Some(Refusal::InsecureServer { scheme, .. }) if scheme == "http"),
        "{err:?}"
    );
    assert!(app.list_sources().unwrap().is_empty());
    assert!(!bsky
        .has_app_password("http://pds.example", &handle)
        .unwrap());

    // Two searches with one account on this machine (http is allowed to loopback).
    let local = "http://127.0.0.1:9";
    let a = app
        .add_source(spec(local, "Danone", Some("pass-word")))
        .await
        .unwrap();
    let b = app
        .add_source(spec(&format!("{local}/"), "Evian", None))
        .await
        .unwrap();
    assert!(bsky.has_app_password(local, &handle).unwrap());
    app.remove_source(a.id).unwrap();
    assert!(
        bsky.has_app_password(local, &handle).unwrap(),
        "the other search still uses it"
    );
    app.remove_source(b.id).unwrap();
    assert!(!bsky.has_app_password(local, &handle).unwrap());
}

#[tokio::test]
async fn a_new_poll_interval_applies_to_the_sources_on_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), NOW);
    assert_eq!(app.settings().unwrap().poll_interval_secs, 900);
    // Two sources on the default (added by the app), one given its own interval (as the CLI's
    // `source add --interval` does).
    let dead = "http://127.0.0.1:9";
    let a = app
        .add_source(SourceSpec::Feed {
            url: format!("{dead}/a.xml"),
            title: None,
        })
        .await
        .unwrap();
    let b = app
        .add_source(SourceSpec::Feed {
            url: format!("{dead}/b.xml"),
            title: None,
        })
        .await
        .unwrap();
    let failing = app
        .add_source(SourceSpec::Feed {
            url: format!("{dead}/c.xml"),
            title: None,
        })
        .await
        .unwrap();
    let own = {
        let mut s = vigie_store::Store::open_in(dir.path()).unwrap();
        // The third default source is failing: its server asked for two hours' rest.
        s.record_failure(
            failing.id,
            NOW,
            Some(429),
            &vigie_domain::health::Problem::Http {
                status: 429,
                retry_after_secs: Some(7200),
            },
            |_| NOW + 7200,
        )
        .unwrap();
        let own = s
            .add_source(
                "",
                &vigie_domain::SourceKind::Feed {
                    url: format!("{dead}/own.xml"),
                },
                3600,
                NOW,
            )
            .unwrap();
        // Both default sources were checked just now: next checks 900 s and 3,600 s away.
        for (id, next) in [(a.id, NOW + 900), (b.id, NOW + 3600), (own.id, NOW + 3600)] {
            s.record_success(
                id,
                &vigie_store::PollSuccess {
                    checked_at: NOW,
                    next_check_at: next,
                    status: Some(200),
                    etag: None,
                    last_modified: None,
                    cursor: None,
                },
            )
            .unwrap();
        }
        own
    };
    let mut settings = app.settings().unwrap();
    settings.poll_interval_secs = 300;
    app.save_settings(&settings).unwrap();

    let rows = app.list_sources().unwrap();
    let row = |id: i64| rows.iter().find(|r| r.source.id == id).unwrap();
    assert_eq!(row(a.id).source.interval_secs, 300);
    assert_eq!(row(b.id).source.interval_secs, 300);
    assert_eq!(row(own.id).source.interval_secs, 3600, "its own interval");
    // A shorter interval brings the next checks forward; none is pushed back.
    assert_eq!(row(a.id).state.next_check_at, NOW + 300);
    assert_eq!(row(b.id).state.next_check_at, NOW + 300);
    assert_eq!(row(own.id).state.next_check_at, NOW + 3600);
    // A failing source follows the new interval, but keeps the wait its server asked for.
    assert_eq!(row(failing.id).source.interval_secs, 300);
    assert_eq!(row(failing.id).state.next_check_at, NOW + 7200);
    // Saving the same interval again changes nothing.
    app.save_settings(&settings).unwrap();
    assert_eq!(
        app.list_sources()
            .unwrap()
            .iter()
            .map(|r| r.state.next_check_at)
            .collect::<Vec<_>>(),
        rows.iter()
            .map(|r| r.state.next_check_at)
            .collect::<Vec<_>>()
    );

    // Back to a longer interval: it applies from the next check on.
    settings.poll_interval_secs = 1800;
    app.save_settings(&settings).unwrap();
    let rows = app.list_sources().unwrap();
    let row = |id: i64| rows.iter().find(|r| r.source.id == id).unwrap();
    assert_eq!(row(a.id).source.interval_secs, 1800);
    assert_eq!(row(a.id).state.next_check_at, NOW + 300);
    assert_eq!(row(own.id).source.interval_secs, 3600);
}

#[tokio::test]
async fn the_alerts_centre_keeps_level_changes_under_many_other_events() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), NOW);
    let mut s = vigie_store::Store::open_in(dir.path()).unwrap();
    let w = s.add_watch(&watch("Danone", "danone"), NOW).unwrap();
    let event = |at: i64, kind: &'static str| vigie_store::NewEvent {
        at,
        kind,
        watch_id: Some(w.id),
        source_id: None,
        data: serde_json::json!({}),
    };
    s.append_event(&event(NOW, "level_changed")).unwrap();
    s.append_event(&event(NOW + 1, "weak_signal")).unwrap();
    // A busy day since: thousands of other events (sources failing, posts, approvals).
    s.batch(|s| {
        for i in 0..6000 {
            s.append_event(&event(NOW + 2 + i, "source_failing"))?;
        }
        Ok(())
    })
    .unwrap();
    s.append_event(&event(NOW + 9000, "level_changed")).unwrap();
    let kinds = |n: usize| -> Vec<(String, i64)> {
        app.alerts(n)
            .unwrap()
            .into_iter()
            .map(|e| (e.kind, e.at))
            .collect()
    };
    assert_eq!(
        kinds(10),
        [
            ("level_changed".to_string(), NOW + 9000),
            ("weak_signal".to_string(), NOW + 1),
            ("level_changed".to_string(), NOW),
        ]
    );
    assert_eq!(kinds(2).len(), 2);
}

#[tokio::test]
async fn the_alerts_centre_remembers_what_was_seen_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = vigie_store::Store::open_in(dir.path()).unwrap();
    let w = s.add_watch(&watch("Danone", "danone"), NOW).unwrap();
    let mut log = |kind: &'static str| {
        s.append_event(&vigie_store::NewEvent {
            at: NOW,
            kind,
            watch_id: Some(w.id),
            source_id: None,
            data: serde_json::json!({}),
        })
        .unwrap()
    };
    // Logged before the user ever opened the alerts centre: counted as seen.
    let before = log("level_changed");
    let app = app(dir.path(), NOW);
    let first = app.alerts_seen().unwrap();
    assert_eq!((first.seen_up_to, first.unseen_level_changes), (before, 0));
    // While the window is closed: two level changes, a weak signal, a failing source.
    log("level_changed");
    log("weak_signal");
    log("source_failing");
    let newest = log("level_changed");
    assert_eq!(app.alerts_seen().unwrap().unseen_level_changes, 2);
    drop(app);
    // Restarted (or the window rebuilt): the count is still there.
    let app = self::app(dir.path(), NOW);
    assert_eq!(app.alerts_seen().unwrap().unseen_level_changes, 2);
    app.mark_alerts_seen(newest).unwrap();
    // A late answer marking an older alert does not make the newer ones new again.
    app.mark_alerts_seen(before).unwrap();
    let now = app.alerts_seen().unwrap();
    assert_eq!((now.seen_up_to, now.unseen_level_changes), (newest, 0));
}

#[tokio::test]
async fn a_new_or_changed_watch_finds_the_mentions_already_stored() {
    let nginx = Nginx::start();
    let dir = tempfile::tempdir().unwrap();
    let now = 1_795_197_600; // 2026-11-20 18:00 UTC, the fixture items' day
    let app = app(dir.path(), now);
    let danone = app.save_watch(None, &watch("Danone", "danone")).unwrap();
    app.add_source(SourceSpec::Feed {
        url: nginx.url("rss2.xml"),
        title: None,
    })
    .await
    .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    app.start(std::time::Duration::from_secs(3600), tx);
    assert_eq!(rx.recv().await.unwrap().unwrap().poll.new_mentions, 3);
    let titles = |id: i64| -> Vec<String> {
        app.list_mentions(&StreamFilter {
            watch_id: Some(id),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|m| m.title)
        .collect()
    };
    let (rappel, boycott, meteo) = (
        "Rappel de yaourts Danone : l'usine de Rouen à l'arrêt",
        "Boycott : l'appel contre Danone se répand",
        "Météo : du soleil sur Lyon ce week-end",
    );
    assert_eq!(titles(danone.id), [boycott, rappel]);

    // A watch created after the mentions were stored: what the editor previewed is in its
    // stream once saved.
    let query = "meteo OR soleil";
    assert_eq!(app.preview_query(query, 10).unwrap().len(), 1);
    let weather = app.save_watch(None, &watch("Météo", query)).unwrap();
    assert_eq!(titles(weather.id), [meteo]);

    // Its query changes: the old query's matches go, the new one's come.
    let mut edited = watch("Météo", "usine");
    app.save_watch(Some(weather.id), &edited).unwrap();
    assert_eq!(titles(weather.id), [rappel]);

    // Disabled, then its query edited: not matched (ingest skips a disabled watch too); enabled
    // again, it is.
    edited.enabled = false;
    edited.query = "boycott".into();
    app.save_watch(Some(weather.id), &edited).unwrap();
    assert_eq!(titles(weather.id), [rappel]);
    edited.enabled = true;
    app.save_watch(Some(weather.id), &edited).unwrap();
    assert_eq!(titles(weather.id), [boycott]);

    // The other watch's matches are untouched.
    assert_eq!(titles(danone.id), [boycott, rappel]);
    tokio::time::timeout(std::time::Duration::from_secs(5), app.stop())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_paused_source_is_not_checked_and_check_all_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), NOW);
    let dead = "http://127.0.0.1:9";
    let mut ids = Vec::new();
    for name in ["a", "b"] {
        let s = app
            .add_source(SourceSpec::Feed {
                url: format!("{dead}/{name}.xml"),
                title: None,
            })
            .await
            .unwrap();
        ids.push(s.id);
    }
    app.set_source_enabled(ids[1], false).unwrap();
    let rows = app.list_sources().unwrap();
    let enabled = |id: i64| {
        rows.iter()
            .find(|r| r.source.id == id)
            .unwrap()
            .source
            .enabled
    };
    assert!(enabled(ids[0]) && !enabled(ids[1]));
    assert_eq!(app.check_all_sources().unwrap(), 1);
    // A cycle checks the running one only.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    app.start(std::time::Duration::from_secs(3600), tx);
    let cycle = rx.recv().await.unwrap().unwrap();
    assert_eq!(cycle.poll.checked, 1, "{cycle:?}");
    tokio::time::timeout(std::time::Duration::from_secs(5), app.stop())
        .await
        .unwrap();
    // Resumed: due at once.
    app.set_source_enabled(ids[1], true).unwrap();
    let row = app
        .list_sources()
        .unwrap()
        .into_iter()
        .find(|r| r.source.id == ids[1])
        .unwrap();
    assert!(row.source.enabled);
    assert!(row.state.next_check_at <= NOW);
    assert_eq!(app.check_all_sources().unwrap(), 2);
}
