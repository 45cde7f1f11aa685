//! The window: articles leave it by age or by the cap, oldest first, and
//! take their story with the last of its members; the document
//! frequencies have a bound of their own; and the state's size is
//! reckoned for the gauge operators size the window by.

use super::index::index_terms;
use super::{Engine, StoryState};
use crate::lsh::{MINHASH_PERMS, band_keys};
use crate::probe::hash_table_bytes;

/// How many articles left the window, by what made them leave. An article
/// pushed out by `dedup.max_articles` while still inside `dedup.window`
/// means the window holds less time than it is set to: a later report of
/// that story can no longer find it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Evictions {
    /// Older than the window.
    pub by_age: u64,
    /// Inside the window, but over the cap.
    pub by_cap: u64,
}

impl Engine {
    /// Drop articles that left the window or exceed the cap, oldest first.
    pub(super) fn evict(&mut self, now: i64) {
        self.evict_while(now, true);
    }

    /// Let the articles older than the window at `now` leave it, with no
    /// article arriving, so that the stories of a quiet stream close too.
    /// Only age counts: the cap makes room for arrivals.
    pub fn age_out(&mut self, now: i64) {
        self.evict_while(now, false);
    }

    fn evict_while(&mut self, now: i64, capped: bool) {
        while let Some((at, _)) = self.order.front() {
            let expired = now - *at > self.params.window_secs;
            let over_cap = capped && self.order.len() >= self.params.max_articles;
            if !expired && !over_cap {
                break;
            }
            if expired {
                self.evictions.by_age += 1;
            } else {
                self.evictions.by_cap += 1;
            }
            let (_, key) = self.order.pop_front().expect("front exists");
            self.remove(key);
        }
    }

    /// The articles that left the window since the last call, by cause.
    pub fn take_evictions(&mut self) -> Evictions {
        std::mem::take(&mut self.evictions)
    }

    /// Seconds of fetch time the window holds: from the article that leaves
    /// it next to the latest one. Under `dedup.window` once the stream has
    /// run that long means the cap, not age, decides what is kept.
    pub fn window_span_secs(&self) -> i64 {
        match (self.order.front(), self.order.back()) {
            (Some((oldest, _)), Some((last, _))) => {
                self.newest_at.max(*last).saturating_sub(*oldest).max(0)
            }
            _ => 0,
        }
    }

    /// Most terms the document frequencies hold. A stream's vocabulary keeps
    /// growing (new names every day), so it needs a bound of its own.
    pub(super) fn df_cap(&self) -> usize {
        4 * self.params.max_articles.max(10_000)
    }

    /// Halve every document frequency and the document count until the map
    /// is down to three quarters of its cap. Terms seen once go first; they
    /// cannot link two articles anyway. Ratios, and so IDF, stay about the
    /// same, and old counts weigh less than new ones. The slack keeps this
    /// rare: one pass per cap/4 new terms at most, not one per decision.
    pub(super) fn decay_df(&mut self) {
        let target = self.df_cap() / 4 * 3;
        while self.df.len() > target {
            self.df.halve();
            self.docs_seen = (self.docs_seen / 2).max(1);
        }
    }

    /// An article out of the window: out of every index, and its story
    /// with it when it was the story's last member there.
    fn remove(&mut self, key: u64) {
        let Some(a) = self.articles.remove(key) else {
            return;
        };
        if self.exact.get(&a.text_hash) == Some(&key) {
            self.exact.remove(&a.text_hash);
        }
        for b in band_keys(&a.sig) {
            self.buckets.remove(b, key);
        }
        // A story leaves with its last member in the window.
        let story_alive = self
            .stories
            .get(a.story)
            .is_some_and(|s| s.last_seen > a.at);
        if !story_alive && let Some(mut s) = self.stories.remove(a.story) {
            for t in index_terms(&s) {
                self.unindex(t, a.story);
            }
            if let Some(closed) = &mut self.closed {
                // Its summary is all that is announced of it.
                s.centroid = Vec::new();
                s.names = Vec::new();
                closed.push(s);
            }
        }
    }

    /// Keep the stories that leave the window, for `take_closed`: the dedup
    /// stage announces them. A batch run has no one to tell, so by default
    /// none is kept.
    pub fn keep_closed(mut self) -> Engine {
        self.closed = Some(Vec::new());
        self
    }

    /// The stories that left the window since the last call, in the order
    /// they left (their summaries; centroid and names dropped).
    pub fn take_closed(&mut self) -> Vec<StoryState> {
        self.closed.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Bytes the state holds (the state-size gauge, which operators size
    /// `dedup.max_articles` by): every table as allocated, empty slots
    /// included, and what its entries hold on the heap. Stories are walked
    /// (tens of thousands, of very different sizes); articles are counted
    /// at their usual heap size, nearly the same for all, since walking a
    /// million of them every few seconds would stall the stage.
    pub fn approx_bytes(&self) -> usize {
        // Allocations carry about 16 bytes of malloc's own.
        let heap = |bytes: usize| if bytes == 0 { 0 } else { bytes + 16 };
        // Signature, id, story id (64 hex digits), the id it duplicates,
        // headline words.
        let per_article = heap(4 * MINHASH_PERMS) + heap(40) + heap(64) + heap(40) + heap(48);
        let stories: usize = self
            .stories
            .values()
            .map(|s| {
                heap(s.story_id.capacity())
                    + heap(s.founder.capacity())
                    + s.title.as_ref().map_or(0, |t| heap(t.capacity()))
                    + heap(s.members.capacity() * std::mem::size_of::<String>())
                    + s.members.iter().map(|m| heap(m.capacity())).sum::<usize>()
                    + heap(s.centroid.capacity() * 16)
                    + heap(s.names.capacity() * 16)
                    + heap(s.languages.capacity() * std::mem::size_of::<String>())
                    + s.languages
                        .iter()
                        .map(|l| heap(l.capacity()))
                        .sum::<usize>()
                    + heap(s.sources.capacity() * std::mem::size_of::<(String, u32)>())
                    + s.sources
                        .iter()
                        .map(|(name, _)| heap(name.capacity()))
                        .sum::<usize>()
                    + heap(s.unlisted_sources.capacity() * 8)
            })
            .sum();
        // Index lists hold about 4 stories' room (measured: 4.3 on average).
        let index_lists: usize = self.term_index.len() * heap(4 * 8);
        self.articles.table_bytes()
            + self.articles.len() * per_article
            + self.order.len() * 16
            + hash_table_bytes(self.exact.capacity(), 16)
            + self.buckets.approx_bytes()
            + self.stories.table_bytes()
            + stories
            + self.term_index.table_bytes()
            + index_lists
            + self.df.table_bytes()
    }
}
