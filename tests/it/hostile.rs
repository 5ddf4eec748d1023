//! Hostile clients over loopback: silent sockets, a request head or body sent a byte at a time,
//! a flood of connections from one address. Every loop here is bounded by the short limits the
//! test sets (a second or two) and stops by itself.

use crate::support::TestApp;
use guichet::config::Http;
use reqwest::StatusCode;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const LIMITS: Http = Http {
    header_timeout_s: 1,
    idle_timeout_s: 2,
    body_timeout_s: 1,
    max_connections: 400,
    max_connections_per_address: 20,
};

async fn app() -> (TestApp, SocketAddr) {
    let app = TestApp::spawn_configured(|config| config.http = LIMITS).await;
    let addr: SocketAddr = app
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    (app, addr)
}

/// A connection from another loopback address, as another machine would open it.
async fn from(source: &str, addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{source}:0").parse().expect("source"))
        .expect("bind");
    socket.connect(addr).await.expect("connect")
}

/// Whether the server closes `stream` within `seconds` (reading what it sends meanwhile).
async fn closed_within(stream: &mut TcpStream, seconds: u64) -> bool {
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(seconds), read_all)
        .await
        .is_ok()
}

async fn healthy(app: &TestApp) {
    let response = tokio::time::timeout(Duration::from_secs(3), reqwest::get(app.url("/healthz")))
        .await
        .expect("/healthz answers in time")
        .expect("/healthz");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn silent_sockets_from_one_address_cannot_take_the_server_down() {
    let (app, addr) = app().await;
    let mut silent = Vec::new();
    for _ in 0..60 {
        silent.push(from("127.0.0.2", addr).await);
    }
    // Past the per-address cap, connections are closed at once.
    let mut refused = silent.pop().expect("a socket");
    assert!(
        closed_within(&mut refused, 2).await,
        "the 60th socket is refused"
    );
    // Everybody else is served meanwhile, signed in too.
    healthy(&app).await;
    let alice = app.signed_in("alice").await;
    assert_eq!(alice.get("/").await.status(), StatusCode::OK);
    // Silent sockets are closed after the idle time.
    let mut first = silent.remove(0);
    assert!(
        closed_within(&mut first, 4).await,
        "a silent socket is closed"
    );
}

#[tokio::test]
async fn a_request_head_sent_slowly_is_cut_off() {
    let (app, addr) = app().await;
    let mut slow = from("127.0.0.3", addr).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let dribble = async {
        for i in 0..20 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if slow
                .write_all(format!("X-Slow-{i}: a\r\n").as_bytes())
                .await
                .is_err()
            {
                return true;
            }
        }
        false
    };
    assert!(dribble.await, "the server closed the connection within 6 s");
    healthy(&app).await;
}

#[tokio::test]
async fn a_request_body_sent_slowly_is_cut_off() {
    let (app, addr) = app().await;
    let mut slow = from("127.0.0.4", addr).await;
    slow.write_all(
        b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{",
    )
    .await
    .expect("write");
    let mut answer = Vec::new();
    let dribble = async {
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let mut buf = [0u8; 1024];
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(10), slow.read(&mut buf)).await
            {
                answer.extend_from_slice(&buf[..n]);
                return true;
            }
            if slow.write_all(b" ").await.is_err() {
                return true;
            }
        }
        false
    };
    assert!(dribble.await, "the server answered or closed within 6 s");
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 4"),
        "a refusal, not a success: {text}"
    );
    healthy(&app).await;
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let (_app, addr) = app().await;
    let mut stream = from("127.0.0.5", addr).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).await.expect("answer");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(
        closed_within(&mut stream, 5).await,
        "closed after the idle time"
    );
}

/// Posts a raw URL-encoded body with the page's form token.
async fn post_body(
    browser: &crate::support::Browser,
    page: &str,
    action: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    let (_, html) = browser.get_text(page).await;
    let token = crate::support::csrf_of(&html).expect("token");
    let mut full = format!("_csrf={token}&").into_bytes();
    full.extend_from_slice(&body);
    browser
        .client
        .post(format!("{}{action}", browser.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(full)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn forms_with_invalid_text_or_too_much_of_it_are_refused_with_a_page() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let response = post_body(
        &admin,
        "/admin/categories/new",
        "/admin/categories",
        b"name=%FF%FE&description=&parent_id=&icon=folder&order=70".to_vec(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.expect("page");
    assert!(html.contains("pas du texte valide"), "{html}");
    let (_, list) = admin.get_text("/admin/categories").await;
    assert!(!list.contains('\u{fffd}'), "nothing was stored");

    let mut big = b"name=x&description=".to_vec();
    big.extend(std::iter::repeat_n(b'a', 3 << 20));
    let response = post_body(&admin, "/admin/categories/new", "/admin/categories", big).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = response.text().await.expect("page");
    assert!(html.contains("dépasse ce que le serveur accepte"), "{html}");
}

#[tokio::test]
async fn attachment_names_lose_invisible_format_characters() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let broken = crate::requests::service_id(&alice, crate::requests::BROKEN_PC).await;
    let form = reqwest::multipart::Form::new()
        .text("service_id", broken.to_string())
        .text("inventaire", "PC-7")
        .text("panne", "Écran noir")
        .part(
            "photo",
            reqwest::multipart::Part::bytes(vec![1u8; 100])
                .file_name("photo\u{202e}gnp.exe\u{200b}.png"),
        );
    let response = alice
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(alice.token.as_deref().expect("token"))
        .multipart(form)
        .send()
        .await
        .expect("request");
    let (status, body) = crate::support::Api::json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["attachments"][0]["name"], "photognp.exe.png");
}
