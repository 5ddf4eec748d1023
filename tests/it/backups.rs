//! Damaged, empty and missing stores, backups and restores, through the real executable: a
//! refused command exits with 3 and changes nothing.

use crate::cli::guichet;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Output;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn digest(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read");
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every name in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn refused(out: &Output, args: &[&str], says: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
    assert!(stderr.contains(says), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

/// A store with two users, made by the executable.
fn store_with_users(dir: &Path) {
    for (name, display) in [("ana", "Ana Marker-Zephyrin"), ("bob", "Bob Bernard")] {
        let out = guichet(dir, &["user", "add", name, "--name", display], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

fn backup_args(to: &Path) -> Vec<String> {
    vec!["backup".into(), "--to".into(), to.display().to_string()]
}

fn run(dir: &Path, args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    guichet(dir, &args, None)
}

/// Every command that reads a store, with the backup written to `out`.
fn reading_commands(out: &Path, restore_from: &Path) -> Vec<Vec<String>> {
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        words(&["check"]),
        backup_args(out),
        words(&["user", "list"]),
        words(&["user", "passwd", "ana"]),
        vec![
            "restore".into(),
            "--from".into(),
            restore_from.display().to_string(),
        ],
    ]
}

#[test]
fn a_record_damaged_in_place_is_refused_by_every_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    store_with_users(dir.path());
    let store = dir.path().join("guichet.redb");
    // Change three bytes inside Ana's record, wherever the file holds it.
    let mut bytes = std::fs::read(&store).expect("read");
    let marker = b"Marker-Zephyrin";
    let mut hits = 0;
    for at in 0..bytes.len().saturating_sub(marker.len()) {
        if &bytes[at..at + marker.len()] == marker {
            bytes[at..at + 3].copy_from_slice(b"XYZ");
            hits += 1;
        }
    }
    assert!(hits > 0, "the record is in the file");
    std::fs::write(&store, &bytes).expect("damage");
    let before = digest(&store);
    let out = dir.path().join("copy.redb");
    let mut commands = reading_commands(&out, &out);
    commands.pop(); // restoring over a damaged store is allowed: that is what it is for
    commands.push(vec![
        "serve".into(),
        "--verify".into(),
        "--listen".into(),
        "127.0.0.1:0".into(),
    ]);
    for args in &commands {
        let output = run(dir.path(), args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("damaged") || stderr.contains("corrupt"),
            "{args:?}: {stderr}"
        );
        assert!(!out.exists(), "{args:?} wrote a backup of a damaged store");
        assert_eq!(digest(&store), before, "{args:?} changed the store");
    }
    assert_eq!(listing(dir.path()), vec!["guichet.redb"]);
}

#[test]
fn an_empty_store_file_is_refused_by_every_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("guichet.redb");
    std::fs::write(&store, b"").expect("empty file");
    let out = dir.path().join("copy.redb");
    let backup = dir.path().join("missing-backup.redb");
    let mut commands = reading_commands(&out, &backup);
    commands.pop();
    commands.push(vec!["user".into(), "add".into(), "eve".into()]);
    commands.push(vec![
        "serve".into(),
        "--listen".into(),
        "127.0.0.1:0".into(),
    ]);
    commands.push(vec![
        "serve".into(),
        "--demo".into(),
        "--listen".into(),
        "127.0.0.1:0".into(),
    ]);
    for args in &commands {
        let output = run(dir.path(), args);
        refused(&output, &[&args.join(" ")], "is empty (0 bytes)");
        assert_eq!(std::fs::metadata(&store).expect("meta").len(), 0);
        assert_eq!(listing(dir.path()), vec!["guichet.redb"], "{args:?}");
    }
}

#[test]
fn a_missing_data_directory_is_never_created_by_reading_commands() {
    let parent = tempfile::tempdir().expect("tempdir");
    let missing = parent.path().join("mistyped");
    let backup = parent.path().join("backup.redb");
    std::fs::write(&backup, b"not read").expect("write");
    let out = parent.path().join("copy.redb");
    for args in &reading_commands(&out, &backup) {
        let output = run(&missing, args);
        refused(&output, &[&args.join(" ")], "no store at");
        assert!(!missing.exists(), "{args:?} created the data directory");
        assert!(!out.exists());
    }
    // `user add` makes a first store, as `serve` does.
    let output = guichet(&missing, &["user", "add", "ana"], None);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(missing.join("guichet.redb").is_file());
}

/// A backup of a store with `ana` and `bob`, then `carl` added to the live store.
fn store_and_backup(dir: &Path) -> PathBuf {
    store_with_users(dir);
    let backup = dir.join("backup.redb");
    let out = run(dir, &backup_args(&backup));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("backup written to"));
    let out = guichet(dir, &["user", "add", "carl"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    backup
}

#[test]
fn restore_puts_a_backup_in_place_and_keeps_the_replaced_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backup = store_and_backup(dir.path());
    let backup_digest = digest(&backup);
    let out = guichet(
        dir.path(),
        &["restore", "--from", backup.to_str().expect("utf-8")],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 users"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        digest(&backup),
        backup_digest,
        "the backup file is only read"
    );
    let users = text(&guichet(dir.path(), &["user", "list"], None).stdout);
    assert!(users.contains("ana") && !users.contains("carl"), "{users}");
    // Its outbox waits for an admin to resume it: mails the copy held may have left since.
    use redb::ReadableDatabase;
    let db = redb::Database::open(dir.path().join("guichet.redb")).expect("open");
    let meta: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("meta");
    let txn = db.begin_read().expect("read");
    let held = txn
        .open_table(meta)
        .expect("meta")
        .get("outbox.held")
        .expect("get");
    assert_eq!(held.map(|v| v.value()), Some(1));
    // And the old copy's approval links stop working: their key is gone (a new one is made).
    let key = txn
        .open_table(meta)
        .expect("meta")
        .get("mail.key.0")
        .expect("get");
    assert!(key.is_none());
    drop(txn);
    drop(db);
    // The replaced store is kept, whole.
    let kept = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        dir.path().join("guichet.redb.before-restore"),
        kept.path().join("guichet.redb"),
    )
    .expect("kept store");
    let users = text(&guichet(kept.path(), &["user", "list"], None).stdout);
    assert!(users.contains("carl"), "{users}");
    // A second restore would overwrite the kept store: refused until it is moved away.
    let out = guichet(
        dir.path(),
        &["restore", "--from", backup.to_str().expect("utf-8")],
        None,
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("move it elsewhere first"));
}

/// A store whose schema is newer than this binary knows, as a later Guichet would write it.
fn newer_schema_copy(of: &Path, to: &Path) {
    std::fs::copy(of, to).expect("copy");
    let db = redb::Database::open(to).expect("open");
    let txn = db.begin_write().expect("write");
    {
        let def: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("meta");
        let mut meta = txn.open_table(def).expect("meta");
        meta.insert("schema_version", guichet::storage::SCHEMA_VERSION + 1)
            .expect("insert");
    }
    txn.commit().expect("commit");
}

#[test]
fn restore_refuses_damaged_truncated_and_newer_files_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backup = store_and_backup(dir.path());
    let store = dir.path().join("guichet.redb");
    let before = digest(&store);

    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).expect("dir");
    let truncated = bad.join("truncated.redb");
    let full = std::fs::read(&backup).expect("read");
    std::fs::write(&truncated, &full[..full.len() / 2]).expect("write");
    let damaged = bad.join("damaged.redb");
    let mut bytes = full.clone();
    let marker = b"Marker-Zephyrin";
    for at in 0..bytes.len() - marker.len() {
        if &bytes[at..at + marker.len()] == marker {
            bytes[at..at + 3].copy_from_slice(b"XYZ");
        }
    }
    std::fs::write(&damaged, &bytes).expect("write");
    let empty = bad.join("empty.redb");
    std::fs::write(&empty, b"").expect("write");
    let newer = bad.join("newer.redb");
    newer_schema_copy(&backup, &newer);
    let garbage = bad.join("garbage.redb");
    std::fs::write(&garbage, vec![0x42; 8192]).expect("write");

    for (file, says) in [
        (&truncated, "damaged"),
        (&damaged, "damaged"),
        (&empty, "is empty (0 bytes)"),
        (&newer, "written by a newer Guichet"),
        (&garbage, "damaged or is not a Guichet store"),
        (&bad.join("absent.redb"), "absent.redb"),
    ] {
        let from = file.to_str().expect("utf-8");
        let out = guichet(dir.path(), &["restore", "--from", from], None);
        refused(&out, &["restore", from], says);
        assert_eq!(digest(&store), before, "{from}: the store changed");
        assert_eq!(
            listing(dir.path()),
            vec!["backup.redb", "bad", "guichet.redb"],
            "{from}: something was left behind"
        );
    }
}

/// Through the running server: a web session and a personal token exist when the backup is
/// taken; only the token is in it.
#[tokio::test]
async fn a_backup_leaves_out_sign_ins_and_keeps_personal_tokens() {
    {
        let app = crate::support::TestApp::spawn().await;
        let api = app.api_as("admin").await;
        let created = api
            .post("/api/v1/me/tokens", &serde_json::json!({"name": "nightly"}))
            .await;
        assert_eq!(created.status(), reqwest::StatusCode::CREATED);
        let _browser = app.signed_in("alice").await;
        let bytes = api.get("/api/v1/backup").await.bytes().await.expect("body");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("guichet.redb"), &bytes).expect("write");
        let report = guichet::storage::check(&dir.path().join("guichet.redb")).expect("intact");
        assert_eq!(report.entries("sessions"), 1, "only the personal token");
    }
}

/// Open descriptors of this process on backup copies in `data` (unlinked files show as
/// "(deleted)").
fn open_backup_copies(data: &Path) -> usize {
    let prefix = data.join(".backup-");
    std::fs::read_dir("/proc/self/fd")
        .map(|fds| {
            fds.filter_map(Result::ok)
                .filter_map(|fd| std::fs::read_link(fd.path()).ok())
                .filter(|target| {
                    target
                        .to_string_lossy()
                        .starts_with(&*prefix.to_string_lossy())
                })
                .count()
        })
        .unwrap_or(0)
}

/// Waits (bounded) until no descriptor points at a backup copy of `data`.
async fn copies_closed(data: &Path) -> bool {
    for _ in 0..200 {
        if open_backup_copies(data) == 0 {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    false
}

#[tokio::test]
async fn a_large_backup_streams_whole_and_its_copy_goes_away_when_the_client_leaves() {
    let app = crate::support::TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let services: serde_json::Value = alice
        .get("/api/v1/services")
        .await
        .json()
        .await
        .expect("json");
    let broken = services
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|s| s["name"] == "Remplacement d'un poste en panne")
        })
        .and_then(|s| s["id"].as_u64())
        .expect("service");
    for i in 0..6u8 {
        let photo: Vec<u8> = (0..4u32 << 20).map(|n| (n % 251) as u8 ^ i).collect();
        let form = reqwest::multipart::Form::new()
            .text("service_id", broken.to_string())
            .text("inventaire", format!("PC-{i}"))
            .text("panne", "Écran noir")
            .part(
                "photo",
                reqwest::multipart::Part::bytes(photo).file_name("p.png"),
            );
        let response = alice
            .client
            .post(app.url("/api/v1/requests"))
            .bearer_auth(alice.token.as_deref().expect("token"))
            .multipart(form)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    }
    let admin = app.api_as("admin").await;
    let mut response = admin.get("/api/v1/backup").await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let announced: u64 = response.headers()["content-length"]
        .to_str()
        .expect("text")
        .parse()
        .expect("number");
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("guichet.redb");
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        bytes.extend_from_slice(&chunk);
    }
    assert_eq!(bytes.len() as u64, announced);
    assert!(announced > 24 << 20, "the attachments are in the backup");
    std::fs::write(&copy, &bytes).expect("write");
    let report = guichet::storage::check(&copy).expect("intact");
    assert!(report.entries("attachments") >= 6);
    assert!(
        copies_closed(app.data.path()).await,
        "the copy is closed after the download"
    );

    // A client that goes away after the first chunk: the copy is closed all the same.
    let mut response = admin.get("/api/v1/backup").await;
    assert!(response.chunk().await.expect("chunk").is_some());
    assert_eq!(
        open_backup_copies(app.data.path()),
        1,
        "the copy is open while streaming"
    );
    drop(response);
    assert!(
        copies_closed(app.data.path()).await,
        "the copy is closed when the client leaves"
    );
    let leftovers = listing(app.data.path())
        .into_iter()
        .filter(|n| n.starts_with(".backup-"))
        .count();
    assert_eq!(leftovers, 0, "no copy is left in the data directory");
    assert_eq!(
        admin.get("/api/v1/me").await.status(),
        reqwest::StatusCode::OK
    );
}
