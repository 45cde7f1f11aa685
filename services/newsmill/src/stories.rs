//! `newsmill stories` (since round 67): the stories as they stand now, for
//! the editor or operator who asks "what is the news": the stories topic
//! read as far as written, each story's latest summary kept (as Kafka's
//! compaction keeps it), the closed ones left out, ranked, and printed as
//! JSON lines without their member lists (`newsmill trace` follows one
//! article; `tail news.stories.v1` shows every summary whole).

use std::collections::HashMap;

use anyhow::{Context, Result};
use news_core::Config;
use news_core::bus::Bus;
use news_core::messages::Story;

/// How `newsmill stories` ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Rank {
    /// Most outlets first: how widely the event is reported.
    Outlets,
    /// Most articles first, copies included.
    Articles,
    /// Latest article first.
    Latest,
}

/// Each story's latest summary, by the order the topic gives (a story's
/// summaries are keyed by it, so they come in order within its partition).
pub fn latest_summaries(summaries: impl IntoIterator<Item = Story>) -> Vec<Story> {
    let mut latest: HashMap<String, Story> = HashMap::new();
    for story in summaries {
        latest.insert(story.story_id.clone(), story);
    }
    latest.into_values().collect()
}

/// The open stories (all, with `closed`) ranked by `rank`, ties by the
/// latest article, then by id; at most `top`.
pub fn ranked(mut stories: Vec<Story>, rank: Rank, closed: bool, top: usize) -> Vec<Story> {
    stories.retain(|s| closed || s.closed_at.is_none());
    stories.sort_by(|a, b| {
        let by = match rank {
            Rank::Outlets => b.source_count.cmp(&a.source_count),
            Rank::Articles => b.member_count.cmp(&a.member_count),
            Rank::Latest => std::cmp::Ordering::Equal,
        };
        by.then(b.last_seen.cmp(&a.last_seen))
            .then(a.story_id.cmp(&b.story_id))
    });
    stories.truncate(top);
    stories
}

/// A summary as printed: every field but the member ids.
fn shown(story: &Story) -> serde_json::Value {
    let mut value = serde_json::to_value(story).unwrap_or_default();
    if let Some(fields) = value.as_object_mut() {
        fields.remove("members");
    }
    value
}

/// Prints the ranked stories; a summary that does not decode is counted
/// on stderr, not fatal.
pub async fn stories(config: Config, rank: Rank, closed: bool, top: usize) -> Result<()> {
    let bus = Bus::reader_from_config(&config).context("opening the bus")?;
    let (mut records, reading) =
        crate::topics::read_written(&bus, &config, &config.topics.stories, "stories")?;
    let mut summaries = Vec::new();
    let mut undecodable = 0usize;
    while let Some(record) = records.recv().await {
        match serde_json::from_slice::<Story>(&record.payload) {
            Ok(story) => summaries.push(story),
            Err(_) => undecodable += 1,
        }
    }
    reading.await.context("stories reader")??;
    let read = summaries.len();
    let latest = latest_summaries(summaries);
    let open = latest.iter().filter(|s| s.closed_at.is_none()).count();
    let shown_stories = ranked(latest, rank, closed, top);
    for story in &shown_stories {
        println!("{}", shown(story));
    }
    let skipped = if undecodable > 0 {
        format!("; {undecodable} summaries that do not decode skipped")
    } else {
        String::new()
    };
    eprintln!(
        "{} stories shown of {open} open, from {read} summaries{skipped}",
        shown_stories.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    fn story(id: &str, sources: u32, members: u32, minutes_ago: i64) -> Story {
        let at = Utc::now() - Duration::minutes(minutes_ago);
        Story {
            schema_version: 1,
            story_id: id.into(),
            title: Some(id.to_uppercase()),
            members: (0..members).map(|i| format!("{id}-{i}")).collect(),
            member_count: members,
            first_seen: at,
            last_seen: at,
            updated_at: at,
            languages: vec![],
            sources: vec![],
            source_count: sources,
            closed_at: None,
        }
    }

    #[test]
    fn the_latest_summary_of_each_open_story_is_ranked() {
        let mut closed = story("quake", 9, 9, 1);
        closed.closed_at = Some(Utc::now());
        let summaries = vec![
            story("quake", 1, 1, 30),
            story("strike", 2, 6, 20),
            story("quake", 3, 4, 10),
            story("ferry", 3, 3, 5),
            story("vote", 1, 1, 2),
            closed,
            story("fire", 5, 5, 40),
        ];
        let latest = latest_summaries(summaries);
        assert_eq!(latest.len(), 5);
        let ids = |stories: Vec<Story>| -> Vec<String> {
            stories.into_iter().map(|s| s.story_id).collect()
        };
        // The quake's last summary closed it: left out unless asked for.
        assert_eq!(
            ids(ranked(latest.clone(), Rank::Outlets, false, 10)),
            ["fire", "ferry", "strike", "vote"]
        );
        assert_eq!(
            ids(ranked(latest.clone(), Rank::Articles, true, 2)),
            ["quake", "strike"]
        );
        assert_eq!(
            ids(ranked(latest, Rank::Latest, false, 3)),
            ["vote", "ferry", "strike"]
        );
        let printed = shown(&story("vote", 1, 3, 0));
        assert!(printed.get("members").is_none());
        assert_eq!(printed["member_count"], 3);
    }
}
