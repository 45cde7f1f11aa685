//! Devanagari (Hindi, Marathi, Nepali) and Bengali (Bengali, Assamese)
//! for name keys (`name_keys.rs`): a name read as its sounds are written
//! in Latin letters, so that "पुतिन" and "পুতিন" are Putin's p-t-n.
//! Aspirates are their stops ("भ" bh as "b"), "फ" is "f" and "ph" both,
//! "ह" is "h"; a nukta makes "ज" "z" and "ड" and "ढ" flaps ("r"); "य" is
//! "y", a consonant only at a word's start; the anusvara is the nasal of
//! the consonant after it. Vowel signs are vowels, the virama (no vowel)
//! no sound. Text is in NFC, which writes a letter with a nukta as the
//! letter and the nukta. The two blocks lay their letters out alike,
//! Bengali's 0x80 after Devanagari's, so Bengali is read as the Devanagari
//! letter in its place, but for its anusvara, "ng", and its "ভ", which
//! writes a foreign "v".

use crate::name_keys::Sound;

/// Whether `c` is of the Devanagari or Bengali blocks, whose words are all
/// keyed, as Arabic's are: they write no capitals.
pub(crate) fn is_indic(c: char) -> bool {
    ('\u{0900}'..='\u{09ff}').contains(&c)
}

/// The sound of the Devanagari or Bengali character at `i` and the
/// characters it takes.
pub(crate) fn sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    use Sound::{Consonant as C, Pair, Silent, Vowel};
    // Bengali's anusvara is always "ng" ("বাংলাদেশ", Bangladesh), and its
    // "ভ" (bh) writes a foreign "v" ("কোভালেঙ্কো", Kovalenko), as "ব" is
    // also "b".
    match word[i] {
        'ং' => return Some((Pair(b'n', b'G'), 1)),
        'ভ' => return Some((C(b'v'), 1)),
        _ => {}
    }
    let c = as_devanagari(word[i]);
    let next = word.get(i + 1).copied().map(as_devanagari);
    let at_start = i == 0;
    let one = |s: Sound| Some((s, 1));
    let two = |s: Sound| Some((s, 2));
    match c {
        '\u{0915}'..='\u{0939}' if next == Some('\u{093c}') => two(match c {
            'ज' | 'झ' => C(b'W'),
            'फ' => C(b'v'),
            'ड' | 'ढ' => C(b'r'),
            'ख' | 'ग' => C(b'G'),
            _ => consonant(c, at_start),
        }),
        '\u{0915}'..='\u{0939}' => one(consonant(c, at_start)),
        '\u{0902}' => one(match next {
            Some('प' | 'फ' | 'ब' | 'भ' | 'म') => C(b'm'),
            _ => C(b'n'),
        }),
        '\u{0904}'..='\u{0914}'
        | '\u{093e}'..='\u{094c}'
        | '\u{094e}'
        | '\u{0955}'..='\u{0957}'
        | '\u{0960}'..='\u{0963}'
        | '\u{0972}'..='\u{0977}' => one(Vowel),
        '\u{0900}' | '\u{0901}' | '\u{0903}' | '\u{093c}' | '\u{093d}' | '\u{094d}' => one(Silent),
        _ => None,
    }
}

/// The Devanagari letter in a Bengali letter's place; Bengali's own
/// letters (khanda ta, Assamese "ra" and "wa") as the sound they are.
fn as_devanagari(c: char) -> char {
    match c {
        'ৎ' => 'त',
        'ৰ' => 'र',
        'ৱ' => 'व',
        '\u{0980}'..='\u{09ff}' => char::from_u32(u32::from(c) - 0x80).unwrap_or(c),
        _ => c,
    }
}

/// The sound of a Devanagari consonant without a nukta.
fn consonant(c: char, at_start: bool) -> Sound {
    use Sound::{Consonant as C, Vowel};
    match c {
        'क' => C(b'k'),
        'ख' | 'ग' | 'घ' | 'ह' => C(b'G'),
        'ङ' | 'ञ' | 'ण' | 'न' => C(b'n'),
        'च' | 'छ' => C(b'C'),
        'ज' | 'झ' => C(b'j'),
        'ट' | 'ठ' | 'त' | 'थ' => C(b't'),
        'ड' | 'ढ' | 'द' | 'ध' => C(b'd'),
        'प' | 'ब' | 'भ' => C(b'b'),
        'फ' | 'व' => C(b'v'),
        'म' => C(b'm'),
        'य' if at_start => C(b'j'),
        'र' => C(b'r'),
        'ल' | 'ळ' => C(b'l'),
        'श' | 'ष' => C(b'S'),
        'स' => C(b's'),
        _ => Vowel,
    }
}
