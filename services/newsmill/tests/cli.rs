//! The command line's own checks, before any stage starts: what it refuses
//! is refused with the reason, and nothing is written.

use std::process::Command;

/// `newsmill` with `args`, on an embedded log in `data`.
fn newsmill(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_newsmill"))
        .args(args)
        .env("NEWSMILL__BUS__DATA_DIR", data)
        .env("NEWSMILL__ADMIN__LISTEN", "")
        .env_remove("NEWSMILL_CONFIG")
        .output()
        .expect("run newsmill")
}

#[test]
fn poll_bounds_no_feed_may_have_are_refused_before_anything_is_written() {
    let data = tempfile::tempdir().unwrap();
    let feed = "https://wire.example/rss";
    for (bounds, why) in [
        (
            ["--poll-min", "1h", "--poll-max", "1m"],
            "exceeds poll_max_secs",
        ),
        (
            ["--poll-min", "500ms", "--poll-max", "1m"],
            "outside 1s to 30 days",
        ),
        (
            ["--poll-min", "1m", "--poll-max", "31days"],
            "outside 1s to 30 days",
        ),
        (["--poll-min", "1m", "--poll-max", "soon"], "not a duration"),
    ] {
        let mut args = vec!["feeds", "add", feed];
        args.extend(bounds);
        let out = newsmill(data.path(), &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bounds:?} was taken");
        assert!(stderr.contains(why), "{bounds:?}: {stderr}");
    }
    assert!(
        std::fs::read_dir(data.path()).unwrap().next().is_none(),
        "nothing written"
    );
    let out = newsmill(
        data.path(),
        &[
            "feeds",
            "add",
            feed,
            "--poll-min",
            "90s",
            "--poll-max",
            "15m",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(data.path().join("log").exists(), "the command was written");
}

#[test]
fn an_unknown_config_key_stops_the_start_naming_it() {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_newsmill"))
        .args(["fetch", "--once"])
        .env("NEWSMILL__BUS__DATA_DIR", data.path())
        .env("NEWSMILL__FETCHER__POLL_MINUTES", "5")
        .output()
        .expect("run newsmill");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("poll_minutes"), "{stderr}");
    assert!(
        std::fs::read_dir(data.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

#[test]
fn settings_are_set_only_for_a_subscribed_feed() {
    let data = tempfile::tempdir().unwrap();
    let out = newsmill(
        data.path(),
        &[
            "feeds",
            "set",
            "https://wire.example/rss",
            "--poll-max",
            "1m",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("is not subscribed"), "{stderr}");
    let out = newsmill(
        data.path(),
        &[
            "feeds",
            "set",
            "https://wire.example/rss",
            "--feed-text-only",
            "maybe",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("on or off"));
}

/// `trace --since` takes an RFC 3339 time or a duration ago, and refuses
/// anything else with both forms named, before the bus is opened.
#[test]
fn a_trace_since_is_a_time_or_a_duration_ago() {
    let data = tempfile::tempdir().unwrap();
    let article = "https://news.example/2024/quake";
    for bad in ["yesterday", "2024-06-02", "9999999999999d"] {
        let out = newsmill(data.path(), &["trace", article, "--since", bad]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bad} was taken");
        assert!(
            stderr.contains("RFC 3339") || stderr.contains("too long ago"),
            "{bad}: {stderr}"
        );
    }
    assert!(
        std::fs::read_dir(data.path()).unwrap().next().is_none(),
        "nothing opened"
    );
    // A log to read: a feed added.
    let added = newsmill(data.path(), &["feeds", "add", "https://wire.example/rss"]);
    assert!(added.status.success());
    for good in ["2024-06-02T10:00:00Z", "2024-06-02T12:00:00+02:00", "6h"] {
        let out = newsmill(data.path(), &["trace", article, "--since", good]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{good}: {stderr}");
        assert!(stderr.contains("records written since"), "{stderr}");
    }
}
