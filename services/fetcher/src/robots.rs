//! robots.txt (RFC 9309) for article pages: a pure parser and matcher, plus
//! the rule for turning a fetch outcome into rules. The cache lives in the
//! fetcher, which owns the I/O.

use std::time::Duration;

/// robots.txt bodies above this are cut (RFC 9309 asks parsers to read at
/// least 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;
/// How long fetched rules are trusted.
pub const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long an unreachable robots.txt (5xx, network error) blocks a site
/// before we ask again (less when pages wait on it: see `robots_for`).
pub const ROBOTS_RETRY: Duration = Duration::from_secs(10 * 60);

/// How long the rules from a robots.txt fetch are trusted: a server error
/// or no answer is asked again soon, anything else for a day.
pub fn ttl_for(status: Option<u16>) -> Duration {
    match status {
        Some(s) if s < 500 => ROBOTS_TTL,
        _ => ROBOTS_RETRY,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// The rules that apply to one user agent on one origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Robots {
    rules: Vec<Rule>,
    /// Every path is refused (robots.txt unreachable).
    deny_all: bool,
    /// `Crawl-delay` of the matching group, when given.
    pub crawl_delay: Option<Duration>,
}

impl Robots {
    pub fn allow_all() -> Robots {
        Robots {
            rules: Vec::new(),
            deny_all: false,
            crawl_delay: None,
        }
    }

    pub fn deny_all() -> Robots {
        Robots {
            deny_all: true,
            ..Robots::allow_all()
        }
    }

    /// Whether these rules refuse everything because robots.txt could not
    /// be read: a refusal that passes, unlike a `Disallow`.
    pub fn is_unreachable(&self) -> bool {
        self.deny_all
    }

    /// Rules for the outcome of fetching `/robots.txt`: 2xx is parsed, other
    /// 4xx mean "no restrictions", 5xx and errors mean "not now" (RFC 9309 §2.3.1).
    pub fn from_response(status: Option<u16>, body: &[u8], agent: &str) -> Robots {
        match status {
            Some(200..=299) => Robots::parse(body, agent),
            Some(400..=499) => Robots::allow_all(),
            _ => Robots::deny_all(),
        }
    }

    /// Parse `body` and keep the groups for `agent` (its product token is
    /// matched case-insensitively), or the `*` groups when none names it.
    pub fn parse(body: &[u8], agent: &str) -> Robots {
        let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
        let text = String::from_utf8_lossy(body);
        let token = product_token(agent);
        let mut ours = Group::default();
        let mut star = Group::default();
        // The user-agent lines of the group being read, and whether a rule
        // line has closed that list.
        let mut agents: Vec<String> = Vec::new();
        let mut in_rules = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        agents.clear();
                        in_rules = false;
                    }
                    agents.push(value.to_ascii_lowercase());
                }
                "allow" | "disallow" | "crawl-delay" => {
                    in_rules = true;
                    let named = agents.iter().any(|a| a != "*" && product_token(a) == token);
                    let starred = agents.iter().any(|a| a == "*");
                    for (wanted, group) in [(named, &mut ours), (starred, &mut star)] {
                        if wanted {
                            group.apply(&key, value);
                        }
                    }
                }
                _ => {}
            }
        }
        let group = if ours.seen { ours } else { star };
        Robots {
            rules: group.rules,
            deny_all: false,
            crawl_delay: group.crawl_delay,
        }
    }

    /// Whether the path-and-query `target` (for example `/a/b?c=d`) may be
    /// fetched: the longest matching pattern wins, and allow wins a tie.
    pub fn allowed(&self, target: &str) -> bool {
        if self.deny_all {
            return false;
        }
        if target == "/robots.txt" {
            return true;
        }
        let mut best: Option<(usize, bool)> = None;
        for rule in &self.rules {
            if pattern_matches(&rule.pattern, target) {
                let len = rule.pattern.len();
                let better = match best {
                    None => true,
                    Some((l, allow)) => len > l || (len == l && rule.allow && !allow),
                };
                if better {
                    best = Some((len, rule.allow));
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

#[derive(Default)]
struct Group {
    seen: bool,
    rules: Vec<Rule>,
    crawl_delay: Option<Duration>,
}

impl Group {
    fn apply(&mut self, key: &str, value: &str) {
        self.seen = true;
        match key {
            // An empty Disallow allows everything: no rule.
            "disallow" if value.is_empty() => {}
            "crawl-delay" => {
                self.crawl_delay = value
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(|s| Duration::from_secs_f64(s.min(60.0)));
            }
            _ => self.rules.push(Rule {
                allow: key == "allow",
                pattern: value.to_string(),
            }),
        }
    }
}

/// `newsmill/0.1 (+https://…)` → `newsmill`, lower-cased.
fn product_token(agent: &str) -> String {
    agent
        .split(['/', ' '])
        .next()
        .unwrap_or(agent)
        .to_ascii_lowercase()
}

/// robots.txt patterns: a prefix match where `*` matches any run of
/// characters and a trailing `$` anchors the end.
fn pattern_matches(pattern: &str, target: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = target.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = parts.collect();
    for (i, piece) in pieces.iter().enumerate() {
        let last = i + 1 == pieces.len();
        if last && anchored {
            return rest.ends_with(piece);
        }
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    !anchored || rest.is_empty()
}

/// The part of a URL that robots rules see: path plus query.
pub fn robots_target(url: &url::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENT: &str = "newsmill/0.1 (+https://example.org)";

    #[test]
    fn named_group_beats_star_and_longest_match_wins() {
        let body = b"User-agent: *\nDisallow: /\n\nUser-agent: other\nUser-agent: NewsMill\nDisallow: /private/\nAllow: /private/press/\nCrawl-delay: 2\n";
        let r = Robots::parse(body, AGENT);
        assert!(r.allowed("/news/1"));
        assert!(!r.allowed("/private/x"));
        assert!(r.allowed("/private/press/release"));
        assert_eq!(r.crawl_delay, Some(Duration::from_secs(2)));
        let star = Robots::parse(body, "otherbot/1.0");
        assert!(!star.allowed("/news/1"));
        assert!(star.allowed("/robots.txt"));
    }

    #[test]
    fn wildcards_anchors_and_empty_disallow() {
        let r = Robots::parse(
            b"user-agent: *\ndisallow: /*.pdf$\ndisallow: /search*q=\ndisallow:\n",
            AGENT,
        );
        assert!(!r.allowed("/files/a.pdf"));
        assert!(r.allowed("/files/a.pdf?download=1"));
        assert!(!r.allowed("/search/all?q=x"));
        assert!(r.allowed("/searching"));
        let tie = Robots::parse(b"User-agent: *\nDisallow: /a\nAllow: /a\n", AGENT);
        assert!(tie.allowed("/a/b"), "allow wins a tie");
    }

    #[test]
    fn fetch_outcomes_map_to_rules() {
        assert!(Robots::from_response(Some(404), b"", AGENT).allowed("/x"));
        assert!(!Robots::from_response(Some(503), b"", AGENT).allowed("/x"));
        assert!(!Robots::from_response(None, b"", AGENT).allowed("/x"));
        let garbage = Robots::from_response(Some(200), &[0xff, 0x00, b':', 0xfe], AGENT);
        assert!(garbage.allowed("/x"));
    }
}
