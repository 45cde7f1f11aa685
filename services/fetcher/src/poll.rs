//! One poll of one feed: the feed fetched (conditionally), parsed, and its
//! waiting and new pages taken (`pages.rs`), within the poll's bounds.

use std::time::Duration;

use chrono::Utc;
use news_core::config::shown_url;
use news_core::ids::{article_id, text_without_credentials};
use news_core::messages::FeedItemMeta;
use news_core::telemetry::names;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::date_churn;
use crate::feed::FeedError;
use crate::http::FetchError;
use crate::pages::{self, FeedPoll, PageRetry};
use crate::pushed::PendingPush;
use crate::schedule_hints::ScheduleHints;
use crate::sitemap_index::IndexReading;
use crate::state::{FeedState, IndexWatch, RoundProgress};
use crate::{Fetcher, RoundReport, parse_feed};

impl Fetcher {
    pub(crate) async fn poll_feed(
        &self,
        feed_url: &str,
        mut st: FeedState,
        pushed: Option<PendingPush>,
        progress: &RoundProgress,
        token: &CancellationToken,
    ) -> (FeedState, RoundReport) {
        if self.bus_failed.get().is_some() {
            // Its pages would be fetched for nothing.
            return (st, RoundReport::default());
        }
        let mut rep = RoundReport {
            feeds_polled: 1,
            ..Default::default()
        };
        let cfg = &self.config.fetcher;
        let bounds = self.poll_bounds(feed_url);
        // A feed that moved permanently is polled at its new address; the
        // subscription keeps its original key.
        let Ok(url) = Url::parse(st.moved_to.as_deref().unwrap_or(feed_url)) else {
            st.disabled = true;
            st.record_error("the feed's URL does not parse");
            return (st, rep);
        };
        if let Some(push) = pushed.filter(|p| !p.bodies.is_empty()) {
            let poll = FeedPoll { feed_url, progress };
            match self.read_pushed(&poll, &url, st, push, token).await {
                Ok(read) => return read,
                Err(untouched) => st = untouched,
            }
        }
        let fetched = match self
            .limited_get(&url, Some(&st.validators), "feed", Duration::ZERO)
            .await
        {
            Ok(f) => f,
            Err(e) => {
                rep.failures += 1;
                let error = e.to_string();
                st.record_failure(cfg, bounds, None, &error);
                tracing::warn!(feed = %shown_url(feed_url), %error, failures = st.failures, "feed fetch failed");
                self.dead_letter("fetch", &error, feed_url, &[]).await;
                return (st, rep);
            }
        };
        if let Some(new_url) = &fetched.moved_to {
            tracing::info!(feed = %shown_url(feed_url), to = %shown_url(new_url.as_str()), "feed moved permanently; stored URL updated");
            st.moved_to = Some(new_url.to_string());
        }
        let poll = FeedPoll { feed_url, progress };
        match fetched.status {
            304 => {
                rep.not_modified += 1;
                st.record_success(bounds, 0, fetched.max_age);
                self.renew_hub_subscription(feed_url, &mut st);
                self.read_sitemap_index_again(feed_url, &mut st).await;
                self.retry_due_pages(&poll, &mut st, &mut rep, token).await;
                pages::poll_again_for_retries(&mut st, bounds.min);
                return (st, rep);
            }
            410 => {
                tracing::warn!(feed = %shown_url(feed_url), "feed is gone (410): retired");
                st.disabled = true;
                st.record_error("http 410: the feed is gone (retired)");
                return (st, rep);
            }
            429 | 503 | 404 => {
                rep.failures += 1;
                let status = FetchError::Status(fetched.status);
                let error = match fetched.retry_after {
                    Some(wait) => format!("{status} (retry after {} s)", wait.as_secs()),
                    None => status.to_string(),
                };
                st.record_failure(cfg, bounds, fetched.retry_after, &error);
                tracing::warn!(feed = %shown_url(feed_url), %error, failures = st.failures, "feed poll failed");
                return (st, rep);
            }
            _ => {}
        }
        let parsed = match parse_feed(
            &fetched.body,
            fetched.final_url.as_str(),
            fetched.content_type.as_deref(),
        ) {
            Ok(p) => p,
            Err(e) => {
                if st.moved_to.is_none()
                    && st.last_ok_at == 0
                    && let Some(PointsTo {
                        feed,
                        others: other_sitemaps,
                        index_by_number,
                    }) = feed_it_points_to(&fetched, &e)
                {
                    // A new subscription to a site's page, as feed readers
                    // take one (or to a sitemap index): the feed it points
                    // to is polled in its place, now and from now on. One
                    // that once read as a feed and now answers a page is
                    // failing instead.
                    tracing::info!(subscription = %shown_url(feed_url), feed = %shown_url(feed.as_str()), "the subscription is a web page or a sitemap index; polling the feed it points to");
                    let announced = self.announce_news_sitemaps(feed_url, &other_sitemaps).await;
                    if let Some(by_number) = index_by_number {
                        st.sitemap_index = Some(IndexWatch {
                            read_at: Utc::now().timestamp(),
                            sitemaps: std::iter::once(&feed)
                                .chain(announced.iter())
                                .map(Url::to_string)
                                .collect(),
                            by_number,
                        });
                    }
                    st.moved_to = Some(feed.to_string());
                    return Box::pin(self.poll_feed(feed_url, st, None, progress, token)).await;
                }
                rep.failures += 1;
                st.record_failure(cfg, bounds, None, &format!("parse: {e}"));
                self.dead_letter("parse", &e.to_string(), feed_url, &fetched.body)
                    .await;
                return (st, rep);
            }
        };
        self.keep_hub_subscription(feed_url, &mut st, &parsed, &fetched);
        st.schedule = ScheduleHints::of(&parsed.feed);
        if st.sitemap_index.is_none()
            && st.moved_to.is_some()
            && parsed.version.starts_with("sitemap")
        {
            // A subscription that follows a sitemap in its place, from a
            // state written before indexes were watched: its index is read
            // now, and what it lists today taken as known.
            st.sitemap_index = Some(IndexWatch::default());
        }
        self.read_sitemap_index_again(feed_url, &mut st).await;
        // Pages waiting from earlier polls go first: they are older.
        let bus_refused = self.retry_due_pages(&poll, &mut st, &mut rep, token).await;
        let items = with_ids(
            parsed.items(fetched.final_url.as_str()),
            cfg.max_seen_per_feed,
        );
        if parsed.is_undated_sitemap() {
            let listed = parsed.entries.len();
            if let Some(error) = undated_sitemap_refusal(listed, cfg.max_seen_per_feed) {
                rep.failures += 1;
                st.record_failure(cfg, bounds, None, &error);
                tracing::warn!(feed = %shown_url(feed_url), %error, "feed poll failed");
                return (st, rep);
            }
            if st.last_ok_at == 0 {
                // Its first reading: what it lists now is its archive.
                for (item, id) in &items {
                    if let Some(id) = id {
                        let fingerprint =
                            date_churn::fingerprint(&item.title, &item.updated, st.ignores_updated);
                        st.remember(id, fingerprint, cfg.max_seen_per_feed);
                        poll.progress.taken(feed_url, id, fingerprint);
                    }
                }
                tracing::info!(feed = %shown_url(feed_url), pages = listed, "an ordinary sitemap that dates none of its pages: those it lists now are taken as its archive, and only pages it lists later are fetched");
                st.validators = fetched.validators;
                st.record_success(bounds, 0, fetched.max_age);
                return (st, rep);
            }
        }
        let dates_now_ignored = st.note_rewritten_dates(seen_again(&st, &items));
        if dates_now_ignored {
            tracing::warn!(feed = %shown_url(feed_url), "the feed rewrites its items' dates at every answer; from now on only a new headline makes an item new");
        }
        let offered = Offered {
            items,
            dates_now_ignored,
            bus_refused,
        };
        let taken = self
            .take_new_items(&poll, &mut st, &mut rep, offered, token)
            .await;
        let (new_items, shared, bus_refused) = (taken.new_items, taken.shared, taken.bus_refused);
        // Validators are kept only once every item is taken, so that a
        // capped poll is not answered 304 next time; items the bus refused
        // come again only from a whole feed.
        st.validators = if taken.whole && !bus_refused {
            fetched.validators
        } else {
            Default::default()
        };
        // A feed whose stories other feeds took first still brings news.
        st.record_success(bounds, new_items + shared, fetched.max_age);
        pages::poll_again_for_retries(&mut st, bounds.min);
        if bus_refused {
            // The items left untaken come back at the next poll, which is
            // not to be put off for the poll's lack of new items.
            let soon =
                Utc::now().timestamp() + cfg.page_retry_delay.max(bounds.min).as_secs() as i64;
            st.next_poll = st.next_poll.min(soon);
        }
        (st, rep)
    }
}

/// What one reading of a feed offers: its items, each with its article id
/// (none without a link).
pub(crate) struct Offered {
    pub items: Vec<(FeedItemMeta, Option<String>)>,
    /// This reading found the feed rewriting its dates: its known items are
    /// kept under fingerprints without them.
    pub dates_now_ignored: bool,
    /// The bus already refused a page (a waiting one, retried first).
    pub bus_refused: bool,
}

/// What was taken of a feed's items.
pub(crate) struct Taken {
    pub new_items: u64,
    /// New to this feed, but taken by another feed of its site.
    pub shared: u64,
    /// Every item was looked at: no cap and no stop cut the reading short.
    pub whole: bool,
    pub bus_refused: bool,
}

/// Each item with its article id (none without a link), made once; the
/// first `max_seen` items at most (since round 65). A feed remembers that
/// many items, so one that lists more (a long sitemap) would have those
/// past them forgotten as others are taken, and fetched again at every
/// poll; feeds list their newest first, so the oldest are left.
pub(crate) fn with_ids(
    items: Vec<FeedItemMeta>,
    max_seen: usize,
) -> Vec<(FeedItemMeta, Option<String>)> {
    items
        .into_iter()
        .take(max_seen)
        .map(|item| {
            let id = item.link.as_deref().map(article_id);
            (item, id)
        })
        .collect()
}

impl Fetcher {
    /// Fetch the pages of the items new to the feed, in the feed's order,
    /// within `fetcher.max_items_per_poll`; an item another feed of the
    /// site took is remembered, not fetched again.
    pub(crate) async fn take_new_items(
        &self,
        poll: &FeedPoll<'_>,
        st: &mut FeedState,
        rep: &mut RoundReport,
        offered: Offered,
        token: &CancellationToken,
    ) -> Taken {
        let (feed_url, cfg) = (poll.feed_url, &self.config.fetcher);
        // A feed's first poll brings its backlog, not news.
        let first_poll = st.last_ok_at == 0;
        let mut taken = Taken {
            new_items: 0,
            shared: 0,
            whole: true,
            bus_refused: offered.bus_refused,
        };
        let mut without_link = 0;
        for (item, id) in offered.items {
            if token.is_cancelled() {
                taken.whole = false;
                break;
            }
            // A page the bus would not take is a page fetched for nothing:
            // the items left wait, untaken, for a later poll.
            if taken.bus_refused {
                break;
            }
            let (Some(link), Some(id)) = (item.link.clone(), id) else {
                // No page to fetch and no URL to name the article by.
                without_link += 1;
                continue;
            };
            let fingerprint =
                date_churn::fingerprint(&item.title, &item.updated, st.ignores_updated);
            if offered.dates_now_ignored && st.seen_items.knows(&id) {
                // Taken before: kept under the fingerprint without its date.
                st.remember(&id, fingerprint, cfg.max_seen_per_feed);
                poll.progress.taken(feed_url, &id, fingerprint);
                continue;
            }
            if st.seen_items.unchanged(&id, fingerprint) || st.retries.iter().any(|p| p.id == id) {
                continue;
            }
            if taken.new_items >= cfg.max_items_per_poll as u64 {
                tracing::info!(feed = %shown_url(feed_url), cap = cfg.max_items_per_poll, "more new items than one poll takes; the rest wait");
                taken.whole = false;
                break;
            }
            if !self.claim_page(feed_url, &id, fingerprint) {
                // Another feed took the page with this headline and date:
                // new to this feed, but not to be fetched again.
                taken.shared += 1;
                metrics::counter!(names::FETCH_ITEMS_SHARED).increment(1);
                st.remember(&id, fingerprint, cfg.max_seen_per_feed);
                poll.progress.taken(feed_url, &id, fingerprint);
                continue;
            }
            taken.new_items += 1;
            rep.items_new += 1;
            metrics::counter!(names::FETCH_ITEMS).increment(1);
            record_item_age(&item, first_poll);
            // The item goes out on topics; a user and password in the link
            // stay with the request alone.
            let item = FeedItemMeta {
                feed_url: text_without_credentials(&item.feed_url),
                link: Some(text_without_credentials(&link)),
                ..item
            };
            let page = PageRetry {
                id,
                link,
                fingerprint,
                item,
                attempts: 0,
                not_before: 0,
                last_error: String::new(),
            };
            taken.bus_refused = self.take_page(poll, st, rep, page).await;
        }
        if without_link > 0 {
            // Each poll says it again: the feed keeps them while they are new.
            tracing::info!(feed = %shown_url(feed_url), items = without_link, "feed items with no link to an article page; skipped");
        }
        if taken.shared > 0 {
            tracing::debug!(feed = %shown_url(feed_url), items = taken.shared, "new items whose pages other feeds took; not fetched again");
        }
        taken
    }
}

/// How many of `items` the feed had before, and how many of those changed.
fn seen_again(st: &FeedState, items: &[(FeedItemMeta, Option<String>)]) -> date_churn::Seen {
    let mut seen = date_churn::Seen::default();
    for (item, id) in items {
        let Some(id) = id else {
            continue;
        };
        if st.seen_items.knows(id) {
            seen.known += 1;
            let fingerprint =
                date_churn::fingerprint(&item.title, &item.updated, st.ignores_updated);
            if !st.seen_items.unchanged(id, fingerprint) {
                seen.changed += 1;
            }
        }
    }
    seen
}

/// Record how old a new item is by the date its feed gives; items of a
/// feed's first poll (its backlog) and dates ahead of the clock are left
/// out.
fn record_item_age(item: &FeedItemMeta, first_poll: bool) {
    let Some(published) = item.published.filter(|_| !first_poll) else {
        return;
    };
    let age = (Utc::now() - published).num_seconds();
    if age >= 0 {
        metrics::histogram!(names::FETCH_ITEM_AGE).record(age as f64);
    }
}

/// Why an ordinary sitemap that dates none of its pages is not polled:
/// it lists more pages than its feed remembers, so that those it lists
/// later could not be told from the ones it listed before.
fn undated_sitemap_refusal(listed: usize, max_seen: usize) -> Option<String> {
    (listed > max_seen).then(|| format!(
        "an ordinary sitemap that dates none of its {listed} pages, more than fetcher.max_seen_per_feed ({max_seen}) remembers: its new pages cannot be told from its archive; subscribe to the site's feed or news sitemap"
    ))
}

/// What an answer that is no feed points to.
struct PointsTo {
    /// The feed to poll in the subscription's place.
    feed: Url,
    /// A sitemap index's other sitemaps to follow.
    others: Vec<Url>,
    /// For a sitemap index: whether `feed` was chosen by its number.
    index_by_number: Option<bool>,
}

/// The feed an answer that is no feed points to: the first sitemap to
/// follow that a sitemap index names (`sitemap_index::IndexReading`), with
/// the index's others, or the first feed an HTML page announces (`<link
/// rel="alternate">`, then feed links).
fn feed_it_points_to(fetched: &crate::http::Fetched, error: &FeedError) -> Option<PointsTo> {
    if let FeedError::SitemapIndex(sitemaps) = error {
        let reading = IndexReading::of(sitemaps, &fetched.final_url);
        let mut news = reading
            .to_follow
            .into_iter()
            .filter(|u| *u != fetched.final_url);
        let feed = news.next()?;
        let others = news.filter(|u| *u != feed).collect();
        return Some(PointsTo {
            feed,
            others,
            index_by_number: Some(reading.by_number),
        });
    }
    let html = fetched
        .content_type
        .as_deref()
        .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || {
            let head = fetched.body.trim_ascii_start();
            let head = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
            head.contains("<html") || head.starts_with("<!doctype html")
        };
    if !html {
        return None;
    }
    crate::discover::feed_links(&String::from_utf8_lossy(&fetched.body), &fetched.final_url)
        .into_iter()
        .find(|f| *f != fetched.final_url)
        .map(|feed| PointsTo {
            feed,
            others: Vec::new(),
            index_by_number: None,
        })
}
