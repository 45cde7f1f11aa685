//! A hub's push read in place of a poll. A signed push carries the feed
//! (WebSub's "fat ping": the whole feed, or its new and changed entries),
//! so the pushed feed's new items are taken from it without a GET of the
//! feed. The bodies wait, within a byte budget, for their feed's turn in
//! the next round; a burst of pushes before that turn, a push over the
//! budget, or a body that holds no item makes the ordinary conditional
//! GET instead, which reads everything the pushes said.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Bytes;
use chrono::Utc;
use news_core::config::shown_url;
use news_core::telemetry::names;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::pages::{self, FeedPoll};
use crate::poll::{Offered, with_ids};
use crate::state::FeedState;
use crate::{Fetcher, RoundReport, parse_feed};

/// Bytes of pushed bodies held at once; a push beyond it is taken as a
/// plain "the feed changed".
pub const MAX_HELD_PUSH_BYTES: usize = 64 << 20;

/// The bytes pushed bodies hold, shared by the endpoint that takes them
/// and the fetcher that reads them.
#[derive(Clone, Debug, Default)]
pub(crate) struct PushBudget(Arc<AtomicUsize>);

impl PushBudget {
    /// Hold `body` for its feed's poll, when it is not empty and fits.
    pub(crate) fn hold(&self, body: Bytes, content_type: Option<String>) -> Option<PushedFeed> {
        let len = body.len();
        if len == 0 {
            return None;
        }
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                (held + len <= MAX_HELD_PUSH_BYTES).then_some(held + len)
            })
            .ok()?;
        Some(PushedFeed {
            body,
            content_type,
            budget: self.clone(),
        })
    }

    #[cfg(test)]
    fn held(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }
}

/// A signed push's body, held until its feed's poll; its bytes return to
/// the budget when it is dropped.
#[derive(Debug)]
pub struct PushedFeed {
    pub body: Bytes,
    pub content_type: Option<String>,
    budget: PushBudget,
}

impl PartialEq for PushedFeed {
    fn eq(&self, other: &Self) -> bool {
        self.body == other.body && self.content_type == other.content_type
    }
}

impl Drop for PushedFeed {
    fn drop(&mut self) {
        self.budget.0.fetch_sub(self.body.len(), Ordering::AcqRel);
    }
}

/// What waits for a pushed feed's turn.
#[derive(Debug)]
pub(crate) struct PendingPush {
    /// The body to read; none after a second push (a burst), or when the
    /// push held none: the feed is then fetched.
    pub body: Option<PushedFeed>,
    /// The poll the feed had before the push: a push read keeps it.
    pub resume_at: i64,
}

impl PendingPush {
    /// Another push for the same feed before its turn: the pushes may each
    /// name other items, so the feed itself is read.
    pub(crate) fn pushed_again(&mut self) {
        self.body = None;
    }
}

impl Fetcher {
    /// Take a pushed feed's new items from the push's body. Gives the state
    /// back untouched when the body is no feed, or a feed with no item (a
    /// "thin" ping): the feed is then fetched as at any poll.
    pub(crate) async fn read_pushed(
        &self,
        poll: &FeedPoll<'_>,
        base: &Url,
        mut st: FeedState,
        push: PushedFeed,
        resume_at: i64,
        token: &CancellationToken,
    ) -> Result<(FeedState, RoundReport), FeedState> {
        let feed_url = poll.feed_url;
        let parsed = match parse_feed(&push.body, base.as_str(), push.content_type.as_deref()) {
            Ok(parsed) if !parsed.entries.is_empty() => parsed,
            Ok(_) => return Err(st),
            Err(e) => {
                tracing::info!(feed = %shown_url(feed_url), error = %e, "a pushed body that reads as no feed; the feed is fetched");
                return Err(st);
            }
        };
        drop(push);
        metrics::counter!(names::FETCH_WEBSUB, "event" => "read").increment(1);
        let cfg = &self.config.fetcher;
        let mut rep = RoundReport::default();
        let bus_refused = self.retry_due_pages(poll, &mut st, &mut rep, token).await;
        // Not the feed's date check: a push names the items that changed.
        let offered = Offered {
            items: with_ids(parsed.items(base.as_str()), cfg.max_seen_per_feed),
            dates_now_ignored: false,
            bus_refused,
        };
        let taken = self
            .take_new_items(poll, &mut st, &mut rep, offered, token)
            .await;
        let now = Utc::now().timestamp();
        st.last_polled_at = now;
        if taken.new_items + taken.shared > 0 {
            st.last_new_item_at = now;
        }
        // Items left untaken come from the whole feed, which the validators
        // of the last poll could have answered 304.
        if !taken.whole || taken.bus_refused {
            st.validators = Default::default();
        }
        // The feed's own schedule stands: pushes may stop.
        st.next_poll = resume_at;
        pages::poll_again_for_retries(&mut st, cfg.poll_min);
        if taken.bus_refused || !taken.whole {
            let soon = now + cfg.page_retry_delay.max(cfg.poll_min).as_secs() as i64;
            st.next_poll = st.next_poll.min(soon);
        }
        tracing::debug!(feed = %shown_url(feed_url), new = taken.new_items, "read the hub's push");
        Ok((st, rep))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_bodies_stay_within_the_budget_and_return_their_bytes_when_dropped() {
        let budget = PushBudget::default();
        assert!(
            budget.hold(Bytes::new(), None).is_none(),
            "an empty push holds nothing"
        );
        let big = budget
            .hold(Bytes::from(vec![b'x'; MAX_HELD_PUSH_BYTES - 10]), None)
            .expect("fits");
        assert!(budget.hold(Bytes::from(vec![b'y'; 11]), None).is_none());
        let small = budget
            .hold(Bytes::from(vec![b'y'; 10]), None)
            .expect("fits exactly");
        assert_eq!(budget.held(), MAX_HELD_PUSH_BYTES);
        drop(big);
        assert_eq!(budget.held(), 10);
        drop(small);
        assert_eq!(budget.held(), 0);
    }
}
