//! Locking the keyring affects the whole session, so this lives in its own test binary
//! (cargo runs test binaries one after another).

use std::process::Command;
use vigie_secrets::{Keychain, SecretsError, Sensitive};

#[test]
fn locked_keychain_is_a_clear_error() {
    // Lock every collection through the Secret Service, then try to read.
    let kc = Keychain::new(&format!("locked-{}", std::process::id()))
        .with_timeout(std::time::Duration::from_secs(3));
    kc.set("k", &Sensitive::new("v".into())).unwrap();
    let lock = Command::new("python3")
        .args(["-c", LOCK_SCRIPT])
        .status()
        .expect("python3 runs");
    assert!(lock.success(), "could not lock the keyring");
    let err = kc.get("k");
    // Unlock again for the other tests (same daemon).
    let unlock = Command::new("sh").args(["-c", "echo -n \"${VIGIE_KEYRING_PASSWORD:-vigie}\" | gnome-keyring-daemon --unlock --replace --components=secrets >/dev/null 2>&1"]).status();
    let err = err.expect_err("reading from a locked keyring must fail");
    assert!(
        matches!(err, SecretsError::Locked | SecretsError::Timeout(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("locked"), "{err}");
    let _ = unlock;
}

const LOCK_SCRIPT: &str = r#"
import subprocess
subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
  "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
  "array:objpath:/org/freedesktop/secrets/collection/login"], check=True, capture_output=True)
"#;
