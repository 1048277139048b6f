//! Engine → UI: each cycle report becomes the events of docs/IPC.md, and the tray follows the
//! highest level.

use crate::tray;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::mpsc::UnboundedReceiver;
use vigie_domain::publish::PostState;
use vigie_domain::Timestamp;
use vigie_engine::app::{App, AppError};
use vigie_engine::{Clock, CycleReport, SystemClock};
use vigie_signals::Lang;
use vigie_store::{KillSwitch, Post};

/// `mentions://new`
#[derive(Debug, Clone, Serialize)]
pub struct NewMentions {
    pub count: usize,
    pub ids: Vec<i64>,
}

/// `notification://open-watch`
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenWatch {
    pub watch_id: i64,
}

/// `outbox://changed`: posts whose state (or attempt, error, send time) changed.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxChanged {
    pub ids: Vec<i64>,
}

pub const NEW_MENTIONS: &str = "mentions://new";
pub const OPEN_WATCH: &str = "notification://open-watch";
pub const OUTBOX_CHANGED: &str = "outbox://changed";
pub const KILL_SWITCH: &str = "publish://kill-switch";

pub fn watch_level_event(watch_id: i64) -> String {
    format!("watch://{watch_id}/level")
}

pub fn source_health_event(source_id: i64) -> String {
    format!("source://{source_id}/health")
}

/// Forwards reports until the engine stops (it drops its sender). Owned by `setup::Shell`.
pub fn spawn_forwarder(
    handle: AppHandle,
    mut reports: UnboundedReceiver<Result<CycleReport, AppError>>,
    lang: Lang,
) -> JoinHandle<()> {
    tauri::async_runtime::spawn(async move {
        // Sources checked since the previous report belong to this one.
        let mut since = SystemClock.now();
        while let Some(report) = reports.recv().await {
            let received = SystemClock.now();
            match report {
                Ok(r) => {
                    let h = handle.clone();
                    let done = tauri::async_runtime::spawn_blocking(move || {
                        forward(&h, &r, since);
                        tray::refresh(&h, lang);
                    })
                    .await;
                    if let Err(e) = done {
                        eprintln!("vigie: a cycle report was not forwarded ({e})");
                    }
                }
                Err(e) => eprintln!("vigie: a listening cycle failed: {e}"),
            }
            since = received;
        }
    })
}

fn forward(handle: &AppHandle, report: &CycleReport, since: Timestamp) {
    let app = handle.state::<App>();
    // The stream shows what a watch matches: an article no watch is about is not news.
    if !report.poll.new_matched_ids.is_empty() {
        send(
            handle,
            NEW_MENTIONS,
            &NewMentions {
                count: report.poll.new_matched_ids.len(),
                ids: report.poll.new_matched_ids.clone(),
            },
        );
    }
    let changed: Vec<i64> = report
        .signals
        .iter()
        .flat_map(|s| s.changes.iter().map(|c| c.0))
        .collect();
    if !changed.is_empty() {
        match app.dashboard() {
            Ok(rows) => {
                for row in rows.iter().filter(|r| changed.contains(&r.watch.id)) {
                    send(handle, &watch_level_event(row.watch.id), &row.level);
                }
            }
            Err(e) => eprintln!("vigie: levels not sent ({e})"),
        }
    }
    match app.sources_checked_since(since) {
        Ok(rows) => {
            for row in &rows {
                send(handle, &source_health_event(row.source.id), row);
            }
        }
        Err(e) => eprintln!("vigie: source health not sent ({e})"),
    }
}

pub fn outbox_changed(handle: &AppHandle, ids: &[i64]) {
    send(handle, OUTBOX_CHANGED, &OutboxChanged { ids: ids.to_vec() });
}

pub fn kill_switch_changed(handle: &AppHandle, ks: &KillSwitch) {
    send(handle, KILL_SWITCH, ks);
}

/// What the UI sees of a post; a change in any of these is worth an event.
type PostMark = (PostState, i64, i64, bool);

fn mark(p: &Post) -> PostMark {
    (p.state, p.attempts, p.send_after, p.last_error.is_some())
}

/// The delivery loop lives in the engine and reports to no one: every second this reads the
/// newest posts and the kill switch and tells the UI what changed (`outbox://changed`,
/// `publish://kill-switch`). Owned by `setup::Shell`, aborted on exit.
pub fn spawn_outbox_watcher(handle: AppHandle) -> JoinHandle<()> {
    tauri::async_runtime::spawn(async move {
        let mut seen: Option<(HashMap<i64, PostMark>, KillSwitch)> = None;
        let mut every = tokio::time::interval(Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let h = handle.clone();
            let now = tauri::async_runtime::spawn_blocking(move || {
                let app = h.state::<App>();
                Some((app.outbox(200).ok()?, app.kill_switch().ok()?))
            })
            .await;
            let Ok(Some((posts, ks))) = now else { continue };
            let marks: HashMap<i64, PostMark> = posts.iter().map(|p| (p.id, mark(p))).collect();
            if let Some((before, ks_before)) = &seen {
                let changed = changed_posts(before, &marks);
                if !changed.is_empty() {
                    outbox_changed(&handle, &changed);
                }
                if *ks_before != ks {
                    kill_switch_changed(&handle, &ks);
                }
            }
            seen = Some((marks, ks));
        }
    })
}

/// Posts new since `before` or whose mark differs, in id order.
fn changed_posts(before: &HashMap<i64, PostMark>, now: &HashMap<i64, PostMark>) -> Vec<i64> {
    let mut ids: Vec<i64> = now
        .iter()
        .filter(|(id, m)| before.get(id) != Some(m))
        .map(|(id, _)| *id)
        .collect();
    ids.sort_unstable();
    ids
}

fn send<T: Serialize + ?Sized>(handle: &AppHandle, event: &str, payload: &T) {
    if let Err(e) = handle.emit(event, payload) {
        eprintln!("vigie: event {event} not sent ({e})");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_follow_the_ipc_contract() {
        assert_eq!(watch_level_event(7), "watch://7/level");
        assert_eq!(source_health_event(12), "source://12/health");
        assert_eq!(
            serde_json::to_value(OpenWatch { watch_id: 3 }).unwrap(),
            serde_json::json!({"watchId": 3})
        );
        assert_eq!(
            serde_json::to_value(OutboxChanged { ids: vec![7] }).unwrap(),
            serde_json::json!({"ids": [7]})
        );
        assert_eq!(
            serde_json::to_value(NewMentions {
                count: 2,
                ids: vec![4, 5]
            })
            .unwrap(),
            serde_json::json!({"count": 2, "ids": [4, 5]})
        );
    }

    #[test]
    fn new_and_changed_posts_are_reported_once() {
        let q = (PostState::Queued, 0, 100, false);
        let before = HashMap::from([(1, q), (2, q)]);
        let now = HashMap::from([(1, q), (2, (PostState::Sending, 1, 100, false)), (3, q)]);
        assert_eq!(changed_posts(&before, &now), vec![2, 3]);
        assert!(changed_posts(&now, &now).is_empty());
    }
}
