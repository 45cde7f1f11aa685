//! newsmill fetch stage: polls feeds, fetches new items' article pages, and
//! produces `news.raw.v1`. It is a source, not a `Stage`: a scheduler drives
//! bounded, per-host-limited fetches, and the per-feed state (validators,
//! seen items, failures) persists across restarts.

mod control;
pub mod date_churn;
pub mod discover;
pub mod feed;
pub mod feed_settings;
pub mod http;
pub mod page_validators;
pub mod pages;
mod poll;
mod pushed;
pub mod refresh;
pub mod robots;
pub mod safety;
pub mod schedule_hints;
pub mod seen_log;
pub mod shard;
pub mod shared_pages;
pub mod sitemap_index;
pub mod stand_in;
pub mod state;
pub mod status;
pub mod subscriptions;
pub mod waiting_texts;
pub mod websub;
mod websub_run;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use news_core::bus::{OutRecord, Producer};
use news_core::config::{Config, shown_url};
use news_core::ids::sha256_hex;
use news_core::messages::{DeadLetter, SCHEMA_VERSION, dlq_payload_limit};
use news_core::telemetry::names;
use robots::Robots;
use shard::Shard;
use subscriptions::{Change, Subscriptions};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use url::Url;

pub use control::Control;
pub use discover::discover_feeds;
pub use feed::{FeedError, ParsedFeed, parse_date, parse_feed};
pub use http::{FetchError, HttpClient};
use state::{FetchState, RoundProgress};

/// Robots rules cached per origin, each behind its own lock so that one
/// origin's robots.txt is fetched once however many pages wait for it.
type RobotsCell = Arc<tokio::sync::Mutex<Option<(Robots, std::time::Instant)>>>;
/// Origins whose robots rules are cached; the cache is reset beyond this.
const MAX_ROBOTS_ORIGINS: usize = 50_000;
/// Domains with a concurrency slot; idle ones are dropped beyond this.
const MAX_HOST_SLOTS: usize = 50_000;
/// How often a long round saves what it has taken so far.
const SAVE_MID_ROUND_EVERY: Duration = Duration::from_secs(5);

/// What one polling round did, for the live status and the final report.
#[derive(Debug, Default, Clone, Copy)]
pub struct RoundReport {
    pub feeds_polled: u64,
    pub not_modified: u64,
    pub items_new: u64,
    pub pages_fetched: u64,
    /// Pages that failed in a way that may pass, or whose host asked us to
    /// wait, put on their feed's retry list.
    pub pages_waiting: u64,
    pub failures: u64,
    /// Letters written to the dead-letter topic (feeds and pages).
    pub dead_letters: u64,
    /// Items published from their feed's text, their pages not asked for
    /// (`fetcher.feed_text_only`).
    pub feed_texts: u64,
    /// Pages of changed items asked for again that answered 304: unchanged,
    /// not published again.
    pub pages_unchanged: u64,
}

impl RoundReport {
    fn add(&mut self, other: &RoundReport) {
        self.feeds_polled += other.feeds_polled;
        self.not_modified += other.not_modified;
        self.items_new += other.items_new;
        self.pages_fetched += other.pages_fetched;
        self.pages_waiting += other.pages_waiting;
        self.failures += other.failures;
        self.dead_letters += other.dead_letters;
        self.feed_texts += other.feed_texts;
        self.pages_unchanged += other.pages_unchanged;
    }
}

pub struct Fetcher {
    config: Config,
    client: HttpClient,
    producer: Producer,
    state: FetchState,
    subs: Subscriptions,
    /// The feeds this fetcher polls, of several (`fetcher.shard_*`).
    shard: Shard,
    control: Option<mpsc::Receiver<Control>>,
    robots: std::sync::Mutex<HashMap<String, RobotsCell>>,
    host_slots: std::sync::Mutex<HashMap<String, Arc<Semaphore>>>,
    global: Arc<Semaphore>,
    /// Pages on every feed's retry list (see `pages::MAX_WAITING_PAGES`).
    waiting_pages: std::sync::atomic::AtomicUsize,
    /// Registrable domains that answered 429 (or 503 with Retry-After), with
    /// the unix seconds until which their pages wait unasked.
    paused_hosts: std::sync::Mutex<HashMap<String, i64>>,
    /// Pages any feed took lately, so that a story in several feeds is
    /// fetched once.
    shared_pages: std::sync::Mutex<shared_pages::SharedPages>,
    /// The whole feed text of pages waiting for a retry, beyond the 4 KiB
    /// their list keeps.
    waiting_texts: waiting_texts::WaitingTexts,
    /// Validators of the pages fetched lately, for asking again
    /// conditionally when an item changes.
    page_validators: std::sync::Mutex<page_validators::PageValidators>,
    /// Where the claims are saved (none for a fetcher of single pages), and
    /// the claim count and time of the last save.
    claims_file: Option<std::path::PathBuf>,
    claims_saved: (u64, std::time::Instant),
    /// Dead letters written since the last round's report took them.
    dead_lettered: std::sync::atomic::AtomicU64,
    /// WebSub, when `fetcher.websub_callback` is set and the fetcher runs
    /// on: the push endpoint's registry and the hub requests' queue, and
    /// the events the endpoint sends.
    websub: Option<websub_run::WebSub>,
    pushes: Option<mpsc::Receiver<websub::PushEvent>>,
    /// Why the bus will take no page again (a producer failed for good):
    /// the fetcher then stops, and a restart makes a new one.
    bus_failed: std::sync::OnceLock<String>,
    pub totals: Arc<std::sync::Mutex<RoundReport>>,
}

/// The feeds the configuration subscribes to: `fetcher.feeds` and the
/// OPML file's.
pub fn configured_subscriptions(config: &Config) -> Result<Subscriptions, FetchError> {
    let opml = match &config.fetcher.opml {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| FetchError::Config(format!("fetcher.opml {}: {e}", path.display())))?;
            subscriptions::parse_opml(&bytes)
                .map_err(|e| FetchError::Config(format!("fetcher.opml {}: {e}", path.display())))?
        }
        None => Vec::new(),
    };
    Ok(Subscriptions::new(&config.fetcher.feeds, &opml))
}

/// Where a fetcher keeps its feeds' state.
pub fn state_path(config: &Config) -> std::path::PathBuf {
    config.bus.data_dir.join("fetcher-state.json")
}

impl Fetcher {
    pub fn new(config: Config, producer: Producer) -> Result<Fetcher, FetchError> {
        let mut state = FetchState::load(&state_path(&config), config.fetcher.max_seen_per_feed);
        let subs = configured_subscriptions(&config)?;
        let shard = Shard::new(config.fetcher.shard_index, config.fetcher.shard_count);
        // Before any save: after a lost state file, the feeds known now
        // take back their seen items from the log (a save drops the rest).
        for sub in subs.all().filter(|s| shard.owns(&s.url)) {
            state.claim(&sub.url);
        }
        if shard.count > 1 {
            tracing::info!(
                shard = shard.index,
                shards = shard.count,
                feeds = subs.all().filter(|s| shard.owns(&s.url)).count(),
                of = subs.all().count(),
                "polling this shard's feeds"
            );
        }
        let waiting_texts = waiting_texts::WaitingTexts::open(
            config.bus.data_dir.join("fetcher-waiting"),
            state
                .feeds
                .values()
                .flat_map(|f| f.retries.iter().map(|p| p.id.as_str())),
        );
        let claims_file = config.bus.data_dir.join("fetcher-claims.bin");
        let mut fetcher = Self::with_state(config, producer, state, subs)?;
        fetcher.waiting_texts = waiting_texts;
        fetcher.load_claims(claims_file);
        Ok(fetcher)
    }

    /// A fetcher for single pages (`fetch_again`): no feeds, and no state
    /// read or written, so that it can run beside the fetcher that owns the
    /// data directory.
    pub fn for_single_pages(config: Config, producer: Producer) -> Result<Fetcher, FetchError> {
        Self::with_state(
            config,
            producer,
            FetchState::default(),
            Subscriptions::default(),
        )
    }

    fn with_state(
        config: Config,
        producer: Producer,
        state: FetchState,
        subs: Subscriptions,
    ) -> Result<Fetcher, FetchError> {
        let client = HttpClient::new(&config.fetcher)?;
        let global = Arc::new(Semaphore::new(config.fetcher.max_concurrency));
        Ok(Fetcher {
            shard: Shard::new(config.fetcher.shard_index, config.fetcher.shard_count),
            config,
            client,
            producer,
            state,
            subs,
            control: None,
            robots: std::sync::Mutex::new(HashMap::new()),
            host_slots: std::sync::Mutex::new(HashMap::new()),
            global,
            waiting_pages: Default::default(),
            paused_hosts: Default::default(),
            shared_pages: Default::default(),
            claims_file: None,
            claims_saved: (0, std::time::Instant::now()),
            dead_lettered: Default::default(),
            waiting_texts: Default::default(),
            page_validators: Default::default(),
            websub: None,
            pushes: None,
            bus_failed: Default::default(),
            totals: Arc::new(std::sync::Mutex::new(RoundReport::default())),
        })
    }

    /// Poll every due feed until cancelled; with `once`, poll each feed once
    /// and return.
    pub async fn run(
        mut self,
        token: CancellationToken,
        once: bool,
    ) -> Result<RoundReport, FetchError> {
        let subscriptions_whole = self.catch_up(&token).await;
        if !once
            && let Some((side, pushes)) =
                websub_run::start(&self.config, &self.state, &token).await?
        {
            self.websub = Some(side);
            self.pushes = Some(pushes);
        }
        self.forget_other_shards_feeds();
        if subscriptions_whole {
            self.forget_unsubscribed();
        }
        self.fit_schedules();
        loop {
            let report = self.round(&token).await;
            self.totals.lock().expect("totals lock").add(&report);
            if let Err(e) = self.state.save_between_rounds() {
                tracing::error!(error = %e, "saving fetcher state failed");
            }
            self.report_health();
            let stopping = once || token.is_cancelled() || self.bus_failed.get().is_some();
            self.save_claims(stopping);
            if let Some(reason) = self.bus_failed.get() {
                return Err(FetchError::Publish(reason.clone()));
            }
            if once || token.is_cancelled() {
                return Ok(*self.totals.lock().expect("totals lock"));
            }
            let active: Vec<String> = self.subs.active().map(str::to_string).collect();
            let wait = self
                .state
                .next_due_in(&active, self.config.fetcher.poll_min);
            let sleep = tokio::time::sleep(wait);
            tokio::pin!(sleep);
            // Sleep until the next feed is due, applying control commands as
            // they come (a new feed is due at once) and pushes (their feed
            // is due at once).
            loop {
                let wake = {
                    let (control, pushes) = (self.control.as_mut(), self.pushes.as_mut());
                    let command = async {
                        match control {
                            Some(rx) => rx.recv().await,
                            None => std::future::pending().await,
                        }
                    };
                    let push = async {
                        match pushes {
                            Some(rx) => rx.recv().await,
                            None => std::future::pending().await,
                        }
                    };
                    tokio::select! {
                        _ = token.cancelled() => Wake::Cancelled,
                        _ = &mut sleep => Wake::Due,
                        msg = command => Wake::Command(msg),
                        event = push => Wake::Pushed(event),
                    }
                };
                match wake {
                    Wake::Cancelled => {
                        self.save_claims(true);
                        return Ok(*self.totals.lock().expect("totals lock"));
                    }
                    Wake::Due => break,
                    Wake::Command(Some(msg)) => {
                        // A new or resumed feed is due now, and one whose
                        // bounds changed may be due sooner.
                        if let Some(Change::Added | Change::Resumed | Change::Updated) =
                            self.apply_control(msg, false)
                        {
                            break;
                        }
                    }
                    Wake::Command(None) => self.control = None,
                    Wake::Pushed(Some(event)) => {
                        if self.on_push_event(event) {
                            break;
                        }
                    }
                    Wake::Pushed(None) => self.pushes = None,
                }
            }
        }
    }

    fn report_health(&self) {
        use status::FeedHealth;
        let now = chrono::Utc::now().timestamp();
        let mut counts: std::collections::BTreeMap<&str, usize> = [
            FeedHealth::Active,
            FeedHealth::Failing,
            FeedHealth::Disabled,
            FeedHealth::Paused,
            FeedHealth::Silent,
        ]
        .map(|h| (h.label(), 0))
        .into();
        for sub in self.subs.all().filter(|s| self.shard.owns(&s.url)) {
            let state = self.state.feeds.get(&sub.url);
            let health =
                match status::feed_health(sub.paused, state, now, self.config.fetcher.silent_after)
                {
                    // A feed not polled yet counts as active, as before.
                    FeedHealth::New | FeedHealth::OtherShard => FeedHealth::Active,
                    health => health,
                };
            *counts.entry(health.label()).or_default() += 1;
        }
        for (label, count) in counts {
            metrics::gauge!(names::FEEDS, "state" => label).set(count as f64);
        }
    }

    async fn round(&mut self, token: &CancellationToken) -> RoundReport {
        let now = Utc::now().timestamp();
        let due: Vec<String> = self
            .subs
            .active()
            .filter(|u| self.shard.owns(u))
            .filter(|u| {
                self.state
                    .feeds
                    .get(*u)
                    .is_none_or(|f| !f.disabled && f.next_poll <= now)
            })
            .map(str::to_string)
            .collect();
        let due = interleave_by_domain(due);
        let mut pushed = match self.websub.as_mut() {
            Some(side) => side.take_pending(&due, |feed| self.subs.active().any(|u| u == feed)),
            None => HashMap::new(),
        };
        let due: Vec<_> = due
            .into_iter()
            .map(|url| {
                let push = pushed.remove(&url);
                (url, push)
            })
            .collect();
        let waiting = self.state.feeds.values().map(|f| f.retries.len()).sum();
        self.waiting_pages
            .store(waiting, std::sync::atomic::Ordering::Relaxed);
        let progress = RoundProgress::new(std::mem::take(&mut self.state), SAVE_MID_ROUND_EVERY);
        let (this, progress_ref) = (&*self, &progress);
        let results: Vec<RoundReport> = futures::stream::iter(due)
            .map(|(url, push)| async move {
                let prev = progress_ref.feed(&url);
                let (st, rep) = this.poll_feed(&url, prev, push, progress_ref, token).await;
                progress_ref.finished(url, st);
                rep
            })
            .buffer_unordered(self.config.fetcher.max_concurrency)
            .collect()
            .await;
        self.state = progress.into_state();
        let mut total = RoundReport {
            dead_letters: self
                .dead_lettered
                .swap(0, std::sync::atomic::Ordering::Relaxed),
            ..RoundReport::default()
        };
        results.iter().for_each(|rep| total.add(rep));
        total
    }

    /// A slot for the registrable domain of `url` (subdomains share one).
    fn host_slot(&self, url: &Url) -> Arc<Semaphore> {
        let key = news_core::ids::registrable_domain(url.host_str().unwrap_or(""));
        let mut slots = self.host_slots.lock().expect("host slots lock");
        if slots.len() >= MAX_HOST_SLOTS {
            // Forget the idle domains; a slot in use is still held elsewhere.
            slots.retain(|_, slot| Arc::strong_count(slot) > 1);
        }
        slots
            .entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(self.config.fetcher.per_host_concurrency)))
            .clone()
    }

    async fn limited_get(
        &self,
        url: &Url,
        v: Option<&http::Validators>,
        kind: &'static str,
        gap: Duration,
    ) -> Result<http::Fetched, FetchError> {
        let _global = self
            .global
            .acquire()
            .await
            .map_err(|_| FetchError::Transport("shutting down".into()))?;
        let slot = self.host_slot(url);
        let _host = slot
            .acquire()
            .await
            .map_err(|_| FetchError::Transport("shutting down".into()))?;
        let result = self.client.get(url, v, kind).await;
        if url.scheme() != "file" {
            // Politeness gap before the next request to this domain.
            tokio::time::sleep(gap.max(self.config.fetcher.per_host_interval)).await;
        }
        result
    }

    /// The robots rules for `url`'s origin, fetched at most once per TTL.
    async fn robots_for(&self, url: &Url) -> Robots {
        let origin = url.origin().ascii_serialization();
        let cell = {
            let mut map = self.robots.lock().expect("robots lock");
            if map.len() >= MAX_ROBOTS_ORIGINS && !map.contains_key(&origin) {
                map.clear();
            }
            map.entry(origin.clone()).or_default().clone()
        };
        let mut slot = cell.lock().await;
        if let Some((rules, expires)) = slot.as_ref()
            && *expires > std::time::Instant::now()
        {
            return rules.clone();
        }
        let robots_url = url
            .join("/robots.txt")
            .expect("an http URL joins /robots.txt");
        let agent = &self.config.fetcher.user_agent;
        let (rules, ttl) = match self
            .limited_get(&robots_url, None, "robots", Duration::ZERO)
            .await
        {
            Ok(f) => (
                Robots::from_response(Some(f.status), &f.body, agent),
                robots::ttl_for(Some(f.status)),
            ),
            Err(FetchError::Status(s)) => (
                Robots::from_response(Some(s), b"", agent),
                robots::ttl_for(Some(s)),
            ),
            // An oversized robots.txt is read as "no rules we can honour".
            Err(FetchError::TooLarge(_)) => (Robots::allow_all(), robots::ROBOTS_TTL),
            Err(e) => {
                tracing::warn!(%origin, error = %e, "robots.txt unreachable; holding pages back");
                (
                    Robots::from_response(None, b"", agent),
                    robots::ttl_for(None),
                )
            }
        };
        // Pages held back by an unreachable robots.txt wait at least
        // `page_retry_delay`: each retry asks it again instead of spending
        // an attempt on a verdict cached from before.
        let ttl = if rules.is_unreachable() {
            ttl.min(self.config.fetcher.page_retry_delay / 2)
        } else {
            ttl
        };
        *slot = Some((rules.clone(), std::time::Instant::now() + ttl));
        rules
    }

    async fn dead_letter(&self, error_type: &str, reason: &str, source: &str, payload: &[u8]) {
        // A page a private feed's URL answered may quote the URL (an error
        // page that echoes it, a feed's self link): its secrets are masked.
        let masked = news_core::ids::with_credentials(source).and_then(|url| {
            let text = std::str::from_utf8(payload).ok()?;
            let shown = news_core::ids::text_with_credentials_masked(text, &url);
            (shown != text).then(|| shown.into_bytes())
        });
        let payload = masked.as_deref().unwrap_or(payload);
        let cut = payload
            .len()
            .min(dlq_payload_limit(self.config.bus.max_message_bytes));
        // Keyed by the id of what failed (a page's is its article's, made
        // from its URL as fetched), so that the letters about an article
        // are in the partition of its records (`newsmill trace`).
        let key = news_core::ids::article_id(source);
        // A private feed's URL may carry its credentials: not in a topic.
        let source = shown_url(source);
        let id = sha256_hex(format!("fetch:{source}:{reason}"));
        let letter = DeadLetter {
            schema_version: SCHEMA_VERSION,
            id: id.clone(),
            stage: "fetch".into(),
            error_type: error_type.into(),
            reason: reason.into(),
            origin: None,
            source: Some(source.into_owned()),
            payload: String::from_utf8_lossy(&payload[..cut]).into_owned(),
            payload_bytes: payload.len() as u64,
            payload_sha256: sha256_hex(payload),
            payload_truncated: cut < payload.len(),
            failed_at: Utc::now(),
        };
        let reason = match error_type {
            "parse" => "parse",
            "robots" => "robots",
            _ => "fetch",
        };
        metrics::counter!(names::DEAD_LETTERS, "stage" => "fetch", "reason" => reason).increment(1);
        let record = OutRecord::json(&self.config.topics.dlq, &key, &letter)
            .with_header("error-type", error_type.as_bytes());
        match self.producer.send_and_wait(record).await {
            Ok(()) => {
                self.dead_lettered
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Err(e) => tracing::error!(error = %e, "could not write dead letter"),
        }
    }
}

/// What ends the fetcher's sleep between rounds.
enum Wake {
    Cancelled,
    Due,
    Command(Option<Control>),
    Pushed(Option<websub::PushEvent>),
}

/// Order feeds round-robin across registrable domains. The poll buffer is
/// bounded, so a run of feeds from one domain would fill it with work that
/// waits on that domain's slots while every other domain sits idle.
fn interleave_by_domain(feeds: Vec<String>) -> Vec<String> {
    let mut by_domain: Vec<(String, std::collections::VecDeque<String>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for feed in feeds {
        let domain = news_core::ids::url_domain(&feed);
        let i = *index.entry(domain.clone()).or_insert_with(|| {
            by_domain.push((domain, Default::default()));
            by_domain.len() - 1
        });
        by_domain[i].1.push_back(feed);
    }
    let mut out = Vec::new();
    loop {
        let before = out.len();
        for (_, queue) in &mut by_domain {
            if let Some(f) = queue.pop_front() {
                out.push(f);
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

/// Poll interval bounds, for callers that schedule.
pub fn clamp_interval(d: Duration, min: Duration, max: Duration) -> Duration {
    d.clamp(min, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_feeds_alternate_between_domains() {
        let feeds = [
            "https://a.example/1",
            "https://a.example/2",
            "https://news.a.example/3",
            "https://b.example/1",
            "https://c.example/1",
            "https://b.example/2",
        ];
        let order = interleave_by_domain(feeds.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            order,
            [
                "https://a.example/1",
                "https://b.example/1",
                "https://c.example/1",
                "https://a.example/2",
                "https://b.example/2",
                "https://news.a.example/3",
            ]
        );
    }
}
