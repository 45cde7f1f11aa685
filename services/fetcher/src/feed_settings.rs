//! What the operator set for one feed: its subscription's own settings
//! (`newsmill feeds add`, an OPML file's categories) and the config's
//! entries that name it (its URL, or a host it is on). Pure.

use std::time::Duration;

use news_core::config::FetcherConfig;
use url::Url;

use crate::subscriptions::Subscription;

/// The bounds of one feed's adaptive poll interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollBounds {
    pub min: Duration,
    pub max: Duration,
}

impl PollBounds {
    /// The fetcher's bounds, for every feed that sets none of its own.
    pub fn of_fetcher(config: &FetcherConfig) -> PollBounds {
        PollBounds {
            min: config.poll_min,
            max: config.poll_max,
        }
    }

    /// The fetcher's bounds with the feed's own in their place. A bound the
    /// feed sets wins over the fetcher's that it would cross (a feed's
    /// minimum of 12 h under a fetcher's maximum of 6 h polls every 12 h).
    fn with_own(self, min: Option<Duration>, max: Option<Duration>) -> PollBounds {
        match (min, max) {
            (Some(min), Some(max)) => PollBounds { min, max },
            (Some(min), None) => PollBounds {
                min,
                max: self.max.max(min),
            },
            (None, Some(max)) => PollBounds {
                min: self.min.min(max),
                max,
            },
            (None, None) => self,
        }
    }
}

impl crate::Fetcher {
    pub(crate) fn poll_bounds(&self, feed_url: &str) -> PollBounds {
        poll_bounds(&self.config.fetcher, self.subs.get(feed_url), feed_url)
    }

    pub(crate) fn takes_feed_text_only(&self, feed_url: &str) -> bool {
        reads_feed_text_only(&self.config.fetcher, self.subs.get(feed_url), feed_url)
    }

    /// Bring each feed's next poll within its bounds, after the operator
    /// lowered them (in the config, while no fetcher ran, or by command).
    pub(crate) fn fit_schedules(&mut self) {
        let feeds: Vec<String> = self.state.feeds.keys().cloned().collect();
        for feed in feeds {
            self.fit_schedule_of(&feed);
        }
    }

    /// Bring one feed's next poll within its bounds.
    pub(crate) fn fit_schedule_of(&mut self, feed_url: &str) {
        let bounds = self.poll_bounds(feed_url);
        if let Some(st) = self.state.feeds.get_mut(feed_url.trim()) {
            st.fit_schedule(bounds);
        }
    }
}

/// The poll bounds of `feed_url`: its subscription's, when a command or an
/// OPML file set them, else the config's entry for it (`fetcher.feed_poll`),
/// else the fetcher's.
pub fn poll_bounds(
    config: &FetcherConfig,
    subscription: Option<&Subscription>,
    feed_url: &str,
) -> PollBounds {
    let fetchers = PollBounds::of_fetcher(config);
    let secs = |s: Option<u64>| s.map(Duration::from_secs);
    if let Some(own) = subscription
        .map(|s| s.settings)
        .filter(|s| s.poll_min_secs.is_some() || s.poll_max_secs.is_some())
    {
        return fetchers.with_own(secs(own.poll_min_secs), secs(own.poll_max_secs));
    }
    match config_entry(config.feed_poll.keys(), feed_url) {
        Some(entry) => {
            let own = config.feed_poll[entry];
            fetchers.with_own(own.min, own.max)
        }
        None => fetchers,
    }
}

/// Whether the operator has the items of `feed_url` taken from the feed's
/// own text: its subscription says so (`feeds add --feed-text-only`, an
/// OPML file's category), or the config names it (`fetcher.feed_text_only`:
/// the feed's URL as subscribed, or a host it is on).
pub fn reads_feed_text_only(
    config: &FetcherConfig,
    subscription: Option<&Subscription>,
    feed_url: &str,
) -> bool {
    subscription.is_some_and(|s| s.settings.feed_text_only)
        || config_entry(config.feed_text_only.iter(), feed_url).is_some()
}

/// The config entry that names `feed_url`: the feed's URL itself, else the
/// longest host name it is on (`example.com` covers `feeds.example.com`,
/// not `badexample.com`).
fn config_entry<'a>(
    entries: impl Iterator<Item = &'a String>,
    feed_url: &str,
) -> Option<&'a String> {
    let host = Url::parse(feed_url).ok();
    let host = host.as_ref().and_then(Url::host_str);
    let mut best: Option<&String> = None;
    for entry in entries {
        if entry == feed_url {
            return Some(entry);
        }
        let covers = !entry.contains("://")
            && host.is_some_and(|h| news_core::ids::host_is_within(h, entry));
        if covers && best.is_none_or(|b| entry.len() > b.len()) {
            best = Some(entry);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use news_core::config::FeedPollBounds;
    use news_core::messages::FeedSettings;

    use crate::subscriptions::Origin;

    const HOUR: Duration = Duration::from_secs(3600);
    const MINUTE: Duration = Duration::from_secs(60);

    fn config_with(entries: &[(&str, Option<Duration>, Option<Duration>)]) -> FetcherConfig {
        let mut config = FetcherConfig::default();
        for (key, min, max) in entries {
            config.feed_poll.insert(
                key.to_string(),
                FeedPollBounds {
                    min: *min,
                    max: *max,
                },
            );
        }
        config
    }

    #[test]
    fn a_feed_url_wins_over_its_host_and_a_longer_host_over_a_shorter() {
        let config = config_with(&[
            ("example.com", Some(MINUTE), None),
            ("news.example.com", Some(2 * MINUTE), None),
            ("https://news.example.com/wire.xml", Some(3 * MINUTE), None),
        ]);
        let min = |url: &str| poll_bounds(&config, None, url).min;
        assert_eq!(min("https://news.example.com/wire.xml"), 3 * MINUTE);
        assert_eq!(min("https://news.example.com/world.xml"), 2 * MINUTE);
        assert_eq!(min("https://www.example.com/rss"), MINUTE);
        assert_eq!(min("https://badexample.com/rss"), config.poll_min);
    }

    #[test]
    fn a_feeds_own_bound_wins_over_the_fetchers_it_would_cross() {
        let config = config_with(&[
            ("slow.example", Some(12 * HOUR), None),
            ("fast.example", None, Some(MINUTE)),
            ("both.example", Some(MINUTE), Some(2 * MINUTE)),
        ]);
        let bounds = |host: &str| poll_bounds(&config, None, &format!("https://{host}/rss"));
        assert_eq!(
            bounds("slow.example"),
            PollBounds {
                min: 12 * HOUR,
                max: 12 * HOUR
            }
        );
        assert_eq!(
            bounds("fast.example"),
            PollBounds {
                min: MINUTE,
                max: MINUTE
            }
        );
        assert_eq!(
            bounds("both.example"),
            PollBounds {
                min: MINUTE,
                max: 2 * MINUTE
            }
        );
        assert_eq!(bounds("other.example"), PollBounds::of_fetcher(&config));
    }

    #[test]
    fn a_subscriptions_own_bounds_win_over_the_configs() {
        let config = config_with(&[("example.com", Some(MINUTE), Some(2 * MINUTE))]);
        let url = "https://example.com/rss";
        let mut sub = Subscription {
            url: url.into(),
            title: None,
            origin: Origin::Control,
            paused: false,
            settings: FeedSettings::default(),
        };
        assert_eq!(poll_bounds(&config, Some(&sub), url).max, 2 * MINUTE);
        sub.settings.poll_max_secs = Some(30);
        let bounds = poll_bounds(&config, Some(&sub), url);
        assert_eq!(
            (bounds.min, bounds.max),
            (Duration::from_secs(30), Duration::from_secs(30))
        );
    }

    #[test]
    fn feed_text_only_is_named_by_url_or_host() {
        let config = FetcherConfig {
            feed_text_only: vec!["https://a.example/full.xml".into(), "b.example".into()],
            ..Default::default()
        };
        let reads = |url: &str| reads_feed_text_only(&config, None, url);
        assert!(reads("https://a.example/full.xml"));
        assert!(!reads("https://a.example/other.xml"));
        assert!(reads("https://feeds.b.example/rss"));
        assert!(!reads("https://notb.example/rss"));
    }
}
