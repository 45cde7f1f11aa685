//! The embedded log's disk refusing writes, as a full disk, a quota or a
//! file-size limit does: the `newsmill` binary against a loopback site.

use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use newsmill_tests::{exit_of, newsmill_bin, serve_on_the_embedded_log, synthetic_site};

/// A synthetic site of `n` articles served on loopback, and a data
/// directory and the environment of runs on the embedded log that read it.
async fn site_and_data(
    n: usize,
    tag: &str,
) -> (tempfile::TempDir, tempfile::TempDir, Vec<(String, String)>) {
    let site_dir = tempfile::tempdir().unwrap();
    synthetic_site(site_dir.path(), n);
    let (data, env) = serve_on_the_embedded_log(site_dir.path(), tag).await;
    (site_dir, data, env)
}

/// `newsmill tail TOPIC`: its JSON lines and what it logged.
fn tail(env: &[(String, String)], topic: &str) -> (Vec<serde_json::Value>, String) {
    let out = Command::new(newsmill_bin())
        .args(["tail", topic])
        .envs(env.iter().cloned())
        .output()
        .expect("run newsmill tail");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("tail prints JSON lines"))
        .collect();
    (lines, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn raw_ids(env: &[(String, String)]) -> (BTreeSet<String>, String) {
    let (raw, logged) = tail(env, "news.raw.v1");
    let ids = raw
        .iter()
        .map(|m| m["id"].as_str().expect("an article id").to_string())
        .collect();
    (ids, logged)
}

/// A write that crosses the limit stores the part that fits and fails.
/// The fetcher must take the page again later, though no failing page is
/// to be tried again (`page_retries = 0`): the bus failed, not the page.
/// And the part left behind must not stay between the records, where
/// every reader would report it as damage.
#[tokio::test(flavor = "multi_thread")]
async fn pages_the_disk_refuses_come_in_later_and_leave_nothing_behind() {
    let n = 20;
    let (_site, _data, mut env) = site_and_data(n, "fsize").await;
    env.extend([
        ("NEWSMILL__FETCHER__POLL_MIN".into(), "1s".into()),
        ("NEWSMILL__FETCHER__PAGE_RETRY_DELAY".into(), "1s".into()),
        ("NEWSMILL__FETCHER__PAGE_RETRIES".into(), "0".into()),
    ]);
    // Each raw record is about 1.5 KB: the limit cuts the log after a few.
    let limit: libc::rlim_t = 8 * 1024;
    let mut cmd = Command::new(newsmill_bin());
    cmd.arg("fetch")
        .envs(env.iter().cloned())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: libc::RLIM_INFINITY,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // A write past the limit then fails with EFBIG, as one on a
            // full disk fails with ENOSPC, instead of killing the process.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let mut fetch = newsmill_tests::Running(cmd.spawn().expect("start newsmill fetch"));

    // The limit holds: some pages are in, the rest wait for a retry.
    let started = Instant::now();
    let mut before = BTreeSet::new();
    while started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        before = raw_ids(&env).0;
        if !before.is_empty() && started.elapsed() > Duration::from_secs(4) {
            break;
        }
    }
    assert!(
        !before.is_empty() && before.len() < n,
        "the limit should let some pages in and hold the rest back: {} of {n}",
        before.len()
    );
    assert!(
        fetch.try_wait().unwrap().is_none(),
        "the fetcher keeps running"
    );

    // The disk has room again.
    let unlimited = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: plain system call on the child's pid, with valid pointers.
    let raised = unsafe {
        libc::prlimit(
            fetch.id() as libc::pid_t,
            libc::RLIMIT_FSIZE,
            &unlimited,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(raised, 0, "prlimit: {}", std::io::Error::last_os_error());

    let started = Instant::now();
    let (mut ids, mut logged) = raw_ids(&env);
    while ids.len() < n && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        (ids, logged) = raw_ids(&env);
    }
    assert_eq!(ids.len(), n, "every page comes in once there is room");
    assert!(
        !logged.contains("damaged"),
        "a reader of the log found damage where a failed write was: {logged}"
    );
}

/// In `newsmill run` a stage that fails for good used to leave the process
/// up, with the other stages running and every health check passing,
/// while nothing was decided. The process now stops and names the stage.
#[tokio::test(flavor = "multi_thread")]
async fn a_stage_that_fails_for_good_stops_the_whole_run() {
    let (_site, data, env) = site_and_data(5, "stage-fails").await;
    // The dedup stage's output topic cannot be made: a file stands where
    // its directory goes, as a directory on a full disk cannot be made.
    // Only that stage writes it, and nothing in the process reads it.
    let log = data.path().join("log");
    std::fs::create_dir_all(&log).unwrap();
    std::fs::write(log.join("news.dedup.v1"), b"not a directory").unwrap();
    let (status, stderr) = exit_of(&["run"], &env, Duration::from_secs(60))
        .await
        .expect("newsmill run still running 60 s after its dedup stage failed");
    assert!(
        !status.success(),
        "a failed stage is a failed run: {stderr}"
    );
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: dedup:") && last.contains("news.dedup.v1"),
        "the error names the stage and the topic: {stderr}"
    );
}
