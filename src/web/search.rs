//! Search: the results page, the suggestions behind search-as-you-type, and the API.

use super::error::{ApiError, Fail, HtmlError};
use super::extract::{ApiUser, Signed};
use super::state::AppState;
use crate::domain::catalog::children;
use crate::domain::request::RequestId;
use crate::ops::SearchResult;
use crate::views;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/search", get(page))
        .route("/search/suggest", get(suggest))
        .route("/api/v1/search", get(api))
}

/// How many results a page, a suggestion list and the API answer.
const PAGE: usize = 20;
const SUGGESTIONS: usize = 6;

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

fn result_json(result: &SearchResult) -> Value {
    json!({
        "id": result.service.id,
        "name": result.service.name,
        "category_path": result.category_path,
        "score": result.score,
    })
}

async fn page(
    State(state): State<AppState>,
    signed: Signed,
    Query(query): Query<SearchQuery>,
) -> Result<Response, HtmlError> {
    let q = query.q.unwrap_or_default();
    // A request number the user may see: `REQ-000321` (any case, zeros optional) goes straight
    // to it; a bare number offers it first, above the services it also matches.
    let asked = RequestId::parse(&q).filter(|_| q.trim().len() <= 24);
    let request = asked.and_then(|id| state.ops.request(&signed.user, id).ok());
    if let Some(request) = &request
        && q.trim()
            .get(..3)
            .is_some_and(|p| p.eq_ignore_ascii_case("req"))
    {
        return Ok(Redirect::to(&format!("/requests/{}", request.id.number())).into_response());
    }
    let results = if q.trim().is_empty() {
        Vec::new()
    } else {
        state
            .ops
            .search_services(&signed.user, &q, PAGE, false)
            .map_err(signed.ctx.fail())?
    };
    let all = state.ops.categories().map_err(signed.ctx.fail())?;
    let top: Vec<_> = children(&all, None).into_iter().cloned().collect();
    let found = views::search::Found {
        request: request.as_ref(),
        services: &results,
    };
    Ok(views::search::results(&signed.ctx, &q, &found, &top).into_response())
}

/// Suggestions while typing: the last word counts as a prefix.
async fn suggest(
    State(state): State<AppState>,
    signed: Signed,
    Query(query): Query<SearchQuery>,
) -> Response {
    let q = query.q.unwrap_or_default();
    match state
        .ops
        .search_services(&signed.user, &q, SUGGESTIONS, true)
    {
        Ok(results) => Json(results.iter().map(result_json).collect::<Vec<_>>()).into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

async fn api(
    State(state): State<AppState>,
    api: ApiUser,
    Query(query): Query<SearchQuery>,
) -> Result<Response, ApiError> {
    let q = query.q.unwrap_or_default();
    let results = state.ops.search_services(&api.user, &q, PAGE, true)?;
    Ok(Json(results.iter().map(result_json).collect::<Vec<_>>()).into_response())
}
