//! Ethiopic (Ge'ez) letters for name keys (`name_keys.rs`): Amharic and
//! Tigrinya write a foreign name syllable by syllable as it sounds
//! ("ፑቲን", Putin's p-t-n) and write no capitals, so every word of theirs
//! is keyed, as an Arabic one is.
//!
//! Each letter is a consonant with a vowel: the block lays them out in
//! rows of eight, one row per consonant and one column per vowel, so a
//! letter's consonant is its row. The sixth column is the consonant with
//! no vowel (or a short one) and reads as a consonant alone; the others
//! read as the consonant and a vowel, so that a consonant written twice
//! with a vowel between ("ቦብ", Bob) is two. The rows of the glottal and
//! pharyngeal stops ("አ", "ዐ") are vowels; ejectives are their plain
//! stops; "ይ" and "ው" after a letter end a diphthong ("ባይደን", Biden).

use crate::name_keys::Sound;

/// Whether `c` is an Ethiopic syllable or combining mark (the block's
/// letters, not its punctuation or numerals).
pub(crate) fn is_ethiopic(c: char) -> bool {
    matches!(c, '\u{1200}'..='\u{135f}' | '\u{1380}'..='\u{138f}' | '\u{2d80}'..='\u{2dde}')
}

/// The consonant class of each row of eight from U+1200, in order.
const ROWS: [Option<u8>; 44] = [
    Some(b'G'), // ሀ h
    Some(b'l'), // ለ
    Some(b'G'), // ሐ h
    Some(b'm'), // መ
    Some(b's'), // ሠ
    Some(b'r'), // ረ
    Some(b's'), // ሰ
    Some(b'S'), // ሸ sh
    Some(b'k'), // ቀ q
    Some(b'k'), // ቈ qw
    Some(b'k'), // ቐ qh
    Some(b'k'), // ቘ qhw
    Some(b'b'), // በ
    Some(b'v'), // ቨ
    Some(b't'), // ተ
    Some(b'C'), // ቸ ch
    Some(b'G'), // ኀ h
    Some(b'G'), // ኈ hw
    Some(b'n'), // ነ
    Some(b'n'), // ኘ ny
    None,       // አ, a glottal stop: vowels
    Some(b'k'), // ከ
    Some(b'k'), // ኰ kw
    Some(b'G'), // ኸ kh
    Some(b'G'), // ዀ khw
    Some(b'v'), // ወ w
    None,       // ዐ, a pharyngeal: vowels
    Some(b'W'), // ዘ z, "s" or "t" as a Latin "z" (`TWO_SOUNDS`)
    Some(b'Z'), // ዠ zh
    Some(b'j'), // የ y
    Some(b'd'), // ደ
    Some(b'd'), // ዸ dd
    Some(b'j'), // ጀ
    Some(b'G'), // ገ g
    Some(b'G'), // ጐ gw
    Some(b'n'), // ጘ ng
    Some(b't'), // ጠ t'
    Some(b'C'), // ጨ ch'
    Some(b'b'), // ጰ p'
    Some(b's'), // ጸ ts'
    Some(b's'), // ፀ ts'
    Some(b'v'), // ፈ f
    Some(b'b'), // ፐ p
    Some(b'r'), // ፘ rya (and mya, fya, which the row also holds)
];

/// The sound of the Ethiopic letter at `i`, or None for a letter of the
/// supplement blocks (Sebatbeit's and other languages' own) or a mark.
pub(crate) fn sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    let code = u32::from(word[i]);
    if !(0x1200..=0x135a).contains(&code) {
        return match code {
            // The gemination and vowel-length marks.
            0x135d..=0x135f => Some((Sound::Silent, 1)),
            _ => None,
        };
    }
    let (row, column) = (((code - 0x1200) / 8) as usize, (code - 0x1200) % 8);
    let Some(class) = ROWS[row] else {
        return Some((Sound::Vowel, 1));
    };
    let sound = match (word[i], column) {
        // "ይ" and "ው" after a letter end its vowel: "ai", "au".
        ('ይ' | 'ው', _) if i > 0 => Sound::Vowel,
        // The sixth column: the consonant alone.
        (_, 5) => Sound::Consonant(class),
        _ => Sound::Syllable(class),
    };
    Some((sound, 1))
}
