//! Shared by the benchmarks: a keep-alive HTTP load generator, a plain axum "hello" server
//! to compare with, signing in as a browser or an API client would, and a process's memory
//! as the OS reports it.

#![allow(dead_code)] // Each benchmark uses its own subset.

pub mod limit;

use axum::Router;
use axum::routing::get;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub struct Target {
    pub name: &'static str,
    pub addr: SocketAddr,
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    /// A JSON body to POST; `None` sends a GET.
    pub body: Option<String>,
}

/// The plain axum handler every table is compared with.
pub fn hello(plain: SocketAddr) -> Target {
    Target {
        name: "plain axum hello",
        addr: plain,
        path: "/".into(),
        headers: vec![],
        body: None,
    }
}

pub struct Outcome {
    pub requests: u64,
    pub errors: u64,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// What one stretch of load measured: each answered request's latency, the failures, and
/// how long it lasted. Stretches add up into one `Outcome`.
#[derive(Default)]
pub struct Sample {
    latencies: Vec<Duration>,
    errors: u64,
    duration: Duration,
}

impl Sample {
    pub fn add(&mut self, other: Sample) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.duration += other.duration;
    }

    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.duration.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    pub fn outcome(mut self) -> Outcome {
        let per_second = self.per_second();
        let all = &mut self.latencies;
        all.sort_unstable();
        // The q-th quantile, by integer arithmetic on the rank: `permille` is q × 1000.
        let at = |permille: usize| {
            all.get((all.len() * permille / 1000).min(all.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        Outcome {
            requests: all.len() as u64,
            errors: self.errors,
            per_second,
            p50: at(500),
            p99: at(990),
        }
    }
}

/// Drives `target` with `connections` keep-alive connections for `duration`.
pub async fn load(target: &Target, connections: usize, duration: Duration) -> Outcome {
    sample(target, connections, duration).await.outcome()
}

/// Drives `target` with `connections` keep-alive connections for `duration`, and keeps what
/// it measured to be added to other stretches.
pub async fn sample(target: &Target, connections: usize, duration: Duration) -> Sample {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let addr = target.addr;
        let path = target.path.clone();
        let headers = target.headers.clone();
        let body = target.body.clone();
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
                let mut request = match &body {
                    Some(_) => {
                        Request::post(path.as_str()).header("content-type", "application/json")
                    }
                    None => Request::get(path.as_str()),
                }
                .header("host", "bench");
                for (k, v) in &headers {
                    request = request.header(*k, v.as_str());
                }
                let payload = body.clone().map_or_else(Bytes::new, Bytes::from);
                let request = request.body(Full::new(payload)).expect("request");
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
    let mut all = Sample {
        duration,
        ..Sample::default()
    };
    for task in tasks {
        let (latencies, e) = task.await.expect("task");
        all.latencies.extend(latencies);
        all.errors += e;
    }
    all
}

pub fn arg(name: &str, default: u64) -> u64 {
    text_arg(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A fixed maud page of about 6 KB, the size of a portal page: the bytes written and read
/// cost the same in every handler, so pages are best compared with this too.
fn static_page() -> maud::Markup {
    maud::html! {
        (maud::DOCTYPE)
        html { head { title { "Static" } } body { main {
            @for i in 0..60 { p { "Ligne de texte statique numéro " (i) ", pour la taille." } }
        } } }
    }
}

pub async fn plain_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = Router::new()
        .route("/", get(|| async { "hello" }))
        .route("/static", get(|| async { static_page() }));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    addr
}

/// Signs in through the form as a browser would, and answers the session cookie.
pub async fn session_cookie(addr: SocketAddr, user: &str) -> String {
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

/// The value of `--name` on the command line.
pub fn text_arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

/// How many stretches a target's time is cut into, each followed by as long a stretch of the
/// plain handler.
const SLICES: u32 = 4;

/// Loads each target in turn and prints a table with ratios to the first one, the plain
/// handler. The machine's speed drifts during a run (by up to 40 % between the sections of one
/// run on a shared machine), so each target's time is cut into stretches alternated with
/// stretches of the plain handler, and its ratio is to the plain handler measured beside it
/// (column `beside`). With `--only WORDS`, only the first target and those whose name holds
/// WORDS are loaded (to profile one page).
pub async fn table(targets: &[Target], connections: usize, seconds: u64) {
    let only = text_arg("--only");
    let Some((plain, targets)) = targets.split_first() else {
        return;
    };
    let targets: Vec<&Target> = targets
        .iter()
        .filter(|t| only.as_ref().is_none_or(|w| t.name.contains(w.as_str())))
        .collect();
    println!(
        "{connections} keep-alive connections, {seconds} s per target, alternated with the plain handler in {SLICES} stretches"
    );
    println!(
        "{:<26} {:>10} {:>9} {:>9} {:>9} {:>7} {:>10}",
        "target", "req/s", "p50", "p99", "ratio", "errors", "beside"
    );
    let slice = Duration::from_secs(seconds) / SLICES;
    // A short warm-up so that caches and allocator pools are filled.
    let _ = load(plain, connections, Duration::from_millis(300)).await;
    let alone = load(plain, connections, Duration::from_secs(seconds)).await;
    row(plain.name, &alone, 100.0, None);
    for target in targets {
        let _ = load(target, connections, Duration::from_millis(300)).await;
        let (mut measured, mut beside) = (Sample::default(), Sample::default());
        for _ in 0..SLICES {
            measured.add(sample(target, connections, slice).await);
            beside.add(sample(plain, connections, slice).await);
        }
        let base = beside.per_second();
        let outcome = measured.outcome();
        row(
            target.name,
            &outcome,
            100.0 * outcome.per_second / base,
            Some(base),
        );
    }
}

/// Loads each pair, the same page on a large store and on a small one (`(large, small)`), in
/// stretches alternated with each other and with the plain handler (large, plain, small,
/// plain, `SLICES` times each), and prints each one's ratio to the plain handler measured
/// beside both (column `beside`) and the change from the small store's ratio to the large
/// one's. Both figures of a row come from the same seconds and are divided by the same plain
/// rate, so the change holds what the store's size costs the page, and neither the machine's
/// drift between two sections of a run minutes apart nor the plain handler's own spread from
/// one stretch to the next (its rate, the highest of all, moves most with the load
/// generator's share of the cores). Each side's server CPU time per request (user and system,
/// from the OS: `processes`, the two servers' pids) tells a page that costs more on the large
/// store from a machine that was slower while it ran. `--only` as for `table`.
pub async fn paired_table(
    plain: &Target,
    pairs: &[(Target, Target)],
    small_name: &str,
    processes: [u32; 2],
    connections: usize,
    seconds: u64,
) {
    let only = text_arg("--only");
    println!(
        "{connections} keep-alive connections, {seconds} s per target on each store, alternated with the other store and the plain handler in {SLICES} stretches"
    );
    println!(
        "{:<26} {:>10} {:>9} {:>9} {:>9} {:>7} {:>10} {:>8} | {small_name}: {:>9} {:>9} {:>9} {:>8} {:>7}",
        "target",
        "req/s",
        "p50",
        "p99",
        "ratio",
        "errors",
        "beside",
        "cpu µs",
        "req/s",
        "p99",
        "ratio",
        "cpu µs",
        "change"
    );
    let slice = Duration::from_secs(seconds) / SLICES;
    let _ = load(plain, connections, Duration::from_millis(300)).await;
    for (large, small) in pairs
        .iter()
        .filter(|(t, _)| only.as_ref().is_none_or(|w| t.name.contains(w.as_str())))
    {
        let _ = load(large, connections, Duration::from_millis(300)).await;
        let _ = load(small, connections, Duration::from_millis(300)).await;
        let (mut large_sample, mut small_sample, mut beside) =
            (Sample::default(), Sample::default(), Sample::default());
        let mut counted = [Counters::default(); 2];
        let mut measured = async |side: usize, target: &Target, into: &mut Sample| {
            let process = processes[side].to_string();
            let before = Counters::of(&process);
            into.add(sample(target, connections, slice).await);
            Counters::of(&process).add_since(before, &mut counted[side]);
        };
        for _ in 0..SLICES {
            measured(0, large, &mut large_sample).await;
            beside.add(sample(plain, connections, slice).await);
            measured(1, small, &mut small_sample).await;
            beside.add(sample(plain, connections, slice).await);
        }
        let base = beside.per_second();
        let large_ratio = 100.0 * large_sample.per_second() / base;
        let small_ratio = 100.0 * small_sample.per_second() / base;
        let (large_outcome, small_outcome) = (large_sample.outcome(), small_sample.outcome());
        let requests = [large_outcome.requests, small_outcome.requests];
        let cpu = [0, 1].map(|side| micros_per_request(counted[side].cpu(), requests[side]));
        println!(
            "{:<26} {:>10.0} {:>9.2?} {:>9.2?} {:>8.0}% {:>7} {:>10.0} {:>8.1} | {:>width$} {:>9.0} {:>9.2?} {:>8.0}% {:>8.1} {:>+6.0}%",
            large.name,
            large_outcome.per_second,
            large_outcome.p50,
            large_outcome.p99,
            large_ratio,
            large_outcome.errors + small_outcome.errors,
            base,
            cpu[0],
            "",
            small_outcome.per_second,
            small_outcome.p99,
            small_ratio,
            cpu[1],
            100.0 * (large_ratio / small_ratio - 1.0),
            width = small_name.len() + 1,
        );
        // Where each side's CPU time went: in the server's own code (user) or in the kernel
        // on its behalf (system: the sockets, and the page faults of memory it mapped again).
        let detail = |side: usize| {
            let c = counted[side];
            format!(
                "user {:.1} µs, system {:.1} µs, {:.1} minor faults per 1,000 requests, {} major",
                micros_per_request(c.user, requests[side]),
                micros_per_request(c.system, requests[side]),
                c.minor_faults as f64 * 1000.0 / requests[side].max(1) as f64,
                c.major_faults
            )
        };
        println!("    {} | {small_name}: {}", detail(0), detail(1));
    }
}

fn row(name: &str, outcome: &Outcome, ratio: f64, beside: Option<f64>) {
    let beside = beside.map_or_else(String::new, |b| format!("{b:.0}"));
    println!(
        "{:<26} {:>10.0} {:>9.2?} {:>9.2?} {:>8.0}% {:>7} {:>10}",
        name, outcome.per_second, outcome.p50, outcome.p99, ratio, outcome.errors, beside
    );
}

/// A memory figure of `/proc/{process}/status` in KiB (`VmRSS:`, `VmHWM:`); `process` is a pid
/// or `self`. 0 when it cannot be read.
pub fn status_kib(process: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{process}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time per request in µs, from the clock ticks `cpu_ticks` counted over `requests`.
pub fn micros_per_request(ticks: u64, requests: u64) -> f64 {
    // Clock ticks are a hundredth of a second on Linux.
    ticks as f64 * 10_000.0 / requests.max(1) as f64
}

/// A process's CPU time so far, user and system, in clock ticks (a hundredth of a second on
/// Linux), from `/proc/{process}/stat`; `process` is a pid or `self`. 0 when it cannot be read.
pub fn cpu_ticks(process: &str) -> u64 {
    Counters::of(process).cpu()
}

/// What the OS counted for a process so far (`/proc/{process}/stat`): its CPU time in user
/// and system mode, in clock ticks, and its page faults, minor (a page mapped again without
/// reading the disk) and major. Zeros when it cannot be read.
#[derive(Clone, Copy, Default, Debug)]
pub struct Counters {
    pub user: u64,
    pub system: u64,
    pub minor_faults: u64,
    pub major_faults: u64,
}

impl Counters {
    pub fn of(process: &str) -> Counters {
        let stat = std::fs::read_to_string(format!("/proc/{process}/stat")).unwrap_or_default();
        // The fields after the command name (which may hold spaces and parentheses), from the
        // state on: minflt is the 8th, majflt the 10th, utime and stime the 12th and 13th.
        let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let field = |n: usize| {
            fields
                .get(n)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        Counters {
            user: field(11),
            system: field(12),
            minor_faults: field(7),
            major_faults: field(9),
        }
    }

    /// CPU time, user and system, in clock ticks.
    pub fn cpu(self) -> u64 {
        self.user + self.system
    }

    /// What was counted between `earlier` and `self`, added to `into`.
    pub fn add_since(self, earlier: Counters, into: &mut Counters) {
        into.user += self.user.saturating_sub(earlier.user);
        into.system += self.system.saturating_sub(earlier.system);
        into.minor_faults += self.minor_faults.saturating_sub(earlier.minor_faults);
        into.major_faults += self.major_faults.saturating_sub(earlier.major_faults);
    }
}

/// Signs a demo user in to the API and answers the token.
pub async fn api_token(addr: SocketAddr, user: &str) -> String {
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

/// Starts the release binary with the demo (and the variables `env`) and waits until it
/// answers.
pub fn start_server(
    data: &std::path::Path,
    env: &[(&str, &str)],
) -> (std::process::Child, SocketAddr) {
    start_server_within(data, env, None)
}

/// `start_server`, inside the memory `limit` when there is one.
pub fn start_server_within(
    data: &std::path::Path,
    env: &[(&str, &str)],
    limit: Option<&limit::MemoryLimit>,
) -> (std::process::Child, SocketAddr) {
    start_binary_within(env!("CARGO_BIN_EXE_guichet").as_ref(), data, env, limit)
}

/// `start_server_within`, the executable `binary` (another build, to compare with).
pub fn start_binary_within(
    binary: &std::path::Path,
    data: &std::path::Path,
    env: &[(&str, &str)],
    limit: Option<&limit::MemoryLimit>,
) -> (std::process::Child, SocketAddr) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let mut command = std::process::Command::new(binary);
    command
        .args(["serve", "--demo", "--listen", &addr.to_string(), "--data"])
        .arg(data)
        // Quiet unless asked otherwise, e.g. `GUICHET_LOG=warn,guichet::storage::batch=debug`
        // for the group commits' sizes and durations.
        .env(
            "GUICHET_LOG",
            std::env::var("GUICHET_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .envs(env.iter().copied());
    let mut child = match limit {
        Some(limit) => limit.wrap(&command).spawn(),
        None => command.spawn(),
    }
    .expect("start guichet");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if std::net::TcpStream::connect(addr).is_ok() {
            return (child, addr);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

/// The id of the demo service called `name`, as the API lists it.
pub async fn service_id(addr: SocketAddr, token: &str, name: &str) -> u64 {
    let services: serde_json::Value = reqwest::Client::new()
        .get(format!("http://{addr}/api/v1/services"))
        .bearer_auth(token)
        .send()
        .await
        .expect("services")
        .json()
        .await
        .expect("json");
    services
        .as_array()
        .and_then(|all| all.iter().find(|s| s["name"] == name))
        .and_then(|s| s["id"].as_u64())
        .expect("service")
}
