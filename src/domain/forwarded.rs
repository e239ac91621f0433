//! The client address of a request that may have passed through reverse proxies. Only a peer
//! listed in `trusted_proxies` is believed at all. Each proxy appends the address it received
//! the request from to `X-Forwarded-For`, so the entries a client can forge are on the left:
//! the client is the right-most entry that is not itself a trusted proxy (walking from the
//! right, skipping trusted proxies). `CF-Connecting-IP` is believed only when the operator says
//! the trusted proxy is Cloudflare (`trust_cf_connecting_ip`). Addresses are canonical
//! (`::ffff:a.b.c.d` is `a.b.c.d`), so one client always has one spelling.

use std::net::IpAddr;

/// What a request says about where it came from.
pub struct Origin<'a> {
    /// The TCP peer.
    pub peer: IpAddr,
    /// Every `X-Forwarded-For` header value, in the order received.
    pub forwarded_for: &'a [&'a str],
    /// The `CF-Connecting-IP` header value, if any.
    pub cf_connecting_ip: Option<&'a str>,
}

/// Which proxies are believed, and whether their `CF-Connecting-IP` is.
pub struct Trust<'a> {
    pub proxies: &'a [IpAddr],
    pub cf_connecting_ip: bool,
}

/// The client's address (see the module doc). A malformed `X-Forwarded-For` entry ends the walk
/// at the last trusted hop: nothing left of it can be told from a forgery.
pub fn client_addr(origin: &Origin, trust: &Trust) -> IpAddr {
    let trusted = |ip: IpAddr| trust.proxies.iter().any(|p| p.to_canonical() == ip);
    let mut hop = origin.peer.to_canonical();
    if !trusted(hop) {
        return hop;
    }
    if trust.cf_connecting_ip
        && let Some(ip) = origin.cf_connecting_ip.and_then(parse)
    {
        return ip;
    }
    let entries: Vec<&str> = origin.forwarded_for.iter().flat_map(|v| v.split(',')).collect();
    for entry in entries.into_iter().rev() {
        let Some(ip) = parse(entry) else { return hop };
        hop = ip;
        if !trusted(ip) {
            return ip;
        }
    }
    hop
}

/// An address as it is compared and stored: parsed and printed canonically (lower-case,
/// compressed IPv6; IPv4-mapped IPv6 as IPv4); `None` for anything but an address.
pub fn parse(text: &str) -> Option<IpAddr> {
    text.trim().parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROXY: &str = "10.0.0.1";

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn walk(peer: &str, xff: &[&str], cf: Option<&str>, trust_cf: bool) -> String {
        let proxies = [ip(PROXY), ip("10.0.0.2")];
        let origin = Origin { peer: ip(peer), forwarded_for: xff, cf_connecting_ip: cf };
        client_addr(&origin, &Trust { proxies: &proxies, cf_connecting_ip: trust_cf }).to_string()
    }

    #[test]
    fn right_most_untrusted_entry_wins() {
        assert_eq!(walk(PROXY, &["203.0.113.7"], None, false), "203.0.113.7");
        // A client that forges entries only adds them on the left.
        assert_eq!(walk(PROXY, &["1.2.3.4, 203.0.113.7"], None, false), "203.0.113.7");
        assert_eq!(walk(PROXY, &["1.2.3.4, 203.0.113.7, 10.0.0.2"], None, false), "203.0.113.7");
        assert_eq!(walk(PROXY, &["1.2.3.4", "203.0.113.7 , 10.0.0.2"], None, false), "203.0.113.7");
        assert_eq!(walk(PROXY, &["::FFFF:198.51.100.9"], None, false), "198.51.100.9");
        assert_eq!(walk(PROXY, &["2001:DB8::1"], None, false), "2001:db8::1");
    }

    #[test]
    fn headers_count_only_from_trusted_peers() {
        assert_eq!(walk("198.51.100.2", &["203.0.113.7"], Some("203.0.113.8"), true), "198.51.100.2");
        assert_eq!(walk("::ffff:10.0.0.1", &["203.0.113.7"], None, false), "203.0.113.7");
        assert_eq!(walk(PROXY, &[], None, false), PROXY);
    }

    #[test]
    fn malformed_entries_stop_the_walk() {
        assert_eq!(walk(PROXY, &["203.0.113.7, garbage"], None, false), PROXY);
        assert_eq!(walk(PROXY, &["203.0.113.7, garbage, 10.0.0.2"], None, false), "10.0.0.2");
        assert_eq!(walk(PROXY, &["garbage, 203.0.113.7"], None, false), "203.0.113.7");
        assert_eq!(walk(PROXY, &["10.0.0.2, 10.0.0.1"], None, false), "10.0.0.2");
    }

    #[test]
    fn cf_connecting_ip_only_when_configured() {
        assert_eq!(walk(PROXY, &["203.0.113.7"], Some("2001:db8::5"), false), "203.0.113.7");
        assert_eq!(walk(PROXY, &["203.0.113.7"], Some("2001:DB8::5"), true), "2001:db8::5");
        assert_eq!(walk(PROXY, &["203.0.113.7"], Some("garbage"), true), "203.0.113.7");
    }
}
