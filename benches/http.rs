//! Load benchmark: the release binary in its own process against a plain axum "hello" handler,
//! in the same run on the same machine, so that figures are read as ratios. Also measures the
//! binary's start-up time, idle memory and size.
//!
//! `cargo bench --bench http` (options: `-- --seconds 5 --connections 32 --only catalog`).

#![allow(clippy::expect_used)] // A benchmark stops on a failed set-up; that is its error report.

mod load;

use load::{
    Target, api_token, arg, hello, plain_server, session_cookie, start_server, status_kib, table,
};
use std::time::{Duration, Instant};

/// Starts the release binary on `data` (with the demo), answers it once `/healthz` answers,
/// with how long that took.
fn start_and_wait(data: &std::path::Path, demo: bool) -> (std::process::Child, Duration) {
    let exe = env!("CARGO_BIN_EXE_guichet");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let started = Instant::now();
    let mut child = std::process::Command::new(exe)
        .arg("serve")
        .args(demo.then_some("--demo"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data)
        .env("GUICHET_LOG", "warn")
        .spawn()
        .expect("start guichet");
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ =
                stream.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return (child, started.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("guichet did not answer /healthz within 10 s");
}

/// The release binary's first start (demo seeding included) and a start on the same data, each
/// with the time to the first `/healthz` answer and resident memory once idle (2 s later).
fn process_figures() {
    let exe = env!("CARGO_BIN_EXE_guichet");
    let data = tempfile::tempdir().expect("tempdir");
    for (demo, what) in [
        (true, "first start, demo seeding included"),
        (false, "start on that data"),
    ] {
        let (mut child, ready) = start_and_wait(data.path(), demo);
        std::thread::sleep(Duration::from_secs(2));
        let rss = status_kib(&child.id().to_string(), "VmRSS:");
        let _ = child.kill();
        let _ = child.wait();
        println!("process ({what}): first /healthz after {ready:.1?}; idle VmRSS {rss} KiB");
    }
    let size = std::fs::metadata(exe).map(|m| m.len()).unwrap_or(0);
    println!("binary {:.1} MiB ({exe})", size as f64 / 1048576.0);
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seconds = arg("--seconds", 3);
    let connections = usize::try_from(arg("--connections", 32)).unwrap_or(32);
    process_figures();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let data = tempfile::tempdir().expect("tempdir");
    let (mut child, app) = start_server(data.path(), &[]);
    let pid = child.id().to_string();
    runtime.block_on(async {
        let plain = plain_server().await;
        let cookie = session_cookie(app, "alice").await;
        let token = api_token(app, "alice").await;
        let targets = [
            hello(plain),
            Target {
                name: "plain static maud page",
                addr: plain,
                path: "/static".into(),
                headers: vec![],
                body: None,
            },
            Target {
                name: "guichet /healthz",
                addr: app,
                path: "/healthz".into(),
                headers: vec![],
                body: None,
            },
            Target {
                name: "guichet /login (page)",
                addr: app,
                path: "/login".into(),
                headers: vec![],
                body: None,
            },
            Target {
                name: "guichet / (signed in)",
                addr: app,
                path: "/".into(),
                headers: vec![("cookie", cookie.clone())],
                body: None,
            },
            Target {
                name: "guichet /catalog/5",
                addr: app,
                path: "/catalog/5".into(),
                headers: vec![("cookie", cookie.clone())],
                body: None,
            },
            Target {
                name: "guichet /services/8",
                addr: app,
                path: "/services/8".into(),
                headers: vec![("cookie", cookie.clone())],
                body: None,
            },
            Target {
                name: "guichet /account",
                addr: app,
                path: "/account".into(),
                headers: vec![("cookie", cookie)],
                body: None,
            },
            Target {
                name: "guichet /api/v1/services",
                addr: app,
                path: "/api/v1/services".into(),
                headers: vec![("authorization", format!("Bearer {token}"))],
                body: None,
            },
            Target {
                name: "guichet /api/v1/me",
                addr: app,
                path: "/api/v1/me".into(),
                headers: vec![("authorization", format!("Bearer {token}"))],
                body: None,
            },
        ];
        table(&targets, connections, seconds).await;

        // The same pages while a hostile machine holds 1,000 silent connections open.
        let mut hostile = Vec::new();
        for _ in 0..1000 {
            let socket = tokio::net::TcpSocket::new_v4().expect("socket");
            socket
                .bind("127.0.0.2:0".parse().expect("source"))
                .expect("bind 127.0.0.2");
            if let Ok(stream) = socket.connect(app).await {
                hostile.push(stream);
            }
        }
        println!(
            "== with {} silent connections open from 127.0.0.2 (the server keeps at most 64 of \
             them, [http] max_connections_per_address) ==",
            hostile.len()
        );
        let under_attack: Vec<Target> = targets
            .into_iter()
            .filter(|t| {
                [
                    "plain axum hello",
                    "guichet /healthz",
                    "guichet / (signed in)",
                ]
                .contains(&t.name)
            })
            .collect();
        table(&under_attack, connections, seconds).await;
        drop(hostile);
    });
    println!(
        "server process after the load: VmRSS {} KiB, peak VmHWM {} KiB",
        status_kib(&pid, "VmRSS:"),
        status_kib(&pid, "VmHWM:")
    );
    let _ = child.kill();
    let _ = child.wait();
    throttle_memory();
}

/// Resident memory taken by the sign-in throttle holding 10,000 distinct accounts and
/// addresses (30,000 counters: pair, account and address each).
fn throttle_memory() {
    let pid = std::process::id();
    let throttle = guichet::ops::throttle::Throttle::default();
    let before = status_kib(&pid.to_string(), "VmRSS:");
    for i in 0..10_000u32 {
        let ip = std::net::IpAddr::from((0x0a00_0000 + i).to_be_bytes());
        let _ = throttle.begin(
            &format!("attacker-chosen-name-{i:08}"),
            Some(ip),
            guichet::domain::Timestamp(1_800_000_000),
        );
    }
    let after = status_kib(&pid.to_string(), "VmRSS:");
    println!(
        "throttle with 10,000 distinct accounts and addresses: +{} KiB resident",
        after.saturating_sub(before)
    );
}
