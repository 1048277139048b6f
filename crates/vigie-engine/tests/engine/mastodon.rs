//! Mastodon tag timelines against snac2 (a real server speaking the Mastodon API).

use crate::support::*;
use vigie_domain::SourceKind;

/// Adds the instance's #danone timeline as a source; returns its id.
fn danone_tag(p: &vigie_engine::Poller, snac: &Snac) -> i64 {
    with_store(p, |s| {
        s.add_source(
            "",
            &SourceKind::MastodonTag {
                instance: snac.url(),
                tag: "danone".into(),
            },
            300,
            NOW,
        )
        .unwrap()
        .id
    })
}

#[tokio::test]
async fn tag_timeline_is_polled_with_min_id_paging_and_no_duplicates() {
    let snac = Snac::start().await;
    snac.post("Le #danone rappel continue, scandale à l'usine")
        .await;
    snac.post("Encore un post sur #Danone").await;
    snac.post("Rien à voir #meteo").await;
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let id = danone_tag(&p, &snac);
    let r = p.poll_once(NOW).await.unwrap();
    assert_eq!((r.new_mentions, r.errors.len()), (2, 0), "{r:?}");
    let (_, st) = with_store(&p, |s| s.source(id).unwrap());
    let cursor = st
        .cursor
        .clone()
        .expect("the newest status id is remembered");
    // New posts: only they come back (min_id paging), nothing twice.
    snac.post("Troisième #danone, avec un lien").await;
    with_store(&p, |s| s.check_now(id, NOW + 1).unwrap());
    let r2 = p.poll_once(NOW + 1).await.unwrap();
    assert_eq!((r2.new_mentions, r2.duplicates), (1, 0), "{r2:?}");
    let st2 = with_store(&p, |s| s.source(id).unwrap().1);
    assert_ne!(
        st2.cursor.as_deref(),
        Some(cursor.as_str()),
        "the cursor moved forward"
    );
    let all = source_mentions(&p, id);
    assert_eq!(all.len(), 3);
    let m = all.iter().find(|m| m.text.contains("scandale")).unwrap();
    assert!(
        m.author.as_deref().unwrap().contains("@alice"),
        "{:?}",
        m.author
    );
    assert!(
        m.url.as_deref().unwrap().starts_with("http://localhost:"),
        "{:?}",
        m.url
    );
    assert!(
        m.html.as_deref().unwrap().contains("<a "),
        "links kept, sanitised"
    );
    // Nothing new: an empty page, no error.
    with_store(&p, |s| s.check_now(id, NOW + 2).unwrap());
    let r3 = p.poll_once(NOW + 2).await.unwrap();
    assert_eq!((r3.new_mentions, r3.failed), (0, 0));
}

#[tokio::test]
async fn a_copy_paste_campaign_counts_each_account_once() {
    let snac = Snac::start().await;
    let (_, bob) = snac.add_user("bob").await;
    let (_, carol) = snac.add_user("carol").await;
    let campaign = "Boycott #danone, honte à vous !";
    // Three accounts post the same words; alice also repeats herself.
    snac.post(campaign).await;
    snac.post_as(&bob, campaign).await;
    snac.post_as(&carol, campaign).await;
    snac.post(campaign).await;
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let id = danone_tag(&p, &snac);
    let r = p.poll_once(NOW).await.unwrap();
    // Three voices: one mention per account; alice's second copy is her own duplicate.
    assert_eq!((r.new_mentions, r.duplicates, r.failed), (3, 1, 0), "{r:?}");
    let authors: Vec<String> = source_mentions(&p, id)
        .into_iter()
        .filter_map(|m| m.author)
        .collect();
    assert_eq!(authors.len(), 3, "{authors:?}");
    for name in ["@alice", "@bob", "@carol"] {
        assert!(authors.iter().any(|a| a.contains(name)), "{authors:?}");
    }
}

#[tokio::test]
async fn a_busy_tag_is_read_page_after_page_until_caught_up() {
    let snac = Snac::start().await;
    snac.post("Premier post #danone").await;
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let id = danone_tag(&p, &snac);
    let r = p.poll_once(NOW).await.unwrap();
    assert_eq!((r.new_mentions, r.failed), (1, 0), "{r:?}");
    // A burst between two polls: more than one page (the engine asks 40 at a time).
    for i in 0..45 {
        snac.post(&format!("#danone, message numéro {i} de la vague"))
            .await;
    }
    with_store(&p, |s| s.check_now(id, NOW + 1).unwrap());
    let r = p.poll_once(NOW + 1).await.unwrap();
    assert_eq!(
        (r.new_mentions, r.duplicates, r.failed),
        (45, 0, 0),
        "{r:?}"
    );
    // Caught up: nothing new, nothing twice.
    with_store(&p, |s| s.check_now(id, NOW + 2).unwrap());
    let r = p.poll_once(NOW + 2).await.unwrap();
    assert_eq!((r.new_mentions, r.duplicates, r.failed), (0, 0, 0), "{r:?}");
    assert_eq!(with_store(&p, |s| s.mention_count().unwrap()), 46);
}

#[tokio::test]
async fn a_dead_mastodon_instance_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = poller(dir.path(), fast_fetch());
    let port = free_port();
    let id = with_store(&p, |s| {
        s.add_source(
            "",
            &SourceKind::MastodonTag {
                instance: format!("http://127.0.0.1:{port}"),
                tag: "x".into(),
            },
            300,
            NOW,
        )
        .unwrap()
        .id
    });
    p.poll_once(NOW).await.unwrap();
    let st = with_store(&p, |s| s.source(id).unwrap().1);
    assert!(st
        .last_error
        .unwrap()
        .contains("could not reach the server"));
}
