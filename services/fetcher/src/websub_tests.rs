use super::*;

fn feed_with_links(links: &[(&str, &str)]) -> ParsedFeed {
    let mut feed = ParsedFeed::default();
    feed.feed.common.links = links
        .iter()
        .map(|(rel, href)| crate::feed::Link {
            rel: rel.to_string(),
            href: href.to_string(),
            ..Default::default()
        })
        .collect();
    feed
}

#[test]
fn a_feeds_hub_and_topic_come_from_its_links() {
    let read_from = Url::parse("https://example.org/feed?format=rss").unwrap();
    let feed = feed_with_links(&[
        ("alternate", "https://example.org/"),
        ("hub", "javascript:alert(1)"),
        ("HUB", "https://hub.example.net/"),
        ("self", "https://example.org/feed/"),
    ]);
    let (hub, topic) = hub_of(&feed, &[], &read_from).unwrap();
    assert_eq!(hub.as_str(), "https://hub.example.net/");
    assert_eq!(topic.as_str(), "https://example.org/feed/");
    // No self link: the topic is the URL the feed was read from.
    let bare = feed_with_links(&[("hub", "https://hub.example.net/")]);
    assert_eq!(hub_of(&bare, &[], &read_from).unwrap().1, read_from);
    let no_hub = feed_with_links(&[("self", "https://a/")]);
    assert_eq!(hub_of(&no_hub, &[], &read_from), None);
    // The answer's Link headers come first.
    let headers = crate::http::link_header(
        r#"</hub?a=1,b=2>; rel="hub", <https://example.org/feed>; title="a, b"; rel=self, <x>"#,
        &read_from,
    );
    let url = |u: &str| Url::parse(u).unwrap();
    assert_eq!(
        headers,
        [
            ("hub".to_string(), url("https://example.org/hub?a=1,b=2")),
            ("self".to_string(), url("https://example.org/feed")),
        ]
    );
    let (hub, topic) = hub_of(&feed, &headers, &read_from).unwrap();
    assert_eq!(hub.as_str(), "https://example.org/hub?a=1,b=2");
    assert_eq!(topic.as_str(), "https://example.org/feed");
    assert_eq!(
        hub_of(&ParsedFeed::default(), &headers, &read_from)
            .unwrap()
            .0,
        hub
    );
    let several = crate::http::link_header(r#"<https://h.example/>; rel="hub self""#, &read_from);
    assert_eq!(several.len(), 2);
    for broken in ["", "<", "no brackets; rel=hub", "<https://a/", ">; rel=hub"] {
        assert!(
            crate::http::link_header(broken, &read_from).is_empty(),
            "{broken:?}"
        );
    }
}

#[test]
fn a_hub_is_asked_when_no_lease_holds_and_not_again_within_the_hour() {
    let hub = Url::parse("https://hub.example.net/").unwrap();
    let topic = Url::parse("https://example.org/feed").unwrap();
    let now = 1_000_000_000;
    let lease = |requested_ago: i64, until: i64, denied: bool| Lease {
        hub: hub.to_string(),
        topic: topic.to_string(),
        secret: "s".into(),
        requested_at: now - requested_ago,
        until,
        denied: denied.then(|| "no".into()),
    };
    let wants = |l: Option<&Lease>| wants_request(l, &hub, &topic, now);
    assert!(wants(None));
    assert!(!wants(Some(&lease(60, 0, false))), "asked a minute ago");
    assert!(
        wants(Some(&lease(3600, 0, false))),
        "unverified for an hour"
    );
    assert!(
        !wants(Some(&lease(7200, now + 3 * 86400, false))),
        "a lease of three days more"
    );
    assert!(
        wants(Some(&lease(7200, now + 3600, false))),
        "a lease in its last day"
    );
    assert!(!wants(Some(&lease(3600, 0, true))), "denied an hour ago");
    assert!(wants(Some(&lease(86400, 0, true))), "denied a day ago");
    let other = Url::parse("https://other-hub.example.net/").unwrap();
    assert!(wants_request(
        Some(&lease(60, now + 5 * 86400, false)),
        &other,
        &topic,
        now
    ));
}

/// RFC 2202 and RFC 4231's second test case: key "Jefe".
#[test]
fn a_push_is_signed_with_its_leases_secret() {
    let body = b"what do ya want for nothing?";
    let sha1 = "sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";
    let sha256 = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    assert!(signed_by(sha1, b"Jefe", body));
    assert!(signed_by(sha256, b"Jefe", body));
    assert!(signed_by(
        &sha256.to_uppercase().replace("SHA256", "sha256"),
        b"Jefe",
        body
    ));
    assert!(!signed_by(sha256, b"Jeff", body));
    assert!(!signed_by(sha256, b"Jefe", b"what do ya want for nothing!"));
    for broken in ["sha256", "md5=00", "sha256=5bd", "sha256=zz", ""] {
        assert!(!signed_by(broken, b"Jefe", body), "{broken:?}");
    }
}

fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn only_a_request_we_made_is_confirmed_and_its_lease_capped() {
    let feed = "https://example.org/feed";
    let lease = Lease {
        hub: "https://hub.example.net/".into(),
        topic: "https://example.org/feed/".into(),
        secret: "s3cret".into(),
        ..Lease::default()
    };
    let mut registry = Registry::default();
    registry.register(feed, &lease, true);
    let key = callback_key(feed);
    let subscribe = |topic: &str, lease_seconds: &str| {
        query(&[
            ("hub.mode", "subscribe"),
            ("hub.topic", topic),
            ("hub.challenge", "c-123"),
            ("hub.lease_seconds", lease_seconds),
        ])
    };
    let now = 1_000;
    // Another topic, another key: refused.
    assert_eq!(
        registry.verify(&key, &subscribe("https://evil.example/", "10"), now),
        (None, None)
    );
    assert_eq!(
        registry.verify("0123", &subscribe(&lease.topic, "10"), now),
        (None, None)
    );
    // Ours: the challenge, and a lease no longer than asked.
    let (answer, event) = registry.verify(&key, &subscribe(&lease.topic, "99999999"), now);
    assert_eq!(answer.as_deref(), Some("c-123"));
    assert_eq!(
        event,
        Some(PushEvent::Verified {
            feed_url: feed.into(),
            until: now + LEASE_ASKED_SECS
        })
    );
    // Once: a second verification is no request of ours.
    assert_eq!(
        registry.verify(&key, &subscribe(&lease.topic, "10"), now),
        (None, None)
    );
    // Ending it: refused while we hold it, confirmed once we do not.
    let unsubscribe = query(&[
        ("hub.mode", "unsubscribe"),
        ("hub.topic", &lease.topic),
        ("hub.challenge", "c-9"),
    ]);
    assert_eq!(registry.verify(&key, &unsubscribe, now), (None, None));
    // Signed pushes only.
    let body = b"<rss/>";
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(b"s3cret").unwrap();
    mac.update(body);
    let hex = hex::encode(mac.finalize().into_bytes());
    let signed = format!("sha256={hex}");
    assert_eq!(
        registry.judge_push(&key, Some(&signed), body),
        Push::Signed {
            feed_url: feed.into()
        }
    );
    assert_eq!(
        registry.judge_push(&key, Some(&signed), b"<rss>"),
        Push::BadSignature
    );
    assert_eq!(registry.judge_push(&key, None, body), Push::Unsigned);
    assert_eq!(
        registry.judge_push("0123", Some(&signed), body),
        Push::Unknown
    );
    // Denied: reported once, and forgotten.
    let denied = query(&[
        ("hub.mode", "denied"),
        ("hub.topic", &lease.topic),
        ("hub.reason", "not allowed"),
    ]);
    let (answer, event) = registry.verify(&key, &denied, now);
    assert_eq!(answer.as_deref(), Some(""));
    assert_eq!(
        event,
        Some(PushEvent::Denied {
            feed_url: feed.into(),
            reason: "not allowed".into()
        })
    );
    assert!(registry.is_empty());
    assert_eq!(
        registry.judge_push(&key, Some(&signed), body),
        Push::Unknown
    );
    assert_eq!(
        registry.verify(&key, &unsubscribe, now).0.as_deref(),
        Some("c-9")
    );
}

#[test]
fn a_callback_names_no_feed() {
    let url = callback_url(
        "https://newsmill.example.org/websub/",
        "https://user:pw@example.org/feed",
    );
    assert!(url.starts_with("https://newsmill.example.org/websub/"));
    assert!(
        !url.contains("example.org/feed") && !url.contains("pw"),
        "{url}"
    );
    assert_eq!(url.rsplit('/').next().unwrap().len(), 32);
    assert_ne!(
        callback_key("https://a/feed"),
        callback_key("https://b/feed")
    );
    assert_eq!(new_secret().len(), 64);
    assert_ne!(new_secret(), new_secret());
}
