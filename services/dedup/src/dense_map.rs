//! A map from a 64-bit key to a value held dense in an array, with an
//! index of (key, position) probed in place.
//!
//! The window's articles, its stories and the story index are looked up by
//! the dozen for each decision: a near-copy check reads the articles its
//! LSH buckets name, a story search the index lists of the article's top
//! terms, then the stories they name. In a general-purpose map each lookup
//! is two cache misses (control bytes, then the entry) that cannot be asked
//! for ahead of time, so the lookups waited one after another. Here a
//! caller prefetches the index slots of all its keys, then their entries.
//! Dense entries also drop the map's empty buckets, which at a million
//! articles (a table grown to two million buckets of 176 bytes) held about
//! 170 bytes per article.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::probe::{MAX_PRESIZED, ProbeTable, prefetch_read};

/// Key to value: dense entries, and an index from key to position in them.
pub(crate) struct DenseMap<V> {
    index: ProbeTable<u32>,
    entries: Vec<(u64, V)>,
}

impl<V> Default for DenseMap<V> {
    fn default() -> Self {
        DenseMap {
            index: ProbeTable::default(),
            entries: Vec::new(),
        }
    }
}

impl<V> DenseMap<V> {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn get(&self, key: u64) -> Option<&V> {
        self.position(key).map(|pos| self.at(pos))
    }

    pub(crate) fn get_mut(&mut self, key: u64) -> Option<&mut V> {
        let pos = self.position(key)?;
        Some(&mut self.entries[pos].1)
    }

    pub(crate) fn contains(&self, key: u64) -> bool {
        self.position(key).is_some()
    }

    /// Bytes its entries and index take in memory (not what the values hold
    /// on the heap). Entries count as many as there are: the array's spare
    /// capacity (up to as much again after it doubles) is never written, so
    /// the system gives it no memory.
    pub(crate) fn table_bytes(&self) -> usize {
        self.entries.len() * std::mem::size_of::<(u64, V)>() + self.index.table_bytes()
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Where `key`'s value is in the entries, for `at` and `prefetch_entry`.
    pub(crate) fn position(&self, key: u64) -> Option<usize> {
        self.index.get(key).map(|pos| *pos as usize)
    }

    pub(crate) fn at(&self, pos: usize) -> &V {
        &self.entries[pos].1
    }

    /// Where each key's value is, for a batch of lookups: every index slot
    /// is asked of the CPU first, then each is read. Each key comes with a
    /// tag (`T`) returned beside its position; absent keys are left out,
    /// and the order is kept.
    pub(crate) fn positions<T>(
        &self,
        keyed: impl Iterator<Item = (u64, T)> + Clone,
    ) -> Vec<(T, usize)> {
        keyed.clone().for_each(|(key, _)| self.index.prefetch(key));
        keyed
            .filter_map(|(key, tag)| Some((tag, self.position(key)?)))
            .collect()
    }

    /// Ask the CPU for the start of the entry at `pos`.
    pub(crate) fn prefetch_entry(&self, pos: usize) {
        prefetch_read(&self.entries[pos]);
    }

    /// Add a value, or replace the one under the same key.
    pub(crate) fn insert(&mut self, key: u64, value: V) {
        match self.position(key) {
            Some(pos) => self.entries[pos].1 = value,
            None => self.push(key, value),
        }
    }

    /// The value under `key`, added by `make` if there is none.
    pub(crate) fn get_or_insert_with(&mut self, key: u64, make: impl FnOnce() -> V) -> &mut V {
        let pos = match self.position(key) {
            Some(pos) => pos,
            None => {
                self.push(key, make());
                self.entries.len() - 1
            }
        };
        &mut self.entries[pos].1
    }

    fn push(&mut self, key: u64, value: V) {
        // u32::MAX marks a free index slot.
        let pos = u32::try_from(self.entries.len())
            .ok()
            .filter(|p| *p < u32::MAX)
            .expect("fewer than 4 billion entries");
        self.index.insert(key, pos);
        self.entries.push((key, value));
    }

    pub(crate) fn remove(&mut self, key: u64) -> Option<V> {
        let pos = self.index.remove(key)? as usize;
        // The last entry moves into the freed position.
        let (_, value) = self.entries.swap_remove(pos);
        if let Some((moved, _)) = self.entries.get(pos) {
            self.index.insert(*moved, pos as u32);
        }
        Some(value)
    }

    /// The same keys, each value mapped (for state read in an old format).
    pub(crate) fn map_values<W>(self, mut f: impl FnMut(V) -> W) -> DenseMap<W> {
        DenseMap {
            index: self.index,
            entries: self.entries.into_iter().map(|(k, v)| (k, f(v))).collect(),
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        self.entries.iter().map(|(k, v)| (*k, v))
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

impl<V> std::fmt::Debug for DenseMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DenseMap")
            .field("len", &self.entries.len())
            .finish()
    }
}

/// Written as a map from key to value: the form the engine's snapshots
/// had when these were `HashMap`s, so their files read either way.
impl<V: Serialize> Serialize for DenseMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, value) in &self.entries {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for DenseMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = DenseMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map from 64-bit key to value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DenseMap<V>, A::Error> {
                let stated = map.size_hint().unwrap_or(0);
                let mut dense = DenseMap {
                    index: ProbeTable::with_capacity(stated),
                    entries: Vec::with_capacity(stated.min(MAX_PRESIZED)),
                };
                while let Some((key, value)) = map.next_entry::<u64, V>()? {
                    dense.insert(key, value);
                }
                Ok(dense)
            }
        }
        deserializer.deserialize_map(Entries(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ArticleState, Decision};
    use crate::probe::{random_operations, test_key};
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

    /// Inserts and removals in random order against a plain map: every
    /// key finds its own article after removals move the last entry.
    #[test]
    fn lookups_match_a_plain_map_through_inserts_and_removals() {
        let mut table: DenseMap<ArticleState> = DenseMap::default();
        let mut plain: HashMap<u64, i64> = HashMap::new();
        for (step, (key, remove)) in (0..).zip(random_operations(60_000)) {
            if remove {
                let removed = table.remove(key).map(|a| a.at);
                assert_eq!(removed, plain.remove(&key), "step {step}");
            } else {
                table.insert(key, article(step));
                plain.insert(key, step as i64);
            }
        }
        assert_eq!(table.len(), plain.len());
        for key in (0..4_500).map(test_key) {
            assert_eq!(table.get(key).map(|a| a.at), plain.get(&key).copied());
        }
    }

    #[test]
    fn it_reads_a_snapshot_written_as_a_map() {
        let plain: HashMap<u64, ArticleState> = (0..50).map(|n| (n * 7, article(n))).collect();
        let bytes = bincode::serialize(&plain).unwrap();
        let table: DenseMap<ArticleState> = bincode::deserialize(&bytes).unwrap();
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
