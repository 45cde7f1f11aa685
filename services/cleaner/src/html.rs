//! Main-content extraction from an HTML document.
//!
//! One iterative pass over the DOM (no recursion, so 100,000-deep nesting is
//! safe) turns the page into text blocks, skipping subtrees that are chrome by
//! tag, role or class. Every element gets a score: the sentence-like text in
//! its subtree minus a share of the link and boilerplate text in it. A
//! subtree's blocks are contiguous, so the best element is a block range; the
//! blocks in it are then filtered line by line.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use crate::boilerplate::{LineKind, classify_counted};
use crate::chrome::{chrome_tag, inline_tag, skip_element, skip_tag};
use crate::class_names::{NameHits, NameRules};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    Heading,
    ListItem,
    /// A table row, its cells joined by " | ".
    TableRow,
    Other,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub text: String,
    pub kind: BlockKind,
    pub link_chars: usize,
    /// Whether its last words are a link's ("Full review…", "Read more").
    pub(crate) ends_in_link: bool,
    /// Boilerplate class of the text, computed once.
    pub line: LineKind,
    /// Characters of the text, counted once.
    chars: usize,
    /// Its words, as `word_count` counts them, counted once.
    pub(crate) words: usize,
    /// When the block opens containers (a heading at the top of a section):
    /// the end of the blocks of the largest one.
    pub(crate) scope_end: Option<usize>,
}

impl Block {
    fn chars(&self) -> usize {
        self.chars
    }

    pub fn link_density(&self) -> f32 {
        let c = self.chars();
        if c == 0 {
            0.0
        } else {
            self.link_chars as f32 / c as f32
        }
    }
}

pub(crate) fn block_tag(tag: &str) -> Option<BlockKind> {
    Some(match tag {
        "p" | "blockquote" | "pre" | "dd" | "address" => BlockKind::Paragraph,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
        "li" | "dt" => BlockKind::ListItem,
        "tr" => BlockKind::TableRow,
        "div" | "section" | "article" | "main" | "ul" | "ol" | "dl" | "table" | "tbody"
        | "thead" | "tfoot" | "br" | "hr" | "center" | "details" | "summary" | "form" | "body"
        | "fieldset" => BlockKind::Other,
        _ => return None,
    })
}

/// A block's text with runs of whitespace made one space and the ends
/// trimmed, with its counts, in one pass: this runs for every block of every
/// page, and each count was a pass of its own (five in all).
struct Collapsed {
    text: String,
    chars: usize,
    /// Words as `word_count` counts them.
    words: usize,
}

fn collapse_whitespace(s: &str) -> Collapsed {
    let mut c = Collapsed {
        text: String::with_capacity(s.len()),
        chars: 0,
        words: 0,
    };
    for word in s.split_whitespace() {
        if !c.text.is_empty() {
            c.text.push(' ');
            c.chars += 1;
        }
        c.text.push_str(word);
        c.words += crate::words_in_token(word);
        c.chars += if word.is_ascii() {
            word.len()
        } else {
            word.chars().count()
        };
    }
    c
}

/// `text_chars` of the whole document, in one pass over the node arena
/// instead of a walk of the tree. Text sits directly in a script or style;
/// noscript and template content can be deeper, and is counted here.
fn page_text_chars(doc: &Html) -> usize {
    doc.tree
        .nodes()
        .filter_map(|n| {
            let text = n.value().as_text()?;
            let raw = n
                .parent()
                .and_then(|p| p.value().as_element())
                .is_some_and(|e| matches!(e.name(), "script" | "style" | "noscript" | "template"));
            (!raw).then(|| text.trim().len())
        })
        .sum()
}

/// Characters of text under `node`, outside scripts and styles,
/// counted only until they reach `limit`: each check asks whether a
/// subtree holds less than some bound, and stops early in a large one.
pub(crate) fn text_chars_up_to(node: ego_tree::NodeRef<'_, Node>, limit: usize) -> usize {
    let mut n = 0;
    let mut skip: Option<ego_tree::NodeId> = None;
    for edge in node.traverse() {
        match edge {
            Edge::Open(d) if skip.is_none() => match d.value() {
                Node::Element(e)
                    if matches!(e.name(), "script" | "style" | "noscript" | "template") =>
                {
                    skip = Some(d.id())
                }
                Node::Text(t) => {
                    n += t.trim().len();
                    if n >= limit {
                        return n;
                    }
                }
                _ => {}
            },
            Edge::Close(d) if skip == Some(d.id()) => skip = None,
            _ => {}
        }
    }
    n
}

/// A scored element: the block range of its subtree and its score.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    first: usize,
    end: usize,
    score: f32,
}

struct Frame {
    first_block: usize,
    good: f32,
    bad: f32,
    bonus: f32,
}

/// Blocks of the page, and the block range of the best content container.
pub struct Segmented {
    pub blocks: Vec<Block>,
    pub best: Option<(usize, usize)>,
    pub best_good_chars: f32,
    /// Text characters of the whole page, outside scripts and styles.
    pub page_chars: usize,
    /// A header or aside was left out as chrome: only then can a second
    /// look that keeps them see anything new.
    pub skipped_chrome: bool,
}

/// How `segment` reads a page. The default is the first look; the others
/// are second looks at pages where it found little.
#[derive(Debug, Clone, Copy, Default)]
pub struct Look {
    /// Keep headers and asides: some sites put the article in one.
    pub keep_chrome: bool,
    /// Count short unlinked paragraphs as (half) content, for pages with no
    /// prose at all.
    pub short_paragraphs: bool,
}

/// Unlinked paragraphs of at least this many words count in a
/// `short_paragraphs` look; shorter ones are labels and stray words.
const SHORT_PARAGRAPH_WORDS: usize = 5;

/// The linked text of the block being built.
#[derive(Default)]
struct LinkText {
    chars: usize,
    ends_linked: bool,
}

/// Split the document into blocks and find the best content container.
pub fn segment(doc: &Html, look: Look) -> Segmented {
    let mut blocks: Vec<Block> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut cur = String::new();
    let mut cur_links = LinkText::default();
    let mut cur_kind = BlockKind::Other;
    let mut link_depth = 0usize;
    let mut skip_until: Option<ego_tree::NodeId> = None;
    let mut best: Option<Candidate> = None;
    let mut best_good = 0.0f32;
    let mut skipped_chrome = false;
    let page_chars = page_text_chars(doc);
    let mut name_rules = NameRules::default();
    let cards = crate::cards::teaser_cards(doc);

    let flush = |cur: &mut String,
                 cur_links: &mut LinkText,
                 kind: BlockKind,
                 blocks: &mut Vec<Block>,
                 frames: &mut Vec<Frame>| {
        let Collapsed { text, chars, words } = collapse_whitespace(cur);
        cur.clear();
        let links = std::mem::take(cur_links);
        if text.is_empty() {
            return;
        }
        let block = Block {
            link_chars: links.chars.min(chars),
            ends_in_link: links.ends_linked,
            // Cells are data, not prose: " | " would read as a menu.
            line: if kind == BlockKind::TableRow {
                LineKind::Story
            } else {
                classify_counted(&text, words)
            },
            text,
            kind,
            chars,
            words,
            scope_end: None,
        };
        let (good, bad) = block_value(&block, look);
        if let Some(f) = frames.last_mut() {
            f.good += good;
            f.bad += bad;
        }
        blocks.push(block);
    };

    let top = crate::overlay::overlay_story(doc).unwrap_or_else(|| doc.tree.root());
    for edge in top.traverse() {
        match edge {
            Edge::Open(node) => {
                if skip_until.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(el) => {
                        let hits = name_rules.hits(el);
                        if node != top
                            && skip_element(node, el, hits.as_ref(), page_chars, look.keep_chrome)
                            || el.name() == "article" && cards.contains(&node.id())
                        {
                            skipped_chrome |= chrome_tag(el.name());
                            skip_until = Some(node.id());
                            // A skipped subtree still separates blocks, unless
                            // it sits inside a line of text (an icon, a script).
                            if block_tag(el.name()).is_some()
                                || (skip_tag(el.name()) && !inline_tag(el.name()))
                                || chrome_tag(el.name())
                            {
                                flush(&mut cur, &mut cur_links, cur_kind, &mut blocks, &mut frames);
                            }
                            continue;
                        }
                        if let Some(kind) = block_tag(el.name()) {
                            flush(&mut cur, &mut cur_links, cur_kind, &mut blocks, &mut frames);
                            if kind != BlockKind::Other {
                                cur_kind = kind;
                            }
                            frames.push(Frame {
                                first_block: blocks.len(),
                                good: 0.0,
                                bad: 0.0,
                                bonus: name_bonus(el, hits.as_ref()),
                            });
                        } else if el.name() == "a" {
                            link_depth += 1;
                        } else if matches!(el.name(), "mi" | "mn" | "mo" | "ms" | "mtext") {
                            // MathML's tokens carry no spaces between them.
                            cur.push(' ');
                        } else if matches!(el.name(), "td" | "th") && !cur.trim().is_empty() {
                            cur.push_str(" | ");
                        }
                    }
                    Node::Text(t) => {
                        let s: &str = t;
                        let trimmed = s.trim();
                        if !trimmed.is_empty() {
                            cur_links.ends_linked = link_depth > 0;
                            if link_depth > 0 {
                                cur_links.chars += trimmed.chars().count();
                            }
                        }
                        cur.push_str(s);
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skip_until {
                    if id == node.id() {
                        skip_until = None;
                    }
                    continue;
                }
                let Node::Element(el) = node.value() else {
                    continue;
                };
                if let Some(kind) = block_tag(el.name()) {
                    flush(&mut cur, &mut cur_links, cur_kind, &mut blocks, &mut frames);
                    if kind != BlockKind::Other {
                        cur_kind = BlockKind::Other;
                    }
                    if el.name() == "li" || el.name() == "p" {
                        cur_kind = BlockKind::Other;
                    }
                    let Some(frame) = frames.pop() else { continue };
                    // Inner containers close first: the outermost one that
                    // the block opens has the last word.
                    let end = blocks.len();
                    if let Some(opener) = blocks.get_mut(frame.first_block) {
                        opener.scope_end = Some(end);
                    }
                    let score =
                        frame.good - BAD_WEIGHT * frame.bad + frame.bonus * frame.good.min(500.0);
                    if frame.good > 0.0 && best.is_none_or(|b| score > b.score) {
                        best = Some(Candidate {
                            first: frame.first_block,
                            end: blocks.len(),
                            score,
                        });
                        best_good = frame.good;
                    }
                    if let Some(parent) = frames.last_mut() {
                        parent.good += frame.good;
                        parent.bad += frame.bad;
                    }
                } else if el.name() == "a" {
                    link_depth = link_depth.saturating_sub(1);
                }
            }
        }
    }
    flush(&mut cur, &mut cur_links, cur_kind, &mut blocks, &mut frames);
    Segmented {
        blocks,
        best: best.map(|c| (c.first, c.end)),
        best_good_chars: best_good,
        page_chars,
        skipped_chrome,
    }
}

/// Link and boilerplate text under a container costs this much of the
/// story text it holds (measured flat between 0.3 and 1.0 on the eval sets).
const BAD_WEIGHT: f32 = 0.5;

/// A lift for containers whose names say "article body".
fn name_bonus(el: &scraper::node::Element, hits: Option<&NameHits>) -> f32 {
    let positive = hits.is_some_and(NameHits::positive);
    if el.attr("itemprop") == Some("articleBody") {
        // Schema.org markup names the body outright: it outweighs a box of
        // footer text on a short article.
        1.0
    } else if positive {
        0.25
    } else if el.name() == "article" {
        0.1
    } else {
        0.0
    }
}

/// (good, bad) character weight of a block for container scoring.
fn block_value(block: &Block, look: Look) -> (f32, f32) {
    let chars = block.chars() as f32;
    let ld = block.link_density();
    if block.kind == BlockKind::Heading {
        return (0.0, 0.0);
    }
    if ld > 0.5 {
        return (0.0, chars);
    }
    if block.line != LineKind::Story {
        return (0.0, chars);
    }
    let words = block.words;
    let sentence = block
        .text
        .contains(['.', '!', '?', '。', '！', '？', '،', ';'])
        || words >= 25;
    if words >= 10 && sentence {
        (chars * (1.0 - ld), chars * ld)
    } else if block.kind == BlockKind::TableRow {
        // Rows of data (figures, names) are not prose but not chrome
        // either: they do not count against the story around them.
        (0.0, 0.0)
    } else if look.short_paragraphs
        && block.kind == BlockKind::Paragraph
        && block.link_chars == 0
        && words >= SHORT_PARAGRAPH_WORDS
    {
        // A page of short lines (a calendar, a list of results): with no
        // prose anywhere, unlinked paragraphs are the best evidence left.
        (chars * 0.5, 0.0)
    } else {
        (0.0, chars * 0.3)
    }
}

#[cfg(test)]
#[path = "html_tests.rs"]
pub(crate) mod tests;
