//! Extractors that enforce who may do what, for pages and API alike: `Signed` (a signed-in user
//! on a page), `AdminPage`, `Visitor` (pages open to everyone), `FormData` (a form body whose
//! CSRF token was checked), `ApiUser` and `ApiAdmin` (bearer tokens).

use super::cookies;
use super::error::{ApiError, Fail};
use super::state::AppState;
use super::uploads::{form_pairs, refusal};
use crate::domain::{Locale, User};
use crate::ops::{Admin, Error};
use crate::views::{PageCtx, Viewer, i18n::texts};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};

/// Pages a user who must change their password may still open.
const OPEN_DURING_PASSWORD_CHANGE: &[&str] = &["/account/password", "/logout"];
/// API routes open to a user who must change their password.
const API_OPEN_DURING_PASSWORD_CHANGE: &[&str] =
    &["/api/v1/me", "/api/v1/me/password", "/api/v1/logout"];

/// The form token expected from this request's form, put aside by the extractor that knew it.
#[derive(Clone)]
pub(super) struct ExpectedCsrf(String);

/// Checks the `_csrf` value a form sent against the token the page extractor put aside; the
/// refusal is the "form expired" page.
pub(super) fn check_csrf(
    expected: Option<&ExpectedCsrf>,
    ctx: Option<PageCtx>,
    sent: Option<&str>,
) -> Result<(), Box<Response>> {
    let valid = match (expected, sent) {
        (Some(ExpectedCsrf(expected)), Some(sent)) => crate::ops::same_secret(expected, sent),
        _ => false,
    };
    if valid {
        return Ok(());
    }
    let message = ctx
        .as_ref()
        .map_or("The form expired. Reload the page and try again.", |c| {
            c.t.csrf_failed
        });
    Err(Box::new(match ctx {
        Some(ctx) => (
            StatusCode::FORBIDDEN,
            crate::views::errors::error_page(&ctx, ctx.t.forbidden_title, message, None),
        )
            .into_response(),
        None => (StatusCode::FORBIDDEN, message.to_owned()).into_response(),
    }))
}

fn locale_for(state: &AppState, headers: &HeaderMap, user: Option<&User>) -> Locale {
    user.and_then(|u| u.locale)
        .or_else(|| cookies::get(headers, cookies::LANG).and_then(Locale::parse))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or(state.web.default_locale)
}

pub fn page_ctx(state: &AppState, parts: &Parts, user: Option<&User>, csrf: String) -> PageCtx {
    let locale = locale_for(state, &parts.headers, user);
    PageCtx {
        locale,
        t: texts(locale),
        org_name: state.web.org_name.clone(),
        viewer: user.map(|u| {
            // The counters are a nicety of the frame: a failed read shows none rather than
            // failing the page.
            let (unread, approvals) = state.ops.header_counts(u).unwrap_or_default();
            Viewer {
                display_name: u.display_name.clone(),
                role: u.role,
                must_change_password: u.must_change_password,
                unread,
                approvals,
            }
        }),
        csrf,
        path: parts.uri.path().to_owned(),
        demo: state.web.demo,
        assets: state.web.assets.clone(),
        tz: state.ops.time_zone().clone(),
        rows: state.web.rows.clone(),
        filters: state.web.filters.clone(),
    }
}

/// Whether the request may carry a form for `FormData` or an upload to check against the
/// session's form token (and answer in the page's language when refused): what the page's
/// extractor leaves for them, so that a page that is only shown does not copy its frame.
fn sends_form(parts: &Parts) -> bool {
    !matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD
    )
}

fn to_login(parts: &Parts) -> Response {
    let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    Redirect::to(&format!("/login?{query}")).into_response()
}

/// A signed-in user on an HTML page. Not signed in: redirect to the sign-in page.
pub struct Signed {
    pub user: User,
    pub token: String,
    pub ctx: PageCtx,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token = cookies::get(&parts.headers, cookies::SESSION).map(str::to_owned);
        let found = match &token {
            Some(token) => state.ops.authenticate(token).map_err(|error| {
                let ctx = page_ctx(state, parts, None, String::new());
                ctx.fail()(error).into_response()
            })?,
            None => None,
        };
        let (Some(token), Some((user, session))) = (token, found) else {
            return Err(to_login(parts));
        };
        if user.must_change_password && !OPEN_DURING_PASSWORD_CHANGE.contains(&parts.uri.path()) {
            return Err(Redirect::to("/account/password").into_response());
        }
        let ctx = page_ctx(state, parts, Some(&user), session.csrf.clone());
        if sends_form(parts) {
            parts.extensions.insert(ExpectedCsrf(session.csrf.clone()));
            parts.extensions.insert(ctx.clone());
        }
        Ok(Signed { user, token, ctx })
    }
}

/// A signed-in administrator on an HTML page; others get the "access denied" page.
pub struct AdminPage {
    pub signed: Signed,
    pub admin: Admin,
}

impl FromRequestParts<AppState> for AdminPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let signed = Signed::from_request_parts(parts, state).await?;
        match state.ops.admin(&signed.user) {
            Ok(admin) => Ok(AdminPage { signed, admin }),
            Err(error) => Err(signed.ctx.fail()(error).into_response()),
        }
    }
}

/// Anyone, signed in or not, on a page open to all (the sign-in page). Carries the cookies the
/// response must set: a form token for a first visit, and the language picked with `?lang=`.
pub struct Visitor {
    pub ctx: PageCtx,
    pub set_cookies: Vec<HeaderValue>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let mut set_cookies = Vec::new();
        let csrf = match cookies::get(&parts.headers, cookies::ANON_CSRF) {
            Some(token) if token.len() == 32 => token.to_owned(),
            _ => {
                let token = crate::ops::new_form_token().map_err(|error| {
                    let ctx = page_ctx(state, parts, None, String::new());
                    ctx.fail()(error).into_response()
                })?;
                set_cookies.push(cookies::set(
                    cookies::ANON_CSRF,
                    &token,
                    None,
                    state.web.secure_cookies,
                ));
                token
            }
        };
        let picked = parts.uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| Locale::parse(&v))
        });
        if let Some(locale) = picked {
            set_cookies.push(cookies::set(
                cookies::LANG,
                locale.code(),
                Some(365 * 24 * 3600),
                state.web.secure_cookies,
            ));
        }
        if sends_form(parts) {
            parts.extensions.insert(ExpectedCsrf(csrf.clone()));
        }
        let mut ctx = page_ctx(state, parts, None, csrf);
        if let Some(locale) = picked {
            ctx.locale = locale;
            ctx.t = texts(locale);
        }
        if sends_form(parts) {
            parts.extensions.insert(ctx.clone());
        }
        Ok(Visitor { ctx, set_cookies })
    }
}

impl Visitor {
    /// `page` with `status`, the cookies this visitor needs, and never cached: for the pages
    /// behind a link that acts (approval and password links).
    pub fn private_page(&self, status: StatusCode, page: maud::Markup) -> Response {
        let mut response = (status, page).into_response();
        for cookie in &self.set_cookies {
            response
                .headers_mut()
                .append(header::SET_COOKIE, cookie.clone());
        }
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// A URL-encoded form body whose `_csrf` field matched the token of the session (or, before
/// sign-in, of the visitor). Must come after `Signed`, `AdminPage` or `Visitor` in a handler.
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a destructive action's form came from its confirmation page
    /// (`views/confirm.rs`).
    pub fn confirmed(&self) -> bool {
        self.get("confirm") == Some("yes")
    }

    /// The value, or an empty string when the field was not sent.
    pub fn text(&self, key: &str) -> String {
        self.get(key).unwrap_or_default().to_owned()
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn checked(&self, key: &str) -> bool {
        self.get(key).is_some_and(|v| !v.is_empty())
    }
}

impl FromRequest<AppState> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let expected = req.extensions().get::<ExpectedCsrf>().cloned();
        let ctx = req.extensions().get::<PageCtx>().cloned();
        let Ok(bytes) = Bytes::from_request(req, state).await else {
            return Err(refusal(ctx.as_ref(), StatusCode::PAYLOAD_TOO_LARGE, |c| {
                c.t.form_too_large
            }));
        };
        let Some(pairs) = form_pairs(&bytes) else {
            return Err(refusal(ctx.as_ref(), StatusCode::BAD_REQUEST, |c| {
                c.t.form_not_text
            }));
        };
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str());
        check_csrf(expected.as_ref(), ctx, sent).map_err(|r| *r)?;
        Ok(FormData { pairs })
    }
}

/// A user authenticated by `Authorization: Bearer <token>` on the JSON API.
pub struct ApiUser {
    pub user: User,
    pub token: String,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned())
            .ok_or(Error::Unauthenticated)?;
        let (user, _) = state
            .ops
            .authenticate(&token)?
            .ok_or(Error::Unauthenticated)?;
        if user.must_change_password && !API_OPEN_DURING_PASSWORD_CHANGE.contains(&parts.uri.path())
        {
            return Err(Error::PasswordChangeRequired.into());
        }
        Ok(ApiUser { user, token })
    }
}

pub struct ApiAdmin {
    pub admin: Admin,
}

impl FromRequestParts<AppState> for ApiAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let api = ApiUser::from_request_parts(parts, state).await?;
        let admin = state.ops.admin(&api.user)?;
        Ok(ApiAdmin { admin })
    }
}
