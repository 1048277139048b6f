//! Replay of NAB-style CSV series (`timestamp,value`) through the app's [`Detector`],
//! writing `timestamp,alert` files for `shared/bench/nab_score.py`.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::detector::{Detector, DetectorConfig};

/// What a replay did, for a points-per-second figure.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NabReplayStats {
    /// Series (files) replayed.
    pub files: usize,
    /// Points (buckets) fed to the detector.
    pub points: u64,
    /// Alerts raised.
    pub alerts: u64,
    /// Time spent in [`Detector::observe`] only (no parsing, no I/O).
    pub elapsed: Duration,
    /// Per file: (file name, points, alerts).
    pub per_file: Vec<(String, u64, u64)>,
}

impl NabReplayStats {
    /// Detection throughput.
    pub fn points_per_sec(&self) -> f64 {
        self.points as f64 / self.elapsed.as_secs_f64().max(1e-12)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DD HH:MM:SS` (or with `T`, an optional fraction and `Z`) as UTC.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let t = text.trim();
    let b = t.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[10] != b' ' && b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// One parsed series: the raw timestamp text (echoed in the output) and the points.
struct Series {
    stamps: Vec<String>,
    ts: Vec<i64>,
    values: Vec<f64>,
}

fn bad(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn read_series(path: &Path) -> io::Result<Series> {
    let text = fs::read_to_string(path)?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    let ct = cols.iter().position(|c| *c == "timestamp");
    let cv = cols.iter().position(|c| *c == "value");
    let (Some(ct), Some(cv)) = (ct, cv) else {
        return Err(bad(format!(
            "{}: no timestamp,value header",
            path.display()
        )));
    };
    let mut s = Series {
        stamps: Vec::new(),
        ts: Vec::new(),
        values: Vec::new(),
    };
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        let (Some(st), Some(v)) = (fields.get(ct), fields.get(cv)) else {
            return Err(bad(format!("{}:{}: short row", path.display(), i + 2)));
        };
        let ts = parse_timestamp(st)
            .ok_or_else(|| bad(format!("{}:{}: bad timestamp", path.display(), i + 2)))?;
        let v: f64 = v
            .trim()
            .parse()
            .map_err(|_| bad(format!("{}:{}: bad value", path.display(), i + 2)))?;
        s.stamps.push(st.trim().to_string());
        s.ts.push(ts);
        s.values.push(v);
    }
    Ok(s)
}

/// Replays every `Twitter_volume_*.csv` of `input_dir` (sorted by name) through a fresh
/// [`Detector`] with [`DetectorConfig::default`] — the configuration the app uses — and
/// writes `output_dir/<same name>` with `timestamp,alert` rows (alert = 0/1, one-row
/// pulses). Only the calls to [`Detector::observe`] are timed.
pub fn replay_nab_dir(input_dir: &Path, output_dir: &Path) -> io::Result<NabReplayStats> {
    replay_nab_dir_with(input_dir, output_dir, &DetectorConfig::default())
}

/// [`replay_nab_dir`] with an explicit configuration (for experiments and tests only).
pub fn replay_nab_dir_with(
    input_dir: &Path,
    output_dir: &Path,
    cfg: &DetectorConfig,
) -> io::Result<NabReplayStats> {
    let mut names: Vec<String> = fs::read_dir(input_dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("Twitter_volume_") && n.ends_with(".csv"))
        .collect();
    names.sort();
    fs::create_dir_all(output_dir)?;
    let mut stats = NabReplayStats::default();
    let mut alerts_buf: Vec<bool> = Vec::new();
    for name in names {
        let series = read_series(&input_dir.join(&name))?;
        alerts_buf.clear();
        alerts_buf.reserve(series.values.len());
        let mut det = Detector::new(cfg.clone());
        let start = Instant::now();
        for (&ts, &v) in series.ts.iter().zip(&series.values) {
            alerts_buf.push(det.observe(ts, v).alert);
        }
        stats.elapsed += start.elapsed();

        let mut out = BufWriter::new(fs::File::create(output_dir.join(&name))?);
        writeln!(out, "timestamp,alert")?;
        let mut n_alerts = 0u64;
        for (st, &a) in series.stamps.iter().zip(&alerts_buf) {
            writeln!(out, "{st},{}", u8::from(a))?;
            n_alerts += u64::from(a);
        }
        out.flush()?;
        let n = series.values.len() as u64;
        stats.files += 1;
        stats.points += n;
        stats.alerts += n_alerts;
        stats.per_file.push((name, n, n_alerts));
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_timestamps_as_utc() {
        assert_eq!(parse_timestamp("1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_timestamp("2015-02-26 21:42:53"), Some(1_424_986_973));
        assert_eq!(
            parse_timestamp("2015-02-26T21:42:53.000000Z"),
            Some(1_424_986_973)
        );
        assert_eq!(parse_timestamp("2000-03-01 00:00:00"), Some(951_868_800));
        assert_eq!(parse_timestamp("2015-02-26"), None);
        assert_eq!(parse_timestamp("2015-13-26 21:42:53"), None);
    }

    #[test]
    fn replays_a_directory_and_writes_one_row_per_point() {
        let dir = std::env::temp_dir().join(format!("vigie-nab-{}", std::process::id()));
        let (inp, out) = (dir.join("in"), dir.join("out"));
        fs::create_dir_all(&inp).unwrap();
        let mut csv = String::from("timestamp,value\n");
        let t0 = parse_timestamp("2015-03-02 00:00:00").unwrap();
        let n = 4 * 288;
        for i in 0..n {
            let ts = t0 + 300 * i as i64;
            let days = ts / 86_400;
            let secs = ts % 86_400;
            // Four days from 2015-03-02: the day of the month is a simple offset.
            let day_of_month = 2 + (days - t0 / 86_400);
            let v = if i == 3 * 288 { 500 } else { 20 + (i % 3) };
            csv.push_str(&format!(
                "2015-03-{:02} {:02}:{:02}:00,{v}\n",
                day_of_month,
                secs / 3600,
                (secs % 3600) / 60
            ));
        }
        fs::write(inp.join("Twitter_volume_TEST.csv"), csv).unwrap();
        fs::write(inp.join("other.csv"), "timestamp,value\n").unwrap();
        let stats = replay_nab_dir(&inp, &out).unwrap();
        assert_eq!(stats.files, 1);
        assert_eq!(stats.points, n as u64);
        assert_eq!(stats.alerts, 1);
        let written = fs::read_to_string(out.join("Twitter_volume_TEST.csv")).unwrap();
        let rows: Vec<&str> = written.lines().collect();
        assert_eq!(rows[0], "timestamp,alert");
        assert_eq!(rows.len(), n + 1);
        assert_eq!(rows[1 + 3 * 288], "2015-03-05 00:00:00,1");
        assert!(stats.points_per_sec() > 0.0);
        fs::remove_dir_all(&dir).unwrap();
    }
}
