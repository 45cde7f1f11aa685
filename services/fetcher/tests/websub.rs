//! WebSub on loopback: a hub, a site whose feeds name it, and the
//! fetcher's push endpoint between them.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use news_core::bus::Bus;
use news_core::messages::{FeedAction, FeedCommand};
use news_fetcher::{Control, Fetcher};
use tokio_util::sync::CancellationToken;

use common::websub::{feed, hub, signature, wait_for, websub_config};
use common::{article, edit_state, read_state, reply, serve};

/// Two feeds on one site name a hub. The first poll asks the hub for each;
/// the fetcher confirms the hub's verification of its own request only; a
/// push with a bad signature is taken and ignored, one for an unknown
/// callback is refused, and a signed push has its feed polled at once,
/// though its next poll is an hour away. After a restart the verified
/// lease still holds: a signed push is taken without asking the hub again.
/// A feed removed has its hub asked to stop pushing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_pushed_by_its_hub_is_polled_at_once_its_lease_outlives_a_restart_and_removal_ends_it()
 {
    news_fetcher::http::install_tls_provider();
    let (hub_url, forms) = hub().await;
    let items: Arc<Mutex<HashMap<&'static str, Vec<String>>>> = Arc::new(Mutex::new(
        [
            ("/a.xml", vec!["/a1".into()]),
            ("/b.xml", vec!["/b1".into()]),
        ]
        .into(),
    ));
    let (site, seen) = {
        let (hub_url, items) = (hub_url.clone(), items.clone());
        let base: Arc<Mutex<String>> = Arc::default();
        let base2 = base.clone();
        let served = serve(Arc::new(move |path: &str, _: &str| {
            let base = base2.lock().unwrap().clone();
            let body = match items.lock().unwrap().get(path) {
                Some(paths) => feed(&hub_url, &format!("{base}{path}"), paths, &base),
                None => article(path),
            };
            (reply("200 OK", &[], &body), Duration::ZERO)
        }))
        .await;
        *base.lock().unwrap() = format!("http://{}", served.0);
        served
    };
    let feed_a = format!("http://{site}/a.xml");
    let feed_b = format!("http://{site}/b.xml");
    let dir = tempfile::tempdir().unwrap();
    let (mut cfg, port) = websub_config(dir.path(), vec![feed_a.clone(), feed_b.clone()]);
    cfg.fetcher.poll_min = Duration::from_secs(3600);
    cfg.fetcher.poll_max = Duration::from_secs(3600);
    cfg.validate().unwrap();
    let bus = Bus::from_config(&cfg).unwrap();
    let fetcher = Fetcher::new(cfg.clone(), bus.producer().unwrap()).unwrap();
    let totals = fetcher.totals.clone();
    let polled = move || totals.lock().unwrap().feeds_polled;
    let token = CancellationToken::new();
    let running = tokio::spawn(fetcher.run(token.clone(), false));

    wait_for("a request to the hub for each feed", || {
        forms.lock().unwrap().len() == 2
    })
    .await;
    let form_of = |topic: &str| {
        forms
            .lock()
            .unwrap()
            .iter()
            .find(|f| f["hub.topic"] == topic)
            .cloned()
            .expect("a request for the feed")
    };
    let (form_a, form_b) = (form_of(&feed_a), form_of(&feed_b));
    for form in [&form_a, &form_b] {
        assert_eq!(form["hub.mode"], "subscribe");
        assert_eq!(form["hub.lease_seconds"], "604800");
        assert_eq!(form["hub.secret"].len(), 64);
        assert!(form["hub.callback"].starts_with(&format!("http://127.0.0.1:{port}/websub/")));
    }
    assert_ne!(form_a["hub.secret"], form_b["hub.secret"]);
    assert_ne!(form_a["hub.callback"], form_b["hub.callback"]);

    let client = reqwest::Client::new();
    let verify = |callback: &str, topic: &str, challenge: &str| {
        let url = reqwest::Url::parse_with_params(
            callback,
            &[
                ("hub.mode", "subscribe"),
                ("hub.topic", topic),
                ("hub.challenge", challenge),
                ("hub.lease_seconds", "86400"),
            ],
        )
        .unwrap();
        let client = client.clone();
        async move {
            let answer = client.get(url).send().await.unwrap();
            (answer.status().as_u16(), answer.text().await.unwrap())
        }
    };
    let (callback_a, callback_b) = (&form_a["hub.callback"], &form_b["hub.callback"]);
    assert_eq!(verify(callback_a, "http://evil.example/", "x").await.0, 404);
    assert_eq!(
        verify(callback_a, &feed_a, "ch-a").await,
        (200, "ch-a".into())
    );
    assert_eq!(
        verify(callback_b, &feed_b, "ch-b").await,
        (200, "ch-b".into())
    );
    assert_eq!(
        verify(callback_b, &feed_b, "again").await.0,
        404,
        "verified once"
    );

    wait_for("the first round", || polled() == 2).await;
    items
        .lock()
        .unwrap()
        .get_mut("/a.xml")
        .unwrap()
        .push("/a2".into());
    items
        .lock()
        .unwrap()
        .get_mut("/b.xml")
        .unwrap()
        .push("/b2".into());
    let push = |callback: String, signature: Option<String>| {
        let client = client.clone();
        async move {
            let mut request = client.post(callback).body("<rss/>");
            if let Some(signature) = signature {
                request = request.header("X-Hub-Signature", signature);
            }
            // 0: not listening (yet: a restarted fetcher binds it first).
            request.send().await.map_or(0, |r| r.status().as_u16())
        }
    };
    let forged = signature("not the secret", b"<rss/>");
    assert_eq!(push(callback_a.clone(), Some(forged)).await, 202);
    assert_eq!(push(callback_a.clone(), None).await, 202);
    let unknown = format!("http://127.0.0.1:{port}/websub/{}", "0".repeat(32));
    assert_eq!(push(unknown, None).await, 410);
    let signed = signature(&form_b["hub.secret"], b"<rss/>");
    assert_eq!(push(callback_b.clone(), Some(signed.clone())).await, 202);
    wait_for("the pushed feed's new page", || seen.count("/b2") == 1).await;
    wait_for("the pushed round", || polled() >= 3).await;
    assert_eq!(polled(), 3, "only the pushed feed was polled");
    assert_eq!(
        seen.count("/a.xml"),
        1,
        "pushes without a valid signature are ignored"
    );
    assert_eq!(seen.count("/a2"), 0);

    token.cancel();
    running.await.unwrap().unwrap();

    // A restart: the verified lease is read back, and a signed push taken.
    let statuses = news_fetcher::status::feed_statuses(&cfg, &[]).unwrap();
    let pushed = |url: &str| {
        statuses
            .iter()
            .find(|s| s.url == url)
            .and_then(|s| s.websub.clone())
            .expect("a WebSub status")
    };
    assert_eq!(pushed(&feed_b).state, "active");
    assert!(pushed(&feed_b).until.is_some());
    assert_eq!(pushed(&feed_a).hub, hub_url);
    items
        .lock()
        .unwrap()
        .get_mut("/b.xml")
        .unwrap()
        .push("/b3".into());
    let (commands, control) = tokio::sync::mpsc::channel(8);
    commands.send(Control::CaughtUp).await.unwrap();
    let fetcher = Fetcher::new(cfg.clone(), bus.producer().unwrap())
        .unwrap()
        .with_control(control);
    let token = CancellationToken::new();
    let running = tokio::spawn(fetcher.run(token.clone(), false));
    // Its start polls nothing: both feeds are due in an hour.
    let mut accepted = 0;
    for _ in 0..50 {
        accepted = push(callback_b.clone(), Some(signed.clone())).await;
        if accepted == 202 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(accepted, 202, "the endpoint is back, with the lease");
    wait_for("the page pushed after the restart", || {
        seen.count("/b3") == 1
    })
    .await;
    assert_eq!(
        forms.lock().unwrap().len(),
        2,
        "the hub was not asked again"
    );

    // A feed removed: its hub is asked to stop, the fetcher confirms that,
    // and the feed's pushes are refused.
    let remove = FeedCommand {
        schema_version: news_core::messages::SCHEMA_VERSION,
        feed_url: feed_a.clone(),
        action: FeedAction::Remove,
        at: chrono::Utc::now(),
        title: None,
        settings: Default::default(),
    };
    commands.send(Control::Command(remove)).await.unwrap();
    wait_for("a request to end the removed feed's subscription", || {
        forms.lock().unwrap().len() == 3
    })
    .await;
    let ending = forms.lock().unwrap()[2].clone();
    assert_eq!(ending["hub.mode"], "unsubscribe");
    assert_eq!(ending["hub.topic"], feed_a);
    assert_eq!(&ending["hub.callback"], callback_a);
    let confirm = reqwest::Url::parse_with_params(
        callback_a,
        &[
            ("hub.mode", "unsubscribe"),
            ("hub.topic", feed_a.as_str()),
            ("hub.challenge", "bye"),
        ],
    )
    .unwrap();
    let answer = client.get(confirm).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.text().await.unwrap(), "bye");
    let signed_a = signature(&form_a["hub.secret"], b"<rss/>");
    assert_eq!(push(callback_a.clone(), Some(signed_a)).await, 410);
    token.cancel();
    running.await.unwrap().unwrap();
}

/// A lease near its end is renewed at the feed's next poll, also one
/// answered 304 (a feed that does not change is not read, but its pushes
/// are still wanted), under the secret it had.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_near_its_end_is_renewed_at_a_poll_answered_304() {
    news_fetcher::http::install_tls_provider();
    let (hub_url, forms) = hub().await;
    let not_modified = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let base: Arc<Mutex<String>> = Arc::default();
    let (site, _) = {
        let (hub_url, base, not_modified) = (hub_url.clone(), base.clone(), not_modified.clone());
        serve(Arc::new(move |path: &str, head: &str| {
            let base = base.lock().unwrap().clone();
            if head.to_ascii_lowercase().contains("if-none-match: \"v1\"") {
                not_modified.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                return (
                    reply("304 Not Modified", &[("ETag", "\"v1\"")], b""),
                    Duration::ZERO,
                );
            }
            let body = match path {
                "/feed.xml" => feed(
                    &hub_url,
                    &format!("{base}/feed.xml"),
                    &["/a1".into()],
                    &base,
                ),
                _ => article(path),
            };
            (
                reply("200 OK", &[("ETag", "\"v1\"")], &body),
                Duration::ZERO,
            )
        }))
        .await
    };
    *base.lock().unwrap() = format!("http://{site}");
    let dir = tempfile::tempdir().unwrap();
    let feed_url = format!("http://{site}/feed.xml");
    let (cfg, _) = websub_config(dir.path(), vec![feed_url.clone()]);
    let bus = Bus::from_config(&cfg).unwrap();
    let run = |cfg: news_core::Config| {
        let fetcher = Fetcher::new(cfg, bus.producer().unwrap()).unwrap();
        let token = CancellationToken::new();
        (token.clone(), tokio::spawn(fetcher.run(token, false)))
    };
    let (token, running) = run(cfg.clone());
    wait_for("the first request to the hub", || {
        forms.lock().unwrap().len() == 1
    })
    .await;
    token.cancel();
    running.await.unwrap().unwrap();
    let first = forms.lock().unwrap()[0].clone();

    // The lease, as if asked two hours ago and ending within the hour.
    edit_state(dir.path(), |state| {
        let now = chrono::Utc::now().timestamp();
        let lease = state
            .pointer_mut(&format!("/feeds/{}/websub", feed_url.replace('/', "~1")))
            .expect("the feed's lease in its state");
        lease["requested_at"] = (now - 7200).into();
        lease["until"] = (now + 3600).into();
    });

    let before = not_modified.load(std::sync::atomic::Ordering::SeqCst);
    let (token, running) = run(cfg.clone());
    wait_for("the renewal", || forms.lock().unwrap().len() == 2).await;
    token.cancel();
    running.await.unwrap().unwrap();
    let renewal = forms.lock().unwrap()[1].clone();
    assert!(
        not_modified.load(std::sync::atomic::Ordering::SeqCst) > before,
        "the poll that renewed it was answered 304"
    );
    assert_eq!(renewal["hub.mode"], "subscribe");
    assert_eq!(renewal["hub.topic"], feed_url);
    assert_eq!(
        renewal["hub.secret"], first["hub.secret"],
        "the secret it had"
    );
    assert_eq!(renewal["hub.callback"], first["hub.callback"]);
}

/// Feeds removed while no fetcher ran, from the config (`c`) or by a
/// command on the control topic (`b`), have their hubs asked to stop at the
/// next start, which confirms the hubs' checks; a feed removed and added
/// again (`a`) keeps its lease and asks nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_removed_while_no_fetcher_ran_have_their_hubs_asked_to_stop() {
    news_fetcher::http::install_tls_provider();
    let (hub_url, forms) = hub().await;
    let base: Arc<Mutex<String>> = Arc::default();
    let (site, _) = {
        let (hub_url, base) = (hub_url.clone(), base.clone());
        serve(Arc::new(move |path: &str, _: &str| {
            let base = base.lock().unwrap().clone();
            let body = match path.strip_suffix(".xml") {
                Some(name) => feed(
                    &hub_url,
                    &format!("{base}{path}"),
                    &[format!("{name}1")],
                    &base,
                ),
                None => article(path),
            };
            (reply("200 OK", &[], &body), Duration::ZERO)
        }))
        .await
    };
    *base.lock().unwrap() = format!("http://{site}");
    let [feed_a, feed_b, feed_c] = ["a", "b", "c"].map(|n| format!("http://{site}/{n}.xml"));
    let dir = tempfile::tempdir().unwrap();
    let (mut cfg, _) = websub_config(
        dir.path(),
        vec![feed_a.clone(), feed_b.clone(), feed_c.clone()],
    );
    cfg.fetcher.poll_min = Duration::from_secs(3600);
    cfg.fetcher.poll_max = Duration::from_secs(3600);
    let bus = Bus::from_config(&cfg).unwrap();
    let start = |cfg: news_core::Config, replay: Vec<Control>| {
        let fetcher = Fetcher::new(cfg, bus.producer().unwrap()).unwrap();
        let (commands, control) = tokio::sync::mpsc::channel(8);
        for msg in replay {
            commands.try_send(msg).unwrap();
        }
        commands.try_send(Control::CaughtUp).unwrap();
        let token = CancellationToken::new();
        let running = tokio::spawn(fetcher.with_control(control).run(token.clone(), false));
        (token, running, commands)
    };
    let (token, running, _commands) = start(cfg.clone(), vec![]);
    wait_for("a request for each feed", || {
        forms.lock().unwrap().len() == 3
    })
    .await;
    token.cancel();
    running.await.unwrap().unwrap();
    let asked: HashMap<String, HashMap<String, String>> = forms
        .lock()
        .unwrap()
        .iter()
        .map(|f| (f["hub.topic"].clone(), f.clone()))
        .collect();

    // While no fetcher runs: `c` leaves the config, `b` is removed by
    // command, `a` is removed and added again.
    let command = |feed: &str, action| {
        Control::Command(FeedCommand {
            schema_version: news_core::messages::SCHEMA_VERSION,
            feed_url: feed.to_string(),
            action,
            at: chrono::Utc::now(),
            title: None,
            settings: Default::default(),
        })
    };
    cfg.fetcher.feeds = vec![feed_a.clone(), feed_b.clone()];
    let replay = vec![
        command(&feed_a, FeedAction::Remove),
        command(&feed_a, FeedAction::Add),
        command(&feed_b, FeedAction::Remove),
    ];
    let (token, running, _commands) = start(cfg.clone(), replay);
    wait_for("the requests to end b and c", || {
        forms.lock().unwrap().len() == 5
    })
    .await;
    let endings: HashMap<String, HashMap<String, String>> = forms.lock().unwrap()[3..]
        .iter()
        .map(|f| (f["hub.topic"].clone(), f.clone()))
        .collect();
    for feed in [&feed_b, &feed_c] {
        let ending = &endings[feed];
        assert_eq!(ending["hub.mode"], "unsubscribe", "{feed}");
        assert_eq!(ending["hub.callback"], asked[feed]["hub.callback"]);
    }
    assert!(!endings.contains_key(&feed_a), "a is still subscribed");
    let confirm = reqwest::Url::parse_with_params(
        &asked[&feed_c]["hub.callback"],
        &[
            ("hub.mode", "unsubscribe"),
            ("hub.topic", feed_c.as_str()),
            ("hub.challenge", "bye"),
        ],
    )
    .unwrap();
    let answer = reqwest::get(confirm).await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.text().await.unwrap(), "bye");
    tokio::time::sleep(Duration::from_millis(300)).await;
    token.cancel();
    running.await.unwrap().unwrap();
    assert_eq!(forms.lock().unwrap().len(), 5, "nothing asked for a");
    let state = read_state(dir.path());
    let feeds = state["feeds"].as_object().unwrap();
    assert!(feeds[&feed_a]["websub"].is_object(), "a keeps its lease");
    assert!(!feeds.contains_key(&feed_b) && !feeds.contains_key(&feed_c));

    // The shard count changes, and `a`'s site falls to the other shard. A
    // fetcher here without the endpoint cannot have the hub stop (the hub
    // checks with the endpoint): it keeps `a`'s lease alone, and asks
    // nothing. One with the endpoint drops it and asks the hub to stop.
    cfg.fetcher.shard_count = 2;
    cfg.fetcher.shard_index = (0..2)
        .find(|&i| !news_fetcher::shard::Shard::new(i, 2).owns(&feed_a))
        .unwrap();
    let mut without_endpoint = cfg.clone();
    without_endpoint.fetcher.websub_callback = None;
    let (token, running, _commands) = start(without_endpoint, vec![]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    token.cancel();
    running.await.unwrap().unwrap();
    assert_eq!(forms.lock().unwrap().len(), 5, "no hub asked");
    let state = read_state(dir.path());
    let kept = &state["feeds"][&feed_a];
    assert!(kept["websub"].is_object(), "a's lease is kept: {kept}");
    assert_eq!(kept["last_ok_at"].as_i64().unwrap_or(0), 0, "and only it");
    let (token, running, _commands) = start(cfg.clone(), vec![]);
    wait_for("the request to end a", || forms.lock().unwrap().len() == 6).await;
    token.cancel();
    running.await.unwrap().unwrap();
    let ending = forms.lock().unwrap()[5].clone();
    assert_eq!(ending["hub.mode"], "unsubscribe");
    assert_eq!(ending["hub.callback"], asked[&feed_a]["hub.callback"]);
}
