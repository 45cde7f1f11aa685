use super::*;
use crate::feed::parse_feed;

const NEWS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- generated -->
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://news.example/2024/06/02/quake.html</loc>
    <image:image><image:loc>https://cdn.example/quake.jpg</image:loc><image:title>Pier</image:title></image:image>
    <news:news>
      <news:publication><news:name>Example News</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2024-06-02T09:30:00+02:00</news:publication_date>
      <news:title>Quake hits Port Elin &amp; the islands</news:title>
      <news:keywords>earthquake, Port Elin,</news:keywords>
    </news:news>
  </url>
  <url>
    <loc>https://news.example/story?id=7&amp;section=world</loc>
    <lastmod>2024-06-02T12:00:00Z</lastmod>
    <news:news>
      <news:publication><news:name>Example News</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2024-06-01T18:00:00Z</news:publication_date>
      <news:title><![CDATA[Floods in Marrow Bend]]></news:title>
    </news:news>
  </url>
</urlset>"#;

#[test]
fn a_news_sitemap_gives_each_articles_page_headline_date_and_language() {
    let feed = parse_feed(
        NEWS.as_bytes(),
        "https://news.example/news-sitemap.xml",
        None,
    )
    .unwrap();
    assert_eq!(feed.version, "sitemap-news");
    assert_eq!(feed.feed.common.title.as_deref(), Some("Example News"));
    let items = feed.items("https://news.example/news-sitemap.xml");
    let got: Vec<(Option<&str>, Option<&str>)> = items
        .iter()
        .map(|i| (i.link.as_deref(), i.title.as_deref()))
        .collect();
    // Newest first: the floods story was modified at noon.
    assert_eq!(
        got,
        [
            (
                Some("https://news.example/story?id=7&section=world"),
                Some("Floods in Marrow Bend")
            ),
            (
                Some("https://news.example/2024/06/02/quake.html"),
                Some("Quake hits Port Elin & the islands")
            ),
        ]
    );
    let quake = &items[1];
    assert_eq!(
        quake.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-06-02T07:30:00+00:00")
    );
    assert_eq!(quake.language.as_deref(), Some("en"));
    assert_eq!(quake.categories, ["earthquake", "Port Elin"]);
    // The image extension's picture is the item's; the floods story has none.
    assert_eq!(
        quake.image.as_deref(),
        Some("https://cdn.example/quake.jpg")
    );
    assert_eq!(items[0].image, None);
    assert_eq!(
        items[0].updated.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-06-02T12:00:00+00:00")
    );
}

#[test]
fn an_ordinary_sitemap_gives_what_changed_within_two_days_of_its_newest_entry() {
    let url = |loc: &str, lastmod: Option<&str>| match lastmod {
        Some(m) => format!("<url><loc>{loc}</loc><lastmod>{m}</lastmod></url>"),
        None => format!("<url><loc>{loc}</loc></url>"),
    };
    let doc = format!(
        r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}{}{}{}{}</urlset>"#,
        url("/about", None),
        url("/2019/old-story", Some("2019-03-01")),
        url("/2024/yesterday", Some("2024-06-01T08:00:00Z")),
        url("/2024/today", Some("2024-06-02T20:00:00Z")),
        url("/2024/three-days-ago", Some("2024-05-30T19:59:00Z")),
    );
    let feed = parse_feed(doc.as_bytes(), "https://site.example/sitemap.xml", None).unwrap();
    assert_eq!(feed.version, "sitemap");
    let links: Vec<String> = feed
        .items("https://site.example/sitemap.xml")
        .into_iter()
        .filter_map(|i| i.link)
        .collect();
    assert_eq!(
        links,
        [
            "https://site.example/2024/today",
            "https://site.example/2024/yesterday"
        ]
    );

    // With no dates at all, every page is listed, in the sitemap's order.
    let undated = r#"<urlset><url><loc>https://site.example/a</loc></url><url><loc>https://site.example/b</loc></url></urlset>"#;
    let feed = parse_feed(undated.as_bytes(), "https://site.example/sitemap.xml", None).unwrap();
    let links: Vec<String> = feed
        .entries
        .iter()
        .filter_map(|e| e.common.link.clone())
        .collect();
    assert_eq!(links, ["https://site.example/a", "https://site.example/b"]);
    assert!(
        feed.is_undated_sitemap(),
        "its news untold from its archive"
    );
    assert!(
        !parse_feed(doc.as_bytes(), "https://site.example/sitemap.xml", None)
            .unwrap()
            .is_undated_sitemap()
    );
    assert!(
        !parse_feed(NEWS.as_bytes(), "https://news.example/news.xml", None)
            .unwrap()
            .is_undated_sitemap()
    );
    // An empty one lists nothing, and is no error.
    for empty in [
        "<urlset/>",
        "<?xml version=\"1.0\"?>\n<urlset xmlns=\"x\"></urlset>",
    ] {
        let feed = parse_feed(empty.as_bytes(), "https://site.example/sitemap.xml", None).unwrap();
        assert_eq!((feed.version.as_str(), feed.entries.len()), ("sitemap", 0));
        assert!(!feed.is_undated_sitemap(), "nothing to take as an archive");
    }
}

#[test]
fn an_index_dates_each_sitemap_it_lists() {
    let index = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>/post-sitemap.xml</loc><lastmod>2024-06-02T10:00:00+02:00</lastmod></sitemap>
        <sitemap><lastmod>2024-05-01</lastmod><loc>/post-sitemap2.xml</loc></sitemap>
        <sitemap><loc>/page-sitemap.xml</loc></sitemap>
        <sitemap><lastmod>2024-05-03</lastmod></sitemap>
        <sitemap><loc>/odd-sitemap.xml</loc><lastmod>not a date</lastmod></sitemap>
        </sitemapindex>"#;
    let Err(FeedError::SitemapIndex(listed)) = parse_feed(
        index.as_bytes(),
        "https://site.example/sitemap_index.xml",
        None,
    ) else {
        panic!("not read as an index");
    };
    let read: Vec<(&str, Option<String>)> = listed
        .iter()
        .map(|l| (l.loc.as_str(), l.lastmod.map(|d| d.to_rfc3339())))
        .collect();
    assert_eq!(
        read,
        [
            (
                "/post-sitemap.xml",
                Some("2024-06-02T08:00:00+00:00".into())
            ),
            (
                "/post-sitemap2.xml",
                Some("2024-05-01T00:00:00+00:00".into())
            ),
            ("/page-sitemap.xml", None),
            ("/odd-sitemap.xml", None),
        ],
        "a date written before its loc is its own, and a sitemap with no loc lists nothing"
    );
}

#[test]
fn a_sitemap_index_is_refused_with_the_sitemaps_it_names() {
    let index = r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>https://news.example/sitemap-news.xml</loc><lastmod>2024-06-02</lastmod></sitemap>
        <sitemap><loc>https://news.example/sitemap-2024.xml</loc></sitemap>
        <sitemap><loc>https://news.example/sitemap-2023.xml</loc></sitemap>
        <sitemap><loc>https://news.example/sitemap-2022.xml</loc></sitemap>
        <sitemap><loc>https://news.example/sitemap-2021.xml</loc></sitemap>
        </sitemapindex>"#;
    let err = parse_feed(index.as_bytes(), "https://news.example/sitemap.xml", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("a sitemap index"), "{err}");
    assert!(
        err.contains("among its 5 (https://news.example/sitemap-news.xml, https://news.example/sitemap-2024.xml, https://news.example/sitemap-2023.xml and 2 more)"),
        "{err}"
    );
}

#[test]
fn a_broken_sitemap_keeps_what_was_read_and_feeds_stay_feeds() {
    let cut = &NEWS[..NEWS.find("<loc>https://news.example/story").unwrap() + 20];
    let feed = parse_feed(
        cut.as_bytes(),
        "https://news.example/news-sitemap.xml",
        None,
    )
    .unwrap();
    assert_eq!(feed.entries.len(), 1, "the whole first url");
    assert!(is_sitemap(NEWS));
    for not in [
        "<rss version=\"2.0\"><channel><title>urlset</title></channel></rss>",
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"/>",
        "not xml at all",
        "",
    ] {
        assert!(!is_sitemap(not), "{not}");
    }
    let rss = parse_feed(
        b"<rss version=\"2.0\"><channel><title>T</title><item><link>https://x.example/a</link></item></channel></rss>",
        "https://x.example/feed",
        None,
    )
    .unwrap();
    assert_eq!(rss.version, "rss20");
}
