//! The one mapping from use-case errors to HTTP, rendered as a page or as JSON.
//! The message shown to the user is kept apart from the one logged.

use crate::domain::FieldErrors;
use crate::ops::Error;
use crate::views::{PageCtx, errors::error_page};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Forbidden(_) | Error::PasswordChangeRequired => StatusCode::FORBIDDEN,
        Error::Unauthenticated | Error::BadCredentials => StatusCode::UNAUTHORIZED,
        Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Conflict(_) | Error::CategoryNotEmpty { .. } | Error::Illegal { .. } => {
            StatusCode::CONFLICT
        }
        Error::Storage(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn code_of(error: &Error) -> &'static str {
    match error {
        Error::NotFound => "not_found",
        Error::Forbidden(_) => "forbidden",
        Error::PasswordChangeRequired => "password_change_required",
        Error::Unauthenticated => "unauthenticated",
        Error::BadCredentials => "bad_credentials",
        Error::Throttled { .. } => "throttled",
        Error::Invalid(_) => "invalid",
        Error::Conflict(_) => "conflict",
        Error::Illegal { .. } => "illegal_transition",
        Error::CategoryNotEmpty { .. } => "not_empty",
        Error::Storage(_) | Error::Internal(_) => "internal",
    }
}

/// Logs an internal error with a reference the user can quote, and answers that reference.
fn log_internal(error: &Error) -> String {
    let reference = crate::ops::hex(&crate::ops::request_reference());
    tracing::error!(reference = %reference, "{error}");
    reference
}

/// An error answered to the JSON API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Option<FieldErrors>,
    retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: None,
            retry_after: None,
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        let status = status_of(&error);
        let message = match &error {
            Error::Storage(_) | Error::Internal(_) => {
                format!("internal error (reference {})", log_internal(&error))
            }
            Error::Invalid(_) => "validation failed".to_owned(),
            other => other.to_string(),
        };
        ApiError {
            status,
            code: code_of(&error),
            message,
            retry_after: match error {
                Error::Throttled { retry_after } => Some(retry_after),
                _ => None,
            },
            fields: match error {
                Error::Invalid(fields) => Some(fields),
                _ => None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "code": self.code, "message": self.message });
        if let Some(fields) = &self.fields {
            body["fields"] = json!(fields);
        }
        let mut response = (self.status, Json(json!({ "error": body }))).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// An error answered as a page, in the viewer's language and frame.
pub struct HtmlError {
    pub error: Error,
    pub ctx: Box<PageCtx>,
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let t = self.ctx.t;
        let status = status_of(&self.error);
        let (title, text, reference) = match &self.error {
            Error::NotFound => (t.not_found_title, t.not_found_text.to_owned(), None),
            Error::Forbidden(_) | Error::PasswordChangeRequired | Error::Unauthenticated => {
                (t.forbidden_title, t.forbidden_text.to_owned(), None)
            }
            Error::Conflict(message) => (t.conflict_title, message.clone(), None),
            Error::Illegal { action, status } => {
                (t.conflict_title, t.illegal(action, *status), None)
            }
            Error::CategoryNotEmpty {
                subcategories,
                services,
            } => (
                t.conflict_title,
                t.category_not_empty(*subcategories, *services),
                None,
            ),
            Error::BadCredentials => (t.forbidden_title, t.bad_credentials.to_owned(), None),
            Error::Throttled { retry_after } => {
                (t.forbidden_title, t.throttled_for(*retry_after), None)
            }
            Error::Invalid(errors) => {
                let mut text = t.form_has_errors.to_owned();
                for (field, message) in errors.iter() {
                    let message = crate::views::i18n::field_message(self.ctx.locale, message);
                    text.push_str(&format!(" {field}{}{message}", t.colon));
                }
                (t.conflict_title, text, None)
            }
            Error::Storage(_) | Error::Internal(_) => (
                t.error_title,
                t.error_text.to_owned(),
                Some(log_internal(&self.error)),
            ),
        };
        (
            status,
            error_page(&self.ctx, title, &text, reference.as_deref()),
        )
            .into_response()
    }
}

/// Turns `ops` results into page errors with `?`: `ops.x().map_err(ctx.fail())?`.
pub trait Fail {
    fn fail(&self) -> impl Fn(Error) -> HtmlError;
}

impl Fail for PageCtx {
    fn fail(&self) -> impl Fn(Error) -> HtmlError {
        |error| HtmlError {
            error,
            ctx: Box::new(self.clone()),
        }
    }
}
