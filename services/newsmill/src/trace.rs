//! `newsmill trace URL|ID` (since round 65): where one article went, for
//! the operator who asks why a story is missing or where it was put. It
//! reads, without moving anyone's position or touching the fetcher's
//! files: what the fetcher of this data directory knows of the article
//! (the feeds that took it, its page waiting for a retry), then every
//! record about it on the stage topics in pipeline order, its dead
//! letters, and its story's latest summary. One JSON line per finding on
//! stdout, long texts abridged; a summary on stderr.

use anyhow::{Context, Result, bail};
use news_core::Config;
use news_core::bus::{Bus, InRecord};
use news_core::ids::article_id;
use serde_json::{Value, json};

/// Characters of a string shown before it is cut.
const SHOWN_CHARS: usize = 240;
/// Items of a list shown before it is cut.
const SHOWN_ITEMS: usize = 16;

/// The article a target names: a 64-hex id as it is, else the id of the
/// URL (canonicalised as the fetcher does).
fn article_of(target: &str) -> Result<(String, Option<String>)> {
    let target = target.trim();
    if target.len() == 64 && target.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok((target.to_ascii_lowercase(), None));
    }
    let url = url::Url::parse(target)
        .with_context(|| format!("{target:?} is neither an article's URL nor its 64-hex id"))?;
    if !matches!(url.scheme(), "http" | "https" | "file") {
        bail!("{target:?} is neither an article's URL nor its 64-hex id");
    }
    Ok((article_id(target), Some(target.to_string())))
}

/// A message with its long strings and lists cut, so that a page's HTML
/// or a story's members do not fill the terminal.
fn abridged(value: Value) -> Value {
    match value {
        Value::String(s) if s.chars().count() > SHOWN_CHARS => {
            let shown: String = s.chars().take(SHOWN_CHARS).collect();
            Value::String(format!("{shown}… ({} bytes)", s.len()))
        }
        Value::Array(items) if items.len() > SHOWN_ITEMS => {
            let total = items.len();
            let mut shown: Vec<Value> = items.into_iter().take(SHOWN_ITEMS).map(abridged).collect();
            shown.push(Value::String(format!("… ({total} in all)")));
            Value::Array(shown)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(abridged).collect()),
        Value::Object(fields) => {
            Value::Object(fields.into_iter().map(|(k, v)| (k, abridged(v))).collect())
        }
        other => other,
    }
}

/// Whether a dead letter is about the article: keyed by it (a clean or
/// dedup stage's letter), or naming its page as its source (the
/// fetcher's). Only the letter's source is read of its JSON.
fn letter_is_about(record: &InRecord, id: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Source {
        source: Option<String>,
    }
    record.key.as_deref() == Some(id.as_bytes())
        || serde_json::from_slice::<Source>(&record.payload)
            .ok()
            .and_then(|letter| letter.source)
            .is_some_and(|source| article_id(&source) == id)
}

/// What a topic gave: the records about the article, each with its
/// message, and the partition read on Kafka (None: every partition).
struct Found {
    records: Vec<(InRecord, Value)>,
    partition: Option<i32>,
}

/// Every record of `topic` that `about` selects, in order, with its
/// message; a record not selected is not decoded (a raw topic's pages).
/// With `key`, on Kafka, only the partition that key's records go to is
/// read.
async fn records_about(
    bus: &Bus,
    config: &Config,
    topic: &str,
    reading: Reading<'_>,
    about: impl Fn(&InRecord) -> bool,
) -> Result<Found> {
    // A group of its own per topic: the reads go at once.
    let purpose = format!(
        "trace-{}",
        topic.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    let (mut records, reading) = crate::topics::read_written_by_key(
        bus,
        config,
        topic,
        &purpose,
        reading.key,
        reading.since,
    )?;
    let mut found = Vec::new();
    while let Some(record) = records.recv().await {
        if about(&record) {
            let message = serde_json::from_slice::<Value>(&record.payload).unwrap_or(Value::Null);
            found.push((record, message));
        }
    }
    let partition = reading.await.context("topic reader")??;
    Ok(Found {
        records: found,
        partition,
    })
}

/// What of a topic a trace reads: on Kafka the partition of `key` (None:
/// all), and the records written since `since` (None: all).
#[derive(Clone, Copy)]
struct Reading<'a> {
    key: Option<&'a [u8]>,
    since: Option<chrono::DateTime<chrono::Utc>>,
}

/// One record about the article, where it is first.
#[derive(serde::Serialize)]
struct Finding<'a> {
    topic: &'a str,
    partition: i32,
    offset: i64,
    key: Option<String>,
    message: Value,
}

fn print_finding(record: &InRecord, message: Value) {
    let finding = Finding {
        topic: &record.topic,
        partition: record.partition,
        offset: record.offset,
        key: record.key_str(),
        message: abridged(message),
    };
    println!("{}", serde_json::to_string(&finding).unwrap_or_default());
}

/// `all_partitions` reads every partition of the keyed topics on Kafka,
/// for a topic whose partitions were added to since the article passed;
/// `since` only the records written from then on (round 67).
pub async fn trace(
    config: Config,
    target: &str,
    all_partitions: bool,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<()> {
    let (id, url) = article_of(target)?;
    println!("{}", json!({ "article": id, "url": url }));
    let fetcher = news_fetcher::status::article_in_fetcher(&config, &id)?;
    if !fetcher.taken_by.is_empty() || !fetcher.waiting.is_empty() {
        println!("{}", json!({ "fetcher": fetcher }));
    }
    let bus = Bus::reader_from_config(&config).context("opening the bus")?;
    let topics = &config.topics;
    let keyed = |record: &InRecord| record.key.as_deref() == Some(id.as_bytes());
    let mut seen_on: Vec<String> = Vec::new();
    let mut story: Option<String> = None;
    let by_key = Reading {
        key: (!all_partitions).then_some(id.as_bytes()),
        since,
    };
    let mut partitions_read: Vec<String> = Vec::new();
    // The four topics read at once: on Kafka each read waits for its end.
    // Dead letters are keyed by the article too (the fetcher's since
    // round 66; before, by the letter's own id, which `--all-partitions`
    // finds).
    let about = |r: &InRecord| letter_is_about(r, &id);
    let (raw, clean, dedup, letters) = tokio::join!(
        records_about(&bus, &config, &topics.raw, by_key, keyed),
        records_about(&bus, &config, &topics.clean, by_key, keyed),
        records_about(&bus, &config, &topics.dedup, by_key, keyed),
        records_about(&bus, &config, &topics.dlq, by_key, about),
    );
    for (topic, found) in [
        (&topics.raw, raw?),
        (&topics.clean, clean?),
        (&topics.dedup, dedup?),
    ] {
        if let Some(partition) = found.partition {
            partitions_read.push(format!("{topic}:{partition}"));
        }
        let found = found.records;
        if !found.is_empty() {
            seen_on.push(format!("{topic} ({})", found.len()));
        }
        for (record, message) in found {
            if let Some(s) = message["story_id"].as_str() {
                story.get_or_insert_with(|| s.to_string());
            }
            print_finding(&record, message);
        }
    }
    let letters = letters?;
    if let Some(partition) = letters.partition {
        partitions_read.push(format!("{}:{partition}", topics.dlq));
    }
    let letters = letters.records;
    let letter_count = letters.len();
    for (record, message) in letters {
        print_finding(&record, message);
    }
    let mut story_line = String::new();
    if let Some(story) = &story {
        let by_story = Reading {
            key: (!all_partitions).then_some(story.as_bytes()),
            since,
        };
        let summaries = records_about(&bus, &config, &topics.stories, by_story, |r| {
            r.key.as_deref() == Some(story.as_bytes())
        })
        .await?;
        if let Some(partition) = summaries.partition {
            partitions_read.push(format!("{}:{partition}", topics.stories));
        }
        if let Some((record, summary)) = summaries.records.into_iter().last() {
            story_line = format!(
                "; story {story}: {} members, \"{}\"{}",
                summary["member_count"].as_u64().unwrap_or_default(),
                summary["title"].as_str().unwrap_or_default(),
                if summary["closed_at"].is_string() {
                    ", closed"
                } else {
                    ""
                }
            );
            print_finding(&record, summary);
        }
    }
    let fetched = if fetcher.taken_by.is_empty() {
        "taken by no feed of this data directory".to_string()
    } else {
        format!("taken by {} feed(s)", fetcher.taken_by.len())
    };
    let waiting = if fetcher.waiting.is_empty() {
        String::new()
    } else {
        format!(
            "; its page waits for a retry in {} feed(s)",
            fetcher.waiting.len()
        )
    };
    let topics_line = if seen_on.is_empty() {
        "on no stage topic".to_string()
    } else {
        format!("on {}", seen_on.join(", "))
    };
    let partitions_line = if partitions_read.is_empty() {
        String::new()
    } else {
        format!(
            " (read by key, one partition each: {})",
            partitions_read.join(", ")
        )
    };
    let since_line = since
        .map(|t| format!(" (records written since {})", t.to_rfc3339()))
        .unwrap_or_default();
    eprintln!(
        "article {id}: {fetched}{waiting}; {topics_line}; {letter_count} dead letter(s){story_line}{partitions_line}{since_line}"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_an_id_or_a_url_and_nothing_else() {
        let id = "AB".repeat(32);
        assert_eq!(article_of(&id).unwrap(), (id.to_ascii_lowercase(), None));
        let url = "https://www.example.com/2024/quake?utm_source=x";
        let (from_url, shown) = article_of(url).unwrap();
        assert_eq!(from_url, article_id("https://example.com/2024/quake"));
        assert_eq!(shown.as_deref(), Some(url));
        for bad in ["quake", "ftp://example.com/a", &"ab".repeat(31)] {
            let err = article_of(bad).unwrap_err().to_string();
            assert!(err.contains("neither an article's URL"), "{err}");
        }
    }

    #[test]
    fn long_strings_and_lists_are_cut_and_say_how_long_they_were() {
        let html = "<p>x</p>".repeat(100);
        let members: Vec<Value> = (0..40).map(|i| json!(format!("m{i}"))).collect();
        let shown = abridged(json!({ "html": html, "members": members, "n": 3 }));
        let cut = shown["html"].as_str().unwrap();
        assert!(cut.ends_with("… (800 bytes)"), "{cut}");
        assert_eq!(
            cut.chars().count(),
            SHOWN_CHARS + "… (800 bytes)".chars().count()
        );
        let listed = shown["members"].as_array().unwrap();
        assert_eq!(listed.len(), SHOWN_ITEMS + 1);
        assert_eq!(listed[SHOWN_ITEMS], "… (40 in all)");
        assert_eq!(shown["n"], 3);
    }
}
