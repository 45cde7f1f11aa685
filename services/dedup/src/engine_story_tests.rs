//! Unit tests of the story decision: rewrites of one event join, and two
//! events of one kind (two arrests, two deaths, one event years later)
//! stay apart.

use super::*;

/// One arrest, as an outlet wrote it and as another rewrote it:
/// (headline, text).
const JACKSON: (&str, &str) = (
    "Chargers receiver arrested on suspicion of drunk driving",
    "San Diego Chargers wide receiver Vincent Jackson was arrested early Sunday on suspicion \
     of drunk driving, police said. Jackson was stopped in Pacific Beach after officers saw \
     his car weaving, and he was booked into the county jail and released on bail. The team \
     said it was aware of the arrest and would have no further comment. Jackson, who caught \
     a touchdown pass last week, faces a misdemeanour charge, according to police.",
);
const JACKSON_REWRITE: (&str, &str) = (
    "Vincent Jackson held on drunk-driving suspicion",
    "Police in San Diego arrested Chargers receiver Vincent Jackson on Sunday, saying he \
     was driving drunk in Pacific Beach. Jackson was booked and later freed on bail, and \
     the Chargers declined to comment beyond confirming the arrest.",
);

#[test]
fn two_events_of_one_kind_with_different_names_stay_apart() {
    let mut e = Engine::new(Params::default());
    let with = |id, title, text| ArticleIn {
        title: Some(title),
        ..art(id, text, 0)
    };
    let first = e.decide(&with("jackson", JACKSON.0, JACKSON.1));
    let rewrite = e.decide(&with("jackson-2", JACKSON_REWRITE.0, JACKSON_REWRITE.1));
    assert_eq!(rewrite.story_id, first.story_id, "{rewrite:?}");
    let other = e.decide(&with(
        "williams",
        "Chargers lineman arrested on suspicion of drunk driving",
        "Defensive tackle Jamal Williams of the Chargers was arrested on suspicion of drunk \
         driving early Thursday, the California Highway Patrol said. Williams was pulled over \
         on Interstate 15 near Escondido and booked into the Vista jail. Williams, a three-time \
         Pro Bowl pick, was released later in the morning.",
    ));
    assert_ne!(other.story_id, first.story_id, "{other:?}");
}

/// Two deaths of one kind: an obituary of Mark Felt, and one of Fred LaRue
/// that names Felt in passing and shares the scandal's words (Watergate,
/// Nixon, Deep Throat, the FBI, the day and the manner of death). They
/// meet at cosine 0.22, where the names disagree on neither side; but the
/// second article's subject, LaRue, written many times, is nowhere in
/// Felt's story. (Until round 55 LaRue's text met Felt's at 0.19, under the
/// threshold, so the test held without the subject rule.)
const FELT: (&str, &str) = (
    "Mark Felt, Watergate's Deep Throat, dies at 95",
    "W. Mark Felt, the former FBI official who as Deep Throat guided two reporters through \
     the Watergate scandal, died on Thursday at his home in Santa Rosa, California. He was \
     95. Felt kept the secret for three decades, until his family revealed it in 2005. His \
     grandson said Felt died in his sleep after months of failing health. The Watergate \
     break-in and its cover-up led to the resignation of President Richard Nixon in 1974, \
     and Felt said late in life that he had only done his duty.",
);
const LARUE: (&str, &str) = (
    "Fred LaRue, Watergate figure, dies at 75",
    "Fred LaRue, the Nixon campaign aide who carried hush money to the Watergate burglars, \
     died on Thursday at his home after months of failing health, his family said. He was \
     75. LaRue was found at a motel in Biloxi, where he had lived since leaving prison. \
     LaRue pleaded guilty in 1973 to obstructing justice and served four and a half months. \
     Some writers once named LaRue as a possible Deep Throat, the FBI source later revealed \
     as Mark Felt. A longtime friend said LaRue rarely spoke of the Watergate scandal and its \
     cover-up that ended the presidency of Richard Nixon, and that LaRue died in his sleep. \
     LaRue had been an adviser to the Nixon White House before the break-in, and said late \
     in life that he had only done his duty. The break-in led to the resignation of \
     President Nixon.",
);
const FELT_REMEMBERED: (&str, &str) = (
    "Felt remembered in Santa Rosa",
    "Neighbours in Santa Rosa remembered Felt, the Watergate source who died on Thursday at \
     95, as a quiet man who liked his garden. Felt, who spent years as second in command at \
     the bureau, moved there to live with his daughter. Visitors left flowers outside the \
     house, and a local priest said Felt would be missed. Felt is to be buried next week.",
);

#[test]
fn a_weak_match_whose_story_never_names_the_articles_subject_starts_its_own_story() {
    let mut e = Engine::new(Params::default());
    let with = |id, (title, text): (&'static str, &'static str)| ArticleIn {
        title: Some(title),
        lang: Some("en"),
        ..art(id, text, 0)
    };
    let felt = e.decide(&with("felt", FELT));
    let larue = e.decide(&with("larue", LARUE));
    assert_ne!(larue.story_id, felt.story_id, "{larue:?}");
    let remembered = e.decide(&with("felt-2", FELT_REMEMBERED));
    assert_eq!(remembered.story_id, felt.story_id, "{remembered:?}");
}

#[test]
fn an_articles_subject_is_the_name_it_writes_most_and_more_than_any_other() {
    let subject_of = |text: &str| {
        let toks = tokens(text);
        let tf = term_frequencies(&toks, &[]);
        let names = crate::entities::capitalised(&toks, crate::prior::prior(Some("en")), false);
        subject(&tf, &names).map(|(term, _)| term)
    };
    let hash = |word: &str| tokens(word)[0].hash;
    let larue = subject_of(LARUE.1);
    assert_eq!(larue, Some(hash("LaRue")));
    // Written four times, or tied with another name: no subject; five
    // times, ahead of every other name: the subject.
    let four = "Police said Moreau left. Friends of Moreau wept, and the son of Moreau and the \
                wife of Moreau spoke.";
    assert_eq!(subject_of(four), None);
    assert_eq!(
        subject_of(&format!("{four} Later Moreau slept.")),
        Some(hash("Moreau"))
    );
    assert_eq!(
        subject_of(
            "Police said Moreau and Duval left. Then Moreau and Duval met, and Moreau and Duval \
             spoke, while Moreau and Duval ate and Moreau and Duval slept."
        ),
        None
    );
    assert_eq!(
        subject_of(
            "Police said Moreau and Duval left. Then Moreau and Duval met, and Moreau and Duval \
             spoke, while Moreau and Duval ate and Moreau slept."
        ),
        Some(hash("Moreau"))
    );
}

/// The same words published two years apart are another event of the kind
/// (a second arrest of one player, a later fire at one chain): the match
/// is scaled down by the time between them, not by when they arrive (both
/// arrive together here, so the window evicts nothing).
#[test]
fn a_rewrite_published_years_later_starts_its_own_story() {
    let day = 86_400;
    for (gap_days, joins) in [(1, true), (730, false)] {
        let mut e = Engine::new(Params::default());
        let dated = |id, (title, text): (&'static str, &'static str), published| ArticleIn {
            title: Some(title),
            published: Some(published),
            ..art(id, text, 0)
        };
        let first = e.decide(&dated("jackson", JACKSON, 0));
        let later = e.decide(&dated("jackson-2", JACKSON_REWRITE, gap_days * day));
        assert_eq!(
            later.story_id == first.story_id,
            joins,
            "{gap_days} days apart: {later:?}"
        );
    }
}

/// `decide_explained` names the rule that kept LaRue's obituary out of
/// Felt's story, and the story a later Felt report joined, at the cosine
/// its verdict gives.
#[test]
fn an_explanation_names_the_rule_that_refused_a_story_and_the_story_joined() {
    use explain::StoryOutcome;
    let mut e = Engine::new(Params::default());
    let with = |id, (title, text): (&'static str, &'static str)| ArticleIn {
        title: Some(title),
        lang: Some("en"),
        ..art(id, text, 0)
    };
    let (felt, first) = e.decide_explained(&with("felt", FELT));
    assert!(
        first.stories.is_empty() && first.near.is_empty(),
        "{first:?}"
    );
    let (larue, why) = e.decide_explained(&with("larue", LARUE));
    assert_eq!(larue.kind, VerdictKind::Unique);
    let refused = why
        .stories
        .iter()
        .find(|n| n.story_id == felt.story_id)
        .unwrap_or_else(|| panic!("Felt's story was no candidate: {why:?}"));
    assert_eq!(refused.outcome, StoryOutcome::SubjectMissing, "{why:?}");
    assert!(refused.cosine >= 0.2 && refused.cosine < 0.3, "{refused:?}");
    assert!(refused.names.is_some(), "{refused:?}");
    // The words they share, as the article writes them, and their parts of
    // the cosine.
    let shared: Vec<&str> = refused
        .shared_terms
        .iter()
        .map(|t| t.term.as_str())
        .collect();
    assert!(shared.contains(&"Watergate"), "{shared:?}");
    let parts: f32 = refused.shared_terms.iter().map(|t| t.weight).sum();
    assert!(parts > 0.0 && parts <= refused.cosine + 1e-4, "{refused:?}");
    assert!(
        why.terms.iter().any(|t| t.term == "LaRue"),
        "{:?}",
        why.terms
    );
    // Its names as it writes them, with their keys.
    assert!(
        why.names.iter().any(|t| t.term.starts_with("LaRue (key:")),
        "{:?}",
        why.names
    );
    let (remembered, why) = e.decide_explained(&with("felt-2", FELT_REMEMBERED));
    let joined: Vec<_> = why
        .stories
        .iter()
        .filter(|n| n.outcome == StoryOutcome::Joined)
        .collect();
    assert_eq!(joined.len(), 1, "{why:?}");
    assert_eq!(joined[0].story_id, felt.story_id);
    assert_eq!(joined[0].story_id, remembered.story_id);
    assert_eq!(joined[0].cosine, remembered.similarity);
    assert!(
        why.stories
            .iter()
            .any(|n| n.story_id == larue.story_id && n.outcome != StoryOutcome::Joined),
        "{why:?}"
    );
}

/// Explaining a decision changes neither it nor the state after it, and
/// says which article a copy copies and why a text under another headline
/// is no copy.
#[test]
fn explained_decisions_are_the_decisions_and_name_their_copies() {
    use explain::{NearOutcome, StoryOutcome};
    let day = 86_400;
    let stream: Vec<ArticleIn> = vec![
        ArticleIn {
            title: Some(JACKSON.0),
            published: Some(0),
            ..art("jackson", JACKSON.1, 0)
        },
        ArticleIn {
            title: Some(JACKSON_REWRITE.0),
            published: Some(day),
            ..art("jackson-2", JACKSON_REWRITE.1, 1)
        },
        // The same text again under its headline: an exact copy.
        ArticleIn {
            title: Some(JACKSON.0),
            ..art("jackson-copy", JACKSON.1, 2)
        },
        // The same text, cut, under its headline: a near copy.
        ArticleIn {
            title: Some(JACKSON.0),
            ..art("jackson-cut", &JACKSON.1[..JACKSON.1.len() - 60], 3)
        },
        // Cut and under another headline: that outlet's article.
        ArticleIn {
            title: Some("Receiver booked after Pacific Beach stop"),
            ..art("jackson-own", &JACKSON.1[..JACKSON.1.len() - 60], 4)
        },
        // The rewrite's words two years on, under a headline of its own.
        ArticleIn {
            title: Some("Chargers receiver held again"),
            published: Some(730 * day),
            ..art("jackson-later", JACKSON_REWRITE.1, 5)
        },
        ArticleIn {
            title: Some(FELT.0),
            ..art("felt", FELT.1, 6)
        },
        ArticleIn {
            title: Some(LARUE.0),
            ..art("larue", LARUE.1, 7)
        },
    ];
    let mut plain = Engine::new(Params::default());
    let mut explained = Engine::new(Params::default());
    let mut why = Vec::new();
    for a in &stream {
        let (d, e) = explained.decide_explained(a);
        assert_eq!(plain.decide(a), d, "{}", a.id);
        why.push((d, e));
    }
    assert_eq!(plain.story_count(), explained.story_count());
    let (exact, e) = &why[2];
    assert_eq!(exact.kind, VerdictKind::Exact);
    let same = e.same_text_as.as_ref().expect("the same text");
    assert!(same.headline_agrees && same.article == "jackson", "{e:?}");
    let (near, e) = &why[3];
    assert_eq!(near.kind, VerdictKind::Near, "{near:?}");
    let copies: Vec<_> = e
        .near
        .iter()
        .filter(|n| n.outcome == NearOutcome::Copy)
        .collect();
    assert_eq!(copies.len(), 1, "{e:?}");
    assert_eq!(
        Some(copies[0].article.as_str()),
        near.duplicate_of.as_deref()
    );
    assert_eq!(copies[0].similarity, near.similarity);
    let (own, e) = &why[4];
    assert_eq!(own.kind, VerdictKind::Story, "{own:?}");
    assert!(
        e.near
            .iter()
            .any(|n| n.outcome == NearOutcome::HeadlineDiffers),
        "{e:?}"
    );
    let (later, e) = &why[5];
    assert_eq!(later.kind, VerdictKind::Unique, "{later:?}");
    let scaled = e
        .stories
        .iter()
        .find(|n| n.founder == "jackson")
        .expect("the first arrest's story is a candidate");
    assert!(scaled.days_apart.is_some_and(|d| d > 700.0), "{scaled:?}");
    assert_eq!(scaled.outcome, StoryOutcome::BelowThreshold, "{scaled:?}");
}
