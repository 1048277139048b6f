//! Launch → dashboard showing data, through WebDriver (a benchmark, not a test: it measures
//! and prints, it asserts nothing). Run by bench/desktop.sh under Xvfb:
//!   desktop-bench DATA_DIR [RUNS]
//! The clock starts before the WebDriver session is requested (which launches the app) and
//! stops when every watch card of the dashboard has drawn its chart, so the figure includes
//! WebKitWebDriver's own start-up: an upper bound of what a user waits. A second figure starts
//! at the app process's own start (/proc): what a user launching Vigie waits, still including
//! the WebDriver polling that sees the charts.

use std::path::PathBuf;
use std::time::{Duration, Instant};
use vigie_e2e::{app_binary, css_id, processes, TauriDriver, Ui};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let data = PathBuf::from(args.next().expect("usage: desktop-bench DATA_DIR [RUNS]"));
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let app = app_binary().expect("VIGIE_E2E_APP: the app binary");
    let mut times = Vec::new();
    let mut from_process = Vec::new();
    for _ in 0..runs {
        let driver = TauriDriver::start(&data);
        let t0 = Instant::now();
        let ui = Ui::connect(&driver, &app).await;
        let watches = loop {
            let cards = ui
                .client
                .find_all(fantoccini::Locator::Css(&css_id("watch-card")))
                .await
                .unwrap_or_default();
            let charts = ui
                .client
                .find_all(fantoccini::Locator::Css(&format!(
                    "{} canvas",
                    css_id("watch-chart")
                )))
                .await
                .unwrap_or_default();
            if !cards.is_empty() && charts.len() >= cards.len() {
                break cards.len();
            }
            assert!(
                t0.elapsed() < Duration::from_secs(120),
                "the dashboard never showed data"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let secs = t0.elapsed().as_secs_f64();
        let own = processes::app().and_then(processes::age_secs);
        times.push(secs);
        from_process.extend(own);
        eprintln!(
            "launch → dashboard with {watches} watches drawn: {secs:.2} s (from the app process's start: {})",
            own.map_or("?".into(), |s| format!("{s:.2} s"))
        );
        let _ = ui.client.close().await;
        drop(driver);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    times.sort_by(f64::total_cmp);
    from_process.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({
            "launch_to_data_secs": times,
            "median": times[times.len() / 2],
            "from_app_start_secs": from_process,
            "from_app_start_median": from_process.get(from_process.len() / 2),
        })
    );
}
