//! Plain-text articles (captured page text, like `shared/seeds`): the same
//! boilerplate rules as HTML, line by line, plus what only plain text shows:
//! the headline repeated as a line, captions glued to the headline, date
//! stamps, image alt text, and an appeal that runs to the end of the page.

use std::sync::LazyLock;

use regex::Regex;

use crate::boilerplate::{LineKind, classify, is_appeal};
use crate::story_lines::norm;

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
        let words = crate::word_count(l);
        classify(l) == LineKind::Story && (3..=25).contains(&words) && !l.ends_with(['.', '。'])
    });
    let title = title_idx.map(|i| raw[i].to_string());
    let title_norm = title.as_deref().map(norm);

    // Above the first full sentence a page shows only chrome: mastheads,
    // section labels, bylines.
    let first_sentence = raw
        .iter()
        .position(|l| crate::word_count(l) >= 10 && classify(l) == LineKind::Story)
        .unwrap_or(raw.len());

    let mut lines: Vec<String> = Vec::new();
    let mut in_related = false;
    // Lines in a row, inside a related list, that go on with the story.
    let mut story_again = 0;
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
            story_again = 0;
            continue;
        }
        if kind == LineKind::TailHeader {
            let words: usize = lines.iter().map(|l| crate::word_count(l)).sum();
            if words >= crate::story_lines::TAIL_AFTER_WORDS {
                break;
            }
            continue;
        }
        if in_related {
            // Headline-like items (no final stop) continue the list, and so do
            // teaser sentences about something else: a line that shares
            // almost no words with the story so far is not the story going on.
            let words = crate::word_count(body);
            let headline = BULLET.is_match(line) || !body.ends_with(['.', '!', '?', '"', '”']);
            let teaser = words <= 60 && overlap_with(body, &lines) < 0.2;
            if (headline && words <= 30 || teaser) && !is_appeal(body) {
                story_again = 0;
                continue;
            }
            // One line on the story's subject can be a teaser of a related
            // story too; the list is over when two in a row go on with it.
            story_again += 1;
            if story_again >= 2 {
                in_related = false;
            }
        }
        if appeal_started || kind == LineKind::Appeal {
            // Appeals sit at the end of the page: once a long one starts,
            // what follows it is the rest of the appeal.
            if crate::word_count(body) > 15 {
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
        // A site name sits above the page's first sentence, or right above
        // its menu when the page opens with a sentence-long headline.
        let above_chrome = || {
            raw.get(i + 1)
                .is_some_and(|next| classify(next) == LineKind::Chrome)
        };
        if looks_like_alt_text(body)
            || (looks_like_masthead(body) && (i < first_sentence || above_chrome()))
        {
            continue;
        }
        lines.push(body.to_string());
    }
    PlainArticle { title, lines }
}

/// Image alt text left in captured text: a short lowercase-initial fragment
/// with no sentence punctuation ("putin in North Korea june 2024").
fn looks_like_alt_text(line: &str) -> bool {
    let words = crate::word_count(line);
    let first = line.chars().next();
    words <= 10
        && first.is_some_and(char::is_lowercase)
        && !line.contains(['.', ',', '!', '?', ':', ';', '"', '“'])
}

/// A site name or section label: a few capitalised words, no punctuation
/// ("The Daily Ledger", "NewsNow 24").
fn looks_like_masthead(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    crate::word_count(line) <= 4
        && !line.contains([',', '!', '?', ':', ';', '"', '“'])
        && words.iter().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
}

/// Words of four letters or more that any English story uses: shared, they
/// say nothing of a teaser's subject ("made off with ... from a famed Paris
/// store" shared a fifth of its words with a story about an actress).
const COMMON_WORDS: &[&str] = &[
    "about", "after", "also", "been", "before", "being", "could", "from", "have", "into", "just",
    "last", "made", "more", "most", "only", "other", "over", "said", "says", "some", "than",
    "that", "their", "them", "then", "there", "these", "they", "this", "those", "told", "were",
    "what", "when", "where", "which", "while", "will", "with", "would", "year", "years",
];

/// Share of a line's content words (four letters or more) that the story
/// before it already used.
fn overlap_with(line: &str, story: &[String]) -> f32 {
    let content = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_lowercase)
            .filter(|w| !COMMON_WORDS.contains(&w.as_str()))
            .collect()
    };
    let seen: std::collections::HashSet<String> = story.iter().flat_map(|l| content(l)).collect();
    let words = content(line);
    if words.is_empty() {
        return 0.0;
    }
    words.iter().filter(|w| seen.contains(*w)).count() as f32 / words.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_japanese_paragraphs_are_counted_in_words_not_spaces() {
        // No spaces: each paragraph was one "word", so one that opens with a
        // date ("12日下午") read as a masthead ("NewsNow 24") and went.
        let text = "泸定5.9级地震：震区道路畅通 伤者已送医\n\
            12日下午，甘孜州泸定县发生5.9级地震。记者从四川省应急管理厅了解到，地震共造成2人轻伤，均已送医治疗。\n\
            震区国道318线通行正常。成都市民表示，高楼震感明显，持续了数秒。\n\
            8日午後4時43分ごろ、日向灘を震源とする地震があり、宮崎県日南市で震度6弱を観測した。";
        let article = clean(text);
        assert_eq!(
            article.title.as_deref(),
            Some("泸定5.9级地震：震区道路畅通 伤者已送医")
        );
        assert_eq!(article.lines.len(), 3, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("12日下午"));
        assert!(article.lines[2].starts_with("8日午後"));
    }

    #[test]
    fn syndication_chrome_goes_and_the_story_stays() {
        let page = "Tara Reid enters rehab\n\
            The Daily Ledger\n\
            Home | World | U.S. | Politics | Business | Tech\n\
            By Lena Fischer, Associated Press\n\
            Tara Reid has checked herself into Promises Treatment Center, her rep told People magazine on Tuesday.\n\
            Reid launched a new fashion line called Mantra in December.\n\
            Related stories:\n\
            The mother of a 10-year-old girl killed by a stray bullet on an Albany street last year said she heard a loud sound.\n\
            British climber dies in New Zealand fall\n\
            Share this article: Facebook Twitter Email WhatsApp\n";
        let a = clean(page);
        assert_eq!(a.title.as_deref(), Some("Tara Reid enters rehab"));
        assert_eq!(
            a.lines,
            [
                "Tara Reid has checked herself into Promises Treatment Center, her rep told People magazine on Tuesday.",
                "Reid launched a new fashion line called Mantra in December."
            ]
        );
    }

    #[test]
    fn a_teaser_on_the_story_subject_does_not_end_a_related_list() {
        let page = "Reid enters rehab\n\
            Tara Reid has checked herself into Promises Treatment Center, her rep told People magazine on Tuesday.\n\
            Related stories:\n\
            Tara Reid's rep told People magazine the actress entered Promises for treatment.\n\
            Four armed robbers made off with $137-million of diamonds and jewels from a famed Paris store.\n\
            Armed robbers stole diamonds valued at 85 million euros from the Paris branch of a jeweler.\n";
        let a = clean(page);
        assert!(
            a.lines.iter().all(|l| !l.contains("robbers")),
            "{:?}",
            a.lines
        );
    }

    #[test]
    fn words_any_story_uses_do_not_make_a_teaser_look_like_the_story() {
        let story = [
            "Reid said she made her decision with her family, and that she was told \
            to rest after years of work from which she never took a break."
                .to_string(),
        ];
        let teaser = "Robbers made off with diamonds from a famed Paris store.";
        assert_eq!(overlap_with(teaser, &story), 0.0);
        let going_on = "Her family said the decision to rest was hers.";
        assert!(overlap_with(going_on, &story) > 0.5);
    }

    #[test]
    fn a_site_name_above_the_menu_goes_under_a_sentence_long_headline() {
        let page = "Tara Reid has entered a rehab program, the American Pie star's rep confirmed on Friday.\n\
            Coastal Tribune\n\
            Home | World | U.S. | Politics | Business | Tech | Sports\n\
            The news comes as a shock for everyone who assumed the actress had been holed up there for a while.\n\
            Reid's rep said the actress and her family asked for privacy while she is treated at Promises.\n";
        let a = clean(page);
        assert!(
            !a.lines.iter().any(|l| l == "Coastal Tribune"),
            "{:?}",
            a.lines
        );
        assert_eq!(a.lines.len(), 3, "{:?}", a.lines);
    }

    #[test]
    fn the_story_resumes_after_a_related_list() {
        let page = "Reid enters rehab\n\
            Tara Reid has checked herself into Promises Treatment Center, her rep told People magazine on Tuesday.\n\
            Read also:\n\
            - Other actress leaves rehab\n\
            Reid's rep said the actress and her family asked for privacy while she is treated at Promises.\n";
        let a = clean(page);
        assert_eq!(a.lines.len(), 2, "{:?}", a.lines);
        assert!(a.lines[1].starts_with("Reid's rep said"));
    }
}
