//! What `newsmill feeds list` shows: each subscription with what its
//! fetcher knows of it (state, last poll, last error), read from the data
//! directory without touching it.

use chrono::{DateTime, Utc};
use news_core::Config;
use news_core::config::shown_url;
use news_core::messages::FeedCommand;
use serde::Serialize;

use crate::feed_settings::{PollBounds, poll_bounds, reads_feed_text_only};
use crate::shard::Shard;
use crate::state::{FeedState, FetchState};
use crate::subscriptions::Subscriptions;
use crate::{FetchError, configured_subscriptions, state_path};

/// Where a feed stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedHealth {
    /// Its last poll succeeded.
    Active,
    /// It answers, but has brought no new item for `fetcher.silent_after`
    /// (counted from its last new item, which states before round 60 do
    /// not know: such a feed is silent only after one).
    Silent,
    /// Its last poll failed; it is tried again with back-off.
    Failing,
    /// Given up on (`fetcher.disable_after_failures`, a 410, a URL that
    /// does not parse) until `newsmill feeds resume`.
    Disabled,
    /// Paused by `newsmill feeds pause`.
    Paused,
    /// Not polled yet by the fetcher of this data directory.
    New,
    /// Polled by another shard's fetcher (`fetcher.shard_index`).
    OtherShard,
}

impl FeedHealth {
    /// Its name in `newsmill feeds list` and in `news_fetch_feeds{state}`.
    pub fn label(self) -> &'static str {
        match self {
            FeedHealth::Active => "active",
            FeedHealth::Silent => "silent",
            FeedHealth::Failing => "failing",
            FeedHealth::Disabled => "disabled",
            FeedHealth::Paused => "paused",
            FeedHealth::New => "new",
            FeedHealth::OtherShard => "other_shard",
        }
    }
}

impl Serialize for FeedHealth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// One subscription, as `newsmill feeds list` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct FeedStatus {
    /// The feed's URL, a user and password in it masked.
    pub url: String,
    pub health: FeedHealth,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Failed polls in a row.
    pub failures: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub last_polled_at: Option<DateTime<Utc>>,
    pub last_ok_at: Option<DateTime<Utc>>,
    /// The last poll that brought a new item: a feed that answers but
    /// brings nothing for days is dead in all but name.
    pub last_new_item_at: Option<DateTime<Utc>>,
    pub next_poll_at: Option<DateTime<Utc>>,
    /// The learned interval between polls.
    pub interval_secs: u64,
    /// Article pages waiting for another attempt.
    pub pages_waiting: usize,
    /// Where the feed is polled since a permanent redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    /// The feed rewrites its items' dates at every answer, so only a new
    /// headline makes an item new.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ignores_updated: bool,
    /// Read for its text alone, its pages never fetched (by its
    /// subscription or `fetcher.feed_text_only`; since round 65).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub feed_text_only: bool,
    /// The bounds of the feed's poll interval, when they are its own
    /// (by its subscription or `fetcher.feed_poll`; since round 66).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll_min_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll_max_secs: Option<u64>,
    /// What the feed said of its schedule (`ttl_minutes`, `skip_hours` in
    /// UTC, `skip_days`), which the polls keep to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<crate::schedule_hints::ScheduleView>,
    /// The feed's subscription at the hub it names (WebSub), its secret
    /// left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub websub: Option<PushStatus>,
    /// The sitemap index the subscription follows through `moved_to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sitemap_index: Option<IndexView>,
}

/// What `feeds list` shows of a followed sitemap index (since round 67).
#[derive(Debug, Clone, Serialize)]
pub struct IndexView {
    /// When the index was last read, and when it is read next (at the
    /// first poll after then).
    pub read_at: Option<DateTime<Utc>>,
    pub read_next_at: Option<DateTime<Utc>>,
    /// The sitemap followed was chosen by its number (an index that dates
    /// none; read every hour), not by news or dates.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub by_number: bool,
    /// The sitemaps it named to follow: the one followed, then those
    /// added as subscriptions of their own.
    pub sitemaps: Vec<String>,
}

/// Where a feed's WebSub subscription stands.
#[derive(Debug, Clone, Serialize)]
pub struct PushStatus {
    pub hub: String,
    /// `active` (the hub verified it and pushes until `until`), `requested`
    /// (asked, not verified yet) or `denied` (with the hub's reason).
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied: Option<String>,
}

impl PushStatus {
    fn of(lease: &crate::websub::Lease, now: i64) -> PushStatus {
        let state = match (&lease.denied, lease.until) {
            (Some(_), _) => "denied",
            (None, until) if until > now => "active",
            (None, _) => "requested",
        };
        PushStatus {
            hub: shown_url(&lease.hub).into_owned(),
            state,
            until: at(lease.until).filter(|_| state == "active"),
            denied: lease.denied.clone(),
        }
    }
}

/// What the fetcher of a data directory knows of one article (`newsmill
/// trace`, since round 65), read without touching its files.
#[derive(Debug, Default, Serialize)]
pub struct ArticleInFetcher {
    /// The feeds that took it (fetched its page, or found it taken by
    /// another feed of its site), by the seen-items log; a feed removed
    /// since is named by its key.
    pub taken_by: Vec<String>,
    /// Its page waiting for another attempt, in each feed that holds it.
    pub waiting: Vec<WaitingPage>,
}

#[derive(Debug, Serialize)]
pub struct WaitingPage {
    pub feed: String,
    pub attempts: u32,
    pub next_attempt: Option<DateTime<Utc>>,
    pub last_error: String,
}

/// What the fetcher of `config`'s data directory knows of the article
/// `article_id`.
pub fn article_in_fetcher(
    config: &Config,
    article_id: &str,
) -> Result<ArticleInFetcher, FetchError> {
    let path = state_path(config);
    let feeds = FetchState::read_feeds(&path).map_err(FetchError::Config)?;
    let item = crate::state::hex_prefix(article_id);
    let took = crate::seen_log::feeds_that_took(&crate::state::seen_log_path(&path), item)
        .map_err(|e| FetchError::Config(format!("reading the seen-items log: {e}")))?;
    let taken_by = took
        .into_iter()
        .map(|key| {
            feeds
                .keys()
                .find(|url| crate::state::feed_key(url) == key)
                .map_or_else(|| format!("{key:016x}"), |url| shown_url(url).into_owned())
        })
        .collect();
    let mut waiting: Vec<WaitingPage> = feeds
        .iter()
        .flat_map(|(url, st)| {
            st.retries
                .iter()
                .filter(|p| p.id == article_id)
                .map(move |p| WaitingPage {
                    feed: shown_url(url).into_owned(),
                    attempts: p.attempts,
                    next_attempt: at(p.not_before),
                    last_error: p.last_error.clone(),
                })
        })
        .collect();
    waiting.sort_by(|a, b| a.feed.cmp(&b.feed));
    Ok(ArticleInFetcher { taken_by, waiting })
}

/// Every subscription of `config` after `commands` (the control topic's,
/// in order).
pub fn subscriptions_after(
    config: &Config,
    commands: &[FeedCommand],
) -> Result<Subscriptions, FetchError> {
    let mut subs = configured_subscriptions(config)?;
    for cmd in commands {
        subs.apply(cmd);
    }
    Ok(subs)
}

/// Every subscription of `config` after `commands` (the control topic's,
/// in order), with the state the fetcher of its data directory keeps.
pub fn feed_statuses(
    config: &Config,
    commands: &[FeedCommand],
) -> Result<Vec<FeedStatus>, FetchError> {
    let subs = subscriptions_after(config, commands)?;
    let feeds = FetchState::read_feeds(&state_path(config)).map_err(FetchError::Config)?;
    let shard = Shard::new(config.fetcher.shard_index, config.fetcher.shard_count);
    let empty = FeedState::default();
    let now = Utc::now().timestamp();
    let fetchers = PollBounds::of_fetcher(&config.fetcher);
    Ok(subs
        .all()
        .map(|sub| {
            let bounds = poll_bounds(&config.fetcher, Some(sub), &sub.url);
            let own = (bounds != fetchers).then_some(bounds);
            let st = feeds.get(&sub.url);
            let health = if shard.owns(&sub.url) || sub.paused {
                feed_health(sub.paused, st, now, config.fetcher.silent_after)
            } else {
                FeedHealth::OtherShard
            };
            let st = st.unwrap_or(&empty);
            FeedStatus {
                url: shown_url(&sub.url).into_owned(),
                health,
                title: sub.title.clone(),
                failures: st.failures,
                last_error: st.last_error.clone(),
                last_polled_at: at(st.last_polled_at),
                last_ok_at: at(st.last_ok_at),
                last_new_item_at: at(st.last_new_item_at),
                next_poll_at: at(st.next_poll),
                interval_secs: st.interval_secs,
                pages_waiting: st.retries.len(),
                moved_to: st.moved_to.as_deref().map(|u| shown_url(u).into_owned()),
                ignores_updated: st.ignores_updated,
                feed_text_only: reads_feed_text_only(&config.fetcher, Some(sub), &sub.url),
                poll_min_secs: own.map(|b| b.min.as_secs()),
                poll_max_secs: own.map(|b| b.max.as_secs()),
                schedule: (!st.schedule.is_empty()).then(|| st.schedule.describe()),
                websub: st.websub.as_ref().map(|l| PushStatus::of(l, now)),
                sitemap_index: st.sitemap_index.as_ref().map(|w| IndexView {
                    read_at: at(w.read_at),
                    read_next_at: at(w.read_at + crate::sitemap_index::read_every(w)),
                    by_number: w.by_number,
                    sitemaps: w
                        .sitemaps
                        .iter()
                        .map(|u| shown_url(u).into_owned())
                        .collect(),
                }),
            }
        })
        .collect())
}

/// The health of a feed this fetcher polls: `paused` by command, and with
/// `state` as its last poll left it (none: never polled) at `now`.
pub fn feed_health(
    paused: bool,
    state: Option<&FeedState>,
    now: i64,
    silent_after: std::time::Duration,
) -> FeedHealth {
    let silent_after = i64::try_from(silent_after.as_secs()).unwrap_or(i64::MAX);
    match state {
        _ if paused => FeedHealth::Paused,
        None => FeedHealth::New,
        Some(f) if f.disabled => FeedHealth::Disabled,
        Some(f) if f.failures > 0 => FeedHealth::Failing,
        Some(f)
            if silent_after > 0
                && f.last_new_item_at > 0
                && now.saturating_sub(f.last_new_item_at) > silent_after =>
        {
            FeedHealth::Silent
        }
        Some(_) => FeedHealth::Active,
    }
}

/// Unix seconds as a time; 0 is never.
fn at(secs: i64) -> Option<DateTime<Utc>> {
    (secs > 0)
        .then(|| DateTime::from_timestamp(secs, 0))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use news_core::messages::{FeedAction, SCHEMA_VERSION};

    /// Each feed's health, from the config's subscriptions, the control
    /// topic's commands and the state file: a feed added by command and
    /// never polled is new, a disabled one disabled whatever its failures,
    /// one another shard owns is that shard's.
    #[test]
    fn each_feed_has_one_health() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.bus.data_dir = dir.path().to_path_buf();
        let feeds: Vec<String> = (0..40)
            .map(|i| format!("https://site{i}.example/feed"))
            .collect();
        config.fetcher.feeds = feeds[..3].to_vec();
        let mut state = FetchState::load(&state_path(&config), 10);
        let mut disabled = FeedState::default();
        (disabled.disabled, disabled.failures) = (true, 10);
        state.feeds.insert(feeds[0].clone(), disabled);
        state.feeds.insert(feeds[1].clone(), FeedState::default());
        state.save_between_rounds().unwrap();
        let added = FeedCommand {
            schema_version: SCHEMA_VERSION,
            feed_url: feeds[3].clone(),
            action: FeedAction::Add,
            at: Utc::now(),
            title: Some("Added".into()),
            settings: Default::default(),
        };
        let health = |config: &Config| -> Vec<(String, FeedHealth)> {
            feed_statuses(config, std::slice::from_ref(&added))
                .unwrap()
                .into_iter()
                .map(|s| (s.url, s.health))
                .collect()
        };
        assert_eq!(
            health(&config),
            [
                (feeds[0].clone(), FeedHealth::Disabled),
                (feeds[1].clone(), FeedHealth::Active),
                (feeds[2].clone(), FeedHealth::New),
                (feeds[3].clone(), FeedHealth::New),
            ]
        );
        // Of two shards, each feed is one shard's: some of 40 are the other's.
        config.fetcher.feeds = feeds.clone();
        config.fetcher.shard_count = 2;
        let shard = Shard::new(0, 2);
        for (url, h) in health(&config) {
            assert_eq!(h == FeedHealth::OtherShard, !shard.owns(&url), "{url}");
        }
        assert!(feeds.iter().any(|u| !shard.owns(u)));
    }

    /// `newsmill trace`'s view of the fetcher: the feeds whose seen items
    /// hold an article (one removed since named by its key) and the feeds
    /// where its page waits, read without touching the files.
    #[test]
    fn an_article_is_found_in_the_feeds_that_took_it_and_where_it_waits() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.bus.data_dir = dir.path().to_path_buf();
        let id = news_core::ids::article_id("https://site.example/2024/quake");
        let other = news_core::ids::article_id("https://site.example/2024/flood");
        let (world, top, gone) = (
            "https://site.example/world.xml",
            "https://site.example/top.xml",
            "https://site.example/old.xml",
        );
        let mut state = FetchState::load(&state_path(&config), 10);
        for feed in [world, top] {
            state.feeds.insert(feed.into(), FeedState::default());
        }
        for (feed, item) in [(world, &id), (top, &other), (gone, &id), (world, &id)] {
            state.log_taken(feed, item, 1);
        }
        let mut waiting = crate::pages::PageRetry {
            id: id.clone(),
            link: "https://site.example/2024/quake".into(),
            fingerprint: 1,
            item: Default::default(),
            attempts: 2,
            not_before: 1_717_300_000,
            last_error: "http 503".into(),
        };
        state
            .feeds
            .get_mut(top)
            .unwrap()
            .retries
            .push(waiting.clone());
        waiting.id = other.clone();
        state.feeds.get_mut(world).unwrap().retries.push(waiting);
        state.save().unwrap();
        // Removed since: its records stay in the log until it is rewritten.
        state.feeds.remove(gone);
        state.save().unwrap();
        let log = crate::state::seen_log_path(&state_path(&config));
        let before = std::fs::read(&log).unwrap();

        let found = article_in_fetcher(&config, &id).unwrap();
        let gone_key = format!("{:016x}", crate::state::feed_key(gone));
        assert_eq!(found.taken_by, [world.to_string(), gone_key]);
        assert_eq!(found.waiting.len(), 1);
        assert_eq!(
            (found.waiting[0].feed.as_str(), found.waiting[0].attempts),
            (top, 2)
        );
        assert_eq!(found.waiting[0].last_error, "http 503");
        assert_eq!(std::fs::read(&log).unwrap(), before, "the log untouched");
        let nowhere = article_in_fetcher(&config, &"0".repeat(64)).unwrap();
        assert!(nowhere.taken_by.is_empty() && nowhere.waiting.is_empty());
    }

    /// A feed that answers but brought its last new item more than
    /// `fetcher.silent_after` ago is silent; one whose last new item is
    /// unknown (a state from before round 60) is not, nor is any with the
    /// setting at 0, and failing outranks silent.
    #[test]
    fn a_feed_that_answers_but_brings_nothing_is_silent() {
        let week = std::time::Duration::from_secs(7 * 24 * 3600);
        let now = Utc::now().timestamp();
        let mut st = FeedState::default();
        (st.last_ok_at, st.last_new_item_at) = (now, now - 8 * 24 * 3600);
        assert_eq!(feed_health(false, Some(&st), now, week), FeedHealth::Silent);
        assert_eq!(
            feed_health(false, Some(&st), now, std::time::Duration::ZERO),
            FeedHealth::Active
        );
        assert_eq!(feed_health(true, Some(&st), now, week), FeedHealth::Paused);
        st.last_new_item_at = now - 6 * 24 * 3600;
        assert_eq!(feed_health(false, Some(&st), now, week), FeedHealth::Active);
        st.last_new_item_at = 0;
        assert_eq!(feed_health(false, Some(&st), now, week), FeedHealth::Active);
        (st.last_new_item_at, st.failures) = (now - 8 * 24 * 3600, 1);
        assert_eq!(
            feed_health(false, Some(&st), now, week),
            FeedHealth::Failing
        );
    }
}
