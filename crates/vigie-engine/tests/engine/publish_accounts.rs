//! Connecting Mastodon accounts to profiles, against a real Mastodon API (snac2 on 127.0.0.1)
//! and the real Secret Service: allow-lists, the brand's handles kept out of personal
//! profiles whatever address is typed, OAuth sign-in (and stopping it), reconnecting,
//! disconnecting. Publishing itself: publish_mastodon.rs.

use crate::mastodon_rig::*;
use crate::support::*;
use std::sync::Arc;
use std::time::Duration;
use vigie_domain::publish::{PostProblem, ProfileKind, Refusal};
use vigie_engine::app::AppError;
use vigie_engine::publish::PublishError;
use vigie_secrets::{Keychain, Sensitive};
use vigie_store::Store;

#[tokio::test]
async fn personal_account_cannot_join_a_brand_profile() {
    let snac = Snac::start().await;
    let (_, bob_token) = snac.add_user("bob").await;
    let r = rig("m-allow");
    let brand = acme_listing_alice(&r, &snac);
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
    let me = personal(&r, "Moi");
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
async fn oauth_with_a_loopback_redirect_connects_the_account() {
    let snac = Snac::start().await;
    let (bob_password, _) = snac.add_user("bob").await;
    let r = rig("m-oauth");
    let me = personal(&r, "Bob perso");
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
async fn a_sign_in_the_user_stopped_waiting_for_connects_nothing() {
    let snac = Snac::start().await;
    let r = Arc::new(rig("m-oauth-stop"));
    let me = personal(&r, "Perso");
    let (flow, _) = r.publisher.begin_mastodon_oauth(&snac.url()).await.unwrap();
    let waiting = tokio::spawn({
        let (r, flow) = (Arc::clone(&r), flow.clone());
        async move {
            r.publisher
                .finish_mastodon_oauth(&flow, me.id, None, Duration::from_secs(60))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        r.publisher.cancel_mastodon_oauth(&flow).await,
        "it was waiting"
    );
    let err = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the wait ends at once")
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, PublishError::Refused(Refusal::SignInStopped)),
        "{err:?}"
    );
    assert!(r.publisher.accounts(me.id).unwrap().is_empty());
    assert!(
        !r.publisher.cancel_mastodon_oauth(&flow).await,
        "nothing left to stop"
    );
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

#[tokio::test]
async fn the_brand_s_account_never_lands_in_a_personal_profile_whatever_the_address() {
    let snac = Snac::start().await;
    let r = rig("m-chrysler");
    let me = personal(&r, "Jeanne perso");
    let brand = acme_listing_alice(&r, &snac);
    // The brand's account offered to the personal profile, by the address the brand uses and
    // by another name of the same server: refused before anything is saved, either way.
    let localhost = format!("http://localhost:{}", snac.port);
    for server in [snac.url(), localhost.clone()] {
        let err = connect_alice(&r, &snac, me.id, &server).await.unwrap_err();
        match err {
            PublishError::Refused(Refusal::BrandAccount { handle, brand }) => {
                assert_eq!(handle, format!("alice@{}", host(&snac)));
                assert_eq!(brand, "Acme");
            }
            other => panic!("{server}: {other:?}"),
        }
    }
    assert!(r.publisher.accounts(me.id).unwrap().is_empty());
    // The brand connects it through one address; the other address is the same account.
    let acct = connect_alice(&r, &snac, brand.id, &snac.url())
        .await
        .unwrap();
    assert_eq!(acct.identity.handle, format!("alice@{}", host(&snac)));
    let again = connect_alice(&r, &snac, brand.id, &localhost)
        .await
        .unwrap();
    assert_eq!(again.id, acct.id, "reconnected, not a second account");
    // An address with a user name or password in it is refused: credentials go to the keychain.
    let err = r
        .publisher
        .connect_mastodon_token(
            me.id,
            &format!("http://u:pw@127.0.0.1:{}", snac.port),
            Sensitive::new(snac.token.clone()),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused(Refusal::CredentialsInAddress { server }) if !server.contains("pw")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_account_with_history_is_disconnected_its_credential_gone_its_posts_kept() {
    let snac = Snac::start().await;
    let r = rig("m-disc");
    let (brand, acct) = brand_with_alice(&r, &snac, &snac.url()).await;
    queue_text(&r.publisher, brand, acct, "Avant le départ").unwrap();
    assert_eq!(r.publisher.deliver_due().await.sent, 1);
    assert!(r.publisher.credential_is_set(acct).unwrap());
    // Access must be revoked (someone leaves the team): the token leaves the keychain even
    // though a post names the account, which stays listed for that post.
    let d = r.publisher.disconnect(acct).await.unwrap();
    assert!(d.kept_for_history);
    assert!(!r.publisher.credential_is_set(acct).unwrap());
    assert_eq!(r.publisher.accounts(brand).unwrap().len(), 1);
    assert_eq!(r.publisher.outbox(5).unwrap()[0].account_id, acct);
    // Nothing goes out on it any more until it is connected again.
    queue_text(&r.publisher, brand, acct, "Après le départ").unwrap();
    r.publisher.deliver_due().await;
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 1);
    let p = r.publisher.outbox(1).unwrap().remove(0);
    assert!(
        matches!(p.last_problem, Some(PostProblem::NoCredential { .. })),
        "{p:?}"
    );
}

#[tokio::test]
async fn an_account_an_older_vigie_connected_is_reconnected_not_duplicated() {
    use vigie_domain::publish::{Identity, Limits, Network};
    let snac = Snac::start().await;
    let r = rig("m-upgrade");
    let typed_host = format!("alice@127.0.0.1:{}", snac.port);
    let brand = r
        .publisher
        .create_profile(
            "Acme",
            ProfileKind::Brand,
            "#c00000",
            &[typed_host.clone(), format!("alice@{}", host(&snac))],
        )
        .unwrap();
    // Before handles took the instance's own domain, alice was filed under the address typed.
    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/accounts/verify_credentials", snac.url()))
        .bearer_auth(&snac.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let old = Store::open_in(r.dir.path())
        .unwrap()
        .add_account(
            brand.id,
            Network::Mastodon,
            &snac.url(),
            &Identity {
                remote_id: me["id"].as_str().unwrap().to_string(),
                handle: typed_host,
                display_name: "alice".into(),
                avatar_url: None,
                audience: 0,
            },
            &Limits::MASTODON_DEFAULT,
            NOW,
        )
        .unwrap();
    assert!(!r.publisher.credential_is_set(old.id).unwrap());
    // Reconnecting it finds it (same address, same id) and files the token where it is read.
    let again = connect_alice(&r, &snac, brand.id, &snac.url())
        .await
        .unwrap();
    assert_eq!(again.id, old.id);
    assert_eq!(r.publisher.accounts(brand.id).unwrap().len(), 1);
    assert!(r.publisher.credential_is_set(old.id).unwrap());
    queue_text(&r.publisher, brand.id, old.id, "Toujours là").unwrap();
    assert_eq!(r.publisher.deliver_due().await.sent, 1);
}

#[tokio::test]
async fn an_account_a_brand_names_later_stops_speaking_for_a_personal_profile() {
    let snac = Snac::start().await;
    let r = rig("m-later");
    let me = personal(&r, "Jeanne perso");
    let acct = connect_alice(&r, &snac, me.id, &snac.url()).await.unwrap();
    // Then the brand lists that handle as its own: the personal profile can no longer post
    // with it (it was connected first, so the connect-time rule never saw the brand).
    r.publisher
        .create_profile(
            "Acme",
            ProfileKind::Brand,
            "#c00000",
            std::slice::from_ref(&acct.identity.handle),
        )
        .unwrap();
    let err = queue_text(&r.publisher, me.id, acct.id, "Perso ?").unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused(Refusal::BrandAccount { brand, .. }) if brand == "Acme"),
        "{err:?}"
    );
}
