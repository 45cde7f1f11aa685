//! Thai, read as words found in a word list.
//!
//! Thai writes no spaces between the words of a phrase, so a run of its
//! letters would be one "word", and its tone marks, which are not letters,
//! used to cut a word in the middle: two rewrites of one event shared
//! almost no term. It cannot be read in pairs of characters as Chinese is
//! (a character is often a vowel sign or a tone mark that belongs to the
//! consonant before it), and pairs of clusters were no better: the pairs
//! across two words, rare to any table, outweighed the words.
//!
//! So a run is first cut into clusters, the pieces no word boundary falls
//! inside (a consonant with its vowel signs and tone marks, a vowel
//! written before its consonant together with it), and the clusters are
//! then grouped into the fewest words the Thai table (`prior.rs`, the Thai
//! National Corpus' word list) knows, as dictionary segmenters of Thai do.
//! Clusters no known word covers make one word together: often a name,
//! which the table lacks, as the Chinese one lacks a name's pairs.

use std::io::Read;
use std::ops::Range;
use std::sync::OnceLock;

use rustc_hash::FxHashSet as HashSet;

use crate::text::{Fnv, hash64};

/// The Thai word table: the prior's (`prior.rs`), read here too, since
/// its words are also the words a Thai text is cut into.
pub(crate) const TABLE: &[u8] = include_bytes!("../data/tnc-th.txt.gz");

/// Thai names (provinces, countries, given and family names), one per
/// line: the corpus' word list lacks most, or cuts them into the common
/// words they are made of ("สมชาย" is "สม" and "ชาย"). A text is cut into
/// them too, and each is read as a name, as a capitalised word is in
/// English (`scripts/df-prior.sh` leaves out those that are common words).
const NAMES: &[u8] = include_bytes!("../data/names-th.txt.gz");

/// What a character does in a cluster; `None` from `role` ends a run
/// (digits, punctuation, the repetition mark, other scripts).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    /// Starts a cluster: a consonant.
    Base,
    /// A vowel written before the consonant it follows in speech ("เ",
    /// "ไ"): starts a cluster that the next consonant joins.
    Leading,
    /// Joins the cluster before it: vowel signs, tone marks, and the
    /// vowels written after their consonant ("า", "ะ").
    Mark,
}

fn role(c: char) -> Option<Role> {
    match u32::from(c) {
        0x0E01..=0x0E2E => Some(Role::Base),
        0x0E30..=0x0E3A | 0x0E45 | 0x0E47..=0x0E4E => Some(Role::Mark),
        0x0E40..=0x0E44 => Some(Role::Leading),
        _ => None,
    }
}

/// Whether `c` is a Thai letter, vowel sign or tone mark: one that belongs
/// to a run read as words.
pub(crate) fn in_run(c: char) -> bool {
    role(c).is_some()
}

/// A Thai digit as the ASCII digit it stands for: a translation shares
/// its numbers with its original only when they are read alike.
pub(crate) fn ascii_digit(c: char) -> Option<u8> {
    ('\u{0e50}'..='\u{0e59}')
        .contains(&c)
        .then(|| b'0' + (u32::from(c) - 0x0e50) as u8)
}

/// The byte offsets where the clusters of `run` (Thai characters only)
/// start.
fn cluster_starts(run: &str) -> impl Iterator<Item = usize> + '_ {
    let mut joins_next = false;
    let mut first = true;
    run.char_indices().filter_map(move |(at, c)| {
        let role = role(c);
        let starts = match role {
            Some(Role::Base) => !joins_next,
            Some(Role::Mark) => first,
            Some(Role::Leading) | None => true,
        };
        joins_next = role == Some(Role::Leading);
        first = false;
        starts.then_some(at)
    })
}

/// The byte offsets where the clusters of `run` start, and its length
/// last.
fn cluster_bounds(run: &str) -> Vec<usize> {
    let mut bounds = Vec::with_capacity(run.len() / 4 + 1);
    bounds.extend(cluster_starts(run));
    bounds.push(run.len());
    bounds
}

/// How many clusters `run` holds.
fn cluster_count(run: &str) -> usize {
    cluster_starts(run).count()
}

/// The Thai words the table holds and the names, by the hash of their
/// text (as their tokens are hashed), and the most clusters any spans.
struct Words {
    known: HashSet<u64>,
    names: HashSet<u64>,
    longest: usize,
}

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut text = String::new();
        flate2::read::GzDecoder::new(TABLE)
            .read_to_string(&mut text)
            .expect("the built-in Thai table is valid gzip and UTF-8");
        let mut known = HashSet::default();
        let mut longest = 1;
        for line in text.lines() {
            let Some((_, list)) = line.split_once('\t') else {
                continue;
            };
            for word in list.split(' ').filter(|w| w.chars().all(in_run)) {
                known.insert(hash64(word.as_bytes()));
                longest = longest.max(cluster_count(word));
            }
        }
        text.clear();
        flate2::read::GzDecoder::new(NAMES)
            .read_to_string(&mut text)
            .expect("the built-in Thai names are valid gzip and UTF-8");
        let mut names = HashSet::default();
        for name in text.lines().filter(|n| n.chars().all(in_run)) {
            let hash = hash64(name.as_bytes());
            known.insert(hash);
            names.insert(hash);
            longest = longest.max(cluster_count(name));
        }
        Words {
            known,
            names,
            longest,
        }
    })
}

/// Whether the word whose hash (`hash64` of its text) is `word` is a
/// listed name. Every name is a known word, so a piece the cut leaves to
/// no word is never one.
pub(crate) fn is_name(word: u64) -> bool {
    words().names.contains(&word)
}

/// Clusters cut at once: a run longer than this (a page of Thai with no
/// space or punctuation, which no writer makes but an attacker may) is cut
/// in pieces of this many, so that the work and the table it needs stay
/// bounded. A word may be split where two pieces meet.
const MAX_CLUSTERS_AT_ONCE: usize = 4_096;

/// The words of `run` (Thai characters only) as byte ranges, in order:
/// the fewest clusters left to no known word, then the fewest words.
pub(crate) fn words_of(run: &str) -> Vec<Range<usize>> {
    let bounds = cluster_bounds(run);
    let mut out = Vec::with_capacity(bounds.len() / 2);
    for first in (0..bounds.len() - 1).step_by(MAX_CLUSTERS_AT_ONCE) {
        let last = (first + MAX_CLUSTERS_AT_ONCE).min(bounds.len() - 1);
        cut(run, &bounds[first..=last], &mut out);
    }
    out
}

/// The words of the clusters between `bounds` (byte offsets into `run`),
/// appended to `out`.
fn cut(run: &str, bounds: &[usize], out: &mut Vec<Range<usize>>) {
    let clusters = bounds.len() - 1;
    let words = words();
    // best[i]: (clusters left unknown, words) to cut the first i clusters,
    // and where the last piece starts and whether it is a known word.
    let mut best: Vec<((usize, usize), usize, bool)> =
        vec![((usize::MAX, usize::MAX), 0, false); clusters + 1];
    best[0].0 = (0, 0);
    for i in 0..clusters {
        let (unknown, count) = best[i].0;
        let unknown_step = ((unknown + 1, count + 1), i, false);
        if unknown_step.0 < best[i + 1].0 {
            best[i + 1] = unknown_step;
        }
        let mut hash = Fnv::new();
        for end in i + 1..=clusters.min(i + words.longest) {
            hash.write(&run.as_bytes()[bounds[end - 1]..bounds[end]]);
            if words.known.contains(&hash.finish()) && (unknown, count + 1) < best[end].0 {
                best[end] = ((unknown, count + 1), i, true);
            }
        }
    }
    // Walk back; clusters left to no word in a row make one piece.
    let first_new = out.len();
    let mut end = clusters;
    while end > 0 {
        let (_, mut start, known) = best[end];
        if !known {
            while start > 0 && !best[start].2 {
                start = best[start].1;
            }
        }
        out.push(bounds[start]..bounds[end]);
        end = start;
    }
    out[first_new..].reverse();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clusters(run: &str) -> Vec<&str> {
        cluster_bounds(run)
            .windows(2)
            .map(|w| &run[w[0]..w[1]])
            .collect()
    }

    fn words(run: &str) -> Vec<&str> {
        words_of(run).into_iter().map(|w| &run[w]).collect()
    }

    fn names(run: &str) -> Vec<&str> {
        words(run)
            .into_iter()
            .filter(|w| is_name(hash64(w.as_bytes())))
            .collect()
    }

    #[test]
    fn clusters_keep_vowels_and_tone_marks_with_their_consonant() {
        // "แผ่นดินไหว" (earthquake): the leading vowel with its consonant
        // and tone mark, the sara i with its "d", the leading "ai" with
        // its "h".
        assert_eq!(clusters("แผ่นดินไหว"), ["แผ่", "น", "ดิ", "น", "ไห", "ว"]);
        // "ความ": the following "aa" joins the "w".
        assert_eq!(clusters("ความ"), ["ค", "วา", "ม"]);
        assert_eq!(clusters("ที่"), ["ที่"]);
        for run in ["แผ่นดินไหว", "ความ", "ที่", "่ก"] {
            assert_eq!(cluster_count(run), clusters(run).len(), "{run}");
        }
    }

    #[test]
    fn a_run_is_cut_into_the_words_the_table_knows() {
        // "An earthquake struck the province." (The corpus writes "Chiang
        // Rai" as its two words, "เชียง" and "ราย".)
        assert_eq!(
            words("เกิดแผ่นดินไหวที่จังหวัด"),
            ["เกิด", "แผ่นดินไหว", "ที่", "จังหวัด"]
        );
        // "Mr Somchai said": a given name the corpus cuts into common
        // words ("สม", "ชัย") is one word, from the names list.
        assert_eq!(words("นายสมชัยพูด"), ["นาย", "สมชัย", "พูด"]);
        // Names are the listed ones: Somchai and the province of Chiang
        // Mai; not "ไทย" (Thai), a place but one of the commonest words.
        assert_eq!(names("นายสมชัยพูดที่เชียงใหม่"), ["สมชัย", "เชียงใหม่"]);
        assert_eq!(names("คนไทย"), Vec::<&str>::new());
    }

    #[test]
    fn a_run_longer_than_is_cut_at_once_is_cut_in_pieces_and_loses_nothing() {
        let run = "แผ่นดินไหว".repeat(MAX_CLUSTERS_AT_ONCE);
        let cut = words_of(&run);
        assert!(cut.len() >= MAX_CLUSTERS_AT_ONCE / 6);
        assert_eq!(cut.first().map(|w| w.start), Some(0));
        assert_eq!(cut.last().map(|w| w.end), Some(run.len()));
        assert!(cut.windows(2).all(|w| w[0].end == w[1].start));
    }

    #[test]
    fn digits_are_read_as_ascii_and_end_a_run() {
        assert_eq!(ascii_digit('๖'), Some(b'6'));
        assert_eq!(ascii_digit('ก'), None);
        assert!(!in_run('๖'));
        assert!(in_run('ก') && in_run('เ') && in_run('่'));
    }
}
