//! The configuration's checks at start: every value that cannot work stops
//! the start with an error that names its key.

use super::*;

impl Config {
    /// Ok when every value can work; else the first that cannot, named by
    /// its key and with the reason.
    pub fn validate(&self) -> Result<(), ConfigError> {
        // librdkafka takes message.max.bytes up to 1,000,000,000, and the
        // client asks for this limit plus 64 KiB; the embedded log's record
        // length is 32 bits.
        const MAX_MESSAGE_BYTES_LIMIT: usize = 1_000_000_000 - 64 * 1024;
        let fail = |key: &str, why: &str| Err(ConfigError(format!("{key}: {why}")));
        if self.runner.max_in_flight == 0 {
            return fail("runner.max_in_flight", "must be at least 1");
        }
        if self.bus.max_message_bytes < 1024 {
            return fail("bus.max_message_bytes", "must be at least 1024");
        }
        if self.bus.max_message_bytes > MAX_MESSAGE_BYTES_LIMIT {
            return fail(
                "bus.max_message_bytes",
                "must be at most 999934464 (librdkafka's largest message.max.bytes, less 64 KiB for keys and headers)",
            );
        }
        if self.fetcher.poll_min > self.fetcher.poll_max {
            return fail("fetcher.poll_min", "must not exceed fetcher.poll_max");
        }
        if self.fetcher.max_items_per_poll == 0 {
            return fail("fetcher.max_items_per_poll", "must be at least 1");
        }
        if self.fetcher.max_seen_per_feed == 0 {
            // Nothing remembered would fetch every item at every poll.
            return fail("fetcher.max_seen_per_feed", "must be at least 1");
        }
        if self.fetcher.page_retries > 20 {
            return fail("fetcher.page_retries", "must be at most 20");
        }
        if self.fetcher.page_retry_delay > Duration::from_secs(24 * 3600) {
            return fail("fetcher.page_retry_delay", "must be at most 24h");
        }
        if self.fetcher.max_concurrency == 0 || self.fetcher.per_host_concurrency == 0 {
            return fail(
                "fetcher.max_concurrency",
                "concurrency limits must be at least 1",
            );
        }
        if self.fetcher.max_body_bytes == 0 {
            return fail("fetcher.max_body_bytes", "must be at least 1");
        }
        if self.fetcher.shard_count == 0 {
            return fail("fetcher.shard_count", "must be at least 1");
        }
        if self.fetcher.shard_index >= self.fetcher.shard_count {
            return fail(
                "fetcher.shard_index",
                "must be below fetcher.shard_count (shards count from 0)",
            );
        }
        if !(0.0..=1.0).contains(&self.dedup.near_threshold) {
            return fail("dedup.near_threshold", "must be between 0 and 1");
        }
        if self.dedup.max_articles == 0 {
            return fail("dedup.max_articles", "must be at least 1");
        }
        if let Some(dir) = &self.dedup.word_lists
            && !dir.is_dir()
        {
            return fail("dedup.word_lists", "must be a directory");
        }
        if !self.admin.listen.trim().is_empty() && self.admin.addr().is_none() {
            return fail("admin.listen", "must be an address like 127.0.0.1:9464");
        }
        for range in &self.fetcher.allow_ranges {
            if !is_cidr(range) {
                return fail(
                    "fetcher.allow_ranges",
                    &format!("{range:?} is not a CIDR range"),
                );
            }
        }
        if let Some(proxy) = &self.fetcher.proxy {
            match url::Url::parse(proxy) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                // The value may hold a password: it is not repeated.
                _ => return fail("fetcher.proxy", "must be an http:// or https:// URL"),
            }
        }
        if let Some(callback) = &self.fetcher.websub_callback {
            match url::Url::parse(callback) {
                Ok(u)
                    if matches!(u.scheme(), "http" | "https")
                        && u.host().is_some()
                        && u.query().is_none()
                        && u.fragment().is_none() => {}
                _ => {
                    return fail(
                        "fetcher.websub_callback",
                        "must be an http:// or https:// URL with no query or fragment",
                    );
                }
            }
            if self
                .fetcher
                .websub_listen
                .parse::<std::net::SocketAddr>()
                .is_err()
            {
                return fail(
                    "fetcher.websub_listen",
                    "must be an address like 0.0.0.0:9465",
                );
            }
        }
        for (site, cookie) in &self.fetcher.site_cookies {
            if !crate::ids::is_host_name(site) {
                return fail(
                    "fetcher.site_cookies",
                    &format!("{site:?} is not a lowercase host name"),
                );
            }
            // The value is a secret: it is not repeated.
            if cookie.is_empty() || !cookie.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                return fail(
                    "fetcher.site_cookies",
                    &format!("{site}: a cookie is printable ASCII on one line"),
                );
            }
        }
        for (site, headers) in &self.fetcher.site_headers {
            if let Some(problem) = site_headers_problem(site, headers) {
                return fail("fetcher.site_headers", &problem);
            }
        }
        let feed_or_host = |feed: &str| {
            (feed.contains("://") && url::Url::parse(feed).is_ok())
                || crate::ids::is_host_name(feed)
        };
        for feed in &self.fetcher.feed_text_only {
            if !feed_or_host(feed) {
                return fail(
                    "fetcher.feed_text_only",
                    &format!("{feed:?} is neither a feed URL nor a lowercase host name"),
                );
            }
        }
        for (feed, bounds) in &self.fetcher.feed_poll {
            if !feed_or_host(feed) {
                return fail(
                    "fetcher.feed_poll",
                    &format!("{feed:?} is neither a feed URL nor a lowercase host name"),
                );
            }
            let settings = crate::messages::FeedSettings {
                poll_min_secs: bounds.min.map(|d| d.as_secs()),
                poll_max_secs: bounds.max.map(|d| d.as_secs()),
                ..Default::default()
            };
            if let Some(problem) = settings.problem() {
                return fail("fetcher.feed_poll", &format!("{feed}: {problem}"));
            }
        }
        for feed in &self.fetcher.feeds {
            match url::Url::parse(feed) {
                Ok(u) if u.scheme() == "file" && !self.fetcher.allow_file_urls => {
                    return fail(
                        "fetcher.feeds",
                        &format!("{feed} is a file URL but fetcher.allow_file_urls is false"),
                    );
                }
                Ok(u) if !matches!(u.scheme(), "http" | "https" | "file") => {
                    return fail("fetcher.feeds", &format!("{feed}: unsupported scheme"));
                }
                Ok(_) => {}
                Err(e) => return fail("fetcher.feeds", &format!("{feed}: {e}")),
            }
        }
        let topics = self.topics.all();
        for (i, t) in topics.iter().enumerate() {
            if t.is_empty() || topics[..i].contains(t) {
                return fail(
                    "topics",
                    &format!("topic names must be non-empty and distinct ({t:?})"),
                );
            }
        }
        Ok(())
    }
}

fn is_cidr(s: &str) -> bool {
    let Some((addr, bits)) = s.split_once('/') else {
        return s.parse::<std::net::IpAddr>().is_ok();
    };
    match (addr.parse::<std::net::IpAddr>(), bits.parse::<u8>()) {
        (Ok(std::net::IpAddr::V4(_)), Ok(b)) => b <= 32,
        (Ok(std::net::IpAddr::V6(_)), Ok(b)) => b <= 128,
        _ => false,
    }
}

/// Headers the fetcher sets itself, or that would change what a request
/// means to HTTP, and so no site may be given: a cookie goes in
/// `fetcher.site_cookies`, and newsmill names itself by
/// `fetcher.user_agent` to every site alike (robots.txt's groups).
const HEADERS_NO_SITE_SETS: &[&str] = &[
    "accept",
    "accept-encoding",
    "connection",
    "content-length",
    "cookie",
    "host",
    "if-modified-since",
    "if-none-match",
    "keep-alive",
    "proxy-authorization",
    "range",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
];

/// At most this many headers for one site.
const MAX_HEADERS_PER_SITE: usize = 16;

/// What is wrong with one site's `fetcher.site_headers`, naming the site
/// and the header but never the value, which is a secret.
fn site_headers_problem(
    site: &str,
    headers: &std::collections::BTreeMap<String, String>,
) -> Option<String> {
    if !crate::ids::is_host_name(site) {
        return Some(format!("{site:?} is not a lowercase host name"));
    }
    if headers.is_empty() || headers.len() > MAX_HEADERS_PER_SITE {
        return Some(format!(
            "{site}: 1 to {MAX_HEADERS_PER_SITE} headers a site"
        ));
    }
    for (name, value) in headers {
        // RFC 9110's token characters.
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token {
            return Some(format!("{site}: {name:?} is not a header name"));
        }
        if HEADERS_NO_SITE_SETS.contains(&name.to_ascii_lowercase().as_str()) {
            return Some(format!(
                "{site}: {name} is set by the fetcher itself (a cookie goes in fetcher.site_cookies)"
            ));
        }
        if value.is_empty()
            || value.len() > 8192
            || !value.bytes().all(|b| (0x20..0x7f).contains(&b))
        {
            return Some(format!(
                "{site}: the value of {name} is printable ASCII on one line, up to 8 KiB"
            ));
        }
    }
    None
}
