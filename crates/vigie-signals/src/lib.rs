//! Vigie's signal detection on bucketed mention series (pure Rust, no I/O except the
//! NAB replay helper).
//!
//! * [`detector`]: the streaming weak-signal detector ([`Detector`]), one per series
//!   (all mentions, negative mentions, new authors/sources of a watch);
//! * [`bucket`]: event times → 5-minute bucket counts, empty buckets included;
//! * [`nab`]: replay of the NAB Twitter benchmark through the same detector.

pub mod bucket;
pub mod detector;
pub mod nab;

pub use bucket::{bucketize, Bucket, Bucketizer};
pub use detector::{Detector, DetectorConfig, Observation};
pub use nab::{replay_nab_dir, NabReplayStats};
pub mod level;
pub use level::{
    explain, level_label, Evidence, Lang, Level, LevelChange, LevelState, Reason, Thresholds,
};
pub mod watch;
pub use watch::{BucketCounts, Step, WatchSignals, WeakSignal};
