//! `newsmill redrive`: send the messages behind dead letters back to the
//! topic they came from, once what failed them is fixed (a size limit
//! raised, a consumer upgraded to a producer's schema version, a bug
//! fixed). Every stage is idempotent (an article decided twice is a
//! replay), so a message sent again twice does no harm.
//!
//! A dead letter keeps at most 256 KiB of its payload, with the whole
//! payload's size and SHA-256. The message sent again is the origin record
//! itself while the topic still holds it (key and headers included), else
//! the letter's payload when it is whole; either must match the hash.
//!
//! An article page the fetcher gave up on has no message: its letter holds
//! the page request instead, and the page is asked for again (the
//! fetcher's robots, address, size and per-host rules apply) and published
//! to the raw topic as the poll would have.

use std::collections::{BTreeMap, HashSet};

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, Utc};
use news_core::Config;
use news_core::bus::{Ack, Bus, InRecord, OutRecord, Producer};
use news_core::ids::{has_masked_credentials, sha256_hex};
use news_core::messages::{DeadLetter, Origin, PageRequest};
use news_fetcher::Fetcher;

/// Sends awaited together, so that a large dead-letter topic holds a
/// bounded number of acknowledgements in memory.
const ACK_BATCH: usize = 1000;

/// Which dead letters to send again; empty lists take every value.
pub struct Selection {
    pub stages: Vec<String>,
    pub error_types: Vec<String>,
    pub since: Option<DateTime<Utc>>,
}

impl Selection {
    fn takes(&self, letter: &DeadLetter) -> bool {
        (self.stages.is_empty() || self.stages.contains(&letter.stage))
            && (self.error_types.is_empty() || self.error_types.contains(&letter.error_type))
            && self.since.is_none_or(|t| letter.failed_at >= t)
    }
}

/// What became of one dead letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// Sent again from the origin record.
    FromOrigin,
    /// Sent again from the letter's payload (the origin is gone).
    FromPayload,
    /// An article page asked for again and published.
    FetchedAgain,
    /// An article page asked for again, and it failed again.
    FetchFailed,
    NotSelected,
    /// The dead-letter message itself does not decode.
    Unreadable,
    /// A feed's failure, or a page's letter without its page request
    /// (written before letters held one): only the URL in `source`.
    NoMessage,
    /// The page's link held credentials, which no topic is given: asked
    /// for with them masked, it would fail again.
    CredentialsMasked,
    /// The origin is not a topic a stage reads.
    NotAnInput,
    /// A letter for the same payload was sent again in this run.
    SamePayload,
    /// The payload was cut and the origin topic no longer holds it.
    Lost,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::FromOrigin => "sent from the origin record",
            Outcome::FromPayload => "sent from the letter's payload",
            Outcome::FetchedAgain => "page fetched again",
            Outcome::FetchFailed => "page fetch failed again",
            Outcome::NotSelected => "not selected",
            Outcome::Unreadable => "unreadable letter",
            Outcome::NoMessage => "no message (a feed, or an older page letter; see source)",
            Outcome::CredentialsMasked => {
                "page link's credentials masked (its feed's next poll takes it if still listed)"
            }
            Outcome::NotAnInput => "origin is not a stage input",
            Outcome::SamePayload => "same payload as a letter sent in this run",
            Outcome::Lost => "lost (payload cut, origin gone)",
        }
    }

    fn sent(self) -> bool {
        matches!(
            self,
            Outcome::FromOrigin | Outcome::FromPayload | Outcome::FetchedAgain
        )
    }
}

/// What a selected letter asks for.
#[derive(Debug, PartialEq)]
enum Plan<'a> {
    /// Read the origin record, and send it (or the payload) again.
    Resend(&'a Origin),
    /// Ask for an article page again.
    Refetch(Box<PageRequest>),
}

/// The first look at a letter: skipped, or what to do with it.
fn plan<'a>(
    letter: &'a DeadLetter,
    selection: &Selection,
    inputs: &[&str],
    sent: &HashSet<String>,
) -> Result<Plan<'a>, Outcome> {
    if !selection.takes(letter) {
        return Err(Outcome::NotSelected);
    }
    let plan = match &letter.origin {
        None => {
            let page = page_request(letter).ok_or(Outcome::NoMessage)?;
            if url::Url::parse(&page.link).is_ok_and(|u| has_masked_credentials(&u)) {
                return Err(Outcome::CredentialsMasked);
            }
            Plan::Refetch(Box::new(page))
        }
        Some(origin) if !inputs.contains(&origin.topic.as_str()) => {
            return Err(Outcome::NotAnInput);
        }
        Some(origin) => Plan::Resend(origin),
    };
    if sent.contains(&letter.payload_sha256) {
        return Err(Outcome::SamePayload);
    }
    Ok(plan)
}

/// Whether the letter holds its payload whole: not cut, and UTF-8 (the
/// letter holds other bytes lossily), as its hash says.
fn holds_whole_payload(letter: &DeadLetter) -> bool {
    !letter.payload_truncated && sha256_hex(letter.payload.as_bytes()) == letter.payload_sha256
}

/// The page request a fetch letter holds, if it holds one whole.
fn page_request(letter: &DeadLetter) -> Option<PageRequest> {
    (letter.stage == "fetch" && holds_whole_payload(letter))
        .then(|| serde_json::from_str(&letter.payload).ok())
        .flatten()
}

/// The message to send again: the origin record if it is the one the
/// letter describes, else the letter's payload if it is whole.
fn resend(
    letter: &DeadLetter,
    origin: &Origin,
    found: Option<InRecord>,
    letter_key: Option<String>,
    marker: &str,
) -> Result<(OutRecord, Outcome), Outcome> {
    if let Some(record) = found.filter(|r| sha256_hex(&r.payload) == letter.payload_sha256) {
        let out = OutRecord {
            topic: origin.topic.clone(),
            key: record.key_str().unwrap_or_default(),
            headers: record.headers,
            payload: record.payload,
        };
        return Ok((
            out.with_header("redriven-from", marker),
            Outcome::FromOrigin,
        ));
    }
    if !holds_whole_payload(letter) {
        return Err(Outcome::Lost);
    }
    let out = OutRecord {
        topic: origin.topic.clone(),
        key: letter_key.unwrap_or_default(),
        headers: vec![("content-type".into(), b"application/json".to_vec())],
        payload: letter.payload.clone().into_bytes(),
    };
    Ok((
        out.with_header("redriven-from", marker),
        Outcome::FromPayload,
    ))
}

/// `newsmill redrive`: read the dead-letter topic to its current end and
/// send again the messages of the letters selected. With `dry_run`, only
/// say what would be sent.
pub async fn redrive(config: Config, selection: Selection, dry_run: bool) -> Result<()> {
    let bus = if dry_run {
        Bus::reader_from_config(&config)
    } else {
        Bus::from_config(&config)
    }
    .context("opening the bus")?;
    let producer = if dry_run { None } else { Some(bus.producer()?) };
    let reader = bus.record_reader()?;
    let topics = &config.topics;
    let inputs = [
        topics.raw.as_str(),
        topics.clean.as_str(),
        topics.feeds.as_str(),
    ];
    // A letter is written after it failed: those failed since `--since`
    // are among the records written since.
    let (mut letters, reading) = crate::topics::read_written_by_key(
        &bus,
        &config,
        &config.topics.dlq,
        "redrive",
        None,
        selection.since,
    )?;
    let mut sent = HashSet::new();
    let mut counts: BTreeMap<Outcome, u64> = BTreeMap::new();
    let mut acks: Vec<Ack> = Vec::new();
    // Built at the first page to fetch; none in a dry run.
    let mut fetcher: Option<Fetcher> = None;
    while let Some(record) = letters.recv().await {
        let letter = serde_json::from_slice::<DeadLetter>(&record.payload);
        let mut error = None;
        let outcome = match &letter {
            Err(_) => Outcome::Unreadable,
            Ok(letter) => match plan(letter, &selection, &inputs, &sent) {
                Err(skip) => skip,
                Ok(Plan::Refetch(page)) => {
                    sent.insert(letter.payload_sha256.clone());
                    let (outcome, failed) =
                        refetch(&page, &mut fetcher, producer.as_ref(), &config).await?;
                    error = failed;
                    outcome
                }
                Ok(Plan::Resend(origin)) => {
                    let found = tokio::task::block_in_place(|| {
                        reader.read_at(&origin.topic, origin.partition, origin.offset)
                    })
                    .unwrap_or_else(|e| {
                        tracing::warn!(error = %e, topic = %origin.topic, offset = origin.offset, "reading a dead letter's origin failed");
                        None
                    });
                    let marker = format!("{}/{}/{}", record.topic, record.partition, record.offset);
                    match resend(letter, origin, found, record.key_str(), &marker) {
                        Err(skip) => skip,
                        Ok((out, outcome)) => {
                            sent.insert(letter.payload_sha256.clone());
                            if let Some(p) = &producer {
                                acks.push(p.send(out).map_err(|e| anyhow!("sending again: {e}"))?);
                            }
                            outcome
                        }
                    }
                }
            },
        };
        *counts.entry(outcome).or_default() += 1;
        if let (Ok(letter), false) = (&letter, outcome == Outcome::NotSelected) {
            let mut line = serde_json::json!({
                "id": letter.id,
                "stage": letter.stage,
                "error_type": letter.error_type,
                "origin": letter.origin,
                "source": letter.source,
                "outcome": outcome.label(),
            });
            if let Some(error) = error {
                line["error"] = error.into();
            }
            println!("{line}");
        }
        if acks.len() >= ACK_BATCH {
            await_all(std::mem::take(&mut acks)).await?;
        }
    }
    reading.await.context("dead-letter reader")??;
    await_all(acks).await?;
    if let Some(p) = &producer {
        p.flush(std::time::Duration::from_secs(30))?;
    }
    eprintln!("{}", summary(&counts, dry_run));
    Ok(())
}

/// Ask for a page again and publish it (in a dry run, only say it would
/// be): the outcome, with the error when it failed again. The fetcher is
/// built at the first page.
async fn refetch(
    page: &PageRequest,
    fetcher: &mut Option<Fetcher>,
    producer: Option<&Producer>,
    config: &Config,
) -> Result<(Outcome, Option<String>)> {
    let Some(producer) = producer else {
        return Ok((Outcome::FetchedAgain, None));
    };
    if fetcher.is_none() {
        let built = Fetcher::for_single_pages(config.clone(), producer.clone())
            .context("starting the fetcher")?;
        *fetcher = Some(built);
    }
    let fetcher = fetcher.as_ref().expect("built above");
    Ok(match fetcher.fetch_again(page).await {
        Ok(()) => (Outcome::FetchedAgain, None),
        Err(e) => (Outcome::FetchFailed, Some(e.to_string())),
    })
}

/// One line: how many letters were read, sent again (and how), skipped
/// (and why).
fn summary(counts: &BTreeMap<Outcome, u64>, dry_run: bool) -> String {
    let count = |o: Outcome| counts.get(&o).copied().unwrap_or(0);
    let read: u64 = counts.values().sum();
    let sent: u64 = counts
        .iter()
        .filter(|(o, _)| o.sent())
        .map(|(_, n)| n)
        .sum();
    let skipped: Vec<String> = counts
        .iter()
        .filter(|(o, _)| !o.sent())
        .map(|(o, n)| format!("{n} {}", o.label()))
        .collect();
    format!(
        "redrive: {read} dead letters read; {sent} {} again ({} from the origin record, {} from the letter's payload, {} pages fetched); not sent: {}",
        if dry_run { "would be sent" } else { "sent" },
        count(Outcome::FromOrigin),
        count(Outcome::FromPayload),
        count(Outcome::FetchedAgain),
        if skipped.is_empty() {
            "none".to_string()
        } else {
            skipped.join(", ")
        }
    )
}

async fn await_all(acks: Vec<Ack>) -> Result<()> {
    for ack in acks {
        ack.await.map_err(|e| anyhow!("sending again: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(payload: &[u8], cut: usize) -> DeadLetter {
        DeadLetter {
            schema_version: 1,
            id: "l1".into(),
            stage: "clean".into(),
            error_type: "oversized".into(),
            reason: "too big".into(),
            origin: Some(Origin {
                topic: "news.raw.v1".into(),
                partition: 0,
                offset: 42,
            }),
            source: None,
            payload: String::from_utf8_lossy(&payload[..cut]).into_owned(),
            payload_bytes: payload.len() as u64,
            payload_sha256: sha256_hex(payload),
            payload_truncated: cut < payload.len(),
            failed_at: "2026-12-01T10:00:00Z".parse().unwrap(),
        }
    }

    fn record(payload: &[u8]) -> InRecord {
        InRecord {
            topic: "news.raw.v1".into(),
            partition: 0,
            offset: 42,
            next_offset: 43,
            key: Some(b"article-key".to_vec()),
            headers: vec![("schema-version".into(), b"1".to_vec())],
            payload: payload.to_vec(),
            timestamp_ms: None,
        }
    }

    const INPUTS: [&str; 2] = ["news.raw.v1", "news.clean.v1"];

    #[test]
    fn the_selection_and_the_origin_decide_what_is_looked_at() {
        let every = Selection {
            stages: vec![],
            error_types: vec![],
            since: None,
        };
        let l = letter(b"{\"a\":1}", 7);
        assert!(plan(&l, &every, &INPUTS, &HashSet::new()).is_ok());
        let only = |stages: &[&str], types: &[&str], since: Option<&str>| Selection {
            stages: stages.iter().map(|s| s.to_string()).collect(),
            error_types: types.iter().map(|s| s.to_string()).collect(),
            since: since.map(|s| s.parse().unwrap()),
        };
        let skipped = |sel: &Selection| plan(&l, sel, &INPUTS, &HashSet::new()).err();
        assert_eq!(
            skipped(&only(&["dedup"], &[], None)),
            Some(Outcome::NotSelected)
        );
        assert_eq!(
            skipped(&only(&[], &["decode"], None)),
            Some(Outcome::NotSelected)
        );
        assert_eq!(
            skipped(&only(&[], &[], Some("2026-12-02T00:00:00Z"))),
            Some(Outcome::NotSelected)
        );
        assert_eq!(
            skipped(&only(
                &["clean"],
                &["oversized"],
                Some("2026-12-01T10:00:00Z")
            )),
            None
        );
        let mut fetch = l.clone();
        fetch.origin = None;
        assert_eq!(
            plan(&fetch, &every, &INPUTS, &HashSet::new()).err(),
            Some(Outcome::NoMessage)
        );
        let mut elsewhere = l.clone();
        elsewhere.origin.as_mut().unwrap().topic = "news.dedup.v1".into();
        assert_eq!(
            plan(&elsewhere, &every, &INPUTS, &HashSet::new()).err(),
            Some(Outcome::NotAnInput)
        );
        let sent = HashSet::from([l.payload_sha256.clone()]);
        assert_eq!(
            plan(&l, &every, &INPUTS, &sent).err(),
            Some(Outcome::SamePayload)
        );
    }

    #[test]
    fn a_page_letter_with_its_whole_request_is_fetched_again() {
        let every = Selection {
            stages: vec![],
            error_types: vec![],
            since: None,
        };
        let request = PageRequest {
            id: "a1".into(),
            link: "https://example.com/a/1.html".into(),
            item: news_core::messages::FeedItemMeta {
                feed_url: "https://example.com/feed.xml".into(),
                title: Some("A headline".into()),
                ..Default::default()
            },
        };
        let json = serde_json::to_vec(&request).unwrap();
        let page_letter = |cut: usize| {
            let mut l = letter(&json, cut);
            (l.stage, l.error_type, l.origin) = ("fetch".into(), "fetch".into(), None);
            l
        };
        let whole = page_letter(json.len());
        assert_eq!(
            plan(&whole, &every, &INPUTS, &HashSet::new()),
            Ok(Plan::Refetch(Box::new(request.clone())))
        );
        let sent = HashSet::from([whole.payload_sha256.clone()]);
        assert_eq!(
            plan(&whole, &every, &INPUTS, &sent).err(),
            Some(Outcome::SamePayload),
            "two letters for one page fetch it once"
        );
        // A link whose token the letter masks is not asked for with it.
        let masked = PageRequest {
            link: "https://example.com/a/1.html?access_token=********".into(),
            ..request.clone()
        };
        let json_masked = serde_json::to_vec(&masked).unwrap();
        let mut l = letter(&json_masked, json_masked.len());
        (l.stage, l.error_type, l.origin) = ("fetch".into(), "fetch".into(), None);
        assert_eq!(
            plan(&l, &every, &INPUTS, &HashSet::new()).err(),
            Some(Outcome::CredentialsMasked)
        );
        // Cut, a feed's failure (no payload, or the feed's body), or
        // another stage's letter without an origin: nothing to fetch.
        let mut feed = page_letter(0);
        feed.payload_truncated = false;
        feed.payload_sha256 = sha256_hex(b"");
        let mut feed_body = letter(b"<rss><channel>", 14);
        (feed_body.stage, feed_body.origin) = ("fetch".into(), None);
        let mut other_stage = whole.clone();
        other_stage.stage = "clean".into();
        for l in [page_letter(json.len() - 1), feed, feed_body, other_stage] {
            assert_eq!(
                plan(&l, &every, &INPUTS, &HashSet::new()).err(),
                Some(Outcome::NoMessage),
                "{l:?}"
            );
        }
    }

    #[test]
    fn the_origin_record_is_sent_when_it_matches_else_a_whole_payload() {
        let payload = b"{\"schema_version\":1,\"html\":\"long page\"}";
        let whole = letter(payload, payload.len());
        let origin = whole.origin.clone().unwrap();
        let (out, how) = resend(&whole, &origin, Some(record(payload)), None, "dlq/0/7").unwrap();
        assert_eq!(how, Outcome::FromOrigin);
        assert_eq!(
            (out.topic.as_str(), out.key.as_str(), out.payload.as_slice()),
            ("news.raw.v1", "article-key", &payload[..])
        );
        assert!(
            out.headers
                .contains(&("schema-version".into(), b"1".to_vec()))
        );
        assert!(
            out.headers
                .contains(&("redriven-from".into(), b"dlq/0/7".to_vec()))
        );

        // Another record at that offset (a topic made anew): the payload.
        let (out, how) = resend(
            &whole,
            &origin,
            Some(record(b"other")),
            Some("k".into()),
            "dlq/0/7",
        )
        .unwrap();
        assert_eq!(how, Outcome::FromPayload);
        assert_eq!(
            (out.key.as_str(), out.payload.as_slice()),
            ("k", &payload[..])
        );

        // A cut payload needs its origin.
        let cut = letter(payload, 10);
        assert_eq!(
            resend(&cut, &origin, None, None, "m").err(),
            Some(Outcome::Lost)
        );
        assert!(resend(&cut, &origin, Some(record(payload)), None, "m").is_ok());

        // Bytes that are not UTF-8 are held lossily: not the message.
        let binary = letter(b"\xff\xfe{}", 4);
        assert_eq!(
            resend(&binary, &origin, None, None, "m").err(),
            Some(Outcome::Lost)
        );
    }

    #[test]
    fn the_summary_counts_each_outcome() {
        let counts = BTreeMap::from([
            (Outcome::FromOrigin, 2),
            (Outcome::FromPayload, 1),
            (Outcome::FetchedAgain, 5),
            (Outcome::FetchFailed, 1),
            (Outcome::NoMessage, 3),
            (Outcome::NotSelected, 4),
        ]);
        assert_eq!(
            summary(&counts, false),
            "redrive: 16 dead letters read; 8 sent again (2 from the origin record, 1 from the letter's payload, 5 pages fetched); not sent: 1 page fetch failed again, 4 not selected, 3 no message (a feed, or an older page letter; see source)"
        );
        assert!(summary(&BTreeMap::new(), true).contains("0 would be sent again"));
    }
}
