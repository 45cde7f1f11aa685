//! Unit tests of the dedup engine: verdicts, replay, eviction, bounds.

use super::*;
use news_core::messages::MAX_STORY_SOURCES;

const QUAKE: &str = "A magnitude 6.1 earthquake struck the northern province of Kerman early on Tuesday, \
    killing at least 12 people and injuring 80, the state news agency reported. The quake hit at 5:42 a.m. \
    near the town of Ravar at a depth of 10 kilometres, the geological survey said. Rescue teams from three \
    provinces were sent to the area, where several mud-brick homes collapsed, the provincial governor said.";

fn art<'a>(id: &'a str, text: &'a str, at: i64) -> ArticleIn<'a> {
    ArticleIn {
        id,
        title: None,
        text,
        at,
        published: None,
        lang: None,
        source: None,
    }
}

#[test]
fn an_arabic_translation_meets_its_original_on_numbers_in_either_digits() {
    // QUAKE in Arabic. Many Arabic outlets write their numbers in
    // Arabic-Indic digits ("٦.١"): read as the digits they are, the
    // translation meets its original on them as it does in Western ones.
    const ARABIC: &str = "ضرب زلزال بقوة 6.1 درجات إقليم كرمان الشمالي فجر الثلاثاء، ما أسفر عن \
        مقتل 12 شخصا على الأقل وإصابة 80 آخرين، بحسب وكالة الأنباء الرسمية. ووقع الزلزال في الساعة \
        5:42 صباحا قرب بلدة رافار على عمق 10 كيلومترات، بحسب هيئة المسح الجيولوجي. وأرسلت فرق إنقاذ \
        من ثلاث محافظات إلى المنطقة حيث انهارت عدة منازل من الطوب اللبن، وفق ما قال حاكم الإقليم.";
    let indic: String = ARABIC
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => char::from_u32(0x0660 + d).unwrap(),
            _ => c,
        })
        .collect();
    assert!(indic.contains("١٢") && !indic.contains("12"));
    let similarity = |text: &str| {
        let mut e = Engine::new(Params::default());
        e.decide(&ArticleIn {
            lang: Some("en"),
            ..art("en", QUAKE, 0)
        });
        let d = e.decide(&ArticleIn {
            lang: Some("ar"),
            ..art("ar", text, 1)
        });
        assert_eq!(d.kind, VerdictKind::Story, "{d:?}");
        d.similarity
    };
    assert!(similarity(ARABIC) > 0.1);
    assert_eq!(similarity(&indic), similarity(ARABIC));
}

#[test]
fn exact_near_replay_and_unique() {
    let mut e = Engine::new(Params::default());
    let first = e.decide(&art("a", QUAKE, 0));
    assert_eq!(first.kind, VerdictKind::Unique);

    let exact = e.decide(&art("b", &QUAKE.to_uppercase(), 1));
    assert_eq!(exact.kind, VerdictKind::Exact);
    assert_eq!(exact.duplicate_of.as_deref(), Some("a"));

    let syndicated =
        format!("HOME | WORLD | SPORT\n{QUAKE}\nShare this story. Copyright 2024 Wire Service.");
    let near = e.decide(&art("c", &syndicated, 2));
    assert_eq!(near.kind, VerdictKind::Near, "{near:?}");
    assert_eq!(near.story_id, first.story_id);

    let replay = e.decide(&art("c", &syndicated, 3));
    assert!(replay.replay);
    assert_eq!(replay.story_id, near.story_id);
    assert_eq!(
        e.story(&first.story_id).unwrap().member_count,
        3,
        "a replay does not add a member"
    );

    let other = e.decide(&art(
        "d",
        "Parliament passed the annual budget on Thursday after a late-night \
        session, with 212 votes in favour and 140 against, the speaker announced to lawmakers.",
        4,
    ));
    assert_eq!(other.kind, VerdictKind::Unique);
    assert_ne!(other.story_id, first.story_id);
}

#[test]
fn a_story_keeps_its_members_languages_once_each_and_boundedly() {
    let mut e = Engine::new(Params::default());
    let in_lang = |id, text, lang| ArticleIn {
        lang: Some(lang),
        ..art(id, text, 0)
    };
    let first = e.decide(&in_lang("a", QUAKE, "en-US"));
    let languages = |e: &Engine| e.story(&first.story_id).unwrap().languages.clone();
    assert_eq!(languages(&e), ["en"]);
    let syndicated = format!("HOME | WORLD\n{QUAKE}\nShare this story.");
    assert_eq!(
        e.decide(&in_lang("b", QUAKE, "EN")).kind,
        VerdictKind::Exact
    );
    assert_eq!(
        e.decide(&in_lang("c", &syndicated, "fr_CA")).kind,
        VerdictKind::Near
    );
    assert_eq!(languages(&e), ["en", "fr"]);
    // A replay is no new member; a value that is no language code is left out.
    assert!(e.decide(&in_lang("c", &syndicated, "es")).replay);
    e.decide(&in_lang("d", QUAKE, "english!"));
    e.decide(&in_lang("e", QUAKE, "e"));
    assert_eq!(languages(&e), ["en", "fr"]);
    let other = e.decide(&in_lang(
        "f",
        "Parliament passed the annual budget on Thursday after a late-night session.",
        "de",
    ));
    assert_eq!(e.story(&other.story_id).unwrap().languages, ["de"]);
    assert_eq!(languages(&e), ["en", "fr"]);

    let codes: Vec<String> = (b'a'..=b'z').map(|c| format!("x{}", c as char)).collect();
    let ids: Vec<String> = (0..codes.len()).map(|n| format!("copy-{n}")).collect();
    for (id, code) in ids.iter().zip(&codes) {
        e.decide(&in_lang(id, QUAKE, code));
    }
    let kept = languages(&e);
    assert_eq!(kept.len(), MAX_STORY_LANGUAGES);
    assert_eq!(kept[..3], ["en", "fr", "xa"]);
}

#[test]
fn language_codes_are_primary_subtags_with_three_letters_made_two_where_a_table_has_them() {
    let cases = [
        ("en-US", Some("en")),
        ("EN", Some("en")),
        ("fr_CA", Some("fr")),
        ("deu", Some("de")),
        ("ger-DE", Some("de")),
        ("fre", Some("fr")),
        ("eng", Some("en")),
        // Three letters with no two-letter table stay as they are.
        ("haw", Some("haw")),
        ("english!", None),
        ("e", None),
        ("", None),
    ];
    for (tag, code) in cases {
        assert_eq!(language_code(tag).as_deref(), code, "{tag:?}");
    }
}

#[test]
fn the_same_wire_text_under_another_headline_is_not_a_copy() {
    let mut e = Engine::new(Params::default());
    let first_two = &QUAKE[..QUAKE.rfind("Rescue").unwrap()];
    let own_text = format!(
        "{first_two} Residents of Ravar spent the night outdoors, fearing aftershocks, \
        and the Red Crescent handed out tents and blankets to families."
    );
    let with = |id, title, text| ArticleIn {
        title: Some(title),
        ..art(id, text, 0)
    };
    e.decide(&with("a", "Quake kills 12 in Kerman province", QUAKE));
    let own = e.decide(&with(
        "b",
        "Rescuers race to Ravar after deadly tremor",
        &own_text,
    ));
    assert_eq!(own.kind, VerdictKind::Story, "{own:?}");
    let recased = e.decide(&with(
        "c",
        "BREAKING: QUAKE KILLS 12 IN KERMAN PROVINCE",
        &own_text[..own_text.len() - 20],
    ));
    assert_eq!(recased.kind, VerdictKind::Near, "{recased:?}");
    assert_eq!(own.story_id, recased.story_id);
    // Word for word, but under another outlet's own headline: that outlet's
    // article in the same story, not a copy.
    let retitled = e.decide(&with(
        "d",
        "Mud-brick homes collapse as tremor hits Ravar",
        &format!("HOME | WORLD\n{QUAKE}\nShare this story."),
    ));
    assert_eq!(retitled.kind, VerdictKind::Story, "{retitled:?}");
    assert_eq!(retitled.story_id, own.story_id);
}

#[test]
fn a_copy_keeps_the_headline_word_for_word_in_order() {
    fn verdict(title: &str, text: &str) -> VerdictKind {
        let mut e = Engine::new(Params::default());
        e.decide(&ArticleIn {
            title: Some("Quake kills 12 in Kerman province"),
            ..art("a", QUAKE, 0)
        });
        e.decide(&ArticleIn {
            title: Some(title),
            ..art("b", text, 0)
        })
        .kind
    }
    let framed = format!("HOME | WORLD\n{QUAKE}\nShare this story.");
    // Re-cased, with a prefix and the outlet's name behind: a copy.
    let copied = verdict("UPDATE 1-Quake kills 12 in Kerman province - Wire", &framed);
    assert_eq!(copied, VerdictKind::Near);
    assert_eq!(
        verdict("QUAKE KILLS 12 IN KERMAN PROVINCE", QUAKE),
        VerdictKind::Exact
    );
    // One word changed, words reordered, or a longer headline holding all
    // the words: another outlet's headline, so its own article.
    for title in [
        "Quake kills 12 in Kerman region",
        "In Kerman province, quake kills 12",
        "Authorities say a quake kills 12 in Kerman province after a night of tremors",
    ] {
        assert_eq!(verdict(title, &framed), VerdictKind::Story, "{title}");
        // Even word for word: the same text, an outlet's own headline.
        assert_eq!(verdict(title, QUAKE), VerdictKind::Story, "{title}");
    }
}

#[test]
fn long_headlines_are_kept_to_a_cap_and_still_compared() {
    let words: Vec<String> = (0..5_000).map(|i| format!("w{i}")).collect();
    let long = words.join(" ");
    let headline = |t: &str| headline_words(&tokens(t));
    let original = headline(&long);
    assert_eq!(original.len(), crate::vectors::HEADLINE_WORDS);
    let prefixed = headline(&format!("UPDATE 1 {long}"));
    assert!(headlines_agree(&prefixed, &original));
    assert!(headlines_agree(&original, &prefixed));
    // The start of it alone is another, shorter headline.
    let start = words[..50].join(" ");
    assert!(!headlines_agree(&headline(&start), &original));
    let edited = long.replacen("w30 ", "x30 ", 1);
    assert!(!headlines_agree(&headline(&edited), &original));
}

#[test]
fn replaying_facts_rebuilds_an_engine_that_decides_the_same() {
    let texts: Vec<String> = (0..40)
        .map(|i| match i % 4 {
            0 => format!("{QUAKE} Report number {i}."),
            1 => format!("Parliament in Vilnius passed budget bill {i} with {} votes after talks with Mayor Ona Brazauskas.", 100 + i),
            2 => format!("HOME | NEWS\n{QUAKE}"),
            _ => format!("Striker Marco Bellini scored {} goals as Torino beat Genoa in round {i} of Serie A.", i % 7),
        })
        .collect();
    let mut original = Engine::new(Params::default());
    let mut facts = Vec::new();
    for (i, t) in texts.iter().enumerate().take(30) {
        let (_, fact) = original.decide_logged(&art(&format!("a{i}"), t, i as i64));
        facts.push(fact.expect("a new article has a fact"));
    }
    let mut rebuilt = Engine::new(Params::default());
    for f in facts.iter().chain(&facts[..5]) {
        rebuilt.apply(f); // the repeats are at-least-once duplicates
    }
    assert_eq!(rebuilt.article_count(), 30);
    assert_eq!(rebuilt.story_count(), original.story_count());
    for (i, t) in texts.iter().enumerate().skip(25) {
        let id = format!("a{i}");
        let a = art(&id, t, i as i64);
        assert_eq!(rebuilt.decide(&a), original.decide(&a), "article {i}");
    }
}

#[test]
fn a_common_term_indexes_a_bounded_number_of_stories() {
    let mut e = Engine::new(Params::default());
    let texts: Vec<String> = (0..300)
        .map(|i| {
            format!(
                "Harbourmaster Quill{i} of Port{i} counted {} ferries.",
                1000 + i
            )
        })
        .collect();
    for (i, t) in texts.iter().enumerate() {
        let id = format!("a{i}");
        e.decide(&art(&id, t, i as i64));
    }
    assert!(
        e.story_count() > MAX_STORIES_PER_TERM,
        "{}",
        e.story_count()
    );
    let common = crate::text::hash64(b"harbourmaster");
    assert_eq!(
        e.term_index.get(common).unwrap().len(),
        MAX_STORIES_PER_TERM
    );
    assert!(
        e.term_index
            .iter()
            .all(|(_, l)| l.len() <= MAX_STORIES_PER_TERM)
    );
}

#[test]
fn document_frequencies_stay_bounded_and_keep_common_terms() {
    let mut e = Engine::new(Params {
        max_articles: 100,
        ..Params::default()
    });
    let cap = e.df_cap();
    // Every article brings 40 new words and shares "harbour".
    for i in 0..3_000 {
        let words: Vec<String> = (0..40).map(|w| format!("w{i}x{w}")).collect();
        let text = format!("harbour {}", words.join(" "));
        e.decide(&art(&format!("a{i}"), &text, i));
        assert!(e.df.len() <= cap, "{} terms after {i}", e.df.len());
    }
    assert!(
        e.docs_seen < 3_000,
        "the document count decayed with the terms"
    );
    // "harbour" is in every document, so it keeps the top count.
    let common = e.df.max_count();
    assert!(
        u64::from(common) + 1 >= e.docs_seen,
        "{common} of {}",
        e.docs_seen
    );
}

#[test]
fn the_term_index_holds_live_stories_under_their_current_terms_only() {
    let mut e = Engine::new(Params {
        max_articles: 50,
        ..Params::default()
    });
    let topics = [
        "Harbour board Kestrel votes ferry berth Norrvik",
        "Volcano Astafell eruption ash flights Reykholt",
        "Parliament Morvania budget vote minister Tallis",
    ];
    let mut joined = 0;
    for i in 0..600 {
        // A topic core, and words of its own that shift the centroid.
        let own: Vec<String> = (0..12)
            .map(|w| format!("word{}x{w}", i % 97 + w * 7))
            .collect();
        let text = format!("{}. {}.", topics[i % 3], own.join(" "));
        let d = e.decide(&art(&format!("a{i}"), &text, i as i64));
        joined += usize::from(d.kind == VerdictKind::Story);
    }
    assert!(
        joined > 100,
        "the stream must grow stories ({joined} joins)"
    );
    for (term, list) in e.term_index.iter() {
        for key in list {
            let story = e.stories.get(*key).expect("only live stories are indexed");
            assert!(
                index_terms(story).contains(&term),
                "a story is indexed only under its current top terms"
            );
        }
    }
}

#[test]
fn window_evicts_old_articles() {
    let mut e = Engine::new(Params {
        window_secs: 10,
        ..Params::default()
    });
    e.decide(&art("a", QUAKE, 0));
    let later = e.decide(&art("b", QUAKE, 100));
    assert_eq!(
        later.kind,
        VerdictKind::Unique,
        "the first copy left the window"
    );
    assert_eq!(e.article_count(), 1);
}

#[test]
fn state_survives_a_snapshot_roundtrip() {
    let mut e = Engine::new(Params::default());
    e.decide(&art("a", QUAKE, 0));
    let restored: Engine = serde_json::from_slice(&serde_json::to_vec(&e).unwrap()).unwrap();
    let mut restored = restored;
    assert_eq!(
        restored.decide(&art("b", QUAKE, 1)).kind,
        VerdictKind::Exact
    );
}

#[test]
fn a_young_stream_weighs_common_words_below_rare_ones() {
    // The first article of a stream: its own counts give every word the
    // same document frequency, so only the prior tells the words of the
    // kind from the name.
    let e = Engine::new(Params::default());
    let toks = tokens("arrested suspicion Ketsoyan");
    let tf = term_frequencies(&toks, &[]);
    let (vec, _) = e.weigh_and_name(tf, crate::prior::prior(None), &[], false, false);
    let weights: HashMap<u64, f32> = vec.into_iter().collect();
    let w = |word: &str| weights[&tokens(word)[0].hash];
    assert!(w("arrested") < w("suspicion"), "{weights:?}");
    assert!(w("suspicion") < w("ketsoyan"), "{weights:?}");
}

/// A wire story copied by many outlets is one text: its copies, and the
/// very same text under outlets' own headlines (twins: their outlets'
/// articles, in its story), do not make its words look common, nor count
/// as members whose vectors the centroid averages, so a rewrite weighs the
/// same in its story with or without them; an engine rebuilt from the facts
/// agrees.
#[test]
fn copies_and_twins_neither_count_as_documents_nor_dilute_the_centroid() {
    let rewrite = "Rescuers searched collapsed mud-brick homes near Ravar in Kerman province after \
        Tuesday's magnitude 6.1 quake, which the governor said killed 12 and injured 80.";
    fn titled<'a>(id: &'a str, title: &'a str, text: &'a str, at: i64) -> ArticleIn<'a> {
        ArticleIn {
            title: Some(title),
            ..art(id, text, at)
        }
    }
    let run = |copies: usize| {
        let mut e = Engine::new(Params::default());
        let mut facts = Vec::new();
        let mut decide = |e: &mut Engine, a: &ArticleIn<'_>| {
            let (d, fact) = e.decide_logged(a);
            facts.extend(fact);
            d
        };
        let title = "Quake kills 12 in Kerman";
        let founder = decide(&mut e, &titled("wire", title, QUAKE, 0));
        let outlets = [
            "Deadly earthquake hits Iran",
            "Iran quake toll rises",
            "Kerman shaken",
            "Twelve dead in Iran",
        ];
        for i in 0..copies {
            let copy = format!("HOME | WORLD\n{QUAKE}\nCopyright Outlet {i}.");
            let d = decide(&mut e, &titled(&format!("copy-{i}"), title, &copy, 1));
            assert_eq!(d.kind, VerdictKind::Near, "{d:?}");
            // The same text under an outlet's own headline.
            let own = outlets[i % outlets.len()];
            let d = decide(&mut e, &titled(&format!("twin-{i}"), own, QUAKE, 1));
            assert_eq!(d.kind, VerdictKind::Story, "{d:?}");
            assert_eq!(d.story_id, founder.story_id, "{d:?}");
        }
        let d = decide(
            &mut e,
            &titled("rewrite", "Rescuers search Ravar", rewrite, 2),
        );
        assert_eq!(d.story_id, founder.story_id, "{d:?}");
        let story = e
            .story(&founder.story_id)
            .expect("the story is live")
            .clone();
        let mut rebuilt = Engine::new(Params::default());
        facts.iter().for_each(|f| rebuilt.apply(f));
        let again = rebuilt.story(&founder.story_id).expect("rebuilt");
        assert_eq!(
            (rebuilt.docs_seen, again.rewrites),
            (e.docs_seen, story.rewrites)
        );
        assert_eq!(again.centroid, story.centroid);
        (e.docs_seen, d.similarity, story)
    };
    let (docs, similarity, story) = run(0);
    let (docs_with, similarity_with, story_with) = run(4);
    assert_eq!((docs, docs_with), (2, 2));
    assert_eq!(similarity_with, similarity);
    assert_eq!((story.member_count, story_with.member_count), (2, 10));
    assert_eq!((story.rewrites, story_with.rewrites), (2, 2));
    assert_eq!(story_with.centroid, story.centroid);
    assert_eq!(story_with.names, story.names);
}

#[test]
fn a_word_list_given_at_run_time_weighs_its_words_below_a_name() {
    // Telugu has no table of its own, and "వంతెన" (bridge) and "నది"
    // (river) are no words of Hindi's, which it is weighed with: they weigh
    // what the name "ద్రావిక్" (Dravik) weighs. Listed, they weigh less.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("te.txt"), "వంతెన\nనది\n").unwrap();
    let lists = crate::word_lists::WordLists::read_dir(dir.path()).unwrap();
    let plain = Engine::new(Params::default());
    let listed = Engine::new(Params::default()).with_word_lists(Some(std::sync::Arc::new(lists)));
    let weights = |e: &Engine| -> HashMap<u64, f32> {
        let toks = tokens("వంతెన నది ద్రావిక్");
        let tf = term_frequencies(&toks, &[]);
        let (vec, _) = e.weigh_and_name(tf, e.prior_for(Some("te")), &[], true, false);
        vec.into_iter().collect()
    };
    let w = |weights: &HashMap<u64, f32>, word: &str| weights[&tokens(word)[0].hash];
    let (before, after) = (weights(&plain), weights(&listed));
    assert_eq!(w(&before, "వంతెన"), w(&before, "ద్రావిక్"), "{before:?}");
    assert!(w(&after, "వంతెన") < 0.5 * w(&after, "ద్రావిక్"), "{after:?}");
    assert!(w(&after, "నది") < 0.5 * w(&after, "ద్రావిక్"), "{after:?}");
}

#[test]
fn a_story_lists_its_first_sources_counts_the_rest_and_rebuilds_them_from_facts() {
    let mut e = Engine::new(Params::default());
    let mut facts = Vec::new();
    let mut decide = |e: &mut Engine, id: &str, source: &str| {
        let (d, fact) = e.decide_logged(&ArticleIn {
            source: Some(source),
            ..art(id, QUAKE, 0)
        });
        facts.push(fact.expect("a new article"));
        d
    };
    let extra = MAX_STORY_SOURCES + 6;
    for i in 0..extra {
        decide(&mut e, &format!("c{i}"), &format!("outlet{i}.example"));
    }
    // Again from a listed outlet, then from one counted but not listed.
    decide(&mut e, "again", "outlet3.example");
    let last = decide(&mut e, "unlisted", &format!("outlet{}.example", extra - 1));
    let story = e.story(&last.story_id).expect("the copies' story");
    assert_eq!(story.member_count as usize, extra + 2);
    assert_eq!(story.sources.len(), MAX_STORY_SOURCES);
    assert_eq!(story.sources[0], ("outlet0.example".to_string(), 1));
    assert_eq!(story.sources[3], ("outlet3.example".to_string(), 2));
    assert_eq!(story.source_count() as usize, extra);
    // A replacement rebuilding from the changelog's facts counts the same.
    let mut rebuilt = Engine::new(Params::default());
    facts.iter().for_each(|f| rebuilt.apply(f));
    let again = rebuilt.story(&last.story_id).expect("rebuilt");
    assert_eq!(again.sources, story.sources);
    assert_eq!(again.unlisted_sources, story.unlisted_sources);
}

#[path = "engine_story_tests.rs"]
mod stories;

#[path = "engine_closed_tests.rs"]
mod closed;
