//! HTTP-level tests against a Kring server started in-process on loopback,
//! with a fresh SQLite database and the demo accounts.

use std::net::SocketAddr;

use kring_server::limits::{Rate, RateLimits};
use kring_server::{Config, demo, http};
use reqwest::header::{ACCEPT, LOCATION, ORIGIN, REFERER, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

const PASSWORD: &str = "kring-demo";

struct TestServer {
    base: String,
    db: sea_orm::DatabaseConnection,
    _dir: tempfile::TempDir,
}

async fn start() -> TestServer {
    start_with(true).await
}

async fn start_with(demo_data: bool) -> TestServer {
    start_at(demo_data, None).await
}

/// `base_url`: the public address Kring is told it has (e.g. https behind a
/// proxy); the server itself still listens on plain loopback http.
async fn start_at(demo_data: bool, base_url: Option<&str>) -> TestServer {
    start_full(demo_data, base_url, Some(RateLimits::default())).await
}

/// A server with the given rate limits (None: off).
async fn start_full(demo_data: bool, base_url: Option<&str>, limits: Option<RateLimits>) -> TestServer {
    start_server(demo_data, base_url, limits, Vec::new()).await
}

/// ... and behind the given trusted reverse proxies.
async fn start_server(
    demo_data: bool,
    base_url: Option<&str>,
    limits: Option<RateLimits>,
    proxies: Vec<ipnet::IpNet>,
) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let data_dir = dir.path().display().to_string();
    let config = Config::from_env_fn(|key| match key {
        "KRING_BIND" => Some(addr.to_string()),
        "KRING_DATA_DIR" => Some(data_dir.clone()),
        "KRING_DEMO_PASSWORD" => Some(PASSWORD.to_owned()),
        "KRING_BASE_URL" => base_url.map(str::to_owned),
        _ => None,
    })
    .expect("config");
    let db = kring_app::db::connect(&config.database_url).await.expect("db");
    kring_app::db::migrate(&db).await.expect("migrate");
    if demo_data {
        demo::load(&db, PASSWORD).await.expect("demo");
    }
    let search = kring_server::tasks::open_search(dir.path(), &db, true)
        .await
        .expect("search index");
    kring_server::tasks::spawn_search(db.clone(), search.clone());
    let router = kring_server::proxies::trust(
        http::router(
            http::app_state(&config, db.clone(), search),
            http::leptos_options(&config),
            limits,
        ),
        proxies,
    );
    tokio::spawn(async move {
        let _ = http::serve(listener, router, std::future::pending()).await;
    });
    TestServer {
        base: format!("http://{addr}"),
        db,
        _dir: dir,
    }
}

fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        // A server that stops answering fails the test instead of hanging CI.
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client")
}

impl TestServer {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A sign-in as the hydrated page sends it (not text/html).
    async fn sign_in(
        &self,
        client: &Client,
        email: &str,
        password: &str,
        remember: bool,
    ) -> reqwest::Response {
        let mut form = vec![("email", email), ("password", password)];
        if remember {
            form.push(("remember", "on"));
        }
        client
            .post(self.url("/api/sign_in"))
            .header(ORIGIN, &self.base)
            .header(ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .expect("request")
    }

    /// A plain HTML form post, as a browser without JavaScript sends it.
    async fn form_post(
        &self,
        client: &Client,
        path: &str,
        referer: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(path))
            .header(ORIGIN, &self.base)
            .header(ACCEPT, "text/html")
            .header(REFERER, self.url(referer))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    async fn home(&self, client: &Client) -> String {
        client
            .get(self.url("/"))
            .send()
            .await
            .expect("home")
            .text()
            .await
            .expect("body")
    }
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("kring_session="))
        .map(str::to_owned)
}

#[tokio::test]
async fn sign_in_shows_the_person_and_sign_out_ends_it() {
    let srv = start().await;
    let client = browser();
    assert!(
        !srv.home(&client).await.contains("Sofie Coach"),
        "anonymous home shows no one"
    );

    let res = srv.sign_in(&client, "coach@kring.demo", PASSWORD, false).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = session_cookie(&res).expect("session cookie set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        cookie.contains("Max-Age=1800"),
        "30 minutes idle timeout: {cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http on loopback: {cookie}");

    let home = srv.home(&client).await;
    assert!(
        home.contains("Sofie Coach (demo)"),
        "signed-in home names the person"
    );
    assert!(home.contains("Welkom, "), "Dutch by default");

    let res = client
        .post(srv.url("/api/sign_out"))
        .header(ORIGIN, &srv.base)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!srv.home(&client).await.contains("Sofie Coach"));
}

#[tokio::test]
async fn remember_me_lasts_at_most_twelve_hours() {
    let srv = start().await;
    let client = browser();
    let res = srv.sign_in(&client, "coach@kring.demo", PASSWORD, true).await;
    let cookie = session_cookie(&res).expect("cookie");
    let max_age: i64 = cookie
        .split(';')
        .find_map(|p| p.trim().strip_prefix("Max-Age="))
        .and_then(|v| v.parse().ok())
        .or_else(|| {
            // tower-sessions writes Expires for a fixed date.
            let expires = cookie
                .split(';')
                .find_map(|p| p.trim().strip_prefix("Expires="))?;
            let at =
                time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc2822).ok()?;
            Some((at - time::OffsetDateTime::now_utc()).whole_seconds())
        })
        .expect("a lifetime on the cookie");
    assert!(
        max_age > 11 * 3600 && max_age <= 12 * 3600,
        "remember-me lifetime {max_age}s"
    );
}

#[tokio::test]
async fn sign_in_gets_a_new_session_id() {
    let srv = start().await;
    let client = browser();
    let first = session_cookie(&srv.sign_in(&client, "coach@kring.demo", PASSWORD, false).await).unwrap();
    let second = session_cookie(&srv.sign_in(&client, "admin@kring.demo", PASSWORD, false).await).unwrap();
    let id = |c: &str| c.split(';').next().unwrap().to_owned();
    assert_ne!(id(&first), id(&second), "the id changes at sign-in");

    // The old id no longer signs anyone in.
    let stale = Client::builder().redirect(Policy::none()).build().unwrap();
    let body = stale
        .get(srv.url("/"))
        .header(reqwest::header::COOKIE, id(&first))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!body.contains("Sofie Coach") && !body.contains("Beheerder Demo"));
}

#[tokio::test]
async fn wrong_password_is_a_clear_error() {
    let srv = start().await;
    let client = browser();
    let res = srv
        .sign_in(&client, "coach@kring.demo", "niet-het-wachtwoord", false)
        .await;
    assert!(res.status().is_server_error() || res.status().is_client_error());
    assert!(session_cookie(&res).is_none(), "no session for a failed sign-in");
    let body = res.text().await.unwrap();
    assert_eq!(body, "\"WrongCredentials\"");
}

#[tokio::test]
async fn ten_failures_throttle_the_account() {
    let srv = start().await;
    let client = browser();
    for _ in 0..10 {
        let body = srv
            .sign_in(&client, "coach@kring.demo", "fout-fout-fout", false)
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(body, "\"WrongCredentials\"");
    }
    let res = srv.sign_in(&client, "coach@kring.demo", PASSWORD, false).await;
    let body = res.text().await.unwrap();
    assert_eq!(body, r#"{"Throttled":{"minutes":15}}"#);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let srv = start().await;
    let client = browser();
    let res = client
        .post(srv.url("/api/sign_in"))
        .header(ORIGIN, "http://evil.example")
        .form(&[("email", "coach@kring.demo"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(&res).is_none());
    assert_eq!(res.text().await.unwrap(), "\"CrossSite\"");

    let res = client
        .post(srv.url("/api/sign_in"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "coach@kring.demo"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The same request from Kring's own origin works.
    let ok = srv.sign_in(&client, "coach@kring.demo", PASSWORD, false).await;
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_failed_form_post_without_javascript_keeps_the_email() {
    let srv = start().await;
    let client = browser();
    let res = srv
        .form_post(
            &client,
            "/api/sign_in",
            "/sign-in?next=%2Faccount",
            &[
                ("email", "coach@kring.demo"),
                ("password", "fout-fout-fout"),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers().get(LOCATION).unwrap().to_str().unwrap().to_owned();
    assert!(location.starts_with("/sign-in?"), "{location}");
    assert!(location.contains("keep.email=coach%40kring.demo"), "{location}");
    assert!(
        !location.contains("fout-fout"),
        "passwords never travel back: {location}"
    );

    let page = client
        .get(srv.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Dit e-mailadres en wachtwoord horen niet bij elkaar."),
        "translated error shown"
    );
    assert!(page.contains(r#"value="coach@kring.demo""#), "typed email kept");

    // A successful plain post redirects to `next`.
    let res = srv
        .form_post(
            &client,
            "/api/sign_in",
            "/sign-in?next=%2Faccount",
            &[
                ("email", "coach@kring.demo"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers().get(LOCATION).unwrap(), "/account");
}

#[tokio::test]
async fn open_redirects_are_not_followed() {
    let srv = start().await;
    let client = browser();
    let res = srv
        .form_post(
            &client,
            "/api/sign_in",
            "/sign-in?next=%2Faccount",
            &[
                ("email", "coach@kring.demo"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.headers().get(LOCATION).unwrap(), "/");
}

#[tokio::test]
async fn account_page_needs_sign_in() {
    let srv = start().await;
    let client = browser();
    let res = client
        .get(srv.url("/account"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers().get(LOCATION).unwrap(), "/sign-in?next=/account");
}

#[tokio::test]
async fn unknown_urls_get_a_real_404() {
    let srv = start().await;
    let res = browser().get(srv.url("/bestaat/niet")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Pagina niet gevonden"));
}

#[tokio::test]
async fn language_choice_is_kept_by_cookie_and_profile() {
    let srv = start().await;
    let client = browser();
    // Anonymous: the cookie carries the choice.
    let res = srv
        .form_post(
            &client,
            "/api/set_language",
            "/sign-in?next=%2Faccount",
            &[("lang", "en"), ("next", "/")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert!(srv.home(&client).await.contains("Welcome to Kring"));

    // Signed in: the profile keeps it for the next sign-in elsewhere.
    srv.sign_in(&client, "coach@kring.demo", PASSWORD, false).await;
    srv.form_post(
        &client,
        "/api/set_language",
        "/sign-in?next=%2Faccount",
        &[("lang", "en"), ("next", "/")],
    )
    .await;
    let other_device = browser();
    assert!(
        srv.home(&other_device).await.contains("Welkom bij Kring"),
        "a new device starts in Dutch"
    );
    srv.sign_in(&other_device, "coach@kring.demo", PASSWORD, false)
        .await;
    assert!(
        srv.home(&other_device).await.contains("Welcome, "),
        "the profile's language follows the person"
    );

    // Unknown languages are refused.
    let res = client
        .post(srv.url("/api/set_language"))
        .header(ORIGIN, &srv.base)
        .header(ACCEPT, "application/json")
        .form(&[("lang", "fr")])
        .send()
        .await
        .unwrap();
    assert!(!res.status().is_success());
}

#[tokio::test]
async fn the_demo_hint_shows_only_with_demo_accounts() {
    for demo_data in [true, false] {
        let srv = start_with(demo_data).await;
        let page = browser()
            .get(srv.url("/sign-in"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            page.contains("nieuwkomer@kring.demo"),
            demo_data,
            "demo data: {demo_data}"
        );
    }
}

#[tokio::test]
async fn no_session_outlives_twelve_hours() {
    use tower_sessions::SessionStore;
    use tower_sessions::session::{Id, Record};

    let srv = start().await;
    let coach = kring_app::accounts::domain::find_by_email(&srv.db, "coach@kring.demo")
        .await
        .unwrap()
        .unwrap();
    let store = kring_app::accounts::session_store::DbSessionStore::new(srv.db.clone());
    let now = time::OffsetDateTime::now_utc();
    // A session whose cookie is still valid, signed in `hours_ago`.
    let session_signed_in = |hours_ago: i64| {
        let mut data = std::collections::HashMap::new();
        data.insert("uid".to_owned(), serde_json::json!(coach.id));
        data.insert(
            "at".to_owned(),
            serde_json::json!((now - time::Duration::hours(hours_ago)).unix_timestamp()),
        );
        Record {
            id: Id::default(),
            data,
            expiry_date: now + time::Duration::minutes(30),
        }
    };
    for (hours_ago, signed_in) in [(1, true), (13, false)] {
        let mut record = session_signed_in(hours_ago);
        store.create(&mut record).await.unwrap();
        let body = Client::new()
            .get(srv.url("/"))
            .header(reqwest::header::COOKIE, format!("kring_session={}", record.id))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            body.contains("Sofie Coach (demo)"),
            signed_in,
            "signed in {hours_ago} h ago"
        );
    }
}

#[tokio::test]
async fn network_page_shows_members_to_members_only() {
    let srv = start().await;
    let page = |client: Client| {
        let url = srv.url("/networks/lerend-netwerk-baldemore");
        async move { client.get(url).header(ACCEPT, "text/html").send().await.unwrap() }
    };

    let anonymous = page(browser()).await;
    assert_eq!(
        anonymous.status(),
        StatusCode::FOUND,
        "anonymous visitors sign in first"
    );

    let coach = browser();
    srv.sign_in(&coach, "coach@kring.demo", PASSWORD, false).await;
    let body = page(coach.clone()).await.text().await.unwrap();
    assert!(body.contains("Lerend netwerk Baldemore") && body.contains("Sociaal Huis Mol"));
    assert!(
        body.contains("Balen, Dessel, Mol, Retie"),
        "municipalities covered"
    );
    let members = coach
        .get(srv.url("/networks/lerend-netwerk-baldemore/members"))
        .send()
        .await
        .unwrap();
    assert_eq!(members.status(), StatusCode::OK);
    assert!(
        members
            .text()
            .await
            .unwrap()
            .contains("Lotte Procesbegeleider (demo)"),
        "members see the facilitator"
    );
    let manage = coach
        .get(srv.url("/networks/lerend-netwerk-baldemore/manage"))
        .send()
        .await
        .unwrap();
    assert_eq!(manage.status(), StatusCode::NOT_FOUND, "coaches do not manage");
    let dashboard = coach
        .get(srv.url("/networks"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        dashboard.contains("/networks/lerend-netwerk-baldemore"),
        "my networks lists it"
    );
    assert!(
        !dashboard.contains("/networks/werf-gezinscoach-leuven"),
        "and only mine"
    );

    let newcomer = browser();
    srv.sign_in(&newcomer, "nieuwkomer@kring.demo", PASSWORD, false)
        .await;
    let res = page(newcomer.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Lerend netwerk Baldemore"),
        "the about part is for anyone signed in"
    );
    assert!(
        !body.contains("Lotte Procesbegeleider"),
        "no member list for a non-member"
    );
    for sub in ["members", "manage"] {
        let res = newcomer
            .get(srv.url(&format!("/networks/lerend-netwerk-baldemore/{sub}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{sub} is members-only");
    }

    let missing = newcomer
        .get(srv.url("/networks/bestaat-niet"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn facilitators_create_networks_and_bad_input_is_kept() {
    let srv = start().await;
    let create = |client: Client, slug: &'static str, html: bool| {
        let url = srv.url("/api/create_network");
        let base = srv.base.clone();
        async move {
            client
                .post(url)
                .header(ORIGIN, &base)
                .header(ACCEPT, if html { "text/html" } else { "application/json" })
                .header(REFERER, format!("{base}/networks/new"))
                .form(&[
                    ("name", "Lerend netwerk Kempen"),
                    ("slug", slug),
                    ("description", "Samen leren in de Kempen"),
                    ("kind", "inter_municipal"),
                    ("join_policy", "request"),
                ])
                .send()
                .await
                .unwrap()
        }
    };

    let coach = browser();
    srv.sign_in(&coach, "coach@kring.demo", PASSWORD, false).await;
    assert_eq!(
        create(coach, "kempen", false).await.text().await.unwrap(),
        "\"NotFound\""
    );

    let facilitator = browser();
    srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let res = create(facilitator.clone(), "lerend-netwerk-baldemore", true).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers().get(LOCATION).unwrap().to_str().unwrap().to_owned();
    assert!(location.contains("keep.name=Lerend+netwerk+Kempen"), "{location}");
    let page = facilitator
        .get(srv.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Er bestaat al een netwerk met dit webadres."));
    assert!(page.contains(r#"value="Lerend netwerk Kempen""#) && page.contains("Samen leren in de Kempen"));

    let res = create(facilitator.clone(), "lerend-netwerk-kempen", true).await;
    assert_eq!(
        res.headers().get(LOCATION).unwrap(),
        "/networks/lerend-netwerk-kempen"
    );
    let page = facilitator
        .get(srv.url("/networks/lerend-netwerk-kempen/members"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Lerend netwerk Kempen") && page.contains("Lotte Procesbegeleider (demo)"));
}

async fn get_text(client: &Client, url: String) -> (StatusCode, String) {
    let res = client
        .get(url)
        .header(ACCEPT, "text/html")
        .send()
        .await
        .expect("get");
    let status = res.status();
    let body = res.text().await.expect("body");
    (status, body.replace("<!---->", "").replace("<!>", ""))
}

/// The first alert of a page, for failure messages.
fn alert_of(page: &str) -> &str {
    page.find("role=\"alert\"")
        .map(|i| &page[i..(i + 300).min(page.len())])
        .unwrap_or("(no alert on the page)")
}

/// The redirect target as a path (Leptos sends errors back to the full
/// Referer URL).
fn location(res: &reqwest::Response) -> String {
    let raw = res
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match raw
        .find("://")
        .and_then(|i| raw[i + 3..].find('/').map(|j| i + 3 + j))
    {
        Some(path_start) => raw[path_start..].to_owned(),
        None => raw.to_owned(),
    }
}

#[tokio::test]
async fn an_unknown_municipality_is_named_and_the_form_kept() {
    let srv = start().await;
    let facilitator = browser();
    srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let res = srv
        .form_post(
            &facilitator,
            "/api/create_network",
            "/networks/new",
            &[
                ("name", "Netwerk Noorderkempen"),
                ("slug", "noorderkempen"),
                ("description", ""),
                ("kind", "inter_municipal"),
                ("join_policy", "request"),
                ("municipalities", "Mol, Atlantis"),
                ("organisations", "OCMW Mol"),
            ],
        )
        .await;
    let back = location(&res);
    assert!(back.starts_with("/networks/new?"), "{back}");
    let (_, page) = get_text(&facilitator, srv.url(&back)).await;
    assert!(
        page.contains("Onbekende gemeente: Atlantis"),
        "translated, names the culprit: {}",
        alert_of(&page)
    );
    assert!(page.contains(r#"value="Mol, Atlantis""#), "kept what was typed");

    let res = srv
        .form_post(
            &facilitator,
            "/api/create_network",
            "/networks/new",
            &[
                ("name", "Netwerk Noorderkempen"),
                ("slug", "noorderkempen"),
                ("description", ""),
                ("kind", "inter_municipal"),
                ("join_policy", "request"),
                ("municipalities", "mol, 2490"),
                ("organisations", "OCMW Mol\nCAW De Kempen"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/networks/noorderkempen");
    let (_, page) = get_text(&facilitator, srv.url("/networks/noorderkempen")).await;
    assert!(
        page.contains("Balen, Mol") && page.contains("CAW De Kempen"),
        "{page}"
    );
}

/// The mailed link, read from the outbox as the recipient would read it.
async fn invitation_link_for(db: &sea_orm::DatabaseConnection, to: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mail = kring_app::mail::entity::Entity::find()
        .filter(kring_app::mail::entity::Column::ToAddress.eq(to))
        .one(db)
        .await
        .expect("query")
        .expect("a mail was queued");
    let start = mail.body.find("/invite/").expect("link");
    mail.body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

#[tokio::test]
async fn an_invitation_creates_the_account_once_without_javascript() {
    let srv = start().await;
    let facilitator = browser();
    srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let manage = "/networks/lerend-netwerk-baldemore/manage";
    let res = srv
        .form_post(
            &facilitator,
            "/api/invite_member",
            manage,
            &[
                ("slug", "lerend-netwerk-baldemore"),
                ("email", "nieuwe.coach@example.be"),
                ("role", "coach"),
            ],
        )
        .await;
    assert_eq!(location(&res), format!("{manage}?done=invited"));
    let (_, page) = get_text(&facilitator, srv.url(manage)).await;
    assert!(
        page.contains("nieuwe.coach@example.be"),
        "listed as open invitation"
    );

    // Inviting the same address again: a clear message, the address kept.
    let res = srv
        .form_post(
            &facilitator,
            "/api/invite_member",
            manage,
            &[
                ("slug", "lerend-netwerk-baldemore"),
                ("email", "nieuwe.coach@example.be"),
                ("role", "coach"),
            ],
        )
        .await;
    let (_, page) = get_text(&facilitator, srv.url(&location(&res))).await;
    assert!(page.contains("al een openstaande uitnodiging"));
    assert!(page.contains(r#"value="nieuwe.coach@example.be""#));

    let link = invitation_link_for(&srv.db, "nieuwe.coach@example.be").await;
    let guest = browser();
    let (status, page) = get_text(&guest, srv.url(&link)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Lerend netwerk Baldemore") && page.contains("Maak je account aan"));
    let token = link.trim_start_matches("/invite/");

    let res = srv
        .form_post(
            &guest,
            "/api/accept_invitation",
            &link,
            &[
                ("token", token),
                ("display_name", "Nieuwe Coach"),
                ("password", "een-goed-wachtwoord"),
                ("password_repeat", "een-ander-wachtwoord"),
            ],
        )
        .await;
    let (_, page) = get_text(&guest, srv.url(&location(&res))).await;
    assert!(page.contains("niet gelijk"), "mismatch explained");
    assert!(page.contains(r#"value="Nieuwe Coach""#), "name kept");

    let res = srv
        .form_post(
            &guest,
            "/api/accept_invitation",
            &link,
            &[
                ("token", token),
                ("display_name", "Nieuwe Coach"),
                ("password", "een-goed-wachtwoord"),
                ("password_repeat", "een-goed-wachtwoord"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/networks/lerend-netwerk-baldemore?done=welcome");
    assert!(session_cookie(&res).is_some(), "signed in");
    let (_, dashboard) = get_text(&guest, srv.url("/networks")).await;
    assert!(dashboard.contains("/networks/lerend-netwerk-baldemore"));

    let other = browser();
    let (_, page) = get_text(&other, srv.url(&link)).await;
    assert!(page.contains("al gebruikt of ingetrokken"), "one-time link");
}

#[tokio::test]
async fn join_request_is_decided_by_the_facilitator() {
    let srv = start().await;
    let newcomer = browser();
    srv.sign_in(&newcomer, "nieuwkomer@kring.demo", PASSWORD, false)
        .await;
    let net = "/networks/lerend-netwerk-lokale-gezinscoaches";
    let res = srv
        .form_post(
            &newcomer,
            "/api/request_to_join",
            net,
            &[
                ("slug", "lerend-netwerk-lokale-gezinscoaches"),
                ("message", "Ik start als coach in Geel."),
            ],
        )
        .await;
    assert_eq!(location(&res), format!("{net}?done=requested"));
    let (_, page) = get_text(&newcomer, srv.url(net)).await;
    assert!(page.contains("De procesbegeleider beslist"));

    let facilitator = browser();
    srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let (_, page) = get_text(&facilitator, srv.url(&format!("{net}/manage"))).await;
    assert!(page.contains("Ik start als coach in Geel."));
    let id = {
        use sea_orm::EntityTrait;
        kring_app::networks::entity::join_request::Entity::find()
            .all(&srv.db)
            .await
            .unwrap()[0]
            .id
            .to_string()
    };
    let res = srv
        .form_post(
            &facilitator,
            "/api/decide_join",
            &format!("{net}/manage"),
            &[
                ("slug", "lerend-netwerk-lokale-gezinscoaches"),
                ("id", &id),
                ("decision", "approve"),
                ("role", "observer"),
            ],
        )
        .await;
    assert_eq!(location(&res), format!("{net}/manage?done=approved"));
    let (status, page) = get_text(&newcomer, srv.url(&format!("{net}/members"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Eva Nieuwkomer (demo)") && page.contains("nieuwkomer</td>"));
}

#[tokio::test]
async fn the_last_facilitator_cannot_leave() {
    let srv = start().await;
    let facilitator = browser();
    srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let net = "/networks/lerend-netwerk-baldemore";
    let res = srv
        .form_post(
            &facilitator,
            "/api/leave_network",
            net,
            &[("slug", "lerend-netwerk-baldemore")],
        )
        .await;
    let (_, page) = get_text(&facilitator, srv.url(&location(&res))).await;
    assert!(page.contains("minstens één procesbegeleider"), "clear message");
    let (status, _) = get_text(&facilitator, srv.url(&format!("{net}/members"))).await;
    assert_eq!(status, StatusCode::OK, "still a member");

    // Demoting oneself as the last facilitator, from the member page.
    let me_id = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        kring_app::accounts::entity::user::Entity::find()
            .filter(kring_app::accounts::entity::user::Column::Email.eq("facilitator@kring.demo"))
            .one(&srv.db)
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string()
    };
    let member_page = format!("{net}/members/{me_id}");
    let (status, _) = get_text(&facilitator, srv.url(&member_page)).await;
    assert_eq!(status, StatusCode::OK);
    let res = srv
        .form_post(
            &facilitator,
            "/api/change_member_role",
            &member_page,
            &[
                ("slug", "lerend-netwerk-baldemore"),
                ("user_id", &me_id),
                ("role", "coach"),
            ],
        )
        .await;
    let (_, page) = get_text(&facilitator, srv.url(&location(&res))).await;
    assert!(
        page.contains("minstens één procesbegeleider"),
        "{}",
        alert_of(&page)
    );

    // A hand-edited form (letters where the member id belongs) gets a
    // clear message, not "server unreachable".
    let res = srv
        .form_post(
            &facilitator,
            "/api/change_member_role",
            &member_page,
            &[
                ("slug", "lerend-netwerk-baldemore"),
                ("user_id", "abc"),
                ("role", "coach"),
            ],
        )
        .await;
    let (_, page) = get_text(&facilitator, srv.url(&location(&res))).await;
    assert!(
        page.contains("een waarde die Kring niet kan lezen"),
        "{}",
        alert_of(&page)
    );

    // The member list filters by name, forgiving accents and case.
    let (_, page) = get_text(&facilitator, srv.url(&format!("{net}/members?q=LOTTE"))).await;
    assert!(page.contains("Lotte Procesbegeleider"), "{page}");
    assert!(page.contains("gevonden"), "the count of matches is said");
    assert!(!page.contains("Sofie"), "others are filtered out");

    // Coaches see the member list, not the member pages.
    let coach = browser();
    srv.sign_in(&coach, "coach@kring.demo", PASSWORD, false).await;
    let (status, _) = get_text(&coach, srv.url(&member_page)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_directory_finds_networks_by_postcode() {
    let srv = start().await;
    let anonymous = browser();
    let res = anonymous
        .get(srv.url("/directory?q=2400"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND, "sign in first");

    let coach = browser();
    srv.sign_in(&coach, "coach@kring.demo", PASSWORD, false).await;
    let (status, page) = get_text(&coach, srv.url("/directory?q=2400")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Mol") && page.contains("Lerend netwerk Baldemore"));
    assert!(page.contains("facilitator@kring.demo"), "the listed contact");
    assert!(page.contains("Sociaal Huis Mol"), "organisations in Mol");
    let (_, page) = get_text(&coach, srv.url("/directory?q=Atlantis")).await;
    assert!(page.contains("Geen gemeente gevonden"));

    let res = srv
        .form_post(
            &coach,
            "/api/send_handover",
            "/directory?q=Leuven",
            &[
                ("slug", "werf-gezinscoach-leuven"),
                ("nis_code", "24062"),
                ("q", "Leuven"),
                ("message", "kort"),
            ],
        )
        .await;
    let (_, page) = get_text(&coach, srv.url(&location(&res))).await;
    assert!(
        page.contains("Bericht: gebruik minstens 10 tekens."),
        "clear error: {}",
        alert_of(&page)
    );
    assert!(page.contains("kort</textarea>"), "message kept");
}

/// The id of a demo account.
async fn user_id(db: &sea_orm::DatabaseConnection, email: &str) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    kring_app::accounts::entity::user::Entity::find()
        .filter(kring_app::accounts::entity::user::Column::Email.eq(email))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn a_series_is_scheduled_answered_once_and_followed_in_a_calendar() {
    use chrono::{Datelike, Duration, Utc};
    let srv = start().await;
    let facilitator = browser();
    srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let form_page = "/networks/lerend-netwerk-baldemore/sessions/new";
    let (status, _) = get_text(&facilitator, srv.url(form_page)).await;
    assert_eq!(status, StatusCode::OK);
    let day = (Utc::now().date_naive() + Duration::days(9)).to_string();
    let last = (Utc::now().date_naive() + Duration::days(9 + 7 * 9)).to_string();
    let mut form = vec![
        ("slug", "lerend-netwerk-baldemore"),
        ("title", "Intervisie Baldemore-test"),
        ("kind", "intervision"),
        ("day", day.as_str()),
        ("start", "13:30"),
        ("end", "12:00"),
        ("zone", "Europe/Brussels"),
        ("repeat", "weekly"),
        ("last_day", last.as_str()),
        ("capacity", "12"),
    ];
    // Bad input without JavaScript: a clear message, nothing lost.
    let res = srv
        .form_post(&facilitator, "/api/schedule_session", form_page, &form)
        .await;
    let (_, page) = get_text(&facilitator, srv.url(&location(&res))).await;
    assert!(
        page.contains("Het einduur ligt vóór het beginuur"),
        "{}",
        alert_of(&page)
    );
    assert!(
        page.contains("value=\"Intervisie Baldemore-test\""),
        "the title is kept"
    );
    form[5] = ("end", "15:30");
    let res = srv
        .form_post(&facilitator, "/api/schedule_session", form_page, &form)
        .await;
    let session_page = location(&res);
    assert!(session_page.starts_with("/sessions/"), "{session_page}");
    let id: i64 = session_page
        .trim_start_matches("/sessions/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (status, page) = get_text(&facilitator, srv.url(&session_page)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("10 bijeenkomsten"), "ten weekly meetings");

    // The coach answers once for the series.
    let coach = browser();
    srv.sign_in(&coach, "coach@kring.demo", PASSWORD, false).await;
    let series = {
        use sea_orm::EntityTrait;
        kring_app::sessions::entity::session::Entity::find_by_id(id)
            .one(&srv.db)
            .await
            .unwrap()
            .unwrap()
            .series_id
            .unwrap()
            .to_string()
    };
    let here = format!("/sessions/{id}");
    let res = srv
        .form_post(
            &coach,
            "/api/answer_series",
            &here,
            &[("id", &id.to_string()), ("series", &series), ("answer", "going")],
        )
        .await;
    let (_, page) = get_text(&coach, srv.url(&location(&res))).await;
    assert!(page.contains("alle komende bijeenkomsten"), "{}", alert_of(&page));
    let (_, list) = get_text(&coach, srv.url("/networks/lerend-netwerk-baldemore/sessions")).await;
    assert!(
        list.matches("Intervisie Baldemore-test").count() >= 10,
        "the network lists the series"
    );

    // A calendar feed made once, read without a browser session.
    let res = srv
        .form_post(&coach, "/api/new_feed_link", "/sessions", &[])
        .await;
    assert!(location(&res).starts_with("/sessions"));
    let (_, mine) = get_text(&coach, srv.url("/sessions")).await;
    let start = mine.find("/calendar/").expect("the new link is shown once");
    let end = start + mine[start..].find(".ics").unwrap() + 4;
    let feed_path = mine[start..end].to_owned();
    // With it, the feed of each of the coach's networks, same secret.
    let secret = feed_path
        .trim_start_matches("/calendar/")
        .trim_end_matches(".ics")
        .to_owned();
    let network_feed = format!("/calendar/{secret}/networks/lerend-netwerk-baldemore.ics");
    assert!(mine.contains(&network_feed), "the network feed link is shown");
    let net_calendar = reqwest::get(srv.url(&network_feed)).await.unwrap();
    assert_eq!(net_calendar.status(), StatusCode::OK);
    assert!(
        net_calendar
            .text()
            .await
            .unwrap()
            .contains("Intervisie Baldemore-test")
    );
    let (_, again) = get_text(&coach, srv.url("/sessions")).await;
    assert!(!again.contains(&feed_path), "and only once");
    assert!(!again.contains(&secret));
    let calendar = reqwest::get(srv.url(&feed_path)).await.unwrap();
    assert_eq!(calendar.status(), StatusCode::OK);
    assert!(
        calendar.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let etag = calendar.headers()["etag"].to_str().unwrap().to_owned();
    let body = calendar.text().await.unwrap();
    assert!(body.contains("BEGIN:VCALENDAR") && body.contains("Intervisie Baldemore-test"));
    // Calendar apps that send the ETag back get a bodiless 304 until
    // something changes, then the new feed.
    let poll = |tag: String| {
        let url = srv.url(&feed_path);
        async move {
            browser()
                .get(url)
                .header("if-none-match", tag)
                .send()
                .await
                .unwrap()
        }
    };
    let unchanged = poll(etag.clone()).await;
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.headers()["etag"].to_str().unwrap(), etag);
    assert!(unchanged.text().await.unwrap().is_empty());
    assert_eq!(poll("\"iets-anders\"".into()).await.status(), StatusCode::OK);
    let second = {
        use kring_app::sessions::entity::session;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        session::Entity::find()
            .filter(session::Column::SeriesId.eq(series.parse::<i64>().unwrap()))
            .order_by_asc(session::Column::StartsAt)
            .all(&srv.db)
            .await
            .unwrap()[1]
            .id
            .to_string()
    };
    let declined = srv
        .form_post(
            &coach,
            "/api/answer_session",
            &format!("/sessions/{second}"),
            &[("id", &second), ("answer", "not_going")],
        )
        .await;
    assert_eq!(declined.status(), StatusCode::FOUND);
    let changed = poll(etag.clone()).await;
    assert_eq!(changed.status(), StatusCode::OK, "a change is in the next poll");
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(
        changed.text().await.unwrap().matches("BEGIN:VEVENT").count() + 1,
        body.matches("BEGIN:VEVENT").count(),
        "the declined meeting left the feed"
    );
    assert_eq!(
        reqwest::get(srv.url("/calendar/geraden.ics"))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // One session as .ics: for people who may read it.
    let ics = format!("/sessions/{id}/ics");
    assert_eq!(
        reqwest::get(srv.url(&ics)).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let one = coach.get(srv.url(&ics)).send().await.unwrap();
    assert_eq!(one.status(), StatusCode::OK);
    assert_eq!(one.text().await.unwrap().matches("BEGIN:VEVENT").count(), 1);
    let stranger = browser();
    srv.sign_in(&stranger, "coordinator.oostende@kring.demo", PASSWORD, false)
        .await;
    let (status, _) = get_text(&stranger, srv.url(&here)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another network's session");
    assert_eq!(
        stranger.get(srv.url(&ics)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // Attendance (checkbox list without JavaScript) and the hours CSV.
    let sofie = user_id(&srv.db, "coach@kring.demo").await.to_string();
    let res = srv
        .form_post(
            &facilitator,
            "/api/record_attendance",
            &here,
            &[
                ("id", &id.to_string()),
                ("present[0]", &sofie),
                ("minutes", "Goed gesprek"),
            ],
        )
        .await;
    let (_, page) = get_text(&facilitator, srv.url(&location(&res))).await;
    assert!(
        page.contains("Aanwezigheid en verslag zijn bewaard"),
        "{}",
        alert_of(&page)
    );
    let year = (Utc::now().date_naive() + Duration::days(9)).year();
    let csv = coach
        .get(srv.url(&format!("/sessions/hours.csv?year={year}")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains("Intervisie Baldemore-test") && csv.contains("\"2,00\""),
        "{csv}"
    );
    let (_, hours) = get_text(&coach, srv.url(&format!("/sessions/hours?year={year}"))).await;
    assert!(hours.contains("Intervisie Baldemore-test"));
}

/// The `name="key[eN]"` rows of the case editor: (field, key).
fn finding_rows(page: &str) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find("name=\"key[") {
        rest = &rest[i + "name=\"key[".len()..];
        let Some(end) = rest.find(']') else { break };
        let field = rest[..end].to_owned();
        let Some(v) = rest.find("value=\"") else { break };
        let value_start = &rest[v + "value=\"".len()..];
        let Some(q) = value_start.find('"') else { break };
        rows.push((field, value_start[..q].replace("&amp;", "&")));
    }
    rows
}

#[tokio::test]
async fn a_case_is_written_checked_and_published_without_javascript() {
    let srv = start().await;
    let coach = browser();
    // A coach of the network who has not read its cases yet (the demo's
    // authors have accepted the statement already).
    srv.sign_in(&coach, "coordinator.mechelen@kring.demo", PASSWORD, false)
        .await;
    let slug = "lerend-netwerk-lokale-gezinscoaches";
    let list = format!("/networks/{slug}/cases");

    // The confidentiality statement comes first.
    let (status, page) = get_text(&coach, srv.url(&list)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ik aanvaard deze verklaring"), "{page}");
    let res = srv
        .form_post(
            &coach,
            "/api/accept_confidentiality",
            &list,
            &[("slug", slug), ("next", &list)],
        )
        .await;
    assert_eq!(location(&res), list);
    let (_, page) = get_text(&coach, srv.url(&list)).await;
    assert!(page.contains("Nieuwe casus") && !page.contains("Ik aanvaard deze verklaring"));

    let body = "Mama Fatima El Amrani woont met haar zoon Jonas (9) in de Kerkstraat 12, 2400 Mol. \
                Bel haar op 0470 12 34 56. Het OCMW volgt mee op.";
    let new_page = format!("/networks/{slug}/cases/new");
    let res = srv
        .form_post(
            &coach,
            "/api/create_case",
            &new_page,
            &[
                ("slug", slug),
                ("title", "Schoolkosten in het derde leerjaar"),
                ("body", body),
                ("session", ""),
            ],
        )
        .await;
    let editor = location(&res);
    assert!(
        editor.starts_with("/cases/") && editor.contains("/edit"),
        "{editor}"
    );
    let id = editor
        .trim_start_matches("/cases/")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let editor = format!("/cases/{id}/edit");
    let (status, page) = get_text(&coach, srv.url(&editor)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<mark class=\"finding open"),
        "findings highlighted"
    );
    let rows = finding_rows(&page);
    assert!(rows.len() >= 3, "{rows:?}");

    // Publishing with undecided findings: a clear error, the draft kept.
    let res = srv
        .form_post(
            &coach,
            "/api/save_case",
            &editor,
            &[
                ("id", &id),
                ("title", "Schoolkosten in het derde leerjaar"),
                ("body", body),
                ("intent", "publish"),
            ],
        )
        .await;
    let (_, page) = get_text(&coach, srv.url(&location(&res))).await;
    assert!(page.contains("zonder keuze"), "{}", alert_of(&page));
    assert!(page.contains("Kerkstraat 12"), "the draft is kept for its author");

    // Every finding gets its suggested pseudonym; then it is published.
    let mut form: Vec<(String, String)> = vec![
        ("id".into(), id.clone()),
        ("title".into(), "Schoolkosten in het derde leerjaar".into()),
        ("body".into(), body.into()),
        ("intent".into(), "publish".into()),
    ];
    for (field, key) in &rows {
        form.push((format!("key[{field}]"), key.clone()));
        form.push((format!("choice[{field}]"), "pseudonym".into()));
    }
    let form_ref: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = srv.form_post(&coach, "/api/save_case", &editor, &form_ref).await;
    assert_eq!(
        location(&res),
        format!("/cases/{id}?done=published"),
        "{}",
        res.status()
    );

    // A reader of the network sees no original name, address or number.
    let reader = browser();
    srv.sign_in(&reader, "coordinator.herenthout@kring.demo", PASSWORD, false)
        .await;
    let thread = format!("/cases/{id}");
    let (status, page) = get_text(&reader, srv.url(&thread)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ik aanvaard deze verklaring"), "statement first");
    srv.form_post(
        &reader,
        "/api/accept_confidentiality",
        &thread,
        &[("slug", slug), ("next", &thread)],
    )
    .await;
    let (status, page) = get_text(&reader, srv.url(&thread)).await;
    assert_eq!(status, StatusCode::OK);
    for original in ["Fatima", "Amrani", "Jonas", "Kerkstraat", "0470", "12 34 56"] {
        assert!(!page.contains(original), "{original} in the page source");
    }
    assert!(page.contains("OCMW"));
    // The raw draft stays with its author.
    let (status, _) = get_text(&reader, srv.url(&editor)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A member of another network guessing the id: not found.
    let stranger = browser();
    srv.sign_in(&stranger, "coach@kring.demo", PASSWORD, false).await;
    for path in [thread.as_str(), editor.as_str(), list.as_str()] {
        let (status, page) = get_text(&stranger, srv.url(path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.contains("OCMW volgt"), "{path}");
    }
}

/// Many readers at once on a multi-threaded runtime: every page arrives
/// whole. (An island kept a thread-local value that panicked when its owner
/// was cleaned up on another worker thread, cutting responses off.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_thread_arrives_whole_under_concurrent_reads() {
    let srv = start().await;
    let reader = browser();
    srv.sign_in(&reader, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let (slug, list) = (
        "lerend-netwerk-lokale-gezinscoaches",
        "/networks/lerend-netwerk-lokale-gezinscoaches/cases",
    );
    srv.form_post(
        &reader,
        "/api/accept_confidentiality",
        list,
        &[("slug", slug), ("next", list)],
    )
    .await;
    let (_, list) = get_text(&reader, srv.url(list)).await;
    let at = list.find("href=\"/cases/").expect("a demo case") + "href=\"/cases/".len();
    let id: String = list[at..].chars().take_while(char::is_ascii_digit).collect();
    let url = srv.url(&format!("/cases/{id}"));
    for _ in 0..10 {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (client, url) = (reader.clone(), url.clone());
            tasks.spawn(async move {
                let res = client
                    .get(url)
                    .header(ACCEPT, "text/html")
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                res.text().await.map_err(|e| e.to_string())
            });
        }
        while let Some(done) = tasks.join_next().await {
            let body = done.expect("task").expect("a whole response");
            let tail: String = body
                .chars()
                .rev()
                .take(300)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            assert!(
                body.contains("id=\"reply\"") && body.contains("</body></html>"),
                "{} bytes, ending {tail:?}",
                body.len()
            );
        }
    }
}

/// Reactions and reports work as plain forms: a reader thanks the writer of
/// the case and reports it; an empty report is refused with a clear error
/// on the report page; the facilitators see the report.
#[tokio::test]
async fn a_reader_reacts_and_reports_without_javascript() {
    let srv = start().await;
    let reader = browser();
    srv.sign_in(&reader, "coordinator.herenthout@kring.demo", PASSWORD, false)
        .await;
    let slug = "lerend-netwerk-lokale-gezinscoaches";
    let list = format!("/networks/{slug}/cases");
    srv.form_post(
        &reader,
        "/api/accept_confidentiality",
        &list,
        &[("slug", slug), ("next", &list)],
    )
    .await;
    let (_, page) = get_text(&reader, srv.url(&list)).await;
    let at = page.find("href=\"/cases/").expect("a demo case") + "href=\"/cases/".len();
    let id: String = page[at..].chars().take_while(char::is_ascii_digit).collect();
    let thread = format!("/cases/{id}");

    let (status, page) = get_text(&reader, srv.url(&thread)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"action="/api/react""#), "a reactions form");
    assert!(page.contains(r#"name="reaction" value="thanks""#));
    let report_page = format!("/cases/{id}/report?post=0");
    assert!(page.contains(&format!("href=\"{}\"", report_page.replace('&', "&amp;"))));

    let res = srv
        .form_post(
            &reader,
            "/api/react",
            &thread,
            &[("case_id", &id), ("reply_id", "0"), ("reaction", "thanks")],
        )
        .await;
    assert_eq!(location(&res), format!("{thread}#post-0"));
    let (_, page) = get_text(&reader, srv.url(&thread)).await;
    let reactions = page
        .find(r#"action="/api/react""#)
        .map(|at| &page[at..(at + 900).min(page.len())])
        .unwrap_or_default();
    assert!(
        page.contains(r#"value="thanks" aria-pressed="true""#),
        "the reader's own reaction is shown pressed: {reactions}"
    );

    let (status, page) = get_text(&reader, srv.url(&report_page)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<textarea id="reason" name="reason""#), "{page}");
    let res = srv
        .form_post(
            &reader,
            "/api/report_post",
            &report_page,
            &[("case_id", &id), ("reply_id", "0"), ("reason", "  ")],
        )
        .await;
    let back = location(&res);
    assert!(back.starts_with(&format!("/cases/{id}/report")), "{back}");
    let (_, page) = get_text(&reader, srv.url(&back)).await;
    assert!(
        page.contains(r#"class="alert error""#),
        "an empty report is refused"
    );

    let reason = "De straatnaam in de tweede alinea maakt het gezin herkenbaar";
    let res = srv
        .form_post(
            &reader,
            "/api/report_post",
            &report_page,
            &[("case_id", &id), ("reply_id", "0"), ("reason", reason)],
        )
        .await;
    assert_eq!(location(&res), format!("{thread}?done=reported"));

    let facilitator = browser();
    srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let (_, page) = get_text(&facilitator, srv.url(&format!("{list}/review"))).await;
    assert!(page.contains(reason), "the facilitators see the report");
}

/// `GET /api/search` as JSON.
async fn search_json(srv: &TestServer, client: &Client, query: &str) -> serde_json::Value {
    let res = client
        .get(srv.url("/api/search"))
        .query(&[("q", query)])
        .header(ACCEPT, "application/json")
        .send()
        .await
        .expect("search");
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

fn slugs(found: &serde_json::Value) -> Vec<String> {
    found["results"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h["slug"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_newcomer_browses_and_searches_the_library_without_an_account() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let srv = start().await;
    let client = browser();
    // Browsing: every public demo practice, theme counts as links.
    let (status, page) = get_text(&client, srv.url("/library")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Huisvesting") && page.contains("/library?theme=huisvesting"),
        "{page}"
    );
    let all = search_json(&srv, &client, "").await;
    assert_eq!(all["total"], 60, "the public demo practices");
    // A typo still finds housing; a network practice never shows.
    let found = search_json(&srv, &client, "huisvesing").await;
    assert!(found["total"].as_u64().unwrap_or(0) > 0, "{found}");
    let first = slugs(&found)[0].clone();
    let (status, page) = get_text(&client, srv.url(&format!("/library/{first}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("class=\"markdown\""));
    // Filter by theme, without JavaScript: a plain GET with the results.
    let (status, page) = get_text(&client, srv.url("/library?q=school&theme=onderwijs")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("aria-current=\"true\""),
        "the chosen theme is marked"
    );
    // Queries that would break a query parser answer normally.
    for q in ["\"unclosed", "AND AND", &"x".repeat(2000), ""] {
        let (status, page) = get_text(&client, format!("{}?q={}", srv.url("/search"), q)).await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert!(!page.contains("role=\"alert\""), "{q}: {}", alert_of(&page));
    }
    // A page far past the last one, or not a number: an answer, no error.
    for query in ["q=school&page=99999", "page=-1", "page=twee", "theme=onbestaand"] {
        let (status, page) = get_text(&client, format!("{}?{query}", srv.url("/library"))).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert!(!page.contains("role=\"alert\""), "{query}: {}", alert_of(&page));
    }
    let res = client
        .get(srv.url("/api/search?q=school&page=99999"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let far: serde_json::Value = res.json().await.unwrap();
    assert!(
        far["total"].as_u64().unwrap() > 0 && far["results"].as_array().unwrap().is_empty(),
        "{far}"
    );
    // The network's practices: not found for a visitor, even by address.
    let network_only = kring_app::library::entity::practice::Entity::find()
        .filter(kring_app::library::entity::practice::Column::Visibility.eq("network"))
        .one(&srv.db)
        .await
        .unwrap()
        .expect("a network practice in the demo");
    let (status, _) = get_text(&client, srv.url(&format!("/library/{}", network_only.slug))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let words = network_only.title.clone();
    assert!(!slugs(&search_json(&srv, &client, &words).await).contains(&network_only.slug));
    // ... and members find it.
    srv.sign_in(&client, "coordinator.leuven@kring.demo", PASSWORD, false)
        .await;
    assert!(slugs(&search_json(&srv, &client, &words).await).contains(&network_only.slug));
}

#[tokio::test]
async fn a_coach_writes_edits_compares_and_restores_a_practice_without_javascript() {
    let srv = start().await;
    let client = browser();
    srv.sign_in(&client, "coordinator.leuven@kring.demo", PASSWORD, false)
        .await;
    let (status, page) = get_text(&client, srv.url("/library/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"themes[0]\""), "theme checkboxes");
    // A bad post (no themes) returns to the form with the error and the text.
    let body = "## Aanpak\n\n| Stap | Wie |\n|---|---|\n| Zwemles regelen | sportdienst |";
    let mut form = vec![
        ("network", "lerend-netwerk-lokale-gezinscoaches"),
        ("title", "Zwemlessen voor elk kind"),
        ("summary", "Gratis zwemles via de sportdienst."),
        ("body", body),
        ("municipalities", "Leuven"),
        ("organisation", "Sportdienst Leuven"),
        ("visibility", "public"),
    ];
    let res = srv
        .form_post(&client, "/api/create_practice", "/library/new", &form)
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = location(&res);
    assert!(
        back.starts_with("/library/new") && back.contains("Zwemlessen"),
        "{back}"
    );
    let (_, page) = get_text(&client, srv.url(&back)).await;
    assert!(alert_of(&page).contains("Levensdomeinen"), "{}", alert_of(&page));
    assert!(page.contains("Zwemlessen voor elk kind"), "the title is kept");

    // Another bad post (an unknown municipality): the chosen theme stays
    // checked, the others unchecked.
    form.push(("themes[6]", "vrije-tijd"));
    let mut wrong = form.clone();
    wrong.retain(|(k, _)| *k != "municipalities");
    wrong.push(("municipalities", "Atlantis"));
    let res = srv
        .form_post(&client, "/api/create_practice", "/library/new", &wrong)
        .await;
    let (_, page) = get_text(&client, srv.url(&location(&res))).await;
    assert!(alert_of(&page).contains("Atlantis"), "{}", alert_of(&page));
    let checkbox = |key: &str| {
        let at = page.find(&format!("value=\"{key}\"")).expect("checkbox");
        let start = page[..at].rfind("<input").unwrap_or(0);
        let end = at + page[at..].find('>').unwrap_or(0);
        page[start..end].to_owned()
    };
    assert!(
        checkbox("vrije-tijd").contains("checked"),
        "{}",
        checkbox("vrije-tijd")
    );
    assert!(!checkbox("huisvesting").contains("checked"));

    // A hand-made checkbox name far out of range is ignored, not an error.
    let mut posted = form.clone();
    posted.push(("themes[999]", "onzin"));
    let res = srv
        .form_post(&client, "/api/create_practice", "/library/new", &posted)
        .await;
    assert_eq!(location(&res), "/library/zwemlessen-voor-elk-kind");
    let (status, page) = get_text(&client, srv.url("/library/zwemlessen-voor-elk-kind")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<table>") && page.contains("Vrije tijd"), "{page}");

    // Searchable within a second (the outbox task applies it).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        if slugs(&search_json(&srv, &client, "zwemles").await)
            .contains(&"zwemlessen-voor-elk-kind".to_owned())
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not searchable after 1 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Edit: a second revision, the diff shows the change, restore brings
    // the first text back as a third.
    let mut edit = vec![("slug", "zwemlessen-voor-elk-kind")];
    let new_body = format!("{body}\n\nOok voor ouders: zwemles op zaterdag.");
    edit.extend(
        form.iter()
            .filter(|(k, _)| *k != "network" && *k != "body")
            .copied(),
    );
    edit.push(("body", new_body.as_str()));
    let res = srv
        .form_post(
            &client,
            "/api/update_practice",
            "/library/zwemlessen-voor-elk-kind/edit",
            &edit,
        )
        .await;
    assert_eq!(location(&res), "/library/zwemlessen-voor-elk-kind");
    let (_, page) = get_text(&client, srv.url("/library/zwemlessen-voor-elk-kind/history")).await;
    assert!(
        page.contains("class=\"added\"") && page.contains("zwemles op zaterdag"),
        "{page}"
    );
    let res = srv
        .form_post(
            &client,
            "/api/restore_practice",
            "/library/zwemlessen-voor-elk-kind/history",
            &[("slug", "zwemlessen-voor-elk-kind"), ("number", "1")],
        )
        .await;
    assert_eq!(location(&res), "/library/zwemlessen-voor-elk-kind/history");
    let (_, page) = get_text(&client, srv.url("/library/zwemlessen-voor-elk-kind")).await;
    assert!(
        !page.contains("zwemles op zaterdag") && page.contains("Versie 3"),
        "{page}"
    );

    // Another network's coach cannot edit it.
    let other = browser();
    srv.sign_in(&other, "coach@kring.demo", PASSWORD, false).await;
    let res = srv
        .form_post(
            &other,
            "/api/update_practice",
            "/library/zwemlessen-voor-elk-kind/edit",
            &edit,
        )
        .await;
    assert_ne!(res.status(), StatusCode::OK);
    let unchanged = kring_app::library::domain::find(&srv.db, "zwemlessen-voor-elk-kind")
        .await
        .expect("practice");
    assert_eq!(unchanged.revision, 3, "another network's coach changed nothing");
    let (status, _) = get_text(&other, srv.url("/library/zwemlessen-voor-elk-kind/edit")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A facilitator closes a demo case and turns it into a draft practice
/// without JavaScript: the editor opens with the case's text and the
/// reminder to check it; a second click opens the same draft; a coach of
/// another network cannot do it, not even by posting the id.
#[tokio::test]
async fn a_closed_case_becomes_a_draft_practice_without_javascript() {
    let srv = start().await;
    let facilitator = browser();
    srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let slug = "lerend-netwerk-lokale-gezinscoaches";
    let list = format!("/networks/{slug}/cases");
    srv.form_post(
        &facilitator,
        "/api/accept_confidentiality",
        &list,
        &[("slug", slug), ("next", &list)],
    )
    .await;
    let (_, page) = get_text(&facilitator, srv.url(&list)).await;
    let at = page.find("href=\"/cases/").expect("a demo case") + "href=\"/cases/".len();
    let id: String = page[at..].chars().take_while(char::is_ascii_digit).collect();
    let thread = format!("/cases/{id}");
    let (_, page) = get_text(&facilitator, srv.url(&thread)).await;
    assert!(
        !page.contains("/api/promote_case"),
        "an open case is not promoted yet"
    );

    let res = srv
        .form_post(&facilitator, "/api/close_case", &thread, &[("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let (_, page) = get_text(&facilitator, srv.url(&thread)).await;
    assert!(page.contains(r#"action="/api/promote_case""#), "the promote form");
    assert!(page.contains("Maak er een goede praktijk van"));

    let promote = [("id", id.as_str()), ("english", "false")];
    let res = srv
        .form_post(&facilitator, "/api/promote_case", &thread, &promote)
        .await;
    let editor = location(&res);
    assert!(
        editor.starts_with("/library/") && editor.ends_with("/edit"),
        "{editor}"
    );
    let (status, page) = get_text(&facilitator, srv.url(&editor)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Dit concept groeide uit een afgesloten casus"));
    assert!(page.contains("## De situatie"), "the body is prefilled");
    assert!(page.contains(r#"name="publish""#), "a draft can be published");
    let again = srv
        .form_post(&facilitator, "/api/promote_case", &thread, &promote)
        .await;
    assert_eq!(location(&again), editor, "the same draft");

    // The draft is nobody else's business yet.
    let practice = editor.trim_end_matches("/edit").to_owned();
    let outsider = browser();
    srv.sign_in(&outsider, "coach@kring.demo", PASSWORD, false).await;
    let (status, _) = get_text(&outsider, srv.url(&practice)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = srv
        .form_post(&outsider, "/api/promote_case", &thread, &promote)
        .await;
    assert!(!location(&res).starts_with("/library/"), "{}", location(&res));
    let (_, page) = get_text(&outsider, srv.url(&location(&res))).await;
    assert!(!page.contains("## De situatie"));
}

/// Every kind of response (pages, a 404, JSON, a server function's
/// redirect, static assets) carries the baseline security headers.
#[tokio::test]
async fn every_response_carries_the_baseline_security_headers() {
    let srv = start().await;
    let client = browser();
    let mut responses = Vec::new();
    for path in [
        "/",
        "/library",
        "/sign-in",
        "/no-such-page",
        "/api/search?q=school",
        "/pkg/kring.css",
        "/favicon.svg",
    ] {
        let res = client.get(srv.url(path)).send().await.unwrap();
        responses.push((path.to_owned(), res));
    }
    let res = srv
        .form_post(
            &client,
            "/api/sign_in",
            "/sign-in",
            &[("email", "nobody@example.be"), ("password", "wrong")],
        )
        .await;
    responses.push(("POST /api/sign_in".to_owned(), res));
    for (what, res) in &responses {
        let h = res.headers();
        assert_eq!(
            h.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{what}"
        );
        assert_eq!(
            h.get("x-frame-options").map(|v| v.as_bytes()),
            Some(&b"DENY"[..]),
            "{what}"
        );
        assert_eq!(
            h.get("referrer-policy").map(|v| v.as_bytes()),
            Some(&b"same-origin"[..]),
            "{what}"
        );
    }
    assert_eq!(responses[3].1.status(), StatusCode::NOT_FOUND);

    // Pages: scripts only from Kring or with this response's nonce, which
    // is the one on the page's scripts and new for every response.
    let mut nonces = Vec::new();
    for (what, res) in responses {
        let policy = res
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"))
            .to_owned();
        assert_strict_policy(&what, &policy);
        assert!(
            res.headers().get("strict-transport-security").is_none(),
            "{what}: HSTS over http"
        );
        let page = res
            .headers()
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
        if !page {
            assert!(policy.starts_with("default-src 'none'"), "{what}: {policy}");
            continue;
        }
        let body = res.text().await.unwrap();
        let nonce = page_nonce(&what, &policy, &body);
        assert!(nonce.len() >= 16, "{what}: nonce {nonce}");
        nonces.push(nonce);
    }
    assert!(nonces.len() >= 4, "every page was checked: {nonces:?}");
    let distinct: std::collections::BTreeSet<&String> = nonces.iter().collect();
    assert_eq!(distinct.len(), nonces.len(), "a new nonce per response");
}

/// A Content-Security-Policy without plugins, `<base>`, framing or
/// `unsafe-inline` (pages and every other response alike).
fn assert_strict_policy(what: &str, policy: &str) {
    for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
        assert!(policy.contains(directive), "{what}: {policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{what}: {policy}");
}

/// A page's policy is strict and every script carries its nonce; returns
/// the nonce.
fn page_nonce(what: &str, policy: &str, body: &str) -> String {
    assert_strict_policy(what, policy);
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("{what}: no nonce in '{policy}'"));
    // leptos_i18n leaves an empty `<script></script>` placeholder; browsers
    // skip an empty inline script before any CSP check.
    let scripts = body.matches("<script").count() - body.matches("<script></script>").count();
    assert!(scripts > 0, "{what}: no hydration script");
    assert_eq!(
        body.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "{what}: a script without the response's nonce"
    );
    nonce.to_owned()
}

/// Behind https (the public address says so): HSTS, and cookies that only
/// go back over https to this very host (`__Host-`, Secure, HttpOnly).
#[tokio::test]
async fn behind_https_the_browser_is_pinned_to_it_and_cookies_are_host_only() {
    let srv = start_at(true, Some("https://kring.example.be")).await;
    let client = browser();
    let res = client.get(srv.url("/")).send().await.unwrap();
    assert_eq!(
        res.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000; includeSubDomains")
    );
    let mut cookies: Vec<String> = Vec::new();
    let signed_in = srv.sign_in(&client, "coach@kring.demo", PASSWORD, false).await;
    assert!(signed_in.status().is_success(), "{}", signed_in.status());
    let switched = srv
        .form_post(
            &client,
            "/api/set_language",
            "/",
            &[("lang", "en"), ("next", "/")],
        )
        .await;
    assert!(switched.status().is_redirection(), "{}", switched.status());
    for res in [signed_in, switched] {
        cookies.extend(
            res.headers()
                .get_all(SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_owned),
        );
    }
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-kring_session="))
        .unwrap_or_else(|| panic!("no __Host- session cookie in {cookies:?}"));
    for flag in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(
            session.split("; ").any(|f| f == flag),
            "{flag} missing: {session}"
        );
    }
    assert!(!session.contains("Domain="), "{session}");
    let locale = cookies
        .iter()
        .find(|c| c.starts_with("__Host-kring_lang="))
        .unwrap_or_else(|| panic!("no __Host- language cookie in {cookies:?}"));
    assert!(
        locale.contains("; Secure") && locale.contains("Path=/"),
        "{locale}"
    );
    assert!(
        cookies.iter().all(|c| c.starts_with("__Host-")),
        "every cookie is host-only: {cookies:?}"
    );
}

/// Every page of the product (the router's own list, parameters filled from
/// the demo data), anonymous and signed in as a facilitator: the security
/// headers, a Content-Security-Policy with this response's nonce, and
/// cookies that scripts cannot read and other sites do not get.
#[tokio::test]
async fn every_page_carries_the_security_headers_and_safe_cookies() {
    use sea_orm::{ConnectionTrait, Statement};
    let srv = start().await;
    let db = &srv.db;
    let one = |sql: &'static str| async move {
        let row = db
            .query_one(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("nothing for {sql}"));
        row.try_get_by_index::<i64>(0)
            .map(|n| n.to_string())
            .or_else(|_| row.try_get_by_index::<String>(0))
            .unwrap()
    };
    let network = "lerend-netwerk-lokale-gezinscoaches";
    let user = one("SELECT id FROM users WHERE email = 'facilitator@kring.demo'").await;
    let method = one("SELECT id FROM methods ORDER BY id LIMIT 1").await;
    let session = one(
        "SELECT id FROM sessions WHERE network_id = (SELECT id FROM networks WHERE slug = 'lerend-netwerk-lokale-gezinscoaches') ORDER BY id LIMIT 1",
    )
    .await;
    let case = one(
        "SELECT id FROM cases WHERE network_id = (SELECT id FROM networks WHERE slug = 'lerend-netwerk-lokale-gezinscoaches') ORDER BY id LIMIT 1",
    )
    .await;
    let practice = one("SELECT slug FROM practices WHERE visibility = 'public' ORDER BY id LIMIT 1").await;

    // The same (cached) list the server was built from: generating it again
    // here, while other tests' servers render, would stall their pages.
    let routes = http::routes();
    let mut paths: Vec<String> = routes
        .iter()
        .map(|r| {
            r.path()
                .split('/')
                .map(|part| {
                    // axum 0.8 writes parameters as `{id}`, older ones `:id`.
                    let param = part
                        .strip_prefix(':')
                        .or_else(|| part.strip_prefix('{').and_then(|p| p.strip_suffix('}')));
                    match param {
                        Some("slug") if r.path().starts_with("/library") => practice.clone(),
                        Some("slug") => network.to_owned(),
                        Some("user") => user.clone(),
                        Some("token") => "onbekende-uitnodiging".to_owned(),
                        Some("id") if r.path().starts_with("/sessions") => session.clone(),
                        Some("id") if r.path().starts_with("/cases") => case.clone(),
                        Some("id") if r.path().contains("/methods/") => method.clone(),
                        Some(other) => panic!("no value for {other} in {}", r.path()),
                        None => part.to_owned(),
                    }
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    paths.sort();
    paths.dedup();
    assert!(paths.len() >= 30, "the router's pages: {paths:?}");
    paths.push("/bestaat-niet".to_owned());

    let anonymous = browser();
    let facilitator = browser();
    assert!(
        srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, true)
            .await
            .status()
            .is_success()
    );
    let mut found = 0;
    for (who, client) in [("anonymous", &anonymous), ("facilitator", &facilitator)] {
        for path in &paths {
            let what = format!("{who} GET {path}");
            let res = client.get(srv.url(path)).send().await.unwrap();
            let status = res.status();
            assert!(
                status.is_success() || status.is_redirection() || status == StatusCode::NOT_FOUND,
                "{what}: {status}"
            );
            let h = res.headers().clone();
            let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
            assert_eq!(get("x-frame-options"), "DENY", "{what}");
            assert_eq!(get("referrer-policy"), "same-origin", "{what}");
            for cookie in h.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
                assert!(cookie.contains("SameSite=Lax"), "{what}: {cookie}");
                if cookie.contains("kring_session") {
                    assert!(cookie.contains("HttpOnly"), "{what}: {cookie}");
                }
            }
            if status.is_redirection() {
                continue;
            }
            let policy = get("content-security-policy");
            let body = res.text().await.unwrap();
            page_nonce(&what, &policy, &body);
            assert!(
                !body.contains(" style=\""),
                "{what}: an inline style the policy would refuse"
            );
            if status.is_success() {
                found += 1;
            }
        }
    }
    // Anonymous visitors meet sign-in redirects; the facilitator sees pages.
    assert!(
        found >= paths.len(),
        "too few pages answered 200: {found} of {}",
        2 * paths.len()
    );
}

/// Another network's cases and network-only practices never reach an
/// outsider through any server function (the JSON endpoints included):
/// every registered one is called, GET or POST, with the other network's
/// slug and ids in every argument that names something, as a coach of
/// another network and as an anonymous visitor. Nothing of that network
/// changes either.
#[tokio::test]
async fn no_server_function_leaks_or_changes_another_networks_data() {
    use sea_orm::{ConnectionTrait, Statement};
    // Without rate limits: every call must reach its server function.
    let srv = start_full(true, None, None).await;
    let db = &srv.db;
    let rows = |sql: String| async move {
        db.query_all(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .into_iter()
            .map(|row| {
                row.try_get_by_index::<i64>(0)
                    .map(|n| n.to_string())
                    .or_else(|_| row.try_get_by_index::<String>(0))
                    .unwrap()
            })
            .collect::<Vec<String>>()
    };
    let net = "lerend-netwerk-lokale-gezinscoaches";
    let of_net = format!("network_id = (SELECT id FROM networks WHERE slug = '{net}')");
    // coach@kring.demo is a member of Baldemore only.
    assert!(
        rows(format!(
            "SELECT m.network_id FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE u.email = 'coach@kring.demo' AND m.{of_net}"
        ))
        .await
        .is_empty()
    );
    let public_titles = rows("SELECT title FROM practices WHERE visibility = 'public'".into()).await;
    let mut secrets: Vec<String> = rows(format!("SELECT title FROM cases WHERE {of_net}")).await;
    secrets.extend(
        rows(format!(
            "SELECT title FROM practices WHERE visibility = 'network' AND {of_net}"
        ))
        .await,
    );
    secrets.extend(
        rows(format!(
            "SELECT body FROM case_replies WHERE case_id IN (SELECT id FROM cases WHERE {of_net})"
        ))
        .await
        .into_iter()
        .map(|body| body.chars().take(40).collect()),
    );
    secrets.retain(|s| s.chars().count() >= 12 && !public_titles.contains(s));
    assert!(
        secrets.len() >= 3,
        "the other network has cases to protect: {secrets:?}"
    );
    let cases = rows(format!("SELECT id FROM cases WHERE {of_net} ORDER BY id")).await;
    let sessions = rows(format!("SELECT id FROM sessions WHERE {of_net} ORDER BY id")).await;
    let practices = rows(format!("SELECT slug FROM practices WHERE {of_net} ORDER BY id")).await;
    let members = rows(format!(
        "SELECT user_id FROM memberships WHERE {of_net} ORDER BY user_id"
    ))
    .await;
    let state = || {
        rows(format!(
            "SELECT status || '|' || title || '|' || COALESCE(closed_at, '') || '|' || \
             (SELECT COUNT(*) FROM case_replies r WHERE r.case_id = cases.id) FROM cases WHERE {of_net} ORDER BY id"
        ))
    };
    let before = (state().await, members.clone());

    let mut functions: Vec<(&'static str, reqwest::Method)> = leptos::server_fn::axum::server_fn_paths()
        .filter(|(path, _)| !path.ends_with("/sign_out") && !path.ends_with("/sign_in"))
        .collect();
    functions.sort_by_key(|(path, _)| *path);
    assert!(
        functions.len() >= 60,
        "every server function: {}",
        functions.len()
    );

    // Each try names the other network's things in every argument that can.
    let mut tries: Vec<Vec<(&str, String)>> = Vec::new();
    let first = |v: &[String]| v.first().cloned().unwrap_or_default();
    for id in cases.iter().chain(sessions.iter().take(2)) {
        tries.push(vec![
            ("slug", net.to_owned()),
            ("id", id.clone()),
            ("case_id", id.clone()),
            ("user_id", first(&members)),
            ("method", "1".into()),
            ("series", "1".into()),
            ("english", "false".into()),
            ("q", secrets[0].clone()),
            ("filter", String::new()),
            ("page", "1".into()),
            ("answer", "yes".into()),
        ]);
    }
    for slug in practices.iter().take(3) {
        tries.push(vec![
            ("slug", slug.clone()),
            ("english", "false".into()),
            ("number", "1".into()),
            ("id", first(&cases)),
        ]);
    }
    let coach = browser();
    assert!(
        srv.sign_in(&coach, "coach@kring.demo", PASSWORD, false)
            .await
            .status()
            .is_success()
    );
    let anonymous = browser();
    let mut calls = 0;
    for (who, client) in [("coach of another network", &coach), ("anonymous", &anonymous)] {
        for (path, method) in &functions {
            for args in &tries {
                let req = if *method == reqwest::Method::GET {
                    client.get(srv.url(path)).query(args)
                } else {
                    client
                        .post(srv.url(path))
                        .header(ORIGIN, &srv.base)
                        .header(ACCEPT, "application/json")
                        .form(args)
                };
                let res = req.send().await.unwrap();
                // (Refusals come back as the error's JSON; leptos sends
                // every server-function error with status 500.)
                let body = res.text().await.unwrap();
                for secret in &secrets {
                    assert!(
                        !body.contains(secret.as_str()),
                        "{who}: {method} {path} with {args:?} showed «{secret}»"
                    );
                }
                calls += 1;
            }
        }
    }
    assert!(calls > 500, "{calls} calls");

    // The calls are well formed: the same ones show the network's own
    // facilitator what the outsider never saw (read-only functions only).
    let member = browser();
    assert!(
        srv.sign_in(&member, "facilitator@kring.demo", PASSWORD, false)
            .await
            .status()
            .is_success()
    );
    for reader in ["/api/case_thread", "/api/network_cases", "/api/search"] {
        let (_, method) = functions
            .iter()
            .find(|(path, _)| path.ends_with(reader))
            .unwrap_or_else(|| panic!("{reader} is a server function"));
        let mut shown = false;
        for args in &tries {
            let req = if *method == reqwest::Method::GET {
                member.get(srv.url(reader)).query(args)
            } else {
                member
                    .post(srv.url(reader))
                    .header(ORIGIN, &srv.base)
                    .header(ACCEPT, "application/json")
                    .form(args)
            };
            let body = req.send().await.unwrap().text().await.unwrap();
            shown |= secrets.iter().any(|s| body.contains(s.as_str()));
        }
        assert!(shown, "{reader} shows a member the network's cases");
    }
    assert_eq!(
        (
            state().await,
            rows(format!(
                "SELECT user_id FROM memberships WHERE {of_net} ORDER BY user_id"
            ))
            .await
        ),
        before,
        "the other network changed"
    );
}

/// Over its limit an address gets 429 with Retry-After and a translated
/// error (JSON for scripts, readable text for a form without JavaScript);
/// pages and other kinds of request go on.
#[tokio::test]
async fn an_address_over_its_rate_limit_is_told_to_wait() {
    let minute = std::time::Duration::from_secs(60);
    let limits = RateLimits {
        sign_in: Rate {
            burst: 2,
            every: minute,
        },
        search: Rate {
            burst: 3,
            every: minute,
        },
        posting: Rate {
            burst: 2,
            every: minute,
        },
    };
    let srv = start_full(true, None, Some(limits)).await;
    let client = browser();
    for _ in 0..3 {
        let res = client.get(srv.url("/api/search?q=school")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = client.get(srv.url("/search?q=school")).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the page and the API share the limit"
    );
    let res = client.get(srv.url("/api/search?q=school")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()[reqwest::header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((50..=61).contains(&wait), "Retry-After {wait}");
    assert_eq!(
        res.headers().get("x-content-type-options").map(|v| v.as_bytes()),
        Some(&b"nosniff"[..]),
        "a refusal still carries the security headers"
    );
    let err: kring_app::AppError = res.json().await.unwrap();
    assert!(matches!(err, kring_app::AppError::RateLimited { seconds } if seconds as u64 == wait));
    // Reading pages is not limited.
    assert_eq!(
        client.get(srv.url("/library")).send().await.unwrap().status(),
        StatusCode::OK
    );

    // Sign-in: two tries, then a wait, whichever account is tried.
    for email in ["a@example.be", "b@example.be"] {
        let res = srv.sign_in(&client, email, "fout", false).await;
        assert_ne!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let res = srv.sign_in(&client, "coach@kring.demo", PASSWORD, false).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

    // Posting, from a form without JavaScript: a page that says it in both
    // languages (the Back button returns to the form as typed).
    for _ in 0..2 {
        let res = srv
            .form_post(
                &client,
                "/api/set_language",
                "/",
                &[("lang", "en"), ("next", "/")],
            )
            .await;
        assert!(res.status().is_redirection(), "{}", res.status());
    }
    let res = srv
        .form_post(
            &client,
            "/api/set_language",
            "/",
            &[("lang", "en"), ("next", "/")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("Te veel verzoeken") && text.contains("Too many requests"),
        "{text}"
    );

    // Another address is not affected (the limits are per address).
    let other = Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let res = other.get(srv.url("/api/search?q=school")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_person_downloads_their_data_and_deletes_their_account_without_javascript() {
    use std::io::Read;
    let srv = start().await;
    let anonymous = browser();
    let res = anonymous
        .get(srv.url("/account/export.zip"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    assert_eq!(res.headers().get(LOCATION).unwrap(), "/sign-in?next=/account");

    let coach = browser();
    srv.sign_in(&coach, "coach@kring.demo", PASSWORD, false).await;
    let (_, page) = get_text(&coach, srv.url("/account")).await;
    assert!(page.contains("href=\"/account/export.zip\"") && page.contains("href=\"/account/delete\""));
    let res = coach.get(srv.url("/account/export.zip")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/zip");
    assert!(header("content-disposition").starts_with("attachment; filename=\"kring-"));
    assert_eq!(header("cache-control"), "no-store");
    let bytes = res.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut profile = String::new();
    archive
        .by_name("profile.json")
        .expect("profile.json")
        .read_to_string(&mut profile)
        .unwrap();
    let profile: serde_json::Value = serde_json::from_str(&profile).unwrap();
    assert_eq!(profile["email"], "coach@kring.demo");

    // The confirmation page says what stays and what goes.
    let (status, page) = get_text(&coach, srv.url("/account/delete")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Account definitief verwijderen") && page.contains("voormalig lid"));
    assert!(
        !page.contains("enige procesbegeleider"),
        "a coach leaves no network behind"
    );

    // A wrong password: a clear message, and the ticked box stays ticked.
    let res = srv
        .form_post(
            &coach,
            "/api/delete_account",
            "/account/delete",
            &[("password", "niet-mijn-wachtwoord"), ("delete_posts", "on")],
        )
        .await;
    let back = location(&res);
    assert!(
        back.starts_with("/account/delete?") && back.contains("keep.delete_posts=on"),
        "{back}"
    );
    let (_, page) = get_text(&coach, srv.url(&back)).await;
    assert!(page.contains("horen niet bij elkaar"), "{}", alert_of(&page));
    let tag = page
        .split("<input")
        .find(|t| t.contains("id=\"delete_posts\""))
        .and_then(|t| t.split('>').next())
        .unwrap_or_default();
    assert!(tag.contains("checked"), "{tag}");
    let me = user_id(&srv.db, "coach@kring.demo").await;
    assert!(
        kring_app::accounts::domain::find_by_id(&srv.db, me)
            .await
            .unwrap()
            .is_some()
    );

    let res = srv
        .form_post(
            &coach,
            "/api/delete_account",
            "/account/delete",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&res), "/account/deleted");
    let (status, page) = get_text(&coach, srv.url("/account/deleted")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Account verwijderd"));
    assert!(
        kring_app::accounts::domain::find_by_id(&srv.db, me)
            .await
            .unwrap()
            .is_none()
    );
    let res = coach
        .get(srv.url("/account"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers().get(LOCATION).unwrap(),
        "/sign-in?next=/account",
        "signed out"
    );
    let again = srv.sign_in(&browser(), "coach@kring.demo", PASSWORD, false).await;
    assert!(!again.status().is_success(), "the account is gone");

    // The facilitator of both demo networks is warned, and must confirm.
    let facilitator = browser();
    srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let (_, page) = get_text(&facilitator, srv.url("/account/delete")).await;
    assert!(page.contains("enige procesbegeleider"), "warned");
    let res = srv
        .form_post(
            &facilitator,
            "/api/delete_account",
            "/account/delete",
            &[("password", PASSWORD)],
        )
        .await;
    let (_, page) = get_text(&facilitator, srv.url(&location(&res))).await;
    assert!(page.contains("laatste procesbegeleider"), "{}", alert_of(&page));
}

#[tokio::test]
async fn the_audit_log_is_for_platform_admins_and_filters_without_javascript() {
    let srv = start().await;
    let coach = browser();
    srv.sign_in(&coach, "coach@kring.demo", PASSWORD, false).await;
    let (status, _) = get_text(&coach, srv.url("/admin/audit")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not even its existence");
    let facilitator = browser();
    srv.sign_in(&facilitator, "facilitator@kring.demo", PASSWORD, false)
        .await;
    let (status, _) = get_text(&facilitator, srv.url("/admin/audit")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let admin = browser();
    srv.sign_in(&admin, "admin@kring.demo", PASSWORD, false).await;
    let (_, account) = get_text(&admin, srv.url("/account")).await;
    assert!(
        account.contains("href=\"/admin/audit\""),
        "admins find it on their account page"
    );
    let (status, page) = get_text(&admin, srv.url("/admin/audit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Auditlog") && page.contains("Aangemeld"));
    assert!(page.contains("&lt;coach@kring.demo&gt;") && page.contains("&lt;admin@kring.demo&gt;"));

    // The filter form is a plain GET: its result is an address.
    let (status, page) = get_text(
        &admin,
        srv.url("/admin/audit?action=sign_in&person=coach%40kring"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("&lt;coach@kring.demo&gt;"));
    assert!(
        !page.contains("&lt;admin@kring.demo&gt;"),
        "filtered to the coach"
    );
    assert!(
        page.contains("<option value=\"sign_in\" selected"),
        "the filter stays chosen"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit_and_address() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let minute = std::time::Duration::from_secs(60);
    let limits = RateLimits {
        sign_in: Rate {
            burst: 1,
            every: minute,
        },
        search: Rate {
            burst: 100,
            every: minute,
        },
        posting: Rate {
            burst: 100,
            every: minute,
        },
    };
    let last_sign_in_ip = |srv: &TestServer| {
        let db = srv.db.clone();
        async move {
            use kring_app::audit::domain::event;
            event::Entity::find()
                .filter(event::Column::Action.eq("sign_in"))
                .order_by_desc(event::Column::Id)
                .one(&db)
                .await
                .unwrap()
                .map(|e| e.ip)
                .unwrap_or_default()
        }
    };
    let proxies = kring_server::proxies::parse("127.0.0.1").unwrap();
    let srv = start_server(true, None, Some(limits), proxies).await;
    let sign_in_from = |client: &Client, from: &str, password: &str| {
        client
            .post(srv.url("/api/sign_in"))
            .header(ORIGIN, &srv.base)
            .header(ACCEPT, "application/json")
            .header("x-forwarded-for", format!("198.51.100.9, {from}"))
            .form(&[("email", "coach@kring.demo"), ("password", password)])
            .send()
    };
    let client = browser();
    let first = sign_in_from(&client, "203.0.113.1", "fout").await.unwrap();
    assert_ne!(first.status(), StatusCode::TOO_MANY_REQUESTS);
    let second = sign_in_from(&client, "203.0.113.1", "fout").await.unwrap();
    assert_eq!(
        second.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "that client is over its limit"
    );
    let other = sign_in_from(&browser(), "203.0.113.2", PASSWORD).await.unwrap();
    assert!(
        other.status().is_success(),
        "another client behind the same proxy is not"
    );
    assert_eq!(
        last_sign_in_ip(&srv).await,
        "203.0.113.2",
        "the audit log names the client"
    );

    // Without trusted proxies the header is anyone's to write: ignored.
    let srv = start_full(true, None, Some(limits)).await;
    let spoofing = |from: &'static str| {
        browser()
            .post(srv.url("/api/sign_in"))
            .header(ORIGIN, &srv.base)
            .header(ACCEPT, "application/json")
            .header("x-forwarded-for", from)
            .form(&[("email", "coach@kring.demo"), ("password", PASSWORD)])
            .send()
    };
    assert!(spoofing("203.0.113.1").await.unwrap().status().is_success());
    assert_eq!(last_sign_in_ip(&srv).await, "127.0.0.1");
    assert_eq!(
        spoofing("203.0.113.2").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a made-up address does not buy a new limit"
    );
}

#[tokio::test]
async fn a_new_password_signs_out_every_other_device() {
    let srv = start().await;
    let (laptop, phone) = (browser(), browser());
    for device in [&laptop, &phone] {
        assert!(
            srv.sign_in(device, "coach@kring.demo", PASSWORD, false)
                .await
                .status()
                .is_success()
        );
    }
    let res = laptop
        .post(srv.url("/api/change_password"))
        .header(ORIGIN, &srv.base)
        .header(ACCEPT, "application/json")
        .form(&[
            ("current_password", PASSWORD),
            ("new_password", "een nieuwe lange zin"),
            ("new_password_repeat", "een nieuwe lange zin"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    let account = |client: &Client| client.get(srv.url("/account")).header(ACCEPT, "text/html").send();
    assert_eq!(
        account(&laptop).await.unwrap().status(),
        StatusCode::OK,
        "this device stays signed in"
    );
    let other = account(&phone).await.unwrap();
    assert_eq!(
        other.status(),
        StatusCode::FOUND,
        "the other device is signed out"
    );
    assert_eq!(other.headers().get(LOCATION).unwrap(), "/sign-in?next=/account");
    let changed = {
        use kring_app::audit::domain::event;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        event::Entity::find()
            .filter(event::Column::Action.eq("password_changed"))
            .all(&srv.db)
            .await
            .unwrap()
            .len()
    };
    assert_eq!(changed, 1, "and the audit log says so");
}

/// The key a set-up page shows (`data-secret`), and the recovery codes of
/// a page that shows them.
fn secret_on(page: &str) -> String {
    let start = page.find("data-secret=\"").expect("a key on the set-up page") + "data-secret=\"".len();
    page[start..].split('"').next().unwrap().to_owned()
}

fn recovery_codes_on(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .filter_map(|rest| rest.split("</code>").next())
        .map(str::to_owned)
        .collect()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Now, at least 20 seconds before the authenticator's code changes (a
/// test that uses "the code before this one" must not cross a step).
async fn early_in_a_step() -> u64 {
    let now = unix_now();
    if now % 30 >= 10 {
        tokio::time::sleep(std::time::Duration::from_secs(30 - now % 30)).await;
    }
    unix_now()
}

#[tokio::test]
async fn two_step_sign_in_works_without_javascript_and_each_code_once() {
    use kring_app::accounts::two_factor::code_at;
    let srv = start().await;
    let laptop = browser();
    assert!(
        srv.sign_in(&laptop, "coach@kring.demo", PASSWORD, false)
            .await
            .status()
            .is_success()
    );
    // Set it up as a browser without JavaScript does.
    let res = srv
        .form_post(&laptop, "/api/two_factor_begin", "/account/two-factor", &[])
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let (status, page) = get_text(&laptop, srv.url("/account/two-factor")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg"), "a QR code to scan");
    let secret = secret_on(&page);
    let res = srv
        .form_post(
            &laptop,
            "/api/two_factor_confirm",
            "/account/two-factor",
            &[("code", "123456")],
        )
        .await;
    assert!(res.status().is_redirection());
    let (_, page) = get_text(&laptop, srv.url(&location(&res))).await;
    assert!(page.contains("Die code klopt niet"), "{}", alert_of(&page));
    // The phone is a step behind; the code after it signs in later.
    let now = early_in_a_step().await;
    let behind = code_at(&secret, now - 30).unwrap();
    let res = srv
        .form_post(
            &laptop,
            "/api/two_factor_confirm",
            "/account/two-factor",
            &[("code", &behind)],
        )
        .await;
    assert_eq!(location(&res), "/account/two-factor?enabled=1");
    let (_, page) = get_text(&laptop, srv.url("/account/two-factor?enabled=1")).await;
    let codes = recovery_codes_on(&page);
    assert_eq!(codes.len(), 10, "the recovery codes, shown once: {page}");
    let (_, again) = get_text(&laptop, srv.url("/account/two-factor")).await;
    assert!(recovery_codes_on(&again).is_empty(), "and only once");
    assert!(again.contains("nog 10 ongebruikte herstelcodes"));

    // Signing in now takes two steps: the password alone signs nobody in.
    let sign_in = |client: &Client| {
        let client = client.clone();
        let srv = &srv;
        async move {
            let res = srv
                .form_post(
                    &client,
                    "/api/sign_in",
                    "/sign-in?next=/account",
                    &[
                        ("email", "coach@kring.demo"),
                        ("password", PASSWORD),
                        ("next", "/account"),
                    ],
                )
                .await;
            assert!(res.status().is_redirection());
            assert_eq!(location(&res), "/sign-in/code?next=/account");
            let account = client
                .get(srv.url("/account"))
                .header(ACCEPT, "text/html")
                .send()
                .await
                .unwrap();
            assert_eq!(
                account.status(),
                StatusCode::FOUND,
                "not signed in after the password"
            );
        }
    };
    let code_step = |client: &Client, code: String| {
        let client = client.clone();
        let srv = &srv;
        async move {
            srv.form_post(
                &client,
                "/api/sign_in_code",
                "/sign-in/code?next=/account",
                &[("code", &code), ("next", "/account")],
            )
            .await
        }
    };
    let phone = browser();
    // The code step without the password step first is refused.
    let res = code_step(&phone, code_at(&secret, now).unwrap()).await;
    let (_, page) = get_text(&phone, srv.url(&location(&res))).await;
    assert!(page.contains("Meld je opnieuw aan"), "{}", alert_of(&page));

    sign_in(&phone).await;
    let (status, page) = get_text(&phone, srv.url("/sign-in/code?next=/account")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("autocomplete=\"one-time-code\""));
    let res = code_step(&phone, "000000".to_owned()).await;
    let (_, page) = get_text(&phone, srv.url(&location(&res))).await;
    assert!(page.contains("Die code klopt niet"), "{}", alert_of(&page));
    let current = code_at(&secret, now).unwrap();
    let res = code_step(&phone, current.clone()).await;
    assert_eq!(location(&res), "/account");
    let (status, page) = get_text(&phone, srv.url("/account")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("coach@kring.demo"));

    // The same code on another device, within its 30 seconds: refused.
    let tablet = browser();
    sign_in(&tablet).await;
    let res = code_step(&tablet, current).await;
    assert!(location(&res).starts_with("/sign-in/code"), "{}", location(&res));
    let account = tablet
        .get(srv.url("/account"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), StatusCode::FOUND);
    // A recovery code works, once.
    let res = code_step(&tablet, codes[0].clone()).await;
    assert_eq!(location(&res), "/account");
    let other = browser();
    sign_in(&other).await;
    let res = code_step(&other, codes[0].clone()).await;
    let (_, page) = get_text(&other, srv.url(&location(&res))).await;
    assert!(page.contains("Die code klopt niet"), "{}", alert_of(&page));
}

#[tokio::test]
async fn a_network_that_requires_two_steps_sends_its_facilitator_to_set_it_up() {
    use kring_app::accounts::two_factor::code_at;
    let srv = start().await;
    let lotte = browser();
    assert!(
        srv.sign_in(&lotte, "facilitator@kring.demo", PASSWORD, false)
            .await
            .status()
            .is_success()
    );
    let network = "lerend-netwerk-lokale-gezinscoaches";
    let review = format!("/networks/{network}/cases/review");
    let res = srv
        .form_post(
            &lotte,
            "/api/case_two_factor_rule",
            &review,
            &[("slug", network), ("required", "on")],
        )
        .await;
    assert_eq!(location(&res), format!("{review}?done=settings"));

    // From now on every page and action leads to the set-up page.
    for path in ["/networks", review.as_str(), "/account"] {
        let res = lotte
            .get(srv.url(path))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&res), "/account/two-factor?required=1");
    }
    let res = srv
        .form_post(&lotte, "/api/case_two_factor_rule", &review, &[("slug", network)])
        .await;
    assert_eq!(
        location(&res),
        "/account/two-factor?required=1",
        "not even to lift the rule"
    );
    // A coach of the same network is not held to it.
    let coach = browser();
    srv.sign_in(&coach, "coach@kring.demo", PASSWORD, false).await;
    assert_eq!(get_text(&coach, srv.url("/networks")).await.0, StatusCode::OK);

    let (status, page) = get_text(&lotte, srv.url("/account/two-factor?required=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Lerend netwerk"),
        "names the network: {}",
        alert_of(&page)
    );
    srv.form_post(&lotte, "/api/two_factor_begin", "/account/two-factor", &[])
        .await;
    let (_, page) = get_text(&lotte, srv.url("/account/two-factor")).await;
    let code = code_at(&secret_on(&page), unix_now()).unwrap();
    let res = srv
        .form_post(
            &lotte,
            "/api/two_factor_confirm",
            "/account/two-factor",
            &[("code", &code)],
        )
        .await;
    assert_eq!(location(&res), "/account/two-factor?enabled=1");
    assert_eq!(
        get_text(&lotte, srv.url(&review)).await.0,
        StatusCode::OK,
        "set up: open again"
    );
}
