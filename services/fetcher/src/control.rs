//! Subscription changes at run time: commands from `news.feeds.v1`,
//! applied before the first round and then as they come.

use std::time::Duration;

use news_core::config::shown_url;
use news_core::messages::FeedCommand;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::Fetcher;
use crate::state::FeedState;
use crate::subscriptions::Change;

/// What the control-topic reader tells the fetcher.
#[derive(Debug)]
pub enum Control {
    Command(FeedCommand),
    /// Everything on the topic at start-up has been delivered.
    CaughtUp,
}

impl Fetcher {
    /// Take subscription changes from `rx` (fed by the `news.feeds.v1`
    /// reader). The first round waits, boundedly, for `Control::CaughtUp`.
    pub fn with_control(mut self, rx: mpsc::Receiver<Control>) -> Fetcher {
        self.control = Some(rx);
        self
    }

    /// Apply the control commands already on the topic before the first
    /// round, so that a removed or paused feed is not polled at start.
    /// True when the whole topic was read: the subscriptions are complete.
    pub(crate) async fn catch_up(&mut self, token: &CancellationToken) -> bool {
        let Some(rx) = self.control.as_mut() else {
            return false;
        };
        let mut whole = false;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let mut pending = Vec::new();
        loop {
            tokio::select! {
                _ = token.cancelled() => break,
                _ = tokio::time::sleep_until(deadline) => {
                    tracing::warn!("control topic not caught up after 30s; polling anyway");
                    break;
                }
                msg = rx.recv() => match msg {
                    Some(Control::CaughtUp) => {
                        whole = true;
                        break;
                    }
                    None => break,
                    Some(msg) => pending.push(msg),
                },
            }
        }
        for msg in pending {
            self.apply_control(msg, true);
        }
        whole
    }

    /// Apply one command. A removal `replayed` from the topic at start
    /// leaves the feed's state to `forget_unsubscribed`, which sees the
    /// subscriptions once the whole topic is read: a feed removed and added
    /// again keeps its seen items.
    pub(crate) fn apply_control(&mut self, msg: Control, replayed: bool) -> Option<Change> {
        let Control::Command(cmd) = msg else {
            return None;
        };
        let change = self.subs.apply(&cmd);
        match change {
            Change::Removed if replayed => {}
            Change::Removed => self.drop_feed_state(cmd.feed_url.trim()),
            Change::Resumed => {
                // A resumed feed is polled now, and a disabled one gets a new chance.
                if let Some(st) = self.state.feeds.get_mut(cmd.feed_url.trim()) {
                    st.next_poll = 0;
                    st.disabled = false;
                    st.failures = 0;
                }
            }
            Change::Updated => self.fit_schedule_of(&cmd.feed_url),
            _ => {}
        }
        if change != Change::Unchanged {
            tracing::info!(feed = %shown_url(&cmd.feed_url), action = ?cmd.action, change = ?change, "feed subscription changed");
        }
        Some(change)
    }

    /// After the control topic is read whole: drop the state of the feeds
    /// no longer subscribed (removed by command, or from the config or the
    /// OPML file, while no fetcher ran), and ask their hubs to stop
    /// pushing. Without the WebSub endpoint (`--once`, or no callback) a
    /// feed with a lease keeps its state, for a fetcher that can confirm
    /// its hub's check of the request to end it.
    pub(crate) fn forget_unsubscribed(&mut self) {
        let subscribed: std::collections::HashSet<String> =
            self.subs.all().map(|s| s.url.clone()).collect();
        let can_end_leases = self.websub.is_some();
        let gone = self.drop_feeds_where(|url, st| {
            !subscribed.contains(url) && (can_end_leases || st.websub.is_none())
        });
        if gone > 0 {
            tracing::info!(
                feeds = gone,
                "dropped the state of feeds no longer subscribed"
            );
        }
    }

    /// Feeds that moved to another shard (the count changed) are polled
    /// there, and their items taken as new: kept here, their pages waiting
    /// for a retry would never come and would fill the bound on waiting
    /// pages. Their hubs are asked to stop pushing here (the other shard
    /// subscribes under its own callback).
    pub(crate) fn forget_other_shards_feeds(&mut self) {
        let shard = self.shard;
        // Without the endpoint the hub could not be asked to stop (it checks
        // with us): such a feed keeps its lease alone, until a start with
        // the endpoint drops it and asks.
        let can_end_leases = self.websub.is_some();
        if !can_end_leases {
            let mut kept = 0;
            for (_, st) in self
                .state
                .feeds
                .iter_mut()
                .filter(|(url, st)| !shard.owns(url) && st.websub.is_some())
            {
                for page in &st.retries {
                    self.waiting_texts.forget(&page.id);
                }
                let lease = st.websub.take();
                *st = FeedState::default();
                st.websub = lease;
                kept += 1;
            }
            if kept > 0 {
                tracing::info!(
                    feeds = kept,
                    "feeds another shard now polls keep their WebSub lease here until a fetcher with its endpoint asks their hubs to stop"
                );
            }
        }
        let moved = self.drop_feeds_where(|url, st| {
            !shard.owns(url) && (can_end_leases || st.websub.is_none())
        });
        if moved > 0 {
            tracing::info!(
                moved,
                shard = shard.index,
                shards = shard.count,
                "dropped the state of feeds another shard now polls"
            );
        }
    }

    /// Drop the state of every feed `gone` picks (`drop_feed_state`); how
    /// many.
    fn drop_feeds_where(&mut self, gone: impl Fn(&str, &FeedState) -> bool) -> usize {
        let urls: Vec<String> = self
            .state
            .feeds
            .iter()
            .filter(|(url, st)| gone(url, st))
            .map(|(url, _)| url.clone())
            .collect();
        for url in &urls {
            self.drop_feed_state(url);
        }
        urls.len()
    }

    /// A feed no longer subscribed: its state goes, with its waiting pages'
    /// kept texts, and its hub is asked to stop pushing.
    fn drop_feed_state(&mut self, feed_url: &str) {
        let Some(removed) = self.state.feeds.remove(feed_url) else {
            return;
        };
        for page in &removed.retries {
            self.waiting_texts.forget(&page.id);
        }
        self.end_hub_subscription(feed_url, removed.websub);
    }
}
