//! newsmill clean stage: article HTML (or plain text) to clean text and
//! metadata. `extract_html` and `extract_plain` are pure functions; `CleanStage`
//! wraps them for the runner (`news.raw.v1` -> `news.clean.v1`).

mod authors;
pub mod boilerplate;
mod cards;
mod chrome;
mod class_names;
mod feed_text;
pub mod html;
mod labels;
mod language;
pub mod metadata;
mod overlay;
pub mod plain;
pub mod prepass;
pub mod story_lines;
pub mod walls;

use chrono::{DateTime, Utc};
use feed_text::{feed_description, feed_text, fuller_feed_text};
use news_core::bus::{InRecord, OutRecord};
use news_core::config::{Config, shown_url};
use news_core::ids::sha256_hex;
use news_core::messages::{
    CleanArticle, ExtractionMethod, RawItem, SCHEMA_VERSION, TextSource, UnreadReason,
};
use news_core::mojibake::repair_text;
use news_core::runner::{Stage, StageError};
use news_core::telemetry::names;
use std::borrow::Cow;

pub use language::detect_language;

/// What the extractor found in one document.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Extracted {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub language: Option<String>,
    pub site_name: Option<String>,
    pub lead_image: Option<String>,
    pub canonical_url: Option<String>,
    /// What the page says it is about: its description, section and
    /// keywords (`labels`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paywalled: Option<bool>,
    /// One paragraph, heading or list item per line.
    pub text: String,
    pub word_count: u32,
    pub text_sha256: String,
    pub method: Option<ExtractionMethod>,
    pub empty_reason: Option<String>,
}

/// Limits for extraction.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_html_bytes: usize,
    pub min_words: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_html_bytes: 4 * 1024 * 1024,
            min_words: 40,
        }
    }
}

/// Extract the article from decoded HTML.
pub fn extract_html(html: &str, limits: Limits) -> Extracted {
    let html = cut_at_char_boundary(html, limits.max_html_bytes);
    let html = prepass::prepare(html, prepass::MAX_DEPTH);
    let doc = scraper::Html::parse_document(&html);
    let md = metadata::extract(&doc);
    let mut seg = html::segment(&doc, html::Look::default());
    let mut out = main_text(&seg, &md, limits);
    if seg.skipped_chrome
        && (out.empty_reason.is_some() || seg.best_good_chars < 0.2 * seg.page_chars as f32)
    {
        // A second look, with headers and asides kept: some sites put the
        // article in one. Only pages where the first look found nothing, or
        // little of the page's text, pay for it.
        let look = html::Look {
            keep_chrome: true,
            ..html::Look::default()
        };
        let second = html::segment(&doc, look);
        let again = main_text(&second, &md, limits);
        if again.empty_reason.is_none()
            && (out.empty_reason.is_some() || second.best_good_chars > 2.0 * seg.best_good_chars)
        {
            (seg, out) = (second, again);
        }
    }
    if seg.best_good_chars < LITTLE_PROSE_CHARS {
        // No prose anywhere: a calendar, a list of results. Short unlinked
        // paragraphs may be the article; teasers, being links, still are not.
        let look = html::Look {
            short_paragraphs: true,
            ..html::Look::default()
        };
        let lists = html::segment(&doc, look);
        let again = main_text(&lists, &md, limits);
        if again.empty_reason.is_none() && again.word_count > out.word_count {
            (seg, out) = (lists, again);
        }
    }
    if out.empty_reason.is_some()
        && let Some(lines) = story_lines::whole_small_page(&seg)
    {
        out = finish(lines, ExtractionMethod::Scoring, 1);
    }
    // Counted only for empty results: most pages never need it.
    let only_teasers = || {
        seg.best
            .is_some_and(|range| story_lines::teaser_cards(&seg.blocks, range) >= 3)
    };
    if out.empty_reason.is_some() && (seg.best_good_chars < LITTLE_PROSE_CHARS || only_teasers()) {
        out.empty_reason = Some(
            "no article text found: the page looks like an index, listing or empty page".into(),
        );
    }
    out.title = md.title.map(|t| repair_text(&t).into_owned());
    out.authors = md.authors;
    out.published = md.published;
    out.modified = md.modified;
    out.site_name = md.site_name;
    out.lead_image = md.lead_image;
    out.canonical_url = md.canonical_url;
    out.description = md.description;
    out.section = md.section;
    out.keywords = md.keywords;
    out.paywalled = md.paywalled;
    out.language = md.language.or_else(|| detect_language(&out.text));
    out
}

/// Below this much prose in its best container, a page gets a look for
/// short-line content, and if it stays empty it is called an index page.
const LITTLE_PROSE_CHARS: f32 = 200.0;

/// The main text of a segmented page: the best container's story lines,
/// cross-checked against the publisher's articleBody.
fn main_text(seg: &html::Segmented, md: &metadata::Metadata, limits: Limits) -> Extracted {
    let mut lines = seg
        .best
        .map(|range| story_lines::story_lines(&seg.blocks, range, md.title.as_deref()))
        .unwrap_or_default();
    let mut method = ExtractionMethod::Scoring;

    // Structured data cross-check: prefer the DOM's layout when it covers the
    // publisher's own articleBody; fall back to articleBody when it does not.
    if let Some(body) = md.article_body.as_deref().map(clean_article_body)
        && body.split_whitespace().count() >= 40
    {
        let coverage = token_coverage(&body, &lines.join(" "));
        if coverage < 0.6 {
            lines = body
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            method = ExtractionMethod::StructuredData;
        }
    }
    finish(lines, method, limits.min_words)
}

/// Extract an article from plain text, line by line.
pub fn extract_plain(text: &str, limits: Limits) -> Extracted {
    let mut out = plain_article(text, limits);
    out.language = detect_language(&out.text);
    out
}

/// Only the cleaned main text of a plain-text article, for callers that
/// need no metadata (`newsmill cluster`): language detection was 40% of
/// that tool's time.
pub fn plain_main_text(text: &str, limits: Limits) -> String {
    plain_article(text, limits).text
}

fn plain_article(text: &str, limits: Limits) -> Extracted {
    let text = cut_at_char_boundary(text, limits.max_html_bytes);
    let article = plain::clean(text);
    let mut out = finish(article.lines, ExtractionMethod::PlainText, limits.min_words);
    out.title = article.title.map(|t| repair_text(&t).into_owned());
    out
}

fn finish(lines: Vec<String>, method: ExtractionMethod, min_words: u32) -> Extracted {
    let text = lines.join("\n");
    // Double-encoded UTF-8 is repaired before the text is hashed, so a
    // copy with broken apostrophes is still the same text.
    let text = match repair_text(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(fixed) => fixed,
    };
    let (normalised, words) = normalise_and_count(&text);
    let word_count = words as u32;
    let mut out = Extracted {
        text_sha256: sha256_hex(normalised),
        word_count,
        method: Some(method),
        ..Extracted::default()
    };
    if word_count < min_words {
        out.empty_reason = Some(format!(
            "too little article text ({word_count} words, need {min_words})"
        ));
        out.method = Some(ExtractionMethod::None);
        out.text_sha256 = sha256_hex("");
        out.word_count = 0;
    } else {
        out.text = text;
    }
    out
}

/// Words in `text`; in scripts written without spaces (Chinese, Japanese,
/// Thai) every two characters count as one word.
pub fn word_count(text: &str) -> usize {
    // Most lines are ASCII: one fast check, then no per-word one (the
    // per-word check made plain-text cleaning 23% slower in round 34).
    // The whitespace is `split_whitespace`'s, vertical tab included,
    // which `split_ascii_whitespace` leaves in a word.
    if text.is_ascii() {
        let mut words = 0;
        let mut in_word = false;
        for &b in text.as_bytes() {
            let space = matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
            words += usize::from(!space && !in_word);
            in_word = !space;
        }
        return words;
    }
    text.split_whitespace().map(words_in_token).sum()
}

pub(crate) fn words_in_token(tok: &str) -> usize {
    if tok.is_ascii() {
        return 1;
    }
    let dense = tok.chars().filter(|c| is_unspaced_script(*c)).count();
    if dense > 0 { dense.div_ceil(2) } else { 1 }
}

/// `normalise_text` and `word_count` in one pass, with one allocation: per
/// word, the two cost a lowercase copy and a second scan of every page.
fn normalise_and_count(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut words = 0;
    for tok in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        words += words_in_token(tok);
        if tok.is_ascii() {
            let start = out.len();
            out.push_str(tok);
            out[start..].make_ascii_lowercase();
        } else {
            // str::to_lowercase, not per char: a final sigma depends on
            // its place in the word.
            out.push_str(&tok.to_lowercase());
        }
    }
    (out, words)
}

fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x0E00..=0x0E7F | 0xAC00..=0xD7AF)
}

/// The text as hashed for exact-duplicate detection: lowercase, whitespace collapsed.
pub fn normalise_text(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Share of `reference` word tokens that also occur in `candidate`.
fn token_coverage(reference: &str, candidate: &str) -> f32 {
    let cand: std::collections::HashSet<&str> = candidate.split_whitespace().collect();
    let refs: Vec<&str> = reference.split_whitespace().collect();
    if refs.is_empty() {
        return 1.0;
    }
    refs.iter().filter(|w| cand.contains(*w)).count() as f32 / refs.len() as f32
}

/// articleBody is sometimes HTML-escaped or carries markup.
fn clean_article_body(body: &str) -> String {
    if body.contains('<') && body.contains('>') {
        let frag = scraper::Html::parse_fragment(body);
        let seg = html::segment(&frag, html::Look::default());
        return seg
            .blocks
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
    }
    body.to_string()
}

fn cut_at_char_boundary(s: &str, max: usize) -> &str {
    &s[..s.floor_char_boundary(max)]
}

/// The clean stage: `RawItem` -> `CleanArticle`.
pub struct CleanStage {
    clean_topic: String,
    limits: Limits,
}

impl CleanStage {
    pub fn new(config: &Config) -> CleanStage {
        CleanStage {
            clean_topic: config.topics.clean.clone(),
            limits: Limits {
                max_html_bytes: config.cleaner.max_html_bytes,
                min_words: config.cleaner.min_words,
            },
        }
    }

    /// Pure transformation of one raw item.
    pub fn clean(&self, raw: RawItem) -> Result<CleanArticle, StageError> {
        if raw.id.len() != 64 || !raw.id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StageError::invalid(
                "invalid",
                format!("raw item id {:?} is not a hex SHA-256", raw.id),
            ));
        }
        let is_plain = raw
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("text/plain"));
        // A page served in place of the article (a consent wall, a sign-in
        // page, the front page) is read as no article, and none of its
        // metadata is the article's.
        let wall = walls::served_instead(&raw.url, &raw.fetched_url);
        let no_page = |reason: String| Extracted {
            text_sha256: sha256_hex(""),
            method: Some(ExtractionMethod::None),
            empty_reason: Some(reason),
            ..Extracted::default()
        };
        let mut found = match (&raw.unread, wall) {
            (Some(unread), _) if unread.reason == UnreadReason::FeedTextOnly => {
                no_page("page not fetched: its feed is read for its text alone".into())
            }
            (Some(unread), _) => no_page(format!("page not read: {}", unread.error)),
            (None, Some(wall)) => no_page(wall.reason().to_string()),
            (None, None) if is_plain => extract_plain(&raw.html, self.limits),
            (None, None) => extract_html(&raw.html, self.limits),
        };
        let page_is_empty = found.text.is_empty();
        // A page that gives no article text (a wall, a page its script
        // fills in, one never read) leaves the story the feed item
        // carries, if any; so does one that gives only its start.
        let from_feed = if page_is_empty {
            feed_text(&raw.item, self.limits)
        } else {
            fuller_feed_text(&found, &raw.item, self.limits)
        };
        if !page_is_empty && from_feed.is_some() {
            metrics::counter!(names::CLEAN_FEED_TEXT, "reason" => "page_cut_short").increment(1);
        }
        if page_is_empty {
            let why = match (&raw.unread, wall) {
                (Some(unread), _) => unread.reason.label(),
                (None, Some(wall)) => wall.label(),
                (None, None) => "too_little_text",
            };
            let counter = if from_feed.is_some() {
                names::CLEAN_FEED_TEXT
            } else {
                names::CLEAN_EMPTY
            };
            metrics::counter!(counter, "reason" => why).increment(1);
            if let Some(wall) = wall {
                // A site that walls one link walls them all: say where.
                tracing::info!(article = %shown_url(&raw.url), fetched = %shown_url(&raw.fetched_url), reason = wall.reason(), from_feed = from_feed.is_some(), "page served in place of the article");
            }
        }
        let text_source = match from_feed {
            Some(feed) => {
                found.text = feed.text;
                found.word_count = feed.word_count;
                found.text_sha256 = feed.text_sha256;
                found.method = feed.method;
                found.empty_reason = None;
                found.language = feed.language.or(found.language);
                TextSource::Feed
            }
            None => TextSource::Page,
        };
        let method = found.method.unwrap_or(ExtractionMethod::None);
        metrics::counter!(names::CLEAN_ARTICLES, "method" => method_label(method)).increment(1);
        // Links in a page's metadata are often relative ("/img/og.png").
        let base = url::Url::parse(&raw.fetched_url)
            .or_else(|_| url::Url::parse(&raw.url))
            .ok();
        let absolute = |link: Option<String>| link.and_then(|l| absolute_url(&l, base.as_ref()));
        let description = found
            .description
            .take()
            .or_else(|| feed_description(&raw.item));
        // The page's first: its tags are the article's; a feed's
        // categories are often its sections.
        let keywords = labels::keywords(
            found
                .keywords
                .iter()
                .chain(&raw.item.categories)
                .map(String::as_str),
        );
        Ok(CleanArticle {
            schema_version: SCHEMA_VERSION,
            id: raw.id,
            url: raw.url,
            canonical_url: absolute(found.canonical_url),
            fetched_url: Some(raw.fetched_url).filter(|u| !u.is_empty()),
            fetched_at: raw.fetched_at,
            cleaned_at: Utc::now(),
            // A page with no article text was not the article's page (a
            // consent wall, a login, an error served as 200): its title is
            // the same for every link there, and would make one story of
            // them all. The feed's headline is the article's.
            title: if page_is_empty {
                raw.item.title.or(found.title)
            } else {
                found.title.or(raw.item.title)
            },
            authors: if found.authors.is_empty() {
                authors::author_names(raw.item.authors.iter().map(String::as_str))
            } else {
                found.authors
            },
            published: found.published.or(raw.item.published),
            modified: found.modified.or(raw.item.updated),
            language: found.language.or(raw.item.language),
            site_name: found.site_name,
            // The page's own picture, else the one its feed item names (a
            // page with no text is no article's page: the item's first).
            lead_image: if page_is_empty {
                raw.item.image.or(absolute(found.lead_image))
            } else {
                absolute(found.lead_image).or(raw.item.image)
            },
            description,
            section: found.section,
            keywords,
            paywalled: found.paywalled,
            text: found.text,
            word_count: found.word_count,
            text_sha256: found.text_sha256,
            method,
            text_source: Some(text_source),
            empty_reason: found.empty_reason,
            feed_url: Some(raw.item.feed_url),
        })
    }
}

/// `link` as an absolute http(s) URL, resolved against `base`: none for an
/// empty value, one with spaces (a title where a URL goes), or another
/// scheme (`data:`, `javascript:`).
fn absolute_url(link: &str, base: Option<&url::Url>) -> Option<String> {
    let link = link.trim();
    if link.is_empty() || link.contains(char::is_whitespace) {
        return None;
    }
    let url = match url::Url::parse(link) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(link).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

fn method_label(m: ExtractionMethod) -> &'static str {
    match m {
        ExtractionMethod::StructuredData => "structured_data",
        ExtractionMethod::Scoring => "scoring",
        ExtractionMethod::PlainText => "plain_text",
        ExtractionMethod::None => "none",
    }
}

impl Stage for CleanStage {
    type In = RawItem;
    const NAME: &'static str = "clean";

    fn process(
        &mut self,
        input: RawItem,
        _origin: &InRecord,
    ) -> Result<Vec<OutRecord>, StageError> {
        // A feed item standing in for an unread page, with no article in
        // its text, is no article: its page's dead letter keeps it. One of
        // a feed read for its text alone has no letter: it goes on, empty
        // with the reason, as a page with too little text does.
        let dropped_when_empty = input
            .unread
            .as_ref()
            .is_some_and(|u| u.reason != UnreadReason::FeedTextOnly);
        let article = self.clean(input)?;
        if dropped_when_empty && article.text.is_empty() {
            return Ok(Vec::new());
        }
        news_core::telemetry::record_article_delay("clean", article.fetched_at);
        Ok(vec![OutRecord::json(
            &self.clean_topic,
            &article.id,
            &article,
        )])
    }
}

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "feed_text_stage_tests.rs"]
mod feed_text_stage_tests;
