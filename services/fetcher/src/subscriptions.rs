//! The subscription list: feeds from the config and an OPML file, changed at
//! run time by commands on `news.feeds.v1`. Pure: the fetcher feeds it.

use std::collections::BTreeMap;

use news_core::messages::{FeedAction, FeedCommand, FeedSettings};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

/// OPML files above this are refused.
pub const MAX_OPML_BYTES: usize = 16 * 1024 * 1024;
/// Subscriptions beyond this are refused (a runaway control topic or OPML).
pub const MAX_SUBSCRIPTIONS: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Config,
    Opml,
    Control,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Subscription {
    pub url: String,
    pub title: Option<String>,
    pub origin: Origin,
    pub paused: bool,
    /// A command's or an OPML file's settings for this feed alone (the
    /// config's feeds are named in `fetcher.feed_text_only` and
    /// `fetcher.feed_poll`).
    #[serde(flatten)]
    pub settings: FeedSettings,
}

/// What a command changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Paused,
    Resumed,
    Removed,
    /// The command asked for the current state, or named an unknown feed.
    Unchanged,
    /// Only the feed's settings changed (`FeedSettings`).
    Updated,
    Refused,
}

#[derive(Debug, Default, Clone)]
pub struct Subscriptions {
    by_url: BTreeMap<String, Subscription>,
}

fn is_file_url(url: &str) -> bool {
    url.get(..5)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("file:"))
}

/// A feed listed in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub url: String,
    pub title: Option<String>,
    /// Marked paused by `newsmill feeds export` (category `/newsmill/paused`).
    pub paused: bool,
    /// Its categories `/newsmill/feed-text-only`, `/newsmill/poll-min/<d>`
    /// and `/newsmill/poll-max/<d>`.
    pub settings: FeedSettings,
}

/// The OPML category that marks a paused feed in an export.
const PAUSED_CATEGORY: &str = "/newsmill/paused";
/// The OPML category that marks a feed read for its text alone.
const FEED_TEXT_ONLY_CATEGORY: &str = "/newsmill/feed-text-only";
/// The OPML categories that carry a feed's poll bounds, a duration after
/// the last slash (`/newsmill/poll-min/90s`).
const POLL_MIN_CATEGORY: &str = "/newsmill/poll-min/";
const POLL_MAX_CATEGORY: &str = "/newsmill/poll-max/";

impl Subscriptions {
    pub fn new(config_feeds: &[String], opml: &[OpmlFeed]) -> Subscriptions {
        let mut subs = Subscriptions::default();
        for url in config_feeds {
            subs.insert(url, None, Origin::Config);
        }
        for feed in opml {
            if subs.insert(&feed.url, feed.title.clone(), Origin::Opml)
                && let Some(sub) = subs.by_url.get_mut(feed.url.trim())
                && sub.origin == Origin::Opml
            {
                sub.paused = feed.paused;
                sub.settings = feed.settings;
            }
        }
        subs
    }

    fn insert(&mut self, url: &str, title: Option<String>, origin: Origin) -> bool {
        let url = url.trim();
        if url.is_empty() || self.by_url.len() >= MAX_SUBSCRIPTIONS {
            return false;
        }
        self.by_url
            .entry(url.to_string())
            .or_insert_with(|| Subscription {
                url: url.to_string(),
                title,
                origin,
                paused: false,
                settings: FeedSettings::default(),
            });
        true
    }

    /// Apply one control command. Commands are idempotent, so replaying the
    /// topic from the start (at-least-once) ends in the same state.
    pub fn apply(&mut self, cmd: &FeedCommand) -> Change {
        let url = cmd.feed_url.trim();
        let change = self.apply_action(cmd);
        // An add, a pause or a resume says what the operator set for the
        // feed (since round 65): the last such command decides, for a feed
        // that commands subscribed (the config's and the OPML file's are as
        // their files say). Settings that cannot be applied are refused.
        if cmd.action != FeedAction::Remove
            && change != Change::Refused
            && cmd.settings.problem().is_none()
            && let Some(sub) = self.by_url.get_mut(url)
            && sub.origin == Origin::Control
            && sub.settings != cmd.settings
        {
            sub.settings = cmd.settings;
            if change == Change::Unchanged {
                return Change::Updated;
            }
        }
        change
    }

    fn apply_action(&mut self, cmd: &FeedCommand) -> Change {
        let url = cmd.feed_url.trim();
        match (cmd.action, self.by_url.get_mut(url)) {
            (FeedAction::Add, Some(sub)) if sub.paused => {
                sub.paused = false;
                Change::Resumed
            }
            (FeedAction::Add, Some(_)) => Change::Unchanged,
            // A feed on this machine comes from the config, which only the
            // operator writes: whoever can write the topic could otherwise
            // have local files read (a parse failure's letter keeps the body).
            (FeedAction::Add, None) if is_file_url(url) => Change::Refused,
            (FeedAction::Add, None) => {
                if self.insert(url, cmd.title.clone(), Origin::Control) {
                    Change::Added
                } else {
                    Change::Refused
                }
            }
            (FeedAction::Pause, Some(sub)) if !sub.paused => {
                sub.paused = true;
                Change::Paused
            }
            (FeedAction::Resume, Some(sub)) if sub.paused => {
                sub.paused = false;
                Change::Resumed
            }
            // Kafka's compaction keeps each feed's last command alone, so a
            // pause or a resume says by itself that the feed is subscribed
            // (since round 65; before, a feed added and then paused was
            // gone from a compacted topic).
            (FeedAction::Pause | FeedAction::Resume, None) if is_file_url(url) => Change::Refused,
            (FeedAction::Pause | FeedAction::Resume, None) => {
                if !self.insert(url, cmd.title.clone(), Origin::Control) {
                    return Change::Refused;
                }
                if cmd.action == FeedAction::Pause {
                    if let Some(sub) = self.by_url.get_mut(url) {
                        sub.paused = true;
                    }
                    Change::Paused
                } else {
                    Change::Added
                }
            }
            (FeedAction::Remove, Some(_)) => {
                self.by_url.remove(url);
                Change::Removed
            }
            _ => Change::Unchanged,
        }
    }

    /// Feeds to poll: subscribed and not paused.
    pub fn active(&self) -> impl Iterator<Item = &str> {
        self.by_url
            .values()
            .filter(|s| !s.paused)
            .map(|s| s.url.as_str())
    }

    pub fn get(&self, url: &str) -> Option<&Subscription> {
        self.by_url.get(url.trim())
    }

    pub fn all(&self) -> impl Iterator<Item = &Subscription> {
        self.by_url.values()
    }

    pub fn len(&self) -> usize {
        self.by_url.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_url.is_empty()
    }
}

/// The subscriptions as an OPML 2.0 document, one `<outline type="rss">`
/// each, for another reader or another newsmill (`fetcher.opml`). A paused
/// feed is marked with the category `/newsmill/paused`. A user and password
/// in a URL are masked unless `keep_credentials`: the document is meant to
/// be passed around.
pub fn to_opml(subs: &Subscriptions, keep_credentials: bool) -> String {
    use quick_xml::escape::escape;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n\
         <head><title>newsmill subscriptions</title></head>\n<body>\n",
    );
    for sub in subs.all() {
        let url = if keep_credentials {
            std::borrow::Cow::Borrowed(sub.url.as_str())
        } else {
            news_core::config::shown_url(&sub.url)
        };
        // OPML wants a text; an untitled feed's is its host, which carries
        // no user or password.
        let host = url::Url::parse(&sub.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let text = sub.title.as_deref().unwrap_or(&host);
        out.push_str(&format!(
            "  <outline type=\"rss\" text=\"{}\"",
            escape(text)
        ));
        if let Some(title) = &sub.title {
            out.push_str(&format!(" title=\"{}\"", escape(title.as_str())));
        }
        out.push_str(&format!(" xmlUrl=\"{}\"", escape(url.as_ref())));
        let mut categories: Vec<String> = [
            (sub.paused, PAUSED_CATEGORY),
            (sub.settings.feed_text_only, FEED_TEXT_ONLY_CATEGORY),
        ]
        .into_iter()
        .filter(|(marked, _)| *marked)
        .map(|(_, category)| category.to_string())
        .collect();
        for (secs, category) in [
            (sub.settings.poll_min_secs, POLL_MIN_CATEGORY),
            (sub.settings.poll_max_secs, POLL_MAX_CATEGORY),
        ] {
            if let Some(secs) = secs {
                categories.push(format!("{category}{secs}s"));
            }
        }
        if !categories.is_empty() {
            out.push_str(&format!(" category=\"{}\"", categories.join(",")));
        }
        out.push_str("/>\n");
    }
    out.push_str("</body>\n</opml>\n");
    out
}

/// The duration a category list gives after `prefix`, in seconds: the
/// first that reads as a whole number of seconds (`90s`, `15m`, `1h 30m`).
fn category_secs(categories: &str, prefix: &str) -> Option<u64> {
    categories
        .split(',')
        .filter_map(|c| c.trim().strip_prefix(prefix))
        .filter_map(|d| humantime::parse_duration(d.trim()).ok())
        .map(|d| d.as_secs())
        .find(|&secs| secs > 0)
}

/// Every `<outline>` with an `xmlUrl`, at any depth (folders nest them).
/// DTDs and entities are not expanded.
pub fn parse_opml(bytes: &[u8]) -> Result<Vec<OpmlFeed>, String> {
    if bytes.len() > MAX_OPML_BYTES {
        return Err(format!("OPML larger than {MAX_OPML_BYTES} bytes"));
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut feeds = Vec::new();
    let mut saw_opml = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("OPML is not well-formed XML: {e}"))?;
        match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name();
                let name = name.as_ref();
                if name.eq_ignore_ascii_case("opml") {
                    saw_opml = true;
                }
                if !name.eq_ignore_ascii_case("outline") {
                    continue;
                }
                let mut url = None;
                let mut title = None;
                let mut text = None;
                let mut paused = false;
                let mut settings = FeedSettings::default();
                for attr in e.attributes().with_checks(false).flatten() {
                    let key = attr.key.local_name().as_ref().to_ascii_lowercase();
                    let Ok(value) = attr.normalized_value_with(
                        quick_xml::XmlVersion::Implicit1_0,
                        1,
                        resolve_predefined_entity,
                    ) else {
                        continue;
                    };
                    let value = value.trim().to_string();
                    match key.as_str() {
                        "xmlurl" => url = Some(value),
                        "title" => title = Some(value),
                        "text" => text = Some(value),
                        "category" => {
                            let marked = |m: &str| value.split(',').any(|c| c.trim() == m);
                            paused = marked(PAUSED_CATEGORY);
                            settings.feed_text_only = marked(FEED_TEXT_ONLY_CATEGORY);
                            settings.poll_min_secs = category_secs(&value, POLL_MIN_CATEGORY);
                            settings.poll_max_secs = category_secs(&value, POLL_MAX_CATEGORY);
                        }
                        _ => {}
                    }
                }
                if settings.problem().is_some() {
                    // Bounds that cannot hold (a minimum above the maximum)
                    // leave the fetcher's.
                    settings.poll_min_secs = None;
                    settings.poll_max_secs = None;
                }
                if let Some(url) = url.filter(|u| !u.is_empty()) {
                    feeds.push(OpmlFeed {
                        url,
                        title: title.or(text).filter(|t| !t.is_empty()),
                        paused,
                        settings,
                    });
                }
            }
            _ => {}
        }
    }
    if !saw_opml {
        return Err("no <opml> element".into());
    }
    Ok(feeds)
}

#[cfg(test)]
#[path = "subscriptions_tests.rs"]
mod tests;
