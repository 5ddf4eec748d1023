//! The SLA scan and "most urgent first" at scale, in process with a manual clock: the demo, then
//! `--total` requests under the "Critique" policy of which `--open` stay open (the others are
//! cancelled). Prints each scan's time, allocations and peak resident memory (the peak reset
//! through /proc/self/clear_refs just before), then the desk sorted by urgency and filtered by
//! deadline against a plain axum handler in the same run.
//!
//! `cargo bench --bench sla` (options: `-- --total 100000 --open 10000 --seconds 3`).

#![allow(clippy::expect_used)] // A benchmark stops on a failed set-up; that is its error report.

mod load;

use guichet::app::App;
use guichet::clock::ManualClock;
use guichet::config::Config;
use guichet::domain::Timestamp;
use guichet::domain::form::Submitted;
use guichet::domain::request::Action;
use guichet::ops::Submission;
use load::{Target, arg, hello, plain_server, session_cookie, status_kib, table};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Counts allocations on top of the system allocator.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// One scan at the clock's time: what it wrote, how long, how many allocations, and the peak
/// resident memory while it ran.
async fn measured_scan(app: &App, label: &str, now: Timestamp) {
    // Writing 5 to clear_refs resets VmHWM to the current resident size.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let region = Region::new(GLOBAL);
    let started = Instant::now();
    let written = app.ops().sla_scan(now).await.expect("scan");
    let took = started.elapsed();
    let change = region.change();
    let allocs = change.allocations + change.reallocations;
    let bytes = change.bytes_allocated;
    println!(
        "{label:<44} {written:>7} entries {took:>10.2?} {allocs:>10} allocs {:>8.1} MiB asked  peak RSS {} KiB{}",
        bytes as f64 / 1048576.0,
        status_kib("self", "VmHWM:"),
        if reset { "" } else { " (since start)" }
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seconds = arg("--seconds", 3);
    let total = arg("--total", 100_000);
    let open = arg("--open", 10_000).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let data = tempfile::tempdir().expect("tempdir");
        // Monday 30 November 2026, 09:00 in Paris: the office calendar's hours have begun.
        let start = Timestamp(1_796_025_600);
        let clock = Arc::new(ManualClock::new(start));
        let config = Config {
            data_dir: data.path().to_path_buf(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            demo: true,
            ..Config::default()
        };
        let app = App::build_with_clock(config, clock.clone())
            .await
            .expect("app");
        let ops = app.ops().clone();
        let admin = ops.user_by_name_unchecked("admin").expect("admin");
        let broken_pc = ops
            .all_services(ops.admin(&admin).expect("capability"))
            .expect("services")
            .into_iter()
            .find(|s| s.name == "Remplacement d'un poste en panne")
            .expect("the broken-PC service")
            .id;
        let requesters = [
            ops.user_by_name_unchecked("alice").expect("alice"),
            ops.user_by_name_unchecked("bob").expect("bob"),
        ];

        let started = Instant::now();
        let next = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (ops, next, requesters) = (ops.clone(), next.clone(), requesters.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return;
                    }
                    let requester = &requesters[(i % 2) as usize];
                    let mut values = BTreeMap::new();
                    values.insert(
                        "inventaire".to_owned(),
                        Submitted::Values(vec![format!("PC-{i:06}")]),
                    );
                    values.insert(
                        "panne".to_owned(),
                        Submitted::Values(vec!["L'écran reste noir.".to_owned()]),
                    );
                    let submission = Submission {
                        requester_id: None,
                        service_id: broken_pc,
                        values,
                        files: BTreeMap::new(),
                    };
                    let (request, _) = ops
                        .submit_request(requester, submission)
                        .await
                        .expect("submit");
                    // One in `total / open` stays open; the requester cancels the others.
                    if i % (total / open).max(1) != 0 {
                        ops.act(
                            requester,
                            request.id,
                            Action::Cancel {
                                reason: String::new(),
                            },
                        )
                        .await
                        .expect("cancel");
                    }
                }
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        println!(
            "== {total} requests under SLA, {} open (filled in {:.1?}; file {:.0} MiB) ==",
            total.div_ceil((total / open).max(1)),
            started.elapsed(),
            std::fs::metadata(data.path().join("guichet.redb"))
                .map(|m| m.len())
                .unwrap_or(0) as f64
                / 1048576.0
        );
        measured_scan(&app, "scan, nothing due yet", clock_now(&clock)).await;
        clock.advance(31 * 60);
        measured_scan(
            &app,
            "scan at 31 min: the 50 % response alerts",
            clock_now(&clock),
        )
        .await;
        measured_scan(
            &app,
            "the same scan again (nothing twice)",
            clock_now(&clock),
        )
        .await;
        clock.advance(30 * 60);
        measured_scan(&app, "scan at 61 min: response breached", clock_now(&clock)).await;
        clock.advance(60);
        measured_scan(&app, "a minute later: nothing due", clock_now(&clock)).await;

        let addr = app.addr();
        tokio::spawn(async move {
            app.run_until_stopped(std::future::pending())
                .await
                .expect("serve")
        });
        let plain = plain_server().await;
        let tom = session_cookie(addr, "tom").await;
        let page = |name: &'static str, path: &str| Target {
            name,
            addr,
            path: path.into(),
            headers: vec![("cookie", tom.clone())],
            body: None,
        };
        let targets = [
            hello(plain),
            page("/desk (open, newest)", "/desk"),
            page("/desk?sort=urgent", "/desk?sort=urgent"),
            page("/desk?due=overdue", "/desk?due=overdue"),
            page("/desk?sort=urgent&due=soon", "/desk?sort=urgent&due=soon"),
        ];
        table(&targets, 32, seconds).await;
        println!(
            "process: VmRSS {} KiB, peak VmHWM {} KiB",
            status_kib("self", "VmRSS:"),
            status_kib("self", "VmHWM:")
        );
    });
}

fn clock_now(clock: &ManualClock) -> Timestamp {
    guichet::clock::Clock::now(clock)
}
