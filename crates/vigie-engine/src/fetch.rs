//! Polite HTTP: conditional GET, redirects followed by hand (capped, loop-detected, http/https
//! only, never from a public address into this machine or its local network, permanent moves
//! reported), connect and total timeouts, and a body cap that also applies after decompression.

use futures_util::StreamExt;
use reqwest::header::{
    HeaderMap, HeaderValue, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION,
    RETRY_AFTER,
};
use reqwest::{Method, StatusCode};
use std::time::Duration;
use url::Url;
use vigie_domain::health::Problem;
use vigie_domain::schedule::parse_retry_after;
use vigie_domain::Timestamp;

/// Limits for every request Vigie makes.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub connect_timeout: Duration,
    /// Whole request, body included.
    pub total_timeout: Duration,
    pub max_redirects: usize,
    /// Maximum body size in bytes, counted after decompression.
    pub max_body_bytes: u64,
    pub user_agent: String,
    /// Host names answered without DNS (tests: a public-looking name served on this machine).
    pub resolve: Vec<(String, std::net::SocketAddr)>,
    /// Host names whose server stands in for a public one though it runs on this machine
    /// (tests of the inward-redirect guard, which judges where a connection really went).
    pub stand_in_public: Vec<String>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_redirects: 5,
            max_body_bytes: 10 * 1024 * 1024,
            user_agent: concat!(
                "Vigie/",
                env!("CARGO_PKG_VERSION"),
                " (brand listening; polls politely)"
            )
            .into(),
            resolve: Vec::new(),
            stand_in_public: Vec::new(),
        }
    }
}

/// Validators from the previous successful fetch.
#[derive(Debug, Clone, Default)]
pub struct Conditional {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Where the content came from after redirects.
    pub final_url: String,
    /// Set when every redirect on the way was permanent (301/308): the source moved.
    pub moved_to: Option<String>,
}

#[derive(Debug, Clone)]
pub enum FetchOutcome {
    NotModified { status: u16 },
    Fetched(Fetched),
}

/// A failed request: what to tell the user, and the HTTP status when there was one.
#[derive(Debug, Clone)]
pub struct FetchError {
    pub problem: Problem,
    pub status: Option<u16>,
}

impl FetchError {
    fn new(problem: Problem) -> Self {
        FetchError {
            problem,
            status: None,
        }
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problem.message())
    }
}

impl std::error::Error for FetchError {}

/// The one HTTP client of the engine. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    cfg: FetchConfig,
}

fn check_scheme(url: &Url) -> Result<(), FetchError> {
    match url.scheme() {
        "http" | "https" => Ok(()),
        other => Err(FetchError::new(Problem::UnsupportedScheme {
            scheme: other.into(),
        })),
    }
}

/// Whether a password or a token may be sent to this address: over https, or to this machine
/// (local test servers) over http.
pub fn may_carry_credentials(url: &Url) -> bool {
    let local = matches!(
        url.host_str(),
        Some("127.0.0.1") | Some("localhost") | Some("[::1]")
    );
    match url.scheme() {
        "https" => true,
        "http" => local,
        _ => false,
    }
}

/// An address of this machine or a private network, by its name alone: loopback, RFC 1918,
/// shared (100.64/10), link-local, unique local; `localhost`, a single-label name, or a
/// local-only suffix (`.local`, `.lan`, `.internal`, `.home.arpa`). A name that resolves
/// inward is caught by [`Http::get`] from the address it connected to.
pub fn is_inward(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            !d.contains('.')
                || [".localhost", ".local", ".lan", ".internal", ".home.arpa"]
                    .iter()
                    .any(|s| d.ends_with(s))
        }
        Some(url::Host::Ipv4(ip)) => inward_ip(ip.into()),
        Some(url::Host::Ipv6(ip)) => inward_ip(ip.into()),
        None => false,
    }
}

fn inward_ip(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(ip) => {
            let [a, b, ..] = ip.octets();
            ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || (a == 100 && b & 0xc0 == 64)
        }
        std::net::IpAddr::V6(ip) => {
            let first = ip.segments()[0];
            ip.is_loopback()
                || ip.is_unspecified()
                || first & 0xfe00 == 0xfc00
                || first & 0xffc0 == 0xfe80
                || ip.to_ipv4().is_some_and(|v4| inward_ip(v4.into()))
        }
    }
}

fn header(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn resolving(mut b: reqwest::ClientBuilder, cfg: &FetchConfig) -> reqwest::ClientBuilder {
    for (name, addr) in &cfg.resolve {
        b = b.resolve(name, *addr);
    }
    b
}

impl Http {
    pub fn new(cfg: FetchConfig) -> Self {
        let client = resolving(reqwest::Client::builder(), &cfg)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.total_timeout)
            .user_agent(cfg.user_agent.clone())
            .gzip(true)
            .build()
            .expect("the HTTP client builds with static settings");
        Http { client, cfg }
    }

    /// A client that opens a fresh connection per request. Publishing uses it: a request is
    /// never written onto a pooled connection the server has just closed, so a transport error
    /// really means "the outcome is unknown", not "an idle socket died".
    pub fn unpooled(cfg: FetchConfig) -> Self {
        let client = resolving(reqwest::Client::builder(), &cfg)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.total_timeout)
            .user_agent(cfg.user_agent.clone())
            .pool_max_idle_per_host(0)
            .build()
            .expect("the HTTP client builds with static settings");
        Http { client, cfg }
    }

    pub fn config(&self) -> &FetchConfig {
        &self.cfg
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// GET with validators; follows redirects by hand. `now` only serves Retry-After dates.
    pub async fn get(
        &self,
        url: &str,
        cond: &Conditional,
        headers: HeaderMap,
        now: Timestamp,
    ) -> Result<FetchOutcome, FetchError> {
        let mut current = Url::parse(url).map_err(|e| {
            FetchError::new(Problem::Other {
                detail: format!("invalid address {url:?}: {e}"),
            })
        })?;
        check_scheme(&current)?;
        // A public feed may not send Vigie to this machine or the local network (where it
        // would read what only this computer can reach, and maybe keep that address).
        let mut public = !is_inward(&current);
        let mut visited = vec![current.to_string()];
        let mut all_permanent = true;
        loop {
            let mut req = self
                .client
                .request(Method::GET, current.clone())
                .headers(headers.clone());
            if let Some(e) = &cond.etag {
                if let Ok(v) = HeaderValue::from_str(e) {
                    req = req.header(IF_NONE_MATCH, v);
                }
            }
            if let Some(lm) = &cond.last_modified {
                if let Ok(v) = HeaderValue::from_str(lm) {
                    req = req.header(IF_MODIFIED_SINCE, v);
                }
            }
            // A GET on a pooled connection the server has just closed fails before any answer
            // ("incomplete message"): it is safe to send it once more on a fresh connection.
            let retry = req.try_clone();
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if e.is_request() && !e.is_timeout() && retry.is_some() => retry
                    .expect("checked")
                    .send()
                    .await
                    .map_err(|e| self.transport_error(e))?,
                Err(e) => return Err(self.transport_error(e)),
            };
            // Where the name led: a feed on this machine or the LAN (an intranet name) may
            // redirect there; a public one may not, even through a name that resolves inward.
            let stand_in = current
                .host_str()
                .is_some_and(|h| self.cfg.stand_in_public.iter().any(|s| s == h));
            let peer_inward = !stand_in && resp.remote_addr().is_some_and(|a| inward_ip(a.ip()));
            if visited.len() == 1 {
                public &= !peer_inward;
            } else if public && peer_inward {
                return Err(FetchError {
                    problem: Problem::RedirectInward {
                        host: current.host_str().unwrap_or_default().to_string(),
                    },
                    status: None,
                });
            }
            let status = resp.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let Some(loc) = header(resp.headers(), LOCATION) else {
                    return Err(FetchError {
                        problem: Problem::Http {
                            status: status.as_u16(),
                            retry_after_secs: None,
                        },
                        status: Some(status.as_u16()),
                    });
                };
                let next = current.join(&loc).map_err(|e| {
                    FetchError::new(Problem::Other {
                        detail: format!("bad redirect to {loc:?}: {e}"),
                    })
                })?;
                check_scheme(&next)?;
                if public && is_inward(&next) {
                    return Err(FetchError {
                        problem: Problem::RedirectInward {
                            host: next.host_str().unwrap_or_default().to_string(),
                        },
                        status: Some(status.as_u16()),
                    });
                }
                all_permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                if visited.contains(&next.to_string()) {
                    return Err(FetchError {
                        problem: Problem::RedirectLoop,
                        status: Some(status.as_u16()),
                    });
                }
                if visited.len() > self.cfg.max_redirects {
                    return Err(FetchError {
                        problem: Problem::TooManyRedirects {
                            max: self.cfg.max_redirects,
                        },
                        status: Some(status.as_u16()),
                    });
                }
                visited.push(next.to_string());
                current = next;
                continue;
            }
            if status == StatusCode::NOT_MODIFIED {
                return Ok(FetchOutcome::NotModified { status: 304 });
            }
            if !status.is_success() {
                let retry =
                    header(resp.headers(), RETRY_AFTER).and_then(|v| parse_retry_after(&v, now));
                return Err(FetchError {
                    problem: Problem::Http {
                        status: status.as_u16(),
                        retry_after_secs: retry,
                    },
                    status: Some(status.as_u16()),
                });
            }
            let h = resp.headers().clone();
            let body = self.read_capped(resp).await?;
            let moved_to = (visited.len() > 1 && all_permanent).then(|| current.to_string());
            return Ok(FetchOutcome::Fetched(Fetched {
                status: status.as_u16(),
                body,
                content_type: header(&h, reqwest::header::CONTENT_TYPE),
                etag: header(&h, ETAG),
                last_modified: header(&h, LAST_MODIFIED),
                final_url: current.to_string(),
                moved_to,
            }));
        }
    }

    /// Reads a body, refusing more than `max_body_bytes` (checked on the decompressed stream).
    pub async fn read_capped(&self, resp: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        let limit = self.cfg.max_body_bytes;
        let too_large = || FetchError::new(Problem::TooLarge { limit_bytes: limit });
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.transport_error(e))?;
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    pub(crate) fn transport_error(&self, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            return FetchError::new(Problem::Timeout {
                secs: self.cfg.total_timeout.as_secs().max(1),
            });
        }
        if e.is_connect() {
            let mut detail = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                detail = s.to_string();
                src = s.source();
            }
            return FetchError::new(Problem::Connect { detail });
        }
        if e.is_decode() || e.is_body() {
            return FetchError::new(Problem::Malformed {
                detail: format!("the response could not be decoded: {e}"),
            });
        }
        FetchError::new(Problem::Other {
            detail: e.to_string(),
        })
    }
}
