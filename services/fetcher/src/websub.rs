//! WebSub (the W3C's name for PubSubHubbub): a feed that names a hub
//! (`<link rel="hub">`, as WordPress, Blogger and Medium feeds do) is
//! subscribed to there, and the hub pushes to us when the feed changes, so
//! its news comes in seconds, not at the next poll.
//!
//! A push signed with the feed's secret is the hub's word: its body (the
//! feed, or its new entries) is read at once in place of a poll, under the
//! same limits, seen items and politeness for the pages (`pushed.rs`), and
//! the feed keeps its polling schedule in case the pushes stop. A push
//! that is not signed is ignored: a forged one could at most make a feed
//! due early.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::feed::ParsedFeed;

/// The lease asked of a hub, in seconds; hubs may give less.
pub const LEASE_ASKED_SECS: i64 = 7 * 24 * 3600;
/// A lease is renewed at the first poll within this of its end.
const RENEW_BEFORE_SECS: i64 = 24 * 3600;
/// A request the hub has not verified within this is made again, at the
/// feed's next poll.
const PENDING_SECS: i64 = 3600;
/// A hub that denied a subscription is asked again after this.
const DENIED_SECS: i64 = 24 * 3600;
/// A pushed feed is polled at most this soon after its last poll, so that
/// a burst of pushes makes one poll.
pub const PUSHED_POLL_GAP_SECS: i64 = 5;
/// Characters of a hub's challenge echoed back; a longer one is refused.
const MAX_CHALLENGE_CHARS: usize = 1024;

/// A feed's subscription at its hub, kept in the feed's state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    pub hub: String,
    pub topic: String,
    /// The key the hub signs pushes with (hex of 32 random bytes): in the
    /// state file and the hub's, never in a log.
    pub secret: String,
    /// Unix seconds of the last request to the hub.
    pub requested_at: i64,
    /// Unix seconds until which the hub pushes; 0 until it verified.
    pub until: i64,
    /// Why the hub denied it, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denied: Option<String>,
}

/// What the push endpoint tells the fetcher.
#[derive(Debug, PartialEq)]
pub enum PushEvent {
    /// A signed push: the feed changed, and what the hub sent of it (none
    /// when it sent nothing, or when too many bodies wait already).
    Pushed {
        feed_url: String,
        body: Option<crate::pushed::PushedFeed>,
    },
    /// The hub verified the subscription, pushing until then.
    Verified { feed_url: String, until: i64 },
    /// The hub refused the subscription.
    Denied { feed_url: String, reason: String },
}

/// The hub a feed names and the topic to subscribe to there: as WebSub
/// has a subscriber look, the answer's `Link` headers first, then the
/// feed's own links; the topic is the `self` link (the URL the hub knows
/// the feed by), else the URL the feed was read from.
pub fn hub_of(
    feed: &ParsedFeed,
    header_links: &[(String, Url)],
    read_from: &Url,
) -> Option<(Url, Url)> {
    let web = |u: &Url| matches!(u.scheme(), "http" | "https");
    let in_headers = |rel: &str| {
        header_links
            .iter()
            .find(|(r, u)| r == rel && web(u))
            .map(|(_, u)| u.clone())
    };
    let in_feed = |rel: &str| {
        feed.feed
            .common
            .links
            .iter()
            .filter(|l| l.rel.eq_ignore_ascii_case(rel))
            .find_map(|l| Url::parse(&l.href).ok().filter(web))
    };
    let hub = in_headers("hub").or_else(|| in_feed("hub"))?;
    let topic = in_headers("self")
        .or_else(|| in_feed("self"))
        .unwrap_or_else(|| read_from.clone());
    Some((hub, topic))
}

/// Whether the feed's hub is to be asked (again) now: never asked, another
/// hub or topic, a denial a day old, or, an hour after the last request,
/// no verified lease or one within a day of its end.
pub fn wants_request(lease: Option<&Lease>, hub: &Url, topic: &Url, now: i64) -> bool {
    match lease {
        None => true,
        Some(l) if l.hub != hub.as_str() || l.topic != topic.as_str() => true,
        Some(l) if l.denied.is_some() => now - l.requested_at >= DENIED_SECS,
        Some(l) if now - l.requested_at < PENDING_SECS => false,
        Some(l) => l.until == 0 || l.until - now <= RENEW_BEFORE_SECS,
    }
}

/// A new lease request's secret: 32 random bytes, in hex.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// The last segment of a feed's callback URL: a hash of the subscription,
/// so that the URL names no feed.
pub fn callback_key(feed_url: &str) -> String {
    news_core::ids::sha256_hex(format!("websub:{feed_url}"))[..32].to_string()
}

/// `base` (`fetcher.websub_callback`) with the feed's key appended.
pub fn callback_url(base: &str, feed_url: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), callback_key(feed_url))
}

/// The subscriptions the push endpoint answers for, by callback key.
#[derive(Debug, Default)]
pub struct Registry {
    by_key: HashMap<String, Registered>,
}

#[derive(Debug, Clone)]
struct Registered {
    feed_url: String,
    topic: String,
    secret: String,
    /// A request awaits the hub's verification.
    pending: bool,
}

pub type SharedRegistry = Arc<Mutex<Registry>>;

impl Registry {
    /// Answer for `feed_url`'s lease from now on; `pending` while a request
    /// awaits verification.
    pub fn register(&mut self, feed_url: &str, lease: &Lease, pending: bool) {
        self.by_key.insert(
            callback_key(feed_url),
            Registered {
                feed_url: feed_url.to_string(),
                topic: lease.topic.clone(),
                secret: lease.secret.clone(),
                pending,
            },
        );
    }

    /// Stop answering for `feed_url` (removed, or denied): its pushes are
    /// refused, and a hub's request to end it is confirmed.
    pub fn forget(&mut self, feed_url: &str) {
        self.by_key.remove(&callback_key(feed_url));
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// The answer to a hub's GET on a callback (`query`: its parameters):
    /// the challenge echoed to confirm, or `None` to refuse (404).
    pub fn verify(
        &mut self,
        key: &str,
        query: &HashMap<String, String>,
        now: i64,
    ) -> (Option<String>, Option<PushEvent>) {
        let param = |name: &str| query.get(name).map(String::as_str);
        let challenge = param("hub.challenge")
            .filter(|c| !c.is_empty() && c.chars().count() <= MAX_CHALLENGE_CHARS);
        let entry = self.by_key.get_mut(key);
        let topic_matches = |e: &Registered| param("hub.topic") == Some(e.topic.as_str());
        match (param("hub.mode"), entry) {
            // Only a request we made, for its topic, while it waits.
            (Some("subscribe"), Some(entry)) if entry.pending && topic_matches(entry) => {
                let Some(challenge) = challenge else {
                    return (None, None);
                };
                entry.pending = false;
                let asked = param("hub.lease_seconds")
                    .and_then(|s| s.parse::<i64>().ok())
                    .filter(|s| *s > 0)
                    .unwrap_or(LEASE_ASKED_SECS)
                    .min(LEASE_ASKED_SECS);
                let event = PushEvent::Verified {
                    feed_url: entry.feed_url.clone(),
                    until: now + asked,
                };
                (Some(challenge.to_string()), Some(event))
            }
            // Ending a subscription we do not hold is what we want.
            (Some("unsubscribe"), None) => (challenge.map(str::to_string), None),
            (Some("denied"), Some(entry)) if topic_matches(entry) => {
                let reason = param("hub.reason").unwrap_or("no reason given");
                let reason: String = reason.chars().take(200).collect();
                let event = PushEvent::Denied {
                    feed_url: entry.feed_url.clone(),
                    reason,
                };
                self.by_key.remove(key);
                (Some(String::new()), Some(event))
            }
            _ => (None, None),
        }
    }

    /// What a hub's POST on a callback is: a push for a feed we hold, signed
    /// with its secret, or not.
    pub fn judge_push(&self, key: &str, signature: Option<&str>, body: &[u8]) -> Push {
        let Some(entry) = self.by_key.get(key) else {
            return Push::Unknown;
        };
        match signature {
            None => Push::Unsigned,
            Some(sig) if signed_by(sig, entry.secret.as_bytes(), body) => Push::Signed {
                feed_url: entry.feed_url.clone(),
            },
            Some(_) => Push::BadSignature,
        }
    }
}

/// A POST on a callback, judged.
#[derive(Debug, PartialEq)]
pub enum Push {
    /// No subscription of ours: answered 410, so that the hub drops it.
    Unknown,
    /// Taken as the hub's word (202).
    Signed {
        feed_url: String,
    },
    /// Ignored, and answered 202 all the same, as WebSub asks.
    Unsigned,
    BadSignature,
}

/// Whether `header` (`X-Hub-Signature`: `sha256=<hex>`, or sha1, sha384,
/// sha512) is the HMAC of `body` under `secret`. Compared in constant time.
pub fn signed_by(header: &str, secret: &[u8], body: &[u8]) -> bool {
    let Some((method, digest)) = header.trim().split_once('=') else {
        return false;
    };
    // Hex of SHA-512 at most is 128 characters.
    let Some(digest) = (digest.len() <= 256)
        .then(|| hex::decode(digest).ok())
        .flatten()
    else {
        return false;
    };
    fn check<M: Mac + hmac::digest::KeyInit>(secret: &[u8], body: &[u8], digest: &[u8]) -> bool {
        let Ok(mut mac) = <M as Mac>::new_from_slice(secret) else {
            return false;
        };
        mac.update(body);
        mac.verify_slice(digest).is_ok()
    }
    match method.to_ascii_lowercase().as_str() {
        "sha1" => check::<Hmac<sha1::Sha1>>(secret, body, &digest),
        "sha256" => check::<Hmac<sha2::Sha256>>(secret, body, &digest),
        "sha384" => check::<Hmac<sha2::Sha384>>(secret, body, &digest),
        "sha512" => check::<Hmac<sha2::Sha512>>(secret, body, &digest),
        _ => false,
    }
}

/// The form a subscription request posts to a hub.
pub fn subscribe_form(lease: &Lease, callback: &str) -> Vec<(&'static str, String)> {
    vec![
        ("hub.mode", "subscribe".into()),
        ("hub.topic", lease.topic.clone()),
        ("hub.callback", callback.to_string()),
        ("hub.secret", lease.secret.clone()),
        ("hub.lease_seconds", LEASE_ASKED_SECS.to_string()),
    ]
}

/// The form that ends a subscription at its hub.
pub fn unsubscribe_form(lease: &Lease, callback: &str) -> Vec<(&'static str, String)> {
    vec![
        ("hub.mode", "unsubscribe".into()),
        ("hub.topic", lease.topic.clone()),
        ("hub.callback", callback.to_string()),
    ]
}

/// Requests to hubs waiting to be sent, at most this many; beyond it a
/// feed's request waits for its next poll.
pub const MAX_QUEUED_REQUESTS: usize = 10_000;

/// How long the endpoint takes to read and answer a request.
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests the endpoint answers at once; more are answered 503.
pub const MAX_CONCURRENT_REQUESTS: usize = 64;

#[cfg(test)]
#[path = "websub_tests.rs"]
mod tests;
