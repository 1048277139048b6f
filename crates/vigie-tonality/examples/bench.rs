//! Evaluation loop: `cargo run --release --example bench -- fr FILE.tsv > preds`
//!
//! Language: `fr`, `en` or `auto` (detect per row, fall back to English). Prints one
//! label per line on stdout and the timing on stderr. With `--scores`, each line is
//! `label<TAB>score<TAB>anger<TAB>word:valence…` instead (the scorer ignores the extra columns).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};

use vigie_tonality::{run_bench, Analyzer, Lang};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scores = args.iter().any(|a| a == "--scores");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (Some(lang), Some(path)) = (pos.first(), pos.get(1)) else {
        eprintln!("usage: bench fr|en|auto FILE.tsv [--scores]");
        std::process::exit(2);
    };
    let hint = match lang.as_str() {
        "fr" => Some(Lang::Fr),
        "en" => Some(Lang::En),
        "auto" => None,
        other => {
            eprintln!("unknown language {other}: use fr, en or auto");
            std::process::exit(2);
        }
    };
    let input = BufReader::new(File::open(path)?);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if scores {
        let analyzer = Analyzer::new();
        for (i, line) in input.lines().enumerate() {
            let line = line?;
            if i == 0 && line.starts_with("label\t") {
                continue;
            }
            let text = line.split_once('\t').map_or(line.as_str(), |(_, t)| t);
            let lang = hint
                .or_else(|| vigie_tonality::detect_language(text))
                .unwrap_or(Lang::En);
            let t = analyzer.analyze(text, lang);
            let why: Vec<String> = analyzer
                .explain(text, lang)
                .iter()
                .map(|(w, v)| format!("{w}:{v:.2}"))
                .collect();
            writeln!(
                out,
                "{}\t{:.4}\t{}\t{}",
                t.label.as_str(),
                t.score,
                t.anger,
                why.join(" ")
            )?;
        }
        return Ok(());
    }
    let stats = run_bench(input, &mut out, hint)?;
    eprintln!(
        "{} rows in {:.3} ms: {:.0} posts/s",
        stats.rows,
        stats.elapsed.as_secs_f64() * 1e3,
        stats.posts_per_sec
    );
    Ok(())
}
