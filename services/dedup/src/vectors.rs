//! Weighed term vectors: term frequencies, TF-IDF vectors, story centroids
//! and headlines, as sparse `(term hash, weight)` lists.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::engine::CENTROID_TERMS;
use crate::probe::home_slot;
use crate::text::Token;

/// Weighted term frequencies of the article. Capitalised words (names)
/// and numbers weigh more: they survive paraphrase and translation, and
/// separate events of the same kind.
pub(crate) fn term_frequencies(toks: &[Token], title: &[Token]) -> HashMap<u64, f32> {
    // Sized once: about half the words of a text are distinct content
    // words, and growing the map was a twentieth of a decision's time.
    let mut tf: HashMap<u64, f32> =
        HashMap::with_capacity_and_hasher(toks.len() / 2, Default::default());
    let title_words: HashSet<u64> = title.iter().map(|x| x.hash).collect();
    for t in toks {
        if t.stop {
            continue;
        }
        let mut w = 1.0;
        if t.capitalised {
            w *= 2.0;
        }
        // Set on the ECB+ train topics over 100 shuffled orders once numbers
        // were read whole (round 42): 1.5 / 2 / 2.5 / 3 / 4 gave 0.894 /
        // 0.896 / 0.897 / 0.897 / 0.895.
        if t.number {
            w *= 2.5;
        }
        if title_words.contains(&t.hash) {
            w *= 1.5;
        }
        *tf.entry(t.hash).or_default() += w;
    }
    tf
}

/// Headline words kept per article: real headlines run to about 60 words
/// at most (57 on the syndication set); the cap bounds hostile ones.
pub(crate) const HEADLINE_WORDS: usize = 64;

/// The first words of a headline in order, as 32-bit hashes.
pub(crate) fn headline_words(title: &[Token]) -> Vec<u32> {
    title
        .iter()
        .take(HEADLINE_WORDS)
        .map(|t| t.hash as u32)
        .collect()
}

/// Words a copy may add around the headline it copied: a "BREAKING" or
/// "UPDATE 1" in front, an outlet's name behind.
const HEADLINE_ADDED_WORDS: usize = 3;

/// Whether one headline is the other, re-cased, with at most a few words
/// added before or after it; headlines that are missing agree with anything.
/// Word order counts: a rewrite keeps the words and changes their order or
/// one of them ("belts" for "titles"), and is an outlet's own headline.
pub(crate) fn headlines_agree(a: &[u32], b: &[u32]) -> bool {
    if a.is_empty() || b.is_empty() {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > HEADLINE_ADDED_WORDS {
        return false;
    }
    if contains_run(long, short) {
        return true;
    }
    // A headline at the cap was cut, so the words a copy added in front of
    // it pushed some off the end: either one's first words, short of the
    // added ones, must then sit inside the other.
    let kept = HEADLINE_WORDS - HEADLINE_ADDED_WORDS;
    long.len() == HEADLINE_WORDS
        && short.len() >= kept
        && (contains_run(long, &short[..kept]) || contains_run(short, &long[..kept]))
}

fn contains_run(haystack: &[u32], run: &[u32]) -> bool {
    // The first word settles most windows without a call to memcmp (the
    // decide bench spent 2% to 3% there).
    let Some(first) = run.first() else {
        return true;
    };
    haystack
        .windows(run.len())
        .any(|w| w[0] == *first && w == run)
}

pub(crate) fn normalise(v: &mut [(u64, f32)]) {
    normalise_by_first(v, v.len());
}

/// Divide every weight of `v` by the L2 norm of its first `k` weights (the
/// vector's), so that terms past them weigh as the vector's do.
pub(crate) fn normalise_by_first(v: &mut [(u64, f32)], k: usize) {
    let norm = v[..k.min(v.len())]
        .iter()
        .map(|(_, w)| w * w)
        .sum::<f32>()
        .sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= norm);
    }
}

/// A map from hashed keys behind a bitmap of them: when most keys asked
/// for are absent, one bit answers for all but a few, without a probe of
/// the map. Keys are avalanched hashes, so their low bits pick the slot.
pub(crate) struct Prefiltered<V, const WORDS: usize> {
    bits: [u64; WORDS],
    map: HashMap<u64, V>,
}

impl<V, const WORDS: usize> Prefiltered<V, WORDS> {
    pub(crate) fn new(entries: impl IntoIterator<Item = (u64, V)>) -> Self {
        let mut bits = [0u64; WORDS];
        let map: HashMap<u64, V> = entries.into_iter().collect();
        for key in map.keys() {
            let (word, bit) = Self::slot(*key);
            bits[word] |= bit;
        }
        Prefiltered { bits, map }
    }

    fn slot(key: u64) -> (usize, u64) {
        let i = (key as usize) % (WORDS * 64);
        (i / 64, 1 << (i % 64))
    }

    /// Whether the bitmap lets `key` through to the map.
    pub(crate) fn may_hold(&self, key: u64) -> bool {
        let (word, bit) = Self::slot(key);
        self.bits[word] & bit != 0
    }

    pub(crate) fn get(&self, key: u64) -> Option<&V> {
        if !self.may_hold(key) {
            return None;
        }
        self.map.get(&key)
    }
}

/// An article's vector ready for many dot products. Most of a story
/// centroid's terms are not the article's, and the map lookups the bitmap
/// saves were a tenth of a decision's time. 1,024 bits for 60 terms: about
/// one absent term in 17 gets past the bitmap.
pub(crate) type Weights = Prefiltered<f32, 16>;

/// Dot product of two unit vectors, one ready for lookups. Summed in the
/// order of `b`, so the result does not depend on the bitmap.
pub(crate) fn cosine(a: &Weights, b: &[(u64, f32)]) -> f32 {
    // An empty float sum is -0.0; adding 0.0 reports no overlap as 0.
    b.iter()
        .filter_map(|(t, w)| a.get(*t).map(|x| w * x))
        .sum::<f32>()
        + 0.0
}

/// Running mean of member vectors, truncated to the strongest terms.
pub(crate) fn merge_centroid(
    old: &[(u64, f32)],
    add: &[(u64, f32)],
    members: u32,
) -> Vec<(u64, f32)> {
    let n = members.max(1) as f32;
    let mut v: Vec<(u64, f32)> = Vec::with_capacity(old.len() + add.len());
    // Where each term sits in `v`, in a table probed in place: a general
    // map here was most of adding an article to its story. The sums are a
    // map's, to the bit.
    let slots = ((old.len() + add.len()) * 2).next_power_of_two().max(16);
    let mut table = vec![u32::MAX; slots];
    for (t, w) in old {
        match slot_of(&v, &table, *t) {
            Ok(at) => v[at].1 = w * (n - 1.0) / n,
            Err(slot) => {
                table[slot] = v.len() as u32;
                v.push((*t, w * (n - 1.0) / n));
            }
        }
    }
    for (t, w) in add {
        match slot_of(&v, &table, *t) {
            Ok(at) => v[at].1 += w / n,
            Err(slot) => {
                table[slot] = v.len() as u32;
                // From zero, as a map's new entry: a zero of either sign
                // comes out +0.
                v.push((*t, 0.0 + w / n));
            }
        }
    }
    strongest_first(&mut v, CENTROID_TERMS);
    normalise(&mut v);
    v
}

/// Where `term` is in `v`, through `table` (positions in `v`, `u32::MAX`
/// for none, a power of two long): Ok with its position, or Err with the
/// empty slot where it goes.
fn slot_of(v: &[(u64, f32)], table: &[u32], term: u64) -> Result<usize, usize> {
    let mut i = home_slot(term, table.len());
    loop {
        match table[i] {
            u32::MAX => return Err(i),
            at if v[at as usize].0 == term => return Ok(at as usize),
            _ => i = (i + 1) & (table.len() - 1),
        }
    }
}

/// Keep the `keep` strongest entries (terms or stories), strongest first,
/// ties by key so the order is the same on every run. Selecting before
/// sorting: there are a few hundred, and only the top are kept.
pub(crate) fn strongest_first(v: &mut Vec<(u64, f32)>, keep: usize) {
    // Each entry packed into one integer that sorts as the order does (the
    // weight descending, then the key): integers sort without a comparison
    // closure's branches, and the pair comes back from the integer whole.
    let mut ranks: Vec<u128> = v
        .iter()
        .map(|(key, weight)| (u128::from(descending(*weight)) << 64) | u128::from(*key))
        .collect();
    if ranks.len() > keep {
        ranks.select_nth_unstable(keep - 1);
        ranks.truncate(keep);
    }
    ranks.sort_unstable();
    // A new vector of exactly the entries kept: centroids and vectors are
    // held for every article in the window, and the old one's spare room
    // would be held with them.
    *v = ranks
        .iter()
        .map(|rank| (*rank as u64, weight_of((rank >> 64) as u32)))
        .collect();
}

/// `f32::total_cmp`'s order as an unsigned integer, reversed: the larger
/// weight has the smaller value.
fn descending(weight: f32) -> u32 {
    let bits = weight.to_bits();
    let ascending = if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    };
    !ascending
}

/// The weight `descending` was made from.
fn weight_of(descending: u32) -> f32 {
    let ascending = !descending;
    f32::from_bits(if ascending >> 31 == 1 {
        ascending & !(1 << 31)
    } else {
        !ascending
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Terms and their weights' bits, so that equal means equal to the bit.
    fn bits(x: &[(u64, f32)]) -> Vec<(u64, u32)> {
        x.iter().map(|(k, w)| (*k, w.to_bits())).collect()
    }

    #[test]
    fn a_merged_centroid_is_the_running_mean_a_map_gives_to_the_bit() {
        let mut next = crate::probe::test_random(0x1234_5678_9abc_def1);
        let mut old: Vec<(u64, f32)> = Vec::new();
        for members in 1..40 {
            // Terms from a small vocabulary, so that old and new share some;
            // a few zero weights of either sign.
            let mut add: Vec<(u64, f32)> = (0..60)
                .map(|_| {
                    let w = match next() % 10 {
                        0 => 0.0,
                        1 => -0.0,
                        _ => (next() % 1_000) as f32 / 997.0,
                    };
                    ((next() % 400).wrapping_mul(0x9e37_79b9_7f4a_7c15), w)
                })
                .collect();
            add.sort_unstable_by_key(|e| e.0);
            add.dedup_by_key(|e| e.0);
            let n = members as f32;
            let mut map: HashMap<u64, f32> =
                old.iter().map(|(t, w)| (*t, w * (n - 1.0) / n)).collect();
            for (t, w) in &add {
                *map.entry(*t).or_default() += w / n;
            }
            let mut expected: Vec<(u64, f32)> = map.into_iter().collect();
            strongest_first(&mut expected, CENTROID_TERMS);
            normalise(&mut expected);
            let merged = merge_centroid(&old, &add, members);
            assert_eq!(bits(&merged), bits(&expected), "member {members}");
            old = merged;
        }
    }

    #[test]
    fn strongest_first_orders_by_weight_then_key_as_a_comparison_does() {
        let mut next = crate::probe::test_random(0x2545_f491_4f6c_dd1d);
        for keep in [1, 5, 120, 400] {
            // Ties in weight (few distinct values), zeros of both signs,
            // negatives and infinities, as `total_cmp` orders them.
            let mut v: Vec<(u64, f32)> = (0..300)
                .map(|_| {
                    let w = match next() % 8 {
                        0 => 0.0,
                        1 => -0.0,
                        2 => -((next() % 5) as f32) / 4.0,
                        3 => f32::INFINITY,
                        _ => (next() % 7) as f32 / 3.0,
                    };
                    (next() % 1_000, w)
                })
                .collect();
            v.sort_unstable_by_key(|e| e.0);
            v.dedup_by_key(|e| e.0);
            let mut expected = v.clone();
            expected.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            expected.truncate(keep);
            strongest_first(&mut v, keep);
            assert_eq!(bits(&v), bits(&expected), "keep {keep}");
        }
    }

    #[test]
    fn a_dot_product_through_the_bitmap_is_the_plain_one() {
        // Random sparse vectors over a small vocabulary, so that terms share
        // bitmap slots with terms the article does not have.
        let mut next = crate::probe::test_random(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200 {
            let article: Vec<(u64, f32)> = (0..60)
                .map(|_| (next() % 5_000, (next() % 100) as f32 / 100.0))
                .collect();
            let story: Vec<(u64, f32)> = (0..120)
                .map(|_| (next() % 5_000, (next() % 100) as f32 / 100.0))
                .collect();
            let plain: HashMap<u64, f32> = article.iter().copied().collect();
            let want: f32 = story
                .iter()
                .filter_map(|(t, w)| plain.get(t).map(|x| w * x))
                .sum();
            assert_eq!(cosine(&Weights::new(article.iter().copied()), &story), want);
        }
    }
}
