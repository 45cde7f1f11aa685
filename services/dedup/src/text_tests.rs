//! The one-pass readers of `text.rs` against the rules written plainly.

use super::runs::is_kana;
use super::*;
use crate::chars::{ascii_of, is_dropped_mark, is_kept_mark};
use crate::stopwords::STOP;
use crate::word_cut::Script;

/// The word rules written plainly: slice each word out, then look at it.
/// Hashes are persisted, so the one-pass reader must agree exactly.
fn tokens_by_slices(text: &str) -> Vec<(u64, bool, bool, bool)> {
    let text = &*icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(text);
    enum Piece<'a> {
        Word(&'a str, bool),
        /// A run of CJK characters, folded.
        Run(Vec<char>),
        /// A run of Thai, Lao, Khmer or Burmese, cut into words.
        Syllables(&'a str, Script),
    }
    let mut at_start = true;
    let mut start: Option<usize> = None;
    let mut run = Vec::new();
    let mut syllabic: Option<(usize, Script)> = None;
    let mut pieces = Vec::new();
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        let cjk_char = i < text.len() && cjk::is_cjk(c);
        let script = Script::of(c).filter(|_| i < text.len());
        if let Some((s, of)) = syllabic
            && script != Some(of)
        {
            pieces.push(Piece::Syllables(&text[s..i], of));
            syllabic = None;
            at_start = false;
        }
        if (cjk_char || script.is_some() && c.is_alphanumeric() || i == text.len())
            && let Some(s) = start.take()
        {
            pieces.push(Piece::Word(&text[s..i], at_start));
            at_start = false;
        }
        if cjk_char {
            run.push(cjk::fold(c));
            continue;
        }
        if !run.is_empty() {
            pieces.push(Piece::Run(std::mem::take(&mut run)));
            at_start = false;
        }
        if let Some(of) = script
            && (syllabic.is_some() || c.is_alphanumeric())
        {
            syllabic.get_or_insert((i, of));
            continue;
        }
        // Arabic's and Hebrew's vowel points are letters to Unicode, and
        // are left out: alone they start no word.
        if start.is_none() && c.is_alphanumeric() && is_dropped_mark(c) {
            continue;
        }
        let letter = c.is_alphanumeric() || ascii_of(c).is_some();
        // A mark that is not a letter stays in the word it follows, and a
        // joiner too when a letter follows it.
        let next_is_letter = text[i..].chars().nth(1).is_some_and(char::is_alphanumeric);
        let mark = start.is_some()
            && (is_dropped_mark(c)
                || is_kept_mark(c)
                || matches!(c, '\u{200c}' | '\u{200d}') && next_is_letter);
        let digit = |c: char| c.is_ascii_digit() || ascii_of(c).is_some_and(|b| b.is_ascii_digit());
        // A comma or point between digits is inside a number.
        let in_number = matches!(c, ',' | '.' | '٫' | '٬')
            && start.is_some_and(|s| {
                text[s..i]
                    .chars()
                    .filter(|c| !is_dropped_mark(*c))
                    .all(|c| digit(c) || matches!(c, ',' | '.' | '٫' | '٬'))
            })
            && text[i + c.len_utf8()..].chars().next().is_some_and(digit);
        if i < text.len()
            && (letter || mark || in_number || ((c == '\'' || c == '’') && start.is_some()))
        {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            pieces.push(Piece::Word(&text[s..i], at_start));
            at_start = false;
        }
        if ".!?\n:\"“(-—•。！？：「（".contains(c) {
            at_start = true;
        }
    }
    let mut out = Vec::new();
    for piece in pieces {
        let (word, at_start) = match piece {
            Piece::Word(word, at_start) => (word, at_start),
            Piece::Run(run) if run.len() == 1 => {
                out.push((hash64(run[0].to_string().as_bytes()), true, false, false));
                continue;
            }
            Piece::Run(run) => {
                for pair in run.windows(2) {
                    let pair: String = pair.iter().collect();
                    out.push((hash64(pair.as_bytes()), false, false, false));
                }
                continue;
            }
            Piece::Syllables(run, script) => {
                for w in script.words_of(run) {
                    out.push((hash64(run[w].as_bytes()), false, false, false));
                }
                continue;
            }
        };
        // In a number, a separator before three digits (thousands) goes,
        // and any other (a decimal point) is read as ".".
        let mut w = String::new();
        // Marks left out of a word go first: an apostrophe before one is
        // still at the word's end.
        let kept: String = word.chars().filter(|c| !is_dropped_mark(*c)).collect();
        let word = kept.as_str();
        for (k, c) in word.trim_matches(|c| c == '\'' || c == '’').char_indices() {
            match c {
                ',' | '.' | '٫' | '٬' => {
                    let rest = &word.trim_matches(|c| c == '\'' || c == '’')[k + c.len_utf8()..];
                    let digits = rest
                        .chars()
                        .take(4)
                        .take_while(|c| {
                            ascii_of(*c).map_or(c.is_ascii_digit(), |b| b.is_ascii_digit())
                        })
                        .count();
                    if c == '٫' || c != '٬' && digits != 3 {
                        w.push('.');
                    }
                }
                c => w.push(ascii_of(c).map_or(c, char::from)),
            }
        }
        let lower: String = w
            .chars()
            .flat_map(|c| {
                if c == '’' {
                    '\''.to_lowercase().collect::<Vec<_>>()
                } else if c == 'ß' || c == 'ẞ' {
                    vec!['s', 's']
                } else if c == 'ς' {
                    vec!['σ']
                } else {
                    c.to_lowercase().collect()
                }
            })
            .collect();
        let hash = hash64(lower.as_bytes());
        let first = w.chars().next().unwrap();
        out.push((
            hash,
            // The plain list, not the bitmapped set the tokenizer reads.
            lower.chars().count() == 1 || STOP.contains(&lower.as_str()),
            first.is_uppercase() && !at_start && w.chars().any(char::is_lowercase),
            w.len() >= 2 && w.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
        ));
    }
    out
}

/// Texts drawn from an alphabet of the cases that matter: case, digits,
/// numbers with separators, both apostrophes, sentence marks, every kind of whitespace, letters
/// that lowercase to two characters, Cyrillic, CJK (Traditional, Simplified,
/// Kana, Hangul), full-width letters and final sigma.
fn tricky_texts() -> Vec<String> {
    const PIECES: &[&str] = &[
        "Obama",
        "the",
        "ECB",
        "2024",
        "7",
        "don't",
        "players'",
        "’tis",
        "O’Neil",
        ".",
        "!",
        "?",
        ":",
        "\"",
        "“",
        "(",
        "-",
        "—",
        "•",
        " ",
        "  ",
        "\t",
        "\n",
        "\u{b}",
        "\u{c}",
        "\r",
        "\u{1f}",
        "\u{85}",
        "\u{a0}",
        "\u{3000}",
        "İstanbul",
        "ΣΟΦΊΑ",
        "Києві",
        "für",
        "Straße",
        "STRAẞE",
        "ß",
        "東京",
        "東京都",
        "地震",
        "した",
        "々",
        "ｶﾀ",
        "𠀀",
        "지진이",
        "７",
        "Ｍ",
        "ｍ",
        "。",
        "！",
        "「",
        "（",
        "x",
        "A",
        "It's",
        "'",
        "’",
        "according",
        "ACCORDING",
        "naïve",
        "Ⅻ",
        "٣٤",
        ",",
        "٫",
        "٬",
        "000",
        "12",
        "5,000",
        "6.1",
        "1.200",
        "٦٫٤",
        "٥٬٠٠٠",
        "2,5",
        // Marks: an accent apart from its letter, which NFC composes or
        // leaves ("q\u{301}"); a Russian stress mark; Hindi's virama and
        // nukta; Persian's joiner; Arabic's vowel points and tatweel;
        // Khmer's subscript sign, which still cuts its run.
        "e\u{301}",
        "q\u{301}",
        "\u{301}",
        "Пу\u{301}тин",
        "प्रधानमंत्री",
        "ज़िले",
        "\u{94d}",
        "می\u{200c}شود",
        "\u{200c}",
        "\u{200d}",
        "كَتَبَ",
        "\u{64e}",
        "ـ",
        "ក្រុង",
        "ပူတင်",
        "ໄບເດັນ",
        "\u{17b6}",
        "\u{103a}",
        "της",
        "ΤΗΣ",
        "५.३",
        "১২,০০০",
        "௬",
        "໖",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    (0..400)
        .map(|_| {
            let len = (seed % 40) as usize;
            (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    PIECES[(seed % PIECES.len() as u64) as usize]
                })
                .collect()
        })
        .collect()
}

#[test]
fn one_pass_tokens_agree_with_the_plain_word_rules() {
    for text in tricky_texts() {
        let got: Vec<_> = tokens(&text)
            .iter()
            .map(|t| (t.hash, t.stop, t.capitalised, t.number))
            .collect();
        assert_eq!(got, tokens_by_slices(&text), "text: {text:?}");
    }
}

#[test]
fn the_exact_copy_hash_is_of_the_collapsed_lowercase_text() {
    // Runs of the texts too, so that texts cross the hashing buffer's end
    // at every kind of character.
    let short = tricky_texts();
    let long = short.windows(12).map(|run| run.concat());
    for text in short.iter().cloned().chain(long) {
        let composed = icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(&text);
        let collapsed = composed
            .split_whitespace()
            .map(|w| w.chars().flat_map(char::to_lowercase).collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        let digest = Sha256::digest(collapsed.as_bytes());
        assert_eq!(
            tokens_and_text_hash(&text).1.to_be_bytes(),
            digest[..8],
            "{text:?}"
        );
    }
}

#[test]
fn no_stopword_is_longer_than_the_length_checked() {
    let longest = STOP.iter().map(|w| w.len()).max().unwrap();
    assert_eq!(longest, STOPWORD_MAX_BYTES);
}

#[test]
fn the_stopword_bitmap_lets_every_stopword_through_and_no_other_word() {
    for w in STOP {
        assert!(STOPWORDS.get(hash64(w.as_bytes())).is_some(), "{w}");
    }
    // Short words that are not stopwords: many pass the bitmap by chance
    // (about one in twenty), and the set behind it must turn them away.
    let mut passed_bitmap = 0;
    for i in 0..20_000u32 {
        let w = format!("w{i}");
        let hash = hash64(w.as_bytes());
        passed_bitmap += usize::from(STOPWORDS.may_hold(hash));
        assert!(STOPWORDS.get(hash).is_none(), "{w}");
    }
    assert!(
        passed_bitmap > 0,
        "the set behind the bitmap was never asked"
    );
}

#[test]
fn cjk_is_read_in_pairs_with_traditional_characters_as_simplified() {
    let read = |text: &str| {
        tokens(text)
            .iter()
            .map(|t| (t.hash, t.pair, t.stop, t.number))
            .collect::<Vec<_>>()
    };
    let pair = |p: &str| (hash64(p.as_bytes()), true, false, false);
    assert_eq!(read("东京都"), vec![pair("东京"), pair("京都")]);
    assert_eq!(read("東京都"), read("东京都"));
    // A character alone is itself, and too short to be a term.
    assert_eq!(
        read("震。"),
        vec![(hash64("震".as_bytes()), false, true, false)]
    );
    // Words around a run stay words; full-width digits are digits.
    assert_eq!(
        read("Ｍ７.6 の地震 2024年"),
        read("M7.6")
            .into_iter()
            .chain([pair("の地"), pair("地震")])
            .chain(read("2024"))
            .chain([(hash64("年".as_bytes()), false, true, false)])
            .collect::<Vec<_>>()
    );
    assert!(read("２０２４")[0].3);
    // Arabic-Indic and Persian digits are digits too: "٢٠٢٤" and "۲۰۲۴"
    // are the number 2024, and "٦٫٤" is 6.4 (the word before them is
    // still a word).
    assert_eq!(read("زلزال ٢٠٢٤")[1], read("2024")[0]);
    assert_eq!(read("۲۰۲۴"), read("2024"));
    assert_eq!(read("٦٫٤"), read("6.4"));
    // Korean words are read in pairs inside each word. Each pair carries
    // its word's name key (`kana_hangul.rs`), and none is a name of its own.
    let korean = tokens("지진이 발생");
    assert_eq!(
        korean.iter().map(|t| t.hash).collect::<Vec<_>>(),
        [pair("지진").0, pair("진이").0, pair("발생").0]
    );
    assert!(
        korean
            .iter()
            .all(|t| !t.pair && !t.capitalised && t.name_key != 0)
    );
    assert_eq!(korean[0].name_key, korean[1].name_key);
    assert_ne!(korean[1].name_key, korean[2].name_key);
}

/// Each token's hash, whether it is a pair and whether it has a name key.
fn pairs_keyed(toks: &[Token]) -> Vec<(u64, bool, bool)> {
    toks.iter()
        .map(|t| (t.hash, t.pair, t.name_key != 0))
        .collect()
}

/// `pairs_keyed` as it should read for these pairs: those within `word`
/// keyed, and pairs unless they are keyed and `keyed_stay_pairs` is false.
fn expected_pairs(pairs: &[&str], word: &str, keyed_stay_pairs: bool) -> Vec<(u64, bool, bool)> {
    pairs
        .iter()
        .map(|p| {
            let inner = word.contains(p);
            (hash64(p.as_bytes()), keyed_stay_pairs || !inner, inner)
        })
        .collect()
}

#[test]
fn the_pairs_of_a_katakana_word_carry_its_name_key() {
    use crate::name_keys::{name_id, name_key, same_name};
    let toks = tokens("ブレンナー外相は");
    // The pairs within "ブレンナー" (Brenner) carry its key and are not
    // names of their own; the one that leaves it ("ー外") and those after
    // it are pairs as any.
    assert_eq!(
        pairs_keyed(&toks),
        expected_pairs(
            &["ブレ", "レン", "ンナ", "ナー", "ー外", "外相", "相は"],
            "ブレンナー",
            false
        )
    );
    assert!(toks.iter().all(|t| !t.capitalised));
    assert!(same_name(
        name_id(toks[0].name_key),
        name_id(name_key("Brenner"))
    ));
    // Hiragana and kanji words have no key; nor has one katakana letter.
    assert!(tokens("外相は東京へ").iter().all(|t| t.name_key == 0));
    assert!(tokens("ガ外相").iter().all(|t| t.name_key == 0));
}

#[test]
fn the_pairs_of_a_run_of_chinese_sound_characters_carry_its_name_key() {
    use crate::name_keys::{name_id, name_key, same_name};
    let toks = tokens("外长布伦纳辞职");
    // The pairs within "布伦纳" (Brenner) carry its key and stay pairs;
    // those that leave it ("长布", "纳辞") do not.
    assert_eq!(
        pairs_keyed(&toks),
        expected_pairs(
            &["外长", "长布", "布伦", "伦纳", "纳辞", "辞职"],
            "布伦纳",
            true
        )
    );
    assert!(same_name(
        name_id(toks[2].name_key),
        name_id(name_key("Brenner"))
    ));
    // Traditional characters are read as Simplified ("倫", "納").
    let traditional = tokens("外長布倫納辭職");
    assert_eq!(traditional[2].name_key, toks[2].name_key);
    // Japanese writes these characters in its own words, and foreign
    // names in katakana: a text with kana keys no run of them.
    assert!(tokens("布伦纳は辞职").iter().all(|t| t.name_key == 0));
    // One such character alone, or one between common ones, is no name.
    assert!(tokens("基本上特别").iter().all(|t| t.name_key == 0));
}

#[test]
fn katakana_and_hangul_mixed_with_anything_are_read_without_panic() {
    // Small kana, the long-vowel mark, the middle dot, particles, jamo
    // written apart, Latin, digits and punctuation, in pseudo-random runs.
    let letters: Vec<char> =
        "アイウェォャュョッンーヴァシチツ・ブレナ가각브레너는은을에서외각 a Ba1\u{1100}\u{1161}\u{11ab}،。 布伦纳倫尔的·"
            .chars()
            .collect();
    let mut x = 12_345u64;
    for _ in 0..3_000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let len = (x >> 58) as usize;
        let text: String = (0..len)
            .map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                letters[(x >> 33) as usize % letters.len()]
            })
            .collect();
        // A keyed pair stands for its word's name, never for one of its own,
        // unless it is a pair of Chinese sound characters, in a text
        // without kana.
        let toks = tokens(&text);
        let kana = text.chars().any(is_kana);
        assert!(
            toks.iter().all(|t| t.name_key == 0 || !t.pair || !kana),
            "{text:?}"
        );
    }
}

#[test]
fn german_sharp_s_is_read_as_the_word_tables_write_it() {
    // wordfreq folds "ß" to "ss" (it has "strasse" and no "straße"): read
    // as written, every such German word, "große" among them, weighed as
    // a rare word.
    let hash = |w: &str| tokens(w)[0].hash;
    assert_eq!(hash("Straße"), hash("strasse"));
    assert_eq!(hash("STRAẞE"), hash("Strasse"));
    let german = crate::prior::prior(Some("de"));
    assert!(german.knows(hash("große")));
    assert!(german.share(hash("große")) > 100.0 * german.share(hash("Kellermann")));
}

#[test]
fn a_number_with_separators_is_one_number() {
    let read = |text: &str| {
        tokens(text)
            .iter()
            .map(|t| (t.hash, t.number))
            .collect::<Vec<_>>()
    };
    // Groups of thousands make one number, in either notation; its groups
    // alone ("000") would meet every other number of thousands.
    assert_eq!(read("5,000"), read("5000"));
    assert_eq!(read("5.000"), read("5000"));
    assert_eq!(read("1,200,000"), read("1200000"));
    assert!(read("5,000 50,000").iter().all(|t| t.1));
    assert_ne!(read("5,000")[0], read("50,000")[0]);
    // A decimal part stays: magnitudes 6.1 and 6.2 are two numbers, and a
    // decimal comma is a point.
    assert_eq!(read("6.1").len(), 1);
    assert!(read("6.1")[0].1);
    assert_ne!(read("6.1"), read("6.2"));
    assert_eq!(read("6,1"), read("6.1"));
    // Arabic-Indic and Thai digits with their separators are the same.
    assert_eq!(read("٦٫١ ٥٬٠٠٠"), read("6.1 5000"));
    assert_eq!(read("๖.๑ ๕,๐๐๐"), read("6.1 5000"));
    // So are the Indic scripts', Lao's, Burmese's and Khmer's.
    assert_eq!(read("६.१ ५,०००"), read("6.1 5000"));
    assert_eq!(read("৬.১ ৫,০০০"), read("6.1 5000"));
    assert_eq!(read("௬ ൬ ໖ ၆ ៦"), read("6 6 6 6 6"));
    // A sentence's point and a list's comma stay apart.
    assert_eq!(read("in 2008. 5 died"), read("in 2008 5 died"));
    assert_eq!(read("12, 13"), read("12 13"));
}

#[test]
fn thai_is_read_as_words_with_its_listed_names_capitalised() {
    // "Mr Somchai said an earthquake struck Chiang Mai": words, not one
    // run cut at each tone mark; the given name and the province are names.
    let text = "นายสมชัยกล่าวว่าเกิดแผ่นดินไหวที่เชียงใหม่";
    let toks = tokens(text);
    let words = [
        "นาย",
        "สมชัย",
        "กล่าว",
        "ว่า",
        "เกิด",
        "แผ่นดินไหว",
        "ที่",
        "เชียงใหม่",
    ];
    assert_eq!(
        toks.iter().map(|t| t.hash).collect::<Vec<_>>(),
        words.map(|w| hash64(w.as_bytes()))
    );
    let names: Vec<&str> = words
        .iter()
        .zip(&toks)
        .filter(|(_, t)| t.capitalised)
        .map(|(w, _)| *w)
        .collect();
    assert_eq!(names, ["สมชัย", "เชียงใหม่"]);
    // A word around a Thai run stays a word, and the text's exact-copy key
    // still reads every character.
    let mixed = tokens("6.1 แผ่นดินไหว 2024");
    assert_eq!(mixed.len(), 3);
    assert_ne!(
        tokens_and_text_hash("แผ่นดินไหว").1,
        tokens_and_text_hash("แผ่นดินไหวไหว").1
    );
}

#[test]
fn a_text_with_its_accents_written_apart_is_the_same_text() {
    // Some systems write "é" as "e" and a combining accent (NFD): the same
    // words, the same exact-copy key, and no word cut at its accent.
    let composed = "Le séisme a frappé Zürich; Hindi: ज़िले; Пу́тин";
    let apart = "Le se\u{301}isme a frappe\u{301} Zu\u{308}rich; Hindi: ज\u{93c}िले; Пу\u{301}тин";
    let read = |t: &str| tokens_and_text_hash(t);
    let hashes = |t: &str| read(t).0.iter().map(|t| t.hash).collect::<Vec<_>>();
    assert_eq!(hashes(apart), hashes(composed));
    assert_eq!(read(apart).1, read(composed).1);
    assert_eq!(tokens("Zu\u{308}rich").len(), 1);
    // The stress mark is left out: "Пу́тин" is "Путин".
    assert_eq!(tokens("Пу\u{301}тин")[0].hash, tokens("Путин")[0].hash);
    let key = |t: &str| tokens(t)[1].name_key;
    assert_ne!(key("и Путин"), 0);
    assert_eq!(key("и Пу\u{301}тин"), key("и Путин"));
}

#[test]
fn distinct_count_is_the_size_of_the_set() {
    let mut next = crate::probe::test_random(0x9e37_79b9_7f4a_7c15);
    for len in [0, 1, 2, 15, 16, 17, 300, 2_000] {
        // Few distinct values, so that most repeat; 0 among them.
        let hashes: Vec<u64> = (0..len).map(|_| next() % 40 * 0x0123_4567_89ab).collect();
        let mut set = hashes.clone();
        set.sort_unstable();
        set.dedup();
        assert_eq!(distinct_count(&hashes), set.len(), "{len}");
    }
    let text = tokens("the cat sat on the mat and the cat sat on the mat again");
    let shingles = shingle_hashes(&text, 3);
    assert_eq!(shingles.len(), 12);
    assert_eq!(distinct_count(&shingles), 8);
}
