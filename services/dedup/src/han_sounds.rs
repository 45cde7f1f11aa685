//! Name keys (`name_keys.rs`) for foreign names written in Chinese.
//!
//! Chinese writes a foreign name with characters chosen for their sound
//! from a small set, which Xinhua's transliteration tables fix: "Brenner"
//! is "布伦纳" (bu-lun-na), "Lindqvist" "林德奎斯特" (lin-de-kui-si-te).
//! A run of such characters is read as a word, each character as its
//! syllable: its first consonant, a vowel, and a final "n", "ng" or "r"
//! ("尔", er). As in Japanese and Korean, "l" and "r" are one class ("R");
//! "b" and "p", "f", "v" and "w" fall in the classes Latin keys give them.
//!
//! Only characters that seldom stand next to another such character in a
//! common word are listed: "本" (ben) is left out for "基本" (basic), "东"
//! (dong) for "东西" (thing), "南" for "西南" (south-west), "海" for
//! "沿海登陆" (making landfall on the coast), "多" for "多达" (as many
//! as). Of the 2,969 words of two or more such characters in wordfreq's
//! Chinese table, the most frequent are names' pieces ("罗斯", "利亚",
//! "纽约"); the common words left ("福利", welfare; "加班", overtime) are
//! rare among a report's strongest terms, and those the table rates most
//! common are no name (`entities::capitalised`).

use crate::name_keys::Sound::{self, Consonant as C, Pair, Vowel};

/// The syllable (pinyin, without tones) a character stands for in a
/// foreign name, for the characters read so; None for the others.
/// Simplified forms: a Traditional character is folded first (`cjk::fold`).
pub(crate) fn syllable(c: char) -> Option<&'static str> {
    Some(match c {
        '阿' => "a",
        '埃' | '艾' => "ai",
        '安' => "an",
        '奥' => "ao",
        '欧' => "ou",
        '厄' => "e",
        '恩' => "en",
        '尔' => "er",
        '伊' => "yi",
        '乌' => "wu",
        '巴' => "ba",
        '拜' => "bai",
        '班' => "ban",
        '邦' => "bang",
        '保' | '鲍' => "bao",
        '贝' => "bei",
        '比' | '彼' => "bi",
        '宾' => "bin",
        '波' | '博' | '伯' => "bo",
        '布' => "bu",
        '帕' => "pa",
        '派' => "pai",
        '潘' => "pan",
        '佩' => "pei",
        '彭' => "peng",
        '皮' => "pi",
        '珀' => "po",
        '普' => "pu",
        '马' | '玛' => "ma",
        '迈' | '麦' => "mai",
        '曼' => "man",
        '梅' => "mei",
        '门' => "men",
        '蒙' => "meng",
        '米' => "mi",
        '敏' => "min",
        '明' => "ming",
        '莫' | '默' => "mo",
        '姆' | '穆' | '慕' => "mu",
        '法' => "fa",
        '凡' | '范' => "fan",
        '菲' | '费' => "fei",
        '芬' => "fen",
        '弗' | '福' | '夫' | '芙' => "fu",
        '达' => "da",
        '戴' | '黛' => "dai",
        '丹' => "dan",
        '德' => "de",
        '得' => "te",
        '登' => "deng",
        '迪' => "di",
        '丁' => "ding",
        '杜' => "du",
        '敦' | '顿' => "dun",
        '塔' => "ta",
        '泰' => "tai",
        '坦' => "tan",
        '汤' | '唐' => "tang",
        '陶' => "tao",
        '特' => "te",
        '滕' => "teng",
        // "蒂" (di) writes the "t" of Tim (蒂姆) and Stephen (斯蒂芬).
        '提' | '缇' | '蒂' => "ti",
        '廷' => "ting",
        '图' => "tu",
        '托' => "tuo",
        '纳' | '娜' => "na",
        '奈' => "nai",
        '瑙' => "nao",
        '内' => "nei",
        '嫩' => "nen",
        '尼' | '妮' => "ni",
        '宁' => "ning",
        '纽' => "niu",
        '农' => "nong",
        '努' => "nu",
        '诺' => "nuo",
        '拉' => "la",
        '莱' => "lai",
        '兰' => "lan",
        '朗' => "lang",
        '劳' => "lao",
        '勒' => "le",
        '雷' | '蕾' => "lei",
        '里' | '利' | '莉' | '丽' => "li",
        '列' => "lie",
        '连' => "lian",
        '林' | '琳' => "lin",
        '隆' => "long",
        '卢' | '鲁' | '露' => "lu",
        '伦' => "lun",
        '罗' | '洛' => "luo",
        '盖' => "gai",
        '甘' => "gan",
        '冈' => "gang",
        '戈' | '格' => "ge",
        '根' => "gen",
        '贡' => "gong",
        '古' => "gu",
        '圭' => "gui",
        '卡' => "ka",
        '凯' => "kai",
        '坎' => "kan",
        '康' => "kang",
        '柯' | '科' | '克' => "ke",
        '肯' => "ken",
        '库' => "ku",
        '奎' => "kui",
        '昆' => "kun",
        '哈' => "ha",
        '汉' | '翰' => "han",
        '豪' => "hao",
        '赫' => "he",
        '黑' => "hei",
        '亨' => "heng",
        '胡' => "hu",
        '霍' => "huo",
        '基' | '吉' => "ji",
        '佳' | '加' | '贾' => "jia",
        '简' => "jian",
        '杰' | '捷' => "jie",
        '京' => "jing",
        '奇' | '琪' => "qi",
        '乔' => "qiao",
        '切' => "qie",
        '钦' | '琴' => "qin",
        '琼' => "qiong",
        '丘' => "qiu",
        '西' | '希' | '锡' => "xi",
        '夏' => "xia",
        '肖' => "xiao",
        '谢' => "xie",
        '辛' => "xin",
        '休' => "xiu",
        '扎' => "zha",
        '詹' => "zhan",
        '哲' => "zhe",
        '珍' => "zhen",
        '朱' => "zhu",
        '查' => "cha",
        '沙' | '莎' => "sha",
        '舍' => "she",
        '什' | '施' => "shi",
        '舒' => "shu",
        '瑞' => "rui",
        '泽' => "ze",
        '兹' => "zi",
        '祖' => "zu",
        '佐' => "zuo",
        '茨' => "ci",
        '萨' => "sa",
        '塞' => "sai",
        '桑' => "sang",
        '瑟' => "se",
        '斯' => "si",
        '松' => "song",
        '苏' => "su",
        '索' => "suo",
        '瓦' => "wa",
        '威' | '韦' | '维' | '薇' => "wei",
        '温' => "wen",
        '沃' => "wo",
        '亚' | '雅' | '娅' => "ya",
        '扬' => "yang",
        '耶' => "ye",
        '尤' => "you",
        '约' => "yue",
        _ => return None,
    })
}

/// Whether `c` (Simplified) is read for its sound in a foreign name.
pub(crate) fn is_sound_character(c: char) -> bool {
    syllable(c).is_some()
}

/// The sounds of a run of sound characters (`syllable`), in order, as
/// `name_keys` reads a word's letters.
pub(crate) fn sounds(run: &[char]) -> Vec<Sound> {
    let mut out = Vec::with_capacity(run.len() * 3);
    for (i, c) in run.iter().enumerate() {
        if let Some(s) = syllable(*c) {
            syllable_sounds(s, i == 0, &mut out);
        }
    }
    out
}

/// A syllable's first consonant, its vowel and its final consonant.
fn syllable_sounds(syllable: &str, at_start: bool, out: &mut Vec<Sound>) {
    let (initial, rest) = initial_of(syllable, at_start);
    out.extend(initial);
    out.push(Vowel);
    if rest == "er" {
        out.push(C(b'R'));
    } else if rest.ends_with("ng") {
        out.push(Pair(b'n', b'G'));
    } else if rest.ends_with('n') {
        out.push(C(b'n'));
    }
}

/// The consonant a syllable starts with, as the class a Latin key gives
/// the letter it stands for, and the rest of the syllable. "y" stands for
/// the "j" of "John" (约翰) or "Yuri" (尤里) only at a name's start, and
/// "伊" (yi) and "乌" (wu) for the vowels "i" and "u" ("伊尔泽", Ilse).
fn initial_of(syllable: &str, at_start: bool) -> (Option<Sound>, &str) {
    if matches!(syllable, "yi" | "wu") {
        return (None, &syllable[1..]);
    }
    for (written, sound) in [("zh", C(b'j')), ("ch", C(b'C')), ("sh", C(b'S'))] {
        if let Some(rest) = syllable.strip_prefix(written) {
            return (Some(sound), rest);
        }
    }
    let Some(first) = syllable.bytes().next() else {
        return (None, syllable);
    };
    let sound = match first {
        b'b' | b'p' => C(b'b'),
        b'm' => C(b'm'),
        b'f' | b'w' => C(b'v'),
        b'd' => C(b'd'),
        b't' => C(b't'),
        b'n' => C(b'n'),
        b'l' | b'r' => C(b'R'),
        b'g' | b'h' => C(b'G'),
        b'k' => C(b'k'),
        b'j' => C(b'j'),
        b'q' => C(b'C'),
        b'x' | b'z' | b's' => C(b's'),
        b'c' => Pair(b't', b's'),
        b'y' if at_start && syllable != "ya" => C(b'j'),
        b'y' => return (None, &syllable[1..]),
        _ => return (None, syllable),
    };
    (Some(sound), &syllable[1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_character_has_a_syllable_that_gives_a_vowel() {
        for c in "布伦纳林德奎斯特伊尔泽马滕约翰亚".chars() {
            let sounds = sounds(&[c]);
            assert!(sounds.contains(&Vowel), "{c}");
        }
        assert!(!is_sound_character('本') && !is_sound_character('的'));
        let initials = |run: &str| {
            let run: Vec<char> = run.chars().collect();
            sounds(&run)
                .into_iter()
                .filter(|s| *s != Vowel)
                .collect::<Vec<_>>()
        };
        assert_eq!(initials("布伦纳"), [C(b'b'), C(b'R'), C(b'n'), C(b'n')]);
        assert_eq!(initials("登"), [C(b'd'), Pair(b'n', b'G')]);
        assert_eq!(initials("伊尔"), [C(b'R')]);
        assert_eq!(initials("约翰"), [C(b'j'), C(b'G'), C(b'n')]);
        assert_eq!(initials("亚约"), []);
    }
}
