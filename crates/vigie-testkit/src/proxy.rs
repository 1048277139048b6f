//! A fault-injecting TCP proxy of our own, between Vigie and a real server on 127.0.0.1.
//!
//! Each connection is forwarded byte for byte, unless a rule matches the first line of the
//! request (e.g. `POST /api/v1/statuses`). A rule can:
//! - `Cut`: forward the request, wait until the real server has answered (so it has stored the
//!   post), then close the client's connection without passing the answer on;
//! - `Hang`: forward the request and never answer (the client times out or is killed);
//! - `Refuse`: close the connection before anything reaches the server;
//! - `TooManyRequests`: answer 429 with a Retry-After header, as a rate-limiting front would.
//!
//! Rules fire a given number of times, then the proxy forwards normally again.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Cut,
    Hang,
    Refuse,
    /// Answer `429 Too Many Requests` with `Retry-After: secs` instead of forwarding.
    TooManyRequests {
        retry_after_secs: u32,
    },
}

#[derive(Debug, Clone)]
struct Rule {
    request_prefix: String,
    fault: Fault,
    times: usize,
}

#[derive(Default)]
struct Shared {
    rules: Mutex<Vec<Rule>>,
    /// Requests whose first line matched a rule and got its fault.
    faults: AtomicUsize,
    /// Request lines seen, in order.
    seen: Mutex<Vec<String>>,
}

pub struct FaultProxy {
    pub port: u16,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// Starts a proxy in front of `127.0.0.1:upstream_port`. Needs a tokio runtime.
    pub async fn start(upstream_port: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    break;
                };
                let s = Arc::clone(&s);
                tokio::spawn(async move {
                    let _ = handle(client, upstream_port, s).await;
                });
            }
        });
        FaultProxy { port, shared, task }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The next `times` requests whose first line starts with `request_prefix` get `fault`.
    pub fn inject(&self, request_prefix: &str, fault: Fault, times: usize) {
        self.shared.rules.lock().unwrap().push(Rule {
            request_prefix: request_prefix.into(),
            fault,
            times,
        });
    }

    pub fn faults(&self) -> usize {
        self.shared.faults.load(Ordering::SeqCst)
    }

    /// Request lines seen so far ("POST /api/v1/statuses HTTP/1.1", …).
    pub fn requests(&self) -> Vec<String> {
        self.shared.seen.lock().unwrap().clone()
    }
}

async fn handle(mut client: TcpStream, upstream_port: u16, s: Arc<Shared>) -> std::io::Result<()> {
    // Read until the end of the request line to decide.
    let mut head = Vec::new();
    let mut buf = [0u8; 8192];
    while !head.windows(2).any(|w| w == b"\r\n") {
        let n = client.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    s.seen.lock().unwrap().push(line.clone());
    let fault = {
        let mut rules = s.rules.lock().unwrap();
        let hit = rules
            .iter_mut()
            .find(|r| r.times > 0 && line.starts_with(&r.request_prefix));
        hit.map(|r| {
            r.times -= 1;
            r.fault
        })
    };
    if fault.is_some() {
        s.faults.fetch_add(1, Ordering::SeqCst);
    }
    if fault == Some(Fault::Refuse) {
        return Ok(()); // dropping `client` closes it
    }
    if let Some(Fault::TooManyRequests { retry_after_secs }) = fault {
        let body = r#"{"error":"Too many requests"}"#;
        let answer = format!(
            "HTTP/1.1 429 Too Many Requests\r\nretry-after: {retry_after_secs}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        client.write_all(answer.as_bytes()).await?;
        return Ok(());
    }
    let addr: SocketAddr = ([127, 0, 0, 1], upstream_port).into();
    let mut upstream = TcpStream::connect(addr).await?;
    upstream.write_all(&head).await?;
    let (mut cr, mut cw) = client.split();
    let (mut ur, mut uw) = upstream.split();
    match fault {
        None => {
            let up = tokio::io::copy(&mut cr, &mut uw);
            let down = tokio::io::copy(&mut ur, &mut cw);
            let _ = tokio::try_join!(up, down);
        }
        Some(Fault::Cut) => {
            // Pass the rest of the request on; as soon as the server starts answering, it has
            // done its work: hang up on the client.
            let up = async {
                let _ = tokio::io::copy(&mut cr, &mut uw).await;
                std::future::pending::<()>().await
            };
            let answered = async {
                let mut b = [0u8; 1];
                let _ = ur.read(&mut b).await;
            };
            tokio::select! {
                _ = up => {}
                _ = answered => {}
            }
        }
        Some(Fault::Hang) => {
            let up = async {
                let _ = tokio::io::copy(&mut cr, &mut uw).await;
            };
            up.await;
            std::future::pending::<()>().await;
        }
        Some(Fault::Refuse | Fault::TooManyRequests { .. }) => unreachable!("answered above"),
    }
    Ok(())
}
