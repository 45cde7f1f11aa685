//! How late news reaches the pipeline: each new item's age by its feed's
//! date, measured when a poll finds it, through a Prometheus recorder
//! local to this test. A feed's first poll (its backlog) is left out.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use news_core::bus::Bus;

mod common;
use common::{article, config, reply, run_once, serve};

/// A feed item's link and date.
type DatedLink = (String, chrono::DateTime<chrono::Utc>);

/// The value of the sample `name` (with its labels, if any) in `text`.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

#[test]
fn a_new_items_age_is_measured_from_its_feeds_date_after_the_first_poll() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&[60.0, 600.0, 3600.0])
        .unwrap()
        .build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        // One thread: the recorder is this thread's.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let now = chrono::Utc::now();
            let items: Arc<Mutex<Vec<DatedLink>>> = Arc::new(
                Mutex::new(vec![("/old".into(), now - chrono::Duration::days(3))]),
            );
            let listed = items.clone();
            let (addr, _) = serve(Arc::new(move |path: &str, _: &str| {
                let body = if path == "/feed.xml" {
                    let items: String = listed
                        .lock()
                        .unwrap()
                        .iter()
                        .map(|(p, at)| {
                            format!(
                                "<item><title>{p}</title><link>{p}</link><pubDate>{}</pubDate></item>",
                                at.to_rfc2822()
                            )
                        })
                        .collect();
                    format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>")
                        .into_bytes()
                } else {
                    article(path)
                };
                (reply("200 OK", &[], &body), Duration::ZERO)
            }))
            .await;
            let dir = tempfile::tempdir().unwrap();
            let cfg = config(dir.path(), vec![format!("http://{addr}/feed.xml")]);
            let bus = Bus::from_config(&cfg).unwrap();
            run_once(&cfg, &bus).await;
            // Published 20 minutes before the next poll finds it.
            items
                .lock()
                .unwrap()
                .push(("/new".into(), now - chrono::Duration::minutes(20)));
            tokio::time::sleep(Duration::from_millis(1100)).await;
            let report = run_once(&cfg, &bus).await;
            assert_eq!(report.items_new, 1, "{report:?}");
        });
    });
    let text = handle.render();
    assert_eq!(
        sample(&text, "news_fetch_item_age_seconds_count"),
        Some(1.0),
        "{text}"
    );
    let age = sample(&text, "news_fetch_item_age_seconds_sum").unwrap();
    assert!((1200.0..1260.0).contains(&age), "{age}");
    assert_eq!(
        sample(&text, "news_fetch_item_age_seconds_bucket{le=\"600\"}"),
        Some(0.0)
    );
    assert_eq!(
        sample(&text, "news_fetch_item_age_seconds_bucket{le=\"3600\"}"),
        Some(1.0)
    );
}
