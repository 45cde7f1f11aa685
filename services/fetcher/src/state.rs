//! Per-feed state that survives restarts: validators, schedule, failures and
//! the items already seen. The feeds are one JSON file, replaced atomically;
//! their seen items are a log beside it (`seen_log.rs`).

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use news_core::config::FetcherConfig;
use serde::{Deserialize, Serialize};

use crate::feed_settings::PollBounds;
use crate::http::Validators;
use crate::schedule_hints::ScheduleHints;
use crate::seen_log::{SeenLog, SeenRecord};

/// Characters of a feed's last error kept in its state.
pub const MAX_ERROR_CHARS: usize = 300;

/// Records the seen-items log may hold beyond twice the live items before
/// it is rewritten (so that a small state is not rewritten every round).
const LOG_SLACK: u64 = 100_000;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FeedState {
    pub validators: Validators,
    /// Unix seconds of the next poll.
    pub next_poll: i64,
    /// Learned interval between polls, in seconds.
    pub interval_secs: u64,
    pub failures: u32,
    pub disabled: bool,
    /// Unix seconds of the last poll, of the last one that succeeded and of
    /// the last that brought a new item (0: never; round 60): what
    /// `newsmill feeds list` shows of a feed.
    #[serde(default)]
    pub last_polled_at: i64,
    #[serde(default)]
    pub last_ok_at: i64,
    #[serde(default)]
    pub last_new_item_at: i64,
    /// Why the last poll failed, while it is the latest (cut to
    /// `MAX_ERROR_CHARS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Where the feed lives now, after a permanent redirect (301/308).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    /// Article pages waiting for another attempt (round 29).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<crate::pages::PageRetry>,
    /// What the feed said of its schedule at its last parsed poll (`<ttl>`,
    /// `<skipHours>`, `<skipDays>`; round 63), kept for the polls answered
    /// 304.
    #[serde(default, skip_serializing_if = "ScheduleHints::is_empty")]
    pub schedule: ScheduleHints,
    /// The feed rewrites its items' dates at every answer: they no longer
    /// make an item new (`date_churn.rs`; round 63).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignores_updated: bool,
    /// Polls in a row that changed nearly every known item.
    #[serde(default, skip_serializing_if = "news_core::messages::is_zero")]
    pub rewritten_polls: u8,
    /// For a subscription to a sitemap index: when the index was last read
    /// and the news sitemaps it listed (round 63), so that one it lists
    /// later is added too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sitemap_index: Option<IndexWatch>,
    /// The feed's subscription at the hub it names (WebSub; round 62).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websub: Option<crate::websub::Lease>,
    /// Items already taken, with their fingerprints. Kept in the seen-items
    /// log; read from the JSON file only as state files before round 28
    /// held them.
    #[serde(default, skip_serializing)]
    pub seen_items: SeenItems,
    /// The format before `seen_items` (hex strings), read once and migrated.
    #[serde(default, rename = "seen", skip_serializing)]
    legacy_seen: HashMap<String, String>,
    #[serde(default, rename = "seen_order", skip_serializing)]
    legacy_seen_order: VecDeque<String>,
}

/// A sitemap index a subscription follows, read again once a day (once
/// an hour when it dates none of its sitemaps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexWatch {
    /// Unix seconds of the last reading.
    pub read_at: i64,
    /// The sitemaps to follow it listed: the one followed, then those added
    /// as subscriptions of their own.
    pub sitemaps: Vec<String>,
    /// Whether the index dates none of its articles' sitemaps, so that the
    /// one followed was chosen by its number (since round 67).
    #[serde(default)]
    pub by_number: bool,
}

/// Article key -> fingerprint of the item as last seen, both the first 64
/// bits of a SHA-256, in insertion order so the oldest can be forgotten.
/// About 40 bytes per item, where hex strings took about 300: a fetcher
/// holds up to `max_seen_per_feed` items for each of thousands of feeds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SeenItems {
    fingerprints: HashMap<u64, u64>,
    order: VecDeque<u64>,
}

impl SeenItems {
    /// Whether an item with this article id was taken, as it looks now or
    /// not.
    pub fn knows(&self, article_id: &str) -> bool {
        self.fingerprints.contains_key(&hex_prefix(article_id))
    }

    /// Whether the item with this article id was taken as it looks now.
    pub fn unchanged(&self, article_id: &str, fingerprint: u64) -> bool {
        self.fingerprints.get(&hex_prefix(article_id)) == Some(&fingerprint)
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// (item, fingerprint) in the order taken, oldest first.
    fn records(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.order.iter().map(|k| (*k, self.fingerprints[k]))
    }

    fn insert(&mut self, key: u64, fingerprint: u64, cap: usize) {
        if self.fingerprints.insert(key, fingerprint).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > cap {
            if let Some(old) = self.order.pop_front() {
                self.fingerprints.remove(&old);
            }
        }
    }
}

/// Where the seen-items log of the state file at `path` lives.
pub(crate) fn seen_log_path(path: &Path) -> PathBuf {
    path.with_file_name("fetcher-seen.bin")
}

/// Key of a feed in the seen-items log: the first 64 bits of the SHA-256
/// of its URL (stable across builds, unlike the standard hasher).
pub(crate) fn feed_key(url: &str) -> u64 {
    item_fingerprint(url)
}

/// The first 64 bits of a hex digest (article ids and old fingerprints are
/// hex SHA-256); any other string is hashed first.
pub(crate) fn hex_prefix(hex: &str) -> u64 {
    match hex.get(..16).map(|h| u64::from_str_radix(h, 16)) {
        Some(Ok(v)) => v,
        _ => item_fingerprint(hex),
    }
}

/// Fingerprint of a feed item's text: the first 64 bits of its SHA-256.
pub fn item_fingerprint(text: &str) -> u64 {
    hex_prefix(&news_core::ids::sha256_hex(text))
}

impl FeedState {
    pub fn remember(&mut self, article_id: &str, fingerprint: u64, cap: usize) {
        self.seen_items
            .insert(hex_prefix(article_id), fingerprint, cap);
    }

    /// Move items saved in the old hex-string format into `seen_items`.
    /// Old fingerprints were hex SHA-256 of the same text, so their prefix
    /// equals the new fingerprint and nothing is fetched again.
    /// The configured cap applies from the next `remember` on.
    fn migrate(&mut self) {
        let order = std::mem::take(&mut self.legacy_seen_order);
        let seen = std::mem::take(&mut self.legacy_seen);
        for id in order {
            if let Some(fp) = seen.get(&id) {
                self.remember(&id, hex_prefix(fp), usize::MAX);
            }
        }
    }

    /// Adapt the interval: halve it when the feed had news, grow it by half
    /// when it had none, within the configured bounds, and no shorter than
    /// the answer's `max-age` or the feed's `<ttl>`; the next poll falls in
    /// an hour the feed does not ask readers to skip.
    pub fn record_success(
        &mut self,
        bounds: PollBounds,
        new_items: u64,
        max_age: Option<Duration>,
    ) {
        let now = Utc::now().timestamp();
        self.last_polled_at = now;
        self.last_ok_at = now;
        if new_items > 0 {
            self.last_new_item_at = now;
        }
        self.last_error = None;
        self.failures = 0;
        let cur = if self.interval_secs == 0 {
            bounds.min.as_secs()
        } else {
            self.interval_secs
        };
        let next = if new_items > 0 {
            cur / 2
        } else {
            cur + cur / 2
        };
        let asked = max_age.map(|m| m.as_secs()).unwrap_or(0);
        self.interval_secs = self.interval_within(next, asked, bounds);
        self.next_poll = self.schedule.first_allowed(now + self.interval_secs as i64);
    }

    /// `interval` within `bounds`, and no shorter than the server asked
    /// (`max-age`, `asked` seconds) or the feed's `<ttl>`, unless the
    /// upper bound is shorter still.
    fn interval_within(&self, interval: u64, asked: u64, bounds: PollBounds) -> u64 {
        let floor = asked
            .max(self.schedule.ttl_secs.unwrap_or(0))
            .max(bounds.min.as_secs());
        let max = bounds.max.as_secs();
        interval.clamp(floor.min(max), max)
    }

    /// Bring the next poll forward to what `bounds` allow, when the last
    /// poll answered and planned it by longer ones (an operator lowered
    /// the feed's bounds). A failing feed keeps its back-off, and a later
    /// poll than the bounds allow is left to the next answer's planning.
    pub fn fit_schedule(&mut self, bounds: PollBounds) {
        if self.failures > 0 || self.last_ok_at == 0 || self.last_ok_at != self.last_polled_at {
            return;
        }
        let interval = self.interval_within(self.interval_secs, 0, bounds);
        if interval < self.interval_secs {
            self.interval_secs = interval;
            let due = self
                .schedule
                .first_allowed(self.last_ok_at + interval as i64);
            self.next_poll = self.next_poll.min(due);
        }
    }

    /// Note a poll that failed: when, and why.
    pub fn record_error(&mut self, error: &str) {
        self.last_polled_at = Utc::now().timestamp();
        self.last_error = Some(error.chars().take(MAX_ERROR_CHARS).collect());
    }

    /// Exponential back-off with jitter; disable after too many failures.
    /// `error` says why, for `newsmill feeds list`.
    pub fn record_failure(
        &mut self,
        cfg: &FetcherConfig,
        bounds: PollBounds,
        retry_after: Option<Duration>,
        error: &str,
    ) {
        self.record_error(error);
        self.failures += 1;
        if self.failures >= cfg.disable_after_failures {
            self.disabled = true;
            tracing::warn!(
                failures = self.failures,
                "feed disabled after repeated failures"
            );
        }
        let base = bounds.min.as_secs().max(1) * 2u64.saturating_pow(self.failures.min(10));
        let jitter = (Utc::now().timestamp_subsec_nanos() as u64 % 1000) * base / 4000;
        let wait = (base + jitter).min(bounds.max.as_secs());
        let wait = retry_after
            .map(|r| r.as_secs().max(wait.min(r.as_secs())))
            .unwrap_or(wait);
        self.next_poll = Utc::now().timestamp() + wait as i64;
    }
}

/// The fetcher's state while a round polls: what each feed has taken so far
/// is saved at most every `every` (and the round saves at its end), so that
/// a fetcher killed mid-round fetches again only what it took since the last
/// save, not the whole round's items.
pub struct RoundProgress {
    inner: std::sync::Mutex<(FetchState, std::time::Instant)>,
    every: Duration,
}

impl RoundProgress {
    pub fn new(state: FetchState, every: Duration) -> RoundProgress {
        RoundProgress {
            inner: std::sync::Mutex::new((state, std::time::Instant::now())),
            every,
        }
    }

    /// The state of `feed` as the round finds it.
    pub fn feed(&self, feed: &str) -> FeedState {
        let mut inner = self.inner.lock().expect("round state lock");
        inner.0.claim(feed);
        inner.0.feeds[feed].clone()
    }

    /// An item `feed` has taken (fetched, or given up on): logged, and the
    /// state saved when a save is due, so that a restart does not take it
    /// again. The feed keeps the validators and schedule it had before
    /// until its poll ends (a restart polls it again, not answered 304).
    pub fn taken(&self, feed: &str, article_id: &str, fingerprint: u64) {
        let mut inner = self.inner.lock().expect("round state lock");
        inner.0.log_taken(feed, article_id, fingerprint);
        if inner.1.elapsed() >= self.every {
            Self::save(&mut inner);
        }
    }

    /// A feed whose poll is over.
    pub fn finished(&self, feed: String, st: FeedState) {
        let mut inner = self.inner.lock().expect("round state lock");
        inner.0.feeds.insert(feed, st);
        if inner.1.elapsed() >= self.every {
            Self::save(&mut inner);
        }
    }

    /// Save now, due or not (for the benchmark).
    #[doc(hidden)]
    pub fn save_now(&self) {
        Self::save(&mut self.inner.lock().expect("round state lock"));
    }

    pub fn into_state(self) -> FetchState {
        self.inner.into_inner().expect("round state lock").0
    }

    fn save(inner: &mut (FetchState, std::time::Instant)) {
        if let Err(e) = inner.0.save() {
            tracing::error!(error = %e, "saving fetcher state failed");
        }
        inner.1 = std::time::Instant::now();
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FetchState {
    pub feeds: HashMap<String, FeedState>,
    #[serde(skip)]
    path: Option<PathBuf>,
    #[serde(skip)]
    seen_log: SeenLog,
    /// Seen items are in memory that the log lacks (read from an older
    /// JSON file): the log is rewritten before the JSON file drops them.
    #[serde(skip)]
    log_behind: bool,
    /// After a lost JSON file (corrupt, or gone while the log is not): the
    /// log's seen sets by feed key, given
    /// back to each feed as a round meets it, so that a damaged file does
    /// not make every item of every feed new (hundreds of pages fetched
    /// again per feed). Kept in the log at rewrites while this process
    /// runs; a later start from a sound file drops those never claimed.
    #[serde(skip)]
    unclaimed: HashMap<u64, SeenItems>,
}

impl FetchState {
    /// The feeds' state as the file at `path` holds it, read without
    /// touching anything (a running fetcher owns the file and its log): for
    /// `newsmill feeds list`. No file is no feeds.
    pub fn read_feeds(path: &Path) -> Result<HashMap<String, FeedState>, String> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        serde_json::from_slice::<FetchState>(&bytes)
            .map(|st| st.feeds)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Load from `path` and the seen-items log beside it; a missing or
    /// corrupt file starts empty (logged; a corrupt one is kept beside it
    /// as `.corrupt` and its feeds' seen sets come from the log). Seen sets
    /// are rebuilt as they were taken, each kept to `max_seen` items.
    pub fn load(path: &Path, max_seen: usize) -> FetchState {
        // Without a sound file, the log's records have no feed to go to yet.
        let (mut st, file_lost) = match std::fs::read(path) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(st) => (st, false),
                Err(e) => {
                    let kept = path.with_extension("json.corrupt");
                    let _ = std::fs::rename(path, &kept);
                    tracing::error!(path = %path.display(), kept = %kept.display(), error = %e, "corrupt fetcher state: starting afresh, each feed's seen items taken from the log");
                    (FetchState::default(), true)
                }
            },
            Err(_) => (FetchState::default(), true),
        };
        st.path = Some(path.to_path_buf());
        for feed in st.feeds.values_mut() {
            feed.migrate();
        }
        // Seen items still in the JSON file (written before the log) go
        // into the log once, below.
        let in_json: usize = st.feeds.values().map(|f| f.seen_items.len()).sum();
        let (log, records) = SeenLog::open(&seen_log_path(path));
        st.seen_log = log;
        let by_key: HashMap<u64, String> =
            st.feeds.keys().map(|u| (feed_key(u), u.clone())).collect();
        for r in records {
            if let Some(feed) = by_key.get(&r.feed).and_then(|u| st.feeds.get_mut(u)) {
                feed.seen_items.insert(r.item, r.fingerprint, max_seen);
            } else if file_lost {
                let items = st.unclaimed.entry(r.feed).or_default();
                items.insert(r.item, r.fingerprint, max_seen);
            }
        }
        st.log_behind = in_json > 0;
        if (st.log_behind || st.log_oversized())
            && let Err(e) = st.rewrite_log()
        {
            tracing::error!(error = %e, "rewriting the seen-items log failed; retried at the next save");
        }
        st
    }

    /// Log an item `feed` took, for the next save. A feed not saved before
    /// gets an entry, so that the log's records have an owner on restart.
    pub fn log_taken(&mut self, feed: &str, article_id: &str, fingerprint: u64) {
        self.claim(feed);
        self.seen_log.push(SeenRecord {
            feed: feed_key(feed),
            item: hex_prefix(article_id),
            fingerprint,
        });
    }

    /// Save: the items taken since the last save go at the end of the log,
    /// then the feeds' JSON file is replaced.
    pub fn save(&mut self) -> std::io::Result<()> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        // The error names where, as an operator with a full disk needs it.
        let at = |e: std::io::Error| {
            let dir = path.parent().unwrap_or(&path);
            std::io::Error::new(e.kind(), format!("in {}: {e}", dir.display()))
        };
        if self.log_behind {
            self.rewrite_log().map_err(at)?;
        } else {
            self.seen_log.append_pending().map_err(at)?;
        }
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        news_core::durable::write_file(&path, "json.tmp", &bytes).map_err(at)
    }

    /// Save between rounds, when every feed's state is home: the log is
    /// rewritten from the seen sets instead when it holds more than twice
    /// the live items (feeds removed, items forgotten).
    pub fn save_between_rounds(&mut self) -> std::io::Result<()> {
        if self.log_oversized() {
            self.rewrite_log()?;
        }
        self.save()
    }

    /// Make sure `feed` has an entry: a new one, or the seen set the log
    /// kept for it when the JSON file was lost.
    pub fn claim(&mut self, feed: &str) {
        if !self.feeds.contains_key(feed) {
            let seen_items = self.unclaimed.remove(&feed_key(feed)).unwrap_or_default();
            let st = FeedState {
                seen_items,
                ..FeedState::default()
            };
            self.feeds.insert(feed.to_string(), st);
        }
    }

    fn live_items(&self) -> u64 {
        let unclaimed: usize = self.unclaimed.values().map(SeenItems::len).sum();
        self.feeds
            .values()
            .map(|f| f.seen_items.len() as u64)
            .sum::<u64>()
            + unclaimed as u64
    }

    fn log_oversized(&self) -> bool {
        self.seen_log.len() > 2 * self.live_items() + LOG_SLACK
    }

    /// Write the log again from the seen sets (and what is pending after
    /// them: feeds still polling hold their new items in their own copy).
    fn rewrite_log(&mut self) -> std::io::Result<()> {
        let claimed = self
            .feeds
            .iter()
            .map(|(url, f)| (feed_key(url), &f.seen_items));
        let unclaimed = self.unclaimed.iter().map(|(key, items)| (*key, items));
        let records = claimed.chain(unclaimed).flat_map(|(feed, items)| {
            items.records().map(move |(item, fingerprint)| SeenRecord {
                feed,
                item,
                fingerprint,
            })
        });
        self.seen_log.rewrite(records)?;
        self.log_behind = false;
        Ok(())
    }

    /// Time until the earliest enabled feed is due.
    pub fn next_due_in(&self, feeds: &[String], fallback: Duration) -> Duration {
        let now = Utc::now().timestamp();
        feeds
            .iter()
            .filter_map(|f| self.feeds.get(f))
            .filter(|f| !f.disabled)
            .map(|f| Duration::from_secs((f.next_poll - now).max(1) as u64))
            .min()
            .unwrap_or(fallback)
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
