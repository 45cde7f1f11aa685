//! Configuration: defaults, then an optional TOML file, then `NEWSMILL__`
//! environment variables (`NEWSMILL__BUS__BROKERS=host:9092`). Every struct
//! denies unknown keys so a typo fails at start, naming the key.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::messages::TopicRole;

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub bus: BusConfig,
    pub topics: Topics,
    pub runner: RunnerConfig,
    pub admin: AdminConfig,
    pub fetcher: FetcherConfig,
    pub cleaner: CleanerConfig,
    pub dedup: DedupConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusConfig {
    /// Kafka bootstrap servers. Empty means the embedded on-disk log.
    pub brokers: String,
    /// Directory of the embedded log and of local stage state.
    pub data_dir: PathBuf,
    /// Largest message accepted on any topic; larger ones become dead letters.
    pub max_message_bytes: usize,
    /// Embedded log: payloads above this size are LZ4-compressed on disk.
    /// (Kafka compresses whole batches with `compression.type` instead.)
    pub compress_over_bytes: usize,
    /// Embedded log: a topic keeps at most this many bytes; older records are
    /// dropped by whole segments once every consumer has passed them.
    pub retention_bytes: u64,
    /// Kafka consumer group prefix; each stage appends its name.
    pub group_prefix: String,
    /// Create missing topics at start (Kafka), with these settings.
    pub create_topics: bool,
    pub partitions: i32,
    pub replication_factor: i32,
    /// Extra librdkafka properties, passed through as given (secrets allowed;
    /// they are masked by `--print-config` and never logged).
    pub kafka: BTreeMap<String, String>,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            brokers: String::new(),
            data_dir: PathBuf::from("data"),
            max_message_bytes: 8 * 1024 * 1024,
            compress_over_bytes: 4 * 1024,
            retention_bytes: 2 * 1024 * 1024 * 1024,
            group_prefix: "newsmill".into(),
            create_topics: true,
            partitions: 3,
            replication_factor: 1,
            kafka: BTreeMap::new(),
        }
    }
}

impl BusConfig {
    pub fn is_kafka(&self) -> bool {
        !self.brokers.trim().is_empty()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Topics {
    pub raw: String,
    pub clean: String,
    pub dedup: String,
    pub stories: String,
    pub dlq: String,
    pub feeds: String,
    /// Changelog of the dedup stage's state (Kafka backend).
    pub dedup_changelog: String,
    /// Each decided article, clean text and verdict together (since
    /// round 67; `dedup.articles`).
    pub articles: String,
}

impl Default for Topics {
    fn default() -> Self {
        Topics {
            raw: TopicRole::Raw.default_topic().into(),
            clean: TopicRole::Clean.default_topic().into(),
            dedup: TopicRole::Dedup.default_topic().into(),
            stories: TopicRole::Stories.default_topic().into(),
            dlq: TopicRole::Dlq.default_topic().into(),
            feeds: TopicRole::Feeds.default_topic().into(),
            dedup_changelog: "news.dedup-state.v1".into(),
            articles: TopicRole::Articles.default_topic().into(),
        }
    }
}

impl Topics {
    pub fn all(&self) -> [&str; 8] {
        [
            &self.raw,
            &self.clean,
            &self.dedup,
            &self.stories,
            &self.dlq,
            &self.feeds,
            &self.dedup_changelog,
            &self.articles,
        ]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunnerConfig {
    /// Messages produced but not yet acknowledged, per stage, before the
    /// stage stops polling its input.
    pub max_in_flight: usize,
    /// Time allowed to drain in-flight work after SIGTERM.
    #[serde(with = "humantime_serde")]
    pub shutdown_timeout: Duration,
    /// Kafka `session.timeout.ms`.
    #[serde(with = "humantime_serde")]
    pub session_timeout: Duration,
    /// Retries of a retryable stage error before the process exits non-zero.
    pub max_retries: u32,
    /// How long a stage's input must stay quiet, read to its end, before
    /// the stage does what time alone calls for (dedup closes stories).
    #[serde(with = "humantime_serde")]
    pub idle_after: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            max_in_flight: 512,
            shutdown_timeout: Duration::from_secs(25),
            session_timeout: Duration::from_secs(45),
            max_retries: 8,
            idle_after: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminConfig {
    /// Address of the admin server (`/metrics`, `/health/live`, `/health/ready`).
    /// Empty disables it.
    pub listen: String,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            listen: "127.0.0.1:9464".into(),
        }
    }
}

impl AdminConfig {
    pub fn addr(&self) -> Option<SocketAddr> {
        self.listen.trim().parse().ok()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetcherConfig {
    /// Feed URLs to poll. Relative paths are read as files next to the config
    /// file (only when `allow_file_urls` is true).
    pub feeds: Vec<String>,
    /// Optional OPML subscription list.
    pub opml: Option<PathBuf>,
    pub user_agent: String,
    /// Allow `file://` feed and article URLs (off by default).
    pub allow_file_urls: bool,
    /// Hosts allowed even when they resolve to private or loopback addresses.
    pub allow_hosts: Vec<String>,
    /// Address ranges (CIDR) allowed even though they are private.
    pub allow_ranges: Vec<String>,
    /// HTTP(S) proxy for every request (`http://proxy.internal:3128`,
    /// credentials allowed: masked by `--print-config`, never logged).
    /// The environment's HTTP_PROXY and HTTPS_PROXY are not used: a proxy
    /// resolves names itself, past the address check, so newsmill checks
    /// every address of each host before it asks the proxy.
    pub proxy: Option<String>,
    /// A `Cookie` header per site (registrable domain or host, and its
    /// subdomains): a consent cookie that spares the fetcher a consent
    /// wall, or a subscriber's session. Masked by `--print-config`, never
    /// logged; sent only to that site (a redirect elsewhere drops it).
    pub site_cookies: BTreeMap<String, String>,
    /// Request headers per site, keyed as `site_cookies` (since round 67):
    /// the key a wire service's or a partner's private feed asks for
    /// (`X-Api-Key`, `Authorization: Bearer ...`). Masked by
    /// `--print-config`, never logged; sent only to that site, feeds,
    /// pages and robots.txt alike (a redirect elsewhere drops them).
    pub site_headers: BTreeMap<String, BTreeMap<String, String>>,
    /// Feeds whose items are taken from the feed's own text, their pages
    /// never fetched (a full-text feed of a site behind a paywall or a
    /// consent wall, or one whose pages the operator may not crawl): each
    /// a feed URL as subscribed, or a host name that covers the feeds on
    /// it and its subdomains.
    pub feed_text_only: Vec<String>,
    /// Poll bounds of some feeds, in place of `poll_min` and `poll_max`:
    /// keyed by a feed URL as subscribed, or a host name that covers the
    /// feeds on it and its subdomains (a URL wins, then the longest host).
    pub feed_poll: BTreeMap<String, FeedPollBounds>,
    #[serde(with = "humantime_serde")]
    pub poll_min: Duration,
    #[serde(with = "humantime_serde")]
    pub poll_max: Duration,
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub read_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub total_timeout: Duration,
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    /// Concurrent requests across all hosts.
    pub max_concurrency: usize,
    /// Concurrent requests per registrable domain.
    pub per_host_concurrency: usize,
    /// Minimum gap between requests to one registrable domain.
    #[serde(with = "humantime_serde")]
    pub per_host_interval: Duration,
    /// Consecutive failures after which a feed is disabled.
    pub disable_after_failures: u32,
    /// Items remembered per feed (seen set), to emit only new items.
    pub max_seen_per_feed: usize,
    /// Honour robots.txt for article pages.
    pub respect_robots: bool,
    /// New items taken from one poll of one feed (feeds list newest first);
    /// the rest wait for the next poll. Bounds the work a huge feed causes.
    pub max_items_per_poll: usize,
    /// Further attempts at an article page that failed in a way that may
    /// pass (timeout, connection error, 429, 5xx, robots.txt unreachable),
    /// made on the feed's later polls; then it is dead-lettered.
    pub page_retries: u32,
    /// Wait before the first of those attempts; each next one waits 4x
    /// longer, up to 6 h (a longer Retry-After wins).
    #[serde(with = "humantime_serde")]
    pub page_retry_delay: Duration,
    /// A feed that answers but has brought no new item for this long is
    /// `silent` (its site moved its feed, or froze it); 0 never.
    #[serde(with = "humantime_serde")]
    pub silent_after: Duration,
    /// Fetchers sharing the subscriptions: each polls the feeds whose
    /// registrable domain falls to its `shard_index` (0 to `shard_count` -
    /// 1), so a site is polled by one of them, under one politeness limit.
    pub shard_count: u32,
    pub shard_index: u32,
    /// WebSub: the public URL under which hubs reach this fetcher's push
    /// endpoint (`https://newsmill.example.org/websub`). Set, a feed that
    /// names a hub is subscribed to there, and a push makes it due at
    /// once; unset, feeds are polled alone.
    pub websub_callback: Option<String>,
    /// Where the push endpoint listens, when `websub_callback` is set.
    pub websub_listen: String,
}

impl Default for FetcherConfig {
    fn default() -> Self {
        FetcherConfig {
            feeds: Vec::new(),
            opml: None,
            user_agent: format!(
                "newsmill/{} (+https://github.com/newsmill/newsmill)",
                env!("CARGO_PKG_VERSION")
            ),
            allow_file_urls: false,
            allow_hosts: Vec::new(),
            allow_ranges: Vec::new(),
            proxy: None,
            site_cookies: BTreeMap::new(),
            site_headers: BTreeMap::new(),
            feed_text_only: Vec::new(),
            feed_poll: BTreeMap::new(),
            poll_min: Duration::from_secs(5 * 60),
            poll_max: Duration::from_secs(6 * 3600),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(60),
            max_body_bytes: 5 * 1024 * 1024,
            max_redirects: 5,
            max_concurrency: 64,
            per_host_concurrency: 2,
            per_host_interval: Duration::from_millis(500),
            disable_after_failures: 10,
            max_seen_per_feed: 2000,
            respect_robots: true,
            max_items_per_poll: 200,
            page_retries: 6,
            page_retry_delay: Duration::from_secs(120),
            silent_after: Duration::from_secs(7 * 24 * 3600),
            shard_count: 1,
            shard_index: 0,
            websub_callback: None,
            websub_listen: "0.0.0.0:9465".into(),
        }
    }
}

/// One entry of `fetcher.feed_poll`: either bound may be left to the
/// fetcher's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedPollBounds {
    #[serde(with = "humantime_serde", skip_serializing_if = "Option::is_none")]
    pub min: Option<Duration>,
    #[serde(with = "humantime_serde", skip_serializing_if = "Option::is_none")]
    pub max: Option<Duration>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanerConfig {
    /// Pages larger than this are cut before parsing (after charset decoding).
    pub max_html_bytes: usize,
    /// An article with fewer words is reported empty ("not an article").
    pub min_words: u32,
}

impl Default for CleanerConfig {
    fn default() -> Self {
        CleanerConfig {
            max_html_bytes: 4 * 1024 * 1024,
            min_words: 10,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// Articles older than this (by arrival) leave the active window.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// Hard cap on retained articles; the oldest are evicted first.
    pub max_articles: usize,
    /// Minimum verified similarity for a near-duplicate verdict.
    pub near_threshold: f32,
    /// Minimum score for joining an existing story.
    pub story_threshold: f32,
    /// Snapshot the local state after this many decisions (embedded backend).
    pub snapshot_every: usize,
    /// A directory of word lists (`<language>.txt`, one word per line) for
    /// languages with no frequency table built in, such as Telugu or
    /// Sinhala: their listed words weigh as common ones, so that names
    /// stand out. Unset, such languages weigh every word as a name.
    pub word_lists: Option<PathBuf>,
    /// While the input is quiet (`runner.idle_after`), a story closes once
    /// its last member is older than the window plus this, by this host's
    /// clock, with no later article to close it. Keep it above the longest
    /// time an article may take from its fetch to dedup (a cleaner's
    /// backlog): an article later than that finds its story closed. 0
    /// leaves closing to arriving articles alone.
    #[serde(with = "humantime_serde")]
    pub quiet_close_delay: Duration,
    /// Attach to each verdict on the dedup topic why it was given (the
    /// candidates weighed, `newsmill cluster --explain`'s object): about
    /// 1.4 KB a message, for finding out why two stories merged or split.
    pub explain: bool,
    /// Write each decided article, its clean text and metadata with its
    /// verdict, to `topics.articles` (since round 67): one stream for
    /// consumers that would otherwise join the clean and dedup topics.
    pub articles: bool,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            window: Duration::from_secs(72 * 3600),
            max_articles: 200_000,
            near_threshold: 0.6,
            story_threshold: 0.0,
            snapshot_every: 1000,
            word_lists: None,
            quiet_close_delay: Duration::from_secs(3600),
            explain: false,
            articles: true,
        }
    }
}

/// A configuration error that names the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Load defaults, then `file` (if any), then `NEWSMILL__*` variables.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(Env::prefixed("NEWSMILL__").split("__"));
        let mut config: Config = figment.extract().map_err(|e| {
            let mut msgs = Vec::new();
            for err in e {
                let key = err.path.join(".");
                if key.is_empty() {
                    msgs.push(err.kind.to_string());
                } else {
                    msgs.push(format!("{key}: {}", err.kind));
                }
            }
            ConfigError(msgs.join("; "))
        })?;
        if let Some(base) = file.and_then(Path::parent) {
            config.resolve_relative_to(base);
        }
        config.validate()?;
        Ok(config)
    }

    /// Paths in a config file are relative to that file, not to the cwd.
    fn resolve_relative_to(&mut self, base: &Path) {
        let rebase = |p: &Path| -> PathBuf {
            if p.is_relative() {
                base.join(p)
            } else {
                p.to_path_buf()
            }
        };
        self.bus.data_dir = rebase(&self.bus.data_dir);
        if let Some(opml) = &self.fetcher.opml {
            self.fetcher.opml = Some(rebase(opml));
        }
        if self.fetcher.allow_file_urls {
            for feed in &mut self.fetcher.feeds {
                if !feed.contains("://") {
                    let abs = rebase(Path::new(feed.as_str()));
                    let abs = std::fs::canonicalize(&abs).unwrap_or(abs);
                    if let Ok(url) = url::Url::from_file_path(&abs) {
                        *feed = url.to_string();
                    }
                }
            }
        }
    }

    /// The config as TOML with secret values masked.
    pub fn to_masked_toml(&self) -> String {
        let mut copy = self.clone();
        for (key, value) in copy.bus.kafka.iter_mut() {
            if is_secret_key(key) {
                *value = "********".into();
            }
        }
        if let Some(proxy) = &mut copy.fetcher.proxy {
            *proxy = mask_url_credentials(proxy);
        }
        for cookie in copy.fetcher.site_cookies.values_mut() {
            *cookie = "********".into();
        }
        for value in copy
            .fetcher
            .site_headers
            .values_mut()
            .flat_map(|h| h.values_mut())
        {
            *value = "********".into();
        }
        for feed in &mut copy.fetcher.feeds {
            *feed = shown_url(feed).into_owned();
        }
        toml_string(&copy)
    }
}

fn toml_string(config: &Config) -> String {
    // figment carries a TOML serialiser only for reading, so serialise via JSON
    // into a simple, faithful TOML writer for our flat sections.
    let value = serde_json::to_value(config).expect("config serialises");
    let mut out = String::new();
    if let serde_json::Value::Object(sections) = value {
        for (name, body) in sections {
            write_table(&mut out, &name, &body);
        }
    }
    out
}

fn write_table(out: &mut String, name: &str, body: &serde_json::Value) {
    let serde_json::Value::Object(fields) = body else {
        return;
    };
    out.push_str(&format!("[{name}]\n"));
    let mut nested = Vec::new();
    for (key, value) in fields {
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::Object(_) => nested.push((key, value)),
            other => out.push_str(&format!("{} = {}\n", toml_key(key), other)),
        }
    }
    out.push('\n');
    for (key, value) in nested {
        write_table(out, &format!("{name}.{key}"), value);
    }
}

fn toml_key(key: &str) -> String {
    if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// A URL with its user and password, and the values of its secret query
/// parameters, masked; a value that is not a URL is masked whole, since it
/// might be anything.
pub fn mask_url_credentials(value: &str) -> String {
    match url::Url::parse(value) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("********"));
            }
            if !u.username().is_empty() {
                let _ = u.set_username("********");
            }
            crate::ids::mask_secret_params(&mut u);
            u.to_string()
        }
        Err(_) => "********".into(),
    }
}

/// `url` as logs, dead letters and `--print-config` show it: a user and
/// password in it, and the values of its secret query parameters (an API
/// key, a token), are masked (a private feed's URL may carry them);
/// anything else is shown as it is.
pub fn shown_url(url: &str) -> std::borrow::Cow<'_, str> {
    match crate::ids::with_credentials(url) {
        Some(_) => std::borrow::Cow::Owned(mask_url_credentials(url)),
        None => std::borrow::Cow::Borrowed(url),
    }
}

/// librdkafka properties that hold credentials.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "password",
        "secret",
        "token",
        "credential",
        "sasl.oauthbearer.config",
        "ssl.key.pem",
    ]
    .iter()
    .any(|s| k.contains(s))
}

#[path = "config_checks.rs"]
mod checks;

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
