//! Single sign-on over HTTP against a real OpenID Connect provider: npm's
//! `oidc-provider`, started by the test on loopback
//! (`end2end/oidc/provider.js`), and a Kring server started in-process.
//! The flow is driven by hand (no redirects followed automatically), the
//! provider's sign-in form posted like a browser without JavaScript.
//!
//! Needs `node` and `cd end2end && npm install`.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use kring_app::accounts::entity::{sso_identity, user};
use kring_app::audit::domain::event;
use kring_server::limits::{Rate, RateLimits};
use kring_server::{Config, demo, http};
use reqwest::header::{ACCEPT, LOCATION, ORIGIN, REFERER};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

const PASSWORD: &str = "kring-demo";

/// A running test provider. Its stdout stays open (it dies of EPIPE
/// otherwise); the process is killed when this is dropped.
struct Idp {
    issuer: String,
    _child: Child,
    _stdout: Lines<BufReader<ChildStdout>>,
}

fn provider_script() -> String {
    format!("{}/../end2end/oidc/provider.js", env!("CARGO_MANIFEST_DIR"))
}

/// Starts the provider for Kring at `kring` with a client that may return
/// to each of `ids`' callbacks; `extra`: `--tamper …`, `--unverified-email`.
async fn idp(kring: &str, ids: &[&str], extra: &[&str]) -> Idp {
    let mut cmd = Command::new("node");
    cmd.arg(provider_script()).args(["--port", "0"]);
    for id in ids {
        cmd.arg("--redirect-uri")
            .arg(format!("{kring}/sign-in/sso/{id}/callback"));
    }
    cmd.arg("--post-logout-uri").arg(format!("{kring}/signed-out"));
    cmd.args(extra);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("node end2end/oidc/provider.js (run npm install in end2end)");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    // Read asynchronously: a blocking read would stall this runtime's
    // other tasks (the Kring server of this test among them).
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the provider is ready within 30 s")
        .expect("read")
        .expect("a ready line");
    let ready: serde_json::Value = serde_json::from_str(&line).expect("JSON ready line");
    Idp {
        issuer: ready["issuer"].as_str().expect("issuer").to_owned(),
        _child: child,
        _stdout: lines,
    }
}

struct Provider<'a> {
    id: &'a str,
    issuer: String,
    allowed_domains: &'a [&'a str],
}

struct TestServer {
    base: String,
    db: sea_orm::DatabaseConnection,
    _dir: tempfile::TempDir,
}

/// A Kring listener, bound before the providers start (they must know
/// where to send people back).
async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    (listener, format!("http://{addr}"))
}

/// Copied from tests/http.rs (`start_server`), with `[[sso]]` providers in
/// a `KRING_SSO_FILE`.
async fn start(listener: tokio::net::TcpListener, providers: &[Provider<'_>]) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let data_dir = dir.path().display().to_string();
    let mut toml = String::new();
    for p in providers {
        let domains: Vec<String> = p.allowed_domains.iter().map(|d| format!("\"{d}\"")).collect();
        toml.push_str(&format!(
            "[[sso]]\nid = \"{}\"\nname = \"Test {}\"\nissuer = \"{}\"\nclient_id = \"kring\"\nclient_secret = \"kring-test-secret\"\nallowed_domains = [{}]\norganisation = \"Testorganisatie\"\n\n",
            p.id,
            p.id,
            p.issuer,
            domains.join(", ")
        ));
    }
    let sso_file = dir.path().join("sso.toml");
    std::fs::write(&sso_file, toml).expect("sso file");
    let sso_path = sso_file.display().to_string();
    let config = Config::from_env_fn(|key| match key {
        "KRING_BIND" => Some(addr.to_string()),
        "KRING_DATA_DIR" => Some(data_dir.clone()),
        "KRING_DEMO_PASSWORD" => Some(PASSWORD.to_owned()),
        "KRING_SSO_FILE" => Some(sso_path.clone()),
        _ => None,
    })
    .expect("config");
    let db = kring_app::db::connect(&config.database_url).await.expect("db");
    kring_app::db::migrate(&db).await.expect("migrate");
    demo::load(&db, PASSWORD).await.expect("demo");
    let search = kring_server::tasks::open_search(dir.path(), &db, true)
        .await
        .expect("search index");
    kring_server::tasks::spawn_search(db.clone(), search.clone());
    let router = http::router(
        http::app_state(&config, db.clone(), search),
        http::leptos_options(&config),
        // The limits are on (the SSO steps count as sign-ins), with room for
        // the many sign-ins of one test from one address.
        Some(RateLimits {
            sign_in: Rate {
                burst: 200,
                every: Duration::from_secs(1),
            },
            ..RateLimits::default()
        }),
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
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

impl TestServer {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

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

    async fn users_with(&self, email: &str) -> u64 {
        user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .count(&self.db)
            .await
            .expect("count")
    }

    async fn audit(&self, action: &str) -> Vec<event::Model> {
        event::Entity::find()
            .filter(event::Column::Action.eq(action))
            .order_by_asc(event::Column::Id)
            .all(&self.db)
            .await
            .expect("audit")
    }
}

fn absolute(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .and_then(|b| b.join(location))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| location.to_owned())
}

fn location_of(res: &reqwest::Response) -> String {
    res.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A path of Kring's from an absolute or relative Location.
fn path_of(url: &str) -> String {
    match url
        .find("://")
        .and_then(|i| url[i + 3..].find('/').map(|j| i + 3 + j))
    {
        Some(start) => url[start..].to_owned(),
        None => url.to_owned(),
    }
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

/// The `<input type="hidden" name=… value=…>` pairs of a page.
fn hidden_inputs(page: &str) -> Vec<(String, String)> {
    page.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split("value=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// Starts at Kring's `start` (a path), signs in at the provider as `email`
/// and returns the URL the provider sends the browser back to (not
/// followed).
async fn to_callback(srv: &TestServer, client: &Client, start: &str, email: &str) -> String {
    let res = client.get(srv.url(start)).send().await.expect("start");
    assert!(res.status().is_redirection(), "{start}: {}", res.status());
    let mut next = absolute(&srv.base, &location_of(&res));
    assert!(!next.starts_with(&srv.base), "to the provider: {next}");
    for _ in 0..12 {
        if next.starts_with(&srv.base) {
            return next;
        }
        let res = client.get(&next).send().await.expect("provider");
        if res.status().is_redirection() {
            next = absolute(&next, &location_of(&res));
            continue;
        }
        let here = next.clone();
        let page = res.text().await.expect("provider page");
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("a sign-in form at the provider: {page}"))
            .to_owned();
        // Hidden inputs: the provider's own auto-posted form (its sign-out
        // of the previous person when someone else signs in); else the
        // sign-in form.
        let hidden = hidden_inputs(&page);
        let form: Vec<(String, String)> = if hidden.is_empty() {
            vec![("email".to_owned(), email.to_owned())]
        } else {
            hidden
        };
        let res = client
            .post(absolute(&here, &action))
            .form(&form)
            .send()
            .await
            .expect("sign in at the provider");
        if !res.status().is_redirection() {
            let status = res.status();
            panic!("{status}: {}", res.text().await.unwrap_or_default());
        }
        next = absolute(&here, &location_of(&res));
    }
    panic!("no way back to Kring");
}

/// The whole way: returns Kring's answer to the return.
async fn sign_in_through(
    srv: &TestServer,
    client: &Client,
    provider: &str,
    email: &str,
) -> reqwest::Response {
    let back = to_callback(
        srv,
        client,
        &format!("/sign-in/sso/{provider}?next=/account"),
        email,
    )
    .await;
    client.get(back).send().await.expect("callback")
}

async fn signed_in_as(srv: &TestServer, client: &Client) -> Option<String> {
    let (status, page) = get_text(client, srv.url("/account")).await;
    (status == StatusCode::OK).then_some(page)
}

/// The sign-in page with `?sso_error=<code>` says why.
async fn refusal_page(srv: &TestServer, client: &Client, res: &reqwest::Response) -> String {
    let to = path_of(&location_of(res));
    assert!(to.starts_with("/sign-in?sso_error="), "{to}");
    let (status, page) = get_text(client, srv.url(&to)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"sso-error\""), "an alert on the sign-in page");
    page
}

fn code_of(res: &reqwest::Response) -> String {
    let to = path_of(&location_of(res));
    to.split("sso_error=").nth(1).unwrap_or("(none)").to_owned()
}

#[tokio::test]
async fn a_new_person_signs_in_through_the_provider_and_each_return_works_once() {
    let (listener, base) = bind().await;
    let provider = idp(&base, &["test", "strict"], &[]).await;
    let srv = start(
        listener,
        &[
            Provider {
                id: "test",
                issuer: provider.issuer.clone(),
                allowed_domains: &[],
            },
            Provider {
                id: "strict",
                issuer: provider.issuer.clone(),
                allowed_domains: &["example.org"],
            },
        ],
    )
    .await;

    // The buttons: plain links, without JavaScript.
    let anon = browser();
    let (_, page) = get_text(&anon, srv.url("/sign-in?next=/account")).await;
    assert!(
        page.contains("href=\"/sign-in/sso/test?next=/account\""),
        "a plain link per provider"
    );
    assert!(page.contains("Aanmelden met Test test"));
    assert!(page.contains("href=\"/sign-in/sso/strict?next=/account\""));

    // A new address: a new account without a password, signed in.
    let laptop = browser();
    let back = to_callback(
        &srv,
        &laptop,
        "/sign-in/sso/test?next=/account",
        "an.peeters@example.org",
    )
    .await;
    assert!(back.contains("iss="), "RFC 9207 iss in the return: {back}");
    let res = laptop.get(&back).send().await.expect("callback");
    assert_eq!(path_of(&location_of(&res)), "/account");
    let page = signed_in_as(&srv, &laptop).await.expect("signed in");
    assert!(page.contains("An Peeters"), "the display name from the token");
    assert!(
        page.contains("Gekoppeld: Test test (an.peeters@example.org)"),
        "linked on the account page"
    );
    let person = user::Entity::find()
        .filter(user::Column::Email.eq("an.peeters@example.org"))
        .one(&srv.db)
        .await
        .unwrap()
        .expect("account");
    assert!(person.password_hash.is_none(), "no password");
    let audit = srv.audit("sign_in").await;
    assert!(
        audit
            .iter()
            .any(|e| e.actor_id == Some(person.id) && e.detail == "sso:test"),
        "sign-in audited with the provider"
    );
    assert!(
        srv.audit("sso_linked")
            .await
            .iter()
            .any(|e| e.actor_id == Some(person.id) && e.detail == "test")
    );

    // The same return again: refused (the state was taken).
    let res = laptop.get(&back).send().await.expect("replay");
    assert_eq!(code_of(&res), "state");
    let page = refusal_page(&srv, &laptop, &res).await;
    assert!(page.contains("al gebruikt of niet hier begonnen"), "{page}");

    // The same person on another computer: the same account.
    let phone = browser();
    let res = sign_in_through(&srv, &phone, "test", "an.peeters@example.org").await;
    assert_eq!(path_of(&location_of(&res)), "/account");
    assert_eq!(srv.users_with("an.peeters@example.org").await, 1);
    let rows = sso_identity::Entity::find()
        .filter(sso_identity::Column::UserId.eq(person.id))
        .count(&srv.db)
        .await
        .unwrap();
    assert_eq!(rows, 1);

    // A used code in a fresh flow: the provider refuses it.
    let other = browser();
    let start = other
        .get(srv.url("/sign-in/sso/test"))
        .send()
        .await
        .expect("start");
    let to_provider = location_of(&start);
    let state = url::Url::parse(&to_provider)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let old = url::Url::parse(&back).unwrap();
    let code = old
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let mut replay = url::Url::parse(&srv.url("/sign-in/sso/test/callback")).unwrap();
    replay
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state);
    let res = other.get(replay.as_str()).send().await.expect("replayed code");
    assert_eq!(code_of(&res), "code");

    // A forged state.
    let fresh = browser();
    let back = to_callback(&srv, &fresh, "/sign-in/sso/test", "forged@example.org").await;
    let mut forged = url::Url::parse(&back).unwrap();
    let pairs: Vec<(String, String)> = forged
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "forged".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    let res = fresh.get(forged.as_str()).send().await.expect("forged");
    assert_eq!(code_of(&res), "state");
    assert_eq!(srv.users_with("forged@example.org").await, 0);

    // A return that was never started here.
    let stranger = browser();
    let res = stranger
        .get(srv.url("/sign-in/sso/test/callback?code=abc&state=xyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(&res), "state");

    // Cancelled at the provider.
    let res = stranger.get(srv.url("/sign-in/sso/test")).send().await.unwrap();
    let mut next = location_of(&res);
    let mut back = String::new();
    for _ in 0..6 {
        let res = stranger.get(&next).send().await.unwrap();
        if res.status().is_redirection() {
            next = absolute(&next, &location_of(&res));
            if next.starts_with(&srv.base) {
                back = next.clone();
                break;
            }
            continue;
        }
        next = absolute(
            &next,
            &format!("{}?cancel=1", url::Url::parse(&next).unwrap().path()),
        );
    }
    let res = stranger.get(&back).send().await.unwrap();
    assert_eq!(code_of(&res), "cancelled");
    assert!(refusal_page(&srv, &stranger, &res).await.contains("afgebroken"));

    // A domain that is not allowed: refused, nothing created (no suffix tricks).
    let res = sign_in_through(&srv, &browser(), "strict", "someone@evil-example.org").await;
    assert_eq!(code_of(&res), "domain");
    assert_eq!(srv.users_with("someone@evil-example.org").await, 0);
    let res = sign_in_through(&srv, &browser(), "strict", "lid@example.org").await;
    assert_eq!(path_of(&location_of(&res)), "/account", "the allowed domain");

    // An unknown provider.
    let res = anon.get(srv.url("/sign-in/sso/nergens")).send().await.unwrap();
    assert_eq!(code_of(&res), "unknown");
    assert!(refusal_page(&srv, &anon, &res).await.contains("bestaat niet"));

    // Refusals are in the audit log, without an address.
    let failed = srv.audit("sign_in_failed").await;
    assert!(failed.iter().any(|e| e.detail == "sso:test:state"));
    assert!(failed.iter().any(|e| e.detail == "sso:strict:domain"));

    // Signing out of a session that came through the provider offers the
    // provider's own sign-out.
    let res = srv.form_post(&laptop, "/api/sign_out", "/account", &[]).await;
    assert!(res.status().is_redirection());
    assert_eq!(path_of(&location_of(&res)), "/signed-out?via=test");
    let (_, page) = get_text(&laptop, srv.url("/signed-out?via=test")).await;
    assert!(page.contains("href=\"/sign-in/sso/test/logout\""), "{page}");
    assert!(signed_in_as(&srv, &laptop).await.is_none(), "signed out");
    let res = laptop
        .get(srv.url("/sign-in/sso/test/logout"))
        .send()
        .await
        .unwrap();
    let end = location_of(&res);
    assert!(
        end.starts_with(&format!("{}/session/end", provider.issuer)),
        "{end}"
    );
    assert!(end.contains("client_id=kring"), "{end}");
    assert!(end.contains("post_logout_redirect_uri="), "{end}");
    // A password sign-out goes home as before.
    let pw = browser();
    let res = srv
        .form_post(
            &pw,
            "/api/sign_in",
            "/sign-in",
            &[("email", "coach@kring.demo"), ("password", PASSWORD)],
        )
        .await;
    assert!(res.status().is_redirection());
    let res = srv.form_post(&pw, "/api/sign_out", "/account", &[]).await;
    assert_eq!(path_of(&location_of(&res)), "/");
}

#[tokio::test]
async fn an_existing_account_is_linked_after_its_password_and_unlinked_while_another_way_remains() {
    let (listener, base) = bind().await;
    let provider = idp(&base, &["test"], &[]).await;
    let srv = start(
        listener,
        &[Provider {
            id: "test",
            issuer: provider.issuer.clone(),
            allowed_domains: &[],
        }],
    )
    .await;
    let laptop = browser();
    let res = sign_in_through(&srv, &laptop, "test", "coach@kring.demo").await;
    assert_eq!(path_of(&location_of(&res)), "/sign-in/link");
    assert!(
        signed_in_as(&srv, &laptop).await.is_none(),
        "not signed in before the password"
    );
    let (_, page) = get_text(&laptop, srv.url("/sign-in/link")).await;
    assert!(page.contains("coach@kring.demo"), "{page}");

    // A wrong password: refused, counted in the throttle, nothing linked.
    let res = srv
        .form_post(
            &laptop,
            "/api/sso_link",
            "/sign-in/link",
            &[("password", "verkeerd-wachtwoord")],
        )
        .await;
    assert!(res.status().is_redirection());
    let (_, page) = get_text(&laptop, srv.url(&path_of(&location_of(&res)))).await;
    assert!(page.contains("role=\"alert\""), "{page}");
    let coach = user::Entity::find()
        .filter(user::Column::Email.eq("coach@kring.demo"))
        .one(&srv.db)
        .await
        .unwrap()
        .unwrap();
    let linked = || async {
        sso_identity::Entity::find()
            .filter(sso_identity::Column::UserId.eq(coach.id))
            .count(&srv.db)
            .await
            .unwrap()
    };
    assert_eq!(linked().await, 0);
    let failures = kring_app::accounts::entity::login_failure::Entity::find()
        .filter(kring_app::accounts::entity::login_failure::Column::Email.eq("coach@kring.demo"))
        .count(&srv.db)
        .await
        .unwrap();
    assert_eq!(failures, 1, "in the sign-in throttle");

    // The right password: linked and signed in.
    let res = srv
        .form_post(
            &laptop,
            "/api/sso_link",
            "/sign-in/link",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(path_of(&location_of(&res)), "/account");
    assert_eq!(linked().await, 1);
    let page = signed_in_as(&srv, &laptop).await.expect("signed in");
    assert!(page.contains("Gekoppeld: Test test (coach@kring.demo)"));
    // Next time the provider alone is enough.
    let res = sign_in_through(&srv, &browser(), "test", "coach@kring.demo").await;
    assert_eq!(path_of(&location_of(&res)), "/account");

    // An account with a password may unlink.
    let res = srv
        .form_post(&laptop, "/api/sso_unlink", "/account", &[("provider", "test")])
        .await;
    assert_eq!(path_of(&location_of(&res)), "/account?unlinked=1");
    assert_eq!(linked().await, 0);
    assert!(
        srv.audit("sso_unlinked")
            .await
            .iter()
            .any(|e| e.actor_id == Some(coach.id))
    );

    // A password-less account may not unlink its only way in.
    let phone = browser();
    let res = sign_in_through(&srv, &phone, "test", "nieuw@example.org").await;
    assert_eq!(path_of(&location_of(&res)), "/account");
    let res = srv
        .form_post(&phone, "/api/sso_unlink", "/account", &[("provider", "test")])
        .await;
    let to = path_of(&location_of(&res));
    assert!(to.starts_with("/account"), "{to}");
    let (_, page) = get_text(&phone, srv.url(&to)).await;
    assert!(page.contains("enige manier om je aan te melden"), "{page}");
    assert_eq!(
        sso_identity::Entity::find()
            .filter(sso_identity::Column::Email.eq("nieuw@example.org"))
            .count(&srv.db)
            .await
            .unwrap(),
        1
    );

    // The data export holds the linked identities.
    let res = phone.get(srv.url("/account/export.zip")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let mut file = zip.by_name("sso_identities.json").expect("sso_identities.json");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).unwrap();
    assert!(
        text.contains("\"provider\": \"test\"") && text.contains("nieuw@example.org"),
        "{text}"
    );
}

#[tokio::test]
async fn tampered_tokens_and_unverified_addresses_are_refused_and_a_small_skew_is_fine() {
    let (listener, base) = bind().await;
    let modes = ["expired", "future", "skewed", "bad-signature", "audience"];
    let mut idps = Vec::new();
    for mode in modes {
        idps.push(idp(&base, &[mode], &["--tamper", mode]).await);
    }
    let unverified = idp(&base, &["unverified"], &["--unverified-email"]).await;
    let mut providers: Vec<Provider> = modes
        .iter()
        .zip(&idps)
        .map(|(mode, p)| Provider {
            id: mode,
            issuer: p.issuer.clone(),
            allowed_domains: &[],
        })
        .collect();
    providers.push(Provider {
        id: "unverified",
        issuer: unverified.issuer.clone(),
        allowed_domains: &[],
    });
    let srv = start(listener, &providers).await;
    for (mode, want) in [
        ("expired", "expired"),
        ("future", "expired"),
        ("bad-signature", "token"),
        ("audience", "token"),
        ("unverified", "unverified"),
    ] {
        let client = browser();
        let email = format!("{mode}@example.org");
        let res = sign_in_through(&srv, &client, mode, &email).await;
        assert_eq!(code_of(&res), want, "{mode}");
        refusal_page(&srv, &client, &res).await;
        assert_eq!(srv.users_with(&email).await, 0, "{mode}: nothing created");
        assert!(signed_in_as(&srv, &client).await.is_none(), "{mode}");
    }
    // Thirty seconds of clock difference is fine.
    let client = browser();
    let res = sign_in_through(&srv, &client, "skewed", "skewed@example.org").await;
    assert_eq!(path_of(&location_of(&res)), "/account");
    assert!(signed_in_as(&srv, &client).await.is_some());
}

#[tokio::test]
async fn a_provider_that_is_down_is_a_clear_refusal_and_passwords_still_work() {
    // A port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let (listener, _base) = bind().await;
    let srv = start(
        listener,
        &[Provider {
            id: "weg",
            issuer: format!("http://127.0.0.1:{closed}"),
            allowed_domains: &[],
        }],
    )
    .await;
    let client = browser();
    let res = client.get(srv.url("/sign-in/sso/weg")).send().await.unwrap();
    assert_eq!(code_of(&res), "down");
    let page = refusal_page(&srv, &client, &res).await;
    assert!(page.contains("antwoordt nu niet"), "{page}");
    let res = srv
        .form_post(
            &client,
            "/api/sign_in",
            "/sign-in",
            &[
                ("email", "coach@kring.demo"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(path_of(&location_of(&res)), "/account");
    assert!(signed_in_as(&srv, &client).await.is_some());
}

/// The authorize URL a confirmation sends the browser to (not followed).
async fn confirmation_start(srv: &TestServer, client: &Client, provider: &str, next: &str) -> String {
    let res = client
        .get(srv.url(&format!("/sign-in/sso/{provider}?confirm=1&next={next}")))
        .send()
        .await
        .expect("start");
    assert!(res.status().is_redirection(), "{}", res.status());
    location_of(&res)
}

#[tokio::test]
async fn an_account_without_a_password_confirms_at_its_provider_to_set_a_password_or_delete_itself() {
    let (listener, base) = bind().await;
    let provider = idp(&base, &["test"], &[]).await;
    // A provider that claims every sign-in happened an hour ago.
    let stale = idp(&base, &["stale"], &["--tamper", "stale-auth"]).await;
    let srv = start(
        listener,
        &[
            Provider {
                id: "test",
                issuer: provider.issuer.clone(),
                allowed_domains: &[],
            },
            Provider {
                id: "stale",
                issuer: stale.issuer.clone(),
                allowed_domains: &[],
            },
        ],
    )
    .await;
    let account = |email: &'static str| {
        let db = srv.db.clone();
        async move {
            user::Entity::find()
                .filter(user::Column::Email.eq(email))
                .one(&db)
                .await
                .unwrap()
        }
    };

    // Nora signs in through her organisation: an account without a password.
    let laptop = browser();
    let res = sign_in_through(&srv, &laptop, "test", "nora@example.org").await;
    assert_eq!(path_of(&location_of(&res)), "/account");
    let page = signed_in_as(&srv, &laptop).await.expect("signed in");
    assert!(
        !page.contains("current_password"),
        "no change-password form without a password"
    );
    assert!(page.contains("Een wachtwoord instellen"), "{page}");
    assert!(page.contains("Bevestig met Test test"), "{page}");

    // Deleting asks for the confirmation, not a password; without it nothing happens.
    let (_, page) = get_text(&laptop, srv.url("/account/delete")).await;
    assert!(!page.contains("name=\"password\""), "{page}");
    assert!(
        page.contains("href=\"/sign-in/sso/test?confirm=1&amp;next=/account/delete\""),
        "{page}"
    );
    let res = srv
        .form_post(&laptop, "/api/delete_account", "/account/delete", &[])
        .await;
    let (_, page) = get_text(&laptop, srv.url(&path_of(&location_of(&res)))).await;
    assert!(page.contains("Bevestig eerst bij je organisatie"), "{page}");
    assert!(account("nora@example.org").await.is_some(), "not deleted");

    // The way out asks the provider for a fresh sign-in.
    let out = confirmation_start(&srv, &laptop, "test", "/account/delete").await;
    assert!(out.contains("prompt=login"), "{out}");
    assert!(out.contains("max_age=0"), "{out}");

    // A colleague signing in at the provider proves nothing.
    let back = to_callback(
        &srv,
        &laptop,
        "/sign-in/sso/test?confirm=1&next=/account/delete",
        "collega@example.org",
    )
    .await;
    let res = laptop.get(back).send().await.unwrap();
    assert_eq!(
        path_of(&location_of(&res)),
        "/account/delete?sso_error=other_account"
    );
    let (_, page) = get_text(&laptop, srv.url("/account/delete?sso_error=other_account")).await;
    assert!(page.contains("id=\"sso-error\""), "{page}");
    assert_eq!(srv.users_with("collega@example.org").await, 0, "no account made");
    let res = srv
        .form_post(&laptop, "/api/delete_account", "/account/delete", &[])
        .await;
    assert!(!location_of(&res).contains("/account/deleted"));
    assert!(account("nora@example.org").await.is_some(), "not deleted");

    // Her own fresh sign-in: the form, without a password field; then gone.
    let back = to_callback(
        &srv,
        &laptop,
        "/sign-in/sso/test?confirm=1&next=/account/delete",
        "nora@example.org",
    )
    .await;
    let res = laptop.get(back).send().await.unwrap();
    assert_eq!(path_of(&location_of(&res)), "/account/delete");
    let (_, page) = get_text(&laptop, srv.url("/account/delete")).await;
    assert!(page.contains("Bevestigd via je organisatie"), "{page}");
    assert!(page.contains("name=\"delete_posts\""), "{page}");
    assert!(!page.contains("name=\"password\""), "{page}");
    let res = srv
        .form_post(&laptop, "/api/delete_account", "/account/delete", &[])
        .await;
    assert_eq!(path_of(&location_of(&res)), "/account/deleted");
    assert!(account("nora@example.org").await.is_none(), "deleted");
    assert_eq!(
        sso_identity::Entity::find()
            .filter(sso_identity::Column::Email.eq("nora@example.org"))
            .count(&srv.db)
            .await
            .unwrap(),
        0,
        "her link went with her"
    );

    // Piet sets a first password after confirming, then signs in with it.
    let phone = browser();
    let res = sign_in_through(&srv, &phone, "test", "piet@example.org").await;
    assert_eq!(path_of(&location_of(&res)), "/account");
    let new_password = [
        ("new_password", "een-eigen-wachtwoord"),
        ("new_password_repeat", "een-eigen-wachtwoord"),
    ];
    let res = srv
        .form_post(&phone, "/api/set_first_password", "/account", &new_password)
        .await;
    assert!(
        !location_of(&res).contains("password_set"),
        "not before confirming"
    );
    assert!(account("piet@example.org").await.unwrap().password_hash.is_none());
    let back = to_callback(
        &srv,
        &phone,
        "/sign-in/sso/test?confirm=1&next=/account",
        "piet@example.org",
    )
    .await;
    let res = phone.get(back).send().await.unwrap();
    assert_eq!(path_of(&location_of(&res)), "/account");
    let page = signed_in_as(&srv, &phone).await.expect("signed in");
    assert!(page.contains("name=\"new_password_repeat\""), "{page}");
    let res = srv
        .form_post(
            &phone,
            "/api/set_first_password",
            "/account",
            &[
                ("new_password", "een-eigen-wachtwoord"),
                ("new_password_repeat", "iets anders"),
            ],
        )
        .await;
    assert!(!location_of(&res).contains("password_set"), "the repeat differs");
    let res = srv
        .form_post(&phone, "/api/set_first_password", "/account", &new_password)
        .await;
    assert_eq!(path_of(&location_of(&res)), "/account?password_set=1");
    assert!(account("piet@example.org").await.unwrap().password_hash.is_some());
    let res = srv
        .form_post(
            &browser(),
            "/api/sign_in",
            "/sign-in",
            &[
                ("email", "piet@example.org"),
                ("password", "een-eigen-wachtwoord"),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(path_of(&location_of(&res)), "/account", "the new password works");

    // A provider that does not sign the person in again: refused.
    let desk = browser();
    let res = sign_in_through(&srv, &desk, "stale", "jan@example.org").await;
    assert_eq!(
        path_of(&location_of(&res)),
        "/account",
        "a plain sign-in needs no fresh one"
    );
    let back = to_callback(
        &srv,
        &desk,
        "/sign-in/sso/stale?confirm=1&next=/account/delete",
        "jan@example.org",
    )
    .await;
    let res = desk.get(back).send().await.unwrap();
    assert_eq!(path_of(&location_of(&res)), "/account/delete?sso_error=not_fresh");
    let res = srv
        .form_post(&desk, "/api/delete_account", "/account/delete", &[])
        .await;
    assert!(!location_of(&res).contains("/account/deleted"));
    assert!(account("jan@example.org").await.is_some(), "not deleted");

    // Signed out meanwhile: a confirmation starts at the sign-in page.
    let res = browser()
        .get(srv.url("/sign-in/sso/test?confirm=1&next=/account/delete"))
        .send()
        .await
        .unwrap();
    assert_eq!(path_of(&location_of(&res)), "/sign-in?next=/account/delete");
}
