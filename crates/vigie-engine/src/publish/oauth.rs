//! Connecting a Mastodon account with OAuth: the app is registered once per instance, the
//! user signs in in the system browser, and the authorisation code comes back to a one-shot
//! listener on 127.0.0.1 (RFC 8252 loopback redirect). PKCE (S256) is used when the server
//! announces it in its authorisation-server metadata.

use super::PublishError;
use crate::fetch::{FetchError, Http};
use base64::Engine as _;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vigie_domain::publish::{PostProblem, Refusal};
use vigie_secrets::Sensitive;

/// Talking to the instance failed: as for any account check.
fn failed(e: FetchError) -> PublishError {
    super::accounts::connect_error(super::mastodon::transport(e))
}

/// The same, naming the instance when it could not be reached.
fn failed_at(server: &str, mut e: FetchError) -> PublishError {
    if let vigie_domain::health::Problem::Connect { detail } = &mut e.problem {
        *detail = format!("{server}: {detail}");
    }
    failed(e)
}

fn unexpected(detail: String) -> PublishError {
    PublishError::Account {
        code: "server",
        problem: PostProblem::Unexpected { detail },
    }
}

pub(crate) fn local_port(detail: String) -> PublishError {
    PublishError::Account {
        code: "network",
        problem: PostProblem::LocalPort { detail },
    }
}

/// A registered OAuth client for one instance (the secret lives in the keychain).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RegisteredApp {
    pub client_id: String,
    pub redirect_uri: String,
}

/// A sign-in waiting for the browser to come back.
pub struct PendingAuth {
    pub server: String,
    /// Open this in the system browser.
    pub authorize_url: String,
    pub(crate) listener: TcpListener,
    pub(crate) state: String,
    pub(crate) verifier: Option<String>,
    pub(crate) app: RegisteredApp,
    pub(crate) secret: Sensitive<String>,
}

fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub(crate) async fn supports_pkce(http: &Http, server: &str) -> bool {
    let url = format!(
        "{}/.well-known/oauth-authorization-server",
        server.trim_end_matches('/')
    );
    let Ok(r) = http.client().get(url).send().await else {
        return false;
    };
    if !r.status().is_success() {
        return false;
    }
    #[derive(Deserialize)]
    struct Meta {
        #[serde(default)]
        code_challenge_methods_supported: Vec<String>,
    }
    http.read_capped(r)
        .await
        .ok()
        .and_then(|b| serde_json::from_slice::<Meta>(&b).ok())
        .is_some_and(|m| {
            m.code_challenge_methods_supported
                .iter()
                .any(|c| c == "S256")
        })
}

pub(crate) async fn register(
    http: &Http,
    server: &str,
    redirect_uri: &str,
) -> Result<(RegisteredApp, Sensitive<String>), PublishError> {
    #[derive(Deserialize)]
    struct App {
        client_id: String,
        client_secret: String,
    }
    let r = http
        .client()
        .post(format!("{}/api/v1/apps", server.trim_end_matches('/')))
        .form(&[
            ("client_name", "Vigie"),
            ("redirect_uris", redirect_uri),
            ("scopes", "read write"),
            ("website", "https://vigie.invalid"),
        ])
        .send()
        .await
        .map_err(|e| failed_at(server, http.transport_error(e)))?;
    let status = r.status();
    let body = http.read_capped(r).await.map_err(failed)?;
    if !status.is_success() {
        return Err(PublishError::Account {
            code: "server",
            problem: PostProblem::RegistrationRefused {
                server: server.to_string(),
                status: status.as_u16(),
            },
        });
    }
    let app: App =
        serde_json::from_slice(&body).map_err(|e| unexpected(format!("app registration: {e}")))?;
    Ok((
        RegisteredApp {
            client_id: app.client_id,
            redirect_uri: redirect_uri.into(),
        },
        Sensitive::new(app.client_secret),
    ))
}

pub(crate) fn authorize_url(
    server: &str,
    app: &RegisteredApp,
    state: &str,
    verifier: Option<&str>,
) -> String {
    let enc = crate::mastodon::urlencode;
    let mut url = format!(
        "{}/oauth/authorize?response_type=code&client_id={}&redirect_uri={}&scope={}&state={}",
        server.trim_end_matches('/'),
        enc(&app.client_id),
        enc(&app.redirect_uri),
        enc("read write"),
        enc(state)
    );
    if let Some(v) = verifier {
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()));
        url.push_str(&format!(
            "&code_challenge={challenge}&code_challenge_method=S256"
        ));
    }
    url
}

pub(crate) fn new_state() -> String {
    random_token(24)
}

pub(crate) fn new_verifier() -> String {
    random_token(48)
}

/// Waits for the browser's redirect, checks `state`, exchanges the code for a token.
pub(crate) async fn finish(
    http: &Http,
    p: PendingAuth,
    timeout: Duration,
) -> Result<Sensitive<String>, PublishError> {
    let code = tokio::time::timeout(timeout, receive_code(&p))
        .await
        .map_err(|_| {
            PublishError::Refused(Refusal::BrowserTimeout {
                secs: timeout.as_secs(),
            })
        })??;
    let mut form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code),
        ("client_id", p.app.client_id.clone()),
        ("client_secret", p.secret.expose().clone()),
        ("redirect_uri", p.app.redirect_uri.clone()),
        ("scope", "read write".into()),
    ];
    if let Some(v) = &p.verifier {
        form.push(("code_verifier", v.clone()));
    }
    let r = http
        .client()
        .post(format!("{}/oauth/token", p.server.trim_end_matches('/')))
        .form(&form)
        .send()
        .await
        .map_err(|e| failed(http.transport_error(e)))?;
    let status = r.status();
    let body = http.read_capped(r).await.map_err(failed)?;
    #[derive(Deserialize)]
    struct Token {
        access_token: String,
    }
    if !status.is_success() {
        return Err(PublishError::Account {
            code: "auth",
            problem: PostProblem::SignInRefused {
                status: status.as_u16(),
            },
        });
    }
    serde_json::from_slice::<Token>(&body)
        .map(|t| Sensitive::new(t.access_token))
        .map_err(|e| unexpected(format!("token: {e}")))
}

async fn receive_code(p: &PendingAuth) -> Result<String, PublishError> {
    loop {
        let (mut sock, _) = p
            .listener
            .accept()
            .await
            .map_err(|e| local_port(e.to_string()))?;
        let mut buf = vec![0u8; 8192];
        // A connection that sends nothing must not block the sign-in.
        let n = tokio::time::timeout(Duration::from_secs(5), sock.read(&mut buf))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or(0);
        let head = String::from_utf8_lossy(&buf[..n]);
        let target = head
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("");
        let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else {
            continue;
        };
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        if url.path() != "/vigie/callback" || q.get("state") != Some(&p.state) {
            // Not the answer to this sign-in (another local program, a stale tab): ignore it
            // and keep waiting for the real one.
            let _ = sock
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let (page, result) = match (q.get("code"), q.get("error")) {
            (Some(c), _) => (
                "Vigie is connected. You can close this tab and go back to Vigie.",
                Ok(c.clone()),
            ),
            (_, e) => (
                "The sign-in was refused. Go back to Vigie.",
                Err(PublishError::Refused(Refusal::NotAuthorised {
                    detail: e.map(String::as_str).unwrap_or("no code").to_string(),
                })),
            ),
        };
        let body = format!("<!doctype html><meta charset=utf-8><title>Vigie</title><p>{page}</p>");
        let _ = sock
            .write_all(
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-security-policy: default-src 'none'\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            )
            .await;
        return result;
    }
}
