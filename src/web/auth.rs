//! Signing in and out, and the user's own account pages.

use super::client::ClientIp;
use super::cookies;
use super::error::Fail;
use super::extract::{FormData, Signed, Visitor};
use super::state::AppState;
use crate::domain::{FieldErrors, Locale};
use crate::ops::{DEMO_PASSWORD, Error, LoginKind};
use crate::views::PageCtx;
use crate::views::account::{AccountView, account};
use crate::views::auth::{change_password, login};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/account", get(account_page))
        .route("/account/locale", post(account_locale))
        .route("/account/mail", post(account_mail))
        .route(
            "/account/password",
            get(password_page).post(password_submit),
        )
        .route("/account/tokens", post(token_create))
        .route("/account/tokens/{id}/revoke", post(token_revoke))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    expired: Option<String>,
    /// `reset`: the password was just chosen from a reset link.
    done: Option<String>,
}

/// Only a local path may follow sign-in, so the page cannot be used to bounce users elsewhere.
/// Where to go after signing in: only a path of this site. Browsers drop tabs and line breaks
/// from addresses and read `\\` as `/`, so a value holding any of them, or starting with `//`,
/// could lead elsewhere and is refused; anything else outside visible ASCII is percent-encoded,
/// so that the `Location` header is always valid.
fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next else {
        return "/".into();
    };
    let risky = |c: char| c.is_control() || c.is_whitespace() || c == '\\';
    if !next.starts_with('/') || next.starts_with("//") || next.chars().any(risky) {
        return "/".into();
    }
    let mut safe = String::with_capacity(next.len());
    for c in next.chars() {
        if c.is_ascii() {
            safe.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                safe.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    safe
}

fn with_cookies(visitor: &Visitor, mut response: Response) -> Response {
    for cookie in &visitor.set_cookies {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    response
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Query(query): Query<NextQuery>,
) -> Response {
    let session = cookies::get(&headers, cookies::SESSION);
    if session.is_some_and(|token| matches!(state.ops.authenticate(token), Ok(Some(_)))) {
        return Redirect::to("/").into_response();
    }
    let next = safe_next(query.next.as_deref());
    // Sent here by a form whose session had ended: what was typed waits (`drafts.rs`).
    let notice = match (query.expired.is_some(), query.done.as_deref()) {
        (true, _) => Some(visitor.ctx.t.session_expired_kept),
        (false, Some("reset")) => Some(visitor.ctx.t.mail.reset_done),
        _ => None,
    };
    let page = login(
        &visitor.ctx,
        "",
        None,
        notice,
        &next,
        DEMO_PASSWORD,
        state.ops.mail_on(),
    );
    with_cookies(&visitor, page.into_response())
}

async fn login_submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    visitor: Visitor,
    form: FormData,
) -> Response {
    let username = form.text("username");
    let next = safe_next(form.get("next"));
    let result = state
        .ops
        .login(
            &username,
            &form.text("password"),
            LoginKind::Web,
            Some(client),
        )
        .await;
    let t = visitor.ctx.t;
    let (status, message) = match result {
        Ok(signed) => {
            // A language picked on the sign-in page is an explicit choice: it goes into the
            // profile. A failure to save it does not stop the sign-in.
            let picked = cookies::get(&headers, cookies::LANG).and_then(Locale::parse);
            if picked.is_some() && picked != signed.user.locale {
                let _ = state.ops.set_locale(&signed.user, picked).await;
            }
            let cookie = cookies::set(
                cookies::SESSION,
                &signed.token,
                Some(state.web.session_seconds),
                state.web.secure_cookies,
            );
            let target = if signed.user.must_change_password {
                "/account/password".into()
            } else {
                next
            };
            let mut response = Redirect::to(&target).into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            return response;
        }
        Err(Error::BadCredentials) => (StatusCode::UNAUTHORIZED, t.bad_credentials.to_owned()),
        Err(Error::Throttled { retry_after }) => {
            let page = login(
                &visitor.ctx,
                &username,
                Some(&t.throttled_for(retry_after)),
                None,
                &next,
                DEMO_PASSWORD,
                state.ops.mail_on(),
            );
            let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after.max(1).into());
            return with_cookies(&visitor, response);
        }
        Err(Error::Forbidden(_)) => (StatusCode::FORBIDDEN, t.deactivated.to_owned()),
        Err(error) => return visitor.ctx.fail()(error).into_response(),
    };
    let page = login(
        &visitor.ctx,
        &username,
        Some(&message),
        None,
        &next,
        DEMO_PASSWORD,
        state.ops.mail_on(),
    );
    with_cookies(&visitor, (status, page).into_response())
}

async fn logout(State(state): State<AppState>, signed: Signed, _form: FormData) -> Response {
    if let Err(error) = state.ops.logout(&signed.token).await {
        return signed.ctx.fail()(error).into_response();
    }
    let mut response = Redirect::to("/login").into_response();
    let clear = cookies::set(cookies::SESSION, "", Some(0), state.web.secure_cookies);
    response.headers_mut().append(header::SET_COOKIE, clear);
    response
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

fn done_message(ctx: &PageCtx, done: Option<&str>) -> Option<&'static str> {
    match done? {
        "saved" | "revoked" => Some(ctx.t.saved),
        "password" => Some(ctx.t.password_changed),
        _ => None,
    }
}

fn render_account(
    state: &AppState,
    signed: &Signed,
    flash: Option<&str>,
    new_token: Option<&str>,
    errors: &FieldErrors,
) -> Result<Response, Error> {
    let tokens = state.ops.personal_tokens(&signed.user)?;
    let manager_name = match signed.user.manager_id {
        Some(id) => state.ops.display_name(id)?,
        None => None,
    };
    let mail = if state.ops.mail_on() {
        Some(state.ops.mail_choices(&signed.user)?)
    } else {
        None
    };
    let view = AccountView {
        user: &signed.user,
        manager_name: manager_name.as_deref(),
        tokens: &tokens,
        new_token,
        flash,
        errors,
        mail: mail.as_ref(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, account(&signed.ctx, &view)).into_response())
}

async fn account_page(
    State(state): State<AppState>,
    signed: Signed,
    Query(query): Query<DoneQuery>,
) -> Response {
    let flash = done_message(&signed.ctx, query.done.as_deref());
    render_account(&state, &signed, flash, None, &FieldErrors::new())
        .unwrap_or_else(|e| signed.ctx.fail()(e).into_response())
}

async fn account_locale(State(state): State<AppState>, signed: Signed, form: FormData) -> Response {
    let Some(locale) = form.get("locale").and_then(Locale::parse_choice) else {
        let errors = FieldErrors::single("locale", "must be fr, en or auto");
        return render_account(&state, &signed, None, None, &errors)
            .unwrap_or_else(|e| signed.ctx.fail()(e).into_response());
    };
    match state.ops.set_locale(&signed.user, locale).await {
        Ok(()) => {
            // The switch in the header comes back to the page it was used on.
            let target = match form.get("back") {
                Some(back) => safe_next(Some(back)),
                None => "/account?done=saved".into(),
            };
            let mut response = Redirect::to(&target).into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, language_cookie(&state, locale));
            response
        }
        Err(error) => signed.ctx.fail()(error).into_response(),
    }
}

/// The notification kinds a form ticked (`mail` checkboxes, by code); unknown codes are ignored.
pub(super) fn ticked_kinds(form: &FormData) -> Vec<crate::domain::notification::NoticeKind> {
    let ticked = form.all("mail");
    crate::domain::notification::NoticeKind::ALL
        .into_iter()
        .filter(|k| ticked.iter().any(|t| t == k.code()))
        .collect()
}

async fn account_mail(State(state): State<AppState>, signed: Signed, form: FormData) -> Response {
    match state
        .ops
        .set_mail_choices(&signed.user, ticked_kinds(&form))
        .await
    {
        Ok(()) => Redirect::to("/account?done=saved").into_response(),
        Err(error) => signed.ctx.fail()(error).into_response(),
    }
}

/// The browser keeps the profile's choice too, for the sign-in page; "the browser's language"
/// removes it.
fn language_cookie(state: &AppState, locale: Option<Locale>) -> header::HeaderValue {
    let secure = state.web.secure_cookies;
    match locale {
        Some(locale) => cookies::set(cookies::LANG, locale.code(), Some(365 * 24 * 3600), secure),
        None => cookies::set(cookies::LANG, "", Some(0), secure),
    }
}

async fn password_page(signed: Signed) -> Response {
    change_password(
        &signed.ctx,
        signed.user.must_change_password,
        &FieldErrors::new(),
    )
    .into_response()
}

async fn password_submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    signed: Signed,
    form: FormData,
) -> Response {
    let result = state
        .ops
        .change_password(
            &signed.user,
            &signed.token,
            &form.text("current"),
            &form.text("new"),
            Some(client),
        )
        .await;
    match result {
        Ok(()) => Redirect::to("/account?done=password").into_response(),
        Err(Error::Invalid(errors)) => {
            let page = change_password(&signed.ctx, signed.user.must_change_password, &errors);
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(error) => signed.ctx.fail()(error).into_response(),
    }
}

async fn token_create(State(state): State<AppState>, signed: Signed, form: FormData) -> Response {
    let result = match state
        .ops
        .create_personal_token(&signed.user, &form.text("name"))
        .await
    {
        Ok((token, _)) => render_account(&state, &signed, None, Some(&token), &FieldErrors::new()),
        Err(Error::Invalid(errors)) => render_account(&state, &signed, None, None, &errors),
        Err(error) => Err(error),
    };
    result.unwrap_or_else(|e| signed.ctx.fail()(e).into_response())
}

async fn token_revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    _form: FormData,
) -> Response {
    let result = match id.parse::<u64>() {
        Ok(id) => state.ops.revoke_personal_token(&signed.user, id).await,
        Err(_) => Err(Error::NotFound),
    };
    match result {
        Ok(()) => Redirect::to("/account?done=revoked").into_response(),
        Err(error) => signed.ctx.fail()(error).into_response(),
    }
}
