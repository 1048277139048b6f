//! Behaviour tests of the detector (synthetic series with known answers).

use super::*;

const STEP: i64 = 300;
const DAY: i64 = 288;
/// Monday 2015-03-02 00:00:00 UTC.
const T0: i64 = 1_425_254_400;

/// Small deterministic generator (xorshift64*) with a Poisson sampler.
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn poisson(&mut self, lambda: f64) -> f64 {
        // Knuth's method, in chunks to stay accurate for larger means.
        let (mut left, mut k) = (lambda, 0.0);
        while left > 0.0 {
            let l = left.min(30.0);
            left -= l;
            let limit = (-l).exp();
            let mut p = self.uniform();
            while p > limit {
                k += 1.0;
                p *= self.uniform();
            }
        }
        k
    }
}

fn ts(bucket: i64) -> i64 {
    T0 + bucket * STEP
}

/// Runs `n` buckets of `value(bucket)` and returns the buckets that alerted.
fn alerts(n: i64, mut value: impl FnMut(i64) -> f64) -> Vec<i64> {
    let mut det = Detector::new(DetectorConfig::default());
    (0..n)
        .filter(|&i| det.observe(ts(i), value(i)).alert)
        .collect()
}

#[test]
fn weekday_and_hour_are_utc() {
    assert_eq!(hour_and_weekday(T0), (0, 0)); // Monday 00:00
    assert_eq!(hour_and_weekday(T0 + 6 * 86_400 + 14 * 3600 + 59), (14, 6));
    assert_eq!(hour_and_weekday(0), (0, 3)); // Thursday 1970-01-01
    assert_eq!(hour_and_weekday(-1), (23, 2));
}

#[test]
fn flat_series_never_alerts() {
    assert!(alerts(21 * DAY, |_| 20.0).is_empty());
    assert!(alerts(21 * DAY, |_| 0.0).is_empty());
    let mut rng = Rng(7);
    assert!(alerts(21 * DAY, |_| rng.poisson(20.0)).is_empty());
    let mut rng = Rng(8);
    assert!(alerts(21 * DAY, |_| rng.poisson(300.0)).is_empty());
}

#[test]
fn clear_spike_alerts_once_then_refractory() {
    let mut rng = Rng(11);
    let spike = |start: i64, i: i64| (start..start + 6).contains(&i);
    let (a, b, c) = (5 * DAY + 120, 5 * DAY + 192, 8 * DAY + 60);
    let got = alerts(10 * DAY, |i| {
        if spike(a, i) || spike(b, i) || spike(c, i) {
            200.0
        } else {
            rng.poisson(20.0)
        }
    });
    // One pulse for the first spike, none for the second (6 h later, refractory),
    // one for the third (3 days later).
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(spike(a, got[0]), "{got:?}");
    assert!(spike(c, got[1]), "{got:?}");
}

#[test]
fn daily_peak_is_learnt_but_a_night_burst_alerts() {
    let mut rng = Rng(3);
    let hour = |i: i64| (i % DAY) / 12;
    let night = 10 * DAY + 3 * 12; // day 10, 03:00
    let got = alerts(14 * DAY, |i| {
        if hour(i) == 14 || (night..night + 12).contains(&i) {
            rng.poisson(100.0)
        } else {
            rng.poisson(10.0)
        }
    });
    let after_learning: Vec<i64> = got.into_iter().filter(|&i| i >= 3 * DAY).collect();
    assert_eq!(after_learning.len(), 1, "{after_learning:?}");
    assert!((night..night + 12).contains(&after_learning[0]));
}

#[test]
fn weekly_pattern_is_learnt() {
    // Weekends at a fifth of the weekday volume, for five weeks: no alert on Mondays
    // once a couple of weeks have been seen.
    let mut rng = Rng(5);
    let got = alerts(35 * DAY, |i| {
        let weekend = (i / DAY) % 7 >= 5;
        rng.poisson(if weekend { 10.0 } else { 50.0 })
    });
    assert!(got.iter().all(|&i| i < 14 * DAY), "{got:?}");
}

#[test]
fn zero_heavy_series_ignores_single_mentions_but_not_a_burst() {
    let mut rng = Rng(21);
    let burst = 9 * DAY + 100;
    let got = alerts(12 * DAY, |i| {
        if i % 97 == 0 {
            1.0 // isolated single mentions, on top of the natural ones
        } else if (burst..burst + 4).contains(&i) {
            [5.0, 6.0, 4.0, 7.0][(i - burst) as usize]
        } else {
            rng.poisson(0.05)
        }
    });
    assert_eq!(got.len(), 1, "{got:?}");
    assert!((burst..burst + 4).contains(&got[0]), "{got:?}");
    // A couple of mentions in a row is still not a burst.
    let got = alerts(12 * DAY, |i| {
        if (burst..burst + 2).contains(&i) {
            1.0
        } else {
            0.0
        }
    });
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn state_is_small_and_has_no_heap() {
    // All fields are scalars, fixed arrays and `Option<i64>`: no heap allocation.
    let size = std::mem::size_of::<Detector>();
    assert!(size <= 4096, "Detector is {size} bytes");
    let mut det = Detector::new(DetectorConfig::default());
    for i in 0..3 * DAY {
        det.observe(ts(i), (i % 7) as f64);
    }
    assert_eq!(std::mem::size_of_val(&det), size);
    let json = serde_json::to_string(&det).unwrap();
    assert!(json.len() < 4096, "persisted state is {} bytes", json.len());
}

#[test]
fn persisted_state_resumes_identically() {
    let mut rng = Rng(9);
    let values: Vec<f64> = (0..6 * DAY).map(|_| rng.poisson(15.0)).collect();
    let mut a = Detector::new(DetectorConfig::default());
    for (i, &v) in values.iter().enumerate().take(4 * DAY as usize) {
        a.observe(ts(i as i64), v);
    }
    let mut b: Detector = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    for (i, &v) in values.iter().enumerate().skip(4 * DAY as usize) {
        let (oa, ob) = (a.observe(ts(i as i64), v), b.observe(ts(i as i64), v));
        assert_eq!(oa.alert, ob.alert);
        assert!((oa.score - ob.score).abs() < 1e-9 && (oa.expected - ob.expected).abs() < 1e-9);
    }
}

#[test]
fn observation_explains_the_alert() {
    let mut det = Detector::new(DetectorConfig::default());
    for i in 0..3 * DAY {
        det.observe(ts(i), 20.0);
    }
    let o = det.observe(ts(3 * DAY), 400.0);
    assert!(o.alert && !o.warming_up && !o.refractory);
    assert!((o.expected - 20.0).abs() < 1.0, "{o:?}");
    assert!(o.ratio > 15.0 && o.z > 10.0 && o.score >= 8.0, "{o:?}");
    assert_eq!((o.hour, o.weekday), (0, 3)); // Thursday 00:00
    let next = det.observe(ts(3 * DAY + 1), 400.0);
    assert!(!next.alert && next.refractory);
}

#[test]
fn warm_up_blocks_alerts() {
    let mut det = Detector::new(DetectorConfig::default());
    for i in 0..10 {
        det.observe(ts(i), 5.0);
    }
    let o = det.observe(ts(10), 5000.0);
    assert!(o.warming_up && !o.alert && o.score > 8.0, "{o:?}");
}

#[test]
fn stale_buckets_change_nothing() {
    let mut det = Detector::new(DetectorConfig::default());
    for i in 0..DAY {
        det.observe(ts(i), 10.0);
    }
    let before = det.clone();
    let o = det.observe(ts(DAY - 5), 900.0);
    assert!(o.stale && !o.alert);
    assert_eq!(det, before);
}

#[test]
fn gaps_are_zeros_unless_skipped() {
    let mut zero = Detector::new(DetectorConfig::default());
    for i in 0..2 * DAY {
        zero.observe(ts(i), 50.0);
    }
    let mut skip = zero.clone();
    // Half a day without a call.
    let back = 2 * DAY + DAY / 2;
    zero.observe(ts(back), 50.0);
    skip.skip_to(ts(back));
    skip.observe(ts(back), 50.0);
    assert_eq!(zero.buckets_seen(), skip.buckets_seen() + (DAY / 2) as u64);
    // Zeros taught the first one that the series went quiet; the second did not learn.
    assert!(zero.expected_at(ts(back + 1)) < 30.0);
    assert!((skip.expected_at(ts(back + 1)) - 50.0).abs() < 2.0);
}
