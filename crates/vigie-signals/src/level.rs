//! Crisis levels: calm → watch → alert → crisis, computed from a watch's signals with
//! hysteresis, and explained in words a person understands (French and English).
//!
//! Each closed 5-minute bucket gives [`Evidence`]: the detectors' observations and counts
//! over the last hour or two. Evidence becomes **points** (volume vs the usual, negative
//! volume, negative share, acceleration, anger, sensitive words, new voices, weak-signal
//! pulses, the watch's sensitivity). Points reaching a level's threshold raise the level at
//! once; the level goes down one step only after the points stayed below that level's
//! threshold for `calm_down_buckets` buckets in a row, so it does not flap. Praise is not a
//! crisis: a busy hour that is mostly positive (≥ 50 %), under 10 % negative, with no
//! negative reason, anger or sensitive word, stops at vigilance and says so. Nor is a
//! handful of posts: under `min_mentions_per_hour` mentions in the last hour the level stops
//! at vigilance, under twice that at alert, and the explanation says so.

use crate::detector::Observation;
use serde::{Deserialize, Serialize};

pub use vigie_domain::{Level, Sensitivity, Thresholds};

/// A level's name in French or English.
pub fn level_label(level: Level, lang: Lang) -> &'static str {
    match (level, lang) {
        (Level::Calm, Lang::Fr) => "calme",
        (Level::Watch, Lang::Fr) => "vigilance",
        (Level::Alert, Lang::Fr) => "alerte",
        (Level::Crisis, Lang::Fr) => "crise",
        (l, Lang::En) => l.as_str(),
    }
}

/// The language of an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    En,
}

/// What one closed bucket says about a watch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Bucket start (unix seconds, UTC).
    pub at: i64,
    pub volume: Option<Observation>,
    pub negative: Option<Observation>,
    pub new_voices: Option<Observation>,
    /// Counts over the last hour.
    pub mentions_1h: u32,
    pub negative_1h: u32,
    #[serde(default)]
    pub positive_1h: u32,
    pub anger_1h: u32,
    /// Mentions in the last 30 minutes, and in the 30 minutes before.
    pub last_30m: u32,
    pub prev_30m: u32,
    /// Authors or outlets never seen on this watch before, over the last 2 hours.
    pub new_voices_2h: u32,
    /// Sensitive words of the watch found in the last 2 hours.
    pub sensitive_words: Vec<String>,
    /// What the volume and negative detectors expected over the hour `mentions_1h` and
    /// `negative_1h` cover; none when unknown.
    #[serde(default)]
    pub expected_1h: Option<f64>,
    #[serde(default)]
    pub negative_expected_1h: Option<f64>,
}

/// The ratio a level scores: the bucket's or, on a quiet watch, the hour's when it is higher.
/// A 5-minute bucket's ratio is smoothed by one mention (`(x + 1) / (expected + 1)`), which
/// hides a sustained surge where under one mention a bucket is usual (3 posts a bucket
/// against 0.1 usual: ×3.6); over the hour the same surge reads ×12. `quiet` is judged on all
/// mentions, for the negative series too (negative mentions are rare on busy watches as
/// well, where the bucket's ratio stands). Only while the surge goes on (the bucket itself at
/// least twice the usual): a burst that ended does not hold the level up for the rest of its
/// hour. Returns (ratio, observed, expected).
fn surge(
    bucket: &Observation,
    count_1h: u32,
    expected_1h: Option<f64>,
    quiet: bool,
) -> (f64, f64, f64) {
    let own = (bucket.ratio, bucket.value, bucket.expected);
    match expected_1h.filter(|_| quiet && bucket.ratio >= 2.0) {
        Some(x) => {
            let observed = f64::from(count_1h);
            let ratio = (observed + 1.0) / (x + 1.0);
            if ratio > bucket.ratio {
                (ratio, observed, x)
            } else {
                own
            }
        }
        None => own,
    }
}

/// One reason behind a level, kept structured so it can be shown in either language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Mentions ×ratio against the usual for this weekday and hour.
    Volume {
        ratio: f64,
        observed: f64,
        expected: f64,
        weekday: u8,
        hour: u8,
    },
    NegativeVolume {
        ratio: f64,
        observed: f64,
        expected: f64,
        weekday: u8,
        hour: u8,
    },
    NegativeShare {
        percent: u32,
        mentions: u32,
    },
    Acceleration {
        last_30m: u32,
        prev_30m: u32,
    },
    Anger {
        mentions: u32,
    },
    SensitiveWords {
        words: Vec<String>,
    },
    NewVoices {
        count: u32,
    },
    WeakSignal {
        series: String,
    },
    Sensitivity {
        high: bool,
    },
    /// A surge of mostly positive mentions (a launch, praise) with nothing negative in it:
    /// the level stops at vigilance.
    MostlyPositive {
        percent: u32,
    },
    /// Too few mentions in the last hour for a higher level, however they score: `cap` is
    /// the highest level allowed until there are `needed`.
    FewMentions {
        mentions: u32,
        needed: u32,
        cap: Level,
    },
}

const WEEKDAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// "5", "5.5", "12"; in French with a decimal comma ("5,5").
fn ratio_words(r: f64, lang: Lang) -> String {
    let words = if r >= 10.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}").replace(".0", "")
    };
    match lang {
        Lang::Fr => words.replace('.', ","),
        Lang::En => words,
    }
}

impl Reason {
    /// The reason in words. `tz_offset_secs` turns the detector's UTC hour into local time.
    pub fn explain(&self, lang: Lang, tz_offset_secs: i64) -> String {
        let local = |weekday: u8, hour: u8| {
            let mins = i64::from(weekday) * 1440 + i64::from(hour) * 60 + tz_offset_secs / 60;
            let mins = mins.rem_euclid(7 * 1440);
            ((mins / 1440) as usize, (mins % 1440) / 60)
        };
        match (self, lang) {
            (
                Reason::Volume {
                    ratio,
                    weekday,
                    hour,
                    ..
                },
                Lang::Fr,
            ) => {
                let (d, h) = local(*weekday, *hour);
                format!(
                    "mentions ×{} par rapport à un {} {h} h habituel",
                    ratio_words(*ratio, Lang::Fr),
                    WEEKDAYS_FR[d]
                )
            }
            (
                Reason::Volume {
                    ratio,
                    weekday,
                    hour,
                    ..
                },
                Lang::En,
            ) => {
                let (d, h) = local(*weekday, *hour);
                format!(
                    "mentions ×{} vs a usual {} {h}:00",
                    ratio_words(*ratio, Lang::En),
                    WEEKDAYS_EN[d]
                )
            }
            (
                Reason::NegativeVolume {
                    ratio,
                    weekday,
                    hour,
                    ..
                },
                Lang::Fr,
            ) => {
                let (d, h) = local(*weekday, *hour);
                format!(
                    "mentions négatives ×{} par rapport à un {} {h} h habituel",
                    ratio_words(*ratio, Lang::Fr),
                    WEEKDAYS_FR[d]
                )
            }
            (
                Reason::NegativeVolume {
                    ratio,
                    weekday,
                    hour,
                    ..
                },
                Lang::En,
            ) => {
                let (d, h) = local(*weekday, *hour);
                format!(
                    "negative mentions ×{} vs a usual {} {h}:00",
                    ratio_words(*ratio, Lang::En),
                    WEEKDAYS_EN[d]
                )
            }
            (Reason::NegativeShare { percent, mentions }, Lang::Fr) => {
                format!("{percent} % de mentions négatives sur {mentions} en 1 h")
            }
            (Reason::NegativeShare { percent, mentions }, Lang::En) => {
                format!("{percent}% negative out of {mentions} mentions in 1 h")
            }
            (Reason::Acceleration { last_30m, prev_30m }, Lang::Fr) => {
                format!("accélération : {last_30m} mentions en 30 min contre {prev_30m} avant")
            }
            (Reason::Acceleration { last_30m, prev_30m }, Lang::En) => {
                format!("accelerating: {last_30m} mentions in 30 min vs {prev_30m} before")
            }
            (Reason::Anger { mentions }, Lang::Fr) => {
                format!("{mentions} messages en colère en 1 h")
            }
            (Reason::Anger { mentions }, Lang::En) => format!("{mentions} angry posts in 1 h"),
            (Reason::SensitiveWords { words }, Lang::Fr) => format!("mots : {}", words.join(", ")),
            (Reason::SensitiveWords { words }, Lang::En) => format!("words: {}", words.join(", ")),
            (Reason::NewVoices { count }, Lang::Fr) => {
                format!("{count} nouveaux médias ou auteurs en 2 h")
            }
            (Reason::NewVoices { count }, Lang::En) => {
                format!("{count} new outlets or authors in 2 h")
            }
            (Reason::WeakSignal { series }, Lang::Fr) => {
                format!("signal faible détecté ({})", series_fr(series))
            }
            (Reason::WeakSignal { series }, Lang::En) => {
                format!("weak signal detected ({})", series.replace('_', " "))
            }
            (Reason::Sensitivity { high: true }, Lang::Fr) => "sujet sensible".into(),
            (Reason::Sensitivity { high: true }, Lang::En) => "sensitive topic".into(),
            (Reason::Sensitivity { high: false }, Lang::Fr) => "sujet peu sensible".into(),
            (Reason::Sensitivity { high: false }, Lang::En) => "low-sensitivity topic".into(),
            (Reason::MostlyPositive { percent }, Lang::Fr) => format!(
                "{percent} % de messages positifs et rien de négatif : vigilance, pas d'alerte"
            ),
            (Reason::MostlyPositive { percent }, Lang::En) => {
                format!("{percent}% positive and nothing negative: vigilance, not an alert")
            }
            (
                Reason::FewMentions {
                    mentions,
                    needed,
                    cap,
                },
                Lang::Fr,
            ) => format!(
                "{mentions} mention{} en 1 h : niveau limité {} sous {needed} mentions par heure",
                if *mentions > 1 { "s" } else { "" },
                if *cap == Level::Watch {
                    "à la vigilance"
                } else {
                    "à l'alerte"
                }
            ),
            (
                Reason::FewMentions {
                    mentions,
                    needed,
                    cap,
                },
                Lang::En,
            ) => format!(
                "{mentions} mention{} in 1 h: the level goes no higher than “{}” below {needed} mentions per hour",
                if *mentions == 1 { "" } else { "s" },
                level_label(*cap, Lang::En)
            ),
        }
    }
}

fn series_fr(series: &str) -> &str {
    match series {
        "volume" => "volume",
        "negative" => "mentions négatives",
        "new_voices" => "nouvelles voix",
        other => other,
    }
}

/// All reasons joined into one sentence.
pub fn explain(reasons: &[Reason], lang: Lang, tz_offset_secs: i64) -> String {
    let parts: Vec<String> = reasons
        .iter()
        .map(|r| r.explain(lang, tz_offset_secs))
        .collect();
    let mut s = parts.join(if lang == Lang::Fr { " ; " } else { "; " });
    if let Some(first) = s.get(0..1) {
        let upper = first.to_uppercase();
        s.replace_range(0..1, &upper);
    }
    s
}

/// What the level shown stands on, for the watch list and `vigie levels`: the latest
/// reasons; while the level is held up because the signals only just eased (hysteresis), it
/// says so and for how much longer (`bucket_secs` per bucket), instead of the reasons alone,
/// which would read as if they were still rising. Empty at calm with no reason.
pub fn explain_level(
    state: &LevelState,
    t: &Thresholds,
    bucket_secs: i64,
    lang: Lang,
    tz_offset_secs: i64,
) -> String {
    let reasons = explain(&state.last_reasons, lang, tz_offset_secs);
    let held = if state.sustained {
        match lang {
            Lang::Fr => {
                "Niveau maintenu : la vague continue, même si elle surprend moins qu'à son début"
                    .to_string()
            }
            Lang::En => {
                "Level held: the storm goes on, though it is less unusual than when it rose"
                    .to_string()
            }
        }
    } else if level_for(state.last_points, t) < state.level {
        // Easing: the last bucket scored below the level shown.
        let left = i64::from(t.calm_down_buckets.saturating_sub(state.below_for).max(1));
        let minutes = left * bucket_secs / 60;
        match lang {
            Lang::Fr => format!(
                "Niveau maintenu : les signaux retombent, il baissera d'un cran après encore {minutes} min de calme"
            ),
            Lang::En => format!(
                "Level held: signals are easing; it steps down after {minutes} more min of calm"
            ),
        }
    } else {
        return reasons;
    };
    match (lang, reasons.is_empty()) {
        (_, true) => held,
        (Lang::Fr, false) => format!(
            "{held} ; derniers signaux relevés : {}",
            lower_first(&reasons)
        ),
        (Lang::En, false) => format!("{held}; last signals seen: {}", lower_first(&reasons)),
    }
}

/// A level change explained: what earned the points when it rises; when it eases, that it
/// eases and what still counts (a move down with no reason left used to say nothing at all).
pub fn explain_change(
    from: Level,
    to: Level,
    reasons: &[Reason],
    lang: Lang,
    tz_offset_secs: i64,
) -> String {
    if to > from {
        return explain(reasons, lang, tz_offset_secs);
    }
    let still = explain(reasons, lang, tz_offset_secs);
    match (lang, still.is_empty()) {
        (Lang::Fr, true) => {
            "Les signaux retombent : plus rien d'inhabituel dans le volume ni la tonalité".into()
        }
        (Lang::En, true) => "Signals have eased: nothing unusual in volume or tonality".into(),
        (Lang::Fr, false) => format!("Les signaux retombent ; il reste : {}", lower_first(&still)),
        (Lang::En, false) => format!("Signals are easing; still: {}", lower_first(&still)),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Points and the reasons that earned them.
pub fn score(e: &Evidence, sensitivity: Sensitivity, t: &Thresholds) -> (u32, Vec<Reason>) {
    let mut points = 0u32;
    let mut reasons = Vec::new();
    let busy = e.mentions_1h >= t.min_mentions_per_hour;
    let step = |ratio: f64, steps: [f64; 3]| steps.iter().filter(|&&s| ratio >= s).count() as u32;
    let quiet = e.volume.as_ref().is_some_and(|v| v.expected < 1.0);
    if let Some(v) = e.volume.as_ref().filter(|_| busy) {
        let (ratio, observed, expected) = surge(v, e.mentions_1h, e.expected_1h, quiet);
        let p = step(ratio, [2.0, 4.0, 8.0]);
        if p > 0 {
            points += p;
            reasons.push(Reason::Volume {
                ratio,
                observed,
                expected,
                weekday: v.weekday,
                hour: v.hour,
            });
        }
    }
    if let Some(n) = e
        .negative
        .as_ref()
        .filter(|_| e.negative_1h >= t.min_mentions_per_hour / 2)
    {
        let (ratio, observed, expected) = surge(n, e.negative_1h, e.negative_expected_1h, quiet);
        let p = step(ratio, [2.0, 4.0, 6.0]);
        if p > 0 {
            points += p;
            reasons.push(Reason::NegativeVolume {
                ratio,
                observed,
                expected,
                weekday: n.weekday,
                hour: n.hour,
            });
        }
    }
    if busy {
        let share = f64::from(e.negative_1h) / f64::from(e.mentions_1h.max(1));
        let p = u32::from(share >= 0.4) + u32::from(share >= 0.6);
        if p > 0 {
            points += p;
            reasons.push(Reason::NegativeShare {
                percent: (share * 100.0).round() as u32,
                mentions: e.mentions_1h,
            });
        }
        if e.last_30m >= t.min_mentions_per_hour
            && f64::from(e.last_30m) >= 2.0 * f64::from(e.prev_30m.max(1))
        {
            points += 1;
            reasons.push(Reason::Acceleration {
                last_30m: e.last_30m,
                prev_30m: e.prev_30m,
            });
        }
    }
    if e.anger_1h >= 3 {
        points += 1 + u32::from(e.anger_1h >= 10);
        reasons.push(Reason::Anger {
            mentions: e.anger_1h,
        });
    }
    if !e.sensitive_words.is_empty() {
        points += 1 + u32::from(e.sensitive_words.len() >= 3);
        reasons.push(Reason::SensitiveWords {
            words: e.sensitive_words.clone(),
        });
    }
    // Everyone is new while a watch is young: new voices count once its history is learnt.
    let voices_known = e.new_voices.as_ref().is_none_or(|o| !o.warming_up);
    if e.new_voices_2h >= 3 && voices_known {
        points += 1;
        reasons.push(Reason::NewVoices {
            count: e.new_voices_2h,
        });
    }
    for (name, obs) in [
        ("volume", &e.volume),
        ("negative", &e.negative),
        ("new_voices", &e.new_voices),
    ] {
        if obs.as_ref().is_some_and(|o| o.alert) {
            points += 1;
            reasons.push(Reason::WeakSignal {
                series: name.into(),
            });
            break;
        }
    }
    if points > 0 {
        match sensitivity {
            Sensitivity::High => {
                points += 1;
                reasons.push(Reason::Sensitivity { high: true });
            }
            Sensitivity::Low => points -= 1,
            Sensitivity::Medium => {}
        }
    }
    // Praise is not a crisis: a surge (a launch, an award) that is mostly positive, where
    // nothing negative earned a point, stops at vigilance. The negative share must stay low
    // too, because sarcasm ("Bravo, encore un rappel") often reads as positive.
    // One angry post in a launch flags the negative series (its usual is near zero) but is
    // not a crisis: that weak signal counts against praise from a few posts on.
    let negative_signal = e.negative.as_ref().is_some_and(|o| o.alert)
        && e.negative_1h >= t.min_mentions_per_hour / 2;
    let nothing_negative = !negative_signal
        && !reasons.iter().any(|r| {
            matches!(
                r,
                Reason::NegativeVolume { .. }
                    | Reason::NegativeShare { .. }
                    | Reason::Anger { .. }
                    | Reason::SensitiveWords { .. }
            )
        });
    let positive = f64::from(e.positive_1h) / f64::from(e.mentions_1h.max(1));
    let negative = f64::from(e.negative_1h) / f64::from(e.mentions_1h.max(1));
    if busy && nothing_negative && positive >= 0.5 && negative < 0.1 && points >= t.alert {
        points = t.alert - 1;
        reasons.push(Reason::MostlyPositive {
            percent: (positive * 100.0).round() as u32,
        });
    }
    // A handful of posts is not a crisis, however many reasons it ticks at once (three angry
    // posts on a quiet watch are a new negative volume, anger, a weak signal and new voices
    // together). Under the hour's minimum volume the level stops at vigilance; under twice
    // that, at alert. The minimum is the watch's `min_mentions_per_hour`, so a niche topic
    // can lower it.
    let (cap, needed) = if e.mentions_1h < t.min_mentions_per_hour {
        (Level::Watch, t.min_mentions_per_hour)
    } else {
        (Level::Alert, t.min_mentions_per_hour.saturating_mul(2))
    };
    let ceiling = match cap {
        Level::Watch => t.alert - 1,
        _ => t.crisis - 1,
    };
    if e.mentions_1h < needed && points > ceiling {
        points = ceiling;
        reasons.push(Reason::FewMentions {
            mentions: e.mentions_1h,
            needed,
            cap,
        });
    }
    (points, reasons)
}

fn level_for(points: u32, t: &Thresholds) -> Level {
    if points >= t.crisis {
        Level::Crisis
    } else if points >= t.alert {
        Level::Alert
    } else if points >= t.watch {
        Level::Watch
    } else {
        Level::Calm
    }
}

/// The level machine's memory (persisted with the watch's detectors).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LevelState {
    pub level: Level,
    /// Buckets in a row whose points were below the current level.
    pub below_for: u32,
    pub since: i64,
    pub last_points: u32,
    pub last_reasons: Vec<Reason>,
    /// The most mentions in an hour since the level left calm (0 at calm).
    #[serde(default)]
    pub peak_1h: u32,
    /// The last bucket scored below the level, but the storm goes on ([`storm_goes_on`]):
    /// the level is held and does not count towards easing.
    #[serde(default)]
    pub sustained: bool,
}

/// Whether a storm goes on though it scores fewer points than when it rose (the detectors
/// learn a flat storm as the new usual within the hour): the last 30 minutes keep at least
/// three quarters of the peak hour's pace, and at least 40 % of the hour is negative, above
/// the watch's minimum. (The hour alone would still hold a storm that stopped 30 minutes ago.)
fn storm_goes_on(e: &Evidence, peak_1h: u32, t: &Thresholds) -> bool {
    e.mentions_1h >= t.min_mentions_per_hour
        && u64::from(e.last_30m) * 8 >= u64::from(peak_1h) * 3
        && u64::from(e.negative_1h) * 5 >= u64::from(e.mentions_1h) * 2
}

/// A level change, with what explains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelChange {
    pub at: i64,
    pub from: Level,
    pub to: Level,
    pub points: u32,
    pub reasons: Vec<Reason>,
}

impl LevelState {
    /// Takes one bucket's evidence; returns a change when the level moves.
    pub fn step(
        &mut self,
        e: &Evidence,
        sensitivity: Sensitivity,
        t: &Thresholds,
    ) -> Option<LevelChange> {
        let (points, mut reasons) = score(e, sensitivity, t);
        self.last_points = points;
        let target = level_for(points, t);
        let from = self.level;
        self.sustained = false;
        if target > self.level {
            self.level = target;
            self.below_for = 0;
        } else if target < self.level {
            if storm_goes_on(e, self.peak_1h, t) {
                self.sustained = true;
                self.below_for = 0;
            } else {
                self.below_for += 1;
                if self.below_for >= t.calm_down_buckets {
                    self.level = self.level.down();
                    self.below_for = 0;
                }
            }
        } else {
            self.below_for = 0;
        }
        self.peak_1h = if self.level == Level::Calm {
            0
        } else {
            self.peak_1h.max(e.mentions_1h)
        };
        // A level held above the cap while it eases down (hysteresis) is not "limited" to
        // the cap: that reason would contradict the level shown beside it.
        reasons.retain(|r| !matches!(r, Reason::FewMentions { cap, .. } if self.level > *cap));
        if !reasons.is_empty() {
            self.last_reasons = reasons.clone();
        }
        (self.level != from).then(|| {
            self.since = e.at;
            if self.level == Level::Calm {
                self.last_reasons.clear();
            }
            LevelChange {
                at: e.at,
                from,
                to: self.level,
                points,
                reasons,
            }
        })
    }
}

#[cfg(test)]
#[path = "level_tests.rs"]
mod tests;
