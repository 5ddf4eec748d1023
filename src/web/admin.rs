//! Administration pages for users and teams. Every handler takes `AdminPage`, so nobody else
//! reaches them.

use super::error::{Fail, HtmlError};
use super::extract::{AdminPage, FormData};
use super::state::AppState;
use crate::domain::{FieldErrors, TeamId, TeamInput, UserId};
use crate::ops::{Error, NewPassword, UserChanges};
use crate::views::admin::{self, TeamFormValues, UserForm, UserFormValues};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_home))
        .route("/admin/users", get(users).post(user_create))
        .route("/admin/users/new", get(user_new))
        .route("/admin/users/{id}", get(user_edit).post(user_update))
        .route("/admin/users/{id}/password", post(user_reset_password))
        .route("/admin/teams", get(teams).post(team_create))
        .route("/admin/teams/new", get(team_new))
        .route("/admin/teams/{id}", get(team_edit).post(team_update))
        .route("/admin/backup", get(backups))
        .route("/admin/backup/download", get(backup))
        .route("/admin/jobs", get(jobs))
}

type PageResult = Result<Response, HtmlError>;

/// The administration's first tab; a visitor who is not an admin is asked to sign in first (or
/// refused), like on every admin page.
async fn admin_home(_page: AdminPage) -> Redirect {
    Redirect::to("/admin/users")
}

fn parse_id(raw: &str) -> Result<u64, Error> {
    raw.parse::<u64>().map_err(|_| Error::NotFound)
}

/// An optional id from a select: empty means none; anything unparsable names no user (ids
/// start at 1), so validation reports it on its field.
fn optional_id(raw: Option<&str>) -> Option<u64> {
    match raw.map(str::trim) {
        None | Some("") => None,
        Some(v) => Some(v.parse().unwrap_or(0)),
    }
}

fn user_changes(form: &FormData) -> UserChanges {
    UserChanges {
        username: Some(form.text("username")),
        display_name: Some(form.text("display_name")),
        email: Some(form.text("email")),
        role: Some(form.text("role")),
        manager_id: Some(optional_id(form.get("manager_id"))),
        locale: Some(form.text("locale")),
        active: Some(form.checked("active")),
    }
}

fn user_values(form: &FormData) -> UserFormValues {
    UserFormValues {
        username: form.text("username"),
        display_name: form.text("display_name"),
        email: form.text("email"),
        role: form.text("role"),
        manager_id: form.text("manager_id"),
        locale: form.text("locale"),
        active: form.checked("active"),
    }
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn users(State(state): State<AppState>, page: AdminPage) -> PageResult {
    let ctx = &page.signed.ctx;
    let users = state.ops.users(page.admin).map_err(ctx.fail())?;
    Ok(admin::users(ctx, &users, None).into_response())
}

fn render_user_form(
    state: &AppState,
    page: &AdminPage,
    id: Option<UserId>,
    values: &UserFormValues,
    errors: &FieldErrors,
    notice: Option<&str>,
    generated_password: Option<&str>,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let candidates = state.ops.users(page.admin).map_err(ctx.fail())?;
    let form = UserForm {
        id,
        values,
        errors,
        candidates: &candidates,
        notice,
        generated_password,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, admin::user_form(ctx, &form)).into_response())
}

async fn user_new(State(state): State<AppState>, page: AdminPage) -> PageResult {
    let values = UserFormValues {
        role: "requester".into(),
        locale: "auto".into(),
        active: true,
        ..UserFormValues::default()
    };
    render_user_form(
        &state,
        &page,
        None,
        &values,
        &FieldErrors::new(),
        None,
        None,
    )
}

async fn user_create(State(state): State<AppState>, page: AdminPage, form: FormData) -> PageResult {
    let password = match form.text("password") {
        p if p.is_empty() => NewPassword::Generate,
        password => NewPassword::Given {
            password,
            must_change: true,
        },
    };
    match state
        .ops
        .create_user(page.admin, user_changes(&form), password)
        .await
    {
        Ok((user, generated)) => {
            let values = UserFormValues::of(&user);
            let t = page.signed.ctx.t;
            render_user_form(
                &state,
                &page,
                Some(user.id),
                &values,
                &FieldErrors::new(),
                Some(t.saved),
                generated.as_deref(),
            )
        }
        Err(Error::Invalid(errors)) => render_user_form(
            &state,
            &page,
            None,
            &user_values(&form),
            &errors,
            None,
            None,
        ),
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

async fn user_edit(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = UserId(parse_id(&id).map_err(ctx.fail())?);
    let user = state.ops.user(page.admin, id).map_err(ctx.fail())?;
    let notice = query.done.is_some().then_some(ctx.t.saved);
    render_user_form(
        &state,
        &page,
        Some(id),
        &UserFormValues::of(&user),
        &FieldErrors::new(),
        notice,
        None,
    )
}

async fn user_update(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id = UserId(parse_id(&id).map_err(page.signed.ctx.fail())?);
    match state
        .ops
        .update_user(page.admin, id, user_changes(&form))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?done=saved")).into_response()),
        Err(Error::Invalid(errors)) => render_user_form(
            &state,
            &page,
            Some(id),
            &user_values(&form),
            &errors,
            None,
            None,
        ),
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

async fn user_reset_password(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    _form: FormData,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = UserId(parse_id(&id).map_err(ctx.fail())?);
    let generated = state
        .ops
        .reset_password(page.admin, id, NewPassword::Generate)
        .await
        .map_err(ctx.fail())?;
    let user = state.ops.user(page.admin, id).map_err(ctx.fail())?;
    render_user_form(
        &state,
        &page,
        Some(id),
        &UserFormValues::of(&user),
        &FieldErrors::new(),
        None,
        generated.as_deref(),
    )
}

async fn teams(State(state): State<AppState>, page: AdminPage) -> PageResult {
    let ctx = &page.signed.ctx;
    let teams = state.ops.teams(page.admin).map_err(ctx.fail())?;
    let users = state.ops.users(page.admin).map_err(ctx.fail())?;
    Ok(admin::teams(ctx, &teams, &users).into_response())
}

fn render_team_form(
    state: &AppState,
    page: &AdminPage,
    id: Option<TeamId>,
    values: &TeamFormValues,
    errors: &FieldErrors,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let users = state.ops.users(page.admin).map_err(ctx.fail())?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, admin::team_form(ctx, id, values, errors, &users)).into_response())
}

fn team_input(form: &FormData) -> TeamInput {
    TeamInput {
        name: form.text("name"),
        lead_id: optional_id(form.get("lead_id")).map(UserId),
        member_ids: form
            .all("member_ids")
            .iter()
            .map(|m| UserId(m.trim().parse().unwrap_or(0)))
            .collect(),
    }
}

fn team_values(form: &FormData) -> TeamFormValues {
    TeamFormValues {
        name: form.text("name"),
        lead_id: form.text("lead_id"),
        member_ids: form.all("member_ids"),
    }
}

async fn team_new(State(state): State<AppState>, page: AdminPage) -> PageResult {
    render_team_form(
        &state,
        &page,
        None,
        &TeamFormValues::default(),
        &FieldErrors::new(),
    )
}

async fn team_create(State(state): State<AppState>, page: AdminPage, form: FormData) -> PageResult {
    match state.ops.create_team(page.admin, team_input(&form)).await {
        Ok(_) => Ok(Redirect::to("/admin/teams").into_response()),
        Err(Error::Invalid(errors)) => {
            render_team_form(&state, &page, None, &team_values(&form), &errors)
        }
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

async fn team_edit(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = TeamId(parse_id(&id).map_err(ctx.fail())?);
    let team = state.ops.team(page.admin, id).map_err(ctx.fail())?;
    render_team_form(
        &state,
        &page,
        Some(id),
        &TeamFormValues::of(&team),
        &FieldErrors::new(),
    )
}

async fn team_update(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id = TeamId(parse_id(&id).map_err(page.signed.ctx.fail())?);
    match state
        .ops
        .update_team(page.admin, id, team_input(&form))
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/teams").into_response()),
        Err(Error::Invalid(errors)) => {
            render_team_form(&state, &page, Some(id), &team_values(&form), &errors)
        }
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

/// The last backup and how to take and restore one.
async fn backups(State(state): State<AppState>, page: AdminPage) -> PageResult {
    let ctx = &page.signed.ctx;
    let last = state.ops.last_backup(page.admin).map_err(ctx.fail())?;
    Ok(admin::backups(ctx, last, &state.ops.today()).into_response())
}

async fn jobs(State(state): State<AppState>, page: AdminPage) -> PageResult {
    let ctx = &page.signed.ctx;
    let jobs = state.ops.jobs(page.admin).map_err(ctx.fail())?;
    Ok(crate::views::jobs::jobs(ctx, &jobs).into_response())
}

/// Downloads a consistent copy of the store, taken without stopping the server.
async fn backup(State(state): State<AppState>, page: AdminPage) -> PageResult {
    let ctx = &page.signed.ctx;
    let backup = state.ops.backup(page.admin).await.map_err(ctx.fail())?;
    let name = format!("guichet-{}.redb", state.ops.today());
    Ok(super::backup_download(&name, backup))
}
