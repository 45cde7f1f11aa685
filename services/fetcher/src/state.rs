//! Per-feed state that survives restarts: validators, schedule, failures and
//! the items already seen. Saved as one JSON file, replaced atomically.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use news_core::config::FetcherConfig;
use serde::{Deserialize, Serialize};

use crate::http::Validators;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FeedState {
    pub validators: Validators,
    /// Unix seconds of the next poll.
    pub next_poll: i64,
    /// Learned interval between polls, in seconds.
    pub interval_secs: u64,
    pub failures: u32,
    pub disabled: bool,
    /// Where the feed lives now, after a permanent redirect (301/308).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    /// Article id -> fingerprint of the item as last seen.
    pub seen: HashMap<String, String>,
    /// Insertion order of `seen`, to forget the oldest.
    pub seen_order: VecDeque<String>,
}

impl FeedState {
    pub fn remember(&mut self, id: String, fingerprint: String, cap: usize) {
        if self.seen.insert(id.clone(), fingerprint).is_none() {
            self.seen_order.push_back(id);
        }
        while self.seen_order.len() > cap {
            if let Some(old) = self.seen_order.pop_front() {
                self.seen.remove(&old);
            }
        }
    }

    /// Adapt the interval: halve it when the feed had news, grow it by half
    /// when it had none, within the configured bounds.
    pub fn record_success(
        &mut self,
        cfg: &FetcherConfig,
        new_items: u64,
        max_age: Option<Duration>,
    ) {
        self.failures = 0;
        let cur = if self.interval_secs == 0 {
            cfg.poll_min.as_secs()
        } else {
            self.interval_secs
        };
        let next = if new_items > 0 {
            cur / 2
        } else {
            cur + cur / 2
        };
        let floor = max_age
            .map(|m| m.as_secs())
            .unwrap_or(0)
            .max(cfg.poll_min.as_secs());
        self.interval_secs = next.clamp(floor.min(cfg.poll_max.as_secs()), cfg.poll_max.as_secs());
        self.next_poll = Utc::now().timestamp() + self.interval_secs as i64;
    }

    /// Exponential back-off with jitter; disable after too many failures.
    pub fn record_failure(&mut self, cfg: &FetcherConfig, retry_after: Option<Duration>) {
        self.failures += 1;
        if self.failures >= cfg.disable_after_failures {
            self.disabled = true;
            tracing::warn!(
                failures = self.failures,
                "feed disabled after repeated failures"
            );
        }
        let base = cfg.poll_min.as_secs().max(1) * 2u64.saturating_pow(self.failures.min(10));
        let jitter = (Utc::now().timestamp_subsec_nanos() as u64 % 1000) * base / 4000;
        let wait = (base + jitter).min(cfg.poll_max.as_secs());
        let wait = retry_after
            .map(|r| r.as_secs().max(wait.min(r.as_secs())))
            .unwrap_or(wait);
        self.next_poll = Utc::now().timestamp() + wait as i64;
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FetchState {
    pub feeds: HashMap<String, FeedState>,
    #[serde(skip)]
    path: Option<PathBuf>,
}

impl FetchState {
    /// Load from `path`; a missing or corrupt file starts empty (logged).
    pub fn load(path: &Path) -> FetchState {
        let mut st = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "corrupt fetcher state, starting fresh");
                FetchState::default()
            }),
            Err(_) => FetchState::default(),
        };
        st.path = Some(path.to_path_buf());
        st
    }

    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec(self).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(tmp, path)
    }

    /// Time until the earliest enabled feed is due.
    pub fn next_due_in(&self, feeds: &[String], fallback: Duration) -> Duration {
        let now = Utc::now().timestamp();
        feeds
            .iter()
            .filter_map(|f| self.feeds.get(f))
            .filter(|f| !f.disabled)
            .map(|f| Duration::from_secs((f.next_poll - now).max(1) as u64))
            .min()
            .unwrap_or(fallback)
    }
}

/// The registrable domain of a host (eTLD+1, from the Public Suffix List
/// compiled into the `psl` crate): `news.bbc.co.uk` -> `bbc.co.uk`. IP
/// addresses, and hosts that are themselves a public suffix, stand alone.
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return host;
    }
    match psl::domain_str(&host) {
        Some(domain) => domain.to_string(),
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_share_a_domain() {
        assert_eq!(registrable_domain("a.b.example.com"), "example.com");
        assert_eq!(registrable_domain("news.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(registrable_domain("127.0.0.1"), "127.0.0.1");
        assert_eq!(registrable_domain("Www.Example.COM."), "example.com");
        // Private-section suffixes: two users of one host platform are two domains.
        assert_ne!(
            registrable_domain("alice.github.io"),
            registrable_domain("bob.github.io")
        );
        assert_eq!(
            registrable_domain("a.b.city.kawasaki.jp"),
            "city.kawasaki.jp"
        );
    }

    #[test]
    fn seen_set_is_bounded() {
        let mut f = FeedState::default();
        for i in 0..10 {
            f.remember(i.to_string(), "x".into(), 3);
        }
        assert_eq!(f.seen.len(), 3);
        assert!(f.seen.contains_key("9") && !f.seen.contains_key("0"));
    }
}
