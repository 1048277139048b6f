//! Bluesky publishing over XRPC: who the session belongs to (`getSession`), the profile shown in
//! the confirmation (`getProfile`), and posts written with `createRecord` under a record key
//! derived from the post's identity, so a retry collides with the first write.

use super::{Attempt, SendFailure};
use crate::bluesky::Bluesky;
use crate::fetch::{FetchError, Http};
use serde_json::{json, Value};
use vigie_domain::health::Problem;
use vigie_domain::publish::{facets, normalize_handle, FacetKind, Identity, Network, PostProblem};
use vigie_domain::Timestamp;

pub(crate) const COLLECTION: &str = "app.bsky.feed.post";

/// Bluesky's refusal in a few words: its message and its code, or the code alone.
fn refusal_words(code: &str, message: &str) -> String {
    match message.trim_end_matches('.') {
        "" => code.to_string(),
        m if m == code => code.to_string(),
        m => format!("{m} ({code})"),
    }
}

fn failure(e: FetchError) -> SendFailure {
    match (e.status, e.problem) {
        (_, Problem::Connect { detail }) => {
            SendFailure::NotSent(PostProblem::Unreachable { detail })
        }
        (_, Problem::Auth { detail }) => SendFailure::Auth(PostProblem::LoginRefused { detail }),
        (_, Problem::SessionExpired) => SendFailure::Auth(PostProblem::SessionExpired),
        (_, Problem::NoAppPassword { handle }) => {
            SendFailure::Auth(PostProblem::NoCredential { handle })
        }
        // As for Mastodon: nothing was sent, the next attempt may find it unlocked.
        (_, Problem::KeychainLocked) => SendFailure::NotSent(PostProblem::KeychainLocked),
        // The keychain's own detail (crate::bluesky keeps it short): worded around it here.
        (_, Problem::Keychain { detail }) => {
            SendFailure::NotSent(PostProblem::KeychainUnavailable { detail })
        }
        (
            Some(429),
            Problem::Http {
                retry_after_secs, ..
            },
        ) => SendFailure::RateLimited {
            after_secs: retry_after_secs.unwrap_or(60),
        },
        // Nothing was sent, and nothing will be until the account is connected over https, or
        // with an app password.
        (_, problem @ (Problem::InsecureServer { .. } | Problem::MainPassword { .. })) => {
            SendFailure::Auth(PostProblem::Transport { problem })
        }
        (_, Problem::Refused { code, message }) => SendFailure::Rejected(PostProblem::Refused {
            detail: refusal_words(&code, &message),
        }),
        (_, problem) => SendFailure::Unknown(PostProblem::Transport { problem }),
    }
}

/// The account behind the session, with its public profile when the AppView answers.
pub(crate) async fn identity(
    bsky: &Bluesky,
    http: &Http,
    service: &str,
    handle: &str,
    now: Timestamp,
) -> Result<Identity, SendFailure> {
    let s = bsky
        .call(
            http,
            service,
            handle,
            "com.atproto.server.getSession",
            &[],
            None,
            now,
        )
        .await
        .map_err(|e| match failure(e) {
            SendFailure::Unknown(m) => SendFailure::NotSent(m),
            // Refused to say who the session is (a suspended account…): not about a post.
            SendFailure::Rejected(PostProblem::Refused { detail }) => {
                SendFailure::Auth(PostProblem::LoginRefused { detail })
            }
            f => f,
        })?;
    let did = s["did"].as_str().unwrap_or_default().to_string();
    let real_handle = s["handle"].as_str().unwrap_or(handle).to_string();
    let profile = bsky
        .call(
            http,
            service,
            handle,
            "app.bsky.actor.getProfile",
            &[("actor", did.as_str())],
            None,
            now,
        )
        .await
        .unwrap_or(Value::Null);
    Ok(Identity {
        remote_id: did,
        handle: normalize_handle(Network::Bluesky, &real_handle, service),
        display_name: profile["displayName"].as_str().unwrap_or("").to_string(),
        avatar_url: profile["avatar"].as_str().map(str::to_string),
        audience: profile["followersCount"].as_i64().unwrap_or(0),
    })
}

/// Rich-text facets with UTF-8 byte offsets; mentions whose handle does not resolve are left
/// as plain text (as the official app does).
pub(crate) async fn record_facets(
    bsky: &Bluesky,
    http: &Http,
    service: &str,
    handle: &str,
    text: &str,
    now: Timestamp,
) -> Vec<Value> {
    let mut out = Vec::new();
    for f in facets(text) {
        let feature = match f.kind {
            FacetKind::Link { uri } => json!({"$type": "app.bsky.richtext.facet#link", "uri": uri}),
            FacetKind::Tag { tag } => json!({"$type": "app.bsky.richtext.facet#tag", "tag": tag}),
            FacetKind::Mention { handle: who } => {
                let r = bsky
                    .call(
                        http,
                        service,
                        handle,
                        "com.atproto.identity.resolveHandle",
                        &[("handle", who.as_str())],
                        None,
                        now,
                    )
                    .await;
                match r.ok().and_then(|v| v["did"].as_str().map(str::to_string)) {
                    Some(did) => json!({"$type": "app.bsky.richtext.facet#mention", "did": did}),
                    None => continue,
                }
            }
        };
        out.push(json!({
            "index": {"byteStart": f.start, "byteEnd": f.end},
            "features": [feature],
        }));
    }
    out
}

pub(crate) async fn upload_blob(
    bsky: &Bluesky,
    http: &Http,
    service: &str,
    handle: &str,
    bytes: &[u8],
    mime: &str,
    now: Timestamp,
) -> Result<Value, SendFailure> {
    // uploadBlob takes the raw bytes as its body, not JSON: a direct call with the session.
    let v = bsky
        .upload(http, service, handle, bytes, mime, now)
        .await
        .map_err(|e| match failure(e) {
            SendFailure::Unknown(m) => SendFailure::NotSent(m),
            f => f,
        })?;
    Ok(v["blob"].clone())
}

/// `createRecord` with our record key. A retry after an unknown outcome hits the same key.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn create_post(
    bsky: &Bluesky,
    http: &Http,
    service: &str,
    handle: &str,
    did: &str,
    rkey: &str,
    record: &Value,
    now: Timestamp,
) -> Result<Attempt, SendFailure> {
    let body = json!({
        "repo": did, "collection": COLLECTION, "rkey": rkey, "record": record,
    });
    match bsky
        .call(
            http,
            service,
            handle,
            "com.atproto.repo.createRecord",
            &[],
            Some(&body),
            now,
        )
        .await
    {
        Ok(v) => Ok(Attempt {
            remote_id: v["uri"].as_str().unwrap_or_default().to_string(),
            remote_url: Some(web_url(handle, rkey)),
        }),
        Err(e) => Err(failure(e)),
    }
}

/// Our record, if the repository already holds it (the previous attempt went through).
pub(crate) async fn find_record(
    bsky: &Bluesky,
    http: &Http,
    service: &str,
    handle: &str,
    did: &str,
    rkey: &str,
    now: Timestamp,
) -> Result<Option<Attempt>, SendFailure> {
    match bsky
        .call(
            http,
            service,
            handle,
            "com.atproto.repo.getRecord",
            &[("repo", did), ("collection", COLLECTION), ("rkey", rkey)],
            None,
            now,
        )
        .await
    {
        Ok(v) => Ok(v["uri"].as_str().map(|uri| Attempt {
            remote_id: uri.to_string(),
            remote_url: Some(web_url(handle, rkey)),
        })),
        Err(e) => match e.problem {
            Problem::Refused {
                ref code,
                ref message,
            } if code == "RecordNotFound" || message.contains("RecordNotFound") => Ok(None),
            _ => Err(match failure(e) {
                SendFailure::Unknown(m) => SendFailure::NotSent(m),
                f => f,
            }),
        },
    }
}

pub(crate) fn web_url(handle: &str, rkey: &str) -> String {
    format!("https://bsky.app/profile/{handle}/post/{rkey}")
}
