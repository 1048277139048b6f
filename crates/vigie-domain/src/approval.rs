//! The approval policy, pure: how many validators (and which roles) a post needs, from the
//! watch's sensitivity × the crisis level × the author's autonomy × the target account; and
//! whether a set of verified approvals meets that requirement.
//!
//! A policy is a list of rules. Every rule whose conditions hold applies; the requirement is
//! the strictest of them (the largest count, every role any of them names). No rule applies →
//! no approval needed.

use crate::publish::ProfileKind;
use crate::{Level, Sensitivity};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How much a community manager may publish alone.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Autonomy {
    /// Every post is validated.
    Low,
    #[default]
    Medium,
    /// Routine replies on calm watches go out without validation.
    High,
}

impl FromStr for Autonomy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "low" | "faible" => Ok(Autonomy::Low),
            "medium" | "moyenne" => Ok(Autonomy::Medium),
            "high" | "forte" => Ok(Autonomy::High),
            o => Err(format!("unknown autonomy {o:?}: use low, medium or high")),
        }
    }
}

impl fmt::Display for Autonomy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Autonomy::Low => "low",
            Autonomy::Medium => "medium",
            Autonomy::High => "high",
        })
    }
}

/// What a post is about to do, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Situation {
    pub sensitivity: Sensitivity,
    pub level: Level,
    pub autonomy: Autonomy,
    pub profile_kind: ProfileKind,
    /// Normalised handle of the target account.
    pub handle: String,
    pub audience: i64,
}

/// One rule: conditions (all must hold; absent = any) and what it requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A name shown when the rule applies ("crisis: legal signs off").
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sensitivity: Option<Sensitivity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level: Option<Level>,
    /// Applies to authors with at most this autonomy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_autonomy: Option<Autonomy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_kind: Option<ProfileKind>,
    /// Applies to these accounts only (e.g. the CEO's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_audience: Option<i64>,
    /// Distinct validators required.
    pub approvals: u8,
    /// Roles that must be among the validators (e.g. ["legal"]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

impl Rule {
    pub fn applies(&self, s: &Situation) -> bool {
        self.min_sensitivity.is_none_or(|m| s.sensitivity >= m)
            && self.min_level.is_none_or(|m| s.level >= m)
            && self.max_autonomy.is_none_or(|m| s.autonomy <= m)
            && self.profile_kind.is_none_or(|k| s.profile_kind == k)
            && (self.handles.is_empty() || self.handles.iter().any(|h| h == &s.handle))
            && self.min_audience.is_none_or(|m| s.audience >= m)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
}

impl Default for Policy {
    /// The examples of the brief: a routine reply on a calm watch by an autonomous author needs
    /// nothing; an author with low autonomy or a sensitive topic needs one validator; an alert
    /// needs one; a crisis needs two, one of them legal.
    fn default() -> Self {
        Policy {
            rules: vec![
                Rule {
                    name: "author without autonomy: one validator".into(),
                    max_autonomy: Some(Autonomy::Low),
                    approvals: 1,
                    ..Rule::default()
                },
                Rule {
                    name: "sensitive topic: one validator".into(),
                    min_sensitivity: Some(Sensitivity::High),
                    max_autonomy: Some(Autonomy::Medium),
                    approvals: 1,
                    ..Rule::default()
                },
                Rule {
                    name: "alert: one validator".into(),
                    min_level: Some(Level::Alert),
                    approvals: 1,
                    ..Rule::default()
                },
                Rule {
                    name: "crisis: two validators, one of them legal".into(),
                    min_level: Some(Level::Crisis),
                    approvals: 2,
                    roles: vec!["legal".into()],
                    ..Rule::default()
                },
            ],
        }
    }
}

/// What a post needs before it may go out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    pub approvals: u8,
    pub roles: Vec<String>,
    /// The rules that applied, for the explanation.
    pub because: Vec<String>,
}

impl Requirement {
    pub fn is_none(&self) -> bool {
        self.approvals == 0 && self.roles.is_empty()
    }
}

impl Policy {
    pub fn requirement(&self, s: &Situation) -> Requirement {
        let mut r = Requirement::default();
        for rule in self.rules.iter().filter(|x| x.applies(s)) {
            r.approvals = r.approvals.max(rule.approvals);
            for role in &rule.roles {
                if !r.roles.contains(role) {
                    r.roles.push(role.clone());
                }
            }
            r.because.push(rule.name.clone());
        }
        // Naming more roles than validators means each role needs its own person.
        r.approvals = r.approvals.max(r.roles.len() as u8);
        r
    }

    pub fn from_toml(text: &str) -> Result<Policy, String> {
        toml::from_str(text).map_err(|e| format!("the policy file is not valid: {e}"))
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a policy serialises")
    }
}

/// A verified approval, as the requirement check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    /// The approver's public key (distinct people = distinct keys).
    pub key: String,
    pub name: String,
    pub role: String,
}

/// What a post still lacks before it may go out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Unmet {
    /// `because`: the names of the policy rules that applied.
    #[error("{needed} approval(s) needed ({}), {given} given{}", because.join("; "), expired_words(expired))]
    TooFew {
        needed: u8,
        given: usize,
        because: Vec<String>,
        /// People whose approval of this post (or pre-approval of its statement) has
        /// expired: asking them again is the quickest way out ("0 given" alone sent people
        /// looking for a missing approval).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        expired: Vec<String>,
    },
    #[error(
        "an approval by someone with the role {role:?} is needed{}",
        expired_words(expired)
    )]
    Role {
        role: String,
        /// People whose approval in this role (of this post, or a pre-approval of its
        /// statement) has expired.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        expired: Vec<String>,
    },
}

fn expired_words(expired: &[String]) -> String {
    if expired.is_empty() {
        String::new()
    } else {
        format!("; expired: {} (ask again)", expired.join(", "))
    }
}

/// Why a teamwork action was refused (identity, roster, playbooks, approvals). Nothing changed.
/// `Display` is the English the CLI prints; the UI words the data (ui/src/logic/teamErrors.ts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum TeamRefusal {
    #[error("this Vigie already has an identity: share it with `vigie team export`")]
    IdentityExists,
    #[error("no identity on this Vigie yet: create one (`vigie team init --name … --role …`)")]
    NoIdentity,
    #[error("your identity is missing from the roster: import the team file again")]
    NotInRoster,
    #[error("your private key is not in this computer's keychain: this identity cannot sign here")]
    NoPrivateKey,
    #[error("the key in the keychain is damaged: create a new identity")]
    DamagedKey,
    #[error("the roster file is not valid: {detail}")]
    BadRoster { detail: String },
    #[error("{name}'s key is not a valid Ed25519 public key: nothing was imported")]
    BadMemberKey { name: String },
    #[error("nobody called {who:?} in the roster")]
    NoSuchMember { who: String },
    #[error("you cannot change your own roles or autonomy: another member of the team does it on their Vigie and shares the roster")]
    OwnRoles,
    #[error("no playbook {name:?}")]
    NoPlaybook { name: String },
    #[error("the playbook {playbook:?} has no statement {statement:?}")]
    NoStatement { playbook: String, statement: String },
    /// The statement is written for another network (its length, its mentions and links).
    #[error("the statement {statement:?} is written for {network}, not for a {target} account: pick the statement for {target}")]
    WrongNetwork {
        statement: String,
        network: String,
        target: String,
    },
    /// A playbook, the policy or a statement's slots did not pass their checks (their words).
    #[error("{detail}")]
    Invalid { detail: String },
    #[error("this draft has no text for that account yet")]
    NoVariant,
    #[error("the request's content does not match its own hash: damaged")]
    RequestDamaged,
    #[error("you wrote this post: you cannot approve it yourself")]
    SelfApproval,
    #[error("you do not have the role {role:?} in the roster (yours: {})", if yours.is_empty() { "none".to_string() } else { yours.join(", ") })]
    NotYourRole { role: String, yours: Vec<String> },
    #[error("{name} is not in the team roster: import their roster entry first (or this approval is forged)")]
    ApproverUnknown { name: String },
    #[error("{name} signed as {role:?} but the roster gives them {}", if roles.is_empty() { "no role".to_string() } else { roles.join(", ") })]
    RoleNotHeld {
        name: String,
        role: String,
        roles: Vec<String>,
    },
    #[error("this approval by {name} has expired")]
    Expired { name: String },
    #[error("you cannot approve your own post")]
    OwnApproval,
    #[error("the author approved their own post: not accepted")]
    AuthorApproved,
    #[error("this approval answers someone else's request")]
    SomeoneElsesRequest,
    #[error("the draft was edited after this approval was requested: request approval again")]
    DraftEdited,
    #[error("no draft for @{handle} matches this approval")]
    NoMatchingDraft { handle: String },
}

/// Does this set of (already verified) approvals meet the requirement? Duplicates by the same
/// person count once; the author never counts.
pub fn meets(req: &Requirement, approvers: &[Approver], author_key: &str) -> Result<(), Unmet> {
    let mut people: Vec<&Approver> = Vec::new();
    for a in approvers.iter().filter(|a| a.key != author_key) {
        if !people.iter().any(|p| p.key == a.key) {
            people.push(a);
        }
    }
    if people.len() < req.approvals as usize {
        return Err(Unmet::TooFew {
            needed: req.approvals,
            given: people.len(),
            because: req.because.clone(),
            expired: Vec::new(),
        });
    }
    // A role is held by any approval of a counted person, not only by the first one seen
    // (a communicator's approval and their legal pre-approval are one person, two roles).
    for role in &req.roles {
        let held = approvers
            .iter()
            .any(|a| a.key != author_key && &a.role == role);
        if !held {
            return Err(Unmet::Role {
                role: role.clone(),
                expired: Vec::new(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn situation(sens: Sensitivity, level: Level, autonomy: Autonomy) -> Situation {
        Situation {
            sensitivity: sens,
            level,
            autonomy,
            profile_kind: ProfileKind::Brand,
            handle: "acme@social.example".into(),
            audience: 1000,
        }
    }

    #[test]
    fn default_policy_follows_the_examples() {
        use Autonomy as A;
        use Level::*;
        use Sensitivity as S;
        let p = Policy::default();
        let cases = [
            (S::Medium, Calm, A::High, 0, vec![]),
            (S::Low, Watch, A::High, 0, vec![]),
            (S::Medium, Calm, A::Low, 1, vec![]),
            (S::High, Calm, A::Medium, 1, vec![]),
            (S::High, Calm, A::High, 0, vec![]),
            (S::Medium, Alert, A::High, 1, vec![]),
            (S::Low, Crisis, A::High, 2, vec!["legal".to_string()]),
        ];
        for (sens, level, autonomy, n, roles) in cases {
            let r = p.requirement(&situation(sens, level, autonomy));
            assert_eq!(
                (r.approvals, r.roles.clone()),
                (n, roles),
                "{sens:?} {level:?} {autonomy:?}: {r:?}"
            );
        }
    }

    #[test]
    fn account_and_audience_rules() {
        let p = Policy {
            rules: vec![
                Rule {
                    name: "CEO account".into(),
                    handles: vec!["ceo@social.example".into()],
                    approvals: 1,
                    roles: vec!["direction".into()],
                    ..Rule::default()
                },
                Rule {
                    name: "big audience".into(),
                    min_audience: Some(100_000),
                    approvals: 1,
                    ..Rule::default()
                },
            ],
        };
        let mut s = situation(Sensitivity::Low, Level::Calm, Autonomy::High);
        assert!(p.requirement(&s).is_none());
        s.handle = "ceo@social.example".into();
        assert_eq!(p.requirement(&s).roles, vec!["direction".to_string()]);
        s.handle = "acme@social.example".into();
        s.audience = 250_000;
        assert_eq!(p.requirement(&s).approvals, 1);
    }

    #[test]
    fn meeting_a_requirement() {
        let req = Requirement {
            approvals: 2,
            roles: vec!["legal".into()],
            because: vec!["crisis".into()],
        };
        let a = |k: &str, role: &str| Approver {
            key: k.into(),
            name: k.into(),
            role: role.into(),
        };
        assert!(meets(&req, &[a("k1", "communication"), a("k2", "legal")], "me").is_ok());
        // The same person twice counts once.
        let e = meets(&req, &[a("k2", "legal"), a("k2", "legal")], "me").unwrap_err();
        assert_eq!(
            e,
            Unmet::TooFew {
                needed: 2,
                given: 1,
                because: vec!["crisis".into()],
                expired: vec![],
            }
        );
        assert_eq!(e.to_string(), "2 approval(s) needed (crisis), 1 given");
        // One person's two approvals in two roles: the second role counts as well.
        let one_role = Requirement {
            approvals: 1,
            roles: vec!["legal".into()],
            because: vec![],
        };
        assert!(meets(
            &one_role,
            &[a("k2", "communication"), a("k2", "legal")],
            "me"
        )
        .is_ok());
        // The author's own role never counts.
        assert!(meets(
            &one_role,
            &[a("k1", "communication"), a("me", "legal")],
            "me"
        )
        .is_err());
        let with_expired = Unmet::TooFew {
            needed: 1,
            given: 0,
            because: vec!["crisis".into()],
            expired: vec!["Maître Durand".into()],
        };
        assert_eq!(
            with_expired.to_string(),
            "1 approval(s) needed (crisis), 0 given; expired: Maître Durand (ask again)"
        );
        assert_eq!(
            serde_json::to_value(&with_expired).unwrap()["expired"],
            serde_json::json!(["Maître Durand"])
        );
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"kind": "tooFew", "needed": 2, "given": 1, "because": ["crisis"]})
        );
        // No legal among them.
        let e = meets(
            &req,
            &[a("k1", "communication"), a("k3", "direction")],
            "me",
        )
        .unwrap_err();
        assert_eq!(
            e,
            Unmet::Role {
                role: "legal".into(),
                expired: vec![],
            }
        );
        assert!(e.to_string().contains("\"legal\""), "{e}");
        let with_expired = Unmet::Role {
            role: "legal".into(),
            expired: vec!["Maître Durand".into()],
        };
        assert_eq!(
            with_expired.to_string(),
            "an approval by someone with the role \"legal\" is needed; expired: Maître Durand (ask again)"
        );
        // The author's own approval never counts.
        let e = meets(&req, &[a("me", "legal"), a("k1", "communication")], "me").unwrap_err();
        assert!(matches!(e, Unmet::TooFew { given: 1, .. }), "{e}");
    }

    #[test]
    fn policy_round_trips_through_toml() {
        let p = Policy::default();
        let text = p.to_toml();
        assert!(text.contains("[[rule]]"), "{text}");
        assert_eq!(Policy::from_toml(&text).unwrap(), p);
        let e = Policy::from_toml("[[rule]]\nname = 'x'\napprovals = 1\nbogus = 2\n").unwrap_err();
        assert!(e.contains("bogus"), "{e}");
    }
}
