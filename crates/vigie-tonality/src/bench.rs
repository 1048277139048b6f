//! The evaluation loop: `label<TAB>text` rows in, one predicted label per line out.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use crate::lang::FrEnDetector;
use crate::{Analyzer, Lang};

/// What a bench run measured.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BenchStats {
    /// Rows analysed (the header line, if any, is not counted).
    pub rows: usize,
    /// Time spent in language detection and analysis only (not I/O, not parsing).
    pub elapsed: Duration,
    /// `rows / elapsed`.
    pub posts_per_sec: f64,
}

/// Reads `label<TAB>text` rows (a `label<TAB>text` header is skipped; a row without
/// a TAB is taken as text only), writes one predicted label per line, and times
/// the analysis. With `lang_hint` `None`, each row's language is detected, falling
/// back to English.
pub fn run_bench(
    input: impl BufRead,
    mut out: impl Write,
    lang_hint: Option<Lang>,
) -> std::io::Result<BenchStats> {
    let analyzer = Analyzer::new();
    let mut texts = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        let line = line.trim_end_matches('\r');
        if i == 0 && line.starts_with("label\t") {
            continue;
        }
        let text = line.split_once('\t').map_or(line, |(_, t)| t);
        texts.push(text.to_string());
    }
    let detector = FrEnDetector::new();
    let mut labels = Vec::with_capacity(texts.len());
    let start = Instant::now();
    for text in &texts {
        let lang = lang_hint
            .or_else(|| detector.detect(text))
            .unwrap_or(Lang::En);
        labels.push(analyzer.analyze(text, lang).label);
    }
    let elapsed = start.elapsed();
    for label in &labels {
        writeln!(out, "{}", label.as_str())?;
    }
    out.flush()?;
    let secs = elapsed.as_secs_f64().max(1e-9);
    Ok(BenchStats {
        rows: texts.len(),
        elapsed,
        posts_per_sec: texts.len() as f64 / secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_writes_one_label_per_row() {
        let input = "label\ttext\npositive\tJ'adore ce produit, génial !\nnegative\tC'est nul, quelle arnaque\nneutral\tLe magasin ouvre à 9h\n";
        let mut out = Vec::new();
        let stats = run_bench(input.as_bytes(), &mut out, Some(Lang::Fr)).unwrap();
        assert_eq!(stats.rows, 3);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "positive\nnegative\nneutral\n"
        );
        assert!(stats.posts_per_sec > 0.0);
    }

    #[test]
    fn bench_detects_language_without_hint() {
        let input = "I hate this, it is awful\nJe déteste ça, c'est horrible\n";
        let mut out = Vec::new();
        let stats = run_bench(input.as_bytes(), &mut out, None).unwrap();
        assert_eq!(stats.rows, 2, "no header: every line is a row");
        assert_eq!(String::from_utf8(out).unwrap(), "negative\nnegative\n");
    }
}
