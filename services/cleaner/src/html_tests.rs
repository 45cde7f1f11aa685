//! Unit tests of segmentation and story lines.

use super::*;
use crate::story_lines::story_lines;

pub(crate) fn lines(html: &str, title: Option<&str>) -> Vec<String> {
    let doc = Html::parse_document(html);
    let seg = segment(&doc, Look::default());
    story_lines(&seg.blocks, seg.best.expect("a container"), title)
}

/// One paragraph of a made-up story, numbered.
pub(crate) fn paragraph(i: usize) -> String {
    format!(
        "<p>Paragraph {i} of the report says the council voted to rebuild the old bridge over the river by next spring.</p>"
    )
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

#[test]
fn an_author_bio_or_disclaimer_after_the_story_ends_it_but_not_before() {
    let story: String = (0..5)
        .map(|i| format!("<p>Paragraph {i} of the report says the council voted to rebuild the old bridge over the river by next spring, officials said.</p>"))
        .collect();
    let bio = "<h3>About the Author</h3><p>Jane Doe has covered city hall for ten years and writes about transport, housing and the people who run the city.</p><h3>Disclaimer</h3><p>This article is for information only and is not advice of any kind, legal or otherwise, for any reader.</p>";
    let after = lines(&format!("<article>{story}{bio}</article>"), None);
    assert_eq!(after.len(), 5, "{after:?}");
    assert!(after.iter().all(|l| l.starts_with("Paragraph")));
    // Nor does a list item that reads like a bio heading.
    let listed = lines(
        &format!(
            "<article>{story}<p>Each commit records:</p><ul><li>A unique hash</li>\
             <li>Author information</li><li>A timestamp</li></ul>{}</article>",
            paragraph(9)
        ),
        None,
    );
    assert!(
        listed.iter().any(|l| l == "Author information"),
        "{listed:?}"
    );
    assert!(
        listed.last().unwrap().starts_with("Paragraph 9"),
        "{listed:?}"
    );
    // A bio box at the top of the article ends nothing: the story follows.
    let before = lines(&format!("<article>{bio}{story}</article>"), None);
    assert_eq!(
        before.iter().filter(|l| l.starts_with("Paragraph")).count(),
        5,
        "{before:?}"
    );
}

#[test]
fn a_read_more_button_unfolds_the_story_but_a_read_more_heading_opens_a_list() {
    let para = |i: usize| {
        format!(
            "<div class=\"body-paragraph\">Paragraph {i} of the report says the council voted to rebuild the old bridge over the river by next spring.</div>"
        )
    };
    let first: String = (0..3).map(para).collect();
    let rest: String = (3..6).map(para).collect();
    let button = r#"<div class="read-more-button"><div>Read More</div></div>"#;
    let got = lines(&format!("<article>{first}{button}{rest}</article>"), None);
    assert_eq!(
        got.len(),
        6,
        "the paragraphs after the button are the story: {got:?}"
    );
    let list = r#"<h3>Read more</h3><div>Another story entirely, about a festival of lights that the town held on the weekend.</div>"#;
    let got = lines(&format!("<article>{first}{list}</article>"), None);
    assert_eq!(got.len(), 3, "the teaser after the heading is not: {got:?}");
}

#[test]
fn a_data_table_in_the_story_is_kept_as_rows_and_a_table_of_links_is_not() {
    let rows: String = (1..=12)
        .map(|i| {
            format!(
                "<tr><td>{i}</td><td>District {i}</td><td>{}%</td></tr>",
                40 + i
            )
        })
        .collect();
    let table =
        format!("<table><tr><th>Rank</th><th>District</th><th>Turnout</th></tr>{rows}</table>");
    let links = r#"<table><tr><td><a href="/a">Home</a></td><td><a href="/b">World</a></td><td><a href="/c">Sport</a></td></tr></table>"#;
    let html = format!(
        "<article>{}{table}{}{links}</article>",
        paragraph(0),
        paragraph(1)
    );
    let got = lines(&html, None);
    assert!(
        got.contains(&"Rank | District | Turnout".to_string()),
        "{got:?}"
    );
    assert!(got.contains(&"7 | District 7 | 47%".to_string()), "{got:?}");
    assert!(
        got.iter().filter(|l| l.starts_with("Paragraph")).count() == 2,
        "{got:?}"
    );
    assert!(!got.iter().any(|l| l.contains("Home")), "{got:?}");
}

#[test]
fn teaser_cards_in_the_story_container_go_and_a_product_list_stays() {
    let story: String = (0..4)
        .map(|i| {
            format!(
                "<p>Paragraph {i} of the review says the new convertible keeps the coupe's engine and adds a folding roof.</p>"
            )
        })
        .collect();
    let cards: String = (0..4)
        .map(|i| {
            format!(
                "<h3><a href='/c{i}'>Another car story number {i}</a></h3><p>A short summary of car story {i}.</p>"
            )
        })
        .collect();
    let got = lines(&format!("<article>{story}{cards}</article>"), None);
    assert_eq!(got.len(), 4, "only the story stays: {got:?}");

    // A linked product name, its description and a shop link: the
    // descriptions are the article.
    let products: String = (0..4)
        .map(|i| {
            format!(
                "<h3><a href='/p{i}'>Sewing machine {i}</a></h3><p>Machine {i} is light and cheap.</p>\
                 <div><a href='/p{i}'>See the price</a></div>"
            )
        })
        .collect();
    let got = lines(&format!("<article>{story}{products}</article>"), None);
    assert_eq!(
        got.iter().filter(|l| l.starts_with("Machine")).count(),
        4,
        "{got:?}"
    );

    // Cards with an author and a date between headline and summary, and a
    // summary as long as a paragraph; the same without dates is a list of
    // products with their descriptions.
    let summary = "The columnist argues at length that the city council should rebuild the old bridge before the next winter comes, and that the cost is worth it.";
    let card = |i: usize, date: &str| {
        format!(
            "<div><h5><a href='/o{i}'>Opinion piece number {i}</a></h5>             <div>Jane Writer</div><div>{date}</div><div>{summary}</div></div>"
        )
    };
    let dated: String = (0..4)
        .map(|i| card(i, "Wednesday November 20, 2019"))
        .collect();
    let got = lines(&format!("<article>{story}{dated}</article>"), None);
    assert_eq!(got.len(), 4, "only the story stays: {got:?}");
    let undated: String = (0..4).map(|i| card(i, "Editor's pick")).collect();
    let got = lines(&format!("<article>{story}{undated}</article>"), None);
    assert_eq!(
        got.iter()
            .filter(|l| l.starts_with("The columnist"))
            .count(),
        4,
        "{got:?}"
    );
}

#[test]
fn an_icon_inside_a_paragraph_does_not_split_it() {
    let html = "<article><p>The mayor said the bridge <img src='e.png' alt=''> would reopen \
                in May<script>track()</script>, after repairs to its deck and railings.</p>\
                <p>Work on the approach roads starts next week and lasts about a month.</p></article>";
    let got = lines(html, None);
    assert_eq!(
        got[0],
        "The mayor said the bridge would reopen in May, after repairs to its deck and railings."
    );
    assert_eq!(got.len(), 2, "{got:?}");
}

#[test]
fn a_related_heading_that_opens_its_section_takes_all_of_it() {
    let story = "<p>The river rose two metres overnight and flooded the lower town, \
                 the mayor said on Sunday, as crews worked to clear the roads.</p>\
                 <p>Schools will stay closed until Wednesday, and the army has sent \
                 boats to help residents leave the streets nearest the water.</p>";
    let teasers = "<article><p>Hope asks courage of us: to expect the best and make it \
                   happen, to learn from each fall and to stand up again without losing \
                   the joy that carries us along the way …</p></article>\
                   <article><p>What holds a family together is love and care, a hand \
                   held out in hard times, and the joy of dreams that come true for \
                   everyone at the table …</p></article>";
    let page = |heading: &str| {
        format!(
            "<html><body><article class=\"post\">{story}\
             <section>{heading}{teasers}</section></article>\
             <p>The water is expected to fall by Tuesday, the weather service said in \
             its latest forecast for the valley and the towns downstream.</p></body></html>"
        )
    };
    // Teasers that read as paragraphs go with the heading of their section;
    // the story after the section stays.
    for heading in ["<h3>You may also like</h3>", "<p>You may also like</p>"] {
        let got = lines(&page(heading), None);
        assert_eq!(got.len(), 3, "{heading}: {got:#?}");
        assert!(got[1].starts_with("Schools will stay closed"), "{got:#?}");
        assert!(got[2].starts_with("The water is expected"), "{got:#?}");
    }

    // A linked "Read more" is a button, not a section heading: as before,
    // only what looks like a list goes, and the paragraphs stay.
    let got = lines(&page("<p><a href=\"/more\">Read more</a></p>"), None);
    assert_eq!(got.len(), 5, "{got:#?}");

    // At the top of the story's own container it heads a box above the
    // story, not the story.
    let html = format!(
        "<html><body><article><h3>Read also</h3><ul><li><a href=\"/a\">Dam repairs \
         begin in the north</a></li></ul>{story}</article></body></html>"
    );
    let got = lines(&html, None);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(got[0].starts_with("The river rose"), "{got:#?}");
}

#[test]
fn a_call_to_action_box_after_the_story_goes() {
    // A "cta" (call to action) box that appeals for support under the
    // outlet's own name, which the appeal phrases do not catch.
    let html = r#"<html><body><article>
        <p>The claim that the former ambassador holds a fortune of millions is wholly unsubstantiated, records show.</p>
        <p>The estimates that circulate online range from three million to seventeen million dollars, with no source given.</p>
        <p>Her salary as a career diplomat is a matter of public record and comes nowhere near any of those figures.</p>
        <p>Sites that published the estimate offered no evidence for it and did not answer questions about it.</p>
        <div class="smg-zone-widget custom-cta-letter"><h5>A Word to Our Loyal Readers</h5>
          <p>Most assignments begin when readers ask us whether something is true, and those tips launch our work.</p>
          <p>Support Snopes so we continue to pursue the facts for you and anyone searching for answers.</p></div>
      </article></body></html>"#;
    let got = lines(html, None);
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(got[3].starts_with("Sites that published"), "{got:?}");
}

#[test]
fn a_run_of_linked_headlines_with_cut_excerpts_is_a_teaser_rail() {
    let story = "<p>The council approved the new budget on Tuesday after a debate that ran late into the night.</p>\
        <p>Spending on roads rises by a tenth, while the parks department loses two of its eleven posts.</p>\
        <p>The mayor said the plan keeps taxes flat for a third year and would be reviewed in the spring.</p>";
    let item = |title: &str, excerpt: &str, tail: &str| {
        format!("<li><a href=\"/n\">{title}</a> <span>{excerpt}</span>{tail}</li>")
    };
    let ticker = format!(
        "<div class=\"breaking\"><b>Breaking News</b><ul>{}{}{}</ul></div>",
        item(
            "Man pleads guilty to fraud",
            "NEW YORK: A man has pleaded guilty to theft and embezzlement in a loan scheme...",
            ""
        ),
        item(
            "Schools reopen in the region",
            "NEW DELHI: All schools and colleges are now open, with attendance said to be high...",
            ""
        ),
        item(
            "Cleric warns the government",
            "KARACHI: A firebrand cleric has fired a fresh salvo at the government of the day\u{2026}",
            ""
        ),
    );
    let got = lines(
        &format!("<html><body><article>{ticker}{story}</article></body></html>"),
        None,
    );
    let cut = |l: &&String| l.ends_with("...") || l.ends_with('\u{2026}');
    assert_eq!(got.iter().filter(cut).count(), 0, "{got:?}");
    assert!(
        got.iter().any(|l| l.starts_with("The mayor said")),
        "{got:?}"
    );
    // Items whose ellipsis is a link's ("Full review…") are a product list.
    let products = format!(
        "<ul>{}{}</ul>",
        item(
            "Desk A",
            "A sturdy converter with a tilting column and three tiers for monitors.",
            " <a href=\"/r\">Full Desk A review\u{2026}</a>"
        ),
        item(
            "Desk B",
            "A double base with two gas cylinders that keep it quiet and stable.",
            " <a href=\"/r\">Full Desk B review\u{2026}</a>"
        ),
    );
    let got = lines(
        &format!("<html><body><article>{story}{products}</article></body></html>"),
        None,
    );
    assert_eq!(got.iter().filter(cut).count(), 2, "{got:?}");
}

#[test]
fn a_linked_item_in_a_list_of_prose_stays_and_a_list_of_links_goes() {
    let item = |i: usize| {
        format!(
            "<li>Point {i}: the council voted to rebuild the old bridge over the river by next spring.</li>"
        )
    };
    let points: String = (0..4).map(item).collect();
    let links: String = (0..5)
        .map(|i| format!("<li><a href='/s{i}'>Another story number {i}</a></li>"))
        .collect();
    let html = format!(
        "<article>{}<ul><li><a href='/review'>Here is our year in review!</a></li>{points}</ul>\
         {}<ul>{links}</ul></article>",
        paragraph(0),
        paragraph(1)
    );
    let got = lines(&html, None);
    assert!(
        got.iter().any(|l| l == "Here is our year in review!"),
        "{got:?}"
    );
    assert_eq!(got.iter().filter(|l| l.starts_with("Point")).count(), 4);
    assert!(
        !got.iter().any(|l| l.starts_with("Another story")),
        "{got:?}"
    );
}

#[test]
fn a_line_of_zero_width_characters_is_empty_and_a_drawn_rule_is_not() {
    let html = format!(
        "<article>{}<p>\u{200d}</p><p>\u{200b} \u{feff}</p><p>___</p>{}</article>",
        paragraph(0),
        paragraph(1)
    );
    assert_eq!(lines(&html, None).len(), 3);
}

#[test]
fn a_row_of_date_reading_time_and_byline_goes_and_a_sentence_with_a_date_stays() {
    let html = format!(
        "<article><p>March 15, 2022 · 3 min read · By ASU Online</p><p>by Regan September 15, 2014</p>\
         <p>Last Updated : Nov 20, 2019 01:41 PM IST | Source: Moneycontrol.com</p>\
         <p>First Published on Nov 20, 2019 01:38 pm</p>\
         <p>PUBLISHED: November 19, 2019 at 8:59 pm | UPDATED: November 19, 2019 at 10:16 pm</p>\
         <p>Reading Time: 8 minutes</p><p>4 min read time</p><p>on Dec 17, 2025</p>\
         <p>Dec. 6, 2024, 10:00 PM UTC / Updated Dec. 7, 2024, 12:43 PM UTC</p>{}\
         <p>On March 15, 2022 · the day the bridge closed · traffic doubled.</p>\
         <p>On June 3, 2024 the council met.</p>\
         <p>June 3, 2024 / the day the bridge closed</p></article>",
        paragraph(0)
    );
    let got = lines(&html, None);
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(got[0].starts_with("Paragraph 0"), "{got:?}");
}

#[test]
fn an_address_written_out_in_a_story_stays_and_a_linked_phrase_goes() {
    let html = format!(
        "<article>{}<p><a href='http://amzn.to/2iJFhRj'>http://amzn.to/2iJFhRj</a></p>\
         <p><a href='/x'>Another story about the bridge</a></p>{}</article>",
        paragraph(0),
        paragraph(1)
    );
    let got = lines(&html, None);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[1], "http://amzn.to/2iJFhRj");
}

#[test]
fn words_marked_up_inside_a_sentence_stay_in_it() {
    let html = format!(
        "<article><p><a class='popup' href='#'>I</a> am a <a class='popup' href='#'>rather elderly</a> \
         man, and the <em class='related'>council</em> voted to rebuild the old bridge by spring.</p>{}</article>",
        paragraph(0)
    );
    let got = lines(&html, None);
    assert!(
        got[0].starts_with("I am a rather elderly man, and the council voted"),
        "{got:?}"
    );
}

#[test]
fn a_bio_at_the_end_of_the_story_goes_and_a_source_introduced_in_it_stays() {
    let story: String = (0..6).map(paragraph).collect();
    let source = "<p>Jane Roe is a professor of engineering at the state university, and she said the bridge was unsafe.</p>";
    let bio = "<p>Contributing Writer</p><p>Lucas Nolan is a reporter for the Daily Example covering transport. \
               Follow him on Twitter.</p><p>Latest posts by Lucas Nolan (see all)</p>";
    let got = lines(&format!("<article>{source}{story}{bio}</article>"), None);
    assert_eq!(got.len(), 7, "{got:?}");
    assert!(got[0].starts_with("Jane Roe is a professor"), "{got:?}");
    assert!(got[6].starts_with("Paragraph 5"), "{got:?}");
}

/// A teaser card: a linked headline in a `<header>` and a short summary,
/// each in its own grid cell.
fn card(i: usize) -> String {
    format!(
        "<div class='col'><article><header><h2><a href='/s/{i}'>Teaser headline number {i}</a></h2></header>\
         <p>A summary of another story, number {i}, written out as a full sentence of some length.</p></article></div>"
    )
}

#[test]
fn a_rail_of_teaser_cards_goes_and_a_short_story_with_a_linked_headline_stays() {
    let story = format!(
        "<article><h1>Council votes to rebuild the bridge</h1>{}{}{}</article>",
        paragraph(0),
        paragraph(1),
        paragraph(2)
    );
    let rail: String = (1..=3).map(card).collect();
    let summaries = |got: &[String]| got.iter().filter(|l| l.starts_with("A summary")).count();
    let got = lines(&format!("<title>Bridge - News</title>{story}{rail}"), None);
    assert_eq!(
        got.iter().filter(|l| l.starts_with("Paragraph")).count(),
        3,
        "{got:?}"
    );
    assert_eq!(summaries(&got), 0, "{got:?}");

    // Two cards are not a rail.
    let two: String = (1..=2).map(card).collect();
    let got = lines(&format!("<title>Bridge - News</title>{story}{two}"), None);
    assert_eq!(summaries(&got), 2, "{got:?}");

    // A brief whose headline links to itself, among the cards, is the story.
    let brief = "<article><h1><a href='/brief'>Mayor closes the old bridge for repairs</a></h1>\
        <p>The mayor closed the old bridge on Monday for urgent repairs to its deck.</p>\
        <p>Traffic will use the new bridge downstream until the work ends in the spring.</p></article>";
    let got = lines(
        &format!("<title>Mayor closes the old bridge for repairs | News</title>{brief}{rail}"),
        None,
    );
    assert!(
        got.iter().any(|l| l.starts_with("The mayor closed")),
        "{got:?}"
    );
    assert_eq!(summaries(&got), 0, "{got:?}");
}

#[test]
fn mathml_reads_as_its_tokens_without_its_tex_source() {
    let html = format!(
        "<article>{}<p>When <math><semantics><mrow><mi>a</mi><mo>&#8800;</mo><mn>0</mn></mrow>\
         <annotation encoding='application/x-tex'>a \\neq 0</annotation></semantics></math>, \
         the equation has two solutions, as the teacher showed the class on the board.</p>{}</article>",
        paragraph(0),
        paragraph(1)
    );
    let got = lines(&html, None);
    assert!(
        got.iter()
            .any(|l| l.starts_with("When a ≠ 0, the equation has two solutions")),
        "{got:?}"
    );
    assert!(!got.iter().any(|l| l.contains("neq")), "{got:?}");
}

#[test]
fn a_numbered_photo_gallery_in_the_story_goes_and_lines_that_only_look_numbered_stay() {
    let slides: String = (1..=3)
        .map(|k| {
            format!(
                "<li><h2><span class='counter'>{k}/3</span> Slide title {k}</h2>\
                 <p>Caption {k} describes the photo at some length, as galleries do for each of their slides.</p>\
                 <p class='credits'>GETTY IMAGES</p></li>"
            )
        })
        .collect();
    let html = format!(
        "<article>{}<div class='full-gallery'><ul class='legends'>{slides}</ul></div>{}\
         <ul><li>24/7 support lines were opened by the council for the residents who have questions.</li>\
         <li>1/2 of the budget goes to the new bridge, the council said in its statement on Monday.</li></ul>{}</article>",
        paragraph(0),
        paragraph(1),
        paragraph(2)
    );
    let got = lines(&html, None);
    assert_eq!(
        got.iter().filter(|l| l.starts_with("Paragraph")).count(),
        3,
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|l| l.contains("Caption") || l.contains("Slide title")),
        "{got:?}"
    );
    assert!(got.iter().any(|l| l.starts_with("24/7 support")), "{got:?}");
    assert!(
        got.iter().any(|l| l.starts_with("1/2 of the budget")),
        "{got:?}"
    );
}

#[test]
fn text_is_counted_up_to_the_bound_and_no_further() {
    let doc = Html::parse_document("<div><p>abcd</p><script>x()</script><p>efgh</p></div>");
    let div = doc
        .tree
        .nodes()
        .find(|n| n.value().as_element().is_some_and(|e| e.name() == "div"))
        .expect("a div");
    assert_eq!(text_chars_up_to(div, usize::MAX), 8);
    // It stops at the text node that reaches the bound.
    assert_eq!(text_chars_up_to(div, 2), 4);
    assert_eq!(text_chars_up_to(div, 5), 8);
}

#[test]
fn a_chinese_paragraph_with_foreign_names_is_not_a_menu() {
    // Chinese writes foreign names with "·" and no spaces: three of them
    // made the lead paragraph four "short items between separators".
    let html = r#"<html><body>
      <nav><a href="/">首页</a> · <a href="/a">国际</a> · <a href="/b">财经</a> · <a href="/c">体育</a></nav>
      <article><h1>特朗普与普京通话讨论乌克兰停火</h1>
        <p>美国总统唐纳德·特朗普18日与俄罗斯总统弗拉基米尔·普京通电话，双方讨论了乌克兰停火问题。白宫发言人卡罗琳·莱维特表示，通话持续了一个半小时。</p>
        <p>据白宫声明，双方同意首先停止针对能源设施的攻击，并将就黑海航行安全展开技术谈判。克里姆林宫随后发表声明称，普京支持这一提议。</p>
        <p>乌克兰总统泽连斯基当天表示，乌方愿意支持停止攻击能源设施的提议，但需要了解更多细节。欧洲多国领导人对通话结果表示谨慎欢迎。</p>
      </article></body></html>"#;
    let got = lines(html, Some("特朗普与普京通话讨论乌克兰停火"));
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got[0].starts_with("美国总统唐纳德·特朗普"), "{got:?}");
    assert!(!got.iter().any(|l| l.contains("首页")), "{got:?}");
}

#[test]
fn furigana_is_left_out_of_the_text_and_the_headline() {
    // Ruby puts a word's reading in kana over its kanji; inlined, the
    // reading repeats every word ("能登のと半島はんとう").
    let html = r#"<html lang="ja"><body><article>
      <h1><ruby>能登<rt>のと</rt></ruby><ruby>半島<rt>はんとう</rt></ruby>で<ruby>大<rp>(</rp><rt>おお</rt><rp>)</rp></ruby>きな<ruby>地震<rt>じしん</rt></ruby></h1>
      <p><ruby>石川県<rp>(</rp><rt>いしかわけん</rt><rp>)</rp></ruby>の<ruby>能登<rt>のと</rt></ruby><ruby>半島<rt>はんとう</rt></ruby>で、とても<ruby>大<rt>おお</rt></ruby>きな<ruby>地震<rt>じしん</rt></ruby>がありました。<ruby>気象庁<rt>きしょうちょう</rt></ruby>によると、<ruby>震度<rt>しんど</rt></ruby>7の<ruby>揺<rt>ゆ</rt></ruby>れがありました。</p>
      <p><ruby>輪島市<rt>わじまし</rt></ruby>では<ruby>火事<rt>かじ</rt></ruby>がおきて、たくさんの<ruby>家<rt>いえ</rt></ruby>が<ruby>焼<rt>や</rt></ruby>けました。<ruby>政府<rt>せいふ</rt></ruby>は<ruby>自衛隊<rt>じえいたい</rt></ruby>を<ruby>送<rt>おく</rt></ruby>りました。</p>
    </article></body></html>"#;
    let limits = crate::Limits {
        min_words: 1,
        ..crate::Limits::default()
    };
    let out = crate::extract_html(html, limits);
    assert_eq!(out.title.as_deref(), Some("能登半島で大きな地震"));
    assert_eq!(
        out.text,
        "石川県の能登半島で、とても大きな地震がありました。気象庁によると、震度7の揺れがありました。\n\
         輪島市では火事がおきて、たくさんの家が焼けました。政府は自衛隊を送りました。"
    );
}
