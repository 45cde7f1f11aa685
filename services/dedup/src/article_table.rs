//! The window's articles by key.
//!
//! A near-copy check looks up the few dozen articles its LSH buckets name.
//! In a general-purpose map each lookup is two cache misses (control bytes,
//! then the entry) that cannot be asked for ahead of time, so the lookups
//! waited one after another. Here the articles sit dense in an array, and a
//! small index of (key, position) is probed in place: a caller prefetches
//! the index slots of all its candidates, then their entries. Dense entries
//! also drop the map's empty buckets, which at a million articles (a table
//! grown to two million buckets of 176 bytes) held about 170 bytes per
//! article.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::engine::ArticleState;
use crate::probe::{home_slot, prefetch_read};

#[derive(Clone, Copy)]
struct IndexSlot {
    key: u64,
    /// Where the article is in `entries`; `EMPTY` marks a free slot.
    pos: u32,
}

const EMPTY: u32 = u32::MAX;
const FREE: IndexSlot = IndexSlot { key: 0, pos: EMPTY };
const MIN_SLOTS: usize = 1024;

/// Article key to article: dense entries, an index with linear probing
/// at most three quarters full, deletion by shifting back (no tombstones).
#[derive(Default)]
pub(crate) struct ArticleTable {
    index: Vec<IndexSlot>,
    entries: Vec<(u64, ArticleState)>,
}

impl ArticleTable {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn get(&self, key: u64) -> Option<&ArticleState> {
        self.position(key).map(|pos| self.at(pos))
    }

    pub(crate) fn contains(&self, key: u64) -> bool {
        self.position(key).is_some()
    }

    /// Where `key`'s article is in the entries, for `at` and
    /// `prefetch_entry`.
    pub(crate) fn position(&self, key: u64) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let slot = self.index[self.find(key)];
        (slot.pos != EMPTY).then_some(slot.pos as usize)
    }

    pub(crate) fn at(&self, pos: usize) -> &ArticleState {
        &self.entries[pos].1
    }

    /// Ask the CPU for `key`'s home slot in the index.
    pub(crate) fn prefetch_slot(&self, key: u64) {
        if !self.index.is_empty() {
            prefetch_read(&self.index[home_slot(key, self.index.len())]);
        }
    }

    /// Ask the CPU for the parts of an entry a near-copy check reads.
    pub(crate) fn prefetch_entry(&self, pos: usize) {
        let a = self.at(pos);
        prefetch_read(&a.sig);
        prefetch_read(&a.shingles);
    }

    /// Add an article, or replace the one under the same key.
    pub(crate) fn insert(&mut self, key: u64, article: ArticleState) {
        if (self.entries.len() + 1) * 4 > self.index.len() * 3 {
            self.rebuild((self.index.len() * 2).max(MIN_SLOTS));
        }
        let i = self.find(key);
        if self.index[i].pos != EMPTY {
            self.entries[self.index[i].pos as usize].1 = article;
            return;
        }
        let pos = u32::try_from(self.entries.len()).expect("fewer than 4 billion articles");
        self.index[i] = IndexSlot { key, pos };
        self.entries.push((key, article));
    }

    pub(crate) fn remove(&mut self, key: u64) -> Option<ArticleState> {
        if self.index.is_empty() {
            return None;
        }
        let mut hole = self.find(key);
        let pos = self.index[hole].pos;
        if pos == EMPTY {
            return None;
        }
        // Shift later slots of the probe run back into the hole, unless
        // their home lies after the hole (they would become unreachable).
        let mask = self.index.len() - 1;
        let mut next = hole;
        loop {
            next = (next + 1) & mask;
            let slot = self.index[next];
            if slot.pos == EMPTY {
                break;
            }
            if !cyclically_within(hole, home_slot(slot.key, self.index.len()), next) {
                self.index[hole] = slot;
                hole = next;
            }
        }
        self.index[hole] = FREE;
        // The last entry moves into the freed position.
        let (_, article) = self.entries.swap_remove(pos as usize);
        if let Some((moved, _)) = self.entries.get(pos as usize) {
            let i = self.find(*moved);
            self.index[i].pos = pos;
        }
        Some(article)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut ArticleState> {
        self.entries.iter_mut().map(|(_, a)| a)
    }

    fn rebuild(&mut self, size: usize) {
        self.index = vec![FREE; size];
        for (pos, (key, _)) in self.entries.iter().enumerate() {
            let i = self.find(*key);
            self.index[i] = IndexSlot {
                key: *key,
                pos: pos as u32,
            };
        }
    }

    /// The slot holding `key`, or the free slot where it would go. The
    /// index is never full, so the probe ends.
    fn find(&self, key: u64) -> usize {
        let mask = self.index.len() - 1;
        let mut i = home_slot(key, self.index.len());
        loop {
            let slot = &self.index[i];
            if slot.pos == EMPTY || slot.key == key {
                return i;
            }
            i = (i + 1) & mask;
        }
    }
}

/// Whether `x` lies in the cyclic range (after, upto].
fn cyclically_within(after: usize, x: usize, upto: usize) -> bool {
    if after <= upto {
        after < x && x <= upto
    } else {
        after < x || x <= upto
    }
}

impl std::fmt::Debug for ArticleTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArticleTable")
            .field("articles", &self.entries.len())
            .finish()
    }
}

/// Written as a map from key to article: the form the engine's snapshots
/// had when the table was a `HashMap`, so their files read either way.
impl Serialize for ArticleTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, article) in &self.entries {
            map.serialize_entry(key, article)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ArticleTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Articles;
        impl<'de> Visitor<'de> for Articles {
            type Value = ArticleTable;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map from article key to article")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ArticleTable, A::Error> {
                let mut table = ArticleTable::default();
                while let Some((key, article)) = map.next_entry::<u64, ArticleState>()? {
                    table.insert(key, article);
                }
                Ok(table)
            }
        }
        deserializer.deserialize_map(Articles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Decision;
    use news_core::messages::VerdictKind;
    use std::collections::HashMap;

    fn article(n: u64) -> ArticleState {
        ArticleState {
            id: format!("a{n}"),
            story: n / 3,
            at: n as i64,
            text_hash: n.wrapping_mul(31),
            shingles: n as u32,
            sig: vec![n as u32; 4],
            headline: vec![],
            decision: Decision {
                kind: VerdictKind::Unique,
                story_id: format!("s{n}"),
                duplicate_of: None,
                similarity: 0.0,
                replay: false,
            },
        }
    }

    /// Inserts and removals in random order against a plain map, with the
    /// index about two thirds full (long probe runs): every key is found
    /// where it should be after each deletion shifts its run back.
    #[test]
    fn lookups_match_a_plain_map_through_inserts_and_removals() {
        let mut table = ArticleTable::default();
        let mut plain: HashMap<u64, i64> = HashMap::new();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for step in 0..60_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Few distinct keys, scattered: consecutive numbers would land
            // in evenly spaced slots and never share a probe run.
            let key = key_of(seed % 4_500);
            if (seed >> 32) % 5 < 2 {
                assert_eq!(
                    table.remove(key).map(|a| a.at),
                    plain.remove(&key),
                    "step {step}"
                );
            } else {
                let mut a = article(step);
                a.at = step as i64;
                table.insert(key, a);
                plain.insert(key, step as i64);
            }
            if step % 7_919 == 0 {
                for (key, at) in &plain {
                    assert_eq!(table.get(*key).map(|a| a.at), Some(*at));
                }
            }
        }
        assert_eq!(table.len(), plain.len());
        for key in (0..4_500).map(key_of) {
            assert_eq!(table.get(key).map(|a| a.at), plain.get(&key).copied());
        }
    }

    fn key_of(n: u64) -> u64 {
        crate::text::hash64(&n.to_le_bytes())
    }

    #[test]
    fn it_reads_a_snapshot_written_as_a_map() {
        let plain: HashMap<u64, ArticleState> = (0..50).map(|n| (n * 7, article(n))).collect();
        let bytes = bincode::serialize(&plain).unwrap();
        let table: ArticleTable = bincode::deserialize(&bytes).unwrap();
        assert_eq!(table.len(), 50);
        assert_eq!(table.get(49 * 7).map(|a| a.id.as_str()), Some("a49"));
        let back: HashMap<u64, ArticleState> =
            bincode::deserialize(&bincode::serialize(&table).unwrap()).unwrap();
        assert_eq!(back.len(), 50);
        assert!(
            back.iter()
                .all(|(k, a)| plain[k].id == a.id && plain[k].sig == a.sig)
        );
    }
}
