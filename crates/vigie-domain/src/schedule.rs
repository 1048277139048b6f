//! When to check a source next: pure functions of the outcome, the error count and `now`.

use crate::model::Timestamp;

/// Polling policy. Defaults follow Miniflux: back off exponentially on errors, never beyond a cap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// The longest wait after repeated errors.
    pub max_backoff_secs: i64,
    /// The longest `Retry-After` honoured (a server asking for a week gets this instead).
    pub max_retry_after_secs: i64,
    /// Jitter as a fraction of the delay (0.1 = ±10 %), so sources do not all wake together.
    pub jitter: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_backoff_secs: 24 * 3600,
            max_retry_after_secs: 24 * 3600,
            jitter: 0.1,
        }
    }
}

fn jittered(delay: i64, jitter: f64, unit: f64) -> i64 {
    // unit is a random number in [0, 1): map to [-jitter, +jitter].
    let factor = 1.0 + jitter * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
    ((delay as f64) * factor).round().max(1.0) as i64
}

/// Next check after a successful poll (including 304 Not Modified).
pub fn next_after_success(
    now: Timestamp,
    interval_secs: i64,
    policy: &Policy,
    unit: f64,
) -> Timestamp {
    now + jittered(interval_secs.max(1), policy.jitter, unit)
}

/// Next check after the `error_count`-th consecutive error (1 = first error):
/// `interval × 2^(n-1)`, capped, with jitter. A server-given `Retry-After` (already parsed, in seconds) replaces it:
/// the server knows best when it can serve again.
pub fn next_after_error(
    now: Timestamp,
    interval_secs: i64,
    error_count: i64,
    retry_after_secs: Option<i64>,
    policy: &Policy,
    unit: f64,
) -> Timestamp {
    let exp = (error_count.max(1) - 1).min(30) as u32;
    let backoff = interval_secs
        .max(1)
        .saturating_mul(1i64 << exp)
        .min(policy.max_backoff_secs);
    let backoff = jittered(backoff, policy.jitter, unit).min(policy.max_backoff_secs);
    let server = retry_after_secs.map(|s| s.clamp(0, policy.max_retry_after_secs));
    now + server.map_or(backoff, |s| s.max(1))
}

/// Parses a `Retry-After` value: delay seconds or an HTTP date. Returns the delay from `now`
/// in seconds (never negative), or None when the value is neither.
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<i64> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<i64>() {
        return Some(secs.max(0));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    let when = when.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
    Some((when - now).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = 1_700_000_000;

    #[test]
    fn success_waits_the_interval_within_jitter() {
        let p = Policy::default();
        assert_eq!(next_after_success(NOW, 600, &p, 0.5), NOW + 600);
        assert_eq!(next_after_success(NOW, 600, &p, 0.0), NOW + 540);
        assert!(next_after_success(NOW, 600, &p, 0.999) <= NOW + 660);
    }

    #[test]
    fn errors_back_off_exponentially_up_to_the_cap() {
        let p = Policy {
            jitter: 0.0,
            ..Policy::default()
        };
        let delays: Vec<i64> = (1..=12)
            .map(|n| next_after_error(NOW, 600, n, None, &p, 0.5) - NOW)
            .collect();
        assert_eq!(&delays[..5], &[600, 1200, 2400, 4800, 9600]);
        assert!(delays.iter().all(|&d| d <= p.max_backoff_secs));
        assert_eq!(delays[11], p.max_backoff_secs);
        // Huge error counts do not overflow.
        assert_eq!(
            next_after_error(NOW, 600, 10_000, None, &p, 0.5) - NOW,
            p.max_backoff_secs
        );
    }

    #[test]
    fn error_backoff_is_jittered_within_the_cap() {
        let p = Policy::default(); // ±10 %
                                   // Third error: 2,400 s, spread over 2,160 – 2,640 s.
        assert_eq!(next_after_error(NOW, 600, 3, None, &p, 0.0) - NOW, 2160);
        assert_eq!(next_after_error(NOW, 600, 3, None, &p, 0.5) - NOW, 2400);
        let high = next_after_error(NOW, 600, 3, None, &p, 0.999) - NOW;
        assert!((2630..=2640).contains(&high), "{high}");
        // At the cap, jitter only ever shortens the wait.
        assert_eq!(
            next_after_error(NOW, 600, 20, None, &p, 0.999) - NOW,
            p.max_backoff_secs
        );
        assert!(next_after_error(NOW, 600, 20, None, &p, 0.0) - NOW < p.max_backoff_secs);
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = Policy {
            jitter: 0.0,
            ..Policy::default()
        };
        // Server asks for 2 h on the first error: wait 2 h, not 10 min.
        assert_eq!(
            next_after_error(NOW, 600, 1, Some(7200), &p, 0.5) - NOW,
            7200
        );
        // A server asking for a month gets the cap.
        assert_eq!(
            next_after_error(NOW, 600, 1, Some(30 * 86400), &p, 0.5) - NOW,
            p.max_retry_after_secs
        );
        // A short Retry-After is honoured even late in a backoff sequence.
        assert_eq!(next_after_error(NOW, 600, 6, Some(120), &p, 0.5) - NOW, 120);
    }

    #[test]
    fn retry_after_parsing() {
        assert_eq!(parse_retry_after("120", NOW), Some(120));
        assert_eq!(parse_retry_after(" 0 ", NOW), Some(0));
        assert_eq!(parse_retry_after("-5", NOW), Some(0));
        // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT.
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:15:20 GMT", NOW),
            Some(120)
        );
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", NOW),
            Some(0)
        );
        assert_eq!(parse_retry_after("soon", NOW), None);
    }
}
