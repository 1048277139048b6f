//! Feeds through nginx: formats, conditional GET, statuses, bad input.

use crate::support::*;
use std::io::Write;
use vigie_domain::SourceKind;
use vigie_store::MentionFilter;

fn add_feed(p: &vigie_engine::Poller, url: &str) -> i64 {
    with_store(p, |s| {
        s.add_source("", &SourceKind::Feed { url: url.into() }, 600, NOW)
            .unwrap()
            .id
    })
}

fn add_watch(p: &vigie_engine::Poller, name: &str, q: &str) -> i64 {
    with_store(p, |s| s.add_watch(&watch(name, q), NOW).unwrap().id)
}

fn count(p: &vigie_engine::Poller) -> i64 {
    with_store(p, |s| s.mention_count().unwrap())
}

fn state(p: &vigie_engine::Poller, id: i64) -> vigie_domain::PollState {
    with_store(p, |s| s.source(id).unwrap().1)
}

#[tokio::test]
async fn every_feed_format_is_read_normalised_matched_and_deduplicated() {
    let nginx = Nginx::start();
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let w = add_watch(&p, "Danone", "danone");
    for f in ["rss2.xml", "atom.xml", "feed.json", "rdf.xml", "rss091.xml"] {
        add_feed(&p, &nginx.url(f));
    }
    let r = p.poll_once(NOW).await.unwrap();
    assert_eq!(r.errors, vec![], "no source should fail");
    // rss2: 3, atom: 2 (one has the same link as an rss2 item → duplicate), json: 2, rdf: 1, 0.91: 1
    assert_eq!((r.new_mentions, r.duplicates), (8, 1), "{r:?}");
    let matched = with_store(&p, |s| {
        s.mentions(&MentionFilter {
            watch_id: Some(w),
            limit: 100,
            ..Default::default()
        })
        .unwrap()
    });
    assert_eq!(
        matched.len(),
        6,
        "mentions of danone: {:?}",
        matched.iter().map(|m| &m.title).collect::<Vec<_>>()
    );
    let rappel = matched
        .iter()
        .find(|m| m.guid.as_deref() == Some("jdl-1001"))
        .unwrap();
    assert_eq!(
        rappel.text, "La société a lancé un rappel.",
        "markup removed, script dropped"
    );
    assert!(!rappel.html.as_deref().unwrap().contains("script"));
    assert_eq!(rappel.lang.as_deref(), Some("fr"));
    // Google Alerts redirect unwrapped into the canonical URL, so a real URL is stored.
    let alert = matched
        .iter()
        .find(|m| m.title.contains("recalls"))
        .unwrap();
    assert_eq!(alert.title, "Danone recalls yoghurts in the UK");
    // JSON Feed author.
    assert!(matched
        .iter()
        .any(|m| m.author.as_deref() == Some("Camille")));
    // Titles from the feeds name the untitled sources.
    let titles: Vec<String> = with_store(&p, |s| {
        s.sources()
            .unwrap()
            .into_iter()
            .map(|(s, _)| s.title)
            .collect()
    });
    assert!(
        titles.contains(&"Le Journal de Lyon".to_string()),
        "{titles:?}"
    );
}

#[tokio::test]
async fn etag_and_last_modified_give_304_and_gzip_is_decoded() {
    let nginx = Nginx::start();
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let with_etag = add_feed(&p, &nginx.url("rss2.xml"));
    let lm_only = add_feed(&p, &nginx.url("lm/rss2.xml"));
    let first = p.poll_once(NOW).await.unwrap();
    assert_eq!(first.new_mentions, 3, "{first:?}");
    let s1 = state(&p, with_etag);
    assert!(
        s1.etag.is_some(),
        "nginx sent an ETag (even gzipped, as a weak one)"
    );
    let s2 = state(&p, lm_only);
    assert!(s2.etag.is_none() && s2.last_modified.is_some(), "{s2:?}");
    let second = p.poll_once(NOW + 3600).await.unwrap();
    assert_eq!(
        (second.checked, second.not_modified, second.new_mentions),
        (2, 2, 0),
        "{second:?}"
    );
    assert_eq!(state(&p, with_etag).last_status, Some(304));
    assert_eq!(state(&p, lm_only).last_status, Some(304));
    // The feed changes: a full fetch again, the new item only.
    nginx.put("rss2.xml", std::fs::read_to_string(fixtures().join("rss2.xml")).unwrap().replacen("<item>", "<item><title>Nouvel article Danone</title><guid>jdl-2000</guid><description>x</description></item><item>", 1));
    let third = p.poll_once(NOW + 7200).await.unwrap();
    assert_eq!(third.new_mentions, 1, "{third:?}");
    assert_eq!(third.duplicates, 3);
    // The three stored items were dropped before they were normalised, toned and matched.
    assert_eq!(third.known, 3, "{third:?}");
    let stored = with_store(&p, |s| {
        s.mentions(&MentionFilter {
            search: Some("nouvel article".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap()
    });
    assert_eq!(stored.len(), 1, "the new item is stored and searchable");
}

#[tokio::test]
async fn http_statuses_become_plain_words_and_a_schedule() {
    let nginx = Nginx::start();
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let moved = add_feed(&p, &nginx.url("moved.xml"));
    let gone = add_feed(&p, &nginx.url("gone.xml"));
    let busy = add_feed(&p, &nginx.url("busy.xml"));
    let down = add_feed(&p, &nginx.url("down.xml"));
    let lp = add_feed(&p, &nginx.url("loop-a.xml"));
    let ftp = add_feed(&p, &nginx.url("to-ftp.xml"));
    let missing = add_feed(&p, &nginx.url("missing.xml"));
    let r = p.poll_once(NOW).await.unwrap();
    assert_eq!(r.checked, 7);
    // 301: followed, and the source now points at the new address.
    let (src, st) = with_store(&p, |s| s.source(moved).unwrap());
    assert_eq!(
        src.kind,
        SourceKind::Feed {
            url: nginx.url("rss2.xml")
        }
    );
    assert!(st.last_error.is_none());
    assert_eq!(
        with_store(&p, |s| s.events(Some("source_moved"), 5).unwrap()).len(),
        1
    );
    // 410
    let st = state(&p, gone);
    assert!(
        st.last_error
            .as_deref()
            .unwrap()
            .contains("410 Gone: the feed was removed"),
        "{st:?}"
    );
    assert_eq!((st.error_count, st.last_status), (1, Some(410)));
    // The same failure as data: the app words it in the user's language.
    assert_eq!(
        st.last_problem,
        Some(vigie_domain::health::Problem::Http {
            status: 410,
            retry_after_secs: None
        })
    );
    assert!(
        st.next_check_at >= NOW + 540,
        "backs off at least one interval (with jitter)"
    );
    // 429 + Retry-After: 120 → next check exactly 120 s later.
    let st = state(&p, busy);
    assert_eq!(st.next_check_at, NOW + 120, "{st:?}");
    assert!(st.last_error.as_deref().unwrap().contains("2 min"));
    assert_eq!(
        st.last_problem,
        Some(vigie_domain::health::Problem::Http {
            status: 429,
            retry_after_secs: Some(120)
        })
    );
    // 503 + Retry-After as an HTTP date (Sat, 21 Nov 2026 00:00 GMT, 61 h after NOW): the
    // date is honoured up to the policy's longest wait (24 h), and the words say 24 h.
    let st = state(&p, down);
    assert!(
        st.last_error
            .as_deref()
            .unwrap()
            .contains("503 Service Unavailable"),
        "{st:?}"
    );
    assert_eq!(st.next_check_at, NOW + 24 * 3600, "{st:?}");
    assert!(
        st.last_error.as_deref().unwrap().contains("retry in 24 h"),
        "{st:?}"
    );
    assert_eq!(
        st.last_problem,
        Some(vigie_domain::health::Problem::Http {
            status: 503,
            retry_after_secs: Some(24 * 3600)
        })
    );
    assert!(state(&p, lp)
        .last_error
        .as_deref()
        .unwrap()
        .contains("loop"));
    assert!(state(&p, ftp)
        .last_error
        .as_deref()
        .unwrap()
        .contains("only http and https"));
    assert!(state(&p, missing)
        .last_error
        .as_deref()
        .unwrap()
        .contains("404"));
    // Repeated failures back off exponentially.
    let before = state(&p, gone).next_check_at;
    with_store(&p, |s| s.check_now(gone, before).unwrap());
    p.poll_once(before).await.unwrap();
    let st = state(&p, gone);
    assert_eq!(st.error_count, 2);
    assert!(
        st.next_check_at - before >= 1080,
        "second error waits about twice the interval: {}",
        st.next_check_at - before
    );
    assert_eq!(
        with_store(&p, |s| s.events(Some("source_failing"), 50).unwrap()).len(),
        6,
        "one event per source going bad, not per error"
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_loses_nothing() {
    let nginx = Nginx::start();
    // A 50 MB feed and a gzip bomb (≈ 50 KB that inflates to 64 MB).
    let mut big =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>big</title>");
    while big.len() < 50_000_000 {
        big.push_str("<item><title>padding padding padding padding</title><description>lorem ipsum dolor sit amet</description></item>");
    }
    big.push_str("</channel></rss>");
    nginx.put("big.xml", &big);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>")
        .unwrap();
    let zeros = vec![b'a'; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    nginx.put("bomb.xml.gz", gz.finish().unwrap());
    let silent = Silent::start();

    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let good = add_feed(&p, &nginx.url("rss2.xml"));
    p.poll_once(NOW).await.unwrap();
    assert_eq!(count(&p), 3);
    let cases: Vec<(&str, String, &str)> = vec![
        ("malformed", nginx.url("malformed.xml"), "malformed"),
        ("html page", nginx.url("page.html"), "web page"),
        ("50 MB", nginx.url("big.xml"), "larger than 10 MB"),
        ("gzip bomb", nginx.url("bomb.xml"), "larger than 10 MB"),
        (
            "never answers",
            format!("http://127.0.0.1:{}/feed.xml", silent.port),
            "did not answer within 2 s",
        ),
    ];
    let ids: Vec<i64> = cases.iter().map(|(_, url, _)| add_feed(&p, url)).collect();
    let utf8 = add_feed(&p, &nginx.url("invalid-utf8.xml"));
    let bomb = add_feed(&p, &nginx.url("entity-bomb.xml"));
    let r = p.poll_once(NOW + 1).await.unwrap();
    for ((name, _, needle), id) in cases.iter().zip(&ids) {
        let st = state(&p, *id);
        let e = st.last_error.unwrap_or_default();
        assert!(e.contains(needle), "{name}: expected {needle:?} in {e:?}");
    }
    // Invalid UTF-8: read with replacement characters instead of losing the item.
    assert!(state(&p, utf8).last_error.is_none());
    let bad = with_store(&p, |s| {
        s.mentions(&MentionFilter {
            source_id: Some(utf8),
            limit: 5,
            ..Default::default()
        })
        .unwrap()
    });
    assert_eq!(bad.len(), 1);
    assert!(
        bad[0].title.contains('\u{FFFD}') && bad[0].title.contains("Danone"),
        "{:?}",
        bad[0].title
    );
    // Entity-expansion bomb: entities are not expanded (nothing huge in memory or stored).
    assert!(state(&p, bomb).last_error.is_none());
    let all = with_store(&p, |s| {
        s.mentions(&MentionFilter {
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
    });
    assert!(
        all.iter()
            .all(|m| m.title.len() < 1_000 && m.text.len() < 1_000),
        "no entity expansion stored"
    );
    assert!(r.failed >= 5, "{r:?}");
    // Nothing already stored was lost, and the good source is still fine.
    assert!(count(&p) >= 3);
    assert!(state(&p, good).last_error.is_none());
}

#[tokio::test]
async fn items_without_guid_or_date_and_future_dates_are_kept_sane_and_xss_is_inert() {
    let nginx = Nginx::start();
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    add_feed(&p, &nginx.url("edge.xml"));
    let r = p.poll_once(NOW).await.unwrap();
    assert_eq!(r.new_mentions, 3, "{r:?}");
    let all = with_store(&p, |s| {
        s.mentions(&MentionFilter {
            limit: 10,
            ..Default::default()
        })
        .unwrap()
    });
    let no_guid = all.iter().find(|m| m.title == "No guid, no date").unwrap();
    assert_eq!((no_guid.guid.as_deref(), no_guid.published_at), (None, NOW));
    let future = all
        .iter()
        .find(|m| m.title == "Dated in the future")
        .unwrap();
    assert_eq!(
        future.published_at, NOW,
        "a date in 2035 becomes the fetch time"
    );
    let xss = all
        .iter()
        .find(|m| m.guid.as_deref() == Some("edge-3"))
        .unwrap();
    assert_eq!(xss.url, None, "javascript: links are dropped");
    assert_eq!(
        xss.title, "XSS attempt <img src=x onerror=alert(1)>",
        "a plain-text title is kept as written (the UI shows it as text)"
    );
    let html = xss.html.as_deref().unwrap();
    assert!(
        !html.contains("onerror") && !html.contains("javascript:"),
        "{html}"
    );
    // Polling again (feed unchanged but no validators used by the test server for this path
    // after a content change) never duplicates items without a GUID.
    with_store(&p, |s| s.check_now(1, NOW + 10).unwrap());
    nginx.put(
        "edge.xml",
        std::fs::read_to_string(fixtures().join("edge.xml")).unwrap() + "\n",
    );
    let again = p.poll_once(NOW + 10).await.unwrap();
    assert_eq!((again.new_mentions, again.duplicates), (0, 3), "{again:?}");
    // The two items with a GUID are dropped before preparing; the one without goes to the
    // writer, which recognises it by its content.
    assert_eq!(again.known, 2, "{again:?}");
}

#[tokio::test]
async fn data_survives_a_restart_without_duplicates() {
    let nginx = Nginx::start();
    let dir = tempfile::tempdir().unwrap();
    {
        let p = poller(dir.path(), fast_fetch());
        add_watch(&p, "Danone", "danone");
        add_feed(&p, &nginx.url("rss2.xml"));
        add_feed(&p, &nginx.url("atom.xml"));
        p.poll_once(NOW).await.unwrap();
        assert_eq!(count(&p), 4);
    }
    // A new process: reopen the same folder.
    let p = poller(dir.path(), fast_fetch());
    assert_eq!(count(&p), 4);
    assert_eq!(with_store(&p, |s| s.watches().unwrap().len()), 1);
    let srcs = with_store(&p, |s| s.sources().unwrap());
    assert!(srcs
        .iter()
        .all(|(_, st)| st.etag.is_some() && st.last_success_at == Some(NOW)));
    // Force full fetches (one more byte in each file: new size, new ETag; the same second's
    // mtime alone would not change it) and poll again: no duplicate.
    nginx.put(
        "rss2.xml",
        std::fs::read_to_string(fixtures().join("rss2.xml")).unwrap() + "\n",
    );
    nginx.put(
        "atom.xml",
        std::fs::read_to_string(fixtures().join("atom.xml")).unwrap() + "\n",
    );
    let r = p.poll_once(NOW + 86_400).await.unwrap();
    assert_eq!(r.new_mentions, 0, "{r:?}");
    // Five items fetched, all dropped before preparing: four stored under their source's
    // GUID, and the fifth, another feed's article the first poll found by its link,
    // remembered under its own GUID then.
    assert_eq!((r.duplicates, r.known), (5, 5), "{r:?}");
    assert_eq!(count(&p), 4);
    let danone = with_store(&p, |s| {
        s.mentions(&MentionFilter {
            search: Some("danone".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap()
    });
    assert_eq!(danone.len(), 3);
}

/// A server that accepts connections, counts them, and never answers.
fn counting_server() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = std::sync::Arc::clone(&count);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(s); // keep it open, say nothing
        }
    });
    (port, count)
}

#[tokio::test]
async fn requests_to_one_host_are_capped() {
    let (port, accepted) = counting_server();
    let dir = tempfile::tempdir().unwrap();
    let p = {
        let store = vigie_store::Store::open_in(dir.path()).unwrap();
        std::sync::Arc::new(vigie_engine::Poller::new(
            std::sync::Arc::new(std::sync::Mutex::new(store)),
            vigie_engine::fetch::Http::new(vigie_engine::fetch::FetchConfig {
                total_timeout: std::time::Duration::from_secs(3),
                ..fast_fetch()
            }),
            std::sync::Arc::new(vigie_engine::bluesky::Bluesky::default()),
            vigie_engine::PollerConfig {
                per_host: 2,
                ..Default::default()
            },
        ))
    };
    for i in 0..6 {
        add_feed(&p, &format!("http://127.0.0.1:{port}/feed-{i}.xml"));
    }
    let poll = tokio::spawn({
        let p = std::sync::Arc::clone(&p);
        async move { p.poll_once(NOW).await.unwrap() }
    });
    // While the first two requests hang, the other four wait for the host's permits.
    let start = std::time::Instant::now();
    while accepted.load(std::sync::atomic::Ordering::SeqCst) < 2 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "the first requests never arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        accepted.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "at most 2 requests in flight to one host"
    );
    let r = poll.await.unwrap();
    assert_eq!(
        (r.checked, r.failed),
        (6, 6),
        "all eventually tried, all timed out"
    );
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 6);
}

/// A poll cycle held in the middle of a fetch: a source served by a server that answers
/// only once told to, and the cycle started and waiting for that answer.
struct HeldFetch {
    source: i64,
    go: std::sync::mpsc::Sender<()>,
    cycle: tokio::task::JoinHandle<Result<vigie_engine::PollReport, vigie_store::StoreError>>,
}

/// Adds the held source (at `path` on its server, which serves the Atom fixture), starts a
/// cycle and returns once the fetch has reached the server.
async fn hold_a_fetch(p: &std::sync::Arc<vigie_engine::Poller>, path: &str) -> HeldFetch {
    let body = std::fs::read_to_string(fixtures().join("atom.xml")).unwrap();
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    hold_a_fetch_answering(p, path, response).await
}

/// [`hold_a_fetch`], the server sending `response` (status line, headers and body).
async fn hold_a_fetch_answering(
    p: &std::sync::Arc<vigie_engine::Poller>,
    path: &str,
    response: String,
) -> HeldFetch {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (seen_tx, seen) = std::sync::mpsc::channel();
    let (go, go_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
            line.clear();
        }
        let _ = seen_tx.send(());
        let _ = go_rx.recv();
        let _ = stream.write_all(response.as_bytes());
    });
    let source = add_feed(p, &format!("http://127.0.0.1:{port}/{path}"));
    let cycle = tokio::spawn({
        let p = std::sync::Arc::clone(p);
        async move { p.poll_once(NOW).await }
    });
    tokio::task::spawn_blocking(move || seen.recv().unwrap())
        .await
        .unwrap();
    HeldFetch { source, go, cycle }
}

impl HeldFetch {
    /// Lets the server answer; the cycle's result.
    async fn answer(self) -> Result<vigie_engine::PollReport, vigie_store::StoreError> {
        self.go.send(()).unwrap();
        self.cycle.await.unwrap()
    }
}

#[tokio::test]
async fn a_source_removed_while_its_fetch_is_in_flight_is_dropped_quietly() {
    let nginx = Nginx::start();
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    add_feed(&p, &nginx.url("rss2.xml"));
    let held = hold_a_fetch(&p, "feed.xml").await;
    // The fetch has reached the server: the user removes the source, then it answers.
    with_store(&p, |s| s.remove_source(held.source).unwrap());
    let r = held.answer().await.expect("the cycle does not fail");
    assert_eq!((r.checked, r.failed, r.new_mentions), (2, 0, 3), "{r:?}");
    assert!(r.errors.is_empty(), "{r:?}");
    assert_eq!(count(&p), 3, "only the remaining feed's items are stored");
}

#[tokio::test]
async fn check_now_clicked_while_the_fetch_is_in_flight_still_stands_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let held = hold_a_fetch(&p, "feed.xml").await;
    // The cycle began at NOW; a second later, before the server answers, the user asks for
    // a check. The answer may have left before the click: the request must survive it.
    with_store(&p, |s| s.check_now(held.source, NOW + 1).unwrap());
    let source = held.source;
    let r = held.answer().await.unwrap();
    assert_eq!((r.checked, r.new_mentions, r.failed), (1, 2, 0), "{r:?}");
    let due: Vec<i64> = with_store(&p, |s| s.due_sources(NOW + 1, 10).unwrap())
        .into_iter()
        .map(|(s, _)| s.id)
        .collect();
    assert_eq!(due, [source], "due again at once, not an interval later");
    let (_, state) = with_store(&p, |s| s.source(source).unwrap());
    assert_eq!(state.next_check_at, NOW + 1);
    assert_eq!(
        state.last_success_at,
        Some(NOW),
        "the fetch in flight was recorded"
    );
}

#[tokio::test]
async fn check_now_clicked_during_a_fetch_answered_retry_after_waits_as_the_server_asked() {
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let held = hold_a_fetch_answering(
        &p,
        "feed.xml",
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 600\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
    )
    .await;
    with_store(&p, |s| s.check_now(held.source, NOW + 1).unwrap());
    let source = held.source;
    let r = held.answer().await.unwrap();
    assert_eq!(r.failed, 1, "{r:?}");
    let (_, state) = with_store(&p, |s| s.source(source).unwrap());
    assert!(
        state.next_check_at >= NOW + 600,
        "the server's Retry-After wins over the click: {}",
        state.next_check_at - NOW
    );
}

#[tokio::test]
async fn watches_changed_during_a_cycle_match_its_mentions_as_they_are_when_stored() {
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let danone = add_watch(&p, "Danone", "danone");
    let held = hold_a_fetch(&p, "feed.xml").await;
    // While the feed is in flight, "Danone" goes and "Nestlé" takes its id; "Recall" is new.
    with_store(&p, |s| s.remove_watch(danone).unwrap());
    let nestle = add_watch(&p, "Nestlé", "nestle");
    assert_eq!(nestle, danone, "SQLite gives the freed id to the new watch");
    let recall = add_watch(&p, "Recall", "recall");
    let r = held.answer().await.unwrap();
    assert_eq!((r.new_mentions, r.failed), (2, 0), "{r:?}");
    let of = |w: i64| {
        with_store(&p, |s| {
            s.mentions(&MentionFilter {
                watch_id: Some(w),
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .len()
        })
    };
    assert_eq!(
        of(nestle),
        0,
        "no mention of Nestlé: none inherits Danone's matches"
    );
    assert_eq!(of(recall), 1, "the watch added during the cycle matches it");
}

#[tokio::test]
async fn a_source_added_during_a_cycle_does_not_inherit_a_removed_one_s_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let held = hold_a_fetch(&p, "old.xml").await;
    with_store(&p, |s| s.remove_source(held.source).unwrap());
    let new = add_feed(&p, "http://127.0.0.1:9/new.xml");
    assert_eq!(
        new, held.source,
        "SQLite gives the freed id to the new source"
    );
    let r = held.answer().await.unwrap();
    assert_eq!((r.new_mentions, r.failed), (0, 0), "{r:?}");
    let st = state(&p, new);
    assert_eq!(
        (st.last_status, st.etag.as_deref(), st.last_success_at),
        (None, None, None),
        "{st:?}"
    );
    assert_eq!(count(&p), 0);
}
