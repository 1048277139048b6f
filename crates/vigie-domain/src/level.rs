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

impl Thresholds {
    /// Checks the thresholds make sense (0 < watch < alert < crisis, and at least one quiet
    /// bucket before a level goes down: 0 would read as "at once" but acts as 1).
    pub fn validate(&self) -> Result<(), String> {
        if self.watch == 0 || self.watch >= self.alert || self.alert >= self.crisis {
            return Err(format!(
                "thresholds must rise: 0 < watch ({}) < alert ({}) < crisis ({})",
                self.watch, self.alert, self.crisis
            ));
        }
        if self.calm_down_buckets == 0 {
            return Err(
                "calm_down must be at least 1 (5-minute buckets before a level goes down)".into(),
            );
        }
        Ok(())
    }
}
