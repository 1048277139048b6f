//! The sources side of the facade: the list and its health, adding (feed autodiscovery,
//! Mastodon tags, Bluesky searches with their keychain credentials), removing, pausing,
//! checking now, and OPML import and export.

use super::{check_web_url, App, AppError, AppResult, SourceRow, SourceSpec};
use crate::bluesky::{credentials_in_use, Bluesky};
use crate::feed::{discover_feeds, parse_feed, parse_opml, write_opml, OpmlFeed};
use crate::fetch::{Conditional, FetchConfig, FetchOutcome, Http};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;
use vigie_domain::{Source, SourceKind, Timestamp};
use vigie_store::{Store, StoreError};

/// What an OPML import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OpmlImport {
    pub added: usize,
    pub already_present: usize,
    /// Outlines whose address cannot be polled (not http or https, empty, with a password),
    /// each with why: the others are imported all the same.
    pub skipped: Vec<SkippedFeed>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedFeed {
    pub url: String,
    /// In English (the CLI's words).
    pub reason: String,
}

/// Adds every feed of an OPML document as a source.
pub fn import_opml_into(
    store: &mut Store,
    text: &str,
    interval_secs: i64,
    now: Timestamp,
) -> AppResult<OpmlImport> {
    let feeds = parse_opml(text)
        .map_err(|e| AppError::new("invalid", e.to_string()).about("opml", Some(e.0)))?;
    let mut out = OpmlImport::default();
    for f in &feeds {
        let url = match source_url(&f.url) {
            Ok(url) => url,
            Err(e) => {
                out.skipped.push(SkippedFeed {
                    url: f.url.clone(),
                    reason: e.message,
                });
                continue;
            }
        };
        match store.add_source(&f.title, &SourceKind::Feed { url }, interval_secs, now) {
            Ok(_) => out.added += 1,
            Err(StoreError::Duplicate { .. }) => out.already_present += 1,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// The feed sources as an OPML document (untitled feeds are named by their address).
pub fn opml_of(store: &Store) -> Result<String, StoreError> {
    let feeds: Vec<OpmlFeed> = store
        .sources()?
        .into_iter()
        .filter_map(|(s, _)| match s.kind {
            SourceKind::Feed { url } => Some(OpmlFeed {
                title: if s.title.is_empty() {
                    url.clone()
                } else {
                    s.title
                },
                url,
            }),
            _ => None,
        })
        .collect();
    Ok(write_opml("Vigie sources", &feeds))
}

/// A source as the user described it, checked and made ready to store: its title and kind.
/// A feed address that turns out to be a web page becomes the feed it announces
/// (autodiscovery); a Bluesky app password goes to the OS keychain. The app and the CLI add
/// sources through this.
pub async fn source_to_add(
    spec: SourceSpec,
    bluesky: &Bluesky,
    now: Timestamp,
) -> AppResult<(String, SourceKind)> {
    Ok(match spec {
        SourceSpec::Feed { url, title } => {
            let url = source_url(&url)?;
            (
                title.map(|t| t.trim().to_string()).unwrap_or_default(),
                SourceKind::Feed {
                    url: resolve_feed(&url, now).await?,
                },
            )
        }
        SourceSpec::MastodonTag { instance, tag } => {
            let instance = source_url(&instance)?;
            let tag = tag.trim().trim_start_matches('#').trim().to_string();
            if tag.is_empty() {
                return Err(
                    AppError::new("invalid", "give a hashtag to follow").about("hashtag", None)
                );
            }
            (
                String::new(),
                SourceKind::MastodonTag {
                    instance: instance.trim_end_matches('/').into(),
                    tag,
                },
            )
        }
        SourceSpec::BlueskySearch {
            service,
            handle,
            query,
            app_password,
        } => {
            // It is given an app password: https only, as for a publishing account.
            let service = service.trim().trim_end_matches('/').to_string();
            crate::publish::check_server(&service)?;
            let handle = handle.trim().to_string();
            if let Some(pw) = app_password.filter(|p| !p.expose().is_empty()) {
                bluesky
                    .set_app_password(&service, &handle, &pw)
                    .map_err(AppError::keychain)?;
            }
            (
                String::new(),
                SourceKind::BlueskySearch {
                    service,
                    handle,
                    query,
                },
            )
        }
    })
}

/// A source's web address, trimmed: http or https, and no user name or password in it (they
/// would be stored in the database and shown in the list; secrets live in the keychain).
fn source_url(url: &str) -> AppResult<String> {
    let u = check_web_url(url)?;
    if !u.username().is_empty() || u.password().is_some() {
        return Err(AppError::new(
            "invalid",
            "this address holds a user name or password: Vigie keeps secrets only in the OS \
             keychain, never in its database; use an address without them",
        )
        .about("credentials_in_address", None));
    }
    Ok(url.trim().to_string())
}

/// The feed behind an address: the address itself when it serves a feed (or cannot be
/// reached now: the poller will report its health), else the first feed the page announces.
async fn resolve_feed(url: &str, now: Timestamp) -> AppResult<String> {
    let http = Http::new(FetchConfig {
        total_timeout: Duration::from_secs(15),
        ..FetchConfig::default()
    });
    let fetched = match http
        .get(url, &Conditional::default(), Default::default(), now)
        .await
    {
        Ok(FetchOutcome::Fetched(f)) => f,
        Ok(FetchOutcome::NotModified { .. }) | Err(_) => return Ok(url.to_string()),
    };
    if parse_feed(&fetched.body, fetched.content_type.as_deref()).is_ok() {
        return Ok(url.to_string());
    }
    let html = String::from_utf8_lossy(&fetched.body);
    // A feed the page announces is held to the same rules as one typed (no password in it).
    discover_feeds(&html, &fetched.final_url)
        .into_iter()
        .find_map(|u| source_url(&u).ok())
        .ok_or_else(|| AppError::new("not_a_feed", "this page is not a feed and announces none: look for an RSS or Atom link on the site"))
}

impl App {
    pub fn list_sources(&self) -> AppResult<Vec<SourceRow>> {
        self.read(|s| {
            Ok(s.sources()?
                .into_iter()
                .map(|(source, state)| SourceRow { source, state })
                .collect())
        })
    }

    /// The sources checked at or after `since` (the shell tells the UI their new health after
    /// each cycle).
    pub fn sources_checked_since(&self, since: Timestamp) -> AppResult<Vec<SourceRow>> {
        let mut rows = self.list_sources()?;
        rows.retain(|r| r.state.last_checked_at.is_some_and(|t| t >= since));
        Ok(rows)
    }

    /// Adds a source. A feed URL that turns out to be a web page is replaced by the feed it
    /// announces (autodiscovery); a Bluesky app password goes to the OS keychain.
    pub async fn add_source(&self, spec: SourceSpec) -> AppResult<Source> {
        let now = self.now();
        let (title, kind) = source_to_add(spec, self.poller.bluesky(), now).await?;
        let interval = self.settings()?.poll_interval_secs.max(60);
        let s = self.db(|s| s.add_source(&title, &kind, interval, now))?;
        self.wake();
        Ok(s)
    }

    /// Removes a source. A Bluesky search's app password and session go with the last source
    /// that uses them.
    pub fn remove_source(&self, id: i64) -> AppResult<()> {
        let (removed, left) = self.db(|s| {
            let (removed, _) = s.source(id)?;
            s.remove_source(id)?;
            Ok((removed, s.sources()?))
        })?;
        if let SourceKind::BlueskySearch {
            service, handle, ..
        } = &removed.kind
        {
            if !credentials_in_use(service, handle, left.iter().map(|(s, _)| &s.kind)) {
                // The source is gone either way; an unreachable keychain keeps the password.
                let _ = self.poller.bluesky().remove_stored(service, handle);
            }
        }
        Ok(())
    }

    /// Pauses a source (not polled, its mentions stay) or resumes it (checked at once).
    pub fn set_source_enabled(&self, id: i64, enabled: bool) -> AppResult<()> {
        let now = self.now();
        self.db(|s| {
            s.batch(|s| {
                s.set_source_enabled(id, enabled)?;
                if enabled {
                    s.check_now(id, now)?;
                }
                Ok(())
            })
        })?;
        if enabled {
            self.wake();
        }
        Ok(())
    }

    /// "Check every source now" (paused ones excepted); returns how many.
    pub fn check_all_sources(&self) -> AppResult<usize> {
        let now = self.now();
        let n = self.db(|s| {
            s.batch(|s| {
                let ids: Vec<i64> = s
                    .sources()?
                    .into_iter()
                    .filter(|(src, _)| src.enabled)
                    .map(|(src, _)| src.id)
                    .collect();
                for id in &ids {
                    s.check_now(*id, now)?;
                }
                Ok(ids.len())
            })
        })?;
        self.wake();
        Ok(n)
    }

    /// "Check now": the source becomes due and the engine wakes up.
    pub fn check_source(&self, id: i64) -> AppResult<()> {
        let now = self.now();
        self.db(|s| s.check_now(id, now))?;
        self.wake();
        Ok(())
    }

    pub fn import_opml(&self, text: &str) -> AppResult<OpmlImport> {
        let (now, interval) = (self.now(), self.settings()?.poll_interval_secs.max(60));
        let r = import_opml_into(
            &mut self.store.lock().unwrap_or_else(|p| p.into_inner()),
            text,
            interval,
            now,
        )?;
        self.wake();
        Ok(r)
    }

    /// Saves the feeds as OPML in `dir` (the shell passes the user's downloads folder) under a
    /// dated name no file has yet, never over an existing file; returns the file's path.
    pub fn export_opml_into(&self, dir: &Path) -> AppResult<std::path::PathBuf> {
        use std::io::Write;
        let doc = self.read(opml_of)?;
        // The user's own date (an export at 00:30 in Paris is today's, not yesterday's).
        let date = chrono::DateTime::from_timestamp(self.now(), 0)
            .map(|d| {
                d.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d")
                    .to_string()
            })
            .unwrap_or_default();
        let failed = |path: &Path, e: std::io::Error| {
            AppError::new(
                "export_failed",
                format!("could not save {}: {e}", path.display()),
            )
            .about("file", Some(path.display().to_string()))
        };
        std::fs::create_dir_all(dir).map_err(|e| failed(dir, e))?;
        for n in 1..=1000 {
            let name = match n {
                1 => format!("vigie-sources-{date}.opml"),
                n => format!("vigie-sources-{date} ({n}).opml"),
            };
            let path = dir.join(name);
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path);
            match file {
                Ok(mut f) => {
                    if let Err(e) = f.write_all(doc.as_bytes()).and_then(|()| f.sync_all()) {
                        let _ = std::fs::remove_file(&path);
                        return Err(failed(&path, e));
                    }
                    return Ok(path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(failed(&path, e)),
            }
        }
        Err(failed(
            dir,
            std::io::Error::other("a thousand exports already carry today's date"),
        ))
    }
}
