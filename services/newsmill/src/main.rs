//! `newsmill`: one binary, a subcommand per role. Each subcommand parses its
//! arguments, loads config, builds its stage and hands it to the runner.

mod batch;
mod control;
mod lines;
mod memory;
mod pipeline;
mod preview;
mod redrive;
mod stories;
mod topics;
mod trace;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use news_core::Config;
use news_core::messages::{FEED_POLL_MAX_SECS, FEED_POLL_MIN_SECS, FeedAction, FeedSettings};

#[derive(Parser)]
#[command(
    name = "newsmill",
    version,
    about = "Streaming news ingestion: fetch, clean and deduplicate news into Kafka (or an embedded log)"
)]
struct Cli {
    /// TOML config file (environment overrides: NEWSMILL__SECTION__KEY).
    #[arg(long, short, global = true, env = "NEWSMILL_CONFIG")]
    config: Option<PathBuf>,
    /// Print the effective config (secrets masked) and exit.
    #[arg(long, global = true)]
    print_config: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run all stages in one process (the main job): fetch, clean, dedup.
    Run {
        /// Poll each feed once, process everything, print a summary and exit.
        #[arg(long)]
        drain: bool,
    },
    /// Run only the fetch stage: feeds and article pages -> news.raw.v1.
    Fetch {
        /// Poll each feed once and exit.
        #[arg(long)]
        once: bool,
    },
    /// Run only the clean stage: news.raw.v1 -> news.clean.v1.
    Clean,
    /// Run only the dedup stage: news.clean.v1 -> news.dedup.v1 + news.stories.v1
    /// (+ news.articles.v1).
    Dedup,
    /// Print a topic as JSON lines, on either backend.
    Tail {
        /// Topic name, e.g. news.dedup.v1.
        topic: String,
        /// Keep waiting for new messages instead of exiting at the end.
        #[arg(long, short)]
        follow: bool,
        /// Print at most this many messages.
        #[arg(long, short = 'n')]
        limit: Option<usize>,
    },
    /// Summarise the topics of the embedded log, or of Kafka.
    Stats,
    /// The stories as they stand: each open story's latest summary from
    /// news.stories.v1, ranked, without its member ids, as JSON lines.
    Stories {
        /// Rank by outlets (how widely reported), articles, or latest.
        #[arg(long, value_enum, default_value = "outlets")]
        by: stories::Rank,
        /// Show at most this many.
        #[arg(long, short = 'n', default_value_t = 20)]
        top: usize,
        /// Include stories closed by the dedup window.
        #[arg(long)]
        closed: bool,
    },
    /// Send dead letters' messages back to the topic they came from, once
    /// what failed them is fixed. Prints a JSON line per letter selected.
    Redrive {
        /// Only letters from this stage (clean, dedup, fetch); repeatable.
        #[arg(long)]
        stage: Vec<String>,
        /// Only letters of this error type (decode, schema_version,
        /// oversized, invalid, ...); repeatable.
        #[arg(long = "error-type")]
        error_type: Vec<String>,
        /// Only letters that failed at or after this time (RFC 3339).
        #[arg(long)]
        since: Option<chrono::DateTime<chrono::Utc>>,
        /// Say what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Say where one article went: the feeds of this data directory that
    /// took it, its page waiting for a retry, each record about it on
    /// news.raw.v1, news.clean.v1 and news.dedup.v1, its dead letters and
    /// its story's latest summary, as JSON lines; a summary on stderr.
    Trace {
        /// The article's URL (as its feed links it) or its 64-hex id.
        article: String,
        /// On Kafka, read every partition of the topics keyed by article
        /// and story, not only the one the key goes to (for a topic whose
        /// partitions were added to since the article passed).
        #[arg(long)]
        all_partitions: bool,
        /// Only records written at or after this time: RFC 3339
        /// (2024-06-02T10:00:00Z) or a duration ago (6h, 2d). On Kafka
        /// each partition is read from that moment, not from its start.
        #[arg(long, value_parser = parse_time_or_ago)]
        since: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Extract main text and metadata from every *.html and *.txt in a directory.
    Extract {
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long = "out")]
        output: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Cluster a JSONL file of articles into stories, in file order, as a stream.
    Cluster {
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long = "out")]
        output: PathBuf,
        /// Add to each line the candidate copies and stories the decision
        /// weighed, their similarity, and the rule that took or refused each.
        #[arg(long)]
        explain: bool,
    },
    /// Change the subscriptions at run time through news.feeds.v1.
    Feeds {
        #[command(subcommand)]
        action: FeedsCommand,
    },
    /// Show what newsmill would make of a feed before it is subscribed:
    /// poll it once with this config's rules on a temporary log, clean
    /// what it gives, and print each clean article (and each dead letter)
    /// as a JSON line. Writes nothing to the configured bus.
    Preview {
        /// The feed's URL (or a sitemap's).
        url: String,
        /// Items taken from the feed, newest first.
        #[arg(long, short = 'n', default_value_t = 5)]
        items: usize,
    },
    /// Find the feeds a site announces (or serves at common paths).
    Discover {
        /// A site or page URL.
        url: String,
    },
    /// Parse a feed file and print it, normalised, as JSON.
    ParseFeed {
        /// The feed file (not with --batch).
        #[arg(required_unless_present = "batch")]
        file: Option<PathBuf>,
        /// The URL the feed came from (resolves relative links).
        #[arg(long)]
        url: Option<String>,
        /// The HTTP Content-Type it was served with (its charset counts).
        #[arg(long)]
        content_type: Option<String>,
        /// Read JSON lines `{"path", "url"?, "content_type"?}` or `{"date"}`
        /// from stdin and print one JSON line per request.
        #[arg(long, conflicts_with = "file")]
        batch: bool,
    },
}

#[derive(Subcommand)]
enum FeedsCommand {
    /// Subscribe to a feed (or resume a paused one).
    Add {
        url: String,
        #[arg(long)]
        title: Option<String>,
        /// Take its items from the feed's own text, never fetching their
        /// pages (a full-text feed of a walled site). An add without it
        /// turns it off.
        #[arg(long)]
        feed_text_only: bool,
        /// Poll it at least this far apart, in place of `fetcher.poll_min`
        /// (`90s`, `2m`; 1 s to 30 days).
        #[arg(long, value_parser = parse_poll_bound)]
        poll_min: Option<u64>,
        /// Poll it at most this far apart, in place of `fetcher.poll_max`
        /// (`15m`, `1h`). An add without a bound leaves the fetcher's.
        #[arg(long, value_parser = parse_poll_bound)]
        poll_max: Option<u64>,
    },
    /// Change some of a feed's own settings and keep the others (a feed
    /// added by command; an add says them all).
    Set {
        url: String,
        /// `on`: take its items from the feed's own text; `off`: fetch
        /// their pages.
        #[arg(long, value_parser = parse_on_off)]
        feed_text_only: Option<bool>,
        /// Its shortest poll interval (`90s`), or `default` for
        /// `fetcher.poll_min`.
        #[arg(long, value_parser = parse_poll_bound_or_default)]
        poll_min: Option<control::PollBound>,
        /// Its longest poll interval (`15m`), or `default` for
        /// `fetcher.poll_max`.
        #[arg(long, value_parser = parse_poll_bound_or_default)]
        poll_max: Option<control::PollBound>,
    },
    /// Stop polling a feed but keep its state.
    Pause { url: String },
    /// Poll a paused feed again.
    Resume { url: String },
    /// Unsubscribe and forget the feed's state.
    Remove { url: String },
    /// Print every subscription as a JSON line, with what the fetcher of
    /// this data directory knows of it: health (active, silent, failing,
    /// disabled, paused, new, other_shard), failures, last error, last
    /// poll, last new item, next poll, pages waiting.
    List {
        /// Only the failing and disabled feeds.
        #[arg(long)]
        failing: bool,
    },
    /// Print every subscription as an OPML 2.0 document, for another feed
    /// reader or another newsmill's `fetcher.opml`. A paused feed has the
    /// category `/newsmill/paused`; a user and password in a URL are
    /// masked.
    Export {
        /// Keep a user and password in the URLs as they are.
        #[arg(long)]
        with_credentials: bool,
    },
    /// Subscribe to every feed of an OPML file (`feeds export`'s, or
    /// another reader's) through the control topic, as `feeds add` does; a
    /// feed marked paused is added paused.
    Import { file: std::path::PathBuf },
}

/// A feed's poll bound on the command line (`90s`, `15m`), in seconds.
fn parse_poll_bound(text: &str) -> Result<u64, String> {
    let secs = humantime::parse_duration(text)
        .map_err(|e| format!("{text:?} is not a duration such as 90s or 15m: {e}"))?
        .as_secs();
    if !(FEED_POLL_MIN_SECS..=FEED_POLL_MAX_SECS).contains(&secs) {
        return Err(format!("{text} is outside 1s to 30 days"));
    }
    Ok(secs)
}

/// A moment given as RFC 3339 or as a duration before now (`6h`, `2d`).
fn parse_time_or_ago(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(at.with_timezone(&chrono::Utc));
    }
    let ago = humantime::parse_duration(text.trim()).map_err(|_| {
        format!("{text:?} is neither an RFC 3339 time (2024-06-02T10:00:00Z) nor a duration ago (6h, 2d)")
    })?;
    chrono::Duration::from_std(ago)
        .ok()
        .and_then(|ago| chrono::Utc::now().checked_sub_signed(ago))
        .ok_or_else(|| format!("{text:?} is too long ago"))
}

fn parse_poll_bound_or_default(text: &str) -> Result<control::PollBound, String> {
    if text == "default" {
        return Ok(control::PollBound::Fetchers);
    }
    parse_poll_bound(text).map(control::PollBound::Secs)
}

fn parse_on_off(text: &str) -> Result<bool, String> {
    match text {
        "on" | "true" => Ok(true),
        "off" | "false" => Ok(false),
        _ => Err(format!("{text:?}: on or off")),
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if cli.print_config || cli.command.as_ref().is_some_and(Command::prints_for_a_pipe) {
        end_quietly_on_a_closed_pipe();
    }
    news_core::telemetry::init_logging();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One readable line (with causes), not a backtrace.
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

impl Command {
    /// A tool whose output is read by another program (`newsmill tail t |
    /// head`), not one of the long-running stages.
    fn prints_for_a_pipe(&self) -> bool {
        !matches!(
            self,
            Command::Run { .. } | Command::Fetch { .. } | Command::Clean | Command::Dedup
        )
    }
}

/// Rust ignores SIGPIPE, so a write to a reader that has gone (`| head`)
/// fails, and `println!` panics on the failure. A tool ends as Unix tools
/// do instead: the signal ends it, quietly.
fn end_quietly_on_a_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called before any other thread starts; it restores the
    // default action of one signal.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(cli: Cli) -> Result<()> {
    let config = Config::load(cli.config.as_deref()).context("loading configuration")?;
    if cli.print_config {
        print!("{}", config.to_masked_toml());
        return Ok(());
    }
    let Some(command) = cli.command else {
        anyhow::bail!("a subcommand is required (see newsmill --help)");
    };
    match command {
        Command::Extract {
            input,
            output,
            jobs,
        } => batch::extract(&input, &output, jobs, &config),
        Command::Cluster {
            input,
            output,
            explain,
        } => batch::cluster(&input, &output, explain, &config),
        Command::ParseFeed { batch: true, .. } => batch::parse_feed_batch(),
        Command::ParseFeed {
            file,
            url,
            content_type,
            ..
        } => batch::parse_feed(
            &file.context("a feed file is required")?,
            url.as_deref(),
            content_type.as_deref(),
        ),
        other => {
            if matches!(
                other,
                Command::Run { .. } | Command::Fetch { .. } | Command::Clean | Command::Dedup
            ) {
                memory::start_trimming();
            }
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                match other {
                    Command::Run { drain } => pipeline::run_all(config, drain).await,
                    Command::Fetch { once } => pipeline::run_fetch(config, once).await,
                    Command::Clean => pipeline::run_clean(config).await,
                    Command::Dedup => pipeline::run_dedup(config).await,
                    Command::Tail {
                        topic,
                        follow,
                        limit,
                    } => topics::tail(config, &topic, follow, limit).await,
                    Command::Stats => topics::stats(config).await,
                    Command::Stories { by, top, closed } => {
                        stories::stories(config, by, closed, top).await
                    }
                    Command::Trace {
                        article,
                        all_partitions,
                        since,
                    } => trace::trace(config, &article, all_partitions, since).await,
                    Command::Redrive {
                        stage,
                        error_type,
                        since,
                        dry_run,
                    } => {
                        let selection = redrive::Selection {
                            stages: stage,
                            error_types: error_type,
                            since,
                        };
                        redrive::redrive(config, selection, dry_run).await
                    }
                    Command::Feeds {
                        action: FeedsCommand::List { failing },
                    } => control::list_feeds(&config, failing).await,
                    Command::Feeds {
                        action: FeedsCommand::Export { with_credentials },
                    } => control::export_feeds(&config, with_credentials).await,
                    Command::Feeds {
                        action: FeedsCommand::Import { file },
                    } => control::import_feeds(&config, &file).await,
                    Command::Feeds {
                        action:
                            FeedsCommand::Set {
                                url,
                                feed_text_only,
                                poll_min,
                                poll_max,
                            },
                    } => {
                        let change = control::SettingsChange {
                            feed_text_only,
                            poll_min,
                            poll_max,
                        };
                        control::set_feed(&config, &url, change).await
                    }
                    Command::Feeds { action } => {
                        let none = FeedSettings::default();
                        let (action, url, title, settings) = match action {
                            FeedsCommand::Add {
                                url,
                                title,
                                feed_text_only,
                                poll_min,
                                poll_max,
                            } => {
                                let settings = FeedSettings {
                                    feed_text_only,
                                    poll_min_secs: poll_min,
                                    poll_max_secs: poll_max,
                                };
                                if let Some(problem) = settings.problem() {
                                    return Err(anyhow::anyhow!(problem));
                                }
                                (FeedAction::Add, url, title, settings)
                            }
                            FeedsCommand::Pause { url } => (FeedAction::Pause, url, None, none),
                            FeedsCommand::Resume { url } => (FeedAction::Resume, url, None, none),
                            FeedsCommand::Remove { url } => (FeedAction::Remove, url, None, none),
                            FeedsCommand::List { .. }
                            | FeedsCommand::Set { .. }
                            | FeedsCommand::Export { .. }
                            | FeedsCommand::Import { .. } => {
                                unreachable!("handled above")
                            }
                        };
                        let order = control::Order {
                            action,
                            url,
                            title,
                            settings,
                        };
                        control::send_command(&config, order).await
                    }
                    Command::Discover { url } => pipeline::discover(config, &url).await,
                    Command::Preview { url, items } => preview::preview(config, &url, items).await,
                    _ => unreachable!("batch commands are handled above"),
                }
            })
        }
    }
}
