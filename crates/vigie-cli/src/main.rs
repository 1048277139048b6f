//! `vigie`: Vigie without a window. Every command works on the same store and engine as the
//! desktop app. Human tables by default, `--json` for scripts; errors go to stderr in plain
//! words with a non-zero exit code.

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
        Err(e) => {
            if json {
                let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
                eprintln!("{}", serde_json::json!({"error": chain.join(": ")}));
            } else {
                eprintln!("vigie: {e}");
                for cause in e.chain().skip(1) {
                    eprintln!("  because: {cause}");
                }
            }
            std::process::ExitCode::FAILURE
        }
    }
}
