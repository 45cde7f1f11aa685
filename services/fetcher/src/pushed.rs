//! A hub's push read in place of a poll. A signed push carries the feed
//! (WebSub's "fat ping": the whole feed, or its new and changed entries),
//! so the pushed feed's new items are taken from it without a GET of the
//! feed. The bodies wait, within a byte budget, for their feed's turn in
//! the next round; a burst of pushes before that turn is read whole, each
//! body's items (since round 65). A push over the budget, one with no
//! body or a body that holds no item, or more than `MAX_BODIES_PER_FEED`
//! before the feed's turn make the ordinary conditional GET instead,
//! which reads everything the pushes said.

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

/// Pushed bodies held for one feed's turn at most; past them the feed is
/// fetched (a hub that pushes this often sends whole feeds anyway).
pub const MAX_BODIES_PER_FEED: usize = 16;

/// What waits for a pushed feed's turn.
#[derive(Debug)]
pub(crate) struct PendingPush {
    /// The bodies to read, in the order pushed; none once a push held none
    /// (a thin ping, a spent budget) or the bodies were too many: the feed
    /// is then fetched.
    pub bodies: Vec<PushedFeed>,
    /// The poll the feed had before the first push: a push read keeps it.
    pub resume_at: i64,
}

impl PendingPush {
    pub(crate) fn new(body: Option<PushedFeed>, resume_at: i64) -> Self {
        PendingPush {
            bodies: body.into_iter().collect(),
            resume_at,
        }
    }

    /// Another push for the same feed before its turn: its body is read
    /// too, each push's items, unless one of them holds none.
    pub(crate) fn pushed_again(&mut self, body: Option<PushedFeed>) {
        match body {
            Some(body) if !self.bodies.is_empty() && self.bodies.len() < MAX_BODIES_PER_FEED => {
                self.bodies.push(body)
            }
            // Only a fetch of the feed reads what a thin ping says.
            _ => self.bodies.clear(),
        }
    }
}

impl Fetcher {
    /// Take a pushed feed's new items from the pushes' bodies. Gives the
    /// state back untouched when a body is no feed, or a feed with no item
    /// (a "thin" ping): the feed is then fetched as at any poll.
    pub(crate) async fn read_pushed(
        &self,
        poll: &FeedPoll<'_>,
        base: &Url,
        mut st: FeedState,
        push: PendingPush,
        token: &CancellationToken,
    ) -> Result<(FeedState, RoundReport), FeedState> {
        let feed_url = poll.feed_url;
        let cfg = &self.config.fetcher;
        let bounds = self.poll_bounds(feed_url);
        // The last push's items first: an item two pushes name is as the
        // later one has it.
        let mut items = Vec::new();
        for body in push.bodies.iter().rev() {
            match parse_feed(&body.body, base.as_str(), body.content_type.as_deref()) {
                Ok(parsed) if !parsed.entries.is_empty() => {
                    items.extend(parsed.items(base.as_str()))
                }
                Ok(_) => return Err(st),
                Err(e) => {
                    tracing::info!(feed = %shown_url(feed_url), error = %e, "a pushed body that reads as no feed; the feed is fetched");
                    return Err(st);
                }
            }
        }
        let pushes = push.bodies.len();
        let resume_at = push.resume_at;
        drop(push);
        let mut named = std::collections::HashSet::new();
        let items: Vec<_> = with_ids(items, usize::MAX)
            .into_iter()
            .filter(|(_, id)| id.as_ref().is_none_or(|id| named.insert(id.clone())))
            .take(cfg.max_seen_per_feed)
            .collect();
        metrics::counter!(names::FETCH_WEBSUB, "event" => "read").increment(pushes as u64);
        let mut rep = RoundReport::default();
        let bus_refused = self.retry_due_pages(poll, &mut st, &mut rep, token).await;
        // Not the feed's date check: a push names the items that changed.
        let offered = Offered {
            items,
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
        pages::poll_again_for_retries(&mut st, bounds.min);
        if taken.bus_refused || !taken.whole {
            let soon = now + cfg.page_retry_delay.max(bounds.min).as_secs() as i64;
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

    #[test]
    fn a_burst_keeps_each_body_until_a_push_holds_none_or_too_many_come() {
        let budget = PushBudget::default();
        let body = |text: &str| budget.hold(Bytes::from(text.to_string()), None);
        let mut burst = PendingPush::new(body("<rss>1</rss>"), 7);
        burst.pushed_again(body("<rss>2</rss>"));
        let held: Vec<&[u8]> = burst.bodies.iter().map(|b| b.body.as_ref()).collect();
        assert_eq!(held, [b"<rss>1</rss>", b"<rss>2</rss>"]);
        assert_eq!(burst.resume_at, 7, "the schedule before the first push");
        // A thin ping: only the feed says what changed, so it is fetched,
        // whatever comes after.
        burst.pushed_again(None);
        assert!(burst.bodies.is_empty());
        burst.pushed_again(body("<rss>3</rss>"));
        assert!(burst.bodies.is_empty());
        assert_eq!(budget.held(), 0, "bodies let go return their bytes");
        let mut many = PendingPush::new(body("<rss/>"), 0);
        for _ in 1..MAX_BODIES_PER_FEED {
            many.pushed_again(body("<rss/>"));
        }
        assert_eq!(many.bodies.len(), MAX_BODIES_PER_FEED);
        many.pushed_again(body("<rss/>"));
        assert!(
            many.bodies.is_empty(),
            "past the most held, the feed is fetched"
        );
    }
}
