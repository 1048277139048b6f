//! The store against real SQLite files in temp dirs.

use std::process::Command;
use std::time::Duration;
use vigie_domain::{NewMention, NewWatch, Sensitivity, SourceKind, Triage};
use vigie_store::{MentionFilter, NewEvent, PollSuccess, Store, StoreError, SCHEMA_VERSION};

const NOW: i64 = 1_760_000_000;

fn watch(name: &str, query: &str) -> NewWatch {
    NewWatch {
        name: name.into(),
        query: query.into(),
        languages: vec!["fr".into()],
        sensitivity: Sensitivity::High,
        enabled: true,
        sensitive_words: vec![],
        thresholds: None,
    }
}

fn mention(source_id: i64, guid: Option<&str>, url: Option<&str>, text: &str) -> NewMention {
    NewMention {
        source_id,
        guid: guid.map(Into::into),
        url: url.map(Into::into),
        canonical_url: url.map(Into::into),
        title: text.split(' ').take(3).collect::<Vec<_>>().join(" "),
        text: text.into(),
        html: None,
        author: Some("alice".into()),
        published_at: NOW - 60,
        lang: Some("fr".into()),
        content_hash: format!("h:{text}"),
        tonality: None,
    }
}

fn feed(url: &str) -> SourceKind {
    SourceKind::Feed { url: url.into() }
}

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
    let n = s
        .record_failure(b.id, NOW + 10, Some(503), "down", |count| {
            NOW + 10 + 100 * count
        })
        .unwrap();
    assert_eq!(n, 1);
    let n = s
        .record_failure(b.id, NOW + 20, Some(503), "down", |count| {
            NOW + 20 + 100 * count
        })
        .unwrap();
    assert_eq!(n, 2);
    let (_, st) = s.source(b.id).unwrap();
    assert_eq!(
        (st.error_count, st.next_check_at, st.last_error.as_deref()),
        (2, NOW + 220, Some("down"))
    );
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
    assert_eq!(s.source(b.id).unwrap().1.error_count, 0);
}

#[test]
fn ingest_dedupes_by_guid_then_url_then_hash_and_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    let w = s.add_watch(&watch("Danone", "danone"), NOW).unwrap();
    let src1 = s
        .add_source("1", &feed("http://127.0.0.1/1"), 600, NOW)
        .unwrap()
        .id;
    let src2 = s
        .add_source("2", &feed("http://127.0.0.1/2"), 600, NOW)
        .unwrap()
        .id;
    let batch = vec![
        (
            mention(
                src1,
                Some("g1"),
                Some("http://x/1"),
                "Rappel chez Danone à l'usine",
            ),
            vec![w.id],
        ),
        (
            mention(
                src1,
                Some("g1"),
                Some("http://x/other"),
                "same guid, other text",
            ),
            vec![],
        ),
        (
            mention(
                src2,
                Some("zz"),
                Some("http://x/1"),
                "same url, other source",
            ),
            vec![],
        ),
        (
            mention(src2, None, None, "Rappel chez Danone à l'usine"),
            vec![],
        ),
        (
            mention(src2, None, None, "Une société sans rapport"),
            vec![],
        ),
    ];
    let out = s.ingest(&batch, NOW).unwrap();
    assert_eq!((out.inserted, out.duplicates, out.matches), (2, 3, 1));
    // Same batch again: all duplicates.
    let again = s.ingest(&batch, NOW).unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 5));
    let by_watch = s
        .mentions(&MentionFilter {
            watch_id: Some(w.id),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_watch.len(), 1);
    assert_eq!(by_watch[0].watch_ids, vec![w.id]);
    // Full-text search is accent-insensitive and ignores elisions.
    let found = s
        .mentions(&MentionFilter {
            search: Some("SOCIETE".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    let found = s
        .mentions(&MentionFilter {
            search: Some("l'usine".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    let none = s
        .mentions(&MentionFilter {
            since: Some(NOW),
            ..Default::default()
        })
        .unwrap();
    assert!(none.is_empty());
    s.set_triage(found[0].id, Triage::Flagged).unwrap();
    let flagged = s
        .mentions(&MentionFilter {
            triage: Some(Triage::Flagged),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(flagged.len(), 1);
}

/// How many stored mentions a full-text search finds.
fn search(s: &Store, q: &str) -> usize {
    s.mentions(&MentionFilter {
        search: Some(q.into()),
        limit: 1000,
        ..Default::default()
    })
    .unwrap()
    .len()
}

/// FTS5's integrity check: the external-content index matches the mentions table exactly
/// (a row indexed twice, or not at all, fails it).
fn assert_search_index_intact(dir: &std::path::Path) {
    let conn = rusqlite::Connection::open(dir.join(vigie_store::DB_FILE)).unwrap();
    conn.execute(
        "INSERT INTO mentions_fts(mentions_fts, rank) VALUES('integrity-check', 1)",
        [],
    )
    .unwrap();
}

/// A store in `dir` with one feed source, and that source's id.
fn store_with_source(dir: &std::path::Path) -> (Store, i64) {
    let mut s = Store::open_in(dir).unwrap();
    let src = s
        .add_source("1", &feed("http://127.0.0.1/1"), 600, NOW)
        .unwrap()
        .id;
    (s, src)
}

/// `n` mentions of `src` matched to no watch, ready to ingest: guids `{key}-{i}`, texts
/// `text(i)`.
fn unmatched(
    src: i64,
    key: &str,
    n: usize,
    text: impl Fn(usize) -> String,
) -> Vec<(NewMention, Vec<i64>)> {
    (0..n)
        .map(|i| {
            (
                mention(src, Some(&format!("{key}-{i}")), None, &text(i)),
                vec![],
            )
        })
        .collect()
}

#[test]
fn batched_ingests_are_all_searchable_and_a_failed_batch_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, src) = store_with_source(dir.path());
    let texts = |k: usize| {
        unmatched(src, &format!("g{k}"), 20, |i| {
            format!("Grève numéro{k}x{i} à l'usine")
        })
    };
    let outs = s
        .batch(|s| {
            (0..3)
                .map(|k| s.ingest(&texts(k), NOW))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
    assert_eq!(outs.iter().map(|o| o.inserted).sum::<usize>(), 60);
    assert_eq!(search(&s, "greve usine"), 60);
    assert_eq!(search(&s, "numero1x7"), 1);
    // A batch that fails keeps none of its mentions (they were never indexed).
    let err = s.batch(|s| {
        s.ingest(&texts(9), NOW)?;
        Err::<(), _>(StoreError::Invalid {
            what: "test",
            message: "abort".into(),
        })
    });
    assert!(err.is_err());
    assert_eq!(s.mention_count().unwrap(), 60);
    assert_eq!(search(&s, "numero9x1"), 0);
    // The next batch reuses the rolled-back ids: each row is indexed once (the failed
    // batch's queue of rows to index went with it; the integrity check below would fail).
    s.batch(|s| s.ingest(&texts(6), NOW)).unwrap();
    assert_eq!(search(&s, "numero6x3"), 1);
    // Outside a batch, one ingest is its own transaction, indexed at once.
    s.ingest(&texts(5), NOW).unwrap();
    assert_eq!(search(&s, "greve"), 100);
    drop(s);
    assert_search_index_intact(dir.path());
}

#[test]
fn a_failed_write_inside_a_batch_undoes_only_itself_and_kept_mentions_are_indexed_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, src) = store_with_source(dir.path());
    let rows = |k: &str| unmatched(src, k, 10, |i| format!("Rappel {k}x{i} du produit"));
    s.batch(|s| {
        s.ingest(&rows("a"), NOW)?;
        // A mention of an unknown source breaks the foreign key: this write fails after
        // storing nine rows, and undoes itself...
        let mut bad = rows("b");
        bad.push((
            mention(9_999, Some("orphan"), None, "Rappel orphelin"),
            vec![],
        ));
        assert!(s.ingest(&bad, NOW).is_err());
        // ...the batch goes on (the poller's way), and a nested batch joins it; these rows
        // take the ids the failed write gave back.
        s.batch(|s| s.ingest(&rows("c"), NOW))?;
        Ok(())
    })
    .unwrap();
    assert_eq!(s.mention_count().unwrap(), 20);
    assert_eq!(search(&s, "rappel"), 20);
    assert_eq!(search(&s, "bx3"), 0);
    assert_eq!(search(&s, "cx3"), 1);
    drop(s);
    assert_search_index_intact(dir.path());
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
        s.set_kill_switch(true, "test", 2).unwrap();
        s.set_kill_switch(false, "", 3).unwrap();
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
}

#[test]
fn window_counts_per_watch_and_bucket() {
    use vigie_domain::{Tonality, ToneLabel};
    const T0: i64 = NOW / 3600 * 3600; // buckets start at multiples of their step
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_in(dir.path()).unwrap();
    let src = s
        .add_source("A", &feed("http://x/a.xml"), 600, NOW)
        .unwrap()
        .id;
    let a = s.add_watch(&watch("A", "a"), NOW).unwrap().id;
    let b = s.add_watch(&watch("B", "b"), NOW).unwrap().id;
    let at = |t: i64, text: &str, negative: bool| NewMention {
        published_at: t,
        tonality: Some(Tonality {
            score: if negative { -0.8 } else { 0.2 },
            label: if negative {
                ToneLabel::Negative
            } else {
                ToneLabel::Neutral
            },
            anger: false,
        }),
        ..mention(src, None, None, text)
    };
    let batch = vec![
        (at(T0 - 3600, "early", false), vec![a]), // before the window
        (at(T0, "one", true), vec![a, b]),
        (at(T0 + 10, "two", false), vec![a]),
        (at(T0 + 300, "three", true), vec![a]),
        (at(T0 + 600, "at the end", true), vec![a]), // the window ends before it
    ];
    s.ingest(&batch, T0).unwrap();
    let rows = s.window_counts(T0, T0 + 600, 300).unwrap();
    assert_eq!(
        rows,
        vec![(a, T0, 2, 1), (a, T0 + 300, 1, 1), (b, T0, 1, 1)],
        "(watch, bucket, volume, negative), by watch then time"
    );
    assert!(s
        .window_counts(T0 + 1200, T0 + 1800, 300)
        .unwrap()
        .is_empty());
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

/// The newest-first mention stream and the dashboard's series both read one index: the
/// stream without sorting (a sort of 100k rows took 93 ms), the series without the rows.
#[test]
fn the_stream_and_the_series_read_the_publication_index() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open_in(dir.path()).unwrap());
    let conn = rusqlite::Connection::open(dir.path().join("vigie.db")).unwrap();
    let plan = |sql: &str| -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join(" | ")
    };
    let stream =
        plan("SELECT m.id FROM mentions m ORDER BY m.published_at DESC, m.id DESC LIMIT 200");
    assert!(!stream.contains("TEMP B-TREE"), "{stream}");
    let series = plan(
        "SELECT x.watch_id, (m.published_at / 300) * 300 AS b, count(*), sum(m.tonality_label = 'negative')
         FROM mentions m JOIN matches x ON x.mention_id = m.id
         WHERE m.published_at >= 0 AND m.published_at < 86400 GROUP BY x.watch_id, b",
    );
    assert!(
        series.contains("COVERING INDEX mentions_published_id_tonality"),
        "{series}"
    );
}

#[test]
fn known_guids_are_those_stored_for_that_source() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, src) = store_with_source(dir.path());
    let other = s
        .add_source("2", &feed("http://127.0.0.1/2"), 600, NOW)
        .unwrap()
        .id;
    s.ingest(&unmatched(src, "a", 3, |i| format!("Article {i}")), NOW)
        .unwrap();
    s.ingest(&unmatched(other, "b", 1, |i| format!("Autre {i}")), NOW)
        .unwrap();
    // Read through a second connection, as the poller does while the writer works.
    let reader = s.reader().unwrap();
    let known = reader
        .known_guids(src, ["a-0", "a-2", "a-9", "b-0", ""])
        .unwrap();
    let mut known: Vec<_> = known.into_iter().collect();
    known.sort();
    assert_eq!(
        known,
        ["a-0", "a-2"],
        "another source's GUID is not this one's"
    );
    assert!(reader.known_guids(other, ["a-0"]).unwrap().is_empty());
    assert!(reader.known_guids(src, []).unwrap().is_empty());
}

#[test]
fn a_guid_whose_article_another_source_stored_is_known_after_its_first_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, src) = store_with_source(dir.path());
    let other = s
        .add_source("2", &feed("http://127.0.0.1/2"), 600, NOW)
        .unwrap()
        .id;
    s.ingest(&unmatched(src, "a", 2, |i| format!("Article {i}")), NOW)
        .unwrap();
    // The same two articles in another feed, under that feed's own GUIDs, and a new one.
    let out = s
        .ingest(&unmatched(other, "b", 3, |i| format!("Article {i}")), NOW)
        .unwrap();
    assert_eq!((out.inserted, out.duplicates), (1, 2));
    let reader = s.reader().unwrap();
    let mut known: Vec<_> = reader
        .known_guids(other, ["b-0", "b-1", "b-2", "a-0"])
        .unwrap()
        .into_iter()
        .collect();
    known.sort();
    assert_eq!(
        known,
        ["b-0", "b-1", "b-2"],
        "two found elsewhere, one stored; the first source's GUID is not this one's"
    );
    // Given again (by a poller without its reader), they stay duplicates, remembered once.
    let again = s
        .ingest(&unmatched(other, "b", 3, |i| format!("Article {i}")), NOW)
        .unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 3));
    // They go with their source.
    s.remove_source(other).unwrap();
    let left: i64 = rusqlite::Connection::open(dir.path().join("vigie.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM source_guids", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn a_watch_removed_while_a_poll_prepared_its_matches_loses_them_not_the_mention() {
    // The poller compiles the watches when a cycle starts; the user may remove one before
    // the cycle's mentions are stored.
    let dir = tempfile::tempdir().unwrap();
    let (mut s, src) = store_with_source(dir.path());
    let kept = s.add_watch(&watch("Danone", "danone"), NOW).unwrap().id;
    let removed = s.add_watch(&watch("Evian", "evian"), NOW).unwrap().id;
    s.remove_watch(removed).unwrap();
    let batch = vec![(
        mention(src, Some("g-1"), None, "Danone et Evian"),
        vec![kept, removed],
    )];
    let out = s.ingest(&batch, NOW).unwrap();
    assert_eq!((out.inserted, out.matches), (1, 1), "{out:?}");
    let conn = rusqlite::Connection::open(dir.path().join("vigie.db")).unwrap();
    let rows: Vec<(i64, i64)> = conn
        .prepare("SELECT mention_id, watch_id FROM matches")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows,
        [(out.new_ids[0], kept)],
        "no row for the removed watch"
    );
    let violations: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(violations, 0);
    let stored = s
        .mentions(&MentionFilter {
            watch_id: Some(kept),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(stored.len(), 1);
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

#[test]
fn an_account_a_draft_names_stays_and_a_post_for_a_removed_watch_is_refused_clearly() {
    use vigie_domain::publish::{Content, Identity, Network, ProfileKind};
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
    let identity = Identity {
        remote_id: "1".into(),
        handle: "marque@social.example".into(),
        display_name: "Marque".into(),
        avatar_url: None,
        audience: 10,
    };
    let account = s
        .add_account(
            profile.id,
            Network::Mastodon,
            "http://127.0.0.1:1",
            &identity,
            &vigie_domain::publish::Limits::MASTODON_DEFAULT,
            NOW,
        )
        .unwrap();
    let draft = s
        .create_draft("Réponse", None, &[], "cm", None, NOW)
        .unwrap();
    s.save_variant(draft.id, account.id, &Content::text("Bonjour"), "cm", NOW)
        .unwrap();
    let err = s.remove_account(account.id, NOW).unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid { what: "account", message } if message.contains("1 draft(s)")),
        "{err:?}"
    );
    assert!(s.account(account.id).is_ok(), "still listed");
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
