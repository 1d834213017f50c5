//! Behind a reverse proxy every request arrives from the proxy's address.
//! With `KRING_TRUSTED_PROXIES` set, a request from one of those addresses
//! is taken to come from the client its `X-Forwarded-For` names, so the
//! per-address rate limits, the sign-in throttle and the audit log see
//! people, not the proxy. A request from any other address keeps its own
//! address whatever headers it sends (anyone can write that header).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::{self, Next};
use http::HeaderMap;
use ipnet::IpNet;

/// Parses `10.0.0.1, 192.168.0.0/16, ::1` (addresses or networks).
pub fn parse(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("'{s}' is not an address or network like 10.0.0.1 or 10.0.0.0/8"))
        })
        .collect()
}

/// The client a trusted proxy forwarded for: walking `X-Forwarded-For`
/// from the right (the hop nearest to us), the first address that is not
/// itself a trusted proxy. None when the peer is not trusted, or the header
/// is missing or unreadable (then the peer's own address stands).
pub fn forwarded_client(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> Option<IpAddr> {
    let trusted = |ip: &IpAddr| proxies.iter().any(|p| p.contains(ip));
    if !trusted(&peer) {
        return None;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().ok())
        .collect::<Option<Vec<&str>>>()?
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect::<Option<Vec<IpAddr>>>()?;
    let mut client = None;
    for hop in hops.into_iter().rev() {
        client = Some(hop);
        if !trusted(&hop) {
            break;
        }
    }
    client
}

/// Wraps the whole router (outermost, before the rate limits).
pub fn trust(router: Router, proxies: Vec<IpNet>) -> Router {
    if proxies.is_empty() {
        return router;
    }
    let proxies = Arc::new(proxies);
    router.layer(middleware::from_fn(move |mut req: Request, next: Next| {
        let proxies = proxies.clone();
        async move {
            if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied()
                && let Some(client) = forwarded_client(peer.ip(), req.headers(), &proxies)
            {
                req.extensions_mut()
                    .insert(ConnectInfo(SocketAddr::new(client, peer.port())));
            }
            next.run(req).await
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_peer_is_believed() {
        let proxies = parse("10.0.0.1, 192.168.0.0/16").unwrap();
        let h = headers(&["203.0.113.7"]);
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &h, &proxies),
            Some(ip("203.0.113.7"))
        );
        assert_eq!(
            forwarded_client(ip("192.168.4.2"), &h, &proxies),
            Some(ip("203.0.113.7"))
        );
        assert_eq!(
            forwarded_client(ip("198.51.100.1"), &h, &proxies),
            None,
            "anyone can write the header"
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let proxies = parse("10.0.0.0/8").unwrap();
        // The client put a fake address first; the proxies appended the truth.
        let h = headers(&["1.2.3.4, 203.0.113.7", "10.0.0.2"]);
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &h, &proxies),
            Some(ip("203.0.113.7"))
        );
        // Only proxies: the furthest one is as close to the client as we get.
        let h = headers(&["10.0.0.3, 10.0.0.2"]);
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &h, &proxies),
            Some(ip("10.0.0.3"))
        );
    }

    #[test]
    fn a_missing_or_garbled_header_keeps_the_peer() {
        let proxies = parse("10.0.0.1").unwrap();
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &HeaderMap::new(), &proxies),
            None
        );
        let h = headers(&["203.0.113.7, not-an-address"]);
        assert_eq!(forwarded_client(ip("10.0.0.1"), &h, &proxies), None);
    }

    #[test]
    fn the_setting_names_its_bad_entry() {
        assert_eq!(parse("").unwrap(), Vec::<IpNet>::new());
        assert_eq!(parse("::1, 10.0.0.0/8").unwrap().len(), 2);
        assert!(
            parse("10.0.0.1, proxy.local")
                .unwrap_err()
                .contains("proxy.local")
        );
    }
}
