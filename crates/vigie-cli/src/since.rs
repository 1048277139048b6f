//! `--since` values: a duration back from now (30m, 2h, 7d) or a date/time.

use anyhow::{bail, Result};

pub fn parse_since(value: &str, now: i64) -> Result<i64> {
    let v = value.trim();
    if let Some((num, unit)) = v.char_indices().last().map(|(i, c)| (&v[..i], c)) {
        if let Ok(n) = num.parse::<i64>() {
            let secs = match unit {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'w' => 604_800,
                _ => 0,
            };
            if secs > 0 {
                return Ok(now - n * secs);
            }
        }
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(t.timestamp());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp());
    }
    bail!("cannot read --since {value:?}: use 30m, 2h, 7d, 2026-11-01 or 2026-11-01T08:00:00Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn since_forms() {
        let now = 1_700_000_000;
        assert_eq!(super::parse_since("2h", now).unwrap(), now - 7200);
        assert_eq!(super::parse_since("7d", now).unwrap(), now - 7 * 86400);
        assert_eq!(
            super::parse_since("2023-11-14", now).unwrap(),
            1_699_920_000
        );
        assert_eq!(
            super::parse_since("2023-11-14T22:13:20Z", now).unwrap(),
            now
        );
        assert!(super::parse_since("yesterday", now).is_err());
    }
}
