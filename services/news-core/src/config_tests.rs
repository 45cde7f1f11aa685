//! The configuration's loading, validation and masking.

use super::*;

#[test]
#[allow(clippy::result_large_err)] // figment::Jail's closure signature
fn env_overrides_file_and_errors_name_the_key() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "n.toml",
            "[bus]\nbrokers = \"a:1\"\n[bus.kafka]\n\"sasl.password\" = \"hunter2\"\n",
        )?;
        jail.set_env("NEWSMILL__RUNNER__MAX_IN_FLIGHT", "7");
        let cfg = Config::load(Some(Path::new("n.toml"))).expect("loads");
        assert_eq!(cfg.bus.brokers, "a:1");
        assert_eq!(cfg.runner.max_in_flight, 7);
        let shown = cfg.to_masked_toml();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("\"sasl.password\" = \"********\""),
            "{shown}"
        );

        jail.set_env("NEWSMILL__RUNNER__MAX_IN_FLIGHT", "0");
        let err = Config::load(Some(Path::new("n.toml"))).unwrap_err();
        assert!(err.to_string().contains("runner.max_in_flight"), "{err}");

        jail.create_file("bad.toml", "[fetcher]\npoll_minn = \"5m\"\n")?;
        let err = Config::load(Some(Path::new("bad.toml"))).unwrap_err();
        assert!(err.to_string().contains("poll_minn"), "{err}");
        Ok(())
    });
}

#[test]
fn a_proxy_password_is_masked_and_a_bad_proxy_is_named_not_echoed() {
    let mut cfg = Config::default();
    cfg.fetcher.proxy = Some("http://newsmill:hunter2@proxy.internal:3128".into());
    assert!(cfg.validate().is_ok());
    let shown = cfg.to_masked_toml();
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains("newsmill:"), "{shown}");
    assert!(shown.contains("proxy.internal:3128"), "{shown}");
    cfg.fetcher.proxy = Some("proxy.internal:hunter2".into());
    let err = cfg.validate().unwrap_err().to_string();
    assert!(
        err.contains("fetcher.proxy") && !err.contains("hunter2"),
        "{err}"
    );
}

#[test]
fn a_feed_urls_credentials_are_masked_and_other_feeds_shown_whole() {
    let mut cfg = Config::default();
    cfg.fetcher.feeds = vec![
        "https://reader:hunter2@feeds.example.com/private.xml".into(),
        "https://example.org/rss?author=me@example.org".into(),
        "feeds/local.xml".into(),
    ];
    let shown = cfg.to_masked_toml();
    assert!(
        !shown.contains("hunter2") && !shown.contains("reader"),
        "{shown}"
    );
    assert!(shown.contains("feeds.example.com/private.xml"), "{shown}");
    assert!(
        shown.contains("https://example.org/rss?author=me@example.org"),
        "{shown}"
    );
    assert!(shown.contains("feeds/local.xml"), "{shown}");
    assert_eq!(shown_url("https://example.org/a"), "https://example.org/a");
}

#[test]
fn file_feeds_need_explicit_permission() {
    let mut cfg = Config::default();
    cfg.fetcher.feeds = vec!["file:///tmp/feed.xml".into()];
    assert!(
        cfg.validate()
            .unwrap_err()
            .to_string()
            .contains("allow_file_urls")
    );
    cfg.fetcher.allow_file_urls = true;
    assert!(cfg.validate().is_ok());
}

#[test]
fn word_lists_must_name_a_directory() {
    let mut cfg = Config::default();
    cfg.dedup.word_lists = Some(PathBuf::from("/nonexistent/word-lists"));
    let err = cfg.validate().unwrap_err().to_string();
    assert!(err.contains("dedup.word_lists"), "{err}");
    cfg.dedup.word_lists = Some(std::env::temp_dir());
    assert!(cfg.validate().is_ok());
}

#[test]
fn feeds_read_for_their_text_alone_are_urls_or_host_names() {
    let mut cfg = Config::default();
    cfg.fetcher.feed_text_only = vec![
        "https://news.example.org/full.xml".into(),
        "blog.example.com".into(),
    ];
    assert!(cfg.validate().is_ok());
    for bad in ["Blog.Example.com", "", "example.com/feed", "https://"] {
        cfg.fetcher.feed_text_only = vec![bad.into()];
        let err = cfg.validate().unwrap_err().to_string();
        assert!(err.contains("fetcher.feed_text_only"), "{bad}: {err}");
    }
}

/// A feed's own poll bounds come from a file's table or the environment's
/// inline one, and bounds no feed may have stop the start, naming the feed.
#[test]
#[allow(clippy::result_large_err)] // figment::Jail's closure signature
fn feed_poll_bounds_are_read_and_checked() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "n.toml",
            "[fetcher.feed_poll]\n\"wire.example\" = { min = \"1m\", max = \"15m\" }\n\
             \"https://blog.example/rss\" = { max = \"1d\" }\n",
        )?;
        let cfg = Config::load(Some(Path::new("n.toml"))).expect("loads");
        let wire = cfg.fetcher.feed_poll["wire.example"];
        assert_eq!(wire.min, Some(Duration::from_secs(60)));
        assert_eq!(wire.max, Some(Duration::from_secs(900)));
        let blog = cfg.fetcher.feed_poll["https://blog.example/rss"];
        assert_eq!(
            (blog.min, blog.max),
            (None, Some(Duration::from_secs(86400)))
        );
        assert!(cfg.to_masked_toml().contains("wire.example"));
        jail.set_env(
            "NEWSMILL__FETCHER__FEED_POLL",
            "{\"other.example\"={max=\"30s\"}}",
        );
        let cfg = Config::load(Some(Path::new("n.toml"))).expect("loads");
        assert_eq!(
            cfg.fetcher.feed_poll["other.example"].max,
            Some(Duration::from_secs(30))
        );
        jail.create_file(
            "typo.toml",
            "[fetcher.feed_poll]\n\"a.example\" = { mini = \"1m\" }\n",
        )?;
        assert!(Config::load(Some(Path::new("typo.toml"))).is_err());
        Ok(())
    });
    let mut cfg = Config::default();
    let minute = Some(Duration::from_secs(60));
    for (feed, min, max) in [
        ("Wire.Example", minute, None),
        ("wire.example", Some(Duration::from_millis(500)), None),
        ("wire.example", None, Some(Duration::from_secs(31 * 86400))),
        ("wire.example", Some(Duration::from_secs(3600)), minute),
    ] {
        cfg.fetcher.feed_poll = [(feed.to_string(), FeedPollBounds { min, max })].into();
        let err = cfg.validate().unwrap_err().to_string();
        assert!(
            err.contains("fetcher.feed_poll"),
            "{feed} {min:?} {max:?}: {err}"
        );
    }
}

#[test]
fn a_feed_remembers_one_item_at_least() {
    let mut cfg = Config::default();
    cfg.fetcher.max_seen_per_feed = 1;
    assert!(cfg.validate().is_ok());
    cfg.fetcher.max_seen_per_feed = 0;
    let err = cfg.validate().unwrap_err().to_string();
    assert!(err.contains("fetcher.max_seen_per_feed"), "{err}");
}

#[test]
fn the_message_limit_stays_within_what_librdkafka_takes() {
    let mut cfg = Config::default();
    cfg.bus.max_message_bytes = 999_934_464;
    assert!(cfg.validate().is_ok());
    cfg.bus.max_message_bytes = 999_934_465;
    let err = cfg.validate().unwrap_err().to_string();
    assert!(err.contains("bus.max_message_bytes"), "{err}");
    cfg.bus.max_message_bytes = 1023;
    assert!(cfg.validate().is_err());
}

/// A site's cookie can be a subscriber's session: `--print-config` masks
/// it, and a bad one is named by its site, not echoed. It comes from a
/// file's table or from the environment as an inline table.
#[test]
#[allow(clippy::result_large_err)] // figment::Jail's closure signature
fn site_cookies_are_read_masked_and_checked() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "n.toml",
            "[fetcher.site_cookies]\n\"news.example\" = \"consent=yes; session=hunter2\"\n",
        )?;
        let cfg = Config::load(Some(Path::new("n.toml"))).expect("loads");
        assert_eq!(
            cfg.fetcher.site_cookies["news.example"],
            "consent=yes; session=hunter2"
        );
        let shown = cfg.to_masked_toml();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("\"news.example\" = \"********\""), "{shown}");
        jail.set_env(
            "NEWSMILL__FETCHER__SITE_COOKIES",
            "{\"other.example\"=\"euconsent=1\"}",
        );
        let cfg = Config::load(Some(Path::new("n.toml"))).expect("loads");
        assert_eq!(cfg.fetcher.site_cookies["other.example"], "euconsent=1");
        Ok(())
    });
    let mut cfg = Config::default();
    for (site, cookie) in [
        ("News.Example", "a=1"),
        ("https://news.example", "a=1"),
        ("news.example", "session=hunter2\r\nX-Evil: 1"),
        ("news.example", ""),
    ] {
        cfg.fetcher.site_cookies = [(site.to_string(), cookie.to_string())].into();
        let err = cfg.validate().unwrap_err().to_string();
        assert!(
            err.contains("fetcher.site_cookies") && !err.contains("hunter2"),
            "{err}"
        );
    }
}

/// `fetcher.site_headers` (round 67): a site's headers from a file's
/// table or the environment's inline table, every value masked, and a
/// bad one named by its site and header, its value never echoed.
#[test]
#[allow(clippy::result_large_err)] // figment::Jail's closure signature
fn site_headers_are_read_masked_and_checked() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "n.toml",
            "[fetcher.site_headers.\"wire.example\"]\n\"X-Api-Key\" = \"hunter2\"\n",
        )?;
        let cfg = Config::load(Some(Path::new("n.toml"))).expect("loads");
        assert_eq!(
            cfg.fetcher.site_headers["wire.example"]["X-Api-Key"],
            "hunter2"
        );
        let shown = cfg.to_masked_toml();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("X-Api-Key = \"********\""), "{shown}");
        jail.set_env(
            "NEWSMILL__FETCHER__SITE_HEADERS",
            "{\"partner.example\"={Authorization=\"Bearer s3cret\"}}",
        );
        let cfg = Config::load(Some(Path::new("n.toml"))).expect("loads");
        assert_eq!(
            cfg.fetcher.site_headers["partner.example"]["Authorization"],
            "Bearer s3cret"
        );
        Ok(())
    });
    let mut cfg = Config::default();
    for (site, name, value) in [
        ("Wire.Example", "X-Api-Key", "hunter2"),
        ("wire.example", "X Api Key", "hunter2"),
        ("wire.example", "Cookie", "hunter2"),
        ("wire.example", "user-agent", "hunter2"),
        ("wire.example", "X-Api-Key", "hunter2\r\nX-Evil: 1"),
        ("wire.example", "X-Api-Key", ""),
    ] {
        cfg.fetcher.site_headers = [(
            site.to_string(),
            [(name.to_string(), value.to_string())].into(),
        )]
        .into();
        let err = cfg.validate().unwrap_err().to_string();
        assert!(
            err.contains("fetcher.site_headers") && !err.contains("hunter2"),
            "{err}"
        );
    }
    cfg.fetcher.site_headers = [("wire.example".to_string(), Default::default())].into();
    assert!(cfg.validate().is_err(), "no header at all");
    cfg.fetcher.site_headers = [(
        "wire.example".to_string(),
        [("X-Api-Key".to_string(), "k".to_string())].into(),
    )]
    .into();
    assert!(cfg.validate().is_ok());
}

#[test]
fn a_websub_callback_is_a_web_url_and_its_listener_an_address() {
    let mut cfg = Config::default();
    cfg.fetcher.websub_listen = "nowhere".into();
    assert!(
        cfg.validate().is_ok(),
        "the listener is not read while WebSub is off"
    );
    cfg.fetcher.websub_callback = Some("https://newsmill.example.org/websub".into());
    let err = cfg.validate().unwrap_err().to_string();
    assert!(err.contains("fetcher.websub_listen"), "{err}");
    cfg.fetcher.websub_listen = "0.0.0.0:9465".into();
    assert!(cfg.validate().is_ok());
    for bad in [
        "newsmill.example.org/websub",
        "ftp://newsmill.example.org/websub",
        "https://newsmill.example.org/websub?key=1",
    ] {
        cfg.fetcher.websub_callback = Some(bad.into());
        let err = cfg.validate().unwrap_err().to_string();
        assert!(err.contains("fetcher.websub_callback"), "{bad}: {err}");
    }
}
