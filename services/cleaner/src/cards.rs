//! Teaser cards: `<article>`s that hold a linked headline and a short
//! summary. A rail of them after the story hides its headlines in
//! `<header>`s (which are chrome), and the summaries left alone read as the
//! story's paragraphs.

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

use crate::story_lines::norm;

/// Text a teaser card holds at most: a headline and a summary.
const CARD_CHARS: usize = 600;

/// Fewest teaser cards that make a rail.
const CARDS_IN_A_RAIL: usize = 3;

/// The `<article>`s of a page that are teaser cards, when there are enough
/// of them to be a rail. Cards may each sit in their own grid cell, so they
/// are counted over the page, not among siblings. The story's own
/// `<article>` is too long to be one, or its headline is the page's title.
pub(crate) fn teaser_cards(doc: &Html) -> Vec<NodeId> {
    let title = doc
        .tree
        .nodes()
        .find(|n| is(*n, &["title"]))
        .map(|t| norm(&text_of(t)))
        .unwrap_or_default();
    let cards: Vec<NodeId> = doc
        .tree
        .nodes()
        .filter(|n| is_card(*n, &title))
        .map(|n| n.id())
        .collect();
    if cards.len() >= CARDS_IN_A_RAIL {
        cards
    } else {
        Vec::new()
    }
}

/// Whether `node` is an `<article>` of a linked headline and little else.
/// A short story whose headline links to itself is not one: its headline
/// is the page's title.
fn is_card(node: NodeRef<'_, Node>, page_title: &str) -> bool {
    is(node, &["article"])
        && crate::html::text_chars(node) < CARD_CHARS
        && node.descendants().any(|h| {
            is(h, &["h1", "h2", "h3", "h4", "h5", "h6"])
                && h.descendants().any(|a| is(a, &["a"]))
                && !names_the_page(h, page_title)
        })
}

/// Whether a heading's text is the page's title or a part of it.
fn names_the_page(heading: NodeRef<'_, Node>, page_title: &str) -> bool {
    let text = norm(&text_of(heading));
    text.len() >= 10 && page_title.contains(&text)
}

fn is(node: NodeRef<'_, Node>, tags: &[&str]) -> bool {
    node.value()
        .as_element()
        .is_some_and(|e| tags.contains(&e.name()))
}

fn text_of(node: NodeRef<'_, Node>) -> String {
    node.descendants()
        .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
        .collect()
}
