//! snac2: a small real server speaking the Mastodon API.

use crate::{free_port, wait_for_port};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct Snac {
    child: Child,
    pub port: u16,
    /// alice's token.
    pub token: String,
    alice_password: String,
    base: PathBuf,
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
        let password = add_user(b, "alice");
        let child = Command::new("snac")
            .args(["httpd", b])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for_port(port, "snac");
        let token = oauth_token(port, "alice", &password).await;
        Snac {
            child,
            port,
            token,
            alice_password: password,
            base,
            _dir: dir,
        }
    }

    /// Creates another user on the instance; returns (password, access token).
    pub async fn add_user(&self, name: &str) -> (String, String) {
        let password = add_user(self.base.to_str().unwrap(), name);
        let token = oauth_token(self.port, name, &password).await;
        (password, token)
    }

    /// A new access token for alice (e.g. after the old one was revoked).
    pub async fn new_token(&self) -> String {
        oauth_token(self.port, "alice", &self.alice_password).await
    }

    /// Revokes a token on the server (snac keeps one file per token).
    pub fn revoke(&self, token: &str) {
        std::fs::remove_file(self.base.join("token").join(format!("{token}.json")))
            .expect("the token exists on the server");
    }

    /// The plain texts of a user's public statuses, newest first (what is really on the server).
    pub async fn statuses_of(&self, token: &str) -> Vec<serde_json::Value> {
        let me: serde_json::Value = client()
            .get(format!("{}/api/v1/accounts/verify_credentials", self.url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        client()
            .get(format!(
                "{}/api/v1/accounts/{}/statuses?limit=40",
                self.url(),
                me["id"].as_str().unwrap()
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub async fn post(&self, text: &str) {
        self.post_as(&self.token, text).await;
    }

    /// Posts publicly as the user whose access token this is.
    pub async fn post_as(&self, token: &str, text: &str) {
        let r = client()
            .post(format!("{}/api/v1/statuses", self.url()))
            .bearer_auth(token)
            .form(&[("status", text), ("visibility", "public")])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
}

fn add_user(base: &str, name: &str) -> String {
    let out = run_with_stdin(&["adduser", base], &format!("{name}\n"));
    out.split("User password is ")
        .nth(1)
        .expect("adduser prints the password")
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// The snac OAuth dance: register an app, log in for a code, exchange it for a token.
async fn oauth_token(port: u16, login: &str, password: &str) -> String {
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
            ("login", login),
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
