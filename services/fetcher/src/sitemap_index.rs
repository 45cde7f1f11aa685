//! A subscription to a sitemap index: which of its sitemaps it follows
//! (`IndexReading`, pure), and the index read again to follow what it
//! lists since (`Fetcher::read_sitemap_index_again`).
//!
//! An index names sitemaps, not articles. It is followed through its news
//! sitemaps; else (since round 65) through the sitemaps of its articles
//! that it dates as changed lately; else (since round 67, an index that
//! dates none, as WordPress's own `wp-sitemap.xml`) through the newest
//! sitemap of its longest numbered series of articles, since a CMS fills
//! `wp-sitemap-posts-post-1.xml`, `-2.xml`, ... in the order it publishes.
//! When the index lists a later sitemap of the series the subscription
//! follows, the subscription moves to it, and the one before, which no
//! longer grows, is no longer polled; a sitemap the index added as a
//! subscription of its own is removed once a later one of its series
//! replaces it and the index no longer offers it.

use chrono::Utc;
use news_core::config::shown_url;
use news_core::messages::FeedAction;
use url::Url;

use crate::feed::{FeedError, ListedSitemap, NEWS_WINDOW};
use crate::state::FeedState;
use crate::{Fetcher, parse_feed};

/// News sitemaps of one index that become subscriptions of their own,
/// at most.
const MAX_ANNOUNCED_SITEMAPS: usize = 15;

/// How often a followed sitemap index that dates its sitemaps is read
/// again.
const INDEX_READ_EVERY_SECS: i64 = 24 * 3600;

/// How often one that dates none is: the next number of its series is the
/// only sign of where new articles go, and the sitemap before it stops
/// growing when that one starts.
const UNDATED_INDEX_READ_EVERY_SECS: i64 = 3600;

/// Seconds between two readings of a followed index.
pub fn read_every(watch: &crate::state::IndexWatch) -> i64 {
    if watch.by_number {
        UNDATED_INDEX_READ_EVERY_SECS
    } else {
        INDEX_READ_EVERY_SECS
    }
}

/// Words in a sitemap's path that say it lists no articles: a CMS's
/// pages, taxonomies, people and media (Yoast's `category-sitemap.xml`,
/// WordPress's `wp-sitemap-posts-page-1.xml`, `author-sitemap.xml`).
const NOT_ARTICLE_WORDS: &[&str] = &[
    "page",
    "pages",
    "category",
    "categories",
    "tag",
    "tags",
    "taxonomy",
    "taxonomies",
    "term",
    "terms",
    "topic",
    "topics",
    "section",
    "sections",
    "author",
    "authors",
    "user",
    "users",
    "people",
    "attachment",
    "attachments",
    "image",
    "images",
    "video",
    "videos",
    "product",
    "products",
    "static",
    "home",
    "misc",
];

/// What a subscription makes of one reading of a sitemap index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexReading {
    /// Its sitemaps with "news" in their URL's path.
    pub news: Vec<Url>,
    /// The sitemaps to follow, the first by the subscription itself: the
    /// news sitemaps; else those of articles it dates within `NEWS_WINDOW`
    /// of the newest such, newest first; else, when it dates none of
    /// them, the newest of its longest series of articles' sitemaps.
    pub to_follow: Vec<Url>,
    /// Whether `to_follow` was chosen by number, the index dating none of
    /// its articles' sitemaps.
    pub by_number: bool,
}

impl IndexReading {
    pub fn of(sitemaps: &[ListedSitemap], index_url: &Url) -> IndexReading {
        let news: Vec<Url> = sitemaps
            .iter()
            .filter_map(|l| index_url.join(&l.loc).ok())
            .filter(|u| u.path().to_ascii_lowercase().contains("news"))
            .collect();
        if !news.is_empty() {
            return IndexReading {
                to_follow: news.clone(),
                news,
                by_number: false,
            };
        }
        let dated = dated_article_sitemaps(sitemaps, index_url);
        let dates_none = sitemaps.iter().all(|l| l.lastmod.is_none());
        if !dated.is_empty() || !dates_none {
            return IndexReading {
                news,
                to_follow: dated,
                by_number: false,
            };
        }
        IndexReading {
            news,
            to_follow: newest_of_longest_series(sitemaps, index_url)
                .into_iter()
                .collect(),
            by_number: true,
        }
    }

    /// The later sitemap of `followed`'s series that this reading would
    /// follow, if any: the subscription moves to it. Never among news
    /// sitemaps, which are all followed (and may be numbered by section).
    pub fn successor_of(&self, followed: &Url) -> Option<Url> {
        if !self.news.is_empty() {
            return None;
        }
        let (series, place) = series_of(followed);
        self.to_follow
            .iter()
            .map(|u| (series_of(u), u))
            .filter(|((s, p), _)| *s == series && *p > place)
            .max_by(|((_, a), _), ((_, b), _)| a.cmp(b))
            .map(|(_, u)| u.clone())
    }
}

impl IndexReading {
    /// Of `added`, the sitemaps this index made subscriptions of their own,
    /// those a later sitemap of their series has replaced (one this
    /// reading follows, or `followed`) and that it no longer offers: a
    /// month gone by, which stops changing. Never news sitemaps.
    pub fn superseded(&self, added: &[Url], followed: Option<&Url>) -> Vec<Url> {
        if !self.news.is_empty() {
            return Vec::new();
        }
        // The latest place of each series offered now.
        let mut latest: std::collections::HashMap<String, Vec<u64>> = Default::default();
        for (series, place) in self.to_follow.iter().chain(followed).map(series_of) {
            let at = latest.entry(series).or_default();
            if place > *at {
                *at = place;
            }
        }
        let offered: std::collections::HashSet<&Url> = self.to_follow.iter().collect();
        added
            .iter()
            .filter(|u| Some(*u) != followed && !offered.contains(u))
            .filter(|u| {
                let (series, place) = series_of(u);
                latest.get(&series).is_some_and(|at| *at > place)
            })
            .cloned()
            .collect()
    }
}

/// The sitemaps of an index's articles that it dates within `NEWS_WINDOW`
/// of the newest of them, newest first, each once.
fn dated_article_sitemaps(sitemaps: &[ListedSitemap], index_url: &Url) -> Vec<Url> {
    let mut dated: Vec<(chrono::DateTime<chrono::Utc>, Url)> = sitemaps
        .iter()
        .filter_map(|l| Some((l.lastmod?, index_url.join(&l.loc).ok()?)))
        .filter(|(_, u)| lists_articles(u))
        .collect();
    let Some(newest) = dated.iter().map(|(d, _)| *d).max() else {
        return Vec::new();
    };
    dated.retain(|(d, _)| *d >= newest - NEWS_WINDOW);
    // Newest first; the index's order among equals.
    dated.sort_by_key(|(d, _)| std::cmp::Reverse(*d));
    let mut seen = std::collections::HashSet::new();
    dated
        .into_iter()
        .map(|(_, u)| u)
        .filter(|u| seen.insert(u.clone()))
        .collect()
}

/// The highest-numbered sitemap of the index's longest series of
/// articles' sitemaps (the first listed among series of one length).
fn newest_of_longest_series(sitemaps: &[ListedSitemap], index_url: &Url) -> Option<Url> {
    // Each series' members with their places, in index order; found by
    // name through a map, as an index may list 50,000 sitemaps.
    let mut series: Vec<Vec<(Vec<u64>, Url)>> = Vec::new();
    let mut by_name: std::collections::HashMap<String, usize> = Default::default();
    for u in sitemaps
        .iter()
        .filter_map(|l| index_url.join(&l.loc).ok())
        .filter(lists_articles)
    {
        let (name, place) = series_of(&u);
        let at = *by_name.entry(name).or_insert_with(|| {
            series.push(Vec::new());
            series.len() - 1
        });
        series[at].push((place, u));
    }
    // `max_by_key` keeps the last of equals; reversed, that is the first.
    let members = series.into_iter().rev().max_by_key(Vec::len)?;
    members
        .into_iter()
        .max_by(|(a, _), (b, _)| a.cmp(b))
        .map(|(_, u)| u)
}

/// A sitemap's series and its place in it: its host, path and query with
/// every run of digits taken out, and those numbers in order. So
/// `post-sitemap.xml` ([]) comes before `post-sitemap2.xml` ([2]), and
/// `sitemap-2023-12.xml` ([2023, 12]) before `sitemap-2024-01.xml`.
fn series_of(sitemap: &Url) -> (String, Vec<u64>) {
    let text = format!(
        "{}{}?{}",
        sitemap.host_str().unwrap_or(""),
        sitemap.path(),
        sitemap.query().unwrap_or("")
    );
    let mut name = String::with_capacity(text.len());
    let mut place = Vec::new();
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            // A run too long for u64 is no page number; it still orders.
            place.push(digits.parse().unwrap_or(u64::MAX));
            digits.clear();
        }
        name.push(c);
    }
    (name, place)
}

/// Whether a sitemap's path may list articles: none of its words names
/// pages, taxonomies, people or media.
fn lists_articles(sitemap: &Url) -> bool {
    let path = sitemap.path().to_ascii_lowercase();
    !path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| NOT_ARTICLE_WORDS.contains(&word))
}

/// The title of a subscription an index added, by which it knows its own.
fn title_of_added(index_subscription: &str) -> String {
    format!("news sitemap of {}", shown_url(index_subscription))
}

impl Fetcher {
    /// A sitemap index's news sitemaps besides the one its subscription
    /// follows (a site's news by section or language): each added as a
    /// subscription of its own through `news.feeds.v1`, so that every
    /// fetcher takes it, and it keeps its own validators and schedule.
    /// Returns those the topic took.
    pub(crate) async fn announce_news_sitemaps(
        &self,
        subscription: &str,
        sitemaps: &[Url],
    ) -> Vec<Url> {
        let mut announced = Vec::new();
        // They are polled as the index's subscription is (its own poll
        // bounds), but a sitemap carries no text to read in place of its
        // pages.
        let own = self.subs.get(subscription).map(|s| s.settings);
        let settings = news_core::messages::FeedSettings {
            feed_text_only: false,
            poll_min_secs: own.and_then(|s| s.poll_min_secs),
            poll_max_secs: own.and_then(|s| s.poll_max_secs),
        };
        for sitemap in sitemaps
            .iter()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .take(MAX_ANNOUNCED_SITEMAPS)
        {
            let command = news_core::messages::FeedCommand {
                schema_version: news_core::messages::SCHEMA_VERSION,
                feed_url: sitemap.to_string(),
                action: FeedAction::Add,
                at: Utc::now(),
                title: Some(title_of_added(subscription)),
                settings,
            };
            if self.send_feed_command(command).await {
                announced.push(sitemap.clone());
            }
        }
        if !announced.is_empty() {
            tracing::info!(subscription = %shown_url(subscription), added = announced.len(), "the sitemap index lists more news sitemaps; each added as a subscription");
        }
        announced
    }

    /// Removes the sitemaps this index added as subscriptions of their own
    /// (and that are still so, as it added them) that `IndexReading::
    /// superseded` names, through `news.feeds.v1` as an operator would.
    async fn retire_sitemaps(&self, subscription: &str, superseded: &[Url]) {
        let title = title_of_added(subscription);
        for sitemap in superseded {
            let added_here = self.subs.get(sitemap.as_str()).is_some_and(|s| {
                s.origin == crate::subscriptions::Origin::Control
                    && s.title.as_deref() == Some(title.as_str())
            });
            if !added_here {
                continue;
            }
            let command = news_core::messages::FeedCommand {
                schema_version: news_core::messages::SCHEMA_VERSION,
                feed_url: sitemap.to_string(),
                action: FeedAction::Remove,
                at: Utc::now(),
                title: Some(title.clone()),
                settings: Default::default(),
            };
            if self.send_feed_command(command).await {
                tracing::info!(subscription = %shown_url(subscription), sitemap = %shown_url(sitemap.as_str()), "a later sitemap of its series replaced a sitemap the index added; removed");
            }
        }
    }

    /// Writes a command to `news.feeds.v1`; false (logged) if the topic did
    /// not take it.
    async fn send_feed_command(&self, command: news_core::messages::FeedCommand) -> bool {
        let record = command.record(&self.config.topics.feeds);
        match self.producer.send_and_wait(record).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(sitemap = %shown_url(&command.feed_url), action = ?command.action, error = %e, "could not change a sitemap an index names");
                false
            }
        }
    }

    /// Once a day (once an hour for an index that dates none of its
    /// sitemaps), the sitemap index a subscription follows is read again.
    /// A later sitemap of the series the subscription follows takes that
    /// one's place (round 67). Another sitemap to follow that it lists
    /// since (a news sitemap of a new section or language; since round 65,
    /// a new month's or number's sitemap of articles) is added as a
    /// subscription of its own. One it listed before is not added again,
    /// so that an operator's removal holds.
    pub(crate) async fn read_sitemap_index_again(&self, subscription: &str, st: &mut FeedState) {
        let now = Utc::now().timestamp();
        let Some(watch) = st
            .sitemap_index
            .as_mut()
            .filter(|w| now - w.read_at >= read_every(w))
        else {
            return;
        };
        // Whatever the answer, the next reading is a period away.
        watch.read_at = now;
        let Ok(url) = Url::parse(subscription) else {
            return;
        };
        let reading = match self
            .limited_get(&url, None, "feed", std::time::Duration::ZERO)
            .await
        {
            Ok(f) if f.status == 200 => {
                parse_feed(&f.body, f.final_url.as_str(), f.content_type.as_deref())
                    .err()
                    .and_then(|e| match e {
                        FeedError::SitemapIndex(list) => {
                            Some(IndexReading::of(&list, &f.final_url))
                        }
                        _ => None,
                    })
            }
            _ => None,
        };
        let Some(reading) = reading else {
            tracing::info!(subscription = %shown_url(subscription), "the sitemap index could not be read again as one; asked again later");
            return;
        };
        watch.by_number = reading.by_number;
        if watch.sitemaps.is_empty() {
            // The first reading of an index followed since before it was
            // watched: its news sitemaps were added then (or removed since,
            // by an operator whose word holds), so none is added now.
            tracing::info!(subscription = %shown_url(subscription), sitemaps = reading.to_follow.len(), "the sitemap index is watched from now on: a news sitemap it lists later is added");
            watch.sitemaps = st.moved_to.iter().cloned().collect();
            for sitemap in reading.to_follow.iter().map(Url::to_string) {
                if !watch.sitemaps.contains(&sitemap) {
                    watch.sitemaps.push(sitemap);
                }
            }
            return;
        }
        let followed = st.moved_to.as_deref().and_then(|u| Url::parse(u).ok());
        if let Some(next) = followed.and_then(|f| reading.successor_of(&f)) {
            // Polled from the next poll on, as new: what it lists came
            // since the index last named the one before.
            tracing::info!(subscription = %shown_url(subscription), from = %shown_url(st.moved_to.as_deref().unwrap_or("")), to = %shown_url(next.as_str()), "the sitemap index lists the next sitemap of the series followed; following it in its place");
            watch.sitemaps.push(next.to_string());
            st.moved_to = Some(next.to_string());
            st.validators = Default::default();
        }
        // Those followed count while the index still offers them, so that
        // a site's sitemaps by month keep coming as they start.
        let followed = reading
            .to_follow
            .iter()
            .filter(|u| watch.sitemaps.contains(&u.to_string()))
            .count();
        let room = (MAX_ANNOUNCED_SITEMAPS + 1).saturating_sub(followed);
        let new: Vec<Url> = reading
            .to_follow
            .iter()
            .filter(|u| !watch.sitemaps.contains(&u.to_string()))
            .take(room)
            .cloned()
            .collect();
        let announced = self.announce_news_sitemaps(subscription, &new).await;
        watch.sitemaps.extend(announced.iter().map(Url::to_string));
        // Those it added stay in the watch, so that a month it dates again
        // (an old story edited) is not added again.
        let added: Vec<Url> = watch
            .sitemaps
            .iter()
            .filter_map(|u| Url::parse(u).ok())
            .collect();
        let followed = st.moved_to.as_deref().and_then(|u| Url::parse(u).ok());
        let superseded = reading.superseded(&added, followed.as_ref());
        self.retire_sitemaps(subscription, &superseded).await;
    }
}

#[cfg(test)]
#[path = "sitemap_index_tests.rs"]
mod tests;
