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
    /// For each of the last buckets (newest last, as many as `recent` since this field was
    /// added): the volume and negative detectors' expected counts.
    #[serde(default)]
    pub recent_expected: VecDeque<(f64, f64)>,
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
            recent_expected: VecDeque::with_capacity(RING),
            level: LevelState::default(),
            last_bucket: None,
        }
    }
}

/// Appends to a ring of the last [`RING`] buckets, dropping the oldest when full.
fn push_capped<T>(ring: &mut VecDeque<T>, item: T) {
    if ring.len() == RING {
        ring.pop_front();
    }
    ring.push_back(item);
}

impl WatchSignals {
    pub fn step(&mut self, b: BucketCounts, sensitivity: Sensitivity, t: &Thresholds) -> Step {
        let volume = self.volume.observe(b.start, f64::from(b.mentions));
        let negative = self.negative.observe(b.start, f64::from(b.negative));
        let new_voices = self.new_voices.observe(b.start, f64::from(b.new_voices));
        self.last_bucket = Some(b.start);
        push_capped(&mut self.recent, b);
        push_capped(
            &mut self.recent_expected,
            (volume.expected, negative.expected),
        );
        // What the detectors expected over the hour the counts cover, once every bucket of
        // it has its expectation (a state persisted before this was kept lacks them).
        let hour = self.recent.len().min(12);
        let expected_1h = (self.recent_expected.len() >= hour).then(|| {
            let last = self.recent_expected.iter().rev().take(hour);
            last.fold((0.0, 0.0), |(v, n), (ev, en)| (v + ev, n + en))
        });
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
            expected_1h: expected_1h.map(|e| e.0),
            negative_expected_1h: expected_1h.map(|e| e.1),
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

    /// A quiet brand (about one mention an hour) meets a steady hour of posts, three or four a
    /// bucket, two in five negative: each bucket alone reads under ×5 (smoothed by one
    /// mention), the hour well over ×8; read by the bucket it stopped at alert.
    fn quiet_then_steady_anger(w: &mut WatchSignals) -> Vec<Step> {
        let t = Thresholds::default();
        let start = 1_700_000_000 - 1_700_000_000 % 300;
        for i in 0..(7 * 288) {
            w.step(
                BucketCounts {
                    start: start + i * 300,
                    mentions: u32::from(i % 12 == 0),
                    ..Default::default()
                },
                Sensitivity::Medium,
                &t,
            );
        }
        (0..12)
            .map(|k| {
                let b = BucketCounts {
                    start: start + (7 * 288 + k) * 300,
                    mentions: 3 + (k % 2) as u32,
                    negative: 1 + u32::from(k % 2 == 0),
                    new_voices: 1,
                    ..Default::default()
                };
                w.step(b, Sensitivity::Medium, &t)
            })
            .collect()
    }

    #[test]
    fn a_steady_surge_on_a_quiet_brand_is_read_over_the_hour() {
        let mut w = WatchSignals::default();
        let steps = quiet_then_steady_anger(&mut w);
        let last = steps.last().unwrap();
        let bucket = last.evidence.volume.as_ref().unwrap();
        assert!(bucket.ratio < 5.0, "{bucket:?}");
        let volume = last
            .evidence
            .expected_1h
            .map(|x| (f64::from(last.evidence.mentions_1h) + 1.0) / (x + 1.0))
            .unwrap();
        assert!(volume >= 8.0, "{volume}");
        assert_eq!(w.level.level, Level::Crisis, "{:?}", w.level);
        let reasons = &w.level.last_reasons;
        assert!(
            reasons
                .iter()
                .any(|r| matches!(r, crate::level::Reason::Volume { ratio, .. } if *ratio >= 8.0)),
            "{reasons:?}"
        );
        // A state persisted before the hour's expectations were kept reads the bucket alone
        // until it has an hour of them (never an hour of counts against one expectation).
        let mut old = WatchSignals::default();
        quiet_then_steady_anger(&mut old);
        old.recent_expected.clear();
        let json = serde_json::to_value(&old).unwrap();
        let mut json = json.as_object().unwrap().clone();
        json.remove("recent_expected");
        let mut upgraded: WatchSignals = serde_json::from_value(json.into()).unwrap();
        assert!(upgraded.recent_expected.is_empty());
        let next = |w: &mut WatchSignals, k: i64| {
            w.step(
                BucketCounts {
                    start: old.last_bucket.unwrap() + 300 * k,
                    mentions: 3,
                    ..Default::default()
                },
                Sensitivity::Medium,
                &Thresholds::default(),
            )
        };
        for k in 1..12 {
            assert_eq!(
                next(&mut upgraded, k).evidence.expected_1h,
                None,
                "bucket {k}"
            );
        }
        // An hour on, the hour's expectation is back: the sum over the same 12 buckets.
        let s = next(&mut upgraded, 12);
        let want: f64 = upgraded.recent_expected.iter().map(|e| e.0).sum();
        assert_eq!(upgraded.recent_expected.len(), 12);
        assert_eq!(s.evidence.expected_1h, Some(want));
    }
}
