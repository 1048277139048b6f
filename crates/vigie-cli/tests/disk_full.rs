//! A full disk, for real: the data folder is a 1.5 MB tmpfs (mounted in a private mount
//! namespace with `unshare`, so no privilege is needed beyond user namespaces), and nginx
//! serves a feed larger than the space left. The poll must say the disk is full, keep what
//! was stored, leave the source's schedule as it was, and store everything once there is room.

use std::path::Path;
use std::process::Command;
use vigie_testkit::Nginx;

/// A feed of `n` items of about `words` words each.
fn feed(name: &str, n: usize, words: usize) -> String {
    const WORDS: [&str; 10] = [
        "danone", "usine", "rappel", "yaourt", "grève", "qualité", "client", "produit", "lait",
        "santé",
    ];
    let mut items = String::new();
    for i in 0..n {
        let text: Vec<&str> = (0..words).map(|k| WORDS[(i * 7 + k * 3) % 10]).collect();
        items.push_str(&format!(
            "<item><title>Danone {name} {i}</title><guid>{name}-{i}</guid>\
             <link>http://127.0.0.1/{name}/{i}</link><description>{} {i}</description>\
             <pubDate>Sat, 21 Nov 2026 10:00:00 GMT</pubDate></item>",
            text.join(" ")
        ));
    }
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name}</title>{items}</channel></rss>")
}

/// What one step of the script printed and returned.
struct Step {
    out: String,
    err: String,
    code: i32,
}

fn step(results: &Path, name: &str) -> Step {
    let read = |ext: &str| std::fs::read_to_string(results.join(format!("{name}.{ext}"))).unwrap();
    Step {
        out: read("out"),
        err: read("err"),
        code: read("code").trim().parse().unwrap(),
    }
}

#[test]
fn a_full_disk_is_said_plainly_and_nothing_is_lost() {
    let nginx = Nginx::start();
    nginx.put("small.xml", feed("small", 5, 20));
    // ≈ 3.7 MB of feed: far more than the 1.5 MB the data folder has.
    nginx.put("big.xml", feed("big", 3000, 150));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let results = dir.path().join("results");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&results).unwrap();
    // Every step runs in the one namespace that holds the mount; each step's output goes to
    // files outside it.
    let script = r#"
set -u
mount -t tmpfs -o size=1500k tmpfs "$DATA" || exit 97
run() { name=$1; shift; "$VIGIE" "$@" >"$RESULTS/$name.out" 2>"$RESULTS/$name.err"; echo $? >"$RESULTS/$name.code"; }
run watch watch add Danone -q danone
run small source add "$SMALL"
run poll1 poll --once
run big source add "$BIG"
run full poll --once
run kept --json mentions --limit 500
run health --json source list
mount -o remount,size=64m "$DATA" || exit 98
run freed source check 2
run all --json mentions --limit 5000
"#;
    let status = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .env("DATA", &data)
        .env("RESULTS", &results)
        .env("VIGIE", env!("CARGO_BIN_EXE_vigie"))
        .env("VIGIE_DATA_DIR", &data)
        .env("SMALL", nginx.url("small.xml"))
        .env("BIG", nginx.url("big.xml"))
        .status()
        .expect("unshare (util-linux) runs");
    assert!(
        status.success(),
        "the script could not mount a tmpfs in a private namespace ({status}): this test needs \
         unprivileged user namespaces or root"
    );
    for s in ["watch", "small", "poll1", "big"] {
        let s = step(&results, s);
        assert_eq!(s.code, 0, "{}", s.err);
    }
    let full = step(&results, "full");
    assert_ne!(
        full.code, 0,
        "a poll that could not store must not report success"
    );
    assert!(
        full.err.contains("the disk is full") && full.err.contains("Free some space"),
        "{}",
        full.err
    );
    // What was stored before stays, and nothing of the big feed is half-stored.
    let kept: serde_json::Value = serde_json::from_str(&step(&results, "kept").out).unwrap();
    let kept = kept.as_array().unwrap();
    assert_eq!(kept.len(), 5, "{kept:?}");
    assert!(kept
        .iter()
        .all(|m| m["title"].as_str().unwrap().contains("small")));
    // The source's schedule did not move: the items are asked for again, not taken as seen.
    let health: serde_json::Value = serde_json::from_str(&step(&results, "health").out).unwrap();
    let big = health
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"]["id"] == 2)
        .unwrap()
        .clone();
    assert!(big["state"]["etag"].is_null(), "{big}");
    assert!(big["state"]["last_success_at"].is_null(), "{big}");
    // With room again, the same feed is stored whole.
    let freed = step(&results, "freed");
    assert_eq!(freed.code, 0, "{}", freed.err);
    let all: serde_json::Value = serde_json::from_str(&step(&results, "all").out).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 3005);
}
