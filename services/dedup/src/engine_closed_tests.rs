//! What leaves the window: the stories it closes, as the engine keeps them
//! for the dedup stage (`keep_closed`, `take_closed`; the stage's side is
//! `tests/closed_stories.rs`), and the articles it evicts, by cause.

use super::*;

#[test]
fn closed_stories_are_kept_only_when_asked_for_and_without_their_vectors() {
    let window = Params::default().window_secs;
    let mut kept = Engine::new(Params::default()).keep_closed();
    let mut batch = Engine::new(Params::default());
    for e in [&mut kept, &mut batch] {
        e.decide(&art("quake", QUAKE, 0));
        e.decide(&art("later", "Teachers in the county of Brandt walked out on Thursday over pay, closing 212 schools, and their union said the strike would last until Monday.", window + 1));
    }
    // A batch run (`cluster`, the bench) has no one to tell: nothing piles up.
    assert!(batch.take_closed().is_empty());
    let closed = kept.take_closed();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].members, ["quake"]);
    assert!(closed[0].centroid.is_empty() && closed[0].names.is_empty());
    assert!(kept.take_closed().is_empty(), "taken once");
}

/// Time alone (`age_out`) closes the stories whose members are all older
/// than the window, and never evicts for the cap, which makes room for
/// arrivals.
#[test]
fn age_out_closes_by_age_only() {
    let params = Params {
        window_secs: 100,
        max_articles: 2,
        ..Params::default()
    };
    let mut engine = Engine::new(params).keep_closed();
    engine.decide(&art("quake", QUAKE, 0));
    engine.decide(&art("strike", "Teachers in the county of Brandt walked out on Thursday over pay, closing 212 schools, and their union said the strike would last until Monday.", 50));
    engine.age_out(100);
    assert_eq!(engine.article_count(), 2, "at the cap, nothing leaves");
    assert!(engine.take_closed().is_empty());
    engine.age_out(101);
    let closed = engine.take_closed();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].members, ["quake"]);
    assert_eq!(engine.article_count(), 1);
}

/// Over a long random stream, with the window and the cap both evicting,
/// every story is open or closed, never both: a closure names a story that
/// was open, an article joins only an open story, and what never closed is
/// what the engine holds.
#[test]
fn every_story_is_open_or_closed_and_only_open_ones_take_members() {
    let params = Params {
        window_secs: 12 * 3600,
        max_articles: 150,
        ..Params::default()
    };
    let mut engine = Engine::new(params).keep_closed();
    let mut seed: u64 = 0x5eed;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    const PLACES: [&str; 8] = [
        "Varden",
        "Lindqvist",
        "Okafor",
        "Tarn",
        "Brisk",
        "Corvale",
        "Eskby",
        "Hesk",
    ];
    let mut open = std::collections::HashSet::new();
    let (mut closed_total, mut reopened, mut aged_out, mut at) = (0, 0, 0, 0i64);
    for i in 0..3_000 {
        at += next(3 * 3600) as i64;
        let event = next(60) as usize;
        let place = PLACES[event % PLACES.len()];
        let text = match next(3) {
            // An outlet's own words about the event, or the wire's text.
            0 => format!(
                "Officials in {place} said on day {event} that {} people were moved after the river rose, \
                 and the council of {place} opened {} shelters near the old bridge overnight.",
                event * 7 + 3,
                event % 5 + 2
            ),
            1 => format!(
                "{place}: {} residents left their homes on day {event}; the council runs {} shelters \
                 by the bridge, officials said, as the river kept rising in {place}.",
                event * 7 + 3,
                event % 5 + 2
            ),
            _ => format!(
                "Day {event} in {place}: article {i} on the market, the school board and {} new buses.",
                i % 97
            ),
        };
        // Now and then an id comes again (a redelivery), at times long
        // after its first decision.
        let id = if next(20) == 0 && i > 0 {
            format!("a{}", next(i))
        } else {
            format!("a{i}")
        };
        // Now and then the stream is quiet for a while, and time alone
        // closes stories (`age_out`, which the stage calls while idle).
        if next(10) == 0 {
            engine.age_out(at + next(6 * 3600) as i64);
            aged_out += engine.closed.as_ref().map_or(0, Vec::len);
        }
        let d = engine.decide(&art(&id, &text, at));
        for story in engine.take_closed() {
            assert!(
                open.remove(&story.story_id),
                "closed twice or never open: {}",
                story.story_id
            );
            closed_total += 1;
        }
        if d.kind == VerdictKind::Unique && !d.replay {
            // An id decided again after its story closed founds it again.
            if !open.insert(d.story_id.clone()) {
                panic!("{id} founded an open story again");
            }
            reopened += usize::from(id != format!("a{i}"));
        } else {
            assert!(
                open.contains(&d.story_id),
                "{id} joined a closed story: {d:?}"
            );
        }
    }
    assert!(
        closed_total > 500,
        "the window and the cap closed {closed_total}"
    );
    assert!(reopened > 0, "no redelivery came after its story closed");
    assert!(aged_out > 20, "time alone closed {aged_out}");
    assert_eq!(open.len(), engine.story_count());
    assert!(open.iter().all(|s| engine.story(s).is_some()));
}

/// Articles that leave are counted by what made them leave, so that an
/// operator sees when the cap, not the window, decides what is kept; the
/// span says how much time the window then holds.
#[test]
fn evictions_are_counted_by_cause_and_the_span_shows_a_capped_window() {
    let params = Params {
        window_secs: 1000,
        max_articles: 3,
        ..Params::default()
    };
    let mut engine = Engine::new(params);
    assert_eq!(
        engine.window_span_secs(),
        0,
        "an empty window holds no time"
    );
    let text = |i: i64| {
        format!(
            "The council of Varden{i} voted {i} times on the budget, and {i} members of the board left."
        )
    };
    for i in 0..5 {
        engine.decide(&art(&format!("a{i}"), &text(i), i * 100));
    }
    // Five articles inside the window, three kept: two pushed out by the cap.
    assert_eq!(
        engine.take_evictions(),
        Evictions {
            by_age: 0,
            by_cap: 2
        }
    );
    assert_eq!(engine.take_evictions(), Evictions::default(), "taken once");
    assert_eq!(engine.article_count(), 3);
    assert_eq!(engine.window_span_secs(), 200, "a2 to a4, 200 s of 1000");
    // A replay evicts nothing.
    engine.decide(&art("a4", &text(4), 400));
    assert_eq!(engine.take_evictions(), Evictions::default());
    // An article past the window: the three left are older than it allows.
    engine.decide(&art("late", &text(9), 1401));
    assert_eq!(
        engine.take_evictions(),
        Evictions {
            by_age: 3,
            by_cap: 0
        }
    );
    assert_eq!(engine.window_span_secs(), 0);
    // Time alone counts by age too.
    engine.age_out(2402);
    assert_eq!(engine.take_evictions().by_age, 1);
    assert_eq!(engine.article_count(), 0);
}
