//! The texts people type on a request (comments, reasons, resolutions): required or optional,
//! trimmed, and bounded.

use super::Refusal;
use crate::domain::FieldErrors;

/// Longest comment, reason or resolution.
pub const MAX_TEXT: usize = 5000;

pub(super) fn required_text(field: &str, text: &str) -> Result<String, Refusal> {
    let text = text.trim();
    if text.is_empty() {
        Err(Refusal::Invalid(FieldErrors::single(field, "is required")))
    } else if text.chars().count() > MAX_TEXT {
        Err(Refusal::Invalid(FieldErrors::single(
            field,
            "must be at most 5000 characters long",
        )))
    } else {
        Ok(text.to_owned())
    }
}

pub(super) fn optional_text(field: &str, text: &str) -> Result<String, Refusal> {
    if text.trim().is_empty() {
        Ok(String::new())
    } else {
        required_text(field, text)
    }
}
