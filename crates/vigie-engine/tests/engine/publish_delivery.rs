//! Delivery to a real Mastodon API (snac2 on 127.0.0.1) when things go wrong, faults injected by
//! our own TCP proxy: a cut connection, a crash mid-send, a revoked or swapped credential, a 429,
//! a server gone for good, two processes on one data folder. Still exactly one post.

use crate::mastodon_rig::*;
use crate::support::*;
use vigie_domain::publish::{Account, Content, PostProblem};
use vigie_engine::publish::{Confirmation, PublishConfig};
use vigie_secrets::{Keychain, Sensitive};
use vigie_store::{Post, Store};

#[tokio::test]
async fn connection_cut_after_the_server_stored_the_post_then_retry_gives_one_post() {
    let snac = Snac::start().await;
    let proxy = FaultProxy::start(snac.port).await;
    let r = rig("m-cut");
    let (brand, acct) = brand_with_alice(&r, &snac, &proxy.url()).await;
    proxy.inject("POST /api/v1/statuses", Fault::Cut, 1);
    queue_text(
        &r.publisher,
        brand,
        acct,
        "Réponse officielle au sujet du lot 42",
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

/// alice's token is revoked, a post for her fails: the failed post.
async fn failed_by_revocation(r: &Rig, snac: &Snac, (brand, acct): (i64, i64), text: &str) -> Post {
    snac.revoke(&snac.token);
    queue_text(&r.publisher, brand, acct, text).unwrap();
    let report = r.publisher.deliver_due().await;
    assert_eq!(report.failed, 1, "{report:?}");
    r.publisher.outbox(1).unwrap().remove(0)
}

/// alice connected again in `brand` with a fresh token: the account and the token.
async fn reconnected(r: &Rig, snac: &Snac, brand: i64) -> (Account, String) {
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
    (again, fresh)
}

#[tokio::test]
async fn a_revoked_token_fails_with_reconnect() {
    let snac = Snac::start().await;
    let r = rig("m-revoked");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    let p = failed_by_revocation(&r, &snac, (brand, acct), "Après révocation").await;
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
    let (again, fresh) = reconnected(&r, &snac, brand).await;
    assert_eq!(again.id, acct, "the same account, reconnected");
    r.publisher
        .retry(brand, p.id, &Confirmation::default())
        .unwrap();
    assert_eq!(r.publisher.deliver_due().await.sent, 1);
    assert_eq!(snac.statuses_of(&fresh).await.len(), 1);
}

#[tokio::test]
async fn a_retry_passes_the_gate_again_and_gets_a_fresh_undo_window() {
    let snac = Snac::start().await;
    let r = rig("m-retry");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    let failed = failed_by_revocation(&r, &snac, (brand, acct), "Point d'étape").await;
    let (_, fresh) = reconnected(&r, &snac, brand).await;
    // Since it was confirmed, the rule got stricter: the handle must now be typed, in full.
    r.publisher.set_config(PublishConfig {
        undo_secs: 30,
        audience_threshold: Some(-1),
        ..PublishConfig::default()
    });
    let handle = format!("@alice@{}", host(&snac));
    for typed in [None, Some("alice".to_string())] {
        let err = r
            .publisher
            .retry(
                brand,
                failed.id,
                &Confirmation {
                    typed_handle: typed,
                },
            )
            .unwrap_err();
        assert!(err.to_string().contains("type the handle"), "{err}");
    }
    let again = r
        .publisher
        .retry(
            brand,
            failed.id,
            &Confirmation {
                typed_handle: Some(handle),
            },
        )
        .unwrap();
    // A retry is a post like any other: it waits out the undo window and can be cancelled.
    assert_eq!(again.send_after, NOW + 30);
    r.clock.advance(10);
    assert_eq!(r.publisher.deliver_due().await.sent, 0);
    r.publisher.cancel(failed.id).unwrap();
    r.clock.advance(60);
    r.publisher.deliver_due().await;
    assert!(snac.statuses_of(&fresh).await.is_empty());
    // Only a failed post can be retried.
    let err = r
        .publisher
        .retry(brand, failed.id, &Confirmation::default())
        .unwrap_err();
    assert!(err.to_string().contains("only a failed post"), "{err}");
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
    queue_text(&r.publisher, brand, acct, "Ceci ne doit partir que d'Acme").unwrap();
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
    queue_text(&r.publisher, brand, acct, "Point d'étape").unwrap();
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
    let p = r
        .publisher
        .retry(brand, p.id, &Confirmation::default())
        .unwrap();
    assert_eq!((p.last_error, p.last_problem), (None, None));
    assert!(snac.statuses_of(&snac.token).await.is_empty());
}

#[tokio::test]
async fn a_post_that_may_have_gone_out_cannot_be_cancelled_as_if_nothing_was_sent() {
    let snac = Snac::start().await;
    let proxy = FaultProxy::start(snac.port).await;
    let r = rig("m-maybe");
    let (brand, acct) = brand_with_alice(&r, &snac, &proxy.url()).await;
    // The server stores the post, the answer is lost, and reading the account fails too.
    let alice = r
        .publisher
        .accounts(brand)
        .unwrap()
        .remove(0)
        .identity
        .remote_id;
    proxy.inject("POST /api/v1/statuses", Fault::Cut, 1);
    proxy.inject(
        &format!("GET /api/v1/accounts/{alice}/statuses"),
        Fault::Refuse,
        10,
    );
    queue_text(&r.publisher, brand, acct, "Peut-être parti").unwrap();
    r.publisher.deliver_due().await;
    let p = r.publisher.outbox(1).unwrap().remove(0);
    assert!(p.outcome_unknown, "{p:?}");
    assert_eq!(
        snac.statuses_of(&snac.token).await.len(),
        1,
        "it is on the server"
    );
    let err = r.publisher.cancel(p.id).unwrap_err();
    assert!(err.to_string().contains("may have published"), "{err}");
}
