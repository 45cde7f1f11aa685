//! The class and id rules: what an element's names say about it, matched
//! as one regex set once per distinct class and id pair of a page.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::RegexSet;

/// Names that mark the story container; they protect a subtree from the
/// negative names below ("article-body share-enabled").
const POSITIVE_NAME: &str = r"(?i)(article-?body|articlebody|article-?content|article-?text|story-?body|story-?content|entry-?content|post-?content|post-?body|main-?content|body-?text|content-?body|rich-?text|article__body|body__content)";

/// Names that never hold an article, whatever the subtree's size.
const ALWAYS_NEGATIVE: &str = r"(?i)(^|[-_\s])(comment|comments|comment-?list|replies|disqus|cookie|cookies|consent|gdpr|outbrain|taboola)([-_\s]|$)";

/// Names that may be the content wrapper; they cancel the negative names
/// below ("box article modal-enabled", "page-content and-w-sidebar").
/// A social post embedded in a story is quoted in it ("social-media-embed"
/// holding a "twitter-tweet"), unlike a bar of social links.
const MAYBE_CONTENT: &str = r"(?i)(^|[-_\s])(and|article|body|column|content|main|story|post|entry|text|twitter-tweet|instagram-media|tiktok-embed|social-(media-)?embed|embedded-tweet|bluesky-embed)([-_\s]|$)";

/// Names that mean chrome unless the subtree holds most of the page.
const HARD_NEGATIVE: &str = r"(?i)(^|[-_\s])(share|sharing|share-?bar|sharedaddy|social|social-?links|newsletter|subscribe|subscription|signup|cookie|cookies|consent|gdpr|comment|comments|disqus|donate|donation|support-?us|membership|outbrain|taboola|advert|advertisement|ads?|ad-?slot|ad-?container|sponsor(ed)?|promo|promos|author-?bio|bio|byline|dateline|timestamp|caption|credits?|print-?only|visually-?hidden|sr-?only|skip-?link|read-?also|see-?also|further-?reading|inline-?related|related|recommend(ed|ations)?|recirc|more-?stories|most-?read|trending|tags|tag-?list|keywords|breadcrumbs?|pagination|pager|modal|popup|overlay|cta)([-_\s]|$)";

/// Layout names that mean chrome only when the subtree is a small part of
/// the page: a "sidebar" wrapper can hold the whole article on some themes.
/// Classes that hide an element count too (`hidden_on_desktop`).
const SOFT_NEGATIVE: &str = r"(?i)(^|[-_\s])(nav|navbar|navigation|menu|menus|footer|site-?header|masthead|sidebar|side-?bar|popular|toolbar|settings|banner|gallery|meta-?data|post-?meta|article-?meta)([-_\s]|$)";

/// Names of a paywall. Some sites print the gated rest of the article
/// inside it (`<div class="paywall">` holding every paragraph after the
/// lead), others only the notice, so its size decides.
const PAYWALL: &str = r"(?i)(^|[-_\s])(paywall|paywalled|pay-?wall)([-_\s]|$)";

/// A chrome component's inner part, in one name: "modal-content",
/// "sidebar-content", "comment-body". The content word names the part of
/// the component, so it does not make the element a content wrapper.
const PART_OF_CHROME: &str = r"(?i)(^|\s)[a-z0-9_-]*(modal|popup|overlay|sidebar|newsletter|comments?|share|related|promo|footer|nav|menu|cookie|subscribe|signup)[-_]+(content|body|text|main|post|entry|article|story)([-_\s]|$)";

/// The rules above as one set, in that order.
static NAME_RULES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        POSITIVE_NAME,
        ALWAYS_NEGATIVE,
        MAYBE_CONTENT,
        HARD_NEGATIVE,
        SOFT_NEGATIVE,
        PAYWALL,
        PART_OF_CHROME,
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
        self.0 & 1 << 2 != 0 && self.0 & 1 << 6 == 0
    }

    pub(crate) fn hard_negative(&self) -> bool {
        self.0 & 1 << 3 != 0
    }

    pub(crate) fn soft_negative(&self) -> bool {
        self.0 & SOFT_BIT != 0
    }

    pub(crate) fn paywall(&self) -> bool {
        self.0 & 1 << 5 != 0
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

/// An id made from a heading's text ("sharing-with-a-single-developer", a
/// documentation section's anchor) is a phrase, not the name of a part of
/// the page, so no rule reads it. Phrases have function words; names of
/// parts ("cookie-law-info-bar") do not.
fn is_slug(id: &str) -> bool {
    let words = || id.split(['-', '_']).filter(|w| !w.is_empty());
    words().nth(2).is_some()
        && words().any(|w| {
            matches!(
                w.to_ascii_lowercase().as_str(),
                "a" | "an"
                    | "the"
                    | "with"
                    | "of"
                    | "to"
                    | "and"
                    | "in"
                    | "for"
                    | "on"
                    | "how"
                    | "what"
                    | "why"
                    | "is"
                    | "are"
                    | "your"
                    | "you"
                    | "from"
                    | "by"
                    | "at"
            )
        })
}

fn match_names(class: &str, id: &str) -> NameHits {
    let id = if is_slug(id) { "" } else { id };
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
    let hidden = hidden_on_desktop(class);
    if !NAME_RULES.is_match(names) {
        return NameHits(if hidden { SOFT_BIT } else { 0 });
    }
    let matches = NAME_RULES.matches(names);
    let bits = matches.iter().fold(0, |bits, rule| bits | 1 << rule);
    NameHits(if hidden { bits | SOFT_BIT } else { bits })
}

/// The soft-negative rule's bit in `NameHits`.
const SOFT_BIT: u8 = 1 << 4;

/// Whether a class list hides its element on a desktop screen, the view the
/// article is read in. Most classes that say "hidden" do not: a field whose
/// label is hidden (`field--label-hidden`), clipped overflow
/// (`overflow-hidden`), hiding until a lazy load (`bricks-lazy-hidden`), or
/// hiding on small screens only (`hidden-xs`, `elementor-hidden-mobile`,
/// Tailwind's `hidden md:block`). Cutting those cost whole articles (a
/// Drupal page's only text is in a label-hidden field).
fn hidden_on_desktop(class: &str) -> bool {
    if !class.contains("hidden") {
        return false;
    }
    let shown_on_wider_screens = || {
        class.split_ascii_whitespace().any(|t| {
            t.split_once(':').is_some_and(|(screen, display)| {
                matches!(screen, "md" | "lg" | "xl" | "2xl")
                    && matches!(
                        display,
                        "block"
                            | "flex"
                            | "grid"
                            | "inline"
                            | "inline-block"
                            | "inline-flex"
                            | "table"
                    )
            })
        })
    };
    class.split_ascii_whitespace().any(|token| {
        let t = token.to_ascii_lowercase();
        if t.contains("label") || t.contains("overflow") || t.contains("lazy") || t.contains(':') {
            return false;
        }
        if t == "hidden" {
            return !shown_on_wider_screens();
        }
        let Some(at) = t.find("hidden") else {
            return false;
        };
        let before = t[..at].chars().last();
        let after = &t[at + "hidden".len()..];
        if before.is_some_and(char::is_alphanumeric) {
            return false;
        }
        // What follows says where it hides: `hidden-xs`, `-hidden-mobile`.
        let screen = after.trim_start_matches(['-', '_']);
        let screen = screen.split(['-', '_']).next().unwrap_or("");
        !matches!(
            screen,
            "xs" | "sm" | "mobile" | "phone" | "tablet" | "print" | "small"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::{hidden_on_desktop, is_slug, match_names};

    #[test]
    fn a_section_anchor_made_from_its_heading_is_not_a_name() {
        for slug in [
            "sharing-with-a-single-developer",
            "related-work-in-the-field",
            "Tags_and_Labels",
        ] {
            assert!(is_slug(slug), "{slug}");
            assert_eq!(match_names("section", slug).0, 0, "{slug}");
        }
        for name in ["share-bar", "cookie-law-info-bar", "most-read", "related"] {
            assert!(!is_slug(name), "{name}");
            assert!(match_names("", name).hard_negative(), "{name}");
        }
    }

    #[test]
    fn an_embedded_post_is_quoted_and_a_bar_of_social_links_is_chrome() {
        for quoted in ["social-media-embed", "twitter-tweet", "instagram-media"] {
            let hits = match_names(quoted, "");
            assert!(hits.maybe_content(), "{quoted}");
        }
        assert!(!match_names("social-links", "").maybe_content());
        assert!(match_names("social-links", "").hard_negative());
    }

    #[test]
    fn the_content_part_of_a_chrome_component_is_chrome() {
        for part in [
            "modal-content",
            "c-sidebar__content",
            "comment-body",
            "share_text",
        ] {
            let hits = match_names(part, "");
            assert!(!hits.maybe_content(), "{part}");
        }
        for wrapper in [
            "content",
            "main-content",
            "box article modal-enabled",
            "post-body",
        ] {
            assert!(
                match_names(wrapper, "").maybe_content() || match_names(wrapper, "").positive(),
                "{wrapper}"
            );
        }
    }

    #[test]
    fn a_thread_of_replies_never_holds_the_article() {
        for thread in ["js_replies ", "replies-wrapper fade", "comment-list"] {
            assert!(match_names(thread, "").never_content(), "{thread}");
        }
        // One reply, or a reply button, is not a thread.
        for name in ["reply", "reply-button"] {
            assert!(!match_names(name, "").never_content(), "{name}");
        }
    }

    #[test]
    fn a_settings_menu_a_site_banner_or_a_gallery_is_chrome_when_small() {
        assert!(match_names("yvp-settings-container", "").soft_negative());
        assert!(match_names("usa-banner", "").soft_negative());
        assert!(match_names("container grid-mod-gallery", "").soft_negative());
        assert!(!match_names("settingsbox", "").soft_negative());
    }

    #[test]
    fn classes_that_hide_on_a_desktop_screen() {
        for hides in [
            "hidden",
            "box is-hidden",
            "gform-icon--hidden",
            "MuiCollapse-hidden",
            "hidden-lg",
            "elementor-hidden-desktop x",
            "gfield_visibility_hidden",
            "hidden-menu__item",
            "hidden group-open:inline",
            "hidden sm:block",
        ] {
            assert!(hidden_on_desktop(hides), "{hides}");
        }
        for shows in [
            "field field--label-hidden field__item",
            "hidden_label",
            "flex-grow overflow-hidden",
            "overflow-x-hidden",
            "hidden-xs",
            "hidden-sm",
            "elementor-hidden-mobile elementor-hidden-tablet",
            "hidden-print",
            "hidden w-auto md:flex",
            "text xl:hidden",
            "bricks-lazy-hidden",
            "unhidden",
            "forbidden-zone",
        ] {
            assert!(!hidden_on_desktop(shows), "{shows}");
        }
    }
}
