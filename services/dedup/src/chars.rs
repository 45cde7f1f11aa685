//! What a character is to dedup's reading of words: a digit of another
//! script, a mark kept inside a word or dropped from it, a letter of an
//! abjad; and the standard library's letter and case tests, read from
//! bitmaps because they run for every character of every text.

use crate::{cjk, thai};
use icu_properties::CodePointMapData;
use icu_properties::props::GeneralCategory;
use std::sync::OnceLock;

/// The ASCII letter or digit a character stands for: a full-width one
/// (`Ｍ７`, common in Japanese text), an Arabic-Indic digit (`٦`, and
/// Persian's `۶`), in which many Arabic and Persian outlets write their
/// numbers, a digit of an Indic script (Devanagari's `६`, Bengali's `৬`,
/// and the others to Malayalam, each block's 0x66 to 0x6f), a Sinhala
/// one (`෬`, written in old almanacs more than in news), or a Thai,
/// Lao, Burmese or Khmer one (`๖`): a translation shares its numbers with
/// its original only when they are read alike.
pub(crate) fn ascii_of(c: char) -> Option<u8> {
    let digit = |zero: u32| Some(b'0' + (u32::from(c) - zero) as u8);
    match c {
        '\u{0660}'..='\u{0669}' => digit(0x0660),
        '\u{06f0}'..='\u{06f9}' => digit(0x06f0),
        '\u{0966}'..='\u{0d6f}' if (0x66..=0x6f).contains(&(u32::from(c) & 0x7f)) => {
            digit(u32::from(c) & !0x7f | 0x66)
        }
        '\u{0de6}'..='\u{0def}' => digit(0x0de6),
        '\u{0e50}'..='\u{0e59}' => thai::ascii_digit(c),
        '\u{0ed0}'..='\u{0ed9}' => digit(0x0ed0),
        '\u{1040}'..='\u{1049}' => digit(0x1040),
        '\u{17e0}'..='\u{17e9}' => digit(0x17e0),
        _ => cjk::ascii_of_full_width(c),
    }
}

/// Whether `c` is a letter of the Hebrew or Arabic blocks.
pub(crate) fn is_abjad(c: char) -> bool {
    ('\u{0590}'..='\u{06ff}').contains(&c)
}
/// A mark a word is read without, as the word tables write words: an
/// accent that composes with no letter (a Russian stress mark, "Пу́тин"),
/// and Arabic's and Hebrew's vowel points and Arabic's tatweel, which few
/// texts write and the tables leave out.
pub(crate) fn is_dropped_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036f}'
        | '\u{1ab0}'..='\u{1aff}'
        | '\u{1dc0}'..='\u{1dff}'
        | '\u{20d0}'..='\u{20ff}'
        | '\u{fe20}'..='\u{fe2f}'
        | '\u{0591}'..='\u{05c7}'
        | '\u{0610}'..='\u{061a}'
        | '\u{064b}'..='\u{065f}'
        | '\u{0670}'
        | '\u{06d6}'..='\u{06ed}'
        | '\u{0640}')
        && !matches!(
            c,
            '\u{05be}'
                | '\u{05c0}'
                | '\u{05c3}'
                | '\u{05c6}'
                | '\u{06dd}'
                | '\u{06de}'
                | '\u{06e5}'
                | '\u{06e6}'
                | '\u{06e9}'
        )
}

/// A mark that is part of its word though not a letter: a virama or a
/// nukta of the Indic scripts, which join or change the consonants
/// around them.
pub(crate) fn is_kept_mark(c: char) -> bool {
    matches!(
        CodePointMapData::<GeneralCategory>::new().get(c),
        GeneralCategory::NonspacingMark
            | GeneralCategory::SpacingMark
            | GeneralCategory::EnclosingMark
    )
}

/// `char::is_alphanumeric`, read from a bitmap of the Basic Multilingual
/// Plane built once per process. The standard library searches Unicode's
/// tables for each character outside ASCII: two thirds of reading
/// Georgian's word table went there, and so does every letter of a text
/// in a script of its own.
pub(crate) fn is_alphanumeric(c: char) -> bool {
    static PLANE: OnceLock<PlaneBits> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    PLANE
        .get_or_init(|| PlaneBits::of(char::is_alphanumeric))
        .get(c)
        .unwrap_or_else(|| c.is_alphanumeric())
}

/// Whether `c` lowercased is other than `c` (a bitmap, as for
/// `is_alphanumeric`): most letters outside Latin, Greek and Cyrillic have
/// no case, and the standard library's search for their lowercase was a
/// fifth of reading a table in their script.
pub(crate) fn changes_in_lowercase(c: char) -> bool {
    static PLANE: OnceLock<PlaneBits> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    let changes = |c: char| !c.to_lowercase().eq(std::iter::once(c));
    PLANE
        .get_or_init(|| PlaneBits::of(changes))
        .get(c)
        .unwrap_or_else(|| changes(c))
}

/// One bit for each character of the Basic Multilingual Plane (65,536
/// lookups to build, a few milliseconds; 8 KiB).
struct PlaneBits(Box<[u64; 1024]>);

impl PlaneBits {
    fn of(test: impl Fn(char) -> bool) -> PlaneBits {
        let mut bits = Box::new([0u64; 1024]);
        for (n, c) in (0..0x1_0000u32).filter_map(|n| Some((n, char::from_u32(n)?))) {
            if test(c) {
                bits[n as usize / 64] |= 1 << (n % 64);
            }
        }
        PlaneBits(bits)
    }

    /// The bit for `c`, or None outside the plane.
    fn get(&self, c: char) -> Option<bool> {
        let n = c as usize;
        (n < 0x1_0000).then(|| self.0[n / 64] >> (n % 64) & 1 == 1)
    }
}

/// The character at byte `i` of `text`, moving `i` past it; ASCII without
/// decoding.
#[inline(always)]
pub(crate) fn next_char(text: &str, i: &mut usize) -> char {
    let b = text.as_bytes()[*i];
    if b < 0x80 {
        *i += 1;
        return char::from(b);
    }
    let c = text[*i..].chars().next().expect("i is on a char boundary");
    *i += c.len_utf8();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_letter_and_case_bitmaps_agree_with_the_standard_library_on_every_character() {
        for c in (0..=0x10_ffffu32).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            let changes = !c.to_lowercase().eq(std::iter::once(c));
            assert_eq!(changes_in_lowercase(c), changes, "{c:?}");
        }
    }
}
