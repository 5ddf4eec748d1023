//! Load benchmark: the real application against a plain axum "hello" handler, in the same run
//! on the same machine, so that figures are read as ratios. Also measures the release binary's
//! start-up time, idle memory and size.
//!
//! `cargo bench --bench http` (options: `-- --seconds 5 --connections 32`).

#![allow(clippy::expect_used)] // A benchmark stops on a failed set-up; that is its error report.

use axum::Router;
use axum::routing::get;
use guichet::app::App;
use guichet::config::Config;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

struct Target {
    name: &'static str,
    addr: SocketAddr,
    path: String,
    headers: Vec<(&'static str, String)>,
}

struct Outcome {
    requests: u64,
    errors: u64,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// Drives `target` with `connections` keep-alive connections for `duration`.
async fn load(target: &Target, connections: usize, duration: Duration) -> Outcome {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let addr = target.addr;
        let path = target.path.clone();
        let headers = target.headers.clone();
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
            stream.set_nodelay(true).expect("nodelay");
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .expect("handshake");
            tokio::spawn(conn);
            let mut latencies = Vec::with_capacity(100_000);
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let mut request = Request::get(path.as_str()).header("host", "bench");
                for (k, v) in &headers {
                    request = request.header(*k, v.as_str());
                }
                let request = request.body(Empty::<Bytes>::new()).expect("request");
                let started = Instant::now();
                match sender.send_request(request).await {
                    Ok(response) => {
                        let ok = response.status().is_success();
                        let _ = response.into_body().collect().await;
                        if ok {
                            latencies.push(started.elapsed());
                        } else {
                            errors += 1;
                        }
                    }
                    Err(_) => {
                        errors += 1;
                        break;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, e) = task.await.expect("task");
        all.extend(latencies);
        errors += e;
    }
    all.sort_unstable();
    // The q-th quantile, by integer arithmetic on the rank: `permille` is q × 1000.
    let at = |permille: usize| {
        all.get((all.len() * permille / 1000).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Outcome {
        requests: all.len() as u64,
        errors,
        per_second: all.len() as f64 / duration.as_secs_f64(),
        p50: at(500),
        p99: at(990),
    }
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn plain_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = Router::new().route("/", get(|| async { "hello" }));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    addr
}

async fn guichet_server(data: &std::path::Path) -> SocketAddr {
    let config = Config {
        data_dir: data.to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        demo: true,
        ..Config::default()
    };
    let app = App::build(config).await.expect("app");
    let addr = app.addr();
    tokio::spawn(async move {
        app.run_until_stopped(std::future::pending())
            .await
            .expect("serve")
    });
    addr
}

/// Signs in through the form as a browser would, and answers the session cookie.
async fn session_cookie(addr: SocketAddr, user: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = client
        .get(format!("http://{addr}/login"))
        .send()
        .await
        .expect("login page");
    let anon = page
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let html = page.text().await.expect("html");
    let at = html.find("name=\"_csrf\" value=\"").expect("token") + 20;
    let token = &html[at..at + 32];
    let response = client
        .post(format!("http://{addr}/login"))
        .header("cookie", &anon)
        .form(&[("username", user), ("password", "demo"), ("_csrf", token)])
        .send()
        .await
        .expect("login");
    response
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .expect("session")
        .split(';')
        .next()
        .expect("pair")
        .to_owned()
}

async fn api_token(addr: SocketAddr, user: &str) -> String {
    let body = serde_json::json!({"username": user, "password": "demo"});
    let response: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{addr}/api/v1/login"))
        .json(&body)
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    response["token"].as_str().expect("token").to_owned()
}

fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Starts the release binary with the demo, measures time to the first `/healthz` answer and
/// resident memory once idle.
fn process_figures() {
    let exe = env!("CARGO_BIN_EXE_guichet");
    let data = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let started = Instant::now();
    let mut child = std::process::Command::new(exe)
        .args([
            "serve",
            "--demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data",
        ])
        .arg(data.path())
        .env("GUICHET_LOG", "warn")
        .spawn()
        .expect("start guichet");
    let mut ready = None;
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ =
                stream.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                ready = Some(started.elapsed());
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::sleep(Duration::from_secs(2));
    let rss = vm_rss_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let size = std::fs::metadata(exe).map(|m| m.len()).unwrap_or(0);
    println!(
        "process: first /healthz after {:?} (first start, demo seeding included)",
        ready.unwrap_or_default()
    );
    println!(
        "process: idle VmRSS {} KiB; binary {:.1} MiB ({exe})",
        rss.unwrap_or(0),
        size as f64 / 1048576.0
    );
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
    runtime.block_on(async {
        let data = tempfile::tempdir().expect("tempdir");
        let plain = plain_server().await;
        let app = guichet_server(data.path()).await;
        let cookie = session_cookie(app, "alice").await;
        let token = api_token(app, "alice").await;
        let targets = [
            Target {
                name: "plain axum hello",
                addr: plain,
                path: "/".into(),
                headers: vec![],
            },
            Target {
                name: "guichet /healthz",
                addr: app,
                path: "/healthz".into(),
                headers: vec![],
            },
            Target {
                name: "guichet /login (page)",
                addr: app,
                path: "/login".into(),
                headers: vec![],
            },
            Target {
                name: "guichet / (signed in)",
                addr: app,
                path: "/".into(),
                headers: vec![("cookie", cookie.clone())],
            },
            Target {
                name: "guichet /catalog/5",
                addr: app,
                path: "/catalog/5".into(),
                headers: vec![("cookie", cookie.clone())],
            },
            Target {
                name: "guichet /services/8",
                addr: app,
                path: "/services/8".into(),
                headers: vec![("cookie", cookie.clone())],
            },
            Target {
                name: "guichet /account",
                addr: app,
                path: "/account".into(),
                headers: vec![("cookie", cookie)],
            },
            Target {
                name: "guichet /api/v1/me",
                addr: app,
                path: "/api/v1/me".into(),
                headers: vec![("authorization", format!("Bearer {token}"))],
            },
        ];
        println!("{connections} keep-alive connections, {seconds} s per target");
        println!(
            "{:<26} {:>10} {:>9} {:>9} {:>9} {:>7}",
            "target", "req/s", "p50", "p99", "ratio", "errors"
        );
        let mut baseline = None;
        for target in &targets {
            // A short warm-up so that caches and allocator pools are filled.
            let _ = load(target, connections, Duration::from_millis(300)).await;
            let outcome = load(target, connections, Duration::from_secs(seconds)).await;
            let base = *baseline.get_or_insert(outcome.per_second);
            println!(
                "{:<26} {:>10.0} {:>9.2?} {:>9.2?} {:>8.0}% {:>7}",
                target.name,
                outcome.per_second,
                outcome.p50,
                outcome.p99,
                100.0 * outcome.per_second / base,
                outcome.errors
            );
            let _ = outcome.requests;
        }
    });
}
