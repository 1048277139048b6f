//! snac2: a small real server speaking the Mastodon API.

use crate::{free_port, wait_for_port};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

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
    let mut c = Command::new("snac")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("snac is installed (scripts/install-deps.sh)");
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
        run_with_stdin(
            &["init", b],
            &format!("127.0.0.1\n{port}\nlocalhost:{port}\n\n\n"),
        );
        let conf = base.join("server.json");
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&conf).unwrap()).unwrap();
        v["protocol"] = "http".into();
        std::fs::write(&conf, v.to_string()).unwrap();
        let out = run_with_stdin(&["adduser", b], "alice\n");
        let password = out
            .split("User password is ")
            .nth(1)
            .expect("adduser prints the password")
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        let child = Command::new("snac")
            .args(["httpd", b])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for_port(port, "snac");
        let token = oauth_token(port, &password).await;
        Snac {
            child,
            port,
            token,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub async fn post(&self, text: &str) {
        let r = client()
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
    let c = client();
    let base = format!("http://127.0.0.1:{port}");
    let oob = "urn:ietf:wg:oauth:2.0:oob";
    let app: serde_json::Value = c
        .post(format!("{base}/api/v1/apps"))
        .form(&[
            ("client_name", "vigie-test"),
            ("redirect_uris", oob),
            ("scopes", "read write"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cid = app["client_id"].as_str().unwrap();
    let code = c
        .post(format!("{base}/oauth/x-snac-login"))
        .form(&[
            ("login", "alice"),
            ("passwd", password),
            ("redir", oob),
            ("cid", cid),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let tok: serde_json::Value = c
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.trim()),
            ("client_id", cid),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("redirect_uri", oob),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tok["access_token"].as_str().expect("a token").to_string()
}

/// snac closes idle connections without warning: a fresh connection per request avoids
/// reusing one it has just closed (hyper's "IncompleteMessage").
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client builds")
}
