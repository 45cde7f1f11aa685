use super::*;
use chrono::Utc;
use news_core::messages::FeedSettings;

fn cmd(url: &str, action: FeedAction) -> FeedCommand {
    FeedCommand {
        schema_version: 1,
        feed_url: url.into(),
        action,
        at: Utc::now(),
        title: None,
        settings: FeedSettings::default(),
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
            settings: FeedSettings::default(),
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
                settings: FeedSettings::default(),
            },
            OpmlFeed {
                url: "https://********:********@b.example/feed".into(),
                title: Some("Daily <News> & Co".into()),
                paused: false,
                settings: FeedSettings::default(),
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
                settings: FeedSettings::default(),
            },
            OpmlFeed {
                url: "https://daily.example/atom".into(),
                title: Some("Daily & Co".into()),
                paused: false,
                settings: FeedSettings::default(),
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
        settings: FeedSettings {
            feed_text_only: on,
            ..Default::default()
        },
        ..cmd(feed, action)
    };
    let mut subs = Subscriptions::new(&[], &[]);
    assert_eq!(
        subs.apply(&with_text_only(FeedAction::Add, true)),
        Change::Added
    );
    assert!(subs.get(feed).unwrap().settings.feed_text_only);
    assert_eq!(
        subs.apply(&with_text_only(FeedAction::Pause, true)),
        Change::Paused
    );
    assert!(subs.get(feed).unwrap().settings.feed_text_only);
    let opml = to_opml(&subs, false);
    assert!(
        opml.contains("category=\"/newsmill/paused,/newsmill/feed-text-only\""),
        "{opml}"
    );
    let read = parse_opml(opml.as_bytes()).unwrap();
    assert!(
        read[0].paused && read[0].settings.feed_text_only,
        "{read:?}"
    );
    let again = Subscriptions::new(&[], &read);
    assert!(again.get(feed).unwrap().settings.feed_text_only);
    // An add that does not say it turns it off.
    assert_eq!(
        subs.apply(&with_text_only(FeedAction::Resume, true)),
        Change::Resumed
    );
    assert_eq!(
        subs.apply(&with_text_only(FeedAction::Add, false)),
        Change::Updated
    );
    assert!(!subs.get(feed).unwrap().settings.feed_text_only);
    // An OPML file's feed is as the file says, whatever a command says.
    let again_paused = FeedCommand {
        settings: FeedSettings::default(),
        ..cmd(feed, FeedAction::Pause)
    };
    let mut from_file = Subscriptions::new(&[], &read);
    from_file.apply(&again_paused);
    assert!(from_file.get(feed).unwrap().settings.feed_text_only);
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

/// A feed's poll bounds are what its last command says, an OPML export
/// keeps them, and bounds no feed may have change nothing.
#[test]
fn a_feeds_poll_bounds_are_what_its_last_command_says() {
    let feed = "https://wire.example/rss";
    let with_bounds = |action, min, max| FeedCommand {
        settings: FeedSettings {
            poll_min_secs: min,
            poll_max_secs: max,
            ..Default::default()
        },
        ..cmd(feed, action)
    };
    let mut subs = Subscriptions::new(&[], &[]);
    assert_eq!(
        subs.apply(&with_bounds(FeedAction::Add, None, Some(60))),
        Change::Added
    );
    assert_eq!(
        subs.apply(&with_bounds(FeedAction::Add, Some(30), Some(60))),
        Change::Updated
    );
    assert_eq!(
        subs.apply(&with_bounds(FeedAction::Add, Some(600), Some(60))),
        Change::Unchanged,
        "a minimum above the maximum is not taken"
    );
    let settings = subs.get(feed).unwrap().settings;
    assert_eq!(
        (settings.poll_min_secs, settings.poll_max_secs),
        (Some(30), Some(60))
    );
    let opml = to_opml(&subs, false);
    assert!(
        opml.contains("category=\"/newsmill/poll-min/30s,/newsmill/poll-max/60s\""),
        "{opml}"
    );
    let read = parse_opml(opml.as_bytes()).unwrap();
    assert_eq!(read[0].settings, settings);
    // Another reader's way of writing a duration reads too; bounds that
    // cannot hold are left out, the rest kept.
    let other = br#"<opml version="2.0"><body>
        <outline xmlUrl="https://a.example/rss" category="/news,/newsmill/poll-max/1h 30m"/>
        <outline xmlUrl="https://b.example/rss" category="/newsmill/feed-text-only,/newsmill/poll-min/2h,/newsmill/poll-max/1h"/>
        <outline xmlUrl="https://c.example/rss" category="/newsmill/poll-min/soon"/>
        </body></opml>"#;
    let read = parse_opml(other).unwrap();
    assert_eq!(read[0].settings.poll_max_secs, Some(5400));
    assert_eq!(
        read[1].settings,
        FeedSettings {
            feed_text_only: true,
            ..Default::default()
        }
    );
    assert_eq!(read[2].settings, FeedSettings::default());
}
