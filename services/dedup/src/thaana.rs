//! Thaana letters for name keys (`name_keys.rs`): Dhivehi writes a foreign
//! name letter by letter as it sounds ("ޕުޓިން", Putin's p-t-n) and writes
//! no capitals, so every Dhivehi word is keyed, as an Arabic one is.
//!
//! Thaana writes every consonant with a vowel sign over or under it, or a
//! sukun for none ("ޓްރަމްޕް", Trump). "އ" carries a vowel that starts a
//! syllable and, with a sukun, doubles the consonant after it: it has no
//! sound of its own. The letters borrowed for Arabic words (U+0798 to
//! U+07A5) are read as the Arabic letters they write are (`name_keys.rs`).

use crate::name_keys::Sound;

/// Whether `c` is in the Thaana block.
pub(crate) fn is_thaana(c: char) -> bool {
    ('\u{0780}'..='\u{07bf}').contains(&c)
}

/// The sound of the Thaana letter or sign at `i`, or None for a code point
/// the block leaves unassigned.
pub(crate) fn sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    use Sound::{Consonant as C, Silent, Vowel};
    let sound = match word[i] {
        'ހ' | 'ގ' | 'ޙ' | 'ޚ' | 'ޣ' => C(b'G'),
        'ށ' | 'ޝ' => C(b'S'),
        'ނ' | 'ޏ' | 'ޱ' => C(b'n'),
        'ރ' => C(b'r'),
        'ބ' | 'ޕ' => C(b'b'),
        'ޅ' | 'ލ' => C(b'l'),
        'ކ' | 'ޤ' => C(b'k'),
        'ވ' | 'ޥ' | 'ފ' => C(b'v'),
        'މ' => C(b'm'),
        'ދ' | 'ޑ' | 'ޛ' | 'ޟ' => C(b'd'),
        'ތ' | 'ޓ' | 'ޘ' | 'ޠ' => C(b't'),
        'ސ' | 'ޞ' | 'ޜ' | 'ޡ' => C(b's'),
        // Dhivehi's own "z" writes Latin's: a class read as "s" or "t"
        // (`TWO_SOUNDS`), as "z" is.
        'ޒ' => C(b'W'),
        'ޔ' if i == 0 => C(b'j'),
        'ޔ' => Vowel,
        'ޖ' => C(b'j'),
        'ޗ' => C(b'C'),
        'އ' | 'ޢ' | '\u{07b0}' => Silent,
        '\u{07a6}'..='\u{07af}' => Vowel,
        _ => return None,
    };
    Some((sound, 1))
}
