//! `vigie source …`, `poll` and `mentions` end to end: nginx serving the fixture feeds,
//! OPML in and out.

mod support;

use support::{fails, json, ok, vigie};
use vigie_testkit::{fixtures, Nginx};

#[test]
fn sources_poll_and_mentions_with_filters() {
    let nginx = Nginx::start();
    let d = tempfile::tempdir().unwrap();
    ok(d.path(), &["watch", "add", "Danone", "-q", "danone"]);
    ok(d.path(), &["source", "add", &nginx.url("rss2.xml")]);
    ok(
        d.path(),
        &[
            "source",
            "add",
            &nginx.url("gone.xml"),
            "--title",
            "Dead feed",
        ],
    );
    let err = fails(d.path(), &["source", "add", &nginx.url("rss2.xml")]);
    assert!(err.contains("already exists"), "{err}");
    // `source check` checks that source only, though the other one is due too.
    let checked = json(d.path(), &["source", "check", "1"]);
    assert_eq!(
        (
            checked["checked"].as_i64(),
            checked["new_mentions"].as_i64()
        ),
        (Some(1), Some(3)),
        "{checked}"
    );
    assert!(ok(d.path(), &["source", "list"]).contains("not checked yet"));
    let err = fails(d.path(), &["source", "add", "file:///etc/passwd"]);
    assert!(err.contains("only http and https"), "{err}");
    // A poll with a dead source still reports what it did, and exits 2 so a cron job notices.
    let o = vigie(d.path(), &["--json", "poll", "--once"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("1 of 1 sources failed"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let report = report["poll"].clone();
    assert_eq!(
        (
            report["checked"].as_i64(),
            report["new_mentions"].as_i64(),
            report["failed"].as_i64()
        ),
        (Some(1), Some(0), Some(1))
    );
    let list = ok(d.path(), &["source", "list"]);
    assert!(
        list.contains("Le Journal de Lyon") && list.contains("410 Gone"),
        "{list}"
    );
    let danone = json(d.path(), &["mentions", "--watch", "Danone"]);
    assert_eq!(danone.as_array().unwrap().len(), 2);
    let found = json(d.path(), &["mentions", "--search", "societe"]);
    assert_eq!(
        found.as_array().unwrap().len(),
        1,
        "accent-insensitive full-text search"
    );
    // The search speaks the watch query language: OR, NOT, phrases.
    let count = |q: &str| {
        json(d.path(), &["mentions", "--search", q])
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count("boycott OR météo"), 2);
    assert_eq!(count("danone -boycott"), 1);
    assert_eq!(count("\"l'usine de Rouen\""), 1);
    let err = fails(d.path(), &["mentions", "--search", "danone OR"]);
    assert!(err.contains("position 10"), "{err}");
    let recent = json(d.path(), &["mentions", "--since", "2026-11-20T09:00:00Z"]);
    assert_eq!(recent.as_array().unwrap().len(), 2);
    let err = fails(d.path(), &["mentions", "--since", "yesterday"]);
    assert!(err.contains("cannot read --since"), "{err}");
    // check: the dead feed fails loudly.
    let err = fails(d.path(), &["source", "check", "Dead feed"]);
    assert!(err.contains("410 Gone"), "{err}");
    ok(d.path(), &["source", "rm", "Dead feed"]);
    assert_eq!(
        json(d.path(), &["source", "list"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn opml_in_latin1_is_read_in_its_own_encoding() {
    let d = tempfile::tempdir().unwrap();
    let opml = d.path().join("latin1.opml");
    let text = r#"<?xml version="1.0" encoding="ISO-8859-1"?><opml version="2.0"><head><title>x</title></head><body>
        <outline text="Société Générale" type="rss" xmlUrl="http://127.0.0.1:1/sg.xml"/></body></opml>"#;
    // Each character as one byte: ISO-8859-1, not UTF-8.
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    assert!(std::str::from_utf8(&bytes).is_err());
    std::fs::write(&opml, bytes).unwrap();
    let r = json(d.path(), &["source", "import-opml", opml.to_str().unwrap()]);
    assert_eq!(r["added"].as_i64(), Some(1), "{r}");
    let list = json(d.path(), &["source", "list"]);
    assert_eq!(list[0]["source"]["title"], "Société Générale");
}

#[test]
fn a_web_page_becomes_the_feed_it_announces_and_bad_additions_are_refused() {
    let nginx = Nginx::start();
    let d = tempfile::tempdir().unwrap();
    let added = json(d.path(), &["source", "add", &nginx.url("page.html")]);
    assert_eq!(
        added["kind"]["url"].as_str(),
        Some(nginx.url("rss2.xml").as_str()),
        "{added}"
    );
    let err = fails(
        d.path(),
        &["source", "add", &nginx.url("rss091.xml"), "--interval", "1"],
    );
    assert!(err.contains("at least 60"), "{err}");
    let err = fails(
        d.path(),
        &[
            "source",
            "add",
            "https://ana:hunter2@private.example/feed.xml",
        ],
    );
    assert!(err.contains("user name or password"), "{err}");
    let err = fails(
        d.path(),
        &[
            "source",
            "add",
            "--mastodon",
            "https://social.example",
            "--tag",
            "#",
        ],
    );
    assert!(err.contains("hashtag"), "{err}");
    let sources = json(d.path(), &["source", "list"]);
    assert_eq!(sources.as_array().unwrap().len(), 1, "{sources}");
}

#[test]
fn opml_import_and_export_round_trip() {
    let d = tempfile::tempdir().unwrap();
    let opml = d.path().join("in.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
        <outline text="Presse"><outline text="Le Monde" type="rss" xmlUrl="http://127.0.0.1:1/a.xml"/>
        <outline text="Alerts" type="rss" xmlUrl="http://127.0.0.1:1/b.xml?x=1&amp;y=2"/></outline></body></opml>"#,
    )
    .unwrap();
    let r = json(d.path(), &["source", "import-opml", opml.to_str().unwrap()]);
    assert_eq!(
        (r["added"].as_i64(), r["already_present"].as_i64()),
        (Some(2), Some(0))
    );
    let r = json(d.path(), &["source", "import-opml", opml.to_str().unwrap()]);
    assert_eq!(r["already_present"].as_i64(), Some(2));
    let out = d.path().join("out.opml");
    ok(d.path(), &["source", "export-opml", out.to_str().unwrap()]);
    let d2 = tempfile::tempdir().unwrap();
    let r = json(d2.path(), &["source", "import-opml", out.to_str().unwrap()]);
    assert_eq!(r["added"].as_i64(), Some(2));
    let urls: Vec<String> = json(d2.path(), &["source", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"]["kind"]["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        urls,
        vec![
            "http://127.0.0.1:1/a.xml",
            "http://127.0.0.1:1/b.xml?x=1&y=2"
        ]
    );
    let err = fails(
        d.path(),
        &[
            "source",
            "import-opml",
            fixtures().join("page.html").to_str().unwrap(),
        ],
    );
    assert!(err.contains("not a valid OPML"), "{err}");
}
