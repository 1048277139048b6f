//! `--since` values: a duration back from now (30m, 2h, 7d) or a date/time. A date or time
//! without an offset is the user's own (the system time zone), as the tables show times.

use anyhow::{bail, Result};
use chrono::{NaiveDate, NaiveDateTime, TimeZone};

pub fn parse_since(value: &str, now: i64) -> Result<i64> {
    parse_since_in(value, now, &chrono::Local)
}

pub fn parse_since_in<Tz: TimeZone>(value: &str, now: i64, tz: &Tz) -> Result<i64> {
    let v = value.trim();
    if let Some((num, unit)) = v.char_indices().last().map(|(i, c)| (&v[..i], c)) {
        let secs = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => 0,
        };
        if secs > 0 {
            if let Ok(n) = num.parse::<i64>() {
                if n < 0 {
                    bail!("--since {value:?} is in the future: give how long back, e.g. 2h");
                }
                return n
                    .checked_mul(secs)
                    .and_then(|back| now.checked_sub(back))
                    .ok_or_else(|| anyhow::anyhow!("--since {value:?} is too far back"));
            }
        }
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(t.timestamp());
    }
    let local = |t: NaiveDateTime| {
        // A time skipped by a clock change is taken just after it.
        tz.from_local_datetime(&t)
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(t + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map(|d| d.timestamp())
    };
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Some(t) = NaiveDateTime::parse_from_str(v, format)
            .ok()
            .and_then(local)
        {
            return Ok(t);
        }
    }
    if let Some(t) = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(local)
    {
        return Ok(t);
    }
    bail!("cannot read --since {value:?}: use 30m, 2h, 7d, 2026-11-01, 2026-11-01 08:00 or 2026-11-01T08:00:00Z")
}

#[cfg(test)]
mod tests {
    use super::parse_since_in;
    use chrono::{FixedOffset, Utc};

    #[test]
    fn since_forms() {
        let now = 1_700_000_000;
        let p = |v: &str| parse_since_in(v, now, &Utc);
        assert_eq!(p("2h").unwrap(), now - 7200);
        assert_eq!(p("7d").unwrap(), now - 7 * 86400);
        assert_eq!(p("2023-11-14").unwrap(), 1_699_920_000);
        assert_eq!(p("2023-11-14T22:13:20Z").unwrap(), now);
        assert_eq!(p("2023-11-14 22:13").unwrap(), now - 20);
        assert!(p("yesterday").is_err());
        // Back from now only, and not past the start of time.
        assert!(p("-2h").unwrap_err().to_string().contains("in the future"));
        assert!(p("200000000000000d")
            .unwrap_err()
            .to_string()
            .contains("too far back"));
    }

    #[test]
    fn a_date_is_midnight_where_the_user_is() {
        let paris = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            parse_since_in("2023-11-14", 1_700_000_000, &paris).unwrap(),
            1_699_920_000 - 3600
        );
        assert_eq!(
            parse_since_in("2023-11-14 08:00", 1_700_000_000, &paris).unwrap(),
            1_699_920_000 + 7 * 3600
        );
    }
}
