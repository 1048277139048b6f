//! The real app, end to end, with a second laptop played by the `vigie` command on its own data
//! folder: the author creates an identity in the app (low autonomy, so the default policy asks
//! for one validator), both sides exchange their team files (the app's export/import text areas,
//! the CLI's `team import`/`team export`), a draft for alice on snac2 is written in the app and
//! its approval requested; the gate refuses to publish it; the validator approves the request
//! with the CLI; the approval is pasted in the app's inbox; the draft then goes through the
//! composer and its confirmation: exactly one status on the server, the approval spent. Then a
//! playbook statement becomes a draft, and the audit log verifies as intact. Screenshots 12–15
//! go to docs/screenshots/. Run it with scripts/e2e.sh (it builds the app and the CLI, and
//! provides a display and an unlocked keyring shared by both "laptops").

use fantoccini::Locator;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use vigie_e2e::{app_binary, css_id, statuses_text, TauriDriver, Ui};
use vigie_testkit::Snac;

const TEXT: &str =
    "Le lot 42 est rappelé par précaution. Toutes les informations sur notre site. #Acme";

/// Pastes `value` into a text area (or chooses it in a select), as the keyboard would: the
/// value is set and the UI is told with input/change events. Multi-line blocks go in whole.
async fn paste(ui: &Ui, testid: &str, value: &str) {
    ui.el(testid).await;
    let done = ui
        .client
        .execute(
            "const e = document.querySelector(arguments[0]); if (!e) return false; \
             e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', { bubbles: true })); \
             e.dispatchEvent(new Event('change', { bubbles: true })); return true;",
            vec![serde_json::json!(css_id(testid)), serde_json::json!(value)],
        )
        .await
        .unwrap_or(serde_json::Value::Bool(false));
    assert_eq!(
        done,
        serde_json::json!(true),
        "could not paste into {testid}"
    );
}

/// Scrolls the card (section or article) holding this element to the top of the screen.
async fn scroll_to(ui: &Ui, testid: &str) {
    ui.el(testid).await;
    let _ = ui
        .client
        .execute(
            "const e = document.querySelector(arguments[0]); \
             const c = e && (e.closest('article, section') || e); if (c) c.scrollIntoView({ block: 'start' });",
            vec![serde_json::json!(css_id(testid))],
        )
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// Waits until the element's DOM property has this value.
async fn until_prop(ui: &Ui, what: &str, testid: &str, js_prop: &str, want: serde_json::Value) {
    ui.until(what, Duration::from_secs(30), || async {
        ui.prop(testid, js_prop).await == want
    })
    .await;
}

/// A text area's value, once it is not empty.
async fn block(ui: &Ui, testid: &str) -> String {
    ui.until(testid, Duration::from_secs(30), || async {
        ui.prop(testid, "value")
            .await
            .as_str()
            .is_some_and(|v| !v.trim().is_empty())
    })
    .await;
    ui.prop(testid, "value")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The `vigie` command: VIGIE_E2E_CLI (set by scripts/e2e.sh), else next to the app binary.
fn cli_binary(app: &Path) -> PathBuf {
    std::env::var_os("VIGIE_E2E_CLI")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| app.with_file_name("vigie"))
}

/// Runs the validator's `vigie` on its own data folder; panics with its stderr on failure.
fn validator(cli: &Path, data: &Path, args: &[&str]) -> String {
    let o = Command::new(cli)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} could not run ({e}): build it with `cargo build -p vigie-cli`",
                cli.display()
            )
        });
    assert!(
        o.status.success(),
        "vigie {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test]
async fn draft_request_approval_from_another_laptop_then_publish_once() {
    let app = app_binary().expect(
        "VIGIE_E2E_APP is not set: run scripts/e2e.sh (it builds the app and provides a display and a keyring)",
    );
    let cli = cli_binary(&app);
    let snac = Snac::start().await;
    let host = format!("localhost:{}", snac.port);
    let data = tempfile::tempdir().unwrap();
    let legal = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let file = |name: &str| files.path().join(name);
    let driver = TauriDriver::start(data.path());
    let ui = Ui::connect(&driver, &app).await;
    ui.el("onboarding-step-1").await;

    // A short undo window.
    ui.click("nav-settings").await;
    until_prop(
        &ui,
        "publish settings loaded",
        "settings-undo-secs",
        "disabled",
        serde_json::json!(false),
    )
    .await;
    ui.fill("settings-undo-secs", "4").await;
    ui.click("settings-publish-save").await;
    ui.until("the undo window saved", Duration::from_secs(10), || async {
        ui.client.find(Locator::Css(".toast-ok")).await.is_ok()
    })
    .await;

    // My identity, with low autonomy: every post of mine needs one validator.
    ui.click("nav-team").await;
    ui.fill("identity-name", "Camille").await;
    ui.fill("identity-roles", "communication").await;
    paste(&ui, "identity-autonomy", "low").await;
    ui.click("identity-create").await;
    ui.until("my identity created", Duration::from_secs(30), || async {
        ui.text("me-name").await == "Camille"
    })
    .await;
    assert_eq!(
        ui.attr("me-autonomy", "data-autonomy").await.as_deref(),
        Some("low")
    );
    let my_key = ui.text("me-key").await;
    assert!(!my_key.is_empty());

    // The validator's laptop: its own identity, with the legal role.
    validator(
        &cli,
        legal.path(),
        &["team", "init", "--name", "Maître Durand", "--role", "legal"],
    );

    // Team files both ways: the app's export goes to the CLI, the CLI's export is pasted in the app.
    ui.click("roster-export").await;
    let mine = block(&ui, "roster-export-text").await;
    assert!(mine.contains(&my_key), "{mine}");
    std::fs::write(file("camille.toml"), &mine).unwrap();
    validator(
        &cli,
        legal.path(),
        &["team", "import", &file("camille.toml").to_string_lossy()],
    );
    validator(
        &cli,
        legal.path(),
        &["team", "export", &file("durand.toml").to_string_lossy()],
    );
    paste(
        &ui,
        "roster-import-text",
        &std::fs::read_to_string(file("durand.toml")).unwrap(),
    )
    .await;
    ui.click("roster-import").await;
    ui.until(
        "the validator in my roster",
        Duration::from_secs(30),
        || async { ui.all("roster-row").await.len() == 2 },
    )
    .await;
    let roster = ui.prop("roster-list", "textContent").await;
    assert!(
        roster.as_str().unwrap_or("").contains("Maître Durand")
            && roster.as_str().unwrap_or("").contains("legal"),
        "{roster}"
    );

    // A brand profile holding alice, connected with her token.
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
    ui.fill("connect-mastodon-server", &snac.url()).await;
    ui.fill("connect-mastodon-handle", "alice").await;
    ui.fill("connect-mastodon-token", &snac.token).await;
    ui.click("connect-mastodon-token-submit").await;
    ui.until("alice connected", Duration::from_secs(40), || async {
        ui.all("account-row").await.len() == 1
    })
    .await;

    // A draft with alice's variant: counter, what the policy asks, then a saved version.
    ui.click("nav-drafts").await;
    ui.fill("draft-title", "Rappel du lot 42").await;
    ui.click("draft-create").await;
    ui.el("draft-variant").await;
    ui.fill("variant-text", TEXT).await;
    until_prop(
        &ui,
        "the save button",
        "variant-save",
        "disabled",
        serde_json::json!(false),
    )
    .await;
    ui.click("variant-save").await;
    ui.until("version 1 saved", Duration::from_secs(30), || async {
        ui.attr("variant-version", "data-version").await.as_deref() == Some("1")
    })
    .await;
    ui.until("the counter", Duration::from_secs(20), || async {
        ui.text("variant-counter").await.ends_with("/ 100000")
    })
    .await;
    ui.until("the requirement", Duration::from_secs(20), || async {
        ui.attr("variant-requirement", "data-approvals")
            .await
            .as_deref()
            == Some("1")
    })
    .await;
    assert!(
        ui.text("variant-requirement").await.contains("1"),
        "needs one approval"
    );
    ui.fill("comment-input", "Relu avec le service client.")
        .await;
    ui.click("comment-add").await;
    ui.until("the comment", Duration::from_secs(20), || async {
        ui.text("comment-text").await == "Relu avec le service client."
    })
    .await;

    // Ask for approval: a signed block to copy.
    until_prop(
        &ui,
        "the request button",
        "variant-request",
        "disabled",
        serde_json::json!(false),
    )
    .await;
    ui.click("variant-request").await;
    let request = block(&ui, "variant-request-block").await;
    assert!(
        request.contains("-----BEGIN VIGIE APPROVAL REQUEST-----"),
        "{request}"
    );
    std::fs::write(file("request.txt"), &request).unwrap();
    ui.no_toasts().await;
    scroll_to(&ui, "draft-variant").await;
    ui.screenshot("12-drafts").await;

    // Not approved yet: the confirmation is refused by the gate, in words.
    ui.click("variant-publish").await;
    ui.until(
        "the composer filled from the draft",
        Duration::from_secs(20),
        || async { ui.prop("compose-text", "value").await == serde_json::json!(TEXT) },
    )
    .await;
    ui.el("compose-from-draft").await;
    ui.until(
        "the composer's requirement",
        Duration::from_secs(20),
        || async {
            ui.attr("compose-requirement", "data-approvals")
                .await
                .as_deref()
                == Some("1")
        },
    )
    .await;
    until_prop(
        &ui,
        "the review button",
        "compose-review",
        "disabled",
        serde_json::json!(false),
    )
    .await;
    ui.click("compose-review").await;
    ui.click("confirm-publish").await;
    ui.until("the gate's refusal", Duration::from_secs(20), || async {
        !ui.text("confirm-error").await.is_empty()
    })
    .await;
    // Worded by the UI in its language from the refusal's data (the engine's own English
    // words say "not approved for …: 1 approval(s) needed (…), 0 given").
    let refusal = ui.text("confirm-error").await;
    assert!(
        refusal.contains("1 validation nécessaire (auteur sans autonomie : un validateur)")
            || refusal.contains("1 approval needed (author without autonomy: one validator)"),
        "{refusal}"
    );
    ui.click("confirm-cancel").await;
    assert!(statuses_text(&snac).await.is_empty());

    // The validator reads exactly what would go out, and signs as legal.
    let shown = validator(
        &cli,
        legal.path(),
        &["approval", "review", &file("request.txt").to_string_lossy()],
    );
    assert!(
        shown.contains("Le lot 42") && shown.contains(&format!("@alice@{host}")),
        "{shown}"
    );
    validator(
        &cli,
        legal.path(),
        &[
            "approval",
            "approve",
            &file("request.txt").to_string_lossy(),
            "--role",
            "legal",
            "--valid",
            "2h",
            "--out",
            &file("approval.txt").to_string_lossy(),
        ],
    );
    let approval = std::fs::read_to_string(file("approval.txt")).unwrap();

    // The inbox: my own request shows what it asks (and that I cannot approve it)…
    ui.click("nav-approvals").await;
    paste(&ui, "inbox-request-text", &request).await;
    ui.click("inbox-review").await;
    ui.el("inbox-own-request").await;
    assert_eq!(ui.text("inbox-request-content").await, TEXT);
    assert_eq!(
        ui.text("inbox-request-handle").await,
        format!("@alice@{host}")
    );
    assert_eq!(ui.text("inbox-request-author").await, "Camille");
    assert_eq!(
        ui.attr("inbox-request-level", "data-level")
            .await
            .as_deref(),
        Some("calm")
    );
    // …a tampered approval is refused in plain words…
    let tampered = approval.replacen("-----SIGNATURE-----\n", "-----SIGNATURE-----\nAAAA", 1);
    paste(&ui, "inbox-approval-text", &tampered).await;
    ui.click("inbox-import").await;
    ui.until("the refusal", Duration::from_secs(20), || async {
        !ui.text("inbox-import-error").await.is_empty()
    })
    .await;
    assert!(ui.all("approval-row").await.is_empty());
    // …and the real one is filed.
    paste(&ui, "inbox-approval-text", &approval).await;
    ui.click("inbox-import").await;
    ui.until("the approval filed", Duration::from_secs(20), || async {
        ui.all("approval-row").await.len() == 1
    })
    .await;
    assert!(ui.text("inbox-import-ok").await.contains("Maître Durand"));
    assert_eq!(
        ui.attr("approval-row", "data-status").await.as_deref(),
        Some("valid")
    );
    assert_eq!(ui.text("approval-role").await, "legal");
    ui.no_toasts().await;
    scroll_to(&ui, "inbox-approval-text").await;
    ui.screenshot("13-approval-inbox").await;

    // Back to the draft: approved for this version; publish through the composer, once.
    ui.click("nav-drafts").await;
    ui.click("draft-open").await;
    ui.until(
        "the approval on the draft",
        Duration::from_secs(20),
        || async { ui.text("variant-approvals").await.contains("Maître Durand") },
    )
    .await;
    ui.click("variant-publish").await;
    ui.until(
        "the composer filled from the draft",
        Duration::from_secs(20),
        || async { ui.prop("compose-text", "value").await == serde_json::json!(TEXT) },
    )
    .await;
    until_prop(
        &ui,
        "the review button",
        "compose-review",
        "disabled",
        serde_json::json!(false),
    )
    .await;
    ui.click("compose-review").await;
    assert_eq!(ui.text("confirm-handle").await, format!("@alice@{host}"));
    ui.click("confirm-publish").await;
    ui.until("the post queued", Duration::from_secs(20), || async {
        ui.attr("outbox-item", "data-state").await.as_deref() == Some("queued")
    })
    .await;
    ui.until("the post sent", Duration::from_secs(60), || async {
        ui.attr("outbox-item", "data-state").await.as_deref() == Some("sent")
    })
    .await;
    let statuses = statuses_text(&snac).await;
    assert_eq!(statuses.len(), 1, "exactly one post: {statuses:?}");
    assert!(statuses[0].contains("Le lot 42"), "{statuses:?}");
    ui.click("nav-approvals").await;
    ui.until("the approval spent", Duration::from_secs(20), || async {
        ui.attr("approval-row", "data-status").await.as_deref() == Some("used")
    })
    .await;

    // A playbook pasted in, and a holding statement turned into a draft for alice.
    let toml =
        std::fs::read_to_string(vigie_testkit::repo_root().join("playbooks/rappel-produit.toml"))
            .unwrap();
    ui.click("nav-playbooks").await;
    paste(&ui, "playbook-import-text", &toml).await;
    ui.click("playbook-import").await;
    ui.until(
        "the playbook's statements",
        Duration::from_secs(20),
        || async { ui.all("statement-row").await.len() == 3 },
    )
    .await;
    ui.click("statement-use").await;
    ui.el("use-dialog").await;
    let slots = ui.all("use-slot").await;
    assert_eq!(slots.len(), 3);
    for (slot, value) in slots
        .iter()
        .zip(["Acme", "42", "https://acme.example/rappel"])
    {
        slot.send_keys(value).await.unwrap();
    }
    let filled = "Acme rappelle le lot 42 par précaution. Toutes les informations : https://acme.example/rappel";
    ui.until("the preview", Duration::from_secs(10), || async {
        ui.text("use-preview").await == filled
    })
    .await;
    ui.screenshot("14-playbooks").await;
    ui.click("use-create").await;
    ui.until("the statement's draft", Duration::from_secs(20), || async {
        ui.prop("variant-text", "value").await == serde_json::json!(filled)
    })
    .await;
    assert!(ui.text("draft-origin").await.contains("Rappel produit"));

    // The audit log: everything above, and the chain intact.
    ui.click("nav-audit").await;
    ui.until("audit entries", Duration::from_secs(20), || async {
        ui.all("audit-entry").await.len() > 5
    })
    .await;
    let kinds = ui.prop("audit-list", "textContent").await;
    let kinds = kinds.as_str().unwrap_or("");
    assert!(
        kinds.contains("Post sent") || kinds.contains("Message envoyé"),
        "{kinds}"
    );
    ui.click("audit-verify").await;
    ui.until("the chain verified", Duration::from_secs(20), || async {
        ui.attr("audit-result", "data-state").await.as_deref() == Some("intact")
    })
    .await;
    ui.no_toasts().await;
    ui.screenshot("15-audit").await;
    assert_eq!(
        statuses_text(&snac).await.len(),
        1,
        "still exactly one post"
    );

    ui.client.close().await.unwrap();
    drop(driver);
}
