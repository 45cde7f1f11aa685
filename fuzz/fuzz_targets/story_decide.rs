//! The dedup engine decides any text in any language without panicking,
//! explains any decision (every other article) with the story it joined,
//! recognises a replay as the article it repeats, and an engine rebuilt
//! from the decisions' facts (what a replacement reads from the changelog)
//! decides the next article as the original engine does.
#![no_main]
use libfuzzer_sys::fuzz_target;
use news_core::messages::VerdictKind;
use news_dedup::engine::explain::StoryOutcome;
use news_dedup::{ArticleIn, Engine, Params};

/// Languages with a word table of their own (in Latin, Cyrillic, Greek,
/// Arabic, Hebrew, CJK, Devanagari and Bengali writing), one without, and
/// none. Appended to, so that earlier seeds keep their languages.
const LANGS: [Option<&str>; 33] = [
    None,
    Some("en"),
    Some("zh"),
    Some("ja"),
    Some("ko"),
    Some("ru"),
    Some("th"),
    Some("xx-unknown"),
    Some("uk"),
    Some("el"),
    Some("ar"),
    Some("he"),
    Some("hi"),
    Some("fa"),
    Some("sr"),
    Some("bn"),
    Some("id"),
    Some("ta"),
    Some("te"),
    Some("ml"),
    Some("gu"),
    Some("kn"),
    Some("pa"),
    Some("or"),
    Some("ka"),
    Some("hy"),
    Some("si"),
    Some("lo"),
    Some("km"),
    Some("my"),
    Some("am"),
    Some("ti"),
    Some("dv"),
];

const OUTLETS: [&str; 3] = ["a.example", "b.example", "a.example"];

fuzz_target!(|data: &[u8]| {
    // Articles are separated by 0x1E; each one's first byte picks its
    // language, its first line is the headline and the rest the text.
    let articles: Vec<(Option<&str>, String, String)> = data
        .split(|&b| b == 0x1E)
        .take(8)
        .map(|chunk| {
            let lang = LANGS[usize::from(chunk.first().copied().unwrap_or(0)) % LANGS.len()];
            let body = String::from_utf8_lossy(chunk.get(1..).unwrap_or_default());
            let (title, text) = body.split_once('\n').unwrap_or(("", &body));
            (lang, title.to_string(), text.to_string())
        })
        .collect();
    let params = Params::default();
    let mut engine = Engine::new(params);
    let mut rebuilt = Engine::new(params);
    let ids: Vec<String> = (0..articles.len()).map(|i| format!("a{i}")).collect();
    let mut first = None;
    for (i, (lang, title, text)) in articles.iter().enumerate() {
        let article = ArticleIn {
            id: &ids[i],
            title: (!title.is_empty()).then_some(title.as_str()),
            text,
            at: 1_700_000_000 + i as i64 * 60,
            published: None,
            lang: *lang,
            // A few outlets, so that stories count some twice.
            source: Some(OUTLETS[i % OUTLETS.len()]),
        };
        // Every other article is explained: the same decision, and the
        // explanation names the story it joined and no other.
        let (decision, fact) = if i % 2 == 1 {
            let (decision, fact, why) = engine.decide_explained_logged(&article);
            let joined: Vec<_> = why
                .stories
                .iter()
                .filter(|n| {
                    matches!(
                        n.outcome,
                        StoryOutcome::Joined | StoryOutcome::JoinedOnNames
                    )
                })
                .collect();
            match decision.kind {
                VerdictKind::Story => {
                    assert_eq!(joined.len(), 1, "{why:?}");
                    assert_eq!(joined[0].story_id, decision.story_id, "{why:?}");
                }
                _ => assert!(joined.is_empty(), "{decision:?} {why:?}"),
            }
            (decision, fact)
        } else {
            engine.decide_logged(&article)
        };
        assert!(
            (0.0..=1.0001).contains(&decision.similarity),
            "{decision:?}"
        );
        assert!(!decision.story_id.is_empty());
        if let Some(fact) = fact {
            rebuilt.apply(&fact);
        }
        if first.is_none() {
            first = Some((article.clone(), decision));
        }
    }
    // The last article once more under a new id: both engines agree.
    if let Some((lang, title, text)) = articles.last() {
        let article = ArticleIn {
            id: "next",
            title: (!title.is_empty()).then_some(title.as_str()),
            text,
            at: 1_700_000_000 + 3600,
            published: None,
            lang: *lang,
            source: Some("next.example"),
        };
        let original = engine.decide(&article);
        let replacement = rebuilt.decide(&article);
        assert_eq!(
            original, replacement,
            "the rebuilt engine decided otherwise"
        );
        // And counted the story's outlets alike, from the facts alone.
        let outlets = |e: &Engine| {
            let story = e.story(&original.story_id).expect("its story");
            (story.sources.clone(), story.source_count())
        };
        assert_eq!(outlets(&engine), outlets(&rebuilt));
    }
    if let Some((article, decision)) = first {
        let again = engine.decide(&article);
        assert!(again.replay, "a replay was decided anew: {again:?}");
        assert_eq!(again.story_id, decision.story_id);
    }
});
