//! The clean stage's use of the text a feed item carries: for a page that
//! gives none, one never read, and one cut short.

use super::*;

/// The story the feed items below carry.
const STORY: &str = "The harbour authority of Port Elin approved a second ferry berth on \
    Monday, and the first crossing to the islands will run in April after a vote of seven to \
    two by its board.";

/// A raw item for the stage tests below: `html` read at `fetched_url` for
/// the feed item `item` (its title is the feed's headline).
fn raw_item(fetched_url: &str, html: &str, item: serde_json::Value) -> RawItem {
    let mut item = item;
    item["feed_url"] = "https://news.example.org/rss".into();
    item["title"] = "Harbour board approves a second ferry berth".into();
    serde_json::from_value(serde_json::json!({
        "schema_version": 1,
        "id": "d".repeat(64),
        "url": "https://news.example.org/world/2024/06/harbour-vote",
        "fetched_url": fetched_url,
        "fetched_at": "2024-06-01T10:00:00Z",
        "http_status": 200,
        "html": html,
        "item": item,
    }))
    .unwrap()
}

/// Where a raw item came from, for `process`.
fn raw_origin() -> news_core::bus::InRecord {
    news_core::bus::InRecord {
        topic: "news.raw.v1".into(),
        partition: 0,
        offset: 0,
        next_offset: 1,
        key: None,
        headers: Vec::new(),
        payload: Vec::new(),
        timestamp_ms: None,
    }
}

/// A page that gives no article text (a wall served in its place, a shell
/// its script fills in) leaves the story the feed item carries: its
/// content, else its summary, cleaned under the page's rules, marked as the
/// feed's and counted by why the page gave none. A teaser with too few
/// words leaves the article empty; a page with its story wins.
#[test]
fn a_page_without_text_leaves_the_text_the_feed_item_carries() {
    let stage = CleanStage::new(&news_core::Config::default());
    let wall = include_str!("../tests/data/consent_wall.html");
    let consent = "https://consent.example.org/v2/collectConsent?sessionId=3";
    let shell = "<html><head><title>News</title></head><body><div id=app></div>\
        <script>render()</script></body></html>";
    let home = "https://news.example.org/world/2024/06/harbour-vote";
    let full = format!("<p>{STORY}</p><p>Share this</p>");
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let [walled, scripted, teaser, page] = metrics::with_local_recorder(&recorder, || {
        [
            raw_item(
                consent,
                wall,
                serde_json::json!({"summary": "Teaser.", "content": full}),
            ),
            raw_item(home, shell, serde_json::json!({"summary": STORY})),
            raw_item(
                home,
                shell,
                serde_json::json!({"summary": "Continue reading →"}),
            ),
            raw_item(
                home,
                &format!("<article><p>{STORY} Page.</p></article>"),
                serde_json::json!({"content": full}),
            ),
        ]
        .map(|raw| stage.clean(raw).unwrap())
    });
    assert_eq!(walled.text, STORY);
    assert_eq!(walled.text_source, Some(TextSource::Feed));
    assert_eq!(walled.method, ExtractionMethod::Scoring);
    assert_eq!(walled.empty_reason, None);
    assert_eq!(walled.text_sha256, sha256_hex(normalise_text(STORY)));
    assert_eq!(
        walled.title.as_deref(),
        Some("Harbour board approves a second ferry berth")
    );
    assert_eq!(walled.language.as_deref(), Some("en"));
    // A summary with no tag is text.
    assert_eq!(scripted.text, STORY);
    assert_eq!(scripted.text_source, Some(TextSource::Feed));
    assert_eq!(scripted.method, ExtractionMethod::PlainText);
    assert_eq!(teaser.text, "");
    assert_eq!(teaser.text_source, Some(TextSource::Page));
    assert!(teaser.empty_reason.is_some(), "{teaser:?}");
    assert!(page.text.ends_with("Page."), "{page:?}");
    assert_eq!(page.text_source, Some(TextSource::Page));
    let exposition = recorder.handle().render();
    let count = |series: &str| {
        exposition
            .lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse::<u64>().ok())
    };
    assert_eq!(
        count("news_clean_feed_text_total{reason=\"consent_wall\"}"),
        Some(1)
    );
    assert_eq!(
        count("news_clean_feed_text_total{reason=\"too_little_text\"}"),
        Some(1)
    );
    assert_eq!(
        count("news_clean_empty_total{reason=\"too_little_text\"}"),
        Some(1)
    );
    assert_eq!(
        count("news_clean_empty_total{reason=\"consent_wall\"}"),
        None
    );
}

/// A feed item standing in for a page the fetcher could not read (robots,
/// a refusal, a site down until the page's attempts ran out) gives its text
/// as a wall's does, counted by why the page went unread. One whose text
/// is no article is not published: its page's dead letter keeps it.
#[test]
fn a_feed_item_stands_in_for_a_page_never_read() {
    let unread = |reason: &str, item: serde_json::Value| -> RawItem {
        let mut raw = raw_item("", "", item);
        raw.unread = Some(
            serde_json::from_value(
                serde_json::json!({"reason": reason, "error": "disallowed by robots.txt"}),
            )
            .unwrap(),
        );
        raw
    };
    let origin = raw_origin();
    let mut stage = CleanStage::new(&news_core::Config::default());
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let (robots, published, dropped) = metrics::with_local_recorder(&recorder, || {
        let robots = stage
            .clean(unread(
                "robots",
                serde_json::json!({"summary": "Teaser.", "content": format!("<p>{STORY}</p>")}),
            ))
            .unwrap();
        let published = stage
            .process(
                unread("denied", serde_json::json!({"summary": STORY})),
                &origin,
            )
            .unwrap();
        let dropped = stage
            .process(
                unread(
                    "failing",
                    serde_json::json!({"summary": "Continue reading →"}),
                ),
                &origin,
            )
            .unwrap();
        (robots, published, dropped)
    });
    assert_eq!(robots.text, STORY);
    assert_eq!(robots.text_source, Some(TextSource::Feed));
    assert_eq!(robots.fetched_url, None);
    assert_eq!(
        robots.title.as_deref(),
        Some("Harbour board approves a second ferry berth")
    );
    assert_eq!(published.len(), 1);
    let article: CleanArticle = serde_json::from_slice(&published[0].payload).unwrap();
    assert_eq!(article.text, STORY);
    assert_eq!(article.method, ExtractionMethod::PlainText);
    assert!(dropped.is_empty(), "a teaser is no article");
    let exposition = recorder.handle().render();
    for series in [
        "news_clean_feed_text_total{reason=\"unread_robots\"} 1",
        "news_clean_feed_text_total{reason=\"unread_denied\"} 1",
        "news_clean_empty_total{reason=\"unread_failing\"} 1",
    ] {
        assert!(
            exposition.lines().any(|l| l == series),
            "{series} in {exposition}"
        );
    }
}

/// An item of a feed read for its text alone (`fetcher.feed_text_only`):
/// its text is the article's, and a teaser, which no dead letter keeps,
/// goes on empty with the reason, as a page with too little text does.
#[test]
fn a_feed_read_for_its_text_alone_gives_its_articles_even_empty() {
    let feed_only = |item: serde_json::Value| -> RawItem {
        let mut raw = raw_item("", "", item);
        raw.http_status = 0;
        raw.unread = Some(
            serde_json::from_value(serde_json::json!({"reason": "feed_text_only", "error": ""}))
                .unwrap(),
        );
        raw
    };
    let origin = raw_origin();
    let mut stage = CleanStage::new(&news_core::Config::default());
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let (full, teaser) = metrics::with_local_recorder(&recorder, || {
        let mut process = |item| stage.process(feed_only(item), &origin).unwrap();
        (
            process(serde_json::json!({"content": format!("<p>{STORY}</p>")})),
            process(serde_json::json!({"summary": "Continue reading →"})),
        )
    });
    let article = |out: &[OutRecord]| -> CleanArticle {
        assert_eq!(out.len(), 1, "published");
        serde_json::from_slice(&out[0].payload).unwrap()
    };
    let full = article(&full);
    assert_eq!(full.text, STORY);
    assert_eq!(full.text_source, Some(TextSource::Feed));
    let teaser = article(&teaser);
    assert_eq!(teaser.text, "");
    assert!(
        teaser
            .empty_reason
            .as_deref()
            .is_some_and(|r| r.contains("feed is read for its text alone")),
        "{:?}",
        teaser.empty_reason
    );
    let exposition = recorder.handle().render();
    for series in [
        "news_clean_feed_text_total{reason=\"feed_text_only\"} 1",
        "news_clean_empty_total{reason=\"feed_text_only\"} 1",
    ] {
        assert!(
            exposition.lines().any(|l| l == series),
            "{series} in {exposition}"
        );
    }
}

/// A page that gives only the start of its story (a metered paywall's
/// first paragraphs) takes the whole story its feed item carries, counted
/// as `page_cut_short`; it keeps its own headline. A page with the whole
/// story keeps its text, and so does a teaser whose feed item carries a
/// longer text about something else.
#[test]
fn a_page_cut_short_takes_the_whole_story_its_feed_item_carries() {
    const PARAGRAPHS: [&str; 6] = [
        "The harbour authority of Port Elin approved a second ferry berth on Monday, after a \
         vote of seven to two by its board at the end of a four-hour meeting.",
        "The first crossing to the islands from the new berth will run in April, the authority \
         said, and the old berth will close for repairs until the autumn.",
        "Fishermen who moor beside the site said they had not been asked, and that the works \
         would cut their access to the fuel dock for most of the winter season.",
        "The authority's chair said a temporary dock would open on the north quay, and that \
         the fuel barge would move there in January at the authority's cost.",
        "The berth will cost 14 million euros, two thirds of it from a regional fund, and the \
         contract goes to a builder from Tarsk that rebuilt the ferry pier in Halm in 2019.",
        "Two members who voted against said the estimate left out the dredging of the channel, \
         which the authority's own engineers put at a further three million euros last year.",
    ];
    let story = PARAGRAPHS.join("\n");
    let page = |paragraphs: &[&str]| {
        let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
        format!(
            "<html><head><title>Port Elin votes for a second berth</title></head><body><article>\
             <h1>Port Elin votes for a second berth</h1>{body}</article></body></html>"
        )
    };
    let full_content = serde_json::json!({ "content": page(&PARAGRAPHS) });
    let other_story = serde_json::json!({
        "content": (0..8)
            .map(|n| format!("<p>Item {n} of the city council's agenda for the spring session \
                 covers the parking rules on the east side, the library's hours and the budget \
                 for the summer festival in the old town square.</p>"))
            .collect::<String>()
    });
    let home = "https://news.example.org/world/2024/06/harbour-vote";
    let stage = CleanStage::new(&news_core::Config::default());
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let [teaser, whole, unrelated] = metrics::with_local_recorder(&recorder, || {
        [
            raw_item(home, &page(&PARAGRAPHS[..2]), full_content.clone()),
            raw_item(home, &page(&PARAGRAPHS), full_content.clone()),
            raw_item(home, &page(&PARAGRAPHS[..2]), other_story),
        ]
        .map(|raw| stage.clean(raw).unwrap())
    });
    assert_eq!(teaser.text, story);
    assert_eq!(teaser.text_source, Some(TextSource::Feed));
    assert_eq!(
        teaser.title.as_deref(),
        Some("Port Elin votes for a second berth")
    );
    assert_eq!(whole.text, story);
    assert_eq!(whole.text_source, Some(TextSource::Page));
    assert_eq!(unrelated.text, PARAGRAPHS[..2].join("\n"));
    assert_eq!(unrelated.text_source, Some(TextSource::Page));
    let exposition = recorder.handle().render();
    assert!(
        exposition
            .lines()
            .any(|l| l == "news_clean_feed_text_total{reason=\"page_cut_short\"} 1"),
        "{exposition}"
    );
}

/// The article's keywords are its page's, then its feed item's
/// categories, each once; a page that gives no description takes its feed
/// item's summary as text, without markup or a blog feed's closing line.
#[test]
fn an_article_takes_its_feed_items_categories_and_summary_after_its_pages_own() {
    let stage = CleanStage::new(&news_core::Config::default());
    let home = "https://news.example.org/world/2024/06/harbour-vote";
    let item = serde_json::json!({
        "summary": "<p>A second <b>berth</b> for the islands.</p> <p>The post Ferry berth \
            approved appeared first on Valley News.</p>",
        "categories": ["Uncategorized", "Ferries", "port elin", "Islands"],
    });
    let described = format!(
        r#"<html><head><meta property="og:description" content="The board votes.">
        <meta property="article:tag" content="Port Elin"></head>
        <body><article><p>{STORY}</p></article></body></html>"#
    );
    let article = stage
        .clean(raw_item(home, &described, item.clone()))
        .unwrap();
    assert_eq!(article.description.as_deref(), Some("The board votes."));
    assert_eq!(article.keywords, ["Port Elin", "Ferries", "Islands"]);

    let plain = format!("<html><body><article><p>{STORY}</p></article></body></html>");
    let article = stage.clean(raw_item(home, &plain, item.clone())).unwrap();
    assert_eq!(
        article.description.as_deref(),
        Some("A second berth for the islands.")
    );
    assert_eq!(article.section, None);
    assert_eq!(article.keywords, ["Ferries", "port elin", "Islands"]);

    // A consent wall's metadata is not the article's: the feed's is.
    let wall = include_str!("../tests/data/consent_wall.html");
    let consent = "https://consent.example.org/v2/collectConsent?sessionId=3";
    let walled = serde_json::json!({"summary": STORY, "categories": ["Ferries"]});
    let article = stage.clean(raw_item(consent, wall, walled)).unwrap();
    assert_eq!(article.text_source, Some(TextSource::Feed));
    assert_eq!(article.description.as_deref(), Some(STORY));
    assert_eq!(article.keywords, ["Ferries"]);
}
