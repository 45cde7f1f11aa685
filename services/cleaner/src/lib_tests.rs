//! Unit tests of the whole extraction: metadata, normalisation, pages.

use super::*;

#[test]
fn a_double_encoded_page_reads_and_hashes_as_the_clean_one() {
    let story = "<p>The mayor’s office said the bridge — closed since May — won’t reopen before the café’s summer season, and that repairs will cost €4 million over two years.</p>\
        <p>Residents said they’d waited long enough, and that the detour adds twenty minutes to every trip into town.</p>";
    let page = |body: &str| {
        format!(
            "<html><head><title>Bridge stays shut</title></head><body><article><h1>Bridge stays shut</h1>{body}</article></body></html>"
        )
    };
    let clean = extract_html(&page(story), Limits::default());
    // What a CMS that read the UTF-8 as windows-1252 publishes.
    let (broken, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(story.as_bytes());
    assert!(broken.contains("â€™"));
    let repaired = extract_html(&page(&broken), Limits::default());
    assert!(clean.text.contains("won’t reopen"), "{}", clean.text);
    assert_eq!(repaired.text, clean.text);
    assert_eq!(repaired.text_sha256, clean.text_sha256);
}

/// JSON-LD sits in a script, whose text HTML does not decode; pages
/// write character references in it all the same.
#[test]
fn character_references_in_json_ld_and_bylines_are_read_as_names() {
    let page = r#"<html><head><script type="application/ld+json">
        {"@context": "https://schema.org", "@type": "NewsArticle",
         "headline": "&#8216;The Medium is the Message&#8217;: a festival &amp; its lights",
         "author": {"@type": "Person", "name": "Seán O&#039;Brien"}}
        </script></head><body><article><p>The festival opened on Thursday with twenty works of light along the canals, the organisers said.</p></article></body></html>"#;
    let out = extract_html(page, Limits::default());
    assert_eq!(
        out.title.as_deref(),
        Some("‘The Medium is the Message’: a festival & its lights")
    );
    assert_eq!(out.authors, ["Seán O'Brien"]);
    // A byline in a <meta>, read as the name it gives.
    let page = page.replace(r#""author""#, r#""writer""#).replace(
        "<head>",
        r#"<head><meta name="author" content="By JANE DOE and JOHN ROE, Associated Press">"#,
    );
    let out = extract_html(&page, Limits::default());
    assert_eq!(out.authors, ["JANE DOE", "JOHN ROE"]);
}

/// `og:title` often ends with the site's name, which the title drops.
#[test]
fn the_site_name_at_the_end_of_a_title_is_cut() {
    let page = |title: &str| {
        format!(
            r#"<html><head><meta property="og:title" content="{title}">
            <meta property="og:site_name" content="Daily Courier | News for the Valley">
            </head><body><article><h1>Bridge reopens after two years of repairs</h1>
            <p>The old bridge over the river reopened on Monday after two years of repairs, the council said.</p>
            <p>Traffic is expected to return to its old levels within weeks, according to the town's engineers.</p>
            </article></body></html>"#
        )
    };
    let out = extract_html(
        &page("Bridge reopens after two years of repairs - Daily Courier | News for the Valley"),
        Limits::default(),
    );
    assert_eq!(
        out.title.as_deref(),
        Some("Bridge reopens after two years of repairs")
    );
    // Too short a headline to tell from a site name: left whole.
    let out = extract_html(&page("Courier - Daily Courier"), Limits::default());
    assert_eq!(out.title.as_deref(), Some("Courier - Daily Courier"));
}

/// JSON-LD that is not quite JSON (a comma before a closing bracket, a
/// line break in a string) is read; a JSON-LD headline that is a
/// summary loses to the <h1> that the <title> repeats.
#[test]
fn loose_json_ld_is_read_and_the_visible_headline_settles_the_title() {
    let page = |headline: &str| {
        format!(
            "<html><head><title>Hermitian matrix - Wikipedia</title>\
            <script type=\"application/ld+json\">{{\"@type\": \"Article\", \"name\": \"Hermitian matrix\",\
            \"headline\": \"{headline}\", \"datePublished\": \"2003-02-28T21:51:08Z\",\
            \"author\": [{{\"name\": \"Ann\nLee\"}}, ], }}</script></head>\
            <body><h1>Hermitian matrix</h1><article><p>In mathematics, a Hermitian matrix is a complex square matrix that is equal to its own conjugate transpose.</p></article></body></html>"
        )
    };
    let out = extract_html(
        &page("matrix equal to its conjugate-transpose"),
        Limits::default(),
    );
    assert_eq!(out.title.as_deref(), Some("Hermitian matrix"));
    assert_eq!(out.authors, ["Ann Lee"]);
    assert_eq!(
        out.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2003-02-28T21:51:08+00:00")
    );
    // A headline the <h1> does not contradict stays.
    let out = extract_html(
        &page("Hermitian matrices and their eigenvalues").replace("<h1>Hermitian matrix</h1>", ""),
        Limits::default(),
    );
    assert_eq!(
        out.title.as_deref(),
        Some("Hermitian matrices and their eigenvalues")
    );
}

#[test]
fn one_pass_normalisation_equals_the_definition() {
    for text in [
        "  Plain ASCII   text,\nTWO lines. ",
        "vertical\x0Btab\x0Cform feed\r\nend",
        "ΟΔΟΣ ΣΟΦΟΚΛΕΟΥΣ: Ο ΔΡΟΜΟΣ ΣΤΗΝ ΑΘΗΝΑ",
        "東京で地震が発生しました 午前 9時",
        "Straße ÜBER İstanbul\t\u{a0}end",
        "",
    ] {
        let (normalised, words) = normalise_and_count(text);
        assert_eq!(normalised, normalise_text(text), "{text:?}");
        assert_eq!(words, word_count(text), "{text:?}");
    }
}

fn paragraph(topic: &str, n: usize) -> String {
    format!(
        "<p>The council met on Monday to discuss {topic}, and members voted {n} to 3 \
         after a long debate about costs, schedules and the views of residents nearby.</p>"
    )
}

#[test]
fn a_page_with_a_few_words_keeps_them() {
    let out = extract_html(
        "<html><head><title>Notice</title></head><body><div>\
         The office is closed on Friday.</div></body></html>",
        Limits::default(),
    );
    assert_eq!(out.text, "The office is closed on Friday.");
    assert!(out.empty_reason.is_none(), "{out:?}");
    let empty = extract_html("<html><body> </body></html>", Limits::default());
    assert!(empty.text.is_empty() && empty.empty_reason.is_some());
}

#[test]
fn an_article_inside_a_header_or_an_unclosed_aside_is_kept() {
    let story: String = (0..6).map(|i| paragraph("the bridge", i)).collect();
    for html in [
        format!(
            "<html><body><nav><a href='/'>Home</a></nav><header class='post'>{story}</header></body></html>"
        ),
        format!(
            "<html><body><aside class='banner'><p>Sale!</p><main><article>{story}</article></main></body></html>"
        ),
    ] {
        let out = extract_html(&html, Limits::default());
        assert!(
            out.text.contains("the bridge") && out.word_count > 100,
            "{html}\n{out:?}"
        );
    }
    // A sidebar of teasers stays out, however long.
    let teasers: String = (0..12)
        .map(|i| {
            format!(
                "<p><a href='/t{i}'>Teaser {i} about another story entirely</a> \
             and a short summary of it.</p>"
            )
        })
        .collect();
    let html = format!(
        "<html><body><article>{story}</article><aside>{teasers}{teasers}</aside></body></html>"
    );
    let out = extract_html(&html, Limits::default());
    assert!(
        out.text.contains("the bridge") && !out.text.contains("Teaser"),
        "{out:?}"
    );
}

/// A list of links, which counts against any container holding it.
fn link_list() -> String {
    let items: String = (0..12)
        .map(|i| format!("<li><a href='/n{i}'>Section number {i} of the site</a></li>"))
        .collect();
    format!("<ul>{items}</ul>")
}

#[test]
fn a_short_article_marked_as_article_body_beats_a_longer_footer_box() {
    let body = "A man was arrested on Tuesday after a fire destroyed two warehouses \
                near the port, police said, adding that nobody was hurt in the blaze. \
                <div></div>Firefighters worked through the night to stop it from \
                spreading to the homes nearby, the city said.";
    let footer = "Our customer service centre answers questions about subscriptions, \
                  deliveries and billing on weekdays between nine and five, and on \
                  Fridays it only handles delivery requests between nine and one. \
                  International customers can call the centre on weekdays too, or \
                  write to it at any time, and it answers within two working days.";
    let html = format!(
        "<html><body><h1>Warehouses burn</h1><div class='x'>\
         <div itemprop='articleBody'>{body}</div></div>{links}\
         <div class='y'><div>{footer}</div></div></body></html>",
        links = link_list()
    );
    let out = extract_html(&html, Limits::default());
    assert!(out.text.starts_with("A man was arrested"), "{out:?}");
    assert!(!out.text.contains("customer service"), "{out:?}");
}

#[test]
fn a_page_of_short_lines_is_kept_and_an_index_page_stays_empty() {
    let dates: String = (1..=12)
        .map(|i| format!("<p>Round {i}: {i} March at the city circuit</p>"))
        .collect();
    let calendar = format!(
        "<html><body><h1>Race calendar</h1><div class='post'>{dates}</div>{links}\
         <div class='note'><p>Comments that insult other readers are not approved.</p></div>\
         </body></html>",
        links = link_list()
    );
    let out = extract_html(&calendar, Limits::default());
    assert!(out.text.starts_with("Round 1: 1 March"), "{out:?}");
    assert!(out.text.contains("Round 12: 12 March"), "{out:?}");
    assert!(!out.text.contains("Comments"), "{out:?}");

    let cards: String = (1..=12)
        .map(|i| {
            format!(
                "<div class='card'><h3><a href='/s{i}'>Headline number {i} of the day</a></h3>\
                 <p>A short summary of story {i} for the front page.</p></div>"
            )
        })
        .collect();
    let index = format!("<html><body><h1>Latest news</h1><div>{cards}</div></body></html>");
    let out = extract_html(&index, Limits::default());
    assert!(out.text.is_empty(), "{out:?}");
    assert!(
        out.empty_reason
            .as_deref()
            .is_some_and(|r| r.contains("index")),
        "{out:?}"
    );
}

/// Pages write dates in `<meta>` as feeds do, not only in ISO 8601.
#[test]
fn a_meta_date_written_as_in_feeds_is_read() {
    let page = |date: &str| {
        format!(
            r#"<html><head><meta property="article:published_time" content="{date}"></head>
            <body><article><p>The council approved the new budget on Tuesday evening after a long debate, officials said.</p></article></body></html>"#
        )
    };
    for (written, read) in [
        (
            "November 19, 2019, 07:47 PM EST",
            "2019-11-20T00:47:00+00:00",
        ),
        (
            "Tue, 19 Nov 2019 19:47:00 -0500",
            "2019-11-20T00:47:00+00:00",
        ),
        ("2019-11-19T19:47:00-05:00", "2019-11-20T00:47:00+00:00"),
    ] {
        let out = extract_html(&page(written), Limits::default());
        assert_eq!(
            out.published.map(|d| d.to_rfc3339()).as_deref(),
            Some(read),
            "{written}"
        );
    }
}

/// A day without a time in one place takes its time from another.
#[test]
fn a_day_without_a_time_takes_the_time_another_source_gives() {
    let page = r#"<html><head><meta property="article:published_time" content="2019-11-19T11:21:08+00:00">
        <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget passes", "datePublished": "November 19, 2019"}</script></head>
        <body><article><p>The council approved the new budget on Tuesday evening after a long debate, officials said.</p></article></body></html>"#;
    let out = extract_html(page, Limits::default());
    assert_eq!(
        out.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2019-11-19T11:21:08+00:00")
    );
}

/// The clean stage makes metadata links absolute against the fetched URL,
/// and drops those that are no link.
#[test]
fn metadata_links_are_made_absolute_against_the_fetched_page() {
    let base = url::Url::parse("https://news.example.org/world/2024/story.html").ok();
    let cases = [
        ("/img/og.png", Some("https://news.example.org/img/og.png")),
        (
            "//cdn.example.net/a.jpg",
            Some("https://cdn.example.net/a.jpg"),
        ),
        (
            "../pics/b.jpg",
            Some("https://news.example.org/world/pics/b.jpg"),
        ),
        (
            "https://other.example/c.jpg",
            Some("https://other.example/c.jpg"),
        ),
        ("", None),
        ("What are the different types of wine?", None),
        ("data:image/png;base64,AAAA", None),
        ("javascript:void(0)", None),
    ];
    for (link, want) in cases {
        assert_eq!(
            absolute_url(link, base.as_ref()).as_deref(),
            want,
            "{link:?}"
        );
    }
    // With no base, a relative link cannot be placed.
    assert_eq!(absolute_url("/img/og.png", None), None);
}

/// Through the stage: links made absolute against where the page was read,
/// which the article keeps, and a feed item's RSS author as a name when
/// the page names none.
#[test]
fn the_clean_stage_places_links_and_names_the_feeds_author() {
    let html = r#"<html><head><meta property="og:image" content="/img/og.png">
        <link rel="canonical" href="/world/2024/story.html"></head>
        <body><article><p>The council approved the new budget on Tuesday evening after a long debate, officials said.</p></article></body></html>"#;
    let raw: news_core::messages::RawItem = serde_json::from_value(serde_json::json!({
        "schema_version": 1,
        "id": "a".repeat(64),
        "url": "https://news.example.org/world/2024/story.html",
        "fetched_url": "https://www.news.example.org/world/2024/story.html?x=1",
        "fetched_at": "2024-06-01T10:00:00Z",
        "http_status": 200,
        "html": html,
        "item": {"feed_url": "https://news.example.org/rss", "authors": ["jane@example.org (Jane Doe)"],
                 "image": "https://cdn.example.org/feed-thumb.jpg"}
    }))
    .unwrap();
    let stage = CleanStage::new(&news_core::Config::default());
    let article = stage.clean(raw).unwrap();
    // The page's own picture before its feed item's.
    assert_eq!(
        article.lead_image.as_deref(),
        Some("https://www.news.example.org/img/og.png")
    );
    assert_eq!(
        article.canonical_url.as_deref(),
        Some("https://www.news.example.org/world/2024/story.html")
    );
    assert_eq!(article.authors, ["Jane Doe"]);
    // The page read goes on with the article (dedup names its outlet by it).
    assert_eq!(
        article.fetched_url.as_deref(),
        Some("https://www.news.example.org/world/2024/story.html?x=1")
    );
}

/// A consent wall at the article's own address (or a login, or an error
/// page served as 200) stands in for every article of its site, under one
/// title: an article whose page has no article text takes its headline
/// from the feed, so that the site's articles do not become one story of
/// that title. A page with its story keeps its own title.
#[test]
fn a_page_without_article_text_takes_the_feeds_headline() {
    let raw = |html: &str, id: char| -> news_core::messages::RawItem {
        serde_json::from_value(serde_json::json!({
            "schema_version": 1,
            "id": id.to_string().repeat(64),
            "url": "https://news.example.org/world/story.html",
            "fetched_url": "https://news.example.org/world/story.html",
            "fetched_at": "2024-06-01T10:00:00Z",
            "http_status": 200,
            "html": html,
            "item": {"feed_url": "https://news.example.org/rss",
                     "title": "Harbour board approves a second ferry berth",
                     "image": "https://cdn.example.org/ferry.jpg"}
        }))
        .unwrap()
    };
    let stage = CleanStage::new(&news_core::Config::default());
    let wall = stage
        .clean(raw(
            "<html><head><title>Before you continue</title></head><body>\
             <p>We use cookies and data to deliver our services.</p>\
             <button>Accept all</button></body></html>",
            'a',
        ))
        .unwrap();
    assert!(
        wall.text.is_empty() && wall.empty_reason.is_some(),
        "{wall:?}"
    );
    assert_eq!(
        wall.title.as_deref(),
        Some("Harbour board approves a second ferry berth")
    );
    // And its feed item's picture: the wall's is the site's.
    assert_eq!(
        wall.lead_image.as_deref(),
        Some("https://cdn.example.org/ferry.jpg")
    );
    let story = stage
        .clean(raw(
            "<html><head><title>Second ferry berth approved in Port Elin</title></head><body><article>\
             <h1>Second ferry berth approved in Port Elin</h1>\
             <p>The harbour authority of Port Elin approved a second ferry berth on Monday, and \
             the first crossing to the islands will run in April after a vote of seven to two by \
             its board, the authority said in a statement on its website.</p></article></body></html>",
            'b',
        ))
        .unwrap();
    assert!(!story.text.is_empty(), "{story:?}");
    assert_eq!(
        story.title.as_deref(),
        Some("Second ferry berth approved in Port Elin")
    );
    // A page that names no picture takes its feed item's.
    assert_eq!(
        story.lead_image.as_deref(),
        Some("https://cdn.example.org/ferry.jpg")
    );
}

/// A link redirected to a consent wall is no article: empty, with the
/// reason, and with the feed's headline rather than the wall's title (the
/// same for every link there).
#[test]
fn a_link_redirected_to_a_consent_wall_is_no_article() {
    let wall = include_str!("../tests/data/consent_wall.html");
    let raw: news_core::messages::RawItem = serde_json::from_value(serde_json::json!({
        "schema_version": 1,
        "id": "c".repeat(64),
        "url": "https://news.example.org/world/2024/06/harbour-vote",
        "fetched_url": "https://consent.example.org/v2/collectConsent?sessionId=3",
        "fetched_at": "2024-06-01T10:00:00Z",
        "http_status": 200,
        "html": wall,
        "item": {"feed_url": "https://news.example.org/rss",
                 "title": "Harbour board approves a second ferry berth"}
    }))
    .unwrap();
    let stage = CleanStage::new(&news_core::Config::default());
    // The same page read at its own address is text (about 200 words of
    // cookie notice): the address, not the words, tells it apart.
    let mut at_home = raw.clone();
    at_home.fetched_url = at_home.url.clone();
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let (home, article) = metrics::with_local_recorder(&recorder, || {
        (stage.clean(at_home).unwrap(), stage.clean(raw).unwrap())
    });
    assert!(home.word_count > 100);
    // Counted by why, for the dashboard's share of articles lost to walls.
    let exposition = recorder.handle().render();
    assert!(
        exposition
            .lines()
            .any(|l| l == "news_clean_empty_total{reason=\"consent_wall\"} 1"),
        "{exposition}"
    );
    assert!(!exposition.contains("too_little_text"), "{exposition}");
    assert_eq!(article.text, "");
    assert_eq!(article.method, news_core::messages::ExtractionMethod::None);
    assert!(
        article
            .empty_reason
            .as_deref()
            .is_some_and(|r| r.contains("consent page")),
        "{article:?}"
    );
    assert_eq!(
        article.title.as_deref(),
        Some("Harbour board approves a second ferry berth")
    );
}

/// What a page says it is about: its description, section and keywords,
/// from its meta tags first and its article's JSON-LD after; a site-wide
/// JSON-LD object's description is not the article's.
#[test]
fn a_pages_description_section_and_keywords_come_from_its_meta_tags_and_json_ld() {
    let body = "<body><article><h1>Ferry berth approved</h1>\
        <p>The harbour authority of Port Elin approved a second ferry berth on Monday, and the \
        first crossing to the islands will run in April after a vote of seven to two.</p>\
        </article></body>";
    let tagged = format!(
        r#"<html><head>
        <meta property="og:description" content="Port Elin's board votes for a second berth.">
        <meta name="description" content="Port Elin news, weather and sport">
        <meta property="article:section" content="Regional">
        <meta property="article:content_tier" content="metered">
        <meta property="article:tag" content="Port Elin">
        <meta property="article:tag" content="ferries">
        <meta name="news_keywords" content="Ferries, harbour board">
        <meta name="keywords" content="news, breaking news, ctp_video, Port Elin">
        <script type="application/ld+json">[
          {{"@type": "WebSite", "description": "The valley's news since 1881"}},
          {{"@type": "NewsArticle", "keywords": [{{"keyword": "berth", "score": 0.6}}]}}]
        </script></head>{body}</html>"#
    );
    let out = extract_html(&tagged, Limits::default());
    assert_eq!(
        out.description.as_deref(),
        Some("Port Elin's board votes for a second berth.")
    );
    assert_eq!(out.section.as_deref(), Some("Regional"));
    assert_eq!(out.paywalled, Some(true), "a metered tier");
    assert_eq!(
        out.keywords,
        ["Port Elin", "ferries", "harbour board", "berth"]
    );

    let json_ld_only = format!(
        r#"<html><head><script type="application/ld+json">{{"@graph": [
          {{"@type": "WebSite", "description": "The valley's news since 1881"}},
          {{"@type": "NewsArticle", "description": "A second berth &amp; a new crossing.",
            "articleSection": ["Politics", "Regional"], "keywords": "ferries,Port Elin",
            "isAccessibleForFree": "False"}}]}}
        </script></head>{body}</html>"#
    );
    let out = extract_html(&json_ld_only, Limits::default());
    assert_eq!(
        out.description.as_deref(),
        Some("A second berth & a new crossing.")
    );
    assert_eq!(out.section.as_deref(), Some("Politics"));
    assert_eq!(out.paywalled, Some(true), "not accessible for free");
    assert_eq!(out.keywords, ["ferries", "Port Elin"]);

    // RDFa: one tag may name several properties.
    let shared = format!(
        r#"<html><head><meta property="dc:description og:description" content="Preferred">
        <meta name="description" content="Other"></head>{body}</html>"#
    );
    let out = extract_html(&shared, Limits::default());
    assert_eq!(out.description.as_deref(), Some("Preferred"));

    let free = format!(
        r#"<html><head><script type="application/ld+json">{{"@type": "NewsArticle",
        "isAccessibleForFree": true}}</script></head>{body}</html>"#
    );
    assert_eq!(
        extract_html(&free, Limits::default()).paywalled,
        Some(false)
    );

    let bare = format!("<html><head></head>{body}</html>");
    let out = extract_html(&bare, Limits::default());
    assert_eq!(
        (out.description, out.section, out.paywalled),
        (None, None, None)
    );
    assert!(out.keywords.is_empty());
}
