//! Static files embedded in the binary, served under content-hashed URLs cached for a year.

use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::ops::hex;
use crate::views::AssetUrls;

#[derive(Embed)]
#[folder = "assets/"]
#[exclude = "*/SOURCE"]
struct Assets;

fn version_of(path: &str) -> Option<String> {
    Assets::get(path).map(|file| hex(&file.metadata.sha256_hash()[..6]))
}

/// The one generated stylesheet: the names of a request table's cells on a narrow screen, in
/// every language (`views::request_lists::phone_labels_css`), with its version.
const LABELS: &str = "labels.css";

fn labels() -> &'static (String, String) {
    static LABELS_CSS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    LABELS_CSS.get_or_init(|| {
        let css = crate::views::request_lists::phone_labels_css();
        let version = hex(&Sha256::digest(css.as_bytes())[..6]);
        (css, version)
    })
}

fn url(path: &str) -> String {
    if path == LABELS {
        return format!("/assets/{path}?v={}", labels().1);
    }
    match version_of(path) {
        Some(v) => format!("/assets/{path}?v={v}"),
        None => format!("/assets/{path}"),
    }
}

pub fn urls() -> AssetUrls {
    AssetUrls {
        pico_css: url("vendor/pico/pico.min.css"),
        app_css: url("app.css"),
        icons_css: url("icons.css"),
        labels_css: url(LABELS),
        search_js: url("search.js"),
        favicon: url("favicon.svg"),
    }
}

#[derive(Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn serve(Path(path): Path<String>, Query(version): Query<Version>) -> Response {
    if path == LABELS {
        let (css, current) = labels();
        return answer(css.clone().into_bytes(), current, version, &path);
    }
    let Some(file) = Assets::get(&path) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let current = hex(&file.metadata.sha256_hash()[..6]);
    answer(file.data.into_owned(), &current, version, &path)
}

/// A file's bytes, cached for a year when asked for at its current version.
fn answer(data: Vec<u8>, current: &str, version: Version, path: &str) -> Response {
    let cache = if version.v.as_deref() == Some(current) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mime = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "text/plain; charset=utf-8",
    };
    let mut response = data.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{current}\"")) {
        headers.insert(header::ETAG, etag);
    }
    response
}
