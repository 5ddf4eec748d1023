//! The real executable: its commands, exit codes and messages.

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub fn guichet(data: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("GUICHET_CONFIG")
        .env_remove("GUICHET_LISTEN")
        .env_remove("GUICHET_DATA")
        .env("GUICHET_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("guichet starts");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("guichet ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn users_are_added_listed_and_given_passwords() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = guichet(
        dir.path(),
        &[
            "user",
            "add",
            "marc",
            "--name",
            "Marc Blanc",
            "--role",
            "admin",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("created user marc"), "{stdout}");
    assert!(
        stdout.contains("password: "),
        "a generated password is printed"
    );

    let out = guichet(dir.path(), &["user", "add", "marc"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("username is already taken"));

    let out = guichet(
        dir.path(),
        &["user", "passwd", "marc", "--password-stdin"],
        Some("a chosen password\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = guichet(dir.path(), &["user", "passwd", "nobody"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no user named"));

    let out = guichet(dir.path(), &["user", "list"], None);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("marc") && stdout.contains("Marc Blanc") && stdout.contains("admin"),
        "{stdout}"
    );
}

#[test]
fn check_and_backup_report_on_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(
        guichet(dir.path(), &["user", "add", "ana"], None)
            .status
            .success()
    );
    let out = guichet(dir.path(), &["check"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let current = guichet::storage::SCHEMA_VERSION;
    let expected = format!("intact, schema {current} (current {current}), 1 users");
    assert!(
        text(&out.stdout).contains(&expected),
        "{}",
        text(&out.stdout)
    );

    let copy = dir.path().join("copy.redb");
    let out = guichet(
        dir.path(),
        &["backup", "--to", copy.to_str().expect("utf-8")],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The copy is a working store: check it as a data directory of its own.
    let restored = tempfile::tempdir().expect("tempdir");
    std::fs::copy(&copy, restored.path().join("guichet.redb")).expect("copy");
    let out = guichet(restored.path(), &["user", "list"], None);
    assert!(text(&out.stdout).contains("ana"));
}

#[test]
fn a_damaged_store_is_reported_with_exit_code_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("guichet.redb"), vec![0x42; 8192]).expect("write");
    for args in [
        &["check"][..],
        &["user", "list"][..],
        &["serve", "--listen", "127.0.0.1:0"][..],
    ] {
        let out = guichet(dir.path(), args, None);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("damaged or is not a Guichet store"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"));
    }
}

#[test]
fn configuration_errors_name_the_problem_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("guichet.toml");
    std::fs::write(&config, "org_name = \"ACME\"\nsesion_hours = 3\n").expect("write");
    let out = guichet(
        dir.path(),
        &["--config", config.to_str().expect("utf-8"), "user", "list"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("sesion_hours"),
        "{}",
        text(&out.stderr)
    );

    let out = guichet(dir.path(), &["--listen", "not-an-address", "check"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--listen"));

    let out = guichet(
        dir.path(),
        &["--config", "/nonexistent/guichet.toml", "check"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read the configuration file"));
}

#[test]
fn a_store_in_use_is_refused_with_exit_code_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .env("GUICHET_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    // Wait until the server has opened its store and is listening.
    let mut stderr = std::io::BufReader::new(server.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("listening on") {
        line.clear();
        if std::io::BufRead::read_line(&mut stderr, &mut line).expect("read") == 0 {
            panic!("server ended before listening");
        }
    }
    let out = guichet(dir.path(), &["user", "list"], None);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("in use by another Guichet process"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(["--listen", "127.0.0.1:0", "--demo", "--data"])
        .arg(dir.path())
        .env("GUICHET_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut stderr = std::io::BufReader::new(server.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("listening on") {
        line.clear();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).expect("read") > 0,
            "server ended early"
        );
    }
    // The shell's own kill, so that the test needs no procps package.
    let status = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", server.id())])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = server.wait().expect("wait");
    assert_eq!(exit.code(), Some(0), "graceful shutdown exits 0");
    // The store was released: a command can open it now.
    let out = guichet(dir.path(), &["check"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("5 users"));
}

/// The purge delay mimalloc read when the server started (its verbose start-up lines), with
/// `delay` as the server's environment sets it (None: not at all).
fn purge_delay_read(delay: Option<&str>) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_guichet"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .env("GUICHET_LOG", "info")
        .env("MIMALLOC_VERBOSE", "1")
        .env_remove("MIMALLOC_PURGE_DELAY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(delay) = delay {
        command.env("MIMALLOC_PURGE_DELAY", delay);
    }
    let mut server = command.spawn().expect("server starts");
    let mut stderr = std::io::BufReader::new(server.stderr.take().expect("stderr"));
    let mut line = String::new();
    let mut read = String::new();
    while !line.contains("listening on") {
        line.clear();
        if std::io::BufRead::read_line(&mut stderr, &mut line).expect("read") == 0 {
            panic!("server ended before listening");
        }
        if let Some(value) = line.split("option 'purge_delay':").nth(1) {
            value.trim().clone_into(&mut read);
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    read
}

#[test]
fn the_server_gives_freed_memory_back_at_once_unless_its_environment_says_otherwise() {
    assert_eq!(purge_delay_read(None), "0");
    assert_eq!(purge_delay_read(Some("250")), "250");
}
