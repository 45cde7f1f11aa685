//! Unit tests of segmentation and story lines.

use super::*;

fn lines(html: &str, title: Option<&str>) -> Vec<String> {
    let doc = Html::parse_document(html);
    let seg = segment(&doc, false);
    story_lines(&seg.blocks, seg.best.expect("a container"), title)
}

#[test]
fn picks_the_story_and_drops_chrome() {
    let html = r#"<html><body>
      <nav><a href="/">Home</a> <a href="/w">World</a></nav>
      <div class="share-bar"><a>Share on Facebook</a></div>
      <article><h1>Big quake hits coast</h1>
        <p class="byline">By Jane Doe</p>
        <p>A strong earthquake struck the coast early on Tuesday, officials said, damaging homes and roads.</p>
        <figure><img alt="rubble"><figcaption>Rubble in the town. Photo: AP</figcaption></figure>
        <p>Rescue teams were searching for survivors in three villages, the regional governor told reporters.</p>
        <ul><li>The quake had a magnitude of 6.1, according to the geological survey.</li></ul>
        <div class="newsletter">Sign up for our newsletter</div>
        <p>Read also:</p><ul><li><a href="/x">Another story about something else</a></li></ul>
      </article>
      <footer>All rights reserved</footer></body></html>"#;
    let got = lines(html, Some("Big quake hits coast"));
    assert_eq!(
        got,
        vec![
            "A strong earthquake struck the coast early on Tuesday, officials said, damaging homes and roads.",
            "Rescue teams were searching for survivors in three villages, the regional governor told reporters.",
            "The quake had a magnitude of 6.1, according to the geological survey.",
        ]
    );
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 100_000;
    let html = format!(
        "{}<p>deep text here, written as a real sentence with enough words to count as a paragraph.</p>{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let got = crate::extract_html(
        &html,
        crate::Limits {
            min_words: 1,
            ..Default::default()
        },
    );
    assert!(got.text.contains("deep text"), "{got:?}");
}
