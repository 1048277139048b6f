//! Mentions against real SQLite files: ingest and its dedupe, the full-text index, the
//! GUIDs a source already knows, matches, the dashboard's counts.

mod support;

use support::{feed, watch, NOW};
use vigie_domain::{NewMention, Triage};
use vigie_store::{MentionFilter, Store, StoreError};

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
    // Of the two new mentions, the one a watch matches is what the app's stream announces.
    assert_eq!(out.new_ids.len(), 2);
    assert_eq!(out.new_matched_ids, vec![out.new_ids[0]]);
    let matched_only = s
        .mentions(&MentionFilter {
            matched_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        matched_only.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![out.new_ids[0]]
    );
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

/// A store with two feed sources, and their ids.
fn store_with_two_sources(dir: &std::path::Path) -> (Store, i64, i64) {
    let (mut s, src) = store_with_source(dir);
    let other = s
        .add_source("2", &feed("http://127.0.0.1/2"), 600, NOW)
        .unwrap()
        .id;
    (s, src, other)
}

/// The GUIDs among `guids` that `source` knows, sorted.
fn known(reader: &Store, source: i64, guids: &[&str]) -> Vec<String> {
    let mut known: Vec<_> = reader
        .known_guids(source, guids.iter().copied())
        .unwrap()
        .into_iter()
        .collect();
    known.sort();
    known
}

#[test]
fn known_guids_are_those_stored_for_that_source() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, src, other) = store_with_two_sources(dir.path());
    s.ingest(&unmatched(src, "a", 3, |i| format!("Article {i}")), NOW)
        .unwrap();
    s.ingest(&unmatched(other, "b", 1, |i| format!("Autre {i}")), NOW)
        .unwrap();
    // Read through a second connection, as the poller does while the writer works.
    let reader = s.reader().unwrap();
    assert_eq!(
        known(&reader, src, &["a-0", "a-2", "a-9", "b-0", ""]),
        ["a-0", "a-2"],
        "another source's GUID is not this one's"
    );
    assert!(reader.known_guids(other, ["a-0"]).unwrap().is_empty());
    assert!(reader.known_guids(src, []).unwrap().is_empty());
}

#[test]
fn a_guid_whose_article_another_source_stored_is_known_after_its_first_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, src, other) = store_with_two_sources(dir.path());
    s.ingest(&unmatched(src, "a", 2, |i| format!("Article {i}")), NOW)
        .unwrap();
    // The same two articles in another feed, under that feed's own GUIDs, and a new one.
    let out = s
        .ingest(&unmatched(other, "b", 3, |i| format!("Article {i}")), NOW)
        .unwrap();
    assert_eq!((out.inserted, out.duplicates), (1, 2));
    let reader = s.reader().unwrap();
    assert_eq!(
        known(&reader, other, &["b-0", "b-1", "b-2", "a-0"]),
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

/// The search box speaks the watch query language: for every query, the full-text index
/// finds exactly the mentions a watch with that query matches (its pure matcher, table-tested
/// in vigie-domain, is the reference). Written with the cases where the index's tokenizer
/// differs from the matcher's folding: ligatures, elisions, hyphens, accents, operators.
#[test]
fn search_finds_what_a_watch_with_the_same_query_matches() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, src) = store_with_source(dir.path());
    let texts = [
        "Danone rappelle des yaourts",
        "La Société Générale et Danone",
        "L'usine de Rouen ferme ses portes",
        "Le cœur de la marque Danone",
        "Une œuvre d'art à l'Élysée",
        "Lactalis: rappel de lait infantile",
        "Boycott Danone: l'appel se répand",
        "Boycotter ou pas ? Le débat",
        "Danone en bourse, l'action monte",
        "Evian et Danone, même groupe",
        "E-mail de la rédaction, aujourd'hui",
        "Straße und Danone",
        "Danone or not Danone, that is the question",
        "NEAR the factory, nothing",
        "Rappel produit chez Lactalis et Danone",
        "Rappel chez Evian, pas ailleurs",
        "Grève à l'usine Danone de Lyon",
        "Le cœur d'Evian bat encore",
    ];
    let batch: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (mention(src, Some(&format!("g{i}")), None, t), vec![]))
        .collect();
    s.ingest(&batch, NOW).unwrap();
    let queries = [
        "danone",
        "DANONE -bourse",
        "danone NOT (bourse OR evian)",
        "danone OR lactalis",
        "lactalis OU evian",
        "\"rappel produit\"",
        "\"l'usine de Rouen\"",
        "usine",
        "societe ET generale",
        "coeur",
        "cœur",
        "Œuvre",
        "elysee",
        "boycott*",
        "boycott",
        "e-mail",
        "aujourd'hui",
        "strasse",
        "danone or",
        "\"NEAR\"",
        "rappel (danone OR evian) -lactalis",
        "danone (rappel OR -bourse)",
        "danone (-evian -bourse)",
        "danone (-evian OR -bourse)",
        "NOT NOT lactalis",
        // The index keeps elided letters as words ("l usine"); the matcher drops them.
        "\"grève à l'usine\"",
        "\"coeur d'evian\"",
        "danone -\"grève à l'usine\"",
        "evian -\"le coeur\"",
    ];
    let stored = s
        .mentions(&MentionFilter {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(stored.len(), texts.len());
    for q in queries {
        let query = vigie_domain::Query::parse(q).unwrap();
        let mut expected: Vec<i64> = stored
            .iter()
            .filter(|m| {
                query.matches_str(&format!(
                    "{}\n{}\n{}",
                    m.title,
                    m.text,
                    m.author.as_deref().unwrap_or("")
                ))
            })
            .map(|m| m.id)
            .collect();
        let mut found: Vec<i64> = s
            .mentions(&MentionFilter {
                search: Some(q.into()),
                limit: 100,
                ..Default::default()
            })
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect();
        expected.sort();
        found.sort();
        assert!(!expected.is_empty(), "{q}: the corpus should hold a match");
        assert_eq!(found, expected, "{q} (FTS5: {})", query.fts5());
    }
    // A search the query language cannot read says where and what, as the watch editor does.
    let err = s
        .mentions(&MentionFilter {
            search: Some("danone OR".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid { what: "search", message } if message.contains("position 10")),
        "{err:?}"
    );
}

/// Candidates the matcher turns down do not shorten a page: the search reads on.
#[test]
fn a_search_page_stays_full_when_most_candidates_are_turned_down() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, src) = store_with_source(dir.path());
    // 10 older mentions with the phrase, then 130 newer ones with both words apart.
    let mut batch = unmatched(src, "phrase", 10, |i| format!("Rappel produit numéro {i}"));
    for (m, _) in &mut batch {
        m.published_at = NOW - 10_000;
    }
    batch.extend(unmatched(src, "apart", 130, |i| {
        format!("Produit {i} : pas de rappel")
    }));
    s.ingest(&batch, NOW).unwrap();
    let found = s
        .mentions(&MentionFilter {
            search: Some("\"rappel produit\"".into()),
            limit: 5,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 5);
    assert!(found.iter().all(|m| m.text.starts_with("Rappel produit")));
    assert_eq!(search(&s, "\"rappel produit\""), 10);
    assert_eq!(search(&s, "rappel produit"), 140);
}
