//! Closing the window (src-tauri/src/window.rs). With something typed and not saved, the
//! window is only hidden and comes back intact. With nothing to lose, its webview is released
//! after a delay: WebKit's web process ends, the app and its engine keep running, and a second
//! launch builds the window again, and so does a click on a notification, on the watch it is
//! about. Run it with scripts/e2e.sh (it sets VIGIE_E2E_APP, Xvfb and a private bus).

use std::process::Command;
use std::time::Duration;
use vigie_e2e::{
    app_binary, close_window, processes, shown_windows, spike_feed, Dunst, TauriDriver, Ui,
};
use vigie_testkit::Nginx;

#[tokio::test]
async fn a_closed_window_is_released_unless_typed_text_would_be_lost() {
    let app = app_binary().expect(
        "VIGIE_E2E_APP is not set: run scripts/e2e.sh (it builds the app and provides a display)",
    );
    let data = tempfile::tempdir().unwrap();
    let driver = TauriDriver::start_with(data.path(), &[("VIGIE_RELEASE_AFTER_SECS", "2")]);
    let ui = Ui::connect(&driver, &app).await;
    ui.el("onboarding-step-1").await;
    let pid = processes::app().expect("one vigie-desktop process");
    assert_eq!(processes::web_processes(pid).len(), 1, "one web process");
    // The app's own process loads no OpenGL driver (src-tauri/src/memory.rs): under software
    // rendering, Mesa's would bring LLVM with it (20 – 25 MiB of PSS).
    for lib in ["libGLX_mesa", "libEGL_mesa", "libLLVM"] {
        assert_eq!(
            processes::libraries(pid, lib),
            Vec::<String>::new(),
            "the app process maps {lib}"
        );
    }
    // A second launch only brings the running window forward (single instance).
    let second_launch = || {
        let status = Command::new(&app)
            .env("VIGIE_DATA_DIR", data.path())
            .status()
            .expect("the app starts");
        assert!(
            status.success(),
            "the second launch exits cleanly: {status}"
        );
    };

    // 1. Typed and not saved: closing only hides the window, well past the release delay.
    ui.fill("onboarding-brand", "Maison Lumen").await;
    close_window("Vigie");
    ui.until(
        "the closed window is hidden",
        Duration::from_secs(10),
        || async { shown_windows("Vigie") == 0 },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        processes::web_processes(pid).len(),
        1,
        "with typed text, the webview is kept"
    );
    second_launch();
    ui.until(
        "a second launch shows the window again",
        Duration::from_secs(10),
        || async { shown_windows("Vigie") == 1 },
    )
    .await;
    assert_eq!(
        ui.prop("onboarding-brand", "value").await,
        "Maison Lumen",
        "the typed text is still there"
    );

    // 2. Nothing to lose (a fresh page): closing releases the webview after the delay.
    ui.client.refresh().await.unwrap();
    ui.el("onboarding-step-1").await;
    assert_eq!(ui.prop("onboarding-brand", "value").await, "");
    // Moved and resized first: the rebuilt window must come back where it was, that size.
    ui.client.set_window_rect(70, 50, 1100, 740).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = ui.client.get_window_rect().await.unwrap();
    eprintln!("window rect before closing: {before:?}");
    close_until_released(&ui, pid).await;
    assert_eq!(shown_windows("Vigie"), 0);
    assert_eq!(
        processes::app(),
        Some(pid),
        "the app keeps running without a window"
    );

    // A second launch builds the window again, with a new web process.
    second_launch();
    ui.until(
        "a second launch builds the window again",
        Duration::from_secs(20),
        || async { shown_windows("Vigie") == 1 && processes::web_processes(pid).len() == 1 },
    )
    .await;
    assert_eq!(processes::app(), Some(pid), "still the same app");

    // The rebuilt window runs the UI: WebDriver follows it (same label, same automation).
    let handles = ui.client.windows().await.unwrap_or_default();
    eprintln!("window handles after the rebuild: {handles:?}");
    if let Some(h) = handles.last() {
        ui.client.switch_to_window(h.clone()).await.unwrap();
    }
    ui.el("onboarding-step-1").await;
    let after = ui.client.get_window_rect().await.unwrap();
    eprintln!("window rect after the rebuild: {after:?}");
    assert_eq!(
        (after.2, after.3),
        (before.2, before.3),
        "the window comes back at its size"
    );
    assert_eq!(
        (after.0, after.1),
        (before.0, before.1),
        "the window comes back at its place"
    );
    let _ = ui.client.close().await;
}

#[tokio::test]
async fn a_notification_click_builds_a_released_window_on_its_watch() {
    let app = app_binary().expect("VIGIE_E2E_APP is not set: run scripts/e2e.sh");
    // A real notification daemon on this session bus and display.
    let dunst = Dunst::start();
    let nginx = Nginx::start();
    nginx.put("spike.xml", spike_feed());
    let data = tempfile::tempdir().unwrap();
    let driver = TauriDriver::start_with(data.path(), &[("VIGIE_RELEASE_AFTER_SECS", "1")]);
    let ui = Ui::connect(&driver, &app).await;
    let pid = processes::app().expect("one vigie-desktop process");

    // A watch on a feed whose posts will raise its level; then the window is closed at once,
    // so the level rises and the notification arrives with the window gone or going.
    ui.onboard("Danone", "danone", &nginx.url("spike.xml"), None)
        .await;
    ui.el("nav-dashboard").await;
    close_until_released(&ui, pid).await;
    ui.until(
        "the level's notification is displayed",
        Duration::from_secs(90),
        || async { dunst.displayed() > 0 },
    )
    .await;
    assert_eq!(shown_windows("Vigie"), 0, "no window before the click");

    // The click builds the window again, on the watch's mentions.
    dunst.click_newest();
    ui.until(
        "the click shows a window",
        Duration::from_secs(20),
        || async { shown_windows("Vigie") == 1 },
    )
    .await;
    let mut url = String::new();
    for _ in 0..100 {
        if let Some(h) = ui.client.windows().await.unwrap_or_default().last() {
            let _ = ui.client.switch_to_window(h.clone()).await;
            url = ui
                .client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            if url.contains("#/mentions?watch=") {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        url.contains("#/mentions?watch="),
        "the rebuilt window opens on the watch's mentions: {url}"
    );
    ui.el("mention-row").await;

    let _ = ui.client.close().await;
    drop(driver);
}

/// Closes the window (WM_DELETE_WINDOW) and waits until its webview is released: the app's
/// web process has ended.
async fn close_until_released(ui: &Ui, pid: u32) {
    close_window("Vigie");
    ui.until(
        "the closed window's web process ends",
        Duration::from_secs(30),
        || async { processes::web_processes(pid).is_empty() },
    )
    .await;
}
