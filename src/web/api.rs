//! The JSON API under `/api/v1`: sign-in, the current user, personal tokens, users and teams.

use super::client::ClientIp;
use super::error::ApiError;
use super::extract::{ApiAdmin, ApiUser};
use super::state::AppState;
use crate::domain::{Session, Team, TeamId, TeamInput, Timestamp, User, UserId};
use crate::ops::{Error, LoginKind, NewPassword, UserChanges};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/password", post(change_password))
        .route("/api/v1/me/tokens", get(tokens).post(token_create))
        .route("/api/v1/me/tokens/{id}", delete(token_revoke))
        .route("/api/v1/users", get(users).post(user_create))
        .route("/api/v1/users/{id}", get(user).put(user_update))
        .route("/api/v1/teams", get(teams).post(team_create))
        .route("/api/v1/teams/{id}", get(team).put(team_update))
        .route("/api/v1/backup", get(backup))
}

type ApiResult = Result<Response, ApiError>;

/// A JSON body whose every rejection is answered in the API's error format.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(body_error(&rejection)),
        }
    }
}

/// A `PUT` body, which may be the very document the `GET` of the same address answers: its
/// read-only fields are ignored when they match the resource, and refused, named, when they
/// differ.
pub struct Document(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Document {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Ok(Document(
            Body::<Map<String, Value>>::from_request(req, state)
                .await?
                .0,
        ))
    }
}

impl Document {
    /// The body without `read_only` (checked against `current`, the resource's document).
    pub fn writable<T: DeserializeOwned>(
        mut self,
        current: &Value,
        read_only: &[&str],
    ) -> Result<T, ApiError> {
        let mut errors = crate::domain::FieldErrors::new();
        for key in read_only {
            if let Some(sent) = self.0.remove(*key)
                && current.get(*key) != Some(&sent)
            {
                errors.add(key, "is read-only: leave it out or send it unchanged");
            }
        }
        errors.into_result(()).map_err(Error::Invalid)?;
        serde_json::from_value(Value::Object(self.0)).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("Failed to deserialize the JSON body into the target type: {e}"),
            )
        })
    }
}

/// A request with its body read whole, capped at 1 MiB like every JSON body; and whether the
/// body is blank.
async fn buffered(request: Request) -> Result<(Request, bool), ApiError> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the body is larger than 1 MiB",
        )
    })?;
    let blank = bytes.iter().all(u8::is_ascii_whitespace);
    Ok((
        Request::from_parts(parts, axum::body::Body::from(bytes)),
        blank,
    ))
}

impl<T: DeserializeOwned> Body<T> {
    /// Reads a JSON body from a whole request, for handlers that look at the request first.
    pub async fn from_request_json(request: Request) -> Result<Self, ApiError> {
        let (request, _) = buffered(request).await?;
        <Body<T> as FromRequest<()>>::from_request(request, &()).await
    }
}

impl<T: DeserializeOwned + Default> Body<T> {
    /// Like `from_request_json`, but an empty body (sent with a length or chunked) is the
    /// default value.
    pub async fn optional(request: Request) -> Result<T, ApiError> {
        let (request, blank) = buffered(request).await?;
        if blank {
            return Ok(T::default());
        }
        Ok(<Body<T> as FromRequest<()>>::from_request(request, &())
            .await?
            .0)
    }
}

fn body_error(rejection: &JsonRejection) -> ApiError {
    let (status, code) = match rejection {
        JsonRejection::JsonDataError(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
        }
        _ => (StatusCode::BAD_REQUEST, "malformed"),
    };
    ApiError::new(status, code, rejection.body_text())
}

/// An id in an API path; anything else is not found.
pub(super) fn parse_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>().map_err(|_| Error::NotFound.into())
}

pub fn time(at: Timestamp) -> Value {
    time_text(at).map_or(Value::Null, Value::String)
}

/// An instant as the API writes it (RFC 3339, UTC); `None` out of range.
pub fn time_text(at: Timestamp) -> Option<String> {
    jiff::Timestamp::from_second(at.0)
        .ok()
        .map(|t| t.to_string())
}

pub fn user_json(user: &User) -> Value {
    json!({
        "id": user.id,
        "username": user.username.as_str(),
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role.code(),
        "manager_id": user.manager_id,
        "locale": user.locale.map(crate::domain::Locale::code),
        "active": user.active,
        "must_change_password": user.must_change_password,
        "created_at": time(user.created_at),
    })
}

fn team_json(team: &Team) -> Value {
    json!({ "id": team.id, "name": team.name, "lead_id": team.lead_id, "member_ids": team.member_ids })
}

fn token_json(session: &Session) -> Value {
    json!({ "id": session.id, "name": session.name, "created_at": time(session.created_at) })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    Body(body): Body<LoginBody>,
) -> ApiResult {
    let signed = state
        .ops
        .login(&body.username, &body.password, LoginKind::Api, Some(client))
        .await?;
    Ok(Json(json!({
        "token": signed.token,
        "expires_at": signed.session.expires_at.map(time),
        "user": user_json(&signed.user),
    }))
    .into_response())
}

async fn logout(State(state): State<AppState>, api: ApiUser) -> ApiResult {
    state.ops.logout(&api.token).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn me(api: ApiUser) -> Json<Value> {
    Json(user_json(&api.user))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    current: String,
    new: String,
}

async fn change_password(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    api: ApiUser,
    Body(body): Body<PasswordBody>,
) -> ApiResult {
    state
        .ops
        .change_password(
            &api.user,
            &api.token,
            &body.current,
            &body.new,
            Some(client),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn tokens(State(state): State<AppState>, api: ApiUser) -> ApiResult {
    let tokens = state.ops.personal_tokens(&api.user)?;
    Ok(Json(tokens.iter().map(token_json).collect::<Vec<_>>()).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    name: String,
}

async fn token_create(
    State(state): State<AppState>,
    api: ApiUser,
    Body(body): Body<TokenBody>,
) -> ApiResult {
    let (token, session) = state
        .ops
        .create_personal_token(&api.user, &body.name)
        .await?;
    let mut value = token_json(&session);
    value["token"] = json!(token);
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

async fn token_revoke(
    State(state): State<AppState>,
    api: ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    state
        .ops
        .revoke_personal_token(&api.user, parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Distinguishes a field set to `null` (`Some(None)`) from a missing one (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBody {
    username: Option<String>,
    display_name: Option<String>,
    email: Option<String>,
    role: Option<String>,
    #[serde(default, deserialize_with = "present")]
    manager_id: Option<Option<u64>>,
    locale: Option<String>,
    active: Option<bool>,
    password: Option<String>,
}

impl UserBody {
    fn split(self) -> (UserChanges, Option<String>) {
        let changes = UserChanges {
            username: self.username,
            display_name: self.display_name,
            email: self.email,
            role: self.role,
            manager_id: self.manager_id,
            locale: self.locale,
            active: self.active,
        };
        (changes, self.password)
    }
}

async fn users(State(state): State<AppState>, api: ApiAdmin) -> ApiResult {
    let users = state.ops.users(api.admin)?;
    Ok(Json(users.iter().map(user_json).collect::<Vec<_>>()).into_response())
}

async fn user(State(state): State<AppState>, api: ApiAdmin, Path(id): Path<String>) -> ApiResult {
    let user = state.ops.user(api.admin, UserId(parse_id(&id)?))?;
    Ok(Json(user_json(&user)).into_response())
}

async fn user_create(
    State(state): State<AppState>,
    api: ApiAdmin,
    Body(body): Body<UserBody>,
) -> ApiResult {
    let (changes, password) = body.split();
    let password = match password {
        Some(password) => NewPassword::Given {
            password,
            must_change: true,
        },
        None => NewPassword::Generate,
    };
    let (user, generated) = state.ops.create_user(api.admin, changes, password).await?;
    let mut value = user_json(&user);
    if let Some(generated) = generated {
        value["generated_password"] = json!(generated);
    }
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

async fn user_update(
    State(state): State<AppState>,
    api: ApiAdmin,
    Path(id): Path<String>,
    document: Document,
) -> ApiResult {
    let id = UserId(parse_id(&id)?);
    let current = user_json(&state.ops.user(api.admin, id)?);
    let body: UserBody =
        document.writable(&current, &["id", "created_at", "must_change_password"])?;
    let (changes, password) = body.split();
    let mut user = state.ops.update_user(api.admin, id, changes).await?;
    if let Some(password) = password {
        let new = NewPassword::Given {
            password,
            must_change: true,
        };
        state.ops.reset_password(api.admin, id, new).await?;
        user = state.ops.user(api.admin, id)?;
    }
    Ok(Json(user_json(&user)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamBody {
    name: String,
    lead_id: Option<u64>,
    #[serde(default)]
    member_ids: Vec<u64>,
}

impl From<TeamBody> for TeamInput {
    fn from(body: TeamBody) -> TeamInput {
        TeamInput {
            name: body.name,
            lead_id: body.lead_id.map(UserId),
            member_ids: body.member_ids.into_iter().map(UserId).collect(),
        }
    }
}

async fn teams(State(state): State<AppState>, api: ApiAdmin) -> ApiResult {
    let teams = state.ops.teams(api.admin)?;
    Ok(Json(teams.iter().map(team_json).collect::<Vec<_>>()).into_response())
}

async fn team(State(state): State<AppState>, api: ApiAdmin, Path(id): Path<String>) -> ApiResult {
    let team = state.ops.team(api.admin, TeamId(parse_id(&id)?))?;
    Ok(Json(team_json(&team)).into_response())
}

async fn team_create(
    State(state): State<AppState>,
    api: ApiAdmin,
    Body(body): Body<TeamBody>,
) -> ApiResult {
    let team = state.ops.create_team(api.admin, body.into()).await?;
    Ok((StatusCode::CREATED, Json(team_json(&team))).into_response())
}

async fn team_update(
    State(state): State<AppState>,
    api: ApiAdmin,
    Path(id): Path<String>,
    document: Document,
) -> ApiResult {
    let id = TeamId(parse_id(&id)?);
    let body: TeamBody = document.writable(&team_json(&state.ops.team(api.admin, id)?), &["id"])?;
    let team = state.ops.update_team(api.admin, id, body.into()).await?;
    Ok(Json(team_json(&team)).into_response())
}

/// A consistent copy of the store, for scheduled backups with a personal token.
async fn backup(State(state): State<AppState>, api: ApiAdmin) -> ApiResult {
    let backup = state.ops.backup(api.admin).await?;
    let name = format!("guichet-{}.redb", state.ops.today());
    Ok(super::backup_download(&name, backup))
}
