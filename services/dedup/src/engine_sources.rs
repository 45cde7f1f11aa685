//! A story's outlets: each one listed once with its articles, up to the
//! summary's limit, and counted beyond it.

use news_core::messages::MAX_STORY_SOURCES;

use super::StoryState;
use crate::text::hash64;

/// Outlets a story counts beyond those it lists: a story is covered by
/// thousands of outlets only in a deployment that reads that many.
const MAX_UNLISTED_SOURCES: usize = 10_000;

impl StoryState {
    /// Distinct outlets among its members.
    pub fn source_count(&self) -> u32 {
        (self.sources.len() + self.unlisted_sources.len()) as u32
    }

    /// Count a member from `source`.
    pub(super) fn add_source(&mut self, source: &str) {
        if let Some((_, articles)) = self.sources.iter_mut().find(|(s, _)| s == source) {
            *articles += 1;
        } else if self.sources.len() < MAX_STORY_SOURCES {
            self.sources.push((source.to_string(), 1));
        } else {
            let key = hash64(source.as_bytes());
            if let Err(at) = self.unlisted_sources.binary_search(&key)
                && self.unlisted_sources.len() < MAX_UNLISTED_SOURCES
            {
                self.unlisted_sources.insert(at, key);
            }
        }
    }
}
