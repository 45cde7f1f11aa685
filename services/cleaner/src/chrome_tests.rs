//! Unit tests of what `skip_element` leaves out, read through `segment`.

use crate::html::tests::{lines, paragraph};

#[test]
fn a_table_in_a_figure_stays_and_its_caption_and_a_photo_go() {
    let rows: String = (1..=6)
        .map(|i| format!("<tr><td>{}%</td><td>${i}0,000</td></tr>", 10 + i))
        .collect();
    let html = format!(
        r#"<article>{}<figure class="wp-block-table"><table><tr><th>Rate</th><th>Income</th></tr>{rows}</table>
        <figcaption>Table: the brackets for 2025</figcaption></figure>{}
        <figure><img src="x.jpg"><figcaption>The minister at the podium. Photo: AP</figcaption></figure>{}</article>"#,
        paragraph(0),
        paragraph(1),
        paragraph(2)
    );
    let got = lines(&html, None);
    assert!(got.contains(&"Rate | Income".to_string()), "{got:?}");
    assert!(got.contains(&"13% | $30,000".to_string()), "{got:?}");
    assert!(
        !got.iter()
            .any(|l| l.contains("brackets") || l.contains("podium")),
        "{got:?}"
    );
    assert_eq!(
        got.iter().filter(|l| l.starts_with("Paragraph")).count(),
        3,
        "{got:?}"
    );
}

#[test]
fn what_a_class_or_style_hides_goes_and_what_it_only_seems_to_hide_stays() {
    let shown: String = (0..3).map(paragraph).collect();
    let hidden_text: String = (3..8).map(paragraph).collect();
    // An inline style hides its subtree however large it is; only a parked
    // article (the `hidden` attribute over most of the page) is read.
    let styled = format!(
        r#"<article><div style="visibility: hidden">{hidden_text}</div><div>{shown}</div></article>"#
    );
    let got = lines(&styled, None);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.iter().all(|l| !l.contains("Paragraph 3")), "{got:?}");
    let parked = format!(r#"<body><div hidden id="S:0">{hidden_text}</div><p>Loading</p></body>"#);
    assert_eq!(lines(&parked, None).len(), 5);
    // A Drupal field whose label is hidden, clipped overflow and hiding on
    // phones only are all on screen; a `hidden` class is not.
    let html = format!(
        r#"<article><div class="field field--label-hidden">{shown}</div>
        <div class="overflow-hidden hidden-xs">{}</div>
        <div class="box hidden"><p>Get our app: you can read the report on the council and the bridge there too, for free.</p></div>
        </article>"#,
        paragraph(9)
    );
    let got = lines(&html, None);
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(got.iter().all(|l| !l.contains("our app")), "{got:?}");
}

#[test]
fn a_paywall_box_that_holds_the_rest_of_the_story_stays_and_its_notice_goes() {
    let gated: String = (2..6).map(paragraph).collect();
    let html = format!(
        r#"<article>{}{}<div class="paywall">{gated}</div>
        <div class="paywall"><p>This post is for paid subscribers.</p></div></article>"#,
        paragraph(0),
        paragraph(1)
    );
    let got = lines(&html, None);
    assert_eq!(got.len(), 6, "{got:?}");
    assert!(got[5].starts_with("Paragraph 5"), "{got:?}");
}

#[test]
fn a_small_form_is_a_box_and_a_form_around_the_page_is_read() {
    let story: String = (0..8).map(paragraph).collect();
    let signup = "<form><div>Create an account or sign in to read every story about the council and its bridge.</div>\
                  <div>Must be 8 characters or more, with an uppercase letter, a number and a symbol.</div></form>";
    let got = lines(&format!("<article>{story}{signup}</article>"), None);
    assert_eq!(got.len(), 8, "{got:?}");
    let wrapped = format!("<body><form id='aspnetForm'><article>{story}</article></form></body>");
    assert_eq!(lines(&wrapped, None).len(), 8);
}

#[test]
fn a_story_open_in_an_overlay_is_read_without_the_stream_under_it() {
    // The stream under the overlay has more prose than the story.
    let stream: String = (0..12)
        .map(|i| {
            format!(
                "<li><h3><a href='/s/{i}'>Stream headline {i}</a></h3>\
                 <p>Stream summary {i} tells of another event somewhere else, in one long sentence of news.</p></li>"
            )
        })
        .collect();
    let story: String = (0..16).map(paragraph).collect();
    let page = |overlay_class: &str, body_class: &str| {
        format!(
            "<html class='{body_class}'><body><ul class='stream'>{stream}</ul>\
             <div class='{overlay_class}'><div><article><h1>Council votes</h1>{story}</article></div></div></body></html>"
        )
    };
    let count = |got: &[String], prefix: &str| got.iter().filter(|l| l.starts_with(prefix)).count();

    let got = lines(&page("render-target-modal", "modal-open"), None);
    assert_eq!(count(&got, "Paragraph"), 16, "{got:?}");
    assert_eq!(count(&got, "Stream summary"), 0, "{got:?}");

    // A sign-up popup holds no long article: it stays chrome, and the
    // story outside any overlay is read as usual.
    let html = format!(
        "<html class='modal-open'><body><article><h1>Council votes</h1>{story}</article>\
         <div class='modal'><article><p>Join our newsletter to get every story like this one in your inbox each morning.</p></article></div>\
         </body></html>"
    );
    let got = lines(&html, None);
    assert_eq!(count(&got, "Paragraph"), 16, "{got:?}");
    assert_eq!(count(&got, "Join our"), 0, "{got:?}");
}

#[test]
fn a_player_control_label_goes_and_an_accordion_question_stays() {
    let html = format!(
        "<article>{}<div class='player'><div role='button'><span>Play Video</span></div>\
         <div role='slider'>Progress: 0%</div></div>{}\
         <div role='button'><h3>How much does the new bridge cost?</h3></div>\
         <div><p>The council put the cost of the new bridge at forty million pounds, paid over ten years.</p></div></article>",
        paragraph(0),
        paragraph(1)
    );
    let got = lines(&html, None);
    assert!(
        !got.iter()
            .any(|l| l.contains("Play Video") || l.contains("Progress")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|l| l == "How much does the new bridge cost?"),
        "{got:?}"
    );
}
