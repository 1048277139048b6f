//! Secrets live in the OS keychain (the Secret Service on Linux) and nowhere else.
//!
//! - [`Sensitive`] wraps a secret so it never prints, logs or serialises by accident.
//! - [`Keychain`] puts a timeout around every keychain call (a locked keyring with a display
//!   opens an unlock prompt that can wait forever) and turns failures into plain words.
//! - Callers can set, clear and ask "is it set?"; reading back is for the engine only.

use std::fmt;
use std::sync::mpsc;
use std::time::Duration;

/// A secret value. `Debug` and `Display` print `<redacted>`; there is no `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }
    /// The secret itself. Call it only where the value is sent to its server.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl From<String> for Sensitive<String> {
    fn from(s: String) -> Self {
        Sensitive(s)
    }
}

/// A secret can come in (from the UI, once, to be stored in the keychain) but never goes out:
/// `Deserialize` only, no `Serialize`.
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Sensitive)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error(
        "the OS keychain is not reachable ({detail}). Vigie stores passwords only there: start a \
         desktop session with a Secret Service (e.g. GNOME Keyring or KWallet) and try again."
    )]
    Unavailable { detail: String },
    #[error(
        "the OS keychain is locked. Unlock it (log in to your desktop session or open your keyring \
         manager) and try again."
    )]
    Locked,
    #[error(
        "the OS keychain did not answer within {} s: it is probably locked and waiting for your \
         password. Unlock it and try again.", .0.as_secs()
    )]
    Timeout(Duration),
    #[error("the keychain refused the secret for {key}: {detail}")]
    Rejected { key: String, detail: String },
}

impl SecretsError {
    /// Locked, or waiting for the user's password (which a timeout means): unlocking it helps.
    pub fn is_locked(&self) -> bool {
        matches!(self, SecretsError::Locked | SecretsError::Timeout(_))
    }
}

/// Access to Vigie's entries in the OS keychain. Entries are named `vigie/<namespace>` (the
/// service) and a key (the user name), e.g. namespace `source`, key `alice.bsky.social`.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
    timeout: Duration,
}

impl Keychain {
    /// `namespace` separates kinds of secrets (and, later, profiles: `profile/brand-acme`).
    pub fn new(namespace: &str) -> Self {
        Keychain {
            service: format!("vigie/{namespace}"),
            timeout: Duration::from_secs(10),
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Runs one keychain operation on a helper thread and waits at most `timeout`. When the
    /// Secret Service was restarted under us (its old session is gone: `NoSession`), the store
    /// is opened again and the operation retried once.
    fn call<T: Send + 'static>(
        &self,
        key: &str,
        op: impl Fn(keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, SecretsError> {
        let (tx, rx) = mpsc::channel();
        let service = self.service.clone();
        let user = key.to_string();
        std::thread::Builder::new()
            .name("vigie-keychain".into())
            .spawn(move || {
                let mut r = keyring::Entry::new(&service, &user).and_then(&op);
                if r.as_ref().is_err_and(is_stale_session) && reopen_store() {
                    r = keyring::Entry::new(&service, &user).and_then(&op);
                }
                let _ = tx.send(r);
            })
            .map_err(|e| SecretsError::Unavailable {
                detail: e.to_string(),
            })?;
        match rx.recv_timeout(self.timeout) {
            Ok(r) => r.map_err(|e| map_error(key, e)),
            Err(_) => Err(SecretsError::Timeout(self.timeout)),
        }
    }

    pub fn set(&self, key: &str, secret: &Sensitive<String>) -> Result<(), SecretsError> {
        let value = secret.expose().clone();
        self.call(key, move |e| e.set_password(&value))
    }

    /// The secret, or None when nothing is stored under `key`.
    pub fn get(&self, key: &str) -> Result<Option<Sensitive<String>>, SecretsError> {
        match self.call(key, |e| e.get_password()) {
            Ok(v) => Ok(Some(Sensitive(v))),
            Err(SecretsError::Rejected { detail, .. }) if detail == NO_ENTRY => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn is_set(&self, key: &str) -> Result<bool, SecretsError> {
        Ok(self.get(key)?.is_some())
    }

    /// Removes the secret; removing a missing one is not an error.
    pub fn delete(&self, key: &str) -> Result<(), SecretsError> {
        match self.call(key, |e| e.delete_credential()) {
            Err(SecretsError::Rejected { detail, .. }) if detail == NO_ENTRY => Ok(()),
            other => other,
        }
    }
}

const NO_ENTRY: &str = "no entry";

/// The keyring daemon restarted: the encrypted session keyring opened with it is gone.
fn is_stale_session(e: &keyring::Error) -> bool {
    matches!(e, keyring::Error::PlatformFailure(_)) && e.to_string().contains("NoSession")
}

/// Opens the Secret Service store again and makes it the default. False where there is none.
fn reopen_store() -> bool {
    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ))]
    {
        match zbus_secret_service_keyring_store::Store::new() {
            Ok(store) => {
                keyring_core::set_default_store(store);
                true
            }
            Err(_) => false,
        }
    }
    #[cfg(not(all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    )))]
    false
}

fn map_error(key: &str, e: keyring::Error) -> SecretsError {
    use keyring::Error as E;
    match e {
        E::NoEntry => SecretsError::Rejected {
            key: key.into(),
            detail: NO_ENTRY.into(),
        },
        E::NoStorageAccess(_) => SecretsError::Locked,
        E::PlatformFailure(p) => SecretsError::Unavailable {
            detail: p.to_string(),
        },
        E::NoDefaultStore => SecretsError::Unavailable {
            detail: match keyring::Entry::store_status() {
                Err(inner) => inner.to_string(),
                Ok(()) => "no default store".into(),
            },
        },
        other => SecretsError::Rejected {
            key: key.into(),
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_never_prints() {
        let s = Sensitive::new("hunter2".to_string());
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }
}
