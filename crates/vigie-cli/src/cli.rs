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
    /// Polls the sources that are due, once. Exits with 2 when some sources failed (what the
    /// others gave is stored).
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
    /// Publishing profiles: brand or personal, each with its own accounts.
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Accounts a profile publishes to (credentials go to the OS keychain only).
    #[command(subcommand)]
    Account(AccountCmd),
    /// Queues a post through the publish gate (validation, confirmation, approval, undo window).
    Post(PostArgs),
    /// The outbox: queued, sending, sent, failed and cancelled posts.
    #[command(subcommand)]
    Outbox(OutboxCmd),
    /// Pauses (or resumes) every outgoing post.
    KillSwitch {
        /// on, off or status.
        state: String,
        /// Why (required to turn it on; the team sees it).
        #[arg(long)]
        reason: Option<String>,
    },
    /// This laptop's identity and the team roster (names, roles, public keys, autonomy).
    #[command(subcommand)]
    Team(TeamCmd),
    /// The approval policy (TOML).
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Drafts written together: variants per account, history, comments.
    #[command(subcommand)]
    Draft(DraftCmd),
    /// Playbooks: prepared scenarios with holding statements (TOML files).
    #[command(subcommand)]
    Playbook(PlaybookCmd),
    /// Approval requests and signed approvals, exchanged as files or text blocks.
    #[command(subcommand)]
    Approval(ApprovalCmd),
    /// The hash-chained audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Publishing settings: undo window and the audience above which the handle must be typed.
    PublishSettings {
        #[arg(long)]
        undo_secs: Option<i64>,
        /// Followers above which typing the handle is required ("none" to disable).
        #[arg(long)]
        audience_threshold: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProfileCmd {
    /// Creates a profile.
    Add {
        name: String,
        /// brand or personal.
        #[arg(long)]
        kind: String,
        /// #rrggbb, shown around everything done in this profile (default: red for a brand,
        /// green for a personal profile, as in the app).
        #[arg(long)]
        colour: Option<String>,
        /// Handles a brand profile may hold (user@instance, name.bsky.social); repeat or comma-separate.
        #[arg(long, value_delimiter = ',')]
        allow: Vec<String>,
    },
    /// Lists profiles.
    List,
    /// Replaces a brand profile's allow-list.
    Allow {
        profile: String,
        #[arg(value_delimiter = ',')]
        handles: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AccountCmd {
    /// Connects a Mastodon account with an access token read from $VIGIE_TOKEN or stdin.
    ConnectMastodon {
        #[arg(long)]
        profile: String,
        /// Instance base URL.
        #[arg(long)]
        server: String,
        /// The account you mean to connect; any other is refused.
        #[arg(long)]
        expect: Option<String>,
    },
    /// Connects a Mastodon account by signing in in the browser (OAuth, loopback redirect).
    SignInMastodon {
        #[arg(long)]
        profile: String,
        #[arg(long)]
        server: String,
        #[arg(long)]
        expect: Option<String>,
    },
    /// Connects a Bluesky account with an app password read from $VIGIE_APP_PASSWORD or stdin.
    ConnectBluesky {
        #[arg(long)]
        profile: String,
        /// PDS URL.
        #[arg(long, default_value = "https://bsky.social")]
        service: String,
        #[arg(long)]
        handle: String,
    },
    /// Lists accounts (of one profile, or all grouped by profile).
    List {
        #[arg(long)]
        profile: Option<String>,
    },
    /// Disconnects an account and deletes its credentials from the keychain.
    Rm { account: i64 },
    /// Prints the account's public identity (for a validator's pre-approval), as JSON.
    Target { account: i64 },
}

#[derive(Args, Debug)]
pub struct PostArgs {
    /// The profile you work in (the account must belong to it).
    #[arg(long)]
    pub profile: String,
    /// Account id.
    #[arg(long)]
    pub account: i64,
    /// The text (default: read from stdin).
    #[arg(long)]
    pub text: Option<String>,
    /// An image to attach; give its description with --alt (same order).
    #[arg(long)]
    pub image: Vec<PathBuf>,
    #[arg(long)]
    pub alt: Vec<String>,
    /// The watch this post answers (its level sets how strict the confirmation is).
    #[arg(long)]
    pub watch: Option<String>,
    /// Type the account's handle when Vigie asks for it.
    #[arg(long)]
    pub confirm_handle: Option<String>,
    /// Confirms the post after reading who it goes out as. Without it, nothing is queued.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Subcommand, Debug)]
pub enum OutboxCmd {
    /// Lists posts, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Cancels a queued post (inside its undo window).
    Cancel { post: i64 },
    /// Puts a failed post back in the queue, through the same confirmation as a new post and
    /// with a fresh undo window.
    Retry {
        post: i64,
        /// The profile you work in (the post's account must belong to it).
        #[arg(long)]
        profile: String,
        /// Type the account's handle when Vigie asks for it.
        #[arg(long)]
        confirm_handle: Option<String>,
        /// Confirms after reading who the post goes out as. Without it, nothing is queued.
        #[arg(long)]
        yes: bool,
    },
    /// Sends what is due now; with --wait, waits for undo windows to end.
    Send {
        #[arg(long)]
        wait: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum WatchCmd {
    /// Adds a watch.
    Add {
        name: String,
        /// Query: words, "exact phrases", AND / OR / NOT, -word, (parentheses), prefix*.
        /// It may start with '-' ("-bourse danone").
        #[arg(long, short, allow_hyphen_values = true)]
        query: String,
        /// Languages, comma-separated ISO codes (e.g. fr,en). Default: all.
        #[arg(long, value_delimiter = ',')]
        lang: Vec<String>,
        #[arg(long, default_value = "medium")]
        sensitivity: String,
        /// Create it disabled.
        #[arg(long)]
        disabled: bool,
        /// Sensitive words (comma-separated) that raise the weight of a mention; word* for a
        /// prefix (boycott* also finds boycotte and #BoycottDanone).
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
        #[arg(long, short, allow_hyphen_values = true)]
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
    #[arg(long, requires = "mastodon")]
    pub tag: Option<String>,
    /// Bluesky service (PDS) URL, with --handle and --query. The app password is read from
    /// $VIGIE_BLUESKY_APP_PASSWORD or the first line of stdin and stored in the OS keychain.
    #[arg(long, requires_all = ["handle", "query"], conflicts_with = "url")]
    pub bluesky: Option<String>,
    #[arg(long, requires = "bluesky")]
    pub handle: Option<String>,
    #[arg(long, requires = "bluesky")]
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
    /// Full-text search, in the watch query language (words, "phrases", AND / OR / NOT,
    /// -word, prefix*).
    #[arg(long, allow_hyphen_values = true)]
    pub search: Option<String>,
    /// Newer than: 30m, 2h, 7d, a local date or time (2026-11-01, 2026-11-01 08:00) or an
    /// RFC 3339 time.
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
        /// already prepared, up to ~2,500 entries per transaction. N: exactly N sources.
        #[arg(long, default_value_t = 0)]
        sources_per_tx: usize,
        /// Threads parsing, normalising and matching beside the writer (the poller does this
        /// work on every tokio worker).
        #[arg(long, default_value_t = 2)]
        producers: usize,
        /// Keep the resulting database in this data folder (e.g. to measure the desktop app
        /// with 100,000 stored mentions: --feeds 200 --items 500 --watches 10).
        #[arg(long)]
        keep_data: Option<PathBuf>,
        /// Prepare every entry, even one whose GUID the source already has stored (the
        /// engine drops those before normalising them): to measure what that saves.
        #[arg(long)]
        keep_known: bool,
        /// Only the first pass (no second pass over the same feeds).
        #[arg(long)]
        no_again: bool,
    },
    /// What the prescribed parts cost alone on the same corpus: feed-rs parsing, and one
    /// SQLite writer storing the items in a bare table with an FTS5 index. Prints the
    /// ceiling any pipeline built on them reaches on this machine.
    Floor {
        #[arg(long, default_value_t = 2000)]
        feeds: usize,
        #[arg(long, default_value_t = 50)]
        items: usize,
        /// Threads parsing (the ceiling assumes they overlap the writer perfectly).
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// One poll cycle over feeds served at BASE/feed-N.xml that all answer 304 after a first poll.
    PollCycle {
        /// Base URL (e.g. http://127.0.0.1:8080).
        base: String,
        #[arg(long, default_value_t = 1000)]
        feeds: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum TeamCmd {
    /// Creates this laptop's identity (an Ed25519 key pair; the private key goes to the keychain).
    Init {
        #[arg(long)]
        name: String,
        /// Roles, comma-separated (e.g. communication, legal, direction).
        #[arg(long, value_delimiter = ',')]
        role: Vec<String>,
        #[arg(long, default_value = "medium")]
        autonomy: String,
    },
    /// Shows who you are and the roster.
    Show,
    /// Writes the roster (public keys only) to a file or stdout, to share with the team.
    Export { file: Option<PathBuf> },
    /// Merges a roster file.
    Import { file: PathBuf },
    /// Changes a member's roles or autonomy (by name or key).
    Set {
        who: String,
        #[arg(long, value_delimiter = ',')]
        role: Option<Vec<String>>,
        #[arg(long)]
        autonomy: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum PolicyCmd {
    /// Prints the policy as TOML.
    Show,
    /// Replaces the policy with a TOML file.
    Import { file: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum DraftCmd {
    /// Starts a draft answering a watch and/or mentions.
    New {
        title: String,
        #[arg(long)]
        watch: Option<String>,
        #[arg(long)]
        mention: Vec<i64>,
    },
    List,
    /// Variants, history and comments.
    Show {
        draft: i64,
    },
    /// Writes the text for one account (a new version; the text comes from --text or stdin).
    Edit {
        draft: i64,
        #[arg(long)]
        account: i64,
        #[arg(long)]
        text: Option<String>,
    },
    Comment {
        draft: i64,
        text: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PlaybookCmd {
    Import {
        file: PathBuf,
    },
    Export {
        name: String,
        file: Option<PathBuf>,
    },
    List,
    /// "Use this statement": a draft for an account with the slots filled (--slot brand=Acme).
    Use {
        playbook: String,
        statement: String,
        #[arg(long)]
        account: i64,
        #[arg(long)]
        slot: Vec<String>,
        #[arg(long)]
        watch: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApprovalCmd {
    /// Exports a signed request for a draft's text for one account.
    Request {
        draft: i64,
        #[arg(long)]
        account: i64,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Shows a request's exact content and target after checking its signature.
    Review {
        file: PathBuf,
    },
    /// Signs an approval of a request.
    Approve {
        file: PathBuf,
        #[arg(long)]
        role: String,
        /// How long it stays valid (e.g. 2h, 1d).
        #[arg(long, default_value = "24h")]
        valid: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Pre-approves a playbook statement for an account (target from `vigie account target`).
    PreApprove {
        #[arg(long)]
        playbook: String,
        #[arg(long)]
        statement: String,
        /// JSON file describing the account (`vigie account target ID`).
        #[arg(long)]
        target: PathBuf,
        #[arg(long, default_value = "alert")]
        max_level: String,
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "30d")]
        valid: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Verifies and files an approval received from a validator.
    Import {
        file: PathBuf,
    },
    List,
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Checks the whole chain; says where it breaks.
    Verify,
    List {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}
