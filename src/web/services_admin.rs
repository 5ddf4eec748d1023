//! Administration of services and their request forms. Every handler takes `AdminPage`.

use super::error::Fail;
use super::extract::{AdminPage, FormData};
use super::portal::parse_id;
use super::state::AppState;
use crate::domain::ordering::next_order;
use crate::domain::service::{ApprovalRule, Delay, DelayUnit};
use crate::domain::{CategoryId, FieldErrors, ServiceId, ServiceInput, TeamId};
use crate::ops::Error;
use crate::views::services_admin::{self as views, ServiceForm, ServiceFormValues};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};

use super::admin_forms::{Direction, Done, PageResult, Target, number, status_for};
use crate::views::confirm::{self, Confirm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/services", get(services).post(service_create))
        .route("/admin/services/new", get(service_new))
        .route(
            "/admin/services/{id}",
            get(service_edit).post(service_update),
        )
        .route("/admin/services/{id}/active", post(service_active))
        .route("/admin/services/{id}/move", post(service_move))
        .merge(super::fields_admin::router())
}

async fn services(State(state): State<AppState>, page: AdminPage) -> PageResult {
    let ctx = &page.signed.ctx;
    let all = state.ops.categories().map_err(ctx.fail())?;
    let services = state.ops.all_services(page.admin).map_err(ctx.fail())?;
    Ok(views::services(ctx, &all, &services).into_response())
}

fn service_input(form: &FormData, errors: &mut FieldErrors) -> Option<ServiceInput> {
    let mut steps = Vec::new();
    for name in ["step1", "step2", "step3"] {
        let raw = form.text(name);
        if raw.trim().is_empty() {
            continue;
        }
        match ApprovalRule::parse(&raw) {
            Some(rule) => steps.push(rule),
            None => errors.add("approval_steps", "no such user"),
        }
    }
    let delay_value: Option<u32> = number(form, "delay_value", errors);
    let unit = DelayUnit::parse(&form.text("delay_unit")).unwrap_or(DelayUnit::Days);
    let category_id = number(form, "category_id", errors).map(CategoryId);
    if category_id.is_none() {
        errors.add("category_id", "is required");
    }
    Some(ServiceInput {
        name: form.text("name"),
        description: form.text("description"),
        keywords: form.text("keywords"),
        category_id: category_id?,
        active: form.checked("active"),
        requires_approval: form.checked("requires_approval"),
        approval_steps: steps,
        estimated_delay: delay_value.map(|value| Delay { value, unit }),
        sla_policy_id: number(form, "sla_policy_id", errors),
        team_id: number(form, "team_id", errors).map(TeamId),
        order: number(form, "order", errors).unwrap_or(0),
        show_usual_time: form.checked("show_usual_time"),
        on_behalf: form.checked("on_behalf"),
    })
}

fn service_values(form: &FormData) -> ServiceFormValues {
    ServiceFormValues {
        name: form.text("name"),
        description: form.text("description"),
        keywords: form.text("keywords"),
        category_id: form.text("category_id"),
        team_id: form.text("team_id"),
        active: form.checked("active"),
        requires_approval: form.checked("requires_approval"),
        steps: [form.text("step1"), form.text("step2"), form.text("step3")],
        delay_value: form.text("delay_value"),
        delay_unit: form.text("delay_unit"),
        sla_policy_id: form.text("sla_policy_id"),
        order: form.text("order"),
        show_usual_time: form.checked("show_usual_time"),
        on_behalf: form.checked("on_behalf"),
    }
}

fn render_service_form(
    state: &AppState,
    page: &AdminPage,
    id: Option<ServiceId>,
    values: Option<&ServiceFormValues>,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let service = id
        .map(|id| state.ops.service(page.admin, id))
        .transpose()
        .map_err(ctx.fail())?;
    let stored = service.as_ref().map(ServiceFormValues::of);
    let fresh;
    let values = match values.or(stored.as_ref()) {
        Some(values) => values,
        None => {
            let all = state.ops.all_services(page.admin).map_err(ctx.fail())?;
            fresh = ServiceFormValues {
                active: true,
                on_behalf: true,
                delay_unit: "days".into(),
                order: next_order(all.iter().map(|s| s.order)).to_string(),
                ..ServiceFormValues::default()
            };
            &fresh
        }
    };
    let categories = state.ops.categories().map_err(ctx.fail())?;
    let teams = state.ops.teams(page.admin).map_err(ctx.fail())?;
    let users = state.ops.users(page.admin).map_err(ctx.fail())?;
    let policies = state.ops.sla_policies().map_err(ctx.fail())?;
    let form = ServiceForm {
        service: service.as_ref(),
        values,
        errors,
        categories: &categories,
        teams: &teams,
        users: &users,
        policies: &policies,
        notice,
    };
    Ok((status_for(errors), views::service_form(ctx, &form)).into_response())
}

async fn service_new(State(state): State<AppState>, page: AdminPage) -> PageResult {
    render_service_form(&state, &page, None, None, &FieldErrors::new(), None)
}

async fn service_create(
    State(state): State<AppState>,
    page: AdminPage,
    form: FormData,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let result = match service_input(&form, &mut errors) {
        Some(input) if errors.is_empty() => {
            state
                .ops
                .create_service(page.admin, input, Vec::new())
                .await
        }
        _ => Err(Error::Invalid(errors)),
    };
    match result {
        Ok(service) => {
            Ok(Redirect::to(&format!("/admin/services/{}?done=saved", service.id)).into_response())
        }
        Err(Error::Invalid(errors)) => render_service_form(
            &state,
            &page,
            None,
            Some(&service_values(&form)),
            &errors,
            None,
        ),
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

async fn service_edit(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> PageResult {
    let id = ServiceId(parse_id(&id).map_err(page.signed.ctx.fail())?);
    let notice = done.done.is_some().then_some(page.signed.ctx.t.saved);
    render_service_form(&state, &page, Some(id), None, &FieldErrors::new(), notice)
}

async fn service_update(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let id = ServiceId(parse_id(&id).map_err(page.signed.ctx.fail())?);
    let mut errors = FieldErrors::new();
    let result = match service_input(&form, &mut errors) {
        Some(input) if errors.is_empty() => {
            state.ops.update_service(page.admin, id, input, None).await
        }
        _ => Err(Error::Invalid(errors)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/services/{id}?done=saved")).into_response()),
        Err(Error::Invalid(errors)) => render_service_form(
            &state,
            &page,
            Some(id),
            Some(&service_values(&form)),
            &errors,
            None,
        ),
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

async fn service_active(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    Query(target): Query<Target>,
    form: FormData,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = ServiceId(parse_id(&id).map_err(ctx.fail())?);
    let active = target.to.as_deref() == Some("true");
    if !active && !form.confirmed() {
        let service = state.ops.service(page.admin, id).map_err(ctx.fail())?;
        return Ok(confirm::confirm(
            ctx,
            &Confirm {
                question: ctx.t.confirm_deactivate,
                subject: &service.name,
                consequence: ctx.t.confirm_deactivate_then,
                action: &format!("/admin/services/{id}/active?to=false"),
                confirm_label: ctx.t.deactivate,
                back: &format!("/admin/services/{id}"),
                note: None,
            },
        )
        .into_response());
    }
    state
        .ops
        .set_service_active(page.admin, id, active)
        .await
        .map_err(ctx.fail())?;
    Ok(Redirect::to(&format!("/admin/services/{id}?done=saved")).into_response())
}

async fn service_move(
    State(state): State<AppState>,
    page: AdminPage,
    Path(id): Path<String>,
    Query(direction): Query<Direction>,
    _form: FormData,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let id = ServiceId(parse_id(&id).map_err(ctx.fail())?);
    let up = direction.dir.as_deref() != Some("down");
    state
        .ops
        .move_service(page.admin, id, up)
        .await
        .map_err(ctx.fail())?;
    Ok(Redirect::to("/admin/services").into_response())
}
