//! Which subtrees of a page are chrome: by tag, by ARIA role, by the
//! `hidden` attribute or an inline style, and by class and id names
//! weighed against the share of the page's text they hold.

use scraper::Node;

use crate::class_names::NameHits;
use crate::html::{BlockKind, block_tag, text_chars_up_to};

/// A negative-named subtree is chrome when it holds less than this share of
/// the page's text; bigger ones are page wrappers with unlucky names.
const SOFT_SHARE: f32 = 0.25;
const HARD_SHARE: f32 = 0.5;
/// A widget's label is shorter than this.
const CONTROL_LABEL_CHARS: usize = 100;
/// A paywall box with less text than this is the notice ("This post is for
/// paid subscribers"); with more, it holds the gated rest of the story.
const PAYWALL_NOTICE_CHARS: usize = 400;

/// Page chrome by its tag that sites also wrap articles in: headers, and
/// asides left unclosed (both seen in the evaluation pages). `segment` keeps
/// them only when asked, for a second look at a page that gave nothing.
pub(crate) fn chrome_tag(tag: &str) -> bool {
    matches!(tag, "aside" | "header")
}

pub(crate) fn skip_tag(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "annotation"
            | "annotation-xml"
            // A ruby's reading aid (furigana over kanji): inlined, it
            // repeats each word in kana ("能登のと半島はんとう").
            | "rt"
            | "rp"
            | "nav"
            | "footer"
            | "button"
            | "select"
            | "option"
            | "textarea"
            | "input"
            | "label"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "figcaption"
            | "picture"
            | "img"
            | "video"
            | "audio"
            | "source"
            | "menu"
            | "dialog"
            | "head"
            | "link"
            | "meta"
            | "map"
            | "area"
    )
}

/// Tags that mark up words inside running text.
fn phrase_tag(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "em" | "strong" | "i" | "b" | "u" | "abbr" | "cite" | "dfn" | "mark" | "q" | "var"
    )
}

/// Skipped tags that live inside a line of text: an emoji image or a
/// script in a paragraph must not split it in two.
pub(crate) fn inline_tag(tag: &str) -> bool {
    matches!(
        tag,
        "img"
            | "svg"
            | "script"
            | "style"
            | "input"
            | "label"
            | "button"
            | "select"
            | "textarea"
            | "source"
            | "map"
            | "area"
            | "link"
            | "meta"
            | "math"
            | "annotation"
            | "annotation-xml"
            | "rt"
            | "rp"
    )
}

/// A figure is mostly a picture and its caption, but editors also wrap
/// tables and code listings in one (WordPress's `wp-block-table`): those
/// are the story's data, and only their caption goes.
fn holds_data(figure: ego_tree::NodeRef<'_, Node>) -> bool {
    figure.descendants().any(|n| {
        n.value()
            .as_element()
            .is_some_and(|el| matches!(el.name(), "table" | "pre"))
    })
}

pub(crate) fn skip_element(
    node: ego_tree::NodeRef<'_, Node>,
    el: &scraper::node::Element,
    hits: Option<&NameHits>,
    page_chars: usize,
    keep_chrome: bool,
) -> bool {
    let tag = el.name();
    if skip_tag(tag) || (tag == "figure" && !holds_data(node)) {
        return true;
    }
    let styled_hidden = el.attr("style").is_some_and(|style| {
        let s = style.to_ascii_lowercase().replace(' ', "");
        s.contains("display:none") || s.contains("visibility:hidden")
    });
    // An inline style hides what the reader never sees, however large: on
    // the 711 scored pages no article sits under one.
    if styled_hidden {
        return true;
    }
    let hidden = el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true");
    // Streaming renderers park the whole article under the `hidden`
    // attribute until scripts move it, so only a small subtree is chrome.
    if hidden {
        return below_share(node, HARD_SHARE, page_chars);
    }
    if let Some(role) = el.attr("role")
        && matches!(
            role,
            "navigation"
                | "banner"
                | "contentinfo"
                | "complementary"
                | "dialog"
                | "alertdialog"
                | "search"
                | "menu"
                | "menubar"
        )
    {
        return true;
    }
    // A control's label ("Play", "Mute", "Current Time 0:00"). An
    // accordion's trigger is a role="button" too, and its heading (an FAQ's
    // question) is the story's.
    if matches!(
        el.attr("role"),
        Some("button" | "slider" | "progressbar" | "toolbar" | "timer")
    ) && text_chars_up_to(node, CONTROL_LABEL_CHARS) < CONTROL_LABEL_CHARS
        && !node.descendants().any(|d| {
            d.value()
                .as_element()
                .is_some_and(|e| matches!(block_tag(e.name()), Some(BlockKind::Heading)))
        })
    {
        return true;
    }
    if chrome_tag(tag) && !keep_chrome {
        return true;
    }
    if matches!(tag, "body" | "html" | "main" | "article") {
        return false;
    }
    // A small form is a sign-up, search or comment box. Some frameworks
    // wrap the whole page in one form, so a large one is read.
    if tag == "form" && hits.is_none_or(|h| !h.positive()) {
        return below_share(node, SOFT_SHARE, page_chars);
    }
    // One pass over the names for all the rules, checked in priority order.
    let Some(hits) = hits else {
        return false;
    };
    // Words marked up inside a sentence (a link to a note, a term) are
    // the sentence's: cutting them leaves "I am a man" of "I am a rather
    // elderly man".
    if phrase_tag(tag) {
        return false;
    }
    if hits.positive() {
        return false;
    }
    if hits.never_content() {
        return true;
    }
    if hits.maybe_content() {
        return false;
    }
    if hits.paywall() && !hits.hard_negative() {
        return text_chars_up_to(node, PAYWALL_NOTICE_CHARS) < PAYWALL_NOTICE_CHARS;
    }
    let share = if hits.hard_negative() {
        HARD_SHARE
    } else if hits.soft_negative() {
        SOFT_SHARE
    } else {
        return false;
    };
    below_share(node, share, page_chars)
}

/// Whether `node` holds less than `share` of the page's text. Counting
/// stops at the bound, so nested boxes on a hostile page each cost at most
/// that much, not their whole subtree.
fn below_share(node: ego_tree::NodeRef<'_, Node>, share: f32, page_chars: usize) -> bool {
    let bound = (share * page_chars as f32).ceil();
    (text_chars_up_to(node, bound as usize) as f32) < share * page_chars as f32
}

#[cfg(test)]
#[path = "chrome_tests.rs"]
mod tests;
