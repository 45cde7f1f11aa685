//! The partition librdkafka's producer gives a keyed record, so that a
//! reader after one key reads one partition, not the whole topic
//! (`newsmill trace`). Pure.

/// librdkafka's default `partitioner`: CRC-32 of the key.
pub const DEFAULT_PARTITIONER: &str = "consistent_random";

/// The partition of a record keyed `key` in a topic of `partitions`
/// partitions, as librdkafka's `partitioner` setting places it; None for
/// a partitioner that places keyed records at random (`random`) or one
/// this build does not know.
pub fn partition_of_key(partitioner: &str, key: &[u8], partitions: i32) -> Option<i32> {
    if partitions <= 0 {
        return None;
    }
    let hash = match partitioner {
        // The `_random` forms differ only for records without a key.
        "consistent" | "consistent_random" => crc32fast::hash(key),
        // Java's default partitioner, for topics Java clients share.
        "murmur2" | "murmur2_random" => murmur2(key) & 0x7fff_ffff,
        "fnv1a" | "fnv1a_random" => fnv1a(key),
        _ => return None,
    };
    i32::try_from(hash % partitions as u32).ok()
}

/// MurmurHash2, 32 bits, with the seed Kafka's Java client uses.
fn murmur2(data: &[u8]) -> u32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let mut h = SEED ^ data.len() as u32;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M) ^ k;
    }
    let tail = blocks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^ (h >> 15)
}

/// FNV-1a, 32 bits, read as a signed number and made positive, as
/// librdkafka does to place keys as Go's Sarama client does.
fn fnv1a(data: &[u8]) -> u32 {
    let h = data.iter().fold(0x811c_9dc5, |h: u32, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    }) as i32;
    h.wrapping_abs() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka's Java client's own test values of its murmur2.
    #[test]
    fn murmur2_gives_the_java_clients_values() {
        for (key, want) in [
            ("21", -973_932_308),
            ("foobar", -790_332_482),
            ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
            (
                "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            ("abc", 479_470_107),
        ] {
            assert_eq!(murmur2(key.as_bytes()) as i32, want, "{key}");
        }
    }

    /// librdkafka's own test values (Sarama's, made positive).
    #[test]
    fn fnv1a_gives_librdkafkas_values() {
        for (key, want) in [
            ("kafka", 0x0d33_c4e1),
            ("giberish123456789", 0x77a5_8295),
            ("1234", 0x023b_dd03),
            ("", 0x7ee3_623b),
        ] {
            assert_eq!(fnv1a(key.as_bytes()), want, "{key}");
        }
    }

    #[test]
    fn a_random_or_unknown_partitioner_names_no_partition() {
        assert_eq!(partition_of_key("random", b"k", 3), None);
        assert_eq!(partition_of_key("sticky", b"k", 3), None);
        assert_eq!(partition_of_key(DEFAULT_PARTITIONER, b"k", 0), None);
        let p = partition_of_key(DEFAULT_PARTITIONER, b"k", 3).unwrap();
        assert!((0..3).contains(&p));
    }
}
