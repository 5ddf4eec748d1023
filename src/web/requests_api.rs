//! The JSON API for requests (DESIGN §5): submit (JSON or multipart with files), list with
//! filters and a cursor, read, act, comment, read the timeline and attachments; and the
//! notifications inbox.

use super::api::{Body, time};
use super::error::ApiError;
use super::extract::ApiUser;
use super::listing_query::desk_filter;
use super::requests::{parse_request, query_pairs};
use super::state::AppState;
use super::uploads::{Sent, SentError};
use crate::domain::form::Submitted;
use crate::domain::notification::Notification;
use crate::domain::request::{Action, Approver, Event, EventKind, Request};
use crate::domain::service::ApprovalRule;
use crate::domain::{FieldErrors, ServiceId, UserId};
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

fn rule_json(rule: ApprovalRule) -> Value {
    match rule {
        ApprovalRule::Manager => json!({ "rule": "manager" }),
        ApprovalRule::TeamLead => json!({ "rule": "team_lead" }),
        ApprovalRule::User(id) => json!({ "rule": "user", "user_id": id }),
    }
}

/// A request with its SLA facts, as `viewer` may read them.
fn request_value(
    state: &AppState,
    viewer: &crate::domain::User,
    r: &Request,
) -> Result<Value, Error> {
    let facts = state.ops.sla_facts(viewer, r)?;
    let mut v = request_json(r);
    if let Value::Object(fields) = &mut v {
        fields.insert("sla_policy_id".into(), json!(facts.policy_id));
        fields.insert("due_at".into(), json!(facts.resolution_due.map(time)));
        fields.insert(
            "response_due_at".into(),
            json!(facts.response_due.map(time)),
        );
        fields.insert("breached".into(), json!(facts.breached));
        fields.insert("paused".into(), json!(facts.paused));
        if let Some(escalations) = facts.escalations {
            let list: Vec<Value> = escalations
                .into_iter()
                .map(|(target, percent, at)| {
                    json!({ "target": target.code(), "percent": percent, "at": time(at) })
                })
                .collect();
            fields.insert("escalations".into(), json!(list));
        }
    }
    Ok(v)
}

pub fn request_json(r: &Request) -> Value {
    let number = r.id.number();
    json!({
        "id": r.id.0,
        "number": number,
        "service_id": r.service_id,
        "service_name": r.service_name,
        "status": r.status.code(),
        "requester_id": r.requester,
        "assignee_id": r.assignee,
        "team_id": r.team,
        "data": serde_json::to_value(&r.data).unwrap_or(Value::Null),
        "form": r.form.iter().map(|f| json!({ "key": f.key, "label": f.label, "kind": f.kind.code() })).collect::<Vec<_>>(),
        "attachments": r.attachments.iter().map(|a| json!({
            "key": a.key, "name": a.name, "size": a.size,
            "url": format!("/api/v1/requests/{number}/attachments/{}", a.key),
        })).collect::<Vec<_>>(),
        "approval_steps": r.steps.iter().map(|s| {
            let mut step = rule_json(s.rule);
            step["approver_id"] = match s.approver {
                Approver::User(id) => json!(id),
                Approver::Admins => json!("admins"),
            };
            step["decision"] = s.decision.as_ref().map_or(Value::Null, |d| json!({
                "by": d.by, "approved": d.approved, "at": time(d.at), "overridden": d.overridden,
            }));
            step
        }).collect::<Vec<_>>(),
        "created_at": time(r.created_at),
        "updated_at": time(r.updated_at),
        // The estimate, indicative; the SLA deadlines (`due_at`, `response_due_at`) are added
        // by `request_value`.
        "expected_at": r.due_at.map(time),
        "closed_at": r.closed_at.map(time),
    })
}

fn event_json(e: &Event) -> Value {
    let mut v = json!({ "type": e.kind.code(), "at": time(e.at), "by": e.by });
    let extra = match &e.kind {
        EventKind::ApproverFallback { step, to, .. } => json!({ "step": step, "to": match to {
            Approver::User(id) => json!(id),
            Approver::Admins => json!("admins"),
        }}),
        EventKind::Approved {
            step,
            comment,
            overridden,
        } => json!({ "step": step, "comment": comment, "overridden": overridden }),
        EventKind::Rejected {
            step,
            reason,
            overridden,
        } => json!({ "step": step, "reason": reason, "overridden": overridden }),
        EventKind::Assigned { to } => json!({ "to": to }),
        EventKind::Completed { resolution } => json!({ "resolution": resolution }),
        EventKind::Comment { body, internal } => json!({ "body": body, "internal": internal }),
        EventKind::Waiting { body } => json!({ "body": body }),
        EventKind::Escalated {
            target,
            percent,
            due,
            notify,
        } => json!({
            "target": target.code(), "percent": percent, "due": time(*due),
            "notify": notify.iter().map(|r| r.code()).collect::<Vec<_>>(),
        }),
        EventKind::ClosedUnanswered { days } => json!({ "days": days }),
        EventKind::Submitted
        | EventKind::Taken
        | EventKind::Cancelled
        | EventKind::Resumed
        | EventKind::DecidedByMail
        | EventKind::Reminded => json!({}),
    };
    if let (Some(target), Value::Object(fields)) = (v.as_object_mut(), extra) {
        target.extend(fields);
    }
    v
}

fn notification_json(n: &Notification, service: &str) -> Value {
    json!({
        "id": n.id,
        "kind": n.kind.code(),
        "request_id": n.request.0,
        "request_number": n.request.number(),
        "service_name": service,
        "by": n.by,
        "at": time(n.at),
        "read": n.read,
    })
}

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
            values: values_from_json(body.data)?,
            files: BTreeMap::new(),
        }
    };
    let created = state.ops.submit_request(&api.user, submission).await?;
    let value = request_value(&state, &api.user, &created)?;
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

async fn list(State(state): State<AppState>, api: ApiUser, RawQuery(query): RawQuery) -> ApiResult {
    let q = query_pairs(query.as_deref());
    let (filter, _) = desk_filter(&q, api.user.id).map_err(Error::Invalid)?;
    let page = state.ops.list_requests_full(&api.user, filter)?;
    let items = page
        .items
        .iter()
        .map(|r| request_value(&state, &api.user, r))
        .collect::<Result<Vec<_>, _>>()?;
    let next = page
        .next
        .map(|n| crate::domain::request::RequestId(n).number());
    Ok(Json(json!({ "items": items, "next": next })).into_response())
}

async fn one(State(state): State<AppState>, api: ApiUser, Path(id): Path<String>) -> ApiResult {
    let request = state.ops.request(&api.user, parse_request(&id)?)?;
    Ok(Json(request_value(&state, &api.user, &request)?).into_response())
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
        "assign" => Action::Assign {
            to: UserId(
                body.user_id
                    .ok_or_else(|| Error::Invalid(FieldErrors::single("user_id", "is required")))?,
            ),
            to_staff: false,
        },
        "complete" => Action::Complete {
            resolution: body.resolution.unwrap_or_default(),
        },
        "cancel" => Action::Cancel,
        "wait" => Action::Wait {
            body: body.comment.unwrap_or_default(),
        },
        "resume" => Action::Resume,
        _ => return Err(Error::NotFound.into()),
    };
    let changed = state.ops.act(&api.user, id, action).await?;
    Ok(Json(request_value(&state, &api.user, &changed)?).into_response())
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
    Ok(Json(json!({ "items": items, "next": page.next, "unread": unread })).into_response())
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
