//! What the CLI's test files share: running `vigie` on a data folder.
// Each test file uses its own subset of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

pub fn vigie(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .env("VIGIE_DATA_DIR", data)
        .env_remove("VIGIE_BLUESKY_APP_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

pub fn ok(data: &Path, args: &[&str]) -> String {
    let o = vigie(data, args);
    assert!(
        o.status.success(),
        "vigie {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

pub fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(data, &a)).unwrap()
}

pub fn fails(data: &Path, args: &[&str]) -> String {
    let o = vigie(data, args);
    assert!(!o.status.success(), "vigie {args:?} should fail");
    String::from_utf8(o.stderr).unwrap()
}
