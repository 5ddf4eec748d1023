//! Static files embedded in the binary, served under content-hashed URLs cached for a year.

use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

use crate::ops::hex;
use crate::views::AssetUrls;

#[derive(Embed)]
#[folder = "assets/"]
#[exclude = "*/SOURCE"]
struct Assets;

/// The one generated stylesheet: the names of a request table's cells on a narrow screen, in
/// every language (`views::request_lists::phone_labels_css`).
const LABELS: &str = "labels.css";

/// A file's bytes and current version: an embedded file, or the generated stylesheet (made
/// once, on first use).
fn lookup(path: &str) -> Option<(Cow<'static, [u8]>, String)> {
    if path == LABELS {
        static LABELS_CSS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
        let (css, version) = LABELS_CSS.get_or_init(|| {
            let css = crate::views::request_lists::phone_labels_css();
            let version = hex(&Sha256::digest(css.as_bytes())[..6]);
            (css, version)
        });
        return Some((Cow::Borrowed(css.as_bytes()), version.clone()));
    }
    Assets::get(path).map(|file| (file.data, hex(&file.metadata.sha256_hash()[..6])))
}

fn url(path: &str) -> String {
    match lookup(path) {
        Some((_, v)) => format!("/assets/{path}?v={v}"),
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
    let Some((data, current)) = lookup(&path) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let cache = if version.v.as_deref() == Some(current.as_str()) {
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
    let mut response = data.into_owned().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{current}\"")) {
        headers.insert(header::ETAG, etag);
    }
    response
}
