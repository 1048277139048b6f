//! `vigie levels`, `vigie signals`, `vigie backtest`, and the signal pass settings.

use crate::output::{table_long_last, time};
use crate::run::{print_json, Ctx};
use anyhow::Result;
use std::sync::Arc;
use vigie_engine::notify::DesktopNotifier;
use vigie_engine::signals::{SignalConfig, SignalReport};
use vigie_engine::SignalPass;
use vigie_signals::level::{explain_change, level_label};
use vigie_signals::Lang;

/// The user's language: French when the locale says so, English otherwise.
pub fn user_lang() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_default();
    if locale.starts_with("fr") {
        Lang::Fr
    } else {
        Lang::En
    }
}

pub fn signal_config() -> SignalConfig {
    SignalConfig {
        tz_offset_secs: i64::from(chrono::Local::now().offset().local_minus_utc()),
        lang: user_lang(),
        ..SignalConfig::default()
    }
}

pub fn signal_pass() -> SignalPass {
    SignalPass {
        notifier: Arc::new(DesktopNotifier),
        config: signal_config(),
    }
}

pub fn print_signal_report(s: &SignalReport) -> Result<()> {
    if s.elsewhere {
        outln!("signal pass: another Vigie process on this data folder is running it");
    }
    for (watch, from, to, why) in &s.changes {
        outln!("watch {watch}: {from} → {to}: {why}");
    }
    if s.weak_signals > 0 {
        outln!(
            "{} weak signal(s); {} notification(s) sent",
            s.weak_signals,
            s.notified
        );
    }
    if let Some(e) = &s.notify_error {
        eprintln!("vigie: {e}");
    }
    Ok(())
}

pub fn levels(ctx: &Ctx) -> Result<()> {
    let levels = ctx.store.levels()?;
    let health = ctx.store.health()?;
    if ctx.json {
        return print_json(&serde_json::json!({"levels": levels, "health": health}));
    }
    let lang = user_lang();
    let names: std::collections::HashMap<i64, String> = ctx
        .store
        .watches()?
        .into_iter()
        .map(|w| (w.id, w.name))
        .collect();
    let rows: Vec<Vec<String>> = levels
        .iter()
        .map(|l| {
            vec![
                names.get(&l.watch_id).cloned().unwrap_or_default(),
                level_label(l.level, lang).to_string(),
                l.since
                    .filter(|_| l.level != vigie_domain::Level::Calm)
                    .map(time)
                    .unwrap_or_default(),
                // The end of the last 5-minute bucket the signal pass read: the level and
                // its countdown stand as of then (the next poll brings them up to date).
                l.last_bucket
                    .map(|b| time(b + vigie_engine::signals::BUCKET))
                    .unwrap_or_default(),
                if lang == Lang::Fr {
                    l.explanation_fr.clone()
                } else {
                    l.explanation_en.clone()
                },
            ]
        })
        .collect();
    table_long_last(&["watch", "level", "since", "as of", "why"], &rows)?;
    for (key, value, at) in health {
        outln!("\n{key} ({}): {value}", time(at));
    }
    Ok(())
}

pub fn signals(ctx: &Ctx, watch: Option<&str>, limit: usize) -> Result<()> {
    let watch_id = watch
        .map(|w| ctx.store.find_watch(w))
        .transpose()?
        .map(|w| w.id);
    let mut events: Vec<_> = ctx
        .store
        .events(None, 10_000)?
        .into_iter()
        .filter(|e| matches!(e.kind.as_str(), "weak_signal" | "level_changed"))
        .collect();
    if let Some(id) = watch_id {
        events.retain(|e| e.watch_id == Some(id));
    }
    // Newest first by the time they are about (a level change is dated at its bucket, and
    // may be logged after later weak signals).
    events.sort_by_key(|e| std::cmp::Reverse((e.at, e.id)));
    events.truncate(limit);
    if ctx.json {
        return print_json(&events);
    }
    let lang = user_lang();
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let what = match e.kind.as_str() {
                "level_changed" => format!(
                    "{} → {}",
                    e.data["from"].as_str().unwrap_or(""),
                    e.data["to"].as_str().unwrap_or("")
                ),
                _ => format!("weak signal ({})", e.data["series"].as_str().unwrap_or("")),
            };
            let why = match (e.kind.as_str(), lang) {
                ("level_changed", Lang::Fr) => {
                    e.data["explanation_fr"].as_str().unwrap_or("").to_string()
                }
                ("level_changed", Lang::En) => {
                    e.data["explanation_en"].as_str().unwrap_or("").to_string()
                }
                _ => format!(
                    "{:.0} mentions vs {:.1} usual",
                    e.data["observed"].as_f64().unwrap_or(0.0),
                    e.data["expected"].as_f64().unwrap_or(0.0)
                ),
            };
            vec![
                time(e.at),
                e.watch_id.map(|w| w.to_string()).unwrap_or_default(),
                what,
                why,
            ]
        })
        .collect();
    table_long_last(&["time", "watch", "what", "why"], &rows)?;
    Ok(())
}

pub fn backtest(ctx: &Ctx, watch: &str) -> Result<()> {
    let w = ctx.store.find_watch(watch)?;
    let steps = vigie_engine::signals::backtest(&ctx.store, &w, ctx.now)?;
    let cfg = signal_config();
    let mut out = Vec::new();
    for s in &steps {
        for ws in &s.weak_signals {
            out.push(serde_json::json!({"at": s.evidence.at, "kind": "weak_signal", "series": ws.series, "observed": ws.observation.value, "expected": ws.observation.expected}));
        }
        if let Some(c) = &s.change {
            out.push(serde_json::json!({"at": c.at, "kind": "level_changed", "from": c.from, "to": c.to, "why": explain_change(c.from, c.to, &c.reasons, cfg.lang, cfg.tz_offset_secs)}));
        }
    }
    if ctx.json {
        return print_json(&serde_json::json!({"buckets": steps.len(), "events": out}));
    }
    outln!(
        "{}: {} buckets replayed (at most the last {} days)",
        w.name,
        steps.len(),
        vigie_engine::signals::BACKTEST_MAX_SECS / 86_400
    );
    for e in &out {
        let at = time(e["at"].as_i64().unwrap_or(0));
        match e["kind"].as_str() {
            Some("weak_signal") => outln!(
                "{at}  weak signal ({}): {} mentions vs {:.1} usual",
                e["series"].as_str().unwrap_or(""),
                e["observed"],
                e["expected"].as_f64().unwrap_or(0.0)
            ),
            _ => outln!(
                "{at}  {} → {}: {}",
                e["from"].as_str().unwrap_or(""),
                e["to"].as_str().unwrap_or(""),
                e["why"].as_str().unwrap_or("")
            ),
        }
    }
    Ok(())
}
