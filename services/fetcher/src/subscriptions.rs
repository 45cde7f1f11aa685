//! The subscription list: feeds from the config and an OPML file, changed at
//! run time by commands on `news.feeds.v1`. Pure: the fetcher feeds it.

use std::collections::BTreeMap;

use news_core::messages::{FeedAction, FeedCommand};
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
    /// Read for its text alone (a command's or an OPML file's word; the
    /// config's feeds are named in `fetcher.feed_text_only`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub feed_text_only: bool,
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
    /// Only the feed's settings changed (`feed_text_only`).
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
    /// Marked read for its text alone (category `/newsmill/feed-text-only`).
    pub feed_text_only: bool,
}

/// The OPML category that marks a paused feed in an export.
const PAUSED_CATEGORY: &str = "/newsmill/paused";
/// The OPML category that marks a feed read for its text alone.
const FEED_TEXT_ONLY_CATEGORY: &str = "/newsmill/feed-text-only";

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
                sub.feed_text_only = feed.feed_text_only;
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
                feed_text_only: false,
            });
        true
    }

    /// Apply one control command. Commands are idempotent, so replaying the
    /// topic from the start (at-least-once) ends in the same state.
    pub fn apply(&mut self, cmd: &FeedCommand) -> Change {
        let url = cmd.feed_url.trim();
        let change = self.apply_action(cmd);
        // An add, a pause or a resume says whether the feed is read for its
        // text alone (since round 65): the last such command decides, for
        // a feed that commands subscribed (the config's and the OPML
        // file's are as their files say).
        if cmd.action != FeedAction::Remove
            && change != Change::Refused
            && let Some(sub) = self.by_url.get_mut(url)
            && sub.origin == Origin::Control
            && sub.feed_text_only != cmd.feed_text_only
        {
            sub.feed_text_only = cmd.feed_text_only;
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
        let categories: Vec<&str> = [
            (sub.paused, PAUSED_CATEGORY),
            (sub.feed_text_only, FEED_TEXT_ONLY_CATEGORY),
        ]
        .into_iter()
        .filter_map(|(marked, category)| marked.then_some(category))
        .collect();
        if !categories.is_empty() {
            out.push_str(&format!(" category=\"{}\"", categories.join(",")));
        }
        out.push_str("/>\n");
    }
    out.push_str("</body>\n</opml>\n");
    out
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
                let mut feed_text_only = false;
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
                            feed_text_only = marked(FEED_TEXT_ONLY_CATEGORY);
                        }
                        _ => {}
                    }
                }
                if let Some(url) = url.filter(|u| !u.is_empty()) {
                    feeds.push(OpmlFeed {
                        url,
                        title: title.or(text).filter(|t| !t.is_empty()),
                        paused,
                        feed_text_only,
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
mod tests {
    use super::*;
    use chrono::Utc;

    fn cmd(url: &str, action: FeedAction) -> FeedCommand {
        FeedCommand {
            schema_version: 1,
            feed_url: url.into(),
            action,
            at: Utc::now(),
            title: None,
            feed_text_only: false,
        }
    }

    #[test]
    fn the_opml_export_reads_back_as_the_subscriptions() {
        let mut subs = Subscriptions::new(
            &["https://a.example/rss?x=1&y=\"2\"".into()],
            &[OpmlFeed {
                url: "https://user:secret@b.example/feed".into(),
                title: Some("Daily <News> & Co".into()),
                paused: false,
                feed_text_only: false,
            }],
        );
        subs.apply(&cmd("https://a.example/rss?x=1&y=\"2\"", FeedAction::Pause));
        let opml = to_opml(&subs, false);
        assert!(!opml.contains("secret"), "{opml}");
        assert!(opml.contains("category=\"/newsmill/paused\""), "{opml}");
        let read = parse_opml(opml.as_bytes()).unwrap();
        assert_eq!(
            read,
            [
                OpmlFeed {
                    url: "https://a.example/rss?x=1&y=\"2\"".into(),
                    title: Some("a.example".into()),
                    paused: true,
                    feed_text_only: false,
                },
                OpmlFeed {
                    url: "https://********:********@b.example/feed".into(),
                    title: Some("Daily <News> & Co".into()),
                    paused: false,
                    feed_text_only: false,
                },
            ]
        );
        let kept = parse_opml(to_opml(&subs, true).as_bytes()).unwrap();
        assert_eq!(kept[1].url, "https://user:secret@b.example/feed");
        // Read back as another newsmill's OPML file, the paused feed is
        // paused there too.
        let again = Subscriptions::new(&[], &kept);
        assert_eq!(again.active().collect::<Vec<_>>(), [kept[1].url.as_str()]);
    }

    #[test]
    fn opml_outlines_nest_and_titles_fall_back_to_text() {
        let opml = br#"<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
            <outline text="World"><outline type="rss" text="Wire" xmlUrl="https://wire.example/rss"/>
            <outline title="Daily &amp; Co" xmlUrl=" https://daily.example/atom "/></outline>
            <outline text="no feed here" htmlUrl="https://x.example/"/></body></opml>"#;
        let feeds = parse_opml(opml).unwrap();
        assert_eq!(
            feeds,
            vec![
                OpmlFeed {
                    url: "https://wire.example/rss".into(),
                    title: Some("Wire".into()),
                    paused: false,
                    feed_text_only: false,
                },
                OpmlFeed {
                    url: "https://daily.example/atom".into(),
                    title: Some("Daily & Co".into()),
                    paused: false,
                    feed_text_only: false,
                },
            ]
        );
        assert!(parse_opml(b"<rss></rss>").is_err());
        assert!(parse_opml(&[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn commands_add_pause_resume_remove_and_replay_idempotently() {
        let mut subs = Subscriptions::new(&["https://a.example/rss".into()], &[]);
        let b = "https://b.example/feed";
        let script = [
            (FeedAction::Add, Change::Added),
            (FeedAction::Add, Change::Unchanged),
            (FeedAction::Pause, Change::Paused),
            (FeedAction::Pause, Change::Unchanged),
            (FeedAction::Resume, Change::Resumed),
            (FeedAction::Remove, Change::Removed),
            (FeedAction::Remove, Change::Unchanged),
        ];
        for (action, want) in script {
            assert_eq!(subs.apply(&cmd(b, action)), want, "{action:?}");
        }
        assert_eq!(subs.active().collect::<Vec<_>>(), ["https://a.example/rss"]);
        subs.apply(&cmd("https://a.example/rss", FeedAction::Pause));
        assert_eq!(subs.active().count(), 0);
        assert_eq!(subs.len(), 1);
        assert_eq!(
            subs.apply(&cmd("https://a.example/rss", FeedAction::Add)),
            Change::Resumed
        );
    }

    /// A compacted control topic (Kafka keeps each feed's last command)
    /// gives the subscriptions its whole history gives.
    #[test]
    fn the_last_command_of_each_feed_gives_what_the_whole_history_gives() {
        let (a, b, c, d) = (
            "https://a.example/rss",
            "https://b.example/rss",
            "https://c.example/rss",
            "https://d.example/rss",
        );
        let history = [
            (a, FeedAction::Add),
            (b, FeedAction::Add),
            (c, FeedAction::Add),
            (d, FeedAction::Add),
            (b, FeedAction::Pause),
            (c, FeedAction::Pause),
            (c, FeedAction::Resume),
            (d, FeedAction::Remove),
        ];
        let state = |commands: &[(&str, FeedAction)]| {
            let mut subs = Subscriptions::new(&[], &[]);
            for (url, action) in commands {
                subs.apply(&cmd(url, *action));
            }
            subs.all()
                .map(|s| (s.url.clone(), s.paused))
                .collect::<Vec<_>>()
        };
        let mut compacted: Vec<(&str, FeedAction)> = Vec::new();
        for (url, action) in history {
            compacted.retain(|(u, _)| *u != url);
            compacted.push((url, action));
        }
        assert_eq!(compacted.len(), 4);
        let whole = state(&history);
        assert_eq!(
            whole,
            [(a.into(), false), (b.into(), true), (c.into(), false)]
        );
        assert_eq!(state(&compacted), whole);
        // A command still cannot subscribe a file this way.
        let mut subs = Subscriptions::new(&[], &[]);
        assert_eq!(
            subs.apply(&cmd("file:///etc/passwd", FeedAction::Pause)),
            Change::Refused
        );
        assert!(subs.is_empty());
    }

    /// Whether a feed is read for its text alone is what its last add,
    /// pause or resume says, and an OPML export keeps it.
    #[test]
    fn a_feed_read_for_its_text_alone_is_what_its_last_command_says() {
        let feed = "https://walled.example/full.xml";
        let with_text_only = |action, on| FeedCommand {
            feed_text_only: on,
            ..cmd(feed, action)
        };
        let mut subs = Subscriptions::new(&[], &[]);
        assert_eq!(
            subs.apply(&with_text_only(FeedAction::Add, true)),
            Change::Added
        );
        assert!(subs.get(feed).unwrap().feed_text_only);
        assert_eq!(
            subs.apply(&with_text_only(FeedAction::Pause, true)),
            Change::Paused
        );
        assert!(subs.get(feed).unwrap().feed_text_only);
        let opml = to_opml(&subs, false);
        assert!(
            opml.contains("category=\"/newsmill/paused,/newsmill/feed-text-only\""),
            "{opml}"
        );
        let read = parse_opml(opml.as_bytes()).unwrap();
        assert!(read[0].paused && read[0].feed_text_only, "{read:?}");
        let again = Subscriptions::new(&[], &read);
        assert!(again.get(feed).unwrap().feed_text_only);
        // An add that does not say it turns it off.
        assert_eq!(
            subs.apply(&with_text_only(FeedAction::Resume, true)),
            Change::Resumed
        );
        assert_eq!(
            subs.apply(&with_text_only(FeedAction::Add, false)),
            Change::Updated
        );
        assert!(!subs.get(feed).unwrap().feed_text_only);
        // An OPML file's feed is as the file says, whatever a command says.
        let again_paused = FeedCommand {
            feed_text_only: false,
            ..cmd(feed, FeedAction::Pause)
        };
        let mut from_file = Subscriptions::new(&[], &read);
        from_file.apply(&again_paused);
        assert!(from_file.get(feed).unwrap().feed_text_only);
    }

    #[test]
    fn a_command_cannot_subscribe_a_file_but_the_config_can() {
        let local = "file:///var/lib/newsmill/feed.xml";
        let mut subs = Subscriptions::new(&[local.into()], &[]);
        assert_eq!(
            subs.apply(&cmd("FILE:///etc/passwd", FeedAction::Add)),
            Change::Refused
        );
        assert_eq!(subs.apply(&cmd(local, FeedAction::Pause)), Change::Paused);
        assert_eq!(subs.len(), 1);
    }
}
