//! The main window's life: closing it only hides it (the engine keeps listening, the tray and
//! a second launch bring it back), and, once it has stayed closed for a while with nothing
//! typed and unsaved in it, its webview is released: WebKit's web process (most of the idle
//! app's memory, see docs/BENCHMARKS.md) ends, and the next "show" builds the window again
//! from tauri.conf.json, at the size and place the window-state plugin remembered.
//!
//! The webview decides whether it can go: on `window://closed` the UI answers with
//! `release_window { unsaved }` (commands.rs), and only `unsaved == false` starts the timer.
//! Showing the window again cancels it. Without the memory tuning (`VIGIE_LEAN=0`) a closed
//! window is only hidden, as before.

use crate::memory;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

pub const MAIN_WINDOW: &str = "main";
/// Sent to the window when the user closed it; the UI answers with `release_window`.
pub const CLOSED: &str = "window://closed";
/// How long a closed window keeps its webview, unless `VIGIE_RELEASE_AFTER_SECS` says
/// otherwise (the end-to-end test uses a few seconds).
const RELEASE_AFTER: Duration = Duration::from_secs(60);

/// The pending release of a closed window, owned here so showing the window or quitting can
/// cancel it.
#[derive(Default)]
pub struct Releaser {
    pending: Mutex<Option<JoinHandle<()>>>,
    /// The window is gone because it was released here (and not, say, closed by WebDriver at
    /// the end of a session): the app stays (see [`Releaser::keeps_running`]).
    released: AtomicBool,
}

impl Releaser {
    fn replace(&self, next: Option<JoinHandle<()>>) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = pending.take() {
            old.abort();
        }
        *pending = next;
    }

    /// Cancels a pending release (on show and on exit).
    pub fn cancel(&self) {
        self.replace(None);
    }

    /// Whether the last window going away should leave the app running: only when this
    /// released it. Any other end of the last window ends the app, as before.
    pub fn keeps_running(&self) -> bool {
        self.released.load(Ordering::SeqCst)
    }
}

/// How long a closed window keeps its webview; None when it is only hidden (`VIGIE_LEAN=0`).
pub fn release_after() -> Option<Duration> {
    delay_of(
        memory::enabled(),
        std::env::var("VIGIE_RELEASE_AFTER_SECS").ok().as_deref(),
    )
}

fn delay_of(lean: bool, var: Option<&str>) -> Option<Duration> {
    lean.then(|| {
        var.and_then(|s| s.trim().parse::<u64>().ok())
            .map_or(RELEASE_AFTER, Duration::from_secs)
    })
}

/// The user closed the main window: hide it and ask the UI whether it may be released.
pub fn on_close_requested(window: &tauri::Window) {
    let _ = window.hide();
    if release_after().is_some() {
        if let Err(e) = window.emit_to(MAIN_WINDOW, CLOSED, ()) {
            eprintln!("vigie: {CLOSED} not sent ({e}); the window stays hidden");
        }
    }
}

/// The UI's answer to [`CLOSED`]: with nothing unsaved, release the webview after the delay if
/// the window is still hidden by then.
pub fn release_when_idle(app: &AppHandle, unsaved: bool) {
    let Some(delay) = release_after() else {
        return;
    };
    let releaser = app.state::<Releaser>();
    if unsaved {
        // Typed text stays where it is: the window is only hidden.
        releaser.cancel();
        return;
    }
    let handle = app.clone();
    releaser.replace(Some(tauri::async_runtime::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Some(w) = handle.get_webview_window(MAIN_WINDOW) {
            if !w.is_visible().unwrap_or(true) {
                // Ends the webview and its web process; the app keeps running (main.rs keeps
                // the event loop alive when the last window goes).
                let releaser = handle.state::<Releaser>();
                releaser.released.store(true, Ordering::SeqCst);
                if let Err(e) = w.destroy() {
                    releaser.released.store(false, Ordering::SeqCst);
                    eprintln!("vigie: the closed window could not be released ({e})");
                    return;
                }
                // Then hand what GTK and WebKit freed on this side back to the system.
                tokio::time::sleep(Duration::from_secs(1)).await;
                crate::setup::release_memory_now(&handle).await;
            }
        }
    })));
}

/// Shows, unminimises and focuses the main window, building it again if it was released.
pub fn show_main(app: &AppHandle) {
    show_at(app, None);
}

/// Like [`show_main`]; a window built again opens at this UI route (e.g. `#/mentions?watch=3`).
/// Returns whether the window already existed (its UI is running and can be told where to go).
pub fn show_at(app: &AppHandle, route: Option<&str>) -> bool {
    app.state::<Releaser>().cancel();
    if let Some(w) = app.get_webview_window(MAIN_WINDOW) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
        return true;
    }
    if let Err(e) = build_main(app, route) {
        eprintln!("vigie: the window could not be opened again ({e})");
    }
    false
}

/// Builds the main window from its tauri.conf.json entry (same label, so the same capability).
fn build_main(app: &AppHandle, route: Option<&str>) -> tauri::Result<WebviewWindow> {
    let mut config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN_WINDOW)
        .cloned()
        .unwrap_or_default(); // the default window is labelled "main" too
    config.visible = true;
    if let Some(route) = route {
        // Joined to the app's origin: "index.html#/mentions?watch=3".
        config.url = WebviewUrl::App(format!("index.html{route}").into());
    }
    let window = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    app.state::<Releaser>()
        .released
        .store(false, Ordering::SeqCst);
    memory::tune_webview(&window);
    let _ = window.set_focus();
    Ok(window)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_comes_from_the_variable_and_lean_mode_off_only_hides() {
        assert_eq!(delay_of(true, None), Some(RELEASE_AFTER));
        assert_eq!(delay_of(true, Some(" 5 ")), Some(Duration::from_secs(5)));
        assert_eq!(delay_of(true, Some("soon")), Some(RELEASE_AFTER));
        assert_eq!(delay_of(false, Some("5")), None);
    }
}
