//! The HTTP stack: Leptos pages and server functions, the embedded static
//! site, sign-in sessions, and the cross-site refusal for state changes.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http::{HeaderValue, Method, StatusCode, header};
use kring_app::state::{AppState, Settings};
use kring_app::{App, AppError, shell};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;
use crate::limits::{Limiters, RateLimits};

/// The Leptos options: from cargo-leptos's environment when it runs us
/// (`cargo leptos watch`), else Kring's own defaults.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    if std::env::var_os("LEPTOS_OUTPUT_NAME").is_some()
        && let Ok(conf) = get_configuration(None)
    {
        let mut opts = conf.leptos_options;
        opts.site_addr = config.bind;
        return opts;
    }
    let site_root = std::env::var("KRING_SITE_DIR").unwrap_or_else(|_| default_site_dir());
    LeptosOptions::builder()
        .output_name("kring")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .env(leptos::config::Env::PROD)
        .build()
}

fn default_site_dir() -> String {
    // Next to the workspace when run from a checkout; "site" otherwise.
    let dev = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    if dev.is_dir() {
        dev.display().to_string()
    } else {
        "site".to_owned()
    }
}

pub fn app_state(
    config: &Config,
    db: sea_orm::DatabaseConnection,
    search: Arc<kring_app::search::index::SearchIndex>,
) -> AppState {
    AppState {
        db,
        search,
        settings: Arc::new(Settings {
            base_url: config.base_url.clone(),
        }),
        feeds: Arc::default(),
        sso: Arc::new(
            kring_app::accounts::sso::Sso::new(config.sso.clone(), config.base_url.clone())
                // Checked when the configuration was read.
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "single sign-on is off");
                    kring_app::accounts::sso::Sso::none(config.base_url.clone())
                }),
        ),
    }
}

/// The application's routes, worked out once per process. Leptos marks
/// "route generation under way" in a process-wide flag while it walks the
/// app, and a page rendered anywhere in the process meanwhile never loads
/// its data (leptos-rs/leptos#4773): a second server built in the same
/// process (the in-process HTTP tests start dozens) would stall another's
/// requests. Every caller waits for the one walk; none renders during it.
pub fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The most a request to a server function may carry.
pub const MAX_FORM_BYTES: usize = 4 * 1024 * 1024;

/// The whole application as an axum router; `limits`: None switches the
/// per-address rate limits off.
pub fn router(state: AppState, options: LeptosOptions, limits: Option<RateLimits>) -> Router {
    let routes = routes();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(kring_app::accounts::auth::RequestUser::default());
        }
    };
    let sessions = SessionManagerLayer::new(kring_app::accounts::session_store::DbSessionStore::new(
        state.db.clone(),
    ))
    .with_name(state.settings.session_cookie())
    .with_http_only(true)
    .with_same_site(SameSite::Lax)
    .with_secure(state.settings.secure_cookies())
    .with_path("/")
    .with_expiry(Expiry::OnInactivity(kring_app::accounts::auth::IDLE_TIMEOUT));

    let server_fns = {
        let context = context.clone();
        move |req: Request| {
            let context = context.clone();
            async move { leptos_axum::handle_server_fns_with_context(context, req).await }
        }
    };

    let fallback = {
        let context = context.clone();
        let options = options.clone();
        let render = leptos_axum::render_app_async_with_context(context, {
            let options = options.clone();
            move || shell(options.clone())
        });
        move |req: Request| {
            let render = render.clone();
            async move { render(req).await.into_response() }
        }
    };

    let app = Router::new()
        .route(
            "/api/{*fn_name}",
            post(server_fns.clone())
                .get(server_fns)
                // Server functions read their whole body; the largest real
                // form (a 20,000-character case, percent-encoded) is far
                // below this, and a bigger paste still reaches the domain's
                // translated "too long" message up to here.
                .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_FORM_BYTES)),
        )
        .merge(crate::calendar::routes(state.clone()))
        .merge(crate::accounts::routes(state.clone()))
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        });

    let app = if option_env!("KRING_SITE_EMBEDDED").is_some() {
        let assets = memory_serve::load!()
            .index_file(None)
            .enable_brotli(true)
            .enable_gzip(true)
            .into_router();
        app.merge(assets).fallback(fallback)
    } else {
        let dir = tower_http::services::ServeDir::new(options.site_root.as_ref())
            .precompressed_br()
            .precompressed_gzip()
            .fallback(tower::service_fn(move |req: Request| {
                let fallback = fallback.clone();
                async move { Ok::<_, std::convert::Infallible>(fallback(req).await) }
            }));
        app.fallback_service(dir)
    };

    // HSTS only when Kring is served over https (a plain-http install, as
    // on a laptop, must not pin the browser to https).
    let hsts = state.settings.secure_cookies().then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });

    let limits = limits.map(|l| middleware::from_fn_with_state(Limiters::new(l), crate::limits::limit));

    // Outermost last: a rate-limited or cross-site request is refused
    // before a session is loaded from the database.
    app.layer(middleware::from_fn_with_state(
        state.clone(),
        crate::accounts::two_factor_gate,
    ))
    .layer(sessions)
    .layer(middleware::from_fn_with_state(
        state.settings.clone(),
        refuse_cross_site,
    ))
    .layer(tower::util::option_layer(limits))
    // Headers every response carries: no guessing of content types, no
    // framing by other sites, and addresses (which name cases and networks)
    // never sent to other sites as a referrer. Pages set their own
    // Content-Security-Policy with the response's script nonce (`shell`);
    // everything else (JSON, feeds, assets, refusals) gets one that allows
    // nothing to run.
    .layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
        ),
    ))
    .layer(tower::util::option_layer(hsts))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("DENY"),
    ))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    ))
    .with_state(options)
}

/// State-changing requests must come from Kring's own pages: a browser
/// sends `Origin` (and `Sec-Fetch-Site`) with every POST, so a form on
/// another site is refused before any server function runs.
async fn refuse_cross_site(State(settings): State<Arc<Settings>>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"));
    let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let own = settings.base_url.origin().ascii_serialization();
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            origin == own
                || host.is_some_and(|h| origin == format!("http://{h}") || origin == format!("https://{h}"))
        }
    };
    if cross_site || !origin_ok {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        return refusal(
            &req,
            StatusCode::FORBIDDEN,
            &AppError::CrossSite,
            "Geweigerd: dit verzoek kwam van een andere website.\nRefused: this request came from another website.\n".into(),
        );
    }
    next.run(req).await
}

/// A refusal before any page or server function runs: the error's JSON
/// for a server-function call from a script, else a short text in Dutch and
/// English (a browser posting a form without JavaScript shows it as is).
pub(crate) fn refusal(req: &Request, status: StatusCode, err: &AppError, text: String) -> Response {
    let wants_json = req.uri().path().starts_with("/api/")
        && !req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    let (content_type, body) = if wants_json {
        ("application/json", serde_json::to_string(err).unwrap_or_default())
    } else {
        ("text/plain; charset=utf-8", text)
    };
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Serves `router` on `listener` until ctrl-c or SIGTERM.
/// Serves until `shutdown` completes (the binary passes [`shutdown_signal`];
/// in-process test servers pass a future that never completes, because
/// tokio's signal listeners misfire when several runtimes in one process
/// come and go: a test server then stopped accepting mid-test).
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
