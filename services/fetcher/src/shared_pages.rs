//! Pages any feed took lately. A site lists one story in several of its
//! feeds ("top stories", "world", "politics"), and each feed's seen set
//! is its own: before round 61 the page was fetched, published, cleaned
//! and decided once per feed (the dedup stage took the later ones for
//! replays). Now the first feed to take a page claims it, and another feed
//! that lists it with the same headline and date within `WINDOW` only
//! remembers it. Feeds of one site fall to one fetcher (`shard.rs`), so
//! the claims of one process see all of a site's feeds. The claims live in
//! memory: after a restart a page may be fetched once more, which the
//! dedup stage takes for a replay, as before.

use std::collections::{HashMap, VecDeque};

use crate::state::{feed_key, hex_prefix};

/// How long a claim stands: a feed that lists a page a day after another
/// took it fetches it again.
pub const WINDOW_SECS: i64 = 24 * 3600;
/// Claims kept at most (about 60 bytes each); the oldest go first.
pub const MAX_CLAIMS: usize = 200_000;

/// Who took a page, with what headline and date, and when.
#[derive(Debug, Clone, Copy)]
struct Claim {
    feed: u64,
    fingerprint: u64,
    /// Which entry of `order` made it.
    made: u64,
}

#[derive(Debug, Default)]
pub struct SharedPages {
    claims: HashMap<u64, Claim>,
    /// Claims in the order they were made (page, entry number, unix
    /// seconds), for eviction by age and count.
    order: VecDeque<(u64, u64, i64)>,
    made: u64,
}

impl SharedPages {
    /// Claim a page for `feed`: true when this feed is to take it (no feed
    /// took it with this fingerprint within the window, or this feed did
    /// and takes it again), false when another feed already has it.
    pub fn claim(&mut self, page: u64, fingerprint: u64, feed: u64, now: i64) -> bool {
        self.evict(now);
        if let Some(c) = self.claims.get(&page)
            && c.fingerprint == fingerprint
            && c.feed != feed
        {
            return false;
        }
        self.made += 1;
        self.claims.insert(
            page,
            Claim {
                feed,
                fingerprint,
                made: self.made,
            },
        );
        self.order.push_back((page, self.made, now));
        true
    }

    pub fn len(&self) -> usize {
        self.claims.len()
    }

    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// Drop claims older than the window, and the oldest beyond the cap. A
    /// page claimed again has a later entry in `order`; its earlier ones
    /// leave without touching the later claim.
    fn evict(&mut self, now: i64) {
        while let Some(&(page, made, at)) = self.order.front() {
            if at > now - WINDOW_SECS && self.order.len() < MAX_CLAIMS {
                break;
            }
            self.order.pop_front();
            if self.claims.get(&page).is_some_and(|c| c.made == made) {
                self.claims.remove(&page);
            }
        }
    }
}

impl crate::Fetcher {
    /// Claim the page `article_id` for `feed`: false when another feed took
    /// it, with this fingerprint, within the window.
    pub(crate) fn claim_page(&self, feed: &str, article_id: &str, fingerprint: u64) -> bool {
        self.shared_pages.lock().expect("shared pages lock").claim(
            hex_prefix(article_id),
            fingerprint,
            feed_key(feed),
            chrono::Utc::now().timestamp(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOP: u64 = 1;
    const WORLD: u64 = 2;

    #[test]
    fn a_page_another_feed_took_is_not_taken_again() {
        let mut pages = SharedPages::default();
        assert!(pages.claim(7, 100, TOP, 1_000));
        assert!(
            !pages.claim(7, 100, WORLD, 1_010),
            "the world feed lists it too"
        );
        // The feed that took it may take it again (a page the bus did not
        // take comes back on its next poll).
        assert!(pages.claim(7, 100, TOP, 1_020));
        // An update (a new headline or date) is a page to fetch again, for
        // whichever feed lists it first.
        assert!(pages.claim(7, 101, WORLD, 1_030));
        assert!(!pages.claim(7, 101, TOP, 1_040));
        assert!(pages.claim(8, 100, WORLD, 1_050), "another page");
    }

    #[test]
    fn claims_end_with_the_window_and_the_cap() {
        let mut pages = SharedPages::default();
        assert!(pages.claim(7, 100, TOP, 0));
        assert!(!pages.claim(7, 100, WORLD, WINDOW_SECS - 1));
        assert!(pages.claim(7, 100, WORLD, WINDOW_SECS + 1), "a day later");
        assert_eq!(pages.len(), 1);
        // A claim renewed within the window outlives its first entry.
        assert!(pages.claim(7, 100, WORLD, WINDOW_SECS + 2));
        assert!(!pages.claim(7, 100, TOP, 2 * WINDOW_SECS));
        let mut full = SharedPages::default();
        for page in 0..MAX_CLAIMS as u64 + 10 {
            assert!(full.claim(page, 1, TOP, 5));
        }
        assert_eq!(full.len(), MAX_CLAIMS);
        assert!(full.claim(0, 1, WORLD, 6), "the oldest claims went");
        assert!(!full.claim(MAX_CLAIMS as u64 + 9, 1, WORLD, 6));
    }
}
