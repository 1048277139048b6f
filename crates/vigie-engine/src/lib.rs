//! Vigie's engine: listening to the web. The poller takes due sources from the store, the
//! fetchers (feeds, Mastodon, Bluesky) bring entries, ingest normalises, dedupes, matches
//! every watch and stores them. Every background task is owned by an [`Engine`] that stops it.

pub mod app;
pub mod approvals;
pub mod bluesky;
pub mod feed;
pub mod fetch;
mod folder_lock;
pub mod ingest;
pub mod mastodon;
pub mod normalize;
pub mod notify;
pub mod poller;
pub mod publish;
mod runner;
pub mod signals;

pub use poller::{PollReport, Poller, PollerConfig};
pub use runner::{Clock, CycleReport, Engine, SignalPass, SystemClock};
