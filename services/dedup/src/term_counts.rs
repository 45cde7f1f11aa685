//! Document frequencies: in how many articles each term appeared.
//!
//! Every article looks up and counts a few hundred terms, and with a window
//! of a million articles the table holds millions of them: each lookup is a
//! cache miss. A general-purpose map gives no way to ask for its slots ahead
//! of time, so this table is a plain array probed in place (one miss, not
//! two: the term and its count share a slot) whose slots can be prefetched
//! for a whole article before it is counted.

use crate::probe::{ProbeTable, Vacant};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A term's count; 0 marks a free slot, as a term in the table was counted
/// at least once.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Count(u32);

impl Vacant for Count {
    const VACANT: Count = Count(0);
}

/// Term hash to count, in a table probed in place (see `probe`).
#[derive(Default)]
pub(crate) struct TermCounts {
    table: ProbeTable<Count>,
}

impl TermCounts {
    pub(crate) fn table_bytes(&self) -> usize {
        self.table.table_bytes()
    }

    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    pub(crate) fn get(&self, term: u64) -> Option<u32> {
        self.table.get(term).map(|c| c.0)
    }

    /// Ask the CPU for `term`'s home slot, ahead of counting or reading it.
    pub(crate) fn prefetch(&self, term: u64) {
        self.table.prefetch(term);
    }

    /// Count one more article holding `term`.
    pub(crate) fn add_one(&mut self, term: u64) {
        self.add(term, 1);
    }

    fn add(&mut self, term: u64, count: u32) {
        self.table.update(term, |old| {
            Count(old.map_or(0, |c| c.0).saturating_add(count))
        });
    }

    /// Halve every count; terms whose count drops to 0 leave the table.
    pub(crate) fn halve(&mut self) {
        self.table.update_all(|c| c.0 /= 2);
    }

    #[cfg(test)]
    pub(crate) fn max_count(&self) -> u32 {
        self.iter().map(|(_, c)| c).max().unwrap_or(0)
    }

    fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.table.iter().map(|(term, c)| (term, c.0))
    }
}

impl std::fmt::Debug for TermCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermCounts")
            .field("terms", &self.len())
            .finish()
    }
}

/// Written as a map from term to count: the form the engine's snapshots
/// had when the table was a `HashMap`, so their files read either way.
impl Serialize for TermCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
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
                let mut counts = TermCounts {
                    table: ProbeTable::with_capacity(map.size_hint().unwrap_or(0)),
                };
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
    use crate::probe::test_key;
    use std::collections::HashMap;

    /// Counts from a stream of terms with many repeats, against a plain
    /// map, through growth and halving.
    #[test]
    fn counts_match_a_plain_map_through_growth_and_halving() {
        let mut table = TermCounts::default();
        let mut plain: HashMap<u64, u32> = HashMap::new();
        let mut next = crate::probe::test_random(0x2545_f491_4f6c_dd1d);
        for round in 0..6 {
            for _ in 0..20_000 {
                let seed = next();
                // Few distinct terms, scattered (consecutive numbers would
                // sit in evenly spaced slots, in no probe run), drawn
                // skewed: each halving empties hundreds of slots inside
                // probe runs (terms counted once).
                let term = test_key((seed % 5_000) % (1 + (seed >> 32) % 5_000));
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

    /// A table read back gets its keys in slot order; inserted so into a
    /// table that grows as it fills, they pile up in long probe runs (a
    /// 200,000-article window took 127 s to read). It is sized once.
    #[test]
    fn a_table_read_back_is_sized_once_not_grown_as_it_fills() {
        let mut table = TermCounts::default();
        for n in 0..100_000 {
            table.add_one(test_key(n));
        }
        let read: TermCounts = bincode::deserialize(&bincode::serialize(&table).unwrap()).unwrap();
        assert_eq!(read.len(), 100_000);
        assert!((0..100_000).all(|n| read.get(test_key(n)) == Some(1)));
        assert_eq!(read.table.layouts, 1);
        assert_eq!(read.table_bytes(), table.table_bytes());
    }
}
