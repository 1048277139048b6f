//! Streaming weak-signal detector for one bucketed count series.
//!
//! # Model
//!
//! Each bucket value `x` (a count: mentions, negative mentions, new authors…) is moved to
//! log space, `y = ln(1 + x)`, where brand-mention noise is roughly multiplicative. The
//! usual value of the bucket is an additive (Holt–Winters-like) model in that space:
//!
//! ```text
//! ŷ = level + hour[hour of day] + weekday[day of week]        usual count μ = e^ŷ − 1
//! ```
//!
//! * `level` is an exponentially weighted moving average (EWMA) of the de-seasonalised
//!   series (half-life one day: it follows drifts, not the daily cycle);
//! * `hour[h]` (24 slots) learns the daily shape, `weekday[d]` (7 slots) the weekly one;
//!   both start at 0 and are shrunk towards 0 until they have evidence (a pseudo-count
//!   prior), then become EWMAs; the level starts as a running mean. Nothing needs the
//!   series' global minimum, maximum or any future point;
//! * every update uses the prediction error clipped at `huber_k` sigmas (a Huber-type
//!   robust EWMA), so a burst barely moves the baseline it is judged against.
//!
//! # Score
//!
//! The spread is a negative-binomial-like variance in log space: counting (Poisson)
//! noise, `μ / (1 + μ)²` by the delta method, plus an over-dispersion variance learnt
//! online as the EWMA of the (clipped) squared error minus the counting part. Each bucket
//! gets a surprise
//!
//! ```text
//! z = min( (y − ŷ) / σ ,  signed √(Poisson deviance of x against max(μ, min_expected)) )
//! ```
//!
//! The Poisson term matters for low counts, where the log-normal view exaggerates: a
//! single mention on a near-silent series is not a 10-sigma event. The alert statistic
//! is a one-sided CUSUM of these surprises, `S = max(0, S + z − cusum_k)`: a sustained
//! rise (z ≈ 3–4 for a few buckets) or one very large burst (z ≥ `cusum_k + threshold`)
//! raises it, isolated noisy buckets do not. An alert is a one-bucket pulse when
//! `S ≥ threshold`, after the warm-up, and at least `refractory_secs` after the previous
//! alert; `S` restarts from 0 after an alert. Only rises alert.
//!
//! # Time and gaps
//!
//! `ts_unix` is the bucket start in unix seconds (UTC); hour and weekday slots are taken
//! in UTC (the model learns whatever daily shape that gives). Buckets must come in
//! increasing time order: a bucket at or before the last one seen is scored but changes
//! nothing (`Observation::stale`). Buckets missing between two calls of
//! [`Detector::observe`] **count as zero** (mention series are sparse: "no row" means
//! "no mention"); at most `max_zero_fill_buckets` of them are filled, the older ones are
//! treated as unknown. When the caller knows the data is missing (the app was offline),
//! it calls [`Detector::skip_to`] first: the skipped buckets are then unknown and the
//! model resumes where it was. [`crate::Bucketizer`] emits the empty buckets explicitly.

use serde::{Deserialize, Serialize};

const SECS_PER_DAY: i64 = 86_400;
/// Prior weight (in updates) of "no hour-of-day effect": half an hour of 5-min buckets.
const HOUR_PRIOR_UPDATES: f64 = 6.0;
/// Prior weight (in days of updates) of "no weekday effect".
const WEEKDAY_PRIOR_DAYS: f64 = 1.0;
/// Updates before the spread is trusted enough to clip errors.
const CLIP_AFTER: u32 = 8;

/// Detector settings. [`DetectorConfig::default`] is the one configuration used for every
/// series (all mentions, negative mentions, new authors) and for the NAB benchmark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DetectorConfig {
    /// Bucket width in seconds (300 = 5 minutes).
    pub bucket_secs: i64,
    /// Alert when the CUSUM statistic (accumulated excess surprise) reaches this value.
    pub threshold: f64,
    /// CUSUM reference: surprises below this drain the statistic, above it fill it.
    pub cusum_k: f64,
    /// No alert before this many buckets have been learnt.
    pub warmup_buckets: u32,
    /// Minimum time between two alerts, in seconds.
    pub refractory_secs: i64,
    /// Half-life of the level EWMA, in buckets.
    pub level_halflife: f64,
    /// Half-life of each hour-of-day slot, in days.
    pub hour_halflife_days: f64,
    /// Half-life of each weekday slot, in weeks.
    pub weekday_halflife_weeks: f64,
    /// Half-life of the over-dispersion variance EWMA, in buckets.
    pub scale_halflife: f64,
    /// Errors are clipped at this many sigmas before they update the model.
    pub huber_k: f64,
    /// Floor of the usual count in the Poisson term (a rate never seen is not 0).
    pub min_expected: f64,
    /// Floor of the over-dispersion standard deviation (log space).
    pub min_sigma: f64,
    /// At most this many buckets missing between two observations are filled with zeros.
    pub max_zero_fill_buckets: u32,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            bucket_secs: 300,
            threshold: 8.0,
            cusum_k: 2.0,
            warmup_buckets: 288,
            refractory_secs: SECS_PER_DAY,
            level_halflife: 288.0,
            hour_halflife_days: 5.0,
            weekday_halflife_weeks: 3.0,
            scale_halflife: 576.0,
            huber_k: 3.0,
            min_expected: 0.1,
            min_sigma: 0.05,
            max_zero_fill_buckets: 7 * 288,
        }
    }
}

/// The verdict on one bucket, with what a person needs to read it: "`value` mentions
/// where about `expected` are usual at this hour on this weekday (`ratio` × usual)".
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Bucket start, unix seconds (UTC).
    pub ts_unix: i64,
    /// The observed count.
    pub value: f64,
    /// Usual count for this hour of day and weekday, learnt before this bucket.
    pub expected: f64,
    /// `(value + 1) / (expected + 1)`: how many times the usual (defined at zero).
    pub ratio: f64,
    /// Surprise of this bucket alone, in sigmas (negative for a dip).
    pub z: f64,
    /// Alert statistic: CUSUM of the surprises; an alert when it reaches the threshold.
    pub score: f64,
    /// True on the single bucket that raises an alert.
    pub alert: bool,
    /// Still learning: no alert possible yet.
    pub warming_up: bool,
    /// Within the refractory period of the previous alert (no new alert possible).
    pub refractory: bool,
    /// The bucket was at or before the last one seen: scored, not learnt.
    pub stale: bool,
    /// Hour of day (UTC, 0–23) of the bucket.
    pub hour: u8,
    /// Day of week (UTC, 0 = Monday … 6 = Sunday) of the bucket.
    pub weekday: u8,
}

/// The streaming detector of one series: a few hundred bytes, no heap, `Clone`, and
/// serialisable so the app can persist it (e.g. as JSON in SQLite) and resume later.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Detector {
    cfg: DetectorConfig,
    rate_level: f64,
    rate_hour: f64,
    rate_weekday: f64,
    rate_scale: f64,
    /// Pseudo-count priors of the seasonal slots, in updates.
    prior_hour: f64,
    prior_weekday: f64,
    level: f64,
    hour: [f64; 24],
    weekday: [f64; 7],
    /// Over-dispersion variance (log space) beyond counting noise.
    od_var: f64,
    cusum: f64,
    n_level: u32,
    n_hour: [u32; 24],
    n_weekday: [u32; 7],
    /// Buckets learnt (zero fills included).
    seen: u64,
    last_ts: Option<i64>,
    last_alert_ts: Option<i64>,
}

/// Scores of one bucket before it is learnt.
#[derive(Clone, Copy, Debug)]
struct Assessment {
    y: f64,
    err: f64,
    expected: f64,
    /// Counting-noise variance in log space.
    var_count: f64,
    sigma: f64,
    z: f64,
    cusum: f64,
}

fn rate_from_halflife(halflife: f64) -> f64 {
    if halflife <= 0.0 {
        1.0
    } else {
        1.0 - 0.5f64.powf(1.0 / halflife)
    }
}

/// EWMA rate after `n` updates with a prior worth `prior` updates: a (shrunk) running
/// mean first, the plain EWMA rate later.
#[inline]
fn eff_rate(rate: f64, n: u32, prior: f64) -> f64 {
    let weight = f64::from(n) + 1.0 + prior;
    // Same as `rate.max(1.0 / weight)`, without a division once the EWMA has taken over.
    if rate * weight >= 1.0 {
        rate
    } else {
        1.0 / weight
    }
}

/// Hour of day (0–23) and weekday (0 = Monday) of a unix time, in UTC.
#[inline]
pub fn hour_and_weekday(ts_unix: i64) -> (usize, usize) {
    let day = ts_unix.div_euclid(SECS_PER_DAY);
    let hour = (ts_unix.rem_euclid(SECS_PER_DAY) / 3600) as usize;
    // 1970-01-01 was a Thursday (weekday 3 with Monday = 0).
    let weekday = (day + 3).rem_euclid(7) as usize;
    (hour, weekday)
}

/// Signed square root of the Poisson deviance of count `x` against mean `mu > 0`.
#[inline]
fn poisson_z(x: f64, mu: f64) -> f64 {
    let dev = if x > 0.0 {
        2.0 * (x * (x / mu).ln() - (x - mu))
    } else {
        2.0 * mu
    };
    let z = dev.max(0.0).sqrt();
    if x >= mu {
        z
    } else {
        -z
    }
}

impl Detector {
    /// A fresh detector (nothing learnt yet).
    pub fn new(cfg: DetectorConfig) -> Self {
        let per_day = SECS_PER_DAY as f64 / cfg.bucket_secs.max(1) as f64;
        let per_hour = (per_day / 24.0).max(1.0);
        Self {
            rate_level: rate_from_halflife(cfg.level_halflife),
            rate_hour: rate_from_halflife(cfg.hour_halflife_days * per_hour),
            rate_weekday: rate_from_halflife(cfg.weekday_halflife_weeks * per_day),
            rate_scale: rate_from_halflife(cfg.scale_halflife),
            prior_hour: HOUR_PRIOR_UPDATES,
            prior_weekday: WEEKDAY_PRIOR_DAYS * per_day,
            cfg,
            level: 0.0,
            hour: [0.0; 24],
            weekday: [0.0; 7],
            od_var: 0.0,
            cusum: 0.0,
            n_level: 0,
            n_hour: [0; 24],
            n_weekday: [0; 7],
            seen: 0,
            last_ts: None,
            last_alert_ts: None,
        }
    }

    /// The configuration this detector runs with.
    pub fn config(&self) -> &DetectorConfig {
        &self.cfg
    }

    /// Buckets learnt so far (zero fills included).
    pub fn buckets_seen(&self) -> u64 {
        self.seen
    }

    /// Start of the last bucket learnt (or skipped to), if any.
    pub fn last_bucket(&self) -> Option<i64> {
        self.last_ts
    }

    /// Unix time of the last alert, if any.
    pub fn last_alert(&self) -> Option<i64> {
        self.last_alert_ts
    }

    /// Usual count for the bucket starting at `ts_unix`, from what was learnt so far.
    pub fn expected_at(&self, ts_unix: i64) -> f64 {
        let (h, d) = hour_and_weekday(ts_unix);
        self.predict_log(h, d).exp_m1().max(0.0)
    }

    /// Declares the buckets before `ts_unix` unknown (e.g. the app was offline): the next
    /// [`Detector::observe`] does not fill them with zeros. Does nothing if `ts_unix` is
    /// not after the last bucket.
    pub fn skip_to(&mut self, ts_unix: i64) {
        let step = self.cfg.bucket_secs.max(1);
        if let Some(last) = self.last_ts {
            if ts_unix - step > last {
                self.last_ts = Some(ts_unix - step);
            }
        }
    }

    #[inline]
    fn predict_log(&self, h: usize, d: usize) -> f64 {
        self.level + self.hour[h] + self.weekday[d]
    }

    /// Scores count `x` in slot (`h`, `d`) against the current state, without learning.
    #[inline]
    fn assess(&self, h: usize, d: usize, x: f64) -> Assessment {
        let y = (1.0 + x).ln();
        let pred = self.predict_log(h, d);
        let err = y - pred;
        let expected = (pred.exp() - 1.0).max(0.0);
        let var_count = expected / ((1.0 + expected) * (1.0 + expected));
        let min_var = self.cfg.min_sigma * self.cfg.min_sigma;
        let sigma = (var_count + self.od_var.max(min_var)).sqrt();
        let z_spread = err / sigma;
        let z = if z_spread > 0.0 {
            z_spread.min(poisson_z(x, expected.max(self.cfg.min_expected)))
        } else {
            // A dip never alerts; the spread view is enough to drain the CUSUM.
            z_spread
        };
        let cusum = (self.cusum + z - self.cfg.cusum_k).max(0.0);
        Assessment {
            y,
            err,
            expected,
            var_count,
            sigma,
            z,
            cusum,
        }
    }

    /// Scores one bucket and learns it. `value` is the bucket's count (negative or
    /// non-finite values are taken as 0). See the module documentation for gaps/order.
    pub fn observe(&mut self, ts_unix: i64, value: f64) -> Observation {
        let x = if value.is_finite() {
            value.max(0.0)
        } else {
            0.0
        };
        let stale = self.last_ts.is_some_and(|last| ts_unix <= last);
        if !stale {
            self.fill_zeros(ts_unix);
        }
        let (h, d) = hour_and_weekday(ts_unix);
        let s = self.assess(h, d, x);
        let warming_up = self.seen < u64::from(self.cfg.warmup_buckets);
        let refractory = self
            .last_alert_ts
            .is_some_and(|t| ts_unix - t < self.cfg.refractory_secs);
        let alert = !stale && !warming_up && !refractory && s.cusum >= self.cfg.threshold;
        if !stale {
            self.learn(h, d, &s);
            self.last_ts = Some(ts_unix);
            if alert {
                self.last_alert_ts = Some(ts_unix);
                self.cusum = 0.0;
            }
        }
        Observation {
            ts_unix,
            value: x,
            expected: s.expected,
            ratio: (x + 1.0) / (s.expected + 1.0),
            z: s.z,
            score: s.cusum,
            alert,
            warming_up,
            refractory,
            stale,
            hour: h as u8,
            weekday: d as u8,
        }
    }

    /// Learns zero counts for the buckets missing just before `ts_unix` (capped).
    fn fill_zeros(&mut self, ts_unix: i64) {
        let Some(last) = self.last_ts else { return };
        let step = self.cfg.bucket_secs.max(1);
        let missing = ((ts_unix - last) / step - 1).max(0);
        let fill = missing.min(i64::from(self.cfg.max_zero_fill_buckets));
        let mut t = ts_unix - fill * step;
        while t < ts_unix {
            let (h, d) = hour_and_weekday(t);
            let s = self.assess(h, d, 0.0);
            self.learn(h, d, &s);
            t += step;
        }
    }

    /// Robust (clipped) Holt–Winters-style update with the assessment of the bucket.
    #[inline]
    fn learn(&mut self, h: usize, d: usize, s: &Assessment) {
        let y = s.y;
        let clip = if self.seen >= u64::from(CLIP_AFTER) {
            self.cfg.huber_k * s.sigma
        } else {
            f64::INFINITY
        };
        let e = s.err.clamp(-clip, clip);
        let a = eff_rate(self.rate_scale, self.n_level, 0.0);
        self.od_var += a * (e * e - s.var_count - self.od_var);
        self.cusum = s.cusum;

        let a = eff_rate(self.rate_level, self.n_level, 0.0);
        let r = (y - self.hour[h] - self.weekday[d] - self.level).clamp(-clip, clip);
        self.level += a * r;
        self.n_level = self.n_level.saturating_add(1);

        let a = eff_rate(self.rate_hour, self.n_hour[h], self.prior_hour);
        let r = (y - self.level - self.weekday[d] - self.hour[h]).clamp(-clip, clip);
        self.hour[h] += a * r;
        self.n_hour[h] = self.n_hour[h].saturating_add(1);

        let a = eff_rate(self.rate_weekday, self.n_weekday[d], self.prior_weekday);
        let r = (y - self.level - self.hour[h] - self.weekday[d]).clamp(-clip, clip);
        self.weekday[d] += a * r;
        self.n_weekday[d] = self.n_weekday[d].saturating_add(1);

        self.seen += 1;
    }
}

#[cfg(test)]
mod tests;
