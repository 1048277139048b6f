//! Publishing from the command line: profiles, accounts, the publish gate, the outbox and the
//! kill switch. The same engine rules as in the app; secrets come from the environment or
//! stdin (never from the command line, which other users can read) and go to the keychain.

use crate::cli::{AccountCmd, OutboxCmd, PostArgs, ProfileCmd};
use crate::output::{table, time};
use crate::run::{print_json, runtime, Ctx};
use anyhow::{bail, Context, Result};
use std::io::{BufRead, IsTerminal, Read};
use std::sync::{Arc, Mutex};
use vigie_domain::publish::{ConfirmRule, Content, PostState, ProfileKind};
use vigie_engine::app::PublishSettings;
use vigie_engine::approvals::{PolicyGate, Team};
use vigie_engine::publish::{ComposeCheck, Confirmation, PublishError, Publisher};
use vigie_engine::{Clock, SystemClock};
use vigie_secrets::Sensitive;
use vigie_store::Store;

/// A publisher over `store`, with the saved publishing settings applied and the team's
/// approval policy as its gate (the same as the app's).
pub fn publisher(store: Store) -> Result<Arc<Publisher>> {
    let settings = PublishSettings::load(&store)?;
    let dir = store
        .path()
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let store = Arc::new(Mutex::new(store));
    let team = Arc::new(Team::new(Arc::clone(&store), Arc::new(SystemClock), ""));
    let p = Publisher::new(
        store,
        &dir,
        Arc::new(SystemClock),
        "",
        Arc::new(PolicyGate::new(team)),
    );
    p.set_config(settings.config());
    Ok(Arc::new(p))
}

fn with_publisher(ctx: Ctx) -> Result<(Arc<Publisher>, bool)> {
    let json = ctx.json;
    Ok((publisher(ctx.store)?, json))
}

fn err(e: PublishError) -> anyhow::Error {
    anyhow::Error::msg(e.to_string())
}

/// A secret from `var`, else the first line of stdin.
fn secret(var: &str, what: &str) -> Result<Sensitive<String>> {
    if let Ok(v) = std::env::var(var) {
        if !v.trim().is_empty() {
            return Ok(Sensitive::new(v.trim().to_string()));
        }
    }
    if std::io::stdin().is_terminal() {
        eprint!("{what}: ");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let line = line.trim().to_string();
    if line.is_empty() {
        bail!("no {what} given: set ${var} or pipe it on stdin");
    }
    Ok(Sensitive::new(line))
}

pub fn profile(ctx: Ctx, cmd: ProfileCmd) -> Result<()> {
    let (p, json) = with_publisher(ctx)?;
    match cmd {
        ProfileCmd::Add {
            name,
            kind,
            colour,
            allow,
        } => {
            let kind: ProfileKind = kind.parse().map_err(anyhow::Error::msg)?;
            let colour = colour.unwrap_or_else(|| kind.default_colour().to_string());
            let profile = p
                .create_profile(&name, kind, &colour, &allow)
                .map_err(err)?;
            if json {
                return print_json(&profile);
            }
            outln!(
                "added {} profile {} (id {})",
                profile.kind.as_str(),
                profile.name,
                profile.id
            );
        }
        ProfileCmd::List => {
            let list = p.profiles().map_err(err)?;
            if json {
                return print_json(&list);
            }
            table(
                &["id", "name", "kind", "colour", "allowed handles"],
                &list
                    .iter()
                    .map(|p| {
                        vec![
                            p.id.to_string(),
                            p.name.clone(),
                            p.kind.as_str().into(),
                            p.colour.clone(),
                            p.allowed_handles.join(", "),
                        ]
                    })
                    .collect::<Vec<_>>(),
            )?;
        }
        ProfileCmd::Allow { profile, handles } => {
            let id = find_profile(&p, &profile)?;
            let profile = p.set_allowed_handles(id, &handles).map_err(err)?;
            if json {
                return print_json(&profile);
            }
            outln!(
                "{} may hold: {}",
                profile.name,
                profile.allowed_handles.join(", ")
            );
        }
    }
    Ok(())
}

fn find_profile(p: &Publisher, key: &str) -> Result<i64> {
    let list = p.profiles().map_err(err)?;
    list.iter()
        .find(|x| x.id.to_string() == key || x.name.eq_ignore_ascii_case(key.trim()))
        .map(|x| x.id)
        .with_context(|| format!("no profile {key:?} (see `vigie profile list`)"))
}

pub fn account(ctx: Ctx, cmd: AccountCmd) -> Result<()> {
    let (p, json) = with_publisher(ctx)?;
    let rt = runtime()?;
    let connected = match cmd {
        AccountCmd::ConnectMastodon {
            profile,
            server,
            expect,
        } => {
            let id = find_profile(&p, &profile)?;
            let token = secret("VIGIE_TOKEN", "access token")?;
            rt.block_on(p.connect_mastodon_token(id, &server, token, expect.as_deref()))
                .map_err(err)?
        }
        AccountCmd::SignInMastodon {
            profile,
            server,
            expect,
        } => {
            let id = find_profile(&p, &profile)?;
            rt.block_on(async {
                let (flow, url) = p.begin_mastodon_oauth(&server).await?;
                eprintln!("Open this address in your browser and sign in:\n  {url}\nWaiting (5 minutes at most)…");
                p.finish_mastodon_oauth(&flow, id, expect.as_deref(), std::time::Duration::from_secs(300))
                    .await
            })
            .map_err(err)?
        }
        AccountCmd::ConnectBluesky {
            profile,
            service,
            handle,
        } => {
            let id = find_profile(&p, &profile)?;
            let pw = secret("VIGIE_APP_PASSWORD", "app password")?;
            rt.block_on(p.connect_bluesky(id, &service, &handle, pw))
                .map_err(err)?
        }
        AccountCmd::List { profile } => {
            let profiles = p.profiles().map_err(err)?;
            let wanted = profile
                .as_deref()
                .map(|k| find_profile(&p, k))
                .transpose()?;
            let mut rows = Vec::new();
            let mut all = Vec::new();
            for prof in profiles.iter().filter(|x| wanted.is_none_or(|w| w == x.id)) {
                for a in p.accounts(prof.id).map_err(err)? {
                    rows.push(vec![
                        a.id.to_string(),
                        prof.name.clone(),
                        prof.kind.as_str().into(),
                        a.network.as_str().into(),
                        a.display_handle(),
                        a.identity.display_name.clone(),
                        a.identity.audience.to_string(),
                    ]);
                    all.push(a);
                }
            }
            if json {
                return print_json(&all);
            }
            table(
                &[
                    "id",
                    "profile",
                    "kind",
                    "network",
                    "handle",
                    "name",
                    "followers",
                ],
                &rows,
            )?;
            return Ok(());
        }
        AccountCmd::Target { account } => {
            let a = p.accounts_any(account).map_err(err)?;
            return print_json(&vigie_engine::approvals::target_of(&a));
        }
        AccountCmd::Rm { account } => {
            let d = rt.block_on(p.disconnect(account)).map_err(err)?;
            if json {
                return print_json(&d);
            }
            if d.kept_for_history {
                outln!(
                    "disconnected {}: its credentials left the keychain; it stays listed because posts or drafts name it (connect it again to publish with it)",
                    d.account.display_handle()
                );
            } else {
                outln!(
                    "disconnected {} and removed its credentials from the keychain",
                    d.account.display_handle()
                );
            }
            return Ok(());
        }
    };
    if json {
        return print_json(&connected);
    }
    outln!(
        "connected {} ({}, {} followers) as account {}",
        connected.display_handle(),
        connected.network,
        connected.identity.audience,
        connected.id
    );
    Ok(())
}

pub fn post(ctx: Ctx, a: PostArgs) -> Result<()> {
    let watch_id = a
        .watch
        .as_deref()
        .map(|w| ctx.store.find_watch(w))
        .transpose()?
        .map(|w| w.id);
    let (p, json) = with_publisher(ctx)?;
    let profile = find_profile(&p, &a.profile)?;
    let text = match a.text {
        Some(t) => t,
        None => {
            let mut t = String::new();
            std::io::stdin().read_to_string(&mut t)?;
            t.trim_end().to_string()
        }
    };
    if a.image.len() != a.alt.len() {
        bail!(
            "give one --alt description per --image ({} images, {} descriptions)",
            a.image.len(),
            a.alt.len()
        );
    }
    let images = a
        .image
        .iter()
        .zip(&a.alt)
        .map(|(path, alt)| p.add_image(path, alt))
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let content = Content { text, images };
    let check = p
        .check(profile, a.account, &content, watch_id)
        .map_err(err)?;
    confirm(&check, a.confirm_handle.as_deref(), a.yes)?;
    let post = p
        .queue(
            profile,
            a.account,
            &content,
            &Confirmation {
                typed_handle: a.confirm_handle,
            },
            watch_id,
        )
        .map_err(err)?;
    if json {
        return print_json(&post);
    }
    outln!(
        "queued post {} — it goes out at {} unless cancelled (`vigie outbox cancel {}`)",
        post.id,
        crate::output::clock(post.send_after),
        post.id
    );
    Ok(())
}

/// The confirmation, as the app's dialog gives it: who this goes out as, unmistakably; the
/// handle typed when the rule asks for it; and `--yes`.
fn confirm(check: &ComposeCheck, confirm_handle: Option<&str>, yes: bool) -> Result<()> {
    let name = &check.account.identity.display_name;
    eprintln!(
        "Post as {}{} — {} profile {:?} {} — {} followers — level {} — {}/{} characters",
        check.account.display_handle(),
        if name.trim().is_empty() {
            String::new()
        } else {
            format!(" ({})", crate::output::printable(name))
        },
        check.profile.kind.as_str(),
        check.profile.name,
        check.profile.colour,
        check.account.identity.audience,
        check.level,
        check.count,
        check.max
    );
    for problem in &check.problems {
        eprintln!("  ✗ {problem}");
    }
    if check.kill_switch.on {
        eprintln!(
            "  ⏸ publishing is paused: {} (the post will wait)",
            check.kill_switch.reason
        );
    }
    if !check.problems.is_empty() {
        bail!("nothing queued: change what is marked ✗ above");
    }
    if check.rule == ConfirmRule::TypeHandle && confirm_handle.is_none() {
        bail!(
            "confirm by typing the handle: add --confirm-handle {}",
            check.account.display_handle()
        );
    }
    if !yes {
        bail!("nothing queued: read the line above, then add --yes to confirm");
    }
    Ok(())
}

pub fn outbox(ctx: Ctx, cmd: OutboxCmd) -> Result<()> {
    let (p, json) = with_publisher(ctx)?;
    match cmd {
        OutboxCmd::List { limit } => {
            let list = p.outbox(limit).map_err(err)?;
            if json {
                return print_json(&list);
            }
            let paused = p.kill_switch().map_err(err)?;
            if paused.on {
                outln!("⏸ publishing is paused: {}", paused.reason);
            }
            table(
                &["id", "state", "account", "when", "text", "result"],
                &list
                    .iter()
                    .map(|x| {
                        let mut text: String = x.content.text.chars().take(50).collect();
                        if x.content.text.chars().count() > 50 {
                            text.push('…');
                        }
                        vec![
                            x.id.to_string(),
                            x.state.as_str().into(),
                            x.account_id.to_string(),
                            time(x.sent_at.unwrap_or(x.send_after)),
                            text,
                            match x.state {
                                PostState::Sent => x.remote_url.clone().unwrap_or_default(),
                                _ => x.last_error.clone().unwrap_or_default(),
                            },
                        ]
                    })
                    .collect::<Vec<_>>(),
            )?;
        }
        OutboxCmd::Cancel { post } => {
            let x = p.cancel(post).map_err(err)?;
            if json {
                return print_json(&x);
            }
            outln!("cancelled post {}: nothing was sent", x.id);
        }
        OutboxCmd::Retry {
            post,
            profile,
            confirm_handle,
            yes,
        } => {
            let profile = find_profile(&p, &profile)?;
            let failed = p.post(post).map_err(err)?;
            let check = p
                .check(profile, failed.account_id, &failed.content, failed.watch_id)
                .map_err(err)?;
            confirm(&check, confirm_handle.as_deref(), yes)?;
            let x = p
                .retry(
                    profile,
                    post,
                    &Confirmation {
                        typed_handle: confirm_handle,
                    },
                )
                .map_err(err)?;
            if json {
                return print_json(&x);
            }
            if x.outcome_unknown {
                // Its last attempt may have reached the server: it is looked for first, and
                // it cannot be cancelled.
                outln!(
                    "post {} is queued again — at {} Vigie reads the account first (the last attempt may have published it), then sends it if it is not there",
                    x.id,
                    crate::output::clock(x.send_after)
                );
            } else {
                outln!(
                    "post {} is queued again — it goes out at {} unless cancelled (`vigie outbox cancel {}`)",
                    x.id,
                    crate::output::clock(x.send_after),
                    x.id
                );
            }
        }
        OutboxCmd::Send { wait } => {
            let rt = runtime()?;
            let report = rt.block_on(async {
                let mut total = vigie_engine::publish::DeliveryReport::default();
                loop {
                    let r = p.deliver_due().await;
                    total.sent += r.sent;
                    total.deferred += r.deferred;
                    total.failed += r.failed;
                    total.paused = r.paused;
                    total.delivering_elsewhere = r.delivering_elsewhere;
                    total.lock_error = r.lock_error.clone();
                    let now = SystemClock.now();
                    let waiting = p
                        .outbox(1000)
                        .map(|l| {
                            l.iter()
                                .filter(|x| {
                                    x.state == PostState::Queued && x.send_after <= now + 600
                                })
                                .count()
                        })
                        .unwrap_or(0);
                    if !wait || r.paused || r.lock_error.is_some() || waiting == 0 {
                        break total;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                }
            });
            if json {
                return print_json(&report);
            }
            outln!(
                "sent {}, deferred {}, failed {}{}",
                report.sent,
                report.deferred,
                report.failed,
                if report.paused {
                    " — publishing is paused (kill switch)"
                } else if report.delivering_elsewhere {
                    " — another Vigie process on this data folder is delivering the outbox"
                } else {
                    ""
                }
            );
            if let Some(e) = &report.lock_error {
                bail!("{e}");
            }
            if report.failed > 0 {
                bail!("{} post(s) failed: see `vigie outbox list`", report.failed);
            }
        }
    }
    Ok(())
}

pub fn kill_switch(ctx: Ctx, state: &str, reason: Option<&str>) -> Result<()> {
    let (p, json) = with_publisher(ctx)?;
    let ks = match state {
        "on" => p.set_kill_switch(true, reason.unwrap_or("")).map_err(err)?,
        "off" => p.set_kill_switch(false, "").map_err(err)?,
        "status" => p.kill_switch().map_err(err)?,
        other => bail!("kill-switch {other:?}: use on, off or status"),
    };
    if json {
        return print_json(&ks);
    }
    if ks.on {
        outln!(
            "⏸ publishing is paused since {}: {}",
            ks.since.map(time).unwrap_or_default(),
            ks.reason
        );
    } else {
        outln!("publishing is on");
        if state == "off" {
            // What resuming releases, and when: each held post has a fresh undo window.
            for x in p
                .outbox(1000)
                .map_err(err)?
                .iter()
                .filter(|x| x.state == PostState::Queued)
            {
                outln!(
                    "  post {} goes out at {} unless cancelled (`vigie outbox cancel {}`)",
                    x.id,
                    crate::output::clock(x.send_after),
                    x.id
                );
            }
        }
    }
    Ok(())
}

pub fn settings(ctx: Ctx, undo: Option<i64>, audience: Option<&str>) -> Result<()> {
    let mut store = ctx.store;
    let mut s = PublishSettings::load(&store)?;
    if let Some(u) = undo {
        s.undo_secs = u;
    }
    if let Some(a) = audience {
        s.audience_threshold = match a {
            "none" => None,
            n => Some(
                n.parse()
                    .with_context(|| format!("{n:?} is not a number of followers"))?,
            ),
        };
    }
    s.save(&mut store, ctx.now).map_err(anyhow::Error::msg)?;
    if ctx.json {
        return print_json(&s);
    }
    outln!(
        "undo window {} s; type the handle above {} followers",
        s.undo_secs,
        s.audience_threshold
            .map(|n| n.to_string())
            .unwrap_or_else(|| "∞".into())
    );
    Ok(())
}
