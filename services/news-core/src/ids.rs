//! Stable identities: canonical URLs and the ids derived from them.
//!
//! An article id is the hex SHA-256 of its canonical URL, so the same page
//! fetched through different feeds, with tracking parameters, or over http
//! and https always gets one id.

use sha2::{Digest, Sha256};
use url::Url;

/// Query parameters that only track the reader and never select content.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "ref_src",
    "_ga",
    "_gl",
    "cmpid",
    "ncid",
    "ocid",
    "sr_share",
    "smid",
    "at_medium",
    "at_campaign",
    "ito",
    "mkt_tok",
    "spm",
];

fn is_tracking_param(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_")
        || TRACKING_PARAMS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(&lower))
}

/// Normalise a URL for identity: lowercase scheme and host (the url crate
/// does both), drop default ports, fragments, tracking parameters and a
/// leading `www.`, sort the remaining query parameters, and treat http and
/// https as the same resource.
pub fn canonical_url(url: &Url) -> Url {
    // A secret parameter stays: ids made before it was masked hold it.
    let mut url = without_user_and_password(url);
    url.set_fragment(None);
    if url.scheme() == "http" {
        // Identity only: https and http copies of a page are one article.
        let _ = url.set_scheme("https");
    }
    if url.port() == Some(80) || url.port() == Some(443) {
        let _ = url.set_port(None);
    }
    if let Some(host) = url.host_str().map(str::to_owned)
        && let Some(stripped) = host.strip_prefix("www.")
        && stripped.contains('.')
    {
        let _ = url.set_host(Some(stripped));
    }
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.sort();
    if params.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(params);
    }
    if url.path().len() > 1 && url.path().ends_with('/') {
        let trimmed = url.path().trim_end_matches('/').to_owned();
        url.set_path(&trimmed);
    }
    url
}

/// `url` without a user and password, and with the values of its secret
/// query parameters masked (`is_secret_param`): none of them selects
/// content, and a private feed's credentials must not reach a topic
/// through its links.
pub fn without_credentials(url: &Url) -> Url {
    let mut url = without_user_and_password(url);
    mask_secret_params(&mut url);
    url
}

fn without_user_and_password(url: &Url) -> Url {
    let mut url = url.clone();
    let _ = url.set_password(None);
    let _ = url.set_username("");
    url
}

/// How a secret is shown.
pub const MASKED: &str = "********";

/// Whether a query parameter's name says that its value is a secret: an
/// API key, an access token, a signature, a password (`api_key`,
/// `access_token`, `X-Amz-Signature`, Azure's `sig`). A bare `key` is not
/// one: sites select articles with it too.
pub fn is_secret_param(name: &str) -> bool {
    const ENDINGS: [&str; 8] = [
        "token",
        "secret",
        "password",
        "passwd",
        "signature",
        "apikey",
        "credential",
        "credentials",
    ];
    const NAMES: [&str; 15] = [
        "sig",
        "auth",
        "authorization",
        "pass",
        "pwd",
        "jwt",
        "accesskey",
        "appkey",
        "secretkey",
        "privatekey",
        "authkey",
        "licensekey",
        "sessionkey",
        "subscriptionkey",
        "sessionid",
    ];
    let name: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    ENDINGS.iter().any(|e| name.ends_with(e)) || NAMES.contains(&name.as_str())
}

/// A query's `name=value` piece, as its raw name and value, when the name
/// says the value is a secret and the value is neither empty nor masked.
fn secret_pair(pair: &str) -> Option<(&str, &str)> {
    let (name, value) = pair.split_once('=')?;
    let decoded = url::form_urlencoded::parse(name.as_bytes()).next()?.0;
    (!value.is_empty() && value != MASKED && is_secret_param(&decoded)).then_some((name, value))
}

fn secret_params(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query.split('&').filter_map(secret_pair)
}

/// Mask the values of `url`'s secret query parameters; the rest of the
/// query stays byte for byte as it was.
pub fn mask_secret_params(url: &mut Url) {
    let Some(query) = url.query() else {
        return;
    };
    let mut masked_any = false;
    let pieces: Vec<std::borrow::Cow<str>> = query
        .split('&')
        .map(|pair| match secret_pair(pair) {
            Some((name, _)) => {
                masked_any = true;
                format!("{name}={MASKED}").into()
            }
            None => pair.into(),
        })
        .collect();
    if masked_any {
        let masked = pieces.join("&");
        url.set_query(Some(&masked));
    }
}

/// Whether `url` holds credentials masked as `mask_secret_params` and
/// `shown_url` mask them: a URL copied from a log or an export, which
/// would be fetched with `********` for a password or a key.
pub fn has_masked_credentials(url: &Url) -> bool {
    url.username() == MASKED
        || url.password() == Some(MASKED)
        || url
            .query_pairs()
            .any(|(k, v)| v == MASKED && is_secret_param(&k))
}

/// `url`, parsed, when it is a URL with a user or a password in it, or a
/// secret query parameter (`is_secret_param`).
pub fn with_credentials(url: &str) -> Option<Url> {
    if !url.contains('@') && !url.contains('?') {
        return None;
    }
    Url::parse(url).ok().filter(|u| {
        !u.username().is_empty()
            || u.password().is_some()
            || u.query().is_some_and(|q| secret_params(q).next().is_some())
    })
}

/// `text` (an error's message, say) with the user and password of `url`,
/// and the values of its secret query parameters, masked wherever it
/// quotes them: an HTTP library's message may quote the
/// URL it was given.
pub fn text_with_credentials_masked(text: &str, url: &Url) -> String {
    let mut shown = text.to_string();
    let user = url.username();
    if let Some(password) = url.password() {
        shown = shown.replace(&format!("{user}:{password}@"), "********:********@");
        // Anywhere else too, unless so short that masking it would garble
        // the message.
        if password.len() >= 6 {
            shown = shown.replace(password, "********");
        }
    }
    if !user.is_empty() {
        shown = shown.replace(&format!("{user}@"), "********@");
    }
    for (name, value) in url.query().map(secret_params).into_iter().flatten() {
        shown = shown.replace(&format!("{name}={value}"), &format!("{name}={MASKED}"));
        if value.len() >= 6 {
            shown = shown.replace(value, MASKED);
        }
    }
    shown
}

/// `without_credentials` for a URL given as text; text that is not a URL,
/// or holds none, comes back as it is.
pub fn text_without_credentials(url: &str) -> String {
    with_credentials(url).map_or_else(|| url.to_string(), |u| without_credentials(&u).to_string())
}

/// Hex SHA-256 of a string.
pub fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(data.as_ref()))
}

/// The article id for a URL string: hex SHA-256 of its canonical form.
/// Strings that are not absolute URLs are hashed as given (trimmed), so
/// a batch input with opaque ids still gets a stable id.
pub fn article_id(url: &str) -> String {
    match Url::parse(url.trim()) {
        Ok(parsed) => sha256_hex(canonical_url(&parsed).as_str()),
        Err(_) => sha256_hex(url.trim()),
    }
}

/// The registrable domain of a URL's host; empty when it has none.
pub fn url_domain(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(registrable_domain))
        .unwrap_or_default()
}

/// The registrable domain of a host (eTLD+1, from the Public Suffix List
/// compiled into the `psl` crate): `news.bbc.co.uk` -> `bbc.co.uk`. IP
/// addresses, and hosts that are themselves a public suffix, stand alone.
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return host;
    }
    match psl::domain_str(&host) {
        Some(domain) => domain.to_string(),
        None => host,
    }
}

/// Whether `name` reads as a lowercase host name (`example.com`,
/// `news.example.co.uk`), as the config names a site.
pub fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-".contains(c))
}

/// Whether `host` is the site `site` or under it: `example.com` covers
/// `www.example.com`, not `badexample.com`. Case and a final dot aside.
pub fn host_is_within(host: &str, site: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == site
        || host
            .strip_suffix(site)
            .is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonical_url(&Url::parse(s).unwrap()).to_string()
    }

    #[test]
    fn a_feeds_user_and_password_are_masked_in_its_errors() {
        let masked =
            |text: &str, url: &str| text_with_credentials_masked(text, &Url::parse(url).unwrap());
        let feed = "https://reader:s3cretpass@feeds.example.org/private.xml";
        let error = "error sending request for url (https://reader:s3cretpass@feeds.example.org/private.xml): s3cretpass rejected";
        assert_eq!(
            masked(error, feed),
            "error sending request for url (https://********:********@feeds.example.org/private.xml): ******** rejected"
        );
        // A short password is masked only where the URL holds it.
        let short = "https://me:ab@x.example/f";
        assert_eq!(
            masked("https://me:ab@x.example/f: about", short),
            "https://********:********@x.example/f: about"
        );
        let open = "https://x.example/f";
        assert_eq!(masked("http 404 me:ab@", open), "http 404 me:ab@");
    }

    #[test]
    fn secret_query_parameters_are_masked_and_the_rest_kept_byte_for_byte() {
        for secret in [
            "api_key",
            "apiKey",
            "X-API-Key",
            "access_token",
            "token",
            "X-Amz-Signature",
            "X-Amz-Credential",
            "X-Amz-Security-Token",
            "sig",
            "client_secret",
            "password",
            "auth",
            "appKey",
            "Authorization",
        ] {
            assert!(is_secret_param(secret), "{secret}");
        }
        for open in [
            "key", "id", "page", "q", "lang", "keywords", "signup", "author",
        ] {
            assert!(!is_secret_param(open), "{open}");
        }
        let url = "https://api.example.com/feed?q=a%20b+c&api%5Fkey=k3y&page=2&token=";
        let parsed = Url::parse(url).unwrap();
        assert_eq!(
            without_credentials(&parsed).as_str(),
            "https://api.example.com/feed?q=a%20b+c&api%5Fkey=********&page=2&token=",
            "an empty token has nothing to hide"
        );
        assert_eq!(
            text_without_credentials(url),
            without_credentials(&parsed).as_str()
        );
        assert_eq!(
            crate::config::shown_url(url),
            "https://api.example.com/feed?q=a%20b+c&api%5Fkey=********&page=2&token="
        );
        assert!(!has_masked_credentials(&parsed));
        assert!(has_masked_credentials(&without_credentials(&parsed)));
        // The identity keeps it: ids made before it was masked hold it.
        assert!(canonical_url(&parsed).as_str().contains("k3y"));
        let error =
            "error sending request for url (https://api.example.com/feed?api%5Fkey=k3y): k3y";
        assert_eq!(
            text_with_credentials_masked(error, &parsed),
            "error sending request for url (https://api.example.com/feed?api%5Fkey=********): k3y",
            "a value under 6 characters is masked only where the URL holds it"
        );
        let long = Url::parse("https://x.example/f?access_token=t0ken-value").unwrap();
        assert_eq!(
            text_with_credentials_masked("refused t0ken-value", &long),
            "refused ********"
        );
        let open = "https://x.example/f?id=7&key=12";
        assert!(with_credentials(open).is_none());
        assert_eq!(crate::config::shown_url(open), open);
    }

    #[test]
    fn tracking_and_fragments_are_dropped() {
        assert_eq!(
            canon("HTTP://WWW.Example.COM:80/a/b/?utm_source=x&b=2&a=1&fbclid=z#top"),
            "https://example.com/a/b?a=1&b=2"
        );
    }

    #[test]
    fn a_user_and_password_are_no_part_of_the_identity() {
        assert_eq!(
            canon("https://reader:hunter2@example.com/a/1"),
            "https://example.com/a/1"
        );
        assert_eq!(
            article_id("https://reader@example.com/a/1"),
            article_id("https://example.com/a/1")
        );
    }

    #[test]
    fn churned_guids_share_one_id() {
        let a = article_id("http://example.com/story?id=7&utm_medium=rss");
        let b = article_id("https://www.example.com/story?id=7");
        assert_eq!(a, b);
        assert_ne!(a, article_id("https://example.com/story?id=8"));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn content_selecting_query_survives() {
        assert_eq!(canon("https://e.com/?p=12"), "https://e.com/?p=12");
    }

    #[test]
    fn subdomains_share_a_domain() {
        assert_eq!(registrable_domain("a.b.example.com"), "example.com");
        assert_eq!(registrable_domain("news.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(registrable_domain("127.0.0.1"), "127.0.0.1");
        assert_eq!(registrable_domain("Www.Example.COM."), "example.com");
        // Private-section suffixes: two users of one host platform are two domains.
        assert_ne!(
            registrable_domain("alice.github.io"),
            registrable_domain("bob.github.io")
        );
        assert_eq!(
            registrable_domain("a.b.city.kawasaki.jp"),
            "city.kawasaki.jp"
        );
    }

    #[test]
    fn a_site_covers_its_subdomains_and_no_other_host() {
        assert!(host_is_within("example.com", "example.com"));
        assert!(host_is_within("WWW.Example.com.", "example.com"));
        assert!(host_is_within("a.b.example.com", "example.com"));
        assert!(!host_is_within("badexample.com", "example.com"));
        assert!(!host_is_within("example.com.evil.net", "example.com"));
        assert!(is_host_name("news.example.co.uk") && is_host_name("127.0.0.1"));
        assert!(!is_host_name("") && !is_host_name("Example.com") && !is_host_name("a/b"));
    }
}
