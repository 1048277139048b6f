//! Bluesky search against a real local network (PLC + PDS + AppView from @atproto/dev-env),
//! with the app password and the refresh token in the real Secret Service.

use crate::support::*;
use std::sync::Arc;
use vigie_domain::SourceKind;
use vigie_engine::bluesky::{credential_key, Bluesky};
use vigie_engine::fetch::Http;
use vigie_secrets::{Keychain, Sensitive};

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
        .set_app_password(&pds, &handle, &Sensitive::new(net.field("app_password")))
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
    let ms = source_mentions(&p, id);
    assert!(ms
        .iter()
        .all(|m| m.guid.as_deref().unwrap().starts_with("at://")));
    assert!(ms
        .iter()
        .any(|m| m.text.contains("scandale") && m.author.as_deref().unwrap().contains(&handle)));
    assert_eq!(bluesky.stats().logins, 1);
    // The password never reached the database (nor its write-ahead log, where recent writes
    // sit until a checkpoint).
    let pw = net.field("app_password");
    for file in ["vigie.db", "vigie.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(pw.len()).any(|w| w == pw.as_bytes()),
            "the app password must not be in SQLite ({file})"
        );
    }
    // The refresh token is in the keychain, filed under the server and the handle.
    let key = credential_key(&pds, &handle);
    assert!(sessions.is_set(&key).unwrap());
    assert!(!sessions.is_set(&handle).unwrap());

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

    // A copy-paste campaign: the same words from two other accounts are two voices (two
    // mentions), not one post seen twice.
    let campaign = "Boycott Danone, honte à vous !";
    net.seed_as(&[("bob.test", campaign), ("carol.test", campaign)])
        .await;
    with_store(&p, |s| s.check_now(id, NOW + 90).unwrap());
    let r = p.poll_once(NOW + 90).await.unwrap();
    assert_eq!((r.new_mentions, r.failed), (2, 0), "{r:?}");
    let voices: Vec<_> = source_mentions(&p, id)
        .into_iter()
        .filter(|m| m.text == campaign)
        .filter_map(|m| m.author)
        .collect();
    assert_eq!(voices.len(), 2, "{voices:?}");
    assert!(
        voices.iter().any(|a| a.contains("bob.test"))
            && voices.iter().any(|a| a.contains("carol.test")),
        "{voices:?}"
    );

    // A new process (a fresh client) reuses the refresh token from the keychain.
    let fresh = Bluesky::new(passwords.clone(), sessions.clone());
    let (entries, _) = fresh
        .search(&Http::new(fast_fetch()), &pds, &handle, "Danone", None, NOW)
        .await
        .unwrap();
    assert_eq!(entries.len(), 5);
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
        .set_app_password(&pds, &handle, &Sensitive::new("aaaa-bbbb-cccc-dddd".into()))
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
    assert_eq!(with_store(&p, |s| s.mention_count().unwrap()), 5);
    for kc in [&passwords, &sessions] {
        kc.delete(&key).unwrap();
    }
}

/// A server that only counts the connections it is offered (it answers none).
fn counting_server() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = Arc::clone(&seen);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(conn);
        }
    });
    (url, seen)
}

#[tokio::test]
async fn credentials_only_go_to_the_server_they_were_given_for() {
    let ns = unique("bsky-origin");
    let passwords = Keychain::new(&format!("{ns}-pw"));
    let sessions = Keychain::new(&format!("{ns}-session"));
    let bluesky = Bluesky::new(passwords.clone(), sessions.clone());
    let handle = "alice.test";
    // The account's password and refresh token, given for its own server.
    let home = "https://pds.example";
    bluesky
        .set_app_password(home, handle, &Sensitive::new("pass-word-for-home".into()))
        .unwrap();
    sessions
        .set(
            &credential_key(home, handle),
            &Sensitive::new("refresh-token-for-home".into()),
        )
        .unwrap();

    // A search with the same handle on another server finds no credentials for it, and
    // that server hears nothing: not the password, not the refresh token.
    let (other, seen) = counting_server();
    let err = bluesky
        .search(
            &Http::new(fast_fetch()),
            &other,
            handle,
            "Danone",
            None,
            NOW,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.problem,
        vigie_domain::health::Problem::NoAppPassword {
            handle: handle.into()
        }
    );
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 0);
    // A plain-http server elsewhere (a source an older Vigie added) is sent nothing either,
    // even with a password stored for it.
    let plain = "http://pds.example";
    bluesky
        .set_app_password(plain, handle, &Sensitive::new("pass-word-for-plain".into()))
        .unwrap();
    let err = bluesky
        .search(&Http::new(fast_fetch()), plain, handle, "Danone", None, NOW)
        .await
        .unwrap_err();
    assert_eq!(
        err.problem,
        vigie_domain::health::Problem::InsecureServer {
            server: plain.into()
        }
    );
    bluesky.remove_stored(plain, handle).unwrap();
    // The same server written differently (a trailing slash, capitals) is the same origin.
    assert_eq!(
        credential_key("HTTPS://PDS.example/", " alice.test "),
        credential_key(home, handle)
    );
    assert_ne!(
        credential_key("http://pds.example", handle),
        credential_key(home, handle)
    );
    assert!(bluesky
        .has_app_password("https://pds.example/", handle)
        .unwrap());

    bluesky.remove_stored(home, handle).unwrap();
    assert!(!bluesky.has_app_password(home, handle).unwrap());
    assert!(!sessions.is_set(&credential_key(home, handle)).unwrap());
}

#[tokio::test]
async fn credentials_filed_under_the_handle_alone_move_to_their_only_server() {
    let ns = unique("bsky-legacy");
    let passwords = Keychain::new(&format!("{ns}-pw"));
    let sessions = Keychain::new(&format!("{ns}-session"));
    let bluesky = Bluesky::new(passwords.clone(), sessions.clone());
    // As older versions stored them: under the handle alone.
    for h in ["alice.test", "bob.test"] {
        passwords
            .set(h, &Sensitive::new(format!("{h}-password")))
            .unwrap();
        sessions
            .set(h, &Sensitive::new(format!("{h}-refresh")))
            .unwrap();
    }
    let pairs = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(s, h)| (s.to_string(), h.to_string()))
            .collect::<Vec<_>>()
    };
    let moved = bluesky
        .adopt_legacy(&pairs(&[
            // alice: one server, written two ways.
            ("https://a.example", "alice.test"),
            ("https://a.example/", "alice.test"),
            // bob: two servers; nothing says which one the old password was given for.
            ("https://a.example", "bob.test"),
            ("https://b.example", "bob.test"),
        ]))
        .unwrap();
    assert_eq!(moved, 1);
    assert_eq!(
        bluesky
            .app_password("https://a.example", "alice.test")
            .unwrap()
            .map(|p| p.expose().clone()),
        Some("alice.test-password".into())
    );
    assert!(!passwords.is_set("alice.test").unwrap());
    // bob's old password stays where it was, given to neither server.
    assert!(passwords.is_set("bob.test").unwrap());
    for server in ["https://a.example", "https://b.example"] {
        assert!(!bluesky.has_app_password(server, "bob.test").unwrap());
    }
    // Old refresh tokens are dropped: the next search signs in with the password.
    for h in ["alice.test", "bob.test"] {
        assert!(!sessions.is_set(h).unwrap());
    }
    // Running it again changes nothing.
    assert_eq!(
        bluesky
            .adopt_legacy(&pairs(&[("https://a.example", "alice.test")]))
            .unwrap(),
        0
    );
    bluesky
        .remove_stored("https://a.example", "alice.test")
        .unwrap();
    passwords.delete("bob.test").unwrap();
}
