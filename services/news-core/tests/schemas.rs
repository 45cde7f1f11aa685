//! Contract tests: committed schemas match the Rust types, and every example
//! message validates against its topic schema and round-trips through serde.

use std::path::PathBuf;

use news_core::messages::{
    CleanArticle, DeadLetter, DecidedArticle, DedupVerdict, FeedCommand, RawItem, Story,
    schema_files,
};

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

#[test]
fn committed_schemas_match_the_types() {
    let dir = schemas_dir();
    let update = std::env::var("UPDATE_SCHEMAS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, text) in schema_files() {
        let path = dir.join(&name);
        if update {
            std::fs::write(&path, &text).expect("write schema");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(committed) if committed == text => {}
            _ => stale.push(name),
        }
    }
    assert!(
        stale.is_empty(),
        "schemas out of date: {stale:?}; run UPDATE_SCHEMAS=1 cargo test -p news-core --test schemas"
    );
}

fn roundtrip<T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug>(
    value: &serde_json::Value,
) {
    let typed: T = serde_json::from_value(value.clone()).expect("example decodes into its type");
    let again: T = serde_json::from_value(serde_json::to_value(&typed).unwrap()).unwrap();
    assert_eq!(typed, again);
}

#[test]
fn examples_validate_and_roundtrip() {
    let dir = schemas_dir();
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.join("examples")).expect("examples dir") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // examples/<topic>.<anything>.json validates against schemas/<topic>.schema.json
        let topic = name.split(".v1").next().unwrap().to_string() + ".v1";
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{topic}.schema.json"))).unwrap(),
        )
        .unwrap();
        let example: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&example)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        match topic.as_str() {
            "news.raw.v1" => roundtrip::<RawItem>(&example),
            "news.clean.v1" => roundtrip::<CleanArticle>(&example),
            "news.dedup.v1" => roundtrip::<DedupVerdict>(&example),
            "news.stories.v1" => roundtrip::<Story>(&example),
            "news.dlq.v1" => roundtrip::<DeadLetter>(&example),
            "news.feeds.v1" => roundtrip::<FeedCommand>(&example),
            "news.articles.v1" => roundtrip::<DecidedArticle>(&example),
            other => panic!("example for unknown topic {other}"),
        }
        checked += 1;
    }
    assert!(
        checked >= 7,
        "expected an example per topic, found {checked}"
    );
}

#[test]
fn schemas_reject_a_wrong_message() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(schemas_dir().join("news.dedup.v1.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let bad = serde_json::json!({"schema_version": 1, "id": "x", "kind": "maybe"});
    assert!(!validator.is_valid(&bad));
}
