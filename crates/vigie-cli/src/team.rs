//! Drafts, playbooks, the roster, approvals and the audit log from the command line. Requests
//! and approvals are text blocks: write them to a file (`--out`) or stdout, send them any way.

use crate::cli::{ApprovalCmd, AuditCmd, DraftCmd, PlaybookCmd, PolicyCmd, TeamCmd};
use crate::output::{table, time};
use crate::run::{print_json, Ctx};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use vigie_domain::publish::Content;
use vigie_engine::approvals::signed::Target;
use vigie_engine::approvals::{Team, TeamError};
use vigie_engine::SystemClock;
use vigie_store::Store;

struct T {
    team: Team,
    store: Arc<Mutex<Store>>,
    json: bool,
    now: i64,
}

fn open(ctx: Ctx) -> T {
    let store = Arc::new(Mutex::new(ctx.store));
    T {
        team: Team::new(Arc::clone(&store), Arc::new(SystemClock), ""),
        store,
        json: ctx.json,
        now: ctx.now,
    }
}

fn err(e: TeamError) -> anyhow::Error {
    anyhow::Error::msg(e.to_string())
}

fn read(file: &Path) -> Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
}

fn write_or_print(out: Option<&PathBuf>, text: &str) -> Result<()> {
    match out {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("written to {}", p.display());
        }
        None => out!("{text}"),
    }
    Ok(())
}

/// How long an approval stays valid, in seconds (the engine refuses under a minute).
fn duration(v: &str, now: i64) -> Result<i64> {
    Ok(now - crate::since::parse_since(v, now)?)
}

pub fn team(ctx: Ctx, cmd: TeamCmd) -> Result<()> {
    let t = open(ctx);
    match cmd {
        TeamCmd::Init {
            name,
            role,
            autonomy,
        } => {
            let me = t
                .team
                .create_identity(&name, &role, autonomy.parse().map_err(anyhow::Error::msg)?)
                .map_err(err)?;
            if t.json {
                return print_json(&me);
            }
            outln!(
                "you are {} ({}), autonomy {}; key {}\nShare `vigie team export` with your team.",
                me.name,
                me.roles.join(", "),
                me.autonomy,
                me.key
            );
        }
        TeamCmd::Show => {
            let me = t.team.me().ok();
            let roster = t.team.roster().map_err(err)?;
            if t.json {
                return print_json(&serde_json::json!({"me": me, "roster": roster}));
            }
            if let Some(m) = &me {
                outln!("you: {} ({})", m.name, m.key);
            }
            table(
                &["name", "roles", "autonomy", "key"],
                &roster
                    .iter()
                    .map(|m| {
                        vec![
                            m.name.clone(),
                            m.roles.join(", "),
                            m.autonomy.to_string(),
                            m.key.clone(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            )?;
        }
        TeamCmd::Export { file } => {
            write_or_print(file.as_ref(), &t.team.export_roster().map_err(err)?)?
        }
        TeamCmd::Import { file } => {
            let n = t.team.import_roster(&read(&file)?).map_err(err)?;
            outln!("roster merged: {n} member(s) in the file");
        }
        TeamCmd::Set {
            who,
            role,
            autonomy,
        } => {
            let a = autonomy
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let m = t.team.set_member(&who, role, a).map_err(err)?;
            outln!(
                "{}: {} — autonomy {}",
                m.name,
                m.roles.join(", "),
                m.autonomy
            );
        }
    }
    Ok(())
}

pub fn policy(ctx: Ctx, cmd: PolicyCmd) -> Result<()> {
    let t = open(ctx);
    match cmd {
        PolicyCmd::Show if t.json => print_json(&t.team.policy().map_err(err)?)?,
        PolicyCmd::Show => out!("{}", t.team.policy().map_err(err)?.to_toml()),
        PolicyCmd::Import { file } => {
            let p = t.team.set_policy(&read(&file)?).map_err(err)?;
            outln!("policy saved: {} rule(s)", p.rules.len());
        }
    }
    Ok(())
}

pub fn draft(ctx: Ctx, cmd: DraftCmd) -> Result<()> {
    let t = open(ctx);
    match cmd {
        DraftCmd::New {
            title,
            watch,
            mention,
        } => {
            let watch_id = watch
                .as_deref()
                .map(|w| t.store.lock().unwrap().find_watch(w).map(|w| w.id))
                .transpose()?;
            let d = t
                .team
                .create_draft(&title, watch_id, &mention)
                .map_err(err)?;
            if t.json {
                return print_json(&d);
            }
            outln!("draft {} created", d.id);
        }
        DraftCmd::List => {
            let list = t.store.lock().unwrap().drafts()?;
            if t.json {
                return print_json(&list);
            }
            table(
                &["id", "title", "variants", "updated"],
                &list
                    .iter()
                    .map(|d| {
                        vec![
                            d.id.to_string(),
                            d.title.clone(),
                            d.variants.len().to_string(),
                            time(d.updated_at),
                        ]
                    })
                    .collect::<Vec<_>>(),
            )?;
        }
        DraftCmd::Show { draft } => {
            let s = t.store.lock().unwrap();
            let d = s.draft(draft)?;
            let history = s.draft_history(draft)?;
            let comments = s.draft_comments(draft)?;
            if t.json {
                return print_json(
                    &serde_json::json!({"draft": d, "history": history, "comments": comments}),
                );
            }
            outln!("{} (draft {})", d.title, d.id);
            for v in &d.variants {
                outln!(
                    "\n— account {} · version {} · {}\n{}",
                    v.account_id,
                    v.version,
                    time(v.updated_at),
                    v.content.text
                );
            }
            outln!("\nhistory:");
            for h in &history {
                outln!(
                    "  {} account {} v{} by {}…",
                    time(h.at),
                    h.account_id,
                    h.version,
                    &h.author_key[..8.min(h.author_key.len())]
                );
            }
            for c in &comments {
                outln!("  💬 {} {}: {}", time(c.at), c.author_name, c.text);
            }
        }
        DraftCmd::Edit {
            draft,
            account,
            text,
        } => {
            let text = match text {
                Some(t) => t,
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s)?;
                    s.trim_end().to_string()
                }
            };
            let d = t
                .team
                .save_variant(draft, account, &Content::text(text))
                .map_err(err)?;
            let v = d.variants.iter().find(|v| v.account_id == account);
            outln!(
                "draft {} for account {account}: version {}",
                d.id,
                v.map(|v| v.version).unwrap_or(0)
            );
        }
        DraftCmd::Comment { draft, text } => {
            t.team.comment(draft, &text).map_err(err)?;
            outln!("comment added");
        }
    }
    Ok(())
}

pub fn playbook(ctx: Ctx, cmd: PlaybookCmd) -> Result<()> {
    let t = open(ctx);
    match cmd {
        PlaybookCmd::Import { file } => {
            let p = t.team.import_playbook(&read(&file)?).map_err(err)?;
            outln!(
                "playbook {:?} saved: {} statement(s)",
                p.name,
                p.statements.len()
            );
        }
        PlaybookCmd::Export { name, file } => {
            let p = t.team.playbook(&name).map_err(err)?;
            write_or_print(file.as_ref(), &p.to_toml())?;
        }
        PlaybookCmd::List => {
            let list = t.team.playbooks().map_err(err)?;
            if t.json {
                return print_json(&list);
            }
            for p in &list {
                outln!("{} — {}", p.name, p.scenario);
                for s in &p.statements {
                    outln!("  [{}] {}: {}", s.id, s.title, s.text);
                }
            }
        }
        PlaybookCmd::Use {
            playbook,
            statement,
            account,
            slot,
            watch,
        } => {
            let mut slots = BTreeMap::new();
            for s in &slot {
                let (k, v) = s
                    .split_once('=')
                    .with_context(|| format!("--slot {s:?}: expected name=value"))?;
                slots.insert(k.trim().to_string(), v.to_string());
            }
            let watch_id = watch
                .as_deref()
                .map(|w| t.store.lock().unwrap().find_watch(w).map(|w| w.id))
                .transpose()?;
            let d = t
                .team
                .use_statement(&playbook, &statement, &slots, account, watch_id)
                .map_err(err)?;
            if t.json {
                return print_json(&d);
            }
            outln!(
                "draft {} for account {account}:\n{}",
                d.id,
                d.variants
                    .first()
                    .map(|v| v.content.text.as_str())
                    .unwrap_or("")
            );
        }
    }
    Ok(())
}

pub fn approval(ctx: Ctx, cmd: ApprovalCmd) -> Result<()> {
    let t = open(ctx);
    match cmd {
        ApprovalCmd::Request {
            draft,
            account,
            out,
        } => write_or_print(out.as_ref(), &t.team.request(draft, account).map_err(err)?)?,
        ApprovalCmd::Review { file } => {
            let r = t.team.review(&read(&file)?).map_err(err)?;
            if t.json {
                return print_json(&r);
            }
            outln!(
                "Request from {} ({}), signature valid.\nTo be published as @{} ({} on {}) — level {}\n\n{}\n",
                r.author_name,
                &r.author_key,
                r.target.handle,
                r.target.network,
                r.target.server,
                r.level,
                r.content.text
            );
            for (i, img) in r.content.images.iter().enumerate() {
                outln!("image {}: {} — {:?}", i + 1, img.mime, img.alt);
            }
        }
        ApprovalCmd::Approve {
            file,
            role,
            valid,
            out,
        } => {
            let secs = duration(&valid, t.now)?;
            let block = t.team.approve(&read(&file)?, &role, secs).map_err(err)?;
            write_or_print(out.as_ref(), &block)?;
        }
        ApprovalCmd::PreApprove {
            playbook,
            statement,
            target,
            max_level,
            role,
            valid,
            out,
        } => {
            let target: Target = serde_json::from_str(&read(&target)?).context(
                "the target file is not an account description (`vigie account target ID`)",
            )?;
            let level = max_level.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            let secs = duration(&valid, t.now)?;
            let block = t
                .team
                .pre_approve(&playbook, &statement, &target, level, &role, secs)
                .map_err(err)?;
            write_or_print(out.as_ref(), &block)?;
        }
        ApprovalCmd::Import { file } => {
            let a = t.team.import_approval(&read(&file)?).map_err(err)?;
            if t.json {
                return print_json(&a);
            }
            outln!(
                "approval by {} ({}) filed, valid until {}",
                a.approver_name,
                a.role,
                time(a.expires_at)
            );
        }
        ApprovalCmd::List => {
            let list = t.store.lock().unwrap().approvals(200)?;
            if t.json {
                return print_json(&list);
            }
            table(
                &[
                    "id",
                    "kind",
                    "by",
                    "role",
                    "account",
                    "expires",
                    "used by post",
                ],
                &list
                    .iter()
                    .map(|a| {
                        vec![
                            a.id.to_string(),
                            a.kind.clone(),
                            a.approver_name.clone(),
                            a.role.clone(),
                            a.account.clone(),
                            time(a.expires_at),
                            a.used_by_post.map(|p| p.to_string()).unwrap_or_default(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            )?;
        }
    }
    Ok(())
}

pub fn audit(ctx: Ctx, cmd: AuditCmd) -> Result<()> {
    let t = open(ctx);
    let s = t.store.lock().unwrap();
    match cmd {
        AuditCmd::Verify => {
            let r = s.verify_audit()?;
            if t.json {
                print_json(&r)?;
            } else if r.broken.is_none() {
                outln!("audit log intact: {} entries, head {}", r.entries, r.head);
            }
            if let Some(why) = r.broken {
                bail!(
                    "the audit log was tampered with: {why} ({} entries verified before it)",
                    r.entries
                );
            }
        }
        AuditCmd::List { limit } => {
            let list = s.audit_entries(limit)?;
            if t.json {
                return print_json(&list);
            }
            table(
                &["#", "when", "who", "what", "details"],
                &list
                    .iter()
                    .map(|e| {
                        vec![
                            e.seq.to_string(),
                            time(e.at),
                            e.actor.clone(),
                            e.kind.clone(),
                            e.data.to_string().chars().take(80).collect(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            )?;
        }
    }
    Ok(())
}
