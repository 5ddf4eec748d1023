//! This build against another one on durable submissions: both servers started with the
//! demo, each loaded in turn in short stretches alternated many times, so that the shared
//! machine's drift (its speed moves by up to 40 % within a run) falls on both alike. A change
//! of a few per cent, lost in the noise of two separate runs, shows here.
//!
//! `cargo bench --bench ab -- --other /tmp/guichet.before` (options: `--seconds 24` per
//! target and server, `--rounds 12` stretches each, `--connections 32`, `--only approval`).
//! Besides the rates, each server's CPU time per submission (user + system, read from
//! `/proc/PID/stat` around its own stretches only).

#![allow(clippy::expect_used)] // A benchmark stops on a failed set-up; that is its error report.

mod load;

use load::{
    Sample, Target, api_token, arg, cpu_ticks, micros_per_request, sample, service_id,
    start_binary_within, text_arg,
};
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;

/// A server under comparison: what the table calls it, where it listens, its process.
struct Server {
    name: String,
    addr: SocketAddr,
    pid: u32,
}

/// The submissions compared, for a server: without an approval (alice) and with one (bob).
async fn targets(addr: SocketAddr) -> Vec<Target> {
    let alice = api_token(addr, "alice").await;
    let bob = api_token(addr, "bob").await;
    let reset = service_id(addr, &alice, "Réinitialisation du mot de passe").await;
    let vpn = service_id(addr, &alice, "Accès VPN").await;
    let post = |name, token: &str, body: serde_json::Value| Target {
        name,
        addr,
        path: "/api/v1/requests".into(),
        headers: vec![("authorization", format!("Bearer {token}"))],
        body: Some(body.to_string()),
    };
    vec![
        post(
            "POST request (no approval)",
            &alice,
            json!({"service_id": reset, "data": {"compte": "a.durand", "contact": "Par SMS"}}),
        ),
        post(
            "POST request (approval)",
            &bob,
            json!({"service_id": vpn, "data": {"motif": "Télétravail", "duree": "3 mois", "equipement": "Ordinateur de l'organisation"}}),
        ),
    ]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Some(other) = text_arg("--other") else {
        eprintln!(
            "ab: give the other build with --other PATH (e.g. a copy of target/release/guichet made before a change)"
        );
        return;
    };
    let seconds = arg("--seconds", 24);
    let rounds = u32::try_from(arg("--rounds", 12)).unwrap_or(12).max(1);
    let connections = usize::try_from(arg("--connections", 32)).unwrap_or(32);
    let only = text_arg("--only");
    let dirs = [
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    ];
    let binaries = [
        std::path::PathBuf::from(env!("CARGO_BIN_EXE_guichet")),
        std::path::PathBuf::from(&other),
    ];
    let mut children = Vec::new();
    let mut servers = Vec::new();
    for (n, (binary, dir)) in binaries.iter().zip(&dirs).enumerate() {
        let (child, addr) = start_binary_within(binary, dir.path(), &[], None);
        servers.push(Server {
            name: if n == 0 {
                "this build".into()
            } else {
                other.clone()
            },
            addr,
            pid: child.id(),
        });
        children.push(child);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut per_server = Vec::new();
        for server in &servers {
            per_server.push(targets(server.addr).await);
        }
        let slice = Duration::from_secs(seconds) / rounds;
        println!(
            "{connections} keep-alive connections, {seconds} s per target and server, in {rounds} alternated stretches"
        );
        println!(
            "{:<28} {:<24} {:>9} {:>9} {:>9} {:>11}",
            "target", "server", "req/s", "p50", "p99", "CPU µs/req"
        );
        let count = per_server[0].len();
        for t in 0..count {
            let name = per_server[0][t].name;
            if only.as_ref().is_some_and(|w| !name.contains(w.as_str())) {
                continue;
            }
            for targets in &per_server {
                let _ = sample(&targets[t], connections, Duration::from_millis(300)).await;
            }
            let mut samples: Vec<Sample> = servers.iter().map(|_| Sample::default()).collect();
            let mut ticks = vec![0u64; servers.len()];
            for round in 0..rounds {
                // Each round starts with the other server than the last, so that neither
                // always follows the other's stretch.
                for k in 0..servers.len() {
                    let n = (k + round as usize) % servers.len();
                    let before = cpu_ticks(&servers[n].pid.to_string());
                    samples[n].add(sample(&per_server[n][t], connections, slice).await);
                    ticks[n] += cpu_ticks(&servers[n].pid.to_string()).saturating_sub(before);
                }
            }
            let rates: Vec<f64> = samples.iter().map(Sample::per_second).collect();
            for ((server, measured), ticks) in servers.iter().zip(samples).zip(ticks) {
                let outcome = measured.outcome();
                let cpu = micros_per_request(ticks, outcome.requests);
                println!(
                    "{:<28} {:<24} {:>9.0} {:>9.2?} {:>9.2?} {:>11.1}",
                    name, server.name, outcome.per_second, outcome.p50, outcome.p99, cpu
                );
            }
            println!(
                "{:<28} {:<24} {:>8.1}%",
                name,
                "this build / the other",
                100.0 * rates[0] / rates[1].max(f64::MIN_POSITIVE)
            );
        }
    });
    for mut child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
}
