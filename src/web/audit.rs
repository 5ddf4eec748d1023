//! The audit trail: `/admin/audit` and `GET /api/v1/audit?kind=&user=&from=&to=&cursor=`,
//! admins only. Nothing here (or anywhere) edits or removes an entry.

use super::error::{ApiError, Fail, HtmlError};
use super::extract::{AdminPage, ApiAdmin};
use super::requests::query_pairs;
use super::state::AppState;
use crate::domain::audit::{AuditEntry, AuditKind};
use crate::domain::{FieldErrors, Timestamp, UserId};
use crate::ops::{AuditFilter, Error};
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(page))
        .route("/api/v1/audit", get(api))
}

/// The filters of a query string: `kind` (a code), `user` (an id), `from` and `to` (days in
/// the instance's time zone, both included), `cursor` (an entry id, for the next page).
fn filter_of(q: &HashMap<String, String>, zone: &TimeZone) -> Result<AuditFilter, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut filter = AuditFilter::default();
    let given = |key: &str| q.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    if let Some(kind) = given("kind") {
        filter.kind = AuditKind::parse(kind);
        if filter.kind.is_none() {
            errors.add(
                "kind",
                "must be category, service, user, team, calendar, sla_policy or settings",
            );
        }
    }
    if let Some(user) = given("user") {
        match user.parse() {
            Ok(id) => filter.by = Some(UserId(id)),
            Err(_) => errors.add("user", "must be a user id"),
        }
    }
    let day = |key: &str, errors: &mut FieldErrors, next: bool| -> Option<Timestamp> {
        let text = given(key)?;
        let start = text
            .parse::<Date>()
            .ok()
            .and_then(|d| if next { d.tomorrow().ok() } else { Some(d) })
            .and_then(|d| d.to_zoned_datetime(zone.clone()).ok())
            .map(|z| Timestamp(z.timestamp().as_second()));
        if start.is_none() {
            errors.add(key, "must be a date (YYYY-MM-DD)");
        }
        start
    };
    filter.from = day("from", &mut errors, false);
    filter.to = day("to", &mut errors, true);
    if let Some(cursor) = given("cursor") {
        match cursor.parse() {
            Ok(id) => filter.before = Some(id),
            Err(_) => errors.add("cursor", "must be an entry id"),
        }
    }
    errors.into_result(filter)
}

/// The query string of the page after the one that ended at `next`.
fn next_query(q: &HashMap<String, String>, next: u64) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for key in ["kind", "user", "from", "to"] {
        if let Some(value) = q.get(key).filter(|v| !v.is_empty()) {
            out.append_pair(key, value);
        }
    }
    out.append_pair("cursor", &next.to_string());
    out.finish()
}

async fn page(
    State(state): State<AppState>,
    admin: AdminPage,
    RawQuery(query): RawQuery,
) -> Result<Response, HtmlError> {
    let ctx = &admin.signed.ctx;
    let q = query_pairs(query.as_deref());
    let filter = filter_of(&q, &ctx.tz)
        .map_err(Error::Invalid)
        .map_err(ctx.fail())?;
    let (entries, next) = state
        .ops
        .audit_trail(admin.admin, &filter)
        .map_err(ctx.fail())?;
    let users = state.ops.users(admin.admin).map_err(ctx.fail())?;
    let text = |key: &str| q.get(key).cloned().unwrap_or_default();
    let (from, to) = (text("from"), text("to"));
    let view = crate::views::audit::AuditView {
        kind: filter.kind,
        by: filter.by,
        from: &from,
        to: &to,
        entries: &entries,
        users: &users,
        next: next.map(|n| next_query(&q, n)),
    };
    Ok(crate::views::audit::audit(ctx, &view).into_response())
}

fn entry_json(e: &AuditEntry) -> Value {
    let fields = |f: &[(String, String)]| -> Value {
        Value::Object(f.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
    };
    json!({
        "id": e.id,
        "at": super::api::time(e.at),
        "user_id": e.by.0,
        "kind": e.kind.code(),
        "target_id": e.target,
        "target_name": e.target_name,
        "action": e.action,
        "before": fields(&e.before),
        "after": fields(&e.after),
    })
}

async fn api(
    State(state): State<AppState>,
    api: ApiAdmin,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let q = query_pairs(query.as_deref());
    let filter = filter_of(&q, state.ops.time_zone()).map_err(Error::Invalid)?;
    let (entries, next) = state.ops.audit_trail(api.admin, &filter)?;
    let items: Vec<Value> = entries.iter().map(entry_json).collect();
    Ok(Json(json!({ "items": items, "next": next })).into_response())
}
