//! Guarded publishing to a real Mastodon API (snac2 on 127.0.0.1), credentials in the real
//! Secret Service, faults injected by our own TCP proxy. The misposting suite: every case must
//! be refused or safe, and "exactly one post" is checked on the server itself.

use crate::support::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigie_domain::publish::{Content, PostProblem, ProfileKind, Refusal};
use vigie_engine::app::AppError;
use vigie_engine::fetch::FetchConfig;
use vigie_engine::publish::{
    ApprovalGate, Confirmation, NoApprovalPolicy, PublishConfig, PublishError, Publisher,
};
use vigie_secrets::{Keychain, Sensitive};
use vigie_store::Store;

struct Rig {
    dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    prefix: String,
    publisher: Arc<Publisher>,
}

fn publisher(
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

fn rig(name: &str) -> Rig {
    rig_with(name, Arc::new(NoApprovalPolicy))
}

fn rig_with(name: &str, gate: Arc<dyn ApprovalGate>) -> Rig {
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
fn another_publisher(
    dir: &std::path::Path,
    clock: &Arc<ManualClock>,
    prefix: &str,
) -> Arc<Publisher> {
    publisher(dir, Arc::clone(clock), prefix, Arc::new(NoApprovalPolicy))
}

/// Queues `text` for `(profile, account)` and starts delivering it with the server's answer
/// withheld (the proxy hangs the POST); returns once the server has stored the post, while
/// the delivery still waits.
async fn send_unanswered(
    r: &Rig,
    snac: &Snac,
    proxy: &FaultProxy,
    (profile, account): (i64, i64),
    text: &str,
) -> tokio::task::JoinHandle<vigie_engine::publish::DeliveryReport> {
    proxy.inject("POST /api/v1/statuses", Fault::Hang, 1);
    r.publisher
        .queue(
            profile,
            account,
            &Content::text(text),
            &Confirmation::default(),
            None,
        )
        .unwrap();
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

fn host(snac: &Snac) -> String {
    format!("127.0.0.1:{}", snac.port)
}

/// A brand profile allowed to hold alice, with alice connected through `server`.
async fn brand_with_alice(r: &Rig, snac: &Snac, server: &str) -> (i64, i64) {
    let brand = r
        .publisher
        .create_profile(
            "Acme",
            ProfileKind::Brand,
            "#c00000",
            &[format!("@alice@{}", server.trim_start_matches("http://"))],
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

fn texts(statuses: &[serde_json::Value]) -> Vec<String> {
    statuses
        .iter()
        .map(|s| s["content"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn connect_compose_confirm_send_read_back_exactly_once() {
    let snac = Snac::start().await;
    let r = rig("m-send");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    let a = r.publisher.accounts(brand).unwrap();
    assert_eq!(a[0].identity.handle, format!("alice@{}", host(&snac)));
    assert!(!a[0].identity.remote_id.is_empty());
    // The instance's own limits were read (snac: 100,000 characters, 32 per link).
    assert_eq!(a[0].limits.max_chars, 100_000);
    assert_eq!(a[0].limits.url_chars, 32);
    assert!(r.publisher.credential_is_set(acct).unwrap());

    let content = Content::text("Nous avons rappelé le lot 42 par précaution. #Acme");
    let post = r
        .publisher
        .queue(brand, acct, &content, &Confirmation::default(), None)
        .unwrap();
    let report = r.publisher.deliver_due().await;
    assert_eq!(report.sent, 1, "{report:?}");
    let sent = r.publisher.outbox(10).unwrap().remove(0);
    assert_eq!(sent.id, post.id);
    assert_eq!(sent.state, vigie_domain::publish::PostState::Sent);
    let url = sent.remote_url.clone().expect("read back: the post's URL");
    assert!(url.contains("/alice/"), "{url}");
    let on_server = snac.statuses_of(&snac.token).await;
    assert_eq!(on_server.len(), 1, "{:?}", texts(&on_server));
    assert_eq!(on_server[0]["id"].as_str(), sent.remote_id.as_deref());
    // Delivering again sends nothing more.
    assert_eq!(r.publisher.deliver_due().await.sent, 0);
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 1);

    // Every step is in the event log, and the token is not.
    let store = Store::open_in(r.dir.path()).unwrap();
    let kinds: Vec<String> = store
        .events(None, 50)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for k in [
        "account_connected",
        "post_queued",
        "post_attempt",
        "post_sent",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} missing from {kinds:?}");
    }
    drop(store);
    let db = std::fs::read(r.dir.path().join("vigie.db")).unwrap();
    let wal = std::fs::read(r.dir.path().join("vigie.db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(
            !bytes
                .windows(snac.token.len())
                .any(|w| w == snac.token.as_bytes()),
            "the access token must never be written to SQLite"
        );
    }
}

#[tokio::test]
async fn personal_account_cannot_join_a_brand_profile() {
    let snac = Snac::start().await;
    let (_, bob_token) = snac.add_user("bob").await;
    let r = rig("m-allow");
    let brand = r
        .publisher
        .create_profile(
            "Acme",
            ProfileKind::Brand,
            "#c00000",
            &[format!("alice@{}", host(&snac))],
        )
        .unwrap();
    let err = r
        .publisher
        .connect_mastodon_token(brand.id, &snac.url(), Sensitive::new(bob_token), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "refused");
    assert!(err.to_string().contains("allow-list"), "{err}");
    // The UI gets the refusal as data, to word it in its language.
    let json = serde_json::to_value(AppError::from(err)).unwrap();
    assert_eq!(
        json["refusal"],
        serde_json::json!({"kind": "notAllowListed", "handle": format!("bob@{}", host(&snac)), "profile": "Acme"}),
        "{json}"
    );
    assert_eq!(json["code"], "refused");
    assert!(r.publisher.accounts(brand.id).unwrap().is_empty());
    // Nothing was kept in the keychain either.
    let kc = Keychain::new(&format!("{}profile-{}", r.prefix, brand.id));
    assert!(!kc.is_set(&format!("mastodon:bob@{}", host(&snac))).unwrap());
}

#[tokio::test]
async fn a_token_of_another_account_than_declared_is_refused() {
    let snac = Snac::start().await;
    let (_, bob_token) = snac.add_user("bob").await;
    let r = rig("m-wrong");
    let me = r
        .publisher
        .create_profile("Moi", ProfileKind::Personal, "#0060a0", &[])
        .unwrap();
    let err = r
        .publisher
        .connect_mastodon_token(
            me.id,
            &snac.url(),
            Sensitive::new(bob_token),
            Some("@alice"),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("belongs to @bob"), "{err}");
    match err {
        PublishError::Refused(Refusal::WrongAccount { expected, actual }) => {
            assert_eq!(expected, format!("alice@{}", host(&snac)));
            assert_eq!(actual, format!("bob@{}", host(&snac)));
        }
        other => panic!("{other:?}"),
    }
    assert!(r.publisher.accounts(me.id).unwrap().is_empty());
}

#[tokio::test]
async fn a_brand_workspace_never_reaches_a_personal_account() {
    let snac = Snac::start().await;
    let (_, bob_token) = snac.add_user("bob").await;
    let r = rig("m-ws");
    let (brand, _) = brand_with_alice(&r, &snac, &snac.url()).await;
    let me = r
        .publisher
        .create_profile("Bob perso", ProfileKind::Personal, "#0060a0", &[])
        .unwrap();
    let bob = r
        .publisher
        .connect_mastodon_token(
            me.id,
            &snac.url(),
            Sensitive::new(bob_token.clone()),
            Some("bob"),
        )
        .await
        .unwrap();
    // Listing from the brand workspace never shows bob.
    assert!(r
        .publisher
        .accounts(brand)
        .unwrap()
        .iter()
        .all(|a| a.identity.handle.starts_with("alice@")));
    // Publishing to bob from the brand workspace is refused by the engine.
    let err = r
        .publisher
        .queue(
            brand,
            bob.id,
            &Content::text("oops"),
            &Confirmation::default(),
            None,
        )
        .unwrap_err();
    assert!(err.to_string().contains("switch profile"), "{err}");
    match err {
        PublishError::Refused(Refusal::WrongProfile {
            handle,
            profile_kind,
            profile,
            active,
        }) => {
            assert_eq!(handle, format!("bob@{}", host(&snac)));
            assert_eq!(
                (profile_kind, profile.as_str(), active.as_str()),
                (ProfileKind::Personal, "Bob perso", "Acme")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(r.publisher.outbox(10).unwrap().is_empty());
    // The same account cannot be held by two profiles.
    let err = r
        .publisher
        .connect_mastodon_token(brand, &snac.url(), Sensitive::new(bob_token), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "refused");
}

#[tokio::test]
async fn typing_the_handle_is_required_when_the_audience_is_large() {
    let snac = Snac::start().await;
    let r = rig("m-type");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    r.publisher.set_config(PublishConfig {
        undo_secs: 0,
        audience_threshold: Some(-1), // every audience is "large"
        ..PublishConfig::default()
    });
    let c = Content::text("Communiqué");
    let check = r.publisher.check(brand, acct, &c, None).unwrap();
    assert_eq!(check.rule, vigie_domain::publish::ConfirmRule::TypeHandle);
    for typed in [
        None,
        Some("bob".to_string()),
        Some("alice@elsewhere.example".into()),
    ] {
        let err = r
            .publisher
            .queue(
                brand,
                acct,
                &c,
                &Confirmation {
                    typed_handle: typed.clone(),
                },
                None,
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("type the handle"),
            "{typed:?}: {err}"
        );
    }
    r.publisher
        .queue(
            brand,
            acct,
            &c,
            &Confirmation {
                typed_handle: Some("@Alice".into()),
            },
            None,
        )
        .unwrap();
}

#[tokio::test]
async fn kill_switch_holds_every_post_until_it_is_lifted() {
    let snac = Snac::start().await;
    let r = rig("m-kill");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    let err = r.publisher.set_kill_switch(true, "  ").unwrap_err();
    assert!(err.to_string().contains("say why"), "{err}");
    r.publisher
        .set_kill_switch(true, "crisis meeting at 10:00")
        .unwrap();
    let post = r
        .publisher
        .queue(
            brand,
            acct,
            &Content::text("Pendant la pause"),
            &Confirmation::default(),
            None,
        )
        .unwrap();
    r.clock.advance(600);
    let report = r.publisher.deliver_due().await;
    assert!(report.paused);
    assert_eq!(report.sent, 0);
    assert!(snac.statuses_of(&snac.token).await.is_empty());
    let p = r.publisher.outbox(1).unwrap().remove(0);
    assert_eq!(
        p.state,
        vigie_domain::publish::PostState::Queued,
        "stays queued, visibly"
    );
    r.publisher.set_kill_switch(false, "").unwrap();
    assert_eq!(r.publisher.deliver_due().await.sent, 1);
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 1);
    assert_eq!(r.publisher.outbox(1).unwrap()[0].id, post.id);
}

#[tokio::test]
async fn cancel_inside_the_undo_window_sends_nothing() {
    let snac = Snac::start().await;
    let proxy = FaultProxy::start(snac.port).await;
    let r = rig("m-undo");
    let (brand, acct) = brand_with_alice(&r, &snac, &proxy.url()).await;
    r.publisher.set_config(PublishConfig::default()); // 30 s undo window
    let post = r
        .publisher
        .queue(
            brand,
            acct,
            &Content::text("Oups, mauvais message"),
            &Confirmation::default(),
            None,
        )
        .unwrap();
    assert_eq!(post.send_after, NOW + 30);
    // Within the window nothing is due…
    r.clock.advance(10);
    assert_eq!(r.publisher.deliver_due().await, Default::default());
    r.publisher.cancel(post.id).unwrap();
    r.clock.advance(60);
    r.publisher.deliver_due().await;
    assert!(
        !proxy
            .requests()
            .iter()
            .any(|l| l.starts_with("POST /api/v1/statuses")),
        "{:?}",
        proxy.requests()
    );
    assert!(snac.statuses_of(&snac.token).await.is_empty());
    assert_eq!(
        r.publisher.outbox(1).unwrap()[0].state,
        vigie_domain::publish::PostState::Cancelled
    );
    // A cancelled post cannot be cancelled again, nor sent.
    assert!(r.publisher.cancel(post.id).is_err());
}

#[tokio::test]
async fn connection_cut_after_the_server_stored_the_post_then_retry_gives_one_post() {
    let snac = Snac::start().await;
    let proxy = FaultProxy::start(snac.port).await;
    let r = rig("m-cut");
    let (brand, acct) = brand_with_alice(&r, &snac, &proxy.url()).await;
    proxy.inject("POST /api/v1/statuses", Fault::Cut, 1);
    r.publisher
        .queue(
            brand,
            acct,
            &Content::text("Réponse officielle au sujet du lot 42"),
            &Confirmation::default(),
            None,
        )
        .unwrap();
    let report = r.publisher.deliver_due().await;
    assert_eq!(proxy.faults(), 1, "the cut happened");
    assert_eq!(report.sent, 1, "{report:?}");
    r.clock.advance(3600);
    r.publisher.deliver_due().await;
    let on_server = snac.statuses_of(&snac.token).await;
    assert_eq!(
        on_server.len(),
        1,
        "exactly one post: {:?}",
        texts(&on_server)
    );
    let p = r.publisher.outbox(1).unwrap().remove(0);
    assert_eq!(p.remote_id.as_deref(), on_server[0]["id"].as_str());
    let store = Store::open_in(r.dir.path()).unwrap();
    let sent = store.events(Some("post_sent"), 5).unwrap();
    assert_eq!(
        sent[0].data["reconciled"], true,
        "found by reading the account's posts"
    );
}

#[tokio::test]
async fn a_crash_between_sending_and_sent_then_restart_gives_one_post() {
    let snac = Snac::start().await;
    let proxy = FaultProxy::start(snac.port).await;
    let r = rig("m-crash");
    let (brand, acct) = brand_with_alice(&r, &snac, &proxy.url()).await;
    let delivery = send_unanswered(
        &r,
        &snac,
        &proxy,
        (brand, acct),
        "Message envoyé juste avant la panne",
    )
    .await;
    // The server stored the post; Vigie never hears back and "crashes".
    delivery.abort();
    let _ = delivery.await;
    drop(r.publisher);
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 1);
    let stuck = Store::open_in(r.dir.path())
        .unwrap()
        .posts_in_flight()
        .unwrap();
    assert_eq!(stuck.len(), 1, "left in 'sending' by the crash");

    // Restart: a new publisher on the same data folder reconciles before sending anything.
    r.clock.advance(120);
    let again = another_publisher(r.dir.path(), &r.clock, &r.prefix);
    let report = again.deliver_due().await;
    assert_eq!(report.sent, 1, "{report:?}");
    r.clock.advance(3600);
    again.deliver_due().await;
    assert_eq!(
        snac.statuses_of(&snac.token).await.len(),
        1,
        "exactly one post"
    );
    let posts_to_server = proxy
        .requests()
        .iter()
        .filter(|l| l.starts_with("POST /api/v1/statuses"))
        .count();
    assert_eq!(
        posts_to_server,
        1,
        "never sent twice: {:?}",
        proxy.requests()
    );
}

#[tokio::test]
async fn a_revoked_token_fails_with_reconnect() {
    let snac = Snac::start().await;
    let r = rig("m-revoked");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    snac.revoke(&snac.token);
    r.publisher
        .queue(
            brand,
            acct,
            &Content::text("Après révocation"),
            &Confirmation::default(),
            None,
        )
        .unwrap();
    let report = r.publisher.deliver_due().await;
    assert_eq!(report.failed, 1, "{report:?}");
    let p = r.publisher.outbox(1).unwrap().remove(0);
    let error = p.last_error.clone().unwrap();
    assert!(error.contains("Reconnect this account"), "{error}");
    assert!(
        matches!(&p.last_problem, Some(PostProblem::CredentialRefused { detail })
            // snac answers verify_credentials with 422 for a revoked token.
            if ["HTTP 401", "HTTP 403", "HTTP 422"].contains(&detail.as_str())),
        "{:?}",
        p.last_problem
    );
    // Reconnecting the same account replaces its token and keeps its history; retry sends.
    let fresh = snac.new_token().await;
    let again = r
        .publisher
        .connect_mastodon_token(
            brand,
            &snac.url(),
            Sensitive::new(fresh.clone()),
            Some("alice"),
        )
        .await
        .unwrap();
    assert_eq!(again.id, acct, "the same account, reconnected");
    r.publisher.retry(p.id).unwrap();
    assert_eq!(r.publisher.deliver_due().await.sent, 1);
    assert_eq!(snac.statuses_of(&fresh).await.len(), 1);
}

#[tokio::test]
async fn a_credential_swapped_for_another_account_is_caught_before_sending() {
    let snac = Snac::start().await;
    let (_, bob_token) = snac.add_user("bob").await;
    let r = rig("m-swap");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    // Someone replaces alice's token in the keychain with bob's.
    Keychain::new(&format!("{}profile-{brand}", r.prefix))
        .set(
            &format!("mastodon:alice@{}", host(&snac)),
            &Sensitive::new(bob_token.clone()),
        )
        .unwrap();
    r.publisher
        .queue(
            brand,
            acct,
            &Content::text("Ceci ne doit partir que d'Acme"),
            &Confirmation::default(),
            None,
        )
        .unwrap();
    let report = r.publisher.deliver_due().await;
    assert_eq!(report.failed, 1);
    let p = r.publisher.outbox(1).unwrap().remove(0);
    let error = p.last_error.unwrap();
    assert!(error.contains("now belongs to @bob"), "{error}");
    assert_eq!(
        p.last_problem,
        Some(PostProblem::OtherAccount {
            found: format!("bob@{}", host(&snac)),
            expected: format!("alice@{}", host(&snac)),
        })
    );
    assert!(
        snac.statuses_of(&bob_token).await.is_empty(),
        "nothing on bob's account"
    );
    assert!(snac.statuses_of(&snac.token).await.is_empty());
}

#[tokio::test]
async fn text_over_the_instance_limit_is_refused_before_sending() {
    let snac = Snac::start().await;
    let r = rig("m-long");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    let err = r
        .publisher
        .queue(
            brand,
            acct,
            &Content::text("a".repeat(100_001)),
            &Confirmation::default(),
            None,
        )
        .unwrap_err();
    assert!(matches!(err, PublishError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("remove 1"), "{err}");
    // An "image" that is really a path to another file is refused before anything is queued.
    for sha in ["/etc/passwd", "../vigie.db"] {
        let sneaky = Content {
            text: "Voir l'image".into(),
            images: vec![vigie_domain::publish::Image {
                mime: "image/png".into(),
                bytes: 10,
                sha256: sha.into(),
                alt: "une image".into(),
            }],
        };
        let err = r
            .publisher
            .queue(brand, acct, &sneaky, &Confirmation::default(), None)
            .unwrap_err();
        assert!(err.to_string().contains("not a media reference"), "{err}");
        assert!(
            matches!(err, PublishError::Refused(Refusal::ImageReference { .. })),
            "{err:?}"
        );
    }
    assert!(r.publisher.outbox(5).unwrap().is_empty());
}

/// A gate that approves one content hash only.
struct OnlyThis(Mutex<Option<String>>);

impl ApprovalGate for OnlyThis {
    fn check(&self, ctx: &vigie_engine::publish::GateContext<'_>) -> Result<(), Refusal> {
        match &*self.0.lock().unwrap() {
            Some(h) if h == ctx.content_hash => Ok(()),
            _ => Err(Refusal::Approvals {
                detail: "this exact content is not approved for this account".into(),
            }),
        }
    }
}

#[tokio::test]
async fn the_approval_hook_is_asked_at_queue_time_and_again_at_send_time() {
    let snac = Snac::start().await;
    let content = Content::text("Texte validé par le juridique");
    let gate = Arc::new(OnlyThis(Mutex::new(None)));
    let r = rig_with("m-gate", gate.clone());
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    let err = r
        .publisher
        .queue(brand, acct, &content, &Confirmation::default(), None)
        .unwrap_err();
    assert!(err.to_string().contains("not approved"), "{err}");
    assert!(
        matches!(err, PublishError::Refused(Refusal::Approvals { .. })),
        "{err:?}"
    );
    *gate.0.lock().unwrap() = Some(content.hash());
    r.publisher
        .queue(brand, acct, &content, &Confirmation::default(), None)
        .unwrap();
    // The approval is withdrawn before the post goes: it does not go (fail closed).
    *gate.0.lock().unwrap() = None;
    let report = r.publisher.deliver_due().await;
    assert_eq!(report.failed, 1);
    assert!(snac.statuses_of(&snac.token).await.is_empty());
    let p = r.publisher.outbox(1).unwrap().remove(0);
    assert!(
        matches!(
            &p.last_problem,
            Some(PostProblem::NotSent {
                refusal: Refusal::Approvals { .. }
            })
        ),
        "{:?}",
        p.last_problem
    );
    assert!(p.last_error.unwrap().starts_with("not sent: "));
}

#[tokio::test]
async fn oauth_with_a_loopback_redirect_connects_the_account() {
    let snac = Snac::start().await;
    let (bob_password, _) = snac.add_user("bob").await;
    let r = rig("m-oauth");
    let me = r
        .publisher
        .create_profile("Bob perso", ProfileKind::Personal, "#0060a0", &[])
        .unwrap();
    let (flow, url) = r.publisher.begin_mastodon_oauth(&snac.url()).await.unwrap();
    let u = url::Url::parse(&url).unwrap();
    let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
    assert!(q["redirect_uri"].starts_with("http://127.0.0.1:"));
    // Another local program knocks on the loopback port first: ignored, the sign-in goes on.
    let stray = tokio::spawn(reqwest::get(format!(
        "{}?code=evil&state=wrong",
        q["redirect_uri"]
    )));
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The "browser": the user signs in on the instance's form, which redirects to Vigie.
    let browser = tokio::spawn({
        let (base, q) = (snac.url(), q.clone());
        async move {
            let page = reqwest::Client::new()
                .post(format!("{base}/oauth/x-snac-login"))
                .form(&[
                    ("login", "bob"),
                    ("passwd", bob_password.as_str()),
                    ("redir", q["redirect_uri"].as_str()),
                    ("cid", q["client_id"].as_str()),
                    ("state", q["state"].as_str()),
                ])
                .send()
                .await
                .unwrap();
            page.text().await.unwrap()
        }
    });
    let acct = r
        .publisher
        .finish_mastodon_oauth(&flow, me.id, Some("bob"), Duration::from_secs(20))
        .await
        .unwrap();
    assert!(browser.await.unwrap().contains("Vigie is connected"));
    assert_eq!(stray.await.unwrap().unwrap().status(), 404);
    assert_eq!(acct.identity.handle, format!("bob@{}", host(&snac)));
    assert!(r.publisher.credential_is_set(acct.id).unwrap());
}

#[tokio::test]
async fn a_429_waits_for_the_server_then_sends_once_with_its_image() {
    let snac = Snac::start().await;
    let proxy = FaultProxy::start(snac.port).await;
    let r = rig("m-429");
    let (brand, acct) = brand_with_alice(&r, &snac, &proxy.url()).await;
    proxy.inject(
        "POST /api/v1/statuses",
        Fault::TooManyRequests {
            retry_after_secs: 120,
        },
        1,
    );
    let img = r
        .publisher
        .add_image(&fixtures().join("red-4x4.png"), "Un carré rouge")
        .unwrap();
    let content = Content {
        text: "Visuel officiel".into(),
        images: vec![img],
    };
    r.publisher
        .queue(brand, acct, &content, &Confirmation::default(), None)
        .unwrap();
    let report = r.publisher.deliver_due().await;
    assert_eq!(report.deferred, 1, "{report:?}");
    let p = r.publisher.outbox(1).unwrap().remove(0);
    assert_eq!(p.state, vigie_domain::publish::PostState::Queued);
    assert_eq!(p.send_after, NOW + 120, "Retry-After honoured");
    assert!(p.last_error.unwrap().contains("slow down"));
    assert_eq!(
        p.last_problem,
        Some(PostProblem::SlowDown { after_secs: 120 })
    );
    // Not before the server said.
    r.clock.advance(60);
    assert_eq!(r.publisher.deliver_due().await.sent, 0);
    r.clock.advance(61);
    assert_eq!(r.publisher.deliver_due().await.sent, 1);
    let on_server = snac.statuses_of(&snac.token).await;
    assert_eq!(on_server.len(), 1);
    let media = on_server[0]["media_attachments"].as_array().unwrap();
    assert_eq!(media.len(), 1, "{:?}", on_server[0]);
    assert_eq!(media[0]["description"], "Un carré rouge");
}

#[tokio::test]
async fn a_second_process_never_takes_over_a_post_another_one_is_sending() {
    let snac = Snac::start().await;
    let proxy = FaultProxy::start(snac.port).await;
    let r = rig("m-two");
    let (brand, acct) = brand_with_alice(&r, &snac, &proxy.url()).await;
    let delivery = send_unanswered(
        &r,
        &snac,
        &proxy,
        (brand, acct),
        "Un seul envoi, même à deux",
    )
    .await;
    // The first publisher is still waiting for the server's answer. A second one on the same
    // data folder (as `vigie outbox send` beside the app) must leave that post alone.
    r.clock.advance(120);
    let second = another_publisher(r.dir.path(), &r.clock, &r.prefix);
    let report = second.deliver_due().await;
    assert_eq!((report.sent, report.failed), (0, 0), "{report:?}");
    assert!(report.delivering_elsewhere, "{report:?}");
    let in_flight = Store::open_in(r.dir.path())
        .unwrap()
        .posts_in_flight()
        .unwrap();
    assert_eq!(in_flight.len(), 1, "still the first publisher's to finish");
    // Once the first one is gone (here: stopped), the lock is free and the post is reconciled.
    delivery.abort();
    let _ = delivery.await;
    drop(r.publisher);
    let report = second.deliver_due().await;
    assert!(!report.delivering_elsewhere, "{report:?}");
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(
        snac.statuses_of(&snac.token).await.len(),
        1,
        "exactly one post"
    );
}

#[tokio::test]
async fn an_outbox_lock_that_cannot_be_taken_stops_delivery_and_says_why() {
    let r = rig("m-lockerr");
    // Something that is not a lockable file sits where the lock goes.
    std::fs::create_dir(r.dir.path().join("delivery.lock")).unwrap();
    let report = r.publisher.deliver_due().await;
    let why = report.lock_error.clone().unwrap_or_default();
    assert!(why.contains("delivery.lock"), "{report:?}");
    assert!(
        !report.delivering_elsewhere && report.sent == 0,
        "{report:?}"
    );
}

#[tokio::test]
async fn a_server_gone_for_good_is_retried_then_given_up_with_its_cause_kept_as_data() {
    let snac = Snac::start().await;
    let proxy = FaultProxy::start(snac.port).await;
    let r = rig("m-gone");
    let (brand, acct) = brand_with_alice(&r, &snac, &proxy.url()).await;
    r.publisher.set_config(PublishConfig {
        undo_secs: 0,
        max_attempts: 2,
        ..PublishConfig::default()
    });
    // The server's address stops answering: connections are refused.
    drop(proxy);
    r.publisher
        .queue(
            brand,
            acct,
            &Content::text("Point d'étape"),
            &Confirmation::default(),
            None,
        )
        .unwrap();
    assert_eq!(r.publisher.deliver_due().await.deferred, 1);
    let p = r.publisher.outbox(1).unwrap().remove(0);
    assert!(
        matches!(&p.last_problem, Some(PostProblem::Unreachable { .. })),
        "{:?}",
        p.last_problem
    );
    r.clock.advance(31);
    assert_eq!(r.publisher.deliver_due().await.failed, 1);
    let p = r.publisher.outbox(1).unwrap().remove(0);
    match &p.last_problem {
        Some(PostProblem::GaveUp { attempts: 2, cause }) => {
            assert!(
                matches!(**cause, PostProblem::Unreachable { .. }),
                "{cause:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    let error = p.last_error.clone().unwrap();
    assert!(
        error.starts_with("the server could not be reached (")
            && error.ends_with(
                "(after 2 attempts, Vigie stopped trying: press retry once this is solved)"
            ),
        "{error}"
    );
    // Retrying clears both.
    let p = r.publisher.retry(p.id).unwrap();
    assert_eq!((p.last_error, p.last_problem), (None, None));
    assert!(snac.statuses_of(&snac.token).await.is_empty());
}

#[tokio::test]
async fn an_oauth_sign_in_with_an_instance_that_does_not_answer_says_so_as_data() {
    let r = rig("m-oauth-dead");
    // Nothing listens on port 1.
    let err = r
        .publisher
        .begin_mastodon_oauth("http://127.0.0.1:1")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "network");
    assert!(
        matches!(
            &err,
            PublishError::Account {
                problem: PostProblem::Unreachable { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("the server could not be reached ("),
        "{err}"
    );
}
