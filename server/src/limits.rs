//! Rate limits per client address (the `governor` crate's GCRA limiters):
//! sign-in, search, and every other state-changing request. Generous for a
//! person at a keyboard (search-as-you-type included), tight for a script.
//! Sign-in also has its per-account throttle in the database
//! (`accounts::throttle`); this one stops a single address from trying many
//! accounts. The address is the TCP peer: behind a reverse proxy every
//! request shares the proxy's address, so the limits then act as a global
//! ceiling (README says so; honouring X-Forwarded-For from a configured
//! proxy is future work).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::{HeaderValue, Method, StatusCode, header};
use kring_app::AppError;

/// One limit: a burst, then one more request per `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub every: Duration,
}

impl Rate {
    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.every.max(Duration::from_micros(1)))
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst)
    }
}

/// The limits of a running server (`Config::rate_limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /api/sign_in`, the link step of single sign-on
    /// (`POST /api/sso_link`), and the way out to a provider and back
    /// (`GET /sign-in/sso/{id}` and `…/callback`).
    pub sign_in: Rate,
    /// The search page and `GET /api/search`.
    pub search: Rate,
    /// Every other POST (all state changes are server-function posts).
    pub posting: Rate,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            // Above the per-account and per-address throttle in the
            // database (10 failures in 15 minutes), which answers first
            // with its own message; this one stops floods before argon2.
            sign_in: Rate {
                burst: 20,
                every: Duration::from_secs(3),
            },
            search: Rate {
                burst: 60,
                every: Duration::from_millis(100),
            },
            posting: Rate {
                burst: 60,
                every: Duration::from_millis(500),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    SignIn,
    Search,
    Posting,
}

fn classify(method: &Method, path: &str) -> Option<Class> {
    let path = path.trim_end_matches('/');
    match *method {
        Method::POST if path == "/api/sign_in" || path == "/api/sso_link" => Some(Class::SignIn),
        Method::GET | Method::HEAD if is_sso_step(path) => Some(Class::SignIn),
        Method::GET | Method::HEAD if path == "/search" || path == "/api/search" => Some(Class::Search),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE => Some(Class::Posting),
        _ => None,
    }
}

/// `/sign-in/sso/{id}` and `/sign-in/sso/{id}/callback` (not the logout).
fn is_sso_step(path: &str) -> bool {
    match path.strip_prefix("/sign-in/sso/") {
        Some(rest) => {
            let mut parts = rest.split('/');
            let id = parts.next().unwrap_or("");
            let step = parts.next();
            !id.is_empty() && parts.next().is_none() && matches!(step, None | Some("callback"))
        }
        None => false,
    }
}

/// The limiters, shared by every request of the server.
pub struct Limiters {
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    search: DefaultKeyedRateLimiter<IpAddr>,
    posting: DefaultKeyedRateLimiter<IpAddr>,
}

/// Past this many remembered addresses, forget those back at a full burst.
const REMEMBERED_MAX: usize = 10_000;

impl Limiters {
    pub fn new(limits: RateLimits) -> Arc<Self> {
        Arc::new(Limiters {
            sign_in: RateLimiter::keyed(limits.sign_in.quota()),
            search: RateLimiter::keyed(limits.search.quota()),
            posting: RateLimiter::keyed(limits.posting.quota()),
        })
    }

    /// None if the request may go on, else how long to wait.
    fn check(&self, class: Class, ip: IpAddr) -> Option<Duration> {
        let limiter = match class {
            Class::SignIn => &self.sign_in,
            Class::Search => &self.search,
            Class::Posting => &self.posting,
        };
        if limiter.len() > REMEMBERED_MAX {
            limiter.retain_recent();
        }
        limiter
            .check_key(&ip)
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The middleware: refuses with 429 and `Retry-After` once an address is
/// over its limit.
pub async fn limit(State(limiters): State<Arc<Limiters>>, req: Request, next: Next) -> Response {
    let Some(class) = classify(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() else {
        return next.run(req).await;
    };
    let Some(wait) = limiters.check(class, peer.ip()) else {
        return next.run(req).await;
    };
    let seconds = wait.as_secs().saturating_add(1).min(u64::from(u32::MAX)) as u32;
    tracing::warn!(ip = %peer.ip(), ?class, path = %req.uri().path(), "rate limited");
    // Without JavaScript the browser's Back button returns to the form
    // with what was typed.
    let mut res = crate::http::refusal(
        &req,
        StatusCode::TOO_MANY_REQUESTS,
        &AppError::RateLimited { seconds },
        format!(
            "Te veel verzoeken na elkaar. Wacht {seconds} seconden en probeer opnieuw (met de knop Terug vind je wat je typte).\n\
             Too many requests in a row. Wait {seconds} seconds and try again (the Back button returns to what you typed).\n"
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_classified_by_method_and_path() {
        assert_eq!(classify(&Method::POST, "/api/sign_in"), Some(Class::SignIn));
        assert_eq!(classify(&Method::GET, "/search"), Some(Class::Search));
        assert_eq!(classify(&Method::GET, "/api/search"), Some(Class::Search));
        assert_eq!(classify(&Method::POST, "/api/create_case"), Some(Class::Posting));
        assert_eq!(classify(&Method::POST, "/api/search"), Some(Class::Posting));
        assert_eq!(classify(&Method::GET, "/library"), None);
        assert_eq!(classify(&Method::GET, "/api/sign_in"), None);
        assert_eq!(classify(&Method::POST, "/api/sso_link"), Some(Class::SignIn));
        assert_eq!(classify(&Method::GET, "/sign-in/sso/gent"), Some(Class::SignIn));
        assert_eq!(
            classify(&Method::GET, "/sign-in/sso/gent/callback"),
            Some(Class::SignIn)
        );
        assert_eq!(classify(&Method::GET, "/sign-in/sso/gent/logout"), None);
        assert_eq!(classify(&Method::GET, "/sign-in/code"), None);
    }

    #[test]
    fn an_address_gets_its_burst_then_waits_and_others_are_not_affected() {
        let limiters = Limiters::new(RateLimits {
            search: Rate {
                burst: 3,
                every: Duration::from_secs(60),
            },
            ..RateLimits::default()
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(limiters.check(Class::Search, a), None);
        }
        let wait = limiters.check(Class::Search, a).expect("over the limit");
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert_eq!(limiters.check(Class::Search, b), None, "another address");
        assert_eq!(limiters.check(Class::Posting, a), None, "another kind of request");
    }
}
