//! Helpers shared by the catalog administration handlers.

use super::error::HtmlError;
use super::extract::FormData;
use crate::domain::FieldErrors;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

pub type PageResult = Result<Response, HtmlError>;

#[derive(Deserialize)]
pub struct Direction {
    pub dir: Option<String>,
}

#[derive(Deserialize)]
pub struct Target {
    pub to: Option<String>,
}

pub fn status_for(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// An optional whole number from a form: empty is `None`; anything else must parse, or the
/// field is named in `errors`.
pub fn number<T: std::str::FromStr>(
    form: &FormData,
    key: &str,
    errors: &mut FieldErrors,
) -> Option<T> {
    let raw = form.text(key);
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = raw.replace(',', ".").parse::<T>().ok();
    if parsed.is_none() {
        errors.add(key, "must be a number");
    }
    parsed
}

/// `?done=…` after a post/redirect/get, for the notice it shows.
#[derive(Deserialize)]
pub struct Done {
    pub done: Option<String>,
}
