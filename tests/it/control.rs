//! Subscriptions changed at run time: `newsmill feeds add` and `feeds remove`
//! write `news.feeds.v1` on tansu while a `newsmill fetch` process runs.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use newsmill_tests::{
    RequestLog, Running, broker, child_env, newsmill_bin, run_newsmill, serve_dir_logged,
    tail_json, unique,
};

fn count(log: &RequestLog, path: &str) -> usize {
    log.lock().unwrap().iter().filter(|p| *p == path).count()
}

async fn wait_for(log: &RequestLog, path: &str, limit: Duration) {
    let start = Instant::now();
    while count(log, path) == 0 {
        assert!(
            start.elapsed() < limit,
            "{path} not requested within {limit:?}: {:?}",
            log.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn feeds_command(env: &[(String, String)], action: &str, url: &str) {
    run_newsmill(&["feeds", action, url], env);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_added_and_removed_through_the_control_topic_while_running() {
    let site = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        std::fs::write(
            site.path().join(format!("{name}.xml")),
            format!("<rss version=\"2.0\"><channel><title>{name}</title><item><title>{name}</title><link>/{name}1.html</link></item></channel></rss>"),
        )
        .unwrap();
        std::fs::write(
            site.path().join(format!("{name}1.html")),
            format!("<html><head><title>{name} story</title></head><body><article><p>The {name} story has enough words to be an article for this test of the fetcher.</p></article></body></html>"),
        )
        .unwrap();
    }
    let (addr, log) = serve_dir_logged(site.path().to_path_buf(), Duration::ZERO).await;
    let data = tempfile::tempdir().unwrap();
    let tag = unique("ctl");
    let a = format!("http://{addr}/a.xml");
    let b = format!("http://{addr}/b.xml");
    let mut env = child_env(data.path(), Some(&broker()), &a, &tag);
    env.push(("NEWSMILL__FETCHER__POLL_MIN".into(), "1s".into()));
    env.push(("NEWSMILL__FETCHER__POLL_MAX".into(), "1s".into()));
    let mut fetch = Running(
        Command::new(newsmill_bin())
            .arg("fetch")
            .envs(env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start newsmill fetch"),
    );

    wait_for(&log, "/a1.html", Duration::from_secs(60)).await;
    assert_eq!(count(&log, "/b.xml"), 0, "b is not subscribed yet");
    feeds_command(&env, "add", &b);
    wait_for(&log, "/b1.html", Duration::from_secs(60)).await;
    feeds_command(&env, "remove", &b);
    // The remove reaches the running fetcher within a few seconds; after
    // that, b is never polled again although it would be due every second.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let b_polls = count(&log, "/b.xml");
    let a_polls = count(&log, "/a.xml");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(count(&log, "/b.xml"), b_polls, "removed feed still polled");
    assert!(count(&log, "/a.xml") > a_polls, "a keeps being polled");

    fetch.kill().unwrap();
    fetch.wait().unwrap();
    let raw = tail_json(&env, &format!("{tag}.raw"));
    let mut urls: Vec<&str> = raw
        .iter()
        .map(|r| r["fetched_url"].as_str().unwrap())
        .collect();
    urls.sort();
    assert_eq!(
        urls,
        [
            format!("http://{addr}/a1.html"),
            format!("http://{addr}/b1.html")
        ],
        "each article produced once"
    );
}
