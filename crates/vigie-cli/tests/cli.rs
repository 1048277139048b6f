//! The `vigie` binary end to end: a temp data dir, nginx serving the fixture feeds. Sources,
//! polling and OPML are in sources.rs.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use support::{fails, json, ok, vigie};
use vigie_testkit::Nginx;

#[test]
fn watches_add_list_edit_remove_and_bad_queries() {
    let d = tempfile::tempdir().unwrap();
    let out = ok(
        d.path(),
        &[
            "watch",
            "add",
            "Danone",
            "-q",
            "danone OR \"rappel produit\"",
            "--lang",
            "fr,en",
            "--sensitivity",
            "high",
        ],
    );
    assert!(out.contains("added watch Danone"), "{out}");
    let list = json(d.path(), &["watch", "list"]);
    assert_eq!(list[0]["name"], "Danone");
    assert_eq!(list[0]["languages"], serde_json::json!(["fr", "en"]));
    assert_eq!(list[0]["sensitivity"], "high");
    let table = ok(d.path(), &["watch", "list"]);
    assert!(
        table.starts_with("ID") && table.contains("rappel produit"),
        "{table}"
    );
    ok(
        d.path(),
        &[
            "watch",
            "edit",
            "Danone",
            "--sensitivity",
            "low",
            "--disable",
        ],
    );
    let list = json(d.path(), &["watch", "list"]);
    assert_eq!(
        (
            list[0]["sensitivity"].as_str(),
            list[0]["enabled"].as_bool()
        ),
        (Some("low"), Some(false))
    );
    let err = fails(d.path(), &["watch", "add", "Bad", "-q", "(danone evian"]);
    assert!(
        err.contains("position 14") && err.contains("expected ')'"),
        "{err}"
    );
    let err = fails(d.path(), &["watch", "add", "Danone", "-q", "x"]);
    assert!(err.contains("already exists"), "{err}");
    let err = fails(d.path(), &["watch", "rm", "Nope"]);
    assert!(err.contains("does not exist"), "{err}");
    let err = fails(d.path(), &["--json", "watch", "add", "X", "-q", "AND"]);
    let e: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert!(e["error"].as_str().unwrap().contains("position 1"));
    // A query may start with a negation; a language must be a code.
    let out = ok(
        d.path(),
        &["watch", "add", "Sans bourse", "-q", "-bourse danone"],
    );
    assert!(out.contains("added watch Sans bourse"), "{out}");
    let err = fails(
        d.path(),
        &["watch", "add", "Fr", "-q", "danone", "--lang", "french"],
    );
    assert!(err.contains("not a language code"), "{err}");
    ok(d.path(), &["watch", "rm", "Sans bourse"]);
    ok(d.path(), &["watch", "rm", "Danone"]);
    assert_eq!(json(d.path(), &["watch", "list"]), serde_json::json!([]));
}

#[test]
fn a_reader_that_stops_reading_ends_the_command_quietly() {
    // `vigie watch list | head -1`: the reader is gone before vigie writes. `println!` panicked
    // there ("failed printing to stdout: Broken pipe", exit 101).
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["watch", "add", "Danone", "-q", "danone"]);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["watch", "list"])
        .env("VIGIE_DATA_DIR", dir.path())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(o.status.success(), "exit {:?}", o.status);
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
}

#[test]
fn run_polls_until_interrupted_then_stops_cleanly() {
    run_until("-INT", false);
}

/// A service manager stops it with SIGTERM; `--json` gives one JSON line per cycle.
#[test]
fn run_stops_cleanly_on_sigterm_and_speaks_json_lines() {
    run_until("-TERM", true);
}

fn run_until(signal: &str, as_json: bool) {
    let nginx = Nginx::start();
    let d = tempfile::tempdir().unwrap();
    ok(d.path(), &["source", "add", &nginx.url("rss2.xml")]);
    let mut args = vec!["run", "--tick", "1"];
    if as_json {
        args.insert(0, "--json");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(&args)
        .env("VIGIE_DATA_DIR", d.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    if as_json {
        let cycle: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(cycle["poll"]["new_mentions"].as_i64(), Some(3), "{line}");
    } else {
        assert!(line.contains("3 new mentions"), "{line}");
    }
    Command::new("kill")
        .arg(signal)
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{err}");
    assert!(err.contains("stopped cleanly"), "{err}");
    assert_eq!(json(d.path(), &["mentions"]).as_array().unwrap().len(), 3);
}

#[test]
fn a_database_from_a_newer_vigie_is_refused_with_a_clear_message() {
    let d = tempfile::tempdir().unwrap();
    ok(d.path(), &["watch", "list"]);
    let conn = rusqlite::Connection::open(d.path().join("vigie.db")).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let err = fails(d.path(), &["watch", "list"]);
    assert!(err.contains("newer Vigie") && err.contains("999"), "{err}");
}

#[test]
fn bench_tonality_and_nab_run_the_app_code() {
    let d = tempfile::tempdir().unwrap();
    // Our own sentences (the research dev sets are never copied into the repo).
    let tsv = d.path().join("t.tsv");
    std::fs::write(&tsv, "negative\tC'est une honte, je n'achèterai plus jamais 😡\npositive\tJ'adore ce produit, trop bien !\nneutral\tLe magasin ouvre à 9 h.\nnegative\tWorst service ever, total scam\n").unwrap();
    let o = vigie(d.path(), &["bench", "tonality", tsv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let labels: Vec<String> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(labels, vec!["negative", "positive", "neutral", "negative"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("posts/s"));

    let nab_in = d.path().join("nab");
    std::fs::create_dir_all(&nab_in).unwrap();
    let mut csv = String::from("timestamp,value\n");
    let start = chrono::NaiveDate::from_ymd_opt(2015, 3, 2)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    for i in 0..(4 * 288) {
        let t = start + chrono::Duration::minutes(5 * i);
        let v = if (3 * 288 + 100..3 * 288 + 104).contains(&i) {
            400
        } else {
            10 + (i % 3)
        };
        csv.push_str(&format!("{},{v}\n", t.format("%Y-%m-%d %H:%M:%S")));
    }
    std::fs::write(nab_in.join("Twitter_volume_TEST.csv"), csv).unwrap();
    let out = d.path().join("out");
    let r = json(
        d.path(),
        &[
            "bench",
            "nab",
            nab_in.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(
        (r["files"].as_u64(), r["points"].as_u64()),
        (Some(1), Some(4 * 288))
    );
    let written = std::fs::read_to_string(out.join("Twitter_volume_TEST.csv")).unwrap();
    let alerts: Vec<&str> = written.lines().filter(|l| l.ends_with(",1")).collect();
    assert_eq!(alerts.len(), 1, "one pulse for the spike: {alerts:?}");
    assert!(alerts[0].starts_with("2015-03-05 08:20"), "{alerts:?}");
}

#[test]
fn bench_ingest_runs_the_whole_pipeline_on_a_small_corpus() {
    // Not a timed test: it checks the benchmark runs the app's pipeline and counts right.
    let d = tempfile::tempdir().unwrap();
    let kept = d.path().join("kept");
    let r = json(
        d.path(),
        &[
            "bench",
            "ingest",
            "--feeds",
            "6",
            "--items",
            "10",
            "--watches",
            "4",
            "--keep-data",
            kept.to_str().unwrap(),
        ],
    );
    assert_eq!(
        (r["feeds"].as_u64(), r["items"].as_u64()),
        (Some(6), Some(60)),
        "{r}"
    );
    let (inserted, dups) = (
        r["inserted"].as_u64().unwrap(),
        r["duplicates"].as_u64().unwrap(),
    );
    assert_eq!(inserted + dups, 60, "{r}");
    assert!(inserted > 0 && r["matches"].as_u64().unwrap() > 0, "{r}");
    assert!(r["items_per_sec"].as_f64().unwrap() > 0.0);
    // The second pass finds every item stored and drops it before preparing it.
    assert_eq!(r["again"]["inserted"], 0, "{r}");
    assert_eq!(r["again"]["dropped_before_preparing"], 60, "{r}");
    // The kept data folder is a Vigie database with those mentions and watches.
    let stored = json(&kept, &["mentions", "--limit", "1000"]);
    assert_eq!(stored.as_array().unwrap().len() as u64, inserted);
    assert_eq!(json(&kept, &["watch", "list"]).as_array().unwrap().len(), 4);
}

#[test]
fn bench_floor_parses_stores_and_indexes_every_item() {
    // Not a timed test: the floor counts every item parsed, stored and found by its index
    // (the command fails if the index misses one); the ceiling's formula has unit tests.
    let d = tempfile::tempdir().unwrap();
    let r = json(
        d.path(),
        &["bench", "floor", "--feeds", "4", "--items", "7"],
    );
    assert_eq!(r["items"].as_u64(), Some(28), "{r}");
    assert!(r["ceiling_items_per_sec"].as_f64().unwrap() > 0.0, "{r}");
    assert!(r["parse_busy_seconds"].as_f64().unwrap() > 0.0, "{r}");
    // The duties: duplicates (shared links) dropped, watches matched, every ceiling.
    let duties = &r["duties"];
    let stored = duties["stored"].as_u64().unwrap();
    assert!(stored > 0 && stored <= 28, "{r}");
    assert!(duties["matches"].as_u64().unwrap() > 0, "{r}");
    for key in [
        "ceiling_items_per_sec",
        "ceiling_without_matches_items_per_sec",
        "ceiling_with_html_items_per_sec",
    ] {
        assert!(duties[key].as_f64().unwrap() > 0.0, "{key}: {r}");
    }
}

/// A feed whose items are dated relative to now: a quiet past, then an angry burst.
fn spike_feed(now: chrono::DateTime<chrono::Utc>) -> String {
    let mut items = String::new();
    for i in 0..40 {
        let t = now - chrono::Duration::minutes(25) + chrono::Duration::seconds(i * 30);
        items.push_str(&format!(
            "<item><title>Scandale Danone : boycott, quelle honte !!! ({i})</title><guid>spike-{i}</guid><author>user{i}@example.org</author><pubDate>{}</pubDate><description>Arnaque totale, je suis furieux 😡</description></item>",
            t.to_rfc2822()
        ));
    }
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Spike</title><language>fr</language>{items}</channel></rss>")
}

#[test]
fn levels_signals_and_backtest_after_a_spike() {
    let nginx = Nginx::start();
    nginx.put("spike.xml", spike_feed(chrono::Utc::now()));
    let d = tempfile::tempdir().unwrap();
    ok(
        d.path(),
        &[
            "watch",
            "add",
            "Danone",
            "-q",
            "danone",
            "--sensitivity",
            "high",
            "--sensitive-words",
            "boycott,rappel produit",
            "--thresholds",
            "watch=2,alert=4,crisis=7",
        ],
    );
    let w = json(d.path(), &["watch", "list"]);
    assert_eq!(
        w[0]["sensitive_words"],
        serde_json::json!(["boycott", "rappel produit"])
    );
    assert_eq!(w[0]["thresholds"]["crisis"], 7);
    let err = fails(
        d.path(),
        &["watch", "edit", "Danone", "--thresholds", "watch=5,alert=4"],
    );
    assert!(err.contains("thresholds must rise"), "{err}");
    let err = fails(
        d.path(),
        &["watch", "edit", "Danone", "--thresholds", "calm_down=0"],
    );
    assert!(err.contains("calm_down must be from 1 to 288"), "{err}");
    // An edit changes only the thresholds it names.
    ok(
        d.path(),
        &["watch", "edit", "Danone", "--thresholds", "min_per_hour=3"],
    );
    ok(
        d.path(),
        &["watch", "edit", "Danone", "--thresholds", "crisis=8"],
    );
    let w = json(d.path(), &["watch", "list"]);
    assert_eq!(
        (
            &w[0]["thresholds"]["crisis"],
            &w[0]["thresholds"]["min_mentions_per_hour"]
        ),
        (&serde_json::json!(8), &serde_json::json!(3)),
        "{w}"
    );
    ok(
        d.path(),
        &[
            "watch",
            "edit",
            "Danone",
            "--thresholds",
            "crisis=7,min_per_hour=6",
        ],
    );
    ok(d.path(), &["source", "add", &nginx.url("spike.xml")]);
    let cycle = json(d.path(), &["poll", "--once"]);
    assert_eq!(cycle["poll"]["new_mentions"], 40);
    let changes = cycle["signals"]["changes"].as_array().unwrap();
    assert!(!changes.is_empty(), "{cycle}");
    let levels = json(d.path(), &["levels"]);
    let level = levels["levels"][0]["level"].as_str().unwrap();
    assert!(matches!(level, "alert" | "crisis"), "{levels}");
    assert!(
        levels["levels"][0]["explanation_fr"]
            .as_str()
            .unwrap()
            .contains("mots : boycott"),
        "{levels}"
    );
    let negative = json(d.path(), &["mentions", "--tonality", "negative"]);
    assert_eq!(
        negative.as_array().unwrap().len(),
        40,
        "the burst is negative"
    );
    assert!(negative[0]["tonality"]["anger"].as_bool().unwrap());
    let signals = json(d.path(), &["signals", "--watch", "Danone"]);
    assert!(
        signals
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "level_changed"),
        "{signals}"
    );
    let bt = json(d.path(), &["backtest", "--watch", "Danone"]);
    assert!(bt["buckets"].as_u64().unwrap() >= 5);
    assert!(
        bt["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "level_changed"),
        "{bt}"
    );
    let human = ok(d.path(), &["levels"]);
    assert!(human.contains("Danone"), "{human}");
    // As of when the level stands: the end of the last bucket the signal pass read.
    assert!(human.lines().next().unwrap().contains("AS OF"), "{human}");

    // A watch added after the burst was stored finds it (the last 14 days are matched again).
    let out = ok(d.path(), &["watch", "add", "Arnaques", "-q", "arnaque"]);
    assert!(
        out.contains("it matches 40 mentions stored over the last 14 days"),
        "{out}"
    );
    let found = json(d.path(), &["mentions", "--watch", "Arnaques"]);
    assert_eq!(found.as_array().unwrap().len(), 40);
    // Renamed only: nothing to match again.
    let out = ok(
        d.path(),
        &["watch", "edit", "Arnaques", "--name", "Escroqueries"],
    );
    assert!(!out.contains("it matches"), "{out}");
}

/// `vigie` with a secret in its environment (never on the command line).
fn vigie_env(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigie"));
    c.args(args)
        .env("VIGIE_DATA_DIR", data)
        .env_remove("VIGIE_TOKEN")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn publish_from_the_cli_with_confirmation_and_a_real_crash_mid_send() {
    let snac = vigie_testkit::Snac::start().await;
    let proxy = vigie_testkit::FaultProxy::start(snac.port).await;
    let d = tempfile::tempdir().unwrap();
    let host = format!("localhost:{}", snac.port);
    ok(
        d.path(),
        &[
            "profile",
            "add",
            "Acme",
            "--kind",
            "brand",
            "--allow",
            &format!("alice@{host}"),
        ],
    );
    // A personal profile is told apart from the brand by its colour, without being asked.
    ok(
        d.path(),
        &["profile", "add", "Jeanne", "--kind", "personal"],
    );
    let profiles = json(d.path(), &["profile", "list"]);
    let colours: Vec<&str> = profiles
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["colour"].as_str().unwrap())
        .collect();
    assert_eq!(colours.len(), 2);
    assert_ne!(colours[0], colours[1], "{profiles}");
    // The policy reads as JSON for scripts.
    assert!(json(d.path(), &["policy", "show"])["rule"].is_array());
    // The token comes from the environment and is checked against the declared account.
    let o = vigie_env(
        d.path(),
        &[
            "account",
            "connect-mastodon",
            "--profile",
            "Acme",
            "--server",
            &proxy.url(),
            "--expect",
            "bob",
        ],
        &[("VIGIE_TOKEN", &snac.token)],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("belongs to @alice"));
    let o = vigie_env(
        d.path(),
        &[
            "--json",
            "account",
            "connect-mastodon",
            "--profile",
            "Acme",
            "--server",
            &proxy.url(),
            "--expect",
            "alice",
        ],
        &[("VIGIE_TOKEN", &snac.token)],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let acct: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let id = acct["id"].to_string();
    ok(d.path(), &["publish-settings", "--undo-secs", "0"]);
    // A guard changed is in the audit log, with what it was before.
    let audit = json(d.path(), &["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["kind"], "publish_settings_changed", "{audit}");
    assert_eq!(
        (
            audit[0]["data"]["undo_secs"].as_i64(),
            audit[0]["data"]["before"]["undo_secs"].as_i64()
        ),
        (Some(0), Some(30))
    );

    // Without --yes nothing is queued; the confirmation line names the account.
    let err = fails(
        d.path(),
        &[
            "post",
            "--profile",
            "Acme",
            "--account",
            &id,
            "--text",
            "Bonjour",
        ],
    );
    assert!(
        err.contains(&format!("@alice@{host}")) && err.contains("brand"),
        "{err}"
    );
    assert!(json(d.path(), &["outbox", "list"])
        .as_array()
        .unwrap()
        .is_empty());

    // A real crash: `vigie outbox send` is killed while the server has stored the post.
    proxy.inject("POST /api/v1/statuses", vigie_testkit::Fault::Hang, 1);
    ok(
        d.path(),
        &[
            "post",
            "--profile",
            "Acme",
            "--account",
            &id,
            "--text",
            "Communiqué Acme",
            "--yes",
        ],
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["outbox", "send"])
        .env("VIGIE_DATA_DIR", d.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..300 {
        if !snac.statuses_of(&snac.token).await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL: no chance to record anything
    child.wait().unwrap();
    let list = json(d.path(), &["outbox", "list"]);
    assert_eq!(list[0]["state"], "sending", "left mid-send: {list}");
    // Restart: the outcome is reconciled, nothing is sent twice.
    let out = ok(d.path(), &["outbox", "send"]);
    assert!(out.contains("sent 1"), "{out}");
    assert_eq!(
        snac.statuses_of(&snac.token).await.len(),
        1,
        "exactly one post"
    );
    let list = json(d.path(), &["outbox", "list"]);
    assert_eq!(list[0]["state"], "sent");

    // The kill switch holds the next one.
    fails(d.path(), &["kill-switch", "on"]);
    ok(
        d.path(),
        &["kill-switch", "on", "--reason", "cellule de crise"],
    );
    ok(
        d.path(),
        &[
            "post",
            "--profile",
            "Acme",
            "--account",
            &id,
            "--text",
            "En attente",
            "--yes",
        ],
    );
    let out = ok(d.path(), &["outbox", "send"]);
    assert!(out.contains("paused"), "{out}");
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 1);
    let out = ok(d.path(), &["outbox", "list"]);
    assert!(
        out.contains("cellule de crise") && out.contains("queued"),
        "{out}"
    );
    ok(d.path(), &["kill-switch", "off"]);
    ok(d.path(), &["outbox", "send"]);
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_laptops_approve_from_the_cli_and_audit_verify_finds_tampering() {
    let snac = vigie_testkit::Snac::start().await;
    let author = tempfile::tempdir().unwrap();
    let legal = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let f = |name: &str| files.path().join(name).to_string_lossy().into_owned();
    // Two data folders = two laptops. Both private keys sit in this test session's keychain,
    // each under its own public key (on two machines, each in its own keychain).
    ok(
        author.path(),
        &[
            "team",
            "init",
            "--name",
            "Camille",
            "--role",
            "communication",
            "--autonomy",
            "low",
        ],
    );
    ok(
        legal.path(),
        &["team", "init", "--name", "Maître Durand", "--role", "legal"],
    );
    ok(author.path(), &["team", "export", &f("camille.toml")]);
    ok(legal.path(), &["team", "export", &f("durand.toml")]);
    ok(author.path(), &["team", "import", &f("durand.toml")]);
    ok(legal.path(), &["team", "import", &f("camille.toml")]);

    let host = format!("localhost:{}", snac.port);
    ok(
        author.path(),
        &[
            "profile",
            "add",
            "Acme",
            "--kind",
            "brand",
            "--allow",
            &format!("alice@{host}"),
        ],
    );
    let o = vigie_env(
        author.path(),
        &[
            "--json",
            "account",
            "connect-mastodon",
            "--profile",
            "Acme",
            "--server",
            &snac.url(),
        ],
        &[("VIGIE_TOKEN", &snac.token)],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let id = serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["id"].to_string();
    ok(author.path(), &["publish-settings", "--undo-secs", "0"]);
    let d = json(author.path(), &["draft", "new", "Réponse"]);
    let draft = d["id"].to_string();
    ok(
        author.path(),
        &[
            "draft",
            "edit",
            &draft,
            "--account",
            &id,
            "--text",
            "Texte validé",
        ],
    );

    // Not approved yet: the gate refuses (low autonomy needs one validator).
    let e = fails(
        author.path(),
        &[
            "post",
            "--profile",
            "Acme",
            "--account",
            &id,
            "--text",
            "Texte validé",
            "--yes",
        ],
    );
    assert!(e.contains("not approved"), "{e}");

    ok(
        author.path(),
        &[
            "approval",
            "request",
            &draft,
            "--account",
            &id,
            "--out",
            &f("req.txt"),
        ],
    );
    let shown = ok(legal.path(), &["approval", "review", &f("req.txt")]);
    assert!(
        shown.contains("Texte validé") && shown.contains(&format!("@alice@{host}")),
        "{shown}"
    );
    let e = fails(
        author.path(),
        &[
            "approval",
            "approve",
            &f("req.txt"),
            "--role",
            "communication",
        ],
    );
    assert!(e.contains("yourself"), "{e}");
    // An approval valid for a second would be stretched to a minute: refused, saying so.
    let e = fails(
        legal.path(),
        &[
            "approval",
            "approve",
            &f("req.txt"),
            "--role",
            "legal",
            "--valid",
            "1s",
        ],
    );
    assert!(e.contains("at least 1 minute"), "{e}");
    ok(
        legal.path(),
        &[
            "approval",
            "approve",
            &f("req.txt"),
            "--role",
            "legal",
            "--valid",
            "2h",
            "--out",
            &f("ok.txt"),
        ],
    );
    ok(author.path(), &["approval", "import", &f("ok.txt")]);
    let e = fails(author.path(), &["approval", "import", &f("ok.txt")]);
    assert!(e.contains("replay"), "{e}");
    ok(
        author.path(),
        &[
            "post",
            "--profile",
            "Acme",
            "--account",
            &id,
            "--text",
            "Texte validé",
            "--yes",
        ],
    );
    let out = ok(author.path(), &["outbox", "send"]);
    assert!(out.contains("sent 1"), "{out}");
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 1);

    // The audit log is intact… until someone edits it behind Vigie's back.
    let out = ok(author.path(), &["audit", "verify"]);
    assert!(out.contains("intact"), "{out}");
    let c = rusqlite::Connection::open(author.path().join("vigie.db")).unwrap();
    c.execute_batch(
        "DROP TRIGGER audit_no_update; UPDATE audit SET data = '{}' WHERE kind = 'approval_imported'",
    )
    .unwrap();
    drop(c);
    let e = fails(author.path(), &["audit", "verify"]);
    assert!(e.contains("tampered") && e.contains("modified"), "{e}");
}
