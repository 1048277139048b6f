//! Vigie's local state: one SQLite file.
//!
//! Opening sets WAL, foreign keys and a busy timeout, then runs the append-only migrations
//! (each in a transaction, version in `user_version`). A database written by a newer Vigie
//! is refused with a clear message instead of being damaged.

mod approvals;
mod audit;
mod drafts;
mod events;
mod mentions;
mod migrations;
mod publish;
mod signals;
mod sources;
mod watches;

pub use approvals::{Member, NewApproval, StoredApproval};
pub use audit::{AuditEntry, AuditReport};
pub use drafts::{Comment, Draft, Origin, Variant, Version};
pub use events::{Event, NewEvent};
pub use mentions::{IngestOutcome, MatchFacts, MentionFacts, MentionFilter};
pub use migrations::SCHEMA_VERSION;
pub use publish::{KillSwitch, NewPost, Outcome, Post};
pub use signals::WatchLevel;
pub use sources::PollSuccess;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DB_FILE: &str = "vigie.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "this database ({path}) was written by a newer Vigie (schema {found}, this Vigie knows up to {supported}): \
         update Vigie, or point VIGIE_DATA_DIR at another folder. Nothing was changed."
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error(
        "the database {path} is busy: another Vigie process is writing to it. Close the other Vigie \
         (or wait for it to finish) and try again. Nothing was lost."
    )]
    Busy { path: PathBuf },
    #[error(
        "the database {path} is read-only: Vigie cannot save anything there. Check the file's \
         permissions and the free space, or set VIGIE_DATA_DIR to a writable folder. Nothing was lost."
    )]
    ReadOnly { path: PathBuf },
    #[error("the disk is full: Vigie could not save to {path}. Free some space and try again; nothing already stored was lost.")]
    DiskFull { path: PathBuf },
    #[error(
        "the database {path} cancelled a batch of writes after an error (SQLite rolled it back): \
         nothing of that batch was saved, and nothing stored before it was lost. Try again."
    )]
    BatchRolledBack { path: PathBuf },
    #[error("no data folder: set VIGIE_DATA_DIR or HOME")]
    NoDataDir,
    #[error("could not create the data folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} {key:?} does not exist")]
    NotFound { what: &'static str, key: String },
    #[error("{what} {key:?} already exists")]
    Duplicate { what: &'static str, key: String },
    #[error("invalid {what}: {message}")]
    Invalid { what: &'static str, message: String },
    #[error("database error in {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The data folder: `VIGIE_DATA_DIR` when set, else the platform data dir
/// (`~/.local/share/vigie` on Linux).
pub fn default_data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("VIGIE_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join("vigie"))
        .ok_or(StoreError::NoDataDir)
}

/// An open Vigie database. One per thread of work; SQLite's WAL lets several coexist.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Whether a [`Store::batch`] is open on this connection.
    batch_open: bool,
    /// Mentions stored inside the open [`Store::batch`] and not yet in the full-text index:
    /// indexed all at once just before the batch commits. Until then a search on this
    /// connection does not find them, and they must be neither deleted nor edited (the
    /// `mentions_fts` triggers expect every row to be indexed): nothing does either today.
    unindexed: Vec<i64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// How long a connection waits for another writer before it reports the database busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Opens (creating if needed) `vigie.db` in `dir`.
    pub fn open_in(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        Store::open(&dir.join(DB_FILE))
    }

    /// Opens the database in [`default_data_dir`].
    pub fn open_default() -> Result<Store> {
        Store::open_in(&default_data_dir()?)
    }

    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with_timeout(path, BUSY_TIMEOUT)
    }

    /// Opens with a chosen busy timeout (how long to wait for another writer).
    pub fn open_with_timeout(path: &Path, busy: Duration) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| map_err(path, e))?;
        let mut store = Store::over(conn, path.to_path_buf());
        store.configure(busy)?;
        migrations::run(&mut store)?;
        Ok(store)
    }

    /// A second, read-only connection to the database a [`Store::open_in`] store already
    /// opened (and migrated) in `dir`. With WAL, its reads neither wait for nor block the
    /// writer: the screens of the app stay answerable while the engine ingests or runs its
    /// signal pass. Any write through it fails (`PRAGMA query_only`).
    pub fn open_reader(dir: &Path) -> Result<Store> {
        Store::open_reader_at(dir.join(DB_FILE))
    }

    /// Another read-only connection to this store's file (see [`Store::open_reader`]).
    pub fn reader(&self) -> Result<Store> {
        Store::open_reader_at(self.path.clone())
    }

    fn open_reader_at(path: PathBuf) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| map_err(&path, e))?;
        let store = Store::over(conn, path);
        store
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| store.err(e))?;
        store
            .conn
            .execute_batch(
                "PRAGMA query_only = ON; PRAGMA cache_size = -8000; PRAGMA temp_store = MEMORY;",
            )
            .map_err(|e| store.err(e))?;
        Ok(store)
    }

    /// A store over an open connection, no batch open.
    fn over(conn: Connection, path: PathBuf) -> Store {
        Store {
            conn,
            path,
            batch_open: false,
            unindexed: Vec::new(),
        }
    }

    fn configure(&self, busy: Duration) -> Result<()> {
        self.conn.busy_timeout(busy).map_err(|e| self.err(e))?;
        // journal_mode returns a row; a read-only file fails here with a clear error.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if !mode.eq_ignore_ascii_case("wal")
            && !self.path.as_os_str().is_empty()
            && mode != "memory"
        {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        // A checkpoint every 10,000 WAL pages (~40 MB) instead of 1,000: pages that several
        // ingest batches rewrite (index interiors, full-text segments) are copied into the
        // database once, and the fsync that goes with a checkpoint is paid ten times less
        // often (ingest's store side: ~10 % less CPU). After a checkpoint the WAL file is cut
        // back to 16 MB instead of staying at its largest.
        self.conn
            .execute_batch(
                "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                 PRAGMA cache_size = -32000; PRAGMA temp_store = MEMORY; \
                 PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 16777216;",
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Every row a query returns, each through `row`, errors naming this store's file.
    pub(crate) fn all<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn().prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params, row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Frees the page cache and other memory SQLite holds for this connection but does not
    /// need (`PRAGMA shrink_memory`); it refills on demand. For an app going idle.
    pub fn release_memory(&self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA shrink_memory;")
            .map_err(|e| self.err(e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> StoreError {
        map_err(&self.path, e)
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it lands, or none of it. Inside
    /// [`Store::batch`] it runs in a savepoint instead: a failed write undoes only itself.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let path = self.path.clone();
        // Errors raised with `?` inside the closure carry no path yet.
        let with_path = |e| match e {
            StoreError::Sqlite { path: p, source } if p.as_os_str().is_empty() => {
                map_err(&path, source)
            }
            other => other,
        };
        if self.conn.is_autocommit() && self.batch_open {
            // SQLite rolled the batch's transaction back after an error (disk full, I/O):
            // a write now would commit on its own, outside the batch.
            return Err(StoreError::BatchRolledBack { path });
        }
        if self.conn.is_autocommit() {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| map_err(&path, e))?;
            let out = f(&tx).map_err(with_path)?;
            tx.commit().map_err(|e| map_err(&path, e))?;
            Ok(out)
        } else {
            // Dropped on error: rolls back to the savepoint and releases it.
            let sp = self.conn.savepoint().map_err(|e| map_err(&path, e))?;
            let out = f(&sp).map_err(with_path)?;
            sp.commit().map_err(|e| map_err(&path, e))?;
            Ok(out)
        }
    }

    /// Runs several writes in ONE transaction (each write inside is a savepoint). The poller
    /// settles the sources that finished together this way: one commit for many sources
    /// instead of one per source, and the mentions stored inside are full-text indexed
    /// together just before the commit (FTS5 writes its pending index out at savepoint
    /// boundaries, so indexing them write by write cost one flush per source). The
    /// transaction commits when `f` returns Ok and rolls back when it returns an error (or
    /// panics); inside another batch, `f` simply joins the outer one. If SQLite itself rolled
    /// the transaction back after an error that `f` went past, later writes fail and the
    /// batch returns [`StoreError::BatchRolledBack`].
    pub fn batch<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        if self.batch_open || !self.conn.is_autocommit() {
            return f(self);
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.err(e))?;
        self.batch_open = true;
        let guard = Rollback(self);
        let v = f(&mut *guard.0)?;
        let store = &mut *guard.0;
        if store.conn.is_autocommit() {
            return Err(StoreError::BatchRolledBack {
                path: store.path.clone(),
            });
        }
        mentions::index_for_search(&store.conn, &store.unindexed).map_err(|e| store.err(e))?;
        store
            .conn
            .execute_batch("COMMIT")
            .map_err(|e| store.err(e))?;
        Ok(v)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// Ends a batch when dropped: rolls back its transaction if still open (after a failed or
/// panicking batch; after COMMIT there is nothing left to undo) and empties its queue of
/// mentions to index.
struct Rollback<'a>(&'a mut Store);

impl Drop for Rollback<'_> {
    fn drop(&mut self) {
        self.0.batch_open = false;
        self.0.unindexed.clear();
        if !self.0.conn.is_autocommit() {
            let _ = self.0.conn.execute_batch("ROLLBACK");
        }
    }
}

/// A foreign key refused a row: what it points to was removed meanwhile.
pub(crate) fn is_foreign_key_error(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
    )
}

pub(crate) fn map_err(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { path },
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied)
            if path.exists() =>
        {
            StoreError::ReadOnly { path }
        }
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
        _ => StoreError::Sqlite { path, source: e },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> events::NewEvent<'static> {
        events::NewEvent {
            at: 1_760_000_000,
            kind: "test",
            watch_id: None,
            source_id: None,
            data: serde_json::json!({}),
        }
    }

    fn pragma(s: &Store, name: &str) -> String {
        s.conn
            .query_row(&format!("PRAGMA {name}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| match v {
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Text(t) => t,
                other => format!("{other:?}"),
            })
            .unwrap()
    }

    #[test]
    fn every_connection_is_set_up_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let writer = Store::open_in(dir.path()).unwrap();
        let busy = BUSY_TIMEOUT.as_millis().to_string();
        assert_eq!(pragma(&writer, "journal_mode"), "wal");
        assert_eq!(pragma(&writer, "foreign_keys"), "1");
        assert_eq!(pragma(&writer, "busy_timeout"), busy);
        assert_eq!(pragma(&writer, "synchronous"), "1"); // NORMAL
        assert_eq!(pragma(&writer, "wal_autocheckpoint"), "10000");
        let reader = Store::open_reader(dir.path()).unwrap();
        assert_eq!(pragma(&reader, "journal_mode"), "wal");
        assert_eq!(pragma(&reader, "query_only"), "1");
        assert_eq!(pragma(&reader, "busy_timeout"), busy);
    }

    #[test]
    fn a_batch_sqlite_rolled_back_refuses_later_writes_and_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open_in(dir.path()).unwrap();
        let err = s
            .batch(|s| {
                s.append_event(&event())?;
                // What SQLite does after SQLITE_FULL or an I/O error in some statements.
                s.conn.execute_batch("ROLLBACK").unwrap();
                let later = s.append_event(&event());
                assert!(
                    matches!(later, Err(StoreError::BatchRolledBack { .. })),
                    "{later:?}"
                );
                Ok(())
            })
            .unwrap_err();
        assert!(matches!(err, StoreError::BatchRolledBack { .. }), "{err:?}");
        assert!(s.events(None, 10).unwrap().is_empty());
        // The store is usable again.
        s.batch(|s| s.append_event(&event())).unwrap();
        assert_eq!(s.events(None, 10).unwrap().len(), 1);
    }
}
