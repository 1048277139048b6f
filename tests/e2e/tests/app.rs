//! The real app, end to end: first-run onboarding creates a watch and adds a feed served by
//! nginx, the engine polls it, mentions appear, search and triage work. Screenshots go to
//! docs/screenshots/. Run it with scripts/e2e.sh (it sets VIGIE_E2E_APP).

use std::time::Duration;
use vigie_e2e::{app_binary, TauriDriver, Ui};
use vigie_testkit::Nginx;

#[tokio::test]
async fn listen_search_and_triage_in_the_real_app() {
    // Not a silent skip: without the app this test fails and says how to run it.
    let app = app_binary().expect(
        "VIGIE_E2E_APP is not set: run scripts/e2e.sh (it builds the app and provides a display)",
    );
    let nginx = Nginx::start();
    let data = tempfile::tempdir().unwrap();
    // A home of its own, set up as a French desktop names its downloads folder.
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("user-dirs.dirs"),
        "XDG_DOWNLOAD_DIR=\"$HOME/Téléchargements\"\n",
    )
    .unwrap();
    let driver = TauriDriver::start_with(
        data.path(),
        &[
            ("HOME", home.path().to_str().unwrap()),
            ("XDG_CONFIG_HOME", config.to_str().unwrap()),
        ],
    );
    let ui = Ui::connect(&driver, &app).await;

    // First run: no watch yet, the onboarding asks for a brand.
    ui.onboard(
        "Danone",
        "danone",
        &nginx.url("rss2.xml"),
        Some("01-onboarding"),
    )
    .await;

    // Adding a source wakes the engine: the mentions the watch matches reach the stream (the
    // feed's third item, about the weather, is no mention of the brand).
    ui.click("nav-mentions").await;
    ui.until(
        "the feed's two Danone mentions",
        Duration::from_secs(60),
        || async {
            if ui.all("mention-row").await.len() >= 2 {
                return true;
            }
            if let Ok(r) = ui
                .client
                .find(fantoccini::Locator::Css(
                    "[data-testid=\"mentions-refresh\"]",
                ))
                .await
            {
                let _ = r.click().await;
            }
            false
        },
    )
    .await;
    ui.screenshot("02-mentions").await;
    for row in ui.all("mention-title").await {
        assert!(row.text().await.unwrap().contains("Danone"));
    }
    // Everything the sources brought, even what no watch matches.
    ui.el("filter-watch")
        .await
        .select_by_value("all")
        .await
        .unwrap();
    ui.until(
        "the feed's three items",
        Duration::from_secs(10),
        || async { ui.all("mention-row").await.len() == 3 },
    )
    .await;

    // The search speaks the watch query language; a mistake says where, instead of nothing.
    ui.fill("mention-search", "meteo OR").await;
    ui.until(
        "the search's mistake shown",
        Duration::from_secs(10),
        || async {
            !ui.all("search-error").await.is_empty() && ui.all("mention-row").await.is_empty()
        },
    )
    .await;
    let said = ui.el("query-error").await.text().await.unwrap();
    assert!(said.contains("Position 9"), "{said}");
    ui.fill("mention-search", "meteo OR boycott").await;
    ui.until(
        "two results for meteo OR boycott",
        Duration::from_secs(10),
        || async {
            ui.all("mention-row").await.len() == 2 && ui.all("search-error").await.is_empty()
        },
    )
    .await;

    // Full-text search, accent-insensitive.
    ui.fill("mention-search", "meteo").await;
    ui.until("one result for meteo", Duration::from_secs(10), || async {
        ui.all("mention-row").await.len() == 1
    })
    .await;
    let title = ui.el("mention-title").await.text().await.unwrap();
    assert!(title.contains("Météo"), "{title}");
    ui.screenshot("03-search").await;

    // Triage: flag the result; the row says so.
    let row = ui.el("mention-row").await;
    row.find(fantoccini::Locator::Css("[data-testid=\"triage-flagged\"]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    ui.until("the mention flagged", Duration::from_secs(10), || async {
        ui.el("mention-row")
            .await
            .attr("data-triage")
            .await
            .ok()
            .flatten()
            .as_deref()
            == Some("flagged")
    })
    .await;

    // The source list shows the feed's health; the dashboard shows the watch.
    ui.click("nav-sources").await;
    ui.el("source-health").await;
    ui.screenshot("04-sources").await;

    // OPML export: the app saves the file in the downloads folder and says where.
    ui.click("opml-export").await;
    let downloads = home.path().join("Téléchargements");
    ui.until("the OPML file saved", Duration::from_secs(15), || async {
        std::fs::read_dir(&downloads).is_ok_and(|d| d.count() == 1)
    })
    .await;
    let saved = std::fs::read_dir(&downloads)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let name = saved.file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("vigie-sources-") && name.ends_with(".opml"),
        "{name}"
    );
    let opml = std::fs::read_to_string(&saved).unwrap();
    assert!(opml.contains(&nginx.url("rss2.xml")), "{opml}");
    ui.until(
        "a toast naming the file",
        Duration::from_secs(10),
        || async {
            match ui.client.find(fantoccini::Locator::Css(".toast-ok")).await {
                Ok(t) => t.text().await.is_ok_and(|t| t.contains(&name)),
                Err(_) => false,
            }
        },
    )
    .await;
    ui.no_toasts().await;
    ui.click("nav-dashboard").await;
    ui.el("watch-card").await;
    ui.screenshot("05-dashboard").await;

    // A hostile feed: its XSS payloads must render as inert text.
    ui.click("nav-sources").await;
    ui.click("source-tab-feed").await;
    ui.fill("source-url", &nginx.url("edge.xml")).await;
    ui.click("source-add").await;
    ui.click("nav-mentions").await;
    ui.fill("mention-search", "xss").await;
    ui.until("the XSS item arrives", Duration::from_secs(60), || async {
        if ui.all("mention-row").await.len() == 1 {
            return true;
        }
        if let Ok(r) = ui
            .client
            .find(fantoccini::Locator::Css(
                "[data-testid=\"mentions-refresh\"]",
            ))
            .await
        {
            let _ = r.click().await;
        }
        false
    })
    .await;
    let title = ui.el("mention-title").await.text().await.unwrap();
    assert!(
        title.contains("<img src=x onerror=alert(1)>"),
        "the payload is shown as text: {title}"
    );
    let injected = ui
        .client
        .execute(
            "return document.querySelectorAll('img[onerror], [data-testid=\"mention-row\"] img, script:not([type=module]), a[href^=\"javascript:\"]').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(injected, serde_json::json!(0), "no element was injected");
    ui.screenshot("06-xss-inert").await;

    // A watch being edited is not lost by a click elsewhere: the app asks first.
    ui.click("nav-watches").await;
    ui.click("watch-row-name").await;
    ui.fill("watch-name", "Danone (modifiée)").await;
    ui.click("nav-dashboard").await;
    ui.el("leave-dialog").await;
    ui.click("leave-stay").await;
    let url = ui.client.current_url().await.unwrap();
    assert!(
        url.fragment().is_some_and(|f| f.starts_with("/watches/")),
        "{url}"
    );
    let kept = ui
        .el("watch-name")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(kept, "Danone (modifiée)");
    ui.click("nav-dashboard").await;
    ui.click("leave-go").await;
    ui.until(
        "the dashboard, changes dropped",
        Duration::from_secs(10),
        || async {
            ui.client
                .current_url()
                .await
                .is_ok_and(|u| u.fragment() == Some("/dashboard"))
        },
    )
    .await;

    ui.client.close().await.unwrap();
    drop(driver);
}
