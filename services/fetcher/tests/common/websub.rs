//! A WebSub hub on loopback, the feeds that name it, and a fetcher config
//! with a push endpoint of its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use hmac::{Hmac, Mac};

use super::config;

pub type Forms = Arc<Mutex<Vec<HashMap<String, String>>>>;

/// A hub that takes every subscription request (202) and keeps its form.
pub async fn hub() -> (String, Forms) {
    let forms = Forms::default();
    let kept = forms.clone();
    let app = axum::Router::new().route(
        "/hub",
        axum::routing::post(move |body: Bytes| {
            let kept = kept.clone();
            async move {
                let form = url::form_urlencoded::parse(&body).into_owned().collect();
                kept.lock().unwrap().push(form);
                axum::http::StatusCode::ACCEPTED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hub", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, forms)
}

/// An RSS feed naming `hub` and itself (`self_url`), with an item per path.
pub fn feed(hub: &str, self_url: &str, paths: &[String], base: &str) -> Vec<u8> {
    let items: String = paths
        .iter()
        .map(|p| format!("<item><title>{p}</title><link>{base}{p}</link></item>"))
        .collect();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
        <atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{self_url}"/>{items}</channel></rss>"#
    )
    .into_bytes()
}

/// The loopback test config for `feeds`, with the push endpoint on a free
/// port of its own (returned).
pub fn websub_config(dir: &std::path::Path, feeds: Vec<String>) -> (news_core::Config, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = config(dir, feeds);
    cfg.fetcher.websub_callback = Some(format!("http://127.0.0.1:{port}/websub"));
    cfg.fetcher.websub_listen = format!("127.0.0.1:{port}");
    (cfg, port)
}

pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex = hex::encode(mac.finalize().into_bytes());
    format!("sha1={hex}")
}

pub async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}
