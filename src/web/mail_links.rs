//! `/approve/{token}` and `/reject/{token}`: the links of an approval mail. A GET only shows
//! the confirmation page (mail scanners fetch every link); the POST of its form decides. Open to
//! anyone holding the link: the signed token is the proof, checked again at the POST.

use super::error::{Fail, HtmlError};
use super::extract::{FormData, Visitor};
use super::state::AppState;
use crate::domain::FieldErrors;
use crate::ops::{Decision, Error, LinkRefusal};
use crate::views::mail_links;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/approve/{token}", get(show_approve).post(decide_approve))
        .route("/reject/{token}", get(show_reject).post(decide_reject))
}

type PageResult = Result<Response, HtmlError>;

fn refusal_status(why: LinkRefusal) -> StatusCode {
    match why {
        LinkRefusal::Forged => StatusCode::NOT_FOUND,
        LinkRefusal::Expired => StatusCode::GONE,
        LinkRefusal::Decided | LinkRefusal::NotApprover => StatusCode::CONFLICT,
    }
}

fn path(decision: Decision, token: &str) -> String {
    match decision {
        Decision::Approve => format!("/approve/{token}"),
        Decision::Reject => format!("/reject/{token}"),
    }
}

async fn show(state: AppState, visitor: Visitor, token: String, decision: Decision) -> PageResult {
    let ctx = &visitor.ctx;
    let page = match state
        .ops
        .approval_link(&token, decision)
        .map_err(ctx.fail())?
    {
        Ok(view) => (
            StatusCode::OK,
            mail_links::confirm(
                ctx,
                decision,
                &view,
                &path(decision, &token),
                "",
                &FieldErrors::new(),
            ),
        ),
        Err(why) => (refusal_status(why), mail_links::refused(ctx, why)),
    };
    Ok(visitor.private_page(page.0, page.1))
}

async fn decide(
    state: AppState,
    visitor: Visitor,
    token: String,
    decision: Decision,
    form: FormData,
) -> PageResult {
    let ctx = &visitor.ctx;
    let field = match decision {
        Decision::Approve => "comment",
        Decision::Reject => "reason",
    };
    let words = form.text(field);
    match state
        .ops
        .decide_by_link(&token, decision, words.clone())
        .await
    {
        Ok(Ok(request)) => {
            let page = mail_links::decided(ctx, decision, &request.id.number());
            Ok(visitor.private_page(StatusCode::OK, page))
        }
        Ok(Err(why)) => {
            Ok(visitor.private_page(refusal_status(why), mail_links::refused(ctx, why)))
        }
        Err(Error::Invalid(errors)) => match state
            .ops
            .approval_link(&token, decision)
            .map_err(ctx.fail())?
        {
            Ok(view) => {
                let page = mail_links::confirm(
                    ctx,
                    decision,
                    &view,
                    &path(decision, &token),
                    &words,
                    &errors,
                );
                Ok(visitor.private_page(StatusCode::UNPROCESSABLE_ENTITY, page))
            }
            Err(why) => {
                Ok(visitor.private_page(refusal_status(why), mail_links::refused(ctx, why)))
            }
        },
        Err(error) => Err(ctx.fail()(error)),
    }
}

async fn show_approve(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> PageResult {
    show(state, visitor, token, Decision::Approve).await
}

async fn show_reject(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> PageResult {
    show(state, visitor, token, Decision::Reject).await
}

async fn decide_approve(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    form: FormData,
) -> PageResult {
    decide(state, visitor, token, Decision::Approve, form).await
}

async fn decide_reject(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    form: FormData,
) -> PageResult {
    decide(state, visitor, token, Decision::Reject, form).await
}
