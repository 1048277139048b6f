//! The judgement at the gate: what the policy asks of a post, whether its approvals (and
//! pre-approvals of its statement) meet it now, and [`PolicyGate`], the publish gate's hook
//! that enforces it at queue and send time and spends single-use approvals once sent.

use super::signed::{self, Approval};
use super::{target_of, Me, Team, TeamError, TeamResult, APPROVAL};
use crate::publish::{ApprovalGate, GateContext};
use std::sync::Arc;
use vigie_domain::approval::{meets, Approver, Requirement, Situation, Unmet};
use vigie_domain::publish::Refusal;
use vigie_domain::{Level, Sensitivity};

impl Team {
    /// What the policy asks for this post, written by `me` (their autonomy counts).
    fn requirement(&self, ctx: &GateContext<'_>, me: Option<&Me>) -> TeamResult<Requirement> {
        let sensitivity = match ctx.watch_id {
            Some(w) => self.db(|s| s.watch(w))?.sensitivity,
            None => Sensitivity::Medium,
        };
        Ok(self.policy()?.requirement(&Situation {
            sensitivity,
            level: ctx.level,
            autonomy: me.map(|m| m.autonomy).unwrap_or_default(),
            profile_kind: ctx.profile_kind,
            handle: ctx.account.identity.handle.clone(),
            audience: ctx.account.identity.audience,
        }))
    }

    /// What the policy asks for this post and whether its approvals meet it now (the
    /// composer shows it; the gate enforces the same judgement at queue and send time).
    pub fn approval_status(&self, ctx: &GateContext<'_>) -> TeamResult<ApprovalStatus> {
        self.status_as(ctx, self.me().ok().as_ref())
    }

    /// [`Team::approval_status`] for a post written by `me` (the author never counts).
    fn status_as(&self, ctx: &GateContext<'_>, me: Option<&Me>) -> TeamResult<ApprovalStatus> {
        let requirement = self.requirement(ctx, me)?;
        if requirement.is_none() {
            return Ok(ApprovalStatus {
                requirement,
                approved_by: Vec::new(),
                unmet: None,
            });
        }
        let author_key = me.map_or("", |m| m.key.as_str());
        let found = self.approvers(ctx)?;
        let mut unmet = meets(&requirement, &found.approvers, author_key).err();
        // Whose lapsed approval would help, the author left out (they never count). Too few
        // people: whoever approved and does not count now (if they approved again, they are
        // not "expired" too). A missing role: whoever approved in that role, even if they
        // count now in another.
        let lapsed = |in_role: Option<&str>| -> Vec<String> {
            let mut named: Vec<&Lapsed> = Vec::new();
            for e in &found.expired {
                let counts_now = found
                    .approvers
                    .iter()
                    .any(|a| a.key == e.key && in_role.is_none_or(|r| a.role == r));
                if e.key == author_key || counts_now || in_role.is_some_and(|r| r != e.role) {
                    continue;
                }
                // Once per person (by key: two people may share a name).
                if !named.iter().any(|n| n.key == e.key) {
                    named.push(e);
                }
            }
            named.into_iter().map(|e| e.name.clone()).collect()
        };
        match &mut unmet {
            Some(Unmet::TooFew { expired, .. }) => *expired = lapsed(None),
            Some(Unmet::Role { role, expired }) => *expired = lapsed(Some(role.as_str())),
            None => {}
        }
        let mut approved_by: Vec<String> = Vec::new();
        for a in found.approvers.iter().filter(|a| a.key != author_key) {
            let who = format!("{} ({})", a.name, a.role);
            if !approved_by.contains(&who) {
                approved_by.push(who);
            }
        }
        Ok(ApprovalStatus {
            requirement,
            approved_by,
            unmet,
        })
    }

    /// Valid approvals for this post now: signatures re-checked, roster and roles current,
    /// not expired, not spent; pre-approvals whose statement (fixed text) produced this text.
    /// Also who approved it but too long ago (their approval expired), to say so.
    fn approvers(&self, ctx: &GateContext<'_>) -> TeamResult<Found> {
        let target = target_of(ctx.account).key();
        let mut stored = self.db(|s| s.approvals_for(ctx.content_hash, &target))?;
        let pre_approvals = self.db(|s| s.pre_approvals_for(&target))?;
        // Playbooks are parsed only when a pre-approval could apply.
        let playbooks = if pre_approvals.is_empty() {
            Vec::new()
        } else {
            self.playbooks().unwrap_or_default()
        };
        // A pre-approval counts when one of its statements (by template hash) produced this
        // text; its level and expiry are checked below, from the signed statement.
        for pre in pre_approvals {
            let text_ok = playbooks
                .iter()
                .flat_map(|p| &p.statements)
                .filter(|st| st.template_hash() == pre.subject_hash)
                .any(|st| ctx.content.images.is_empty() && st.matches(&ctx.content.text).is_some());
            if text_ok {
                stored.push(pre);
            }
        }
        let mut out = Vec::new();
        let mut spent = Vec::new();
        let mut expired = Vec::new();
        let mut seen_signatures = std::collections::HashSet::new();
        for a in stored {
            // Every decision comes from the signed statement, not from the row's columns (which
            // anyone able to write the database could change).
            let Ok((p, signature)) =
                signed::open::<Approval>(APPROVAL, &a.statement, |x| x.approver_key.clone())
            else {
                continue;
            };
            if signature != a.signature
                || !seen_signatures.insert(signature)
                || p.kind != a.kind
                || p.subject_hash != a.subject_hash
                || p.target.key() != target
            {
                continue;
            }
            let lapsed = p.expires_at <= ctx.now;
            // A pre-approval beyond its level does not cover this post, expired or not (so
            // "ask again" is not said of one that would not cover it either).
            if p.kind == "pre_approval" {
                let within = p
                    .max_level
                    .as_deref()
                    .and_then(|l| l.parse::<Level>().ok())
                    .is_some_and(|max| ctx.level <= max);
                if !within {
                    continue;
                }
            }
            let Some(member) = self.db(|s| s.member(&p.approver_key))? else {
                continue;
            };
            if !member.roles.contains(&p.role) {
                continue;
            }
            if lapsed {
                expired.push(Lapsed {
                    key: p.approver_key,
                    name: member.name,
                    role: p.role,
                });
                continue;
            }
            if p.kind == "approval" {
                spent.push(a.id);
            }
            out.push(Approver {
                key: p.approver_key,
                name: member.name,
                role: p.role,
            });
        }
        Ok(Found {
            approvers: out,
            spent,
            expired,
        })
    }
}

/// A post's approval requirement and where it stands now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalStatus {
    #[serde(flatten)]
    pub requirement: Requirement,
    /// Who approved this very post (or pre-approved its statement) and counts now:
    /// "name (role)", the author left out.
    pub approved_by: Vec<String>,
    /// What is still missing; none when the approvals meet the requirement.
    pub unmet: Option<Unmet>,
}

/// What [`Team::approvers`] found for a post.
struct Found {
    /// Who counts now.
    approvers: Vec<Approver>,
    /// The single-use approvals among them (spent once the post is sent).
    spent: Vec<i64>,
    /// The approvals of this post (or pre-approvals of its statement) that have expired.
    expired: Vec<Lapsed>,
}

/// An approval that has expired: whose, and in which role.
struct Lapsed {
    key: String,
    name: String,
    role: String,
}

/// The publish gate's approval hook, backed by the team's policy and approvals.
pub struct PolicyGate {
    team: Arc<Team>,
}

impl PolicyGate {
    pub fn new(team: Arc<Team>) -> Self {
        PolicyGate { team }
    }
}

impl ApprovalGate for PolicyGate {
    fn check(&self, ctx: &GateContext<'_>) -> Result<(), Refusal> {
        let unreadable = |e: TeamError| Refusal::Approvals {
            detail: e.to_string(),
        };
        // Without an identity nobody can request approval from here: say both.
        let me = self.team.me().ok();
        let status = self.team.status_as(ctx, me.as_ref()).map_err(unreadable)?;
        match status.unmet {
            None => Ok(()),
            Some(unmet) => Err(Refusal::NotApproved {
                handle: ctx.account.identity.handle.clone(),
                unmet,
                has_identity: me.is_some(),
            }),
        }
    }

    fn sent(&self, ctx: &GateContext<'_>, post_id: i64) {
        if let Ok(Found { spent, .. }) = self.team.approvers(ctx) {
            if !spent.is_empty() {
                let now = self.team.now();
                let _ = self.team.db(|s| s.consume_approvals(&spent, post_id, now));
            }
        }
    }
}
