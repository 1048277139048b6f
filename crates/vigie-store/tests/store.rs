//! The store against real SQLite files in temp dirs: opening, schema, watches, sources,
//! events, locks, audit, publishing. Mentions (ingest, dedupe, search) are in mentions.rs.

mod support;

use std::process::Command;
use std::time::Duration;
use support::{feed, watch, NOW};
use vigie_domain::health::Problem;
use vigie_domain::Sensitivity;
use vigie_store::{NewEvent, PollSuccess, Store, StoreError, SCHEMA_VERSION};

#[test]
fn opens_with_wal_foreign_keys_and_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(dir.path().join("vigie.db").exists());
    // Reopening runs no migration twice.
    drop(store);
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn refuses_a_database_from_a_newer_vigie() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open_in(dir.path()).unwrap());
    let conn = rusqlite::Connection::open(dir.path().join("vigie.db")).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = Store::open_in(dir.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
    assert!(err.to_string().contains("newer Vigie"), "{err}");
}

#[test]
fn watches_crud_and_bad_query() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    let w = s
        .add_watch(&watch("Danone", "danone OR evian"), NOW)
        .unwrap();
    assert_eq!(s.find_watch("Danone").unwrap().id, w.id);
    assert_eq!(s.find_watch(&w.id.to_string()).unwrap().name, "Danone");
    assert!(matches!(
        s.add_watch(&watch("Danone", "x"), NOW),
        Err(StoreError::Duplicate { .. })
    ));
    let bad = s.add_watch(&watch("Bad", "danone AND"), NOW).unwrap_err();
    assert!(bad.to_string().contains("position 11"), "{bad}");
    let mut edited = watch("Danone SA", "danone");
    edited.sensitivity = Sensitivity::Low;
    let w2 = s.update_watch(w.id, &edited, NOW + 1).unwrap();
    assert_eq!(
        (w2.name.as_str(), w2.sensitivity, w2.updated_at),
        ("Danone SA", Sensitivity::Low, NOW + 1)
    );
    // Languages are two-letter codes, stored in lower case once each.
    let mut langs = watch("Langues", "danone");
    langs.languages = vec![" FR ".into(), "en-GB".into(), "fr".into(), "".into()];
    let l = s.add_watch(&langs, NOW).unwrap();
    assert_eq!(l.languages, vec!["fr", "en"]);
    langs.languages = vec!["french".into()];
    let err = s.update_watch(l.id, &langs, NOW).unwrap_err();
    assert!(
        err.to_string()
            .contains("\"french\" is not a language code"),
        "{err}"
    );
    // A number that is one watch's id and another's name is not guessed.
    let named = s
        .add_watch(&watch(&w.id.to_string(), "evian"), NOW)
        .unwrap();
    let err = s.find_watch(&w.id.to_string()).unwrap_err();
    assert!(err.to_string().contains("give the id"), "{err}");
    assert_eq!(s.find_watch(&named.id.to_string()).unwrap().id, named.id);
    s.remove_watch(named.id).unwrap();
    s.remove_watch(l.id).unwrap();
    s.remove_watch(w.id).unwrap();
    assert!(s.watches().unwrap().is_empty());
    assert!(matches!(
        s.remove_watch(w.id),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn due_batch_success_failure_and_check_now() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    let a = s
        .add_source("A", &feed("http://127.0.0.1/a.xml"), 600, NOW)
        .unwrap();
    let b = s
        .add_source("B", &feed("http://127.0.0.1/b.xml"), 600, NOW + 10)
        .unwrap();
    assert!(matches!(
        s.add_source("A2", &feed("http://127.0.0.1/a.xml"), 600, NOW),
        Err(StoreError::Duplicate { .. })
    ));
    let due: Vec<i64> = s
        .due_sources(NOW, 10)
        .unwrap()
        .iter()
        .map(|(s, _)| s.id)
        .collect();
    assert_eq!(due, vec![a.id]);
    s.record_success(
        a.id,
        &PollSuccess {
            checked_at: NOW,
            next_check_at: NOW + 600,
            status: Some(200),
            etag: Some("\"v1\"".into()),
            last_modified: None,
            cursor: None,
        },
    )
    .unwrap();
    let down = Problem::Http {
        status: 503,
        retry_after_secs: Some(60),
    };
    let n = s
        .record_failure(b.id, NOW + 10, Some(503), &down, |count| {
            NOW + 10 + 100 * count
        })
        .unwrap();
    assert_eq!(n, 1);
    let n = s
        .record_failure(b.id, NOW + 20, Some(503), &down, |count| {
            NOW + 20 + 100 * count
        })
        .unwrap();
    assert_eq!(n, 2);
    let (_, st) = s.source(b.id).unwrap();
    // The failure is kept in words (the CLI's) and as data (each screen's own language).
    assert_eq!(
        (st.error_count, st.next_check_at, st.last_error.as_deref()),
        (2, NOW + 220, Some(down.message().as_str()))
    );
    assert_eq!(st.last_problem, Some(down));
    let (_, sa) = s.source(a.id).unwrap();
    assert_eq!(sa.etag.as_deref(), Some("\"v1\""));
    assert!(s.due_sources(NOW + 100, 10).unwrap().is_empty());
    s.check_now(a.id, NOW + 100).unwrap();
    let due: Vec<i64> = s
        .due_sources(NOW + 100, 10)
        .unwrap()
        .iter()
        .map(|(s, _)| s.id)
        .collect();
    assert_eq!(due, vec![a.id]);
    // Success resets the error count.
    s.record_success(
        b.id,
        &PollSuccess {
            checked_at: NOW + 300,
            next_check_at: NOW + 900,
            ..Default::default()
        },
    )
    .unwrap();
    let (_, st) = s.source(b.id).unwrap();
    assert_eq!(
        (st.error_count, st.last_error, st.last_problem),
        (0, None, None)
    );
}

#[test]
fn events_are_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    s.append_event(&NewEvent {
        at: NOW,
        kind: "test",
        watch_id: None,
        source_id: None,
        data: serde_json::json!({"a": 1}),
    })
    .unwrap();
    assert_eq!(s.events(Some("test"), 10).unwrap()[0].data["a"], 1);
    let conn = rusqlite::Connection::open(dir.path().join("vigie.db")).unwrap();
    let upd = conn
        .execute("UPDATE events SET kind = 'x'", [])
        .unwrap_err();
    assert!(upd.to_string().contains("append-only"), "{upd}");
    let del = conn.execute("DELETE FROM events", []).unwrap_err();
    assert!(del.to_string().contains("append-only"), "{del}");
}

#[test]
fn a_locked_database_gives_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    s.add_watch(&watch("Kept", "kept"), NOW).unwrap();
    let path = dir.path().join("vigie.db");
    let mut other = rusqlite::Connection::open(&path).unwrap();
    let tx = other
        .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)
        .unwrap();
    let mut s2 = Store::open_with_timeout(&path, Duration::from_millis(100)).unwrap();
    let err = s2.add_watch(&watch("New", "new"), NOW).unwrap_err();
    assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
    assert!(err.to_string().contains("another Vigie process"), "{err}");
    drop(tx);
    assert_eq!(
        s2.watches().unwrap().len(),
        1,
        "the existing watch is intact"
    );
    s2.add_watch(&watch("New", "new"), NOW).unwrap();
    assert_eq!(s.watches().unwrap().len(), 2);
}

/// Makes `path` read-only even for root (immutable attribute), or by permissions otherwise.
fn make_read_only(path: &std::path::Path, on: bool) -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    if root {
        Command::new("chattr")
            .arg(if on { "+i" } else { "-i" })
            .arg(path)
            .status()
            .is_ok_and(|s| s.success())
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            path,
            std::fs::Permissions::from_mode(if on { 0o444 } else { 0o644 }),
        )
        .is_ok()
    }
}

#[test]
fn a_read_only_database_gives_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    s.add_watch(&watch("Kept", "kept"), NOW).unwrap();
    drop(s);
    let path = dir.path().join("vigie.db");
    assert!(
        make_read_only(&path, true),
        "could not make the file read-only"
    );
    let result =
        Store::open_in(dir.path()).and_then(|mut s| s.add_watch(&watch("New", "new"), NOW));
    make_read_only(&path, false);
    let err = result.unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    assert!(err.to_string().contains("read-only"), "{err}");
    let s = Store::open_in(dir.path()).unwrap();
    assert_eq!(s.watches().unwrap().len(), 1);
}

/// The audit log chains every entry to the previous one: an edit or a deletion made behind
/// Vigie's back (triggers dropped, file edited with sqlite3) is found, and its place named.
#[test]
fn audit_chain_detects_edits_and_deletions() {
    use vigie_domain::publish::ProfileKind;
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open_in(dir.path()).unwrap();
        s.add_profile(
            "Acme",
            ProfileKind::Brand,
            "#c00000",
            &["acme@x.example".into()],
            1,
        )
        .unwrap();
        s.set_kill_switch(true, "test", 2, 2).unwrap();
        s.set_kill_switch(false, "", 3, 3).unwrap();
        s.audit(4, "note", &serde_json::json!({"n": 4})).unwrap();
        let r = s.verify_audit().unwrap();
        assert_eq!((r.entries, r.broken.clone()), (4, None), "{r:?}");
        // The log refuses edits through SQL while its triggers are there.
        let e = s.audit_entries(1).unwrap();
        assert_eq!(e[0].seq, 4);
    }
    let path = dir.path().join("vigie.db");
    let tamper = |sql: &str| {
        let c = rusqlite::Connection::open(&path).unwrap();
        let err = c.execute_batch("UPDATE audit SET kind = 'x' WHERE seq = 1");
        assert!(err.is_err(), "append-only trigger");
        c.execute_batch(&format!(
            "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; {sql}"
        ))
        .unwrap();
    };
    tamper("UPDATE audit SET data = '{\"reason\":\"nothing to see\"}' WHERE seq = 2");
    let r = Store::open_in(dir.path()).unwrap().verify_audit().unwrap();
    assert_eq!(r.entries, 1);
    let why = r.broken.unwrap();
    assert!(why.contains("entry 2") && why.contains("modified"), "{why}");

    // A deleted entry leaves a gap in the sequence.
    let dir2 = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open_in(dir2.path()).unwrap();
        for i in 1..=5 {
            s.audit(i, "note", &serde_json::json!({"n": i})).unwrap();
        }
    }
    let c = rusqlite::Connection::open(dir2.path().join("vigie.db")).unwrap();
    c.execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 3")
        .unwrap();
    drop(c);
    let r = Store::open_in(dir2.path()).unwrap().verify_audit().unwrap();
    let why = r.broken.unwrap();
    assert!(why.contains("entry 3") && why.contains("deleted"), "{why}");

    // Cutting the newest entries, or all of them, leaves a valid but shorter chain: the head
    // kept beside it says so.
    for cut in ["DELETE FROM audit WHERE seq >= 4", "DELETE FROM audit"] {
        let dir3 = tempfile::tempdir().unwrap();
        {
            let mut s = Store::open_in(dir3.path()).unwrap();
            for i in 1..=5 {
                s.audit(i, "note", &serde_json::json!({"n": i})).unwrap();
            }
            assert_eq!(s.verify_audit().unwrap().broken, None);
        }
        let c = rusqlite::Connection::open(dir3.path().join("vigie.db")).unwrap();
        c.execute_batch(&format!("DROP TRIGGER audit_no_delete; {cut}"))
            .unwrap();
        drop(c);
        let r = Store::open_in(dir3.path()).unwrap().verify_audit().unwrap();
        let why = r.broken.unwrap_or_default();
        assert!(
            why.contains("entry 5 was written") && why.contains("removed"),
            "{cut}: {why}"
        );
    }
}

#[test]
fn the_reader_sees_commits_and_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Store::open_in(dir.path()).unwrap();
    let reader = Store::open_reader(dir.path()).unwrap();
    assert!(reader.watches().unwrap().is_empty());
    let added = w.add_watch(&watch("Danone", "danone"), NOW).unwrap();
    assert_eq!(
        reader.watches().unwrap()[0].id,
        added.id,
        "commits are seen"
    );
    let mut reader = reader;
    let err = reader.add_watch(&watch("X", "x"), NOW).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    assert_eq!(
        w.watches().unwrap().len(),
        1,
        "nothing written through the reader"
    );
}

#[test]
fn saving_the_signal_state_of_a_removed_watch_says_it_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    let w = s.add_watch(&watch("Evian", "evian"), NOW).unwrap().id;
    // Removed through another connection, as another Vigie process would.
    Store::open_in(dir.path()).unwrap().remove_watch(w).unwrap();
    let row = vigie_store::WatchLevel {
        watch_id: w,
        level: vigie_domain::Level::Calm,
        since: None,
        explanation_fr: String::new(),
        explanation_en: String::new(),
        last_bucket: None,
    };
    let err = s.save_signal_state(&row, "{}", &[], NOW).unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "watch", .. }),
        "{err:?}"
    );
}

/// A Mastodon account `handle` (shown as `name`), connected to the profile `profile_id`.
fn mastodon_account(
    s: &mut Store,
    profile_id: i64,
    handle: &str,
    name: &str,
) -> vigie_domain::publish::Account {
    let identity = vigie_domain::publish::Identity {
        remote_id: "1".into(),
        handle: handle.into(),
        display_name: name.into(),
        avatar_url: None,
        audience: 10,
    };
    s.add_account(
        profile_id,
        vigie_domain::publish::Network::Mastodon,
        "http://127.0.0.1:1",
        &identity,
        &vigie_domain::publish::Limits::MASTODON_DEFAULT,
        NOW,
    )
    .unwrap()
}

#[test]
fn an_account_a_draft_names_stays_and_a_post_for_a_removed_watch_is_refused_clearly() {
    use vigie_domain::publish::{Content, ProfileKind};
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    let profile = s
        .add_profile(
            "Marque",
            ProfileKind::Brand,
            "#cc0000",
            &["marque@social.example".into()],
            NOW,
        )
        .unwrap();
    let account = mastodon_account(&mut s, profile.id, "marque@social.example", "Marque");
    let draft = s
        .create_draft("Réponse", None, &[], "cm", None, NOW)
        .unwrap();
    s.save_variant(draft.id, account.id, &Content::text("Bonjour"), "cm", NOW)
        .unwrap();
    // Disconnecting it keeps its row for the draft's versions (the caller drops the credential).
    let (_, kept) = s.remove_account(account.id, NOW).unwrap();
    assert!(kept);
    assert!(s.account(account.id).is_ok(), "still listed");
    assert_eq!(s.events(Some("account_disconnected"), 5).unwrap().len(), 1);
    // A post written for a watch that is removed before it is queued says so.
    let w = s.add_watch(&watch("Evian", "evian"), NOW).unwrap().id;
    s.remove_watch(w).unwrap();
    let content = Content::text("Notre réponse");
    let post = vigie_store::NewPost {
        key: "k-1",
        account_id: account.id,
        content: &content,
        send_after: NOW,
        queued_micros: 0,
        watch_id: Some(w),
        confirmation: serde_json::Value::Null,
    };
    let err = s.queue_post(&post, NOW).unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "watch", .. }),
        "{err:?}"
    );
    assert!(s.posts(10).unwrap().is_empty());
}

#[test]
fn a_post_failure_is_kept_as_words_and_data_and_a_send_clears_both() {
    use vigie_domain::publish::{Content, PostProblem, ProfileKind};
    use vigie_store::Outcome;
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    let profile = s
        .add_profile("Moi", ProfileKind::Personal, "#0060a0", &[], NOW)
        .unwrap();
    let account = mastodon_account(&mut s, profile.id, "moi@social.example", "Moi");
    let content = Content::text("Bonjour");
    let post = s
        .queue_post(
            &vigie_store::NewPost {
                key: "k-1",
                account_id: account.id,
                content: &content,
                send_after: NOW,
                queued_micros: 0,
                watch_id: None,
                confirmation: serde_json::Value::Null,
            },
            NOW,
        )
        .unwrap();
    let problem = PostProblem::GaveUp {
        attempts: 5,
        cause: Box::new(PostProblem::Unreachable {
            detail: "connection refused".into(),
        }),
    };
    s.finish_post(
        post.id,
        &Outcome::Failed {
            problem: problem.clone(),
            unknown: false,
        },
        NOW + 1,
    )
    .unwrap();
    drop(s);
    let mut s = Store::open_in(dir.path()).unwrap();
    let p = s.post(post.id).unwrap();
    assert_eq!(p.last_error.as_deref(), Some(problem.to_string().as_str()));
    assert_eq!(
        p.last_error.as_deref(),
        Some("the server could not be reached (connection refused) (after 5 attempts, Vigie stopped trying: press retry once this is solved)")
    );
    assert_eq!(p.last_problem, Some(problem));
    let failed = s.events(Some("post_failed"), 1).unwrap();
    assert_eq!(failed[0].data["problem"]["cause"]["kind"], "unreachable");
    // A kind this Vigie does not know (written by a later one): the words still say it.
    let conn = rusqlite::Connection::open(dir.path().join("vigie.db")).unwrap();
    conn.execute(
        "UPDATE outbox SET last_problem = '{\"kind\":\"fromTheFuture\"}' WHERE id = ?1",
        [post.id],
    )
    .unwrap();
    let p = s.post(post.id).unwrap();
    assert_eq!((p.last_problem, p.last_error.is_some()), (None, true));
    // Sent: both cleared.
    s.finish_post(
        post.id,
        &Outcome::Sent {
            remote_id: "9".into(),
            remote_url: None,
            reconciled: false,
        },
        NOW + 2,
    )
    .unwrap();
    let p = s.post(post.id).unwrap();
    assert_eq!((p.last_error, p.last_problem), (None, None));
}

#[test]
fn a_source_key_that_names_several_is_refused_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    let a = s
        .add_source("Actu FR", &feed("http://127.0.0.1/a"), 600, NOW)
        .unwrap();
    let b = s
        .add_source("Actu FR", &feed("http://127.0.0.1/b"), 600, NOW)
        .unwrap();
    let err = s.find_source("Actu FR").unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("names 2 sources (ids {}, {})", a.id, b.id)),
        "{err}"
    );
    assert_eq!(s.find_source("http://127.0.0.1/b").unwrap().0.id, b.id);
    assert_eq!(s.find_source(&a.id.to_string()).unwrap().0.id, a.id);
    // A title that is another source's id.
    let c = s
        .add_source(&a.id.to_string(), &feed("http://127.0.0.1/c"), 600, NOW)
        .unwrap();
    assert_eq!(s.find_source(&c.id.to_string()).unwrap().0.id, c.id);
    let err = s.find_source(&a.id.to_string()).unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("names 2 sources (ids {}, {})", a.id, c.id)),
        "{err}"
    );
    assert!(matches!(
        s.find_source("nothing"),
        Err(StoreError::NotFound { .. })
    ));
}
