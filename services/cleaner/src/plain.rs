//! Plain-text articles (captured page text, like `shared/seeds`): the same
//! boilerplate rules as HTML, line by line, plus what only plain text shows:
//! the headline repeated as a line, captions glued to the headline, date
//! stamps, image alt text, and an appeal that runs to the end of the page.

use std::sync::LazyLock;

use regex::Regex;

use crate::boilerplate::{LineKind, classify, is_appeal};

static LEADING_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(date\s*:?\s*)?\d{4}-\d{2}-\d{2}(\s+\d{1,2}:\d{2})?\s+")
        .expect("valid regex")
});

static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*((mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*,?\s+\d{4}|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2})([,\s-]+\d{1,2}:\d{2}(\s*[ap]m)?)?\s*$",
    )
    .expect("valid regex")
});

static BULLET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([-*•·–]|\d+[.)])\s+").expect("valid regex"));

/// The first line of a captured page is usually its headline.
pub struct PlainArticle {
    pub title: Option<String>,
    pub lines: Vec<String>,
}

pub fn clean(text: &str) -> PlainArticle {
    let raw: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // The headline: the first line that reads like one (short, no final period).
    let title_idx = raw.iter().position(|l| {
        let words = l.split_whitespace().count();
        classify(l) == LineKind::Story && (3..=25).contains(&words) && !l.ends_with('.')
    });
    let title = title_idx.map(|i| raw[i].to_string());
    let title_norm = title.as_deref().map(norm);

    let mut lines: Vec<String> = Vec::new();
    let mut in_related = false;
    let mut appeal_started = false;
    for (i, line) in raw.iter().enumerate() {
        if Some(i) == title_idx {
            continue;
        }
        let stripped = LEADING_DATE.replace(line, "");
        let line = stripped.trim();
        let body = BULLET.replace(line, "");
        let body = body.trim();
        if body.is_empty() {
            continue;
        }
        let kind = classify(body);
        if kind == LineKind::RelatedHeader {
            in_related = true;
            continue;
        }
        if in_related {
            // Headline-like items (no final stop) continue the list.
            let is_item = BULLET.is_match(line) || !body.ends_with(['.', '!', '?', '"', '”']);
            if is_item && body.split_whitespace().count() <= 30 && !is_appeal(body) {
                continue;
            }
            in_related = false;
        }
        if appeal_started || kind == LineKind::Appeal {
            // Appeals sit at the end of the page: once a long one starts,
            // what follows it is the rest of the appeal.
            if body.split_whitespace().count() > 15 {
                appeal_started = true;
            }
            continue;
        }
        if kind != LineKind::Story || DATE_LINE.is_match(body) {
            continue;
        }
        if let Some(t) = &title_norm {
            let n = norm(body);
            // The headline again, alone or with a caption glued on.
            if n == *t || (n.starts_with(t.as_str()) && n.len() < t.len() * 3) {
                continue;
            }
        }
        if looks_like_alt_text(body) {
            continue;
        }
        lines.push(body.to_string());
    }
    PlainArticle { title, lines }
}

/// Image alt text left in captured text: a short lowercase-initial fragment
/// with no sentence punctuation ("putin in North Korea june 2024").
fn looks_like_alt_text(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let first = line.chars().next();
    words <= 10
        && first.is_some_and(char::is_lowercase)
        && !line.contains(['.', ',', '!', '?', ':', ';', '"', '“'])
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
