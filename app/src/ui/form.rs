//! Form helpers for progressive enhancement: every form posts to a server
//! function, works without JavaScript, and keeps what the person typed when
//! it fails.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Prefix of query parameters that carry typed values back after a failed
/// plain-HTML post.
pub const KEEP_PREFIX: &str = "keep.";

/// The value typed into `name` before a failed post without JavaScript.
pub fn kept(name: &'static str) -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || {
        query
            .read()
            .get(&format!("{KEEP_PREFIX}{name}"))
            .unwrap_or_default()
    })
}

/// A typed value kept after a failed post, else `initial`.
pub fn kept_or(name: &'static str, initial: String) -> Signal<String> {
    let typed = kept(name);
    Signal::derive(move || {
        let t = typed.get();
        if t.is_empty() { initial.clone() } else { t }
    })
}

/// Only local paths are followed after sign-in (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.contains("://") => {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// For a plain form post (no JavaScript) that failed: send the browser back
/// to the form with the error (as Leptos does) and the non-secret values the
/// person typed, so nothing is lost. With JavaScript the page never reloads
/// and this does nothing.
#[cfg(feature = "ssr")]
pub fn keep_on_failure<S>(err: &crate::errors::AppError, keep: &[(&str, &str)])
where
    S: leptos::server_fn::ServerFn,
{
    use leptos::server_fn::error::ServerFnUrlError;

    let (Some(parts), Some(res)) = (
        use_context::<http::request::Parts>(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let accepts_html = parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let Some(referer) = parts
        .headers
        .get(http::header::REFERER)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    if !accepts_html {
        return;
    }
    let Ok(mut url) = url::Url::parse(referer) else {
        return;
    };
    // Drop what an earlier failure left in the URL.
    let old: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with(KEEP_PREFIX) && k != "__err" && k != "__path")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut().clear().extend_pairs(old);
    let Ok(mut url) = ServerFnUrlError::new(S::PATH, err.clone()).to_url(url.as_str()) else {
        return;
    };
    {
        let mut q = url.query_pairs_mut();
        for (name, value) in keep {
            // Bounded: a URL is no place for a megabyte of text.
            let value: String = value.chars().take(500).collect();
            q.append_pair(&format!("{KEEP_PREFIX}{name}"), &value);
        }
    }
    // Local redirect only: keep path and query, never the referer's host.
    let location = match url.query() {
        Some(q) => format!("{}?{}", url.path(), q),
        None => url.path().to_owned(),
    };
    if let Ok(value) = http::HeaderValue::from_str(&location) {
        res.insert_header(http::header::LOCATION, value);
        res.set_status(http::StatusCode::FOUND);
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("/networks?x=1")), "/networks?x=1");
        for bad in [
            "//evil.example",
            "https://evil.example/",
            "evil",
            "",
            "/\\evil.example",
            "/x?u=https://evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
