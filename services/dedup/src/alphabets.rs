//! The alphabets name keys read (`name_keys.rs`), by language, and the
//! entries of a story's names in the index under each alphabet it is
//! written in: an article looks its names up under the other alphabets
//! only.

use crate::name_keys::{NAME_ID_TAG, coarse, has_two_sounds, is_coarse, spellings};

/// The alphabets name keys read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Alphabet {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    /// Japanese, whose foreign names are written in katakana.
    Kana,
    Hangul,
    /// Chinese, which writes foreign names with characters read for their
    /// sounds (`han_sounds.rs`).
    Han,
    /// Hindi, Marathi and Nepali.
    Devanagari,
    /// Bengali and Assamese.
    Bengali,
    /// Punjabi in India.
    Gurmukhi,
    Gujarati,
    /// Odia.
    Oriya,
    Tamil,
    Telugu,
    Kannada,
    Malayalam,
    Georgian,
    Armenian,
    Thai,
    Sinhala,
    Lao,
    Khmer,
    /// Burmese (Myanmar).
    Burmese,
    /// Amharic and Tigrinya (Ge'ez).
    Ethiopic,
    /// Dhivehi.
    Thaana,
}

impl Alphabet {
    /// In the order of their numbers in index entries (`alphabet_tag`),
    /// which snapshots hold: a new one goes last.
    pub(crate) const ALL: [Alphabet; 26] = [
        Alphabet::Latin,
        Alphabet::Cyrillic,
        Alphabet::Greek,
        Alphabet::Arabic,
        Alphabet::Hebrew,
        Alphabet::Kana,
        Alphabet::Hangul,
        Alphabet::Han,
        Alphabet::Devanagari,
        Alphabet::Bengali,
        Alphabet::Gurmukhi,
        Alphabet::Gujarati,
        Alphabet::Oriya,
        Alphabet::Tamil,
        Alphabet::Telugu,
        Alphabet::Kannada,
        Alphabet::Malayalam,
        Alphabet::Georgian,
        Alphabet::Armenian,
        Alphabet::Thai,
        Alphabet::Sinhala,
        Alphabet::Lao,
        Alphabet::Khmer,
        Alphabet::Burmese,
        Alphabet::Ethiopic,
        Alphabet::Thaana,
    ];

    /// Whether its keys merge "l" with "r" and "b" with "v" (`coarse`).
    pub(crate) fn keys_coarsely(self) -> bool {
        matches!(self, Alphabet::Kana | Alphabet::Hangul | Alphabet::Han)
    }

    /// Whether it writes capitals, which tell its names.
    pub(crate) fn has_capitals(self) -> bool {
        matches!(
            self,
            Alphabet::Latin | Alphabet::Cyrillic | Alphabet::Greek | Alphabet::Armenian
        )
    }

    /// Whether its names are told from its other words: by capitals, or in
    /// Chinese by the characters that write foreign names' sounds and the
    /// pairs a report repeats that no word table holds (`entities.rs`).
    /// Arabic, Hebrew, Georgian, Thai, Lao, Khmer, Burmese, Ethiopic,
    /// Korean, Sinhala, Thaana and India's scripts have no capitals, and
    /// Japanese writes foreign names and loanwords alike in katakana:
    /// every word of theirs (in Japanese, every katakana word) is keyed,
    /// and their strongest words stand in for their names.
    pub(crate) fn marks_names(self) -> bool {
        self.has_capitals() || self == Alphabet::Han
    }
}

/// Whether a language is written without capitals: its names are told by
/// their keys, or by words standing in for them (Arabic, Hebrew, Japanese,
/// Korean, Chinese, Georgian, Thai, Lao, Khmer, Burmese, Ethiopic, India's
/// scripts, Sinhala, Dhivehi).
pub(crate) fn names_without_capitals(lang: &str) -> bool {
    alphabet_of(lang).is_some_and(|a| !a.has_capitals())
}

/// Whether a language's words stand in for its names: it is written in an
/// alphabet without capitals (Arabic, Hebrew, Japanese, Korean), or it
/// capitalises every noun (German), so that its names are among its
/// capitalised words and its strongest ones are mostly nouns
/// ("Wasserschutzpolizei", "Rettungsboote"), which a translation into
/// another alphabet cannot have. The other side's names are then looked
/// for among them (`entities::MissingNames`).
pub(crate) fn words_stand_for_names(lang: &str) -> bool {
    lang == "de" || alphabet_of(lang).is_some_and(|a| !a.marks_names())
}

/// The alphabet a language (a code as `language_code` gives it) is written
/// in, when name keys read it; None for Tibetan and Dzongkha, whose
/// letters have no keys. A code not listed is read as Latin's.
pub(crate) fn alphabet_of(lang: &str) -> Option<Alphabet> {
    // Every code below has two letters: matched as two bytes, a code is
    // found in a few comparisons, not a string comparison per arm (it is
    // asked for each language of each candidate story).
    let [a, b] = *lang.as_bytes() else {
        return Some(Alphabet::Latin);
    };
    match &[a, b] {
        b"ru" | b"uk" | b"be" | b"bg" | b"sr" | b"mk" | b"kk" | b"ky" | b"tg" | b"mn" => {
            Some(Alphabet::Cyrillic)
        }
        b"el" => Some(Alphabet::Greek),
        b"ar" | b"fa" | b"ur" | b"ps" => Some(Alphabet::Arabic),
        b"he" | b"yi" => Some(Alphabet::Hebrew),
        b"ja" => Some(Alphabet::Kana),
        b"ko" => Some(Alphabet::Hangul),
        b"zh" => Some(Alphabet::Han),
        b"hi" | b"mr" | b"ne" => Some(Alphabet::Devanagari),
        b"bn" | b"as" => Some(Alphabet::Bengali),
        b"pa" => Some(Alphabet::Gurmukhi),
        b"gu" => Some(Alphabet::Gujarati),
        b"or" => Some(Alphabet::Oriya),
        b"ta" => Some(Alphabet::Tamil),
        b"te" => Some(Alphabet::Telugu),
        b"kn" => Some(Alphabet::Kannada),
        b"ml" => Some(Alphabet::Malayalam),
        b"ka" => Some(Alphabet::Georgian),
        b"hy" => Some(Alphabet::Armenian),
        b"th" => Some(Alphabet::Thai),
        b"si" => Some(Alphabet::Sinhala),
        b"lo" => Some(Alphabet::Lao),
        b"km" => Some(Alphabet::Khmer),
        b"my" => Some(Alphabet::Burmese),
        b"am" | b"ti" => Some(Alphabet::Ethiopic),
        b"dv" => Some(Alphabet::Thaana),
        b"bo" | b"dz" => None,
        _ => Some(Alphabet::Latin),
    }
}

/// The index entry of a name for stories written in `alphabet`: an
/// article looks its names up under the alphabets other than its own only,
/// so a stream mostly in one alphabet reads no list for them. Under
/// Japanese and Korean, names are listed in their coarse form.
pub(crate) fn name_in_alphabet(name: u64, alphabet: Alphabet) -> u64 {
    let name = if alphabet.keys_coarsely() {
        coarse(name)
    } else {
        name
    };
    name ^ alphabet_tag(alphabet)
}

/// The bits an entry under `alphabet` flips in its name's id: the number
/// (from 1) of the alphabet in the top four bits, and its fifth bit in
/// the bit below them, so that the first fifteen alphabets' entries are
/// those of rounds before the sixteenth came (state of any round reads).
fn alphabet_tag(alphabet: Alphabet) -> u64 {
    let a = alphabet as u64 + 1;
    (a & 0xf) << 60 | (a >> 4) << 59
}

/// The alphabet a term of the story index is a name's entry under
/// (`name_in_alphabet`), if it is one.
pub(crate) fn alphabet_of_entry(term: u64) -> Option<Alphabet> {
    let tag = (term >> 32) ^ NAME_ID_TAG;
    if tag & 0x07ff_ffff != 0 {
        return None;
    }
    let a = (tag >> 28 | (tag >> 27 & 1) << 4) as usize;
    (1..=Alphabet::ALL.len())
        .contains(&a)
        .then(|| Alphabet::ALL[a - 1])
}

/// The index entries a name is looked up by among stories written in
/// `alphabet`: a Japanese or Korean key's every spelling there, and a
/// Latin key's with its letters of two sounds read as either.
pub(crate) fn lookups_in_alphabet(name: u64, alphabet: Alphabet, mut f: impl FnMut(u64)) {
    if has_two_sounds(name) || is_coarse(name) && !alphabet.keys_coarsely() {
        spellings(name)
            .iter()
            .for_each(|s| f(name_in_alphabet(*s, alphabet)));
    } else {
        f(name_in_alphabet(name, alphabet));
    }
}
