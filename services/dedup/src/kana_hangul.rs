//! Name keys (`name_keys.rs`) for Japanese katakana and Korean Hangul,
//! the two syllabaries that write foreign names by their sounds:
//! "Brenner" is "ブレンナー" and "브레너", all b-r-n.
//!
//! Each syllable gives its consonant and drops its vowel, as the other
//! scripts' keys do; the vowels both languages add between consonants
//! ("ク" for a bare "k") go with the rest. Neither tells "l" from "r", and
//! both write "b" and "v" alike (Korean also "p" and "f"): those are one
//! class each here, "R" and "B", which meet both of another script's
//! (`name_keys::same_name`); Korean's "ㅈ" writes both "j" and "z" (and a
//! German "s"), class "J". A Hangul syllable is read as its letters
//! (jamo): first consonant, vowel, last consonant.

use crate::name_keys::Sound::{self, Consonant as C, Pair, Silent, Vowel};

/// Whether `c` is a katakana letter, or the mark that lengthens a vowel:
/// what a foreign name in Japanese is written in. The middle dot between
/// a given name and a family name ("オラフ・ブレンナー") is not.
pub(crate) fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30a1}'..='\u{30fa}' | 'ー')
}

/// Whether `c` is a Hangul syllable.
pub(crate) fn is_hangul(c: char) -> bool {
    ('\u{ac00}'..='\u{d7a3}').contains(&c)
}

/// Korean particles that follow a noun in the same word and add a
/// consonant to it: "브레너는" (Brenner, as topic) is "브레너". Only those
/// that end no foreign name: "가", "도" and "로" do ("올가", Olga;
/// "린도"; "델라로").
const PARTICLES: [&[char]; 11] = [
    &['은'],
    &['는'],
    &['을'],
    &['를'],
    &['과'],
    &['으', '로'],
    &['에', '서'],
    &['에', '게'],
    &['까', '지'],
    &['부', '터'],
    &['께', '서'],
];

/// A Korean word without the particle it ends with, if the word is longer
/// than the particle by at least one syllable.
pub(crate) fn strip_particle(word: &[char]) -> &[char] {
    for particle in PARTICLES {
        if word.len() > particle.len() && word.ends_with(particle) {
            return &word[..word.len() - particle.len()];
        }
    }
    word
}

/// A Hangul syllable's letters (its canonical decomposition, in the
/// conjoining jamo block): two or three.
pub(crate) fn jamo(syllable: char) -> impl Iterator<Item = char> {
    let index = u32::from(syllable) - 0xac00;
    let (lead, vowel, tail) = (index / (21 * 28), index % (21 * 28) / 28, index % 28);
    [
        Some(0x1100 + lead),
        Some(0x1161 + vowel),
        (tail > 0).then_some(0x11a7 + tail),
    ]
    .into_iter()
    .flatten()
    .filter_map(char::from_u32)
}

/// The sound of the katakana letter or Hangul letter (jamo) at `i`, and the
/// letters it takes; None for any other character.
pub(crate) fn sound_at(word: &[char], i: usize) -> Option<(Sound, usize)> {
    let c = word[i];
    let next = word.get(i + 1).copied();
    let at_start = i == 0;
    let one = |s: Sound| Some((s, 1));
    // A small "ya", "yu", "yo" or "e" after "shi" or "chi" makes it "sh"
    // or "ch"; alone, they also write "si" and "ti" (シリア, Syria; プーチン,
    // Putin).
    let palatal = matches!(next, Some('ャ' | 'ュ' | 'ョ' | 'ェ'));
    match c {
        // Katakana.
        'ウ' if matches!(next, Some('ィ' | 'ェ' | 'ォ')) => Some((C(b'B'), 2)),
        'ヤ' | 'ユ' | 'ヨ' if at_start => one(C(b'j')),
        'ア' | 'イ' | 'ウ' | 'エ' | 'オ' | 'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' | 'ャ' | 'ュ'
        | 'ョ' | 'ヤ' | 'ユ' | 'ヨ' | 'ヮ' | 'ヲ' | 'ー' => one(Vowel),
        'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'ヵ' | 'ヶ' => one(C(b'k')),
        'ガ' | 'ギ' | 'グ' | 'ゲ' | 'ゴ' => one(C(b'G')),
        'シ' if palatal => one(C(b'S')),
        'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'ザ' | 'ズ' | 'ゼ' | 'ゾ' | 'ヅ' => {
            one(C(b's'))
        }
        'ジ' | 'ヂ' => one(C(b'j')),
        'チ' if palatal => one(C(b'C')),
        'タ' | 'チ' | 'テ' | 'ト' => one(C(b't')),
        'ツ' => one(Pair(b't', b's')),
        'ダ' | 'デ' | 'ド' => one(C(b'd')),
        'ナ' | 'ニ' | 'ヌ' | 'ネ' | 'ノ' => one(C(b'n')),
        // Also before "b" and "m", where it may be "m" ("ハンブルク",
        // Hamburg), as it is "n" in the "-nb-" of many more names
        // ("アルデンブルク", Aldenburg; "ローゼンベルク", Rosenberg).
        'ン' => one(C(b'n')),
        'ハ' | 'ヒ' | 'ヘ' | 'ホ' => one(C(b'G')),
        'フ' | 'ヴ' | 'ワ' | 'ヰ' | 'ヱ' => one(C(b'B')),
        'バ' | 'ビ' | 'ブ' | 'ベ' | 'ボ' | 'パ' | 'ピ' | 'プ' | 'ペ' | 'ポ' => {
            one(C(b'B'))
        }
        'マ' | 'ミ' | 'ム' | 'メ' | 'モ' => one(C(b'm')),
        'ラ' | 'リ' | 'ル' | 'レ' | 'ロ' => one(C(b'R')),
        // The small "tsu" doubles the next consonant.
        'ッ' => one(Silent),
        // Hangul: a syllable's first consonant (U+1100..), vowel (U+1161..)
        // and last consonant (U+11A8..).
        '\u{1100}'..='\u{1112}' => hangul_lead(c, next, at_start),
        '\u{1161}'..='\u{1175}' => one(Vowel),
        '\u{11a8}'..='\u{11c2}' => one(hangul_tail(c)),
        _ => None,
    }
}

/// A Hangul syllable's first consonant, and the vowel after it: "ㅇ" is
/// silent, but "w" before "wa", "wo", "wi" and "y" before "ya", "yo", "yu"
/// at a word's start ("워싱턴", Washington; "예일", Yale).
fn hangul_lead(c: char, vowel: Option<char>, at_start: bool) -> Option<(Sound, usize)> {
    let w_vowel = matches!(
        vowel,
        Some('\u{116a}'..='\u{116c}' | '\u{116f}'..='\u{1171}')
    );
    let y_vowel = matches!(
        vowel,
        Some('\u{1163}' | '\u{1164}' | '\u{1167}' | '\u{1168}' | '\u{116d}' | '\u{1172}')
    );
    let sound = match c {
        '\u{1100}' => C(b'G'),
        '\u{1101}' | '\u{110f}' => C(b'k'),
        '\u{1102}' => C(b'n'),
        '\u{1103}' => C(b'd'),
        '\u{1104}' | '\u{1110}' => C(b't'),
        '\u{1105}' => C(b'R'),
        '\u{1106}' => C(b'm'),
        '\u{1107}' | '\u{1108}' | '\u{1111}' => C(b'B'),
        // "sh" before "ya", "yo", "yu", "ye" ("셰", "she").
        '\u{1109}' | '\u{110a}' if y_vowel => C(b'S'),
        '\u{1109}' | '\u{110a}' => C(b's'),
        '\u{110b}' if w_vowel => C(b'B'),
        '\u{110b}' if y_vowel && at_start => C(b'j'),
        '\u{110b}' => Silent,
        // "ㅈ" writes the "j" of "Jones" (존스) and the "z" of "Zelensky"
        // (젤렌스키) and of a German "s" ("일제", Ilse): one class for both.
        '\u{110c}' | '\u{110d}' => C(b'J'),
        '\u{110e}' => C(b'C'),
        _ => C(b'G'),
    };
    Some((sound, 1))
}

/// A Hangul syllable's last consonant, as loanwords write them: "ㅅ" is a
/// final "t" ("로봇", robot), "ㅇ" is "ng".
fn hangul_tail(c: char) -> Sound {
    match c {
        '\u{11a8}'..='\u{11aa}' | '\u{11bf}' => C(b'k'),
        '\u{11ab}'..='\u{11ad}' => C(b'n'),
        '\u{11ae}' | '\u{11ba}' | '\u{11bb}' | '\u{11bd}' | '\u{11be}' | '\u{11c0}' => C(b't'),
        '\u{11af}'..='\u{11b6}' => C(b'R'),
        '\u{11b7}' => C(b'm'),
        '\u{11b8}' | '\u{11b9}' | '\u{11c1}' => C(b'B'),
        '\u{11bc}' => Pair(b'n', b'G'),
        _ => Silent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hangul_syllable_is_its_letters_and_particles_come_off() {
        assert_eq!(jamo('한').collect::<String>(), "\u{1112}\u{1161}\u{11ab}");
        assert_eq!(jamo('브').collect::<String>(), "\u{1107}\u{1173}");
        let word: Vec<char> = "브레너는".chars().collect();
        assert_eq!(strip_particle(&word), &word[..3]);
        let word: Vec<char> = "델라로".chars().collect();
        assert_eq!(strip_particle(&word), &word[..]);
        let word: Vec<char> = "는".chars().collect();
        assert_eq!(strip_particle(&word), &word[..]);
        assert!(is_katakana('ブ') && is_katakana('ー') && !is_katakana('・'));
        assert!(is_hangul('브') && !is_hangul('ブ'));
    }
}
