//! Name keys: a name written in Latin, Cyrillic or Greek letters, reduced
//! to its first three consonant sounds, so that one name meets itself
//! across scripts and case endings: "Putin", "Путина" and "Путіна" are all
//! p-t-n, "Moravec" and "Моравец" m-r-v, "Halden" and "Халденом" h-l-d.
//!
//! A translation shares no word with its original in another script, only
//! its numbers and its names. Vowels are dropped, since scripts and
//! languages write them differently ("Reyne", "Рейн"); so are the endings
//! past the third consonant, where Slavic case endings sit. Letters that
//! one script writes for another's several sounds share a class: English
//! "h", "g" and "kh" and Cyrillic "г" and "х" (Hamas, Хамас; Harry, Гарри;
//! Kharkiv, Харків); so do "f" and "v", which transliterations trade at
//! a word's end (Olav, Олаф, Όλαφ; Ivanov, Ivanoff). Three consonants
//! leave collisions ("Klitschko" and "Colts" are both k-l-t), which is why
//! a key serves the names check only and the term vectors keep the words.
//!
//! Arabic and Hebrew write consonants and long vowels only, which is what
//! a key keeps: "Brenner" is b-r-n, and so are "برينر" and "ברנר". They
//! write no capitals either, so every word of theirs is keyed, and the
//! names are found from the other side (`entities.rs`). Arabic's "ال"
//! (the) is no part of a key; Hebrew's and Arabic's one-letter prefixes
//! ("and", "in", "to") are, as they are also first letters of names: a
//! report writes a name often enough to write it bare once.
//!
//! India's scripts (Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil,
//! Telugu, Kannada, Malayalam) and Georgian write no capitals either, and
//! write foreign names by their sounds: every word of theirs is keyed too
//! (`indic.rs`, `caucasus.rs`), and so does Sinhala (`sinhala.rs`).
//! Armenian is keyed as Cyrillic is. Thai writes no capitals either, and
//! its words run on without spaces: each word its cut gives is keyed from
//! its start on, across the words after it, and a name cut into several
//! words has its key on each (`word_cut.rs`); so are Lao, Khmer and
//! Burmese (`lao_khmer_burmese.rs`). Amharic and Tigrinya write each
//! consonant with its vowel as one letter (`ethiopic.rs`). Dhivehi writes
//! each consonant with a sign for its vowel (`thaana.rs`).
//!
//! Japanese katakana and Korean Hangul write names by their sounds too,
//! but tell neither "l" from "r" nor "b" from "v": their keys have one
//! class for each pair, which meets either in another script's key
//! (`kana_hangul.rs`, `same_name`).

use crate::caucasus;
use crate::ethiopic;
use crate::han_sounds;
use crate::indic;
use crate::kana_hangul::{self, is_hangul, jamo, strip_particle};
use crate::lao_khmer_burmese;
pub(crate) use crate::name_spellings::{
    NAME_ID_TAG, coarse, has_two_sounds, is_coarse, is_name_id, name_id, rekeyed, same_name,
    sound_spellings, spellings,
};
use crate::sinhala;
use crate::thaana;
use crate::thai;

/// Consonant sounds kept: enough to tell most names apart, few enough to
/// stop before the case endings.
pub(crate) const KEY_CONSONANTS: usize = 3;
/// Fewer consonant sounds than this give no key ("Ali", "Iowa"): two-letter
/// keys would join too many names.
const MIN_CONSONANTS: usize = 2;
/// Letters of a word read for its key.
pub(crate) const MAX_LETTERS: usize = 24;

/// One letter's sound class: a consonant class, a vowel, or no sound.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Sound {
    Consonant(u8),
    /// Two consonants written as one letter ("x", "ц", "ξ").
    Pair(u8, u8),
    /// A consonant and a vowel written as one letter (Ethiopic "ቦ", "bo").
    Syllable(u8),
    Vowel,
    Silent,
}

/// The key of the word `text` starts with (its letters, digits and
/// apostrophes; a capitalised word, or any in Arabic, Hebrew, India's
/// scripts, Sinhala, Georgian, Thai, Lao, Khmer, Burmese, Ethiopic,
/// Thaana, katakana or Hangul), or 0 when it has none: fewer than two
/// consonant sounds, a digit, or a letter outside Latin, Cyrillic, Greek,
/// Arabic, Hebrew, India's scripts, Sinhala, Georgian, Armenian, Thai,
/// Lao, Khmer, Burmese, Ethiopic, Thaana, katakana and Hangul. The key is its
/// consonant classes, a byte each (`name_id` makes it a name): small
/// enough that a token carries it without growing.
pub(crate) fn name_key(text: &str) -> u32 {
    // Lowercased on the stack, in the one pass that finds the word's end:
    // a name is short, and a longer word keeps its first letters, which
    // hold the key (and no case ending is cut from it).
    let mut letters = ['\0'; MAX_LETTERS];
    let mut n = 0;
    let mut whole = true;
    for c in text.chars() {
        // Read as the tokenizer reads the word: its accents left apart
        // and its vowel points left out. A joiner inside a word (Sinhala's
        // clusters, "බ්‍රෙනර්") is no letter, and no end either; a
        // non-joiner is an end: India's scripts write one between a
        // foreign name and its suffix ("ଭେନ୍‌ର", Venn's), and Persian
        // between a prefix and its word.
        if !c.is_ascii() && (c == '\u{200d}' || crate::chars::is_dropped_mark(c)) {
            continue;
        }
        if !(crate::chars::is_alphanumeric(c)
            || c == '\''
            || c == '’'
            || !c.is_ascii() && crate::chars::is_kept_mark(c))
        {
            break;
        }
        if n == MAX_LETTERS {
            whole = false;
            break;
        }
        letters[n] = if c.is_ascii() {
            c.to_ascii_lowercase()
        } else if crate::chars::changes_in_lowercase(c) {
            c.to_lowercase().next().unwrap_or(c)
        } else {
            c
        };
        n += 1;
    }
    let word = strip_article(&letters[..n]);
    let stem = if whole { strip_case_ending(word) } else { word };
    if stem.first().is_some_and(|c| is_hangul(*c)) {
        return hangul_key(if whole { strip_particle(stem) } else { stem });
    }
    key_of_letters(stem)
}

/// The key of a Hangul word (without its particle), read as its
/// syllables' letters.
#[cold]
fn hangul_key(syllables: &[char]) -> u32 {
    let mut letters = ['\0'; MAX_LETTERS * 3];
    let mut n = 0;
    for c in syllables.iter().flat_map(|s| jamo(*s)) {
        letters[n] = c;
        n += 1;
    }
    key_of_letters(&letters[..n])
}

/// The key of a word's lowercase letters, from its first consonant sounds.
pub(crate) fn key_of_letters(stem: &[char]) -> u32 {
    key_of_sounds(stem.len(), |i| sound_at(stem, i))
}

/// The key of a run of Chinese characters read for their sounds
/// (`han_sounds.rs`), Simplified.
pub(crate) fn han_key(run: &[char]) -> u32 {
    let sounds = han_sounds::sounds(run);
    key_of_sounds(sounds.len(), |i| Some((sounds[i], 1)))
}

/// The key of `len` letters whose sounds `sound_at` gives, each with the
/// letters it takes: 0 when one has none.
#[inline]
fn key_of_sounds(len: usize, sound_at: impl Fn(usize) -> Option<(Sound, usize)>) -> u32 {
    // One class more than the key keeps, so that a nasal in third place
    // still meets the stop after it.
    let mut classes = [0u8; KEY_CONSONANTS + 1];
    let mut kept = 0;
    let mut last = 0u8;
    let mut i = 0;
    while i < len && kept <= KEY_CONSONANTS {
        let (sound, used) = match sound_at(i) {
            Some(found) => found,
            None => return 0,
        };
        i += used;
        let mut keep = |class: u8| {
            // A nasal before its stop goes: Greek writes "nd" and "d" alike
            // as ντ ("Lindqvist", "Λίντκβιστ").
            if (class, last) == (b'd', b'n') {
                kept -= 1;
            }
            // Greek writes "mb" and "b" alike as μπ, and Lao, Khmer and
            // Burmese write "Trump" without its "p" ("ត្រាំ"): "m" before
            // "b" is a class of either sound ("M", `TWO_SOUNDS`).
            if matches!((class, last), (b'b' | b'B', b'm')) {
                classes[kept - 1] = b'M';
                last = class;
                return;
            }
            // A doubled letter is one sound ("Keller", "Келлер").
            if class != last && kept <= KEY_CONSONANTS {
                classes[kept] = class;
                kept += 1;
            }
            last = class;
        };
        match sound {
            Sound::Consonant(c) => keep(c),
            Sound::Pair(a, b) => {
                keep(a);
                keep(b);
            }
            Sound::Syllable(c) => {
                keep(c);
                last = 0;
            }
            Sound::Vowel => last = 0,
            Sound::Silent => {}
        }
    }
    if kept < MIN_CONSONANTS {
        return 0;
    }
    classes[..KEY_CONSONANTS]
        .iter()
        .fold(0u32, |key, class| (key << 8) | u32::from(*class))
}

/// Arabic's article "ال", alone or after a one-letter prefix ("وال",
/// "and the"), when a word of at least three letters follows: "الكرملين"
/// is "كرملين" (Kremlin).
fn strip_article(word: &[char]) -> &[char] {
    match word {
        ['ا', 'ل', rest @ ..] if rest.len() >= 3 => rest,
        ['و' | 'ب' | 'ف' | 'ك', 'ا', 'ل', rest @ ..] if rest.len() >= 3 => rest,
        _ => word,
    }
}

/// Russian and Ukrainian endings of the instrumental, prepositional and
/// genitive plural that add a consonant ("Ираном", "Киевах"); other endings
/// are vowels, which the key drops anyway.
fn strip_case_ending(word: &[char]) -> &[char] {
    const ENDINGS: [&[char]; 14] = [
        &['а', 'м', 'и'],
        &['я', 'м', 'и'],
        &['ы', 'м', 'и'],
        &['и', 'м', 'и'],
        &['о', 'м', 'у'],
        &['е', 'м', 'у'],
        &['о', 'м'],
        &['е', 'м'],
        &['ё', 'м'],
        &['ы', 'м'],
        &['и', 'м'],
        &['і', 'м'],
        &['а', 'х'],
        &['я', 'х'],
    ];
    // Only a Cyrillic word has these endings.
    if !word
        .last()
        .is_some_and(|c| ('\u{0430}'..='\u{045f}').contains(c))
    {
        return word;
    }
    for ending in ENDINGS {
        if word.len() > ending.len() + 2 && word.ends_with(ending) {
            return &word[..word.len() - ending.len()];
        }
    }
    word
}

/// The sound of the letter at `i` and the letters it takes, or None for a
/// digit or a letter of another script.
fn sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    let c = word[i];
    let next = word.get(i + 1).copied();
    let at_start = i == 0;
    let at_end = i + 1 == word.len();
    let one = |s: Sound| Some((s, 1));
    let two = |s: Sound| Some((s, 2));
    use Sound::{Consonant as C, Pair, Silent, Vowel};
    match c {
        // Latin, with the digraphs that stand for one sound.
        'c' => match next {
            // English "ch" (Charles, Чарльз) or German and Czech "ch"
            // (Kirchberg, Кирхберг; Chrudim, Хрудим): a class that meets
            // either (`TWO_SOUNDS`).
            Some('h') => two(C(b'X')),
            Some('k') => two(C(b'k')),
            Some('e' | 'i' | 'y') => one(C(b's')),
            _ => one(C(b'k')),
        },
        's' if next == Some('h') => two(C(b'S')),
        's' if next == Some('c') && word.get(i + 2) == Some(&'h') => Some((C(b'S'), 3)),
        's' if at_start && matches!(next, Some('t' | 'p')) => one(C(b'Y')),
        'z' if next == Some('h') => two(C(b'Z')),
        'k' if next == Some('h') => two(C(b'G')),
        'p' if next == Some('h') => two(C(b'v')),
        't' if next == Some('h') => two(C(b't')),
        'd' if next == Some('j') => two(C(b'j')),
        'b' | 'd' | 'k' | 'l' | 'm' | 'n' | 'r' | 's' | 't' | 'v' => one(C(c as u8)),
        'p' => one(C(b'b')),
        'f' => one(C(b'v')),
        // An "h" after a voiced consonant writes no sound of its own in
        // the names other scripts write by sound: India's aspirates
        // ("Gandhi", "Bhutan", "Dhaka"; "गांधी", "Ганди"), Greek's "rh"
        // ("Rhodes", "Ρόδος"), Portuguese "lh" and "nh", English "wh".
        'h' if i > 0 && matches!(word[i - 1], 'b' | 'd' | 'g' | 'j' | 'l' | 'n' | 'r' | 'w') => {
            one(Silent)
        }
        'g' | 'h' => one(C(b'G')),
        'z' => one(C(b'W')),
        'ß' | 'ç' | 'ś' => one(C(b's')),
        'q' => one(C(b'k')),
        'x' => one(Pair(b'k', b's')),
        'w' => one(C(b'v')),
        'j' => one(C(b'j')),
        'y' if at_start => one(C(b'j')),
        'č' | 'ć' => one(C(b'C')),
        'š' => one(C(b'S')),
        'ž' | 'ź' | 'ż' => one(C(b'Z')),
        'ñ' | 'ń' | 'ň' => one(C(b'n')),
        'ł' | 'ľ' | 'ĺ' => one(C(b'l')),
        'ř' => one(C(b'r')),
        'đ' | 'ď' => one(C(b'd')),
        'ť' => one(C(b't')),
        'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ą' | 'é'
        | 'è' | 'ê' | 'ë' | 'ě' | 'ę' | 'í' | 'ì' | 'î' | 'ï' | 'ó' | 'ò' | 'ô' | 'ö' | 'õ'
        | 'ø' | 'ú' | 'ù' | 'û' | 'ü' | 'ů' | 'ý' | 'ÿ' | 'æ' | 'œ' => one(Vowel),
        '\'' | '’' => one(Silent),
        // Cyrillic (Russian, Ukrainian, Belarusian, Bulgarian, Serbian).
        'д' if next == Some('ж') => two(C(b'j')),
        'б' => one(C(b'b')),
        'в' => one(C(b'v')),
        'г' | 'ґ' | 'х' => one(C(b'G')),
        'д' => one(C(b'd')),
        'ж' => one(C(b'Z')),
        'з' | 'с' | 'ѕ' => one(C(b's')),
        'к' => one(C(b'k')),
        'л' | 'љ' => one(C(b'l')),
        'м' => one(C(b'm')),
        'н' | 'њ' => one(C(b'n')),
        'п' => one(C(b'b')),
        'р' => one(C(b'r')),
        'т' => one(C(b't')),
        'ф' => one(C(b'v')),
        'ц' => one(Pair(b't', b's')),
        'ч' | 'ћ' => one(C(b'C')),
        'ш' | 'щ' => one(C(b'S')),
        'ђ' | 'џ' | 'ј' => one(C(b'j')),
        'я' | 'ю' | 'є' | 'ї' | 'й' if at_start => one(C(b'j')),
        'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'і' | 'ї' | 'є' | 'й' | 'ў' => {
            one(Vowel)
        }
        'ь' | 'ъ' => one(Silent),
        // Greek, with μπ for b and ντ for d.
        'μ' if next == Some('π') => two(C(b'b')),
        'ν' if next == Some('τ') => two(C(b'd')),
        'β' => one(C(b'v')),
        'γ' | 'χ' => one(C(b'G')),
        'δ' => one(C(b'd')),
        'ζ' | 'σ' | 'ς' => one(C(b's')),
        'θ' | 'τ' => one(C(b't')),
        'κ' => one(C(b'k')),
        'λ' => one(C(b'l')),
        'μ' => one(C(b'm')),
        'ν' => one(C(b'n')),
        'ξ' => one(Pair(b'k', b's')),
        'π' => one(C(b'b')),
        'ρ' => one(C(b'r')),
        'φ' => one(C(b'v')),
        'ψ' => one(Pair(b'b', b's')),
        'α' | 'ε' | 'η' | 'ι' | 'ο' | 'υ' | 'ω' | 'ά' | 'έ' | 'ή' | 'ί' | 'ό' | 'ύ' | 'ώ' | 'ϊ'
        | 'ΐ' | 'ϋ' | 'ΰ' => one(Vowel),
        // Arabic (and the letters Persian and Urdu add). "و" and "ي" are
        // "w" and "y" at a word's start and long vowels inside it; a final
        // "ه" or "ة" ends a word on a vowel ("إيلزه", Ilse).
        'ب' | 'پ' => one(C(b'b')),
        'ت' | 'ث' | 'ط' | 'ٹ' => one(C(b't')),
        'ج' => one(C(b'j')),
        'چ' => one(C(b'C')),
        'ح' | 'خ' | 'غ' | 'گ' => one(C(b'G')),
        'ه' | 'ہ' if !at_end => one(C(b'G')),
        'د' | 'ذ' | 'ض' | 'ڈ' => one(C(b'd')),
        'ر' | 'ڑ' => one(C(b'r')),
        'ز' | 'س' | 'ص' | 'ظ' => one(C(b's')),
        'ژ' => one(C(b'Z')),
        'ش' => one(C(b'S')),
        'ف' => one(C(b'v')),
        'ق' | 'ك' | 'ک' => one(C(b'k')),
        'ل' => one(C(b'l')),
        'م' => one(C(b'm')),
        'ن' | 'ں' => one(C(b'n')),
        'و' if at_start => one(C(b'v')),
        'ي' | 'ی' if at_start => one(C(b'j')),
        'ا' | 'أ' | 'إ' | 'آ' | 'ى' | 'و' | 'ي' | 'ی' | 'ے' | 'ة' | 'ه' | 'ہ' => {
            one(Vowel)
        }
        'ع' | 'ء' | 'ئ' | 'ؤ' | 'ھ' => one(Silent),
        // Hebrew, with its final forms. "ו" is "v" at a word's start or
        // doubled, and a vowel otherwise; "י" is "y" at the start; a final
        // "ה" ends a word on a vowel; a geresh makes "ג", "ז" and "צ" the
        // sounds of "j", "zh" and "ch".
        'ג' | 'ז' | 'צ' if matches!(next, Some('\'' | '’')) => two(match c {
            'ג' => C(b'j'),
            'ז' => C(b'Z'),
            _ => C(b'C'),
        }),
        'ב' => one(C(b'b')),
        'ג' | 'ח' | 'ך' => one(C(b'G')),
        'ה' if !at_end => one(C(b'G')),
        'ד' => one(C(b'd')),
        'ו' if next == Some('ו') => two(C(b'v')),
        'ו' if at_start => one(C(b'v')),
        'ז' | 'ס' => one(C(b's')),
        'ט' | 'ת' => one(C(b't')),
        'י' if at_start => one(C(b'j')),
        'כ' | 'ק' => one(C(b'k')),
        'ל' => one(C(b'l')),
        'מ' | 'ם' => one(C(b'm')),
        'נ' | 'ן' => one(C(b'n')),
        'פ' if at_start => one(C(b'b')),
        'פ' | 'ף' => one(C(b'v')),
        'צ' | 'ץ' => one(Pair(b't', b's')),
        'ר' => one(C(b'r')),
        'ש' => one(C(b'S')),
        'ו' | 'י' | 'ה' => one(Vowel),
        'א' | 'ע' => one(Silent),
        c if indic::is_indic(c) => indic::sound_at(word, i),
        c if caucasus::reads(c) => caucasus::sound_at(word, i),
        c if thai::in_run(c) => thai::sound_at(word, i),
        c if sinhala::is_sinhala(c) => sinhala::sound_at(word, i),
        c if lao_khmer_burmese::script_of(c).is_some() => lao_khmer_burmese::sound_at(word, i),
        c if ethiopic::is_ethiopic(c) => ethiopic::sound_at(word, i),
        c if thaana::is_thaana(c) => thaana::sound_at(word, i),
        // Katakana and Hangul letters, or None.
        _ => kana_hangul::sound_at(word, i),
    }
}

#[cfg(test)]
#[path = "name_keys_tests.rs"]
mod tests;
