//! Reading and writing the few cookies Guichet uses.

use axum::http::{HeaderMap, HeaderValue, header};

pub const SESSION: &str = "guichet_session";
/// The form token of visitors who are not signed in yet (the sign-in form itself).
pub const ANON_CSRF: &str = "guichet_csrf";
/// The language chosen on the sign-in page.
pub const LANG: &str = "guichet_lang";
/// The draft of a form sent after the session ended (`drafts.rs`).
pub const DRAFT: &str = "guichet_draft";

pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when served over https.
/// `max_age` of `None` makes a browser-session cookie; `Some(0)` deletes it.
pub fn set(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    // Names and values here are ASCII hex or fixed words, always valid header text.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}
