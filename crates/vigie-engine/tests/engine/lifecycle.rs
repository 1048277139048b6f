//! The owned background loop: starts, polls, wakes on "check now", stops cleanly.

use crate::support::*;
use std::sync::Arc;
use std::time::Duration;
use vigie_domain::SourceKind;
use vigie_engine::{Clock, Engine};

struct Fixed(i64);
impl Clock for Fixed {
    fn now(&self) -> i64 {
        self.0
    }
}

#[tokio::test]
async fn engine_polls_wakes_on_check_now_and_stops() {
    let nginx = Nginx::start();
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let id = with_store(&p, |s| {
        s.add_source(
            "",
            &SourceKind::Feed {
                url: nginx.url("rss2.xml"),
            },
            600,
            NOW,
        )
        .unwrap()
        .id
    });
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // A one-hour tick: only the first immediate tick and explicit wakes cause cycles.
    let engine = Engine::start(
        Arc::clone(&p),
        None,
        Arc::new(Fixed(NOW)),
        Duration::from_secs(3600),
        tx,
    );
    let first = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
        .poll;
    assert_eq!(first.new_mentions, 3);
    // "Check now": the source becomes due and a wake runs a cycle through the same queue.
    with_store(&p, |s| s.check_now(id, NOW).unwrap());
    engine.wake();
    let second = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
        .poll;
    assert_eq!((second.checked, second.not_modified), (1, 1));
    tokio::time::timeout(Duration::from_secs(5), engine.stop())
        .await
        .expect("stop returns promptly");
    assert!(
        rx.recv().await.is_none(),
        "the loop has ended and dropped its sender"
    );
}

#[tokio::test]
async fn stopping_mid_cycle_abandons_slow_fetches() {
    let silent = Silent::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = vigie_engine::fetch::FetchConfig {
        total_timeout: Duration::from_secs(30),
        ..fast_fetch()
    };
    let p = poller(dir.path(), cfg);
    with_store(&p, |s| {
        s.add_source(
            "",
            &SourceKind::Feed {
                url: format!("http://127.0.0.1:{}/x", silent.port),
            },
            600,
            NOW,
        )
        .unwrap()
    });
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let engine = Engine::start(
        Arc::clone(&p),
        None,
        Arc::new(Fixed(NOW)),
        Duration::from_secs(3600),
        tx,
    );
    tokio::time::sleep(Duration::from_millis(200)).await; // let the cycle reach the silent server
    tokio::time::timeout(Duration::from_secs(3), engine.stop())
        .await
        .expect("stop does not wait for the 30 s timeout");
}
