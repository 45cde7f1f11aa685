use super::MAX_CONTENT_BYTES;
use crate::feed::parse_feed;
use news_core::messages::FeedItemMeta;

fn items_of(feed: &str) -> Vec<FeedItemMeta> {
    let url = "https://news.example/feed";
    parse_feed(feed.as_bytes(), url, None)
        .expect("parses")
        .items(url)
}

/// Each item's summary and content.
fn summaries_and_contents(items: &[FeedItemMeta]) -> Vec<(Option<&str>, Option<&str>)> {
    items
        .iter()
        .map(|i| (i.summary.as_deref(), i.content.as_deref()))
        .collect()
}

/// An item carries its full content beside its summary, so that the
/// cleaner has the story when the page gives none; content that is only
/// the summary again (a feed with no description) is carried once.
#[test]
fn an_items_full_content_is_carried_once() {
    let rss = items_of(
        r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
        <item><title>A</title><link>/a</link><description>Teaser of A.</description>
          <content:encoded><![CDATA[<p>The whole of story A.</p><p>Its second paragraph.</p>]]></content:encoded></item>
        <item><title>B</title><link>/b</link>
          <content:encoded><![CDATA[<p>The whole of story B.</p>]]></content:encoded></item>
        <item><title>C</title><link>/c</link><description>Only a teaser.</description></item>
        </channel></rss>"#,
    );
    assert_eq!(
        summaries_and_contents(&rss),
        [
            (
                Some("Teaser of A."),
                Some("<p>The whole of story A.</p><p>Its second paragraph.</p>")
            ),
            (Some("<p>The whole of story B.</p>"), None),
            (Some("Only a teaser."), None),
        ]
    );

    let atom = items_of(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
        <entry><title>D</title><link href="/d"/><id>tag:x,1:d</id><summary>Teaser of D.</summary>
          <content type="html">&lt;p&gt;The whole of story D.&lt;/p&gt;</content></entry>
        <entry><title>E</title><id>tag:x,1:e</id><summary>Teaser of E.</summary>
          <content type="text/html" src="https://news.example/e.html"/></entry>
        </feed>"#,
    );
    assert_eq!(
        atom[0].content.as_deref(),
        Some("<p>The whole of story D.</p>")
    );
    // Out-of-line content is the page to fetch, not text.
    assert_eq!(atom[1].content, None);
    assert_eq!(atom[1].link.as_deref(), Some("https://news.example/e.html"));

    let json = items_of(
        r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[
        {"id":"1","url":"https://news.example/f","summary":"Teaser of F.",
         "content_html":"<p>The whole of story F.</p>"},
        {"id":"2","url":"https://news.example/g","content_text":"The whole of story G."}]}"#,
    );
    assert_eq!(
        json[0].content.as_deref(),
        Some("<p>The whole of story F.</p>")
    );
    assert_eq!(json[1].content.as_deref(), Some("The whole of story G."));
}

/// A feed's content rides on every raw message beside the page: it is cut
/// (at a character boundary) so that it cannot crowd the page out.
#[test]
fn a_long_content_is_cut_at_a_character_boundary() {
    let long = "é".repeat(MAX_CONTENT_BYTES); // two bytes each
    let items = items_of(&format!(
        r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
        <item><title>A</title><link>/a</link><description>Teaser.</description>
          <content:encoded>{long}</content:encoded></item></channel></rss>"#
    ));
    let content = items[0].content.as_deref().expect("content");
    assert_eq!(content.len(), MAX_CONTENT_BYTES);
    assert!(content.chars().all(|c| c == 'é'));
}

/// A text the feed gives items with other links too is the feed's
/// boilerplate, not the item's story: carried, it would make one story of
/// every walled page of the site. An entry repeated under its own link
/// keeps its text.
#[test]
fn a_text_the_feed_gives_other_items_too_is_not_carried() {
    let items = items_of(
        r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
        <item><title>A</title><link>/a</link><description>Subscribe to read the full story.</description></item>
        <item><title>B</title><link>/b</link><description> Subscribe to read the full story. </description>
          <content:encoded>The whole of story B.</content:encoded></item>
        <item><title>C</title><link>/c</link><description>Teaser of C.</description></item>
        <item><title>C again</title><link>/c</link><description>Teaser of C.</description></item>
        </channel></rss>"#,
    );
    assert_eq!(
        summaries_and_contents(&items),
        [
            (None, None),
            (None, Some("The whole of story B.")),
            (Some("Teaser of C."), None),
            (Some("Teaser of C."), None),
        ]
    );
}

/// An item's picture: its Media RSS thumbnail, else an image among its
/// media contents (not a video) or enclosures, else a JSON Feed's `image`;
/// resolved against the feed, and never a `data:` URL.
#[test]
fn an_items_picture_comes_from_media_rss_enclosures_or_json_feed() {
    let rss = items_of(
        r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
        <item><title>A</title><link>/a</link><media:content url="/v.mp4" medium="video"/>
          <media:group><media:content url="/a-big.jpg" type="image/jpeg"/></media:group>
          <media:thumbnail url="/a-thumb.jpg" width="120"/></item>
        <item><title>B</title><link>/b</link><enclosure url="/b.mp3" type="audio/mpeg" length="1"/>
          <enclosure url="https://img.example/b.png" type="image/png" length="2"/></item>
        <item><title>C</title><link>/c</link><media:content url="/c.jpg" medium="image"/></item>
        <item><title>D</title><link>/d</link><media:thumbnail url="data:image/png;base64,AAAA"/></item>
        </channel></rss>"#,
    );
    let images: Vec<Option<&str>> = rss.iter().map(|i| i.image.as_deref()).collect();
    assert_eq!(
        images,
        [
            Some("https://news.example/a-thumb.jpg"),
            Some("https://img.example/b.png"),
            Some("https://news.example/c.jpg"),
            None
        ]
    );
    let json = items_of(
        r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[
        {"id":"1","url":"https://news.example/1","content_text":"x","image":"/pics/1.jpg"},
        {"id":"2","url":"https://news.example/2","content_text":"y"}]}"#,
    );
    let images: Vec<Option<&str>> = json.iter().map(|i| i.image.as_deref()).collect();
    assert_eq!(images, [Some("https://news.example/pics/1.jpg"), None]);
}
