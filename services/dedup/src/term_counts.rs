//! Document frequencies: in how many articles each term appeared.
//!
//! Every article looks up and counts a few hundred terms, and with a window
//! of a million articles the table holds millions of them: each lookup is a
//! cache miss. A general-purpose map gives no way to ask for its slots ahead
//! of time, so this table is a plain array probed in place (one miss, not
//! two: the term and its count share a slot) whose slots can be prefetched
//! for a whole article before it is counted.

use crate::probe::{home_slot, prefetch_read};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, Default)]
struct Slot {
    term: u64,
    /// 0 marks an empty slot: a term in the table was counted at least once.
    count: u32,
}

/// Term hash to count, linear probing, at most three quarters full.
#[derive(Default)]
pub(crate) struct TermCounts {
    slots: Vec<Slot>,
    len: usize,
}

const MIN_SLOTS: usize = 1024;

impl TermCounts {
    pub(crate) fn table_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, term: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let slot = &self.slots[self.find(term)];
        (slot.count > 0).then_some(slot.count)
    }

    /// Ask the CPU for `term`'s home slot, ahead of counting or reading it.
    pub(crate) fn prefetch(&self, term: u64) {
        if !self.slots.is_empty() {
            prefetch_read(&self.slots[self.home(term)]);
        }
    }

    /// Count one more article holding `term`.
    pub(crate) fn add_one(&mut self, term: u64) {
        self.add(term, 1);
    }

    fn add(&mut self, term: u64, count: u32) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.rebuild((self.slots.len() * 2).max(MIN_SLOTS));
        }
        let i = self.find(term);
        let slot = &mut self.slots[i];
        if slot.count == 0 {
            *slot = Slot { term, count: 0 };
            self.len += 1;
        }
        slot.count = slot.count.saturating_add(count);
    }

    /// Halve every count; terms whose count drops to 0 leave the table.
    pub(crate) fn halve(&mut self) {
        self.slots.iter_mut().for_each(|s| s.count /= 2);
        self.len = self.slots.iter().filter(|s| s.count > 0).count();
        // Emptied slots break probe runs: the table is laid out again, at
        // the size its entries need.
        let size = (self.len * 4 / 3 + 1).next_power_of_two().max(MIN_SLOTS);
        self.rebuild(size);
    }

    fn rebuild(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        for slot in old.into_iter().filter(|s| s.count > 0) {
            let i = self.find(slot.term);
            self.slots[i] = slot;
        }
    }

    /// The slot holding `term`, or the empty slot where it would go. The
    /// table is never full, so the probe ends.
    fn find(&self, term: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = self.home(term);
        loop {
            let slot = &self.slots[i];
            if slot.count == 0 || slot.term == term {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    fn home(&self, term: u64) -> usize {
        home_slot(term, self.slots.len())
    }

    #[cfg(test)]
    pub(crate) fn max_count(&self) -> u32 {
        self.iter().map(|(_, c)| c).max().unwrap_or(0)
    }

    fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.slots
            .iter()
            .filter(|s| s.count > 0)
            .map(|s| (s.term, s.count))
    }
}

impl std::fmt::Debug for TermCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermCounts")
            .field("terms", &self.len)
            .finish()
    }
}

/// Written as a map from term to count: the form the engine's snapshots
/// had when the table was a `HashMap`, so their files read either way.
impl Serialize for TermCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len))?;
        for (term, count) in self.iter() {
            map.serialize_entry(&term, &count)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for TermCounts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Counts;
        impl<'de> Visitor<'de> for Counts {
            type Value = TermCounts;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map from term hash to count")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TermCounts, A::Error> {
                let mut counts = TermCounts::default();
                while let Some((term, count)) = map.next_entry::<u64, u32>()? {
                    if count > 0 {
                        counts.add(term, count);
                    }
                }
                Ok(counts)
            }
        }
        deserializer.deserialize_map(Counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Counts from a stream of terms with many repeats and collisions in
    /// the low bits, against a plain map, through growth and halving.
    #[test]
    fn counts_match_a_plain_map_through_growth_and_halving() {
        let mut table = TermCounts::default();
        let mut plain: HashMap<u64, u32> = HashMap::new();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..6 {
            for _ in 0..20_000 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Few distinct terms, sharing their low bits.
                let term = (seed % 5_000) << 20;
                table.add_one(term);
                *plain.entry(term).or_default() += 1;
            }
            if round % 2 == 1 {
                table.halve();
                plain.retain(|_, c| {
                    *c /= 2;
                    *c > 0
                });
            }
            assert_eq!(table.len(), plain.len());
            for (term, count) in &plain {
                assert_eq!(table.get(*term), Some(*count), "term {term}");
            }
            assert_eq!(table.get(7), None);
        }
    }

    #[test]
    fn it_reads_a_snapshot_written_as_a_map() {
        let plain: HashMap<u64, u32> = [(1, 3), (u64::MAX, 1), (0, 9)].into();
        let bytes = bincode::serialize(&plain).unwrap();
        let table: TermCounts = bincode::deserialize(&bytes).unwrap();
        assert_eq!(table.len(), 3);
        assert_eq!(table.get(0), Some(9));
        assert_eq!(table.get(u64::MAX), Some(1));
        let back: HashMap<u64, u32> =
            bincode::deserialize(&bincode::serialize(&table).unwrap()).unwrap();
        assert_eq!(back, plain);
    }
}
