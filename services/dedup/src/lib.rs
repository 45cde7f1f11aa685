//! newsmill dedup stage: `news.clean.v1` -> `news.dedup.v1` + `news.stories.v1`.
//!
//! `engine::Engine` makes the decisions and holds the state; `DedupStage`
//! adapts it to the runner and snapshots the state at each checkpoint, so a
//! restart (or a killed process) resumes with the window it had. On Kafka it
//! also writes each decision's `Fact` to a changelog topic (`state.rs`).

mod alphabets;
mod caucasus;
mod chars;
mod cjk;
mod cluster;
mod dense_map;
pub mod engine;
mod entities;
mod ethiopic;
mod han_names;
mod han_simplified;
mod han_sounds;
mod indic;
mod kana_hangul;
mod lao_khmer_burmese;
pub mod lsh;
mod name_keys;
mod name_spellings;
mod prior;
mod probe;
mod sinhala;
pub mod state;
mod stopwords;
mod term_counts;
pub mod text;
mod thaana;
mod thai;
mod vectors;
mod word_cut;
pub mod word_lists;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Longest time between dedup snapshots while articles arrive; input
/// positions are committed at each one.
const SNAPSHOT_INTERVAL: Duration = Duration::from_secs(10);
/// Shortest time between snapshots once `dedup.snapshot_every` decisions
/// have accumulated.
const SNAPSHOT_MIN_GAP: Duration = Duration::from_secs(2);
/// Both gaps are at least this many times the last snapshot's duration, so
/// that snapshots take at most a tenth of the stage's time. A snapshot
/// writes the whole window and decisions wait for it: at a large window
/// (seconds per snapshot) the fixed gaps left little time to decide.
const SNAPSHOT_GAP_PER_SNAPSHOT_TIME: u32 = 10;
/// How far ahead of this process's clock an article's fetch time may be.
/// The window is the arrival times', and one message dated years ahead (a
/// producer's wrong clock) would make every article before it expire at
/// once: such a time counts as this clock's, plus this much skew.
const MAX_FETCH_TIME_AHEAD_SECS: i64 = 300;

use chrono::{DateTime, TimeZone, Utc};
use news_core::bus::{InRecord, OutRecord};
use news_core::config::Config;
use news_core::messages::{
    CleanArticle, DecidedArticle, DedupVerdict, SCHEMA_VERSION, Story, StorySource,
};
use news_core::runner::{Stage, StageError};
use news_core::telemetry::names;

pub use cluster::{ClusterIn, ClusterOut, cluster_line};
pub use engine::{ArticleIn, Decision, Engine, Fact, Params};
pub use word_lists::{WordListError, WordLists};

pub fn params_from(config: &Config) -> Params {
    Params {
        near_threshold: config.dedup.near_threshold,
        story_threshold: if config.dedup.story_threshold > 0.0 {
            config.dedup.story_threshold
        } else {
            Params::default().story_threshold
        },
        window_secs: config.dedup.window.as_secs() as i64,
        max_articles: config.dedup.max_articles,
    }
}

/// The word lists `dedup.word_lists` names, read (`word_lists.rs`), with a
/// log line for each.
pub fn word_lists_from(config: &Config) -> Result<Option<Arc<WordLists>>, WordListError> {
    let Some(dir) = &config.dedup.word_lists else {
        return Ok(None);
    };
    let lists = WordLists::read_dir(dir)?;
    for (language, lines) in lists.languages() {
        tracing::info!(%language, lines, dir = %dir.display(), "word list read");
    }
    Ok(Some(Arc::new(lists)))
}

/// Asks the broker for the changelog's end offset (the runner's I/O, lent to
/// the stage so that a snapshot can say which facts it holds).
pub type ChangelogEnd = Box<dyn FnMut() -> Result<i64, String> + Send>;

pub struct DedupStage {
    engine: Engine,
    /// The changelog offset the restored snapshot covers up to.
    changelog_from: Option<i64>,
    changelog_end: Option<ChangelogEnd>,
    dedup_topic: String,
    stories_topic: String,
    /// `topics.articles` when `dedup.articles` is on.
    articles_topic: Option<String>,
    snapshot: Option<PathBuf>,
    restored: bool,
    changelog_topic: Option<String>,
    pending_facts: Vec<Fact>,
    since_snapshot: usize,
    snapshot_every: usize,
    last_snapshot: std::time::Instant,
    /// How long the last snapshot took to write.
    last_snapshot_took: Duration,
    stories: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Attach each verdict's explanation (`dedup.explain`).
    explain: bool,
    /// `dedup.quiet_close_delay`; None when zero.
    quiet_close_delay: Option<Duration>,
    /// When the last warning that the cap shortens the window was logged.
    last_cap_warning: Option<std::time::Instant>,
}

/// How often, at most, the dedup stage warns that `dedup.max_articles`
/// pushes articles out of the window before their time.
const CAP_WARNING_EVERY: Duration = Duration::from_secs(600);

impl DedupStage {
    /// Build the stage; with `state_dir`, restore the last snapshot from it.
    pub fn new(config: &Config, state_dir: Option<PathBuf>) -> Result<DedupStage, StageError> {
        let params = params_from(config);
        let word_lists =
            word_lists_from(config).map_err(|e| StageError::Retryable(e.to_string()))?;
        let snapshot = state_dir.map(|d| d.join("dedup-state.bin"));
        let restored = match &snapshot {
            Some(path) if path.exists() => match state::read_snapshot(path) {
                Ok(snapshot) => Some(snapshot),
                Err(state::SnapshotError::Io(e)) => {
                    return Err(StageError::Retryable(format!(
                        "reading {}: {e}",
                        path.display()
                    )));
                }
                Err(e) => {
                    // Refilled from the changelog (Kafka) or by new articles.
                    let aside = state::set_aside(path).map_err(|io| {
                        StageError::Retryable(format!("moving {}: {io}", path.display()))
                    })?;
                    tracing::warn!(error = %e, kept_at = %aside.display(), "dedup snapshot unreadable; starting without it");
                    None
                }
            },
            _ => None,
        };
        let changelog_from = restored.as_ref().and_then(|s| s.changelog_end);
        let engine = match restored {
            Some(state::Snapshot { mut engine, .. }) => {
                engine.params = params;
                engine = engine.with_word_lists(word_lists);
                tracing::info!(
                    articles = engine.article_count(),
                    stories = engine.story_count(),
                    "dedup state restored"
                );
                engine
            }
            None => Engine::new(params).with_word_lists(word_lists),
        };
        let changelog_topic = (config.bus.is_kafka() && !config.topics.dedup_changelog.is_empty())
            .then(|| config.topics.dedup_changelog.clone());
        Ok(DedupStage {
            restored: engine.article_count() > 0,
            engine: engine.keep_closed(),
            changelog_from,
            changelog_end: None,
            dedup_topic: config.topics.dedup.clone(),
            stories_topic: config.topics.stories.clone(),
            articles_topic: config
                .dedup
                .articles
                .then(|| config.topics.articles.clone()),
            snapshot,
            changelog_topic,
            pending_facts: Vec::new(),
            since_snapshot: 0,
            snapshot_every: config.dedup.snapshot_every.max(1),
            last_snapshot: std::time::Instant::now(),
            last_snapshot_took: Duration::ZERO,
            stories: Default::default(),
            explain: config.dedup.explain,
            quiet_close_delay: Some(config.dedup.quiet_close_delay).filter(|d| !d.is_zero()),
            last_cap_warning: None,
        })
    }

    /// Count the articles that left the window since the last call, and
    /// warn (at most every `CAP_WARNING_EVERY`) while the cap pushes out
    /// articles the window would keep: a later report of their stories
    /// then starts a story of its own.
    fn count_evictions(&mut self) {
        let evicted = self.engine.take_evictions();
        for (reason, count) in [("age", evicted.by_age), ("cap", evicted.by_cap)] {
            // Both series exist from the first decision, so that a rate or
            // an alert over them sees the first eviction too.
            metrics::counter!(names::DEDUP_EVICTIONS, "reason" => reason).increment(count);
        }
        if evicted.by_cap > 0
            && self
                .last_cap_warning
                .is_none_or(|at| at.elapsed() >= CAP_WARNING_EVERY)
        {
            self.last_cap_warning = Some(std::time::Instant::now());
            let params = &self.engine.params;
            tracing::warn!(
                max_articles = params.max_articles,
                window_secs = params.window_secs,
                window_span_secs = self.engine.window_span_secs(),
                "dedup.max_articles reached: articles leave before dedup.window ends, and later reports of their stories start new ones; raise dedup.max_articles (about 2 KB of memory each) or shorten dedup.window"
            );
        }
    }

    /// Bring the live count of stories (`stories_counter`) up to date.
    fn count_stories(&self) {
        self.stories.store(
            self.engine.story_count(),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// Live count of stories in the window, for status displays.
    pub fn stories_counter(&self) -> std::sync::Arc<std::sync::atomic::AtomicUsize> {
        self.count_stories();
        self.stories.clone()
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The changelog topic this stage writes, when it writes one (Kafka).
    pub fn changelog_topic(&self) -> Option<&str> {
        self.changelog_topic.as_deref()
    }

    /// True when a local snapshot supplied the state.
    pub fn restored_from_snapshot(&self) -> bool {
        self.restored
    }

    /// Where the changelog goes on past the restored snapshot: decisions
    /// published after it, which a restart must know before it sees their
    /// inputs again (other partitions' inputs may come back in another
    /// order, and a decision made again could differ).
    pub fn changelog_from(&self) -> Option<i64> {
        self.changelog_from
    }

    /// Lets each snapshot record the changelog's end offset.
    pub fn set_changelog_end(&mut self, end: ChangelogEnd) {
        self.changelog_end = Some(end);
    }

    /// Fold one changelog record into the state (rebuild on an empty disk).
    pub fn apply_changelog(&mut self, record: &InRecord) -> Result<(), String> {
        let fact = state::decode_fact(record)?;
        self.engine.apply(&fact);
        self.forget_rebuilt_window_moves();
        Ok(())
    }

    /// What the window did while the state is rebuilt was done before.
    /// Its evictions were counted by the instance that decided them.
    /// Stories closed while a new disk's state is rebuilt closed before:
    /// that instance announced them. After a snapshot, the few facts
    /// decided since are another matter: their closures may not have been
    /// published before that instance stopped, so they are announced
    /// (again) with the next verdict.
    fn forget_rebuilt_window_moves(&mut self) {
        self.engine.take_evictions();
        if !self.restored {
            self.engine.take_closed();
        }
    }

    /// Decide `record`, a clean article decided before the state was lost,
    /// again, publishing nothing: on the embedded log, whose snapshot is
    /// the only record of the state, the same inputs in the same order
    /// rebuild it. False for a record that is no clean article (it was
    /// dead-lettered the first time).
    pub fn redecide(&mut self, record: &InRecord) -> bool {
        let Ok(article) = news_core::messages::decode::<CleanArticle>(&record.payload) else {
            return false;
        };
        let latest = Utc::now().timestamp() + MAX_FETCH_TIME_AHEAD_SECS;
        let source = source_of(&article);
        self.engine
            .decide_logged(&article_in(&article, source.as_deref(), latest));
        self.forget_rebuilt_window_moves();
        true
    }

    /// Pure decision for one clean article: the verdict and its story's
    /// current summary.
    pub fn decide(&mut self, a: &CleanArticle) -> (DedupVerdict, Option<Story>) {
        let now = Utc::now();
        let latest = now.timestamp() + MAX_FETCH_TIME_AHEAD_SECS;
        if a.fetched_at.timestamp() > latest {
            tracing::warn!(id = %a.id, url = %a.url, fetched_at = %a.fetched_at, "fetch time ahead of this clock; the window counts it as now");
            metrics::counter!(names::ERRORS, "stage" => "process", "error_type" => "clock_ahead")
                .increment(1);
        }
        let source = source_of(a);
        let article = article_in(a, source.as_deref(), latest);
        let (d, fact, explain) = if self.explain {
            let (d, fact, why) = self.engine.decide_explained_logged(&article);
            // A replay repeats its first verdict and weighs nothing again.
            let why = (!d.replay)
                .then(|| serde_json::to_value(why).ok())
                .flatten();
            (d, fact, why)
        } else {
            let (d, fact) = self.engine.decide_logged(&article);
            (d, fact, None)
        };
        if let (Some(fact), Some(_)) = (fact, &self.changelog_topic) {
            self.pending_facts.push(fact);
        }
        self.count_stories();
        self.count_evictions();
        metrics::counter!(names::DEDUP_VERDICTS, "kind" => d.kind.as_str()).increment(1);
        if !d.replay {
            news_core::telemetry::record_article_delay("dedup", a.fetched_at);
        }
        let revised = d.replay && self.engine.text_changed(&a.id, &a.text);
        if revised {
            metrics::counter!(names::DEDUP_REVISIONS).increment(1);
        }
        let verdict = DedupVerdict {
            schema_version: SCHEMA_VERSION,
            id: a.id.clone(),
            story_id: d.story_id.clone(),
            kind: d.kind,
            duplicate_of: d.duplicate_of.clone(),
            similarity: (d.similarity * 1000.0).round() / 1000.0,
            url: a.url.clone(),
            title: a.title.clone(),
            published: a.published,
            language: a.language.clone(),
            fetched_at: a.fetched_at,
            decided_at: now,
            replay: d.replay,
            revised,
            explain,
        };
        // A replay sends its story's summary again: the crash that caused
        // it may have come after the verdict and before the summary, and a
        // summary is keyed by story and whole, so a second copy is harmless.
        let story = self
            .engine
            .story(&d.story_id)
            .map(|s| summary(s, now, None));
        (verdict, story)
    }

    /// The last summaries of the stories that left the window since the
    /// last call, marked closed; `by` says what closed them ("arrival",
    /// "quiet") for the counter.
    fn closed_stories(&mut self, by: &'static str) -> Vec<Story> {
        let closed = self.engine.take_closed();
        if closed.is_empty() {
            return Vec::new();
        }
        let now = Utc::now();
        metrics::counter!(names::DEDUP_STORIES_CLOSED, "by" => by).increment(closed.len() as u64);
        closed.iter().map(|s| summary(s, now, Some(now))).collect()
    }

    /// The stories of a quiet stream that `now` (seconds since the epoch)
    /// closes: those whose last member is older than the window plus
    /// `dedup.quiet_close_delay`. What `when_idle` sends.
    pub fn close_quiet_stories(&mut self, now: i64) -> Vec<Story> {
        let Some(delay) = self.quiet_close_delay else {
            return Vec::new();
        };
        self.engine
            .age_out(now.saturating_sub(delay.as_secs() as i64));
        self.count_evictions();
        let closed = self.closed_stories("quiet");
        if !closed.is_empty() {
            // A snapshot then keeps them closed; it is taken once these
            // summaries are acknowledged.
            self.since_snapshot += 1;
        }
        closed
    }

    fn save_snapshot(&mut self) -> Result<(), StageError> {
        let Some(path) = &self.snapshot else {
            return Ok(());
        };
        let started = std::time::Instant::now();
        // Every fact so far is acknowledged at a checkpoint, so the end
        // offset now is at or past the last fact this snapshot holds.
        let changelog_end = self.changelog_end.as_mut().and_then(|end| {
            end()
                .inspect_err(|e| tracing::warn!(error = %e, "changelog end unknown; this snapshot cannot catch up from it"))
                .ok()
        });
        state::write_snapshot(path, &self.engine, changelog_end)
            .map_err(|e| StageError::Retryable(format!("writing {}: {e}", path.display())))?;
        self.since_snapshot = 0;
        self.last_snapshot = std::time::Instant::now();
        self.last_snapshot_took = started.elapsed();
        metrics::histogram!(names::DEDUP_SNAPSHOT_DURATION)
            .record(self.last_snapshot_took.as_secs_f64());
        Ok(())
    }
}

/// The engine's input for `a`, its fetch time no later than `latest`.
fn article_in<'a>(a: &'a CleanArticle, source: Option<&'a str>, latest: i64) -> ArticleIn<'a> {
    ArticleIn {
        id: &a.id,
        title: a.title.as_deref(),
        text: &a.text,
        at: a.fetched_at.timestamp().min(latest),
        published: a.published.map(|p| p.timestamp()),
        lang: a.language.as_deref(),
        source,
    }
}

/// Longest outlet name a story keeps: a site name is the page's to choose.
const MAX_SOURCE_CHARS: usize = 100;

/// The outlet that carried `a`: the registrable domain of the page read
/// (after redirects: a feed's link can be a tracker's), else of its URL
/// (the feed's link, canonical; never the page's own `rel=canonical`,
/// which a syndicated copy points at its original), or, for a URL with no
/// host (a file), the page's site name.
fn source_of(a: &CleanArticle) -> Option<String> {
    let domain = a
        .fetched_url
        .as_deref()
        .map(news_core::ids::url_domain)
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| news_core::ids::url_domain(&a.url));
    let name = if domain.is_empty() {
        a.site_name.as_deref()?.trim()
    } else {
        &domain
    };
    (!name.is_empty()).then(|| name.chars().take(MAX_SOURCE_CHARS).collect())
}

/// A story's summary as the stories topic carries it.
fn summary(s: &engine::StoryState, now: DateTime<Utc>, closed_at: Option<DateTime<Utc>>) -> Story {
    Story {
        schema_version: SCHEMA_VERSION,
        story_id: s.story_id.clone(),
        title: s.title.clone(),
        members: s.members.clone(),
        member_count: s.member_count,
        first_seen: ts(s.first_seen),
        last_seen: ts(s.last_seen),
        updated_at: now,
        languages: s.languages.clone(),
        sources: s
            .sources
            .iter()
            .map(|(source, articles)| StorySource {
                source: source.clone(),
                articles: *articles,
            })
            .collect(),
        source_count: s.source_count(),
        closed_at,
    }
}

fn ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

impl Stage for DedupStage {
    type In = CleanArticle;
    const NAME: &'static str = "dedup";

    fn process(
        &mut self,
        input: CleanArticle,
        _origin: &InRecord,
    ) -> Result<Vec<OutRecord>, StageError> {
        let (verdict, story) = self.decide(&input);
        self.since_snapshot += 1;
        let mut out = vec![OutRecord::json(&self.dedup_topic, &verdict.id, &verdict)];
        if let Some(topic) = &self.articles_topic {
            let decided = DecidedArticle::of(input, &verdict);
            out.push(OutRecord::json(topic, &verdict.id, &decided));
        }
        // Stories closed by this article's arrival (the window moved on),
        // then its own story's summary.
        for story in self.closed_stories("arrival").iter().chain(story.as_ref()) {
            out.push(OutRecord::json(&self.stories_topic, &story.story_id, story));
        }
        Ok(out)
    }

    fn drain_changelog(&mut self) -> Vec<OutRecord> {
        let Some(topic) = &self.changelog_topic else {
            return Vec::new();
        };
        self.pending_facts
            .drain(..)
            .map(|f| state::fact_record(topic, &f))
            .collect()
    }

    fn checkpoint(&mut self) -> Result<(), StageError> {
        self.save_snapshot()
    }

    fn commits_at_checkpoints(&self) -> bool {
        self.snapshot.is_some()
    }

    /// Its window, document frequencies and stories are the whole
    /// stream's: a second instance in the group would split them.
    fn needs_every_partition(&self) -> bool {
        true
    }

    fn checkpoint_due(&self) -> bool {
        snapshot_due(
            self.since_snapshot,
            self.snapshot_every,
            self.last_snapshot.elapsed(),
            self.last_snapshot_took,
        )
    }

    /// Stories close while no article arrives (`close_quiet_stories`).
    fn when_idle(&mut self) -> Vec<OutRecord> {
        let closed = self.close_quiet_stories(Utc::now().timestamp());
        self.count_stories();
        closed
            .iter()
            .map(|s| OutRecord::json(&self.stories_topic, &s.story_id, s))
            .collect()
    }

    fn housekeeping(&mut self) {
        metrics::gauge!(names::DEDUP_STORIES).set(self.engine.story_count() as f64);
        metrics::gauge!(names::DEDUP_STATE_ARTICLES).set(self.engine.article_count() as f64);
        metrics::gauge!(names::DEDUP_STATE_BYTES).set(self.engine.approx_bytes() as f64);
        metrics::gauge!(names::DEDUP_WINDOW_SPAN).set(self.engine.window_span_secs() as f64);
    }
}

/// Whether a snapshot is due, `decided` decisions after the last one, which
/// ended `gap` ago and took `took` to write. A snapshot writes the whole
/// state, so at most one per SNAPSHOT_MIN_GAP however fast articles
/// arrive, and never more often than its own cost allows.
fn snapshot_due(decided: usize, every: usize, gap: Duration, took: Duration) -> bool {
    let cost = took * SNAPSHOT_GAP_PER_SNAPSHOT_TIME;
    decided > 0
        && (gap >= SNAPSHOT_INTERVAL.max(cost)
            || (decided >= every && gap >= SNAPSHOT_MIN_GAP.max(cost)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_spaced_by_count_time_and_their_own_cost() {
        let secs = Duration::from_secs_f64;
        let quick = Duration::from_millis(20);
        // Nothing decided: never due.
        assert!(!snapshot_due(0, 1000, secs(60.0), quick));
        // Enough decisions: due after the minimum gap, not before.
        assert!(!snapshot_due(1000, 1000, secs(1.9), quick));
        assert!(snapshot_due(1000, 1000, secs(2.0), quick));
        // Few decisions: due at the interval.
        assert!(!snapshot_due(5, 1000, secs(9.9), quick));
        assert!(snapshot_due(5, 1000, secs(10.0), quick));
        // A snapshot that took 1.5 s: the next waits 15 s either way.
        let slow = secs(1.5);
        assert!(!snapshot_due(1000, 1000, secs(14.9), slow));
        assert!(!snapshot_due(5, 1000, secs(14.9), slow));
        assert!(snapshot_due(1000, 1000, secs(15.0), slow));
        assert!(snapshot_due(5, 1000, secs(15.0), slow));
    }
}
