//! Feeds. Parsing, judged by feedparser's own test corpus: the `Expect:`
//! assertions of wellformed/, encoding/, entities/ and illformed/ must agree
//! at least 95% of the time, and no file anywhere in the corpus may crash
//! the parser. And what a feed carries beyond its links: the story itself,
//! for a site whose pages give none.

use std::process::Command;

use newsmill_tests::{
    child_env, eval_dir, newsmill_bin, repo_root, run_newsmill, serve_dir_logged,
    serve_on_the_embedded_log, tail_json, unique,
};

#[test]
fn feedparser_corpus_agreement_is_at_least_95_percent_with_no_crashes() {
    let Some(eval) = eval_dir() else {
        return;
    };
    let corpus = eval.join("feeds/feedparser/v6.0.14/tests");
    assert!(corpus.is_dir(), "missing corpus {}", corpus.display());
    // The files new in feedparser's develop branch, when they are there.
    let develop = Some(eval.join("feeds/feedparser/develop/tests")).filter(|d| d.is_dir());
    let out = Command::new("python3")
        .arg(repo_root().join("tests/python/feed_conformance.py"))
        .arg("--bin")
        .arg(newsmill_bin())
        .arg("--corpus")
        .arg(&corpus)
        .args(develop)
        .args(["--min", "0.95"])
        .output()
        .expect("run python3 feed_conformance.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "conformance below target or crashes:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(", 0 crashes"), "{stdout}");
}

/// A report whose text a feed item carries.
const QUAKE: &str = "A magnitude 6.1 earthquake struck off the coast of Port Elin early on \
    Tuesday, damaging the harbour wall and cutting power to about 12,000 homes, the regional \
    emergency office said. No deaths were reported. Ferries to the outer islands were halted \
    while engineers inspected the piers, and schools in the district will stay closed until \
    Thursday, officials said.";

/// A site whose pages are shells its script fills in gives the cleaner no
/// text; its feed carries each story in `content:encoded`. Through the
/// whole pipeline on a loopback site, each article's text is its feed
/// item's, marked as the feed's, and its stories follow that text: the wire
/// copy joins its original, the other event starts its own story. Without
/// the feed's text the three are headlines alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sites_pages_without_text_take_the_stories_their_feed_carries() {
    const FLOOD: &str = "Floods after three days of rain forced about 800 people from their homes \
        in the valley town of Marrow Bend on Sunday, and the river crested at 7.4 metres, the \
        highest since 1998, the county sheriff said. Two bridges were closed and volunteers \
        filled sandbags through the night while the state sent boats and a rescue team.";
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("a")).unwrap();
    let mut items = String::new();
    for (n, title, text) in [
        (1, "Quake hits Port Elin", QUAKE),
        (
            2,
            "Port Elin shaken by 6.1 quake",
            &format!("{QUAKE} (Wire)")[..],
        ),
        (3, "Floods force 800 from Marrow Bend", FLOOD),
    ] {
        std::fs::write(
            site.path().join(format!("a/{n}.html")),
            "<html><head><title>Example News</title></head><body><div id=\"app\">Loading</div>\
             <script src=\"/app.js\"></script></body></html>",
        )
        .unwrap();
        items.push_str(&format!(
            "<item><title>{title}</title><link>a/{n}.html</link><description>Read more.</description>\
             <content:encoded><![CDATA[<p>{text}</p><p>Share this story</p>]]></content:encoded></item>"
        ));
    }
    std::fs::write(
        site.path().join("feed.xml"),
        format!(
            r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Example News</title>{items}</channel></rss>"#
        ),
    )
    .unwrap();
    let (_data, env) = serve_on_the_embedded_log(site.path(), "feedtext").await;
    let summary =
        String::from_utf8_lossy(&run_newsmill(&["run", "--drain"], &env).stdout).to_string();
    assert!(summary.contains("3 articles cleaned"), "{summary}");

    let clean = tail_json(&env, "news.clean.v1");
    let verdicts = tail_json(&env, "news.dedup.v1");
    let of = |rows: &[serde_json::Value], n: u32| -> serde_json::Value {
        rows.iter()
            .find(|r| {
                r["url"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("/a/{n}.html"))
            })
            .unwrap_or_else(|| panic!("article {n} in {rows:?}"))
            .clone()
    };
    for (n, text) in [(1, QUAKE), (3, FLOOD)] {
        let article = of(&clean, n);
        assert_eq!(article["text"], text, "{article}");
        assert_eq!(article["text_source"], "feed", "{article}");
        assert_eq!(article["method"], "scoring", "{article}");
    }
    let story = |n| of(&verdicts, n)["story_id"].as_str().unwrap().to_string();
    assert_eq!(story(2), story(1), "{verdicts:?}");
    assert_ne!(story(3), story(1), "{verdicts:?}");
}

/// A site that keeps crawlers out of its articles (robots.txt), and a host
/// that does not answer: their pages are never read. Through the whole
/// pipeline, a page whose feed item carries its story is cleaned from that
/// text and takes its story; one whose item is a teaser, and one that is
/// gone (404), give no article. All three unread pages are dead-lettered,
/// so that a redrive can still ask for them, and the letters say which
/// were stood in for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_never_read_takes_the_story_its_feed_item_carries() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("robots.txt"),
        "User-agent: *\nDisallow: /members/\n",
    )
    .unwrap();
    std::fs::create_dir(site.path().join("members")).unwrap();
    for n in [1, 2] {
        std::fs::write(
            site.path().join(format!("members/{n}.html")),
            format!("<html><body><article><p>{QUAKE} Page {n}.</p></article></body></html>"),
        )
        .unwrap();
    }
    // Port 9 (discard) has no listener: its robots.txt and page fail alike.
    let down = "http://127.0.0.1:9/2024/quake-wire.html";
    std::fs::write(
        site.path().join("feed.xml"),
        format!(
            r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Example News</title>
            <item><title>Quake hits Port Elin</title><link>members/1.html</link><description>Read more.</description>
              <content:encoded><![CDATA[<p>{QUAKE}</p><p>Share this story</p>]]></content:encoded></item>
            <item><title>Members only: the quake's cost</title><link>members/2.html</link><description>Continue reading</description></item>
            <item><title>A story that was taken down</title><link>gone.html</link><description>{QUAKE}</description></item>
            <item><title>Port Elin shaken by 6.1 quake</title><link>{down}</link><description>{QUAKE} (Wire)</description></item>
            </channel></rss>"#
        ),
    )
    .unwrap();
    let (_data, mut env) = serve_on_the_embedded_log(site.path(), "unread").await;
    env.push(("NEWSMILL__FETCHER__PAGE_RETRIES".into(), "0".into()));
    run_newsmill(&["run", "--drain"], &env);

    let clean = tail_json(&env, "news.clean.v1");
    let verdicts = tail_json(&env, "news.dedup.v1");
    let letters = tail_json(&env, "news.dlq.v1");
    let of = |rows: &[serde_json::Value], suffix: &str| -> Option<serde_json::Value> {
        rows.iter()
            .find(|r| r["url"].as_str().unwrap().ends_with(suffix))
            .cloned()
    };
    let walled = of(&clean, "/members/1.html").expect("the walled page's article");
    assert_eq!(walled["text"], QUAKE, "{walled}");
    assert_eq!(walled["text_source"], "feed", "{walled}");
    assert_eq!(walled["title"], "Quake hits Port Elin", "{walled}");
    let wire = of(&clean, "/2024/quake-wire.html").expect("the down host's article");
    assert_eq!(wire["text"], format!("{QUAKE} (Wire)"), "{wire}");
    assert_eq!(wire["text_source"], "feed", "{wire}");
    assert_eq!(clean.len(), 2, "no teaser, nothing gone: {clean:?}");
    let story = |suffix| of(&verdicts, suffix).unwrap()["story_id"].clone();
    assert_eq!(story("/members/1.html"), story("/2024/quake-wire.html"));

    let letter = |suffix: &str| -> String {
        letters
            .iter()
            .find(|l| l["source"].as_str().is_some_and(|s| s.ends_with(suffix)))
            .unwrap_or_else(|| panic!("a dead letter for {suffix} in {letters:?}"))["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let sent = "its feed item was sent in its place";
    assert!(letter("/members/1.html").contains(sent));
    assert!(letter("/members/2.html").contains(sent));
    assert!(letter("/2024/quake-wire.html").contains(sent));
    assert_eq!(letter("/gone.html"), "http 404");
}

/// A site with no feed but a Google News sitemap: subscribed to like a
/// feed, its two recent articles are fetched, cleaned under their
/// sitemap headlines' stories and put in one story; the page it lists from
/// three days before them is never asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_news_sitemap_is_polled_as_a_feed() {
    let site = tempfile::tempdir().unwrap();
    let mut urls = String::new();
    for (n, title, date) in [
        (1, "Quake hits Port Elin", "2024-06-04T06:10:00Z"),
        (
            2,
            "Port Elin shaken by 6.1 quake",
            "2024-06-04T09:45:00+02:00",
        ),
        (3, "Harbour wall repairs begin", "2024-06-01T06:00:00Z"),
    ] {
        std::fs::write(
            site.path().join(format!("{n}.html")),
            format!(
                "<html><head><title>{title} | Example News</title></head><body><article>\
                 <h1>{title}</h1><p>{QUAKE} Report {n}.</p></article></body></html>"
            ),
        )
        .unwrap();
        urls.push_str(&format!(
            "<url><loc>/{n}.html</loc><news:news><news:publication><news:name>Example News</news:name>\
             <news:language>en</news:language></news:publication>\
             <news:publication_date>{date}</news:publication_date><news:title>{title}</news:title>\
             </news:news></url>"
        ));
    }
    std::fs::write(
        site.path().join("news-sitemap.xml"),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>"#
        ),
    )
    .unwrap();
    let (addr, requests) =
        serve_dir_logged(site.path().to_path_buf(), std::time::Duration::ZERO).await;
    let data = tempfile::tempdir().unwrap();
    let env = child_env(
        data.path(),
        None,
        &format!("http://{addr}/news-sitemap.xml"),
        &unique("sitemap"),
    );
    let summary =
        String::from_utf8_lossy(&run_newsmill(&["run", "--drain"], &env).stdout).to_string();
    assert!(summary.contains("2 articles cleaned"), "{summary}");
    let clean = tail_json(&env, "news.clean.v1");
    let mut titles: Vec<&str> = clean.iter().map(|a| a["title"].as_str().unwrap()).collect();
    titles.sort();
    assert_eq!(
        titles,
        ["Port Elin shaken by 6.1 quake", "Quake hits Port Elin"],
        "{clean:?}"
    );
    assert!(clean.iter().all(|a| a["language"] == "en"), "{clean:?}");
    let verdicts = tail_json(&env, "news.dedup.v1");
    assert_eq!(verdicts.len(), 2, "{verdicts:?}");
    assert_eq!(verdicts[0]["story_id"], verdicts[1]["story_id"]);
    let asked = requests.lock().unwrap().clone();
    assert!(!asked.iter().any(|p| p == "/3.html"), "{asked:?}");
}

/// A story revised at its source: its feed item's headline changes, so the
/// fetcher takes the page again; the clean topic carries the new text under
/// the same id, and dedup repeats the first verdict, marked `revised`, with
/// the story's member count unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_story_revised_at_its_source_is_fetched_again_and_marked_revised() {
    let site = tempfile::tempdir().unwrap();
    let write = |title: &str, text: &str| {
        std::fs::write(
            site.path().join("feed.xml"),
            format!("<rss version=\"2.0\"><channel><title>Example</title><item><title>{title}</title><link>/harbour.html</link></item></channel></rss>"),
        )
        .unwrap();
        std::fs::write(
            site.path().join("harbour.html"),
            format!("<html><head><title>{title}</title></head><body><article><p>{text}</p></article></body></html>"),
        )
        .unwrap();
    };
    let text = "The harbour board of Lindqvist approved the new ferry berth on Tuesday by seven votes to two, and the first crossing to Osterholm is planned for the spring.";
    write("Ferry berth approved", text);
    let (_data, mut env) = serve_on_the_embedded_log(site.path(), "revised").await;
    env.push(("NEWSMILL__FETCHER__POLL_MIN".into(), "1s".into()));
    env.push(("NEWSMILL__FETCHER__POLL_MAX".into(), "1s".into()));
    run_newsmill(&["run", "--drain"], &env);
    let update = "Update: the vote was challenged in court on Wednesday.";
    write(
        "Ferry berth approved; vote challenged",
        &format!("{text} {update}"),
    );
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    run_newsmill(&["run", "--drain"], &env);

    let clean = tail_json(&env, "news.clean.v1");
    assert_eq!(clean.len(), 2, "{clean:?}");
    assert_eq!(clean[0]["id"], clean[1]["id"]);
    assert!(clean[1]["text"].as_str().unwrap().ends_with(update));
    let verdicts = tail_json(&env, "news.dedup.v1");
    assert_eq!(verdicts.len(), 2, "{verdicts:?}");
    assert_eq!(verdicts[1]["story_id"], verdicts[0]["story_id"]);
    assert_eq!(verdicts[1]["replay"], true);
    assert_eq!(verdicts[1]["revised"], true);
    assert!(verdicts[0].get("revised").is_none());
    let stories = tail_json(&env, "news.stories.v1");
    assert_eq!(stories.last().unwrap()["member_count"], 1);
}
