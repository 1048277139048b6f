//! Launch → dashboard showing data (a benchmark, not a test: it measures and prints, it
//! asserts nothing). Run by bench/desktop.sh under Xvfb:
//!   desktop-bench DATA_DIR [RUNS]
//! Three clocks, all stopping once every watch card of the dashboard has drawn its chart:
//! - `shown`: the page's own clock. The dashboard marks `vigie:dashboard-shown` after the
//!   frame that shows its charts (`performance.mark`); WebDriver only reads the mark
//!   afterwards. Counted from the app process's start (`/proc`), like a user launching Vigie.
//! - `seen`: from the app process's start until WebDriver's polling sees the charts (adds
//!   the polling's own delay).
//! - `driver`: from the WebDriver session request (which launches the app), so it also
//!   counts WebKitWebDriver's start: an upper bound.

use std::path::PathBuf;
use std::time::{Duration, Instant};
use vigie_e2e::{app_binary, css_id, processes, TauriDriver, Ui};

const SHOWN: &str = "vigie:dashboard-shown";

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let data = PathBuf::from(args.next().expect("usage: desktop-bench DATA_DIR [RUNS]"));
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let app = app_binary().expect("VIGIE_E2E_APP: the app binary");
    let (mut shown, mut seen, mut driver_times) = (Vec::new(), Vec::new(), Vec::new());
    // One script per poll: cards, drawn charts, and whether the dashboard marked itself shown.
    let probe = format!(
        "return [document.querySelectorAll('{cards}').length,
                 document.querySelectorAll('{charts} canvas').length,
                 performance.getEntriesByName('{SHOWN}').length];",
        cards = css_id("watch-card"),
        charts = css_id("watch-chart"),
    );
    for _ in 0..runs {
        let driver = TauriDriver::start(&data);
        let t0 = Instant::now();
        let ui = Ui::connect(&driver, &app).await;
        let watches = loop {
            let v = ui.client.execute(&probe, vec![]).await.unwrap_or_default();
            let n = |i: usize| v.get(i).and_then(|x| x.as_u64()).unwrap_or(0);
            if n(0) > 0 && n(1) >= n(0) && n(2) > 0 {
                break n(0);
            }
            assert!(
                t0.elapsed() < Duration::from_secs(120),
                "the dashboard never showed data"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let secs = t0.elapsed().as_secs_f64();
        let own = processes::app().and_then(processes::age_secs);
        let (steps, shown_ms) = timeline(&ui).await;
        driver_times.push(secs);
        seen.extend(own);
        shown.extend(shown_ms.map(|ms| ms / 1000.0));
        eprintln!(
            "launch → dashboard with {watches} watches: shown {} · seen by WebDriver {} · driver clock {secs:.2} s",
            shown_ms.map_or("?".into(), |ms| format!("{:.2} s", ms / 1000.0)),
            own.map_or("?".into(), |s| format!("{s:.2} s"))
        );
        eprintln!("  {steps}");
        let _ = ui.client.close().await;
        drop(driver);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied()
    };
    println!(
        "{}",
        serde_json::json!({
            "shown_median": median(&mut shown),
            "shown_secs": shown,
            "seen_median": median(&mut seen),
            "seen_secs": seen,
            "driver_median": median(&mut driver_times),
            "driver_secs": driver_times,
        })
    );
}

/// Where the launch went, in ms since the app process started: the page's navigation, its
/// paint and load events, and the UI's own `vigie:*` marks (first and last of each kind).
/// Also returns when the dashboard was shown, on the same scale.
async fn timeline(ui: &Ui) -> (String, Option<f64>) {
    let script = r#"
        const nav = performance.getEntriesByType("navigation")[0];
        const out = [["navigation", 0], ["html", nav ? nav.responseEnd : 0],
                     ["DOMContentLoaded", nav ? nav.domContentLoadedEventEnd : 0]];
        for (const e of performance.getEntriesByType("paint")) out.push([e.name, e.startTime]);
        for (const e of performance.getEntriesByType("mark")) out.push([e.name, e.startTime]);
        return [Date.now() - performance.timeOrigin, out];
    "#;
    let Ok(v) = ui.client.execute(script, vec![]).await else {
        return ("(no timeline)".into(), None);
    };
    // The page's time origin, in ms after the app process started. The process's age is
    // read after the script ran, so the origin comes out late, never early: the marks are
    // placed later than they happened, never earlier.
    let app_age = processes::app().and_then(processes::age_secs);
    let since_origin = v[0].as_f64().unwrap_or(0.0);
    let origin = app_age.map(|age| age * 1000.0 - since_origin);
    let mut seen: Vec<(String, f64, f64, usize)> = Vec::new();
    for e in v[1].as_array().into_iter().flatten() {
        let (name, t) = (
            e[0].as_str().unwrap_or("?").to_string(),
            e[1].as_f64().unwrap_or(0.0),
        );
        match seen.iter_mut().find(|s| s.0 == name) {
            Some(s) => {
                s.2 = t;
                s.3 += 1;
            }
            None => seen.push((name, t, t, 1)),
        }
    }
    seen.sort_by(|a, b| a.1.total_cmp(&b.1));
    let at = |t: f64| origin.unwrap_or(0.0) + t;
    let shown = origin.and_then(|o| seen.iter().find(|s| s.0 == SHOWN).map(|s| o + s.1));
    let steps = seen
        .iter()
        .map(|(name, first, last, n)| {
            if *n > 1 {
                format!("{name} ×{n} {:.0}–{:.0}", at(*first), at(*last))
            } else {
                format!("{name} {:.0}", at(*first))
            }
        })
        .collect::<Vec<_>>()
        .join(" · ");
    (steps, shown)
}
