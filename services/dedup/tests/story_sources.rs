//! A story's summary names the outlets that carried it, each once, with
//! its articles, through a restart from the snapshot.

use news_core::config::Config;
use news_core::messages::{CleanArticle, Story, StorySource};
use news_core::runner::Stage;
use news_dedup::DedupStage;

mod common;
use common::clean_origin;

const WIRE: &str = "The harbour authority of Port Elin approved a second ferry berth on Monday, \
                    and the first crossing to the islands will run in April after a vote of \
                    seven to two by its board.";

fn article(id: &str, url: &str, site_name: Option<&str>) -> CleanArticle {
    let example = include_str!("../../../schemas/examples/news.clean.v1.example.json");
    let mut a: CleanArticle = serde_json::from_str(example).unwrap();
    a.id = id.into();
    a.url = url.into();
    a.site_name = site_name.map(str::to_string);
    a.title = Some("Port Elin approves a second ferry berth".into());
    a.text = WIRE.into();
    a.text_sha256 = news_core::ids::sha256_hex(WIRE);
    a.word_count = WIRE.split_whitespace().count() as u32;
    a
}

/// The story summary the stage sent for `a`.
fn summary_after(stage: &mut DedupStage, a: CleanArticle) -> Story {
    let out = stage.process(a, &clean_origin()).unwrap();
    let story = out
        .iter()
        .find(|r| r.topic == "news.stories.v1")
        .expect("every decision sends its story's summary");
    serde_json::from_slice(&story.payload).unwrap()
}

fn sources(story: &Story) -> Vec<(&str, u32)> {
    story
        .sources
        .iter()
        .map(|StorySource { source, articles }| (source.as_str(), *articles))
        .collect()
}

/// A feed's link can be a tracker's that redirects to the outlet: the
/// outlet is the page read. A clean article from before the page read was
/// recorded counts its feed link's domain.
#[test]
fn the_outlet_is_the_page_read_not_the_trackers_link() {
    let mut stage = DedupStage::new(&Config::default(), None).unwrap();
    let mut tracked = article("t1", "https://feedproxy.google.com/~r/elin/~3/x1", None);
    tracked.fetched_url = Some("https://www.elin-herald.co.uk/news/ferry-berth".into());
    let story = summary_after(&mut stage, tracked);
    assert_eq!(sources(&story), [("elin-herald.co.uk", 1)]);
    let mut older = article("t2", "https://feedproxy.google.com/~r/elin/~3/x2", None);
    older.fetched_url = None;
    let story = summary_after(&mut stage, older);
    assert_eq!(
        sources(&story),
        [("elin-herald.co.uk", 1), ("google.com", 1)]
    );
}

#[test]
fn a_storys_summary_counts_each_outlet_once_with_its_articles() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::default();
    let mut stage = DedupStage::new(&config, Some(dir.path().to_path_buf())).unwrap();
    let first = summary_after(
        &mut stage,
        article("a1", "https://www.bbc.co.uk/news/1", Some("BBC News")),
    );
    assert_eq!(sources(&first), [("bbc.co.uk", 1)]);
    assert_eq!(first.source_count, 1);
    // Another host of the same registrable domain is the same outlet; the
    // copies on other outlets count as coverage.
    summary_after(&mut stage, article("a2", "https://news.bbc.co.uk/2", None));
    summary_after(
        &mut stage,
        article("a3", "https://reuters.com/world/3", None),
    );
    // A page read from a file has no host: its site name stands in.
    summary_after(
        &mut stage,
        article("a4", "file:///srv/site/a4.html", Some("  Outlet 4 ")),
    );
    let story = summary_after(&mut stage, article("a5", "file:///srv/site/a5.html", None));
    assert_eq!(story.story_id, first.story_id);
    assert_eq!(story.member_count, 5);
    assert_eq!(
        sources(&story),
        [("bbc.co.uk", 2), ("reuters.com", 1), ("Outlet 4", 1)]
    );
    assert_eq!(story.source_count, 3);
    // A replay (at-least-once delivery) counts nothing again.
    let replayed = summary_after(
        &mut stage,
        article("a3", "https://reuters.com/world/3", None),
    );
    assert_eq!(replayed.sources, story.sources);
    assert_eq!(replayed.source_count, 3);

    stage.checkpoint().unwrap();
    drop(stage);
    let mut restarted = DedupStage::new(&config, Some(dir.path().to_path_buf())).unwrap();
    let story = summary_after(
        &mut restarted,
        article("a6", "https://apnews.com/article/6", None),
    );
    assert_eq!(story.story_id, first.story_id);
    assert_eq!(
        sources(&story),
        [
            ("bbc.co.uk", 2),
            ("reuters.com", 1),
            ("Outlet 4", 1),
            ("apnews.com", 1)
        ]
    );
    assert_eq!(story.source_count, 4);
}
