//! The fetcher's side of WebSub (`websub.rs`): the push endpoint, the
//! requests to hubs, and what a push, a verification or a denial changes
//! in a feed's state.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Duration;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use news_core::config::{Config, shown_url};
use news_core::telemetry::names;
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::feed::ParsedFeed;
use crate::http::Fetched;
use crate::pushed::{PendingPush, PushBudget};
use crate::state::{FeedState, FetchState};
use crate::websub::{self, Lease, Push, PushEvent, SharedRegistry};
use crate::{FetchError, Fetcher, HttpClient};

/// What the fetcher holds of its WebSub side while it runs.
pub(crate) struct WebSub {
    registry: SharedRegistry,
    callback_base: String,
    requests: mpsc::Sender<HubRequest>,
    /// Pushes waiting for their feed's turn in the next round, by feed.
    pending: HashMap<String, PendingPush>,
}

impl WebSub {
    /// The pushes waiting for the feeds of this round; those of feeds no
    /// longer subscribed are dropped.
    pub(crate) fn take_pending(
        &mut self,
        due: &[String],
        subscribed: impl Fn(&str) -> bool,
    ) -> HashMap<String, PendingPush> {
        if self.pending.is_empty() {
            return HashMap::new();
        }
        self.pending.retain(|feed, _| subscribed(feed));
        due.iter()
            .filter_map(|feed| self.pending.remove_entry(feed))
            .collect()
    }
}

struct HubRequest {
    feed_url: String,
    hub: Url,
    form: Vec<(&'static str, String)>,
    /// A request to end the subscription, not to start or renew it.
    ending: bool,
}

#[derive(Clone)]
struct Endpoint {
    registry: SharedRegistry,
    events: mpsc::Sender<PushEvent>,
    /// What the pushed bodies waiting for their feed's turn hold.
    held: PushBudget,
}

/// Start the push endpoint and the task that asks hubs, when
/// `fetcher.websub_callback` is set: what the fetcher keeps, and the events
/// its run loop takes.
pub(crate) async fn start(
    config: &Config,
    state: &FetchState,
    token: &CancellationToken,
) -> Result<Option<(WebSub, mpsc::Receiver<PushEvent>)>, FetchError> {
    let Some(base) = &config.fetcher.websub_callback else {
        return Ok(None);
    };
    let listen = &config.fetcher.websub_listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| FetchError::Config(format!("fetcher.websub_listen {listen}: {e}")))?;
    let registry = SharedRegistry::default();
    {
        let mut registry = registry.lock().expect("websub registry lock");
        for (feed_url, st) in &state.feeds {
            if let Some(lease) = st.websub.as_ref().filter(|l| l.denied.is_none()) {
                registry.register(feed_url, lease, lease.until == 0);
            }
        }
    }
    // Events beyond this wait in no queue: a push dropped is a poll a
    // little later, on the feed's schedule.
    let (events, events_rx) = mpsc::channel(1024);
    let endpoint = Endpoint {
        registry: registry.clone(),
        events,
        held: PushBudget::default(),
    };
    let limit = Arc::new(Semaphore::new(websub::MAX_CONCURRENT_REQUESTS));
    let app = Router::new()
        .route("/{*path}", get(on_verification).post(on_push))
        .layer(DefaultBodyLimit::max(config.fetcher.max_body_bytes))
        .layer(middleware::from_fn_with_state(limit, bounded))
        .with_state(endpoint);
    let stop = token.clone();
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the WebSub endpoint stopped");
        }
    });
    let (requests, requests_rx) = mpsc::channel(websub::MAX_QUEUED_REQUESTS);
    let client = HttpClient::new(&config.fetcher)?;
    tokio::spawn(ask_hubs(
        client,
        requests_rx,
        config.fetcher.per_host_interval,
        token.clone(),
    ));
    tracing::info!(%listen, callback = %base, leases = registry.lock().expect("websub registry lock").len(), "WebSub endpoint listening");
    Ok(Some((
        WebSub {
            registry,
            callback_base: base.clone(),
            requests,
            pending: HashMap::new(),
        },
        events_rx,
    )))
}

/// The endpoint is open to the internet: at most so many requests at once
/// (503 beyond), each read and answered within `websub::READ_TIMEOUT`.
async fn bounded(State(limit): State<Arc<Semaphore>>, request: Request, next: Next) -> Response {
    let Ok(_permit) = limit.try_acquire() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    match tokio::time::timeout(websub::READ_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// The key a callback path ends with.
fn key_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

async fn on_verification(
    State(endpoint): State<Endpoint>,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
) -> (StatusCode, String) {
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let now = Utc::now().timestamp();
    let (answer, event) = endpoint
        .registry
        .lock()
        .expect("websub registry lock")
        .verify(key_of(&path), &query, now);
    if let Some(event) = event {
        let label = match event {
            PushEvent::Verified { .. } => "verified",
            _ => "denied",
        };
        metrics::counter!(names::FETCH_WEBSUB, "event" => label).increment(1);
        let _ = endpoint.events.try_send(event);
    }
    match answer {
        Some(challenge) => (StatusCode::OK, challenge),
        None => (StatusCode::NOT_FOUND, String::new()),
    }
}

async fn on_push(
    State(endpoint): State<Endpoint>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers.get("x-hub-signature").and_then(|v| v.to_str().ok());
    let push = endpoint
        .registry
        .lock()
        .expect("websub registry lock")
        .judge_push(key_of(&path), signature, &body);
    let (label, status) = match push {
        Push::Signed { feed_url } => {
            let content_type = headers
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = endpoint.held.hold(body, content_type);
            let _ = endpoint
                .events
                .try_send(PushEvent::Pushed { feed_url, body });
            ("pushed", StatusCode::ACCEPTED)
        }
        // WebSub asks a subscriber to take an invalid push and ignore it.
        Push::Unsigned | Push::BadSignature => {
            tracing::warn!(
                signed = signature.is_some(),
                "a push without a valid signature ignored"
            );
            ("ignored", StatusCode::ACCEPTED)
        }
        Push::Unknown => ("ignored", StatusCode::GONE),
    };
    metrics::counter!(names::FETCH_WEBSUB, "event" => label).increment(1);
    status
}

/// Send the queued requests to hubs, one at a time, with the per-host gap
/// between them: thousands of feeds may name one hub.
async fn ask_hubs(
    client: HttpClient,
    mut requests: mpsc::Receiver<HubRequest>,
    gap: Duration,
    token: CancellationToken,
) {
    loop {
        let request = tokio::select! {
            _ = token.cancelled() => return,
            request = requests.recv() => match request {
                Some(request) => request,
                None => return,
            },
        };
        let (feed, hub) = (
            shown_url(&request.feed_url).into_owned(),
            shown_url(request.hub.as_str()).into_owned(),
        );
        match client.post_form(&request.hub, &request.form).await {
            Ok(status) if (200..300).contains(&status) && request.ending => {
                metrics::counter!(names::FETCH_WEBSUB, "event" => "unsubscribed").increment(1);
                tracing::info!(%feed, %hub, "asked the removed feed's hub to stop pushing");
            }
            Ok(status) if (200..300).contains(&status) => {
                metrics::counter!(names::FETCH_WEBSUB, "event" => "requested").increment(1);
                tracing::info!(%feed, %hub, "asked the feed's hub to push its changes");
            }
            answer => {
                metrics::counter!(names::FETCH_WEBSUB, "event" => "request_failed").increment(1);
                let error = match answer {
                    Ok(status) => format!("http {status}"),
                    Err(e) => e.to_string(),
                };
                tracing::warn!(%feed, %hub, %error, "the feed's hub did not take the subscription request; asked again in an hour");
            }
        }
        tokio::time::sleep(gap).await;
    }
}

impl Fetcher {
    /// After a poll that read the feed: ask its hub to push, when it names
    /// one and no lease holds (or one nears its end); forget the lease of
    /// a feed that names no hub any more.
    pub(crate) fn keep_hub_subscription(
        &self,
        feed_url: &str,
        st: &mut FeedState,
        parsed: &ParsedFeed,
        fetched: &Fetched,
    ) {
        let Some(side) = &self.websub else {
            return;
        };
        match websub::hub_of(parsed, &fetched.links, &fetched.final_url) {
            Some((hub, topic)) => self.ask_hub(side, feed_url, st, hub, topic),
            None => {
                if st.websub.take().is_some() {
                    side.registry
                        .lock()
                        .expect("websub registry lock")
                        .forget(feed_url);
                }
            }
        }
    }

    /// After a poll answered 304: renew the lease the feed holds when it
    /// nears its end (a feed that does not change is not read, but its
    /// pushes are still wanted).
    pub(crate) fn renew_hub_subscription(&self, feed_url: &str, st: &mut FeedState) {
        let (Some(side), Some(lease)) = (&self.websub, &st.websub) else {
            return;
        };
        if let (Ok(hub), Ok(topic)) = (Url::parse(&lease.hub), Url::parse(&lease.topic)) {
            self.ask_hub(side, feed_url, st, hub, topic);
        }
    }

    fn ask_hub(&self, side: &WebSub, feed_url: &str, st: &mut FeedState, hub: Url, topic: Url) {
        let now = Utc::now().timestamp();
        if !websub::wants_request(st.websub.as_ref(), &hub, &topic, now) {
            return;
        }
        // A renewal keeps its secret: pushes signed with it may be on
        // their way.
        let renewal = st
            .websub
            .as_ref()
            .filter(|l| l.hub == hub.as_str() && l.topic == topic.as_str() && l.denied.is_none());
        let lease = Lease {
            hub: hub.to_string(),
            topic: topic.to_string(),
            secret: renewal.map_or_else(websub::new_secret, |l| l.secret.clone()),
            requested_at: now,
            until: renewal.map_or(0, |l| l.until),
            denied: None,
        };
        let callback = websub::callback_url(&side.callback_base, feed_url);
        let request = HubRequest {
            feed_url: feed_url.to_string(),
            hub,
            form: websub::subscribe_form(&lease, &callback),
            ending: false,
        };
        let mut registry = side.registry.lock().expect("websub registry lock");
        // Registered first: the hub may verify before it answers.
        registry.register(feed_url, &lease, true);
        match side.requests.try_send(request) {
            Ok(()) => st.websub = Some(lease),
            // Too many requests queued: this feed asks at a later poll.
            Err(_) => match st.websub.as_ref().filter(|l| l.denied.is_none()) {
                Some(old) => registry.register(feed_url, old, old.until == 0),
                None => registry.forget(feed_url),
            },
        }
    }

    /// Apply what the push endpoint reported; whether a feed became due.
    pub(crate) fn on_push_event(&mut self, event: PushEvent) -> bool {
        let now = Utc::now().timestamp();
        match event {
            PushEvent::Pushed { feed_url, body } => {
                let active =
                    self.subs.active().any(|u| u == feed_url) && self.shard.owns(&feed_url);
                let Some(st) = self.state.feeds.get_mut(&feed_url).filter(|s| !s.disabled) else {
                    return false;
                };
                if !active {
                    return false;
                }
                let due = now.max(st.last_polled_at + websub::PUSHED_POLL_GAP_SECS);
                if let Some(side) = self.websub.as_mut() {
                    match side.pending.entry(feed_url.clone()) {
                        Entry::Occupied(mut waiting) => waiting.get_mut().pushed_again(body),
                        Entry::Vacant(first) => {
                            first.insert(PendingPush::new(body, st.next_poll));
                        }
                    }
                }
                st.next_poll = st.next_poll.min(due);
                tracing::debug!(feed = %shown_url(&feed_url), "pushed by its hub; polled now");
                true
            }
            PushEvent::Verified { feed_url, until } => {
                if let Some(lease) = self.lease_of(&feed_url) {
                    lease.until = until;
                    lease.denied = None;
                    tracing::info!(feed = %shown_url(&feed_url), until = %chrono::DateTime::from_timestamp(until, 0).unwrap_or_default(), "the feed's hub pushes its changes");
                }
                false
            }
            PushEvent::Denied { feed_url, reason } => {
                if let Some(lease) = self.lease_of(&feed_url) {
                    lease.until = 0;
                    lease.denied = Some(reason.clone());
                    tracing::warn!(feed = %shown_url(&feed_url), %reason, "the feed's hub denied the subscription; polled alone, asked again in a day");
                }
                false
            }
        }
    }

    fn lease_of(&mut self, feed_url: &str) -> Option<&mut Lease> {
        self.state.feeds.get_mut(feed_url)?.websub.as_mut()
    }

    /// A removed feed's pushes are refused from now on, and its hub is
    /// asked to stop them (it verifies with us, and we confirm: the
    /// subscription is no longer ours).
    pub(crate) fn end_hub_subscription(&self, feed_url: &str, lease: Option<Lease>) {
        let Some(side) = &self.websub else {
            return;
        };
        side.registry
            .lock()
            .expect("websub registry lock")
            .forget(feed_url);
        let Some(lease) = lease.filter(|l| l.denied.is_none()) else {
            return;
        };
        let Ok(hub) = Url::parse(&lease.hub) else {
            return;
        };
        let callback = websub::callback_url(&side.callback_base, feed_url);
        let request = HubRequest {
            feed_url: feed_url.to_string(),
            hub,
            form: websub::unsubscribe_form(&lease, &callback),
            ending: true,
        };
        // A full queue leaves the lease to run out.
        let _ = side.requests.try_send(request);
    }
}
