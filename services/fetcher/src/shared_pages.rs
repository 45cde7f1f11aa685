//! Pages any feed took lately. A site lists one story in several of its
//! feeds ("top stories", "world", "politics"), and each feed's seen set
//! is its own: before round 61 the page was fetched, published, cleaned
//! and decided once per feed (the dedup stage took the later ones for
//! replays). Now the first feed to take a page claims it, and another feed
//! that lists it with the same headline and date within `WINDOW` only
//! remembers it. Feeds of one site fall to one fetcher (`shard.rs`), so
//! the claims of one process see all of a site's feeds. The claims are
//! saved beside the feeds' state (`fetcher-claims.bin`, since round 63) at
//! most every `SAVE_EVERY_SECS` and when the fetcher stops, so a restart
//! keeps them; before, a restart fetched such a page once more.

use std::collections::{HashMap, VecDeque};

use crate::state::{feed_key, hex_prefix};

/// How long a claim stands: a feed that lists a page a day after another
/// took it fetches it again.
pub const WINDOW_SECS: i64 = 24 * 3600;
/// Claims kept at most (about 60 bytes each); the oldest go first.
pub const MAX_CLAIMS: usize = 200_000;

/// How often changed claims are saved at most, between rounds.
pub const SAVE_EVERY_SECS: u64 = 30;
/// The saved file's first bytes: its format.
const MAGIC: &[u8; 8] = b"NMCLAIM1";
/// Bytes of one saved claim: page, fingerprint, feed, unix seconds.
const RECORD_BYTES: usize = 32;

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

    /// Claims made so far: a save is due when it moved.
    pub fn made(&self) -> u64 {
        self.made
    }

    /// The live claims, oldest first, as the file holds them.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAGIC.len() + self.claims.len() * RECORD_BYTES);
        out.extend_from_slice(MAGIC);
        for &(page, made, at) in &self.order {
            let Some(c) = self.claims.get(&page).filter(|c| c.made == made) else {
                continue;
            };
            for v in [page, c.fingerprint, c.feed, at as u64] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// The claims a file holds that `now` still keeps, made again in their
    /// order; a file of another format, or cut short, gives those before
    /// the damage (none for a wrong format).
    pub fn from_bytes(bytes: &[u8], now: i64) -> SharedPages {
        let mut pages = SharedPages::default();
        let Some(records) = bytes.strip_prefix(MAGIC.as_slice()) else {
            return pages;
        };
        for r in records.chunks_exact(RECORD_BYTES) {
            let word =
                |i: usize| u64::from_le_bytes(r[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
            let (page, fingerprint, feed, at) = (word(0), word(1), word(2), word(3) as i64);
            if at > now - WINDOW_SECS && at <= now {
                pages.claim(page, fingerprint, feed, at);
            }
        }
        pages
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
    /// Take the claims a stopped fetcher saved in `file`, and save there.
    pub(crate) fn load_claims(&mut self, file: std::path::PathBuf) {
        if let Ok(bytes) = std::fs::read(&file) {
            let pages = SharedPages::from_bytes(&bytes, chrono::Utc::now().timestamp());
            tracing::debug!(
                claims = pages.len(),
                "claims of pages in several feeds read back"
            );
            self.claims_saved.0 = pages.made();
            *self.shared_pages.lock().expect("shared pages lock") = pages;
        }
        self.claims_file = Some(file);
    }

    /// Save the claims when they changed, at most every `SAVE_EVERY_SECS`
    /// unless the fetcher is `stopping`. A failed save is logged: a restart
    /// then fetches such pages once more, as dedup's replays allow.
    pub(crate) fn save_claims(&mut self, stopping: bool) {
        let Some(file) = &self.claims_file else {
            return;
        };
        let (bytes, made) = {
            let pages = self.shared_pages.lock().expect("shared pages lock");
            let due = stopping || self.claims_saved.1.elapsed().as_secs() >= SAVE_EVERY_SECS;
            if pages.made() == self.claims_saved.0 || !due {
                return;
            }
            (pages.to_bytes(), pages.made())
        };
        if let Err(e) = news_core::durable::write_file(file, "bin.tmp", &bytes) {
            tracing::warn!(file = %file.display(), error = %e, "could not save the claims of pages in several feeds");
        }
        self.claims_saved = (made, std::time::Instant::now());
    }

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
    fn saved_claims_read_back_as_they_were_within_the_window() {
        let mut pages = SharedPages::default();
        assert!(pages.claim(7, 100, TOP, 1_000));
        assert!(pages.claim(8, 200, WORLD, 2_000));
        assert!(pages.claim(7, 101, WORLD, 3_000), "updated");
        let bytes = pages.to_bytes();
        assert_eq!(
            bytes.len(),
            MAGIC.len() + 2 * RECORD_BYTES,
            "live claims only"
        );
        let mut back = SharedPages::from_bytes(&bytes, 4_000);
        assert_eq!(back.len(), 2);
        assert!(!back.claim(7, 101, TOP, 4_001), "WORLD took the update");
        assert!(!back.claim(8, 200, TOP, 4_002));
        // A day after the second claim, only the third stands.
        let later = SharedPages::from_bytes(&bytes, 2_000 + WINDOW_SECS);
        assert_eq!(later.len(), 1);
        // A file cut short keeps what came before; another format, nothing.
        assert_eq!(
            SharedPages::from_bytes(&bytes[..bytes.len() - 5], 4_000).len(),
            1
        );
        assert!(SharedPages::from_bytes(b"NOTCLAIMS", 4_000).is_empty());
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
