//! A story opened in an overlay over the list it was picked from.

use scraper::{Html, Node};

use crate::html::text_chars_up_to;

/// An article at least this long inside an overlay is the page's story.
const OVERLAY_ARTICLE_CHARS: usize = 1500;

/// News streams open a story in an overlay over the list it was picked
/// from (Yahoo's "render-target-modal"): the page's address is the story's,
/// and the list under the overlay is chrome. A sign-up, cookie or picture
/// overlay never holds a long `<article>`.
pub(crate) fn overlay_story(doc: &Html) -> Option<ego_tree::NodeRef<'_, Node>> {
    let overlay_name = |name: Option<&str>| {
        name.is_some_and(|n| {
            n.split(|c: char| c.is_ascii_whitespace() || c == '-' || c == '_')
                .any(|w| {
                    ["modal", "overlay", "lightbox"]
                        .iter()
                        .any(|o| w.eq_ignore_ascii_case(o))
                })
        })
    };
    // The nearest overlay around a long article; a page-wide "modal-open"
    // on <html> or <body> only says that some overlay is showing.
    doc.tree
        .nodes()
        .filter(|n| {
            n.value()
                .as_element()
                .is_some_and(|e| e.name() == "article")
        })
        .find_map(|article| {
            let overlay = article.ancestors().find(|a| {
                a.value().as_element().is_some_and(|el| {
                    !matches!(el.name(), "html" | "body")
                        && (overlay_name(el.attr("class")) || overlay_name(el.attr("id")))
                })
            })?;
            // Counted last: most articles sit in no overlay.
            (text_chars_up_to(article, OVERLAY_ARTICLE_CHARS) >= OVERLAY_ARTICLE_CHARS)
                .then_some(overlay)
        })
}
