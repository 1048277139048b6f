//! Engine integration tests against real servers on 127.0.0.1.
//! nginx: fixture feeds and HTTP behaviours; snac2: Mastodon API; the Bluesky PDS + AppView.

mod app;
mod app_publishing;
mod approvals;
mod bluesky;
mod feeds;
mod lifecycle;
mod mastodon;
mod mastodon_rig;
mod publish_accounts;
mod publish_bluesky;
mod publish_delivery;
mod publish_mastodon;
mod redirects;
mod signals;
mod signals_evidence;
mod support;
