//! Chinese, Japanese and Korean, read as overlapping pairs of characters.
//!
//! Chinese and Japanese write no spaces between words, so a run of their
//! characters between two punctuation marks would be one "word": two
//! rewrites of one event then share almost no term, and a near copy with a
//! light edit loses whole clauses of its shingles. Each pair of adjacent
//! characters is a term instead ("东京都" is "东京" and "京都"), as CJK
//! bigram indexes read them: a two-character word is one pair, and a longer
//! one is several. Korean writes spaces between words, but a word carries
//! its particles ("지진이", "지진은"), so its syllables are read in pairs
//! too. A run of one character is that character.
//!
//! Traditional Chinese characters are read as their Simplified forms, as
//! letters are read lowercased: a Hong Kong and a Beijing report of one
//! event share their terms, and the word tables (which hold Simplified
//! Chinese) know both.

use crate::han_simplified::TRADITIONAL_TO_SIMPLIFIED;

/// Whether `c` is read in pairs: Han ideographs (with the iteration mark
/// 々), Hiragana, Katakana and Hangul syllables.
pub(crate) fn is_cjk(c: char) -> bool {
    is_han(c)
        || matches!(
            u32::from(c),
            0x3005 | 0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F | 0xAC00..=0xD7AF
        )
}

/// Whether `c` is a Han ideograph (not kana, Hangul or the iteration mark).
pub(crate) fn is_han(c: char) -> bool {
    matches!(
        u32::from(c),
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x2_0000..=0x2_FA1F
    )
}

/// The character a pair is read with: a Traditional Chinese character's
/// Simplified form, any other as it is.
pub(crate) fn fold(c: char) -> char {
    TRADITIONAL_TO_SIMPLIFIED
        .binary_search_by_key(&c, |&(traditional, _)| traditional)
        .map_or(c, |i| TRADITIONAL_TO_SIMPLIFIED[i].1)
}

/// A letter or digit written full width (`Ｍ７`, common in Japanese
/// text), as the ASCII one it stands for.
pub(crate) fn ascii_of_full_width(c: char) -> Option<u8> {
    let code = u32::from(c);
    if !(0xFF10..=0xFF5A).contains(&code) {
        return None;
    }
    u8::try_from(code - 0xFEE0)
        .ok()
        .filter(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fold_table_is_sorted_and_maps_each_character_to_another() {
        let table = TRADITIONAL_TO_SIMPLIFIED;
        assert!(table.len() > 3_000);
        assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(table.iter().all(|&(t, s)| t != s && is_cjk(t) && is_cjk(s)));
        assert_eq!(fold('東'), '东');
        assert_eq!(fold('國'), '国');
        assert_eq!(fold('东'), '东');
        assert_eq!(fold('の'), 'の');
    }

    #[test]
    fn full_width_letters_and_digits_read_as_ascii_and_nothing_else_does() {
        assert_eq!(ascii_of_full_width('７'), Some(b'7'));
        assert_eq!(ascii_of_full_width('Ｍ'), Some(b'M'));
        assert_eq!(ascii_of_full_width('ｚ'), Some(b'z'));
        assert_eq!(ascii_of_full_width('＠'), None);
        assert_eq!(ascii_of_full_width('，'), None);
        assert_eq!(ascii_of_full_width('7'), None);
    }
}
