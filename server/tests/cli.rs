//! The `kring` binary: help, a malformed setting, user management.

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
    for cmd in ["serve", "migrate", "demo", "user"] {
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
