//! A service's form fields in the admin pages: add, edit, move, delete (after confirmation).

use super::error::Fail;
use super::extract::{AdminPage, FormData};
use super::portal::parse_id;
use super::state::AppState;
use crate::domain::form::{FieldKind, FormField, Limits};
use crate::domain::{FieldErrors, ServiceId};
use crate::ops::{Error, FieldMove};
use crate::views::services_admin::{self as views, FieldFormValues};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};

use super::admin_forms::{
    Deletion, Direction, PageResult, delete_after_confirming, number, status_for,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/services/{id}/fields", post(field_create))
        .route("/admin/services/{id}/fields/new", get(field_new))
        .route(
            "/admin/services/{id}/fields/{key}",
            get(field_edit).post(field_update),
        )
        .route("/admin/services/{id}/fields/{key}/move", post(field_move))
        .route(
            "/admin/services/{id}/fields/{key}/delete",
            post(field_delete),
        )
}

fn field_from(form: &FormData, errors: &mut FieldErrors) -> FormField {
    let kind = FieldKind::parse(&form.text("kind")).unwrap_or_else(|| {
        errors.add("kind", "is required");
        FieldKind::Text
    });
    FormField {
        key: form.text("key"),
        label: form.text("label"),
        help: form.text("help"),
        kind,
        required: form.checked("required"),
        options: form.text("options").lines().map(str::to_owned).collect(),
        limits: Limits {
            max_length: number(form, "max_length", errors),
            min: number(form, "min", errors),
            max: number(form, "max", errors),
            not_in_past: form.checked("not_in_past"),
            max_size_mb: number(form, "max_size_mb", errors),
            allowed_types: form
                .text("allowed_types")
                .split(',')
                .map(str::to_owned)
                .collect(),
        },
    }
}

fn field_values(form: &FormData) -> FieldFormValues {
    FieldFormValues {
        key: form.text("key"),
        label: form.text("label"),
        help: form.text("help"),
        kind: form.text("kind"),
        required: form.checked("required"),
        options: form.text("options"),
        max_length: form.text("max_length"),
        min: form.text("min"),
        max: form.text("max"),
        not_in_past: form.checked("not_in_past"),
        max_size_mb: form.text("max_size_mb"),
        allowed_types: form.text("allowed_types"),
    }
}

fn render_field_form(
    state: &AppState,
    page: &AdminPage,
    id: ServiceId,
    key: Option<&str>,
    values: Option<&FieldFormValues>,
    errors: &FieldErrors,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let service = state.ops.service(page.admin, id).map_err(ctx.fail())?;
    let stored = match key {
        Some(key) => Some(FieldFormValues::of(
            service
                .form
                .iter()
                .find(|f| f.key == key)
                .ok_or(Error::NotFound)
                .map_err(ctx.fail())?,
        )),
        None => None,
    };
    let fresh = FieldFormValues {
        kind: "text".into(),
        ..FieldFormValues::default()
    };
    let values = values.or(stored.as_ref()).unwrap_or(&fresh);
    Ok((
        status_for(errors),
        views::field_form(ctx, &service, key, values, errors),
    )
        .into_response())
}

async fn field_new(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
) -> PageResult {
    let id = ServiceId(parse_id(&id).map_err(page.signed.ctx.fail())?);
    render_field_form(&state, &page, id, None, None, &FieldErrors::new())
}

async fn field_create(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id = ServiceId(parse_id(&id).map_err(page.signed.ctx.fail())?);
    let mut errors = FieldErrors::new();
    let field = field_from(&form, &mut errors);
    let result = if errors.is_empty() {
        state.ops.add_field(page.admin, id, field).await
    } else {
        Err(Error::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/services/{id}?done=saved")).into_response()),
        Err(Error::Invalid(errors)) => {
            render_field_form(&state, &page, id, None, Some(&field_values(&form)), &errors)
        }
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

async fn field_edit(
    State(state): State<AppState>,
    page: AdminPage,
    Path((id, key)): Path<(String, String)>,
) -> PageResult {
    let id = ServiceId(parse_id(&id).map_err(page.signed.ctx.fail())?);
    render_field_form(&state, &page, id, Some(&key), None, &FieldErrors::new())
}

async fn field_update(
    State(state): State<AppState>,
    page: AdminPage,
    Path((id, key)): Path<(String, String)>,
    form: FormData,
) -> PageResult {
    let id = ServiceId(parse_id(&id).map_err(page.signed.ctx.fail())?);
    let mut errors = FieldErrors::new();
    let field = field_from(&form, &mut errors);
    let result = if errors.is_empty() {
        state
            .ops
            .update_field(page.admin, id, key.clone(), field)
            .await
    } else {
        Err(Error::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/services/{id}?done=saved")).into_response()),
        Err(Error::Invalid(errors)) => render_field_form(
            &state,
            &page,
            id,
            Some(&key),
            Some(&field_values(&form)),
            &errors,
        ),
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

async fn field_move(
    State(state): State<AppState>,
    page: AdminPage,
    Path((id, key)): Path<(String, String)>,
    Query(direction): Query<Direction>,
    form: FormData,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = ServiceId(parse_id(&id).map_err(ctx.fail())?);
    // The page's position list sends `to` (from 1); `?dir=up|down` moves one step.
    let to = match (form.get("to"), direction.dir.as_deref()) {
        (Some(place), _) => match place.trim().parse::<usize>() {
            Ok(place) if place >= 1 => FieldMove::To(place - 1),
            _ => {
                let errors = FieldErrors::single("to", "must be a position from 1");
                return Err(ctx.fail()(Error::Invalid(errors)));
            }
        },
        (None, Some("down")) => FieldMove::Down,
        (None, _) => FieldMove::Up,
    };
    state
        .ops
        .move_field(page.admin, id, key, to)
        .await
        .map_err(ctx.fail())?;
    Ok(Redirect::to(&format!("/admin/services/{id}")).into_response())
}

async fn field_delete(
    State(state): State<AppState>,
    page: AdminPage,
    Path((id, key)): Path<(String, String)>,
    form: FormData,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = ServiceId(parse_id(&id).map_err(ctx.fail())?);
    let (action, back, done) = (
        format!("/admin/services/{id}/fields/{key}/delete"),
        format!("/admin/services/{id}"),
        format!("/admin/services/{id}?done=saved"),
    );
    let deletion = Deletion {
        question: ctx.t.confirm_delete_field,
        action: &action,
        back: &back,
        done: &done,
    };
    let subject = || {
        let service = state.ops.service(page.admin, id)?;
        let field = service.form.iter().find(|f| f.key == key);
        let label = field.map(|f| f.label.clone()).ok_or(Error::NotFound)?;
        Ok(format!("{} · {label}", service.name))
    };
    let delete = state.ops.remove_field(page.admin, id, key.clone());
    delete_after_confirming(ctx, &form, deletion, subject, delete).await
}
