//! India's scripts, Devanagari (Hindi, Marathi, Nepali) to Malayalam, for
//! name keys (`name_keys.rs`): a name read as its sounds are written in
//! Latin letters, so that "पुतिन", "পুতিন" and "புடின்" are Putin's p-t-n.
//!
//! Devanagari: aspirates are their stops ("भ" bh as "b"), "फ" is "f" and
//! "ph" both, "ह" is "h"; a nukta makes "ज" "z" and "ड" and "ढ" flaps
//! ("r"); without it "ज" and "झ" (jh) are "j" or "z", as most of India's
//! scripts write a foreign "z" with them; "य" is "y", a consonant only at a word's start; the
//! anusvara is the nasal of the consonant after it. Vowel signs are
//! vowels, the virama (no vowel) no sound. Text is in NFC, which writes
//! most letters with a nukta as the letter and the nukta.
//!
//! The blocks of Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu,
//! Kannada and Malayalam lay their letters out as Devanagari's, each 0x80
//! further on, so each is read as the Devanagari letter in its place, but
//! for the letters a script has of its own or reads otherwise:
//! - Bengali's anusvara is "ng", and its "ভ" and Oriya's "ଭ" write a
//!   foreign "v";
//! - Gurmukhi writes its nasal with the tippi, and a doubled consonant
//!   with the addak before it;
//! - Malayalam writes a consonant that ends a syllable as a letter of its
//!   own (the chillu), and ends words with the anusvara as "m";
//! - Tamil writes "k" and "g" with one letter, "t" and "d" with each of
//!   two, and "s" and "ch" with one: its keys have a class for each pair,
//!   which meets either sound in another script's key (`TWO_SOUNDS`), but
//!   a stop after a nasal is voiced ("ந்த", "nd").

use crate::name_keys::Sound;

/// Whether `c` is of the blocks of India's scripts, Devanagari to
/// Malayalam, whose words are all keyed, as Arabic's are: they write no
/// capitals.
pub(crate) fn is_indic(c: char) -> bool {
    ('\u{0900}'..='\u{0d7f}').contains(&c)
}

/// The sound of the character of India's scripts at `i` and the
/// characters it takes.
pub(crate) fn sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    use Sound::{Consonant as C, Pair, Silent, Vowel};
    let next = word.get(i + 1).copied();
    match word[i] {
        // Bengali's anusvara is always "ng" ("বাংলাদেশ", Bangladesh). Its
        // "ভ" (bh) writes a foreign "v" ("কোভালেঙ্কো", Kovalenko), as "ব"
        // is also "b"; so does Oriya's "ଭ".
        'ং' => return Some((Pair(b'n', b'G'), 1)),
        'ভ' | 'ଭ' => return Some((C(b'v'), 1)),
        // Gurmukhi's addak doubles the consonant after it.
        'ੱ' => return Some((Silent, 1)),
        // Malayalam's anusvara ends a word as "m" ("ബിർമിങ്ഹാം").
        'ം' if next.is_none() => return Some((C(b'm'), 1)),
        '\u{0b80}'..='\u{0bff}' => {
            if let Some(found) = tamil_sound_at(word, i) {
                return Some(found);
            }
        }
        _ => {}
    }
    let c = as_devanagari(word[i]);
    let next = next.map(as_devanagari);
    let at_start = i == 0;
    let one = |s: Sound| Some((s, 1));
    let two = |s: Sound| Some((s, 2));
    match c {
        '\u{0915}'..='\u{0939}' if next == Some('\u{093c}') => two(match c {
            'ज' | 'झ' => C(b'W'),
            'फ' => C(b'v'),
            'ड' | 'ढ' => C(b'r'),
            'ख' | 'ग' => C(b'G'),
            // Gurmukhi's "ਸ਼" (sh).
            'स' => C(b'S'),
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

/// The sound of a Tamil letter that Devanagari's letter in its place does
/// not give, and the letters it takes.
fn tamil_sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    use Sound::Consonant as C;
    let after_nasal =
        i >= 2 && word[i - 1] == '்' && matches!(word[i - 2], 'ங' | 'ஞ' | 'ண' | 'ந' | 'ன' | 'ம');
    let sound = match word[i] {
        'க' if after_nasal => C(b'G'),
        'க' => C(b'K'),
        'ச' => C(b'Q'),
        'ட' | 'த' if after_nasal => C(b'd'),
        'ட' | 'த' => C(b'T'),
        // The aytham before "ப" writes "f" ("ஃபிரான்ஸ்", France).
        'ஃ' if word.get(i + 1) == Some(&'ப') => return Some((C(b'v'), 2)),
        _ => return None,
    };
    Some((sound, 1))
}

/// The Devanagari letter in the place of a letter of another of India's
/// scripts (`is_indic`), or the Devanagari letter of its sound for the
/// letters a script has of its own.
fn as_devanagari(c: char) -> char {
    match c {
        'ৎ' => 'त',
        'ৰ' => 'र',
        'ৱ' | 'ୱ' => 'व',
        'ୟ' => 'य',
        // Gurmukhi's tippi, a nasal as the anusvara is, and its flap.
        'ੰ' => 'ं',
        'ੜ' => 'र',
        'ೞ' => 'ळ',
        // Malayalam's chillus.
        'ൺ' => 'ण',
        'ൻ' => 'न',
        'ർ' => 'र',
        'ൽ' => 'ल',
        'ൾ' => 'ळ',
        'ൿ' => 'क',
        '\u{0980}'..='\u{0d7f}' => {
            char::from_u32(u32::from(c) - (u32::from(c) & !0x7f) + 0x0900).unwrap_or(c)
        }
        _ => c,
    }
}

/// The sound of a Devanagari consonant without a nukta.
fn consonant(c: char, at_start: bool) -> Sound {
    use Sound::{Consonant as C, Vowel};
    match c {
        'क' => C(b'k'),
        'ख' | 'ग' | 'घ' | 'ह' => C(b'G'),
        'ङ' | 'ञ' | 'ण' | 'न' | 'ऩ' => C(b'n'),
        'च' | 'छ' => C(b'C'),
        // "j" or "z": scripts without a nukta write a foreign "z" with "ज"
        // (Telugu's "జెలెన్స్కీ", Zelensky), Marathi and Gujarati with "झ".
        'ज' | 'झ' => C(b'V'),
        'ट' | 'ठ' | 'त' | 'थ' => C(b't'),
        'ड' | 'ढ' | 'द' | 'ध' => C(b'd'),
        'प' | 'ब' | 'भ' => C(b'b'),
        'फ' | 'व' => C(b'v'),
        'म' => C(b'm'),
        'य' if at_start => C(b'j'),
        'र' | 'ऱ' => C(b'r'),
        'ल' | 'ळ' | 'ऴ' => C(b'l'),
        'श' | 'ष' => C(b'S'),
        'स' => C(b's'),
        _ => Vowel,
    }
}
