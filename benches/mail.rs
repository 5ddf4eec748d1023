//! Mail and the request path: durable submissions per second with SMTP configured and a relay
//! that takes a second per mail, against the same binary without mail, in the same run (each
//! server in its own process); then how fast the outbox drains once the relay is quick.
//!
//! `cargo bench --bench mail` (options: `-- --seconds 4 --connections 32 --drain 20`).

#![allow(clippy::expect_used)] // A benchmark stops on a failed set-up; that is its error report.

mod load;
#[path = "../tests/it/support/smtp.rs"]
#[allow(dead_code)] // The bench uses the sink's counter and delay only.
mod smtp;

use load::{Target, api_token, arg, hello, plain_server, service_id, start_server, table};
use serde_json::json;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seconds = arg("--seconds", 4);
    let connections = usize::try_from(arg("--connections", 32)).unwrap_or(32);
    let drain_seconds = arg("--drain", 20);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sink = smtp::SmtpSink::start().await;
        sink.delay(Duration::from_secs(1));
        let port = sink.addr.port().to_string();
        let (without, with) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
        let (mut off, off_addr) = start_server(without.path(), &[]);
        let mail_env = [
            ("GUICHET_BASE_URL", "http://127.0.0.1:8080"),
            ("GUICHET_SMTP_HOST", "127.0.0.1"),
            ("GUICHET_SMTP_PORT", port.as_str()),
            ("GUICHET_SMTP_TLS", "none"),
            ("GUICHET_SMTP_FROM", "Guichet <it@example.org>"),
        ];
        let (mut on, on_addr) = start_server(with.path(), &mail_env);
        let plain = plain_server().await;
        let submit = |name: &'static str, addr: SocketAddr, token: String, service: u64| Target {
            name,
            addr,
            path: "/api/v1/requests".into(),
            headers: vec![("authorization", format!("Bearer {token}"))],
            body: Some(
                json!({"service_id": service, "data": {"compte": "a.durand", "contact": "Par SMS"}})
                    .to_string(),
            ),
        };
        let off_token = api_token(off_addr, "alice").await;
        let on_token = api_token(on_addr, "alice").await;
        let reset = "Réinitialisation du mot de passe";
        let off_service = service_id(off_addr, &off_token, reset).await;
        let on_service = service_id(on_addr, &on_token, reset).await;
        println!("== durable submissions; each queues 2 mails when mail is on (relay: 1 s per mail) ==");
        let targets = [
            hello(plain),
            submit("POST request, mail off", off_addr, off_token, off_service),
            submit("POST request, mail on, slow relay", on_addr, on_token, on_service),
        ];
        table(&targets, connections, seconds).await;

        // The relay becomes quick: how fast does the backlog leave?
        let before = sink.count();
        sink.delay(Duration::ZERO);
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(drain_seconds)).await;
        let drained = sink.count() - before;
        println!(
            "outbox drain, quick relay on loopback: {drained} mails in {:.1?} ({:.0} mails/s; {before} sent while the relay was slow)",
            started.elapsed(),
            drained as f64 / started.elapsed().as_secs_f64()
        );
        for child in [&mut off, &mut on] {
            let _ = child.kill();
            let _ = child.wait();
        }
    });
}
