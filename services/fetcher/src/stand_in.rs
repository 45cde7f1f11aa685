//! A feed item standing in for a page that could not be read. A site that
//! disallows crawlers in robots.txt, refuses them (401, 402, 403) or stays
//! down until a page's attempts run out often carries the story in its feed
//! anyway (`content:encoded`, a long summary). Since round 61 that text is
//! published to `news.raw.v1` in the page's place, marked `unread`, and the
//! cleaner reads it as it reads a page that gave no text. The page is still
//! dead-lettered, so that `newsmill redrive` can ask for it later; a
//! redriven page has the same id, which the dedup stage takes for a replay.

use chrono::Utc;
use news_core::config::shown_url;
use news_core::ids::{canonical_url, without_credentials};
use news_core::messages::{RawItem, SCHEMA_VERSION, UnreadPage, UnreadReason};
use url::Url;

use crate::pages::{FeedPoll, PageRetry, may_pass};
use crate::state::FeedState;
use crate::{FetchError, Fetcher, RoundReport};

/// Whether a final failure leaves the feed's text to stand in for the page,
/// and why. A page that is gone (404, 410), withheld for legal reasons
/// (451), refused by our own rules (a private address, not an article, too
/// large) or unpublishable has none: its absence is the news, or the feed's
/// text would not pass either.
pub fn unread_reason(error: &FetchError) -> Option<UnreadReason> {
    match error {
        FetchError::Disallowed => Some(UnreadReason::Robots),
        FetchError::Status(401..=403) => Some(UnreadReason::Denied),
        FetchError::Publish(_) => None,
        // At a final failure, one that may pass has run out of attempts.
        e if may_pass(e) => Some(UnreadReason::Failing),
        _ => None,
    }
}

/// Whether the feed item carries any text beyond its headline; the cleaner
/// decides whether it is an article.
fn carries_text(page: &PageRetry) -> bool {
    [&page.item.content, &page.item.summary]
        .into_iter()
        .flatten()
        .any(|t| !t.trim().is_empty())
}

impl Fetcher {
    /// Publish the feed item of a page that failed for good in the page's
    /// place, when the failure and the item allow it. True when the bus
    /// took it.
    pub(crate) async fn publish_feed_stand_in(&self, page: &PageRetry, error: &FetchError) -> bool {
        let Some(reason) = unread_reason(error).filter(|_| carries_text(page)) else {
            return false;
        };
        let status = match error {
            FetchError::Status(s) => *s,
            _ => 0,
        };
        let Some(raw) = stand_in(page, reason, status) else {
            return false;
        };
        match self.send_raw(&raw).await {
            Ok(()) => {
                tracing::info!(article = %shown_url(&page.link), reason = reason.label(), "page not read; its feed item stands in for it");
                true
            }
            Err(failure) => {
                tracing::warn!(article = %shown_url(&page.link), error = %failure.error, "the feed item standing in for an unread page was not published");
                false
            }
        }
    }

    /// Publish a feed text only feed's item as its article, its page never
    /// asked for: the cleaner reads the feed's text (or finds it no
    /// article). True when the bus refused it; it then waits as a page
    /// the bus refused does.
    pub(crate) async fn take_feed_text(
        &self,
        poll: &FeedPoll<'_>,
        st: &mut FeedState,
        rep: &mut RoundReport,
        page: PageRetry,
    ) -> bool {
        let Some(raw) = stand_in(&page, UnreadReason::FeedTextOnly, 0) else {
            // A link that does not parse names no article: nothing to send.
            st.remember(
                &page.id,
                page.fingerprint,
                self.config.fetcher.max_seen_per_feed,
            );
            return false;
        };
        match self.send_raw(&raw).await {
            Ok(()) => {
                rep.feed_texts += 1;
                self.waiting_texts.forget(&page.id);
                st.remember(
                    &page.id,
                    page.fingerprint,
                    self.config.fetcher.max_seen_per_feed,
                );
                poll.progress
                    .taken(poll.feed_url, &page.id, page.fingerprint);
                false
            }
            Err(failure) => {
                self.hold_unpublished(st, rep, page, &failure.error);
                true
            }
        }
    }
}

/// A feed item as the raw message of its page, which was not read.
fn stand_in(page: &PageRetry, reason: UnreadReason, http_status: u16) -> Option<RawItem> {
    let url = Url::parse(&page.link).ok()?;
    Some(RawItem {
        schema_version: SCHEMA_VERSION,
        id: page.id.clone(),
        url: without_credentials(&canonical_url(&url)).to_string(),
        fetched_url: String::new(),
        fetched_at: Utc::now(),
        http_status,
        content_type: None,
        charset: None,
        html: String::new(),
        item: page.item.clone(),
        unread: Some(UnreadPage {
            reason,
            error: page.last_error.clone(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_that_exist_but_were_not_read_leave_their_feed_text() {
        assert_eq!(
            unread_reason(&FetchError::Disallowed),
            Some(UnreadReason::Robots)
        );
        for status in [401, 402, 403] {
            assert_eq!(
                unread_reason(&FetchError::Status(status)),
                Some(UnreadReason::Denied),
                "{status}"
            );
        }
        for passing in [
            FetchError::Timeout,
            FetchError::Transport("connection reset".into()),
            FetchError::RobotsUnreachable,
            FetchError::Status(429),
            FetchError::Status(503),
        ] {
            assert_eq!(
                unread_reason(&passing),
                Some(UnreadReason::Failing),
                "{passing}"
            );
        }
        for none in [
            FetchError::Status(404),
            FetchError::Status(410),
            FetchError::Status(451),
            FetchError::Status(400),
            FetchError::Refused("a private address".into()),
            FetchError::TooLarge(1 << 30),
            FetchError::Publish("broker down".into()),
        ] {
            assert_eq!(unread_reason(&none), None, "{none}");
        }
    }
}
