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
