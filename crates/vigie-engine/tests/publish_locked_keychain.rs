//! Publishing with a locked keychain: nothing is sent, the post waits with a clear message,
//! and it goes once the keychain is unlocked. Locking affects the whole session's keyring, so
//! this lives in its own test binary (cargo runs test binaries one after another). Needs the
//! Secret Service of scripts/with-desktop-session.sh.

use std::process::Command;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use vigie_domain::publish::{Content, PostProblem, PostState, ProfileKind};
use vigie_engine::publish::{Confirmation, NoApprovalPolicy, PublishConfig, Publisher};
use vigie_engine::Clock;
use vigie_secrets::Sensitive;
use vigie_store::Store;

struct Manual(AtomicI64);
impl Clock for Manual {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

const LOCK: &str = "dbus-send --session --print-reply --dest=org.freedesktop.secrets \
    /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock \
    array:objpath:/org/freedesktop/secrets/collection/login >/dev/null";
const UNLOCK: &str = "echo -n \"${VIGIE_KEYRING_PASSWORD:-vigie}\" | \
    gnome-keyring-daemon --unlock --replace --components=secrets >/dev/null 2>&1";

#[tokio::test]
async fn a_locked_keychain_holds_the_post_and_says_so() {
    let snac = vigie_testkit::Snac::start().await;
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(Manual(AtomicI64::new(1_795_000_000)));
    let prefix = format!("test-locked-{}-", std::process::id());
    let p = Publisher::new(
        Arc::new(Mutex::new(Store::open_in(dir.path()).unwrap())),
        dir.path(),
        clock.clone(),
        &prefix,
        Arc::new(NoApprovalPolicy),
    );
    p.set_config(PublishConfig {
        undo_secs: 0,
        ..PublishConfig::default()
    });
    let host = format!("localhost:{}", snac.port);
    let brand = p
        .create_profile(
            "Acme",
            ProfileKind::Brand,
            "#c00000",
            &[format!("alice@{host}")],
        )
        .unwrap();
    let acct = p
        .connect_mastodon_token(
            brand.id,
            &snac.url(),
            Sensitive::new(snac.token.clone()),
            None,
        )
        .await
        .unwrap();
    p.queue(
        brand.id,
        acct.id,
        &Content::text("Pendant le verrouillage"),
        &Confirmation::default(),
        None,
    )
    .unwrap();

    assert!(
        Command::new("sh")
            .args(["-c", LOCK])
            .status()
            .unwrap()
            .success(),
        "lock the keyring"
    );
    let report = p.deliver_due().await;
    let unlocked = Command::new("sh").args(["-c", UNLOCK]).status();
    assert_eq!(report.sent, 0, "{report:?}");
    assert_eq!(report.deferred, 1, "{report:?}");
    let post = p.outbox(1).unwrap().remove(0);
    assert_eq!(post.state, PostState::Queued, "the post waits");
    let error = post.last_error.unwrap();
    assert!(error.contains("locked"), "{error}");
    // As data too: a locked keychain (or one waiting for a password) is one case for the UI.
    assert_eq!(post.last_problem, Some(PostProblem::KeychainLocked));
    assert!(
        snac.statuses_of(&snac.token).await.is_empty(),
        "nothing was sent"
    );

    // Unlocked again: the post goes, once.
    assert!(unlocked.unwrap().success());
    clock.0.fetch_add(3600, Ordering::SeqCst);
    let report = p.deliver_due().await;
    let post = p.outbox(1).unwrap().remove(0);
    assert_eq!(report.sent, 1, "{report:?} {post:?}");
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 1);
}
