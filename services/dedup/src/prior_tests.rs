//! The reference frequencies' tables, read as `prior.rs` reads them.

use super::*;

fn hash(word: &str) -> u64 {
    tokens(word)[0].hash
}

#[test]
fn the_built_in_table_loads_and_ranks_words_by_frequency() {
    let p = prior(None);
    let held = p.slots.iter().filter(|s| s.check != 0).count();
    assert!(held > 190_000, "{held}");
    assert_eq!(p.share(hash("the")), 1.0);
    assert!(p.share(hash("arrested")) > p.share(hash("suspicion")));
    assert!(p.share(hash("suspicion")) > p.share(hash("ketsoyan")));
    // Not in the table: the rarest words' share, not zero.
    assert_eq!(p.share(hash("ketsoyan")), p.unknown);
    assert!(p.unknown > 0.0 && p.unknown < 1e-3, "{}", p.unknown);
}

#[test]
fn a_table_line_gives_its_words_their_share() {
    let p = DfPrior::parse(
        "700\tthe and\n400\tquake\nnot a line\n200\trare\n",
        None,
        None,
    );
    assert_eq!(p.share(hash("the")), 1.0);
    // 10^(4 - 9) per word, in documents of 2,000 words.
    assert!((p.share(hash("quake")) - 0.02).abs() < 1e-6);
    assert_eq!(p.share(hash("zzz")), p.share(hash("rare")));
    let given = DfPrior::parse("700\tthe\n200\trare\n", Some(1e-6), None);
    assert_eq!(given.share(hash("zzz")), 1e-6);
}

#[test]
fn each_language_has_its_own_table_and_an_unknown_word_weighs_the_same_in_each() {
    let english = prior(Some("en"));
    assert!(std::ptr::eq(english, prior(None)));
    assert!(std::ptr::eq(english, prior(Some("xx"))));
    let german = prior(Some("de"));
    // "und" is German's "and"; the English table hardly knows it.
    assert!(
        german.share(hash("und")) > 0.9,
        "{}",
        german.share(hash("und"))
    );
    assert!(english.share(hash("und")) < 0.05);
    assert!(german.share(hash("erdbeben")) > 100.0 * english.share(hash("erdbeben")));
    assert!(german.share(hash("the")) < english.share(hash("the")));
    for (index, (code, _)) in TABLES.iter().enumerate() {
        let p = prior(Some(code));
        let held = p.slots.iter().filter(|s| s.check != 0).count();
        // Vietnamese's list holds 10,719 syllables, all it has;
        // Amharic's and Tigrinya's, function words alone.
        let least = if matches!(*code, "am" | "ti") {
            150
        } else {
            10_000
        };
        assert!(held > least, "{code}: {held}");
        assert!(!p.knows(hash("ketsoyanqz")));
        if index < FIRST_PAIRS_TABLE {
            assert_eq!(p.share(hash("ketsoyanqz")), english.unknown, "{code}");
        }
    }
}

#[test]
fn tables_are_read_as_texts_are_tokenized() {
    let common = |lang: &str, word: &str| prior(Some(lang)).common(hash(word));
    // Hindi and Tamil words hold viramas, which are not letters; "के"
    // (of) is among Hindi's commonest, "भूकंप" (earthquake) is not.
    assert!(common("hi", "के") && common("hi", "में"));
    let hindi = prior(Some("hi"));
    assert!(hindi.knows(hash("प्रधानमंत्री")) && !hindi.common(hash("प्रधानमंत्री")));
    assert!(hindi.share(hash("भूकंप")) > 100.0 * prior(None).share(hash("भूकंप")));
    assert!(prior(Some("ta")).knows(hash("மற்றும்")));
    // Persian writes a zero-width non-joiner inside words ("می‌شود").
    assert!(prior(Some("fa")).knows(hash("می\u{200c}شود")));
    // Greek's final sigma is its sigma ("της", "τησ").
    assert!(common("el", "της") && common("el", "ΤΗΣ"));
    // Serbian in either alphabet, and Croatian and Bosnian, meet one table.
    assert!(common("sr", "je") && common("sr", "је") && common("hr", "je") && common("bs", "је"));
    assert!(common("tl", "ang"));
    assert!(prior(Some("vi")).knows(hash("được")));
}

#[test]
fn languages_of_india_without_a_table_are_weighed_with_hindis() {
    let hindi = prior(Some("hi"));
    // Marathi and Nepali read it as it is, Assamese Bengali's.
    assert!(std::ptr::eq(prior(Some("mr")), hindi));
    assert!(std::ptr::eq(prior(Some("ne")), hindi));
    assert!(std::ptr::eq(prior(Some("as")), prior(Some("bn"))));
    // The others in their letters: "नदी" (river) is Gujarati's "નદી"
    // and Punjabi's "ਨਦੀ"; "प्रांतीय" (regional) Telugu's "ప్రాంతీయ".
    let river = hindi.share(hash("नदी"));
    assert!(river > 100.0 * hindi.unknown);
    assert_eq!(prior(Some("gu")).share(hash("નદી")), river);
    assert_eq!(prior(Some("pa")).share(hash("ਨਦੀ")), river);
    let regional = hindi.share(hash("प्रांतीय"));
    assert_eq!(prior(Some("te")).share(hash("ప్రాంతీయ")), regional);
    assert!(regional > 10.0 * hindi.unknown);
    // A name Hindi lacks stays as rare as in every table.
    assert_eq!(prior(Some("gu")).share(hash("દ્રાવિક")), hindi.unknown);
    assert_eq!(language_code("guj").as_deref(), Some("gu"));
}

#[test]
fn chinese_japanese_and_korean_tables_hold_pairs_and_lack_rare_ones() {
    assert_eq!(TABLES[FIRST_PAIRS_TABLE].0, "ja");
    let chinese = prior(Some("zh"));
    // Common pairs are known, and "地震" (earthquake) more common than a
    // town's name; a pair the table lacks is its rarest pair's share.
    assert!(chinese.knows(hash("地震")) && chinese.knows(hash("台风")));
    assert!(chinese.share(hash("地震")) > 10.0 * chinese.share(hash("甘孜")));
    assert!(!chinese.knows(hash("泸定")));
    assert_eq!(chinese.share(hash("泸定")), chinese.unknown);
    assert!(chinese.unknown > prior(None).unknown);
    // Traditional characters are looked up as Simplified ones.
    assert_eq!(chinese.share(hash("颱風")), chinese.share(hash("台风")));
    assert!(prior(Some("ja")).share(hash("地震")) > 0.05);
    assert!(prior(Some("ko")).share(hash("지진")) > 0.05);
}

#[test]
fn the_thai_table_holds_words_and_other_tables_hold_no_thai() {
    let thai = prior(Some("th"));
    // "ที่" (that, at) is among the commonest words; "แผ่นดินไหว"
    // (earthquake) is a word, rarer; a listed name is no word of it.
    assert!(thai.knows(hash("ที่")) && thai.knows(hash("แผ่นดินไหว")));
    assert!(thai.share(hash("ที่")) > 10.0 * thai.share(hash("แผ่นดินไหว")));
    assert!(!thai.knows(hash("สมชัย")));
    // Its names weigh as rarely as names in every other language.
    assert_eq!(thai.unknown, prior(None).unknown);
    assert!(!prior(None).knows(hash("ที่")));
}

#[test]
fn lao_khmer_and_burmese_tables_rank_function_words_over_listed_ones() {
    // Khmer "បាន" (a past marker) is a function word, "ស្ពាន"
    // (bridge) a listed word, weighed as a running word is on
    // average; a name no list holds weighs as rare as anywhere.
    let khmer = prior(Some("km"));
    assert!(khmer.common(hash("បាន")));
    assert!(khmer.knows(hash("ស្ពាន")) && !khmer.common(hash("ស្ពាន")));
    assert!(khmer.share(hash("ស្ពាន")) > 100.0 * khmer.unknown);
    assert_eq!(khmer.share(hash("ដ្រាវិក")), prior(None).unknown);
    assert!(prior(Some("my")).common(hash("သည်")));
    assert!(prior(Some("lo")).knows(hash("ແຜ່ນດິນໄຫວ")));
    assert!(!prior(None).knows(hash("ស្ពាន")));
    // Amharic's function words ("ላይ", on) and its dictionary's words
    // ("ድልድይ", bridge); Tigrinya's function words only.
    let amharic = prior(Some("am"));
    assert!(amharic.common(hash("ላይ")));
    assert!(amharic.knows(hash("ድልድይ")) && !amharic.common(hash("ድልድይ")));
    assert_eq!(amharic.share(hash("ድራቪክ")), prior(None).unknown);
    let tigrinya = prior(Some("ti"));
    assert_eq!(tigrinya.share(hash("ድልድይ")), prior(None).unknown);
}

#[test]
fn the_dhivehi_table_weighs_words_by_their_counts_in_news() {
    // "އެ" (that) is among Dhivehi's commonest words, "ބޮޑުވަޒީރު"
    // (prime minister) rarer and "ފާލަން" (bridge) rarer still; a
    // name no list holds ("Dravik") weighs as rare as anywhere.
    let dhivehi = prior(Some("dv"));
    assert!(dhivehi.common(hash("އެ")));
    let minister = dhivehi.share(hash("ބޮޑުވަޒީރު"));
    let bridge = dhivehi.share(hash("ފާލަން"));
    assert!(!dhivehi.common(hash("ބޮޑުވަޒީރު")) && minister > bridge);
    assert!(bridge > 10.0 * dhivehi.unknown, "{bridge}");
    assert_eq!(dhivehi.share(hash("ޑްރާވިކް")), prior(None).unknown);
    assert!(!prior(None).knows(hash("ފާލަން")));
}

#[test]
fn the_georgian_table_weighs_a_dictionary_word_below_a_name() {
    // "ხიდი" (bridge) and "მინისტრი" (minister) are dictionary stems;
    // "ბრენერი" (Brenner) is a name no dictionary holds.
    let georgian = prior(Some("ka"));
    for word in ["ხიდი", "მინისტრი", "მდინარე"] {
        assert!(georgian.knows(hash(word)), "{word}");
        assert!(
            georgian.share(hash(word)) > 10.0 * georgian.unknown,
            "{word}"
        );
    }
    assert_eq!(georgian.share(hash("ბრენერი")), prior(None).unknown);
    assert!(!prior(None).knows(hash("ხიდი")));
}
