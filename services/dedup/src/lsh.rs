//! Locality-sensitive hashing for near copies: one-permutation MinHash
//! signatures, LSH band keys, and the bucket postings that hold article keys.

use serde::{Deserialize, Serialize};

use crate::text::{Fnv, avalanche};

pub const MINHASH_PERMS: usize = 64;
pub const BANDS: usize = 16;
const ROWS: usize = MINHASH_PERMS / BANDS;

/// MinHash by one permutation: each shingle is hashed once and lands in one
/// of `MINHASH_PERMS` bins by its top bits; a bin keeps its smallest value.
/// Empty bins (short texts) borrow from the next full bin, shifted by the
/// distance, so that two texts still agree on them only when they share the
/// donor. 64 times less hashing than 64 separate permutations, with the
/// same Jaccard estimate for texts of more than a few dozen shingles.
pub fn minhash(shingles: &[u64]) -> Vec<u32> {
    const BIN_SHIFT: u32 = 64 - MINHASH_PERMS.trailing_zeros();
    let mut sig = vec![u32::MAX; MINHASH_PERMS];
    for &s in shingles {
        let h = avalanche(s);
        let bin = (h >> BIN_SHIFT) as usize;
        sig[bin] = sig[bin].min(h as u32);
    }
    if shingles.is_empty() || sig.iter().all(|v| *v != u32::MAX) {
        return sig;
    }
    let full = sig.clone();
    for i in 0..MINHASH_PERMS {
        if full[i] != u32::MAX {
            continue;
        }
        let (dist, donor) = (1..MINHASH_PERMS)
            .map(|d| (d, full[(i + d) % MINHASH_PERMS]))
            .find(|(_, v)| *v != u32::MAX)
            .expect("some bin is full");
        sig[i] = (avalanche(u64::from(donor) ^ ((dist as u64) << 32)) as u32).min(u32::MAX - 1);
    }
    sig
}

pub fn band_keys(sig: &[u32]) -> impl Iterator<Item = u64> + '_ {
    (0..BANDS).map(move |b| {
        let mut h = Fnv::new();
        h.write(&[b as u8]);
        for v in &sig[b * ROWS..(b + 1) * ROWS] {
            h.write(&v.to_le_bytes());
        }
        h.finish()
    })
}

/// Articles kept in one bucket. A band shared by more articles than this is
/// boilerplate or a story syndicated everywhere; the newest copies are the
/// ones to match, and an unbounded bucket made every lookup scan them all.
pub const MAX_BUCKET: usize = 16;

/// The articles in one LSH bucket. Most buckets hold one article, which
/// then costs no allocation of its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Postings {
    One(u64),
    Many(Vec<u64>),
}

impl Postings {
    /// Add `key`; past `MAX_BUCKET` the oldest article leaves the bucket.
    pub fn push(&mut self, key: u64) {
        match self {
            Postings::One(first) => *self = Postings::Many(vec![*first, key]),
            Postings::Many(keys) => {
                if keys.len() >= MAX_BUCKET {
                    keys.remove(0);
                }
                keys.push(key);
            }
        }
    }

    pub fn as_slice(&self) -> &[u64] {
        match self {
            Postings::One(key) => std::slice::from_ref(key),
            Postings::Many(keys) => keys,
        }
    }

    /// Remove `key`; true when nothing is left.
    pub fn remove(&mut self, key: u64) -> bool {
        match self {
            Postings::One(only) => *only == key,
            Postings::Many(keys) => {
                keys.retain(|k| *k != key);
                keys.is_empty()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_keeps_the_newest_articles() {
        let mut p = Postings::One(0);
        for k in 1..200 {
            p.push(k);
        }
        assert_eq!(p.as_slice().len(), MAX_BUCKET);
        assert_eq!(p.as_slice().first(), Some(&(200 - MAX_BUCKET as u64)));
        assert!(!p.remove(199));
        assert!(!p.as_slice().contains(&199));
    }
}
