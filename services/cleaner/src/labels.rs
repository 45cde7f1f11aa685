//! What a page says it is about, besides its text: its description, its
//! section and its keywords (meta tags, JSON-LD, the feed item's
//! categories). Media monitors route and filter on them; pages fill them
//! for search engines and social cards, with a CMS's own codes mixed in,
//! so each is read under limits and without the codes.

/// Longest description kept, in characters: a summary, not the story.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
/// Keywords kept per article, first found first.
pub const MAX_KEYWORDS: usize = 32;
/// Longest keyword or section kept, in characters; a longer one is a
/// sentence or a code.
const MAX_LABEL_CHARS: usize = 64;
/// Most words in a keyword or section.
const MAX_LABEL_WORDS: usize = 6;

/// Values a CMS writes when nothing was chosen.
const PLACEHOLDERS: &[&str] = &[
    "uncategorized",
    "uncategorised",
    "undefined",
    "null",
    "none",
    "nan",
    "n/a",
    "default",
    "untitled",
    "general",
    "misc",
    "other",
    "nil",
    "all",
    "not set",
];

/// Values that say what kind of page it is, not what it is about.
const PAGE_KINDS: &[&str] = &[
    "article",
    "articles",
    "post",
    "posts",
    "page",
    "story",
    "stories",
    "home",
    "homepage",
    "home page",
    "front page",
    "index",
];

/// Keywords a site gives every page ("news, latest news, breaking news"):
/// they tell one article from another no more than the site's name does.
const SITE_WIDE_KEYWORDS: &[&str] = &[
    "news",
    "latest news",
    "breaking news",
    "top news",
    "top stories",
    "headlines",
    "today",
    "featured",
    "popular",
    "trending",
];

/// A page's or feed's description as one line of at most
/// `MAX_DESCRIPTION_CHARS`, cut at a word; none when it holds no letter.
pub fn description(raw: &str) -> Option<String> {
    let text = crate::metadata::collapse(raw);
    if !text.chars().any(char::is_alphabetic) {
        return None;
    }
    if text.chars().count() <= MAX_DESCRIPTION_CHARS {
        return Some(text);
    }
    let cut = text
        .char_indices()
        .nth(MAX_DESCRIPTION_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    let head = head.rsplit_once(' ').map_or(head, |(words, _)| words);
    Some(head.trim_end_matches([',', ';', ':', ' ']).to_string())
}

/// A page's section ("Politics"): the first of a list ("Commercial Real
/// Estate,Home Page"), none for a placeholder or a page kind ("post").
pub fn section(raw: &str) -> Option<String> {
    split_list(raw)
        .next()
        .and_then(label)
        .filter(|s| !is_one_of(s, PLACEHOLDERS) && !is_one_of(s, PAGE_KINDS))
}

/// Keywords from several fields, each a list ("a, b; c") or one value, in
/// order: each once (case aside), without placeholders, page kinds, words
/// every page of a site carries, or a CMS's codes ("ctp_video",
/// "section:news"), at most `MAX_KEYWORDS`.
pub fn keywords<'a>(fields: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for value in fields.into_iter().flat_map(split_list) {
        if kept.len() == MAX_KEYWORDS {
            break;
        }
        let Some(word) = label(value) else { continue };
        if is_one_of(&word, PLACEHOLDERS)
            || is_one_of(&word, PAGE_KINDS)
            || is_one_of(&word, SITE_WIDE_KEYWORDS)
            || kept.iter().any(|k| same_label(k, &word))
        {
            continue;
        }
        kept.push(word);
    }
    kept
}

/// The items of a list as pages and feeds write them: commas (also the
/// Arabic and ideographic ones), semicolons or bars between them.
fn split_list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split([',', ';', '|', '،', '、', '，', '；'])
}

/// One keyword or section, trimmed of spaces, quotes and a hashtag's "#";
/// none when it is empty, too long, holds no letter, or is a code: a
/// handle ("@river"), a key and value ("section:news", "a=b"), a name with
/// underscores ("autoplay_video"), a percent-encoded path, a link or
/// markup.
fn label(raw: &str) -> Option<String> {
    let text = crate::metadata::collapse(raw);
    let text = text
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '#'))
        .to_string();
    let is_code = text.starts_with('@')
        || is_host_name(&text)
        || text.contains("://")
        || text.contains(['=', '_', '{', '}', '<', '>', '\\'])
        || is_key_and_value(&text)
        || is_percent_encoded(&text);
    let fits = text.chars().count() <= MAX_LABEL_CHARS
        && text.split_whitespace().count() <= MAX_LABEL_WORDS;
    (fits && !is_code && text.chars().any(char::is_alphabetic)).then_some(text)
}

/// Whether two labels are one, case aside and a hyphen taken for a space
/// ("weight-loss", "Weight Loss").
fn same_label(a: &str, b: &str) -> bool {
    let key = |s: &str| s.replace('-', " ").to_lowercase();
    key(a) == key(b)
}

/// Whether `word` is one of `list`, case aside, and a hyphen taken for a
/// space ("front-page").
/// A CMS's key and value: "section:news", or a one-word key in lower or
/// camel case ("locale: US", "displayType: standard article"). "Brexit:
/// the deal" is a subject.
fn is_key_and_value(text: &str) -> bool {
    let glued = text
        .match_indices(':')
        .any(|(i, _)| text[i + 1..].starts_with(|c: char| !c.is_whitespace()));
    let keyed = text.split_once(':').is_some_and(|(key, _)| {
        !key.contains(char::is_whitespace) && key.starts_with(|c: char| c.is_ascii_lowercase())
    });
    glued || keyed
}

/// "%2FSports%2FBasketball": a percent sign before two hex digits. "100%
/// renewable" is a subject.
fn is_percent_encoded(text: &str) -> bool {
    text.match_indices('%').any(|(i, _)| {
        text.as_bytes()
            .get(i + 1..i + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    })
}

/// A site's host name given as a label ("gizmodo.com"): a name, not a
/// subject.
fn is_host_name(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    !lower.contains(' ')
        && [".com", ".org", ".net", ".co.uk", ".info", ".io"]
            .iter()
            .any(|tld| lower.ends_with(tld) && lower.len() > tld.len())
}

fn is_one_of(word: &str, list: &[&str]) -> bool {
    let word = word.replace('-', " ");
    list.iter().any(|w| word.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_each_once_without_a_cms_codes_or_a_sites_every_page_words() {
        let found = keywords([
            "Jessie Buckley, Mary Steenburgen",
            "jessie buckley; Wild Rose | #Glasgow",
            "ctp_video,autoplay_video,section:news,@river,news, Breaking News,Uncategorized",
            "%2FSports%2FBasketball, https://example.org/tag/x, 2019, <b>",
            "a keyword of far too many words to be one",
            "Post, 商標登録、弁理士，Île-de-France, Not Set, wild-rose",
            "Brexit: the deal, 100% renewable, pageType:article, locale: US, contentId: 15cd",
        ]);
        assert_eq!(
            found,
            [
                "Jessie Buckley",
                "Mary Steenburgen",
                "Wild Rose",
                "Glasgow",
                "商標登録",
                "弁理士",
                "Île-de-France",
                "Brexit: the deal",
                "100% renewable"
            ]
        );
    }

    #[test]
    fn keywords_stop_at_their_cap() {
        let many: Vec<String> = (0..100).map(|i| format!("topic {i}")).collect();
        let found = keywords(many.iter().map(String::as_str));
        assert_eq!(found.len(), MAX_KEYWORDS);
        assert_eq!(found[0], "topic 0");
    }

    #[test]
    fn a_section_is_the_first_of_a_list_and_no_placeholder() {
        assert_eq!(
            section("Commercial Real Estate,Home Page,Popular").as_deref(),
            Some("Commercial Real Estate")
        );
        assert_eq!(section(" Politics ").as_deref(), Some("Politics"));
        for nothing in [
            "post",
            "Uncategorized",
            "",
            "  ",
            "2019",
            "tmgads_section",
            "front-page",
            "gizmodo.com",
        ] {
            assert_eq!(section(nothing), None, "{nothing:?}");
        }
    }

    #[test]
    fn a_description_is_one_line_cut_at_a_word() {
        assert_eq!(
            description("  The row involves\n the singer. ").as_deref(),
            Some("The row involves the singer.")
        );
        assert_eq!(description(" -- 2019 "), None);
        let long = "word ".repeat(400);
        let cut = description(&long).unwrap();
        assert!(cut.len() <= MAX_DESCRIPTION_CHARS, "{}", cut.len());
        assert!(
            cut.ends_with("word"),
            "cut at a word: {:?}",
            &cut[cut.len() - 8..]
        );
        let cyrillic = "слово ".repeat(400);
        assert!(description(&cyrillic).unwrap().chars().count() <= MAX_DESCRIPTION_CHARS);
    }
}
