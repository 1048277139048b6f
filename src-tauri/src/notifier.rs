//! Desktop notifications that open the right watch when clicked. Shown like the engine's
//! `DesktopNotifier` (notify-rust over D-Bus); on Linux and the BSDs each notification with an
//! "open-watch:{id}" action gets a small task waiting for the click (at most [`CLICK_WINDOW`],
//! at most [`MAX_WAITING`] at once), which emits `notification://open-watch` and shows the
//! window. Waiting never blocks the engine: the signal pass returns as soon as it is shown.

use crate::events::{OpenWatch, OPEN_WATCH};
use crate::window;
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Emitter};
use tokio::task::JoinSet;
use vigie_engine::notify::{desktop_notification, Notice, Notifier, NotifyError};
use vigie_signals::Lang;

/// After this, the notification is closed (the alert stays in the app) and its task ends.
pub const CLICK_WINDOW: Duration = Duration::from_secs(30 * 60);
/// Beyond this many notifications waiting for a click, new ones are shown without waiting.
pub const MAX_WAITING: usize = 16;

pub struct ShellNotifier {
    app: AppHandle,
    lang: Lang,
    waiting: Mutex<JoinSet<()>>,
}

impl ShellNotifier {
    pub fn new(app: AppHandle, lang: Lang) -> Self {
        ShellNotifier {
            app,
            lang,
            waiting: Mutex::new(JoinSet::new()),
        }
    }

    /// Ends every task still waiting for a click (on exit).
    pub fn stop(&self) {
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .abort_all();
    }
}

/// What a click on the notification (body or button) says, if it means "open this watch".
pub fn clicked_watch(action: &str, watch_id: i64) -> Option<i64> {
    (action == "default" || action == format!("open-watch:{watch_id}")).then_some(watch_id)
}

/// Shows the window on the watch: a running UI listens to `notification://open-watch`; a
/// window built again (its webview had been released) opens at the watch's route.
pub fn open_watch(app: &AppHandle, watch_id: i64) {
    if !window::show_at(app, Some(&format!("#/mentions?watch={watch_id}"))) {
        return;
    }
    if let Err(e) = app.emit(OPEN_WATCH, OpenWatch { watch_id }) {
        eprintln!("vigie: {OPEN_WATCH} not sent ({e})");
    }
}

impl Notifier for ShellNotifier {
    fn notify(&self, n: &Notice) -> Result<(), NotifyError> {
        let open = match self.lang {
            Lang::Fr => "Ouvrir",
            Lang::En => "Open",
        };
        let handle = desktop_notification(n, open)
            // "default" is a click on the notification itself.
            .action("default", open)
            .show()
            .map_err(|e| NotifyError(e.to_string()))?;
        self.wait_for_click(handle, n.watch_id);
        Ok(())
    }
}

impl ShellNotifier {
    #[cfg(all(unix, not(target_os = "macos")))]
    fn wait_for_click(&self, handle: notify_rust::NotificationHandle, watch_id: i64) {
        use notify_rust::NotificationResponse;
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        while waiting.try_join_next().is_some() {}
        if waiting.len() >= MAX_WAITING {
            return;
        }
        let app = self.app.clone();
        let wait = async move {
            let clicked = std::sync::Mutex::new(None);
            let response = handle.wait_for_action_async(|r| {
                *clicked.lock().unwrap_or_else(|p| p.into_inner()) = match r {
                    NotificationResponse::Default => Some(watch_id),
                    NotificationResponse::Action(a) => clicked_watch(a, watch_id),
                    _ => None,
                };
            });
            match tokio::time::timeout(CLICK_WINDOW, response).await {
                Ok(()) => {
                    if let Some(id) = *clicked.lock().unwrap_or_else(|p| p.into_inner()) {
                        open_watch(&app, id);
                    }
                }
                Err(_) => handle.close_async().await,
            }
        };
        waiting.spawn_on(wait, tauri::async_runtime::handle().inner());
    }

    /// Elsewhere, notifications are shown without following clicks.
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    fn wait_for_click(&self, _handle: notify_rust::NotificationHandle, _watch_id: i64) {
        let _ = (&self.app, &self.waiting);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_watch_or_the_notification_itself_opens_it() {
        assert_eq!(clicked_watch("open-watch:4", 4), Some(4));
        assert_eq!(clicked_watch("default", 4), Some(4));
        assert_eq!(clicked_watch("open-watch:5", 4), None);
        assert_eq!(clicked_watch("__closed", 4), None);
    }
}
