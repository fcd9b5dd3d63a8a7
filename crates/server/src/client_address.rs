//! Which client a login comes from, for the per-address login limit: the peer the accept
//! loop saw, or, when that peer is a proxy the operator trusts (`--trusted-proxy`), the
//! address it says it forwarded for. Counted per IPv4 address and per IPv6 /64 (one
//! phone or household is handed a whole /64, so counting single IPv6 addresses would let
//! it rotate past the limit).

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::HeaderMap;
use ipnet::IpNet;

use crate::error::StartError;

/// The proxies (load balancers, reverse proxies) whose `X-Forwarded-For` is believed.
/// Empty by default: then the header is ignored, as anyone can send it.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// Addresses (`10.0.0.5`) or networks (`10.0.0.0/24`, `fd00::/8`).
    pub fn parse(list: &[String]) -> Result<Self, StartError> {
        list.iter()
            .map(|item| {
                let item = item.trim();
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| StartError::TrustedProxy(item.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|nets| Self(nets.into()))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`: `peer` itself unless it is trusted; then the nearest
    /// address in `X-Forwarded-For` (read from the right, each proxy appends the one it
    /// saw) that is not a trusted proxy too. Entries that are not addresses stop the
    /// walk: what lies left of them was written by someone untrusted.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        // A header line that is not text counts as one entry that is not an address.
        let forwarded: Vec<Option<&str>> = headers
            .get_all("x-forwarded-for")
            .iter()
            .flat_map(|v| match v.to_str() {
                Ok(text) => text.split(',').map(Some).collect::<Vec<_>>(),
                Err(_) => vec![None],
            })
            .collect();
        for entry in forwarded.into_iter().rev() {
            let Some(ip) = entry.and_then(forwarded_address) else {
                break;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// The address of one `X-Forwarded-For` entry: `203.0.113.7`, `2001:db8::1`, or with
/// the port some balancers add, `203.0.113.7:51234` or `[2001:db8::1]:443`.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<std::net::SocketAddr>().map(|s| s.ip()))
        .ok()
}

/// IPv4 addresses as IPv4 even when a dual-stack socket reports them as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// What the per-address limit counts `ip` under: an IPv4 address, or an IPv6 /64.
pub fn limit_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => IpNet::new(IpAddr::V6(v6), 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        let proxies = TrustedProxies::parse(&["10.0.0.0/24".into(), " 192.0.2.9 ".into()]).unwrap();
        let forwarded = headers(&["198.51.100.1, 203.0.113.7"]);
        // Anyone may send the header: from an untrusted peer it is ignored.
        assert_eq!(none.client(ip("10.0.0.5"), &forwarded), ip("10.0.0.5"));
        assert_eq!(
            proxies.client(ip("198.51.100.200"), &forwarded),
            ip("198.51.100.200")
        );
        // From the balancer: the address it saw, not the one the client made up.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), &forwarded),
            ip("203.0.113.7")
        );
        // Through two trusted hops.
        let two = headers(&["203.0.113.7", "192.0.2.9"]);
        assert_eq!(proxies.client(ip("10.0.0.5"), &two), ip("203.0.113.7"));
        // No header, or junk in it: the nearest address believed.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), &HeaderMap::new()),
            ip("10.0.0.5")
        );
        let junk = headers(&["203.0.113.7, unknown, 192.0.2.9"]);
        assert_eq!(proxies.client(ip("10.0.0.5"), &junk), ip("192.0.2.9"));
        let mut binary = headers(&["203.0.113.7"]);
        binary.append(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        );
        binary.append("x-forwarded-for", "192.0.2.9".parse().unwrap());
        assert_eq!(proxies.client(ip("10.0.0.5"), &binary), ip("192.0.2.9"));
        // Balancers that add the client's port.
        let ported = headers(&["203.0.113.7:51234", "[2001:db8::9]:443, 192.0.2.9"]);
        assert_eq!(proxies.client(ip("10.0.0.5"), &ported), ip("2001:db8::9"));
        let ported = headers(&["203.0.113.7:51234"]);
        assert_eq!(proxies.client(ip("10.0.0.5"), &ported), ip("203.0.113.7"));
        // A dual-stack socket's view of an IPv4 balancer.
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.5"), &forwarded),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn bad_proxy_lists_are_refused() {
        let error = TrustedProxies::parse(&["10.0.0.0/33".into()]).unwrap_err();
        assert!(error.to_string().contains("10.0.0.0/33"), "{error}");
        assert!(TrustedProxies::parse(&["balancer".into()]).is_err());
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(limit_key(ip("2001:db8:1:2:bbbb::9")), "2001:db8:1:2::/64");
        assert_eq!(limit_key(ip("2001:db8:1:3::1")), "2001:db8:1:3::/64");
        assert_eq!(limit_key(ip("::ffff:203.0.113.7")), "203.0.113.7");
        assert_eq!(limit_key(ip("203.0.113.7")), "203.0.113.7");
    }
}
