//! The portal pages every signed-in user browses: home, categories, services.

use super::cookies;
use super::error::{Fail, HtmlError};
use super::extract::Signed;
use super::state::AppState;
use crate::domain::{CategoryId, ServiceId};
use crate::ops::Error;
use crate::views::portal;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/catalog/{id}", get(category))
        .route(
            "/services/{id}",
            get(service)
                .post(super::requests::submit)
                .layer(DefaultBodyLimit::disable()),
        )
}

type PageResult = Result<Response, HtmlError>;

pub fn parse_id(raw: &str) -> Result<u64, Error> {
    raw.parse::<u64>().map_err(|_| Error::NotFound)
}

async fn home(State(state): State<AppState>, signed: Signed) -> PageResult {
    let home = state
        .ops
        .portal_home(&signed.user)
        .map_err(signed.ctx.fail())?;
    Ok(portal::home(&signed.ctx, &signed.user.display_name, &home).into_response())
}

async fn category(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> PageResult {
    let id = CategoryId(parse_id(&id).map_err(signed.ctx.fail())?);
    let view = state
        .ops
        .category_page(&signed.user, id)
        .map_err(signed.ctx.fail())?;
    Ok(portal::category(&signed.ctx, &view).into_response())
}

async fn service(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let id = ServiceId(parse_id(&id).map_err(signed.ctx.fail())?);
    let view = state
        .ops
        .service_page(&signed.user, id)
        .map_err(signed.ctx.fail())?;
    // Back after a session ended mid-form: the draft kept for this browser fills the form.
    let draft = cookies::get(&headers, cookies::DRAFT).and_then(|token| {
        state
            .drafts
            .take(token, &format!("/services/{id}"), state.ops.now())
    });
    let notice = draft.is_some().then_some(signed.ctx.t.draft_restored);
    let page = portal::service(
        &signed.ctx,
        &view,
        &state.ops.today(),
        &draft.unwrap_or_default(),
        &crate::domain::FieldErrors::new(),
        notice,
    );
    let mut response = page.into_response();
    if notice.is_some() {
        let clear = cookies::set(cookies::DRAFT, "", Some(0), state.web.secure_cookies);
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    Ok(response)
}
