//! The parsed page as `prepare` must leave it, for tests and the fuzz
//! target.

use super::{is_read_attribute, is_space, unread_link_or_meta};

/// The parsed page as lines, one per element (with the attributes that are
/// read) and text, leaving out what `prepare` may change and nothing after
/// the parse reads: script and style text except JSON-LD, unread `<link>`s
/// and `<meta>`s, what is inside an `<svg>`, comments, and whitespace
/// outside `<body>`. Text on either side of a left-out element is one
/// line, as it is one text once the element is gone. For tests and the
/// fuzz target.
#[doc(hidden)]
pub fn outline(html: &str) -> Vec<String> {
    use ego_tree::iter::Edge;
    use scraper::Node;
    let doc = scraper::Html::parse_document(html);
    let mut lines: Vec<String> = Vec::new();
    // The `<svg>` being left out, until it closes.
    let mut inside_svg = None;
    let left_out = |node: &ego_tree::NodeRef<'_, Node>| {
        node.value()
            .as_element()
            .is_some_and(|el| unread_link_or_meta(el.name(), |a| el.attr(a).map(Some)))
    };
    for edge in doc.tree.root().traverse() {
        let node = match edge {
            Edge::Open(node) => node,
            Edge::Close(node) => {
                if inside_svg == Some(node.id()) {
                    inside_svg = None;
                } else if inside_svg.is_some() || left_out(&node) {
                    continue;
                }
                if let Node::Element(el) = node.value() {
                    lines.push(format!("</{}>", el.name()));
                }
                continue;
            }
        };
        if inside_svg.is_some() || left_out(&node) {
            continue;
        }
        match node.value() {
            Node::Element(el) => {
                if el.name() == "svg" {
                    inside_svg = Some(node.id());
                }
                // Namespaced attributes (`xlink:href` in an SVG) are cut,
                // and scraper lists them by their local name.
                let mut attrs: Vec<String> = el
                    .attrs
                    .iter()
                    .filter(|(k, _)| {
                        k.ns.is_empty()
                            && is_read_attribute(el.name().as_bytes(), k.local.as_bytes())
                    })
                    // The value as text: a tendril's `Debug` shows how it is stored.
                    .map(|(k, v)| format!("{}={:?}", k.local, &**v))
                    .collect();
                attrs.sort();
                lines.push(format!("<{} {}>", el.name(), attrs.join(" ")));
            }
            Node::Text(text) => {
                let dropped = node
                    .parent()
                    .and_then(|p| p.value().as_element())
                    .is_some_and(|p| {
                        matches!(p.name(), "script" | "style")
                            && !p.attr("type").is_some_and(|t| t.contains("ld+json"))
                    });
                // Runs of whitespace count as one, outside `<pre>`.
                let preformatted = node.ancestors().any(|a| {
                    a.value()
                        .as_element()
                        .is_some_and(|e| matches!(e.name(), "pre" | "listing"))
                });
                let outside_body = node
                    .parent()
                    .and_then(|p| p.value().as_element())
                    .is_none_or(|p| matches!(p.name(), "html" | "head"));
                let blank = text.chars().all(|c| c.is_ascii() && is_space(c as u8));
                let unread = dropped || (outside_body && blank);
                if !unread {
                    // Raw text, squeezed once the whole run is in.
                    match lines.last_mut() {
                        Some(last) if last.starts_with(TEXT) => last.push_str(text),
                        _ => lines.push(format!("{TEXT}{}", &**text)),
                    }
                    if !preformatted && let Some(last) = lines.last_mut() {
                        *last = squeeze_whitespace(last);
                    }
                }
            }
            Node::Doctype(d) => lines.push(format!("doctype {}", d.name())),
            _ => {}
        }
    }
    lines
}

/// How `outline` marks a line of text.
const TEXT: &str = "text ";

/// `text` with each run of HTML whitespace made one space.
fn squeeze_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let space = c.is_ascii() && is_space(c as u8);
        if !(space && out.ends_with(' ')) {
            out.push(if space { ' ' } else { c });
        }
    }
    out
}
