//! Real servers on 127.0.0.1 for Vigie's tests: nginx serving fixture feeds, snac2 for the
//! Mastodon API, the Bluesky PDS + AppView, and a server that never answers.
//! Each server is started on a free port, waited for by polling (never a fixed sleep), and
//! stopped when its guard drops.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod bluesky;
mod proxy;
mod snac;
pub use bluesky::BlueskyNet;
pub use proxy::{Fault, FaultProxy};
pub use snac::Snac;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_for_port(port: u16, what: &str) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} did not start listening on {port}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The fixture feeds (tests/fixtures at the repository root).
pub fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures")
}

/// The repository's root. Found from the running test's crate folder (cargo sets
/// `CARGO_MANIFEST_DIR` when it runs a test): a path compiled into the test kit would go stale
/// when one target folder serves two checkouts of the repository.
pub fn repo_root() -> PathBuf {
    let here = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    here.ancestors()
        .find(|a| a.join("tests/fixtures").is_dir() && a.join("Cargo.lock").is_file())
        .map_or_else(|| here.join("../.."), Path::to_path_buf)
}

/// An nginx serving `root` with the status routes the tests need.
pub struct Nginx {
    child: Child,
    pub port: u16,
    pub root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Nginx {
    pub fn start() -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("www");
        std::fs::create_dir_all(root.join("lm")).unwrap();
        for entry in std::fs::read_dir(fixtures()).unwrap() {
            let p = entry.unwrap().path();
            std::fs::copy(&p, root.join(p.file_name().unwrap())).unwrap();
        }
        std::fs::copy(fixtures().join("rss2.xml"), root.join("lm/rss2.xml")).unwrap();
        let port = free_port();
        let conf = format!(
            r#"
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log stderr error;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp_body;
    proxy_temp_path {d}/tmp_proxy;
    fastcgi_temp_path {d}/tmp_fcgi;
    uwsgi_temp_path {d}/tmp_uwsgi;
    scgi_temp_path {d}/tmp_scgi;
    types {{ application/rss+xml xml; application/feed+json json; text/html html; }}
    default_type application/octet-stream;
    gzip on;
    gzip_min_length 0;
    gzip_types application/rss+xml application/feed+json;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location /lm/ {{ etag off; }}
        location = /moved.xml {{ return 301 /rss2.xml; }}
        location = /gone.xml {{ return 410; }}
        location = /busy.xml {{ add_header Retry-After 120 always; return 429; }}
        location = /down.xml {{ add_header Retry-After "Sat, 21 Nov 2026 00:00:00 GMT" always; return 503; }}
        location = /missing.xml {{ return 404; }}
        location = /loop-a.xml {{ return 302 /loop-b.xml; }}
        location = /loop-b.xml {{ return 302 /loop-a.xml; }}
        location = /to-ftp.xml {{ return 302 ftp://127.0.0.1/feed.xml; }}
        location = /bomb.xml {{
            gzip off;
            default_type application/rss+xml;
            add_header Content-Encoding gzip;
            types {{ }}
            try_files /bomb.xml.gz =404;
        }}
    }}
}}
"#,
            d = dir.path().display(),
            root = root.display(),
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = Command::new("nginx")
            .args([
                "-p",
                dir.path().to_str().unwrap(),
                "-c",
                "nginx.conf",
                "-e",
                "stderr",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("nginx is installed (scripts/install-deps.sh)");
        wait_for_port(port, "nginx");
        Nginx {
            child,
            port,
            root,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    /// Writes a file into the served folder (changing its ETag and Last-Modified).
    pub fn put(&self, name: &str, body: impl AsRef<[u8]>) {
        std::fs::write(self.root.join(name), body).unwrap();
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP server that accepts connections and never answers.
pub struct Silent {
    pub port: u16,
    _listener: TcpListener,
}

impl Silent {
    pub fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        Silent {
            port,
            _listener: listener,
        }
    }
}
