//! Messages of every topic round-trip through real tansu and through the
//! embedded log: keys, headers, schema validation, commit, and resume after
//! the consumer is killed, with nothing lost.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use news_core::bus::kafka::{KafkaBus, KafkaProducer, ReadEnd};
use news_core::bus::{Bus, OutRecord, Position};
use news_core::config::Config;
use newsmill_tests::{broker, child_env, create_topic, repo_root, run_newsmill, unique};

/// (topic role, example message) for every topic.
fn examples() -> Vec<(String, serde_json::Value, serde_json::Value)> {
    let dir = repo_root().join("schemas");
    [
        "news.raw.v1",
        "news.clean.v1",
        "news.dedup.v1",
        "news.stories.v1",
        "news.dlq.v1",
        "news.feeds.v1",
    ]
    .iter()
    .map(|t| {
        let ex = std::fs::read_to_string(dir.join(format!("examples/{t}.example.json"))).unwrap();
        let schema = std::fs::read_to_string(dir.join(format!("{t}.schema.json"))).unwrap();
        (
            t.to_string(),
            serde_json::from_str(&ex).unwrap(),
            serde_json::from_str(&schema).unwrap(),
        )
    })
    .collect()
}

const PER_TOPIC: usize = 12;

async fn roundtrip(bus: Bus, prefix: &str) {
    let examples = examples();
    let topics: Vec<String> = examples
        .iter()
        .map(|(t, _, _)| format!("{prefix}.{t}"))
        .collect();
    let topic_refs: Vec<&str> = topics.iter().map(String::as_str).collect();
    bus.ensure_topics(&topic_refs).await.expect("create topics");

    let producer = bus.producer().unwrap();
    let mut expected = BTreeSet::new();
    for ((_, example, _), topic) in examples.iter().zip(&topics) {
        for i in 0..PER_TOPIC {
            let key = format!("key-{i}");
            let rec = OutRecord::json(topic, &key, example).with_header("seq", i.to_string());
            producer.send_and_wait(rec).await.expect("acknowledged");
            expected.insert((topic.clone(), key));
        }
    }
    producer.flush(Duration::from_secs(10)).unwrap();

    let group = unique("rt");
    let mut seen = BTreeSet::new();
    let check = |rec: &news_core::InRecord| {
        let (_, _, schema) = examples
            .iter()
            .zip(&topics)
            .find(|(_, t)| **t == rec.topic)
            .expect("known topic")
            .0;
        let value: serde_json::Value = serde_json::from_slice(&rec.payload).expect("json payload");
        let validator = jsonschema::validator_for(schema).unwrap();
        assert!(
            validator.is_valid(&value),
            "message on {} fails its schema",
            rec.topic
        );
        let seq = rec.header("seq").expect("seq header survives");
        assert_eq!(
            rec.key_str().unwrap(),
            format!("key-{}", String::from_utf8_lossy(seq))
        );
        assert_eq!(rec.header("content-type"), Some(&b"application/json"[..]));
    };

    // First consumer: process half, commit, then die without committing more.
    let half = expected.len() / 2;
    {
        let mut consumer = bus.consumer(&group, &topics).unwrap();
        let mut n = 0;
        while n < half {
            let rec = tokio::time::timeout(Duration::from_secs(30), consumer.recv())
                .await
                .expect("message in time")
                .unwrap();
            check(&rec);
            seen.insert((rec.topic.clone(), rec.key_str().unwrap()));
            consumer.store(&Position::from(&rec)).unwrap();
            n += 1;
        }
        consumer.commit().unwrap();
        // Read a few more without storing them: a crash loses this progress.
        for _ in 0..3 {
            let _ = tokio::time::timeout(Duration::from_secs(5), consumer.recv()).await;
        }
    }

    // A restarted consumer resumes after the committed half: nothing lost.
    let mut consumer = bus.consumer(&group, &topics).unwrap();
    let mut second = 0;
    let mut second_keys = BTreeSet::new();
    while seen.len() < expected.len() || second < expected.len() - half {
        let rec = match tokio::time::timeout(Duration::from_secs(15), consumer.recv()).await {
            Ok(r) => r.unwrap(),
            Err(_) => break,
        };
        check(&rec);
        second += 1;
        second_keys.insert((rec.topic.clone(), rec.key_str().unwrap()));
        seen.insert((rec.topic.clone(), rec.key_str().unwrap()));
        consumer.store(&Position::from(&rec)).unwrap();
    }
    assert_eq!(seen, expected, "every message arrives at least once");
    // Resume means the committed half was not read again.
    assert!(
        second_keys.len() <= expected.len() - half + 3 * 6,
        "restarted consumer re-read {} messages; committed positions were ignored",
        second_keys.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_topic_roundtrips_on_tansu() {
    let mut cfg = Config::default();
    cfg.bus.brokers = broker();
    cfg.bus.partitions = 3;
    cfg.runner.session_timeout = Duration::from_secs(6);
    roundtrip(Bus::from_config(&cfg).unwrap(), &unique("it")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_topic_roundtrips_on_the_embedded_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::default();
    cfg.bus.data_dir = dir.path().to_path_buf();
    roundtrip(Bus::from_config(&cfg).unwrap(), "emb").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_messages_are_refused_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::default();
    cfg.bus.data_dir = dir.path().to_path_buf();
    cfg.bus.max_message_bytes = 4096;
    let bus = Bus::from_config(&cfg).unwrap();
    let big = OutRecord {
        topic: "t".into(),
        key: "k".into(),
        headers: vec![],
        payload: vec![b'x'; 10_000],
    };
    let err = bus.producer().unwrap().send(big).err().expect("refused");
    assert!(err.to_string().contains("exceeds"), "{err}");
}

/// The test broker, making topics of one partition, and a fresh topic
/// name (also the changelog's, for the replay).
fn one_partition_kafka(prefix: &str) -> (KafkaBus, String) {
    one_partition_kafka_with(prefix, &[])
}

/// `one_partition_kafka` with librdkafka `settings` of its own.
fn one_partition_kafka_with(prefix: &str, settings: &[(&str, &str)]) -> (KafkaBus, String) {
    let mut config = Config::default();
    config.bus.brokers = broker();
    config.bus.partitions = 1;
    for (name, value) in settings {
        config.bus.kafka.insert(name.to_string(), value.to_string());
    }
    let topic = unique(prefix);
    config.topics.dedup_changelog = topic.clone();
    let Bus::Kafka(kafka) = Bus::from_config(&config).unwrap() else {
        panic!("a broker is configured");
    };
    (kafka, topic)
}

/// Send the numbers 0 to `count` - 1 to `topic`, all at once, under one
/// key, then await their acks, the last one first.
async fn send_numbers_awaiting_the_last_first(producer: &KafkaProducer, topic: &str, count: i64) {
    let acks: Vec<_> = (0..count)
        .map(|i| producer.send(OutRecord::json(topic, "story", &i)).unwrap())
        .collect();
    for ack in acks.into_iter().rev() {
        ack.await.expect("acknowledged");
    }
}

/// Every record `topic` holds, partition by partition, each in the order
/// written (at most 1,000).
async fn records_in(kafka: &KafkaBus, topic: &str) -> Vec<news_core::bus::InRecord> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(1000);
    let (reader, t) = (kafka.clone(), topic.to_string());
    tokio::task::spawn_blocking(move || reader.read_to_end(&t, 0, ReadEnd::Quiet, tx))
        .await
        .unwrap()
        .unwrap();
    let mut records = Vec::new();
    while let Ok(r) = rx.try_recv() {
        records.push(r);
    }
    records
}

/// The JSON numbers `topic` holds, in the order they were written.
async fn numbers_in(kafka: &KafkaBus, topic: &str) -> Vec<i64> {
    records_in(kafka, topic)
        .await
        .iter()
        .map(|r| serde_json::from_slice::<i64>(&r.payload).unwrap())
        .collect()
}

/// A replay (the dedup rebuild) reads every record of a topic that a stage
/// wrote in batches, among other topics, up to the last one.
#[tokio::test(flavor = "multi_thread")]
async fn a_replay_reads_every_record_of_batched_writes() {
    let (kafka, topic) = one_partition_kafka("replay");
    let others = [format!("{topic}.a"), format!("{topic}.b")];
    kafka
        .ensure_topics(&[topic.as_str(), others[0].as_str(), others[1].as_str()])
        .await
        .unwrap();
    let producer = kafka.producer().unwrap();
    // Bursts sent without waiting, so the producer packs them into batches,
    // interleaved with two other topics as a stage writes them.
    let mut sent = 0;
    for burst in [60, 7] {
        let mut acks = Vec::new();
        for i in sent..sent + burst {
            for other in &others {
                acks.push(producer.send(OutRecord::json(other, "k", &i)).unwrap());
            }
            let rec = OutRecord::json(&topic, &format!("k{i}"), &i);
            acks.push(producer.send(rec).unwrap());
            // Several produce requests in flight, as a busy stage has them.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        for ack in acks {
            ack.await.expect("acknowledged");
        }
        sent += burst;
    }
    let (read, keys) = read_whole(&kafka, &topic, ReadEnd::Quiet).await;
    let reported: i64 = kafka.watermarks(&topic).unwrap().iter().map(|w| w.2).sum();
    assert_eq!(
        (read as usize, keys.len()),
        (sent, sent),
        "records and distinct keys read; the broker reported an end of {reported}"
    );

    // A one-shot read (`newsmill tail`) of the same topic while a stage goes
    // on writing to it: it must not wait for a quiet that never comes, and
    // must still hold every record written before it began.
    let writing = {
        let (producer, topic) = (kafka.producer().unwrap(), topic.clone());
        tokio::spawn(async move {
            for i in 0.. {
                let rec = OutRecord::json(&topic, &format!("live{i}"), &i);
                producer.send(rec).unwrap().await.expect("acknowledged");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let read = tokio::time::timeout(
        Duration::from_secs(30),
        read_whole(&kafka, &topic, ReadEnd::WrittenBefore(SystemTime::now())),
    )
    .await;
    writing.abort();
    let (_, keys) = read.expect("the read ends while the writes go on");
    let missing: Vec<_> = (0..sent)
        .map(|i| format!("k{i}"))
        .filter(|k| !keys.contains(k))
        .collect();
    assert!(
        missing.is_empty(),
        "records written before the read: {missing:?}"
    );
    assert!(
        keys.contains("live0"),
        "a record written a second before the read"
    );
}

/// Read all of `topic` as the replay does; returns the count and the keys.
async fn read_whole(kafka: &KafkaBus, topic: &str, end: ReadEnd) -> (u64, BTreeSet<String>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel(100_000);
    let (reader, t) = (kafka.clone(), topic.to_string());
    let read = tokio::task::spawn_blocking(move || reader.read_to_end(&t, 0, end, tx))
        .await
        .unwrap()
        .unwrap();
    let mut keys = BTreeSet::new();
    while let Ok(r) = rx.try_recv() {
        keys.insert(r.key_str().unwrap().to_string());
    }
    (read, keys)
}

/// Records reach a partition in the order they were sent, whatever order
/// their acknowledgements are awaited in: a stage's story summaries are
/// keyed by story, and the last one in the topic must be the newest.
#[tokio::test(flavor = "multi_thread")]
async fn records_keep_the_order_they_were_sent_in_whatever_order_acks_are_awaited() {
    let (kafka, topic) = one_partition_kafka("order");
    kafka.ensure_topics(&[topic.as_str()]).await.unwrap();
    let producer = kafka.producer().unwrap();
    // The last one first: until round 34 a record was handed to the
    // producer only when its ack was first polled, so this sent 19 first.
    send_numbers_awaiting_the_last_first(&producer, &topic, 20).await;
    assert_eq!(
        numbers_in(&kafka, &topic).await,
        (0..20).collect::<Vec<i64>>()
    );
}

/// A full local queue (here four records) holds a record back, and every
/// later one waits behind it: awaited last first, or never awaited and
/// flushed, they still arrive in the order they were sent.
#[tokio::test(flavor = "multi_thread")]
async fn records_keep_their_order_when_the_producer_queue_is_full() {
    let (kafka, topic) =
        one_partition_kafka_with("queue-full", &[("queue.buffering.max.messages", "4")]);
    kafka.ensure_topics(&[topic.as_str()]).await.unwrap();
    let producer = kafka.producer().unwrap();
    send_numbers_awaiting_the_last_first(&producer, &topic, 200).await;
    // Acks dropped unpolled: the flush hands the waiting records over.
    for i in 200..300 {
        drop(producer.send(OutRecord::json(&topic, "story", &i)).unwrap());
    }
    producer.flush(Duration::from_secs(30)).expect("flushed");
    assert_eq!(
        numbers_in(&kafka, &topic).await,
        (0..300).collect::<Vec<i64>>()
    );
}

/// The value of `setting` the broker reports for `topic`.
async fn topic_setting(topic: &str, setting: &str) -> Option<String> {
    use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
    use rdkafka::client::DefaultClientContext;
    let admin: AdminClient<DefaultClientContext> = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", broker())
        .create()
        .unwrap();
    let described = admin
        .describe_configs(&[ResourceSpecifier::Topic(topic)], &AdminOptions::new())
        .await
        .unwrap();
    let resource = described.into_iter().next()?.ok()?;
    resource.get(setting)?.value.clone()
}

/// A broker's default `max.message.bytes` (1 MiB) is below newsmill's 8
/// MiB: the topics newsmill makes take its largest message, and a topic
/// made before with a smaller limit is found, so that the start can warn.
/// The stories topic keeps each story's last summary, for the window and
/// a day.
#[tokio::test]
async fn topics_take_the_largest_message_and_smaller_limits_are_found() {
    let mut config = Config::default();
    config.bus.brokers = broker();
    config.bus.partitions = 1;
    let made = unique("limits-made");
    config.topics.stories = made.clone();
    let Bus::Kafka(kafka) = Bus::from_config(&config).unwrap() else {
        panic!("a broker is configured");
    };
    kafka.ensure_topics(&[&made]).await.unwrap();
    assert_eq!(
        topic_setting(&made, "cleanup.policy").await.as_deref(),
        Some("compact,delete")
    );
    let window_and_a_day = (72 + 24) * 3600 * 1000;
    assert_eq!(
        topic_setting(&made, "retention.ms").await.as_deref(),
        Some(window_and_a_day.to_string().as_str())
    );
    let largest = Config::default().bus.max_message_bytes + 64 * 1024;
    assert_eq!(
        topic_setting(&made, "max.message.bytes").await.as_deref(),
        Some(largest.to_string().as_str())
    );

    let small = unique("limits-small");
    create_topic(&small, &[("max.message.bytes", "1048588")]).await;
    let smaller = kafka
        .topics_with_smaller_limits(&[&made, &small])
        .await
        .unwrap();
    assert_eq!(smaller, [(small.clone(), 1_048_588)]);
}

/// A data directory and the environment of a fetcher on the test broker
/// with no feeds, its topics named after `tag`.
fn fetcher_env_without_feeds(tag: &str) -> (tempfile::TempDir, Vec<(String, String)>) {
    let disk = tempfile::tempdir().unwrap();
    let mut env = child_env(
        disk.path(),
        Some(&broker()),
        "http://127.0.0.1:9/none.xml",
        tag,
    );
    env.push(("NEWSMILL__FETCHER__FEEDS".into(), "[]".into()));
    (disk, env)
}

/// Topics an operator made before newsmill starts, with settings that
/// would refuse its pages, forget its feed commands or keep every story
/// ever made: each is named in a warning at start.
#[tokio::test]
async fn topic_settings_made_elsewhere_are_warned_of_at_start() {
    let tag = unique("settings");
    create_topic(&format!("{tag}.raw"), &[("max.message.bytes", "1048588")]).await;
    create_topic(&format!("{tag}.feeds"), &[("cleanup.policy", "delete")]).await;
    create_topic(&format!("{tag}.stories"), &[("cleanup.policy", "compact")]).await;
    let (_disk, env) = fetcher_env_without_feeds(&tag);
    let out = run_newsmill(&["fetch", "--once"], &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warned = |topic: &str, what: &str| {
        stderr
            .lines()
            .any(|l| l.contains("WARN") && l.contains(topic) && l.contains(what))
    };
    assert!(warned(&format!("{tag}.raw"), "1048588"), "{stderr}");
    assert!(warned(&format!("{tag}.feeds"), "not compacted"), "{stderr}");
    assert!(
        warned(&format!("{tag}.stories"), "every story ever made"),
        "{stderr}"
    );
    assert!(
        !warned(&format!("{tag}.clean"), "smaller messages"),
        "{stderr}"
    );
}

/// With `bus.create_topics = false` (topics made by the cluster's
/// operator), a topic that is missing stops the start, named: a record
/// sent to it would fail mid-run instead.
#[tokio::test]
async fn missing_topics_stop_the_start_when_newsmill_is_not_to_create_them() {
    let tag = unique("missing");
    let (_disk, mut env) = fetcher_env_without_feeds(&tag);
    env.push(("NEWSMILL__BUS__CREATE_TOPICS".into(), "false".into()));
    for made in ["raw", "feeds", "dlq"] {
        create_topic(&format!("{tag}.{made}"), &[]).await;
    }
    // The line a start that must fail names the missing topics in.
    let missing_at_start = |env: &[(String, String)]| {
        let out = std::process::Command::new(newsmill_tests::newsmill_bin())
            .args(["fetch", "--once"])
            .envs(env.iter().cloned())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success(), "{stderr}");
        stderr
            .lines()
            .find(|l| l.contains("topics missing on the broker"))
            .unwrap_or_else(|| panic!("{stderr}"))
            .to_string()
    };
    let missing = missing_at_start(&env);
    for topic in ["clean", "dedup", "stories", "dedup_changelog", "articles"] {
        assert!(missing.contains(&format!("{tag}.{topic}")), "{missing}");
    }
    for topic in ["raw", "feeds", "dlq"] {
        assert!(!missing.contains(&format!("{tag}.{topic},")), "{missing}");
        assert!(!missing.ends_with(&format!("{tag}.{topic}")), "{missing}");
    }
    // With `dedup.articles` off, its topic is not needed.
    env.push(("NEWSMILL__DEDUP__ARTICLES".into(), "false".into()));
    let missing = missing_at_start(&env);
    assert!(missing.contains(&format!("{tag}.clean")), "{missing}");
    assert!(!missing.contains(&format!("{tag}.articles")), "{missing}");
}

/// The partition `partition_of_key` names for a key is the one librdkafka's
/// producer put it in, under its default partitioner and the two others
/// that place keys (Java's murmur2, FNV-1a); a reader after one key reads
/// that partition alone and finds the key's records there.
#[tokio::test(flavor = "multi_thread")]
async fn a_keys_partition_is_where_the_producer_put_it() {
    use news_core::bus::partitioner::{DEFAULT_PARTITIONER, partition_of_key};
    for partitioner in [DEFAULT_PARTITIONER, "murmur2_random", "fnv1a_random"] {
        let mut config = Config::default();
        config.bus.brokers = broker();
        config.bus.partitions = 3;
        if partitioner != DEFAULT_PARTITIONER {
            config
                .bus
                .kafka
                .insert("partitioner".into(), partitioner.into());
        }
        let topic = unique("keyed");
        let bus = Bus::from_config(&config).unwrap();
        bus.ensure_topics(&[topic.as_str()]).await.unwrap();
        let producer = bus.producer().unwrap();
        let keys: Vec<String> = (0..40)
            .map(|i| news_core::ids::sha256_hex(format!("https://example.org/{i}")))
            .collect();
        for key in &keys {
            let record = OutRecord::json(&topic, key, &serde_json::json!({ "key": key }));
            producer.send_and_wait(record).await.unwrap();
        }
        producer.flush(Duration::from_secs(10)).unwrap();
        let Bus::Kafka(kafka) = bus else {
            panic!("a broker is configured")
        };
        let mut used = BTreeSet::new();
        let mut placed = 0;
        for r in records_in(&kafka, &topic).await {
            let key = r.key_str().unwrap();
            assert_eq!(
                partition_of_key(partitioner, key.as_bytes(), 3),
                Some(r.partition),
                "{partitioner}: {key}"
            );
            used.insert(r.partition);
            placed += 1;
        }
        assert_eq!(placed, keys.len(), "{partitioner}");
        assert_eq!(used.len(), 3, "{partitioner}: 40 keys over 3 partitions");

        let (tx, mut rx) = tokio::sync::mpsc::channel(100);
        let (reader, t, key) = (kafka.clone(), topic.clone(), keys[7].clone());
        let (_, read_partition) = tokio::task::spawn_blocking(move || {
            reader.read_key_to_end(&t, key.as_bytes(), ReadEnd::Quiet, tx)
        })
        .await
        .unwrap()
        .unwrap();
        let want = partition_of_key(partitioner, keys[7].as_bytes(), 3);
        assert_eq!(read_partition, want, "{partitioner}");
        let mut found = false;
        while let Ok(r) = rx.try_recv() {
            assert_eq!(
                Some(r.partition),
                want,
                "{partitioner}: another partition read"
            );
            found |= r.key_str().as_deref() == Some(keys[7].as_str());
        }
        assert!(found, "{partitioner}: the key's record");
    }
}
