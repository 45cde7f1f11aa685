//! Article pages: take one, and decide what a failure means. A failure
//! that may pass (a timeout, a dropped connection, 429, 5xx, robots.txt
//! unreachable) keeps the page in its feed's retry list, tried again on the
//! feed's later polls with back-off; a failure that will not pass (404,
//! refused, too large, disallowed) or the last attempt is remembered as
//! taken and dead-lettered. Before round 29 every failure was final, so a
//! site's five-minute outage lost every page it published meanwhile.

use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;
use news_core::bus::OutRecord;
use news_core::config::shown_url;
use news_core::ids::{canonical_url, text_without_credentials, without_credentials};
use news_core::messages::{FeedItemMeta, PageRequest, RawItem, SCHEMA_VERSION};
use news_core::telemetry::names;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::state::{FeedState, RoundProgress};
use crate::{FetchError, Fetcher, RoundReport, refresh, robots};
use news_core::ids::url_domain;

/// Pages a feed keeps waiting for another attempt; beyond it a failure is
/// final. One poll takes at most `max_items_per_poll` new items, so this
/// holds a whole poll of a default feed whose site is down.
pub const MAX_RETRIES_PER_FEED: usize = 200;
/// Pages waiting across all feeds; beyond it a failure is final. They are
/// saved with the feeds' JSON file, which every save rewrites: 20,000 add
/// about 35 ms to a save (the state bench with `BENCH_WAITING=20`).
pub const MAX_WAITING_PAGES: usize = 20_000;
/// The longest wait between two attempts at a page.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(6 * 3600);

/// An article page waiting for another attempt, kept in its feed's state
/// (`fetcher-state.json`) so that a restart or a `304` feed still tries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRetry {
    pub id: String,
    pub link: String,
    pub fingerprint: u64,
    pub item: FeedItemMeta,
    /// Failed attempts so far (a page held back behind a throttling host
    /// has made none).
    pub attempts: u32,
    /// Unix seconds before which it is not asked for.
    pub not_before: i64,
    /// The last failure, for the dead letter if it never comes.
    pub last_error: String,
}

/// Bytes of an item's summary and content together a waiting page keeps:
/// the list is saved with the feeds' JSON file at every save, and a feed's
/// summaries can be whole articles.
pub const MAX_WAITING_SUMMARY_BYTES: usize = 4096;

impl PageRetry {
    /// The entry with its summary cut to `MAX_WAITING_SUMMARY_BYTES` and
    /// its content to what the summary leaves of them (each at a character
    /// boundary). Every save writes them: 20,000 pages take 30 ms with
    /// 400-byte summaries, 190 ms with the 4 KiB (the state bench).
    fn bounded(mut self) -> Self {
        let item = &mut self.item;
        let mut room = MAX_WAITING_SUMMARY_BYTES;
        for text in [&mut item.summary, &mut item.content] {
            if let Some(t) = text.as_mut() {
                t.truncate(t.floor_char_boundary(room));
                room -= t.len();
            }
            if text.as_ref().is_some_and(String::is_empty) {
                *text = None;
            }
        }
        self
    }

    /// What a dead letter keeps of the page so that `newsmill redrive` can
    /// ask for it again: a dead letter keeps at most an eighth of
    /// `bus.max_message_bytes`, and the summary is cut as on the list. A
    /// user and password in its link stay out of the topic (its item has
    /// none since it was queued).
    fn into_request(self) -> PageRequest {
        let page = self.bounded();
        PageRequest {
            id: page.id,
            link: text_without_credentials(&page.link),
            item: page.item,
        }
    }
}

/// The media type of a response that is no article page (an image, a PDF,
/// a video a feed links to), which the cleaner would read as text.
/// Unlabelled and `octet-stream` bodies pass when they read as text.
fn not_an_article(content_type: Option<&str>, body: &[u8]) -> Option<String> {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let readable = match media.as_str() {
        "" | "application/octet-stream" | "binary/octet-stream" | "application/unknown" => {
            reads_as_text(body)
        }
        "application/xhtml+xml" => true,
        m => m.starts_with("text/"),
    };
    (!readable).then_some(if media.is_empty() {
        "unlabelled binary".to_string()
    } else {
        media
    })
}

/// Whether a body's first kilobyte is text: no NUL byte, and UTF-8 or a
/// single-byte code page's letters (bytes that UTF-8 refuses but a
/// `windows-1252` page holds), not a format's binary header.
fn reads_as_text(body: &[u8]) -> bool {
    let head = &body[..body.len().min(1024)];
    let binary_magic: [&[u8]; 6] = [
        b"%PDF",
        b"\x89PNG",
        b"GIF8",
        b"\xff\xd8\xff",
        b"PK\x03\x04",
        b"ID3",
    ];
    let controls = head
        .iter()
        .filter(|b| **b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | b'\x0c'))
        .count();
    !head.contains(&0)
        && controls * 100 <= head.len()
        && !binary_magic.iter().any(|m| head.starts_with(m))
}

/// A failed page fetch and the wait the server asked for.
pub struct PageFailure {
    pub error: FetchError,
    pub retry_after: Option<Duration>,
}

impl From<FetchError> for PageFailure {
    fn from(error: FetchError) -> Self {
        PageFailure {
            error,
            retry_after: None,
        }
    }
}

/// Whether asking again later may succeed.
pub fn may_pass(e: &FetchError) -> bool {
    match e {
        FetchError::Timeout
        | FetchError::Transport(_)
        | FetchError::RobotsUnreachable
        | FetchError::Publish(_) => true,
        FetchError::Status(s) => matches!(s, 408 | 425 | 429 | 500..=599),
        _ => false,
    }
}

/// The wait after `attempts` failures: `first`, then four times longer each
/// time, at most six hours; a longer Retry-After wins.
pub fn retry_delay(first: Duration, attempts: u32, retry_after: Option<Duration>) -> Duration {
    let backoff = first
        .saturating_mul(4u32.saturating_pow(attempts.saturating_sub(1)))
        .min(MAX_RETRY_DELAY);
    backoff.max(retry_after.unwrap_or_default())
}

/// How long a failure asks us to leave the whole host alone: a 429, or a
/// 503 that says when to come back. The host's other pages, in every feed,
/// wait that long without being asked for.
pub fn host_pause(f: &PageFailure, first: Duration) -> Option<Duration> {
    match (&f.error, f.retry_after) {
        (FetchError::Status(429), after) => Some(after.unwrap_or(first)),
        (FetchError::Status(503), Some(after)) => Some(after),
        _ => None,
    }
}

/// Domains remembered as paused; beyond it the pauses that are over go.
const MAX_PAUSED_HOSTS: usize = 50_000;

/// One poll of one feed, as its pages see it.
pub struct FeedPoll<'a> {
    pub feed_url: &'a str,
    pub progress: &'a RoundProgress,
}

/// What became of a page asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageTaken {
    /// Fetched and published to the raw topic.
    Published,
    /// Asked for conditionally, it answered 304: as it was when last
    /// published.
    Unchanged,
}

impl Fetcher {
    /// Fetch one article page and produce it to `news.raw.v1`; a page
    /// fetched before with validators is asked for conditionally, and one
    /// that answers 304 is not published again.
    pub(crate) async fn fetch_article(
        &self,
        link: &str,
        id: &str,
        item: FeedItemMeta,
    ) -> Result<PageTaken, PageFailure> {
        let url =
            Url::parse(link).map_err(|e| FetchError::Refused(format!("bad link {link}: {e}")))?;
        // `fetcher.allow_file_urls` is for feeds on this machine: a feed from
        // the web that links to a file would have it read and published
        // (a config, `/proc/self/environ`).
        if url.scheme() == "file" && !item.feed_url.starts_with("file:") {
            return Err(
                FetchError::Refused("a file link in a feed that is not a file".into()).into(),
            );
        }
        // An interstitial that sends its reader on at once holds no
        // article; the page it names does (under the same robots, address,
        // size and per-host rules).
        let mut target = url.clone();
        let mut hops = 0;
        let known = self.lock_page_validators().get(id);
        let (page, html, charset) = loop {
            let validators = known.as_ref().filter(|_| hops == 0);
            let page = self.get_page(&target, validators).await?;
            if page.status == 304 {
                return Ok(PageTaken::Unchanged);
            }
            let (html, charset) =
                news_core::charset::decode_html(&page.body, page.content_type.as_deref());
            match refresh::refresh_target(&html, &page.final_url) {
                Some(next) if hops < refresh::MAX_REFRESH_HOPS => {
                    tracing::debug!(from = %shown_url(page.final_url.as_str()), to = %shown_url(next.as_str()), "page refreshes to another; following");
                    hops += 1;
                    target = next;
                }
                _ => break (page, html, charset),
            }
        };
        // Kept once the page is published, and only for a link that is the
        // article's own page: an interstitial's 304 says nothing of the
        // page it sends its reader on to.
        let answered = (hops == 0).then(|| page.validators.clone());
        let raw = RawItem {
            schema_version: SCHEMA_VERSION,
            id: id.to_string(),
            url: without_credentials(&canonical_url(&url)).to_string(),
            fetched_url: without_credentials(&page.final_url).to_string(),
            fetched_at: Utc::now(),
            http_status: page.status,
            content_type: page.content_type.clone(),
            charset: Some(charset.to_string()),
            html,
            item,
            unread: None,
        };
        self.send_raw(&raw).await?;
        // Only now: a page the bus did not take is asked for whole again.
        if let Some(validators) = answered {
            self.lock_page_validators().keep(id, validators);
        }
        Ok(PageTaken::Published)
    }

    fn lock_page_validators(
        &self,
    ) -> std::sync::MutexGuard<'_, crate::page_validators::PageValidators> {
        self.page_validators
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Produce one raw item to `news.raw.v1`; the bus's refusals as fetch
    /// failures.
    pub(crate) async fn send_raw(&self, raw: &RawItem) -> Result<(), PageFailure> {
        let record = OutRecord::json(&self.config.topics.raw, &raw.id, raw);
        match self.producer.send_and_wait(record).await {
            Ok(()) => {
                metrics::counter!(names::MESSAGES_SENT, "topic" => self.config.topics.raw.clone())
                    .increment(1);
                Ok(())
            }
            Err(news_core::BusError::Oversized { bytes, limit }) => {
                Err(FetchError::TooLarge(bytes.min(limit)).into())
            }
            // Final, as a page over the body cap is: the broker would refuse
            // it on every later attempt too.
            Err(news_core::BusError::RefusedAsTooLarge { bytes }) => {
                Err(FetchError::TooLarge(bytes).into())
            }
            Err(news_core::BusError::Fatal(reason)) => {
                // Every later page would be refused too: the fetcher stops
                // after this round (`Fetcher::run`).
                let _ = self.bus_failed.set(reason.clone());
                Err(FetchError::Publish(reason).into())
            }
            Err(e) => Err(FetchError::Publish(e.to_string()).into()),
        }
    }

    /// One article page asked for: allowed by robots.txt, answered 200,
    /// and a page, not an image or a file; or, asked for with
    /// `validators`, answered 304.
    async fn get_page(
        &self,
        url: &Url,
        validators: Option<&crate::http::Validators>,
    ) -> Result<crate::http::Fetched, PageFailure> {
        let mut gap = Duration::ZERO;
        if self.config.fetcher.respect_robots && matches!(url.scheme(), "http" | "https") {
            let rules = self.robots_for(url).await;
            if !rules.allowed(&robots::robots_target(url)) {
                return Err(if rules.is_unreachable() {
                    FetchError::RobotsUnreachable.into()
                } else {
                    FetchError::Disallowed.into()
                });
            }
            gap = rules.crawl_delay.unwrap_or_default();
        }
        let page = self.limited_get(url, validators, "article", gap).await?;
        if page.status == 304 && validators.is_some() {
            return Ok(page);
        }
        if page.status != 200 {
            return Err(PageFailure {
                error: FetchError::Status(page.status),
                retry_after: page.retry_after,
            });
        }
        if let Some(media) = not_an_article(page.content_type.as_deref(), &page.body) {
            return Err(FetchError::Refused(format!("not an article page: {media}")).into());
        }
        Ok(page)
    }

    /// Take one page of the feed: fetched, it is remembered; failed for
    /// good (or for the last time), it is remembered and dead-lettered;
    /// failed in a way that may pass, it joins the feed's retry list. While
    /// the host has asked us to wait, it joins the list unasked. Returns
    /// true when the bus did not take the page: the poll then stops taking
    /// pages, since none would be published.
    pub(crate) async fn take_page(
        &self,
        poll: &FeedPoll<'_>,
        st: &mut FeedState,
        rep: &mut RoundReport,
        mut page: PageRetry,
    ) -> bool {
        let cfg = &self.config.fetcher;
        if page.attempts > 0 || page.not_before > 0 {
            // From the retry list: its whole feed text, for the cleaner.
            self.waiting_texts.restore(&mut page);
        }
        if self.takes_feed_text_only(poll.feed_url) {
            return self.take_feed_text(poll, st, rep, page).await;
        }
        let domain = url_domain(&page.link);
        if let Some(until) = self.host_paused_until(&domain)
            && self.claim_waiting_slot(st)
        {
            page.not_before = page.not_before.max(until);
            self.waiting_texts.keep(&page);
            st.retries.push(page.bounded());
            rep.pages_waiting += 1;
            return false;
        }
        let failure = match self
            .fetch_article(&page.link, &page.id, page.item.clone())
            .await
        {
            Ok(taken) => {
                match taken {
                    PageTaken::Published => rep.pages_fetched += 1,
                    PageTaken::Unchanged => {
                        rep.pages_unchanged += 1;
                        tracing::debug!(article = %shown_url(&page.link), "its item changed, its page did not (304); not published again");
                    }
                }
                self.waiting_texts.forget(&page.id);
                if page.attempts > 0 {
                    metrics::counter!(names::FETCH_PAGE_RETRIES, "outcome" => "fetched")
                        .increment(1);
                    tracing::info!(article = %shown_url(&page.link), attempts = page.attempts + 1, "article fetched on a later attempt");
                }
                st.remember(&page.id, page.fingerprint, cfg.max_seen_per_feed);
                poll.progress
                    .taken(poll.feed_url, &page.id, page.fingerprint);
                return false;
            }
            Err(f) => f,
        };
        if matches!(failure.error, FetchError::Publish(_)) {
            self.hold_unpublished(st, rep, page, &failure.error);
            return true;
        }
        page.attempts += 1;
        page.last_error = failure.error.to_string();
        if let Some(pause) = host_pause(&failure, cfg.page_retry_delay) {
            self.pause_host(domain, unix_secs_after(pause));
        }
        if may_pass(&failure.error)
            && page.attempts <= cfg.page_retries
            && self.claim_waiting_slot(st)
        {
            let wait = retry_delay(cfg.page_retry_delay, page.attempts, failure.retry_after);
            page.not_before = unix_secs_after(wait);
            tracing::warn!(article = %shown_url(&page.link), error = %page.last_error, attempts = page.attempts, retry_in_secs = wait.as_secs(), "article fetch failed; will retry");
            metrics::counter!(names::FETCH_PAGE_RETRIES, "outcome" => "scheduled").increment(1);
            self.waiting_texts.keep(&page);
            st.retries.push(page.bounded());
            rep.pages_waiting += 1;
            return false;
        }
        rep.failures += 1;
        if page.attempts > 1 {
            metrics::counter!(names::FETCH_PAGE_RETRIES, "outcome" => "given_up").increment(1);
        }
        tracing::warn!(article = %shown_url(&page.link), error = %page.last_error, attempts = page.attempts, "article fetch failed");
        // Remembered, so that a page that will not come is not asked for
        // every round.
        st.remember(&page.id, page.fingerprint, cfg.max_seen_per_feed);
        poll.progress
            .taken(poll.feed_url, &page.id, page.fingerprint);
        let kind = match failure.error {
            FetchError::Disallowed | FetchError::RobotsUnreachable => "robots",
            _ => "fetch",
        };
        let mut reason = if page.attempts > 1 {
            format!("{} (after {} attempts)", page.last_error, page.attempts)
        } else {
            page.last_error.clone()
        };
        if self.publish_feed_stand_in(&page, &failure.error).await {
            reason.push_str("; its feed item was sent in its place");
        }
        self.waiting_texts.forget(&page.id);
        let request = page.into_request();
        let payload = serde_json::to_vec(&request).unwrap_or_default();
        self.dead_letter(kind, &reason, &request.link, &payload)
            .await;
        false
    }

    /// A page the bus did not take failed on our side, not the site's: it
    /// keeps its attempts, and waits on the retry list when a place is
    /// free. Otherwise it stays untaken (not remembered, not dead-lettered,
    /// which the bus would refuse too), and a later poll takes it again.
    /// Before round 54 it spent one of its attempts, and past the last one,
    /// or with the list full, it was remembered and lost.
    pub(crate) fn hold_unpublished(
        &self,
        st: &mut FeedState,
        rep: &mut RoundReport,
        mut page: PageRetry,
        error: &FetchError,
    ) {
        metrics::counter!(names::ERRORS, "stage" => "fetch", "error_type" => "bus").increment(1);
        let waits = self.claim_waiting_slot(st);
        tracing::warn!(article = %shown_url(&page.link), %error, waits, "the bus did not take the page; the feed's pages wait for a later poll");
        if waits {
            page.not_before = unix_secs_after(self.config.fetcher.page_retry_delay);
            page.last_error = error.to_string();
            self.waiting_texts.keep(&page);
            st.retries.push(page.bounded());
            rep.pages_waiting += 1;
        } else {
            // Untaken: a later poll brings its item whole again.
            self.waiting_texts.forget(&page.id);
        }
    }

    /// Ask once more for a page the fetcher gave up on (a fetch dead
    /// letter's payload), under the same robots, address, size and per-host
    /// rules, and publish it to the raw topic as the poll would have.
    pub async fn fetch_again(&self, page: &PageRequest) -> Result<(), FetchError> {
        self.fetch_article(&page.link, &page.id, page.item.clone())
            .await
            .map(|_| ())
            .map_err(|failure| failure.error)
    }

    /// Try again the feed's pages whose wait is over, oldest first. A page
    /// taken meanwhile (its record saved before a crash lost the list's
    /// update) is dropped.
    pub(crate) async fn retry_due_pages(
        &self,
        poll: &FeedPoll<'_>,
        st: &mut FeedState,
        rep: &mut RoundReport,
        token: &tokio_util::sync::CancellationToken,
    ) -> bool {
        let now = Utc::now().timestamp();
        let listed = st.retries.len();
        let (due, waiting): (Vec<PageRetry>, Vec<PageRetry>) = std::mem::take(&mut st.retries)
            .into_iter()
            .filter(|p| !st.seen_items.unchanged(&p.id, p.fingerprint))
            .partition(|p| p.not_before <= now);
        // The due pages leave the list; each one that fails again claims
        // its place anew.
        self.release_waiting_slots(listed - waiting.len());
        st.retries = waiting;
        let mut due = due.into_iter();
        while let Some(page) = due.next() {
            if token.is_cancelled() {
                let back: Vec<PageRetry> = std::iter::once(page).chain(due).collect();
                self.waiting_pages.fetch_add(back.len(), Ordering::Relaxed);
                st.retries.extend(back);
                break;
            }
            if self.take_page(poll, st, rep, page).await {
                // The bus refused it: the rest keep their places and wait.
                let back: Vec<PageRetry> = due.collect();
                self.waiting_pages.fetch_add(back.len(), Ordering::Relaxed);
                st.retries.extend(back);
                return true;
            }
        }
        false
    }

    /// Unix seconds until which `domain` asked to be left alone, if it did
    /// and that is still ahead.
    fn host_paused_until(&self, domain: &str) -> Option<i64> {
        let paused = self.paused_hosts.lock().expect("paused hosts lock");
        let until = *paused.get(domain)?;
        (until > Utc::now().timestamp()).then_some(until)
    }

    fn pause_host(&self, domain: String, until: i64) {
        let mut paused = self.paused_hosts.lock().expect("paused hosts lock");
        if paused.len() >= MAX_PAUSED_HOSTS {
            let now = Utc::now().timestamp();
            paused.retain(|_, u| *u > now);
            if paused.len() >= MAX_PAUSED_HOSTS {
                paused.clear();
            }
        }
        let entry = paused.entry(domain).or_default();
        *entry = (*entry).max(until);
    }

    /// A place on the feed's retry list and under the fetcher's bound, if
    /// both have room.
    fn claim_waiting_slot(&self, st: &FeedState) -> bool {
        st.retries.len() < MAX_RETRIES_PER_FEED
            && self
                .waiting_pages
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                    (n < MAX_WAITING_PAGES).then_some(n + 1)
                })
                .is_ok()
    }

    fn release_waiting_slots(&self, n: usize) {
        let _ = self
            .waiting_pages
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |w| {
                Some(w.saturating_sub(n))
            });
    }
}

/// Unix seconds at or after `wait` from now (rounded up, so that a page is
/// never asked for before its wait is over).
fn unix_secs_after(wait: Duration) -> i64 {
    let at = chrono::Duration::from_std(wait)
        .ok()
        .and_then(|d| Utc::now().checked_add_signed(d))
        .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC);
    at.timestamp() + i64::from(at.timestamp_subsec_nanos() > 0)
}

/// A feed with pages waiting is polled again once the first is due (not
/// sooner than `poll_min`): a `304` poll is cheap, and the pages should not
/// wait for a quiet feed's six-hour interval.
pub fn poll_again_for_retries(st: &mut FeedState, poll_min: Duration) {
    if let Some(first) = st.retries.iter().map(|p| p.not_before).min() {
        let floor = Utc::now().timestamp() + poll_min.as_secs() as i64;
        let due = st.schedule.first_allowed(first.max(floor));
        st.next_poll = st.next_poll.min(due);
    }
}

#[cfg(test)]
#[path = "pages_tests.rs"]
mod tests;
