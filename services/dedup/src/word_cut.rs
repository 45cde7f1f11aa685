//! The cut of a run of text written without spaces between its words
//! (Thai, Lao, Khmer, Burmese) into the words of a word list, and the
//! name keys of those words.
//!
//! A run is first cut into clusters, the pieces no word boundary falls
//! inside (each script's own: `thai.rs`, `lao_khmer_burmese.rs`), and the
//! clusters are then grouped into the fewest words the list knows, as
//! dictionary segmenters do. Clusters no known word covers make one word
//! together: often a name, which the list lacks. Of two cuts into as many
//! words, the one into commoner words is taken.

use std::ops::Range;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::lao_khmer_burmese;
use crate::name_keys::{MAX_LETTERS, key_of_letters};
use crate::prior::{built_in_text, common_zipf};
use crate::text::{Fnv, hash64};
use crate::thai;

/// The scripts written without spaces between the words of a phrase,
/// whose runs are cut into words here.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Script {
    Thai,
    Lao,
    Khmer,
    Burmese,
}

impl Script {
    /// The script of a letter, vowel sign or tone mark that belongs to a
    /// run cut into words; None for every other character (their digits
    /// and punctuation too, which end a run).
    #[inline]
    pub(crate) fn of(c: char) -> Option<Script> {
        if thai::in_run(c) {
            Some(Script::Thai)
        } else {
            lao_khmer_burmese::script_of(c)
        }
    }

    /// The script a language (a code as `language_code` gives it) is
    /// written in, if it is one of these.
    pub(crate) fn of_language(code: &str) -> Option<Script> {
        match code {
            "th" => Some(Script::Thai),
            "lo" => Some(Script::Lao),
            "km" => Some(Script::Khmer),
            "my" => Some(Script::Burmese),
            _ => None,
        }
    }

    fn list(self) -> &'static WordList {
        match self {
            Script::Thai => thai::words(),
            _ => lao_khmer_burmese::words(self),
        }
    }

    /// The words of `run` (characters of this script only) as byte
    /// ranges, in order (`WordList::words_of`).
    pub(crate) fn words_of(self, run: &str) -> Vec<Range<usize>> {
        let bounds = match self {
            Script::Thai => thai::cluster_bounds(run),
            _ => lao_khmer_burmese::syllable_bounds(run, self),
        };
        self.list().words_of(run, &bounds)
    }

    /// The name key each of a run's words carries (`WordList::word_keys`).
    pub(crate) fn word_keys(self, run: &str, words: &[Range<usize>], hashes: &[u64]) -> Vec<u32> {
        self.list().word_keys(run, words, hashes)
    }

    /// Whether a word (by its hash) is a listed name.
    pub(crate) fn is_name(self, word: u64) -> bool {
        self.list().is_name(word)
    }
}

/// The words a list holds and the names, by the hash of their text (as
/// their tokens are hashed), and the most clusters any spans.
pub(crate) struct WordList {
    /// Each with its frequency (the list's zipf; 0 for a listed name the
    /// list lacks).
    known: HashMap<u64, u16>,
    /// The commonest words (`prior::common_zipf`): a few hundred, kept
    /// apart from `known` (which could tell them by their zipf) so that the
    /// look-up `word_keys` makes for every word stays in cache.
    common: HashSet<u64>,
    names: HashSet<u64>,
    longest: usize,
}

impl WordList {
    /// The list in `table` (gzip of the prior's format, "ZIPF<TAB>word
    /// word ...") and the names in `names` (gzip, one per line), keeping
    /// the words all of whose characters are `in_run`; `clusters` counts a
    /// word's clusters.
    pub(crate) fn read(
        table: &[u8],
        names: &[u8],
        in_run: impl Fn(char) -> bool,
        clusters: impl Fn(&str) -> usize,
    ) -> WordList {
        let text = built_in_text(table);
        let mut list = WordList {
            known: HashMap::default(),
            common: HashSet::default(),
            names: HashSet::default(),
            longest: 1,
        };
        for line in text.lines() {
            let Some((zipf, words)) = line.split_once('\t') else {
                continue;
            };
            let zipf = zipf.parse().unwrap_or(0);
            let is_common = common_zipf(zipf);
            for word in words.split(' ').filter(|w| w.chars().all(&in_run)) {
                let hash = hash64(word.as_bytes());
                list.known.entry(hash).or_insert(zipf);
                if is_common {
                    list.common.insert(hash);
                }
                list.longest = list.longest.max(clusters(word));
            }
        }
        if names.is_empty() {
            return list;
        }
        for name in built_in_text(names)
            .lines()
            .filter(|n| n.chars().all(&in_run))
        {
            let hash = hash64(name.as_bytes());
            list.known.entry(hash).or_insert(0);
            list.names.insert(hash);
            list.longest = list.longest.max(clusters(name));
        }
        list
    }

    /// Whether the word whose hash (`hash64` of its text) is `word` is a
    /// listed name. Every name is a known word, so a piece the cut leaves
    /// to no word is never one.
    pub(crate) fn is_name(&self, word: u64) -> bool {
        self.names.contains(&word)
    }

    /// The words of the clusters of `run` (whose starts `bounds` gives, as
    /// byte offsets, with the run's length last) as byte ranges, in order:
    /// the fewest clusters left to no known word, then the fewest words,
    /// then the commonest.
    pub(crate) fn words_of(&self, run: &str, bounds: &[usize]) -> Vec<Range<usize>> {
        let mut out = Vec::with_capacity(bounds.len() / 2);
        for first in (0..bounds.len() - 1).step_by(MAX_CLUSTERS_AT_ONCE) {
            let last = (first + MAX_CLUSTERS_AT_ONCE).min(bounds.len() - 1);
            self.cut(run, &bounds[first..=last], &mut out);
        }
        out
    }

    /// The words of the clusters between `bounds` (byte offsets into
    /// `run`), appended to `out`.
    fn cut(&self, run: &str, bounds: &[usize], out: &mut Vec<Range<usize>>) {
        let clusters = bounds.len() - 1;
        // best[i]: the cost of cutting the first i clusters (clusters left
        // unknown, words, and the words' frequencies, negated: of two cuts
        // into as many words the one into commoner words, as "ถูก|ปิด"
        // against "ถู|กปิ", which the Thai list holds too), where the last
        // piece starts and whether it is a known word.
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
            for end in i + 1..=clusters.min(i + self.longest) {
                hash.write(&run.as_bytes()[bounds[end - 1]..bounds[end]]);
                if let Some(zipf) = self.known.get(&hash.finish()) {
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

    /// The name key each of a run's words (`words_of`) carries: the key
    /// read from the first word whose key's consonants reach it. These
    /// scripts write a foreign name with the letters of common words, and
    /// the cut splits it into them (Thai "ดรา", "วิก" for Dravik): the key
    /// read from the name's first word spans the rest, and the rarest
    /// piece, which weighs most, then carries the whole name's key, as each
    /// pair of a katakana word carries the word's (`hashes` are the words'
    /// hashes). No key is read from one of the commonest words (Thai
    /// "เมือง", town; "ระหว่าง", between), which starts no name and whose
    /// key would run into the name after it.
    pub(crate) fn word_keys(&self, run: &str, words: &[Range<usize>], hashes: &[u64]) -> Vec<u32> {
        // The run's letters, read once (these scripts have no case to
        // fold), and where each word ends among them: the words cover the
        // run.
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
            if self.common.contains(hash) {
                continue;
            }
            let start = if i == 0 { 0 } else { ends[i - 1] };
            let read_to = |end: usize| &letters[start..end.min(start + MAX_LETTERS)];
            // A word with a whole key of its own is read alone: read on,
            // its key could take a consonant of the next word's (Khmer
            // "ក្រុង", town, is k-r-n, and before "ដ្រាវិក", Dravik, k-r-d,
            // as "nd" is "d"), which would then carry it.
            let own = key_of_letters(read_to(ends[i]));
            let key = if own & 0xff != 0 {
                own
            } else {
                key_of_letters(read_to(letters.len()))
            };
            if key == 0 {
                continue;
            }
            // The words the key is read from: up to the first whose end
            // gives the whole key.
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
}

/// Clusters cut at once: a run longer than this (a page with no space or
/// punctuation, which no writer makes but an attacker may) is cut in
/// pieces of this many, so that the work and the table it needs stay
/// bounded. A word may be split where two pieces meet.
pub(crate) const MAX_CLUSTERS_AT_ONCE: usize = 4_096;
