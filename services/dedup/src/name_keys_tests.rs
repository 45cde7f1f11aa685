//! Name keys across scripts, and what has none.

use super::{
    Alphabet, alphabet_of, alphabet_of_entry, name_id, name_in_alphabet, name_key, same_name,
    spellings,
};

#[test]
fn languages_are_written_in_their_alphabets() {
    assert_eq!(alphabet_of("en"), Some(Alphabet::Latin));
    assert_eq!(alphabet_of("uk"), Some(Alphabet::Cyrillic));
    assert_eq!(alphabet_of("el"), Some(Alphabet::Greek));
    assert_eq!(alphabet_of("fa"), Some(Alphabet::Arabic));
    assert_eq!(alphabet_of("he"), Some(Alphabet::Hebrew));
    assert_eq!(alphabet_of("zh"), None);
}

#[test]
fn a_name_has_one_key_in_every_alphabet_and_in_its_case_endings() {
    for (a, b) in [
        ("Putin", "Путина"),
        ("Putin", "Путіним"),
        ("Moravec", "Моравец"),
        ("Halden", "Халденом"),
        ("Hamas", "Хамас"),
        ("Kharkiv", "Харків"),
        ("Keller", "Келлер"),
        ("Zelensky", "Зеленского"),
        ("Jonas", "Йонас"),
        ("Iran", "Ираном"),
        ("Moscow", "Москве"),
        ("Tsipras", "Τσίπρας"),
        ("Djokovic", "Джоковича"),
        ("Lindqvist", "Λίντκβιστ"),
        ("Lindqvist", "Линдквиста"),
        ("Blomberg", "Μπλόμπεργκ"),
        ("Anderson", "Άντερσον"),
        ("Olav", "Όλαφ"),
        ("Ivanoff", "Иванова"),
        ("Brenner", "برينر"),
        ("Brenner", "ברנר"),
        ("Lindqvist", "ليندكفيست"),
        ("Lindqvist", "לינדקוויסט"),
        ("Kremlin", "الكرملين"),
        ("Ilse", "إيلزه"),
        ("Halvden", "הלוודן"),
        ("Corvin", "קורווין"),
        ("Putin", "بوتين"),
        ("Petra", "פטרה"),
        ("Chernov", "צ'רנוב"),
    ] {
        assert_ne!(name_key(a), 0, "{a}");
        assert_eq!(name_key(a), name_key(b), "{a} / {b}");
    }
}

#[test]
fn katakana_and_hangul_names_meet_their_spellings_in_other_scripts() {
    let same = |a: &str, b: &str| same_name(name_id(name_key(a)), name_id(name_key(b)));
    for (a, b) in [
        ("Brenner", "ブレンナー"),
        ("Brenner", "브레너는"),
        ("Lindqvist", "リンドクヴィスト"),
        ("Lindqvist", "린드크비스트"),
        ("Kovalenko", "コヴァレンコ"),
        ("Kovalenko", "코발렌코"),
        ("Petra", "ペトラ"),
        ("Petra", "페트라"),
        ("Aldenburg", "アルデンブルク"),
        ("Aldenburg", "알덴부르크의"),
        ("Dravik", "ドラヴィク"),
        ("Dravik", "드라비크와"),
        ("Putin", "プーチン"),
        ("Putin", "푸틴은"),
        ("Melnitsa", "メルニツァ"),
        ("Olav", "올라프"),
        ("Olav", "Όλαφ"),
        ("Putin", "Путина"),
        ("ブレンナー", "브레너가"),
    ] {
        assert_ne!(name_key(b), 0, "{b}");
        assert!(same(a, b), "{a} / {b}");
    }
    // Latin keeps "l" apart from "r" and "b" from "v" among its own
    // names; a Japanese or Korean key meets both.
    assert!(!same("Lima", "Rima") && !same("Bolan", "Volan"));
    assert!(same("Lima", "リマ") && same("Rima", "リマ"));
    assert!(!same("Putin", "ブレンナー") && !same("Lindqvist", "코발렌코"));
    let mut spelled = spellings(name_id(name_key("リンドクヴィスト")));
    spelled.sort_unstable();
    let mut expected = vec![
        name_id(name_key("Lindqvist")),
        name_id(name_key("Rindqvist")),
    ];
    expected.sort_unstable();
    assert_eq!(spelled, expected);
    assert_eq!(alphabet_of("ja"), Some(Alphabet::Kana));
    assert_eq!(alphabet_of("ko"), Some(Alphabet::Hangul));
}

#[test]
fn different_names_and_short_or_foreign_words_differ_or_have_no_key() {
    assert_ne!(name_key("Putin"), name_key("Biden"));
    assert_ne!(name_key("Moravec"), name_key("Morales"));
    for word in ["Ali", "Iowa", "F16", "東京", "Ёё"] {
        assert_eq!(name_key(word), 0, "{word}");
    }
}

#[test]
fn an_index_entry_tells_the_alphabet_it_was_made_for() {
    let name = name_id(name_key("Brenner"));
    for a in Alphabet::ALL {
        assert_eq!(alphabet_of_entry(name_in_alphabet(name, a)), Some(a));
    }
    // A name itself, and a word's hash, are no alphabet's entries.
    assert_eq!(alphabet_of_entry(name), None);
    assert_eq!(alphabet_of_entry(crate::text::hash64(b"minister")), None);
}
