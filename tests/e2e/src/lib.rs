//! Harness for the end-to-end tests: tauri-driver (WebDriver in front of WebKitWebDriver and
//! the real `vigie-desktop` binary), a WebDriver session, and helpers over the UI's
//! `data-testid` attributes (ui/README.md). Needs a display and a session bus: run through
//! `scripts/e2e.sh`, which provides Xvfb, dbus-run-session and the built app.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The app binary to drive, from `VIGIE_E2E_APP` (set by scripts/e2e.sh).
pub fn app_binary() -> Option<PathBuf> {
    std::env::var_os("VIGIE_E2E_APP")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// A running tauri-driver, stopped with SIGTERM on drop (SIGKILL would leave
/// WebKitWebDriver holding its port).
pub struct TauriDriver {
    child: Child,
    pub port: u16,
}

impl TauriDriver {
    /// Starts tauri-driver; the app it launches inherits `data_dir` as VIGIE_DATA_DIR.
    pub fn start(data_dir: &Path) -> TauriDriver {
        TauriDriver::start_with(data_dir, &[])
    }

    /// Like [`TauriDriver::start`], with more variables for the app. Waits first until the
    /// app of a previous test or run has stopped: a second instance would only bring that one
    /// forward.
    pub fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> TauriDriver {
        processes::wait_for_no_app();
        let port = vigie_testkit::free_port();
        let native_port = vigie_testkit::free_port();
        let child = Command::new(std::env::var("TAURI_DRIVER").unwrap_or("tauri-driver".into()))
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .env("VIGIE_DATA_DIR", data_dir)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver is installed (cargo install tauri-driver --locked)");
        vigie_testkit::wait_for_port(port, "tauri-driver");
        TauriDriver { child, port }
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// The running app's processes, read from /proc: the `vigie-desktop` process (one at a time
/// in these tests) and the WebKit processes it started.
pub mod processes {
    use std::fs;

    /// `/proc/PID/stat` of a process: its name and the fields after it (state, ppid, ...;
    /// field N of proc(5) is at index N - 3). The name may hold spaces: it ends at the last ')'.
    fn stat(pid: &str) -> Option<(String, Vec<String>)> {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (open, close) = (stat.find('(')?, stat.rfind(')')?);
        let fields = stat[close + 1..].split_whitespace().map(String::from);
        Some((stat[open + 1..close].to_string(), fields.collect()))
    }

    /// (pid, parent pid, name) of every process.
    fn all() -> Vec<(u32, u32, String)> {
        let mut out = Vec::new();
        for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let (Ok(pid), Some((comm, fields))) = (name.parse::<u32>(), stat(&name)) else {
                continue;
            };
            let ppid = fields.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
            out.push((pid, ppid, comm));
        }
        out
    }

    /// Waits (up to 20 s) until no `vigie-desktop` runs.
    pub fn wait_for_no_app() {
        let start = std::time::Instant::now();
        while all().iter().any(|(_, _, n)| n == "vigie-desktop") {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(20),
                "a vigie-desktop from before is still running"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// The pid of the running `vigie-desktop`, if exactly one runs.
    pub fn app() -> Option<u32> {
        let apps: Vec<u32> = all()
            .into_iter()
            .filter(|(_, _, n)| n == "vigie-desktop")
            .map(|(p, _, _)| p)
            .collect();
        (apps.len() == 1).then(|| apps[0])
    }

    /// How long ago `pid` started, from /proc (10 ms steps: the kernel counts clock ticks).
    pub fn age_secs(pid: u32) -> Option<f64> {
        let (_, fields) = stat(&pid.to_string())?;
        let start_ticks: f64 = fields.get(19)?.parse().ok()?;
        let uptime: f64 = fs::read_to_string("/proc/uptime")
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        let out = std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()?;
        let ticks: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
        Some(uptime - start_ticks / ticks)
    }

    /// WebKit's web processes started by `app` (the page's renderer, one per webview).
    pub fn web_processes(app: u32) -> Vec<u32> {
        all()
            .into_iter()
            .filter(|(_, ppid, n)| *ppid == app && n.starts_with("WebKitWebProces"))
            .map(|(p, _, _)| p)
            .collect()
    }

    /// The files `pid` has mapped (shared libraries…) whose name contains `part`.
    pub fn libraries(pid: u32, part: &str) -> Vec<String> {
        let maps = fs::read_to_string(format!("/proc/{pid}/maps"))
            .unwrap_or_else(|e| panic!("cannot read /proc/{pid}/maps: {e}"));
        let libs: std::collections::BTreeSet<&str> = maps
            .lines()
            .filter_map(|l| l.split_whitespace().nth(5))
            .filter_map(|path| path.rsplit('/').next())
            .filter(|name| name.contains(part))
            .collect();
        libs.into_iter().map(String::from).collect()
    }
}

/// Asks the window titled `title` to close, as a window manager's close button does
/// (tests/e2e/close_window.py: a WM_DELETE_WINDOW message).
pub fn close_window(title: &str) {
    let ok = Command::new("python3")
        .arg(vigie_testkit::repo_root().join("tests/e2e/close_window.py"))
        .arg(title)
        .status()
        .expect("python3 runs");
    assert!(ok.success(), "no window titled {title:?} to close");
}

/// How many windows titled `title` are shown (mapped) on the display.
pub fn shown_windows(title: &str) -> usize {
    let out = Command::new("python3")
        .arg(vigie_testkit::repo_root().join("tests/e2e/close_window.py"))
        .args(["--mapped", title])
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("close_window.py --mapped: {out:?}"))
}

/// A real notification daemon (dunst) on the test's session bus and display; stopped on drop.
pub struct Dunst(Child);

impl Dunst {
    pub fn start() -> Dunst {
        Dunst(
            Command::new("dunst")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("dunst (scripts/install-deps.sh) under Xvfb"),
        )
    }

    /// How many notifications dunst shows now.
    pub fn displayed(&self) -> usize {
        Command::new("dunstctl")
            .args(["count", "displayed"])
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(0)
    }

    /// Clicks the newest notification's default action, as a user would.
    pub fn click_newest(&self) {
        let clicked = Command::new("dunstctl")
            .args(["action", "0"])
            .status()
            .expect("dunstctl");
        assert!(clicked.success());
    }
}

impl Drop for Dunst {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An RSS feed of 40 angry French posts about Danone over the last 25 minutes (RFC 2822
/// dates, relative to now): enough to raise a "danone" watch above calm.
pub fn spike_feed() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut items = String::new();
    for i in 0..40 {
        let t = now - 25 * 60 + i * 30;
        let date = Command::new("date")
            .args(["-u", "-R", "-d", &format!("@{t}")])
            .output()
            .unwrap();
        let date = String::from_utf8(date.stdout).unwrap();
        items.push_str(&format!(
            "<item><title>Scandale Danone : boycott, quelle honte !!! ({i})</title><guid>spike-{i}</guid>\
             <author>user{i}@example.org</author><pubDate>{}</pubDate>\
             <description>Arnaque totale, je suis furieux</description></item>",
            date.trim()
        ));
    }
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Spike</title><language>fr</language>{items}</channel></rss>")
}

/// A WebDriver session on the app.
pub struct Ui {
    pub client: Client,
    screenshots: PathBuf,
}

pub fn css_id(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

impl Ui {
    pub async fn connect(driver: &TauriDriver, app: &Path) -> Ui {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app }),
        );
        // WebKitWebDriver can, rarely, never answer the new-session request: fail in a minute
        // (scripts/test.sh retries the suite) rather than at the suite's 15-minute timeout.
        let client = tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::native()
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{}", driver.port)),
        )
        .await
        .expect("WebKitWebDriver did not open a session on the app within 60 s")
        .expect("a WebDriver session on the app");
        let screenshots = vigie_testkit::repo_root().join("docs/screenshots");
        Ui {
            client,
            screenshots,
        }
    }

    /// Waits (up to 20 s) for the element with this test id. The UI re-renders views, so a
    /// "stale element" answer is retried like a missing one.
    pub async fn el(&self, testid: &str) -> Element {
        let start = Instant::now();
        loop {
            match self.client.find(Locator::Css(&css_id(testid))).await {
                Ok(e) => return e,
                Err(e) if start.elapsed() > Duration::from_secs(20) => {
                    panic!("no element {testid} ({e})")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Clicks the element, finding it again if the view re-rendered in between.
    pub async fn click(&self, testid: &str) {
        let start = Instant::now();
        loop {
            match self.el(testid).await.click().await {
                Ok(_) => return,
                Err(e) if start.elapsed() > Duration::from_secs(20) => {
                    panic!("could not click {testid} ({e})")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Types into the element (or the input inside it), retrying on a re-render.
    pub async fn fill(&self, testid: &str, text: &str) {
        let start = Instant::now();
        loop {
            let el = self.el(testid).await;
            // The query field may be a wrapper: type into its input if it has one.
            let input = match el.find(Locator::Css("input, textarea")).await {
                Ok(inner) => inner,
                Err(_) => el,
            };
            let done = match input.clear().await {
                Ok(()) => input.send_keys(text).await,
                Err(e) => Err(e),
            };
            match done {
                Ok(()) => return,
                Err(e) if start.elapsed() > Duration::from_secs(20) => {
                    panic!("could not fill {testid} ({e})")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Every element with this test id (none while the view is being re-rendered).
    pub async fn all(&self, testid: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(&css_id(testid)))
            .await
            .unwrap_or_default()
    }

    /// Polls `check` every 200 ms until it holds or `within` passes.
    pub async fn until<F, Fut>(&self, what: &str, within: Duration, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let start = Instant::now();
        while !check().await {
            assert!(start.elapsed() < within, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The value of a DOM property of the element with this test id (null if absent).
    pub async fn prop(&self, testid: &str, js_prop: &str) -> serde_json::Value {
        self.client
            .execute(
                &format!(
                    "const e = document.querySelector('{}'); return e ? e[{js_prop:?}] : null;",
                    css_id(testid).replace('\'', "\\'")
                ),
                vec![],
            )
            .await
            .unwrap_or(serde_json::Value::Null)
    }

    /// An attribute of the element with this test id; a view re-rendered in between is read
    /// again.
    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        for _ in 0..5 {
            if let Ok(e) = self.client.find(Locator::Css(&css_id(testid))).await {
                if let Ok(v) = e.attr(name).await {
                    return v;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }

    /// The visible text of the element with this test id (read again after a re-render).
    pub async fn text(&self, testid: &str) -> String {
        for _ in 0..5 {
            if let Ok(e) = self.client.find(Locator::Css(&css_id(testid))).await {
                if let Ok(t) = e.text().await {
                    return t;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        String::new()
    }

    /// Waits for the toasts to fade, so screenshots show the screen itself.
    pub async fn no_toasts(&self) {
        self.until("the toasts gone", Duration::from_secs(15), || async {
            self.client
                .find_all(Locator::Css(".toast"))
                .await
                .map(|t| t.is_empty())
                .unwrap_or(true)
        })
        .await;
    }

    /// The first-run guide: a watch on `brand` with `query`, one feed source, done.
    pub async fn onboard(
        &self,
        brand: &str,
        query: &str,
        feed_url: &str,
        screenshot: Option<&str>,
    ) {
        self.el("onboarding-step-1").await;
        self.fill("onboarding-brand", brand).await;
        self.fill("onboarding-query", query).await;
        if let Some(name) = screenshot {
            self.screenshot(name).await;
        }
        self.click("onboarding-next").await;
        self.el("onboarding-step-2").await;
        self.click("onboarding-kind-feed").await;
        self.fill("onboarding-source-url", feed_url).await;
        self.click("onboarding-add-source").await;
        self.el("onboarding-step-3").await;
        self.click("onboarding-finish").await;
    }

    /// Saves a screenshot as docs/screenshots/{name}.png.
    pub async fn screenshot(&self, name: &str) {
        // WebKit paints asynchronously (software rendering under Xvfb): give the last DOM
        // change a moment to reach the screen, or the capture shows the previous view.
        tokio::time::sleep(Duration::from_millis(600)).await;
        // Without compositing (the app's default, see src-tauri/src/memory.rs), WebKit answers
        // a screenshot request at the page's next paint, and an idle page never paints: keep
        // it repainting (an invisible opacity flicker, one per frame) while the capture runs.
        self.client
            .execute(
                "let n = 0; const s = document.documentElement.style;
                 const f = () => { s.opacity = n++ % 2 ? '' : '0.9999'; window.__vigieRepaint = requestAnimationFrame(f); };
                 f();",
                vec![],
            )
            .await
            .unwrap();
        let png = tokio::time::timeout(Duration::from_secs(60), self.client.screenshot())
            .await
            .unwrap_or_else(|_| panic!("screenshot {name}: WebKitWebDriver did not answer in 60 s"))
            .unwrap();
        self.client
            .execute(
                "cancelAnimationFrame(window.__vigieRepaint); document.documentElement.style.opacity = '';",
                vec![],
            )
            .await
            .unwrap();
        std::fs::create_dir_all(&self.screenshots).unwrap();
        std::fs::write(self.screenshots.join(format!("{name}.png")), png).unwrap();
    }
}

/// The plain text of alice's statuses on the snac server (snac returns HTML).
pub async fn statuses_text(snac: &vigie_testkit::Snac) -> Vec<String> {
    snac.statuses_of(&snac.token)
        .await
        .iter()
        .map(|s| s["content"].as_str().unwrap_or_default().to_string())
        .collect()
}
