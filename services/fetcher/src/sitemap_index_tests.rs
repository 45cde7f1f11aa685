//! Which sitemaps an index's subscription follows, and when one gives way.

use super::*;

fn listed(entries: &[(&str, Option<&str>)]) -> Vec<ListedSitemap> {
    entries
        .iter()
        .map(|(loc, lastmod)| ListedSitemap {
            loc: loc.to_string(),
            lastmod: lastmod.and_then(crate::feed::parse_date),
        })
        .collect()
}

fn index() -> Url {
    Url::parse("https://site.example/sitemap_index.xml").unwrap()
}

fn follow(entries: &[(&str, Option<&str>)]) -> Vec<String> {
    IndexReading::of(&listed(entries), &index())
        .to_follow
        .into_iter()
        .map(|u| u[url::Position::BeforePath..].to_string())
        .collect()
}

#[test]
fn an_index_without_news_sitemaps_gives_its_articles_that_changed_lately() {
    // News sitemaps come first, whatever their dates.
    assert_eq!(
        follow(&[
            ("/post-sitemap.xml", Some("2024-06-02")),
            ("/news-sitemap.xml", None),
        ]),
        ["/news-sitemap.xml"]
    );
    // Else the articles' sitemaps within 48 h of the newest, newest
    // first; pages, taxonomies, people and media are no articles.
    assert_eq!(
        follow(&[
            ("/post-sitemap.xml", Some("2024-04-01")),
            ("/post-sitemap2.xml", Some("2024-06-01T09:00:00Z")),
            ("/post-sitemap3.xml", Some("2024-06-02T08:00:00Z")),
            ("/page-sitemap.xml", Some("2024-06-03T00:00:00Z")),
            ("/category-sitemap.xml", Some("2024-06-03T00:00:00Z")),
            ("/wp-sitemap-posts-page-1.xml", Some("2024-06-03T00:00:00Z")),
            ("/sitemaps/authors.xml", Some("2024-06-03T00:00:00Z")),
            ("/video-sitemap.xml", Some("2024-06-03T00:00:00Z")),
            ("/sitemap-2024-05.xml", Some("2024-05-31T07:00:00Z")),
            ("/sitemap-2024-06.xml", Some("2024-06-02T07:00:00Z")),
            ("/undated-sitemap.xml", None),
        ]),
        [
            "/post-sitemap3.xml",
            "/sitemap-2024-06.xml",
            "/post-sitemap2.xml"
        ]
    );
    assert!(follow(&[]).is_empty());
    // Dated pages alone are no articles.
    assert!(follow(&[("/page-sitemap.xml", Some("2024-06-03"))]).is_empty());
}

#[test]
fn an_index_that_dates_none_gives_the_newest_of_its_longest_series() {
    // WordPress's own index: posts by number beside pages, taxonomies
    // and users, none dated.
    let wordpress = [
        ("/wp-sitemap-posts-post-1.xml", None),
        ("/wp-sitemap-posts-post-2.xml", None),
        ("/wp-sitemap-posts-post-10.xml", None),
        ("/wp-sitemap-posts-page-1.xml", None),
        ("/wp-sitemap-posts-event-1.xml", None),
        ("/wp-sitemap-taxonomies-category-1.xml", None),
        ("/wp-sitemap-users-1.xml", None),
    ];
    assert_eq!(follow(&wordpress), ["/wp-sitemap-posts-post-10.xml"]);
    let reading = IndexReading::of(&listed(&wordpress), &index());
    assert!(reading.by_number);
    // By month, over a year's turn; a first sitemap with no number
    // comes before the numbered ones (Yoast's).
    assert_eq!(
        follow(&[
            ("/sitemap-2023-12.xml", None),
            ("/sitemap-2024-01.xml", None),
            ("/sitemap-2023-11.xml", None),
        ]),
        ["/sitemap-2024-01.xml"]
    );
    assert_eq!(
        follow(&[("/post-sitemap2.xml", None), ("/post-sitemap.xml", None)]),
        ["/post-sitemap2.xml"]
    );
    // Series of one length: the first listed; a lone sitemap is one.
    assert_eq!(
        follow(&[("/sitemap-posts.xml", None), ("/sitemap-stories.xml", None)]),
        ["/sitemap-posts.xml"]
    );
    // Queries number too.
    assert_eq!(
        follow(&[
            ("/sitemap.php?page=9", None),
            ("/sitemap.php?page=12", None)
        ]),
        ["/sitemap.php?page=12"]
    );
    // None of articles, none to follow.
    assert!(follow(&[("/wp-sitemap-users-1.xml", None)]).is_empty());
}

#[test]
fn the_followed_sitemap_gives_way_to_the_next_of_its_series() {
    let at = |p: &str| index().join(p).unwrap();
    let wordpress = IndexReading::of(
        &listed(&[
            ("/wp-sitemap-posts-post-2.xml", None),
            ("/wp-sitemap-posts-post-3.xml", None),
            ("/wp-sitemap-posts-page-9.xml", None),
        ]),
        &index(),
    );
    assert_eq!(
        wordpress.successor_of(&at("/wp-sitemap-posts-post-2.xml")),
        Some(at("/wp-sitemap-posts-post-3.xml"))
    );
    // Not backwards, not across series.
    assert_eq!(
        wordpress.successor_of(&at("/wp-sitemap-posts-post-3.xml")),
        None
    );
    assert_eq!(
        wordpress.successor_of(&at("/wp-sitemap-posts-post-4.xml")),
        None
    );
    assert_eq!(
        wordpress.successor_of(&at("/wp-sitemap-posts-event-1.xml")),
        None
    );
    // A dated index's new month.
    let months = IndexReading::of(
        &listed(&[
            ("/sitemap-2024-06.xml", Some("2024-06-01T01:00:00Z")),
            ("/sitemap-2024-05.xml", Some("2024-05-31T23:00:00Z")),
        ]),
        &index(),
    );
    assert_eq!(
        months.successor_of(&at("/sitemap-2024-05.xml")),
        Some(at("/sitemap-2024-06.xml"))
    );
    // News sitemaps numbered by section are each followed, never
    // one in another's place.
    let sections = IndexReading::of(
        &listed(&[("/sitemap-news-1.xml", None), ("/sitemap-news-2.xml", None)]),
        &index(),
    );
    assert_eq!(sections.to_follow.len(), 2);
    assert_eq!(sections.successor_of(&at("/sitemap-news-1.xml")), None);
}

#[test]
fn an_added_sitemap_is_superseded_once_a_later_one_replaces_it() {
    let at = |p: &str| index().join(p).unwrap();
    let july = IndexReading::of(
        &listed(&[
            ("/sitemap-2024-05.xml", Some("2024-05-31T20:00:00Z")),
            ("/sitemap-2024-06.xml", Some("2024-06-30T10:00:00Z")),
            ("/sitemap-2024-07.xml", Some("2024-07-01T09:00:00Z")),
            ("/events-sitemap.xml", Some("2024-05-02T09:00:00Z")),
        ]),
        &index(),
    );
    let added = [
        "/sitemap-2024-05.xml",
        "/sitemap-2024-06.xml",
        "/events-sitemap.xml",
    ]
    .map(at);
    let followed = at("/sitemap-2024-07.xml");
    // June is still offered (changed within 48 h of July's newest);
    // May is not, and July replaced it; the events' series has no
    // later sitemap.
    assert_eq!(
        july.superseded(&added, Some(&followed)),
        [at("/sitemap-2024-05.xml")]
    );
    // The one followed is never retired here: its move does that.
    assert!(
        july.superseded(std::slice::from_ref(&followed), Some(&followed))
            .is_empty()
    );
    let sections = IndexReading::of(&listed(&[("/sitemap-news-2.xml", None)]), &index());
    assert!(
        sections
            .superseded(&[at("/sitemap-news-1.xml")], None)
            .is_empty()
    );
}
