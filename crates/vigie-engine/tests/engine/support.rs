//! Test helpers for the engine (servers come from vigie-testkit).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigie_engine::bluesky::Bluesky;
use vigie_engine::fetch::{FetchConfig, Http};
use vigie_engine::{Poller, PollerConfig};
use vigie_secrets::Keychain;
use vigie_store::Store;
pub use vigie_testkit::*;

pub const NOW: i64 = 1_795_000_000;

/// A watch on `query`, high sensitivity, every language, no sensitive words.
pub fn watch(name: &str, query: &str) -> vigie_domain::NewWatch {
    vigie_domain::NewWatch {
        name: name.into(),
        query: query.into(),
        languages: vec![],
        sensitivity: vigie_domain::Sensitivity::High,
        enabled: true,
        sensitive_words: vec![],
        thresholds: None,
    }
}

pub fn fast_fetch() -> FetchConfig {
    FetchConfig {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(2),
        ..FetchConfig::default()
    }
}

/// A poller over a fresh store in `dir`, with a keychain namespace unique to the test.
pub fn poller(dir: &Path, fetch: FetchConfig) -> Arc<Poller> {
    let store = Store::open_in(dir).unwrap();
    let ns = format!(
        "test-{}-{}",
        std::process::id(),
        dir.file_name().unwrap().to_string_lossy()
    );
    let bluesky = Bluesky::new(
        Keychain::new(&format!("{ns}-pw")),
        Keychain::new(&format!("{ns}-session")),
    );
    Arc::new(Poller::new(
        Arc::new(Mutex::new(store)),
        Http::new(fetch),
        Arc::new(bluesky),
        PollerConfig::default(),
    ))
}

pub fn with_store<T>(p: &Poller, f: impl FnOnce(&mut Store) -> T) -> T {
    let mut s = p.store().lock().unwrap();
    f(&mut s)
}

/// The newest mentions (at most 10) a source gave.
pub fn source_mentions(p: &Poller, source_id: i64) -> Vec<vigie_domain::Mention> {
    with_store(p, |s| {
        s.mentions(&vigie_store::MentionFilter {
            source_id: Some(source_id),
            limit: 10,
            ..Default::default()
        })
        .unwrap()
    })
}

/// A clock the test moves by hand.
#[derive(Debug)]
pub struct ManualClock(pub std::sync::atomic::AtomicI64);

impl ManualClock {
    pub fn at(t: i64) -> Arc<ManualClock> {
        Arc::new(ManualClock(std::sync::atomic::AtomicI64::new(t)))
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, std::sync::atomic::Ordering::SeqCst);
    }
}

impl vigie_engine::Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A keychain prefix unique to this test run.
pub fn unique_prefix(name: &str) -> String {
    format!(
        "test-{name}-{}-{}-",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// Queues a text post on `account`, confirmed by a click (the default confirmation), for no
/// watch: what most publishing tests send.
pub fn queue_text(
    p: &vigie_engine::publish::Publisher,
    profile: i64,
    account: i64,
    text: impl Into<String>,
) -> vigie_engine::publish::PublishResult<vigie_store::Post> {
    p.queue(
        profile,
        account,
        &vigie_domain::publish::Content::text(text),
        &vigie_engine::publish::Confirmation::default(),
        None,
    )
}
