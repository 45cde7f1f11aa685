//! From a segmented page to the story's lines: the best container's story
//! blocks, without chrome, captions, bylines, related lists, the tail after
//! an author bio, or a repeated headline.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::boilerplate::LineKind;
use crate::html::{Block, BlockKind, Segmented};

/// Month names, full or cut ("Sept.", "November"), for the date rules.
const MONTH: &str = "(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)";

static BYLINE_OR_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        &r"(?i)^\s*((by|written by|words by|reporting by|von|par|por)\s+[\p{Lu}][\p{L}.'-]+(\s+[\p{Lu}][\p{L}.'-]+){0,3}(\s*(,|and|&)\s*[\p{Lu}][\p{L}.'-]+(\s+[\p{Lu}][\p{L}.'-]+){0,3})*|(first published|published|updated|posted|last updated)( on)?\s?:?\s.{0,40}|((mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(\d{1,2}\s+)?<month>[a-z]*\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+\d{4}.{0,20}|((mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?\d{1,2}\s+<month>[a-z]*\.?,?\s+\d{4}.{0,20}|on\s+<month>[a-z]*\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+\d{4}|\d{4}-\d{2}-\d{2}([t\s]\d{2}:\d{2}.{0,10})?|\d{1,2}[./]\d{1,2}[./]\d{2,4}(,?\s+\d{1,2}:\d{2})?)\s*$"
            .replace("<month>", MONTH),
    )
    .expect("valid regex")
});

/// A byline, a date, or a row of them with the reading time: "March 15,
/// 2022 · 3 min read · By ASU Online".
fn is_byline_or_date(text: &str) -> bool {
    (text.split_whitespace().nth(14).is_none() && BYLINE_OR_DATE.is_match(text))
        || starts_a_byline(text)
            && DATED.find_iter(text).last().is_some_and(|date| {
                date.end() == text.len() && BYLINE_OR_DATE.is_match(&text[..date.start()])
            })
        || is_row_of(text, &['·', '|', '•'])
        || text.contains(" / ") && is_row_of(&text.replace(" / ", "|"), &['|'])
}

/// A row of bylines, dates and reading times split by one of `separators`.
fn is_row_of(text: &str, separators: &[char]) -> bool {
    text.contains(separators)
        && text.split(separators).all(|part| {
            let part = part.trim();
            BYLINE_OR_DATE.is_match(part) || READING_TIME.is_match(part)
        })
}

/// Whether the first word is one a byline opens with: a cheap test before
/// the search for a date behind it.
fn starts_a_byline(text: &str) -> bool {
    text.split_whitespace().next().is_some_and(|w| {
        ["by", "written", "words", "reporting", "von", "par", "por"]
            .iter()
            .any(|b| w.eq_ignore_ascii_case(b))
    })
}

/// The other parts of a dateline row: a reading time, a source.
static READING_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d+\s*min(ute)?s?( read)?|source\s?:.+)$").expect("valid regex")
});

/// A date anywhere in a short line: a teaser card's "November 20, 2019",
/// "2019-11-20" or "3 days ago".
static DATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        &r"(?i)(<month>[a-z]*\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\s+<month>[a-z]*\.?,?\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\b\d+\s+(minute|hour|day|week|month|year)s?\s+ago)"
            .replace("<month>", MONTH),
    )
    .expect("valid regex")
});

/// Text characters of a small page: some 50 words.
const SMALL_PAGE_CHARS: usize = 300;

/// A page with less text in all than a short article has no room for
/// chrome or teasers to hide in: all its story-like text is the content
/// (short notices, stubs). None when the page is empty or large. The whole
/// page counts, skipped parts too: a page whose text all sits in skipped
/// parts is not small.
pub fn whole_small_page(seg: &Segmented) -> Option<Vec<String>> {
    if seg.page_chars >= SMALL_PAGE_CHARS {
        return None;
    }
    let lines: Vec<String> = seg
        .blocks
        .iter()
        .filter(|b| b.line == LineKind::Story)
        .map(|b| b.text.clone())
        .collect();
    (!lines.is_empty()).then_some(lines)
}

/// Story words that must come before an author-bio or disclaimer heading for
/// it to end the story: such a box at the top of an article ends nothing.
pub(crate) const TAIL_AFTER_WORDS: usize = 100;

/// The story blocks of `range`, with chrome, captions, bylines, related lists
/// and a repeated headline removed.
pub fn story_lines(blocks: &[Block], range: (usize, usize), title: Option<&str>) -> Vec<String> {
    let title_norm = title.map(norm);
    let mut out: Vec<String> = Vec::new();
    let mut out_words = 0;
    let mut in_related = false;
    let mut skip_to = 0;
    let in_cards = card_runs(blocks, range);
    let in_prose_list = prose_lists(blocks, range);
    let in_gallery = gallery_slides(blocks, range);
    for (i, block) in blocks.iter().enumerate().take(range.1).skip(range.0) {
        if i < skip_to {
            continue;
        }
        let text = block.text.trim();
        // "Author information" in a list is one of its items (what a commit
        // records), not the heading of a bio box.
        let kind = match block.line {
            LineKind::TailHeader if block.kind == BlockKind::ListItem => LineKind::Story,
            line => line,
        };
        if in_cards[i - range.0]
            || in_gallery[i - range.0]
            || is_teaser_summary(blocks, range, i)
            || in_teaser_run(blocks, range, i)
        {
            continue;
        }
        if kind == LineKind::RelatedHeader {
            in_related = !is_expand_button(block);
            // A header that opens its own container, after the story, heads
            // a related section: all of it goes, even teasers that read as
            // paragraphs. At the top of a container it may be a box above
            // the story, in the story's own container, and a linked "Read
            // more" is a button: for those, only the list goes. (Limited to
            // <h1>-<h6> headers, it improved 6 pages of the eval sets instead
            // of 9; neither way lost any.)
            if in_related
                && out_words > 0
                && block.link_density() < 0.5
                && let Some(end) = block.scope_end
            {
                // What follows the section is read as before: related until
                // a real paragraph.
                skip_to = end;
            }
            continue;
        }
        if kind == LineKind::TailHeader {
            if out_words >= TAIL_AFTER_WORDS {
                break;
            }
            continue;
        }
        let words = block.words;
        if in_related {
            // A related list ends at the first real paragraph.
            if block.kind == BlockKind::Paragraph && words >= 12 && block.link_density() < 0.3 {
                in_related = false;
            } else {
                continue;
            }
        }
        let linked = block.link_density() > 0.5 || words <= 12 && block.link_density() > 0.25;
        // An address written out in full is the author's text, link or not.
        let spelled_out_url = !text.contains(char::is_whitespace)
            && (text.starts_with("http://") || text.starts_with("https://"));
        if kind != LineKind::Story || linked && !in_prose_list[i - range.0] && !spelled_out_url {
            continue;
        }
        if words <= 24 && is_byline_or_date(text) {
            continue;
        }
        // A line of zero-width characters only is empty to a reader.
        if text.chars().all(is_invisible) {
            continue;
        }
        if out.is_empty()
            && let Some(t) = &title_norm
            && norm(text) == *t
        {
            continue;
        }
        out_words += words;
        out.push(text.to_string());
    }
    cut_author_bio(&mut out);
    out
}

/// Lines at the end of a story that may hold the author's bio.
const BIO_TAIL_LINES: usize = 4;

/// A bio in the third person opens with the name and a verb: "Jane Doe is
/// a ...", "Raghuveer Vedala, MD, is a ...".
static BIO_OPENING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Dr\.? )?\p{Lu}[\p{L}'’.-]+( \p{Lu}[\p{L}'’.-]+){0,3}(,? \p{Lu}[\p{L}.]{1,8})*,? (is|was|has been|joined|serves as) (a|an|the|our|as) ")
        .expect("valid regex")
});

/// ... and names a trade soon after: "freelance writer", "board-certified
/// physician".
static BIO_TRADE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)writer|editor|journalist|reporter|author|contributor|columnist|correspondent|blogger|specialist|strategist|marketer|director|founder|ceo|professor|researcher|consultant|copywriter|producer|photographer|analyst|physician")
        .expect("valid regex")
});

/// Bytes after the opening that the trade must appear in.
const BIO_TRADE_WITHIN: usize = 100;

fn is_author_bio(line: &str) -> bool {
    let Some(opening) = BIO_OPENING.find(line) else {
        return false;
    };
    let end = line.floor_char_boundary(opening.end() + BIO_TRADE_WITHIN);
    BIO_TRADE.is_match(&line[opening.end()..end])
}

/// Cut the author's bio from the end of a story, with the name or role
/// line above it ("Contributing Writer"). Only the last few lines are
/// read, only after a story's worth of words, and never more than a third
/// of the text: in a story's body, "X is a professor at ..." introduces a
/// source.
fn cut_author_bio(out: &mut Vec<String>) {
    let from = out.len().saturating_sub(BIO_TAIL_LINES);
    let Some(mut at) = (from..out.len()).find(|&i| is_author_bio(&out[i])) else {
        return;
    };
    if at > 0 && out[at - 1].split_whitespace().nth(4).is_none() {
        at -= 1;
    }
    let words =
        |lines: &[String]| -> usize { lines.iter().map(|l| l.split_whitespace().count()).sum() };
    let (before, after) = (words(&out[..at]), words(&out[at..]));
    if before >= TAIL_AFTER_WORDS && after * 2 <= before {
        out.truncate(at);
    }
}

/// Zero-width spaces and joiners, direction marks, soft hyphens and
/// byte-order marks: characters that `trim` keeps and nobody sees.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}')
}

/// Teaser summaries run shorter than this many words.
const TEASER_SUMMARY_WORDS: usize = 30;

/// A short unlinked paragraph between two linked headings: the summary
/// line of a teaser card in a rail or an index. A linked heading followed by
/// a "Read more" link or by story paragraphs is something else (a product
/// list, links set in a story), so both sides must be linked headings.
fn is_teaser_summary(blocks: &[Block], range: (usize, usize), i: usize) -> bool {
    let linked_heading = |b: &Block| b.kind == BlockKind::Heading && b.link_density() > 0.5;
    let block = &blocks[i];
    block.words < TEASER_SUMMARY_WORDS
        && block.link_chars == 0
        && block.kind != BlockKind::Heading
        && i > range.0
        && linked_heading(&blocks[i - 1])
        && (i + 1 == range.1 || linked_heading(&blocks[i + 1]))
}

/// A linked headline with the cut start of its story behind it, in one
/// block: "Man pleads guilty in fraud case NEW YORK: An Indian-origin man
/// has pleaded guilty to ...". A story's own list items and paragraphs
/// may hold links or end in an ellipsis, but not two in a row both; nor
/// is an ellipsis inside a link ("Full review…") a cut excerpt.
fn is_teaser_item(block: &Block) -> bool {
    let text = block.text.trim_end();
    matches!(block.kind, BlockKind::ListItem | BlockKind::Paragraph)
        && (text.ends_with("...") || text.ends_with('\u{2026}'))
        && !block.ends_in_link
        && (0.1..0.8).contains(&block.link_density())
}

fn in_teaser_run(blocks: &[Block], range: (usize, usize), i: usize) -> bool {
    is_teaser_item(&blocks[i])
        && ((i > range.0 && is_teaser_item(&blocks[i - 1]))
            || (i + 1 < range.1 && is_teaser_item(&blocks[i + 1])))
}

/// Items a list needs before its few linked items count as its own.
const PROSE_LIST_ITEMS: usize = 4;

/// Which blocks of `range` are items of a list of prose: a run of list
/// items whose text is mostly unlinked. A linked item there ("Here's our
/// year in review!") is one of the story's points; in a list of links
/// ("Read also") it is not.
fn prose_lists(blocks: &[Block], range: (usize, usize)) -> Vec<bool> {
    let mut marked = vec![false; range.1 - range.0];
    let mut i = range.0;
    while i < range.1 {
        if blocks[i].kind != BlockKind::ListItem {
            i += 1;
            continue;
        }
        let end = (i..range.1)
            .find(|&j| blocks[j].kind != BlockKind::ListItem)
            .unwrap_or(range.1);
        let run = &blocks[i..end];
        let chars: usize = run.iter().map(|b| b.text.len()).sum();
        let linked: usize = run.iter().map(|b| b.link_chars).sum();
        let unlinked_items = run.iter().filter(|b| b.link_density() < 0.25).count();
        if run.len() >= PROSE_LIST_ITEMS && 4 * linked < chars && 2 * unlinked_items > run.len() {
            marked[i - range.0..end - range.0].fill(true);
        }
        i = end;
    }
    marked
}

/// Cards in a row needed to call them a rail of teasers.
const CARDS_IN_A_RUN: usize = 3;
/// Blocks a card may hold under its linked heading: an author, a date, a
/// summary.
const CARD_BLOCKS: usize = 3;
/// Words of a card's meta lines (author, date, section).
const CARD_META_WORDS: usize = 8;
/// Words of a card's summary.
const CARD_SUMMARY_WORDS: usize = 90;

/// Which blocks of `range` are in a run of teaser cards: linked headings,
/// each followed by at most an author line, a date and one summary, three
/// or more in a row, dated at least every other one. A story's own linked
/// subheadings are followed by paragraphs, more than one or longer, and a
/// list of products or courses, each a linked name and a description, is
/// not dated; `is_teaser_summary` catches a card that is only a heading and
/// a short summary.
fn card_runs(blocks: &[Block], range: (usize, usize)) -> Vec<bool> {
    let mut marked = vec![false; range.1 - range.0];
    let linked_heading = |b: &Block| b.kind == BlockKind::Heading && b.link_density() > 0.5;
    let heads: Vec<usize> = (range.0..range.1)
        .filter(|&i| linked_heading(&blocks[i]))
        .collect();
    // Whether the blocks after the heading at `head`, up to `end`, are a
    // card's.
    let is_card = |head: usize, end: usize| {
        let body = &blocks[head + 1..end];
        let summaries = body.iter().filter(|b| b.words > CARD_META_WORDS).count();
        body.len() <= CARD_BLOCKS
            && summaries <= 1
            && body.iter().all(|b| {
                b.kind != BlockKind::Heading
                    && (b.words <= CARD_META_WORDS
                        || (b.words <= CARD_SUMMARY_WORDS && b.link_chars == 0))
            })
    };
    let dated = |&(from, to): &(usize, usize)| {
        blocks[from + 1..to]
            .iter()
            .any(|b| b.words <= CARD_META_WORDS && DATED.is_match(&b.text))
    };
    let mut run: Vec<(usize, usize)> = Vec::new();
    let mut flush = |run: &mut Vec<(usize, usize)>| {
        if run.len() >= CARDS_IN_A_RUN && 2 * run.iter().filter(|c| dated(c)).count() >= run.len() {
            for &(from, to) in run.iter() {
                marked[from - range.0..to - range.0].fill(true);
            }
        }
        run.clear();
    };
    for (k, &head) in heads.iter().enumerate() {
        let next = heads.get(k + 1).copied();
        // The last card of a run ends at the next heading of any kind, or
        // at the end of the container.
        let end = next.unwrap_or_else(|| {
            (head + 1..range.1)
                .find(|&i| blocks[i].kind == BlockKind::Heading)
                .unwrap_or(range.1)
        });
        if is_card(head, end) {
            run.push((head, end));
        } else {
            // A card that runs on into story paragraphs ends the run, and
            // is not one of its cards.
            flush(&mut run);
        }
    }
    flush(&mut run);
    marked
}

/// Slides a gallery must number ("1/50", "2/50", ...) to be one.
const GALLERY_SLIDES: usize = 3;

static SLIDE_COUNTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,3}) ?/ ?(\d{1,3})\s").expect("valid regex"));

/// Which blocks of `range` are a photo gallery's captions: blocks that open
/// with a slide counter out of one total ("1/50 United goin down"), three
/// or more, each with the container it opens (the slide's caption and
/// credit). "24/7 support" or a lone "1/2 tsp" is not numbered out of a
/// total that other lines share.
fn gallery_slides(blocks: &[Block], range: (usize, usize)) -> Vec<bool> {
    let mut marked = vec![false; range.1 - range.0];
    let mut slides: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, block) in blocks.iter().enumerate().take(range.1).skip(range.0) {
        let Some(c) = SLIDE_COUNTER.captures(&block.text) else {
            continue;
        };
        let (Ok(k), Ok(total)) = (c[1].parse::<u32>(), c[2].parse::<u32>()) else {
            continue;
        };
        if (1..=total).contains(&k) {
            slides.entry(total).or_default().push(i);
        }
    }
    for (total, starts) in slides {
        if starts.len() < GALLERY_SLIDES || (total as usize) < GALLERY_SLIDES {
            continue;
        }
        for i in starts {
            let end = blocks[i].scope_end.unwrap_or(i + 1).clamp(i + 1, range.1);
            marked[i - range.0..end - range.0].fill(true);
        }
    }
    marked
}

/// Teaser cards (a linked heading and its summary) in `range`: when they
/// are all a container holds, the page is an index.
pub fn teaser_cards(blocks: &[Block], range: (usize, usize)) -> usize {
    (range.0..range.1)
        .filter(|&i| is_teaser_summary(blocks, range, i))
        .count()
}

/// "Read more" as a button that unfolds the rest of the story (no link, no
/// heading, no colon), not the header of a list of other stories.
fn is_expand_button(block: &Block) -> bool {
    block.link_chars == 0
        && block.kind != BlockKind::Heading
        && block.text.trim().eq_ignore_ascii_case("read more")
}

/// Letters and digits only, lowercased: for comparing a line with the
/// headline.
pub(crate) fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
