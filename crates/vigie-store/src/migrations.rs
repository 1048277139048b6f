//! Append-only migrations. Never edit a released step: add a new one at the end.

use crate::{Store, StoreError};
use rusqlite::Connection;

/// One step: SQL, or code for what SQL alone cannot say.
enum Migration {
    Sql(&'static str),
    Code(fn(&Connection) -> Result<(), StoreError>),
}
use Migration::{Code, Sql};

const MIGRATIONS: &[Migration] = &[
    // 1: watches, sources and their poll state, mentions with full-text search, matches, events.
    Sql(r#"
    CREATE TABLE watches (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        query        TEXT NOT NULL,
        languages    TEXT NOT NULL DEFAULT '',
        sensitivity  TEXT NOT NULL CHECK (sensitivity IN ('low', 'medium', 'high')),
        enabled      INTEGER NOT NULL DEFAULT 1,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
    );

    CREATE TABLE sources (
        id            INTEGER PRIMARY KEY,
        title         TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('feed', 'mastodon_tag', 'bluesky_search')),
        spec          TEXT NOT NULL,          -- JSON of SourceKind (no secrets, ever)
        identity      TEXT NOT NULL UNIQUE,   -- canonical form of spec, for duplicate detection
        enabled       INTEGER NOT NULL DEFAULT 1,
        interval_secs INTEGER NOT NULL DEFAULT 900 CHECK (interval_secs > 0),
        created_at    INTEGER NOT NULL
    );

    CREATE TABLE poll_state (
        source_id       INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
        next_check_at   INTEGER NOT NULL,
        etag            TEXT,
        last_modified   TEXT,
        error_count     INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        last_status     INTEGER,
        last_checked_at INTEGER,
        last_success_at INTEGER,
        cursor          TEXT
    );
    CREATE INDEX poll_state_due ON poll_state(next_check_at);

    CREATE TABLE mentions (
        id            INTEGER PRIMARY KEY,
        source_id     INTEGER REFERENCES sources(id) ON DELETE SET NULL,
        guid          TEXT,
        url           TEXT,
        canonical_url TEXT,
        content_hash  TEXT NOT NULL,
        title         TEXT NOT NULL,
        text          TEXT NOT NULL,
        html          TEXT,                   -- sanitised HTML only
        author        TEXT,
        published_at  INTEGER NOT NULL,
        fetched_at    INTEGER NOT NULL,
        lang          TEXT,
        triage        TEXT NOT NULL DEFAULT 'new' CHECK (triage IN ('new', 'seen', 'flagged', 'handled'))
    );
    CREATE UNIQUE INDEX mentions_source_guid ON mentions(source_id, guid) WHERE guid IS NOT NULL;
    CREATE INDEX mentions_canonical_url ON mentions(canonical_url) WHERE canonical_url IS NOT NULL;
    CREATE UNIQUE INDEX mentions_content_hash ON mentions(content_hash);
    CREATE INDEX mentions_published ON mentions(published_at);

    CREATE VIRTUAL TABLE mentions_fts USING fts5(
        title, text, author,
        content = 'mentions', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN
        INSERT INTO mentions_fts(rowid, title, text, author) VALUES (new.id, new.title, new.text, new.author);
    END;
    CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN
        INSERT INTO mentions_fts(mentions_fts, rowid, title, text, author) VALUES ('delete', old.id, old.title, old.text, old.author);
    END;
    CREATE TRIGGER mentions_fts_update AFTER UPDATE OF title, text, author ON mentions BEGIN
        INSERT INTO mentions_fts(mentions_fts, rowid, title, text, author) VALUES ('delete', old.id, old.title, old.text, old.author);
        INSERT INTO mentions_fts(rowid, title, text, author) VALUES (new.id, new.title, new.text, new.author);
    END;

    CREATE TABLE matches (
        mention_id INTEGER NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
        watch_id   INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
        PRIMARY KEY (mention_id, watch_id)
    ) WITHOUT ROWID;
    CREATE INDEX matches_watch ON matches(watch_id, mention_id);

    -- Append-only log: signals, alerts, approvals and posts write here too.
    CREATE TABLE events (
        id        INTEGER PRIMARY KEY,
        at        INTEGER NOT NULL,
        kind      TEXT NOT NULL,
        watch_id  INTEGER,
        source_id INTEGER,
        data      TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_at ON events(at);
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
        SELECT RAISE(ABORT, 'the event log is append-only');
    END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
        SELECT RAISE(ABORT, 'the event log is append-only');
    END;
    "#),
    // 2: tonality per mention; sensitive words and level thresholds per watch; per-watch
    // signal state (detectors + level, JSON); small key/value health records.
    Sql(r#"
    ALTER TABLE mentions ADD COLUMN tonality REAL;
    ALTER TABLE mentions ADD COLUMN tonality_label TEXT CHECK (tonality_label IN ('negative', 'neutral', 'positive'));
    ALTER TABLE mentions ADD COLUMN anger INTEGER NOT NULL DEFAULT 0;

    ALTER TABLE watches ADD COLUMN sensitive_words TEXT NOT NULL DEFAULT '';
    ALTER TABLE watches ADD COLUMN thresholds TEXT;

    CREATE TABLE watch_signals (
        watch_id   INTEGER PRIMARY KEY REFERENCES watches(id) ON DELETE CASCADE,
        level      TEXT NOT NULL DEFAULT 'calm' CHECK (level IN ('calm', 'watch', 'alert', 'crisis')),
        level_since INTEGER,
        explanation_fr TEXT NOT NULL DEFAULT '',
        explanation_en TEXT NOT NULL DEFAULT '',
        last_bucket INTEGER,
        state      TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE app_health (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        at    INTEGER NOT NULL
    );
    "#),
    // 3: user settings (language, theme, poll interval, notification preferences).
    Sql(r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    "#),
    // 4: guarded publishing. Profiles (brand | personal) hold accounts; the outbox is the
    // persistent queue of posts (queued → sending → sent | failed | cancelled). Credentials are
    // never here: they live in the OS keychain under a namespace per profile.
    Sql(r#"
    CREATE TABLE profiles (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        kind       TEXT NOT NULL CHECK (kind IN ('brand', 'personal')),
        colour     TEXT NOT NULL,
        allowed_handles TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL
    );

    CREATE TABLE accounts (
        id           INTEGER PRIMARY KEY,
        profile_id   INTEGER NOT NULL REFERENCES profiles(id) ON DELETE RESTRICT,
        network      TEXT NOT NULL CHECK (network IN ('mastodon', 'bluesky')),
        server       TEXT NOT NULL,
        remote_id    TEXT NOT NULL,
        handle       TEXT NOT NULL,
        display_name TEXT NOT NULL DEFAULT '',
        avatar_url   TEXT,
        audience     INTEGER NOT NULL DEFAULT 0,
        limits       TEXT NOT NULL,
        connected_at INTEGER NOT NULL,
        UNIQUE (network, server, remote_id)
    );
    CREATE UNIQUE INDEX accounts_handle ON accounts(network, handle);

    CREATE TABLE outbox (
        id           INTEGER PRIMARY KEY,
        key          TEXT NOT NULL UNIQUE,
        account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
        content      TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
        queued_at    INTEGER NOT NULL,
        queued_micros INTEGER NOT NULL,
        send_after   INTEGER NOT NULL,
        attempts     INTEGER NOT NULL DEFAULT 0,
        attempt_started_at INTEGER,
        last_error   TEXT,
        remote_id    TEXT,
        remote_url   TEXT,
        sent_at      INTEGER,
        watch_id     INTEGER REFERENCES watches(id) ON DELETE SET NULL,
        updated_at   INTEGER NOT NULL
    );
    CREATE INDEX outbox_due ON outbox(state, send_after);
    "#),
    // 5: drafts (per-account variants, history, comments), playbooks, the team roster (public
    // keys only: private keys stay in the keychain), signed approvals, and the hash-chained
    // audit log.
    Sql(r#"
    CREATE TABLE roster (
        key       TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        roles     TEXT NOT NULL DEFAULT '[]',
        autonomy  TEXT NOT NULL DEFAULT 'medium' CHECK (autonomy IN ('low', 'medium', 'high')),
        added_at  INTEGER NOT NULL
    );

    CREATE TABLE drafts (
        id         INTEGER PRIMARY KEY,
        title      TEXT NOT NULL,
        watch_id   INTEGER REFERENCES watches(id) ON DELETE SET NULL,
        mention_ids TEXT NOT NULL DEFAULT '[]',
        author_key TEXT NOT NULL,
        origin     TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE draft_variants (
        draft_id     INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
        account_id   INTEGER NOT NULL REFERENCES accounts(id),
        content      TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        version      INTEGER NOT NULL,
        updated_by   TEXT NOT NULL,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (draft_id, account_id)
    );

    CREATE TABLE draft_history (
        id         INTEGER PRIMARY KEY,
        draft_id   INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
        account_id INTEGER NOT NULL,
        version    INTEGER NOT NULL,
        content    TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        author_key TEXT NOT NULL,
        at         INTEGER NOT NULL
    );

    CREATE TABLE draft_comments (
        id         INTEGER PRIMARY KEY,
        draft_id   INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
        author_key TEXT NOT NULL,
        author_name TEXT NOT NULL,
        text       TEXT NOT NULL,
        at         INTEGER NOT NULL
    );

    CREATE TABLE playbooks (
        name       TEXT PRIMARY KEY,
        toml       TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE approvals (
        id           INTEGER PRIMARY KEY,
        signature    TEXT NOT NULL UNIQUE,
        kind         TEXT NOT NULL CHECK (kind IN ('approval', 'pre_approval')),
        subject_hash TEXT NOT NULL,
        account      TEXT NOT NULL,
        approver_key TEXT NOT NULL,
        approver_name TEXT NOT NULL,
        role         TEXT NOT NULL,
        signed_at    INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        max_level    TEXT,
        request_id   TEXT,
        statement    TEXT NOT NULL,
        imported_at  INTEGER NOT NULL,
        used_by_post INTEGER REFERENCES outbox(id)
    );
    CREATE INDEX approvals_subject ON approvals(subject_hash, account);

    CREATE TABLE audit (
        seq       INTEGER PRIMARY KEY,
        at        INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        kind      TEXT NOT NULL,
        data      TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    "#),
    // 6: new mentions are full-text indexed by `Store::ingest` in one statement per batch
    // instead of by a per-row trigger. Every row-level INSERT into `mentions` inside a
    // transaction opens a statement savepoint, and FTS5 flushes its pending index data to
    // disk at every savepoint: the trigger wrote one tiny segment per mention and spent
    // most of the store's time merging them. The delete and update triggers stay.
    Sql(r#"
    DROP TRIGGER mentions_fts_insert;
    "#),
    // 7: the outbox remembers whether an attempt's outcome was unknown (only then does Vigie
    // read the account's posts before writing again) and when the first attempt started.
    Sql(r#"
    ALTER TABLE outbox ADD COLUMN outcome_unknown INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN first_attempt_at INTEGER;
    "#),
    // 8: the publication-time index also carries the tonality, so the dashboard's volume and
    // negative-share series read the index alone, never the mentions' rows.
    Sql(r#"
    DROP INDEX mentions_published;
    CREATE INDEX mentions_published_tonality ON mentions(published_at, tonality_label);
    "#),
    // 9: the id as well, between the two: the mention stream's order (published_at DESC,
    // id DESC) is the index's again. Without it, SQLite sorted ties itself: 1 ms → 93 ms for
    // the newest 200 of 100k mentions.
    Sql(r#"
    DROP INDEX mentions_published_tonality;
    CREATE INDEX mentions_published_id_tonality ON mentions(published_at, id, tonality_label);
    "#),
    // 10: the mentions' two CHECK constraints as comparisons instead of IN lists (see
    // `mention_checks_as_comparisons`).
    Code(mention_checks_as_comparisons),
    // 11: the full-text index merges its segments eight at a time instead of four: each
    // indexed word is rewritten about half as often as the index grows (callgrind: -8 % of
    // ingest's writer); searches read up to 7 segments per level instead of 3.
    Sql(r#"
    INSERT INTO mentions_fts(mentions_fts, rank) VALUES ('automerge', 8);
    "#),
    // 12: a source's GUIDs whose item was already stored from elsewhere (the same article
    // in another feed, found by its link or content). The poller drops a re-fetched entry
    // whose GUID is here as it drops one stored under the source's own GUID, instead of
    // preparing it again on every fetch to find the same duplicate.
    Sql(r#"
    CREATE TABLE source_guids (
        source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        guid       TEXT NOT NULL,
        mention_id INTEGER NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
        PRIMARY KEY (source_id, guid)
    ) WITHOUT ROWID;
    CREATE INDEX source_guids_mention ON source_guids(mention_id);
    "#),
    // 13: a source's last failure as data (`vigie_domain::health::Problem`, JSON) beside
    // its English words, so the app can say it in the user's language.
    Sql(r#"
    ALTER TABLE poll_state ADD COLUMN last_problem TEXT;
    "#),
    // 14: a post's last failure as data (`vigie_domain::publish::PostProblem`, JSON) beside
    // its English words, for the same reason.
    Sql(r#"
    ALTER TABLE outbox ADD COLUMN last_problem TEXT;
    "#),
];

const TRIAGE_IN: &str = "CHECK (triage IN ('new', 'seen', 'flagged', 'handled'))";
const TRIAGE_OR: &str =
    "CHECK (triage = 'new' OR triage = 'seen' OR triage = 'flagged' OR triage = 'handled')";
const TONE_IN: &str = "CHECK (tonality_label IN ('negative', 'neutral', 'positive'))";
const TONE_OR: &str = "CHECK (tonality_label = 'negative' OR tonality_label = 'neutral' \
     OR tonality_label = 'positive')";

/// SQLite checks `x IN ('a', 'b', 'c')` by building a temporary B-tree of the list, and a
/// CHECK constraint is checked for every row written: two temporary B-trees per mention
/// stored, a fifth of the ingest writer's instructions. The same rules as comparisons cost
/// nothing of the kind (and treat NULL alike: a NULL tonality passes both).
///
/// Only the table's SQL text changes, no stored row. SQLite documents this procedure
/// (lang_altertable.html, "other kinds of table schema changes") for changes that leave
/// the stored content alone, such as removing a CHECK constraint; replacing one with an
/// equivalent rule leaves it alone too, as every stored row satisfies both. The steps:
/// `writable_schema`, the new text, `schema_version` + 1, inside this migration's
/// transaction. A text other than the one migrations 1 and 2 wrote is refused, not
/// guessed at.
fn mention_checks_as_comparisons(conn: &Connection) -> Result<(), StoreError> {
    let sql = mentions_table_sql(conn)?;
    if !(sql.contains(TRIAGE_IN) && sql.contains(TONE_IN)) {
        return Err(StoreError::Invalid {
            what: "schema",
            message: "the mentions table is not as Vigie created it; migration 10 cannot \
                      rewrite its constraints"
                .into(),
        });
    }
    let sql = sql.replace(TRIAGE_IN, TRIAGE_OR).replace(TONE_IN, TONE_OR);
    let version: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA writable_schema = ON")?;
    let edited = conn
        .execute(
            "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = 'mentions'",
            [&sql],
        )
        .and_then(|_| conn.pragma_update(None, "schema_version", version + 1));
    // Off again whatever happened; on an error the transaction is rolled back.
    conn.execute_batch("PRAGMA writable_schema = OFF")?;
    edited?;
    Ok(())
}

/// The `CREATE TABLE` text SQLite keeps for `mentions`.
fn mentions_table_sql(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'mentions'",
        [],
        |r| r.get(0),
    )
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn run(store: &mut Store) -> Result<(), StoreError> {
    let found = store.schema_version()?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: store.path().to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    apply(store, found)
}

/// Runs the steps after `found`, each in its own transaction.
fn apply(store: &mut Store, found: i64) -> Result<(), StoreError> {
    for (i, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = i as i64 + 1;
        store.write(|tx| {
            // Read again under the write lock: another process (the CLI beside the app)
            // may have run this step since.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if now >= version {
                return Ok(());
            }
            match step {
                Sql(sql) => tx.execute_batch(sql)?,
                Code(f) => f(tx)?,
            }
            tx.pragma_update(None, "user_version", version)?;
            Ok(())
        })?;
    }
    Ok(())
}

impl From<rusqlite::Error> for StoreError {
    fn from(source: rusqlite::Error) -> Self {
        StoreError::Sqlite {
            path: Default::default(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database as version 9 left it, with one mention in it.
    fn version_9(path: &std::path::Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        for (i, step) in MIGRATIONS[..9].iter().enumerate() {
            let Sql(sql) = step else {
                panic!("step {} is code", i + 1)
            };
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", i as i64 + 1)
                .unwrap();
        }
        conn.execute(
            "INSERT INTO mentions (content_hash, title, text, published_at, fetched_at, tonality_label)
             VALUES ('h0', 'before', 'x', 1, 1, 'negative')",
            [],
        )
        .unwrap();
        conn
    }

    fn insert(
        conn: &Connection,
        hash: &str,
        triage: &str,
        label: Option<&str>,
    ) -> rusqlite::Result<usize> {
        conn.execute(
            "INSERT INTO mentions (content_hash, title, text, published_at, fetched_at, triage, tonality_label)
             VALUES (?1, 't', 'x', 1, 1, ?2, ?3)",
            rusqlite::params![hash, triage, label],
        )
    }

    #[test]
    fn migration_10_keeps_rows_and_rules_and_inserts_build_no_temporary_btree() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vigie.db");
        drop(version_9(&path));
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let conn = &store.conn;

        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let kept: (String, String) = conn
            .query_row("SELECT title, tonality_label FROM mentions", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(kept, ("before".to_string(), "negative".to_string()));
        let sql = mentions_table_sql(conn).unwrap();
        assert!(
            sql.contains(TRIAGE_OR) && sql.contains(TONE_OR) && !sql.contains(" IN ("),
            "{sql}"
        );

        // What the change is for: an insert's program opens no temporary B-tree.
        let mut explain = conn
            .prepare(
                "EXPLAIN INSERT INTO mentions (content_hash, title, text, published_at, fetched_at, triage, tonality_label)
                 VALUES ('h', 't', 'x', 1, 1, 'new', 'neutral')",
            )
            .unwrap();
        let opcodes: Vec<String> = explain
            .query_map([], |r| r.get(1))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(opcodes.iter().any(|o| o == "Insert"), "{opcodes:?}");
        assert!(!opcodes.iter().any(|o| o == "OpenEphemeral"), "{opcodes:?}");

        // The rules are the same: every allowed value passes, NULL tonality too, others fail.
        for (i, triage) in ["new", "seen", "flagged", "handled"]
            .into_iter()
            .enumerate()
        {
            insert(conn, &format!("t{i}"), triage, None).unwrap();
        }
        for (i, label) in ["negative", "neutral", "positive"].into_iter().enumerate() {
            insert(conn, &format!("l{i}"), "new", Some(label)).unwrap();
        }
        for (triage, label) in [
            ("done", None),
            ("New", None),
            ("new", Some("angry")),
            ("new", Some("")),
        ] {
            let err = insert(conn, "bad", triage, label).unwrap_err();
            assert!(
                err.to_string().contains("CHECK constraint failed"),
                "{triage} {label:?}: {err}"
            );
        }
    }

    /// Two processes (the app and the CLI) open the same old database: the second one read
    /// version 9 before the first migrated, and must skip what the first did.
    #[test]
    fn a_step_another_process_already_ran_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vigie.db");
        drop(version_9(&path));
        let mut late = Store::over(Connection::open(&path).unwrap(), path.clone());
        let first = Store::open(&path).unwrap();
        assert_eq!(first.schema_version().unwrap(), SCHEMA_VERSION);
        apply(&mut late, 9).unwrap();
        assert_eq!(late.schema_version().unwrap(), SCHEMA_VERSION);
        let sql = mentions_table_sql(&late.conn).unwrap();
        assert_eq!(sql.matches(TRIAGE_OR).count(), 1, "{sql}");
    }

    #[test]
    fn the_search_index_merges_eight_segments_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("vigie.db")).unwrap();
        let automerge: i64 = store
            .conn
            .query_row(
                "SELECT v FROM mentions_fts_config WHERE k = 'automerge'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(automerge, 8);
    }

    #[test]
    fn migration_10_refuses_a_mentions_table_it_did_not_create() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vigie.db");
        let conn = version_9(&path);
        conn.execute_batch("ALTER TABLE mentions RENAME COLUMN tonality_label TO label")
            .unwrap();
        drop(conn);
        let Err(err) = Store::open(&path) else {
            panic!("migration 10 must refuse")
        };
        assert!(
            matches!(err, StoreError::Invalid { what: "schema", .. }),
            "{err:?}"
        );
        // Nothing half-done: the database is still at version 9.
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 9);
    }
}
