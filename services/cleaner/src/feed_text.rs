//! The text a feed item carries, read when the page gives none (a wall, a
//! shell its script fills in, a page never read; since round 60) or only
//! its start (a metered paywall's teaser; since round 61).

use std::collections::HashSet;

use news_core::messages::FeedItemMeta;

use crate::{Extracted, Limits, extract_html, extract_plain, labels};

/// The article text a feed item carries, for a page that gave none: its
/// content, else its summary, read as HTML when it holds a tag and as text
/// otherwise, under the same rules (and `min_words`) as a page. A teaser
/// that is all "Continue reading" gives none.
pub(crate) fn feed_text(item: &FeedItemMeta, limits: Limits) -> Option<Extracted> {
    [item.content.as_deref(), item.summary.as_deref()]
        .into_iter()
        .flatten()
        .map(|body| {
            if holds_a_tag(body) {
                extract_html(body, limits)
            } else {
                extract_plain(body, limits)
            }
        })
        .find(|found| !found.text.is_empty())
}

/// The feed item's summary as a description, for a page that gives none:
/// its text without markup, and without the line a blog's feed adds ("The
/// post ... appeared first on ...") or a link onwards ("Continue
/// reading").
pub(crate) fn feed_description(item: &FeedItemMeta) -> Option<String> {
    let summary = item.summary.as_deref()?;
    // A summary is short; a feed that writes the whole story there gives
    // its start.
    let summary = &summary[..summary.floor_char_boundary(64 * 1024)];
    let text = if holds_a_tag(summary) {
        let fragment = scraper::Html::parse_fragment(summary);
        let mut text = String::new();
        for node in fragment.tree.nodes() {
            let inside_code = node.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "script" | "style" | "noscript"))
            });
            if let Some(t) = node.value().as_text()
                && !inside_code
            {
                text.push_str(t);
                text.push(' ');
            }
        }
        text
    } else {
        summary.to_string()
    };
    let text = text
        .find("The post ")
        .filter(|at| text[*at..].contains(" appeared first on "))
        .map_or(text.as_str(), |at| &text[..at]);
    let text = ONWARD_LINKS.iter().fold(text.trim_end(), |t, tail| {
        t.strip_suffix(tail).unwrap_or(t).trim_end()
    });
    labels::description(text)
}

/// Links onwards that a feed's summary ends with.
const ONWARD_LINKS: &[&str] = &[
    "Continue reading →",
    "Continue reading",
    "Read more",
    "Read More",
    "[…]",
    "[...]",
];

/// Whether a feed's text is HTML: it opens or closes an element somewhere
/// (`<p>`, `</b>`, `<br/>`, `<!--`), not just "a < b".
pub(crate) fn holds_a_tag(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// The feed item's text in place of the page's when the page holds only
/// its start (a metered paywall's first paragraphs, a page cut short): the
/// feed's is half as long again, 50 words longer at least, and holds 80%
/// of the page's words. A page that has its story, or a feed text about
/// something else, keeps the page's.
pub(crate) fn fuller_feed_text(
    page: &Extracted,
    item: &FeedItemMeta,
    limits: Limits,
) -> Option<Extracted> {
    let longest = [item.content.as_deref(), item.summary.as_deref()]
        .into_iter()
        .flatten()
        .map(str::len)
        .max()?;
    // Markup only adds bytes: a shorter text cannot hold more words, and
    // most full-text feeds are passed over without being parsed.
    if longest < page.text.len() * 3 / 2 {
        return None;
    }
    let feed = feed_text(item, limits)?;
    let longer = u64::from(feed.word_count) * 2 >= u64::from(page.word_count) * 3
        && feed.word_count >= page.word_count + 50;
    (longer && share_of_words_within(&page.text, &feed.text) >= 0.8).then_some(feed)
}

/// The share of `part`'s words (case and punctuation aside) that `whole`
/// holds.
fn share_of_words_within(part: &str, whole: &str) -> f64 {
    let key = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let known: HashSet<String> = whole.split_whitespace().map(key).collect();
    let (mut found, mut all) = (0usize, 0usize);
    for word in part.split_whitespace().map(key).filter(|w| !w.is_empty()) {
        all += 1;
        found += usize::from(known.contains(&word));
    }
    if all == 0 {
        0.0
    } else {
        found as f64 / all as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feeds_text_is_html_only_when_it_holds_a_tag() {
        for html in ["<p>x</p>", "a<br/>b", "x</b>", "<!-- c -->x", "<P>x"] {
            assert!(holds_a_tag(html), "{html}");
        }
        for text in ["a < b", "3<4", "x <- y", "plain", "<", "1 <2"] {
            assert!(!holds_a_tag(text), "{text}");
        }
    }

    #[test]
    fn a_teaser_is_within_its_story_and_another_story_is_not() {
        let story = "Ferries to the islands were halted. Engineers inspected the piers, and \
            schools will stay closed until Thursday, officials said.";
        let teaser = "FERRIES to the islands were halted! Subscribe to read more";
        assert!((share_of_words_within(teaser, story) - 7.0 / 10.0).abs() < 1e-9);
        assert_eq!(share_of_words_within("Engineers inspected", story), 1.0);
        assert_eq!(share_of_words_within("A vote on the budget", story), 0.2);
        assert_eq!(share_of_words_within("", story), 0.0);
    }
}
