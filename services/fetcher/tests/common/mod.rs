//! Pieces shared by the fetcher's loopback-server tests.
#![allow(dead_code)] // each test binary uses its own subset

use tokio::io::AsyncReadExt;

/// Read an HTTP request head; returns it with the request path, or `None`
/// when the client goes away first.
pub async fn read_head(sock: &mut tokio::net::TcpStream) -> Option<(String, String)> {
    let mut buf = vec![0u8; 8192];
    let mut got = 0;
    while !buf[..got].windows(4).any(|w| w == b"\r\n\r\n") {
        if got == buf.len() {
            return None;
        }
        match sock.read(&mut buf[got..]).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => got += n,
        }
    }
    let head = String::from_utf8_lossy(&buf[..got]).to_string();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    Some((head, path))
}

/// A complete `Connection: close` response.
pub fn reply(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}
