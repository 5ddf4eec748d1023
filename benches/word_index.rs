//! The request index's own memory and CPU: 100,000 generated requests indexed in commits of
//! the server's size (5,000), in a process holding nothing else, with the server's allocator and
//! its options (mimalloc giving freed memory back at once). Prints the resident size and its
//! peak after the first commits and at the end: what one commit's writer costs, whatever the
//! server is doing beside it.
//!
//! `cargo bench --bench word_index [-- --batch 5000 --total 100000]`

#![allow(clippy::expect_used)] // A benchmark stops on a failed set-up; that is its error report.

mod load;

use guichet::search::{RequestDoc, RequestIndex};
use load::{arg, cpu_ticks, status_kib};
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WORDS: [&str; 10] = [
    "laptop",
    "écran",
    "vpn",
    "accès",
    "souris",
    "clavier",
    "imprimante",
    "badge",
    "bureau",
    "chaise",
];

fn main() {
    // The server's own allocator setting (`main.rs`), read by mimalloc when the process starts.
    if let Some(error) = guichet::cli::give_freed_memory_back() {
        panic!("could not start again with freed memory given back at once: {error}");
    }
    let batch = arg("--batch", 5_000);
    let total = arg("--total", 100_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let index = RequestIndex::open(dir.path()).expect("index");
    let show = |what: &str| {
        println!(
            "{what:<28} VmRSS {:>6} KiB  VmHWM {:>6} KiB",
            status_kib("self", "VmRSS:"),
            status_kib("self", "VmHWM:")
        )
    };
    show("index opened");
    let started = Instant::now();
    let mut id = 0;
    let mut commits = 0;
    while id < total {
        let docs: Vec<RequestDoc> = (0..batch.min(total - id))
            .map(|_| {
                id += 1;
                let user = id % 50;
                RequestDoc {
                    id,
                    service: format!("Service {}", id % 40),
                    requester: format!("Utilisateur {user} user{user}"),
                    requester_id: user,
                    answers: format!(
                        "{} {} merci {} salle {}",
                        WORDS[(id % 10) as usize],
                        WORDS[(id / 10 % 10) as usize],
                        id * 7_919 % 100_003,
                        id % 300
                    ),
                }
            })
            .collect();
        index.add(&docs, id).expect("commit");
        commits += 1;
        if commits <= 3 {
            show(&format!("after commit {commits}"));
        }
    }
    show(&format!("after {commits} commits"));
    // The process's CPU time, tantivy's threads included, which the wall time of a machine
    // doing other things would not tell.
    let ticks = cpu_ticks("self");
    println!(
        "{total} requests in commits of {batch} in {:.1?}, {:.2} s of CPU",
        started.elapsed(),
        ticks as f64 / 100.0
    );
}
