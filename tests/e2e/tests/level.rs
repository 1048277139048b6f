//! The real app, end to end: a spike feed is served, the watch's level rises on the dashboard,
//! the desktop notification reaches a real notification daemon (dunst, with dbus-monitor as the
//! witness), and clicking it (dunstctl action) opens the watch's mentions in the app. Run it
//! with scripts/e2e.sh (it sets VIGIE_E2E_APP, Xvfb and a private bus).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigie_e2e::{app_binary, spike_feed, Dunst, TauriDriver, Ui};
use vigie_testkit::Nginx;

#[tokio::test]
async fn a_spike_raises_the_level_and_notifies_over_dbus() {
    let app = app_binary().expect("VIGIE_E2E_APP is not set: run scripts/e2e.sh");
    // Witness every Notify call on the session bus.
    let mut monitor = Command::new("dbus-monitor")
        .args([
            "--session",
            "interface='org.freedesktop.Notifications',member='Notify'",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-monitor (dbus package) inside dbus-run-session");
    let seen = Arc::new(Mutex::new(String::new()));
    let out = monitor.stdout.take().unwrap();
    let s = Arc::clone(&seen);
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            s.lock().unwrap().push_str(&line);
            s.lock().unwrap().push('\n');
        }
    });

    // A real notification daemon on this session bus and display.
    let dunst = Dunst::start();

    let nginx = Nginx::start();
    nginx.put("spike.xml", spike_feed());
    let data = tempfile::tempdir().unwrap();
    let driver = TauriDriver::start(data.path());
    let ui = Ui::connect(&driver, &app).await;

    // The first watch (the onboarding's) is about another brand; the spike is about Danone,
    // the second watch, created after the feed's mentions were stored (they are matched to it
    // when it is saved). The notification must open the second one.
    ui.onboard("Evian", "evian", &nginx.url("spike.xml"), None)
        .await;
    ui.click("nav-watches").await;
    ui.click("watch-new").await;
    ui.fill("watch-name", "Danone").await;
    ui.fill("watch-query", "danone").await;
    ui.click("watch-save").await;
    ui.until(
        "the Danone watch saved",
        Duration::from_secs(20),
        || async {
            ui.client
                .current_url()
                .await
                .is_ok_and(|u| u.fragment() == Some("/watches/2"))
        },
    )
    .await;

    // While the user is elsewhere (still in the watch editor), the sidebar follows the level
    // and the alerts centre's menu item counts the change.
    ui.until(
        "the sidebar shows the level rise, away from the dashboard",
        Duration::from_secs(90),
        || async {
            let risen = match ui
                .client
                .find(fantoccini::Locator::Css(
                    "[data-testid=\"nav-highest-level\"]",
                ))
                .await
            {
                Ok(b) => b
                    .attr("class")
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|c| !c.contains("level-calm")),
                Err(_) => false,
            };
            risen && !ui.all("nav-alert-count").await.is_empty()
        },
    )
    .await;
    assert!(ui
        .client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .ends_with("#/watches/2"));

    // The engine polls, the signal pass raises the level, the dashboard shows it.
    ui.click("nav-dashboard").await;
    ui.until(
        "the level rises above calm",
        Duration::from_secs(90),
        || async {
            for b in ui.all("level-badge").await {
                if let Ok(Some(level)) = b.attr("data-level").await {
                    if level == "alert" || level == "crisis" || level == "watch" {
                        return true;
                    }
                }
            }
            false
        },
    )
    .await;
    ui.screenshot("07-level-raised").await;

    // The notification reached the D-Bus notification service, with the explanation.
    ui.until(
        "a Notify call from Vigie",
        Duration::from_secs(30),
        || async {
            let s = seen.lock().unwrap();
            s.contains("\"Vigie\"") && s.contains("Danone")
        },
    )
    .await;
    let calls = seen.lock().unwrap().clone();
    assert!(
        calls.contains("open-watch:"),
        "the notification carries the open-watch action:\n{calls}"
    );

    // The other screens of the issue, with data in them.
    ui.click("nav-alerts").await;
    ui.el("alerts-all").await;
    // Danone's level change is listed, with its explanation and a link to its mentions.
    ui.el("alert-item").await;
    let mut level_change = None;
    for item in ui.all("alert-item").await {
        if item.attr("data-kind").await.ok().flatten().as_deref() == Some("level_changed") {
            level_change = Some(item);
            break;
        }
    }
    let item = level_change.expect("a level change in the alerts centre");
    // It came after the last visit (there was none): marked new.
    assert_eq!(
        item.attr("data-new").await.unwrap().as_deref(),
        Some("true")
    );
    let link = item
        .find(fantoccini::Locator::Css("a.strong-link"))
        .await
        .unwrap();
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.ends_with("#/mentions?watch=2"), "{href}");
    assert_eq!(link.text().await.unwrap(), "Danone");
    let why = item
        .find(fantoccini::Locator::Css(
            "[data-testid=\"alert-explanation\"]",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(why.contains("mentions"), "the explanation: {why}");
    ui.no_toasts().await;
    ui.screenshot("16-alerts").await;
    ui.click("nav-watches").await;
    ui.click("watch-row-name").await;
    ui.el("watch-query").await;
    ui.el("preview-item").await;
    ui.screenshot("17-watch-editor").await;
    ui.click("nav-settings").await;
    ui.el("settings-language").await;
    ui.screenshot("18-settings").await;

    // Clicking the notification opens the watch's mentions.
    ui.click("nav-dashboard").await;
    ui.until(
        "dunst displays the notification",
        Duration::from_secs(20),
        || async { dunst.displayed() > 0 },
    )
    .await;
    dunst.click_newest();
    ui.until(
        "the app shows the Danone watch's mentions after the click",
        Duration::from_secs(20),
        || async {
            ui.client
                .current_url()
                .await
                .is_ok_and(|u| u.fragment() == Some("/mentions?watch=2"))
        },
    )
    .await;
    // The watch's mentions are listed (waits for the first row).
    ui.el("mention-row").await;

    ui.client.close().await.unwrap();
    drop(driver);
    let _ = monitor.kill();
    let _ = monitor.wait();
}
