//! Teaser cards: `<article>`s that hold a linked headline and a short
//! summary. A rail of them after the story hides its headlines in
//! `<header>`s (which are chrome), and the summaries left alone read as the
//! story's paragraphs.

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

use crate::metadata::text_of;
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
    let mut cards: Vec<NodeRef<'_, Node>> = doc.tree.nodes().filter(|n| is_card(*n)).collect();
    if cards.len() < CARDS_IN_A_RAIL {
        return Vec::new();
    }
    // Only a page with a rail pays for finding its title.
    let title = doc
        .tree
        .nodes()
        .find(|n| is(*n, &["title"]))
        .map(|t| norm(&text_of(t)))
        .unwrap_or_default();
    cards.retain(|card| {
        card.descendants()
            .any(|h| is_linked_heading(h) && !names_the_page(h, &title))
    });
    if cards.len() < CARDS_IN_A_RAIL {
        return Vec::new();
    }
    cards.into_iter().map(|n| n.id()).collect()
}

/// Whether `node` is an `<article>` of a linked headline and little else.
fn is_card(node: NodeRef<'_, Node>) -> bool {
    is(node, &["article"])
        && crate::html::text_chars_up_to(node, CARD_CHARS) < CARD_CHARS
        && node.descendants().any(is_linked_heading)
}

fn is_linked_heading(h: NodeRef<'_, Node>) -> bool {
    is(h, &["h1", "h2", "h3", "h4", "h5", "h6"]) && h.descendants().any(|a| is(a, &["a"]))
}

/// Whether a heading's text is the page's title or a part of it: a short
/// story whose headline links to itself is not a card.
fn names_the_page(heading: NodeRef<'_, Node>, page_title: &str) -> bool {
    let text = norm(&text_of(heading));
    text.len() >= 10 && page_title.contains(&text)
}

fn is(node: NodeRef<'_, Node>, tags: &[&str]) -> bool {
    node.value()
        .as_element()
        .is_some_and(|e| tags.contains(&e.name()))
}
