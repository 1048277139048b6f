//! Bluesky search (`app.bsky.feed.searchPosts`), authenticated with an app password that lives
//! in the OS keychain. Sessions are refreshed with `refreshSession` rather than logging in
//! again; the refresh token is kept in the keychain too, so a new process can reuse it.
//!
//! Both are filed under the server's origin and the handle ([`credential_key`]): a password or
//! a token is only ever sent to the server it was given for, even when the same handle is
//! used on another server.

use crate::fetch::{FetchError, Http};
use crate::normalize::RawEntry;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use tokio::sync::Mutex;
use vigie_domain::health::Problem;
use vigie_secrets::{Keychain, SecretsError, Sensitive};

/// Keychain namespace for Bluesky app passwords (key: [`credential_key`]).
pub const APP_PASSWORD_NS: &str = "bluesky-app-password";
/// Keychain namespace for Bluesky refresh tokens (key: [`credential_key`]).
pub const SESSION_NS: &str = "bluesky-session";

/// Does one of `kinds` search Bluesky as `handle` on `service` (so needs its credentials)?
pub fn credentials_in_use<'a>(
    service: &str,
    handle: &str,
    kinds: impl IntoIterator<Item = &'a vigie_domain::SourceKind>,
) -> bool {
    let key = credential_key(service, handle);
    kinds.into_iter().any(|k| {
        matches!(k, vigie_domain::SourceKind::BlueskySearch { service, handle, .. }
            if credential_key(service, handle) == key)
    })
}

/// Where an account's credentials are filed: the server's origin (scheme, host, port) and the
/// handle, e.g. `https://bsky.social|alice.bsky.social`.
pub fn credential_key(service: &str, handle: &str) -> String {
    let service = service.trim();
    let origin = match url::Url::parse(service) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u.origin().ascii_serialization(),
        _ => service.trim_end_matches('/').to_string(),
    };
    format!("{origin}|{}", handle.trim())
}

#[derive(Clone)]
struct Session {
    access: Sensitive<String>,
    refresh: Sensitive<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionResponse {
    access_jwt: String,
    refresh_jwt: String,
}

fn parse_session(bytes: &[u8]) -> Result<SessionResponse, FetchError> {
    serde_json::from_slice(bytes).map_err(|e| FetchError {
        problem: Problem::Malformed {
            detail: format!("unexpected session answer: {e}"),
        },
        status: Some(200),
    })
}

fn main_password(handle: &str) -> FetchError {
    FetchError {
        problem: Problem::MainPassword {
            handle: handle.to_string(),
        },
        status: Some(200),
    }
}

/// Was this session opened with the account's own password? Its access token then carries
/// the scope `com.atproto.access`; an app password's carries `com.atproto.appPass` (or
/// `…appPassPrivileged`). A token Vigie cannot read is not judged here.
fn is_main_password_session(r: &SessionResponse) -> bool {
    use base64::Engine as _;
    let scope = || -> Option<String> {
        let payload = r.access_jwt.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        claims["scope"].as_str().map(str::to_string)
    };
    scope().as_deref() == Some("com.atproto.access")
}

#[derive(Deserialize)]
struct XrpcError {
    error: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct SearchResponse {
    #[serde(default)]
    posts: Vec<Post>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Post {
    uri: String,
    author: Author,
    record: serde_json::Value,
    indexed_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Author {
    handle: String,
    display_name: Option<String>,
    /// The account's lasting identity (a handle can change).
    did: Option<String>,
}

/// Counts of session operations, for tests and diagnostics.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SessionStats {
    pub logins: u32,
    pub refreshes: u32,
}

/// Live Bluesky sessions, one per (service, handle). Owned by the engine.
pub struct Bluesky {
    keychain_passwords: Keychain,
    keychain_sessions: Keychain,
    sessions: Mutex<HashMap<String, Session>>,
    stats: std::sync::Mutex<SessionStats>,
}

impl Default for Bluesky {
    fn default() -> Self {
        Bluesky::new(Keychain::new(APP_PASSWORD_NS), Keychain::new(SESSION_NS))
    }
}

#[derive(Clone, Copy)]
enum Payload<'a> {
    None,
    Json(&'a serde_json::Value),
    Raw(&'a [u8], &'a str),
}

enum Call {
    Ok(serde_json::Value),
    Expired,
}

fn keychain_problem(e: SecretsError) -> FetchError {
    FetchError {
        problem: match e {
            e if e.is_locked() => Problem::KeychainLocked,
            // Its own detail: the sentence around it is the health message's.
            SecretsError::Unavailable { detail } => Problem::Keychain { detail },
            e => Problem::Keychain {
                detail: e.to_string(),
            },
        },
        status: None,
    }
}

fn expired() -> FetchError {
    FetchError {
        problem: Problem::SessionExpired,
        status: None,
    }
}

impl Bluesky {
    pub fn new(passwords: Keychain, sessions: Keychain) -> Self {
        Bluesky {
            keychain_passwords: passwords,
            keychain_sessions: sessions,
            sessions: Mutex::default(),
            stats: Default::default(),
        }
    }

    pub fn stats(&self) -> SessionStats {
        *self.stats.lock().expect("stats lock")
    }

    /// Stores the app password of `handle` on `service` in the OS keychain.
    pub fn set_app_password(
        &self,
        service: &str,
        handle: &str,
        password: &Sensitive<String>,
    ) -> Result<(), SecretsError> {
        self.keychain_passwords
            .set(&credential_key(service, handle), password)
    }

    /// The stored app password of `handle` on `service`, if any.
    pub fn app_password(
        &self,
        service: &str,
        handle: &str,
    ) -> Result<Option<Sensitive<String>>, SecretsError> {
        self.keychain_passwords
            .get(&credential_key(service, handle))
    }

    /// Is an app password stored for `handle` on `service`?
    pub fn has_app_password(&self, service: &str, handle: &str) -> Result<bool, SecretsError> {
        self.keychain_passwords
            .is_set(&credential_key(service, handle))
    }

    /// Removes what is stored for `handle` on `service`: the app password and the refresh
    /// token. The live session goes too unless a call is using it right now (it then lives in
    /// memory until the process ends; nothing polls it once its source or account is gone).
    pub fn remove_stored(&self, service: &str, handle: &str) -> Result<(), SecretsError> {
        let key = credential_key(service, handle);
        if let Ok(mut sessions) = self.sessions.try_lock() {
            sessions.remove(&key);
        }
        self.keychain_sessions.delete(&key)?;
        self.keychain_passwords.delete(&key)
    }

    /// Files credentials stored by Vigie before they were filed by server (under the handle
    /// alone) under their server's key. `accounts` are the (service, handle) pairs in use; a
    /// handle is only moved when exactly one server uses it, since nothing says which server
    /// an old entry was given for otherwise (those are left for the user to enter again: the
    /// source says no app password is stored). Old refresh tokens are dropped: the next
    /// poll signs in again. Returns how many passwords were moved.
    pub fn adopt_legacy(&self, accounts: &[(String, String)]) -> Result<usize, SecretsError> {
        let mut servers: HashMap<&str, Vec<String>> = HashMap::new();
        for (service, handle) in accounts {
            let key = credential_key(service, handle);
            let list = servers.entry(handle.trim()).or_default();
            if !list.contains(&key) {
                list.push(key);
            }
        }
        let mut moved = 0;
        for (handle, keys) in servers {
            self.keychain_sessions.delete(handle)?;
            let Some(old) = self.keychain_passwords.get(handle)? else {
                continue;
            };
            if let [key] = keys.as_slice() {
                if !self.keychain_passwords.is_set(key)? {
                    self.keychain_passwords.set(key, &old)?;
                    moved += 1;
                }
                self.keychain_passwords.delete(handle)?;
            }
        }
        Ok(moved)
    }

    /// Searches posts. `since` (RFC 3339) limits to posts newer than the last poll.
    pub async fn search(
        &self,
        http: &Http,
        service: &str,
        handle: &str,
        query: &str,
        since: Option<&str>,
        now: vigie_domain::Timestamp,
    ) -> Result<(Vec<RawEntry>, Option<String>), FetchError> {
        let mut url = format!(
            "{}/xrpc/app.bsky.feed.searchPosts?q={}&limit=100&sort=latest",
            service.trim_end_matches('/'),
            crate::mastodon::urlencode(query)
        );
        if let Some(s) = since {
            url.push_str(&format!("&since={}", crate::mastodon::urlencode(s)));
        }
        let key = credential_key(service, handle);
        let mut attempts = 0;
        let value = loop {
            attempts += 1;
            let session = self.session(http, service, handle, &key).await?;
            match self.xrpc_get(http, &url, &session.access, now).await? {
                Call::Ok(v) => break v,
                Call::Expired if attempts == 1 => {
                    self.refresh(http, service, handle, &key, &session).await?;
                }
                Call::Expired => return Err(expired()),
            }
        };
        let resp: SearchResponse = serde_json::from_value(value).map_err(|e| FetchError {
            problem: Problem::Malformed {
                detail: format!("unexpected searchPosts answer: {e}"),
            },
            status: Some(200),
        })?;
        let mut newest: Option<String> = since.map(str::to_string);
        let entries = resp
            .posts
            .into_iter()
            .map(|p| {
                let created = p
                    .record
                    .get("createdAt")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .or(p.indexed_at.clone());
                if let Some(c) = &created {
                    if newest.as_ref().is_none_or(|n| c > n) {
                        newest = Some(c.clone());
                    }
                }
                let rkey = p.uri.rsplit('/').next().unwrap_or_default().to_string();
                RawEntry {
                    guid: Some(p.uri.clone()),
                    url: Some(format!(
                        "https://bsky.app/profile/{}/post/{rkey}",
                        p.author.handle
                    )),
                    title: None,
                    title_is_html: false,
                    body: p
                        .record
                        .get("text")
                        .and_then(|t| t.as_str())
                        .map(str::to_string),
                    body_is_html: false,
                    poster: Some(
                        p.author
                            .did
                            .clone()
                            .unwrap_or_else(|| p.author.handle.clone()),
                    ),
                    author: Some(match p.author.display_name.filter(|d| !d.is_empty()) {
                        Some(d) => format!("{d} (@{})", p.author.handle),
                        None => format!("@{}", p.author.handle),
                    }),
                    published_at: created
                        .as_deref()
                        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
                        .map(|d| d.timestamp()),
                    lang: p
                        .record
                        .get("langs")
                        .and_then(|l| l.get(0))
                        .and_then(|l| l.as_str())
                        .map(str::to_string),
                }
            })
            .collect();
        Ok((entries, newest))
    }

    async fn session(
        &self,
        http: &Http,
        service: &str,
        handle: &str,
        key: &str,
    ) -> Result<Session, FetchError> {
        // A source added by an older Vigie may name a plain-http server: its password and
        // tokens are not sent there.
        let secure =
            url::Url::parse(service.trim()).is_ok_and(|u| crate::fetch::may_carry_credentials(&u));
        if !secure {
            return Err(FetchError {
                problem: Problem::InsecureServer {
                    server: service.to_string(),
                },
                status: None,
            });
        }
        if let Some(s) = self.sessions.lock().await.get(key) {
            return Ok(s.clone());
        }
        // A refresh token from an earlier process: renew instead of logging in again.
        let stored = self.keychain_sessions.get(key).map_err(keychain_problem)?;
        if let Some(refresh) = stored {
            let old = Session {
                access: Sensitive::new(String::new()),
                refresh,
            };
            if let Ok(s) = self.refresh(http, service, handle, key, &old).await {
                return Ok(s);
            }
        }
        self.login(http, service, handle, key).await
    }

    async fn login(
        &self,
        http: &Http,
        service: &str,
        handle: &str,
        key: &str,
    ) -> Result<Session, FetchError> {
        let password = self
            .keychain_passwords
            .get(key)
            .map_err(keychain_problem)?
            .ok_or_else(|| FetchError {
                problem: Problem::NoAppPassword {
                    handle: handle.to_string(),
                },
                status: None,
            })?;
        let url = format!(
            "{}/xrpc/com.atproto.server.createSession",
            service.trim_end_matches('/')
        );
        let body = json!({"identifier": handle, "password": password.expose()});
        let resp = http
            .client()
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(|e| http.transport_error(e))?;
        let status = resp.status().as_u16();
        let bytes = http.read_capped(resp).await?;
        if matches!(status, 400 | 401) {
            // The handle or the app password is refused: the user must act.
            let e: Option<XrpcError> = serde_json::from_slice(&bytes).ok();
            let msg = e
                .and_then(|e| e.message.or(e.error))
                .unwrap_or_else(|| format!("HTTP {status}"));
            return Err(FetchError {
                problem: Problem::Auth {
                    detail: format!("{handle}: {msg}"),
                },
                status: Some(status),
            });
        }
        if status != 200 {
            // Rate limited, or the server failed: nothing wrong with the account.
            return Err(FetchError {
                problem: Problem::Http {
                    status,
                    retry_after_secs: None,
                },
                status: Some(status),
            });
        }
        let r = parse_session(&bytes)?;
        if is_main_password_session(&r) {
            // Logged in with the account's own password: end that session and refuse it.
            let _ = http
                .client()
                .post(format!(
                    "{}/xrpc/com.atproto.server.deleteSession",
                    service.trim_end_matches('/')
                ))
                .bearer_auth(&r.refresh_jwt)
                .send()
                .await;
            return Err(main_password(handle));
        }
        self.stats.lock().expect("stats lock").logins += 1;
        self.store_session(key, r).await
    }

    async fn refresh(
        &self,
        http: &Http,
        service: &str,
        handle: &str,
        key: &str,
        old: &Session,
    ) -> Result<Session, FetchError> {
        let url = format!(
            "{}/xrpc/com.atproto.server.refreshSession",
            service.trim_end_matches('/')
        );
        let resp = http
            .client()
            .post(&url)
            .bearer_auth(old.refresh.expose())
            .send()
            .await
            .map_err(|e| http.transport_error(e))?;
        let status = resp.status().as_u16();
        let bytes = http.read_capped(resp).await?;
        if status != 200 {
            self.drop_session(key).await;
            return self.login(http, service, handle, key).await;
        }
        let r = parse_session(&bytes)?;
        if is_main_password_session(&r) {
            // A session an older Vigie opened with the account's own password: not kept.
            self.drop_session(key).await;
            let _ = self.keychain_passwords.delete(key);
            return Err(main_password(handle));
        }
        self.stats.lock().expect("stats lock").refreshes += 1;
        self.store_session(key, r).await
    }

    async fn store_session(&self, key: &str, r: SessionResponse) -> Result<Session, FetchError> {
        let s = Session {
            access: Sensitive::new(r.access_jwt),
            refresh: Sensitive::new(r.refresh_jwt),
        };
        self.keychain_sessions
            .set(key, &s.refresh)
            .map_err(keychain_problem)?;
        self.sessions
            .lock()
            .await
            .insert(key.to_string(), s.clone());
        Ok(s)
    }

    /// Test hook: forget the in-memory access token as if it had expired (the refresh token stays).
    pub async fn expire_access_token(&self) {
        for s in self.sessions.lock().await.values_mut() {
            s.access = Sensitive::new("expired".into());
        }
    }

    async fn xrpc_get(
        &self,
        http: &Http,
        url: &str,
        access: &Sensitive<String>,
        now: vigie_domain::Timestamp,
    ) -> Result<Call, FetchError> {
        self.xrpc(http, reqwest::Method::GET, url, Payload::None, access, now)
            .await
    }

    /// Any XRPC call made as `handle`, with the same session handling as search: the access
    /// token is refreshed once when it has expired. `body` makes it a POST (procedure).
    #[allow(clippy::too_many_arguments)] // mirrors an XRPC call: who, where, what, when
    pub async fn call(
        &self,
        http: &Http,
        service: &str,
        handle: &str,
        nsid: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        now: vigie_domain::Timestamp,
    ) -> Result<serde_json::Value, FetchError> {
        let mut url = format!("{}/xrpc/{nsid}", service.trim_end_matches('/'));
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&format!("{k}={}", crate::mastodon::urlencode(v)));
        }
        let payload = match body {
            Some(b) => Payload::Json(b),
            None => Payload::None,
        };
        self.call_with(http, service, handle, &url, payload, now)
            .await
    }

    /// `com.atproto.repo.uploadBlob`: the raw bytes as the body.
    pub async fn upload(
        &self,
        http: &Http,
        service: &str,
        handle: &str,
        bytes: &[u8],
        mime: &str,
        now: vigie_domain::Timestamp,
    ) -> Result<serde_json::Value, FetchError> {
        let url = format!(
            "{}/xrpc/com.atproto.repo.uploadBlob",
            service.trim_end_matches('/')
        );
        self.call_with(http, service, handle, &url, Payload::Raw(bytes, mime), now)
            .await
    }

    async fn call_with(
        &self,
        http: &Http,
        service: &str,
        handle: &str,
        url: &str,
        payload: Payload<'_>,
        now: vigie_domain::Timestamp,
    ) -> Result<serde_json::Value, FetchError> {
        let method = if matches!(payload, Payload::None) {
            reqwest::Method::GET
        } else {
            reqwest::Method::POST
        };
        let key = credential_key(service, handle);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let session = self.session(http, service, handle, &key).await?;
            match self
                .xrpc(http, method.clone(), url, payload, &session.access, now)
                .await?
            {
                Call::Ok(v) => return Ok(v),
                Call::Expired if attempts == 1 => {
                    self.refresh(http, service, handle, &key, &session).await?;
                }
                Call::Expired => return Err(expired()),
            }
        }
    }

    /// Forgets the live session and the stored refresh token of `handle` on `service`.
    pub async fn forget(&self, service: &str, handle: &str) {
        self.drop_session(&credential_key(service, handle)).await;
    }

    /// Drops a session from memory and from the keychain (the app password stays).
    async fn drop_session(&self, key: &str) {
        self.sessions.lock().await.remove(key);
        let _ = self.keychain_sessions.delete(key);
    }

    async fn xrpc(
        &self,
        http: &Http,
        method: reqwest::Method,
        url: &str,
        payload: Payload<'_>,
        access: &Sensitive<String>,
        now: vigie_domain::Timestamp,
    ) -> Result<Call, FetchError> {
        let mut req = http
            .client()
            .request(method, url)
            .bearer_auth(access.expose());
        match payload {
            Payload::None => {}
            Payload::Json(b) => req = req.json(b),
            Payload::Raw(bytes, mime) => {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, mime)
                    .body(bytes.to_vec())
            }
        }
        let resp = req.send().await.map_err(|e| http.transport_error(e))?;
        let status = resp.status().as_u16();
        let retry = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| vigie_domain::schedule::parse_retry_after(v, now))
            .or_else(|| {
                // The PDS announces its rate-limit window as a reset time (epoch seconds).
                resp.headers()
                    .get("ratelimit-reset")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<i64>().ok())
                    .map(|reset| (reset - now).max(1))
            });
        let bytes = http.read_capped(resp).await?;
        match status {
            200 => serde_json::from_slice(&bytes)
                .map(Call::Ok)
                .map_err(|e| FetchError {
                    problem: Problem::Malformed {
                        detail: e.to_string(),
                    },
                    status: Some(200),
                }),
            400 | 401 => {
                let e: Option<XrpcError> = serde_json::from_slice(&bytes).ok();
                let code = e.as_ref().and_then(|e| e.error.clone()).unwrap_or_default();
                if matches!(
                    code.as_str(),
                    "ExpiredToken" | "InvalidToken" | "AuthenticationRequired"
                ) || status == 401
                {
                    Ok(Call::Expired)
                } else {
                    let code = if code.is_empty() {
                        format!("HTTP {status}")
                    } else {
                        code
                    };
                    let message = e.and_then(|e| e.message).unwrap_or_default();
                    Err(FetchError {
                        problem: Problem::Refused { code, message },
                        status: Some(status),
                    })
                }
            }
            _ => Err(FetchError {
                problem: Problem::Http {
                    status,
                    retry_after_secs: retry,
                },
                status: Some(status),
            }),
        }
    }
}
