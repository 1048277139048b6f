//! Against the real Secret Service. The test command runs these inside
//! `dbus-run-session` with an unlocked gnome-keyring (see scripts/with-desktop-session.sh).
//! Outside such a session they fail with the clear "not reachable" message, which
//! `unavailable_keychain_is_a_clear_error` checks on its own private bus-less environment.

use std::process::Command;
use vigie_secrets::{Keychain, SecretsError, Sensitive};

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

#[test]
fn a_secret_survives_a_new_process_and_can_be_cleared() {
    let ns = unique("test");
    let kc = Keychain::new(&ns);
    kc.set("alice.test", &Sensitive::new("app-pass-1234".into()))
        .expect("set");
    assert!(kc.is_set("alice.test").unwrap());
    // Another process (secret-tool) sees it: it is really in the Secret Service, not in memory.
    let out = Command::new("secret-tool")
        .args(["lookup", "service", kc.service(), "username", "alice.test"])
        .output()
        .expect("secret-tool runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "app-pass-1234",
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And a fresh process of ours reads it back.
    let exe = std::env::current_exe().unwrap();
    let child = Command::new(exe)
        .args(["--exact", "reads_back_in_child", "--nocapture"])
        .env("VIGIE_CHILD_NS", &ns)
        .output()
        .unwrap();
    assert!(
        child.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&child.stdout)
    );
    assert!(String::from_utf8_lossy(&child.stdout).contains("1 passed"));
    kc.delete("alice.test").unwrap();
    assert!(!kc.is_set("alice.test").unwrap());
    kc.delete("alice.test").expect("deleting twice is fine");
}

#[test]
fn reads_back_in_child() {
    let Ok(ns) = std::env::var("VIGIE_CHILD_NS") else {
        return;
    };
    let got = Keychain::new(&ns)
        .get("alice.test")
        .unwrap()
        .expect("secret present");
    assert_eq!(got.expose(), "app-pass-1234");
}

#[test]
fn unavailable_keychain_is_a_clear_error() {
    // A child with no session bus at all: the error must say what to do.
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args(["--exact", "no_bus_child", "--nocapture"])
        .env("VIGIE_NO_BUS_CHILD", "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/vigie-bus",
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}

#[test]
fn no_bus_child() {
    if std::env::var("VIGIE_NO_BUS_CHILD").is_err() {
        return;
    }
    let err = Keychain::new("nobus").get("x").unwrap_err();
    assert!(
        matches!(
            err,
            SecretsError::Unavailable { .. } | SecretsError::Timeout(_)
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("keychain"), "{msg}");
}
