//! Approvals between two laptops (two data folders, two identities whose private keys are in
//! the real Secret Service), publishing to a real Mastodon API (snac2). Every refusal the
//! approval workflow promises is exercised here.

use crate::support::*;
use base64::Engine as _;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use vigie_domain::approval::{Autonomy, TeamRefusal, Unmet};
use vigie_domain::publish::{Content, PostProblem, ProfileKind, Refusal};
use vigie_domain::Level;
use vigie_engine::app::AppError;
use vigie_engine::approvals::{target_of, PolicyGate, Team, TeamError};
use vigie_engine::publish::{GateContext, PublishConfig, PublishError, Publisher};
use vigie_secrets::Sensitive;
use vigie_store::Store;

struct Laptop {
    _dir: tempfile::TempDir,
    store: Arc<Mutex<Store>>,
    team: Arc<Team>,
    publisher: Arc<Publisher>,
}

fn laptop(name: &str, clock: &Arc<ManualClock>) -> Laptop {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Mutex::new(Store::open_in(dir.path()).unwrap()));
    let prefix = unique_prefix(name);
    let team = Arc::new(Team::new(Arc::clone(&store), clock.clone(), &prefix));
    let publisher = Arc::new(Publisher::new(
        Arc::clone(&store),
        dir.path(),
        clock.clone(),
        &prefix,
        Arc::new(PolicyGate::new(Arc::clone(&team))),
    ));
    publisher.set_config(PublishConfig {
        undo_secs: 0,
        ..PublishConfig::default()
    });
    Laptop {
        _dir: dir,
        store,
        team,
        publisher,
    }
}

const PLAYBOOK: &str = r#"
name = "Rappel produit"
scenario = "product recall"
alert = ["legal"]
checklist = ["Suspendre les publications programmées"]

[[statement]]
id = "attente"
title = "Message d'attente"
text = "{brand} rappelle le lot {lot} par précaution. Infos : {link}"

[[statement]]
id = "attente-bluesky"
title = "Message d'attente (Bluesky)"
network = "bluesky"
text = "{brand} rappelle le lot {lot}. Infos : {link}"
"#;

/// The brand profile "Acme" on laptop `l`, allowed and connected to each (user, token) of
/// the snac2 instance, in order.
async fn acme(
    l: &Laptop,
    snac: &Snac,
    users: &[(&str, &str)],
) -> (i64, Vec<vigie_domain::publish::Account>) {
    let host = format!("localhost:{}", snac.port);
    let handles: Vec<String> = users.iter().map(|(u, _)| format!("{u}@{host}")).collect();
    let brand = l
        .publisher
        .create_profile("Acme", ProfileKind::Brand, "#c00000", &handles)
        .unwrap()
        .id;
    let mut accounts = Vec::new();
    for (user, token) in users {
        accounts.push(
            l.publisher
                .connect_mastodon_token(
                    brand,
                    &snac.url(),
                    Sensitive::new(token.to_string()),
                    Some(user),
                )
                .await
                .unwrap(),
        );
    }
    (brand, accounts)
}

/// Queues `text` for `account`, confirmed by a click; the refusal as data.
fn try_queue(l: &Laptop, profile: i64, account: i64, text: &str) -> Result<i64, PublishError> {
    queue_text(&l.publisher, profile, account, text).map(|p| p.id)
}

/// Why queueing `text` is refused, as data.
fn refusal_of(l: &Laptop, profile: i64, account: i64, text: &str) -> PublishError {
    try_queue(l, profile, account, text).unwrap_err()
}

/// [`try_queue`], the refusal in words.
fn queue(l: &Laptop, profile: i64, account: i64, text: &str) -> Result<i64, String> {
    try_queue(l, profile, account, text).map_err(|e| e.to_string())
}

/// Re-encodes an approval block's payload with one field changed, keeping the signature.
fn forge(block: &str, field: &str, value: serde_json::Value) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let inner = block
        .split("-----BEGIN VIGIE APPROVAL-----")
        .nth(1)
        .unwrap();
    let (payload, rest) = inner.split_once("-----SIGNATURE-----").unwrap();
    let clean: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    let mut v: serde_json::Value = serde_json::from_slice(&b64.decode(clean).unwrap()).unwrap();
    v[field] = value;
    format!(
        "-----BEGIN VIGIE APPROVAL-----\n{}\n-----SIGNATURE-----{rest}",
        b64.encode(serde_json::to_vec(&v).unwrap())
    )
}

#[tokio::test]
async fn two_laptops_request_approve_publish_and_every_refusal() {
    let snac = Snac::start().await;
    let (_, bob_token) = snac.add_user("bob").await;
    let clock = ManualClock::at(NOW);
    let a = laptop("author", &clock); // Camille, community manager
    let b = laptop("legal", &clock); // the legal validator
    let c = laptop("outsider", &clock); // not in the team

    a.team
        .create_identity("Camille", &["communication".into()], Autonomy::Low)
        .unwrap();
    b.team
        .create_identity("Maître Durand", &["legal".into()], Autonomy::High)
        .unwrap();
    c.team
        .create_identity("Intrus", &["legal".into()], Autonomy::High)
        .unwrap();
    // The roster travels by file.
    assert_eq!(
        a.team
            .import_roster(&b.team.export_roster().unwrap())
            .unwrap(),
        1
    );
    b.team
        .import_roster(&a.team.export_roster().unwrap())
        .unwrap();
    assert_eq!(a.team.roster().unwrap().len(), 2);
    // Nobody grants themselves autonomy or a role, directly or through an imported roster.
    let e = a
        .team
        .set_member("Camille", None, Some(Autonomy::High))
        .unwrap_err();
    assert!(e.to_string().contains("your own"), "{e}");
    let forged_roster = a
        .team
        .export_roster()
        .unwrap()
        .replace("autonomy = \"low\"", "autonomy = \"high\"");
    assert!(forged_roster.contains("autonomy = \"high\""));
    a.team.import_roster(&forged_roster).unwrap();
    assert_eq!(a.team.me().unwrap().autonomy, Autonomy::Low);

    // Laptop A publishes as alice (brand) and may also hold bob.
    let host = format!("localhost:{}", snac.port);
    let (brand, accounts) = acme(&a, &snac, &[("alice", &snac.token), ("bob", &bob_token)]).await;
    let [alice, bob] = <[_; 2]>::try_from(accounts).unwrap();

    // A draft, written together: two versions and a comment.
    let draft = a.team.create_draft("Réponse au rappel", None, &[]).unwrap();
    a.team
        .save_variant(
            draft.id,
            alice.id,
            &Content::text("Nous rappelons le lot 42."),
        )
        .unwrap();
    let text = "Nous rappelons le lot 42 par précaution.";
    a.team
        .save_variant(draft.id, alice.id, &Content::text(text))
        .unwrap();
    a.team
        .comment(draft.id, "Ajouter « par précaution » ?")
        .unwrap();
    {
        let s = a.store.lock().unwrap();
        let h = s.draft_history(draft.id).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].version, 2);
        assert_eq!(
            s.draft_comments(draft.id).unwrap()[0].author_name,
            "Camille"
        );
    }

    // Camille has low autonomy: one validator is needed.
    let e = queue(&a, brand, alice.id, text).unwrap_err();
    assert!(
        e.contains("not approved") && e.contains("1 approval"),
        "{e}"
    );
    // The same refusal as data, for the UI's wording.
    let refusal = refusal_of(&a, brand, alice.id, text);
    match refusal {
        PublishError::Refused(Refusal::NotApproved {
            handle,
            unmet:
                Unmet::TooFew {
                    needed,
                    given,
                    because,
                    expired,
                },
            has_identity,
        }) => {
            assert_eq!(handle, format!("alice@{host}"));
            assert_eq!((needed, given, has_identity), (1, 0, true));
            assert_eq!(because, vec!["author without autonomy: one validator"]);
            assert!(expired.is_empty());
        }
        other => panic!("{other:?}"),
    }

    // Request → validator reviews the exact content and target → signs.
    let request = a.team.request(draft.id, alice.id).unwrap();
    assert!(request.starts_with("-----BEGIN VIGIE APPROVAL REQUEST-----"));
    let seen = b.team.review(&request).unwrap();
    assert_eq!(seen.content.text, text);
    assert_eq!(seen.target.handle, format!("alice@{host}"));
    assert_eq!(seen.author_name, "Camille");
    // No self-approval, at signing time…
    let e = a.team.approve(&request, "communication", 3600).unwrap_err();
    assert!(e.to_string().contains("cannot approve it yourself"), "{e}");
    assert!(
        matches!(e, TeamError::Refused(TeamRefusal::SelfApproval)),
        "{e:?}"
    );
    // …nor a role the validator does not have.
    let e = b.team.approve(&request, "direction", 3600).unwrap_err();
    assert!(e.to_string().contains("role"), "{e}");
    let json = serde_json::to_value(AppError::from(e)).unwrap();
    assert_eq!(
        json["team"],
        serde_json::json!({"kind": "notYourRole", "role": "direction", "yours": ["legal"]}),
        "{json}"
    );
    let approval = b.team.approve(&request, "legal", 3600).unwrap();

    // Forged: the expiry pushed back by hand, the signature kept.
    let forged = forge(&approval, "expiresAt", serde_json::json!(NOW + 999_999));
    let e = a.team.import_approval(&forged).unwrap_err();
    assert_eq!(e.code(), "bad_signature", "{e}");
    // Something else pasted: said as data, for the UI's wording.
    let e = a
        .team
        .import_approval("Bonjour, voici ma validation")
        .unwrap_err();
    let json = serde_json::to_value(AppError::from(e)).unwrap();
    assert_eq!(
        (&json["code"], &json["what"], &json["key"]),
        (
            &serde_json::json!("invalid"),
            &serde_json::json!("not_a_block"),
            &serde_json::json!("APPROVAL")
        ),
        "{json}"
    );
    // From someone outside the roster.
    c.team
        .import_roster(&a.team.export_roster().unwrap())
        .unwrap();
    let outsider = c.team.approve(&request, "legal", 3600).unwrap();
    let e = a.team.import_approval(&outsider).unwrap_err();
    assert!(e.to_string().contains("not in the team roster"), "{e}");
    assert!(
        matches!(&e, TeamError::Refused(TeamRefusal::ApproverUnknown { .. })),
        "{e:?}"
    );

    // What the composer shows: the requirement, not met yet, nobody has approved.
    let content = Content::text(text);
    let hash = content.hash();
    let ctx = GateContext {
        content: &content,
        content_hash: &hash,
        account: &alice,
        profile_kind: ProfileKind::Brand,
        level: Level::Calm,
        watch_id: None,
        now: NOW,
    };
    let before = a.team.approval_status(&ctx).unwrap();
    assert_eq!(before.requirement.approvals, 1);
    assert!(before.approved_by.is_empty());
    assert!(
        matches!(before.unmet, Some(Unmet::TooFew { given: 0, .. })),
        "{before:?}"
    );
    // The real one is accepted; importing it again is a replay.
    a.team.import_approval(&approval).unwrap();
    // Now it is met, and says by whom.
    let after = a.team.approval_status(&ctx).unwrap();
    assert_eq!(after.unmet, None, "{after:?}");
    assert_eq!(after.approved_by, vec!["Maître Durand (legal)".to_string()]);
    let json = serde_json::to_value(&after).unwrap();
    assert_eq!(
        (&json["approvals"], &json["approvedBy"], &json["unmet"]),
        (
            &serde_json::json!(1),
            &serde_json::json!(["Maître Durand (legal)"]),
            &serde_json::Value::Null
        ),
        "{json}"
    );
    let e = a.team.import_approval(&approval).unwrap_err();
    assert!(e.to_string().contains("replay"), "{e}");

    // Approved for alice, not for bob.
    let e = queue(&a, brand, bob.id, text).unwrap_err();
    assert!(e.contains("not approved"), "{e}");
    // An edit voids it.
    let e = queue(&a, brand, alice.id, &format!("{text} ")).unwrap_err();
    assert!(e.contains("not approved"), "{e}");
    // The exact content for the exact account goes out, once.
    queue(&a, brand, alice.id, text).unwrap();
    assert_eq!(a.publisher.deliver_due().await.sent, 1);
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 1);
    assert!(snac.statuses_of(&bob_token).await.is_empty());
    // The approval is spent: the same text again needs a new one.
    let e = queue(&a, brand, alice.id, text).unwrap_err();
    assert!(e.contains("not approved"), "{e}");

    // Edited after the approval was requested: refused at import.
    let d2 = a.team.create_draft("Deuxième réponse", None, &[]).unwrap();
    a.team
        .save_variant(d2.id, alice.id, &Content::text("Version relue"))
        .unwrap();
    let req2 = a.team.request(d2.id, alice.id).unwrap();
    let ok2 = b.team.approve(&req2, "legal", 120).unwrap();
    a.team
        .save_variant(
            d2.id,
            alice.id,
            &Content::text("Version relue, puis modifiée"),
        )
        .unwrap();
    let e = a.team.import_approval(&ok2).unwrap_err();
    assert!(e.to_string().contains("edited after"), "{e}");
    assert!(
        matches!(e, TeamError::Refused(TeamRefusal::DraftEdited)),
        "{e:?}"
    );

    // Expired: imported in time, expired before it could be used.
    a.team
        .save_variant(d2.id, alice.id, &Content::text("Version relue"))
        .unwrap();
    a.team.import_approval(&ok2).unwrap();
    queue(&a, brand, alice.id, "Version relue").unwrap();
    a.publisher.set_config(PublishConfig {
        undo_secs: 0,
        ..PublishConfig::default()
    });
    clock.advance(200);
    let report = a.publisher.deliver_due().await;
    assert_eq!(report.failed, 1, "fail closed at send time: {report:?}");
    let last = a.publisher.outbox(1).unwrap().remove(0);
    // It says whose approval expired, not only "0 given".
    let error = last.last_error.clone().unwrap();
    assert!(
        error.contains("not approved") && error.contains("expired: Maître Durand"),
        "{error}"
    );
    assert!(
        matches!(
            &last.last_problem,
            Some(PostProblem::NotSent {
                refusal: Refusal::NotApproved { .. }
            })
        ),
        "{:?}",
        last.last_problem
    );
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 1);
    // And an expired approval is refused at import.
    let req3 = a.team.request(d2.id, alice.id).unwrap();
    let short = b.team.approve(&req3, "legal", 60).unwrap();
    clock.advance(61);
    let e = a.team.import_approval(&short).unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");
    assert!(
        matches!(&e, TeamError::Refused(TeamRefusal::Expired { name }) if name == "Maître Durand"),
        "{e:?}"
    );

    // The roster on A says Durand is "communication" now: a "legal" approval is refused.
    a.team
        .set_member("Maître Durand", Some(vec!["communication".into()]), None)
        .unwrap();
    let req4 = a.team.request(d2.id, alice.id).unwrap();
    let wrong_role = b.team.approve(&req4, "legal", 3600).unwrap();
    let e = a.team.import_approval(&wrong_role).unwrap_err();
    assert!(
        e.to_string().contains("roster gives them communication"),
        "{e}"
    );
    assert_eq!(
        serde_json::to_value(AppError::from(e)).unwrap()["team"],
        serde_json::json!({"kind": "roleNotHeld", "name": "Maître Durand", "role": "legal", "roles": ["communication"]})
    );
    a.team
        .set_member("Maître Durand", Some(vec!["legal".into()]), None)
        .unwrap();

    // Playbooks: a statement pre-approved for alice up to "alert"; slots filled → no request.
    a.team.import_playbook(PLAYBOOK).unwrap();
    b.team.import_playbook(PLAYBOOK).unwrap();
    let pre = b
        .team
        .pre_approve(
            "Rappel produit",
            "attente",
            &target_of(&alice),
            Level::Alert,
            "legal",
            86_400,
        )
        .unwrap();
    a.team.import_approval(&pre).unwrap();
    let slots: BTreeMap<String, String> = [
        ("brand", "Acme"),
        ("lot", "43"),
        ("link", "https://acme.example/rappel"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let d3 = a
        .team
        .use_statement("Rappel produit", "attente", &slots, alice.id, None)
        .unwrap();
    // A statement written for Bluesky is neither used nor pre-approved for a Mastodon account.
    for e in [
        a.team
            .use_statement("Rappel produit", "attente-bluesky", &slots, alice.id, None)
            .unwrap_err(),
        b.team
            .pre_approve(
                "Rappel produit",
                "attente-bluesky",
                &target_of(&alice),
                Level::Alert,
                "legal",
                86_400,
            )
            .unwrap_err(),
    ] {
        assert!(e.to_string().contains("written for bluesky"), "{e}");
    }
    // A sentence slipped into a slot is no longer the pre-approved statement.
    let hijacked = "Nous avons fait faillite. Acme rappelle le lot 43 par précaution. Infos : https://acme.example/rappel";
    let e = queue(&a, brand, alice.id, hijacked).unwrap_err();
    assert!(e.contains("not approved"), "{e}");
    let filled = d3.variants[0].content.text.clone();
    assert_eq!(
        filled,
        "Acme rappelle le lot 43 par précaution. Infos : https://acme.example/rappel"
    );
    queue(&a, brand, alice.id, &filled).unwrap();
    assert_eq!(a.publisher.deliver_due().await.sent, 1);
    assert_eq!(snac.statuses_of(&snac.token).await.len(), 2);
    // Editing the fixed text voids the pre-approval; it was not for bob either.
    let e = queue(&a, brand, alice.id, &filled.replace("par précaution", "")).unwrap_err();
    assert!(e.contains("not approved"), "{e}");
    let e = queue(&a, brand, bob.id, &filled).unwrap_err();
    assert!(e.contains("not approved"), "{e}");
    // A pre-approval is reusable until it expires; then it is refused.
    queue(&a, brand, alice.id, &filled.replace("43", "44")).unwrap();
    clock.advance(86_400);
    let e = queue(&a, brand, alice.id, &filled.replace("43", "45")).unwrap_err();
    assert!(e.contains("not approved"), "{e}");

    // Everything is in A's audit log, and the chain is intact.
    let s = a.store.lock().unwrap();
    let report = s.verify_audit().unwrap();
    assert_eq!(report.broken, None);
    let kinds: Vec<String> = s
        .audit_entries(500)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for k in [
        "draft_created",
        "draft_edited",
        "draft_commented",
        "approval_requested",
        "approval_imported",
        "approval_refused",
        "pre_approval_imported",
        "post_refused",
        "post_queued",
        "post_attempt",
        "post_sent",
        "post_failed",
        "approvals_used",
        "account_connected",
    ] {
        assert!(
            kinds.iter().any(|x| x == k),
            "{k} missing from the audit log: {kinds:?}"
        );
    }
}

/// A post that needs legal, approved by the legal validator long ago (expired) and by them
/// today as communication: the refusal names the missing role and whose approval in it lapsed.
#[tokio::test]
async fn a_missing_role_names_whose_approval_in_it_expired() {
    let snac = Snac::start().await;
    let clock = ManualClock::at(NOW);
    let a = laptop("author-role", &clock);
    let b = laptop("legal-role", &clock);
    a.team
        .create_identity("Camille", &["communication".into()], Autonomy::Low)
        .unwrap();
    b.team
        .create_identity(
            "Maître Durand",
            &["legal".into(), "communication".into()],
            Autonomy::High,
        )
        .unwrap();
    a.team
        .import_roster(&b.team.export_roster().unwrap())
        .unwrap();
    b.team
        .import_roster(&a.team.export_roster().unwrap())
        .unwrap();
    a.team
        .set_policy(
            "[[rule]]\nname = \"toujours le juridique\"\napprovals = 1\nroles = [\"legal\"]\n",
        )
        .unwrap();
    let (brand, accounts) = acme(&a, &snac, &[("alice", &snac.token)]).await;
    let alice = &accounts[0];
    let text = "Nous rappelons le lot 42.";
    let draft = a.team.create_draft("Rappel", None, &[]).unwrap();
    a.team
        .save_variant(draft.id, alice.id, &Content::text(text))
        .unwrap();
    let request = a.team.request(draft.id, alice.id).unwrap();
    // Legal, valid ten minutes; communication, valid a day.
    let legal = b.team.approve(&request, "legal", 600).unwrap();
    a.team.import_approval(&legal).unwrap();
    clock.advance(601);
    let comms = b.team.approve(&request, "communication", 86_400).unwrap();
    a.team.import_approval(&comms).unwrap();
    let refusal = refusal_of(&a, brand, alice.id, text);
    match &refusal {
        PublishError::Refused(Refusal::NotApproved {
            unmet: Unmet::Role { role, expired },
            ..
        }) => {
            assert_eq!(role, "legal");
            assert_eq!(expired, &vec!["Maître Durand".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        refusal
            .to_string()
            .contains("role \"legal\" is needed; expired: Maître Durand (ask again)"),
        "{refusal}"
    );
    // Legal again, in time: it goes.
    let legal = b.team.approve(&request, "legal", 600).unwrap();
    a.team.import_approval(&legal).unwrap();
    queue(&a, brand, alice.id, text).unwrap();
}
