//! Backups, restores and verification of a large store, against the release binary in its own
//! processes: a store with `--total` requests and `--attachments-mb` MiB of attachments (1 MiB
//! files), then
//! - the online download (`GET /api/v1/backup`): time, and the server's peak memory before and
//!   during it, read from `/proc` (with `OLD_GUICHET_BIN` pointing at another build, the
//!   same download is measured with that build too);
//! - `guichet check`, `backup`, `restore` and the start of `serve` with and without `--verify`,
//!   each under `/usr/bin/time -v` for its elapsed time and peak resident memory.
//!
//! `cargo bench --bench backup` (options: `-- --total 100000 --attachments-mb 200`).

#![allow(clippy::expect_used)] // A benchmark stops on a failed set-up; that is its error report.

mod load;

use load::{api_token, arg, service_id, status_kib};
use serde_json::json;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_guichet");

fn free_port() -> SocketAddr {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    format!("127.0.0.1:{port}").parse().expect("addr")
}

/// Starts `bin` on `data` and answers it once it listens, with the time that took.
fn start(bin: &str, data: &Path, extra: &[&str]) -> (Child, SocketAddr, Duration) {
    let addr = free_port();
    let started = Instant::now();
    let mut child = Command::new(bin)
        .args(["serve", "--listen", &addr.to_string(), "--data"])
        .arg(data)
        .args(extra)
        .env("GUICHET_LOG", "warn")
        .spawn()
        .expect("start guichet");
    while started.elapsed() < Duration::from_secs(120) {
        if std::net::TcpStream::connect(addr).is_ok() {
            return (child, addr, started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

fn stop(mut child: Child) {
    let _ = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status();
    let _ = child.wait();
}

/// `total` requests without files, then `files` requests with a 1 MiB photo each.
async fn fill(addr: SocketAddr, total: u64, files: u64) {
    let alice = api_token(addr, "alice").await;
    let reset = service_id(addr, &alice, "Réinitialisation du mot de passe").await;
    let broken = service_id(addr, &alice, "Remplacement d'un poste en panne").await;
    let body = json!({"service_id": reset, "data": {"compte": "a.durand", "contact": "Par SMS"}})
        .to_string();
    let left = Arc::new(AtomicU64::new(total));
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (left, client, body, token) =
            (left.clone(), client.clone(), body.clone(), alice.clone());
        tasks.push(tokio::spawn(async move {
            while left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                let response = client
                    .post(format!("http://{addr}/api/v1/requests"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("submit");
                assert_eq!(response.status(), 201);
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    for i in 0..files {
        // Incompressible bytes, different for every file.
        let mut state = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let photo: Vec<u8> = (0..1 << 20)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect();
        let form = reqwest::multipart::Form::new()
            .text("service_id", broken.to_string())
            .text("inventaire", format!("INV-{i}"))
            .text("panne", "L'écran reste noir.")
            .part(
                "photo",
                reqwest::multipart::Part::bytes(photo).file_name("photo.png"),
            );
        let response = client
            .post(format!("http://{addr}/api/v1/requests"))
            .bearer_auth(&alice)
            .multipart(form)
            .send()
            .await
            .expect("submit with a file");
        assert_eq!(response.status(), 201);
    }
}

/// Downloads the online backup to nowhere; answers bytes, time and the server's peak memory.
async fn download(addr: SocketAddr, pid: u32) -> (u64, Duration, u64, u64) {
    let admin = api_token(addr, "admin").await;
    let before = status_kib(&pid.to_string(), "VmHWM:");
    let started = Instant::now();
    let mut response = reqwest::Client::new()
        .get(format!("http://{addr}/api/v1/backup"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("backup");
    assert_eq!(response.status(), 200);
    let mut bytes = 0;
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        bytes += chunk.len() as u64;
    }
    (
        bytes,
        started.elapsed(),
        before,
        status_kib(&pid.to_string(), "VmHWM:"),
    )
}

/// Runs a command under `/usr/bin/time -v`: elapsed seconds and peak resident KiB.
fn timed(args: &[&str], data: &Path) -> (f64, u64) {
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(BIN)
        .args(args)
        .arg("--data")
        .arg(data)
        .env("GUICHET_LOG", "warn")
        .stdout(Stdio::null())
        .output()
        .expect("/usr/bin/time (apt-get install time)");
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?}: {report}");
    let field = |name: &str| {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(str::trim)
            .unwrap_or("0")
            .to_owned()
    };
    let elapsed = field("Elapsed (wall clock) time (h:mm:ss or m:ss):");
    let seconds = elapsed.split(':').fold(0.0, |acc, part| {
        acc * 60.0 + part.parse::<f64>().unwrap_or(0.0)
    });
    let rss = field("Maximum resident set size (kbytes):")
        .parse()
        .unwrap_or(0);
    (seconds, rss)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let total = arg("--total", 100_000);
    let files = arg("--attachments-mb", 200);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let data = tempfile::tempdir().expect("tempdir");
    let store = data.path().join("guichet.redb");
    let (child, addr, _) = start(BIN, data.path(), &["--demo"]);
    let started = Instant::now();
    runtime.block_on(fill(addr, total, files));
    println!(
        "store: {total} requests and {files} MiB of attachments, filled in {:.1?}; file {:.0} MiB",
        started.elapsed(),
        mib(std::fs::metadata(&store).expect("store").len())
    );
    let mut builds = vec![("this build", BIN.to_owned())];
    if let Ok(old) = std::env::var("OLD_GUICHET_BIN") {
        builds.push(("OLD_GUICHET_BIN", old));
    }
    stop(child);
    for (name, bin) in &builds {
        let (child, addr, _) = start(bin, data.path(), &[]);
        let (bytes, took, before, peak) = runtime.block_on(download(addr, child.id()));
        println!(
            "download ({name}): {:.0} MiB in {took:.1?}; server peak RSS {before} KiB before, \
             {peak} KiB after",
            mib(bytes)
        );
        stop(child);
    }

    println!("| command | elapsed | peak RSS |");
    println!("|---|---|---|");
    let row = |what: &str, (seconds, rss): (f64, u64)| {
        println!(
            "| {what} | {seconds:.2} s | {:.0} MiB |",
            rss as f64 / 1024.0
        );
    };
    row("guichet check", timed(&["check"], data.path()));
    let copy = data.path().join("copy.redb");
    row(
        "guichet backup --to FILE",
        timed(
            &["backup", "--to", copy.to_str().expect("utf-8")],
            data.path(),
        ),
    );
    let target = tempfile::tempdir().expect("tempdir");
    row(
        "guichet restore --from FILE (into an empty data directory)",
        timed(
            &["restore", "--from", copy.to_str().expect("utf-8")],
            target.path(),
        ),
    );
    for (what, extra) in [("serve", &[][..]), ("serve --verify", &["--verify"][..])] {
        let (child, _, ready) = start(BIN, data.path(), extra);
        println!(
            "| {what}: first connection accepted | {:.2} s | {:.0} MiB |",
            ready.as_secs_f64(),
            status_kib(&child.id().to_string(), "VmHWM:") as f64 / 1024.0
        );
        stop(child);
    }
}
