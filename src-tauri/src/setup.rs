//! Startup and shutdown: open the store, start the engine, forward its reports; stop it all
//! on exit.

use crate::{events, memory, notifier::ShellNotifier, tray, window};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Manager};
use vigie_engine::app::App;
use vigie_engine::fetch::FetchConfig;
use vigie_engine::signals::SignalConfig;
use vigie_engine::SystemClock;
use vigie_signals::Lang;

/// How often the engine looks for due sources (each source keeps its own interval).
const TICK: Duration = Duration::from_secs(30);

/// What the shell owns besides the [`App`]: the report forwarder, the outbox watcher and the
/// notification waiters.
pub struct Shell {
    forwarder: Mutex<Option<JoinHandle<()>>>,
    outbox_watcher: JoinHandle<()>,
    terminate: JoinHandle<()>,
    trimmer: JoinHandle<()>,
    notifier: Arc<ShellNotifier>,
}

/// The user's language from the system locale (LC_ALL, then LC_MESSAGES, then LANG).
pub fn system_lang() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    lang_of(&locale)
}

fn lang_of(locale: &str) -> Lang {
    if locale.to_ascii_lowercase().starts_with("fr") {
        Lang::Fr
    } else {
        Lang::En
    }
}

pub fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let handle = app.handle().clone();
    // Same rule as the CLI: VIGIE_DATA_DIR, else the platform data dir + "vigie".
    let dir = vigie_store::default_data_dir()?;
    let lang = system_lang();
    let config = SignalConfig {
        lang,
        tz_offset_secs: i64::from(chrono::Local::now().offset().local_minus_utc()),
        ..SignalConfig::default()
    };
    let notifier = Arc::new(ShellNotifier::new(handle.clone(), lang));
    let engine = App::open(
        &dir,
        notifier.clone(),
        config,
        Arc::new(SystemClock),
        FetchConfig::default(),
    )
    .map_err(|e| format!("cannot open Vigie's data in {}: {e}", dir.display()))?;
    app.manage(engine);

    // A desktop without a tray host still gets the window; log and go on.
    if let Err(e) = tray::build(&handle, lang) {
        eprintln!("vigie: no tray icon ({e}); closing the window hides it, launch Vigie again to bring it back");
    }
    tray::refresh(&handle, lang);

    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    // App::start spawns onto the current Tokio runtime: enter Tauri's.
    tauri::async_runtime::block_on(async { handle.state::<App>().start(TICK, tx) });
    let forwarder = events::spawn_forwarder(handle.clone(), rx, lang);
    let outbox_watcher = events::spawn_outbox_watcher(handle.clone());
    let terminate = tauri::async_runtime::spawn(quit_on_terminate(handle.clone()));
    if let Some(window) = app.get_webview_window(window::MAIN_WINDOW) {
        memory::tune_webview(&window);
    }
    let trimmer = tauri::async_runtime::spawn(release_free_memory(handle.clone()));
    app.manage(Shell {
        forwarder: Mutex::new(Some(forwarder)),
        outbox_watcher,
        terminate,
        trimmer,
        notifier,
    });
    Ok(())
}

/// Hands memory back to the system: once the first screen's queries are done, then every
/// minute (a burst of UI queries fills SQLite's page cache and leaves freed pages in malloc's
/// arenas). A store busy writing is not idle (see `App::release_memory`): that round is tried
/// again a few seconds later, up to [`BUSY_RETRIES`] times.
async fn release_free_memory(handle: AppHandle) {
    if !memory::enabled() {
        return;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    loop {
        for _ in 0..BUSY_RETRIES {
            if release_memory_now(&handle).await {
                break;
            }
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

/// How many times a round of [`release_free_memory`] tries again while the store is busy.
const BUSY_RETRIES: usize = 5;

/// One round of [`release_free_memory`], off the async workers (also after the window's
/// webview is released, see window.rs). False when the store was busy: nothing was released.
pub async fn release_memory_now(handle: &AppHandle) -> bool {
    let h = handle.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let released = !matches!(h.state::<App>().release_memory(), Ok(false));
        if released {
            memory::Allocator::release_free_memory();
        }
        released
    })
    .await
    .unwrap_or(true)
}

/// SIGTERM / SIGINT (session logout, `kill`, Ctrl-C) quit like the tray's Quit, so the engine
/// stops cleanly and the window state is saved.
async fn quit_on_terminate(handle: AppHandle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    handle.exit(0);
}

impl Shell {
    /// Stops the engine (waiting for its loops), then the forwarder, the outbox watcher and the
    /// notification waiters.
    pub fn shutdown(&self, handle: &AppHandle) {
        handle.state::<window::Releaser>().cancel();
        self.outbox_watcher.abort();
        self.trimmer.abort();
        let forwarder = self
            .forwarder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        tauri::async_runtime::block_on(async {
            handle.state::<App>().stop().await;
            if let Some(mut f) = forwarder {
                // The engine dropped its sender: the forwarder ends after its last report. It
                // may wait on the main thread (tray), which is this one: do not wait forever.
                if tokio::time::timeout(Duration::from_secs(2), &mut f)
                    .await
                    .is_err()
                {
                    f.abort();
                    eprintln!("vigie: the last report was not forwarded before exit");
                }
            }
        });
        self.notifier.stop();
        self.terminate.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_locales_give_french() {
        for (locale, lang) in [
            ("fr_FR.UTF-8", Lang::Fr),
            ("fr_CA", Lang::Fr),
            ("FR", Lang::Fr),
            ("en_US.UTF-8", Lang::En),
            ("C.UTF-8", Lang::En),
            ("", Lang::En),
        ] {
            assert_eq!(lang_of(locale), lang, "{locale:?}");
        }
    }
}
