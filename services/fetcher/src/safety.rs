//! SSRF protection: refuse private, loopback, link-local, shared, multicast
//! and cloud-metadata addresses after DNS resolution and on every redirect
//! hop, unless the operator allows the host or the range.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use futures::future::BoxFuture;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Which non-public destinations the operator allows.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    pub allow_hosts: Vec<String>,
    pub allow_ranges: Vec<(IpAddr, u8)>,
}

impl AddressPolicy {
    pub fn new(hosts: &[String], ranges: &[String]) -> AddressPolicy {
        AddressPolicy {
            allow_hosts: hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
            allow_ranges: ranges.iter().filter_map(|r| parse_cidr(r)).collect(),
        }
    }

    pub fn host_allowed(&self, host: &str) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        self.allow_hosts.contains(&host)
    }

    /// Whether `ip` may be contacted for `host`.
    pub fn ip_allowed(&self, host: &str, ip: IpAddr) -> bool {
        is_public(ip)
            || self.host_allowed(host)
            || self
                .allow_ranges
                .iter()
                .any(|(net, bits)| in_range(ip, *net, *bits))
    }
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    match s.split_once('/') {
        Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
        None => {
            let ip: IpAddr = s.parse().ok()?;
            Some((ip, if ip.is_ipv4() { 32 } else { 128 }))
        }
    }
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits.min(32))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits.min(128))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// A globally routable unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg = v6.segments();
            let seg0 = seg[0];
            // 6to4 (2002::/16) carries an IPv4 address in its next 32 bits,
            // and a relay delivers to it: it is as public as that address.
            if seg0 == 0x2002 {
                let v4 = Ipv4Addr::from((u32::from(seg[1]) << 16) | u32::from(seg[2]));
                return is_public_v4(v4);
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg0 & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg0 & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg0 & 0xffc0) == 0xfec0 // site-local (deprecated)
                || seg0 == 0x2001 && seg[1] == 0x0db8 // documentation
                || seg0 == 0x2001 && seg[1] == 0x0000 // Teredo: a tunnel to any v4
                || seg[..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible
                || seg0 == 0x0064 && seg[1] == 0xff9b) // NAT64 can reach private v4
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local() // 169.254/16, including 169.254.169.254 metadata
        || ip.is_broadcast()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64/10 shared
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || o[0] >= 240) // reserved
}

/// How host names become addresses: the system's resolver in service, a
/// scripted table in tests (no test machine has a public DNS).
pub trait HostLookup: Send + Sync {
    fn lookup(&self, host: &str, port: u16)
    -> BoxFuture<'static, std::io::Result<Vec<SocketAddr>>>;
}

/// getaddrinfo, on tokio's blocking pool.
pub struct SystemLookup;

impl HostLookup for SystemLookup {
    fn lookup(
        &self,
        host: &str,
        port: u16,
    ) -> BoxFuture<'static, std::io::Result<Vec<SocketAddr>>> {
        let host = host.to_string();
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), port))
                .await?
                .collect())
        })
    }
}

/// A DNS resolver for reqwest that drops addresses the policy refuses, so a
/// name that resolves to an internal address fails to connect, on the first
/// request and on every redirect.
#[derive(Clone)]
pub struct GuardedResolver {
    pub policy: Arc<AddressPolicy>,
    pub lookup: Arc<dyn HostLookup>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let lookup = self.lookup.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> = lookup.lookup(&host, 0).await?;
            let allowed: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| policy.ip_allowed(&host, a.ip()))
                .collect();
            if allowed.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> = if addrs.is_empty() {
                    format!("{host} did not resolve").into()
                } else {
                    format!(
                        "{host} resolves only to non-public addresses ({}); refused",
                        addrs[0].ip()
                    )
                    .into()
                };
                return Err(err);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Literal IP hosts skip DNS, so they are checked here.
pub fn literal_host_allowed(policy: &AddressPolicy, url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => policy.ip_allowed(&ip.to_string(), IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => policy.ip_allowed(&ip.to_string(), IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            // "localhost" never needs DNS to be loopback.
            let d = d.to_ascii_lowercase();
            !(d == "localhost" || d.ends_with(".localhost")) || policy.host_allowed(&d)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} should be refused");
        }
        for ip in [
            "8.8.8.8",
            "172.32.0.1",
            "2606:4700::1111",
            "2002:808:808::1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} should be allowed");
        }
    }

    #[test]
    fn operator_allowances() {
        let p = AddressPolicy::new(&["intranet.local".into()], &["10.0.0.0/8".into()]);
        assert!(p.ip_allowed("x", "10.9.9.9".parse().unwrap()));
        assert!(!p.ip_allowed("x", "192.168.0.1".parse().unwrap()));
        assert!(p.ip_allowed("intranet.local", "192.168.0.1".parse().unwrap()));
    }
}
