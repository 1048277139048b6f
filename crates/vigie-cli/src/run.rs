//! What each command does: open the store, call one engine or store function, print.

use crate::cli::{Cli, Command, MentionsArgs, SourceAdd, SourceCmd, WatchCmd};
use crate::output::{table, time};
use anyhow::{bail, Context, Result};
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use vigie_domain::{NewWatch, Sensitivity, SourceKind, Thresholds};
use vigie_engine::app::{import_opml_into, opml_of, source_to_add, SourceSpec};
use vigie_engine::bluesky::{credentials_in_use, Bluesky};
use vigie_engine::fetch::{FetchConfig, Http};
use vigie_engine::ingest::save_and_match_watch;
use vigie_engine::poller::health_line;
use vigie_engine::{
    Clock, CycleReport, Engine, PollReport, Poller, PollerConfig, SignalPass, SystemClock,
};
use vigie_secrets::Sensitive;
use vigie_store::{MentionFilter, Store};

pub struct Ctx {
    pub json: bool,
    pub store: Store,
    pub now: i64,
}

pub fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    outln!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// One line of JSON (`vigie run --json`: a line per cycle).
fn json_line<T: serde::Serialize>(v: &T) -> Result<()> {
    outln!("{}", serde_json::to_string(v)?);
    Ok(())
}

pub fn dispatch(cli: Cli) -> Result<()> {
    if let Command::Bench(b) = &cli.command {
        return crate::bench::run(b, cli.json);
    }
    let store = match &cli.data_dir {
        Some(d) => Store::open_in(d),
        None => Store::open_default(),
    }
    .context("could not open Vigie's database")?;
    let mut ctx = Ctx {
        json: cli.json,
        store,
        now: SystemClock.now(),
    };
    match cli.command {
        Command::Watch(w) => watch(&mut ctx, w),
        Command::Source(s) => source(ctx, s),
        Command::Poll { once: _ } => {
            let report = cycle(ctx.store, ctx.now)?;
            print_cycle(ctx.json, &report)?;
            crate::output::sources_failed(&report.poll)
        }
        Command::Run { tick } => run_forever(ctx.store, tick, ctx.json),
        Command::Mentions(m) => mentions(&ctx, m),
        Command::Levels => crate::signals::levels(&ctx),
        Command::Signals { watch, limit } => crate::signals::signals(&ctx, watch.as_deref(), limit),
        Command::Backtest { watch } => crate::signals::backtest(&ctx, &watch),
        Command::Bench(_) => unreachable!("handled above"),
        Command::Profile(c) => crate::publish::profile(ctx, c),
        Command::Account(c) => crate::publish::account(ctx, c),
        Command::Post(a) => crate::publish::post(ctx, a),
        Command::Outbox(c) => crate::publish::outbox(ctx, c),
        Command::KillSwitch { state, reason } => {
            crate::publish::kill_switch(ctx, &state, reason.as_deref())
        }
        Command::Team(c) => crate::team::team(ctx, c),
        Command::Policy(c) => crate::team::policy(ctx, c),
        Command::Draft(c) => crate::team::draft(ctx, c),
        Command::Playbook(c) => crate::team::playbook(ctx, c),
        Command::Approval(c) => crate::team::approval(ctx, c),
        Command::Audit(c) => crate::team::audit(ctx, c),
        Command::PublishSettings {
            undo_secs,
            audience_threshold,
        } => crate::publish::settings(ctx, undo_secs, audience_threshold.as_deref()),
    }
}

/// "watch=2,alert=4,crisis=7" (any subset): the named ones change `base` (the watch's own
/// thresholds when editing, else the defaults), the rest keep their values.
fn parse_thresholds(s: &str, base: Thresholds) -> Result<Thresholds> {
    let mut t = base;
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .with_context(|| format!("thresholds: expected name=value, got {part:?}"))?;
        let v: u32 = v
            .trim()
            .parse()
            .with_context(|| format!("thresholds: {v:?} is not a whole number"))?;
        match k.trim() {
            "watch" => t.watch = v,
            "alert" => t.alert = v,
            "crisis" => t.crisis = v,
            "min_per_hour" => t.min_mentions_per_hour = v,
            "calm_down" => t.calm_down_buckets = v,
            other => bail!(
                "thresholds: unknown {other:?} (use watch, alert, crisis, min_per_hour, calm_down)"
            ),
        }
    }
    t.validate().map_err(anyhow::Error::msg)?;
    Ok(t)
}

fn parse_sensitivity(s: &str) -> Result<Sensitivity> {
    Ok(s.parse::<Sensitivity>()?)
}

fn watch(ctx: &mut Ctx, cmd: WatchCmd) -> Result<()> {
    match cmd {
        WatchCmd::Add {
            name,
            query,
            lang,
            sensitivity,
            disabled,
            sensitive_words,
            thresholds,
        } => {
            let new = NewWatch {
                name,
                query,
                languages: lang,
                sensitivity: parse_sensitivity(&sensitivity)?,
                enabled: !disabled,
                sensitive_words,
                thresholds: thresholds
                    .as_deref()
                    .map(|t| parse_thresholds(t, Thresholds::default()))
                    .transpose()?,
            };
            let reader = ctx.store.reader()?;
            let (w, matched) =
                save_and_match_watch(&mut ctx.store, &reader, None, &new, analyzer(), ctx.now)?;
            if ctx.json {
                print_json(&w)
            } else {
                outln!(
                    "added watch {} (id {}){}",
                    w.name,
                    w.id,
                    matched_words(matched)
                );
                Ok(())
            }
        }
        WatchCmd::List => {
            let ws = ctx.store.watches()?;
            if ctx.json {
                return print_json(&ws);
            }
            let rows = ws
                .iter()
                .map(|w| {
                    vec![
                        w.id.to_string(),
                        w.name.clone(),
                        w.query.clone(),
                        w.languages.join(","),
                        w.sensitivity.to_string(),
                        if w.enabled { "yes" } else { "no" }.into(),
                    ]
                })
                .collect::<Vec<_>>();
            table(
                &["id", "name", "query", "languages", "sensitivity", "enabled"],
                &rows,
            )?;
            Ok(())
        }
        WatchCmd::Edit {
            watch,
            name,
            query,
            lang,
            sensitivity,
            enable,
            disable,
            sensitive_words,
            thresholds,
        } => {
            let w = ctx.store.find_watch(&watch)?;
            let new = NewWatch {
                sensitive_words: sensitive_words.unwrap_or(w.sensitive_words),
                thresholds: match thresholds.as_deref() {
                    Some("default") => None,
                    // Only what is named changes: a niche watch's minimum per hour is not
                    // reset by an edit of its crisis threshold.
                    Some(t) => Some(parse_thresholds(t, w.thresholds.unwrap_or_default())?),
                    None => w.thresholds,
                },
                name: name.unwrap_or(w.name),
                query: query.unwrap_or(w.query),
                languages: lang.unwrap_or(w.languages),
                sensitivity: match sensitivity {
                    Some(s) => parse_sensitivity(&s)?,
                    None => w.sensitivity,
                },
                enabled: if enable {
                    true
                } else if disable {
                    false
                } else {
                    w.enabled
                },
            };
            let reader = ctx.store.reader()?;
            let (w, matched) = save_and_match_watch(
                &mut ctx.store,
                &reader,
                Some(w.id),
                &new,
                analyzer(),
                ctx.now,
            )?;
            if ctx.json {
                print_json(&w)
            } else {
                outln!(
                    "updated watch {} (id {}){}",
                    w.name,
                    w.id,
                    matched_words(matched)
                );
                Ok(())
            }
        }
        WatchCmd::Rm { watch } => {
            let w = ctx.store.find_watch(&watch)?;
            ctx.store.remove_watch(w.id)?;
            if ctx.json {
                print_json(&serde_json::json!({"removed": w.id}))
            } else {
                outln!("removed watch {}", w.name);
                Ok(())
            }
        }
    }
}

fn read_app_password() -> Result<Sensitive<String>> {
    if let Ok(p) = std::env::var("VIGIE_BLUESKY_APP_PASSWORD") {
        if !p.is_empty() {
            return Ok(Sensitive::new(p));
        }
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the app password from stdin")?;
    let line = line.trim().to_string();
    if line.is_empty() {
        bail!("no app password given: set VIGIE_BLUESKY_APP_PASSWORD or type it on stdin (create one in Bluesky's settings → App passwords)");
    }
    Ok(Sensitive::new(line))
}

fn source(mut ctx: Ctx, cmd: SourceCmd) -> Result<()> {
    match cmd {
        SourceCmd::Add(a) => source_add(&mut ctx, a),
        SourceCmd::List => {
            let all = ctx.store.sources()?;
            if ctx.json {
                let v: Vec<_> = all.iter().map(|(s, st)| serde_json::json!({"source": s, "state": st, "health": health_line(st, ctx.now)})).collect();
                return print_json(&v);
            }
            let rows = all
                .iter()
                .map(|(s, st)| {
                    vec![
                        s.id.to_string(),
                        s.kind.kind_str().into(),
                        if s.title.is_empty() {
                            s.kind.describe()
                        } else {
                            s.title.clone()
                        },
                        s.kind.describe(),
                        health_line(st, ctx.now),
                    ]
                })
                .collect::<Vec<_>>();
            table(&["id", "kind", "title", "where", "health"], &rows)?;
            for (key, value, at) in ctx.store.health()? {
                outln!("\n{key} ({}): {value}", time(at));
            }
            Ok(())
        }
        SourceCmd::Rm { source } => {
            let (s, _) = ctx.store.find_source(&source)?;
            ctx.store.remove_source(s.id)?;
            if let SourceKind::BlueskySearch {
                service, handle, ..
            } = &s.kind
            {
                let left = ctx.store.sources()?;
                if !credentials_in_use(service, handle, left.iter().map(|(s, _)| &s.kind)) {
                    Bluesky::default()
                        .remove_stored(service, handle)
                        .context("the source is removed, but its app password could not be removed from the OS keychain")?;
                }
            }
            if ctx.json {
                print_json(&serde_json::json!({"removed": s.id}))
            } else {
                outln!("removed source {}", s.kind.describe());
                Ok(())
            }
        }
        SourceCmd::Check { source } => {
            let (s, _) = ctx.store.find_source(&source)?;
            let report = poll_one(ctx.store, s.id, ctx.now)?;
            print_report(ctx.json, &report)?;
            if let Some((_, e)) = report.errors.iter().find(|(id, _)| *id == s.id) {
                bail!(
                    "source {} failed: {}",
                    crate::output::printable(&s.kind.describe()),
                    crate::output::printable(e)
                );
            }
            Ok(())
        }
        SourceCmd::ImportOpml { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let text = vigie_engine::feed::xml_text(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let r = import_opml_into(&mut ctx.store, &text, 900, ctx.now)?;
            if ctx.json {
                print_json(&r)
            } else {
                outln!(
                    "imported {} feeds ({} already present, {} skipped)",
                    r.added,
                    r.already_present,
                    r.skipped.len()
                );
                for f in &r.skipped {
                    outln!(
                        "  skipped {}: {}",
                        crate::output::printable(&f.url),
                        f.reason
                    );
                }
                Ok(())
            }
        }
        SourceCmd::ExportOpml { file } => {
            let doc = opml_of(&ctx.store)?;
            match file {
                Some(f) => {
                    std::fs::write(&f, doc).with_context(|| format!("writing {}", f.display()))?
                }
                None => out!("{doc}"),
            }
            Ok(())
        }
    }
}

fn source_add(ctx: &mut Ctx, a: SourceAdd) -> Result<()> {
    if a.interval < 60 {
        bail!("--interval is in seconds and must be at least 60: publishers do not like being polled faster");
    }
    let spec = if let Some(instance) = a.mastodon {
        SourceSpec::MastodonTag {
            instance,
            tag: a.tag.unwrap_or_default(),
        }
    } else if let Some(service) = a.bluesky {
        // Checked before the password is asked for.
        vigie_engine::publish::check_server(service.trim().trim_end_matches('/'))?;
        SourceSpec::BlueskySearch {
            service,
            handle: a.handle.unwrap_or_default(),
            query: a.query.unwrap_or_default(),
            app_password: Some(read_app_password()?),
        }
    } else if let Some(url) = a.url {
        SourceSpec::Feed { url, title: None }
    } else {
        bail!("give a feed URL, or --mastodon INSTANCE --tag TAG, or --bluesky SERVICE --handle H --query Q");
    };
    // The app's path: a web page's address becomes the feed it announces (autodiscovery),
    // a Bluesky app password goes to the OS keychain.
    let (title, kind) = runtime()?.block_on(source_to_add(spec, &Bluesky::default(), ctx.now))?;
    let title = a.title.unwrap_or(title);
    let s = ctx.store.add_source(&title, &kind, a.interval, ctx.now)?;
    if ctx.json {
        print_json(&s)
    } else {
        outln!(
            "added source {} (id {}); first check at the next poll",
            s.kind.describe(),
            s.id
        );
        Ok(())
    }
}

/// The tonality analyser a watch's matching is set up with (matching itself does not use it).
fn analyzer() -> Arc<vigie_tonality::Analyzer> {
    Arc::new(vigie_tonality::Analyzer::new())
}

/// "; it matches N mentions stored over the last 14 days", when the watch was matched again.
fn matched_words(matched: Option<usize>) -> String {
    match matched {
        Some(n) => format!(
            "; it matches {n} mention{} stored over the last 14 days",
            if n == 1 { "" } else { "s" }
        ),
        None => String::new(),
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn poller(store: Store) -> Arc<Poller> {
    Arc::new(Poller::new(
        Arc::new(Mutex::new(store)),
        Http::new(FetchConfig::default()),
        Arc::new(Bluesky::default()),
        PollerConfig::default(),
    ))
}

/// Polls one source only (others due wait for their cycle), then the signal pass.
fn poll_one(store: Store, id: i64, now: i64) -> Result<PollReport> {
    let rt = runtime()?;
    let p = poller(store);
    let pass = crate::signals::signal_pass();
    Ok(rt
        .block_on(SignalPass::check_source(Some(&pass), &p, id, now))
        .map_err(anyhow::Error::msg)?
        .poll)
}

/// One poll cycle followed by the signal pass (desktop notifications included).
fn cycle(store: Store, now: i64) -> Result<CycleReport> {
    let rt = runtime()?;
    let p = poller(store);
    let pass = crate::signals::signal_pass();
    rt.block_on(SignalPass::cycle(Some(&pass), &p, now))
        .map_err(anyhow::Error::msg)
}

fn print_cycle(json: bool, r: &CycleReport) -> Result<()> {
    if json {
        return print_json(r);
    }
    print_report(false, &r.poll)?;
    if let Some(s) = &r.signals {
        crate::signals::print_signal_report(s)?;
    }
    Ok(())
}

fn print_report(json: bool, r: &PollReport) -> Result<()> {
    if json {
        return print_json(r);
    }
    outln!(
        "checked {} sources: {} new mentions, {} duplicates, {} not modified, {} failed",
        r.checked,
        r.new_mentions,
        r.duplicates,
        r.not_modified,
        r.failed
    );
    for (id, e) in &r.errors {
        outln!("  source {id}: {}", crate::output::printable(e));
    }
    Ok(())
}

/// Polls until Ctrl-C or SIGTERM (a service manager's stop), then stops cleanly. With
/// `--json`, each cycle that did something is one line of JSON.
fn run_forever(store: Store, tick: u64, json: bool) -> Result<()> {
    let rt = runtime()?;
    // The outbox is delivered too (its own connection to the same file).
    let publisher = crate::publish::publisher(Store::open(store.path())?)?;
    rt.block_on(async move {
        let mut term = terminate_signal()?;
        let delivery = publisher.start(std::time::Duration::from_secs(1));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let engine = Engine::start(
            poller(store),
            Some(crate::signals::signal_pass()),
            Arc::new(SystemClock),
            std::time::Duration::from_secs(tick.max(1)),
            tx,
        );
        eprintln!("vigie: listening (Ctrl-C to stop)");
        // A failed write (the reader of `--json` lines went away) stops the loop; the engine
        // and the delivery are stopped cleanly all the same.
        let mut result = Ok(());
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                _ = term.recv() => break,
                r = rx.recv() => match r {
                    Some(Ok(rep)) if rep.poll.checked > 0 || rep.signals.as_ref().is_some_and(|s| !s.changes.is_empty()) => {
                        result = if json {
                            json_line(&rep)
                        } else {
                            print_cycle(false, &rep)
                        };
                        if result.is_err() {
                            break;
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => eprintln!("vigie: poll failed: {e}"),
                    None => break,
                },
            }
        }
        engine.stop().await;
        delivery.stop().await;
        eprintln!("vigie: stopped cleanly");
        // Not a reader that had enough: a service whose log went away must be restarted.
        result.map_err(|e| {
            if e.is::<crate::output::StdoutClosed>() {
                anyhow::anyhow!("the output of `vigie run` was closed, so it stopped listening: write it to a file, or keep its reader open")
            } else {
                e
            }
        })
    })
}

/// SIGTERM, as a service manager stops a process.
#[cfg(unix)]
fn terminate_signal() -> Result<tokio::signal::unix::Signal> {
    Ok(tokio::signal::unix::signal(
        tokio::signal::unix::SignalKind::terminate(),
    )?)
}

/// Elsewhere there is no SIGTERM: Ctrl-C only.
#[cfg(not(unix))]
fn terminate_signal() -> Result<NeverSignal> {
    Ok(NeverSignal)
}

#[cfg(not(unix))]
struct NeverSignal;

#[cfg(not(unix))]
impl NeverSignal {
    async fn recv(&mut self) -> Option<()> {
        std::future::pending().await
    }
}

fn mentions(ctx: &Ctx, m: MentionsArgs) -> Result<()> {
    let watch_id = m
        .watch
        .as_deref()
        .map(|w| ctx.store.find_watch(w))
        .transpose()?
        .map(|w| w.id);
    let since = m
        .since
        .as_deref()
        .map(|s| crate::since::parse_since(s, ctx.now))
        .transpose()?;
    let tonality = m
        .tonality
        .as_deref()
        .map(str::parse::<vigie_domain::ToneLabel>)
        .transpose()?;
    let list = ctx.store.mentions(&MentionFilter {
        watch_id,
        search: m.search,
        since,
        tonality,
        limit: m.limit,
        ..Default::default()
    })?;
    if ctx.json {
        return print_json(&list);
    }
    let rows = list
        .iter()
        .map(|x| {
            vec![
                x.id.to_string(),
                time(x.published_at),
                x.author.clone().unwrap_or_default(),
                x.tonality.map_or("-".to_string(), |t| {
                    format!(
                        "{}{}",
                        t.label.as_str(),
                        if t.anger { " (anger)" } else { "" }
                    )
                }),
                x.title.clone(),
                x.url.clone().unwrap_or_default(),
            ]
        })
        .collect::<Vec<_>>();
    table(
        &["id", "published", "author", "tone", "title", "url"],
        &rows,
    )?;
    Ok(())
}
