//! The rig of the Mastodon publishing tests: a publisher on a temp data folder with a manual
//! clock and its own keychain prefix, and alice connected to a brand profile on snac2.

use crate::support::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigie_domain::publish::ProfileKind;
use vigie_engine::fetch::FetchConfig;
use vigie_engine::publish::{ApprovalGate, NoApprovalPolicy, PublishConfig, Publisher};
use vigie_secrets::Sensitive;
use vigie_store::Store;

pub(crate) struct Rig {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) prefix: String,
    pub(crate) publisher: Arc<Publisher>,
}

pub(crate) fn publisher(
    dir: &std::path::Path,
    clock: Arc<ManualClock>,
    prefix: &str,
    gate: Arc<dyn ApprovalGate>,
) -> Arc<Publisher> {
    let store = Arc::new(Mutex::new(Store::open_in(dir).unwrap()));
    let p = Publisher::new(store, dir, clock, prefix, gate).with_fetch(FetchConfig {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(3),
        ..FetchConfig::default()
    });
    p.set_config(PublishConfig {
        undo_secs: 0,
        ..PublishConfig::default()
    });
    Arc::new(p)
}

pub(crate) fn rig(name: &str) -> Rig {
    rig_with(name, Arc::new(NoApprovalPolicy))
}

pub(crate) fn rig_with(name: &str, gate: Arc<dyn ApprovalGate>) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(NOW);
    let prefix = unique_prefix(name);
    let publisher = publisher(dir.path(), Arc::clone(&clock), &prefix, gate);
    Rig {
        dir,
        clock,
        prefix,
        publisher,
    }
}

/// A second publisher on a rig's data folder (its dir, clock and keychain prefix): Vigie
/// restarted, or another process.
pub(crate) fn another_publisher(
    dir: &std::path::Path,
    clock: &Arc<ManualClock>,
    prefix: &str,
) -> Arc<Publisher> {
    publisher(dir, Arc::clone(clock), prefix, Arc::new(NoApprovalPolicy))
}

/// Queues `text` for `(profile, account)` and starts delivering it with the server's answer
/// withheld (the proxy hangs the POST); returns once the server has stored the post, while
/// the delivery still waits.
pub(crate) async fn send_unanswered(
    r: &Rig,
    snac: &Snac,
    proxy: &FaultProxy,
    (profile, account): (i64, i64),
    text: &str,
) -> tokio::task::JoinHandle<vigie_engine::publish::DeliveryReport> {
    proxy.inject("POST /api/v1/statuses", Fault::Hang, 1);
    queue_text(&r.publisher, profile, account, text).unwrap();
    let p = Arc::clone(&r.publisher);
    let delivery = tokio::spawn(async move { p.deliver_due().await });
    for _ in 0..200 {
        if !snac.statuses_of(&snac.token).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    delivery
}

pub(crate) fn host(snac: &Snac) -> String {
    format!("localhost:{}", snac.port)
}

/// A brand profile allowed to hold alice, with alice connected through `server`.
pub(crate) async fn brand_with_alice(r: &Rig, snac: &Snac, server: &str) -> (i64, i64) {
    let brand = r
        .publisher
        .create_profile(
            "Acme",
            ProfileKind::Brand,
            "#c00000",
            // The instance's own name for itself, whichever address Vigie reaches it by.
            &[format!("@alice@{}", host(snac))],
        )
        .unwrap();
    let acct = r
        .publisher
        .connect_mastodon_token(
            brand.id,
            server,
            Sensitive::new(snac.token.clone()),
            Some("alice"),
        )
        .await
        .unwrap();
    (brand.id, acct.id)
}

/// A personal profile named `name`, with no allow-list.
pub(crate) fn personal(r: &Rig, name: &str) -> vigie_domain::publish::Profile {
    r.publisher
        .create_profile(name, ProfileKind::Personal, "#0060a0", &[])
        .unwrap()
}

/// The brand profile "Acme", listing alice of the snac2 instance as its own.
pub(crate) fn acme_listing_alice(r: &Rig, snac: &Snac) -> vigie_domain::publish::Profile {
    r.publisher
        .create_profile(
            "Acme",
            ProfileKind::Brand,
            "#c00000",
            &[format!("alice@{}", host(snac))],
        )
        .unwrap()
}

/// Connects alice's token to `profile` through `server`, declaring no handle.
pub(crate) async fn connect_alice(
    r: &Rig,
    snac: &Snac,
    profile: i64,
    server: &str,
) -> vigie_engine::publish::PublishResult<vigie_domain::publish::Account> {
    r.publisher
        .connect_mastodon_token(profile, server, Sensitive::new(snac.token.clone()), None)
        .await
}

pub(crate) fn texts(statuses: &[serde_json::Value]) -> Vec<String> {
    statuses
        .iter()
        .map(|s| s["content"].as_str().unwrap_or_default().to_string())
        .collect()
}
