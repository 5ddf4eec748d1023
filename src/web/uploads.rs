//! Request submissions as browsers and scripts send them: URL-encoded, or multipart with files.
//! Files are read chunk by chunk and refused as soon as one passes the upload limit, so an
//! oversized upload is never held whole in memory.

use super::extract::{ExpectedCsrf, check_csrf};
use super::state::AppState;
use crate::domain::form::{FileMeta, Submitted};
use crate::domain::{FieldErrors, ServiceId};
use crate::ops::Submission;
use crate::views::PageCtx;
use crate::views::request_form::Values;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

/// Fields that carry no answer: the form token, the service on the API, a return address.
const NOT_ANSWERS: &[&str] = &["_csrf", "service_id", "back", "requester_id"];

pub struct SentFile {
    pub key: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a submission carried, before validation.
#[derive(Default)]
pub struct Sent {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<SentFile>,
    /// Files refused for their size, by field key.
    pub too_large: FieldErrors,
}

#[derive(Debug)]
pub enum SentError {
    /// Not a form body at all, or a broken multipart stream.
    Malformed(String),
    /// The whole body passes what any form may send.
    TooLarge,
    /// A value is not UTF-8 text.
    NotText,
}

/// The pairs of a URL-encoded body, or `None` when a name or value is not UTF-8 text: such a
/// form is refused, never stored with replacement characters.
pub fn form_pairs(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for part in bytes.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (key, value) = match part.iter().position(|b| *b == b'=') {
            Some(at) => (&part[..at], &part[at + 1..]),
            None => (part, &[][..]),
        };
        pairs.push((decode_component(key)?, decode_component(value)?));
    }
    Some(pairs)
}

/// `+` is a space and `%XY` a byte, as `application/x-www-form-urlencoded` says; a `%` not
/// followed by two hex digits stays as it is.
fn decode_component(raw: &[u8]) -> Option<String> {
    String::from_utf8(percent_decode(raw, true)).ok()
}

/// The bytes `%XY` escapes stand for (and spaces for `+` when `plus_is_space`, as forms write
/// them); a `%` not followed by two hex digits stays as it is.
pub fn percent_decode(raw: &[u8], plus_is_space: bool) -> Vec<u8> {
    let hex = |at: usize| raw.get(at).and_then(|b| char::from(*b).to_digit(16));
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match (raw[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.extend(u8::try_from(high * 16 + low).ok());
                i += 3;
            }
            (b'+', _, _) if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// A refused form as a page in the visitor's language (or plain text without one).
pub fn refusal(
    ctx: Option<&PageCtx>,
    status: StatusCode,
    message: fn(&PageCtx) -> &'static str,
) -> Response {
    match ctx {
        Some(ctx) => (
            status,
            crate::views::errors::error_page(ctx, ctx.t.refused_title, message(ctx), None),
        )
            .into_response(),
        None => (status, "refused").into_response(),
    }
}

/// Longest text value (one field) and longest URL-encoded body.
const MAX_TEXT_BYTES: usize = 256 << 10;

/// The most a whole submission may carry: a few files at the limit plus the text.
fn total_limit(file_limit: u64) -> u64 {
    file_limit.saturating_mul(4) + (1 << 20)
}

/// Characters that show nothing but change how the rest reads: bidirectional overrides
/// (`x\u{202e}txt.exe` shows as `xexe.txt`), zero-width characters, soft hyphens.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Keeps the last path component of a browser-sent file name, without control or invisible
/// format characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !invisible(*c))
        .take(200)
        .collect();
    if clean.trim().is_empty() {
        "file".into()
    } else {
        clean
    }
}

impl Sent {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Reads a URL-encoded or multipart body; files larger than `limit` bytes are dropped and
    /// noted in `too_large`.
    pub async fn read(request: Request, state: &AppState, limit: u64) -> Result<Sent, SentError> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let bytes = axum::body::to_bytes(request.into_body(), MAX_TEXT_BYTES)
                .await
                .map_err(|_| SentError::TooLarge)?;
            let pairs = form_pairs(&bytes).ok_or(SentError::NotText)?;
            return Ok(Sent {
                pairs,
                ..Sent::default()
            });
        }
        let mut form = Multipart::from_request(request, state)
            .await
            .map_err(|e| SentError::Malformed(e.body_text()))?;
        let mut sent = Sent::default();
        let mut total: u64 = 0;
        let broken =
            |e: axum::extract::multipart::MultipartError| SentError::Malformed(e.body_text());
        while let Some(mut field) = form.next_field().await.map_err(broken)? {
            let key = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let mut bytes = Vec::new();
            let mut over = false;
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                total += chunk.len() as u64;
                if total > total_limit(limit) {
                    return Err(SentError::TooLarge);
                }
                if file_name.is_none() {
                    if bytes.len() + chunk.len() > MAX_TEXT_BYTES {
                        return Err(SentError::TooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                    continue;
                }
                if over {
                    continue;
                }
                if (bytes.len() + chunk.len()) as u64 > limit {
                    over = true;
                    bytes = Vec::new();
                    continue;
                }
                bytes.extend_from_slice(&chunk);
            }
            let Some(file_name) = file_name else {
                let text = String::from_utf8(bytes).map_err(|_| SentError::NotText)?;
                sent.pairs.push((key, text));
                continue;
            };
            if over {
                sent.too_large
                    .add(&key, format!("must be at most {} MiB", limit >> 20));
            } else if !(file_name.is_empty() && bytes.is_empty()) {
                // A file input left empty sends a nameless, empty part: no answer.
                sent.files.push(SentFile {
                    key,
                    name: clean_name(&file_name),
                    bytes,
                });
            }
        }
        Ok(sent)
    }

    /// The answers as the catalog's validator takes them. The files' bytes move into it.
    pub fn into_submission(self, service_id: ServiceId) -> Submission {
        // Filing for someone else: the person picker (empty: for oneself).
        let requester_id = self
            .get("requester_id")
            .and_then(|v| v.trim().parse().ok())
            .map(crate::domain::UserId);
        let mut values: BTreeMap<String, Submitted> = BTreeMap::new();
        for (key, value) in &self.pairs {
            if NOT_ANSWERS.contains(&key.as_str()) {
                continue;
            }
            if let Submitted::Values(list) = values
                .entry(key.clone())
                .or_insert_with(|| Submitted::Values(Vec::new()))
            {
                list.push(value.clone());
            }
        }
        let mut files = BTreeMap::new();
        for file in self.files {
            values.insert(
                file.key.clone(),
                Submitted::File(FileMeta {
                    name: file.name,
                    size: file.bytes.len() as u64,
                }),
            );
            files.insert(file.key, file.bytes);
        }
        Submission {
            service_id,
            requester_id,
            values,
            files,
        }
    }

    /// What to show again in the form after a refusal (file fields show the name to re-ask).
    pub fn values(&self) -> Values {
        let mut values = Values::new();
        for (key, value) in &self.pairs {
            values.entry(key.clone()).or_default().push(value.clone());
        }
        for file in &self.files {
            values.insert(file.key.clone(), vec![file.name.clone()]);
        }
        values
    }
}

/// A submission from a page: its form token is checked like every other form's.
pub struct PageUpload(pub Sent);

impl FromRequest<AppState> for PageUpload {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let expected = request.extensions().get::<ExpectedCsrf>().cloned();
        let ctx = request.extensions().get::<PageCtx>().cloned();
        let limit = state.web.upload_limit_bytes;
        let sent = match Sent::read(request, state, limit).await {
            Ok(sent) => sent,
            // A broken body carries no valid form token: refused as an expired form below.
            Err(SentError::Malformed(_)) => Sent::default(),
            Err(SentError::NotText) => {
                return Err(refusal(ctx.as_ref(), StatusCode::BAD_REQUEST, |c| {
                    c.t.form_not_text
                }));
            }
            Err(SentError::TooLarge) => {
                return Err(refusal(ctx.as_ref(), StatusCode::PAYLOAD_TOO_LARGE, |c| {
                    c.t.upload_too_large
                }));
            }
        };
        check_csrf(expected.as_ref(), ctx, sent.get("_csrf")).map_err(|r| *r)?;
        Ok(PageUpload(sent))
    }
}
