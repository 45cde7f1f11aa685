//! The README's configuration table is what operators read first: it must
//! name every key the config accepts, and no key it does not.
//!
//! The table groups keys in its first column ("`fetcher.connect_timeout`,
//! `read_timeout`", "`topics.raw/clean/dedup`"), so a key counts as named
//! when a row's first column starts with its section and lists its field.

use std::collections::BTreeSet;

use news_core::config::Config;

const README: &str = include_str!("../../../README.md");

/// The first column of each row of the table under "## Configuration".
fn first_cells() -> Vec<String> {
    let section = README
        .split("\n## Configuration\n")
        .nth(1)
        .expect("README has a Configuration section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('|').nth(1).map(str::trim).map(str::to_string))
        .collect()
}

/// Every `section.field` the config takes, from its defaults.
fn config_keys() -> BTreeSet<(String, String)> {
    let value = serde_json::to_value(Config::default()).expect("the config serialises");
    let mut keys = BTreeSet::new();
    for (section, body) in value.as_object().expect("a table") {
        for field in body.as_object().expect("each section is a table").keys() {
            keys.insert((section.clone(), field.clone()));
        }
    }
    keys
}

/// The fields a first cell names: backticked words, split at `/` and `,`,
/// with the section taken from the first (`bus.kafka.*` names `kafka`).
fn named_in(cell: &str) -> Option<(String, Vec<String>)> {
    let words: Vec<&str> = cell.split('`').skip(1).step_by(2).collect();
    let (section, first) = words.first()?.split_once('.')?;
    let mut fields = Vec::new();
    for word in std::iter::once(first).chain(words[1..].iter().copied()) {
        let word = word.strip_prefix(&format!("{section}.")).unwrap_or(word);
        for part in word.split('/') {
            fields.push(part.trim_end_matches(".*").to_string());
        }
    }
    Some((section.to_string(), fields))
}

#[test]
fn the_readme_names_every_config_key() {
    let cells = first_cells();
    assert!(cells.len() > 20, "the table was not found: {cells:?}");
    let named: BTreeSet<(String, String)> = cells
        .iter()
        .filter_map(|c| named_in(c))
        .flat_map(|(s, fields)| fields.into_iter().map(move |f| (s.clone(), f)))
        .collect();
    let keys = config_keys();
    let missing: Vec<_> = keys.difference(&named).collect();
    assert!(
        missing.is_empty(),
        "keys the README's table lacks: {missing:?}"
    );
    let unknown: Vec<_> = named.difference(&keys).collect();
    assert!(
        unknown.is_empty(),
        "the README's table names keys the config does not take: {unknown:?}"
    );
}

#[test]
fn grouped_cells_are_read_as_their_fields() {
    assert_eq!(
        named_in("`fetcher.connect_timeout`, `read_timeout`, `total_timeout`"),
        Some((
            "fetcher".into(),
            vec![
                "connect_timeout".into(),
                "read_timeout".into(),
                "total_timeout".into()
            ]
        ))
    );
    assert_eq!(
        named_in("`topics.raw/clean`"),
        Some(("topics".into(), vec!["raw".into(), "clean".into()]))
    );
    assert_eq!(
        named_in("`bus.kafka.*`"),
        Some(("bus".into(), vec!["kafka".into()]))
    );
    assert_eq!(named_in("(HTTPS)"), None);
}
