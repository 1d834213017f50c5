//! The `kring` binary: help, a malformed setting, user management, the
//! anonymiser.

use std::io::Write;
use std::process::{Command, Stdio};

fn kring(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kring"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KRING_DATA_DIR", data_dir)
        .env("KRING_LOG", "warn")
        .current_dir(data_dir);
    cmd
}

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let out = kring(dir.path()).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "migrate", "demo", "user", "anonymise"] {
        assert!(text.contains(cmd), "{text}");
    }
}

#[test]
fn a_bad_setting_stops_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = kring(dir.path())
        .env("KRING_BIND", "nergens")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("KRING_BIND") && err.contains("nergens"), "{err}");

    std::fs::write(dir.path().join("kring.toml"), "bind = 3000\n").unwrap();
    let out = kring(dir.path()).arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kring.toml"));
}

fn run_with_stdin(cmd: &mut Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_create_set_password_and_demo_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_with_stdin(
        kring(dir.path()).args([
            "user",
            "create",
            "--email",
            "beheer@gemeente.be",
            "--name",
            "Beheer",
            "--admin",
        ]),
        "een goed wachtwoord\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("platform admin"));

    let again = run_with_stdin(
        kring(dir.path()).args([
            "user",
            "create",
            "--email",
            "BEHEER@gemeente.be",
            "--name",
            "Beheer",
        ]),
        "een goed wachtwoord\n",
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let short = run_with_stdin(
        kring(dir.path()).args(["user", "set-password", "--email", "beheer@gemeente.be"]),
        "kort\n",
    );
    assert!(!short.status.success());
    let ok = run_with_stdin(
        kring(dir.path()).args(["user", "set-password", "--email", "beheer@gemeente.be"]),
        "een nieuw wachtwoord\n",
    );
    assert!(ok.status.success());

    for run in 0..2 {
        let out = kring(dir.path()).arg("demo").output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        for email in [
            "admin@",
            "facilitator@",
            "coach@",
            "ervaringsdeskundige@",
            "nieuwkomer@",
        ] {
            assert!(text.contains(&format!("{email}kring.demo")), "{text}");
        }
        assert_eq!(
            text.contains("Loaded the demo data"),
            run == 0,
            "second run creates nothing: {text}"
        );
    }
}

#[test]
fn anonymise_prints_spans_with_byte_offsets_and_the_redacted_text() {
    let dir = tempfile::tempdir().unwrap();
    // A broken configuration must not matter: no database, no settings.
    std::fs::write(dir.path().join("kring.toml"), "bind = 3000\n").unwrap();
    let input = "Mama Zoë Hermans betaalt € 50 per week. Jonas (9) belt op 0478 12 34 56, mail zoe.hermans@outlook.com.";
    let out = run_with_stdin(kring(dir.path()).arg("anonymise"), input);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    // Exact shape and field order.
    assert!(
        stdout
            .starts_with("{\"spans\":[{\"start\":5,\"end\":17,\"kind\":\"person\",\"text\":\"Zoë Hermans\"}"),
        "{stdout}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["redacted", "spans"]);
    assert!(
        stdout.contains("}],\"redacted\":\""),
        "redacted comes last: {stdout}"
    );
    let spans = object["spans"].as_array().unwrap();
    let kinds: Vec<&str> = spans.iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["person", "person", "phone", "email"], "{stdout}");
    for s in spans {
        let span = s.as_object().unwrap();
        assert_eq!(span.len(), 4, "{s}");
        let (start, end) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            &input[start..end],
            span["text"].as_str().unwrap(),
            "byte offsets of {s}"
        );
    }
    // "€" is three bytes: the phone number starts after it in bytes, not characters.
    let phone = &spans[2];
    assert_eq!(
        phone["start"].as_u64().unwrap() as usize,
        input.find("0478").unwrap()
    );
    assert_eq!(
        object["redacted"].as_str().unwrap(),
        "Mama betaalt € 50 per week. Kind 1 (9 j.) belt op [telefoonnummer], mail [e-mailadres]."
    );
}

#[test]
fn anonymise_jsonl_echoes_ids_and_names_a_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = concat!(
        "{\"id\":7,\"text\":\"Papa Dirk belt op 0478 12 34 56.\"}\n",
        "\n",
        "{\"id\":{\"case\":\"a-1\"},\"text\":\"Het OCMW van Mol belt maandag.\"}\n",
    );
    let out = run_with_stdin(kring(dir.path()).args(["anonymise", "--jsonl"]), input);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(
        lines[0],
        "{\"id\":7,\"spans\":[{\"start\":5,\"end\":9,\"kind\":\"person\",\"text\":\"Dirk\"},{\"start\":18,\"end\":31,\"kind\":\"phone\",\"text\":\"0478 12 34 56\"}]}"
    );
    assert_eq!(lines[1], "{\"id\":{\"case\":\"a-1\"},\"spans\":[]}");

    let bad = concat!(
        "{\"id\":1,\"text\":\"Mama Sandra belt.\"}\n",
        "{\"id\":2,\"text\":\"Jonas (9) is ziek.\"}\n",
        "{\"id\":3,\"text\": nog geen JSON\n",
    );
    let out = run_with_stdin(kring(dir.path()).args(["anonymise", "--jsonl"]), bad);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);

    let out = run_with_stdin(
        kring(dir.path()).args(["anonymise", "--jsonl"]),
        "{\"text\":\"Jonas\"}\n",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1") && err.contains("id"), "{err}");
}

#[test]
fn markdown_prints_exactly_the_sanitised_html() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kring.toml"), "bind = 3000\n").unwrap();
    let out = run_with_stdin(
        kring(dir.path()).arg("markdown"),
        "# Aanpak\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        html,
        kring_app::ui::markdown::to_safe_html(
            "# Aanpak\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
        )
    );
    assert!(
        html.contains("<h1>Aanpak</h1>") && html.contains("<table>"),
        "{html}"
    );
    assert!(
        !html.contains("<script") && !html.contains("href=\"javascript") && !html.contains("onerror"),
        "{html}"
    );
}

fn search_json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = kring(dir)
        .arg("search")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn practices_import_search_export_and_reindex() {
    let dir = tempfile::tempdir().unwrap();
    let out = kring(dir.path()).arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file = dir.path().join("extra.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"slug":"zwembadpas-voor-gezinnen","title":"Zwembadpas voor gezinnen","summary":"Gratis zwemmen.","body_markdown":"Een **zwembadpas** via de sportdienst.","themes":["vrije tijd"],"municipalities":["Mol"],"organisation":"Sportdienst Mol","visibility":"public"}"#,
            r#"{"slug":"kapot""#,
            r#"{"slug":"buurtkwartet","title":"Buurtkwartet","summary":"","body_markdown":"Een kwartetavond met buren.","themes":["sociaal netwerk"],"municipalities":[],"organisation":"","visibility":"network"}"#,
            // Line 4: over the 256 KiB line limit.
            format!(r#"{{"slug":"te-lang","title":"Te lang","summary":"","body_markdown":"{}","themes":["werk"],"municipalities":[],"organisation":"","visibility":"public"}}"#, "x".repeat(300 * 1024)).as_str(),
        ]
        .join("\n"),
    )
    .unwrap();
    let out = kring(dir.path())
        .args(["practices", "import"])
        .arg(&file)
        .args(["--network", "lerend-netwerk-lokale-gezinscoaches"])
        .output()
        .unwrap();
    // A bad line is named and skipped; the others are in, and searchable
    // as soon as the command returns.
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2:") && err.contains("2 new"), "{err}");
    assert!(err.contains("line 4: line longer than 262144 bytes"), "{err}");

    let found = search_json(dir.path(), &["zwembadpass"]);
    assert_eq!(found["results"][0]["slug"], "zwembadpas-voor-gezinnen", "{found}");
    assert!(
        found["took_ms"].as_f64().is_some() && found["total"].as_u64() == Some(1),
        "{found}"
    );
    let hit = found["results"][0].as_object().unwrap();
    let mut keys: Vec<&str> = hit.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["score", "slug", "snippet", "title"]);
    // The network practice: only for its members.
    assert_eq!(search_json(dir.path(), &["kwartetavond"])["total"], 0);
    let member = search_json(
        dir.path(),
        &["kwartetavond", "--as", "coordinator.leuven@kring.demo"],
    );
    assert_eq!(member["results"][0]["slug"], "buurtkwartet", "{member}");
    let other = search_json(dir.path(), &["kwartetavond", "--as", "coach@kring.demo"]);
    assert_eq!(other["total"], 0, "another network's coach");
    let limited = search_json(dir.path(), &["", "--limit", "3"]);
    assert_eq!(limited["results"].as_array().unwrap().len(), 3);
    // --limit 0 still answers (with the best one).
    let none = search_json(dir.path(), &["zwembadpas", "--limit", "0"]);
    assert_eq!(none["results"].as_array().unwrap().len(), 1, "{none}");

    let out = kring(dir.path()).args(["practices", "export"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 72, "70 demo practices and 2 imported");
    assert!(text.lines().any(|l| l.contains("\"slug\":\"buurtkwartet\"")
        && l.contains("\"network\":\"lerend-netwerk-lokale-gezinscoaches\"")));

    // A rebuilt index answers the same.
    let before = search_json(dir.path(), &["zwembadpas"]);
    assert_eq!(before["results"][0]["slug"], "zwembadpas-voor-gezinnen");
    std::fs::remove_dir_all(dir.path().join("search")).unwrap();
    let out = kring(dir.path()).arg("reindex").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("documents indexed"));
    let after = search_json(dir.path(), &["zwembadpas"]);
    assert_eq!(after["total"], before["total"]);
    assert_eq!(after["results"][0]["slug"], "zwembadpas-voor-gezinnen");
}

/// A plain HTTP GET on loopback (the body), or None while nothing answers.
fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    text.split_once("\r\n\r\n").map(|(_, body)| body.to_owned())
}

/// Starts `kring serve` on a free port; returns it and the port. The port
/// is found by binding `:0` and letting go, so another socket may take it
/// before kring binds: kring then exits, and we try again on another port.
fn serve(dir: &std::path::Path) -> (std::process::Child, u16) {
    let log = dir.join("serve.log");
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = kring(dir)
            .env("KRING_BIND", format!("127.0.0.1:{port}"))
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if http_get(port, "/").is_some() {
                return (child, port);
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "kring serve did not start: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    panic!(
        "kring serve exited five times: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

#[test]
fn a_practice_committed_before_a_crash_is_found_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    assert!(kring(dir.path()).arg("demo").output().unwrap().status.success());
    let (mut server, _) = serve(dir.path());
    // Frozen: it keeps the index (and its lock) but applies nothing.
    assert!(
        Command::new("kill")
            .args(["-STOP", &server.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let file = dir.path().join("one.jsonl");
    std::fs::write(
        &file,
        r#"{"slug":"ijsbaan-op-woensdag","title":"IJsbaan op woensdag","summary":"","body_markdown":"Schaatsen (uniekwoord) met de hele klas.","themes":["vrije tijd"],"municipalities":[],"organisation":"","visibility":"public"}"#,
    )
    .unwrap();
    let out = kring(dir.path())
        .args(["practices", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("running server"),
        "the import left the index to the server: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The crash: committed in the database, never applied to the index.
    server.kill().unwrap();
    server.wait().unwrap();
    let (mut server, port) = serve(dir.path());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let body = http_get(port, "/api/search?q=uniekwoord").unwrap_or_default();
        if body.contains("ijsbaan-op-woensdag") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not found after the restart: {body}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    server.kill().unwrap();
    server.wait().unwrap();
}
