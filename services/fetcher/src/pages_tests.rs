//! Unit tests of a page's failure: what may pass, back-off, retries kept
//! and bounded, and what is not an article.

use super::*;

/// A page waiting until `not_before`.
fn waiting(not_before: i64) -> PageRetry {
    PageRetry {
        id: "a".into(),
        link: "https://example.com/a".into(),
        fingerprint: 1,
        item: FeedItemMeta::default(),
        attempts: 1,
        not_before,
        last_error: "http 503".into(),
    }
}

#[test]
fn failures_that_may_pass_are_told_from_final_ones() {
    for e in [
        FetchError::Timeout,
        FetchError::Transport("connection reset".into()),
        FetchError::RobotsUnreachable,
        FetchError::Status(429),
        FetchError::Status(500),
        FetchError::Status(503),
        FetchError::Status(408),
    ] {
        assert!(may_pass(&e), "{e:?}");
    }
    for e in [
        FetchError::Status(404),
        FetchError::Status(410),
        FetchError::Status(403),
        FetchError::Status(301),
        FetchError::Disallowed,
        FetchError::TooLarge(10),
        FetchError::Refused("private address".into()),
    ] {
        assert!(!may_pass(&e), "{e:?}");
    }
}

#[test]
fn the_wait_grows_fourfold_to_six_hours_and_retry_after_wins() {
    let first = Duration::from_secs(120);
    let waits: Vec<u64> = (1..=6)
        .map(|n| retry_delay(first, n, None).as_secs())
        .collect();
    assert_eq!(waits, [120, 480, 1920, 7680, 21600, 21600]);
    assert_eq!(
        retry_delay(first, 1, Some(Duration::from_secs(900))).as_secs(),
        900
    );
    assert_eq!(
        retry_delay(first, 3, Some(Duration::from_secs(60))).as_secs(),
        1920
    );
    // No overflow however many attempts.
    assert_eq!(retry_delay(first, 40, None), MAX_RETRY_DELAY);
}

#[test]
fn only_a_throttling_answer_pauses_the_host() {
    let first = Duration::from_secs(120);
    let fail = |error, retry_after| PageFailure { error, retry_after };
    let after = Some(Duration::from_secs(30));
    assert_eq!(
        host_pause(&fail(FetchError::Status(429), None), first),
        Some(first)
    );
    assert_eq!(
        host_pause(&fail(FetchError::Status(429), after), first),
        after
    );
    assert_eq!(
        host_pause(&fail(FetchError::Status(503), after), first),
        after
    );
    assert_eq!(
        host_pause(&fail(FetchError::Status(503), None), first),
        None
    );
    assert_eq!(host_pause(&fail(FetchError::Timeout, after), first), None);
}

fn fetcher(dir: &std::path::Path) -> Fetcher {
    let mut config = news_core::Config::default();
    config.bus.data_dir = dir.to_path_buf();
    let bus = news_core::bus::Bus::from_config(&config).unwrap();
    Fetcher::new(config, bus.producer().unwrap()).unwrap()
}

#[test]
fn a_pause_holds_its_domain_until_it_ends_and_the_map_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let fetcher = fetcher(dir.path());
    let now = Utc::now().timestamp();
    assert_eq!(url_domain("https://news.example.co.uk/a"), "example.co.uk");
    fetcher.pause_host("example.co.uk".into(), now + 60);
    fetcher.pause_host("example.co.uk".into(), now + 30);
    assert_eq!(
        fetcher.host_paused_until("example.co.uk"),
        Some(now + 60),
        "the longer pause holds"
    );
    assert_eq!(fetcher.host_paused_until("example.org"), None);
    fetcher.pause_host("example.org".into(), now - 1);
    assert_eq!(
        fetcher.host_paused_until("example.org"),
        None,
        "a pause that is over"
    );
    for i in 0..MAX_PAUSED_HOSTS {
        fetcher.pause_host(format!("old{i}.example"), now - 1);
    }
    fetcher.pause_host("new.example".into(), now + 60);
    let paused = fetcher.paused_hosts.lock().unwrap();
    // Once full, the map kept its live pauses only, then took the rest.
    assert!(
        paused.len() < 10,
        "the pauses that were over went: {}",
        paused.len()
    );
    assert!(paused.contains_key("example.co.uk") && paused.contains_key("new.example"));
}

#[test]
fn the_retry_lists_are_bounded_per_feed_and_in_all() {
    let dir = tempfile::tempdir().unwrap();
    let fetcher = fetcher(dir.path());
    let mut st = FeedState::default();
    fetcher
        .waiting_pages
        .store(MAX_WAITING_PAGES - 2, Ordering::Relaxed);
    assert!(fetcher.claim_waiting_slot(&st));
    assert!(fetcher.claim_waiting_slot(&st));
    assert!(!fetcher.claim_waiting_slot(&st), "the fetcher's bound");
    fetcher.release_waiting_slots(1);
    assert!(fetcher.claim_waiting_slot(&st));
    fetcher.release_waiting_slots(usize::MAX);
    assert_eq!(fetcher.waiting_pages.load(Ordering::Relaxed), 0);
    st.retries = vec![waiting(0); MAX_RETRIES_PER_FEED];
    assert!(!fetcher.claim_waiting_slot(&st), "the feed's bound");
}

#[test]
fn images_pdfs_and_binaries_are_no_article_pages_and_html_is() {
    let html = b"\xef\xbb\xbf\n  <!doctype html><p>x</p>";
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    for (content_type, body, refused) in [
        (Some("text/html; charset=utf-8"), &html[..], None),
        (Some("application/xhtml+xml"), html, None),
        (Some("text/plain"), b"Plain words.", None),
        (None, html, None),
        (Some("application/octet-stream"), html, None),
        (Some("image/png"), png, Some("image/png")),
        (
            Some("Application/PDF"),
            b"%PDF-1.7",
            Some("application/pdf"),
        ),
        (
            Some("application/octet-stream"),
            png,
            Some("application/octet-stream"),
        ),
        (None, png, Some("unlabelled binary")),
        (None, b"Plain words, served without a type.", None),
        (
            Some("application/octet-stream"),
            b"%PDF-1.7\n",
            Some("application/octet-stream"),
        ),
        (Some("application/json"), b"{}", Some("application/json")),
    ] {
        assert_eq!(
            not_an_article(content_type, body).as_deref(),
            refused,
            "{content_type:?}"
        );
    }
}

#[test]
fn a_waiting_pages_summary_and_content_are_cut_together_at_a_character_boundary() {
    let mut item = FeedItemMeta {
        summary: Some("€".repeat(2000)),
        content: Some("€".repeat(3000)),
        ..FeedItemMeta::default()
    };
    let page = |item: FeedItemMeta| PageRetry { item, ..waiting(0) };
    let bounded = page(item.clone()).bounded().item;
    let summary = bounded.summary.unwrap();
    // Three-byte characters: 4096 falls inside one.
    assert_eq!(summary.len(), MAX_WAITING_SUMMARY_BYTES - 1);
    assert!(summary.chars().all(|c| c == '€'));
    // No room is left for the content.
    assert_eq!(bounded.content, None);
    // A teaser leaves the content the rest.
    item.summary = Some("Teaser.".into());
    let bounded = page(item.clone()).bounded().item;
    let content = bounded.content.unwrap();
    assert_eq!(content.len(), (MAX_WAITING_SUMMARY_BYTES - 7) / 3 * 3);
    assert_eq!(bounded.summary.as_deref(), Some("Teaser."));
    item.content = Some("<p>short</p>".into());
    assert_eq!(page(item.clone()).bounded().item, item);
}

#[test]
fn a_feed_with_pages_waiting_is_polled_when_the_first_is_due() {
    let now = Utc::now().timestamp();
    let mut st = FeedState::default();
    st.next_poll = now + 6 * 3600;
    poll_again_for_retries(&mut st, Duration::from_secs(300));
    assert_eq!(st.next_poll, now + 6 * 3600, "nothing waiting");
    st.retries = vec![waiting(now + 3600), waiting(now + 1800)];
    poll_again_for_retries(&mut st, Duration::from_secs(300));
    assert_eq!(st.next_poll, now + 1800);
    st.retries = vec![waiting(now + 10)];
    poll_again_for_retries(&mut st, Duration::from_secs(300));
    assert!(
        (now + 300..=now + 301).contains(&st.next_poll),
        "not before poll_min"
    );
}
