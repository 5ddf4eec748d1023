//! `/admin/outbox`: the mails sent and waiting, a test mail, trying a failed mail again, and
//! resuming the outbox of a restored store. Admins only (`AdminPage`).

use super::error::{Fail, HtmlError};
use super::extract::{AdminPage, FormData};
use super::state::AppState;
use crate::domain::FieldErrors;
use crate::ops::Error;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/outbox", get(outbox))
        .route("/admin/outbox/test", post(send_test))
        .route("/admin/outbox/release", post(release))
        .route("/admin/outbox/defaults", post(defaults))
        .route("/admin/outbox/{id}/retry", post(retry))
}

type PageResult = Result<Response, HtmlError>;

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

fn render(
    state: &AppState,
    page: &AdminPage,
    notice: Option<&str>,
    to: &str,
    errors: &FieldErrors,
) -> Result<Response, HtmlError> {
    let ctx = &page.signed.ctx;
    let view = state.ops.outbox(page.admin).map_err(ctx.fail())?;
    let held = state.ops.outbox_held().map_err(ctx.fail())?;
    let defaults = state
        .ops
        .default_mail_choices(page.admin)
        .map_err(ctx.fail())?;
    let html = crate::views::outbox::outbox(ctx, &view, held, &defaults, notice, to, errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, html).into_response())
}

async fn outbox(
    State(state): State<AppState>,
    page: AdminPage,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let m = page.signed.ctx.t.mail;
    let notice = match query.done.as_deref() {
        Some("test") => Some(m.test_queued),
        Some("retried") => Some(m.retried),
        Some("released") => Some(m.released),
        Some("saved") => Some(page.signed.ctx.t.saved),
        _ => None,
    };
    render(&state, &page, notice, "", &FieldErrors::new())
}

async fn send_test(State(state): State<AppState>, page: AdminPage, form: FormData) -> PageResult {
    let to = form.text("to");
    match state.ops.queue_test_mail(page.admin, &to).await {
        Ok(_) => Ok(Redirect::to("/admin/outbox?done=test").into_response()),
        Err(Error::Invalid(errors)) => render(&state, &page, None, &to, &errors),
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

async fn retry(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = id.parse::<u64>().map_err(|_| ctx.fail()(Error::NotFound))?;
    state
        .ops
        .retry_mail(page.admin, id)
        .await
        .map_err(ctx.fail())?;
    Ok(Redirect::to("/admin/outbox?done=retried").into_response())
}

async fn defaults(State(state): State<AppState>, page: AdminPage, form: FormData) -> PageResult {
    let on = super::auth::ticked_kinds(&form);
    state
        .ops
        .set_default_mail_choices(page.admin, on)
        .await
        .map_err(page.signed.ctx.fail())?;
    Ok(Redirect::to("/admin/outbox?done=saved").into_response())
}

async fn release(State(state): State<AppState>, page: AdminPage) -> PageResult {
    state
        .ops
        .release_outbox(page.admin)
        .await
        .map_err(page.signed.ctx.fail())?;
    Ok(Redirect::to("/admin/outbox?done=released").into_response())
}
