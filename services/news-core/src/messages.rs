//! Message contracts for every topic. These types are the source of truth:
//! `schemas/*.schema.json` are generated from them (see `schema_files`).
//!
//! Evolution rule: within a topic version only optional fields are added and
//! consumers ignore unknown fields, so no type here denies unknown fields.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the message layout carried by every message.
pub const SCHEMA_VERSION: u32 = 1;

/// Feed item metadata as the feed described it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FeedItemMeta {
    /// The feed the item came from.
    pub feed_url: String,
    /// The item's guid or id as the feed gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The item's link, resolved against the feed URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The item's full content as the feed carries it (`content:encoded`,
    /// Atom's inline `<content>`, a JSON Feed's `content_html` or
    /// `content_text`), HTML or text, when it is not the summary; cut to
    /// 256 KiB. The cleaner reads it when the page gives no article text
    /// (since round 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The item's picture, as the feed names it (Media RSS
    /// `media:thumbnail`, an image `media:content` or `<enclosure>`, a JSON
    /// Feed's `image`), absolute; the clean article's lead image when its
    /// page names none (since round 63).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// `news.raw.v1`: a fetched article page plus the feed item that named it.
/// Keyed by `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RawItem {
    pub schema_version: u32,
    /// Hex SHA-256 of the canonical article URL.
    pub id: String,
    /// Canonical article URL (tracking parameters, fragment and default port removed).
    pub url: String,
    /// The URL the page was finally read from, after redirects.
    pub fetched_url: String,
    pub fetched_at: DateTime<Utc>,
    /// HTTP status of the article response (200 for file:// reads).
    pub http_status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Charset the body was decoded from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    /// The page body, decoded to UTF-8.
    pub html: String,
    pub item: FeedItemMeta,
    /// Set when the page could not be read and the fetcher publishes the
    /// feed item in its place, for the text the feed carries (since round
    /// 61); `html` is then empty and `http_status` is the page's answer, or
    /// 0 when there was none. The page is dead-lettered as well, so that
    /// `newsmill redrive` can still ask for it. Also set (`feed_text_only`,
    /// since round 65, with no dead letter) for an item of a feed whose
    /// pages the operator does not have fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<UnreadPage>,
}

/// Why an article's page was not read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnreadPage {
    pub reason: UnreadReason,
    /// The fetch error, as the page's dead letter gives it.
    pub error: String,
}

/// The failures after which a feed item stands in for its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnreadReason {
    /// robots.txt disallows the page.
    Robots,
    /// The site refused it: 401, 402 or 403 (a paywall, a sign-in, a
    /// blocked crawler).
    Denied,
    /// It kept failing (timeouts, 429, 5xx, robots.txt unreachable) until
    /// its attempts ran out.
    Failing,
    /// Not asked for: its feed is one whose items the operator takes from
    /// the feed's own text (`fetcher.feed_text_only`, since round 65). No
    /// dead letter goes with it.
    FeedTextOnly,
}

impl UnreadReason {
    /// The metric label of the cleaner's counters.
    pub fn label(self) -> &'static str {
        match self {
            UnreadReason::Robots => "unread_robots",
            UnreadReason::Denied => "unread_denied",
            UnreadReason::Failing => "unread_failing",
            UnreadReason::FeedTextOnly => "feed_text_only",
        }
    }
}

/// How the cleaner found the main text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExtractionMethod {
    /// Structured data (JSON-LD articleBody) cross-checked against the page.
    StructuredData,
    /// Content scoring over the DOM.
    Scoring,
    /// Plain-text input, cleaned line by line.
    PlainText,
    /// No article text found (index page, empty page); see `empty_reason`.
    None,
}

/// Where a clean article's text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// The article's page (also when it gave no text).
    Page,
    /// The feed item's content or summary: the page gave no article text
    /// (a wall served in its place, a page its script fills in), or could
    /// not be read (the raw item's `unread`).
    Feed,
}

/// `news.clean.v1`: a clean article. Keyed by `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CleanArticle {
    pub schema_version: u32,
    pub id: String,
    pub url: String,
    /// `<link rel=canonical>` or og:url when the page names one, made
    /// absolute against the fetched URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_url: Option<String>,
    /// The page read, after redirects and refreshes (the raw item's
    /// `fetched_url`): a feed's link can be a tracker's (since round 59).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_url: Option<String>,
    pub fetched_at: DateTime<Utc>,
    pub cleaned_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<DateTime<Utc>>,
    /// ISO 639-1 code of the detected language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// The page's lead image (og:image, JSON-LD), an absolute URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_image: Option<String>,
    /// A summary of the article, one line of at most 1,000 characters:
    /// the page's (`og:description`, its meta description, JSON-LD), else
    /// its feed item's summary as text (since round 62).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The page's section ("Politics"): `article:section`, JSON-LD
    /// `articleSection` and the like (since round 62).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// What the article is about, in its publisher's words: the page's
    /// keywords (`article:tag`, `news_keywords`, `keywords`, JSON-LD),
    /// then its feed item's categories; each once, without a CMS's codes
    /// and placeholders, at most 32 (since round 62).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Whether the publisher marks the article as not free to read:
    /// `true` for JSON-LD `isAccessibleForFree: false` or an
    /// `article:content_tier` of `metered` or `locked`, `false` when it
    /// says free, absent when it says nothing (since round 62). The text
    /// may then be what the page shows a reader who has not paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paywalled: Option<bool>,
    /// Main text: one paragraph, heading or list item per line.
    pub text: String,
    pub word_count: u32,
    /// Hex SHA-256 of the normalised text (whitespace collapsed, lowercase).
    pub text_sha256: String,
    pub method: ExtractionMethod,
    /// Where the text was read: the page, or, when the page gave none, the
    /// feed item (since round 60; older messages, without it, read the
    /// page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_source: Option<TextSource>,
    /// Why the text is empty, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_url: Option<String>,
}

/// Dedup verdict for one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// First article of a new story.
    Unique,
    /// Same normalised text under the same headline (re-cased, or with a
    /// few words added before or after) as an earlier article.
    Exact,
    /// Syndicated copy: same story text and headline, different chrome or
    /// light edits.
    Near,
    /// Another outlet's rewrite or translation of the same event.
    Story,
}

impl VerdictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Unique => "unique",
            VerdictKind::Exact => "exact",
            VerdictKind::Near => "near",
            VerdictKind::Story => "story",
        }
    }
}

/// `news.dedup.v1`: every article with its verdict and story id. Keyed by `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DedupVerdict {
    pub schema_version: u32,
    pub id: String,
    pub story_id: String,
    pub kind: VerdictKind,
    /// The earlier article this one duplicates or joins (absent for unique).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// Similarity to `duplicate_of`, 0 to 1 (1 for exact copies, 0 for unique).
    pub similarity: f32,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub fetched_at: DateTime<Utc>,
    pub decided_at: DateTime<Utc>,
    /// True when this article id was already decided (an at-least-once replay);
    /// the verdict repeats the first decision and the story is not changed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replay: bool,
    /// True on a replay whose text differs from the one first decided: the
    /// article was revised at its source (a correction, a developing
    /// story) and fetched again. The verdict and story stay the first
    /// decision's; the new text is on `news.clean.v1` under the same id.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revised: bool,
    /// With `dedup.explain`: why the article got this verdict, as `newsmill
    /// cluster --explain` writes it (README, "Why two articles met"): the
    /// article's strongest terms and names, and each candidate copy and
    /// story with its similarity and the rule that took or refused it. A
    /// diagnostic: its fields may grow within v1. Absent on a replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<serde_json::Value>,
}

/// `news.articles.v1` (since round 67): the pipeline's product in one
/// stream, for a consumer that wants clean, deduplicated news without
/// joining `news.clean.v1` and `news.dedup.v1`: each clean article as the
/// dedup stage decided it, with its verdict. Keyed by `id`. A consumer
/// that wants one article per story takes `verdict.kind == "unique"`; a
/// replay (at-least-once delivery) comes again with `verdict.replay`, and
/// a revised article with its new text and `verdict.revised`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DecidedArticle {
    /// The clean article, every field of `news.clean.v1` at the top level.
    #[serde(flatten)]
    pub article: CleanArticle,
    pub verdict: ArticleVerdict,
}

/// The dedup verdict a `DecidedArticle` carries: `news.dedup.v1`'s
/// message without what the article already says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArticleVerdict {
    pub kind: VerdictKind,
    pub story_id: String,
    /// The earlier article this one duplicates or joins (absent for unique).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// Similarity to `duplicate_of`, 0 to 1.
    pub similarity: f32,
    pub decided_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replay: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revised: bool,
}

impl DecidedArticle {
    /// The article with `verdict`'s decision.
    pub fn of(article: CleanArticle, verdict: &DedupVerdict) -> DecidedArticle {
        DecidedArticle {
            article,
            verdict: ArticleVerdict {
                kind: verdict.kind,
                story_id: verdict.story_id.clone(),
                duplicate_of: verdict.duplicate_of.clone(),
                similarity: verdict.similarity,
                decided_at: verdict.decided_at,
                replay: verdict.replay,
                revised: verdict.revised,
            },
        }
    }
}

/// `news.stories.v1`: the current summary of a story. Keyed by `story_id`;
/// each new member produces a new summary that supersedes the last (a
/// replayed article sends the current one again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Story {
    pub schema_version: u32,
    pub story_id: String,
    /// Representative title (the founding article's title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Member article ids, oldest first (the first `MAX_STORY_MEMBERS`).
    pub members: Vec<String>,
    /// Total members, which may exceed `members.len()`.
    pub member_count: u32,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The members' languages (ISO 639 codes, lowercase), in the order
    /// first seen; at most 16. Members without a known language add none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// The outlets that carried it, copies included, in the order first
    /// seen, with their articles in the story (the first
    /// `MAX_STORY_SOURCES`). An outlet is the registrable domain of the
    /// article's URL (`news.bbc.co.uk` is `bbc.co.uk`), or, for a URL
    /// without a host, the page's site name. Empty in summaries written
    /// before round 58.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<StorySource>,
    /// Distinct outlets, which may exceed `sources.len()`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub source_count: u32,
    /// Set on a story's last summary, once its last member has left the
    /// dedup window (`dedup.window`, or `dedup.max_articles`): no article
    /// joins it any more, and a later report of its event starts another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
}

/// Members listed in a story summary; the count keeps growing past it.
pub const MAX_STORY_MEMBERS: usize = 200;

/// Outlets listed in a story summary; `source_count` keeps counting past it.
pub const MAX_STORY_SOURCES: usize = 64;

/// One outlet of a story and how many of the story's articles it carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StorySource {
    pub source: String,
    pub articles: u32,
}

/// For `skip_serializing_if`: a number (or any value) at its default.
pub fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Where a dead letter came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Origin {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// The payload of a dead letter for an article page the fetcher gave up on
/// (stage `fetch`, no `origin`): the page and the feed item that named it,
/// so that `newsmill redrive` can ask for the page again and publish it as
/// the poll would have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PageRequest {
    /// The article id the page is published under.
    pub id: String,
    pub link: String,
    /// The feed item, its summary cut to 4 KiB.
    pub item: FeedItemMeta,
}

/// `news.dlq.v1`: input a stage could not use, with the reason. Keyed by the
/// origin key when there is one, else by `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeadLetter {
    pub schema_version: u32,
    /// Hex SHA-256 of origin topic, partition and offset (or of the source for
    /// fetch failures): replays of one failure share an id.
    pub id: String,
    /// The stage that gave up: fetch, clean, dedup, or a bus stage such as decode.
    pub stage: String,
    /// Closed set: decode, schema_version, oversized, invalid, fetch, parse.
    pub error_type: String,
    /// Human-readable reason.
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Source URL when known (feed or article).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The original payload as UTF-8 (lossy), cut to `DLQ_PAYLOAD_LIMIT`
    /// bytes (less under a small `bus.max_message_bytes`). For an article
    /// page the fetcher gave up on: the page request (`{id, link, item}` as
    /// JSON) that `newsmill redrive` fetches again.
    pub payload: String,
    /// Size of the original payload in bytes.
    pub payload_bytes: u64,
    /// Hex SHA-256 of the whole original payload.
    pub payload_sha256: String,
    pub payload_truncated: bool,
    pub failed_at: DateTime<Utc>,
}

/// Payload bytes kept in a dead letter; the hash and size describe the rest.
pub const DLQ_PAYLOAD_LIMIT: usize = 256 * 1024;

/// Payload bytes a dead letter keeps under a bus limit of
/// `max_message_bytes`: `DLQ_PAYLOAD_LIMIT`, or an eighth of the limit when
/// that is less, so that the letter fits even when JSON escapes every byte
/// (six bytes each) and the reason and source take the rest. A letter that
/// did not fit could not be sent, and the stage stopped on it.
pub fn dlq_payload_limit(max_message_bytes: usize) -> usize {
    DLQ_PAYLOAD_LIMIT.min(max_message_bytes / 8)
}

/// What an operator asks of a feed on `news.feeds.v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedAction {
    Add,
    Pause,
    Resume,
    Remove,
}

/// `news.feeds.v1` (compacted control topic): add, pause, resume or remove a
/// feed at run time. Keyed by the hex SHA-256 of the feed URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FeedCommand {
    pub schema_version: u32,
    pub feed_url: String,
    pub action: FeedAction,
    pub at: DateTime<Utc>,
    /// Optional title for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the operator set for this feed alone. Every command about a
    /// subscribed feed says all of it, since a compacted topic keeps the
    /// last one alone.
    #[serde(flatten)]
    pub settings: FeedSettings,
}

/// The shortest poll interval a feed's own setting may ask for.
pub const FEED_POLL_MIN_SECS: u64 = 1;
/// The longest poll interval a feed's own setting may ask for (30 days).
pub const FEED_POLL_MAX_SECS: u64 = 30 * 24 * 3600;

/// A feed's own settings, set by `newsmill feeds add` or an OPML file's
/// categories (the config's feeds take theirs from `fetcher.*`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FeedSettings {
    /// The feed is read for its text alone, its pages never fetched (as
    /// `fetcher.feed_text_only` has it; since round 65).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub feed_text_only: bool,
    /// Seconds: the shortest interval between polls of this feed, in place
    /// of `fetcher.poll_min` (since round 66).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 2592000))]
    pub poll_min_secs: Option<u64>,
    /// Seconds: the longest interval between polls of this feed, in place
    /// of `fetcher.poll_max` (since round 66).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 2592000))]
    pub poll_max_secs: Option<u64>,
}

impl FeedSettings {
    /// Why these settings cannot be applied, if they cannot.
    pub fn problem(&self) -> Option<String> {
        for (name, secs) in [
            ("poll_min_secs", self.poll_min_secs),
            ("poll_max_secs", self.poll_max_secs),
        ] {
            if let Some(secs) = secs
                && !(FEED_POLL_MIN_SECS..=FEED_POLL_MAX_SECS).contains(&secs)
            {
                return Some(format!(
                    "{name} {secs} is outside {FEED_POLL_MIN_SECS} to {FEED_POLL_MAX_SECS}"
                ));
            }
        }
        if let (Some(min), Some(max)) = (self.poll_min_secs, self.poll_max_secs)
            && min > max
        {
            return Some(format!("poll_min_secs {min} exceeds poll_max_secs {max}"));
        }
        None
    }
}

impl FeedCommand {
    /// A command from the control topic, decoded and its settings checked:
    /// one that asks for bounds no feed may have is refused whole, so that
    /// its dead letter shows what was asked.
    pub fn decode(payload: &[u8]) -> Result<FeedCommand, DecodeError> {
        let cmd: FeedCommand = decode(payload)?;
        match cmd.settings.problem() {
            Some(problem) => Err(DecodeError::Shape(problem)),
            None => Ok(cmd),
        }
    }

    /// The record that carries this command, keyed by the feed URL's hash
    /// so that Kafka's compaction keeps the last command per feed.
    pub fn record(&self, topic: &str) -> crate::bus::OutRecord {
        crate::bus::OutRecord::json(topic, &crate::ids::sha256_hex(self.feed_url.trim()), self)
    }
}

/// Topic role, for generating schema files and naming defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicRole {
    Raw,
    Clean,
    Dedup,
    Stories,
    Dlq,
    Feeds,
    Articles,
}

impl TopicRole {
    pub const ALL: [TopicRole; 7] = [
        TopicRole::Raw,
        TopicRole::Clean,
        TopicRole::Dedup,
        TopicRole::Stories,
        TopicRole::Dlq,
        TopicRole::Feeds,
        TopicRole::Articles,
    ];

    pub fn default_topic(self) -> &'static str {
        match self {
            TopicRole::Raw => "news.raw.v1",
            TopicRole::Clean => "news.clean.v1",
            TopicRole::Dedup => "news.dedup.v1",
            TopicRole::Stories => "news.stories.v1",
            TopicRole::Dlq => "news.dlq.v1",
            TopicRole::Feeds => "news.feeds.v1",
            TopicRole::Articles => "news.articles.v1",
        }
    }

    /// The JSON Schema of this topic's messages.
    pub fn schema(self) -> schemars::Schema {
        match self {
            TopicRole::Raw => schemars::schema_for!(RawItem),
            TopicRole::Clean => schemars::schema_for!(CleanArticle),
            TopicRole::Dedup => schemars::schema_for!(DedupVerdict),
            TopicRole::Stories => schemars::schema_for!(Story),
            TopicRole::Dlq => schemars::schema_for!(DeadLetter),
            TopicRole::Feeds => schemars::schema_for!(FeedCommand),
            TopicRole::Articles => schemars::schema_for!(DecidedArticle),
        }
    }
}

/// `(file name, pretty JSON)` for every schema file under `schemas/`.
pub fn schema_files() -> Vec<(String, String)> {
    TopicRole::ALL
        .iter()
        .map(|role| {
            let mut text =
                serde_json::to_string_pretty(&role.schema()).expect("schemas always serialise");
            text.push('\n');
            (format!("{}.schema.json", role.default_topic()), text)
        })
        .collect()
}

/// Decode failure of an input message, split so the DLQ reason is precise.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("payload is not valid JSON: {0}")]
    Json(String),
    #[error("unsupported schema_version {found} (this build reads {SCHEMA_VERSION})")]
    SchemaVersion { found: u64 },
    #[error("message does not match the topic schema: {0}")]
    Shape(String),
}

impl DecodeError {
    pub fn error_type(&self) -> &'static str {
        match self {
            DecodeError::Json(_) => "decode",
            DecodeError::SchemaVersion { .. } => "schema_version",
            DecodeError::Shape(_) => "decode",
        }
    }
}

/// Decode a message, checking its schema version before its shape, so a
/// future version is reported as such rather than as a missing field.
pub fn decode<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, DecodeError> {
    let value: serde_json::Value =
        serde_json::from_slice(payload).map_err(|e| DecodeError::Json(e.to_string()))?;
    match value.get("schema_version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        Some(found) => return Err(DecodeError::SchemaVersion { found }),
        None => return Err(DecodeError::Shape("missing schema_version".into())),
    }
    serde_json::from_value(value).map_err(|e| DecodeError::Shape(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_letter_keeps_an_eighth_of_a_small_bus_limit() {
        assert_eq!(dlq_payload_limit(8 * 1024 * 1024), DLQ_PAYLOAD_LIMIT);
        assert_eq!(dlq_payload_limit(1024 * 1024), 128 * 1024);
        assert_eq!(dlq_payload_limit(100_000), 12_500);
    }

    #[test]
    fn decode_names_the_failure() {
        assert!(matches!(
            decode::<Story>(b"{not json"),
            Err(DecodeError::Json(_))
        ));
        assert!(matches!(
            decode::<Story>(br#"{"schema_version": 9}"#),
            Err(DecodeError::SchemaVersion { found: 9 })
        ));
        assert!(matches!(
            decode::<Story>(br#"{"schema_version": 1, "story_id": 3}"#),
            Err(DecodeError::Shape(_))
        ));
    }
}
