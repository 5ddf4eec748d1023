//! The JSON API for requests (DESIGN §5): submit (JSON or multipart with files), list with
//! filters and a cursor, read, act, comment, read the timeline and attachments; and the
//! notifications inbox.

use super::api::Body;
use super::error::ApiError;
use super::extract::ApiUser;
use super::listing_query::desk_filter;
use super::request_json::{
    Detail, Listed, Listing, event_json, json_answer, json_body, notification_json, request_value,
};
use super::requests::{parse_request, query_pairs};
use super::state::AppState;
use super::uploads::{Sent, SentError};
use crate::domain::form::Submitted;
use crate::domain::request::{Action, EventKind};
use crate::domain::{FieldErrors, ServiceId, TeamId, UserId};
use crate::ops::{Error, Submission};
use axum::extract::{Path, RawQuery, Request as HttpRequest, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/requests",
            get(list)
                .post(submit)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/api/v1/requests/{id}", get(one))
        .route("/api/v1/requests/{id}/events", get(events))
        .route(
            "/api/v1/requests/{id}/comments",
            get(comments).post(comment),
        )
        .route("/api/v1/requests/{id}/attachments/{key}", get(attachment))
        .route("/api/v1/requests/{id}/{action}", post(act))
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v1/notifications/read-all", post(read_all))
        .route("/api/v1/notifications/{id}/read", post(read_one))
}

type ApiResult = Result<Response, ApiError>;

/// JSON answers to submitted values: strings, numbers, booleans, or lists of strings.
fn values_from_json(data: Map<String, Value>) -> Result<BTreeMap<String, Submitted>, Error> {
    let mut errors = FieldErrors::new();
    let mut values = BTreeMap::new();
    for (key, value) in data {
        let list = match value {
            Value::Null => continue,
            Value::String(s) => vec![s],
            Value::Number(n) => vec![n.to_string()],
            Value::Bool(b) => vec![if b { "true" } else { "false" }.to_owned()],
            Value::Array(items) => items
                .into_iter()
                .filter_map(|i| match i {
                    Value::String(s) => Some(s),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
            Value::Object(_) => {
                errors.add(&key, "must be a text, a number, a boolean or a list");
                continue;
            }
        };
        values.insert(key, Submitted::Values(list));
    }
    errors.into_result(values).map_err(Error::Invalid)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRequestBody {
    service_id: u64,
    #[serde(default)]
    data: Map<String, Value>,
    /// Filing for someone else.
    requester_id: Option<u64>,
}

async fn submit(State(state): State<AppState>, api: ApiUser, request: HttpRequest) -> ApiResult {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let submission = if multipart {
        let sent = Sent::read(request, &state, state.web.upload_limit_bytes)
            .await
            .map_err(|e| match e {
                SentError::Malformed(m) => ApiError::new(StatusCode::BAD_REQUEST, "malformed", m),
                SentError::NotText => ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    "a form value is not UTF-8 text",
                ),
                SentError::TooLarge => ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "the upload is too large",
                ),
            })?;
        if !sent.too_large.is_empty() {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "a file is larger than {} MiB",
                    state.web.upload_limit_bytes >> 20
                ),
            ));
        }
        let service = sent
            .get("service_id")
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| Error::Invalid(FieldErrors::single("service_id", "is required")))?;
        sent.into_submission(ServiceId(service))
    } else {
        let Body(body) = Body::<NewRequestBody>::from_request_json(request).await?;
        Submission {
            service_id: ServiceId(body.service_id),
            requester_id: body.requester_id.map(UserId),
            values: values_from_json(body.data)?,
            files: BTreeMap::new(),
        }
    };
    let (created, facts) = state.ops.submit_request(&api.user, submission).await?;
    let value = Detail::of(&created, facts);
    Ok((StatusCode::CREATED, json_body(value.to_json())).into_response())
}

async fn list(State(state): State<AppState>, api: ApiUser, RawQuery(query): RawQuery) -> ApiResult {
    let q = query_pairs(query.as_deref());
    let (filter, _) =
        desk_filter(&q, api.user.id, api.user.role.is_staff()).map_err(Error::Invalid)?;
    let page = state.ops.list_summaries(&api.user, filter)?;
    let listing = Listing {
        items: page.items.iter().map(Listed::of).collect(),
        next: page
            .next
            .map(|n| crate::domain::request::RequestId(n).number()),
    };
    Ok(json_body(listing.to_json()))
}

async fn one(State(state): State<AppState>, api: ApiUser, Path(id): Path<String>) -> ApiResult {
    let request = state.ops.request(&api.user, parse_request(&id)?)?;
    Ok(json_body(
        request_value(&state, &api.user, &request)?.to_json(),
    ))
}

async fn events(State(state): State<AppState>, api: ApiUser, Path(id): Path<String>) -> ApiResult {
    let events = state.ops.request_events(&api.user, parse_request(&id)?)?;
    Ok(Json(events.iter().map(event_json).collect::<Vec<_>>()).into_response())
}

async fn comments(
    State(state): State<AppState>,
    api: ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let events = state.ops.request_events(&api.user, parse_request(&id)?)?;
    let comments: Vec<Value> = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Comment { .. } | EventKind::Waiting { .. }
            )
        })
        .map(event_json)
        .collect();
    Ok(Json(comments).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentBody {
    body: String,
    #[serde(default)]
    internal: bool,
}

async fn comment(
    State(state): State<AppState>,
    api: ApiUser,
    Path(id): Path<String>,
    Body(body): Body<CommentBody>,
) -> ApiResult {
    let id = parse_request(&id)?;
    let action = Action::Comment {
        body: body.body,
        internal: body.internal,
    };
    let request = state.ops.act(&api.user, id, action).await?;
    let events = state.ops.request_events(&api.user, request.id)?;
    let last = events.last().map_or(Value::Null, event_json);
    Ok((StatusCode::CREATED, Json(last)).into_response())
}

/// Bodies of the workflow actions; each takes only its own field.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    comment: Option<String>,
    reason: Option<String>,
    resolution: Option<String>,
    user_id: Option<u64>,
    team_id: Option<u64>,
}

async fn act(
    State(state): State<AppState>,
    api: ApiUser,
    Path((id, verb)): Path<(String, String)>,
    request: HttpRequest,
) -> ApiResult {
    let id = parse_request(&id)?;
    // Chunked or with a length, an empty body means no options.
    let body = Body::<ActionBody>::optional(request).await?;
    let action = match verb.as_str() {
        "approve" => Action::Approve {
            comment: body.comment.unwrap_or_default(),
        },
        "reject" => Action::Reject {
            reason: body.reason.unwrap_or_default(),
        },
        "take" => Action::Take,
        "assign" => match (body.user_id, body.team_id) {
            (Some(user), None) => Action::Assign {
                to: UserId(user),
                to_staff: false,
            },
            (None, Some(team)) => Action::Transfer {
                team: TeamId(team),
                exists: false,
            },
            _ => {
                return Err(Error::Invalid(FieldErrors::single(
                    "user_id",
                    "give either user_id (a person) or team_id (a team's queue)",
                ))
                .into());
            }
        },
        "release" => Action::Release,
        "reopen" => Action::Reopen {
            reason: body.reason.unwrap_or_default(),
            window_days: 0,
            first_breached: None,
        },
        "complete" => Action::Complete {
            resolution: body.resolution.unwrap_or_default(),
        },
        "cancel" => Action::Cancel {
            reason: body.reason.unwrap_or_default(),
        },
        "wait" => Action::Wait {
            body: body.comment.unwrap_or_default(),
        },
        "resume" => Action::Resume,
        _ => return Err(Error::NotFound.into()),
    };
    let changed = state.ops.act(&api.user, id, action).await?;
    Ok(json_body(
        request_value(&state, &api.user, &changed)?.to_json(),
    ))
}

async fn attachment(
    State(state): State<AppState>,
    api: ApiUser,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult {
    let (name, bytes) = state.ops.attachment(&api.user, parse_request(&id)?, &key)?;
    Ok(super::attachment(&name, bytes))
}

async fn notifications(
    State(state): State<AppState>,
    api: ApiUser,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let q = query_pairs(query.as_deref());
    let number = |key: &str| -> Result<Option<u64>, Error> {
        q.get(key)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| Error::Invalid(FieldErrors::single(key, "must be a number")))
            })
            .transpose()
    };
    let cursor = number("cursor")?;
    let limit = number("limit")?.map_or(30, |l| usize::try_from(l).unwrap_or(100));
    let page = state.ops.notifications(&api.user, cursor, limit)?;
    let (unread, _) = state.ops.header_counts(&api.user)?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|(n, service)| notification_json(n, service))
        .collect();
    Ok(json_answer(
        &json!({ "items": items, "next": page.next, "unread": unread }),
    ))
}

async fn read_one(
    State(state): State<AppState>,
    api: ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let id = id.parse::<u64>().map_err(|_| Error::NotFound)?;
    let n = state.ops.mark_read(&api.user, id).await?;
    Ok(Json(notification_json(&n, "")).into_response())
}

async fn read_all(State(state): State<AppState>, api: ApiUser) -> ApiResult {
    let count = state.ops.mark_all_read(&api.user).await?;
    Ok(Json(json!({ "marked": count })).into_response())
}
