//! Sinhala letters for name keys (`name_keys.rs`). Sinhala writes a
//! foreign name letter by letter as it sounds ("පුටින්", Putin's p-t-n) and
//! writes no capitals, so every Sinhala word is keyed, as a Hindi one is,
//! and its strongest words stand in for its names. Its block does not lay
//! its letters out as Devanagari's does (`indic.rs`), so it has a table of
//! its own: aspirates are their plain stops, the retroflex and dental "t"
//! and "d" one "t" and one "d", the prenasalised stops ("ඳ", "ඹ") their
//! stops, and "ය" a consonant only at a word's start. A consonant cluster
//! is written with a virama and a zero-width joiner ("බ්‍රෙනර්", Brenner),
//! which a key reads past (`name_key`).

use crate::name_keys::Sound;

/// Whether `c` is in the Sinhala block.
pub(crate) fn is_sinhala(c: char) -> bool {
    ('\u{0d80}'..='\u{0dff}').contains(&c)
}

/// The sound of the Sinhala letter or sign at `i`, or None for a digit or
/// a sign out of use.
pub(crate) fn sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    use Sound::{Consonant as C, Silent, Vowel};
    let sound = match word[i] {
        // The anusvara, a nasal before the consonant after it ("ලංකා").
        'ං' => C(b'n'),
        'ඃ' | '්' => Silent,
        '\u{0d85}'..='\u{0d96}' => Vowel,
        'ක' | 'ඛ' => C(b'k'),
        'ග' | 'ඝ' | 'ඟ' | 'හ' => C(b'G'),
        'ඞ' | 'ඤ' | 'ඥ' | 'ණ' | 'න' => C(b'n'),
        'ච' | 'ඡ' => C(b'C'),
        'ජ' | 'ඣ' | 'ඦ' => C(b'j'),
        'ට' | 'ඨ' | 'ත' | 'ථ' => C(b't'),
        'ඩ' | 'ඪ' | 'ඬ' | 'ද' | 'ධ' | 'ඳ' => C(b'd'),
        'ප' | 'ඵ' | 'බ' | 'භ' | 'ඹ' => C(b'b'),
        'ම' => C(b'm'),
        'ය' if i == 0 => C(b'j'),
        'ය' => Vowel,
        'ර' => C(b'r'),
        'ල' | 'ළ' => C(b'l'),
        'ව' | 'ෆ' => C(b'v'),
        'ශ' | 'ෂ' => C(b'S'),
        'ස' => C(b's'),
        '\u{0dcf}'..='\u{0ddf}' | '\u{0df2}' | '\u{0df3}' => Vowel,
        _ => return None,
    };
    Some((sound, 1))
}
