//! Logs, metrics and the admin server (`/metrics`, `/health/live`, `/health/ready`).

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio_util::sync::CancellationToken;

/// Metric names: `news_<subsystem>_<name>_<unit>[_total]`, base units, bounded labels.
pub mod names {
    /// Counter {topic}: messages read from an input topic.
    pub const MESSAGES_RECEIVED: &str = "news_messages_received_total";
    /// Counter {topic}: messages acknowledged by the bus.
    pub const MESSAGES_SENT: &str = "news_messages_sent_total";
    /// Counter {stage, reason}: inputs sent to the dead-letter topic.
    pub const DEAD_LETTERS: &str = "news_dead_letters_total";
    /// Counter {stage, error_type}: errors (closed set of types).
    pub const ERRORS: &str = "news_errors_total";
    /// Histogram {stage}: time to process one input.
    pub const STAGE_DURATION: &str = "news_stage_duration_seconds";
    /// Gauge {stage}: inputs whose outputs are not acknowledged yet.
    pub const INFLIGHT: &str = "news_inflight_messages";
    /// Counter {stage}: time spent with intake paused at the in-flight cap.
    pub const BACKPRESSURE: &str = "news_backpressure_seconds_total";
    /// Gauge {stage}: input partitions another member of the group holds,
    /// for a stage that must read them all (dedup); 0 when it holds all.
    pub const INPUT_PARTITIONS_MISSING: &str = "news_stage_input_partitions_missing";
    /// Gauge {topic, partition}: consumer lag in messages.
    pub const CONSUMER_LAG: &str = "news_kafka_consumer_lag_messages";
    /// Counter {kind, status_class}: HTTP requests by the fetcher.
    pub const FETCH_REQUESTS: &str = "news_fetch_requests_total";
    /// Histogram {kind}: HTTP request duration.
    pub const FETCH_DURATION: &str = "news_fetch_duration_seconds";
    /// Gauge {state}: feeds by health (active, failing, disabled, paused).
    pub const FEEDS: &str = "news_fetch_feeds";
    /// Counter: new items found in feeds.
    pub const FETCH_ITEMS: &str = "news_fetch_items_total";
    /// Counter: new items whose page another feed had just taken, so not
    /// fetched again (a story in several of a site's feeds).
    pub const FETCH_ITEMS_SHARED: &str = "news_fetch_items_shared_total";
    pub const FETCH_WEBSUB: &str = "news_fetch_websub_total";
    pub const FETCH_PAGE_RETRIES: &str = "news_fetch_page_retries_total";
    /// Histogram: how old a new feed item is when a poll finds it, from
    /// the date its feed gives (a feed's first poll, its backlog, left
    /// out): how late news reaches the pipeline.
    pub const FETCH_ITEM_AGE: &str = "news_fetch_item_age_seconds";
    /// Histogram {stage}: seconds from an article's fetch to its output at
    /// `clean` and `dedup`: how far behind the pipeline runs, in time.
    pub const ARTICLE_DELAY: &str = "news_article_delay_seconds";
    /// Counter {kind}: dedup verdicts.
    pub const DEDUP_VERDICTS: &str = "news_dedup_verdicts_total";
    /// Counter: articles delivered again with a text other than the one
    /// first decided (updated at the source).
    pub const DEDUP_REVISIONS: &str = "news_dedup_revisions_total";
    /// Gauge: stories in the active window.
    pub const DEDUP_STORIES: &str = "news_dedup_stories";
    /// Counter {by}: stories whose last member left the window (announced
    /// closed on the stories topic), on an article's `arrival` or while
    /// the input was `quiet`.
    pub const DEDUP_STORIES_CLOSED: &str = "news_dedup_stories_closed_total";
    /// Counter {reason}: articles that left the dedup window, older than
    /// it (`age`) or pushed out by `dedup.max_articles` (`cap`).
    pub const DEDUP_EVICTIONS: &str = "news_dedup_evictions_total";
    /// Gauge: seconds of fetch time the dedup window holds, from the
    /// article that leaves it next to the latest.
    pub const DEDUP_WINDOW_SPAN: &str = "news_dedup_window_span_seconds";
    /// Gauge: articles retained in the dedup state.
    pub const DEDUP_STATE_ARTICLES: &str = "news_dedup_state_articles";
    /// Gauge: approximate bytes held by the dedup state.
    pub const DEDUP_STATE_BYTES: &str = "news_dedup_state_bytes";
    /// Histogram: time to write a dedup snapshot (decisions wait for it).
    pub const DEDUP_SNAPSHOT_DURATION: &str = "news_dedup_snapshot_seconds";
    /// Counter {method}: articles cleaned, by extraction method.
    pub const CLEAN_ARTICLES: &str = "news_clean_articles_total";
    /// Counter {reason}: articles cleaned to no text: `too_little_text`, a
    /// page served in place of the article (`consent_wall`,
    /// `sign_in_wall`, `front_page`), or a page never read whose feed item
    /// stood in for it (`unread_robots`, `unread_denied`, `unread_failing`;
    /// such an item with no article text is not published).
    pub const CLEAN_EMPTY: &str = "news_clean_empty_total";
    /// Counter {reason}: articles whose page gave no text (the reasons of
    /// `CLEAN_EMPTY`), or only the start of its story (`page_cut_short`),
    /// and whose text the feed item gave instead.
    pub const CLEAN_FEED_TEXT: &str = "news_clean_feed_text_total";
    /// Gauge {version}: always 1.
    pub const BUILD_INFO: &str = "news_build_info";
}

const SECONDS_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Buckets of the delays news sees: seconds to a day.
const DELAY_BUCKETS: &[f64] = &[
    1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 21600.0, 86400.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Record how long ago (by this host's clock) the article was fetched, as
/// its output leaves `stage`; a fetch time ahead of the clock counts as 0.
pub fn record_article_delay(stage: &'static str, fetched_at: chrono::DateTime<chrono::Utc>) {
    let secs = (chrono::Utc::now() - fetched_at).num_milliseconds().max(0) as f64 / 1000.0;
    metrics::histogram!(names::ARTICLE_DELAY, "stage" => stage).record(secs);
}

/// Install the Prometheus recorder once per process and describe every metric.
pub fn init_metrics(service: &str) -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(SECONDS_BUCKETS)
                .expect("buckets are non-empty")
                .set_buckets_for_metric(Matcher::Full(names::FETCH_ITEM_AGE.into()), DELAY_BUCKETS)
                .expect("buckets are non-empty")
                .set_buckets_for_metric(Matcher::Full(names::ARTICLE_DELAY.into()), DELAY_BUCKETS)
                .expect("buckets are non-empty")
                .add_global_label("service", service)
                .install_recorder()
                .expect("metrics recorder installs once");
            describe();
            metrics::gauge!(names::BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            handle
        })
        .clone()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        names::MESSAGES_RECEIVED,
        "Messages read from an input topic"
    );
    describe_counter!(names::MESSAGES_SENT, "Messages acknowledged by the bus");
    describe_counter!(
        names::DEAD_LETTERS,
        "Inputs sent to the dead-letter topic, by reason"
    );
    describe_counter!(names::ERRORS, "Errors by stage and type");
    describe_histogram!(
        names::FETCH_ITEM_AGE,
        Unit::Seconds,
        "Age of a new feed item when a poll finds it, from its feed's date"
    );
    describe_histogram!(
        names::ARTICLE_DELAY,
        Unit::Seconds,
        "Seconds from an article's fetch to its output at this stage"
    );
    describe_histogram!(
        names::STAGE_DURATION,
        Unit::Seconds,
        "Time to process one input"
    );
    describe_gauge!(
        names::INFLIGHT,
        "Inputs whose outputs are not yet acknowledged"
    );
    describe_counter!(
        names::BACKPRESSURE,
        Unit::Seconds,
        "Time intake was paused at the in-flight cap"
    );
    describe_gauge!(names::CONSUMER_LAG, "Consumer lag in messages");
    describe_gauge!(
        names::INPUT_PARTITIONS_MISSING,
        "Input partitions held by another member, for a stage that must read them all"
    );
    describe_counter!(
        names::FETCH_REQUESTS,
        "HTTP requests by kind and status class"
    );
    describe_histogram!(
        names::FETCH_DURATION,
        Unit::Seconds,
        "HTTP request duration"
    );
    describe_gauge!(names::FEEDS, "Feeds by health state");
    describe_counter!(names::FETCH_ITEMS, "New feed items found");
    describe_counter!(
        names::FETCH_ITEMS_SHARED,
        "New feed items whose page another feed had just taken, not fetched again"
    );
    describe_counter!(
        names::FETCH_WEBSUB,
        "WebSub: requests to hubs (requested, unsubscribed, request_failed), their answers (verified, denied), pushes (pushed, ignored), and pushed feeds read in place of a poll (read)"
    );
    describe_counter!(
        names::FETCH_PAGE_RETRIES,
        "Article pages put back for another attempt (scheduled), fetched on a later attempt, or given up after the last"
    );
    describe_counter!(names::DEDUP_VERDICTS, "Dedup verdicts by kind");
    describe_counter!(
        names::DEDUP_REVISIONS,
        "Articles decided before and delivered again with another text: revised at the source"
    );
    describe_gauge!(names::DEDUP_STORIES, "Stories in the active window");
    describe_counter!(
        names::DEDUP_STORIES_CLOSED,
        "Stories closed: their last member left the dedup window"
    );
    describe_counter!(
        names::DEDUP_EVICTIONS,
        "Articles that left the dedup window: older than it (age), or pushed out by dedup.max_articles (cap)"
    );
    describe_gauge!(
        names::DEDUP_WINDOW_SPAN,
        Unit::Seconds,
        "Fetch time the dedup window holds, from the article that leaves it next to the latest"
    );
    describe_gauge!(
        names::DEDUP_STATE_ARTICLES,
        "Articles retained in the dedup state"
    );
    describe_gauge!(
        names::DEDUP_STATE_BYTES,
        Unit::Bytes,
        "Approximate size of the dedup state"
    );
    describe_histogram!(
        names::DEDUP_SNAPSHOT_DURATION,
        Unit::Seconds,
        "Time to write a dedup snapshot"
    );
    describe_counter!(
        names::CLEAN_ARTICLES,
        "Articles cleaned, by extraction method"
    );
    describe_counter!(
        names::CLEAN_EMPTY,
        "Articles cleaned to no text, by why: too little text, or a page served in place of the article"
    );
    describe_counter!(
        names::CLEAN_FEED_TEXT,
        "Articles whose page gave no text, or only its start, and whose feed item gave it, by why"
    );
    describe_gauge!(names::BUILD_INFO, "Build information");
}

/// Logs: JSON lines on stderr (stdout carries data for `tail` and the batch
/// tools), filtered by `RUST_LOG`. On a terminal, compact text at `warn`.
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let terminal = std::io::stderr().is_terminal();
    // html5ever warns about every odd page it repairs: noise, not news.
    let default = if terminal {
        "warn,html5ever=error"
    } else {
        "info,html5ever=error"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if terminal {
        builder.compact().try_init()
    } else {
        builder.json().flatten_event(true).try_init()
    };
}

/// Liveness and readiness, shared between stages and the admin server.
#[derive(Debug, Default)]
pub struct Health {
    ready_parts: std::sync::Mutex<Vec<(String, bool)>>,
    draining: AtomicBool,
    heartbeat_ms: AtomicI64,
}

impl Health {
    pub fn new() -> Arc<Health> {
        let h = Arc::new(Health::default());
        h.beat();
        h
    }

    /// The main loop is alive.
    pub fn beat(&self) {
        self.heartbeat_ms
            .store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
    }

    /// A component (stage) reports whether it is ready.
    pub fn set_ready(&self, component: &str, ready: bool) {
        let mut parts = self.ready_parts.lock().expect("health lock");
        match parts.iter_mut().find(|(n, _)| n == component) {
            Some(p) => p.1 = ready,
            None => parts.push((component.to_string(), ready)),
        }
    }

    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    pub fn is_live(&self) -> bool {
        chrono::Utc::now().timestamp_millis() - self.heartbeat_ms.load(Ordering::Relaxed) < 30_000
    }

    pub fn is_ready(&self) -> bool {
        let parts = self.ready_parts.lock().expect("health lock");
        !self.draining.load(Ordering::Relaxed) && !parts.is_empty() && parts.iter().all(|(_, r)| *r)
    }
}

#[derive(Clone)]
struct AdminState {
    metrics: PrometheusHandle,
    health: Arc<Health>,
}

/// Serve the admin endpoints until `token` is cancelled. Returns the bound address.
pub async fn serve_admin(
    addr: SocketAddr,
    metrics: PrometheusHandle,
    health: Arc<Health>,
    token: CancellationToken,
) -> std::io::Result<SocketAddr> {
    let state = AdminState {
        metrics: metrics.clone(),
        health,
    };
    let app = Router::new()
        .route(
            "/metrics",
            get(|State(s): State<AdminState>| async move { s.metrics.render() }),
        )
        .route(
            "/health/live",
            get(|State(s): State<AdminState>| async move {
                if s.health.is_live() {
                    (StatusCode::OK, "live")
                } else {
                    (StatusCode::SERVICE_UNAVAILABLE, "stalled")
                }
            }),
        )
        .route(
            "/health/ready",
            get(|State(s): State<AdminState>| async move {
                if s.health.is_ready() {
                    (StatusCode::OK, "ready")
                } else {
                    (StatusCode::SERVICE_UNAVAILABLE, "not ready")
                }
            }),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        let upkeep = {
            let metrics = metrics.clone();
            let token = token.clone();
            async move {
                let mut tick = tokio::time::interval(Duration::from_secs(5));
                while !token.is_cancelled() {
                    tick.tick().await;
                    metrics.run_upkeep();
                }
            }
        };
        tokio::spawn(upkeep);
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(token.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "admin server failed");
        }
    });
    Ok(bound)
}
