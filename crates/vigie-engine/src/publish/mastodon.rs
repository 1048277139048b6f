//! The Mastodon API calls publishing needs: who a token belongs to, the instance's limits,
//! posting with an `Idempotency-Key`, reading a status back, and finding our post among an
//! account's statuses when an attempt's outcome is unknown.

use super::{Attempt, SendFailure};
use crate::fetch::{FetchError, Http};
use crate::normalize;
use serde::Deserialize;
use vigie_domain::health::Problem;
use vigie_domain::publish::{normalize_handle, same_words, Identity, Limits, Network, PostProblem};
use vigie_domain::Timestamp;
use vigie_secrets::Sensitive;

#[derive(Deserialize)]
struct AccountJson {
    id: String,
    acct: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    avatar: Option<String>,
    #[serde(default)]
    followers_count: i64,
}

#[derive(Deserialize)]
pub(crate) struct StatusJson {
    pub id: String,
    pub url: Option<String>,
    pub uri: Option<String>,
    #[serde(default)]
    pub content: String,
    pub created_at: Option<String>,
    #[serde(default)]
    pub in_reply_to_id: Option<String>,
    #[serde(default)]
    pub reblog: Option<serde_json::Value>,
    #[serde(default)]
    pub visibility: Option<String>,
    #[serde(default)]
    pub media_attachments: Vec<serde_json::Value>,
}

fn base(server: &str) -> &str {
    server.trim_end_matches('/')
}

fn retry_after(h: &reqwest::header::HeaderMap, now: Timestamp) -> Option<i64> {
    h.get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| vigie_domain::schedule::parse_retry_after(v, now))
        .or_else(|| {
            // Mastodon: X-RateLimit-Reset is an ISO 8601 time.
            h.get("x-ratelimit-reset")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| chrono::DateTime::parse_from_rfc3339(v).ok())
                .map(|t| (t.timestamp() - now).max(1))
        })
}

fn server_message(bytes: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        error: Option<String>,
    }
    serde_json::from_slice::<E>(bytes)
        .ok()
        .and_then(|e| e.error)
        .unwrap_or_else(|| {
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                .trim()
                .to_string()
        })
}

/// Maps a non-success answer to what the publisher does next.
fn failure(status: u16, bytes: &[u8], retry: Option<i64>) -> SendFailure {
    match status {
        401 | 403 => SendFailure::Auth(PostProblem::CredentialRefused {
            detail: format!("HTTP {status}"),
        }),
        422 | 400 => SendFailure::Rejected(PostProblem::Refused {
            detail: server_message(bytes),
        }),
        429 => SendFailure::RateLimited {
            after_secs: retry.unwrap_or(60),
        },
        s if s >= 500 => SendFailure::Unknown(PostProblem::ServerFailed { status: s }),
        s => SendFailure::Rejected(PostProblem::Unexpected {
            detail: format!("HTTP {s}: {}", server_message(bytes)),
        }),
    }
}

pub(crate) fn transport(e: FetchError) -> SendFailure {
    match e.problem {
        // Nothing reached the server.
        Problem::Connect { detail } => SendFailure::NotSent(PostProblem::Unreachable { detail }),
        problem => SendFailure::Unknown(PostProblem::Transport { problem }),
    }
}

/// An answer from the server: status, the wait it asks for (429), and the (capped) body.
struct Answer {
    status: u16,
    retry: Option<i64>,
    body: Vec<u8>,
}

/// Sends one request; a transport failure says whether the request may have reached the server.
async fn exchange(
    http: &Http,
    req: reqwest::RequestBuilder,
    now: Timestamp,
) -> Result<Answer, SendFailure> {
    let resp = req
        .send()
        .await
        .map_err(|e| transport(http.transport_error(e)))?;
    let status = resp.status().as_u16();
    let retry = retry_after(resp.headers(), now);
    let body = http.read_capped(resp).await.map_err(transport)?;
    Ok(Answer {
        status,
        retry,
        body,
    })
}

/// Who the token belongs to (`verify_credentials`). snac answers 422 to a bad token.
pub(crate) async fn verify(
    http: &Http,
    server: &str,
    token: &Sensitive<String>,
    now: Timestamp,
) -> Result<Identity, SendFailure> {
    let Answer {
        status,
        retry,
        body: bytes,
    } = exchange(
        http,
        http.client()
            .get(format!(
                "{}/api/v1/accounts/verify_credentials",
                base(server)
            ))
            .bearer_auth(token.expose()),
        now,
    )
    .await?;
    if status != 200 {
        return Err(match status {
            401 | 403 | 422 => SendFailure::Auth(PostProblem::CredentialRefused {
                detail: format!("HTTP {status}"),
            }),
            s => match failure(s, &bytes, retry) {
                SendFailure::Unknown(m) => SendFailure::NotSent(m),
                other => other,
            },
        });
    }
    let a: AccountJson = serde_json::from_slice(&bytes).map_err(|e| {
        SendFailure::Rejected(PostProblem::Unexpected {
            detail: format!("verify_credentials: {e}"),
        })
    })?;
    // The account behind a token is local to its instance: its `acct` has no host. One that
    // claims another instance's handle is refused (it could pass an allow-list).
    if a.acct.contains('@') {
        return Err(SendFailure::Auth(PostProblem::ForeignAccount {
            acct: a.acct,
        }));
    }
    let handle = if a.acct.is_empty() {
        a.username
    } else {
        a.acct
    };
    Ok(Identity {
        remote_id: a.id,
        handle: normalize_handle(Network::Mastodon, &handle, server),
        display_name: a.display_name,
        avatar_url: a.avatar.filter(|s| !s.is_empty()),
        audience: a.followers_count,
    })
}

/// What the instance says of itself (`/api/v1/instance`): its limits (defaults when it does not
/// say) and its own domain, the one its handles are written with.
pub(crate) struct Instance {
    pub limits: Limits,
    /// `uri` (the local domain, e.g. `mastodon.social`, with a port for a local server), lower
    /// case, without a scheme.
    pub domain: Option<String>,
}

pub(crate) async fn instance(http: &Http, server: &str) -> Instance {
    #[derive(Deserialize, Default)]
    struct Statuses {
        max_characters: Option<usize>,
        characters_reserved_per_url: Option<usize>,
        max_media_attachments: Option<usize>,
    }
    #[derive(Deserialize, Default)]
    struct Media {
        image_size_limit: Option<u64>,
    }
    #[derive(Deserialize, Default)]
    struct Conf {
        #[serde(default)]
        statuses: Statuses,
        #[serde(default)]
        media_attachments: Media,
    }
    #[derive(Deserialize)]
    struct InstanceJson {
        #[serde(default)]
        configuration: Conf,
        #[serde(default)]
        uri: Option<String>,
    }
    let d = Limits::MASTODON_DEFAULT;
    let got: Option<InstanceJson> = async {
        let r = http
            .client()
            .get(format!("{}/api/v1/instance", base(server)))
            .send()
            .await
            .ok()?;
        if !r.status().is_success() {
            return None;
        }
        serde_json::from_slice(&http.read_capped(r).await.ok()?).ok()
    }
    .await;
    let domain = got
        .as_ref()
        .and_then(|i| i.uri.as_deref())
        .and_then(plain_host);
    let limits = match got {
        Some(i) => Limits {
            max_chars: i
                .configuration
                .statuses
                .max_characters
                .unwrap_or(d.max_chars),
            url_chars: i
                .configuration
                .statuses
                .characters_reserved_per_url
                .unwrap_or(d.url_chars),
            max_images: i
                .configuration
                .statuses
                .max_media_attachments
                .unwrap_or(d.max_images),
            max_image_bytes: i
                .configuration
                .media_attachments
                .image_size_limit
                .unwrap_or(d.max_image_bytes),
        },
        None => d,
    };
    Instance { limits, domain }
}

/// `alice@<domain>` from `alice@<whatever host it was reached by>`: handles are written with
/// the instance's own domain.
pub(crate) fn on_domain(handle: &str, domain: &str) -> String {
    let local = handle.split_once('@').map_or(handle, |(l, _)| l);
    normalize_handle(Network::Mastodon, local, domain)
}

/// `mastodon.social` from `mastodon.social`, `https://mastodon.social/` (Pleroma writes a URL);
/// None for anything that is not a plain host (with an optional port).
fn plain_host(uri: &str) -> Option<String> {
    let host = uri
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_lowercase();
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
    plain.then_some(host)
}

/// Uploads one image with its description; returns the media id.
pub(crate) async fn upload_media(
    http: &Http,
    server: &str,
    token: &Sensitive<String>,
    bytes: Vec<u8>,
    mime: &str,
    alt: &str,
    now: Timestamp,
) -> Result<String, SendFailure> {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("image")
        .mime_str(mime)
        .map_err(|e| {
            SendFailure::Rejected(PostProblem::Unexpected {
                detail: format!("image type {mime}: {e}"),
            })
        })?;
    let form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("description", alt.to_string());
    let Answer {
        status,
        retry,
        body,
    } = exchange(
        http,
        http.client()
            .post(format!("{}/api/v2/media", base(server)))
            .bearer_auth(token.expose())
            .multipart(form),
        now,
    )
    .await?;
    if !(200..300).contains(&status) {
        // An unknown outcome for a media upload only leaves an orphan attachment: no post.
        return Err(match failure(status, &body, retry) {
            SendFailure::Unknown(m) => SendFailure::NotSent(m),
            f => f,
        });
    }
    #[derive(Deserialize)]
    struct M {
        id: String,
    }
    serde_json::from_slice::<M>(&body)
        .map(|m| m.id)
        .map_err(|e| {
            SendFailure::Rejected(PostProblem::Unexpected {
                detail: format!("media: {e}"),
            })
        })
}

/// `POST /api/v1/statuses` with the post's own idempotency key.
pub(crate) async fn post_status(
    http: &Http,
    server: &str,
    token: &Sensitive<String>,
    text: &str,
    media_ids: &[String],
    idempotency_key: &str,
    now: Timestamp,
) -> Result<Attempt, SendFailure> {
    let mut body = serde_json::json!({"status": text, "visibility": "public"});
    if !media_ids.is_empty() {
        body["media_ids"] = serde_json::json!(media_ids);
    }
    let Answer {
        status,
        retry,
        body: bytes,
    } = exchange(
        http,
        http.client()
            .post(format!("{}/api/v1/statuses", base(server)))
            .bearer_auth(token.expose())
            .header("Idempotency-Key", idempotency_key)
            .json(&body),
        now,
    )
    .await?;
    if !(200..300).contains(&status) {
        return Err(failure(status, &bytes, retry));
    }
    let s: StatusJson = serde_json::from_slice(&bytes).map_err(|e| {
        SendFailure::Unknown(PostProblem::Unreadable {
            detail: e.to_string(),
        })
    })?;
    Ok(Attempt {
        remote_id: s.id,
        remote_url: s.url.or(s.uri),
    })
}

/// Reads a status back after sending; returns its public URL.
pub(crate) async fn read_back(
    http: &Http,
    server: &str,
    token: &Sensitive<String>,
    id: &str,
) -> Option<StatusJson> {
    let r = http
        .client()
        .get(format!("{}/api/v1/statuses/{id}", base(server)))
        .bearer_auth(token.expose())
        .send()
        .await
        .ok()?;
    if !r.status().is_success() {
        return None;
    }
    serde_json::from_slice(&http.read_capped(r).await.ok()?).ok()
}

/// Looks for our post among the account's latest statuses: a public top-level status (not a
/// reply, not a boost) with the same text and number of images, created after the first
/// attempt started (minus clock skew), not already recorded for another post.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn find_ours(
    http: &Http,
    server: &str,
    token: &Sensitive<String>,
    account_remote_id: &str,
    text: &str,
    images: usize,
    since: Timestamp,
    taken: &[String],
) -> Result<Option<Attempt>, SendFailure> {
    let resp = http
        .client()
        .get(format!(
            "{}/api/v1/accounts/{account_remote_id}/statuses?limit=40",
            base(server)
        ))
        .bearer_auth(token.expose())
        .send()
        .await
        .map_err(|e| transport(http.transport_error(e)))?;
    let status = resp.status().as_u16();
    let bytes = http.read_capped(resp).await.map_err(transport)?;
    if status != 200 {
        return Err(SendFailure::NotSent(PostProblem::CheckFailed { status }));
    }
    let list: Vec<StatusJson> = serde_json::from_slice(&bytes).map_err(|e| {
        SendFailure::NotSent(PostProblem::Unexpected {
            detail: format!("statuses: {e}"),
        })
    })?;
    Ok(list
        .into_iter()
        .filter(|s| !taken.contains(&s.id))
        .filter(|s| s.in_reply_to_id.is_none() && s.reblog.is_none())
        .filter(|s| s.visibility.as_deref().is_none_or(|v| v == "public"))
        .filter(|s| s.media_attachments.len() == images)
        .filter(|s| {
            s.created_at
                .as_deref()
                .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
                .is_some_and(|c| c.timestamp() >= since - 120)
        })
        .find(|s| same_words(text, &normalize::html_to_text(&s.content)))
        .map(|s| Attempt {
            remote_id: s.id,
            remote_url: s.url.or(s.uri),
        }))
}
