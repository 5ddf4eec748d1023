//! Request pages: submitting from a service page, one request and its actions, attachments,
//! my requests, approvals, the IT desk and the notifications inbox.

use super::cookies;
use super::error::{Fail, HtmlError};
use super::extract::{FormData, Signed};
use super::portal::parse_id;
use super::state::AppState;
use super::uploads::{PageUpload, Sent};
use crate::domain::request::{Action, RequestId};
use crate::domain::{FieldErrors, ServiceId, TeamId, UserId};
use crate::ops::Error;
use crate::views::confirm::{self, Confirm};
use crate::views::{inbox, portal, request_lists, requests};
use axum::Router;
use axum::extract::FromRequest;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests/{number}", get(request))
        .route("/requests/{number}/{action}", post(act))
        .route("/requests/{number}/files/{key}", get(file))
        .route("/my/requests", get(my_requests))
        .route("/approvals", get(approvals))
        .route("/desk", get(desk))
        .route("/notifications", get(notifications))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/{id}/read", post(read_one))
}

type PageResult = Result<Response, HtmlError>;

pub fn parse_request(raw: &str) -> Result<RequestId, Error> {
    RequestId::parse(raw).ok_or(Error::NotFound)
}

/// The pairs of a query string; a malformed one reads as empty.
pub fn query_pairs(query: Option<&str>) -> HashMap<String, String> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// A request form sent without a valid session: its text is kept as a draft tied to this
/// browser, and the sign-in page says so and leads back to the form. Anything else (a
/// password change due, an unreadable body) gets the usual answer.
async fn keep_draft(
    state: &AppState,
    id: &str,
    request: axum::extract::Request,
    to_login: Response,
) -> Response {
    let Ok(id) = parse_id(id) else {
        return to_login;
    };
    if !to_login.status().is_redirection()
        || to_login
            .headers()
            .get(header::LOCATION)
            .is_none_or(|l| !l.as_bytes().starts_with(b"/login"))
    {
        return to_login;
    }
    let path = format!("/services/{id}");
    let values = match Sent::read(request, state, state.web.upload_limit_bytes).await {
        Ok(sent) => {
            let mut values = sent.values();
            values.remove("_csrf");
            values
        }
        Err(_) => return to_login,
    };
    let next: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", &path)
        .append_pair("expired", "1")
        .finish();
    let mut response = Redirect::to(&format!("/login?{next}")).into_response();
    let Ok(token) = crate::ops::new_form_token() else {
        return response;
    };
    if state
        .drafts
        .keep(token.clone(), &path, values, state.ops.now())
    {
        let cookie = cookies::set(
            cookies::DRAFT,
            &token,
            Some(super::drafts::DRAFT_SECONDS),
            state.web.secure_cookies,
        );
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `POST /services/{id}`: submits the service's form; a refusal shows the form again with every
/// value and message.
pub async fn submit(
    State(state): State<AppState>,
    signed: Result<Signed, Response>,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> PageResult {
    let signed = match signed {
        Ok(signed) => signed,
        // The session ended while the form was being filled: keep what was typed.
        Err(to_login) => return Ok(keep_draft(&state, &id, request, to_login).await),
    };
    let PageUpload(sent) = match PageUpload::from_request(request, &state).await {
        Ok(upload) => upload,
        Err(refusal) => return Ok(refusal),
    };
    let fail = signed.ctx.fail();
    let id = ServiceId(parse_id(&id).map_err(&fail)?);
    // What to show again if the form is refused; the files' bytes then go to the submission.
    let values = sent.values();
    let outcome = if sent.too_large.is_empty() {
        state
            .ops
            .submit_request(&signed.user, sent.into_submission(id))
            .await
    } else {
        Err(Error::Invalid(sent.too_large))
    };
    match outcome {
        Ok((request, _)) => Ok(Redirect::to(&format!(
            "/requests/{}?created=1",
            request.id.number()
        ))
        .into_response()),
        Err(Error::Invalid(errors)) => {
            let view = state.ops.service_page(&signed.user, id).map_err(&fail)?;
            let today = state.ops.today();
            let page = portal::service(&signed.ctx, &view, &today, &values, &errors, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(fail(error)),
    }
}

async fn request(
    State(state): State<AppState>,
    signed: Signed,
    Path(number): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let fail = signed.ctx.fail();
    let id = parse_request(&number).map_err(&fail)?;
    let view = state.ops.request_page(&signed.user, id).map_err(&fail)?;
    // Opening the request is reading its notifications; the header's count follows.
    let marked = state
        .ops
        .mark_request_read(&signed.user, id)
        .await
        .map_err(&fail)?;
    let mut ctx = signed.ctx.clone();
    if let Some(viewer) = ctx.viewer.as_mut() {
        viewer.unread = viewer.unread.saturating_sub(marked as u64);
    }
    let q = query_pairs(query.as_deref());
    let created = q.contains_key("created");
    let notice =
        (q.get("done").map(String::as_str) == Some("cancelled")).then_some(ctx.t.request_cancelled);
    Ok(requests::request(&ctx, &view, created, notice, &FieldErrors::new()).into_response())
}

/// The action a page's form asks for, by the last segment of its address.
fn action_of(verb: &str, form: &FormData) -> Result<Action, Error> {
    Ok(match verb {
        "decide" => match form.get("decision") {
            Some("approve") => Action::Approve {
                comment: form.text("reason"),
            },
            Some("reject") => Action::Reject {
                reason: form.text("reason"),
            },
            _ => {
                return Err(Error::Invalid(FieldErrors::single(
                    "decision",
                    "is required",
                )));
            }
        },
        "take" => Action::Take,
        // To a team (its queue), or to a person.
        "assign" if !form.text("team_id").is_empty() => Action::Transfer {
            team: TeamId(form.text("team_id").parse().unwrap_or(0)),
            exists: false,
        },
        "assign" => Action::Assign {
            to: UserId(form.text("user_id").parse().unwrap_or(0)),
            to_staff: false,
        },
        "release" => Action::Release,
        "reopen" => Action::Reopen {
            reason: form.text("reason"),
            window_days: 0,
            first_breached: None,
        },
        "complete" => Action::Complete {
            resolution: form.text("resolution"),
        },
        "cancel" => Action::Cancel {
            reason: form.text("reason"),
        },
        "comments" if form.checked("wait") && !form.checked("internal") => Action::Wait {
            body: form.text("body"),
        },
        "comments" => Action::Comment {
            body: form.text("body"),
            internal: form.checked("internal"),
        },
        "resume" => Action::Resume,
        _ => return Err(Error::NotFound),
    })
}

async fn act(
    State(state): State<AppState>,
    signed: Signed,
    Path((number, verb)): Path<(String, String)>,
    form: FormData,
) -> PageResult {
    let fail = signed.ctx.fail();
    let id = parse_request(&number).map_err(&fail)?;
    let action = action_of(&verb, &form).map_err(&fail)?;
    if matches!(action, Action::Cancel { .. }) && !form.confirmed() {
        let view = state.ops.request_page(&signed.user, id).map_err(&fail)?;
        let t = signed.ctx.t;
        let number = id.number();
        let subject = format!("{number} · {}", view.request.service_name);
        let confirm = Confirm {
            question: t.confirm_cancel,
            subject: &subject,
            consequence: t.confirm_cancel_then,
            action: &format!("/requests/{number}/cancel"),
            confirm_label: t.cancel_request,
            back: &format!("/requests/{number}"),
            note: Some(("reason", t.life.cancel_reason)),
        };
        return Ok(confirm::confirm(&signed.ctx, &confirm).into_response());
    }
    let cancelling = matches!(action, Action::Cancel { .. });
    match state.ops.act(&signed.user, id, action).await {
        Ok(request) => {
            let number = request.id.number();
            let back = match (form.get("back"), form.get("decision")) {
                (Some("/approvals"), Some("approve")) => {
                    format!("/approvals?done=approved&n={number}")
                }
                (Some("/approvals"), _) => format!("/approvals?done=rejected&n={number}"),
                _ if cancelling => format!("/requests/{number}?done=cancelled"),
                _ => format!("/requests/{number}"),
            };
            Ok(Redirect::to(&back).into_response())
        }
        Err(Error::Invalid(errors)) if form.get("back") == Some("/approvals") => approvals_page(
            &state,
            &signed,
            Some((id, &errors)),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(Error::Invalid(errors)) => {
            let view = state.ops.request_page(&signed.user, id).map_err(&fail)?;
            let page = requests::request(&signed.ctx, &view, false, None, &errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(fail(error)),
    }
}

async fn file(
    State(state): State<AppState>,
    signed: Signed,
    Path((number, key)): Path<(String, String)>,
) -> PageResult {
    let fail = signed.ctx.fail();
    let id = parse_request(&number).map_err(&fail)?;
    let (name, bytes) = state
        .ops
        .attachment(&signed.user, id, &key)
        .map_err(&fail)?;
    Ok(super::attachment(&name, bytes))
}

async fn my_requests(
    State(state): State<AppState>,
    signed: Signed,
    RawQuery(query): RawQuery,
) -> PageResult {
    let q = query_pairs(query.as_deref());
    let ctx = &signed.ctx;
    let services = state.ops.service_choices().map_err(ctx.fail())?;
    let filtered = ["status", "service", "q"]
        .iter()
        .any(|key| q.get(*key).is_some_and(|v| !v.is_empty()));
    if filtered {
        // One list, every status or one, a service or all, page after page.
        let (filter, _) = super::listing_query::desk_filter(&q, signed.user.id, false)
            .map_err(Error::Invalid)
            .map_err(ctx.fail())?;
        let found = state
            .ops
            .my_requests_filtered(&signed.user, filter.clone())
            .map_err(ctx.fail())?;
        let list = request_lists::MyList {
            filter: &filter,
            services: &services,
        };
        return Ok(request_lists::my_requests_filtered(ctx, &list, &found).into_response());
    }
    let cursor = q.get("before").and_then(|c| RequestId::parse(c));
    let (open, history) = state
        .ops
        .my_requests(&signed.user, cursor)
        .map_err(ctx.fail())?;
    let list = request_lists::MyList {
        filter: &crate::ops::DeskFilter::default(),
        services: &services,
    };
    Ok(request_lists::my_requests(ctx, &list, &open, &history, cursor.is_some()).into_response())
}

async fn approvals(
    State(state): State<AppState>,
    signed: Signed,
    RawQuery(query): RawQuery,
) -> PageResult {
    let q = query_pairs(query.as_deref());
    let t = signed.ctx.t;
    // After a decision: "REQ-000042: approved." (the number is only echoed if it is one).
    let flash = match (q.get("done").map(String::as_str), q.get("n")) {
        (Some(done @ ("approved" | "rejected")), Some(n)) if parse_request(n).is_ok() => {
            let word = if done == "approved" {
                t.decision_approved
            } else {
                t.decision_rejected
            };
            Some(format!("{n}{}{word}", t.colon))
        }
        _ => None,
    };
    approvals_page(&state, &signed, None, flash.as_deref(), StatusCode::OK)
}

/// The approvals page, with the refused decision's errors next to its request.
fn approvals_page(
    state: &AppState,
    signed: &Signed,
    refused: Option<(RequestId, &FieldErrors)>,
    flash: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let fail = signed.ctx.fail();
    let rows = state.ops.approvals(&signed.user).map_err(&fail)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let request = state
            .ops
            .request_page(&signed.user, row.id)
            .map_err(&fail)?
            .request;
        items.push((row, std::sync::Arc::unwrap_or_clone(request)));
    }
    let page = request_lists::approvals(&signed.ctx, &items, refused, flash);
    Ok((status, page).into_response())
}

async fn desk(
    State(state): State<AppState>,
    signed: Signed,
    RawQuery(query): RawQuery,
) -> PageResult {
    let fail = signed.ctx.fail();
    let q = query_pairs(query.as_deref());
    let (filter, mine) =
        super::listing_query::desk_filter(&q, signed.user.id, signed.user.role.is_staff())
            .map_err(|e| fail(Error::Invalid(e)))?;
    let (page, options) = state
        .ops
        .desk(&signed.user, filter.clone())
        .map_err(&fail)?;
    Ok(request_lists::desk(&signed.ctx, &filter, mine, &options, &page).into_response())
}

async fn notifications(
    State(state): State<AppState>,
    signed: Signed,
    RawQuery(query): RawQuery,
) -> PageResult {
    let q = query_pairs(query.as_deref());
    let cursor = q.get("before").and_then(|c| c.parse().ok());
    let page = state
        .ops
        .notifications(&signed.user, cursor, 30)
        .map_err(signed.ctx.fail())?;
    Ok(inbox::notifications(&signed.ctx, &page, cursor.is_some()).into_response())
}

/// Marks a notification read and opens its request.
async fn read_one(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    _form: FormData,
) -> PageResult {
    let fail = signed.ctx.fail();
    let id = parse_id(&id).map_err(&fail)?;
    let notification = state.ops.mark_read(&signed.user, id).await.map_err(&fail)?;
    Ok(Redirect::to(&format!("/requests/{}", notification.request.number())).into_response())
}

async fn read_all(State(state): State<AppState>, signed: Signed, _form: FormData) -> PageResult {
    state
        .ops
        .mark_all_read(&signed.user)
        .await
        .map_err(signed.ctx.fail())?;
    Ok(Redirect::to("/notifications").into_response())
}
