//! Guarded publishing to a real Bluesky PDS (the local network from @atproto/dev-env), app
//! passwords and refresh tokens in the real Secret Service, faults from our TCP proxy.
//! One network for the whole story (it takes ~10 s and ~500 MB to start).

use crate::support::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigie_domain::publish::{Content, PostState, ProfileKind};
use vigie_engine::fetch::FetchConfig;
use vigie_engine::publish::{Confirmation, NoApprovalPolicy, PublishConfig, Publisher};
use vigie_secrets::Sensitive;
use vigie_store::Store;

fn publisher(dir: &std::path::Path, clock: Arc<ManualClock>, prefix: &str) -> Arc<Publisher> {
    let store = Arc::new(Mutex::new(Store::open_in(dir).unwrap()));
    let p = Publisher::new(store, dir, clock, prefix, Arc::new(NoApprovalPolicy)).with_fetch(
        FetchConfig {
            connect_timeout: Duration::from_secs(3),
            total_timeout: Duration::from_secs(5),
            ..FetchConfig::default()
        },
    );
    p.set_config(PublishConfig {
        undo_secs: 0,
        ..PublishConfig::default()
    });
    Arc::new(p)
}

/// The posts really in the repository (public listRecords).
async fn records(pds: &str, did: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{pds}/xrpc/com.atproto.repo.listRecords?repo={did}&collection=app.bsky.feed.post&limit=100"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["records"].as_array().cloned().unwrap_or_default()
}

fn creates(proxy: &FaultProxy) -> usize {
    proxy
        .requests()
        .iter()
        .filter(|l| l.starts_with("POST /xrpc/com.atproto.repo.createRecord"))
        .count()
}

#[tokio::test]
async fn bluesky_publishing_is_guarded_and_never_duplicates() {
    let net = BlueskyNet::start();
    let pds = net.field("pds");
    let pds_port: u16 = pds.rsplit(':').next().unwrap().parse().unwrap();
    let proxy = FaultProxy::start(pds_port).await;
    let acme = net.account("marque-acme.test").await;
    let bob = net.account("jeanne.test").await;
    let did = acme["did"]
        .as_str()
        .unwrap_or_else(|| panic!("{acme}"))
        .to_string();
    let acme_pw = acme["app_password"].as_str().unwrap().to_string();
    let bob_pw = bob["app_password"].as_str().unwrap().to_string();

    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(NOW);
    let prefix = unique_prefix("bsky-pub");
    let p = publisher(dir.path(), Arc::clone(&clock), &prefix);
    let brand = p
        .create_profile(
            "Acme",
            ProfileKind::Brand,
            "#c00000",
            &["@marque-acme.test".into()],
        )
        .unwrap();

    // A personal account cannot join the brand profile; a wrong password connects nothing.
    let err = p
        .connect_bluesky(
            brand.id,
            &proxy.url(),
            "jeanne.test",
            Sensitive::new(bob_pw.clone()),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("allow-list"), "{err}");
    let err = p
        .connect_bluesky(
            brand.id,
            &proxy.url(),
            "marque-acme.test",
            Sensitive::new(bob_pw.clone()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "auth", "{err}");
    assert!(p.accounts(brand.id).unwrap().is_empty());
    // The account's own password (it could change the password or delete the account) is
    // refused: only an app password is kept.
    let main_pw = acme["password"].as_str().unwrap().to_string();
    let err = p
        .connect_bluesky(
            brand.id,
            &proxy.url(),
            "marque-acme.test",
            Sensitive::new(main_pw),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not an app password"), "{err}");
    assert!(p.accounts(brand.id).unwrap().is_empty());

    let acct = p
        .connect_bluesky(
            brand.id,
            &proxy.url(),
            "marque-acme.test",
            Sensitive::new(acme_pw),
        )
        .await
        .unwrap();
    assert_eq!(acct.identity.remote_id, did);
    assert_eq!(acct.identity.handle, "marque-acme.test");
    assert_eq!(acct.limits.max_chars, 300);

    // Over 300 graphemes: refused before anything is sent.
    let err = queue_text(&p, brand.id, acct.id, "é".repeat(301)).unwrap_err();
    assert!(err.to_string().contains("301"), "{err}");
    // 300 graphemes, but over Bluesky's 3,000 bytes: refused too.
    let err = queue_text(&p, brand.id, acct.id, "👨‍👩‍👧‍👦".repeat(300)).unwrap_err();
    assert!(err.to_string().contains("7500 bytes"), "{err}");

    // A post with a mention, a link and a hashtag: facets with UTF-8 byte offsets.
    let text = "Réponse à @jeanne.test : tout est sur https://acme.example/rappel #Rappel";
    queue_text(&p, brand.id, acct.id, text).unwrap();
    assert_eq!(p.deliver_due().await.sent, 1);
    let recs = records(&pds, &did).await;
    assert_eq!(recs.len(), 1);
    let facets = recs[0]["value"]["facets"]
        .as_array()
        .expect("facets")
        .clone();
    assert_eq!(facets.len(), 3, "{facets:?}");
    let start = facets[0]["index"]["byteStart"].as_u64().unwrap() as usize;
    let end = facets[0]["index"]["byteEnd"].as_u64().unwrap() as usize;
    assert_eq!(&text[start..end], "@jeanne.test");
    assert_eq!(
        facets[0]["features"][0]["did"].as_str(),
        bob["did"].as_str(),
        "the mention resolves to bob's DID"
    );
    let sent = p.outbox(1).unwrap().remove(0);
    assert_eq!(sent.remote_id.as_deref(), recs[0]["uri"].as_str());

    // An image with its alt text.
    let img = p
        .add_image(&fixtures().join("red-4x4.png"), "Un carré rouge")
        .unwrap();
    let with_image = Content {
        text: "Visuel du communiqué".into(),
        images: vec![img],
    };
    p.queue(
        brand.id,
        acct.id,
        &with_image,
        &Confirmation::default(),
        None,
    )
    .unwrap();
    assert_eq!(p.deliver_due().await.sent, 1);
    let recs = records(&pds, &did).await;
    let posted = recs
        .iter()
        .find(|r| r["value"]["text"] == "Visuel du communiqué")
        .expect("the image post");
    assert_eq!(
        posted["value"]["embed"]["images"][0]["alt"],
        "Un carré rouge"
    );

    // The connection is cut after the PDS stored the record: one record, found again.
    proxy.inject("POST /xrpc/com.atproto.repo.createRecord", Fault::Cut, 1);
    queue_text(&p, brand.id, acct.id, "Coupure réseau").unwrap();
    let report = p.deliver_due().await;
    assert_eq!(report.sent, 1, "{report:?}");
    let n = records(&pds, &did).await.len();
    assert_eq!(n, 3);

    // A crash between "sending" and "sent", then a restart: still exactly one record.
    proxy.inject("POST /xrpc/com.atproto.repo.createRecord", Fault::Hang, 1);
    queue_text(&p, brand.id, acct.id, "Panne en plein envoi").unwrap();
    let creates_before = creates(&proxy);
    let p2 = Arc::clone(&p);
    let delivery = tokio::spawn(async move { p2.deliver_due().await });
    for _ in 0..300 {
        if records(&pds, &did).await.len() == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    delivery.abort();
    let _ = delivery.await;
    drop(p);
    assert_eq!(records(&pds, &did).await.len(), 4);
    clock.advance(60);
    let restarted = publisher(dir.path(), Arc::clone(&clock), &prefix);
    let report = restarted.deliver_due().await;
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(records(&pds, &did).await.len(), 4, "exactly one record");
    assert_eq!(
        creates(&proxy),
        creates_before + 1,
        "the record was never written twice"
    );
    assert!(restarted
        .outbox(10)
        .unwrap()
        .iter()
        .all(|p| p.state == PostState::Sent));

    // The kill switch also holds Bluesky posts.
    restarted.set_kill_switch(true, "pause").unwrap();
    queue_text(&restarted, brand.id, acct.id, "En pause").unwrap();
    assert!(restarted.deliver_due().await.paused);
    assert_eq!(records(&pds, &did).await.len(), 4);
    restarted.set_kill_switch(false, "").unwrap();
    assert_eq!(restarted.deliver_due().await.sent, 1);
    assert_eq!(records(&pds, &did).await.len(), 5);

    // The connection drops before the PDS sees the write: the outcome is unknown, the record
    // is looked for (the PDS answers RecordNotFound), and the next attempt writes it, once.
    proxy.inject("POST /xrpc/com.atproto.repo.createRecord", Fault::Refuse, 1);
    queue_text(&restarted, brand.id, acct.id, "Jamais arrivé").unwrap();
    let report = restarted.deliver_due().await;
    assert_eq!(report.deferred, 1, "{report:?}");
    let waiting = restarted.outbox(1).unwrap().remove(0);
    assert!(waiting.outcome_unknown, "{waiting:?}");
    assert_eq!(records(&pds, &did).await.len(), 5);
    clock.advance(31);
    let report = restarted.deliver_due().await;
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(records(&pds, &did).await.len(), 6, "exactly one record");

    // The account gains a follower after it was connected, crossing the audience threshold
    // (over 0 here): a post confirmed by a click does not go out, and the audience the PDS
    // reports now is stored; a retry with the handle typed in full sends it.
    restarted.set_config(PublishConfig {
        undo_secs: 0,
        audience_threshold: Some(0),
        ..PublishConfig::default()
    });
    assert_eq!(
        restarted.accounts(brand.id).unwrap()[0].identity.audience,
        0
    );
    let post = queue_text(&restarted, brand.id, acct.id, "Nouvelle audience").unwrap();
    net.follow("lecteur.test", "marque-acme.test").await;
    let report = restarted.deliver_due().await;
    assert_eq!(report.failed, 1, "{report:?}");
    let failed = restarted.outbox(1).unwrap().remove(0);
    assert_eq!(failed.id, post.id);
    let error = failed.last_error.clone().unwrap_or_default();
    assert!(
        error.contains("type the handle") && error.contains("with 1 follower"),
        "{error}"
    );
    assert_eq!(records(&pds, &did).await.len(), 6, "nothing written");
    assert_eq!(
        restarted.accounts(brand.id).unwrap()[0].identity.audience,
        1
    );
    restarted
        .retry(
            brand.id,
            post.id,
            &Confirmation {
                typed_handle: Some("@marque-acme.test".into()),
            },
        )
        .unwrap();
    assert_eq!(restarted.deliver_due().await.sent, 1);
    assert_eq!(records(&pds, &did).await.len(), 7);
}
