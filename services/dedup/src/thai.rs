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
//! National Corpus' word list) knows, as dictionary segmenters of Thai do
//! (`word_cut.rs`, which Lao, Khmer and Burmese share). Clusters no known
//! word covers make one word together: often a name, which the table
//! lacks, as the Chinese one lacks a name's pairs. Of two cuts into as
//! many words, the one into commoner words is taken.
//!
//! Thai writes a foreign name letter by letter, so its words carry name
//! keys (`name_keys.rs`), read from each word's start on (`sound_at`,
//! `WordList::word_keys`): a translation meets its original in another
//! alphabet on its names, as an Arabic or Hindi one does.

use std::sync::OnceLock;

use crate::name_keys::Sound;
use crate::word_cut::WordList;

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
pub(crate) fn cluster_bounds(run: &str) -> Vec<usize> {
    let mut bounds = Vec::with_capacity(run.len() / 4 + 1);
    bounds.extend(cluster_starts(run));
    bounds.push(run.len());
    bounds
}

/// How many clusters `run` holds.
fn cluster_count(run: &str) -> usize {
    cluster_starts(run).count()
}

/// The Thai table's words and the names.
pub(crate) fn words() -> &'static WordList {
    static WORDS: OnceLock<WordList> = OnceLock::new();
    WORDS.get_or_init(|| WordList::read(TABLE, NAMES, in_run, cluster_count))
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

/// Whether `c` is a vowel written after (or above or below) the consonant
/// it follows in speech.
fn follows_consonant(c: char) -> bool {
    matches!(c, '\u{0e30}'..='\u{0e3a}' | '\u{0e45}' | '\u{0e47}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name_keys::name_key;
    use crate::text::hash64;
    use crate::word_cut::{MAX_CLUSTERS_AT_ONCE, Script};
    use std::ops::Range;

    fn words_of(run: &str) -> Vec<Range<usize>> {
        Script::Thai.words_of(run)
    }

    fn is_name(word: u64) -> bool {
        Script::Thai.is_name(word)
    }

    fn word_keys(run: &str, words: &[Range<usize>], hashes: &[u64]) -> Vec<u32> {
        Script::Thai.word_keys(run, words, hashes)
    }

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
