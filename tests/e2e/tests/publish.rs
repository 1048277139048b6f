//! The real app, end to end, publishing to a real Mastodon API (snac2 on 127.0.0.1) with the
//! token in the real Secret Service: a brand profile allowing alice, alice connected with a
//! pasted token, a post composed, confirmed in the dialog, held for the undo window, then sent:
//! exactly one status on the server and "sent" in the outbox. Then the kill switch: a second
//! post is held (nothing reaches the server) and cancelled. Screenshots go to docs/screenshots/.
//! Run it with scripts/e2e.sh (it sets VIGIE_E2E_APP and starts an unlocked gnome-keyring).

use fantoccini::Locator;
use std::time::Duration;
use vigie_e2e::{app_binary, statuses_text, TauriDriver, Ui};
use vigie_testkit::Snac;

const FIRST: &str =
    "Point d'étape : le lot 42 est rappelé par précaution. Nous répondons à chacun. #Acme";
const SECOND: &str = "Ce message ne doit jamais partir.";

#[tokio::test]
async fn connect_compose_confirm_and_the_post_is_on_the_server_once() {
    let app = app_binary().expect(
        "VIGIE_E2E_APP is not set: run scripts/e2e.sh (it builds the app and provides a display and a keyring)",
    );
    let snac = Snac::start().await;
    let host = format!("localhost:{}", snac.port);
    let data = tempfile::tempdir().unwrap();
    let driver = TauriDriver::start(data.path());
    let ui = Ui::connect(&driver, &app).await;

    // First run: the onboarding shows, the chrome says there is no publishing profile yet.
    ui.el("onboarding-step-1").await;
    assert_eq!(
        ui.attr("profile-indicator", "data-kind").await.as_deref(),
        Some("none")
    );

    // A short undo window, so the test sees the countdown and then the post leave.
    ui.click("nav-settings").await;
    ui.until(
        "publish settings loaded",
        Duration::from_secs(20),
        || async { ui.prop("settings-undo-secs", "disabled").await == serde_json::json!(false) },
    )
    .await;
    ui.fill("settings-undo-secs", "6").await;
    ui.click("settings-publish-save").await;
    ui.until("the undo window saved", Duration::from_secs(10), || async {
        ui.client.find(Locator::Css(".toast-ok")).await.is_ok()
    })
    .await;

    // A brand profile that may hold alice only.
    ui.click("nav-accounts").await;
    ui.fill("profile-name", "Acme").await;
    ui.click("profile-kind-brand").await;
    ui.fill("profile-allowed", &format!("@alice@{host}")).await;
    ui.click("profile-create").await;
    ui.until(
        "the brand profile is active",
        Duration::from_secs(20),
        || async { ui.attr("profile-indicator", "data-kind").await.as_deref() == Some("brand") },
    )
    .await;
    let shown = ui.prop("profile-indicator", "textContent").await;
    assert!(shown.as_str().unwrap_or("").contains("Acme"), "{shown}");

    // Connect alice by pasting her token, saying which account we expect.
    ui.fill("connect-mastodon-server", &snac.url()).await;
    ui.fill("connect-mastodon-handle", "alice").await;
    ui.fill("connect-mastodon-token", &snac.token).await;
    ui.click("connect-mastodon-token-submit").await;
    ui.until("alice connected", Duration::from_secs(40), || async {
        ui.all("account-row").await.len() == 1
    })
    .await;
    assert_eq!(ui.text("account-handle").await, format!("@alice@{host}"));
    assert_eq!(
        ui.prop("connect-mastodon-token", "value").await,
        serde_json::json!(""),
        "the token field is cleared"
    );
    ui.until(
        "the credential is in the keychain",
        Duration::from_secs(20),
        || async { ui.attr("account-credential", "data-set").await.as_deref() == Some("true") },
    )
    .await;
    ui.no_toasts().await;
    ui.screenshot("08-accounts").await;

    // Compose: the engine's counter, then the confirmation dialog naming alice.
    ui.click("nav-compose").await;
    ui.fill("compose-text", FIRST).await;
    ui.until(
        "the counter and the review button",
        Duration::from_secs(20),
        || async {
            // "12 / 100 000": the UI's language groups the digits.
            ui.text("compose-counter")
                .await
                .replace(char::is_whitespace, "")
                .ends_with("/100000")
                && ui.prop("compose-review", "disabled").await == serde_json::json!(false)
        },
    )
    .await;
    assert_eq!(
        ui.prop("compose-preview-text", "textContent").await,
        serde_json::json!(FIRST)
    );
    ui.click("compose-review").await;
    ui.el("confirm-dialog").await;
    assert_eq!(ui.text("confirm-handle").await, format!("@alice@{host}"));
    assert_eq!(
        ui.attr("confirm-profile", "data-kind").await.as_deref(),
        Some("brand")
    );
    assert_eq!(
        ui.attr("confirm-level", "data-level").await.as_deref(),
        Some("calm")
    );
    assert_eq!(
        ui.attr("confirm-dialog", "data-rule").await.as_deref(),
        Some("click")
    );
    ui.screenshot("09-confirm").await;
    ui.click("confirm-publish").await;

    // The outbox: queued with its countdown, nothing on the server yet, then sent.
    ui.until("the post queued", Duration::from_secs(20), || async {
        ui.attr("outbox-item", "data-state").await.as_deref() == Some("queued")
    })
    .await;
    assert!(
        statuses_text(&snac).await.is_empty(),
        "nothing leaves during the undo window"
    );
    ui.until("the post sent", Duration::from_secs(60), || async {
        ui.attr("outbox-item", "data-state").await.as_deref() == Some("sent")
    })
    .await;
    let statuses = statuses_text(&snac).await;
    assert_eq!(statuses.len(), 1, "exactly one post: {statuses:?}");
    assert!(
        statuses[0].contains("le lot 42"),
        "the text went out: {statuses:?}"
    );
    ui.el("outbox-open").await;
    ui.no_toasts().await;
    ui.screenshot("10-outbox").await;

    // Kill switch: asked for a reason, shown on every screen; a post confirmed now is held.
    ui.click("kill-switch-toggle").await;
    ui.fill("kill-switch-reason", "Rumeur à vérifier avec le juridique")
        .await;
    ui.click("kill-switch-confirm").await;
    ui.el("kill-switch-banner").await;
    ui.click("nav-dashboard").await;
    assert!(ui
        .text("kill-switch-banner")
        .await
        .contains("Rumeur à vérifier"));
    ui.click("nav-compose").await;
    ui.fill("compose-text", SECOND).await;
    ui.until("the review button", Duration::from_secs(20), || async {
        ui.prop("compose-review", "disabled").await == serde_json::json!(false)
    })
    .await;
    ui.click("compose-review").await;
    ui.el("confirm-kill-switch").await;
    ui.click("confirm-publish").await;
    ui.until("the new post held", Duration::from_secs(20), || async {
        ui.attr("outbox-item", "data-held").await.as_deref() == Some("true")
    })
    .await;
    // Past its undo window, it still waits.
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(
        ui.attr("outbox-item", "data-state").await.as_deref(),
        Some("queued")
    );
    assert_eq!(
        statuses_text(&snac).await.len(),
        1,
        "a held post is not sent"
    );
    ui.no_toasts().await;
    ui.screenshot("11-outbox-held").await;
    ui.click("outbox-cancel").await;
    ui.until(
        "the held post cancelled",
        Duration::from_secs(20),
        || async { ui.attr("outbox-item", "data-state").await.as_deref() == Some("cancelled") },
    )
    .await;

    // Resume: the banner goes, and the cancelled post never leaves.
    ui.click("kill-switch-resume").await;
    ui.click("kill-switch-resume-confirm").await;
    ui.until("the banner gone", Duration::from_secs(20), || async {
        ui.all("kill-switch-banner").await.is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        statuses_text(&snac).await.len(),
        1,
        "still exactly one post"
    );

    ui.client.close().await.unwrap();
    drop(driver);
}
