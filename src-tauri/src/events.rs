//! Engine → UI: each cycle report becomes the events of docs/IPC.md, and the tray follows the
//! highest level.

use crate::tray;
use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::mpsc::UnboundedReceiver;
use vigie_domain::Timestamp;
use vigie_engine::app::App;
use vigie_engine::{Clock, CycleReport, SystemClock};
use vigie_signals::Lang;

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

pub const NEW_MENTIONS: &str = "mentions://new";
pub const OPEN_WATCH: &str = "notification://open-watch";

pub fn watch_level_event(watch_id: i64) -> String {
    format!("watch://{watch_id}/level")
}

pub fn source_health_event(source_id: i64) -> String {
    format!("source://{source_id}/health")
}

/// Forwards reports until the engine stops (it drops its sender). Owned by `setup::Shell`.
pub fn spawn_forwarder(
    handle: AppHandle,
    mut reports: UnboundedReceiver<Result<CycleReport, String>>,
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
    if report.poll.new_mentions > 0 {
        send(
            handle,
            NEW_MENTIONS,
            &NewMentions {
                count: report.poll.new_mentions,
                ids: report.poll.new_mention_ids.clone(),
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
            serde_json::to_value(NewMentions {
                count: 2,
                ids: vec![4, 5]
            })
            .unwrap(),
            serde_json::json!({"count": 2, "ids": [4, 5]})
        );
    }
}
