//! One watch's signal state: three detectors (all mentions, negative mentions, new voices),
//! the last two hours of bucket counts, and the level machine. Pure and serialisable: the
//! engine feeds it closed buckets and persists it in SQLite.

use crate::detector::{Detector, DetectorConfig, Observation};
use crate::level::{Evidence, LevelChange, LevelState, Sensitivity, Thresholds};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Counts of one closed 5-minute bucket of a watch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketCounts {
    pub start: i64,
    pub mentions: u32,
    pub negative: u32,
    /// Persisted states written before this field count none.
    #[serde(default)]
    pub positive: u32,
    pub anger: u32,
    /// Authors or outlets never seen on this watch before.
    pub new_voices: u32,
    /// Sensitive words of the watch found in this bucket's mentions.
    pub sensitive_words: Vec<String>,
}

/// A weak signal: one detector's alert pulse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeakSignal {
    pub series: String,
    pub observation: Observation,
}

/// What one bucket produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Step {
    pub weak_signals: Vec<WeakSignal>,
    pub change: Option<LevelChange>,
    pub evidence: Evidence,
}

const RING: usize = 24; // 2 hours of 5-minute buckets

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchSignals {
    pub volume: Detector,
    pub negative: Detector,
    pub new_voices: Detector,
    pub recent: VecDeque<BucketCounts>,
    pub level: LevelState,
    /// Start of the last bucket processed.
    pub last_bucket: Option<i64>,
}

impl Default for WatchSignals {
    fn default() -> Self {
        let cfg = DetectorConfig::default();
        WatchSignals {
            volume: Detector::new(cfg.clone()),
            negative: Detector::new(cfg.clone()),
            new_voices: Detector::new(cfg),
            recent: VecDeque::with_capacity(RING),
            level: LevelState::default(),
            last_bucket: None,
        }
    }
}

impl WatchSignals {
    pub fn step(&mut self, b: BucketCounts, sensitivity: Sensitivity, t: &Thresholds) -> Step {
        let volume = self.volume.observe(b.start, f64::from(b.mentions));
        let negative = self.negative.observe(b.start, f64::from(b.negative));
        let new_voices = self.new_voices.observe(b.start, f64::from(b.new_voices));
        self.last_bucket = Some(b.start);
        if self.recent.len() == RING {
            self.recent.pop_front();
        }
        self.recent.push_back(b);
        let last = |n: usize| self.recent.iter().rev().take(n);
        let sum = |n: usize, f: fn(&BucketCounts) -> u32| last(n).map(f).sum::<u32>();
        let mut words: Vec<String> = Vec::new();
        for w in self.recent.iter().flat_map(|b| b.sensitive_words.iter()) {
            if !words.contains(w) {
                words.push(w.clone());
            }
        }
        let evidence = Evidence {
            at: self.last_bucket.unwrap_or_default(),
            volume: Some(volume),
            negative: Some(negative),
            new_voices: Some(new_voices),
            mentions_1h: sum(12, |b| b.mentions),
            negative_1h: sum(12, |b| b.negative),
            positive_1h: sum(12, |b| b.positive),
            anger_1h: sum(12, |b| b.anger),
            last_30m: sum(6, |b| b.mentions),
            prev_30m: self
                .recent
                .iter()
                .rev()
                .skip(6)
                .take(6)
                .map(|b| b.mentions)
                .sum(),
            new_voices_2h: sum(RING, |b| b.new_voices),
            sensitive_words: words,
        };
        let weak_signals = [
            ("volume", volume),
            ("negative", negative),
            ("new_voices", new_voices),
        ]
        .into_iter()
        .filter(|(_, o)| o.alert)
        .map(|(s, o)| WeakSignal {
            series: s.into(),
            observation: o,
        })
        .collect();
        let change = self.level.step(&evidence, sensitivity, t);
        Step {
            weak_signals,
            change,
            evidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::Level;

    #[test]
    fn a_burst_after_quiet_days_raises_a_weak_signal_and_the_level() {
        let mut w = WatchSignals::default();
        let t = Thresholds::default();
        let start = 1_700_000_000 - 1_700_000_000 % 300;
        // Three quiet days: about 2 mentions per bucket, no negativity.
        for i in 0..(3 * 288) {
            let s = w.step(
                BucketCounts {
                    start: start + i * 300,
                    mentions: (i % 3) as u32 + 1,
                    ..Default::default()
                },
                Sensitivity::Medium,
                &t,
            );
            assert!(s.change.is_none(), "bucket {i}: {:?}", s.change);
        }
        // A burst: many negative, angry mentions with sensitive words.
        let mut changes = vec![];
        let mut weak = 0;
        for k in 0..6 {
            let b = BucketCounts {
                start: start + (3 * 288 + k) * 300,
                mentions: 40,
                negative: 30,
                positive: 2,
                anger: 8,
                new_voices: 5,
                sensitive_words: vec!["boycott".into()],
            };
            let s = w.step(b, Sensitivity::High, &t);
            weak += s.weak_signals.len();
            changes.extend(s.change.map(|c| c.to));
        }
        assert!(weak >= 1, "the detectors pulse");
        assert_eq!(changes.last(), Some(&Level::Crisis), "{changes:?}");
        // The state stays small and round-trips through JSON (persisted in SQLite).
        let json = serde_json::to_string(&w).unwrap();
        assert!(json.len() < 16 * 1024, "{}", json.len());
        assert_eq!(serde_json::from_str::<WatchSignals>(&json).unwrap(), w);
    }
}
