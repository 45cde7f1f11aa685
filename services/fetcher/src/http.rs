//! HTTP and file reads with every limit applied: timeouts, a body cap enforced
//! while streaming (after decompression, so gzip bombs stop at the cap),
//! redirect cap with an address check per hop, and conditional GET.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use news_core::config::FetcherConfig;
use news_core::telemetry::names;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use crate::safety::{
    AddressPolicy, GuardedResolver, HostLookup, SystemLookup, literal_host_allowed,
};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("refused: {0}")]
    Refused(String),
    #[error("body exceeds {0} bytes")]
    TooLarge(usize),
    #[error("timed out")]
    Timeout,
    #[error("http {0}")]
    Status(u16),
    #[error("{0}")]
    Transport(String),
    #[error("disallowed by robots.txt")]
    Disallowed,
    #[error("robots.txt unreachable")]
    RobotsUnreachable,
    #[error("configuration: {0}")]
    Config(String),
    /// Our bus did not take the page (a broker away, a full disk): a
    /// failure on our side, not the page's.
    #[error("producing raw item: {0}")]
    Publish(String),
}

/// Validators remembered per URL for conditional GET.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub final_url: Url,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub validators: Validators,
    /// Seconds the server asks us to wait (Retry-After) or may cache (max-age).
    pub retry_after: Option<Duration>,
    pub max_age: Option<Duration>,
    /// Set when every redirect on the way was permanent (301/308): the
    /// resource's new address, to store in place of the old one.
    pub moved_to: Option<Url>,
    /// The answer's `Link` headers (RFC 8288), each relation with its
    /// target made absolute: where WebSub names a feed's hub first.
    pub links: Vec<(String, Url)>,
}

impl Fetched {
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }
}

#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    lookup: Arc<dyn HostLookup>,
    /// Requests go through `fetcher.proxy`, which resolves names itself.
    proxied: bool,
    allow_files: bool,
    max_body: usize,
    total_timeout: Duration,
    max_redirects: usize,
    /// `fetcher.site_cookies`: the site and its `Cookie` header, marked
    /// sensitive so that no debug output shows it.
    site_cookies: Vec<(String, header::HeaderValue)>,
    /// `fetcher.site_headers`: the site and its headers, each value marked
    /// sensitive.
    site_headers: Vec<(String, Vec<(header::HeaderName, header::HeaderValue)>)>,
}

/// Installs ring as rustls's crypto provider for this process: reqwest is
/// built without one (see the workspace manifest). A provider installed
/// earlier, by whoever embeds the fetcher, is kept.
pub fn install_tls_provider() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    // `install_default` refuses when a provider is already there.
    INSTALLED.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl HttpClient {
    pub fn new(cfg: &FetcherConfig) -> Result<HttpClient, FetchError> {
        HttpClient::with_lookup(cfg, Arc::new(SystemLookup))
    }

    /// [`HttpClient::new`] with another way to resolve names (tests script
    /// one; every address check goes through it).
    pub fn with_lookup(
        cfg: &FetcherConfig,
        lookup: Arc<dyn HostLookup>,
    ) -> Result<HttpClient, FetchError> {
        let policy = Arc::new(AddressPolicy::new(&cfg.allow_hosts, &cfg.allow_ranges));
        // With a proxy, the connector resolves only the proxy's own name,
        // which the operator chose and which may well be internal.
        let mut connector_policy = policy.clone();
        install_tls_provider();
        let builder = reqwest::Client::builder()
            .user_agent(&cfg.user_agent)
            .connect_timeout(cfg.connect_timeout)
            .read_timeout(cfg.read_timeout)
            .timeout(cfg.total_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(4);
        let builder = match &cfg.proxy {
            // Never the environment's proxy: it would fetch any internal
            // name past the address check without a word in the config.
            None => builder.no_proxy(),
            Some(proxy) => {
                let url = Url::parse(proxy)
                    .map_err(|_| FetchError::Config("fetcher.proxy is not a URL".into()))?;
                let mut hosts = cfg.allow_hosts.clone();
                hosts.extend(url.host_str().map(str::to_string));
                connector_policy = Arc::new(AddressPolicy::new(&hosts, &cfg.allow_ranges));
                // reqwest's error would quote the URL, password and all.
                let proxy = reqwest::Proxy::all(url)
                    .map_err(|_| FetchError::Config("fetcher.proxy is not usable".into()))?;
                builder.proxy(proxy)
            }
        };
        let client = builder
            .dns_resolver(Arc::new(GuardedResolver {
                policy: connector_policy,
                lookup: lookup.clone(),
            }))
            .build()
            .map_err(|e| FetchError::Transport(e.to_string()))?;
        let site_cookies = cfg
            .site_cookies
            .iter()
            .map(|(site, cookie)| {
                let mut value = header::HeaderValue::from_str(cookie).map_err(|_| {
                    FetchError::Config(format!("fetcher.site_cookies: {site}: not a header value"))
                })?;
                value.set_sensitive(true);
                Ok((site.clone(), value))
            })
            .collect::<Result<_, FetchError>>()?;
        let site_headers = cfg
            .site_headers
            .iter()
            .map(|(site, headers)| {
                let bad = |name: &str| {
                    FetchError::Config(format!("fetcher.site_headers: {site}: {name} is no header"))
                };
                let headers = headers
                    .iter()
                    .map(|(name, value)| {
                        let name_ok = header::HeaderName::from_bytes(name.as_bytes())
                            .map_err(|_| bad(name))?;
                        let mut value =
                            header::HeaderValue::from_str(value).map_err(|_| bad(name))?;
                        value.set_sensitive(true);
                        Ok((name_ok, value))
                    })
                    .collect::<Result<_, FetchError>>()?;
                Ok((site.clone(), headers))
            })
            .collect::<Result<_, FetchError>>()?;
        Ok(HttpClient {
            site_cookies,
            site_headers,
            client,
            policy,
            lookup,
            proxied: cfg.proxy.is_some(),
            allow_files: cfg.allow_file_urls,
            max_body: cfg.max_body_bytes,
            total_timeout: cfg.total_timeout,
            max_redirects: cfg.max_redirects,
        })
    }

    /// GET `url` (or read it, for allowed file URLs). `kind` labels metrics.
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        kind: &'static str,
    ) -> Result<Fetched, FetchError> {
        let started = Instant::now();
        let result = match url.scheme() {
            "file" if self.allow_files => self.read_file(url).await,
            "file" => Err(FetchError::Refused(
                "file URLs are disabled (fetcher.allow_file_urls)".into(),
            )),
            "http" | "https" => self.http_get(url, validators, accept_for(kind)).await,
            other => Err(FetchError::Refused(format!("unsupported scheme {other}"))),
        };
        let class = outcome_class(result.as_ref().map(|f| f.status));
        metrics::counter!(names::FETCH_REQUESTS, "kind" => kind, "status_class" => class)
            .increment(1);
        metrics::histogram!(names::FETCH_DURATION, "kind" => kind)
            .record(started.elapsed().as_secs_f64());
        result
    }

    /// POST a form to `url` (a WebSub hub) under the address policy, with
    /// no redirect followed and no cookie sent: the status it answered.
    pub async fn post_form(&self, url: &Url, form: &[(&str, String)]) -> Result<u16, FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Refused(format!(
                "unsupported scheme {}",
                url.scheme()
            )));
        }
        let deadline = tokio::time::Instant::now() + self.total_timeout;
        match tokio::time::timeout_at(deadline, self.check_hop(url)).await {
            Err(_) => return Err(FetchError::Timeout),
            Ok(checked) => checked?,
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        let request = self
            .client
            .post(url.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        let answer = match tokio::time::timeout_at(deadline, request.send()).await {
            Err(_) => Err(FetchError::Timeout),
            Ok(Err(e)) if e.is_timeout() => Err(FetchError::Timeout),
            Ok(Err(e)) => Err(classify_reqwest(e, url)),
            Ok(Ok(r)) => Ok(r.status().as_u16()),
        };
        let class = outcome_class(answer.as_ref().copied());
        metrics::counter!(names::FETCH_REQUESTS, "kind" => "hub", "status_class" => class)
            .increment(1);
        answer
    }

    async fn read_file(&self, url: &Url) -> Result<Fetched, FetchError> {
        let path = url
            .to_file_path()
            .map_err(|_| FetchError::Refused(format!("bad file URL {url}")))?;
        let meta = tokio::fs::metadata(&path)
            .await
            .map_err(|e| FetchError::Transport(format!("{}: {e}", path.display())))?;
        if meta.len() as usize > self.max_body {
            return Err(FetchError::TooLarge(self.max_body));
        }
        let body = tokio::fs::read(&path)
            .await
            .map_err(|e| FetchError::Transport(format!("{}: {e}", path.display())))?;
        let content_type = match path.extension().and_then(|e| e.to_str()) {
            Some("html" | "htm") => Some("text/html".to_string()),
            Some("txt") => Some("text/plain; charset=utf-8".to_string()),
            Some("xml" | "rss" | "atom") => Some("application/xml".to_string()),
            Some("json") => Some("application/json".to_string()),
            _ => None,
        };
        Ok(Fetched {
            status: 200,
            final_url: url.clone(),
            content_type,
            body,
            validators: Validators::default(),
            retry_after: None,
            max_age: None,
            moved_to: None,
            links: Vec::new(),
        })
    }

    /// The address check of one request or redirect hop: a literal
    /// address or `localhost` against the policy here (the resolver checks
    /// names), and every address of the host when a proxy resolves it.
    async fn check_hop(&self, url: &Url) -> Result<(), FetchError> {
        if !literal_host_allowed(&self.policy, url) {
            return Err(FetchError::Refused(format!(
                "{} is not a public address",
                url.host_str().unwrap_or("")
            )));
        }
        if self.proxied {
            self.check_addresses(url).await?;
        }
        Ok(())
    }

    /// Through a proxy, our resolver never sees the target's name, so each
    /// hop's host is resolved here and refused unless every address it has
    /// is allowed (the proxy may pick any of them). A name we cannot
    /// resolve is refused too: it cannot be checked.
    async fn check_addresses(&self, url: &Url) -> Result<(), FetchError> {
        let Some(url::Host::Domain(host)) = url.host() else {
            return Ok(()); // literal addresses were checked already
        };
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs = self.lookup.lookup(host, port).await.map_err(|e| {
            FetchError::Refused(format!(
                "{host} did not resolve ({e}), so it cannot be checked before the proxy fetches it"
            ))
        })?;
        if addrs.is_empty() {
            return Err(FetchError::Refused(format!("{host} did not resolve")));
        }
        match addrs.iter().find(|a| !self.policy.ip_allowed(host, a.ip())) {
            Some(a) => Err(FetchError::Refused(format!(
                "{host} resolves to a non-public address ({})",
                a.ip()
            ))),
            None => Ok(()),
        }
    }

    async fn http_get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        accept: &'static str,
    ) -> Result<Fetched, FetchError> {
        // Redirects are followed here, not by reqwest, so that each hop is
        // checked and a chain of permanent moves can update the stored URL.
        let deadline = tokio::time::Instant::now() + self.total_timeout;
        let mut current = url.clone();
        let mut hops = 0usize;
        let mut all_permanent = true;
        let resp = loop {
            match tokio::time::timeout_at(deadline, self.check_hop(&current)).await {
                Err(_) => return Err(FetchError::Timeout),
                Ok(checked) => checked?,
            }
            let mut req = self
                .client
                .get(current.clone())
                .header(header::ACCEPT, accept);
            // Each hop asks for its own site's cookie: one that leaves the
            // site leaves its cookie behind.
            if let Some(cookie) = for_site(&self.site_cookies, &current) {
                req = req.header(header::COOKIE, cookie.clone());
            }
            for (name, value) in for_site(&self.site_headers, &current).into_iter().flatten() {
                req = req.header(name.clone(), value.clone());
            }
            if let Some(v) = validators {
                if let Some(etag) = &v.etag {
                    req = req.header(header::IF_NONE_MATCH, etag);
                }
                if let Some(lm) = &v.last_modified {
                    req = req.header(header::IF_MODIFIED_SINCE, lm);
                }
            }
            let resp = match tokio::time::timeout_at(deadline, req.send()).await {
                Err(_) => return Err(FetchError::Timeout),
                Ok(Err(e)) if e.is_timeout() => return Err(FetchError::Timeout),
                Ok(Err(e)) => return Err(classify_reqwest(e, &current)),
                Ok(Ok(r)) => r,
            };
            let code = resp.status().as_u16();
            let location = header_str(resp.headers(), header::LOCATION);
            let (true, Some(location)) = (matches!(code, 301 | 302 | 303 | 307 | 308), location)
            else {
                break resp;
            };
            hops += 1;
            if hops > self.max_redirects {
                return Err(FetchError::Refused(format!(
                    "more than {} redirects",
                    self.max_redirects
                )));
            }
            let next = current
                .join(&location)
                .map_err(|e| FetchError::Transport(format!("bad redirect location: {e}")))?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(FetchError::Refused(format!(
                    "redirect to a {} URL refused",
                    next.scheme()
                )));
            }
            all_permanent &= matches!(code, 301 | 308);
            current = next;
        };
        let moved_to = (hops > 0 && all_permanent).then(|| current.clone());
        let status = resp.status().as_u16();
        let final_url = resp.url().clone();
        let headers = resp.headers().clone();
        let retry_after = header_str(&headers, header::RETRY_AFTER).and_then(parse_retry_after);
        let max_age = header_str(&headers, header::CACHE_CONTROL)
            .and_then(parse_max_age)
            .or_else(|| header_str(&headers, header::EXPIRES).and_then(parse_expires));
        let validators = Validators {
            etag: header_str(&headers, header::ETAG),
            last_modified: header_str(&headers, header::LAST_MODIFIED),
        };
        if status == 304 {
            return Ok(Fetched {
                status,
                final_url,
                content_type: None,
                body: Vec::new(),
                validators,
                retry_after,
                max_age,
                moved_to,
                links: Vec::new(),
            });
        }
        if !(200..300).contains(&status) {
            if status == 429 || status == 503 || status == 410 || status == 404 {
                return Ok(Fetched {
                    status,
                    final_url,
                    content_type: None,
                    body: Vec::new(),
                    validators,
                    retry_after,
                    max_age,
                    moved_to,
                    links: Vec::new(),
                });
            }
            return Err(FetchError::Status(status));
        }
        if let Some(len) = resp.content_length()
            && len as usize > self.max_body
        {
            return Err(FetchError::TooLarge(self.max_body));
        }
        let content_type = header_str(&headers, header::CONTENT_TYPE);
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        loop {
            let next = tokio::time::timeout_at(deadline, stream.next())
                .await
                .map_err(|_| FetchError::Timeout)?;
            match next {
                None => break,
                Some(Ok(chunk)) => {
                    if body.len() + chunk.len() > self.max_body {
                        return Err(FetchError::TooLarge(self.max_body));
                    }
                    body.extend_from_slice(&chunk);
                }
                Some(Err(e)) if e.is_timeout() => return Err(FetchError::Timeout),
                Some(Err(e)) => return Err(classify_reqwest(e, &final_url)),
            }
        }
        let links = headers
            .get_all(header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| link_header(v, &final_url))
            .take(MAX_HEADER_LINKS)
            .collect();
        Ok(Fetched {
            status,
            final_url,
            content_type,
            body,
            validators,
            retry_after,
            max_age,
            moved_to,
            links,
        })
    }
}

/// `Link` header relations kept per answer.
const MAX_HEADER_LINKS: usize = 32;

/// The relations of a `Link` header (RFC 8288: `<https://hub.example/>;
/// rel="hub", <...>; rel=self`), each target made absolute against `base`;
/// a target may hold commas, a quoted parameter too, and a `rel` may name
/// several relations.
pub fn link_header(value: &str, base: &Url) -> Vec<(String, Url)> {
    let mut links = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|i| open + i) else {
            break;
        };
        let target = base.join(rest[open + 1..close].trim()).ok();
        // The parameters run to the next comma outside quotes.
        let params_start = close + 1;
        let mut in_quotes = false;
        let mut end = rest.len();
        for (i, c) in rest[params_start..].char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                ',' if !in_quotes => {
                    end = params_start + i;
                    break;
                }
                _ => {}
            }
        }
        let params = &rest[params_start..end];
        let rels = params.split(';').find_map(|p| {
            let (name, value) = p.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("rel")
                .then(|| value.trim().trim_matches('"'))
        });
        if let (Some(target), Some(rels)) = (target, rels) {
            for rel in rels.split_whitespace() {
                links.push((rel.to_ascii_lowercase(), target.clone()));
            }
        }
        rest = &rest[end.min(rest.len())..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
    links
}

/// What is configured for the site `url` is on (its cookie, its
/// headers): its host is the configured name or under it (`example.com`
/// covers `www.example.com`, not `badexample.com`); the longest name wins.
fn for_site<'a, T>(by_site: &'a [(String, T)], url: &Url) -> Option<&'a T> {
    let host = url.host_str()?;
    by_site
        .iter()
        .filter(|(site, _)| news_core::ids::host_is_within(host, site))
        .max_by_key(|(site, _)| site.len())
        .map(|(_, what)| what)
}

/// A reqwest error as ours, its message with `url`'s user and password
/// masked (a private feed's URL carries them; the message goes to logs,
/// dead letters and the feed's state).
fn classify_reqwest(e: reqwest::Error, url: &Url) -> FetchError {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    let msg = news_core::ids::text_with_credentials_masked(&msg, url);
    if e.is_redirect()
        || (msg.contains("refused") && (msg.contains("non-public") || msg.contains("redirect")))
    {
        FetchError::Refused(msg)
    } else {
        FetchError::Transport(msg)
    }
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(str::to_string)
}

/// What a request of this kind asks for: a server that negotiates answers
/// a feed URL with the feed and a page URL with its HTML.
fn accept_for(kind: &str) -> &'static str {
    match kind {
        "feed" => {
            "application/rss+xml, application/atom+xml, application/feed+json, \
             application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
        }
        "robots" => "text/plain, */*;q=0.5",
        _ => "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.8, */*;q=0.5",
    }
}

/// How a request ended, as `news_fetch_requests_total{status_class}`
/// counts it.
fn outcome_class(outcome: Result<u16, &FetchError>) -> &'static str {
    match outcome {
        Ok(status) | Err(&FetchError::Status(status)) => status_class(status),
        Err(FetchError::Timeout) => "timeout",
        Err(FetchError::Refused(_) | FetchError::Disallowed | FetchError::RobotsUnreachable) => {
            "refused"
        }
        Err(FetchError::TooLarge(_)) => "too_large",
        Err(FetchError::Config(_) | FetchError::Transport(_) | FetchError::Publish(_)) => "error",
    }
}

fn status_class(s: u16) -> &'static str {
    match s {
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Retry-After as seconds or an HTTP date; capped at one day.
pub fn parse_retry_after(v: String) -> Option<Duration> {
    let v = v.trim();
    let secs = match v.parse::<u64>() {
        Ok(s) => s,
        Err(_) => {
            let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
            (when.timestamp() - chrono::Utc::now().timestamp()).max(0) as u64
        }
    };
    Some(Duration::from_secs(secs.min(86_400)))
}

fn parse_max_age(v: String) -> Option<Duration> {
    v.split(',').find_map(|d| {
        let (k, val) = d.trim().split_once('=')?;
        (k.eq_ignore_ascii_case("max-age"))
            .then(|| val.trim().parse::<u64>().ok().map(Duration::from_secs))?
    })
}

/// `Expires` as a freshness lifetime from now; a past or invalid date is none.
fn parse_expires(v: String) -> Option<Duration> {
    let when = chrono::DateTime::parse_from_rfc2822(v.trim()).ok()?;
    let secs = when.timestamp() - chrono::Utc::now().timestamp();
    (secs > 0).then(|| Duration::from_secs(secs as u64))
}
