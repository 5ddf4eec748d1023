//! `/password/forgot` and `/password/reset/{token}`, offered only when mail is on (else not
//! found): asking for a link answers the same whatever the account; the link's page changes
//! nothing, its form sets the password.

use super::client::ClientIp;
use super::error::{Fail, HtmlError};
use super::extract::{FormData, Visitor};
use super::state::AppState;
use crate::domain::FieldErrors;
use crate::ops::Error;
use crate::views::password_reset;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_page).post(forgot_submit))
        .route(
            "/password/reset/{token}",
            get(reset_page).post(reset_submit),
        )
}

type PageResult = Result<Response, HtmlError>;

fn mail_on(state: &AppState, visitor: &Visitor) -> Result<(), HtmlError> {
    if state.ops.mail_on() {
        Ok(())
    } else {
        Err(visitor.ctx.fail()(Error::NotFound))
    }
}

async fn forgot_page(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    mail_on(&state, &visitor)?;
    let page = password_reset::forgot(&visitor.ctx, "", None, None);
    Ok(visitor.private_page(StatusCode::OK, page))
}

async fn forgot_submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    visitor: Visitor,
    form: FormData,
) -> PageResult {
    mail_on(&state, &visitor)?;
    let who = form.text("who");
    let ctx = &visitor.ctx;
    match state.ops.ask_password_reset(&who, Some(client)).await {
        Ok(()) => {
            let page = password_reset::forgot(ctx, "", Some(ctx.t.mail.forgot_sent), None);
            Ok(visitor.private_page(StatusCode::OK, page))
        }
        Err(Error::Throttled { retry_after }) => {
            let message = ctx.t.throttled_for(retry_after);
            let page = password_reset::forgot(ctx, &who, None, Some(&message));
            let mut response = visitor.private_page(StatusCode::TOO_MANY_REQUESTS, page);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after.max(1).into());
            Ok(response)
        }
        Err(error) => Err(ctx.fail()(error)),
    }
}

async fn reset_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> PageResult {
    mail_on(&state, &visitor)?;
    let ctx = &visitor.ctx;
    let page = match state.ops.reset_link(&token).map_err(ctx.fail())? {
        Ok(_) => (
            StatusCode::OK,
            password_reset::choose(
                ctx,
                &format!("/password/reset/{token}"),
                &FieldErrors::new(),
            ),
        ),
        Err(why) => (StatusCode::GONE, password_reset::refused(ctx, why)),
    };
    Ok(visitor.private_page(page.0, page.1))
}

async fn reset_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    form: FormData,
) -> PageResult {
    mail_on(&state, &visitor)?;
    let ctx = &visitor.ctx;
    match state.ops.reset_by_link(&token, form.text("password")).await {
        Ok(Ok(_)) => Ok(Redirect::to("/login?done=reset").into_response()),
        Ok(Err(why)) => {
            Ok(visitor.private_page(StatusCode::GONE, password_reset::refused(ctx, why)))
        }
        Err(Error::Invalid(errors)) => {
            // The policy speaks of `password`; the form's field has that name too.
            let page = password_reset::choose(ctx, &format!("/password/reset/{token}"), &errors);
            Ok(visitor.private_page(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(error) => Err(ctx.fail()(error)),
    }
}
