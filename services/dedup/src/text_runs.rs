//! The runs of text `tokens_and_text_hash` hands off: Chinese, Japanese
//! and Korean read in pairs (`cjk.rs`), with the words among them that
//! carry name keys, and Thai, Lao, Khmer and Burmese read as words
//! (`word_cut.rs`).

use super::{CollapsedText, Fnv, Token, hash64};
use crate::chars::next_char;
use crate::han_sounds::is_sound_character;
use crate::kana_hangul::{is_hangul, is_katakana};
use crate::name_keys::{han_key, name_key};
use crate::word_cut::Script;
use crate::{cjk, han_names};

/// The pairs of a run of CJK characters (`cjk.rs`) that starts with
/// `first` (at byte `first_at`) and goes on at `i`, or its one character;
/// where the run ends. The pairs of a word in katakana (in which Japanese
/// writes foreign names) or in Hangul within it carry its name key
/// (`kana_hangul.rs`); runs of Chinese sound characters and listed
/// Chinese names (`han_names.rs`) are noted in `sound_runs`. Not inlined:
/// the loop over Latin words is the hot one.
#[inline(never)]
pub(super) fn cjk_run(
    text: &str,
    first_at: usize,
    mut i: usize,
    first: char,
    out: &mut Vec<Token>,
    exact: &mut CollapsedText,
    sound_runs: &mut SoundRuns,
) -> usize {
    let token = |chars: &[char]| {
        let mut hash = Fnv::new();
        for &c in chars {
            hash.write_lowercase_char(c);
        }
        Token {
            hash: hash.finish(),
            stop: chars.len() == 1,
            capitalised: false,
            number: false,
            pair: chars.len() == 2,
            name_key: 0,
        }
    };
    let mut previous = cjk::fold(first);
    sound_runs.kana |= is_kana(first);
    let first_pair = out.len();
    // Only a run that starts with a Han character is searched for listed
    // names, so only its characters are kept.
    let han = cjk::is_han(first);
    sound_runs.run.clear();
    if han {
        sound_runs.run.push(previous);
    }
    let mut word = KeyedWord::new(previous, first_at, first_pair);
    let mut pairs = 0;
    while i < text.len() {
        let mut after = i;
        let c = next_char(text, &mut after);
        if !cjk::is_cjk(c) {
            break;
        }
        exact.push(c);
        sound_runs.kana |= is_kana(c);
        let folded = cjk::fold(c);
        if han {
            sound_runs.run.push(folded);
        }
        out.push(token(&[previous, folded]));
        if KeyedWord::script_of(folded) != word.script {
            word.finish(text, i, out, sound_runs);
            word = KeyedWord::new(folded, i, out.len());
        }
        previous = folded;
        pairs += 1;
        i = after;
    }
    word.finish(text, i, out, sound_runs);
    if pairs == 0 {
        out.push(token(&[previous]));
    } else if han && !sound_runs.kana {
        sound_runs.find_customary_names(first_pair);
    }
    i
}

/// The words of a run of Thai, Lao, Khmer or Burmese (`word_cut.rs`)
/// that starts at byte `first_at` and goes on at `i`; where the run ends.
/// A listed name reads as a capitalised word; any other word is a term
/// the language's table may lack, as a pair of Chinese characters is:
/// repeated, such a word is taken for a name. Each word carries the name
/// key of the name it may be part of (`WordList::word_keys`).
#[inline(never)]
pub(super) fn word_run(
    text: &str,
    first_at: usize,
    i: usize,
    script: Script,
    out: &mut Vec<Token>,
    exact: &mut CollapsedText,
) -> usize {
    let end = i + text[i..]
        .chars()
        .take_while(|c| Script::of(*c) == Some(script))
        .map(|c| {
            exact.push(c);
            c.len_utf8()
        })
        .sum::<usize>();
    let run = &text[first_at..end];
    let words = script.words_of(run);
    let hashes: Vec<u64> = words
        .iter()
        .map(|w| hash64(run[w.clone()].as_bytes()))
        .collect();
    let keys = script.word_keys(run, &words, &hashes);
    for (hash, name_key) in hashes.into_iter().zip(keys) {
        out.push(Token {
            hash,
            stop: false,
            capitalised: script.is_name(hash),
            number: false,
            pair: true,
            name_key,
        });
    }
    end
}

/// Whether `c` is hiragana or katakana: Japanese, whose foreign names
/// are in katakana, not in Chinese sound characters.
pub(super) fn is_kana(c: char) -> bool {
    ('\u{3040}'..='\u{30ff}').contains(&c)
}

/// The runs of Chinese sound characters (`han_sounds.rs`) a text holds,
/// and the names written as custom has them (`han_names.rs`), each as its
/// first pair, its length in characters and its key; and whether the text
/// writes any kana. Their pairs carry their keys once the whole text is
/// read, and only in a text without kana: Japanese writes the same
/// characters in its own words, and foreign names in katakana.
#[derive(Default)]
pub(super) struct SoundRuns {
    kana: bool,
    runs: Vec<(usize, usize, u32)>,
    customary: Vec<(usize, usize, u32)>,
    /// The characters of the run being read, Simplified.
    run: Vec<char>,
}

impl SoundRuns {
    /// The listed names in the run just read, whose first pair is
    /// `first_pair`.
    fn find_customary_names(&mut self, first_pair: usize) {
        let customary = &mut self.customary;
        han_names::names().find(&self.run, |at, chars, key| {
            customary.push((first_pair + at, chars, key));
        });
    }

    /// A listed name's key is the one its pairs keep where a run of sound
    /// characters overlaps it ("默克尔", Merkel, is also one, read m-k-r).
    pub(super) fn apply(self, out: &mut [Token]) {
        if self.kana {
            return;
        }
        for (first_pair, chars, key) in self.runs.into_iter().chain(self.customary) {
            let end = (first_pair + chars - 1).min(out.len());
            for pair in &mut out[first_pair..end] {
                pair.name_key = key;
            }
        }
    }
}

/// A word in katakana, Hangul or Chinese sound characters being read
/// within a run of CJK characters: where it starts, and the pair that
/// starts with it.
struct KeyedWord {
    script: Option<KeyedScript>,
    start: usize,
    first_pair: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum KeyedScript {
    Katakana,
    Hangul,
    HanSounds,
}

impl KeyedWord {
    fn new(c: char, start: usize, first_pair: usize) -> KeyedWord {
        KeyedWord {
            script: KeyedWord::script_of(c),
            start,
            first_pair,
        }
    }

    /// The script of a character, Traditional Chinese folded.
    fn script_of(c: char) -> Option<KeyedScript> {
        if is_katakana(c) {
            Some(KeyedScript::Katakana)
        } else if is_hangul(c) {
            Some(KeyedScript::Hangul)
        } else if is_sound_character(c) {
            Some(KeyedScript::HanSounds)
        } else {
            None
        }
    }

    /// The word ends at byte `end`. One with a key (of two characters at
    /// least) stands for a name, as an Arabic word does: every pair within
    /// it carries its key, so that the name weighs as its rarest pair (the
    /// first is often a common loanword's, "ドラ" in "ドラマ"), and none of
    /// them is a name of its own (`entities::capitalised`).
    /// A run of Chinese sound characters is noted in `sound_runs`, its
    /// pairs left as pairs: a name written in them is also a pair no word
    /// table holds.
    fn finish(&self, text: &str, end: usize, out: &mut [Token], sound_runs: &mut SoundRuns) {
        let Some(script) = self.script else {
            return;
        };
        let word = &text[self.start..end];
        let chars = word.chars().count();
        if chars < 2 || self.first_pair >= out.len() {
            return;
        }
        if script == KeyedScript::HanSounds {
            let folded: Vec<char> = word.chars().map(cjk::fold).collect();
            let key = han_key(&folded);
            if key != 0 {
                sound_runs.runs.push((self.first_pair, chars, key));
            }
            return;
        }
        let key = name_key(word);
        if key == 0 {
            return;
        }
        let inner_end = (self.first_pair + chars - 1).min(out.len());
        for pair in &mut out[self.first_pair..inner_end] {
            pair.pair = false;
            pair.name_key = key;
        }
    }
}
