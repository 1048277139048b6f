//! Mastodon tag timelines against snac2 (a real server speaking the Mastodon API).

use crate::support::*;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use vigie_domain::SourceKind;
use vigie_store::MentionFilter;

pub struct Snac {
    child: Child,
    pub port: u16,
    pub token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Snac {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_with_stdin(args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut c = Command::new("snac").args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("snac is installed (scripts/install-deps.sh)");
    c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = c.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

impl Snac {
    pub async fn start() -> Snac {
        let dir = tempfile::tempdir().unwrap();
        let base: PathBuf = dir.path().join("snac");
        let port = free_port();
        let b = base.to_str().unwrap();
        run_with_stdin(&["init", b], &format!("127.0.0.1\n{port}\nlocalhost:{port}\n\n\n"));
        let conf = base.join("server.json");
        let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&conf).unwrap()).unwrap();
        v["protocol"] = "http".into();
        std::fs::write(&conf, v.to_string()).unwrap();
        let out = run_with_stdin(&["adduser", b], "alice\n");
        let password = out.split("User password is ").nth(1).expect("adduser prints the password").split_whitespace().next().unwrap().to_string();
        let child = Command::new("snac").args(["httpd", b]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        wait_for_port(port, "snac");
        let token = oauth_token(port, &password).await;
        Snac { child, port, token, _dir: dir }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub async fn post(&self, text: &str) {
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1/statuses", self.url()))
            .bearer_auth(&self.token)
            .form(&[("status", text), ("visibility", "public")])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
}

/// The snac OAuth dance: register an app, log in for a code, exchange it for a token.
async fn oauth_token(port: u16, password: &str) -> String {
    let c = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let oob = "urn:ietf:wg:oauth:2.0:oob";
    let app: serde_json::Value = c.post(format!("{base}/api/v1/apps")).form(&[("client_name", "vigie-test"), ("redirect_uris", oob), ("scopes", "read write")]).send().await.unwrap().json().await.unwrap();
    let cid = app["client_id"].as_str().unwrap();
    let code = c.post(format!("{base}/oauth/x-snac-login")).form(&[("login", "alice"), ("passwd", password), ("redir", oob), ("cid", cid)]).send().await.unwrap().text().await.unwrap();
    let tok: serde_json::Value = c
        .post(format!("{base}/oauth/token"))
        .form(&[("grant_type", "authorization_code"), ("code", code.trim()), ("client_id", cid), ("client_secret", app["client_secret"].as_str().unwrap()), ("redirect_uri", oob)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tok["access_token"].as_str().expect("a token").to_string()
}

#[tokio::test]
async fn tag_timeline_is_polled_with_min_id_paging_and_no_duplicates() {
    let snac = Snac::start().await;
    snac.post("Le #danone rappel continue, scandale à l'usine").await;
    snac.post("Encore un post sur #Danone").await;
    snac.post("Rien à voir #meteo").await;
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let id = with_store(&p, |s| s.add_source("", &SourceKind::MastodonTag { instance: snac.url(), tag: "danone".into() }, 300, NOW).unwrap().id);
    let r = p.poll_once(NOW).await.unwrap();
    assert_eq!((r.new_mentions, r.errors.len()), (2, 0), "{r:?}");
    let (_, st) = with_store(&p, |s| s.source(id).unwrap());
    let cursor = st.cursor.clone().expect("the newest status id is remembered");
    // New posts: only they come back (min_id paging), nothing twice.
    snac.post("Troisième #danone, avec un lien").await;
    with_store(&p, |s| s.check_now(id, NOW + 1).unwrap());
    let r2 = p.poll_once(NOW + 1).await.unwrap();
    assert_eq!((r2.new_mentions, r2.duplicates), (1, 0), "{r2:?}");
    let st2 = with_store(&p, |s| s.source(id).unwrap().1);
    assert_ne!(st2.cursor.as_deref(), Some(cursor.as_str()), "the cursor moved forward");
    let all = with_store(&p, |s| s.mentions(&MentionFilter { source_id: Some(id), limit: 10, ..Default::default() }).unwrap());
    assert_eq!(all.len(), 3);
    let m = all.iter().find(|m| m.text.contains("scandale")).unwrap();
    assert!(m.author.as_deref().unwrap().contains("@alice"), "{:?}", m.author);
    assert!(m.url.as_deref().unwrap().starts_with("http://localhost:"), "{:?}", m.url);
    assert!(m.html.as_deref().unwrap().contains("<a "), "links kept, sanitised");
    // Nothing new: an empty page, no error.
    with_store(&p, |s| s.check_now(id, NOW + 2).unwrap());
    let r3 = p.poll_once(NOW + 2).await.unwrap();
    assert_eq!((r3.new_mentions, r3.failed), (0, 0));
}

#[tokio::test]
async fn a_dead_mastodon_instance_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let port = free_port();
    let id = with_store(&p, |s| s.add_source("", &SourceKind::MastodonTag { instance: format!("http://127.0.0.1:{port}"), tag: "x".into() }, 300, NOW).unwrap().id);
    p.poll_once(NOW).await.unwrap();
    let st = with_store(&p, |s| s.source(id).unwrap().1);
    assert!(st.last_error.unwrap().contains("could not reach the server"));
}
