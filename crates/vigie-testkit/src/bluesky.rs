//! The Bluesky test network (PLC + PDS + AppView from @atproto/dev-env), started through
//! tests/servers/bluesky/start.sh, which prints one JSON line when it is ready.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};

pub struct BlueskyNet {
    child: Child,
    _stdin: Option<ChildStdin>,
    pub info: serde_json::Value,
}

impl BlueskyNet {
    /// Starts the network (≈ 10 s). Panics with the setup hint when it is not installed.
    pub fn start() -> BlueskyNet {
        let script = crate::repo_root().join("tests/servers/bluesky/start.sh");
        let mut child = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("bash runs");
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: serde_json::Value = serde_json::from_str(line.trim())
            .unwrap_or_else(|e| panic!("bad ready line {line:?}: {e}"));
        assert_eq!(
            info["ready"], true,
            "the Bluesky test network did not start: {info} (run tests/servers/bluesky/setup.sh)"
        );
        BlueskyNet {
            child,
            _stdin: stdin,
            info,
        }
    }

    pub fn field(&self, name: &str) -> String {
        self.info[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {}", self.info))
            .to_string()
    }

    /// Creates posts as the test account and waits until the AppView has indexed them.
    pub async fn seed(&self, texts: &[&str]) {
        self.control("seed", serde_json::json!({ "texts": texts }))
            .await;
    }

    /// Creates posts as the given accounts (name.test handles, created if new), each
    /// `(handle, text)`, and waits until the AppView has indexed them.
    pub async fn seed_as(&self, posts: &[(&str, &str)]) {
        let posts: Vec<_> = posts
            .iter()
            .map(|(handle, text)| serde_json::json!({ "handle": handle, "text": text }))
            .collect();
        self.control("seed", serde_json::json!({ "posts": posts }))
            .await;
    }

    /// `follower` (a name.test handle, created if new) follows `subject` (an existing
    /// account's handle); returns once the AppView has indexed the follow.
    pub async fn follow(&self, follower: &str, subject: &str) {
        self.control(
            "follow",
            serde_json::json!({ "follower": follower, "subject": subject }),
        )
        .await;
    }

    /// Creates an account (name.test) with an app password: its control-route answer.
    pub async fn account(&self, handle: &str) -> serde_json::Value {
        self.control("accounts", serde_json::json!({ "handle": handle }))
            .await
    }

    /// POSTs to a route of the network's control endpoint (start.mjs); panics on failure.
    async fn control(&self, route: &str, body: serde_json::Value) -> serde_json::Value {
        let r = reqwest::Client::new()
            .post(format!("{}/{route}", self.field("control")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{route} failed: {}", r.status());
        r.json().await.unwrap()
    }
}

impl Drop for BlueskyNet {
    fn drop(&mut self) {
        // SIGTERM lets it stop PostgreSQL and Redis and remove its temp dir.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
