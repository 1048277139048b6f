//! Crisis levels and the thresholds a user sets per watch (the rules live in vigie-signals).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Calm,
    Watch,
    Alert,
    Crisis,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Calm => "calm",
            Level::Watch => "watch",
            Level::Alert => "alert",
            Level::Crisis => "crisis",
        }
    }

    /// One step down (crisis → alert → watch → calm).
    pub fn down(self) -> Level {
        match self {
            Level::Crisis => Level::Alert,
            Level::Alert => Level::Watch,
            _ => Level::Calm,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = crate::ParseEnumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "calm" => Ok(Level::Calm),
            "watch" => Ok(Level::Watch),
            "alert" => Ok(Level::Alert),
            "crisis" => Ok(Level::Crisis),
            _ => Err(crate::ParseEnumError {
                what: "level",
                value: s.into(),
                expected: "calm, watch, alert, crisis",
            }),
        }
    }
}

/// Thresholds a user can adjust per watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Points needed to reach each level.
    pub watch: u32,
    pub alert: u32,
    pub crisis: u32,
    /// Below this many mentions in the last hour, volume ratios earn no points (three
    /// mentions instead of one is not a crisis) and the level stops at vigilance; below
    /// twice this many, at alert.
    pub min_mentions_per_hour: u32,
    /// Buckets (5 min) in a row below a level before going down one step.
    pub calm_down_buckets: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            watch: 2,
            alert: 4,
            crisis: 7,
            min_mentions_per_hour: 6,
            calm_down_buckets: 12,
        }
    }
}

/// The longest calm a level waits for before it goes down one step: 24 h of 5-minute buckets
/// (a longer wait would hold a level for days after its storm).
pub const MAX_CALM_DOWN_BUCKETS: u32 = 288;

impl Thresholds {
    /// Checks the thresholds make sense (0 < watch < alert < crisis, and from one quiet bucket
    /// (0 would read as "at once" but acts as 1) to a day of them before a level goes down).
    pub fn validate(&self) -> Result<(), String> {
        if self.watch == 0 || self.watch >= self.alert || self.alert >= self.crisis {
            return Err(format!(
                "thresholds must rise: 0 < watch ({}) < alert ({}) < crisis ({})",
                self.watch, self.alert, self.crisis
            ));
        }
        if !(1..=MAX_CALM_DOWN_BUCKETS).contains(&self.calm_down_buckets) {
            return Err(format!(
                "calm_down must be from 1 to {MAX_CALM_DOWN_BUCKETS} (5-minute buckets of calm before a level goes down; {MAX_CALM_DOWN_BUCKETS} is 24 h), not {}",
                self.calm_down_buckets
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_rise_and_calm_down_lasts_one_bucket_to_a_day() {
        let ok = Thresholds::default();
        assert_eq!(ok.validate(), Ok(()));
        let with = |calm_down_buckets| Thresholds {
            calm_down_buckets,
            ..Thresholds::default()
        };
        assert_eq!(with(1).validate(), Ok(()));
        assert_eq!(with(MAX_CALM_DOWN_BUCKETS).validate(), Ok(()));
        for bad in [0, MAX_CALM_DOWN_BUCKETS + 1, 100_000] {
            let e = with(bad).validate().unwrap_err();
            assert!(e.starts_with("calm_down must be from 1 to 288"), "{e}");
            assert!(e.ends_with(&format!("not {bad}")), "{e}");
        }
        let e = Thresholds { alert: 2, ..ok }.validate().unwrap_err();
        assert!(e.starts_with("thresholds must rise"), "{e}");
    }
}
