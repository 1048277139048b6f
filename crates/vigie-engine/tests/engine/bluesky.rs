//! Bluesky search against a real local network (PLC + PDS + AppView from @atproto/dev-env),
//! with the app password and the refresh token in the real Secret Service.

use crate::support::*;
use std::sync::Arc;
use vigie_domain::SourceKind;
use vigie_engine::bluesky::Bluesky;
use vigie_engine::fetch::Http;
use vigie_secrets::{Keychain, Sensitive};
use vigie_store::MentionFilter;

fn unique(name: &str) -> String {
    format!(
        "{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

#[tokio::test]
async fn search_posts_with_keychain_app_password_refreshes_instead_of_logging_in_again() {
    let net = BlueskyNet::start();
    net.seed(&[
        "Danone rappelle des yaourts, quel scandale",
        "Rien à voir avec la marque",
        "Encore Danone ce matin",
    ])
    .await;
    let (pds, handle) = (net.field("pds"), net.field("handle"));
    let ns = unique("bsky");
    let passwords = Keychain::new(&format!("{ns}-pw"));
    let sessions = Keychain::new(&format!("{ns}-session"));
    let bluesky = Arc::new(Bluesky::new(passwords.clone(), sessions.clone()));
    bluesky
        .set_app_password(&handle, &Sensitive::new(net.field("app_password")))
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let store = vigie_store::Store::open_in(dir.path()).unwrap();
    let p = Arc::new(vigie_engine::Poller::new(
        Arc::new(std::sync::Mutex::new(store)),
        Http::new(fast_fetch()),
        Arc::clone(&bluesky),
        vigie_engine::PollerConfig::default(),
    ));
    let id = with_store(&p, |s| {
        s.add_source(
            "",
            &SourceKind::BlueskySearch {
                service: pds.clone(),
                handle: handle.clone(),
                query: "Danone".into(),
            },
            300,
            NOW,
        )
        .unwrap()
        .id
    });
    let r = p.poll_once(NOW).await.unwrap();
    assert_eq!((r.new_mentions, r.failed), (2, 0), "{r:?}");
    let ms = with_store(&p, |s| {
        s.mentions(&MentionFilter {
            source_id: Some(id),
            limit: 10,
            ..Default::default()
        })
        .unwrap()
    });
    assert!(ms
        .iter()
        .all(|m| m.guid.as_deref().unwrap().starts_with("at://")));
    assert!(ms
        .iter()
        .any(|m| m.text.contains("scandale") && m.author.as_deref().unwrap().contains(&handle)));
    assert_eq!(bluesky.stats().logins, 1);
    // The password never reached the database.
    let db = std::fs::read(dir.path().join("vigie.db")).unwrap();
    let pw = net.field("app_password");
    assert!(
        !db.windows(pw.len()).any(|w| w == pw.as_bytes()),
        "the app password must not be in SQLite"
    );
    // The refresh token is in the keychain, not the database.
    assert!(sessions.is_set(&handle).unwrap());

    // The access token expires: the next poll refreshes the session, it does not log in again.
    bluesky.expire_access_token().await;
    net.seed(&["Troisième post Danone"]).await;
    with_store(&p, |s| s.check_now(id, NOW + 60).unwrap());
    let r = p.poll_once(NOW + 60).await.unwrap();
    assert_eq!((r.new_mentions, r.duplicates, r.failed), (1, 2, 0), "{r:?}");
    assert_eq!(
        bluesky.stats(),
        vigie_engine::bluesky::SessionStats {
            logins: 1,
            refreshes: 1
        }
    );

    // A new process (a fresh client) reuses the refresh token from the keychain.
    let fresh = Bluesky::new(passwords.clone(), sessions.clone());
    let (entries, _) = fresh
        .search(&Http::new(fast_fetch()), &pds, &handle, "Danone", None, NOW)
        .await
        .unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(
        fresh.stats(),
        vigie_engine::bluesky::SessionStats {
            logins: 0,
            refreshes: 1
        }
    );

    // A wrong app password: a clear error saying to reconnect, and nothing stored is lost.
    let wrong_ns = unique("bsky-wrong");
    let wrong = Bluesky::new(
        Keychain::new(&format!("{wrong_ns}-pw")),
        Keychain::new(&format!("{wrong_ns}-s")),
    );
    wrong
        .set_app_password(&handle, &Sensitive::new("aaaa-bbbb-cccc-dddd".into()))
        .unwrap();
    let err = wrong
        .search(&Http::new(fast_fetch()), &pds, &handle, "Danone", None, NOW)
        .await
        .unwrap_err();
    assert!(
        err.problem
            .message()
            .contains("reconnect it with a valid app password"),
        "{}",
        err.problem.message()
    );
    assert!(
        matches!(&err.problem, vigie_domain::health::Problem::Auth { .. }),
        "{:?}",
        err.problem
    );
    // No app password at all.
    let none_ns = unique("bsky-none");
    let none = Bluesky::new(
        Keychain::new(&format!("{none_ns}-pw")),
        Keychain::new(&format!("{none_ns}-s")),
    );
    let err = none
        .search(&Http::new(fast_fetch()), &pds, &handle, "Danone", None, NOW)
        .await
        .unwrap_err();
    assert!(
        err.problem.message().contains("no app password is stored"),
        "{}",
        err.problem.message()
    );
    // As data, naming the handle (the UI words it; publishing maps it to "no credential").
    assert_eq!(
        err.problem,
        vigie_domain::health::Problem::NoAppPassword {
            handle: handle.clone()
        }
    );
    assert_eq!(with_store(&p, |s| s.mention_count().unwrap()), 3);
    for kc in [&passwords, &sessions] {
        kc.delete(&handle).unwrap();
    }
}
