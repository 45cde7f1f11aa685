//! Pages served in place of the article: a feed's link that redirects to a
//! consent wall, a sign-in or subscription page, or the site's front page
//! holds no article. Its text is the same for every link that lands there,
//! so taken for an article it would make one story of them all.
//!
//! Told by where the redirect went, not by the words on the page: a report
//! about cookie fines reads much like a cookie notice, but its address is
//! the article's own.

use url::Url;

/// Words in the address of a page that asks for consent before the site.
const CONSENT_MARKERS: [&str; 4] = ["consent", "cookie", "gdpr", "privacy"];
/// Letters a consent page's name adds to its marker word.
const MAX_MARKER_AFFIX: usize = 7;
/// Words in the address of a page that asks the reader to sign in or pay,
/// matched whole ("theregister" is a site, not a form).
const SIGN_IN_MARKERS: [&str; 8] = [
    "login",
    "signin",
    "sign-in",
    "subscribe",
    "subscription",
    "subscriptions",
    "paywall",
    "register",
];

/// A page served in place of the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wall {
    Consent,
    SignIn,
    FrontPage,
}

impl Wall {
    /// The article's `empty_reason`.
    pub fn reason(self) -> &'static str {
        match self {
            Wall::Consent => "the link was redirected to a consent page, not the article",
            Wall::SignIn => {
                "the link was redirected to a sign-in or subscription page, not the article"
            }
            Wall::FrontPage => {
                "the link was redirected to the site's front page: the article is gone or moved"
            }
        }
    }

    /// The metric's label.
    pub fn label(self) -> &'static str {
        match self {
            Wall::Consent => "consent_wall",
            Wall::SignIn => "sign_in_wall",
            Wall::FrontPage => "front_page",
        }
    }
}

/// What the page read at `fetched` is instead of the article `link`
/// names, when a redirect took the fetch somewhere else: a consent wall, a
/// sign-in or subscription page, or a front page.
pub fn served_instead(link: &str, fetched: &str) -> Option<Wall> {
    let (Ok(link), Ok(fetched)) = (Url::parse(link), Url::parse(fetched)) else {
        return None;
    };
    if !matches!(fetched.scheme(), "http" | "https") {
        return None;
    }
    if same_place(&link, &fetched) {
        return None;
    }
    let (asked, got) = (place_words(&link), place_words(&fetched));
    // Consent pages' names run their word into a short other one
    // ("collectConsent", "myprivacy", "cookiewall"), a site's name into a
    // longer one ("privacyinternational": a site about privacy); sign-in
    // words are looked for whole.
    let newly_named = |is_marker: &dyn Fn(&str) -> bool| {
        let names = |words: &[String]| words.iter().any(|w| is_marker(w));
        names(&got) && !names(&asked)
    };
    let consent = |w: &str| {
        CONSENT_MARKERS
            .iter()
            .any(|m| (w.starts_with(m) || w.ends_with(m)) && w.len() <= m.len() + MAX_MARKER_AFFIX)
    };
    let sign_in = |w: &str| SIGN_IN_MARKERS.contains(&w);
    if newly_named(&consent) {
        Some(Wall::Consent)
    } else if newly_named(&sign_in) {
        Some(Wall::SignIn)
    } else if fetched.path() == "/" && link.path() != "/" && fetched.query().is_none() {
        Some(Wall::FrontPage)
    } else {
        None
    }
}

/// The names an address gives its place: its host's labels, and the path
/// segments of one or two words ("login", "privacy-gate",
/// "collectConsent"), lowercased. A longer segment is a headline's slug,
/// whose words say what the story is about, not where the reader is.
fn place_words(u: &Url) -> Vec<String> {
    let host = u.host_str().unwrap_or("").split('.');
    let short_segments = u
        .path_segments()
        .into_iter()
        .flatten()
        .filter(|s| s.split(['-', '_']).count() <= 2);
    host.chain(short_segments)
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// One page, moved at most to `www.` or off it, or given a query.
fn same_place(a: &Url, b: &Url) -> bool {
    let host = |u: &Url| {
        u.host_str()
            .unwrap_or("")
            .trim_start_matches("www.")
            .to_lowercase()
    };
    host(a) == host(b) && a.path() == b.path()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://news.example.co.uk/world/2024/06/harbour-vote";

    #[test]
    fn a_redirect_to_a_wall_or_the_front_page_is_no_article() {
        for (fetched, why) in [
            (
                "https://consent.example.co.uk/v2/collectConsent?sessionId=3",
                "consent",
            ),
            ("https://www.example.co.uk/gdpr/notice?return=x", "consent"),
            ("https://example.co.uk/privacy-gate", "consent"),
            ("https://myprivacy.example-media.nl/consent?r=1", "consent"),
            (
                "https://cdn.consentmanager.example/delivery/wall",
                "consent",
            ),
            (
                "https://accounts.example.co.uk/login?next=/world/2024/06/harbour-vote",
                "sign-in",
            ),
            ("https://news.example.co.uk/subscribe/offer", "sign-in"),
            ("https://news.example.co.uk/", "front page"),
        ] {
            let reason = served_instead(LINK, fetched).map(Wall::reason);
            assert!(
                reason.is_some_and(|r| r.contains(why)),
                "{fetched}: {reason:?}"
            );
        }
    }

    #[test]
    fn the_article_itself_is_an_article_wherever_it_lives() {
        for (link, fetched) in [
            // No redirect, or one that only moved it.
            (LINK, LINK),
            (
                LINK,
                "https://www.news.example.co.uk/world/2024/06/harbour-vote",
            ),
            (
                LINK,
                "https://news.example.co.uk/world/2024/06/harbour-vote?amp=1",
            ),
            (LINK, "https://news.example.co.uk/articles/123456"),
            // A story about cookies, or about logins, on its own address.
            (
                "https://news.example.co.uk/tech/cookie-consent-fines",
                "https://news.example.co.uk/technology/cookie-consent-fines-2024",
            ),
            (
                "https://t.example/r/abc",
                "https://news.example.co.uk/tech/the-password-login-is-dying",
            ),
            // Sites whose names hold a wall's word.
            (
                "https://t.example/r/abc",
                "https://www.privacyinternational.org/news/5203/harbour-data-ruling",
            ),
            (
                "https://t.example/r/abc",
                "https://www.theregister.com/2024/06/20/harbour_vote/",
            ),
            // A tracker's link to the front page itself.
            ("https://news.example.co.uk/", "https://news.example.co.uk/"),
            // The sample site's files.
            ("file:///srv/site/a.html", "file:///srv/site/a.html"),
        ] {
            assert_eq!(served_instead(link, fetched), None, "{link} -> {fetched}");
        }
    }
}
