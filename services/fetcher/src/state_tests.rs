//! Unit tests of `state.rs`.

use super::*;

fn id(i: usize) -> String {
    news_core::ids::sha256_hex(format!("https://example.com/{i}"))
}

#[test]
fn after_a_lost_state_file_each_feed_claims_its_seen_items_from_the_log() {
    let feeds = ["https://a.example/feed", "https://b.example/feed"];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fetcher-state.json");
    let progress = RoundProgress::new(FetchState::load(&path, 100), Duration::ZERO);
    for (n, feed) in feeds.iter().enumerate() {
        let mut st = progress.feed(feed);
        for i in 0..3 {
            st.remember(&id(10 * n + i), i as u64, 100);
            progress.taken(feed, &id(10 * n + i), i as u64);
        }
        progress.finished(feed.to_string(), st);
    }
    progress.save_now();

    // Lost: the log's sets wait, unclaimed, and survive a rewrite.
    std::fs::remove_file(&path).unwrap();
    let mut st = FetchState::load(&path, 100);
    assert!(st.feeds.is_empty());
    assert_eq!(st.live_items(), 6);
    st.rewrite_log().unwrap();
    st.claim(feeds[0]);
    let a = &st.feeds[feeds[0]];
    assert!((0..3).all(|i| a.seen_items.unchanged(&id(i), i as u64)));
    let progress = RoundProgress::new(st, Duration::ZERO);
    let b = progress.feed(feeds[1]);
    assert!((0..3).all(|i| b.seen_items.unchanged(&id(10 + i), i as u64)));
    assert!(
        progress
            .feed("https://c.example/feed")
            .seen_items
            .is_empty()
    );
    progress.save_now();

    // From a sound file, a record whose feed it does not name is dropped.
    let mut st = FetchState::load(&path, 100);
    assert_eq!(st.feeds.len(), 3);
    st.feeds.remove(feeds[1]);
    st.save().unwrap();
    let st = FetchState::load(&path, 100);
    assert_eq!(st.live_items(), 3, "b's items are not kept");
}

#[test]
fn a_round_saves_what_each_feed_has_taken_so_far() {
    let feed = "https://example.com/feed";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fetcher-state.json");
    let mut st = FetchState::load(&path, 100);
    let mut before = FeedState::default();
    before.validators.etag = Some("\"v1\"".into());
    st.feeds.insert(feed.into(), before);

    // A save is due: the items taken so far reach the disk, with what
    // else the feed had (its validators are replaced only as it ends).
    let progress = RoundProgress::new(st, Duration::ZERO);
    let mut polling = progress.feed(feed);
    polling.remember(&id(1), 7, 100);
    progress.taken(feed, &id(1), 7);
    let saved = FetchState::load(&path, 100);
    assert!(saved.feeds[feed].seen_items.unchanged(&id(1), 7));
    assert_eq!(saved.feeds[feed].validators.etag.as_deref(), Some("\"v1\""));

    // No save due: the disk keeps what it had, the round keeps the rest.
    let progress = RoundProgress::new(saved, Duration::from_secs(3600));
    let mut polling = progress.feed(feed);
    polling.remember(&id(2), 7, 100);
    progress.taken(feed, &id(2), 7);
    let on_disk = FetchState::load(&path, 100);
    assert!(!on_disk.feeds[feed].seen_items.unchanged(&id(2), 7));
    progress.finished(feed.into(), polling);
    let mut after = progress.into_state();
    assert!(after.feeds[feed].seen_items.unchanged(&id(1), 7));
    assert!(after.feeds[feed].seen_items.unchanged(&id(2), 7));
    after.save_between_rounds().unwrap();
    assert!(
        FetchState::load(&path, 100).feeds[feed]
            .seen_items
            .unchanged(&id(2), 7)
    );

    // A new feed killed in its first poll: its items have an owner.
    let new_feed = "https://example.org/new";
    let progress = RoundProgress::new(FetchState::load(&path, 100), Duration::ZERO);
    progress.taken(new_feed, &id(3), 9);
    drop(progress);
    let restarted = FetchState::load(&path, 100);
    assert!(restarted.feeds[new_feed].seen_items.unchanged(&id(3), 9));
    assert_eq!(restarted.feeds[new_feed].validators.etag, None);
}

#[test]
fn a_restart_rebuilds_each_seen_set_as_it_was() {
    let feeds = ["https://a.example/feed", "https://b.example/feed"];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fetcher-state.json");
    let mut st = FetchState::load(&path, 3);
    for i in 0..7 {
        let feed = feeds[i % 2];
        st.feeds
            .entry(feed.into())
            .or_default()
            .remember(&id(i), 7, 3);
        st.log_taken(feed, &id(i), 7);
        if i == 3 {
            st.save().unwrap();
        }
    }
    // An item seen again, changed: its new fingerprint is what counts.
    st.feeds.get_mut(feeds[0]).unwrap().remember(&id(4), 8, 3);
    st.log_taken(feeds[0], &id(4), 8);
    st.save().unwrap();
    let back = FetchState::load(&path, 3);
    for feed in feeds {
        let (want, got) = (&st.feeds[feed].seen_items, &back.feeds[feed].seen_items);
        assert_eq!(
            got.records().collect::<Vec<_>>(),
            want.records().collect::<Vec<_>>()
        );
    }
    assert!(back.feeds[feeds[0]].seen_items.unchanged(&id(4), 8));
    assert!(
        !back.feeds[feeds[0]].seen_items.unchanged(&id(0), 7),
        "over the cap"
    );
    // No JSON carries the items.
    assert!(!std::fs::read_to_string(&path).unwrap().contains("seen"));
}

#[test]
fn the_log_is_rewritten_between_rounds_once_it_holds_mostly_the_dead() {
    let (gone, kept) = ("https://gone.example/feed", "https://kept.example/feed");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fetcher-state.json");
    let log_bytes = || std::fs::metadata(seen_log_path(&path)).unwrap().len();
    let mut st = FetchState::load(&path, 200_000);
    let n = LOG_SLACK as usize + 10;
    for i in 0..n {
        let item = id(1000 + i);
        st.feeds
            .entry(gone.into())
            .or_default()
            .remember(&item, 1, 200_000);
        st.log_taken(gone, &item, 1);
    }
    st.feeds
        .entry(kept.into())
        .or_default()
        .remember(&id(1), 2, 200_000);
    st.log_taken(kept, &id(1), 2);
    st.save_between_rounds().unwrap();
    assert_eq!(log_bytes(), 8 + 24 * (n as u64 + 1), "all live: appended");

    st.feeds.remove(gone);
    st.save().unwrap();
    assert_eq!(
        log_bytes(),
        8 + 24 * (n as u64 + 1),
        "a save in a round appends"
    );
    st.save_between_rounds().unwrap();
    assert_eq!(log_bytes(), 8 + 24, "the removed feed's items are gone");
    let back = FetchState::load(&path, 200_000);
    assert!(back.feeds[kept].seen_items.unchanged(&id(1), 2));
    assert!(!back.feeds.contains_key(gone));
}

#[test]
fn seen_set_is_bounded() {
    let mut f = FeedState::default();
    for i in 0..10 {
        f.remember(&id(i), 7, 3);
    }
    assert_eq!(f.seen_items.len(), 3);
    assert!(f.seen_items.unchanged(&id(9), 7));
    assert!(!f.seen_items.unchanged(&id(9), 8), "a changed item is new");
    assert!(
        !f.seen_items.unchanged(&id(0), 7),
        "the oldest is forgotten"
    );
}

#[test]
fn seen_items_in_the_old_formats_are_moved_to_the_log() {
    let fingerprint = news_core::ids::sha256_hex("title and date");
    // Hex strings (before round 20), and `seen_items` in the JSON file
    // (before round 28).
    let old = format!(
        r#"{{"feeds":{{"https://example.com/feed":{{"validators":{{}},"next_poll":0,"interval_secs":0,"failures":0,"disabled":false,"seen":{{"{a}":"{fingerprint}"}},"seen_order":["{a}"]}},
        "https://example.com/other":{{"validators":{{}},"next_poll":0,"interval_secs":0,"failures":0,"disabled":false,"seen_items":{{"fingerprints":{{"{k}":5}},"order":[{k}]}}}}}}}}"#,
        a = id(1),
        k = hex_prefix(&id(2)),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fetcher-state.json");
    std::fs::write(&path, old).unwrap();
    let mut st = FetchState::load(&path, 100);
    let feed = &st.feeds["https://example.com/feed"];
    assert_eq!(feed.seen_items.len(), 1);
    assert!(
        feed.seen_items
            .unchanged(&id(1), item_fingerprint("title and date")),
        "an item seen before the upgrade is not fetched again"
    );
    assert!(
        st.feeds["https://example.com/other"]
            .seen_items
            .unchanged(&id(2), 5)
    );
    st.save().unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(!saved.contains("seen"), "{saved}");
    let back = FetchState::load(&path, 100);
    assert!(
        back.feeds["https://example.com/feed"]
            .seen_items
            .unchanged(&id(1), item_fingerprint("title and date"))
    );
    assert!(
        back.feeds["https://example.com/other"]
            .seen_items
            .unchanged(&id(2), 5)
    );
}

/// What `newsmill feeds list` shows of a feed: when it was polled, when it
/// last succeeded and last brought news, and why it last failed, kept
/// short, and forgotten once a poll succeeds; it survives a save and a
/// read that touches nothing.
#[test]
fn a_feeds_last_poll_success_news_and_error_are_kept() {
    let cfg = FetcherConfig::default();
    let mut st = FeedState::default();
    st.record_failure(&cfg, PollBounds::of_fetcher(&cfg), None, &"x".repeat(1000));
    assert_eq!(
        st.last_error.as_deref().map(str::len),
        Some(MAX_ERROR_CHARS)
    );
    assert!(st.last_polled_at > 0);
    assert_eq!((st.last_ok_at, st.last_new_item_at), (0, 0));
    st.record_success(PollBounds::of_fetcher(&cfg), 0, None);
    assert_eq!(st.last_error, None);
    assert_eq!(st.last_ok_at, st.last_polled_at);
    assert_eq!(st.last_new_item_at, 0, "no news yet");
    st.record_success(PollBounds::of_fetcher(&cfg), 2, None);
    assert!(st.last_new_item_at > 0);
    st.record_failure(&cfg, PollBounds::of_fetcher(&cfg), None, "http 503");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fetcher-state.json");
    let mut state = FetchState::load(&path, 100);
    state
        .feeds
        .insert("https://a.example/feed".into(), st.clone());
    state.save_between_rounds().unwrap();
    let before = std::fs::read(&path).unwrap();
    let read = FetchState::read_feeds(&path).unwrap();
    let again = &read["https://a.example/feed"];
    assert_eq!(again.last_error.as_deref(), Some("http 503"));
    assert_eq!(
        (
            again.last_polled_at,
            again.last_ok_at,
            again.last_new_item_at
        ),
        (st.last_polled_at, st.last_ok_at, st.last_new_item_at)
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(
        FetchState::read_feeds(&dir.path().join("none.json"))
            .unwrap()
            .is_empty()
    );
    std::fs::write(&path, b"{not json").unwrap();
    assert!(FetchState::read_feeds(&path).is_err());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{not json",
        "left as it was"
    );
}

/// A feed's own bounds hold its interval, news or none, and lowering them
/// brings a planned poll forward, but not a failing feed's back-off.
#[test]
fn a_feeds_own_bounds_hold_its_interval_and_lowering_them_brings_its_poll_forward() {
    let cfg = FetcherConfig::default();
    let own = PollBounds {
        min: Duration::from_secs(30),
        max: Duration::from_secs(120),
    };
    let mut st = FeedState::default();
    for _ in 0..10 {
        st.record_success(own, 0, None);
    }
    assert_eq!(
        st.interval_secs, 120,
        "a quiet feed stops at its own maximum"
    );
    for _ in 0..10 {
        st.record_success(own, 3, None);
    }
    assert_eq!(st.interval_secs, 30, "a busy one at its own minimum");

    let mut st = FeedState::default();
    for _ in 0..30 {
        st.record_success(PollBounds::of_fetcher(&cfg), 0, None);
    }
    assert_eq!(st.interval_secs, cfg.poll_max.as_secs());
    let planned = st.next_poll;
    st.fit_schedule(own);
    assert_eq!(st.interval_secs, 120);
    assert_eq!(st.next_poll, st.last_ok_at + 120);
    assert!(st.next_poll < planned);
    // Raised bounds leave the planned poll as it is.
    let (interval, next) = (st.interval_secs, st.next_poll);
    st.fit_schedule(PollBounds::of_fetcher(&cfg));
    assert_eq!((st.interval_secs, st.next_poll), (interval, next));
    // A failing feed keeps its back-off.
    st.record_failure(&cfg, PollBounds::of_fetcher(&cfg), None, "http 503");
    let backing_off = st.next_poll;
    st.fit_schedule(PollBounds {
        min: Duration::from_secs(1),
        max: Duration::from_secs(1),
    });
    assert_eq!(st.next_poll, backing_off);
}
