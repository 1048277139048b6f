//! Guarded publishing to a real Mastodon API (snac2 on 127.0.0.1), credentials in the real
//! Secret Service. The misposting suite: every case must be refused or safe, and "exactly one
//! post" is checked on the server itself. Faults during delivery: publish_delivery.rs;
//! connecting accounts: publish_accounts.rs.

use crate::mastodon_rig::*;
use crate::support::*;
use std::sync::{Arc, Mutex};
use vigie_domain::publish::{Content, PostProblem, ProfileKind, Refusal};
use vigie_engine::publish::{ApprovalGate, Confirmation, PublishConfig, PublishError};
use vigie_secrets::Sensitive;
use vigie_store::Store;

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
    let err = queue_text(&r.publisher, brand, bob.id, "oops").unwrap_err();
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
                typed_handle: Some(format!("@Alice@{}", host(&snac))),
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
    r.publisher.set_config(PublishConfig::default()); // 30 s undo window
    let err = r.publisher.set_kill_switch(true, "  ").unwrap_err();
    assert!(err.to_string().contains("say why"), "{err}");
    r.publisher
        .set_kill_switch(true, "crisis meeting at 10:00")
        .unwrap();
    let post = queue_text(&r.publisher, brand, acct, "Pendant la pause").unwrap();
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
    // Its undo window ran out during the pause: resuming gives it a fresh one, so nothing
    // leaves the instant publishing resumes, and it can still be cancelled.
    r.publisher.set_kill_switch(false, "").unwrap();
    assert_eq!(r.publisher.outbox(1).unwrap()[0].send_after, NOW + 600 + 30);
    // Saying "off" again while it is off delays nothing.
    r.clock.advance(10);
    r.publisher.set_kill_switch(false, "").unwrap();
    assert_eq!(r.publisher.outbox(1).unwrap()[0].send_after, NOW + 600 + 30);
    assert_eq!(r.publisher.deliver_due().await.sent, 0);
    r.clock.advance(20);
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
    let post = queue_text(&r.publisher, brand, acct, "Oups, mauvais message").unwrap();
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
async fn text_over_the_instance_limit_is_refused_before_sending() {
    let snac = Snac::start().await;
    let r = rig("m-long");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    let err = queue_text(&r.publisher, brand, acct, "a".repeat(100_001)).unwrap_err();
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
async fn the_same_text_twice_on_one_account_is_refused_until_the_first_is_cancelled() {
    let snac = Snac::start().await;
    let r = rig("m-twice");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    r.publisher.set_config(PublishConfig::default()); // 30 s undo window
    let text = Content::text("Nous rappelons le lot 42 par précaution.");
    let first = r
        .publisher
        .queue(brand, acct, &text, &Confirmation::default(), None)
        .unwrap();
    let again = || {
        r.publisher
            .queue(brand, acct, &text, &Confirmation::default(), None)
    };
    match again().unwrap_err() {
        PublishError::Refused(Refusal::SamePost { post_id, state, .. }) => {
            assert_eq!((post_id, state.as_str()), (first.id, "queued"))
        }
        other => panic!("{other:?}"),
    }
    // Once sent, the same text is still refused for a day…
    r.clock.advance(31);
    assert_eq!(r.publisher.deliver_due().await.sent, 1);
    let err = again().unwrap_err();
    assert!(err.to_string().contains("already sent"), "{err}");
    // …while another text goes, and a cancelled post leaves its text free.
    let other = queue_text(&r.publisher, brand, acct, "Autre chose").unwrap();
    r.publisher.cancel(other.id).unwrap();
    queue_text(&r.publisher, brand, acct, "Autre chose").unwrap();
    r.clock.advance(24 * 3600 + 60);
    again().expect("a day later, a repeat is deliberate");
    r.clock.advance(31);
    let mut sent = 0;
    for _ in 0..4 {
        sent += r.publisher.deliver_due().await.sent;
    }
    assert_eq!(sent, 2);
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 3);
}

#[tokio::test]
async fn a_post_confirmed_by_a_click_waits_for_the_handle_when_the_level_rose_meanwhile() {
    let snac = Snac::start().await;
    let r = rig("m-rose");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    let watch = Store::open_in(r.dir.path())
        .unwrap()
        .add_watch(&watch("Acme", "acme"), NOW)
        .unwrap()
        .id;
    // Calm: a click confirms. The post is held by the kill switch…
    r.publisher
        .set_kill_switch(true, "cellule de crise")
        .unwrap();
    let post = r
        .publisher
        .queue(
            brand,
            acct,
            &Content::text("Tout va bien"),
            &Confirmation::default(),
            Some(watch),
        )
        .unwrap();
    // …while the watch goes to crisis.
    Store::open_in(r.dir.path())
        .unwrap()
        .save_signal_state(
            &vigie_store::WatchLevel {
                watch_id: watch,
                level: vigie_domain::Level::Crisis,
                since: Some(NOW),
                explanation_fr: "crise".into(),
                explanation_en: "crisis".into(),
                last_bucket: None,
            },
            "{}",
            &[],
            NOW,
        )
        .unwrap();
    r.publisher.set_kill_switch(false, "").unwrap();
    r.clock.advance(60);
    r.publisher.deliver_due().await;
    assert!(
        snac.statuses_of(&snac.token).await.is_empty(),
        "a click no longer confirms it"
    );
    let p = r.publisher.outbox(1).unwrap().remove(0);
    assert_eq!(p.state, vigie_domain::publish::PostState::Failed);
    assert!(
        matches!(
            &p.last_problem,
            Some(PostProblem::NotSent {
                refusal: Refusal::TypeHandle { .. }
            })
        ),
        "{:?}",
        p.last_problem
    );
    // Retried with the handle typed, it goes.
    r.publisher
        .retry(
            brand,
            post.id,
            &Confirmation {
                typed_handle: Some(format!("alice@{}", host(&snac))),
            },
        )
        .unwrap();
    r.clock.advance(60);
    assert_eq!(r.publisher.deliver_due().await.sent, 1);
}
