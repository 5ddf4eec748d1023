//! The crash test: the real server is killed with SIGKILL while clients submit requests, and the
//! store file is put back as it was before the server started, as if the machine had lost its
//! power and not one of the server's writes to the file had reached the disk: only the
//! journal's flushes did. After a restart every request it acknowledged (answered 201) is
//! there, with its data.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// Starts the server on `data` and answers it with its base URL, and whether it said it
/// verified the store after an unclean shutdown. Its log is drained on a thread so that a full
/// pipe never stalls it.
fn start(data: &std::path::Path) -> (Child, String, bool) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(["serve", "--listen", "127.0.0.1:0", "--demo", "--data"])
        .arg(data)
        .env("GUICHET_LOG", "info")
        // Segments far longer than the default's 2 MiB: the power loss below is one where no
        // checkpoint has flushed the store file, which takes a journal that was not rotated.
        .env("GUICHET_JOURNAL_MB", "64")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut stderr = std::io::BufReader::new(server.stderr.take().expect("stderr"));
    let mut line = String::new();
    let mut verified = false;
    let base = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).expect("read") > 0,
            "server ended early"
        );
        verified |= line.contains("was not closed cleanly; verifying every record");
        if let Some(at) = line.find("listening on http://") {
            let rest = &line[at + "listening on ".len()..];
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    std::thread::spawn(move || {
        let mut sink = String::new();
        while stderr.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    (server, base, verified)
}

async fn sign_in(client: &reqwest::Client, base: &str) -> String {
    let body: Value = client
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"username": "alice", "password": "demo"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    body["token"].as_str().expect("token").to_owned()
}

fn journal(data: &std::path::Path) -> Vec<std::path::PathBuf> {
    ["guichet.redb.journal.0", "guichet.redb.journal.1"]
        .map(|name| data.join(name))
        .into_iter()
        .filter(|path| path.exists())
        .collect()
}

/// Stops the server as `kill` does, and waits for it to close the store.
fn stop(mut server: Child) {
    let status = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", server.id())])
        .status()
        .expect("kill");
    assert!(status.success());
    assert_eq!(server.wait().expect("wait").code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_request_survives_a_kill_9_and_a_power_loss() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, _, verified) = start(dir.path());
    assert!(!verified, "a new store needs no recovery");
    stop(server);
    assert_eq!(journal(dir.path()), Vec::<std::path::PathBuf>::new());
    // The store file as the disk holds it after a clean stop.
    let store = dir.path().join("guichet.redb");
    let closed = dir.path().join("closed.redb");
    std::fs::copy(&store, &closed).expect("copy");

    let (mut server, base, verified) = start(dir.path());
    assert!(!verified, "a store closed cleanly needs no recovery");
    let client = reqwest::Client::new();
    let token = sign_in(&client, &base).await;
    let services: Value = client
        .get(format!("{base}/api/v1/services"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("services")
        .json()
        .await
        .expect("json");
    let reset = services
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|s| s["name"] == "Réinitialisation du mot de passe")
        })
        .and_then(|s| s["id"].as_u64())
        .expect("service");

    let acknowledged: Arc<Mutex<Vec<(String, String)>>> = Arc::new(Mutex::new(Vec::new()));
    let mut clients = Vec::new();
    for worker in 0..16 {
        let (client, base, token, acknowledged) = (
            client.clone(),
            base.clone(),
            token.clone(),
            acknowledged.clone(),
        );
        clients.push(tokio::spawn(async move {
            for n in 0.. {
                let account = format!("user-{worker}-{n}");
                let body =
                    json!({"service_id": reset, "data": {"compte": account, "contact": "Par SMS"}});
                let sent = client
                    .post(format!("{base}/api/v1/requests"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                // Once the server is gone, requests fail: this client is done.
                let Ok(response) = sent else { break };
                if response.status() != StatusCode::CREATED {
                    break;
                }
                let Ok(created) = response.json::<Value>().await else {
                    break;
                };
                let number = created["number"].as_str().unwrap_or_default().to_owned();
                acknowledged.lock().expect("lock").push((number, account));
            }
        }));
    }
    // Kill the server while the clients are still submitting.
    while acknowledged.lock().expect("lock").len() < 400 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.kill().expect("SIGKILL");
    server.wait().expect("wait");
    for task in clients {
        task.await.expect("client");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() >= 400);
    // The power loss: none of the server's writes to the store file reached the disk. Its
    // journal (well under one 64 MiB segment here, so none was written over) holds them all.
    assert!(!journal(dir.path()).is_empty(), "the crash left a journal");
    assert!(
        !dir.path().join("guichet.redb.journal.1").exists(),
        "no checkpoint ran, or this power loss could not happen"
    );
    std::fs::copy(&closed, &store).expect("power loss");

    let (mut server, base, verified) = start(dir.path());
    assert!(
        verified,
        "after a kill -9 the store is verified before serving"
    );
    let token = sign_in(&client, &base).await;
    let mut missing = Vec::new();
    for (number, account) in &acknowledged {
        let response = client
            .get(format!("{base}/api/v1/requests/{number}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("get");
        if response.status() != StatusCode::OK {
            missing.push(number.clone());
            continue;
        }
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["data"]["compte"], account.as_str(), "{number}");
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged requests lost: {missing:?}",
        missing.len(),
        acknowledged.len()
    );
    server.kill().expect("stop");
    server.wait().expect("wait");
}
