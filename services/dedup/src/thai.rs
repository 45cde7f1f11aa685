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
//! which the table lacks, as the Chinese one lacks a name's pairs. Of two
//! cuts into as many words, the one into commoner words is taken.
//!
//! Thai writes a foreign name letter by letter, so its words carry name
//! keys (`name_keys.rs`), read from each word's start on (`sound_at`,
//! `word_keys`): a translation meets its original in another alphabet on
//! its names, as an Arabic or Hindi one does.

use std::io::Read;
use std::ops::Range;
use std::sync::OnceLock;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::name_keys::{MAX_LETTERS, Sound, key_of_letters};
use crate::prior::common_zipf;
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
    /// Each with its frequency (the table's zipf; 0 for a listed name the
    /// table lacks).
    known: HashMap<u64, u16>,
    /// The commonest words (`prior::common_zipf`): a few hundred, kept
    /// apart from `known` (which could tell them by their zipf) so that the
    /// look-up `word_keys` makes for every word stays in cache.
    common: HashSet<u64>,
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
        let mut known = HashMap::default();
        let mut common = HashSet::default();
        let mut longest = 1;
        for line in text.lines() {
            let Some((zipf, list)) = line.split_once('\t') else {
                continue;
            };
            let zipf = zipf.parse().unwrap_or(0);
            let is_common = common_zipf(zipf);
            for word in list.split(' ').filter(|w| w.chars().all(in_run)) {
                let hash = hash64(word.as_bytes());
                known.entry(hash).or_insert(zipf);
                if is_common {
                    common.insert(hash);
                }
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
            known.entry(hash).or_insert(0);
            names.insert(hash);
            longest = longest.max(cluster_count(name));
        }
        Words {
            known,
            common,
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

/// The sound of the Thai letter at `i` of a word's letters (`name_keys`),
/// read as Thai writes foreign names: letter by letter, with the letters
/// a thanthakhat ("์") silences in Thai read as the original's ("ทรัมป์",
/// Trump; "แมร์เคิล", Merkel), since a key keeps the original's
/// consonants. Thai's several letters for one sound share its class; "ก"
/// writes "k" and "g" ("K"), "ช" "ch" and "sh" ("H"). "ว" and "ย" are
/// consonants where they start a syllable and vowels elsewhere; "ห" before
/// a sonorant only sets its tone.
pub(crate) fn sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    use Sound::{Consonant as C, Silent, Vowel};
    let next = word[i + 1..]
        .iter()
        .find(|c| !matches!(c, '\u{0e48}'..='\u{0e4b}'))
        .copied();
    let after_leading = i > 0 && role(word[i - 1]) == Some(Role::Leading);
    let starts_syllable = i == 0 || after_leading || next.is_some_and(follows_consonant);
    let sound = match word[i] {
        'ก' => C(b'K'),
        'ข' | 'ฃ' | 'ค' | 'ฅ' | 'ฆ' => C(b'k'),
        'ง' | 'ณ' | 'น' => C(b'n'),
        'ญ' if i == 0 => C(b'j'),
        'ญ' => C(b'n'),
        'จ' => C(b'j'),
        'ฉ' | 'ช' | 'ฌ' => C(b'H'),
        'ซ' | 'ศ' | 'ษ' | 'ส' => C(b's'),
        'ฎ' | 'ด' => C(b'd'),
        'ฏ' | 'ต' | 'ฐ' | 'ฑ' | 'ฒ' | 'ถ' | 'ท' | 'ธ' => C(b't'),
        'บ' | 'ป' | 'ผ' | 'พ' | 'ภ' => C(b'b'),
        'ฝ' | 'ฟ' => C(b'v'),
        'ม' | 'ำ' => C(b'm'),
        'ย' if starts_syllable && next != Some('์') => C(b'j'),
        'ร' | 'ฤ' => C(b'r'),
        'ล' | 'ฬ' | 'ฦ' => C(b'l'),
        'ว' if starts_syllable => C(b'v'),
        'ห' if matches!(next, Some('ง' | 'ญ' | 'น' | 'ม' | 'ย' | 'ร' | 'ล' | 'ว')) => {
            Silent
        }
        'ห' | 'ฮ' => C(b'G'),
        'ย' | 'ว' | 'อ' => Vowel,
        c => match role(c) {
            // Written before the consonant it follows in speech: no
            // vowel between that consonant and the one before, so that a
            // doubled letter written across two syllables ("รัสเซีย",
            // Russia; "เบรนเนอร์", Brenner) is one, as in the original.
            Some(Role::Leading) => Silent,
            Some(Role::Mark) if follows_consonant(c) => Vowel,
            Some(_) => Silent,
            None => return None,
        },
    };
    Some((sound, 1))
}

/// The name key each of a run's words (`words_of`) carries: the key read
/// from the first word whose key's consonants reach it. Thai writes a
/// foreign name with the letters of common words, and the cut splits it
/// into them ("ดรา", "วิก" for Dravik): the key read from the name's
/// first word spans the rest, and the rarest piece, which weighs most,
/// then carries the whole name's key, as each pair of a katakana word
/// carries the word's (`hashes` are the words' hashes). No key is read
/// from one of the commonest words ("เมือง", town; "ระหว่าง", between),
/// which starts no name and whose key would run into the name after it.
pub(crate) fn word_keys(run: &str, words: &[Range<usize>], hashes: &[u64]) -> Vec<u32> {
    let common = &self::words().common;
    // The run's letters, read once (a Thai letter has no case to fold),
    // and where each word ends among them: the words cover the run.
    let letters: Vec<char> = run.chars().collect();
    let ends: Vec<usize> = words
        .iter()
        .scan(0, |end, word| {
            *end += run[word.clone()].chars().count();
            Some(*end)
        })
        .collect();
    let mut keys = vec![0u32; words.len()];
    for (i, hash) in hashes.iter().enumerate() {
        if common.contains(hash) {
            continue;
        }
        let start = if i == 0 { 0 } else { ends[i - 1] };
        let read_to = |end: usize| &letters[start..end.min(start + MAX_LETTERS)];
        let key = key_of_letters(read_to(letters.len()));
        if key == 0 {
            continue;
        }
        // The words the key is read from: up to the first whose end gives
        // the whole key.
        let last = (i..words.len())
            .find(|&m| key_of_letters(read_to(ends[m])) == key)
            .unwrap_or(words.len() - 1);
        for slot in &mut keys[i..=last] {
            if *slot == 0 {
                *slot = key;
            }
        }
    }
    keys
}

/// Whether `c` is a vowel written after (or above or below) the consonant
/// it follows in speech.
fn follows_consonant(c: char) -> bool {
    matches!(c, '\u{0e30}'..='\u{0e3a}' | '\u{0e45}' | '\u{0e47}')
}

/// Clusters cut at once: a run longer than this (a page of Thai with no
/// space or punctuation, which no writer makes but an attacker may) is cut
/// in pieces of this many, so that the work and the table it needs stay
/// bounded. A word may be split where two pieces meet.
const MAX_CLUSTERS_AT_ONCE: usize = 4_096;

/// The words of `run` (Thai characters only) as byte ranges, in order:
/// the fewest clusters left to no known word, then the fewest words, then
/// the commonest.
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
    // best[i]: the cost of cutting the first i clusters (clusters left
    // unknown, words, and the words' frequencies, negated: of two cuts
    // into as many words the one into commoner words, as "ถูก|ปิด" against
    // "ถู|กปิ", which the table holds too), where the last piece starts
    // and whether it is a known word.
    let mut best: Vec<((usize, usize, i64), usize, bool)> =
        vec![((usize::MAX, usize::MAX, 0), 0, false); clusters + 1];
    best[0].0 = (0, 0, 0);
    for i in 0..clusters {
        let (unknown, count, rarity) = best[i].0;
        let unknown_step = ((unknown + 1, count + 1, rarity), i, false);
        if unknown_step.0 < best[i + 1].0 {
            best[i + 1] = unknown_step;
        }
        let mut hash = Fnv::new();
        for end in i + 1..=clusters.min(i + words.longest) {
            hash.write(&run.as_bytes()[bounds[end - 1]..bounds[end]]);
            if let Some(zipf) = words.known.get(&hash.finish()) {
                let cost = (unknown, count + 1, rarity - i64::from(*zipf));
                if cost < best[end].0 {
                    best[end] = (cost, i, true);
                }
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
    use crate::name_keys::name_key;

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
    fn of_two_cuts_into_as_many_words_the_one_into_commoner_words_is_taken() {
        // "was closed to": the table also holds "ถู", "กปิ" and "ดไม่".
        assert_eq!(words("ถูกปิดไม่ให้"), ["ถูก", "ปิด", "ไม่", "ให้"]);
    }

    #[test]
    fn a_foreign_names_key_is_carried_by_each_word_the_cut_splits_it_into() {
        // "between Dravik and": the name is cut into two common words; the
        // commonest word before it starts no key, which would run into
        // the name.
        let run = "ระหว่างดราวิกกับ";
        let cut = words_of(run);
        let pieces: Vec<&str> = cut.iter().map(|w| &run[w.clone()]).collect();
        assert_eq!(pieces, ["ระหว่าง", "ดรา", "วิก", "กับ"]);
        let hashes: Vec<u64> = cut
            .iter()
            .map(|w| hash64(run[w.clone()].as_bytes()))
            .collect();
        let keys = word_keys(run, &cut, &hashes);
        let dravik = name_key("Dravik");
        assert_ne!(dravik, 0);
        assert_eq!(keys[..3], [0, dravik, dravik]);
        assert_ne!(keys[3], dravik);
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
