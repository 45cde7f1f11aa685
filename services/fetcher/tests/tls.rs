//! HTTPS through the fetcher's client (rustls with the ring provider) against
//! loopback TLS servers: a page on a site whose certificate chains to a CA the
//! machine trusts is fetched; a site whose certificate nobody issued is
//! refused at the handshake, before any request is sent.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use news_core::config::FetcherConfig;
use news_fetcher::http::{FetchError, HttpClient};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio::io::AsyncWriteExt;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use url::Url;

mod common;
use common::{read_head, reply};

const BODY: &str = "<html><body><p>Fetched over TLS.</p></body></html>";

struct Site {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

/// A test CA's certificate (PEM) and a site certificate it issued for
/// 127.0.0.1; and a self-signed one for the same address.
fn certificates() -> (String, Site, Site) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);

    let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    let site_key = KeyPair::generate().unwrap();
    let site_cert = CertificateParams::new(names.clone())
        .unwrap()
        .signed_by(&site_key, &issuer)
        .unwrap();
    let trusted = Site {
        chain: vec![site_cert.der().clone()],
        key: PrivatePkcs8KeyDer::from(site_key.serialize_der()).into(),
    };

    let stranger_key = KeyPair::generate().unwrap();
    let stranger_cert = CertificateParams::new(names)
        .unwrap()
        .self_signed(&stranger_key)
        .unwrap();
    let stranger = Site {
        chain: vec![stranger_cert.der().clone()],
        key: PrivatePkcs8KeyDer::from(stranger_key.serialize_der()).into(),
    };
    (ca_pem, trusted, stranger)
}

/// Serve `BODY` to every request over TLS; counts the requests it read.
async fn serve(site: Site, requests: Arc<AtomicUsize>) -> SocketAddr {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(site.chain, site.key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (acceptor, requests) = (acceptor.clone(), requests.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                if read_head(&mut tls).await.is_none() {
                    return;
                }
                requests.fetch_add(1, Ordering::SeqCst);
                let page = reply("200 OK", &[("Content-Type", "text/html")], BODY.as_bytes());
                let _ = tls.write_all(&page).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    addr
}

fn main() {
    let (ca_pem, trusted, stranger) = certificates();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    // SAFETY: no other thread exists yet (no test harness, no runtime); the
    // verifier reads the variable when the client is built, below.
    unsafe { std::env::set_var("SSL_CERT_FILE", &ca_file) };

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (trusted_requests, stranger_requests) = Default::default();
        let trusted_addr = serve(trusted, Arc::clone(&trusted_requests)).await;
        let stranger_addr = serve(stranger, Arc::clone(&stranger_requests)).await;

        let cfg = FetcherConfig {
            allow_ranges: vec!["127.0.0.0/8".into()],
            total_timeout: Duration::from_secs(10),
            ..FetcherConfig::default()
        };
        let client = HttpClient::new(&cfg).unwrap();

        let page = Url::parse(&format!("https://{trusted_addr}/story")).unwrap();
        let fetched = client.get(&page, None, "page").await.unwrap();
        assert_eq!(fetched.status, 200);
        assert_eq!(fetched.body, BODY.as_bytes());
        assert_eq!(trusted_requests.load(Ordering::SeqCst), 1);

        let page = Url::parse(&format!("https://{stranger_addr}/story")).unwrap();
        match client.get(&page, None, "page").await {
            Err(FetchError::Transport(msg)) => assert!(
                msg.contains("certificate") || msg.contains("UnknownIssuer"),
                "not a certificate error: {msg}"
            ),
            other => panic!("a self-signed site was not refused: {other:?}"),
        }
        assert_eq!(stranger_requests.load(Ordering::SeqCst), 0);
    });
    println!("tls: a trusted site fetched over https, a self-signed one refused at the handshake");
}
