//! `vigie`: Vigie without a window. Every command works on the same store and engine as the
//! desktop app. Human tables by default, `--json` for scripts; errors go to stderr in plain
//! words with a non-zero exit code.

/// `println!` for command output: a reader that stops reading (`vigie mentions | head`) ends
/// the command quietly instead of a panic. Use it in functions that return `anyhow::Result`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// `print!` for command output (see `outln!`).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!($($arg)*))?
    };
}

mod bench;
mod cli;
mod output;
mod publish;
mod run;
mod signals;
mod since;
mod team;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    let json = args.json;
    match run::dispatch(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The reader has what it wanted (`| head`): nothing went wrong.
        Err(e) if e.is::<output::StdoutClosed>() => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // 2: the poll ran, some sources failed; 1: the command failed.
            let code = if e.is::<output::SourcesFailed>() {
                2
            } else {
                1
            };
            if json {
                let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
                eprintln!("{}", serde_json::json!({"error": chain.join(": ")}));
            } else {
                eprintln!("vigie: {e}");
                for cause in e.chain().skip(1) {
                    eprintln!("  because: {cause}");
                }
            }
            std::process::ExitCode::from(code)
        }
    }
}
