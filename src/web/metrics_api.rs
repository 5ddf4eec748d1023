//! `GET /api/v1/metrics`: the figures of a period as one JSON object, for technicians and
//! admins (others: 404, as for the page). The query (`from`, `to`, `category`, `team`,
//! `service`) is read by `metrics_query`, which the page and the exports share.

use super::error::ApiError;
use super::extract::ApiUser;
use super::requests::query_pairs;
use super::state::AppState;
use crate::domain::metrics::conclusions::Conclusion;
use crate::domain::metrics::report::{Filter, Rate};
use crate::domain::metrics::{date_of_day, day_of};
use crate::domain::{CategoryId, FieldErrors, Locale, ServiceId, TeamId, User};
use crate::ops::{Error, MetricsQuery, MetricsView};
use crate::views::i18n::metrics as metrics_texts;
use crate::views::metrics_tables::conclusion_text;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jiff::civil::Date;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/metrics", get(metrics))
}

/// The period and filters of a metrics query; without dates, the 30 days to `today`.
pub fn metrics_query(
    q: &HashMap<String, String>,
    today: Date,
) -> Result<MetricsQuery, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut date = |key: &str| -> Option<Date> {
        let parsed = q.get(key).map(|v| v.parse::<Date>());
        match parsed {
            Some(Ok(d)) => Some(d),
            Some(Err(_)) => {
                errors.add(key, "must be a date (YYYY-MM-DD)");
                None
            }
            None => None,
        }
    };
    let to = date("to").unwrap_or(today);
    let from = date("from").unwrap_or_else(|| to.saturating_sub(jiff::Span::new().days(29)));
    let mut id = |key: &str| -> Option<u64> {
        let value = q.get(key)?;
        let parsed = value.parse::<u64>().ok();
        if parsed.is_none() {
            errors.add(key, "must be a number");
        }
        parsed
    };
    let filter = Filter {
        service: id("service").map(ServiceId),
        category: id("category").map(CategoryId),
        team: id("team").map(TeamId),
    };
    errors.into_result(MetricsQuery { from, to, filter })
}

fn rate(r: &Rate, missed: &str) -> Value {
    json!({ "met": r.met, missed: r.missed, "rate": r.rate() })
}

fn conclusions_json(view: &MetricsView) -> Value {
    let mut out = json!({ "automate": [], "fix_estimate": [], "reinforce": [], "retire": [] });
    for c in &view.conclusions {
        let (list, item) = match c {
            Conclusion::Automate { service, .. } => (
                "automate",
                json!({ "service_id": service, "name": view.service_name(*service) }),
            ),
            Conclusion::FixEstimate {
                service,
                suggested_seconds,
                ..
            } => (
                "fix_estimate",
                json!({ "service_id": service, "name": view.service_name(*service), "suggested_seconds": suggested_seconds }),
            ),
            Conclusion::Reinforce { team, .. } => (
                "reinforce",
                json!({ "team_id": team, "name": view.team_name(*team) }),
            ),
            Conclusion::Retire { service, .. } => (
                "retire",
                json!({ "service_id": service, "name": view.service_name(*service) }),
            ),
        };
        let mut item = item;
        // In words, in English as the API speaks: the page's own sentence.
        let (_, reason) = conclusion_text(view, &metrics_texts::EN, Locale::En, c);
        item["reason"] = json!(reason);
        if let Some(array) = out[list].as_array_mut() {
            array.push(item);
        }
    }
    out
}

pub fn metrics_json(view: &MetricsView) -> Value {
    let r = &view.report;
    let category_name = |id: CategoryId| {
        view.categories
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
    };
    json!({
        "from": view.query.from.to_string(),
        "to": view.query.to.to_string(),
        "services": r.services.iter().map(|s| json!({
            "service_id": s.service, "name": s.name, "count": s.count, "finished": s.finished,
            "reopened": s.reopened, "mean_seconds": s.mean_seconds,
            "median_seconds": s.median_seconds, "p90_seconds": s.p90_seconds,
            "approval_seconds": s.approval_seconds, "queue_seconds": s.queue_seconds,
            "work_seconds": s.work_seconds, "paused_seconds": s.paused_seconds,
            "response_mean_seconds": s.response_mean_seconds,
            "estimate_seconds": s.estimate_seconds,
        })).collect::<Vec<_>>(),
        "volume": r.volume.iter().map(|((category, period), count)| json!({
            "category_id": category, "name": category_name(*category),
            "period": view.period_label(*period), "count": count,
        })).collect::<Vec<_>>(),
        "flow": r.flow.iter().map(|(period, (submitted, finished))| json!({
            "period": view.period_label(*period), "submitted": submitted, "finished": finished,
        })).collect::<Vec<_>>(),
        "backlog": r.backlog.iter().map(|((status, group), count)| json!({
            "status": status.code(), "age_group": group, "count": count,
        })).collect::<Vec<_>>(),
        "teams": r.teams.iter().map(|(team, load)| json!({
            "team_id": team, "name": view.team_name(*team), "open": load.open,
            "overdue": load.overdue, "finished": load.finished,
        })).collect::<Vec<_>>(),
        "technicians": r.technicians.iter().map(|(user, load)| json!({
            "user_id": user, "name": view.names.get(user), "open": load.open,
            "taken": load.taken, "finished": load.finished, "overdue": load.overdue,
        })).collect::<Vec<_>>(),
        "compliance": {
            "sla": rate(&r.sla, "breached"),
            "estimate": rate(&r.estimate, "late"),
            "excluded": "cancelled and rejected requests",
        },
        "top": r.top.iter().map(|(service, count, previous)| json!({
            "service_id": service, "name": view.service_name(*service),
            "count": count, "previous": previous,
        })).collect::<Vec<_>>(),
        "never_requested": r.never_requested.iter().map(|service| json!({
            "service_id": service, "name": view.service_name(*service),
            "created_at": view.created_at.get(service).copied().flatten().map(super::api::time),
        })).collect::<Vec<_>>(),
        "conclusions": conclusions_json(view),
    })
}

/// The metrics of a query string for `user`, and today's date. Others than the IT team are
/// answered "not found" before their query is even read, so that nothing tells them more.
pub fn metrics_view(
    state: &AppState,
    user: &User,
    query: Option<&str>,
) -> Result<(MetricsView, Date), Error> {
    if !user.role.is_staff() {
        return Err(Error::NotFound);
    }
    let today = date_of_day(day_of(state.ops.now(), state.ops.time_zone()));
    let query = metrics_query(&query_pairs(query), today).map_err(Error::Invalid)?;
    Ok((state.ops.metrics(user, query)?, today))
}

async fn metrics(
    State(state): State<AppState>,
    api: ApiUser,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (view, _) = metrics_view(&state, &api.user, query.as_deref())?;
    Ok(Json(metrics_json(&view)).into_response())
}
