//! The command line, declared with clap.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "vigie",
    version,
    about = "Vigie: brand listening and crisis cell, headless"
)]
pub struct Cli {
    /// Data folder (default: $VIGIE_DATA_DIR, else ~/.local/share/vigie).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Watches: what to listen for.
    #[command(subcommand)]
    Watch(WatchCmd),
    /// Sources: where to listen.
    #[command(subcommand)]
    Source(SourceCmd),
    /// Polls the sources that are due, once.
    Poll {
        /// Poll once and exit (the only mode; `vigie run` keeps polling).
        #[arg(long)]
        once: bool,
    },
    /// Keeps polling until Ctrl-C, then stops cleanly.
    Run {
        /// Seconds between two looks at the schedule.
        #[arg(long, default_value_t = 30)]
        tick: u64,
    },
    /// Lists stored mentions, newest first.
    Mentions(MentionsArgs),
    /// Each watch's crisis level and why.
    Levels,
    /// Weak signals and level changes, newest first.
    Signals {
        #[arg(long)]
        watch: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Replays a watch's stored history through fresh detectors: when alerts would have fired.
    Backtest {
        #[arg(long)]
        watch: String,
    },
    /// Benchmarks (figures go to docs/BENCHMARKS.md).
    #[command(subcommand)]
    Bench(BenchCmd),
}

#[derive(Subcommand, Debug)]
pub enum WatchCmd {
    /// Adds a watch.
    Add {
        name: String,
        /// Query: words, "exact phrases", AND / OR / NOT, -word, (parentheses), prefix*.
        #[arg(long, short)]
        query: String,
        /// Languages, comma-separated ISO codes (e.g. fr,en). Default: all.
        #[arg(long, value_delimiter = ',')]
        lang: Vec<String>,
        #[arg(long, default_value = "medium")]
        sensitivity: String,
        /// Create it disabled.
        #[arg(long)]
        disabled: bool,
        /// Sensitive words (comma-separated) that raise the weight of a mention.
        #[arg(long, value_delimiter = ',')]
        sensitive_words: Vec<String>,
        /// Level thresholds, e.g. watch=2,alert=4,crisis=7 (also min_per_hour, calm_down).
        #[arg(long)]
        thresholds: Option<String>,
    },
    /// Lists watches.
    List,
    /// Changes a watch (by name or id).
    Edit {
        watch: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, short)]
        query: Option<String>,
        #[arg(long, value_delimiter = ',')]
        lang: Option<Vec<String>>,
        #[arg(long)]
        sensitivity: Option<String>,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
        #[arg(long, value_delimiter = ',')]
        sensitive_words: Option<Vec<String>>,
        /// watch=2,alert=4,crisis=7 … or "default".
        #[arg(long)]
        thresholds: Option<String>,
    },
    /// Removes a watch (its mentions stay).
    Rm { watch: String },
}

#[derive(Subcommand, Debug)]
pub enum SourceCmd {
    /// Adds a feed URL, a Mastodon tag (--mastodon) or a Bluesky search (--bluesky).
    Add(SourceAdd),
    /// Lists sources with their health.
    List,
    /// Removes a source (its mentions stay).
    Rm { source: String },
    /// Checks a source now (through the same queue as scheduled polls).
    Check { source: String },
    /// Imports feeds from an OPML file.
    ImportOpml { file: PathBuf },
    /// Exports feeds as OPML (to a file, or stdout).
    ExportOpml { file: Option<PathBuf> },
}

#[derive(Args, Debug)]
pub struct SourceAdd {
    /// Feed URL (RSS, Atom, JSON Feed; Google Alerts, Talkwalker, Reddit, YouTube, Mastodon RSS…).
    pub url: Option<String>,
    /// Mastodon instance base URL, with --tag.
    #[arg(long, requires = "tag", conflicts_with_all = ["url", "bluesky"])]
    pub mastodon: Option<String>,
    #[arg(long)]
    pub tag: Option<String>,
    /// Bluesky service (PDS) URL, with --handle and --query. The app password is read from
    /// $VIGIE_BLUESKY_APP_PASSWORD or the first line of stdin and stored in the OS keychain.
    #[arg(long, requires_all = ["handle", "query"], conflicts_with = "url")]
    pub bluesky: Option<String>,
    #[arg(long)]
    pub handle: Option<String>,
    #[arg(long)]
    pub query: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    /// Seconds between checks.
    #[arg(long, default_value_t = 900)]
    pub interval: i64,
}

#[derive(Args, Debug)]
pub struct MentionsArgs {
    /// Only this watch (name or id).
    #[arg(long)]
    pub watch: Option<String>,
    /// Full-text search.
    #[arg(long)]
    pub search: Option<String>,
    /// Newer than: 30m, 2h, 7d, 2026-11-01 or an RFC 3339 time.
    #[arg(long)]
    pub since: Option<String>,
    /// Only this tonality: negative, neutral or positive.
    #[arg(long)]
    pub tonality: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// Tonality: reads `label<TAB>text` rows, writes one predicted label per line; posts/s on stderr.
    Tonality {
        file: PathBuf,
        /// fr or en; default: detected per row.
        #[arg(long)]
        lang: Option<String>,
    },
    /// Replays the NAB Twitter series in DIR through the app's detector; writes timestamp,alert CSVs to OUT.
    Nab { dir: PathBuf, out: PathBuf },
    /// Full ingest pipeline over a generated corpus (parse, normalise, dedupe, match, store, index).
    Ingest {
        #[arg(long, default_value_t = 2000)]
        feeds: usize,
        #[arg(long, default_value_t = 50)]
        items: usize,
        #[arg(long, default_value_t = 50)]
        watches: usize,
        /// Where to write the corpus (kept for the feedparser comparison). Default: a temp dir.
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Sources written per transaction. 0 (default) does as the poller: every source
        /// already prepared, up to ~1,000 entries per transaction. N: exactly N sources.
        #[arg(long, default_value_t = 0)]
        sources_per_tx: usize,
        /// Threads parsing, normalising and matching beside the writer (the poller does this
        /// work on every tokio worker).
        #[arg(long, default_value_t = 2)]
        producers: usize,
    },
    /// One poll cycle over feeds served at BASE/feed-N.xml that all answer 304 after a first poll.
    PollCycle {
        /// Base URL (e.g. http://127.0.0.1:8080).
        base: String,
        #[arg(long, default_value_t = 1000)]
        feeds: usize,
    },
}
