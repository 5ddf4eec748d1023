//! Helpers shared by the catalog administration handlers.

use super::error::{Fail, HtmlError};
use super::extract::FormData;
use crate::domain::FieldErrors;
use crate::ops::Error;
use crate::views::PageCtx;
use crate::views::confirm::{self, Confirm};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
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

/// A deletion that asks first (`views/confirm.rs`).
pub struct Deletion<'a> {
    /// The question of the confirmation page.
    pub question: &'a str,
    /// Where the form posts (this same handler).
    pub action: &'a str,
    /// Where "no" goes back to.
    pub back: &'a str,
    /// Where the admin lands once it is done.
    pub done: &'a str,
}

/// Without `confirm=yes`, answers the confirmation page naming `subject()`; with it, runs
/// `delete` (a future does nothing until awaited) and redirects to `done`.
pub async fn delete_after_confirming<T>(
    ctx: &PageCtx,
    form: &FormData,
    d: Deletion<'_>,
    subject: impl FnOnce() -> Result<String, Error>,
    delete: impl Future<Output = Result<T, Error>>,
) -> PageResult {
    if !form.confirmed() {
        let subject = subject().map_err(ctx.fail())?;
        return Ok(confirm::confirm(
            ctx,
            &Confirm {
                question: d.question,
                subject: &subject,
                consequence: ctx.t.cannot_undo,
                action: d.action,
                confirm_label: ctx.t.delete,
                back: d.back,
                note: None,
            },
        )
        .into_response());
    }
    delete.await.map_err(ctx.fail())?;
    Ok(Redirect::to(d.done).into_response())
}
