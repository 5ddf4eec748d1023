//! HTTP: the whole URL map, the middleware every response passes through, and the handlers
//! (one file per area). Architecture invariant: only `web` names axum, and it reaches data only
//! through `ops`.

mod admin;
mod admin_forms;
mod api;
pub mod assets;
mod audit;
mod auth;
mod catalog_api;
mod categories_admin;
mod client;
mod cookies;
mod drafts;
mod error;
mod extract;
mod fields_admin;
mod listing_json;
mod listing_query;
mod mail_links;
mod metrics;
mod metrics_api;
mod outbox;
mod password_reset;
mod portal;
mod request_export;
mod request_json;
mod requests;
mod requests_api;
mod search;
pub mod server;
mod services_admin;
mod sla_admin;
mod sla_api;
mod state;
mod uploads;

pub use state::{AppState, WebSettings};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use error::{ApiError, Fail};
use extract::Signed;
use std::time::Instant;

/// The whole application: every route of every area, and the middleware.
pub fn router(state: AppState) -> Router {
    let https = state.web.secure_cookies;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/favicon.ico", get(favicon))
        .route("/assets/{*path}", get(assets::serve))
        .merge(portal::router())
        .merge(requests::router())
        .merge(search::router())
        .merge(auth::router())
        .merge(admin::router())
        .merge(categories_admin::router())
        .merge(services_admin::router())
        .merge(api::router())
        .merge(catalog_api::router())
        .merge(requests_api::router())
        .merge(request_export::router())
        .merge(sla_api::router())
        .merge(sla_admin::router())
        .merge(metrics_api::router())
        .merge(metrics::router())
        .merge(outbox::router())
        .merge(audit::router())
        .merge(mail_links::router())
        .merge(password_reset::router())
        .fallback(not_found)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            undecodable_paths,
        ))
        .with_state(state)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            security_headers(https, request, next)
        }))
        .layer(middleware::from_fn(log_request))
}

/// A path whose percent-escapes are not UTF-8 names nothing here: the usual "not found" answer
/// (page or JSON), rather than the router's plain-text 400.
async fn undecodable_paths(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let decoded = uploads::percent_decode(request.uri().path().as_bytes(), false);
    if std::str::from_utf8(&decoded).is_ok() {
        next.run(request).await
    } else {
        not_found(State(state), request).await
    }
}

/// An action's address opened as a page (a bookmark, a reload after a refused form, a link
/// copied from the bar): back to the page the action belongs to, one level up; anything else
/// sent to a page's address: to that page. The API answers 405 in its JSON format.
async fn wrong_method(request: Request) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") {
        return ApiError::new(
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{} is not allowed on {path}", request.method()),
        )
        .into_response();
    }
    if request.method() != axum::http::Method::GET && request.method() != axum::http::Method::HEAD {
        // A form sent to a page's address: to the page itself.
        return axum::response::Redirect::to(path).into_response();
    }
    let parent = match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) | None => "/",
        Some((parent, _)) => parent,
    };
    axum::response::Redirect::to(parent).into_response()
}

/// Browsers ask for `/favicon.ico` on their own: the site icon.
async fn favicon(State(state): State<AppState>) -> axum::response::Redirect {
    axum::response::Redirect::permanent(&state.web.assets.favicon)
}

async fn healthz() -> &'static str {
    "ok"
}

/// Unknown addresses: JSON for the API; for pages, the sign-in page first (so that nobody
/// learns which addresses exist without signing in), then a friendly 404.
async fn not_found(State(state): State<AppState>, request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        return ApiError::from(crate::ops::Error::NotFound).into_response();
    }
    let (mut parts, _) = request.into_parts();
    match <Signed as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &state,
    )
    .await
    {
        Ok(signed) => signed.ctx.fail()(crate::ops::Error::NotFound).into_response(),
        Err(to_login) => to_login,
    }
}

/// Serves the application on `listener` until `shutdown` completes, then lets requests in
/// flight finish. The peer address is kept for sign-in throttling.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    limits: server::Limits,
) -> std::io::Result<()> {
    server::serve(listener, router(state), shutdown, limits).await
}

/// A file download: a body served as an attachment named `name`, never shown inline. The name
/// goes out twice (RFC 6266): plain ASCII for old clients, and exactly, percent-encoded.
fn attachment(name: &str, body: impl Into<axum::body::Body>) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body.into(),
    )
        .into_response()
}

/// Streams a backup from its (already unlinked) file in chunks read off the async threads, so
/// that memory stays constant whatever the store's size. A client that goes away drops the
/// stream, which ends the reader and closes the file.
fn backup_download(name: &str, backup: crate::ops::BackupFile) -> Response {
    use std::io::Read;
    let (send, receive) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let mut file = backup.file;
    tokio::task::spawn_blocking(move || {
        loop {
            let mut chunk = vec![0; 256 << 10];
            match file.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => {
                    chunk.truncate(n);
                    if send.blocking_send(Ok(chunk)).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = send.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    let chunks = futures_util::stream::unfold(receive, |mut receive| async move {
        receive.recv().await.map(|chunk| (chunk, receive))
    });
    let mut response = attachment(name, axum::body::Body::from_stream(chunks));
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, backup.bytes.into());
    response
}

/// DESIGN §6: a strict content security policy, no framing, no sniffing; behind https, browsers
/// are told to use nothing else (HSTS).
async fn security_headers(https: bool, request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !is_asset && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// One line per request at info level: method, path, status, duration.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    tracing::info!(
        target: "guichet::http",
        "{method} {path} {} {:.1}ms",
        response.status().as_u16(),
        elapsed.as_secs_f64() * 1000.0
    );
    response
}
