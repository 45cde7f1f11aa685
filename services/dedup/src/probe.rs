//! Tables probed in place (`ProbeTable`: the index of `DenseMap`, and the
//! document frequencies) and helpers shared with the prior's table: where a
//! key's probe starts, and asking the CPU for a slot before it is read. A
//! general-purpose map gives no way to do the second, and at a window of a
//! million articles most lookups are cache misses.

/// The slot where `key`'s probe starts in a table of `slots` slots (a
/// power of two). Keys are hashes already; mixing again keeps hand-made
/// keys (tests) from piling up, and the index comes from the top bits.
pub(crate) fn home_slot(key: u64, slots: usize) -> usize {
    let bits = slots.trailing_zeros();
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

/// Bytes a hashbrown table (`HashMap`, `HashSet`) of `capacity` holds:
/// its buckets (a power of two, at most 7/8 full) and a control byte each.
pub(crate) fn hash_table_bytes(capacity: usize, entry: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = (capacity * 8 / 7).next_power_of_two();
    buckets * (entry + 1)
}

/// Bring the cache line holding `item` closer; a no-op off x86_64.
pub(crate) fn prefetch_read<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let at: *const T = item;
        // SAFETY: a prefetch never faults, and SSE is part of x86_64.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

/// A value that marks a free slot in a `ProbeTable`: one the table's users
/// never store.
pub(crate) trait Vacant: Copy + Eq {
    const VACANT: Self;
}

impl Vacant for u32 {
    const VACANT: u32 = u32::MAX;
}

#[derive(Clone, Copy)]
struct Slot<V> {
    key: u64,
    value: V,
}

const MIN_SLOTS: usize = 1024;

/// A map from a 64-bit hash to a small value: linear probing, at most
/// three quarters full, deletion by shifting back (no tombstones), and a
/// key's slot can be prefetched before it is looked up.
#[derive(Clone)]
pub(crate) struct ProbeTable<V> {
    slots: Vec<Slot<V>>,
    len: usize,
    /// Times the slots were laid out (sized, grown or shrunk).
    #[cfg(test)]
    pub(crate) layouts: usize,
}

// By hand: a derived one would ask `V: Default`, which values need not be.
impl<V> Default for ProbeTable<V> {
    fn default() -> Self {
        ProbeTable {
            slots: Vec::new(),
            len: 0,
            #[cfg(test)]
            layouts: 0,
        }
    }
}

/// Most entries a table is sized for ahead from a snapshot's stated
/// length (a corrupt length must not allocate without bound); a longer
/// table grows as it is filled.
pub(crate) const MAX_PRESIZED: usize = 1 << 24;

impl<V: Vacant> ProbeTable<V> {
    /// An empty table with room for `entries` (up to `MAX_PRESIZED`)
    /// without growing. A table read back from a snapshot must be sized
    /// first: its keys come in slot order, and inserted in that order into
    /// a smaller table that grows, they pile up in the first slots (a
    /// window of 200,000 articles took 127 s to read, 0.6 s to write).
    pub(crate) fn with_capacity(entries: usize) -> Self {
        let mut table = ProbeTable::default();
        let entries = entries.min(MAX_PRESIZED);
        if entries > 0 {
            table.rebuild((entries * 4 / 3 + 1).next_power_of_two().max(MIN_SLOTS));
        }
        table
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, key: u64) -> Option<&V> {
        if self.slots.is_empty() {
            return None;
        }
        let slot = &self.slots[self.find(key)];
        (slot.value != V::VACANT).then_some(&slot.value)
    }

    /// Bytes its slots take.
    pub(crate) fn table_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot<V>>()
    }

    /// Ask the CPU for `key`'s home slot.
    pub(crate) fn prefetch(&self, key: u64) {
        if !self.slots.is_empty() {
            prefetch_read(&self.slots[home_slot(key, self.slots.len())]);
        }
    }

    /// Set `key`'s value, added or replaced. `value` is not `V::VACANT`.
    pub(crate) fn insert(&mut self, key: u64, value: V) {
        self.update(key, |_| value);
    }

    /// Set `key`'s value to `change` of its current one (`None` if absent).
    /// The new value is not `V::VACANT`.
    pub(crate) fn update(&mut self, key: u64, change: impl FnOnce(Option<V>) -> V) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.rebuild((self.slots.len() * 2).max(MIN_SLOTS));
        }
        let i = self.find(key);
        let old = self.slots[i].value;
        let value = change((old != V::VACANT).then_some(old));
        debug_assert!(value != V::VACANT);
        if old == V::VACANT {
            self.len += 1;
        }
        self.slots[i] = Slot { key, value };
    }

    /// Change every value in place; keys whose value becomes `V::VACANT`
    /// leave, and the table is laid out again at the size the rest need
    /// (emptied slots would break probe runs).
    pub(crate) fn update_all(&mut self, mut change: impl FnMut(&mut V)) {
        self.slots
            .iter_mut()
            .filter(|s| s.value != V::VACANT)
            .for_each(|s| change(&mut s.value));
        self.len = self.slots.iter().filter(|s| s.value != V::VACANT).count();
        let size = (self.len * 4 / 3 + 1).next_power_of_two().max(MIN_SLOTS);
        self.rebuild(size);
    }

    /// Every (key, value), in slot order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, V)> + '_ {
        self.slots
            .iter()
            .filter(|s| s.value != V::VACANT)
            .map(|s| (s.key, s.value))
    }

    pub(crate) fn remove(&mut self, key: u64) -> Option<V> {
        if self.slots.is_empty() {
            return None;
        }
        let mut hole = self.find(key);
        let value = self.slots[hole].value;
        if value == V::VACANT {
            return None;
        }
        // Later slots of the probe run move back into the hole, unless
        // their home lies after it (from the hole they would be out of
        // reach of their own probe).
        let mask = self.slots.len() - 1;
        let mut next = hole;
        loop {
            next = (next + 1) & mask;
            let slot = self.slots[next];
            if slot.value == V::VACANT {
                break;
            }
            if !cyclically_within(hole, home_slot(slot.key, self.slots.len()), next) {
                self.slots[hole] = slot;
                hole = next;
            }
        }
        self.slots[hole].value = V::VACANT;
        self.len -= 1;
        Some(value)
    }

    fn rebuild(&mut self, size: usize) {
        #[cfg(test)]
        {
            self.layouts += 1;
        }
        let vacant = Slot {
            key: 0,
            value: V::VACANT,
        };
        let old = std::mem::replace(&mut self.slots, vec![vacant; size]);
        for slot in old.into_iter().filter(|s| s.value != V::VACANT) {
            let i = self.find(slot.key);
            self.slots[i] = slot;
        }
    }

    /// The slot holding `key`, or the free slot where it would go. The
    /// table is never full, so the probe ends.
    fn find(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = home_slot(key, self.slots.len());
        loop {
            let slot = &self.slots[i];
            if slot.value == V::VACANT || slot.key == key {
                return i;
            }
            i = (i + 1) & mask;
        }
    }
}

impl<V> std::fmt::Debug for ProbeTable<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeTable")
            .field("len", &self.len)
            .finish()
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

/// Keys to insert or remove, in random order, for tests of the tables: few
/// distinct keys, scattered (consecutive numbers would land in evenly
/// spaced slots and never share a probe run), two removals in five.
#[cfg(test)]
pub(crate) fn random_operations(steps: u32) -> impl Iterator<Item = (u64, bool)> {
    let mut next = test_random(0x9e37_79b9_7f4a_7c15);
    (0..steps).map(move |_| {
        let seed = next();
        (test_key(seed % 4_500), (seed >> 32) % 5 < 2)
    })
}

/// A xorshift generator for tests: the same numbers on every run.
#[cfg(test)]
pub(crate) fn test_random(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// The `n`th of the keys `random_operations` uses.
#[cfg(test)]
pub(crate) fn test_key(n: u64) -> u64 {
    crate::text::hash64(&n.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The gauge's model of a hashbrown table: a power of two of buckets
    /// at most 7/8 full. Fails if the map grows some other way.
    #[test]
    fn hash_table_bytes_follow_the_maps_growth() {
        for n in [7usize, 8, 100, 1_000, 5_000, 100_000] {
            let map: HashMap<u64, u64> = (0..n as u64).map(|k| (k, k)).collect();
            let buckets = (3..).map(|e| 1usize << e).find(|b| b / 8 * 7 >= n).unwrap();
            assert_eq!(
                hash_table_bytes(map.capacity(), 16),
                buckets * 17,
                "{n} entries"
            );
        }
    }

    /// Inserts and removals in random order against a plain map, with the
    /// table about two thirds full (long probe runs): every key is found
    /// where it should be after each removal shifts its run back.
    #[test]
    fn lookups_match_a_plain_map_through_inserts_and_removals() {
        let mut table: ProbeTable<u32> = ProbeTable::default();
        let mut plain: HashMap<u64, u32> = HashMap::new();
        for (step, (key, remove)) in (0..).zip(random_operations(60_000)) {
            if remove {
                assert_eq!(table.remove(key), plain.remove(&key), "step {step}");
            } else {
                table.insert(key, step);
                plain.insert(key, step);
            }
            if step % 7_919 == 0 {
                for (key, value) in &plain {
                    assert_eq!(table.get(*key), Some(value));
                }
            }
        }
        assert_eq!(table.len(), plain.len());
        for key in (0..4_500).map(test_key) {
            assert_eq!(table.get(key), plain.get(&key));
        }
    }
}
