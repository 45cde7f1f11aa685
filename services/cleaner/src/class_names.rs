//! The class and id rules: what an element's names say about it, matched
//! as one regex set once per distinct class and id pair of a page.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::RegexSet;

/// Names that mark the story container; they protect a subtree from the
/// negative names below ("article-body share-enabled").
const POSITIVE_NAME: &str = r"(?i)(article-?body|articlebody|article-?content|article-?text|story-?body|story-?content|entry-?content|post-?content|post-?body|main-?content|body-?text|content-?body|rich-?text|article__body|body__content)";

/// Names that never hold an article, whatever the subtree's size.
const ALWAYS_NEGATIVE: &str = r"(?i)(^|[-_\s])(comment|comments|comment-?list|disqus|cookie|cookies|consent|gdpr|outbrain|taboola)([-_\s]|$)";

/// Names that may be the content wrapper; they cancel the negative names
/// below ("box article modal-enabled", "page-content and-w-sidebar").
const MAYBE_CONTENT: &str =
    r"(?i)(^|[-_\s])(and|article|body|column|content|main|story|post|entry|text)([-_\s]|$)";

/// Names that mean chrome unless the subtree holds most of the page.
const HARD_NEGATIVE: &str = r"(?i)(^|[-_\s])(share|sharing|share-?bar|sharedaddy|social|social-?links|newsletter|subscribe|subscription|signup|cookie|cookies|consent|gdpr|comment|comments|disqus|paywall|donate|donation|support-?us|membership|outbrain|taboola|advert|advertisement|ads?|ad-?slot|ad-?container|sponsor(ed)?|promo|promos|author-?bio|bio|byline|dateline|timestamp|caption|credits?|print-?only|visually-?hidden|sr-?only|skip-?link|read-?also|see-?also|further-?reading|inline-?related|related|recommend(ed|ations)?|recirc|more-?stories|most-?read|trending|tags|tag-?list|keywords|breadcrumbs?|pagination|pager|modal|popup|overlay|cta)([-_\s]|$)";

/// Layout names that mean chrome only when the subtree is a small part of
/// the page: a "sidebar" wrapper can hold the whole article on some themes.
const SOFT_NEGATIVE: &str = r"(?i)(^|[-_\s])(nav|navbar|navigation|menu|menus|footer|site-?header|masthead|sidebar|side-?bar|popular|toolbar|hidden|meta-?data|post-?meta|article-?meta)([-_\s]|$)";

/// The rules above as one set, in that order.
static NAME_RULES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        POSITIVE_NAME,
        ALWAYS_NEGATIVE,
        MAYBE_CONTENT,
        HARD_NEGATIVE,
        SOFT_NEGATIVE,
    ])
    .expect("valid regexes")
});

/// Which of the rules an element's names match, one bit per rule.
#[derive(Clone, Copy)]
pub(crate) struct NameHits(u8);

impl NameHits {
    pub(crate) fn positive(&self) -> bool {
        self.0 & 1 != 0
    }

    pub(crate) fn never_content(&self) -> bool {
        self.0 & 1 << 1 != 0
    }

    pub(crate) fn maybe_content(&self) -> bool {
        self.0 & 1 << 2 != 0
    }

    pub(crate) fn hard_negative(&self) -> bool {
        self.0 & 1 << 3 != 0
    }

    pub(crate) fn soft_negative(&self) -> bool {
        self.0 & 1 << 4 != 0
    }
}

/// The rules' verdicts on the class and id pairs of one page. A page
/// repeats its names (every teaser, every list item), and a lookup costs a
/// fraction of a run of the set.
#[derive(Default)]
pub(crate) struct NameRules<'a> {
    seen: HashMap<(&'a str, &'a str), NameHits>,
}

impl<'a> NameRules<'a> {
    /// Which rules an element's names match, found once per element: the
    /// skip decision and the container bonus both read them.
    pub(crate) fn hits(&mut self, el: &'a scraper::node::Element) -> Option<NameHits> {
        let class = el.attr("class").unwrap_or("");
        let id = el.attr("id").unwrap_or("");
        if class.is_empty() && id.is_empty() {
            return None;
        }
        Some(
            *self
                .seen
                .entry((class, id))
                .or_insert_with(|| match_names(class, id)),
        )
    }
}

fn match_names(class: &str, id: &str) -> NameHits {
    // No rule matches across the space, so this is each name on its own.
    let joined;
    let names = match (class.is_empty(), id.is_empty()) {
        (false, true) => class,
        (true, false) => id,
        _ => {
            joined = format!("{class} {id}");
            &joined
        }
    };
    // Most names match no rule, and a yes-or-no search stops sooner than
    // the search for every rule that matches.
    if !NAME_RULES.is_match(names) {
        return NameHits(0);
    }
    let matches = NAME_RULES.matches(names);
    NameHits(matches.iter().fold(0, |bits, rule| bits | 1 << rule))
}
