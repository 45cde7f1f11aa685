//! Locality-sensitive hashing for near copies: one-permutation MinHash
//! signatures, LSH band keys, and the bucket postings that hold article keys.

use rustc_hash::FxHashMap as HashMap;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::probe::{MAX_PRESIZED, hash_table_bytes};
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

/// Marks a bucket whose articles are in `Buckets::shared`. An article key
/// never takes this value (see `article_key`).
pub const SHARED: u64 = u64::MAX;

/// The LSH buckets: band key to the articles whose signature has that band.
/// Nearly every bucket holds one article, so that case is a plain 16-byte
/// entry; the few shared buckets keep a list on the side. (An enum of one
/// key or a list took 40 bytes an entry, 16 entries an article: the largest
/// part of the state.)
#[derive(Debug, Default)]
pub struct Buckets {
    first: HashMap<u64, u64>,
    shared: HashMap<u64, Vec<u64>>,
}

impl Buckets {
    /// Bytes the buckets hold: the two maps as allocated, and the shared
    /// buckets' lists at their usual size (50 to 70 bytes with malloc's
    /// own, measured; walking them all at each metrics update would cost
    /// more).
    pub fn approx_bytes(&self) -> usize {
        hash_table_bytes(self.first.capacity(), 16)
            + hash_table_bytes(self.shared.capacity(), 32)
            + self.shared.len() * 64
    }

    pub fn get(&self, band: u64) -> &[u64] {
        match self.first.get(&band) {
            None => &[],
            Some(&SHARED) => self.shared.get(&band).map_or(&[], Vec::as_slice),
            Some(article) => std::slice::from_ref(article),
        }
    }

    /// Add `article`; past `MAX_BUCKET` the oldest article leaves the bucket.
    pub fn insert(&mut self, band: u64, article: u64) {
        match self.first.get_mut(&band) {
            None => {
                self.first.insert(band, article);
            }
            Some(&mut SHARED) => {
                let keys = self.shared.entry(band).or_default();
                if keys.len() >= MAX_BUCKET {
                    keys.remove(0);
                }
                keys.push(article);
            }
            Some(only) => {
                self.shared.insert(band, vec![*only, article]);
                *only = SHARED;
            }
        }
    }

    pub fn remove(&mut self, band: u64, article: u64) {
        match self.first.get(&band) {
            Some(&SHARED) => {
                let keys = self
                    .shared
                    .get_mut(&band)
                    .expect("shared buckets have a list");
                keys.retain(|k| *k != article);
                match keys[..] {
                    [] => {
                        self.shared.remove(&band);
                        self.first.remove(&band);
                    }
                    [only] => {
                        self.shared.remove(&band);
                        self.first.insert(band, only);
                    }
                    _ => {}
                }
            }
            Some(only) if *only == article => {
                self.first.remove(&band);
            }
            _ => {}
        }
    }
}

/// One bucket as snapshots hold it (format 3, kept): one key or a list.
#[derive(Serialize)]
enum Postings<'a> {
    One(u64),
    Many(&'a [u64]),
}

/// `Postings`, read back.
#[derive(Deserialize)]
enum PostingsRead {
    One(u64),
    Many(Vec<u64>),
}

impl Serialize for Buckets {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.first.len()))?;
        for &band in self.first.keys() {
            match self.get(band) {
                [only] => map.serialize_entry(&band, &Postings::One(*only))?,
                many => map.serialize_entry(&band, &Postings::Many(many))?,
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Buckets {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Buckets, D::Error> {
        // Entry by entry into place: a window of a million articles holds 16
        // million buckets, too many to read into a map first.
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = Buckets;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of LSH buckets")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut entries: M) -> Result<Buckets, M::Error> {
                // Sized first (see `ProbeTable::with_capacity`): grown as
                // filled, the map rehashed a table of millions many times.
                let stated = entries.size_hint().unwrap_or(0).min(MAX_PRESIZED);
                let mut buckets = Buckets {
                    first: HashMap::with_capacity_and_hasher(stated, Default::default()),
                    shared: HashMap::default(),
                };
                while let Some((band, postings)) = entries.next_entry::<u64, PostingsRead>()? {
                    match postings {
                        PostingsRead::One(article) => buckets.insert(band, article),
                        PostingsRead::Many(articles) => {
                            articles.iter().for_each(|a| buckets.insert(band, *a))
                        }
                    }
                }
                Ok(buckets)
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_keeps_the_newest_articles() {
        let mut b = Buckets::default();
        for k in 0..200 {
            b.insert(7, k);
        }
        assert_eq!(b.get(7).len(), MAX_BUCKET);
        assert_eq!(b.get(7).first(), Some(&(200 - MAX_BUCKET as u64)));
        b.remove(7, 199);
        assert!(!b.get(7).contains(&199));
        assert_eq!(b.get(7).len(), MAX_BUCKET - 1);
    }

    #[test]
    fn a_bucket_goes_from_one_to_shared_and_back() {
        let mut b = Buckets::default();
        b.insert(1, 10);
        b.insert(2, 20);
        b.insert(1, 11);
        assert_eq!(b.get(1), &[10, 11]);
        assert_eq!(b.get(2), &[20]);
        b.remove(1, 10);
        assert_eq!(b.get(1), &[11]);
        assert!(b.shared.is_empty(), "a bucket of one is back in place");
        b.remove(1, 99);
        assert_eq!(
            b.get(1),
            &[11],
            "removing an absent article changes nothing"
        );
        b.remove(1, 11);
        b.remove(2, 20);
        assert!(b.first.is_empty() && b.get(1).is_empty());
    }

    #[test]
    fn buckets_keep_the_snapshot_format_of_one_key_or_a_list() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        enum OldPostings {
            One(u64),
            Many(Vec<u64>),
        }
        let mut b = Buckets::default();
        b.insert(1, 10);
        b.insert(2, 20);
        b.insert(2, 21);
        let bytes = bincode::serialize(&b).unwrap();
        let old: std::collections::BTreeMap<u64, OldPostings> =
            bincode::deserialize(&bytes).unwrap();
        assert_eq!(old[&1], OldPostings::One(10));
        assert_eq!(old[&2], OldPostings::Many(vec![20, 21]));
        let back: Buckets = bincode::deserialize(&bincode::serialize(&old).unwrap()).unwrap();
        assert_eq!((back.get(1), back.get(2)), (&[10][..], &[20, 21][..]));
    }
}
