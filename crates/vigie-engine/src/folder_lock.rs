//! Work that one process at a time may do on a data folder (delivering the outbox, the
//! signal pass), whichever Vigie runs it: the app, `vigie run`, `vigie poll`. The lock is a
//! file lock, which the OS lets go of when its holder exits or crashes.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

/// Takes the lock at `path` without waiting: `Ok(Some(file))` holds it until the file is
/// dropped; `Ok(None)` means another process holds it. A lock file this user may only read
/// (left by a run as another user) still locks.
pub(crate) fn try_hold(path: &Path) -> std::io::Result<Option<File>> {
    let file = match OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
    {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && path.exists() => {
            File::open(path)?
        }
        other => other?,
    };
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::try_hold;

    #[test]
    fn one_holder_at_a_time_and_free_again_once_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let first = try_hold(&path).unwrap();
        assert!(first.is_some());
        assert!(try_hold(&path).unwrap().is_none(), "held by the first");
        drop(first);
        assert!(try_hold(&path).unwrap().is_some(), "free once dropped");
        assert!(try_hold(&dir.path().join("missing/x.lock")).is_err());
    }
}
