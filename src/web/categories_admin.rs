//! Administration of the category tree. Every handler takes `AdminPage`.

use super::error::Fail;
use super::extract::{AdminPage, FormData};
use super::portal::parse_id;
use super::state::AppState;
use crate::domain::ordering::next_order;
use crate::domain::{CategoryId, CategoryInput, FieldErrors};
use crate::ops::Error;
use crate::views::catalog_admin::{self as views, CategoryFormValues};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};

use super::admin_forms::{
    Deletion, Direction, Done, PageResult, delete_after_confirming, number, status_for,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/categories", get(categories).post(category_create))
        .route("/admin/categories/new", get(category_new))
        .route(
            "/admin/categories/{id}",
            get(category_edit).post(category_update),
        )
        .route("/admin/categories/{id}/delete", post(category_delete))
        .route("/admin/categories/{id}/move", post(category_move))
}

fn category_input(form: &FormData, errors: &mut FieldErrors) -> CategoryInput {
    CategoryInput {
        name: form.text("name"),
        description: form.text("description"),
        parent_id: number(form, "parent_id", errors).map(CategoryId),
        icon: form.text("icon"),
        order: number(form, "order", errors).unwrap_or(0),
    }
}

fn category_values(form: &FormData) -> CategoryFormValues {
    CategoryFormValues {
        name: form.text("name"),
        description: form.text("description"),
        parent_id: form.text("parent_id"),
        icon: form.text("icon"),
        order: form.text("order"),
    }
}

async fn categories(
    State(state): State<AppState>,
    page: AdminPage,
    Query(done): Query<Done>,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let all = state.ops.categories().map_err(ctx.fail())?;
    let services = state.ops.all_services(page.admin).map_err(ctx.fail())?;
    let notice = (done.done.as_deref() == Some("deleted")).then_some(ctx.t.deleted);
    Ok(views::categories(ctx, &all, &services, notice).into_response())
}

fn render_category_form(
    state: &AppState,
    page: &AdminPage,
    id: Option<CategoryId>,
    values: &CategoryFormValues,
    errors: &FieldErrors,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let all = state.ops.categories().map_err(ctx.fail())?;
    Ok((
        status_for(errors),
        views::category_form(ctx, id, values, errors, &all),
    )
        .into_response())
}

async fn category_new(State(state): State<AppState>, page: AdminPage) -> PageResult {
    let all = state.ops.categories().map_err(page.signed.ctx.fail())?;
    let values = CategoryFormValues {
        order: next_order(all.iter().map(|c| c.order)).to_string(),
        ..CategoryFormValues::default()
    };
    render_category_form(&state, &page, None, &values, &FieldErrors::new())
}

async fn category_create(
    State(state): State<AppState>,
    page: AdminPage,
    form: FormData,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let input = category_input(&form, &mut errors);
    let result = if errors.is_empty() {
        state.ops.create_category(page.admin, input).await
    } else {
        Err(Error::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/categories").into_response()),
        Err(Error::Invalid(errors)) => {
            render_category_form(&state, &page, None, &category_values(&form), &errors)
        }
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

async fn category_edit(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = CategoryId(parse_id(&id).map_err(ctx.fail())?);
    let all = state.ops.categories().map_err(ctx.fail())?;
    let category = all
        .iter()
        .find(|c| c.id == id)
        .ok_or(Error::NotFound)
        .map_err(ctx.fail())?;
    render_category_form(
        &state,
        &page,
        Some(id),
        &CategoryFormValues::of(category),
        &FieldErrors::new(),
    )
}

async fn category_update(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id = CategoryId(parse_id(&id).map_err(page.signed.ctx.fail())?);
    let mut errors = FieldErrors::new();
    let input = category_input(&form, &mut errors);
    let result = if errors.is_empty() {
        state.ops.update_category(page.admin, id, input).await
    } else {
        Err(Error::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/categories").into_response()),
        Err(Error::Invalid(errors)) => {
            render_category_form(&state, &page, Some(id), &category_values(&form), &errors)
        }
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

async fn category_delete(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = CategoryId(parse_id(&id).map_err(ctx.fail())?);
    let (action, back) = (
        format!("/admin/categories/{id}/delete"),
        format!("/admin/categories/{id}"),
    );
    let deletion = Deletion {
        question: ctx.t.confirm_delete_category,
        action: &action,
        back: &back,
        done: "/admin/categories?done=deleted",
    };
    let subject = || {
        let all = state.ops.categories()?;
        let category = all.into_iter().find(|c| c.id == id);
        category.map(|c| c.name).ok_or(Error::NotFound)
    };
    let delete = state.ops.delete_category(page.admin, id);
    delete_after_confirming(ctx, &form, deletion, subject, delete).await
}

async fn category_move(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    Query(direction): Query<Direction>,
    _form: FormData,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = CategoryId(parse_id(&id).map_err(ctx.fail())?);
    let up = direction.dir.as_deref() != Some("down");
    state
        .ops
        .move_category(page.admin, id, up)
        .await
        .map_err(ctx.fail())?;
    Ok(Redirect::to("/admin/categories").into_response())
}
