//! Georgian and Armenian letters for name keys (`name_keys.rs`): both
//! alphabets write a foreign name letter by letter as it sounds, so
//! "პუტინი" and "Պուտին" are Putin's p-t-n. Georgian writes no capitals
//! (its Mtavruli capitals are for headings), so every Georgian word is
//! keyed, as Arabic's are; Armenian capitalises names, as Cyrillic does.
//! Ejectives are their plain stops ("პ" and "ფ" both "p"), "ц"-like
//! affricates a "t" and an "s", as Cyrillic's "ц" is; Armenian "ու" is the
//! vowel "u", and "յ" a consonant only at a word's start.

use crate::name_keys::Sound;

/// Whether `c` is a letter of the Georgian alphabet (Mkhedruli, which
/// running text is written in).
pub(crate) fn is_georgian(c: char) -> bool {
    ('\u{10d0}'..='\u{10ff}').contains(&c)
}

/// Whether `c` is a lowercase Armenian letter (keys read lowercase).
fn is_armenian(c: char) -> bool {
    ('\u{0561}'..='\u{0587}').contains(&c)
}

/// Whether `c` is a lowercase letter this module reads.
pub(crate) fn reads(c: char) -> bool {
    is_georgian(c) || is_armenian(c)
}

/// The sound of the Georgian or Armenian letter at `i` (lowercase), or
/// None for a letter out of use.
pub(crate) fn sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    use Sound::{Consonant as C, Pair, Vowel};
    let sound = match word[i] {
        // Georgian.
        'ა' | 'ე' | 'ი' | 'ო' | 'უ' => Vowel,
        'ბ' => C(b'b'),
        'გ' | 'ღ' | 'ხ' | 'ჰ' => C(b'G'),
        'დ' => C(b'd'),
        'ვ' => C(b'v'),
        'ზ' | 'ს' => C(b's'),
        'თ' | 'ტ' => C(b't'),
        'კ' | 'ქ' | 'ყ' => C(b'k'),
        'ლ' => C(b'l'),
        'მ' => C(b'm'),
        'ნ' => C(b'n'),
        'პ' | 'ფ' => C(b'b'),
        'ჟ' => C(b'Z'),
        'რ' => C(b'r'),
        'შ' => C(b'S'),
        'ჩ' | 'ჭ' => C(b'C'),
        'ც' | 'წ' => Pair(b't', b's'),
        'ძ' => Pair(b'd', b's'),
        'ჯ' => C(b'j'),
        // Armenian.
        'ա' | 'ե' | 'է' | 'ը' | 'ի' | 'ո' | 'ւ' | 'օ' => Vowel,
        'յ' if i == 0 => C(b'j'),
        'յ' => Vowel,
        'բ' | 'պ' | 'փ' => C(b'b'),
        'գ' | 'խ' | 'հ' | 'ղ' => C(b'G'),
        'դ' => C(b'd'),
        'զ' | 'ս' => C(b's'),
        'թ' | 'տ' => C(b't'),
        'ժ' => C(b'Z'),
        'լ' => C(b'l'),
        'ծ' | 'ց' => Pair(b't', b's'),
        'ձ' => Pair(b'd', b's'),
        'կ' | 'ք' => C(b'k'),
        'ճ' | 'չ' => C(b'C'),
        'մ' => C(b'm'),
        'ն' => C(b'n'),
        'շ' => C(b'S'),
        'ջ' => C(b'j'),
        'ռ' | 'ր' => C(b'r'),
        'վ' | 'ֆ' | 'և' => C(b'v'),
        _ => return None,
    };
    Some((sound, 1))
}
