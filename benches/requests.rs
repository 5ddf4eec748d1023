//! Requests at scale, against the release binary in its own process (so that its memory is its
//! own): durable submissions per second with concurrent clients, then, with 100,000 requests
//! in the store, the pages that list them (each loaded in alternated stretches with the same
//! page on a second server holding the demo alone) and find them by their words, compared with
//! a plain axum handler in the same run; the CSV export of them all; and the server's resident
//! memory read from the OS.
//!
//! `cargo bench --bench requests` (options: `-- --seconds 4 --connections 32 --total 100000
//! --memory-limit-mb 128 --only desk`).

#![allow(clippy::expect_used)] // A benchmark stops on a failed set-up; that is its error report.

mod load;

use load::{
    Target, api_token, arg, hello, plain_server, service_id, session_cookie, start_server_within,
    status_kib, table,
};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

async fn get_json(addr: SocketAddr, token: &str, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("http://{addr}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

/// The newest request's number in the store of `app` as `token`'s holder sees it (0: none).
async fn newest(app: SocketAddr, token: &str) -> u64 {
    get_json(app, token, "/api/v1/requests?status=all&limit=1").await["items"][0]["id"]
        .as_u64()
        .unwrap_or(0)
}

/// How long the request index took to hold the newest request: found by its number.
async fn caught_up(addr: SocketAddr, token: &str) -> std::time::Duration {
    let started = Instant::now();
    let newest = newest(addr, token).await;
    let path = format!("/api/v1/requests?status=all&q=REQ-{newest:06}");
    while get_json(addr, token, &path).await["items"]
        .as_array()
        .is_none_or(Vec::is_empty)
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    started.elapsed()
}

/// Waits until the process `pid` uses at most 2 % of a core over half a second, for 60 s at
/// most; answers how long it waited and the CPU time (ms) it used meanwhile.
async fn quiet(pid: u32) -> (std::time::Duration, u64) {
    let (started, process) = (Instant::now(), pid.to_string());
    let first = load::cpu_ticks(&process);
    while started.elapsed() < std::time::Duration::from_secs(60) {
        let before = load::cpu_ticks(&process);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        // A clock tick is 10 ms: one tick in half a second is 2 % of a core.
        if load::cpu_ticks(&process).saturating_sub(before) <= 1 {
            break;
        }
    }
    (
        started.elapsed(),
        load::cpu_ticks(&process).saturating_sub(first) * 10,
    )
}

/// The fewest requests the fill submits. The submissions measured before it may already have
/// made more than `--total` (about 95,000 in a fast run): their newest were then the approval
/// target's, and a word of the fill's requests was searched below them, a different search from
/// one run to the next. The fill's requests are always the newest now.
const FILL_AT_LEAST: u64 = 10_000;

/// Submits until the store holds `total` requests, and `FILL_AT_LEAST` at least, spreading them
/// over several requesters; answers how many it holds then.
async fn fill(
    addr: SocketAddr,
    tokens: Vec<String>,
    body: String,
    total: u64,
    connections: usize,
) -> u64 {
    // The newest request any of them sees: one requester's view misses the others' newer ones.
    let mut have = 0;
    for token in &tokens {
        have = have.max(newest(addr, token).await);
    }
    let count = total.saturating_sub(have).max(FILL_AT_LEAST);
    let left = Arc::new(AtomicU64::new(count));
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for i in 0..connections {
        let (left, client, body) = (left.clone(), client.clone(), body.clone());
        let token = tokens[i % tokens.len()].clone();
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
    have + count
}

/// A page of `app` as the holder of session `cookie` sees it.
fn signed(app: SocketAddr, name: &'static str, path: String, cookie: &str) -> Target {
    Target {
        name,
        addr: app,
        path,
        headers: vec![("cookie", cookie.to_owned())],
        body: None,
    }
}

/// The pages that list requests and show one, with `total` requests in the store of `app`
/// (`alice`: her API token there).
async fn pages(app: SocketAddr, alice: &str, total: u64) -> Vec<Target> {
    let alice_cookie = session_cookie(app, "alice").await;
    let tom_cookie = session_cookie(app, "tom").await;
    // The fill submits as alice, bob and admin: lea's page holds the same rows at every size,
    // so it shows what the store's size alone costs a page, where alice's also grows longer.
    let lea_cookie = session_cookie(app, "lea").await;
    let middle = (total / 2).max(1);
    let page = |name, path, cookie: &str| signed(app, name, path, cookie);
    vec![
        page("/desk (open, newest)", "/desk".into(), &tom_cookie),
        page(
            "/desk?status=all&sort=oldest",
            "/desk?status=all&sort=oldest".into(),
            &tom_cookie,
        ),
        page(
            "/desk?assignee=none p.100",
            format!("/desk?assignee=none&before={middle}"),
            &tom_cookie,
        ),
        page("/my/requests", "/my/requests".into(), &alice_cookie),
        page(
            "/my/requests (lea, same rows)",
            "/my/requests".into(),
            &lea_cookie,
        ),
        page("/notifications", "/notifications".into(), &alice_cookie),
        page(
            "/requests/{middle} (IT team)",
            format!("/requests/{middle}"),
            &tom_cookie,
        ),
        Target {
            name: "GET /api/v1/requests",
            addr: app,
            path: "/api/v1/requests?status=all".into(),
            headers: vec![("authorization", format!("Bearer {alice}"))],
            body: None,
        },
    ]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seconds = arg("--seconds", 3);
    let connections = usize::try_from(arg("--connections", 32)).unwrap_or(32);
    let total = arg("--total", 100_000);
    let data = tempfile::tempdir().expect("tempdir");
    // `--memory-limit-mb 128`: each server runs in a cgroup of its own with that limit, as on a
    // small machine; the end says whether it reached the limit and lived.
    let limit = |tag| match arg("--memory-limit-mb", 0) {
        0 => None,
        mib => load::limit::MemoryLimit::new(mib, tag),
    };
    let large_limit = limit("large");
    let (mut child, app) = start_server_within(data.path(), &[], large_limit.as_ref());
    let pid = child.id();
    // A second server that keeps the demo's requests alone, in a cgroup of its own: each page
    // is loaded on both stores in alternated stretches, so that what the store's size costs it
    // is measured in the same seconds rather than across the minutes of the fill.
    let small_data = tempfile::tempdir().expect("tempdir");
    let small_limit = limit("demo");
    let (mut small_child, small) =
        start_server_within(small_data.path(), &[], small_limit.as_ref());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let plain = plain_server().await;
        let alice = api_token(app, "alice").await;
        let bob = api_token(app, "bob").await;
        let reset = service_id(app, &alice, "Réinitialisation du mot de passe").await;
        let vpn = service_id(app, &alice, "Accès VPN").await;
        let reset_body =
            json!({"service_id": reset, "data": {"compte": "a.durand", "contact": "Par SMS"}})
                .to_string();
        let vpn_body = json!({"service_id": vpn, "data": {"motif": "Télétravail", "duree": "3 mois", "equipement": "Ordinateur de l'organisation"}}).to_string();
        println!("== durable submissions (each answered after its commit) ==");
        let admin = api_token(app, "admin").await;
        let submit = |name, token: &str, body: &str| Target {
            name,
            addr: app,
            path: "/api/v1/requests".into(),
            headers: vec![("authorization", format!("Bearer {token}"))],
            body: Some(body.to_owned()),
        };
        // The word index indexes a burst once it is over: after each target, wait for it, so
        // that the next one is measured on its own rather than beside this one's indexing.
        for target in [
            submit("POST request (no approval)", &alice, &reset_body),
            submit("POST request (approval)", &bob, &vpn_body),
        ] {
            table(&[hello(plain), target], connections, seconds).await;
            let took = caught_up(app, &admin).await;
            println!("== the request index caught up {took:.1?} after them ==");
        }

        let started = Instant::now();
        let tokens = vec![alice.clone(), bob.clone(), admin.clone()];
        // At least `FILL_AT_LEAST` more, past what the submissions above made.
        let total = fill(app, tokens, reset_body, total, connections).await;
        println!(
            "== {total} requests in the store (filled in {:.1?}; file {:.0} MiB) ==",
            started.elapsed(),
            std::fs::metadata(data.path().join("guichet.redb"))
                .map(|m| m.len())
                .unwrap_or(0) as f64
                / 1048576.0
        );
        // The word index follows the fill in batches of its own: wait until it holds the last
        // request, so that the pages are measured on a server that is not still indexing.
        let took = caught_up(app, &admin).await;
        println!("== the request index caught up {took:.1?} after the fill ==");
        // What the server still does on its own after the fill (the word index merging its
        // segments, the store file flushed at a checkpoint) is waited out too, so that it is
        // not counted against the pages loaded meanwhile.
        let (took, busy) = quiet(pid).await;
        println!("== the server was idle {took:.1?} later ({busy} ms of CPU time meanwhile) ==");
        let small_alice = api_token(small, "alice").await;
        let demo = newest(small, &small_alice).await;
        println!("== the pages with {total} requests, and with the demo's {demo} on the other server ==");
        let pairs: Vec<(Target, Target)> = pages(app, &alice, total)
            .await
            .into_iter()
            .zip(pages(small, &small_alice, demo).await)
            .collect();
        load::paired_table(
            &hello(plain),
            &pairs,
            "demo",
            [pid, small_child.id()],
            connections,
            seconds,
        )
        .await;

        let index_bytes = guichet::search::SearchIndex::disk_size(&data.path().join("search-requests"));
        println!(
            "== words over {total} requests (index {:.1} MiB) ==",
            index_bytes as f64 / 1048576.0
        );
        let alice_cookie = session_cookie(app, "alice").await;
        let tom_cookie = session_cookie(app, "tom").await;
        let middle = total / 2;
        let page = |name, path, cookie: &str| signed(app, name, path, cookie);
        let api = |name: &'static str, path: String| Target {
            name,
            addr: app,
            path,
            headers: vec![("authorization", format!("Bearer {admin}"))],
            body: None,
        };
        let words = [
            hello(plain),
            page("/desk?status=all&q=sms (many requests)", "/desk?status=all&q=sms".into(), &tom_cookie),
            api("API q=a.durand (many requests)", "/api/v1/requests?status=all&q=a.durand".into()),
            api("API q=REQ-050000 (one)", format!("/api/v1/requests?status=all&q=REQ-{middle:06}")),
            page("/my/requests?q=durand", "/my/requests?q=durand".into(), &alice_cookie),
            // A word of 276 of the demo's requests (its screens and keyboards), none since:
            // found below every newer request whatever the submissions and the fill made.
            page("/desk?status=all&q=ecran (demo's only)", "/desk?status=all&q=ecran".into(), &tom_cookie),
        ];
        table(&words, connections, seconds).await;

        // The whole listing as CSV, streamed; the server's memory sampled while it runs.
        let peak_before = status_kib(&pid.to_string(), "VmHWM:");
        let sampling = Arc::new(AtomicU64::new(0));
        let sampler = {
            let (sampling, pid) = (sampling.clone(), pid.to_string());
            tokio::spawn(async move {
                loop {
                    sampling.fetch_max(status_kib(&pid, "VmRSS:"), Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            })
        };
        let rss_before = status_kib(&pid.to_string(), "VmRSS:");
        let started = Instant::now();
        let mut response = reqwest::Client::new()
            .get(format!("http://{app}/api/v1/requests.csv?status=all"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("export");
        let (mut bytes, mut lines) = (0usize, 0usize);
        while let Some(chunk) = response.chunk().await.expect("chunk") {
            bytes += chunk.len();
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        let took = started.elapsed();
        sampler.abort();
        println!(
            "export of {} rows ({:.1} MiB of CSV) in {took:.1?}; server VmRSS {rss_before} KiB before, at most {} KiB during (VmHWM {peak_before} KiB before, {} KiB after)",
            lines.saturating_sub(1),
            bytes as f64 / 1048576.0,
            sampling.load(Ordering::SeqCst),
            status_kib(&pid.to_string(), "VmHWM:")
        );
    });
    println!(
        "server process: VmRSS {} KiB, peak VmHWM {} KiB",
        status_kib(&pid.to_string(), "VmRSS:"),
        status_kib(&pid.to_string(), "VmHWM:")
    );
    for (name, limit, child) in [
        ("server", &large_limit, &mut child),
        ("demo server", &small_limit, &mut small_child),
    ] {
        if let Some(limit) = limit {
            let alive = matches!(child.try_wait(), Ok(None));
            println!(
                "memory limit {} MiB: {name} {}; {}",
                arg("--memory-limit-mb", 0),
                if alive { "alive to the end" } else { "DIED" },
                limit.report()
            );
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}
