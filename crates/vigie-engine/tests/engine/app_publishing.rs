//! The application facade's publishing, against snac2 and a real store.

use crate::app::app;
use crate::support::*;

/// The app's publish gate is the approval policy: a post the policy requires approvals for is
/// refused until they are there; the UI's facade never bypasses it.
#[tokio::test]
async fn the_app_publishes_through_the_approval_policy() {
    use vigie_domain::publish::{Content, Network, ProfileKind};
    use vigie_engine::app::{ComposeRequest, ConnectRequest, ProfileSpec};
    let snac = Snac::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), NOW);
    let host = format!("localhost:{}", snac.port);
    let p = app
        .create_profile(&ProfileSpec {
            name: "Acme".into(),
            kind: ProfileKind::Brand,
            colour: "#c00000".into(),
            allowed_handles: vec![format!("alice@{host}")],
        })
        .unwrap();
    assert_eq!(app.active_profile().unwrap().unwrap().id, p.id);
    let acct = app
        .connect_account(
            serde_json::from_value::<ConnectRequest>(serde_json::json!({
                "profileId": p.id, "network": "mastodon", "server": snac.url(),
                "handle": "alice", "secret": snac.token,
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(acct.network, Network::Mastodon);
    let req = ComposeRequest {
        profile_id: p.id,
        account_id: acct.id,
        content: Content::text("Bonjour"),
        watch_id: None,
        typed_handle: None,
    };
    // A request naming another profile than the active one is refused by the engine.
    let other = app
        .create_profile(&ProfileSpec {
            name: "Perso".into(),
            kind: ProfileKind::Personal,
            colour: "#0060a0".into(),
            allowed_handles: vec![],
        })
        .unwrap();
    let stale = ComposeRequest {
        profile_id: other.id,
        ..req.clone()
    };
    let e = app.queue_post(&stale).unwrap_err();
    assert!(e.message.contains("active profile"), "{}", e.message);
    // Default policy, calm, medium autonomy: nothing required.
    let free = app.requirement(&req).unwrap();
    assert!(
        free.requirement.is_none() && free.unmet.is_none(),
        "{free:?}"
    );
    app.queue_post(&req).unwrap();
    // A policy that always wants a legal validator.
    app.save_policy(
        "[[rule]]\nname = \"toujours le juridique\"\napprovals = 1\nroles = [\"legal\"]\n",
    )
    .unwrap();
    let r = app.requirement(&req).unwrap();
    assert_eq!(
        (r.requirement.approvals, r.requirement.roles.clone()),
        (1, vec!["legal".to_string()])
    );
    // Not met: nobody has approved it.
    assert!(r.approved_by.is_empty());
    assert!(r.unmet.is_some(), "{r:?}");
    let e = app.queue_post(&req).unwrap_err();
    assert_eq!(e.code, "refused");
    assert!(e.message.contains("toujours le juridique"), "{}", e.message);
    // The refusal is in the audit log, which is intact.
    assert!(app
        .audit(50)
        .unwrap()
        .iter()
        .any(|e| e.kind == "post_refused"));
    assert_eq!(app.verify_audit().unwrap().broken, None);
}
