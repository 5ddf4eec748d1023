//! Search at a realistic size: the demo catalog plus 1,000 generated services. Prints the full
//! rebuild time, the index size on disk, query latency measured server-side (the use case, no
//! HTTP), and the search page's throughput against a plain axum handler in the same run.
//!
//! `cargo bench --bench search`

#![allow(clippy::expect_used)] // A benchmark stops on a failed set-up; that is its error report.

mod load;

use guichet::app::{App, StoreUse, open_ops};
use guichet::clock::SystemClock;
use guichet::config::Config;
use guichet::domain::form::{FieldKind, FormField, Limits};
use guichet::domain::service::{Delay, DelayUnit};
use guichet::domain::{CategoryId, ServiceInput};
use load::{Target, arg, hello, plain_server, session_cookie, table};
use std::sync::Arc;
use std::time::Instant;

const WORDS: &[&str] = &[
    "accès",
    "réseau",
    "imprimante",
    "ordinateur",
    "logiciel",
    "licence",
    "serveur",
    "stockage",
    "sauvegarde",
    "formation",
    "messagerie",
    "téléphone",
    "badge",
    "écran",
    "clavier",
    "projet",
    "comptabilité",
    "paie",
    "achat",
    "contrat",
    "sécurité",
    "certificat",
    "domaine",
    "base",
    "données",
    "rapport",
    "tableau",
    "planning",
    "salle",
    "visioconférence",
    "caméra",
    "câble",
];

fn word(seed: usize) -> &'static str {
    WORDS[seed.wrapping_mul(2_654_435_761) % WORDS.len()]
}

fn generated(i: usize) -> (ServiceInput, Vec<FormField>) {
    let name = format!("{} {} {}", word(i), word(i + 7), i);
    let description: Vec<&str> = (0..40).map(|k| word(i * 31 + k)).collect();
    let input = ServiceInput {
        name,
        description: description.join(" "),
        keywords: format!("{} {}", word(i + 3), word(i + 11)),
        category_id: CategoryId(2 + (i % 15) as u64),
        active: true,
        requires_approval: false,
        approval_steps: vec![],
        on_behalf: true,
        estimated_delay: Some(Delay {
            value: 2,
            unit: DelayUnit::Days,
        }),
        sla_policy_id: None,
        team_id: None,
        order: 0,
        show_usual_time: false,
    };
    let form = vec![FormField {
        key: "details".into(),
        label: "Détails".into(),
        help: String::new(),
        kind: FieldKind::Textarea,
        required: false,
        options: vec![],
        limits: Limits::default(),
    }];
    (input, form)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seconds = arg("--seconds", 3);
    let services = usize::try_from(arg("--services", 1000)).unwrap_or(1000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let data = tempfile::tempdir().expect("tempdir");
        let config = Config {
            data_dir: data.path().to_path_buf(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            demo: true,
            ..Config::default()
        };
        {
            // Fill the store without a search index attached, as an import would.
            let ops = open_ops(
                &config,
                Arc::new(SystemClock),
                StoreUse::Create { verify: false },
            )
            .expect("store");
            ops.seed_demo().await.expect("demo");
            let admin = ops
                .admin(&ops.user_by_name_unchecked("admin").expect("admin"))
                .expect("capability");
            for i in 0..services {
                let (input, form) = generated(i);
                ops.create_service(admin, input, form)
                    .await
                    .expect("service");
            }
        }
        let started = Instant::now();
        let app = App::build(config).await.expect("app");
        println!(
            "start-up with a stale index (rebuilt): {:?}",
            started.elapsed()
        );
        let ops = app.ops().clone();
        let started = Instant::now();
        let indexed = ops.rebuild_search().expect("rebuild");
        println!(
            "full rebuild of {indexed} services: {:?}",
            started.elapsed()
        );
        let size = guichet::search::SearchIndex::disk_size(&data.path().join("search"));
        println!("index size on disk: {:.1} KiB", size as f64 / 1024.0);

        let viewer = ops.user_by_name_unchecked("alice").expect("alice");
        let queries = [
            "acces vpn",
            "imprimante",
            "formaton",
            "sauvegarde serveur",
            "ordi",
            "visioconférence salle",
            "certificat",
            "xylophone",
        ];
        let mut latencies = Vec::new();
        for round in 0..250 {
            for (k, q) in queries.iter().enumerate() {
                let typing = (round + k) % 2 == 0;
                let started = Instant::now();
                let results = ops.search_services(&viewer, q, 20, typing).expect("search");
                latencies.push(started.elapsed());
                std::hint::black_box(results);
            }
        }
        latencies.sort_unstable();
        let at = |permille: usize| {
            latencies[(latencies.len() * permille / 1000).min(latencies.len() - 1)]
        };
        println!(
            "query latency over {} queries: p50 {:?}, p99 {:?}, max {:?}",
            latencies.len(),
            at(500),
            at(990),
            at(1000)
        );

        let addr = app.addr();
        tokio::spawn(async move {
            app.run_until_stopped(std::future::pending())
                .await
                .expect("serve")
        });
        let plain = plain_server().await;
        let cookie = session_cookie(addr, "alice").await;
        let targets = [
            hello(plain),
            Target {
                name: "guichet /search?q=acces+vpn",
                addr,
                path: "/search?q=acces+vpn".into(),
                headers: vec![("cookie", cookie.clone())],
                body: None,
            },
            Target {
                name: "guichet /search/suggest?q=imp",
                addr,
                path: "/search/suggest?q=imp".into(),
                headers: vec![("cookie", cookie)],
                body: None,
            },
        ];
        table(&targets, 32, seconds).await;
    });
}
