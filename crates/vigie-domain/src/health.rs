//! What went wrong with a source, in words a communicator understands, with what to do next.

use serde::{Deserialize, Serialize};

/// Why a poll failed. The engine maps transport and parse errors to this; the store keeps its
/// [`Problem::message`] as the source's `last_error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    Http {
        status: u16,
        retry_after_secs: Option<i64>,
    },
    Timeout {
        secs: u64,
    },
    Connect {
        detail: String,
    },
    TooLarge {
        limit_bytes: u64,
    },
    TooManyRedirects {
        max: usize,
    },
    RedirectLoop,
    /// A public address redirected to this machine or its local network.
    RedirectInward {
        host: String,
    },
    UnsupportedScheme {
        scheme: String,
    },
    NotAFeed {
        content_type: Option<String>,
    },
    Malformed {
        detail: String,
    },
    Auth {
        detail: String,
    },
    Keychain {
        detail: String,
    },
    /// Locked, or waiting for the user's password.
    KeychainLocked,
    /// A Bluesky account's session could not be renewed.
    SessionExpired,
    /// No app password in the keychain for this Bluesky handle.
    NoAppPassword {
        handle: String,
    },
    /// The password given is the Bluesky account's own password, not an app password: it
    /// could change the password or delete the account, so Vigie does not keep it.
    MainPassword {
        handle: String,
    },
    /// The server would receive a password or a token over plain http.
    InsecureServer {
        server: String,
    },
    /// Bluesky refused the request (XRPC error `code`, the server's `message`).
    Refused {
        code: String,
        message: String,
    },
    Other {
        detail: String,
    },
}

fn wait_words(secs: i64) -> String {
    match secs {
        s if s < 90 => format!("{s} s"),
        s if s < 5400 => format!("{} min", (s + 30) / 60),
        s => format!("{} h", (s + 1800) / 3600),
    }
}

impl Problem {
    /// A sentence saying what happened and what to do.
    pub fn message(&self) -> String {
        match self {
            Problem::Http { status: 410, .. } => {
                "the server answered 410 Gone: the feed was removed. Delete this source or look for its new address.".into()
            }
            Problem::Http { status: 404, .. } => {
                "the server answered 404 Not Found: the address is wrong or the feed moved. Check the address.".into()
            }
            Problem::Http { status: 401 | 403, .. } => format!(
                "the server refused access ({}): the feed is private or needs credentials.",
                self.status_text()
            ),
            Problem::Http { status: 429, retry_after_secs } => match retry_after_secs {
                Some(s) => format!(
                    "the server answered 429 Too Many Requests: Vigie will wait {} as it asked before trying again.",
                    wait_words(*s)
                ),
                None => "the server answered 429 Too Many Requests: Vigie will slow down and try again later.".into(),
            },
            Problem::Http { status, retry_after_secs } if *status >= 500 => {
                let when = retry_after_secs
                    .map(|s| format!(" in {}", wait_words(s)))
                    .unwrap_or_else(|| " later".into());
                format!(
                    "the server had a problem ({}): nothing to do on your side, Vigie will retry{when}.",
                    self.status_text()
                )
            }
            Problem::Http { .. } => format!("the server answered {}: this is not a feed Vigie can read.", self.status_text()),
            Problem::Timeout { secs } => format!(
                "the server did not answer within {secs} s: it may be down or overloaded. Vigie will retry later."
            ),
            Problem::Connect { detail } => format!(
                "could not reach the server ({detail}): check the address and your connection. Vigie will retry."
            ),
            Problem::TooLarge { limit_bytes } => format!(
                "the response is larger than {} MB (after decompression): Vigie stopped reading it. Ask the publisher for a smaller feed.",
                limit_bytes / 1_000_000
            ),
            Problem::TooManyRedirects { max } => format!(
                "the server redirected more than {max} times: the address is probably wrong."
            ),
            Problem::RedirectLoop => "the server redirects in a loop: the address is broken on the publisher's side.".into(),
            Problem::InsecureServer { server } => format!(
                "{server} uses plain http: Vigie sends an app password only over https. Remove this source and add it again with the server's https address."
            ),
            Problem::RedirectInward { host } => format!(
                "the server redirected to {host}, an address on this computer or its local network: Vigie does not follow a public address there. Check the address with its publisher."
            ),
            Problem::UnsupportedScheme { scheme } => format!(
                "only http and https addresses can be watched, not \"{scheme}\"."
            ),
            Problem::NotAFeed { content_type } => format!(
                "the address gives a web page{}, not a feed: use the page's RSS/Atom link instead.",
                content_type.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
            ),
            Problem::Malformed { detail } => format!(
                "the feed is malformed and could not be read ({detail}). Mentions already stored are kept."
            ),
            Problem::Auth { detail } => format!(
                "the account was refused ({detail}): reconnect it with a valid app password."
            ),
            Problem::Keychain { detail } => format!("the OS keychain is not available ({detail})."),
            Problem::KeychainLocked => "the OS keychain is locked: unlock it (log in to your desktop session or open your keyring manager). Vigie will retry.".into(),
            Problem::SessionExpired => "the Bluesky session expired and could not be renewed: reconnect this account with a valid app password.".into(),
            Problem::MainPassword { handle } => format!(
                "this is the main password of {handle}, not an app password: Vigie does not keep a password that can change or delete the account. Create an app password (Bluesky: Settings → Privacy and security → App passwords) and use it instead."
            ),
            Problem::NoAppPassword { handle } => format!(
                "no app password is stored for {handle}: connect the account again (Vigie keeps it only in the OS keychain)."
            ),
            Problem::Refused { code, message } => match message.trim_end_matches('.') {
                "" => format!("Bluesky refused the request ({code})."),
                m => format!("Bluesky refused the request ({code}): {m}."),
            },
            Problem::Other { detail } => detail.clone(),
        }
    }

    fn status_text(&self) -> String {
        let Problem::Http { status, .. } = self else {
            return String::new();
        };
        let reason = match status {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            410 => "Gone",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "",
        };
        if reason.is_empty() {
            status.to_string()
        } else {
            format!("{status} {reason}")
        }
    }

    /// The server-requested wait, when there is one.
    pub fn retry_after_secs(&self) -> Option<i64> {
        match self {
            Problem::Http {
                retry_after_secs, ..
            } => *retry_after_secs,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_happened_and_what_to_do() {
        let cases: Vec<(Problem, &[&str])> = vec![
            (
                Problem::Http {
                    status: 410,
                    retry_after_secs: None,
                },
                &["410 Gone", "removed"],
            ),
            (
                Problem::Http {
                    status: 429,
                    retry_after_secs: Some(120),
                },
                &["429", "2 min"],
            ),
            (
                Problem::Http {
                    status: 503,
                    retry_after_secs: None,
                },
                &["503 Service Unavailable", "retry"],
            ),
            (Problem::Timeout { secs: 20 }, &["20 s"]),
            (
                Problem::TooLarge {
                    limit_bytes: 10_000_000,
                },
                &["10 MB"],
            ),
            (
                Problem::NotAFeed {
                    content_type: Some("text/html".into()),
                },
                &["web page", "text/html"],
            ),
            (
                Problem::UnsupportedScheme {
                    scheme: "file".into(),
                },
                &["http", "file"],
            ),
        ];
        for (p, needles) in cases {
            let m = p.message();
            for n in needles {
                assert!(m.contains(n), "{p:?} -> {m:?} lacks {n:?}");
            }
        }
    }
}
