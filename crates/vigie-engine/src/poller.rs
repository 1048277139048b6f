//! The polite poller (Miniflux style): the schedule lives in SQLite; each cycle takes the due
//! batch, fetches with a global and a per-host concurrency cap, ingests, and writes the next
//! check time (success interval, or exponential backoff with jitter, or the server's
//! Retry-After). "Check now" only makes a source due: it goes through the same queue.

use crate::bluesky::Bluesky;
use crate::feed::parse_feed;
use crate::fetch::{Conditional, FetchError, FetchOutcome, Http};
use crate::ingest::Matcher;
use crate::ingest::{drop_known, prepare};
use crate::mastodon::fetch_tag;
use crate::normalize::RawEntry;
use reqwest::header::HeaderMap;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use vigie_domain::schedule::{next_after_error, next_after_success, Policy};
use vigie_domain::{NewMention, PollState, Source, SourceKind, Timestamp};
use vigie_store::{NewEvent, PollSuccess, Store, StoreError};

/// Poller settings.
#[derive(Debug, Clone)]
pub struct PollerConfig {
    pub policy: Policy,
    /// Sources taken per cycle.
    pub batch_size: usize,
    /// Requests in flight overall.
    pub max_concurrency: usize,
    /// Requests in flight to one host.
    pub per_host: usize,
}

impl Default for PollerConfig {
    fn default() -> Self {
        PollerConfig {
            policy: Policy::default(),
            batch_size: 2000,
            max_concurrency: 32,
            per_host: 4,
        }
    }
}

/// What one cycle did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PollReport {
    pub checked: usize,
    pub not_modified: usize,
    pub failed: usize,
    pub new_mentions: usize,
    /// Entries already stored (counted once per fetch that returned them).
    pub duplicates: usize,
    /// Of the duplicates, those dropped before they were prepared: their GUID was already
    /// stored for the source (the rest were recognised by the writer). Counted even when
    /// the entry has no text, which preparing would have dropped without counting it.
    pub known: usize,
    pub new_mention_ids: Vec<i64>,
    /// Those of `new_mention_ids` at least one watch matches: what the app's stream shows.
    pub new_matched_ids: Vec<i64>,
    /// (source id, plain-words error)
    pub errors: Vec<(i64, String)>,
}

/// What fetching one source brought back.
enum Fetch {
    NotModified { status: u16 },
    Entries(Vec<RawEntry>, Answer),
    Failed(FetchError),
}

/// What a source's answer says besides its entries, for its poll state.
struct Answer {
    status: u16,
    etag: Option<String>,
    last_modified: Option<String>,
    /// Where an API source's next page starts (Mastodon `min_id`, Bluesky cursor).
    cursor: Option<String>,
    /// A permanent redirect's target.
    moved_to: Option<String>,
    /// The feed's own title.
    title: Option<String>,
}

impl Answer {
    /// An API page: no validators, no redirect, no title.
    fn page(cursor: Option<String>) -> Answer {
        Answer {
            status: 200,
            etag: None,
            last_modified: None,
            cursor,
            moved_to: None,
            title: None,
        }
    }
}

/// Entries the writer gathers, across the sources already fetched, before one commit.
/// A transaction of ~2,500 mentions amortises the commit and the full-text index flush
/// (the store side of ingest is ~1.6x faster at 1,000 than one source per transaction, and
/// a little faster again at 2,500) while holding the store lock for ~0.2 s (longer for the
/// commit that triggers a WAL checkpoint, every ~40 MB written).
pub const SETTLE_BATCH_ENTRIES: usize = 2_500;

/// A source's result ready for the store.
enum Outcome {
    NotModified {
        status: u16,
    },
    Entries {
        entries: Vec<(NewMention, Vec<i64>)>,
        /// Entries dropped before preparing: the source already knew their GUID.
        known: usize,
        answer: Answer,
    },
    Failed(FetchError),
}

impl Outcome {
    fn entry_count(&self) -> usize {
        match self {
            Outcome::Entries { entries, .. } => entries.len(),
            _ => 0,
        }
    }
}

pub struct Poller {
    store: Arc<Mutex<Store>>,
    /// A read-only connection for the GUIDs already stored (see [`drop_known`]); none if it
    /// could not be opened, and then every entry is prepared and the writer dedupes them.
    reader: Option<Mutex<Store>>,
    tonality: Arc<vigie_tonality::Analyzer>,
    http: Http,
    bluesky: Arc<Bluesky>,
    cfg: PollerConfig,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Bluesky credentials of older versions filed by server in this process (see
    /// [`Bluesky::adopt_legacy`]). Held while they are moved: a search waits for it.
    legacy_filed: Mutex<bool>,
}

/// Setting that records that the Bluesky searches' credentials are filed by server.
const LEGACY_FILED: &str = "bluesky.sources_credentials_by_server";

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
        })
        .unwrap_or_default()
}

impl Poller {
    pub fn new(
        store: Arc<Mutex<Store>>,
        http: Http,
        bluesky: Arc<Bluesky>,
        cfg: PollerConfig,
    ) -> Self {
        let reader = store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .reader()
            .ok()
            .map(Mutex::new);
        Poller {
            store,
            reader,
            tonality: Arc::new(vigie_tonality::Analyzer::new()),
            http,
            bluesky,
            cfg,
            hosts: Mutex::default(),
            legacy_filed: Default::default(),
        }
    }

    /// Once per database, before its first Bluesky search: credentials older versions filed
    /// under the handle alone move to their server's key. Tried again at the next search when
    /// the keychain could not be reached.
    fn file_legacy_bluesky_credentials(&self) {
        let mut filed = self.legacy_filed.lock().unwrap_or_else(|p| p.into_inner());
        if *filed {
            return;
        }
        let pairs = match self.with_store(|s| {
            if s.setting(LEGACY_FILED)?.is_some() {
                return Ok(Vec::new());
            }
            Ok(s.sources()?
                .into_iter()
                .filter_map(|(src, _)| match src.kind {
                    SourceKind::BlueskySearch {
                        service, handle, ..
                    } => Some((service, handle)),
                    _ => None,
                })
                .collect::<Vec<_>>())
        }) {
            Ok(p) if p.is_empty() => {
                *filed = true;
                return;
            }
            Ok(p) => p,
            Err(_) => return,
        };
        if self.bluesky.adopt_legacy(&pairs).is_ok() {
            let _ = self.with_store(|s| s.set_setting(LEGACY_FILED, "1"));
            *filed = true;
        }
    }

    pub fn store(&self) -> &Arc<Mutex<Store>> {
        &self.store
    }

    pub fn tonality(&self) -> &Arc<vigie_tonality::Analyzer> {
        &self.tonality
    }

    pub fn bluesky(&self) -> &Arc<Bluesky> {
        &self.bluesky
    }

    fn host_permit(&self, host: &str) -> Arc<Semaphore> {
        let mut hosts = self.hosts.lock().expect("hosts lock");
        hosts
            .entry(host.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.cfg.per_host.max(1))))
            .clone()
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut s = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s)
    }

    /// One cycle: polls every source due at `now` (up to the batch size).
    pub async fn poll_once(self: &Arc<Self>, now: Timestamp) -> Result<PollReport, StoreError> {
        self.poll(now, None).await
    }

    /// Polls one source now, due or not, paused or not (the CLI's `source check`), through
    /// the same fetch, ingest and health path as a cycle.
    pub async fn poll_source(
        self: &Arc<Self>,
        id: i64,
        now: Timestamp,
    ) -> Result<PollReport, StoreError> {
        self.poll(now, Some(id)).await
    }

    async fn poll(
        self: &Arc<Self>,
        now: Timestamp,
        only: Option<i64>,
    ) -> Result<PollReport, StoreError> {
        let _release = ReleaseReaderMemory(self.reader.as_ref());
        let (due, watches) = self.with_store(|s| {
            let due = match only {
                Some(id) => vec![s.source(id)?],
                None => s.due_sources(now, self.cfg.batch_size)?,
            };
            Ok((due, s.watches()?))
        })?;
        let matcher = Arc::new(Matcher::new(&watches, Arc::clone(&self.tonality)));
        let global = Arc::new(Semaphore::new(self.cfg.max_concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for (source, state) in due {
            let me = Arc::clone(self);
            let global = Arc::clone(&global);
            let matcher = Arc::clone(&matcher);
            let per_host = self.host_permit(&host_of(&source.kind.endpoint()));
            tasks.spawn(async move {
                let _g = global.acquire_owned().await.expect("semaphore open");
                let _h = per_host.acquire_owned().await.expect("semaphore open");
                let outcome = me.fetch_source(&source, &state, now).await;
                // Normalising and matching are CPU work: done here, in parallel, not under the store lock.
                let outcome = match outcome {
                    Fetch::Entries(mut entries, answer) => {
                        let known = me.drop_known(source.id, &mut entries);
                        Outcome::Entries {
                            entries: prepare(source.id, entries, &matcher, now),
                            known,
                            answer,
                        }
                    }
                    Fetch::NotModified { status } => Outcome::NotModified { status },
                    Fetch::Failed(e) => Outcome::Failed(e),
                };
                (source, state, outcome)
            });
        }
        let mut report = PollReport::default();
        while let Some(joined) = tasks.join_next().await {
            // Every source already fetched is settled with this one, in one transaction:
            // when the writer is the bottleneck, batches grow and commits (and full-text
            // index flushes) get rarer; when it keeps up, each source is written at once.
            let mut ready = Vec::new();
            let mut entries = 0;
            let mut next = Some(joined);
            while let Some(joined) = next.take() {
                if let Ok(one) = joined {
                    entries += one.2.entry_count();
                    ready.push(one);
                }
                if entries < SETTLE_BATCH_ENTRIES {
                    next = tasks.try_join_next();
                }
            }
            if ready.is_empty() {
                continue;
            }
            report.checked += ready.len();
            let me = Arc::clone(self);
            let matcher = Arc::clone(&matcher);
            let (settled, failure) =
                tokio::task::spawn_blocking(move || me.settle_batch(ready, &matcher, now))
                    .await
                    .expect("settle does not panic");
            for one in settled {
                report.not_modified += usize::from(one.not_modified);
                report.new_mentions += one.inserted;
                report.duplicates += one.duplicates;
                report.known += one.known;
                report.new_mention_ids.extend(one.new_ids);
                report.new_matched_ids.extend(one.new_matched_ids);
                if let Some(e) = one.error {
                    report.failed += 1;
                    report.errors.push((one.source_id, e));
                }
            }
            if let Some(e) = failure {
                return Err(e);
            }
        }
        Ok(report)
    }

    /// [`drop_known`] through the reader, if there is one; on a look-up error every entry is
    /// kept (the writer dedupes them all the same, only later).
    fn drop_known(&self, source_id: i64, entries: &mut Vec<RawEntry>) -> usize {
        let Some(reader) = &self.reader else {
            return 0;
        };
        let reader = reader.lock().unwrap_or_else(|p| p.into_inner());
        drop_known(&reader, source_id, entries).unwrap_or(0)
    }

    /// Settles sources in one store transaction, in order, stopping at the first store
    /// error (what was settled before it is kept, as when each source had its own
    /// transaction).
    ///
    /// The watches were compiled when the cycle began. If the user changed them since (a
    /// query edited, a watch added, removed or disabled, a removed watch's id given to a new
    /// one), the batch's mentions are matched again against the watches as they are now,
    /// under the same write lock: a mention's matches always follow the watches it is stored
    /// under.
    fn settle_batch(
        &self,
        mut ready: Vec<(Source, PollState, Outcome)>,
        matcher: &Matcher,
        now: Timestamp,
    ) -> (Vec<Settled>, Option<StoreError>) {
        let mut settled = Vec::with_capacity(ready.len());
        let mut failure = None;
        let mut s = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let committed = s.batch(|s| {
            let watches = s.watches()?;
            if !matcher.is_current(&watches) {
                let now_matcher = matcher.recompiled(&watches);
                for (_, _, outcome) in &mut ready {
                    if let Outcome::Entries { entries, .. } = outcome {
                        for (m, ids) in entries.iter_mut() {
                            *ids = now_matcher.matching(m);
                        }
                    }
                }
            }
            for (source, state, outcome) in ready {
                match settle(s, &self.cfg.policy, &source, &state, outcome, now) {
                    Ok(one) => settled.push(one),
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            Ok(())
        });
        if let Err(e) = committed {
            // The commit itself failed: nothing of this batch landed.
            settled.clear();
            failure = Some(e);
        }
        (settled, failure)
    }

    async fn fetch_source(&self, source: &Source, state: &PollState, now: Timestamp) -> Fetch {
        match &source.kind {
            SourceKind::Feed { url } => {
                let cond = Conditional {
                    etag: state.etag.clone(),
                    last_modified: state.last_modified.clone(),
                };
                match self.http.get(url, &cond, HeaderMap::new(), now).await {
                    Ok(FetchOutcome::NotModified { status }) => Fetch::NotModified { status },
                    Ok(FetchOutcome::Fetched(f)) => {
                        match parse_feed(&f.body, f.content_type.as_deref()) {
                            Ok((title, entries)) => Fetch::Entries(
                                entries,
                                Answer {
                                    status: f.status,
                                    etag: f.etag,
                                    last_modified: f.last_modified,
                                    cursor: None,
                                    moved_to: f.moved_to,
                                    title,
                                },
                            ),
                            Err(problem) => Fetch::Failed(FetchError {
                                problem,
                                status: Some(f.status),
                            }),
                        }
                    }
                    Err(e) => Fetch::Failed(e),
                }
            }
            SourceKind::MastodonTag { instance, tag } => {
                match fetch_tag(&self.http, instance, tag, state.cursor.as_deref(), now).await {
                    Ok(page) => Fetch::Entries(page.entries, Answer::page(page.cursor)),
                    Err(e) => Fetch::Failed(e),
                }
            }
            SourceKind::BlueskySearch {
                service,
                handle,
                query,
            } => {
                self.file_legacy_bluesky_credentials();
                match self
                    .bluesky
                    .search(
                        &self.http,
                        service,
                        handle,
                        query,
                        state.cursor.as_deref(),
                        now,
                    )
                    .await
                {
                    Ok((entries, cursor)) => Fetch::Entries(entries, Answer::page(cursor)),
                    Err(e) => Fetch::Failed(e),
                }
            }
        }
    }
}

/// Writes one source's outcome: mentions, poll state, health events (each write its own
/// savepoint inside the batch's transaction).
fn settle(
    s: &mut Store,
    policy: &Policy,
    source: &Source,
    state: &PollState,
    outcome: Outcome,
    now: Timestamp,
) -> Result<Settled, StoreError> {
    let unit: f64 = rand::random();
    let mut out = Settled {
        source_id: source.id,
        ..Default::default()
    };
    // The user may remove a source while its fetch is in flight: what it brought is dropped
    // (its mentions would have no source to belong to), also when a source added since got
    // the removed one's id (it must not inherit the old feed's state, errors or mentions).
    let asked_at = match s.source(source.id) {
        Ok((now_source, now_state))
            if now_source.created_at == source.created_at && now_source.kind == source.kind =>
        {
            now_state.next_check_at
        }
        Err(StoreError::NotFound { .. }) | Ok(_) => return Ok(out),
        Err(e) => return Err(e),
    };
    // "Check now" clicked while this fetch was in flight moved the source's next check after
    // the cycle read it: that request still stands (the fetch may have left before it), so
    // the next check is then, not a whole interval later. A server that asked us to wait
    // (Retry-After) is still obeyed.
    let checked_again = asked_at > state.next_check_at;
    let next_check = |computed: Timestamp| {
        if checked_again {
            computed.min(asked_at)
        } else {
            computed
        }
    };
    let next_success = next_check(next_after_success(now, source.interval_secs, policy, unit));
    let recovered = state.error_count > 0;
    match outcome {
        Outcome::NotModified { status } => {
            out.not_modified = true;
            s.record_success(
                source.id,
                &PollSuccess {
                    checked_at: now,
                    next_check_at: next_success,
                    status: Some(status.into()),
                    etag: state.etag.clone(),
                    last_modified: state.last_modified.clone(),
                    cursor: None,
                },
            )?;
        }
        Outcome::Entries {
            entries,
            known,
            answer:
                Answer {
                    status,
                    etag,
                    last_modified,
                    cursor,
                    moved_to,
                    title,
                },
        } => {
            if let Some(t) = title.filter(|t| !t.trim().is_empty()) {
                s.name_source_if_untitled(source.id, &t)?;
            }
            let ingested = s.ingest(&entries, now)?;
            out.inserted = ingested.inserted;
            out.duplicates = ingested.duplicates + known;
            out.known = known;
            out.new_ids = ingested.new_ids;
            out.new_matched_ids = ingested.new_matched_ids;
            if let Some(new_url) = moved_to {
                let kind = SourceKind::Feed {
                    url: new_url.clone(),
                };
                if s.move_source(source.id, &kind).is_ok() {
                    s.append_event(&NewEvent {
                        at: now,
                        kind: "source_moved",
                        watch_id: None,
                        source_id: Some(source.id),
                        data: serde_json::json!({"to": new_url}),
                    })?;
                }
            }
            s.record_success(
                source.id,
                &PollSuccess {
                    checked_at: now,
                    next_check_at: next_success,
                    status: Some(status.into()),
                    etag,
                    last_modified,
                    cursor,
                },
            )?;
        }
        Outcome::Failed(mut e) => {
            // The words say when Vigie really retries: a server asking for longer than the
            // policy allows gets the policy's longest wait.
            if let vigie_domain::health::Problem::Http {
                retry_after_secs: Some(secs),
                ..
            } = &mut e.problem
            {
                *secs = (*secs).clamp(0, policy.max_retry_after_secs);
            }
            let msg = e.problem.message();
            let retry = e.problem.retry_after_secs();
            let count =
                s.record_failure(source.id, now, e.status.map(i64::from), &e.problem, |n| {
                    let backoff =
                        next_after_error(now, source.interval_secs, n, retry, policy, unit);
                    if retry.is_some() {
                        backoff
                    } else {
                        next_check(backoff)
                    }
                })?;
            if count == 1 {
                s.append_event(&NewEvent {
                    at: now,
                    kind: "source_failing",
                    watch_id: None,
                    source_id: Some(source.id),
                    data: serde_json::json!({"error": msg, "problem": e.problem}),
                })?;
            }
            out.error = Some(msg);
            return Ok(out);
        }
    }
    if recovered {
        s.append_event(&NewEvent {
            at: now,
            kind: "source_recovered",
            watch_id: None,
            source_id: Some(source.id),
            data: serde_json::json!({"after_errors": state.error_count}),
        })?;
    }
    Ok(out)
}

#[derive(Default)]
struct Settled {
    source_id: i64,
    not_modified: bool,
    inserted: usize,
    duplicates: usize,
    known: usize,
    new_ids: Vec<i64>,
    new_matched_ids: Vec<i64>,
    error: Option<String>,
}

/// Hands the reader's page cache back when a cycle ends, however it ends (it refills from
/// the OS cache next cycle: not worth keeping while the app idles).
struct ReleaseReaderMemory<'a>(Option<&'a Mutex<Store>>);

impl Drop for ReleaseReaderMemory<'_> {
    fn drop(&mut self) {
        if let Some(reader) = self.0 {
            let _ = reader
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .release_memory();
        }
    }
}

/// Reads what a source looks like to the user.
pub fn health_line(state: &PollState, now: Timestamp) -> String {
    let ago = |t: Timestamp| {
        let d = (now - t).max(0);
        match d {
            d if d < 90 => format!("{d} s ago"),
            d if d < 5400 => format!("{} min ago", d / 60),
            d if d < 172_800 => format!("{} h ago", d / 3600),
            d => format!("{} days ago", d / 86400),
        }
    };
    let next = {
        let d = state.next_check_at - now;
        if d <= 0 {
            "now".to_string()
        } else if d < 5400 {
            format!("in {} min", (d + 59) / 60)
        } else {
            format!("in {} h", (d + 1799) / 3600)
        }
    };
    match (&state.last_error, state.last_success_at) {
        (Some(e), Some(ok)) => format!(
            "failing ({} errors in a row): {e} Last success {}; next check {next}.",
            state.error_count,
            ago(ok)
        ),
        (Some(e), None) => format!("never worked: {e} Next check {next}."),
        (None, Some(ok)) => format!("ok, last success {}; next check {next}.", ago(ok)),
        (None, None) => format!("not checked yet; next check {next}."),
    }
}
