//! Lao, Khmer and Burmese: their syllables, word lists and letters' sounds.
//!
//! The three write no space between the words of a phrase (Burmese and
//! Khmer put one between phrases). Cut at their vowel signs, as every
//! other script's marks that are not letters, they gave words of a
//! consonant or two, which two rewrites shared by chance only.
//!
//! A run of their letters is cut into syllables, the pieces no word
//! boundary falls inside (`syllable_bounds`): a consonant with its stacked
//! or subscript consonants, its vowel signs and tone marks and, in
//! Burmese, the final consonant its killer ("်") silences; a Lao vowel
//! written before its consonant goes with it, as Thai's does. The
//! syllables are then grouped into the words of the language's list, as
//! Thai's clusters are (`word_cut.rs`). No frequency list of these
//! languages is at hand, so a list holds a dictionary's words at the
//! weight a running word has on average, and the language's function
//! words among the commonest (`scripts/word-lists.sh`); syllables no
//! listed word covers make one word, most often a name, which weighs as
//! rare. Read in pairs of syllables instead, as Chinese is read in pairs
//! of characters, every pair weighed as a name until the stream's counts
//! learnt otherwise, and two reports of one kind in Khmer met on their
//! common pairs.
//!
//! They write a foreign name syllable by syllable as it sounds ("ပူတင်",
//! "ពូទីន", "ປູຕິນ": Putin), so their words carry name keys (`sound_at`
//! here, `WordList::word_keys`): a translation meets its original in
//! another alphabet on its names.

use std::sync::OnceLock;

use crate::name_keys::Sound;
use crate::word_cut::{Script, WordList};

/// The word lists (`scripts/word-lists.sh`, `data/README.md`): each
/// language's function words at Zipf 6, among its commonest, and the other
/// words of a dictionary at the Thai table's median Zipf, as no frequency
/// list of these languages is at hand. They are also the prior's tables
/// (`prior.rs`).
pub(crate) const LAO: &[u8] = include_bytes!("../data/words-lo.txt.gz");
pub(crate) const KHMER: &[u8] = include_bytes!("../data/words-km.txt.gz");
pub(crate) const BURMESE: &[u8] = include_bytes!("../data/words-my.txt.gz");

/// The word list of `script` (Lao, Khmer or Burmese), read when first
/// asked for.
pub(crate) fn words(script: Script) -> &'static WordList {
    static LISTS: [OnceLock<WordList>; 3] = [const { OnceLock::new() }; 3];
    let (index, table) = match script {
        Script::Lao => (0, LAO),
        Script::Khmer => (1, KHMER),
        _ => (2, BURMESE),
    };
    LISTS[index].get_or_init(|| {
        WordList::read(
            table,
            &[],
            |c| script_of(c) == Some(script),
            |word| syllable_bounds(word, script).len() - 1,
        )
    })
}

/// The script of a letter, vowel sign or tone mark of Lao, Khmer or
/// Burmese: one that belongs to a run read in syllables. None for their
/// digits (`text::ascii_of` reads them) and punctuation, which end a run,
/// and for every other character.
pub(crate) fn script_of(c: char) -> Option<Script> {
    let code = u32::from(c);
    // Most characters asked about are of other scripts: one comparison.
    if !(0x0e80..=0x17ff).contains(&code) && !(0xa9e0..=0xaa7f).contains(&code) {
        return None;
    }
    match code {
        0x0e81..=0x0ec5 | 0x0ec8..=0x0ece | 0x0edc..=0x0edf => Some(Script::Lao),
        0x1000..=0x103f | 0x1050..=0x108f | 0x109a..=0x109d => Some(Script::Burmese),
        0xa9e0..=0xa9ef | 0xa9fa..=0xa9fe | 0xaa60..=0xaa7f => Some(Script::Burmese),
        0x1780..=0x17d3 | 0x17dd => Some(Script::Khmer),
        _ => None,
    }
}

/// Where the syllables of `run` (the characters of one script) start, as
/// byte offsets, with the run's length last.
pub(crate) fn syllable_bounds(run: &str, script: Script) -> Vec<usize> {
    let chars: Vec<(usize, char)> = run.char_indices().collect();
    let mut bounds = Vec::with_capacity(chars.len() / 2 + 1);
    for (k, &(at, c)) in chars.iter().enumerate() {
        let previous = k.checked_sub(1).map(|p| chars[p].1);
        let next = |skip: usize| chars.get(k + 1 + skip).map(|(_, c)| *c);
        let starts = k == 0
            || match script {
                Script::Burmese => burmese_starts(c, previous, next(0), next(1)),
                Script::Khmer => khmer_starts(c, previous),
                Script::Lao | Script::Thai => lao_starts(c, previous),
            };
        if starts {
            bounds.push(at);
        }
    }
    bounds.push(run.len());
    bounds
}

/// A Burmese syllable starts at a consonant or an independent vowel,
/// unless the consonant is stacked under the one before (after a virama,
/// "္") or is a final one: silenced by the killer ("်") after it (a dot
/// below may come first, "မ့်"), or with a consonant stacked under it.
fn burmese_starts(
    c: char,
    previous: Option<char>,
    next: Option<char>,
    after: Option<char>,
) -> bool {
    let starter = matches!(c, '\u{1000}'..='\u{102a}' | '\u{103f}' | '\u{1050}'..='\u{1055}' | '\u{105a}'..='\u{105d}' | '\u{1061}' | '\u{1065}' | '\u{1066}' | '\u{106e}'..='\u{1070}' | '\u{1075}'..='\u{1081}' | '\u{108e}' | '\u{a9e0}'..='\u{a9e4}' | '\u{a9e7}'..='\u{a9ef}' | '\u{a9fa}'..='\u{a9fe}' | '\u{aa60}'..='\u{aa6f}' | '\u{aa71}'..='\u{aa76}' | '\u{aa7a}' | '\u{aa7e}' | '\u{aa7f}');
    let killed = matches!(next, Some('\u{103a}' | '\u{1039}'))
        || next == Some('\u{1037}') && after == Some('\u{103a}');
    starter && previous != Some('\u{1039}') && !killed
}

/// A Khmer syllable starts at a consonant or an independent vowel, unless
/// the consonant is written under the one before (after the coeng, "្").
fn khmer_starts(c: char, previous: Option<char>) -> bool {
    matches!(c, '\u{1780}'..='\u{17b3}') && previous != Some('\u{17d2}')
}

/// A Lao syllable starts at a consonant, unless a vowel written before it
/// already started it ("ເ", "ໄ"), or at such a vowel.
fn lao_starts(c: char, previous: Option<char>) -> bool {
    let leading = |c: char| ('\u{0ec0}'..='\u{0ec4}').contains(&c);
    leading(c) || is_lao_consonant(c) && !previous.is_some_and(leading)
}

fn is_lao_consonant(c: char) -> bool {
    matches!(c, '\u{0e81}'..='\u{0eae}' | '\u{0edc}'..='\u{0edf}')
}

/// The sound of the Lao, Khmer or Burmese letter or sign at `i` of a
/// word's letters, and the letters it takes; None for a letter no key
/// reads (Shan's and Mon's own). Each script's several letters for one
/// sound share its class, as Thai's do; where a script has one letter for
/// two of another's sounds, the letter is a class of two sounds
/// (`name_keys::TWO_SOUNDS`): Khmer's and Lao's "s" also writes "sh"
/// ("Y"), Burmese "သ" writes "s" and "th" ("W") and "ဗ" "b" and "v"
/// ("P"), and Lao's "ກ" "k" and "g" ("K").
pub(crate) fn sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    match script_of(word[i])? {
        Script::Burmese => burmese_sound_at(word, i),
        Script::Khmer => khmer_sound_at(word, i),
        Script::Lao | Script::Thai => lao_sound_at(word, i),
    }
}

fn burmese_sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    use Sound::{Consonant as C, Silent, Vowel};
    let next = word.get(i + 1).copied();
    // Silenced by the killer ("်"), after a dot below or not.
    let killed = word[i + 1..]
        .iter()
        .find(|c| **c != '\u{1037}')
        .is_some_and(|c| *c == '\u{103a}');
    let sound = match word[i] {
        // "ဂျ" writes "j", "ချ" and "ကျ" "ch"; "ရှ" writes "sh".
        'ဂ' if next == Some('ျ') => return Some((C(b'j'), 2)),
        'က' | 'ခ' if next == Some('ျ') => return Some((C(b'C'), 2)),
        'ရ' | 'ယ' if next == Some('ှ') => return Some((C(b'S'), 2)),
        // Final "y" and "ny" end a vowel ("ဇယ်လင်းစကီး", Zelensky), and so
        // does the "ng" of the rhyme "ိုင်" ("ဘိုင်ဒင်", Biden: "ai").
        'ယ' | 'ည' if killed => Vowel,
        'င' if killed && i >= 2 && word[i - 2..i] == ['ိ', 'ု'] => Silent,
        'က' | 'ခ' => C(b'k'),
        'ဂ' | 'ဃ' => C(b'K'),
        'င' | 'ည' | 'ဏ' | 'န' | 'ံ' => C(b'n'),
        'စ' | 'ဆ' | 'ဇ' | 'ဈ' => C(b's'),
        'ဋ' | 'ဌ' | 'တ' | 'ထ' => C(b't'),
        'ဍ' | 'ဎ' | 'ဒ' | 'ဓ' => C(b'd'),
        'ပ' | 'ဖ' | 'ဘ' => C(b'b'),
        'ဗ' => C(b'P'),
        'မ' => C(b'm'),
        'ယ' => C(b'j'),
        'ရ' | 'ြ' => C(b'r'),
        'လ' | 'ဠ' => C(b'l'),
        'ဝ' => C(b'v'),
        'သ' => C(b'W'),
        'ဿ' => C(b's'),
        'ဟ' => C(b'G'),
        // The vowel carrier, independent vowels, vowel signs and the
        // medials "y" and "w", which glide into the vowel.
        'အ' | '\u{1023}'..='\u{1035}' | 'ျ' | 'ွ' => Vowel,
        // Tone marks, the virama, the killer, and "ှ", which only
        // breathes the sonorant it is written under.
        '\u{1037}'..='\u{103a}' | 'ှ' => Silent,
        _ => return None,
    };
    Some((sound, 1))
}

fn khmer_sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    use Sound::{Consonant as C, Silent, Vowel};
    let next = word.get(i + 1).copied();
    // "ហ" over a subscript only marks the letter under it: "ហ្គ" writes
    // "g", "ហ្ស" "z", "ហ្វ" "f".
    let under_h = i >= 2 && word[i - 2..i] == ['ហ', '\u{17d2}'];
    let sound = match word[i] {
        'ហ' if next == Some('\u{17d2}') => Silent,
        'ក' | 'គ' if under_h => C(b'G'),
        'ក' | 'ខ' | 'គ' | 'ឃ' => C(b'k'),
        'ង' | 'ញ' | 'ណ' | 'ន' => C(b'n'),
        'ច' | 'ឆ' => C(b'C'),
        'ជ' | 'ឈ' => C(b'j'),
        'ដ' | 'ឌ' => C(b'd'),
        'ឋ' | 'ឍ' | 'ត' | 'ថ' | 'ទ' | 'ធ' => C(b't'),
        'ប' | 'ផ' | 'ព' | 'ភ' => C(b'b'),
        'ម' | 'ំ' => C(b'm'),
        'យ' => C(b'j'),
        'រ' => C(b'r'),
        'ល' | 'ឡ' => C(b'l'),
        'វ' => C(b'v'),
        'ឝ' | 'ឞ' | 'ស' => C(b'Y'),
        'ហ' => C(b'G'),
        // The vowel carrier, independent vowels and vowel signs.
        'អ' | '\u{17a3}'..='\u{17b3}' | '\u{17b6}'..='\u{17c5}' => Vowel,
        // The final breath, register and tone signs, the coeng.
        '\u{17b4}' | '\u{17b5}' | '\u{17c7}'..='\u{17d3}' | '\u{17dd}' => Silent,
        _ => return None,
    };
    Some((sound, 1))
}

fn lao_sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    use Sound::{Consonant as C, Silent, Vowel};
    let next = word[i + 1..]
        .iter()
        .find(|c| !matches!(c, '\u{0ec8}'..='\u{0ecb}'))
        .copied();
    let after_leading = i > 0 && ('\u{0ec0}'..='\u{0ec4}').contains(&word[i - 1]);
    let follows = |c: char| matches!(c, '\u{0eb0}'..='\u{0ebb}' | '\u{0ecd}');
    let starts_syllable = i == 0 || after_leading || next.is_some_and(follows);
    let sound = match word[i] {
        'ກ' => C(b'K'),
        'ຂ' | 'ຄ' | 'ຆ' => C(b'k'),
        'ງ' | 'ຎ' | 'ນ' | 'ຓ' | 'ໜ' => C(b'n'),
        'ຈ' | 'ຌ' => C(b'j'),
        'ຉ' => C(b'C'),
        'ສ' | 'ຊ' | 'ຨ' | 'ຩ' => C(b'Y'),
        'ຍ' | 'ໞ' if starts_syllable => C(b'j'),
        'ດ' | 'ຑ' | 'ຒ' => C(b'd'),
        'ຕ' | 'ຖ' | 'ທ' | 'ຏ' | 'ຐ' | 'ຘ' => C(b't'),
        'ບ' | 'ປ' | 'ຜ' | 'ພ' | 'ຠ' => C(b'b'),
        'ຝ' | 'ຟ' => C(b'v'),
        'ມ' | 'ໝ' | 'ຳ' => C(b'm'),
        // "ໍ" with "າ" after it writes "am"; alone, the vowel "o".
        'ໍ' if next == Some('າ') => C(b'm'),
        'ຢ' => C(b'j'),
        'ຣ' => C(b'r'),
        'ລ' | 'ຼ' | 'ຬ' => C(b'l'),
        'ວ' if starts_syllable => C(b'v'),
        // Before a sonorant, "ຫ" only sets its tone.
        'ຫ' if matches!(next, Some('ງ' | 'ຍ' | 'ນ' | 'ມ' | 'ຣ' | 'ລ' | 'ວ')) => {
            Silent
        }
        'ຫ' | 'ຮ' => C(b'G'),
        'ຍ' | 'ວ' | 'ອ' | 'ໞ' | 'ໟ' => Vowel,
        '\u{0eb0}'..='\u{0ebb}' | 'ຽ' | 'ໍ' => Vowel,
        // Vowels written before their consonant: no vowel between that
        // consonant and the one before (`thai::sound_at`).
        '\u{0ec0}'..='\u{0ec4}' | '\u{0ec8}'..='\u{0ecc}' | '\u{0ece}' => Silent,
        _ => return None,
    };
    Some((sound, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syllables(run: &str, script: Script) -> Vec<&str> {
        syllable_bounds(run, script)
            .windows(2)
            .map(|w| &run[w[0]..w[1]])
            .collect()
    }

    #[test]
    fn burmese_syllables_keep_their_final_and_stacked_consonants() {
        // "Putin": the final "ng" under its killer stays with "ti".
        assert_eq!(syllables("ပူတင်", Script::Burmese), ["ပူ", "တင်"]);
        // "Trump": the dot below before the killer.
        assert_eq!(syllables("ထရမ့်", Script::Burmese), ["ထ", "ရမ့်"]);
        // "Biden"; "Mandalay", whose stacked consonants are one syllable.
        assert_eq!(syllables("ဘိုင်ဒင်", Script::Burmese), ["ဘိုင်", "ဒင်"]);
        assert_eq!(syllables("မန္တလေး", Script::Burmese), ["မန္တ", "လေး"]);
    }

    #[test]
    fn khmer_syllables_keep_their_subscript_consonants() {
        // "Trump", "Putin".
        assert_eq!(syllables("ត្រាំ", Script::Khmer), ["ត្រាំ"]);
        assert_eq!(syllables("ពូទីន", Script::Khmer), ["ពូ", "ទី", "ន"]);
    }

    #[test]
    fn a_lao_vowel_written_first_starts_its_syllable() {
        // "Biden".
        assert_eq!(syllables("ໄບເດັນ", Script::Lao), ["ໄບ", "ເດັ", "ນ"]);
    }

    fn cut(run: &str, script: Script) -> (Vec<&str>, Vec<u32>) {
        let words = script.words_of(run);
        let hashes: Vec<u64> = words
            .iter()
            .map(|w| crate::text::hash64(run[w.clone()].as_bytes()))
            .collect();
        let keys = script.word_keys(run, &words, &hashes);
        (words.into_iter().map(|w| &run[w]).collect(), keys)
    }

    #[test]
    fn a_run_is_cut_into_listed_words_and_a_name_keeps_its_key() {
        use crate::name_keys::name_key;
        // Khmer, "the bridge near the town of Dravik": the list splits the
        // name it lacks into two of its words, which both carry its key;
        // "town", whose key is whole, does not read into it.
        let (words, keys) = cut("ស្ពានក្បែរក្រុងដ្រាវិក", Script::Khmer);
        assert_eq!(words, ["ស្ពាន", "ក្បែរ", "ក្រុង", "ដ្រា", "វិក"]);
        let dravik = name_key("Dravik");
        assert_eq!(keys[3..], [dravik, dravik]);
        assert_eq!(keys[2], name_key("ក្រុង"));
        // Lao, "an earthquake of magnitude", and Burmese, "Brenner
        // resigned": the function word ("သည်") is a word of its own.
        let (words, _) = cut("ແຜ່ນດິນໄຫວຂະໜາດ", Script::Lao);
        assert_eq!(words, ["ແຜ່ນດິນໄຫວ", "ຂະໜາດ"]);
        let (words, keys) = cut("ဘရန်နာသည်နုတ်ထွက်ခဲ့သည်", Script::Burmese);
        assert_eq!(words[..2], ["ဘ", "ရန်"]);
        assert!(words.contains(&"သည်") && words.contains(&"နုတ်ထွက်"));
        assert_eq!(keys[..2], [name_key("Brenner"); 2]);
    }

    #[test]
    fn digits_and_punctuation_end_a_run() {
        for c in ['၆', '។', '៦', '໖', '၊', 'ໆ', 'a', 'ก'] {
            assert_eq!(script_of(c), None, "{c}");
        }
        assert_eq!(script_of('က'), Some(Script::Burmese));
        assert_eq!(script_of('ា'), Some(Script::Khmer));
        assert_eq!(script_of('ເ'), Some(Script::Lao));
    }
}
