//! Replays the NAB Twitter series through the default detector (the app's) and prints
//! throughput.
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/target-signals cargo run --release --example nab -- \
//!     /work/shared/bench/nab-tweets /tmp/nab-out
//! python3 /work/shared/bench/nab_score.py /work/shared/bench/nab-tweets/windows.json \
//!     /tmp/nab-out --profile standard --profile low_fp --profile low_fn
//! ```
//!
//! Experiments only: `VIGIE_DETECTOR_CFG='{"threshold":9}'` overrides fields of the
//! default configuration (JSON). Because a busy machine makes one pass noisy, the
//! example also reports the best of 20 in-memory passes.

use std::path::PathBuf;
use std::time::Instant;

use vigie_signals::{Detector, DetectorConfig};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let input = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "../shared/bench/nab-tweets".into()),
    );
    let output = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/nab-out".into()));
    let cfg: DetectorConfig = match std::env::var("VIGIE_DETECTOR_CFG") {
        Ok(json) => serde_json::from_str(&json).expect("VIGIE_DETECTOR_CFG: bad JSON"),
        Err(_) => DetectorConfig::default(),
    };
    let stats = vigie_signals::nab::replay_nab_dir_with(&input, &output, &cfg)?;
    for (name, n, alerts) in &stats.per_file {
        println!("{name:<28} points={n:>6} alerts={alerts:>3}");
    }
    println!(
        "total points={} alerts={} detect time={:.3} ms ({:.1} M points/s, one pass)",
        stats.points,
        stats.alerts,
        stats.elapsed.as_secs_f64() * 1e3,
        stats.points_per_sec() / 1e6
    );

    // Throughput, best of 20 passes over the same points held in memory.
    let mut series = Vec::new();
    for (name, _, _) in &stats.per_file {
        let text = std::fs::read_to_string(input.join(name))?;
        let points: Vec<(i64, f64)> = text
            .lines()
            .skip(1)
            .filter_map(|l| {
                let (t, v) = l.split_once(',')?;
                Some((
                    vigie_signals::nab::parse_timestamp(t)?,
                    v.trim().parse().ok()?,
                ))
            })
            .collect();
        series.push(points);
    }
    let mut best = f64::MAX;
    let mut alerts = 0u64;
    for _ in 0..20 {
        let start = Instant::now();
        alerts = 0;
        for points in &series {
            let mut det = Detector::new(cfg.clone());
            for &(ts, v) in points {
                alerts += u64::from(det.observe(ts, v).alert);
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let n: usize = series.iter().map(Vec::len).sum();
    println!(
        "best of 20 passes: {:.3} ms ({:.1} M points/s, {:.0} ns/point, alerts={alerts})",
        best * 1e3,
        n as f64 / best / 1e6,
        best * 1e9 / n as f64
    );
    Ok(())
}
