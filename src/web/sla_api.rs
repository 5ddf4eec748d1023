//! The JSON API of calendars and SLA policies: the IT team reads them, administrators change
//! them. A policy in use, or a calendar a policy uses, cannot be deleted (409 naming them).

use super::api::{Body, Document, parse_id, time};
use super::error::ApiError;
use super::extract::{ApiAdmin, ApiUser};
use super::state::AppState;
use crate::domain::FieldErrors;
use crate::domain::sla::{
    CalendarDef, CalendarInput, Clock, PolicyInput, Recipient, SlaPolicy, Target, TargetUnit,
    Threshold, format_minutes, weekday_code,
};
use crate::ops::Error;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calendars", get(calendars).post(calendar_create))
        .route("/api/v1/calendars/default", put(default_set))
        .route(
            "/api/v1/calendars/{id}",
            get(calendar).put(calendar_update).delete(calendar_delete),
        )
        .route("/api/v1/sla-policies", get(policies).post(policy_create))
        .route(
            "/api/v1/sla-policies/{id}",
            get(policy).put(policy_update).delete(policy_delete),
        )
}

type ApiResult = Result<Response, ApiError>;

fn staff(api: &ApiUser) -> Result<(), ApiError> {
    if api.user.role.is_staff() {
        Ok(())
    } else {
        Err(Error::Forbidden("calendars and SLA policies are for the IT team").into())
    }
}

pub fn calendar_json(c: &CalendarDef, default: Option<u64>) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "time_zone": c.zone_name(),
        "default": default == Some(c.id),
        "hours": c.calendar.hours.iter().map(|r| json!({
            "day": weekday_code(r.day), "from": format_minutes(r.from), "to": format_minutes(r.to),
        })).collect::<Vec<_>>(),
        "holidays": c.calendar.holidays.iter().map(|h| json!({
            "date": h.date.to_string(), "name": h.name, "yearly": h.yearly,
        })).collect::<Vec<_>>(),
    })
}

fn target_json(t: Option<Target>) -> Value {
    t.map_or(
        Value::Null,
        |t| json!({ "value": t.value, "unit": t.unit.code() }),
    )
}

pub fn policy_json(p: &SlaPolicy) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "calendar_id": p.calendar_id,
        "response_target": target_json(p.response),
        "resolution_target": target_json(p.resolution),
        "thresholds": p.thresholds.iter().map(|t| json!({
            "target": t.target.code(), "percent": t.percent,
            "notify": t.notify.iter().map(|r| r.code()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeBody {
    day: String,
    from: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayBody {
    date: String,
    name: String,
    #[serde(default)]
    yearly: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarBody {
    name: String,
    time_zone: String,
    #[serde(default)]
    hours: Vec<RangeBody>,
    #[serde(default)]
    holidays: Vec<HolidayBody>,
}

impl From<CalendarBody> for CalendarInput {
    fn from(b: CalendarBody) -> Self {
        CalendarInput {
            name: b.name,
            time_zone: b.time_zone,
            hours: b.hours.into_iter().map(|r| (r.day, r.from, r.to)).collect(),
            holidays: b
                .holidays
                .into_iter()
                .map(|h| (h.date, h.name, h.yearly))
                .collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetBody {
    value: u32,
    unit: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdBody {
    target: String,
    percent: u16,
    notify: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyBody {
    name: String,
    #[serde(default)]
    calendar_id: Option<u64>,
    #[serde(default)]
    response_target: Option<TargetBody>,
    #[serde(default)]
    resolution_target: Option<TargetBody>,
    #[serde(default)]
    thresholds: Vec<ThresholdBody>,
}

impl PolicyBody {
    /// The codes read into domain values; an unknown one is a field error.
    fn input(self) -> Result<PolicyInput, Error> {
        let mut errors = FieldErrors::new();
        let mut target = |field: &str, t: Option<TargetBody>| {
            let t = t?;
            let unit = TargetUnit::parse(&t.unit);
            if unit.is_none() {
                errors.add(field, "the unit must be minutes, hours or days");
            }
            Some(Target {
                value: t.value,
                unit: unit?,
            })
        };
        let response = target("response_target", self.response_target);
        let resolution = target("resolution_target", self.resolution_target);
        let mut thresholds = Vec::new();
        for t in self.thresholds {
            let clock = Clock::parse(&t.target);
            let notify: Option<Vec<Recipient>> =
                t.notify.iter().map(|r| Recipient::parse(r)).collect();
            match (clock, notify) {
                (Some(target), Some(notify)) => thresholds.push(Threshold {
                    target,
                    percent: t.percent,
                    notify,
                }),
                (None, _) => errors.add("thresholds", "a target is response or resolution"),
                (_, None) => errors.add(
                    "thresholds",
                    "notify names assignee, team, team_lead or admins",
                ),
            }
        }
        errors
            .into_result(PolicyInput {
                name: self.name,
                calendar_id: self.calendar_id,
                response,
                resolution,
                thresholds,
            })
            .map_err(Error::Invalid)
    }
}

async fn calendars(State(state): State<AppState>, api: ApiUser) -> ApiResult {
    staff(&api)?;
    let (calendars, default) = state.ops.calendars()?;
    let items: Vec<Value> = calendars
        .iter()
        .map(|c| calendar_json(c, default))
        .collect();
    Ok(Json(json!({ "items": items, "default_id": default })).into_response())
}

async fn calendar(
    State(state): State<AppState>,
    api: ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    staff(&api)?;
    let calendar = state.ops.calendar(parse_id(&id)?)?;
    let (_, default) = state.ops.calendars()?;
    Ok(Json(calendar_json(&calendar, default)).into_response())
}

async fn calendar_create(
    State(state): State<AppState>,
    api: ApiAdmin,
    Body(body): Body<CalendarBody>,
) -> ApiResult {
    let saved = state
        .ops
        .save_calendar(api.admin, None, body.into())
        .await?;
    Ok((StatusCode::CREATED, Json(calendar_json(&saved, None))).into_response())
}

async fn calendar_update(
    State(state): State<AppState>,
    api: ApiAdmin,
    Path(id): Path<String>,
    document: Document,
) -> ApiResult {
    let id = parse_id(&id)?;
    let (_, default) = state.ops.calendars()?;
    let current = calendar_json(&state.ops.calendar(id)?, default);
    let body: CalendarBody = document.writable(&current, &["id", "default"])?;
    let saved = state
        .ops
        .save_calendar(api.admin, Some(id), body.into())
        .await?;
    let (_, default) = state.ops.calendars()?;
    Ok(Json(calendar_json(&saved, default)).into_response())
}

async fn calendar_delete(
    State(state): State<AppState>,
    api: ApiAdmin,
    Path(id): Path<String>,
) -> ApiResult {
    state.ops.delete_calendar(api.admin, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultBody {
    calendar_id: Option<u64>,
}

async fn default_set(
    State(state): State<AppState>,
    api: ApiAdmin,
    Body(body): Body<DefaultBody>,
) -> ApiResult {
    state
        .ops
        .set_default_calendar(api.admin, body.calendar_id)
        .await?;
    Ok(
        Json(json!({ "default_id": body.calendar_id, "at": time(state.ops.now()) }))
            .into_response(),
    )
}

async fn policies(State(state): State<AppState>, api: ApiUser) -> ApiResult {
    staff(&api)?;
    let items: Vec<Value> = state.ops.sla_policies()?.iter().map(policy_json).collect();
    Ok(Json(json!({ "items": items })).into_response())
}

async fn policy(State(state): State<AppState>, api: ApiUser, Path(id): Path<String>) -> ApiResult {
    staff(&api)?;
    Ok(Json(policy_json(&state.ops.sla_policy(parse_id(&id)?)?)).into_response())
}

async fn policy_create(
    State(state): State<AppState>,
    api: ApiAdmin,
    Body(body): Body<PolicyBody>,
) -> ApiResult {
    let saved = state
        .ops
        .save_sla_policy(api.admin, None, body.input()?)
        .await?;
    Ok((StatusCode::CREATED, Json(policy_json(&saved))).into_response())
}

async fn policy_update(
    State(state): State<AppState>,
    api: ApiAdmin,
    Path(id): Path<String>,
    document: Document,
) -> ApiResult {
    let id = parse_id(&id)?;
    let current = policy_json(&state.ops.sla_policy(id)?);
    let body: PolicyBody = document.writable(&current, &["id"])?;
    let saved = state
        .ops
        .save_sla_policy(api.admin, Some(id), body.input()?)
        .await?;
    Ok(Json(policy_json(&saved)).into_response())
}

async fn policy_delete(
    State(state): State<AppState>,
    api: ApiAdmin,
    Path(id): Path<String>,
) -> ApiResult {
    state
        .ops
        .delete_sla_policy(api.admin, parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
